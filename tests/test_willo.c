/*
 * The Willo connector against the sandbox's Willo server, over loopback: each Authorization
 * scheme and auto detection, invitations that never duplicate a participant, completed
 * interviews across pages and interviews, next links to another origin, faults, and the API
 * key kept out of every log line and error. The connection is opened by a host of ABI 2.0, so
 * every read here is also the proof that such a host gets exactly the completions it always
 * got (test_willo_lifecycle.c covers a 2.1 host).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "hs_test_config.h"
#include "hs_test_host.h"
#include "hs_test_sandbox.h"

#define KEY_A "willo-test-key-a"   /* the key the sandbox is started with */

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fx {
    hs_test_sandbox sb;
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_error err;
    char err_msg[HS_TEST_MESSAGE_SIZE];
    char base[256];
} fx;

static void sb_start(fx *f, const char *const *extra)
{
    const char *args[24] = { "--willo-key", KEY_A, "--interviews", "3", "--participants", "12",
                             "--vacancies", "1", "--applications", "1" };
    size_t n = 10;
    for (size_t i = 0; extra && extra[i] && n + 1 < sizeof args / sizeof args[0]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    ck_assert_msg(hs_test_sandbox_start(&f->sb, args) == 0, "the sandbox did not start");
    snprintf(f->base, sizeof f->base, "%s", f->sb.willo_url);
}

/* Calls the admin interface; returns the parsed body (NULL when empty) and checks the status. */
static json_object *admin(fx *f, const char *method, const char *path, const char *body,
                          long want)
{
    char *out = NULL;
    long status = 0;
    ck_assert_msg(hs_test_admin(&f->sb, method, path, body, &status, &out) == 0,
                  "admin %s %s: no answer", method, path);
    ck_assert_msg(status == want, "admin %s %s: %ld (want %ld): %s", method, path, status, want,
                  out ? out : "");
    json_object *j = out && *out ? json_tokener_parse(out) : NULL;
    free(out);
    return j;
}

static void open_conn(fx *f, const char *key, const char *scheme, int page_size,
                      const char *extra_json)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"api_key\":\"%s\",\"base_url\":\"%s\",\"auth_scheme\":\"%s\",\"page_size\":%d,"
             "\"min_gap_ms\":0,\"retry_backoff_ms\":5,\"overlap_s\":0%s%s}",
             key, f->base, scheme, page_size, extra_json ? "," : "",
             extra_json ? extra_json : "");
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
    /* the test host's services as a host of ABI 2.0 lends them */
    static hs_host_api api20;
    api20 = *hs_test_host_api();
    api20.abi_version = HS_ABI_MAJOR << 16;
    char *settings = hs_test_config_complete("willo", cfg, &f->err);
    ck_assert_msg(settings != NULL, "config: %s", f->err.message);
    hs_status st = f->c->open(&api20, hs_test_host_handle(f->h), settings, &f->conn, &f->err);
    memset(settings, 0, strlen(settings));
    free(settings);
    ck_assert_msg(st == HS_OK, "open: %s", f->err.message);
}

static void fx_start(fx *f, const char *const *sandbox_args, const char *scheme, int page_size,
                     const char *extra_json)
{
    memset(f, 0, sizeof *f);
    sb_start(f, sandbox_args);
    f->h = hs_test_host_new();
    f->m = hs_test_module_load("willo");
    ck_assert_msg(f->m != NULL, "willo module did not load");
    f->c = hs_test_module_connector(f->m);
    ck_assert_str_eq(f->c->name, "willo");
    open_conn(f, KEY_A, scheme, page_size, extra_json);
}

/* Every test ends here: the key must not have reached a log line or the last error. */
static void fx_stop(fx *f)
{
    ck_assert_msg(!hs_test_host_log_contains(f->h, KEY_A), "the API key reached a log line");
    ck_assert_msg(!hs_test_host_log_contains(f->h, "@example.com"),
                  "a candidate's email reached a log line");
    ck_assert_msg(strstr(f->err.message, KEY_A) == NULL, "the API key reached an error");
    f->c->close(f->conn);
    hs_test_module_unload(f->m);
    hs_test_host_free(f->h);
    ck_assert_int_eq(hs_test_sandbox_stop(&f->sb), 0);
}

static void reset_err(fx *f)
{
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
}

/* Requests the Willo server saw on a route, any status ("GET /participants/"). */
static long willo_requests(fx *f, const char *route)
{
    json_object *stats = admin(f, "GET", "/stats", NULL, 200);
    json_object *routes = NULL, *r = NULL;
    long n = 0;
    json_object *w = NULL;
    if (json_object_object_get_ex(stats, "willo", &w) &&
        json_object_object_get_ex(w, "routes", &routes) &&
        json_object_object_get_ex(routes, route, &r)) {
        json_object_object_foreach(r, code, count) {
            (void)code;
            n += (long)json_object_get_int64(count);
        }
    }
    json_object_put(stats);
    return n;
}

static long server_requests(fx *f, const char *server)
{
    json_object *stats = admin(f, "GET", "/stats", NULL, 200);
    json_object *s = NULL, *r = NULL;
    long n = 0;
    if (json_object_object_get_ex(stats, server, &s) &&
        json_object_object_get_ex(s, "requests", &r))
        n = (long)json_object_get_int64(r);
    json_object_put(stats);
    return n;
}

/* The participants the sandbox holds (admin view, all interviews). */
static json_object *all_participants(fx *f)
{
    json_object *j = admin(f, "GET", "/willo/participants", NULL, 200);
    json_object *list = NULL;
    if (json_object_is_type(j, json_type_array))
        return j;
    if ((json_object_object_get_ex(j, "results", &list) ||
         json_object_object_get_ex(j, "participants", &list)) &&
        json_object_is_type(list, json_type_array)) {
        json_object_get(list);
        json_object_put(j);
        return list;
    }
    ck_abort_msg("admin GET /willo/participants: no list");
    return NULL;
}

static const char *str_of(json_object *o, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int ci_equal(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != strlen(b))
        return 0;
    for (; *a; a++, b++)
        if ((*a | 0x20) != (*b | 0x20))
            return 0;
    return 1;
}

/* How many participants of interview have this email (case-blind). */
static int count_email(fx *f, const char *interview, const char *email)
{
    json_object *list = all_participants(f);
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        if (strcmp(str_of(p, "interview") ? str_of(p, "interview") : "", interview) == 0 &&
            ci_equal(str_of(p, "email"), email))
            n++;
    }
    json_object_put(list);
    return n;
}

