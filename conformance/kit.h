/*
 * hiresync-conformance: tests one connector module against the connector contract
 * (include/hiresync/connector.h, hiresync-connector(7)).
 *
 * The program loads the module through the host's own registry, loader and configuration
 * validation, then calls it with a host services table of its own (services.c) that records
 * everything the connector does: log lines, polls of cancelled(), responses it saw
 * (remote_time), emitted jobs, records and barriers. Every connector call goes through
 * kit_call_begin()/kit_call_end() (capture.c), which send fds 1 and 2 to temporary files
 * and look at what came out, and every text the connector produced goes through
 * kit_scan(), which looks for the canary and the configuration's real secrets.
 *
 * Ownership: one kit, on main's stack, owns everything below; kit_free() releases it.
 * Single-threaded: the kit calls the connector from its main thread only.
 */
#ifndef HS_KIT_H
#define HS_KIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hiresync/connector.h>

#include "manifest.h"

/* Exit statuses. */
#define KIT_EXIT_PASS 0
#define KIT_EXIT_VIOLATION 1
#define KIT_EXIT_USAGE 2

/* Sizes of the ABI 2.0 records: a 2.0 writer sets at least these, whatever minor the kit
 * was compiled with (a newer kit must not fail an older connector). */
#define KIT_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define KIT_JOB_SIZE_2_0 KIT_END(hs_job, stage_size)
#define KIT_STAGE_SIZE_2_0 KIT_END(hs_stage, status_size)
#define KIT_REF_SIZE_2_0 KIT_END(hs_ref, name)
#define KIT_CHANGE_SIZE_2_0 KIT_END(hs_stage_change, snapshot)
#define KIT_PERSON_SIZE_2_0 KIT_END(hs_person, phone)
#define KIT_CONNECTOR_SIZE_2_0 KIT_END(hs_connector, module_exit)
/* ... and of the records 2.1 added. */
#define KIT_ANSWER_SIZE_2_1 KIT_END(hs_answer, score)
#define KIT_PROGRESS_SIZE_2_1 KIT_END(hs_progress, parts_total)
/* An emitter and a write result as a 2.0 host hands them: they stop before 2.1's fields. */
#define KIT_EMITTER_SIZE_2_0 KIT_END(hs_emitter, checkpoint)
#define KIT_RESULT_SIZE_2_0 KIT_END(hs_write_result, remote_id_size)

/* The services table the kit lends when it plays a host of ABI 2.0 (lifecycle-host-2.0). */
#define KIT_HOST_ABI_2_0 (HS_ABI_MAJOR << 16)

/* After it has seen cancelled() return 1, a connector may still do this many things (emit
 * a record, receive a response, sleep) before it returns: work already in hand. */
#define KIT_CANCEL_SLACK 2

typedef enum kit_result { KIT_PASS = 0, KIT_FAIL, KIT_SKIP } kit_result;

/* Strings collected while a test runs (one-line problems, keys...). */
typedef struct kit_strings {
    char **v;
    size_t n, cap;
} kit_strings;

