/*
 * The jsonl connector's own promises, through the test host: the cursor (a barrier every
 * barrier_every lines, a line still being written left for later, a replaced or truncated
 * file read from its start, a re-read from a committed cursor giving the same keys), the
 * snapshot (the latest line of each record), writes once per key (same id, mode 0600, a torn
 * line closed), check's findings, and open's refusals.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_testutil.h"
#include "hs_test_host.h"

typedef struct fx {
    char dir[256];
    char path[512];
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_test_collector *col;
} fx;

static fx f;

static const char *file(const char *name)
{
    snprintf(f.path, sizeof f.path, "%s/%s", f.dir, name);
    return f.path;
}

static void put(const char *name, const char *mode, const char *text)
{
    FILE *out = fopen(file(name), mode);
    ck_assert_ptr_nonnull(out);
    fputs(text, out);
    fclose(out);
}

static size_t lines(const char *name)
{
    FILE *in = fopen(file(name), "r");
    size_t n = 0;
    int ch;
    if (!in)
        return 0;
    while ((ch = fgetc(in)) != EOF)
        n += ch == '\n';
    fclose(in);
    return n;
}

static void setup(void)
{
    const char *build = getenv("HIRESYNC_BUILDDIR");
    char modules[512];
    char *dir = hs_ht_tmpdir();
    ck_assert_uint_lt(strlen(dir), sizeof f.dir);
    snprintf(f.dir, sizeof f.dir, "%s", dir);
    free(dir);
    snprintf(modules, sizeof modules, "%s/examples/jsonl/.libs", build ? build : ".");
    setenv("HIRESYNC_CONNECTOR_DIR", modules, 1);
    f.h = hs_test_host_new();
    f.m = hs_test_module_load("jsonl");
    ck_assert_ptr_nonnull(f.m);
    f.c = hs_test_module_connector(f.m);
    f.col = hs_test_collector_new();
    /* What the host gives open(): every key, defaults filled from jsonl.json. */
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "{\"dir\":\"%s\",\"changes\":\"changes.jsonl\",\"jobs\":\"jobs.jsonl\","
             "\"invitations\":\"invitations.jsonl\",\"notes\":\"notes.jsonl\",\"barrier_every\":2}",
             f.dir);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->open(hs_test_host_api(), hs_test_host_handle(f.h), cfg, &f.conn, &err),
                     HS_OK);
}

static void teardown(void)
{
    f.c->close(f.conn);
    hs_test_collector_free(f.col);
    hs_test_module_unload(f.m);
    hs_test_host_free(f.h);
    hs_ht_rmtree(f.dir);
}

/* Reads from cursor (snapshot when asked) into a cleared collector; returns the status. */
static hs_status read_from(const char *cursor, int snapshot)
{
    hs_read_request req = {sizeof req, cursor, NULL, 0, snapshot, 0, NULL, 0, 0, NULL, 0, 0};
    hs_emitter em = hs_test_collector_emitter(f.col);
    HS_TEST_ERROR(err);
    hs_test_collector_clear(f.col);
    hs_status st = f.c->read_changes(f.conn, &req, &em, &err);
    ck_assert_msg(f.col->malformed == NULL, "malformed record: %s", f.col->malformed);
    return st;
}

#define STAGE(rec, stage) "{\"record_id\":\"" rec "\",\"job_id\":\"J1\",\"stage\":\"" stage "\"}\n"

