/*
 * The fault matrix: every fault kind the sandbox injects, on every class of request a cycle
 * makes, with the real hiresync program and connectors.
 *
 * For each (class, fault): a candidate is moved into the trigger stage (and, for the classes
 * of the interview's life, already invited and has completed the interview, or for the
 * outcome note class started it); the fault is injected on the class's route; a cycle runs.
 * It either completes (retries absorbed the fault) or fails with a classified error (an
 * hs_status other than OK, and a message naming the connection). Either way a following
 * clean cycle finishes the work, and every invitation, note, outcome, move and export mark
 * exists exactly once in the sandbox, and one more cycle changes nothing.
 *
 * The writes of the interview's life have classes of their own: the outcome note (the same
 * route as the result note, POST /api/actions, so its setup is a started interview whose only
 * write is the "Started" outcome note), the move after completion (PATCH
 * /api/applications/{id}, with on_completed set) and the export mark (POST
 * /api/applications/{id}/exports, with export_package set).
 *
 * The matrix is split over four programs (FAULT_GROUP 1 to 4) so that `make -j2 check`
 * runs them side by side. Timeouts are 1 s, back-off short, Retry-After 1 s.
 *
 * A delayed request is still being served after hiresync gave up on it, and may write when it
 * ends: each case has a sandbox of its own, stopped with whatever it still serves, so nothing
 * of one case lands in the next one's world (POST /reset cannot recall a request in flight),
 * and a case with a delayed write waits for the sandbox to answer it before the clean cycle.
 */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <hiresync/connector.h>

#include "test_e2e_util.h"

#ifndef FAULT_GROUP
#define FAULT_GROUP 1
#endif

#define VI "Video Interview"

enum req_class { C_TOKEN, C_JOBS, C_CHANGES, C_CANDIDATES, C_INVITE, C_NOTE, C_INTERVIEWS,
                 C_COMPLETIONS, C_OUTCOME, C_MOVE, C_EXPORT, N_CLASSES };

typedef struct req_class_info {
    const char *name;
    const char *server;
    const char *route;        /* "{id}" stands for the story's application */
    const char *method;       /* NULL: any */
    const char *passthrough;  /* a longer route under `route` that must not be faulted */
    int willo;
    const char *stats;        /* its key in GET /stats; NULL: method and route */
} req_class_info;

static const req_class_info CLASSES[N_CLASSES] = {
    {"token", "eploy", "/api/token", "POST", NULL, 0, NULL},
    {"jobs", "eploy", "/api/vacancies/search", NULL, NULL, 0, NULL},
    {"changes", "eploy", "/api/applications/statushistory/search", NULL, NULL, 0, NULL},
    {"candidate lookup", "eploy", "/api/candidates/search", NULL, NULL, 0, NULL},
    {"invite", "willo", "/participants/", "POST", NULL, 1, NULL},
    {"note", "eploy", "/api/actions", "POST", "/api/actions/search", 0, NULL},
    {"interview list", "willo", "/interviews/", "GET", NULL, 1, NULL},
    {"interview changes", "willo", "/participants/", "GET", NULL, 1, NULL},
    {"outcome note", "eploy", "/api/actions", "POST", "/api/actions/search", 0, NULL},
    {"move", "eploy", "/api/applications/", "PATCH", NULL, 0, "PATCH /api/applications/{id}"},
    {"export mark", "eploy", "/api/applications/{id}/exports", "POST", NULL, 0, NULL},
};

/* The classes whose story ends in a completed interview. */
static int completes(int cls)
{
    return cls == C_NOTE || cls == C_COMPLETIONS || cls == C_MOVE || cls == C_EXPORT;
}

/* The classes of a write that makes something new on the remote side. */
static int is_write(int cls)
{
    return cls == C_INVITE || cls == C_NOTE || cls == C_OUTCOME || cls == C_MOVE ||
           cls == C_EXPORT;
}

/* What a fault may end in. */
enum outcome {
    MUST_COMPLETE,      /* the retries inside the cycle absorb it */
    MAY_FAIL,           /* completes, or fails with one of `allowed` */
    MUST_FAIL           /* fails with one of `allowed` */
};

typedef struct fault_kind {
    const char *name;
    const char *rule;         /* the rule's JSON members after server/route/method */
} fault_kind;

