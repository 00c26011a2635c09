/* The Eploy API server: routes under /api, quota, authentication and scopes, single-record
 * reads, dropdown lists and creating actions (the note on an application). */
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_FOUND "No record could be found for the requested URI"

static void error(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "error_message", msg);
}

static void not_allowed(hs_sb_resp *resp, const char *method)
{
    char msg[128];
    snprintf(msg, sizeof msg, "The requested resource does not support http method '%s'.", method);
    error(resp, 405, msg);
}

/* "123" or "123/rest" -> id and the rest ("" when none); -1 if not a number */
static int64_t path_id(const char *p, const char **rest)
{
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (errno || end == p || v < 0 || (*end && *end != '/'))
        return -1;
    *rest = *end ? end + 1 : end;
    return v;
}

static void dropdown(int64_t list, hs_sb_resp *resp)
{
    struct { int list; const char *values; } lists[] = {
        { 50, "1:Open|2:Approved|3:Closed|4:On Hold|5:Filled" },
        { 91, "4:Started|6:Cancelled|7:Pending Checks|8:Completed" },
        { 86, "1:Payroll Export|2:HR System Export|3:Video Interview Sync" },
        { 193, "1:Other|2:CV|3:Cover Letter|4:Identity Document" },
        { 95, hs_sb_outcome_values() },
    };
    const char *values = NULL;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0] && !values; i++)
        if (lists[i].list == list)
            values = lists[i].values;
    if (!values) {
        error(resp, 404, NOT_FOUND);
        return;
    }
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    if (!o || !arr) {
        json_object_put(o);
        json_object_put(arr);
        error(resp, 500, "out of memory");
        return;
    }
    for (const char *p = values; p && *p;) {
        size_t len = strcspn(p, "|");
        const char *colon = memchr(p, ':', len);
        char id[16], desc[64];
        if (!colon)
            break;
        snprintf(id, sizeof id, "%.*s", (int)(colon - p), p);
        snprintf(desc, sizeof desc, "%.*s", (int)(len - (size_t)(colon - p) - 1), colon + 1);
        json_object *v = json_object_new_object();
        if (v) {
            json_object_object_add(v, "Id", json_object_new_string(id));
            json_object_object_add(v, "Description", json_object_new_string(desc));
            json_object_object_add(v, "Reference", json_object_new_string(""));
            json_object_object_add(v, "ArchiveDate", NULL);
            json_object_object_add(v, "ParentId", NULL);
            json_object_array_add(arr, v);
        }
        p += len;
        if (*p == '|')
            p++;
    }
    json_object_object_add(o, "Values", arr);
    hs_sb_reply_json(resp, 200, o);
}

static void questions(uint32_t c, hs_sb_resp *resp)
{
    json_object *arr = json_object_new_array();
    static const char *const titles[] = { "Do you hold a full UK driving licence?",
                                          "Date available to start", "Preferred shift pattern" };
    static const char *const types[] = { "Boolean", "Date", "Dropdown" };
    for (int i = 0; arr && i < 3; i++) {
        json_object *q = json_object_new_object();
        if (!q)
            break;
        json_object_object_add(q, "QuestionId", json_object_new_int(301 + i));
        json_object_object_add(q, "Title", json_object_new_string(titles[i]));
        json_object_object_add(q, "AnswerType", json_object_new_string(types[i]));
        json_object *answer;
        if (i == 0) {
            answer = json_object_new_boolean(c % 2);
        } else if (i == 1) {
            answer = hs_sb_date_json(hs_sb_w.cfg.data_end_ms + (int64_t)(c % 30) * 86400000);
        } else {
            answer = json_object_new_object();
            if (answer)
                json_object_object_add(answer, "Description",
                                       json_object_new_string(c % 3 ? "Days" : "Nights"));
        }
        json_object_object_add(q, "Answer", answer);
        json_object_array_add(arr, q);
    }
    hs_sb_reply_json(resp, 200, arr);
}

