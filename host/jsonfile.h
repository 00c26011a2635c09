/*
 * Reading a JSON document from a local file (configuration, manifests), bounded in size and
 * depth, with a parse error that says where (line and column).
 *
 * Ownership: *out is a new reference the caller releases with json_object_put.
 */
#ifndef HS_HOST_JSONFILE_H
#define HS_HOST_JSONFILE_H

#include <stddef.h>

#include <json-c/json.h>

#define HS_JSONFILE_MAX_BYTES (4 * 1024 * 1024)
#define HS_JSONFILE_MAX_DEPTH 32

/* Returns 0 and *out; or -1 with err holding "<what is wrong>; <how to fix>" (without the
 * file name, which the caller prefixes). */
int hs_jsonfile_read(const char *path, json_object **out, char *err, size_t err_size);

/* Parses text the same way (len bytes). */
int hs_jsonfile_parse(const char *text, size_t len, json_object **out, char *err,
                      size_t err_size);

/* The JSON type of obj as a word for messages: "a string", "an integer", "null", ... */
const char *hs_json_type_phrase(json_object *obj);

#endif /* HS_HOST_JSONFILE_H */
