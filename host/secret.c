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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
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
    if (!hs_secret_mode_private(st.st_mode)) {
        snprintf(error, error_size, "secret file %s is accessible by group or others (mode "
                 "%04o); run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
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
