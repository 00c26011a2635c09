/*
 * write_note as a workflow action on the application, Eploy's recommended way for partners to
 * report back (it shows in the application's timeline and in reports). Eploy has no
 * idempotency key, so the caller's key is embedded in the action's text as
 * "[hiresync:<key>]" and the application's actions are searched for it before one is created.
 * An outcome guarded by hs_note.outcome_from (one the tenant's workflow ties to a stage move)
 * costs one read of the application's position first, as move_record does; away from those
 * positions the action is written without an outcome and outcome_withheld reported.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_num.h"
#include "hs_time.h"

typedef struct finder {
    const char *marker;
    const char *field;
    char id[128];
    int found;
    int has_outcome;              /* the found action carries an ActionOutcome */
} finder;

static hs_status find_page(void *ctx, json_object *records, int page, hs_error *err)
{
    finder *f = ctx;
    size_t n = json_object_array_length(records);

    (void)page;
    for (size_t i = 0; i < n && !f->found; i++) {
        json_object *a = json_object_array_get_idx(records, i);
        const char *text = hs_json_str(a, f->field);
        if (text != NULL && strstr(text, f->marker) != NULL) {
            const char *id = hs_json_str(a, "ActionId");
            int w = snprintf(f->id, sizeof f->id, "%s", id != NULL ? id : "");
            /* A cut id would name another action: refuse it rather than report it. */
            if (w < 0 || (size_t)w >= sizeof f->id)
                return hs_error_set(err, HS_E_INTERNAL, 0,
                                    "eploy: an action id of over %zu bytes (malformed response)",
                                    sizeof f->id - 1);
            f->found = 1;
            f->has_outcome = hs_json_str(a, "ActionOutcome.Id") != NULL ||
                             hs_json_str(a, "ActionOutcome.Description") != NULL;
        }
    }
    return HS_OK;
}

static hs_status find_existing(hs_conn *conn, const char *app_id, finder *f, hs_error *err)
{
    const char *blocks[] = {"ActionId", "ActionType", "ActionOutcome", "Application", f->field,
                            NULL};
    hs_eploy_filter filter = {"Action.Application", "Equals", app_id};
    hs_eploy_search s = {"actions", &filter, 1, blocks, HS_EPLOY_PERM_ACTIONS_VIEW, 0, 0};

    return hs_eploy_search_pages(conn, &s, find_page, f, err);
}

typedef struct app_refs {
    char cand[24], vacancy[24];
    int found;
} app_refs;

static hs_status refs_page(void *ctx, json_object *records, int page, hs_error *err)
{
    app_refs *r = ctx;
    json_object *a = json_object_array_get_idx(records, 0);
    const char *c = hs_json_str(a, "Candidate.Id"), *v = hs_json_str(a, "Vacancy.Id");

    (void)page;
    (void)err;
    (void)snprintf(r->cand, sizeof r->cand, "%s", c != NULL ? c : "");
    (void)snprintf(r->vacancy, sizeof r->vacancy, "%s", v != NULL ? v : "");
    r->found = a != NULL;
    return HS_OK;
}

static hs_status application_refs(hs_conn *conn, const char *app_id, app_refs *r, hs_error *err)
{
    static const char *const blocks[] = {"ApplicationId", "Candidate", "Vacancy", NULL};
    hs_eploy_filter f = {"Application.ApplicationId", "Equals", app_id};
    hs_eploy_search s = {"applications", &f, 1, blocks, HS_EPLOY_PERM_APPLICATIONS, 1, 1};
    hs_status st = hs_eploy_search_pages(conn, &s, refs_page, r, err);

    if (st == HS_OK && !r->found)
        st = hs_error_set(err, HS_E_DATA, 0, "eploy: application %s not found", app_id);
    return st;
}

/* The outcome to record: the note's own (ABI 2.1), else the configured note_action_outcome. */
static const char *note_outcome(const hs_conn *conn, const hs_note *note)
{
    if (HS_HAS_FIELD(hs_note, note->struct_size, outcome) && note->outcome != NULL &&
        *note->outcome != '\0')
        return note->outcome;
    return conn->cfg.note_action_outcome;
}

