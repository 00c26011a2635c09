/*
 * The search envelope shared by every Eploy "…/search" endpoint, and its paging:
 *   request  {"Paging":{"RecordsPerPage":n,"RequestedPage":p},"Filters":[...],
 *             "ResponseBlocks":[...]}
 *   response {"CurrentPage":p,"TotalPages":t,"Records":[...]}
 * The walk ends at an empty Records, at CurrentPage >= TotalPages, or when CurrentPage is
 * missing (older servers answered a single page that way). Only one page is held at a time.
 */
#include <stdio.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"

/* Far more pages than any tenant has; stops a server that never says "last page". */
#define MAX_PAGES 1000000

static json_object *build_body(const hs_eploy_search *s, int page_size, int page)
{
    json_object *body = json_object_new_object();
    json_object *paging = json_object_new_object();
    json_object *filters = json_object_new_array();
    json_object *blocks = json_object_new_array();
    int bad = body == NULL || paging == NULL || filters == NULL || blocks == NULL;

    if (!bad) {
        bad |= json_object_object_add(paging, "RecordsPerPage", json_object_new_int(page_size));
        bad |= json_object_object_add(paging, "RequestedPage", json_object_new_int(page));
        for (size_t i = 0; i < s->n_filters; i++) {
            json_object *f = json_object_new_object();
            if (f == NULL || json_object_array_add(filters, f) != 0) {
                json_object_put(f);
                bad = 1;
                break;
            }
            bad |= json_object_object_add(f, "Route", json_object_new_string(s->filters[i].route));
            bad |= json_object_object_add(f, "Value", json_object_new_string(s->filters[i].value));
            bad |= json_object_object_add(f, "Operation",
                                          json_object_new_string(s->filters[i].operation));
        }
        for (size_t i = 0; s->blocks != NULL && s->blocks[i] != NULL; i++)
            bad |= json_object_array_add(blocks, json_object_new_string(s->blocks[i]));
    }
    if (!bad) {
        bad |= json_object_object_add(body, "Paging", paging);
        paging = NULL;
        bad |= json_object_object_add(body, "Filters", filters);
        filters = NULL;
        bad |= json_object_object_add(body, "ResponseBlocks", blocks);
        blocks = NULL;
    }
    json_object_put(paging);
    json_object_put(filters);
    json_object_put(blocks);
    if (bad) {
        json_object_put(body);
        return NULL;
    }
    return body;
}

hs_status hs_eploy_search_pages(hs_conn *conn, const hs_eploy_search *s, hs_eploy_page_fn fn,
                                void *ctx, hs_error *err)
{
    return hs_eploy_search_pages_total(conn, s, fn, ctx, NULL, err);
}

hs_status hs_eploy_search_pages_total(hs_conn *conn, const hs_eploy_search *s,
                                      hs_eploy_page_fn fn, void *ctx, int64_t *total_pages,
                                      hs_error *err)
{
    char path[256];
    int page_size = s->page_size > 0 ? s->page_size : conn->cfg.page_size;
    int max_pages = s->max_pages > 0 ? s->max_pages : MAX_PAGES;
    hs_status st = HS_OK;

    if (snprintf(path, sizeof path, "%s/search", s->resource) >= (int)sizeof path)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: resource name too long");
    for (int page = 1; page <= max_pages; page++) {
        json_object *body = build_body(s, page_size, page);
        json_object *resp = NULL, *records;
        int64_t current = 0, total = 0;
        int last;

        if (body == NULL)
            return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        if (conn->api->cancelled(conn->host)) {
            json_object_put(body);
            return hs_error_set(err, HS_E_CANCELLED, 0, "eploy: cancelled");
        }
        st = hs_eploy_call(conn, "POST", path, body, s->permission, &resp, NULL, err);
        json_object_put(body);
        if (st != HS_OK)
            return st;
        records = hs_json_get(resp, "Records");
        if (resp != NULL && json_object_is_type(resp, json_type_array))
            records = resp;    /* a bare array: tolerated as one page */
        if (records != NULL && !json_object_is_type(records, json_type_array)) {
            json_object_put(resp);
            return hs_error_set(err, HS_E_INTERNAL, 200,
                                "eploy: POST /api/%s: Records is not an array", path);
        }
        last = records == NULL || json_object_array_length(records) == 0 ||
               hs_json_int(resp, "CurrentPage", &current) != 0 ||
               hs_json_int(resp, "TotalPages", &total) != 0 || current >= total;
        /* the last page is the listing's size, whatever it announced */
        if (total_pages != NULL)
            *total_pages = !last && total > page ? total : page;
        if (records != NULL && json_object_array_length(records) > 0)
            st = fn(ctx, records, page, err);
        json_object_put(resp);
        if (st != HS_OK || last)
            return st;
    }
    return st;
}
