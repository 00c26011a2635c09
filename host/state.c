/* The state store: atomic, checksummed, versioned pipeline snapshots and their journals
 * (see state.h). */
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

#ifdef HS_TEST_HOOKS
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
#else
void hs_crash_point(const char *where)
{
    (void)where; /* the installed program reads no test hook from its environment */
}
#endif

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
    char state_prefix[256], status_prefix[256], journal_prefix[256];
    DIR *d;
    struct dirent *e;
    int n1 = snprintf(state_prefix, sizeof state_prefix, ".%s.state.tmp.", pipeline);
    int n2 = snprintf(status_prefix, sizeof status_prefix, ".%s.status.tmp.", pipeline);
    int n3 = snprintf(journal_prefix, sizeof journal_prefix, ".%s.journal.tmp.", pipeline);
    if (n1 < 0 || (size_t)n1 >= sizeof state_prefix || n2 < 0 ||
        (size_t)n2 >= sizeof status_prefix || n3 < 0 || (size_t)n3 >= sizeof journal_prefix)
        return;
    d = opendir(dir);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (strncmp(e->d_name, state_prefix, (size_t)n1) != 0 &&
            strncmp(e->d_name, status_prefix, (size_t)n2) != 0 &&
            strncmp(e->d_name, journal_prefix, (size_t)n3) != 0)
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
                                   size_t len, uint64_t *seq, uint64_t *mark, int *format,
                                   char *err, size_t err_size)
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
    if (!json_object_object_get_ex(root, "format", &v) || !json_object_is_type(v, json_type_int) ||
        json_object_get_int(v) < 1 || json_object_get_int(v) > HS_STATE_FORMAT) {
        set_err(err, err_size, "%s has an unknown format version (this hiresync reads 1 to %d)",
                path, HS_STATE_FORMAT);
        goto out;
    }
    *format = json_object_get_int(v);
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
    *mark = 0;
    if (*format >= 2) {
        if (!json_object_object_get_ex(root, "journal", &v) ||
            !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
            set_err(err, err_size, "%s is corrupt (no journal mark)", path);
            goto out;
        }
        *mark = (uint64_t)json_object_get_int64(v);
    }
    json_object_object_get_ex(root, "body", &v);
    body = json_object_get(v);
out:
    json_object_put(root);
    json_tokener_free(tok);
    return body;
}

static hs_state *state_new(const char *dir, const char *pipeline)
{
    char path[4096], jpath[4096];
    hs_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->journal_fd = -1;
    if (join_path(path, sizeof path, dir, pipeline, ".state") != 0 ||
        join_path(jpath, sizeof jpath, dir, pipeline, ".journal") != 0)
        goto fail;
    s->dir = strdup(dir);
    s->pipeline = strdup(pipeline);
    s->path = strdup(path);
    s->journal_path = strdup(jpath);
    if (s->dir == NULL || s->pipeline == NULL || s->path == NULL || s->journal_path == NULL)
        goto fail;
    return s;
fail:
    hs_state_free(s);
    return NULL;
}

/* ---- the journal --------------------------------------------------------------------------- */

/* `,"crc":"` + 16 hex digits + `"}`: the fixed tail of every journal line. */
#define CRC_TAIL_LEN 26

/* A journal line (without its newline) whose checksum holds, parsed; NULL otherwise. */
static json_object *journal_line(const char *line, size_t len)
{
    char want[CRC_TAIL_LEN + 1];
    json_tokener *tok;
    json_object *rec;
    if (len <= CRC_TAIL_LEN)
        return NULL;
    snprintf(want, sizeof want, ",\"crc\":\"%016" PRIx64 "\"}",
             hs_state_checksum(line, len - CRC_TAIL_LEN));
    if (memcmp(line + len - CRC_TAIL_LEN, want, CRC_TAIL_LEN) != 0)
        return NULL;
    tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return NULL;
    rec = json_tokener_parse_ex(tok, line, (int)len);
    if (rec != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
                        !json_object_is_type(rec, json_type_object))) {
        json_object_put(rec);
        rec = NULL;
    }
    json_tokener_free(tok);
    return rec;
}

