/* One pipeline cycle: discovery, both streams, the result (see cycle.h). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"
#include "discovery.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The side's jobs from the discovery cache when fresh enough (and not forced), else from
 * the connector (and then kept). *cached says which. */
static hs_status discover(cycle *c, const hs_cycle_side *side, int force, hs_job_list *list,
                          int *cached, hs_error *err)
{
    const hs_cycle_params *p = c->p;
    int64_t now = now_ms(p), age = 0;
    hs_status st;
    *cached = 0;
    if (!force && hs_discovery_get(p->discovery, side->name, now, p->discovery_ttl_ms, list,
                                   &age)) {
        *cached = 1;
        hs_cycle_logf(c, HS_LOG_DEBUG, "jobs of %s from the discovery cache (%lld s old)",
                      side->name, (long long)(age / 1000));
        return HS_OK;
    }
    st = hs_job_list_discover(side->table, side->conn, list, err);
    if (st == HS_OK && p->discovery_ttl_ms > 0)
        hs_discovery_put(p->discovery, side->name, now, list);
    return st;
}

static int can_discover(const hs_cycle_side *side)
{
    return side->table->discover_jobs != NULL &&
           (side->table->capabilities & HS_CAP_DISCOVER_JOBS);
}

/* Lists both sides (force: never from the cache) and resolves the mappings. *stale is set
 * when a mapping is dead against a cached listing: the caller lists again before judging. */
static hs_status discovery_pass(cycle *c, int force, int *stale)
{
    hs_job_list interviews = {0};
    hs_host_error err;
    hs_status st = HS_OK;
    char problems[4096];
    size_t bad;
    int have_interviews = 0, iv_cached = 0;
    int have_jobs = !c->p->interviews_only && can_discover(&c->p->ats);
    hs_host_error_init(&err);
    *stale = 0;
    hs_job_list_clear(&c->ats_jobs);
    c->jobs_cached = 0;
    if (have_jobs) {
        st = discover(c, &c->p->ats, force, &c->ats_jobs, &c->jobs_cached, &err.e);
        if (st != HS_OK) {
            hs_cycle_set_error_from(c, st, c->p->ats.name, &err.e);
            goto out;
        }
        c->r->counts.jobs = (long)c->ats_jobs.n;
    }
    if (!c->p->interviews_only && can_discover(&c->p->interviews)) {
        st = discover(c, &c->p->interviews, force, &interviews, &iv_cached, &err.e);
        if (st == HS_E_CONFIG || st == HS_E_PERMISSION || st == HS_E_CANCELLED) {
            hs_cycle_set_error_from(c, st, c->p->interviews.name, &err.e);
            goto out;
        }
        have_interviews = st == HS_OK;
        if (st != HS_OK)
            hs_cycle_logf(c, HS_LOG_WARN, "cannot list the interviews of %s (%s); mappings are not "
                  "checked against them this cycle", c->p->interviews.name, err.message);
        st = HS_OK;
    }
    bad = hs_pipeline_resolve(c->p->pipeline, have_jobs ? &c->ats_jobs : NULL,
                              have_interviews ? &interviews : NULL,
                              problems, sizeof problems);
    if (bad > 0 && (c->jobs_cached || iv_cached)) {
        *stale = 1;
        goto out;
    }
    c->dead_mappings = bad;
    if (bad > 0) {
        char *line = problems, *nl;
        c->r->counts.errors += (long)bad;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            hs_cycle_logf(c, HS_LOG_ERROR, "%s", line);
            line = nl + 1;
        }
        if (c->r->error[0] == '\0') {
            hs_cycle_bounded(c->r->error, sizeof c->r->error, "%s%s", problems,
                     bad > 1 ? " (and more in the log)" : "");
        }
    }
out:
    hs_job_list_clear(&interviews);
    return st;
}

/* Discovery, from the cache where it knows every mapped job and interview. */
static hs_status discovery(cycle *c, int force)
{
    int stale = 0;
    hs_status st = discovery_pass(c, force, &stale);
    if (st != HS_OK || !stale)
        return st;
    hs_cycle_logf(c, HS_LOG_INFO, "a mapped job or interview is not in the discovery cache: "
                  "listing them again");
    return discovery_pass(c, 1, &stale);
}

/* The ATS stream; read again after listing afresh when a change named a stage or status the
 * cached listing lacks (the read stopped before judging that change: nothing after its last
 * checkpoint was committed, so it is read again from there). */
