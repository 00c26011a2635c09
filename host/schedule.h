/*
 * The schedule: runs each configured pipeline when it is due (see status.h for the due
 * times), on a bounded pool of worker threads.
 *
 * `once` runs every pipeline that is due within the grace window (hs_status_grace_ms; the
 * retry time a remote system asked for is never anticipated) one time and returns: an
 * external scheduler firing every interval, a little early or late, runs every interval.
 *
 * Otherwise it stays up until SIGTERM or SIGINT (the write in hand finishes and is committed,
 * the cycle is recorded as cancelled, then it returns 0); SIGHUP reloads the configuration.
 * It waits on the monotonic clock: a due time read from a status record becomes a monotonic
 * one when first read, and every later one follows from the cycles it runs, so wall-clock
 * jumps (either way) neither fire pipelines early nor stall them. It runs a pipeline at its
 * due time plus its spread (hs_status_spread_ms). A pipeline whose cycle fails (corrupt state,
 * refused credentials, a missing permission, a dead mapping, an unreachable system) fails
 * alone: its status record says what to fix, it is tried again after a back-off
 * (hs_status_backoff_ms), and the other pipelines go on.
 *
 * Test builds only (HS_TEST_HOOKS): HIRESYNC_FAKE_NOW (seconds since the epoch) replaces
 * the wall clock; HIRESYNC_FAKE_NOW_FILE names a file holding "<wall s> [<monotonic s>]",
 * read again at every use, to move either clock while the daemon runs.
 *
 * Ownership: the app is borrowed; it must have its configuration and modules loaded (main
 * thread) before hs_schedule_run() starts workers.
 */
#ifndef HS_HOST_SCHEDULE_H
#define HS_HOST_SCHEDULE_H

#include <stdint.h>

#include "app.h"
#include "shard.h"

typedef struct hs_run_options {
    int once;                /* run due pipelines once and return */
    const char *pipeline;    /* only this pipeline, NULL: all */
    int force;               /* ignore due times */
    int dry_run;             /* print what would be done; write and commit nothing */
    hs_shard shard;          /* only this shard's pipelines (--shard, or the configuration's
                                "shard" when count is 0); count 0 and none configured: all */
    const char *listen;      /* --listen HOST:PORT, overriding the configuration's "listen";
                                NULL: the configuration's, if any (the daemon only) */
} hs_run_options;

/* Returns an HS_EXIT_* status. With once: 0 when every pipeline that ran succeeded (or was
 * cancelled by a signal), 1 when one failed (an authentication or permission failure
 * included). Without: 0 after a signal. 2 for a usage problem (an unknown pipeline). */
int hs_schedule_run(hs_app *app, const hs_run_options *options);

/* The runner's wall clock (ms since the epoch), for records, due times and the connections. */
int64_t hs_schedule_now_ms(void);

/* The monotonic clock (ms), on which the daemon measures its waits. */
int64_t hs_schedule_mono_ms(void);

#endif /* HS_HOST_SCHEDULE_H */
