/* The daemon's listener end to end: `hiresync run` with "listen" over the sandbox, queried
 * over loopback. Metrics are parsed with prometheus_client's parser (python3-prometheus-client)
 * and change as cycles run; /readyz flips when a pipeline fails; a webhook with the right
 * token gets a completion noted within seconds, while forged, oversized and unknown-pipeline
 * deliveries change nothing and are counted. */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define H 3600LL

static e2e E;
static char BASE[64];            /* http://127.0.0.1:PORT */
static int have_parser;
static const char *python = "python3"; /* the one that has prometheus_client */
static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";
static const char *const VI = "Video Interview";

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

/* A port free on loopback now (the kernel's pick, released at once). */
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

/* One pipeline "p" and a listener on a free port. */
static void configure(void)
{
    char pipe[2048], extra[128];
    int port = free_port();
    snprintf(BASE, sizeof BASE, "http://127.0.0.1:%d", port);
    snprintf(extra, sizeof extra, "\"listen\": \"127.0.0.1:%d\",", port);
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, extra, pipe);
}

static long get(const char *method, const char *path, const char *body, char **text)
{
    char url[512];
    hs_test_response r;
    long status;
    memset(&r, 0, sizeof r);
    snprintf(url, sizeof url, "%s%s", BASE, path);
    if (hs_test_request(method, url, NULL, body, &r) != 0) {
        hs_test_response_clear(&r);
        return 0;
    }
    status = r.status;
    if (text != NULL)
        *text = strdup(r.body != NULL ? r.body : "");
    hs_test_response_clear(&r);
    return status;
}

/* ---- metrics, read through a real parser ------------------------------------------------------ */

static const char PARSE[] =
    "import sys\n"
    "from prometheus_client.parser import text_string_to_metric_families\n"
    "for f in text_string_to_metric_families(sys.stdin.read()):\n"
    "    print('family %s %s' % (f.name, f.type))\n"
    "    for s in f.samples:\n"
    "        print('%s|%s %r' % (s.name, ','.join('%s=%s' % kv for kv in sorted(s.labels.items())),"
    " float(s.value)))\n";

/* The samples of a metrics text as lines "name|k=v,k=v value" (labels sorted), through
 * prometheus_client's parser, which fails the test on text it cannot parse. malloc'd. */
static char *parse(const char *text)
{
    char in[400], cmd[1200], *out;
    FILE *f;
    size_t n = 0, cap = 1 << 20;
    int rc;
    snprintf(in, sizeof in, "%s/metrics.txt", E.dir);
    f = fopen(in, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "%s -c \"$HS_PARSE\" < '%s' 2>&1", python, in);
    ck_assert_int_eq(setenv("HS_PARSE", PARSE, 1), 0);
    f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    while (n < cap - 1 && fgets(out + n, (int)(cap - n), f) != NULL)
        n += strlen(out + n);
    out[n] = '\0';
    rc = pclose(f);
    ck_assert_msg(rc == 0, "prometheus_client cannot parse the metrics:\n%s\n---\n%s", out, text);
    return out;
}

/* The value of one sample: name and its labels "k=v,k=v" sorted by key; -1 when absent. */
static double sample(const char *parsed, const char *name, const char *labels)
{
    char want[512];
    const char *at;
    int n = snprintf(want, sizeof want, "%s|%s ", name, labels);
    for (at = parsed; (at = strstr(at, want)) != NULL; at++)
        if (at == parsed || at[-1] == '\n')
            return strtod(at + n, NULL);
    return -1;
}

/* The same from the text by hand, when the parser is not installed: every k="v" of labels
 * (in any order) inside the braces of a line of that name. */