static int all_digits(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

/* {"Id": n} for an id, {"Description": name} for a name, which Eploy matches itself. */
static json_object *outcome_ref(const char *outcome)
{
    json_object *o;

    if (all_digits(outcome))
        return hs_eploy_ref(outcome);
    if ((o = json_object_new_object()) != NULL)
        json_object_object_add(o, "Description", json_object_new_string(outcome));
    return o;
}

static char *note_text(const hs_note *note, const char *marker)
{
    const char *title = note->title != NULL ? note->title : "";
    const char *body = note->body != NULL ? note->body : "";
    const char *link = note->link != NULL ? note->link : "";
    size_t n = strlen(title) + strlen(body) + strlen(link) + strlen(marker) + 8;
    char *text = malloc(n);

    if (text != NULL)
        (void)snprintf(text, n, "%s%s%s%s%s%s%s", title, *title ? "\n\n" : "", body,
                       *body ? "\n" : "", link, *link ? "\n" : "", marker);
    return text;
}

/* A 400 on a note with an outcome is most likely the outcome: say which and where to look,
 * keeping Eploy's own words. */
static hs_status outcome_refused(const hs_note *note, const char *outcome, hs_error *err)
{
    char was[HS_ERROR_LOCAL_SIZE];

    (void)snprintf(was, sizeof was, "%s", err->message);
    return hs_error_set(err, HS_E_DATA, 400,
                        "eploy: the note on application %s was refused with outcome \"%.64s\": "
                        "give an Action Outcome id or name the tenant has (Eploy: Admin > "
                        "Workflow > Action Outcomes) in the mapping's \"outcomes\" (%.200s)",
                        note->record_id, outcome, was);
}

static int guarded(const hs_note *note)
{
    return HS_HAS_FIELD(hs_note, note->struct_size, outcome_from_size) &&
           note->outcome_from != NULL && note->n_outcome_from > 0;
}

static void set_withheld(hs_write_result *result, int withheld)
{
    if (HS_HAS_FIELD(hs_write_result, result->struct_size, outcome_withheld))
        result->outcome_withheld = withheld;
}

/* With outcome_from: 1 when the application is elsewhere, so the outcome must not be
 * recorded (its workflow rule would move a candidate a recruiter moved on). */
static hs_status outcome_away(hs_conn *conn, const hs_note *note, int *away, hs_error *err)
{
    hs_eploy_position p;
    hs_status st;

    *away = 0;
    if (!guarded(note) || note_outcome(conn, note) == NULL)
        return HS_OK;
    memset(&p, 0, sizeof p);
    if ((st = hs_eploy_read_position(conn, note->record_id, &p, err)) != HS_OK)
        return st;
    *away = !hs_eploy_in_positions(note->outcome_from, note->n_outcome_from,
                                   note->outcome_from_size, &p);
    if (*away)
        conn->api->log(conn->host, HS_LOG_INFO, "eploy: application %s is in \"%s\" / \"%s\", "
                       "not where outcome \"%.64s\" may be recorded; the note goes without it",
                       note->record_id, p.stage, p.status, note_outcome(conn, note));
    return HS_OK;
}

static hs_status create_action(hs_conn *conn, const hs_note *note, const app_refs *refs,
                               const char *text, int away, hs_write_result *result,
                               hs_error *err)
{
    /* StartDate on Eploy's clock (its last Date, see hs_http_server_now), so that the note
     * sorts among the application's other actions whatever this machine's clock says. */
    char start[HS_TIME_BUF];
    json_object *body = json_object_new_object();
    json_object *resp = NULL;
    const char *id;
    int bad = body == NULL ||
              hs_time_format(hs_http_server_now(conn->http, conn->api->now_ms(conn->host)),
                             start, sizeof start) != 0;
    const char *outcome = away ? NULL : note_outcome(conn, note);
    hs_status st;

    if (!bad) {
        bad |= json_object_object_add(body, "ActionType", hs_eploy_ref(conn->cfg.note_action_type));
        if (outcome != NULL)
            bad |= json_object_object_add(body, "ActionOutcome", outcome_ref(outcome));
        bad |= json_object_object_add(body, "Application", hs_eploy_ref(note->record_id));
        if (refs->cand[0])
            bad |= json_object_object_add(body, "Candidate", hs_eploy_ref(refs->cand));
        if (refs->vacancy[0])
            bad |= json_object_object_add(body, "Vacancy", hs_eploy_ref(refs->vacancy));
        bad |= json_object_object_add(body, "StartDate", json_object_new_string(start));
        bad |= json_object_object_add(body, conn->cfg.note_text_field,
                                      json_object_new_string(text));
    }
    if (bad) {
        json_object_put(body);
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    }
    st = hs_eploy_call(conn, "POST", "actions", body, HS_EPLOY_PERM_ACTIONS_INSERT, &resp, NULL,
                       err);
    json_object_put(body);
    if (st == HS_E_DATA && outcome != NULL && err != NULL && err->http_status == 400)
        return outcome_refused(note, outcome, err);
    if (st != HS_OK)
        return st;
    id = hs_json_str(resp, "ActionId");
    st = hs_result_set_id(result, id != NULL ? id : "", "eploy", err);
    if (st == HS_OK)
        result->applied = 1;
    json_object_put(resp);
    return st;
}

/* The create is sent once (hs_http_request.once). A 5xx may come after Eploy made the action,
 * so the note is looked for first, and created again only when it is not there. */
static hs_status create_checked(hs_conn *conn, const hs_note *note, const app_refs *refs,
                                const char *text, int away, finder *f,
                                hs_write_result *result, hs_error *err)
{
    hs_status st = create_action(conn, note, refs, text, away, result, err);
    hs_error_local lerr;

    if (st != HS_RETRY || err == NULL || err->http_status < 500)
        return st;
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: the note on application %s got HTTP %d; "
                   "looking for it before creating it again", note->record_id,
                   err->http_status);
    f->found = 0;
    if (find_existing(conn, note->record_id, f, hs_error_local_init(&lerr)) != HS_OK)
        return st;
    if (!f->found)
        return create_action(conn, note, refs, text, away, result, err);
    return hs_result_set_id(result, f->id, "eploy", err);
}

