/*
 * Webhook doorbell tokens. Each pipeline's token (HS_WEBHOOK_TOKEN_LEN hex digits: 256 random
 * bits from getrandom) lives in <state_dir>/<pipeline>.webhook, mode 0600, created on first
 * use by `hiresync webhooks url` or `hiresync run` with a listener. A delivery to
 * /hooks/willo/<pipeline>/<token> rings that pipeline's doorbell; the token is compared in
 * constant time. Deleting the file (and restarting or reloading the daemon) rotates it.
 *
 * Ownership: every buffer is the caller's. Tokens are secrets: never log them.
 */
#ifndef HS_HOST_WEBHOOK_H
#define HS_HOST_WEBHOOK_H

#include <stddef.h>

#define HS_WEBHOOK_TOKEN_LEN 64
#define HS_WEBHOOK_PATH_PREFIX "/hooks/willo/"

/* Reads the pipeline's token into out (HS_WEBHOOK_TOKEN_LEN + 1 bytes); with create, makes
 * one first when there is none (the state directory too). Returns 0; 1 when there is none
 * and create is 0; -1 with why (one line naming the file) in the caller's buffer. */
int hs_webhook_token(const char *state_dir, const char *pipeline, int create, char *out,
                     char *why, size_t why_size);

/* 1 when b equals a, a token of HS_WEBHOOK_TOKEN_LEN characters; the time taken does not
 * depend on where they differ. 0 otherwise (an a of another length never matches). */
int hs_webhook_token_equal(const char *a, const char *b);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void hs_webhook_wipe(void *p, size_t n);

#endif /* HS_HOST_WEBHOOK_H */
