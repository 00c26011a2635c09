/*
 * The Eploy connector's workflow writes against the sandbox, over loopback: notes with an
 * action outcome (by id, by name, unknown), the tenant's outcome rule moving the application,
 * move_record (moved, already there, moved elsewhere by a recruiter, names resolved in the
 * vacancy's workflow, a key without applications.update, what a move costs in requests) and
 * the export package mark of a final note (once; a refused mark never costs the note, a mark
 * that failed for a passing reason fails the write, and the next write marks it).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hs_test_config.h"
#include "hs_test_host.h"
#include "hs_test_sandbox.h"

#define CLIENT "wf-client"
#define SECRET "wf-secret-3b81d0"
#define SCOPES "vacancies.read,applications.read,candidates.read,workflows.read,actions.read," \
               "actions.insert"
/* Everything a note needs, but neither applications.update nor export.insert. */
#define KEY_NOUPDATE "noupdate-client:noupdate-secret-41:" SCOPES

typedef struct fx {
    hs_test_sandbox sb;
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_error err;
    char err_msg[HS_TEST_MESSAGE_SIZE];
} fx;

static fx F;

static json_object *admin(const char *method, const char *path, const char *body, long want)
{
    char *out = NULL;
    long status = 0;
    json_object *j;

    ck_assert_msg(hs_test_admin(&F.sb, method, path, body, &status, &out) == 0,
                  "admin %s %s: no answer", method, path);
    ck_assert_msg(status == want, "admin %s %s: %ld (want %ld): %s", method, path, status, want,
                  out != NULL ? out : "");
    j = out != NULL && *out ? json_tokener_parse(out) : NULL;
    free(out);
    return j;
}

/* Requests the sandbox counted for "METHOD route" (any status); route NULL: every Eploy
 * request but the token's. */
static long requests(const char *route)
{
    json_object *s = admin("GET", "/stats", NULL, 200), *routes;
    long n = 0;

    if (json_object_object_get_ex(s, "eploy", &routes) &&
        json_object_object_get_ex(routes, "routes", &routes)) {
        json_object_object_foreach(routes, name, codes) {
            if (route != NULL ? strcmp(name, route) != 0 : strcmp(name, "POST /api/token") == 0)
                continue;
            json_object_object_foreach(codes, code, v) {
                (void)code;
                n += json_object_get_int(v);
            }
        }
    }
    json_object_put(s);
    return n;
}

static hs_status open_with(const char *client, const char *secret, const char *extra_json)
{
    char cfg[2048];

    if (F.conn != NULL)
        F.c->close(F.conn);
    F.conn = NULL;
    snprintf(cfg, sizeof cfg,
             "{\"base_url\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\","
             "\"note_action_type\":\"7\"%s%s}", F.sb.eploy_url, client, secret,
             extra_json != NULL ? "," : "", extra_json != NULL ? extra_json : "");
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    return hs_test_module_open(F.m, F.h, cfg, &F.conn, &F.err);
}

static void fx_start(const char *extra_json)
{
    const char *args[] = {"--eploy-key", CLIENT ":" SECRET, "--eploy-key", KEY_NOUPDATE,
                          "--vacancies", "4", "--applications", "40", "--seed", "15", NULL};

    memset(&F, 0, sizeof F);
    ck_assert_msg(hs_test_sandbox_start(&F.sb, args) == 0, "the sandbox did not start");
    F.h = hs_test_host_new();
    ck_assert_ptr_nonnull(F.h);
    hs_test_host_use_real_clock(F.h, 1);
    F.m = hs_test_module_load("eploy");
    ck_assert_msg(F.m != NULL, "cannot load the eploy module");
    F.c = hs_test_module_connector(F.m);
    ck_assert(F.c->capabilities & HS_CAP_MOVE_RECORD);
    ck_assert_ptr_nonnull(F.c->move_record);
    ck_assert_msg(open_with(CLIENT, SECRET, extra_json) == HS_OK, "open: %s", F.err.message);
}

