/* Willo webhook subscriptions managed by hiresync, end to end over loopback against the
 * sandbox: `webhooks sync` makes exactly one active subscription per pipeline, repairs a
 * changed one, removes stale ones it made and touches no other, twice the same; then the
 * daemon with its listener gets the sandbox's delivery and notes a completion within seconds,
 * exactly once, while a lost delivery is still caught by polling and forged, oversized and
 * unknown-pipeline deliveries change nothing. */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <check.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define H 3600LL

static e2e E;
static char BASE[64];            /* http://127.0.0.1:PORT: the listener, and the public URL */
static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";
static const char *const VI = "Video Interview";
static const char *const AUTH[] = {"Authorization: Bearer sandbox-willo-key", NULL};

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Pipeline "p" with a listener on a free port that is also the public URL. */
static void configure(void)
{
    char pipe[2048], extra[256];
    int port = free_port();
    snprintf(BASE, sizeof BASE, "http://127.0.0.1:%d", port);
    snprintf(extra, sizeof extra, "\"listen\": \"127.0.0.1:%d\", \"public_url\": \"%s/\",", port,
             BASE);
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, extra, pipe);
}

static long http(const char *method, const char *url, const char *const *headers,
                 const char *body, char **text)
{
    hs_test_response r;
    long status;
    memset(&r, 0, sizeof r);
    if (hs_test_request(method, url, headers, body, &r) != 0) {
        hs_test_response_clear(&r);
        return 0;
    }
    status = r.status;
    if (text != NULL)
        *text = strdup(r.body != NULL ? r.body : "");
    hs_test_response_clear(&r);
    return status;
}

static long get(const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", BASE, path);
    return http(method, url, NULL, body, NULL);
}

/* ---- Willo's subscriptions, through its API -------------------------------------------------- */

/* Creates a subscription; its key into key. */
static void subscribe(const char *target, const char *trigger, int active, char *key, size_t size)
{
    char url[400], body[700], *text = NULL;
    snprintf(url, sizeof url, "%s/webhooks/", E.sb.willo_url);
    snprintf(body, sizeof body, "{\"target_url\":\"%s\",\"trigger\":\"%s\",\"is_active\":%s}",
             target, trigger, active ? "true" : "false");
    ck_assert_int_eq(http("POST", url, AUTH, body, &text), 201);
    json_object *o = json_tokener_parse(text), *k;
    ck_assert(json_object_object_get_ex(o, "key", &k));
    snprintf(key, size, "%s", json_object_get_string(k));
    json_object_put(o);
    free(text);
}

/* Every subscription of the sandbox's account, as the "results" of one page (the tests make
 * fewer than 10). */
static json_object *subscriptions_of(const hs_test_sandbox *sb)
{
    char url[400], *text = NULL;
    json_object *o, *results;
    snprintf(url, sizeof url, "%s/webhooks/?page_size=30", sb->willo_url);
    ck_assert_int_eq(http("GET", url, AUTH, NULL, &text), 200);
    o = json_tokener_parse(text);
    free(text);
    ck_assert(json_object_object_get_ex(o, "results", &results));
    json_object_get(results);
    json_object_put(o);
    return results;
}

static json_object *subscriptions(void)
{
    return subscriptions_of(&E.sb);
}

/* The subscription with that target URL (borrowed from list), NULL when none. */
static json_object *by_target(json_object *list, const char *target, int *count)
{
    json_object *found = NULL;
    *count = 0;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *w = json_object_array_get_idx(list, i), *t;
        if (json_object_object_get_ex(w, "target_url", &t) &&
            strcmp(json_object_get_string(t), target) == 0) {
            found = w;
            (*count)++;
        }
    }
    return found;
}

static const char *str(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "";
}

/* The path `hiresync webhooks url PIPELINE` prints, with its token. */
static void hook_path_of(const char *pipeline, char *out, size_t size)
{
    const char *const url[] = {"webhooks", "url", pipeline, NULL};
    char *nl;
    ck_assert_msg(e2e_run(&E, NULL, url) == 0, "%s", E.out);
    snprintf(out, size, "%.200s", E.out);
    if ((nl = strchr(out, '\n')) != NULL)
        *nl = '\0';
}

static void hook_path(char *out, size_t size)
{
    hook_path_of("p", out, size);
}

static void sync_all(void)
{
    static const char *const sync[] = {"webhooks", "sync", NULL};
    ck_assert_msg(e2e_run(&E, NULL, sync) == 0, "webhooks sync: %s", E.out);
}

