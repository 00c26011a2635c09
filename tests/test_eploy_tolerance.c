/*
 * The Eploy connector against answers the sandbox does not give: a search envelope without
 * CurrentPage or TotalPages, null Workflow.Stage and Status, empty Records, a bare array, and
 * dates without fractions or zones. A small canned-answer HTTP server on loopback (one thread,
 * plain sockets) stands in for Eploy.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hs_test_config.h"
#include "hs_test_host.h"

typedef struct canned {
    const char *path;        /* request path prefix */
    const char *body;        /* JSON answer (status 200) */
} canned;

typedef struct server {
    int fd;
    int port;
    pthread_t thread;
    const canned *answers;
    size_t n_answers;
    int requests;
    char history_body[4096]; /* body of the last status history search */
    const char *date;        /* the Date header's value: Eploy's own time */
} server;

static const char *answer_for(const server *s, const char *path)
{
    for (size_t i = 0; i < s->n_answers; i++) {
        if (strncmp(path, s->answers[i].path, strlen(s->answers[i].path)) == 0)
            return s->answers[i].body;
    }
    return NULL;
}

/* Reads one request (headers, then Content-Length bytes) into buf; returns its length. */
static size_t read_request(int c, char *buf, size_t size)
{
    size_t len = 0;
    char *end = NULL;
    long body = 0;

    while (len + 1 < size) {
        ssize_t n = read(c, buf + len, size - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(buf, "Content-Length: ");
            body = cl != NULL ? strtol(cl + 16, NULL, 10) : 0;
        }
        if (end != NULL && len >= (size_t)(end + 4 - buf) + (size_t)body)
            break;
    }
    buf[len] = '\0';
    return len;
}

static void *serve(void *arg)
{
    server *s = arg;
    static char req[65536];

    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        char path[256] = "", head[256];
        const char *body, *reqbody;
        if (c < 0)
            return NULL;
        read_request(c, req, sizeof req);
        s->requests++;
        (void)sscanf(req, "%*s %255s", path);
        reqbody = strstr(req, "\r\n\r\n");
        if (reqbody != NULL && strstr(path, "statushistory") != NULL)
            snprintf(s->history_body, sizeof s->history_body, "%s", reqbody + 4);
        body = answer_for(s, path);
        if (body == NULL) {
            body = "{\"error_message\":\"No record could be found for the requested URI\"}";
            snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\n");
        } else {
            snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\n");
        }
        /* Eploy's own time, as a real server states it: the connector's signpost comes from
         * it. */
        dprintf(c, "%sDate: %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", head, s->date,
                strlen(body), body);
        close(c);
    }
}

/* The test host's fixed clock, 2026-01-01T00:00:00Z, unless a test says otherwise. */
#define DEFAULT_DATE "Thu, 01 Jan 2026 00:00:00 GMT"

static void server_start(server *s, const canned *answers, size_t n, const char *date)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;

    memset(s, 0, sizeof *s);
    s->date = date;
    s->answers = answers;
    s->n_answers = n;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->fd, 8), 0);
    ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->thread, NULL);
}

#define TOKEN_ANSWER "{\"access_token\":\"tok-abc-123\",\"token_type\":\"Bearer\",\"expires_in\":3599}"

