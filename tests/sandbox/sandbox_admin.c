/* The admin interface: JSON in and out, for tests, the demo and benchmarks to move
 * applications, complete interviews, inject faults, read what clients wrote and count calls. */
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "error", msg);
}

static int is(const hs_sb_req *r, const char *method)
{
    return strcmp(r->method, method) == 0;
}

static json_object *body_json(const hs_sb_req *r, hs_sb_resp *resp, int required)
{
    if (r->body_len == 0 && !required)
        return json_object_new_object();
    json_object *o = json_tokener_parse(r->body);
    if (!o || (!json_object_is_type(o, json_type_object) && !json_object_is_type(o, json_type_array))) {
        json_object_put(o);
        fail(resp, 400, "the request body must be a JSON object");
        return NULL;
    }
    return o;
}

static const char *str_field(json_object *o, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

static int64_t num(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno || end == s || (*end && *end != '/') ? -1 : v;
}

static void faults(const hs_sb_req *r, hs_sb_resp *resp)
{
    if (is(r, "DELETE")) {
        hs_sb_faults_clear();
        hs_sb_reply_text(resp, 200, "{\"faults\":0}");
        return;
    }
    if (is(r, "GET")) {
        hs_sb_reply_json(resp, 200, hs_sb_faults_json());
        return;
    }
    if (!is(r, "POST")) {
        fail(resp, 405, "use GET, POST or DELETE on /faults");
        return;
    }
    json_object *in = body_json(r, resp, 1);
    if (!in)
        return;
    char err[160];
    int bad = 0;
    if (json_object_is_type(in, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(in) && !bad; i++)
            bad = hs_sb_fault_add(json_object_array_get_idx(in, i), err, sizeof err);
    } else {
        bad = hs_sb_fault_add(in, err, sizeof err);
    }
    json_object_put(in);
    if (bad)
        fail(resp, 400, err);
    else
        hs_sb_reply_json(resp, 201, hs_sb_faults_json());
}

static void reset(hs_sb_resp *resp)
{
    hs_sb_data_free();
    hs_sb_faults_clear();
    hs_sb_stats_reset();
    if (hs_sb_data_build())
        fail(resp, 500, "out of memory rebuilding the data");
    else
        hs_sb_reply_text(resp, 200, "{\"reset\":true}");
}

static void list_applications(const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *stage = hs_sb_query(r, "stage"), *vacancy = hs_sb_query(r, "vacancy");
    const char *lim = hs_sb_query(r, "limit");
    int64_t limit = lim ? num(lim) : 1000, vac = vacancy ? num(vacancy) : -1;
    json_object *arr = json_object_new_array();
    char date[48];
    for (uint32_t a = 0; arr && a < hs_sb_w.n_app && (int64_t)json_object_array_length(arr) < limit; a++) {
        const hs_sb_application *app = &hs_sb_w.app[a];
        const hs_sb_workflow *wf = hs_sb_vac_workflow(app->vacancy);
        const hs_sb_stage *st = &wf->stages[app->stage];
        if (vacancy && HS_SB_VAC_BASE + (int64_t)app->vacancy != vac)
            continue;
        if (stage && strcmp(stage, st->name) != 0 && num(stage) != st->id)
            continue;
        json_object *o = json_object_new_object();
        if (!o)
            break;
        json_object_object_add(o, "ApplicationId", json_object_new_int64(HS_SB_APP_BASE + (int64_t)a));
        json_object_object_add(o, "CandidateId", json_object_new_int64(HS_SB_CAND_BASE + (int64_t)a));
        json_object_object_add(o, "VacancyId", json_object_new_int64(HS_SB_VAC_BASE + (int64_t)app->vacancy));
        json_object_object_add(o, "WorkflowId", json_object_new_int(wf->id));
        json_object_object_add(o, "Stage", json_object_new_string(st->name));
        json_object_object_add(o, "Status", json_object_new_string(st->statuses[app->status].name));
        json_object_object_add(o, "ModificationDate", json_object_new_string(
            hs_sb_format_date(app->modified_ms, HS_SB_DATE_UTC, date, sizeof date)));
        json_object_array_add(arr, o);
    }
    hs_sb_reply_json(resp, 200, arr);
}

static void move(const hs_sb_req *r, hs_sb_resp *resp, int64_t id)
{
    int64_t a = hs_sb_app_index(id);
    if (a < 0) {
        fail(resp, 404, "no such application");
        return;
    }
    json_object *in = body_json(r, resp, 1);
    if (!in)
        return;
    const char *stage = str_field(in, "stage"), *status = str_field(in, "status");
    char err[200];
    if (!stage)
        fail(resp, 400, "\"stage\" is required (a stage name or id of the vacancy's workflow)");
    else if (hs_sb_app_move((uint32_t)a, stage, status, err, sizeof err))
        fail(resp, 400, err);
    else
        hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json((uint32_t)a, NULL));
    json_object_put(in);
}

