/* The state store and pipeline locks: atomic generations, checksums, refusal of corrupt or
 * missing state, permissions, and the per-pipeline lock. */
#define _DEFAULT_SOURCE

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../host/lock.h"
#include "../host/state.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hs-test-state-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void path_of(char *out, size_t size, const char *suffix)
{
    snprintf(out, size, "%s/p1%s", dir, suffix);
}

/* Commits a body {"cursor": value} as the next generation. */
static void commit_cursor(const char *value)
{
    hs_state *s = NULL;
    char err[HS_STATE_ERR_MAX];
    ck_assert_msg(hs_state_load(dir, "p1", &s, err, sizeof err) == 0, "%s", err);
    json_object_object_add(s->body, "cursor", json_object_new_string(value));
    ck_assert_msg(hs_state_commit(s, 1700000000000, err, sizeof err) == 0, "%s", err);
    hs_state_free(s);
}

static const char *loaded_cursor(hs_state *s)
{
    json_object *v;
    ck_assert(json_object_object_get_ex(s->body, "cursor", &v));
    return json_object_get_string(v);
}

static void overwrite(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

START_TEST(test_roundtrip_generations)
{
    hs_state *s = NULL;
    char err[HS_STATE_ERR_MAX], prev[512];
    struct stat st;
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), 0);
    ck_assert_int_eq(s->existed, 0);
    ck_assert_int_eq(json_object_object_length(s->body), 0);
    hs_state_free(s);
    commit_cursor("one");
    commit_cursor("two");
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), 0);
    ck_assert_int_eq(s->existed, 1);
    ck_assert_uint_eq(s->seq, 2);
    ck_assert_str_eq(loaded_cursor(s), "two");
    hs_state_free(s);
    /* the previous generation holds the first commit */
    path_of(prev, sizeof prev, ".state.prev");
    ck_assert_int_eq(stat(prev, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(test_checksum_detects_a_flipped_byte)
{
    char path[512], err[HS_STATE_ERR_MAX], *text = NULL, *p;
    size_t len = 0;
    hs_state *s = NULL;
    commit_cursor("abcdef");
    path_of(path, sizeof path, ".state");
    ck_assert_int_eq(hs_state_read_file(path, 1 << 20, &text, &len, err, sizeof err), 0);
    p = strstr(text, "abcdef");
    ck_assert_ptr_nonnull(p);
    p[0] = 'x'; /* still valid JSON: only the checksum can tell */
    overwrite(path, text, len);
    free(text);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "checksum") != NULL, "%s", err);
    ck_assert_msg(strstr(err, path) != NULL, "message names the file: %s", err);
    ck_assert_msg(strstr(err, "hiresync state reset p1") != NULL, "%s", err);
}
END_TEST

START_TEST(test_truncated_and_zero_filled_files_are_refused)
{
    char path[512], err[HS_STATE_ERR_MAX], *text = NULL;
    size_t len = 0;
    hs_state *s = NULL;
    static const char zeros[64];
    commit_cursor("value");
    path_of(path, sizeof path, ".state");
    ck_assert_int_eq(hs_state_read_file(path, 1 << 20, &text, &len, err, sizeof err), 0);
    overwrite(path, text, len / 2);
    free(text);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "corrupt") != NULL, "%s", err);
    overwrite(path, zeros, sizeof zeros);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    overwrite(path, "", 0);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_missing_file_after_a_run_is_refused)
{
    char path[512], err[HS_STATE_ERR_MAX];
    hs_state *s = NULL;
    commit_cursor("value");
    path_of(path, sizeof path, ".state");
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "missing") != NULL && strstr(err, "state reset p1") != NULL,
                  "%s", err);
    /* an explicit reset starts over */
    ck_assert_int_eq(hs_state_reset(dir, "p1", err, sizeof err), 0);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), 0);
    ck_assert_int_eq(s->existed, 0);
    hs_state_free(s);
}
END_TEST

START_TEST(test_wrong_format_and_pipeline_are_refused)
{
    char path[512], err[HS_STATE_ERR_MAX];
    hs_state *s = NULL;
    const char *other = "{\"format\":99,\"pipeline\":\"p1\",\"seq\":1,\"body\":{}}";
    commit_cursor("value");
    path_of(path, sizeof path, ".state");
    overwrite(path, other, strlen(other));
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "format") != NULL, "%s", err);
    ck_assert_int_eq(hs_state_load(dir, "../p1", &s, err, sizeof err), -1);
    ck_assert_int_eq(hs_state_name_ok("a/b"), 0);
    ck_assert_int_eq(hs_state_name_ok(".hidden"), 0);
    ck_assert_int_eq(hs_state_name_ok("acme-video_1.x"), 1);
}
END_TEST

