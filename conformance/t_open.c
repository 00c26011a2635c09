/* The handshake, open() with good, bad and missing configuration, close(NULL), and the
 * canary connection. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <ltdl.h>

#include "kit.h"

/* Each HS_CAP_* bit, its operation in the table, and the end of that field. */
static void check_operations(const kit *k, kit_strings *p)
{
    const hs_connector *t = &k->table;
    struct { uint32_t bit; const char *name; const void *op; size_t end; } ops[] = {
        {HS_CAP_CHECK, "check", (const void *)(uintptr_t)t->check, KIT_END(hs_connector, check)},
        {HS_CAP_DISCOVER_JOBS, "discover_jobs", (const void *)(uintptr_t)t->discover_jobs,
         KIT_END(hs_connector, discover_jobs)},
        {HS_CAP_READ_CHANGES, "read_changes", (const void *)(uintptr_t)t->read_changes,
         KIT_END(hs_connector, read_changes)},
        {HS_CAP_WRITE_INVITATION, "write_invitation",
         (const void *)(uintptr_t)t->write_invitation, KIT_END(hs_connector, write_invitation)},
        {HS_CAP_WRITE_NOTE, "write_note", (const void *)(uintptr_t)t->write_note,
         KIT_END(hs_connector, write_note)},
        {HS_CAP_MOVE_RECORD, "move_record", (const void *)(uintptr_t)t->move_record,
         KIT_END(hs_connector, move_record)},
        {HS_CAP_SYNC_SUBSCRIPTIONS, "sync_subscriptions",
         (const void *)(uintptr_t)t->sync_subscriptions, KIT_END(hs_connector, sync_subscriptions)},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (!(t->capabilities & ops[i].bit))
            continue;
        if (t->struct_size < ops[i].end)
            kit_strings_add(p, "struct_size %u does not cover %s, which it declares",
                            (unsigned)t->struct_size, ops[i].name);
        else if (!ops[i].op)
            kit_strings_add(p, "declares %s but its pointer is NULL", ops[i].name);
    }
    if (!t->open || !t->close)
        kit_strings_add(p, "open or close is NULL");
}

static void check_table(const kit *k, kit_strings *p)
{
    const hs_connector *t = &k->table;
    const hs_manifest *m = k->manifest;
    if (HS_ABI_MAJOR_OF(t->abi_version) != HS_ABI_MAJOR
        || HS_ABI_MINOR_OF(t->abi_version) > HS_ABI_MINOR)
        kit_strings_add(p, "table ABI %u.%u, this kit tests %u.0 to %u.%u",
                        (unsigned)HS_ABI_MAJOR_OF(t->abi_version),
                        (unsigned)HS_ABI_MINOR_OF(t->abi_version), (unsigned)HS_ABI_MAJOR,
                        (unsigned)HS_ABI_MAJOR, (unsigned)HS_ABI_MINOR);
    if (t->abi_version != m->abi_version)
        kit_strings_add(p, "table ABI %u.%u, manifest \"abi\" %u.%u",
                        (unsigned)HS_ABI_MAJOR_OF(t->abi_version),
                        (unsigned)HS_ABI_MINOR_OF(t->abi_version),
                        (unsigned)HS_ABI_MAJOR_OF(m->abi_version),
                        (unsigned)HS_ABI_MINOR_OF(m->abi_version));
    if (t->struct_size < KIT_END(hs_connector, close))
        kit_strings_add(p, "table struct_size %u is shorter than open and close",
                        (unsigned)t->struct_size);
    if (!t->name || strcmp(t->name, m->name) != 0)
        kit_strings_add(p, "table name \"%s\", manifest name \"%s\"",
                        t->name ? t->name : "(null)", m->name);
    if (!t->version || !t->version[0])
        kit_strings_add(p, "the table has no version");
    if (t->capabilities != m->capabilities) {
        char a[128], b[128];
        hs_capabilities_format(t->capabilities, a, sizeof a);
        hs_capabilities_format(m->capabilities, b, sizeof b);
        kit_strings_add(p, "table capabilities [%s], manifest [%s]", a, b);
    }
    check_operations(k, p);
}

