/*
 * The configuration: good files load with defaults filled and secrets resolved; each bad one
 * is refused with a line naming the file and the exact JSON path of what is wrong.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../host/configuration.h"
#include "../host/secret.h"
#include "host_testutil.h"

static hs_manifest_set *manifests;
static char *dir;

static void setup(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/data/manifests", hs_ht_env("HIRESYNC_SRCDIR"));
    hs_diag diag;
    hs_diag_init(&diag);
    ck_assert_int_eq(hs_manifest_set_load(path, &manifests, &diag), 0);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);
    hs_diag_clear(&diag);
    dir = hs_ht_tmpdir();
    unsetenv("HST_UNSET_VAR");
}

static void teardown(void)
{
    hs_manifest_set_free(manifests);
    hs_ht_rmtree(dir);
    free(dir);
}

#define ATS_BODY "\"connector\":\"testats\",\"subdomain\":\"acme\",\"client_id\":\"cid\","
#define ATS_WITH(extra) "\"ats\":{" ATS_BODY "\"token\":\"s3cret-token\"" extra "}"
#define ATS ATS_WITH("")
#define VIDEO "\"video\":{\"connector\":\"testvideo\",\"token\":\"vid-secret-1\"}"
#define JOB "{\"job\":\"101\",\"trigger_stages\":[\"Video Interview\"]}"
#define MAPPING_WITH(extra) "{\"interview\":\"iv1\",\"jobs\":[" JOB "]" extra "}"
#define PIPE_WITH(extra) \
    "\"p\":{\"ats\":\"ats\",\"interviews\":\"video\",\"mappings\":[" MAPPING_WITH("") "]" extra "}"
#define PIPE PIPE_WITH("")
#define CONF(top, conns, pipes) \
    "{" top "\"connections\":{" conns "},\"pipelines\":{" pipes "}}"
#define PIPE_RAW(body) "\"p\":{\"ats\":\"ats\",\"interviews\":\"video\"," body "}"

typedef struct bad_case {
    const char *json;
    const char *path;       /* exact JSON path in the error */
    const char *message;    /* what the rest of the line starts with */
} bad_case;

