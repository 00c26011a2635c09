/* The note side of a cycle: the interview stream, whose completions become result notes
 * on the linked ATS applications (see cycle.h). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"
#include "note_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds of the completion note's remote text. */
#define ANSWER_LINE_BYTES 700
#define ANSWERS_BYTES 6000
#define FIELD_BYTES 200
#define LINK_BYTES 1000

static int is_life_event(const hs_stage_change *ch)
{
    return ch->kind == HS_CHANGE_COMPLETED || ch->kind == HS_CHANGE_INVITED ||
           ch->kind == HS_CHANGE_STARTED || ch->kind == HS_CHANGE_EXPIRED ||
           ch->kind == HS_CHANGE_DECLINED;
}

/* The answers one per line: "- <question>: <link>[ (score <s>)]". */
static void answers_text(const hs_stage_change *ch, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ch->n_answers && used + 1 < size; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, ch->answers, ch->answer_size, i);
        char q[FIELD_BYTES + 1], link[LINK_BYTES + 1], score[FIELD_BYTES + 1], line[ANSWER_LINE_BYTES];
        hs_text_safe(q, sizeof q, a->question, FIELD_BYTES, 0);
        hs_text_safe(link, sizeof link, s_or(a->link, "no link"), LINK_BYTES, 0);
        hs_text_safe(score, sizeof score, a->score, FIELD_BYTES, 0);
        hs_cycle_bounded(line, sizeof line, "- %s: %s%s%s%s\n", q, link,
                         score[0] ? " (score " : "", score, score[0] ? ")" : "");
        hs_cycle_bounded(out + used, size - used, "%s", line);
        used += strnlen(out + used, size - used);
    }
    if (used > 0 && out[used - 1] == '\n')
        out[used - 1] = '\0';
}

/* The completion note's body: the mapping's template, or the built-in text. */
static void result_body(const hs_mapping *m, const hs_stage_change *ch, char *body, size_t size)
{
    char first[FIELD_BYTES + 1], last[FIELD_BYTES + 1], iv[FIELD_BYTES + 1];
    char when[FIELD_BYTES + 1], link[LINK_BYTES + 1], score[FIELD_BYTES + 1], who[2 * FIELD_BYTES + 4];
    char *answers = malloc(ANSWERS_BYTES);
    hs_text_safe(first, sizeof first, ch->person->first_name, FIELD_BYTES, 0);
    hs_text_safe(last, sizeof last, ch->person->last_name, FIELD_BYTES, 0);
    hs_text_safe(iv, sizeof iv, m ? m->interview_title : NULL, FIELD_BYTES, 0);
    hs_text_safe(when, sizeof when, s_or(ch->changed_at, "recently"), FIELD_BYTES, 0);
    hs_text_safe(link, sizeof link, ch->link, LINK_BYTES, 0);
    hs_text_safe(score, sizeof score, ch->score, FIELD_BYTES, 0);
    if (answers != NULL)
        answers_text(ch, answers, ANSWERS_BYTES);
    if (m != NULL && m->note_template != NULL) {
        hs_template_values v = {first, last, iv[0] ? iv : m->interview, when, link,
                                answers ? answers : "", score, ch->record_id};
        hs_template_render(m->note_template, &v, body, size);
        free(answers);
        return;
    }
    hs_cycle_person_name(ch->person, "The candidate", who, sizeof who);
    hs_cycle_bounded(body, size, "%s completed the video interview%s%s%s on %s.\n"
                     "%s (participant %s)%s%s%s%s",
                     who, iv[0] ? " \"" : "", iv, iv[0] ? "\"" : "", when,
                     ch->link ? "Their answers are at the link below." : "The interview platform "
                     "gave no link to the answers.", ch->record_id,
                     answers && answers[0] ? "\n\nAnswers:\n" : "", answers ? answers : "",
                     score[0] ? "\nScore: " : "", score);
    free(answers);
}

