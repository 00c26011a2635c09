/* The emitter the kit hands to discover_jobs and read_changes: it checks the shape of every
 * job and record against ABI 2.0 (and 2.1's lifecycle records and answers) and keeps what
 * later tests need (keys per unit, cursors). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kit.h"

static int empty(const char *s)
{
    return !s || !s[0];
}

static void scan_str(kit *k, const char *where, const char *s)
{
    if (s)
        kit_scan(k, where, s);
}

static void check_ref(kit *k, kit_emitted *e, const char *what, const hs_ref *ref,
                      size_t size)
{
    if (ref->struct_size < KIT_REF_SIZE_2_0 || (size && ref->struct_size > size))
        kit_strings_add(&e->problems, "%s: struct_size %u, expected %zu..%zu", what,
                        (unsigned)ref->struct_size, (size_t)KIT_REF_SIZE_2_0,
                        size ? size : (size_t)KIT_REF_SIZE_2_0);
    else if (empty(ref->id) && empty(ref->name))
        kit_strings_add(&e->problems, "%s: neither id nor name", what);
    scan_str(k, "a job or record", ref->id);
    scan_str(k, "a job or record", ref->name);
}

static void check_stage(kit *k, kit_emitted *e, const char *job, size_t i, const hs_stage *s,
                        size_t stage_size)
{
    char what[256];
    snprintf(what, sizeof what, "job %s: stage %zu", job, i);
    if (s->struct_size < KIT_STAGE_SIZE_2_0 || s->struct_size > stage_size) {
        kit_strings_add(&e->problems, "%s: struct_size %u, expected %zu..%zu (stage_size)",
                        what, (unsigned)s->struct_size, (size_t)KIT_STAGE_SIZE_2_0,
                        stage_size);
        return;
    }
    if (empty(s->id) || empty(s->name))
        kit_strings_add(&e->problems, "%s: empty id or name", what);
    scan_str(k, "a job", s->name);
    if (s->n_statuses && (!s->statuses || s->status_size < KIT_REF_SIZE_2_0)) {
        kit_strings_add(&e->problems, "%s: %zu statuses with status_size %zu (at least %zu)",
                        what, s->n_statuses, s->status_size, (size_t)KIT_REF_SIZE_2_0);
        return;
    }
    for (size_t j = 0; j < s->n_statuses; j++) {
        char w2[300];
        snprintf(w2, sizeof w2, "%s: status %zu", what, j);
        check_ref(k, e, w2, HS_ELEMENT(hs_ref, s->statuses, s->status_size, j),
                  s->status_size);
    }
}

/* The emitter-stop test: 1 when a callback after the refusal must refuse again. */
static int refused(kit_emitted *e)
{
    if (!e->stopped)
        return 0;
    e->after_stop++;
    return 1;
}

static hs_status on_job(void *ctx, const hs_job *job)
{
    kit *k = ctx;
    kit_emitted *e = k->emitted;
    if (refused(e))
        return e->stop_with;
    if (e->stop_with != HS_OK) {
        e->stopped = 1;
        return e->stop_with;
    }
    if (!job) {
        kit_strings_add(&e->problems, "a NULL job");
        return HS_OK;
    }
    const char *id = empty(job->id) ? "(no id)" : job->id;
    if (job->struct_size < KIT_JOB_SIZE_2_0)
        kit_strings_add(&e->problems, "job %s: struct_size %u, at least %zu expected", id,
                        (unsigned)job->struct_size, (size_t)KIT_JOB_SIZE_2_0);
    if (empty(job->id) || empty(job->title))
        kit_strings_add(&e->problems, "job %s: empty id or title", id);
    if (job->struct_size < KIT_JOB_SIZE_2_0)
        return HS_OK;
    scan_str(k, "a job", job->title);
    if (!empty(job->id))
        kit_strings_add(&e->jobs, "%s", job->id);
    if (job->n_stages && (!job->stages || job->stage_size < KIT_STAGE_SIZE_2_0)) {
        kit_strings_add(&e->problems, "job %s: %zu stages with stage_size %zu (at least %zu)",
                        id, job->n_stages, job->stage_size, (size_t)KIT_STAGE_SIZE_2_0);
        return HS_OK;
    }
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *s = HS_ELEMENT(hs_stage, job->stages, job->stage_size, i);
        check_stage(k, e, id, i, s, job->stage_size);
        if (s->struct_size >= KIT_STAGE_SIZE_2_0 && !empty(job->id) && !empty(s->id))
            kit_strings_add(&e->stages, "%s\n%s\n%s", job->id, s->id, s->name ? s->name : "");
    }
    return HS_OK;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A copy of an hs_ref's id and name, when the ref is there and sized as 2.0's. */
