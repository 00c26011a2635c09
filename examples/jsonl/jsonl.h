/*
 * jsonl: a hiresync connector backed by JSON Lines files, the worked example of
 * hiresync-connector(7).
 *
 * It can serve either side of a pipeline, or both:
 *   - ATS side: read_changes reads stage changes from `changes` (one JSON object a line,
 *     appended by whatever produces them); discover_jobs lists the jobs of `jobs`;
 *     write_note appends notes to `notes`.
 *   - Interviews side: discover_jobs lists the interviews of `jobs`; write_invitation
 *     appends invitations to `invitations`; read_changes reads completions from `changes`
 *     (lines with "kind": "completed" whose record_id is an invitation's "id").
 * Uses: bulk imports (a file of stage changes), dry runs (invitations written to a file
 * instead of sent) and tests. The line formats are in hiresync-connector(7), section THE
 * JSONL CONNECTOR.
 *
 * It uses only <hiresync/connector.h>, json-c and the C library, so it builds anywhere the
 * header is installed; copy this directory to start a connector of your own.
 *
 * Ownership: everything here is private to the module (static or hidden); the one exported
 * symbol is the entry in jsonl.c. A connection (struct hs_conn) owns its path strings.
 */
#ifndef JSONL_H
#define JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hiresync/connector.h>
#include <json-c/json.h>

/* Internal functions shared between the files of this module; hidden, so that the module
 * exports nothing but its entry (rule 1 of hiresync-connector(7)). */
#if defined(__GNUC__)
#define JSONL_INTERNAL __attribute__((visibility("hidden")))
#else
#define JSONL_INTERNAL
#endif

/* A line longer than this is refused rather than read into memory. */
#define JSONL_MAX_LINE (1024 * 1024)

/* One connection: the configuration, as open() received it (validated, defaults filled). */
struct hs_conn {
    const hs_host_api *api;   /* borrowed: outlives the connection (rule 3) */
    hs_host *host;
    char *dir;                /* absolute directory of the files */
    char *changes;            /* absolute paths, made from dir and the configured names */
    char *jobs;
    char *invitations;
    char *notes;
    int64_t barrier_every;    /* lines per checkpoint barrier */
};

/*
 * Copies a record the host passed in into a zero-filled one of this module's size: a field
 * an older host's struct lacks reads as zero, a newer host's extra fields are left out
 * (rule 2). Then read only the copy. src may be NULL (dst is then all zero).
 */
#define JSONL_COPY_IN(dst, src)                                                            \
    do {                                                                                   \
        memset(&(dst), 0, sizeof(dst));                                                    \
        if ((src) != NULL)                                                                 \
            memcpy(&(dst), (src), (src)->struct_size < sizeof(dst) ? (src)->struct_size    \
                                                                   : sizeof(dst));         \
    } while (0)

/* Fills err with one line (printf-style) and returns status. */
JSONL_INTERNAL hs_status jsonl_fail(hs_error *err, hs_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The string member `key` of obj, or NULL when absent or not a string. Borrowed from obj. */
JSONL_INTERNAL const char *jsonl_str(json_object *obj, const char *key);

/*
 * Reads the next complete line of f into *line (grown with getline; the caller frees it).
 * Returns its length including the '\n', 0 at the end of the file or before a last line
 * that has no '\n' yet (a writer is still appending it: it is read next time), or -1 when
 * the line exceeds JSONL_MAX_LINE or reading fails.
 */
JSONL_INTERNAL long jsonl_getline(FILE *f, char **line, size_t *cap);

/* HS_E_CANCELLED with its message once the host wants the call to stop (rule 4): polled
 * before the first line and between lines, so a long import stops promptly. */
JSONL_INTERNAL hs_status jsonl_cancelled(const hs_conn *conn, hs_error *err);

/* The operations, one file each. */
JSONL_INTERNAL hs_status jsonl_discover_jobs(hs_conn *conn, const hs_emitter *emitter,
                                             hs_error *err);
JSONL_INTERNAL hs_status jsonl_read_changes(hs_conn *conn, const hs_read_request *request,
                                            const hs_emitter *emitter, hs_error *err);
JSONL_INTERNAL hs_status jsonl_write_invitation(hs_conn *conn, const hs_invitation *invitation,
                                                hs_write_result *result, hs_error *err);
JSONL_INTERNAL hs_status jsonl_write_note(hs_conn *conn, const hs_note *note,
                                          hs_write_result *result, hs_error *err);
JSONL_INTERNAL hs_status jsonl_check(hs_conn *conn, const hs_check_report *report,
                                     hs_error *err);

#endif /* JSONL_H */