static const bad_case bad_cases[] = {
    /* top level */
    {"[1,2]", "$", "must be a JSON object, not an array"},
    {CONF("\"workrs\":4,", ATS "," VIDEO, PIPE), "$.workrs",
     "unknown key; did you mean \"workers\"?"},
    {CONF("\"colour\":1,", ATS "," VIDEO, PIPE), "$.colour",
     "unknown key \"colour\"; remove it or use one of: state_dir, connector_dir, connector_path, "
     "shard, workers"},
    {CONF("\"connector_path\":\"/opt/c\",", ATS "," VIDEO, PIPE), "$.connector_path",
     "must be an array of directory paths, not a string; write [\"/opt/hiresync/connectors\"]"},
    {CONF("\"connector_path\":[\"/opt/c\",\"lib/c\"],", ATS "," VIDEO, PIPE),
     "$.connector_path[1]",
     "\"lib/c\" is not an absolute path; write the whole directory path, starting with /"},
    {CONF("\"connector_path\":[7],", ATS "," VIDEO, PIPE), "$.connector_path[0]",
     "must be a string, not an integer"},
    {CONF("\"connector_path\":[\"\"],", ATS "," VIDEO, PIPE), "$.connector_path[0]",
     "must not be empty"},
    {CONF("\"log_level\":\"loud\",", ATS "," VIDEO, PIPE), "$.log_level",
     "unknown log level; use one of: error, warn, info, debug"},
    {CONF("\"log_format\":\"xml\",", ATS "," VIDEO, PIPE), "$.log_format",
     "unknown log format; use text or json"},
    {CONF("\"workers\":0,", ATS "," VIDEO, PIPE), "$.workers",
     "must be a whole number from 1 to 64"},
    {CONF("\"workers\":\"4\",", ATS "," VIDEO, PIPE), "$.workers",
     "must be a whole number from 1 to 64"},
    {CONF("\"state_dir\":5,", ATS "," VIDEO, PIPE), "$.state_dir",
     "must be a string, not an integer"},
    {CONF("\"listen\":9464,", ATS "," VIDEO, PIPE), "$.listen",
     "must be a string, not an integer"},
    {CONF("\"listen\":\"127.0.0.1\",", ATS "," VIDEO, PIPE), "$.listen",
     "\"127.0.0.1\" is not HOST:PORT with a port from 1 to 65535"},
    {CONF("\"listen\":\"127.0.0.1:70000\",", ATS "," VIDEO, PIPE), "$.listen",
     "\"127.0.0.1:70000\" is not HOST:PORT with a port from 1 to 65535"},
    {CONF("\"listen\":\"metrics.example.com:9464\",", ATS "," VIDEO, PIPE), "$.listen",
     "\"metrics.example.com:9464\" is not a literal address"},
    {CONF("\"listen\":\"::1:9464\",", ATS "," VIDEO, PIPE), "$.listen",
     "\"::1:9464\" is not a literal address (IPv6 goes in brackets)"},
    {"{\"connections\":[]}", "$.connections", "must be an object, not an array"},
    /* connections */
    {CONF("", "\"ats\":5," VIDEO, ""), "$.connections.ats", "must be an object, not an integer"},
    {CONF("", "\"bad name\":{\"connector\":\"testvideo\",\"token\":\"abcd\"}", ""),
     "$.connections.bad name", "bad connection name"},
    {CONF("", "\"ats\":{\"subdomain\":\"acme\"}", ""), "$.connections.ats.connector",
     "missing; add \"connector\": one of testats, testvideo"},
    {CONF("", "\"ats\":{\"connector\":\"testatz\"}", ""), "$.connections.ats.connector",
     "unknown connector \"testatz\"; did you mean \"testats\"?"},
    {CONF("", "\"ats\":{\"connector\":\"greenhouse\"}", ""), "$.connections.ats.connector",
     "unknown connector \"greenhouse\"; use one of: testats, testvideo"},
    {CONF("", ATS_WITH(",\"clent_id\":\"x\""), ""), "$.connections.ats.clent_id",
     "unknown key; did you mean \"client_id\"?"},
    {CONF("", ATS_WITH(",\"zzzzzz\":1"), ""), "$.connections.ats.zzzzzz",
     "unknown key \"zzzzzz\"; remove it or use one of: subdomain, base_url"},
    {CONF("", "\"ats\":{\"connector\":\"testats\",\"subdomain\":\"acme\",\"token\":\"abcd\"}",
          ""), "$.connections.ats.client_id", "missing required key; add it (the API client id)"},
    {CONF("", ATS_WITH(",\"page_size\":\"50\""), ""), "$.connections.ats.page_size",
     "must be an integer, not a string; write a whole number without quotes"},
    {CONF("", ATS_WITH(",\"page_size\":0"), ""), "$.connections.ats.page_size",
     "0 is below the minimum 1; use a value from 1 to 100"},
    {CONF("", ATS_WITH(",\"page_size\":101"), ""), "$.connections.ats.page_size",
     "101 is above the maximum 100; use a value from 1 to 100"},
    {CONF("", ATS_WITH(",\"ratio\":1.5"), ""), "$.connections.ats.ratio",
     "1.5 is above the maximum 1"},
    {CONF("", ATS_WITH(",\"date_style\":\"gmt\""), ""), "$.connections.ats.date_style",
     "\"gmt\" is not allowed; use one of: \"utc\", \"naive\", \"offset\""},
    {CONF("", "\"ats\":{\"connector\":\"testats\",\"subdomain\":\"acme.example.net\","
              "\"client_id\":\"c\",\"token\":\"abcd\"}", ""), "$.connections.ats.subdomain",
     "\"acme.example.net\" does not have the expected form ([a-z0-9-]+); the tenant's "
     "subdomain, e.g. acme"},
    {CONF("", "\"ats\":{\"connector\":\"testats\",\"client_id\":\"c\",\"token\":\"abcd\"}", ""),
     "$.connections.ats", "needs one of the keys subdomain, base_url; add one of them"},
    {CONF("", ATS_WITH(",\"verbose\":\"yes\""), ""), "$.connections.ats.verbose",
     "must be a boolean, not a string; write true or false"},
    {CONF("", ATS_WITH(",\"stage_aliases\":[\"a\",3]"), ""),
     "$.connections.ats.stage_aliases[1]", "must be a string, not an integer"},
    {CONF("", ATS_WITH(",\"stage_ids\":[]"), ""), "$.connections.ats.stage_ids",
     "has 0 elements, fewer than the 1 needed; add more"},
    {CONF("", ATS_WITH(",\"stage_ids\":[1,2,3]"), ""), "$.connections.ats.stage_ids",
     "has 3 elements, more than the 2 allowed; remove some"},
    {CONF("", ATS_WITH(",\"stage_ids\":[1,0]"), ""), "$.connections.ats.stage_ids[1]",
     "0 is below the minimum 1; use 1 or more"},
    {CONF("", ATS_WITH(",\"extra\":[]"), ""), "$.connections.ats.extra",
     "must be an object, not an array"},
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":\"abcd\",\"check_fail\":{\"env\":\"X\"}}", ""),
     "$.connections.ats.check_fail",
     "only secret keys can be read from the environment or a file; give the value itself"},
    /* secrets */
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"env\":\"HST_UNSET_VAR\"}}", ""),
     "$.connections.ats.token.env",
     "environment variable HST_UNSET_VAR is not set; export it before starting hiresync"},
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"env\":\"\"}}", ""),
     "$.connections.ats.token.env", "must be a non-empty string naming the environment variable"},
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"vault\":\"x\"}}", ""), "$.connections.ats.token",
     "a secret is a string, {\"env\": \"NAME\"} or {\"file\": \"PATH\"}"},
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":\"\"}", ""), "$.connections.ats.token",
     "empty secret"},
    {CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"file\":\"/nonexistent/token\"}}", ""),
     "$.connections.ats.token.file",
     "cannot open /nonexistent/token: No such file or directory; check the path"},
    /* pipelines */
    {CONF("", ATS "," VIDEO, "\"p\":[]"), "$.pipelines.p",
     "must be an object, not an array"},
    {"{\"pipelines\":[]}", "$.pipelines", "must be an object, not an array"},
    {CONF("", ATS "," VIDEO, "\"p q\":{}"), "$.pipelines.p q", "bad pipeline name"},
    {CONF("", ATS "," VIDEO, PIPE_WITH(",\"intervall\":\"3h\"")), "$.pipelines.p.intervall",
     "unknown key; did you mean \"interval\"?"},
    {CONF("", ATS "," VIDEO, "\"p\":{\"interviews\":\"video\",\"mappings\":[" MAPPING_WITH("")
                             "]}"), "$.pipelines.p.ats",
     "missing required key; add \"ats\": the ATS connection's name"},
    {CONF("", ATS "," VIDEO, "\"p\":{\"ats\":\"atz\",\"interviews\":\"video\",\"mappings\":["
                             MAPPING_WITH("") "]}"), "$.pipelines.p.ats",
     "unknown connection \"atz\"; did you mean \"ats\"?"},
    {CONF("", ATS "," VIDEO, "\"p\":{\"ats\":\"video\",\"interviews\":\"video\",\"mappings\":["
                             MAPPING_WITH("") "]}"), "$.pipelines.p.ats",
     "connection \"video\" (connector testvideo) cannot serve as the ATS side: it lacks "
     "write_note; name a connection whose connector offers it"},
    {CONF("", ATS "," VIDEO, "\"p\":{\"ats\":\"ats\",\"interviews\":\"ats\",\"mappings\":["
                             MAPPING_WITH("") "]}"), "$.pipelines.p.interviews",
     "connection \"ats\" (connector testats) cannot serve as the interviews side: it lacks "
     "write_invitation"},
    {CONF("", ATS "," VIDEO, "\"p\":{\"ats\":\"ats\",\"interviews\":\"zoom\",\"mappings\":["
                             MAPPING_WITH("") "]}"), "$.pipelines.p.interviews",
     "unknown connection \"zoom\"; name the interviews connection from $.connections (ats, "
     "video)"},
    {CONF("", ATS "," VIDEO, PIPE_WITH(",\"interval\":\"5x\"")), "$.pipelines.p.interval",
     "\"5x\" is not a valid interval; write a number and a unit s, m, h or d, at least 1m"},
    {CONF("", ATS "," VIDEO, PIPE_WITH(",\"interval\":\"30s\"")), "$.pipelines.p.interval",
     "\"30s\" is not a valid interval"},
    {CONF("", ATS "," VIDEO, PIPE_WITH(",\"interval\":3")), "$.pipelines.p.interval",
     "an integer is not a valid interval"},
    {CONF("", ATS "," VIDEO, PIPE_WITH(",\"enabled\":\"yes\"")), "$.pipelines.p.enabled",
     "must be true or false, not a string"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":{}")), "$.pipelines.p.mappings",
     "must be an array, not an object"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[]")), "$.pipelines.p.mappings",
     "is empty; map at least one interview to its jobs"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"jobs\":[" JOB "]}]")),
     "$.pipelines.p.mappings[0].interview", "missing required key"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"job\":\"1\"") "]")),
     "$.pipelines.p.mappings[0].job", "unknown key; did you mean \"jobs\"?"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"invite_existing\":\"no\"") "]")),
     "$.pipelines.p.mappings[0].invite_existing", "must be true or false, not a string"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[]}]")),
     "$.pipelines.p.mappings[0].jobs", "is empty; map at least one job"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[{\"job\":"
                                      "101,\"trigger_stages\":[\"S\"]}]}]")),
     "$.pipelines.p.mappings[0].jobs[0].job",
     "must be a string, not an integer; write the job id in double quotes, e.g. \"1234\""},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[{\"job\":"
                                      "\"1\",\"trigger_stages\":[]}]}]")),
     "$.pipelines.p.mappings[0].jobs[0].trigger_stages",
     "is empty, so nobody would ever be invited; list at least one stage name"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[{\"job\":"
                                      "\"1\",\"trigger_stages\":[\"S\",\"\"]}]}]")),
     "$.pipelines.p.mappings[0].jobs[0].trigger_stages[1]", "must not be empty"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[{\"job\":"
                                      "\"1\"}]}]")),
     "$.pipelines.p.mappings[0].jobs[0].trigger_stages", "missing required key"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[" JOB ","
                                      JOB "]}]")),
     "$.pipelines.p.mappings[0].jobs[1].job",
     "job \"101\" is already mapped at $.pipelines.p.mappings[0].jobs[0]"},
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[{\"interview\":\"iv\",\"jobs\":[{\"job\":"
                                      "\"1\",\"stages\":[\"S\"]}]}]")),
     "$.pipelines.p.mappings[0].jobs[0].stages", "unknown key"},
    /* the interview's life */
    {CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"outcome\":{}") "]")),
     "$.pipelines.p.mappings[0].outcome", "unknown key; did you mean \"outcomes\"?"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"outcomes\":{\"complete\":\"Done\"}") "]")),
     "$.pipelines.p.mappings[0].outcomes.complete", "unknown key; did you mean \"completed\"?"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"outcomes\":{\"invited\":7}") "]")),
     "$.pipelines.p.mappings[0].outcomes.invited", "must be a string, not an integer"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"outcomes\":[\"Invited\"]") "]")),
     "$.pipelines.p.mappings[0].outcomes", "must be an object, not an array"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"on_completed\":\"Shortlist\"") "]")),
     "$.pipelines.p.mappings[0].on_completed",
     "connection \"ats\" (connector testats) cannot move applications (it lacks move_record); "
     "remove on_completed or use a connector that offers it"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"on_expired\":\"\"") "]")),
     "$.pipelines.p.mappings[0].on_expired", "must not be empty; write the stage"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"reinvite\":\"always\"") "]")),
     "$.pipelines.p.mappings[0].reinvite",
     "\"always\" is not a policy; write \"never\", \"after_expiry\" or { \"after_days\": N }"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"reinvite\":{\"after_days\":0}") "]")),
     "$.pipelines.p.mappings[0].reinvite.after_days", "must be a whole number of days"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"reinvite\":{\"after_day\":3}") "]")),
     "$.pipelines.p.mappings[0].reinvite.after_day", "unknown key; did you mean \"after_days\"?"},
    {CONF("", ATS "," VIDEO,
          PIPE_RAW("\"mappings\":[" MAPPING_WITH(",\"note_template\":\"{first_name} {email}\"")
                   "]")),
     "$.pipelines.p.mappings[0].note_template", "unknown placeholder {email}; use {first_name}"},
};
#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Loads text (written with mode) and returns the diagnostics; *config set on success. */
static int load_text(const char *text, mode_t mode, hs_config **config, hs_diag *diag,
                     char **path)
{
    *path = hs_ht_write(dir, "hiresync.json", text, mode);
    hs_diag_init(diag);
    return hs_config_load(*path, manifests, config, diag);
}

