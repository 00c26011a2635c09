/* Copying jobs out of a connector into JSON. */
#define _POSIX_C_SOURCE 200809L
#include "jobs.h"

#include "records.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_JOBS 100000

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *ref_json(const hs_ref *ref)
{
    json_object *obj = json_object_new_object();
    if (!obj)
        return NULL;
    json_object_object_add(obj, "id", str_or_null(ref->id));
    json_object_object_add(obj, "name", str_or_null(ref->name));
    return obj;
}

static json_object *stage_json(const hs_stage *stage)
{
    json_object *obj = json_object_new_object();
    json_object *statuses = json_object_new_array();
    if (!obj || !statuses) {
        json_object_put(obj);
        json_object_put(statuses);
        return NULL;
    }
    json_object_object_add(obj, "id", str_or_null(stage->id));
    json_object_object_add(obj, "name", str_or_null(stage->name));
    /* The host's own copy: its arrays have the host's stride. */
    for (size_t i = 0; stage->statuses && i < stage->n_statuses; i++) {
        json_object *r = ref_json(&stage->statuses[i]);
        if (!r || json_object_array_add(statuses, r) != 0) {
            json_object_put(r);
            json_object_put(statuses);
            json_object_put(obj);
            return NULL;
        }
    }
    json_object_object_add(obj, "statuses", statuses);
    return obj;
}

json_object *hs_job_json(const hs_job *job, char *why, size_t why_size)
{
    hs_job_copy copy;
    char ignored[8] = "";
    json_object *obj = NULL, *stages = NULL;
    if (hs_job_copy_from(&copy, job, why ? why : ignored, why ? why_size : sizeof(ignored))
        != 0)
        goto fail;
    if (!copy.job.id) {
        if (why)
            snprintf(why, why_size, "a job without an id; a bug in the connector");
        goto fail;
    }
    const hs_job j = copy.job;
    obj = json_object_new_object();
    stages = json_object_new_array();
    if (!obj || !stages)
        goto fail;
    json_object_object_add(obj, "id", str_or_null(j.id));
    json_object_object_add(obj, "title", str_or_null(j.title));
    json_object_object_add(obj, "status", str_or_null(j.status));
    json_object_object_add(obj, "department", str_or_null(j.department));
    json_object_object_add(obj, "created_at", str_or_null(j.created_at));
    json_object_object_add(obj, "updated_at", str_or_null(j.updated_at));
    json_object_object_add(obj, "url", str_or_null(j.url));
    for (size_t i = 0; j.stages && i < j.n_stages; i++) {
        json_object *s = stage_json(&j.stages[i]);
        if (!s || json_object_array_add(stages, s) != 0) {
            json_object_put(s);
            goto fail;
        }
    }
    json_object_object_add(obj, "stages", stages);
    hs_job_copy_free(&copy);
    return obj;
fail:
    hs_job_copy_free(&copy);
    json_object_put(stages);
    json_object_put(obj);
    return NULL;
}

static hs_status collect_job(void *ctx, const hs_job *job)
{
    hs_job_collector *c = ctx;
    size_t max = c->max_jobs ? c->max_jobs : DEFAULT_MAX_JOBS;
    if (!job) {
        snprintf(c->error, sizeof(c->error), "emitted a NULL job; a bug in the connector");
        return HS_E_DATA;
    }
    if (json_object_array_length(c->jobs) >= max) {
        snprintf(c->error, sizeof(c->error), "emitted more than %zu jobs", max);
        return HS_E_DATA;
    }
    c->error[0] = '\0';
    json_object *obj = hs_job_json(job, c->error, sizeof(c->error));
    if (!obj && c->error[0])
        return HS_E_DATA;
    if (!obj || json_object_array_add(c->jobs, obj) != 0) {
        json_object_put(obj);
        return HS_E_INTERNAL;
    }
    return HS_OK;
}

static hs_status refuse_change(void *ctx, const hs_stage_change *change)
{
    (void)ctx;
    (void)change;
    return HS_E_UNSUPPORTED;
}

static hs_status ignore_checkpoint(void *ctx, const char *cursor_json)
{
    (void)ctx;
    (void)cursor_json;
    return HS_OK;
}

int hs_job_collector_init(hs_job_collector *collector)
{
    memset(collector, 0, sizeof(*collector));
    collector->jobs = json_object_new_array();
    if (!collector->jobs)
        return -1;
    collector->emitter.struct_size = sizeof(collector->emitter);
    collector->emitter.ctx = collector;
    collector->emitter.job = collect_job;
    collector->emitter.change = refuse_change;
    collector->emitter.checkpoint = ignore_checkpoint;
    return 0;
}

void hs_job_collector_free(hs_job_collector *collector)
{
    json_object_put(collector->jobs);
    collector->jobs = NULL;
}

static const char *member(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int job_cmp(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    const char *ux = member(x, "updated_at"), *uy = member(y, "updated_at");
    if (ux && !uy)
        return -1;
    if (!ux && uy)
        return 1;
    /* ISO-8601 UTC strings order as their times do. */
    int c = ux && uy ? strcmp(uy, ux) : 0;
    if (c)
        return c;
    const char *ix = member(x, "id"), *iy = member(y, "id");
    return strcmp(ix ? ix : "", iy ? iy : "");
}

void hs_job_collector_sort(hs_job_collector *collector)
{
    json_object_array_sort(collector->jobs, job_cmp);
}
