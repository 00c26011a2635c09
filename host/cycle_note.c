/* The note side of a cycle: the interview stream, whose completions become result notes
 * on the linked ATS applications (see cycle.h). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_completion(const hs_stage_change *ch)
{
    return ch->kind == HS_CHANGE_COMPLETED;
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
    hs_host_result res;
    hs_status st;
    json_object *e;
    snprintf(when, sizeof when, "%s", s_or(ch->changed_at, "recently"));
    snprintf(title, sizeof title, "Video interview completed");
    snprintf(body, sizeof body, "%s %s completed the video interview%s%s%s on %s.\n"
             "%s (participant %s)",
             s_or(ch->person->first_name, "The candidate"), s_or(ch->person->last_name, ""),
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
    if ((st = hs_cycle_outbox_intent(c, nkey, "note", note.record_id)) != HS_OK)
        return st;
    st = hs_cycle_write_note(c, &note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    e = hs_cycle_new_record(c);
    if (e == NULL)
        return HS_E_INTERNAL;
    put_str(e, "application", note.record_id);
    if (st == HS_OK) {
        put_str(e, "note", res.remote_id);
        if (res.r.applied)
            c->r->counts.notes++;
        else
            c->r->counts.skipped++;
        hs_cycle_logf(c, HS_LOG_INFO, "application %s: note %s with the response of participant %s",
              s_or(note.record_id, "?"), res.r.applied ? "written" : "already there",
              ch->record_id);
    } else {
        c->r->counts.errors++;
        put_str(e, "note_error", c->err.message);
        hs_cycle_logf(c, HS_LOG_WARN, "application %s rejected the result note: %s",
              s_or(note.record_id, "?"), c->err.message);
    }
    st = hs_cycle_record_done(c, "notes", nkey, e, nkey, st == HS_OK ? res.remote_id : NULL, NULL,
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
        hs_cycle_logf(c, HS_LOG_INFO,
                      "participant %s completed interview %s but was not invited by "
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

hs_status hs_cycle_interview_stream(cycle *c)
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
    return hs_cycle_read_side(c, &c->p->interviews, cursor, ids, n, 0, interview_change);
}
