/* End-to-end test support (see test_e2e_util.h). */
#define _GNU_SOURCE

#include "test_e2e_util.h"

#include <check.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static json_object *admin_json(const hs_test_sandbox *sb, const char *method, const char *path,
                               const char *body)
{
    long status = 0;
    char *text = NULL;
    json_object *o;
    ck_assert_msg(hs_test_admin(sb, method, path, body, &status, &text) == 0,
                  "admin %s %s: no response", method, path);
    ck_assert_msg(status >= 200 && status < 300, "admin %s %s: %ld %s", method, path, status,
                  text ? text : "");
    o = json_tokener_parse(text ? text : "null");
    free(text);
    return o;
}

void e2e_start(e2e *e, const char *const *sandbox_args)
{
    json_object *ivs;
    memset(e, 0, sizeof *e);
    ck_assert_int_eq(hs_test_sandbox_start(&e->sb, sandbox_args), 0);
    snprintf(e->dir, sizeof e->dir, "/tmp/hs-e2e-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
    snprintf(e->config, sizeof e->config, "%s/hiresync.json", e->dir);
    snprintf(e->state_dir, sizeof e->state_dir, "%s/state", e->dir);
    ivs = admin_json(&e->sb, "GET", "/willo/interviews", NULL);
    ck_assert_int_gt((int)json_object_array_length(ivs), 0);
    snprintf(e->interview, sizeof e->interview, "%s",
             json_object_get_string(json_object_object_get(json_object_array_get_idx(ivs, 0),
                                                           "key")));
    json_object_put(ivs);
}

void e2e_start_second(e2e *e)
{
    static const char *const args[] = {"--seed", "2", NULL};
    ck_assert_int_eq(hs_test_sandbox_start(&e->sb2, args), 0);
}

void e2e_stop(e2e *e)
{
    if (e->sb.pid)
        hs_test_sandbox_stop(&e->sb);
    if (e->sb2.pid)
        hs_test_sandbox_stop(&e->sb2);
    if (e->dir[0]) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
        ck_assert_int_eq(system(cmd), 0);
    }
}

static void eploy_connection(char *out, size_t size, const char *name, const hs_test_sandbox *sb)
{
    snprintf(out, size,
             "\"%s\": {\"connector\": \"eploy\", \"base_url\": \"%s\", \"client_id\": "
             "\"sandbox-client\", \"client_secret\": \"sandbox-secret\", \"note_action_type\": "
             "\"1\", \"signpost_lag_s\": 0},",
             name, sb->eploy_url);
}

void e2e_config(e2e *e, const char *extra, const char *pipelines)
{
    char c1[1024], c2[1024] = "";
    FILE *f;
    eploy_connection(c1, sizeof c1, "eploy", &e->sb);
    if (e->sb2.pid)
        eploy_connection(c2, sizeof c2, "eploy2", &e->sb2);
    f = fopen(e->config, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{ \"state_dir\": \"%s\", %s\n"
            "  \"connections\": { %s %s\n"
            "    \"willo\": {\"connector\": \"willo\", \"base_url\": \"%s\", \"api_key\": "
            "\"sandbox-willo-key\", \"min_gap_ms\": 0, \"retry_backoff_ms\": 1} },\n"
            "  \"pipelines\": { %s } }\n",
            e->state_dir, extra, c1, c2, e->sb.willo_url, pipelines);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(e->config, 0600), 0);
}

void e2e_pipeline(char *out, size_t size, const char *name, const char *ats,
                  const char *interview, const char *jobs_json)
{
    snprintf(out, size,
             "\"%s\": {\"ats\": \"%s\", \"interviews\": \"willo\", \"interval\": \"3h\", "
             "\"mappings\": [{\"interview\": \"%s\", \"jobs\": %s}]}",
             name, ats, interview, jobs_json);
}

/* The test hooks exist only in the test build of the program. */
static int uses_test_hooks(const char *env)
{
    return env != NULL && (strstr(env, "HIRESYNC_FAKE_NOW") != NULL ||
                           strstr(env, "HIRESYNC_CRASH_") != NULL);
}

pid_t e2e_spawn(e2e *e, const char *env, const char *const *args)
{
    return e2e_spawn_bin(e, getenv(uses_test_hooks(env) ? "HIRESYNC_TEST_BIN" : "HIRESYNC_BIN"),
                         env, args);
}

