/* The emitter the kit hands to discover_jobs and read_changes: it checks the shape of every
 * job and record against ABI 2.0 and keeps what later tests need (keys per unit, cursors). */
#define _POSIX_C_SOURCE 200809L

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
    for (size_t i = 0; i < job->n_stages; i++)
        check_stage(k, e, id, i, HS_ELEMENT(hs_stage, job->stages, job->stage_size, i),
                    job->stage_size);
    return HS_OK;
}

static void keep_first_record(kit_emitted *e, const hs_stage_change *c)
{
    if (e->record_id || c->kind != HS_CHANGE_STAGE || empty(c->record_id))
        return;
    e->record_id = strdup(c->record_id);
    e->job_id = c->job_id ? strdup(c->job_id) : NULL;
    if (c->person && c->person->struct_size >= KIT_END(hs_person, id) && c->person->id)
        e->person_id = strdup(c->person->id);
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

static void check_change(kit *k, kit_emitted *e, const hs_stage_change *c)
{
    const char *key = empty(c->key) ? "(no key)" : c->key;
    if (empty(c->key) || empty(c->record_id) || empty(c->job_id))
        kit_strings_add(&e->problems, "record %s: empty key, record_id or job_id", key);
    if (c->kind > HS_CHANGE_DECLINED)
        kit_strings_add(&e->problems, "record %s: kind %u is newer than the host's ABI %u.%u; "
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

hs_emitter kit_emitter(kit *k, kit_emitted *e)
{
    hs_emitter em;
    memset(&em, 0, sizeof(em));
    em.struct_size = sizeof(em);
    em.ctx = k;
    em.job = on_job;
    em.change = on_change;
    em.checkpoint = on_checkpoint;
    k->emitted = e;
    return em;
}
