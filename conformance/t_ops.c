/* check, discover_jobs and read_changes with the configured connection. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "kit.h"

typedef struct check_ctx {
    kit *k;
    kit_strings *problems;
    size_t items;
} check_ctx;

static hs_status on_item(void *ctx, const char *name, hs_check_result result,
                         const char *message)
{
    check_ctx *c = ctx;
    c->items++;
    kit_scan(c->k, "a check item", name);
    kit_scan(c->k, "a check message", message);
    if (!name || !name[0])
        kit_strings_add(c->problems, "check item %zu has no name", c->items);
    if ((unsigned)result > HS_CHECK_FAIL)
        kit_strings_add(c->problems, "check item \"%s\": result %d is not an hs_check_result",
                        name ? name : "", (int)result);
    else if (result != HS_CHECK_OK && (!message || !message[0]))
        kit_strings_add(c->problems, "check item \"%s\" is not OK and says nothing about what "
                        "to do", name ? name : "");
    return HS_OK;
}

hs_status kit_check_call(kit *k, hs_conn *conn, kit_strings *problems, size_t *items)
{
    check_ctx c = {k, problems, 0};
    hs_check_report report;
    memset(&report, 0, sizeof(report));
    report.struct_size = sizeof(report);
    report.ctx = &c;
    report.item = on_item;
    report.job_ids = k->job_ids.n ? (const char *const *)k->job_ids.v : NULL;
    report.n_job_ids = k->job_ids.n;
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "check");
    hs_status st = k->table.check(conn, &report, &e.err);
    kit_call_end(k);
    const char *msg = kit_error_check(k, &e, st, "check", problems);
    if (st != HS_OK)
        kit_strings_add(problems, "check could not run: %s: %s", kit_status_name(st), msg);
    *items = c.items;
    return st;
}

void kit_test_check(kit *k, hs_conn *conn)
{
    if (!(k->table.capabilities & HS_CAP_CHECK)) {
        kit_report(k, "check", KIT_SKIP, "the connector does not offer check");
        return;
    }
    kit_crash_guard("check");
    kit_strings p = {0};
    size_t items = 0;
    hs_status st = kit_check_call(k, conn, &p, &items);
    if (st == HS_OK && items == 0)
        kit_strings_add(&p, "check returned HS_OK without reporting a single item");
    char d[128];
    snprintf(d, sizeof d, "%zu items, each named, messages for those not OK", items);
    kit_report_problems(k, "check", &p, d);
    kit_strings_clear(&p);
}

hs_status kit_discover_once(kit *k, hs_conn *conn, kit_emitted *em, const char *what)
{
    hs_emitter emitter = kit_emitter(k, em);
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "discover_jobs");
    hs_status st = k->table.discover_jobs(conn, &emitter, &e.err);
    kit_call_end(k);
    const char *msg = kit_error_check(k, &e, st, what, &em->problems);
    if (st != HS_OK)
        kit_strings_add(&em->problems, "%s: %s: %s", what, kit_status_name(st), msg);
    return st;
}

void kit_test_jobs(kit *k, hs_conn *conn, kit_strings *job_ids)
{
    if (!(k->table.capabilities & HS_CAP_DISCOVER_JOBS)) {
        kit_report(k, "jobs", KIT_SKIP, "the connector does not offer discover_jobs");
        return;
    }
    kit_crash_guard("jobs");
    kit_emitted em = {0};
    kit_discover_once(k, conn, &em, "discover_jobs");
    for (size_t i = 0; i < em.jobs.n; i++)
        kit_strings_add(job_ids, "%s", em.jobs.v[i]);
    char d[160];
    snprintf(d, sizeof d, "%zu jobs, each with id, title, stages and sizes of ABI 2.0 or later",
             em.jobs.n);
    kit_report_problems(k, "jobs", &em.problems, d);
    kit_emitted_clear(&em);
}

hs_status kit_read_once(kit *k, hs_conn *conn, const char *cursor, int snapshot,
                        kit_emitted *em, const char *what)
{
    hs_read_request req;
    memset(&req, 0, sizeof(req));
    req.struct_size = sizeof(req);
    req.cursor_json = cursor;
    req.job_ids = k->job_ids.n ? (const char *const *)k->job_ids.v : NULL;
    req.n_job_ids = k->job_ids.n;
    req.snapshot = snapshot;
    em->want_snapshot = snapshot;
    hs_emitter emitter = kit_emitter(k, em);
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, "read_changes");
    hs_status st = k->table.read_changes(conn, &req, &emitter, &e.err);
    kit_call_end(k);
    const char *msg = kit_error_check(k, &e, st, what, &em->problems);
    if (k->polls > k->ref_polls) {
        free(k->ref_cursor);
        k->ref_cursor = strdup(cursor);
        k->ref_snapshot = snapshot;
        k->ref_polls = k->polls;
    }
    if (st == HS_E_UNSUPPORTED && snapshot)
        return st;
    if (st != HS_OK) {
        kit_strings_add(&em->problems, "%s: %s: %s", what, kit_status_name(st), msg);
        return st;
    }
    if (em->n_units == 0)
        kit_strings_add(&em->problems, "%s: returned HS_OK without a barrier", what);
    if (em->pending.n)
        kit_strings_add(&em->problems, "%s: %zu records after the last barrier (never "
                        "committed)", what, em->pending.n);
    return st;
}

static void report_read(kit *k, const char *test, kit_emitted *em, const char *from)
{
    char d[256];
    snprintf(d, sizeof d, "from %s: %zu records, %zu barriers, none empty", from, em->records,
             em->n_units);
    kit_report_problems(k, test, &em->problems, d);
}

static void keep_sample(kit_emitted *sample, kit_emitted *em)
{
    if (sample->record_id || !em->record_id)
        return;
    sample->record_id = em->record_id;
    sample->job_id = em->job_id;
    sample->person_id = em->person_id;
    em->record_id = em->job_id = em->person_id = NULL;
}

/* Re-reads from the cursor committed before the last unit that had keys: its keys again. */
static void test_reread(kit *k, hs_conn *conn, const kit_emitted *src, const char *start,
                        int snapshot)
{
    size_t last = src->n_units;
    while (last > 0 && src->units[last - 1].keys.n == 0)
        last--;
    if (last == 0) {
        kit_report(k, "read-reread", KIT_SKIP, "no read emitted a record; give the remote "
                   "system data, or --cursor an earlier cursor");
        return;
    }
    const kit_unit *u = &src->units[last - 1];
    const char *from = last >= 2 ? src->units[last - 2].cursor : start;
    kit_emitted again = {0};
    hs_status st = kit_read_once(k, conn, from, snapshot, &again, "re-read");
    kit_strings all = {0};
    for (size_t i = 0; i < again.n_units; i++) {
        for (size_t j = 0; j < again.units[i].keys.n; j++)
            kit_strings_add(&all, "%s", again.units[i].keys.v[j]);
    }
    size_t missing = 0;
    for (size_t i = 0; st == HS_OK && i < u->keys.n; i++) {
        if (!kit_strings_has(&all, u->keys.v[i]) && missing++ == 0)
            kit_strings_add(&again.problems, "re-read from the committed cursor did not emit "
                            "key \"%s\" again", u->keys.v[i]);
    }
    char d[200];
    snprintf(d, sizeof d, "re-read%s from the committed cursor emitted the %zu keys of the last "
             "unit again", snapshot ? " (snapshot)" : "", u->keys.n);
    kit_report_problems(k, "read-reread", &again.problems, d);
    kit_strings_clear(&all);
    kit_emitted_clear(&again);
}

