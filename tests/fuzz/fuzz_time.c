/* Fuzz target: ISO-8601 times as remote APIs write them (hs_time_parse), and the round trip
 * through hs_time_format. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "hs_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size), out[HS_TIME_BUF];
    int64_t ms, again;
    static const int offsets[] = {0, 60, -480, 840};
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        if (hs_time_parse(s, offsets[i], &ms) != 0)
            continue;
        if (hs_time_format(ms, out, sizeof out) != 0)
            continue;
        /* what hiresync writes, it reads back to the same instant */
        if (hs_time_parse(out, 0, &again) != 0 || again != ms)
            abort();
    }
    free(s);
    return 0;
}
