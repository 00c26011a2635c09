/* The commit protocol: the outbox, the journal and snapshots, checkpoint barriers, the
 * end of a cycle and retention (see cycle.h for the protocol, cycle_core.h for ownership). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key of the first outbox entry in the given state ("intent" or "done"), or NULL. */
static const char *first_in_state(json_object *outbox, const char *state)
{
    struct json_object_iterator it = json_object_iter_begin(outbox);
    struct json_object_iterator end = json_object_iter_end(outbox);
    while (!json_object_iter_equal(&it, &end)) {
        const char *st = get_str(json_object_iter_peek_value(&it), "state");
        if (st && strcmp(st, state) == 0)
            return json_object_iter_peek_name(&it);
        json_object_iter_next(&it);
    }
    return NULL;
}

/* Entries that are done are dropped when a snapshot is written: their records (invitation,
 * note, failure) say all that idempotency needs, and the snapshot makes that durable. */
static void outbox_prune(json_object *body)
{
    json_object *outbox;
    const char *key;
    if (!json_object_object_get_ex(body, "outbox", &outbox) ||
        !json_object_is_type(outbox, json_type_object))
        return;
    while ((key = first_in_state(outbox, "done")) != NULL)
        json_object_object_del(outbox, key);
}

/* Records older than this are dropped from the state, which then stays bounded however long
 * hiresync runs. Forgetting them cannot duplicate anything: before creating, the interview
 * connector looks the email up among the interview's participants (Willo) and the ATS
 * connector looks the note's key up in the application's actions (Eploy), so a write whose
 * record was forgotten is adopted, not repeated. What is lost is only bookkeeping: a
 * participant who completes an interview more than this after the invitation gets no note
 * (logged as not invited by hiresync). */
static void prune_section(cycle *c, const char *name, int64_t limit, const char *stamp)
{
    json_object *sec, *old = json_object_new_array(), *parts = NULL;
    size_t n;
    if (old == NULL || !json_object_object_get_ex(c->body, name, &sec) ||
        !json_object_is_type(sec, json_type_object))
        goto out;
    json_object_object_foreach(sec, key, rec) {
        const char *at = get_str(rec, "at");
        int64_t ms = hs_cycle_parse_time(at);
        if (!json_object_is_type(rec, json_type_object))
            continue;
        if (at == NULL || ms < 0) {
            put_str(rec, "at", stamp); /* written before records had times: age from now */
            hs_cycle_touch(c, name, key);
        } else if (ms < limit)
            json_object_array_add(old, json_object_new_string(key));
    }
    n = json_object_array_length(old);
    json_object_object_get_ex(c->body, "participants", &parts);
    for (size_t i = 0; i < n; i++) {
        const char *k = json_object_get_string(json_object_array_get_idx(old, i));
        json_object *r, *link;
        const char *pid;
        if (strcmp(name, "invitations") == 0 && json_object_object_get_ex(sec, k, &r) &&
            (pid = get_str(r, "participant")) != NULL && parts != NULL &&
            json_object_object_get_ex(parts, pid, &link) &&
            strcmp(json_object_get_string(link), k) == 0)
            hs_cycle_forget(c, "participants", pid);
        hs_cycle_forget(c, name, k);
    }
    if (n > 0)
        hs_cycle_logf(c, HS_LOG_INFO,
                      "%zu %s record(s) older than %d days dropped from the state", n,
              name, HS_CYCLE_RETENTION_DAYS);
out:
    json_object_put(old);
}

void hs_cycle_prune_old(cycle *c)
{
    int64_t now = now_ms(c->p);
    int64_t limit = now - (int64_t)HS_CYCLE_RETENTION_DAYS * 24 * 3600 * 1000;
    char stamp[40];
    hs_cycle_format_time(now, stamp, sizeof stamp);
    prune_section(c, "invitations", limit, stamp);
    prune_section(c, "notes", limit, stamp);
    prune_section(c, "failures", limit, stamp);
    prune_section(c, "moves", limit, stamp);
}

