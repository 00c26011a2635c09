/*
 * The loader accepts a well-formed connector module and refuses, each with its exact one-line
 * message, modules that are wrong in one way each (tests/modules/hst_module.c variants).
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <limits.h>
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
    ck_assert_int_eq(hs_module_load(dir, name, NULL, expected_name, &module, error, sizeof(error)),
                     -1);
    ck_assert_str_eq(error, expected);
    ck_assert_str_eq(module.error, expected);
    ck_assert_int_eq(module.loaded, -1);
    ck_assert_ptr_null(module.handle);
    ck_assert_ptr_null(strchr(error, '\n'));
}

START_TEST(good_module_loads)
{
    ck_assert_int_eq(hs_module_load(mod_dir(), "hst_ats", NULL, "testats", &module, error,
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
                   "the entry returned no connector table for host ABI 2.1; use a connector "
                   "built for ABI 2.x");
}
END_TEST

START_TEST(other_major)
{
    expect_refusal(mod_dir(), "hst_major", "testats",
                   "built for connector ABI 3.0, but this hiresync has ABI 2.1 (the major "
                   "versions differ); rebuild the connector against ABI 2.x");
}
END_TEST

START_TEST(newer_minor)
{
    expect_refusal(mod_dir(), "hst_minor", "testats",
                   "built for connector ABI 2.2, newer than this hiresync's ABI 2.1; upgrade "
                   "hiresync or use a connector built for ABI 2.1");
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
    ck_assert_int_eq(hs_module_load(mod_dir(), "hst_undef", NULL, "testats", &module, error,
                                     sizeof(error)), -1);
    ck_assert_str_eq(error, expected);
}
END_TEST

START_TEST(missing_file)
{
    char rest[4096];
    snprintf(rest, sizeof(rest), "cannot use module: No such file or directory; install the "
             "connector's module into %s", mod_dir());
    expect_refusal(mod_dir(), "hst_nothere", "testats", rest);
}
END_TEST

/* A link is followed: the file it points to is checked and loaded. */
START_TEST(symlinked_module_loads)
{
    char *tmp = hs_ht_tmpdir();
    char *target = hs_ht_join(mod_dir(), "hst_ats.so");
    char *link = hs_ht_join(tmp, "hst_ats.so");
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_msg(hs_module_load(tmp, "hst_ats", NULL, "testats", &module, error,
                                 sizeof(error)) == 0, "%s", error);
    ck_assert_str_eq(module.path, link);
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(target, real));
    ck_assert_str_eq(module.target, real);
    ck_assert_str_eq(module.table.name, "testats");
    hs_module_unload(&module);
    ck_assert_ptr_null(module.target);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(target);
    free(link);
}
END_TEST

/* A link to a file its group may rewrite is refused, naming the file to fix. */
START_TEST(symlink_to_group_writable_refused)
{
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *target = hs_ht_join(tmp, "shared.so");
    char *conn = hs_ht_join(tmp, "connectors");
    ck_assert_int_eq(mkdir(conn, 0700), 0);
    char *link = hs_ht_join(conn, "hst_ats.so");
    hs_ht_copy(from, target, 0755);
    ck_assert_int_eq(chmod(target, 0775), 0);
    ck_assert_int_eq(symlink(target, link), 0);
    char real[PATH_MAX], rest[3 * PATH_MAX];
    ck_assert_ptr_nonnull(realpath(target, real));
    snprintf(rest, sizeof(rest), "links to %s, which is writable by its group (mode 0775); "
             "run: chmod go-w %s", real, real);
    expect_refusal(conn, "hst_ats", "testats", rest);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(from);
    free(target);
    free(conn);
    free(link);
}
END_TEST

