/* The sandbox's Eploy server over real HTTP: tokens, auth and scopes, the search convention
 * (paging, filters, ResponseBlocks), single records, dropdowns, actions, quota. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPS 250

static const char *const args[] = {
    "--applications", "250", "--vacancies", "6", "--seed", "7",
    "--eploy-key", "sandbox-client:sandbox-secret",
    "--eploy-key", "limited:limited-secret:applications.read,vacancies.read",
    "--eploy-key", "blocked:blocked-secret:all:deny-ip", NULL };

static json_object *search(const char *resource, const char *token, const char *body, long status)
{
    char path[128];
    hs_tu_resp r;
    snprintf(path, sizeof path, "/%s/search", resource);
    hs_tu_eploy("POST", path, token, body, &r);
    ck_assert_msg(r.http.status == status, "%s: status %ld, body %s", path, r.http.status,
                  r.http.body ? r.http.body : "(none)");
    json_object *out = json_object_get(r.json);
    hs_tu_resp_clear(&r);
    ck_assert_ptr_nonnull(out);
    return out;
}

START_TEST(token_json_and_form)
{
    hs_tu_resp r;
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"sandbox-secret\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "token_type"), "Bearer");
    ck_assert_int_eq(hs_tu_int(r.json, "expires_in"), 3599);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "scope"), "applications.read"));
    ck_assert_uint_ge(strlen(hs_tu_str(r.json, "access_token")), 20);
    hs_tu_resp_clear(&r);

    char url[512];
    const char *h[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    snprintf(url, sizeof url, "%s/token", hs_tu_sb.eploy_url);
    hs_test_request("POST", url, h,
                    "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret"
                    "&scope=applications.read%2Cvacancies.read", &r.http);
    ck_assert_int_eq(r.http.status, 200);
    r.json = json_tokener_parse(r.http.body);
    ck_assert_str_eq(hs_tu_str(r.json, "scope"), "applications.read,vacancies.read");
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(token_refusals)
{
    hs_tu_resp r;
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"wrong\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_str_eq(hs_tu_str(r.json, "error"), "invalid_client");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "error_message"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"password\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"sandbox-secret\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_str_eq(hs_tu_str(r.json, "error"), "unsupported_grant_type");
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"blocked\","
             "\"client_secret\":\"blocked-secret\"}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "not allowed"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/token", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(bearer_required)
{
    hs_tu_resp r;
    hs_tu_eploy("POST", "/applications/search", NULL, "{}", &r);
    ck_assert_int_eq(r.http.status, 401);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "error_message"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/applications/search", "not-a-token", "{}", &r);
    ck_assert_int_eq(r.http.status, 401);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000001", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(expired_token_refused)
{
    char token[128];
    snprintf(token, sizeof token, "%s", hs_tu_token());
    hs_tu_resp r;
    hs_tu_admin("POST", "/eploy/tokens/expire", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 401);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "expired"));
    hs_tu_resp_clear(&r);
    json_object *o = search("vacancies", hs_tu_token(), "{}", 200);
    json_object_put(o);
}
END_TEST

START_TEST(scopes_enforced)
{
    char token[128];
    ck_assert_int_eq(hs_test_eploy_token(&hs_tu_sb, "limited", "limited-secret", token, sizeof token), 0);
    json_object *o = search("applications", token, "{}", 200);
    json_object_put(o);
    hs_tu_resp r;
    hs_tu_eploy("POST", "/actions", token,
             "{\"ActionType\":{\"Id\":\"12\"},\"Application\":{\"Id\":200001},\"Description\":\"x\"}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "actions.insert"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/candidates/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "candidates.read"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/workflows/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 403);
    hs_tu_resp_clear(&r);
    /* a token narrowed to one scope loses the others even on a full key */
    hs_tu_eploy("POST", "/token", NULL,
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"sandbox-client\","
             "\"client_secret\":\"sandbox-secret\",\"scope\":\"vacancies.read\"}", &r);
    char narrow[128];
    snprintf(narrow, sizeof narrow, "%s", hs_tu_str(r.json, "access_token"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/applications/search", narrow, "{}", &r);
    ck_assert_int_eq(r.http.status, 403);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(ip_rule_refuses_every_call)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_admin("POST", "/eploy/keys/sandbox-client", "{\"ip_allowed\":false}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "IP address"));
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(paging_walks_to_last_page)
{
    const char *token = hs_tu_token();
    char body[256];
    long page = 1, total_pages = 0, seen = 0;
    long long prev_id = 0;
    do {
        snprintf(body, sizeof body,
                 "{\"Paging\":{\"RecordsPerPage\":30,\"RequestedPage\":%ld},\"Filters\":[]}", page);
        json_object *o = search("applications", token, body, 200);
        ck_assert_int_eq(hs_tu_int(o, "CurrentPage"), page);
        total_pages = (long)hs_tu_int(o, "TotalPages");
        size_t n = hs_tu_len(o, "Records");
        ck_assert_uint_eq(n, page < total_pages ? 30 : APPS - 30 * (total_pages - 1));
        for (size_t i = 0; i < n; i++) {
            char path[64];
            snprintf(path, sizeof path, "Records.%zu.ApplicationId", i);
            ck_assert_int_gt(hs_tu_int(o, path), prev_id);
            prev_id = hs_tu_int(o, path);
            seen++;
        }
        json_object_put(o);
    } while (++page <= total_pages);
    ck_assert_int_eq(total_pages, 9);
    ck_assert_int_eq(seen, APPS);
    json_object *o = search("applications", token,
                            "{\"Paging\":{\"RecordsPerPage\":30,\"RequestedPage\":10}}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 0);
    json_object_put(o);
    o = search("applications", token, "{\"Paging\":{\"RecordsPerPage\":1000,\"RequestedPage\":1}}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 100);
    ck_assert_int_eq(hs_tu_int(o, "TotalPages"), 3);
    json_object_put(o);
    o = search("applications", token, "{\"Paging\":{\"RecordsPerPage\":0,\"RequestedPage\":1}}", 400);
    json_object_put(o);
}
END_TEST

START_TEST(modified_since_filter)
{
    const char *token = hs_tu_token();
    json_object *o = search("applications", token,
                            "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":2}}", 200);
    char since[64], body[512];
    snprintf(since, sizeof since, "%s", hs_tu_str(o, "Records.49.ModificationDate"));
    json_object_put(o);
    snprintf(body, sizeof body,
             "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1},\"Filters\":[{\"Route\":"
             "\"Application.ModificationDate\",\"Operation\":\"GreaterThan\",\"Value\":\"%s\"}]}", since);
    o = search("applications", token, body, 200);
    /* dates increase with the id: record 150 (index 149) was the watermark */
    ck_assert_int_eq(hs_tu_int(o, "TotalPages"), 1);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), APPS - 150);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.ApplicationId"), 200001 + 150);
    json_object_put(o);
    o = search("applications", token,
               "{\"Filters\":[{\"Route\":\"Application.ModificationDate\",\"Operation\":"
               "\"GreaterThan\",\"Value\":\"2999-01-01T00:00:00Z\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 0);
    ck_assert_int_eq(hs_tu_int(o, "TotalPages"), 0);
    json_object_put(o);
    o = search("applications", token,
               "{\"Filters\":[{\"Route\":\"Application.ModificationDate\",\"Operation\":"
               "\"GreaterThan\",\"Value\":\"yesterday\"}]}", 400);
    ck_assert_ptr_nonnull(hs_tu_str(o, "error_message"));
    json_object_put(o);
}
END_TEST

START_TEST(id_filters_and_and)
{
    const char *token = hs_tu_token();
    json_object *o = search("applications", token,
        "{\"Filters\":[{\"Route\":\"Application.ApplicationId\",\"Operation\":\"Equals\",\"Value\":\"200010\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.ApplicationId"), 200010);
    json_object_put(o);
    o = search("applications", token,
        "{\"Filters\":[{\"Route\":\"Application.ApplicationId\",\"Operation\":\"In\",\"Value\":\"200003,200001,999,200002\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 3);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.ApplicationId"), 200001);
    ck_assert_int_eq(hs_tu_int(o, "Records.2.ApplicationId"), 200003);
    json_object_put(o);

    /* by vacancy: every record has it, and the count matches a full scan */
    json_object *all = search("applications", token,
                              "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1},\"ResponseBlocks\":[\"Vacancy\"]}", 200);
    long expect = 0;
    for (size_t i = 0; i < hs_tu_len(all, "Records"); i++) {
        char path[64];
        snprintf(path, sizeof path, "Records.%zu.Vacancy.Id", i);
        expect += hs_tu_int(all, path) == 1002;
    }
    json_object_put(all);
    o = search("applications", token,
        "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1},\"Filters\":["
        "{\"Route\":\"Application.Vacancy\",\"Operation\":\"Equals\",\"Value\":\"1002\"},"
        "{\"Route\":\"Application.ApplicationId\",\"Operation\":\"LessThan\",\"Value\":\"200101\"}]}", 200);
    ck_assert_int_gt(expect, 0);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), (size_t)expect);
    for (size_t i = 0; i < hs_tu_len(o, "Records"); i++) {
        char path[64];
        snprintf(path, sizeof path, "Records.%zu.Vacancy.Id", i);
        ck_assert_int_eq(hs_tu_int(o, path), 1002);
    }
    json_object_put(o);
    o = search("applications", token,
        "{\"Filters\":[{\"Route\":\"Application.Nonsense\",\"Operation\":\"Equals\",\"Value\":\"1\"}]}", 400);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(o, "error_message"), "Application.Nonsense"));
    json_object_put(o);
    o = search("applications", token,
        "{\"Filters\":[{\"Route\":\"Application.Vacancy\",\"Operation\":\"Like\",\"Value\":\"1\"}]}", 400);
    json_object_put(o);
    o = search("applications", token, "not json", 400);
    json_object_put(o);
}
END_TEST

