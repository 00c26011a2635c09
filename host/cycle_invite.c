/* The invitation side of a cycle: the ATS stream, baselines, invitations, and the notes
 * that say why a candidate could not be invited (see cycle.h). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"
#include "note_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

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

/* A note on the application saying why the candidate was not invited (body: the reason and
 * what to do), once per fkey. counter is what it counts. */
static hs_status note_problem(cycle *c, const hs_mapping *m, const hs_stage_change *ch,
                              const char *fkey, const char *nkey, const char *why,
                              long *counter)
{
    json_object *failures = section(c->body, "failures");
    char body[1600], title[160], who[256], iv[256];
    hs_note note;
    hs_host_result res;
    hs_status st;
    json_object *e;
    if (failures == NULL)
        return HS_E_INTERNAL;
    if (json_object_object_get_ex(failures, fkey, &e)) {
        c->r->counts.skipped++;
        return HS_OK;
    }
    (*counter)++;
    hs_cycle_person_name(ch->person, "the candidate", who, sizeof who);
    if (c->p->dry_run) {
        fprintf(c->p->dry_out, "would note on application %s: %s not invited (%s)\n",
                ch->record_id, who, fkey);
        return HS_OK;
    }
    hs_text_safe(iv, sizeof iv, m->interview_title, 200, 0);
    snprintf(title, sizeof title, "Video interview invitation not sent");
    hs_cycle_bounded(body, sizeof body, "hiresync could not invite %s to the video interview%s%s%s: "
                     "%s.", who, iv[0] ? " \"" : "", iv, iv[0] ? "\"" : "", why);
    memset(&note, 0, sizeof note);
    note.struct_size = sizeof note;
    note.key = nkey;
    note.record_id = ch->record_id;
    note.job_id = ch->job_id;
    note.person_id = ch->person->id;
    note.title = title;
    note.body = body;
    if ((st = hs_cycle_outbox_intent(c, nkey, "failure-note", ch->record_id)) != HS_OK)
        return st;
    st = hs_cycle_write_note(c, &note, &res);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    /* The key names the reason and the application: the record keeps when and what. */
    e = hs_cycle_new_record(c);
    if (e == NULL)
        return HS_E_INTERNAL;
    if (st == HS_OK)
        put_str(e, "note", res.remote_id);
    else
        put_str(e, "note_error", c->err.message);
    st = hs_cycle_record_done(c, "failures", fkey, e, nkey, st == HS_OK ? res.remote_id : NULL,
                              NULL, "failure note done");
    json_object_put(e);
    return st;
}

/* A candidate could not be invited for a reason a recruiter can fix: say so on the
 * application, once per application and reason (and re-entry, when tag is given). */
static hs_status note_failure(cycle *c, const hs_mapping *m, const hs_stage_change *ch,
                              const char *reason, const char *detail, const char *tag)
{
    char fkey[512], nkey[600], why[1100];
    snprintf(fkey, sizeof fkey, "%s:%s%s%s", reason, ch->record_id, tag ? ":" : "",
             tag ? tag : "");
    snprintf(nkey, sizeof nkey, "fail:%s:%s:%s%s%s", reason, m->interview, ch->record_id,
             tag ? ":" : "", tag ? tag : "");
    if (!json_object_object_get_ex(section(c->body, "failures"), fkey, NULL))
        hs_cycle_logf(c, HS_LOG_WARN,
                      "application %s (job %s) cannot be invited to interview %s: %s%s%s",
                      ch->record_id, s_or(ch->job_id, "?"), m->interview, reason,
                      detail ? ": " : "", detail ? detail : "");
    if (strcmp(reason, "reinvite-rejected") == 0) {
        char safe[600];
        hs_text_safe(safe, sizeof safe, detail, 500, 0);
        hs_cycle_bounded(why, sizeof why, "the interview platform would not issue a new "
                         "invitation (%s). Check the candidate on the interview platform",
                         safe);
    } else {
        hs_cycle_bounded(why, sizeof why, "%s", reason_text(reason));
    }
    return note_problem(c, m, ch, fkey, nkey, why, &c->r->counts.not_invited);
}

