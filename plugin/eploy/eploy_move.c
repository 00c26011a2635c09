/*
 * move_record: moves an application to another workflow stage/status, but only from where
 * hiresync expects it (hs_move.from), so that a candidate a recruiter has moved on is never
 * moved back. One read of the application, then at most one update:
 *   at the target already        -> applied 0, nothing sent;
 *   in one of the from positions -> PATCH applications/{id}, applied 1 (sent once: after a
 *                                   5xx the position is read again first);
 *   anywhere else                -> HS_E_CONFLICT naming where it is, nothing sent.
 * Eploy's endpoint for a direct status update is not confirmed by its public documentation:
 * PATCH applications/{id} {"Workflow":{"Stage":{"Id":n},"Status":{"Id":n}}} with scope
 * applications.update is a choice, the same as the sandbox's. A target given by name only is
 * resolved within the vacancy's workflow, which costs two reads more (the host passes ids).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"

typedef hs_eploy_position position;

static void copy(char *dst, size_t size, const char *src)
{
    (void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

hs_status hs_eploy_read_position(hs_conn *conn, const char *app_id, position *p, hs_error *err)
{
    char path[96];
    json_object *app = NULL;
    hs_status st;

    (void)snprintf(path, sizeof path, "applications/%s", app_id);
    st = hs_eploy_call(conn, "GET", path, NULL, HS_EPLOY_PERM_APPLICATIONS, &app, NULL, err);
    if (st != HS_OK)
        return st;
    copy(p->stage_id, sizeof p->stage_id, hs_json_str(app, "Workflow.Stage.Id"));
    copy(p->stage, sizeof p->stage, hs_json_str(app, "Workflow.Stage.Description"));
    copy(p->status_id, sizeof p->status_id, hs_json_str(app, "Workflow.Status.Id"));
    copy(p->status, sizeof p->status, hs_json_str(app, "Workflow.Status.Description"));
    copy(p->vacancy, sizeof p->vacancy, hs_json_str(app, "Vacancy.Id"));
    json_object_put(app);
    if (p->stage_id[0] == '\0' && p->stage[0] == '\0')
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: application %s has no workflow stage "
                            "(malformed response)", app_id);
    return HS_OK;
}

/* By id when the reference has one, else by name (case-insensitive, as Eploy shows it). */
static int matches(const char *want_id, const char *want_name, const char *id, const char *name)
{
    if (want_id != NULL && *want_id != '\0')
        return strcmp(want_id, id) == 0;
    return want_name != NULL && *want_name != '\0' && strcasecmp(want_name, name) == 0;
}

static int ref_matches(const hs_ref *r, const char *id, const char *name)
{
    return r != NULL && matches(r->id, r->name, id, name);
}

int hs_eploy_in_positions(const hs_stage *from, size_t n_from, size_t from_size,
                          const position *p)
{
    for (size_t i = 0; from != NULL && i < n_from; i++) {
        const hs_stage *s = HS_ELEMENT(hs_stage, from, from_size, i);
        size_t n = HS_HAS_FIELD(hs_stage, s->struct_size, status_size) ? s->n_statuses : 0;

        if (!matches(s->id, s->name, p->stage_id, p->stage))
            continue;
        if (n == 0)
            return 1;
        for (size_t k = 0; k < n; k++) {
            const hs_ref *r = HS_ELEMENT(hs_ref, s->statuses, s->status_size, k);
            if (ref_matches(r, p->status_id, p->status))
                return 1;
        }
    }
    return 0;
}

/* ---- a target given by name: the vacancy's workflow ---------------------------------------- */

typedef struct target {
    const hs_ref *stage, *status;      /* as asked */
    char stage_id[32], status_id[32];  /* resolved ("" status: the stage's first) */
    int found_stage, found_status;
} target;