START_TEST(response_blocks_select_fields)
{
    json_object *o = search("applications", hs_tu_token(),
        "{\"Paging\":{\"RecordsPerPage\":1,\"RequestedPage\":1},"
        "\"ResponseBlocks\":[\"ApplicationId\",\"Workflow\"]}", 200);
    json_object *rec = hs_tu_get(o, "Records.0");
    ck_assert_int_eq(json_object_object_length(rec), 2);
    ck_assert_ptr_nonnull(hs_tu_str(rec, "Workflow.Stage.Description"));
    ck_assert_ptr_nonnull(hs_tu_str(rec, "Workflow.Status.Id"));
    json_object_put(o);
    o = search("applications", hs_tu_token(), "{\"Paging\":{\"RecordsPerPage\":1,\"RequestedPage\":1}}", 200);
    rec = hs_tu_get(o, "Records.0");
    ck_assert_int_eq(hs_tu_int(rec, "Candidate.Id"), 3000001);
    ck_assert_ptr_nonnull(hs_tu_str(rec, "ModificationDate"));
    ck_assert_ptr_nonnull(hs_tu_str(rec, "ApplicationDate"));
    ck_assert_int_gt(hs_tu_int(rec, "Vacancy.Id"), 1000);
    json_object_put(o);
}
END_TEST

