/*
 * The loader accepts a well-formed connector module and refuses, each with its exact one-line
 * message, modules that are wrong in one way each (tests/modules/hst_module.c variants).
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../host/loader.h"
#include "host_testutil.h"

static char error[1024];
static hs_module module;

static void setup(void)
{
    ck_assert_int_eq(hs_loader_init(), 0);
    memset(&module, 0, sizeof(module));
    error[0] = '\0';
}

static void teardown(void)
{
    hs_module_unload(&module);
    hs_loader_exit();
}

static const char *mod_dir(void)
{
    return hs_ht_env("HIRESYNC_TEST_MODULE_DIR");
}

/* Loads <dir>/<name>.so expecting refusal with exactly "<dir>/<name>.so: <rest>". */
static void expect_refusal(const char *dir, const char *name, const char *expected_name,
                           const char *rest)
{
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s/%s.so: %s", dir, name, rest);
    ck_assert_int_eq(hs_module_load(dir, name, expected_name, &module, error, sizeof(error)),
                     -1);
    ck_assert_str_eq(error, expected);
    ck_assert_str_eq(module.error, expected);
    ck_assert_int_eq(module.loaded, -1);
    ck_assert_ptr_null(module.handle);
    ck_assert_ptr_null(strchr(error, '\n'));
}

START_TEST(good_module_loads)
{
    ck_assert_int_eq(hs_module_load(mod_dir(), "hst_ats", "testats", &module, error,
                                     sizeof(error)), 0);
    ck_assert_int_eq(module.loaded, 1);
    ck_assert_ptr_nonnull(module.handle);
    ck_assert_str_eq(module.table.name, "testats");
    ck_assert_str_eq(module.table.version, "0.0.1");
    ck_assert_uint_eq(module.table.abi_version, HS_ABI_VERSION);
    ck_assert_uint_eq(module.table.struct_size, sizeof(hs_connector));
    ck_assert_uint_eq(module.table.capabilities, HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS
                                                     | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE);
    ck_assert_ptr_nonnull(module.table.open);
    ck_assert_ptr_nonnull(module.table.write_note);
    char path[4096];
    snprintf(path, sizeof(path), "%s/hst_ats.so", mod_dir());
    ck_assert_str_eq(module.path, path);
}
END_TEST

START_TEST(no_entry_symbol)
{
    expect_refusal(mod_dir(), "hst_noentry", "testats",
                   "no entry symbol hst_noentry_LTX_hs_connector_entry; declare it with "
                   "HS_CONNECTOR_ENTRY(hst_noentry)");
}
END_TEST

START_TEST(entry_returns_null)
{
    expect_refusal(mod_dir(), "hst_null", "testats",
                   "the entry returned no connector table for host ABI 1.1; use a connector "
                   "built for ABI 1.x");
}
END_TEST

START_TEST(other_major)
{
    expect_refusal(mod_dir(), "hst_major", "testats",
                   "built for connector ABI 2.0, but this hiresync has ABI 1.1 (the major "
                   "versions differ); rebuild the connector against ABI 1.x");
}
END_TEST

START_TEST(newer_minor)
{
    expect_refusal(mod_dir(), "hst_minor", "testats",
                   "built for connector ABI 1.2, newer than this hiresync's ABI 1.1; upgrade "
                   "hiresync or use a connector built for ABI 1.1");
}
END_TEST

START_TEST(table_too_short)
{
    char rest[512];
    snprintf(rest, sizeof(rest), "connector table is %zu bytes, too short for operation "
             "write_note its capabilities declare (%zu bytes needed); rebuild the connector",
             offsetof(hs_connector, write_invitation),
             offsetof(hs_connector, write_note) + sizeof(void (*)(void)));
    expect_refusal(mod_dir(), "hst_short", "testats", rest);
}
END_TEST

START_TEST(null_operation)
{
    expect_refusal(mod_dir(), "hst_nullop", "testats",
                   "operation write_note is NULL although the connector declares it in its "
                   "capabilities");
}
END_TEST

START_TEST(name_differs)
{
    expect_refusal(mod_dir(), "hst_name", "testats",
                   "connector name \"someone_else\" differs from its manifest's name "
                   "\"testats\"; install the module that belongs to the manifest");
}
END_TEST

/* Bound at load time: a symbol no library defines refuses the module instead of crashing
 * the program at the first call. */
START_TEST(unresolved_symbol)
{
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s/hst_undef.so: cannot be loaded: %s/hst_undef.so: "
             "undefined symbol: hs_undefined_function_for_tests; check that its libraries are "
             "installed (ldd %s/hst_undef.so)", mod_dir(), mod_dir(), mod_dir());
    ck_assert_int_eq(hs_module_load(mod_dir(), "hst_undef", "testats", &module, error,
                                     sizeof(error)), -1);
    ck_assert_str_eq(error, expected);
}
END_TEST

