/*
 * `make bench`: hiresync's cost measured against the sandbox on this machine.
 *
 * Each scenario starts a sandbox, writes a configuration into a temporary directory, runs the
 * real `hiresync run --once --force` as a child process and measures it: wall time (monotonic
 * clock around fork and wait4), CPU time and peak resident set size (wait4's rusage of that
 * child alone), and the HTTP requests it made (the sandbox's GET /stats, cleared before the
 * run). The minimum number of requests is computed from the tenant: one token per connection
 * and process, every list read in pages of the largest size the API allows (100 for Eploy, 30
 * for Willo), the jobs and interviews listed once per process (the discovery cache), only
 * what the cycle needs (a baseline: the applications in a trigger stage, no person when
 * nobody is invited; changes: a person only for a change into a trigger stage, the people of
 * a page in one request).
 *
 * Output: one table on stdout, the same table in $BENCH_OUT (default bench-results.txt).
 * Environment: HIRESYNC_BIN, HIRESYNC_SANDBOX, HIRESYNC_CONNECTOR_DIR, HIRESYNC_MANIFEST_DIR;
 * BENCH_SIZES (default "1000,10000,100000,1000000"): the tenants of the full-read scenario;
 * the last one also serves the incremental scenarios.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "hs_test_sandbox.h"

#define EPLOY_PAGE 100
#define WILLO_PAGE 30
#define MAX_JOBS 256
#define MAX_ROWS 64

typedef struct run_cost {
    double wall_s;
    double cpu_s;
    long maxrss_kb;
    long requests;
    long records;         /* records hiresync said it read */
    int exit_code;
} run_cost;

typedef struct row {
    char scenario[64];
    long records;
    run_cost cost;
    long min_requests;
    char target[96];      /* "" when the row has no target; else "met: ..." or "MISSED: ..." */
} row;

typedef struct bench {
    const char *bin;
    hs_test_sandbox sb;
    char dir[256];
    char config[320];
    char token[256];
    char interview[64];
    long n_interviews;
    char jobs[MAX_JOBS][24];
    size_t n_jobs;
    char trigger_ids[256];        /* ids of the "Video Interview" stages, comma-separated */
    long n_vacancies;
    row rows[MAX_ROWS];
    size_t n_rows;
    double ratio_wall[2];
} bench;

static bench *g_bench; /* for the clean-up at exit */

static void cleanup(void);

static long ceil_div(long a, long b)
{
    return a <= 0 ? 0 : (a + b - 1) / b;
}

/* ---- the sandbox ---------------------------------------------------------------------------- */

static json_object *admin(bench *b, const char *method, const char *path, const char *body)
{
    long status = 0;
    char *text = NULL;
    json_object *o;
    if (hs_test_admin(&b->sb, method, path, body, &status, &text) != 0 || status < 200 ||
        status >= 300)
        hs_bench_die("admin %s %s failed (%ld)", method, path, status);
    o = json_tokener_parse(text && *text ? text : "null");
    free(text);
    return o;
}

/* An Eploy search as a client would make it; returns the parsed envelope. stages, when not
 * NULL, adds the filter on stage ids (comma-separated). */
static json_object *eploy_search_in(bench *b, const char *resource, const char *filter_route,
                                    const char *filter_value, const char *stages, int page,
                                    const char *blocks)
{
    char url[512], auth[300], body[1024], more[400] = "";
    const char *headers[] = {auth, NULL};
    hs_test_response r;
    json_object *o;
    snprintf(url, sizeof url, "%s/%s/search", b->sb.eploy_url, resource);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", b->token);
    if (stages)
        snprintf(more, sizeof more, ",{\"Route\":\"Application.Stage\",\"Operation\":\"In\","
                 "\"Value\":\"%s\"}", stages);
    if (filter_route)
        snprintf(body, sizeof body,
                 "{\"Filters\":[{\"Route\":\"%s\",\"Operation\":\"Equals\",\"Value\":\"%s\"}%s],"
                 "\"Paging\":{\"RequestedPage\":%d,\"RecordsPerPage\":%d},"
                 "\"ResponseBlocks\":[%s]}",
                 filter_route, filter_value, more, page, EPLOY_PAGE, blocks);
    else
        snprintf(body, sizeof body,
                 "{\"Paging\":{\"RequestedPage\":%d,\"RecordsPerPage\":%d},"
                 "\"ResponseBlocks\":[%s]}", page, EPLOY_PAGE, blocks);
    if (hs_test_request("POST", url, headers, body, &r) != 0 || r.status != 200)
        hs_bench_die("POST %s: %ld", url, r.status);
    o = json_tokener_parse(r.body);
    hs_test_response_clear(&r);
    if (o == NULL)
        hs_bench_die("POST %s: not JSON", url);
    return o;
}