hs_status hs_cycle_commit(cycle *c, const char *why)
{
    char err[HS_STATE_ERR_MAX];
    if (c->p->dry_run)
        return HS_OK;
    outbox_prune(c->body);
    if (c->p->before_commit)
        c->p->before_commit(c->p->commit_ctx, c->body);
    if (hs_state_commit(c->p->state, now_ms(c->p), err, sizeof err) != 0) {
        hs_cycle_logf(c, HS_LOG_ERROR, "cannot commit state (%s): %s", why, err);
        hs_cycle_bounded(c->err.message, sizeof c->err.message, "cannot commit state: %s", err);
        c->err_side = "state";
        return HS_E_INTERNAL;
    }
    return HS_OK;
}

/* The journal is folded into a snapshot once it reaches half the snapshot's size (within
 * bounds): a snapshot of S bytes is then written once per S/2 bytes of journal, so each step
 * costs a bounded multiple of its own line, and loading replays little. */
static int fold_due(const hs_state *state)
{
    uint64_t limit = state->snapshot_size / 2;
    if (limit < HS_CYCLE_JOURNAL_FOLD_MIN)
        limit = HS_CYCLE_JOURNAL_FOLD_MIN;
    if (limit > HS_CYCLE_JOURNAL_FOLD_MAX)
        limit = HS_CYCLE_JOURNAL_FOLD_MAX;
    return !state->existed || state->journal_size >= limit;
}

/* Makes changes durable as one journal record: what an outbox step costs (a line, not the
 * state). */
hs_status hs_cycle_journal(cycle *c, const hs_state_put *puts, size_t n, const char *why)
{
    char err[HS_STATE_ERR_MAX];
    hs_state *state = c->p->state;
    c->journaled++;
    if (hs_state_append(state, puts, n, err, sizeof err) != 0) {
        hs_cycle_logf(c, HS_LOG_ERROR, "cannot record %s: %s", why, err);
        hs_cycle_bounded(c->err.message, sizeof c->err.message, "cannot record %s: %s", why, err);
        c->err_side = "state";
        return HS_E_INTERNAL;
    }
    if (fold_due(state))
        return hs_cycle_commit(c, "journal fold");
    return HS_OK;
}

hs_status hs_cycle_outbox_intent(cycle *c, const char *key, const char *op, const char *record)
{
    json_object *e = json_object_new_object();
    char when[40];
    hs_status st;
    if (e == NULL)
        return HS_E_INTERNAL;
    hs_cycle_format_time(now_ms(c->p), when, sizeof when);
    put_str(e, "op", op);
    put_str(e, "state", "intent");
    put_str(e, "record", record);
    put_str(e, "at", when);
    st = hs_cycle_journal(c, &(hs_state_put){"outbox", key, e}, 1, "outbox intent");
    json_object_put(e);
    hs_crash_point("cycle: intent committed, before the write");
    return st;
}

/* The outbox entry of key marked done (a new object), or NULL when there is none. */
static json_object *outbox_done(cycle *c, const char *key, const char *remote_id)
{
    json_object *outbox = section(c->body, "outbox");
    json_object *e, *done;
    if (outbox == NULL || !json_object_object_get_ex(outbox, key, &e))
        return NULL;
    done = json_object_new_object();
    if (done == NULL)
        return NULL;
    put_str(done, "op", get_str(e, "op"));
    put_str(done, "state", "done");
    put_str(done, "record", get_str(e, "record"));
    put_str(done, "at", get_str(e, "at"));
    put_str(done, "remote_id", remote_id);
    return done;
}

/* Records a finished write: its record (section[key] = rec) and its outbox entry done, in
 * one journal record. extra may add one more change (NULL section: none). */
hs_status hs_cycle_record_done(cycle *c, const char *sec, const char *key, json_object *rec,
                             const char *outbox_key, const char *remote_id,
                             const hs_state_put *extra, const char *why)
{
    hs_state_put puts[3];
    size_t n = 0;
    json_object *done = outbox_done(c, outbox_key, remote_id);
    hs_status st;
    puts[n++] = (hs_state_put){sec, key, rec};
    if (extra != NULL && extra->section != NULL)
        puts[n++] = *extra;
    if (done != NULL)
        puts[n++] = (hs_state_put){"outbox", outbox_key, done};
    st = hs_cycle_journal(c, puts, n, why);
    json_object_put(done);
    return st;
}