START_TEST(barriers_every_n_lines_and_partial_lines_wait)
{
    put("changes.jsonl", "w", STAGE("A1", "Applied") STAGE("A2", "Applied") STAGE("A3", "Applied"));
    put("changes.jsonl", "a", "{\"record_id\":\"A4\",\"job_id\":\"J1\"");   /* being written */
    ck_assert_int_eq(read_from("", 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 3);
    ck_assert_uint_eq(f.col->n_checkpoints, 2);          /* after line 2, and at the end */
    ck_assert_uint_eq(f.col->changes[2].barrier, 1);
    char cursor[128];
    snprintf(cursor, sizeof cursor, "%s", hs_test_collector_last_cursor(f.col));

    /* From the committed cursor: nothing new until the line is finished, then only it. */
    ck_assert_int_eq(read_from(cursor, 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 0);
    ck_assert_uint_eq(f.col->n_checkpoints, 1);
    ck_assert_str_eq(hs_test_collector_last_cursor(f.col), cursor);
    put("changes.jsonl", "a", ",\"stage\":\"Video Interview\"}\n");
    ck_assert_int_eq(read_from(cursor, 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 1);
    ck_assert_str_eq(f.col->changes[0].record_id, "A4");
    ck_assert_str_eq(f.col->changes[0].stage_name, "Video Interview");
}
END_TEST

START_TEST(reread_from_a_cursor_gives_the_same_keys)
{
    put("changes.jsonl", "w", STAGE("A1", "Applied") STAGE("A2", "Applied"));
    ck_assert_int_eq(read_from("", 0), HS_OK);
    char first[128], key0[256];
    snprintf(key0, sizeof key0, "%s", f.col->changes[0].key);
    snprintf(first, sizeof first, "%s", f.col->checkpoints[0]);
    put("changes.jsonl", "a", STAGE("A3", "Applied"));
    ck_assert_int_eq(read_from("", 0), HS_OK);
    ck_assert_str_eq(f.col->changes[0].key, key0);
    ck_assert_uint_eq(f.col->n_changes, 3);
    ck_assert_int_eq(read_from(first, 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 1);
    ck_assert_str_eq(f.col->changes[0].record_id, "A3");
}
END_TEST

START_TEST(replaced_or_truncated_files_are_read_from_the_start)
{
    put("changes.jsonl", "w", STAGE("A1", "Applied") STAGE("A2", "Applied") STAGE("A3", "Applied"));
    ck_assert_int_eq(read_from("", 0), HS_OK);
    char cursor[128];
    snprintf(cursor, sizeof cursor, "%s", hs_test_collector_last_cursor(f.col));

    /* An editor's save: a new file renamed over the old one. */
    put("changes.new", "w", STAGE("B1", "Applied"));
    char from[512];
    snprintf(from, sizeof from, "%s", file("changes.new"));
    ck_assert_int_eq(rename(from, file("changes.jsonl")), 0);
    ck_assert_int_eq(read_from(cursor, 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 1);
    ck_assert_str_eq(f.col->changes[0].record_id, "B1");
    snprintf(cursor, sizeof cursor, "%s", hs_test_collector_last_cursor(f.col));

    put("changes.jsonl", "a", STAGE("B2", "Applied") STAGE("B3", "Applied"));
    ck_assert_int_eq(read_from(cursor, 0), HS_OK);
    snprintf(cursor, sizeof cursor, "%s", hs_test_collector_last_cursor(f.col));
    /* Truncated in place (same inode), shorter than the cursor's offset. */
    put("changes.jsonl", "w", STAGE("C1", "Applied"));
    ck_assert_int_eq(read_from(cursor, 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 1);
    ck_assert_str_eq(f.col->changes[0].record_id, "C1");
}
END_TEST

START_TEST(a_missing_file_keeps_the_cursor)
{
    ck_assert_int_eq(read_from("", 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 0);
    ck_assert_uint_eq(f.col->n_checkpoints, 1);
    ck_assert_str_eq(f.col->checkpoints[0], "{\"inode\":0,\"offset\":0}");
    ck_assert_int_eq(read_from("{\"inode\":12,\"offset\":34}", 0), HS_OK);
    ck_assert_str_eq(f.col->checkpoints[0], "{\"inode\":12,\"offset\":34}");
    ck_assert_int_eq(read_from("[1]", 0), HS_E_INTERNAL);   /* not a cursor jsonl writes */
}
END_TEST

START_TEST(a_snapshot_gives_the_latest_line_of_each_record)
{
    put("changes.jsonl", "w", STAGE("A1", "Applied") STAGE("A2", "Applied")
        STAGE("A1", "Video Interview")
        "{\"record_id\":\"X\",\"job_id\":\"J2\",\"stage\":\"Applied\"}\n");
    const char *jobs[] = {"J1"};
    hs_read_request req = {sizeof req, "", jobs, 1, 1, 0, NULL, 0, 0, NULL, 0, 0};
    hs_emitter em = hs_test_collector_emitter(f.col);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->read_changes(f.conn, &req, &em, &err), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 2);                /* J2's record is left out */
    ck_assert_str_eq(f.col->changes[0].record_id, "A1");
    ck_assert_str_eq(f.col->changes[0].stage_name, "Video Interview");
    ck_assert_int_eq(f.col->changes[0].snapshot, 1);
    ck_assert_str_eq(f.col->changes[1].record_id, "A2");
    ck_assert_uint_eq(f.col->n_checkpoints, 1);
}
END_TEST

START_TEST(a_bad_line_fails_after_the_barriers_before_it)
{
    put("changes.jsonl", "w", STAGE("A1", "Applied") STAGE("A2", "Applied") "not json\n"
        STAGE("A3", "Applied"));
    hs_read_request req = {sizeof req, "", NULL, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    hs_emitter em = hs_test_collector_emitter(f.col);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->read_changes(f.conn, &req, &em, &err), HS_E_CONFIG);
    ck_assert_uint_eq(f.col->n_checkpoints, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "changes.jsonl"));
    ck_assert_ptr_nonnull(strstr(err.message, "not a JSON object"));
}
END_TEST

START_TEST(completions_name_the_invitation)
{
    hs_person p = {sizeof p, "C1", "Ada", "Lovelace", "ada@example.com", NULL};
    hs_invitation inv = {sizeof inv, "try|A1|video-1", "video-1", &p, "A1", NULL};
    HS_TEST_RESULT(res);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &res, &err), HS_OK);
    char line[512];
    snprintf(line, sizeof line, "{\"kind\":\"completed\",\"record_id\":\"%s\",\"job_id\":\"video-1\","
             "\"link\":\"https://answers.example/1\"}\n", res.remote_id);
    put("changes.jsonl", "w", line);
    ck_assert_int_eq(read_from("", 0), HS_OK);
    ck_assert_uint_eq(f.col->n_changes, 1);
    ck_assert_uint_eq(f.col->changes[0].kind, HS_CHANGE_COMPLETED);
    ck_assert_str_eq(f.col->changes[0].record_id, res.remote_id);
    ck_assert_str_eq(f.col->changes[0].link, "https://answers.example/1");
}
END_TEST

START_TEST(writes_once_per_key)
{
    hs_person p = {sizeof p, "C1", "Ada", "Lovelace", "ada@example.com", NULL};
    hs_invitation inv = {sizeof inv, "k1", "video-1", &p, "A1", NULL};
    HS_TEST_RESULT(res);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &res, &err), HS_OK);
    ck_assert_int_eq(res.applied, 1);
    char id[256];
    snprintf(id, sizeof id, "%s", res.remote_id);
    struct stat st;
    ck_assert_int_eq(stat(file("invitations.jsonl"), &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);

    hs_test_result_clear(&res);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &res, &err), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_str_eq(res.remote_id, id);
    ck_assert_uint_eq(lines("invitations.jsonl"), 1);

    /* A crash tore a line: the next append starts on a line of its own. */
    put("invitations.jsonl", "a", "{\"key\":\"k2\",\"id\":\"x\",\"interv");
    inv.key = "k3";
    hs_test_result_clear(&res);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &res, &err), HS_OK);
    ck_assert_int_eq(res.applied, 1);
    ck_assert_uint_eq(lines("invitations.jsonl"), 3);
    inv.key = "k1";
    hs_test_result_clear(&res);
    ck_assert_int_eq(f.c->write_invitation(f.conn, &inv, &res, &err), HS_OK);
    ck_assert_int_eq(res.applied, 0);
    ck_assert_str_eq(res.remote_id, id);

    hs_note note = {sizeof note, "n1", "A1", "J1", "C1", "Video interview completed",
                    "Ada completed it", "https://answers.example/1", NULL, 0, NULL, 0, 0};
    for (int i = 0; i < 2; i++) {
        hs_test_result_clear(&res);
        ck_assert_int_eq(f.c->write_note(f.conn, &note, &res, &err), HS_OK);
        ck_assert_int_eq(res.applied, i == 0);
    }
    ck_assert_uint_eq(lines("notes.jsonl"), 1);
}
END_TEST

