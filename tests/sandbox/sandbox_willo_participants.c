/* Willo participants: invite (with the configurable duplicate rule), list with filters and
 * ordering, detail with responses once completed, update, delete. Every read applies the
 * invitation deadline first (sandbox_willo_lifecycle.c). */
#include "sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const statuses[] = { "invited", "started", "completed", "expired",
                                         "declined" };
static const char *const prompts[] = {
    "Tell us a little about yourself and why you applied.",
    "Describe a time you supported someone through a difficult day.",
    "What does good care look like to you?",
};

static void detail(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "detail", msg);
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *date_or_null(int64_t ms)
{
    char buf[48];
    return ms ? json_object_new_string(hs_sb_format_date(ms, HS_SB_DATE_UTC, buf, sizeof buf)) : NULL;
}

json_object *hs_sb_participant_json(const hs_sb_participant *p)
{
    json_object *o = json_object_new_object(), *responses = json_object_new_array();
    if (!o || !responses) {
        json_object_put(o);
        json_object_put(responses);
        return NULL;
    }
    json_object_object_add(o, "key", json_object_new_string(p->key));
    json_object_object_add(o, "interview", json_object_new_string(p->interview));
    json_object_object_add(o, "first_name", json_object_new_string(p->first ? p->first : ""));
    json_object_object_add(o, "last_name", json_object_new_string(p->last ? p->last : ""));
    json_object_object_add(o, "email", str_or_null(p->email));
    json_object_object_add(o, "phone", str_or_null(p->phone));
    json_object_object_add(o, "status", json_object_new_string(statuses[p->status]));
    json_object_object_add(o, "stage", str_or_null(p->stage));
    json_object_object_add(o, "created", date_or_null(p->created_ms));
    json_object_object_add(o, "updated", date_or_null(p->updated_ms));
    json_object_object_add(o, "completed", date_or_null(p->completed_ms));
    json_object_object_add(o, "started", date_or_null(p->started_ms));
    json_object_object_add(o, "expires", date_or_null(p->expires_ms));
    json_object_object_add(o, "expired", date_or_null(p->expired_ms));
    json_object_object_add(o, "declined", date_or_null(p->declined_ms));
    json_object_object_add(o, "score", str_or_null(p->score[0] ? p->score : NULL));
    json_object *share = NULL;
    if (p->status == HS_SB_PT_COMPLETED) {
        char url[128];
        snprintf(url, sizeof url, "https://app.willotalent.com/share/%s", p->key);
        share = json_object_new_string(url);
        for (int i = 0; i < 3; i++) {
            json_object *r = json_object_new_object();
            if (!r)
                break;
            snprintf(url, sizeof url, "https://media.willotalent.com/responses/%s/%d.mp4", p->key,
                     i + 1);
            json_object_object_add(r, "question", json_object_new_string(prompts[i]));
            json_object_object_add(r, "media_url", json_object_new_string(url));
            json_object_object_add(r, "transcript",
                                   json_object_new_string("Thank you for the opportunity to answer."));
            json_object_object_add(r, "score",
                                   str_or_null(p->scores[i][0] ? p->scores[i] : NULL));
            json_object_array_add(responses, r);
        }
    }
    json_object_object_add(o, "share_link", share);
    json_object_object_add(o, "responses", responses);
    return o;
}

static int key_matches(uint32_t rec, const void *ctx)
{
    return rec < hs_sb_w.n_pt && !hs_sb_w.pt[rec].deleted && strcmp(hs_sb_w.pt[rec].key, ctx) == 0;
}

hs_sb_participant *hs_sb_participant_find(const char *key)
{
    uint32_t rec = hs_sb_index_find(&hs_sb_w.pt_by_key, hs_sb_hash(key, 0), key_matches, key);
    return rec == UINT32_MAX ? NULL : &hs_sb_w.pt[rec];
}

typedef struct email_query {
    const char *interview, *email;
} email_query;

static int is_over(const hs_sb_participant *p)
{
    return p->status == HS_SB_PT_EXPIRED || p->status == HS_SB_PT_DECLINED;
}