static void keep_ref(const hs_ref *r, char **id, char **name)
{
    if (!r || r->struct_size < KIT_REF_SIZE_2_0)
        return;
    *id = dup_or_null(r->id);
    *name = dup_or_null(r->name);
}

static void keep_first_record(kit_emitted *e, const hs_stage_change *c)
{
    if (e->record_id || c->kind != HS_CHANGE_STAGE || empty(c->record_id))
        return;
    e->record_id = strdup(c->record_id);
    e->job_id = dup_or_null(c->job_id);
    if (c->person && c->person->struct_size >= KIT_END(hs_person, id) && c->person->id)
        e->person_id = strdup(c->person->id);
    keep_ref(c->stage, &e->stage_id, &e->stage_name);
    keep_ref(c->status, &e->status_id, &e->status_name);
}

static void check_person(kit *k, kit_emitted *e, const char *key, const hs_person *p)
{
    if (p->struct_size < KIT_PERSON_SIZE_2_0) {
        kit_strings_add(&e->problems, "record %s: person struct_size %u, at least %zu", key,
                        (unsigned)p->struct_size, (size_t)KIT_PERSON_SIZE_2_0);
        return;
    }
    const char *fields[] = {p->id, p->first_name, p->last_name, p->email, p->phone};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        scan_str(k, "a record", fields[i]);
}

/* An ISO-8601 time as the header writes them: "YYYY-MM-DDTHH:MM:SS", optional fraction,
 * then "Z" or an offset "+HH:MM". */
static int time_ok(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
        || n != 19)
        return 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    s += n;
    if (*s == '.') {
        const char *digits = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (s == digits)
            return 0;
    }
    if (s[0] == 'Z')
        return s[1] == '\0';
    int oh, om;
    n = 0;
    return (s[0] == '+' || s[0] == '-') && sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) == 2
           && n == 5 && s[6] == '\0' && oh < 24 && om < 60;
}

static const char *kind_name(uint32_t kind)
{
    static const char *names[] = {"stage", "completed", "invited", "started", "expired",
                                  "declined"};
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

/* A completion's answers (2.1), each read at answer_size steps (rule 2). */
static void check_answers(kit *k, kit_emitted *e, const char *key, const hs_stage_change *c)
{
    if (!HS_HAS_FIELD(hs_stage_change, c->struct_size, score))
        return;
    scan_str(k, "a record", c->score);
    if (!c->n_answers)
        return;
    if (!c->answers || c->answer_size < KIT_ANSWER_SIZE_2_1) {
        kit_strings_add(&e->life_problems, "record %s: %zu answers with answer_size %zu (at "
                        "least %zu)", key, c->n_answers, c->answer_size,
                        (size_t)KIT_ANSWER_SIZE_2_1);
        return;
    }
    for (size_t i = 0; i < c->n_answers; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, c->answers, c->answer_size, i);
        e->answers++;
        if (a->struct_size < KIT_ANSWER_SIZE_2_1 || a->struct_size > c->answer_size) {
            kit_strings_add(&e->life_problems, "record %s: answer %zu: struct_size %u, "
                            "expected %zu..%zu (answer_size)", key, i, (unsigned)a->struct_size,
                            (size_t)KIT_ANSWER_SIZE_2_1, c->answer_size);
            continue;
        }
        if (empty(a->question))
            kit_strings_add(&e->life_problems, "record %s: answer %zu has no question", key, i);
        scan_str(k, "a record's answer", a->question);
        scan_str(k, "a record's answer", a->link);
        scan_str(k, "a record's answer", a->score);
    }
}

