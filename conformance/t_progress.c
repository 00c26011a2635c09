/* Progress of a read (ABI 2.1, rule 12): every report the reads make is checked as it comes
 * (emitter.c: sizes, pages never going back, totals and parts within bounds), and the same
 * calls made with an emitter of 2.0's size must not report at all. Reporting is optional: a
 * connector that never reports is skipped. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "kit.h"

typedef struct tally {
    size_t reads, reports, totals;
    int64_t pages;            /* the most pages_done reported by one read */
    kit_strings problems;
} tally;

static void add(tally *t, const kit_emitted *em)
{
    t->reads++;
    t->reports += em->progress;
    t->totals += em->totals;
    if (em->progress && em->pages_done > t->pages)
        t->pages = em->pages_done;
    for (size_t i = 0; i < em->progress_problems.n; i++)
        kit_strings_add(&t->problems, "%s", em->progress_problems.v[i]);
}

/* A read with the host's emitter; its other problems are read-first's to report. */
static hs_status full_read(kit *k, hs_conn *conn, int snapshot, tally *t)
{
    kit_emitted em = {0};
    hs_status st = kit_read_once(k, conn, k->start_cursor, snapshot, &em,
                                 snapshot ? "read_changes (snapshot)" : "read_changes");
    if (st == HS_OK)
        add(t, &em);
    kit_emitted_clear(&em);
    return st;
}

/* discover_jobs and a read with a 2.0-sized emitter: they work, and report nothing. */
static void short_calls(kit *k, hs_conn *conn, tally *t)
{
    kit_emitted em = {0};
    em.emitter_2_0 = 1;
    if ((k->table.capabilities & HS_CAP_DISCOVER_JOBS)
        && kit_discover_once(k, conn, &em, "discover_jobs (2.0-sized emitter)") != HS_OK)
        kit_strings_add(&t->problems, "%s; a 2.1 connector serves a 2.0 emitter as a 2.0 "
                        "connector would", em.problems.n ? em.problems.v[em.problems.n - 1]
                                                         : "discover_jobs failed");
    for (size_t i = 0; i < em.progress_problems.n; i++)
        kit_strings_add(&t->problems, "discover_jobs: %s", em.progress_problems.v[i]);
    kit_emitted_clear(&em);
    em.emitter_2_0 = 1;
    hs_status st = kit_read_once(k, conn, k->start_cursor, 0, &em, "read_changes");
    if (st != HS_OK)
        kit_strings_add(&t->problems, "read_changes with an emitter of ABI %u.0's size: %s; a "
                        "2.1 connector serves a 2.0 emitter as a 2.0 connector would",
                        (unsigned)HS_ABI_MAJOR, kit_status_name(st));
    for (size_t i = 0; i < em.progress_problems.n; i++)
        kit_strings_add(&t->problems, "read_changes: %s", em.progress_problems.v[i]);
    kit_emitted_clear(&em);
}

void kit_test_progress(kit *k, hs_conn *conn)
{
    if (!(k->table.capabilities & HS_CAP_READ_CHANGES)) {
        kit_report(k, "progress", KIT_SKIP, "the connector does not offer read_changes");
        return;
    }
    kit_crash_guard("progress");
    tally t;
    memset(&t, 0, sizeof t);
    if (full_read(k, conn, 0, &t) != HS_OK) {
        kit_report(k, "progress", KIT_SKIP, "the read failed (see read-first)");
        kit_strings_clear(&t.problems);
        return;
    }
    /* A snapshot is where a read made of several listings shows; not every connector has
     * one (read-snapshot says so). */
    full_read(k, conn, 1, &t);
    short_calls(k, conn, &t);
    if (t.problems.n == 0 && t.reports == 0) {
        kit_report(k, "progress", KIT_SKIP, "no read reported progress (optional, rule 12), "
                   "and none through an emitter of ABI %u.0's size", (unsigned)HS_ABI_MAJOR);
    } else {
        char d[300];
        snprintf(d, sizeof d, "%zu reports in %zu reads (up to %lld pages, %zu with a total), "
                 "pages never back, totals and parts within bounds; none through an emitter "
                 "of ABI %u.0's size", t.reports, t.reads, (long long)t.pages, t.totals,
                 (unsigned)HS_ABI_MAJOR);
        kit_report_problems(k, "progress", &t.problems, d);
    }
    kit_strings_clear(&t.problems);
}