static int set_override(char **dst, json_object *in, const char *name, uint8_t *flags, uint8_t bit)
{
    json_object *v;
    if (!json_object_object_get_ex(in, name, &v))
        return 0;
    if (json_object_is_type(v, json_type_null)) {
        if (bit) {
            *flags |= bit;
            return 0;
        }
        return -1;
    }
    char *copy = strdup(json_object_get_string(v));
    if (!copy)
        return -1;
    *flags &= (uint8_t)~bit;
    free(*dst);
    *dst = copy;
    return 0;
}

static void patch_candidate(const hs_sb_req *r, hs_sb_resp *resp, int64_t id)
{
    int64_t c = hs_sb_cand_index(id);
    if (c < 0) {
        fail(resp, 404, "no such candidate");
        return;
    }
    json_object *in = body_json(r, resp, 1);
    if (!in)
        return;
    hs_sb_cand_override *o = hs_sb_cand_override_get((uint32_t)c, 1);
    uint8_t *flags = &hs_sb_w.cand[c].flags;
    if (!o || set_override(&o->email, in, "Email", flags, HS_SB_CAND_NO_EMAIL) ||
        set_override(&o->phone, in, "Telephone", flags, HS_SB_CAND_NO_PHONE) ||
        set_override(&o->mobile, in, "Mobile", flags, HS_SB_CAND_NO_MOBILE) ||
        set_override(&o->first, in, "FirstName", flags, 0) ||
        set_override(&o->last, in, "Surname", flags, 0)) {
        fail(resp, 400, "FirstName and Surname cannot be null");
    } else {
        hs_sb_cand_touch((uint32_t)c);
        hs_sb_reply_json(resp, 200, hs_sb_eploy_candidate_json((uint32_t)c, NULL));
    }
    json_object_put(in);
}

static void eploy_key(const hs_sb_req *r, hs_sb_resp *resp, const char *id)
{
    int k = -1;
    for (int i = 0; i < hs_sb_w.n_keys && k < 0; i++)
        if (strcmp(hs_sb_w.keys[i].id, id) == 0)
            k = i;
    if (k < 0) {
        fail(resp, 404, "no such Eploy API key");
        return;
    }
    json_object *in = body_json(r, resp, 1), *v;
    if (!in)
        return;
    if (json_object_object_get_ex(in, "ip_allowed", &v))
        hs_sb_w.keys[k].ip_denied = !json_object_get_boolean(v);
    if (json_object_object_get_ex(in, "scopes", &v) && json_object_is_type(v, json_type_array)) {
        uint32_t mask = 0;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            const char *s = json_object_get_string(json_object_array_get_idx(v, i));
            int bit = s ? hs_sb_scope_bit(s) : -1;
            if (bit < 0) {
                fail(resp, 400, "unknown scope in \"scopes\"");
                json_object_put(in);
                return;
            }
            mask |= 1u << bit;
        }
        hs_sb_w.keys[k].scopes = mask;
        /* Tokens carry the scopes they were issued with, as a real token would. */
    }
    json_object_put(in);
    json_object *o = json_object_new_object();
    if (o) {
        char list[1024];
        json_object_object_add(o, "client_id", json_object_new_string(hs_sb_w.keys[k].id));
        json_object_object_add(o, "ip_allowed", json_object_new_boolean(!hs_sb_w.keys[k].ip_denied));
        json_object_object_add(o, "scopes", json_object_new_string(
            hs_sb_scope_list(hs_sb_w.keys[k].scopes, list, sizeof list)));
    }
    hs_sb_reply_json(resp, 200, o);
}

