/*
 * hiresync connector ABI, version 2.1.
 *
 * A connector is a shared object (a libtool module) that lets the hiresync host talk to one
 * remote system: an applicant tracking system (the "ATS" side of a pipeline, such as Eploy) or
 * an interview platform (the "interviews" side, such as Willo). This header and the manual
 * page hiresync-connector(7) are everything a connector author needs; the rules below are the
 * contract, and `hiresync-conformance` tests a module against them.
 *
 * 1. ENTRY, HANDSHAKE AND MANIFEST
 *    A module exports exactly one symbol, declared with HS_CONNECTOR_ENTRY(module), which
 *    expands to `<module>_LTX_hs_connector_entry` (libltdl's prefix, so modules can also be
 *    preloaded into a static test binary). Link with
 *      -module -avoid-version -export-symbols-regex '_LTX_hs_connector_entry$'
 *    The host calls the entry once, on its main thread, with HS_ABI_VERSION as it was
 *    compiled. The entry returns a pointer to a static, constant hs_connector, or NULL when it
 *    cannot serve that host ABI. Beside the module lies its manifest, NAME.json next to
 *    NAME.so (or NAME.la): its name, the ABI it was built for, the configuration schema with
 *    defaults and the operations it provides ("capabilities"). The host refuses to load a
 *    connector
 *    - whose ABI major differs from the host's, or whose minor is newer than the host's;
 *    - whose manifest is missing, malformed, names another connector or another ABI;
 *    - whose capability bits differ from the manifest's "capabilities";
 *    - whose struct_size does not cover an operation it declares, or whose declared
 *      operations are NULL.
 *    After a successful handshake the host calls module_init (when set) once, on the main
 *    thread, before any connection is opened and before any worker thread starts; it calls
 *    module_exit (when set) once, on the main thread, after the last connection is closed.
 *    The host has called curl_global_init(CURL_GLOBAL_DEFAULT) before any entry: a connector
 *    using libcurl must not call curl_global_init or curl_global_cleanup itself.
 *
 * 2. COMPATIBILITY: EVERY STRUCTURE GROWS AT ITS END
 *    Every struct that crosses the boundary starts with `uint32_t struct_size`, set by its
 *    writer to the sizeof it compiled with. A minor version only appends fields, each group
 *    under a comment naming the version that added it ("added in 2.1"); a major version may
 *    change anything. A reader never touches a field beyond struct_size (use
 *    HS_HAS_FIELD) and reads a missing field as zero/NULL. Records nest by pointer, never by
 *    value, so each one grows on its own. Arrays of records carry their element size next to
 *    their length, and a reader steps through them with HS_ELEMENT, never with `[i]`, so that
 *    a newer writer's longer elements are read correctly. Results are written into buffers
 *    the caller gives with their sizes (hs_error.message, hs_write_result.remote_id), never
 *    into fixed-size arrays. The host min-copies everything it receives into its own
 *    zero-filled structs before it reads it.
 *    New kinds of change (hs_change_kind) and new operations are added in minor versions: a
 *    host skips, with a debug log line, a change whose kind it does not know, and a connector
 *    emits a kind or calls a service only when the host's minor (hs_host_api.abi_version)
 *    is at least the one that introduced it.
 *
 * 3. OWNERSHIP AND LIFETIMES
 *    - Everything the host passes in (config, requests, records, strings) is borrowed for the
 *      duration of the call. Copy what you keep.
 *    - Records given to an emitter or report callback are copied by the host before the
 *      callback returns, so the connector may reuse or free its buffers right after.
 *    - Strings in hs_connector (name, version) are static for the module's lifetime.
 *    - hs_error and hs_write_result, and the buffers they point to, are owned by the caller;
 *      the connector writes into the buffers within their sizes and never allocates inside
 *      them.
 *    - A connection (hs_conn) is created by open() and freed by close(); close(NULL) is a
 *      no-op; a failed open() frees everything it allocated and leaves *out NULL.
 *    - The host services table and the hs_host handle outlive every connection.
 *
 * 4. THREADING
 *    All per-connection state lives in the hs_conn: no mutable globals (module_init may set up
 *    read-only tables), so two connections of one connector (two Eploy tenants, say) work
 *    side by side. The host calls one hs_conn from one thread at a time; different connections
 *    may be called from different threads at once. A connector starts no thread that outlives
 *    the call that started it.
 *
 * 5. WHAT A CONNECTOR MUST NEVER DO
 *    - write to stdout or stderr (use hs_host_api.log);
 *    - put a secret (password, client secret, API key, bearer token) or a candidate's personal
 *      data beyond what an operator needs into a log line or an hs_error message;
 *    - call exit(), abort() or longjmp() across the boundary, or install signal handlers;
 *    - follow a redirect or a pagination link to another origin with credentials attached;
 *    - disable TLS certificate verification (plain http is acceptable only to loopback);
 *    - keep a pointer to anything borrowed after the call returns;
 *    - keep a second copy of its configuration schema: open() receives the configuration
 *      validated against the manifest, with its defaults filled.
 *
 * 6. STATUS CODES AND ERRORS
 *    Every operation returns an hs_status. On anything but HS_OK it fills the hs_error with a
 *    one-line message that tells an operator what is wrong and what to do, the HTTP status
 *    when there was one, and retry_after_s when the remote system asked for a delay.
 *
 * 7. READS AND CHECKPOINT BARRIERS
 *    read_changes() emits records and checkpoint barriers through the emitter. Everything
 *    emitted before a barrier, together with the barrier's cursor, forms one unit: the host
 *    commits the cursor only once every record before it has been handled. Hence:
 *    - emit at least one barrier per successful call, even when nothing changed (the cursor may
 *      stay the same or move forward, never backwards and never to an empty value);
 *    - emit no barrier after a failure, and return the failure;
 *    - reads are at least once: a record may be emitted again in a later call (overlap
 *      windows), and each record carries a stable key so the host can recognise it; a re-read
 *      from a committed cursor emits the same keys again;
 *    - the cursor is opaque JSON owned by the connector's format; write its format down in the
 *      connector source and accept every format the connector ever wrote;
 *    - times that land in a cursor come from the remote system's clock, never the host's;
 *    - when an emitter callback returns anything but HS_OK, stop and return that status.
 *
 * 8. WRITES ARE IDEMPOTENT BY THE CALLER'S KEY
 *    write_invitation() and write_note() receive a key. A second call with the same key (after
 *    a crash, a timeout or a retry) creates nothing and reports applied = 0 with the existing
 *    remote id. Where the remote API has no idempotency key of its own, the connector looks for
 *    an existing object carrying the key (or its natural equivalent, such as the same email in
 *    the same interview) before it creates one.
 *
 * 9. THE TWO SIDES OF A PIPELINE
 *    A pipeline maps ATS jobs and stages to interviews. The host uses the operations so:
 *    - ATS side: discover_jobs emits the jobs with their stages and statuses; `check` and each
 *      cycle resolve every mapping against it (a closed or missing job, an unknown trigger
 *      stage or status is an error a person must fix). read_changes emits HS_CHANGE_STAGE
 *      records: an application (record_id) of a job (job_id) that entered a stage, with the
 *      person. write_note annotates such a record.
 *    - Interviews side: discover_jobs emits the interviews; a mapped interview it does not
 *      emit is an error. write_invitation invites a person and returns the participant's id
 *      in remote_id. read_changes emits HS_CHANGE_COMPLETED records whose record_id is exactly
 *      that remote_id and whose job_id is the interview: that equality is how the host finds
 *      the application to annotate. A completion whose record_id hiresync never received from
 *      write_invitation is logged and skipped.
 *
 * 10. THE INTERVIEW'S LIFE (added in 2.1)
 *    - Interviews side: besides completions, read_changes may emit HS_CHANGE_INVITED,
 *      HS_CHANGE_STARTED, HS_CHANGE_EXPIRED and HS_CHANGE_DECLINED for a participant (record_id
 *      = the remote_id write_invitation returned), each with the time it happened on the remote
 *      clock in changed_at and a key stable across re-reads (the participant and the event).
 *      Emit each only when the remote system shows it; never infer an expiry from the host's
 *      clock. A completion may carry the answers (one hs_answer per question, with its own link
 *      where the platform gives one) and an overall score.
 *    - A re-invitation (hs_invitation.previous_id set) asks for a new invitation of the same
 *      person to the same interview after an earlier one (previous_id) expired or grew old.
 *      When the platform cannot issue a new one and would only return previous_id, answer
 *      HS_E_DATA with a message saying so; never report previous_id as a new invitation.
 *    - ATS side: write_note may carry an outcome (hs_note.outcome, an id or a name the ATS
 *      knows) to record with the note, so that the ATS's own workflow rules, e-mails and
 *      reports follow it; hs_note.final marks a note that ends hiresync's work on that record
 *      for that interview: the result, or a note saying why it stops (a connector configured
 *      to mark processed records does so then; it may come more than once, so mark
 *      idempotently).
 *      An outcome the ATS's workflow ties to a stage move is guarded like a move: with
 *      hs_note.outcome_from set, the connector reads where the record is and records the
 *      outcome only while it is in one of those positions (matched as hs_move.from); anywhere
 *      else it writes the note without the outcome, returns HS_OK and sets
 *      hs_write_result.outcome_withheld = 1 (when the result's struct_size covers it). A
 *      second call with the same key reports applied = 0 and, where the connector can tell
 *      cheaply, whether the existing note was written without its outcome.
 *      move_record moves a record to another stage/status, but only while the record is in
 *      one of the positions in hs_move.from: anywhere else it changes nothing and returns
 *      HS_E_CONFLICT naming where the record is. A record already at the target is
 *      applied = 0. It is idempotent by key like every write (rule 8).
 *
 * 11. WEBHOOK SUBSCRIPTIONS (added in 2.1)
 *    An interviews-side connector whose platform can notify a URL when a participant
 *    completes offers sync_subscriptions. The host owns every subscription whose target URL
 *    starts with request->owned_prefix and names the ones it wants (targets). For each
 *    target the connector keeps one active subscription to exactly that URL on the
 *    platform's completion event: one already there is KEPT; otherwise an owned one under
 *    the target's slot_prefix is REPAIRED (URL, event, switched back on); otherwise one is
 *    CREATED. Every other owned subscription (stale, or a second one in a slot) is DELETED.
 *    Subscriptions outside owned_prefix are never changed, deleted nor reported. Without
 *    request->apply nothing changes and the report says what would be done. Target URLs
 *    carry the host's secret token: never log them nor put them in an hs_error.
 *
 * 12. PROGRESS OF A LONG READ (added in 2.1)
 *    A read that pages through a remote listing may say how far it got through
 *    hs_emitter.progress, typically after each page: the pages read so far and, when the
 *    remote system says how many there are, the total. The host uses it to log how far a long
 *    read got and to estimate the time left; it changes nothing else. Rules:
 *    - call it only when the emitter's struct_size covers it (HS_HAS_FIELD(hs_emitter,
 *      em->struct_size, progress)) and it is not NULL: an older host passes a shorter emitter;
 *    - report a total only when the remote system gave it (a page count in its answer), never
 *      a guess; -1 while it is not known. A total may grow (a later listing's size becomes
 *      known) and may be reported at any time, even before the first page;
 *    - a call is no barrier and no record: nothing is committed by it;
 *    - when it returns anything but HS_OK, stop and return that status, as for every callback.
 *    The host trusts none of it: it clamps negative figures, raises a total below the pages
 *    done to them, never lets the pages done go back, and accepts calls in any order.
 */
