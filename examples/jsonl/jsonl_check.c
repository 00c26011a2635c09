/*
 * jsonl: check(). For files, "permissions" are the file system's: the directory must let
 * hiresync's user create files, each existing file must be readable (and the output files
 * writable) by it, and files holding candidates' data should be readable by no one else.
 * Then every job a pipeline maps must be listed in the jobs file. Nothing is written.
 */
#define _POSIX_C_SOURCE 200809L
#include "jsonl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct file_rule {
    const char *path;
    int access_mode;           /* R_OK, or R_OK | W_OK for the files jsonl appends to */
    int personal;              /* holds candidates' data: should be private */
    hs_check_result absent;    /* what an absent file is worth, */
    const char *if_absent;     /* and what it means */
} file_rule;

static hs_status item(const hs_check_report *r, const char *name, hs_check_result result,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static hs_status item(const hs_check_report *r, const char *name, hs_check_result result,
                      const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return r->item(r->ctx, name, result, message[0] ? message : NULL);
}

static hs_status check_dir(const hs_conn *conn, const hs_check_report *r)
{
    struct stat st;
    if (stat(conn->dir, &st) != 0)
        return item(r, conn->dir, HS_CHECK_FAIL, "cannot be read (%s); create it for "
                    "hiresync's user: mkdir -p %s", strerror(errno), conn->dir);
    if (!S_ISDIR(st.st_mode))
        return item(r, conn->dir, HS_CHECK_FAIL, "not a directory; set \"dir\" to one");
    if (access(conn->dir, W_OK | X_OK) != 0)
        return item(r, conn->dir, HS_CHECK_FAIL, "hiresync's user cannot create files in it; "
                    "give it write permission");
    return item(r, conn->dir, HS_CHECK_OK, "%s", "");
}

static hs_status check_file(const file_rule *f, const hs_check_report *r)
{
    struct stat st;
    if (stat(f->path, &st) != 0) {
        if (errno == ENOENT)
            return item(r, f->path, f->absent, "%s", f->if_absent);
        return item(r, f->path, HS_CHECK_FAIL, "cannot be reached (%s); let hiresync's user "
                    "into its directory", strerror(errno));
    }
    if (access(f->path, f->access_mode) != 0 || !S_ISREG(st.st_mode))
        return item(r, f->path, HS_CHECK_FAIL, "hiresync's user cannot %s it; change its "
                    "owner or mode", f->access_mode & W_OK ? "read and append to" : "read");
    if (f->personal && (st.st_mode & 077))
        return item(r, f->path, HS_CHECK_WARN, "other users may read it (mode %03o) and it "
                    "holds candidates' data; chmod 600 %s", (unsigned)(st.st_mode & 0777),
                    f->path);
    return item(r, f->path, HS_CHECK_OK, "%s", "");
}

/* Collects the ids of the jobs file into a json object used as a set. */
static hs_status collect_job(void *ctx, const hs_job *job)
{
    return json_object_object_add(ctx, job->id, NULL) == 0 ? HS_OK : HS_E_INTERNAL;
}

static hs_status check_jobs(hs_conn *conn, const hs_check_report *r, hs_error *err)
{
    json_object *ids = json_object_new_object();
    hs_emitter em = {sizeof(em), ids, collect_job, NULL, NULL, NULL};
    hs_status st;
    if (!ids)
        return jsonl_fail(err, HS_E_INTERNAL, "jsonl: out of memory");
    st = jsonl_discover_jobs(conn, &em, err);
    if (st != HS_OK) {
        /* A malformed jobs file is a finding of the check, not a failure to run it. */
        st = item(r, conn->jobs, HS_CHECK_FAIL, "%s", err->message);
        err->message[0] = '\0';
    }
    for (size_t i = 0; st == HS_OK && r->job_ids && i < r->n_job_ids; i++) {
        char name[256];
        snprintf(name, sizeof(name), "job %s", r->job_ids[i]);
        if (json_object_object_get_ex(ids, r->job_ids[i], NULL))
            st = item(r, name, HS_CHECK_OK, "%s", "");
        else
            st = item(r, name, HS_CHECK_FAIL, "not in %s; add a line {\"id\": \"%s\"}",
                      conn->jobs, r->job_ids[i]);
    }
    json_object_put(ids);
    return st;
}

hs_status jsonl_check(hs_conn *conn, const hs_check_report *report, hs_error *err)
{
    hs_check_report r;
    JSONL_COPY_IN(r, report);
    const file_rule files[] = {
        {conn->changes, R_OK, 1, HS_CHECK_OK, "absent: nothing to read until it exists"},
        {conn->jobs, R_OK, 0, HS_CHECK_WARN,
         "absent: no jobs are listed; write one job a line"},
        {conn->invitations, R_OK | W_OK, 1, HS_CHECK_OK,
         "absent: created on the first invitation"},
        {conn->notes, R_OK | W_OK, 1, HS_CHECK_OK, "absent: created on the first note"},
    };
    hs_status st = check_dir(conn, &r);
    for (size_t i = 0; st == HS_OK && i < sizeof(files) / sizeof(files[0]); i++)
        st = check_file(&files[i], &r);
    if (st == HS_OK)
        st = check_jobs(conn, &r, err);
    return st;
}