static int apply_put(json_object *body, const char *section, const char *key, json_object *value)
{
    json_object *sec;
    if (!json_object_object_get_ex(body, section, &sec) ||
        !json_object_is_type(sec, json_type_object)) {
        if (value == NULL)
            return 0;
        sec = json_object_new_object();
        if (sec == NULL || json_object_object_add(body, section, sec) != 0) {
            json_object_put(sec);
            return -1;
        }
    }
    if (value == NULL) {
        json_object_object_del(sec, key);
        return 0;
    }
    json_object_get(value);
    if (json_object_object_add(sec, key, value) != 0) {
        json_object_put(value);
        return -1;
    }
    return 0;
}

/* Checks a record's changes; applies them when body is not NULL. Returns 0 or -1. */
static int record_puts(json_object *rec, json_object *body)
{
    json_object *puts;
    size_t n;
    if (!json_object_object_get_ex(rec, "puts", &puts) ||
        !json_object_is_type(puts, json_type_array))
        return -1;
    n = json_object_array_length(puts);
    for (size_t i = 0; i < n; i++) {
        json_object *put = json_object_array_get_idx(puts, i);
        json_object *sec, *key, *val;
        if (!json_object_is_type(put, json_type_array) || json_object_array_length(put) != 3)
            return -1;
        sec = json_object_array_get_idx(put, 0);
        key = json_object_array_get_idx(put, 1);
        val = json_object_array_get_idx(put, 2);
        if (!json_object_is_type(sec, json_type_string) ||
            !json_object_is_type(key, json_type_string))
            return -1;
        if (body != NULL && apply_put(body, json_object_get_string(sec),
                                      json_object_get_string(key), val) != 0)
            return -1;
    }
    return 0;
}

/* Cuts the journal back to its first len bytes (a torn last record) and syncs it. */
static int truncate_journal(const char *path, uint64_t len)
{
    int rc = -1;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)len) == 0 && fsync(fd) == 0)
        rc = 0;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Replays the records after the snapshot's mark from one journal file into s->body.
 * The current journal (prev 0) is strict: a bad line before the last one is corruption, a bad
 * last one is a torn write, dropped (and cut from the file when clean: only the lock holder
 * may). The previous journal (prev 1) only matters when the snapshot is the previous
 * generation put back by hand: it is read up to its first line that does not fit.
 * Returns 0, or -1 with err. */
static int replay_file(hs_state *s, const char *path, uint64_t mark, int prev, int clean,
                       char *err, size_t err_size)
{
    char msg[HS_STATE_ERR_MAX];
    char *text = NULL;
    size_t len = 0, pos = 0;
    long line_no = 0;
    int rc = hs_state_read_file(path, STATE_MAX_BYTES, &text, &len, msg, sizeof msg);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        if (prev)
            return 0;
        set_err(err, err_size, "%s; pipeline %s stops until it is readable", msg, s->pipeline);
        return -1;
    }
    rc = -1;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - line) : len - pos;
        int last = nl == NULL || (size_t)(nl - text) + 1 == len;
        json_object *rec = nl ? journal_line(line, line_len) : NULL;
        json_object *v = NULL;
        uint64_t seq = 0;
        int bad;
        line_no++;
        if (rec == NULL && last && !prev) {
            /* Its sync never returned, so nothing that waited for it happened (see state.h). */
            set_err(s->recovered, sizeof s->recovered, "%s: dropped a torn last record (line "
                    "%ld, %zu bytes) whose write never completed", path, line_no, len - pos);
            if (clean) {
                hs_crash_point("state: before dropping a torn journal record");
                if (truncate_journal(path, pos) != 0) {
                    set_err(err, err_size, "%s: cannot drop its torn last record: %s", path,
                            strerror(errno));
                    goto out;
                }
            }
            len = pos;
            break;
        }
        bad = rec == NULL || !json_object_object_get_ex(rec, "seq", &v) ||
              !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
              record_puts(rec, NULL) != 0;
        if (!bad)
            seq = (uint64_t)json_object_get_int64(v);
        if (prev && (bad || (seq > mark && seq != s->journal_seq + 1))) {
            json_object_put(rec);
            break;
        }
        if (bad) {
            json_object_put(rec);
            set_err(err, err_size, "%s is corrupt (line %ld, not the last, fails its checksum "
                    "or form); pipeline %s stops: restore it or start over with `hiresync state "
                    "reset %s`", path, line_no, s->pipeline, s->pipeline);
            goto out;
        }
        if (seq > mark) {
            if (seq != s->journal_seq + 1) {
                json_object_put(rec);
                set_err(err, err_size, "%s is corrupt (line %ld is record %" PRIu64 " where "
                        "record %" PRIu64 " should follow %s); pipeline %s stops: restore the "
                        "files that belong together or start over with `hiresync state reset "
                        "%s`", path, line_no, seq, s->journal_seq + 1, s->path, s->pipeline,
                        s->pipeline);
                goto out;
            }
            if (record_puts(rec, s->body) != 0) {
                json_object_put(rec);
                set_err(err, err_size, "out of memory replaying %s", path);
                goto out;
            }
            s->journal_seq = seq;
        }
        json_object_put(rec);
        pos += line_len + 1;
    }
    if (!prev)
        s->journal_size = len;
    rc = 0;
