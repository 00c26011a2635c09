/*
 * URL checks for connectors, built on libcurl's URL API.
 * All functions borrow their arguments; outputs go to caller-owned buffers.
 */
#ifndef HS_URL_H
#define HS_URL_H

#include <stddef.h>

#include <hiresync/connector.h>

/* Accepts an https:// URL, or an http:// URL whose host is a loopback address (127.0.0.0/8,
 * ::1, localhost). Anything else fills err (naming `what`, e.g. "base_url") and returns
 * HS_E_CONFIG. */
hs_status hs_url_check_base(const char *url, const char *what, hs_error *err);

/* 1 when both URLs have the same scheme, host and port (default ports made explicit), else 0
 * (also when either does not parse). Used before following a pagination link. */
int hs_url_same_origin(const char *a, const char *b);

/* Writes the origin of url, "scheme://host:port" (lowercase, the default port made explicit),
 * into out. Returns 0, or -1 when url does not parse or out is too small. */
int hs_url_origin(const char *url, char *out, size_t out_size);

/* Percent-encodes s for a query value into out. Returns 0, or -1 when out is too small. */
int hs_url_escape(const char *s, char *out, size_t out_size);

/* Writes "scheme://host[:port]/path" of url into out, without user, password, query or
 * fragment, for log lines and error messages (a query may carry a secret). Truncates to fit;
 * returns 0, or -1 when url does not parse or the result was truncated. */
int hs_url_describe(const char *url, char *out, size_t out_size);

#endif /* HS_URL_H */