static json_object *eploy_search(bench *b, const char *resource, const char *filter_route,
                                 const char *filter_value, int page, const char *blocks)
{
    return eploy_search_in(b, resource, filter_route, filter_value, NULL, page, blocks);
}

/* The ids of every workflow's stage named as the bench's trigger stage. */
static void find_trigger_ids(bench *b)
{
    json_object *env = eploy_search(b, "workflows", NULL, NULL, 1, "\"WorkflowID\",\"Stages\"");
    hs_bench_trigger_ids(env, b->trigger_ids, sizeof b->trigger_ids);
    json_object_put(env);
}

static void sandbox_start(bench *b, long applications, long latency_ms)
{
    char apps[32], lat[32];
    const char *args[] = {"--applications", apps, "--vacancies", "5", "--interviews", "3",
                          "--latency-ms", lat, NULL};
    json_object *ivs, *env, *recs;
    snprintf(apps, sizeof apps, "%ld", applications);
    snprintf(lat, sizeof lat, "%ld", latency_ms);
    if (hs_test_sandbox_start(&b->sb, args) != 0)
        hs_bench_die("the sandbox did not start");
    if (hs_test_eploy_token(&b->sb, "sandbox-client", "sandbox-secret", b->token,
                            sizeof b->token) != 0)
        hs_bench_die("no Eploy token from the sandbox");
    ivs = admin(b, "GET", "/willo/interviews", NULL);
    b->n_interviews = (long)json_object_array_length(ivs);
    if (b->n_interviews < 1)
        hs_bench_die("the sandbox has no interview");
    snprintf(b->interview, sizeof b->interview, "%s",
             json_object_get_string(json_object_object_get(json_object_array_get_idx(ivs, 0),
                                                           "key")));
    json_object_put(ivs);
    /* The jobs hiresync discovers by default: the open vacancies. */
    env = eploy_search(b, "vacancies", NULL, NULL, 1, "\"VacancyId\",\"VacancyStatus\"");
    b->n_jobs = 0;
    recs = json_object_object_get(env, "Records");
    b->n_vacancies = (long)json_object_array_length(recs);
    for (size_t i = 0; i < json_object_array_length(recs) && b->n_jobs < MAX_JOBS; i++) {
        json_object *v = json_object_array_get_idx(recs, i), *st;
        const char *desc = json_object_object_get_ex(v, "VacancyStatus", &st)
                               ? json_object_get_string(json_object_object_get(st, "Description"))
                               : NULL;
        if (desc && strcmp(desc, "Open") == 0)
            snprintf(b->jobs[b->n_jobs++], sizeof b->jobs[0], "%s",
                     json_object_get_string(json_object_object_get(v, "VacancyId")));
    }
    json_object_put(env);
    if (b->n_jobs == 0)
        hs_bench_die("the sandbox has no open vacancy");
    find_trigger_ids(b);
}

static void sandbox_stop(bench *b)
{
    if (b->sb.pid)
        hs_test_sandbox_stop(&b->sb);
}

static long stats_requests(bench *b)
{
    json_object *st = admin(b, "GET", "/stats", NULL), *s, *v;
    long n = 0;
    const char *servers[] = {"eploy", "willo"};
    for (int i = 0; i < 2; i++)
        if (json_object_object_get_ex(st, servers[i], &s) &&
            json_object_object_get_ex(s, "requests", &v))
            n += (long)json_object_get_int64(v);
    json_object_put(st);
    return n;
}

/* Pages of applications of the open jobs (in the trigger stage only: stages non-NULL): what a
 * full read (a baseline) must fetch at least. A job with none still costs its one (empty)
 * page: only asking tells. */
