/*
 * discover_jobs: the open vacancies, each with the stages (and statuses) of its workflow.
 * "Open" is a list of vacancy status names or ids (open_statuses), resolved to ids through the
 * vacancy status dropdown, because Eploy filters vacancies by status id.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_time.h"

void hs_eploy_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

/* The id in the dropdown values for a configured name or id, or NULL. */
static const char *match_status(json_object *values, const char *want)
{
    size_t n = values != NULL ? json_object_array_length(values) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(values, i);
        const char *id = hs_json_str(v, "Id");
        const char *name = hs_json_str(v, "Description");
        if (id != NULL && (strcmp(id, want) == 0 || (name != NULL && strcasecmp(name, want) == 0)))
            return id;
    }
    return NULL;
}

hs_status hs_eploy_open_status_ids(hs_conn *conn, char ***ids, size_t *n, hs_error *err)
{
    char path[64];
    json_object *resp = NULL, *values;
    char **out;
    size_t k = 0;
    hs_status st;

    *ids = NULL;
    *n = 0;
    (void)snprintf(path, sizeof path, "options/dropdown/%d", conn->cfg.vacancy_status_list);
    st = hs_eploy_call(conn, "GET", path, NULL, HS_EPLOY_PERM_VACANCIES, &resp, NULL, err);
    if (st != HS_OK && st != HS_E_DATA)
        return st;
    values = hs_json_get(resp, "Values");
    if (values != NULL && !json_object_is_type(values, json_type_array))
        values = NULL;
    out = calloc(conn->cfg.n_open_statuses, sizeof *out);
    if (out == NULL) {
        json_object_put(resp);
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    }
    for (size_t i = 0; i < conn->cfg.n_open_statuses; i++) {
        const char *want = conn->cfg.open_statuses[i];
        const char *id = match_status(values, want);
        /* Without the list (404: another list number) a numeric setting is taken as an id. */
        if (id == NULL && values == NULL && all_digits(want))
            id = want;
        if (id == NULL) {
            conn->api->log(conn->host, HS_LOG_WARN,
                           "eploy: open_statuses: \"%s\" is not a vacancy status of this Eploy",
                           want);
            continue;
        }
        if ((out[k] = strdup(id)) == NULL) {
            hs_eploy_strv_free(out, k);
            json_object_put(resp);
            return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        }
        k++;
    }
    json_object_put(resp);
    if (k == 0) {
        free(out);
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "eploy: open_statuses names no vacancy status of this Eploy (list "
                            "%d): give status names as Eploy shows them, e.g. [\"Open\"]",
                            conn->cfg.vacancy_status_list);
    }
    *ids = out;
    *n = k;
    return HS_OK;
}

/* ---- workflows ---------------------------------------------------------------------------- */

typedef struct workflows {
    json_object **pages;          /* owned references to each page's Records */
    size_t n;
} workflows;

