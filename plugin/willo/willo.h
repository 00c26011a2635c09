/*
 * The Willo connector's private interface: the connection, its configuration and the client
 * that every operation goes through. Nothing here is exported from the module (only the entry
 * symbol is); the hs_willo_ prefix keeps the names apart from the rest of hiresync.
 *
 * Ownership: an hs_conn is allocated by hs_willo_open (willo.c) and freed by its close; it owns
 * its configuration strings and both HTTP handles. json_object results handed out by the client
 * are new references the caller releases with json_object_put.
 */
#ifndef HS_WILLO_H
#define HS_WILLO_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <hiresync/connector.h>

#include "hs_http.h"

#define HS_WILLO_PRODUCTION_URL "https://api.willotalent.com/api/integrations/v2"
#define HS_WILLO_STAGING_URL "https://api.stage.willotalent.com/api/integrations/v2"

/* The Authorization header forms Willo may expect (its documentation does not settle it). */
typedef enum hs_willo_scheme {
    HS_WILLO_BEARER = 0, /* "Authorization: Bearer <key>" */
    HS_WILLO_TOKEN = 1,  /* "Authorization: Token <key>" */
    HS_WILLO_RAW = 2,    /* "Authorization: <key>" */
    HS_WILLO_N_SCHEMES = 3,
    HS_WILLO_AUTO = -1
} hs_willo_scheme;

/* Parsed connection configuration; strings are owned (freed by hs_willo_config_clear). */
typedef struct hs_willo_config {
    char *api_key;            /* secret: never logged, never in an error */
    char *base_url;           /* without a trailing slash */
    int scheme;               /* hs_willo_scheme; HS_WILLO_AUTO to detect */
    char **link_fields;       /* dotted participant paths holding the recruiter link */
    size_t n_link_fields;
    int page_size;            /* 1..30 */
    long timeout_ms;
    int64_t min_gap_ms;       /* between the starts of two requests */
    int64_t overlap_ms;       /* read_changes looks back this far behind a watermark */
    int max_attempts;
    int64_t backoff_ms;
    char default_country_code[8]; /* digits, "" when none: for national phone numbers */
    /* participant fields of the lifecycle times (Willo's names are not documented) */
    char *started_field, *expired_field, *declined_field, *updated_field;
} hs_willo_config;

struct hs_conn {
    const hs_host_api *api;   /* borrowed; outlives the connection */
    hs_host *host;            /* borrowed; outlives the connection */
    hs_willo_config cfg;
    hs_http *http;            /* every request; paced and retried by hs_http */
    int scheme;               /* scheme in use (never HS_WILLO_AUTO) */
    int scheme_known;         /* 1 once a request succeeded with `scheme` (or it is fixed) */
    int ordering_ignored;     /* 1 once Willo rejected or ignored ordering=-completed */
    int status_filter_off;    /* 1 once Willo rejected status=completed */
};

/* ---- willo_config.c ---- */

/* Parses and checks config_json into cfg (zeroed by the caller). On failure fills err with
 * HS_E_CONFIG naming the key to fix; cfg then holds nothing to free beyond what
 * hs_willo_config_clear releases. */
hs_status hs_willo_config_parse(const char *config_json, hs_willo_config *cfg, hs_error *err);
void hs_willo_config_clear(hs_willo_config *cfg);
const char *hs_willo_scheme_name(int scheme);

/* ---- willo_client.c ---- */

/* Builds "<base>/<path>?<query>" into a new string the caller frees; query is already
 * escaped (may be NULL). NULL on allocation failure. */
char *hs_willo_url(const hs_conn *c, const char *path, const char *query);

/* One request to Willo. url must be on the configured base's origin. body (may be NULL) is
 * sent as JSON. `once` (for creates) sends it as hs_http_request.once: not sent again
 * once the server may have acted on it.
 * Returns HS_OK when Willo answered 2xx, 400 or 404: *status holds the code and *json the
 * parsed body (an object or array for 2xx, NULL for a 204 without body; for 400/404 the body
 * when it is JSON, else NULL).
 * Anything else is an error status with err filled: 401 -> HS_E_CONFIG, 403 ->
 * HS_E_PERMISSION, a 2xx body that is not JSON -> HS_E_INTERNAL, transport trouble ->
 * HS_RETRY (from hs_http). `what` names the call in messages, e.g. "GET /participants/". */
hs_status hs_willo_request(hs_conn *c, const char *method, const char *url, const char *what,
                           json_object *body, int once, long *status, json_object **json,
                           hs_error *err);

/* Called for each page of a list: results is the page's "results" array (borrowed). Set *stop
 * to end the listing early. */
typedef hs_status (*hs_willo_page_fn)(void *ctx, json_object *results, int *stop,
                                      hs_error *err);

/* Walks a DRF list from url, following "next" links only on the base's origin (any other
 * origin ends the walk with HS_E_INTERNAL naming the foreign host; nothing is sent there).
 * Returns HS_OK when the walk ended (last page, or *stop). When the first page answers 400
 * or 404 it returns HS_OK with *status set to it and *err_body (if non-NULL) the body; the
 * callback is then not called. */