static json_object *participant(fx *f, const char *key)
{
    json_object *list = all_participants(f);
    json_object *found = NULL;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        if (strcmp(str_of(p, "key") ? str_of(p, "key") : "", key) == 0)
            found = json_object_get(p);
    }
    json_object_put(list);
    ck_assert_msg(found != NULL, "participant %s not in the sandbox", key);
    return found;
}

/* The interviews the connector discovers, as a collector the caller frees. */
static hs_test_collector *discover(fx *f)
{
    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(f);
    hs_status st = f->c->discover_jobs(f->conn, &em, &f->err);
    ck_assert_msg(st == HS_OK, "discover_jobs: %d %s", st, f->err.message);
    return col;
}

/* The key of the i-th interview the sandbox serves (admin view, copied into out). */
static void interview_key(fx *f, size_t i, char *out, size_t size)
{
    json_object *list = admin(f, "GET", "/willo/interviews", NULL, 200);
    ck_assert(json_object_is_type(list, json_type_array));
    ck_assert_uint_gt(json_object_array_length(list), i);
    const char *key = str_of(json_object_array_get_idx(list, i), "key");
    ck_assert_ptr_nonnull(key);
    snprintf(out, size, "%s", key);
    json_object_put(list);
}

static hs_status invite(fx *f, const char *interview, const char *first, const char *email,
                        const char *phone, hs_write_result *res)
{
    hs_person person = {sizeof person, "3000001", first, "Tester", email, phone};
    hs_invitation inv;
    memset(&inv, 0, sizeof inv);
    inv.struct_size = sizeof inv;
    inv.key = "inv-key";
    inv.interview_id = interview;
    inv.person = &person;
    inv.source_record_id = "200001";
    hs_test_result_clear(res);
    reset_err(f);
    return f->c->write_invitation(f->conn, &inv, res, &f->err);
}

static hs_status read_changes(fx *f, const char *cursor, const char *const *ids, size_t n,
                              int snapshot, hs_test_collector *col)
{
    hs_read_request req;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.cursor_json = cursor;
    req.job_ids = ids;
    req.n_job_ids = n;
    req.snapshot = snapshot;
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(f);
    return f->c->read_changes(f->conn, &req, &em, &f->err);
}

static void set_settings(fx *f, const char *json)
{
    json_object_put(admin(f, "POST", "/willo/settings", json, 200));
}

static void add_fault(fx *f, const char *json)
{
    json_object_put(admin(f, "POST", "/faults", json, 201));
}

static void complete(fx *f, const char *participant_key)
{
    char path[1024];
    snprintf(path, sizeof path, "/willo/participants/%s/complete", participant_key);
    json_object_put(admin(f, "POST", path, "{}", 200));
}

/* ---- configuration ------------------------------------------------------------------------ */

START_TEST(open_rejects_bad_config)
{
    hs_test_host *h = hs_test_host_new();
    hs_test_module *m = hs_test_module_load("willo");
    ck_assert_ptr_nonnull(m);
    const hs_connector *c = hs_test_module_connector(m);
    static const struct { const char *cfg, *needle; } cases[] = {
        { "{}", "api_key" },
        { "{\"api_key\":\"" KEY_A "\",\"auth_scheme\":\"basic\"}", "auth_scheme" },
        { "{\"api_key\":\"" KEY_A "\",\"base_url\":\"http://example.com/api\"}", "base_url" },
        { "{\"api_key\":\"" KEY_A "\",\"page_size\":31}", "page_size" },
        { "{\"api_key\":\"" KEY_A "\",\"link_field\":[]}", "link_field" },
        { "{\"api_key\":\"" KEY_A "\",\"default_country_code\":\"UK\"}",
          "default_country_code" },
        { "not json " KEY_A, "JSON" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hs_conn *conn = (hs_conn *)&cases;   /* must come back NULL */
        HS_TEST_ERROR(err);
        hs_status st = hs_test_module_open(m, h, cases[i].cfg, &conn,
                               &err);
        ck_assert_int_eq(st, HS_E_CONFIG);
        ck_assert_ptr_null(conn);
        ck_assert_msg(strstr(err.message, cases[i].needle) != NULL, "%s: %s", cases[i].cfg,
                      err.message);
        ck_assert_msg(strstr(err.message, KEY_A) == NULL, "key in error: %s", err.message);
    }
    /* named bases */
    hs_conn *conn = NULL;
    HS_TEST_ERROR(err);
    ck_assert_int_eq(hs_test_module_open(m, h,
                             "{\"api_key\":\"k\",\"base_url\":\"staging\"}", &conn, &err), HS_OK);
    c->close(conn);
    c->close(NULL);
    hs_test_module_unload(m);
    hs_test_host_free(h);
}
END_TEST

/* ---- authorization schemes ---------------------------------------------------------------- */

static const char *const schemes[] = { "bearer", "token", "raw" };

START_TEST(strict_scheme_fixed_and_auto)
{
    const char *scheme = schemes[_i];
    fx f;
    fx_start(&f, NULL, scheme, 30, NULL);
    char settings[64];
    snprintf(settings, sizeof settings, "{\"auth\":\"%s\"}", scheme);
    set_settings(&f, settings);

    /* the scheme the sandbox insists on works when configured */
    hs_test_collector_free(discover(&f));

    /* another fixed scheme is refused as a configuration problem */
    f.c->close(f.conn);
    open_conn(&f, KEY_A, schemes[(_i + 1) % 3], 30, NULL);
    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(&f);
    ck_assert_int_eq(f.c->discover_jobs(f.conn, &em, &f.err), HS_E_CONFIG);
    ck_assert_int_eq(f.err.http_status, 401);
    ck_assert_msg(strstr(f.err.message, "auth_scheme") != NULL, "%s", f.err.message);
    ck_assert_uint_eq(col->n_jobs, 0);
    hs_test_collector_free(col);

    /* auto finds it, says so in check, and keeps it: no more 401s afterwards */
    f.c->close(f.conn);
    open_conn(&f, KEY_A, "auto", 30, NULL);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    reset_err(&f);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &f.err), HS_OK);
    const hs_test_check_item *key = hs_test_report_find(rep, "API key");
    const hs_test_check_item *sch = hs_test_report_find(rep, "Authorization scheme");
    ck_assert_ptr_nonnull(key);
    ck_assert_ptr_nonnull(sch);
    ck_assert_int_eq(key->result, HS_CHECK_OK);
    ck_assert_msg(strstr(sch->message, scheme) != NULL, "%s", sch->message);
    hs_test_report_free(rep);
    json_object_put(admin(&f, "POST", "/reset", "{}", 200));
    set_settings(&f, settings);
    hs_test_collector_free(discover(&f));
    char path[1024];
    snprintf(path, sizeof path, "GET /interviews/");
    json_object *stats = admin(&f, "GET", "/stats", NULL, 200);
    ck_assert_msg(strstr(json_object_to_json_string(stats), "\"401\"") == NULL,
                  "auto forgot the scheme it found: %s", json_object_to_json_string(stats));
    json_object_put(stats);
    fx_stop(&f);
}
END_TEST