static void eploy_settings(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *in = body_json(r, resp, 0), *v;
    if (!in)
        return;
    if (json_object_object_get_ex(in, "quota_per_day", &v))
        hs_sb_w.quota_per_day = (long)json_object_get_int64(v);
    if (json_object_object_get_ex(in, "quota_used", &v)) {
        /* Today's count (the sandbox's day): otherwise the next call would start a new day
         * and reset it. */
        hs_sb_w.quota_used = (long)json_object_get_int64(v);
        hs_sb_w.quota_day = hs_sb_now_ms() / 86400000;
    }
    if (json_object_object_get_ex(in, "latency_ms", &v))
        hs_sb_w.latency_ms = json_object_get_int(v);
    if (json_object_object_get_ex(in, "stage_filter", &v))
        hs_sb_w.no_stage_filter = !json_object_get_boolean(v);
    json_object_put(in);
    json_object *o = json_object_new_object();
    if (o) {
        json_object_object_add(o, "quota_per_day", json_object_new_int64(hs_sb_w.quota_per_day));
        json_object_object_add(o, "quota_used", json_object_new_int64(hs_sb_w.quota_used));
        json_object_object_add(o, "latency_ms", json_object_new_int(hs_sb_w.latency_ms));
        json_object_object_add(o, "stage_filter",
                               json_object_new_boolean(!hs_sb_w.no_stage_filter));
    }
    hs_sb_reply_json(resp, 200, o);
}

static void eploy(const hs_sb_req *r, hs_sb_resp *resp, const char *p)
{
    if (strcmp(p, "actions") == 0 && is(r, "GET")) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; arr && i < hs_sb_w.n_act; i++)
            json_object_array_add(arr, hs_sb_eploy_action_json(i, NULL));
        hs_sb_reply_json(resp, 200, arr);
    } else if (strcmp(p, "applications") == 0 && is(r, "GET")) {
        list_applications(r, resp);
    } else if (strncmp(p, "applications/", 13) == 0) {
        int64_t id = num(p + 13);
        const char *rest = strchr(p + 13, '/');
        if (id >= 0 && rest && strcmp(rest, "/move") == 0 && is(r, "POST"))
            move(r, resp, id);
        else if (id >= 0 && !rest && is(r, "GET") && hs_sb_app_index(id) >= 0)
            hs_sb_reply_json(resp, 200, hs_sb_eploy_application_json((uint32_t)hs_sb_app_index(id), NULL));
        else
            fail(resp, 404, "unknown admin route");
    } else if (strncmp(p, "candidates/", 11) == 0 && is(r, "PATCH") && num(p + 11) >= 0 &&
               !strchr(p + 11, '/')) {
        patch_candidate(r, resp, num(p + 11));
    } else if (strcmp(p, "tokens/expire") == 0 && is(r, "POST")) {
        hs_sb_tokens_expire();
        hs_sb_reply_text(resp, 200, "{\"expired\":true}");
    } else if (strncmp(p, "keys/", 5) == 0 && is(r, "POST")) {
        eploy_key(r, resp, p + 5);
    } else if (strcmp(p, "settings") == 0 && is(r, "POST")) {
        eploy_settings(r, resp);
    } else if (hs_sb_eploy_admin_workflow(r, resp, p)) {
        /* outcome rules and exports: sandbox_eploy_workflow.c */
    } else {
        fail(resp, 404, "unknown admin route");
    }
}