hs_status hs_cycle_outbox_drop(cycle *c, const char *key)
{
    return hs_cycle_journal(c, &(hs_state_put){"outbox", key, NULL}, 1, "outbox entry dropped");
}

static int cursor_ok(const char *cursor)
{
    json_object *o;
    int ok;
    if (cursor == NULL || cursor[0] == '\0')
        return 0;
    o = json_tokener_parse(cursor);
    ok = o != NULL && (json_object_is_type(o, json_type_object) ||
                       json_object_is_type(o, json_type_array) ||
                       json_object_is_type(o, json_type_string) ||
                       json_object_is_type(o, json_type_int));
    json_object_put(o);
    return ok;
}

static hs_status checkpoint_(cycle *c, const char *cursor)
{
    json_object *sec;
    if (!cursor_ok(cursor)) {
        snprintf(c->err.message, sizeof c->err.message, "emitted an empty or malformed "
                 "cursor; nothing was committed (a bug in the connector)");
        c->err_side = strcmp(c->stream, "ats") == 0 ? c->p->ats.name : c->p->interviews.name;
        return HS_E_INTERNAL;
    }
    if (c->mode == MODE_NEW_MAPPINGS || c->p->dry_run)
        return HS_OK;
    if (c->mode == MODE_CHANGES && c->p->state->existed) {
        /* Everything else this barrier covers is in the journal already: the cursor is one
         * more record. */
        json_object *cur = json_object_new_string(cursor);
        json_object *ms = json_object_new_int64(now_ms(c->p));
        hs_status st = HS_E_INTERNAL;
        hs_crash_point("cycle: barrier, before commit");
        if (cur != NULL && ms != NULL) {
            hs_state_put puts[2] = {{c->stream, "cursor", cur},
                                    {c->stream, "committed_ms", ms}};
            st = hs_cycle_journal(c, puts, 2, "checkpoint");
        }
        json_object_put(cur);
        json_object_put(ms);
        return st;
    }
    sec = section(c->body, c->stream);
    if (sec == NULL)
        return HS_E_INTERNAL;
    put_str(sec, "cursor", cursor);
    json_object_object_add(sec, "committed_ms", json_object_new_int64(now_ms(c->p)));
    if (c->mode == MODE_BASELINE)
        /* with what the snapshot saw: all in the body, not the journal */
        hs_cycle_set_baselines(c, 0);
    hs_crash_point("cycle: barrier, before commit");
    return hs_cycle_commit(c, "checkpoint");
}

static hs_status commit_barrier(cycle *c, const char *cursor)
{
    hs_status st = checkpoint_(c, cursor);
    free(c->pending_cursor);
    c->pending_cursor = NULL;
    c->pending_barriers = 0;
    c->barrier_ms = now_ms(c->p);
    c->journaled_at_barrier = c->journaled;
    return st;
}

/* A barrier is kept pending while the read has only read since the last committed one, for
 * at most HS_CYCLE_BARRIER_PAGES barriers or HS_CYCLE_BARRIER_MS (cycle.h). */
static hs_status on_checkpoint(void *ctx, const char *cursor)
{
    cycle *c = ctx;
    hs_status st;
    hs_cycle_progress(c, 1);
    char *copy;
    if (c->journaled == c->journaled_at_barrier &&
        c->pending_barriers + 1 < HS_CYCLE_BARRIER_PAGES &&
        now_ms(c->p) - c->barrier_ms < HS_CYCLE_BARRIER_MS && cursor_ok(cursor) &&
        (copy = strdup(cursor)) != NULL) {
        free(c->pending_cursor);
        c->pending_cursor = copy;
        c->pending_barriers++;
        return HS_OK;
    }
    st = commit_barrier(c, cursor);
    if (st != HS_OK)
        c->own_failure = 1;
    return st;
}

