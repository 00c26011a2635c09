/*
 * Marking a finished application with an Export Package, Eploy's documented de-duplication
 * aid for integrations ("Mark Application Record 'Exported'"). The endpoint is not confirmed
 * by Eploy's public documentation: POST applications/{id}/exports {"ExportPackage":{"Id":n}}
 * (scope export.insert) is a choice, the same as the sandbox's. Marking twice is harmless
 * there, so no lookup comes first.
 *
 * A mark that failed for a passing reason (a timeout, a 5xx, the rate limit) fails the note's
 * write, so that the host keeps its intent: the next cycle finds the note written and marks
 * it then. One refused for good (a missing permission, an unknown package) is logged and the
 * note stands: repeating it would stop the pipeline over an optional mark.
 */
#include <stdio.h>

#include "eploy.h"
#include "hs_errors.h"

hs_status hs_eploy_export_mark(hs_conn *conn, const char *app_id, hs_error *err)
{
    char path[128];
    json_object *body = json_object_new_object();
    json_object *pkg = conn->cfg.export_package != NULL
                           ? hs_eploy_ref(conn->cfg.export_package) : NULL;
    hs_error_local le;
    hs_error *e = hs_error_local_init(&le);
    hs_status st;

    if (body == NULL || pkg == NULL ||
        snprintf(path, sizeof path, "applications/%s/exports", app_id) >= (int)sizeof path) {
        json_object_put(body);
        json_object_put(pkg);
        conn->api->log(conn->host, HS_LOG_WARN, "eploy: application %s not marked with export "
                       "package %s: out of memory or id too long", app_id,
                       conn->cfg.export_package != NULL ? conn->cfg.export_package : "(none)");
        return HS_OK;
    }
    json_object_object_add(body, "ExportPackage", pkg);
    st = hs_eploy_call(conn, "POST", path, body, HS_EPLOY_PERM_EXPORT_INSERT, NULL, NULL, e);
    json_object_put(body);
    if (st == HS_RETRY)
        return hs_error_set(err, HS_RETRY, e->http_status, "%s (the note is written; the next "
                            "cycle marks the application)", e->message);
    if (st != HS_OK) {
        /* The note is written; a missing mark costs only Eploy's "not yet exported" filter. */
        conn->api->log(conn->host, HS_LOG_WARN, "eploy: application %s not marked with export "
                       "package %s: %s", app_id, conn->cfg.export_package, e->message);
        return HS_OK;
    }
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: application %s marked with export package %s",
                   app_id, conn->cfg.export_package);
    return HS_OK;
}