START_TEST(vacancies_and_workflows)
{
    const char *token = hs_tu_token();
    json_object *o = search("vacancies", token,
        "{\"Filters\":[{\"Route\":\"Vacancy.VacancyStatus\",\"Operation\":\"Equals\",\"Value\":\"1\"}]}", 200);
    size_t n = hs_tu_len(o, "Records");
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_lt(n, 6);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "Records.%zu.VacancyStatus.Description", i);
        ck_assert_str_eq(hs_tu_str(o, path), "Open");
        snprintf(path, sizeof path, "Records.%zu.Workflow.Id", i);
        ck_assert_int_gt(hs_tu_int(o, path), 0);
    }
    json_object_put(o);
    o = search("workflows", token, "{}", 200);
    ck_assert_uint_ge(hs_tu_len(o, "Records"), 1);
    for (size_t w = 0; w < hs_tu_len(o, "Records"); w++) {
        char path[64];
        int found = 0;
        snprintf(path, sizeof path, "Records.%zu.Stages", w);
        json_object *stages = hs_tu_get(o, path);
        for (size_t s = 0; s < json_object_array_length(stages); s++) {
            json_object *st = json_object_array_get_idx(stages, s);
            found |= strcmp(hs_tu_str(st, "Description"), "Video Interview") == 0;
            ck_assert_uint_ge(hs_tu_len(st, "Statuses"), 1);
        }
        ck_assert_msg(found, "workflow %zu has no Video Interview stage", w);
    }
    json_object_put(o);
    o = search("workflows", token,
        "{\"Filters\":[{\"Route\":\"Workflow.WorkflowID\",\"Operation\":\"Equals\",\"Value\":\"2\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.WorkflowID"), 2);
    json_object_put(o);
}
END_TEST

