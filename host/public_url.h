/*
 * The public URL under which a reverse proxy makes the daemon's listener reachable
 * ("public_url" at the top of the configuration or on a pipeline): where `hiresync webhooks
 * sync` points the interview platform's webhook subscriptions.
 *
 * Ownership: every buffer is the caller's.
 */
#ifndef HS_HOST_PUBLIC_URL_H
#define HS_HOST_PUBLIC_URL_H

#include <stddef.h>

#include <json-c/json.h>

/* 0 when s is an https URL (or http to a loopback host: 127.0.0.1, [::1], localhost) with a
 * host and no query, fragment or user part; -1 with why (one line saying what to write). */
int hs_public_url_check(const char *s, char *why, size_t why_size);

/* The pipeline's public URL: its own "public_url", else the configuration's top-level one
 * (top may be NULL); NULL when neither is set. Borrowed from the JSON. */
const char *hs_public_url_of(json_object *pipeline, const char *top);

/* Writes public_url without its trailing slashes, followed by suffix, into out. 0, or -1
 * when it does not fit. */
int hs_public_url_join(const char *public_url, const char *suffix, char *out, size_t size);

#endif /* HS_HOST_PUBLIC_URL_H */