static long application_pages(bench *b, const char *stages)
{
    long pages = 0;
    for (size_t i = 0; i < b->n_jobs; i++) {
        json_object *env = eploy_search_in(b, "applications", "Application.Vacancy", b->jobs[i],
                                           stages, 1, "\"ApplicationId\"");
        long n = hs_bench_total_pages(env);
        pages += n > 0 ? n : 1;
        json_object_put(env);
    }
    return pages;
}

/* ---- the configuration and the run ---------------------------------------------------------- */

static const char *g_interval; /* pipelines' "interval" when set (the idle daemon row) */

static void write_config(bench *b, int workers, int pipelines)
{
    FILE *f = fopen(b->config, "w");
    if (f == NULL)
        hs_bench_die("%s: %s", b->config, strerror(errno));
    fprintf(f, "{ \"state_dir\": \"%s/state\", \"log_level\": \"info\",\n", b->dir);
    if (workers > 0)
        fprintf(f, "  \"workers\": %d,\n", workers);
    /* signpost_lag_s 0: changes made just before a cycle belong to it; overlap_s 0: each
     * window holds only its own changes, not the previous scenario's (see PERFORMANCE.md). */
    fprintf(f, "  \"connections\": {\n"
               "    \"eploy\": {\"connector\": \"eploy\", \"base_url\": \"%s\", "
               "\"client_id\": \"sandbox-client\", \"client_secret\": \"sandbox-secret\", "
               "\"note_action_type\": \"1\", \"signpost_lag_s\": 0, \"overlap_s\": 0},\n"
               "    \"willo\": {\"connector\": \"willo\", \"base_url\": \"%s\", "
               "\"api_key\": \"sandbox-willo-key\", \"min_gap_ms\": 0, \"overlap_s\": 0} },\n"
               "  \"pipelines\": {\n",
            b->sb.eploy_url, b->sb.willo_url);
    for (int p = 0; p < pipelines; p++) {
        fprintf(f, "    \"p%03d\": {\"ats\": \"eploy\", \"interviews\": \"willo\", "
                   "%s%s%s\"mappings\": [{\"interview\": \"%s\", \"invite_existing\": false, "
                   "\"jobs\": [", p, g_interval ? "\"interval\": \"" : "",
                g_interval ? g_interval : "", g_interval ? "\", " : "", b->interview);
        for (size_t j = 0; j < b->n_jobs; j++)
            fprintf(f, "%s{\"job\": \"%s\", \"trigger_stages\": [\"Video Interview\"]}",
                    j ? ", " : "", b->jobs[j]);
        fprintf(f, "]}]}%s\n", p + 1 < pipelines ? "," : "");
    }
    fprintf(f, "  } }\n");
    if (fclose(f) != 0 || chmod(b->config, 0600) != 0)
        hs_bench_die("%s: %s", b->config, strerror(errno));
}

/* Sums the records hiresync reports in its "N current positions" / "N stage changes" lines. */
static long records_in_log(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    long total = 0;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "eploy: ");
        const char *from = p ? strstr(p, " from ") : NULL;
        long n, read;
        char what[32];
        if (p && sscanf(p, "eploy: %ld %31s", &n, what) == 2 &&
            (strcmp(what, "current") == 0 || strcmp(what, "stage") == 0))
            /* the records read, where the line says it: a baseline keeps only some */
            total += from && sscanf(from, " from %ld records", &read) == 1 ? read : n;
    }
    fclose(f);
    return total;
}

static run_cost run_cycle(bench *b)
{
    static const char *const argv_tail[] = {"run", "--once", "--force", NULL};
    char log[400];
    char *argv[8];
    int n = 0, status = 0;
    struct rusage ru;
    run_cost c;
    double t0;
    pid_t pid;

    memset(&c, 0, sizeof c);
    snprintf(log, sizeof log, "%s/hiresync.log", b->dir);
    json_object_put(admin(b, "DELETE", "/stats", NULL));
    argv[n++] = (char *)b->bin;
    argv[n++] = (char *)"-c";
    argv[n++] = b->config;
    for (size_t i = 0; argv_tail[i]; i++)
        argv[n++] = (char *)argv_tail[i];
    argv[n] = NULL;
    fflush(NULL);
    t0 = hs_bench_now_s();
    pid = fork();
    if (pid < 0)
        hs_bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(b->bin, argv);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        hs_bench_die("wait4: %s", strerror(errno));
    c.wall_s = hs_bench_now_s() - t0;
    c.cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    c.maxrss_kb = ru.ru_maxrss;
    c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    c.requests = stats_requests(b);
    c.records = records_in_log(log);
    if (c.exit_code != 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "tail -n 5 '%s' >&2", log);
        fprintf(stderr, "bench: hiresync exited %d; its last lines:\n", c.exit_code);
        if (system(cmd) != 0)
            fprintf(stderr, "bench: (log unreadable)\n");
    }
    return c;
}

