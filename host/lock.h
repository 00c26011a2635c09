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

/* Returns a descriptor (>= 0) holding the lock; -1 when another process (or worker) holds it
 * (*busy = 1); -2 on another error (err filled). */
int hs_lock_acquire(const char *dir, const char *pipeline, int *busy, char *err,
                    size_t err_size);

/* Releases and closes; a negative fd is a no-op. */
void hs_lock_release(int fd);

#endif /* HS_HOST_LOCK_H */