/* Renamed with its manifest, a module is still found under the name its manifest gives. */
START_TEST(renamed_module_loads)
{
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *to = hs_ht_join(tmp, "crm.so");
    hs_ht_copy(from, to, 0755);
    ck_assert_msg(hs_module_load(tmp, "crm", "hst_ats", "testats", &module, error,
                                 sizeof(error)) == 0, "%s", error);
    hs_module_unload(&module);
    expect_refusal(tmp, "crm", "testats", "no entry symbol crm_LTX_hs_connector_entry; "
                   "declare it with HS_CONNECTOR_ENTRY(crm)");
    hs_module_unload(&module);
    memset(&module, 0, sizeof(module));
    char expected[8192];
    snprintf(expected, sizeof(expected), "%s: no entry symbol crm_LTX_hs_connector_entry or "
             "other_LTX_hs_connector_entry; declare it with HS_CONNECTOR_ENTRY(other), the "
             "\"module\" of its manifest", to);
    ck_assert_int_eq(hs_module_load(tmp, "crm", "other", "testats", &module, error,
                                    sizeof(error)), -1);
    ck_assert_str_eq(error, expected);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(from);
    free(to);
}
END_TEST

/* Only root's or the running user's files run with hiresync's credentials. */
START_TEST(other_owner_refused)
{
    if (geteuid() != 0)
        return;   /* only root can give a file away */
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *to = hs_ht_join(tmp, "hst_ats.so");
    hs_ht_copy(from, to, 0755);
    ck_assert_int_eq(chown(to, 65534, 65534), 0);
    char rest[8192];
    snprintf(rest, sizeof(rest), "is owned by uid 65534, neither root nor the user running "
             "hiresync (uid 0); run: chown root %s", to);
    expect_refusal(tmp, "hst_ats", "testats", rest);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(from);
    free(to);
}
END_TEST

