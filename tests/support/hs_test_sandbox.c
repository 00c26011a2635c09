/* Test support for hiresync-sandbox: process control and HTTP calls (see the header). */
#include "hs_test_sandbox.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define START_TIMEOUT_MS 60000
#define MAX_ARGS 256

static int copy_url(json_object *o, const char *name, char *dst, size_t size)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return -1;
    int n = snprintf(dst, size, "%s", json_object_get_string(v));
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int read_line(int fd, char *buf, size_t size)
{
    size_t used = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (used + 1 < size) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (long)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (elapsed >= START_TIMEOUT_MS)
            return -1;
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, (int)(START_TIMEOUT_MS - elapsed));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = read(fd, buf + used, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        if (buf[used] == '\n') {
            buf[used] = '\0';
            return 0;
        }
        used++;
    }
    return -1;
}

static void child(int out_fd, const char *path, const char *const *extra)
{
    const char *argv[MAX_ARGS + 8] = { path, "--eploy-port", "0", "--willo-port", "0",
                                       "--admin-port", "0" };
    int n = 7;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    for (int i = 0; extra && extra[i] && i < MAX_ARGS; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if (dup2(out_fd, STDOUT_FILENO) < 0)
        _exit(127);
    close(out_fd);
    execv(path, (char *const *)argv);
    fprintf(stderr, "hs_test_sandbox: cannot run %s: %s\n", path, strerror(errno));
    _exit(127);
}

int hs_test_sandbox_start(hs_test_sandbox *sb, const char *const *extra_args)
{
    const char *path = getenv("HIRESYNC_SANDBOX");
    char line[1024];
    int fds[2];
    memset(sb, 0, sizeof *sb);
    if (!path || !*path) {
        fprintf(stderr, "hs_test_sandbox: set HIRESYNC_SANDBOX to the hiresync-sandbox program\n");
        return -1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        perror("hs_test_sandbox: pipe");
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("hs_test_sandbox: fork");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], path, extra_args);
    }
    close(fds[1]);
    sb->pid = pid;
    int rc = read_line(fds[0], line, sizeof line);
    close(fds[0]);
    json_object *o = rc == 0 ? json_tokener_parse(line) : NULL;
    if (!o || copy_url(o, "eploy_url", sb->eploy_url, sizeof sb->eploy_url) ||
        copy_url(o, "willo_url", sb->willo_url, sizeof sb->willo_url) ||
        copy_url(o, "admin_url", sb->admin_url, sizeof sb->admin_url)) {
        fprintf(stderr, "hs_test_sandbox: %s did not print its JSON start-up line\n", path);
        json_object_put(o);
        hs_test_sandbox_stop(sb);
        return -1;
    }
    json_object_put(o);
    return 0;
}

int hs_test_sandbox_stop(hs_test_sandbox *sb)
{
    int status = 0;
    if (sb->pid <= 0)
        return -1;
    kill(sb->pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        pid_t r = waitpid(sb->pid, &status, WNOHANG);
        if (r == sb->pid || (r < 0 && errno != EINTR)) {
            sb->pid = 0;
            return r == sb->pid || WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
    kill(sb->pid, SIGKILL);
    waitpid(sb->pid, &status, 0);
    sb->pid = 0;
    return -1;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
    hs_test_response *r = cls;
    size_t len = size * n;
    char *nb = realloc(r->body, r->body_len + len + 1);
    if (!nb)
        return 0;
    memcpy(nb + r->body_len, data, len);
    r->body = nb;
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void header_value(const char *line, size_t len, const char *name, char *dst, size_t size)
{
    size_t n = strlen(name);
    if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return;
    const char *v = line + n + 1;
    size_t vlen = len - n - 1;
    while (vlen && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
    snprintf(dst, size, "%.*s", (int)vlen, v);
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
    hs_test_response *r = cls;
    size_t len = size * n;
    header_value(data, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    header_value(data, len, "WWW-Authenticate", r->www_authenticate, sizeof r->www_authenticate);
    header_value(data, len, "Location", r->location, sizeof r->location);
    header_value(data, len, "Content-Type", r->content_type, sizeof r->content_type);
    return len;
}

int hs_test_request(const char *method, const char *url, const char *const *headers,
                    const char *body, hs_test_response *out)
{
    struct curl_slist *list = NULL;
    int has_type = 0, rc = -1;
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c) {
        out->curl_code = CURLE_FAILED_INIT;
        return -1;
    }
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *nl = curl_slist_append(list, headers[i]);
        if (!nl)
            goto out;
        list = nl;
        has_type |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body && !has_type) {
        struct curl_slist *nl = curl_slist_append(list, "Content-Type: application/json");
        if (!nl)
            goto out;
        list = nl;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(c);
    out->curl_code = (int)cc;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (!out->body && cc == CURLE_OK) {
        out->body = strdup("");
        if (!out->body)
            goto out;
    }
    rc = cc == CURLE_OK ? 0 : -1;
out:
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return rc;
}

void hs_test_response_clear(hs_test_response *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

int hs_test_admin(const hs_test_sandbox *sb, const char *method, const char *path,
                  const char *json_body, long *status, char **body_out)
{
    char url[1024];
    hs_test_response r;
    if (body_out)
        *body_out = NULL;
    *status = 0;
    int n = snprintf(url, sizeof url, "%s%s", sb->admin_url, path);
    if (n < 0 || (size_t)n >= sizeof url)
        return -1;
    int rc = hs_test_request(method, url, NULL, json_body, &r);
    *status = r.status;
    if (rc == 0 && body_out) {
        *body_out = r.body;
        r.body = NULL;
    }
    hs_test_response_clear(&r);
    return rc;
}

int hs_test_eploy_token(const hs_test_sandbox *sb, const char *client_id, const char *secret,
                        char *token, size_t size)
{
    char url[512];
    hs_test_response r;
    int rc = -1;
    json_object *req = json_object_new_object(), *resp = NULL, *v;
    if (!req)
        return -1;
    json_object_object_add(req, "grant_type", json_object_new_string("client_credentials"));
    json_object_object_add(req, "client_id", json_object_new_string(client_id));
    json_object_object_add(req, "client_secret", json_object_new_string(secret));
    snprintf(url, sizeof url, "%s/token", sb->eploy_url);
    if (hs_test_request("POST", url, NULL, json_object_to_json_string(req), &r) == 0 &&
        r.status == 200 && (resp = json_tokener_parse(r.body)) &&
        json_object_object_get_ex(resp, "access_token", &v)) {
        int n = snprintf(token, size, "%s", json_object_get_string(v));
        rc = n < 0 || (size_t)n >= size ? -1 : 0;
    }
    json_object_put(resp);
    json_object_put(req);
    hs_test_response_clear(&r);
    return rc;
}
