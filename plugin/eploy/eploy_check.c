/*
 * check: a token, then one small read per permission the operations need, each reported by
 * the name Eploy's API Permissions screen shows. Nothing is written: Actions: Insert,
 * Applications: Update and Export: Insert are judged from the scopes the token was granted.
 */
#include <stdio.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"

typedef struct probe {
    const char *permission;
    const char *scope;
    const char *resource;
    const char *block;
    const char *used_for;
} probe;

static const probe probes[] = {
    {HS_EPLOY_PERM_VACANCIES, "vacancies.read", "vacancies", "VacancyId", "listing jobs"},
    {HS_EPLOY_PERM_APPLICATIONS, "applications.read", "applications", "ApplicationId",
     "reading stage changes"},
    {HS_EPLOY_PERM_CANDIDATES, "candidates.read", "candidates", "CandidateId",
     "names, emails and phones of candidates"},
    {HS_EPLOY_PERM_WORKFLOWS, "workflows.read", "workflows", "WorkflowID",
     "the stages of each job"},
    {HS_EPLOY_PERM_ACTIONS_VIEW, "actions.read", "actions", "ActionId",
     "finding notes already written"},
};

static hs_status noop_page(void *ctx, json_object *records, int page, hs_error *err)
{
    (void)ctx;
    (void)records;
    (void)page;
    (void)err;
    return HS_OK;
}

static hs_status item(const hs_check_report *rep, const char *name, hs_check_result res,
                      const char *msg, hs_error *err)
{
    hs_status st = rep->item(rep->ctx, name, res, msg);

    if (st != HS_OK)
        return hs_error_set(err, st, 0, "eploy: the host stopped the check (%s)",
                            hs_status_name(st));
    return HS_OK;
}

/* A failure that stops the check itself rather than one item. */
static int fatal(hs_status st)
{
    return st == HS_RETRY || st == HS_E_CANCELLED;
}

static hs_status run_probe(hs_conn *conn, const hs_check_report *rep, const probe *p,
                           hs_error *err)
{
    const char *blocks[] = {p->block, NULL};
    hs_eploy_search s = {p->resource, NULL, 0, blocks, p->permission, 1, 1};
    hs_error_local le;
    hs_error *e = hs_error_local_init(&le);
    char msg[HS_ERROR_LOCAL_SIZE + 128];
    hs_status st = hs_eploy_search_pages(conn, &s, noop_page, NULL, e);

    if (st == HS_OK)
        return item(rep, p->permission, HS_CHECK_OK, "granted", err);
    if (fatal(st))
        return hs_error_pass(err, e, st);
    if (st == HS_E_PERMISSION)
        (void)snprintf(msg, sizeof msg, "missing (scope %s), needed for %s: add \"%s\" to the "
                       "API key (%s)", p->scope, p->used_for, p->permission, HS_EPLOY_WHERE);
    else
        (void)snprintf(msg, sizeof msg, "could not be verified: %s", e->message);
    return item(rep, p->permission, HS_CHECK_FAIL, msg, err);
}

/* The status history's item: OK, or a WARN naming the endpoint, the status and what the
 * fallback costs (eploy_history.c). An answer clears a refusal the reads remembered, so that
 * the next cycle reads the history again without waiting for its daily probe. */
static hs_status check_history(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    static const char *const blocks[] = {"StatusHistoryId", NULL};
    static const char *const name = "Applications: View (status history)";
    hs_eploy_search s = {"applications/statushistory", NULL, 0, blocks,
                         HS_EPLOY_PERM_APPLICATIONS, 1, 1};
    hs_error_local le;
    hs_error *e = hs_error_local_init(&le);
    char msg[HS_ERROR_LOCAL_SIZE + 128];
    hs_status st;
    long refused;

    if (!conn->cfg.status_history)
        return item(rep, name, HS_CHECK_WARN,
                    "status_history is false: stage changes are read from modified "
                    "applications, so a candidate moved through a stage between two cycles is "
                    "missed", err);
    st = hs_eploy_search_pages(conn, &s, noop_page, NULL, e);
    if (st == HS_OK) {
        hs_eploy_history_answered(conn);
        return item(rep, name, HS_CHECK_OK, "granted: every stage change is read", err);
    }
    if ((refused = hs_eploy_history_refusal(st, e)) != 0) {
        hs_eploy_history_describe(refused, msg, sizeof msg);
        return item(rep, name, HS_CHECK_WARN, msg, err);
    }
    if (fatal(st))
        return hs_error_pass(err, e, st);
    (void)snprintf(msg, sizeof msg, "could not be verified: %s", e->message);
    return item(rep, name, HS_CHECK_WARN, msg, err);
}

