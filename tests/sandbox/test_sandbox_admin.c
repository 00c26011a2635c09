/* The sandbox as a program and its admin interface: start-up line, clean stop, options,
 * deterministic data, fault injection of every kind, statistics, moves, candidate edits,
 * reset. */
#include "test_util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const args[] = { "--seed", "3", NULL };

static const char *const page_body = "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1}}";

START_TEST(startup_line_and_clean_stop)
{
    hs_test_sandbox sb;
    const char *const extra[] = { "--applications", "10", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), 0);
    ck_assert_int_gt(sb.pid, 0);
    ck_assert_int_eq(strncmp(sb.eploy_url, "http://127.0.0.1:", 17), 0);
    ck_assert_str_eq(sb.eploy_url + strlen(sb.eploy_url) - 4, "/api");
    ck_assert_int_eq(strncmp(sb.willo_url, "http://127.0.0.1:", 17), 0);
    ck_assert_ptr_nonnull(strstr(sb.willo_url, "/api/integrations/v2"));
    ck_assert_int_eq(strncmp(sb.admin_url, "http://127.0.0.1:", 17), 0);
    long status;
    ck_assert_int_eq(hs_test_admin(&sb, "GET", "/stats", NULL, &status, NULL), 0);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(hs_test_sandbox_stop(&sb), 0);
    ck_assert_int_eq(sb.pid, 0);
}
END_TEST

START_TEST(bad_option_refused)
{
    hs_test_sandbox sb;
    const char *const extra[] = { "--applications", "many", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), -1);
    ck_assert_int_eq(sb.pid, 0);
    const char *const extra2[] = { "--eploy-key", "nosecret", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra2), -1);
}
END_TEST

static char *first_page(const hs_test_sandbox *sb)
{
    char url[512], token[128];
    hs_test_response r;
    ck_assert_int_eq(hs_test_eploy_token(sb, "sandbox-client", "sandbox-secret", token, sizeof token), 0);
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[] = { auth, NULL };
    snprintf(url, sizeof url, "%s/applications/search", sb->eploy_url);
    ck_assert_int_eq(hs_test_request("POST", url, h, page_body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    char *body = r.body;
    r.body = NULL;
    hs_test_response_clear(&r);
    return body;
}

START_TEST(same_seed_same_data)
{
    hs_test_sandbox a, b, c;
    const char *const s5[] = { "--seed", "5", "--data-end", "2026-01-01", NULL };
    const char *const s6[] = { "--seed", "6", "--data-end", "2026-01-01", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&a, s5), 0);
    ck_assert_int_eq(hs_test_sandbox_start(&b, s5), 0);
    ck_assert_int_eq(hs_test_sandbox_start(&c, s6), 0);
    char *pa = first_page(&a), *pb = first_page(&b), *pc = first_page(&c);
    ck_assert_str_eq(pa, pb);
    ck_assert_str_ne(pa, pc);
    ck_assert_ptr_nonnull(strstr(pa, "\"ModificationDate\":\"2025-"));
    free(pa);
    free(pb);
    free(pc);
    hs_test_sandbox_stop(&a);
    hs_test_sandbox_stop(&b);
    hs_test_sandbox_stop(&c);
}
END_TEST

START_TEST(date_styles)
{
    static const char *const styles[] = { "utc", "naive", "seconds" };
    static const char *const shapes[] = { "dddd-dd-ddTdd:dd:dd.dddZ", "dddd-dd-ddTdd:dd:dd.ddd",
                                          "dddd-dd-ddTdd:dd:ddZ" };
    for (int i = 0; i < 3; i++) {
        hs_test_sandbox sb;
        const char *const extra[] = { "--eploy-date-style", styles[i], NULL };
        ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), 0);
        char *page = first_page(&sb);
        json_object *o = json_tokener_parse(page);
        const char *date = hs_tu_str(o, "Records.0.ModificationDate");
        ck_assert_uint_eq(strlen(date), strlen(shapes[i]));
        for (size_t k = 0; date[k]; k++)
            ck_assert_msg(shapes[i][k] == 'd' ? date[k] >= '0' && date[k] <= '9' : date[k] == shapes[i][k],
                          "%s: %s", styles[i], date);
        json_object_put(o);
        free(page);
        hs_test_sandbox_stop(&sb);
    }
}
END_TEST

