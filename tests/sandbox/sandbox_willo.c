/* The Willo Integration API v2 server: key authentication (any or one strict scheme),
 * throttling, trailing-slash redirects, DRF-style paging and the interview routes. */
#include "sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const auth_modes[] = { "any", "bearer", "token", "raw" };
static const char *const dup_modes[] = { "reject", "create", "return" };

int hs_sb_willo_auth_mode(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, auth_modes[i]) == 0)
            return i;
    return -1;
}

int hs_sb_willo_dup_mode(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, dup_modes[i]) == 0)
            return i;
    return -1;
}

static void detail(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "detail", msg);
}

static int key_known(const char *k)
{
    for (int i = 0; i < hs_sb_w.cfg.n_willo_keys; i++)
        if (strcmp(hs_sb_w.cfg.willo_keys[i], k) == 0)
            return 1;
    return 0;
}

/* DRF ignores an Authorization header whose keyword it does not handle, so a strict mode
 * answers "not provided" for another scheme and "Invalid token." for a wrong key. */
static int authenticate(const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *h = hs_sb_header(r, "Authorization");
    const char *key = NULL;
    int mode = hs_sb_w.willo_auth;
    if (h) {
        int bearer = strncasecmp(h, "Bearer ", 7) == 0, token = strncasecmp(h, "Token ", 6) == 0;
        if (bearer && (mode == HS_SB_AUTH_ANY || mode == HS_SB_AUTH_BEARER))
            key = h + 7;
        else if (token && (mode == HS_SB_AUTH_ANY || mode == HS_SB_AUTH_TOKEN))
            key = h + 6;
        else if (!bearer && !token && !strchr(h, ' ') &&
                 (mode == HS_SB_AUTH_ANY || mode == HS_SB_AUTH_RAW))
            key = h;
    }
    if (key) {
        while (*key == ' ')
            key++;
        if (key_known(key))
            return 0;
    }
    detail(resp, 401, key ? "Invalid token." : "Authentication credentials were not provided.");
    snprintf(resp->www_auth, sizeof resp->www_auth, "%s",
             mode == HS_SB_AUTH_TOKEN ? "Token" : "Bearer");
    return -1;
}

static int throttle(hs_sb_resp *resp)
{
    double rate = hs_sb_w.willo_rate;
    if (rate <= 0)
        return 0;
    int64_t now = hs_sb_now_ms();
    double burst = rate < 1 ? 1 : rate;
    hs_sb_w.bucket += (double)(now - hs_sb_w.bucket_ms) / 1000.0 * rate;
    if (hs_sb_w.bucket > burst)
        hs_sb_w.bucket = burst;
    hs_sb_w.bucket_ms = now;
    if (hs_sb_w.bucket >= 1) {
        hs_sb_w.bucket -= 1;
        return 0;
    }
    int wait = (int)ceil((1 - hs_sb_w.bucket) / rate);
    if (wait < 1)
        wait = 1;
    char msg[96];
    snprintf(msg, sizeof msg, "Request was throttled. Expected available in %d seconds.", wait);
    detail(resp, 429, msg);
    resp->retry_after = wait;
    return -1;
}

/* ---- paging ---- */

static long int_param(const hs_sb_req *r, const char *name, long def, int *bad)
{
    const char *s = hs_sb_query(r, name);
    if (!s)
        return def;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) {
        *bad = 1;
        return def;
    }
    return v;
}

