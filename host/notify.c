/* systemd service notification and the watchdog thread (see notify.h). */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "notify.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

int hs_notify_available(void)
{
#ifdef HAVE_LIBSYSTEMD
    return 1;
#else
    return 0;
#endif
}

int hs_notify_beat_fresh(int64_t now_us, int64_t beat_us, uint64_t watchdog_us)
{
    /* A beat newer than now came from another thread after now was read: fresh. */
    return beat_us >= now_us || (uint64_t)(now_us - beat_us) < watchdog_us;
}

#ifdef HAVE_LIBSYSTEMD


/* The thread wakes this often to see a stop request; pings go out on their own period. */
#define POLL_US 100000

static atomic_llong g_beat_us;
static atomic_int g_stop_requested;
static atomic_int g_quit;
static atomic_int g_stopping_sent;
static pthread_t g_thread;
static int g_thread_running;
static int g_started;
static uint64_t g_watchdog_us;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int enabled(void)
{
    const char *s = getenv("NOTIFY_SOCKET");
    return s != NULL && s[0] != '\0';
}

static void send_text(const char *text)
{
    /* Failures are not the service's business: systemd notices a missing READY itself. */
    (void)sd_notify(0, text);
}

void hs_notify_ready(void)
{
    if (enabled())
        send_text("READY=1");
}

void hs_notify_watchdog(void)
{
    if (enabled())
        send_text("WATCHDOG=1");
}

void hs_notify_stopping(void)
{
    if (enabled() && !atomic_exchange(&g_stopping_sent, 1))
        send_text("STOPPING=1");
}

void hs_notify_status(const char *fmt, ...)
{
    char text[512];
    va_list ap;
    if (!enabled())
        return;
    int n = snprintf(text, sizeof text, "STATUS=");
    va_start(ap, fmt);
    (void)vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    send_text(text);
}

void hs_notify_heartbeat(void)
{
    atomic_store_explicit(&g_beat_us, mono_us(), memory_order_relaxed);
}

void hs_notify_stop_requested(void)
{
    atomic_store(&g_stop_requested, 1);
}

static void *watch(void *arg)
{
    (void)arg;
    int64_t next_ping = 0;
    while (!atomic_load(&g_quit)) {
        if (atomic_load(&g_stop_requested))
            hs_notify_stopping();
        int64_t now = mono_us();
        if (g_watchdog_us > 0 && now >= next_ping &&
            hs_notify_beat_fresh(now, atomic_load(&g_beat_us), g_watchdog_us)) {
            send_text("WATCHDOG=1");
            next_ping = now + (int64_t)(g_watchdog_us / 2);
        }
        struct timespec ts = {0, POLL_US * 1000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void hs_notify_start(void)
{
    if (!enabled() || g_thread_running)
        return;
    g_watchdog_us = 0;
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0)
        g_watchdog_us = usec;
    atomic_store(&g_quit, 0);
    atomic_store(&g_stopping_sent, 0);
    hs_notify_heartbeat();
    g_started = 1;
    send_text("READY=1");
    /* Without the thread READY still counts; only the pings and the early STOPPING=1 go. */
    g_thread_running = pthread_create(&g_thread, NULL, watch, NULL) == 0;
}

void hs_notify_finish(void)
{
    if (!g_started)
        return;
    g_started = 0;
    hs_notify_stopping();
    if (!g_thread_running)
        return;
    atomic_store(&g_quit, 1);
    pthread_join(g_thread, NULL);
    g_thread_running = 0;
}

#else /* !HAVE_LIBSYSTEMD: built without systemd, nothing is ever sent */

void hs_notify_start(void) {}
void hs_notify_finish(void) {}
void hs_notify_heartbeat(void) {}
void hs_notify_stop_requested(void) {}
void hs_notify_ready(void) {}
void hs_notify_watchdog(void) {}
void hs_notify_stopping(void) {}

void hs_notify_status(const char *fmt, ...)
{
    (void)fmt;
}

#endif
