/* A guarded outcome (ABI 2.1, rule 10: hs_note.outcome_from), only with --write and
 * --outcome. The kit learns where a record is now from a snapshot read (a snapshot emits
 * every record's current position), and the other stages of its job from discover_jobs: a
 * note guarded by another stage is written without its outcome and says so
 * (outcome_withheld 1); with a result of 2.0's size nothing is
 * written past it; a note guarded by the record's own position records the outcome
 * (outcome_withheld 0). What the remote system stored is not read back: the kit has no
 * operation for that (tests/conformance.sh looks in the sandbox). */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kit.h"

#define TAIL_GUARD 0x5A

/* The record, where it is, and the call's inputs. */
typedef struct guard_op {
    kit *k;
    hs_conn *conn;
    kit_emitted snap;           /* the snapshot: the record and its position */
    hs_ref here_status;
    hs_stage here, other;       /* the record's position, and another stage of its job */
    char *other_id, *other_name;
    hs_note note;
    char key[160];
} guard_op;

/* The result a caller hands out, with room after a 2.0-sized one to see a write there. */
typedef struct guarded_result {
    hs_write_result r;
    char id[HS_REMOTE_ID_MIN * 2];
} guarded_result;

static void new_key(guard_op *g, const char *what)
{
    snprintf(g->key, sizeof g->key, "hiresync-conformance-outcome-from-%s-%ld-%ld", what,
             (long)time(NULL), (long)getpid());
}

/* One write_note guarded by `from`; short: the result claims 2.0's size. */
static hs_status call(guard_op *g, const hs_stage *from, int short_result, guarded_result *res,
                      kit_strings *p, const char *what)
{
    kit *k = g->k;
    memset(res, 0, sizeof *res);
    if (short_result)
        memset((char *)&res->r + KIT_RESULT_SIZE_2_0, TAIL_GUARD,
               sizeof res->r - KIT_RESULT_SIZE_2_0);
    res->r.struct_size = short_result ? KIT_RESULT_SIZE_2_0 : sizeof res->r;
    res->r.remote_id = res->id;
    res->r.remote_id_size = sizeof res->id;
    g->note.key = g->key;
    g->note.outcome_from = from;
    g->note.n_outcome_from = 1;
    g->note.outcome_from_size = sizeof(hs_stage);
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "write_note");
    hs_status st = k->table.write_note(g->conn, &g->note, &res->r, &e.err);
    kit_call_end(k);
    const char *msg = kit_error_check(k, &e, st, what, p);
    if (st != HS_OK)
        kit_strings_add(p, "%s: %s: %s", what, kit_status_name(st), msg);
    else if (!memchr(res->id, '\0', sizeof res->id))
        kit_strings_add(p, "%s: remote id not NUL-terminated in its buffer", what);
    else
        kit_scan(k, "a remote id", res->id);
    return st;
}

/* Guarded by another stage: written, without the outcome, and said so. (A note with an
 * outcome under one key twice is write-outcome's test.) */
static void withheld(guard_op *g, kit_strings *p, char *id, size_t id_size)
{
    guarded_result a;
    new_key(g, "withheld");
    if (call(g, &g->other, 0, &a, p, "write_note (outcome_from another stage)") != HS_OK)
        return;
    snprintf(id, id_size, "%s", a.id);
    if (a.r.outcome_withheld != 1)
        kit_strings_add(p, "write_note of outcome \"%s\" on record %s, which is in \"%s\", "
                        "only from \"%s\": outcome_withheld %d, 1 expected (the note is "
                        "written without the outcome, and says so)", g->note.outcome,
                        g->note.record_id, g->here.name ? g->here.name : g->here.id,
                        g->other_name[0] ? g->other_name : g->other_id,
                        (int)a.r.outcome_withheld);
}

/* The same with a result of 2.0's size: outcome_withheld is not there to be written. */
static void withheld_short(guard_op *g, kit_strings *p)
{
    guarded_result a;
    new_key(g, "withheld-2.0");
    if (call(g, &g->other, 1, &a, p, "write_note (2.0-sized result)") != HS_OK)
        return;
    const unsigned char *tail = (const unsigned char *)&a.r + KIT_RESULT_SIZE_2_0;
    for (size_t i = 0; i < sizeof a.r - KIT_RESULT_SIZE_2_0; i++) {
        if (tail[i] != TAIL_GUARD) {
            kit_strings_add(p, "write_note wrote past a result whose struct_size (%zu) stops "
                            "before outcome_withheld; test HS_HAS_FIELD(hs_write_result, "
                            "struct_size, outcome_withheld) first", (size_t)KIT_RESULT_SIZE_2_0);
            return;
        }
    }
}

/* Guarded by where the record is: recorded. */
static void recorded(guard_op *g, kit_strings *p, char *id, size_t id_size)
{
    guarded_result a;
    new_key(g, "recorded");
    if (call(g, &g->here, 0, &a, p, "write_note (outcome_from its own position)") != HS_OK)
        return;
    snprintf(id, id_size, "%s", a.id);
    if (a.r.outcome_withheld != 0)
        kit_strings_add(p, "write_note of outcome \"%s\" on record %s, only from \"%s\" where "
                        "it is: outcome_withheld %d, 0 expected (the outcome is recorded)",
                        g->note.outcome, g->note.record_id,
                        g->here.name ? g->here.name : g->here.id, (int)a.r.outcome_withheld);
}

