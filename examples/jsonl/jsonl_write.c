/*
 * jsonl: write_invitation and write_note, appended to the invitations and notes files.
 *
 *   invitations: {"key": K, "id": "inv-...", "created_at": "2026-11-30T09:00:00Z",
 *                 "interview_id": "I1", "person": {...}, "source_record_id": "A1"}
 *   notes:       {"key": K, "id": "note-...", "created_at": "...", "record_id": "A1",
 *                 "job_id": "J1", "person_id": "C1", "title": "...", "body": "...",
 *                 "link": "...", "outcome": "..."}
 * (created_at by the host's clock, which tests set.)
 *
 * AN OUTCOME (rule 10) is kept in the note's "outcome". When the note guards it with
 * outcome_from, the record's position is its last stage line in the changes file (stage and
 * status, matched by name, which is jsonl's id too): away from those positions the note is
 * written without the outcome and outcome_withheld set.
 *
 * IDEMPOTENT BY KEY (rule 8): under an exclusive lock on the file (flock, so two connections
 * writing one file take turns), the file is searched for a line with the same "key". When
 * there is one, nothing is written and the result is applied 0 with that line's "id".
 * Otherwise the line is appended and fsync'd before the call returns: once HS_OK is
 * returned, the write survives a crash. A line torn by a crash (no '\n') is ignored by the
 * search and closed by the next append.
 *
 * THE REMOTE ID is "inv-" or "note-" and 16 hex digits of the FNV-1a hash of the key: the
 * same key always gives the same id. An interviews side's completion names the invitation
 * by that id in its "record_id" (rule 9).
 *
 * Files are created with mode 0600: they hold candidates' personal data. Searching the
 * whole file on each write is linear; fine for the tens of thousands of lines of an import.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* flock */
#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void make_id(const char *prefix, const char *key, char *out, size_t size)
{
    uint64_t h = 14695981039346656037ull;   /* FNV-1a, 64 bits */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    snprintf(out, size, "%s-%016" PRIx64, prefix, h);
}

/* The host's clock (tests inject one), as an ISO-8601 UTC time. */
static void now_iso(const hs_conn *conn, char *out, size_t size)
{
    time_t t = (time_t)(conn->api->now_ms(conn->host) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "1970-01-01T00:00:00Z");
}

/* Adds s to obj as key, unless s is NULL (absent stays absent). */
static void put(json_object *obj, const char *key, const char *s)
{
    if (s)
        json_object_object_add(obj, key, json_object_new_string(s));
}

/*
 * Looks for a line whose "key" is key in the open file fd. Returns 1 and copies its "id"
 * into id when found, 0 when not, -1 when the file cannot be read.
 */
static int find_key(int fd, const char *key, char *id, size_t id_size)
{
    int copy = dup(fd);
    FILE *f = copy >= 0 ? fdopen(copy, "r") : NULL;
    char *line = NULL;
    size_t cap = 0;
    long n = -1;
    int found = 0;
    if (!f) {
        if (copy >= 0)
            close(copy);
        return -1;
    }
    while (!found && (n = jsonl_getline(f, &line, &cap)) > 0) {
        json_object *obj = json_tokener_parse(line);
        const char *k = jsonl_str(obj, "key"), *i = jsonl_str(obj, "id");
        if (k && i && strcmp(k, key) == 0) {
            snprintf(id, id_size, "%s", i);
            found = 1;
        }
        json_object_put(obj);
    }
    free(line);
    fclose(f);   /* closes the copy; the lock stays with fd */
    return found ? 1 : n < 0 ? -1 : 0;
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Makes a newly created file's directory entry durable too. */
static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) >= sizeof(dir))
        return;
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Appends obj as one line to fd, after a '\n' when the file ends in a torn line, and
 * fsyncs. */
static int append_line(int fd, json_object *obj)
{
    struct stat st;
    char last = '\n';
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || fstat(fd, &st) != 0)
        return -1;
    if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
        return -1;
    if ((last != '\n' && write_all(fd, "\n", 1) != 0) || write_all(fd, text, strlen(text)) != 0
        || write_all(fd, "\n", 1) != 0)
        return -1;
    return fsync(fd);
}

/*
 * The write protocol shared by invitations and notes: obj is the line to append (with
 * "key" and "id" set); id its id. Fills result.
 */
static hs_status append_once(const char *path, const char *key,
                             json_object *obj, const char *id, hs_write_result *result,
                             hs_error *err)
{
    char existing[256] = "";
    hs_status st = HS_OK;
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return jsonl_fail(err, HS_E_PERMISSION, "%s: cannot open for writing: %s; let "
                          "hiresync's user write it", path, strerror(errno));
    struct stat sb;
    int created = fstat(fd, &sb) == 0 && sb.st_size == 0;
    if (flock(fd, LOCK_EX) != 0) {
        st = jsonl_fail(err, HS_E_INTERNAL, "%s: cannot lock: %s", path, strerror(errno));
        goto out;
    }
    int found = find_key(fd, key, existing, sizeof(existing));
    if (found < 0) {
        st = jsonl_fail(err, HS_E_PERMISSION, "%s: cannot read it back: %s; let hiresync's "
                        "user read it", path, strerror(errno));
        goto out;
    }
    if (!found && append_line(fd, obj) != 0) {
        st = jsonl_fail(err, HS_RETRY, "%s: cannot append: %s", path, strerror(errno));
        goto out;
    }
    if (!found && created)
        sync_dir(path);
    const char *remote_id = found ? existing : id;
    if (strlen(remote_id) >= result->remote_id_size) {
        st = jsonl_fail(err, HS_E_INTERNAL, "%s: the id of key's line is longer than the "
                        "host's buffer", path);
        goto out;
    }
    memcpy(result->remote_id, remote_id, strlen(remote_id) + 1);
    result->applied = !found;
out:
    close(fd);   /* releases the lock */
    return st;
}

