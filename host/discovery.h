/*
 * The discovery cache: the jobs (with their stages and statuses) and the interviews a
 * configured connection listed, kept in this process for a while, because they change rarely
 * and listing them costs most of an idle cycle's requests (on Eploy: the vacancy status list,
 * the vacancies and the workflows).
 *
 * Entries are kept by configured connection name, so every pipeline of the daemon that uses
 * the connection shares one listing. An entry is used while it is younger than the ttl the
 * caller gives (the configuration's "discovery_ttl"); the cycle forgets it when a change
 * names something the listing lacks (see cycle.c), and the daemon clears everything on a
 * reload. Nothing here is written to disk: a `run --once` process discovers afresh.
 *
 * Ownership: hs_discovery_new() allocates, hs_discovery_free() frees (NULL is a no-op).
 * hs_discovery_process() is the process's instance, which the runner uses; it lives until
 * the process ends. hs_discovery_get() fills the caller's list with deep copies,
 * hs_discovery_put() copies the caller's list. Threading: every function takes the lock.
 */
#ifndef HS_HOST_DISCOVERY_H
#define HS_HOST_DISCOVERY_H

#include <stdint.h>

#include "pipeline.h"

typedef struct hs_discovery hs_discovery;

#define HS_DISCOVERY_DEFAULT_TTL_S 3600

hs_discovery *hs_discovery_new(void);
/* The process's cache, made on first use; NULL when out of memory (nothing is cached). */
hs_discovery *hs_discovery_process(void);
void hs_discovery_free(hs_discovery *cache);

/* Copies the listing of conn taken less than ttl_ms before now_ms into list (which must be
 * empty). 1 when it did, 0 when there is none that young (or ttl_ms <= 0, or out of
 * memory: list is then empty). *age_ms (may be NULL) gets the listing's age. */
int hs_discovery_get(hs_discovery *cache, const char *conn, int64_t now_ms, int64_t ttl_ms,
                     hs_job_list *list, int64_t *age_ms);
/* Keeps a copy of list as conn's listing taken at now_ms (a failed copy keeps nothing). */
void hs_discovery_put(hs_discovery *cache, const char *conn, int64_t now_ms,
                      const hs_job_list *list);
/* Forgets conn's listing (NULL: every listing). */
void hs_discovery_forget(hs_discovery *cache, const char *conn);

#endif /* HS_HOST_DISCOVERY_H */
