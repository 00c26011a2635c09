/*
 * A connector for hiresync-conformance's own tests: with KIT_BAD unset (hst_good) it keeps
 * every rule of the contract; each KIT_BAD value breaks exactly one, and the test
 * (tests/conformance_bad.sh) expects the kit to fail that rule's test by name.
 *
 * It talks to no remote system: "the remote system" is three records (applications 101..103,
 * keys rec-1..rec-3, all in stage "Video Interview" of job-1 until moved), two jobs with the
 * stages New, Video Interview (statuses Pending, Passed) and Shortlist, three interview
 * participants (inv-1 invited, started and completed with answers; inv-2 invited and
 * declined; inv-3 invited and expired), and the writes it remembers per connection.
 * The participants' changes (ABI 2.1) are emitted with rec-1, to a host of minor 1 or later;
 * a host of minor 0 gets only the completion. A read reports its progress after each record
 * (one "page"), and a note's outcome guarded by outcome_from is recorded only while the
 * application is in one of those positions. Configuration: api_key (secret, required;
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
/* ABI 2.1 */
#define BAD_MOVEFROM 18   /* move_record moves a record from wherever it is */
#define BAD_MOVEDUP 19    /* move_record moves a record already at the target again */
#define BAD_LIFEOLD 20    /* emits 2.1's change kinds to a host of ABI 2.0 */
#define BAD_LIFEKEY 21    /* lifecycle keys change from one read to the next */
#define BAD_OUTCOME 22    /* a note with an outcome is written again under the same key */
#define BAD_PROGRESS 23   /* progress whose pages_done goes back */
#define BAD_PROGOLD 24    /* progress reported through an emitter too short to have it */
#define BAD_OUTFROM 25    /* a guarded outcome recorded wherever the record is */
#define BAD_OUTSIZE 26    /* outcome_withheld written past a 2.0-sized result */

#ifndef KIT_BAD
#define KIT_BAD BAD_NONE
#endif

#define N_RECORDS 3
#define N_STAGES 3
#define MAX_WRITES 16
/* Answers are laid out as a newer minor writes them: longer than 2.1's, junk at the end. */
#define ANSWER_PAD 24

static char last_key[128];   /* BAD_GLOBAL: what a connector must not do */

struct hs_conn {
    const hs_host_api *api;
    hs_host *host;
    char *key;
    char *written[MAX_WRITES];   /* keys written, index + 1 is the object's number */
    int n_written;
    int reads;
    int stage[N_RECORDS];        /* where each application is: a stage index, */
    int status[N_RECORDS];       /* and a status index within it, -1 for none */
};

