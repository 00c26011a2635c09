/* Helpers shared by the sandbox's Check tests (see test_util.h). */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hs_test_sandbox hs_tu_sb;
const char *const *hs_tu_args;

void hs_tu_start(void)
{
    if (hs_test_sandbox_start(&hs_tu_sb, hs_tu_args) != 0) {
        fprintf(stderr, "cannot start the sandbox\n");
        exit(1);
    }
}

void hs_tu_stop(void)
{
    hs_test_sandbox_stop(&hs_tu_sb);
}

void hs_tu_reset(void)
{
    long status = 0;
    ck_assert_int_eq(hs_test_admin(&hs_tu_sb, "POST", "/reset", NULL, &status, NULL), 0);
    ck_assert_int_eq(status, 200);
}

void hs_tu_resp_clear(hs_tu_resp *r)
{
    hs_test_response_clear(&r->http);
    json_object_put(r->json);
    r->json = NULL;
}

static void call(const char *method, const char *url, const char *header, const char *body,
                 hs_tu_resp *out)
{
    const char *headers[2] = { header, NULL };
    memset(out, 0, sizeof *out);
    hs_test_request(method, url, header ? headers : NULL, body, &out->http);
    out->json = out->http.body ? json_tokener_parse(out->http.body) : NULL;
}

void hs_tu_eploy(const char *method, const char *path, const char *token, const char *body,
              hs_tu_resp *out)
{
    char url[1024], auth[512];
    snprintf(url, sizeof url, "%s%s", hs_tu_sb.eploy_url, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    call(method, url, token ? auth : NULL, body, out);
}

void hs_tu_willo(const char *method, const char *path, const char *auth, const char *body,
              hs_tu_resp *out)
{
    char url[2048], header[512];
    if (strncmp(path, "http", 4) == 0)
        snprintf(url, sizeof url, "%s", path);
    else
        snprintf(url, sizeof url, "%s%s", hs_tu_sb.willo_url, path);
    snprintf(header, sizeof header, "Authorization: %s", auth ? auth : "");
    call(method, url, auth ? header : NULL, body, out);
}

void hs_tu_admin(const char *method, const char *path, const char *body, hs_tu_resp *out)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", hs_tu_sb.admin_url, path);
    call(method, url, NULL, body, out);
}

const char *hs_tu_token(void)
{
    static char token[128];
    ck_assert_int_eq(hs_test_eploy_token(&hs_tu_sb, "sandbox-client", "sandbox-secret", token,
                                         sizeof token), 0);
    return token;
}

json_object *hs_tu_get(json_object *o, const char *path)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *save = NULL;
    for (char *t = strtok_r(tmp, ".", &save); t && o; t = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(o, json_type_array)) {
            char *end;
            long i = strtol(t, &end, 10);
            o = *end || i < 0 ? NULL : json_object_array_get_idx(o, (size_t)i);
        } else if (!json_object_object_get_ex(o, t, &o)) {
            o = NULL;
        }
    }
    return o;
}

const char *hs_tu_str(json_object *o, const char *path)
{
    json_object *v = hs_tu_get(o, path);
    return v && !json_object_is_type(v, json_type_null) ? json_object_get_string(v) : NULL;
}

long long hs_tu_int(json_object *o, const char *path)
{
    json_object *v = hs_tu_get(o, path);
    return v ? (long long)json_object_get_int64(v) : -1;
}

size_t hs_tu_len(json_object *o, const char *path)
{
    json_object *v = hs_tu_get(o, path);
    return v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

TCase *hs_tu_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, hs_tu_start, hs_tu_stop);
    tcase_add_checked_fixture(tc, hs_tu_reset, NULL);
    return tc;
}

int hs_tu_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
