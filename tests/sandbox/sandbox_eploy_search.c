/* The Eploy search convention: Paging, Filters (GreaterThan, LessThan, Equals, In; all
 * combined with AND) and ResponseBlocks, answered in the {CurrentPage, TotalPages, Records}
 * envelope. A filter on the record id is answered by direct lookups and a GreaterThan on the
 * indexed date by binary search, so incremental reads cost O(log n + page). */
#include "sandbox.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { T_INT, T_DATE, T_STR };
enum { OP_GT, OP_LT, OP_EQ, OP_IN };

typedef struct route_def {
    const char *route;
    int type;
} route_def;

typedef struct resource {
    const char *name;
    const char *scope;
    const route_def *routes;
    int id_field;                                 /* route index of the record id */
    int date_field;                               /* route index with a date index, -1 none */
    size_t (*count)(void);
    int64_t (*id_to_idx)(int64_t id);
    size_t (*by_date)(size_t pos);                /* record at a position in date order */
    int64_t (*get)(size_t idx, int field);
    const char *(*get_str)(size_t idx, int field, char *buf, size_t size);
    json_object *(*to_json)(size_t idx, json_object *blocks);
} resource;

typedef struct filter {
    int field, op;
    int64_t value;
    int64_t *list;
    size_t n_list;
    char text[256];
} filter;

/* ---- applications ---- */
static const route_def app_routes[] = {
    { "Application.ApplicationId", T_INT }, { "Application.ModificationDate", T_DATE },
    { "Application.Vacancy", T_INT },       { "Application.Candidate", T_INT },
    { "Application.CreationDate", T_DATE }, { "Application.Stage", T_INT }, { NULL, 0 } };
static size_t app_count(void) { return hs_sb_w.n_app; }
static int64_t app_idx(int64_t id) { return hs_sb_app_index(id); }
static size_t app_by_date(size_t pos) { return hs_sb_w.app_by_date[pos]; }
static int64_t app_get(size_t i, int field)
{
    const hs_sb_application *a = &hs_sb_w.app[i];
    switch (field) {
    case 0: return HS_SB_APP_BASE + (int64_t)i;
    case 1: return a->modified_ms;
    case 2: return HS_SB_VAC_BASE + (int64_t)a->vacancy;
    case 3: return HS_SB_CAND_BASE + (int64_t)i;
    case 5: return hs_sb_w.workflows[hs_sb_w.vac[a->vacancy].workflow].stages[a->stage].id;
    default: return a->modified_ms - (int64_t)a->applied_before_s * 1000;
    }
}
static json_object *app_json(size_t i, json_object *b) { return hs_sb_eploy_application_json((uint32_t)i, b); }

/* ---- vacancies ---- */
static const route_def vac_routes[] = {
    { "Vacancy.VacancyId", T_INT }, { "Vacancy.VacancyStatus", T_INT },
    { "Vacancy.ModificationDate", T_DATE }, { "Vacancy.CreationDate", T_DATE }, { NULL, 0 } };
static size_t vac_count(void) { return hs_sb_w.n_vac; }
static int64_t vac_idx(int64_t id) { return hs_sb_vac_index(id); }
static int64_t vac_get(size_t i, int field)
{
    const hs_sb_vacancy *v = &hs_sb_w.vac[i];
    switch (field) {
    case 0: return HS_SB_VAC_BASE + (int64_t)i;
    case 1: return hs_sb_vac_status_id(v->status);
    case 2: return v->modified_ms;
    default: return v->created_ms;
    }
}
static json_object *vac_json(size_t i, json_object *b) { return hs_sb_eploy_vacancy_json((uint32_t)i, b); }

/* ---- candidates ---- */
static const route_def cand_routes[] = {
    { "Candidate.CandidateId", T_INT }, { "Candidate.ModificationDate", T_DATE },
    { "Candidate.Email", T_STR }, { NULL, 0 } };
