/*
 * The people behind a page of applications, fetched in batches: one applications search
 * (ApplicationId "In" the page's ids) for the candidate ids when they are not known yet, then
 * one candidates search (CandidateId "In" those ids). "In" is not a documented Eploy
 * operation; when the server answers 400 to it, the connection switches to one "Equals"
 * search per id and says so once in the log.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"

#define BATCH 100

typedef struct lookup {
    hs_eploy_people *people;
    int by_candidate;       /* 0: records are applications, 1: candidates */
} lookup;

static void copy_id(char *dst, size_t size, const char *src)
{
    (void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

static char *dup_nonempty(const char *s)
{
    return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

static hs_status take_application(hs_eploy_people *p, json_object *rec)
{
    const char *app = hs_json_str(rec, "ApplicationId");

    for (size_t i = 0; app != NULL && i < p->n; i++) {
        if (strcmp(p->items[i].app_id, app) == 0) {
            copy_id(p->items[i].cand_id, sizeof p->items[i].cand_id,
                    hs_json_str(rec, "Candidate.Id"));
            copy_id(p->items[i].vacancy_id, sizeof p->items[i].vacancy_id,
                    hs_json_str(rec, "Vacancy.Id"));
        }
    }
    return HS_OK;
}

static hs_status take_candidate(hs_eploy_people *p, json_object *rec)
{
    const char *cand = hs_json_str(rec, "CandidateId");
    const char *mobile = hs_json_str(rec, "Mobile");
    const char *phone = mobile != NULL && *mobile != '\0' ? mobile : hs_json_str(rec, "Telephone");

    for (size_t i = 0; cand != NULL && i < p->n; i++) {
        hs_eploy_person *e = &p->items[i];
        /* the first record of a candidate wins; a second one (Eploy may repeat it) must
         * not replace, and leak, what the first gave, whichever fields that was */
        if (strcmp(e->cand_id, cand) != 0 || e->first_name != NULL || e->last_name != NULL ||
            e->email != NULL || e->phone != NULL)
            continue;
        e->first_name = dup_nonempty(hs_json_str(rec, "FirstName"));
        e->last_name = dup_nonempty(hs_json_str(rec, "Surname"));
        e->email = dup_nonempty(hs_json_str(rec, "Email"));
        e->phone = dup_nonempty(phone);
    }
    return HS_OK;
}

static hs_status on_page(void *ctx, json_object *records, int page, hs_error *err)
{
    lookup *l = ctx;
    size_t n = json_object_array_length(records);

    (void)page;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        json_object *rec = json_object_array_get_idx(records, i);
        hs_status st = l->by_candidate ? take_candidate(l->people, rec)
                                       : take_application(l->people, rec);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

/* One search of ids (unique, at most BATCH) with route "In" the comma-separated list. */
static hs_status lookup_in(hs_conn *conn, lookup *l, const hs_eploy_search *base,
                           const char *route, const char *const *ids, size_t n, hs_error *err)
{
    char list[BATCH * 24];
    size_t len = 0;
    hs_eploy_filter f = {route, "In", list};
    hs_eploy_search s = *base;

    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", i ? "," : "", ids[i]);
        if (w < 0 || (size_t)w >= sizeof list - len)
            return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: id list too long");
        len += (size_t)w;
    }
    s.filters = &f;
    s.n_filters = 1;
    return hs_eploy_search_pages(conn, &s, on_page, l, err);
}

/* One "Equals" search per id. */
static hs_status lookup_each(hs_conn *conn, lookup *l, const hs_eploy_search *base,
                             const char *route, const char *const *ids, size_t n, hs_error *err)
{
    hs_eploy_filter f = {route, "Equals", NULL};
    hs_eploy_search s = *base;

    s.filters = &f;
    s.n_filters = 1;
    s.max_pages = 1;
    for (size_t i = 0; i < n; i++) {
        hs_status st;
        f.value = ids[i];
        if ((st = hs_eploy_search_pages(conn, &s, on_page, l, err)) != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status lookup_ids(hs_conn *conn, lookup *l, const char *resource, const char *route,
                            const char *const *blocks, const char *permission,
                            const char *const *ids, size_t n, hs_error *err)
{
    hs_eploy_search s = {resource, NULL, 0, blocks, permission, BATCH, 0};

    if (n == 0)
        return HS_OK;
    if (!conn->in_unsupported) {
        hs_status st = lookup_in(conn, l, &s, route, ids, n, err);
        if (st != HS_E_DATA || err == NULL || err->http_status != 400)
            return st;
        conn->in_unsupported = 1;
        conn->api->log(conn->host, HS_LOG_WARN,
                       "eploy: the server refused the \"In\" filter operation (HTTP 400); "
                       "looking records up one by one from now on, which costs more calls");
    }
    return lookup_each(conn, l, &s, route, ids, n, err);
}

static int seen_before(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ids[i], id) == 0)
            return 1;
    }
    return 0;
}

hs_status hs_eploy_people_fetch(hs_conn *conn, const char *const *app_ids,
                                const char *const *cand_ids, const char *const *vacancy_ids,
                                size_t n, hs_eploy_people *people, hs_error *err)
{
    static const char *const app_blocks[] = {"ApplicationId", "Candidate", "Vacancy", NULL};
    static const char *const cand_blocks[] = {"CandidateId", "FirstName", "Surname", "Email",
                                              "Mobile", "Telephone", NULL};
    const char *ids[BATCH];
    size_t n_ids = 0;
    lookup l = {people, 0};

    hs_eploy_people_clear(people);
    if (n == 0)
        return HS_OK;
    if (n > BATCH)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: people batch over %d", BATCH);
    people->items = calloc(n, sizeof *people->items);
    if (people->items == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    people->n = n;
    for (size_t i = 0; i < n; i++) {
        hs_eploy_person *e = &people->items[i];
        copy_id(e->app_id, sizeof e->app_id, app_ids[i]);
        if (cand_ids != NULL)
            copy_id(e->cand_id, sizeof e->cand_id, cand_ids[i]);
        if (vacancy_ids != NULL)
            copy_id(e->vacancy_id, sizeof e->vacancy_id, vacancy_ids[i]);
        if (e->app_id[0] != '\0' && !seen_before(ids, n_ids, e->app_id))
            ids[n_ids++] = e->app_id;
    }
    if (cand_ids == NULL) {
        hs_status st = lookup_ids(conn, &l, "applications", "Application.ApplicationId", app_blocks,
                        HS_EPLOY_PERM_APPLICATIONS, ids, n_ids, err);
        if (st != HS_OK)
            return st;
    }
    n_ids = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = people->items[i].cand_id;
        if (*c != '\0' && !seen_before(ids, n_ids, c))
            ids[n_ids++] = c;
    }
    l.by_candidate = 1;
    return lookup_ids(conn, &l, "candidates", "Candidate.CandidateId", cand_blocks,
                      HS_EPLOY_PERM_CANDIDATES, ids, n_ids, err);
}

const hs_eploy_person *hs_eploy_people_find(const hs_eploy_people *people, const char *app_id)
{
    for (size_t i = 0; app_id != NULL && i < people->n; i++) {
        if (strcmp(people->items[i].app_id, app_id) == 0)
            return &people->items[i];
    }
    return NULL;
}

void hs_eploy_people_clear(hs_eploy_people *people)
{
    for (size_t i = 0; i < people->n; i++) {
        free(people->items[i].first_name);
        free(people->items[i].last_name);
        free(people->items[i].email);
        free(people->items[i].phone);
    }
    free(people->items);
    people->items = NULL;
    people->n = 0;
}
