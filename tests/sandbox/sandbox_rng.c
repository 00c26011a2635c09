/* Deterministic pseudo-random numbers (splitmix64) for generated data, so the same seed gives
 * the same records on every platform; and OS randomness for bearer tokens. */
#include "sandbox.h"

#include <fcntl.h>
#include <unistd.h>

uint64_t hs_sb_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hs_sb_next(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return hs_sb_mix(*state);
}

void hs_sb_hex_key(uint64_t *state, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    for (int half = 0; half < 2; half++) {
        uint64_t v = hs_sb_next(state);
        for (int i = 0; i < 16; i++) {
            out[half * 16 + i] = hex[v & 15];
            v >>= 4;
        }
    }
    out[32] = '\0';
}

uint64_t hs_sb_random_u64(void)
{
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    return v ^ (uint64_t)hs_sb_now_ms();
}

int hs_sb_random_token(char *out, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[64];
    size_t n = size - 1 < sizeof raw ? size - 1 : sizeof raw;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, raw, n);
    close(fd);
    if (got < 0 || (size_t)got != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[raw[i] & 63];
    out[n] = '\0';
    return 0;
}
