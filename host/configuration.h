/*
 * The configuration file (JSON; default $(sysconfdir)/hiresync/hiresync.json, or `-c FILE`):
 *
 *   { "state_dir": "...", "connector_path": ["/dir", ...], "connector_dir": "...",
 *     "workers": 4, "listen": "127.0.0.1:9464",
 *     "log_format": "text|json", "log_level": "error|warn|info|debug",
 *     "connections": { "<name>": { "connector": "<manifest name>", ...manifest keys... } },
 *     "pipelines": { "<name>": { "ats": "<connection>", "interviews": "<connection>",
 *         "enabled": true, "interval": "3h",
 *         "mappings": [ { "interview": "<key>", "invite_existing": false,
 *                         "jobs": [ { "job": "1234", "trigger_stages": ["..."] } ] } ] } } }
 *
 * hs_config_load() validates everything before any connector is opened: top-level keys and
 * types; each connection against its connector's manifest (unknown keys with a "did you
 * mean", missing required keys, types, enum, pattern, minimum/maximum, require_one_of);
 * secrets (inline, {"env": NAME} or {"file": PATH}; a secret file, or a config file holding
 * an inline secret, readable by group or others is refused); pipelines (known connections of
 * the right kind: the ATS must offer read_changes and write_note, the interviews side
 * write_invitation and read_changes; mappings, jobs, trigger_stages, interval syntax).
 * Every problem found is reported as one line
 *     <file>: <json path>: <what is wrong>; <how to fix>
 * where the JSON path is written as "$.connections.eploy.client_id" or
 * "$.pipelines.p.mappings[0].jobs[1].trigger_stages".
 *
 * Ownership: hs_config_load() allocates the hs_config and everything in it; hs_config_free()
 * frees it. Strings and the pipelines object live as long as the hs_config. Read-only after
 * loading: any thread may read it.
 */
#ifndef HS_HOST_CONFIG_H
#define HS_HOST_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "diag.h"
#include "log.h"
#include "manifest.h"

#define HS_CONFIG_DEFAULT_WORKERS 4
#define HS_CONFIG_DEFAULT_INTERVAL_S (3 * 3600)
#define HS_CONFIG_MIN_INTERVAL_S 60
#define HS_CONFIG_DEFAULT_DISCOVERY_TTL_S 3600

typedef struct hs_config_connection {
    char *name;                    /* key under "connections" */
    char *connector;               /* manifest name */
    const hs_manifest *manifest;   /* borrowed from the hs_manifest_set given to the loader;
                                      that set must outlive the hs_config */
    char *config_json;             /* what open() receives: the connection's object with
                                      defaults filled, secrets resolved and "connector"
                                      removed. Holds secrets: never log or print it. */
} hs_config_connection;

typedef struct hs_config {
    char *path;                    /* the file read */
    char *state_dir;               /* configured or default ($(localstatedir)/lib/hiresync) */
    char *connector_dir;           /* configured value; NULL when not set */
    char *shard;                   /* "shard": "INDEX/COUNT" as written, NULL when not set
                                      (checked by hs_shard_parse at load) */
    char *listen;                  /* "listen": "HOST:PORT" as written, NULL when not set
                                      (checked by hs_listen_addr_parse at load) */
    char *public_url;              /* "public_url": the listener's address behind a reverse
                                      proxy, for webhook subscriptions; NULL when not set */
    char **connector_path;         /* "connector_path": absolute directories searched before
                                      the built-in one, in order; NULL when not set */
    size_t n_connector_path;
    int workers;                   /* 1..64, default 4 */
    int64_t discovery_ttl_s;       /* "discovery_ttl": how long a connection's jobs and
                                      interviews are reused by the daemon; 0: never (default
                                      HS_CONFIG_DEFAULT_DISCOVERY_TTL_S) */
    hs_log_level log_level;        /* default info */
    hs_log_format log_format;      /* default text */
    hs_config_connection *connections;   /* sorted by name */
    size_t n_connections;
    /* The "pipelines" object, validated, with defaults filled in so that every pipeline has
     * "enabled" (boolean), "interval" (string, valid) and every mapping "invite_existing"
     * (boolean). Never NULL (an empty object when the file has none). Owned by the config;
     * callers only read it (json_object_get to keep a reference beyond hs_config_free). */
    json_object *pipelines;
    /* Every resolved secret value, for hs_log_add_secret. Owned. */
    char **secrets;
    size_t n_secrets;
    /* 1 when loaded with HS_CONFIG_UNRESOLVED_SECRETS: every secret is "" and no connection
     * may be opened with this configuration. */
    int secrets_unresolved;
} hs_config;

/* Reads, validates and resolves the configuration at path against the manifests. Returns 0
 * and *out; or -1 with every problem in diag (then *out is NULL). */
int hs_config_load(const char *path, const hs_manifest_set *manifests, hs_config **out,
                   hs_diag *diag);
/* Flags of hs_config_load_flags. */
#define HS_CONFIG_UNRESOLVED_SECRETS 1u   /* check the references to secrets, read none (for
                                             commands that open no connection) */

/* hs_config_load with flags (0: as hs_config_load). */
int hs_config_load_flags(const char *path, const hs_manifest_set *manifests, unsigned flags,
                         hs_config **out, hs_diag *diag);
void hs_config_free(hs_config *config);

/* Where the configuration says connectors are: its "connector_path" and "connector_dir". */
typedef struct hs_config_dirs {
    char **connector_path;         /* owned; n_connector_path absolute directories */
    size_t n_connector_path;
    char *connector_dir;           /* owned; NULL when not set */
} hs_config_dirs;

/* Reads only "connector_path" and "connector_dir" of the file at path, validated as
 * hs_config_load does, because the connectors (and so the manifests the whole file is
 * validated against) must be found first. Malformed values are left out silently:
 * hs_config_load reports them. Returns 0 and *out (free with hs_config_dirs_clear), or -1
 * when the file cannot be read as a JSON object (*out then empty). */
int hs_config_read_connector_dirs(const char *path, hs_config_dirs *out);
void hs_config_dirs_clear(hs_config_dirs *dirs);

/* Checks one connection's keys (settings_json: a JSON object, without "connector") against
 * manifest exactly as hs_config_load checks a connection, and completes them with the
 * manifest's defaults: *out is then what the connector's open() receives (secrets given as
 * {"env"} or {"file"} resolved, a relative file against the working directory). For hosts
 * other than hiresync's main program, such as the connector tests'. Returns 0 and *out (free
 * it with hs_secret_free: it may hold secrets), or -1 with one line per problem in diag,
 * "<label>: $.<key>: <what is wrong>; <how to fix>", and *out NULL. */
int hs_config_connection_settings(const hs_manifest *manifest, const char *label,
                                  const char *settings_json, char **out, hs_diag *diag);

/* The connection named name, or NULL. */
const hs_config_connection *hs_config_find_connection(const hs_config *config,
                                                      const char *name);

/* Parses an interval "<n><unit>" with unit s, m, h or d ("90m", "3h", "1d"). Returns 0 and
 * seconds, or -1 when malformed, zero, overflowing or shorter than HS_CONFIG_MIN_INTERVAL_S. */
int hs_config_interval_parse(const char *text, int64_t *seconds);

#endif /* HS_HOST_CONFIG_H */