static void dump(const hs_diag *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        fprintf(stderr, "  got: %s\n", diag->lines[i]);
}

START_TEST(bad_configuration)
{
    const bad_case *bc = &bad_cases[_i];
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    int rc = load_text(bc->json, 0600, &config, &diag, &path);
    if (rc != -1)
        hs_config_free(config);
    ck_assert_msg(rc == -1, "case %d accepted: %s", _i, bc->json);
    ck_assert_ptr_null(config);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: %s: %s", path, bc->path, bc->message);
    int found = 0;
    for (size_t i = 0; i < diag.n && !found; i++)
        found = strncmp(diag.lines[i], expected, strlen(expected)) == 0;
    if (!found)
        dump(&diag);
    ck_assert_msg(found, "case %d: no line starting with \"%s\"", _i, expected);
    for (size_t i = 0; i < diag.n; i++) {
        ck_assert_ptr_null(strchr(diag.lines[i], '\n'));
        /* No secret of the file ever appears in an error. */
        ck_assert_ptr_null(strstr(diag.lines[i], "s3cret-token"));
        ck_assert_ptr_null(strstr(diag.lines[i], "vid-secret-1"));
    }
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

START_TEST(every_error_is_reported)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    ck_assert_int_eq(load_text(CONF("\"workers\":0,", ATS_WITH(",\"page_size\":0") "," VIDEO,
                                    PIPE_WITH(",\"interval\":\"1x\"")),
                               0600, &config, &diag, &path), -1);
    if (diag.n != 3)
        dump(&diag);
    ck_assert_uint_eq(diag.n, 3);
    ck_assert_int_eq(hs_diag_contains(&diag, ": $.workers: "), 1);
    ck_assert_int_eq(hs_diag_contains(&diag, ": $.connections.ats.page_size: "), 1);
    ck_assert_int_eq(hs_diag_contains(&diag, ": $.pipelines.p.interval: "), 1);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

START_TEST(good_configuration)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    int rc = load_text(CONF("\"workers\":2,\"log_level\":\"debug\",\"log_format\":\"json\","
                            "\"listen\":\"[::1]:9464\",", ATS "," VIDEO, PIPE), 0600, &config,
                       &diag, &path);
    dump(&diag);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(config->path, path);
    ck_assert_int_eq(config->workers, 2);
    ck_assert_str_eq(config->listen, "[::1]:9464");
    ck_assert_int_eq(config->log_level, HS_LOG_DEBUG);
    ck_assert_int_eq(config->log_format, HS_LOG_FORMAT_JSON);
    ck_assert_ptr_null(config->connector_dir);
    ck_assert_uint_eq(config->n_connector_path, 0);
    const char *suffix = "/lib/hiresync";
    ck_assert_str_eq(config->state_dir + strlen(config->state_dir) - strlen(suffix), suffix);
    ck_assert_uint_eq(config->n_connections, 2);
    ck_assert_str_eq(config->connections[0].name, "ats");
    ck_assert_str_eq(config->connections[1].name, "video");
    const hs_config_connection *ats = hs_config_find_connection(config, "ats");
    ck_assert_ptr_eq(ats, &config->connections[0]);
    ck_assert_str_eq(ats->connector, "testats");
    ck_assert_str_eq(ats->manifest->name, "testats");
    /* Defaults filled, secret resolved, "connector" removed. */
    ck_assert_str_eq(ats->config_json,
                     "{\"subdomain\":\"acme\",\"client_id\":\"cid\",\"token\":\"s3cret-token\","
                     "\"page_size\":50,\"date_style\":\"utc\",\"verbose\":false,\"jobs\":3,"
                     "\"open_fail\":false}");
    ck_assert_ptr_null(hs_config_find_connection(config, "nope"));
    ck_assert_uint_eq(config->n_secrets, 2);
    ck_assert_str_eq(config->secrets[0], "s3cret-token");
    ck_assert_str_eq(config->secrets[1], "vid-secret-1");
    json_object *p, *v, *m;
    ck_assert_int_eq(json_object_object_get_ex(config->pipelines, "p", &p), 1);
    ck_assert_int_eq(json_object_object_get_ex(p, "enabled", &v), 1);
    ck_assert_int_eq(json_object_get_boolean(v), 1);
    ck_assert_int_eq(json_object_object_get_ex(p, "interval", &v), 1);
    ck_assert_str_eq(json_object_get_string(v), "3h");
    ck_assert_int_eq(json_object_object_get_ex(p, "mappings", &m), 1);
    ck_assert_int_eq(json_object_object_get_ex(json_object_array_get_idx(m, 0),
                                               "invite_existing", &v), 1);
    ck_assert_int_eq(json_object_is_type(v, json_type_boolean), 1);
    ck_assert_int_eq(json_object_get_boolean(v), 0);
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

/* The interview's life configured per mapping: valid keys load, reinvite defaults to never. */
START_TEST(lifecycle_keys_load)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    json_object *p, *maps, *m0, *v;
    int rc = load_text(CONF("", ATS "," VIDEO, PIPE_RAW("\"mappings\":["
        MAPPING_WITH(",\"outcomes\":{\"invited\":\"Invited\",\"completed\":\"9503\"},"
                     "\"reinvite\":{\"after_days\":30},\"note_template\":\"{{x} {first_name} "
                     "{answers} {score}\"") "," MAPPING_WITH("") "]")),
                       0600, &config, &diag, &path);
    dump(&diag);
    ck_assert_int_eq(rc, 0);
    ck_assert(json_object_object_get_ex(config->pipelines, "p", &p));
    ck_assert(json_object_object_get_ex(p, "mappings", &maps));
    m0 = json_object_array_get_idx(maps, 1);
    ck_assert(json_object_object_get_ex(m0, "reinvite", &v));
    ck_assert_str_eq(json_object_get_string(v), "never");
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

START_TEST(empty_configuration)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    ck_assert_int_eq(load_text("{}", 0644, &config, &diag, &path), 0);
    ck_assert_uint_eq(config->n_connections, 0);
    ck_assert_int_eq(config->workers, HS_CONFIG_DEFAULT_WORKERS);
    ck_assert_ptr_nonnull(config->pipelines);
    ck_assert_int_eq(json_object_object_length(config->pipelines), 0);
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

/* connector_path is kept in order; the connectors are found before the file is validated
 * against their manifests, so its directories are read from a file that is otherwise wrong. */
START_TEST(connector_path_read_first)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    ck_assert_int_eq(load_text("{\"connector_path\":[\"/opt/b\",\"/opt/a\"],"
                               "\"connector_dir\":\"/opt/c\"}", 0644, &config, &diag, &path), 0);
    ck_assert_uint_eq(config->n_connector_path, 2);
    ck_assert_str_eq(config->connector_path[0], "/opt/b");
    ck_assert_str_eq(config->connector_path[1], "/opt/a");
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
    path = hs_ht_write(dir, "hiresync.json", "{\"connector_path\":[\"/opt/x\",\"rel\"],"
                       "\"connector_dir\":\"/opt/c\",\"connections\":{\"a\":{\"connector\":"
                       "\"only-in-opt-x\"}}}", 0644);
    hs_config_dirs dirs;
    ck_assert_int_eq(hs_config_read_connector_dirs(path, &dirs), 0);
    ck_assert_uint_eq(dirs.n_connector_path, 1);   /* the relative entry is left out */
    ck_assert_str_eq(dirs.connector_path[0], "/opt/x");
    ck_assert_str_eq(dirs.connector_dir, "/opt/c");
    hs_config_dirs_clear(&dirs);
    free(path);
    path = hs_ht_write(dir, "hiresync.json", "[not json", 0644);
    ck_assert_int_eq(hs_config_read_connector_dirs(path, &dirs), -1);
    ck_assert_uint_eq(dirs.n_connector_path, 0);
    ck_assert_ptr_null(dirs.connector_dir);
    free(path);
}
END_TEST

