/* `hiresync-sandbox admin URL METHOD PATH [JSON]`: one request to a running sandbox's admin
 * interface, so that the demo and its users drive the sandbox with nothing but the programs
 * hiresync installs (a fresh machine has no curl). */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static const char client_usage[] =
    "usage: hiresync-sandbox admin ADMIN_URL GET|POST|PUT|DELETE PATH [JSON]\n"
    "  sends one request to the admin interface at ADMIN_URL (the \"admin_url\" the sandbox\n"
    "  printed), writes the response body to stdout; exit 1 on a status of 400 or more\n";

static size_t to_stdout(char *p, size_t size, size_t n, void *unused)
{
    (void)unused;
    return fwrite(p, size, n, stdout) * size;
}

static int known_method(const char *m)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i]) == 0)
            return 1;
    return 0;
}

static int perform(const char *url, const char *method, const char *body)
{
    long status = 0;
    int rc = 1;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (!c || !h) {
        fprintf(stderr, "hiresync-sandbox admin: out of memory\n");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_stdout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        fprintf(stderr, "hiresync-sandbox admin: %s %s: %s (is the sandbox running?)\n", method, url,
                curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 400) {
        fprintf(stderr, "hiresync-sandbox admin: %s %s: HTTP %ld\n", method, url, status);
        goto out;
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

int hs_sb_admin_client(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(client_usage, stdout);
        return 0;
    }
    if (argc < 4 || argc > 5 || !known_method(argv[2]) || argv[3][0] != '/') {
        fputs(client_usage, stderr);
        return 2;
    }
    char url[4096];
    size_t base = strlen(argv[1]);
    while (base > 0 && argv[1][base - 1] == '/')
        base--;
    int n = snprintf(url, sizeof url, "%.*s%s", (int)base, argv[1], argv[3]);
    if (n < 0 || (size_t)n >= sizeof url) {
        fprintf(stderr, "hiresync-sandbox admin: the URL is longer than %zu bytes\n", sizeof url - 1);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "hiresync-sandbox admin: libcurl initialisation failed\n");
        return 1;
    }
    int rc = perform(url, argv[2], argc == 5 ? argv[4] : NULL);
    curl_global_cleanup();
    return rc;
}
