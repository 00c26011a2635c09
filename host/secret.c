/* Resolving secrets from inline values, environment variables and private files. */
#define _POSIX_C_SOURCE 200809L
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hs_secret_mode_private(mode_t mode)
{
    return (mode & (S_IRWXG | S_IRWXO)) == 0;
}

int hs_secret_identity_self(hs_secret_identity *id)
{
    id->uid = geteuid();
    id->gid = getegid();
    int n = getgroups((int)(sizeof(id->groups) / sizeof(id->groups[0])), id->groups);
    if (n < 0) {
        /* More groups than we keep: the effective group alone still decides most files. */
        id->n_groups = 0;
        return -1;
    }
    id->n_groups = (size_t)n;
    return 0;
}

static int in_groups(const hs_secret_identity *id, gid_t gid)
{
    if (gid == id->gid)
        return 1;
    for (size_t i = 0; i < id->n_groups; i++)
        if (id->groups[i] == gid)
            return 1;
    return 0;
}

hs_secret_access hs_secret_access_of(const struct stat *st, const hs_secret_identity *id)
{
    if (hs_secret_mode_private(st->st_mode))
        return HS_SECRET_PRIVATE;
    /* Others never; the group may read only, never write (nor execute, which means nothing
     * for a secret). */
    if ((st->st_mode & S_IRWXO) != 0 || (st->st_mode & S_IRWXG) != S_IRGRP)
        return HS_SECRET_OPEN;
    /* Group-readable is what a Kubernetes Secret volume with fsGroup gives (0440, owner
     * root, the fsGroup as group): safe when that group is ours, and the owner is root or
     * us, so that nobody else can change the mode or the content. */
    if (st->st_uid != 0 && st->st_uid != id->uid)
        return HS_SECRET_FOREIGN_OWNER;
    if (!in_groups(id, st->st_gid))
        return HS_SECRET_FOREIGN_GROUP;
    return HS_SECRET_OWN_GROUP;
}

void hs_secret_access_fix(hs_secret_access access, const struct stat *st,
                          const hs_secret_identity *id, const char *path, char *out,
                          size_t out_size)
{
    if (access == HS_SECRET_FOREIGN_OWNER)
        snprintf(out, out_size, "it is readable by its group but owned by uid %u, neither root "
                 "nor hiresync's user (uid %u); run: chown %u %s (or chmod 600 %s)",
                 (unsigned)st->st_uid, (unsigned)id->uid, (unsigned)id->uid, path, path);
    else if (access == HS_SECRET_FOREIGN_GROUP)
        snprintf(out, out_size, "it is readable by group %u, which hiresync (uid %u, gid %u) "
                 "is not in; run hiresync with %u as its group or a supplementary group "
                 "(Kubernetes: fsGroup: %u), or run: chmod 600 %s",
                 (unsigned)st->st_gid, (unsigned)id->uid, (unsigned)id->gid,
                 (unsigned)st->st_gid, (unsigned)st->st_gid, path);
    else
        snprintf(out, out_size, "run: chmod 600 %s", path);
}

void hs_secret_free(char *value)
{
    if (!value)
        return;
    volatile char *p = value;
    while (*p)
        *p++ = '\0';
    free(value);
}

static int resolve_env(const char *name, char **value, char *error, size_t error_size)
{
    const char *v = getenv(name);
    if (!v) {
        snprintf(error, error_size, "environment variable %s is not set; export it before "
                 "starting hiresync", name);
        return -1;
    }
    if (!v[0]) {
        snprintf(error, error_size, "environment variable %s is empty; give it the secret",
                 name);
        return -1;
    }
    *value = strdup(v);
    if (!*value) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    return 0;
}

static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
    *len = 0;
    for (;;) {
        if (*len == cap)
            return -1;
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        *len += (size_t)n;
    }
}

