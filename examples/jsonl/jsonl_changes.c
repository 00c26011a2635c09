/*
 * jsonl: read_changes, from the changes file. One change a line:
 *   {"kind": "stage", "key": "k1", "record_id": "A1", "job_id": "J1",
 *    "stage": "Video Interview", "status": "Invited", "changed_at": "2026-11-30T09:00:00Z",
 *    "person": {"id": "C1", "first_name": "Ada", "last_name": "Lovelace",
 *               "email": "ada@example.com", "phone": "+441234567890"},
 *    "link": "https://..."}
 * "kind" is "stage" (the default: an ATS record entered a stage) or "completed" (an
 * interview was completed: record_id is the "id" of a line of the invitations file).
 * "record_id" and "job_id" are required, "stage" too for kind "stage". Without a "key",
 * the key is made of kind, record_id, job_id, stage and changed_at.
 *
 * THE CURSOR is {"inode": I, "offset": O}: the changes file's inode number and the byte
 * offset just after the last line read. The inode tells a file replaced by another
 * (rotated, or saved by an editor through a new file) from the same file grown: a different
 * inode, or a file now shorter than O, is read again from its start (the keys let the host
 * recognise lines it has already handled). Only complete lines count: a last line without
 * its '\n' is being written and is read next time. Before the file exists the cursor is
 * {"inode": 0, "offset": 0}. This is the only format jsonl has written.
 *
 * BARRIERS: one after every `barrier_every` lines read and one at the end, so a crash in a
 * long import repeats at most barrier_every lines.
 */
#define _POSIX_C_SOURCE 200809L
#include "jsonl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Where a read stands: the file's identity and the offset after the last line read. */
typedef struct position {
    int64_t inode;
    int64_t offset;
} position;

/* A change and the records it points to, all borrowing the line's json_object. */
typedef struct change_buf {
    hs_stage_change ch;
    hs_ref stage, status;
    hs_person person;
    char key[1024];
} change_buf;

static hs_status cursor_parse(const hs_conn *conn, const char *json, position *pos,
                              hs_error *err)
{
    json_object *obj, *inode, *offset;
    memset(pos, 0, sizeof(*pos));
    if (!json || !json[0])
        return HS_OK;   /* the first read: from the start */
    obj = json_tokener_parse(json);
    int ok = json_object_object_get_ex(obj, "inode", &inode)
             && json_object_object_get_ex(obj, "offset", &offset)
             && json_object_is_type(inode, json_type_int)
             && json_object_is_type(offset, json_type_int);
    if (ok) {
        pos->inode = json_object_get_int64(inode);
        pos->offset = json_object_get_int64(offset);
    }
    json_object_put(obj);
    if (!ok || pos->offset < 0)
        return jsonl_fail(err, HS_E_INTERNAL, "%s: the stored cursor is not one jsonl writes; "
                          "reset this pipeline's state", conn->changes);
    return HS_OK;
}

static hs_status barrier(const hs_emitter *emitter, const position *pos)
{
    char cursor[96];
    snprintf(cursor, sizeof(cursor), "{\"inode\":%" PRId64 ",\"offset\":%" PRId64 "}",
             pos->inode, pos->offset);
    return emitter->checkpoint(emitter->ctx, cursor);
}

static int job_wanted(const hs_read_request *req, const char *job_id)
{
    if (!req->job_ids)
        return 1;
    for (size_t i = 0; i < req->n_job_ids; i++) {
        if (req->job_ids[i] && strcmp(req->job_ids[i], job_id) == 0)
            return 1;
    }
    return 0;
}

/* A name or an {"id", "name"} object as a ref; NULL when absent. */
static const hs_ref *ref_of(json_object *obj, const char *member, hs_ref *ref)
{
    json_object *v;
    memset(ref, 0, sizeof(*ref));
    ref->struct_size = sizeof(*ref);
    if (!json_object_object_get_ex(obj, member, &v))
        return NULL;
    if (json_object_is_type(v, json_type_string)) {
        ref->id = ref->name = json_object_get_string(v);
        return ref;
    }
    ref->id = jsonl_str(v, "id");
    ref->name = jsonl_str(v, "name");
    return ref->id || ref->name ? ref : NULL;
}