static hs_status workflow_page(void *ctx, json_object *records, int page, hs_error *err)
{
    target *t = ctx;
    json_object *stages = hs_json_get(json_object_array_get_idx(records, 0), "Stages");
    size_t n = stages != NULL && json_object_is_type(stages, json_type_array)
                   ? json_object_array_length(stages) : 0;

    (void)page;
    (void)err;
    for (size_t i = 0; i < n && !t->found_stage; i++) {
        json_object *s = json_object_array_get_idx(stages, i), *sts;
        const char *id = hs_json_str(s, "Id"), *name = hs_json_str(s, "Description");
        size_t m;

        if (id == NULL || !ref_matches(t->stage, id, name != NULL ? name : ""))
            continue;
        t->found_stage = 1;
        copy(t->stage_id, sizeof t->stage_id, id);
        sts = hs_json_get(s, "Statuses");
        m = sts != NULL && json_object_is_type(sts, json_type_array)
                ? json_object_array_length(sts) : 0;
        for (size_t k = 0; t->status != NULL && k < m && !t->found_status; k++) {
            json_object *x = json_object_array_get_idx(sts, k);
            const char *xid = hs_json_str(x, "Id"), *xname = hs_json_str(x, "Description");
            if (xid != NULL && ref_matches(t->status, xid, xname != NULL ? xname : "")) {
                t->found_status = 1;
                copy(t->status_id, sizeof t->status_id, xid);
            }
        }
    }
    return HS_OK;
}

static const char *ref_label(const hs_ref *r)
{
    if (r == NULL)
        return "";
    return r->name != NULL && *r->name != '\0' ? r->name : r->id != NULL ? r->id : "";
}

static hs_status resolve_names(hs_conn *conn, const hs_move *move, const position *p,
                               target *t, hs_error *err)
{
    static const char *const blocks[] = {"WorkflowID", "Stages", NULL};
    char path[96], wf_id[32];
    json_object *vac = NULL;
    hs_eploy_filter f = {"Workflow.WorkflowID", "Equals", wf_id};
    hs_eploy_search s = {"workflows", &f, 1, blocks, HS_EPLOY_PERM_WORKFLOWS, 1, 1};
    hs_status st;

    (void)snprintf(path, sizeof path, "vacancies/%s", p->vacancy);
    st = hs_eploy_call(conn, "GET", path, NULL, HS_EPLOY_PERM_VACANCIES, &vac, NULL, err);
    if (st != HS_OK)
        return st;
    copy(wf_id, sizeof wf_id, hs_json_str(vac, "Workflow.Id"));
    json_object_put(vac);
    if (wf_id[0] == '\0')
        return hs_error_set(err, HS_E_DATA, 0, "eploy: vacancy %s names no workflow, so stage "
                            "\"%s\" cannot be resolved: give its id", p->vacancy,
                            ref_label(t->stage));
    if ((st = hs_eploy_search_pages(conn, &s, workflow_page, t, err)) != HS_OK)
        return st;
    if (!t->found_stage)
        return hs_error_set(err, HS_E_DATA, 0, "eploy: application %s: the workflow of vacancy "
                            "%s has no stage \"%s\"", move->record_id, p->vacancy,
                            ref_label(t->stage));
    if (t->status != NULL && !t->found_status)
        return hs_error_set(err, HS_E_DATA, 0, "eploy: application %s: stage \"%s\" has no "
                            "status \"%s\"", move->record_id, ref_label(t->stage),
                            ref_label(t->status));
    return HS_OK;
}

static hs_status resolve(hs_conn *conn, const hs_move *move, const position *p, target *t,
                         hs_error *err)
{
    int stage_id = t->stage->id != NULL && *t->stage->id != '\0';
    int status_id = t->status == NULL || (t->status->id != NULL && *t->status->id != '\0');

    if (stage_id)
        copy(t->stage_id, sizeof t->stage_id, t->stage->id);
    if (t->status != NULL && status_id)
        copy(t->status_id, sizeof t->status_id, t->status->id);
    if (stage_id && status_id)
        return HS_OK;
    return resolve_names(conn, move, p, t, err);
}

/* ---- the update ----------------------------------------------------------------------------- */

static hs_status patch(hs_conn *conn, const hs_move *move, const target *t, hs_error *err)
{
    char path[96];
    json_object *body = json_object_new_object(), *wf = json_object_new_object();
    hs_status st;
    int bad = body == NULL || wf == NULL;

    if (!bad) {
        bad |= json_object_object_add(wf, "Stage", hs_eploy_ref(t->stage_id));
        if (t->status_id[0] != '\0')
            bad |= json_object_object_add(wf, "Status", hs_eploy_ref(t->status_id));
        bad |= json_object_object_add(body, "Workflow", wf);
        wf = NULL;
    }
    if (bad) {
        json_object_put(wf);
        json_object_put(body);
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    }
    (void)snprintf(path, sizeof path, "applications/%s", move->record_id);
    st = hs_eploy_call(conn, "PATCH", path, body, HS_EPLOY_PERM_APPLICATIONS_UPDATE, NULL, NULL,
                       err);
    json_object_put(body);
    if (st == HS_E_PERMISSION)
        return hs_error_set(err, HS_E_PERMISSION, 403,
                            "eploy: moving application %s needs the API permission \"%s\" "
                            "(scope applications.update), used only by on_completed/on_expired "
                            "moves: add it to the API key (%s)", move->record_id,
                            HS_EPLOY_PERM_APPLICATIONS_UPDATE, HS_EPLOY_WHERE);
    return st;
}