/* Another stage of the record's job, as discover_jobs gave it; -1 when there is none. */
static int other_stage(guard_op *g, const kit_emitted *jobs)
{
    size_t jlen = strlen(g->snap.job_id);
    for (size_t i = 0; i < jobs->stages.n; i++) {
        const char *s = jobs->stages.v[i];
        if (strncmp(s, g->snap.job_id, jlen) != 0 || s[jlen] != '\n')
            continue;
        const char *id = s + jlen + 1, *nl = strchr(id, '\n');
        if (!nl || (g->snap.stage_id && strncmp(id, g->snap.stage_id, (size_t)(nl - id)) == 0
                    && g->snap.stage_id[nl - id] == '\0')
            || (g->snap.stage_name && strcmp(nl + 1, g->snap.stage_name) == 0))
            continue;
        g->other_id = strndup(id, (size_t)(nl - id));
        g->other_name = strdup(nl + 1);
        return g->other_id && g->other_name ? 0 : -1;
    }
    return -1;
}

/* Where the record is, and a stage it is not in; NULL, or why the test cannot run. */
static const char *positions(guard_op *g)
{
    hs_status st = kit_read_once(g->k, g->conn, g->k->start_cursor, 1, &g->snap,
                                 "read_changes (snapshot)");
    if (st == HS_E_UNSUPPORTED)
        return "needs a snapshot read to learn where a record is now, and the connector has "
               "none";
    if (st != HS_OK)
        return "the snapshot read failed (see read-snapshot)";
    if (!g->snap.record_id || !g->snap.job_id || (!g->snap.stage_id && !g->snap.stage_name))
        return "the snapshot read emitted no record with its job and stage";
    kit_emitted jobs = {0};
    st = kit_discover_once(g->k, g->conn, &jobs, "discover_jobs");
    int found = st == HS_OK && other_stage(g, &jobs) == 0;
    kit_emitted_clear(&jobs);
    if (!found)
        return "discover_jobs gave no other stage of the record's job to guard the outcome by";
    g->here.struct_size = sizeof(hs_stage);
    g->here.id = g->snap.stage_id;
    g->here.name = g->snap.stage_name;
    if (g->snap.status_id || g->snap.status_name) {
        g->here_status.struct_size = sizeof(hs_ref);
        g->here_status.id = g->snap.status_id;
        g->here_status.name = g->snap.status_name;
        g->here.statuses = &g->here_status;
        g->here.n_statuses = 1;
        g->here.status_size = sizeof(hs_ref);
    }
    g->other.struct_size = sizeof(hs_stage);
    g->other.id = g->other_id;
    g->other.name = g->other_name;
    return NULL;
}

static void run(guard_op *g)
{
    kit *k = g->k;
    const char *skip = positions(g);
    if (skip) {
        kit_report(k, "outcome-from", KIT_SKIP, "%s", skip);
        return;
    }
    g->note.struct_size = sizeof g->note;
    g->note.record_id = g->snap.record_id;
    g->note.job_id = g->snap.job_id;
    g->note.person_id = g->snap.person_id;
    g->note.title = "hiresync conformance test";
    g->note.body = "Written by hiresync-conformance to test a guarded outcome; it may be deleted.";
    g->note.outcome = k->outcome;
    kit_strings p = {0};
    char away[HS_REMOTE_ID_MIN * 2] = "", here[HS_REMOTE_ID_MIN * 2] = "";
    /* Withheld first: recording the outcome may set off the ATS's own workflow rules. */
    withheld(g, &p, away, sizeof away);
    withheld_short(g, &p);
    recorded(g, &p, here, sizeof here);
    char d[1024];
    snprintf(d, sizeof d, "record %s in \"%s\": outcome \"%s\" only from \"%s\" withheld (%s), "
             "only from \"%s\" recorded (%s); nothing past a 2.0-sized result", g->note.record_id,
             g->here.name ? g->here.name : g->here.id, k->outcome,
             g->other_name[0] ? g->other_name : g->other_id, away,
             g->here.name ? g->here.name : g->here.id, here);
    kit_report_problems(k, "outcome-from", &p, d);
    kit_strings_clear(&p);
}

void kit_test_outcome_from(kit *k, hs_conn *conn)
{
    const char *skip = !(k->table.capabilities & HS_CAP_WRITE_NOTE)
                           ? "the connector does not offer write_note"
                       : !k->write ? "needs --write (it creates notes in the remote system)"
                       : !k->outcome ? "needs --outcome OUTCOME, one the remote system knows"
                       : !(k->table.capabilities & HS_CAP_READ_CHANGES)
                           ? "needs read_changes to learn where a record is"
                       : !(k->table.capabilities & HS_CAP_DISCOVER_JOBS)
                           ? "needs discover_jobs to learn the stages of a record's job"
                           : NULL;
    if (skip) {
        kit_report(k, "outcome-from", KIT_SKIP, "%s", skip);
        return;
    }
    kit_crash_guard("outcome-from");
    guard_op g;
    memset(&g, 0, sizeof g);
    g.k = k;
    g.conn = conn;
    run(&g);
    kit_emitted_clear(&g.snap);
    free(g.other_id);
    free(g.other_name);
}