void hs_sb_willo_page(const hs_sb_req *r, hs_sb_resp *resp, size_t count,
                      const void *const *recs, hs_sb_item_fn item)
{
    int bad_size = 0, bad_page = 0;
    long size = int_param(r, "page_size", HS_SB_WILLO_PAGE_DEFAULT, &bad_size);
    if (bad_size || size < 1)
        size = HS_SB_WILLO_PAGE_DEFAULT;
    if (size > HS_SB_WILLO_PAGE_MAX)
        size = HS_SB_WILLO_PAGE_MAX;
    long page = int_param(r, "page", 1, &bad_page);
    long pages = count ? (long)((count + (size_t)size - 1) / (size_t)size) : 1;
    if (bad_page || page < 1 || page > pages) {
        detail(resp, 404, "Invalid page.");
        return;
    }
    char base[768], query[1024], url[2048];
    const char *host = hs_sb_w.next_host[0] ? hs_sb_w.next_host : hs_sb_header(r, "Host");
    snprintf(base, sizeof base, "http://%s%s", host ? host : "127.0.0.1", r->path);
    json_object *out = json_object_new_object(), *results = json_object_new_array();
    if (!out || !results) {
        json_object_put(out);
        json_object_put(results);
        detail(resp, 500, "out of memory");
        return;
    }
    json_object_object_add(out, "count", json_object_new_int64((int64_t)count));
    json_object *next = NULL, *prev = NULL;
    if (page < pages && hs_sb_query_with_page(r, page + 1, query, sizeof query) == 0) {
        snprintf(url, sizeof url, "%s%s", base, query);
        next = json_object_new_string(url);
    }
    if (page > 1 && hs_sb_query_with_page(r, page > 2 ? page - 1 : 0, query, sizeof query) == 0) {
        snprintf(url, sizeof url, "%s%s", base, query);
        prev = json_object_new_string(url);
    }
    json_object_object_add(out, "next", next);
    json_object_object_add(out, "previous", prev);
    for (size_t i = (size_t)(page - 1) * (size_t)size; i < count && i < (size_t)(page * size); i++)
        json_object_array_add(results, item(recs[i]));
    json_object_object_add(out, "results", results);
    hs_sb_reply_json(resp, 200, out);
}

/* ---- interviews ---- */

const hs_sb_interview *hs_sb_interview_find(const char *key)
{
    for (size_t i = 0; i < hs_sb_w.n_iv; i++)
        if (!hs_sb_w.iv[i].deleted && strcmp(hs_sb_w.iv[i].key, key) == 0)
            return &hs_sb_w.iv[i];
    return NULL;
}

static const char *const prompts[] = {
    "Tell us a little about yourself and why you applied.",
    "Describe a time you supported someone through a difficult day.",
    "What does good care look like to you?",
};