START_TEST(secret_from_env)
{
    setenv("HST_TOKEN", "from-env-123", 1);
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    /* No inline secret: a world-readable file is fine. */
    int rc = load_text(CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"env\":\"HST_TOKEN\"}}", ""),
                       0644, &config, &diag, &path);
    dump(&diag);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(config->connections[0].config_json,
                                 "\"token\":\"from-env-123\""));
    ck_assert_str_eq(config->secrets[0], "from-env-123");
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
    unsetenv("HST_TOKEN");
}
END_TEST

START_TEST(secret_from_file)
{
    free(hs_ht_write(dir, "token", "file-secret-xyz\n", 0600));
    free(hs_ht_write(dir, "token-ro", "read-only-secret", 0400));
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    /* A relative path is taken from the configuration file's directory. */
    int rc = load_text(CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"file\":\"token\"}},"
                                "\"video\":{\"connector\":\"testvideo\",\"token\":"
                                "{\"file\":\"token-ro\"}}", ""),
                       0644, &config, &diag, &path);
    dump(&diag);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(config->connections[0].config_json,
                                 "\"token\":\"file-secret-xyz\","));
    ck_assert_ptr_nonnull(strstr(config->connections[1].config_json,
                                 "\"token\":\"read-only-secret\""));
    hs_config_free(config);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

