/* Fuzz target: the configuration loader with the shipped connector manifests (every check
 * of the file a user writes: keys, types, secrets, connections, pipelines, mappings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/configuration.h"
#include "fuzz_support.h"

#ifndef FUZZ_MANIFEST_DIR
#define FUZZ_MANIFEST_DIR "manifests/connectors"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hs_manifest_set *manifests;
    hs_config *cfg = NULL;
    hs_diag diag;
    const char *path;
    if (manifests == NULL) {
        const char *dir = getenv("HIRESYNC_MANIFEST_DIR");
        hs_diag_init(&diag);
        if (hs_manifest_set_load(dir ? dir : FUZZ_MANIFEST_DIR, &manifests, &diag) != 0) {
            hs_diag_print(&diag, stderr);
            abort();
        }
        hs_diag_clear(&diag);
    }
    path = fuzz_file("hiresync.json", data, size);
    if (path == NULL)
        return 0;
    hs_diag_init(&diag);
    if (hs_config_load(path, manifests, &cfg, &diag) == 0) {
        if (cfg == NULL)
            abort();
        hs_config_free(cfg);
    } else if (cfg != NULL || hs_diag_count(&diag) == 0) {
        abort(); /* a refusal names at least one problem and returns nothing */
    }
    hs_diag_clear(&diag);
    return 0;
}