/* Commits the barrier still pending when a read ends well. After an error nothing more is
 * committed (cycle.h): the pending barrier is dropped and the next cycle reads its pages
 * again. */
static hs_status flush_barrier(cycle *c, hs_status read_st)
{
    char *cursor = c->pending_cursor;
    hs_status st;
    c->pending_cursor = NULL;
    if (cursor == NULL || read_st != HS_OK) {
        free(cursor);
        return read_st;
    }
    st = commit_barrier(c, cursor);
    if (st != HS_OK)
        c->own_failure = 1;
    free(cursor);
    return st;
}

static hs_status ignore_job(void *ctx, const hs_job *job)
{
    (void)ctx;
    (void)job;
    return HS_OK;
}

/* Every change is min-copied before the side's handler reads it (records.h). A record
 * smaller than ABI 2.0 made it is a data error that stops the read before its barrier: the
 * connector was built against another major, and every record it sends would be refused
 * alike, so nothing is committed past it until it is rebuilt. A kind this host does not know
 * (a newer minor's, after HS_CHANGE_DECLINED) is skipped. */
static hs_status copy_change(void *ctx, const hs_stage_change *in)
{
    cycle *c = ctx;
    hs_change_copy copy;
    char why[256];
    if (in == NULL)
        return c->on_change(c, NULL);
    hs_cycle_progress(c, 0);
    if (hs_change_copy_from(&copy, in, why, sizeof why) != 0) {
        hs_cycle_logf(c, HS_LOG_ERROR, "connection %s (connector %s) emitted a %s",
                      c->side->name, s_or(c->side->table->name, "?"), why);
        hs_cycle_bounded(c->err.message, sizeof c->err.message, "connector %s emitted a %s",
                         s_or(c->side->table->name, "?"), why);
        c->err_side = c->side->name;
        c->own_failure = 1;
        return HS_E_DATA;
    }
    if (copy.change.kind > HS_CHANGE_DECLINED) {
        c->r->counts.skipped++;
        hs_cycle_logf(c, HS_LOG_DEBUG, "connection %s: skipped change %s of kind %u, which "
                      "this hiresync does not know", c->side->name, s_or(copy.change.key, "?"),
                      (unsigned)copy.change.kind);
        return HS_OK;
    }
    return c->on_change(c, &copy.change);
}

hs_status hs_cycle_read_side(cycle *c, const hs_cycle_side *side, const char *cursor,
                           const char **ids, size_t n_ids, int snapshot,
                           hs_status (*on_change)(void *, const hs_stage_change *))
{
    hs_read_request req;
    hs_emitter em;
    hs_host_error err;
    hs_status st;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.cursor_json = cursor ? cursor : "";
    req.job_ids = ids;
    req.n_job_ids = n_ids;
    req.snapshot = snapshot;
    if (snapshot && c->n_stage_ids > 0) {
        req.only_stages = 1;
        req.stage_ids = c->stage_ids;
        req.n_stage_ids = c->n_stage_ids;
    }
    if (snapshot && !c->people_all) {
        req.people_only_stages = 1;
        req.people_stages = c->people_stages;
        req.n_people_stages = c->n_people_stages;
    }
    if (!snapshot && c->change_people != NULL) {
        req.people_only_stages = 1;
        req.people_stages = c->change_people;
        req.n_people_stages = c->n_change_people;
        req.people_in_changes = 1;
    }
    memset(&em, 0, sizeof em);
    em.struct_size = sizeof em;
    em.ctx = c;
    em.job = ignore_job;
    em.change = copy_change;
    em.checkpoint = on_checkpoint;
    em.progress = hs_cycle_on_progress;
    c->own_failure = 0;
    c->side = side;
    c->on_change = on_change;
    hs_host_error_init(&err);
    hs_host_error_init(&c->err);
    c->err_side = NULL;
    c->pending_barriers = 0;
    c->barrier_ms = now_ms(c->p);
    c->journaled_at_barrier = c->journaled;
    hs_cycle_progress_start(c);
    st = side->table->read_changes(side->conn, &req, &em, &err.e);
    st = flush_barrier(c, st);
    if (st == HS_OK)
        return HS_OK;
    /* An error raised by our own callbacks (a write, a commit) is the one to report. */
    if (c->own_failure && c->err_side != NULL && c->err.message[0] != '\0')
        hs_cycle_set_error_from(c, st, c->err_side, &c->err.e);
    else
        hs_cycle_set_error_from(c, st, side->name, &err.e);
    return st;
}

