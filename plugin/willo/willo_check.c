/*
 * check: what an operator needs to know before the first cycle. The key works (one small
 * interview list), which Authorization scheme it works with, participants can be listed (the
 * invitations and completions need them), and each mapped interview is visible to this key
 * (a Standard user's key sees only that user's own and shared interviews). Reads only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"
#include "willo.h"

static hs_status item(const hs_check_report *r, const char *name, hs_check_result res,
                      const char *msg, hs_error *err)
{
    hs_status st = r->item(r->ctx, name, res, msg);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the check (%s)",
                            hs_status_name(st));
    return HS_OK;
}

/* One GET; *code is the HTTP status or 0, msg gets the failure text. Returns the status of
 * the request when it could not be judged (transport trouble, cancellation). */
static hs_status probe(hs_conn *c, const char *path, const char *query, const char *what,
                       long *code, hs_status *verdict, char *msg, size_t msg_size,
                       hs_error *err)
{
    char *url = hs_willo_url(c, path, query);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    json_object *body = NULL;
    hs_error_local perr;
    hs_status st = hs_willo_request(c, "GET", url, what, NULL, 0, code, &body,
                                    hs_error_local_init(&perr));
    free(url);
    msg[0] = '\0';
    *verdict = st;
    if (st == HS_E_CONFIG || st == HS_E_PERMISSION) {
        snprintf(msg, msg_size, "%s", perr.buf);
        json_object_put(body);
        return HS_OK;
    }
    if (st != HS_OK)
        return hs_error_pass(err, &perr.err, st);
    if (*code != 200) {
        *verdict = HS_E_DATA;
        hs_willo_error_text(body, msg, msg_size);
    }
    json_object_put(body);
    return HS_OK;
}

static hs_status check_interviews(hs_conn *c, const hs_check_report *r, hs_error *err)
{
    size_t missing = 0;
    size_t n = HS_HAS_FIELD(hs_check_report, r->struct_size, n_job_ids) && r->job_ids
                   ? r->n_job_ids : 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = r->job_ids[i];
        char esc[512], path[600], msg[400], name[600];
        if (!key || !*key)
            continue;
        if (hs_url_escape(key, esc, sizeof esc) != 0)
            return hs_error_set(err, HS_E_CONFIG, 0, "willo: interview key too long");
        snprintf(path, sizeof path, "/interviews/%s/", esc);
        long code = 0;
        hs_status verdict = HS_OK;
        hs_status st = probe(c, path, NULL, "GET /interviews/{key}/", &code, &verdict, msg,
                             sizeof msg, err);
        if (st != HS_OK)
            return st;
        if (verdict == HS_OK)
            continue;
        missing++;
        snprintf(name, sizeof name, "Interview %s", key);
        char text[600];
        snprintf(text, sizeof text,
                 "this API key cannot see interview %s (%ld%s%s): it was deleted, or the key's "
                 "user does not own it and it is not shared with them; fix the mapping or use "
                 "an Admin or Owner user's key", key, code, msg[0] ? ": " : "", msg);
        st = item(r, name, HS_CHECK_FAIL, text, err);
        if (st != HS_OK)
            return st;
    }
    if (n == 0 || missing > 0)
        return HS_OK;
    char text[128];
    snprintf(text, sizeof text, "all %zu mapped interviews are visible", n);
    return item(r, "Interviews", HS_CHECK_OK, text, err);
}

hs_status hs_willo_check(hs_conn *c, const hs_check_report *r, hs_error *err)
{
    if (!r || !r->item)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: check without a report");
    char msg[HS_ERROR_LOCAL_SIZE], text[HS_ERROR_LOCAL_SIZE + 128];
    long code = 0;
    hs_status verdict = HS_OK;
    hs_status st = probe(c, "/interviews/", "page_size=1", "GET /interviews/", &code, &verdict,
                         msg, sizeof msg, err);
    if (st != HS_OK)
        return st;
    if (verdict != HS_OK) {
        if (verdict == HS_E_DATA)
            snprintf(text, sizeof text, "GET /interviews/ answered %ld%s%s: check base_url",
                     code, msg[0] ? ": " : "", msg);
        else
            snprintf(text, sizeof text, "%s", msg);
        return item(r, "API key", HS_CHECK_FAIL, text, err);
    }
    st = item(r, "API key", HS_CHECK_OK, "the key lists interviews", err);
    if (st != HS_OK)
        return st;
    static const char *const forms[HS_WILLO_N_SCHEMES] = { "Bearer <key>", "Token <key>",
                                                            "<key>" };
    if (c->cfg.scheme == HS_WILLO_AUTO)
        snprintf(text, sizeof text, "%s: \"Authorization: %s\", found by auto (set auth_scheme "
                 "to %s to skip the search)", hs_willo_scheme_name(c->scheme), forms[c->scheme],
                 hs_willo_scheme_name(c->scheme));
    else
        snprintf(text, sizeof text, "%s: \"Authorization: %s\"",
                 hs_willo_scheme_name(c->scheme), forms[c->scheme]);
    st = item(r, "Authorization scheme", HS_CHECK_OK, text, err);
    if (st != HS_OK)
        return st;
    st = probe(c, "/participants/", "page_size=1", "GET /participants/", &code, &verdict, msg,
               sizeof msg, err);
    if (st != HS_OK)
        return st;
    if (verdict == HS_OK)
        st = item(r, "Participants", HS_CHECK_OK, "the key lists participants", err);
    else {
        snprintf(text, sizeof text, "cannot list participants (%ld%s%s): invitations and "
                 "completions need it; use an Admin or Owner user's key", code,
                 msg[0] ? ": " : "", msg);
        st = item(r, "Participants", HS_CHECK_FAIL, text, err);
    }
    if (st != HS_OK)
        return st;
    return check_interviews(c, r, err);
}