START_TEST(copied_regular_file_loads)
{
    char *tmp = hs_ht_tmpdir();
    char *from = hs_ht_join(mod_dir(), "hst_ats.so");
    char *to = hs_ht_join(tmp, "hst_ats.so");
    hs_ht_copy(from, to, 0755);
    ck_assert_int_eq(hs_module_load(tmp, "hst_ats", NULL, "testats", &module, error, sizeof(error)),
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
    snprintf(rest, sizeof(rest), "is writable by any user (mode 0757); run: chmod go-w %s",
             to);
    expect_refusal(tmp, "hst_ats", "testats", rest);
    hs_module_unload(&module);
    memset(&module, 0, sizeof(module));
    ck_assert_int_eq(chmod(to, 0775), 0);
    snprintf(rest, sizeof(rest), "is writable by its group (mode 0775); run: chmod go-w %s",
             to);
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
    hs_search_path path = {0};
    ck_assert_int_eq(hs_search_path_add(&path, mod_dir(), dir, "built-in", 1), 0);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_null(hs_registry_get(reg, "testvideo", error, sizeof(error)));
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s/hst_video.so: the module offers [check,"
             "discover_jobs,read_changes,write_invitation] but its manifest %s/testvideo.json "
             "declares \"capabilities\": [check,discover_jobs,read_changes,write_invitation,"
             "write_note] (the module lacks write_note); make the manifest list exactly the "
             "operations the module offers", mod_dir(), dir);
    ck_assert_str_eq(error, expected);
    const hs_module *good = hs_registry_get(reg, "testats", error, sizeof(error));
    ck_assert_msg(good != NULL, "%s", error);
    ck_assert_str_eq(good->table.name, "testats");
    ck_assert_ptr_null(hs_registry_get(reg, "nosuch", error, sizeof(error)));
    snprintf(expected, sizeof(expected), "no connector \"nosuch\" in the connector search path "
             "%s; install it or check the name", mod_dir());
    ck_assert_str_eq(error, expected);
    /* testats, testmajor and testvideo are listed; testmajor and testvideo are refused. */
    ck_assert_uint_eq(hs_registry_count(reg), 3);
    ck_assert_uint_eq(hs_registry_load_all(reg, NULL), 2);
    hs_registry_free(reg);
    hs_diag_clear(&diag);
}
END_TEST

/* Writes <dir>/<name>.json from tests/data/manifests/<from>.json. */
static void put_manifest(const char *dir, const char *name, const char *from, mode_t mode)
{
    char src[4096], file[512];
    snprintf(src, sizeof(src), "%s/tests/data/manifests/%s.json", hs_ht_env("HIRESYNC_SRCDIR"),
             from);
    snprintf(file, sizeof(file), "%s.json", name);
    char *to = hs_ht_join(dir, file);
    hs_ht_copy(src, to, mode);
    ck_assert_int_eq(chmod(to, mode), 0);   /* whatever the umask */
    free(to);
}

static void put_module(const char *dir, const char *name, const char *from)
{
    char src[512], file[512];
    snprintf(src, sizeof(src), "%s.so", from);
    snprintf(file, sizeof(file), "%s.so", name);
    char *a = hs_ht_join(mod_dir(), src), *b = hs_ht_join(dir, file);
    hs_ht_copy(a, b, 0755);
    free(a);
    free(b);
}

/* The built-in layout of the tests: the test modules, their manifests apart. */
static void add_builtin(hs_search_path *path)
{
    char manifests[4096];
    snprintf(manifests, sizeof(manifests), "%s/tests/data/manifests",
             hs_ht_env("HIRESYNC_SRCDIR"));
    ck_assert_int_eq(hs_search_path_add(path, mod_dir(), manifests, "built-in", 1), 0);
}

/* A directory earlier in the path provides testats (NAME.so beside NAME.json, the files
 * named after the connector rather than the module); it shadows the built-in one. */
START_TEST(search_path_first_match_wins)
{
    char *tmp = hs_ht_tmpdir();
    char *missing = hs_ht_join(tmp, "not-there");
    put_manifest(tmp, "testats", "testats", 0644);
    put_module(tmp, "testats", "hst_ats");
    hs_search_path path = {0};
    ck_assert_int_eq(hs_search_path_add(&path, missing, NULL, "HIRESYNC_CONNECTOR_PATH", 0), 0);
    ck_assert_int_eq(hs_search_path_add(&path, tmp, NULL, "HIRESYNC_CONNECTOR_PATH", 0), 0);
    add_builtin(&path);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);   /* a missing path directory is no error */
    ck_assert_uint_eq(hs_registry_count(reg), 2);
    const hs_module *ats = hs_registry_get(reg, "testats", error, sizeof(error));
    ck_assert_msg(ats != NULL, "%s", error);
    char *expected = hs_ht_join(tmp, "testats.so");
    ck_assert_str_eq(ats->path, expected);
    ck_assert_str_eq(ats->found_in->dir, tmp);
    ck_assert_str_eq(ats->found_in->origin, "HIRESYNC_CONNECTOR_PATH");
    free(expected);
    ck_assert_uint_eq(hs_registry_shadowed_count(reg), 1);
    const hs_shadowed *sh = hs_registry_shadowed_at(reg, 0);
    ck_assert_str_eq(sh->name, "testats");
    expected = hs_ht_join(mod_dir(), "hst_ats.so");
    ck_assert_str_eq(sh->module_path, expected);
    ck_assert_str_eq(sh->found_in->origin, "built-in");
    free(expected);
    const hs_module *video = hs_registry_get(reg, "testvideo", error, sizeof(error));
    ck_assert_msg(video != NULL, "%s", error);
    ck_assert_str_eq(video->found_in->dir, mod_dir());
    hs_registry_free(reg);
    hs_diag_clear(&diag);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(missing);
}
END_TEST

/* ---- module lifecycle and the manifest's word ------------------------------------------- */

START_TEST(module_init_failure_refuses_with_its_message)
{
    expect_refusal(mod_dir(), "hst_initfail", "testats",
                   "module_init failed (status 2): the licence file /etc/hst/licence is "
                   "missing; install it");
}
END_TEST

/* The lines the test modules' module_init and module_exit appended (see hst_module.c). */
static char *lifecycle_file;