START_TEST(secret_file_readable_by_others)
{
    char *secret = hs_ht_write(dir, "token", "file-secret-xyz", 0644);
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    ck_assert_int_eq(load_text(CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"file\":\"token\"}}",
                                    ""), 0600, &config, &diag, &path), -1);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: $.connections.ats.token.file: secret file %s is "
             "accessible by group or others (mode 0644); run: chmod 600 %s", path, secret,
             secret);
    ck_assert_uint_eq(diag.n, 1);
    ck_assert_str_eq(diag.lines[0], expected);
    ck_assert_ptr_null(strstr(diag.lines[0], "file-secret-xyz"));
    hs_diag_clear(&diag);
    free(path);
    free(secret);
}
END_TEST

START_TEST(inline_secret_in_readable_config)
{
    /* 0640 owned by us and our group is accepted (see group_readable_inline_config). */
    static const mode_t modes[] = {0644, 0604, 0660, 0650};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        hs_config *config = NULL;
        hs_diag diag;
        char *path;
        ck_assert_int_eq(load_text(CONF("", ATS, ""), modes[i], &config, &diag, &path), -1);
        char expected[10240];
        snprintf(expected, sizeof(expected), "%s: $.connections.ats.token: secret written "
                 "inline in a configuration file that group or others can read (mode %04o); "
                 "run: chmod 600 %s (or use {\"env\": \"NAME\"} or {\"file\": \"PATH\"})",
                 path, (unsigned)modes[i], path);
        ck_assert_uint_eq(diag.n, 1);
        ck_assert_str_eq(diag.lines[0], expected);
        hs_diag_clear(&diag);
        free(path);
    }
}
END_TEST

START_TEST(unreadable_files)
{
    hs_config *config = NULL;
    hs_diag diag;
    hs_diag_init(&diag);
    char *missing = hs_ht_join(dir, "missing.json");
    ck_assert_int_eq(hs_config_load(missing, manifests, &config, &diag), -1);
    char expected[10240];
    snprintf(expected, sizeof(expected), "%s: cannot open: No such file or directory; check "
             "the path", missing);
    ck_assert_str_eq(diag.lines[0], expected);
    hs_diag_clear(&diag);
    free(missing);
    char *path;
    ck_assert_int_eq(load_text("{\n  \"workers\": 4,\n  \"x\" 1\n}\n", 0600, &config, &diag,
                               &path), -1);
    snprintf(expected, sizeof(expected), "%s: not valid JSON at line 3, column ", path);
    ck_assert_uint_eq(diag.n, 1);
    ck_assert_int_eq(strncmp(diag.lines[0], expected, strlen(expected)), 0);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

/* ---- secret files as a Kubernetes Secret volume with fsGroup mounts them ------------------- */

/* dir/secrets/token -> ..data/token, ..data -> ..2026_11_30_12_00_00.123456, the file inside
 * with mode and owner as given; returns the path of the link a configuration names. */
static char *secret_volume(const char *text, mode_t mode, uid_t uid, gid_t gid)
{
    char *vol = hs_ht_join(dir, "secrets");
    ck_assert_int_eq(mkdir(vol, 0755), 0);
    char *ts = hs_ht_join(vol, "..2026_11_30_12_00_00.123456");
    ck_assert_int_eq(mkdir(ts, 0755), 0);
    char *file = hs_ht_write(ts, "token", text, mode);
    ck_assert_int_eq(chown(file, uid, gid), 0);
    ck_assert_int_eq(chmod(file, mode), 0); /* chown may clear bits */
    char *data = hs_ht_join(vol, "..data");
    ck_assert_int_eq(symlink("..2026_11_30_12_00_00.123456", data), 0);
    char *link = hs_ht_join(vol, "token");
    ck_assert_int_eq(symlink("..data/token", link), 0);
    free(vol);
    free(ts);
    free(file);
    free(data);
    return link;
}

#define SECRET_VOLUME_CONF \
    CONF("", "\"ats\":{" ATS_BODY "\"token\":{\"file\":\"secrets/token\"}}", "")

/* Loads SECRET_VOLUME_CONF; returns 0 with the token resolved or -1 with the one line. */
static int load_secret_volume(char *line, size_t line_size)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    int rc = load_text(SECRET_VOLUME_CONF, 0644, &config, &diag, &path);
    line[0] = '\0';
    if (rc == 0) {
        ck_assert_ptr_nonnull(strstr(config->connections[0].config_json,
                                     "\"token\":\"k8s-secret-0440\""));
        hs_config_free(config);
    } else {
        ck_assert_uint_eq(diag.n, 1);
        ck_assert_ptr_null(strstr(diag.lines[0], "k8s-secret-0440"));
        snprintf(line, line_size, "%s", diag.lines[0]);
    }
    hs_diag_clear(&diag);
    free(path);
    return rc;
}

