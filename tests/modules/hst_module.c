/*
 * Connector modules for the loader's tests. One source, built as several modules: the
 * variant (HST_VARIANT) decides what the module gets wrong, HST_MODULE its file name (and
 * so its symbol prefix). The good variants are small working connectors ("testats" and
 * "testvideo") whose behaviour the configuration drives, so the CLI can be tested without a
 * network:
 *   "token"        secret; logged on open on purpose, to prove the host masks it
 *   "check_fail"   name of a check item to report as failed
 *   "check_warn"   name of a check item to report as a warning
 *   "jobs"         number of jobs discover_jobs emits (default 3)
 *   "open_fail"    true: open() fails with HS_E_CONFIG
 *   "record_size"  "large": jobs whose stages and statuses are longer than 2.0's, as a newer
 *                  minor writes them (junk in the extra bytes, element sizes to match);
 *                  "small": stages shorter than 2.0's, as an older writer's
 * The good variants also have module_init and module_exit, which append "init" and "exit"
 * lines to the file HST_LIFECYCLE_FILE names (when set), so tests can count the calls.
 * Variants: good ATS and interview connectors; no entry symbol; entry returning NULL;
 * another ABI major; a newer minor; a table too short for a declared operation; a NULL
 * declared operation; a name that differs from the manifest; an unresolved symbol;
 * module_init failing.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <hiresync/connector.h>

#define HST_GOOD_ATS 1
#define HST_GOOD_VIDEO 2
#define HST_NOENTRY 3
#define HST_NULLTABLE 4
#define HST_MAJOR 5
#define HST_MINOR 6
#define HST_SHORT 7
#define HST_NULLOP 8
#define HST_NAME 9
#define HST_UNDEF 10
#define HST_INITFAIL 11

/* How many bytes a "large" record has beyond 2.0's. */
#define HST_PAD 24

#ifndef HST_VARIANT
#error "HST_VARIANT must be defined"
#endif

#if HST_VARIANT == HST_UNDEF
void hs_undefined_function_for_tests(void);
#endif

struct hs_conn {
    const hs_host_api *api;
    hs_host *host;
    char *check_fail;
    char *check_warn;
    int jobs;
    char *record_size;
};

static char *dup_member(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return strdup(json_object_get_string(v));
}

static void hst_close(hs_conn *conn)
{
    if (!conn)
        return;
    free(conn->check_fail);
    free(conn->check_warn);
    free(conn->record_size);
    free(conn);
}

static hs_status fail(hs_error *err, hs_status status, const char *message)
{
    if (err && err->struct_size >= sizeof(*err) && err->message && err->message_size > 0)
        snprintf(err->message, err->message_size, "%s", message);
    return status;
}

static hs_status hst_open(const hs_host_api *api, hs_host *host, const char *config_json,
                          hs_conn **out, hs_error *err)
{
    *out = NULL;
    json_object *cfg = json_tokener_parse(config_json);
    if (!cfg)
        return fail(err, HS_E_INTERNAL, "configuration is not JSON");
    json_object *v;
    if (json_object_object_get_ex(cfg, "open_fail", &v) && json_object_get_boolean(v)) {
        json_object_put(cfg);
        return fail(err, HS_E_CONFIG, "open refused as configured (open_fail)");
    }
    hs_conn *conn = calloc(1, sizeof(*conn));
    if (!conn) {
        json_object_put(cfg);
        return fail(err, HS_E_INTERNAL, "out of memory");
    }
    conn->api = api;
    conn->host = host;
    conn->check_fail = dup_member(cfg, "check_fail");
    conn->check_warn = dup_member(cfg, "check_warn");
    conn->record_size = dup_member(cfg, "record_size");
    conn->jobs = json_object_object_get_ex(cfg, "jobs", &v) ? json_object_get_int(v) : 3;
#if HST_VARIANT == HST_UNDEF
    /* Defined nowhere: the module must be refused when loaded, not crash when opened. */
    hs_undefined_function_for_tests();
#endif
    char *token = dup_member(cfg, "token");
    /* Deliberately careless: the host must mask it. */
    api->log(host, HS_LOG_INFO, "opened with token %s", token ? token : "(none)");
    free(token);
    json_object_put(cfg);
    *out = conn;
    return HS_OK;
}

static hs_check_result verdict(const hs_conn *conn, const char *name)
{
    if (conn->check_fail && strcmp(conn->check_fail, name) == 0)
        return HS_CHECK_FAIL;
    if (conn->check_warn && strcmp(conn->check_warn, name) == 0)
        return HS_CHECK_WARN;
    return HS_CHECK_OK;
}

