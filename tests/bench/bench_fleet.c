/*
 * `make bench`, the fleet part: a thousand pipelines on one daemon.
 *
 * One sandbox serves 50 Eploy API keys and 50 Willo keys: 50 Eploy and 50 Willo connections,
 * each pair one tenant's, and 1,000 pipelines spread over them (20 a tenant), each with its
 * own state, interval 3 minutes. The real `hiresync run` (the daemon, not --once) starts with
 * all of them new. After its first round (every pipeline's baseline) the bench measures:
 *
 *   - the daemon's CPU (utime + stime from /proc/PID/stat) and resident set (VmRSS and VmHWM
 *     from /proc/PID/status) over the idle minute that follows, with the sandbox's request
 *     count to show that nothing ran in it;
 *   - the next round, every pipeline's idle cycle: its requests (the sandbox's GET /stats,
 *     cleared before) against the minimum, and its Eploy token requests;
 *   - the first round's token requests against one per connection.
 *
 * Output: rows in bench.c's table format on stdout and in $BENCH_OUT (default
 * bench-fleet-results.txt). Environment: HIRESYNC_BIN, HIRESYNC_SANDBOX,
 * HIRESYNC_CONNECTOR_DIR, HIRESYNC_MANIFEST_DIR as for bench.c.
 */
#define _GNU_SOURCE

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "hs_test_sandbox.h"

#define TENANTS 50
#define PIPELINES 1000
#define INTERVAL_S 180
#define IDLE_S 60
#define EPLOY_PAGE 100
#define WILLO_PAGE 30
#define MAX_JOBS 16
#define ROUND_TIMEOUT_S 900

typedef struct row {
    char scenario[80];
    long records;
    double wall_s;
    double cpu_s;
    double rss_mb;
    long requests;
    long min_requests;
    char target[128];
} row;

typedef struct fleet {
    const char *bin;
    hs_test_sandbox sb;
    char dir[256];
    char config[320];
    char log[320];
    char interview[64];
    long n_interviews;
    long n_vacancies;
    char jobs[MAX_JOBS][24];
    size_t n_jobs;
    pid_t daemon;
    int64_t *starts;           /* each pipeline's last start seen (ms), -1 when none */
    row rows[4];
    size_t n_rows;
} fleet;

static fleet *g_fleet;

/* ---- the sandbox ---------------------------------------------------------------------------- */

static json_object *admin(fleet *f, const char *method, const char *path, const char *body)
{
    long status = 0;
    char *text = NULL;
    json_object *o;
    if (hs_test_admin(&f->sb, method, path, body, &status, &text) != 0 || status < 200 ||
        status >= 300)
        hs_bench_die("admin %s %s failed (%ld)", method, path, status);
    o = json_tokener_parse(text && *text ? text : "null");
    free(text);
    return o;
}

/* Requests the sandbox counted (Eploy and Willo), and the Eploy token requests among them. */
static long stats_requests(fleet *f, long *tokens)
{
    json_object *st = admin(f, "GET", "/stats", NULL), *s, *v;
    long n = 0;
    const char *servers[] = {"eploy", "willo"};
    *tokens = 0;
    for (int i = 0; i < 2; i++)
        if (json_object_object_get_ex(st, servers[i], &s) &&
            json_object_object_get_ex(s, "requests", &v))
            n += (long)json_object_get_int64(v);
    if (json_object_object_get_ex(st, "eploy", &s) &&
        json_object_object_get_ex(s, "routes", &s) &&
        json_object_object_get_ex(s, "POST /api/token", &s)) {
        json_object_object_foreach(s, code, count) {
            (void)code;
            *tokens += (long)json_object_get_int64(count);
        }
    }
    json_object_put(st);
    return n;
}

static json_object *eploy_search(fleet *f, const char *token, const char *resource,
                                 const char *filter, const char *blocks)
{
    char url[512], auth[300], body[1024];
    const char *headers[] = {auth, NULL};
    hs_test_response r;
    json_object *o;
    snprintf(url, sizeof url, "%s/%s/search", f->sb.eploy_url, resource);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(body, sizeof body, "{%s\"Paging\":{\"RequestedPage\":1,\"RecordsPerPage\":%d},"
             "\"ResponseBlocks\":[%s]}", filter, EPLOY_PAGE, blocks);
    if (hs_test_request("POST", url, headers, body, &r) != 0 || r.status != 200)
        hs_bench_die("POST %s: %ld", url, r.status);
    o = json_tokener_parse(r.body);
    hs_test_response_clear(&r);
    if (o == NULL)
        hs_bench_die("POST %s: not JSON", url);
    return o;
}