/* The layout as the kubelet writes it: owner root (when the test can chown; the CI runs as
 * root), group our own group, mode 0440, reached through two symbolic links. */
START_TEST(kubernetes_secret_volume_with_fs_group)
{
    uid_t owner = geteuid() == 0 ? 0 : geteuid();
    free(secret_volume("k8s-secret-0440\n", 0440, owner, getegid()));
    char line[2048];
    int rc = load_secret_volume(line, sizeof(line));
    ck_assert_msg(rc == 0, "refused: %s", line);
}
END_TEST

/* Others bits and a group write bit stay refused with the same message as before, through
 * the links too. */
START_TEST(secret_volume_open_modes_refused)
{
    static const mode_t modes[] = {0444, 0460, 0404, 0450};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        char *link = secret_volume("k8s-secret-0440", modes[i], geteuid(), getegid());
        char line[2048], expected[2048];
        ck_assert_int_eq(load_secret_volume(line, sizeof(line)), -1);
        snprintf(expected, sizeof(expected), "%s/hiresync.json: $.connections.ats.token.file: "
                 "secret file %s is accessible by group or others (mode %04o); run: chmod 600 "
                 "%s", dir, link, (unsigned)modes[i], link);
        ck_assert_str_eq(line, expected);
        char *vol = hs_ht_join(dir, "secrets");
        hs_ht_rmtree(vol);
        free(vol);
        free(link);
    }
}
END_TEST

/* Readable by a group hiresync is not in, or owned by another user: refused, and the line
 * says what would make it acceptable. Needs root to give files away; skipped otherwise. */
START_TEST(secret_volume_foreign_group_or_owner_refused)
{
    if (geteuid() != 0)
        return;
    char *link = secret_volume("k8s-secret-0440", 0440, 0, 54321);
    char line[2048], expected[2048];
    ck_assert_int_eq(load_secret_volume(line, sizeof(line)), -1);
    snprintf(expected, sizeof(expected), "%s/hiresync.json: $.connections.ats.token.file: "
             "secret file %s cannot be trusted (mode 0440): it is readable by group 54321, "
             "which hiresync (uid 0, gid %u) is not in; run hiresync with 54321 as its group "
             "or a supplementary group (Kubernetes: fsGroup: 54321), or run: chmod 600 %s",
             dir, link, (unsigned)getegid(), link);
    ck_assert_str_eq(line, expected);
    char *vol = hs_ht_join(dir, "secrets");
    hs_ht_rmtree(vol);
    free(link);
    link = secret_volume("k8s-secret-0440", 0440, 54321, getegid());
    ck_assert_int_eq(load_secret_volume(line, sizeof(line)), -1);
    snprintf(expected, sizeof(expected), "%s/hiresync.json: $.connections.ats.token.file: "
             "secret file %s cannot be trusted (mode 0440): it is readable by its group but "
             "owned by uid 54321, neither root nor hiresync's user (uid 0); run: chown 0 %s "
             "(or chmod 600 %s)", dir, link, link, link);
    ck_assert_str_eq(line, expected);
    free(vol);
    free(link);
}
END_TEST

/* A link to something that is not a regular file is refused, without hanging on a FIFO. */
START_TEST(secret_link_to_non_regular_file)
{
    char *vol = hs_ht_join(dir, "secrets");
    ck_assert_int_eq(mkdir(vol, 0700), 0);
    char *fifo = hs_ht_join(vol, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char *link = hs_ht_join(vol, "token");
    static const char *const targets[] = {"fifo", ".", "missing"};
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        unlink(link);
        ck_assert_int_eq(symlink(targets[i], link), 0);
        char line[2048], expected[2048];
        ck_assert_int_eq(load_secret_volume(line, sizeof(line)), -1);
        if (i < 2)
            snprintf(expected, sizeof(expected), "%s/hiresync.json: $.connections.ats.token."
                     "file: %s is not a regular file; give the path of a file that holds only "
                     "the secret", dir, link);
        else
            snprintf(expected, sizeof(expected), "%s/hiresync.json: $.connections.ats.token."
                     "file: cannot open %s: No such file or directory; check the path", dir,
                     link);
        ck_assert_str_eq(line, expected);
    }
    free(vol);
    free(fifo);
    free(link);
}
END_TEST