static const char *const stage_ids[N_STAGES] = {"st1", "st2", "st3"};
static const char *const stage_names[N_STAGES] = {"New", "Video Interview", "Shortlist"};
#define STAGE_START 1

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
    for (int i = 0; i < N_RECORDS; i++) {
        c->stage[i] = STAGE_START;
        c->status[i] = -1;
    }
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
    hs_stage stages[N_STAGES];
    memset(stages, 0, sizeof stages);
    for (int i = 0; i < N_STAGES; i++) {
        stages[i].struct_size = sizeof(hs_stage);
        stages[i].id = stage_ids[i];
        stages[i].name = stage_names[i];
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
        job.n_stages = N_STAGES;
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

static const char *const status_ids[] = {"s1", "s2"}, *const status_names[] = {"Pending",
                                                                             "Passed"};

/* Application i (1-based) where it is now: its moves show in every read. */
static hs_status emit_record(hs_conn *c, const hs_emitter *em, int i, int snapshot)
{
    char key[64], rec[32];
    int at = c->stage[i - 1], in = c->status[i - 1];
    hs_ref stage = {sizeof(hs_ref), stage_ids[at], stage_names[at]};
    hs_ref status = {sizeof(hs_ref), in >= 0 ? status_ids[in] : NULL,
                     in >= 0 ? status_names[in] : NULL};
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
    ch.status = in >= 0 ? &status : NULL;
    ch.changed_at = "2026-01-01T00:00:00Z";
    ch.person = &person;
    ch.snapshot = snapshot;
    return em->change(em->ctx, &ch);
}

/* A completion's answers: elements ANSWER_PAD bytes longer than hs_answer, junk in the
 * extra bytes, so that a reader stepping with [i] instead of answer_size reads garbage. */
typedef struct answers {
    unsigned char bytes[3][sizeof(hs_answer) + ANSWER_PAD];
} answers;

static void lay_out_answers(answers *a)
{
    static const char *const q[3][3] = {
        {"Why this role?", "https://hst.example/r/inv-1/1", "4"},
        {"A project you are proud of", "https://hst.example/r/inv-1/2", NULL},
        {"Anything else?", NULL, NULL}};
    memset(a, 0x5a, sizeof(*a));
    for (int i = 0; i < 3; i++) {
        hs_answer one = {sizeof(hs_answer) + ANSWER_PAD, q[i][0], q[i][1], q[i][2]};
        memcpy(a->bytes[i], &one, sizeof one);
    }
}

/* The participants' changes (rule 10): kind, participant, event, time. */
static hs_status emit_lifecycle(hs_conn *c, const hs_emitter *em)
{
    static const struct { uint32_t kind; const char *who, *event, *at; } events[] = {
        {HS_CHANGE_INVITED, "inv-1", "invited", "2026-01-02T09:00:00Z"},
        {HS_CHANGE_STARTED, "inv-1", "started", "2026-01-02T09:30:00.250Z"},
        {HS_CHANGE_COMPLETED, "inv-1", "completed:2026-01-02T10:00:00Z", "2026-01-02T10:00:00Z"},
        {HS_CHANGE_INVITED, "inv-2", "invited", "2026-01-03T09:00:00Z"},
        {HS_CHANGE_DECLINED, "inv-2", "declined", "2026-01-03T11:00:00+00:00"},
        {HS_CHANGE_INVITED, "inv-3", "invited", "2026-01-04T09:00:00Z"},
        {HS_CHANGE_EXPIRED, "inv-3", "expired", "2026-01-11T09:00:00Z"}};
    int minor = (int)HS_ABI_MINOR_OF(c->api->abi_version);
    answers a;
    lay_out_answers(&a);
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        if (events[i].kind > HS_CHANGE_COMPLETED && minor < 1 && KIT_BAD != BAD_LIFEOLD)
            continue;
        char key[96];
        snprintf(key, sizeof key, "%s:%s", events[i].who, events[i].event);
        if (KIT_BAD == BAD_LIFEKEY)
            snprintf(key + strlen(key), sizeof key - strlen(key), ":read%d", c->reads);
        hs_stage_change ch;
        memset(&ch, 0, sizeof ch);
        ch.struct_size = sizeof ch;
        ch.kind = events[i].kind;
        ch.key = key;
        ch.record_id = events[i].who;
        ch.job_id = "interview-1";
        ch.changed_at = events[i].at;
        if (events[i].kind == HS_CHANGE_COMPLETED) {
            ch.link = "https://hst.example/r/inv-1";
            ch.answers = (const hs_answer *)(const void *)a.bytes;
            ch.n_answers = 3;
            ch.answer_size = sizeof a.bytes[0];
            ch.score = "8.5";
        }
        hs_status st = em->change(em->ctx, &ch);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
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

/* Rule 12: done pages of total, when the emitter is long enough to have progress. */
static hs_status progress(const hs_emitter *em, int64_t done, int64_t total)
{
    if (KIT_BAD != BAD_PROGOLD && !HS_HAS_FIELD(hs_emitter, em->struct_size, progress))
        return HS_OK;
    if (em->progress == NULL)
        return HS_OK;
    hs_progress p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.pages_done = KIT_BAD == BAD_PROGRESS ? total - done : done;
    p.pages_total = total;
    return em->progress(em->ctx, &p);
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
        if (st == HS_OK)
            st = progress(em, i - pos, N_RECORDS - pos);
        if (st == HS_OK && i == 1 && !snapshot)
            st = emit_lifecycle(c, em);
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

static int in_positions(const hs_conn *c, int r, const hs_stage *from, size_t n,
                        size_t size);

/* Rule 10: an outcome guarded by outcome_from goes only while the application is in one of
 * those positions; 1 when it must be withheld. */
static int withhold(const hs_conn *c, const hs_note *note, const char *outcome)
{
    if (!outcome || !HS_HAS_FIELD(hs_note, note->struct_size, outcome_from_size)
        || !note->outcome_from || note->n_outcome_from == 0 || KIT_BAD == BAD_OUTFROM)
        return 0;
    int r = note->record_id ? atoi(note->record_id) - 101 : -1;
    return r < 0 || r >= N_RECORDS
           || !in_positions(c, r, note->outcome_from, note->n_outcome_from,
                            note->outcome_from_size);
}

static hs_status bad_note(hs_conn *c, const hs_note *note, hs_write_result *r, hs_error *err)
{
    const char *outcome = HS_HAS_FIELD(hs_note, note->struct_size, outcome) ? note->outcome
                                                                            : NULL;
    hs_status st;
    if (KIT_BAD != BAD_OUTCOME || !outcome || !note->key) {
        st = bad_write(c, note->key, "note", r, err);
    } else {
        /* a key of its own per call once an outcome rides along */
        char key[160];
        snprintf(key, sizeof key, "%s#%d", note->key, c->n_written);
        st = bad_write(c, key, "note", r, err);
    }
    if (st == HS_OK && (KIT_BAD == BAD_OUTSIZE
                        || HS_HAS_FIELD(hs_write_result, r->struct_size, outcome_withheld)))
        r->outcome_withheld = withhold(c, note, outcome);
    return st;
}

static int stage_index(const hs_ref *ref)
{
    for (int i = 0; ref && i < N_STAGES; i++) {
        if ((ref->id && strcmp(ref->id, stage_ids[i]) == 0)
            || (ref->name && strcmp(ref->name, stage_names[i]) == 0))
            return i;
    }
    return -1;
}

static int status_index(const hs_ref *ref)
{
    for (int i = 0; ref && i < 2; i++) {
        if ((ref->id && strcmp(ref->id, status_ids[i]) == 0)
            || (ref->name && strcmp(ref->name, status_names[i]) == 0))
            return i;
    }
    return -1;
}

/* Whether application r is in one of from: a stage and, when listed, a status. */
static int in_positions(const hs_conn *c, int r, const hs_stage *from, size_t n, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const hs_stage *s = HS_ELEMENT(hs_stage, from, size, i);
        hs_ref as_ref = {sizeof(hs_ref), s->id, s->name};
        if (stage_index(&as_ref) != c->stage[r])
            continue;
        if (s->n_statuses == 0)
            return 1;
        for (size_t j = 0; j < s->n_statuses; j++) {
            if (status_index(HS_ELEMENT(hs_ref, s->statuses, s->status_size, j)) == c->status[r])
                return 1;
        }
    }
    return 0;
}

static hs_status bad_move(hs_conn *c, const hs_move *move, hs_write_result *res, hs_error *err)
{
    if (!key_ok(c))
        return fail(err, HS_E_CONFIG, "hst: the API key is not accepted; set api_key");
    if (request(c) != 0)
        return fail(err, HS_E_CANCELLED, "hst: cancelled");
    int r = move->record_id ? atoi(move->record_id) - 101 : -1;
    int to = stage_index(move->to_stage), status = move->to_status ? status_index(move->to_status)
                                                                   : -1;
    if (r < 0 || r >= N_RECORDS)
        return fail(err, HS_E_DATA, "hst: no such application; give one of 101..103");
    if (to < 0 || (move->to_status && status < 0))
        return fail(err, HS_E_DATA, "hst: the target stage or status is not in the workflow");
    if (strlen(move->record_id) >= res->remote_id_size)
        return fail(err, HS_E_INTERNAL, "hst: the remote id does not fit the caller's buffer");
    int there = c->stage[r] == to && (!move->to_status || c->status[r] == status);
    if (there && KIT_BAD != BAD_MOVEDUP) {
        res->applied = 0;
    } else if (there || KIT_BAD == BAD_MOVEFROM
               || in_positions(c, r, move->from, move->n_from, move->from_size)) {
        c->stage[r] = to;
        c->status[r] = status;
        res->applied = 1;
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "hst: application %d is in \"%s\", not in a stage it may be "
                 "moved from; left there", 101 + r, stage_names[c->stage[r]]);
        return fail(err, HS_E_CONFLICT, msg);
    }
    snprintf(res->remote_id, res->remote_id_size, "%s", move->record_id);
    return HS_OK;
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

#define CAPS_2_0 (HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES \
                  | HS_CAP_WRITE_INVITATION | HS_CAP_WRITE_NOTE)
#if KIT_BAD == BAD_CAPS
#define CAPS CAPS_2_0   /* the manifest also says move_record */
#else
#define CAPS (CAPS_2_0 | HS_CAP_MOVE_RECORD)
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
    .move_record = bad_move,
};

#define ENTRY_(m) HS_CONNECTOR_ENTRY(m)
#define ENTRY(m) ENTRY_(m)

ENTRY(HST_MODULE);
ENTRY(HST_MODULE)
{
    return HS_ABI_MAJOR_OF(host_abi) == HS_ABI_MAJOR ? &table : NULL;
}