static int64_t cand_idx(int64_t id) { return hs_sb_cand_index(id); }
static size_t cand_by_date(size_t pos) { return hs_sb_w.cand_by_date[pos]; }
static int64_t cand_get(size_t i, int field)
{
    return field == 0 ? HS_SB_CAND_BASE + (int64_t)i : hs_sb_w.cand[i].modified_ms;
}
static const char *cand_str(size_t i, int field, char *buf, size_t size)
{
    (void)field;
    return hs_sb_cand_email((uint32_t)i, buf, size);
}
static json_object *cand_json(size_t i, json_object *b) { return hs_sb_eploy_candidate_json((uint32_t)i, b); }

/* ---- status history ---- */
static const route_def hist_routes[] = {
    { "StatusHistory.StatusHistoryId", T_INT }, { "StatusHistory.StatusDate", T_DATE },
    { "StatusHistory.Application", T_INT },     { "Application.ModificationDate", T_DATE },
    { "StatusHistory.Vacancy", T_INT },         { NULL, 0 } };
static size_t hist_count(void) { return hs_sb_w.n_hist; }
static int64_t hist_idx(int64_t id)
{
    int64_t i = id - HS_SB_HIST_BASE;
    return i >= 0 && i < (int64_t)hs_sb_w.n_hist ? i : -1;
}
static size_t identity(size_t pos) { return pos; }
static int64_t hist_get(size_t i, int field)
{
    const hs_sb_history *h = &hs_sb_w.hist[i];
    switch (field) {
    case 0: return HS_SB_HIST_BASE + (int64_t)i;
    case 1: return h->date_ms;
    case 2: return HS_SB_APP_BASE + (int64_t)h->app;
    case 3: return hs_sb_w.app[h->app].modified_ms;
    default: return HS_SB_VAC_BASE + (int64_t)hs_sb_w.app[h->app].vacancy;
    }
}

/* ---- workflows ---- */
static const route_def wf_routes[] = { { "Workflow.WorkflowID", T_INT }, { NULL, 0 } };
static size_t wf_count(void) { return (size_t)hs_sb_w.n_workflows; }
static int64_t wf_idx(int64_t id)
{
    for (int i = 0; i < hs_sb_w.n_workflows; i++)
        if (hs_sb_w.workflows[i].id == id)
            return i;
    return -1;
}
static int64_t wf_get(size_t i, int field)
{
    (void)field;
    return hs_sb_w.workflows[i].id;
}

/* ---- actions ---- */
static const route_def act_routes[] = {
    { "Action.ActionId", T_INT },  { "Action.Application", T_INT }, { "Action.Candidate", T_INT },
    { "Action.Vacancy", T_INT },   { "Action.CreationDate", T_DATE },
    { "Action.ModificationDate", T_DATE }, { NULL, 0 } };
static size_t act_count(void) { return hs_sb_w.n_act; }
static int64_t act_idx(int64_t id)
{
    int64_t i = id - HS_SB_ACT_BASE;
    return i >= 0 && i < (int64_t)hs_sb_w.n_act ? i : -1;
}
static int64_t act_get(size_t i, int field)
{
    const hs_sb_action *a = &hs_sb_w.act[i];
    switch (field) {
    case 0: return HS_SB_ACT_BASE + (int64_t)i;
    case 1: return a->application;
    case 2: return a->candidate;
    case 3: return a->vacancy;
    default: return a->created_ms;
    }
}

static const resource resources[] = {
    { "applications", "applications.read", app_routes, 0, 1, app_count, app_idx, app_by_date,
      app_get, NULL, app_json },
    { "vacancies", "vacancies.read", vac_routes, 0, -1, vac_count, vac_idx, NULL, vac_get, NULL,
      vac_json },
    { "candidates", "candidates.read", cand_routes, 0, 1, app_count, cand_idx, cand_by_date,
      cand_get, cand_str, cand_json },
    { "applications/statushistory", "applications.read", hist_routes, 0, 1, hist_count,
      hist_idx, identity, hist_get, NULL, hs_sb_eploy_history_json },
    { "workflows", "workflows.read", wf_routes, 0, -1, wf_count, wf_idx, NULL, wf_get, NULL,
      hs_sb_eploy_workflow_json },
    { "actions", "actions.read", act_routes, 0, -1, act_count, act_idx, NULL, act_get, NULL,
      hs_sb_eploy_action_json },
};