static void sandbox_start(fleet *f)
{
    static char keys[2 * TENANTS][64];
    const char *args[8 + 4 * TENANTS];
    char token[256];
    json_object *ivs, *env, *recs;
    int n = 0;
    args[n++] = "--applications";
    args[n++] = "100";
    args[n++] = "--vacancies";
    args[n++] = "5";
    for (int t = 0; t < TENANTS; t++) {
        snprintf(keys[2 * t], sizeof keys[0], "tenant-%02d:secret-%02d:all", t, t);
        snprintf(keys[2 * t + 1], sizeof keys[0], "willo-%02d", t);
        args[n++] = "--eploy-key";
        args[n++] = keys[2 * t];
        args[n++] = "--willo-key";
        args[n++] = keys[2 * t + 1];
    }
    args[n] = NULL;
    if (hs_test_sandbox_start(&f->sb, args) != 0)
        hs_bench_die("the sandbox did not start");
    if (hs_test_eploy_token(&f->sb, "tenant-00", "secret-00", token, sizeof token) != 0)
        hs_bench_die("no Eploy token from the sandbox");
    ivs = admin(f, "GET", "/willo/interviews", NULL);
    f->n_interviews = (long)json_object_array_length(ivs);
    if (f->n_interviews < 1)
        hs_bench_die("the sandbox has no interview");
    snprintf(f->interview, sizeof f->interview, "%s",
             json_object_get_string(json_object_object_get(json_object_array_get_idx(ivs, 0),
                                                           "key")));
    json_object_put(ivs);
    env = eploy_search(f, token, "vacancies", "", "\"VacancyId\",\"VacancyStatus\"");
    recs = json_object_object_get(env, "Records");
    f->n_vacancies = (long)json_object_array_length(recs);
    for (size_t i = 0; i < json_object_array_length(recs) && f->n_jobs < MAX_JOBS; i++) {
        json_object *v = json_object_array_get_idx(recs, i), *st;
        const char *desc = json_object_object_get_ex(v, "VacancyStatus", &st)
                               ? json_object_get_string(json_object_object_get(st, "Description"))
                               : NULL;
        if (desc && strcmp(desc, "Open") == 0)
            snprintf(f->jobs[f->n_jobs++], sizeof f->jobs[0], "%s",
                     json_object_get_string(json_object_object_get(v, "VacancyId")));
    }
    json_object_put(env);
    if (f->n_jobs == 0)
        hs_bench_die("the sandbox has no open vacancy");
}

/* The ids of every workflow's "Video Interview" stage, comma-separated, into out. */
static void trigger_ids(fleet *f, const char *token, char *out, size_t size)
{
    json_object *env = eploy_search(f, token, "workflows", "", "\"WorkflowID\",\"Stages\"");
    hs_bench_trigger_ids(env, out, size);
    json_object_put(env);
}

/* Pages of applications a first cycle reads: those of the open jobs in the trigger stage
 * (Eploy's stage filter), at least one (empty) page a job, since only asking tells. */
static long application_pages(fleet *f)
{
    char token[256], filter[400], stages[256];
    long pages = 0;
    if (hs_test_eploy_token(&f->sb, "tenant-00", "secret-00", token, sizeof token) != 0)
        hs_bench_die("no Eploy token from the sandbox");
    trigger_ids(f, token, stages, sizeof stages);
    for (size_t i = 0; i < f->n_jobs; i++) {
        json_object *env;
        long n;
        snprintf(filter, sizeof filter, "\"Filters\":[{\"Route\":\"Application.Vacancy\","
                 "\"Operation\":\"Equals\",\"Value\":\"%s\"},{\"Route\":\"Application.Stage\","
                 "\"Operation\":\"In\",\"Value\":\"%s\"}],", f->jobs[i], stages);
        env = eploy_search(f, token, "applications", filter, "\"ApplicationId\"");
        n = hs_bench_total_pages(env);
        pages += n > 0 ? n : 1;
        json_object_put(env);
    }
    return pages;
}

/* ---- the configuration and the daemon ------------------------------------------------------- */