/* What the lifecycle tests look at: interview-side records (completions and 2.1's kinds). */
static void check_lifecycle(kit *k, kit_emitted *e, const char *key, const hs_stage_change *c)
{
    if (c->kind == HS_CHANGE_STAGE || c->kind > HS_CHANGE_DECLINED)
        return;
    if (e->host_2_0 && c->kind > HS_CHANGE_COMPLETED)
        kit_strings_add(&e->old_kinds, "record %s: kind %u (%s) emitted to a host of ABI %u.0, "
                        "which does not know it; emit 2.1 kinds only when the minor of "
                        "hs_host_api.abi_version is at least 1", key, (unsigned)c->kind,
                        kind_name(c->kind), (unsigned)HS_ABI_MAJOR);
    if (c->kind > HS_CHANGE_COMPLETED)
        e->lifecycle++;
    if (!empty(c->key))
        kit_strings_add(&e->life_keys, "%s", c->key);
    if (empty(c->record_id))
        kit_strings_add(&e->life_problems, "record %s (%s): an empty record_id (the remote id "
                        "write_invitation returned)", key, kind_name(c->kind));
    /* A 2.0 completion may leave its time unknown; 2.1's kinds always carry one. */
    if ((c->changed_at || c->kind > HS_CHANGE_COMPLETED) && !time_ok(c->changed_at))
        kit_strings_add(&e->life_problems, "record %s (%s): changed_at \"%s\" is not an ISO-8601 "
                        "time such as 2026-01-31T09:30:00Z", key, kind_name(c->kind),
                        c->changed_at ? c->changed_at : "(null)");
    check_answers(k, e, key, c);
}

static void check_change(kit *k, kit_emitted *e, const hs_stage_change *c)
{
    const char *key = empty(c->key) ? "(no key)" : c->key;
    if (empty(c->key) || empty(c->record_id) || empty(c->job_id))
        kit_strings_add(&e->problems, "record %s: empty key, record_id or job_id", key);
    if (c->kind > HS_CHANGE_DECLINED)
        kit_strings_add(&e->problems, "record %s: kind %u is newer than the kit's ABI %u.%u; "
                        "emit it only when hs_host_api.abi_version allows", key,
                        (unsigned)c->kind, (unsigned)HS_ABI_MAJOR, (unsigned)HS_ABI_MINOR);
    if (c->kind == HS_CHANGE_STAGE && !c->stage)
        kit_strings_add(&e->problems, "record %s: a stage change without its stage", key);
    if (c->kind == HS_CHANGE_COMPLETED && c->stage)
        kit_strings_add(&e->problems, "record %s: a completion with a stage (NULL expected)",
                        key);
    if (c->kind == HS_CHANGE_STAGE && c->stage)
        check_ref(k, e, "a record's stage", c->stage, 0);
    if (c->status)
        check_ref(k, e, "a record's status", c->status, 0);
    if (c->person)
        check_person(k, e, key, c->person);
    if (e->want_snapshot && !c->snapshot)
        kit_strings_add(&e->problems, "record %s: snapshot asked for, record not marked", key);
    if (!e->want_snapshot && c->snapshot)
        kit_strings_add(&e->problems, "record %s: marked snapshot in a read of changes", key);
    const char *strs[] = {c->key, c->record_id, c->job_id, c->changed_at, c->link};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        scan_str(k, "a record", strs[i]);
    check_lifecycle(k, e, key, c);
}

static hs_status on_change(void *ctx, const hs_stage_change *c)
{
    kit *k = ctx;
    kit_emitted *e = k->emitted;
    if (k->cancel_seen)
        k->work_after_cancel++;
    if (refused(e))
        return e->stop_with;
    if (e->stop_with != HS_OK) {
        e->stopped = 1;
        return e->stop_with;
    }
    if (!c || c->struct_size < KIT_CHANGE_SIZE_2_0) {
        kit_strings_add(&e->problems, "a record with struct_size %u, at least %zu expected",
                        c ? (unsigned)c->struct_size : 0u, (size_t)KIT_CHANGE_SIZE_2_0);
        return HS_OK;
    }
    e->records++;
    if (c->snapshot)
        e->snapshots++;
    check_change(k, e, c);
    if (!empty(c->key))
        kit_strings_add(&e->pending, "%s", c->key);
    keep_first_record(e, c);
    return HS_OK;
}