static double sample_by_hand(const char *text, const char *name, const char *labels)
{
    char line[1024], pairs[512], *save = NULL;
    size_t len = strlen(name);
    for (const char *p = text; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int all = 1;
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p += n + (nl != NULL);
        if (strncmp(line, name, len) != 0 || (line[len] != '{' && line[len] != ' '))
            continue;
        snprintf(pairs, sizeof pairs, "%s", labels);
        for (char *kv = strtok_r(pairs, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
            char q[256], *eq = strchr(kv, '=');
            if (eq == NULL)
                continue;
            snprintf(q, sizeof q, "%.*s=\"%s\"", (int)(eq - kv), kv, eq + 1);
            all = all && strstr(line, q) != NULL;
        }
        if (all)
            return strtod(strrchr(line, ' ') + 1, NULL);
    }
    return -1;
}

/* GET /metrics, parsed; fails the test unless it answers 200. Free with free(). */
static char *metrics(char **raw)
{
    char *text = NULL, *parsed;
    ck_assert_int_eq(get("GET", "/metrics", NULL, &text), 200);
    parsed = have_parser ? parse(text) : strdup(text);
    if (raw != NULL)
        *raw = text;
    else
        free(text);
    return parsed;
}

static double metric(const char *name, const char *labels)
{
    char *m = metrics(NULL);
    double v = have_parser ? sample(m, name, labels) : sample_by_hand(m, name, labels);
    free(m);
    return v;
}

/* Waits (up to 20 s) until a metric reaches at least want; returns its value. */
static double wait_metric(const char *name, const char *labels, double want)
{
    double v = -1;
    for (int i = 0; i < 200 && (v = metric(name, labels)) < want; i++)
        usleep(100000);
    return v;
}

/* ---- the daemon --------------------------------------------------------------------------- */

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

/* Starts the daemon and waits (up to 20 s) for its /healthz. */
static pid_t start_daemon(const char *env)
{
    static const char *const run[] = {"run", NULL};
    pid_t pid = e2e_spawn(&E, env, run);
    for (int i = 0; i < 200; i++) {
        if (get("GET", "/healthz", NULL, NULL) == 200)
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

/* ---- tests ------------------------------------------------------------------------------------ */

/* The metrics parse, and count what the cycles did: a baseline, then (3 hours later on the
 * daemon's clock) a cycle that invites the candidate moved meanwhile. */
START_TEST(test_metrics_parse_and_follow_the_cycles)
{
    char clock[400], env[512], *raw = NULL, *m;
    long long w = (long long)time(NULL), mono = 100000;
    long ids[1];
    pid_t pid;
    configure();
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, mono);
    pid = start_daemon(env);
    ck_assert_double_eq(wait_metric("hiresync_cycles_total", "pipeline=p,result=ok", 1), 1);
    m = metrics(&raw);
    if (have_parser) {
        ck_assert_double_eq(sample(m, "hiresync_invitations_total", "outcome=invited,pipeline=p"),
                            0);
        ck_assert_double_eq(sample(m, "hiresync_cycle_duration_seconds_count", "pipeline=p"), 1);
        ck_assert_msg(strstr(m, "family hiresync_cycle_duration_seconds histogram\n") != NULL &&
                      strstr(m, "family hiresync_cycles counter\n") != NULL &&
                      strstr(m, "family hiresync_cursor_age_seconds gauge\n") != NULL, "%s", m);
        ck_assert_double_eq(sample(m, "hiresync_cycle_duration_seconds_bucket",
                                   "le=+Inf,pipeline=p"), 1);
        ck_assert(sample(m, "hiresync_last_success_timestamp_seconds", "pipeline=p") >= w);
        ck_assert(sample(m, "hiresync_cursor_age_seconds", "pipeline=p,stream=ats") >= 0);
        ck_assert(sample(m, "hiresync_daily_calls", "connection=eploy") > 0);
        ck_assert(sample(m, "process_resident_memory_bytes", "") > 0);
        ck_assert(sample(m, "process_open_fds", "") > 0);
    } else {
        fprintf(stderr, "SKIP: python3-prometheus-client is absent: the metrics are read by "
                "hand, not checked by a Prometheus parser\n");
    }
    ck_assert_msg(strstr(raw, "# TYPE hiresync_cycle_duration_seconds histogram") != NULL, "%s",
                  raw);
    free(raw);
    free(m);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    set_clock(clock, w + 3 * H + 400, mono + 3 * H + 400);
    ck_assert_double_eq(wait_metric("hiresync_cycles_total", "pipeline=p,result=ok", 2), 2);
    ck_assert_double_eq(metric("hiresync_invitations_total", "outcome=invited,pipeline=p"), 1);
    ck_assert_double_eq(metric("hiresync_cycle_duration_seconds_count", "pipeline=p"), 2);
    stop_daemon(pid);
}
END_TEST

/* The sandbox's count of the answers of one server ("eploy", "willo") in a result class as
 * hiresync_requests_total names it: "2xx".."5xx", or "error" for connections it reset. */
static double answered(const char *server, const char *cls)
{
    long st = 0;
    char *text = NULL;
    json_object *stats, *srv, *routes;
    double n = 0;
    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/stats", NULL, &st, &text), 0);
    ck_assert_int_eq(st, 200);
    stats = json_tokener_parse(text);
    free(text);
    ck_assert_ptr_nonnull(stats);
    if (json_object_object_get_ex(stats, server, &srv) &&
        json_object_object_get_ex(srv, "routes", &routes)) {
        json_object_object_foreach(routes, route, codes) {
            (void)route;
            json_object_object_foreach(codes, code, count) {
                int hit = strcmp(cls, "error") == 0 ? strcmp(code, "reset") == 0
                                                    : code[0] == cls[0] && strlen(code) == 3;
                if (hit)
                    n += json_object_get_int64(count);
            }
        }
    }
    json_object_put(stats);
    return n;
}

/* hiresync_requests_total counts, per connection and result, exactly the exchanges the
 * sandbox answered: a 503 (retried) included. */
START_TEST(test_requests_per_connection_match_the_sandbox)
{
    static const char *const servers[] = {"eploy", "willo"};
    static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx", "timeout", "error"};
    char labels[128];
    long st = 0;
    pid_t pid;
    configure();
    ck_assert_int_eq(hs_test_admin(&E.sb, "DELETE", "/stats", NULL, &st, NULL), 0);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/faults",
                                   "{\"server\":\"willo\",\"route\":\"/\",\"status\":503,"
                                   "\"retry_after\":0,\"count\":1}", &st, NULL), 0);
    ck_assert_int_eq(st, 201);
    pid = start_daemon(NULL);
    ck_assert_double_eq(wait_metric("hiresync_cycles_total", "pipeline=p,result=ok", 1), 1);
    ck_assert_double_eq(answered("willo", "5xx"), 1);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_msg(answered(servers[i], "2xx") > 0, "no answer from %s", servers[i]);
        for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
            double want = strcmp(classes[k], "timeout") == 0 ? 0 : answered(servers[i],
                                                                            classes[k]);
            snprintf(labels, sizeof labels, "connection=%s,result=%s", servers[i], classes[k]);
            ck_assert_msg(metric("hiresync_requests_total", labels) == want,
                          "hiresync_requests_total{%s} is %g, the sandbox answered %g", labels,
                          metric("hiresync_requests_total", labels), want);
        }
    }
    stop_daemon(pid);
}
END_TEST