static const fault_kind KINDS[] = {
    {"429 with Retry-After", "\"kind\":\"status\",\"status\":429,\"retry_after\":1,\"count\":1"},
    {"429 without Retry-After", "\"kind\":\"status\",\"status\":429,\"count\":1"},
    {"500", "\"kind\":\"status\",\"status\":500,\"count\":1"},
    {"502", "\"kind\":\"status\",\"status\":502,\"count\":1"},
    {"503", "\"kind\":\"status\",\"status\":503,\"count\":1"},
    {"delay past the timeout", "\"kind\":\"status\",\"delay_ms\":1600,\"count\":1"},
    {"reset", "\"kind\":\"reset\",\"count\":1"},
    {"truncated body", "\"kind\":\"truncate\",\"count\":1"},
    {"malformed JSON", "\"kind\":\"malformed\",\"count\":1"},
    {"expired token (401)", "\"kind\":\"status\",\"status\":401,\"count\":1"},
    {"503 on every attempt", "\"kind\":\"status\",\"status\":503,\"count\":-1"},
};
#define N_KINDS (sizeof KINDS / sizeof KINDS[0])
enum { K_429RA, K_429, K_500, K_502, K_503, K_DELAY, K_RESET, K_TRUNC, K_MALFORMED, K_401,
       K_PERSIST };

#define ST(s) (1u << (s))

/* The outcome each (class, kind) may have, and the statuses a failure may carry. Writes that
 * have no idempotency key of their own are made once: a transport failure that may have
 * reached the server (timeout, reset, short read, unreadable answer) ends the cycle with
 * "retry" so that the next one looks before it writes again. */
static enum outcome expected(int cls, int kind, unsigned *allowed)
{
    int create = is_write(cls);
    *allowed = ST(HS_RETRY);
    switch (kind) {
    case K_PERSIST:
        /* The interview list only checks the mappings: a cycle may go on without it. */
        return cls == C_INTERVIEWS ? MAY_FAIL : MUST_FAIL;
    case K_401:
        if (cls == C_TOKEN || CLASSES[cls].willo) {
            *allowed = ST(HS_E_CONFIG); /* credentials refused: a person must look */
            return MUST_FAIL;
        }
        return MUST_COMPLETE;           /* a new token, and the call again */
    case K_DELAY:
    case K_RESET:
    case K_TRUNC:
        return create ? MAY_FAIL : MUST_COMPLETE;
    case K_500:
    case K_502:
    case K_503:
        /* Willo's creates take one attempt: a 5xx may come after the participant was made.
         * So does the export mark; a mark that fails so fails the cycle, and the next one
         * marks (a note or a move looks before it writes again). */
        return cls == C_INVITE || cls == C_EXPORT ? MAY_FAIL : MUST_COMPLETE;
    case K_MALFORMED:
        *allowed = ST(HS_RETRY) | ST(HS_E_INTERNAL);
        return MAY_FAIL;
    default:
        return MUST_COMPLETE;
    }
}

static e2e E;
static char route_now[160]; /* the route of the case's fault rule, {id} replaced */

static void sandbox_up(void)
{
    e2e_start(&E, NULL);
}

static void sandbox_down(void)
{
    e2e_stop(&E);
}

static void admin_ok(const char *method, const char *path, const char *body)
{
    long st = 0;
    char *out = NULL;
    ck_assert_msg(hs_test_admin(&E.sb, method, path, body, &st, &out) == 0, "%s %s", method,
                  path);
    ck_assert_msg(st >= 200 && st < 300, "%s %s: %ld %s", method, path, st, out ? out : "");
    free(out);
}

/* The interview's life as much as the class needs: no more, so that the other classes make
 * the requests they always made. */
static void write_config(int cls)
{
    char pipe[1024];
    FILE *f;
    snprintf(pipe, sizeof pipe,
             "\"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\", "
             "\"mappings\": [{\"interview\": \"%s\", "
             "\"jobs\": [{\"job\": \"1001\", \"trigger_stages\": [\"" VI "\"]}]%s}]}",
             E.interview,
             cls == C_OUTCOME ? ", \"outcomes\": {\"started\": \"Started\"}" :
             cls == C_MOVE ? ", \"on_completed\": \"Interview\"" : "");
    f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{ \"state_dir\": \"%s\",\n"
            "  \"connections\": {\n"
            "    \"eploy\": {\"connector\": \"eploy\", \"base_url\": \"%s\", \"client_id\": "
            "\"sandbox-client\", \"client_secret\": \"sandbox-secret\", \"note_action_type\": "
            "\"1\", \"signpost_lag_s\": 0, \"request_timeout_s\": 1, \"max_attempts\": 3%s},\n"
            "    \"willo\": {\"connector\": \"willo\", \"base_url\": \"%s\", \"api_key\": "
            "\"sandbox-willo-key\", \"min_gap_ms\": 0, \"retry_backoff_ms\": 1, "
            "\"request_timeout_s\": 1, \"max_attempts\": 3} },\n"
            "  \"pipelines\": { %s } }\n",
            E.state_dir, E.sb.eploy_url, cls == C_EXPORT ? ", \"export_package\": \"3\"" : "",
            E.sb.willo_url, pipe);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(E.config, 0600), 0);
}

