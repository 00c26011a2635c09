/*
 * hiresync-sandbox: local Eploy and Willo API servers with an admin interface.
 * Internal header shared by the sandbox's files; nothing outside tests/sandbox includes it.
 *
 * Ownership: the whole sandbox lives in one process-wide hs_sb_world (hs_sb_w). Its data is
 * built by hs_sb_data_build() and freed by hs_sb_data_free(); every access to it (records,
 * tokens, participants, faults, settings) happens with hs_sb_w.lock held, which the HTTP layer
 * takes around each route handler. Strings returned by the name/format helpers point into
 * static tables or into caller-supplied buffers.
 */
#ifndef HS_SANDBOX_H
#define HS_SANDBOX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum { HS_SB_EPLOY = 0, HS_SB_WILLO = 1, HS_SB_ADMIN = 2, HS_SB_NSERVERS = 3 };

enum { HS_SB_DATE_UTC, HS_SB_DATE_NAIVE, HS_SB_DATE_OFFSET, HS_SB_DATE_SECONDS };
enum { HS_SB_AUTH_ANY, HS_SB_AUTH_BEARER, HS_SB_AUTH_TOKEN, HS_SB_AUTH_RAW };
enum { HS_SB_DUP_REJECT, HS_SB_DUP_CREATE, HS_SB_DUP_RETURN };

#define HS_SB_MAX_KEYS 64
#define HS_SB_MAX_BODY (1024 * 1024)
#define HS_SB_PAGE_MAX 100
#define HS_SB_WILLO_PAGE_MAX 30
#define HS_SB_WILLO_PAGE_DEFAULT 10
#define HS_SB_WILLO_BASE "/api/integrations/v2"

/* ---- Eploy scopes (a bit each) ---- */
int hs_sb_scope_bit(const char *name);          /* -1 if unknown */
uint32_t hs_sb_scope_all(void);
/* Writes "a,b,c" for a mask; returns buf. */
char *hs_sb_scope_list(uint32_t mask, char *buf, size_t size);

typedef struct hs_sb_eploy_key {
    char id[128];
    char secret[128];
    uint32_t scopes;
    int ip_denied;
} hs_sb_eploy_key;

typedef struct hs_sb_config {
    uint64_t seed;
    uint32_t vacancies, applications, interviews, participants;
    int ports[HS_SB_NSERVERS];
    int latency_ms;
    int token_ttl;
    long quota_per_day;
    int willo_auth;
    int willo_dup;
    double willo_rate;
    int64_t willo_deadline_s;                     /* --willo-deadline-days; 0: none */
    int date_style;
    int64_t data_end_ms;                          /* generated data ends here */
    int64_t clock_offset_ms;                      /* --clock-offset-ms at start */
    hs_sb_eploy_key eploy_keys[HS_SB_MAX_KEYS];
    int n_eploy_keys;
    char willo_keys[HS_SB_MAX_KEYS][128];
    int n_willo_keys;
    int verbose;
} hs_sb_config;

/* ---- Eploy workflows ---- */
typedef struct hs_sb_status { int id; const char *name; } hs_sb_status;
typedef struct hs_sb_stage {
    int id;
    const char *name;
    int n_statuses;
    hs_sb_status statuses[4];
} hs_sb_stage;
typedef struct hs_sb_workflow {
    int id;
    const char *title;
    int n_stages;
    hs_sb_stage stages[8];
} hs_sb_workflow;

/* Compact records: strings are generated on output from indexes into name tables. */
typedef struct hs_sb_vacancy {
    int64_t created_ms, modified_ms;
    uint16_t title, location;
    uint8_t workflow, status;                     /* status: index into vacancy status list */
} hs_sb_vacancy;

typedef struct hs_sb_application {
    int64_t modified_ms;
    uint32_t applied_before_s;                    /* ApplicationDate = modified - this */
    uint16_t vacancy;
    uint8_t stage, status;                        /* indexes in the vacancy's workflow */
} hs_sb_application;

#define HS_SB_CAND_NO_EMAIL 1u
#define HS_SB_CAND_NO_PHONE 2u
#define HS_SB_CAND_NO_MOBILE 4u
#define HS_SB_CAND_OVERRIDE 8u                    /* has an entry in the override list */
typedef struct hs_sb_candidate {
    int64_t modified_ms;
    uint16_t first, last;
    uint8_t flags, town;
} hs_sb_candidate;

