/*
 * Secrets in the configuration: a secret key of a connection holds the value inline (a
 * string), {"env": "NAME"} (an environment variable) or {"file": "PATH"} (a file whose
 * content, without one trailing newline, is the value; a relative PATH is taken from the
 * configuration file's directory). A secret file must not be accessible by group or others
 * (mode 0600 or 0400); neither may a configuration file that holds a secret inline.
 *
 * Ownership: a resolved value is malloc'd and returned to the caller, who frees it with
 * hs_secret_free() (which wipes it first).
 */
#ifndef HS_HOST_SECRET_H
#define HS_HOST_SECRET_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define HS_SECRET_MAX_BYTES 65536

typedef enum hs_secret_source {
    HS_SECRET_INLINE = 0,
    HS_SECRET_ENV = 1,
    HS_SECRET_FILE = 2
} hs_secret_source;

/*
 * Resolves spec. base_dir is the configuration file's directory (for relative files).
 * Returns 0 with *value (owned by the caller) and *source; or -1 with:
 *   sub_path  the part of the JSON path that is wrong below the key ("", ".env" or ".file"),
 *   error     "<what is wrong>; <how to fix>" (never the secret itself).
 * For an inline value, the check of the configuration file's mode is the caller's
 * (hs_secret_config_mode_ok).
 */
int hs_secret_resolve(json_object *spec, const char *base_dir, char **value,
                      hs_secret_source *source, const char **sub_path, char *error,
                      size_t error_size);

/* 1 when a file of this mode keeps its content from group and others. */
int hs_secret_mode_private(mode_t mode);

/* Wipes and frees a value (NULL is fine). */
void hs_secret_free(char *value);

#endif /* HS_HOST_SECRET_H */
