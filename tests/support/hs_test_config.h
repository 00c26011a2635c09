/*
 * Opening a connection in a connector test the way hiresync opens it: the connection's keys
 * checked against the connector's own manifest by hiresync's validator (host/configuration.c,
 * linked, not copied) and completed with the manifest's defaults. A connector trusts its
 * host to have done that and keeps no copy of its schema, so its tests must go through the
 * same validator to run with the same defaults.
 *
 * The manifest is <name>.json in $HIRESYNC_MANIFEST_DIR (else manifests/connectors), <name>
 * being the connector table's name.
 */
#ifndef HS_TEST_CONFIG_H
#define HS_TEST_CONFIG_H

#include <hiresync/connector.h>

#include "hs_test_host.h"

/* settings_json: the connection's keys as in hiresync.json, without "connector". When they
 * do not validate, returns HS_E_CONFIG with the validator's first line in err ("<name>:
 * $.<key>: <what is wrong>; <how to fix>"), *out NULL, and open() is not called. Otherwise
 * returns what the connector's open() returns. */
hs_status hs_test_module_open(const hs_test_module *m, hs_test_host *h,
                              const char *settings_json, hs_conn **out, hs_error *err);

/* The settings completed as open() would receive them, in a new string the caller frees;
 * NULL when they do not validate (the first line then in err, when err is not NULL). */
char *hs_test_config_complete(const char *connector, const char *settings_json, hs_error *err);

#endif /* HS_TEST_CONFIG_H */
