/* The interview's life on the ATS side: an outcome note for each event a mapping gives an
 * outcome, the expiry mark on the invitation, and the stage move after a completion or an
 * expiry, which leaves alone an application a recruiter moved on first (see cycle.h). The
 * move is either direct (move_record from the trigger stages) or the outcome the tenant's
 * workflow ties to it, written only while the application is in a trigger stage
 * (hs_note.outcome_from): a withheld outcome counts and is noted as a move conflict. */
#define _DEFAULT_SOURCE

#include "cycle_core.h"
#include "note_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Remote text in a note is bounded so: a name, a title, a time, a connector's message. */
#define NAME_MAX_BYTES 100
#define TITLE_MAX_BYTES 200
#define TIME_MAX_BYTES 40
#define MESSAGE_MAX_BYTES 400

static const char *const MOVE_EVENT[2] = {"completed", "expired"};

const hs_mapping *hs_cycle_mapping_of(const hs_pipeline *p, const char *interview)
{
    for (size_t i = 0; interview && i < p->n_mappings; i++)
        if (strcmp(p->mappings[i].interview, interview) == 0)
            return &p->mappings[i];
    return NULL;
}

void hs_cycle_person_name(const hs_person *person, const char *dflt, char *out, size_t size)
{
    char first[NAME_MAX_BYTES + 1], last[NAME_MAX_BYTES + 1];
    hs_text_safe(first, sizeof first, person ? person->first_name : NULL, NAME_MAX_BYTES, 0);
    hs_text_safe(last, sizeof last, person ? person->last_name : NULL, NAME_MAX_BYTES, 0);
    if (first[0] == '\0' && last[0] == '\0')
        hs_cycle_bounded(out, size, "%s", dflt);
    else
        hs_cycle_bounded(out, size, "%s%s%s", first, first[0] && last[0] ? " " : "", last);
}

hs_status hs_cycle_mark_invitation(cycle *c, const char *invkey, const char *field,
                                   const char *value, int *changed)
{
    json_object *invs = section(c->body, "invitations"), *inv, *copy = NULL;
    hs_status st;
    *changed = 0;
    if (invs == NULL || !json_object_object_get_ex(invs, invkey, &inv))
        return HS_E_INTERNAL;
    if (get_str(inv, field) != NULL)
        return HS_OK;
    *changed = 1;
    if (c->p->dry_run)
        return HS_OK;
    /* a copy: the journal replaces the record, which must not be the one it is made from */
    if (json_object_deep_copy(inv, &copy, NULL) != 0 || copy == NULL)
        return HS_E_INTERNAL;
    put_str(copy, field, value);
    st = hs_cycle_journal(c, &(hs_state_put){"invitations", invkey, copy}, 1,
                          "invitation marked");
    json_object_put(copy);
    return st;
}

static const hs_pipeline_job *job_of(const hs_mapping *m, const char *job)
{
    for (size_t j = 0; m && job && j < m->n_jobs; j++)
        if (strcmp(m->jobs[j].job, job) == 0)
            return &m->jobs[j];
    return NULL;
}

static int can_move(const cycle *c)
{
    return c->p->ats.table->move_record != NULL &&
           (c->p->ats.table->capabilities & HS_CAP_MOVE_RECORD) &&
           HS_HAS_FIELD(hs_connector, c->p->ats.table->struct_size, move_record);
}

int hs_cycle_moves_after(const cycle *c, const hs_mapping *m, const char *job, int which)
{
    const hs_pipeline_job *pj = job_of(m, job);
    return m != NULL && m->moves[which] != NULL && pj != NULL && pj->valid &&
           pj->moves[which].stage_id != NULL && can_move(c);
}

/* Writes a note once (key note->key in "notes"): intent, write, done. *written is 1 when it
 * was created now. A note the ATS rejects (HS_E_DATA) is recorded with its error. */