static uint64_t email_hash(const char *interview, const char *email)
{
    return hs_sb_hash(interview, 0) ^ hs_sb_mix(hs_sb_hash(email, 1));
}

static int email_matches(uint32_t rec, const void *ctx)
{
    const email_query *q = ctx;
    const hs_sb_participant *p = rec < hs_sb_w.n_pt ? &hs_sb_w.pt[rec] : NULL;
    return p && !p->deleted && !is_over(p) && p->email &&
           strcmp(p->interview, q->interview) == 0 && strcasecmp(p->email, q->email) == 0;
}

int hs_sb_participant_index_email(const hs_sb_participant *p)
{
    if (!p->email)
        return 0;
    return hs_sb_index_add(&hs_sb_w.pt_by_email, email_hash(p->interview, p->email),
                           (uint32_t)(p - hs_sb_w.pt));
}

/* The participant of interview with this email that is still open or completed: an expired or
 * declined one does not count, so inviting the email again creates a new participant in every
 * duplicates mode (a choice: Willo's behaviour here is not documented). */
hs_sb_participant *hs_sb_participant_by_email(const char *interview, const char *email)
{
    email_query q = { interview, email };
    hs_sb_participants_refresh();
    uint32_t rec = hs_sb_index_find(&hs_sb_w.pt_by_email, email_hash(interview, email),
                                    email_matches, &q);
    return rec == UINT32_MAX ? NULL : &hs_sb_w.pt[rec];
}

void hs_sb_participant_complete(hs_sb_participant *p)
{
    int64_t now = hs_sb_stamp_ms();
    p->status = HS_SB_PT_COMPLETED;
    if (!p->started_ms)
        p->started_ms = now;   /* answering began at the latest now */
    p->completed_ms = now;
    p->updated_ms = now;
    hs_sb_webhooks_fire("new_response", p);
}

static int valid_email(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || strlen(e) > 254)
        return 0;
    for (const char *p = e; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == '<' || *p == '>')
            return 0;
    const char *dot = strrchr(at, '.');
    return dot && dot > at + 1 && dot[1] != '\0';
}

static int valid_phone(const char *p)
{
    size_t n = 0;
    if (*p++ != '+' || *p < '1' || *p > '9')
        return 0;
    for (; *p; p++, n++)
        if (!isdigit((unsigned char)*p))
            return 0;
    return n >= 7 && n <= 15;
}

