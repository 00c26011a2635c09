/*
 * Connector manifests (manifests/connectors/<name>.json): identity, ABI, capabilities, the
 * schema a connection's configuration is validated against, and the remote permissions each
 * operation needs. doc/manifest.md describes the format key by key.
 *
 * Ownership: hs_manifest_load() allocates a manifest, hs_manifest_free() frees it with every
 * string and json_object inside. An hs_manifest_set owns its manifests; pointers into it
 * live until hs_manifest_set_free(). Read-only after loading, so any thread may read.
 */
#ifndef HS_HOST_MANIFEST_H
#define HS_HOST_MANIFEST_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "diag.h"

typedef enum hs_field_type {
    HS_FIELD_STRING = 0,
    HS_FIELD_INTEGER,
    HS_FIELD_NUMBER,
    HS_FIELD_BOOLEAN,
    HS_FIELD_ARRAY,
    HS_FIELD_OBJECT
} hs_field_type;

typedef struct hs_manifest_field {
    char *key;
    hs_field_type type;
    struct hs_manifest_field *item; /* arrays: what every element must be (owned; its key
                                      is "items", it is never required, secret, defaulted or
                                      an array); NULL when any element goes */
    int has_min_items, has_max_items;
    size_t min_items, max_items;   /* arrays: bounds on the number of elements */
    int required;
    int secret;                    /* may be given as {"env":..} or {"file":..}; never shown */
    json_object *default_value;    /* owned; NULL when none */
    json_object *enum_values;      /* owned array; NULL when none */
    int has_minimum, has_maximum;
    double minimum, maximum;
    char *pattern;                 /* POSIX ERE the whole value must match; NULL when none */
    regex_t pattern_re;            /* "^(pattern)$" compiled, when pattern != NULL */
    char *description;             /* NULL when none */
} hs_manifest_field;

typedef struct hs_manifest_group {     /* one require_one_of group */
    char **keys;
    size_t n_keys;
} hs_manifest_group;

typedef struct hs_manifest_permission {
    char *name;                    /* as the operator sees it, e.g. "Actions: Insert" */
    char *where;                   /* where it is granted; NULL when none */
    uint32_t operations;           /* HS_CAP_* bits of the operations that need it */
} hs_manifest_permission;

typedef struct hs_manifest {
    char *path;                    /* file it was read from */
    char *name;
    char *version;
    char *module;                  /* module file name without extension */
    char *description;             /* NULL when none */
    uint32_t abi_version;          /* HS_ABI_VERSION form of "abi": "1.0" */
    uint32_t capabilities;         /* HS_CAP_* bits */
    hs_manifest_field *fields;
    size_t n_fields;
    hs_manifest_group *require_one_of;
    size_t n_require_one_of;
    hs_manifest_permission *permissions;
    size_t n_permissions;
} hs_manifest;

/* Reads and validates one manifest file. Returns 0 and *out, or -1 with one line per problem
 * in diag ("<file>: <json path>: <what is wrong>"). */
int hs_manifest_load(const char *path, hs_manifest **out, hs_diag *diag);
void hs_manifest_free(hs_manifest *manifest);

/* The field named key, or NULL. */
const hs_manifest_field *hs_manifest_field_find(const hs_manifest *manifest, const char *key);

/* "check", "discover_jobs", "read_changes", "write_invitation", "write_note" <-> HS_CAP_*.
 * parse returns 0 or -1; name returns NULL for anything but a single known bit. */
int hs_capability_parse(const char *name, uint32_t *bit);
const char *hs_capability_name(uint32_t bit);
/* Writes the names of all bits in caps, comma-separated ("check,discover_jobs") into out. */
void hs_capabilities_format(uint32_t caps, char *out, size_t out_size);

const char *hs_field_type_name(hs_field_type type);

/* Every manifest of a directory (*.json), sorted by name. */
typedef struct hs_manifest_set {
    char *dir;
    hs_manifest **items;
    size_t n;
} hs_manifest_set;

/* Loads every *.json of dir. Bad manifests are left out and reported in diag; the set holds
 * the good ones. Returns 0, or -1 when the directory cannot be read (diag says why) or memory
 * runs out. Two manifests with one name: the second is reported and left out. */
int hs_manifest_set_load(const char *dir, hs_manifest_set **out, hs_diag *diag);
void hs_manifest_set_free(hs_manifest_set *set);
const hs_manifest *hs_manifest_set_find(const hs_manifest_set *set, const char *name);

#endif /* HS_HOST_MANIFEST_H */