static void fx_stop(void)
{
    for (size_t i = 0; i < hs_test_host_log_count(F.h); i++) {
        const char *line = hs_test_host_log_line(F.h, i);
        ck_assert_msg(strstr(line, SECRET) == NULL && strstr(line, "Bearer") == NULL,
                      "secret in log: %s", line);
    }
    F.c->close(F.conn);
    hs_test_module_unload(F.m);
    hs_test_host_free(F.h);
    hs_test_sandbox_stop(&F.sb);
    memset(&F, 0, sizeof F);
}

/* An application whose vacancy uses workflow 1 (Video Interview 103, Interview 104 with
 * statuses 1008 Interview Booked and 1009 Interview Attended, Rejected 106), put in stage. */
static void app_in_workflow1(char *app, size_t size, const char *stage)
{
    json_object *list = admin("GET", "/eploy/applications?limit=40", NULL, 200);
    char path[96], body[96];

    app[0] = '\0';
    for (size_t i = 0; !app[0] && i < json_object_array_length(list); i++) {
        json_object *a = json_object_array_get_idx(list, i), *v;
        if (json_object_object_get_ex(a, "WorkflowId", &v) && json_object_get_int(v) == 1 &&
            json_object_object_get_ex(a, "ApplicationId", &v))
            snprintf(app, size, "%s", json_object_get_string(v));
    }
    json_object_put(list);
    ck_assert_msg(app[0] != '\0', "no application in workflow 1");
    snprintf(path, sizeof path, "/eploy/applications/%s/move", app);
    snprintf(body, sizeof body, "{\"stage\":\"%s\"}", stage);
    json_object_put(admin("POST", path, body, 200));
}

/* "Stage / Status" where the application is now. */
static void position(const char *app, char *out, size_t size)
{
    char path[96];
    json_object *a, *w;
    const char *stage = "", *status = "";

    snprintf(path, sizeof path, "/eploy/applications/%s", app);
    a = admin("GET", path, NULL, 200);
    if (json_object_object_get_ex(a, "Workflow", &w)) {
        json_object *s, *d;
        if (json_object_object_get_ex(w, "Stage", &s) && json_object_object_get_ex(s, "Description", &d))
            stage = json_object_get_string(d);
        if (json_object_object_get_ex(w, "Status", &s) && json_object_object_get_ex(s, "Description", &d))
            status = json_object_get_string(d);
    }
    snprintf(out, size, "%s / %s", stage, status);
    json_object_put(a);
}

static void assert_position(const char *app, const char *want)
{
    char got[256];
    position(app, got, sizeof got);
    ck_assert_str_eq(got, want);
}

static hs_status note(const char *app, const char *key, const char *outcome, int final,
                      hs_write_result *res)
{
    hs_note n;

    memset(&n, 0, sizeof n);
    n.struct_size = sizeof n;
    n.key = key;
    n.record_id = app;
    n.title = "Video interview";
    n.body = "progress";
    n.outcome = outcome;
    n.final = final;
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    hs_test_result_clear(res);
    return F.c->write_note(F.conn, &n, res, &F.err);
}

/* The outcome id (and name) of the action whose text carries key; "" when none. */
static void action_outcome(const char *key, char *id, size_t size, char *name, size_t nsize)
{
    json_object *acts = admin("GET", "/eploy/actions", NULL, 200);
    char marker[128];

    snprintf(marker, sizeof marker, "[hiresync:%s]", key);
    id[0] = name[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(acts); i++) {
        json_object *a = json_object_array_get_idx(acts, i), *v, *o;
        if (!json_object_object_get_ex(a, "Description", &v) ||
            strstr(json_object_get_string(v), marker) == NULL)
            continue;
        if (json_object_object_get_ex(a, "ActionOutcome", &o) &&
            json_object_object_get_ex(o, "Id", &v) && !json_object_is_type(v, json_type_null))
            snprintf(id, size, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(a, "ActionOutcome", &o) &&
            json_object_object_get_ex(o, "Description", &v) && !json_object_is_type(v, json_type_null))
            snprintf(name, nsize, "%s", json_object_get_string(v));
    }
    json_object_put(acts);
}