void kit_test_reads(kit *k, hs_conn *conn, kit_emitted *sample)
{
    if (!(k->table.capabilities & HS_CAP_READ_CHANGES)) {
        kit_report(k, "read-first", KIT_SKIP, "the connector does not offer read_changes");
        return;
    }
    kit_emitted first = {0}, again = {0}, snap = {0};
    kit_crash_guard("read-first");
    hs_status st = kit_read_once(k, conn, k->start_cursor, 0, &first, "read_changes");
    report_read(k, "read-first", &first, k->start_cursor[0] ? "--cursor" : "\"\" (first run)");
    const char *c1 = kit_emitted_cursor(&first);
    kit_crash_guard("read-again");
    if (st == HS_OK && c1) {
        kit_read_once(k, conn, c1, 0, &again, "read_changes");
        report_read(k, "read-again", &again, "the returned cursor");
    } else {
        kit_report(k, "read-again", KIT_SKIP, "the first read gave no cursor");
    }
    const char *c2 = kit_emitted_cursor(&again) ? kit_emitted_cursor(&again) : c1;
    kit_crash_guard("read-snapshot");
    st = kit_read_once(k, conn, c2 ? c2 : k->start_cursor, 1, &snap, "snapshot read");
    if (st == HS_E_UNSUPPORTED)
        kit_report(k, "read-snapshot", KIT_SKIP, "snapshot reads are unsupported");
    else
        report_read(k, "read-snapshot", &snap, "the cursor, snapshot");
    kit_crash_guard("read-reread");
    const char *rec_from = first.records ? k->start_cursor : again.records ? c1
                          : c2 ? c2 : k->start_cursor;
    int rec_snapshot = !first.records && !again.records;
    if (first.records || again.records || snap.records) {
        k->rec_cursor = strdup(rec_from);
        k->rec_snapshot = rec_snapshot;
    }
    test_reread(k, conn, first.records ? &first : again.records ? &again : &snap, rec_from,
                rec_snapshot);
    keep_sample(sample, &first);
    keep_sample(sample, &again);
    keep_sample(sample, &snap);
    kit_emitted_clear(&first);
    kit_emitted_clear(&again);
    kit_emitted_clear(&snap);
}