static hs_status hst_check(hs_conn *conn, const hs_check_report *report, hs_error *err)
{
    static const char *const items[] = {"Credentials", "Jobs: Read", "Notes: Insert"};
    (void)err;
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        hs_check_result r = verdict(conn, items[i]);
        const char *msg = r == HS_CHECK_OK ? "granted"
                          : r == HS_CHECK_WARN ? "granted with limits; widen it in the test admin"
                                               : "missing; grant it in the test admin";
        hs_status st = report->item(report->ctx, items[i], r, msg);
        if (st != HS_OK)
            return st;
    }
    for (size_t i = 0; i < report->n_job_ids; i++) {
        char name[128];
        snprintf(name, sizeof(name), "Job %s", report->job_ids[i]);
        int n = atoi(report->job_ids[i]);
        int ok = n >= 101 && n < 101 + conn->jobs;
        hs_status st = report->item(report->ctx, name, ok ? HS_CHECK_OK : HS_CHECK_FAIL,
                                    ok ? "visible" : "not found; check the job id");
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

/* Two stages, the first with two statuses, laid out as record_size says: elements of
 * elem bytes (2.0's size, or HST_PAD more filled with junk), stages of stage_struct bytes. */
typedef struct hst_layout {
    unsigned char statuses[2][sizeof(hs_ref) + HST_PAD];
    unsigned char stages[2][sizeof(hs_stage) + HST_PAD];
    size_t status_size;
    size_t stage_size;
} hst_layout;

static void hst_lay_out(hst_layout *l, const char *record_size)
{
    int large = record_size && strcmp(record_size, "large") == 0;
    int small = record_size && strcmp(record_size, "small") == 0;
    static const char *const status_names[][2] = {{"1", "New"}, {"2", "Reviewed"}};
    static const char *const stage_names[][2] = {{"10", "Applied"}, {"20", "Video Interview"}};
    memset(l, 0x5a, sizeof(*l));
    l->status_size = large ? sizeof(hs_ref) + HST_PAD : sizeof(hs_ref);
    l->stage_size = large ? sizeof(hs_stage) + HST_PAD : sizeof(hs_stage);
    for (int i = 0; i < 2; i++) {
        hs_ref r = {(uint32_t)l->status_size, status_names[i][0], status_names[i][1]};
        memcpy((unsigned char *)l->statuses + i * l->status_size, &r, sizeof(r));
    }
    for (int i = 0; i < 2; i++) {
        hs_stage st = {(uint32_t)l->stage_size, stage_names[i][0], stage_names[i][1],
                       i == 0 ? (const hs_ref *)(const void *)l->statuses : NULL,
                       i == 0 ? 2 : 0, l->status_size};
        /* an older writer's stage ended before its statuses */
        if (small)
            st.struct_size = (uint32_t)offsetof(hs_stage, statuses);
        memcpy((unsigned char *)l->stages + i * l->stage_size, &st, sizeof(st));
    }
}

static hs_status hst_discover_jobs(hs_conn *conn, const hs_emitter *emitter, hs_error *err)
{
    hst_layout layout;
    char calls[32] = "0";
    if (conn->api->store_get(conn->host, "calls", calls, sizeof(calls)) == HS_E_INTERNAL)
        return fail(err, HS_E_INTERNAL, "store_get failed");
    snprintf(calls, sizeof(calls), "%d", atoi(calls) + 1);
    if (conn->api->store_put(conn->host, "calls", calls) != HS_OK)
        return fail(err, HS_E_INTERNAL, "store_put failed");
    hst_lay_out(&layout, conn->record_size);
    /* Emitted oldest first; `hiresync jobs` shows the most recently updated first. */
    for (int i = 0; i < conn->jobs; i++) {
        char id[16], title[32], updated[32];
        snprintf(id, sizeof(id), "%d", 101 + i);
        snprintf(title, sizeof(title), "Job %d", i + 1);
        snprintf(updated, sizeof(updated), "2026-11-%02dT10:00:00Z", 1 + i % 28);
        hs_job job = {sizeof(job), id, title, "Open", NULL, "2026-01-01T00:00:00Z", updated,
                      NULL, (const hs_stage *)(const void *)layout.stages, 2,
                      layout.stage_size};
        hs_status st = emitter->job(emitter->ctx, &job);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status hst_read_changes(hs_conn *conn, const hs_read_request *request,
                                  const hs_emitter *emitter, hs_error *err)
{
    (void)conn;
    (void)request;
    (void)err;
    return emitter->checkpoint(emitter->ctx, "{\"n\":1}");
}

static hs_status hst_write(hs_conn *conn, const char *key, hs_write_result *result)
{
    (void)conn;
    if (!result->remote_id || strlen(key) >= result->remote_id_size)
        return HS_E_INTERNAL;
    result->applied = 1;
    snprintf(result->remote_id, result->remote_id_size, "%s", key);
    return HS_OK;
}

static hs_status hst_write_invitation(hs_conn *conn, const hs_invitation *invitation,
                                      hs_write_result *result, hs_error *err)
{
    (void)err;
    return hst_write(conn, invitation->key, result);
}

static hs_status hst_write_note(hs_conn *conn, const hs_note *note, hs_write_result *result,
                                hs_error *err)
{
    (void)err;
    return hst_write(conn, note->key, result);
}

#if HST_VARIANT == HST_GOOD_VIDEO
#define HST_NAME_STR "testvideo"
#define HST_CAPS (HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES \
                  | HS_CAP_WRITE_INVITATION)
#else
#define HST_CAPS (HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE)
#if HST_VARIANT == HST_NAME
#define HST_NAME_STR "someone_else"
#else
#define HST_NAME_STR "testats"
#endif
#endif

#if HST_VARIANT == HST_MAJOR
#define HST_ABI (((HS_ABI_MAJOR + 1) << 16) | 0u)
#elif HST_VARIANT == HST_MINOR
#define HST_ABI ((HS_ABI_MAJOR << 16) | (HS_ABI_MINOR + 1))
#else
#define HST_ABI HS_ABI_VERSION
#endif

#if HST_VARIANT == HST_SHORT
/* A table from an imagined older header that ended after read_changes. */
#define HST_SIZE offsetof(hs_connector, write_invitation)
#else
#define HST_SIZE sizeof(hs_connector)
#endif

/* Appends what to the file HST_LIFECYCLE_FILE names: the tests count the lines. */
static void hst_record(const char *what)
{
    const char *path = getenv("HST_LIFECYCLE_FILE");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%s\n", what);
    fclose(f);
}

static hs_status hst_module_init(const hs_host_api *api, hs_error *err)
{
    api->log(NULL, HS_LOG_DEBUG, "module_init at %lld", (long long)api->now_ms(NULL));
#if HST_VARIANT == HST_INITFAIL
    return fail(err, HS_E_CONFIG, "the licence file /etc/hst/licence is missing; install it");
#else
    (void)err;
    hst_record("init");
    return HS_OK;
#endif
}

static void hst_module_exit(void)
{
    hst_record("exit");
}

static const hs_connector table = {
    .struct_size = HST_SIZE,
    .abi_version = HST_ABI,
    .name = HST_NAME_STR,
    .version = "0.0.1",
    .capabilities = HST_CAPS,
    .open = hst_open,
    .close = hst_close,
    .check = hst_check,
    .discover_jobs = hst_discover_jobs,
    .read_changes = hst_read_changes,
    .write_invitation = hst_write_invitation,
#if HST_VARIANT == HST_NULLOP
    .write_note = NULL,
#else
    .write_note = hst_write_note,
#endif
    .module_init = hst_module_init,
    .module_exit = hst_module_exit,
};

#define HST_ENTRY_(m) HS_CONNECTOR_ENTRY(m)
#define HST_ENTRY(m) HST_ENTRY_(m)
#define HST_OTHER_(m) m##_LTX_something_else
#define HST_OTHER(m) HST_OTHER_(m)

#if HST_VARIANT == HST_NOENTRY
/* Exports a symbol, but not the entry. */
HS_EXPORT const hs_connector *HST_OTHER(HST_MODULE)(uint32_t host_abi);
HS_EXPORT const hs_connector *HST_OTHER(HST_MODULE)(uint32_t host_abi)
{
    (void)host_abi;
    return &table;
}
#else
HST_ENTRY(HST_MODULE);
HST_ENTRY(HST_MODULE)
{
#if HST_VARIANT == HST_NULLTABLE
    (void)host_abi;
    (void)table;
    return NULL;
#else
    (void)host_abi;
#if HST_VARIANT == HST_NULLOP
    (void)hst_write_note;
#endif
    return &table;
#endif
}
#endif