static void fresh_world(int cls)
{
    char cmd[400];
    admin_ok("POST", "/reset", NULL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.state_dir);
    ck_assert_int_eq(system(cmd), 0);
    write_config(cls);
}

static void inject(int cls, int kind, long app)
{
    const req_class_info *c = &CLASSES[cls];
    const char *id = strstr(c->route, "{id}");
    char rule[512];
    if (id != NULL)
        snprintf(route_now, sizeof route_now, "%.*s%ld%s", (int)(id - c->route), c->route, app,
                 id + 4);
    else
        snprintf(route_now, sizeof route_now, "%s", c->route);
    if (c->passthrough) {
        snprintf(rule, sizeof rule,
                 "{\"server\":\"%s\",\"route\":\"%s\",\"kind\":\"status\",\"delay_ms\":1,"
                 "\"count\":-1}", c->server, c->passthrough);
        admin_ok("POST", "/faults", rule);
    }
    snprintf(rule, sizeof rule, "{\"server\":\"%s\",\"route\":\"%s\"%s%s%s,%s}", c->server,
             route_now, c->method ? ",\"method\":\"" : "", c->method ? c->method : "",
             c->method ? "\"" : "", KINDS[kind].rule);
    admin_ok("POST", "/faults", rule);
}

static json_object *admin_json(const char *path)
{
    long st = 0;
    char *out = NULL;
    json_object *o;
    ck_assert_msg(hs_test_admin(&E.sb, "GET", path, NULL, &st, &out) == 0 && st == 200,
                  "GET %s: %ld", path, st);
    o = json_tokener_parse(out ? out : "");
    free(out);
    ck_assert_ptr_nonnull(o);
    return o;
}

static void stats_key(int cls, char *key, size_t size)
{
    const req_class_info *c = &CLASSES[cls];
    if (c->stats != NULL)
        snprintf(key, size, "%s", c->stats);
    else
        snprintf(key, size, "%s %s", c->method ? c->method : "POST", c->route);
}

/* The fault must have been met: a one-shot rule is used up, a lasting one left its status in
 * the route's statistics. Otherwise the case would pass without testing anything. */
static void assert_fault_met(int cls, int kind, const char *label, const char *cycle_out)
{
    const req_class_info *c = &CLASSES[cls];
    json_object *faults = admin_json("/faults"), *stats, *server, *routes, *route;
    char key[160];
    for (size_t i = 0; i < json_object_array_length(faults); i++) {
        json_object *r = json_object_array_get_idx(faults, i);
        ck_assert_msg(strcmp(json_object_get_string(json_object_object_get(r, "route")),
                             route_now) != 0 || json_object_get_int(json_object_object_get(
                                                   r, "count")) < 0,
                      "%s: the cycle never made the faulted request; output: %s", label,
                      cycle_out);
    }
    json_object_put(faults);
    if (kind != K_PERSIST)
        return;
    stats = admin_json("/stats");
    stats_key(cls, key, sizeof key);
    ck_assert_msg(json_object_object_get_ex(stats, c->server, &server) &&
                  json_object_object_get_ex(server, "routes", &routes) &&
                  json_object_object_get_ex(routes, key, &route) &&
                  json_object_object_get_ex(route, "503", NULL),
                  "%s: no 503 answered on %s", label, key);
    json_object_put(stats);
}

/* The number of answers the sandbox has given on the class's route since the statistics
 * were cleared. */
static int answers(int cls)
{
    const req_class_info *c = &CLASSES[cls];
    json_object *stats = admin_json("/stats"), *server, *routes, *route;
    char key[160];
    int n = 0;
    stats_key(cls, key, sizeof key);
    if (json_object_object_get_ex(stats, c->server, &server) &&
        json_object_object_get_ex(server, "routes", &routes) &&
        json_object_object_get_ex(routes, key, &route)) {
        json_object_object_foreach(route, code, count) {
            (void)code;
            n += json_object_get_int(count);
        }
    }
    json_object_put(stats);
    return n;
}