static long call_status(const char *method, const char *url, const char *header, const char *body,
                        char **body_out)
{
    const char *h[] = { header, NULL };
    hs_test_response r;
    hs_test_request(method, url, header ? h : NULL, body, &r);
    long status = r.status;
    if (body_out) {
        *body_out = r.body;
        r.body = NULL;
    }
    hs_test_response_clear(&r);
    return status;
}

START_TEST(willo_and_quota_options)
{
    hs_test_sandbox sb;
    const char *const extra[] = { "--willo-auth", "token", "--willo-key", "k-one", "--willo-key", "k-two",
                                  "--willo-duplicates", "return", "--interviews", "2",
                                  "--participants", "7", "--quota-per-day", "2", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), 0);
    char url[512], *body = NULL;
    snprintf(url, sizeof url, "%s/participants/?page_size=30", sb.willo_url);
    ck_assert_int_eq(call_status("GET", url, "Authorization: Bearer k-one", NULL, NULL), 401);
    ck_assert_int_eq(call_status("GET", url, "Authorization: Token sandbox-willo-key", NULL, NULL), 401);
    ck_assert_int_eq(call_status("GET", url, "Authorization: Token k-two", NULL, &body), 200);
    json_object *o = json_tokener_parse(body);
    free(body);
    ck_assert_int_eq(hs_tu_int(o, "count"), 7);
    int completed = 0;
    for (size_t i = 0; i < 7; i++) {
        char path[64];
        snprintf(path, sizeof path, "results.%zu.status", i);
        completed += strcmp(hs_tu_str(o, path), "completed") == 0;
    }
    ck_assert_int_eq(completed, 2);
    char invite[256];
    snprintf(invite, sizeof invite, "{\"interview\":\"%s\",\"email\":\"%s\"}",
             hs_tu_str(o, "results.0.interview"), hs_tu_str(o, "results.0.email"));
    json_object_put(o);
    snprintf(url, sizeof url, "%s/participants/", sb.willo_url);
    ck_assert_int_eq(call_status("POST", url, "Authorization: Token k-one", invite, NULL), 200);

    char token[128];
    ck_assert_int_eq(hs_test_eploy_token(&sb, "sandbox-client", "sandbox-secret", token, sizeof token), 0);
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(url, sizeof url, "%s/vacancies/search", sb.eploy_url);
    ck_assert_int_eq(call_status("POST", url, auth, "{}", NULL), 200);
    ck_assert_int_eq(call_status("POST", url, auth, "{}", NULL), 429);
    ck_assert_int_eq(hs_test_sandbox_stop(&sb), 0);
}
END_TEST

START_TEST(date_style_and_token_ttl)
{
    hs_test_sandbox sb;
    const char *const extra[] = { "--eploy-date-style", "offset", "--token-ttl", "120", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), 0);
    char *page = first_page(&sb);
    json_object *o = json_tokener_parse(page);
    const char *date = hs_tu_str(o, "Records.0.ModificationDate");
    ck_assert_str_eq(date + strlen(date) - 6, "+01:00");
    json_object_put(o);
    free(page);
    char url[512];
    hs_test_response r;
    snprintf(url, sizeof url, "%s/token", sb.eploy_url);
    hs_test_request("POST", url, NULL,
                    "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
                    "\"client_secret\":\"sandbox-secret\"}", &r);
    o = json_tokener_parse(r.body);
    ck_assert_int_eq(hs_tu_int(o, "expires_in"), 119);
    json_object_put(o);
    hs_test_response_clear(&r);
    hs_test_sandbox_stop(&sb);
}
END_TEST

static void add_fault(const char *rule)
{
    hs_tu_resp r;
    hs_tu_admin("POST", "/faults", rule, &r);
    ck_assert_msg(r.http.status == 201, "fault %s: %ld %s", rule, r.http.status, r.http.body);
    hs_tu_resp_clear(&r);
}

