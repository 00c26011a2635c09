/*
 * Jobs as the host keeps them: a connector's hs_job copied into JSON, and a collector that
 * gathers what discover_jobs emits (for `hiresync jobs`, and for the runner to record the job
 * list of a cycle).
 *
 * JSON form of a job:
 *   {"id":"1234","title":"...","status":"Open","department":null,"created_at":"...",
 *    "updated_at":"...","url":null,
 *    "stages":[{"id":"10","name":"Applied","statuses":[{"id":"1","name":"New"}]}]}
 *
 * Ownership: hs_job_json returns a new reference (json_object_put). A collector owns its
 * array until hs_job_collector_free; hs_job_collector_jobs lends it.
 */
#ifndef HS_HOST_JOBS_H
#define HS_HOST_JOBS_H

#include <json-c/json.h>

#include <hiresync/connector.h>

/* NULL when out of memory or when the job is refused (see records.h; why then says so, when
 * given). Reads only what the job's struct_size and element sizes cover. */
json_object *hs_job_json(const hs_job *job, char *why, size_t why_size);

typedef struct hs_job_collector {
    hs_emitter emitter;     /* give &collector->emitter to discover_jobs */
    json_object *jobs;      /* array of job objects, in emitted order */
    size_t max_jobs;        /* emitting more fails with HS_E_DATA; 0: 100000 */
    char error[512];        /* why a job was refused (HS_E_DATA), "" when none */
} hs_job_collector;

/* Returns 0, or -1 when out of memory. */
int hs_job_collector_init(hs_job_collector *collector);
void hs_job_collector_free(hs_job_collector *collector);

/* Sorts the collected jobs most recently updated first (jobs without updated_at last, ties
 * by id). */
void hs_job_collector_sort(hs_job_collector *collector);

#endif /* HS_HOST_JOBS_H */