typedef struct hs_sb_history {
    int64_t date_ms;
    uint32_t app;
    uint8_t stage, status;
} hs_sb_history;

typedef struct hs_sb_action {
    int64_t created_ms;
    char type_id[64], outcome_id[64];
    int64_t application, candidate, vacancy;      /* 0 when absent */
    char start_date[64];
    char *text;                                   /* owned */
} hs_sb_action;

/* A tenant workflow rule: an action with this outcome moves its application (admin). */
typedef struct hs_sb_outcome_rule {
    char outcome[24];                             /* outcome id (dropdown 95) */
    char stage[64], status[64];                   /* name or id; status "" = the stage's first */
} hs_sb_outcome_rule;

/* An application marked with an export package. */
typedef struct hs_sb_export {
    int64_t application, date_ms;
    long package;                                 /* dropdown 86 id */
} hs_sb_export;

typedef struct hs_sb_cand_override {
    uint32_t cand;
    char *email, *first, *last, *phone, *mobile;  /* owned; NULL keeps the generated value */
    struct hs_sb_cand_override *next;
} hs_sb_cand_override;

typedef struct hs_sb_token {
    char value[48];
    int key;
    uint32_t scopes;
    int64_t expires_ms;
} hs_sb_token;

/* ---- Willo ---- */
typedef struct hs_sb_interview {
    char key[33];
    char title[96];
    char department[33], department_name[64];
    char owner_key[33], owner_email[96], owner_name[64];
    int64_t created_ms;
    int deleted;
} hs_sb_interview;

typedef struct hs_sb_participant {
    char key[33];
    char interview[33];
    char *first, *last, *email, *phone, *stage;   /* owned */
    int status;                                   /* HS_SB_PT_* */
    int64_t created_ms, updated_ms, completed_ms; /* completed 0 = null */
    int64_t started_ms, expires_ms, expired_ms, declined_ms;  /* 0 = null */
    char score[16], scores[3][16];                /* "" = null: overall, per response */
    int deleted;
} hs_sb_participant;
enum { HS_SB_PT_INVITED, HS_SB_PT_STARTED, HS_SB_PT_COMPLETED, HS_SB_PT_EXPIRED,
       HS_SB_PT_DECLINED };

typedef struct hs_sb_webhook {
    char key[33];
    char *target_url, *trigger;                   /* owned */
    int is_active;
    int64_t created_ms;
    int deleted;
} hs_sb_webhook;

typedef struct hs_sb_delivery {
    char webhook[33], participant[33], trigger[24];
    char *target_url;                             /* owned */
    int64_t created_ms;
    int state;                                    /* 0 pending, 1 delivered, 2 failed */
    long status;                                  /* HTTP status of the receiver */
    int attempts;                                 /* POSTs made so far */
    char error[128];
} hs_sb_delivery;

/* An inbox on the admin server: requests received there (webhook targets for tests). */
typedef struct hs_sb_inbox_item {
    char method[16];
    char *path, *body;                            /* owned */
} hs_sb_inbox_item;

typedef struct hs_sb_fault {
    int server;
    char route[256];
    char method[16];                              /* "" for any */
    int status;
    int retry_after;                              /* -1 for none */
    int delay_ms;
    int kind;                                     /* HS_SB_FAULT_* */
    long count;                                   /* < 0: unlimited */
} hs_sb_fault;
enum { HS_SB_FAULT_STATUS, HS_SB_FAULT_RESET, HS_SB_FAULT_TRUNCATE, HS_SB_FAULT_MALFORMED };

/* sandbox_index.c: hash -> record number; the match function checks the record. */
typedef struct hs_sb_index_slot {
    uint64_t h;
    uint32_t v;                                   /* record + 1; 0 marks a free slot */
} hs_sb_index_slot;
typedef struct hs_sb_index {
    hs_sb_index_slot *slots;                      /* owned */
    size_t cap, n;
} hs_sb_index;
typedef int (*hs_sb_match_fn)(uint32_t rec, const void *ctx);
uint64_t hs_sb_hash(const char *s, int fold_case);
int hs_sb_index_add(hs_sb_index *ix, uint64_t h, uint32_t v);
uint32_t hs_sb_index_find(const hs_sb_index *ix, uint64_t h, hs_sb_match_fn match,
                          const void *ctx);                   /* UINT32_MAX if none */
void hs_sb_index_free(hs_sb_index *ix);

