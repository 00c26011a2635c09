/* The state store and pipeline locks: atomic generations, checksums, refusal of corrupt or
 * missing state, permissions, the journal of outbox steps (replay, torn and corrupt lines,
 * cost per step), the previous format, and the per-pipeline lock. */
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

/* ---- the journal ---------------------------------------------------------------------------- */

static void append_str(hs_state *s, const char *section, const char *key, const char *value)
{
    char err[HS_STATE_ERR_MAX];
    json_object *v = value ? json_object_new_string(value) : NULL;
    hs_state_put put = {section, key, v};
    ck_assert_msg(hs_state_append(s, &put, 1, err, sizeof err) == 0, "%s", err);
    json_object_put(v);
}

static const char *entry(hs_state *s, const char *section, const char *key)
{
    json_object *sec, *v;
    if (!json_object_object_get_ex(s->body, section, &sec) ||
        !json_object_object_get_ex(sec, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static off_t file_size(const char *suffix)
{
    char path[512];
    struct stat st;
    path_of(path, sizeof path, suffix);
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

static hs_state *load_ok(void)
{
    hs_state *s = NULL;
    char err[HS_STATE_ERR_MAX];
    ck_assert_msg(hs_state_load(dir, "p1", &s, err, sizeof err) == 0, "%s", err);
    return s;
}

/* Three records appended to a committed state; the caller frees the handle it returns. */
static void three_records(void)
{
    hs_state *s;
    commit_cursor("c1");
    s = load_ok();
    append_str(s, "outbox", "k1", "intent");
    append_str(s, "outbox", "k2", "intent");
    append_str(s, "outbox", "k1", "done");
    hs_state_free(s);
}

START_TEST(test_journal_replays_on_load_and_folds_on_commit)
{
    hs_state *s;
    char err[HS_STATE_ERR_MAX];
    struct stat st;
    char path[512];
    three_records();
    path_of(path, sizeof path, ".journal");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    s = load_ok();
    ck_assert_str_eq(s->recovered, "");
    ck_assert_str_eq(entry(s, "outbox", "k1"), "done");
    ck_assert_str_eq(entry(s, "outbox", "k2"), "intent");
    ck_assert_str_eq(loaded_cursor(s), "c1");
    ck_assert_uint_eq(s->journal_seq, 3);
    append_str(s, "outbox", "k2", NULL); /* a deletion replays too */
    hs_state_free(s);
    s = load_ok();
    ck_assert_ptr_null(entry(s, "outbox", "k2"));
    /* a commit folds the journal into the snapshot and empties it */
    ck_assert_msg(hs_state_commit(s, 2, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(file_size(".journal"), 0);
    ck_assert_uint_eq(s->snapshots, 1);
    append_str(s, "outbox", "k3", "intent"); /* numbering goes on after the mark */
    ck_assert_uint_eq(s->journal_seq, 5);
    hs_state_free(s);
    s = load_ok();
    ck_assert_str_eq(entry(s, "outbox", "k1"), "done");
    ck_assert_str_eq(entry(s, "outbox", "k3"), "intent");
    ck_assert_uint_eq(s->seq, 2);
    hs_state_free(s);
}
END_TEST

/* The previous generation put back in place of a damaged snapshot loads with every record
 * since: the journal it was folded from is kept beside it. */
START_TEST(test_previous_generation_put_back_loads_whole)
{
    char path[512], prev[512], err[HS_STATE_ERR_MAX], *text = NULL;
    size_t len = 0;
    hs_state *s;
    commit_cursor("one");
    s = load_ok();
    append_str(s, "outbox", "k1", "a");
    json_object_object_add(s->body, "cursor", json_object_new_string("two"));
    ck_assert_msg(hs_state_commit(s, 2, err, sizeof err) == 0, "%s", err);
    append_str(s, "outbox", "k2", "b");
    hs_state_free(s);
    path_of(path, sizeof path, ".state");
    path_of(prev, sizeof prev, ".state.prev");
    overwrite(path, "{\"format\":2,", 12);
    ck_assert_int_eq(hs_state_load(dir, "p1", &s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, prev) != NULL, "the message says what to put back: %s", err);
    ck_assert_int_eq(hs_state_read_file(prev, 1 << 20, &text, &len, err, sizeof err), 0);
    overwrite(path, text, len);
    free(text);
    s = load_ok();
    ck_assert_uint_eq(s->seq, 1);
    ck_assert_str_eq(loaded_cursor(s), "one");
    ck_assert_str_eq(entry(s, "outbox", "k1"), "a");
    ck_assert_str_eq(entry(s, "outbox", "k2"), "b");
    hs_state_free(s);
}
END_TEST

START_TEST(test_records_before_the_first_commit_are_kept)
{
    hs_state *s = load_ok();
    ck_assert_int_eq(s->existed, 0);
    append_str(s, "invitations", "iv:1", "x");
    hs_state_free(s);
    s = load_ok();
    ck_assert_int_eq(s->existed, 0);
    ck_assert_str_eq(entry(s, "invitations", "iv:1"), "x");
    hs_state_free(s);
}
END_TEST

/* A kill (or power cut) in the middle of an append leaves a torn last line: it is dropped,
 * said, and cut from the file so that the next append does not land behind it. */
START_TEST(test_torn_last_journal_line_is_dropped)
{
    char path[512];
    hs_state *s;
    off_t good;
    FILE *f;
    three_records();
    good = file_size(".journal");
    path_of(path, sizeof path, ".journal");
    f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("{\"seq\":4,\"puts\":[[\"outbox\",\"k4\",\"int", f);
    fclose(f);
    s = load_ok();
    ck_assert_msg(strstr(s->recovered, "torn") != NULL && strstr(s->recovered, path) != NULL,
                  "%s", s->recovered);
    ck_assert_ptr_null(entry(s, "outbox", "k4"));
    ck_assert_str_eq(entry(s, "outbox", "k2"), "intent");
    ck_assert_int_eq(file_size(".journal"), good);
    append_str(s, "outbox", "k5", "intent");
    hs_state_free(s);
    /* a complete last line whose checksum fails is a torn one too (zeros, a lost page) */
    f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("{\"seq\":5,\"puts\":[],\"crc\":\"0000000000000000\"}\n", f);
    fclose(f);
    s = load_ok();
    ck_assert_str_ne(s->recovered, "");
    ck_assert_str_eq(entry(s, "outbox", "k5"), "intent");
    ck_assert_uint_eq(s->journal_seq, 4);
    hs_state_free(s);
    s = load_ok();
    ck_assert_str_eq(s->recovered, "");
    hs_state_free(s);
}
END_TEST

static void expect_refused(const char *what, const char *needle)
{
    hs_state *s = NULL;
    char err[HS_STATE_ERR_MAX], path[512];
    path_of(path, sizeof path, ".journal");
    ck_assert_msg(hs_state_load(dir, "p1", &s, err, sizeof err) == -1, "%s loads", what);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, path) != NULL, "%s: message names the file: %s", what, err);
    ck_assert_msg(strstr(err, "hiresync state reset p1") != NULL, "%s: %s", what, err);
    ck_assert_msg(strstr(err, needle) != NULL, "%s: %s", what, err);
    ck_assert_int_eq(hs_state_peek(dir, "p1", &s, err, sizeof err), -1);
}

START_TEST(test_corrupt_middle_journal_line_stops_the_pipeline)
{
    char path[512], err[HS_STATE_ERR_MAX], *text = NULL, *p;
    size_t len = 0;
    three_records();
    path_of(path, sizeof path, ".journal");
    ck_assert_int_eq(hs_state_read_file(path, 1 << 20, &text, &len, err, sizeof err), 0);
    p = strstr(text, "k2");
    ck_assert_ptr_nonnull(p);
    p[1] = '7'; /* line 2 of 3: still JSON, only its checksum can tell */
    overwrite(path, text, len);
    expect_refused("a flipped byte in line 2", "line 2");
    /* a line missing from the middle: the numbering shows the gap */
    p = strchr(text, '\n') + 1;
    overwrite(path, text, (size_t)(p - text));
    {
        char *third = strchr(p, '\n') + 1;
        FILE *f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(third, 1, len - (size_t)(third - text), f),
                          len - (size_t)(third - text));
        fclose(f);
    }
    expect_refused("a missing line", "record 2 should follow");
    free(text);
    /* a journal lost from beside a snapshot of this format */
    ck_assert_int_eq(unlink(path), 0);
    expect_refused("a missing journal", "missing");
}
END_TEST

/* A state written before the journal existed (format 1) loads, and is written on as
 * format 2. */
START_TEST(test_previous_format_loads)
{
    char path[512], text[512], err[HS_STATE_ERR_MAX], *after = NULL;
    const char *body = "{\"ats\":{\"cursor\":\"{\\\"seq\\\":7}\"},\"outbox\":{}}";
    hs_state *s;
    json_object *b = json_tokener_parse(body);
    const char *plain = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);
    ck_assert_int_lt(snprintf(text, sizeof text, "{\"format\":1,\"pipeline\":\"p1\",\"seq\":9,"
                              "\"committed_at\":\"2026-01-01T00:00:00Z\",\"checksum\":"
                              "\"fnv1a64:%016llx\",\"body\":%s}",
                              (unsigned long long)hs_state_checksum(plain, strlen(plain)), plain),
                     (int)sizeof text);
    json_object_put(b);
    path_of(path, sizeof path, ".state");
    overwrite(path, text, strlen(text));
    path_of(text, sizeof text, ".ran");
    overwrite(text, "", 0);
    s = load_ok();
    ck_assert_int_eq(s->existed, 1);
    ck_assert_uint_eq(s->seq, 9);
    ck_assert_uint_eq(s->journal_seq, 0);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(
                         json_object_object_get(s->body, "ats"), "cursor")), "{\"seq\":7}");
    append_str(s, "outbox", "k1", "intent");
    hs_state_free(s);
    s = load_ok();
    ck_assert_str_eq(entry(s, "outbox", "k1"), "intent");
    ck_assert_msg(hs_state_commit(s, 2, err, sizeof err) == 0, "%s", err);
    hs_state_free(s);
    ck_assert_int_eq(hs_state_read_file(path, 1 << 20, &after, NULL, err, sizeof err), 0);
    ck_assert_msg(strstr(after, "\"format\":2") != NULL, "%s", after);
    free(after);
    s = load_ok();
    ck_assert_uint_eq(s->seq, 10);
    ck_assert_str_eq(entry(s, "outbox", "k1"), "intent");
    hs_state_free(s);
}
END_TEST

