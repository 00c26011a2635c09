/* The state store: atomic, checksummed, versioned pipeline state files (see state.h). */
#define _POSIX_C_SOURCE 200809L

#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A state file larger than this is not ours: refuse instead of reading it into memory. */
#define STATE_MAX_BYTES (64u * 1024u * 1024u)

static atomic_long crash_counter;

void hs_crash_point(const char *where)
{
    const char *env = getenv("HIRESYNC_CRASH_AT");
    const char *only = getenv("HIRESYNC_CRASH_WHERE");
    const char *sig = getenv("HIRESYNC_CRASH_SIGNAL");
    long n;
    if (env == NULL || *env == '\0')
        return;
    if (only != NULL && *only != '\0' && strcmp(only, where) != 0)
        return;
    n = atomic_fetch_add(&crash_counter, 1) + 1;
    if (strtol(env, NULL, 10) != n)
        return;
    if (getenv("HIRESYNC_CRASH_SAY") != NULL)
        fprintf(stderr, "crash point %ld: %s\n", n, where);
    raise(sig != NULL && strcmp(sig, "TERM") == 0 ? SIGTERM : SIGKILL);
}

static void set_err(char *err, size_t err_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || err_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

uint64_t hs_state_checksum(const char *data, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ull;
    }
    return h;
}

int hs_state_name_ok(const char *name)
{
    size_t n = 0;
    if (name == NULL || name[0] == '\0' || name[0] == '.')
        return 0;
    for (const char *p = name; *p; p++, n++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok || n >= 100)
            return 0;
    }
    return 1;
}

/* Creates the missing parents of path (mode 0755, as `mkdir -p` would). */
static void make_parents(const char *path)
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "%s", path);
    if (n < 0 || (size_t)n >= sizeof buf)
        return;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        (void)mkdir(buf, 0755);
        *p = '/';
    }
}

int hs_state_dir_prepare(const char *dir, char *err, size_t err_size)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        make_parents(dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        set_err(err, err_size, "state directory %s: cannot create it: %s", dir,
                strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(err, err_size, "state directory %s: not a directory", dir);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        set_err(err, err_size,
                "state directory %s: group or others can access it; run chmod 700 %s", dir,
                dir);
        return -1;
    }
    return 0;
}

static int join_path(char *out, size_t out_size, const char *dir, const char *name,
                     const char *suffix)
{
    int n = snprintf(out, out_size, "%s/%s%s", dir, name, suffix ? suffix : "");
    return (n < 0 || (size_t)n >= out_size) ? -1 : 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    int rc;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    rc = fsync(dfd);
    if (close(dfd) != 0)
        rc = -1;
    return rc;
}

