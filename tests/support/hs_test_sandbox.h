/*
 * Test support for hiresync-sandbox: start a sandbox on free ports, read where it listens,
 * stop it, and talk HTTP to it (the admin interface or the API servers) with libcurl.
 *
 * Ownership: an hs_test_sandbox is caller-owned (usually on the stack or static); start fills
 * it, stop kills and reaps the process and clears pid. Response bodies are malloc'd by these
 * functions and freed by the caller (free() for body_out, hs_test_response_clear() for an
 * hs_test_response). Nothing here is thread-safe; call from the test's main thread.
 *
 * The sandbox process receives SIGTERM when the thread that started it exits (Linux), so a
 * crashed test does not leave it running; tests still call hs_test_sandbox_stop().
 */
#ifndef HS_TEST_SANDBOX_H
#define HS_TEST_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

typedef struct hs_test_sandbox {
    pid_t pid;                 /* 0 when not running */
    char eploy_url[256];       /* "http://127.0.0.1:P/api" */
    char willo_url[256];       /* "http://127.0.0.1:Q/api/integrations/v2" */
    char admin_url[256];       /* "http://127.0.0.1:R" */
} hs_test_sandbox;

/* Runs $HIRESYNC_SANDBOX --eploy-port 0 --willo-port 0 --admin-port 0 [extra_args...]
 * (extra_args NULL-terminated, may be NULL; later options override earlier ones) and waits
 * up to 60 s for its JSON line. 0 on success; -1 with a message on stderr. */
int hs_test_sandbox_start(hs_test_sandbox *sb, const char *const *extra_args);

/* SIGTERM, then waitpid (SIGKILL after 5 s). Returns the exit status (0 for a clean stop),
 * or -1 if it was not running or did not exit by itself. */
int hs_test_sandbox_stop(hs_test_sandbox *sb);

typedef struct hs_test_response {
    long status;               /* 0 when no response arrived */
    int curl_code;             /* CURLcode of the transfer (0 ok) */
    char *body;                /* malloc'd, NUL-terminated (may be ""), NULL if none */
    size_t body_len;
    char retry_after[32];      /* header values, "" when absent */
    char www_authenticate[64];
    char location[512];
    char content_type[128];
} hs_test_response;

/* One HTTP request. headers: "Name: value" lines, NULL-terminated, may be NULL. A body is
 * sent as application/json unless a Content-Type header is given. Returns 0 when a response
 * arrived (any status), -1 otherwise (out->curl_code says why). Clear out afterwards. */
int hs_test_request(const char *method, const char *url, const char *const *headers,
                    const char *body, hs_test_response *out);
void hs_test_response_clear(hs_test_response *r);

/* Admin call: method and path (e.g. "POST", "/faults") on sb->admin_url, JSON body or NULL.
 * *status gets the HTTP status; *body_out (if not NULL) a malloc'd body the caller frees.
 * 0 when a response arrived, -1 otherwise. */
int hs_test_admin(const hs_test_sandbox *sb, const char *method, const char *path,
                  const char *json_body, long *status, char **body_out);

/* POST /api/token with JSON client credentials; copies the access token into token.
 * 0 on a 200 with a token, -1 otherwise. */
int hs_test_eploy_token(const hs_test_sandbox *sb, const char *client_id, const char *secret,
                        char *token, size_t size);

#endif