START_TEST(wrong_key_fails_every_scheme)
{
    fx f;
    fx_start(&f, NULL, "auto", 30, NULL);
    f.c->close(f.conn);
    open_conn(&f, "not-the-key-0123", "auto", 30, NULL);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    reset_err(&f);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &f.err), HS_OK);
    const hs_test_check_item *key = hs_test_report_find(rep, "API key");
    ck_assert_ptr_nonnull(key);
    ck_assert_int_eq(key->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(key->message, "every Authorization scheme") != NULL, "%s",
                  key->message);
    ck_assert_msg(strstr(key->message, "not-the-key") == NULL, "key in the check message");
    ck_assert_ptr_null(hs_test_report_find(rep, "Participants"));
    hs_test_report_free(rep);
    ck_assert_msg(!hs_test_host_log_contains(f.h, "not-the-key"), "key in a log line");
    fx_stop(&f);
}
END_TEST

/* auto keeps what it found: a later 401 (a cycled key) is a configuration error, not a new
 * search through the schemes. */
START_TEST(auto_keeps_the_scheme_it_found)
{
    fx f;
    fx_start(&f, NULL, "auto", 30, NULL);
    set_settings(&f, "{\"auth\":\"token\"}");
    hs_test_collector_free(discover(&f));
    set_settings(&f, "{\"auth\":\"bearer\"}");
    json_object_put(admin(&f, "DELETE", "/stats", NULL, 200));
    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(&f);
    ck_assert_int_eq(f.c->discover_jobs(f.conn, &em, &f.err), HS_E_CONFIG);
    ck_assert_msg(strstr(f.err.message, "token") != NULL, "%s", f.err.message);
    hs_test_collector_free(col);
    ck_assert_int_eq(willo_requests(&f, "GET /interviews/"), 1);
    fx_stop(&f);
}
END_TEST

/* ---- check -------------------------------------------------------------------------------- */

START_TEST(check_reports_refused_participants)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":403,"
                  "\"count\":1}");
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    reset_err(&f);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &f.err), HS_OK);
    ck_assert_int_eq(hs_test_report_find(rep, "API key")->result, HS_CHECK_OK);
    const hs_test_check_item *pt = hs_test_report_find(rep, "Participants");
    ck_assert_ptr_nonnull(pt);
    ck_assert_int_eq(pt->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(pt->message, "Admin or Owner") != NULL, "%s", pt->message);
    hs_test_report_free(rep);
    /* the same refusal in a read is a permission error */
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":403,"
                  "\"count\":1}");
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    const char *ids[] = { iv };
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_E_PERMISSION);
    ck_assert_uint_eq(col->n_checkpoints, 0);
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

START_TEST(check_reports_invisible_interviews)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char gone[64], kept[64];
    interview_key(&f, 0, gone, sizeof gone);
    interview_key(&f, 1, kept, sizeof kept);
    char path[1024];
    snprintf(path, sizeof path, "/willo/interviews/%s", gone);
    json_object_put(admin(&f, "DELETE", path, NULL, 200));
    const char *ids[] = { kept, gone, "0123456789abcdef0123456789abcdef" };
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, ids, 3);
    reset_err(&f);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &f.err), HS_OK);
    ck_assert_int_eq(hs_test_report_find(rep, "API key")->result, HS_CHECK_OK);
    ck_assert_int_eq(hs_test_report_find(rep, "Participants")->result, HS_CHECK_OK);
    const hs_test_check_item *sch = hs_test_report_find(rep, "Authorization scheme");
    ck_assert_ptr_nonnull(sch);
    ck_assert_msg(strstr(sch->message, "bearer") != NULL, "%s", sch->message);
    char name[128];
    snprintf(name, sizeof name, "Interview %s", gone);
    ck_assert_ptr_nonnull(hs_test_report_find(rep, name));
    ck_assert_int_eq(hs_test_report_find(rep, name)->result, HS_CHECK_FAIL);
    ck_assert_ptr_nonnull(hs_test_report_find(rep, "Interview 0123456789abcdef0123456789abcdef"));
    snprintf(name, sizeof name, "Interview %s", kept);
    ck_assert_ptr_null(hs_test_report_find(rep, name));
    ck_assert_ptr_null(hs_test_report_find(rep, "Interviews"));
    hs_test_report_free(rep);
    fx_stop(&f);
}
END_TEST

/* ---- discover_jobs ------------------------------------------------------------------------ */

START_TEST(discover_follows_pages)
{
    static const char *const args[] = { "--interviews", "7", NULL };
    fx f;
    fx_start(&f, args, "bearer", 3, NULL);
    hs_test_collector *col = discover(&f);
    ck_assert_uint_eq(col->n_jobs, 7);
    for (size_t i = 0; i < col->n_jobs; i++) {
        ck_assert_uint_eq(strlen(col->jobs[i].id), 32);
        ck_assert_ptr_nonnull(col->jobs[i].title);
        ck_assert_ptr_nonnull(col->jobs[i].created_at);
        ck_assert_ptr_nonnull(col->jobs[i].department);
        /* a completion is a kind of change, not a stage: interviews have none */
        ck_assert_uint_eq(col->jobs[i].n_stages, 0);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(col->jobs[i].id, col->jobs[j].id);
    }
    hs_test_collector_free(col);
    ck_assert_int_eq(willo_requests(&f, "GET /interviews/"), 3);
    fx_stop(&f);
}
END_TEST

/* ---- write_invitation --------------------------------------------------------------------- */

START_TEST(invitation_twice_one_participant)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    HS_TEST_RESULT(r1);
    HS_TEST_RESULT(r2);
    ck_assert_int_eq(invite(&f, iv, "Ada", "ada.twice@example.com", "+44 7700 900123", &r1),
                     HS_OK);
    ck_assert_int_eq(r1.applied, 1);
    ck_assert_uint_eq(strlen(r1.remote_id), 32);
    ck_assert_int_eq(invite(&f, iv, "Ada", "Ada.Twice@Example.com", NULL, &r2), HS_OK);
    ck_assert_int_eq(r2.applied, 0);
    ck_assert_str_eq(r1.remote_id, r2.remote_id);
    ck_assert_int_eq(count_email(&f, iv, "ada.twice@example.com"), 1);
    json_object *p = participant(&f, r1.remote_id);
    ck_assert_str_eq(str_of(p, "phone"), "+447700900123");
    ck_assert_str_eq(str_of(p, "first_name"), "Ada");
    ck_assert_str_eq(str_of(p, "interview"), iv);
    json_object_put(p);
    ck_assert_int_eq(willo_requests(&f, "POST /participants/"), 1);
    fx_stop(&f);
}
END_TEST

