/* Idempotent writes (only with --write: they create objects in the remote system). */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kit.h"

#define ID_GUARD 0x5A

/* The caller's side of one write: the record and a result buffer with a guard after it. */
typedef struct write_op {
    kit *k;
    hs_conn *conn;
    const char *name;              /* "write_invitation" or "write_note" */
    hs_invitation inv;
    hs_person person;
    hs_note note;
} write_op;

static hs_status write_call(write_op *w, char *id, size_t id_size, int32_t *applied,
                            kit_strings *p, const char *what)
{
    kit *k = w->k;
    hs_write_result r;
    memset(&r, 0, sizeof(r));
    r.struct_size = sizeof(r);
    r.remote_id = id;
    r.remote_id_size = id_size;
    id[0] = '\0';
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, w->name);
    hs_status st = w->inv.struct_size
        ? k->table.write_invitation(w->conn, &w->inv, &r, &e.err)
        : k->table.write_note(w->conn, &w->note, &r, &e.err);
    kit_call_end(k);
    kit_error_check(k, &e, st, what, p);
    *applied = r.applied;
    if (st == HS_OK && !memchr(id, '\0', id_size))
        kit_strings_add(p, "%s: remote id not NUL-terminated in its buffer", what);
    else if (st == HS_OK)
        kit_scan(k, "a remote id", id);
    return st;
}

/* Twice with one key: the same remote id, applied 0 the second time; then once more with
 * a buffer one byte too short for that id: an error, and not a byte written past it. */
static void run(write_op *w, kit_strings *idem, kit_strings *small, char *summary, size_t n)
{
    char id1[512], id2[512];
    int32_t a1 = 0, a2 = 0;
    char what[64];
    snprintf(what, sizeof what, "%s (first)", w->name);
    hs_status st = write_call(w, id1, HS_REMOTE_ID_MIN * 2, &a1, idem, what);
    if (st != HS_OK) {
        kit_strings_add(idem, "%s: %s", what, kit_status_name(st));
        return;
    }
    snprintf(what, sizeof what, "%s (same key)", w->name);
    st = write_call(w, id2, HS_REMOTE_ID_MIN * 2, &a2, idem, what);
    if (st != HS_OK)
        kit_strings_add(idem, "%s: %s", what, kit_status_name(st));
    else if (a2 != 0)
        kit_strings_add(idem, "%s: applied %d, 0 expected (it created a second object)", what,
                        (int)a2);
    else if (strcmp(id1, id2) != 0)
        kit_strings_add(idem, "%s: remote id \"%s\", the first call gave \"%s\"", what, id2, id1);
    if (!id1[0]) {
        kit_strings_add(idem, "%s: an empty remote id", w->name);
        return;
    }
    size_t tight = strlen(id1);                 /* no room for the NUL */
    char *buf = malloc(tight + 32);
    if (!buf)
        return;
    memset(buf, ID_GUARD, tight + 32);
    int32_t a3 = 0;
    snprintf(what, sizeof what, "%s (%zu-byte id buffer)", w->name, tight);
    kit_strings dummy = {0};
    st = write_call(w, buf, tight, &a3, &dummy, what);
    kit_strings_clear(&dummy);
    for (size_t i = tight; i < tight + 32; i++) {
        if ((unsigned char)buf[i] != ID_GUARD) {
            kit_strings_add(small, "%s: wrote past the end of the remote id buffer", what);
            break;
        }
    }
    if (st == HS_OK)
        kit_strings_add(small, "%s: HS_OK with an id of %zu bytes that cannot fit; an id that "
                        "does not fit is an error, never truncated", what, tight);
    free(buf);
    size_t len = strlen(summary);
    snprintf(summary + len, n - len, "%s%s %s (applied %d, then 0)", len ? "; " : "", w->name,
             id1, (int)a1);
}

static void unique_key(char *out, size_t size, const char *what)
{
    snprintf(out, size, "hiresync-conformance-%s-%ld-%ld", what, (long)time(NULL),
             (long)getpid());
}

/* An invitation of "Conformance Kit" to the first --jobs interview, else the first found. */
static int invitation(write_op *w, kit *k, const kit_strings *job_ids, char *key, size_t ksize,
                      char *email, size_t esize)
{
    const char *interview = k->job_ids.n ? k->job_ids.v[0] : job_ids->n ? job_ids->v[0] : NULL;
    if (!interview)
        return -1;
    w->name = "write_invitation";
    unique_key(key, ksize, "invitation");
    snprintf(email, esize, "conformance.%ld.%ld@example.com", (long)time(NULL), (long)getpid());
    w->person.struct_size = sizeof(w->person);
    w->person.first_name = "Conformance";
    w->person.last_name = "Kit";
    w->person.email = email;
    w->inv.struct_size = sizeof(w->inv);
    w->inv.key = key;
    w->inv.interview_id = interview;
    w->inv.person = &w->person;
    w->inv.source_record_id = "hiresync-conformance";
    return 0;
}

