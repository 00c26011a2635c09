/* Webhook doorbell tokens (see webhook.h). */
#define _DEFAULT_SOURCE

#include "webhook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

void hs_webhook_wipe(void *p, size_t n)
{
    if (p != NULL)
        explicit_bzero(p, n);
}

int hs_webhook_token_equal(const char *a, const char *b)
{
    unsigned char diff = 0;
    size_t la = strnlen(a, HS_WEBHOOK_TOKEN_LEN + 1), lb;
    if (la != HS_WEBHOOK_TOKEN_LEN)
        return 0;
    lb = strnlen(b, HS_WEBHOOK_TOKEN_LEN + 1);
    diff = (unsigned char)(lb != HS_WEBHOOK_TOKEN_LEN);
    /* b is read only within its own length; a wrong length still costs the whole loop */
    for (size_t i = 0; i < HS_WEBHOOK_TOKEN_LEN; i++)
        diff |= (unsigned char)(a[i] ^ (i < lb ? b[i] : 0));
    return diff == 0;
}

static int valid_token(const char *t, size_t n)
{
    if (n != HS_WEBHOOK_TOKEN_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return 0;
    return 1;
}

/* 0 and the token; 1 when the file does not exist; -1 with why. */
static int read_token(const char *path, char *out, char *why, size_t why_size)
{
    char text[HS_WEBHOOK_TOKEN_LEN + 2];
    ssize_t n;
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0) {
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        close(fd);
        snprintf(why, why_size, "%s must be a regular file readable by its owner only; "
                 "chmod 600 it, or remove it to make a new token", path);
        return -1;
    }
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n > 0 && text[n - 1] == '\n')
        n--;
    if (n < 0 || !valid_token(text, (size_t)n)) {
        hs_webhook_wipe(text, sizeof text);
        snprintf(why, why_size, "%s does not hold a webhook token; remove it to make a new one",
                 path);
        return -1;
    }
    memcpy(out, text, HS_WEBHOOK_TOKEN_LEN);
    out[HS_WEBHOOK_TOKEN_LEN] = '\0';
    hs_webhook_wipe(text, sizeof text);
    return 0;
}

/* Writes a new token to a temporary file, then links it into place, so that two processes
 * creating at once agree on one token (the loser reads the winner's). */
static int create_token(const char *dir, const char *path, char *why, size_t why_size)
{
    unsigned char raw[HS_WEBHOOK_TOKEN_LEN / 2];
    char text[HS_WEBHOOK_TOKEN_LEN + 1], tmp[4200];
    int fd, rc = -1;
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(why, why_size, "cannot draw random bytes for a webhook token: %s",
                     strerror(errno));
            return -1;
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(text + 2 * i, 3, "%02x", raw[i]);
    text[HS_WEBHOOK_TOKEN_LEN] = '\n';
    snprintf(tmp, sizeof tmp, "%s/.webhook.tmp.%ld", dir, (long)getpid());
    (void)unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, why_size, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write(fd, text, sizeof text) != (ssize_t)sizeof text || fsync(fd) != 0) {
        snprintf(why, why_size, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        (void)unlink(tmp);
        goto out;
    }
    close(fd);
    if (link(tmp, path) != 0 && errno != EEXIST)
        snprintf(why, why_size, "cannot create %s: %s", path, strerror(errno));
    else
        rc = 0;
    (void)unlink(tmp);
out:
    hs_webhook_wipe(raw, sizeof raw);
    hs_webhook_wipe(text, sizeof text);
    return rc;
}

int hs_webhook_token(const char *state_dir, const char *pipeline, int create, char *out,
                     char *why, size_t why_size)
{
    char path[4200];
    int rc;
    if (snprintf(path, sizeof path, "%s/%s.webhook", state_dir, pipeline) >= (int)sizeof path) {
        snprintf(why, why_size, "the state directory's path is too long");
        return -1;
    }
    rc = read_token(path, out, why, why_size);
    if (rc != 1 || !create)
        return rc;
    if (hs_state_dir_prepare(state_dir, why, why_size) != 0 ||
        create_token(state_dir, path, why, why_size) != 0)
        return -1;
    return read_token(path, out, why, why_size) == 0 ? 0 : -1;
}
