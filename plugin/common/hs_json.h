/*
 * JSON helpers for connectors (json-c). Remote bodies are untrusted: parsing is bounded in
 * depth and size, and getters tolerate missing fields, nulls and numbers-as-strings.
 *
 * Ownership: hs_json_parse returns a new reference the caller releases with json_object_put.
 * Getters return borrowed pointers valid while the parent object lives.
 */
#ifndef HS_JSON_H
#define HS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <hiresync/connector.h>

#define HS_JSON_MAX_DEPTH 64

/* Parses exactly one JSON document of len bytes (trailing whitespace allowed). On failure
 * returns NULL and fills err with "<what>: <reason>" and HS_E_INTERNAL semantics. */
json_object *hs_json_parse(const char *text, size_t len, const char *what, hs_error *err);

/* Member lookup by a dotted path ("Workflow.Stage.Description"); NULL when any step is missing,
 * null or not an object. */
json_object *hs_json_get(json_object *obj, const char *path);

/* String value at path: strings as they are, integers and doubles formatted into the
 * object's own string form; NULL when missing or null or another type. */
const char *hs_json_str(json_object *obj, const char *path);

/* Integer value at path (integers, whole doubles, or strings holding an integer); returns 0
 * and sets *out when found, -1 otherwise (a string or double beyond int64 included; an
 * integer beyond it reads as INT64_MAX or INT64_MIN). The value may be anything in int64:
 * range-check it (hs_json_int_in) before arithmetic. */
int hs_json_int(json_object *obj, const char *path, int64_t *out);

/* As hs_json_int, and -1 too when the value is outside [lo, hi]. */
int hs_json_int_in(json_object *obj, const char *path, int64_t lo, int64_t hi, int64_t *out);

/* Serialises obj compactly into a new malloc'd string the caller frees; NULL on failure. */
char *hs_json_dup_string(json_object *obj);

/*
 * A connection's configuration, as open() receives it: the host has checked it against the
 * connector's manifest (types, required keys, ranges, enums, patterns, elements) and filled
 * every default, so a connector reads typed values and keeps no copy of its schema. A key
 * that is missing (when required) or of another type means open() was called without the
 * host's validation: HS_E_CONFIG "<who>: \"<key>\" ...; configurations are checked against
 * the connector's manifest by the host". Strings are borrowed from cfg.
 */
hs_status hs_json_cfg_str(json_object *cfg, const char *key, int required, const char **out,
                          const char *who, hs_error *err);
hs_status hs_json_cfg_int(json_object *cfg, const char *key, int64_t *out, const char *who,
                          hs_error *err);
hs_status hs_json_cfg_bool(json_object *cfg, const char *key, int *out, const char *who,
                           hs_error *err);
/* An array of strings copied into *out (malloc'd array of malloc'd strings, *n of them;
 * free each and the array, also on failure). */
hs_status hs_json_cfg_strv(json_object *cfg, const char *key, char ***out, size_t *n,
                           const char *who, hs_error *err);

#endif /* HS_JSON_H */
