/* Eploy's workflow writes: action outcomes (dropdown 95), the tenant's outcome rules that move
 * an application when an action with that outcome is written, the direct move
 * (PATCH /api/applications/{id}) and export packages (POST /api/applications/{id}/exports).
 * The outcome list, the PATCH and the exports endpoint are choices: Eploy's own are not
 * confirmed (see README.md). */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Dropdown 95, "Action Outcomes": ids 9501.. in this order. */
static const char *const outcomes[] = { "Invited", "Started", "Completed", "Expired", "Declined",
                                        "Not invited" };
#define N_OUTCOMES (int)(sizeof outcomes / sizeof outcomes[0])
#define OUTCOME_BASE 9501

/* Dropdown 86, "Export Packages" (the values sandbox_eploy.c lists). */
#define EXPORT_PACKAGES 3

const char *hs_sb_outcome_values(void)
{
    return "9501:Invited|9502:Started|9503:Completed|9504:Expired|9505:Declined|9506:Not invited";
}

const char *hs_sb_outcome_name(const char *id)
{
    char *end;
    long v = strtol(id, &end, 10);
    if (end == id || *end || v < OUTCOME_BASE || v >= OUTCOME_BASE + N_OUTCOMES)
        return NULL;
    return outcomes[v - OUTCOME_BASE];
}

/* The outcome's id for a name (case-insensitive) or an id; NULL when unknown. */
static const char *outcome_id(const char *want, char *buf, size_t size)
{
    for (int i = 0; i < N_OUTCOMES; i++) {
        snprintf(buf, size, "%d", OUTCOME_BASE + i);
        if (strcasecmp(want, outcomes[i]) == 0 || strcmp(want, buf) == 0)
            return buf;
    }
    return NULL;
}

static const char *member(json_object *o, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

int hs_sb_eploy_outcome(json_object *body, char *id, size_t size, char *err, size_t esz)
{
    json_object *o;
    id[0] = '\0';
    if (!json_object_object_get_ex(body, "ActionOutcome", &o) ||
        json_object_is_type(o, json_type_null))
        return 0;
    const char *by_id = json_object_is_type(o, json_type_object) ? member(o, "Id") : NULL;
    const char *by_name = json_object_is_type(o, json_type_object) ? member(o, "Description")
                                                                   : NULL;
    const char *want = by_id ? by_id : by_name;
    if (!want) {
        snprintf(err, esz, "ActionOutcome needs an Id or a Description (Action Outcomes, "
                 "dropdown 95)");
        return -1;
    }
    char buf[24];
    const char *found = outcome_id(want, buf, sizeof buf);
    /* An Id must be an id; a Description may only be a name. */
    if (!found || (by_id && strcmp(found, want) != 0) || (!by_id && strcmp(found, want) == 0)) {
        snprintf(err, esz, "ActionOutcome %s \"%.64s\" is not an Action Outcome (dropdown 95)",
                 by_id ? "Id" : "Description", want);
        return -1;
    }
    snprintf(id, size, "%s", found);
    return 0;
}

/* ---- outcome rules ---- */

void hs_sb_eploy_outcome_apply(int64_t application, const char *outcome)
{
    int64_t a = application ? hs_sb_app_index(application) : -1;
    if (a < 0 || !outcome[0])
        return;
    for (size_t i = 0; i < hs_sb_w.n_rules; i++) {
        const hs_sb_outcome_rule *r = &hs_sb_w.rules[i];
        char err[200];
        if (strcmp(r->outcome, outcome) != 0)
            continue;
        /* A rule whose stage this vacancy's workflow lacks does nothing, as a tenant rule
         * written for another workflow would. */
        if (hs_sb_app_move((uint32_t)a, r->stage, r->status[0] ? r->status : NULL, err,
                           sizeof err))
            hs_sb_log("outcome rule %s: application %lld not moved: %s", r->outcome,
                      (long long)application, err);
        return;
    }
}

static json_object *rules_json(void)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < hs_sb_w.n_rules; i++) {
        const hs_sb_outcome_rule *r = &hs_sb_w.rules[i];
        json_object *o = json_object_new_object();
        if (!o)
            break;
        json_object_object_add(o, "outcome", json_object_new_string(hs_sb_outcome_name(r->outcome)));
        json_object_object_add(o, "outcome_id", json_object_new_string(r->outcome));
        json_object_object_add(o, "stage", json_object_new_string(r->stage));
        json_object_object_add(o, "status", r->status[0] ? json_object_new_string(r->status) : NULL);
        json_object_array_add(arr, o);
    }
    return arr;
}