/* /readyz says ready after a good cycle, and not ready (503, naming the pipeline) once a
 * cycle fails; /healthz stays 200, since the loop still turns. */
START_TEST(test_readyz_flips_when_a_pipeline_fails)
{
    char clock[400], env[512], *body = NULL;
    long long w = (long long)time(NULL), mono = 100000;
    long st;
    pid_t pid;
    configure();
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, mono);
    pid = start_daemon(env);
    ck_assert_double_eq(wait_metric("hiresync_cycles_total", "pipeline=p,result=ok", 1), 1);
    st = get("GET", "/readyz", NULL, &body);
    ck_assert_msg(st == 200 && strstr(body, "\"ok\":true") != NULL, "%ld %s", st, body);
    free(body);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/faults", "{\"server\":\"eploy\",\"route\":"
                                   "\"/api/\",\"status\":401,\"count\":-1}", &st, NULL), 0);
    ck_assert_int_lt(st, 300);
    set_clock(clock, w + 3 * H + 400, mono + 3 * H + 400);
    ck_assert_double_eq(wait_metric("hiresync_cycles_total", "pipeline=p,result=failed", 1), 1);
    st = get("GET", "/readyz", NULL, &body);
    ck_assert_msg(st == 503 && strstr(body, "\"ok\":false") != NULL &&
                  strstr(body, "pipeline p failed") != NULL, "%ld %s", st, body);
    free(body);
    ck_assert_int_eq(get("GET", "/healthz", NULL, NULL), 200);
    ck_assert_double_eq(metric("hiresync_errors_total", "class=config,pipeline=p"), 1);
    stop_daemon(pid);
}
END_TEST

/* The path `hiresync webhooks url p` prints, with its token. */
static void hook_path(char *out, size_t size)
{
    static const char *const url[] = {"webhooks", "url", "p", NULL};
    char *nl;
    ck_assert_msg(e2e_run(&E, NULL, url) == 0, "%s", E.out);
    ck_assert_msg(strncmp(E.out, "/hooks/willo/p/", 15) == 0 && strlen(E.out) == 15 + 64 + 1,
                  "%s", E.out);
    snprintf(out, size, "%s", E.out);
    if ((nl = strchr(out, '\n')) != NULL)
        *nl = '\0';
}