static const canned odd_answers[] = {
    {"/api/token", TOKEN_ANSWER},
    /* No CurrentPage/TotalPages: one page. Dates: naive, with seconds only, with an offset. A
     * row with a null stage and status is no change; a null status alone is fine. */
    {"/api/applications/statushistory/search",
     "{\"Records\":["
     "{\"StatusHistoryId\":1,\"Application\":{\"Id\":11},\"Vacancy\":{\"Id\":5},"
     "\"StatusDate\":\"2026-03-01T10:00:00\",\"Workflow\":{\"Stage\":{\"Id\":\"3\","
     "\"Description\":\"Video Interview\"},\"Status\":null}},"
     "{\"StatusHistoryId\":2,\"Application\":{\"Id\":12},\"Vacancy\":{\"Id\":5},"
     "\"StatusDate\":\"2026-03-01T11:00:00+01:00\",\"Workflow\":{\"Stage\":null,\"Status\":null}},"
     "{\"StatusHistoryId\":3,\"Application\":{\"Id\":\"13\"},\"Vacancy\":{\"Id\":\"5\"},"
     "\"StatusDate\":\"2026-03-01 12:00\",\"Workflow\":{\"Stage\":{\"Id\":3,"
     "\"Description\":\"Video Interview\"},\"Status\":{\"Id\":31,\"Description\":\"Invited\"}}},"
     "{\"StatusHistoryId\":4,\"Application\":{\"Id\":14},\"Vacancy\":{\"Id\":5},"
     "\"StatusDate\":\"not a date\",\"Workflow\":{\"Stage\":{\"Id\":3}}}"
     "]}"},
    /* A bare array instead of the envelope. */
    {"/api/applications/search",
     "[{\"ApplicationId\":11,\"Candidate\":{\"Id\":101},\"Vacancy\":{\"Id\":5}},"
     "{\"ApplicationId\":13,\"Candidate\":{\"Id\":\"103\"},\"Vacancy\":{\"Id\":5}}]"},
    {"/api/candidates/search",
     "{\"CurrentPage\":1,\"TotalPages\":1,\"Records\":["
     "{\"CandidateId\":101,\"FirstName\":\"Ann\",\"Surname\":\"One\",\"Email\":null,"
     "\"Mobile\":\"\",\"Telephone\":\"0113 000\"},"
     "{\"CandidateId\":103,\"FirstName\":\"Bo\",\"Surname\":\"Three\",\"Email\":\"bo@example.org\"}"
     "]}"},
};

static const canned empty_answers[] = {
    {"/api/token", TOKEN_ANSWER},
    {"/api/applications/statushistory/search", "{\"CurrentPage\":1,\"TotalPages\":0,\"Records\":[]}"},
};

typedef struct fx {
    server srv;
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_test_collector *col;
    hs_error err;
    char err_msg[HS_TEST_MESSAGE_SIZE];
} fx;

static void fx_start_at(fx *f, const canned *answers, size_t n, const char *extra,
                        const char *date)
{
    char cfg[512];
    memset(f, 0, sizeof *f);
    server_start(&f->srv, answers, n, date);
    f->h = hs_test_host_new();
    f->m = hs_test_module_load("eploy");
    ck_assert_ptr_nonnull(f->m);
    f->c = hs_test_module_connector(f->m);
    f->col = hs_test_collector_new();
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
    snprintf(cfg, sizeof cfg, "{\"base_url\":\"http://127.0.0.1:%d/api\",\"client_id\":\"c\","
             "\"client_secret\":\"s\"%s%s}", f->srv.port, extra ? "," : "", extra ? extra : "");
    ck_assert_int_eq(hs_test_module_open(f->m, f->h, cfg, &f->conn,
                                &f->err), HS_OK);
}

static void fx_start(fx *f, const canned *answers, size_t n, const char *extra)
{
    fx_start_at(f, answers, n, extra, DEFAULT_DATE);
}

static void fx_stop(fx *f)
{
    f->c->close(f->conn);
    hs_test_collector_free(f->col);
    hs_test_module_unload(f->m);
    hs_test_host_free(f->h);
    server_stop(&f->srv);
}