static void write_config(fleet *f)
{
    FILE *c = fopen(f->config, "w");
    if (c == NULL)
        hs_bench_die("%s: %s", f->config, strerror(errno));
    fprintf(c, "{ \"state_dir\": \"%s/state\", \"log_level\": \"info\",\n"
               "  \"connections\": {\n", f->dir);
    for (int t = 0; t < TENANTS; t++)
        fprintf(c, "    \"eploy-%02d\": {\"connector\": \"eploy\", \"base_url\": \"%s\", "
                   "\"client_id\": \"tenant-%02d\", \"client_secret\": \"secret-%02d\", "
                   "\"note_action_type\": \"1\", \"signpost_lag_s\": 0, \"overlap_s\": 0},\n"
                   "    \"willo-%02d\": {\"connector\": \"willo\", \"base_url\": \"%s\", "
                   "\"api_key\": \"willo-%02d\", \"min_gap_ms\": 0, \"overlap_s\": 0}%s\n",
                t, f->sb.eploy_url, t, t, t, f->sb.willo_url, t, t + 1 < TENANTS ? "," : "");
    fprintf(c, "  },\n  \"pipelines\": {\n");
    for (int p = 0; p < PIPELINES; p++) {
        fprintf(c, "    \"p%04d\": {\"ats\": \"eploy-%02d\", \"interviews\": \"willo-%02d\", "
                   "\"interval\": \"%ds\", \"mappings\": [{\"interview\": \"%s\", "
                   "\"invite_existing\": false, \"jobs\": [",
                p, p % TENANTS, p % TENANTS, INTERVAL_S, f->interview);
        for (size_t j = 0; j < f->n_jobs; j++)
            fprintf(c, "%s{\"job\": \"%s\", \"trigger_stages\": [\"Video Interview\"]}",
                    j ? ", " : "", f->jobs[j]);
        fprintf(c, "]}]}%s\n", p + 1 < PIPELINES ? "," : "");
    }
    fprintf(c, "  } }\n");
    if (fclose(c) != 0 || chmod(f->config, 0600) != 0)
        hs_bench_die("%s: %s", f->config, strerror(errno));
}

static void daemon_start(fleet *f)
{
    fflush(NULL);
    f->daemon = fork();
    if (f->daemon < 0)
        hs_bench_die("fork: %s", strerror(errno));
    if (f->daemon == 0) {
        char *argv[] = {(char *)f->bin, (char *)"-c", f->config, (char *)"run", NULL};
        int fd = open(f->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(f->bin, argv);
        _exit(127);
    }
}

static void daemon_stop(fleet *f)
{
    int status;
    if (f->daemon <= 0)
        return;
    kill(f->daemon, SIGTERM);
    (void)waitpid(f->daemon, &status, 0);
    f->daemon = 0;
}

static void daemon_check(fleet *f)
{
    int status;
    if (waitpid(f->daemon, &status, WNOHANG) == f->daemon) {
        f->daemon = 0;
        hs_bench_die("the daemon exited (status %d); see %s", status, f->log);
    }
}

/* The daemon's CPU time so far (s), from /proc/PID/stat. */
static double daemon_cpu_s(const fleet *f)
{
    char path[64], buf[2048], *p;
    unsigned long long utime = 0, stime = 0;
    FILE *s;
    size_t n;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)f->daemon);
    if ((s = fopen(path, "r")) == NULL)
        hs_bench_die("%s: %s", path, strerror(errno));
    n = fread(buf, 1, sizeof buf - 1, s);
    fclose(s);
    buf[n] = '\0';
    /* Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15. */
    if ((p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
               &stime) != 2)
        hs_bench_die("%s: unexpected format", path);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* A field of /proc/PID/status in MB (VmRSS, VmHWM). */
