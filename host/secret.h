/*
 * Secrets in the configuration: a secret key of a connection holds the value inline (a
 * string), {"env": "NAME"} (an environment variable) or {"file": "PATH"} (a file whose
 * content, without one trailing newline, is the value; a relative PATH is taken from the
 * configuration file's directory). A secret file must not be accessible by others nor
 * writable by its group; it may be readable by its group only when that group is the
 * process's own (effective or supplementary) and the owner is root or the process's user
 * (a Kubernetes Secret volume with fsGroup: mode 0440, owner root). Symbolic links are
 * followed; the checks apply to the regular file reached. The same rule applies to a
 * configuration file that holds a secret inline.
 *
 * Ownership: a resolved value is malloc'd and returned to the caller, who frees it with
 * hs_secret_free() (which wipes it first).
 */
#ifndef HS_HOST_SECRET_H
#define HS_HOST_SECRET_H

#include <stddef.h>
#include <sys/stat.h>
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

/* Who the process is, for deciding whether a group-readable file is its own. */
typedef struct hs_secret_identity {
    uid_t uid;          /* effective */
    gid_t gid;          /* effective */
    gid_t groups[256];  /* supplementary */
    size_t n_groups;
} hs_secret_identity;

/* Fills id with the process's effective ids and supplementary groups; -1 (with no
 * supplementary groups kept) when getgroups() fails. */
int hs_secret_identity_self(hs_secret_identity *id);

typedef enum hs_secret_access {
    HS_SECRET_PRIVATE = 0,       /* no group or others bits: fine */
    HS_SECRET_OWN_GROUP = 1,     /* group-readable by our group, owner root or us: fine */
    HS_SECRET_OPEN = 2,          /* others bits, or group write/execute: refused */
    HS_SECRET_FOREIGN_OWNER = 3, /* group-readable, owner neither root nor us: refused */
    HS_SECRET_FOREIGN_GROUP = 4  /* group-readable by a group we are not in: refused */
} hs_secret_access;

/* Whether a file of this owner, group and mode may hold a secret for the process id. */
hs_secret_access hs_secret_access_of(const struct stat *st, const hs_secret_identity *id);

/* Writes into out what would make a refused file of this access acceptable ("run: ..."). */
void hs_secret_access_fix(hs_secret_access access, const struct stat *st,
                          const hs_secret_identity *id, const char *path, char *out,
                          size_t out_size);

/* Wipes and frees a value (NULL is fine). */
void hs_secret_free(char *value);

#endif /* HS_HOST_SECRET_H */