static hs_status ats_stream(cycle *c)
{
    long changes = c->r->counts.changes;
    hs_status before = c->r->status;
    int32_t retry = c->r->retry_after_s;
    char error[sizeof c->r->error];
    hs_status st;
    memcpy(error, c->r->error, sizeof error);
    st = hs_cycle_ats_stream(c);
    if (!c->rediscover)
        return st;
    /* the stop was ours, not an error: the result is as it was before the read */
    c->rediscover = 0;
    c->r->status = before;
    memcpy(c->r->error, error, sizeof error);
    c->r->retry_after_s = retry;
    c->r->counts.changes = changes;
    hs_cycle_logf(c, HS_LOG_INFO, "a change names a stage or status not in the discovery "
                  "cache: listing the jobs again before it is judged");
    hs_discovery_forget(c->p->discovery, c->p->ats.name);
    if ((st = discovery(c, 1)) != HS_OK)
        return st;
    return hs_cycle_ats_stream(c);
}

static int stop_all(hs_status st)
{
    return st == HS_E_CANCELLED || st == HS_E_INTERNAL;
}

/* A run id unique in this process and across restarts: the start time and a counter. */
static void start_run_id(const cycle *c)
{
    static atomic_uint seq;
    char id[64];
    snprintf(id, sizeof id, "%llx-%x", (long long)c->r->started_ms,
             atomic_fetch_add(&seq, 1u) & 0xffffu);
    hs_log_set_run_id(id);
}

static void log_cycle_end(const cycle *c)
{
    const hs_cycle_result *r = c->r;
    const hs_log_num nums[] = {
        {"duration_ms", (long long)r->duration_ms}, {"jobs", r->counts.jobs},
        {"changes", r->counts.changes}, {"invited", r->counts.invited},
        {"adopted", r->counts.adopted}, {"notes", r->counts.notes},
        {"not_invited", r->counts.not_invited}, {"errors", r->counts.errors},
        {"outcomes", r->counts.outcomes}, {"moved", r->counts.moved},
        {"not_moved", r->counts.not_moved}, {"expired", r->counts.expired},
        {"reinvited", r->counts.reinvited}};
    hs_cycle_event(c, r->status == HS_OK ? HS_LOG_INFO : HS_LOG_ERROR, "cycle_end", nums,
                   sizeof nums / sizeof nums[0],
          "cycle %s%s: %ld jobs, %ld changes, %ld invited, %ld adopted, %ld notes, %ld not "
          "invited, %ld errors, %lld ms%s%s", r->result, c->p->dry_run ? " (dry run)" : "",
          r->counts.jobs, r->counts.changes, r->counts.invited,
          r->counts.adopted, r->counts.notes, r->counts.not_invited,
          r->counts.errors, (long long)r->duration_ms,
          r->error[0] ? ": " : "", r->error);
}