#ifndef HIRESYNC_CONNECTOR_H
#define HIRESYNC_CONNECTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ----------------------------------------------------------------------------- */

#define HS_ABI_MAJOR 2u
#define HS_ABI_MINOR 1u
#define HS_ABI_VERSION ((HS_ABI_MAJOR << 16) | HS_ABI_MINOR)
#define HS_ABI_MAJOR_OF(v) (((uint32_t)(v)) >> 16)
#define HS_ABI_MINOR_OF(v) (((uint32_t)(v)) & 0xffffu)

/* True when a struct of the given struct_size contains the whole of `field`. */
#define HS_HAS_FIELD(type, size, field) \
    ((size_t)(size) >= offsetof(type, field) + sizeof(((type *)0)->field))

/* Element i of an array whose elements are elem_size bytes apart (rule 2). */
#define HS_ELEMENT(type, base, elem_size, i) \
    ((const type *)(const void *)((const char *)(base) + (size_t)(i) * (size_t)(elem_size)))

/* ---- status codes ------------------------------------------------------------------------- */

typedef enum hs_status {
    HS_OK = 0,
    HS_RETRY = 1,          /* transient (timeout, reset, 408, 429, 5xx, daily budget reached):
                              the host keeps its cursor and tries again later; retry_after_s
                              in hs_error says when, if known */
    HS_E_CONFIG = 2,       /* bad configuration or credentials: a person must fix something */
    HS_E_PERMISSION = 3,   /* authenticated, but not allowed to do this: the message names the
                              permission to grant and where */
    HS_E_DATA = 4,         /* this one record was rejected (the others go on) */
    HS_E_UNSUPPORTED = 5,  /* operation or option not provided by this connector */
    HS_E_INTERNAL = 6,     /* a bug or a broken invariant, including a malformed remote
                              response the connector cannot interpret */
    HS_E_CANCELLED = 7,    /* the host asked to stop (hs_host_api.cancelled); nothing after the
                              last barrier counts */
    /* added in 2.1 */
    HS_E_CONFLICT = 8      /* the record is not where the operation expects it (move_record:
                            * a person moved it meanwhile); nothing was changed */
} hs_status;