json_object *hs_sb_interview_json(const hs_sb_interview *iv, int with_questions)
{
    char date[48];
    json_object *o = json_object_new_object(), *owner = json_object_new_object();
    if (!o || !owner) {
        json_object_put(o);
        json_object_put(owner);
        return NULL;
    }
    json_object_object_add(o, "key", json_object_new_string(iv->key));
    json_object_object_add(o, "title", json_object_new_string(iv->title));
    json_object_object_add(owner, "key", json_object_new_string(iv->owner_key));
    json_object_object_add(owner, "email", json_object_new_string(iv->owner_email));
    json_object_object_add(owner, "full_name", json_object_new_string(iv->owner_name));
    json_object_object_add(o, "owner", owner);
    json_object_object_add(o, "department", json_object_new_string(iv->department));
    json_object_object_add(o, "department_name", json_object_new_string(iv->department_name));
    json_object_object_add(o, "language", json_object_new_string("en"));
    json_object_object_add(o, "created", json_object_new_string(
        hs_sb_format_date(iv->created_ms, HS_SB_DATE_UTC, date, sizeof date)));
    if (!with_questions)
        return o;
    json_object *qs = json_object_new_array();
    for (int i = 0; qs && i < 3; i++) {
        json_object *q = json_object_new_object();
        if (!q)
            break;
        char qkey[33];
        uint64_t st = hs_sb_mix((uint64_t)strtoull(iv->key + 16, NULL, 16) + (uint64_t)i);
        hs_sb_hex_key(&st, qkey);
        json_object_object_add(q, "key", json_object_new_string(qkey));
        json_object_object_add(q, "prompt", json_object_new_string(prompts[i]));
        json_object_object_add(q, "type", json_object_new_string("video"));
        json_object_object_add(q, "max_duration", json_object_new_int(120));
        json_object_object_add(q, "max_retakes", json_object_new_int(2));
        json_object_object_add(q, "thinking_time", json_object_new_int(30));
        json_object_array_add(qs, q);
    }
    json_object_object_add(o, "questions", qs);
    return o;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

static json_object *interview_item(const void *rec)
{
    return hs_sb_interview_json(rec, 0);
}

static int iv_cmp_title(const void *a, const void *b)
{
    const hs_sb_interview *x = *(hs_sb_interview *const *)a, *y = *(hs_sb_interview *const *)b;
    return strcasecmp(x->title, y->title);
}

static void list_interviews(const hs_sb_req *r, hs_sb_resp *resp)
{
    const char *search = hs_sb_query(r, "search"), *dept = hs_sb_query(r, "department");
    const char *owner = hs_sb_query(r, "owner"), *ordering = hs_sb_query(r, "ordering");
    const hs_sb_interview **sel = calloc(hs_sb_w.n_iv + 1, sizeof *sel);
    size_t n = 0;
    if (!sel) {
        detail(resp, 500, "out of memory");
        return;
    }
    for (size_t i = 0; i < hs_sb_w.n_iv; i++) {
        const hs_sb_interview *iv = &hs_sb_w.iv[i];
        if (iv->deleted || (dept && strcmp(dept, iv->department)) ||
            (owner && strcmp(owner, iv->owner_key)))
            continue;
        if (search && !ci_contains(iv->title, search) && !ci_contains(iv->owner_email, search) &&
            !ci_contains(iv->department_name, search))
            continue;
        sel[n++] = iv;
    }
    if (ordering && strstr(ordering, "title"))
        qsort(sel, n, sizeof *sel, iv_cmp_title);
    if (ordering && ordering[0] == '-')
        for (size_t i = 0; i < n / 2; i++) {
            const hs_sb_interview *t = sel[i];
            sel[i] = sel[n - 1 - i];
            sel[n - 1 - i] = t;
        }
    hs_sb_willo_page(r, resp, n, (const void *const *)sel, interview_item);
    free(sel);
}

/* title (required, 1-95 characters) and department name from a create or update body */
static int interview_fields(hs_sb_interview *iv, json_object *in, int partial, hs_sb_resp *resp)
{
    json_object *v;
    const char *title = json_object_object_get_ex(in, "title", &v) &&
                                json_object_is_type(v, json_type_string)
                            ? json_object_get_string(v)
                            : NULL;
    if (!title && !partial) {
        hs_sb_reply_error(resp, 400, "title", "This field is required.");
        return -1;
    }
    if (title && (!*title || strlen(title) >= sizeof iv->title)) {
        hs_sb_reply_error(resp, 400, "title", "Ensure this field has 1 to 95 characters.");
        return -1;
    }
    if (title)
        snprintf(iv->title, sizeof iv->title, "%s", title);
    return 0;
}

static json_object *object_body(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *in = json_tokener_parse(r->body);
    if (in && json_object_is_type(in, json_type_object))
        return in;
    json_object_put(in);
    detail(resp, 400, "JSON parse error - the body is not a JSON object.");
    return NULL;
}

static void create_interview(const hs_sb_req *r, hs_sb_resp *resp)
{
    json_object *in = object_body(r, resp);
    if (!in)
        return;
    hs_sb_interview iv;
    memset(&iv, 0, sizeof iv);
    if (interview_fields(&iv, in, 0, resp))
        goto out;
    if (hs_sb_w.n_iv == hs_sb_w.cap_iv) {
        size_t cap = hs_sb_w.cap_iv ? hs_sb_w.cap_iv * 2 : 8;
        hs_sb_interview *n = realloc(hs_sb_w.iv, cap * sizeof *n);
        if (!n) {
            detail(resp, 500, "out of memory");
            goto out;
        }
        hs_sb_w.iv = n;
        hs_sb_w.cap_iv = cap;
    }
    hs_sb_hex_key(&hs_sb_w.rng, iv.key);
    snprintf(iv.department, sizeof iv.department, "%08x%024x", 1u, 0u);
    snprintf(iv.department_name, sizeof iv.department_name, "Care Homes");
    snprintf(iv.owner_key, sizeof iv.owner_key, "%032x", 0xabcu);
    snprintf(iv.owner_email, sizeof iv.owner_email, "recruiter@example.com");
    snprintf(iv.owner_name, sizeof iv.owner_name, "Robin Recruiter");
    iv.created_ms = hs_sb_stamp_ms();
    hs_sb_w.iv[hs_sb_w.n_iv++] = iv;
    hs_sb_reply_json(resp, 201, hs_sb_interview_json(&hs_sb_w.iv[hs_sb_w.n_iv - 1], 1));
out:
    json_object_put(in);
}

static void update_interview(const hs_sb_req *r, hs_sb_resp *resp, hs_sb_interview *iv)
{
    json_object *in = object_body(r, resp);
    if (!in)
        return;
    hs_sb_interview copy = *iv;
    if (interview_fields(&copy, in, strcmp(r->method, "PATCH") == 0, resp) == 0) {
        *iv = copy;
        hs_sb_reply_json(resp, 200, hs_sb_interview_json(iv, 1));
    }
    json_object_put(in);
}

static void interviews(const hs_sb_req *r, hs_sb_resp *resp, const char *key)
{
    if (!key) {
        if (strcmp(r->method, "GET") == 0) {
            list_interviews(r, resp);
        } else if (strcmp(r->method, "POST") == 0) {
            create_interview(r, resp);
        } else {
            char msg[64];
            snprintf(msg, sizeof msg, "Method \"%s\" not allowed.", r->method);
            detail(resp, 405, msg);
        }
        return;
    }
    hs_sb_interview *iv = (hs_sb_interview *)hs_sb_interview_find(key);
    if (!iv) {
        detail(resp, 404, "Not found.");
    } else if (strcmp(r->method, "GET") == 0) {
        hs_sb_reply_json(resp, 200, hs_sb_interview_json(iv, 1));
    } else if (strcmp(r->method, "DELETE") == 0) {
        iv->deleted = 1;
        for (size_t i = 0; i < hs_sb_w.n_pt; i++)
            if (strcmp(hs_sb_w.pt[i].interview, iv->key) == 0)
                hs_sb_w.pt[i].deleted = 1;
        resp->status = 204;
    } else if (strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "PUT") == 0) {
        update_interview(r, resp, iv);
    } else {
        char msg[64];
        snprintf(msg, sizeof msg, "Method \"%s\" not allowed.", r->method);
        detail(resp, 405, msg);
    }
}