static const char *get_str(json_object *in, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(in, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int set_str(char **dst, const char *src)
{
    char *copy = src ? strdup(src) : NULL;
    if (src && !copy)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

/* name "Ada King Lovelace" -> first "Ada", last "King Lovelace" */
static int set_names(hs_sb_participant *p, json_object *in)
{
    const char *first = get_str(in, "first_name"), *last = get_str(in, "last_name");
    const char *name = get_str(in, "name");
    if (!first && !last && name) {
        const char *sp = strchr(name, ' ');
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", sp ? (int)(sp - name) : (int)strlen(name), name);
        return set_str(&p->first, buf) || set_str(&p->last, sp ? sp + 1 : "");
    }
    if (first && set_str(&p->first, first))
        return -1;
    if (last && set_str(&p->last, last))
        return -1;
    return 0;
}

hs_sb_participant *hs_sb_participant_create(json_object *in, int dup_mode, int *existing,
                                            hs_sb_resp *resp)
{
    *existing = 0;
    if (!json_object_is_type(in, json_type_object)) {
        hs_sb_reply_error(resp, 400, "non_field_errors", "Invalid data. Expected a dictionary.");
        return NULL;
    }
    const char *interview = get_str(in, "interview"), *email = get_str(in, "email");
    const char *phone = get_str(in, "phone"), *stage = get_str(in, "stage");
    if (!interview || !*interview) {
        hs_sb_reply_error(resp, 400, "interview", "This field is required.");
        return NULL;
    }
    if (!hs_sb_interview_find(interview)) {
        char msg[128];
        snprintf(msg, sizeof msg, "Invalid pk \"%.40s\" - object does not exist.", interview);
        hs_sb_reply_error(resp, 400, "interview", msg);
        return NULL;
    }
    if (!email || !*email) {
        hs_sb_reply_error(resp, 400, "email", "This field is required.");
        return NULL;
    }
    if (!valid_email(email)) {
        hs_sb_reply_error(resp, 400, "email", "Enter a valid email address.");
        return NULL;
    }
    if (phone && *phone && !valid_phone(phone)) {
        hs_sb_reply_error(resp, 400, "phone",
                          "Enter a valid phone number in E.164 format (e.g. +447700900123).");
        return NULL;
    }
    hs_sb_participant *q = dup_mode == HS_SB_DUP_CREATE ? NULL
                                                        : hs_sb_participant_by_email(interview, email);
    if (q) {
        if (dup_mode == HS_SB_DUP_RETURN) {
            *existing = 1;
            return q;
        }
        hs_sb_reply_error(resp, 400, "email",
                          "A participant with this email address is already invited to this interview.");
        return NULL;
    }
    hs_sb_participant *p = hs_sb_participant_add();
    if (!p) {
        detail(resp, 500, "out of memory");
        return NULL;
    }
    snprintf(p->interview, sizeof p->interview, "%s", interview);
    p->created_ms = p->updated_ms = hs_sb_stamp_ms();
    if (hs_sb_w.willo_deadline_s > 0)
        p->expires_ms = p->created_ms + hs_sb_w.willo_deadline_s * 1000;
    if (set_names(p, in) || set_str(&p->email, email) ||
        set_str(&p->phone, phone && *phone ? phone : NULL) ||
        set_str(&p->stage, stage ? stage : "Invited") || hs_sb_participant_index_email(p)) {
        hs_sb_participant_free(p);
        hs_sb_w.n_pt--;
        detail(resp, 500, "out of memory");
        return NULL;
    }
    return p;
}

/* ---- list ---- */

typedef struct order_key {
    int field;                                    /* 0 created, 1 updated, 2 completed */
    int desc;
} order_key;

static order_key order[4];
static int n_order;

static int64_t field_of(const hs_sb_participant *p, int f)
{
    return f == 0 ? p->created_ms : f == 1 ? p->updated_ms : p->completed_ms;
}

/* Nulls (a missing completion) sort as the largest value, as PostgreSQL orders them. */
static int pt_cmp(const void *a, const void *b)
{
    const hs_sb_participant *x = *(hs_sb_participant *const *)a;
    const hs_sb_participant *y = *(hs_sb_participant *const *)b;
    for (int i = 0; i < n_order; i++) {
        int64_t vx = field_of(x, order[i].field), vy = field_of(y, order[i].field);
        if (order[i].field == 2) {
            vx = vx ? vx : INT64_MAX;
            vy = vy ? vy : INT64_MAX;
        }
        if (vx != vy)
            return (vx < vy ? -1 : 1) * (order[i].desc ? -1 : 1);
    }
    return x < y ? -1 : x > y;
}

static int parse_ordering(const char *s)
{
    static const char *const fields[] = { "created", "updated", "completed" };
    char tmp[128], *save = NULL;
    n_order = 0;
    if (!s)
        return 0;
    snprintf(tmp, sizeof tmp, "%s", s);
    for (char *t = strtok_r(tmp, ",", &save); t && n_order < 4; t = strtok_r(NULL, ",", &save)) {
        int desc = *t == '-';
        for (int f = 0; f < 3; f++)
            if (strcmp(t + desc, fields[f]) == 0) {
                order[n_order].field = f;
                order[n_order].desc = desc;
                n_order++;
            }
    }
    return 0;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

static int search_match(const hs_sb_participant *p, const char *q)
{
    char full[512];
    snprintf(full, sizeof full, "%s %s", p->first ? p->first : "", p->last ? p->last : "");
    return ci_contains(p->email, q) || ci_contains(full, q);
}

static json_object *participant_item(const void *rec)
{
    return hs_sb_participant_json(rec);
}

static void list(const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *interview = hs_sb_query(r, "interview"), *search = hs_sb_query(r, "search");
    const char *status = hs_sb_query(r, "status");
    hs_sb_participant **sel = calloc(hs_sb_w.n_pt + 1, sizeof *sel);
    size_t n = 0;
    if (!sel) {
        detail(resp, 500, "out of memory");
        return;
    }
    hs_sb_participants_refresh();
    for (size_t i = 0; i < hs_sb_w.n_pt; i++) {
        hs_sb_participant *p = &hs_sb_w.pt[i];
        if (p->deleted || (interview && *interview && strcmp(interview, p->interview)) ||
            (status && *status && strcmp(status, statuses[p->status])) ||
            (search && *search && !search_match(p, search)))
            continue;
        sel[n++] = p;
    }
    parse_ordering(hs_sb_query(r, "ordering"));
    if (n_order == 0) {
        order[0].field = 0;
        order[0].desc = 0;
        n_order = 1;
    }
    qsort(sel, n, sizeof *sel, pt_cmp);
    hs_sb_willo_page(r, resp, n, (const void *const *)sel, participant_item);
    free(sel);
}

static json_object *parse_body(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_tokener *tok = json_tokener_new_ex(32);
    json_object *in = NULL;
    if (tok) {
        in = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
        if (json_tokener_get_error(tok) != json_tokener_success) {
            json_object_put(in);
            in = NULL;
        }
        json_tokener_free(tok);
    }
    if (!in || !json_object_is_type(in, json_type_object)) {
        json_object_put(in);
        char msg[] = "JSON parse error - the body is not a JSON object.";
        detail(resp, 400, msg);
        return NULL;
    }
    return in;
}

static void update(const hs_sb_req *r, hs_sb_resp *resp, hs_sb_participant *p)
{
    json_object *in = parse_body(r, resp);
    if (!in)
        return;
    const char *email = get_str(in, "email"), *phone = get_str(in, "phone");
    const char *stage = get_str(in, "stage");
    int stage_changed = stage && (!p->stage || strcmp(stage, p->stage) != 0);
    if (email && !valid_email(email)) {
        hs_sb_reply_error(resp, 400, "email", "Enter a valid email address.");
    } else if (phone && *phone && !valid_phone(phone)) {
        hs_sb_reply_error(resp, 400, "phone",
                          "Enter a valid phone number in E.164 format (e.g. +447700900123).");
    } else if (set_names(p, in) || (email && set_str(&p->email, email)) ||
               (phone && set_str(&p->phone, phone)) || (stage && set_str(&p->stage, stage)) ||
               (email && hs_sb_participant_index_email(p))) {
        detail(resp, 500, "out of memory");
    } else {
        p->updated_ms = hs_sb_stamp_ms();
        if (stage_changed)
            hs_sb_webhooks_fire("stage_change", p);
        hs_sb_reply_json(resp, 200, hs_sb_participant_json(p));
    }
    json_object_put(in);
}

void hs_sb_willo_participants(const hs_sb_req *r, hs_sb_resp *resp, const char *key)
{
    char msg[64];
    snprintf(msg, sizeof msg, "Method \"%s\" not allowed.", r->method);
    if (!key) {
        if (strcmp(r->method, "GET") == 0) {
            list(r, resp);
        } else if (strcmp(r->method, "POST") == 0) {
            json_object *in = parse_body(r, resp);
            int existing = 0;
            hs_sb_participant *p = in ? hs_sb_participant_create(in, hs_sb_w.willo_dup, &existing, resp)
                                      : NULL;
            if (p)
                hs_sb_reply_json(resp, existing ? 200 : 201, hs_sb_participant_json(p));
            json_object_put(in);
        } else {
            detail(resp, 405, msg);
        }
        return;
    }
    hs_sb_participant *p = hs_sb_participant_find(key);
    if (p)
        hs_sb_participant_refresh(p);
    if (!p)
        detail(resp, 404, "Not found.");
    else if (strcmp(r->method, "GET") == 0)
        hs_sb_reply_json(resp, 200, hs_sb_participant_json(p));
    else if (strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "PUT") == 0)
        update(r, resp, p);
    else if (strcmp(r->method, "DELETE") == 0) {
        p->deleted = 1;
        resp->status = 204;
    } else
        detail(resp, 405, msg);
}