START_TEST(test_permissions_and_stale_temps)
{
    char sub[400], path[512], tmp[512], err[HS_STATE_ERR_MAX];
    struct stat st;
    hs_state *s = NULL;
    snprintf(sub, sizeof sub, "%s/var/lib/state", dir); /* parents are created too */
    ck_assert_int_eq(hs_state_dir_prepare(sub, err, sizeof err), 0);
    ck_assert_int_eq(stat(sub, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    ck_assert_int_eq(chmod(sub, 0755), 0);
    ck_assert_int_eq(hs_state_dir_prepare(sub, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "chmod 700") != NULL, "%s", err);
    commit_cursor("value");
    path_of(path, sizeof path, ".state");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    snprintf(tmp, sizeof tmp, "%s/.p1.state.tmp.99999", dir);
    overwrite(tmp, "partial", 7);
    snprintf(path, sizeof path, "%s/.p1.status.tmp.99998", dir);
    overwrite(path, "partial", 7);
    {
        /* another pipeline's write in progress stays */
        char other[512];
        snprintf(other, sizeof other, "%s/.p1.b.state.tmp.99997", dir);
        overwrite(other, "partial", 7);
        ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), 0);
        ck_assert_int_eq(stat(other, &st), 0);
    }
    ck_assert_int_eq(stat(path, &st), -1);
    ck_assert_int_eq(stat(tmp, &st), -1);
    ck_assert_str_eq(loaded_cursor(s), "value");
    hs_state_free(s);
}
END_TEST

/* A process killed at each crash point inside a state write leaves either the old or the
 * new generation, never a broken one. */
START_TEST(test_killed_inside_a_write_leaves_old_or_new)
{
    for (int point = 1; point <= 6; point++) {
        char err[HS_STATE_ERR_MAX];
        hs_state *s = NULL;
        pid_t pid;
        int status;
        const char *c;
        char sub[400];
        snprintf(sub, sizeof sub, "%s/k%d", dir, point);
        ck_assert_int_eq(hs_state_dir_prepare(sub, err, sizeof err), 0);
        ck_assert_int_eq(hs_state_load(sub, "p1", &s, err, sizeof err), 0);
        json_object_object_add(s->body, "cursor", json_object_new_string("old"));
        ck_assert_int_eq(hs_state_commit(s, 1, err, sizeof err), 0);
        hs_state_free(s);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            char env[16];
            snprintf(env, sizeof env, "%d", point);
            setenv("HIRESYNC_CRASH_AT", env, 1);
            if (hs_state_load(sub, "p1", &s, err, sizeof err) != 0)
                _exit(3);
            json_object_object_add(s->body, "cursor", json_object_new_string("new"));
            _exit(hs_state_commit(s, 2, err, sizeof err) == 0 ? 0 : 4);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(hs_state_load(sub, "p1", &s, err, sizeof err) == 0, "point %d: %s", point,
                      err);
        c = loaded_cursor(s);
        ck_assert_msg(strcmp(c, "old") == 0 || strcmp(c, "new") == 0, "point %d: %s", point, c);
        if (WIFSIGNALED(status))
            ck_assert_int_eq(WTERMSIG(status), SIGKILL);
        else
            ck_assert_str_eq(c, "new"); /* no more crash points: the write completed */
        hs_state_free(s);
    }
}
END_TEST

START_TEST(test_lock_is_exclusive)
{
    char err[256];
    int busy = 0;
    int a = hs_lock_acquire(dir, "p1", &busy, err, sizeof err);
    int b;
    ck_assert_int_ge(a, 0);
    b = hs_lock_acquire(dir, "p1", &busy, err, sizeof err);
    ck_assert_int_eq(b, -1);
    ck_assert_int_eq(busy, 1);
    ck_assert_msg(strstr(err, "skipped") != NULL, "%s", err);
    hs_lock_release(a);
    b = hs_lock_acquire(dir, "p1", &busy, err, sizeof err);
    ck_assert_int_ge(b, 0);
    hs_lock_release(b);
}
END_TEST

START_TEST(test_checksum_values)
{
    /* FNV-1a 64 reference values */
    ck_assert(hs_state_checksum("", 0) == 0xcbf29ce484222325ull);
    ck_assert(hs_state_checksum("a", 1) == 0xaf63dc4c8601ec8cull);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("store");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_roundtrip_generations);
    tcase_add_test(tc, test_checksum_detects_a_flipped_byte);
    tcase_add_test(tc, test_truncated_and_zero_filled_files_are_refused);
    tcase_add_test(tc, test_missing_file_after_a_run_is_refused);
    tcase_add_test(tc, test_wrong_format_and_pipeline_are_refused);
    tcase_add_test(tc, test_permissions_and_stale_temps);
    tcase_add_test(tc, test_killed_inside_a_write_leaves_old_or_new);
    tcase_add_test(tc, test_lock_is_exclusive);
    tcase_add_test(tc, test_checksum_values);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
