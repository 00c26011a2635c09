/*
 * ISO-8601 times as remote APIs write them: with or without fractions, with "Z", an offset,
 * or no zone at all (read as the zone given, UTC unless a connector is configured otherwise).
 */
#ifndef HS_TIME_H
#define HS_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f...]]" with optional "Z" or "+hh:mm"/"-hhmm";
 * a space may stand for "T". A time without a zone is taken as UTC plus
 * default_offset_min minutes. Returns 0 and the milliseconds since the epoch, or -1. */
int hs_time_parse(const char *s, int default_offset_min, int64_t *out_ms);

/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into out (at least 25 bytes).
 * Returns 0, or -1 when out is too small or ms is out of range. */
int hs_time_format(int64_t ms, char *out, size_t out_size);

#define HS_TIME_BUF 32

#endif /* HS_TIME_H */