static void references(uint32_t c, hs_sb_resp *resp)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    json_object *r = json_object_new_object(), *type = json_object_new_object();
    if (!o || !arr || !r || !type) {
        json_object_put(o);
        json_object_put(arr);
        json_object_put(r);
        json_object_put(type);
        error(resp, 500, "out of memory");
        return;
    }
    int64_t when = hs_sb_w.app[c].modified_ms;
    json_object_object_add(type, "Description", json_object_new_string("Employment"));
    json_object_object_add(r, "CandidateReferenceId", json_object_new_int64(700001 + (int64_t)c));
    json_object_object_add(r, "CandidateReferenceType", type);
    json_object_object_add(r, "Referee", json_object_new_string("Pat Manager"));
    json_object_object_add(r, "Company", json_object_new_string("Example Care Ltd"));
    json_object_object_add(r, "Relationship", json_object_new_string("Line manager"));
    json_object_object_add(r, "ReasonForLeaving", json_object_new_string("Relocation"));
    json_object_object_add(r, "CreationDate", hs_sb_date_json(when));
    json_object_object_add(r, "ModificationDate", hs_sb_date_json(when));
    json_object_array_add(arr, r);
    json_object_object_add(o, "References", arr);
    hs_sb_reply_json(resp, 200, o);
}

static const char *obj_id(json_object *body, const char *name, char *buf, size_t size)
{
    json_object *o, *id;
    if (!json_object_object_get_ex(body, name, &o) || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "Id", &id) || json_object_is_type(id, json_type_null))
        return NULL;
    snprintf(buf, size, "%s", json_object_get_string(id));
    return buf;
}

/* A referenced record must exist; 0 when absent, -1 (resp filled) when unknown. */
static int ref_id(json_object *body, const char *name, int64_t (*lookup)(int64_t), int64_t *out,
                  hs_sb_resp *resp)
{
    char buf[64];
    *out = 0;
    if (!obj_id(body, name, buf, sizeof buf))
        return 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end || end == buf || lookup(v) < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s.Id %s does not exist", name, buf);
        error(resp, 400, msg);
        return -1;
    }
    *out = v;
    return 0;
}

static void create_action(const hs_sb_req *r, hs_sb_resp *resp)
{
    static const char *const text_fields[] = { "Description", "Notes", "Comments" };
    json_object *body = json_tokener_parse(r->body);
    hs_sb_action a;
    memset(&a, 0, sizeof a);
    if (!body || !json_object_is_type(body, json_type_object)) {
        error(resp, 400, "The request body is not a valid action (JSON object expected)");
        goto out;
    }
    if (!obj_id(body, "ActionType", a.type_id, sizeof a.type_id)) {
        error(resp, 400, "ActionType.Id is required");
        goto out;
    }
    char why[200];
    if (hs_sb_eploy_outcome(body, a.outcome_id, sizeof a.outcome_id, why, sizeof why)) {
        error(resp, 400, why);
        goto out;
    }
    if (ref_id(body, "Application", hs_sb_app_index, &a.application, resp) ||
        ref_id(body, "Candidate", hs_sb_cand_index, &a.candidate, resp) ||
        ref_id(body, "Vacancy", hs_sb_vac_index, &a.vacancy, resp))
        goto out;
    if (!a.application && !a.candidate && !a.vacancy) {
        error(resp, 400, "An action needs an Application, Candidate or Vacancy");
        goto out;
    }
    json_object *v;
    if (json_object_object_get_ex(body, "StartDate", &v) && !json_object_is_type(v, json_type_null))
        snprintf(a.start_date, sizeof a.start_date, "%s", json_object_get_string(v));
    for (size_t i = 0; i < 3 && !a.text; i++)
        if (json_object_object_get_ex(body, text_fields[i], &v) &&
            json_object_is_type(v, json_type_string))
            a.text = strdup(json_object_get_string(v));
    if (hs_sb_w.n_act == hs_sb_w.cap_act) {
        size_t cap = hs_sb_w.cap_act ? hs_sb_w.cap_act * 2 : 16;
        hs_sb_action *n = realloc(hs_sb_w.act, cap * sizeof *n);
        if (!n) {
            free(a.text);
            error(resp, 500, "out of memory");
            goto out;
        }
        hs_sb_w.act = n;
        hs_sb_w.cap_act = cap;
    }
    a.created_ms = hs_sb_stamp_ms();
    hs_sb_w.act[hs_sb_w.n_act] = a;
    json_object *o = json_object_new_object();
    if (o)
        json_object_object_add(o, "ActionId", json_object_new_int64(HS_SB_ACT_BASE + (int64_t)hs_sb_w.n_act));
    hs_sb_w.n_act++;
    /* The tenant's workflow configuration reacts to the outcome (an admin outcome rule). */
    hs_sb_eploy_outcome_apply(a.application, a.outcome_id);
    hs_sb_reply_json(resp, 201, o);
out:
    json_object_put(body);
}

