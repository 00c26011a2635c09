/*
 * discover_jobs: Willo interviews are the jobs of the interview side. They have no stages: a
 * completion is its own kind of change (HS_CHANGE_COMPLETED), not a stage entered.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "willo.h"

typedef struct jobs_ctx {
    const hs_emitter *emitter;
    size_t n;
} jobs_ctx;

/* Willo may give the department as a nested object, or as a key with its name beside it. */
static const char *department_of(json_object *interview)
{
    const char *name = hs_json_str(interview, "department_name");
    if (name && *name)
        return name;
    json_object *d = hs_json_get(interview, "department");
    if (json_object_is_type(d, json_type_object)) {
        name = hs_json_str(d, "name");
        return name ? name : hs_json_str(d, "key");
    }
    return hs_json_str(interview, "department");
}

static hs_status on_page(void *ctx, json_object *results, int *stop, hs_error *err)
{
    jobs_ctx *jc = ctx;
    (void)stop;
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        json_object *iv = json_object_array_get_idx(results, i);
        const char *key = hs_json_str(iv, "key");
        if (!key || !*key)
            continue;
        hs_job job = {
            .struct_size = sizeof(hs_job),
            .id = key,
            .title = hs_json_str(iv, "title"),
            .department = department_of(iv),
            .created_at = hs_json_str(iv, "created"),
            .updated_at = hs_json_str(iv, "updated"),
            .stages = NULL,
            .n_stages = 0,
            .stage_size = sizeof(hs_stage),
        };
        hs_status st = jc->emitter->job(jc->emitter->ctx, &job);
        if (st != HS_OK)
            return hs_error_set(err, st, 0, "willo: the host stopped the interview list (%s)",
                                hs_status_name(st));
        jc->n++;
    }
    return HS_OK;
}

hs_status hs_willo_discover_jobs(hs_conn *c, const hs_emitter *emitter, hs_error *err)
{
    if (!emitter || !emitter->job)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: discover_jobs without an emitter");
    char query[32];
    snprintf(query, sizeof query, "page_size=%d", c->cfg.page_size);
    char *url = hs_willo_url(c, "/interviews/", query);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    jobs_ctx jc = { emitter, 0 };
    long status = 0;
    json_object *body = NULL;
    hs_status st = hs_willo_pages(c, url, "GET /interviews/", on_page, &jc, &status, &body, err);
    free(url);
    if (st == HS_OK && status != 200)
        st = hs_willo_no_list(status, body, err);
    json_object_put(body);
    if (st == HS_OK)
        c->api->log(c->host, HS_LOG_INFO, "willo: %zu interviews", jc.n);
    return st;
}