START_TEST(fault_status_with_retry_after)
{
    const char *token = hs_tu_token();
    add_fault("{\"server\":\"eploy\",\"route\":\"/api/applications/search\",\"status\":429,\"retry_after\":7,\"count\":1}");
    hs_tu_resp r;
    hs_tu_eploy("POST", "/applications/search", token, page_body, &r);
    ck_assert_int_eq(r.http.status, 429);
    ck_assert_str_eq(r.http.retry_after, "7");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "error_message"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/applications/search", token, page_body, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);

    add_fault("{\"server\":\"willo\",\"route\":\"/participants/\",\"status\":503,\"count\":2}");
    add_fault("{\"server\":\"willo\",\"route\":\"/api/integrations/v2/interviews/\",\"status\":500}");
    for (int i = 0; i < 2; i++) {
        hs_tu_willo("GET", "/participants/", "Bearer sandbox-willo-key", NULL, &r);
        ck_assert_int_eq(r.http.status, 503);
        ck_assert_ptr_nonnull(hs_tu_str(r.json, "detail"));
        ck_assert_str_eq(r.http.retry_after, "");
        hs_tu_resp_clear(&r);
    }
    hs_tu_willo("GET", "/participants/", "Bearer sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Bearer sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 500);
    hs_tu_resp_clear(&r);
    /* method-specific rule leaves other methods alone */
    add_fault("{\"server\":\"willo\",\"route\":\"/participants/\",\"method\":\"POST\",\"status\":502}");
    hs_tu_willo("GET", "/participants/", "Bearer sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(fault_reset_truncate_malformed)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    add_fault("{\"server\":\"eploy\",\"route\":\"/api/applications/search\",\"kind\":\"reset\"}");
    hs_tu_eploy("POST", "/applications/search", token, page_body, &r);
    ck_assert_int_eq(r.http.status, 0);
    ck_assert_int_eq(r.http.curl_code, CURLE_GOT_NOTHING);
    hs_tu_resp_clear(&r);

    add_fault("{\"server\":\"eploy\",\"route\":\"/api/applications/search\",\"kind\":\"truncate\"}");
    hs_tu_eploy("POST", "/applications/search", token, page_body, &r);
    ck_assert_int_eq(r.http.curl_code, CURLE_PARTIAL_FILE);
    hs_tu_resp_clear(&r);

    add_fault("{\"server\":\"willo\",\"route\":\"/interviews/\",\"kind\":\"malformed\"}");
    hs_tu_willo("GET", "/interviews/", "Bearer sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(r.http.curl_code, CURLE_OK);
    ck_assert_ptr_null(r.json);
    ck_assert_uint_gt(r.http.body_len, 0);
    hs_tu_resp_clear(&r);

    add_fault("{\"server\":\"eploy\",\"route\":\"/api/token\",\"delay_ms\":50}");
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"sandbox-secret\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/faults", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 0);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/applications/search", token, page_body, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(fault_rules_managed)
{
    hs_tu_resp r;
    const char *token = hs_tu_token();
    add_fault("{\"server\":\"eploy\",\"route\":\"/api/\",\"status\":500,\"count\":-1}");
    hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 500);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/faults", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 1);
    hs_tu_resp_clear(&r);
    hs_tu_admin("DELETE", "/faults", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"sandbox-secret\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    const char *bad[] = { "{\"server\":\"ats\",\"status\":500}", "{\"server\":\"eploy\",\"kind\":\"explode\"}",
                          "{\"server\":\"eploy\",\"status\":1000}", "not json" };
    for (int i = 0; i < 4; i++) {
        hs_tu_admin("POST", "/faults", bad[i], &r);
        ck_assert_msg(r.http.status == 400, "%s accepted", bad[i]);
        ck_assert_ptr_nonnull(hs_tu_str(r.json, "error"));
        hs_tu_resp_clear(&r);
    }
}
END_TEST

START_TEST(stats_count_routes_and_statuses)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_eploy("GET", "/candidates/3000002", token, NULL, &r);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000003", token, NULL, &r);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000003", NULL, NULL, &r);
    hs_tu_resp_clear(&r);
    add_fault("{\"server\":\"eploy\",\"route\":\"/api/vacancies/search\",\"status\":429,\"retry_after\":1}");
    hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/", "Bearer sandbox-willo-key", NULL, &r);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Bearer sandbox-willo-key", NULL, &r);
    char path[160];
    snprintf(path, sizeof path, "/interviews/%s/", hs_tu_str(r.json, "results.0.key"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", path, "Bearer sandbox-willo-key", NULL, &r);
    hs_tu_resp_clear(&r);

    hs_tu_admin("GET", "/stats", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    json_object *routes = hs_tu_get(r.json, "eploy.routes");
    ck_assert_int_eq(hs_tu_int(r.json, "eploy.requests"), 5);
    ck_assert_int_eq(hs_tu_int(routes, "POST /api/token.200"), 1);
    json_object *cand;
    ck_assert(json_object_object_get_ex(routes, "GET /api/candidates/{id}", &cand));
    ck_assert_int_eq(hs_tu_int(cand, "200"), 2);
    ck_assert_int_eq(hs_tu_int(cand, "401"), 1);
    ck_assert(json_object_object_get_ex(routes, "POST /api/vacancies/search", &cand));
    ck_assert_int_eq(hs_tu_int(cand, "429"), 1);
    json_object *w = hs_tu_get(r.json, "willo.routes");
    ck_assert_int_eq(hs_tu_int(r.json, "willo.requests"), 3);
    ck_assert(json_object_object_get_ex(w, "GET /participants/", &cand));
    ck_assert_int_eq(hs_tu_int(cand, "200"), 1);
    ck_assert(json_object_object_get_ex(w, "GET /interviews/{key}/", &cand));
    ck_assert_int_eq(hs_tu_int(cand, "200"), 1);
    hs_tu_resp_clear(&r);
    hs_tu_admin("DELETE", "/stats", NULL, &r);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/stats", NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "eploy.requests"), 0);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(move_bumps_modification_date)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_admin("GET", "/eploy/applications?stage=New", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_gt(json_object_array_length(r.json), 0);
    ck_assert_str_eq(hs_tu_str(r.json, "0.Stage"), "New");
    long long id = hs_tu_int(r.json, "0.ApplicationId");
    hs_tu_resp_clear(&r);
    json_object *o;
    hs_tu_eploy("POST", "/applications/search", token, "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1}}", &r);
    o = json_object_get(r.json);
    hs_tu_resp_clear(&r);
    char since[64], path[128], body[512];
    size_t n = hs_tu_len(o, "Records");
    snprintf(since, sizeof since, "%s", hs_tu_str(json_object_array_get_idx(hs_tu_get(o, "Records"), n - 1), "ModificationDate"));
    json_object_put(o);

    snprintf(path, sizeof path, "/eploy/applications/%lld/move", id);
    hs_tu_admin("POST", path, "{\"stage\":\"Nowhere\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", path, "{\"stage\":\"Video Interview\",\"status\":\"Bogus\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/eploy/applications/1/move", "{\"stage\":\"New\"}", &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", path, "{\"stage\":\"Video Interview\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Stage.Description"), "Video Interview");
    hs_tu_resp_clear(&r);

    snprintf(body, sizeof body,
             "{\"Filters\":[{\"Route\":\"Application.ModificationDate\",\"Operation\":\"GreaterThan\",\"Value\":\"%s\"}]}", since);
    hs_tu_eploy("POST", "/applications/search", token, body, &r);
    ck_assert_uint_eq(hs_tu_len(r.json, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(r.json, "Records.0.ApplicationId"), id);
    ck_assert_str_eq(hs_tu_str(r.json, "Records.0.Workflow.Stage.Description"), "Video Interview");
    hs_tu_resp_clear(&r);
    /* the whole set still has every application once */
    hs_tu_eploy("POST", "/applications/search", token, "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1}}", &r);
    ck_assert_uint_eq(hs_tu_len(r.json, "Records"), 50);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(candidate_patch)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_admin("PATCH", "/eploy/candidates/3000004", "{\"Email\":null,\"FirstName\":\"Zoë\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000004", token, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert(json_object_object_get_ex(r.json, "Email", NULL));
    ck_assert_ptr_null(hs_tu_str(r.json, "Email"));
    ck_assert_str_eq(hs_tu_str(r.json, "FirstName"), "Zoë");
    hs_tu_resp_clear(&r);
    hs_tu_admin("PATCH", "/eploy/candidates/3000004", "{\"Email\":\"new@example.com\"}", &r);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/candidates/search", token,
             "{\"Filters\":[{\"Route\":\"Candidate.ModificationDate\",\"Operation\":\"GreaterThan\",\"Value\":\"2026-11-01T00:00:00Z\"}]}", &r);
    ck_assert_uint_ge(hs_tu_len(r.json, "Records"), 1);
    json_object *recs = hs_tu_get(r.json, "Records");
    json_object *last = json_object_array_get_idx(recs, json_object_array_length(recs) - 1);
    ck_assert_int_eq(hs_tu_int(last, "CandidateId"), 3000004);
    ck_assert_str_eq(hs_tu_str(last, "Email"), "new@example.com");
    hs_tu_resp_clear(&r);
    hs_tu_admin("PATCH", "/eploy/candidates/42", "{}", &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(oversized_body_refused)
{
    size_t n = 1100 * 1024;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    hs_tu_resp r;
    hs_tu_eploy("POST", "/applications/search", hs_tu_token(), big, &r);
    ck_assert_int_eq(r.http.status, 413);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "error_message"));
    hs_tu_resp_clear(&r);
    free(big);
}
END_TEST

START_TEST(reset_restores)
{
    hs_tu_resp r;
    hs_tu_eploy("POST", "/actions", hs_tu_token(), "{\"ActionType\":{\"Id\":\"1\"},\"Application\":{\"Id\":200001},\"Description\":\"n\"}", &r);
    ck_assert_int_eq(r.http.status, 201);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/willo/settings", "{\"duplicates\":\"create\",\"auth\":\"token\"}", &r);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/reset", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/eploy/actions", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 0);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/willo/settings", NULL, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "duplicates"), "reject");
    ck_assert_str_eq(hs_tu_str(r.json, "auth"), "any");
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/nothing", NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(large_tenant_pages)
{
    hs_test_sandbox sb;
    const char *const extra[] = { "--applications", "200000", NULL };
    ck_assert_int_eq(hs_test_sandbox_start(&sb, extra), 0);
    char token[128], url[512], auth[256];
    ck_assert_int_eq(hs_test_eploy_token(&sb, "sandbox-client", "sandbox-secret", token, sizeof token), 0);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[] = { auth, NULL };
    snprintf(url, sizeof url, "%s/applications/search", sb.eploy_url);
    hs_test_response r;
    hs_test_request("POST", url, h, "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":2000}}", &r);
    ck_assert_int_eq(r.status, 200);
    json_object *o = json_tokener_parse(r.body);
    ck_assert_int_eq(hs_tu_int(o, "TotalPages"), 2000);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 100);
    ck_assert_int_eq(hs_tu_int(o, "Records.99.ApplicationId"), 200000 + 200000);
    char since[64], body[512];
    snprintf(since, sizeof since, "%s", hs_tu_str(o, "Records.49.ModificationDate"));
    json_object_put(o);
    hs_test_response_clear(&r);
    snprintf(body, sizeof body,
             "{\"Filters\":[{\"Route\":\"Application.ModificationDate\",\"Operation\":\"GreaterThan\",\"Value\":\"%s\"}]}", since);
    hs_test_request("POST", url, h, body, &r);
    o = json_tokener_parse(r.body);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 50);
    ck_assert_int_eq(hs_tu_int(o, "TotalPages"), 1);
    json_object_put(o);
    hs_test_response_clear(&r);
    ck_assert_int_eq(hs_test_sandbox_stop(&sb), 0);
}
END_TEST

int main(void)
{
    hs_tu_args = args;
    Suite *s = suite_create("sandbox-admin");
    TCase *tc = hs_tu_tcase("admin");
    tcase_add_test(tc, startup_line_and_clean_stop);
    tcase_add_test(tc, bad_option_refused);
    tcase_add_test(tc, same_seed_same_data);
    tcase_add_test(tc, date_styles);
    tcase_add_test(tc, date_style_and_token_ttl);
    tcase_add_test(tc, willo_and_quota_options);
    tcase_add_test(tc, fault_status_with_retry_after);
    tcase_add_test(tc, fault_reset_truncate_malformed);
    tcase_add_test(tc, fault_rules_managed);
    tcase_add_test(tc, stats_count_routes_and_statuses);
    tcase_add_test(tc, move_bumps_modification_date);
    tcase_add_test(tc, candidate_patch);
    tcase_add_test(tc, oversized_body_refused);
    tcase_add_test(tc, reset_restores);
    tcase_add_test(tc, large_tenant_pages);
    suite_add_tcase(s, tc);
    return hs_tu_run(s);
}