/* A note on the first stage record a read emitted. */
static int note(write_op *w, const kit_emitted *sample, char *key, size_t ksize)
{
    if (!sample->record_id)
        return -1;
    w->name = "write_note";
    unique_key(key, ksize, "note");
    w->note.struct_size = sizeof(w->note);
    w->note.key = key;
    w->note.record_id = sample->record_id;
    w->note.job_id = sample->job_id;
    w->note.person_id = sample->person_id;
    w->note.title = "hiresync conformance test";
    w->note.body = "Written by hiresync-conformance to test idempotent writes; it may be deleted.";
    return 0;
}

static void skip_writes(kit *k, const char *why)
{
    kit_report(k, "write-idempotent", KIT_SKIP, "%s", why);
    kit_report(k, "write-small-buffer", KIT_SKIP, "%s", why);
}

void kit_test_writes(kit *k, hs_conn *conn, const kit_strings *job_ids,
                     const kit_emitted *sample)
{
    uint32_t caps = k->table.capabilities & (HS_CAP_WRITE_INVITATION | HS_CAP_WRITE_NOTE);
    if (!caps || !k->write) {
        skip_writes(k, caps ? "needs --write (it creates objects in the remote system)"
                            : "the connector writes nothing");
        return;
    }
    kit_crash_guard("write-idempotent");
    kit_strings idem = {0}, small = {0};
    const char *skipped = NULL;
    char summary[1024] = "", key[128], email[160];
    write_op w;
    memset(&w, 0, sizeof(w));
    w.k = k;
    w.conn = conn;
    if ((caps & HS_CAP_WRITE_INVITATION)
        && invitation(&w, k, job_ids, key, sizeof key, email, sizeof email) != 0)
        skipped = "no interview to invite to (discover_jobs emitted none; give --jobs)";
    else if (caps & HS_CAP_WRITE_INVITATION)
        run(&w, &idem, &small, summary, sizeof summary);
    memset(&w, 0, sizeof(w));
    w.k = k;
    w.conn = conn;
    if ((caps & HS_CAP_WRITE_NOTE) && note(&w, sample, key, sizeof key) != 0)
        skipped = "no record to annotate (no read emitted a stage change)";
    else if (caps & HS_CAP_WRITE_NOTE)
        run(&w, &idem, &small, summary, sizeof summary);
    if (!summary[0] && idem.n == 0) {
        skip_writes(k, skipped ? skipped : "nothing to write");
    } else {
        kit_report_problems(k, "write-idempotent", &idem, summary);
        kit_report_problems(k, "write-small-buffer", &small, "an id that does not fit is an "
                            "error, and nothing is written past the buffer");
    }
    kit_strings_clear(&idem);
    kit_strings_clear(&small);
}

/* A note with an outcome and final set (2.1): its key still makes it once. */
void kit_test_outcome(kit *k, hs_conn *conn, const kit_emitted *sample)
{
    const char *skip = !(k->table.capabilities & HS_CAP_WRITE_NOTE)
                           ? "the connector does not offer write_note"
                       : !k->write ? "needs --write (it creates a note in the remote system)"
                       : !k->outcome ? "needs --outcome OUTCOME, one the remote system knows"
                       : !sample->record_id ? "no record to annotate (no read emitted a stage "
                                              "change)"
                                            : NULL;
    if (skip) {
        kit_report(k, "write-outcome", KIT_SKIP, "%s", skip);
        return;
    }
    kit_crash_guard("write-outcome");
    write_op w;
    memset(&w, 0, sizeof(w));
    w.k = k;
    w.conn = conn;
    char key[128], id1[512], id2[512];
    note(&w, sample, key, sizeof key);
    unique_key(key, sizeof key, "outcome");
    w.note.outcome = k->outcome;
    w.note.final = 1;
    kit_strings p = {0};
    int32_t a1 = 0, a2 = 0;
    hs_status st = write_call(&w, id1, HS_REMOTE_ID_MIN * 2, &a1, &p, "write_note (outcome)");
    if (st != HS_OK)
        kit_strings_add(&p, "write_note with outcome \"%s\" and final 1: %s", k->outcome,
                        kit_status_name(st));
    else if ((st = write_call(&w, id2, HS_REMOTE_ID_MIN * 2, &a2, &p,
                              "write_note (outcome, same key)")) != HS_OK)
        kit_strings_add(&p, "write_note (outcome, same key): %s", kit_status_name(st));
    else if (a2 != 0)
        kit_strings_add(&p, "write_note (outcome, same key): applied %d, 0 expected (it wrote "
                        "a second note or outcome)", (int)a2);
    else if (strcmp(id1, id2) != 0)
        kit_strings_add(&p, "write_note (outcome, same key): remote id \"%s\", the first call "
                        "gave \"%s\"", id2, id1);
    char d[1024];
    snprintf(d, sizeof d, "a final note with outcome \"%s\" twice with one key: %s (applied %d, "
             "then 0)", k->outcome, id1, (int)a1);
    kit_report_problems(k, "write-outcome", &p, d);
    kit_strings_clear(&p);
}
