/*
 * The parts of one cycle (see cycle.h for what a cycle does and its commit protocol), and the
 * small core they share. Private to host/: nothing outside the cycle includes it.
 *   cycle.c         hs_cycle_run: discovery, both streams in turn, the result;
 *   cycle_commit.c  the commit protocol: outbox intents and dones, journal records and
 *                   snapshots, checkpoint barriers, the end of a cycle, retention;
 *   cycle_invite.c  the invitation side: the ATS stream, baselines, invitations, failure notes;
 *   cycle_note.c    the note side: the interview stream, completions noted on applications;
 *   cycle_life.c    the interview's life: outcome notes, the expiry mark, stage moves;
 *   cycle_core.c    logging, time, errors and the state body, used by all of them.
 *
 * Ownership: a `cycle` lives on hs_cycle_run's stack for one run; it borrows the params, the
 * result and the state's body (modified in place). Strings returned by get_str are borrowed
 * from the body and valid until that entry changes. json_object arguments are borrowed unless
 * a comment says otherwise; functions returning json_object * return a new reference.
 */
#ifndef HS_HOST_CYCLE_CORE_H
#define HS_HOST_CYCLE_CORE_H

#include <string.h>
#include <time.h>

#include "cycle.h"
#include "records.h"

enum read_mode {
    MODE_BASELINE,      /* first read of the pipeline: snapshot, commit cursor + baselines */
    MODE_NEW_MAPPINGS,  /* snapshot of newly mapped jobs: cursor not kept */
    MODE_CHANGES        /* incremental read from the committed cursor */
};

/* A read's progress (cycle_progress.c). */
#define HS_CYCLE_PROGRESS_MS 10000
typedef struct hs_cycle_progress_state {
    int64_t started_ms, said_ms;
    long long pages, records;    /* checkpoints and records the read brought */
    int reported;                /* 1: the connector said how far it got (hs_progress) */
    long long done, total;       /* its pages so far and in all (-1: not known), clamped */
    long long parts_done, parts_total;  /* its listings so far and in all (0: one) */
} hs_cycle_progress_state;

typedef struct cycle {
    const hs_cycle_params *p;
    hs_cycle_result *r;
    json_object *body;
    const char *stream;          /* "ats" or "interviews" */
    enum read_mode mode;
    int64_t baseline_ms;         /* time taken before a snapshot read */
    json_object *new_pairs;      /* MODE_NEW_MAPPINGS: pairs being baselined (borrowed) */
    hs_host_error err;           /* error of the write that stopped the read (initialised
                                  * by hs_cycle_run, so err.e.message is err.message) */
    const hs_cycle_side *side;   /* the side being read */
    hs_status (*on_change)(void *, const hs_stage_change *); /* its handler */
    const char *err_side;        /* connection of that error */
    int own_failure;             /* 1 when one of our callbacks stopped the read */
    json_object *dirty;          /* [section, key] pairs changed in the body outside the
                                  * journal this cycle, made durable by finish() */
    size_t dead_mappings;        /* mapped jobs, triggers or interviews not found */
    const char **people_stages;  /* snapshot reads: the stages whose records need a person
                                  * (borrowed from the pipeline), see hs_read_request */
    size_t n_people_stages;
    int people_all;              /* 1: too many such stages; every record's person */
    const char **change_people;  /* ATS change reads: the stages a change must enter to need
                                  * its person (every valid trigger's id and name, borrowed
                                  * from the pipeline); NULL: every change's person */
    size_t n_change_people;
    const char **stage_ids;      /* snapshot reads: the trigger stage ids of the jobs read
                                  * (borrowed), see hs_read_request; n 0: no filter */
    size_t n_stage_ids;
    uint64_t journaled;          /* journal records written by this cycle */
    uint64_t journaled_at_barrier; /* ... when the last barrier was committed */
    char *pending_cursor;        /* a barrier not committed yet (owned), NULL when none */
    size_t pending_barriers;     /* barriers since the last committed one */
    int64_t barrier_ms;          /* when the last barrier was committed (or the read began) */
    hs_job_list ats_jobs;        /* the ATS jobs this cycle resolved against (owned) */
    int jobs_cached;             /* 1: they came from the discovery cache */
    int rediscover;              /* 1: a change named what the cached listing lacks */
    hs_cycle_progress_state progress;  /* of the read in hand */
} cycle;

static inline int64_t now_ms(const hs_cycle_params *p)
{
    struct timespec ts;
    if (p->now_ms)
        return p->now_ms(p->clock_ctx);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline const char *s_or(const char *s, const char *dflt)
{
    return (s && *s) ? s : dflt;
}

static inline json_object *section(json_object *body, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(body, name, &v) && json_object_is_type(v, json_type_object))
        return v;
    v = json_object_new_object();
    if (v == NULL || json_object_object_add(body, name, v) != 0)
        return NULL;
    return v;
}

