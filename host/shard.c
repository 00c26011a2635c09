/* Which runner runs which pipeline when pipelines are sharded (see shard.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shard.h"

/* A whole decimal number with nothing around it; -1 when it is not one. */
static int64_t whole(const char *s, const char *end)
{
    int64_t v = 0;
    if (s == end || end - s > 9)
        return -1;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int hs_shard_parse(const char *text, hs_shard *out, char *error, size_t error_size)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    int64_t index, count;
    memset(out, 0, sizeof *out);
    if (slash == NULL) {
        snprintf(error, error_size, "shard \"%s\" is not INDEX/COUNT; write e.g. 0/4 for the "
                 "first of 4 shards", text ? text : "");
        return -1;
    }
    index = whole(text, slash);
    count = whole(slash + 1, slash + strlen(slash));
    if (index < 0 || count < 1 || count > (int64_t)HS_SHARD_MAX) {
        snprintf(error, error_size, "shard \"%s\": INDEX and COUNT must be whole numbers, COUNT "
                 "from 1 to %u; write e.g. 0/4", text, HS_SHARD_MAX);
        return -1;
    }
    if (index >= count) {
        snprintf(error, error_size, "shard \"%s\": the index counts from 0, so it must be "
                 "below %" PRId64 "; write 0/%" PRId64 " to %" PRId64 "/%" PRId64, text, count,
                 count, count - 1, count);
        return -1;
    }
    out->index = (uint32_t)index;
    out->count = (uint32_t)count;
    return 0;
}

uint32_t hs_shard_of(const char *pipeline, uint32_t count)
{
    /* 64-bit FNV-1a, fixed forever: another hash would move pipelines to other runners at an
     * upgrade (tests/test_shard.c pins it) */
    uint64_t h = 14695981039346656037ull;
    if (count == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)pipeline; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (uint32_t)(h % count);
}

int hs_shard_has(const hs_shard *shard, const char *pipeline)
{
    if (shard == NULL || shard->count == 0)
        return 1;
    return hs_shard_of(pipeline, shard->count) == shard->index;
}
