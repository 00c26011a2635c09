/*
 * The listener's address, "HOST:PORT" as written in the configuration's "listen" or on the
 * command line (`run --listen`): HOST an IPv4 address, an IPv6 address in brackets, or
 * "localhost" (127.0.0.1); PORT 1 to 65535. Only literal addresses, so that what the daemon
 * binds to never depends on a name server.
 *
 * Ownership: out is the caller's; nothing is allocated.
 */
#ifndef HS_HOST_LISTEN_ADDR_H
#define HS_HOST_LISTEN_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct hs_listen_addr {
    struct sockaddr_storage sa;
    socklen_t len;
} hs_listen_addr;

/* Returns 0 and *out, or -1 with why (one line saying what to write) in the caller's buffer. */
int hs_listen_addr_parse(const char *text, hs_listen_addr *out, char *why, size_t why_size);

#endif /* HS_HOST_LISTEN_ADDR_H */