static const char *lifecycle(void)
{
    static char text[256];
    FILE *f = fopen(lifecycle_file, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    return text;
}

static void lifecycle_setup(void)
{
    char *tmp = hs_ht_tmpdir();
    lifecycle_file = hs_ht_join(tmp, "lifecycle");
    free(tmp);
    setenv("HST_LIFECYCLE_FILE", lifecycle_file, 1);
    setup();
}

static void lifecycle_teardown(void)
{
    teardown();
    unsetenv("HST_LIFECYCLE_FILE");
    char *slash = strrchr(lifecycle_file, '/');
    *slash = '\0';
    hs_ht_rmtree(lifecycle_file);
    free(lifecycle_file);
}

START_TEST(module_init_and_exit_once_each)
{
    ck_assert_int_eq(hs_module_load(mod_dir(), "hst_ats", NULL, "testats", &module, error,
                                     sizeof(error)), 0);
    ck_assert_str_eq(lifecycle(), "init\n");
    hs_module_unload(&module);
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
    hs_module_unload(&module);   /* the teardown's unload again: nothing more */
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
}
END_TEST

/* Through the registry: loaded once however often it is asked for, exit at its free; a
 * module refused after its init (its manifest disagrees) gets its exit at once. */
START_TEST(registry_inits_once_and_exits_at_free)
{
    char *tmp = hs_ht_tmpdir();
    hs_search_path path = {0};
    put_manifest(tmp, "testats", "testats", 0644);
    put_module(tmp, "testats", "hst_ats");
    ck_assert_int_eq(hs_search_path_add(&path, tmp, NULL, "connector_path", 1), 0);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    ck_assert_str_eq(lifecycle(), "");
    ck_assert_ptr_nonnull(hs_registry_get(reg, "testats", error, sizeof(error)));
    ck_assert_ptr_nonnull(hs_registry_get(reg, "testats", error, sizeof(error)));
    ck_assert_uint_eq(hs_registry_load_all(reg, NULL), 0);
    ck_assert_str_eq(lifecycle(), "init\n");
    hs_registry_free(reg);
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
    hs_diag_clear(&diag);
    hs_ht_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A manifest left from another build: another ABI, or fewer operations than the module
 * offers. Either way the two disagree and the module is refused, naming both files. */
static void expect_manifest_refusal(const char *manifest, const char *before_file,
                                    const char *after_file)
{
    char *tmp = hs_ht_tmpdir();
    hs_search_path path = {0};
    char *file = hs_ht_write(tmp, "testats.json", manifest, 0644);
    put_module(tmp, "testats", "hst_ats");
    ck_assert_int_eq(hs_search_path_add(&path, tmp, NULL, "connector_path", 1), 0);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_null(hs_registry_get(reg, "testats", error, sizeof(error)));
    char expected[10240];
    char *so = hs_ht_join(tmp, "testats.so");
    snprintf(expected, sizeof(expected), "%s%s%s%s", so, before_file, file, after_file);
    ck_assert_str_eq(error, expected);
    /* its init ran with the handshake; refused, it got its exit */
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
    hs_registry_free(reg);
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
    hs_diag_clear(&diag);
    hs_ht_rmtree(tmp);
    free(tmp);
    free(file);
    free(so);
}

/* A refusal after the handshake still pairs module_init with module_exit. */
START_TEST(manifest_missing_an_operation_refused)
{
    expect_manifest_refusal(
        "{\"name\":\"testats\",\"version\":\"0.0.1\",\"abi\":\"2.1\",\"module\":\"hst_ats\","
        "\"capabilities\":[\"check\",\"discover_jobs\",\"read_changes\"],\"config\":{}}",
        ": the module offers [check,discover_jobs,read_changes,write_note] but its manifest ",
        " declares \"capabilities\": [check,discover_jobs,read_changes] (the manifest lacks "
        "write_note); make the manifest list exactly the operations the module offers");
}
END_TEST

/* A module without its manifest beside it is listed with the file to add; a manifest
 * without its module fails to load naming the module file; a manifest its group may
 * rewrite, even through a link, is left out with one line. */
START_TEST(search_path_incomplete_connectors)
{
    char *tmp = hs_ht_tmpdir();
    char *other = hs_ht_tmpdir();
    put_module(tmp, "lonely", "hst_video");
    put_manifest(tmp, "testats", "testats", 0644);
    put_manifest(other, "testvideo", "testvideo", 0664);
    char *target = hs_ht_join(other, "testvideo.json");
    char *link = hs_ht_join(tmp, "testvideo.json");
    ck_assert_int_eq(symlink(target, link), 0);
    hs_search_path path = {0};
    ck_assert_int_eq(hs_search_path_add(&path, tmp, NULL, "connector_path", 0), 0);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    char expected[4 * PATH_MAX], real[PATH_MAX];
    ck_assert_uint_eq(hs_registry_stray_count(reg), 1);
    snprintf(expected, sizeof(expected), "%s/lonely.so: no manifest %s/lonely.json beside it; "
             "install the connector's manifest into %s", tmp, tmp, tmp);
    ck_assert_str_eq(hs_registry_stray_at(reg, 0), expected);
    ck_assert_uint_eq(hs_registry_count(reg), 1);
    ck_assert_ptr_null(hs_registry_get(reg, "testats", error, sizeof(error)));
    snprintf(expected, sizeof(expected), "%s/testats.so: cannot use module: No such file or "
             "directory; install the connector's module into %s", tmp, tmp);
    ck_assert_str_eq(error, expected);
    ck_assert_uint_eq(hs_diag_count(&diag), 1);
    ck_assert_ptr_nonnull(realpath(target, real));
    snprintf(expected, sizeof(expected), "%s: links to %s, which is writable by its group "
             "(mode 0664); run: chmod go-w %s", link, real, real);
    ck_assert_str_eq(diag.lines[0], expected);
    hs_registry_free(reg);
    hs_diag_clear(&diag);
    hs_ht_rmtree(tmp);
    hs_ht_rmtree(other);
    free(tmp);
    free(other);
    free(target);
    free(link);
}
END_TEST

/* tmp/testats.so (hst_ats, which offers check, discover_jobs, read_changes and write_note,
 * ABI HS_ABI_VERSION) beside a testats.json with the given "abi" and "capabilities". Returns
 * the refusal line of loading it, or "" when it loads. */
static void load_with_manifest(const char *tmp, const char *abi, const char *caps, char *out,
                               size_t out_size)
{
    char text[1024];
    snprintf(text, sizeof(text), "{\"name\": \"testats\", \"version\": \"0.0.1\", \"abi\": "
             "\"%s\", \"module\": \"hst_ats\", \"capabilities\": [%s], \"config\": {}}",
             abi, caps);
    free(hs_ht_write(tmp, "testats.json", text, 0644));
    put_module(tmp, "testats", "hst_ats");
    hs_search_path path = {0};
    ck_assert_int_eq(hs_search_path_add(&path, tmp, NULL, "connector_path", 1), 0);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_registry *reg = hs_registry_discover(&path, &diag);
    hs_search_path_clear(&path);
    ck_assert_ptr_nonnull(reg);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);
    const hs_module *m = hs_registry_get(reg, "testats", out, out_size);
    if (m)
        out[0] = '\0';
    else
        ck_assert_ptr_null(hs_registry_at(reg, 0)->handle);
    ck_assert_ptr_null(strchr(out, '\n'));
    hs_registry_free(reg);
    hs_diag_clear(&diag);
}

#define ATS_CAPS "\"check\", \"discover_jobs\", \"read_changes\", \"write_note\""

/* The host's ABI as a manifest writes it, and another minor of the same major. */
static const char *host_abi(void)
{
    static char v[32];
    snprintf(v, sizeof(v), "%u.%u", HS_ABI_MAJOR, HS_ABI_MINOR);
    return v;
}

static const char *other_minor(void)
{
    static char v[32];
    snprintf(v, sizeof(v), "%u.%u", HS_ABI_MAJOR, HS_ABI_MINOR > 0 ? HS_ABI_MINOR - 1 : 1);
    return v;
}

/* Capabilities must agree both ways: an operation the module has and the manifest does not
 * declare would be refused to pipelines; the other way round it would be called. */
START_TEST(capabilities_must_agree)
{
    char *tmp = hs_ht_tmpdir();
    char line[2048], expected[4096];
    load_with_manifest(tmp, host_abi(), ATS_CAPS, line, sizeof(line));
    ck_assert_str_eq(line, "");
    load_with_manifest(tmp, host_abi(), "\"check\", \"read_changes\", \"write_note\"", line,
                       sizeof(line));
    snprintf(expected, sizeof(expected), "%s/testats.so: the module offers [check,discover_jobs,"
             "read_changes,write_note] but its manifest %s/testats.json declares "
             "\"capabilities\": [check,read_changes,write_note] (the manifest lacks "
             "discover_jobs); make the manifest list exactly the operations the module offers",
             tmp, tmp);
    ck_assert_str_eq(line, expected);
    load_with_manifest(tmp, host_abi(), "\"check\", \"discover_jobs\", \"read_changes\", "
                       "\"write_invitation\"", line, sizeof(line));
    snprintf(expected, sizeof(expected), "%s/testats.so: the module offers [check,discover_jobs,"
             "read_changes,write_note] but its manifest %s/testats.json declares "
             "\"capabilities\": [check,discover_jobs,read_changes,write_invitation] (the module "
             "lacks write_invitation and the manifest lacks write_note); make the manifest list "
             "exactly the operations the module offers", tmp, tmp);
    ck_assert_str_eq(line, expected);
    hs_ht_rmtree(tmp);
    free(tmp);
}
END_TEST

/* The manifest's "abi" is the module's abi_version, and of the host's major. */
START_TEST(manifest_abi_must_agree)
{
    char *tmp = hs_ht_tmpdir();
    char line[2048], expected[4096];
    load_with_manifest(tmp, other_minor(), ATS_CAPS, line, sizeof(line));
    snprintf(expected, sizeof(expected), "%s/testats.so: built for connector ABI %s, but its "
             "manifest %s/testats.json says \"abi\": \"%s\"; set the manifest's \"abi\" to "
             "\"%s\" or install the module that belongs to it", tmp, host_abi(), tmp,
             other_minor(), host_abi());
    ck_assert_str_eq(line, expected);
    /* Another major is refused before the module is opened. */
    char other[32];
    snprintf(other, sizeof(other), "%u.0", HS_ABI_MAJOR + 1);
    load_with_manifest(tmp, other, ATS_CAPS, line, sizeof(line));
    snprintf(expected, sizeof(expected), "%s/testats.json: declares connector ABI %s, but this "
             "hiresync has ABI %u.%u (the major versions differ); install the connector's "
             "version built for ABI %u.x", tmp, other, HS_ABI_MAJOR, HS_ABI_MINOR, HS_ABI_MAJOR);
    ck_assert_str_eq(line, expected);
    hs_ht_rmtree(tmp);
    free(tmp);
}
END_TEST

/* The built-in directory must be there; a path directory may be missing. */
START_TEST(search_path_required_directory)
{
    hs_search_path path = {0};
    ck_assert_int_eq(hs_search_path_add(&path, "/nonexistent/hiresync", NULL, "built-in", 1),
                     0);
    hs_diag diag;
    hs_diag_init(&diag);
    ck_assert_ptr_null(hs_registry_discover(&path, &diag));
    hs_search_path_clear(&path);
    ck_assert_uint_eq(hs_diag_count(&diag), 1);
    ck_assert_str_eq(diag.lines[0], "/nonexistent/hiresync: cannot read the built-in connector "
                     "directory: No such file or directory; reinstall hiresync or correct it");
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
    tcase_add_test(tc, symlinked_module_loads);
    tcase_add_test(tc, symlink_to_group_writable_refused);
    tcase_add_test(tc, renamed_module_loads);
    tcase_add_test(tc, other_owner_refused);
    tcase_add_test(tc, copied_regular_file_loads);
    tcase_add_test(tc, writable_by_others_refused);
    tcase_add_test(tc, outside_directory);
    tcase_add_test(tc, module_init_failure_refuses_with_its_message);
    suite_add_tcase(s, tc);
    TCase *reg = tcase_create("registry");
    tcase_add_test(reg, registry_manifest_capabilities);
    tcase_add_test(reg, search_path_first_match_wins);
    tcase_add_test(reg, search_path_incomplete_connectors);
    tcase_add_test(reg, search_path_required_directory);
    tcase_add_test(reg, capabilities_must_agree);
    tcase_add_test(reg, manifest_abi_must_agree);
    TCase *life = tcase_create("lifecycle");
    tcase_add_checked_fixture(life, lifecycle_setup, lifecycle_teardown);
    tcase_add_test(life, module_init_and_exit_once_each);
    tcase_add_test(life, registry_inits_once_and_exits_at_free);
    tcase_add_test(life, manifest_missing_an_operation_refused);
    suite_add_tcase(s, reg);
    suite_add_tcase(s, life);
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
