/* Per-pipeline locks (see lock.h). */
#define _DEFAULT_SOURCE

#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

void hs_lock_release(int fd)
{
    if (fd < 0)
        return;
    (void)flock(fd, LOCK_UN);
    (void)close(fd);
}
