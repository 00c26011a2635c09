/*
 * The state store: per pipeline, a snapshot file under the state directory, replaced
 * atomically (temp file with O_EXCL, full write, fsync, rename, fsync of the directory), with
 * a format version, a sequence number and a checksum (FNV-1a 64 over the body serialised
 * plainly), and beside it an append-only journal of the small changes made since.
 * The generation before the current one is kept as "<pipeline>.state.prev".
 *
 * Snapshot layout ("<pipeline>.state"):
 *   { "format": 2, "pipeline": "<name>", "seq": N, "journal": J, "committed_at": "<ISO time>",
 *     "checksum": "fnv1a64:<16 hex>", "body": { ... } }
 * Format 1 (no "journal", no journal file) is still read; commits write format 2.
 *
 * Journal layout ("<pipeline>.journal", mode 0600): one line per hs_state_append(),
 *   {"seq":K,"puts":[["<section>","<key>",<value or null>],...],"crc":"<16 hex>"}\n
 * where crc is FNV-1a 64 of the line's bytes before `,"crc"`. Each line is synced
 * (fdatasync) before hs_state_append() returns, so a step costs one line whatever the size of
 * the state. K counts on across snapshots: a snapshot holds every record up to its "journal"
 * mark J, and loading replays the records after J, which must follow on without a gap.
 * Only the last line can be torn (every earlier one was synced before the next was begun):
 * a torn or checksum-failing last line is dropped, because its sync never returned and so
 * nothing that waited for it happened: the write behind a torn intent was never made, and a
 * write whose done is torn stays an intent, found again by the connector's lookup before
 * create (the loader says so in `recovered`). A bad line before the last one is corruption
 * and stops the pipeline. A commit writes the snapshot, which folds the journal
 * in, then starts the journal over; a kill between the two leaves records at or below the
 * mark, which loading skips. The journal it folded stays as "<pipeline>.journal.prev", read
 * before the journal, so that the previous generation ("<pipeline>.state.prev") put back in
 * place of a damaged snapshot loads with every record since.
 *
 * The body belongs to the cycle (cursors, outbox, invitation links, baselines); the store
 * only keeps it safe.
 *
 * A pipeline that has committed once also has "<pipeline>.ran": when the state file is then
 * missing, loading fails instead of starting over, because starting over would set a new
 * baseline and silently skip the candidates moved in the meantime.
 *
 * Ownership: hs_state_load() allocates an hs_state, hs_state_free() frees it. The body is
 * owned by the hs_state; callers may modify it in place and then call hs_state_commit().
 * Threading: an hs_state is used by one thread at a time (the worker holding the pipeline's
 * lock).
 */
#ifndef HS_HOST_STATE_H
#define HS_HOST_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define HS_STATE_FORMAT 2
#define HS_STATE_ERR_MAX 512

typedef struct hs_state {
    char *dir;              /* state directory (owned) */
    char *pipeline;         /* pipeline name (owned) */
    char *path;             /* "<dir>/<pipeline>.state" (owned) */
    char *journal_path;     /* "<dir>/<pipeline>.journal" (owned) */
    uint64_t seq;           /* sequence number of the last committed generation, 0 if none */
    uint64_t journal_seq;   /* number of the last journal record in the body */
    uint64_t journal_mark;  /* number of the last record the snapshot holds */
    int existed;            /* 1 when loaded from a file, 0 when new */
    int journal_fd;         /* open journal for appends, -1 until the first one */
    json_object *body;      /* owned; an empty object for a new pipeline */
    /* What loading repaired (a torn last journal record dropped), for the caller to log;
     * "" when nothing. */
    char recovered[HS_STATE_ERR_MAX];
    uint64_t journal_size;  /* bytes in the journal file now */
    uint64_t snapshot_size; /* bytes in the snapshot file now */
    /* Bytes appended to the journal and snapshots written through this handle: what the
     * state costs on disk, for tests and diagnostics. */
    uint64_t journal_bytes;
    unsigned long snapshots;
} hs_state;

