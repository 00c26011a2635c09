/* The listener's public URL (see public_url.h). */
#include "public_url.h"

#include <stdio.h>
#include <string.h>

static int loopback(const char *host, size_t n)
{
    static const char *const names[] = {"127.0.0.1", "[::1]", "localhost"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n == strlen(names[i]) && strncmp(host, names[i], n) == 0)
            return 1;
    return 0;
}

int hs_public_url_check(const char *s, char *why, size_t why_size)
{
    const char *host;
    size_t n;
    int https = strncmp(s, "https://", 8) == 0;
    if (!https && strncmp(s, "http://", 7) != 0) {
        snprintf(why, why_size, "must start with https:// (the address of the reverse proxy "
                 "in front of the listener), such as \"https://hiresync.example.com\"");
        return -1;
    }
    host = s + (https ? 8 : 7);
    n = strcspn(host, ":/");
    if (n == 0 || strpbrk(s, "?#@ \t\r\n") != NULL) {
        snprintf(why, why_size, "must be a plain URL with a host and no query, fragment or "
                 "user, such as \"https://hiresync.example.com\"");
        return -1;
    }
    if (!https && !loopback(host, n)) {
        snprintf(why, why_size, "plain http is allowed to loopback only; give the https "
                 "address of the reverse proxy in front of the listener");
        return -1;
    }
    return 0;
}

const char *hs_public_url_of(json_object *pipeline, const char *top)
{
    json_object *v;
    if (pipeline && json_object_object_get_ex(pipeline, "public_url", &v) &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return top;
}

int hs_public_url_join(const char *public_url, const char *suffix, char *out, size_t size)
{
    size_t n = strlen(public_url);
    while (n > 0 && public_url[n - 1] == '/')
        n--;
    int w = snprintf(out, size, "%.*s%s", (int)n, public_url, suffix);
    return w < 0 || (size_t)w >= size ? -1 : 0;
}