static hs_status result_note(cycle *c, const hs_stage_change *ch, json_object *inv,
                             const char *nkey)
{
    const hs_mapping *m = hs_cycle_mapping_of(c->p->pipeline, get_str(inv, "interview"));
    char title[160], *body = malloc(HS_CYCLE_NOTE_BYTES);
    hs_note note;
    hs_cycle_guard g = {NULL, NULL};
    hs_host_result res;
    hs_status st;
    json_object *e;
    if (body == NULL)
        return HS_E_INTERNAL;
    result_body(m, ch, body, HS_CYCLE_NOTE_BYTES);
    snprintf(title, sizeof title, "Video interview completed");
    memset(&note, 0, sizeof note);
    note.struct_size = sizeof note;
    note.key = nkey;
    note.record_id = get_str(inv, "application");
    note.job_id = get_str(inv, "job");
    note.person_id = get_str(inv, "person");
    note.title = title;
    note.body = body;
    note.link = ch->link;
    /* The result is on the record: processed, whether a move follows or not. */
    note.final = 1;
    if (m != NULL && (st = hs_cycle_guard_outcome(c, m, inv, HS_EVENT_COMPLETED, &note, &g)) !=
                         HS_OK)
        goto out;
    if (c->p->dry_run) {
        c->r->counts.notes++;
        c->r->counts.outcomes += note.outcome != NULL;
        fprintf(c->p->dry_out, "would note on application %s: interview completed, %s%s%s%s\n",
                s_or(note.record_id, "?"), s_or(ch->link, "(no link)"),
                note.outcome ? ", outcome " : "", note.outcome ? note.outcome : "",
                note.outcome_from ? " (only while in its trigger stages)" : "");
        st = HS_OK;
        goto out;
    }
    if ((st = hs_cycle_outbox_intent(c, nkey, "note", note.record_id)) != HS_OK)
        goto out;
    st = hs_cycle_write_note(c, &note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        goto out;
    e = hs_cycle_new_record(c);
    if (e == NULL) {
        st = HS_E_INTERNAL;
        goto out;
    }
    put_str(e, "application", note.record_id);
    if (st == HS_OK) {
        put_str(e, "note", res.remote_id);
        if (res.r.applied) {
            c->r->counts.notes++;
            c->r->counts.outcomes += note.outcome != NULL && !res.r.outcome_withheld;
        } else {
            c->r->counts.skipped++;
        }
        hs_cycle_event(c, HS_LOG_INFO, "note_written", NULL, 0,
                       "application %s: note %s with the response of participant %s",
              s_or(note.record_id, "?"), res.r.applied ? "written" : "already there",
              ch->record_id);
        hs_cycle_outcome_withheld(c, &note, &res, e);
    } else {
        c->r->counts.errors++;
        put_str(e, "note_error", c->err.message);
        hs_cycle_logf(c, HS_LOG_WARN, "application %s rejected the result note: %s",
              s_or(note.record_id, "?"), c->err.message);
    }
    st = hs_cycle_record_done(c, "notes", nkey, e, nkey, st == HS_OK ? res.remote_id : NULL, NULL,
                     "note done");
    json_object_put(e);
out:
    hs_cycle_guard_free(&g);
    free(body);
    return st;
}

static hs_status interview_change_(cycle *c, const hs_stage_change *ch)
{
    json_object *parts = section(c->body, "participants");
    json_object *invs = section(c->body, "invitations");
    json_object *notes = section(c->body, "notes");
    json_object *v, *inv;
    const char *invkey;
    const hs_mapping *m;
    char nkey[600];
    hs_status st;
    c->r->counts.changes++;
    hs_crash_point("cycle: interview record read");
    if (c->p->cancelled && c->p->cancelled(c->p->cancel_ctx))
        return HS_E_CANCELLED;
    if (ch == NULL || ch->record_id == NULL || !is_life_event(ch))
        return HS_OK;
    if (parts == NULL || invs == NULL || notes == NULL)
        return HS_E_INTERNAL;
    if (!json_object_object_get_ex(parts, ch->record_id, &v) ||
        !json_object_object_get_ex(invs, (invkey = json_object_get_string(v)), &inv)) {
        c->r->counts.skipped++;
        hs_cycle_logf(c, ch->kind == HS_CHANGE_COMPLETED ? HS_LOG_INFO : HS_LOG_DEBUG,
                      "participant %s %s interview %s but was not invited by hiresync; no note",
                      ch->record_id, ch->kind == HS_CHANGE_COMPLETED ? "completed" : "is in",
                      s_or(ch->job_id, "?"));
        return HS_OK;
    }
    m = hs_cycle_mapping_of(c->p->pipeline, get_str(inv, "interview"));
    if (ch->kind != HS_CHANGE_COMPLETED)
        return hs_cycle_life_event(c, m, invkey, ch);
    snprintf(nkey, sizeof nkey, "result:%s:%s", ch->record_id,
             s_or(ch->changed_at, "completed"));
    if (json_object_object_get_ex(notes, nkey, NULL))
        c->r->counts.skipped++;
    else if ((st = result_note(c, ch, inv, nkey)) != HS_OK)
        return st;
    return hs_cycle_move_after(c, m, invkey, ch->record_id, HS_MOVE_ON_COMPLETED, nkey);
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