static int rule_parse(json_object *in, hs_sb_outcome_rule *r, char *err, size_t esz)
{
    const char *outcome = json_object_is_type(in, json_type_object) ? member(in, "outcome") : NULL;
    const char *stage = outcome ? member(in, "stage") : NULL;
    const char *status = stage ? member(in, "status") : NULL;
    char buf[24];
    memset(r, 0, sizeof *r);
    if (!outcome || !stage || !*stage) {
        snprintf(err, esz, "each rule is {\"outcome\":\"Completed\",\"stage\":\"Interview\","
                 "\"status\":null}");
        return -1;
    }
    if (!outcome_id(outcome, buf, sizeof buf)) {
        snprintf(err, esz, "\"%.64s\" is not an Action Outcome (dropdown 95)", outcome);
        return -1;
    }
    snprintf(r->outcome, sizeof r->outcome, "%s", buf);
    snprintf(r->stage, sizeof r->stage, "%s", stage);
    snprintf(r->status, sizeof r->status, "%s", status ? status : "");
    return 0;
}

static void rules_set(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *in = json_tokener_parse(r->body);
    size_t n = in && json_object_is_type(in, json_type_array) ? json_object_array_length(in) : 1;
    hs_sb_outcome_rule *rules = calloc(n ? n : 1, sizeof *rules);
    char err[200];
    if (!rules) {
        hs_sb_reply_error(resp, 500, "error", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_is_type(in, json_type_array)
                                ? json_object_array_get_idx(in, i) : in;
        if (rule_parse(item, &rules[i], err, sizeof err)) {
            hs_sb_reply_error(resp, 400, "error", err);
            goto out;
        }
    }
    free(hs_sb_w.rules);
    hs_sb_w.rules = rules;
    hs_sb_w.n_rules = n;
    rules = NULL;
    hs_sb_reply_json(resp, 200, rules_json());
out:
    free(rules);
    json_object_put(in);
}

/* ---- PATCH /api/applications/{id} and POST /api/applications/{id}/exports ---- */

static const char *nested_id(json_object *o, const char *a, const char *b)
{
    json_object *x;
    if (!json_object_object_get_ex(o, a, &x) || !json_object_is_type(x, json_type_object))
        return NULL;
    if (b && (!json_object_object_get_ex(x, b, &x) || !json_object_is_type(x, json_type_object)))
        return NULL;
    return member(x, "Id");
}

static int digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void patch_application(uint32_t a, json_object *in, hs_sb_resp *resp)
{
    json_object *wf;
    const char *stage = nested_id(in, "Workflow", "Stage");
    const char *status = nested_id(in, "Workflow", "Status");
    char err[200];
    if (!json_object_object_get_ex(in, "Workflow", &wf)) {
        /* Only the workflow position can be changed here. */
        hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json(a, NULL));
        return;
    }
    if (!digits(stage) || (status && !digits(status))) {
        hs_sb_reply_error(resp, 400, "error_message",
                          "Workflow.Stage.Id (and Workflow.Status.Id when given) must be ids");
        return;
    }
    if (hs_sb_app_move(a, stage, status, err, sizeof err)) {
        hs_sb_reply_error(resp, 400, "error_message", err);
        return;
    }
    hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json(a, NULL));
}

