/*
 * One cycle of one pipeline:
 *   1. discover the ATS jobs (and the interviews) and resolve the mappings against them;
 *   2. read ATS changes from the committed cursor; a change into a trigger stage of a mapped
 *      job invites the person to the mapped interview (key "<interview>:<application>");
 *      a candidate who cannot be invited for a reason a recruiter can fix gets a note on the
 *      application instead (once per application and reason);
 *   3. read interview changes for the mapped interviews; a completed interview of a
 *      participant hiresync invited becomes a note on the linked ATS application (key
 *      "<participant>:<completion time>"), rendered from the mapping's note_template, with
 *      the mapping's "completed" outcome; each other event of the interview's life
 *      (invited, started, expired, declined) with an outcome configured becomes one outcome
 *      note (key "outcome:<participant>:<event>"); after a completion (on_completed) or an
 *      expiry (on_expired) the application is moved with move_record, only from its job's
 *      trigger stages: one a recruiter moved elsewhere is left there and gets one note
 *      saying so (key "notmoved:<participant>:<event>");
 *   4. report what happened.
 *
 * Re-invitation: an invitation record keeps when the application entered the trigger stage
 * ("entered", the ATS's clock). A later entry into a trigger stage of the same mapping is a
 * re-entry (a re-read of the same change is not); the mapping's "reinvite" decides: never
 * (the default), after_expiry (the last invitation expired) or after_days (it was made at
 * least N days before the re-entry, by the interview side's "invited" time where known).
 * A re-invitation's key is "<interview>:<application>#<generation>" and it names the
 * earlier participant in previous_id; a refused re-entry gets one note per re-entry (key
 * "reinvite:<policy>:<interview>:<application>:<entered>").
 *
 * Commit protocol: every write is preceded by an outbox "intent" and followed by "done",
 * each made durable as one record in the state's journal (a line whatever the size of the
 * state, see state.h); a barrier's cursor is committed (one more journal record, or a
 * snapshot for a baseline) only when every record before it was handled; after an error
 * nothing more is committed; a cursor is never replaced by an empty one. While a read only
 * reads (no journal record since the last committed barrier), a barrier may stay pending in
 * memory until HS_CYCLE_BARRIER_PAGES barriers or HS_CYCLE_BARRIER_MS have passed, and the
 * last pending one is committed when the read returns: a kill then repeats at most that much
 * reading and no write (reads are at least once and every write is keyed, so nothing is lost
 * or done twice); a barrier after a write is committed at once, as before. The journal is
 * folded into a snapshot when it has grown to half the snapshot's size, so a step costs a
 * bounded multiple of its own line. The end of a cycle drops the outbox entries that are done
 * (their records say what idempotency needs) and records older than HS_CYCLE_RETENTION_DAYS,
 * so the state stays bounded. The first cycle of a pipeline (and of a mapping added later)
 * reads a snapshot and sets a baseline: only candidates moved into a trigger stage after it
 * are invited, unless the mapping says "invite_existing".
 *
 * The state body it keeps (JSON; see state.h for the envelope):
 *   "ats", "interviews":  { "cursor": "<connector's cursor JSON>", "committed_ms": N }
 *   "baselines":          { "<interview>|<job>": <ms when the mapping's baseline was taken> }
 *   "baseline_members":   { "<interview>|<job>": { "<application>": "<entered stage at>" } }
 *   "invitations":        { "<interview>:<application>[#<generation>]": { interview,
 *                            application, job, person, participant, at, entered,
 *                            generation, previous, invited_at, expired } }
 *   "participants":       { "<participant>": "<invitation key>" }
 *   "notes":              { "result:<participant>:<completed at>": { at, application,
 *                            note | note_error } }
 *   "failures":           { "<reason>:<application>[:<entered>]": { at, note | note_error } }
 *   "moves":              { "move:<participant>:<event>": { at, application, to, result,
 *                            conflict | error } }
 * (states written before records had "at" get the time they are first read again; older
 * records may carry more fields, which nothing reads.)
 *   "outbox":             { "<write key>": { op, state: intent|done, record, at, remote_id } }
 *   "stores":             { "ats": {...}, "interviews": {...} }  (before_commit's)
 * No names, emails or phone numbers are kept: ids and keys only.
 *
 * Ownership: everything in hs_cycle_params is borrowed for the call; hs_cycle_result is the
 * caller's. The state's body is modified in place and committed.
 */
#ifndef HS_HOST_CYCLE_H
#define HS_HOST_CYCLE_H

#include <stdint.h>
#include <stdio.h>

