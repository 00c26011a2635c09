/* Eploy records as JSON, written on demand from the compact generated data; ResponseBlocks
 * choose which top-level fields appear (all of them when none are asked for). */
#include "sandbox.h"

#include <stdio.h>
#include <strings.h>

static int wanted(json_object *blocks, const char *name)
{
    size_t n = blocks ? json_object_array_length(blocks) : 0;
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n; i++) {
        const char *b = json_object_get_string(json_object_array_get_idx(blocks, i));
        if (b && strcasecmp(b, name) == 0)
            return 1;
    }
    return 0;
}

static void add(json_object *o, json_object *blocks, const char *name, json_object *v)
{
    if (wanted(blocks, name))
        json_object_object_add(o, name, v);
    else
        json_object_put(v);
}

json_object *hs_sb_date_json(int64_t ms)
{
    char buf[48];
    return json_object_new_string(hs_sb_format_date(ms, hs_sb_w.cfg.date_style, buf, sizeof buf));
}

static json_object *ref(int64_t id)
{
    if (id <= 0)
        return NULL;
    json_object *o = json_object_new_object();
    if (o)
        json_object_object_add(o, "Id", json_object_new_int64(id));
    return o;
}

static json_object *lookup(int id, const char *description)
{
    char buf[24];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    snprintf(buf, sizeof buf, "%d", id);
    json_object_object_add(o, "Id", json_object_new_string(buf));
    json_object_object_add(o, "Description", json_object_new_string(description));
    return o;
}

static json_object *workflow_position(const hs_sb_workflow *wf, int stage, int status)
{
    const hs_sb_stage *st = &wf->stages[stage];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "Stage", lookup(st->id, st->name));
    json_object_object_add(o, "Status", lookup(st->statuses[status].id, st->statuses[status].name));
    return o;
}

json_object *hs_sb_eploy_application_json(uint32_t a, json_object *blocks)
{
    const hs_sb_application *app = &hs_sb_w.app[a];
    int64_t applied = app->modified_ms - (int64_t)app->applied_before_s * 1000;
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add(o, blocks, "ApplicationId", json_object_new_int64(HS_SB_APP_BASE + (int64_t)a));
    add(o, blocks, "ApplicationDate", hs_sb_date_json(applied));
    json_object *type = json_object_new_object();
    if (type)
        json_object_object_add(type, "Description", json_object_new_string("Online"));
    add(o, blocks, "ApplicationType", type);
    add(o, blocks, "Workflow",
        workflow_position(hs_sb_vac_workflow(app->vacancy), app->stage, app->status));
    add(o, blocks, "Placement", NULL);
    add(o, blocks, "Candidate", ref(HS_SB_CAND_BASE + (int64_t)a));
    add(o, blocks, "Vacancy", ref(HS_SB_VAC_BASE + (int64_t)app->vacancy));
    add(o, blocks, "CreationDate", hs_sb_date_json(applied));
    add(o, blocks, "ModificationDate", hs_sb_date_json(app->modified_ms));
    return o;
}

