/* What every command shares: resetting getopt for its own argv, and usage errors. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "commands.h"

void hs_cli_reset_getopt(void)
{
    /* glibc: 0 re-initialises getopt completely, for a second argv. */
    optind = 0;
    opterr = 1;
}

int hs_cli_usage_error(const hs_app *app, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s: %s\nTry '%s %s --help'.\n", app->program, cmd, msg, app->program,
            cmd);
    return HS_EXIT_USAGE;
}
