/* Cancellation: once cancelled() returns 1 the connector stops within a few calls. Measured
 * in what it does after seeing the 1 (records, responses, sleeps), not in seconds. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "kit.h"

/* One call with cancelled() turning to 1 at poll `at`; its problems into p. Returns 0 when
 * the connector never reached that poll. */
static int cancelled_call(kit *k, hs_conn *conn, int jobs, long at, kit_strings *p)
{
    kit_emitted em = {0};
    hs_emitter emitter = kit_emitter(k, &em);
    hs_read_request req;
    memset(&req, 0, sizeof(req));
    req.struct_size = sizeof(req);
    req.cursor_json = k->ref_cursor ? k->ref_cursor : k->start_cursor;
    req.snapshot = k->ref_snapshot;
    req.job_ids = k->job_ids.n ? (const char *const *)k->job_ids.v : NULL;
    req.n_job_ids = k->job_ids.n;
    kit_error e;
    kit_error_init(&e);
    const char *name = jobs ? "discover_jobs" : "read_changes";
    kit_call_reset(k, at);
    kit_call_begin(k, name);
    hs_status st = jobs ? k->table.discover_jobs(conn, &emitter, &e.err)
                        : k->table.read_changes(conn, &req, &emitter, &e.err);
    kit_call_end(k);
    kit_error_check(k, &e, st, name, p);
    int reached = k->cancel_seen != 0;
    if (!reached && k->polls == 0)
        kit_strings_add(p, "%s never called cancelled() (returned %s)", name,
                        kit_status_name(st));
    else if (reached && st != HS_E_CANCELLED)
        kit_strings_add(p, "%s saw cancelled() return 1 at poll %ld and returned %s, not "
                        "HS_E_CANCELLED", name, k->cancel_seen, kit_status_name(st));
    if (reached && k->barriers_after_cancel)
        kit_strings_add(p, "%s emitted %ld barriers after it was cancelled", name,
                        k->barriers_after_cancel);
    if (reached && k->work_after_cancel > KIT_CANCEL_SLACK)
        kit_strings_add(p, "%s went on after it was cancelled: %ld records, responses or "
                        "sleeps (at most %d)", name, k->work_after_cancel, KIT_CANCEL_SLACK);
    kit_emitted_clear(&em);
    kit_call_reset(k, 0);
    return reached;
}

void kit_test_cancel(kit *k, hs_conn *conn)
{
    uint32_t caps = k->table.capabilities;
    if (!(caps & (HS_CAP_READ_CHANGES | HS_CAP_DISCOVER_JOBS))) {
        kit_report(k, "cancel-start", KIT_SKIP, "the connector neither reads nor discovers");
        return;
    }
    kit_crash_guard("cancel-start");
    kit_strings p = {0};
    if (caps & HS_CAP_DISCOVER_JOBS)
        cancelled_call(k, conn, 1, 1, &p);
    if (caps & HS_CAP_READ_CHANGES)
        cancelled_call(k, conn, 0, 1, &p);
    kit_report_problems(k, "cancel-start", &p, "cancelled from the first poll: HS_E_CANCELLED, "
                        "no barrier, nothing more done");
    kit_strings_clear(&p);

    kit_crash_guard("cancel-midway");
    if (!(caps & HS_CAP_READ_CHANGES) || k->ref_polls < 2) {
        kit_report(k, "cancel-midway", KIT_SKIP, "no read polled cancelled() twice");
        return;
    }
    long at = k->ref_polls / 2 + 1;
    if (!cancelled_call(k, conn, 0, at, &p) && p.n == 0)
        kit_report(k, "cancel-midway", KIT_SKIP, "the read polled fewer than %ld times this "
                   "time", at);
    else {
        char d[160];
        snprintf(d, sizeof d, "cancelled at poll %ld of %ld: HS_E_CANCELLED, no barrier after, "
                 "at most %d more records or responses", at, k->ref_polls, KIT_CANCEL_SLACK);
        kit_report_problems(k, "cancel-midway", &p, d);
    }
    kit_strings_clear(&p);
}
