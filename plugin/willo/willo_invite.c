/*
 * write_invitation: a participant per (interview, email), never two. Willo has no idempotency
 * key, and what it does with a second POST of the same email is not documented (it may refuse
 * it, create a duplicate, or return the first), so the email is looked up in the interview
 * before anything is created, and the create itself is sent once: after an unclear failure
 * the lookup runs again instead of a blind retry.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"
#include "willo.h"

#define ESC_MAX 1024

typedef struct find_ctx {
    const char *interview;
    const char *email;
    const char *previous;   /* a re-invitation's earlier participant: never adopted */
    char key[128];
    char created[64];
    int found;
    int email_seen;         /* a participant with the email was listed (adoptable or not) */
    int previous_seen;
    size_t seen;
} find_ctx;

/* On a re-invitation, the earlier participant and any that expired or declined are history,
 * not an invitation to adopt. */
static int adoptable(const find_ctx *fc, json_object *p, const char *key)
{
    if (!fc->previous)
        return 1;
    const char *status = hs_json_str(p, "status");
    return strcmp(key, fc->previous) != 0 && !(status && (strcmp(status, "expired") == 0 ||
                                                          strcmp(status, "declined") == 0));
}

typedef enum lookup_outcome { FOUND, NOT_FOUND, NO_INTERVIEW } lookup_outcome;

static hs_status on_page(void *ctx, json_object *results, int *stop, hs_error *err)
{
    find_ctx *fc = ctx;
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        json_object *p = json_object_array_get_idx(results, i);
        fc->seen++;
        if (!hs_willo_participant_in(p, fc->interview) ||
            !hs_willo_email_equal(fc->email, hs_json_str(p, "email")))
            continue;
        const char *key = hs_json_str(p, "key");
        if (!key || !*key)
            continue;
        fc->email_seen = 1;
        if (fc->previous && strcmp(key, fc->previous) == 0)
            fc->previous_seen = 1;
        if (!adoptable(fc, p, key))
            continue;
        int w = snprintf(fc->key, sizeof fc->key, "%s", key);
        if (w < 0 || (size_t)w >= sizeof fc->key)
            return hs_error_set(err, HS_E_INTERNAL, 0, "willo: participant key too long");
        const char *created = hs_json_str(p, "created");
        snprintf(fc->created, sizeof fc->created, "%s", created ? created : "");
        fc->found = 1;
        *stop = 1;
        return HS_OK;
    }
    return HS_OK;
}

/* One listing of the interview's participants, with the search filter or without it. */
static hs_status list_once(hs_conn *c, const char *interview, const char *email, int search,
                           find_ctx *fc, long *status, hs_error *err)
{
    char esc_iv[ESC_MAX], esc_mail[ESC_MAX], query[2 * ESC_MAX + 64];
    if (hs_url_escape(interview, esc_iv, sizeof esc_iv) != 0 ||
        hs_url_escape(email, esc_mail, sizeof esc_mail) != 0)
        return hs_error_set(err, HS_E_DATA, 0, "willo: interview key or email too long");
    if (search)
        snprintf(query, sizeof query, "interview=%s&search=%s&page_size=%d", esc_iv, esc_mail,
                 c->cfg.page_size);
    else
        snprintf(query, sizeof query, "interview=%s&page_size=%d", esc_iv, c->cfg.page_size);
    char *url = hs_willo_url(c, "/participants/", query);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    fc->found = 0;
    fc->seen = 0;
    fc->email_seen = 0;
    fc->previous_seen = 0;
    hs_status st = hs_willo_pages(c, url, "GET /participants/", on_page, fc, status, NULL, err);
    free(url);
    return st;
}

/*
 * Looks for email among the interview's participants. The search filter is tried first (one
 * small page when it works). Its results are checked on the client, exact and case-blind; when
 * Willo refuses the filter, or answers with participants none of which match (so the filter
 * does not select by email), the interview's participants are paged through instead.
 */