static hs_status record_invitation(cycle *c, const char *key, const hs_mapping *m,
                                   const hs_stage_change *ch, const hs_host_result *res,
                                   const char *previous, int generation)
{
    /* What a later cycle needs to note the result on the right application. */
    json_object *e = hs_cycle_new_record(c);
    json_object *link = json_object_new_string(key);
    hs_state_put part = {NULL, NULL, NULL};
    hs_status st = HS_E_INTERNAL;
    if (e == NULL || link == NULL)
        goto out;
    put_str(e, "interview", m->interview);
    put_str(e, "application", ch->record_id);
    put_str(e, "job", ch->job_id);
    put_str(e, "person", ch->person->id);
    put_str(e, "participant", res->remote_id);
    put_str(e, "entered", ch->changed_at); /* the ATS's clock: tells re-entries from re-reads */
    put_str(e, "previous", previous);
    if (generation > 1)
        json_object_object_add(e, "generation", json_object_new_int(generation));
    if (res->remote_id[0] != '\0')
        part = (hs_state_put){"participants", res->remote_id, link};
    st = hs_cycle_record_done(c, "invitations", key, e, key, res->remote_id, &part,
                              "invitation done");
out:
    json_object_put(e);
    json_object_put(link);
    return st;
}

/* Invites the person under key (a re-invitation names the earlier participant). */
static hs_status send_invitation(cycle *c, const hs_mapping *m, const hs_stage_change *ch,
                                 const char *key, const char *previous, int generation)
{
    hs_invitation inv;
    hs_host_result res;
    hs_status st;
    if (m->interview_missing)
        return note_failure(c, m, ch, "interview-gone", NULL, NULL);
    if (ch->person->email == NULL || ch->person->email[0] == '\0')
        return note_failure(c, m, ch, "no-email", NULL, NULL);
    if (c->p->dry_run) {
        if (previous)
            c->r->counts.reinvited++;
        else
            c->r->counts.invited++;
        fprintf(c->p->dry_out, "would invite%s %s %s <%s> (application %s, job %s) to interview "
                "%s\n", previous ? " again" : "", s_or(ch->person->first_name, ""),
                s_or(ch->person->last_name, ""), ch->person->email, ch->record_id,
                s_or(ch->job_id, "?"), m->interview);
        return HS_OK;
    }
    if ((st = hs_cycle_outbox_intent(c, key, "invitation", ch->record_id)) != HS_OK)
        return st;
    memset(&inv, 0, sizeof inv);
    inv.struct_size = sizeof inv;
    inv.key = key;
    inv.interview_id = m->interview;
    inv.person = ch->person;
    inv.source_record_id = ch->record_id;
    inv.previous_id = previous;
    hs_host_result_init(&res);
    hs_host_error_init(&c->err);
    hs_crash_point("cycle: before write_invitation");
    st = c->p->interviews.table->write_invitation(c->p->interviews.conn, &inv, &res.r,
                                                  &c->err.e);
    hs_crash_point("cycle: after write_invitation");
    c->err_side = c->p->interviews.name;
    if (st == HS_OK && previous && strcmp(res.remote_id, previous) == 0) {
        /* rule 10: never the earlier invitation as the new one */
        st = HS_E_DATA;
        hs_host_error_set(&c->err.e, "the connector returned the earlier invitation %s as "
                          "the new one", previous);
    }
    if (st == HS_E_DATA) {
        const char *reason = previous ? "reinvite-rejected" :
                             c->err.e.http_status == 404 ? "interview-gone" : "email-rejected";
        char detail[HS_HOST_MESSAGE_SIZE];
        snprintf(detail, sizeof detail, "%s", c->err.message);
        if ((st = hs_cycle_outbox_drop(c, key)) != HS_OK)
            return st;
        return note_failure(c, m, ch, reason, detail, previous ? ch->changed_at : NULL);
    }
    if (st != HS_OK)
        return st;
    if (res.r.applied && previous)
        c->r->counts.reinvited++;
    else if (res.r.applied)
        c->r->counts.invited++;
    else
        c->r->counts.adopted++;
    hs_cycle_event(c, HS_LOG_INFO, res.r.applied ? "invited" : "adopted", NULL, 0,
                   "application %s (job %s) %s interview %s as participant %s",
          ch->record_id, s_or(ch->job_id, "?"), res.r.applied ? (previous ? "invited again to" :
          "invited to") : "already in", m->interview, res.remote_id);
    return record_invitation(c, key, m, ch, &res, previous, generation);
}