/* The last note of an interview marks the application exported when export_package is set. */
static hs_status mark_if_final(hs_conn *conn, const hs_note *note, hs_error *err)
{
    if (conn->cfg.export_package != NULL && HS_HAS_FIELD(hs_note, note->struct_size, final) &&
        note->final)
        return hs_eploy_export_mark(conn, note->record_id, err);
    return HS_OK;
}

hs_status hs_eploy_write_note(hs_conn *conn, const hs_note *note, hs_write_result *result,
                              hs_error *err)
{
    char marker[300];
    char *text = NULL;
    finder f;
    app_refs refs;
    int away = 0;
    hs_status st;

    if (note == NULL || !hs_result_usable(result))
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: write_note without a note or result");
    if (note->key == NULL || *note->key == '\0' || note->record_id == NULL ||
        *note->record_id == '\0')
        return hs_error_set(err, HS_E_DATA, 0,
                            "eploy: a note needs a key and an application id (record_id)");
    if (conn->cfg.note_action_type == NULL)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "eploy: note_action_type is not set: give the Id of the Eploy action "
                            "type that notes are written as (Eploy: Admin > Workflow > Action "
                            "Types)");
    if (snprintf(marker, sizeof marker, "[hiresync:%s]", note->key) >= (int)sizeof marker)
        return hs_error_set(err, HS_E_DATA, 0, "eploy: note key longer than 280 bytes");
    result->applied = 0;
    result->remote_id[0] = '\0';
    set_withheld(result, 0);

    memset(&f, 0, sizeof f);
    f.marker = marker;
    f.field = conn->cfg.note_text_field;
    if ((st = find_existing(conn, note->record_id, &f, err)) != HS_OK)
        return st;
    if (f.found) {
        if ((st = hs_result_set_id(result, f.id, "eploy", err)) != HS_OK)
            return st;
        conn->api->log(conn->host, HS_LOG_INFO,
                       "eploy: note already on application %s (action %s)", note->record_id,
                       f.id);
        /* Reported from what the existing action carries (the search returns its outcome,
         * so this costs nothing): a guarded outcome it lacks was withheld. */
        set_withheld(result, guarded(note) && note_outcome(conn, note) != NULL &&
                             !f.has_outcome);
        /* A crash (or a failed mark) may have come between the note and its mark. */
        return mark_if_final(conn, note, err);
    }
    memset(&refs, 0, sizeof refs);
    if (note->person_id != NULL && *note->person_id && note->job_id != NULL && *note->job_id) {
        (void)snprintf(refs.cand, sizeof refs.cand, "%s", note->person_id);
        (void)snprintf(refs.vacancy, sizeof refs.vacancy, "%s", note->job_id);
    } else if ((st = application_refs(conn, note->record_id, &refs, err)) != HS_OK) {
        return st;
    }
    if ((st = outcome_away(conn, note, &away, err)) != HS_OK)
        return st;
    if ((text = note_text(note, marker)) == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    st = create_checked(conn, note, &refs, text, away, &f, result, err);
    free(text);
    if (st != HS_OK)
        return st;
    set_withheld(result, away);
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: note added to application %s (action %s)",
                   note->record_id, result->remote_id);
    return mark_if_final(conn, note, err);
}