int hs_state_write_file(const char *dir, const char *name, const char *data, size_t len,
                        char *err, size_t err_size)
{
    char tmp[4096];
    char dst[4096];
    int fd = -1;
    int rc = -1;
    int n = snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp || join_path(dst, sizeof dst, dir, name, NULL) != 0) {
        set_err(err, err_size, "state file name too long in %s", dir);
        return -1;
    }
    (void)unlink(tmp); /* a leftover of an earlier process with our pid */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_err(err, err_size, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    hs_crash_point("state: temp file created");
    if (write_all(fd, data, len / 2) != 0)
        goto io_error;
    hs_crash_point("state: half written");
    if (write_all(fd, data + len / 2, len - len / 2) != 0 || fsync(fd) != 0)
        goto io_error;
    hs_crash_point("state: temp file synced");
    if (close(fd) != 0) {
        fd = -1;
        goto io_error;
    }
    fd = -1;
    if (rename(tmp, dst) != 0)
        goto io_error;
    hs_crash_point("state: renamed");
    if (fsync_dir(dir) != 0) {
        set_err(err, err_size, "%s: cannot sync the directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
io_error:
    set_err(err, err_size, "%s: cannot write: %s", dst, strerror(errno));
    if (fd >= 0)
        (void)close(fd);
    (void)unlink(tmp);
    return rc;
}

int hs_state_read_file(const char *path, size_t max, char **out, size_t *out_len, char *err,
                       size_t err_size)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        set_err(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        set_err(err, err_size, "%s: not a regular file of at most %zu bytes", path, max);
        (void)close(fd);
        return -1;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        set_err(err, err_size, "%s: out of memory", path);
        (void)close(fd);
        return -1;
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    (void)close(fd);
    buf[got] = '\0';
    *out = buf;
    if (out_len)
        *out_len = got;
    return 0;
}

static void remove_stale_temps(const char *dir, const char *pipeline)
{
    char state_prefix[256], status_prefix[256];
    DIR *d;
    struct dirent *e;
    int n1 = snprintf(state_prefix, sizeof state_prefix, ".%s.state.tmp.", pipeline);
    int n2 = snprintf(status_prefix, sizeof status_prefix, ".%s.status.tmp.", pipeline);
    if (n1 < 0 || (size_t)n1 >= sizeof state_prefix || n2 < 0 ||
        (size_t)n2 >= sizeof status_prefix)
        return;
    d = opendir(dir);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (strncmp(e->d_name, state_prefix, (size_t)n1) != 0 &&
            strncmp(e->d_name, status_prefix, (size_t)n2) != 0)
            continue;
        if (join_path(path, sizeof path, dir, e->d_name, NULL) == 0)
            (void)unlink(path);
    }
    closedir(d);
}

static int file_exists(const char *dir, const char *pipeline, const char *suffix)
{
    char path[4096];
    struct stat st;
    if (join_path(path, sizeof path, dir, pipeline, suffix) != 0)
        return 0;
    return stat(path, &st) == 0;
}

/* Checks the envelope and returns the body (a new reference) or NULL with err filled. */
static json_object *parse_envelope(const char *path, const char *pipeline, const char *text,
                                   size_t len, uint64_t *seq, char *err, size_t err_size)
{
    json_tokener *tok = json_tokener_new_ex(64);
    json_object *root = NULL, *v, *body = NULL;
    const char *plain, *sum;
    char want[40];
    if (tok == NULL) {
        set_err(err, err_size, "%s: out of memory", path);
        return NULL;
    }
    root = json_tokener_parse_ex(tok, text, (int)len);
    if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_is_type(root, json_type_object)) {
        set_err(err, err_size, "%s is corrupt (not a complete JSON object)", path);
        goto out;
    }
    if (!json_object_object_get_ex(root, "format", &v) || json_object_get_int(v) != HS_STATE_FORMAT) {
        set_err(err, err_size, "%s has an unknown format version (this hiresync reads %d)", path,
                HS_STATE_FORMAT);
        goto out;
    }
    if (!json_object_object_get_ex(root, "pipeline", &v) ||
        strcmp(json_object_get_string(v), pipeline) != 0) {
        set_err(err, err_size, "%s belongs to another pipeline", path);
        goto out;
    }
    if (!json_object_object_get_ex(root, "body", &v) || !json_object_is_type(v, json_type_object)) {
        set_err(err, err_size, "%s is corrupt (no body)", path);
        goto out;
    }
    plain = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    snprintf(want, sizeof want, "fnv1a64:%016" PRIx64, hs_state_checksum(plain, strlen(plain)));
    if (!json_object_object_get_ex(root, "checksum", &v) ||
        (sum = json_object_get_string(v)) == NULL || strcmp(sum, want) != 0) {
        set_err(err, err_size, "%s is corrupt (checksum mismatch)", path);
        goto out;
    }
    if (!json_object_object_get_ex(root, "seq", &v) || json_object_get_int64(v) < 1) {
        set_err(err, err_size, "%s is corrupt (no sequence number)", path);
        goto out;
    }
    *seq = (uint64_t)json_object_get_int64(v);
    json_object_object_get_ex(root, "body", &v);
    body = json_object_get(v);
out:
    json_object_put(root);
    json_tokener_free(tok);
    return body;
}

static hs_state *state_new(const char *dir, const char *pipeline)
{
    char path[4096];
    hs_state *s = calloc(1, sizeof *s);
    if (s == NULL || join_path(path, sizeof path, dir, pipeline, ".state") != 0)
        goto fail;
    s->dir = strdup(dir);
    s->pipeline = strdup(pipeline);
    s->path = strdup(path);
    if (s->dir == NULL || s->pipeline == NULL || s->path == NULL)
        goto fail;
    return s;
fail:
    hs_state_free(s);
    return NULL;
}

static int load(const char *dir, const char *pipeline, int clean, hs_state **out, char *err,
                size_t err_size)
{
    char msg[HS_STATE_ERR_MAX];
    char *text = NULL;
    size_t len = 0;
    int rc;
    hs_state *s;
    *out = NULL;
    if (!hs_state_name_ok(pipeline)) {
        set_err(err, err_size, "pipeline name \"%s\" cannot name a state file (use letters, "
                "digits, '.', '_' and '-')", pipeline);
        return -1;
    }
    s = state_new(dir, pipeline);
    if (s == NULL) {
        set_err(err, err_size, "out of memory loading the state of %s", pipeline);
        return -1;
    }
    if (clean)
        remove_stale_temps(dir, pipeline);
    rc = hs_state_read_file(s->path, STATE_MAX_BYTES, &text, &len, msg, sizeof msg);
    if (rc == 1) {
        if (file_exists(dir, pipeline, ".ran")) {
            set_err(err, err_size,
                    "%s is missing but pipeline %s has run before; restore it (the previous "
                    "generation is %s.prev) or start over with `hiresync state reset %s`",
                    s->path, pipeline, s->path, pipeline);
            goto fail;
        }
        s->body = json_object_new_object();
        if (s->body == NULL)
            goto fail;
        *out = s;
        return 0;
    }
    if (rc < 0) {
        set_err(err, err_size, "%s; pipeline %s stops until it is readable", msg, pipeline);
        goto fail;
    }
    s->body = parse_envelope(s->path, pipeline, text, len, &s->seq, msg, sizeof msg);
    if (s->body == NULL) {
        set_err(err, err_size, "%s; pipeline %s stops: restore %s.prev or start over with "
                "`hiresync state reset %s`", msg, pipeline, s->path, pipeline);
        goto fail;
    }
    s->existed = 1;
    free(text);
    *out = s;
    return 0;
fail:
    free(text);
    hs_state_free(s);
    return -1;
}