/* A write is sent once, so the delayed one is the class's only request of the faulted cycle:
 * it has arrived (its rule is used up), and the sandbox answers it once the delay is over,
 * whatever the load. Until then it may still write; the clean cycle must come after that
 * write, or whether it finds it is a race no client can win. The bound only keeps a hang
 * from lasting forever. */
static void await_delayed_write(int cls, const char *label)
{
    struct timespec tick = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 3000; i++) {
        if (answers(cls) > 0)
            return;
        nanosleep(&tick, NULL);
    }
    ck_abort_msg("%s: the sandbox never answered the delayed request", label);
}

/* The last cycle's record from `hiresync status --json`. */
static void last_cycle(int *status, char *error, size_t size, char *result, size_t rsize)
{
    static const char *const args[] = {"status", "--json", NULL};
    static const char *const NAMES[] = {"ok", "retry", "config", "permission", "data",
                                        "unsupported", "internal", "cancelled", "conflict"};
    json_object *all, *p, *last, *v;
    e2e_run(&E, NULL, args); /* exits non-zero after a failed cycle */
    all = json_tokener_parse(E.out);
    ck_assert_msg(all && json_object_is_type(all, json_type_array), "status: %s", E.out);
    p = json_object_array_get_idx(all, 0);
    ck_assert_msg(json_object_object_get_ex(p, "last", &last), "no last cycle: %s", E.out);
    *status = json_object_object_get_ex(last, "status", &v) ? json_object_get_int(v) : -1;
    /* the documented name of every code status --json shows */
    ck_assert_msg(*status >= 0 && *status < (int)(sizeof NAMES / sizeof NAMES[0]) &&
                  json_object_object_get_ex(last, "status_name", &v) &&
                  strcmp(json_object_get_string(v), NAMES[*status]) == 0,
                  "status %d without its name %s: %s", *status,
                  *status >= 0 && *status < 9 ? NAMES[*status] : "?", E.out);
    snprintf(error, size, "%s", json_object_object_get_ex(last, "error", &v)
                                    ? json_object_get_string(v) : "");
    snprintf(result, rsize, "%s", json_object_object_get_ex(last, "result", &v)
                                      ? json_object_get_string(v) : "");
    json_object_put(all);
}

static void assert_no_secret(const char *when)
{
    ck_assert_msg(strstr(E.out, "sandbox-secret") == NULL, "%s: client secret in output", when);
    ck_assert_msg(strstr(E.out, "sandbox-willo-key") == NULL, "%s: api key in output", when);
}

/* The candidate of the story: one application moved into the trigger stage. */
static long story_start(int cls, char *participant, size_t size)
{
    long ids[1];
    char keys[4][64];
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    participant[0] = '\0';
    if (!completes(cls) && cls != C_OUTCOME)
        return ids[0];
    ck_assert_msg(e2e_cycle(&E) == 0, "invitation: %s", E.out);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 4), 1);
    snprintf(participant, size, "%s", keys[0]);
    if (cls == C_OUTCOME)
        e2e_participant_event(&E.sb, participant, "start", NULL);
    else
        e2e_complete(&E.sb, participant);
    return ids[0];
}

static void assert_exactly_once(int cls, long app, const char *when)
{
    ck_assert_msg(e2e_participants(&E.sb, E.interview, NULL) == 1,
                  "%s: %d invitations, want 1; output: %s", when,
                  e2e_participants(&E.sb, E.interview, NULL), E.out);
    if (completes(cls))
        ck_assert_msg(e2e_actions(&E.sb, app, "completed the video interview") == 1,
                      "%s: %d notes, want 1; output: %s", when,
                      e2e_actions(&E.sb, app, "completed the video interview"), E.out);
    else if (cls == C_OUTCOME)
        ck_assert_msg(e2e_outcomes(&E.sb, app, "Started") == 1 &&
                      e2e_actions(&E.sb, app, NULL) == 1, "%s: %d outcome notes, want 1; "
                      "output: %s", when, e2e_actions(&E.sb, app, NULL), E.out);
    else
        ck_assert_int_eq(e2e_actions(&E.sb, app, NULL), 0);
    if (cls == C_MOVE) {
        /* one update, not one per attempt: each moves the application in the history */
        ck_assert_msg(strcmp(e2e_stage_of(&E.sb, app), "Interview") == 0, "%s: in stage %s; "
                      "output: %s", when, e2e_stage_of(&E.sb, app), E.out);
        ck_assert_msg(e2e_answers(&E.sb, "eploy", CLASSES[C_MOVE].stats, "200") == 1,
                      "%s: %d moves, want 1; output: %s", when,
                      e2e_answers(&E.sb, "eploy", CLASSES[C_MOVE].stats, "200"), E.out);
    }
    if (cls == C_EXPORT)
        ck_assert_msg(e2e_exports(&E.sb, app) == 1, "%s: %d export marks, want 1; output: %s",
                      when, e2e_exports(&E.sb, app), E.out);
}