typedef struct hs_sb_world {
    pthread_mutex_t lock;
    hs_sb_config cfg;                             /* start-up values (kept for /reset) */
    /* settings changeable at run time */
    int willo_auth, willo_dup;
    double willo_rate;
    int64_t willo_deadline_s;                     /* invitation deadline; 0: none */
    int64_t dl_delay_ms, dl_retry_ms;             /* webhook deliveries: wait before the first
                                                     attempt, and between attempts */
    long dl_drop;                                 /* the next N deliveries are lost */
    int dl_retries;                               /* attempts after a failed one */
    char next_host[256];
    long quota_per_day;
    int latency_ms;
    int no_stage_filter;                          /* 1: "Application.Stage" is unknown (400) */
    /* Eploy data */
    const hs_sb_workflow *workflows;
    int n_workflows;
    hs_sb_vacancy *vac;
    uint32_t n_vac;
    hs_sb_application *app;
    uint32_t n_app;
    uint32_t *app_by_date;                        /* app indexes ordered by modified_ms */
    hs_sb_candidate *cand;                        /* one per application, same index */
    uint32_t *cand_by_date;
    hs_sb_cand_override *overrides;
    hs_sb_history *hist;                          /* ordered by date_ms; id = base + index */
    size_t n_hist, cap_hist;
    hs_sb_action *act;
    size_t n_act, cap_act;
    hs_sb_outcome_rule *rules;
    size_t n_rules;
    hs_sb_export *exports;
    size_t n_exports, cap_exports;
    hs_sb_token *tok;
    size_t n_tok, cap_tok;
    hs_sb_eploy_key keys[HS_SB_MAX_KEYS];
    int n_keys;
    int64_t last_stamp_ms;                        /* keeps run-time stamps non-decreasing */
    long quota_used;
    int64_t quota_day;
    /* Willo data */
    hs_sb_interview *iv;
    size_t n_iv, cap_iv;
    hs_sb_participant *pt;
    size_t n_pt, cap_pt;
    hs_sb_index pt_by_key;                        /* participant key */
    hs_sb_index pt_by_email;                      /* interview key + email, case-folded */
    hs_sb_webhook *wh;
    size_t n_wh, cap_wh;
    hs_sb_delivery *dl;
    size_t n_dl, cap_dl;
    unsigned generation;                          /* bumped whenever deliveries are dropped */
    hs_sb_inbox_item *inbox;
    size_t n_inbox, cap_inbox;
    double bucket;
    int64_t bucket_ms;
    uint64_t rng;                                 /* run-time keys (deterministic per seed) */
    /* faults */
    hs_sb_fault *faults;
    size_t n_faults, cap_faults;
    /* stats */
    json_object *stats;
} hs_sb_world;

extern hs_sb_world hs_sb_w;

/* ---- ids ---- */
#define HS_SB_VAC_BASE 1001
#define HS_SB_APP_BASE 200001
#define HS_SB_CAND_BASE 3000001
#define HS_SB_HIST_BASE 6000001
#define HS_SB_ACT_BASE 9000001

/* ---- sandbox_rng.c ---- */
uint64_t hs_sb_mix(uint64_t x);
uint64_t hs_sb_next(uint64_t *state);
void hs_sb_hex_key(uint64_t *state, char out[33]);
int hs_sb_random_token(char *out, size_t size);  /* from the OS; 0 or -1 */
uint64_t hs_sb_random_u64(void);                 /* from the OS */

/* ---- sandbox_time.c ---- */
/* The sandbox's clock: this machine's plus an offset (--clock-offset-ms, POST /clock), so
 * that tests can put it ahead of or behind the program under test. */
#define HS_SB_CLOCK_OFFSET_MAX_MS (3650LL * 86400000LL)
int64_t hs_sb_now_ms(void);
void hs_sb_set_clock_offset(int64_t offset_ms);
int64_t hs_sb_clock_offset(void);
int64_t hs_sb_stamp_ms(void);                    /* now, never below an earlier stamp */
char *hs_sb_format_date(int64_t ms, int style, char *buf, size_t size);
int hs_sb_parse_date(const char *s, int64_t *ms); /* 0 or -1 */

/* ---- sandbox_names.c ---- */
const char *hs_sb_first_name(unsigned i);
const char *hs_sb_last_name(unsigned i);
const char *hs_sb_town(unsigned i);
const char *hs_sb_job_title(unsigned i);
unsigned hs_sb_n_first(void);
unsigned hs_sb_n_last(void);
unsigned hs_sb_n_towns(void);
unsigned hs_sb_n_titles(void);

