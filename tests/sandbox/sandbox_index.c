/* A hash index from a 64-bit hash to record numbers, for look-ups that must stay cheap with
 * many Willo participants. Several records may share a hash (or a key); the caller's match
 * function, which checks the record itself, decides, so stale entries never answer. */
#include "sandbox.h"

#include <ctype.h>
#include <stdlib.h>

uint64_t hs_sb_hash(const char *s, int fold_case)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        h ^= fold_case ? (unsigned char)tolower(c) : c;
        h *= 0x100000001b3ULL;
    }
    return hs_sb_mix(h);
}

static int grow(hs_sb_index *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 256;
    hs_sb_index_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->slots[i].v)
            continue;
        size_t j = (size_t)ix->slots[i].h & (cap - 1);
        while (slots[j].v)
            j = (j + 1) & (cap - 1);
        slots[j] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    return 0;
}

int hs_sb_index_add(hs_sb_index *ix, uint64_t h, uint32_t v)
{
    if ((ix->n + 1) * 2 > ix->cap && grow(ix))
        return -1;
    size_t j = (size_t)h & (ix->cap - 1);
    while (ix->slots[j].v)
        j = (j + 1) & (ix->cap - 1);
    ix->slots[j].h = h;
    ix->slots[j].v = v + 1;
    ix->n++;
    return 0;
}

uint32_t hs_sb_index_find(const hs_sb_index *ix, uint64_t h, hs_sb_match_fn match,
                          const void *ctx)
{
    if (!ix->cap)
        return UINT32_MAX;
    for (size_t j = (size_t)h & (ix->cap - 1); ix->slots[j].v; j = (j + 1) & (ix->cap - 1))
        if (ix->slots[j].h == h && match(ix->slots[j].v - 1, ctx))
            return ix->slots[j].v - 1;
    return UINT32_MAX;
}

void hs_sb_index_free(hs_sb_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = ix->n = 0;
}
