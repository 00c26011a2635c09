/* Progress of a long read: a read_progress line every HS_CYCLE_PROGRESS_MS while a read (and
 * the writes its records lead to: every write of a cycle happens while a record is handled)
 * runs, so that a first sync of a large tenant is never silent. Counted by the cycle's own
 * clock (injectable), at each record, checkpoint and report of the connector's own figures
 * (hs_emitter.progress, rule 12 of connector.h). With a total from the connector the line
 * says "page P of T" and estimates the time left from the pages' rate so far. */
#define _DEFAULT_SOURCE

#include "cycle_core.h"

#include <stdio.h>

void hs_cycle_progress_start(cycle *c)
{
    memset(&c->progress, 0, sizeof c->progress);
    c->progress.total = -1;
    c->progress.started_ms = c->progress.said_ms = now_ms(c->p);
}

/* "; 3 invited, 2 notes written so far" when the cycle wrote anything yet, else "". */
static void writes_text(const cycle *c, char *out, size_t size)
{
    const hs_cycle_counts *n = &c->r->counts;
    out[0] = '\0';
    if (n->invited + n->adopted + n->notes + n->moved > 0)
        hs_cycle_bounded(out, size, "; %ld invited, %ld already invited, %ld note(s), %ld "
                         "moved so far", n->invited, n->adopted, n->notes, n->moved);
}

/* " (listing 3 of 12)" for a read of several listings, else "". */
static void parts_text(const hs_cycle_progress_state *pr, char *out, size_t size)
{
    out[0] = '\0';
    if (pr->parts_total > 1 && pr->parts_done < pr->parts_total)
        hs_cycle_bounded(out, size, " (listing %lld of %lld)", pr->parts_done + 1,
                         pr->parts_total);
    else if (pr->parts_total < 0)
        hs_cycle_bounded(out, size, " (listing %lld)", pr->parts_done + 1);
}

static void say(cycle *c, int64_t now)
{
    const hs_cycle_progress_state *pr = &c->progress;
    long long elapsed = (long long)(now - pr->started_ms);
    long long pages = pr->reported ? pr->done : pr->pages;
    double per_s = (double)pr->records * 1000.0 / (double)(elapsed > 0 ? elapsed : 1);
    const char *stream = c->stream ? c->stream : "changes";
    const char *conn = c->side ? c->side->name : "?";
    char writes[160], parts[64];
    hs_log_num nums[8] = {{"pages", pages}, {"records", pr->records}, {"elapsed_ms", elapsed},
                          {"invited", c->r->counts.invited}, {"notes", c->r->counts.notes}};
    size_t n = 5;

    writes_text(c, writes, sizeof writes);
    parts_text(pr, parts, sizeof parts);
    if (pr->reported && pr->total >= 0 && pr->done > 0) {
        /* the pages' rate so far, over those left */
        long long eta_s = ((pr->total - pr->done) * elapsed / pr->done + 999) / 1000;
        nums[n++] = (hs_log_num){"pages_total", pr->total};
        nums[n++] = (hs_log_num){"eta_s", eta_s};
        hs_cycle_event(c, HS_LOG_INFO, "read_progress", nums, n,
                       "reading %s from %s: page %lld of %lld%s, %lld record(s) so far in %lld "
                       "s; about %lld s left%s", stream, conn, pages, pr->total, parts,
                       pr->records, elapsed / 1000, eta_s, writes);
        return;
    }
    if (pr->reported && pr->total >= 0)
        nums[n++] = (hs_log_num){"pages_total", pr->total};
    hs_cycle_event(c, HS_LOG_INFO, "read_progress", nums, n,
                   "reading %s from %s: %lld page(s)%s, %lld record(s) so far in %lld s "
                   "(%.0f a second); the total is not known ahead, so no time left is "
                   "estimated%s", stream, conn, pages, parts, pr->records, elapsed / 1000,
                   per_s, writes);
}

static void tick(cycle *c)
{
    int64_t now = now_ms(c->p);
    if (now - c->progress.said_ms < HS_CYCLE_PROGRESS_MS)
        return;
    c->progress.said_ms = now;
    say(c, now);
}

void hs_cycle_progress(cycle *c, int checkpoint)
{
    if (checkpoint)
        c->progress.pages++;
    else
        c->progress.records++;
    tick(c);
}

static long long at_least(long long v, long long floor)
{
    return v < floor ? floor : v;
}

/* The figures are the connector's: copied within its struct_size, and clamped so that a
 * wrong one makes a wrong line at worst, never a negative time or a page past the total. */
hs_status hs_cycle_on_progress(void *ctx, const hs_progress *in)
{
    cycle *c = ctx;
    hs_cycle_progress_state *pr = &c->progress;
    hs_progress p;

    if (in == NULL || !HS_HAS_FIELD(hs_progress, in->struct_size, pages_total))
        return HS_OK;
    memset(&p, 0, sizeof p);
    memcpy(&p, in, in->struct_size < sizeof p ? in->struct_size : sizeof p);
    pr->reported = 1;
    pr->done = at_least(p.pages_done, pr->done);
    pr->total = p.pages_total < 0 ? -1 : at_least(p.pages_total, pr->done);
    pr->parts_done = at_least(p.parts_done, pr->parts_done);
    pr->parts_total = p.parts_total < 0 ? -1 : p.parts_total == 0 ? 0 :
                      at_least(p.parts_total, pr->parts_done);
    tick(c);
    return HS_OK;
}
