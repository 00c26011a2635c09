/* Connector manifests: the good ones parse completely, bad ones are refused line by line. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiresync/connector.h>

#include "../host/configuration.h"
#include "../host/manifest.h"
#include "host_testutil.h"

static char *data_path(const char *rel)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s/tests/data/%s", hs_ht_env("HIRESYNC_SRCDIR"), rel);
    char *p = strdup(buf);
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(good_manifest_parses)
{
    char *path = data_path("manifests/testats.json");
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    ck_assert_int_eq(hs_manifest_load(path, &m, &diag), 0);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);
    ck_assert_str_eq(m->name, "testats");
    ck_assert_str_eq(m->module, "hst_ats");
    /* The version the manifest declares ("2.1"). */
    ck_assert_uint_eq(m->abi_version, (2u << 16) | 1u);
    ck_assert_uint_eq(m->capabilities, HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS
                                           | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE);
    const hs_manifest_field *f = hs_manifest_field_find(m, "token");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->secret, 1);
    ck_assert_int_eq(f->required, 1);
    f = hs_manifest_field_find(m, "page_size");
    ck_assert_int_eq(f->type, HS_FIELD_INTEGER);
    ck_assert_int_eq(f->has_minimum && f->has_maximum, 1);
    ck_assert_int_eq(json_object_get_int(f->default_value), 50);
    f = hs_manifest_field_find(m, "date_style");
    ck_assert_uint_eq(json_object_array_length(f->enum_values), 3);
    f = hs_manifest_field_find(m, "subdomain");
    ck_assert_str_eq(f->pattern, "[a-z0-9-]+");
    ck_assert_int_eq(regexec(&f->pattern_re, "acme", 0, NULL, 0), 0);
    /* Anchored: the whole value must match. */
    ck_assert_int_ne(regexec(&f->pattern_re, "acme.example", 0, NULL, 0), 0);
    f = hs_manifest_field_find(m, "stage_aliases");
    ck_assert_ptr_nonnull(f->item);
    ck_assert_int_eq(f->item->type, HS_FIELD_STRING);
    ck_assert_ptr_null(hs_manifest_field_find(m, "nonesuch"));
    ck_assert_uint_eq(m->n_require_one_of, 1);
    ck_assert_uint_eq(m->require_one_of[0].n_keys, 2);
    ck_assert_str_eq(m->require_one_of[0].keys[1], "base_url");
    ck_assert_uint_eq(m->n_permissions, 2);
    ck_assert_str_eq(m->permissions[1].name, "Notes: Insert");
    ck_assert_uint_eq(m->permissions[1].operations, HS_CAP_WRITE_NOTE);
    hs_manifest_free(m);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

START_TEST(bad_manifest_every_error)
{
    char *path = data_path("manifests-bad/broken.json");
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    ck_assert_int_eq(hs_manifest_load(path, &m, &diag), -1);
    ck_assert_ptr_null(m);
    ck_assert_uint_eq(hs_diag_count(&diag), 3);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: $.abi: must be a string \"MAJOR.MINOR\" such as "
             "\"%u.%u\"", path, (unsigned)HS_ABI_MAJOR, (unsigned)HS_ABI_MINOR);
    ck_assert_str_eq(diag.lines[0], expected);
    snprintf(expected, sizeof(expected), "%s: $.capabilities[1]: unknown operation; use check, "
             "discover_jobs, read_changes, write_invitation, write_note, move_record or sync_subscriptions", path);
    ck_assert_str_eq(diag.lines[1], expected);
    snprintf(expected, sizeof(expected), "%s: $.config.x.type: must be string, integer, "
             "number, boolean, array or object", path);
    ck_assert_str_eq(diag.lines[2], expected);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

static void expect_manifest_error(const char *text, const char *expected_rest)
{
    char *dir = hs_ht_tmpdir();
    char *path = hs_ht_write(dir, "m.json", text, 0644);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    ck_assert_int_eq(hs_manifest_load(path, &m, &diag), -1);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: %s", path, expected_rest);
    ck_assert_msg(hs_diag_contains(&diag, expected), "expected \"%s\", got \"%s\"", expected,
                  diag.n ? diag.lines[0] : "(nothing)");
    hs_diag_clear(&diag);
    hs_ht_rmtree(dir);
    free(dir);
    free(path);
}

#define HEAD "\"name\":\"t\",\"version\":\"1\",\"abi\":\"1.0\",\"capabilities\":[]"