/* After a cycle that read both streams to the end, every record behind an intent was read
 * again and handled (its entry replaced); an intent still there belongs to a record that is
 * no longer read (its mapping was removed, say). Dropping it keeps the outbox honest. */
void hs_cycle_drop_orphans(cycle *c)
{
    json_object *outbox = section(c->body, "outbox"), *e;
    const char *key;
    while (outbox != NULL && (key = first_in_state(outbox, "intent")) != NULL) {
        json_object_object_get_ex(outbox, key, &e);
        hs_cycle_logf(c, HS_LOG_WARN, "a %s for record %s was in flight when hiresync stopped "
                      "and its record is no longer read; check that record by hand",
                      s_or(get_str(e, "op"), "write"),
              s_or(get_str(e, "record"), "?"));
        hs_cycle_forget(c, "outbox", key);
    }
}

#define FINISH_PUTS 64

/* Flushes puts[0..*n) as one journal record when full (or when force). */
static hs_status flush_puts(cycle *c, hs_state_put *puts, size_t *n, int force)
{
    hs_status st = HS_OK;
    if (*n > 0 && (force || *n == FINISH_PUTS))
        st = hs_cycle_journal(c, puts, *n, "end of cycle");
    if (force || *n == FINISH_PUTS)
        *n = 0;
    return st;
}

/* Makes the end of a cycle durable: what changed outside the journal (done outbox entries,
 * orphans and aged records removed, records stamped) and the connections' stores, as journal
 * records, or as a snapshot when the journal is due to be folded anyway. */
hs_status hs_cycle_finish(cycle *c)
{
    hs_state_put puts[FINISH_PUTS];
    json_object *scratch = NULL, *stores, *outbox = section(c->body, "outbox");
    const char *key;
    size_t n = 0, n_dirty;
    hs_status st = HS_OK;
    while (outbox != NULL && (key = first_in_state(outbox, "done")) != NULL)
        hs_cycle_forget(c, "outbox", key);
    n_dirty = json_object_array_length(c->dirty);
    /* Many changes at once (records of an older format stamped, a year of records aged
     * out): one snapshot says them more cheaply than their journal records would. */
    if (fold_due(c->p->state) || n_dirty > 16 * FINISH_PUTS)
        return hs_cycle_commit(c, "end of cycle");
    for (size_t i = 0; i < n_dirty && st == HS_OK; i++) {
        json_object *pair = json_object_array_get_idx(c->dirty, i), *sec, *now = NULL;
        const char *name = json_object_get_string(json_object_array_get_idx(pair, 0));
        const char *k = json_object_get_string(json_object_array_get_idx(pair, 1));
        if (json_object_object_get_ex(c->body, name, &sec))
            json_object_object_get_ex(sec, k, &now);
        puts[n++] = (hs_state_put){name, k, now}; /* NULL: removed */
        st = flush_puts(c, puts, &n, 0);
    }
    if (st == HS_OK && c->p->before_commit && (scratch = json_object_new_object()) != NULL) {
        c->p->before_commit(c->p->commit_ctx, scratch);
        if (json_object_object_get_ex(scratch, "stores", &stores) &&
            json_object_is_type(stores, json_type_object)) {
            json_object_object_foreach(stores, name, value) {
                puts[n++] = (hs_state_put){"stores", name, value};
                if ((st = flush_puts(c, puts, &n, 0)) != HS_OK)
                    break;
            }
        }
    }
    if (st == HS_OK)
        st = flush_puts(c, puts, &n, 1);
    json_object_put(scratch);
    return st;
}
