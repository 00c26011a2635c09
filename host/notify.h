/*
 * Service notification for systemd (sd_notify(3)) while `hiresync run` stays up: READY=1
 * once the configuration is loaded and the scheduler starts, WATCHDOG=1 while the scheduler
 * and its workers make progress, STOPPING=1 as soon as SIGTERM or SIGINT arrives, and
 * STATUS= lines for `systemctl status`.
 *
 * Every function is a no-op when NOTIFY_SOCKET is unset, and when hiresync was built without
 * libsystemd (configure --without-systemd, or libsystemd not found).
 *
 * The watchdog: a thread pings every half WATCHDOG_USEC, but only while the heartbeat is
 * fresh (updated less than WATCHDOG_USEC ago). The scheduler's loop and the workers (between
 * remote calls and records) beat; a hang anywhere stops the beats, then the pings, and
 * systemd restarts the service. A long cycle that makes progress keeps it alive.
 *
 * Ownership: module-wide state; hs_notify_start() and hs_notify_finish() are called by the
 * thread that runs the scheduler. hs_notify_heartbeat() is safe from any thread and
 * hs_notify_stop_requested() from a signal handler.
 */
#ifndef HS_HOST_NOTIFY_H
#define HS_HOST_NOTIFY_H

#include <stdint.h>

/* Sends READY=1 and, when systemd asked for a watchdog (WATCHDOG_USEC), starts the thread
 * that pings it. Also starts the thread to send STOPPING=1 on a signal. */
void hs_notify_start(void);

/* STOPPING=1 (once) and ends the thread; nothing when hs_notify_start() sent nothing. */
void hs_notify_finish(void);

/* Progress: the scheduler loop and the workers call it. Cheap; any thread. */
void hs_notify_heartbeat(void);

/* A stop signal arrived: the thread says STOPPING=1 at once. Async-signal-safe. */
void hs_notify_stop_requested(void);

/* The single messages (no-ops without NOTIFY_SOCKET). */
void hs_notify_ready(void);
void hs_notify_watchdog(void);
void hs_notify_stopping(void);
void hs_notify_status(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* 1 when a heartbeat at beat_us (monotonic microseconds) still counts at now_us for a
 * watchdog of watchdog_us: it is younger than one watchdog period. */
int hs_notify_beat_fresh(int64_t now_us, int64_t beat_us, uint64_t watchdog_us);

/* 1 when built with libsystemd, so that the messages above can be sent at all. */
int hs_notify_available(void);

#endif /* HS_HOST_NOTIFY_H */
