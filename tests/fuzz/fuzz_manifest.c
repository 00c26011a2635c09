/* Fuzz target: the connector manifest loader (a manifest ships beside each connector and
 * may be written by a third party). */
#include <stdlib.h>

#include "../../host/manifest.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_manifest *m = NULL;
    hs_diag diag;
    const char *path = fuzz_file("fuzz.json", data, size);
    if (path == NULL)
        return 0;
    hs_diag_init(&diag);
    if (hs_manifest_load(path, &m, &diag) == 0) {
        if (m == NULL)
            abort();
        hs_manifest_free(m);
    } else if (m != NULL || hs_diag_count(&diag) == 0) {
        abort();
    }
    hs_diag_clear(&diag);
    return 0;
}