static json_object *willo_settings_json(void)
{
    static const char *const auth[] = { "any", "bearer", "token", "raw" };
    static const char *const dup[] = { "reject", "create", "return" };
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "duplicates", json_object_new_string(dup[hs_sb_w.willo_dup]));
    json_object_object_add(o, "auth", json_object_new_string(auth[hs_sb_w.willo_auth]));
    json_object_object_add(o, "next_host", json_object_new_string(hs_sb_w.next_host));
    json_object_object_add(o, "rate", json_object_new_double(hs_sb_w.willo_rate));
    json_object_object_add(o, "deadline_s", json_object_new_int64(hs_sb_w.willo_deadline_s));
    json_object_object_add(o, "delivery_delay_ms", json_object_new_int64(hs_sb_w.dl_delay_ms));
    json_object_object_add(o, "delivery_drop", json_object_new_int64(hs_sb_w.dl_drop));
    json_object_object_add(o, "delivery_retries", json_object_new_int(hs_sb_w.dl_retries));
    json_object_object_add(o, "delivery_retry_ms", json_object_new_int64(hs_sb_w.dl_retry_ms));
    return o;
}

/* A whole number from 0 to max in in[name] (absent: fine). 0, or -1 when it is not. */
static int bounded(json_object *in, const char *name, int64_t max, int64_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(in, name, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
        json_object_get_int64(v) > max)
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

/* The webhook delivery options; 0, or -1 after answering 400. */
static int delivery_settings(json_object *in, hs_sb_resp *resp)
{
    int64_t delay = hs_sb_w.dl_delay_ms, drop = hs_sb_w.dl_drop, retries = hs_sb_w.dl_retries,
            gap = hs_sb_w.dl_retry_ms;
    if (bounded(in, "delivery_delay_ms", 600000, &delay) || bounded(in, "delivery_drop", 1000000,
                                                                     &drop) ||
        bounded(in, "delivery_retries", 10, &retries) ||
        bounded(in, "delivery_retry_ms", 600000, &gap)) {
        fail(resp, 400, "\"delivery_delay_ms\" and \"delivery_retry_ms\" must be 0 to 600000, "
             "\"delivery_drop\" 0 to 1000000, \"delivery_retries\" 0 to 10");
        return -1;
    }
    hs_sb_w.dl_delay_ms = delay;
    hs_sb_w.dl_drop = (long)drop;
    hs_sb_w.dl_retries = (int)retries;
    hs_sb_w.dl_retry_ms = gap;
    return 0;
}

static void willo_settings(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *in = body_json(r, resp, 0), *v;
    if (!in)
        return;
    const char *dup = str_field(in, "duplicates"), *auth = str_field(in, "auth");
    int d = dup ? hs_sb_willo_dup_mode(dup) : hs_sb_w.willo_dup;
    int a = auth ? hs_sb_willo_auth_mode(auth) : hs_sb_w.willo_auth;
    int bad_deadline = json_object_object_get_ex(in, "deadline_s", &v) &&
                       (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0);
    if (d < 0 || a < 0 || bad_deadline) {
        fail(resp, 400, d < 0 ? "\"duplicates\" must be reject, create or return"
                        : a < 0 ? "\"auth\" must be any, bearer, token or raw"
                                : "\"deadline_s\" must be a whole number of seconds, 0 for none");
        json_object_put(in);
        return;
    }
    if (delivery_settings(in, resp) != 0) {
        json_object_put(in);
        return;
    }
    if (json_object_object_get_ex(in, "deadline_s", &v))
        hs_sb_w.willo_deadline_s = json_object_get_int64(v);
    hs_sb_w.willo_dup = d;
    hs_sb_w.willo_auth = a;
    if (json_object_object_get_ex(in, "next_host", &v))
        snprintf(hs_sb_w.next_host, sizeof hs_sb_w.next_host, "%s",
                 json_object_is_type(v, json_type_null) ? "" : json_object_get_string(v));
    if (json_object_object_get_ex(in, "rate", &v)) {
        hs_sb_w.willo_rate = json_object_get_double(v);
        hs_sb_w.bucket = hs_sb_w.willo_rate < 1 ? 1 : hs_sb_w.willo_rate;
        hs_sb_w.bucket_ms = hs_sb_now_ms();
    }
    json_object_put(in);
    hs_sb_reply_json(resp, 200, willo_settings_json());
}

static void willo_participant(const hs_sb_req *r, hs_sb_resp *resp, const char *p)
{
    char key[64];
    const char *slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) >= sizeof key) {
        fail(resp, 404, "unknown admin route");
        return;
    }
    snprintf(key, sizeof key, "%.*s", (int)(slash - p), p);
    hs_sb_participant *pt = hs_sb_participant_find(key);
    if (!pt) {
        fail(resp, 404, "no such participant");
        return;
    }
    hs_sb_willo_admin_participant(r, resp, pt, slash + 1);
}

