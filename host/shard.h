/*
 * Shards: a stable split of the configured pipelines over N runners, so that a Kubernetes
 * Indexed Job (the index from JOB_COMPLETION_INDEX) or any scheduler spreads many tenants over
 * many pods. A pipeline belongs to shard FNV-1a-64(name) mod N: the assignment depends on the
 * pipeline's name and N only, never on the order or the number of other pipelines, so adding
 * a pipeline moves no other one. Each pipeline's lock and state keep it safe if two runners'
 * shards ever overlap (a changed N during a rollout).
 *
 * Ownership: hs_shard is a plain value; nothing to free.
 */
#ifndef HS_SHARD_H
#define HS_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define HS_SHARD_MAX 4096u

typedef struct hs_shard {
    uint32_t index;   /* 0 .. count-1 */
    uint32_t count;   /* 0: no sharding (every pipeline) */
} hs_shard;

/* Parses "I/N" (0 <= I < N <= HS_SHARD_MAX). Returns 0, or -1 with a one-line reason saying
 * what to write in error (error_size bytes). */
int hs_shard_parse(const char *text, hs_shard *out, char *error, size_t error_size);

/* The shard (0 .. count-1) a pipeline belongs to among count; 0 when count is 0. */
uint32_t hs_shard_of(const char *pipeline, uint32_t count);

/* 1 when the pipeline is the shard's (always when shard is NULL or its count is 0). */
int hs_shard_has(const hs_shard *shard, const char *pipeline);

#endif
