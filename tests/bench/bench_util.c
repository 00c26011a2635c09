/* Helpers shared by the benchmark programs (see bench_util.h). */
#define _XOPEN_SOURCE 700

#include "bench_util.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *hs_bench_name = "bench";

void hs_bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", hs_bench_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

double hs_bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hs_bench_sleep_s(double s)
{
    struct timespec ts;
    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)(time_t)s) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int hs_bench_rmtree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

long hs_bench_total_pages(json_object *env)
{
    json_object *v;
    return json_object_object_get_ex(env, "TotalPages", &v) ? (long)json_object_get_int64(v) : 0;
}

void hs_bench_trigger_ids(json_object *env, char *out, size_t size)
{
    json_object *recs = json_object_object_get(env, "Records");
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(recs); i++) {
        json_object *stages = json_object_object_get(json_object_array_get_idx(recs, i), "Stages");
        for (size_t j = 0; j < json_object_array_length(stages); j++) {
            json_object *st = json_object_array_get_idx(stages, j);
            const char *d = json_object_get_string(json_object_object_get(st, "Description"));
            const char *id = json_object_get_string(json_object_object_get(st, "Id"));
            if (d && id && strcmp(d, "Video Interview") == 0 && len + strlen(id) + 2 < size)
                len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", id);
        }
    }
    if (len == 0)
        hs_bench_die("the sandbox has no \"Video Interview\" stage");
}