/* An inline secret in a configuration file: the same rule as a secret file. */
START_TEST(group_readable_inline_config)
{
    hs_config *config = NULL;
    hs_diag diag;
    char *path;
    ck_assert_int_eq(load_text(CONF("", ATS, ""), 0640, &config, &diag, &path), 0);
    hs_config_free(config);
    hs_diag_clear(&diag);
    if (geteuid() == 0) {
        ck_assert_int_eq(chown(path, 0, 54321), 0);
        hs_diag_init(&diag);
        ck_assert_int_eq(hs_config_load(path, manifests, &config, &diag), -1);
        char expected[4096];
        snprintf(expected, sizeof(expected), "%s: $.connections.ats.token: secret written "
                 "inline in a configuration file that cannot be trusted (mode 0640): it is "
                 "readable by group 54321, which hiresync (uid 0, gid %u) is not in; run "
                 "hiresync with 54321 as its group or a supplementary group (Kubernetes: "
                 "fsGroup: 54321), or run: chmod 600 %s (or use {\"env\": \"NAME\"} or "
                 "{\"file\": \"PATH\"})", path, (unsigned)getegid(), path);
        ck_assert_uint_eq(diag.n, 1);
        ck_assert_str_eq(diag.lines[0], expected);
        hs_diag_clear(&diag);
    }
    free(path);
}
END_TEST

