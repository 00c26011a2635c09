/*
 * `make bench`, second part: how long a completed interview takes to reach Eploy as a note.
 *
 * One pipeline (interval 1 minute) over the sandbox; a baseline cycle, then 2 x N candidates
 * moved into the trigger stage and invited by one cycle; `hiresync webhooks sync` makes the
 * pipeline's Willo subscription; then `hiresync run` serves its listener on loopback, which is
 * also the public URL the sandbox delivers to. Two phases, each N completions (admin POST
 * /willo/participants/{key}/complete), each timed from the completion to the first Eploy
 * action carrying the participant's key (admin GET /eploy/actions, polled every 20 ms):
 *   - webhooks on: completions BENCH_LATENCY_GAP_MS apart (default 10500, just over the
 *     doorbell's 10 s rate limit, so each is measured on its own);
 *   - polling only: every delivery lost (the sandbox's delivery_drop), completions spread
 *     evenly over one interval, so the note waits for the next cycle.
 * A third phase then times candidate moved -> invitation: BENCH_LATENCY_MOVES (default 10)
 * further applications moved into the trigger stage (admin POST .../move), spread evenly
 * over one interval, each timed from its move until the interview holds one more
 * participant than before it (a cycle invites every candidate moved before its read, so
 * invitations arrive in the order of the moves; polled every 20 ms).
 * Each phase prints a row in the table format of bench.c: records = completions noted, wall
 * s = the phase, requests = made to the sandbox during it, CPU % of wall and peak RSS of the
 * daemon over its whole life (from wait4), target p50 under 5 s for the webhook phase.
 *
 * Output: the rows on stdout, appended to $BENCH_OUT (default bench-results.txt).
 * Environment: HIRESYNC_BIN, HIRESYNC_SANDBOX, HIRESYNC_CONNECTOR_DIR, HIRESYNC_MANIFEST_DIR;
 * BENCH_LATENCY_N (default 20), BENCH_LATENCY_GAP_MS, BENCH_LATENCY_MOVES (default 10).
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "hs_test_sandbox.h"

#define MAX_N 100
#define INTERVAL_S 60
#define VI "Video Interview"

typedef struct lat {
    hs_test_sandbox sb;
    const char *bin;
    char dir[256], config[300], log[300], interview[64], base[64];
    char keys[2 * MAX_N][64];
    int n;
    pid_t daemon;
} lat;

static lat *g;

static json_object *admin(const char *method, const char *path, const char *body)
{
    char *text = NULL;
    long status = 0;
    if (hs_test_admin(&g->sb, method, path, body, &status, &text) != 0 || status >= 400)
        hs_bench_die("admin %s %s answered %ld: %s", method, path, status, text ? text : "");
    json_object *o = json_tokener_parse(text ? text : "null");
    free(text);
    return o;
}

static const char *str(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "";
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        hs_bench_die("no free port: %s", strerror(errno));
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void write_config(void)
{
    int port = free_port();
    FILE *f = fopen(g->config, "w");
    snprintf(g->base, sizeof g->base, "http://127.0.0.1:%d", port);
    if (f == NULL)
        hs_bench_die("%s: %s", g->config, strerror(errno));
    fprintf(f, "{ \"state_dir\": \"%s/state\", \"listen\": \"127.0.0.1:%d\", "
               "\"public_url\": \"%s\",\n"
               "  \"connections\": {\n"
               "    \"eploy\": {\"connector\": \"eploy\", \"base_url\": \"%s\", "
               "\"client_id\": \"sandbox-client\", \"client_secret\": \"sandbox-secret\", "
               "\"note_action_type\": \"1\", \"signpost_lag_s\": 0},\n"
               "    \"willo\": {\"connector\": \"willo\", \"base_url\": \"%s\", "
               "\"api_key\": \"sandbox-willo-key\", \"min_gap_ms\": 0} },\n"
               "  \"pipelines\": { \"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", "
               "\"interval\": \"1m\", \"mappings\": [{\"interview\": \"%s\", "
               "\"invite_existing\": false, \"jobs\": [{\"job\": \"1001\", "
               "\"trigger_stages\": [\"" VI "\"]}]}]} } }\n",
            g->dir, port, g->base, g->sb.eploy_url, g->sb.willo_url, g->interview);
    if (fclose(f) != 0 || chmod(g->config, 0600) != 0)
        hs_bench_die("%s: %s", g->config, strerror(errno));
}

/* Starts `hiresync -c CONFIG args...` with its output in the log; returns its pid. */
static pid_t spawn(const char *const *args)
{
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)g->bin;
    argv[n++] = (char *)"-c";
    argv[n++] = g->config;
    for (size_t i = 0; args[i] && n < 11; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        hs_bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(g->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(g->bin, argv);
        _exit(127);
    }
    return pid;
}

