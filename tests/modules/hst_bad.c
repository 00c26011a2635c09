/*
 * A connector for hiresync-conformance's own tests: with KIT_BAD unset (hst_good) it keeps
 * every rule of the contract; each KIT_BAD value breaks exactly one, and the test
 * (tests/conformance_bad.sh) expects the kit to fail that rule's test by name.
 *
 * It talks to no remote system: "the remote system" is three records (rec-1..rec-3), two
 * jobs, and the writes it remembers per connection. Configuration: api_key (secret, required;
 * "good-key" is the one accepted). Cursor format: {"pos":N}, the last record emitted.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <hiresync/connector.h>

#define BAD_NONE 0
#define BAD_STDERR 1      /* writes to stderr */
#define BAD_CANARY 2      /* puts the key it was given into an error message */
#define BAD_BARRIER 3     /* emits no barrier */
#define BAD_CANCEL 4      /* never asks cancelled() */
#define BAD_DUPWRITE 5    /* a second write with one key creates another object */
#define BAD_OVERRUN 6     /* copies the remote id without looking at the buffer's size */
#define BAD_LENIENT 7     /* opens without its required key */
#define BAD_CURSOR 8      /* an empty cursor */
#define BAD_REKEY 9       /* keys change from one read to the next */
#define BAD_SHAPES 10     /* a job without a title, a stage_size too small */
#define BAD_CHECK 11      /* a failed check item with no message */
#define BAD_CAPS 12       /* declares write_note, the manifest does not */
#define BAD_LEAK 13       /* a refused open() keeps what it allocated */
#define BAD_NOSTOP 14     /* goes on when the emitter says stop */
#define BAD_EXIT 15       /* module_exit writes to stdout */
#define BAD_GLOBAL 16     /* keeps the key of the last connection opened in a global */
#define BAD_CRASH 17      /* close(NULL) dereferences NULL */

#ifndef KIT_BAD
#define KIT_BAD BAD_NONE
#endif

#define N_RECORDS 3
#define MAX_WRITES 16

static char last_key[128];   /* BAD_GLOBAL: what a connector must not do */

struct hs_conn {
    const hs_host_api *api;
    hs_host *host;
    char *key;
    char *written[MAX_WRITES];   /* keys written, index + 1 is the object's number */
    int n_written;
    int reads;
};

static hs_status fail(hs_error *err, hs_status st, const char *msg)
{
    if (err && err->message && err->message_size)
        snprintf(err->message, err->message_size, "%s", msg);
    return st;
}

static hs_status bad_open(const hs_host_api *api, hs_host *host, const char *config_json,
                          hs_conn **out, hs_error *err)
{
    *out = NULL;
    json_object *cfg = config_json ? json_tokener_parse(config_json) : NULL;
    json_object *key = NULL;
    if (!cfg || !json_object_is_type(cfg, json_type_object)) {
        json_object_put(cfg);
        return fail(err, HS_E_CONFIG, "hst: the configuration is not a JSON object");
    }
    if (KIT_BAD == BAD_LEAK && !json_object_object_get_ex(cfg, "api_key", NULL)) {
        char *volatile lost = malloc(64);   /* never freed, never kept: the leak to find */
        if (lost)
            lost[0] = 'x';
        // cppcheck-suppress memleak
    }
    json_object_object_get_ex(cfg, "api_key", &key);
    if (KIT_BAD != BAD_LENIENT && !json_object_is_type(key, json_type_string)) {
        json_object_put(cfg);
        return fail(err, HS_E_CONFIG, "hst: \"api_key\" is missing; set it");
    }
    hs_conn *c = calloc(1, sizeof(*c));
    if (c)
        c->key = strdup(key ? json_object_get_string(key) : "");
    json_object_put(cfg);
    if (!c || !c->key) {
        free(c);
        return fail(err, HS_E_INTERNAL, "hst: out of memory");
    }
    c->api = api;
    c->host = host;
    snprintf(last_key, sizeof last_key, "%s", c->key);
    *out = c;
    return HS_OK;
}

static void bad_close(hs_conn *c)
{
    if (KIT_BAD == BAD_CRASH) {
        hs_conn *volatile v = c;   /* read through NULL: the crash the kit must report */
        free(v->key);
    }
    if (!c)
        return;
    for (int i = 0; i < c->n_written; i++)
        free(c->written[i]);
    free(c->key);
    free(c);
}

static int key_ok(const hs_conn *c)
{
    return strcmp(KIT_BAD == BAD_GLOBAL ? last_key : c->key, "good-key") == 0;
}