/* A participant key that does not fit the caller's remote_id buffer is refused whole
 * (HS_E_INTERNAL, the buffer left ""), never cut, and the message is cut inside a 16-byte
 * buffer; with room, the same invitation adopts that participant instead of inviting twice. */
START_TEST(invitation_remote_id_never_cut)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    char *tiny = hs_test_guarded_new(16), *msg = hs_test_guarded_new(16);
    ck_assert(tiny != NULL && msg != NULL);
    hs_person person = {sizeof person, "3000009", "Kim", "Small", "kim.small@example.com", NULL};
    hs_invitation inv = {sizeof inv, "inv-small", iv, &person, "200009", NULL};
    hs_write_result small;
    hs_error err;
    hs_test_result_init(&small, tiny, 16);
    hs_test_error_init(&err, msg, 16);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &small, &err), HS_E_INTERNAL);
    ck_assert_msg(hs_test_guarded_ok(tiny, 16), "wrote past remote_id_size");
    ck_assert_str_eq(tiny, "");
    ck_assert_msg(hs_test_guarded_ok(msg, 16), "wrote past message_size");
    ck_assert_uint_eq(strlen(msg), 15);
    ck_assert_int_eq(strncmp(msg, "willo: ", 7), 0);
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Kim", "kim.small@example.com", NULL, &r), HS_OK);
    ck_assert_int_eq(r.applied, 0);
    ck_assert_uint_eq(strlen(r.remote_id), 32);
    ck_assert_int_eq(count_email(&f, iv, "kim.small@example.com"), 1);
    hs_test_guarded_free(tiny, 16);
    hs_test_guarded_free(msg, 16);
    fx_stop(&f);
}
END_TEST

START_TEST(invitation_adopts_hand_invited)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64], body[256];
    interview_key(&f, 1, iv, sizeof iv);
    snprintf(body, sizeof body,
             "{\"interview\":\"%s\",\"first_name\":\"Grace\",\"last_name\":\"Hopper\","
             "\"email\":\"GRACE@example.com\"}", iv);
    json_object *hand = admin(&f, "POST", "/willo/participants", body, 201);
    char hand_key[64];
    snprintf(hand_key, sizeof hand_key, "%s", str_of(hand, "key"));
    json_object_put(hand);
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Grace", "grace@example.com", NULL, &r), HS_OK);
    ck_assert_int_eq(r.applied, 0);
    ck_assert_str_eq(r.remote_id, hand_key);
    ck_assert_int_eq(count_email(&f, iv, "grace@example.com"), 1);
    ck_assert_int_eq(willo_requests(&f, "POST /participants/"), 0);
    fx_stop(&f);
}
END_TEST

/* Duplicate modes: "create" makes a second participant on a second POST, "return" hands back
 * the first; lookup-first keeps one participant either way. */
static const char *const dup_modes[] = { "create", "return", "reject" };

START_TEST(invitation_duplicate_modes_one_participant)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char settings[64], iv[64];
    snprintf(settings, sizeof settings, "{\"duplicates\":\"%s\"}", dup_modes[_i]);
    set_settings(&f, settings);
    interview_key(&f, 2, iv, sizeof iv);
    HS_TEST_RESULT(r1);
    HS_TEST_RESULT(r2);
    HS_TEST_RESULT(r3);
    ck_assert_int_eq(invite(&f, iv, "Alan", "alan@example.com", NULL, &r1), HS_OK);
    ck_assert_int_eq(r1.applied, 1);
    ck_assert_int_eq(invite(&f, iv, "Alan", "alan@example.com", NULL, &r2), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "Alan", " ALAN@example.com ", NULL, &r3), HS_OK);
    ck_assert_int_eq(r2.applied, 0);
    ck_assert_int_eq(r3.applied, 0);
    ck_assert_str_eq(r2.remote_id, r1.remote_id);
    ck_assert_str_eq(r3.remote_id, r1.remote_id);
    ck_assert_int_eq(count_email(&f, iv, "alan@example.com"), 1);
    fx_stop(&f);
}
END_TEST

typedef struct invite_job {
    fx *f;
    const char *interview;
    hs_write_result res;
    char res_id[HS_TEST_REMOTE_ID_SIZE];
    hs_status st;
} invite_job;

static void *invite_thread(void *arg)
{
    invite_job *j = arg;
    j->st = invite(j->f, j->interview, "Race", "race@example.com", NULL, &j->res);
    return NULL;
}

/* Someone invites the same email by hand between the connector's lookup and its POST: Willo
 * answers "already invited" and the connector adopts that participant. The sandbox holds the
 * POST back (a fault delay) while the hand invitation is made, once the lookup was seen. */
START_TEST(invitation_already_invited_between_lookup_and_post)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64], body[256];
    interview_key(&f, 0, iv, sizeof iv);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"POST\","
                  "\"kind\":\"status\",\"status\":0,\"delay_ms\":2000,\"count\":1}");
    invite_job job = { &f, iv, { 0 }, "", HS_E_INTERNAL };
    hs_test_result_init(&job.res, job.res_id, sizeof job.res_id);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, invite_thread, &job), 0);
    while (willo_requests(&f, "GET /participants/") < 1) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
    snprintf(body, sizeof body,
             "{\"interview\":\"%s\",\"first_name\":\"Hand\",\"email\":\"race@example.com\"}", iv);
    json_object *hand = admin(&f, "POST", "/willo/participants", body, 201);
    char hand_key[64];
    snprintf(hand_key, sizeof hand_key, "%s", str_of(hand, "key"));
    json_object_put(hand);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_msg(job.st == HS_OK, "write_invitation: %d %s", job.st, f.err.message);
    ck_assert_int_eq(job.res.applied, 0);
    ck_assert_str_eq(job.res.remote_id, hand_key);
    ck_assert_int_eq(count_email(&f, iv, "race@example.com"), 1);
    ck_assert(hs_test_host_log_contains(f.h, "already invited"));
    fx_stop(&f);
}
END_TEST