/* before + arg + after, e.g. "Unknown filter route \"" X "\"" */
static void bad_request(hs_sb_resp *resp, const char *before, const char *arg, const char *after)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s%.300s%s", before, arg, after);
    hs_sb_reply_error(resp, 400, "error_message", msg);
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ')
        end++;
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int parse_value(const resource *res, filter *f, const char *value, hs_sb_resp *resp)
{
    int type = res->routes[f->field].type;
    snprintf(f->text, sizeof f->text, "%s", value);
    if (type == T_STR) {
        if (f->op == OP_GT || f->op == OP_LT) {
            bad_request(resp, "Operation not supported on ", res->routes[f->field].route, "");
            return -1;
        }
        return 0;
    }
    if (f->op != OP_IN) {
        int bad = type == T_DATE ? hs_sb_parse_date(value, &f->value) : parse_int(value, &f->value);
        if (bad) {
            bad_request(resp, "Filter value \"", value,
                        type == T_DATE ? "\" is not a date" : "\" is not a number");
            return -1;
        }
        return 0;
    }
    size_t n = 1;
    for (const char *p = value; *p; p++)
        n += *p == ',';
    f->list = calloc(n, sizeof *f->list);
    if (!f->list) {
        hs_sb_reply_error(resp, 500, "error_message", "out of memory");
        return -1;
    }
    char *copy = strdup(value), *save = NULL;
    if (!copy) {
        hs_sb_reply_error(resp, 500, "error_message", "out of memory");
        return -1;
    }
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        int bad = type == T_DATE ? hs_sb_parse_date(t, &f->list[f->n_list])
                                 : parse_int(t, &f->list[f->n_list]);
        if (bad) {
            bad_request(resp, "Filter value \"", value, "\" is not a comma-separated list");
            free(copy);
            return -1;
        }
        f->n_list++;
    }
    free(copy);
    qsort(f->list, f->n_list, sizeof *f->list, cmp_i64);
    return 0;
}

static int parse_filter(const resource *res, json_object *jf, filter *f, hs_sb_resp *resp)
{
    static const char *const ops[] = { "GreaterThan", "LessThan", "Equals", "In" };
    json_object *route, *op, *value;
    if (!json_object_is_type(jf, json_type_object) ||
        !json_object_object_get_ex(jf, "Route", &route) ||
        !json_object_object_get_ex(jf, "Operation", &op) ||
        !json_object_object_get_ex(jf, "Value", &value)) {
        bad_request(resp, "Each filter needs Route, Operation and Value", "", "");
        return -1;
    }
    const char *rname = json_object_get_string(route);
    f->field = -1;
    for (int i = 0; res->routes[i].route && f->field < 0; i++)
        if (strcasecmp(res->routes[i].route, rname) == 0)
            f->field = i;
    if (hs_sb_w.no_stage_filter && strcasecmp(rname, "Application.Stage") == 0)
        f->field = -1; /* a tenant without the stage filter (POST /eploy/settings) */
    if (f->field < 0) {
        bad_request(resp, "Unknown filter route \"", rname, "\"");
        return -1;
    }
    const char *oname = json_object_get_string(op);
    f->op = -1;
    for (int i = 0; i < 4 && f->op < 0; i++)
        if (strcasecmp(ops[i], oname) == 0)
            f->op = i;
    if (f->op < 0) {
        bad_request(resp, "Unknown filter operation \"", oname, "\" (GreaterThan, LessThan, Equals or In)");
        return -1;
    }
    return parse_value(res, f, json_object_get_string(value), resp);
}

static int in_list(const filter *f, int64_t v)
{
    return bsearch(&v, f->list, f->n_list, sizeof *f->list, cmp_i64) != NULL;
}

static int str_in(const char *s, const char *list)
{
    size_t n = strlen(s);
    for (const char *p = list; p; p = strchr(p, ','), p = p ? p + 1 : NULL) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && strncasecmp(p, s, n) == 0)
            return 1;
    }
    return 0;
}

