/* Fuzz target: the URL checks connectors apply to configured addresses and to pagination
 * links (hs_url_check_base, hs_url_same_origin, hs_url_describe, hs_url_escape). The input
 * is two URLs separated by a newline. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "hs_url.h"

/* 1 when the description, read back as a URL, has user information or a query. */
static int leaks_parts(const char *described)
{
    static const CURLUPart parts[] = {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_QUERY};
    CURLU *u = curl_url();
    int leak = 0;
    if (u == NULL)
        return 0;
    if (curl_url_set(u, CURLUPART_URL, described, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char *v = NULL;
            if (curl_url_get(u, parts[i], &v, 0) == CURLUE_OK && v != NULL && *v)
                leak = 1;
            curl_free(v);
        }
    }
    curl_url_cleanup(u);
    return leak;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size), *b, out[256], esc[512];
    /* the smallest buffer a host may give: a longer message is cut inside it */
    char msg[HS_ERROR_MESSAGE_MIN] = "";
    hs_error err = {sizeof(hs_error), 0, 0, msg, sizeof msg};
    if (s == NULL)
        return 0;
    b = strchr(s, '\n');
    if (b)
        *b++ = '\0';
    else
        b = s;
    (void)hs_url_check_base(s, "fuzz", &err);
    if (memchr(msg, '\0', sizeof msg) == NULL)
        abort();
    if (hs_url_same_origin(s, b) != hs_url_same_origin(b, s)) {
        fprintf(stderr, "fuzz: same origin is not symmetric: \"%s\" \"%s\"\n", s, b);
        abort();
    }
    if (hs_url_describe(s, out, sizeof out) == 0 && leaks_parts(out)) {
        fprintf(stderr, "fuzz: the description of \"%s\" has user information or a query: \"%s\"\n",
                s, out);
        abort();
    }
    if (hs_url_escape(s, esc, sizeof esc) == 0 && strpbrk(esc, " &=?#/") != NULL) {
        fprintf(stderr, "fuzz: \"%s\" escaped keeps a delimiter: \"%s\"\n", s, esc);
        abort();
    }
    free(s);
    return 0;
}