static void run_case(int cls, int kind)
{
    static char cycle_out[sizeof E.out];
    char participant[64], error[1024], result[32], label[160];
    int code, status;
    unsigned allowed;
    enum outcome want = expected(cls, kind, &allowed);
    long app;

    snprintf(label, sizeof label, "%s on %s", KINDS[kind].name, CLASSES[cls].name);
    fresh_world(cls);
    app = story_start(cls, participant, sizeof participant);
    admin_ok("DELETE", "/stats", NULL);
    inject(cls, kind, app);
    code = e2e_cycle(&E);
    assert_no_secret(label);
    memcpy(cycle_out, E.out, sizeof cycle_out);
    assert_fault_met(cls, kind, label, cycle_out);
    if (kind == K_DELAY && is_write(cls))
        await_delayed_write(cls, label);
    last_cycle(&status, error, sizeof error, result, sizeof result);
    if (code == 0) {
        ck_assert_msg(want != MUST_FAIL, "%s: the cycle should have failed: %s", label,
                      cycle_out);
        ck_assert_int_eq(status, HS_OK);
        assert_exactly_once(cls, app, label);
    } else {
        ck_assert_msg(want != MUST_COMPLETE, "%s: retries should have absorbed it, but the "
                      "cycle failed (exit %d): %s", label, code, cycle_out);
        ck_assert_msg(status > HS_OK && status <= HS_E_CANCELLED && (allowed & ST(status)),
                      "%s: failed with status %d (%s), not one of the classes expected", label,
                      status, error);
        ck_assert_str_eq(result, "failed");
        ck_assert_msg(strncmp(error, CLASSES[cls].willo ? "willo" : "eploy", 5) == 0,
                      "%s: the error does not name the connection: %s", label, error);
        ck_assert_msg(strstr(error, "sandbox-secret") == NULL &&
                      strstr(error, "sandbox-willo-key") == NULL, "%s: secret in error", label);
        /* Nothing beyond what was acknowledged: at most the one write, never two. */
        ck_assert_int_le(e2e_participants(&E.sb, E.interview, NULL), 1);
        ck_assert_int_le(e2e_actions(&E.sb, app, NULL), 1);
    }
    admin_ok("DELETE", "/faults", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s: the clean cycle after it failed: %s", label, E.out);
    assert_exactly_once(cls, app, label);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s: the cycle after that failed: %s", label, E.out);
    assert_exactly_once(cls, app, label);
    (void)participant;
}

/* Each group about as long as the others (measured). */
#if FAULT_GROUP == 1
static const int GROUP[] = {C_TOKEN, C_JOBS, C_OUTCOME};
#elif FAULT_GROUP == 2
static const int GROUP[] = {C_CHANGES, C_CANDIDATES, C_MOVE};
#elif FAULT_GROUP == 3
static const int GROUP[] = {C_INVITE, C_NOTE};
#else
static const int GROUP[] = {C_INTERVIEWS, C_COMPLETIONS, C_EXPORT};
#endif
#define N_GROUP (sizeof GROUP / sizeof GROUP[0])

/* Test _i is fault kind _i % N_KINDS on class GROUP[_i / N_KINDS]. */
START_TEST(test_fault_matrix)
{
    run_case(GROUP[(size_t)_i / N_KINDS], (int)((size_t)_i % N_KINDS));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    /* One test case per (class, kind), each with its own sandbox (see the top). */
    for (int i = 0; i < (int)(N_GROUP * N_KINDS); i++) {
        TCase *tc = tcase_create("matrix");
        tcase_add_unchecked_fixture(tc, sandbox_up, sandbox_down);
        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, test_fault_matrix, i, i + 1);
        suite_add_tcase(s, tc);
    }
    return e2e_run_suite(s);
}