/* ---- subscriptions ------------------------------------------------------------------------- */

/* Before: p's subscription switched off, pointing at an old token and on another trigger; a
 * second one of p's; one of a pipeline that is gone; two of someone else (one under another
 * public URL). After `webhooks sync`: p's first is repaired, the rest of hiresync's deleted,
 * the foreign ones untouched; a second sync changes nothing. */
START_TEST(test_sync_one_per_pipeline_repairs_and_removes_only_its_own)
{
    static const char *const list[] = {"webhooks", "list", NULL};
    static const char *const check[] = {"check", NULL};
    char path[256], want[400], old[400], key_old[64], key_dup[64], key[64], foreign2[400];
    json_object *all, *w;
    int n;
    configure();
    hook_path(path, sizeof path);
    snprintf(want, sizeof want, "%s%s", BASE, path);
    snprintf(old, sizeof old, "%s/hooks/willo/p/0123456789abcdef", BASE);
    subscribe(old, "stage_change", 0, key_old, sizeof key_old);
    snprintf(old, sizeof old, "%s/hooks/willo/p/fedcba", BASE);
    subscribe(old, "new_response", 1, key_dup, sizeof key_dup);
    snprintf(old, sizeof old, "%s/hooks/willo/gone/abcdef", BASE);
    subscribe(old, "new_response", 1, key, sizeof key);
    subscribe("https://elsewhere.example/hook", "new_response", 1, key, sizeof key);
    snprintf(foreign2, sizeof foreign2, "https://other.example/hooks/willo/p/%.100s", path + 15);
    subscribe(foreign2, "stage_change", 0, key, sizeof key);

    ck_assert_msg(e2e_run(&E, NULL, list) == 1, "list with work to do: %s", E.out);
    ck_assert_msg(strstr(E.out, "differs") && strstr(E.out, "stale") &&
                  strstr(E.out, path + 15) == NULL, "%s", E.out);
    ck_assert_int_eq(json_object_array_length(all = subscriptions()), 5); /* list changed none */
    json_object_put(all);

    sync_all();
    ck_assert_msg(strstr(E.out, "repaired") && strstr(E.out, "deleted") &&
                  strstr(E.out, path + 15) == NULL, "%s", E.out);
    all = subscriptions();
    ck_assert_uint_eq(json_object_array_length(all), 3);
    w = by_target(all, want, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(str(w, "key"), key_old);
    ck_assert_str_eq(str(w, "trigger"), "new_response");
    ck_assert(json_object_get_boolean(json_object_object_get(w, "is_active")));
    ck_assert_ptr_nonnull(by_target(all, "https://elsewhere.example/hook", &n));
    w = by_target(all, foreign2, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(str(w, "trigger"), "stage_change");
    ck_assert(!json_object_get_boolean(json_object_object_get(w, "is_active")));
    char *before = strdup(json_object_to_json_string(all));
    json_object_put(all);

    sync_all(); /* idempotent */
    ck_assert_msg(strstr(E.out, "kept") && !strstr(E.out, "created") &&
                  !strstr(E.out, "repaired") && !strstr(E.out, "deleted"), "%s", E.out);
    all = subscriptions();
    ck_assert_str_eq(json_object_to_json_string(all), before);
    json_object_put(all);
    free(before);
    ck_assert_msg(e2e_run(&E, NULL, list) == 0, "list when all is well: %s", E.out);
    e2e_run(&E, NULL, check);
    ck_assert_msg(strstr(E.out, "one active subscription points at this pipeline's webhook"),
                  "%s", E.out);

    /* one pipeline only: a stale one of another pipeline stays; a missing one is made */
    snprintf(old, sizeof old, "%s/hooks/willo/gone/abcdef", BASE);
    subscribe(old, "new_response", 1, key, sizeof key);
    snprintf(old, sizeof old, "%s/webhooks/%s/", E.sb.willo_url, key_old);
    ck_assert_int_eq(http("DELETE", old, AUTH, NULL, NULL), 204);
    e2e_run(&E, NULL, check);
    ck_assert_msg(strstr(E.out, "no subscription points at this pipeline's webhook"), "%s",
                  E.out);
    static const char *const sync_p[] = {"webhooks", "sync", "p", NULL};
    ck_assert_msg(e2e_run(&E, NULL, sync_p) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "created") && !strstr(E.out, "deleted"), "%s", E.out);
    all = subscriptions();
    ck_assert_uint_eq(json_object_array_length(all), 4);
    ck_assert_ptr_nonnull(by_target(all, want, &n));
    ck_assert_int_eq(n, 1);
    snprintf(old, sizeof old, "%s/hooks/willo/gone/abcdef", BASE);
    ck_assert_ptr_nonnull(by_target(all, old, &n));
    json_object_put(all);
}
END_TEST

/* A pipeline without public_url cannot be synced; one that is not https (or loopback http)
 * is refused when the configuration loads. */
START_TEST(test_sync_needs_a_public_url)
{
    static const char *const sync_p[] = {"webhooks", "sync", "p", NULL};
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "", pipe);
    ck_assert_int_eq(e2e_run(&E, NULL, sync_p), 2);
    ck_assert_msg(strstr(E.out, "has no public_url"), "%s", E.out);
    e2e_config(&E, "\"public_url\": \"http://hooks.example.com\",", pipe);
    ck_assert_int_eq(e2e_run(&E, NULL, sync_p), 2);
    ck_assert_msg(strstr(E.out, "$.public_url") && strstr(E.out, "loopback only"), "%s", E.out);
}
END_TEST