static int matches(const resource *res, const filter *fs, size_t nf, size_t idx)
{
    for (size_t i = 0; i < nf; i++) {
        const filter *f = &fs[i];
        if (res->routes[f->field].type == T_STR) {
            char buf[256];
            const char *s = res->get_str(idx, f->field, buf, sizeof buf);
            if (!s || !(f->op == OP_EQ ? strcasecmp(s, f->text) == 0 : str_in(s, f->text)))
                return 0;
            continue;
        }
        int64_t v = res->get(idx, f->field);
        int ok = f->op == OP_GT ? v > f->value
               : f->op == OP_LT ? v < f->value
               : f->op == OP_EQ ? v == f->value
                                : in_list(f, v);
        if (!ok)
            return 0;
    }
    return 1;
}

/* Where to iterate from: ids looked up directly, the date index from the first later record,
 * or every record in id order. */
typedef struct source {
    int kind;                                     /* 0 all, 1 ids, 2 date index */
    int64_t *ids;
    size_t n;                                     /* number of positions */
    size_t start;                                 /* date index: first position */
    int consumed;                                 /* filter answered exactly by the source */
} source;

static size_t source_at(const resource *res, const source *s, size_t pos)
{
    if (s->kind == 1)
        return (size_t)res->id_to_idx(s->ids[pos]);
    if (s->kind == 2)
        return res->by_date(s->start + pos);
    return pos;
}

static void pick_source(const resource *res, const filter *fs, size_t nf, source *s)
{
    memset(s, 0, sizeof *s);
    s->consumed = -1;
    s->n = res->count();
    for (size_t i = 0; i < nf; i++) {
        const filter *f = &fs[i];
        if (f->field != res->id_field || (f->op != OP_EQ && f->op != OP_IN))
            continue;
        s->kind = 1;
        s->ids = f->op == OP_IN ? f->list : (int64_t *)&f->value;
        size_t n = f->op == OP_IN ? f->n_list : 1, kept = 0;
        /* keep existing ids only, once each, in order (the list is sorted) */
        for (size_t k = 0; k < n; k++)
            if (res->id_to_idx(s->ids[k]) >= 0 && (kept == 0 || s->ids[kept - 1] != s->ids[k]))
                s->ids[kept++] = s->ids[k];
        s->n = kept;
        s->consumed = (int)i;
        return;
    }
    for (size_t i = 0; i < nf; i++) {
        const filter *f = &fs[i];
        if (f->field != res->date_field || f->op != OP_GT || !res->by_date)
            continue;
        size_t lo = 0, hi = res->count();
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (res->get(res->by_date(mid), f->field) <= f->value)
                lo = mid + 1;
            else
                hi = mid;
        }
        s->kind = 2;
        s->start = lo;
        s->n = res->count() - lo;
        s->consumed = (int)i;
        return;
    }
}

static int read_paging(json_object *body, long *per, long *page)
{
    json_object *paging, *v;
    *per = HS_SB_PAGE_MAX;
    *page = 1;
    if (!body || !json_object_object_get_ex(body, "Paging", &paging) ||
        !json_object_is_type(paging, json_type_object))
        return 0;
    if (json_object_object_get_ex(paging, "RecordsPerPage", &v))
        *per = (long)json_object_get_int64(v);
    if (json_object_object_get_ex(paging, "RequestedPage", &v))
        *page = (long)json_object_get_int64(v);
    if (*per < 1 || *page < 1)
        return -1;
    if (*per > HS_SB_PAGE_MAX)
        *per = HS_SB_PAGE_MAX;
    return 0;
}

/* Parses body.Filters into *out (caller frees with free_filters); -1 with resp filled. */
static int parse_filters(const resource *res, json_object *body, filter **out, size_t *nf,
                         hs_sb_resp *resp)
{
    json_object *jf = NULL;
    *out = NULL;
    *nf = 0;
    if (body && json_object_object_get_ex(body, "Filters", &jf) &&
        !json_object_is_type(jf, json_type_null)) {
        if (!json_object_is_type(jf, json_type_array)) {
            bad_request(resp, "Filters must be an array", "", "");
            return -1;
        }
        *nf = json_object_array_length(jf);
    }
    *out = calloc(*nf ? *nf : 1, sizeof **out);
    if (!*out) {
        hs_sb_reply_error(resp, 500, "error_message", "out of memory");
        return -1;
    }
    for (size_t i = 0; i < *nf; i++)
        if (parse_filter(res, json_object_array_get_idx(jf, i), &(*out)[i], resp))
            return -1;
    return 0;
}