static void inbox(const hs_sb_req *r, hs_sb_resp *resp)
{
    if (is(r, "GET") && strcmp(r->path, "/inbox") == 0) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; arr && i < hs_sb_w.n_inbox; i++) {
            json_object *o = json_object_new_object();
            if (!o)
                break;
            json_object_object_add(o, "method", json_object_new_string(hs_sb_w.inbox[i].method));
            json_object_object_add(o, "path", json_object_new_string(hs_sb_w.inbox[i].path));
            json_object_object_add(o, "body", json_object_new_string(hs_sb_w.inbox[i].body));
            json_object_array_add(arr, o);
        }
        hs_sb_reply_json(resp, 200, arr);
        return;
    }
    if (hs_sb_w.n_inbox == hs_sb_w.cap_inbox) {
        size_t cap = hs_sb_w.cap_inbox ? hs_sb_w.cap_inbox * 2 : 16;
        hs_sb_inbox_item *n = realloc(hs_sb_w.inbox, cap * sizeof *n);
        if (!n) {
            fail(resp, 500, "out of memory");
            return;
        }
        hs_sb_w.inbox = n;
        hs_sb_w.cap_inbox = cap;
    }
    hs_sb_inbox_item *it = &hs_sb_w.inbox[hs_sb_w.n_inbox];
    snprintf(it->method, sizeof it->method, "%s", r->method);
    it->path = strdup(r->path);
    it->body = strdup(r->body);
    if (!it->path || !it->body) {
        free(it->path);
        free(it->body);
        fail(resp, 500, "out of memory");
        return;
    }
    hs_sb_w.n_inbox++;
    hs_sb_reply_text(resp, 200, "{\"received\":true}");
}

static void willo(const hs_sb_req *r, hs_sb_resp *resp, const char *p)
{
    if (strcmp(p, "deliveries") == 0 && is(r, "GET")) {
        hs_sb_reply_json(resp, 200, hs_sb_deliveries_json());
    } else if (strcmp(p, "participants") == 0 && is(r, "GET")) {
        const char *interview = hs_sb_query(r, "interview");
        json_object *arr = json_object_new_array();
        hs_sb_participants_refresh();
        for (size_t i = 0; arr && i < hs_sb_w.n_pt; i++)
            if (!hs_sb_w.pt[i].deleted && (!interview || strcmp(interview, hs_sb_w.pt[i].interview) == 0))
                json_object_array_add(arr, hs_sb_participant_json(&hs_sb_w.pt[i]));
        hs_sb_reply_json(resp, 200, arr);
    } else if (strcmp(p, "participants") == 0 && is(r, "POST")) {
        json_object *in = body_json(r, resp, 1);
        int existing;
        hs_sb_participant *pt = in ? hs_sb_participant_create(in, HS_SB_DUP_CREATE, &existing, resp) : NULL;
        if (pt)
            hs_sb_reply_json(resp, 201, hs_sb_participant_json(pt));
        json_object_put(in);
    } else if (strncmp(p, "participants/", 13) == 0) {
        willo_participant(r, resp, p + 13);
    } else if (strcmp(p, "interviews") == 0 && is(r, "GET")) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; arr && i < hs_sb_w.n_iv; i++)
            if (!hs_sb_w.iv[i].deleted)
                json_object_array_add(arr, hs_sb_interview_json(&hs_sb_w.iv[i], 0));
        hs_sb_reply_json(resp, 200, arr);
    } else if (strncmp(p, "interviews/", 11) == 0 && is(r, "DELETE")) {
        hs_sb_interview *iv = (hs_sb_interview *)hs_sb_interview_find(p + 11);
        if (!iv) {
            fail(resp, 404, "no such interview");
            return;
        }
        iv->deleted = 1;
        for (size_t i = 0; i < hs_sb_w.n_pt; i++)
            if (strcmp(hs_sb_w.pt[i].interview, iv->key) == 0)
                hs_sb_w.pt[i].deleted = 1;
        hs_sb_reply_text(resp, 200, "{\"deleted\":true}");
    } else if (strcmp(p, "settings") == 0 && is(r, "POST")) {
        willo_settings(r, resp);
    } else if (strcmp(p, "settings") == 0 && is(r, "GET")) {
        hs_sb_reply_json(resp, 200, willo_settings_json());
    } else {
        fail(resp, 404, "unknown admin route");
    }
}