static const hs_person *person_of(json_object *obj, hs_person *p)
{
    json_object *v;
    memset(p, 0, sizeof(*p));
    p->struct_size = sizeof(*p);
    if (!json_object_object_get_ex(obj, "person", &v) || !json_object_is_type(v, json_type_object))
        return NULL;
    p->id = jsonl_str(v, "id");
    p->first_name = jsonl_str(v, "first_name");
    p->last_name = jsonl_str(v, "last_name");
    p->email = jsonl_str(v, "email");
    p->phone = jsonl_str(v, "phone");
    return p;
}

/* Fills b from one parsed line. Returns 0, or -1 with the reason in *why. */
static int change_of(json_object *obj, change_buf *b, const char **why)
{
    hs_stage_change *ch = &b->ch;
    const char *kind = jsonl_str(obj, "kind");
    memset(ch, 0, sizeof(*ch));
    ch->struct_size = sizeof(*ch);
    if (!kind || strcmp(kind, "stage") == 0) {
        ch->kind = HS_CHANGE_STAGE;
        kind = "stage";
    } else if (strcmp(kind, "completed") == 0) {
        ch->kind = HS_CHANGE_COMPLETED;
    } else {
        *why = "\"kind\" must be \"stage\" or \"completed\"";
        return -1;
    }
    ch->record_id = jsonl_str(obj, "record_id");
    ch->job_id = jsonl_str(obj, "job_id");
    ch->stage = ref_of(obj, "stage", &b->stage);
    ch->status = ref_of(obj, "status", &b->status);
    ch->changed_at = jsonl_str(obj, "changed_at");
    ch->person = person_of(obj, &b->person);
    ch->link = jsonl_str(obj, "link");
    if (!ch->record_id || !ch->job_id) {
        *why = "\"record_id\" and \"job_id\" are required strings";
        return -1;
    }
    if (ch->kind == HS_CHANGE_STAGE && !ch->stage) {
        *why = "a \"stage\" change needs \"stage\"";
        return -1;
    }
    ch->key = jsonl_str(obj, "key");
    if (ch->key)
        return 0;
    int n = snprintf(b->key, sizeof(b->key), "%s|%s|%s|%s|%s", kind, ch->record_id,
                     ch->job_id, ch->stage && ch->stage->id ? ch->stage->id : "",
                     ch->changed_at ? ch->changed_at : "");
    if (n < 0 || (size_t)n >= sizeof(b->key)) {
        *why = "too long to make a key from; give the line a short \"key\"";
        return -1;
    }
    ch->key = b->key;
    return 0;
}

/* Opens the changes file and places pos where reading starts. *f is NULL when the file does
 * not exist yet. */
static hs_status open_at(hs_conn *conn, const hs_read_request *req, position *pos, FILE **f,
                         hs_error *err)
{
    struct stat st;
    *f = fopen(conn->changes, "r");
    if (!*f && errno == ENOENT)
        return HS_OK;
    if (!*f || fstat(fileno(*f), &st) != 0)
        return jsonl_fail(err, HS_E_PERMISSION, "%s: cannot read: %s; let hiresync's user "
                          "read it", conn->changes, strerror(errno));
    if (req->snapshot || pos->inode != (int64_t)st.st_ino) {
        if (pos->inode != 0 && !req->snapshot)
            conn->api->log(conn->host, HS_LOG_INFO, "%s: a new file since the last read; "
                           "reading it from its start", conn->changes);
        pos->offset = 0;
    } else if (pos->offset > (int64_t)st.st_size) {
        conn->api->log(conn->host, HS_LOG_WARN, "%s: shorter than when last read (truncated); "
                       "reading it from its start", conn->changes);
        pos->offset = 0;
    }
    pos->inode = (int64_t)st.st_ino;
    if (fseeko(*f, (off_t)pos->offset, SEEK_SET) != 0)
        return jsonl_fail(err, HS_E_INTERNAL, "%s: cannot seek: %s", conn->changes,
                          strerror(errno));
    return HS_OK;
}

/*
 * Calls `each` for every line from pos on, with the parsed object (NULL for a blank line),
 * advancing pos->offset past each line. Stops at the first status other than HS_OK.
 */
typedef hs_status (*line_fn)(void *ctx, json_object *obj, const position *pos);