static inline const char *get_str(json_object *obj, const char *key)
{
    json_object *v;
    if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static inline void put_str(json_object *obj, const char *key, const char *val)
{
    if (val != NULL)
        json_object_object_add(obj, key, json_object_new_string(val));
}


/* ---- cycle_core.c -------------------------------------------------------------------------- */

void hs_cycle_logf(const cycle *c, hs_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A line with an event name and its numbers as fields (see log.h). */
void hs_cycle_event(const cycle *c, hs_log_level level, const char *event,
                    const hs_log_num *nums, size_t n_nums, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* snprintf whose truncation is intended (messages are cut, never overflow). */
void hs_cycle_bounded(char *dst, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int64_t hs_cycle_parse_time(const char *s);
void hs_cycle_format_time(int64_t ms, char *out, size_t size);
json_object *hs_cycle_new_record(const cycle *c);
void hs_cycle_set_error(cycle *c, hs_status status, const char *side, const char *msg);
void hs_cycle_set_error_from(cycle *c, hs_status status, const char *side, const hs_error *e);
void hs_cycle_touch(cycle *c, const char *name, const char *key);
void hs_cycle_forget(cycle *c, const char *name, const char *key);
hs_status hs_cycle_write_note(cycle *c, const hs_note *note, hs_host_result *res);

/* ---- cycle_commit.c ------------------------------------------------------------------------ */

hs_status hs_cycle_commit(cycle *c, const char *why);
hs_status hs_cycle_journal(cycle *c, const hs_state_put *puts, size_t n, const char *why);
hs_status hs_cycle_outbox_intent(cycle *c, const char *key, const char *op, const char *record);
hs_status hs_cycle_record_done(cycle *c, const char *sec, const char *key, json_object *rec,
                               const char *outbox_key, const char *remote_id,
                               const hs_state_put *extra, const char *why);
hs_status hs_cycle_outbox_drop(cycle *c, const char *key);
hs_status hs_cycle_read_side(cycle *c, const hs_cycle_side *side, const char *cursor,
                             const char **ids, size_t n_ids, int snapshot,
                             hs_status (*on_change)(void *, const hs_stage_change *));
void hs_cycle_prune_old(cycle *c);
void hs_cycle_drop_orphans(cycle *c);
hs_status hs_cycle_finish(cycle *c);

/* ---- cycle_progress.c ---------------------------------------------------------------------- */

/* A read begins; then each record (checkpoint 0) and checkpoint (1) it brings. */
void hs_cycle_progress_start(cycle *c);
void hs_cycle_progress(cycle *c, int checkpoint);
/* hs_emitter.progress: the connector's own figures, copied and clamped (rule 12). */
hs_status hs_cycle_on_progress(void *ctx, const hs_progress *progress);

/* ---- cycle_invite.c ------------------------------------------------------------------------ */

void hs_cycle_set_baselines(cycle *c, int only_new);
hs_status hs_cycle_ats_stream(cycle *c);

/* ---- cycle_life.c -------------------------------------------------------------------------- */

const hs_mapping *hs_cycle_mapping_of(const hs_pipeline *p, const char *interview);
/* "First Last" of a person as safe one-line text, or dflt when it has no name. */
void hs_cycle_person_name(const hs_person *person, const char *dflt, char *out, size_t size);
/* Sets invitations[invkey][field] = value unless it is set already (one journal record). */
hs_status hs_cycle_mark_invitation(cycle *c, const char *invkey, const char *field,
                                   const char *value, int *changed);
/* 1 when the mapping moves the application of job after the event (which: hs_move_on) and
 * the ATS connection can. */
int hs_cycle_moves_after(const cycle *c, const hs_mapping *m, const char *job, int which);
/* An interview event other than a completion, for the participant of invitation invkey. */
hs_status hs_cycle_life_event(cycle *c, const hs_mapping *m, const char *invkey,
                              const hs_stage_change *ch);
/* The move after a completion or an expiry (which: hs_move_on), once. With the outcome form
 * (hs_mapping.move_outcomes) the move was the outcome on the note under note_key: when that
 * was withheld, the "not moved" note follows. */
hs_status hs_cycle_move_after(cycle *c, const hs_mapping *m, const char *invkey,
                              const char *participant, int which, const char *note_key);
/* The outcome an event's note carries: on_completed / on_expired's { "outcome" } when set,
 * else outcomes.<event>; NULL for none. */
const char *hs_cycle_event_outcome(const hs_mapping *m, int event);
/* What a guarded outcome's positions live in (owned; hs_cycle_guard_free). */
typedef struct hs_cycle_guard {
    hs_stage *from;
    hs_ref *statuses;
} hs_cycle_guard;
/* Sets note->outcome for the event and, for the outcome form of a move, outcome_from = the
 * trigger stages of the invitation's job (g owns them). Returns HS_E_INTERNAL when out of
 * memory. */
hs_status hs_cycle_guard_outcome(const cycle *c, const hs_mapping *m, json_object *inv,
                                 int event, hs_note *note, hs_cycle_guard *g);
void hs_cycle_guard_free(hs_cycle_guard *g);
/* After a write_note: a withheld guarded outcome goes into the note's record (rec), and
 * counts as not moved when the note was written now. */
void hs_cycle_outcome_withheld(cycle *c, const hs_note *note, const hs_host_result *res,
                               json_object *rec);

/* ---- cycle_note.c -------------------------------------------------------------------------- */

/* The completion note's body is at most this long (a template's text included). */
#define HS_CYCLE_NOTE_BYTES 8192


hs_status hs_cycle_interview_stream(cycle *c);

#endif /* HS_HOST_CYCLE_CORE_H */
