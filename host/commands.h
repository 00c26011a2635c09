/*
 * The commands of the `hiresync` program. Each takes the app (global options already parsed)
 * and its own arguments: argv[0] is the command's name, argv[1..argc-1] its options and
 * operands (parse them with getopt_long after hs_cli_reset_getopt()).
 * Each handles `--help` itself (usage on stdout, returns HS_EXIT_OK) and returns an HS_EXIT_*
 * status: 0 success, 1 runtime failure, 2 usage or configuration error.
 *
 * Ownership: argv is borrowed for the call. Commands write results to app->out and
 * diagnostics through app->log or stderr.
 *
 * connectors, check, jobs: host/cmd_connectors.c, cmd_check.c, cmd_jobs.c (host foundation).
 * run, status, state, webhooks: host/cmd_run.c, cmd_status.c, cmd_state.c, cmd_webhooks.c
 * (the runner).
 */
#ifndef HS_HOST_COMMANDS_H
#define HS_HOST_COMMANDS_H

#include "app.h"

int hs_cmd_connectors(hs_app *app, int argc, char **argv);
int hs_cmd_check(hs_app *app, int argc, char **argv);
int hs_cmd_jobs(hs_app *app, int argc, char **argv);
int hs_cmd_run(hs_app *app, int argc, char **argv);
int hs_cmd_status(hs_app *app, int argc, char **argv);
int hs_cmd_state(hs_app *app, int argc, char **argv);
int hs_cmd_webhooks(hs_app *app, int argc, char **argv);

/* Resets getopt so a command can parse its own argv (glibc: optind = 0). */
void hs_cli_reset_getopt(void);

/* Prints "<program> <command>: <message>" and a hint to run --help, to stderr; returns
 * HS_EXIT_USAGE. */
int hs_cli_usage_error(const hs_app *app, const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* hs_cli_reset_getopt and hs_cli_usage_error live in host/cli_support.c (libhshost); the
 * dispatcher below in host/cli.c, part of the program only because it names every command.
 * It parses the global options and runs a command. Returns the exit status. */
int hs_cli_main(int argc, char **argv);

#endif /* HS_HOST_COMMANDS_H */