START_TEST(bad_manifest_cases)
{
    expect_manifest_error("{" HEAD ",\"module\":\"../evil\"}",
                          "$.module: \"../evil\" must be letters, digits and _ only");
    expect_manifest_error("{\"version\":\"1\",\"abi\":\"1.0\",\"module\":\"m\","
                          "\"capabilities\":[]}", "$.name: missing; add it");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"integer\","
                          "\"default\":\"x\"}}}", "$.config.k.default: must be of type integer");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"string\","
                          "\"requried\":true}}}", "$.config.k.requried: unknown key");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"string\","
                          "\"pattern\":\"(\"}}}",
                          "$.config.k.pattern: not a valid POSIX extended regular expression");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"integer\","
                          "\"secret\":true}}}", "$.config.k.secret: only strings can be secrets");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"require_one_of\":[[\"a\"]]}",
                          "$.require_one_of[0][0]: must name a key of $.config");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"permissions\":[{\"name\":\"P\","
                          "\"operations\":[\"fly\"]}]}",
                          "$.permissions[0].operations[0]: unknown operation");
    expect_manifest_error("{" HEAD ",\"module\":\"m\"", "not valid JSON: the document ends "
                          "early; close every brace and bracket");
}
END_TEST

/* Everything a manifest says is either checked or refused: no key that reads as a rule and
 * checks nothing. */
START_TEST(no_silent_keys)
{
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"capabilites\":[]}",
                          "$.capabilites: unknown key; use only name, version, abi, module, "
                          "description, capabilities, config, require_one_of, permissions");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"permissions\":[{\"name\":\"P\","
                          "\"scope\":\"p.read\",\"operations\":[\"check\"]}]}",
                          "$.permissions[0].scope: not part of the manifest format; remove it");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"permissions\":[{\"name\":\"P\","
                          "\"grant\":\"x\"}]}", "$.permissions[0].grant: unknown key; use only "
                          "name, operations, where");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"string\","
                          "\"maximum\":3}}}",
                          "$.config.k.maximum: only for integer and number keys, not string; "
                          "remove it");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"integer\","
                          "\"pattern\":\"[0-9]+\"}}}",
                          "$.config.k.pattern: only for string keys, not integer; remove it");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"string\","
                          "\"items\":\"string\"}}}",
                          "$.config.k.items: only for array keys, not string; remove it");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"array\","
                          "\"min_items\":-1}}}",
                          "$.config.k.min_items: must be a whole number from 0 to 1000000");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"array\","
                          "\"items\":{\"type\":\"string\",\"default\":\"x\"}}}}",
                          "$.config.k.items.default: unknown key; use only type, enum, minimum, "
                          "maximum, pattern, description");
    expect_manifest_error("{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{\"type\":\"array\","
                          "\"items\":\"array\"}}}",
                          "$.config.k.items: must name the elements' type");
}
END_TEST

/* An array's elements may be described like a key: type, pattern, enum, bounds. */
START_TEST(element_descriptions)
{
    char *dir = hs_ht_tmpdir();
    char *path = hs_ht_write(dir, "m.json", "{" HEAD ",\"module\":\"m\",\"config\":{\"k\":{"
                             "\"type\":\"array\",\"min_items\":1,\"max_items\":3,\"items\":{"
                             "\"type\":\"integer\",\"minimum\":1,\"maximum\":9}}}}", 0644);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    ck_assert_int_eq(hs_manifest_load(path, &m, &diag), 0);
    const hs_manifest_field *f = hs_manifest_field_find(m, "k");
    ck_assert_int_eq(f->has_min_items && f->has_max_items, 1);
    ck_assert_uint_eq(f->min_items, 1);
    ck_assert_uint_eq(f->max_items, 3);
    ck_assert_int_eq(f->item->type, HS_FIELD_INTEGER);
    ck_assert_int_eq(f->item->has_minimum && f->item->has_maximum, 1);
    ck_assert(f->item->maximum == 9);
    hs_manifest_free(m);
    hs_diag_clear(&diag);
    hs_ht_rmtree(dir);
    free(dir);
    free(path);
}
END_TEST

START_TEST(set_skips_bad_and_duplicates)
{
    char *dir = hs_ht_tmpdir();
    char *a = hs_ht_write(dir, "a.json", "{" HEAD ",\"module\":\"m\"}", 0644);
    char *b = hs_ht_write(dir, "b.json", "{" HEAD ",\"module\":\"other\"}", 0644);
    char *c = hs_ht_write(dir, "c.json", "[1]", 0644);
    char *ignored = hs_ht_write(dir, "notes.txt", "not a manifest", 0644);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest_set *set = NULL;
    ck_assert_int_eq(hs_manifest_set_load(dir, &set, &diag), 0);
    ck_assert_uint_eq(set->n, 1);
    ck_assert_str_eq(set->items[0]->module, "m");
    ck_assert_uint_eq(hs_diag_count(&diag), 2);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: $.name: \"t\" is already the name of %s; each "
             "connector needs its own name", b, a);
    ck_assert_str_eq(diag.lines[0], expected);
    snprintf(expected, sizeof(expected), "%s: $: must be a JSON object", c);
    ck_assert_str_eq(diag.lines[1], expected);
    hs_manifest_set_free(set);
    hs_diag_clear(&diag);
    hs_ht_rmtree(dir);
    free(dir);
    free(a);
    free(b);
    free(c);
    free(ignored);
}
END_TEST

