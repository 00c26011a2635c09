/* jsonl: the entry symbol, the connector table, open() and close(). */
#define _POSIX_C_SOURCE 200809L
#include "jsonl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

hs_status jsonl_fail(hs_error *err, hs_status status, const char *fmt, ...)
{
    /* The caller owns the buffer (rule 3): write within message_size, never allocate. */
    if (err && err->message && err->message_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, err->message_size, fmt, ap);
        va_end(ap);
    }
    return status;
}

const char *jsonl_str(json_object *obj, const char *key)
{
    json_object *v;
    if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

hs_status jsonl_cancelled(const hs_conn *conn, hs_error *err)
{
    if (!conn->api->cancelled(conn->host))
        return HS_OK;
    return jsonl_fail(err, HS_E_CANCELLED, "jsonl: stopped, as hiresync asked");
}

long jsonl_getline(FILE *f, char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, f);
    if (n < 0)
        return ferror(f) ? -1 : 0;
    if (n > JSONL_MAX_LINE)
        return -1;
    /* No '\n': the writer has not finished this line. Leave it for the next read. */
    if ((*line)[n - 1] != '\n')
        return 0;
    return (long)n;
}

/* dir + "/" + name, or a copy of name when it is absolute. */
static char *path_in(const char *dir, const char *name)
{
    if (name[0] == '/')
        return strdup(name);
    size_t len = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

static void conn_free(hs_conn *conn)
{
    if (!conn)
        return;
    free(conn->dir);
    free(conn->changes);
    free(conn->jobs);
    free(conn->invitations);
    free(conn->notes);
    free(conn);
}

/*
 * The host has validated config_json against jsonl.json and filled its defaults, so every
 * key is here with the right type: this module keeps no second copy of the schema (rule 5).
 * The checks below only turn a host that broke that promise into a clear error.
 */
static hs_status conn_paths(hs_conn *conn, json_object *cfg, hs_error *err)
{
    static const char *const keys[] = {"changes", "jobs", "invitations", "notes"};
    char **paths[] = {&conn->changes, &conn->jobs, &conn->invitations, &conn->notes};
    const char *dir = jsonl_str(cfg, "dir");
    if (!dir || dir[0] != '/')
        return jsonl_fail(err, HS_E_CONFIG, "jsonl: \"dir\" must be an absolute directory "
                          "path; set it in the connection's configuration");
    if (!(conn->dir = strdup(dir)))
        return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *name = jsonl_str(cfg, keys[i]);
        if (!name || !name[0])
            return jsonl_fail(err, HS_E_CONFIG, "jsonl: \"%s\" is missing; is jsonl.json "
                              "installed beside jsonl.so?", keys[i]);
        if (!(*paths[i] = path_in(dir, name)))
            return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    }
    json_object *v;
    if (!json_object_object_get_ex(cfg, "barrier_every", &v)
        || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1)
        return jsonl_fail(err, HS_E_CONFIG, "jsonl: \"barrier_every\" must be a positive "
                          "integer; is jsonl.json installed beside jsonl.so?");
    conn->barrier_every = json_object_get_int64(v);
    return HS_OK;
}

/* Makes no remote call and touches no file: check() and the operations do (rule 1). */
static hs_status jsonl_open(const hs_host_api *api, hs_host *host, const char *config_json,
                            hs_conn **out, hs_error *err)
{
    *out = NULL;
    json_object *cfg = config_json ? json_tokener_parse(config_json) : NULL;
    hs_conn *conn = calloc(1, sizeof(*conn));
    hs_status st;
    if (!conn) {
        st = jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
        goto out;
    }
    conn->api = api;
    conn->host = host;
    if (!json_object_is_type(cfg, json_type_object)) {
        st = jsonl_fail(err, HS_E_CONFIG, "jsonl: the configuration is not a JSON object");
        goto out;
    }
    st = conn_paths(conn, cfg, err);
out:
    json_object_put(cfg);
    if (st != HS_OK) {
        conn_free(conn);   /* a failed open frees all it allocated and leaves *out NULL */
        return st;
    }
    *out = conn;
    return HS_OK;
}

static void jsonl_close(hs_conn *conn)
{
    conn_free(conn);   /* NULL is a no-op */
}

/* Static and constant: the host copies what it needs and never writes here (rule 1). */
static const hs_connector jsonl_table = {
    .struct_size = sizeof(hs_connector),
    .abi_version = HS_ABI_VERSION,
    .name = "jsonl",
    .version = "1.0.0",
    /* Must list exactly the manifest's "capabilities", or the host refuses the module. */
    .capabilities = HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES
                    | HS_CAP_WRITE_INVITATION | HS_CAP_WRITE_NOTE,
    .open = jsonl_open,
    .close = jsonl_close,
    .check = jsonl_check,
    .discover_jobs = jsonl_discover_jobs,
    .read_changes = jsonl_read_changes,
    .write_invitation = jsonl_write_invitation,
    .write_note = jsonl_write_note,
    .module_init = NULL,   /* nothing to set up: no libraries with global state */
    .module_exit = NULL,
};

HS_CONNECTOR_ENTRY(jsonl);
HS_CONNECTOR_ENTRY(jsonl)
{
    /* Same major only: a host of another major lays out every struct differently. A newer
     * minor host is fine (structs only grew); an older minor host reads our table only up
     * to the struct_size it knows, and we use no service newer than minor 0. */
    if (HS_ABI_MAJOR_OF(host_abi) != HS_ABI_MAJOR)
        return NULL;
    return &jsonl_table;
}