static void run(const char *const *args)
{
    int status = 0;
    pid_t pid = spawn(args);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        hs_bench_die("hiresync %s failed; see %s", args[0], g->log);
}

/* Baseline, then 2n candidates of job 1001 moved into the trigger stage and invited. */
static void invite(void)
{
    static const char *const cycle[] = {"run", "--once", "--force", NULL};
    json_object *apps = admin("GET", "/eploy/applications?vacancy=1001&limit=1000", NULL), *ps;
    int moved = 0;
    run(cycle);
    for (size_t i = 0; i < json_object_array_length(apps) && moved < 2 * g->n; i++) {
        json_object *a = json_object_array_get_idx(apps, i);
        char path[128];
        if (strcmp(str(a, "Stage"), VI) == 0)
            continue;
        snprintf(path, sizeof path, "/eploy/applications/%s/move", str(a, "ApplicationId"));
        json_object_put(admin("POST", path, "{\"stage\":\"" VI "\"}"));
        moved++;
    }
    json_object_put(apps);
    if (moved < 2 * g->n)
        hs_bench_die("job 1001 has only %d applications to move; lower BENCH_LATENCY_N", moved);
    run(cycle);
    char path[160];
    snprintf(path, sizeof path, "/willo/participants?interview=%s", g->interview);
    ps = admin("GET", path, NULL);
    if ((int)json_object_array_length(ps) < 2 * g->n)
        hs_bench_die("%zu invitations, %d expected; see %s", json_object_array_length(ps), 2 * g->n,
            g->log);
    for (int i = 0; i < 2 * g->n; i++)
        snprintf(g->keys[i], sizeof g->keys[i], "%s",
                 str(json_object_array_get_idx(ps, (size_t)i), "key"));
    json_object_put(ps);
}

static int healthy(void)
{
    char url[128];
    hs_test_response r;
    memset(&r, 0, sizeof r);
    snprintf(url, sizeof url, "%s/healthz", g->base);
    int ok = hs_test_request("GET", url, NULL, NULL, &r) == 0 && r.status == 200;
    hs_test_response_clear(&r);
    return ok;
}

static int noted(const char *key)
{
    json_object *acts = admin("GET", "/eploy/actions", NULL);
    int found = strstr(json_object_to_json_string(acts), key) != NULL;
    json_object_put(acts);
    return found;
}