START_TEST(missing_directory)
{
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest_set *set = NULL;
    ck_assert_int_eq(hs_manifest_set_load("/nonexistent/hiresync", &set, &diag), -1);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(diag.lines[0], "/nonexistent/hiresync: cannot read the manifest "
                     "directory; set HIRESYNC_MANIFEST_DIR or reinstall hiresync");
    hs_diag_clear(&diag);
}
END_TEST

/* The shipped manifests are accepted, and each connector can serve its side of a pipeline. */
START_TEST(shipped_manifests)
{
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest_set *set = NULL;
    ck_assert_int_eq(hs_manifest_set_load(hs_ht_env("HIRESYNC_MANIFEST_DIR"), &set, &diag), 0);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);
    const hs_manifest *eploy = hs_manifest_set_find(set, "eploy");
    const hs_manifest *willo = hs_manifest_set_find(set, "willo");
    ck_assert_ptr_nonnull(eploy);
    ck_assert_ptr_nonnull(willo);
    uint32_t ats = HS_CAP_CHECK | HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE;
    uint32_t interviews = HS_CAP_CHECK | HS_CAP_READ_CHANGES | HS_CAP_WRITE_INVITATION;
    ck_assert_uint_eq(eploy->capabilities & ats, ats);
    ck_assert_uint_eq(willo->capabilities & interviews, interviews);
    ck_assert_int_eq(hs_manifest_field_find(eploy, "client_secret")->secret, 1);
    ck_assert_int_eq(hs_manifest_field_find(willo, "api_key")->secret, 1);
    ck_assert_uint_gt(eploy->n_permissions, 0);
    hs_manifest_set_free(set);
    hs_diag_clear(&diag);
}
END_TEST

START_TEST(capability_names)
{
    uint32_t bit;
    ck_assert_int_eq(hs_capability_parse("write_invitation", &bit), 0);
    ck_assert_uint_eq(bit, HS_CAP_WRITE_INVITATION);
    ck_assert_int_eq(hs_capability_parse("teleport", &bit), -1);
    ck_assert_str_eq(hs_capability_name(HS_CAP_READ_CHANGES), "read_changes");
    ck_assert_ptr_null(hs_capability_name(HS_CAP_READ_CHANGES | HS_CAP_CHECK));
    char buf[128];
    hs_capabilities_format(HS_CAP_CHECK | HS_CAP_WRITE_NOTE, buf, sizeof(buf));
    ck_assert_str_eq(buf, "check,write_note");
}
END_TEST

/* The example in doc/manifest.md is a manifest hiresync accepts, and its defaults pass its
 * own rules. */
START_TEST(documented_example)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/doc/manifest.md", hs_ht_env("HIRESYNC_SRCDIR"));
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    char *start = strstr(text, "## A minimal manifest");
    ck_assert_ptr_nonnull(start);
    start = strstr(start, "```json\n");
    ck_assert_ptr_nonnull(start);
    start += strlen("```json\n");
    char *end = strstr(start, "```");
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    char *dir = hs_ht_tmpdir();
    char *file = hs_ht_write(dir, "filedrop.json", start, 0644);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    int rc = hs_manifest_load(file, &m, &diag);
    ck_assert_msg(rc == 0, "%s", diag.n ? diag.lines[0] : "");
    char *out = NULL;
    rc = hs_config_connection_settings(m, "filedrop", "{\"directory\":\"/srv/filedrop\"}", &out,
                                       &diag);
    ck_assert_msg(rc == 0, "%s", diag.n ? diag.lines[0] : "");
    ck_assert_ptr_nonnull(strstr(out, "\"max_line_bytes\":65536"));
    free(out);
    hs_manifest_free(m);
    hs_diag_clear(&diag);
    hs_ht_rmtree(dir);
    free(dir);
    free(file);
}
END_TEST

static Suite *manifest_suite(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tcase_create("manifest");
    tcase_add_test(tc, good_manifest_parses);
    tcase_add_test(tc, bad_manifest_every_error);
    tcase_add_test(tc, bad_manifest_cases);
    tcase_add_test(tc, no_silent_keys);
    tcase_add_test(tc, element_descriptions);
    tcase_add_test(tc, documented_example);
    tcase_add_test(tc, set_skips_bad_and_duplicates);
    tcase_add_test(tc, missing_directory);
    tcase_add_test(tc, shipped_manifests);
    tcase_add_test(tc, capability_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(manifest_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