/* GET /clock: {"now":"<date>","offset_ms":N}; POST /clock {"offset_ms":N} sets the offset
 * (runs the sandbox's clock N ms ahead of this machine's; negative: behind). Run-time stamps
 * stay in order even when the clock is set back (see hs_sb_stamp_ms). */
static void clock_route(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *out;

    if (is(r, "POST")) {
        json_object *in, *v;
        int64_t off;
        if ((in = body_json(r, resp, 1)) == NULL)
            return;
        if (!json_object_object_get_ex(in, "offset_ms", &v) ||
            !json_object_is_type(v, json_type_int) ||
            (off = json_object_get_int64(v)) < -HS_SB_CLOCK_OFFSET_MAX_MS ||
            off > HS_SB_CLOCK_OFFSET_MAX_MS) {
            json_object_put(in);
            fail(resp, 400, "offset_ms must be a whole number of ms within ten years");
            return;
        }
        json_object_put(in);
        hs_sb_set_clock_offset(off);
    } else if (!is(r, "GET")) {
        fail(resp, 405, "GET or POST");
        return;
    }
    out = json_object_new_object();
    if (out != NULL) {
        char buf[40];
        json_object_object_add(out, "now", json_object_new_string(
                                   hs_sb_format_date(hs_sb_now_ms(), HS_SB_DATE_UTC, buf, sizeof buf)));
        json_object_object_add(out, "offset_ms", json_object_new_int64(hs_sb_clock_offset()));
    }
    hs_sb_reply_json(resp, 200, out);
}

void hs_sb_admin_handle(const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *p = r->path;
    if (strcmp(p, "/stats") == 0 && is(r, "GET")) {
        hs_sb_reply_json(resp, 200, hs_sb_stats_get());
    } else if (strcmp(p, "/stats") == 0 && is(r, "DELETE")) {
        hs_sb_stats_reset();
        hs_sb_reply_text(resp, 200, "{\"reset\":true}");
    } else if (strcmp(p, "/faults") == 0) {
        faults(r, resp);
    } else if (strcmp(p, "/clock") == 0) {
        clock_route(r, resp);
    } else if (strcmp(p, "/reset") == 0 && is(r, "POST")) {
        reset(resp);
    } else if (strncmp(p, "/eploy/", 7) == 0) {
        eploy(r, resp, p + 7);
    } else if (strncmp(p, "/willo/", 7) == 0) {
        willo(r, resp, p + 7);
    } else if (strcmp(p, "/inbox") == 0 || strncmp(p, "/inbox/", 7) == 0) {
        inbox(r, resp);
    } else {
        fail(resp, 404, "unknown admin route");
    }
}
