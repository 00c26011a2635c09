/*
 * Helpers shared by the sandbox's Check tests: one sandbox per test program (started in an
 * unchecked fixture, reset before each test), HTTP calls to its servers, JSON look-ups.
 *
 * Ownership: hs_tu_sb is the program's sandbox. Every json_object returned by hs_tu_* is a new
 * reference the caller releases with json_object_put(); hs_tu_get() returns a borrowed pointer
 * into the object passed in.
 */
#ifndef HS_TEST_SANDBOX_UTIL_H
#define HS_TEST_SANDBOX_UTIL_H

#include <check.h>
#include <json-c/json.h>

#include "hs_test_sandbox.h"

extern hs_test_sandbox hs_tu_sb;
extern const char *const *hs_tu_args;               /* extra start-up arguments, may be NULL */

void hs_tu_start(void);                             /* unchecked fixture */
void hs_tu_stop(void);
void hs_tu_reset(void);                             /* checked fixture: POST /reset */

/* A test case with the sandbox started once (hs_tu_start/stop) and reset before each test;
 * owned by the suite it is added to. */
TCase *hs_tu_tcase(const char *name);
/* Runs the suite (taking ownership of it) and returns the process exit status. */
int hs_tu_run(Suite *suite);

/* Response of a call, body parsed when it is JSON (NULL otherwise). */
typedef struct hs_tu_resp {
    hs_test_response http;
    json_object *json;
} hs_tu_resp;
void hs_tu_resp_clear(hs_tu_resp *r);

/* Eploy call with a bearer token (NULL for none); path relative to eploy_url. */
void hs_tu_eploy(const char *method, const char *path, const char *token, const char *body,
              hs_tu_resp *out);
/* Willo call with an Authorization header value (NULL for none); path relative to willo_url,
 * or an absolute URL. */
void hs_tu_willo(const char *method, const char *path, const char *auth, const char *body,
              hs_tu_resp *out);
/* Admin call; path relative to admin_url. */
void hs_tu_admin(const char *method, const char *path, const char *body, hs_tu_resp *out);
/* Token for the default key (asserts success); returns a static buffer. */
const char *hs_tu_token(void);

/* "a.b.0.c" into o; NULL when any step is missing. */
json_object *hs_tu_get(json_object *o, const char *path);
const char *hs_tu_str(json_object *o, const char *path);  /* NULL if missing or null */
long long hs_tu_int(json_object *o, const char *path);     /* -1 if missing */
size_t hs_tu_len(json_object *o, const char *path);        /* array length, 0 if missing */

#endif