static hs_status keep_workflow_page(void *ctx, json_object *records, int page, hs_error *err)
{
    workflows *w = ctx;
    json_object **p = realloc(w->pages, (w->n + 1) * sizeof *p);

    (void)page;
    if (p == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    w->pages = p;
    w->pages[w->n++] = json_object_get(records);
    return HS_OK;
}

static void workflows_free(workflows *w)
{
    for (size_t i = 0; i < w->n; i++)
        json_object_put(w->pages[i]);
    free(w->pages);
    memset(w, 0, sizeof *w);
}

static json_object *workflow_by_id(const workflows *w, const char *id)
{
    json_object *only = NULL;
    size_t count = 0;

    for (size_t i = 0; i < w->n; i++) {
        size_t n = json_object_array_length(w->pages[i]);
        for (size_t j = 0; j < n; j++) {
            json_object *wf = json_object_array_get_idx(w->pages[i], j);
            const char *wid = hs_json_str(wf, "WorkflowID");
            if (wid == NULL)
                wid = hs_json_str(wf, "WorkflowId");
            if (id != NULL && wid != NULL && strcmp(wid, id) == 0)
                return wf;
            only = wf;
            count++;
        }
    }
    /* A vacancy that names no workflow uses the tenant's only one, if there is one. */
    return id == NULL && count == 1 ? only : NULL;
}

/* ---- vacancies ---------------------------------------------------------------------------- */

typedef struct job_walk {
    hs_conn *conn;
    const hs_emitter *em;
    workflows wf;
    size_t emitted;
} job_walk;

static void free_stages(hs_stage *stages, size_t n)
{
    for (size_t i = 0; stages != NULL && i < n; i++)
        free((void *)stages[i].statuses);
    free(stages);
}

/* Stages of a workflow object into a new array (strings borrowed from wf). */
static int build_stages(json_object *wf, hs_stage **out, size_t *n_out)
{
    json_object *arr = hs_json_get(wf, "Stages");
    size_t n = arr != NULL && json_object_is_type(arr, json_type_array)
                   ? json_object_array_length(arr) : 0;
    hs_stage *stages;

    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    if ((stages = calloc(n, sizeof *stages)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *st = json_object_array_get_idx(arr, i);
        json_object *sa = hs_json_get(st, "Statuses");
        size_t m = sa != NULL && json_object_is_type(sa, json_type_array)
                       ? json_object_array_length(sa) : 0;
        hs_ref *refs = m ? calloc(m, sizeof *refs) : NULL;

        if (m && refs == NULL) {
            free_stages(stages, i);
            return -1;
        }
        stages[i].struct_size = sizeof stages[i];
        stages[i].id = hs_json_str(st, "Id");
        stages[i].name = hs_json_str(st, "Description");
        for (size_t j = 0; j < m; j++) {
            refs[j].struct_size = sizeof refs[j];
            refs[j].id = hs_json_str(json_object_array_get_idx(sa, j), "Id");
            refs[j].name = hs_json_str(json_object_array_get_idx(sa, j), "Description");
        }
        stages[i].statuses = refs;
        stages[i].n_statuses = m;
        stages[i].status_size = sizeof *refs;
    }
    *out = stages;
    *n_out = n;
    return 0;
}

static hs_status emit_vacancy(job_walk *w, json_object *v, hs_error *err)
{
    char created[HS_TIME_BUF], updated[HS_TIME_BUF];
    json_object *wf = workflow_by_id(&w->wf, hs_json_str(v, "Workflow.Id"));
    hs_stage *stages = NULL;
    size_t n_stages = 0;
    hs_job job;
    hs_status st;

    memset(&job, 0, sizeof job);
    job.struct_size = sizeof job;
    job.id = hs_json_str(v, "VacancyId");
    if (job.id == NULL)
        return HS_OK;
    job.title = hs_json_str(v, "Title");
    job.status = hs_json_str(v, "VacancyStatus.Description");
    job.department = hs_json_str(v, "Department.Description");
    if (hs_eploy_date(w->conn, hs_json_str(v, "CreationDate"), NULL, created, sizeof created) == 0)
        job.created_at = created;
    if (hs_eploy_date(w->conn, hs_json_str(v, "ModificationDate"), NULL, updated,
                      sizeof updated) == 0)
        job.updated_at = updated;
    if (build_stages(wf, &stages, &n_stages) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    job.stages = stages;
    job.n_stages = n_stages;
    job.stage_size = sizeof *stages;
    st = w->em->job(w->em->ctx, &job);
    free_stages(stages, n_stages);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "eploy: the host stopped job discovery (%s)",
                            hs_status_name(st));
    w->emitted++;
    return HS_OK;
}

static hs_status vacancy_page(void *ctx, json_object *records, int page, hs_error *err)
{
    size_t n = json_object_array_length(records);

    (void)page;
    for (size_t i = 0; i < n; i++) {
        hs_status st = emit_vacancy(ctx, json_object_array_get_idx(records, i), err);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

hs_status hs_eploy_discover_jobs(hs_conn *conn, const hs_emitter *em, hs_error *err)
{
    static const char *const wf_blocks[] = {"WorkflowID", "Title", "Stages", NULL};
    static const char *const vac_blocks[] = {"VacancyId", "Title", "VacancyStatus", "Department",
                                             "Workflow", "CreationDate", "ModificationDate",
                                             NULL};
    hs_eploy_search s = {"workflows", NULL, 0, wf_blocks, HS_EPLOY_PERM_WORKFLOWS, 0, 0};
    job_walk w;
    char **ids = NULL;
    size_t n_ids = 0;
    hs_status st;

    if (em == NULL || em->job == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: discover_jobs without an emitter");
    memset(&w, 0, sizeof w);
    w.conn = conn;
    w.em = em;
    if ((st = hs_eploy_open_status_ids(conn, &ids, &n_ids, err)) != HS_OK)
        goto out;
    if ((st = hs_eploy_search_pages(conn, &s, keep_workflow_page, &w.wf, err)) != HS_OK)
        goto out;
    for (size_t i = 0; i < n_ids; i++) {
        hs_eploy_filter f = {"Vacancy.VacancyStatus", "Equals", ids[i]};
        hs_eploy_search vs = {"vacancies", &f, 1, vac_blocks, HS_EPLOY_PERM_VACANCIES, 0, 0};
        if ((st = hs_eploy_search_pages(conn, &vs, vacancy_page, &w, err)) != HS_OK)
            goto out;
    }
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: %zu open vacancies", w.emitted);
out:
    hs_eploy_strv_free(ids, n_ids);
    workflows_free(&w.wf);
    return st;
}