int hs_state_load(const char *dir, const char *pipeline, hs_state **out, char *err,
                  size_t err_size)
{
    return load(dir, pipeline, 1, out, err, err_size);
}

int hs_state_peek(const char *dir, const char *pipeline, hs_state **out, char *err,
                  size_t err_size)
{
    return load(dir, pipeline, 0, out, err, err_size);
}

static int mark_ran(const hs_state *s)
{
    char path[4096];
    int fd;
    if (join_path(path, sizeof path, s->dir, s->pipeline, ".ran") != 0)
        return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (fsync(fd) != 0) {
        (void)close(fd);
        return -1;
    }
    if (close(fd) != 0)
        return -1;
    return fsync_dir(s->dir);
}

int hs_state_commit(hs_state *state, int64_t now_ms, char *err, size_t err_size)
{
    char name[256], cur[4096], prev[4096], when[40];
    json_object *root = NULL;
    const char *plain, *text;
    char sum[40];
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    int rc = -1;
    if (snprintf(name, sizeof name, "%s.state", state->pipeline) >= (int)sizeof name ||
        join_path(cur, sizeof cur, state->dir, state->pipeline, ".state") != 0 ||
        join_path(prev, sizeof prev, state->dir, state->pipeline, ".state.prev") != 0) {
        set_err(err, err_size, "state file name too long for %s", state->pipeline);
        return -1;
    }
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    plain = json_object_to_json_string_ext(state->body, JSON_C_TO_STRING_PLAIN);
    snprintf(sum, sizeof sum, "fnv1a64:%016" PRIx64, hs_state_checksum(plain, strlen(plain)));
    root = json_object_new_object();
    if (root == NULL)
        goto oom;
    if (json_object_object_add(root, "format", json_object_new_int(HS_STATE_FORMAT)) ||
        json_object_object_add(root, "pipeline", json_object_new_string(state->pipeline)) ||
        json_object_object_add(root, "seq", json_object_new_int64((int64_t)state->seq + 1)) ||
        json_object_object_add(root, "committed_at", json_object_new_string(when)) ||
        json_object_object_add(root, "checksum", json_object_new_string(sum)) ||
        json_object_object_add(root, "body", json_object_get(state->body)))
        goto oom;
    text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    if (text == NULL)
        goto oom;
    /* The current generation becomes the previous one by a hard link, so that at every
     * instant the current name holds a complete file. */
    if (state->existed) {
        (void)unlink(prev);
        if (link(cur, prev) != 0 && errno != ENOENT) {
            set_err(err, err_size, "%s: cannot keep the previous generation: %s", prev,
                    strerror(errno));
            goto out;
        }
        hs_crash_point("state: previous generation kept");
    }
    if (hs_state_write_file(state->dir, name, text, strlen(text), err, err_size) != 0)
        goto out;
    if (!state->existed && mark_ran(state) != 0) {
        set_err(err, err_size, "%s.ran: cannot create: %s", state->pipeline, strerror(errno));
        goto out;
    }
    state->seq++;
    state->existed = 1;
    rc = 0;
    goto out;
oom:
    set_err(err, err_size, "out of memory writing the state of %s", state->pipeline);
out:
    json_object_put(root);
    return rc;
}

void hs_state_free(hs_state *state)
{
    if (state == NULL)
        return;
    json_object_put(state->body);
    free(state->dir);
    free(state->pipeline);
    free(state->path);
    free(state);
}

int hs_state_reset(const char *dir, const char *pipeline, char *err, size_t err_size)
{
    char cur[4096], prev[4096], ran[4096];
    struct stat st;
    if (!hs_state_name_ok(pipeline)) {
        set_err(err, err_size, "pipeline name \"%s\" cannot name a state file", pipeline);
        return -1;
    }
    if (join_path(cur, sizeof cur, dir, pipeline, ".state") != 0 ||
        join_path(prev, sizeof prev, dir, pipeline, ".state.prev") != 0 ||
        join_path(ran, sizeof ran, dir, pipeline, ".ran") != 0) {
        set_err(err, err_size, "state file name too long for %s", pipeline);
        return -1;
    }
    if (stat(cur, &st) == 0) {
        char keep[4200];
        int n = snprintf(keep, sizeof keep, "%s.reset-%ld", cur, (long)time(NULL));
        if (n < 0 || (size_t)n >= sizeof keep || rename(cur, keep) != 0) {
            set_err(err, err_size, "%s: cannot move aside: %s", cur, strerror(errno));
            return -1;
        }
    }
    if ((unlink(prev) != 0 && errno != ENOENT) || (unlink(ran) != 0 && errno != ENOENT)) {
        set_err(err, err_size, "%s: cannot remove: %s", dir, strerror(errno));
        return -1;
    }
    if (fsync_dir(dir) != 0) {
        set_err(err, err_size, "%s: cannot sync the directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}