pid_t e2e_spawn_bin(e2e *e, const char *bin, const char *env, const char *const *args)
{
    char outpath[400];
    char *argv[32];
    int n = 0;
    pid_t pid;
    ck_assert_ptr_nonnull(bin);
    snprintf(outpath, sizeof outpath, "%s/out.txt", e->dir);
    argv[n++] = (char *)bin;
    argv[n++] = (char *)"-c";
    argv[n++] = e->config;
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        for (const char *p = env; p != NULL && *p != '\0';) {
            const char *nl = strchr(p, '\n');
            char *one = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
            if (one == NULL || putenv(one) != 0)
                _exit(125);
            p = nl ? nl + 1 : NULL;
        }
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

int e2e_wait(e2e *e, pid_t pid)
{
    char outpath[400];
    int status, fd;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    snprintf(outpath, sizeof outpath, "%s/out.txt", e->dir);
    e->out[0] = '\0';
    fd = open(outpath, O_RDONLY);
    if (fd >= 0) {
        ssize_t got = read(fd, e->out, sizeof e->out - 1);
        e->out[got > 0 ? got : 0] = '\0';
        close(fd);
    }
    e->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return e->exit_code;
}

int e2e_run(e2e *e, const char *env, const char *const *args)
{
    return e2e_wait(e, e2e_spawn(e, env, args));
}

int e2e_cycle(e2e *e)
{
    static const char *const args[] = {"run", "--once", "--force", NULL};
    return e2e_run(e, NULL, args);
}

void e2e_move(const hs_test_sandbox *sb, long app, const char *stage, const char *status)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/eploy/applications/%ld/move", app);
    if (status)
        snprintf(body, sizeof body, "{\"stage\":\"%s\",\"status\":\"%s\"}", stage, status);
    else
        snprintf(body, sizeof body, "{\"stage\":\"%s\"}", stage);
    json_object_put(admin_json(sb, "POST", path, body));
}

int e2e_apps(const hs_test_sandbox *sb, const char *vacancy, const char *not_stage, long *ids,
             int max)
{
    char path[128];
    json_object *arr;
    int n = 0;
    snprintf(path, sizeof path, "/eploy/applications?vacancy=%s", vacancy);
    arr = admin_json(sb, "GET", path, NULL);
    for (size_t i = 0; i < json_object_array_length(arr) && n < max; i++) {
        json_object *a = json_object_array_get_idx(arr, i);
        const char *stage = json_object_get_string(json_object_object_get(a, "Stage"));
        if (not_stage && stage && strcmp(stage, not_stage) == 0)
            continue;
        ids[n++] = (long)json_object_get_int64(json_object_object_get(a, "ApplicationId"));
    }
    json_object_put(arr);
    return n;
}

int e2e_participants(const hs_test_sandbox *sb, const char *interview, const char *email)
{
    char path[160];
    json_object *arr;
    int n = 0;
    snprintf(path, sizeof path, "/willo/participants%s%s", interview ? "?interview=" : "",
             interview ? interview : "");
    arr = admin_json(sb, "GET", path, NULL);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        const char *em = json_object_get_string(
            json_object_object_get(json_object_array_get_idx(arr, i), "email"));
        if (email == NULL || (em && strstr(em, email)))
            n++;
    }
    json_object_put(arr);
    return n;
}

int e2e_participant_keys(const hs_test_sandbox *sb, const char *interview, char keys[][64],
                         int max)
{
    char path[160];
    json_object *arr;
    int n = 0;
    snprintf(path, sizeof path, "/willo/participants?interview=%s", interview);
    arr = admin_json(sb, "GET", path, NULL);
    for (size_t i = 0; i < json_object_array_length(arr) && n < max; i++)
        snprintf(keys[n++], 64, "%s", json_object_get_string(json_object_object_get(
                                           json_object_array_get_idx(arr, i), "key")));
    json_object_put(arr);
    return n;
}

void e2e_complete(const hs_test_sandbox *sb, const char *participant)
{
    char path[160];
    snprintf(path, sizeof path, "/willo/participants/%s/complete", participant);
    json_object_put(admin_json(sb, "POST", path, NULL));
}

int e2e_actions(const hs_test_sandbox *sb, long app, const char *needle)
{
    json_object *arr = admin_json(sb, "GET", "/eploy/actions", NULL);
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *a = json_object_array_get_idx(arr, i), *ap;
        const char *text = json_object_to_json_string(a);
        long id = 0;
        if (json_object_object_get_ex(a, "Application", &ap))
            id = (long)json_object_get_int64(json_object_object_get(ap, "Id"));
        if ((app == 0 || id == app) && (needle == NULL || strstr(text, needle)))
            n++;
    }
    json_object_put(arr);
    return n;
}

