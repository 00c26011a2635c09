/*
 * What the benchmark programs (bench, bench_fleet, bench_latency) share: fatal errors, a
 * monotonic clock, sleeping, removing a scratch tree, Eploy's page count and its trigger
 * stage ids.
 * No allocation; nothing here keeps a pointer it is given.
 */
#ifndef HS_BENCH_UTIL_H
#define HS_BENCH_UTIL_H

#include <json-c/json.h>

/* The program's name, printed before every fatal message ("bench_fleet"); set it first. */
extern const char *hs_bench_name;

/* Prints "NAME: message" on stderr and exits 1. */
void hs_bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Seconds on the monotonic clock. */
double hs_bench_now_s(void);
/* Sleeps s seconds, resuming after signals. */
void hs_bench_sleep_s(double s);
/* Removes the directory tree at path (0 on success). */
int hs_bench_rmtree(const char *path);
/* An Eploy search envelope's TotalPages, 0 when absent. */
long hs_bench_total_pages(json_object *env);
/* The ids of the "Video Interview" stage of every workflow in a workflows search envelope
 * (with their Stages), comma-separated, into out; dies when there is none. */
void hs_bench_trigger_ids(json_object *env, char *out, size_t size);

#endif /* HS_BENCH_UTIL_H */