static void export_application(uint32_t a, json_object *in, hs_sb_resp *resp)
{
    const char *pkg = nested_id(in, "ExportPackage", NULL);
    long v = pkg != NULL && digits(pkg) ? strtol(pkg, NULL, 10) : 0;
    int64_t app_id = HS_SB_APP_BASE + (int64_t)a;
    if (v < 1 || v > EXPORT_PACKAGES) {
        char msg[160];
        snprintf(msg, sizeof msg, "ExportPackage.Id %.32s is not an Export Package (dropdown 86)",
                 pkg ? pkg : "(missing)");
        hs_sb_reply_error(resp, 400, "error_message", msg);
        return;
    }
    for (size_t i = 0; i < hs_sb_w.n_exports; i++)
        if (hs_sb_w.exports[i].application == app_id && hs_sb_w.exports[i].package == v) {
            hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json(a, NULL));
            return;
        }
    if (hs_sb_w.n_exports == hs_sb_w.cap_exports) {
        size_t cap = hs_sb_w.cap_exports ? hs_sb_w.cap_exports * 2 : 16;
        hs_sb_export *n = realloc(hs_sb_w.exports, cap * sizeof *n);
        if (!n) {
            hs_sb_reply_error(resp, 500, "error_message", "out of memory");
            return;
        }
        hs_sb_w.exports = n;
        hs_sb_w.cap_exports = cap;
    }
    hs_sb_w.exports[hs_sb_w.n_exports].application = app_id;
    hs_sb_w.exports[hs_sb_w.n_exports].package = v;
    hs_sb_w.exports[hs_sb_w.n_exports].date_ms = hs_sb_stamp_ms();
    hs_sb_w.n_exports++;
    hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json(a, NULL));
}

int hs_sb_eploy_application_write(const hs_sb_req *r, hs_sb_resp *resp, int64_t id,
                                  const char *tail)
{
    int patch = strcmp(r->method, "PATCH") == 0 && !*tail;
    int export = strcmp(tail, "exports") == 0;
    if (!patch && !export)
        return 0;
    if (export && strcmp(r->method, "POST") != 0) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "The requested resource does not support http method '%s'.", r->method);
        hs_sb_reply_error(resp, 405, "error_message", msg);
        return 1;
    }
    if (hs_sb_eploy_authorize(r, resp, patch ? "applications.update" : "export.insert"))
        return 1;
    int64_t a = hs_sb_app_index(id);
    json_object *in = json_tokener_parse(r->body);
    if (a < 0)
        hs_sb_reply_error(resp, 404, "error_message",
                          "No record could be found for the requested URI");
    else if (!in || !json_object_is_type(in, json_type_object))
        hs_sb_reply_error(resp, 400, "error_message", "The request body is not a JSON object");
    else if (patch)
        patch_application((uint32_t)a, in, resp);
    else
        export_application((uint32_t)a, in, resp);
    json_object_put(in);
    return 1;
}

/* ---- admin ---- */

static json_object *exports_json(void)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < hs_sb_w.n_exports; i++) {
        json_object *o = json_object_new_object();
        char id[24];
        if (!o)
            break;
        snprintf(id, sizeof id, "%ld", hs_sb_w.exports[i].package);
        json_object_object_add(o, "ApplicationId",
                               json_object_new_int64(hs_sb_w.exports[i].application));
        json_object_object_add(o, "ExportPackageId", json_object_new_string(id));
        json_object_object_add(o, "Date", hs_sb_date_json(hs_sb_w.exports[i].date_ms));
        json_object_array_add(arr, o);
    }
    return arr;
}

int hs_sb_eploy_admin_workflow(const hs_sb_req *r, hs_sb_resp *resp, const char *p)
{
    if (strcmp(p, "exports") == 0 && strcmp(r->method, "GET") == 0) {
        hs_sb_reply_json(resp, 200, exports_json());
        return 1;
    }
    if (strcmp(p, "outcome-rules") != 0)
        return 0;
    if (strcmp(r->method, "GET") == 0) {
        hs_sb_reply_json(resp, 200, rules_json());
    } else if (strcmp(r->method, "POST") == 0) {
        rules_set(r, resp);
    } else if (strcmp(r->method, "DELETE") == 0) {
        free(hs_sb_w.rules);
        hs_sb_w.rules = NULL;
        hs_sb_w.n_rules = 0;
        hs_sb_reply_json(resp, 200, rules_json());
    } else {
        hs_sb_reply_error(resp, 405, "error", "use GET, POST or DELETE on /eploy/outcome-rules");
    }
    return 1;
}

void hs_sb_eploy_workflow_free(void)
{
    free(hs_sb_w.rules);
    free(hs_sb_w.exports);
    hs_sb_w.rules = NULL;
    hs_sb_w.exports = NULL;
    hs_sb_w.n_rules = hs_sb_w.n_exports = hs_sb_w.cap_exports = 0;
}