#include <hiresync/connector.h>
#include <json-c/json.h>

#include "log.h"
#include "pipeline.h"
#include "state.h"

/* Records (invitations, notes, failures) are kept this long, then dropped (see cycle.c for
 * why that cannot duplicate a write). */
#define HS_CYCLE_RETENTION_DAYS 400

/* A barrier of a read that has written nothing since the last committed one may wait for
 * this many barriers (pages) or this long before it is committed (the protocol above): each
 * commit syncs the disk, and one per page was most of a full read's system time. */
#define HS_CYCLE_BARRIER_PAGES 50
#define HS_CYCLE_BARRIER_MS 5000

/* The journal is folded into a snapshot when it reaches half the snapshot's size, but not
 * before it holds FOLD_MIN bytes and not after FOLD_MAX. */
#define HS_CYCLE_JOURNAL_FOLD_MIN (4u * 1024u)
#define HS_CYCLE_JOURNAL_FOLD_MAX (4u * 1024u * 1024u)

/* One side of a pipeline: a connector table and an open connection. */
typedef struct hs_cycle_side {
    const char *name;              /* connection name, for messages */
    const hs_connector *table;
    hs_conn *conn;
} hs_cycle_side;

typedef struct hs_cycle_params {
    hs_pipeline *pipeline;         /* resolved in place against discovery */
    hs_cycle_side ats;
    hs_cycle_side interviews;
    hs_state *state;               /* loaded, locked by the caller */
    hs_log *log;                   /* may be NULL */
    int dry_run;                   /* print what would happen to dry_out; write nothing */
    FILE *dry_out;
    int64_t (*now_ms)(void *ctx);  /* NULL: real clock */
    void *clock_ctx;
    int (*cancelled)(void *ctx);   /* NULL: never */
    void *cancel_ctx;
    /* Called before every commit so the caller can put what it owns (the connections'
     * stores) into the body. May be NULL. */
    void (*before_commit)(void *ctx, json_object *body);
    void *commit_ctx;
    /* The ATS's clock skew (host minus ATS, ms) as its responses measured it, 0 when unknown;
     * the baseline is taken on the ATS's clock with it. May be NULL. */
    int64_t (*ats_skew_ms)(void *ctx);
    void *skew_ctx;
    /* 1: only the interview stream (a webhook's doorbell): no discovery, no ATS read, and
     * nothing dropped or aged out, which a full cycle does. */
    int interviews_only;
    /* Where the connections' jobs and interviews are kept between cycles, and for how long
     * (see discovery.h); NULL or a ttl <= 0: discovered every cycle. A cached listing that
     * lacks a mapped job, interview, or a stage or status a change of a mapped job names is
     * listed again at once, before that change is judged. */
    struct hs_discovery *discovery;
    int64_t discovery_ttl_ms;
} hs_cycle_params;

typedef struct hs_cycle_counts {
    long jobs;                     /* ATS jobs discovered */
    long changes;                  /* change records read (both sides) */
    long invited;                  /* invitations created */
    long adopted;                  /* invitations that already existed remotely */
    long notes;                    /* result notes written */
    long not_invited;              /* candidates that could not be invited (noted in the ATS) */
    long skipped;                  /* baseline, already invited, not hiresync's participant */
    long errors;                   /* mapping problems and rejected records */
    /* the interview's life (see cycle_life.c) */
    long outcomes;                 /* notes written with an ATS outcome */
    long moved;                    /* applications moved by on_completed / on_expired */
    long not_moved;                /* not moved: a recruiter had moved them on (noted) */
    long expired;                  /* invitations that expired */
    long reinvited;                /* candidates invited again after re-entering a trigger */
    long reinvite_refused;         /* re-entries not invited again by the policy (noted) */
} hs_cycle_counts;

typedef struct hs_cycle_result {
    int64_t started_ms;
    int64_t duration_ms;
    hs_status status;              /* HS_OK, or the error that stopped the cycle */
    const char *result;            /* static: "ok", "warning", "failed", "cancelled" */
    hs_cycle_counts counts;
    char error[1024];              /* what went wrong and what to fix; "" when nothing */
    int32_t retry_after_s;         /* the failing call's hs_error.retry_after_s: the remote
                                    * system asked not to be called before then; 0: none */
} hs_cycle_result;

/* Runs one cycle. Returns result->status. */
hs_status hs_cycle_run(const hs_cycle_params *params, hs_cycle_result *result);

/* The result as a JSON object (a new reference), for status records. */
json_object *hs_cycle_result_json(const hs_cycle_result *result);

#endif /* HS_HOST_CYCLE_H */