static double daemon_mem_mb(const fleet *f, const char *field)
{
    char path[64], line[256];
    size_t len = strlen(field);
    long kb = -1;
    FILE *s;
    snprintf(path, sizeof path, "/proc/%d/status", (int)f->daemon);
    if ((s = fopen(path, "r")) == NULL)
        hs_bench_die("%s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, s) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            kb = strtol(line + len + 1, NULL, 10);
    fclose(s);
    return kb < 0 ? 0.0 : (double)kb / 1024.0;
}

/* A pipeline's last start (ms) from its status record, -1 when it has none. */
static int64_t last_start(const fleet *f, int p)
{
    char path[400];
    json_object *rec, *last, *v;
    int64_t ms = -1;
    snprintf(path, sizeof path, "%s/state/p%04d.status", f->dir, p);
    if (access(path, F_OK) != 0 || (rec = json_object_from_file(path)) == NULL)
        return -1;
    if (json_object_object_get_ex(rec, "last", &last) &&
        json_object_object_get_ex(last, "started_ms", &v))
        ms = json_object_get_int64(v);
    json_object_put(rec);
    return ms;
}

/* Waits until every pipeline has recorded a cycle started after the one seen at the end of
 * the last round (f->starts), then remembers the new ones. */
static void wait_round(fleet *f)
{
    double t0 = hs_bench_now_s();
    int64_t *seen = malloc(PIPELINES * sizeof *seen);
    int done = 0;
    if (seen == NULL)
        hs_bench_die("out of memory");
    memcpy(seen, f->starts, PIPELINES * sizeof *seen);
    for (;;) {
        for (int p = 0; p < PIPELINES; p++)
            if (seen[p] <= f->starts[p] && (seen[p] = last_start(f, p)) > f->starts[p])
                done++;
        if (done == PIPELINES)
            break;
        daemon_check(f);
        if (hs_bench_now_s() - t0 > ROUND_TIMEOUT_S)
            hs_bench_die("a round did not end in %d s (%d of %d pipelines); see %s", ROUND_TIMEOUT_S,
                done, PIPELINES, f->log);
        hs_bench_sleep_s(1.0);
    }
    memcpy(f->starts, seen, PIPELINES * sizeof *seen);
    free(seen);
}

static long records_in_log(const char *path)
{
    FILE *s = fopen(path, "r");
    char line[2048];
    long total = 0;
    if (s == NULL)
        return -1;
    while (fgets(line, sizeof line, s)) {
        const char *p = strstr(line, "eploy: ");
        long n;
        char what[32];
        if (p && sscanf(p, "eploy: %ld %31s", &n, what) == 2 &&
            (strcmp(what, "current") == 0 || strcmp(what, "stage") == 0))
            total += n;
    }
    fclose(s);
    return total;
}

/* ---- rows ----------------------------------------------------------------------------------- */

static row *add_row(fleet *f, const char *name)
{
    row *r = &f->rows[f->n_rows++];
    memset(r, 0, sizeof *r);
    snprintf(r->scenario, sizeof r->scenario, "%s", name);
    return r;
}

static void print_table(const fleet *f, FILE *out)
{
    fprintf(out, "| scenario | records | wall s | requests / minimum | CPU ms per 1k records | "
                 "CPU %% of wall | peak RSS MB | target |\n");
    fprintf(out, "|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < f->n_rows; i++) {
        const row *r = &f->rows[i];
        char per_k[32] = "-";
        if (r->records > 0)
            snprintf(per_k, sizeof per_k, "%.1f", r->cpu_s * 1e6 / (double)r->records);
        fprintf(out, "| %s | %ld | %.2f | %ld / %ld | %s | %.1f | %.1f | %s |\n", r->scenario,
                r->records, r->wall_s, r->requests, r->min_requests, per_k,
                r->wall_s > 0 ? 100.0 * r->cpu_s / r->wall_s : 0.0, r->rss_mb, r->target);
    }
}

static void cleanup(void)
{
    if (g_fleet == NULL)
        return;
    daemon_stop(g_fleet);
    if (g_fleet->sb.pid)
        hs_test_sandbox_stop(&g_fleet->sb);
    if (g_fleet->dir[0])
        hs_bench_rmtree(g_fleet->dir);
    g_fleet->dir[0] = '\0';
}

/* ---- the scenario --------------------------------------------------------------------------- */

/* Per tenant (an Eploy and a Willo connection), the listing of its jobs and interviews: the
 * vacancy status list, the vacancies, the workflows, the Willo interviews. The daemon lists
 * once per connection and keeps it for an hour (the discovery cache, `discovery_ttl`), so
 * every other pipeline of the connection, and every idle round, takes it from there. */
static long per_listing(const fleet *f)
{
    return 1 + (f->n_vacancies + EPLOY_PAGE - 1) / EPLOY_PAGE + 1 +
           (f->n_interviews + WILLO_PAGE - 1) / WILLO_PAGE;
}

static void measure(fleet *f)
{
    long tokens, requests, pages;
    double t0, c0, t1, c1;
    row *r;
    char name[80];

    pages = application_pages(f);
    json_object_put(admin(f, "DELETE", "/stats", NULL));
    t0 = hs_bench_now_s();
    daemon_start(f);
    c0 = 0.0;
    wait_round(f);
    t1 = hs_bench_now_s();
    c1 = daemon_cpu_s(f);
    requests = stats_requests(f, &tokens);
    snprintf(name, sizeof name, "%d pipelines, %d+%d connections: first round", PIPELINES,
             TENANTS, TENANTS);
    r = add_row(f, name);
    r->records = records_in_log(f->log);
    r->wall_s = t1 - t0;
    r->cpu_s = c1 - c0;
    r->rss_mb = daemon_mem_mb(f, "VmHWM");
    r->requests = requests;
    /* One token and one listing per tenant; per pipeline its baseline's pages of applications
     * in the trigger stage (no person: invite_existing is false) and one page of the
     * interview's participants. A tenant's pipelines are 50 apart in the order they start, so
     * the first one's listing is kept before the next one starts. */
    r->min_requests = TENANTS * (1 + per_listing(f)) + PIPELINES * (pages + 1);
    snprintf(r->target, sizeof r->target, "%s: one token per connection (%ld token requests "
             "for %d)", tokens == TENANTS ? "met" : "MISSED", tokens, TENANTS);
    fprintf(stderr, "bench_fleet: first round: %.1f s, %ld requests, %ld tokens\n", r->wall_s,
            requests, tokens);

    /* The idle minute: nothing is due until the first pipeline's interval has passed. */
    json_object_put(admin(f, "DELETE", "/stats", NULL));
    t0 = hs_bench_now_s();
    c0 = daemon_cpu_s(f);
    hs_bench_sleep_s(IDLE_S);
    t1 = hs_bench_now_s();
    c1 = daemon_cpu_s(f);
    requests = stats_requests(f, &tokens);
    r = add_row(f, "1000 pipelines, daemon idle for a minute");
    r->wall_s = t1 - t0;
    r->cpu_s = c1 - c0;
    r->rss_mb = daemon_mem_mb(f, "VmRSS");
    r->requests = requests;
    {
        int cpu_ok = r->cpu_s < 0.01 * r->wall_s, rss_ok = r->rss_mb < 64.0;
        snprintf(r->target, sizeof r->target, "%s: CPU < 1%% %s, RSS < 64 MB %s%s",
                 cpu_ok && rss_ok && requests == 0 ? "met" : "MISSED", cpu_ok ? "met" : "MISSED",
                 rss_ok ? "met" : "MISSED", requests == 0 ? "" : " (a cycle ran: not idle)");
    }
    fprintf(stderr, "bench_fleet: idle minute: %.2f s CPU, %.1f MB\n", r->cpu_s, r->rss_mb);

    /* The next round: every pipeline's idle cycle, on the tokens the connections hold. */
    json_object_put(admin(f, "DELETE", "/stats", NULL));
    t0 = hs_bench_now_s();
    c0 = daemon_cpu_s(f);
    wait_round(f);
    t1 = hs_bench_now_s();
    c1 = daemon_cpu_s(f);
    requests = stats_requests(f, &tokens);
    r = add_row(f, "1000 pipelines, idle round (waits included)");
    r->wall_s = t1 - t0;
    r->cpu_s = c1 - c0;
    r->rss_mb = daemon_mem_mb(f, "VmHWM");
    r->requests = requests;
    /* Per pipeline one empty page of status history and one page of participants; no token
     * (the connections' tokens are still valid) and no listing (the first round's is cached
     * for an hour). */
    r->min_requests = PIPELINES * 2;
    snprintf(r->target, sizeof r->target, "%s: requests = minimum, %ld token requests",
             requests == r->min_requests ? "met" : "MISSED", tokens);
    fprintf(stderr, "bench_fleet: idle round: %ld requests, %ld tokens\n", requests, tokens);
}

int main(void)
{
    static fleet f;
    const char *out_path = getenv("BENCH_OUT");
    FILE *out;
    hs_bench_name = "bench_fleet";

    g_fleet = &f;
    atexit(cleanup);
    f.bin = getenv("HIRESYNC_BIN");
    if (f.bin == NULL || getenv("HIRESYNC_SANDBOX") == NULL)
        hs_bench_die("HIRESYNC_BIN and HIRESYNC_SANDBOX must name the built programs (run `make bench`)");
    if ((f.starts = malloc(PIPELINES * sizeof *f.starts)) == NULL)
        hs_bench_die("out of memory");
    for (int p = 0; p < PIPELINES; p++)
        f.starts[p] = -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sandbox_start(&f);
    snprintf(f.dir, sizeof f.dir, "/tmp/hs-bench-fleet-XXXXXX");
    if (mkdtemp(f.dir) == NULL)
        hs_bench_die("mkdtemp: %s", strerror(errno));
    snprintf(f.config, sizeof f.config, "%s/hiresync.json", f.dir);
    snprintf(f.log, sizeof f.log, "%s/hiresync.log", f.dir);
    write_config(&f);
    measure(&f);
    daemon_stop(&f);

    print_table(&f, stdout);
    out = fopen(out_path ? out_path : "bench-fleet-results.txt", "w");
    if (out == NULL)
        hs_bench_die("%s: %s", out_path ? out_path : "bench-fleet-results.txt", strerror(errno));
    print_table(&f, out);
    if (fclose(out) != 0)
        hs_bench_die("writing the results failed");
    free(f.starts);
    curl_global_cleanup();
    return 0;
}
