/* Watching a connector call: its fds 1 and 2, its errors and every text it produced. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kit.h"

#define GUARD_BYTE 0xA5

static int tmp_fd[2] = {-1, -1};     /* where fds 1 and 2 go during a call */
static int saved_fd[2] = {-1, -1};
static const char *running_test = "startup";

int kit_capture_init(void)
{
    for (int i = 0; i < 2; i++) {
        FILE *f = tmpfile();
        if (!f)
            return -1;
        /* The FILE is never closed: the descriptor lives as long as the program. */
        tmp_fd[i] = dup(fileno(f));
        fclose(f);
        if (tmp_fd[i] < 0)
            return -1;
    }
    return 0;
}

void kit_capture_free(void)
{
    for (int i = 0; i < 2; i++) {
        if (tmp_fd[i] >= 0)
            close(tmp_fd[i]);
        tmp_fd[i] = -1;
    }
}

void kit_call_begin(kit *k, const char *call)
{
    k->call = call;
    k->calls++;
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        saved_fd[i] = dup(i + 1);
        if (ftruncate(tmp_fd[i], 0) != 0 || lseek(tmp_fd[i], 0, SEEK_SET) != 0
            || dup2(tmp_fd[i], i + 1) < 0)
            kit_strings_add(&k->stdio_problems, "cannot redirect fd %d around %s", i + 1, call);
    }
}

/* The start of what the call wrote to fd, made printable. */
static void excerpt(int fd, char *out, size_t out_size)
{
    size_t n = 0;
    if (lseek(fd, 0, SEEK_SET) == 0) {
        ssize_t r = read(fd, out, out_size - 1);
        n = r > 0 ? (size_t)r : 0;
    }
    out[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] == 0x7f)
            out[i] = ' ';
    }
}

void kit_call_end(kit *k)
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        if (saved_fd[i] >= 0) {
            dup2(saved_fd[i], i + 1);
            close(saved_fd[i]);
            saved_fd[i] = -1;
        }
        struct stat st;
        if (fstat(tmp_fd[i], &st) != 0 || st.st_size == 0)
            continue;
        char text[81];
        excerpt(tmp_fd[i], text, sizeof text);
        kit_scan(k, i == 0 ? "stdout" : "stderr", text);
        kit_strings_add(&k->stdio_problems, "%s wrote %lld bytes to %s: \"%s\"", k->call,
                        (long long)st.st_size, i == 0 ? "stdout" : "stderr", text);
    }
    for (size_t i = 0; i < k->verbose_lines.n; i++)
        fprintf(k->out, "%s\n", k->verbose_lines.v[i]);
    kit_strings_clear(&k->verbose_lines);
}

void kit_scan(kit *k, const char *where, const char *text)
{
    k->texts++;
    if (!text)
        return;
    if (k->canary[0] && strstr(text, k->canary))
        kit_strings_add(&k->canary_problems, "%s: the canary secret appeared in %s", k->call,
                        where);
    for (size_t i = 0; i < k->secrets.n; i++) {
        /* Very short values would match by chance; the host does not mask them either. */
        if (strlen(k->secrets.v[i]) >= 6 && strstr(text, k->secrets.v[i]))
            kit_strings_add(&k->secret_problems, "%s: a configured secret appeared in %s",
                            k->call, where);
    }
}

void kit_error_init(kit_error *e)
{
    memset(e, 0, sizeof(*e));
    memset(e->buf, GUARD_BYTE, sizeof(e->buf));
    e->buf[0] = '\0';
    e->err.struct_size = sizeof(e->err);
    e->err.message = e->buf;
    e->err.message_size = HS_ERROR_MESSAGE_MIN;
}

const char *kit_error_check(kit *k, kit_error *e, hs_status st, const char *what,
                            kit_strings *problems)
{
    for (size_t i = HS_ERROR_MESSAGE_MIN; i < sizeof(e->buf); i++) {
        if ((unsigned char)e->buf[i] != GUARD_BYTE) {
            kit_strings_add(problems, "%s: wrote past the end of the error message buffer",
                            what);
            e->buf[HS_ERROR_MESSAGE_MIN - 1] = '\0';
            return e->buf;
        }
    }
    if (!memchr(e->buf, '\0', HS_ERROR_MESSAGE_MIN)) {
        kit_strings_add(problems, "%s: error message not NUL-terminated in its buffer", what);
        e->buf[HS_ERROR_MESSAGE_MIN - 1] = '\0';
        return e->buf;
    }
    kit_scan(k, "an error message", e->buf);
    if (st == HS_OK)
        return e->buf;
    if (!e->buf[0])
        kit_strings_add(problems, "%s: returned %s with an empty error message", what,
                        kit_status_name(st));
    else if (strpbrk(e->buf, "\r\n"))
        kit_strings_add(problems, "%s: error message spans lines: \"%s\"", what, e->buf);
    return e->buf;
}

/* Async-signal-safe output for on_crash. */
static void put(const char *s, size_t n)
{
    if (write(STDOUT_FILENO, s, n) < 0)
        return;
}

static void on_crash(int sig)
{
    /* Only async-signal-safe calls: dup2, write and _exit. */
    char num[8];
    int n = 0, s = sig;
    do {
        num[n++] = (char)('0' + s % 10);
        s /= 10;
    } while (s && n < 7);
    for (int i = 0; i < 2; i++) {
        if (saved_fd[i] >= 0)
            dup2(saved_fd[i], i + 1);
    }
    put("FAIL  ", 6);
    /* The same columns as kit_report's lines. */
    size_t len = strlen(running_test);
    put(running_test, len);
    for (size_t i = len; i < 21; i++)
        put(" ", 1);
    if (len >= 21)
        put(" ", 1);
    put("the connector crashed the kit (signal ", 38);
    while (n > 0)
        put(&num[--n], 1);
    put(")\n", 2);
    _exit(KIT_EXIT_VIOLATION);
}

void kit_crash_guard(const char *test)
{
    static int installed;
    running_test = test;
    if (installed)
        return;
    installed = 1;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_crash;
        sa.sa_flags = SA_RESETHAND;
        sigaction(sigs[i], &sa, NULL);
    }
}
