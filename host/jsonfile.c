/* Bounded JSON file reading with located parse errors. */
#define _POSIX_C_SOURCE 200809L
#include "jsonfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void locate(const char *text, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int hs_jsonfile_parse(const char *text, size_t len, json_object **out, char *err,
                      size_t err_size)
{
    *out = NULL;
    json_tokener *tok = json_tokener_new_ex(HS_JSONFILE_MAX_DEPTH);
    if (!tok) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t offset = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    int line, col;
    if (jerr == json_tokener_continue || (!obj && jerr == json_tokener_success)) {
        snprintf(err, err_size, "not valid JSON: the document ends early; close every "
                 "brace and bracket");
        json_object_put(obj);
        return -1;
    }
    if (jerr != json_tokener_success) {
        locate(text, offset, &line, &col);
        snprintf(err, err_size, "not valid JSON at line %d, column %d: %s; correct the syntax",
                 line, col, json_tokener_error_desc(jerr));
        return -1;
    }
    for (size_t i = offset; i < len; i++) {
        if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t') {
            locate(text, i, &line, &col);
            snprintf(err, err_size, "not valid JSON at line %d, column %d: text after the "
                     "document; remove it", line, col);
            json_object_put(obj);
            return -1;
        }
    }
    *out = obj;
    return 0;
}

int hs_jsonfile_read(const char *path, json_object **out, char *err, size_t err_size)
{
    int rc = -1;
    char *text = NULL;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open: %s; check the path", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "not a regular file; give the path of a JSON file");
        goto out;
    }
    if (st.st_size > HS_JSONFILE_MAX_BYTES) {
        snprintf(err, err_size, "larger than %d bytes; is this the right file?",
                 HS_JSONFILE_MAX_BYTES);
        goto out;
    }
    size_t size = (size_t)st.st_size;
    text = malloc(size + 1);
    if (!text) {
        snprintf(err, err_size, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, text + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, err_size, "cannot read: %s", n < 0 ? strerror(errno) : "short read");
            goto out;
        }
        got += (size_t)n;
    }
    text[size] = '\0';
    if (strlen(text) != size) {
        snprintf(err, err_size, "contains a NUL byte; is this the right file?");
        goto out;
    }
    rc = hs_jsonfile_parse(text, size, out, err, err_size);
out:
    free(text);
    close(fd);
    return rc;
}

const char *hs_json_type_phrase(json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double: return "a number";
    case json_type_int: return "an integer";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "a value";
}
