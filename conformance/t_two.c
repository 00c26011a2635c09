/* Two connections of one connector side by side (rule 4: all state in the hs_conn). The
 * second is opened with other credentials (the canary's), used and closed while the first
 * stays open: a connector keeping its configuration, a session or a token in a global would
 * then call with the wrong credentials, or with something the second close freed. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "kit.h"

/* One call that must work on the first connection: discover_jobs, else check. */
static hs_status probe(kit *k, hs_conn *conn, const char *what, kit_strings *p)
{
    kit_emitted em = {0};
    hs_emitter emitter = kit_emitter(k, &em);
    kit_error e;
    kit_error_init(&e);
    kit_call_reset(k, 0);
    hs_status st = HS_OK;
    if (k->table.capabilities & HS_CAP_DISCOVER_JOBS) {
        kit_call_begin(k, "discover_jobs");
        st = k->table.discover_jobs(conn, &emitter, &e.err);
        kit_call_end(k);
    } else if (k->table.capabilities & HS_CAP_CHECK) {
        size_t items = 0;
        kit_strings ignored = {0};
        st = kit_check_call(k, conn, &ignored, &items);
        kit_strings_clear(&ignored);
    }
    const char *msg = kit_error_check(k, &e, st, what, p);
    if (st != HS_OK)
        kit_strings_add(p, "%s: %s: %s", what, kit_status_name(st), msg);
    kit_emitted_clear(&em);
    return st;
}

void kit_test_two(kit *k, hs_conn *conn)
{
    if (!(k->table.capabilities & (HS_CAP_DISCOVER_JOBS | HS_CAP_CHECK))) {
        kit_report(k, "two-connections", KIT_SKIP, "neither discover_jobs nor check to call");
        return;
    }
    kit_crash_guard("two-connections");
    char *json = kit_canary_json(k);
    kit_strings p = {0};
    hs_conn *second = kit_open(k, &k->second_host, json ? json : k->config_json, &p);
    if (second) {
        /* The second's own call fails when its credentials are the canary's: that is
         * expected; what it leaves behind must not reach the first. */
        kit_strings ignored = {0};
        probe(k, second, "the second connection", &ignored);
        kit_strings_clear(&ignored);
        probe(k, conn, "the first connection, with a second one open", &p);
        kit_close(k, second);
        probe(k, conn, "the first connection, after the second was closed", &p);
    }
    kit_report_problems(k, "two-connections", &p, json
                        ? "the first connection works beside a second with other credentials, "
                          "and after it is closed"
                        : "the first connection works beside a second, and after it is closed");
    free(json);
    kit_strings_clear(&p);
}