static size_t n_actions(void)
{
    json_object *acts = admin("GET", "/eploy/actions", NULL, 200);
    size_t n = json_object_array_length(acts);
    json_object_put(acts);
    return n;
}

/* ---- outcomes ------------------------------------------------------------------------------ */

START_TEST(note_outcome_by_id_and_by_name)
{
    char app[32], id[32], name[64];
    HS_TEST_RESULT(res);

    fx_start("\"note_action_outcome\":\"Not invited\"");
    app_in_workflow1(app, sizeof app, "Video Interview");
    ck_assert_int_eq(note(app, "w:p1:invited", "9501", 0, &res), HS_OK);
    ck_assert_int_eq(res.applied, 1);
    action_outcome("w:p1:invited", id, sizeof id, name, sizeof name);
    ck_assert_str_eq(id, "9501");
    ck_assert_str_eq(name, "Invited");
    ck_assert_int_eq(note(app, "w:p1:started", "started", 0, &res), HS_OK);
    action_outcome("w:p1:started", id, sizeof id, name, sizeof name);
    ck_assert_str_eq(id, "9502");
    /* A note without an outcome of its own takes the connection's note_action_outcome. */
    ck_assert_int_eq(note(app, "w:p1:plain", NULL, 0, &res), HS_OK);
    action_outcome("w:p1:plain", id, sizeof id, name, sizeof name);
    ck_assert_str_eq(name, "Not invited");
    /* Idempotent as before: the same key again writes nothing. */
    ck_assert_int_eq(note(app, "w:p1:invited", "9501", 0, &res), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_uint_eq(n_actions(), 3);
    fx_stop();
}
END_TEST

START_TEST(note_unknown_outcome_is_data)
{
    char app[32];
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    ck_assert_int_eq(note(app, "w:p2:completed", "Hired", 0, &res), HS_E_DATA);
    ck_assert_msg(strstr(F.err.message, "\"Hired\"") != NULL &&
                  strstr(F.err.message, "Action Outcomes") != NULL &&
                  strstr(F.err.message, app) != NULL, "%s", F.err.message);
    ck_assert_msg(strchr(F.err.message, '\n') == NULL, "not one line: %s", F.err.message);
    ck_assert_int_eq(F.err.http_status, 400);
    ck_assert_uint_eq(n_actions(), 0);
    fx_stop();
}
END_TEST

START_TEST(outcome_rule_moves_the_application)
{
    char app[32];
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    json_object_put(admin("POST", "/eploy/outcome-rules",
                          "[{\"outcome\":\"Completed\",\"stage\":\"Interview\",\"status\":null}]",
                          200));
    ck_assert_int_eq(note(app, "w:p3:invited", "Invited", 0, &res), HS_OK);
    assert_position(app, "Video Interview / Invite Pending");
    ck_assert_int_eq(note(app, "w:p3:completed", "Completed", 1, &res), HS_OK);
    assert_position(app, "Interview / Interview Booked");
    fx_stop();
}
END_TEST

/* A final note with outcome, recorded only while app is in stage "Video Interview". */
static hs_status guarded_note(const char *app, const char *key, const char *outcome,
                              hs_write_result *res)
{
    hs_stage from = {sizeof(hs_stage), NULL, "Video Interview", NULL, 0, sizeof(hs_ref)};
    hs_note n;

    memset(&n, 0, sizeof n);
    n.struct_size = sizeof n;
    n.key = key;
    n.record_id = app;
    n.title = "Video interview completed";
    n.body = "result";
    n.outcome = outcome;
    n.final = 1;
    n.outcome_from = &from;
    n.n_outcome_from = 1;
    n.outcome_from_size = sizeof from;
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    hs_test_result_clear(res);
    res->outcome_withheld = 7; /* the connector must say 0 or 1 */
    return F.c->write_note(F.conn, &n, res, &F.err);
}

START_TEST(guarded_outcome_written_in_a_from_position)
{
    char app[32], id[32], name[64];
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    json_object_put(admin("POST", "/eploy/outcome-rules",
                          "[{\"outcome\":\"Completed\",\"stage\":\"Interview\",\"status\":null}]",
                          200));
    ck_assert_msg(guarded_note(app, "w:g1:completed", "Completed", &res) == HS_OK, "%s",
                  F.err.message);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_int_eq(res.outcome_withheld, 0);
    action_outcome("w:g1:completed", id, sizeof id, name, sizeof name);
    ck_assert_str_eq(name, "Completed");
    /* the tenant's rule followed the outcome */
    assert_position(app, "Interview / Interview Booked");
    /* again: nothing new, and the existing note carries its outcome */
    ck_assert_int_eq(guarded_note(app, "w:g1:completed", "Completed", &res), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_int_eq(res.outcome_withheld, 0);
    ck_assert_uint_eq(n_actions(), 1);
    fx_stop();
}
END_TEST

START_TEST(guarded_outcome_withheld_after_a_recruiter_moved_it)
{
    char app[32], id[32], name[64], path[96];
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    json_object_put(admin("POST", "/eploy/outcome-rules",
                          "[{\"outcome\":\"Completed\",\"stage\":\"Interview\",\"status\":null}]",
                          200));
    /* a recruiter rejects the candidate before the result arrives */
    snprintf(path, sizeof path, "/eploy/applications/%s/move", app);
    json_object_put(admin("POST", path, "{\"stage\":\"Rejected\",\"status\":\"Withdrawn\"}",
                          200));
    assert_position(app, "Rejected / Withdrawn");
    ck_assert_msg(guarded_note(app, "w:g2:completed", "Completed", &res) == HS_OK, "%s",
                  F.err.message);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_int_eq(res.outcome_withheld, 1);
    ck_assert_uint_eq(n_actions(), 1);
    action_outcome("w:g2:completed", id, sizeof id, name, sizeof name);
    ck_assert_str_eq(id, "");
    ck_assert_str_eq(name, "");
    /* the rule did not fire: the recruiter's choice stands */
    assert_position(app, "Rejected / Withdrawn");
    ck_assert(hs_test_host_log_contains(F.h, "the note goes without it"));
    /* the same key again: one note, still reported as withheld */
    ck_assert_int_eq(guarded_note(app, "w:g2:completed", "Completed", &res), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_int_eq(res.outcome_withheld, 1);
    ck_assert_uint_eq(n_actions(), 1);
    fx_stop();
}
END_TEST

/* ---- move_record ------------------------------------------------------------------------- */

typedef struct move_spec {
    hs_ref to_stage, to_status;
    hs_ref from_statuses[2];
    hs_stage from[2];
    hs_move move;
} move_spec;

/* A move of app to stage (id, name) [status (id, name)] from the given stage (id, name). */
static hs_move *move_of(move_spec *m, const char *app, const char *stage_id,
                        const char *stage_name, const char *status_id, const char *status_name,
                        const char *from_id, const char *from_name)
{
    memset(m, 0, sizeof *m);
    m->to_stage = (hs_ref){sizeof(hs_ref), stage_id, stage_name};
    m->to_status = (hs_ref){sizeof(hs_ref), status_id, status_name};
    m->from[0].struct_size = sizeof(hs_stage);
    m->from[0].id = from_id;
    m->from[0].name = from_name;
    m->from[0].status_size = sizeof(hs_ref);
    m->move.struct_size = sizeof m->move;
    m->move.key = "move:1";
    m->move.record_id = app;
    m->move.to_stage = &m->to_stage;
    m->move.to_status = status_id != NULL || status_name != NULL ? &m->to_status : NULL;
    m->move.from = m->from;
    m->move.n_from = 1;
    m->move.from_size = sizeof(hs_stage);
    return &m->move;
}

static hs_status do_move(const hs_move *mv, hs_write_result *res)
{
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    hs_test_result_clear(res);
    return F.c->move_record(F.conn, mv, res, &F.err);
}

START_TEST(move_then_already_there)
{
    char app[32];
    move_spec m;
    HS_TEST_RESULT(res);
    hs_move *mv;

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    mv = move_of(&m, app, "104", "Interview", NULL, NULL, "103", "Video Interview");
    json_object_put(admin("DELETE", "/stats", NULL, 200));
    ck_assert_msg(do_move(mv, &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_str_eq(res.remote_id, app);
    assert_position(app, "Interview / Interview Booked");
    /* A read and an update, nothing more (the token aside). */
    ck_assert_int_eq(requests("GET /api/applications/{id}"), 1);
    ck_assert_int_eq(requests("PATCH /api/applications/{id}"), 1);
    ck_assert_int_eq(requests(NULL), 2);

    /* Again (a retry after a crash): already there, nothing sent but the read. */
    ck_assert_msg(do_move(mv, &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_str_eq(res.remote_id, app);
    ck_assert_int_eq(requests("PATCH /api/applications/{id}"), 1);
    ck_assert_int_eq(requests(NULL), 3);
    fx_stop();
}
END_TEST

START_TEST(move_to_a_status_by_name)
{
    char app[32];
    move_spec m;
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    /* Names only: resolved within the vacancy's workflow (which has a "Interview" stage). */
    ck_assert_msg(do_move(move_of(&m, app, NULL, "interview", NULL, "Interview Attended", NULL,
                                  "Video Interview"), &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 1);
    assert_position(app, "Interview / Interview Attended");
    /* The same stage, another status: not at the target, and not in a from position. */
    ck_assert_int_eq(do_move(move_of(&m, app, "104", "Interview", "1008", "Interview Booked",
                                     "103", "Video Interview"), &res), HS_E_CONFLICT);
    /* A stage the workflow lacks is the record's error, not a move. */
    ck_assert_int_eq(do_move(move_of(&m, app, NULL, "DBS Check", NULL, NULL, NULL, "Interview"),
                             &res), HS_E_DATA);
    ck_assert_msg(strstr(F.err.message, "DBS Check") != NULL, "%s", F.err.message);
    assert_position(app, "Interview / Interview Attended");
    fx_stop();
}
END_TEST

START_TEST(move_after_a_recruiter_moved_it_is_conflict)
{
    char app[32], path[96];
    move_spec m;
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");
    snprintf(path, sizeof path, "/eploy/applications/%s/move", app);
    json_object_put(admin("POST", path, "{\"stage\":\"Rejected\",\"status\":\"Withdrawn\"}", 200));
    json_object_put(admin("DELETE", "/stats", NULL, 200));
    ck_assert_int_eq(do_move(move_of(&m, app, "104", "Interview", NULL, NULL, "103",
                                     "Video Interview"), &res), HS_E_CONFLICT);
    ck_assert_msg(strstr(F.err.message, "\"Rejected\" / \"Withdrawn\"") != NULL &&
                  strstr(F.err.message, app) != NULL &&
                  strstr(F.err.message, "leaves it there") != NULL, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_int_eq(requests("PATCH /api/applications/{id}"), 0);
    assert_position(app, "Rejected / Withdrawn");
    fx_stop();
}
END_TEST

/* The from position's statuses: the first n of m->from_statuses. */
static hs_move *from_statuses(move_spec *m, size_t n)
{
    m->from[0].statuses = m->from_statuses;
    m->from[0].n_statuses = n;
    return &m->move;
}

START_TEST(move_from_listed_statuses_only)
{
    char app[32];
    move_spec m;
    HS_TEST_RESULT(res);

    fx_start(NULL);
    app_in_workflow1(app, sizeof app, "Video Interview");   /* status Invite Pending */
    (void)move_of(&m, app, "104", NULL, NULL, NULL, "103", NULL);
    m.from_statuses[0] = (hs_ref){sizeof(hs_ref), "1007", "Completed"};
    m.from_statuses[1] = (hs_ref){sizeof(hs_ref), NULL, "invite pending"};
    ck_assert_int_eq(do_move(from_statuses(&m, 1), &res), HS_E_CONFLICT);
    ck_assert_msg(strstr(F.err.message, "Invite Pending") != NULL, "%s", F.err.message);
    ck_assert_msg(do_move(from_statuses(&m, 2), &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 1);
    assert_position(app, "Interview / Interview Booked");
    fx_stop();
}
END_TEST

START_TEST(move_without_applications_update)
{
    char app[32];
    move_spec m;
    HS_TEST_RESULT(res);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;

    fx_start(NULL);
    ck_assert_int_eq(open_with("noupdate-client", "noupdate-secret-41", NULL), HS_OK);
    app_in_workflow1(app, sizeof app, "Video Interview");
    ck_assert_int_eq(do_move(move_of(&m, app, "104", "Interview", NULL, NULL, "103",
                                     "Video Interview"), &res), HS_E_PERMISSION);
    ck_assert_msg(strstr(F.err.message, "applications.update") != NULL &&
                  strstr(F.err.message, "Applications: Update") != NULL, "%s", F.err.message);
    ck_assert_int_eq(F.err.http_status, 403);
    assert_position(app, "Video Interview / Invite Pending");
    /* check: a WARN (only moves need it), and Export: Insert not asked for without
     * export_package. */
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Applications: Update");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_WARN);
    ck_assert_msg(strstr(it->message, "on_completed") != NULL, "%s", it->message);
    ck_assert_ptr_null(hs_test_report_find(rep, "Export: Insert"));
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(move_patch_5xx_is_retried)
{
    char app[32];
    move_spec m;
    HS_TEST_RESULT(res);

    fx_start("\"max_attempts\":3");
    app_in_workflow1(app, sizeof app, "Video Interview");
    json_object_put(admin("POST", "/faults", "{\"server\":\"eploy\",\"route\":\"/api/applications/\","
                          "\"method\":\"PATCH\",\"status\":503,\"count\":1}", 201));
    ck_assert_msg(do_move(move_of(&m, app, "104", "Interview", NULL, NULL, "103",
                                  "Video Interview"), &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 1);
    assert_position(app, "Interview / Interview Booked");
    fx_stop();
}
END_TEST

/* ---- export package ------------------------------------------------------------------------ */

static size_t n_exports(const char *app, const char *package)
{
    json_object *ex = admin("GET", "/eploy/exports", NULL, 200);
    size_t n = 0;

    for (size_t i = 0; i < json_object_array_length(ex); i++) {
        json_object *e = json_object_array_get_idx(ex, i), *a, *p;
        if (json_object_object_get_ex(e, "ApplicationId", &a) &&
            json_object_object_get_ex(e, "ExportPackageId", &p) &&
            strcmp(json_object_get_string(a), app) == 0 &&
            strcmp(json_object_get_string(p), package) == 0)
            n++;
    }
    json_object_put(ex);
    return n;
}

START_TEST(final_note_marks_the_export_package_once)
{
    char app[32];
    HS_TEST_RESULT(res);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);

    fx_start("\"export_package\":\"3\"");
    app_in_workflow1(app, sizeof app, "Video Interview");
    ck_assert_int_eq(note(app, "w:p5:invited", "Invited", 0, &res), HS_OK);
    ck_assert_uint_eq(n_exports(app, "3"), 0);
    ck_assert_int_eq(note(app, "w:p5:completed", "Completed", 1, &res), HS_OK);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_uint_eq(n_exports(app, "3"), 1);
    /* Written twice (a retry after a crash between the note and its mark): marked again on
     * Eploy's side, which keeps one. */
    ck_assert_int_eq(note(app, "w:p5:completed", "Completed", 1, &res), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_uint_eq(n_exports(app, "3"), 1);
    json_object *ex = admin("GET", "/eploy/exports", NULL, 200);
    ck_assert_uint_eq(json_object_array_length(ex), 1);
    json_object_put(ex);
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    ck_assert_int_eq(hs_test_report_find(rep, "Export: Insert")->result, HS_CHECK_OK);
    ck_assert_int_eq(hs_test_report_find(rep, "Applications: Update")->result, HS_CHECK_OK);
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(failed_mark_never_loses_the_note)
{
    char app[32], rule[256];
    HS_TEST_RESULT(res);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;

    fx_start(NULL);
    ck_assert_int_eq(open_with("noupdate-client", "noupdate-secret-41", "\"export_package\":\"3\""),
                     HS_OK);
    app_in_workflow1(app, sizeof app, "Video Interview");
    ck_assert_msg(note(app, "w:p6:completed", "Completed", 1, &res) == HS_OK, "%s",
                  F.err.message);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_uint_eq(n_actions(), 1);
    ck_assert_uint_eq(n_exports(app, "3"), 0);
    ck_assert(hs_test_host_log_contains(F.h, "not marked with export package 3"));
    ck_assert(hs_test_host_log_contains(F.h, "Export: Insert"));
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Export: Insert");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "export.insert") != NULL, "%s", it->message);
    hs_test_report_free(rep);

    /* A server failure on the mark: the note is written, the write fails so that the host
     * writes it again, and that finds the note and marks it, once. */
    ck_assert_int_eq(open_with(CLIENT, SECRET, "\"export_package\":\"3\",\"max_attempts\":1"),
                     HS_OK);
    snprintf(rule, sizeof rule, "{\"server\":\"eploy\",\"route\":\"/api/applications/%s/exports\","
             "\"method\":\"POST\",\"status\":503,\"count\":-1}", app);
    json_object_put(admin("POST", "/faults", rule, 201));
    ck_assert_int_eq(note(app, "w:p6:expired", "Expired", 1, &res), HS_RETRY);
    ck_assert_msg(strstr(F.err.message, "next cycle marks") != NULL, "%s", F.err.message);
    ck_assert_uint_eq(n_actions(), 2);
    ck_assert_uint_eq(n_exports(app, "3"), 0);
    json_object_put(admin("DELETE", "/faults", NULL, 200));
    /* the token the test host shares came from the key without Export: Insert */
    json_object_put(admin("POST", "/eploy/tokens/expire", NULL, 200));
    ck_assert_msg(note(app, "w:p6:expired", "Expired", 1, &res) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_uint_eq(n_actions(), 2);
    ck_assert_uint_eq(n_exports(app, "3"), 1);
    fx_stop();
}
END_TEST

static Suite *workflow_suite(void)
{
    Suite *s = suite_create("eploy-workflow");
    TCase *outcomes = tcase_create("outcomes");
    TCase *moves = tcase_create("moves");
    TCase *exports = tcase_create("exports");

    tcase_add_test(outcomes, note_outcome_by_id_and_by_name);
    tcase_add_test(outcomes, note_unknown_outcome_is_data);
    tcase_add_test(outcomes, outcome_rule_moves_the_application);
    tcase_add_test(outcomes, guarded_outcome_written_in_a_from_position);
    tcase_add_test(outcomes, guarded_outcome_withheld_after_a_recruiter_moved_it);
    tcase_add_test(moves, move_then_already_there);
    tcase_add_test(moves, move_to_a_status_by_name);
    tcase_add_test(moves, move_after_a_recruiter_moved_it_is_conflict);
    tcase_add_test(moves, move_from_listed_statuses_only);
    tcase_add_test(moves, move_without_applications_update);
    tcase_add_test(moves, move_patch_5xx_is_retried);
    tcase_add_test(exports, final_note_marks_the_export_package_once);
    tcase_add_test(exports, failed_mark_never_loses_the_note);
    suite_add_tcase(s, outcomes);
    suite_add_tcase(s, moves);
    suite_add_tcase(s, exports);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(workflow_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