json_object *hs_sb_eploy_vacancy_json(uint32_t v, json_object *blocks)
{
    const hs_sb_vacancy *vac = &hs_sb_w.vac[v];
    int open = hs_sb_vac_status_id(vac->status) == 1;
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add(o, blocks, "VacancyId", json_object_new_int64(HS_SB_VAC_BASE + (int64_t)v));
    add(o, blocks, "Title", json_object_new_string(hs_sb_job_title(vac->title)));
    add(o, blocks, "VacancyStatus",
        lookup(hs_sb_vac_status_id(vac->status), hs_sb_vac_status_name(vac->status)));
    add(o, blocks, "Location", lookup(vac->location + 1, hs_sb_town(vac->location)));
    add(o, blocks, "Company", ref(5));
    json_object *salary = json_object_new_object();
    if (salary) {
        json_object *interval = json_object_new_object();
        if (interval)
            json_object_object_add(interval, "Description", json_object_new_string("Annum"));
        json_object_object_add(salary, "Salary", json_object_new_int(21000 + (int)(v % 9) * 1500));
        json_object_object_add(salary, "SalaryInterval", interval);
    }
    add(o, blocks, "Salary", salary);
    add(o, blocks, "IncludeOnSite", json_object_new_boolean(open));
    add(o, blocks, "AdvertiseInternally", json_object_new_boolean(open));
    add(o, blocks, "DatePosted", hs_sb_date_json(vac->created_ms));
    add(o, blocks, "AdvertisingEndDate", NULL);
    add(o, blocks, "InternalAdvertisingStartDate", NULL);
    add(o, blocks, "InternalAdvertisingEndDate", NULL);
    add(o, blocks, "Workflow", ref(hs_sb_vac_workflow(v)->id));
    add(o, blocks, "CreationDate", hs_sb_date_json(vac->created_ms));
    add(o, blocks, "ModificationDate", hs_sb_date_json(vac->modified_ms));
    return o;
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

json_object *hs_sb_eploy_candidate_json(uint32_t c, json_object *blocks)
{
    static const char *const titles[] = { "Mr", "Mrs", "Ms", "Miss", "Dr", "Mx" };
    static const char *const streets[] = { "High Street", "Station Road", "Church Lane",
                                           "Park Avenue", "Mill Road", "Victoria Street" };
    const hs_sb_candidate *cd = &hs_sb_w.cand[c];
    char email[192], phone[32], mobile[32];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    int64_t created = hs_sb_w.app[c].modified_ms - (int64_t)hs_sb_w.app[c].applied_before_s * 1000;
    add(o, blocks, "CandidateId", json_object_new_int64(HS_SB_CAND_BASE + (int64_t)c));
    json_object *title = json_object_new_object();
    if (title)
        json_object_object_add(title, "Description", json_object_new_string(titles[c % 6]));
    add(o, blocks, "Title", title);
    add(o, blocks, "FirstName", json_object_new_string(hs_sb_cand_first(c)));
    add(o, blocks, "Surname", json_object_new_string(hs_sb_cand_last(c)));
    json_object *addr = json_object_new_object();
    if (addr) {
        char line[64], post[16];
        json_object *country = json_object_new_object();
        if (country)
            json_object_object_add(country, "Description", json_object_new_string("United Kingdom"));
        snprintf(line, sizeof line, "%u %s", (unsigned)(c % 180 + 1), streets[c % 6]);
        snprintf(post, sizeof post, "ZZ%u %u%c%c", (unsigned)(c % 9 + 1), (unsigned)(c % 10),
                 'A' + (int)(c % 26), 'A' + (int)(c / 26 % 26));
        json_object_object_add(addr, "Address1", json_object_new_string(line));
        json_object_object_add(addr, "Address2", json_object_new_string(""));
        json_object_object_add(addr, "Town", json_object_new_string(hs_sb_town(cd->town)));
        json_object_object_add(addr, "County", json_object_new_string(""));
        json_object_object_add(addr, "Country", country);
        json_object_object_add(addr, "PostCode", json_object_new_string(post));
    }
    add(o, blocks, "Address", addr);
    add(o, blocks, "Telephone", str_or_null(hs_sb_cand_phone(c, phone, sizeof phone)));
    add(o, blocks, "Mobile", str_or_null(hs_sb_cand_mobile(c, mobile, sizeof mobile)));
    add(o, blocks, "Email", str_or_null(hs_sb_cand_email(c, email, sizeof email)));
    add(o, blocks, "IsEmployee", json_object_new_boolean(0));
    add(o, blocks, "IsPreviousEmployee", json_object_new_boolean(0));
    add(o, blocks, "CreationDate", hs_sb_date_json(created));
    add(o, blocks, "ModificationDate", hs_sb_date_json(cd->modified_ms));
    return o;
}

json_object *hs_sb_eploy_action_json(size_t i, json_object *blocks)
{
    const hs_sb_action *a = &hs_sb_w.act[i];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add(o, blocks, "ActionId", json_object_new_int64(HS_SB_ACT_BASE + (int64_t)i));
    json_object *type = json_object_new_object();
    if (type)
        json_object_object_add(type, "Id", json_object_new_string(a->type_id));
    add(o, blocks, "ActionType", type);
    json_object *outcome = NULL;
    if (a->outcome_id[0] && (outcome = json_object_new_object())) {
        const char *name = hs_sb_outcome_name(a->outcome_id);
        json_object_object_add(outcome, "Id", json_object_new_string(a->outcome_id));
        json_object_object_add(outcome, "Description", name ? json_object_new_string(name) : NULL);
    }
    add(o, blocks, "ActionOutcome", outcome);
    add(o, blocks, "Application", ref(a->application));
    add(o, blocks, "Candidate", ref(a->candidate));
    add(o, blocks, "Vacancy", ref(a->vacancy));
    add(o, blocks, "Description", json_object_new_string(a->text ? a->text : ""));
    add(o, blocks, "StartDate", a->start_date[0] ? json_object_new_string(a->start_date) : NULL);
    add(o, blocks, "CreationDate", hs_sb_date_json(a->created_ms));
    add(o, blocks, "ModificationDate", hs_sb_date_json(a->created_ms));
    return o;
}

json_object *hs_sb_eploy_history_json(size_t i, json_object *blocks)
{
    const hs_sb_history *h = &hs_sb_w.hist[i];
    const hs_sb_application *app = &hs_sb_w.app[h->app];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add(o, blocks, "StatusHistoryId", json_object_new_int64(HS_SB_HIST_BASE + (int64_t)i));
    add(o, blocks, "Application", ref(HS_SB_APP_BASE + (int64_t)h->app));
    add(o, blocks, "Vacancy", ref(HS_SB_VAC_BASE + (int64_t)app->vacancy));
    add(o, blocks, "Action", NULL);
    add(o, blocks, "Placement", NULL);
    add(o, blocks, "StatusDate", hs_sb_date_json(h->date_ms));
    add(o, blocks, "Workflow", workflow_position(hs_sb_vac_workflow(app->vacancy), h->stage, h->status));
    add(o, blocks, "CreationDate", hs_sb_date_json(h->date_ms));
    add(o, blocks, "ModificationDate", hs_sb_date_json(h->date_ms));
    return o;
}

json_object *hs_sb_eploy_workflow_json(size_t i, json_object *blocks)
{
    const hs_sb_workflow *wf = &hs_sb_w.workflows[i];
    json_object *o = json_object_new_object();
    json_object *stages = json_object_new_array();
    if (!o || !stages) {
        json_object_put(o);
        json_object_put(stages);
        return NULL;
    }
    for (int s = 0; s < wf->n_stages; s++) {
        json_object *st = lookup(wf->stages[s].id, wf->stages[s].name);
        json_object *sts = json_object_new_array();
        for (int k = 0; sts && k < wf->stages[s].n_statuses; k++)
            json_object_array_add(sts, lookup(wf->stages[s].statuses[k].id,
                                              wf->stages[s].statuses[k].name));
        if (st)
            json_object_object_add(st, "Statuses", sts);
        else
            json_object_put(sts);
        json_object_array_add(stages, st);
    }
    add(o, blocks, "WorkflowID", json_object_new_int(wf->id));
    add(o, blocks, "Title", json_object_new_string(wf->title));
    add(o, blocks, "Description", json_object_new_string(wf->title));
    add(o, blocks, "Stages", stages);
    return o;
}

