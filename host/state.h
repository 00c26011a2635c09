/*
 * The state store: one JSON file per pipeline under the state directory, replaced atomically
 * (temp file with O_EXCL, full write, fsync, rename, fsync of the directory), with a format
 * version, a sequence number and a checksum (FNV-1a 64 over the body serialised plainly).
 * The generation before the current one is kept as "<pipeline>.state.prev".
 *
 * File layout:
 *   { "format": 1, "pipeline": "<name>", "seq": N, "committed_at": "<ISO time>",
 *     "checksum": "fnv1a64:<16 hex>", "body": { ... } }
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

#define HS_STATE_FORMAT 1
#define HS_STATE_ERR_MAX 512

typedef struct hs_state {
    char *dir;              /* state directory (owned) */
    char *pipeline;         /* pipeline name (owned) */
    char *path;             /* "<dir>/<pipeline>.state" (owned) */
    uint64_t seq;           /* sequence number of the last committed generation, 0 if none */
    int existed;            /* 1 when loaded from a file, 0 when new */
    json_object *body;      /* owned; an empty object for a new pipeline */
} hs_state;

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

/* Writes the body as the next generation (seq + 1); the current file becomes ".prev".
 * now_ms stamps committed_at. Returns 0, or -1 with err filled (the old state then stays
 * in place). */
int hs_state_commit(hs_state *state, int64_t now_ms, char *err, size_t err_size);

void hs_state_free(hs_state *state);

/* Removes the pipeline's state (file, previous generation and the has-run marker), keeping a
 * copy as "<pipeline>.state.reset-<seq>" when there was one. Returns 0, or -1 with err. */
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

/* Test hook: when the environment variable HIRESYNC_CRASH_AT holds N, the Nth call (counted
 * over the process) raises SIGKILL. Called at crash points inside state writes and between
 * remote calls. HIRESYNC_CRASH_WHERE counts only the points of that name (e.g.
 * "cycle: before write_invitation"); HIRESYNC_CRASH_SIGNAL=TERM raises SIGTERM instead, to
 * stop the process at a chosen instruction the way an operator would. */
void hs_crash_point(const char *where);

#endif /* HS_HOST_STATE_H */