out:
    free(text);
    return rc;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Replays what the journals hold after the snapshot's mark: the previous journal first (it
 * holds the records folded into the current snapshot, needed only when the snapshot is the
 * previous generation put back), then the current one. need_file: the snapshot's format
 * promises a journal beside it. */
static int replay_journal(hs_state *s, uint64_t mark, int need_file, int clean, char *err,
                          size_t err_size)
{
    char prev[4096];
    struct stat st;
    s->journal_seq = mark;
    s->journal_mark = mark;
    if (need_file && stat(s->journal_path, &st) != 0 && errno == ENOENT) {
        set_err(err, err_size, "%s is missing beside %s; pipeline %s stops: restore it or start "
                "over with `hiresync state reset %s`", s->journal_path, s->path, s->pipeline,
                s->pipeline);
        return -1;
    }
    if (join_path(prev, sizeof prev, s->dir, s->pipeline, ".journal.prev") != 0) {
        set_err(err, err_size, "journal name too long for %s", s->pipeline);
        return -1;
    }
    if (same_file(prev, s->journal_path)) {
        /* Killed between keeping the previous journal and starting a new one: both names
         * are the journal, which is read once (and appended to, so the extra name goes). */
        if (clean)
            (void)unlink(prev);
    } else if (replay_file(s, prev, mark, 1, clean, err, err_size) != 0) {
        return -1;
    }
    return replay_file(s, s->journal_path, mark, 0, clean, err, err_size);
}