/* One change to the body for hs_state_append(): body[section][key] = value, or the key
 * removed when value is NULL. value is borrowed; the store takes its own reference. */
typedef struct hs_state_put {
    const char *section;
    const char *key;
    json_object *value;
} hs_state_put;

/* Creates the state directory (mode 0700) when missing; refuses one group or others can
 * access. Returns 0, or -1 with a one-line message in err. */
int hs_state_dir_prepare(const char *dir, char *err, size_t err_size);

/* Loads the pipeline's state. A pipeline that never committed gets an empty body. A corrupt
 * file, or a missing one for a pipeline that has run, fails with a message that names the
 * file and `hiresync state reset PIPELINE`. Stale temp files are removed.
 * Returns 0 and *out, or -1 with err filled and *out NULL. */
int hs_state_load(const char *dir, const char *pipeline, hs_state **out, char *err,
                  size_t err_size);

/* Like hs_state_load, for readers that do not hold the pipeline's lock (`status`,
 * `state show`): leaves temp files alone. */
int hs_state_peek(const char *dir, const char *pipeline, hs_state **out, char *err,
                  size_t err_size);

/* Writes the body as the next generation (seq + 1); the current file becomes ".prev"; the
 * journal, folded into it, is emptied. now_ms stamps committed_at. Returns 0, or -1 with err
 * filled (the old state then stays in place, or the new one with its journal not yet
 * emptied, which loading handles). */
int hs_state_commit(hs_state *state, int64_t now_ms, char *err, size_t err_size);

/* Makes n changes durable as one journal record (one line, written and synced with
 * fdatasync before the call returns), then applies them to the body. The cost is the size of
 * the changes, not of the state. Returns 0, or -1 with err filled (the body and the journal
 * are then as before the call). */
int hs_state_append(hs_state *state, const hs_state_put *puts, size_t n, char *err,
                    size_t err_size);

void hs_state_free(hs_state *state);

/* Removes the pipeline's state (file, journal, previous generations and the has-run marker),
 * keeping copies as "<pipeline>.state.reset-<time>" and "<pipeline>.journal.reset-<time>"
 * when there were some. Returns 0, or -1 with err. */
int hs_state_reset(const char *dir, const char *pipeline, char *err, size_t err_size);

/* Validates a pipeline name for use as a file name: [A-Za-z0-9._-], 1..100 characters, not
 * starting with a dot. Returns 1 when valid. */
int hs_state_name_ok(const char *name);

/* Atomically replaces "<dir>/<name>" with len bytes of data (mode 0600): the mechanism
 * behind commits, also used for status records. Returns 0, or -1 with err filled. */
int hs_state_write_file(const char *dir, const char *name, const char *data, size_t len,
                        char *err, size_t err_size);

/* Reads a whole file (up to max bytes) into a new NUL-terminated buffer the caller frees.
 * Returns 0, 1 when the file does not exist, -1 on other errors (err filled). */
int hs_state_read_file(const char *path, size_t max, char **out, size_t *out_len, char *err,
                       size_t err_size);

/* FNV-1a 64 of len bytes. */
uint64_t hs_state_checksum(const char *data, size_t len);

/* Test hook, only in test builds (HS_TEST_HOOKS; a no-op in the installed program): when the
 * environment variable HIRESYNC_CRASH_AT holds N, the Nth call (counted
 * over the process) raises SIGKILL. Called at crash points inside state writes and between
 * remote calls. HIRESYNC_CRASH_WHERE counts only the points of that name (e.g.
 * "cycle: before write_invitation"); HIRESYNC_CRASH_SIGNAL=TERM raises SIGTERM instead, to
 * stop the process at a chosen instruction the way an operator would. */
void hs_crash_point(const char *where);

#endif /* HS_HOST_STATE_H */