static int resolve_file(const char *given, const char *base_dir, char **value, char *error,
                        size_t error_size)
{
    char path[4096];
    int n = given[0] == '/' || !base_dir
                ? snprintf(path, sizeof(path), "%s", given)
                : snprintf(path, sizeof(path), "%s/%s", base_dir, given);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(error, error_size, "path too long; shorten it");
        return -1;
    }
    /* open() follows symbolic links (a Kubernetes Secret volume's key -> ..data/key ->
     * ..<timestamp>/key); what is checked below is the file actually opened, through its
     * descriptor, so a link swapped meanwhile cannot slip another file past the checks.
     * O_NONBLOCK: a FIFO put in the secret's place must not hang the start. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(error, error_size, "cannot open %s: %s; check the path", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    char *buf = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(error, error_size, "%s is not a regular file; give the path of a file that "
                 "holds only the secret", path);
        goto out;
    }
    hs_secret_identity id;
    (void)hs_secret_identity_self(&id);
    hs_secret_access access = hs_secret_access_of(&st, &id);
    if (access == HS_SECRET_OPEN) {
        snprintf(error, error_size, "secret file %s is accessible by group or others (mode "
                 "%04o); run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    if (access == HS_SECRET_FOREIGN_OWNER || access == HS_SECRET_FOREIGN_GROUP) {
        char fix[512];
        hs_secret_access_fix(access, &st, &id, path, fix, sizeof(fix));
        snprintf(error, error_size, "secret file %s cannot be trusted (mode %04o): %s", path,
                 (unsigned)(st.st_mode & 07777), fix);
        goto out;
    }
    buf = malloc(HS_SECRET_MAX_BYTES + 1);
    size_t len;
    if (!buf || read_all(fd, buf, HS_SECRET_MAX_BYTES, &len) != 0) {
        snprintf(error, error_size, "cannot read %s (or it is larger than %d bytes)", path,
                 HS_SECRET_MAX_BYTES);
        goto out;
    }
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (len == 0 || strlen(buf) != len) {
        snprintf(error, error_size, "secret file %s is empty or holds a NUL byte; write the "
                 "secret into it", path);
        goto out;
    }
    *value = buf;
    buf = NULL;
    rc = 0;
out:
    if (buf) {
        memset(buf, 0, HS_SECRET_MAX_BYTES + 1);
        free(buf);
    }
    close(fd);
    return rc;
}

int hs_secret_resolve(json_object *spec, const char *base_dir, char **value,
                      hs_secret_source *source, const char **sub_path, char *error,
                      size_t error_size)
{
    *value = NULL;
    *sub_path = "";
    if (json_object_is_type(spec, json_type_string)) {
        if (json_object_get_string_len(spec) == 0) {
            snprintf(error, error_size, "empty secret; give the value, {\"env\": NAME} or "
                     "{\"file\": PATH}");
            return -1;
        }
        *source = HS_SECRET_INLINE;
        *value = strdup(json_object_get_string(spec));
        if (!*value) {
            snprintf(error, error_size, "out of memory");
            return -1;
        }
        return 0;
    }
    json_object *env = NULL, *file = NULL;
    int shape_ok = json_object_is_type(spec, json_type_object)
                   && json_object_object_length(spec) == 1
                   && (json_object_object_get_ex(spec, "env", &env)
                       || json_object_object_get_ex(spec, "file", &file));
    if (!shape_ok) {
        snprintf(error, error_size, "a secret is a string, {\"env\": \"NAME\"} or "
                 "{\"file\": \"PATH\"}; write it in one of these forms");
        return -1;
    }
    json_object *v = env ? env : file;
    *sub_path = env ? ".env" : ".file";
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        snprintf(error, error_size, "must be a non-empty string naming the %s",
                 env ? "environment variable" : "file");
        return -1;
    }
    if (env) {
        *source = HS_SECRET_ENV;
        return resolve_env(json_object_get_string(v), value, error, error_size);
    }
    *source = HS_SECRET_FILE;
    return resolve_file(json_object_get_string(v), base_dir, value, error, error_size);
}
