/*
 * Webhook subscriptions managed by hiresync: for every pipeline with a public URL
 * ("public_url" on the pipeline or at the top of the configuration), exactly one subscription
 * on its interviews connection, pointing at PUBLIC_URL/hooks/willo/PIPELINE/TOKEN. The
 * subscriptions hiresync owns are those under PUBLIC_URL/hooks/willo/: stale ones there are
 * removed; nothing else is touched. The connector does the talking (sync_subscriptions,
 * hiresync-connector(7) rule 11), once per connection and owned prefix (a group).
 *
 * Two connections may reach one account (the same key configured twice): then each group
 * would see the other's subscriptions under the shared prefix and delete them as stale. So,
 * when other groups share its prefix, a group is first inspected (apply = 0); a subscription
 * it would delete in the slot of another group's pipeline is looked up through that group's
 * connection, and when it is there too (same key: same account) that pipeline's target joins
 * this group's request, so it is kept. A pipeline's leftover in an account that is not its
 * connection's, and those of pipelines that are gone, are still deleted. A subscription seen
 * by two groups is reported once.
 *
 * Ownership: the app is borrowed; the hs_subscription given to the callback and its strings
 * live for the call only. The target URLs carry tokens: callers print them masked
 * (hs_subscriptions_mask).
 */
#ifndef HS_HOST_SUBSCRIPTIONS_H
#define HS_HOST_SUBSCRIPTIONS_H

#include <stddef.h>

#include <hiresync/connector.h>

#include "app.h"

/* Called once per subscription reported: the pipeline it belongs to (NULL for a stale one
 * of no configured pipeline), the subscription and the hs_subscription_action. */
typedef void (*hs_subscriptions_fn)(void *ctx, const char *pipeline, const hs_subscription *s,
                                    uint32_t action);

/* Syncs (apply = 1) or inspects (apply = 0) the subscriptions of pipeline, or of every
 * pipeline with a public URL when pipeline is NULL. With apply, makes the tokens that are
 * missing. Goes on after a connection fails. Returns the number of pipelines set up (or
 * inspected), or -1 with why (one line per failure) when any failed. */
int hs_subscriptions_sync(hs_app *app, const char *pipeline, int apply, hs_subscriptions_fn fn,
                          void *ctx, char *why, size_t why_size);

/* For `check`: the state of pipeline's subscription as an hs_check_result with a one-line
 * message in msg; -1 when the pipeline has no public URL (nothing to report). */
int hs_subscriptions_state(hs_app *app, const char *pipeline, char *msg, size_t size);

/* The URL with its token (anything after PIPELINE/) replaced by "…": for printing. */
void hs_subscriptions_mask(const char *url, char *out, size_t size);

/* Verbs for an action: the done form ("created") or, without apply, the state ("missing"). */
const char *hs_subscriptions_verb(uint32_t action, int applied);

#endif /* HS_HOST_SUBSCRIPTIONS_H */