/* ---- two Willo connections, one public URL ------------------------------------------------- */

static const char *const NAMES[] = {"a", "b", "c"};

/* Pipelines a (on connection willo) and b, c (on connection willo2) under one public URL;
 * willo2 is willo with willo2_url as its base URL: another connection to the same Willo
 * account (the same key, as for two teams) when that is willo's, another account otherwise. */
static void configure_two(const char *willo2_url)
{
    char pipes[3][2048], all[6400], extra[256];
    json_object *cfg, *conns, *willo2 = NULL, *pipelines;
    int port = free_port();
    snprintf(BASE, sizeof BASE, "http://127.0.0.1:%d", port);
    snprintf(extra, sizeof extra, "\"listen\": \"127.0.0.1:%d\", \"public_url\": \"%s\",", port,
             BASE);
    for (int i = 0; i < 3; i++)
        e2e_pipeline(pipes[i], sizeof pipes[i], NAMES[i], "eploy", E.interview, JOB_VI);
    snprintf(all, sizeof all, "%s, %s, %s", pipes[0], pipes[1], pipes[2]);
    e2e_config(&E, extra, all);
    ck_assert_ptr_nonnull(cfg = json_object_from_file(E.config));
    conns = json_object_object_get(cfg, "connections");
    pipelines = json_object_object_get(cfg, "pipelines");
    ck_assert_int_eq(json_object_deep_copy(json_object_object_get(conns, "willo"), &willo2,
                                           NULL), 0);
    json_object_object_add(willo2, "base_url", json_object_new_string(willo2_url));
    json_object_object_add(conns, "willo2", willo2);
    for (int i = 1; i < 3; i++)
        json_object_object_add(json_object_object_get(pipelines, NAMES[i]), "interviews",
                               json_object_new_string("willo2"));
    ck_assert_int_eq(json_object_to_file_ext(E.config, cfg, JSON_C_TO_STRING_PRETTY), 0);
    json_object_put(cfg);
}

/* Occurrences of needle in E.out. */
static int count_out(const char *needle)
{
    int n = 0;
    for (const char *at = E.out; (at = strstr(at, needle)) != NULL; at += strlen(needle))
        n++;
    return n;
}

/* Each wanted URL (of NAMES[first..last]) exactly once, active, on new_response, in list. */
static void each_once(json_object *list, char want[][400], int first, int last)
{
    for (int i = first; i <= last; i++) {
        int n;
        json_object *w = by_target(list, want[i], &n);
        ck_assert_msg(n == 1, "pipeline %s has %d subscriptions", NAMES[i], n);
        ck_assert_str_eq(str(w, "trigger"), "new_response");
        ck_assert(json_object_get_boolean(json_object_object_get(w, "is_active")));
    }
}

/* Two connections to one Willo account, their pipelines under one public URL: neither takes
 * the other's subscriptions for stale. Every pipeline keeps exactly one, the one of a pipeline
 * that is gone is deleted, a foreign one stays; each is reported once, under its pipeline. */
