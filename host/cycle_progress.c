/* Progress of a long read: a read_progress line every HS_CYCLE_PROGRESS_MS while a read (and
 * the writes its records lead to) runs, so that a first sync of a large tenant is never
 * silent. Counted by the cycle's own clock (injectable), at each record and checkpoint. */
#define _DEFAULT_SOURCE

#include "cycle_core.h"

#include <stdio.h>

void hs_cycle_progress_start(cycle *c)
{
    memset(&c->progress, 0, sizeof c->progress);
    c->progress.started_ms = c->progress.said_ms = now_ms(c->p);
}

void hs_cycle_progress(cycle *c, int checkpoint)
{
    hs_cycle_progress_state *pr = &c->progress;
    int64_t now;
    if (checkpoint)
        pr->pages++;
    else
        pr->records++;
    now = now_ms(c->p);
    if (now - pr->said_ms < HS_CYCLE_PROGRESS_MS)
        return;
    pr->said_ms = now;
    {
        const hs_log_num nums[] = {{"pages", pr->pages}, {"records", pr->records},
                                   {"elapsed_ms", (long long)(now - pr->started_ms)}};
        double per_s = (double)pr->records * 1000.0 / (double)(now - pr->started_ms);
        hs_cycle_event(c, HS_LOG_INFO, "read_progress", nums, sizeof nums / sizeof nums[0],
                       "reading %s from %s: %lld page(s), %lld record(s) so far in %lld s "
                       "(%.0f a second); the total is not known ahead, so no time left is "
                       "estimated", c->stream ? c->stream : "changes",
                       c->side ? c->side->name : "?", pr->pages, pr->records,
                       (long long)((now - pr->started_ms) / 1000), per_s);
    }
}