/* The same email in another interview is another participant. */
START_TEST(invitation_per_interview)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char a[64], b[64];
    interview_key(&f, 0, a, sizeof a);
    interview_key(&f, 1, b, sizeof b);
    HS_TEST_RESULT(r1);
    HS_TEST_RESULT(r2);
    ck_assert_int_eq(invite(&f, a, "Ada", "both@example.com", NULL, &r1), HS_OK);
    ck_assert_int_eq(invite(&f, b, "Ada", "both@example.com", NULL, &r2), HS_OK);
    ck_assert_int_eq(r1.applied, 1);
    ck_assert_int_eq(r2.applied, 1);
    ck_assert_str_ne(r1.remote_id, r2.remote_id);
    fx_stop(&f);
}
END_TEST

START_TEST(invitation_rejections_are_data_errors)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64], gone[64];
    interview_key(&f, 0, iv, sizeof iv);
    interview_key(&f, 1, gone, sizeof gone);
    HS_TEST_RESULT(r);

    ck_assert_int_eq(invite(&f, iv, "Nomail", NULL, NULL, &r), HS_E_DATA);
    ck_assert_msg(strstr(f.err.message, "no email") != NULL, "%s", f.err.message);
    ck_assert_msg(strstr(f.err.message, "200001") != NULL, "%s", f.err.message);

    ck_assert_int_eq(invite(&f, iv, "Bad", "not-an-email", NULL, &r), HS_E_DATA);
    ck_assert_int_eq(f.err.http_status, 400);
    ck_assert_msg(strstr(f.err.message, "rejected the email") != NULL, "%s", f.err.message);
    ck_assert_msg(strstr(f.err.message, "valid") != NULL, "Willo's words missing: %s",
                  f.err.message);

    char path[1024];
    snprintf(path, sizeof path, "/willo/interviews/%s", gone);
    json_object_put(admin(&f, "DELETE", path, NULL, 200));
    ck_assert_int_eq(invite(&f, gone, "Late", "late@example.com", NULL, &r), HS_E_DATA);
    ck_assert_msg(strstr(f.err.message, "does not exist") != NULL, "%s", f.err.message);
    ck_assert_msg(strstr(f.err.message, gone) != NULL, "%s", f.err.message);
    ck_assert_int_eq(count_email(&f, gone, "late@example.com"), 0);

    /* an unusable phone is left out with a warning, not a failure */
    ck_assert_int_eq(invite(&f, iv, "Phoneless", "phoneless@example.com", "call me maybe", &r),
                     HS_OK);
    ck_assert_int_eq(r.applied, 1);
    json_object *p = participant(&f, r.remote_id);
    const char *phone = str_of(p, "phone");
    ck_assert_msg(phone == NULL || *phone == '\0', "phone sent: %s", phone);
    json_object_put(p);
    ck_assert(hs_test_host_log_contains(f.h, "WARN"));
    ck_assert(hs_test_host_log_contains(f.h, "E.164"));
    fx_stop(&f);
}
END_TEST

START_TEST(invitation_national_phone_with_country_code)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, "\"default_country_code\":\"44\"");
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Nat", "nat@example.com", "07700 900456", &r), HS_OK);
    json_object *p = participant(&f, r.remote_id);
    ck_assert_str_eq(str_of(p, "phone"), "+447700900456");
    json_object_put(p);
    fx_stop(&f);
}
END_TEST

/* ---- read_changes ------------------------------------------------------------------------- */

static int has_change(const hs_test_collector *col, const char *participant_key)
{
    return hs_test_collector_find(col, participant_key, NULL) != NULL;
}

START_TEST(completions_across_pages_and_interviews)
{
    fx f;
    fx_start(&f, NULL, "bearer", 2, NULL);
    /* the first interview has no completions yet; the third has seeded ones (old news) */
    char iv[2][64];
    interview_key(&f, 0, iv[0], sizeof iv[0]);
    interview_key(&f, 2, iv[1], sizeof iv[1]);
    const char *ids[] = { iv[0], iv[1] };

    /* baseline: nothing reported, one barrier at least, a cursor with both interviews */
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 2, 0, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, 0);
    ck_assert_uint_ge(col->n_checkpoints, 1);
    char *cursor = strdup(hs_test_collector_last_cursor(col));
    ck_assert(strstr(cursor, iv[0]) && strstr(cursor, iv[1]));
    hs_test_collector_free(col);

    /* invited after the baseline, completed later: 5 in one interview, 2 in the other */
    char keys[7][128];
    for (int i = 0; i < 7; i++) {
        char email[64];
        HS_TEST_RESULT(r);
        snprintf(email, sizeof email, "done%d@example.com", i);
        ck_assert_int_eq(invite(&f, iv[i < 5 ? 0 : 1], "Done", email, NULL, &r), HS_OK);
        snprintf(keys[i], sizeof keys[i], "%s", r.remote_id);
    }
    HS_TEST_RESULT(pending);
    ck_assert_int_eq(invite(&f, iv[0], "Pending", "pending@example.com", NULL, &pending),
                     HS_OK);
    for (int i = 0; i < 7; i++)
        complete(&f, keys[i]);

    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, 7);
    /* progress after each interview, of two; the page total only at the end (a listing's
     * count is not what a walk stopping at the mark reads) */
    ck_assert_uint_eq(col->n_progress, 2);
    ck_assert_int_eq(col->progress[0].parts_done, 1);
    ck_assert_int_eq(col->progress[0].parts_total, 2);
    ck_assert_int_eq(col->progress[0].pages_total, -1);
    ck_assert_int_ge(col->progress[0].pages_done, 3);      /* 5 completions, 2 a page */
    ck_assert_int_eq(col->progress[1].parts_done, 2);
    ck_assert_int_eq(col->progress[1].pages_done, (int64_t)col->n_checkpoints - 1);
    ck_assert_int_eq(col->progress[1].pages_total, col->progress[1].pages_done);
    for (int i = 0; i < 7; i++) {
        const hs_test_change *ch = hs_test_collector_find(col, keys[i], NULL);
        ck_assert_msg(ch != NULL, "completion of %s not read", keys[i]);
        ck_assert_str_eq(ch->job_id, iv[i < 5 ? 0 : 1]);
        ck_assert_uint_eq(ch->kind, HS_CHANGE_COMPLETED);
        ck_assert_ptr_null(ch->stage_id);
        ck_assert_ptr_null(ch->stage_name);
        ck_assert_ptr_nonnull(ch->changed_at);
        char want[160];
        snprintf(want, sizeof want, "willo:%s:completed:%s", keys[i], ch->changed_at);
        ck_assert_str_eq(ch->key, want);
        ck_assert_ptr_nonnull(ch->link);
        json_object *p = participant(&f, keys[i]);
        ck_assert_str_eq(ch->link, str_of(p, "share_link"));
        ck_assert_str_eq(ch->email, str_of(p, "email"));
        json_object_put(p);
        ck_assert_int_eq(ch->snapshot, 0);
    }
    ck_assert(!has_change(col, pending.remote_id));
    /* a barrier per page: 5 completions at 2 a page make 3 pages in the first interview */
    ck_assert_uint_ge(col->n_checkpoints, 4);
    ck_assert_uint_le(col->max_changes_between_barriers, 2);
    free(cursor);
    cursor = strdup(hs_test_collector_last_cursor(col));
    hs_test_collector_free(col);

    /* nothing new: nothing beyond what was reported */
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    for (size_t i = 0; i < col->n_changes; i++) {
        int known = 0;
        for (int k = 0; k < 7; k++)
            known |= strcmp(col->changes[i].record_id, keys[k]) == 0;
        ck_assert_msg(known, "unexpected change %s", col->changes[i].key);
    }
    ck_assert_uint_ge(col->n_checkpoints, 1);
    hs_test_collector_free(col);

    /* the one still pending completes: read from the last cursor */
    complete(&f, pending.remote_id);
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    ck_assert(has_change(col, pending.remote_id));
    hs_test_collector_free(col);

    /* with an overlap window, a later read reports recent completions again, same keys */
    hs_test_collector *first = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 2, 1, first), HS_OK);
    f.c->close(f.conn);
    open_conn(&f, KEY_A, "bearer", 2, "\"overlap_s\":86400");
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    ck_assert(has_change(col, pending.remote_id));
    for (int i = 0; i < 7; i++) {
        const hs_test_change *again = hs_test_collector_find(col, keys[i], NULL);
        const hs_test_change *orig = hs_test_collector_find(first, keys[i], NULL);
        ck_assert_ptr_nonnull(again);
        ck_assert_ptr_nonnull(orig);
        ck_assert_str_eq(again->key, orig->key);
    }
    /* the seeded completions were there at the baseline: never reported as changes */
    json_object *list = all_participants(&f);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        int mine = strcmp(str_of(p, "key"), pending.remote_id) == 0;
        for (int k = 0; k < 7; k++)
            mine |= strcmp(str_of(p, "key"), keys[k]) == 0;
        if (!mine)
            ck_assert_msg(!has_change(col, str_of(p, "key")), "old completion reported");
    }
    json_object_put(list);
    hs_test_collector_free(col);
    hs_test_collector_free(first);
    free(cursor);
    fx_stop(&f);
}
END_TEST