/* "/name/" or "/name/<key>/" after the base; key_out "" for the collection */
static int split(const char *p, char *name, size_t nsize, char *key, size_t ksize)
{
    if (*p != '/')
        return -1;
    p++;
    size_t n = strcspn(p, "/");
    if (n == 0 || n >= nsize || p[n] != '/')
        return -1;
    snprintf(name, nsize, "%.*s", (int)n, p);
    p += n + 1;
    key[0] = '\0';
    if (*p == '\0')
        return 0;
    n = strcspn(p, "/");
    if (n >= ksize || p[n] != '/' || p[n + 1] != '\0')
        return -1;
    snprintf(key, ksize, "%.*s", (int)n, p);
    return 0;
}

static int known_collection(const char *name)
{
    return strcmp(name, "interviews") == 0 || strcmp(name, "participants") == 0 ||
           strcmp(name, "webhooks") == 0;
}

/* Django's APPEND_SLASH: the same path with a slash, query kept. */
static void redirect_with_slash(const hs_sb_req *r, hs_sb_resp *resp)
{
    char query[96];
    const char *page = hs_sb_query(r, "page");
    const char *host = hs_sb_header(r, "Host");
    if (hs_sb_query_with_page(r, page ? atol(page) : 0, query, sizeof query) == 0)
        snprintf(resp->location, sizeof resp->location, "http://%.200s%.200s/%s",
                 host ? host : "127.0.0.1", r->path, query);
    detail(resp, 301, "Moved Permanently");
}

/* URL resolution and the slash redirect come before authentication, as in Django, where
 * they happen before the view; authentication and throttling come before method and
 * object checks, as in a DRF view. */
void hs_sb_willo_handle(const hs_sb_req *r, hs_sb_resp *resp)
{
    size_t blen = strlen(HS_SB_WILLO_BASE);
    const char *p = r->path;
    char name[32], key[64], slashed[512];
    if (strncmp(p, HS_SB_WILLO_BASE, blen) != 0 || p[blen] != '/') {
        detail(resp, 404, "Not found.");
        return;
    }
    p += blen;
    size_t len = strlen(p);
    int has_slash = p[len - 1] == '/';
    snprintf(slashed, sizeof slashed, "%s%s", p, has_slash ? "" : "/");
    if (split(slashed, name, sizeof name, key, sizeof key) || !known_collection(name)) {
        detail(resp, 404, "Not found.");
        return;
    }
    if (!has_slash) {
        redirect_with_slash(r, resp);
        return;
    }
    if (authenticate(r, resp) || throttle(resp))
        return;
    const char *k = key[0] ? key : NULL;
    if (strcmp(name, "interviews") == 0)
        interviews(r, resp, k);
    else if (strcmp(name, "participants") == 0)
        hs_sb_willo_participants(r, resp, k);
    else
        hs_sb_willo_webhooks(r, resp, k);
}