START_TEST(check_reports_permissions_and_jobs)
{
    put("jobs.jsonl", "w", "{\"id\":\"video-1\"}\n");
    put("changes.jsonl", "w", "");
    ck_assert_int_eq(chmod(file("changes.jsonl"), 0644), 0);
    const char *jobs[] = {"video-1", "video-2"};
    hs_test_report *r = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(r, jobs, 2);
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->check(f.conn, &sink, &err), HS_OK);
    const hs_test_check_item *it = hs_test_report_find(r, f.dir);
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_OK);
    it = hs_test_report_find(r, file("changes.jsonl"));
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_WARN);
    ck_assert_ptr_nonnull(strstr(it->message, "chmod 600"));
    it = hs_test_report_find(r, "job video-1");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_OK);
    it = hs_test_report_find(r, "job video-2");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    hs_test_report_free(r);
}
END_TEST

START_TEST(open_refuses_a_relative_dir)
{
    hs_conn *conn = (hs_conn *)&f;   /* must come back NULL */
    HS_TEST_ERROR(err);
    ck_assert_int_eq(f.c->open(hs_test_host_api(), hs_test_host_handle(f.h),
                               "{\"dir\":\"files\"}", &conn, &err), HS_E_CONFIG);
    ck_assert_ptr_null(conn);
    ck_assert_ptr_nonnull(strstr(err.message, "\"dir\""));
    f.c->close(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("jsonl");
    TCase *tc = tcase_create("jsonl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, barriers_every_n_lines_and_partial_lines_wait);
    tcase_add_test(tc, reread_from_a_cursor_gives_the_same_keys);
    tcase_add_test(tc, replaced_or_truncated_files_are_read_from_the_start);
    tcase_add_test(tc, a_missing_file_keeps_the_cursor);
    tcase_add_test(tc, a_snapshot_gives_the_latest_line_of_each_record);
    tcase_add_test(tc, a_bad_line_fails_after_the_barriers_before_it);
    tcase_add_test(tc, completions_name_the_invitation);
    tcase_add_test(tc, writes_once_per_key);
    tcase_add_test(tc, check_reports_permissions_and_jobs);
    tcase_add_test(tc, open_refuses_a_relative_dir);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