static int scope_granted(const char *scopes, const char *want)
{
    size_t n = strlen(want);

    for (const char *p = scopes; p != NULL && *p != '\0';) {
        while (*p == ',' || *p == ' ')
            p++;
        if (strncmp(p, want, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        p += strcspn(p, ", ");
    }
    return 0;
}

static hs_status check_insert(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    char msg[512];

    if (conn->token_scope == NULL)
        return item(rep, HS_EPLOY_PERM_ACTIONS_INSERT, HS_CHECK_WARN,
                    "cannot be verified without writing (the token lists no scopes); notes "
                    "fail if it is missing", err);
    if (scope_granted(conn->token_scope, "actions.insert"))
        return item(rep, HS_EPLOY_PERM_ACTIONS_INSERT, HS_CHECK_OK, "granted", err);
    (void)snprintf(msg, sizeof msg, "missing (scope actions.insert), needed for writing notes "
                   "(interview links) to applications: add \"%s\" to the API key (%s)",
                   HS_EPLOY_PERM_ACTIONS_INSERT, HS_EPLOY_WHERE);
    return item(rep, HS_EPLOY_PERM_ACTIONS_INSERT, HS_CHECK_FAIL, msg, err);
}

/* Applications: Update is needed only by moves (on_completed/on_expired): a WARN when missing,
 * since the rest works without it. */
static hs_status check_update(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    char msg[512];

    if (conn->token_scope == NULL)
        return item(rep, HS_EPLOY_PERM_APPLICATIONS_UPDATE, HS_CHECK_WARN,
                    "cannot be verified without writing (the token lists no scopes); needed "
                    "only for on_completed/on_expired moves", err);
    if (scope_granted(conn->token_scope, "applications.update"))
        return item(rep, HS_EPLOY_PERM_APPLICATIONS_UPDATE, HS_CHECK_OK, "granted", err);
    (void)snprintf(msg, sizeof msg, "missing (scope applications.update), needed only for "
                   "on_completed/on_expired moves: add \"%s\" to the API key (%s)",
                   HS_EPLOY_PERM_APPLICATIONS_UPDATE, HS_EPLOY_WHERE);
    return item(rep, HS_EPLOY_PERM_APPLICATIONS_UPDATE, HS_CHECK_WARN, msg, err);
}

/* Export: Insert matters only when export_package is set; then a missing one FAILs. */
static hs_status check_export(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    char msg[512];

    if (conn->cfg.export_package == NULL)
        return HS_OK;
    if (conn->token_scope == NULL)
        return item(rep, HS_EPLOY_PERM_EXPORT_INSERT, HS_CHECK_WARN,
                    "cannot be verified without writing (the token lists no scopes); "
                    "export_package marks fail if it is missing", err);
    if (scope_granted(conn->token_scope, "export.insert"))
        return item(rep, HS_EPLOY_PERM_EXPORT_INSERT, HS_CHECK_OK, "granted", err);
    (void)snprintf(msg, sizeof msg, "missing (scope export.insert), needed because "
                   "export_package is set: add \"%s\" to the API key (%s), or remove "
                   "export_package", HS_EPLOY_PERM_EXPORT_INSERT, HS_EPLOY_WHERE);
    return item(rep, HS_EPLOY_PERM_EXPORT_INSERT, HS_CHECK_FAIL, msg, err);
}

static hs_status job_page(void *ctx, json_object *records, int page, hs_error *err)
{
    int *found = ctx;

    (void)page;
    (void)err;
    *found = json_object_array_length(records) > 0;
    return HS_OK;
}

static hs_status check_jobs(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    static const char *const blocks[] = {"VacancyId", "Title", NULL};

    if (!HS_HAS_FIELD(hs_check_report, rep->struct_size, n_job_ids))
        return HS_OK;
    for (size_t i = 0; rep->job_ids != NULL && i < rep->n_job_ids; i++) {
        hs_eploy_filter f = {"Vacancy.VacancyId", "Equals", rep->job_ids[i]};
        hs_eploy_search s = {"vacancies", &f, 1, blocks, HS_EPLOY_PERM_VACANCIES, 1, 1};
        hs_error_local le;
        hs_error *e = hs_error_local_init(&le);
        int found = 0;
        char name[96], msg[HS_ERROR_LOCAL_SIZE + 64];
        hs_status st;

        if (rep->job_ids[i] == NULL)
            continue;
        st = hs_eploy_search_pages(conn, &s, job_page, &found, e);
        if (fatal(st))
            return hs_error_pass(err, e, st);
        (void)snprintf(name, sizeof name, "Vacancy %s", rep->job_ids[i]);
        if (st == HS_OK && found)
            st = item(rep, name, HS_CHECK_OK, "visible to the API key", err);
        else if (st == HS_OK)
            st = item(rep, name, HS_CHECK_FAIL, "not found: check the job id in the pipeline's "
                      "mapping (hiresync jobs lists the ids)", err);
        else {
            (void)snprintf(msg, sizeof msg, "could not be read: %s", e->message);
            st = item(rep, name, HS_CHECK_FAIL, msg, err);
        }
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status check_statuses(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    hs_error_local le;
    hs_error *e = hs_error_local_init(&le);
    char msg[HS_ERROR_LOCAL_SIZE + 64];
    hs_status st = hs_eploy_open_status_ids(conn, &ids, &n, e);

    if (fatal(st))
        return hs_error_pass(err, e, st);
    hs_eploy_strv_free(ids, n);
    if (st == HS_OK) {
        (void)snprintf(msg, sizeof msg, "%zu of %zu configured open statuses found", n,
                       conn->cfg.n_open_statuses);
        return item(rep, "Open vacancy statuses", n == conn->cfg.n_open_statuses ? HS_CHECK_OK
                                                                                 : HS_CHECK_WARN,
                    msg, err);
    }
    (void)snprintf(msg, sizeof msg, "%s", e->message);
    return item(rep, "Open vacancy statuses", HS_CHECK_FAIL, msg, err);
}

static hs_status check_quota(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    char day[11], msg[256];
    int64_t used = hs_eploy_quota_today(conn, day);
    int64_t budget = conn->cfg.daily_call_budget;
    hs_check_result res = HS_CHECK_OK;

    if (budget > 0) {
        (void)snprintf(msg, sizeof msg, "%lld of %lld calls used on %s (UTC), this check "
                       "included", (long long)used, (long long)budget, day);
        if (used * 10 >= budget * 8)
            res = HS_CHECK_WARN;
    } else {
        /* Counting without a budget is the default, not a fault; the message says so. */
        (void)snprintf(msg, sizeof msg, "%lld calls on %s (UTC); no daily_call_budget is set, "
                       "so hiresync may use the whole of Eploy's daily API package",
                       (long long)used, day);
    }
    return item(rep, "Daily API calls", res, msg, err);
}

hs_status hs_eploy_check(hs_conn *conn, const hs_check_report *rep, hs_error *err)
{
    hs_error_local le;
    hs_error *e = hs_error_local_init(&le);
    hs_status st;

    if (rep == NULL || rep->item == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: check without a report");
    st = hs_eploy_token(conn, 1, e);
    if (st == HS_E_CONFIG) {
        /* Bad subdomain, credentials or IP: the one item that matters, then stop. */
        return item(rep, "Credentials", HS_CHECK_FAIL, e->message, err);
    }
    if (st != HS_OK)
        return hs_error_pass(err, e, st);
    if ((st = item(rep, "Credentials", HS_CHECK_OK, "a token was issued", err)) != HS_OK)
        return st;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        if ((st = run_probe(conn, rep, &probes[i], err)) != HS_OK)
            return st;
        if (i == 1 && (st = check_history(conn, rep, err)) != HS_OK)
            return st;
    }
    if ((st = check_insert(conn, rep, err)) != HS_OK ||
        (st = check_update(conn, rep, err)) != HS_OK || (st = check_export(conn, rep, err)) != HS_OK)
        return st;
    if (conn->cfg.note_action_type == NULL &&
        (st = item(rep, "Note action type", HS_CHECK_WARN,
                   "note_action_type is not set: notes (interview links) cannot be written", err)) != HS_OK)
        return st;
    if ((st = check_statuses(conn, rep, err)) != HS_OK || (st = check_jobs(conn, rep, err)) != HS_OK)
        return st;
    return check_quota(conn, rep, err);
}