static long requests(void)
{
    json_object *st = admin("GET", "/stats", NULL), *s, *v;
    long n = 0;
    static const char *const servers[] = {"eploy", "willo"};
    for (int i = 0; i < 2; i++)
        if (json_object_object_get_ex(st, servers[i], &s) &&
            json_object_object_get_ex(s, "requests", &v))
            n += (long)json_object_get_int64(v);
    json_object_put(st);
    return n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct phase {
    double p50, max, wall;
    int noted;
    long requests;
} phase;

/* Completes keys[first..first+n) gap_s apart and times each until its note (up to limit_s
 * after its completion). */
static phase measure(int first, double gap_s, double limit_s)
{
    double t[MAX_N], done[MAX_N], start = hs_bench_now_s();
    phase ph = {0, 0, 0, 0, 0};
    int left = g->n, next = 0;
    json_object_put(admin("DELETE", "/stats", NULL));
    for (int i = 0; i < g->n; i++)
        done[i] = -1;
    while (left > 0) {
        double now = hs_bench_now_s();
        if (next < g->n && now >= start + gap_s * next) {
            char path[160];
            snprintf(path, sizeof path, "/willo/participants/%s/complete", g->keys[first + next]);
            json_object_put(admin("POST", path, NULL));
            t[next++] = hs_bench_now_s();
        }
        for (int i = 0; i < next; i++) {
            if (done[i] >= 0)
                continue;
            if (noted(g->keys[first + i])) {
                done[i] = hs_bench_now_s() - t[i];
                ph.noted++;
                left--;
            } else if (hs_bench_now_s() - t[i] > limit_s) {
                hs_bench_die("completion %d was not noted within %.0f s; see %s", i, limit_s, g->log);
            }
        }
        hs_bench_sleep_s(0.02);
    }
    ph.wall = hs_bench_now_s() - start;
    ph.requests = requests();
    qsort(done, (size_t)g->n, sizeof done[0], cmp);
    ph.p50 = g->n % 2 ? done[g->n / 2] : (done[g->n / 2 - 1] + done[g->n / 2]) / 2;
    ph.max = done[g->n - 1];
    return ph;
}

/* The interview's participants now. */
static int participants(void)
{
    char path[160];
    json_object *ps;
    int n;
    snprintf(path, sizeof path, "/willo/participants?interview=%s", g->interview);
    ps = admin("GET", path, NULL);
    n = (int)json_object_array_length(ps);
    json_object_put(ps);
    return n;
}

/* Application ids of job 1001 not in the trigger stage yet, up to n; returns how many. */
static int unmoved(char ids[][32], int n)
{
    json_object *apps = admin("GET", "/eploy/applications?vacancy=1001&limit=1000", NULL);
    int got = 0;
    for (size_t i = 0; i < json_object_array_length(apps) && got < n; i++) {
        json_object *a = json_object_array_get_idx(apps, i);
        if (strcmp(str(a, "Stage"), VI) != 0)
            snprintf(ids[got++], sizeof ids[0], "%s", str(a, "ApplicationId"));
    }
    json_object_put(apps);
    return got;
}

/* Moves n applications gap_s apart and times each until the interview holds one more
 * participant than before it (up to limit_s after its move). */
static phase measure_moves(int n, double gap_s, double limit_s)
{
    char ids[MAX_N][32];
    double t[MAX_N], done[MAX_N], start;
    phase ph = {0, 0, 0, 0, 0};
    int next = 0, base, arrived = 0;
    if (unmoved(ids, n) < n)
        hs_bench_die("job 1001 has fewer than %d applications left to move; lower BENCH_LATENCY_MOVES",
            n);
    json_object_put(admin("DELETE", "/stats", NULL));
    base = participants();
    start = hs_bench_now_s();
    while (arrived < n) {
        double now = hs_bench_now_s();
        int have;
        if (next < n && now >= start + gap_s * next) {
            char path[128];
            snprintf(path, sizeof path, "/eploy/applications/%s/move", ids[next]);
            json_object_put(admin("POST", path, "{\"stage\":\"" VI "\"}"));
            t[next++] = hs_bench_now_s();
        }
        have = participants() - base;
        for (; arrived < have && arrived < next; arrived++)
            done[arrived] = hs_bench_now_s() - t[arrived];
        if (arrived < next && hs_bench_now_s() - t[arrived] > limit_s)
            hs_bench_die("move %d was not invited within %.0f s; see %s", arrived, limit_s, g->log);
        hs_bench_sleep_s(0.02);
    }
    ph.noted = n;
    ph.wall = hs_bench_now_s() - start;
    ph.requests = requests();
    qsort(done, (size_t)n, sizeof done[0], cmp);
    ph.p50 = n % 2 ? done[n / 2] : (done[n / 2 - 1] + done[n / 2]) / 2;
    ph.max = done[n - 1];
    return ph;
}

static void row(FILE *f, const char *what, const phase *ph, double cpu_pct, long rss_kb,
                const char *target)
{
    fprintf(f, "| %s: p50 %.2f s, max %.2f s | %d | %.2f | %ld / - | - | %.1f | %.1f | %s |\n",
            what, ph->p50, ph->max, ph->noted, ph->wall, ph->requests,
            cpu_pct, (double)rss_kb / 1024.0, target);
}

static void cleanup(void)
{
    if (g == NULL)
        return;
    if (g->daemon > 0)
        kill(g->daemon, SIGTERM);
    if (g->sb.pid)
        hs_test_sandbox_stop(&g->sb);
    if (g->dir[0] && !getenv("BENCH_KEEP")) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_latency: could not remove %s\n", g->dir);
    }
}