static void dir_make(bench *b)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/hs-bench-XXXXXX");
    if (mkdtemp(b->dir) == NULL)
        hs_bench_die("mkdtemp: %s", strerror(errno));
    snprintf(b->config, sizeof b->config, "%s/hiresync.json", b->dir);
}

static void dir_remove(bench *b)
{
    if (b->dir[0])
        hs_bench_rmtree(b->dir);
    b->dir[0] = '\0';
}

/* ---- requests a cycle needs at least -------------------------------------------------------- */

/* Listing the jobs and interviews: the vacancy status list (to resolve "Open"), the open
 * vacancies, the workflows (stages), and the Willo interviews. A process does it once per
 * connection (the discovery cache keeps it for every pipeline of the connection after). */
static long min_discovery(const bench *b)
{
    return 1 + ceil_div(b->n_vacancies, EPLOY_PAGE) + 1 + ceil_div(b->n_interviews, WILLO_PAGE);
}

/* What any `run --once` cycle of one pipeline needs besides its ATS read: the token, the
 * listing, and one page of the mapped interview's participants. */
static long min_fixed(const bench *b)
{
    return 1 + min_discovery(b) + 1;
}

static row *add_row(bench *b, const char *name, long records, run_cost c, long min)
{
    row *r;
    if (b->n_rows == MAX_ROWS)
        hs_bench_die("too many rows");
    r = &b->rows[b->n_rows++];
    memset(r, 0, sizeof *r);
    snprintf(r->scenario, sizeof r->scenario, "%s", name);
    r->records = records;
    r->cost = c;
    r->min_requests = min;
    if (c.exit_code != 0)
        snprintf(r->target, sizeof r->target, "FAILED: hiresync exited %d", c.exit_code);
    return r;
}