static void free_filters(filter *fs, size_t nf)
{
    for (size_t i = 0; fs && i < nf; i++)
        free(fs[i].list);
    free(fs);
}

/* Appends the records of positions [first, first+per) among the matches to records and
 * returns the number of matches. With no filter beyond the one the source answers, the page
 * is read directly at its offset. */
static size_t collect(const resource *res, const filter *fs, size_t nf, size_t first, size_t per,
                      json_object *blocks, json_object *records)
{
    source src;
    size_t total = 0;
    pick_source(res, fs, nf, &src);
    if (nf == 0 || (nf == 1 && src.consumed == 0)) {
        for (size_t p = first; p < src.n && p < first + per; p++)
            json_object_array_add(records, res->to_json(source_at(res, &src, p), blocks));
        return src.n;
    }
    for (size_t p = 0; p < src.n; p++) {
        size_t idx = source_at(res, &src, p);
        if (!matches(res, fs, nf, idx))
            continue;
        if (total >= first && total < first + per)
            json_object_array_add(records, res->to_json(idx, blocks));
        total++;
    }
    return total;
}

static void run(const resource *res, json_object *body, hs_sb_resp *resp)
{
    json_object *blocks = NULL, *records = NULL, *out = NULL;
    filter *fs = NULL;
    size_t nf = 0;
    long per, page;
    if (read_paging(body, &per, &page)) {
        bad_request(resp, "Paging.RecordsPerPage and Paging.RequestedPage must be 1 or more", "", "");
        return;
    }
    if (body && json_object_object_get_ex(body, "ResponseBlocks", &blocks) &&
        !json_object_is_type(blocks, json_type_array))
        blocks = NULL;
    if (parse_filters(res, body, &fs, &nf, resp))
        goto done;
    records = json_object_new_array();
    out = json_object_new_object();
    if (!records || !out) {
        hs_sb_reply_error(resp, 500, "error_message", "out of memory");
        goto done;
    }
    /* A page far past the end must not wrap round to an earlier one. */
    size_t first = (size_t)(page - 1) > SIZE_MAX / 128 ? SIZE_MAX - 128
                                                      : (size_t)(page - 1) * (size_t)per;
    size_t total = collect(res, fs, nf, first, (size_t)per, blocks, records);
    json_object_object_add(out, "CurrentPage", json_object_new_int64(page));
    json_object_object_add(out, "TotalPages",
                           json_object_new_int64((int64_t)((total + (size_t)per - 1) / (size_t)per)));
    json_object_object_add(out, "Records", records);
    records = NULL;
    hs_sb_reply_json(resp, 200, out);
    out = NULL;
done:
    json_object_put(records);
    json_object_put(out);
    free_filters(fs, nf);
}

void hs_sb_eploy_search(const char *name, const hs_sb_req *r, hs_sb_resp *resp)
{
    const resource *res = NULL;
    for (size_t i = 0; i < sizeof resources / sizeof resources[0] && !res; i++)
        if (strcmp(resources[i].name, name) == 0)
            res = &resources[i];
    if (!res) {
        hs_sb_reply_error(resp, 404, "error_message", "No record could be found for the requested URI");
        return;
    }
    if (hs_sb_eploy_authorize(r, resp, res->scope))
        return;
    json_object *body = NULL;
    if (r->body_len) {
        json_tokener *tok = json_tokener_new_ex(32);
        if (!tok) {
            hs_sb_reply_error(resp, 500, "error_message", "out of memory");
            return;
        }
        body = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
        int bad = json_tokener_get_error(tok) != json_tokener_success;
        json_tokener_free(tok);
        if (bad || !json_object_is_type(body, json_type_object)) {
            json_object_put(body);
            hs_sb_reply_error(resp, 400, "error_message", "The request body is not a valid search (JSON object expected)");
            return;
        }
    }
    run(res, body, resp);
    json_object_put(body);
}
