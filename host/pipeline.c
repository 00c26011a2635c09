/* Pipelines: parsing the configured mappings and checking them against discovery. */
#define _POSIX_C_SOURCE 200809L

#include "pipeline.h"

#include "note_template.h"
#include "records.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_INTERVAL_S (3 * 3600)
#define MIN_INTERVAL_S 60

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* "<n><unit>", unit s, m, h or d; at least a minute. */
static int parse_interval(const char *text, int64_t *out)
{
    char *end = NULL;
    long long n;
    int64_t mult;
    if (text == NULL || *text < '0' || *text > '9')
        return -1;
    n = strtoll(text, &end, 10);
    if (end == NULL || end[0] == '\0' || end[1] != '\0' || n <= 0)
        return -1;
    switch (end[0]) {
    case 's': mult = 1; break;
    case 'm': mult = 60; break;
    case 'h': mult = 3600; break;
    case 'd': mult = 86400; break;
    default: return -1;
    }
    if (n > INT64_MAX / mult / 1000 || n * mult < MIN_INTERVAL_S)
        return -1;
    *out = n * mult;
    return 0;
}

static const char *obj_str(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int parse_job(json_object *jo, hs_pipeline_job *job, char *err, size_t err_size,
                     const char *where)
{
    json_object *stages;
    const char *id;
    size_t n;
    if (jo == NULL || !json_object_is_type(jo, json_type_object)) {
        snprintf(err, err_size, "%s: a job must be an object", where);
        return -1;
    }
    id = obj_str(jo, "job");
    if (id == NULL && json_object_object_get_ex(jo, "job", &stages) &&
        json_object_is_type(stages, json_type_int))
        id = json_object_get_string(stages);
    if (id == NULL || *id == '\0') {
        snprintf(err, err_size, "%s: \"job\" (the ATS job id) is missing", where);
        return -1;
    }
    if (!json_object_object_get_ex(jo, "trigger_stages", &stages) ||
        !json_object_is_type(stages, json_type_array) ||
        (n = json_object_array_length(stages)) == 0) {
        snprintf(err, err_size, "%s: \"trigger_stages\" must list at least one stage", where);
        return -1;
    }
    job->job = strdup(id);
    job->triggers = calloc(n, sizeof *job->triggers);
    if (job->job == NULL || job->triggers == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        const char *t = json_object_get_string(json_object_array_get_idx(stages, i));
        if (t == NULL || *t == '\0') {
            snprintf(err, err_size, "%s: trigger_stages[%zu] is empty", where, i);
            return -1;
        }
        job->triggers[i].text = strdup(t);
        if (job->triggers[i].text == NULL)
            goto oom;
        job->n_triggers++;
    }
    return 0;
oom:
    snprintf(err, err_size, "%s: out of memory", where);
    return -1;
}

static const char *const EVENT_NAMES[HS_EVENT_COUNT] = {"invited", "started", "completed",
                                                         "expired", "declined"};

const char *hs_event_name(int event)
{
    return event >= 0 && event < HS_EVENT_COUNT ? EVENT_NAMES[event] : "?";
}

static int dup_key(json_object *mo, const char *key, char **out)
{
    const char *v = obj_str(mo, key);
    if (v == NULL || *v == '\0')
        return 0;
    *out = strdup(v);
    return *out ? 0 : -1;
}

/* "reinvite": "never" | "after_expiry" | {"after_days": N}. */
static int parse_reinvite(json_object *mo, hs_mapping *m, char *err, size_t err_size,
                          const char *where)
{
    json_object *v, *days;
    if (!json_object_object_get_ex(mo, "reinvite", &v) || v == NULL)
        return 0;
    if (json_object_is_type(v, json_type_string)) {
        if (strcmp(json_object_get_string(v), "never") == 0)
            return 0;
        if (strcmp(json_object_get_string(v), "after_expiry") == 0) {
            m->reinvite = HS_REINVITE_AFTER_EXPIRY;
            return 0;
        }
    } else if (json_object_is_type(v, json_type_object) &&
               json_object_object_get_ex(v, "after_days", &days) &&
               json_object_is_type(days, json_type_int) && json_object_get_int64(days) > 0) {
        m->reinvite = HS_REINVITE_AFTER_DAYS;
        m->reinvite_days = json_object_get_int64(days);
        return 0;
    }
    snprintf(err, err_size, "%s: \"reinvite\" must be \"never\", \"after_expiry\" or "
             "{\"after_days\": N} with N at least 1", where);
    return -1;
}

/* What a mapping says about the interview's life: outcomes, moves, re-invitation, the note
 * template. */
static int parse_lifecycle(json_object *mo, hs_mapping *m, char *err, size_t err_size,
                           const char *where)
{
    json_object *outcomes;
    char why[400];
    if (json_object_object_get_ex(mo, "outcomes", &outcomes) &&
        json_object_is_type(outcomes, json_type_object))
        for (int i = 0; i < HS_EVENT_COUNT; i++)
            if (dup_key(outcomes, EVENT_NAMES[i], &m->outcomes[i]) != 0)
                goto oom;
    if (dup_key(mo, "on_completed", &m->moves[HS_MOVE_ON_COMPLETED]) != 0 ||
        dup_key(mo, "on_expired", &m->moves[HS_MOVE_ON_EXPIRED]) != 0 ||
        dup_key(mo, "note_template", &m->note_template) != 0)
        goto oom;
    for (int i = 0; i < 2; i++) {
        json_object *mv;
        if (json_object_object_get_ex(mo, i == HS_MOVE_ON_COMPLETED ? "on_completed" :
                                      "on_expired", &mv) &&
            json_object_is_type(mv, json_type_object) &&
            dup_key(mv, "outcome", &m->move_outcomes[i]) != 0)
            goto oom;
    }
    if (m->note_template && hs_template_check(m->note_template, why, sizeof why) != 0) {
        snprintf(err, err_size, "%s: note_template: %s", where, why);
        return -1;
    }
    return parse_reinvite(mo, m, err, err_size, where);
oom:
    snprintf(err, err_size, "%s: out of memory", where);
    return -1;
}

static int parse_mapping(json_object *mo, hs_mapping *m, char *err, size_t err_size,
                         const char *pname, size_t idx)
{
    json_object *jobs, *v;
    const char *interview;
    size_t n;
    char where[256];
    snprintf(where, sizeof where, "pipeline %s: mappings[%zu]", pname, idx);
    if (mo == NULL || !json_object_is_type(mo, json_type_object)) {
        snprintf(err, err_size, "%s: a mapping must be an object", where);
        return -1;
    }
    interview = obj_str(mo, "interview");
    if (interview == NULL || *interview == '\0') {
        snprintf(err, err_size, "%s: \"interview\" (the interview key) is missing", where);
        return -1;
    }
    if (json_object_object_get_ex(mo, "invite_existing", &v))
        m->invite_existing = json_object_get_boolean(v);
    if (!json_object_object_get_ex(mo, "jobs", &jobs) ||
        !json_object_is_type(jobs, json_type_array) ||
        (n = json_object_array_length(jobs)) == 0) {
        snprintf(err, err_size, "%s: \"jobs\" must list at least one job", where);
        return -1;
    }
    if (parse_lifecycle(mo, m, err, err_size, where) != 0)
        return -1;
    m->interview = strdup(interview);
    m->jobs = calloc(n, sizeof *m->jobs);
    if (m->interview == NULL || m->jobs == NULL) {
        snprintf(err, err_size, "%s: out of memory", where);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char jwhere[300];
        snprintf(jwhere, sizeof jwhere, "%s.jobs[%zu]", where, i);
        m->n_jobs++;
        if (parse_job(json_object_array_get_idx(jobs, i), &m->jobs[i], err, err_size,
                      jwhere) != 0)
            return -1;
    }
    return 0;
}

int hs_pipeline_parse(const char *name, json_object *obj, hs_pipeline **out, char *err,
                      size_t err_size)
{
    json_object *v, *maps;
    const char *s;
    size_t n;
    hs_pipeline *p = calloc(1, sizeof *p);
    *out = NULL;
    if (p == NULL) {
        snprintf(err, err_size, "pipeline %s: out of memory", name);
        return -1;
    }
    p->enabled = 1;
    p->interval_s = DEFAULT_INTERVAL_S;
    p->name = strdup(name);
    if (p->name == NULL || obj == NULL || !json_object_is_type(obj, json_type_object)) {
        snprintf(err, err_size, "pipeline %s: must be an object", name);
        goto fail;
    }
    p->ats = dup_or_null(obj_str(obj, "ats"));
    p->interviews = dup_or_null(obj_str(obj, "interviews"));
    if (p->ats == NULL || p->interviews == NULL) {
        snprintf(err, err_size, "pipeline %s: \"ats\" and \"interviews\" must name connections",
                 name);
        goto fail;
    }
    if (json_object_object_get_ex(obj, "enabled", &v))
        p->enabled = json_object_get_boolean(v);
    s = obj_str(obj, "interval");
    if (s != NULL && parse_interval(s, &p->interval_s) != 0) {
        snprintf(err, err_size, "pipeline %s: interval \"%s\" is not a duration of at least "
                 "1m (a number with s, m, h or d, e.g. \"3h\")", name, s);
        goto fail;
    }
    if (!json_object_object_get_ex(obj, "mappings", &maps) ||
        !json_object_is_type(maps, json_type_array) ||
        (n = json_object_array_length(maps)) == 0) {
        snprintf(err, err_size, "pipeline %s: \"mappings\" must list at least one mapping",
                 name);
        goto fail;
    }
    p->mappings = calloc(n, sizeof *p->mappings);
    if (p->mappings == NULL) {
        snprintf(err, err_size, "pipeline %s: out of memory", name);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        p->n_mappings++;
        if (parse_mapping(json_object_array_get_idx(maps, i), &p->mappings[i], err, err_size,
                          name, i) != 0)
            goto fail;
    }
    *out = p;
    return 0;
fail:
    hs_pipeline_free(p);
    return -1;
}

static void trigger_clear(hs_trigger *t)
{
    free(t->text);
    free(t->stage_id);
    free(t->stage_name);
    free(t->status_id);
}

void hs_pipeline_free(hs_pipeline *pipeline)
{
    if (pipeline == NULL)
        return;
    for (size_t i = 0; i < pipeline->n_mappings; i++) {
        hs_mapping *m = &pipeline->mappings[i];
        for (size_t j = 0; j < m->n_jobs; j++) {
            for (size_t k = 0; k < m->jobs[j].n_triggers; k++)
                trigger_clear(&m->jobs[j].triggers[k]);
            free(m->jobs[j].triggers);
            trigger_clear(&m->jobs[j].moves[0]);
            trigger_clear(&m->jobs[j].moves[1]);
            free(m->jobs[j].job);
            free(m->jobs[j].title);
        }
        free(m->jobs);
        free(m->interview);
        free(m->interview_title);
        for (int k = 0; k < HS_EVENT_COUNT; k++)
            free(m->outcomes[k]);
        free(m->moves[0]);
        free(m->moves[1]);
        free(m->move_outcomes[0]);
        free(m->move_outcomes[1]);
        free(m->note_template);
    }
    free(pipeline->mappings);
    free(pipeline->name);
    free(pipeline->ats);
    free(pipeline->interviews);
    free(pipeline);
}

/* ---- job lists ---------------------------------------------------------------------------- */

static void job_clear(hs_job *j)
{
    free((char *)j->id);
    free((char *)j->title);
    free((char *)j->status);
    free((char *)j->department);
    free((char *)j->created_at);
    free((char *)j->updated_at);
    free((char *)j->url);
    for (size_t i = 0; i < j->n_stages; i++) {
        hs_stage *s = (hs_stage *)&j->stages[i];
        for (size_t k = 0; k < s->n_statuses; k++) {
            free((char *)s->statuses[k].id);
            free((char *)s->statuses[k].name);
        }
        free((hs_ref *)s->statuses);
        free((char *)s->id);
        free((char *)s->name);
    }
    free((hs_stage *)j->stages);
}

/* The copies are whole ABI records (sizes set), so a list can be copied again. */
static int copy_stage(hs_stage *dst, const hs_stage *src)
{
    dst->struct_size = sizeof *dst;
    dst->status_size = sizeof(hs_ref);
    dst->id = dup_or_null(src->id);
    dst->name = dup_or_null(src->name);
    if ((src->id && !dst->id) || (src->name && !dst->name))
        return -1;
    if (src->n_statuses == 0 || src->statuses == NULL)
        return 0;
    hs_ref *st = calloc(src->n_statuses, sizeof *st);
    if (st == NULL)
        return -1;
    dst->statuses = st;
    for (size_t k = 0; k < src->n_statuses; k++) {
        dst->n_statuses++;
        st[k].struct_size = sizeof st[k];
        st[k].id = dup_or_null(src->statuses[k].id);
        st[k].name = dup_or_null(src->statuses[k].name);
        if ((src->statuses[k].id && !st[k].id) || (src->statuses[k].name && !st[k].name))
            return -1;
    }
    return 0;
}

static int job_list_add(hs_job_list *list, const hs_job *job)
{
    hs_job *j;
    hs_stage *stages = NULL;
    if (job->id == NULL)
        return 0;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        hs_job *nj = realloc(list->jobs, cap * sizeof *nj);
        if (nj == NULL)
            return -1;
        list->jobs = nj;
        list->cap = cap;
    }
    j = &list->jobs[list->n];
    memset(j, 0, sizeof *j);
    j->struct_size = sizeof *j;
    j->stage_size = sizeof(hs_stage);
    j->id = dup_or_null(job->id);
    j->title = dup_or_null(job->title);
    j->status = dup_or_null(job->status);
    j->updated_at = dup_or_null(job->updated_at);
    j->url = dup_or_null(job->url);
    if (job->n_stages > 0 && job->stages != NULL) {
        stages = calloc(job->n_stages, sizeof *stages);
        j->stages = stages;
    }
    list->n++; /* counted now so that a failure below is freed by hs_job_list_clear */
    if (j->id == NULL || (job->n_stages > 0 && job->stages != NULL && stages == NULL))
        return -1;
    for (size_t i = 0; stages != NULL && i < job->n_stages; i++) {
        j->n_stages++;
        if (copy_stage(&stages[i], &job->stages[i]) != 0)
            return -1;
    }
    return 0;
}

