/*
 * A Willo participant's life as events: invited (its `created` time), started, completed,
 * expired, declined. Only `created`, `completed` and the status are documented (and those only
 * as likely); the other times come from configured field names. An event is there when its
 * time is, or, for a status Willo shows without a time (started, expired, declined), at the
 * participant's `updated` time: the key of such an event has no time in it, so it stays stable.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "hs_json.h"
#include "hs_time.h"
#include "willo.h"

#define MAX_ANSWERS 100

static int time_of(json_object *p, const char *field, int64_t *t)
{
    const char *s = field ? hs_json_str(p, field) : NULL;
    return s && *s && hs_time_parse(s, 0, t) == 0 ? 0 : -1;
}

static int status_is(json_object *p, const char *value)
{
    const char *s = hs_json_str(p, "status");
    return s && strcmp(s, value) == 0;
}

int hs_willo_completion(json_object *p, int64_t *t)
{
    if (status_is(p, "invited") || status_is(p, "started") || status_is(p, "expired") ||
        status_is(p, "declined"))
        return -1;
    static const char *const names[] = { "completed", "completed_at", "submitted",
                                         "submitted_at" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (time_of(p, names[i], t) == 0)
            return 0;
    return -1;
}

/* An event from its field, or from a status shown without a time (at `updated`). */
static void add(json_object *p, const char *field, const char *status, int64_t updated,
                uint32_t kind, hs_willo_event *ev, size_t *n)
{
    int64_t t = 0;
    if (time_of(p, field, &t) != 0) {
        if (!status || !updated || !status_is(p, status))
            return;
        t = updated;
    }
    ev[*n].kind = kind;
    ev[*n].at = t;
    (*n)++;
}

size_t hs_willo_events(const hs_conn *c, json_object *p, hs_willo_event *ev, int64_t *updated)
{
    size_t n = 0;
    int64_t t = 0;
    *updated = 0;
    (void)time_of(p, c->cfg.updated_field, updated);
    add(p, "created", NULL, 0, HS_CHANGE_INVITED, ev, &n);
    add(p, c->cfg.started_field, "started", *updated, HS_CHANGE_STARTED, ev, &n);
    if (hs_willo_completion(p, &t) == 0) {
        ev[n].kind = HS_CHANGE_COMPLETED;
        ev[n].at = t;
        n++;
    }
    add(p, c->cfg.expired_field, "expired", *updated, HS_CHANGE_EXPIRED, ev, &n);
    add(p, c->cfg.declined_field, "declined", *updated, HS_CHANGE_DECLINED, ev, &n);
    for (size_t i = 0; !*updated && i < n; i++)
        if (ev[i].at > *updated)
            *updated = ev[i].at;
    return n;
}

/* The question's text: a string, or an object's text/title/key. */
static const char *question_of(json_object *r)
{
    json_object *q = hs_json_get(r, "question");
    if (json_object_is_type(q, json_type_object)) {
        static const char *const names[] = { "text", "title", "key" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const char *s = hs_json_str(q, names[i]);
            if (s && *s)
                return s;
        }
        return NULL;
    }
    const char *s = hs_json_str(r, "question");
    return s && *s ? s : NULL;
}

static const char *nonempty(json_object *o, const char *name)
{
    const char *s = hs_json_str(o, name);
    return s && *s ? s : NULL;
}

int hs_willo_answers(json_object *p, hs_answer **answers, size_t *n)
{
    static const char *const unnamed = "(question without text)";
    json_object *rs = hs_json_get(p, "responses");
    *answers = NULL;
    *n = 0;
    if (!json_object_is_type(rs, json_type_array) || json_object_array_length(rs) == 0)
        return 0;
    size_t len = json_object_array_length(rs);
    if (len > MAX_ANSWERS)
        len = MAX_ANSWERS;
    hs_answer *a = calloc(len, sizeof *a);
    if (!a)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *r = json_object_array_get_idx(rs, i);
        if (!json_object_is_type(r, json_type_object))
            continue;
        hs_answer *out = &a[*n];
        const char *question = question_of(r);
        out->struct_size = sizeof *out;
        out->question = question ? question : unnamed;
        out->link = nonempty(r, "media_url");
        out->score = nonempty(r, "score");
        (*n)++;
    }
    if (*n == 0) {
        free(a);
        a = NULL;
    }
    *answers = a;
    return 0;
}
