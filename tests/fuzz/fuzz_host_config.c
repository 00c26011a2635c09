/* Completing a fuzz target's configuration with hiresync's validator (host/configuration.c). */
#include "fuzz_host_config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../host/configuration.h"

#ifndef FUZZ_MANIFEST_DIR
#define FUZZ_MANIFEST_DIR "manifests/connectors"
#endif

const char *fuzz_host_config(const char *connector, const char *settings)
{
    static char *complete;
    char path[4096];
    hs_manifest *manifest = NULL;
    hs_diag diag;

    if (complete != NULL)
        return complete;
    hs_diag_init(&diag);
    snprintf(path, sizeof path, "%s/%s.json", FUZZ_MANIFEST_DIR, connector);
    if (hs_manifest_load(path, &manifest, &diag) != 0
        || hs_config_connection_settings(manifest, connector, settings, &complete, &diag) != 0) {
        fprintf(stderr, "%s\n", diag.n > 0 ? diag.lines[0] : "the configuration is invalid");
        abort();
    }
    hs_manifest_free(manifest);
    hs_diag_clear(&diag);
    return complete;
}
