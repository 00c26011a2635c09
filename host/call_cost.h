/*
 * What the configured intervals cost a connection a day when nothing changes, for `check`
 * to set against the connection's "daily_call_budget". An idle cycle reads one page of
 * changes from its ATS; the jobs (HS_CALL_COST_LISTING calls: on Eploy the vacancy status
 * list, a page of vacancies and a page of workflows) are listed once per discovery_ttl by the
 * daemon, for every pipeline of the connection, or every cycle when discovery_ttl is "0".
 * Tokens, more pages and the changes themselves come on top.
 *
 * Ownership: plain values; the configuration is borrowed.
 */
#ifndef HS_HOST_CALL_COST_H
#define HS_HOST_CALL_COST_H

#include <stdint.h>

#include "configuration.h"

#define HS_CALL_COST_IDLE_READ 1
#define HS_CALL_COST_LISTING 3

typedef struct hs_call_cost {
    int64_t budget;        /* the connection's daily_call_budget, 0 when not set */
    int pipelines;         /* enabled pipelines whose ATS it is */
    int64_t cycles;        /* their cycles a day */
    int64_t listings;      /* job listings a day */
    int64_t calls;         /* cycles * HS_CALL_COST_IDLE_READ + listings * LISTING */
} hs_call_cost;

/* Fills *out for connection conn; 0, or -1 when no enabled pipeline reads it as its ATS. */
int hs_call_cost_estimate(const hs_config *config, const char *conn, hs_call_cost *out);

#endif /* HS_HOST_CALL_COST_H */