/* ---- errors ------------------------------------------------------------------------------- */

/* The smallest message buffer a caller gives; the host gives 1024 bytes. */
#define HS_ERROR_MESSAGE_MIN 256

/* Owned by the caller, which sets struct_size, points message at a buffer of message_size
 * bytes holding "" and zeroes the rest. The connector fills it on failure: `message` is one
 * line, NUL-terminated within message_size (truncated if need be), without secrets. */
typedef struct hs_error {
    uint32_t struct_size;
    int32_t http_status;      /* last HTTP status involved, 0 when none */
    int32_t retry_after_s;    /* delay the remote system asked for, 0 when none */
    char *message;            /* the caller's buffer, never NULL */
    size_t message_size;      /* its size in bytes, at least HS_ERROR_MESSAGE_MIN */
} hs_error;

/* ---- host services ------------------------------------------------------------------------ */

/* Opaque handle the host passes back to its own services; valid until the connection using
 * it is closed. */
typedef struct hs_host hs_host;

typedef enum hs_log_level {
    HS_LOG_ERROR = 0,
    HS_LOG_WARN = 1,
    HS_LOG_INFO = 2,
    HS_LOG_DEBUG = 3
} hs_log_level;

/* Services the host lends to connectors. Append-only: check struct_size (HS_HAS_FIELD) before
 * using a field added after minor 0. Every function is safe to call from the thread that is
 * calling the connector. */