/* Bytes one outbox step writes, with n records already in the state. */
static off_t step_bytes(int n, off_t *snapshot_size)
{
    hs_state *s;
    char err[HS_STATE_ERR_MAX], cmd[512];
    json_object *invs = json_object_new_object();
    off_t before;
    unsigned long snaps;
    snprintf(cmd, sizeof cmd, "rm -f '%s'/p1.*", dir);
    ck_assert_int_eq(system(cmd), 0);
    s = load_ok();
    for (int i = 0; i < n; i++) {
        char key[64], app[32];
        snprintf(key, sizeof key, "iv1:%d", 100000 + i);
        json_object *e = json_object_new_object();
        snprintf(app, sizeof app, "%d", 100000 + i);
        json_object_object_add(e, "interview", json_object_new_string("iv1"));
        json_object_object_add(e, "application", json_object_new_string(app));
        json_object_object_add(e, "participant", json_object_new_string(app));
        json_object_object_add(e, "at", json_object_new_string("2026-11-26T10:00:00Z"));
        json_object_object_add(invs, key, e);
    }
    json_object_object_add(s->body, "invitations", invs);
    ck_assert_msg(hs_state_commit(s, 1, err, sizeof err) == 0, "%s", err);
    *snapshot_size = file_size(".state");
    before = file_size(".journal");
    snaps = s->snapshots;
    append_str(s, "outbox", "iv1:999999", "intent");
    ck_assert_uint_eq(s->snapshots, snaps); /* no rewrite of the snapshot */
    hs_state_free(s);
    return file_size(".journal") - before;
}

