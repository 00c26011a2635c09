/*
 * End-to-end test support: a sandbox, a configuration in a temporary directory, the real
 * `hiresync` program run as a child process, and counts read back from the sandbox's admin
 * interface (GET /willo/participants, GET /eploy/actions).
 *
 * Ownership: an e2e is caller-owned; e2e_start() fills it and e2e_stop() stops the sandbox(es)
 * and removes the directory. Output of the last run is kept in e->out (static buffer).
 * Single-threaded.
 */
#ifndef TEST_E2E_UTIL_H
#define TEST_E2E_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#include "support/hs_test_sandbox.h"

typedef struct e2e {
    hs_test_sandbox sb;          /* the first tenant */
    hs_test_sandbox sb2;         /* a second Eploy tenant, when started */
    char dir[256];               /* temporary directory (config, state, output) */
    char config[300];
    char state_dir[300];
    char interview[64];          /* the first Willo interview's key */
    char out[65536];             /* stdout + stderr of the last run */
    int exit_code;               /* exit status, or -signal when killed */
} e2e;

/* Starts a sandbox (extra sandbox arguments may be NULL) and makes the directory. */
void e2e_start(e2e *e, const char *const *sandbox_args);
void e2e_start_second(e2e *e);
void e2e_stop(e2e *e);

/* Writes the configuration: connections "eploy" (and "eploy2" when the second tenant runs)
 * and "willo", plus the given "pipelines" members (a JSON fragment without braces). extra
 * is appended inside the top-level object (e.g. "\"workers\": 2,"), may be "". */
void e2e_config(e2e *e, const char *extra, const char *pipelines);

/* A pipeline fragment mapping e->interview to one job with the given trigger stage list
 * (a JSON array text), on connection ats. */
void e2e_pipeline(char *out, size_t size, const char *name, const char *ats,
                  const char *interview, const char *jobs_json);

/* Runs `hiresync -c CONFIG args...` (NULL-terminated) with optional extra environment
 * entries ("NAME=value", several separated by newlines, or NULL). Returns the exit status;
 * -N when killed by signal N. The program is $HIRESYNC_BIN, the one that is installed, or
 * $HIRESYNC_TEST_BIN (the same built with the test hooks) when env sets a hook
 * (HIRESYNC_FAKE_NOW, HIRESYNC_FAKE_NOW_FILE, HIRESYNC_CRASH_*). */
int e2e_run(e2e *e, const char *env, const char *const *args);
/* The same, in the background: e2e_spawn returns the child's pid; e2e_wait reaps it and reads
 * its output like e2e_run. */
pid_t e2e_spawn(e2e *e, const char *env, const char *const *args);
/* e2e_spawn with the given program. */
pid_t e2e_spawn_bin(e2e *e, const char *bin, const char *env, const char *const *args);
int e2e_wait(e2e *e, pid_t pid);
/* Shorthand: run --once --force. */
int e2e_cycle(e2e *e);

/* Admin helpers on the given sandbox; each fails the test on a transport error. */
void e2e_move(const hs_test_sandbox *sb, long app, const char *stage, const char *status);
/* Up to max application ids of a vacancy whose stage is not `not_stage`. Returns count. */
int e2e_apps(const hs_test_sandbox *sb, const char *vacancy, const char *not_stage, long *ids,
             int max);
/* Participants of an interview (all when NULL) with this email substring (all when NULL). */
int e2e_participants(const hs_test_sandbox *sb, const char *interview, const char *email);
/* Keys of participants of an interview; returns count. */
int e2e_participant_keys(const hs_test_sandbox *sb, const char *interview, char keys[][64],
                         int max);
void e2e_complete(const hs_test_sandbox *sb, const char *participant);
/* Eploy actions on an application (all when app is 0) whose text contains needle. */
int e2e_actions(const hs_test_sandbox *sb, long app, const char *needle);
/* The email of an application's candidate (from its participant, if invited). */
long e2e_candidate_of(const hs_test_sandbox *sb, long app);

/* The interview's life, read and driven through the admin interface. e2e_admin answers the
 * parsed JSON (caller puts it) and fails the test unless the status is 2xx. */
struct json_object;
struct json_object *e2e_admin(const hs_test_sandbox *sb, const char *method, const char *path,
                              const char *body);
/* The name of the stage an application is in now (a static buffer). */
const char *e2e_stage_of(const hs_test_sandbox *sb, long app);
/* Actions on an application whose outcome's id or name contains outcome. */
int e2e_outcomes(const hs_test_sandbox *sb, long app, const char *outcome);
/* The key of the application candidate's participant that has not expired. */
void e2e_participant_of(const hs_test_sandbox *sb, const char *interview, long app, char *key,
                        size_t size);
/* POST /willo/participants/{key}/{event} (start, complete, expire, decline); body may be NULL. */
void e2e_participant_event(const hs_test_sandbox *sb, const char *key, const char *event,
                           const char *body);
/* Sets the sandbox clock's offset. */
void e2e_clock(const hs_test_sandbox *sb, long long offset_ms);
/* Answers the sandbox gave on a statistics route ("PATCH /api/applications/{id}") since the
 * statistics were cleared, with status code (all when NULL). */
int e2e_answers(const hs_test_sandbox *sb, const char *server, const char *route,
                const char *code);
/* Export marks on an application. */
int e2e_exports(const hs_test_sandbox *sb, long app);

/* Runs every test of the suite (which it frees) and returns the program's exit status: 0 when
 * all passed, 1 otherwise. */
int e2e_run_suite(Suite *suite);

#endif /* TEST_E2E_UTIL_H */
