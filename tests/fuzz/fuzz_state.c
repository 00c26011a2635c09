/* Fuzz target: the state file loader (format, sequence, checksum, body), as a pipeline's
 * state file read from disk after a crash, a bad copy or an edit by hand. */
#include <stdlib.h>
#include <string.h>

#include "../../host/state.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[HS_STATE_ERR_MAX];
    hs_state *st = NULL;
    const char *path = fuzz_file("p.state", data, size);
    if (path == NULL)
        return 0;
    err[0] = '\0';
    if (hs_state_peek(fuzz_dir(), "p", &st, err, sizeof err) == 0) {
        if (st == NULL || st->body == NULL)
            abort();
        hs_state_free(st);
    } else if (st != NULL || memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
        abort(); /* a refusal says why and returns nothing */
    }
    st = NULL;
    if (hs_state_load(fuzz_dir(), "p", &st, err, sizeof err) == 0)
        hs_state_free(st);
    return 0;
}
