/*
 * The Eploy connector: its table, entry, open and close.
 */
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"

static hs_status eploy_open(const hs_host_api *api, hs_host *host, const char *config_json,
                            hs_conn **out, hs_error *err)
{
    hs_conn *conn;
    hs_http_config hc;
    hs_status st;

    if (out == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: open without an output pointer");
    *out = NULL;
    if (api == NULL || !HS_HAS_FIELD(hs_host_api, api->struct_size, store_put))
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: the host lends too few services");
    conn = calloc(1, sizeof *conn);
    if (conn == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    conn->api = api;
    conn->host = host;
    st = hs_eploy_config_parse(config_json, &conn->cfg, err);
    if (st != HS_OK) {
        hs_eploy_config_free(&conn->cfg);
        free(conn);
        return st;
    }
    memset(&hc, 0, sizeof hc);
    hc.api = api;
    hc.host = host;
    hc.log_name = "eploy";
    hc.timeout_ms = conn->cfg.request_timeout_ms;
    hc.max_attempts = conn->cfg.max_attempts;
    hc.min_gap_ms = conn->cfg.min_gap_ms;
    hc.quota_marker = "call limit exceeded";   /* Eploy's daily quota answer */
    hc.on_attempt = hs_eploy_quota_on_attempt;
    hc.on_attempt_ctx = conn;
    conn->http = hs_http_new(&hc);
    if (conn->http == NULL) {
        hs_eploy_config_free(&conn->cfg);
        free(conn);
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: cannot create an HTTP handle");
    }
    *out = conn;
    return HS_OK;
}

static void eploy_close(hs_conn *conn)
{
    if (conn == NULL)
        return;
    hs_http_free(conn->http);
    hs_eploy_token_forget(conn);
    hs_eploy_config_free(&conn->cfg);
    free(conn);
}

static const hs_connector eploy_table = {
    sizeof(hs_connector),
    HS_ABI_VERSION,
    "eploy",
    HS_EPLOY_VERSION,
    HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE |
        HS_CAP_MOVE_RECORD,
    eploy_open,
    eploy_close,
    hs_eploy_check,
    hs_eploy_discover_jobs,
    hs_eploy_read_changes,
    NULL,
    hs_eploy_write_note,
    NULL,
    NULL,
    hs_eploy_move_record,
    NULL, /* sync_subscriptions: Eploy sends no webhooks */
};

HS_CONNECTOR_ENTRY(eploy);

HS_CONNECTOR_ENTRY(eploy)
{
    return HS_ABI_MAJOR_OF(host_abi) == HS_ABI_MAJOR ? &eploy_table : NULL;
}