static hs_status each_line(hs_conn *conn, FILE *f, position *pos, line_fn each, void *ctx,
                           hs_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    hs_status st = HS_OK;
    while (st == HS_OK && (st = jsonl_cancelled(conn, err)) == HS_OK
           && (n = jsonl_getline(f, &line, &cap)) > 0) {
        int64_t at = pos->offset;
        json_object *obj = json_tokener_parse(line);
        pos->offset += n;
        if (json_object_is_type(obj, json_type_object))
            st = each(ctx, obj, pos);
        else if (strspn(line, " \t\r\n") == (size_t)n)
            st = each(ctx, NULL, pos);   /* blank: counts for barriers, emits nothing */
        else
            st = jsonl_fail(err, HS_E_CONFIG, "%s: the line at byte %" PRId64 " is not a "
                            "JSON object; fix or remove it", conn->changes, at);
        json_object_put(obj);
    }
    if (st == HS_OK && n < 0)
        st = jsonl_fail(err, HS_E_CONFIG, "%s: the line at byte %" PRId64 " is unreadable or "
                        "longer than %d bytes", conn->changes, pos->offset, JSONL_MAX_LINE);
    free(line);
    return st;
}

/* ---- reading changes since the cursor ----------------------------------------------------- */

typedef struct read_ctx {
    hs_conn *conn;
    const hs_read_request *req;
    const hs_emitter *emitter;
    hs_error *err;
    int64_t since_barrier;   /* lines read since the last barrier */
    int barriers;            /* barriers emitted */
} read_ctx;

static hs_status emit_line(read_ctx *r, json_object *obj, int snapshot, int64_t at)
{
    change_buf b;
    const char *why = NULL;
    if (change_of(obj, &b, &why) != 0)
        return jsonl_fail(r->err, HS_E_CONFIG, "%s: a line before byte %" PRId64 ": %s; fix it",
                          r->conn->changes, at, why);
    if (!job_wanted(r->req, b.ch.job_id))
        return HS_OK;
    b.ch.snapshot = snapshot;
    /* The host copies the change before the callback returns, so b may go (rule 3). */
    return r->emitter->change(r->emitter->ctx, &b.ch);
}

static hs_status on_line(void *ctx, json_object *obj, const position *pos)
{
    read_ctx *r = ctx;
    hs_status st = obj ? emit_line(r, obj, 0, pos->offset) : HS_OK;
    if (st != HS_OK || ++r->since_barrier < r->conn->barrier_every)
        return st;
    r->since_barrier = 0;
    r->barriers++;
    return barrier(r->emitter, pos);
}

/* ---- a snapshot: the latest line of every record ------------------------------------------- */

static hs_status on_snapshot_line(void *ctx, json_object *obj, const position *pos)
{
    json_object *latest = ctx;
    const char *record_id = jsonl_str(obj, "record_id");
    (void)pos;
    if (!record_id)
        return HS_OK;   /* reported with its position when it is emitted, if it is last */
    /* json-c keeps a replaced key where it was first added: records stay in file order. */
    if (json_object_object_add(latest, record_id, json_object_get(obj)) != 0)
        return HS_E_INTERNAL;
    return HS_OK;
}

static hs_status snapshot(read_ctx *r, FILE *f, position *pos)
{
    json_object *latest = json_object_new_object();
    hs_status st;
    if (!latest)
        return jsonl_fail(r->err, HS_E_INTERNAL, "jsonl: out of memory");
    st = each_line(r->conn, f, pos, on_snapshot_line, latest, r->err);
    json_object_object_foreach(latest, record_id, obj) {
        (void)record_id;
        if (st == HS_OK)
            st = emit_line(r, obj, 1, pos->offset);
    }
    json_object_put(latest);
    return st;
}

hs_status jsonl_read_changes(hs_conn *conn, const hs_read_request *request,
                             const hs_emitter *emitter, hs_error *err)
{
    hs_read_request req;
    JSONL_COPY_IN(req, request);
    read_ctx r = {conn, &req, emitter, err, 0, 0};
    position pos;
    FILE *f = NULL;
    hs_status st = jsonl_cancelled(conn, err);
    if (st == HS_OK)
        st = cursor_parse(conn, req.cursor_json, &pos, err);
    if (st == HS_OK)
        st = open_at(conn, &req, &pos, &f, err);
    if (st == HS_OK && f && req.snapshot)
        st = snapshot(&r, f, &pos);
    else if (st == HS_OK && f)
        st = each_line(conn, f, &pos, on_line, &r, err);
    /* At least one barrier per successful call; none after a failure (rule 7). A missing
     * file keeps the cursor where it was. */
    if (st == HS_OK && (r.since_barrier > 0 || r.barriers == 0))
        st = barrier(emitter, &pos);
    if (f)
        fclose(f);
    return st;
}