static hs_status check_request(const hs_move *move, const hs_write_result *result,
                               hs_error *err)
{
    if (move == NULL || !hs_result_usable(result) ||
        !HS_HAS_FIELD(hs_move, move->struct_size, from_size))
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: move_record without a move or result");
    if (move->record_id == NULL || *move->record_id == '\0' ||
        strspn(move->record_id, "0123456789") != strlen(move->record_id))
        return hs_error_set(err, HS_E_DATA, 0, "eploy: a move needs an application id "
                            "(record_id, digits)");
    if (move->to_stage == NULL || *ref_label(move->to_stage) == '\0')
        return hs_error_set(err, HS_E_DATA, 0, "eploy: a move of application %s names no "
                            "target stage", move->record_id);
    return HS_OK;
}

static int at_target(const hs_move *move, const position *p)
{
    return ref_matches(move->to_stage, p->stage_id, p->stage) &&
           (move->to_status == NULL || ref_matches(move->to_status, p->status_id, p->status));
}

/* The update is sent once. A 5xx may come after Eploy moved the application, so its position
 * is read again, and the update sent again only while it is still where it may be moved from.
 * A timeout or a reset fails the move instead: the update may still be on its way, and the
 * next cycle reads the position first. */
static hs_status patch_checked(hs_conn *conn, const hs_move *move, const target *t,
                               hs_error *err)
{
    hs_status st = patch(conn, move, t, err);
    hs_error_local lerr;
    position now;

    if (st != HS_RETRY || err == NULL || err->http_status < 500)
        return st;
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: the move of application %s got HTTP %d; "
                   "reading its position before moving it again", move->record_id,
                   err->http_status);
    memset(&now, 0, sizeof now);
    if (hs_eploy_read_position(conn, move->record_id, &now, hs_error_local_init(&lerr)) !=
        HS_OK)
        return st;
    if (at_target(move, &now))
        return HS_OK;
    if (!hs_eploy_in_positions(move->from, move->n_from, move->from_size, &now))
        return st;
    return patch(conn, move, t, err);
}

hs_status hs_eploy_move_record(hs_conn *conn, const hs_move *move, hs_write_result *result,
                               hs_error *err)
{
    position p;
    target t;
    hs_status st;

    if ((st = check_request(move, result, err)) != HS_OK)
        return st;
    result->applied = 0;
    if ((st = hs_result_set_id(result, move->record_id, "eploy", err)) != HS_OK)
        return st;
    memset(&p, 0, sizeof p);
    if ((st = hs_eploy_read_position(conn, move->record_id, &p, err)) != HS_OK)
        return st;
    if (at_target(move, &p)) {
        conn->api->log(conn->host, HS_LOG_INFO, "eploy: application %s is already in \"%s\" / "
                       "\"%s\"", move->record_id, p.stage, p.status);
        return HS_OK;
    }
    if (!hs_eploy_in_positions(move->from, move->n_from, move->from_size, &p))
        return hs_error_set(err, HS_E_CONFLICT, 0, "eploy: application %s is in \"%s\" / \"%s\", "
                            "not in a stage it may be moved from; hiresync leaves it there",
                            move->record_id, p.stage, p.status);
    memset(&t, 0, sizeof t);
    t.stage = move->to_stage;
    t.status = move->to_status;
    if ((st = resolve(conn, move, &p, &t, err)) != HS_OK || (st = patch_checked(conn, move, &t, err)) !=
                                                                HS_OK)
        return st;
    result->applied = 1;
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: application %s moved from \"%s\" / \"%s\" to "
                   "\"%s\"%s%s", move->record_id, p.stage, p.status, ref_label(move->to_stage),
                   move->to_status != NULL ? " / " : "", ref_label(move->to_status));
    return HS_OK;
}