static void set_target(row *r, int met, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_target(row *r, int met, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    if (r->target[0])
        return;
    n = (size_t)snprintf(r->target, sizeof r->target, "%s", met ? "met: " : "MISSED: ");
    va_start(ap, fmt);
    vsnprintf(r->target + n, sizeof r->target - n, fmt, ap);
    va_end(ap);
}

/* ---- scenarios ----------------------------------------------------------------------------- */

/* A first cycle (the baseline) of a new pipeline; its minimum and the request count before
 * the baseline read only what it needs (every page of the jobs' applications, one candidate
 * search each). */
static void baseline(bench *b, long applications, long pages)
{
    char name[64];
    long before = min_fixed(b) + 2 * pages;
    /* Only the pages of applications in the trigger stage, and no person (invite_existing
     * is false). */
    long min = min_fixed(b) + application_pages(b, b->trigger_ids);
    run_cost c = run_cycle(b);
    row *r;
    snprintf(name, sizeof name, "baseline, %ld applications", applications);
    r = add_row(b, name, c.records, c, min);
    set_target(r, 2 * c.requests <= before, "requests <= half of %ld (before)", before);
    fprintf(stderr, "bench: %s: %.1f s, %ld requests\n", name, c.wall_s, c.requests);
}

/* The same first cycle on a tenant that refuses the stage filter: every application of the
 * jobs is read, which measures hiresync's cost per record. */
static void full_read_unfiltered(bench *b, long applications, long pages)
{
    char name[64];
    /* The refused first request, then every page; no person. */
    long min = min_fixed(b) + 1 + pages;
    run_cost c;
    row *r;
    int per_record_ok, cpu_ok, rss_ok;
    json_object_put(admin(b, "POST", "/eploy/settings", "{\"stage_filter\":false}"));
    c = run_cycle(b);
    json_object_put(admin(b, "POST", "/eploy/settings", "{\"stage_filter\":true}"));
    snprintf(name, sizeof name, "full read, %ld applications", applications);
    r = add_row(b, name, c.records, c, min);
    per_record_ok = c.records > 0 && c.cpu_s * 1e3 * 1000.0 / (double)c.records <= 2.0;
    cpu_ok = c.cpu_s < 0.05 * c.wall_s;
    rss_ok = c.maxrss_kb < 32 * 1024;
    set_target(r, per_record_ok && cpu_ok && rss_ok,
               "<= 2 ms per 1k records %s, CPU < 5%% of wall %s, RSS < 32 MB %s",
               per_record_ok ? "met" : "MISSED", cpu_ok ? "met" : "MISSED",
               rss_ok ? "met" : "MISSED");
    fprintf(stderr, "bench: %s: %.1f s, %ld requests\n", name, c.wall_s, c.requests);
}

static void full_read(bench *b, long applications, int keep)
{
    long pages;
    double t0 = hs_bench_now_s();
    sandbox_start(b, applications, 0);
    fprintf(stderr, "bench: sandbox with %ld applications up in %.1f s\n", applications,
            hs_bench_now_s() - t0);
    pages = application_pages(b, NULL);
    dir_make(b);
    write_config(b, 0, 1);
    baseline(b, applications, pages);
    dir_remove(b);
    dir_make(b);
    write_config(b, 0, 1);
    full_read_unfiltered(b, applications, pages);
    if (!keep) {
        sandbox_stop(b);
        dir_remove(b);
    }
}

/* Moves `count` applications of the open jobs to another stage (one status-history row each). */
/* The sandbox stamps each change with the real clock but never twice the same millisecond, so
 * a burst of moves is stamped ahead of the clock; waiting until the clock has passed the last
 * stamp puts every change inside the cycle's window. Past the end of its second, in fact: the
 * window ends at the whole second of the server's Date header (with overlap_s 0), so a change
 * stamped in the second the cycle starts belongs to the next cycle. */
static void wait_past(const char *stamp)
{
    struct tm tm;
    int ms = 0;
    time_t t;
    struct timespec now, pause = {0, 50 * 1000000L};
    memset(&tm, 0, sizeof tm);
    if (stamp == NULL || sscanf(stamp, "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon,
                                &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    for (;;) {
        clock_gettime(CLOCK_REALTIME, &now);
        if ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 > ((int64_t)t + 1) * 1000 + 10)
            return;
        nanosleep(&pause, NULL);
    }
}

static long make_changes(bench *b, long count)
{
    long moved = 0;
    char last[64] = "";
    for (size_t j = 0; j < b->n_jobs && moved < count; j++) {
        for (int page = 1; moved < count; page++) {
            json_object *env = eploy_search(b, "applications", "Application.Vacancy", b->jobs[j],
                                            page, "\"ApplicationId\"");
            json_object *recs = json_object_object_get(env, "Records");
            size_t n = json_object_array_length(recs);
            for (size_t i = 0; i < n && moved < count; i++, moved++) {
                char path[96];
                long status = 0;
                char *text = NULL;
                json_object *app;
                snprintf(path, sizeof path, "/eploy/applications/%s/move",
                         json_object_get_string(json_object_object_get(
                             json_object_array_get_idx(recs, i), "ApplicationId")));
                if (hs_test_admin(&b->sb, "POST", path, "{\"stage\":\"Offers & Placements\"}",
                                  &status, &text) != 0 || status != 200)
                    hs_bench_die("move %s: %ld", path, status);
                app = json_tokener_parse(text ? text : "");
                snprintf(last, sizeof last, "%s",
                         json_object_get_string(json_object_object_get(app, "ModificationDate")));
                json_object_put(app);
                free(text);
            }
            json_object_put(env);
            if (n == 0)
                break;
        }
    }
    wait_past(moved ? last : NULL);
    return moved;
}

static void incremental(bench *b, long applications, long changes)
{
    char name[64];
    long pages, min;
    run_cost c;
    row *r;
    double t0 = hs_bench_now_s();
    /* A small tenant may hold fewer applications in its open jobs. */
    changes = make_changes(b, changes);
    pages = ceil_div(changes, EPLOY_PAGE);
    /* The status-history pages (one even when empty), and no person: the changes go to
     * "Offers & Placements", not a trigger stage, so no page needs the application search
     * (candidate ids) nor the candidate search that a change into a trigger stage costs. */
    min = min_fixed(b) + (pages ? pages : 1);
    if (changes)
        fprintf(stderr, "bench: %ld moves made in %.1f s\n", changes, hs_bench_now_s() - t0);
    c = run_cycle(b);
    snprintf(name, sizeof name, "incremental, %ld changes (of %ld)", changes, applications);
    r = add_row(b, name, c.records, c, min);
    set_target(r, c.requests == min, "requests = minimum");
    fprintf(stderr, "bench: %s: %.2f s, %ld requests\n", name, c.wall_s, c.requests);
}

static void pipelines_idle(bench *b)
{
    static const int workers[2] = {1, 0};
    const int n = 100;
    long min;
    sandbox_start(b, 1000, 0);
    dir_make(b);
    write_config(b, 0, n);
    if (run_cycle(b).exit_code != 0)
        hs_bench_die("the baseline cycle of %d pipelines failed", n);
    json_object_put(admin(b, "POST", "/eploy/settings", "{\"latency_ms\":20}"));
    /* One token and one listing of the jobs and interviews for the process (the pipelines
     * share the connection's token and, through the discovery cache, its listing); per
     * pipeline one empty page of status history and one page of participants. The pool's
     * first cycles start together and each lists before any has kept its listing (nothing
     * makes one wait for another's), so that row makes up to 3 listings more than this. */
    min = 1 + min_discovery(b) + n * 2;
    for (int i = 0; i < 2; i++) {
        char name[64];
        run_cost c;
        row *r;
        write_config(b, workers[i], n);
        c = run_cycle(b);
        b->ratio_wall[i] = c.wall_s;
        snprintf(name, sizeof name, "%d pipelines idle, 20 ms, %s", n,
                 workers[i] ? "1 worker" : "default pool (4)");
        r = add_row(b, name, c.records, c, min);
        if (i == 1)
            set_target(r, b->ratio_wall[0] / c.wall_s >= 3.2, "speed-up %.2fx of 4",
                       b->ratio_wall[0] / c.wall_s);
        fprintf(stderr, "bench: %s: %.2f s, %ld requests\n", name, c.wall_s, c.requests);
    }
    sandbox_stop(b);
    dir_remove(b);
}

/* ---- the idle daemon cycle ---------------------------------------------------------------- */

/* The status record's last start of pipeline p000, -1 when none. */
static long long last_start(bench *b)
{
    char path[400];
    json_object *rec, *last, *v;
    long long n = -1;
    snprintf(path, sizeof path, "%s/state/p000.status", b->dir);
    if ((rec = json_object_from_file(path)) == NULL)
        return -1;
    if (json_object_object_get_ex(rec, "last", &last) &&
        json_object_object_get_ex(last, "started_ms", &v))
        n = (long long)json_object_get_int64(v);
    json_object_put(rec);
    return n;
}

/* Waits (up to 150 s) for a cycle that started after `after` and has its status recorded. */
static long long next_start(bench *b, long long after)
{
    for (int i = 0; i < 1500; i++) {
        long long s = last_start(b);
        if (s > after)
            return s;
        usleep(100000);
    }
    return -1;
}

/* One pipeline in `hiresync run` (the daemon), every minute: the requests of its second
 * cycle, when the jobs and interviews come from the discovery cache and nothing changed. */
static void idle_daemon(bench *b)
{
    char log[400];
    long long first;
    run_cost c;
    row *r;
    pid_t pid;
    int status;
    sandbox_start(b, 1000, 0);
    dir_make(b);
    g_interval = "1m";
    write_config(b, 0, 1);
    g_interval = NULL;
    if (run_cycle(b).exit_code != 0)
        hs_bench_die("the baseline cycle failed");
    snprintf(log, sizeof log, "%s/daemon.log", b->dir);
    fflush(NULL);
    if ((pid = fork()) < 0)
        hs_bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = {(char *)b->bin, (char *)"-c", b->config, (char *)"run", NULL};
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(b->bin, argv);
        _exit(127);
    }
    /* the daemon's first cycle lists the jobs and fills the cache; the second is measured */
    first = next_start(b, last_start(b));
    json_object_put(admin(b, "DELETE", "/stats", NULL));
    memset(&c, 0, sizeof c);
    if (first < 0 || next_start(b, first) < 0) {
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        hs_bench_die("the daemon ran no second cycle (see %s)", log);
    }
    c.requests = stats_requests(b);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    /* The minimum: one page of status history and one of participants; the token the first
     * cycle took a minute before is still valid (an hour's life), the listing is cached. */
    r = add_row(b, "idle daemon cycle, 1 pipeline", 0, c, 2);
    set_target(r, c.requests <= 3, "requests <= 3 (7 without the discovery cache)");
    fprintf(stderr, "bench: idle daemon cycle: %ld requests\n", c.requests);
    sandbox_stop(b);
    dir_remove(b);
}

/* ---- the table ------------------------------------------------------------------------------ */

static void print_table(const bench *b, FILE *f)
{
    fprintf(f, "| scenario | records | wall s | requests / minimum | CPU ms per 1k records | "
               "CPU %% of wall | peak RSS MB | target |\n");
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < b->n_rows; i++) {
        const row *r = &b->rows[i];
        char per_k[32] = "-";
        if (r->records > 0)
            snprintf(per_k, sizeof per_k, "%.1f", r->cost.cpu_s * 1e3 * 1000.0 / (double)r->records);
        fprintf(f, "| %s | %ld | %.2f | %ld / %ld | %s | %.1f | %.1f | %s |\n", r->scenario,
                r->records, r->cost.wall_s, r->cost.requests, r->min_requests, per_k,
                r->cost.wall_s > 0 ? 100.0 * r->cost.cpu_s / r->cost.wall_s : 0.0,
                (double)r->cost.maxrss_kb / 1024.0, r->target[0] ? r->target : "-");
    }
    if (b->ratio_wall[0] > 0 && b->ratio_wall[1] > 0)
        fprintf(f, "\nPool speed-up on the latency-bound scenario: %.2fx (1 worker %.2f s, "
                   "default pool %.2f s).\n",
                b->ratio_wall[0] / b->ratio_wall[1], b->ratio_wall[0], b->ratio_wall[1]);
}

