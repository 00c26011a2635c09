/* Connector test configurations checked and completed by hiresync's own validator. */
#define _POSIX_C_SOURCE 200809L
#include "hs_test_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/configuration.h"
#include "../../host/secret.h"

static void set_error(hs_error *err, const char *message)
{
    if (err == NULL || err->struct_size < sizeof(*err) || err->message == NULL ||
        err->message_size == 0)
        return;
    snprintf(err->message, err->message_size, "%s", message);
}

char *hs_test_config_complete(const char *connector, const char *settings_json, hs_error *err)
{
    const char *dir = getenv("HIRESYNC_MANIFEST_DIR");
    char path[4096];
    hs_manifest *manifest = NULL;
    char *out = NULL;
    hs_diag diag;

    hs_diag_init(&diag);
    if (dir == NULL || *dir == '\0')
        dir = "manifests/connectors";
    if (snprintf(path, sizeof path, "%s/%s.json", dir, connector) >= (int)sizeof path) {
        set_error(err, "manifest path too long");
        goto out;
    }
    if (hs_manifest_load(path, &manifest, &diag) != 0
        || hs_config_connection_settings(manifest, connector, settings_json, &out, &diag) != 0)
        set_error(err, diag.n > 0 ? diag.lines[0] : "validation failed");
out:
    hs_manifest_free(manifest);
    hs_diag_clear(&diag);
    return out;
}

hs_status hs_test_module_open(const hs_test_module *m, hs_test_host *h,
                              const char *settings_json, hs_conn **out, hs_error *err)
{
    const hs_connector *c = hs_test_module_connector(m);
    *out = NULL;
    if (c == NULL) {
        set_error(err, "no connector loaded");
        return HS_E_INTERNAL;
    }
    char *complete = hs_test_config_complete(c->name, settings_json, err);
    if (complete == NULL)
        return HS_E_CONFIG;
    hs_status st = c->open(hs_test_host_api(), hs_test_host_handle(h), complete, out, err);
    hs_secret_free(complete);
    return st;
}