/* ---- sandbox_data.c ---- */
int hs_sb_data_build(void);                      /* from hs_sb_w.cfg; 0 or -1 */
void hs_sb_data_free(void);
int64_t hs_sb_app_index(int64_t id);             /* -1 if no such application */
int64_t hs_sb_cand_index(int64_t id);
int64_t hs_sb_vac_index(int64_t id);
const hs_sb_workflow *hs_sb_vac_workflow(uint32_t v);
int hs_sb_vac_status_id(int i);
const char *hs_sb_vac_status_name(int i);
/* Moves an application; stage/status by name or id; status NULL: the stage's first. */
int hs_sb_app_move(uint32_t a, const char *stage, const char *status, char *err, size_t esz);
int hs_sb_hist_append(uint32_t a, int64_t when);
void hs_sb_cand_touch(uint32_t c);
hs_sb_cand_override *hs_sb_cand_override_get(uint32_t c, int create);
/* Candidate fields (generated or overridden); NULL means null. */
const char *hs_sb_cand_email(uint32_t c, char *buf, size_t size);
const char *hs_sb_cand_first(uint32_t c);
const char *hs_sb_cand_last(uint32_t c);
const char *hs_sb_cand_mobile(uint32_t c, char *buf, size_t size);
const char *hs_sb_cand_phone(uint32_t c, char *buf, size_t size);
void hs_sb_participant_free(hs_sb_participant *p);
void hs_sb_webhook_free(hs_sb_webhook *w);
hs_sb_participant *hs_sb_participant_add(void);  /* zeroed, appended; NULL on OOM */
/* Indexes p's interview and email for the duplicate check (after either changes). */
int hs_sb_participant_index_email(const hs_sb_participant *p);
hs_sb_participant *hs_sb_participant_by_email(const char *interview, const char *email);

/* ---- sandbox_http.c ---- */
typedef struct hs_sb_req {
    int server;
    void *conn;                                   /* struct MHD_Connection * */
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
} hs_sb_req;

typedef struct hs_sb_resp {
    int status;
    char *body;                                   /* owned, malloc'd */
    size_t len;
    int retry_after;                              /* -1 for none */
    char www_auth[32];
    char location[512];
} hs_sb_resp;

const char *hs_sb_query(const hs_sb_req *r, const char *name);
const char *hs_sb_header(const hs_sb_req *r, const char *name);
/* Sets the response body to the serialisation of obj and releases obj. */
void hs_sb_reply_json(hs_sb_resp *resp, int status, json_object *obj);
void hs_sb_reply_text(hs_sb_resp *resp, int status, const char *json_text);
void hs_sb_reply_error(hs_sb_resp *resp, int status, const char *field, const char *msg);
int hs_sb_start_servers(void *daemons[HS_SB_NSERVERS], int ports[HS_SB_NSERVERS]);
void hs_sb_stop_servers(void *daemons[HS_SB_NSERVERS]);
/* Builds the query string of r with "page" replaced (page 0: removed); "" or "?...". */
int hs_sb_query_with_page(const hs_sb_req *r, long page, char *buf, size_t size);

/* ---- route handlers (called with hs_sb_w.lock held) ---- */
void hs_sb_eploy_handle(const hs_sb_req *r, hs_sb_resp *resp);
void hs_sb_willo_handle(const hs_sb_req *r, hs_sb_resp *resp);
void hs_sb_admin_handle(const hs_sb_req *r, hs_sb_resp *resp);

/* ---- sandbox_eploy_search.c ---- */
void hs_sb_eploy_search(const char *resource, const hs_sb_req *r, hs_sb_resp *resp);
json_object *hs_sb_eploy_candidate_json(uint32_t c, json_object *blocks);
json_object *hs_sb_eploy_application_json(uint32_t a, json_object *blocks);
json_object *hs_sb_eploy_vacancy_json(uint32_t v, json_object *blocks);
json_object *hs_sb_eploy_action_json(size_t i, json_object *blocks);
json_object *hs_sb_eploy_history_json(size_t i, json_object *blocks);
json_object *hs_sb_eploy_workflow_json(size_t i, json_object *blocks);
json_object *hs_sb_date_json(int64_t ms);

/* ---- sandbox_eploy_auth.c ---- */
void hs_sb_eploy_token(const hs_sb_req *r, hs_sb_resp *resp);
/* 0: allowed; otherwise resp is filled (401/403/429). scope may be NULL (any valid token). */
int hs_sb_eploy_authorize(const hs_sb_req *r, hs_sb_resp *resp, const char *scope);
int hs_sb_eploy_quota(hs_sb_resp *resp);
void hs_sb_tokens_expire(void);

