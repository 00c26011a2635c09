/*
 * The Eploy connector's private header: the connection and the functions its files share.
 * Nothing outside plugin/eploy includes it. Names are hs_eploy_* because they are visible
 * across the module's files; the module exports only its entry symbol.
 *
 * Ownership: hs_conn owns everything it points to (config strings, the HTTP handle, the
 * token). Functions that return JSON return a new reference the caller puts.
 */
#ifndef HS_EPLOY_H
#define HS_EPLOY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <hiresync/connector.h>

#include "hs_http.h"

#define HS_EPLOY_VERSION "1.0.0"
#define HS_EPLOY_WHERE "Eploy: Admin > Security Settings > API Keys > (key) > API Permissions"

/* API permissions by the names Eploy's API Permissions screen shows. */
#define HS_EPLOY_PERM_VACANCIES "Vacancies: View"
#define HS_EPLOY_PERM_APPLICATIONS "Applications: View"
#define HS_EPLOY_PERM_CANDIDATES "Candidates: View"
#define HS_EPLOY_PERM_WORKFLOWS "Workflows: View"
#define HS_EPLOY_PERM_ACTIONS_VIEW "Actions: View"
#define HS_EPLOY_PERM_ACTIONS_INSERT "Actions: Insert"
#define HS_EPLOY_PERM_APPLICATIONS_UPDATE "Applications: Update"
#define HS_EPLOY_PERM_EXPORT_INSERT "Export: Insert"

typedef struct hs_eploy_config {
    char *base_url;               /* ".../api", no trailing slash */
    char *client_id;
    char *client_secret;          /* never logged */
    int page_size;
    char **open_statuses;         /* names or ids of vacancy statuses that count as open */
    size_t n_open_statuses;
    int vacancy_status_list;      /* options/dropdown list of vacancy statuses */
    char *history_date_route;
    char *modified_date_route;
    int timezone_offset_min;      /* for dates Eploy writes without a zone */
    char *note_action_type;       /* NULL when not configured */
    char *note_action_outcome;    /* NULL when not configured */
    char *note_text_field;
    char *export_package;         /* Export Package id marking finished applications, or NULL */
    long request_timeout_ms;
    int max_attempts;
    int64_t daily_call_budget;    /* 0: no budget, calls are only counted */
    int64_t overlap_ms;
    int64_t signpost_lag_ms;
    int64_t min_gap_ms;
    int status_history;           /* 0: always read modified applications */
} hs_eploy_config;

struct hs_conn {
    const hs_host_api *api;
    hs_host *host;
    hs_eploy_config cfg;
    hs_http *http;
    char *token;                  /* bearer token, never logged; NULL when none */
    int64_t token_expires_ms;     /* host clock */
    char *token_scope;            /* scopes the token was granted, NULL when not told */
    int in_unsupported;           /* the server answered 400 to the "In" operation */
    int stage_filter_unsupported; /* ... or to the "Application.Stage" route */
    /* Status history refused (see eploy_history.c): the HTTP status (0: read it), and when,
     * by the server's clock (0 when no Date was seen) and by the host's. */
    long history_off;
    int64_t history_off_server_ms;
    int64_t history_off_host_ms;
    int history_loaded;           /* history_off* read from the host store */
    long history_said;            /* the refusal this conn logged (0: none) */
    /* Daily call count (UTC day), kept in the host store and in the cursor. */
    char quota_day[11];
    int64_t quota_used;
    int quota_loaded;
};

/* eploy_config.c: parses and checks the connection's configuration. */
hs_status hs_eploy_config_parse(const char *json, hs_eploy_config *cfg, hs_error *err);
void hs_eploy_config_free(hs_eploy_config *cfg);

/* eploy_auth.c: a valid bearer token in conn->token (renewed shortly before it expires, or
 * now when force is set). */
hs_status hs_eploy_token(hs_conn *conn, int force, hs_error *err);
void hs_eploy_token_forget(hs_conn *conn);

/* eploy_call.c: one API call with the bearer token, renewed once on a 401. path is relative
 * to base_url ("vacancies/search"). On HS_OK *out (when out is non-NULL) holds the parsed
 * body (NULL for an empty body). Non-2xx statuses become errors; a 403 names permission
 * (with where to grant it). *http_status gets the final status when non-NULL. */
hs_status hs_eploy_call(hs_conn *conn, const char *method, const char *path,
                        json_object *body, const char *permission, json_object **out,
                        long *http_status, hs_error *err);

