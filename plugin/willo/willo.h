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
 * parsed body (an object or array for 2xx; for 400/404 the body when it is JSON, else NULL).
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
hs_status hs_willo_write_invitation(hs_conn *c, const hs_invitation *inv,
                                    hs_write_result *result, hs_error *err);

#endif /* HS_WILLO_H */
