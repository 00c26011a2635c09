/*
 * The hiresync program end to end with the test connector modules: help, version, exit
 * statuses, `connectors`, `check`, `jobs`, configuration errors, log formats and secret
 * masking.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "host_testutil.h"

static char *dir;
static char manifest_env[4096], bad_manifest_env[4096], module_env[4096];
static const char *extra_env;   /* one more "NAME=value" for the next runs, or NULL */

static void setup(void)
{
    dir = hs_ht_tmpdir();
    extra_env = NULL;
    snprintf(manifest_env, sizeof(manifest_env), "HIRESYNC_MANIFEST_DIR=%s/tests/data/manifests",
             hs_ht_env("HIRESYNC_SRCDIR"));
    snprintf(bad_manifest_env, sizeof(bad_manifest_env),
             "HIRESYNC_MANIFEST_DIR=%s/tests/data/manifests-bad", hs_ht_env("HIRESYNC_SRCDIR"));
    snprintf(module_env, sizeof(module_env), "HIRESYNC_CONNECTOR_DIR=%s",
             hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
}

static void teardown(void)
{
    hs_ht_rmtree(dir);
    free(dir);
}

#define GOOD_CONFIG                                                                          \
    "{\"connections\":{"                                                                     \
    "\"ats\":{\"connector\":\"testats\",\"subdomain\":\"acme\",\"client_id\":\"cid\","       \
    "\"token\":\"ats-secret-4242\",\"check_fail\":\"Notes: Insert\"},"                       \
    "\"video\":{\"connector\":\"testvideo\",\"token\":\"video-secret-7373\","                \
    "\"check_warn\":\"Jobs: Read\"}},"                                                       \
    "\"pipelines\":{\"p\":{\"ats\":\"ats\",\"interviews\":\"video\",\"mappings\":["          \
    "{\"interview\":\"101\",\"jobs\":[{\"job\":\"101\",\"trigger_stages\":[\"Applied\"]},"   \
    "{\"job\":\"999\",\"trigger_stages\":[\"S\"]}]}]}}}"

/* Runs hiresync with the test manifests and modules and the given arguments (NULL-ended);
 * connector_env replaces the HIRESYNC_CONNECTOR_DIR entry when not NULL. */
static void run_env(hs_ht_run_result *r, const char *manifests, const char *connector_env,
                    const char *config, const char *const *args)
{
    char *argv[32];
    size_t n = 0;
    argv[n++] = (char *)hs_ht_env("HIRESYNC_BIN");
    char *config_path = NULL;
    if (config) {
        config_path = hs_ht_write(dir, "hiresync.json", config, 0600);
        argv[n++] = (char *)"-c";
        argv[n++] = config_path;
    }
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    const char *env[] = {manifests, connector_env ? connector_env : module_env, extra_env, NULL};
    hs_ht_run(argv, env, r);
    free(config_path);
}

static void run(hs_ht_run_result *r, const char *manifests, const char *config,
                const char *const *args)
{
    run_env(r, manifests, NULL, config, args);
}

#define RUN(r, manifests, config, ...) \
    run(r, manifests, config, (const char *const[]){__VA_ARGS__})

START_TEST(version_names_abi)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, NULL, "--version", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(strncmp(r.out, "hiresync ", 9), 0);
    ck_assert_ptr_nonnull(strstr(r.out, "(connector ABI 2.1)\n"));
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(help_and_usage_errors)
{
    static const char *const commands[] = {"connectors", "check", "jobs"};
    hs_ht_run_result r;
    RUN(&r, manifest_env, NULL, "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Usage: hiresync [OPTIONS] COMMAND"));
    for (size_t i = 0; i < 3; i++)
        ck_assert_ptr_nonnull(strstr(r.out, commands[i]));
    hs_ht_run_result_free(&r);
    for (size_t i = 0; i < 3; i++) {
        RUN(&r, manifest_env, NULL, commands[i], "--help", NULL);
        ck_assert_int_eq(r.status, 0);
        char expected[128];
        snprintf(expected, sizeof(expected), "Usage: hiresync %s", commands[i]);
        ck_assert_ptr_nonnull(strstr(r.out, expected));
        hs_ht_run_result_free(&r);
    }
    RUN(&r, manifest_env, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, NULL, "frobnicate", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "hiresync: unknown command \"frobnicate\""));
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, NULL, "--log-level", "loud", "connectors", NULL);
    ck_assert_int_eq(r.status, 2);
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "jobs", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "hiresync jobs: name one CONNECTION"));
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(connectors_lists_modules)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "connectors", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    char line[4096];
    snprintf(line, sizeof(line), "%-16s %-10s %-5s %-50s %s/hst_ats.so\n", "testats", "0.0.1",
             "2.1", "check,discover_jobs,read_changes,write_note",
             hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no line \"%s\" in:\n%s", line, r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "testvideo"));
    /* The refused test modules have no manifest here: listed, not loaded. */
    snprintf(line, sizeof(line), "  %s/hst_major.so: no manifest in %s/tests/data/manifests "
             "names it as its \"module\"\n", hs_ht_env("HIRESYNC_TEST_MODULE_DIR"),
             hs_ht_env("HIRESYNC_SRCDIR"));
    ck_assert_ptr_nonnull(strstr(r.out, "Modules without a manifest"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no line \"%s\" in:\n%s", line, r.out);
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(connectors_reports_failures)
{
    hs_ht_run_result r;
    RUN(&r, bad_manifest_env, NULL, "connectors", NULL);
    ck_assert_int_eq(r.status, 1);
    char line[4096];
    snprintf(line, sizeof(line), "  testmajor: %s/hst_major.so: built for connector ABI 3.0, "
             "but this hiresync has ABI 2.1 (the major versions differ); rebuild the "
             "connector against ABI 2.x\n", hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no line \"%s\" in:\n%s", line, r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "broken.json: $.abi: must be a string"));
    ck_assert_ptr_nonnull(strstr(r.out, "\ntestats "));
    hs_ht_run_result_free(&r);
    RUN(&r, bad_manifest_env, NULL, "connectors", "--json", NULL);
    ck_assert_int_eq(r.status, 1);
    json_object *doc = json_tokener_parse(r.out);
    ck_assert_ptr_nonnull(doc);
    json_object *list, *bad;
    ck_assert_int_eq(json_object_object_get_ex(doc, "connectors", &list), 1);
    ck_assert_uint_eq(json_object_array_length(list), 3);
    ck_assert_int_eq(json_object_object_get_ex(doc, "bad_manifests", &bad), 1);
    ck_assert_uint_eq(json_object_array_length(bad), 3);   /* broken.json: three errors */
    json_object_put(doc);
    hs_ht_run_result_free(&r);
}
END_TEST