/* {"Id": n} for a record reference, n a number when id is one (Eploy's record ids are
 * integers); a new object, NULL when out of memory. */
json_object *hs_eploy_ref(const char *id);

/* eploy_search.c: the search envelope and its paging. */
typedef struct hs_eploy_filter {
    const char *route;
    const char *operation;        /* "GreaterThan", "Equals", "In" */
    const char *value;
} hs_eploy_filter;

/* Called with each page's Records array (borrowed, maybe empty); returning anything but HS_OK
 * stops the walk with that status. */
typedef hs_status (*hs_eploy_page_fn)(void *ctx, json_object *records, int page, hs_error *err);

typedef struct hs_eploy_search {
    const char *resource;         /* "applications", "applications/statushistory", ... */
    const hs_eploy_filter *filters;
    size_t n_filters;
    const char *const *blocks;    /* ResponseBlocks, NULL-terminated */
    const char *permission;       /* named on a 403 */
    int page_size;                /* 0: the configured page size */
    int max_pages;                /* 0: every page */
} hs_eploy_search;

hs_status hs_eploy_search_pages(hs_conn *conn, const hs_eploy_search *search,
                                hs_eploy_page_fn fn, void *ctx, hs_error *err);
/* The same, writing into *total_pages, before fn sees a page, the number of pages the
 * listing has as its answer says (TotalPages; the page's own number when the answer has no
 * CurrentPage, for that is its only page); it is left alone until then. */
hs_status hs_eploy_search_pages_total(hs_conn *conn, const hs_eploy_search *search,
                                      hs_eploy_page_fn fn, void *ctx, int64_t *total_pages,
                                      hs_error *err);

/* eploy_quota.c: the daily call budget. */
hs_status hs_eploy_quota_on_attempt(void *ctx, hs_error *err);
/* After a call that ended with st: when it is a 429 that says Eploy's daily quota is used up
 * (Retry-After beyond an hour, or the call-limit body), stops this connection's calls (every
 * pipeline of the process and the next process) until the stated time, capped at the next UTC
 * midnight plus a margin, and rewrites err to say so. Returns the status to pass on. */
hs_status hs_eploy_quota_refused(hs_conn *conn, hs_status st, hs_error *err);
/* Takes a count from a cursor (the larger count of the same UTC day wins). */
void hs_eploy_quota_merge(hs_conn *conn, const char *day, int64_t used);
/* Today's (UTC) count; day receives "YYYY-MM-DD" (11 bytes). */
int64_t hs_eploy_quota_today(hs_conn *conn, char day[11]);

/* eploy_history.c: whether stage entries come from the status history or, while Eploy
 * refuses it, from modified applications; the decision is kept in the host store. */
#define HS_EPLOY_HISTORY_PATH "applications/statushistory/search"
/* 1 when this read should ask the status history: no refusal is recorded, or a day has
 * passed since the last one (a probe, which the log says). */
int hs_eploy_history_due(hs_conn *conn);
/* The HTTP status when a failed call says the status history is not offered to this key
 * (403, 404, 405 or 501), else 0. */
long hs_eploy_history_refusal(hs_status st, const hs_error *err);
/* Records a refusal now (store, log line once per process), so reads use the fallback. */
void hs_eploy_history_refused(hs_conn *conn, long http_status);
/* The fallback is in use on this read: says so once per process. */
void hs_eploy_history_fallback(hs_conn *conn);
/* The status history answered: forgets a recorded refusal (and says so). */
void hs_eploy_history_answered(hs_conn *conn);
/* What a refusal costs, for the log and check: "<endpoint> … (HTTP n); … missed; …". */
void hs_eploy_history_describe(long http_status, char *buf, size_t size);

/* eploy_people.c: candidates of a page of applications, fetched in batches. */
typedef struct hs_eploy_person {
    char app_id[24];
    char cand_id[24];
    char vacancy_id[24];
    char *first_name, *last_name, *email, *phone;   /* owned, may be NULL */
} hs_eploy_person;

typedef struct hs_eploy_people {
    hs_eploy_person *items;
    size_t n;
} hs_eploy_people;

/* Fills people->items for the given application ids (a page at most). When cand_ids is
 * non-NULL it gives each application's candidate id (as the application search returned it)
 * and vacancy_ids its vacancy, so that only the candidates are looked up. */