hs_status hs_cycle_run(const hs_cycle_params *params, hs_cycle_result *result)
{
    cycle c;
    hs_status st;
    json_object *outbox;
    memset(result, 0, sizeof *result);
    memset(&c, 0, sizeof c);
    c.p = params;
    c.r = result;
    c.body = params->state->body;
    hs_host_error_init(&c.err);
    c.dirty = json_object_new_array();
    if (c.dirty == NULL) {
        result->status = HS_E_INTERNAL;
        result->result = "failed";
        hs_cycle_bounded(result->error, sizeof result->error, "out of memory");
        return HS_E_INTERNAL;
    }
    result->started_ms = now_ms(params);
    result->status = HS_OK;
    start_run_id(&c);
    hs_cycle_event(&c, HS_LOG_DEBUG, "cycle_start", NULL, 0, "cycle started%s",
                   params->interviews_only ? " (interviews only)" : "");
    if (params->state->recovered[0] != '\0')
        hs_cycle_logf(&c, HS_LOG_WARN, "%s", params->state->recovered);
    outbox = section(c.body, "outbox");
    if (outbox != NULL && json_object_object_length(outbox) > 0)
        hs_cycle_logf(&c, HS_LOG_WARN,
                      "%d write(s) were in flight when hiresync last stopped; they "
              "are checked again (writes are idempotent)", json_object_object_length(outbox));
    if (params->ats.table->read_changes == NULL || params->ats.table->write_note == NULL ||
        params->interviews.table->read_changes == NULL ||
        params->interviews.table->write_invitation == NULL) {
        hs_cycle_set_error(&c, HS_E_CONFIG, params->pipeline->name,
                           "the ATS connection must read changes "
                  "and write notes, the interview connection read changes and write "
                  "invitations; check the pipeline's \"ats\" and \"interviews\"");
        st = HS_E_CONFIG;
    } else {
        st = discovery(&c, 0);
    }
    if (st == HS_OK) {
        st = params->interviews_only ? HS_OK : ats_stream(&c);
        /* Streams are independent: a failed ATS read does not hold back the results. */
        if (!stop_all(st) && st != HS_E_CONFIG)
            (void)hs_cycle_interview_stream(&c);
    }
    if (!params->dry_run && !params->interviews_only && result->status == HS_OK)
        hs_cycle_drop_orphans(&c);
    if (!params->dry_run && result->status != HS_E_INTERNAL) {
        if (!params->interviews_only)
            hs_cycle_prune_old(&c);
        (void)hs_cycle_finish(&c);
    }
    result->duration_ms = now_ms(params) - result->started_ms;
    /* The other mappings ran; but nobody will ever be invited through a dead one, so the
     * cycle fails (run --once exits 1, status says what to fix). */
    if (result->status == HS_OK && c.dead_mappings > 0)
        result->status = HS_E_CONFIG;
    if (result->status == HS_E_CANCELLED)
        result->result = "cancelled";
    else if (result->status != HS_OK)
        result->result = "failed";
    else if (result->counts.errors > 0)
        result->result = "warning";
    else
        result->result = "ok";
    log_cycle_end(&c);
    if (result->counts.outcomes || result->counts.moved || result->counts.not_moved ||
        result->counts.expired || result->counts.reinvited || result->counts.reinvite_refused)
        hs_cycle_logf(&c, HS_LOG_INFO, "interview life: %ld outcomes written, %ld moved, %ld not "
                      "moved (moved by a recruiter first), %ld expired, %ld re-invited, %ld "
                      "re-invitations refused", result->counts.outcomes, result->counts.moved,
                      result->counts.not_moved, result->counts.expired, result->counts.reinvited,
                      result->counts.reinvite_refused);
    json_object_put(c.dirty);
    hs_job_list_clear(&c.ats_jobs);
    hs_log_set_run_id(NULL);
    return result->status;
}

json_object *hs_cycle_result_json(const hs_cycle_result *r)
{
    json_object *o = json_object_new_object(), *counts = json_object_new_object();
    char when[40];
    if (o == NULL || counts == NULL) {
        json_object_put(o);
        json_object_put(counts);
        return NULL;
    }
    hs_cycle_format_time(r->started_ms, when, sizeof when);
    json_object_object_add(o, "started_at", json_object_new_string(when));
    json_object_object_add(o, "started_ms", json_object_new_int64(r->started_ms));
    json_object_object_add(o, "duration_ms", json_object_new_int64(r->duration_ms));
    json_object_object_add(o, "result", json_object_new_string(r->result ? r->result : "?"));
    json_object_object_add(o, "status", json_object_new_int((int)r->status));
    json_object_object_add(counts, "jobs", json_object_new_int64(r->counts.jobs));
    json_object_object_add(counts, "changes", json_object_new_int64(r->counts.changes));
    json_object_object_add(counts, "invited", json_object_new_int64(r->counts.invited));
    json_object_object_add(counts, "adopted", json_object_new_int64(r->counts.adopted));
    json_object_object_add(counts, "notes", json_object_new_int64(r->counts.notes));
    json_object_object_add(counts, "not_invited", json_object_new_int64(r->counts.not_invited));
    json_object_object_add(counts, "skipped", json_object_new_int64(r->counts.skipped));
    json_object_object_add(counts, "errors", json_object_new_int64(r->counts.errors));
    json_object_object_add(counts, "outcomes", json_object_new_int64(r->counts.outcomes));
    json_object_object_add(counts, "moved", json_object_new_int64(r->counts.moved));
    json_object_object_add(counts, "not_moved", json_object_new_int64(r->counts.not_moved));
    json_object_object_add(counts, "expired", json_object_new_int64(r->counts.expired));
    json_object_object_add(counts, "reinvited", json_object_new_int64(r->counts.reinvited));
    json_object_object_add(counts, "reinvite_refused",
                           json_object_new_int64(r->counts.reinvite_refused));
    json_object_object_add(o, "counts", counts);
    json_object_object_add(o, "error", json_object_new_string(r->error));
    return o;
}