/* One simulated request: asks whether to stop, then "receives a response". */
static int request(hs_conn *c)
{
    if (KIT_BAD != BAD_CANCEL && c->api->cancelled(c->host))
        return -1;
    c->api->remote_time(c->host, c->api->now_ms(c->host));
    return 0;
}

static hs_status bad_check(hs_conn *c, const hs_check_report *report, hs_error *err)
{
    if (request(c) != 0)
        return fail(err, HS_E_CANCELLED, "hst: cancelled");
    if (!key_ok(c) && KIT_BAD == BAD_CANARY) {
        char msg[256];
        snprintf(msg, sizeof msg, "hst: the key %s is not accepted", c->key);
        return fail(err, HS_E_CONFIG, msg);
    }
    report->item(report->ctx, "API key", key_ok(c) ? HS_CHECK_OK : HS_CHECK_FAIL,
                 key_ok(c) ? "" : "the API key is not accepted; set api_key to a valid key");
    report->item(report->ctx, "Notes: Insert", KIT_BAD == BAD_CHECK ? HS_CHECK_FAIL
                                                                   : HS_CHECK_OK, "");
    return HS_OK;
}

static hs_status bad_discover(hs_conn *c, const hs_emitter *em, hs_error *err)
{
    if (KIT_BAD == BAD_STDERR)
        fprintf(stderr, "hst: discovering jobs\n");
    if (request(c) != 0)
        return fail(err, HS_E_CANCELLED, "hst: cancelled");
    if (!key_ok(c))
        return fail(err, HS_E_CONFIG, "hst: the API key is not accepted; set api_key");
    hs_ref statuses[2] = {{sizeof(hs_ref), "s1", "Pending"}, {sizeof(hs_ref), "s2", "Passed"}};
    hs_stage stages[2];
    memset(stages, 0, sizeof stages);
    for (int i = 0; i < 2; i++) {
        stages[i].struct_size = sizeof(hs_stage);
        stages[i].id = i ? "st2" : "st1";
        stages[i].name = i ? "Video Interview" : "New";
    }
    stages[1].statuses = statuses;
    stages[1].n_statuses = 2;
    stages[1].status_size = sizeof(hs_ref);
    for (int j = 0; j < 2; j++) {
        hs_job job;
        memset(&job, 0, sizeof job);
        job.struct_size = sizeof job;
        job.id = j ? "job-2" : "job-1";
        job.title = KIT_BAD == BAD_SHAPES && j ? NULL : "Conformance Engineer";
        job.stages = stages;
        job.n_stages = 2;
        job.stage_size = KIT_BAD == BAD_SHAPES ? sizeof(hs_stage) - 8 : sizeof(hs_stage);
        hs_status st = em->job(em->ctx, &job);
        if (st != HS_OK && KIT_BAD != BAD_NOSTOP)
            return st;
    }
    return HS_OK;
}

static int cursor_pos(const char *cursor)
{
    json_object *doc = cursor && cursor[0] ? json_tokener_parse(cursor) : NULL;
    json_object *pos = NULL;
    int n = json_object_object_get_ex(doc, "pos", &pos) ? json_object_get_int(pos) : 0;
    json_object_put(doc);
    return n < 0 ? 0 : n > N_RECORDS ? N_RECORDS : n;
}

static hs_status emit_record(hs_conn *c, const hs_emitter *em, int i, int snapshot)
{
    char key[64], rec[32];
    hs_ref stage = {sizeof(hs_ref), "st2", "Video Interview"};
    hs_person person = {sizeof(hs_person), "p1", "Ada", "Lovelace", "ada@example.com", NULL};
    hs_stage_change ch;
    memset(&ch, 0, sizeof ch);
    snprintf(key, sizeof key, "rec-%d%s", i, KIT_BAD == BAD_REKEY && c->reads > 1 ? "-again" : "");
    snprintf(rec, sizeof rec, "%d", 100 + i);
    ch.struct_size = sizeof ch;
    ch.kind = HS_CHANGE_STAGE;
    ch.key = key;
    ch.record_id = rec;
    ch.job_id = "job-1";
    ch.stage = &stage;
    ch.changed_at = "2026-01-01T00:00:00Z";
    ch.person = &person;
    ch.snapshot = snapshot;
    return em->change(em->ctx, &ch);
}