/* Invited before the interview's first read (the read of that cycle failed, say) and
 * completed before the next one: the first read still reports it, and no older completion. */
START_TEST(first_read_reports_completions_since_first_invitation)
{
    fx f;
    fx_start(&f, NULL, "bearer", 2, NULL);
    char iv[64], name[80];
    interview_key(&f, 2, iv, sizeof iv);   /* holds seeded completions */
    const char *ids[] = { iv };
    HS_TEST_RESULT(early);
    ck_assert_int_eq(invite(&f, iv, "Early", "early@example.com", NULL, &early), HS_OK);
    snprintf(name, sizeof name, "since:%s", iv);
    ck_assert_ptr_nonnull(hs_test_host_store_value(f.h, name));
    complete(&f, early.remote_id);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, 1);
    ck_assert_str_eq(col->changes[0].record_id, early.remote_id);
    ck_assert_int_eq(col->changes[0].snapshot, 0);
    char *cursor = strdup(hs_test_collector_last_cursor(col));
    hs_test_collector_free(col);
    /* and later reads go on from there */
    HS_TEST_RESULT(late);
    ck_assert_int_eq(invite(&f, iv, "Late", "late@example.com", NULL, &late), HS_OK);
    complete(&f, late.remote_id);
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 1, 0, col), HS_OK);
    ck_assert(has_change(col, late.remote_id));
    for (size_t i = 0; i < col->n_changes; i++)
        ck_assert_msg(strcmp(col->changes[i].record_id, early.remote_id) == 0 ||
                      strcmp(col->changes[i].record_id, late.remote_id) == 0,
                      "old completion %s reported", col->changes[i].record_id);
    hs_test_collector_free(col);
    free(cursor);
    fx_stop(&f);
}
END_TEST

START_TEST(snapshot_reports_existing_completions)
{
    fx f;
    fx_start(&f, NULL, "bearer", 2, NULL);
    char iv[64];
    interview_key(&f, 2, iv, sizeof iv);   /* the seeded completions are in the third */
    const char *ids[] = { iv };
    /* the seeded data holds completed participants; count them from the admin view */
    json_object *list = all_participants(&f);
    size_t want = 0;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        if (strcmp(str_of(p, "interview"), iv) == 0 && str_of(p, "status") &&
            strcmp(str_of(p, "status"), "completed") == 0)
            want++;
    }
    json_object_put(list);
    ck_assert_uint_gt(want, 0);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 1, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, want);
    for (size_t i = 0; i < col->n_changes; i++)
        ck_assert_int_eq(col->changes[i].snapshot, 1);
    char *cursor = strdup(hs_test_collector_last_cursor(col));
    hs_test_collector_free(col);
    /* after the snapshot, the same completions are not changes */
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 1, 0, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, 0);
    hs_test_collector_free(col);
    free(cursor);
    fx_stop(&f);
}
END_TEST

/* Without job ids, every interview the key sees is read (and gets a baseline). */
START_TEST(read_all_interviews_without_job_ids)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", NULL, 0, 0, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, 0);
    const char *cursor = hs_test_collector_last_cursor(col);
    for (size_t i = 0; i < 3; i++) {
        char iv[64];
        interview_key(&f, i, iv, sizeof iv);
        ck_assert_msg(strstr(cursor, iv) != NULL, "interview %s missing from %s", iv, cursor);
    }
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

/* Requests keep the configured distance: the connector asks the host to wait between them. */
START_TEST(minimum_gap_between_requests)
{
    static const char *const args[] = { "--interviews", "7", NULL };
    fx f;
    fx_start(&f, args, "bearer", 3, "\"min_gap_ms\":60000");
    hs_test_collector *col = discover(&f);
    ck_assert_uint_eq(col->n_jobs, 7);
    hs_test_collector_free(col);
    ck_assert_uint_ge(hs_test_host_sleep_count(f.h), 2);   /* before pages 2 and 3 */
    ck_assert_int_le(hs_test_host_longest_sleep_ms(f.h), 60000);
    ck_assert_int_ge(hs_test_host_slept_ms(f.h), 2 * 30000);
    fx_stop(&f);
}
END_TEST