int hs_job_list_add(hs_job_list *list, const hs_job *job)
{
    hs_job_copy copy;
    int rc;
    list->error[0] = '\0';
    if (job == NULL)
        return 0;
    rc = hs_job_copy_from(&copy, job, list->error, sizeof list->error);
    if (rc == 0)
        rc = job_list_add(list, &copy.job);
    hs_job_copy_free(&copy);
    return rc == -1 && list->error[0] ? -2 : rc == -2 ? -1 : rc;
}

void hs_job_list_clear(hs_job_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        job_clear(&list->jobs[i]);
    free(list->jobs);
    memset(list, 0, sizeof *list);
}

const hs_job *hs_job_list_find(const hs_job_list *list, const char *id)
{
    for (size_t i = 0; list != NULL && i < list->n; i++)
        if (list->jobs[i].id && strcmp(list->jobs[i].id, id) == 0)
            return &list->jobs[i];
    return NULL;
}

/* ---- resolution ---------------------------------------------------------------------------- */

static void append(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strnlen(buf, size);
    va_list ap;
    if (used + 1 >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static void trim_copy(char *dst, size_t size, const char *src, size_t len)
{
    while (len > 0 && (*src == ' ' || *src == '\t')) {
        src++;
        len--;
    }
    while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\t'))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Finds the stage (and status) a trigger text names. Returns 0 when found. */
static int resolve_trigger(hs_trigger *t, const hs_job *job)
{
    char stage_part[256], status_part[256];
    const char *slash = strchr(t->text, '/');
    status_part[0] = '\0';
    if (slash != NULL) {
        trim_copy(stage_part, sizeof stage_part, t->text, (size_t)(slash - t->text));
        trim_copy(status_part, sizeof status_part, slash + 1, strlen(slash + 1));
    }
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *s = &job->stages[i];
        if (same(s->name, t->text) || same(s->id, t->text)) {
            t->stage_id = dup_or_null(s->id ? s->id : s->name);
            t->stage_name = dup_or_null(s->name ? s->name : s->id);
            return t->stage_id ? 0 : -1;
        }
        if (slash == NULL)
            continue;
        if (!same(s->name, stage_part) && !same(s->id, stage_part))
            continue;
        for (size_t k = 0; k < s->n_statuses; k++) {
            const hs_ref *st = &s->statuses[k];
            if (!same(st->name, status_part) && !same(st->id, status_part))
                continue;
            t->stage_id = dup_or_null(s->id ? s->id : s->name);
            t->stage_name = dup_or_null(s->name ? s->name : s->id);
            t->status_id = dup_or_null(st->id ? st->id : st->name);
            return t->stage_id && t->status_id ? 0 : -1;
        }
    }
    return -1;
}

/* The stage a trigger's stage part names when its status part names none of the stage's
 * statuses ("Video Interview / Invted"), or NULL. */
static const hs_stage *stage_of_status_typo(const hs_trigger *t, const hs_job *job)
{
    char stage_part[256];
    const char *slash = strchr(t->text, '/');
    if (slash == NULL)
        return NULL;
    trim_copy(stage_part, sizeof stage_part, t->text, (size_t)(slash - t->text));
    for (size_t i = 0; i < job->n_stages; i++)
        if (same(job->stages[i].name, stage_part) || same(job->stages[i].id, stage_part))
            return &job->stages[i];
    return NULL;
}

static void list_statuses(char *buf, size_t size, const hs_stage *s, const char *text)
{
    const char *slash = strchr(text, '/');
    char status_part[256];
    trim_copy(status_part, sizeof status_part, slash + 1, strlen(slash + 1));
    append(buf, size, "stage \"%s\" has no status \"%s\"; ", s->name ? s->name : s->id,
           status_part);
    if (s->n_statuses == 0) {
        append(buf, size, "it has no statuses: name the stage alone");
        return;
    }
    append(buf, size, "its statuses are ");
    for (size_t k = 0; k < s->n_statuses; k++)
        append(buf, size, "%s\"%s\"", k ? ", " : "",
               s->statuses[k].name ? s->statuses[k].name : s->statuses[k].id);
}

static void list_stages(char *buf, size_t size, const hs_job *job)
{
    if (job->n_stages == 0) {
        append(buf, size, "the job has no stages");
        return;
    }
    append(buf, size, "its stages are ");
    for (size_t i = 0; i < job->n_stages; i++)
        append(buf, size, "%s\"%s\"", i ? ", " : "",
               job->stages[i].name ? job->stages[i].name : job->stages[i].id);
}

/* Resolves the mapping's on_completed / on_expired against the job (as its triggers). */
static size_t resolve_moves(const hs_pipeline *p, const hs_mapping *m, hs_pipeline_job *pj,
                            const hs_job *job, char *problems, size_t size)
{
    static const char *const keys[2] = {"on_completed", "on_expired"};
    size_t bad = 0;
    for (int i = 0; i < 2; i++) {
        hs_trigger *t = &pj->moves[i];
        trigger_clear(t);
        memset(t, 0, sizeof *t);
        if (m->moves[i] == NULL)
            continue;
        t->text = strdup(m->moves[i]);
        if (t->text == NULL)
            return bad + 1;
        if (job == NULL) {
            t->stage_id = strdup(t->text);
            t->stage_name = strdup(t->text);
            bad += t->stage_id == NULL || t->stage_name == NULL;
            continue;
        }
        if (resolve_trigger(t, job) == 0)
            continue;
        append(problems, size, "pipeline %s: job %s (%s): no stage matches %s \"%s\"; ",
               p->name, pj->job, job->title ? job->title : "untitled", keys[i], t->text);
        if (stage_of_status_typo(t, job) != NULL)
            list_statuses(problems, size, stage_of_status_typo(t, job), t->text);
        else
            list_stages(problems, size, job);
        append(problems, size, "\n");
        bad++;
    }
    return bad;
}

static size_t resolve_job(const hs_pipeline *p, const hs_mapping *m, hs_pipeline_job *pj,
                          const hs_job_list *jobs, char *problems, size_t size)
{
    const hs_job *job = hs_job_list_find(jobs, pj->job);
    size_t bad = 0;
    pj->valid = 0;
    if (jobs == NULL) {
        /* the ATS cannot list its jobs: match triggers by name or id as written */
        for (size_t k = 0; k < pj->n_triggers; k++) {
            hs_trigger *t = &pj->triggers[k];
            if (t->stage_id == NULL)
                t->stage_id = strdup(t->text);
            if (t->stage_name == NULL)
                t->stage_name = strdup(t->text);
            if (t->stage_id == NULL || t->stage_name == NULL)
                return 1;
        }
        if (resolve_moves(p, m, pj, NULL, problems, size) != 0)
            return 1;
        pj->valid = 1;
        return 0;
    }
    if (job == NULL) {
        append(problems, size, "pipeline %s: job %s is not among the %zu open jobs of "
               "connection %s; check the job id (`hiresync jobs %s` lists them)\n", p->name,
               pj->job, jobs->n, p->ats, p->ats);
        return 1;
    }
    free(pj->title);
    pj->title = dup_or_null(job->title);
    for (size_t k = 0; k < pj->n_triggers; k++) {
        hs_trigger *t = &pj->triggers[k];
        free(t->stage_id);
        free(t->stage_name);
        free(t->status_id);
        t->stage_id = t->stage_name = t->status_id = NULL;
        if (resolve_trigger(t, job) == 0)
            continue;
        append(problems, size, "pipeline %s: job %s (%s): no stage matches trigger \"%s\"; ",
               p->name, pj->job, job->title ? job->title : "untitled", t->text);
        if (stage_of_status_typo(t, job) != NULL)
            list_statuses(problems, size, stage_of_status_typo(t, job), t->text);
        else
            list_stages(problems, size, job);
        append(problems, size, "\n");
        bad++;
    }
    bad += resolve_moves(p, m, pj, job, problems, size);
    pj->valid = bad == 0;
    return bad;
}

size_t hs_pipeline_resolve(hs_pipeline *pipeline, const hs_job_list *ats_jobs,
                           const hs_job_list *interviews, char *problems, size_t problems_size)
{
    size_t bad = 0;
    if (problems_size > 0)
        problems[0] = '\0';
    for (size_t i = 0; i < pipeline->n_mappings; i++) {
        hs_mapping *m = &pipeline->mappings[i];
        m->interview_missing = 0;
        if (interviews != NULL) {
            const hs_job *iv = hs_job_list_find(interviews, m->interview);
            if (iv == NULL) {
                m->interview_missing = 1;
                append(problems, problems_size, "pipeline %s: interview %s is not visible to "
                       "connection %s (deleted, or the key belongs to another account)\n",
                       pipeline->name, m->interview, pipeline->interviews);
                bad++;
            } else {
                free(m->interview_title);
                m->interview_title = dup_or_null(iv->title);
            }
        }
        for (size_t j = 0; j < m->n_jobs; j++)
            bad += resolve_job(pipeline, m, &m->jobs[j], ats_jobs, problems, problems_size);
    }
    return bad;
}

static hs_status collect_job(void *ctx, const hs_job *job)
{
    int rc = hs_job_list_add(ctx, job);
    return rc == 0 ? HS_OK : rc == -2 ? HS_E_DATA : HS_E_INTERNAL;
}

hs_status hs_job_list_discover(const hs_connector *table, hs_conn *conn, hs_job_list *list,
                               hs_error *err)
{
    hs_emitter em;
    hs_status st;
    memset(&em, 0, sizeof em);
    em.struct_size = sizeof em;
    em.ctx = list;
    em.job = collect_job;
    list->error[0] = '\0';
    st = table->discover_jobs(conn, &em, err);
    if (st != HS_OK && list->error[0] != '\0')
        hs_host_error_set(err, "connector %s: job refused: %s", table->name, list->error);
    return st;
}

int hs_trigger_matches(const hs_trigger *trigger, const hs_stage_change *change)
{
    if (trigger->stage_id == NULL)
        return 0;
    const hs_ref *stage = change->stage, *status = change->status;
    if (stage == NULL)
        return 0;
    if (!same(stage->id, trigger->stage_id) && !same(stage->name, trigger->stage_id) &&
        !(stage->id == NULL && same(stage->name, trigger->stage_name)))
        return 0;
    if (trigger->status_id == NULL)
        return 1;
    return status != NULL && (same(status->id, trigger->status_id) ||
                              (status->id == NULL && same(status->name, trigger->status_id)));
}