static void get_record(const char *kind, const char *rest, const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *tail = "";
    int64_t id = path_id(rest, &tail);
    int64_t idx = id < 0 ? -1
                : strcmp(kind, "candidates") == 0 ? hs_sb_cand_index(id)
                : strcmp(kind, "applications") == 0 ? hs_sb_app_index(id)
                                                     : hs_sb_vac_index(id);
    const char *scope = strcmp(kind, "candidates") == 0 ? "candidates.read"
                      : strcmp(kind, "applications") == 0 ? "applications.read"
                                                          : "vacancies.read";
    if (id < 0) {
        error(resp, 404, NOT_FOUND);
        return;
    }
    if (strcmp(r->method, "GET") != 0) {
        not_allowed(resp, r->method);
        return;
    }
    if (hs_sb_eploy_authorize(r, resp, scope))
        return;
    if (idx < 0) {
        error(resp, 404, NOT_FOUND);
        return;
    }
    if (strcmp(kind, "candidates") == 0 && strcmp(tail, "questions") == 0) {
        questions((uint32_t)idx, resp);
    } else if (strcmp(kind, "candidates") == 0 && strcmp(tail, "references") == 0) {
        references((uint32_t)idx, resp);
    } else if (*tail) {
        error(resp, 404, NOT_FOUND);
    } else if (strcmp(kind, "candidates") == 0) {
        hs_sb_reply_json(resp, 200, hs_sb_eploy_candidate_json((uint32_t)idx, NULL));
    } else if (strcmp(kind, "applications") == 0) {
        hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json((uint32_t)idx, NULL));
    } else {
        hs_sb_reply_json(resp, 200, hs_sb_eploy_vacancy_json((uint32_t)idx, NULL));
    }
}

void hs_sb_eploy_handle(const hs_sb_req *r, hs_sb_resp *resp)
{
    static const char *const records[] = { "candidates/", "applications/", "vacancies/" };
    const char *p = r->path;
    int post = strcmp(r->method, "POST") == 0;
    if (hs_sb_eploy_quota(resp))
        return;
    if (strncmp(p, "/api/", 5) != 0) {
        error(resp, 404, NOT_FOUND);
        return;
    }
    p += 5;
    size_t len = strlen(p);
    if (len > 1 && p[len - 1] == '/')
        len--;
    if (len == 5 && strncmp(p, "token", 5) == 0) {
        if (!post)
            not_allowed(resp, r->method);
        else
            hs_sb_eploy_token(r, resp);
        return;
    }
    if (len > 7 && strncmp(p + len - 7, "/search", 7) == 0) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len - 7), p);
        if (!post)
            not_allowed(resp, r->method);
        else
            hs_sb_eploy_search(name, r, resp);
        return;
    }
    if (len == 7 && strncmp(p, "actions", 7) == 0) {
        if (!post)
            not_allowed(resp, r->method);
        else if (!hs_sb_eploy_authorize(r, resp, "actions.insert"))
            create_action(r, resp);
        return;
    }
    if (strncmp(p, "options/dropdown/", 17) == 0) {
        const char *rest = "";
        int64_t list = path_id(p + 17, &rest);
        if (list < 0 || *rest)
            error(resp, 404, NOT_FOUND);
        else if (strcmp(r->method, "GET") != 0)
            not_allowed(resp, r->method);
        else if (!hs_sb_eploy_authorize(r, resp, NULL))
            dropdown(list, resp);
        return;
    }
    if (strncmp(p, "applications/", 13) == 0) {
        const char *tail = "";
        int64_t id = path_id(p + 13, &tail);
        if (id >= 0 && hs_sb_eploy_application_write(r, resp, id, tail))
            return;
    }
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(records[i]);
        if (strncmp(p, records[i], n) == 0) {
            char kind[16];
            snprintf(kind, sizeof kind, "%.*s", (int)(n - 1), records[i]);
            get_record(kind, p + n, r, resp);
            return;
        }
    }
    error(resp, 404, NOT_FOUND);
}