START_TEST(missing_file)
{
    char rest[4096];
    snprintf(rest, sizeof(rest), "cannot use module: No such file or directory; install the "
             "connector into %s or set connector_dir", mod_dir());
    expect_refusal(mod_dir(), "hst_nothere", "testats", rest);
}
END_TEST

START_TEST(symlink_refused)
{
    char *tmp = hs_ht_tmpdir();
    char *target = hs_ht_join(mod_dir(), "hst_ats.so");
    char *link = hs_ht_join(tmp, "hst_ats.so");
    ck_assert_int_eq(symlink(target, link), 0);
    char rest[4096];
    snprintf(rest, sizeof(rest), "is a symbolic link; connector modules must be regular files "
             "inside %s (copy the file instead)", tmp);
    expect_refusal(tmp, "hst_ats", "testats", rest);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(target);
    free(link);
}
END_TEST

START_TEST(copied_regular_file_loads)
{
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *to = hs_ht_join(tmp, "hst_ats.so");
    hs_ht_copy(from, to, 0755);
    ck_assert_int_eq(hs_module_load(tmp, "hst_ats", "testats", &module, error, sizeof(error)),
                     0);
    ck_assert_int_eq(module.loaded, 1);
    hs_module_unload(&module);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(from);
    free(to);
}
END_TEST

START_TEST(writable_by_others_refused)
{
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *to = hs_ht_join(tmp, "hst_ats.so");
    hs_ht_copy(from, to, 0755);
    ck_assert_int_eq(chmod(to, 0757), 0);
    char rest[8192];
    snprintf(rest, sizeof(rest), "writable by any user (mode 0757); run: chmod o-w %s", to);
    expect_refusal(tmp, "hst_ats", "testats", rest);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(from);
    free(to);
}
END_TEST

START_TEST(outside_directory)
{
    char *tmp = hs_ht_tmpdir();
    char *inside = hs_ht_join(tmp, "connectors");
    ck_assert_int_eq(mkdir(inside, 0700), 0);
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *outside = hs_ht_join(tmp, "hst_ats.so");
    hs_ht_copy(from, outside, 0755);
    char rest[4096];
    snprintf(rest, sizeof(rest), "outside the connector directory %s; modules are loaded only "
             "from there", inside);
    expect_refusal(inside, "../hst_ats", "testats", rest);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(inside);
    free(from);
    free(outside);
}
END_TEST

/* The registry refuses a module that lacks an operation its manifest promises. */
START_TEST(registry_manifest_capabilities)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/data/manifests-bad", hs_ht_env("HIRESYNC_SRCDIR"));
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest_set *set = NULL;
    ck_assert_int_eq(hs_manifest_set_load(dir, &set, &diag), 0);
    hs_registry *reg = hs_registry_new(set, mod_dir());
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_null(hs_registry_get(reg, "testvideo", error, sizeof(error)));
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s/hst_video.so: the manifest %s/testvideo.json "
             "declares operation write_note, which the module does not offer; install "
             "matching module and manifest", mod_dir(), dir);
    ck_assert_str_eq(error, expected);
    const hs_module *good = hs_registry_get(reg, "testats", error, sizeof(error));
    ck_assert_msg(good != NULL, "%s", error);
    ck_assert_str_eq(good->table.name, "testats");
    ck_assert_ptr_null(hs_registry_get(reg, "nosuch", error, sizeof(error)));
    snprintf(expected, sizeof(expected), "%s: no manifest for connector \"nosuch\"; install it "
             "or check the name", dir);
    ck_assert_str_eq(error, expected);
    /* testats, testmajor and testvideo are listed; testmajor and testvideo are refused. */
    ck_assert_uint_eq(hs_registry_count(reg), 3);
    ck_assert_uint_eq(hs_registry_load_all(reg, NULL), 2);
    hs_registry_free(reg);
    hs_diag_clear(&diag);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("modules");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_module_loads);
    tcase_add_test(tc, no_entry_symbol);
    tcase_add_test(tc, entry_returns_null);
    tcase_add_test(tc, other_major);
    tcase_add_test(tc, newer_minor);
    tcase_add_test(tc, table_too_short);
    tcase_add_test(tc, null_operation);
    tcase_add_test(tc, name_differs);
    tcase_add_test(tc, unresolved_symbol);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, symlink_refused);
    tcase_add_test(tc, copied_regular_file_loads);
    tcase_add_test(tc, writable_by_others_refused);
    tcase_add_test(tc, outside_directory);
    suite_add_tcase(s, tc);
    TCase *reg = tcase_create("registry");
    tcase_add_test(reg, registry_manifest_capabilities);
    suite_add_tcase(s, reg);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(loader_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
