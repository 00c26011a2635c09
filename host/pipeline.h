/*
 * A pipeline as the runner uses it: the validated "pipelines" entry of the configuration
 * (connections, interval, mappings of one interview to jobs and trigger stages), and the
 * check of its mappings against the jobs and interviews the connectors discovered.
 *
 * A trigger stage is written as a stage name ("Video Interview", case-insensitive), as
 * "stage / status" ("Video Interview / Invite sent"), or as an id (stage id, or
 * "stage id / status id"). Resolution against a job's stages turns each into an id pair.
 *
 * Ownership: hs_pipeline_parse() allocates the hs_pipeline and copies every string;
 * hs_pipeline_free() frees it. hs_job_list holds deep copies of discovered jobs
 * (hs_job_list_add copies; hs_job_list_clear frees). Not thread-safe; one worker owns one.
 */
#ifndef HS_HOST_PIPELINE_H
#define HS_HOST_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>
#include <json-c/json.h>

/* A trigger resolved against a job's workflow: the stage id, and the status id or NULL for
 * "any status in the stage". */
typedef struct hs_trigger {
    char *text;          /* as configured */
    char *stage_id;      /* NULL until resolved */
    char *stage_name;
    char *status_id;     /* NULL: any status */
} hs_trigger;

typedef struct hs_pipeline_job {
    char *job;                   /* ATS job id */
    char *title;                 /* from discovery, NULL until resolved */
    hs_trigger *triggers;
    size_t n_triggers;
    int valid;                   /* 1 when the job exists and every trigger resolved */
    /* The mapping's on_completed / on_expired resolved against this job's stages (text NULL
     * when the mapping has none). */
    hs_trigger moves[2];
} hs_pipeline_job;

/* The interview's events a mapping may give an outcome (index into hs_mapping.outcomes). */
enum hs_event {
    HS_EVENT_INVITED = 0,
    HS_EVENT_STARTED,
    HS_EVENT_COMPLETED,
    HS_EVENT_EXPIRED,
    HS_EVENT_DECLINED,
    HS_EVENT_COUNT
};

/* "invited", "started", ... for an event (static). */
const char *hs_event_name(int event);

/* Which moves a mapping may configure (index into hs_pipeline_job.moves). */
enum hs_move_on { HS_MOVE_ON_COMPLETED = 0, HS_MOVE_ON_EXPIRED = 1 };

/* When a candidate moved back into a trigger stage is invited again. */
typedef enum hs_reinvite {
    HS_REINVITE_NEVER = 0,       /* the default: never (a note says why) */
    HS_REINVITE_AFTER_EXPIRY,    /* only when the earlier invitation expired */
    HS_REINVITE_AFTER_DAYS       /* only when invited at least reinvite_days before */
} hs_reinvite;

typedef struct hs_mapping {
    char *interview;             /* interview key */
    char *interview_title;       /* from discovery, NULL when unknown */
    int invite_existing;
    int interview_missing;       /* 1 when discovery did not list the interview */
    hs_pipeline_job *jobs;
    size_t n_jobs;
    char *outcomes[HS_EVENT_COUNT];  /* ATS action outcome per event, NULL for none */
    char *moves[2];              /* on_completed, on_expired as a stage (the direct move
                                    through move_record), NULL for none */
    char *move_outcomes[2];      /* on_completed, on_expired as { "outcome": ... }: the outcome
                                    the tenant's workflow moves the application on, written
                                    with the event's note only while the application is in a
                                    trigger stage; NULL for none */
    hs_reinvite reinvite;
    int64_t reinvite_days;       /* HS_REINVITE_AFTER_DAYS: N */
    char *note_template;         /* NULL: the built-in text */
} hs_mapping;

typedef struct hs_pipeline {
    char *name;
    char *ats;                   /* connection names */
    char *interviews;
    int enabled;
    int64_t interval_s;
    hs_mapping *mappings;
    size_t n_mappings;
} hs_pipeline;

/* Deep copies of discovered jobs. */
typedef struct hs_job_list {
    hs_job *jobs;                /* every string and array inside is owned by the list */
    size_t n;
    size_t cap;
    char error[512];             /* why the last job was refused, "" when none */
} hs_job_list;

/* Parses one validated pipeline object (defaults filled by the configuration loader; absent
 * optional keys take their defaults here too). Returns 0 and *out, or -1 with err filled. */
int hs_pipeline_parse(const char *name, json_object *obj, hs_pipeline **out, char *err,
                      size_t err_size);
void hs_pipeline_free(hs_pipeline *pipeline);

/* Copies a job into the list (min-copied first, see records.h). Returns 0; -1 when out of
 * memory; -2 when the job is refused (list->error says why). A job without an id is
 * skipped. */
int hs_job_list_add(hs_job_list *list, const hs_job *job);
void hs_job_list_clear(hs_job_list *list);
const hs_job *hs_job_list_find(const hs_job_list *list, const char *id);

/* Collects every job a connection discovers into list (discover_jobs must be offered).
 * err is initialised by the caller (hs_host_error_init); a refused job's reason goes into
 * it, naming the connector. Returns the connector's status. */
hs_status hs_job_list_discover(const hs_connector *table, hs_conn *conn, hs_job_list *list,
                               hs_error *err);

/* Resolves every mapped job and trigger against the ATS jobs, and marks interviews that the
 * interview connection does not list (interviews may be NULL when it cannot list them; so may
 * ats_jobs, and then triggers match stage names or ids as written).
 * Each problem becomes one line in problems (a caller-owned buffer, lines separated by "\n"):
 * a mapped job that is not among the jobs, a trigger that no stage of the job has (listing
 * the stages it has, or the statuses of its stage when only the status part is wrong), an
 * interview the key cannot see, an on_completed / on_expired stage the job does not have.
 * Returns the number of problems. */
size_t hs_pipeline_resolve(hs_pipeline *pipeline, const hs_job_list *ats_jobs,
                           const hs_job_list *interviews, char *problems, size_t problems_size);

/* 1 when the change (stage id/name and status id) matches the resolved trigger. */
int hs_trigger_matches(const hs_trigger *trigger, const hs_stage_change *change);

#endif /* HS_HOST_PIPELINE_H */
