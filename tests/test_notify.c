/* systemd notification: `hiresync run` under a NOTIFY_SOCKET this test listens on says
 * READY=1 once its configuration is loaded, WATCHDOG=1 while it makes progress, STOPPING=1
 * on SIGTERM; and the watchdog thread stops pinging when the heartbeat goes stale. Without
 * libsystemd (configure --without-systemd) nothing is ever sent. */
#define _GNU_SOURCE

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../host/notify.h"
#include "test_e2e_util.h"

static e2e E;

/* A unix datagram socket bound at dir/notify.sock, as systemd's NOTIFY_SOCKET. */
static int listen_notify(const char *dir, char *path, size_t size)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    snprintf(path, size, "%s/notify.sock", dir);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
    strcpy(sa.sun_path, path);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Waits up to timeout_ms for one datagram; 1 with it in buf, 0 on timeout. */
static int recv_one(int fd, char *buf, size_t size, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0)
        return 0;
    ssize_t n = recv(fd, buf, size - 1, 0);
    ck_assert_int_ge(n, 0);
    buf[n] = '\0';
    return 1;
}

/* Reads datagrams until one holds the line want (within 30 s); appends all to seen. */
static int await_line(int fd, const char *want, char *seen, size_t seen_size)
{
    char buf[1024];
    for (int i = 0; i < 3000; i++) {
        if (!recv_one(fd, buf, sizeof buf, 30000))
            return 0;
        strncat(seen, buf, seen_size - strlen(seen) - 2);
        strcat(seen, "|");
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            if (strcmp(line, want) == 0)
                return 1;
    }
    return 0;
}

/* Beats (as the scheduler does) until a WATCHDOG=1 arrives, within 30 s; 1 when it did. */
static int await_ping_while_beating(int fd)
{
    char buf[1024];
    for (int i = 0; i < 300; i++) {
        hs_notify_heartbeat();
        if (recv_one(fd, buf, sizeof buf, 100) && strstr(buf, "WATCHDOG=1") != NULL)
            return 1;
    }
    return 0;
}

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(run_says_ready_watchdog_and_stopping)
{
    static const char *const run[] = {"run", NULL};
    char pipe[2048], sock[400], env[600], status_file[400], seen[8192] = "";
    struct stat st;
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    int fd = listen_notify(E.dir, sock, sizeof sock);
    snprintf(env, sizeof env, "NOTIFY_SOCKET=%s\nWATCHDOG_USEC=400000", sock);
    snprintf(status_file, sizeof status_file, "%s/p.status", E.state_dir);
    pid_t pid = e2e_spawn(&E, env, run);
    if (!hs_notify_available()) {
        /* built without libsystemd: the first cycle runs and nothing is said */
        for (int i = 0; i < 1500 && stat(status_file, &st) != 0; i++)
            usleep(20000);
        ck_assert_int_eq(kill(pid, SIGTERM), 0);
        ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
        char buf[256];
        ck_assert_msg(!recv_one(fd, buf, sizeof buf, 0), "sent without libsystemd: %s", buf);
        close(fd);
        return;
    }
    ck_assert_msg(await_line(fd, "READY=1", seen, sizeof seen), "no READY=1: %s", seen);
    ck_assert_msg(await_line(fd, "WATCHDOG=1", seen, sizeof seen), "no WATCHDOG=1: %s", seen);
    /* the first cycle (due at once) ends, and the idle scheduler keeps the pings going */
    for (int i = 0; i < 1500 && stat(status_file, &st) != 0; i++)
        usleep(20000);
    ck_assert_int_eq(stat(status_file, &st), 0);
    seen[0] = '\0';
    ck_assert_msg(await_line(fd, "WATCHDOG=1", seen, sizeof seen), "no ping when idle: %s",
                  seen);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(await_line(fd, "STOPPING=1", seen, sizeof seen), "no STOPPING=1: %s", seen);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
    close(fd);
}
END_TEST

/* A configuration with errors: hiresync exits 2 without ever saying READY=1. */
START_TEST(no_ready_before_the_configuration_loads)
{
    static const char *const run[] = {"run", NULL};
    char sock[400], env[600], buf[1024];
    FILE *f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"workrs\": 4}\n", f);
    fclose(f);
    int fd = listen_notify(E.dir, sock, sizeof sock);
    snprintf(env, sizeof env, "NOTIFY_SOCKET=%s\nWATCHDOG_USEC=400000", sock);
    ck_assert_int_eq(e2e_wait(&E, e2e_spawn(&E, env, run)), 2);
    ck_assert_msg(!recv_one(fd, buf, sizeof buf, 0), "sent: %s", buf);
    close(fd);
}
END_TEST

/* The watchdog thread itself: pings while beats come, falls silent when they stop (a hung
 * scheduler), resumes on the next beat, and says STOPPING=1 on a stop request. */
START_TEST(watchdog_pings_only_while_beats_are_fresh)
{
    char dir[] = "/tmp/hiresync-notify-XXXXXX", sock[400], seen[8192] = "", buf[256];
    if (!hs_notify_available())
        return;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    int fd = listen_notify(dir, sock, sizeof sock);
    setenv("NOTIFY_SOCKET", sock, 1);
    setenv("WATCHDOG_USEC", "200000", 1);
    unsetenv("WATCHDOG_PID");
    hs_notify_start();
    ck_assert_msg(await_line(fd, "READY=1", seen, sizeof seen), "%s", seen);
    ck_assert_msg(await_ping_while_beating(fd), "no WATCHDOG=1 while beating");
    /* no beat any more: within a few periods the pings stop (a whole second of silence) */
    int quiet = 0;
    for (int i = 0; i < 200 && !quiet; i++)
        quiet = !recv_one(fd, buf, sizeof buf, 1000);
    ck_assert_msg(quiet, "pings went on without a heartbeat");
    ck_assert_msg(await_ping_while_beating(fd), "no WATCHDOG=1 after the beats resumed");
    hs_notify_stop_requested();
    ck_assert_msg(await_line(fd, "STOPPING=1", seen, sizeof seen), "%s", seen);
    hs_notify_finish();
    close(fd);
    unlink(sock);
    rmdir(dir);
}
END_TEST

START_TEST(beat_freshness)
{
    ck_assert(hs_notify_beat_fresh(1000, 0, 2000));
    ck_assert(hs_notify_beat_fresh(1999, 0, 2000));
    ck_assert(!hs_notify_beat_fresh(2000, 0, 2000));
    ck_assert(!hs_notify_beat_fresh(90000000, 1000, 2000));
    ck_assert(hs_notify_beat_fresh(1000, 1001, 2000)); /* beat after now was read */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("daemon");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, run_says_ready_watchdog_and_stopping);
    tcase_add_test(tc, no_ready_before_the_configuration_loads);
    suite_add_tcase(s, tc);
    TCase *wd = tcase_create("watchdog");
    tcase_set_timeout(wd, 120);
    tcase_add_test(wd, watchdog_pings_only_while_beats_are_fresh);
    tcase_add_test(wd, beat_freshness);
    suite_add_tcase(s, wd);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