/* ---- sandbox_eploy_workflow.c ---- */
const char *hs_sb_outcome_values(void);         /* dropdown 95 as "id:name|..." */
const char *hs_sb_outcome_name(const char *id); /* NULL when not an outcome id */
/* The ActionOutcome of an action body ({"Id"} or {"Description"}) as an id in id ("" when
 * absent); -1 with err filled when unknown. */
int hs_sb_eploy_outcome(json_object *body, char *id, size_t size, char *err, size_t esz);
/* Applies the first outcome rule for outcome to the application (an API id; 0: none). */
void hs_sb_eploy_outcome_apply(int64_t application, const char *outcome);
/* PATCH /api/applications/{id} and POST .../exports: 1 when handled (resp filled). */
int hs_sb_eploy_application_write(const hs_sb_req *r, hs_sb_resp *resp, int64_t id,
                                  const char *tail);
/* Admin /eploy/outcome-rules and /eploy/exports (p after "/eploy/"): 1 when handled. */
int hs_sb_eploy_admin_workflow(const hs_sb_req *r, hs_sb_resp *resp, const char *p);
void hs_sb_eploy_workflow_free(void);

/* ---- sandbox_willo_*.c ---- */
json_object *hs_sb_participant_json(const hs_sb_participant *p);
json_object *hs_sb_interview_json(const hs_sb_interview *iv, int detail);
const hs_sb_interview *hs_sb_interview_find(const char *key);
void hs_sb_participant_complete(hs_sb_participant *p);
hs_sb_participant *hs_sb_participant_find(const char *key);
/* Creates from a JSON body; fills resp with an error and returns NULL when invalid. */
hs_sb_participant *hs_sb_participant_create(json_object *in, int dup_mode, int *existing,
                                            hs_sb_resp *resp);
void hs_sb_willo_participants(const hs_sb_req *r, hs_sb_resp *resp, const char *key);
void hs_sb_willo_webhooks(const hs_sb_req *r, hs_sb_resp *resp, const char *key);
/* Answers one DRF page of recs[0..count) (borrowed), writing only that page's records. */
typedef json_object *(*hs_sb_item_fn)(const void *rec);
void hs_sb_willo_page(const hs_sb_req *r, hs_sb_resp *resp, size_t count,
                      const void *const *recs, hs_sb_item_fn item);
int hs_sb_willo_auth_mode(const char *s);       /* -1 if unknown */
int hs_sb_willo_dup_mode(const char *s);

/* ---- sandbox_willo_lifecycle.c ---- */
/* Applies the deadline lazily: an invited or started participant whose `expires` the sandbox
 * clock has passed becomes expired at that time. */
void hs_sb_participant_refresh(hs_sb_participant *p);
void hs_sb_participants_refresh(void);
/* The admin's POST /willo/participants/{key}/{complete|start|expire|decline}. */
void hs_sb_willo_admin_participant(const hs_sb_req *r, hs_sb_resp *resp,
                                   hs_sb_participant *p, const char *action);

/* ---- sandbox_willo_deliveries.c ---- */
void hs_sb_webhooks_fire(const char *trigger, const hs_sb_participant *p);
json_object *hs_sb_deliveries_json(void);
void hs_sb_deliveries_free(void);

/* ---- sandbox_faults.c ---- */
int hs_sb_fault_add(json_object *rule, char *err, size_t esz);
void hs_sb_faults_clear(void);
json_object *hs_sb_faults_json(void);
/* Takes the first matching rule (decrementing its count); 0 if one matched. */
int hs_sb_fault_take(int server, const char *method, const char *path, hs_sb_fault *out);

/* ---- sandbox_stats.c ---- */
void hs_sb_stats_record(int server, const char *route, const char *status);
json_object *hs_sb_stats_get(void);              /* new reference */
void hs_sb_stats_reset(void);

/* ---- sandbox_options.c ---- */
int hs_sb_parse_options(int argc, char **argv, hs_sb_config *cfg);
/* `hiresync-sandbox admin URL METHOD PATH [JSON]` (argv[0] is "admin"): one admin request,
 * the body to stdout; returns the exit status (0, 1 failed or HTTP >= 400, 2 usage). */
int hs_sb_admin_client(int argc, char **argv);

/* Logging to stderr when --verbose. */
void hs_sb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