/* A completion waits for the next cycle, 3 hours away; a webhook with the right token has it
 * noted within seconds. Before it: a forged token, an unknown pipeline, an oversized body and
 * a GET change nothing and are counted. */
START_TEST(test_doorbell_reads_at_once_and_refuses_forgeries)
{
    char path[256], forged[400], keys[4][64], *big, *body = NULL;
    struct stat st;
    long ids[1];
    int noted = 0;
    pid_t pid;
    configure();
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "invitation: %s", E.out);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 4), 1);
    e2e_complete(&E.sb, keys[0]);
    hook_path(path, sizeof path);
    snprintf(forged, sizeof forged, "%s/p.webhook", E.state_dir);
    ck_assert_int_eq(stat(forged, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    pid = start_daemon(NULL);

    snprintf(forged, sizeof forged, "%s", path);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
    ck_assert_int_eq(get("POST", forged, "{}", NULL), 404);
    ck_assert_int_eq(get("POST", "/hooks/willo/nosuch/0123", "{}", NULL), 404);
    snprintf(forged, sizeof forged, "%.*s", (int)strlen(path) - 1, path); /* a token too short */
    ck_assert_int_eq(get("POST", forged, NULL, NULL), 404);
    big = malloc(70 * 1024 + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 70 * 1024);
    big[70 * 1024] = '\0';
    ck_assert_int_eq(get("POST", path, big, NULL), 413);
    free(big);
    ck_assert_int_eq(get("GET", path, NULL, NULL), 405);
    usleep(1500000);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], keys[0]), 0);
    ck_assert_double_eq(metric("hiresync_webhook_reads_total", "pipeline=p"), 0);
    ck_assert_double_eq(metric("hiresync_http_rejected_total", "reason=not_found"), 3);
    ck_assert_double_eq(metric("hiresync_http_rejected_total", "reason=too_large"), 1);
    ck_assert_double_eq(metric("hiresync_http_rejected_total", "reason=method"), 1);

    ck_assert_int_eq(get("POST", path, NULL, &body), 202); /* no body needed */
    free(body);
    for (int i = 0; i < 100 && !(noted = e2e_actions(&E.sb, ids[0], keys[0])); i++)
        usleep(100000);
    ck_assert_msg(noted == 1, "no note within 10 s of the webhook");
    ck_assert_double_eq(wait_metric("hiresync_webhook_reads_total", "pipeline=p", 1), 1);
    ck_assert_double_eq(metric("hiresync_notes_total", "pipeline=p"), 1);
    ck_assert_double_eq(metric("hiresync_webhook_deliveries_total", "pipeline=p,result=scheduled"),
                        1);
    /* a full cycle did not run: the doorbell read only the interviews */
    ck_assert_double_eq(metric("hiresync_cycles_total", "pipeline=p,result=ok"), 0);
    stop_daemon(pid);
    ck_assert_msg(strstr(E.out, path + 15) == NULL, "the token was logged: %s", E.out);
    ck_assert_msg(strstr(E.out, "nosuch") == NULL, "a refused delivery was logged: %s", E.out);
}
END_TEST

/* Many deliveries at once make one read. */
START_TEST(test_doorbell_coalesces)
{
    char path[256];
    pid_t pid;
    configure();
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    hook_path(path, sizeof path);
    pid = start_daemon(NULL);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(get("POST", path, "{}", NULL), 202);
    ck_assert_double_eq(wait_metric("hiresync_webhook_reads_total", "pipeline=p", 1), 1);
    usleep(1500000);
    /* the first delivery and perhaps one during the read: never twenty reads */
    ck_assert(metric("hiresync_webhook_reads_total", "pipeline=p") <= 2);
    ck_assert_double_eq(metric("hiresync_webhook_deliveries_total", "pipeline=p,result=scheduled") +
                        metric("hiresync_webhook_deliveries_total", "pipeline=p,result=coalesced"),
                        20);
    stop_daemon(pid);
}
END_TEST

/* A pipeline is read by its doorbell at most once every 10 s (on the daemon's monotonic clock,
 * moved by the test): a delivery soon after a read waits for the gap, then is read. */