hs_status hs_willo_pages(hs_conn *c, const char *url, const char *what, hs_willo_page_fn fn,
                         void *ctx, long *status, json_object **err_body, hs_error *err);

/* Flattens a DRF error body ({"detail": ".."}, {"email": [".."]}) into one line. */
void hs_willo_error_text(json_object *body, char *out, size_t out_size);

/* Fills err for an unexpected 400/404 answer. Returns HS_E_DATA. */
hs_status hs_willo_unexpected(const char *what, long status, json_object *body, hs_error *err);

/* Fills err for a 400/404 to the interview list, which means base_url points elsewhere.
 * Returns HS_E_CONFIG. */
hs_status hs_willo_no_list(long status, json_object *body, hs_error *err);

/* ---- willo_participant.c ---- */

/* The recruiter link of a participant per cfg.link_fields (borrowed from p), or NULL. */
const char *hs_willo_participant_link(const hs_conn *c, json_object *p);

/* Fills person (struct_size set) with strings borrowed from p. */
void hs_willo_participant_person(json_object *p, hs_person *person);

/* 1 unless the participant names another interview than `interview` (as a key or as a
 * nested object with a key): a list whose interview filter Willo ignored must not mix
 * interviews. */
int hs_willo_participant_in(json_object *p, const char *interview);

/* 1 when the participant's email equals email, ignoring ASCII case and outer blanks. */
int hs_willo_email_equal(const char *a, const char *b);

/* ---- willo_phone.c ---- */

/* Normalises a phone number to E.164 ("+" and 8 to 15 digits) into out. Numbers with "+" or
 * "00" are international; a national number (leading 0) needs default_cc (digits, may be "").
 * Returns 0, or -1 when the number cannot be made E.164. */
int hs_willo_phone_e164(const char *phone, const char *default_cc, char *out, size_t out_size);

/* ---- willo_lifecycle.c ---- */

/* One event of a participant's life, in the order it happens. */
typedef struct hs_willo_event {
    uint32_t kind;            /* hs_change_kind */
    int64_t at;               /* Willo's time of it */
} hs_willo_event;

#define HS_WILLO_MAX_EVENTS 5

/* The completion time of p; -1 when it is not completed. */
int hs_willo_completion(json_object *p, int64_t *t);

/* The events p shows (invited, started, completed, expired, declined; each when its time or
 * status is there), into ev[HS_WILLO_MAX_EVENTS]; returns how many. *updated is the
 * participant's `updated` time (or its newest event when Willo gives none); 0 when unknown. */
size_t hs_willo_events(const hs_conn *c, json_object *p, hs_willo_event *ev, int64_t *updated);

/* p's responses as answers: a new array (*answers, freed by the caller with free()) whose
 * strings are borrowed from p; *n may be 0 (then *answers is NULL). -1 on allocation failure. */
int hs_willo_answers(json_object *p, hs_answer **answers, size_t *n);

/* ---- willo_cursor.c (its format is described there) ---- */

typedef struct hs_willo_mark {
    char *interview;          /* owned inside a cursor; borrowed in a mark passed to set */
    int has_wm, has_floor, has_uwm, has_lfloor;
    int64_t wm, floor, uwm, lfloor;
    int lc;                   /* 1 when the lifecycle marks (uwm, lfloor) exist */
} hs_willo_mark;

typedef struct hs_willo_cursor {
    hs_willo_mark *marks;     /* owned */
    size_t n, cap;
} hs_willo_cursor;

void hs_willo_cursor_free(hs_willo_cursor *cur);
hs_willo_mark *hs_willo_cursor_find(hs_willo_cursor *cur, const char *interview);
/* Adds or replaces the mark of m->interview (the name is copied). 0 or -1. */
int hs_willo_cursor_set(hs_willo_cursor *cur, const hs_willo_mark *m);
/* "" or NULL is an empty cursor. */
hs_status hs_willo_cursor_parse(const char *text, hs_willo_cursor *cur, hs_error *err);
/* A new string the caller frees; NULL on allocation failure. */
char *hs_willo_cursor_json(const hs_willo_cursor *cur);

/* ---- willo_changes.c ---- */

/* Records that hiresync invited (or adopted) a participant created at `created` (Willo's time
 * string) in interview, so that the interview's first read reports completions from then on.
 * Best effort: a failure is logged. */
void hs_willo_note_invited(hs_conn *c, const char *interview, const char *created);

/* ---- operations (one file each) ---- */

hs_status hs_willo_check(hs_conn *c, const hs_check_report *report, hs_error *err);
hs_status hs_willo_discover_jobs(hs_conn *c, const hs_emitter *emitter, hs_error *err);
hs_status hs_willo_read_changes(hs_conn *c, const hs_read_request *request,
                                const hs_emitter *emitter, hs_error *err);
hs_status hs_willo_sync_subscriptions(hs_conn *c, const hs_subscription_request *request,
                                      const hs_subscription_report *report, hs_error *err);
hs_status hs_willo_write_invitation(hs_conn *c, const hs_invitation *inv,
                                    hs_write_result *result, hs_error *err);

#endif /* HS_WILLO_H */