START_TEST(candidates)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_eploy("GET", "/candidates/3000005", token, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(hs_tu_int(r.json, "CandidateId"), 3000005);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "FirstName"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "Surname"));
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "Email"), "@example.com"));
    ck_assert_int_eq(strncmp(hs_tu_str(r.json, "Mobile"), "+447700900", 10), 0);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "Address.Town"));
    char email[160];
    snprintf(email, sizeof email, "%s", hs_tu_str(r.json, "Email"));
    hs_tu_resp_clear(&r);
    for (char *p = email; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    char body[512];
    snprintf(body, sizeof body,
             "{\"Filters\":[{\"Route\":\"Candidate.Email\",\"Operation\":\"Equals\",\"Value\":\"%s\"}]}", email);
    json_object *o = search("candidates", token, body, 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.CandidateId"), 3000005);
    json_object_put(o);
    o = search("candidates", token,
        "{\"Filters\":[{\"Route\":\"Candidate.CandidateId\",\"Operation\":\"In\",\"Value\":\"3000001,3000002\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 2);
    json_object_put(o);
    hs_tu_eploy("GET", "/candidates/99", token, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    ck_assert_str_eq(hs_tu_str(r.json, "error_message"), "No record could be found for the requested URI");
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000001/questions", token, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert(json_object_is_type(r.json, json_type_array));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "0.AnswerType"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/candidates/3000001/references", token, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_ge(hs_tu_len(r.json, "References"), 1);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(status_history_follows_moves)
{
    const char *token = hs_tu_token();
    json_object *o = search("applications/statushistory", token,
        "{\"Filters\":[{\"Route\":\"StatusHistory.Application\",\"Operation\":\"Equals\",\"Value\":\"200020\"}]}", 200);
    size_t before = hs_tu_len(o, "Records");
    ck_assert_uint_ge(before, 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.Application.Id"), 200020);
    ck_assert_ptr_nonnull(hs_tu_str(o, "Records.0.Workflow.Stage.Description"));
    ck_assert_ptr_nonnull(hs_tu_str(o, "Records.0.StatusDate"));
    json_object_put(o);
    /* the newest row of the whole history marks the watermark */
    o = search("applications/statushistory", token, "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1}}", 200);
    long pages = (long)hs_tu_int(o, "TotalPages");
    json_object_put(o);
    char body[512], since[64];
    snprintf(body, sizeof body, "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":%ld}}", pages);
    o = search("applications/statushistory", token, body, 200);
    json_object *recs = hs_tu_get(o, "Records");
    ck_assert_uint_ge(hs_tu_len(o, "Records"), 1);
    snprintf(since, sizeof since, "%s",
             hs_tu_str(json_object_array_get_idx(recs, json_object_array_length(recs) - 1), "StatusDate"));
    json_object_put(o);

    hs_tu_resp r;
    hs_tu_admin("POST", "/eploy/applications/200020/move", "{\"stage\":\"Interview\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    snprintf(body, sizeof body,
             "{\"Filters\":[{\"Route\":\"StatusHistory.StatusDate\",\"Operation\":\"GreaterThan\",\"Value\":\"%s\"}]}", since);
    o = search("applications/statushistory", token, body, 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.Application.Id"), 200020);
    ck_assert_str_eq(hs_tu_str(o, "Records.0.Workflow.Stage.Description"), "Interview");
    json_object_put(o);
    o = search("applications/statushistory", token,
        "{\"Filters\":[{\"Route\":\"StatusHistory.Application\",\"Operation\":\"Equals\",\"Value\":\"200020\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), before + 1);
    json_object_put(o);
}
END_TEST

START_TEST(dropdowns)
{
    hs_tu_resp r;
    hs_tu_eploy("GET", "/options/dropdown/50", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "Values.0.Id"), "1");
    ck_assert_str_eq(hs_tu_str(r.json, "Values.0.Description"), "Open");
    ck_assert(json_object_object_get_ex(hs_tu_get(r.json, "Values.0"), "ArchiveDate", NULL));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/options/dropdown/12345", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(actions_create_and_search)
{
    const char *token = hs_tu_token();
    hs_tu_resp r;
    hs_tu_eploy("POST", "/actions", token,
             "{\"ActionType\":{\"Id\":\"12\"},\"ActionOutcome\":{\"Id\":\"9503\"},\"Application\":{\"Id\":200007},"
             "\"Candidate\":{\"Id\":3000007},\"Vacancy\":{\"Id\":1001},\"StartDate\":\"2026-01-01T09:00:00\","
             "\"Description\":\"Video interview completed: https://app.willotalent.com/share/x\"}", &r);
    ck_assert_int_eq(r.http.status, 201);
    long long id = hs_tu_int(r.json, "ActionId");
    ck_assert_int_gt(id, 0);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/actions", token,
             "{\"ActionType\":{\"Id\":\"12\"},\"Application\":{\"Id\":200008},\"Notes\":\"in Notes\"}", &r);
    ck_assert_int_eq(r.http.status, 201);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/actions", token, "{\"Application\":{\"Id\":200008}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/actions", token, "{\"ActionType\":{\"Id\":\"12\"},\"Application\":{\"Id\":1}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);

    json_object *o = search("actions", token,
        "{\"Filters\":[{\"Route\":\"Action.Application\",\"Operation\":\"Equals\",\"Value\":\"200007\"}]}", 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), 1);
    ck_assert_int_eq(hs_tu_int(o, "Records.0.ActionId"), id);
    ck_assert_str_eq(hs_tu_str(o, "Records.0.ActionType.Id"), "12");
    ck_assert_str_eq(hs_tu_str(o, "Records.0.ActionOutcome.Id"), "9503");
    ck_assert_int_eq(hs_tu_int(o, "Records.0.Candidate.Id"), 3000007);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(o, "Records.0.Description"), "willotalent"));
    json_object_put(o);
    hs_tu_admin("GET", "/eploy/actions", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(json_object_array_length(r.json), 2);
    ck_assert_str_eq(hs_tu_str(r.json, "1.Description"), "in Notes");
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(daily_quota)
{
    hs_tu_resp r;
    const char *token = hs_tu_token();
    hs_tu_admin("POST", "/eploy/settings", "{\"quota_per_day\":3,\"quota_used\":0}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    for (int i = 0; i < 3; i++) {
        hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
        ck_assert_int_eq(r.http.status, 200);
        hs_tu_resp_clear(&r);
    }
    hs_tu_eploy("POST", "/vacancies/search", token, "{}", &r);
    ck_assert_int_eq(r.http.status, 429);
    ck_assert_str_eq(hs_tu_str(r.json, "error_message"), "API call limit exceeded");
    long retry = atol(r.http.retry_after);
    ck_assert_int_gt(retry, 0);
    ck_assert_int_le(retry, 86400);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("POST", "/token", NULL, "{}", &r);
    ck_assert_int_eq(r.http.status, 429);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(unknown_routes)
{
    hs_tu_resp r;
    hs_tu_eploy("POST", "/nothing/search", hs_tu_token(), "{}", &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/applications/search", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/applications/200001", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(hs_tu_int(r.json, "ApplicationId"), 200001);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/vacancies/1003", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(hs_tu_int(r.json, "VacancyId"), 1003);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "Title"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/vacancies/1", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("DELETE", "/candidates/3000001", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
}
END_TEST

/* The id of an application whose vacancy uses workflow 1 (which has an "Interview" stage). */
static long long app_in_workflow1(void)
{
    hs_tu_resp r;
    long long id = -1;
    hs_tu_admin("GET", "/eploy/applications?limit=50", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    for (size_t i = 0; id < 0 && i < json_object_array_length(r.json); i++) {
        json_object *a = json_object_array_get_idx(r.json, i);
        if (hs_tu_int(a, "WorkflowId") == 1)
            id = hs_tu_int(a, "ApplicationId");
    }
    hs_tu_resp_clear(&r);
    ck_assert_int_gt(id, 0);
    return id;
}

static void admin_move(long long app, const char *stage)
{
    char path[96], body[96];
    hs_tu_resp r;
    snprintf(path, sizeof path, "/eploy/applications/%lld/move", app);
    snprintf(body, sizeof body, "{\"stage\":\"%s\"}", stage);
    hs_tu_admin("POST", path, body, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
}

static long action_with_outcome(long long app, const char *outcome)
{
    char body[256];
    hs_tu_resp r;
    snprintf(body, sizeof body, "{\"ActionType\":{\"Id\":\"12\"},\"ActionOutcome\":%s,"
             "\"Application\":{\"Id\":%lld},\"Description\":\"progress\"}", outcome, app);
    hs_tu_eploy("POST", "/actions", hs_tu_token(), body, &r);
    long status = r.http.status;
    if (status == 400)
        ck_assert_ptr_nonnull(hs_tu_str(r.json, "error_message"));
    hs_tu_resp_clear(&r);
    return status;
}

static void expect_position(long long app, const char *stage, const char *status)
{
    char path[64];
    hs_tu_resp r;
    snprintf(path, sizeof path, "/applications/%lld", app);
    hs_tu_eploy("GET", path, hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Stage.Description"), stage);
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Status.Description"), status);
    hs_tu_resp_clear(&r);
}

START_TEST(action_outcomes_by_id_or_name)
{
    hs_tu_resp r;
    hs_tu_eploy("GET", "/options/dropdown/95", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(hs_tu_len(r.json, "Values"), 6);
    ck_assert_str_eq(hs_tu_str(r.json, "Values.2.Id"), "9503");
    ck_assert_str_eq(hs_tu_str(r.json, "Values.2.Description"), "Completed");
    ck_assert_str_eq(hs_tu_str(r.json, "Values.5.Description"), "Not invited");
    hs_tu_resp_clear(&r);
    ck_assert_int_eq(action_with_outcome(200011, "{\"Id\":\"9503\"}"), 201);
    ck_assert_int_eq(action_with_outcome(200011, "{\"Id\":9501}"), 201);
    ck_assert_int_eq(action_with_outcome(200011, "{\"Description\":\"eXpired\"}"), 201);
    hs_tu_eploy("POST", "/actions", hs_tu_token(),
                "{\"ActionType\":{\"Id\":\"12\"},\"ActionOutcome\":{\"Description\":\"Hired\"},"
                "\"Application\":{\"Id\":200011}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "\"Hired\""));
    hs_tu_resp_clear(&r);
    ck_assert_int_eq(action_with_outcome(200011, "{\"Id\":\"3\"}"), 400);
    ck_assert_int_eq(action_with_outcome(200011, "{\"Id\":\"Completed\"}"), 400);
    ck_assert_int_eq(action_with_outcome(200011, "{}"), 400);
    hs_tu_admin("GET", "/eploy/actions", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 3);
    ck_assert_str_eq(hs_tu_str(r.json, "0.ActionOutcome.Id"), "9503");
    ck_assert_str_eq(hs_tu_str(r.json, "0.ActionOutcome.Description"), "Completed");
    ck_assert_str_eq(hs_tu_str(r.json, "1.ActionOutcome.Description"), "Invited");
    ck_assert_str_eq(hs_tu_str(r.json, "2.ActionOutcome.Id"), "9504");
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(outcome_rules_move_the_application)
{
    long long app = app_in_workflow1();
    char filter[256];
    hs_tu_resp r;
    admin_move(app, "Video Interview");
    hs_tu_admin("POST", "/eploy/outcome-rules",
                "[{\"outcome\":\"Completed\",\"stage\":\"Interview\",\"status\":null},"
                "{\"outcome\":\"9504\",\"stage\":\"Rejected\",\"status\":\"Withdrawn\"}]", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(json_object_array_length(r.json), 2);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/eploy/outcome-rules", NULL, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "1.outcome"), "Expired");
    ck_assert_str_eq(hs_tu_str(r.json, "1.status"), "Withdrawn");
    ck_assert_ptr_null(hs_tu_str(r.json, "0.status"));
    hs_tu_resp_clear(&r);
    snprintf(filter, sizeof filter, "{\"Filters\":[{\"Route\":\"StatusHistory.Application\","
             "\"Operation\":\"Equals\",\"Value\":\"%lld\"}]}", app);
    json_object *o = search("applications/statushistory", hs_tu_token(), filter, 200);
    size_t rows = hs_tu_len(o, "Records");
    json_object_put(o);

    /* An outcome without a rule leaves it where it is. */
    ck_assert_int_eq(action_with_outcome(app, "{\"Description\":\"Invited\"}"), 201);
    expect_position(app, "Video Interview", "Invite Pending");
    ck_assert_int_eq(action_with_outcome(app, "{\"Description\":\"Completed\"}"), 201);
    expect_position(app, "Interview", "Interview Booked");
    o = search("applications/statushistory", hs_tu_token(), filter, 200);
    ck_assert_uint_eq(hs_tu_len(o, "Records"), rows + 1);
    json_object_put(o);
    ck_assert_int_eq(action_with_outcome(app, "{\"Id\":\"9504\"}"), 201);
    expect_position(app, "Rejected", "Withdrawn");

    hs_tu_admin("POST", "/eploy/outcome-rules", "[{\"outcome\":\"Hired\",\"stage\":\"New\"}]", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_admin("DELETE", "/eploy/outcome-rules", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(json_object_array_length(r.json), 0);
    hs_tu_resp_clear(&r);
    admin_move(app, "Video Interview");
    ck_assert_int_eq(action_with_outcome(app, "{\"Description\":\"Completed\"}"), 201);
    expect_position(app, "Video Interview", "Invite Pending");
}
END_TEST

START_TEST(patch_moves_the_application)
{
    long long app = app_in_workflow1();
    char path[64], token[128];
    hs_tu_resp r;
    admin_move(app, "Video Interview");
    snprintf(path, sizeof path, "/applications/%lld", app);
    hs_tu_eploy("PATCH", path, hs_tu_token(), "{\"Workflow\":{\"Stage\":{\"Id\":\"104\"}}}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Stage.Description"), "Interview");
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Status.Description"), "Interview Booked");
    hs_tu_resp_clear(&r);
    hs_tu_eploy("PATCH", path, hs_tu_token(),
                "{\"Workflow\":{\"Stage\":{\"Id\":104},\"Status\":{\"Id\":\"1009\"}}}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "Workflow.Status.Description"), "Interview Attended");
    hs_tu_resp_clear(&r);
    /* a stage of another workflow, a name instead of an id */
    hs_tu_eploy("PATCH", path, hs_tu_token(), "{\"Workflow\":{\"Stage\":{\"Id\":\"204\"}}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "204"));
    hs_tu_resp_clear(&r);
    hs_tu_eploy("PATCH", path, hs_tu_token(), "{\"Workflow\":{\"Stage\":{\"Id\":\"New\"}}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    expect_position(app, "Interview", "Interview Attended");
    hs_tu_eploy("PATCH", "/applications/1", hs_tu_token(), "{}", &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    /* a key whose scope list leaves applications.update out */
    ck_assert_int_eq(hs_test_eploy_token(&hs_tu_sb, "limited", "limited-secret", token, sizeof token), 0);
    hs_tu_eploy("PATCH", path, token, "{\"Workflow\":{\"Stage\":{\"Id\":\"101\"}}}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "applications.update"));
    hs_tu_resp_clear(&r);
    expect_position(app, "Interview", "Interview Attended");
}
END_TEST

START_TEST(export_packages)
{
    char token[128];
    hs_tu_resp r;
    for (int i = 0; i < 2; i++) {
        hs_tu_eploy("POST", "/applications/200012/exports", hs_tu_token(),
                    "{\"ExportPackage\":{\"Id\":\"3\"}}", &r);
        ck_assert_int_eq(r.http.status, 200);
        ck_assert_int_eq(hs_tu_int(r.json, "ApplicationId"), 200012);
        hs_tu_resp_clear(&r);
    }
    hs_tu_eploy("POST", "/applications/200012/exports", hs_tu_token(),
                "{\"ExportPackage\":{\"Id\":\"9\"}}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_eploy("GET", "/applications/200012/exports", hs_tu_token(), NULL, &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
    ck_assert_int_eq(hs_test_eploy_token(&hs_tu_sb, "limited", "limited-secret", token, sizeof token), 0);
    hs_tu_eploy("POST", "/applications/200013/exports", token, "{\"ExportPackage\":{\"Id\":\"3\"}}", &r);
    ck_assert_int_eq(r.http.status, 403);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "error_message"), "export.insert"));
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/eploy/exports", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(json_object_array_length(r.json), 1);
    ck_assert_int_eq(hs_tu_int(r.json, "0.ApplicationId"), 200012);
    ck_assert_str_eq(hs_tu_str(r.json, "0.ExportPackageId"), "3");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "0.Date"));
    hs_tu_resp_clear(&r);
}
END_TEST

int main(void)
{
    hs_tu_args = args;
    Suite *s = suite_create("sandbox-eploy");
    TCase *tc = hs_tu_tcase("eploy");
    tcase_add_test(tc, token_json_and_form);
    tcase_add_test(tc, token_refusals);
    tcase_add_test(tc, bearer_required);
    tcase_add_test(tc, expired_token_refused);
    tcase_add_test(tc, scopes_enforced);
    tcase_add_test(tc, ip_rule_refuses_every_call);
    tcase_add_test(tc, paging_walks_to_last_page);
    tcase_add_test(tc, modified_since_filter);
    tcase_add_test(tc, id_filters_and_and);
    tcase_add_test(tc, response_blocks_select_fields);
    tcase_add_test(tc, vacancies_and_workflows);
    tcase_add_test(tc, candidates);
    tcase_add_test(tc, status_history_follows_moves);
    tcase_add_test(tc, dropdowns);
    tcase_add_test(tc, actions_create_and_search);
    tcase_add_test(tc, daily_quota);
    tcase_add_test(tc, unknown_routes);
    tcase_add_test(tc, action_outcomes_by_id_or_name);
    tcase_add_test(tc, outcome_rules_move_the_application);
    tcase_add_test(tc, patch_moves_the_application);
    tcase_add_test(tc, export_packages);
    suite_add_tcase(s, tc);
    return hs_tu_run(s);
}