int main(void)
{
    static lat L;
    static const char *const sync[] = {"webhooks", "sync", NULL};
    static const char *const daemon_args[] = {"run", NULL};
    const char *n_env = getenv("BENCH_LATENCY_N"), *gap_env = getenv("BENCH_LATENCY_GAP_MS");
    const char *moves_env = getenv("BENCH_LATENCY_MOVES");
    int moves = moves_env ? atoi(moves_env) : 10;
    const char *out_path = getenv("BENCH_OUT");
    const char *sb_args[] = {"--applications", "2000", "--vacancies", "5", NULL};
    char target[96];
    struct rusage ru;
    int status;
    double gap_s = (gap_env ? atof(gap_env) : 10500) / 1000.0;
    hs_bench_name = "bench_latency";
    g = &L;
    atexit(cleanup);
    L.bin = getenv("HIRESYNC_BIN");
    L.n = n_env ? atoi(n_env) : 20;
    if (L.bin == NULL || getenv("HIRESYNC_SANDBOX") == NULL)
        hs_bench_die("HIRESYNC_BIN and HIRESYNC_SANDBOX must name the built programs (run `make bench`)");
    if (L.n < 1 || L.n > MAX_N || gap_s < 0 || moves < 1 || moves > MAX_N)
        hs_bench_die("BENCH_LATENCY_N and BENCH_LATENCY_MOVES must be 1 to %d and "
                     "BENCH_LATENCY_GAP_MS at least 0", MAX_N);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(L.dir, sizeof L.dir, "/tmp/hs-bench-latency.XXXXXX");
    if (mkdtemp(L.dir) == NULL)
        hs_bench_die("mkdtemp: %s", strerror(errno));
    snprintf(L.config, sizeof L.config, "%s/hiresync.json", L.dir);
    snprintf(L.log, sizeof L.log, "%s/hiresync.log", L.dir);
    if (hs_test_sandbox_start(&L.sb, sb_args) != 0)
        hs_bench_die("the sandbox did not start");
    json_object *ivs = admin("GET", "/willo/interviews", NULL);
    snprintf(L.interview, sizeof L.interview, "%s", str(json_object_array_get_idx(ivs, 0), "key"));
    json_object_put(ivs);
    write_config();
    invite();
    run(sync);
    double life = hs_bench_now_s();
    L.daemon = spawn(daemon_args);
    for (int i = 0; i < 200 && !healthy(); i++)
        hs_bench_sleep_s(0.1);
    fprintf(stderr, "bench_latency: %d completions with webhooks, %.1f s apart\n", L.n, gap_s);
    phase hooks = measure(0, gap_s, 30);
    json_object_put(admin("POST", "/willo/settings", "{\"delivery_drop\":1000000}"));
    fprintf(stderr, "bench_latency: %d completions without webhooks, over one interval\n", L.n);
    phase poll = measure(L.n, (double)INTERVAL_S / L.n, 3.0 * INTERVAL_S);
    fprintf(stderr, "bench_latency: %d candidates moved, over one interval\n", moves);
    phase moved = measure_moves(moves, (double)INTERVAL_S / moves, 3.0 * INTERVAL_S);
    kill(L.daemon, SIGTERM);
    if (wait4(L.daemon, &status, 0, &ru) != L.daemon)
        hs_bench_die("wait4: %s", strerror(errno));
    L.daemon = 0;
    life = hs_bench_now_s() - life;
    double cpu = 100.0 / life * ((double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    FILE *out = fopen(out_path ? out_path : "bench-results.txt", "a");
    if (out == NULL)
        hs_bench_die("%s: %s", out_path ? out_path : "bench-results.txt", strerror(errno));
    snprintf(target, sizeof target, "%s: p50 < 5 s", hooks.p50 < 5 ? "met" : "MISSED");
    for (int k = 0; k < 2; k++) {
        FILE *f = k ? out : stdout;
        fprintf(f, "\n");
        row(f, "completion → note, webhooks on", &hooks, cpu, ru.ru_maxrss, target);
        row(f, "completion → note, polling only, interval 1m", &poll, cpu, ru.ru_maxrss, "-");
        row(f, "candidate moved → invitation, interval 1m", &moved, cpu, ru.ru_maxrss, "-");
        fprintf(f, "\nCPU %% of wall and peak RSS are the daemon's over the three phases.\n");
    }
    if (fclose(out) != 0)
        hs_bench_die("writing the results failed");
    curl_global_cleanup();
    return 0;
}
