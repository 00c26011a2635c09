/* Per-pipeline locks (see lock.h). */
#define _DEFAULT_SOURCE

#include "lock.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int hs_lock_acquire(const char *dir, const char *pipeline, int *busy, char *err,
                    size_t err_size)
{
    char path[4096];
    int fd;
    int n = snprintf(path, sizeof path, "%s/%s.lock", dir, pipeline);
    *busy = 0;
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, err_size, "lock file name too long for %s", pipeline);
        return -2;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -2;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        (void)close(fd);
        if (e == EWOULDBLOCK) {
            *busy = 1;
            snprintf(err, err_size, "pipeline %s is running in another hiresync process "
                     "(%s is locked); skipped", pipeline, path);
            return -1;
        }
        snprintf(err, err_size, "%s: cannot lock: %s", path, strerror(e));
        return -2;
    }
    return fd;
}

int hs_lock_note_start(int fd, int64_t started_ms)
{
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %" PRId64 "\n", (long)getpid(), started_ms);
    if (n < 0 || (size_t)n >= sizeof line) {
        errno = EOVERFLOW;
        return -1;
    }
    /* Overwrite in place: on a full disk the file's first block is already there. */
    if (pwrite(fd, line, (size_t)n, 0) != (ssize_t)n || ftruncate(fd, n) != 0)
        return -1;
    return 0;
}

int hs_lock_peek(const char *dir, const char *pipeline, int *held, int64_t *started_ms)
{
    char path[4096], buf[64];
    ssize_t got;
    int fd, n = snprintf(path, sizeof path, "%s/%s.lock", dir, pipeline);
    *held = 0;
    *started_ms = -1;
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0)
        *held = errno == EWOULDBLOCK;
    else
        (void)flock(fd, LOCK_UN);
    got = pread(fd, buf, sizeof buf - 1, 0);
    (void)close(fd);
    if (got > 0) {
        const char *p;
        buf[got] = '\0';
        p = strchr(buf, ' ');
        if (p != NULL) {
            char *end;
            long long v = strtoll(p + 1, &end, 10);
            if (end != p + 1 && (*end == '\n' || *end == '\0') && v >= 0)
                *started_ms = (int64_t)v;
        }
    }
    return 0;
}

void hs_lock_release(int fd)
{
    if (fd < 0)
        return;
    (void)flock(fd, LOCK_UN);
    (void)close(fd);
}
