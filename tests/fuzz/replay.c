/*
 * Replays a fuzz target's corpus without libFuzzer, so that `make check` runs every seed and
 * every reproducer of a past crash under the ordinary compiler (and under valgrind and the
 * sanitizers in CI). The corpus is $HIRESYNC_SRCDIR/tests/fuzz/corpus/<FUZZ_NAME>/, or the
 * files and directories given as arguments.
 */
#define _GNU_SOURCE

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_support.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME names the target's corpus directory"
#endif

static char **g_paths;
static int g_n_paths;

static size_t replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    data = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    return 1;
}

static size_t replay_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    size_t n = 0;
    ck_assert_msg(stat(path, &st) == 0, "%s: not found", path);
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    d = opendir(path);
    ck_assert_msg(d != NULL, "%s: cannot list", path);
    while ((e = readdir(d)) != NULL) {
        char child[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        n += replay_path(child);
    }
    closedir(d);
    return n;
}

START_TEST(test_replay_corpus)
{
    size_t n = 0;
    if (g_n_paths > 0) {
        for (int i = 0; i < g_n_paths; i++)
            n += replay_path(g_paths[i]);
    } else {
        char dir[4096];
        const char *src = getenv("HIRESYNC_SRCDIR");
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src ? src : ".", FUZZ_NAME);
        n = replay_path(dir);
    }
    /* an empty corpus would test nothing */
    ck_assert_msg(n > 0, "no corpus file for %s", FUZZ_NAME);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("fuzz replay " FUZZ_NAME);
    TCase *tc = tcase_create("corpus");
    SRunner *sr;
    int failed;
    g_paths = argv + 1;
    g_n_paths = argc - 1;
    tcase_add_test(tc, test_replay_corpus);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