/* Why the policy refuses a re-entry (NULL: it allows it), in the note's words. */
static const char *refusal(cycle *c, const hs_mapping *m, json_object *last,
                           const hs_stage_change *ch, char *buf, size_t size)
{
    const char *participant = s_or(get_str(last, "participant"), "?");
    int64_t since, at;
    if (m->reinvite == HS_REINVITE_NEVER) {
        hs_cycle_bounded(buf, size, "they were invited before (participant %s) and this "
                         "mapping's \"reinvite\" is \"never\". To invite candidates again when "
                         "they return to the stage, set \"reinvite\" to \"after_expiry\" or "
                         "{\"after_days\": N} in the hiresync configuration", participant);
        return buf;
    }
    if (m->reinvite == HS_REINVITE_AFTER_EXPIRY) {
        if (get_str(last, "expired") != NULL)
            return NULL;
        hs_cycle_bounded(buf, size, "their earlier invitation (participant %s) has not expired "
                         "and this mapping's \"reinvite\" is \"after_expiry\". Move them back "
                         "after it expires, or set \"reinvite\" to {\"after_days\": N} in the "
                         "hiresync configuration", participant);
        return buf;
    }
    /* by the interview side's clock where known, else when hiresync recorded it */
    since = hs_cycle_parse_time(get_str(last, "invited_at"));
    if (since < 0)
        since = hs_cycle_parse_time(get_str(last, "at"));
    at = hs_cycle_parse_time(ch->changed_at);
    if (at < 0)
        at = now_ms(c->p);
    if (since >= 0 && at - since >= m->reinvite_days * 86400 * 1000)
        return NULL;
    hs_cycle_bounded(buf, size, "they were invited %lld day(s) before (participant %s) and "
                     "this mapping's \"reinvite\" is {\"after_days\": %lld}. Move them back "
                     "later, or lower \"after_days\" in the hiresync configuration",
                     since >= 0 ? (long long)((at - since) / 86400000) : 0LL, participant,
                     (long long)m->reinvite_days);
    return buf;
}

/* The application entered a trigger stage again after an invitation (base key): a re-read
 * of the entry that was handled is skipped; a new entry is invited again or refused with a
 * note, as the mapping's policy says. */
static hs_status reentry(cycle *c, const hs_mapping *m, const hs_stage_change *ch,
                         const char *base)
{
    json_object *invs = section(c->body, "invitations"), *last = NULL, *next;
    char key[560], fkey[600], nkey[700], why[900];
    int64_t at = hs_cycle_parse_time(ch->changed_at), entered;
    int gen = 1;
    json_object_object_get_ex(invs, base, &last);
    for (;;) {
        snprintf(key, sizeof key, "%s#%d", base, gen + 1);
        if (!json_object_object_get_ex(invs, key, &next))
            break;
        last = next;
        gen++;
    }
    entered = hs_cycle_parse_time(get_str(last, "entered"));
    if (ch->snapshot || at < 0 || entered < 0 || at <= entered) {
        /* the entry already handled, read again (or one whose time cannot tell) */
        c->r->counts.skipped++;
        hs_cycle_logf(c, HS_LOG_DEBUG, "application %s is already invited to interview %s; not "
                      "invited again", ch->record_id, m->interview);
        return HS_OK;
    }
    snprintf(nkey, sizeof nkey, "reinvite-rejected:%s:%s", ch->record_id, ch->changed_at);
    snprintf(fkey, sizeof fkey, "reinvite:%s:%s", ch->record_id, ch->changed_at);
    if (json_object_object_get_ex(section(c->body, "failures"), fkey, NULL) ||
        json_object_object_get_ex(section(c->body, "failures"), nkey, NULL)) {
        c->r->counts.skipped++; /* refused once: the policy is not asked again */
        return HS_OK;
    }
    if (refusal(c, m, last, ch, why, sizeof why) != NULL) {
        hs_cycle_logf(c, HS_LOG_INFO, "application %s entered a trigger stage again; not "
                      "invited again (reinvite policy)", ch->record_id);
        snprintf(nkey, sizeof nkey, "fail:reinvite:%s:%s:%s", m->interview, ch->record_id,
                 ch->changed_at);
        return note_problem(c, m, ch, fkey, nkey, why, &c->r->counts.reinvite_refused);
    }
    snprintf(key, sizeof key, "%s#%d", base, gen + 1);
    return send_invitation(c, m, ch, key, get_str(last, "participant"), gen + 1);
}