static hs_status note_once(cycle *c, const hs_note *note, const char *op, int *written)
{
    json_object *notes = section(c->body, "notes"), *e;
    hs_host_result res;
    hs_status st;
    *written = 0;
    if (notes == NULL)
        return HS_E_INTERNAL;
    if (json_object_object_get_ex(notes, note->key, NULL)) {
        c->r->counts.skipped++;
        return HS_OK;
    }
    if (c->p->dry_run) {
        *written = 1;
        fprintf(c->p->dry_out, "would note on application %s: %s%s%s\n",
                s_or(note->record_id, "?"), note->title, note->outcome ? ", outcome " : "",
                note->outcome ? note->outcome : "");
        return HS_OK;
    }
    if ((st = hs_cycle_outbox_intent(c, note->key, op, note->record_id)) != HS_OK)
        return st;
    st = hs_cycle_write_note(c, note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    if ((e = hs_cycle_new_record(c)) == NULL)
        return HS_E_INTERNAL;
    put_str(e, "application", note->record_id);
    if (st == HS_OK) {
        put_str(e, "note", res.remote_id);
        *written = res.r.applied;
        hs_cycle_event(c, HS_LOG_INFO, "note_written", NULL, 0, "application %s: note \"%s\" %s",
                       s_or(note->record_id, "?"),
                      note->title, res.r.applied ? "written" : "already there");
        hs_cycle_outcome_withheld(c, note, &res, e);
    } else {
        c->r->counts.errors++;
        put_str(e, "note_error", c->err.message);
        hs_cycle_logf(c, HS_LOG_WARN, "application %s rejected the note \"%s\": %s",
                      s_or(note->record_id, "?"), note->title, c->err.message);
    }
    st = hs_cycle_record_done(c, "notes", note->key, e, note->key,
                              st == HS_OK ? res.remote_id : NULL, NULL, "note done");
    json_object_put(e);
    return st;
}

static void note_for(hs_note *note, json_object *inv, const char *key, const char *title,
                     const char *body)
{
    memset(note, 0, sizeof *note);
    note->struct_size = sizeof *note;
    note->key = key;
    note->record_id = get_str(inv, "application");
    note->job_id = get_str(inv, "job");
    note->person_id = get_str(inv, "person");
    note->title = title;
    note->body = body;
}

/* What an event's note says: "<who> <verb> the video interview "T" on <when>." */
static void event_text(const hs_mapping *m, const hs_stage_change *ch, int event, char *title,
                       size_t tsize, char *body, size_t bsize)
{
    static const char *const verbs[HS_EVENT_COUNT] = {
        "was invited to", "began", "completed", "did not complete in time", "declined"};
    char who[2 * NAME_MAX_BYTES + 8], iv[TITLE_MAX_BYTES + 8], when[TIME_MAX_BYTES + 1];
    hs_cycle_person_name(ch->person, "The candidate", who, sizeof who);
    hs_text_safe(iv, sizeof iv, m->interview_title, TITLE_MAX_BYTES, 0);
    hs_text_safe(when, sizeof when, s_or(ch->changed_at, "recently"), TIME_MAX_BYTES, 0);
    hs_cycle_bounded(title, tsize, "Video interview %s", hs_event_name(event));
    hs_cycle_bounded(body, bsize, "%s %s the video interview%s%s%s (%s %s; participant %s).",
                     who, verbs[event], iv[0] ? " \"" : "", iv, iv[0] ? "\"" : "",
                     event == HS_EVENT_EXPIRED ? "expired" : "on", when, ch->record_id);
}

static int event_of(uint32_t kind)
{
    switch (kind) {
    case HS_CHANGE_INVITED: return HS_EVENT_INVITED;
    case HS_CHANGE_STARTED: return HS_EVENT_STARTED;
    case HS_CHANGE_EXPIRED: return HS_EVENT_EXPIRED;
    case HS_CHANGE_DECLINED: return HS_EVENT_DECLINED;
    default: return -1;
    }
}

static int outcome_was_withheld(cycle *c, const char *note_key)
{
    json_object *rec;
    return json_object_object_get_ex(section(c->body, "notes"), note_key, &rec) &&
           get_str(rec, "outcome_withheld") != NULL;
}

hs_status hs_cycle_life_event(cycle *c, const hs_mapping *m, const char *invkey,
                              const hs_stage_change *ch)
{
    int event = event_of(ch->kind), changed = 0, written = 0;
    char key[600];
    json_object *inv;
    hs_status st = HS_OK;
    if (event < 0 || m == NULL)
        return HS_OK;
    if (event == HS_EVENT_INVITED && ch->changed_at)
        st = hs_cycle_mark_invitation(c, invkey, "invited_at", ch->changed_at, &changed);
    if (event == HS_EVENT_EXPIRED) {
        st = hs_cycle_mark_invitation(c, invkey, "expired", s_or(ch->changed_at, "expired"),
                                      &changed);
        c->r->counts.expired += changed;
    }
    if (st != HS_OK)
        return st;
    if (!json_object_object_get_ex(section(c->body, "invitations"), invkey, &inv))
        return HS_E_INTERNAL;
    snprintf(key, sizeof key, "outcome:%s:%s", ch->record_id, hs_event_name(event));
    if (hs_cycle_event_outcome(m, event) != NULL) {
        char title[160], body[1024];
        hs_note note;
        hs_cycle_guard g;
        event_text(m, ch, event, title, sizeof title, body, sizeof body);
        note_for(&note, inv, key, title, body);
        if ((st = hs_cycle_guard_outcome(c, m, inv, event, &note, &g)) != HS_OK)
            return st;
        st = note_once(c, &note, "outcome-note", &written);
        hs_cycle_guard_free(&g);
        if (st != HS_OK)
            return st;
        c->r->counts.outcomes +=
            written && note.outcome != NULL && !outcome_was_withheld(c, key);
    }
    if (event == HS_EVENT_EXPIRED)
        return hs_cycle_move_after(c, m, invkey, ch->record_id, HS_MOVE_ON_EXPIRED, key);
    return HS_OK;
}

/* The note on an application a recruiter moved on before hiresync could: once per event.
 * by_outcome: `to` is the outcome that was withheld rather than a stage. */
static hs_status conflict_note(cycle *c, json_object *inv, const char *participant, int which,
                               const char *to, int by_outcome, const char *why)
{
    char key[600], body[1400], msg[MESSAGE_MAX_BYTES + 1], target[TITLE_MAX_BYTES + 1];
    hs_note note;
    int written = 0;
    hs_status st;
    snprintf(key, sizeof key, "notmoved:%s:%s", participant, MOVE_EVENT[which]);
    hs_text_safe(msg, sizeof msg, why, MESSAGE_MAX_BYTES, 0);
    hs_text_safe(target, sizeof target, to, TITLE_MAX_BYTES, 0);
    hs_cycle_bounded(body, sizeof body, "hiresync did not move this application %s\"%s\"%s "
                     "after the video interview %s: %s. It was moved on from the trigger stage "
                     "before hiresync could, so hiresync leaves it where it is.",
                     by_outcome ? "on: it left out the outcome " : "to ", target,
                     by_outcome ? ", which the workflow moves applications on" : "",
                     which == HS_MOVE_ON_COMPLETED ? "was completed" : "expired", msg);
    note_for(&note, inv, key, "Application not moved after the video interview", body);
    note.final = 1;
    st = note_once(c, &note, "not-moved-note", &written);
    return st;
}

/* The positions the application may be moved from: its job's trigger stages (a stage, and
 * its status when the trigger names one). */
static void from_stages(const hs_pipeline_job *pj, hs_stage *from, hs_ref *statuses)
{
    for (size_t k = 0; k < pj->n_triggers; k++) {
        const hs_trigger *t = &pj->triggers[k];
        memset(&from[k], 0, sizeof from[k]);
        from[k].struct_size = sizeof from[k];
        from[k].id = t->stage_id;
        from[k].name = t->stage_name;
        from[k].status_size = sizeof(hs_ref);
        if (t->status_id != NULL) {
            statuses[k] = (hs_ref){sizeof(hs_ref), t->status_id, NULL};
            from[k].statuses = &statuses[k];
            from[k].n_statuses = 1;
        }
    }
}

const char *hs_cycle_event_outcome(const hs_mapping *m, int event)
{
    if (m == NULL)
        return NULL;
    if (event == HS_EVENT_COMPLETED && m->move_outcomes[HS_MOVE_ON_COMPLETED] != NULL)
        return m->move_outcomes[HS_MOVE_ON_COMPLETED];
    if (event == HS_EVENT_EXPIRED && m->move_outcomes[HS_MOVE_ON_EXPIRED] != NULL)
        return m->move_outcomes[HS_MOVE_ON_EXPIRED];
    return m->outcomes[event];
}

hs_status hs_cycle_guard_outcome(const cycle *c, const hs_mapping *m, json_object *inv,
                                 int event, hs_note *note, hs_cycle_guard *g)
{
    int which = event == HS_EVENT_COMPLETED ? HS_MOVE_ON_COMPLETED :
                event == HS_EVENT_EXPIRED ? HS_MOVE_ON_EXPIRED : -1;
    const hs_pipeline_job *pj;
    memset(g, 0, sizeof *g);
    note->outcome = hs_cycle_event_outcome(m, event);
    if (which < 0 || m->move_outcomes[which] == NULL)
        return HS_OK;
    pj = job_of(m, get_str(inv, "job"));
    if (pj == NULL || !pj->valid || pj->n_triggers == 0) {
        /* without the trigger stages the outcome could move anyone: leave it out */
        hs_cycle_logf((cycle *)c, HS_LOG_WARN, "application %s: outcome \"%s\" left out: its "
                      "job is no longer mapped or resolved", s_or(note->record_id, "?"),
                      note->outcome);
        note->outcome = NULL;
        return HS_OK;
    }
    g->from = calloc(pj->n_triggers, sizeof *g->from);
    g->statuses = calloc(pj->n_triggers, sizeof *g->statuses);
    if (g->from == NULL || g->statuses == NULL) {
        hs_cycle_guard_free(g);
        return HS_E_INTERNAL;
    }
    from_stages(pj, g->from, g->statuses);
    note->outcome_from = g->from;
    note->n_outcome_from = pj->n_triggers;
    note->outcome_from_size = sizeof(hs_stage);
    return HS_OK;
}

void hs_cycle_guard_free(hs_cycle_guard *g)
{
    free(g->from);
    free(g->statuses);
    memset(g, 0, sizeof *g);
}

void hs_cycle_outcome_withheld(cycle *c, const hs_note *note, const hs_host_result *res,
                               json_object *rec)
{
    if (note->outcome_from == NULL || note->outcome == NULL || !res->r.outcome_withheld)
        return;
    put_str(rec, "outcome_withheld", note->outcome);
    put_str(rec, "where", "it was no longer in a trigger stage when the outcome was due");
    c->r->counts.not_moved++; /* recorded once: the note's record is written once */
    hs_cycle_logf(c, HS_LOG_WARN, "application %s: outcome \"%s\" left out (not moved on): "
                  "a recruiter had moved it out of the trigger stage", s_or(note->record_id, "?"),
                  note->outcome);
}

/* Calls move_record once the intent is durable; fills rec with what happened. */
static hs_status do_move(cycle *c, const hs_pipeline_job *pj, int which, const char *key,
                         const char *app, json_object *rec, hs_host_result *res)
{
    const hs_trigger *to = &pj->moves[which];
    hs_ref to_stage = {sizeof(hs_ref), to->stage_id, to->stage_name};
    hs_ref to_status = {sizeof(hs_ref), to->status_id, NULL};
    hs_stage *from = calloc(pj->n_triggers, sizeof *from);
    hs_ref *statuses = calloc(pj->n_triggers, sizeof *statuses);
    hs_move mv;
    hs_status st = HS_E_INTERNAL;
    if (from == NULL || statuses == NULL)
        goto out;
    from_stages(pj, from, statuses);
    memset(&mv, 0, sizeof mv);
    mv.struct_size = sizeof mv;
    mv.key = key;
    mv.record_id = app;
    mv.job_id = pj->job;
    mv.to_stage = &to_stage;
    mv.to_status = to->status_id ? &to_status : NULL;
    mv.from = from;
    mv.n_from = pj->n_triggers;
    mv.from_size = sizeof(hs_stage);
    hs_host_result_init(res);
    hs_host_error_init(&c->err);
    hs_crash_point("cycle: before move_record");
    st = c->p->ats.table->move_record(c->p->ats.conn, &mv, &res->r, &c->err.e);
    hs_crash_point("cycle: after move_record");
    c->err_side = c->p->ats.name;
    put_str(rec, "application", app);
    put_str(rec, "to", to->text);
    if (st == HS_OK) {
        put_str(rec, "result", res->r.applied ? "moved" : "already there");
        c->r->counts.moved += res->r.applied;
    } else if (st == HS_E_CONFLICT) {
        put_str(rec, "result", "not moved");
        put_str(rec, "conflict", c->err.message);
        c->r->counts.not_moved++;
    } else if (st == HS_E_DATA) {
        put_str(rec, "result", "failed");
        put_str(rec, "error", c->err.message);
        c->r->counts.errors++;
    }
    hs_cycle_event(c, st == HS_OK ? HS_LOG_INFO : HS_LOG_WARN, st == HS_OK ? "moved" : "not_moved",
                   NULL, 0, "application %s: %s %s: %s", app,
                  st == HS_OK ? "moved to" : "not moved to", to->text,
                  st == HS_OK ? (res->r.applied ? "done" : "already there") : c->err.message);
out:
    free(from);
    free(statuses);
    return st;
}

/* The outcome form: the note under note_key was written; when its outcome was withheld, the
 * application gets the one "not moved" note (again after a kill: it is idempotent). */
static hs_status outcome_after(cycle *c, json_object *inv, const char *participant, int which,
                               const char *note_key)
{
    json_object *rec;
    const char *withheld;
    if (note_key == NULL ||
        !json_object_object_get_ex(section(c->body, "notes"), note_key, &rec) ||
        (withheld = get_str(rec, "outcome_withheld")) == NULL)
        return HS_OK;
    return conflict_note(c, inv, participant, which, withheld, 1, s_or(get_str(rec, "where"),
                         "it was no longer in a trigger stage"));
}

hs_status hs_cycle_move_after(cycle *c, const hs_mapping *m, const char *invkey,
                              const char *participant, int which, const char *note_key)
{
    json_object *moves = section(c->body, "moves"), *inv, *done, *rec;
    const hs_pipeline_job *pj;
    const char *app;
    char key[600];
    hs_host_result res;
    hs_status st;
    if (m != NULL && m->move_outcomes[which] != NULL && !c->p->dry_run &&
        json_object_object_get_ex(section(c->body, "invitations"), invkey, &inv))
        return outcome_after(c, inv, participant, which, note_key);
    if (m == NULL || m->moves[which] == NULL)
        return HS_OK;
    if (moves == NULL ||
        !json_object_object_get_ex(section(c->body, "invitations"), invkey, &inv))
        return HS_E_INTERNAL;
    app = get_str(inv, "application");
    pj = job_of(m, get_str(inv, "job"));
    snprintf(key, sizeof key, "move:%s:%s", participant, MOVE_EVENT[which]);
    if (json_object_object_get_ex(moves, key, &done)) {
        /* moved (or not) already; a kill may have come before the note that says so */
        if (get_str(done, "conflict") == NULL)
            return HS_OK;
        return conflict_note(c, inv, participant, which, get_str(done, "to"), 0,
                             get_str(done, "conflict"));
    }
    if (app == NULL || !hs_cycle_moves_after(c, m, get_str(inv, "job"), which)) {
        hs_cycle_logf(c, HS_LOG_WARN, "application %s: not moved to %s: %s", s_or(app, "?"),
                      m->moves[which], can_move(c) ? "its job is no longer mapped or "
                      "resolved" : "the ATS connection cannot move records (move_record)");
        return HS_OK;
    }
    if (c->p->dry_run) {
        c->r->counts.moved++;
        fprintf(c->p->dry_out, "would move application %s to %s (only from its trigger "
                "stages)\n", app, m->moves[which]);
        return HS_OK;
    }
    if ((st = hs_cycle_outbox_intent(c, key, "move", app)) != HS_OK)
        return st;
    if ((rec = hs_cycle_new_record(c)) == NULL)
        return HS_E_INTERNAL;
    st = do_move(c, pj, which, key, app, rec, &res);
    if (st != HS_OK && st != HS_E_CONFLICT && st != HS_E_DATA) {
        json_object_put(rec);
        return st; /* the intent stays; the change is read again */
    }
    {
        hs_status moved = st;
        st = hs_cycle_record_done(c, "moves", key, rec, key, moved == HS_OK ? res.remote_id : NULL,
                                  NULL, "move done");
        if (st == HS_OK && moved == HS_E_CONFLICT)
            st = conflict_note(c, inv, participant, which, m->moves[which], 0,
                               get_str(rec, "conflict"));
    }
    json_object_put(rec);
    return st;
}
