/*
 * jsonl: discover_jobs, from the jobs file. One job (or interview) a line:
 *   {"id": "J1", "title": "Nurse", "status": "Open",
 *    "stages": ["Applied", {"id": "7", "name": "Video Interview",
 *                           "statuses": ["Invited", {"id": "3", "name": "Booked"}]}]}
 * Only "id" is required. A stage or status is a name (its id too) or an {"id", "name"}
 * object.
 */
#define _POSIX_C_SOURCE 200809L
#include "jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A name, or an {"id", "name"} object, as an hs_ref borrowing v's strings. */
static int ref_from(json_object *v, hs_ref *ref)
{
    memset(ref, 0, sizeof(*ref));
    ref->struct_size = sizeof(*ref);
    if (json_object_is_type(v, json_type_string)) {
        ref->id = ref->name = json_object_get_string(v);
        return 0;
    }
    ref->id = jsonl_str(v, "id");
    ref->name = jsonl_str(v, "name");
    if (!ref->id)
        ref->id = ref->name;
    if (!ref->name)
        ref->name = ref->id;
    return ref->id ? 0 : -1;
}

static void stages_free(hs_stage *stages, size_t n)
{
    for (size_t i = 0; stages && i < n; i++)
        free((void *)stages[i].statuses);
    free(stages);
}

/* Fills one stage from v; its statuses array is allocated (freed by stages_free). */
static int stage_from(json_object *v, hs_stage *stage)
{
    hs_ref ref;
    json_object *list;
    if (ref_from(v, &ref) != 0)
        return -1;
    stage->struct_size = sizeof(*stage);
    stage->id = ref.id;
    stage->name = ref.name;
    stage->status_size = sizeof(hs_ref);   /* the element size readers step by (rule 2) */
    if (!json_object_is_type(v, json_type_object)
        || !json_object_object_get_ex(v, "statuses", &list))
        return 0;
    if (!json_object_is_type(list, json_type_array))
        return -1;
    size_t n = json_object_array_length(list);
    hs_ref *statuses = calloc(n ? n : 1, sizeof(*statuses));
    if (!statuses)
        return -1;
    stage->statuses = statuses;
    for (size_t i = 0; i < n; i++) {
        if (ref_from(json_object_array_get_idx(list, i), &statuses[i]) != 0)
            return -1;
        stage->n_statuses++;
    }
    return 0;
}

/* Parses one line and emits it as a job. */
static hs_status emit_job(hs_conn *conn, const hs_emitter *emitter, json_object *obj,
                          long line_no, hs_error *err)
{
    hs_job job;
    json_object *list = NULL;
    memset(&job, 0, sizeof(job));
    job.struct_size = sizeof(job);
    job.stage_size = sizeof(hs_stage);
    job.id = jsonl_str(obj, "id");
    if (!job.id)
        return jsonl_fail(err, HS_E_CONFIG, "%s: line %ld: a job needs a string \"id\"; "
                          "fix the line", conn->jobs, line_no);
    job.title = jsonl_str(obj, "title");
    job.status = jsonl_str(obj, "status");
    job.department = jsonl_str(obj, "department");
    job.url = jsonl_str(obj, "url");
    json_object_object_get_ex(obj, "stages", &list);
    size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    hs_stage *stages = calloc(n ? n : 1, sizeof(*stages));
    hs_status st = HS_OK;
    if (!stages)
        return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    for (size_t i = 0; i < n && st == HS_OK; i++) {
        if (stage_from(json_object_array_get_idx(list, i), &stages[i]) != 0)
            st = jsonl_fail(err, HS_E_CONFIG, "%s: line %ld: stage %zu needs an \"id\" or a "
                            "\"name\"; fix the line", conn->jobs, line_no, i);
        job.n_stages = i + 1;   /* so that stages_free frees this one's statuses too */
    }
    job.stages = stages;
    if (st == HS_OK) {
        /* The host copies the job before the callback returns (rule 3). */
        st = emitter->job(emitter->ctx, &job);
    }
    stages_free(stages, job.n_stages);
    return st;
}

hs_status jsonl_discover_jobs(hs_conn *conn, const hs_emitter *emitter, hs_error *err)
{
    hs_status st = jsonl_cancelled(conn, err);
    if (st != HS_OK)
        return st;
    FILE *f = fopen(conn->jobs, "r");
    char *line = NULL;
    size_t cap = 0;
    long n = 0, line_no = 0;
    if (!f && errno == ENOENT) {
        conn->api->log(conn->host, HS_LOG_WARN, "%s: absent, so there are no jobs; write one "
                       "job a line", conn->jobs);
        return HS_OK;
    }
    if (!f)
        return jsonl_fail(err, HS_E_PERMISSION, "%s: cannot open: %s; let hiresync's user "
                          "read it", conn->jobs, strerror(errno));
    while (st == HS_OK && (st = jsonl_cancelled(conn, err)) == HS_OK
           && (n = jsonl_getline(f, &line, &cap)) > 0) {
        json_object *obj = json_tokener_parse(line);
        line_no++;
        if (json_object_is_type(obj, json_type_object))
            st = emit_job(conn, emitter, obj, line_no, err);
        else if (strspn(line, " \t\r\n") != (size_t)n)   /* blank lines are allowed */
            st = jsonl_fail(err, HS_E_CONFIG, "%s: line %ld: not a JSON object; fix the line",
                            conn->jobs, line_no);
        json_object_put(obj);
    }
    if (st == HS_OK && n < 0)
        st = jsonl_fail(err, HS_E_CONFIG, "%s: line %ld: unreadable or longer than %d bytes",
                        conn->jobs, line_no + 1, JSONL_MAX_LINE);
    free(line);
    fclose(f);
    return st;
}
