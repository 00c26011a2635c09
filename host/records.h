/*
 * The host's side of the ABI's records (rule 2 of hiresync/connector.h): what it gives
 * connectors to write into (an error message, a remote id: buffers with their sizes), and
 * what it takes from them (a change, a job) min-copied into its own zero-filled structs
 * before it reads anything.
 *
 * A record smaller than ABI 2.0 made it (struct_size, or an array's element size) is
 * refused: its writer was built against an older major, and reading it would read past it.
 * A larger one (a newer minor's) is read up to the fields this host knows.
 *
 * Ownership: every struct here is the caller's, usually on its stack. hs_host_error and
 * hs_host_result point into themselves: initialise them in place and never copy them. The
 * copies of a change or a job borrow their strings from the connector's record, so they are
 * valid only while the emitter callback that received it runs; hs_job_copy owns its arrays
 * (hs_job_copy_free).
 */
#ifndef HS_HOST_RECORDS_H
#define HS_HOST_RECORDS_H

#include <stddef.h>

#include <hiresync/connector.h>

/* The sizes the host gives (the ABI's minimums are HS_ERROR_MESSAGE_MIN, HS_REMOTE_ID_MIN). */
#define HS_HOST_MESSAGE_SIZE 1024
#define HS_HOST_REMOTE_ID_SIZE 256

/* End of a record's last field in ABI 2.0: the smallest struct_size accepted. */
#define HS_END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define HS_REF_SIZE_2_0 HS_END_OF(hs_ref, name)
#define HS_STAGE_SIZE_2_0 HS_END_OF(hs_stage, status_size)
#define HS_JOB_SIZE_2_0 HS_END_OF(hs_job, stage_size)
#define HS_PERSON_SIZE_2_0 HS_END_OF(hs_person, phone)
#define HS_CHANGE_SIZE_2_0 HS_END_OF(hs_stage_change, snapshot)
/* hs_answer came with 2.1: its smallest is what 2.1 made it. */
#define HS_ANSWER_SIZE_2_1 HS_END_OF(hs_answer, score)

/* The answers of one completion the host reads; more are dropped (and counted). */
#define HS_HOST_MAX_ANSWERS 100

/* An hs_error with the buffer its message goes into. */
typedef struct hs_host_error {
    hs_error e;
    char message[HS_HOST_MESSAGE_SIZE];
} hs_host_error;

/* Zeroes he and points he->e.message at he->message. Returns &he->e. */
hs_error *hs_host_error_init(hs_host_error *he);

/* Formats a message into an hs_error the host filled itself (bounded, truncated). */
void hs_host_error_set(hs_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* An hs_write_result with the buffer its remote id goes into. */
typedef struct hs_host_result {
    hs_write_result r;
    char remote_id[HS_HOST_REMOTE_ID_SIZE];
} hs_host_result;

/* Zeroes hr and points hr->r.remote_id at hr->remote_id. Returns &hr->r. */
hs_write_result *hs_host_result_init(hs_host_result *hr);

/* A change min-copied with its nested records. change.stage, .status and .person always
 * point at the copies below, whose fields are NULL when the connector gave no record. */
typedef struct hs_change_copy {
    hs_stage_change change;
    hs_ref stage;
    hs_ref status;
    hs_person person;
    hs_answer answers[HS_HOST_MAX_ANSWERS]; /* change.answers points here (NULL when none),
                                               answer_size = sizeof(hs_answer) */
    size_t answers_dropped;                 /* beyond HS_HOST_MAX_ANSWERS */
} hs_change_copy;

/* Copies in into out. Returns 0, or -1 with one line in why (what is too small, for a
 * message that names the connector) when in or a record it points to is smaller than ABI
 * 2.0 made it (an answer: than 2.1 made it). An answer without a question reads as "?". */
int hs_change_copy_from(hs_change_copy *out, const hs_stage_change *in, char *why,
                        size_t why_size);

/* A job min-copied: its stages and their statuses copied into arrays of the host's own
 * stride (so job.stages[i] and stages[i].statuses[k] may be indexed). */
typedef struct hs_job_copy {
    hs_job job;
    hs_stage *stages;        /* owned; job.stages points here */
    hs_ref *statuses;        /* owned; every stage's statuses, one after another */
} hs_job_copy;

/* Copies in into out (zeroed first). Returns 0; -1 with why when a record or an element
 * size is smaller than ABI 2.0 made it (or the counts are absurd); -2 when out of memory.
 * Call hs_job_copy_free whatever it returns. */
int hs_job_copy_from(hs_job_copy *out, const hs_job *in, char *why, size_t why_size);
void hs_job_copy_free(hs_job_copy *copy);

#endif /* HS_HOST_RECORDS_H */