/* Modules come from the configuration's connector_dir, unless the environment says else. */
START_TEST(connector_dir_from_config)
{
    char config[8192];
    snprintf(config, sizeof(config), "{\"connector_dir\":\"%s\"}",
             hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
    hs_ht_run_result r;
    run_env(&r, manifest_env, "HIRESYNC_CONNECTOR_DIR=", config,
            (const char *const[]){"connectors", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    char path[4096];
    snprintf(path, sizeof(path), " %s/hst_ats.so\n", hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
    ck_assert_ptr_nonnull(strstr(r.out, path));
    hs_ht_run_result_free(&r);
    run_env(&r, manifest_env, "HIRESYNC_CONNECTOR_DIR=/nonexistent/modules", config,
            (const char *const[]){"connectors", NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "  testats: /nonexistent/modules/hst_ats.so: cannot use "
                                        "module: No such file or directory"));
    hs_ht_run_result_free(&r);
}
END_TEST

/* <dir>/path holds testats as an integrator installs it (testats.so with testats.json
 * beside it), testvideo as a link to the test module, and a module without its manifest. */
static char *make_path_dir(void)
{
    char *path = hs_ht_join(dir, "path");
    ck_assert_int_eq(mkdir(path, 0755), 0);
    static const char *const files[][2] = {{"hst_ats.so", "testats.so"},
                                           {"hst_video.so", "lonely.so"}};
    for (size_t i = 0; i < 2; i++) {
        char *from = hs_ht_join(hs_ht_env("HIRESYNC_TEST_MODULE_DIR"), files[i][0]);
        char *to = hs_ht_join(path, files[i][1]);
        hs_ht_copy(from, to, 0755);
        free(from);
        free(to);
    }
    static const char *const manifests[] = {"testats.json", "testvideo.json"};
    for (size_t i = 0; i < 2; i++) {
        char from[4096];
        snprintf(from, sizeof(from), "%s/tests/data/manifests/%s", hs_ht_env("HIRESYNC_SRCDIR"),
                 manifests[i]);
        char *to = hs_ht_join(path, manifests[i]);
        hs_ht_copy(from, to, 0644);
        free(to);
    }
    char *target = hs_ht_join(hs_ht_env("HIRESYNC_TEST_MODULE_DIR"), "hst_video.so");
    char *link = hs_ht_join(path, "testvideo.so");
    ck_assert_int_eq(symlink(target, link), 0);
    free(target);
    free(link);
    return path;
}

static json_object *connector_named(json_object *doc, const char *name)
{
    json_object *list, *name_v;
    ck_assert_int_eq(json_object_object_get_ex(doc, "connectors", &list), 1);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *c = json_object_array_get_idx(list, i);
        if (json_object_object_get_ex(c, "name", &name_v)
            && strcmp(json_object_get_string(name_v), name) == 0)
            return c;
    }
    ck_abort_msg("no connector %s", name);
    return NULL;
}

static const char *string_at(json_object *obj, const char *key)
{
    json_object *v;
    ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no key %s", key);
    return json_object_get_string(v);
}

/* A directory of HIRESYNC_CONNECTOR_PATH comes before the built-in one: its testats wins and
 * shadows the built-in testats; a linked module loads; a module without its manifest is
 * named with the file to add. */
START_TEST(connector_path_env_shadows)
{
    char *path = make_path_dir();
    char env[8192], line[16384], real[PATH_MAX];
    snprintf(env, sizeof(env), "HIRESYNC_CONNECTOR_PATH=%s/missing:%s", dir, path);
    extra_env = env;
    const char *mods = hs_ht_env("HIRESYNC_TEST_MODULE_DIR");
    hs_ht_run_result r;
    RUN(&r, manifest_env, NULL, "connectors", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    snprintf(line, sizeof(line), "%-16s %-10s %-5s %-50s %s/testats.so\n"
             "    from %s (HIRESYNC_CONNECTOR_PATH), manifest %s/testats.json\n"
             "    shadows %s/hst_ats.so (HIRESYNC_CONNECTOR_DIR), manifest "
             "%s/tests/data/manifests/testats.json\n", "testats", "0.0.1", "2.1",
             "check,discover_jobs,read_changes,write_note", path, path, path, mods,
             hs_ht_env("HIRESYNC_SRCDIR"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no lines \"%s\" in:\n%s", line, r.out);
    ck_assert_ptr_nonnull(realpath(mods, real));
    snprintf(line, sizeof(line), " %s/testvideo.so\n    from %s (HIRESYNC_CONNECTOR_PATH), "
             "manifest %s/testvideo.json\n    module links to %s/hst_video.so\n", path, path,
             path, real);
    ck_assert_msg(strstr(r.out, line) != NULL, "no lines \"%s\" in:\n%s", line, r.out);
    snprintf(line, sizeof(line), "  %s/lonely.so: no manifest %s/lonely.json beside it; "
             "install the connector's manifest into %s\n", path, path, path);
    ck_assert_msg(strstr(r.out, line) != NULL, "no line \"%s\" in:\n%s", line, r.out);
    snprintf(line, sizeof(line), "Search path (the first connector of a name wins):\n"
             "  %s/missing (HIRESYNC_CONNECTOR_PATH)\n  %s (HIRESYNC_CONNECTOR_PATH)\n"
             "  %s (HIRESYNC_CONNECTOR_DIR; manifests in %s/tests/data/manifests)\n", dir, path,
             mods, hs_ht_env("HIRESYNC_SRCDIR"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no lines \"%s\" in:\n%s", line, r.out);
    hs_ht_run_result_free(&r);

    RUN(&r, manifest_env, NULL, "connectors", "--json", NULL);
    ck_assert_int_eq(r.status, 0);
    json_object *doc = json_tokener_parse(r.out), *shadows, *sp;
    ck_assert_ptr_nonnull(doc);
    json_object *ats = connector_named(doc, "testats");
    ck_assert_str_eq(string_at(ats, "directory"), path);
    ck_assert_str_eq(string_at(ats, "origin"), "HIRESYNC_CONNECTOR_PATH");
    ck_assert_int_eq(json_object_object_get_ex(ats, "shadows", &shadows), 1);
    ck_assert_uint_eq(json_object_array_length(shadows), 1);
    json_object *sh = json_object_array_get_idx(shadows, 0);
    ck_assert_str_eq(string_at(sh, "directory"), mods);
    ck_assert_str_eq(string_at(sh, "origin"), "HIRESYNC_CONNECTOR_DIR");
    snprintf(line, sizeof(line), "%s/hst_ats.so", mods);
    ck_assert_str_eq(string_at(sh, "module"), line);
    snprintf(line, sizeof(line), "%s/hst_video.so", real);
    ck_assert_str_eq(string_at(connector_named(doc, "testvideo"), "module_target"), line);
    ck_assert_int_eq(json_object_object_get_ex(doc, "search_path", &sp), 1);
    ck_assert_uint_eq(json_object_array_length(sp), 3);
    json_object_put(doc);
    hs_ht_run_result_free(&r);
    free(path);
}
END_TEST

/* The configuration's connector_path comes after HIRESYNC_CONNECTOR_PATH and before the
 * built-in directory; a bad one is one line with its JSON path. */
START_TEST(connector_path_from_config)
{
    char *path = make_path_dir();
    char config[8192], line[16384];
    snprintf(config, sizeof(config), "{\"connector_path\":[\"%s\"]}", path);
    hs_ht_run_result r;
    run_env(&r, manifest_env, NULL, config, (const char *const[]){"connectors", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    snprintf(line, sizeof(line), " %s/testats.so\n    from %s (connector_path), manifest "
             "%s/testats.json\n    shadows %s/hst_ats.so (HIRESYNC_CONNECTOR_DIR)", path, path,
             path, hs_ht_env("HIRESYNC_TEST_MODULE_DIR"));
    ck_assert_msg(strstr(r.out, line) != NULL, "no lines \"%s\" in:\n%s", line, r.out);
    hs_ht_run_result_free(&r);
    /* The same directory in the environment too: searched once, first. */
    char env[8192];
    snprintf(env, sizeof(env), "HIRESYNC_CONNECTOR_PATH=%s", path);
    extra_env = env;
    run_env(&r, manifest_env, NULL, config, (const char *const[]){"connectors", NULL});
    ck_assert_int_eq(r.status, 0);
    snprintf(line, sizeof(line), "    from %s (HIRESYNC_CONNECTOR_PATH)", path);
    ck_assert_msg(strstr(r.out, line) != NULL, "no line \"%s\" in:\n%s", line, r.out);
    ck_assert_ptr_null(strstr(r.out, "(connector_path)"));
    hs_ht_run_result_free(&r);
    extra_env = NULL;
    run_env(&r, manifest_env, NULL, "{\"connector_path\":[\"connectors\"]}",
            (const char *const[]){"connectors", NULL});
    ck_assert_int_eq(r.status, 2);
    snprintf(line, sizeof(line), "%s/hiresync.json: $.connector_path[0]: \"connectors\" is not "
             "an absolute path; write the whole directory path, starting with /\n", dir);
    ck_assert_str_eq(r.err, line);
    hs_ht_run_result_free(&r);
    free(path);
}
END_TEST

/* A link to a module its group may rewrite fails to load, naming the file to fix. */
START_TEST(connector_path_untrusted_link)
{
    char *path = make_path_dir();
    char *link = hs_ht_join(path, "testvideo.so");
    char *target = hs_ht_join(dir, "shared.so");
    char *from = hs_ht_join(hs_ht_env("HIRESYNC_TEST_MODULE_DIR"), "hst_video.so");
    hs_ht_copy(from, target, 0755);
    ck_assert_int_eq(chmod(target, 0775), 0);
    ck_assert_int_eq(unlink(link), 0);
    ck_assert_int_eq(symlink(target, link), 0);
    char env[8192], line[16384], real[PATH_MAX];
    snprintf(env, sizeof(env), "HIRESYNC_CONNECTOR_PATH=%s", path);
    extra_env = env;
    hs_ht_run_result r;
    RUN(&r, manifest_env, NULL, "connectors", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(realpath(target, real));
    snprintf(line, sizeof(line), "\nFailed to load:\n  testvideo: %s: links to %s, which is "
             "writable by its group (mode 0775); run: chmod go-w %s\n", link, real, real);
    ck_assert_msg(strstr(r.out, line) != NULL, "no lines \"%s\" in:\n%s", line, r.out);
    hs_ht_run_result_free(&r);
    free(path);
    free(link);
    free(target);
    free(from);
}
END_TEST

START_TEST(misspelt_key_exits_2)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env,
        "{\"connections\":{\"ats\":{\"connector\":\"testats\",\"subdomain\":\"acme\","
        "\"clent_id\":\"cid\",\"token\":\"ats-secret-4242\"}}}", "check", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "hiresync.json: $.connections.ats.clent_id: unknown "
                                        "key; did you mean \"client_id\"?\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "hiresync.json: $.connections.ats.client_id: missing "
                                        "required key"));
    ck_assert_str_eq(r.out, "");
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(check_reports_items)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "check", NULL);
    ck_assert_msg(r.status == 1, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "ats (connector testats 0.0.1)\n"
                                        "  OK    Credentials: granted\n"
                                        "  OK    Jobs: Read: granted\n"
                                        "  FAIL  Notes: Insert: missing; grant it in the test "
                                        "admin\n"
                                        "  OK    Job 101: visible\n"
                                        "  FAIL  Job 999: not found; check the job id\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "video (connector testvideo 0.0.1)\n"
                                        "  OK    Credentials: granted\n"
                                        "  WARN  Jobs: Read: granted with limits"));
    ck_assert_ptr_nonnull(strstr(r.out, "  OK    Job 101: visible\n"));
    /* the mappings against what the connections discovered: job 999 does not exist */
    ck_assert_ptr_nonnull(strstr(r.out, "pipeline p (mappings)\n"
                                        "  FAIL  mapping: job 999 is not among the 3 open jobs "
                                        "of connection ats; check the job id (`hiresync jobs "
                                        "ats` lists them)\n"));
    /* the ATS connection's daily cost: 8 cycles, the jobs listed 8 times at 3 calls */
    ck_assert_msg(strstr(r.out, "  OK    daily calls: the configured intervals cost about 32 "
                         "calls a day when nothing changes") != NULL, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "\n7 ok, 1 warning, 3 failed\n"));
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "check", "nope", NULL);
    ck_assert_int_eq(r.status, 2);
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(check_json)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "-q", "check", "--json", "ats", NULL);
    ck_assert_int_eq(r.status, 1);
    json_object *doc = json_tokener_parse(r.out);
    ck_assert_msg(doc != NULL, "not JSON: %s", r.out);
    ck_assert_uint_eq(json_object_array_length(doc), 2);   /* ats, then pipeline p */
    ck_assert_int_eq(json_object_object_get_ex(json_object_array_get_idx(doc, 1), "pipeline",
                                               NULL), 1);
    json_object *report = json_object_array_get_idx(doc, 0), *items, *v;
    ck_assert_int_eq(json_object_object_get_ex(report, "connection", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "ats");
    ck_assert_int_eq(json_object_object_get_ex(report, "items", &items), 1);
    ck_assert_uint_eq(json_object_array_length(items), 6);   /* daily calls last */
    json_object *third = json_object_array_get_idx(items, 2);
    ck_assert_int_eq(json_object_object_get_ex(third, "name", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "Notes: Insert");
    ck_assert_int_eq(json_object_object_get_ex(third, "result", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "fail");
    json_object_put(doc);
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(check_one_connection_passes)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "check", "video", NULL);
    /* video's own items pass; the pipeline using it maps a job that does not exist */
    ck_assert_msg(r.status == 1, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_ptr_null(strstr(r.out, "ats ("));
    ck_assert_ptr_nonnull(strstr(r.out, "  WARN  Jobs: Read"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n3 ok, 1 warning, 1 failed\n"));
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(secrets_are_masked_in_logs)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "check", NULL);
    /* The test connector logs its token on open; the host masks it. */
    ck_assert_ptr_nonnull(strstr(r.err, " INFO [ats] opened with token ***\n"));
    ck_assert_ptr_nonnull(strstr(r.err, " INFO [video] opened with token ***\n"));
    ck_assert_ptr_null(strstr(r.err, "ats-secret-4242"));
    ck_assert_ptr_null(strstr(r.err, "video-secret-7373"));
    ck_assert_ptr_null(strstr(r.out, "ats-secret-4242"));
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "--log-format", "json", "check", "video", NULL);
    json_object *line = json_tokener_parse(r.err);
    ck_assert_msg(line != NULL, "not JSON: %s", r.err);
    json_object *v;
    ck_assert_int_eq(json_object_object_get_ex(line, "connection", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "video");
    ck_assert_int_eq(json_object_object_get_ex(line, "pipeline", &v), 1);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(json_object_object_get_ex(line, "level", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "info");
    ck_assert_int_eq(json_object_object_get_ex(line, "msg", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "opened with token ***");
    json_object_put(line);
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "-q", "check", "video", NULL);
    ck_assert_str_eq(r.err, "");
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(jobs_newest_first)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env, GOOD_CONFIG, "-q", "jobs", "ats", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_str_eq(r.out,
                     "103  Job 3\n"
                     "    status: Open   updated: 2026-11-03T10:00:00Z\n"
                     "    stages: \"Applied\" (New, Reviewed), \"Video Interview\"\n"
                     "102  Job 2\n"
                     "    status: Open   updated: 2026-11-02T10:00:00Z\n"
                     "    stages: \"Applied\" (New, Reviewed), \"Video Interview\"\n"
                     "101  Job 1\n"
                     "    status: Open   updated: 2026-11-01T10:00:00Z\n"
                     "    stages: \"Applied\" (New, Reviewed), \"Video Interview\"\n"
                     "3 jobs\n");
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "-q", "jobs", "--json", "video", NULL);
    ck_assert_int_eq(r.status, 0);
    json_object *jobs = json_tokener_parse(r.out);
    ck_assert_ptr_nonnull(jobs);
    ck_assert_uint_eq(json_object_array_length(jobs), 2);
    json_object *first = json_object_array_get_idx(jobs, 0), *v, *stages;
    ck_assert_int_eq(json_object_object_get_ex(first, "id", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "102");
    ck_assert_int_eq(json_object_object_get_ex(first, "stages", &stages), 1);
    ck_assert_uint_eq(json_object_array_length(stages), 2);
    json_object_put(jobs);
    hs_ht_run_result_free(&r);
}
END_TEST

START_TEST(jobs_open_failure)
{
    hs_ht_run_result r;
    RUN(&r, manifest_env,
        "{\"connections\":{\"video\":{\"connector\":\"testvideo\",\"token\":\"video-secret-7373\","
        "\"open_fail\":true}}}", "jobs", "video", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "ERROR [video] cannot open: open refused as configured "
                                        "(open_fail)\n"));
    ck_assert_str_eq(r.out, "");
    hs_ht_run_result_free(&r);
    RUN(&r, manifest_env, GOOD_CONFIG, "jobs", "nope", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "no connection \"nope\""));
    hs_ht_run_result_free(&r);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, version_names_abi);
    tcase_add_test(tc, help_and_usage_errors);
    tcase_add_test(tc, connectors_lists_modules);
    tcase_add_test(tc, connectors_reports_failures);
    tcase_add_test(tc, connector_dir_from_config);
    tcase_add_test(tc, connector_path_env_shadows);
    tcase_add_test(tc, connector_path_from_config);
    tcase_add_test(tc, connector_path_untrusted_link);
    tcase_add_test(tc, misspelt_key_exits_2);
    tcase_add_test(tc, check_reports_items);
    tcase_add_test(tc, check_json);
    tcase_add_test(tc, check_one_connection_passes);
    tcase_add_test(tc, secrets_are_masked_in_logs);
    tcase_add_test(tc, jobs_newest_first);
    tcase_add_test(tc, jobs_open_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
