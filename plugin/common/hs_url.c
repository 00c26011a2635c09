/*
 * URL checks on libcurl's URL API, so that hiresync parses URLs exactly as curl will
 * request them.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "hs_errors.h"
#include "hs_num.h"
#include "hs_url.h"

/* 1 when host is a dotted quad 127.x.y.z, each part 0-255 ("%u" would wrap 4294967423 to
 * 127, so the parts are read strictly). */
static int is_loopback_ipv4(const char *host)
{
    const char *p = host;
    int64_t part;

    for (int i = 0; i < 4; i++) {
        if (*p < '0' || *p > '9' || hs_num_parse(p, &p, &part) != 0 || part > 255)
            return 0;
        if (i == 0 && part != 127)
            return 0;
        if (i < 3 && *p++ != '.')
            return 0;
    }
    return *p == '\0';
}

static int is_loopback_host(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        strcmp(host, "::1") == 0)
        return 1;
    return is_loopback_ipv4(host);
}

static void lower(char *s)
{
    for (; *s != '\0'; s++)
        *s = (char)tolower((unsigned char)*s);
}

hs_status hs_url_check_base(const char *url, const char *what, hs_error *err)
{
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL;
    hs_status st = HS_E_CONFIG;

    if (url == NULL || *url == '\0')
        return hs_error_set(err, HS_E_CONFIG, 0, "%s is empty: give an https:// URL", what);
    u = curl_url();
    if (u == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "%s: out of memory", what);
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        hs_error_set(err, st, 0, "%s is not a valid absolute URL: give e.g. https://host/api",
                     what);
        goto out;
    }
    lower(scheme);
    if (strcmp(scheme, "https") == 0) {
        st = HS_OK;
    } else if (strcmp(scheme, "http") == 0 && is_loopback_host(host)) {
        st = HS_OK;
    } else if (strcmp(scheme, "http") == 0) {
        hs_error_set(err, st, 0, "%s uses plain http to a non-loopback host: use https://", what);
    } else {
        hs_error_set(err, st, 0, "%s must be an https:// URL", what);
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return st;
}

int hs_url_origin(const char *url, char *out, size_t out_size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1, n;

    if (u == NULL || url == NULL)
        goto out;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto out;
    n = snprintf(out, out_size, "%s://%s:%s", scheme, host, port);
    if (n < 0 || (size_t)n >= out_size)
        goto out;
    lower(out);
    rc = 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

int hs_url_same_origin(const char *a, const char *b)
{
    char oa[512], ob[512];

    if (hs_url_origin(a, oa, sizeof oa) != 0 || hs_url_origin(b, ob, sizeof ob) != 0)
        return 0;
    return strcmp(oa, ob) == 0;
}

int hs_url_escape(const char *s, char *out, size_t out_size)
{
    char *e;
    size_t n;
    int rc = -1;

    if (s == NULL || out == NULL || out_size == 0)
        return -1;
    /* The handle is only used for conversions curl no longer does; NULL is accepted. */
    e = curl_easy_escape(NULL, s, 0);
    if (e == NULL)
        return -1;
    n = strlen(e);
    if (n < out_size) {
        memcpy(out, e, n + 1);
        rc = 0;
    }
    curl_free(e);
    return rc;
}

int hs_url_describe(const char *url, char *out, size_t out_size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    int rc = -1, n;

    if (out == NULL || out_size == 0)
        goto out;
    out[0] = '\0';
    if (u == NULL || url == NULL ||
        curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        (void)snprintf(out, out_size, "(invalid URL)");
        goto out;
    }
    /* The port is shown only when given; user, password, query and fragment never are. */
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    n = snprintf(out, out_size, "%s://%s%s%s%s", scheme, host, port != NULL ? ":" : "",
                 port != NULL ? port : "", path);
    rc = n < 0 || (size_t)n >= out_size ? -1 : 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return rc;
}