typedef struct hs_host_api {
    uint32_t struct_size;
    uint32_t abi_version;   /* HS_ABI_VERSION of the host */

    /* One log line (no trailing newline needed). The host adds time, level and connection
     * name. Never pass secrets. */
    void (*log)(hs_host *host, hs_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

    /* Non-zero once the host wants the current operation to stop (SIGTERM, shutdown). Poll
     * it between requests and inside long waits; then return HS_E_CANCELLED. */
    int (*cancelled)(hs_host *host);

    /* Wall-clock time, milliseconds since the Unix epoch, UTC. Tests inject a clock here, so
     * use it for every timestamp that lands in a cursor or a record. */
    int64_t (*now_ms)(hs_host *host);

    /* Sleeps up to `ms` milliseconds, waking early when cancelled. Returns non-zero when it
     * was cancelled. Use it for back-off and pacing instead of sleep(). */
    int (*sleep_ms)(hs_host *host, int64_t ms);

    /* The User-Agent to send, e.g. "hiresync/0.1.0 (+eploy)"; static for the host's life. */
    const char *(*user_agent)(hs_host *host);

    /* A small durable key/value store of this connection (names up to 64 bytes, values up to
     * 4096 bytes). Persisted by the host with the connection's state at the end of every
     * cycle; meant for bookkeeping such as a daily request count, not for data that must be
     * exactly once (cursors carry that). store_get copies the value into buf (NUL-terminated)
     * and returns HS_OK, HS_E_DATA when the name is unknown, HS_E_INTERNAL when buf is too
     * small. store_put copies the value; NULL deletes. */
    hs_status (*store_get)(hs_host *host, const char *name, char *buf, size_t buf_size);
    hs_status (*store_put)(hs_host *host, const char *name, const char *value);

    /* Tells the host the remote system's own time, in ms since the epoch, as a response gave
     * it (its Date header). The host keeps the skew between its clock and the remote one for
     * `status` and `check`, and warns when it exceeds a minute. Call it for every response
     * that carries a time. Cursors, windows and signposts must come from the remote system's
     * time too (rule 7): a host clock ahead of the server would skip changes silently. */
    void (*remote_time)(hs_host *host, int64_t remote_ms);

    /* Memory shared by every connection opened for the same configured connection (the
     * pipelines that use one Eploy tenant, say) within this process, and only in memory: an
     * access token and its expiry, a quota stop. Never persisted and never logged, so it may
     * hold a token. Same limits and statuses as store_get / store_put (at most 64 entries).
     * Each call is atomic; a connector that reads, decides and writes may race with another
     * pipeline doing the same: keep what it holds valid whichever write lands last, or decide
     * with shared_swap. */
    hs_status (*shared_get)(hs_host *host, const char *name, char *buf, size_t buf_size);
    hs_status (*shared_put)(hs_host *host, const char *name, const char *value);
    /* Compare-and-set on the same memory, for a decision only one pipeline may take (who
     * requests the token): sets name to value (NULL deletes it) only when its current value
     * equals expected (NULL: when it is absent), atomically. HS_OK when it was set, HS_E_DATA
     * when the current value differs (nothing changed). */
    hs_status (*shared_swap)(hs_host *host, const char *name, const char *expected,
                             const char *value);

    /* added in 2.1, read through HS_HAS_FIELD (and may be NULL) */

    /* One HTTP exchange with the remote system ended: http_status is the response's status
     * (200, 429, 503...), HS_REQUEST_FAILED when no complete response came (refused, reset,
     * TLS, a body cut short or too large) or HS_REQUEST_TIMEOUT when it timed out. Call it
     * once per attempt, retries included, from the thread that made it; the host counts the
     * requests per connection and result for its metrics. */
    void (*request_done)(hs_host *host, int32_t http_status);
} hs_host_api;

/* request_done's http_status for an exchange without a complete response. */
#define HS_REQUEST_FAILED 0
#define HS_REQUEST_TIMEOUT (-1)

/* ---- records ------------------------------------------------------------------------------ */

/* Times are ISO-8601 UTC strings, "YYYY-MM-DDTHH:MM:SSZ" with optional fractions. Any string
 * or record pointer may be NULL when unknown; every pointer is borrowed (rule 3). */

/* A reference to an entity of the remote system: an id and its human name. */
typedef struct hs_ref {
    uint32_t struct_size;
    const char *id;
    const char *name;
} hs_ref;

/* A stage a candidate can be moved to, with the statuses inside it (Eploy's workflow pairs a
 * stage with a status; systems without statuses leave n_statuses 0). */
typedef struct hs_stage {
    uint32_t struct_size;
    const char *id;
    const char *name;
    const hs_ref *statuses;   /* n_statuses elements, status_size bytes apart (HS_ELEMENT) */
    size_t n_statuses;
    size_t status_size;       /* sizeof(hs_ref) as the writer compiled it */
} hs_stage;

/* A job: an ATS vacancy, or an interview on an interview platform. */
typedef struct hs_job {
    uint32_t struct_size;
    const char *id;
    const char *title;
    const char *status;       /* e.g. "Open"; NULL when not applicable */
    const char *department;   /* NULL when unknown */
    const char *created_at;
    const char *updated_at;
    const char *url;          /* where a person opens it, NULL when unknown */
    const hs_stage *stages;   /* n_stages elements, stage_size bytes apart (HS_ELEMENT) */
    size_t n_stages;
    size_t stage_size;        /* sizeof(hs_stage) as the writer compiled it */
} hs_job;

/* The person a record is about. */
typedef struct hs_person {
    uint32_t struct_size;
    const char *id;           /* e.g. Eploy CandidateId */
    const char *first_name;
    const char *last_name;
    const char *email;
    const char *phone;        /* as stored remotely; E.164 when the connector can normalise */
} hs_person;

/* What a change record says happened (rule 9). Later minor versions add kinds (an interview
 * started, expired, declined...); a host skips kinds it does not know. */
typedef enum hs_change_kind {
    HS_CHANGE_STAGE = 0,      /* ATS: a record entered a stage (or, with snapshot, is in it) */
    HS_CHANGE_COMPLETED = 1,  /* interviews: a participant completed an interview */
    /* added in 2.1 (rule 10); emitted only to a host whose minor is at least 1 */
    HS_CHANGE_INVITED = 2,    /* interviews: a participant was invited */
    HS_CHANGE_STARTED = 3,    /* interviews: a participant began answering */
    HS_CHANGE_EXPIRED = 4,    /* interviews: the deadline passed before completion */
    HS_CHANGE_DECLINED = 5    /* interviews: the participant declined or withdrew */
} hs_change_kind;

/* One answer of a completed interview (added in 2.1). */
typedef struct hs_answer {
    uint32_t struct_size;
    const char *question;     /* the question's text (or key when no text), never NULL */
    const char *link;         /* where a recruiter watches/reads this answer, NULL when none */
    const char *score;        /* the platform's score or rating as text, NULL when none */
} hs_answer;

/* One change read from a source. */
typedef struct hs_stage_change {
    uint32_t struct_size;
    uint32_t kind;            /* hs_change_kind */
    const char *key;          /* stable: the same change read twice has the same key */
    const char *record_id;    /* Eploy ApplicationId; for HS_CHANGE_COMPLETED the remote_id
                                 write_invitation returned for this participant */
    const char *job_id;       /* vacancy id / interview key */
    const hs_ref *stage;      /* the stage entered; NULL for HS_CHANGE_COMPLETED */
    const hs_ref *status;     /* status within the stage, NULL when none */
    const char *changed_at;   /* when it happened, by the remote system's clock */
    const hs_person *person;  /* NULL when unknown */
    const char *link;         /* e.g. the recruiter's link to a Willo response, or NULL */
    int32_t snapshot;         /* 1: the record's current position read for a baseline
                                 (hs_read_request.snapshot), not an observed transition */
    /* added in 2.1 (rule 10): what a completion carries about the answers */
    const hs_answer *answers; /* n_answers elements, answer_size bytes apart (HS_ELEMENT) */
    size_t n_answers;
    size_t answer_size;       /* sizeof(hs_answer) as the writer compiled it */
    const char *score;        /* overall score or rating as text, NULL when none */
} hs_stage_change;

/* What read_changes is asked for. */
typedef struct hs_read_request {
    uint32_t struct_size;
    const char *cursor_json;        /* last committed cursor; "" on the first run */
    const char *const *job_ids;     /* only these jobs (interviews); NULL = all */
    size_t n_job_ids;
    int32_t snapshot;               /* 1: instead of changes since the cursor, emit the current
                                       position of every record of the jobs (snapshot = 1 on
                                       each), then a barrier whose cursor marks "now", so the
                                       next call reads changes from there */
    /* added in 2.1, read through HS_HAS_FIELD (a host that sends a shorter request wants
       every record, each with its person): what a snapshot may leave out. Changes (snapshot
       0) ignore it, except as people_in_changes says.
       only_stages 1: records whose stage id is not one of stage_ids may be left out (by a
       server-side filter where the ATS has one): the host acts on trigger stages only.
       people_only_stages 1: only the records whose stage id or name is one of
       people_stages need their person (none at all when n_people_stages is 0); the others
       may come with person NULL, which spares the ATS the lookups of people the host will
       not invite. */
    int32_t only_stages;
    const char *const *stage_ids;      /* borrowed for the call */
    size_t n_stage_ids;
    int32_t people_only_stages;
    const char *const *people_stages;  /* borrowed for the call */
    size_t n_people_stages;
    /* added in 2.1 after people_stages, read through HS_HAS_FIELD: changes may leave out
       people too. people_in_changes 1 (with people_only_stages 1): on a change read
       (snapshot 0) only the changes into a stage whose id or name is one of people_stages
       need their person; the others may come with person NULL. Without it (0, or a request
       too short to hold it: a host that may send people_only_stages on change reads and
       still wants every change's person) every change comes with its person. */
    int32_t people_in_changes;
} hs_read_request;

/* Invite a person to an interview. */
typedef struct hs_invitation {
    uint32_t struct_size;
    const char *key;                /* idempotency key (see rule 8) */
    const char *interview_id;       /* interview key on the interview platform */
    const hs_person *person;        /* never NULL; email is set */
    const char *source_record_id;   /* the ATS record that caused it, for logs and metadata */
    /* added in 2.1 (rule 10) */
    const char *previous_id;        /* a re-invitation: the earlier invitation's remote id,
                                       which must not be returned as this one; NULL on a
                                       first invitation */
} hs_invitation;

/* Attach a note to a record (e.g. an Eploy application). */
typedef struct hs_note {
    uint32_t struct_size;
    const char *key;                /* idempotency key (see rule 8) */
    const char *record_id;          /* the record to annotate (Eploy ApplicationId) */
    const char *job_id;             /* its job (Eploy VacancyId), NULL when unknown */
    const char *person_id;          /* its person (Eploy CandidateId), NULL when unknown */
    const char *title;              /* short, one line */
    const char *body;               /* plain text, may span lines */
    const char *link;               /* URL, or NULL */
    /* added in 2.1 (rule 10) */
    const char *outcome;            /* outcome to record with the note (id or name as the
                                       ATS knows it), NULL for none */
    int32_t final;                  /* 1: hiresync's work on this record for this interview
                                       ends here (rule 10) */
    const hs_stage *outcome_from;   /* record the outcome only while the record is in one of
                                       these positions, matched as hs_move.from; elsewhere
                                       write the note without it and set
                                       hs_write_result.outcome_withheld (rule 10). NULL: the
                                       outcome is recorded wherever the record is. n_outcome_from
                                       elements, outcome_from_size bytes apart (HS_ELEMENT) */
    size_t n_outcome_from;
    size_t outcome_from_size;       /* sizeof(hs_stage) as the writer compiled it */
} hs_note;

/* Move a record to another stage (added in 2.1, rule 10). */
typedef struct hs_move {
    uint32_t struct_size;
    const char *key;                /* idempotency key (rule 8) */
    const char *record_id;          /* the record to move (Eploy ApplicationId) */
    const char *job_id;             /* its job, NULL when unknown */
    const hs_ref *to_stage;         /* target stage: id, name, or both */
    const hs_ref *to_status;        /* target status within it, NULL for the stage's default */
    const hs_stage *from;           /* move only while the record is in one of these: a stage
                                       and, when its statuses are given, one of them; n_from
                                       elements, from_size bytes apart (HS_ELEMENT) */
    size_t n_from;
    size_t from_size;               /* sizeof(hs_stage) as the writer compiled it */
} hs_move;

/* The smallest remote_id buffer a caller gives; the host gives 256 bytes. */
#define HS_REMOTE_ID_MIN 128

/* Filled by a write; owned by the caller, which sets struct_size, points remote_id at a
 * buffer of remote_id_size bytes holding "" and zeroes the rest. An id that does not fit is
 * an error (HS_E_INTERNAL), never truncated. */
typedef struct hs_write_result {
    uint32_t struct_size;
    int32_t applied;                /* 1 created now; 0 already existed under this key */
    char *remote_id;                /* the caller's buffer: id of the created or existing
                                       remote object, NUL-terminated */
    size_t remote_id_size;          /* its size in bytes, at least HS_REMOTE_ID_MIN */
    /* added in 2.1 (rule 10); written only when struct_size covers it (HS_HAS_FIELD) */
    int32_t outcome_withheld;       /* write_note: 1 when the note was written without its
                                       outcome because the record was not in one of
                                       hs_note.outcome_from */
} hs_write_result;

/* ---- emitter and check report -------------------------------------------------------------- */

/* How far a read has got (added in 2.1, rule 12); the caller owns it, the host copies it. A
 * read made of several listings read one after another (one per job, say) knows the size of
 * each only once its first page came: pages_total is then -1 until the last listing's first
 * page, and parts_done/parts_total say how many listings are behind it. */
typedef struct hs_progress {
    uint32_t struct_size;
    int64_t pages_done;       /* pages of the remote system's listings read so far by this call
                                 (every listing counted, not only the one in hand) */
    int64_t pages_total;      /* pages this call reads in all, as far as the remote system has
                                 said; -1 when not known */
    int64_t parts_done;       /* listings finished so far */
    int64_t parts_total;      /* listings this call reads in turn; 0 when it reads one, -1
                                 when not known */
} hs_progress;

/* Where discover_jobs and read_changes put what they find. The host owns it; each callback
 * copies its argument before returning and returns HS_OK to go on, anything else to stop
 * (the connector then returns that status). */
typedef struct hs_emitter {
    uint32_t struct_size;
    void *ctx;
    hs_status (*job)(void *ctx, const hs_job *job);
    hs_status (*change)(void *ctx, const hs_stage_change *change);
    /* A barrier (rule 7): everything emitted since the previous barrier plus this cursor form
     * one unit. cursor_json is a non-empty JSON document. */
    hs_status (*checkpoint)(void *ctx, const char *cursor_json);
    /* added in 2.1, read through HS_HAS_FIELD (may be NULL; rule 12) */
    /* How far a read_changes has got. */
    hs_status (*progress)(void *ctx, const hs_progress *progress);
} hs_emitter;

typedef enum hs_check_result {
    HS_CHECK_OK = 0,        /* granted / works */
    HS_CHECK_WARN = 1,      /* works, with a limitation the operator should know about */
    HS_CHECK_FAIL = 2       /* missing or broken: the configured operations will fail */
} hs_check_result;

/* Where check() reports, item by item: one item per credential, permission or resource, named
 * as the operator sees it in the remote system (e.g. "Actions: Insert"), with a message that
 * says what to do when it is not OK. */
typedef struct hs_check_report {
    uint32_t struct_size;
    void *ctx;
    hs_status (*item)(void *ctx, const char *name, hs_check_result result, const char *message);
    const char *const *job_ids;     /* jobs (interviews) the pipelines map, to confirm they are
                                       visible; NULL when none */
    size_t n_job_ids;
} hs_check_report;

/* ---- webhook subscriptions (added in 2.1, rule 11) ----------------------------------------- */

/* One webhook subscription of the remote system, as sync_subscriptions reports it. */
typedef struct hs_subscription {
    uint32_t struct_size;
    const char *id;           /* the remote system's key; NULL for one not created yet */
    const char *target_url;   /* where it delivers (a secret: it carries the host's token) */
    const char *event;        /* the remote system's name of what it fires on */
    int32_t active;           /* 1: delivering; 0: switched off */
} hs_subscription;

/* What sync_subscriptions did (or, without apply, would do) to one subscription. */
typedef enum hs_subscription_action {
    HS_SUBSCRIPTION_KEPT = 0,      /* already as wanted: left alone */
    HS_SUBSCRIPTION_CREATED = 1,   /* none was there for a wanted target: made */
    HS_SUBSCRIPTION_REPAIRED = 2,  /* under a target's slot but different (URL, event, or
                                      switched off): changed back to the wanted one */
    HS_SUBSCRIPTION_DELETED = 3    /* owned, but no target wants it (stale or a duplicate) */
} hs_subscription_action;

/* One subscription the host wants. */
typedef struct hs_subscription_target {
    uint32_t struct_size;
    const char *target_url;   /* the URL deliveries must go to */
    const char *slot_prefix;  /* a prefix of target_url (and of owned_prefix's extent): an
                                 owned subscription under it is this target's, to keep or
                                 repair (e.g. the URL without its token) */
} hs_subscription_target;

typedef struct hs_subscription_request {
    uint32_t struct_size;
    const char *owned_prefix;               /* subscriptions whose target_url starts with it
                                               are the host's; no other is changed, deleted
                                               or reported */
    const hs_subscription_target *targets;  /* n_targets elements, target_size bytes apart
                                               (HS_ELEMENT); each slot_prefix starts with
                                               owned_prefix */
    size_t n_targets;
    size_t target_size;                     /* sizeof(hs_subscription_target) as the writer
                                               compiled it */
    int32_t apply;                          /* 1: make it so; 0: change nothing, report what
                                               would be done */
} hs_subscription_request;

/* Where sync_subscriptions reports, one call per owned subscription (and per target that
 * has none), after the change was made (or, without apply, instead of it). Copies before it
 * returns; anything but HS_OK stops the operation, which returns that status. */
typedef struct hs_subscription_report {
    uint32_t struct_size;
    void *ctx;
    hs_status (*subscription)(void *ctx, const hs_subscription *subscription,
                              uint32_t action /* hs_subscription_action */);
} hs_subscription_report;

/* ---- the connector table ------------------------------------------------------------------- */

typedef struct hs_conn hs_conn;   /* opaque, owned by the connector */

enum {
    HS_CAP_CHECK = 1u << 0,             /* check */
    HS_CAP_DISCOVER_JOBS = 1u << 1,     /* discover_jobs */
    HS_CAP_READ_CHANGES = 1u << 2,      /* read_changes */
    HS_CAP_WRITE_INVITATION = 1u << 3,  /* write_invitation */
    HS_CAP_WRITE_NOTE = 1u << 4,        /* write_note */
    HS_CAP_MOVE_RECORD = 1u << 5,       /* move_record (added in 2.1) */
    HS_CAP_SYNC_SUBSCRIPTIONS = 1u << 6 /* sync_subscriptions (added in 2.1) */
};

typedef struct hs_connector {
    uint32_t struct_size;      /* sizeof(hs_connector) as the connector compiled it */
    uint32_t abi_version;      /* HS_ABI_VERSION the connector was built against */
    const char *name;          /* equals the manifest's "name"; static */
    const char *version;       /* connector version, e.g. "1.0.0"; static */
    uint32_t capabilities;     /* HS_CAP_* bits; each bit requires its operation */

    /* Required. config_json is the connection's configuration as a JSON object, already
     * validated against the manifest's schema (types, required keys, ranges, enums), with
     * every default the schema gives filled and secrets resolved (never log it). On success
     * *out is a new connection. Makes no remote call. */
    hs_status (*open)(const hs_host_api *api, hs_host *host, const char *config_json,
                      hs_conn **out, hs_error *err);
    /* Required. Frees the connection; NULL is a no-op. */
    void (*close)(hs_conn *conn);

    /* Verifies credentials and every permission the configured operations need, reporting
     * each one through the report. No side effects on the remote system. Returns HS_OK when
     * the check itself ran (even if items failed); an error status when it could not run. */
    hs_status (*check)(hs_conn *conn, const hs_check_report *report, hs_error *err);

    /* Emits every job (open vacancy, interview) with the stages a candidate can be moved to. */
    hs_status (*discover_jobs)(hs_conn *conn, const hs_emitter *emitter, hs_error *err);

    /* Emits changes since request->cursor_json and checkpoint barriers (rule 7). */
    hs_status (*read_changes)(hs_conn *conn, const hs_read_request *request,
                              const hs_emitter *emitter, hs_error *err);

    /* Idempotent by invitation->key (rule 8). On HS_OK, result says whether it was created. */
    hs_status (*write_invitation)(hs_conn *conn, const hs_invitation *invitation,
                                  hs_write_result *result, hs_error *err);

    /* Idempotent by note->key (rule 8). On HS_OK, result says whether it was created. */
    hs_status (*write_note)(hs_conn *conn, const hs_note *note, hs_write_result *result,
                            hs_error *err);

    /* Optional (NULL when not needed). Called once on the host's main thread after the
     * handshake, before any open(); a failure refuses the module with err's message. */
    hs_status (*module_init)(const hs_host_api *api, hs_error *err);
    /* Optional. Called once on the main thread after the last close(). */
    void (*module_exit)(void);

    /* added in 2.1 */
    /* Moves move->record_id to move->to_stage/to_status, only from a position in move->from
     * (otherwise HS_E_CONFLICT, nothing changed). Idempotent by move->key; applied = 0 when
     * the record was already there. remote_id: the record's id. */
    hs_status (*move_record)(hs_conn *conn, const hs_move *move, hs_write_result *result,
                             hs_error *err);

    /* Makes the remote system's webhook subscriptions that notify of completions
     * (HS_CHANGE_COMPLETED) match request (rule 11): exactly one active subscription per
     * target, repairing or deleting the owned ones that differ, touching nothing outside
     * request->owned_prefix. Idempotent: a second call keeps everything. */
    hs_status (*sync_subscriptions)(hs_conn *conn, const hs_subscription_request *request,
                                    const hs_subscription_report *report, hs_error *err);

    /* Later minor versions append operations here, each with its own HS_CAP_* bit. */
} hs_connector;

/* ---- the entry symbol ---------------------------------------------------------------------- */

#if defined(__GNUC__)
#define HS_EXPORT __attribute__((visibility("default")))
#else
#define HS_EXPORT
#endif

/* Declares (and, followed by a body, defines) a module's entry:
 *     HS_CONNECTOR_ENTRY(eploy);
 *     HS_CONNECTOR_ENTRY(eploy) { return host_abi >> 16 == HS_ABI_MAJOR ? &table : NULL; }
 * (the declaration first keeps -Wmissing-prototypes quiet). The parameter is named host_abi.
 * `module` is the module's file name without extension, so the symbol carries libltdl's
 * prefix for that file. */
#define HS_CONNECTOR_ENTRY(module) \
    HS_EXPORT const hs_connector *module##_LTX_hs_connector_entry(uint32_t host_abi)

/* The entry's type and unprefixed symbol name, as the host looks it up. */
typedef const hs_connector *(*hs_connector_entry_fn)(uint32_t host_abi);
#define HS_CONNECTOR_ENTRY_SYMBOL "hs_connector_entry"

#ifdef __cplusplus
}
#endif

#endif /* HIRESYNC_CONNECTOR_H */
