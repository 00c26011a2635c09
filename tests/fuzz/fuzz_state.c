/* Fuzz target: the state loader (the snapshot's format, sequence, checksum and body, and the
 * journal replayed after it), as a pipeline's files read from disk after a crash, a bad copy
 * or an edit by hand. The input is the snapshot, then optionally a line "@@" and the
 * journal. */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../host/state.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[HS_STATE_ERR_MAX];
    hs_state *st = NULL;
    const uint8_t *sep = memmem(data, size, "\n@@\n", 4);
    size_t n = sep ? (size_t)(sep - data) : size;
    const char *path = fuzz_file("p.state", data, n);
    if (path == NULL)
        return 0;
    if (sep != NULL) {
        if (fuzz_file("p.journal", sep + 4, size - n - 4) == NULL)
            return 0;
    } else {
        char journal[300];
        snprintf(journal, sizeof journal, "%s/p.journal", fuzz_dir());
        unlink(journal);
    }
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