/* A new line object starting with "key" and "id" (so that they read first). */
static json_object *line_new(const char *key, const char *id, hs_conn *conn)
{
    char now[32];
    json_object *obj = json_object_new_object();
    if (!obj)
        return NULL;
    now_iso(conn, now, sizeof(now));
    put(obj, "key", key);
    put(obj, "id", id);
    put(obj, "created_at", now);
    return obj;
}

static json_object *person_json(const hs_person *in)
{
    hs_person p;
    JSONL_COPY_IN(p, in);
    json_object *obj = json_object_new_object();
    if (!obj)
        return NULL;
    put(obj, "id", p.id);
    put(obj, "first_name", p.first_name);
    put(obj, "last_name", p.last_name);
    put(obj, "email", p.email);
    put(obj, "phone", p.phone);
    return obj;
}

hs_status jsonl_write_invitation(hs_conn *conn, const hs_invitation *invitation,
                                 hs_write_result *result, hs_error *err)
{
    hs_invitation inv;
    char id[64];
    JSONL_COPY_IN(inv, invitation);
    if (!inv.key || !inv.key[0] || !inv.interview_id || !inv.person)
        return jsonl_fail(err, HS_E_DATA, "jsonl: an invitation needs a key, an interview "
                          "and a person");
    make_id("inv", inv.key, id, sizeof(id));
    json_object *obj = line_new(inv.key, id, conn);
    json_object *person = obj ? person_json(inv.person) : NULL;
    if (!person) {
        json_object_put(obj);
        return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    }
    put(obj, "interview_id", inv.interview_id);
    json_object_object_add(obj, "person", person);
    put(obj, "source_record_id", inv.source_record_id);
    hs_status st = append_once(conn->invitations, inv.key, obj, id, result, err);
    json_object_put(obj);
    return st;
}

static int ref_is(const char *id, const char *name, const char *value)
{
    return value && ((id && strcmp(id, value) == 0) || (name && strcmp(name, value) == 0));
}

/* Whether stage/status is one of from, matched as hs_move.from. */
static int in_positions(const hs_note *n, const char *stage, const char *status)
{
    for (size_t i = 0; i < n->n_outcome_from; i++) {
        const hs_stage *s = HS_ELEMENT(hs_stage, n->outcome_from, n->outcome_from_size, i);
        if (!ref_is(s->id, s->name, stage))
            continue;
        if (s->n_statuses == 0)
            return 1;
        for (size_t j = 0; j < s->n_statuses; j++) {
            const hs_ref *r = HS_ELEMENT(hs_ref, s->statuses, s->status_size, j);
            if (ref_is(r->id, r->name, status))
                return 1;
        }
    }
    return 0;
}

/* 1 when the note's outcome is guarded and the record is elsewhere (or nowhere known). */
static int outcome_away(const hs_conn *conn, const hs_note *n)
{
    if (!n->outcome || !n->outcome_from || n->n_outcome_from == 0)
        return 0;
    FILE *f = fopen(conn->changes, "re");
    if (!f)
        return 1;
    char *line = NULL, *stage = NULL, *status = NULL;
    size_t cap = 0;
    while (jsonl_getline(f, &line, &cap) > 0) {
        json_object *obj = json_tokener_parse(line);
        const char *kind = jsonl_str(obj, "kind"), *rec = jsonl_str(obj, "record_id");
        const char *at = jsonl_str(obj, "stage"), *in = jsonl_str(obj, "status");
        if ((!kind || strcmp(kind, "stage") == 0) && rec && strcmp(rec, n->record_id) == 0
            && at) {
            free(stage);
            free(status);
            stage = strdup(at);
            status = in ? strdup(in) : NULL;
        }
        json_object_put(obj);
    }
    fclose(f);
    free(line);
    int away = !stage || !in_positions(n, stage, status);
    free(stage);
    free(status);
    return away;
}

hs_status jsonl_write_note(hs_conn *conn, const hs_note *note, hs_write_result *result,
                           hs_error *err)
{
    hs_note n;
    char id[64];
    JSONL_COPY_IN(n, note);
    if (!n.key || !n.key[0] || !n.record_id)
        return jsonl_fail(err, HS_E_DATA, "jsonl: a note needs a key and a record");
    make_id("note", n.key, id, sizeof(id));
    json_object *obj = line_new(n.key, id, conn);
    if (!obj)
        return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    put(obj, "record_id", n.record_id);
    put(obj, "job_id", n.job_id);
    put(obj, "person_id", n.person_id);
    put(obj, "title", n.title);
    put(obj, "body", n.body);
    put(obj, "link", n.link);
    int away = outcome_away(conn, &n);
    put(obj, "outcome", away ? NULL : n.outcome);
    hs_status st = append_once(conn->notes, n.key, obj, id, result, err);
    json_object_put(obj);
    if (st == HS_OK && HS_HAS_FIELD(hs_write_result, result->struct_size, outcome_withheld))
        result->outcome_withheld = away;
    return st;
}