static hs_status on_checkpoint(void *ctx, const char *cursor)
{
    kit *k = ctx;
    kit_emitted *e = k->emitted;
    if (k->cancel_seen)
        k->barriers_after_cancel++;
    if (refused(e))
        return e->stop_with;
    if (empty(cursor)) {
        kit_strings_add(&e->problems, "barrier %zu: an empty cursor", e->n_units + 1);
        cursor = "";
    } else {
        json_object *doc = json_tokener_parse(cursor);
        if (!doc)
            kit_strings_add(&e->problems, "barrier %zu: the cursor is not JSON",
                            e->n_units + 1);
        json_object_put(doc);
        kit_scan(k, "a cursor", cursor);
    }
    if (e->n_units == e->cap_units) {
        size_t cap = e->cap_units ? e->cap_units * 2 : 4;
        kit_unit *u = realloc(e->units, cap * sizeof(*u));
        if (!u)
            return HS_E_INTERNAL;
        e->units = u;
        e->cap_units = cap;
    }
    kit_unit *u = &e->units[e->n_units];
    u->keys = e->pending;
    memset(&e->pending, 0, sizeof(e->pending));
    if (!(u->cursor = strdup(cursor)))
        return HS_E_INTERNAL;
    e->n_units++;
    return HS_OK;
}

/* Rule 12: figures a host can show. A 2.0-sized emitter has no progress at all: the
 * callback lies past its struct_size only to catch a connector that does not look. */
static void check_progress(kit_emitted *e, const hs_progress *p)
{
    kit_strings *pp = &e->progress_problems;
    size_t n = e->progress;
    if (e->emitter_2_0) {
        kit_strings_add(pp, "progress called through an emitter whose struct_size (%zu) stops "
                        "before it (a host of ABI %u.0); test HS_HAS_FIELD(hs_emitter, "
                        "struct_size, progress) first", (size_t)KIT_EMITTER_SIZE_2_0,
                        (unsigned)HS_ABI_MAJOR);
        return;
    }
    if (!p || p->struct_size < KIT_PROGRESS_SIZE_2_1) {
        kit_strings_add(pp, "progress report %zu: struct_size %u, at least %zu expected", n,
                        p ? (unsigned)p->struct_size : 0u, (size_t)KIT_PROGRESS_SIZE_2_1);
        return;
    }
    if (p->pages_done < 0 || (n > 1 && p->pages_done < e->pages_done))
        kit_strings_add(pp, "progress report %zu: pages_done %lld after %lld; it counts the "
                        "pages read so far and never goes back", n, (long long)p->pages_done,
                        (long long)(n > 1 ? e->pages_done : 0));
    if (p->pages_total != -1 && p->pages_total < p->pages_done)
        kit_strings_add(pp, "progress report %zu: pages_total %lld with pages_done %lld; a "
                        "total is -1 (unknown) or at least the pages done", n,
                        (long long)p->pages_total, (long long)p->pages_done);
    if (p->parts_done < 0 || p->parts_total < -1
        || (p->parts_total > 0 && p->parts_done > p->parts_total))
        kit_strings_add(pp, "progress report %zu: parts_done %lld of parts_total %lld; parts "
                        "done are at most their total when it is known", n,
                        (long long)p->parts_done, (long long)p->parts_total);
    e->pages_done = p->pages_done;
    e->totals += p->pages_total != -1;
}

static hs_status on_progress(void *ctx, const hs_progress *p)
{
    kit *k = ctx;
    kit_emitted *e = k->emitted;
    if (refused(e))
        return e->stop_with;
    e->progress++;
    check_progress(e, p);
    return HS_OK;
}

hs_emitter kit_emitter(kit *k, kit_emitted *e)
{
    hs_emitter em;
    memset(&em, 0, sizeof(em));
    em.struct_size = e->emitter_2_0 ? KIT_EMITTER_SIZE_2_0 : sizeof(em);
    em.ctx = k;
    em.job = on_job;
    em.change = on_change;
    em.checkpoint = on_checkpoint;
    em.progress = on_progress;
    k->emitted = e;
    return em;
}