/* Opens the journal for appends, creating it (and making its name durable) when missing. */
static int open_journal(hs_state *s, char *err, size_t err_size)
{
    struct stat st;
    int created;
    if (s->journal_fd >= 0)
        return 0;
    created = stat(s->journal_path, &st) != 0;
    s->journal_fd = open(s->journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s->journal_fd < 0) {
        set_err(err, err_size, "%s: cannot open: %s", s->journal_path, strerror(errno));
        return -1;
    }
    if (fstat(s->journal_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, err_size, "%s: not a regular file", s->journal_path);
        goto fail;
    }
    s->journal_size = (uint64_t)st.st_size;
    if (created && fsync_dir(s->dir) != 0) {
        set_err(err, err_size, "%s: cannot sync the directory: %s", s->dir, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    (void)close(s->journal_fd);
    s->journal_fd = -1;
    return -1;
}

int hs_state_append(hs_state *state, const hs_state_put *puts, size_t n, char *err,
                    size_t err_size)
{
    json_object *arr = json_object_new_array();
    char *line = NULL;
    const char *text;
    size_t text_len, len;
    int rc = -1;
    if (arr == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        json_object *put = json_object_new_array();
        if (put == NULL || json_object_array_add(arr, put) != 0) {
            json_object_put(put);
            goto oom;
        }
        if (json_object_array_add(put, json_object_new_string(puts[i].section)) ||
            json_object_array_add(put, json_object_new_string(puts[i].key)) ||
            json_object_array_add(put, json_object_get(puts[i].value)))
            goto oom;
    }
    text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
    if (text == NULL)
        goto oom;
    text_len = strlen(text);
    len = text_len + 64 + CRC_TAIL_LEN;
    line = malloc(len);
    if (line == NULL)
        goto oom;
    {
        int k = snprintf(line, len, "{\"seq\":%" PRIu64 ",\"puts\":%s", state->journal_seq + 1,
                         text);
        if (k < 0 || (size_t)k >= len - CRC_TAIL_LEN - 1)
            goto oom;
        snprintf(line + k, len - (size_t)k, ",\"crc\":\"%016" PRIx64 "\"}\n",
                 hs_state_checksum(line, (size_t)k));
        len = (size_t)k + CRC_TAIL_LEN + 1;
    }
    if (open_journal(state, err, err_size) != 0)
        goto out;
    /* One write would do; two halves let a kill in between leave the torn tail a power cut
     * can leave, so the crash test exercises its recovery. */
    if (write_all(state->journal_fd, line, len / 2) != 0)
        goto io_error;
    hs_crash_point("state: journal record half written");
    if (write_all(state->journal_fd, line + len / 2, len - len / 2) != 0)
        goto io_error;
    hs_crash_point("state: journal record written");
    if (fdatasync(state->journal_fd) != 0)
        goto io_error;
    hs_crash_point("state: journal record synced");
    /* Durable from here: the next record must follow this one whatever happens below. */
    state->journal_seq++;
    state->journal_size += len;
    state->journal_bytes += len;
    for (size_t i = 0; i < n; i++)
        if (apply_put(state->body, puts[i].section, puts[i].key, puts[i].value) != 0)
            goto oom; /* the next load has it all */
    rc = 0;
    goto out;
io_error:
    set_err(err, err_size, "%s: cannot append: %s", state->journal_path, strerror(errno));
    /* Leave no partial record behind for a later one to follow. */
    if (ftruncate(state->journal_fd, (off_t)state->journal_size) != 0)
        set_err(err, err_size, "%s: cannot append nor undo a partial record: %s",
                state->journal_path, strerror(errno));
    goto out;
oom:
    set_err(err, err_size, "out of memory writing the journal of %s", state->pipeline);
out:
    free(line);
    json_object_put(arr);
    return rc;
}

/* ---- loading -------------------------------------------------------------------------------- */

static int load(const char *dir, const char *pipeline, int clean, hs_state **out, char *err,
                size_t err_size)
{
    char msg[HS_STATE_ERR_MAX];
    char *text = NULL;
    size_t len = 0;
    uint64_t mark = 0;
    int rc, format = 0;
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
        /* Records appended before the first snapshot are in the journal alone. */
        s->body = json_object_new_object();
        if (s->body == NULL)
            goto fail;
        if (replay_journal(s, 0, 0, clean, err, err_size) != 0)
            goto fail;
        *out = s;
        return 0;
    }
    if (rc < 0) {
        set_err(err, err_size, "%s; pipeline %s stops until it is readable", msg, pipeline);
        goto fail;
    }
    s->body = parse_envelope(s->path, pipeline, text, len, &s->seq, &mark, &format, msg,
                             sizeof msg);
    if (s->body == NULL) {
        set_err(err, err_size, "%s; pipeline %s stops: restore %s.prev or start over with "
                "`hiresync state reset %s`", msg, pipeline, s->path, pipeline);
        goto fail;
    }
    /* Format 1 had no journal; from format 2 on every snapshot has one beside it. */
    if (replay_journal(s, mark, format >= 2, clean, err, err_size) != 0)
        goto fail;
    s->existed = 1;
    s->snapshot_size = len;
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

/* Identity of the snapshot and the journal, to tell a commit running meanwhile. */
static void files_id(const hs_state *probe, char *out, size_t size)
{
    struct stat a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    (void)stat(probe->path, &a);
    (void)stat(probe->journal_path, &b);
    snprintf(out, size, "%lu:%lld:%ld.%ld/%lu:%lld:%ld.%ld", (unsigned long)a.st_ino,
             (long long)a.st_size, (long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec,
             (unsigned long)b.st_ino, (long long)b.st_size, (long)b.st_mtim.tv_sec,
             b.st_mtim.tv_nsec);
}

int hs_state_peek(const char *dir, const char *pipeline, hs_state **out, char *err,
                  size_t err_size)
{
    /* A commit running meanwhile may pair a snapshot with the journal of another generation
     * for an instant: when the files changed under the read, look again before calling them
     * corrupt. */
    hs_state *probe;
    char before[200], after[200];
    int rc;
    if (!hs_state_name_ok(pipeline) || (probe = state_new(dir, pipeline)) == NULL)
        return load(dir, pipeline, 0, out, err, err_size);
    for (int attempt = 0;; attempt++) {
        files_id(probe, before, sizeof before);
        rc = load(dir, pipeline, 0, out, err, err_size);
        if (rc == 0 || attempt == 4)
            break;
        files_id(probe, after, sizeof after);
        if (strcmp(before, after) == 0)
            break;
    }
    hs_state_free(probe);
    return rc;
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

/* Starts the journal over after a snapshot. The records it held stay as
 * "<pipeline>.journal.prev", so that "<pipeline>.state.prev" put back by hand loads whole
 * (the previous journal brings it up to date); the journal itself is replaced by an empty file
 * atomically, so that its name always holds a file. */
static int restart_journal(hs_state *s, char *err, size_t err_size)
{
    char prev[4096], name[256];
    int n = snprintf(name, sizeof name, "%s.journal", s->pipeline);
    if (n < 0 || (size_t)n >= sizeof name ||
        join_path(prev, sizeof prev, s->dir, s->pipeline, ".journal.prev") != 0) {
        set_err(err, err_size, "journal name too long for %s", s->pipeline);
        return -1;
    }
    (void)unlink(prev);
    if (link(s->journal_path, prev) != 0) {
        set_err(err, err_size, "%s: cannot keep the previous journal: %s", prev,
                strerror(errno));
        return -1;
    }
    hs_crash_point("state: previous journal kept");
    if (hs_state_write_file(s->dir, name, "", 0, err, err_size) != 0)
        return -1;
    /* The descriptor still points at what is now the previous journal. */
    (void)close(s->journal_fd);
    s->journal_fd = -1;
    return open_journal(s, err, err_size);
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
        json_object_object_add(root, "journal", json_object_new_int64((int64_t)state->journal_seq)) ||
        json_object_object_add(root, "committed_at", json_object_new_string(when)) ||
        json_object_object_add(root, "checksum", json_object_new_string(sum)) ||
        json_object_object_add(root, "body", json_object_get(state->body)))
        goto oom;
    text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    if (text == NULL)
        goto oom;
    /* A format 2 snapshot never exists without its journal, so a journal lost later is
     * noticed instead of silently taking the records it held. */
    if (open_journal(state, err, err_size) != 0)
        goto out;
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
    state->snapshots++;
    state->snapshot_size = strlen(text);
    state->journal_mark = state->journal_seq;
    /* The snapshot holds every record up to its mark: start the journal over. A kill before
     * the new journal is in place leaves records at or below the mark, which loading skips. */
    hs_crash_point("state: snapshot written, journal not yet emptied");
    if (restart_journal(state, err, err_size) != 0)
        goto out;
    hs_crash_point("state: journal emptied");
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
    if (state->journal_fd >= 0)
        (void)close(state->journal_fd);
    free(state->journal_path);
    free(state->dir);
    free(state->pipeline);
    free(state->path);
    free(state);
}

/* Renames path to "<path>.reset-<now>" when it exists. */
static int move_aside(const char *path, long now, char *err, size_t err_size)
{
    char keep[4200];
    struct stat st;
    int n;
    if (stat(path, &st) != 0)
        return 0;
    n = snprintf(keep, sizeof keep, "%s.reset-%ld", path, now);
    if (n < 0 || (size_t)n >= sizeof keep || rename(path, keep) != 0) {
        set_err(err, err_size, "%s: cannot move aside: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int hs_state_reset(const char *dir, const char *pipeline, char *err, size_t err_size)
{
    char cur[4096], prev[4096], ran[4096], journal[4096], journal_prev[4096];
    long now = (long)time(NULL);
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
    if (join_path(journal, sizeof journal, dir, pipeline, ".journal") != 0 ||
        join_path(journal_prev, sizeof journal_prev, dir, pipeline, ".journal.prev") != 0) {
        set_err(err, err_size, "state file name too long for %s", pipeline);
        return -1;
    }
    if (move_aside(cur, now, err, err_size) != 0 || move_aside(journal, now, err, err_size) != 0)
        return -1;
    if ((unlink(prev) != 0 && errno != ENOENT) || (unlink(ran) != 0 && errno != ENOENT) ||
        (unlink(journal_prev) != 0 && errno != ENOENT)) {
        set_err(err, err_size, "%s: cannot remove: %s", dir, strerror(errno));
        return -1;
    }
    if (fsync_dir(dir) != 0) {
        set_err(err, err_size, "%s: cannot sync the directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}
