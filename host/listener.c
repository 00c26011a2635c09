/* The daemon's HTTP listener (see listener.h). */
#define _DEFAULT_SOURCE

#include "listener.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen_addr.h"
#include "webhook.h"

#define PER_IP_CONNECTIONS 8
#ifndef MHD_HTTP_CONTENT_TOO_LARGE /* libmicrohttpd before 0.9.74 */
#define MHD_HTTP_CONTENT_TOO_LARGE 413
#endif
#define TEXT_PLAIN "text/plain; version=0.0.4; charset=utf-8"
#define JSON "application/json"

struct hs_listener {
    struct MHD_Daemon *daemon;
    hs_metrics *metrics;
    hs_listener_clocks clocks;
};

/* One request: the body is counted (and dropped), never kept. */
typedef struct request {
    size_t body;
    int too_large;
} request;

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
                               char *text)
{
    static const char oom[] = "{\"error\": \"out of memory\"}";
    struct MHD_Response *r;
    enum MHD_Result ret;
    if (text == NULL) {
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        type = JSON;
    } else {
        r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    if (r == NULL) {
        free(text);
        return MHD_NO;
    }
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, const char *json)
{
    return respond(c, status, JSON, strdup(json));
}

static enum MHD_Result not_found(hs_listener *l, struct MHD_Connection *c)
{
    hs_metrics_rejected(l->metrics, HS_REJECT_NOT_FOUND);
    return respond_json(c, MHD_HTTP_NOT_FOUND, "{\"error\": \"not found\"}");
}

static enum MHD_Result serve_get(hs_listener *l, struct MHD_Connection *c, const char *url)
{
    int ok = 0;
    char *text;
    if (strcmp(url, "/metrics") == 0)
        return respond(c, MHD_HTTP_OK, TEXT_PLAIN,
                       hs_metrics_render(l->metrics, l->clocks.now_ms(), l->clocks.mono_ms()));
    if (strcmp(url, "/healthz") == 0) {
        text = hs_metrics_healthz(l->metrics, l->clocks.mono_ms(), &ok);
        return respond(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, JSON, text);
    }
    if (strcmp(url, "/readyz") == 0) {
        text = hs_metrics_readyz(l->metrics, l->clocks.now_ms(), l->clocks.mono_ms(), &ok);
        return respond(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, JSON, text);
    }
    return not_found(l, c);
}

/* POST /hooks/willo/<pipeline>/<token>: rings the pipeline's doorbell. The body is neither
 * needed nor trusted: the read that follows finds what changed. */
static enum MHD_Result serve_hook(hs_listener *l, struct MHD_Connection *c, const char *url)
{
    char pipeline[128];
    const char *rest = url + strlen(HS_WEBHOOK_PATH_PREFIX), *slash = strchr(rest, '/');
    size_t n = slash != NULL ? (size_t)(slash - rest) : 0;
    hs_doorbell_result res;
    if (n == 0 || n >= sizeof pipeline)
        return not_found(l, c);
    memcpy(pipeline, rest, n);
    pipeline[n] = '\0';
    res = hs_metrics_doorbell_ring(l->metrics, pipeline, slash + 1);
    if (res == HS_DOORBELL_REFUSED)
        return respond_json(c, MHD_HTTP_NOT_FOUND, "{\"error\": \"not found\"}");
    return respond_json(c, MHD_HTTP_ACCEPTED, res == HS_DOORBELL_SCHEDULED
                        ? "{\"read\": \"scheduled\"}" : "{\"read\": \"already scheduled\"}");
}

static int is_hook(const char *url)
{
    return strncmp(url, HS_WEBHOOK_PATH_PREFIX, strlen(HS_WEBHOOK_PATH_PREFIX)) == 0;
}

static int declared_too_large(struct MHD_Connection *c)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);
    return len != NULL && strtoull(len, NULL, 10) > HS_LISTENER_MAX_BODY;
}

static enum MHD_Result too_large(hs_listener *l, struct MHD_Connection *c)
{
    hs_metrics_rejected(l->metrics, HS_REJECT_TOO_LARGE);
    return respond_json(c, MHD_HTTP_CONTENT_TOO_LARGE, "{\"error\": \"body too large\"}");
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    hs_listener *l = cls;
    request *rq = *con_cls;
    (void)version;
    (void)upload_data;
    if (rq == NULL) { /* the headers: decide before any body is read */
        if ((rq = calloc(1, sizeof *rq)) == NULL)
            return MHD_NO;
        *con_cls = rq;
        if (declared_too_large(c))
            return too_large(l, c);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        rq->body += *upload_data_size;
        rq->too_large = rq->too_large || rq->body > HS_LISTENER_MAX_BODY;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->too_large)
        return too_large(l, c);
    if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) {
        if (is_hook(url))
            goto bad_method;
        return serve_get(l, c, url);
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
        if (!is_hook(url))
            goto bad_method;
        return serve_hook(l, c, url);
    }
bad_method:
    hs_metrics_rejected(l->metrics, HS_REJECT_METHOD);
    return respond_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"error\": \"method not allowed\"}");
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

hs_listener *hs_listener_start(const char *address, hs_metrics *metrics,
                               const hs_listener_clocks *clocks, char *why, size_t why_size)
{
    hs_listen_addr addr;
    hs_listener *l;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (hs_listen_addr_parse(address, &addr, why, why_size) != 0)
        return NULL;
    if ((l = calloc(1, sizeof *l)) == NULL) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    l->metrics = metrics;
    l->clocks = *clocks;
    if (addr.sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    l->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_cb, l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HS_LISTENER_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HS_LISTENER_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (l->daemon == NULL) {
        snprintf(why, why_size, "cannot listen on %s (in use, or not an address of this "
                 "host?); change \"listen\" or --listen", address);
        free(l);
        return NULL;
    }
    return l;
}

void hs_listener_stop(hs_listener *l)
{
    if (l == NULL)
        return;
    MHD_stop_daemon(l->daemon);
    free(l);
}