/* The entry, called again with the next major: it must refuse (NULL). */
static void check_other_major(kit *k, void *handle, const char *entry_name)
{
    void *fn = NULL;
    if (handle && entry_name) {
        char sym[256];
        snprintf(sym, sizeof sym, "%s_LTX_%s", entry_name, HS_CONNECTOR_ENTRY_SYMBOL);
        fn = lt_dlsym((lt_dlhandle)handle, sym);
    }
    if (!fn) {
        kit_report(k, "entry-other-major", KIT_SKIP, "entry symbol not found by the kit");
        return;
    }
    hs_connector_entry_fn entry;
    memcpy(&entry, &fn, sizeof(entry));
    kit_call_begin(k, "the entry");
    const hs_connector *t = entry((HS_ABI_MAJOR + 1u) << 16);
    kit_call_end(k);
    if (t)
        kit_report(k, "entry-other-major", KIT_FAIL, "the entry returned a table for host ABI "
                   "%u.0; it must return NULL when the major differs", HS_ABI_MAJOR + 1u);
    else
        kit_report(k, "entry-other-major", KIT_PASS, "returns NULL for host ABI %u.0",
                   HS_ABI_MAJOR + 1u);
}

void kit_test_handshake(kit *k, void *module_handle, const char *entry_name)
{
    kit_strings p = {0};
    kit_crash_guard("handshake");
    check_table(k, &p);
    char caps[128], detail[256];
    hs_capabilities_format(k->table.capabilities, caps, sizeof caps);
    snprintf(detail, sizeof detail, "%s %s, ABI %u.%u, struct_size %u, [%s] as the manifest says",
             k->table.name, k->table.version, (unsigned)HS_ABI_MAJOR_OF(k->table.abi_version),
             (unsigned)HS_ABI_MINOR_OF(k->table.abi_version), (unsigned)k->table.struct_size,
             caps);
    kit_report_problems(k, "handshake", &p, detail);
    kit_strings_clear(&p);
    kit_crash_guard("entry-other-major");
    check_other_major(k, module_handle, entry_name);
}

hs_conn *kit_open(kit *k, hs_host *host, const char *config_json, kit_strings *problems)
{
    return kit_open_api(k, &k->api, host, config_json, problems);
}

hs_conn *kit_open_api(kit *k, const hs_host_api *api, hs_host *host, const char *config_json,
                      kit_strings *problems)
{
    kit_error e;
    hs_conn *conn = NULL;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "open");
    hs_status st = k->table.open(api, host, config_json, &conn, &e.err);
    kit_call_end(k);
    kit_error_check(k, &e, st, "open", problems);
    if (k->responses)
        kit_strings_add(problems, "open received %ld responses; open makes no remote call",
                        k->responses);
    if (st == HS_OK && !conn)
        kit_strings_add(problems, "open returned HS_OK without a connection");
    if (st != HS_OK && conn) {
        kit_strings_add(problems, "open failed (%s) but left *out set", kit_status_name(st));
        return NULL;
    }
    if (st != HS_OK && problems)
        kit_strings_add(problems, "open: %s: %s", kit_status_name(st), e.buf);
    return st == HS_OK ? conn : NULL;
}

void kit_close(kit *k, hs_conn *conn)
{
    kit_call_begin(k, "close");
    k->table.close(conn);
    kit_call_end(k);
}

/* The configuration with the canary in every secret key; NULL when there is none. */
static json_object *canary_config(kit *k, size_t *planted)
{
    json_object *doc = json_tokener_parse(k->config_json);
    *planted = 0;
    if (!doc || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        return NULL;
    }
    for (size_t i = 0; i < k->manifest->n_fields; i++) {
        const hs_manifest_field *f = &k->manifest->fields[i];
        if (!f->secret || f->type != HS_FIELD_STRING)
            continue;
        json_object_object_add(doc, f->key, json_object_new_string(k->canary));
        (*planted)++;
    }
    return doc;
}

char *kit_canary_json(kit *k)
{
    size_t planted = 0;
    json_object *doc = canary_config(k, &planted);
    char *json = doc && planted ? strdup(json_object_to_json_string_ext(doc,
                                                                        JSON_C_TO_STRING_PLAIN))
                                : NULL;
    json_object_put(doc);
    return json;
}

/* open() must fail cleanly on this configuration. */
static void expect_refusal(kit *k, const char *json, const char *what, kit_strings *p)
{
    kit_error e;
    hs_conn *conn = NULL;
    kit_error_init(&e);
    kit_call_begin(k, "open");
    hs_status st = k->table.open(&k->api, &k->canary_host, json, &conn, &e.err);
    kit_call_end(k);
    char label[300];
    snprintf(label, sizeof label, "open %s", what);
    kit_error_check(k, &e, st, label, p);
    if (st == HS_OK) {
        kit_strings_add(p, "open %s returned HS_OK; it must refuse with a one-line error", what);
        kit_close(k, conn);
    } else if (conn) {
        kit_strings_add(p, "open %s failed but left *out set", what);
    }
}