static hs_status lookup(hs_conn *c, const hs_invitation *inv, find_ctx *fc,
                       lookup_outcome *outcome, hs_error *err)
{
    long status = 0;
    const char *interview = inv->interview_id, *email = inv->person->email;
    fc->interview = interview;
    fc->email = email;
    fc->previous = inv->previous_id && *inv->previous_id ? inv->previous_id : NULL;
    hs_status st = list_once(c, interview, email, 1, fc, &status, err);
    if (st != HS_OK)
        return st;
    /* a listed participant with the email shows the search works: the answer is final */
    if (status == 200 && (fc->found || fc->seen == 0 || fc->email_seen)) {
        *outcome = fc->found ? FOUND : NOT_FOUND;
        return HS_OK;
    }
    st = list_once(c, interview, email, 0, fc, &status, err);
    if (st != HS_OK)
        return st;
    if (status != 200)
        *outcome = NO_INTERVIEW;
    else
        *outcome = fc->found ? FOUND : NOT_FOUND;
    return HS_OK;
}

static hs_status no_interview(const hs_invitation *inv, const char *detail, hs_error *err)
{
    return hs_error_set(err, HS_E_DATA, 404,
                        "willo: interview %s does not exist or this API key cannot see it%s%s%s;"
                        " map the pipeline to an existing interview", inv->interview_id,
                        detail && *detail ? " (Willo: " : "", detail ? detail : "",
                        detail && *detail ? ")" : "");
}

/* A re-invitation Willo will not make: it keeps the earlier participant for the email. */
static hs_status still_held(const hs_invitation *inv, hs_error *err)
{
    return hs_error_set(err, HS_E_DATA, 400,
                        "willo: Willo still holds the earlier invitation %s for this email and "
                        "interview; it invites an email once while its participant is open: "
                        "expire or delete participant %s in Willo to re-invite record %s, or "
                        "set the mapping's reinvite to \"never\"", inv->previous_id,
                        inv->previous_id,
                        inv->source_record_id ? inv->source_record_id : "(unknown)");
}

static hs_status set_result(hs_write_result *result, int applied, const char *key,
                            hs_error *err)
{
    hs_status st = hs_result_set_id(result, key, "willo", err);
    if (st == HS_OK)
        result->applied = applied;
    return st;
}

static int add_str(json_object *obj, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    json_object *s = json_object_new_string(value);
    if (!s)
        return -1;
    return json_object_object_add(obj, name, s);
}

