/*
 * The Willo connector module: its table, its entry, and opening and closing a connection.
 * Willo (Integration API V2) is the interview side of a pipeline: interviews are its jobs,
 * invitations create participants, and completed participants are its changes.
 */
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_http.h"
#include "willo.h"

#define WILLO_VERSION "1.0.0"

static hs_http *new_http(hs_conn *c)
{
    hs_http_config hc;
    memset(&hc, 0, sizeof hc);
    hc.api = c->api;
    hc.host = c->host;
    hc.log_name = "willo";
    hc.timeout_ms = c->cfg.timeout_ms;
    hc.max_attempts = c->cfg.max_attempts;
    hc.backoff_base_ms = c->cfg.backoff_ms;
    hc.min_gap_ms = c->cfg.min_gap_ms;
    return hs_http_new(&hc);
}

static void willo_close(hs_conn *c)
{
    if (!c)
        return;
    hs_http_free(c->http);
    hs_willo_config_clear(&c->cfg);
    free(c);
}

static hs_status willo_open(const hs_host_api *api, hs_host *host, const char *config_json,
                            hs_conn **out, hs_error *err)
{
    if (!out)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: open without a place for the result");
    *out = NULL;
    if (!api || !HS_HAS_FIELD(hs_host_api, api->struct_size, sleep_ms) || !api->log ||
        !api->cancelled || !api->now_ms || !api->sleep_ms)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: the host lends too few services");
    hs_conn *c = calloc(1, sizeof *c);
    if (!c)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    c->api = api;
    c->host = host;
    hs_status st = hs_willo_config_parse(config_json, &c->cfg, err);
    if (st != HS_OK)
        goto fail;
    c->http = new_http(c);
    if (!c->http) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "willo: could not set up HTTP");
        goto fail;
    }
    c->scheme = c->cfg.scheme == HS_WILLO_AUTO ? HS_WILLO_BEARER : c->cfg.scheme;
    c->scheme_known = c->cfg.scheme != HS_WILLO_AUTO;
    *out = c;
    return HS_OK;
fail:
    willo_close(c);
    return st;
}

static const hs_connector willo_table = {
    .struct_size = sizeof(hs_connector),
    .abi_version = HS_ABI_VERSION,
    .name = "willo",
    .version = WILLO_VERSION,
    .capabilities = HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES |
                    HS_CAP_WRITE_INVITATION | HS_CAP_SYNC_SUBSCRIPTIONS,
    .open = willo_open,
    .close = willo_close,
    .check = hs_willo_check,
    .discover_jobs = hs_willo_discover_jobs,
    .read_changes = hs_willo_read_changes,
    .write_invitation = hs_willo_write_invitation,
    .write_note = NULL,
    .sync_subscriptions = hs_willo_sync_subscriptions,
};

/* declared first so that the definition has a prototype (-Wmissing-prototypes) */
HS_CONNECTOR_ENTRY(willo);

HS_CONNECTOR_ENTRY(willo)
{
    return HS_ABI_MAJOR_OF(host_abi) == HS_ABI_MAJOR ? &willo_table : NULL;
}