/* A mapped interview deleted in Willo does not stop the others; its mark is kept. */
START_TEST(read_skips_deleted_interview)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char gone[64], kept[64];
    interview_key(&f, 0, gone, sizeof gone);
    interview_key(&f, 1, kept, sizeof kept);
    const char *ids[] = { gone, kept };
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 2, 0, col), HS_OK);
    char *cursor = strdup(hs_test_collector_last_cursor(col));
    hs_test_collector_free(col);
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, kept, "Kept", "kept@example.com", NULL, &r), HS_OK);
    complete(&f, r.remote_id);
    char path[1024];
    snprintf(path, sizeof path, "/willo/interviews/%s", gone);
    json_object_put(admin(&f, "DELETE", path, NULL, 200));
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    ck_assert(has_change(col, r.remote_id));
    ck_assert_msg(strstr(hs_test_collector_last_cursor(col), gone) != NULL,
                  "the deleted interview's mark was dropped");
    hs_test_collector_free(col);
    free(cursor);
    fx_stop(&f);
}
END_TEST

/* A refusal Willo does not explain skips that interview with a warning; the others are read
 * and the skipped one keeps its mark. */
START_TEST(read_skips_refused_interview)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char a[64], b[64];
    interview_key(&f, 0, a, sizeof a);
    interview_key(&f, 1, b, sizeof b);
    const char *ids[] = { a, b };
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 2, 0, col), HS_OK);
    char *cursor = strdup(hs_test_collector_last_cursor(col));
    hs_test_collector_free(col);
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, b, "Bee", "bee@example.com", NULL, &r), HS_OK);
    complete(&f, r.remote_id);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"GET\","
                  "\"status\":400,\"count\":1}");
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, cursor, ids, 2, 0, col), HS_OK);
    ck_assert(has_change(col, r.remote_id));
    ck_assert(hs_test_host_log_contains(f.h, "skipped"));
    ck_assert(hs_test_host_log_contains(f.h, a));
    ck_assert(strstr(hs_test_collector_last_cursor(col), a) != NULL);
    hs_test_collector_free(col);
    free(cursor);
    fx_stop(&f);
}
END_TEST

/* A base_url that does not lead to the API is a configuration error that names base_url. */
START_TEST(wrong_base_path_is_config_error)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    f.c->close(f.conn);
    char *v2 = strstr(f.base, "/v2");
    ck_assert_ptr_nonnull(v2);
    v2[2] = '3';
    open_conn(&f, KEY_A, "bearer", 30, NULL);
    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(&f);
    ck_assert_int_eq(f.c->discover_jobs(f.conn, &em, &f.err), HS_E_CONFIG);
    ck_assert_msg(strstr(f.err.message, "base_url") != NULL, "%s", f.err.message);
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

START_TEST(cursor_from_another_format_is_refused)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "{\"since\":\"2026-01-01\"}", NULL, 0, 0, col),
                     HS_E_INTERNAL);
    ck_assert_uint_eq(col->n_checkpoints, 0);
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

/* ---- foreign next links ------------------------------------------------------------------- */

/* The sandbox writes next links to the Eploy server's origin: a different port on the same
 * host. The connector must refuse them and send nothing there. */
static void foreign_next_host(fx *f)
{
    const char *eploy = f->sb.eploy_url;
    char host[256];
    const char *start = strstr(eploy, "://");
    ck_assert_ptr_nonnull(start);
    snprintf(host, sizeof host, "%s", start + 3);
    char *slash = strchr(host, '/');
    if (slash)
        *slash = '\0';
    char settings[320];
    snprintf(settings, sizeof settings, "{\"next_host\":\"%s\"}", host);
    set_settings(f, settings);
}

START_TEST(foreign_next_link_refused)
{
    fx f;
    fx_start(&f, NULL, "bearer", 1, NULL);
    char iv[64];
    interview_key(&f, 2, iv, sizeof iv);   /* holds several completed participants */
    foreign_next_host(&f);
    long eploy_before = server_requests(&f, "eploy");

    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    reset_err(&f);
    ck_assert_int_eq(f.c->discover_jobs(f.conn, &em, &f.err), HS_E_INTERNAL);
    ck_assert_msg(strstr(f.err.message, "another origin") != NULL, "%s", f.err.message);
    const char *eploy = f.sb.eploy_url;
    char origin[256];
    snprintf(origin, sizeof origin, "%s", eploy);
    char *path = strstr(origin + 8, "/");
    if (path)
        *path = '\0';
    ck_assert_msg(strstr(f.err.message, origin) != NULL, "foreign host not named: %s",
                  f.err.message);
    ck_assert_uint_eq(col->n_jobs, 1);   /* the first page was read */
    hs_test_collector_free(col);

    /* a read over several pages fails without a barrier after the refusal */
    const char *ids[] = { iv };
    col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 1, col), HS_E_INTERNAL);
    size_t barriers = col->n_checkpoints;
    hs_test_collector_free(col);
    ck_assert_uint_le(barriers, 1);

    ck_assert_int_eq(server_requests(&f, "eploy"), eploy_before);
    /* the first page only: the second lives on the other origin */
    ck_assert_int_eq(willo_requests(&f, "GET /interviews/"), 1);
    fx_stop(&f);
}
END_TEST

/* ---- faults ------------------------------------------------------------------------------- */

START_TEST(fault_429_retry_after_honoured)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/interviews/\",\"status\":429,"
                  "\"retry_after\":3,\"count\":1}");
    hs_test_collector *col = discover(&f);
    ck_assert_uint_eq(col->n_jobs, 3);
    hs_test_collector_free(col);
    ck_assert_int_ge(hs_test_host_longest_sleep_ms(f.h), 3000);
    ck_assert_int_eq(willo_requests(&f, "GET /interviews/"), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(fault_429_on_invitation_sent_again_once)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"POST\","
                  "\"status\":429,\"retry_after\":2,\"count\":1}");
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Slow", "slow@example.com", NULL, &r), HS_OK);
    ck_assert_int_eq(r.applied, 1);
    ck_assert_int_ge(hs_test_host_longest_sleep_ms(f.h), 2000);
    ck_assert_int_eq(count_email(&f, iv, "slow@example.com"), 1);
    fx_stop(&f);
}
END_TEST

START_TEST(fault_persistent_429_on_invitation_is_retry)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"POST\","
                  "\"status\":429,\"retry_after\":7,\"count\":-1}");
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Held", "held@example.com", NULL, &r), HS_RETRY);
    ck_assert_int_eq(f.err.http_status, 429);
    ck_assert_int_eq(f.err.retry_after_s, 7);
    ck_assert_int_eq(willo_requests(&f, "POST /participants/"), 4);   /* max_attempts */
    ck_assert_int_eq(count_email(&f, iv, "held@example.com"), 0);
    fx_stop(&f);
}
END_TEST