/* A callback that returns an error stops the call, which returns that error (rule 7). */
static void stop_call(kit *k, hs_conn *conn, int jobs, kit_strings *p, size_t *tried)
{
    kit_emitted em = {0};
    em.stop_with = HS_E_DATA;
    em.want_snapshot = k->rec_snapshot;
    hs_emitter emitter = kit_emitter(k, &em);
    hs_read_request req;
    memset(&req, 0, sizeof(req));
    req.struct_size = sizeof(req);
    req.cursor_json = k->rec_cursor;
    req.snapshot = k->rec_snapshot;
    req.job_ids = k->job_ids.n ? (const char *const *)k->job_ids.v : NULL;
    req.n_job_ids = k->job_ids.n;
    const char *name = jobs ? "discover_jobs" : "read_changes";
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    kit_call_begin(k, name);
    hs_status st = jobs ? k->table.discover_jobs(conn, &emitter, &e.err)
                        : k->table.read_changes(conn, &req, &emitter, &e.err);
    kit_call_end(k);
    /* The host knows why it stopped: an empty message is fine here, an overrun is not. */
    kit_error_check(k, &e, st == HS_E_DATA ? HS_OK : st, name, p);
    if (em.stopped) {
        (*tried)++;
        if (st != HS_E_DATA)
            kit_strings_add(p, "%s: the emitter returned HS_E_DATA, the call returned %s", name,
                            kit_status_name(st));
        if (em.after_stop)
            kit_strings_add(p, "%s: %zu more callbacks after the emitter said stop", name,
                            em.after_stop);
    }
    kit_emitted_clear(&em);
}

void kit_test_emitter_stop(kit *k, hs_conn *conn)
{
    kit_strings p = {0};
    size_t tried = 0;
    kit_crash_guard("emitter-stop");
    if (k->table.capabilities & HS_CAP_DISCOVER_JOBS)
        stop_call(k, conn, 1, &p, &tried);
    if ((k->table.capabilities & HS_CAP_READ_CHANGES) && k->rec_cursor)
        stop_call(k, conn, 0, &p, &tried);
    if (!tried && !p.n)
        kit_report(k, "emitter-stop", KIT_SKIP, "nothing was emitted to refuse");
    else
        kit_report_problems(k, "emitter-stop", &p, "an emitter's error stops the call and is "
                            "returned");
    kit_strings_clear(&p);
}