static hs_status read_from(fx *f, const char *cursor)
{
    hs_read_request req = {sizeof req, cursor, NULL, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    hs_emitter em = hs_test_collector_emitter(f->col);
    return f->c->read_changes(f->conn, &req, &em, &f->err);
}

START_TEST(odd_envelopes_and_dates)
{
    fx f;
    const hs_test_change *a, *b;

    /* A cursor before March and the server's time after it (the rows are of 1 March). */
    fx_start_at(&f, odd_answers, sizeof odd_answers / sizeof odd_answers[0],
                "\"timezone_offset_min\":60", "Tue, 31 Mar 2026 12:00:00 GMT");
    hs_test_host_set_now(f.h, 1775000000000LL);   /* 2026-03-31, the host agreeing */
    ck_assert_int_eq(read_from(&f, "{\"since\":\"2026-02-01T00:00:00Z\"}"), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 2);
    ck_assert_uint_eq(f.col->n_checkpoints, 2);
    a = hs_test_collector_find(f.col, "11", NULL);
    b = hs_test_collector_find(f.col, "13", NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    /* Zone-less dates are UK summer time here (offset 60). */
    ck_assert_str_eq(a->changed_at, "2026-03-01T09:00:00.000Z");
    ck_assert_str_eq(b->changed_at, "2026-03-01T11:00:00.000Z");
    ck_assert_str_eq(a->key, "eploy:app:11:3::2026-03-01T09:00:00.000Z");
    ck_assert_ptr_null(a->status_id);
    ck_assert_str_eq(a->stage_name, "Video Interview");
    ck_assert_str_eq(a->job_id, "5");
    ck_assert_str_eq(a->person_id, "101");
    ck_assert_str_eq(a->first_name, "Ann");
    ck_assert_ptr_null(a->email);
    ck_assert_str_eq(a->phone, "0113 000");    /* Mobile empty: Telephone */
    ck_assert_str_eq(b->email, "bo@example.org");
    ck_assert_str_eq(b->status_name, "Invited");
    ck_assert(hs_test_host_log_contains(f.h, "without a readable date"));
    /* The filter asked for dates after since minus the overlap (300 s). */
    ck_assert_msg(strstr(f.srv.history_body, "\"Value\":\"2026-01-31T23:55:00.000Z\"") != NULL &&
                  strstr(f.srv.history_body, "\"GreaterThan\"") != NULL &&
                  strstr(f.srv.history_body, "\"StatusHistory.StatusDate\"") != NULL, "%s",
                  f.srv.history_body);
    fx_stop(&f);
}
END_TEST

START_TEST(empty_records_still_checkpoint)
{
    fx f;
    char *cursor;

    fx_start(&f, empty_answers, sizeof empty_answers / sizeof empty_answers[0], NULL);
    ck_assert_int_eq(read_from(&f, "{\"since\":\"2025-12-31T00:00:00Z\",\"seen\":[\"x\"]}"),
                     HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 0);
    ck_assert_uint_eq(f.col->n_checkpoints, 1);
    cursor = strdup(hs_test_collector_last_cursor(f.col));
    /* The cursor moved to the signpost: the server's Date (2026-01-01T00:00:00Z, whole
     * seconds, so up to the end of that second; the overlap re-reads it) less 5 s. */
    ck_assert_msg(strstr(cursor, "\"since\":\"2025-12-31T23:59:55.999Z\"") != NULL, "%s", cursor);
    /* The host's clock plays no part: gone backwards, it does not move the cursor back. */
    hs_test_host_set_now(f.h, 1700000000000LL);
    hs_test_collector_clear(f.col);
    ck_assert_int_eq(read_from(&f, cursor), HS_OK);
    ck_assert_msg(strstr(hs_test_collector_last_cursor(f.col),
                         "\"since\":\"2025-12-31T23:59:55.999Z\"") != NULL, "%s",
                  hs_test_collector_last_cursor(f.col));
    free(cursor);
    fx_stop(&f);
}
END_TEST

START_TEST(wrong_path_names_the_address)
{
    static const canned none[] = {{"/nothing", "{}"}};
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;
    fx f;

    fx_start(&f, none, 1, NULL);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &f.err), HS_OK);
    it = hs_test_report_find(rep, "Credentials");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "subdomain") != NULL, "%s", it->message);
    hs_test_report_free(rep);
    fx_stop(&f);
}
END_TEST

START_TEST(unknown_host_is_a_config_error)
{
    hs_test_host *h = hs_test_host_new();
    hs_test_module *m = hs_test_module_load("eploy");
    const hs_connector *c = hs_test_module_connector(m);
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    HS_TEST_ERROR(err);
    hs_conn *conn = NULL;
    const hs_test_check_item *it;

    /* ".invalid" never resolves (RFC 2606), as a mistyped subdomain would not. */
    ck_assert_int_eq(hs_test_module_open(m, h,
                             "{\"base_url\":\"https://hiresync-test.invalid/api\","
                             "\"client_id\":\"c\",\"client_secret\":\"s\"}", &conn, &err),
                     HS_OK);
    ck_assert_int_eq(c->check(conn, &sink, &err), HS_OK);
    it = hs_test_report_find(rep, "Credentials");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "resolve") != NULL && strstr(it->message, "subdomain"),
                  "%s", it->message);
    ck_assert_uint_eq(hs_test_host_sleep_count(h), 0);
    c->close(conn);
    hs_test_report_free(rep);
    hs_test_module_unload(m);
    hs_test_host_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eploy-tolerance");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, odd_envelopes_and_dates);
    tcase_add_test(tc, empty_records_still_checkpoint);
    tcase_add_test(tc, wrong_path_names_the_address);
    tcase_add_test(tc, unknown_host_is_a_config_error);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