long e2e_candidate_of(const hs_test_sandbox *sb, long app)
{
    char path[128];
    json_object *a, *c;
    long id = 0;
    snprintf(path, sizeof path, "/eploy/applications/%ld", app);
    a = admin_json(sb, "GET", path, NULL);
    if (json_object_object_get_ex(a, "Candidate", &c))
        id = (long)json_object_get_int64(json_object_object_get(c, "Id"));
    json_object_put(a);
    return id;
}

json_object *e2e_admin(const hs_test_sandbox *sb, const char *method, const char *path,
                       const char *body)
{
    return admin_json(sb, method, path, body);
}

const char *e2e_stage_of(const hs_test_sandbox *sb, long app)
{
    static char name[128];
    char path[96];
    json_object *a, *wf, *st, *d;
    snprintf(path, sizeof path, "/eploy/applications/%ld", app);
    a = admin_json(sb, "GET", path, NULL);
    name[0] = '\0';
    if (json_object_object_get_ex(a, "Workflow", &wf) &&
        json_object_object_get_ex(wf, "Stage", &st) &&
        json_object_object_get_ex(st, "Description", &d))
        snprintf(name, sizeof name, "%s", json_object_get_string(d));
    json_object_put(a);
    return name;
}

int e2e_outcomes(const hs_test_sandbox *sb, long app, const char *outcome)
{
    json_object *arr = admin_json(sb, "GET", "/eploy/actions", NULL);
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *a = json_object_array_get_idx(arr, i), *ap, *oc;
        long id = 0;
        if (json_object_object_get_ex(a, "Application", &ap))
            id = (long)json_object_get_int64(json_object_object_get(ap, "Id"));
        if (id != app || !json_object_object_get_ex(a, "ActionOutcome", &oc) ||
            !json_object_is_type(oc, json_type_object))
            continue;
        if (strstr(json_object_to_json_string(oc), outcome) != NULL)
            n++;
    }
    json_object_put(arr);
    return n;
}

void e2e_participant_of(const hs_test_sandbox *sb, const char *interview, long app, char *key,
                        size_t size)
{
    char path[160], needle[32];
    json_object *arr;
    snprintf(needle, sizeof needle, ".%ld@", e2e_candidate_of(sb, app));
    snprintf(path, sizeof path, "/willo/participants?interview=%s", interview);
    arr = admin_json(sb, "GET", path, NULL);
    key[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *p = json_object_array_get_idx(arr, i), *em, *k, *st;
        if (json_object_object_get_ex(p, "email", &em) &&
            strstr(json_object_get_string(em), needle) != NULL &&
            json_object_object_get_ex(p, "key", &k) &&
            !(json_object_object_get_ex(p, "status", &st) &&
              strcmp(json_object_get_string(st), "expired") == 0))
            snprintf(key, size, "%s", json_object_get_string(k));
    }
    json_object_put(arr);
    ck_assert_msg(key[0] != '\0', "no live participant for application %ld", app);
}

void e2e_participant_event(const hs_test_sandbox *sb, const char *key, const char *event,
                           const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/willo/participants/%s/%s", key, event);
    json_object_put(admin_json(sb, "POST", path, body));
}

void e2e_clock(const hs_test_sandbox *sb, long long offset_ms)
{
    char body[64];
    snprintf(body, sizeof body, "{\"offset_ms\":%lld}", offset_ms);
    json_object_put(admin_json(sb, "POST", "/clock", body));
}

int e2e_answers(const hs_test_sandbox *sb, const char *server, const char *route,
                const char *code)
{
    json_object *stats = admin_json(sb, "GET", "/stats", NULL), *srv, *routes, *r;
    int n = 0;
    if (json_object_object_get_ex(stats, server, &srv) &&
        json_object_object_get_ex(srv, "routes", &routes) &&
        json_object_object_get_ex(routes, route, &r)) {
        json_object_object_foreach(r, c, count) {
            if (code == NULL || strcmp(c, code) == 0)
                n += json_object_get_int(count);
        }
    }
    json_object_put(stats);
    return n;
}

int e2e_exports(const hs_test_sandbox *sb, long app)
{
    json_object *arr = admin_json(sb, "GET", "/eploy/exports", NULL);
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *m = json_object_array_get_idx(arr, i), *v;
        if (json_object_object_get_ex(m, "ApplicationId", &v) &&
            (long)json_object_get_int64(v) == app)
            n++;
    }
    json_object_put(arr);
    return n;
}

int e2e_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