/* The rule itself, for identities a test cannot take: fsGroup as a supplementary group. */
START_TEST(secret_access_rule)
{
    hs_secret_identity id = {.uid = 10001, .gid = 10001, .groups = {4, 10002}, .n_groups = 2};
    static const struct {
        mode_t mode;
        uid_t uid;
        gid_t gid;
        hs_secret_access want;
    } cases[] = {
        {0100600, 10001, 999, HS_SECRET_PRIVATE},   {0100400, 0, 0, HS_SECRET_PRIVATE},
        {0100440, 0, 10001, HS_SECRET_OWN_GROUP},   {0100440, 0, 10002, HS_SECRET_OWN_GROUP},
        {0100640, 10001, 4, HS_SECRET_OWN_GROUP},   {0100440, 0, 10003, HS_SECRET_FOREIGN_GROUP},
        {0100440, 10003, 10001, HS_SECRET_FOREIGN_OWNER},
        {0100444, 0, 10001, HS_SECRET_OPEN},        {0100460, 0, 10001, HS_SECRET_OPEN},
        {0100450, 0, 10001, HS_SECRET_OPEN},        {0100401, 0, 10001, HS_SECRET_OPEN},
        {0100420, 0, 10001, HS_SECRET_OPEN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct stat st;
        memset(&st, 0, sizeof(st));
        st.st_mode = cases[i].mode;
        st.st_uid = cases[i].uid;
        st.st_gid = cases[i].gid;
        ck_assert_msg(hs_secret_access_of(&st, &id) == cases[i].want, "case %zu", i);
    }
}
END_TEST

/* A typical configuration, validated against the shipped manifests. */
START_TEST(design_example_with_shipped_manifests)
{
    hs_manifest_set *shipped = NULL;
    hs_diag diag;
    hs_diag_init(&diag);
    ck_assert_int_eq(hs_manifest_set_load(hs_ht_env("HIRESYNC_MANIFEST_DIR"), &shipped, &diag),
                     0);
    free(hs_ht_write(dir, "willo.key", "willo-key-0001\n", 0600));
    setenv("EPLOY_CLIENT_SECRET", "eploy-secret-0001", 1);
    char *path = hs_ht_write(dir, "hiresync.json",
        "{ \"connections\": {\n"
        "    \"eploy\": { \"connector\": \"eploy\", \"subdomain\": \"acme\",\n"
        "               \"client_id\": \"abc\", \"client_secret\": { \"env\": "
        "\"EPLOY_CLIENT_SECRET\" } },\n"
        "    \"willo\": { \"connector\": \"willo\", \"api_key\": { \"file\": \"willo.key\" } } },\n"
        "  \"pipelines\": {\n"
        "    \"acme-video\": { \"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\",\n"
        "      \"mappings\": [ { \"interview\": \"1e2048a686804049b128f1357c559cbf\",\n"
        "                      \"invite_existing\": false,\n"
        "                      \"jobs\": [ { \"job\": \"1234\", \"trigger_stages\": "
        "[\"Video Interview\"] } ] } ] } } }\n", 0644);
    hs_config *config = NULL;
    int rc = hs_config_load(path, shipped, &config, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(hs_config_find_connection(config, "eploy")->config_json,
                                 "\"client_secret\":\"eploy-secret-0001\""));
    ck_assert_ptr_nonnull(strstr(hs_config_find_connection(config, "willo")->config_json,
                                 "\"api_key\":\"willo-key-0001\""));
    hs_config_free(config);
    hs_manifest_set_free(shipped);
    hs_diag_clear(&diag);
    free(path);
    unsetenv("EPLOY_CLIENT_SECRET");
}
END_TEST

/* The installed hiresync.json.example, with its two secret files in place, is a valid
 * configuration for the shipped connectors: an operator who fills in the values starts from
 * something that loads. */
START_TEST(installed_example_validates)
{
    hs_manifest_set *shipped = NULL;
    hs_diag diag;
    hs_diag_init(&diag);
    ck_assert_int_eq(hs_manifest_set_load(hs_ht_env("HIRESYNC_MANIFEST_DIR"), &shipped, &diag),
                     0);
    char *config_path = hs_ht_join(dir, "hiresync.json");
    hs_ht_copy(hs_ht_env("HIRESYNC_EXAMPLE_CONFIG"), config_path, 0644);
    char *secrets = hs_ht_join(dir, "secrets");
    ck_assert_int_eq(mkdir(secrets, 0750), 0);
    free(hs_ht_write(secrets, "eploy-client-secret", "eploy-secret-0001\n", 0600));
    free(hs_ht_write(secrets, "willo-api-key", "willo-key-0001\n", 0440));
    hs_config *config = NULL;
    int rc = hs_config_load(config_path, shipped, &config, &diag);
    dump(&diag);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(diag.n, 0);
    ck_assert_ptr_nonnull(strstr(hs_config_find_connection(config, "eploy")->config_json,
                                 "\"client_secret\":\"eploy-secret-0001\""));
    ck_assert_ptr_nonnull(strstr(hs_config_find_connection(config, "eploy")->config_json,
                                 "\"note_action_type\":"));
    ck_assert_ptr_nonnull(strstr(hs_config_find_connection(config, "willo")->config_json,
                                 "\"api_key\":\"willo-key-0001\""));
    hs_config_free(config);
    hs_manifest_set_free(shipped);
    hs_diag_clear(&diag);
    free(secrets);
    free(config_path);
}
END_TEST

START_TEST(interval_syntax)
{
    int64_t s = 0;
    ck_assert_int_eq(hs_config_interval_parse("1m", &s), 0);
    ck_assert_int_eq(s, 60);
    ck_assert_int_eq(hs_config_interval_parse("90m", &s), 0);
    ck_assert_int_eq(s, 5400);
    ck_assert_int_eq(hs_config_interval_parse("3h", &s), 0);
    ck_assert_int_eq(s, 10800);
    ck_assert_int_eq(hs_config_interval_parse("1d", &s), 0);
    ck_assert_int_eq(s, 86400);
    ck_assert_int_eq(hs_config_interval_parse("60s", &s), 0);
    ck_assert_int_eq(s, 60);
    static const char *const bad[] = {"59s", "0h", "h", "3", "3h ", " 3h", "-1h", "3H", "1.5h",
                                      "99999999999d", "", "3hh"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(hs_config_interval_parse(bad[i], &s) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

/* One connection's keys, validated and completed as hiresync does for open(): every default
 * filled (the connector keeps none of its own), nothing else added. */
START_TEST(connection_settings_completed)
{
    const hs_manifest *m = hs_manifest_set_find(manifests, "testats");
    hs_diag diag;
    hs_diag_init(&diag);
    char *out = NULL;
    ck_assert_int_eq(hs_config_connection_settings(m, "testats", "{\"subdomain\":\"acme\","
                     "\"client_id\":\"c\",\"token\":\"t0k\",\"jobs\":7}", &out, &diag), 0);
    ck_assert_uint_eq(hs_diag_count(&diag), 0);
    json_object *got = json_tokener_parse(out);
    json_object *want = json_tokener_parse("{\"subdomain\":\"acme\",\"client_id\":\"c\","
                                           "\"token\":\"t0k\",\"jobs\":7,\"page_size\":50,"
                                           "\"date_style\":\"utc\",\"verbose\":false,"
                                           "\"open_fail\":false}");
    ck_assert_msg(json_object_equal(got, want), "got %s", out);
    json_object_put(got);
    json_object_put(want);
    free(out);
    out = (char *)"untouched";
    ck_assert_int_eq(hs_config_connection_settings(m, "testats", "{\"subdomain\":\"acme\","
                     "\"client_id\":\"c\",\"token\":\"t0k\",\"page_size\":0}", &out, &diag),
                     -1);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(hs_diag_count(&diag), 1);
    ck_assert_str_eq(diag.lines[0], "testats: $.page_size: 0 is below the minimum 1; use a "
                     "value from 1 to 100");
    hs_diag_clear(&diag);
    ck_assert_int_eq(hs_config_connection_settings(m, "testats", "[1] x", &out, &diag), -1);
    ck_assert_str_eq(diag.lines[0], "testats: $: not valid JSON; write one JSON object { ... }");
    hs_diag_clear(&diag);
}
END_TEST

/* A default that breaks its own key's rules is the manifest's mistake, and is never passed
 * on to a connector that trusts what it receives. */
START_TEST(bad_default_reported)
{
    char *path = hs_ht_write(dir, "bad.json", "{\"name\":\"bad\",\"version\":\"1\","
                             "\"abi\":\"1.1\",\"module\":\"bad\",\"capabilities\":[],"
                             "\"config\":{\"n\":{\"type\":\"integer\",\"maximum\":10,"
                             "\"default\":50}}}", 0644);
    hs_diag diag;
    hs_diag_init(&diag);
    hs_manifest *m = NULL;
    ck_assert_int_eq(hs_manifest_load(path, &m, &diag), 0);
    char *out = NULL;
    ck_assert_int_eq(hs_config_connection_settings(m, "bad", "{}", &out, &diag), -1);
    char expected[8192];
    snprintf(expected, sizeof(expected), "bad: $.n (the default in %s): 50 is above the "
             "maximum 10; use 10 or less", path);
    ck_assert_str_eq(diag.lines[0], expected);
    hs_manifest_free(m);
    hs_diag_clear(&diag);
    free(path);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_configuration, 0, (int)N_BAD);
    tcase_add_test(tc, every_error_is_reported);
    suite_add_tcase(s, tc);
    TCase *good = tcase_create("good");
    tcase_add_checked_fixture(good, setup, teardown);
    tcase_add_test(good, good_configuration);
    tcase_add_test(good, empty_configuration);
    tcase_add_test(good, connector_path_read_first);
    tcase_add_test(good, secret_from_env);
    tcase_add_test(good, secret_from_file);
    tcase_add_test(good, secret_file_readable_by_others);
    tcase_add_test(good, inline_secret_in_readable_config);
    tcase_add_test(good, kubernetes_secret_volume_with_fs_group);
    tcase_add_test(good, secret_volume_open_modes_refused);
    tcase_add_test(good, secret_volume_foreign_group_or_owner_refused);
    tcase_add_test(good, secret_link_to_non_regular_file);
    tcase_add_test(good, group_readable_inline_config);
    tcase_add_test(good, secret_access_rule);
    tcase_add_test(good, unreadable_files);
    tcase_add_test(good, design_example_with_shipped_manifests);
    tcase_add_test(good, lifecycle_keys_load);
    tcase_add_test(good, installed_example_validates);
    tcase_add_test(good, interval_syntax);
    tcase_add_test(good, connection_settings_completed);
    tcase_add_test(good, bad_default_reported);
    suite_add_tcase(s, good);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
