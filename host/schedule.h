/*
 * The schedule: runs each configured pipeline when it is due (last start + interval + a
 * little jitter; at once when overdue or never run), on a bounded pool of worker threads.
 * `once` runs every due pipeline one time and returns; otherwise it stays up until SIGTERM
 * or SIGINT (the write in hand finishes and is committed, then it returns 0); SIGHUP reloads
 * the configuration.
 *
 * Clock: HIRESYNC_FAKE_NOW (seconds since the epoch) replaces the wall clock for the due
 * times and for the connections (tests).
 *
 * Ownership: the app is borrowed; it must have its configuration and modules loaded (main
 * thread) before hs_schedule_run() starts workers.
 */
#ifndef HS_HOST_SCHEDULE_H
#define HS_HOST_SCHEDULE_H

#include <stdint.h>

#include "app.h"

typedef struct hs_run_options {
    int once;                /* run due pipelines once and return */
    const char *pipeline;    /* only this pipeline, NULL: all */
    int force;               /* ignore due times */
    int dry_run;             /* print what would be done; write and commit nothing */
    int quiet;               /* internal: do not log pipelines that are not due */
} hs_run_options;

/* Returns an HS_EXIT_* status: 0 when every pipeline that ran succeeded (or was cancelled by
 * a signal), 1 when one failed (an authentication or permission failure included), 2 for a
 * usage problem (an unknown pipeline). */
int hs_schedule_run(hs_app *app, const hs_run_options *options);

/* The runner's clock in ms (HIRESYNC_FAKE_NOW aware). */
int64_t hs_schedule_now_ms(void);

#endif /* HS_HOST_SCHEDULE_H */