hs_status hs_eploy_people_fetch(hs_conn *conn, const char *const *app_ids,
                                const char *const *cand_ids, const char *const *vacancy_ids,
                                size_t n, hs_eploy_people *people, hs_error *err);
const hs_eploy_person *hs_eploy_people_find(const hs_eploy_people *people, const char *app_id);
void hs_eploy_people_clear(hs_eploy_people *people);

/* eploy_date.c: parses a date as Eploy wrote it (zone-less dates in the configured zone) into
 * ms and, when out is non-NULL, the normalised "YYYY-MM-DDTHH:MM:SS.mmmZ"; 0 or -1. */
int hs_eploy_date(const hs_conn *conn, const char *remote, int64_t *ms, char *out,
                  size_t out_size);

/* eploy_cursor.c: the read_changes cursor (format documented there). */
#define HS_EPLOY_SEEN_MAX 1000

typedef struct hs_eploy_cursor {
    int64_t since_ms;            /* status changes after this time (less the overlap) are read */
    int has_since;
    char mode[16];               /* "history" or "modified": how the last read was done */
    int64_t gap_ms;              /* "modified" since here: the status history not read */
    int has_gap;
    char **seen;                 /* keys already emitted inside the overlap window, owned */
    size_t n_seen, cap_seen;
} hs_eploy_cursor;

/* "" gives an empty cursor (has_since 0). Merges the cursor's call count into the quota. */
hs_status hs_eploy_cursor_parse(hs_conn *conn, const char *json, hs_eploy_cursor *cursor,
                                hs_error *err);
/* A new malloc'd JSON string; NULL when out of memory. */
char *hs_eploy_cursor_format(hs_conn *conn, const hs_eploy_cursor *cursor);
int hs_eploy_cursor_has_seen(const hs_eploy_cursor *cursor, const char *key);
/* Adds a copy of key (ignored once HS_EPLOY_SEEN_MAX keys are held); 0 or -1. */
int hs_eploy_cursor_add_seen(hs_eploy_cursor *cursor, const char *key);
/* Drops the keys whose date is not after after_ms. */
void hs_eploy_cursor_prune_seen(hs_eploy_cursor *cursor, int64_t after_ms);
void hs_eploy_cursor_free(hs_eploy_cursor *cursor);

/* Operations (one file each). */
hs_status hs_eploy_check(hs_conn *conn, const hs_check_report *report, hs_error *err);
hs_status hs_eploy_discover_jobs(hs_conn *conn, const hs_emitter *emitter, hs_error *err);
hs_status hs_eploy_read_changes(hs_conn *conn, const hs_read_request *request,
                                const hs_emitter *emitter, hs_error *err);
hs_status hs_eploy_write_note(hs_conn *conn, const hs_note *note, hs_write_result *result,
                              hs_error *err);
/* Where an application is in its workflow (ids and names as Eploy shows them, "" when
 * absent) and its vacancy. */
typedef struct hs_eploy_position {
    char stage_id[32], status_id[32], vacancy[32];
    char stage[128], status[128];
} hs_eploy_position;

/* One GET applications/{id}: where the application is. A position without a stage is
 * HS_E_INTERNAL (malformed response). */
hs_status hs_eploy_read_position(hs_conn *conn, const char *app_id, hs_eploy_position *p,
                                 hs_error *err);
/* 1 when p is one of the positions (hs_move.from's matching: a stage by id or else name, and
 * one of its statuses when it lists any). */
int hs_eploy_in_positions(const hs_stage *from, size_t n_from, size_t from_size,
                          const hs_eploy_position *p);

hs_status hs_eploy_move_record(hs_conn *conn, const hs_move *move, hs_write_result *result,
                               hs_error *err);

/* eploy_export.c: marks the application with the configured export package (idempotent on
 * Eploy's side). HS_RETRY (err filled) when the mark failed for a passing reason, so that the
 * note is written again, which marks it; any other failure is logged and HS_OK returned. */
hs_status hs_eploy_export_mark(hs_conn *conn, const char *app_id, hs_error *err);

/* eploy_jobs.c: the ids of the vacancy statuses that count as open (resolved from the status
 * dropdown); a malloc'd array of malloc'd strings. */
hs_status hs_eploy_open_status_ids(hs_conn *conn, char ***ids, size_t *n, hs_error *err);
void hs_eploy_strv_free(char **v, size_t n);

#endif /* HS_EPLOY_H */
