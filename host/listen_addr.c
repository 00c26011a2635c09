/* The listener's address (see listen_addr.h). */
#define _DEFAULT_SOURCE

#include "listen_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HINT "write \"127.0.0.1:9464\", \"[::1]:9464\" or \"0.0.0.0:9464\""

static int parse_port(const char *s, unsigned *port)
{
    char *end = NULL;
    unsigned long v;
    if (*s < '0' || *s > '9')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end != '\0' || v < 1 || v > 65535)
        return -1;
    *port = (unsigned)v;
    return 0;
}

int hs_listen_addr_parse(const char *text, hs_listen_addr *out, char *why, size_t why_size)
{
    char host[64];
    const char *colon, *h = text;
    size_t n;
    unsigned port;
    memset(out, 0, sizeof *out);
    if (text == NULL || (colon = strrchr(text, ':')) == NULL || parse_port(colon + 1, &port) != 0) {
        snprintf(why, why_size, "\"%.64s\" is not HOST:PORT with a port from 1 to 65535; " HINT,
                 text ? text : "");
        return -1;
    }
    n = (size_t)(colon - text);
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
        h = text + 1;
        n -= 2;
    }
    if (n == 0 || n >= sizeof host) {
        snprintf(why, why_size, "\"%.64s\" has no host address; " HINT, text);
        return -1;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
    if (h == text && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)port);
        out->len = sizeof *v4;
        return 0;
    }
    if (h != text && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)port);
        out->len = sizeof *v6;
        return 0;
    }
    snprintf(why, why_size, "\"%.64s\" is not a literal address (IPv6 goes in brackets); " HINT,
             text);
    return -1;
}