START_TEST(test_doorbell_rate_limited)
{
    char path[256], clock[400], env[512];
    long long w, mono = 100000;
    pid_t pid;
    configure();
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    /* a little after the baseline (a due time further than one interval is due at once) */
    w = (long long)time(NULL) + 5;
    hook_path(path, sizeof path);
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, mono);
    pid = start_daemon(env);
    ck_assert_int_eq(get("POST", path, NULL, NULL), 202);
    ck_assert_double_eq(wait_metric("hiresync_webhook_reads_total", "pipeline=p", 1), 1);
    ck_assert_int_eq(get("POST", path, NULL, NULL), 202);
    usleep(1500000);
    ck_assert_double_eq(metric("hiresync_webhook_reads_total", "pipeline=p"), 1);
    set_clock(clock, w + 11, mono + 11);
    ck_assert_double_eq(wait_metric("hiresync_webhook_reads_total", "pipeline=p", 2), 2);
    ck_assert_double_eq(metric("hiresync_cycles_total", "pipeline=p,result=ok"), 0);
    stop_daemon(pid);
}
END_TEST

/* /healthz fails (503, saying why) while the scheduler's loop is stuck: here a doorbell read
 * waits on a Willo request the sandbox holds for 8 s while the daemon's monotonic clock
 * moves 400 s on; it answers 200 again once the loop turns. */
START_TEST(test_healthz_fails_while_the_loop_is_stuck)
{
    char path[256], clock[400], env[512], *body = NULL;
    long long w, mono = 100000;
    long st = 0;
    pid_t pid;
    configure();
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    w = (long long)time(NULL) + 5;
    hook_path(path, sizeof path);
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, mono);
    pid = start_daemon(env);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/faults", "{\"server\":\"willo\",\"route\":"
                                   "\"/\",\"delay_ms\":8000,\"count\":1}", &st, NULL), 0);
    ck_assert_int_lt(st, 300);
    ck_assert_int_eq(get("POST", path, NULL, NULL), 202);
    /* The clock moves only once the sandbox holds the read (the fault taken): moved earlier,
     * a busy machine can let the loop turn once more on the new time before the read starts,
     * and its heartbeat is then fresh for the whole read. */
    for (int i = 0; i < 100; i++) {
        char *faults = NULL;
        int held = hs_test_admin(&E.sb, "GET", "/faults", NULL, &st, &faults) == 0 &&
                   st == 200 && faults != NULL && strstr(faults, "\"willo\"") == NULL;
        free(faults);
        if (held)
            break;
        usleep(50000);
    }
    set_clock(clock, w + 400, mono + 400);
    /* once the read is held, the heartbeat is 400 s old on the daemon's clock */
    for (int i = 0; i < 70 && (st = get("GET", "/healthz", NULL, &body)) == 200; i++) {
        free(body);
        body = NULL;
        usleep(100000);
    }
    ck_assert_msg(st == 503 && strstr(body, "\"ok\":false") != NULL &&
                  strstr(body, "has not turned") != NULL, "%ld %s", st, body ? body : "");
    free(body);
    ck_assert_double_eq(wait_metric("hiresync_webhook_reads_total", "pipeline=p", 1), 1);
    ck_assert_int_eq(get("GET", "/healthz", NULL, NULL), 200);
    stop_daemon(pid);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("listener");
    TCase *tc = tcase_create("listener");
    /* the Debian package installs for the system's python3, which a PATH may hide */
    static const char *const pythons[] = {"python3", "/usr/bin/python3"};
    for (size_t i = 0; i < 2 && !have_parser; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import prometheus_client.parser' >/dev/null 2>&1",
                 pythons[i]);
        python = pythons[i];
        have_parser = system(cmd) == 0;
    }
    if (!have_parser)
        fprintf(stderr, "SKIP: python3-prometheus-client is absent; install it (Debian: "
                "python3-prometheus-client) to check the metrics with a Prometheus parser\n");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_metrics_parse_and_follow_the_cycles);
    tcase_add_test(tc, test_requests_per_connection_match_the_sandbox);
    tcase_add_test(tc, test_readyz_flips_when_a_pipeline_fails);
    tcase_add_test(tc, test_doorbell_reads_at_once_and_refuses_forgeries);
    tcase_add_test(tc, test_doorbell_coalesces);
    tcase_add_test(tc, test_doorbell_rate_limited);
    tcase_add_test(tc, test_healthz_fails_while_the_loop_is_stuck);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