static long parse_sizes(const char *text, long *sizes, long max)
{
    long n = 0;
    char *copy = strdup(text), *save = NULL;
    if (copy == NULL)
        hs_bench_die("out of memory");
    for (char *t = strtok_r(copy, ", ", &save); t && n < max; t = strtok_r(NULL, ", ", &save)) {
        char *end;
        long v = strtol(t, &end, 10);
        if (*end != '\0' || v < 1 || v > 5000000)
            hs_bench_die("BENCH_SIZES: \"%s\" is not an application count from 1 to 5000000", t);
        sizes[n++] = v;
    }
    free(copy);
    return n;
}

static void cleanup(void)
{
    if (g_bench == NULL)
        return;
    sandbox_stop(g_bench);
    dir_remove(g_bench);
}

int main(void)
{
    static bench b;
    static const long changes[] = {0, 100, 10000};
    const char *sizes_env = getenv("BENCH_SIZES");
    const char *out_path = getenv("BENCH_OUT");
    long sizes[8], n_sizes;
    FILE *out;
    double t0 = hs_bench_now_s();
    hs_bench_name = "bench";

    g_bench = &b;
    atexit(cleanup);
    b.bin = getenv("HIRESYNC_BIN");
    if (b.bin == NULL || getenv("HIRESYNC_SANDBOX") == NULL)
        hs_bench_die("HIRESYNC_BIN and HIRESYNC_SANDBOX must name the built programs (run `make bench`)");
    n_sizes = parse_sizes(sizes_env ? sizes_env : "1000,10000,100000,1000000", sizes, 8);
    if (n_sizes == 0)
        hs_bench_die("BENCH_SIZES names no size");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (long i = 0; i < n_sizes; i++)
        full_read(&b, sizes[i], i == n_sizes - 1);
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        incremental(&b, sizes[n_sizes - 1], changes[i]);
    sandbox_stop(&b);
    dir_remove(&b);
    pipelines_idle(&b);
    idle_daemon(&b);

    print_table(&b, stdout);
    out = fopen(out_path ? out_path : "bench-results.txt", "w");
    if (out == NULL)
        hs_bench_die("%s: %s", out_path ? out_path : "bench-results.txt", strerror(errno));
    print_table(&b, out);
    fprintf(out, "\nMeasured in %.0f s in all.\n", hs_bench_now_s() - t0);
    if (fclose(out) != 0)
        hs_bench_die("writing the results failed");
    curl_global_cleanup();
    return 0;
}