/* Drops every key of keys (n of them) from a copy of doc and expects a refusal. */
static void without(kit *k, json_object *doc, char *const *keys, size_t n, kit_strings *p,
                    size_t *tried)
{
    json_object *copy = NULL;
    if (json_object_deep_copy(doc, &copy, NULL) != 0)
        return;
    char what[300] = "without";
    for (size_t i = 0; i < n; i++) {
        json_object_object_del(copy, keys[i]);
        size_t len = strlen(what);
        snprintf(what + len, sizeof what - len, "%s \"%s\"", i ? " or" : "", keys[i]);
    }
    expect_refusal(k, json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN), what, p);
    (*tried)++;
    json_object_put(copy);
}

static void test_missing(kit *k, json_object *doc)
{
    kit_strings p = {0};
    size_t tried = 0;
    kit_crash_guard("open-missing");
    for (size_t i = 0; i < k->manifest->n_fields; i++) {
        if (k->manifest->fields[i].required)
            without(k, doc, &k->manifest->fields[i].key, 1, &p, &tried);
    }
    for (size_t i = 0; i < k->manifest->n_require_one_of; i++)
        without(k, doc, k->manifest->require_one_of[i].keys,
                k->manifest->require_one_of[i].n_keys, &p, &tried);
    if (!tried)
        kit_report(k, "open-missing", KIT_SKIP, "the manifest requires no key");
    else {
        char d[128];
        snprintf(d, sizeof d, "refused %zu configurations missing a required key, one line each",
                 tried);
        kit_report_problems(k, "open-missing", &p, d);
    }
    kit_strings_clear(&p);
}

static void test_malformed(kit *k, json_object *doc)
{
    kit_strings p = {0};
    kit_crash_guard("open-bad");
    const char *json = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    char *cut = strdup(json);
    if (cut && strlen(cut) > 1) {
        cut[strlen(cut) - 1] = '\0';   /* the closing brace: not JSON any more */
        expect_refusal(k, cut, "with a truncated JSON document", &p);
    }
    free(cut);
    expect_refusal(k, "[]", "with an array instead of an object", &p);
    expect_refusal(k, "", "with an empty string", &p);
    kit_report_problems(k, "open-bad", &p, "refused malformed, non-object and empty "
                        "configurations, one line each");
    kit_strings_clear(&p);
}

void kit_test_open(kit *k)
{
    kit_crash_guard("close-null");
    kit_call_begin(k, "close(NULL)");
    k->table.close(NULL);
    kit_call_end(k);
    kit_report(k, "close-null", KIT_PASS, "close(NULL) returned");

    size_t planted = 0;
    json_object *doc = canary_config(k, &planted);
    if (!doc) {
        kit_report(k, "open-missing", KIT_SKIP, "the configuration is not a JSON object");
        return;
    }
    test_missing(k, doc);
    test_malformed(k, doc);
    json_object_put(doc);
}

/* The canary connection: the same configuration with the canary in every secret; whatever
 * each operation returns, the canary must appear nowhere (kit_scan watches every text). */
void kit_test_canary(kit *k)
{
    size_t planted = 0;
    json_object *doc = canary_config(k, &planted);
    kit_crash_guard("canary");
    if (!doc || !planted) {
        kit_report(k, "canary", KIT_SKIP, "the manifest marks no string key \"secret\"");
        json_object_put(doc);
        k->canary[0] = '\0';
        return;
    }
    kit_strings ignored = {0};
    hs_conn *conn = kit_open(k, &k->canary_host,
                             json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
                             &ignored);
    json_object_put(doc);
    kit_error e;
    kit_emitted em = {0};
    hs_emitter emitter = kit_emitter(k, &em);
    size_t items = 0;
    if (conn && (k->table.capabilities & HS_CAP_CHECK))
        kit_check_call(k, conn, &ignored, &items);
    if (conn && (k->table.capabilities & HS_CAP_DISCOVER_JOBS)) {
        kit_error_init(&e);
        kit_call_begin(k, "discover_jobs (canary)");
        hs_status st = k->table.discover_jobs(conn, &emitter, &e.err);
        kit_call_end(k);
        kit_error_check(k, &e, st, "discover_jobs", &ignored);
    }
    if (conn && (k->table.capabilities & HS_CAP_READ_CHANGES)) {
        hs_read_request req;
        memset(&req, 0, sizeof(req));
        req.struct_size = sizeof(req);
        req.cursor_json = k->start_cursor;
        kit_error_init(&e);
        kit_call_begin(k, "read_changes (canary)");
        hs_status st = k->table.read_changes(conn, &req, &emitter, &e.err);
        kit_call_end(k);
        kit_error_check(k, &e, st, "read_changes", &ignored);
    }
    if (conn)
        kit_close(k, conn);
    kit_emitted_clear(&em);
    kit_strings_clear(&ignored);
}
