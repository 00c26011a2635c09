/* The sandbox's Willo server over real HTTP: auth schemes, interviews, DRF paging with
 * absolute next links, participants (invite, duplicates, filters, detail), webhooks,
 * throttling. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY "Bearer sandbox-willo-key"

static const char *const args[] = { "--interviews", "3", "--seed", "11", NULL };

static void first_interview(char *key, size_t size, int index)
{
    hs_tu_resp r;
    char path[64];
    hs_tu_willo("GET", "/interviews/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    snprintf(path, sizeof path, "results.%d.key", index);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, path));
    snprintf(key, size, "%s", hs_tu_str(r.json, path));
    hs_tu_resp_clear(&r);
}

static void invite(const char *interview, const char *email, long status, char *key, size_t size)
{
    char body[512];
    hs_tu_resp r;
    snprintf(body, sizeof body,
             "{\"interview\":\"%s\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
             "\"email\":\"%s\",\"phone\":\"+447700900123\"}", interview, email);
    hs_tu_willo("POST", "/participants/", KEY, body, &r);
    ck_assert_msg(r.http.status == status, "invite %s: %ld %s", email, r.http.status, r.http.body);
    if (key)
        snprintf(key, size, "%s", hs_tu_str(r.json, "key") ? hs_tu_str(r.json, "key") : "");
    hs_tu_resp_clear(&r);
}

START_TEST(auth_schemes)
{
    hs_tu_resp r;
    const char *good[] = { "Bearer sandbox-willo-key", "Token sandbox-willo-key", "sandbox-willo-key" };
    for (int i = 0; i < 3; i++) {
        hs_tu_willo("GET", "/interviews/", good[i], NULL, &r);
        ck_assert_msg(r.http.status == 200, "%s: %ld", good[i], r.http.status);
        hs_tu_resp_clear(&r);
    }
    hs_tu_willo("GET", "/interviews/", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    ck_assert_str_eq(hs_tu_str(r.json, "detail"), "Authentication credentials were not provided.");
    ck_assert_str_eq(r.http.www_authenticate, "Bearer");
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Bearer wrong", NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    ck_assert_str_eq(hs_tu_str(r.json, "detail"), "Invalid token.");
    hs_tu_resp_clear(&r);

    hs_tu_admin("POST", "/willo/settings", "{\"auth\":\"token\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Bearer sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    ck_assert_str_eq(r.http.www_authenticate, "Token");
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Token sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);

    hs_tu_admin("POST", "/willo/settings", "{\"auth\":\"raw\"}", &r);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "Token sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", "sandbox-willo-key", NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/willo/settings", "{\"auth\":\"nonsense\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(interviews)
{
    hs_tu_resp r;
    hs_tu_willo("GET", "/interviews/", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 3);
    ck_assert_ptr_null(hs_tu_str(r.json, "next"));
    ck_assert_uint_eq(strlen(hs_tu_str(r.json, "results.0.key")), 32);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "results.0.title"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "results.0.owner.email"));
    char key[64], path[128];
    snprintf(key, sizeof key, "%s", hs_tu_str(r.json, "results.1.key"));
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/interviews/%s/", key);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "key"), key);
    ck_assert_uint_eq(hs_tu_len(r.json, "questions"), 3);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/00000000000000000000000000000000/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    ck_assert_str_eq(hs_tu_str(r.json, "detail"), "Not found.");
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/?search=support", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    hs_tu_resp_clear(&r);
    /* an interview removed on the Willo side disappears from the API */
    snprintf(path, sizeof path, "/willo/interviews/%s", key);
    hs_tu_admin("DELETE", path, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/interviews/%s/", key);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 2);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(trailing_slash_redirect)
{
    hs_tu_resp r;
    hs_tu_willo("GET", "/interviews?page_size=2", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 301);
    ck_assert_ptr_nonnull(strstr(r.http.location, "/api/integrations/v2/interviews/?page_size=2"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/nothing/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    /* resolution and the redirect come before authentication, as in Django */
    hs_tu_willo("GET", "/nothing/", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 301);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/", NULL, NULL, &r);
    ck_assert_int_eq(r.http.status, 401);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(paging_follows_next)
{
    char iv[64], email[64], url[2048];
    first_interview(iv, sizeof iv, 0);
    for (int i = 0; i < 35; i++) {
        snprintf(email, sizeof email, "person%02d@example.com", i);
        invite(iv, email, 201, NULL, 0);
    }
    snprintf(url, sizeof url, "/participants/?interview=%s&page_size=50", iv);
    hs_tu_resp r;
    hs_tu_willo("GET", url, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 35);
    ck_assert_uint_eq(hs_tu_len(r.json, "results"), 30);
    ck_assert_ptr_null(hs_tu_str(r.json, "previous"));
    const char *next = hs_tu_str(r.json, "next");
    ck_assert_ptr_nonnull(next);
    ck_assert_int_eq(strncmp(next, "http://127.0.0.1:", 17), 0);
    ck_assert_ptr_nonnull(strstr(next, "page=2"));
    ck_assert_ptr_nonnull(strstr(next, iv));
    snprintf(url, sizeof url, "%s", next);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", url, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_uint_eq(hs_tu_len(r.json, "results"), 5);
    ck_assert_ptr_null(hs_tu_str(r.json, "next"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "previous"));
    ck_assert_ptr_null(strstr(hs_tu_str(r.json, "previous"), "page="));
    hs_tu_resp_clear(&r);
    snprintf(url, sizeof url, "/participants/?interview=%s&page_size=30&page=3", iv);
    hs_tu_willo("GET", url, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    ck_assert_str_eq(hs_tu_str(r.json, "detail"), "Invalid page.");
    hs_tu_resp_clear(&r);

    hs_tu_admin("POST", "/willo/settings", "{\"next_host\":\"elsewhere.example:8443\"}", &r);
    hs_tu_resp_clear(&r);
    snprintf(url, sizeof url, "/participants/?interview=%s", iv);
    hs_tu_willo("GET", url, KEY, NULL, &r);
    const char *foreign = "http://elsewhere.example:8443/api/integrations/v2/participants/?";
    ck_assert_int_eq(strncmp(hs_tu_str(r.json, "next"), foreign, strlen(foreign)), 0);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(invite_and_duplicates)
{
    char iv[64], iv2[64], k1[64], k2[64];
    first_interview(iv, sizeof iv, 0);
    first_interview(iv2, sizeof iv2, 1);
    hs_tu_resp r;
    char body[512];
    snprintf(body, sizeof body,
             "{\"interview\":\"%s\",\"name\":\"Grace Brewster Hopper\",\"email\":\"grace@example.com\"}", iv);
    hs_tu_willo("POST", "/participants/", KEY, body, &r);
    ck_assert_int_eq(r.http.status, 201);
    ck_assert_str_eq(hs_tu_str(r.json, "first_name"), "Grace");
    ck_assert_str_eq(hs_tu_str(r.json, "last_name"), "Brewster Hopper");
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "invited");
    ck_assert_str_eq(hs_tu_str(r.json, "interview"), iv);
    ck_assert_ptr_null(hs_tu_str(r.json, "share_link"));
    ck_assert_ptr_null(hs_tu_str(r.json, "completed"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "created"));
    ck_assert_uint_eq(hs_tu_len(r.json, "responses"), 0);
    snprintf(k1, sizeof k1, "%s", hs_tu_str(r.json, "key"));
    hs_tu_resp_clear(&r);

    snprintf(body, sizeof body, "{\"interview\":\"%s\",\"first_name\":\"G\",\"email\":\"GRACE@example.com\"}", iv);
    hs_tu_willo("POST", "/participants/", KEY, body, &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "email.0"), "already invited"));
    hs_tu_resp_clear(&r);
    invite(iv2, "grace@example.com", 201, NULL, 0);

    hs_tu_admin("POST", "/willo/settings", "{\"duplicates\":\"return\"}", &r);
    hs_tu_resp_clear(&r);
    invite(iv, "grace@example.com", 200, k2, sizeof k2);
    ck_assert_str_eq(k1, k2);
    hs_tu_admin("POST", "/willo/settings", "{\"duplicates\":\"create\"}", &r);
    hs_tu_resp_clear(&r);
    invite(iv, "grace@example.com", 201, k2, sizeof k2);
    ck_assert_str_ne(k1, k2);

    invite(iv, "not-an-email", 400, NULL, 0);
    invite("0123456789abcdef0123456789abcdef", "x@example.com", 400, NULL, 0);
    hs_tu_willo("POST", "/participants/", KEY, "{\"email\":\"a@example.com\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "interview.0"));
    hs_tu_resp_clear(&r);
    snprintf(body, sizeof body, "{\"interview\":\"%s\",\"email\":\"p@example.com\",\"phone\":\"07700 900123\"}", iv);
    hs_tu_willo("POST", "/participants/", KEY, body, &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "phone.0"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("POST", "/participants/", KEY, "[1,2", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(completed_detail)
{
    char iv[64], key[64], path[128];
    first_interview(iv, sizeof iv, 2);
    invite(iv, "done@example.com", 201, key, sizeof key);
    hs_tu_resp r;
    snprintf(path, sizeof path, "/willo/participants/%s/complete", key);
    hs_tu_admin("POST", path, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/participants/%s/", key);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "completed");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "completed"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "updated"));
    char link[128];
    snprintf(link, sizeof link, "https://app.willotalent.com/share/%s", key);
    ck_assert_str_eq(hs_tu_str(r.json, "share_link"), link);
    ck_assert_uint_eq(hs_tu_len(r.json, "responses"), 3);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "responses.0.media_url"));
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "responses.0.question"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/ffffffffffffffffffffffffffffffff/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
}
END_TEST

static void admin_ok(const char *method, const char *path, const char *body, long want)
{
    hs_tu_resp r;
    hs_tu_admin(method, path, body, &r);
    ck_assert_msg(r.http.status == want, "%s %s: %ld %s", method, path, r.http.status,
                  r.http.body);
    hs_tu_resp_clear(&r);
}

/* The participant as the API shows it; the caller clears r. */
static void get_participant(const char *key, hs_tu_resp *r)
{
    char path[128];
    snprintf(path, sizeof path, "/participants/%s/", key);
    hs_tu_willo("GET", path, KEY, NULL, r);
    ck_assert_int_eq(r->http.status, 200);
}

static void participant_action(const char *key, const char *action, const char *body,
                               long want)
{
    char path[160];
    snprintf(path, sizeof path, "/willo/participants/%s/%s", key, action);
    admin_ok("POST", path, body, want);
}

/* Invited, started, completed with scores; declined; expired by hand; and a re-invitation of
 * an expired or declined email is a new participant even where duplicates are refused. */
START_TEST(lifecycle_admin_moves)
{
    char iv[64], a[64], b[64], c[64], again[64];
    first_interview(iv, sizeof iv, 0);
    invite(iv, "life-a@example.com", 201, a, sizeof a);
    invite(iv, "life-b@example.com", 201, b, sizeof b);
    invite(iv, "life-c@example.com", 201, c, sizeof c);
    hs_tu_resp r;
    get_participant(a, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "invited");
    ck_assert_ptr_null(hs_tu_str(r.json, "started"));
    ck_assert_ptr_null(hs_tu_str(r.json, "expires"));
    ck_assert_ptr_null(hs_tu_str(r.json, "score"));
    hs_tu_resp_clear(&r);

    participant_action(a, "start", NULL, 200);
    get_participant(a, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "started");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "started"));
    ck_assert_str_eq(hs_tu_str(r.json, "updated"), hs_tu_str(r.json, "started"));
    hs_tu_resp_clear(&r);
    participant_action(a, "complete", "{\"score\":\"8.5\",\"scores\":[\"4\",\"5\",null]}", 200);
    get_participant(a, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "completed");
    ck_assert_str_eq(hs_tu_str(r.json, "score"), "8.5");
    ck_assert_str_eq(hs_tu_str(r.json, "responses.0.score"), "4");
    ck_assert_str_eq(hs_tu_str(r.json, "responses.1.score"), "5");
    ck_assert_ptr_null(hs_tu_str(r.json, "responses.2.score"));
    hs_tu_resp_clear(&r);
    participant_action(a, "complete", "{\"score\":7}", 400);
    participant_action(a, "expire", NULL, 409);

    participant_action(b, "decline", NULL, 200);
    get_participant(b, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "declined");
    ck_assert_str_eq(hs_tu_str(r.json, "updated"), hs_tu_str(r.json, "declined"));
    hs_tu_resp_clear(&r);
    participant_action(b, "complete", NULL, 409);
    participant_action(c, "expire", NULL, 200);
    get_participant(c, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "expired");
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "expired"));
    hs_tu_resp_clear(&r);
    participant_action(c, "fly", NULL, 404);

    /* the status filter knows the new values */
    char path[160];
    snprintf(path, sizeof path, "/participants/?interview=%s&status=declined", iv);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    ck_assert_str_eq(hs_tu_str(r.json, "results.0.key"), b);
    hs_tu_resp_clear(&r);

    admin_ok("POST", "/willo/settings", "{\"duplicates\":\"reject\"}", 200);
    invite(iv, "life-a@example.com", 400, NULL, 0);
    invite(iv, "life-b@example.com", 201, again, sizeof again);
    ck_assert_str_ne(again, b);
    invite(iv, "life-b@example.com", 400, NULL, 0);
    admin_ok("POST", "/willo/settings", "{\"duplicates\":\"return\"}", 200);
    invite(iv, "life-c@example.com", 201, again, sizeof again);
    ck_assert_str_ne(again, c);
}
END_TEST

/* The deadline: expires = created + deadline_s; once the sandbox clock passes it, the
 * participant reads as expired at that time, and a completed one does not. */
START_TEST(lifecycle_deadline_on_the_clock)
{
    char iv[64], late[64], done[64], before[64];
    first_interview(iv, sizeof iv, 1);
    invite(iv, "before@example.com", 201, before, sizeof before);
    admin_ok("POST", "/willo/settings", "{\"deadline_s\":-1}", 400);
    admin_ok("POST", "/willo/settings", "{\"deadline_s\":86400}", 200);
    invite(iv, "late@example.com", 201, late, sizeof late);
    invite(iv, "done@example.com", 201, done, sizeof done);
    participant_action(done, "complete", NULL, 200);
    hs_tu_resp r;
    get_participant(late, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "invited");
    char expires[64], created[64];
    snprintf(expires, sizeof expires, "%s", hs_tu_str(r.json, "expires"));
    snprintf(created, sizeof created, "%s", hs_tu_str(r.json, "created"));
    hs_tu_resp_clear(&r);
    ck_assert_int_gt(strcmp(expires, created), 0);
    admin_ok("POST", "/clock", "{\"offset_ms\":82800000}", 200);   /* 23 hours on */
    get_participant(late, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "invited");
    hs_tu_resp_clear(&r);

    admin_ok("POST", "/clock", "{\"offset_ms\":90000000}", 200);   /* 25 hours on */
    get_participant(late, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "expired");
    ck_assert_str_eq(hs_tu_str(r.json, "expired"), expires);
    ck_assert_str_eq(hs_tu_str(r.json, "updated"), expires);
    hs_tu_resp_clear(&r);
    get_participant(done, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "completed");
    hs_tu_resp_clear(&r);
    get_participant(before, &r);   /* invited before the deadline was set: none */
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "invited");
    ck_assert_ptr_null(hs_tu_str(r.json, "expires"));
    hs_tu_resp_clear(&r);
    char path[160];
    snprintf(path, sizeof path, "/participants/?interview=%s&status=expired", iv);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    hs_tu_resp_clear(&r);
    participant_action(late, "start", NULL, 409);
    admin_ok("POST", "/clock", "{\"offset_ms\":0}", 200);
}
END_TEST

START_TEST(list_filters_and_ordering)
{
    char iv[64], iv2[64], k[3][64], path[256];
    first_interview(iv, sizeof iv, 0);
    first_interview(iv2, sizeof iv2, 1);
    invite(iv, "alpha@example.com", 201, k[0], sizeof k[0]);
    invite(iv, "beta@example.com", 201, k[1], sizeof k[1]);
    invite(iv2, "gamma@example.com", 201, k[2], sizeof k[2]);
    hs_tu_resp r;
    snprintf(path, sizeof path, "/willo/participants/%s/complete", k[1]);
    hs_tu_admin("POST", path, NULL, &r);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/?search=BETA", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    ck_assert_str_eq(hs_tu_str(r.json, "results.0.key"), k[1]);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/?search=lovelace", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 3);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/?status=completed", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/participants/?interview=%s&ordering=-created", iv);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 2);
    ck_assert_str_eq(hs_tu_str(r.json, "results.0.key"), k[1]);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/participants/?interview=%s&ordering=created", iv);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "results.0.key"), k[0]);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/participants/?ordering=-completed", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 3);
    hs_tu_resp_clear(&r);
    hs_tu_admin("GET", "/willo/participants", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 3);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(admin_invites_by_hand)
{
    char iv[64], body[256], path[128];
    first_interview(iv, sizeof iv, 1);
    snprintf(body, sizeof body, "{\"interview\":\"%s\",\"first_name\":\"Hand\",\"email\":\"hand@example.com\"}", iv);
    hs_tu_resp r;
    for (int i = 0; i < 2; i++) {
        hs_tu_admin("POST", "/willo/participants", body, &r);
        ck_assert_int_eq(r.http.status, 201);
        hs_tu_resp_clear(&r);
    }
    snprintf(path, sizeof path, "/willo/participants?interview=%s", iv);
    hs_tu_admin("GET", path, NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 2);
    snprintf(path, sizeof path, "/willo/participants/%s/start", hs_tu_str(r.json, "0.key"));
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", path, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "status"), "started");
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/willo/participants/ffffffffffffffffffffffffffffffff/complete", NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    /* the API still refuses a third invitation of the same email */
    hs_tu_willo("POST", "/participants/", KEY, body, &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(update_and_delete)
{
    char iv[64], key[64], path[128];
    first_interview(iv, sizeof iv, 0);
    invite(iv, "move@example.com", 201, key, sizeof key);
    snprintf(path, sizeof path, "/participants/%s/", key);
    hs_tu_resp r;
    hs_tu_willo("PATCH", path, KEY, "{\"stage\":\"Shortlisted\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "stage"), "Shortlisted");
    hs_tu_resp_clear(&r);
    hs_tu_willo("PUT", path, KEY, "{\"email\":\"moved@example.com\",\"phone\":\"+447700900999\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "email"), "moved@example.com");
    ck_assert_str_eq(hs_tu_str(r.json, "phone"), "+447700900999");
    hs_tu_resp_clear(&r);
    hs_tu_willo("PATCH", path, KEY, "{\"email\":\"broken\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_willo("DELETE", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 204);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    /* an interview deleted through the API takes its participants with it */
    invite(iv, "stays@example.com", 201, key, sizeof key);
    snprintf(path, sizeof path, "/interviews/%s/", iv);
    hs_tu_willo("DELETE", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 204);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/participants/%s/", key);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 404);
    hs_tu_resp_clear(&r);
    hs_tu_willo("POST", "/interviews/", KEY, "{\"title\":\"Night Carer\"}", &r);
    ck_assert_int_eq(r.http.status, 201);
    ck_assert_uint_eq(strlen(hs_tu_str(r.json, "key")), 32);
    ck_assert_uint_eq(hs_tu_len(r.json, "questions"), 3);
    snprintf(path, sizeof path, "/interviews/%s/", hs_tu_str(r.json, "key"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("PATCH", path, KEY, "{\"title\":\"Night Care Assistant\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "title"), "Night Care Assistant");
    hs_tu_resp_clear(&r);
    hs_tu_willo("PUT", path, KEY, "{}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "title.0"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/?search=night", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    hs_tu_resp_clear(&r);
    hs_tu_willo("PATCH", "/interviews/", KEY, "{}", &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(webhooks_crud)
{
    hs_tu_resp r;
    hs_tu_willo("POST", "/webhooks/", KEY, "{\"target_url\":\"https://hooks.example.com/willo\",\"trigger\":\"new_response\"}", &r);
    ck_assert_int_eq(r.http.status, 201);
    ck_assert_int_eq(json_object_get_boolean(hs_tu_get(r.json, "is_active")), 1);
    char path[128];
    snprintf(path, sizeof path, "/webhooks/%s/", hs_tu_str(r.json, "key"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("POST", "/webhooks/", KEY, "{\"target_url\":\"https://hooks.example.com/x\",\"trigger\":\"bogus\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    ck_assert_ptr_nonnull(hs_tu_str(r.json, "trigger.0"));
    hs_tu_resp_clear(&r);
    hs_tu_willo("POST", "/webhooks/", KEY, "{\"target_url\":\"ftp://x\",\"trigger\":\"stage_change\"}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/webhooks/", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 1);
    hs_tu_resp_clear(&r);
    hs_tu_willo("PATCH", path, KEY, "{\"is_active\":false}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(json_object_get_boolean(hs_tu_get(r.json, "is_active")), 0);
    ck_assert_str_eq(hs_tu_str(r.json, "trigger"), "new_response");
    hs_tu_resp_clear(&r);
    hs_tu_willo("PUT", path, KEY, "{\"target_url\":\"https://hooks.example.com/v2\",\"trigger\":\"stage_change\"}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_str_eq(hs_tu_str(r.json, "trigger"), "stage_change");
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 405);
    hs_tu_resp_clear(&r);
    hs_tu_willo("DELETE", path, KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 204);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/webhooks/", KEY, NULL, &r);
    ck_assert_int_eq(hs_tu_int(r.json, "count"), 0);
    hs_tu_resp_clear(&r);
}
END_TEST

/* Waits (bounded) until no delivery is pending; returns the deliveries. */
static json_object *settled_deliveries(size_t want)
{
    for (int i = 0; i < 200; i++) {
        hs_tu_resp r;
        hs_tu_admin("GET", "/willo/deliveries", NULL, &r);
        json_object *arr = json_object_get(r.json);
        hs_tu_resp_clear(&r);
        int pending = json_object_array_length(arr) < want;
        for (size_t k = 0; k < json_object_array_length(arr); k++)
            pending |= strcmp(hs_tu_str(json_object_array_get_idx(arr, k), "state"), "pending") == 0;
        if (!pending)
            return arr;
        json_object_put(arr);
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
    }
    ck_abort_msg("webhook deliveries did not settle");
    return NULL;
}

START_TEST(webhook_deliveries)
{
    char iv[64], key[64], body[512], path[160];
    first_interview(iv, sizeof iv, 0);
    hs_tu_resp r;
    snprintf(body, sizeof body, "{\"target_url\":\"%s/inbox/willo\",\"trigger\":\"new_response\"}", hs_tu_sb.admin_url);
    hs_tu_willo("POST", "/webhooks/", KEY, body, &r);
    ck_assert_int_eq(r.http.status, 201);
    hs_tu_resp_clear(&r);
    snprintf(body, sizeof body, "{\"target_url\":\"%s/inbox/stage\",\"trigger\":\"stage_change\"}", hs_tu_sb.admin_url);
    hs_tu_willo("POST", "/webhooks/", KEY, body, &r);
    hs_tu_resp_clear(&r);
    snprintf(body, sizeof body, "{\"target_url\":\"%s/inbox/off\",\"trigger\":\"new_response\",\"is_active\":false}", hs_tu_sb.admin_url);
    hs_tu_willo("POST", "/webhooks/", KEY, body, &r);
    hs_tu_resp_clear(&r);

    invite(iv, "hooked@example.com", 201, key, sizeof key);
    snprintf(path, sizeof path, "/willo/participants/%s/complete", key);
    hs_tu_admin("POST", path, NULL, &r);
    hs_tu_resp_clear(&r);
    snprintf(path, sizeof path, "/participants/%s/", key);
    hs_tu_willo("PATCH", path, KEY, "{\"stage\":\"Shortlisted\"}", &r);
    hs_tu_resp_clear(&r);

    json_object *dl = settled_deliveries(2);
    ck_assert_uint_eq(json_object_array_length(dl), 2);
    ck_assert_str_eq(hs_tu_str(dl, "0.trigger"), "new_response");
    ck_assert_str_eq(hs_tu_str(dl, "0.state"), "delivered");
    ck_assert_int_eq(hs_tu_int(dl, "0.status"), 200);
    ck_assert_str_eq(hs_tu_str(dl, "0.participant"), key);
    ck_assert_str_eq(hs_tu_str(dl, "1.trigger"), "stage_change");
    json_object_put(dl);
    hs_tu_admin("GET", "/inbox", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 2);
    for (size_t i = 0; i < 2; i++) {
        json_object *item = json_object_array_get_idx(r.json, i);
        json_object *payload = json_tokener_parse(hs_tu_str(item, "body"));
        ck_assert_ptr_nonnull(payload);
        ck_assert_str_eq(hs_tu_str(payload, "participant.key"), key);
        ck_assert_str_eq(hs_tu_str(payload, "participant.interview"), iv);
        ck_assert_str_eq(hs_tu_str(payload, "trigger"),
                         strcmp(hs_tu_str(item, "path"), "/inbox/willo") == 0 ? "new_response" : "stage_change");
        json_object_put(payload);
    }
    hs_tu_resp_clear(&r);
}
END_TEST

static void complete_new(const char *iv, const char *email, char *key, size_t size)
{
    char path[160];
    hs_tu_resp r;
    invite(iv, email, 201, key, size);
    snprintf(path, sizeof path, "/willo/participants/%s/complete", key);
    hs_tu_admin("POST", path, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
}

/* The delivery options: the next delivery lost, a receiver that never answers tried again,
 * a delay before the first attempt (still pending on the first look, with seconds to spare);
 * out-of-range values refused. */
START_TEST(webhook_delivery_options)
{
    char iv[64], key[64], body[512];
    hs_tu_resp r;
    first_interview(iv, sizeof iv, 0);
    hs_tu_admin("POST", "/willo/settings", "{\"delivery_retries\":11}", &r);
    ck_assert_int_eq(r.http.status, 400);
    hs_tu_resp_clear(&r);
    hs_tu_admin("POST", "/willo/settings", "{\"delivery_drop\":1,\"delivery_retries\":2,"
                "\"delivery_retry_ms\":20}", &r);
    ck_assert_int_eq(r.http.status, 200);
    ck_assert_int_eq(hs_tu_int(r.json, "delivery_drop"), 1);
    hs_tu_resp_clear(&r);
    snprintf(body, sizeof body, "{\"target_url\":\"%s/inbox/a\",\"trigger\":\"new_response\"}",
             hs_tu_sb.admin_url);
    hs_tu_willo("POST", "/webhooks/", KEY, body, &r);
    hs_tu_resp_clear(&r);
    hs_tu_willo("POST", "/webhooks/", KEY, "{\"target_url\":\"http://127.0.0.1:1/x\","
                "\"trigger\":\"new_response\"}", &r);
    hs_tu_resp_clear(&r);

    complete_new(iv, "lost@example.com", key, sizeof key);
    json_object *dl = settled_deliveries(2);
    ck_assert_str_eq(hs_tu_str(dl, "0.state"), "failed");
    ck_assert_str_eq(hs_tu_str(dl, "0.error"), "lost (delivery_drop)");
    ck_assert_int_eq(hs_tu_int(dl, "0.attempts"), 0);
    ck_assert_str_eq(hs_tu_str(dl, "1.state"), "failed");
    ck_assert_int_eq(hs_tu_int(dl, "1.attempts"), 3);
    json_object_put(dl);
    hs_tu_admin("GET", "/inbox", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 0);
    hs_tu_resp_clear(&r);

    hs_tu_admin("POST", "/willo/settings", "{\"delivery_delay_ms\":3000,\"delivery_retries\":0}",
                &r);
    hs_tu_resp_clear(&r);
    complete_new(iv, "late@example.com", key, sizeof key);
    hs_tu_admin("GET", "/willo/deliveries", NULL, &r);
    ck_assert_str_eq(hs_tu_str(r.json, "2.state"), "pending");
    hs_tu_resp_clear(&r);
    dl = settled_deliveries(4);
    ck_assert_str_eq(hs_tu_str(dl, "2.state"), "delivered");
    ck_assert_int_eq(hs_tu_int(dl, "2.attempts"), 1);
    ck_assert_int_eq(hs_tu_int(dl, "3.attempts"), 1);
    json_object_put(dl);
    hs_tu_admin("GET", "/inbox", NULL, &r);
    ck_assert_uint_eq(json_object_array_length(r.json), 1);
    hs_tu_resp_clear(&r);
}
END_TEST

START_TEST(throttling)
{
    hs_tu_resp r;
    /* one request of burst, then the next token is far away */
    hs_tu_admin("POST", "/willo/settings", "{\"rate\":0.001}", &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 200);
    hs_tu_resp_clear(&r);
    hs_tu_willo("GET", "/interviews/", KEY, NULL, &r);
    ck_assert_int_eq(r.http.status, 429);
    ck_assert_ptr_nonnull(strstr(hs_tu_str(r.json, "detail"), "Request was throttled. Expected available in"));
    ck_assert_int_ge(atol(r.http.retry_after), 1);
    hs_tu_resp_clear(&r);
}
END_TEST

int main(void)
{
    hs_tu_args = args;
    Suite *s = suite_create("sandbox-willo");
    TCase *tc = hs_tu_tcase("willo");
    tcase_add_test(tc, auth_schemes);
    tcase_add_test(tc, interviews);
    tcase_add_test(tc, trailing_slash_redirect);
    tcase_add_test(tc, paging_follows_next);
    tcase_add_test(tc, invite_and_duplicates);
    tcase_add_test(tc, completed_detail);
    tcase_add_test(tc, lifecycle_admin_moves);
    tcase_add_test(tc, lifecycle_deadline_on_the_clock);
    tcase_add_test(tc, list_filters_and_ordering);
    tcase_add_test(tc, admin_invites_by_hand);
    tcase_add_test(tc, update_and_delete);
    tcase_add_test(tc, webhooks_crud);
    tcase_add_test(tc, webhook_deliveries);
    tcase_add_test(tc, webhook_delivery_options);
    tcase_add_test(tc, throttling);
    suite_add_tcase(s, tc);
    return hs_tu_run(s);
}
