/* What the configured intervals cost a connection a day when idle (see call_cost.h). */
#define _POSIX_C_SOURCE 200809L
#include "call_cost.h"

#include <string.h>

#include <json-c/json.h>

#define DAY_S 86400

static int64_t budget_of(const hs_config *config, const char *conn)
{
    const hs_config_connection *cc = hs_config_find_connection(config, conn);
    json_object *cfg, *v;
    int64_t budget = 0;
    if (cc == NULL || cc->config_json == NULL || (cfg = json_tokener_parse(cc->config_json)) == NULL)
        return 0;
    if (json_object_object_get_ex(cfg, "daily_call_budget", &v) &&
        json_object_is_type(v, json_type_int))
        budget = json_object_get_int64(v);
    json_object_put(cfg);
    return budget > 0 ? budget : 0;
}

/* The pipeline's cycles a day, 0 when it is disabled or does not read conn as its ATS. */
static int64_t cycles_of(json_object *p, const char *conn)
{
    json_object *v;
    int64_t interval = 0;
    if (!json_object_object_get_ex(p, "ats", &v) || strcmp(json_object_get_string(v), conn) != 0)
        return 0;
    if (json_object_object_get_ex(p, "enabled", &v) && !json_object_get_boolean(v))
        return 0;
    if (!json_object_object_get_ex(p, "interval", &v) ||
        hs_config_interval_parse(json_object_get_string(v), &interval) != 0)
        return 0;
    return (DAY_S + interval - 1) / interval;
}

int hs_call_cost_estimate(const hs_config *config, const char *conn, hs_call_cost *out)
{
    int64_t ttl = config->discovery_ttl_s;
    memset(out, 0, sizeof *out);
    json_object_object_foreach(config->pipelines, name, p) {
        int64_t n = cycles_of(p, conn);
        (void)name;
        if (n == 0)
            continue;
        out->pipelines++;
        out->cycles += n;
    }
    if (out->pipelines == 0)
        return -1;
    out->listings = ttl > 0 ? (DAY_S + ttl - 1) / ttl : out->cycles;
    if (out->listings > out->cycles)
        out->listings = out->cycles;
    out->calls = out->cycles * HS_CALL_COST_IDLE_READ + out->listings * HS_CALL_COST_LISTING;
    out->budget = budget_of(config, conn);
    return 0;
}