START_TEST(test_sync_two_connections_to_one_account)
{
    static const char *const list[] = {"webhooks", "list", NULL};
    static const char *const check[] = {"check", NULL};
    static const char *const sync_b[] = {"webhooks", "sync", "b", NULL};
    char want[3][400], path[256], gone[400], key[64], *before;
    json_object *all;
    configure_two(E.sb.willo_url);
    for (int i = 0; i < 3; i++) {
        hook_path_of(NAMES[i], path, sizeof path);
        snprintf(want[i], sizeof want[i], "%s%s", BASE, path);
    }
    snprintf(gone, sizeof gone, "%s/hooks/willo/gone/abcdef", BASE);
    subscribe(gone, "new_response", 1, key, sizeof key);
    subscribe("https://elsewhere.example/hook", "new_response", 1, key, sizeof key);

    sync_all();
    ck_assert_msg(count_out(" created ") == 3 && count_out(" deleted ") == 1 &&
                  count_out(" kept ") == 0, "%s", E.out);
    all = subscriptions();
    ck_assert_uint_eq(json_object_array_length(all), 4);
    each_once(all, want, 0, 2);
    ck_assert_ptr_nonnull(by_target(all, "https://elsewhere.example/hook", &(int){0}));
    before = strdup(json_object_to_json_string(all));
    json_object_put(all);

    sync_all(); /* idempotent: the two connections no longer undo each other */
    ck_assert_msg(count_out(" kept ") == 3 && count_out(" created ") == 0 &&
                  count_out(" repaired ") == 0 && count_out(" deleted ") == 0, "%s", E.out);
    for (int i = 0; i < 3; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n%-20s kept ", NAMES[i]);
        ck_assert_msg(count_out(line) == 1, "%s", E.out);
    }
    all = subscriptions();
    ck_assert_str_eq(json_object_to_json_string(all), before);
    json_object_put(all);

    ck_assert_msg(e2e_run(&E, NULL, list) == 0, "list: %s", E.out);
    ck_assert_msg(count_out(" ok ") == 3, "each subscription once: %s", E.out);
    e2e_run(&E, NULL, check);
    ck_assert_msg(count_out("one active subscription points at this pipeline's webhook") == 3,
                  "%s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, sync_b) == 0, "%s", E.out);
    ck_assert_msg(count_out(" kept ") == 1 && count_out(" deleted ") == 0, "%s", E.out);
    all = subscriptions();
    ck_assert_str_eq(json_object_to_json_string(all), before);
    json_object_put(all);
    free(before);
}
END_TEST

/* willo2 is another Willo account, and willo's still has b's subscription from when b was
 * on willo (its very URL): that one is stale there and is deleted, while b and c get theirs
 * in willo2's account. */
START_TEST(test_sync_leftover_in_another_account_is_deleted)
{
    char want[3][400], path[256], key[64], *before[2];
    json_object *all[2];
    e2e_start_second(&E);
    configure_two(E.sb2.willo_url);
    for (int i = 0; i < 3; i++) {
        hook_path_of(NAMES[i], path, sizeof path);
        snprintf(want[i], sizeof want[i], "%s%s", BASE, path);
    }
    subscribe(want[1], "new_response", 1, key, sizeof key);

    for (int round = 0; round < 2; round++) {
        sync_all();
        all[0] = subscriptions();
        all[1] = subscriptions_of(&E.sb2);
        ck_assert_uint_eq(json_object_array_length(all[0]), 1);
        each_once(all[0], want, 0, 0);
        ck_assert_uint_eq(json_object_array_length(all[1]), 2);
        each_once(all[1], want, 1, 2);
        for (int i = 0; i < 2; i++) {
            if (round == 0)
                before[i] = strdup(json_object_to_json_string(all[i]));
            else
                ck_assert_str_eq(json_object_to_json_string(all[i]), before[i]);
            json_object_put(all[i]);
        }
    }
    ck_assert_msg(count_out(" kept ") == 3 && count_out(" deleted ") == 0, "%s", E.out);
    free(before[0]);
    free(before[1]);
}
END_TEST

/* ---- the daemon ---------------------------------------------------------------------------- */

static void set_clock(const char *file, long long wall_s, long long mono_s)
{
    char tmp[420];
    FILE *f;
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%lld %lld\n", wall_s, mono_s);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, file), 0);
}

static pid_t start_daemon(const char *env)
{
    static const char *const run[] = {"run", NULL};
    pid_t pid = e2e_spawn(&E, env, run);
    for (int i = 0; i < 200; i++) {
        if (get("GET", "/healthz", NULL) == 200)
            return pid;
        usleep(100000);
    }
    kill(pid, SIGTERM);
    e2e_wait(&E, pid);
    ck_abort_msg("the listener never answered: %s", E.out);
    return -1;
}

static void stop_daemon(pid_t pid)
{
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
}

/* A baseline, then one candidate moved and invited; its application id and participant. */
static long invited(char *participant, size_t size)
{
    char keys[4][64];
    long ids[1];
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "invitation: %s", E.out);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 4), 1);
    snprintf(participant, size, "%s", keys[0]);
    return ids[0];
}