int kit_strings_add(kit_strings *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int kit_strings_has(const kit_strings *s, const char *value);
void kit_strings_clear(kit_strings *s);

/* One unit of a read: the keys emitted before a barrier, and the barrier's cursor. */
typedef struct kit_unit {
    kit_strings keys;
    char *cursor;
} kit_unit;

/* What one discover_jobs or read_changes call emitted (services.c's emitter fills it). */
typedef struct kit_emitted {
    kit_unit *units;          /* closed units, in order */
    size_t n_units, cap_units;
    kit_strings pending;      /* keys after the last barrier */
    kit_strings jobs;         /* job ids, in order */
    kit_strings problems;     /* shape violations, one line each */
    char *record_id, *job_id, *person_id;   /* the first stage record, for write_note */
    char *stage_id, *stage_name;            /* ... its stage and status (outcome-from) */
    char *status_id, *status_name;
    kit_strings stages;       /* "JOB\nSTAGE_ID\nSTAGE_NAME" of every job's stages */
    size_t records, snapshots;
    int want_snapshot;        /* the read asked for a snapshot */
    int host_2_0;             /* the connection was opened with the kit's 2.0 services */
    kit_strings old_kinds;    /* host_2_0: records of kinds that host does not know */
    kit_strings life_keys;    /* keys of lifecycle records (2.1 kinds and completions) */
    kit_strings life_problems;/* their shape: record id, time, answers */
    size_t lifecycle, answers;/* lifecycle records of 2.1 kinds; answers read */
    hs_status stop_with;      /* not HS_OK: the first job or record callback returns it */
    int stopped;              /* it did */
    size_t after_stop;        /* callbacks the connector made after that */
    /* progress (rule 12) */
    int emitter_2_0;          /* hand out an emitter whose struct_size stops before progress
                                 (the callback is still there, past it, to catch a call) */
    size_t progress;          /* progress calls received */
    size_t totals;            /* ... of which gave a pages_total */
    int64_t pages_done;       /* the last one's pages_done (when progress > 0) */
    kit_strings progress_problems;
} kit_emitted;

void kit_emitted_clear(kit_emitted *e);
/* The last barrier's cursor, or NULL. */
const char *kit_emitted_cursor(const kit_emitted *e);

typedef struct kit kit;

/* The hs_host the kit lends: one per configured connection the kit plays (the real one,
 * the canary one), so that they share no token. */
struct hs_host {
    kit *kit;
    kit_strings store;        /* "name=value" */
    kit_strings shared;       /* "name=value" */
};

struct kit {
    /* options */
    const char *target;       /* MODULE_OR_NAME as given */
    const char *config_path;
    const char *connection;   /* --connection, or NULL */
    kit_strings job_ids;      /* --jobs */
    const char *start_cursor; /* --cursor, or "" */
    int write;                /* --write */
    const char *move_to;      /* --move-to STAGE[/STATUS], or NULL */
    const char *move_from;    /* --move-from STAGE[/STATUS],..., or NULL */
    const char *move_record;  /* --move-record ID, or NULL: the first record read */
    const char *outcome;      /* --outcome OUTCOME, or NULL */
    int json;                 /* --json */
    int verbose;              /* --verbose: every captured log line on stderr */

    /* what is tested */
    const hs_manifest *manifest;
    hs_connector table;       /* the loader's copy */
    const char *config_json;  /* validated, defaults filled, secrets resolved: never print */
    kit_strings secrets;      /* copies of the configuration's resolved secrets */
    char name[256];           /* the connector's, and its module's path: they outlive the */
    char module_path[4096];   /* module, unloaded before the last reports */
    char connection_name[128];
    char canary[64];

    hs_host_api api;
    hs_host_api api_2_0;      /* the same services, claiming ABI 2.0 */
    hs_host host;             /* the configured connection's */
    hs_host canary_host;      /* the canary connection's */
    hs_host second_host;      /* a second connection's, open beside the first */
    hs_host old_host;         /* the connection opened with api_2_0 */

    /* the call in progress */
    const char *call;         /* "open", "read_changes"... for messages */
    long polls;               /* cancelled() calls in this call */
    long cancel_at;           /* cancelled() returns 1 from this poll on (1-based); 0 never */
    long cancel_seen;         /* poll at which the connector first saw 1, 0 none */
    long work_after_cancel;   /* records, responses, sleeps after cancel_seen */
    long barriers_after_cancel;
    long responses;           /* remote_time() calls in this call */
    kit_emitted *emitted;     /* where the emitter writes */

    /* the read that polled cancelled() most, which the cancellation tests repeat */
    char *ref_cursor;
    int ref_snapshot;
    long ref_polls;
    /* a read that emitted records, which the emitter-stop test repeats */
    char *rec_cursor;
    int rec_snapshot;

    /* run-wide findings */
    kit_strings verbose_lines;  /* --verbose: log lines of the call in progress */
    kit_strings stdio_problems;
    kit_strings canary_problems;
    kit_strings secret_problems;
    size_t calls;             /* connector calls made */
    size_t texts;             /* texts scanned */
    size_t log_lines;

    /* the report */
    FILE *out;
    void *json_tests;         /* json_object array with --json */
    size_t passed, failed, skipped;
};

/* report.c: one line per test; the detail says why (printf format). */
void kit_report(kit *k, const char *test, kit_result result, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Reports a test from a list of problems: PASS with pass_detail when empty, else FAIL with
 * the first problem and the count of the others. */
void kit_report_problems(kit *k, const char *test, const kit_strings *problems,
                         const char *pass_detail);
int kit_report_finish(kit *k);

/* services.c */
void kit_api_init(kit *k);
void kit_host_init(hs_host *host, kit *k);
void kit_host_clear(hs_host *host);
hs_emitter kit_emitter(kit *k, kit_emitted *e);
/* Zeroes the per-call counters; cancel_at as above. */
void kit_call_reset(kit *k, long cancel_at);

/* capture.c */
int kit_capture_init(void);
void kit_capture_free(void);
/* Brackets one connector call named call: fds 1 and 2 go to temporary files meanwhile. */
void kit_call_begin(kit *k, const char *call);
void kit_call_end(kit *k);
/* Looks for the canary and the real secrets in text, found in `where`. */
void kit_scan(kit *k, const char *where, const char *text);
/* Crash reporting: the test running when a signal kills the kit. */
void kit_crash_guard(const char *test);

/* An hs_error whose message buffer is HS_ERROR_MESSAGE_MIN bytes followed by a guard. */
typedef struct kit_error {
    hs_error err;
    char buf[HS_ERROR_MESSAGE_MIN + 64];
} kit_error;
void kit_error_init(kit_error *e);
/* Checks e after a call that returned st: guard intact, message NUL-terminated in its
 * buffer, one line, non-empty when st is not HS_OK, no secret. Problems go to problems with
 * the prefix what. Returns the message. */
const char *kit_error_check(kit *k, kit_error *e, hs_status st, const char *what,
                            kit_strings *problems);

/* tests */
void kit_test_handshake(kit *k, void *module_handle, const char *entry_name);
void kit_test_open(kit *k);
hs_conn *kit_open(kit *k, hs_host *host, const char *config_json, kit_strings *problems);
/* The same with another services table (api_2_0). */
hs_conn *kit_open_api(kit *k, const hs_host_api *api, hs_host *host, const char *config_json,
                      kit_strings *problems);
void kit_close(kit *k, hs_conn *conn);
void kit_test_canary(kit *k);
/* The configuration with the canary in every secret key (malloc'd), or NULL when the manifest
 * marks none. */
char *kit_canary_json(kit *k);
void kit_test_two(kit *k, hs_conn *conn);
void kit_test_check(kit *k, hs_conn *conn);
/* Runs check() (no report line): its problems, and the items it reported. */
hs_status kit_check_call(kit *k, hs_conn *conn, kit_strings *problems, size_t *items);
void kit_test_jobs(kit *k, hs_conn *conn, kit_strings *job_ids);
/* One discover_jobs call into em; problems go to em->problems. */
hs_status kit_discover_once(kit *k, hs_conn *conn, kit_emitted *em, const char *what);
void kit_test_reads(kit *k, hs_conn *conn, kit_emitted *sample);
/* One read_changes call into em (which may carry host_2_0); problems go to em->problems. */
hs_status kit_read_once(kit *k, hs_conn *conn, const char *cursor, int snapshot,
                        kit_emitted *em, const char *what);
/* t_life.c: 2.1 lifecycle records, and a read by a host of ABI 2.0. */
void kit_test_lifecycle(kit *k, hs_conn *conn);
/* t_move.c: move_record (with --write, --move-to and --move-from). */
void kit_test_moves(kit *k, hs_conn *conn, const kit_emitted *sample);
/* --move-to and --move-from parse (each STAGE or STAGE/STATUS, up to 8 froms). */
int kit_move_options_valid(const kit *k);
/* t_write.c: a note with an outcome and final set, twice with one key. */
void kit_test_outcome(kit *k, hs_conn *conn, const kit_emitted *sample);
/* t_outfrom.c: a guarded outcome (hs_note.outcome_from) withheld and recorded. */
void kit_test_outcome_from(kit *k, hs_conn *conn);
/* t_progress.c: progress reports of reads, and none to a 2.0-sized emitter. */
void kit_test_progress(kit *k, hs_conn *conn);
void kit_test_writes(kit *k, hs_conn *conn, const kit_strings *job_ids,
                     const kit_emitted *sample);
void kit_test_cancel(kit *k, hs_conn *conn);
void kit_test_emitter_stop(kit *k, hs_conn *conn);

const char *kit_status_name(hs_status st);

#endif /* HS_KIT_H */