START_TEST(fault_5xx_on_invitation_looks_before_retrying)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    set_settings(&f, "{\"duplicates\":\"create\"}");
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"POST\","
                  "\"status\":503,\"count\":1}");
    HS_TEST_RESULT(r);
    ck_assert_int_eq(invite(&f, iv, "Busy", "busy@example.com", NULL, &r), HS_RETRY);
    ck_assert_int_eq(f.err.http_status, 503);
    ck_assert_int_eq(willo_requests(&f, "POST /participants/"), 1);   /* not sent again */
    ck_assert_int_eq(invite(&f, iv, "Busy", "busy@example.com", NULL, &r), HS_OK);
    ck_assert_int_eq(count_email(&f, iv, "busy@example.com"), 1);
    fx_stop(&f);
}
END_TEST

static const char *const transient[] = {
    "{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":500,\"count\":2}",
    "{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":502,\"count\":1}",
    "{\"server\":\"willo\",\"route\":\"/participants/\",\"kind\":\"reset\",\"count\":1}",
    "{\"server\":\"willo\",\"route\":\"/participants/\",\"kind\":\"truncate\",\"count\":1}",
};

/* Transient faults are retried inside the call: the read completes as if nothing happened. */
START_TEST(fault_transient_retried)
{
    fx f;
    fx_start(&f, NULL, "bearer", 2, NULL);
    char iv[64];
    interview_key(&f, 2, iv, sizeof iv);
    const char *ids[] = { iv };
    hs_test_collector *clean = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 1, clean), HS_OK);
    ck_assert_uint_gt(clean->n_changes, 0);
    long before = willo_requests(&f, "GET /participants/");
    add_fault(&f, transient[_i]);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 1, col), HS_OK);
    ck_assert_uint_eq(col->n_changes, clean->n_changes);
    ck_assert_str_eq(hs_test_collector_last_cursor(col), hs_test_collector_last_cursor(clean));
    ck_assert_int_gt(willo_requests(&f, "GET /participants/") - before,
                     (long)(clean->n_checkpoints - 1));
    /* a reset of a reused connection is re-sent by libcurl itself, without a back-off */
    if (strstr(transient[_i], "\"status\"") != NULL)
        ck_assert_int_gt(hs_test_host_sleep_count(f.h), 0);
    hs_test_collector_free(col);
    hs_test_collector_free(clean);
    fx_stop(&f);
}
END_TEST

START_TEST(fault_persistent_5xx_is_retry_without_barrier)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    const char *ids[] = { iv };
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":503,"
                  "\"retry_after\":1,\"count\":-1}");
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_RETRY);
    ck_assert_int_eq(f.err.http_status, 503);
    ck_assert_uint_eq(col->n_checkpoints, 0);
    ck_assert_int_eq(willo_requests(&f, "GET /participants/"), 4);   /* max_attempts */
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

START_TEST(fault_malformed_is_internal_then_recovers)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    const char *ids[] = { iv };
    add_fault(&f, "{\"server\":\"willo\",\"route\":\"/participants/\",\"kind\":\"malformed\","
                  "\"count\":1}");
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_E_INTERNAL);
    ck_assert_msg(strstr(f.err.message, "malformed") != NULL, "%s", f.err.message);
    ck_assert_uint_eq(col->n_checkpoints, 0);
    hs_test_collector_clear(col);
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_OK);
    ck_assert_uint_ge(col->n_checkpoints, 1);
    hs_test_collector_free(col);
    fx_stop(&f);
}
END_TEST

START_TEST(cancelled_read_stops_without_barrier)
{
    fx f;
    fx_start(&f, NULL, "bearer", 30, NULL);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    const char *ids[] = { iv };
    hs_test_host_cancel(f.h, 1);
    hs_test_collector *col = hs_test_collector_new();
    ck_assert_int_eq(read_changes(&f, "", ids, 1, 0, col), HS_E_CANCELLED);
    ck_assert_uint_eq(col->n_checkpoints, 0);
    hs_test_collector_free(col);
    hs_test_host_cancel(f.h, 0);
    fx_stop(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("willo");
    TCase *tc = tcase_create("sandbox");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, open_rejects_bad_config);
    tcase_add_loop_test(tc, strict_scheme_fixed_and_auto, 0, 3);
    tcase_add_test(tc, wrong_key_fails_every_scheme);
    tcase_add_test(tc, auto_keeps_the_scheme_it_found);
    tcase_add_test(tc, check_reports_invisible_interviews);
    tcase_add_test(tc, check_reports_refused_participants);
    tcase_add_test(tc, discover_follows_pages);
    tcase_add_test(tc, invitation_twice_one_participant);
    tcase_add_test(tc, invitation_remote_id_never_cut);
    tcase_add_test(tc, invitation_adopts_hand_invited);
    tcase_add_loop_test(tc, invitation_duplicate_modes_one_participant, 0, 3);
    tcase_add_test(tc, invitation_already_invited_between_lookup_and_post);
    tcase_add_test(tc, invitation_per_interview);
    tcase_add_test(tc, invitation_rejections_are_data_errors);
    tcase_add_test(tc, invitation_national_phone_with_country_code);
    tcase_add_test(tc, completions_across_pages_and_interviews);
    tcase_add_test(tc, first_read_reports_completions_since_first_invitation);
    tcase_add_test(tc, snapshot_reports_existing_completions);
    tcase_add_test(tc, read_all_interviews_without_job_ids);
    tcase_add_test(tc, minimum_gap_between_requests);
    tcase_add_test(tc, read_skips_deleted_interview);
    tcase_add_test(tc, read_skips_refused_interview);
    tcase_add_test(tc, wrong_base_path_is_config_error);
    tcase_add_test(tc, cursor_from_another_format_is_refused);
    tcase_add_test(tc, foreign_next_link_refused);
    tcase_add_test(tc, fault_429_retry_after_honoured);
    tcase_add_test(tc, fault_429_on_invitation_sent_again_once);
    tcase_add_test(tc, fault_persistent_429_on_invitation_is_retry);
    tcase_add_test(tc, fault_5xx_on_invitation_looks_before_retrying);
    tcase_add_loop_test(tc, fault_transient_retried, 0, 4);
    tcase_add_test(tc, fault_persistent_5xx_is_retry_without_barrier);
    tcase_add_test(tc, fault_malformed_is_internal_then_recovers);
    tcase_add_test(tc, cancelled_read_stops_without_barrier);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
