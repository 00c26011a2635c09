/* Caller buffers and min-copies of connector records (see records.h). */
#include "records.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More stages in one job, or statuses in one stage, than any workflow has: a garbage count. */
#define MAX_ELEMENTS 100000u

hs_error *hs_host_error_init(hs_host_error *he)
{
    memset(he, 0, sizeof(*he));
    he->e.struct_size = sizeof(he->e);
    he->e.message = he->message;
    he->e.message_size = sizeof(he->message);
    return &he->e;
}

void hs_host_error_set(hs_error *err, const char *fmt, ...)
{
    va_list ap;
    if (!err || !err->message || err->message_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err->message, err->message_size, fmt, ap);
    va_end(ap);
}

hs_write_result *hs_host_result_init(hs_host_result *hr)
{
    memset(hr, 0, sizeof(*hr));
    hr->r.struct_size = sizeof(hr->r);
    hr->r.remote_id = hr->remote_id;
    hr->r.remote_id_size = sizeof(hr->remote_id);
    return &hr->r;
}

/* Copies the first min(size, dst_size) bytes of src into the zeroed dst. */
static void min_copy(void *dst, size_t dst_size, const void *src, size_t size)
{
    memset(dst, 0, dst_size);
    memcpy(dst, src, size < dst_size ? size : dst_size);
}

static int too_small(char *why, size_t why_size, const char *what, size_t got, size_t need)
{
    snprintf(why, why_size, "%s of %zu bytes, smaller than ABI 2.0's %zu; rebuild the "
             "connector against this hiresync's connector.h", what, got, need);
    return -1;
}

/* A nested record: NULL stays an all-NULL copy; a record smaller than min is refused. */
static int nested(void *dst, size_t dst_size, const void *src, size_t min, const char *what,
                  char *why, size_t why_size)
{
    uint32_t size;
    memset(dst, 0, dst_size);
    memcpy(dst, &(uint32_t){(uint32_t)dst_size}, sizeof(uint32_t));
    if (!src)
        return 0;
    memcpy(&size, src, sizeof(size));
    if (size < min)
        return too_small(why, why_size, what, size, min);
    min_copy(dst, dst_size, src, size);
    memcpy(dst, &(uint32_t){(uint32_t)dst_size}, sizeof(uint32_t));
    return 0;
}

/* The change's answers (still the connector's, in out->change) min-copied into
 * out->answers at the host's stride. */
static int copy_answers(hs_change_copy *out, char *why, size_t why_size)
{
    hs_stage_change *c = &out->change;
    size_t n = c->answers ? c->n_answers : 0;
    if (n > MAX_ELEMENTS) {
        snprintf(why, why_size, "answer count %zu is more than %u; a bug in the connector", n,
                 MAX_ELEMENTS);
        return -1;
    }
    if (n > 0 && c->answer_size < HS_ANSWER_SIZE_2_1) {
        snprintf(why, why_size, "answer element size %zu, smaller than ABI 2.1's %zu; rebuild "
                 "the connector against this hiresync's connector.h", c->answer_size,
                 (size_t)HS_ANSWER_SIZE_2_1);
        return -1;
    }
    if (n > HS_HOST_MAX_ANSWERS) {
        out->answers_dropped = n - HS_HOST_MAX_ANSWERS;
        n = HS_HOST_MAX_ANSWERS;
    }
    for (size_t i = 0; i < n; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, c->answers, c->answer_size, i);
        size_t size = a->struct_size < c->answer_size ? a->struct_size : c->answer_size;
        if (a->struct_size < HS_ANSWER_SIZE_2_1) {
            snprintf(why, why_size, "answer record of %u bytes, smaller than ABI 2.1's %zu; "
                     "rebuild the connector against this hiresync's connector.h",
                     (unsigned)a->struct_size, (size_t)HS_ANSWER_SIZE_2_1);
            return -1;
        }
        min_copy(&out->answers[i], sizeof(hs_answer), a, size);
        out->answers[i].struct_size = sizeof(hs_answer);
        if (out->answers[i].question == NULL)
            out->answers[i].question = "?";
    }
    c->answers = n ? out->answers : NULL;
    c->n_answers = n;
    c->answer_size = sizeof(hs_answer);
    return 0;
}

