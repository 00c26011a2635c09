/*
 * One lock per pipeline: an exclusive, non-blocking flock on "<state_dir>/<pipeline>.lock",
 * so that two runners (a timer firing while `hiresync run` is up, two cron ticks) never run
 * the same pipeline at once. The kernel drops the lock when the process dies.
 *
 * Ownership: hs_lock_acquire() returns a descriptor the caller releases with
 * hs_lock_release(). Locks are per open file description, so two acquisitions in one process
 * also exclude each other.
 */
#ifndef HS_HOST_LOCK_H
#define HS_HOST_LOCK_H

#include <stddef.h>
#include <stdint.h>

/* Returns a descriptor (>= 0) holding the lock; -1 when another process (or worker) holds it
 * (*busy = 1); -2 on another error (err filled). */
int hs_lock_acquire(const char *dir, const char *pipeline, int *busy, char *err,
                    size_t err_size);

/* Writes "<pid> <started_ms>\n" into the held lock file, so that `status` can tell a cycle in
 * progress and since when, and that a cycle ran whose outcome was never recorded. Returns 0,
 * or -1 (errno set); the lock stays held either way. */
int hs_lock_note_start(int fd, int64_t started_ms);

/* What the lock file of a pipeline says, without taking the lock: *held is 1 while a process
 * holds it; *started_ms is the start of the last cycle noted in it (-1 when none). Returns 0,
 * or -1 when the lock file does not exist or cannot be read (errno set). */
int hs_lock_peek(const char *dir, const char *pipeline, int *held, int64_t *started_ms);

/* Releases and closes; a negative fd is a no-op. */
void hs_lock_release(int fd);

#endif /* HS_HOST_LOCK_H */