/* The state of the sandbox's last delivery ("" when none). */
static void last_delivery(char *state, size_t size)
{
    char *body = NULL;
    long st;
    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/willo/deliveries", NULL, &st, &body), 0);
    json_object *a = json_tokener_parse(body);
    size_t n = json_object_array_length(a);
    snprintf(state, size, "%s", n ? str(json_object_array_get_idx(a, n - 1), "state") : "");
    json_object_put(a);
    free(body);
}

/* A completion reaches Eploy as a note within seconds of the sandbox's delivery to the
 * subscription `webhooks sync` made, while the next poll is hours away; exactly once. */
START_TEST(test_completion_noted_within_seconds_exactly_once)
{
    char participant[64], state[32] = "";
    int noted = 0;
    long app;
    pid_t pid;
    configure();
    app = invited(participant, sizeof participant);
    sync_all();
    pid = start_daemon(NULL);
    e2e_complete(&E.sb, participant);
    for (int i = 0; i < 100 && !(noted = e2e_actions(&E.sb, app, participant)); i++)
        usleep(100000);
    ck_assert_msg(noted == 1, "no note within 10 s of the completion");
    last_delivery(state, sizeof state);
    ck_assert_str_eq(state, "delivered");
    usleep(1500000);
    ck_assert_int_eq(e2e_actions(&E.sb, app, participant), 1);
    stop_daemon(pid);
}
END_TEST

/* A delivery lost on the way changes nothing until the next poll, which notes the completion
 * (the daemon's clock moved past the interval); forged, unknown-pipeline and oversized
 * deliveries in the meantime change nothing either. */
START_TEST(test_lost_delivery_caught_by_polling)
{
    char participant[64], path[256], forged[256], state[32] = "", clock[400], env[512], *big;
    long long w, mono = 100000;
    long app, st;
    int noted = 0;
    pid_t pid;
    configure();
    app = invited(participant, sizeof participant);
    sync_all();
    hook_path(path, sizeof path);
    w = (long long)time(NULL) + 5;
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, mono);
    pid = start_daemon(env);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/willo/settings", "{\"delivery_drop\":1}",
                                   &st, NULL), 0);
    ck_assert_int_eq(st, 200);
    e2e_complete(&E.sb, participant);
    for (int i = 0; i < 50 && strcmp(state, "failed") != 0; i++) {
        last_delivery(state, sizeof state);
        usleep(100000);
    }
    ck_assert_str_eq(state, "failed");

    snprintf(forged, sizeof forged, "%s", path);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
    ck_assert_int_eq(get("POST", forged, "{}"), 404);
    ck_assert_int_eq(get("POST", "/hooks/willo/nosuch/0123", "{}"), 404);
    big = malloc(70 * 1024 + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 70 * 1024);
    big[70 * 1024] = '\0';
    ck_assert_int_eq(get("POST", path, big), 413);
    free(big);
    usleep(1500000);
    ck_assert_int_eq(e2e_actions(&E.sb, app, participant), 0);

    set_clock(clock, w + 3 * H + 400, mono + 3 * H + 400);
    for (int i = 0; i < 200 && !(noted = e2e_actions(&E.sb, app, participant)); i++)
        usleep(100000);
    ck_assert_msg(noted == 1, "the poll did not note the completion");
    stop_daemon(pid);
    ck_assert_msg(strstr(E.out, path + 15) == NULL, "the token was logged: %s", E.out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("webhooks_e2e");
    TCase *tc = tcase_create("webhooks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sync_one_per_pipeline_repairs_and_removes_only_its_own);
    tcase_add_test(tc, test_sync_needs_a_public_url);
    tcase_add_test(tc, test_sync_two_connections_to_one_account);
    tcase_add_test(tc, test_sync_leftover_in_another_account_is_deleted);
    tcase_add_test(tc, test_completion_noted_within_seconds_exactly_once);
    tcase_add_test(tc, test_lost_delivery_caught_by_polling);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
