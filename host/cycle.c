/* One pipeline cycle with the commit protocol (see cycle.h). */
#define _DEFAULT_SOURCE

#include "cycle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum read_mode {
    MODE_BASELINE,      /* first read of the pipeline: snapshot, commit cursor + baselines */
    MODE_NEW_MAPPINGS,  /* snapshot of newly mapped jobs: cursor not kept */
    MODE_CHANGES        /* incremental read from the committed cursor */
};

typedef struct cycle {
    const hs_cycle_params *p;
    hs_cycle_result *r;
    json_object *body;
    const char *stream;          /* "ats" or "interviews" */
    enum read_mode mode;
    int64_t baseline_ms;         /* time taken before a snapshot read */
    json_object *new_pairs;      /* MODE_NEW_MAPPINGS: pairs being baselined (borrowed) */
    hs_error err;                /* error of the write that stopped the read */
    const char *err_side;        /* connection of that error */
    int own_failure;             /* 1 when one of our callbacks stopped the read */
    json_object *dirty;          /* [section, key] pairs changed in the body outside the
                                  * journal this cycle, made durable by finish() */
    size_t dead_mappings;        /* mapped jobs, triggers or interviews not found */
} cycle;

/* ---- small helpers ------------------------------------------------------------------------- */

static int64_t now_ms(const hs_cycle_params *p)
{
    struct timespec ts;
    if (p->now_ms)
        return p->now_ms(p->clock_ctx);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_(const cycle *c, hs_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void logf_(const cycle *c, hs_log_level level, const char *fmt, ...)
{
    va_list ap;
    if (c->p->log == NULL)
        return;
    va_start(ap, fmt);
    hs_log_vwrite(c->p->log, level, c->p->pipeline->name, fmt, ap);
    va_end(ap);
}

static const char *s_or(const char *s, const char *dflt)
{
    return (s && *s) ? s : dflt;
}

static json_object *section(json_object *body, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(body, name, &v) && json_object_is_type(v, json_type_object))
        return v;
    v = json_object_new_object();
    if (v == NULL || json_object_object_add(body, name, v) != 0)
        return NULL;
    return v;
}

static const char *get_str(json_object *obj, const char *key)
{
    json_object *v;
    if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static void put_str(json_object *obj, const char *key, const char *val)
{
    if (val != NULL)
        json_object_object_add(obj, key, json_object_new_string(val));
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]" into ms; -1 when it cannot. */
static int64_t parse_time(const char *s)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    int64_t ms = 0;
    time_t t;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    s += n;
    if (*s == 'T' || *s == ' ') {
        if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
            return -1;
        s += 1 + n;
        if (*s == '.') {
            int digits = 0;
            for (s++; *s >= '0' && *s <= '9'; s++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (*s - '0');
            for (; digits < 3; digits++)
                ms *= 10;
        }
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    ms += (int64_t)t * 1000;
    if ((*s == '+' || *s == '-') && strlen(s) >= 3) {
        int oh = 0, om = 0;
        if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1 && sscanf(s + 1, "%2d%2d", &oh, &om) < 1)
            return ms;
        ms -= (*s == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000;
    }
    return ms;
}

static void format_time(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A new state record stamped with the time it was made ("at"), which retention goes by. */
static json_object *new_record(const cycle *c)
{
    char when[40];
    json_object *e = json_object_new_object();
    if (e == NULL)
        return NULL;
    format_time(now_ms(c->p), when, sizeof when);
    put_str(e, "at", when);
    return e;
}

static void init_error(hs_error *err)
{
    memset(err, 0, sizeof *err);
    err->struct_size = sizeof *err;
}

/* snprintf whose truncation is intended (messages are cut, never overflow). */
static void bounded(char *dst, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void bounded(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
}

static void set_error(cycle *c, hs_status status, const char *side, const char *msg)
{
    size_t n = strlen(side);
    if (c->r->status != HS_OK)
        return; /* the first error is the one to fix */
    c->r->status = status;
    if (status != HS_E_CANCELLED)
        c->r->counts.errors++;
    msg = s_or(msg, "failed");
    if (strncmp(msg, side, n) == 0 && msg[n] == ':')
        bounded(c->r->error, sizeof c->r->error, "%s", msg); /* already names the connection */
    else
        bounded(c->r->error, sizeof c->r->error, "%s: %s", side, msg);
}

/* set_error from a connector's error, keeping the delay the remote system asked for. */
static void set_error_from(cycle *c, hs_status status, const char *side, const hs_error *e)
{
    if (c->r->status == HS_OK)
        c->r->retry_after_s = e->retry_after_s > 0 ? e->retry_after_s : 0;
    set_error(c, status, side, e->message);
}

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

/* Notes that body[name][key] changed outside the journal: finish() makes it durable with
 * the end of the cycle (a journal record, or the snapshot). */
static void touch(cycle *c, const char *name, const char *key)
{
    json_object *pair = json_object_new_array();
    if (pair != NULL && (json_object_array_add(pair, json_object_new_string(name)) ||
                         json_object_array_add(pair, json_object_new_string(key)) ||
                         json_object_array_add(c->dirty, pair)))
        json_object_put(pair);
}

/* Removes body[name][key], durably with the end of the cycle. */
static void forget(cycle *c, const char *name, const char *key)
{
    json_object *sec;
    if (!json_object_object_get_ex(c->body, name, &sec) ||
        !json_object_is_type(sec, json_type_object))
        return;
    touch(c, name, key); /* copies key, which may live in the entry removed below */
    json_object_object_del(sec, key);
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
        int64_t ms = parse_time(at);
        if (!json_object_is_type(rec, json_type_object))
            continue;
        if (at == NULL || ms < 0) {
            put_str(rec, "at", stamp); /* written before records had times: age from now */
            touch(c, name, key);
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
            forget(c, "participants", pid);
        forget(c, name, k);
    }
    if (n > 0)
        logf_(c, HS_LOG_INFO, "%zu %s record(s) older than %d days dropped from the state", n,
              name, HS_CYCLE_RETENTION_DAYS);
out:
    json_object_put(old);
}

static void prune_old(cycle *c)
{
    int64_t now = now_ms(c->p);
    int64_t limit = now - (int64_t)HS_CYCLE_RETENTION_DAYS * 24 * 3600 * 1000;
    char stamp[40];
    format_time(now, stamp, sizeof stamp);
    prune_section(c, "invitations", limit, stamp);
    prune_section(c, "notes", limit, stamp);
    prune_section(c, "failures", limit, stamp);
}

/* ---- commits ------------------------------------------------------------------------------- */

static hs_status commit(cycle *c, const char *why)
{
    char err[HS_STATE_ERR_MAX];
    if (c->p->dry_run)
        return HS_OK;
    outbox_prune(c->body);
    if (c->p->before_commit)
        c->p->before_commit(c->p->commit_ctx, c->body);
    if (hs_state_commit(c->p->state, now_ms(c->p), err, sizeof err) != 0) {
        logf_(c, HS_LOG_ERROR, "cannot commit state (%s): %s", why, err);
        bounded(c->err.message, sizeof c->err.message, "cannot commit state: %s", err);
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
static hs_status journal(cycle *c, const hs_state_put *puts, size_t n, const char *why)
{
    char err[HS_STATE_ERR_MAX];
    hs_state *state = c->p->state;
    if (hs_state_append(state, puts, n, err, sizeof err) != 0) {
        logf_(c, HS_LOG_ERROR, "cannot record %s: %s", why, err);
        bounded(c->err.message, sizeof c->err.message, "cannot record %s: %s", why, err);
        c->err_side = "state";
        return HS_E_INTERNAL;
    }
    if (fold_due(state))
        return commit(c, "journal fold");
    return HS_OK;
}

static hs_status outbox_intent(cycle *c, const char *key, const char *op, const char *record)
{
    json_object *e = json_object_new_object();
    char when[40];
    hs_status st;
    if (e == NULL)
        return HS_E_INTERNAL;
    format_time(now_ms(c->p), when, sizeof when);
    put_str(e, "op", op);
    put_str(e, "state", "intent");
    put_str(e, "record", record);
    put_str(e, "at", when);
    st = journal(c, &(hs_state_put){"outbox", key, e}, 1, "outbox intent");
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
static hs_status record_done(cycle *c, const char *sec, const char *key, json_object *rec,
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
    st = journal(c, puts, n, why);
    json_object_put(done);
    return st;
}

static hs_status outbox_drop(cycle *c, const char *key)
{
    return journal(c, &(hs_state_put){"outbox", key, NULL}, 1, "outbox entry dropped");
}

/* ---- notes --------------------------------------------------------------------------------- */

static hs_status write_note(cycle *c, const hs_note *note, hs_write_result *res)
{
    hs_status st;
    init_error(&c->err);
    memset(res, 0, sizeof *res);
    res->struct_size = sizeof *res;
    hs_crash_point("cycle: before write_note");
    st = c->p->ats.table->write_note(c->p->ats.conn, note, res, &c->err);
    hs_crash_point("cycle: after write_note");
    c->err_side = c->p->ats.name;
    return st;
}

static const char *reason_text(const char *reason)
{
    if (strcmp(reason, "no-email") == 0)
        return "the candidate has no email address in the ATS. Add an email address to the "
               "candidate, then move the application out of the stage and back to invite them";
    if (strcmp(reason, "interview-gone") == 0)
        return "the video interview mapped to this job no longer exists (or the interview "
               "platform's key cannot see it). Fix the mapping in the hiresync configuration";
    return "the interview platform rejected the candidate's email address. Correct the "
           "address, then move the application out of the stage and back to invite them";
}

/* A candidate could not be invited for a reason a recruiter can fix: say so on the
 * application, once per application and reason. */
static hs_status note_failure(cycle *c, const hs_mapping *m, const hs_stage_change *ch,
                              const char *reason, const char *detail)
{
    json_object *failures = section(c->body, "failures");
    char fkey[512], nkey[600], body[1400], title[160];
    hs_note note;
    hs_write_result res;
    hs_status st;
    json_object *e;
    snprintf(fkey, sizeof fkey, "%s:%s", reason, ch->record_id);
    if (failures == NULL)
        return HS_E_INTERNAL;
    if (json_object_object_get_ex(failures, fkey, &e)) {
        c->r->counts.skipped++;
        return HS_OK;
    }
    c->r->counts.not_invited++;
    logf_(c, HS_LOG_WARN, "application %s (job %s) cannot be invited to interview %s: %s%s%s",
          ch->record_id, s_or(ch->job_id, "?"), m->interview, reason, detail ? ": " : "",
          detail ? detail : "");
    if (c->p->dry_run) {
        fprintf(c->p->dry_out, "would note on application %s: %s %s cannot be invited (%s)\n",
                ch->record_id, s_or(ch->person.first_name, ""), s_or(ch->person.last_name, ""),
                reason);
        return HS_OK;
    }
    snprintf(nkey, sizeof nkey, "fail:%s:%s:%s", reason, m->interview, ch->record_id);
    snprintf(title, sizeof title, "Video interview invitation not sent");
    snprintf(body, sizeof body, "hiresync could not invite %s %s to the video interview%s%s%s: "
             "%s.", s_or(ch->person.first_name, "the candidate"), s_or(ch->person.last_name, ""),
             m->interview_title ? " \"" : "", m->interview_title ? m->interview_title : "",
             m->interview_title ? "\"" : "", reason_text(reason));
    memset(&note, 0, sizeof note);
    note.struct_size = sizeof note;
    note.key = nkey;
    note.record_id = ch->record_id;
    note.job_id = ch->job_id;
    note.person_id = ch->person.id;
    note.title = title;
    note.body = body;
    if ((st = outbox_intent(c, nkey, "failure-note", ch->record_id)) != HS_OK)
        return st;
    st = write_note(c, &note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    /* The key names the reason and the application: the record keeps when and what. */
    e = new_record(c);
    if (e == NULL)
        return HS_E_INTERNAL;
    if (st == HS_OK)
        put_str(e, "note", res.remote_id);
    else
        put_str(e, "note_error", c->err.message);
    st = record_done(c, "failures", fkey, e, nkey, st == HS_OK ? res.remote_id : NULL, NULL,
                     "failure note done");
    json_object_put(e);
    return st;
}

/* ---- invitations --------------------------------------------------------------------------- */

static hs_status record_invitation(cycle *c, const char *key, const hs_mapping *m,
                                   const hs_stage_change *ch, const hs_write_result *res)
{
    /* What a later cycle needs to note the result on the right application. */
    json_object *e = new_record(c);
    json_object *link = json_object_new_string(key);
    hs_state_put part = {NULL, NULL, NULL};
    hs_status st = HS_E_INTERNAL;
    if (e == NULL || link == NULL)
        goto out;
    put_str(e, "interview", m->interview);
    put_str(e, "application", ch->record_id);
    put_str(e, "job", ch->job_id);
    put_str(e, "person", ch->person.id);
    put_str(e, "participant", res->remote_id);
    if (res->remote_id[0] != '\0')
        part = (hs_state_put){"participants", res->remote_id, link};
    st = record_done(c, "invitations", key, e, key, res->remote_id, &part, "invitation done");
out:
    json_object_put(e);
    json_object_put(link);
    return st;
}

static hs_status invite(cycle *c, const hs_mapping *m, const hs_stage_change *ch)
{
    json_object *invs = section(c->body, "invitations");
    char key[512];
    hs_invitation inv;
    hs_write_result res;
    hs_status st;
    if (invs == NULL)
        return HS_E_INTERNAL;
    snprintf(key, sizeof key, "%s:%s", m->interview, ch->record_id);
    if (json_object_object_get_ex(invs, key, NULL)) {
        c->r->counts.skipped++;
        logf_(c, HS_LOG_DEBUG, "application %s is already invited to interview %s; not "
              "invited again", ch->record_id, m->interview);
        return HS_OK;
    }
    if (m->interview_missing)
        return note_failure(c, m, ch, "interview-gone", NULL);
    if (ch->person.email == NULL || ch->person.email[0] == '\0')
        return note_failure(c, m, ch, "no-email", NULL);
    if (c->p->dry_run) {
        c->r->counts.invited++;
        fprintf(c->p->dry_out, "would invite %s %s <%s> (application %s, job %s) to interview "
                "%s\n", s_or(ch->person.first_name, ""), s_or(ch->person.last_name, ""),
                ch->person.email, ch->record_id, s_or(ch->job_id, "?"), m->interview);
        return HS_OK;
    }
    if ((st = outbox_intent(c, key, "invitation", ch->record_id)) != HS_OK)
        return st;
    memset(&inv, 0, sizeof inv);
    inv.struct_size = sizeof inv;
    inv.key = key;
    inv.interview_id = m->interview;
    inv.person = ch->person;
    inv.source_record_id = ch->record_id;
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    init_error(&c->err);
    hs_crash_point("cycle: before write_invitation");
    st = c->p->interviews.table->write_invitation(c->p->interviews.conn, &inv, &res, &c->err);
    hs_crash_point("cycle: after write_invitation");
    c->err_side = c->p->interviews.name;
    if (st == HS_E_DATA) {
        const char *reason = c->err.http_status == 404 ? "interview-gone" : "email-rejected";
        char detail[HS_ERROR_MESSAGE_MAX];
        snprintf(detail, sizeof detail, "%s", c->err.message);
        if ((st = outbox_drop(c, key)) != HS_OK)
            return st;
        return note_failure(c, m, ch, reason, detail);
    }
    if (st != HS_OK)
        return st;
    if (res.applied)
        c->r->counts.invited++;
    else
        c->r->counts.adopted++;
    logf_(c, HS_LOG_INFO, "application %s (job %s) %s interview %s as participant %s",
          ch->record_id, s_or(ch->job_id, "?"), res.applied ? "invited to" : "already in",
          m->interview, res.remote_id);
    return record_invitation(c, key, m, ch, &res);
}

/* ---- the ATS stream ------------------------------------------------------------------------ */

static void pair_key(char *out, size_t size, const hs_mapping *m, const hs_pipeline_job *pj)
{
    snprintf(out, size, "%s|%s", m->interview, pj->job);
}

/* How far before the baseline a change may be stamped and still count as after it: the ATS's
 * clock and zone are not ours, and a missed invitation is worse than an extra one. */
#define BASELINE_SKEW_MS (2 * 3600 * 1000)

/* Remembers a record that sat in a trigger stage when the baseline was taken, with the time
 * it entered the stage by the ATS's own clock. Only entries that before_baseline() cannot
 * place by their time alone are kept (those within BASELINE_SKEW_MS of the baseline, or
 * without a readable time): the rest are skipped by time, so remembering them would only
 * make the state grow with the tenant. */
static void remember_member(cycle *c, const char *pk, const hs_stage_change *ch)
{
    json_object *all = section(c->body, "baseline_members"), *set;
    int64_t at = parse_time(ch->changed_at);
    if (all == NULL || (at >= 0 && at < c->baseline_ms - BASELINE_SKEW_MS))
        return;
    if (!json_object_object_get_ex(all, pk, &set)) {
        set = json_object_new_object();
        if (set == NULL || json_object_object_add(all, pk, set) != 0)
            return;
    }
    json_object_object_add(set, ch->record_id, json_object_new_string(s_or(ch->changed_at, "")));
}

/* 1 when a change read after the baseline is really from before it: the same stage entry a
 * snapshot saw (compared on the ATS's clock), or stamped well before the baseline. */
static int before_baseline(cycle *c, const hs_mapping *m, const hs_pipeline_job *pj,
                           const hs_stage_change *ch)
{
    json_object *bl = section(c->body, "baselines"), *all, *set, *v;
    char pk[512];
    int64_t at = parse_time(ch->changed_at);
    pair_key(pk, sizeof pk, m, pj);
    if (bl == NULL || !json_object_object_get_ex(bl, pk, &v))
        return 1; /* not baselined yet: its snapshot decides */
    if (at >= 0 && at < json_object_get_int64(v) - BASELINE_SKEW_MS)
        return 1;
    all = section(c->body, "baseline_members");
    if (all != NULL && json_object_object_get_ex(all, pk, &set) &&
        json_object_object_get_ex(set, ch->record_id, &v)) {
        int64_t seen = parse_time(json_object_get_string(v));
        return at < 0 || seen < 0 || at <= seen;
    }
    return 0;
}

static hs_status ats_change_(cycle *c, const hs_stage_change *ch)
{
    hs_pipeline *p = c->p->pipeline;
    c->r->counts.changes++;
    hs_crash_point("cycle: ATS record read");
    if (c->p->cancelled && c->p->cancelled(c->p->cancel_ctx))
        return HS_E_CANCELLED;
    if (ch == NULL || ch->record_id == NULL || ch->job_id == NULL)
        return HS_OK;
    for (size_t i = 0; i < p->n_mappings; i++) {
        const hs_mapping *m = &p->mappings[i];
        for (size_t j = 0; j < m->n_jobs; j++) {
            const hs_pipeline_job *pj = &m->jobs[j];
            char pk[512];
            int hit = 0;
            hs_status st;
            if (!pj->valid || strcmp(pj->job, ch->job_id) != 0)
                continue;
            for (size_t k = 0; k < pj->n_triggers && !hit; k++)
                hit = hs_trigger_matches(&pj->triggers[k], ch);
            if (!hit)
                continue;
            pair_key(pk, sizeof pk, m, pj);
            if (c->mode == MODE_NEW_MAPPINGS && !json_object_object_get_ex(c->new_pairs, pk, NULL))
                continue;
            if (ch->snapshot && !m->invite_existing) {
                c->r->counts.skipped++;
                remember_member(c, pk, ch);
                logf_(c, HS_LOG_DEBUG, "application %s was in trigger stage \"%s\" before the "
                      "baseline; not invited (invite_existing is false)", ch->record_id,
                      s_or(ch->stage.name, "?"));
                continue;
            }
            if (!ch->snapshot && c->mode == MODE_CHANGES && before_baseline(c, m, pj, ch)) {
                c->r->counts.skipped++;
                continue;
            }
            if ((st = invite(c, m, ch)) != HS_OK)
                return st;
        }
    }
    return HS_OK;
}

static hs_status ats_change(void *ctx, const hs_stage_change *ch)
{
    cycle *c = ctx;
    hs_status st = ats_change_(c, ch);
    if (st != HS_OK)
        c->own_failure = 1;
    return st;
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

static void set_baselines(cycle *c, int only_new)
{
    json_object *bl = section(c->body, "baselines");
    hs_pipeline *p = c->p->pipeline;
    for (size_t i = 0; bl != NULL && i < p->n_mappings; i++)
        for (size_t j = 0; j < p->mappings[i].n_jobs; j++) {
            char pk[512];
            if (!p->mappings[i].jobs[j].valid)
                continue;
            pair_key(pk, sizeof pk, &p->mappings[i], &p->mappings[i].jobs[j]);
            if (only_new && !json_object_object_get_ex(c->new_pairs, pk, NULL))
                continue;
            json_object_object_add(bl, pk, json_object_new_int64(c->baseline_ms));
        }
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
            st = journal(c, puts, 2, "checkpoint");
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
        set_baselines(c, 0); /* with what the snapshot saw: all in the body, not the journal */
    hs_crash_point("cycle: barrier, before commit");
    return commit(c, "checkpoint");
}

static hs_status on_checkpoint(void *ctx, const char *cursor)
{
    cycle *c = ctx;
    hs_status st = checkpoint_(c, cursor);
    if (st != HS_OK)
        c->own_failure = 1;
    return st;
}

static hs_status ignore_job(void *ctx, const hs_job *job)
{
    (void)ctx;
    (void)job;
    return HS_OK;
}

/* Job ids of valid mappings (only_new: pairs not baselined yet). Returns the count; ids are
 * borrowed from the pipeline. new_pairs collects the pair keys when non-NULL. */
static size_t mapped_jobs(cycle *c, const char **ids, size_t max, json_object *new_pairs)
{
    hs_pipeline *p = c->p->pipeline;
    json_object *bl = section(c->body, "baselines");
    size_t n = 0;
    for (size_t i = 0; i < p->n_mappings; i++)
        for (size_t j = 0; j < p->mappings[i].n_jobs; j++) {
            const hs_pipeline_job *pj = &p->mappings[i].jobs[j];
            char pk[512];
            size_t k;
            if (!pj->valid)
                continue;
            pair_key(pk, sizeof pk, &p->mappings[i], pj);
            if (new_pairs != NULL) {
                if (bl != NULL && json_object_object_get_ex(bl, pk, NULL))
                    continue;
                json_object_object_add(new_pairs, pk, json_object_new_boolean(1));
            }
            for (k = 0; k < n && strcmp(ids[k], pj->job) != 0; k++)
                ;
            if (k == n && n < max)
                ids[n++] = pj->job;
        }
    return n;
}

static hs_status read_side(cycle *c, const hs_cycle_side *side, const char *cursor,
                           const char **ids, size_t n_ids, int snapshot,
                           hs_status (*on_change)(void *, const hs_stage_change *))
{
    hs_read_request req;
    hs_emitter em;
    hs_error err;
    hs_status st;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.cursor_json = cursor ? cursor : "";
    req.job_ids = ids;
    req.n_job_ids = n_ids;
    req.snapshot = snapshot;
    memset(&em, 0, sizeof em);
    em.struct_size = sizeof em;
    em.ctx = c;
    em.job = ignore_job;
    em.change = on_change;
    em.checkpoint = on_checkpoint;
    c->own_failure = 0;
    init_error(&err);
    init_error(&c->err);
    c->err_side = NULL;
    st = side->table->read_changes(side->conn, &req, &em, &err);
    if (st == HS_OK)
        return HS_OK;
    /* An error raised by our own callbacks (a write, a commit) is the one to report. */
    if (c->own_failure && c->err_side != NULL && c->err.message[0] != '\0')
        set_error_from(c, st, c->err_side, &c->err);
    else
        set_error_from(c, st, side->name, &err);
    return st;
}

static hs_status ats_stream(cycle *c)
{
    const char *ids[512];
    json_object *ats = section(c->body, "ats");
    const char *cursor = get_str(ats, "cursor");
    json_object *new_pairs = json_object_new_object();
    size_t n;
    hs_status st = HS_OK;
    if (new_pairs == NULL)
        return HS_E_INTERNAL;
    c->stream = "ats";
    c->new_pairs = new_pairs;
    /* On the ATS's clock: changes are compared with it by the times the ATS stamped. */
    c->baseline_ms = now_ms(c->p) - (c->p->ats_skew_ms ? c->p->ats_skew_ms(c->p->skew_ctx) : 0);
    if (cursor == NULL) {
        n = mapped_jobs(c, ids, 512, NULL);
        if (n == 0)
            goto out;
        logf_(c, HS_LOG_INFO, "first cycle: reading the current position of %zu job(s) to set "
              "the baseline", n);
        c->mode = MODE_BASELINE;
        st = read_side(c, &c->p->ats, NULL, ids, n, 1, ats_change);
        goto out;
    }
    n = mapped_jobs(c, ids, 512, new_pairs);
    if (n > 0) {
        logf_(c, HS_LOG_INFO, "%zu newly mapped job(s): setting their baseline", n);
        c->mode = MODE_NEW_MAPPINGS;
        st = read_side(c, &c->p->ats, cursor, ids, n, 1, ats_change);
        if (st != HS_OK)
            goto out;
        set_baselines(c, 1);
        if ((st = commit(c, "new mappings baselined")) != HS_OK) {
            set_error(c, st, "state", c->err.message);
            goto out;
        }
    }
    n = mapped_jobs(c, ids, 512, NULL);
    if (n == 0)
        goto out;
    c->mode = MODE_CHANGES;
    cursor = get_str(section(c->body, "ats"), "cursor");
    st = read_side(c, &c->p->ats, cursor, ids, n, 0, ats_change);
out:
    c->new_pairs = NULL;
    json_object_put(new_pairs);
    return st;
}

/* ---- the interview stream ------------------------------------------------------------------ */

static int is_completion(const hs_stage_change *ch)
{
    return (ch->stage.name && strcasecmp(ch->stage.name, "completed") == 0) ||
           (ch->stage.id && strcasecmp(ch->stage.id, "completed") == 0);
}

static const hs_mapping *mapping_of(const hs_pipeline *p, const char *interview)
{
    for (size_t i = 0; interview && i < p->n_mappings; i++)
        if (strcmp(p->mappings[i].interview, interview) == 0)
            return &p->mappings[i];
    return NULL;
}

static hs_status result_note(cycle *c, const hs_stage_change *ch, json_object *inv,
                             const char *nkey)
{
    const hs_mapping *m = mapping_of(c->p->pipeline, get_str(inv, "interview"));
    char title[160], body[2048], when[64];
    hs_note note;
    hs_write_result res;
    hs_status st;
    json_object *e;
    snprintf(when, sizeof when, "%s", s_or(ch->changed_at, "recently"));
    snprintf(title, sizeof title, "Video interview completed");
    snprintf(body, sizeof body, "%s %s completed the video interview%s%s%s on %s.\n"
             "%s (participant %s)",
             s_or(ch->person.first_name, "The candidate"), s_or(ch->person.last_name, ""),
             m && m->interview_title ? " \"" : "", m && m->interview_title ? m->interview_title : "",
             m && m->interview_title ? "\"" : "", when,
             ch->link ? "Their answers are at the link below." : "The interview platform gave "
             "no link to the answers.", ch->record_id);
    memset(&note, 0, sizeof note);
    note.struct_size = sizeof note;
    note.key = nkey;
    note.record_id = get_str(inv, "application");
    note.job_id = get_str(inv, "job");
    note.person_id = get_str(inv, "person");
    note.title = title;
    note.body = body;
    note.link = ch->link;
    if (c->p->dry_run) {
        c->r->counts.notes++;
        fprintf(c->p->dry_out, "would note on application %s: interview completed, %s\n",
                s_or(note.record_id, "?"), s_or(ch->link, "(no link)"));
        return HS_OK;
    }
    if ((st = outbox_intent(c, nkey, "note", note.record_id)) != HS_OK)
        return st;
    st = write_note(c, &note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    e = new_record(c);
    if (e == NULL)
        return HS_E_INTERNAL;
    put_str(e, "application", note.record_id);
    if (st == HS_OK) {
        put_str(e, "note", res.remote_id);
        if (res.applied)
            c->r->counts.notes++;
        else
            c->r->counts.skipped++;
        logf_(c, HS_LOG_INFO, "application %s: note %s with the response of participant %s",
              s_or(note.record_id, "?"), res.applied ? "written" : "already there",
              ch->record_id);
    } else {
        c->r->counts.errors++;
        put_str(e, "note_error", c->err.message);
        logf_(c, HS_LOG_WARN, "application %s rejected the result note: %s",
              s_or(note.record_id, "?"), c->err.message);
    }
    st = record_done(c, "notes", nkey, e, nkey, st == HS_OK ? res.remote_id : NULL, NULL,
                     "note done");
    json_object_put(e);
    return st;
}

static hs_status interview_change_(cycle *c, const hs_stage_change *ch)
{
    json_object *parts = section(c->body, "participants");
    json_object *invs = section(c->body, "invitations");
    json_object *notes = section(c->body, "notes");
    json_object *v, *inv;
    char nkey[600];
    c->r->counts.changes++;
    hs_crash_point("cycle: interview record read");
    if (c->p->cancelled && c->p->cancelled(c->p->cancel_ctx))
        return HS_E_CANCELLED;
    if (ch == NULL || ch->record_id == NULL || !is_completion(ch))
        return HS_OK;
    if (parts == NULL || invs == NULL || notes == NULL)
        return HS_E_INTERNAL;
    if (!json_object_object_get_ex(parts, ch->record_id, &v) ||
        !json_object_object_get_ex(invs, json_object_get_string(v), &inv)) {
        c->r->counts.skipped++;
        logf_(c, HS_LOG_INFO, "participant %s completed interview %s but was not invited by "
              "hiresync; no note", ch->record_id, s_or(ch->job_id, "?"));
        return HS_OK;
    }
    snprintf(nkey, sizeof nkey, "result:%s:%s", ch->record_id,
             s_or(ch->changed_at, "completed"));
    if (json_object_object_get_ex(notes, nkey, NULL)) {
        c->r->counts.skipped++;
        return HS_OK;
    }
    return result_note(c, ch, inv, nkey);
}

static hs_status interview_change(void *ctx, const hs_stage_change *ch)
{
    cycle *c = ctx;
    hs_status st = interview_change_(c, ch);
    if (st != HS_OK)
        c->own_failure = 1;
    return st;
}

static hs_status interview_stream(cycle *c)
{
    const char *ids[512];
    const char *cursor = get_str(section(c->body, "interviews"), "cursor");
    hs_pipeline *p = c->p->pipeline;
    size_t n = 0;
    c->stream = "interviews";
    c->mode = MODE_CHANGES;
    for (size_t i = 0; i < p->n_mappings && n < 512; i++) {
        size_t k;
        if (p->mappings[i].interview_missing)
            continue;
        for (k = 0; k < n && strcmp(ids[k], p->mappings[i].interview) != 0; k++)
            ;
        if (k == n)
            ids[n++] = p->mappings[i].interview;
    }
    if (n == 0)
        return HS_OK;
    return read_side(c, &c->p->interviews, cursor, ids, n, 0, interview_change);
}

/* ---- discovery ----------------------------------------------------------------------------- */

static hs_status discover(const hs_cycle_side *side, hs_job_list *list, hs_error *err)
{
    return hs_job_list_discover(side->table, side->conn, list, err);
}

static hs_status discovery(cycle *c)
{
    hs_job_list jobs = {0}, interviews = {0};
    hs_error err;
    hs_status st = HS_OK;
    char problems[4096];
    size_t bad;
    int have_interviews = 0;
    int have_jobs = c->p->ats.table->discover_jobs != NULL &&
                    (c->p->ats.table->capabilities & HS_CAP_DISCOVER_JOBS);
    if (have_jobs) {
        st = discover(&c->p->ats, &jobs, &err);
        if (st != HS_OK) {
            set_error_from(c, st, c->p->ats.name, &err);
            goto out;
        }
        c->r->counts.jobs = (long)jobs.n;
    }
    if (c->p->interviews.table->discover_jobs != NULL &&
        (c->p->interviews.table->capabilities & HS_CAP_DISCOVER_JOBS)) {
        st = discover(&c->p->interviews, &interviews, &err);
        if (st == HS_E_CONFIG || st == HS_E_PERMISSION || st == HS_E_CANCELLED) {
            set_error_from(c, st, c->p->interviews.name, &err);
            goto out;
        }
        have_interviews = st == HS_OK;
        if (st != HS_OK)
            logf_(c, HS_LOG_WARN, "cannot list the interviews of %s (%s); mappings are not "
                  "checked against them this cycle", c->p->interviews.name, err.message);
        st = HS_OK;
    }
    bad = hs_pipeline_resolve(c->p->pipeline, have_jobs ? &jobs : NULL,
                              have_interviews ? &interviews : NULL,
                              problems, sizeof problems);
    c->dead_mappings = bad;
    if (bad > 0) {
        char *line = problems, *nl;
        c->r->counts.errors += (long)bad;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            logf_(c, HS_LOG_ERROR, "%s", line);
            line = nl + 1;
        }
        if (c->r->error[0] == '\0') {
            bounded(c->r->error, sizeof c->r->error, "%s%s", problems,
                     bad > 1 ? " (and more in the log)" : "");
        }
    }
out:
    hs_job_list_clear(&jobs);
    hs_job_list_clear(&interviews);
    return st;
}

/* ---- the cycle ----------------------------------------------------------------------------- */

/* After a cycle that read both streams to the end, every record behind an intent was read
 * again and handled (its entry replaced); an intent still there belongs to a record that is
 * no longer read (its mapping was removed, say). Dropping it keeps the outbox honest. */
static void drop_orphans(cycle *c)
{
    json_object *outbox = section(c->body, "outbox"), *e;
    const char *key;
    while (outbox != NULL && (key = first_in_state(outbox, "intent")) != NULL) {
        json_object_object_get_ex(outbox, key, &e);
        logf_(c, HS_LOG_WARN, "a %s for record %s was in flight when hiresync stopped and its "
              "record is no longer read; check that record by hand", s_or(get_str(e, "op"), "write"),
              s_or(get_str(e, "record"), "?"));
        forget(c, "outbox", key);
    }
}

#define FINISH_PUTS 64

/* Flushes puts[0..*n) as one journal record when full (or when force). */
static hs_status flush_puts(cycle *c, hs_state_put *puts, size_t *n, int force)
{
    hs_status st = HS_OK;
    if (*n > 0 && (force || *n == FINISH_PUTS))
        st = journal(c, puts, *n, "end of cycle");
    if (force || *n == FINISH_PUTS)
        *n = 0;
    return st;
}

/* Makes the end of a cycle durable: what changed outside the journal (done outbox entries,
 * orphans and aged records removed, records stamped) and the connections' stores, as journal
 * records, or as a snapshot when the journal is due to be folded anyway. */
static hs_status finish(cycle *c)
{
    hs_state_put puts[FINISH_PUTS];
    json_object *scratch = NULL, *stores, *outbox = section(c->body, "outbox");
    const char *key;
    size_t n = 0, n_dirty;
    hs_status st = HS_OK;
    while (outbox != NULL && (key = first_in_state(outbox, "done")) != NULL)
        forget(c, "outbox", key);
    n_dirty = json_object_array_length(c->dirty);
    /* Many changes at once (records of an older format stamped, a year of records aged
     * out): one snapshot says them more cheaply than their journal records would. */
    if (fold_due(c->p->state) || n_dirty > 16 * FINISH_PUTS)
        return commit(c, "end of cycle");
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

static int stop_all(hs_status st)
{
    return st == HS_E_CANCELLED || st == HS_E_INTERNAL;
}

hs_status hs_cycle_run(const hs_cycle_params *params, hs_cycle_result *result)
{
    cycle c;
    hs_status st;
    json_object *outbox;
    memset(result, 0, sizeof *result);
    memset(&c, 0, sizeof c);
    c.p = params;
    c.r = result;
    c.body = params->state->body;
    c.dirty = json_object_new_array();
    if (c.dirty == NULL) {
        result->status = HS_E_INTERNAL;
        result->result = "failed";
        bounded(result->error, sizeof result->error, "out of memory");
        return HS_E_INTERNAL;
    }
    result->started_ms = now_ms(params);
    result->status = HS_OK;
    if (params->state->recovered[0] != '\0')
        logf_(&c, HS_LOG_WARN, "%s", params->state->recovered);
    outbox = section(c.body, "outbox");
    if (outbox != NULL && json_object_object_length(outbox) > 0)
        logf_(&c, HS_LOG_WARN, "%d write(s) were in flight when hiresync last stopped; they "
              "are checked again (writes are idempotent)", json_object_object_length(outbox));
    if (params->ats.table->read_changes == NULL || params->ats.table->write_note == NULL ||
        params->interviews.table->read_changes == NULL ||
        params->interviews.table->write_invitation == NULL) {
        set_error(&c, HS_E_CONFIG, params->pipeline->name, "the ATS connection must read changes "
                  "and write notes, the interview connection read changes and write "
                  "invitations; check the pipeline's \"ats\" and \"interviews\"");
        st = HS_E_CONFIG;
    } else {
        st = discovery(&c);
    }
    if (st == HS_OK) {
        st = ats_stream(&c);
        /* Streams are independent: a failed ATS read does not hold back the results. */
        if (!stop_all(st) && st != HS_E_CONFIG)
            (void)interview_stream(&c);
    }
    if (!params->dry_run && result->status == HS_OK)
        drop_orphans(&c);
    if (!params->dry_run && result->status != HS_E_INTERNAL) {
        prune_old(&c);
        (void)finish(&c);
    }
    result->duration_ms = now_ms(params) - result->started_ms;
    /* The other mappings ran; but nobody will ever be invited through a dead one, so the
     * cycle fails (run --once exits 1, status says what to fix). */
    if (result->status == HS_OK && c.dead_mappings > 0)
        result->status = HS_E_CONFIG;
    if (result->status == HS_E_CANCELLED)
        result->result = "cancelled";
    else if (result->status != HS_OK)
        result->result = "failed";
    else if (result->counts.errors > 0)
        result->result = "warning";
    else
        result->result = "ok";
    logf_(&c, result->status == HS_OK ? HS_LOG_INFO : HS_LOG_ERROR,
          "cycle %s%s: %ld jobs, %ld changes, %ld invited, %ld adopted, %ld notes, %ld not "
          "invited, %ld errors, %lld ms%s%s", result->result, params->dry_run ? " (dry run)" : "",
          result->counts.jobs, result->counts.changes, result->counts.invited,
          result->counts.adopted, result->counts.notes, result->counts.not_invited,
          result->counts.errors, (long long)result->duration_ms,
          result->error[0] ? ": " : "", result->error);
    json_object_put(c.dirty);
    return result->status;
}

json_object *hs_cycle_result_json(const hs_cycle_result *r)
{
    json_object *o = json_object_new_object(), *counts = json_object_new_object();
    char when[40];
    if (o == NULL || counts == NULL) {
        json_object_put(o);
        json_object_put(counts);
        return NULL;
    }
    format_time(r->started_ms, when, sizeof when);
    json_object_object_add(o, "started_at", json_object_new_string(when));
    json_object_object_add(o, "started_ms", json_object_new_int64(r->started_ms));
    json_object_object_add(o, "duration_ms", json_object_new_int64(r->duration_ms));
    json_object_object_add(o, "result", json_object_new_string(r->result ? r->result : "?"));
    json_object_object_add(o, "status", json_object_new_int((int)r->status));
    json_object_object_add(counts, "jobs", json_object_new_int64(r->counts.jobs));
    json_object_object_add(counts, "changes", json_object_new_int64(r->counts.changes));
    json_object_object_add(counts, "invited", json_object_new_int64(r->counts.invited));
    json_object_object_add(counts, "adopted", json_object_new_int64(r->counts.adopted));
    json_object_object_add(counts, "notes", json_object_new_int64(r->counts.notes));
    json_object_object_add(counts, "not_invited", json_object_new_int64(r->counts.not_invited));
    json_object_object_add(counts, "skipped", json_object_new_int64(r->counts.skipped));
    json_object_object_add(counts, "errors", json_object_new_int64(r->counts.errors));
    json_object_object_add(o, "counts", counts);
    json_object_object_add(o, "error", json_object_new_string(r->error));
    return o;
}
