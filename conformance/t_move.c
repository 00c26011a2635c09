/* move_record (ABI 2.1), only with --write, --move-to and --move-from: it moves a record in
 * the remote system, between stages the kit cannot guess. The record ends at --move-to. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kit.h"

#define MAX_FROM 8
#define ID_GUARD 0x5A

/* "Stage" or "Stage/Status", as a pipeline's trigger_stages write them. */
typedef struct position {
    char text[256];
    hs_ref stage, status;
    int has_status;
} position;

/* An all-digit value is an id, anything else a name. */
static void set_ref(hs_ref *r, const char *value)
{
    memset(r, 0, sizeof(*r));
    r->struct_size = sizeof(*r);
    if (value[0] && strspn(value, "0123456789") == strlen(value))
        r->id = value;
    else
        r->name = value;
}

static int parse_position(position *p, const char *text, size_t len)
{
    if (len == 0 || len >= sizeof(p->text))
        return -1;
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    char *slash = strchr(p->text, '/');
    p->has_status = slash != NULL;
    if (slash)
        *slash = '\0';
    set_ref(&p->stage, p->text);
    if (slash)
        set_ref(&p->status, slash + 1);
    return p->text[0] && (!slash || slash[1]) ? 0 : -1;
}

typedef struct mover {
    kit *k;
    hs_conn *conn;
    const char *record_id, *job_id;
    position to;
    position from[MAX_FROM];
    size_t n_from;
    kit_error err;                  /* the last call's; its message lives until the next */
} mover;

/* One move of the record to `to` from `from` (n_from of them); the id in id. */
static hs_status move_call(mover *m, const char *key, const position *to, const position *from,
                           size_t n_from, char *id, size_t id_size, int32_t *applied,
                           kit_strings *p, const char *what, const char **msg)
{
    kit *k = m->k;
    hs_stage stages[MAX_FROM];
    memset(stages, 0, sizeof stages);
    for (size_t i = 0; i < n_from; i++) {
        stages[i].struct_size = sizeof(stages[i]);
        stages[i].id = from[i].stage.id;
        stages[i].name = from[i].stage.name;
        stages[i].statuses = from[i].has_status ? &from[i].status : NULL;
        stages[i].n_statuses = from[i].has_status ? 1 : 0;
        stages[i].status_size = sizeof(hs_ref);
    }
    hs_move mv;
    memset(&mv, 0, sizeof mv);
    mv.struct_size = sizeof mv;
    mv.key = key;
    mv.record_id = m->record_id;
    mv.job_id = m->job_id;
    mv.to_stage = &to->stage;
    mv.to_status = to->has_status ? &to->status : NULL;
    mv.from = stages;
    mv.n_from = n_from;
    mv.from_size = sizeof(hs_stage);
    hs_write_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.remote_id = id;
    r.remote_id_size = id_size;
    id[0] = '\0';
    kit_error *e = &m->err;
    kit_error_init(e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "move_record");
    hs_status st = k->table.move_record(m->conn, &mv, &r, &e->err);
    kit_call_end(k);
    *msg = kit_error_check(k, e, st, what, p);
    *applied = r.applied;
    if (st == HS_OK && !memchr(id, '\0', id_size))
        kit_strings_add(p, "%s: remote id not NUL-terminated in its buffer", what);
    else if (st == HS_OK)
        kit_scan(k, "a remote id", id);
    return st;
}

static void move_key(char *out, size_t size, const char *what)
{
    snprintf(out, size, "hiresync-conformance-move-%s-%ld-%ld", what, (long)time(NULL),
             (long)getpid());
}

/* The same key with a remote id buffer one byte too short: an error, nothing past it. */
static void small_buffer(mover *m, const char *key, size_t tight, kit_strings *p)
{
    char *buf = malloc(tight + 32);
    if (!buf)
        return;
    memset(buf, ID_GUARD, tight + 32);
    int32_t applied = 0;
    const char *msg;
    kit_strings dummy = {0};
    hs_status st = move_call(m, key, &m->to, m->from, m->n_from, buf, tight, &applied, &dummy,
                             "move_record (short id buffer)", &msg);
    kit_strings_clear(&dummy);
    for (size_t i = tight; i < tight + 32; i++) {
        if ((unsigned char)buf[i] != ID_GUARD) {
            kit_strings_add(p, "move_record (%zu-byte id buffer): wrote past its end", tight);
            break;
        }
    }
    if (st == HS_OK)
        kit_strings_add(p, "move_record (%zu-byte id buffer): HS_OK with an id that cannot fit; "
                        "an id that does not fit is an error, never truncated", tight);
    free(buf);
}

/* Twice to --move-to with one key: applied 0 the second time, one remote id. Returns -1
 * when the record was not where --move-from says (the test cannot run). */