int hs_change_copy_from(hs_change_copy *out, const hs_stage_change *in, char *why,
                        size_t why_size)
{
    hs_stage_change *c = &out->change;
    memset(out, 0, sizeof(*out));
    if (in->struct_size < HS_CHANGE_SIZE_2_0)
        return too_small(why, why_size, "change record", in->struct_size, HS_CHANGE_SIZE_2_0);
    min_copy(c, sizeof(*c), in, in->struct_size);
    if (nested(&out->stage, sizeof(out->stage), c->stage, HS_REF_SIZE_2_0, "stage record", why,
               why_size) != 0
        || nested(&out->status, sizeof(out->status), c->status, HS_REF_SIZE_2_0,
                  "status record", why, why_size) != 0
        || nested(&out->person, sizeof(out->person), c->person, HS_PERSON_SIZE_2_0,
                  "person record", why, why_size) != 0)
        return -1;
    if (copy_answers(out, why, why_size) != 0)
        return -1;
    c->struct_size = sizeof(*c);
    c->stage = &out->stage;
    c->status = &out->status;
    c->person = &out->person;
    return 0;
}

static int element_size_ok(size_t size, size_t min, size_t n, const char *what, char *why,
                           size_t why_size)
{
    if (n > MAX_ELEMENTS) {
        snprintf(why, why_size, "%s count %zu is more than %u; a bug in the connector", what, n,
                 MAX_ELEMENTS);
        return -1;
    }
    if (n > 0 && size < min)
        return too_small(why, why_size, what, size, min);
    return 0;
}

/* Stage i of in: min-copied into dst, its statuses into *next (advanced). */
static int copy_stage(const hs_job *in, size_t i, hs_stage *dst, hs_ref **next, char *why,
                      size_t why_size)
{
    const hs_stage *src = HS_ELEMENT(hs_stage, in->stages, in->stage_size, i);
    size_t size = src->struct_size < in->stage_size ? src->struct_size : in->stage_size;
    if (src->struct_size < HS_STAGE_SIZE_2_0)
        return too_small(why, why_size, "stage record", src->struct_size, HS_STAGE_SIZE_2_0);
    min_copy(dst, sizeof(*dst), src, size);
    dst->struct_size = sizeof(*dst);
    if (!dst->statuses)
        dst->n_statuses = 0;
    for (size_t k = 0; k < dst->n_statuses; k++) {
        const hs_ref *ref = HS_ELEMENT(hs_ref, src->statuses, dst->status_size, k);
        size_t rsize = ref->struct_size < dst->status_size ? ref->struct_size
                                                             : dst->status_size;
        if (ref->struct_size < HS_REF_SIZE_2_0)
            return too_small(why, why_size, "status record", ref->struct_size,
                             HS_REF_SIZE_2_0);
        min_copy(&(*next)[k], sizeof(hs_ref), ref, rsize);
        (*next)[k].struct_size = sizeof(hs_ref);
    }
    dst->statuses = dst->n_statuses ? *next : NULL;
    dst->status_size = sizeof(hs_ref);
    *next += dst->n_statuses;
    return 0;
}

int hs_job_copy_from(hs_job_copy *out, const hs_job *in, char *why, size_t why_size)
{
    hs_job *j = &out->job;
    size_t total = 0;
    hs_ref *next;
    memset(out, 0, sizeof(*out));
    if (in->struct_size < HS_JOB_SIZE_2_0)
        return too_small(why, why_size, "job record", in->struct_size, HS_JOB_SIZE_2_0);
    min_copy(j, sizeof(*j), in, in->struct_size);
    j->struct_size = sizeof(*j);
    if (!in->stages || in->n_stages == 0) {
        j->stages = NULL;
        j->n_stages = 0;
        j->stage_size = sizeof(hs_stage);
        return 0;
    }
    if (element_size_ok(in->stage_size, HS_STAGE_SIZE_2_0, in->n_stages, "stage", why,
                        why_size) != 0)
        return -1;
    for (size_t i = 0; i < in->n_stages; i++) {
        const hs_stage *s = HS_ELEMENT(hs_stage, in->stages, in->stage_size, i);
        if (s->struct_size < HS_STAGE_SIZE_2_0)
            return too_small(why, why_size, "stage record", s->struct_size, HS_STAGE_SIZE_2_0);
        if (!s->statuses || s->n_statuses == 0)
            continue;
        if (element_size_ok(s->status_size, HS_REF_SIZE_2_0, s->n_statuses, "status", why,
                            why_size) != 0)
            return -1;
        total += s->n_statuses;
    }
    out->stages = calloc(in->n_stages, sizeof(hs_stage));
    out->statuses = total ? calloc(total, sizeof(hs_ref)) : NULL;
    if (!out->stages || (total && !out->statuses))
        return -2;
    next = out->statuses;
    for (size_t i = 0; i < in->n_stages; i++)
        if (copy_stage(in, i, &out->stages[i], &next, why, why_size) != 0)
            return -1;
    j->stages = out->stages;
    j->n_stages = in->n_stages;
    j->stage_size = sizeof(hs_stage);
    return 0;
}

void hs_job_copy_free(hs_job_copy *copy)
{
    free(copy->stages);
    free(copy->statuses);
    copy->stages = NULL;
    copy->statuses = NULL;
}