static hs_status barrier(const hs_emitter *em, int pos)
{
    char cursor[32] = "";
    if (KIT_BAD == BAD_BARRIER)
        return HS_OK;
    if (KIT_BAD != BAD_CURSOR)
        snprintf(cursor, sizeof cursor, "{\"pos\":%d}", pos);
    return em->checkpoint(em->ctx, cursor);
}

static hs_status bad_read(hs_conn *c, const hs_read_request *req, const hs_emitter *em,
                          hs_error *err)
{
    int snapshot = HS_HAS_FIELD(hs_read_request, req->struct_size, snapshot) && req->snapshot;
    int pos = snapshot ? 0 : cursor_pos(req->cursor_json);
    hs_status st = HS_OK;
    c->reads++;
    if (!key_ok(c))
        return fail(err, HS_E_CONFIG, "hst: the API key is not accepted; set api_key");
    for (int i = pos + 1; i <= N_RECORDS && st == HS_OK; i++) {
        if (request(c) != 0)
            return fail(err, HS_E_CANCELLED, "hst: cancelled");
        st = emit_record(c, em, i, snapshot);
        if (KIT_BAD == BAD_NOSTOP)
            st = HS_OK;
        if (st == HS_OK && !snapshot)
            st = barrier(em, i);
    }
    if (st == HS_OK && (snapshot || pos >= N_RECORDS))
        st = barrier(em, N_RECORDS);
    return st;
}

/* The object already written under key, or a new one. */
static hs_status bad_write(hs_conn *c, const char *key, const char *prefix, hs_write_result *r,
                           hs_error *err)
{
    int found = 0, created = 0;
    if (!key || !key_ok(c))
        return fail(err, HS_E_CONFIG, "hst: the API key is not accepted; set api_key");
    if (request(c) != 0)
        return fail(err, HS_E_CANCELLED, "hst: cancelled");
    for (int i = 0; KIT_BAD != BAD_DUPWRITE && i < c->n_written; i++) {
        if (strcmp(c->written[i], key) == 0)
            found = i + 1;
    }
    if (!found) {
        if (c->n_written == MAX_WRITES || !(c->written[c->n_written] = strdup(key)))
            return fail(err, HS_E_INTERNAL, "hst: too many writes");
        found = ++c->n_written;
        created = 1;
    }
    char id[64];
    snprintf(id, sizeof id, "%s-%d-abcdefghijklmnopqrstuvwxyz", prefix, found);
    if (KIT_BAD != BAD_OVERRUN && strlen(id) >= r->remote_id_size)
        return fail(err, HS_E_INTERNAL, "hst: the remote id does not fit the caller's buffer");
    memcpy(r->remote_id, id, strlen(id) + 1);
    r->applied = created;
    return HS_OK;
}

static hs_status bad_invite(hs_conn *c, const hs_invitation *inv, hs_write_result *r,
                            hs_error *err)
{
    return bad_write(c, inv->key, "inv", r, err);
}

static hs_status bad_note(hs_conn *c, const hs_note *note, hs_write_result *r, hs_error *err)
{
    return bad_write(c, note->key, "note", r, err);
}

/* Nothing to set up: present so that the kit calls them as the host does. */
static hs_status bad_module_init(const hs_host_api *api, hs_error *err)
{
    (void)err;
    return api && api->struct_size ? HS_OK : HS_E_INTERNAL;
}

static void bad_module_exit(void)
{
    if (KIT_BAD == BAD_EXIT) {
        printf("hst: goodbye\n");
        fflush(stdout);
    }
}

#define STR_(x) #x
#define STR(x) STR_(x)

#if KIT_BAD == BAD_CAPS
#define CAPS (HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_INVITATION \
              | HS_CAP_WRITE_NOTE)
#else
#define CAPS (HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_INVITATION)
#endif

static const hs_connector table = {
    .struct_size = sizeof(hs_connector),
    .abi_version = HS_ABI_VERSION,
    .name = STR(HST_MODULE),
    .version = "0.0.1",
    .capabilities = CAPS,
    .open = bad_open,
    .close = bad_close,
    .check = bad_check,
    .discover_jobs = bad_discover,
    .read_changes = bad_read,
    .write_invitation = bad_invite,
    .write_note = bad_note,
    .module_init = bad_module_init,
    .module_exit = bad_module_exit,
};

#define ENTRY_(m) HS_CONNECTOR_ENTRY(m)
#define ENTRY(m) ENTRY_(m)

ENTRY(HST_MODULE);
ENTRY(HST_MODULE)
{
    return HS_ABI_MAJOR_OF(host_abi) == HS_ABI_MAJOR ? &table : NULL;
}