static int test_idempotent(mover *m)
{
    kit *k = m->k;
    kit_strings p = {0};
    char key[128], id1[512];
    int32_t a1 = 0;
    const char *msg;
    move_key(key, sizeof key, "to");
    kit_crash_guard("move-idempotent");
    hs_status st = move_call(m, key, &m->to, m->from, m->n_from, id1, HS_REMOTE_ID_MIN * 2, &a1,
                             &p, "move_record (first)", &msg);
    if (st == HS_E_CONFLICT && !p.n) {
        kit_report(k, "move-idempotent", KIT_SKIP, "record %s is neither in --move-from nor at "
                   "--move-to (HS_E_CONFLICT: %s); give --move-record a record in %s",
                   m->record_id, msg, m->from[0].text);
        kit_strings_clear(&p);
        return -1;
    }
    if (st != HS_OK)
        kit_strings_add(&p, "move_record (first): %s: %s", kit_status_name(st), msg);
    if (st == HS_OK) {
        char id2[512];
        int32_t a2 = 0;
        st = move_call(m, key, &m->to, m->from, m->n_from, id2, HS_REMOTE_ID_MIN * 2, &a2, &p,
                       "move_record (same key)", &msg);
        if (st != HS_OK)
            kit_strings_add(&p, "move_record (same key): %s: %s", kit_status_name(st), msg);
        else if (a2 != 0)
            kit_strings_add(&p, "move_record (same key): applied %d, 0 expected (the record "
                            "was already at %s)", (int)a2, m->to.text);
        else if (strcmp(id1, id2) != 0)
            kit_strings_add(&p, "move_record (same key): remote id \"%s\", the first call gave "
                            "\"%s\"", id2, id1);
        if (!id1[0])
            kit_strings_add(&p, "move_record: an empty remote id");
        else
            small_buffer(m, key, strlen(id1), &p);
    }
    char d[1400];
    snprintf(d, sizeof d, "record %s moved to %s (applied %d), then applied 0 with one key; "
             "remote id %s, an id that does not fit is an error", m->record_id, m->to.text,
             (int)a1, id1);
    kit_report_problems(k, "move-idempotent", &p, d);
    kit_strings_clear(&p);
    return 0;
}

/* The record is at --move-to now. A move back to the first --move-from stage "only from
 * there" must be refused with HS_E_CONFLICT and change nothing: a second attempt under a new
 * key is refused the same way (had the first moved it, the record would now be at that
 * target, and the second would answer HS_OK). */
static void test_conflict(mover *m)
{
    kit *k = m->k;
    kit_strings p = {0};
    char key[128], id[512];
    int32_t applied = 0;
    const char *msg;
    kit_crash_guard("move-conflict");
    for (int attempt = 0; attempt < 2 && !p.n; attempt++) {
        move_key(key, sizeof key, attempt ? "back-again" : "back");
        hs_status st = move_call(m, key, &m->from[0], &m->from[0], 1, id, HS_REMOTE_ID_MIN * 2,
                                 &applied, &p, "move_record (not in from)", &msg);
        if (st == HS_E_CONFLICT)
            continue;
        if (attempt == 0)
            kit_strings_add(&p, "move_record of record %s (at %s) to %s, only from %s: %s "
                            "(applied %d), HS_E_CONFLICT expected: the record is not in a stage "
                            "it may be moved from", m->record_id, m->to.text, m->from[0].text,
                            m->from[0].text, kit_status_name(st), (int)applied);
        else
            kit_strings_add(&p, "the refused move changed record %s: a second attempt under a "
                            "new key gave %s (applied %d), HS_E_CONFLICT expected", m->record_id,
                            kit_status_name(st), (int)applied);
    }
    char d[1024];
    snprintf(d, sizeof d, "a move from %s of a record at %s: HS_E_CONFLICT, one line, twice (the "
             "record left where it was)", m->from[0].text, m->to.text);
    kit_report_problems(k, "move-conflict", &p, d);
    kit_strings_clear(&p);
}

static void skip_moves(kit *k, const char *why)
{
    kit_report(k, "move-idempotent", KIT_SKIP, "%s", why);
    kit_report(k, "move-conflict", KIT_SKIP, "%s", why);
}

static int parse_options(mover *m, const kit *k)
{
    if (!k->move_to || !k->move_from)
        return 0;
    if (parse_position(&m->to, k->move_to, strlen(k->move_to)) != 0)
        return -1;
    for (const char *s = k->move_from; *s; ) {
        size_t len = strcspn(s, ",");
        if (m->n_from == MAX_FROM || parse_position(&m->from[m->n_from++], s, len) != 0)
            return -1;
        s += len + (s[len] == ',');
    }
    return m->n_from ? 0 : -1;
}

int kit_move_options_valid(const kit *k)
{
    mover m;
    memset(&m, 0, sizeof m);
    return parse_options(&m, k) == 0;
}

void kit_test_moves(kit *k, hs_conn *conn, const kit_emitted *sample)
{
    mover m;
    memset(&m, 0, sizeof m);
    m.k = k;
    m.conn = conn;
    m.record_id = k->move_record ? k->move_record : sample->record_id;
    m.job_id = k->move_record ? NULL : sample->job_id;
    if (!(k->table.capabilities & HS_CAP_MOVE_RECORD))
        skip_moves(k, "the connector does not offer move_record");
    else if (!k->write)
        skip_moves(k, "needs --write (it moves a record in the remote system)");
    else if (!k->move_to || !k->move_from)
        skip_moves(k, "needs --move-to STAGE and --move-from STAGE: the kit cannot guess the "
                   "workflow");
    else if (parse_options(&m, k) != 0)
        skip_moves(k, "--move-to or --move-from does not parse");
    else if (!m.record_id)
        skip_moves(k, "no record to move (no read emitted a stage change; give --move-record)");
    else if (test_idempotent(&m) != 0)
        kit_report(k, "move-conflict", KIT_SKIP, "the record was not in --move-from");
    else
        test_conflict(&m);
}