static hs_status invite(cycle *c, const hs_mapping *m, const hs_stage_change *ch)
{
    json_object *invs = section(c->body, "invitations");
    char key[512];
    if (invs == NULL)
        return HS_E_INTERNAL;
    snprintf(key, sizeof key, "%s:%s", m->interview, ch->record_id);
    if (json_object_object_get_ex(invs, key, NULL))
        return reentry(c, m, ch, key);
    return send_invitation(c, m, ch, key, NULL, 1);
}

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
    int64_t at = hs_cycle_parse_time(ch->changed_at);
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
    int64_t at = hs_cycle_parse_time(ch->changed_at);
    pair_key(pk, sizeof pk, m, pj);
    if (bl == NULL || !json_object_object_get_ex(bl, pk, &v))
        return 1; /* not baselined yet: its snapshot decides */
    if (at >= 0 && at < json_object_get_int64(v) - BASELINE_SKEW_MS)
        return 1;
    all = section(c->body, "baseline_members");
    if (all != NULL && json_object_object_get_ex(all, pk, &set) &&
        json_object_object_get_ex(set, ch->record_id, &v)) {
        int64_t seen = hs_cycle_parse_time(json_object_get_string(v));
        return at < 0 || seen < 0 || at <= seen;
    }
    return 0;
}

static int same_ref(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* 1 when the change's stage (or status) is not among those the cached listing gave its job:
 * the listing may be older than the stage, so it is listed again before the change is
 * judged (a trigger resolved against an old listing could miss the candidate). */
static int names_unknown(const cycle *c, const hs_stage_change *ch)
{
    const hs_job *job;
    if (!c->jobs_cached || ch->stage == NULL)
        return 0;
    if ((job = hs_job_list_find(&c->ats_jobs, ch->job_id)) == NULL)
        return 1;
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *s = &job->stages[i];
        int st_hit = ch->stage->id != NULL ? same_ref(s->id, ch->stage->id)
                                           : same_ref(s->name, ch->stage->name);
        if (!st_hit)
            continue;
        if (ch->status == NULL || ch->status->id == NULL || s->n_statuses == 0)
            return 0;
        for (size_t k = 0; k < s->n_statuses; k++) {
            if (same_ref(s->statuses[k].id, ch->status->id))
                return 0;
        }
        return 1;
    }
    return job->n_stages > 0;
}