static json_object *invite_body(hs_conn *c, const hs_invitation *inv, int with_phone)
{
    json_object *body = json_object_new_object();
    if (!body)
        return NULL;
    int rc = add_str(body, "interview", inv->interview_id);
    rc |= add_str(body, "first_name", inv->person->first_name);
    rc |= add_str(body, "last_name", inv->person->last_name);
    rc |= add_str(body, "email", inv->person->email);
    const char *phone = inv->person->phone;
    if (with_phone && phone && *phone) {
        char e164[24];
        if (hs_willo_phone_e164(phone, c->cfg.default_country_code, e164, sizeof e164) == 0)
            rc |= add_str(body, "phone", e164);
        else
            c->api->log(c->host, HS_LOG_WARN,
                        "willo: the phone number of record %s is not a usable international "
                        "number (E.164; set default_country_code for national numbers); "
                        "inviting without it", inv->source_record_id ? inv->source_record_id
                                                                     : "(unknown)");
    }
    if (rc != 0) {
        json_object_put(body);
        return NULL;
    }
    return body;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* The create is sent once (hs_http_request.once): hs_http sends it again only when Willo
 * certainly did not act on it (no connection, 408, 429 with its Retry-After). */
static hs_status post(hs_conn *c, json_object *body, long *status, json_object **reply,
                      hs_error *err)
{
    char *url = hs_willo_url(c, "/participants/", NULL);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    hs_status st = hs_willo_request(c, "POST", url, "POST /participants/", body, 1, status,
                                    reply, err);
    free(url);
    return st;
}

static hs_status adopt(hs_conn *c, const hs_invitation *inv, const char *why,
                       hs_write_result *result, hs_error *err)
{
    find_ctx fc;
    memset(&fc, 0, sizeof fc);
    lookup_outcome outcome = NOT_FOUND;
    hs_status st = lookup(c, inv, &fc, &outcome, err);
    if (st != HS_OK)
        return st;
    if (outcome == NO_INTERVIEW)
        return no_interview(inv, NULL, err);
    if (outcome == NOT_FOUND && fc.previous_seen)
        return still_held(inv, err);
    if (outcome == NOT_FOUND)
        return hs_error_set(err, HS_E_DATA, 400,
                            "willo: %s, but record %s's email is not among the participants of "
                            "interview %s", why, inv->source_record_id ? inv->source_record_id
                                                                         : "(unknown)",
                            inv->interview_id);
    c->api->log(c->host, HS_LOG_INFO, "willo: %s; adopted participant %s", why, fc.key);
    hs_willo_note_invited(c, inv->interview_id, fc.created);
    return set_result(result, 0, fc.key, err);
}

static hs_status rejected(hs_conn *c, const hs_invitation *inv, json_object *reply,
                          hs_write_result *result, int *again, hs_error *err)
{
    char text[300];
    hs_willo_error_text(reply, text, sizeof text);
    if (contains_ci(text, "already"))
        return adopt(c, inv, "Willo says the email is already invited", result, err);
    if (hs_json_get(reply, "email"))
        return hs_error_set(err, HS_E_DATA, 400,
                            "willo: Willo rejected the email of record %s for interview %s: %s; "
                            "correct the candidate's email in the ATS",
                            inv->source_record_id ? inv->source_record_id : "(unknown)",
                            inv->interview_id, text);
    if (hs_json_get(reply, "interview"))
        return no_interview(inv, text, err);
    if (hs_json_get(reply, "phone") && !*again) {
        c->api->log(c->host, HS_LOG_WARN,
                    "willo: Willo rejected the phone number of record %s (%s); inviting "
                    "without it", inv->source_record_id ? inv->source_record_id : "(unknown)",
                    text);
        *again = 1;
        return HS_OK;
    }
    return hs_error_set(err, HS_E_DATA, 400, "willo: Willo rejected the invitation of record "
                        "%s to interview %s: %s", inv->source_record_id ? inv->source_record_id
                        : "(unknown)", inv->interview_id, text[0] ? text : "400");
}

/* Willo may have acted on a POST whose answer was lost (a 5xx, a reset): look before the
 * caller retries. Returns HS_OK when the participant is there, else `st` (err kept). */
static hs_status look_after_unclear(hs_conn *c, const hs_invitation *inv,
                                    hs_write_result *result, hs_status st, hs_error *err)
{
    hs_error_local lerr;
    find_ctx fc;
    memset(&fc, 0, sizeof fc);
    lookup_outcome outcome = NOT_FOUND;
    if (lookup(c, inv, &fc, &outcome, hs_error_local_init(&lerr)) != HS_OK ||
        outcome != FOUND)
        return st;
    hs_willo_note_invited(c, inv->interview_id, fc.created);
    return set_result(result, 0, fc.key, err);
}

static hs_status create(hs_conn *c, const hs_invitation *inv, hs_write_result *result,
                        hs_error *err)
{
    int without_phone = 0;
    for (;;) {
        json_object *body = invite_body(c, inv, !without_phone);
        if (!body)
            return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
        long status = 0;
        json_object *reply = NULL;
        hs_status st = post(c, body, &status, &reply, err);
        json_object_put(body);
        if (st == HS_RETRY && err && err->http_status == 429) {
            /* refused unread: nothing can have been created */
            return st;
        }
        if (st == HS_RETRY)
            return look_after_unclear(c, inv, result, st, err);
        if (st != HS_OK)
            return st;
        if (status == 400) {
            int again = without_phone;
            st = rejected(c, inv, reply, result, &again, err);
            json_object_put(reply);
            if (st != HS_OK || again == without_phone)
                return st;
            without_phone = 1;
            continue;
        }
        if (status == 404) {
            char text[256];
            hs_willo_error_text(reply, text, sizeof text);
            json_object_put(reply);
            return no_interview(inv, text, err);
        }
        const char *key = hs_json_str(reply, "key");
        if (!key || !*key) {
            json_object_put(reply);
            return hs_error_set(err, HS_E_INTERNAL, (int)status,
                                "willo: POST /participants/ answered %ld without a participant "
                                "key", status);
        }
        /* 201 is a creation; a 200 returns a participant that was already there */
        if (status == 200 && inv->previous_id && strcmp(key, inv->previous_id) == 0) {
            json_object_put(reply);
            return still_held(inv, err);
        }
        st = set_result(result, status == 201, key, err);
        hs_willo_note_invited(c, inv->interview_id, hs_json_str(reply, "created"));
        json_object_put(reply);
        if (st == HS_OK)
            c->api->log(c->host, HS_LOG_INFO, "willo: invited record %s as participant %s",
                        inv->source_record_id ? inv->source_record_id : "(unknown)",
                        result->remote_id);
        return st;
    }
}

/* The invitation and its person min-copied into zero-filled structs of this build (rule 2). */
static int copy_in(const hs_invitation *in, hs_invitation *inv, hs_person *person)
{
    memset(inv, 0, sizeof *inv);
    memset(person, 0, sizeof *person);
    if (in == NULL || in->struct_size < offsetof(hs_invitation, person) + sizeof in->person)
        return -1;
    memcpy(inv, in, in->struct_size < sizeof *inv ? in->struct_size : sizeof *inv);
    inv->struct_size = sizeof *inv;
    if (inv->person != NULL)
        memcpy(person, inv->person, inv->person->struct_size < sizeof *person
                                        ? inv->person->struct_size : sizeof *person);
    person->struct_size = sizeof *person;
    inv->person = person;
    return 0;
}

hs_status hs_willo_write_invitation(hs_conn *c, const hs_invitation *given,
                                    hs_write_result *result, hs_error *err)
{
    hs_invitation copy;
    hs_person person;
    if (copy_in(given, &copy, &person) != 0 || !hs_result_usable(result))
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: write_invitation with short structs");
    const hs_invitation *inv = &copy;
    result->applied = 0;
    result->remote_id[0] = '\0';
    const char *src = inv->source_record_id ? inv->source_record_id : "(unknown)";
    if (!inv->interview_id || !*inv->interview_id)
        return hs_error_set(err, HS_E_DATA, 0,
                            "willo: invitation for record %s names no interview", src);
    if (!person.email || !*person.email)
        return hs_error_set(err, HS_E_DATA, 0,
                            "willo: record %s has no email address, and Willo invites by email: "
                            "add one to the candidate", src);
    /* ATS fields often carry stray blanks; Willo would refuse them, and search would miss */
    char email[320];
    const char *e = person.email;
    while (*e == ' ' || *e == '\t')
        e++;
    size_t n = strlen(e);
    while (n > 0 && (e[n - 1] == ' ' || e[n - 1] == '\t' || e[n - 1] == '\r' || e[n - 1] == '\n'))
        n--;
    if (n == 0 || n >= sizeof email)
        return hs_error_set(err, HS_E_DATA, 0, "willo: the email address of record %s is %s",
                            src, n == 0 ? "blank" : "too long");
    memcpy(email, e, n);
    email[n] = '\0';
    person.email = email;    /* inv->person is &person */
    find_ctx fc;
    memset(&fc, 0, sizeof fc);
    lookup_outcome outcome = NOT_FOUND;
    hs_status st = lookup(c, inv, &fc, &outcome, err);
    if (st != HS_OK)
        return st;
    if (outcome == NO_INTERVIEW)
        return no_interview(inv, NULL, err);
    if (outcome == FOUND) {
        c->api->log(c->host, HS_LOG_INFO,
                    "willo: record %s is already participant %s of interview %s; adopted", src,
                    fc.key, inv->interview_id);
        hs_willo_note_invited(c, inv->interview_id, fc.created);
        return set_result(result, 0, fc.key, err);
    }
    return create(c, inv, result, err);
}