START_TEST(test_bytes_per_outbox_step_do_not_grow_with_the_state)
{
    off_t snap10, snap10k;
    off_t at10 = step_bytes(10, &snap10);
    off_t at10k = step_bytes(10000, &snap10k);
    fprintf(stderr, "state: one outbox step writes %lld bytes with 10 invitations in the state "
            "(snapshot %lld bytes) and %lld with 10000 (snapshot %lld bytes)\n", (long long)at10,
            (long long)snap10, (long long)at10k, (long long)snap10k);
    ck_assert_int_gt(at10, 0);
    ck_assert_int_eq(at10, at10k);
    ck_assert_int_lt(at10k, 200);
    ck_assert_int_gt(snap10k, 100 * snap10); /* the snapshot did grow: the measure means it */
}
END_TEST

/* Killed at each crash point inside an append, or at the journal's end of a commit: the
 * state loads, and holds the record or not, never a broken one. */
START_TEST(test_killed_inside_an_append_leaves_old_or_new)
{
    static const char *const where[] = {"state: journal record half written",
                                        "state: journal record written",
                                        "state: journal record synced",
                                        "state: snapshot written, journal not yet emptied",
                                        "state: previous journal kept",
                                        "state: journal emptied"};
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        char err[HS_STATE_ERR_MAX], sub[400];
        hs_state *s = NULL;
        pid_t pid;
        int status;
        const char *v;
        snprintf(sub, sizeof sub, "%s/a%zu", dir, w);
        ck_assert_int_eq(hs_state_dir_prepare(sub, err, sizeof err), 0);
        ck_assert_int_eq(hs_state_load(sub, "p1", &s, err, sizeof err), 0);
        ck_assert_int_eq(hs_state_commit(s, 1, err, sizeof err), 0);
        append_str(s, "outbox", "k1", "old");
        hs_state_free(s);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            setenv("HIRESYNC_CRASH_AT", "1", 1);
            setenv("HIRESYNC_CRASH_WHERE", where[w], 1);
            if (hs_state_load(sub, "p1", &s, err, sizeof err) != 0)
                _exit(3);
            append_str(s, "outbox", "k1", "new");
            _exit(hs_state_commit(s, 2, err, sizeof err) == 0 ? 0 : 4);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s: not killed",
                      where[w]);
        ck_assert_msg(hs_state_load(sub, "p1", &s, err, sizeof err) == 0, "%s: %s", where[w],
                      err);
        v = entry(s, "outbox", "k1");
        ck_assert_ptr_nonnull(v);
        /* once the record's sync is done (or even its write, for a kill), it is there */
        if (w == 0)
            ck_assert_str_eq(v, "old");
        else
            ck_assert_str_eq(v, "new");
        /* and the journal takes further records */
        append_str(s, "outbox", "k2", "after");
        hs_state_free(s);
        ck_assert_int_eq(hs_state_load(sub, "p1", &s, err, sizeof err), 0);
        ck_assert_str_eq(entry(s, "outbox", "k2"), "after");
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
    tcase_add_test(tc, test_journal_replays_on_load_and_folds_on_commit);
    tcase_add_test(tc, test_records_before_the_first_commit_are_kept);
    tcase_add_test(tc, test_previous_generation_put_back_loads_whole);
    tcase_add_test(tc, test_torn_last_journal_line_is_dropped);
    tcase_add_test(tc, test_corrupt_middle_journal_line_stops_the_pipeline);
    tcase_add_test(tc, test_previous_format_loads);
    tcase_add_test(tc, test_bytes_per_outbox_step_do_not_grow_with_the_state);
    tcase_add_test(tc, test_killed_inside_an_append_leaves_old_or_new);
    tcase_add_test(tc, test_lock_is_exclusive);
    tcase_add_test(tc, test_checksum_values);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