static hs_status ats_change_(cycle *c, const hs_stage_change *ch)
{
    hs_pipeline *p = c->p->pipeline;
    c->r->counts.changes++;
    hs_crash_point("cycle: ATS record read");
    if (c->p->cancelled && c->p->cancelled(c->p->cancel_ctx))
        return HS_E_CANCELLED;
    if (ch == NULL || ch->kind != HS_CHANGE_STAGE || ch->record_id == NULL ||
        ch->job_id == NULL)
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
            if (names_unknown(c, ch)) {
                hs_cycle_logf(c, HS_LOG_DEBUG, "application %s: stage %s of job %s is not in "
                              "the discovery cache", ch->record_id,
                              s_or(ch->stage->id, s_or(ch->stage->name, "?")), ch->job_id);
                c->rediscover = 1;
                return HS_E_CANCELLED;
            }
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
                hs_cycle_logf(c, HS_LOG_DEBUG,
                              "application %s was in trigger stage \"%s\" before the "
                      "baseline; not invited (invite_existing is false)", ch->record_id,
                      s_or(ch->stage->name, "?"));
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

void hs_cycle_set_baselines(cycle *c, int only_new)
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

/* 0, or -1 when stages is full. */
static int add_stage(const char **stages, size_t *n, size_t max, const char *s)
{
    for (size_t i = 0; s != NULL && i < *n; i++)
        if (strcmp(stages[i], s) == 0)
            return 0;
    if (s == NULL)
        return 0;
    if (*n == max)
        return -1;
    stages[(*n)++] = s;
    return 0;
}

/* The trigger stages of the valid mapped jobs into stages (borrowed from the pipeline): their
 * ids, and their names too when with_names; only the mappings with invite_existing when
 * inviting_only. The number of them, or -1 when they do not fit in max. */
static long trigger_stages(const cycle *c, int inviting_only, int with_names, const char **stages,
                           size_t max)
{
    const hs_pipeline *p = c->p->pipeline;
    size_t n = 0;
    for (size_t i = 0; i < p->n_mappings; i++) {
        if (inviting_only && !p->mappings[i].invite_existing)
            continue;
        for (size_t j = 0; j < p->mappings[i].n_jobs; j++) {
            const hs_pipeline_job *pj = &p->mappings[i].jobs[j];
            for (size_t k = 0; pj->valid && k < pj->n_triggers; k++)
                if (add_stage(stages, &n, max, pj->triggers[k].stage_id) != 0 ||
                    (with_names && add_stage(stages, &n, max, pj->triggers[k].stage_name) != 0))
                    return -1;
        }
    }
    return (long)n;
}

/* What a read may leave out, from the triggers (see hs_read_request):
 * - a snapshot needs the person only of the records in a trigger stage of a mapping that
 *   invites the candidates it finds there, so a baseline without invite_existing looks up
 *   nobody (more stages than fit: every record's person, c->people_all);
 * - a snapshot needs no record outside a trigger stage (a trigger without an id matches
 *   nothing; more than fit: no filter);
 * - a change read needs the person only of a change into a trigger stage, since the host
 *   reads change->person nowhere else (an invitation, a re-invitation or the note saying why
 *   there is none all follow a trigger match, which hs_trigger_matches makes on these ids and
 *   names; more than fit: every change's person). */
static void read_filters(cycle *c, const char **people, const char **ids, const char **changes,
                         size_t max)
{
    long n = trigger_stages(c, 1, 1, people, max);
    c->people_stages = people;
    c->people_all = n < 0;
    c->n_people_stages = n < 0 ? 0 : (size_t)n;
    n = trigger_stages(c, 0, 0, ids, max);
    c->stage_ids = ids;
    c->n_stage_ids = n < 0 ? 0 : (size_t)n;
    n = trigger_stages(c, 0, 1, changes, max);
    c->change_people = n < 0 ? NULL : changes;
    c->n_change_people = n < 0 ? 0 : (size_t)n;
}

hs_status hs_cycle_ats_stream(cycle *c)
{
    const char *ids[512], *stages[512], *stage_ids[512], *change_stages[512];
    json_object *ats = section(c->body, "ats");
    const char *cursor = get_str(ats, "cursor");
    json_object *new_pairs = json_object_new_object();
    size_t n;
    hs_status st = HS_OK;
    if (new_pairs == NULL)
        return HS_E_INTERNAL;
    c->stream = "ats";
    c->new_pairs = new_pairs;
    read_filters(c, stages, stage_ids, change_stages, 512);
    /* On the ATS's clock: changes are compared with it by the times the ATS stamped. */
    c->baseline_ms = now_ms(c->p) - (c->p->ats_skew_ms ? c->p->ats_skew_ms(c->p->skew_ctx) : 0);
    if (cursor == NULL) {
        n = mapped_jobs(c, ids, 512, NULL);
        if (n == 0)
            goto out;
        hs_cycle_logf(c, HS_LOG_INFO,
                      "first cycle: reading the current position of %zu job(s) to set "
              "the baseline", n);
        c->mode = MODE_BASELINE;
        st = hs_cycle_read_side(c, &c->p->ats, NULL, ids, n, 1, ats_change);
        goto out;
    }
    n = mapped_jobs(c, ids, 512, new_pairs);
    if (n > 0) {
        hs_cycle_logf(c, HS_LOG_INFO, "%zu newly mapped job(s): setting their baseline", n);
        c->mode = MODE_NEW_MAPPINGS;
        st = hs_cycle_read_side(c, &c->p->ats, cursor, ids, n, 1, ats_change);
        if (st != HS_OK)
            goto out;
        hs_cycle_set_baselines(c, 1);
        if ((st = hs_cycle_commit(c, "new mappings baselined")) != HS_OK) {
            hs_cycle_set_error(c, st, "state", c->err.message);
            goto out;
        }
    }
    n = mapped_jobs(c, ids, 512, NULL);
    if (n == 0)
        goto out;
    c->mode = MODE_CHANGES;
    cursor = get_str(section(c->body, "ats"), "cursor");
    st = hs_cycle_read_side(c, &c->p->ats, cursor, ids, n, 0, ats_change);
out:
    c->new_pairs = NULL;
    c->people_stages = NULL;
    c->n_people_stages = 0;
    c->stage_ids = NULL;
    c->n_stage_ids = 0;
    c->change_people = NULL;
    c->n_change_people = 0;
    json_object_put(new_pairs);
    return st;
}
