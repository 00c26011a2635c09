/* The `hiresync` command line: global options and the command table. */
#define _POSIX_C_SOURCE 200809L
#include <config.h>   /* autoconf: PACKAGE_VERSION */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(hs_app *app, int argc, char **argv);
} command;

static const command commands[] = {
    {"connectors", "list installed connectors, and any that fail to load", hs_cmd_connectors},
    {"check", "open connections and report, item by item, what they may do", hs_cmd_check},
    {"jobs", "list a connection's jobs with their stages", hs_cmd_jobs},
    {"run", "run the pipelines on their schedule (or once)", hs_cmd_run},
    {"status", "show each pipeline's last and next cycle", hs_cmd_status},
    {"state", "inspect or reset a pipeline's saved state", hs_cmd_state},
    {"webhooks", "webhook paths and the subscriptions hiresync manages", hs_cmd_webhooks},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(const hs_app *app, FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTIONS] COMMAND [ARGS]\n"
            "Synchronises an applicant tracking system with a video-interview platform\n"
            "through connector modules.\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE       configuration file (default %s)\n"
            "      --log-level LEVEL   error, warn, info or debug (default: the config's, or info)\n"
            "      --log-format FMT    text or json (log lines go to stderr)\n"
            "  -v, --verbose           same as --log-level debug\n"
            "  -q, --quiet             same as --log-level error\n"
            "  -h, --help              show this help\n"
            "  -V, --version           show the version and the connector ABI version\n"
            "\n"
            "Commands:\n",
            app->program, app->config_path);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run '%s COMMAND --help' for a command's options.\n"
            "Exit status: 0 success, 1 a runtime failure, 2 a usage or configuration error.\n",
            app->program);
}

static void version(FILE *out)
{
    fprintf(out, "hiresync %s (connector ABI %u.%u)\n", PACKAGE_VERSION, (unsigned)HS_ABI_MAJOR,
            (unsigned)HS_ABI_MINOR);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static int global_error(const hs_app *app, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int global_error(const hs_app *app, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\nTry '%s --help'.\n", app->program, msg, app->program);
    return HS_EXIT_USAGE;
}

enum { OPT_LOG_LEVEL = 256, OPT_LOG_FORMAT };

/* Parses the options before the command. Returns -1 to go on, else an exit status. */
static int parse_globals(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    hs_log_level level;
    hs_log_format format;
    int c;
    hs_cli_reset_getopt();
    /* "+": stop at the command, whose options are its own. */
    while ((c = getopt_long(argc, argv, "+c:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            free(app->config_path);
            app->config_path = strdup(optarg);
            app->config_path_given = 1;
            if (!app->config_path)
                return HS_EXIT_FAILURE;
            break;
        case OPT_LOG_LEVEL:
            if (hs_log_level_parse(optarg, &level) != 0)
                return global_error(app, "unknown log level \"%s\"; use error, warn, info or "
                                    "debug", optarg);
            hs_log_set_level(app->log, level);
            app->log_level_given = 1;
            break;
        case OPT_LOG_FORMAT:
            if (hs_log_format_parse(optarg, &format) != 0)
                return global_error(app, "unknown log format \"%s\"; use text or json", optarg);
            hs_log_set_format(app->log, format);
            app->log_format_given = 1;
            break;
        case 'v':
        case 'q':
            hs_log_set_level(app->log, c == 'v' ? HS_LOG_DEBUG : HS_LOG_ERROR);
            app->log_level_given = 1;
            break;
        case 'h':
            usage(app, stdout);
            return HS_EXIT_OK;
        case 'V':
            version(stdout);
            return HS_EXIT_OK;
        default:
            fprintf(stderr, "Try '%s --help'.\n", app->program);
            return HS_EXIT_USAGE;
        }
    }
    return -1;
}

static int run_command(hs_app *app, int argc, char **argv)
{
    if (argc < 1) {
        usage(app, stderr);
        return HS_EXIT_USAGE;
    }
    if (strcmp(argv[0], "help") == 0) {
        if (argc < 2) {
            usage(app, stdout);
            return HS_EXIT_OK;
        }
        const command *cmd = find_command(argv[1]);
        if (!cmd)
            return global_error(app, "unknown command \"%s\"", argv[1]);
        char *help_argv[] = {argv[1], (char *)"--help", NULL};
        hs_cli_reset_getopt();
        return cmd->run(app, 2, help_argv);
    }
    const command *cmd = find_command(argv[0]);
    if (!cmd)
        return global_error(app, "unknown command \"%s\"", argv[0]);
    hs_cli_reset_getopt();
    return cmd->run(app, argc, argv);
}

int hs_cli_main(int argc, char **argv)
{
    hs_app app;
    const char *program = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    program = program ? program + 1 : (argc > 0 && argv[0] ? argv[0] : "hiresync");
    if (hs_app_init(&app, program) != 0) {
        fprintf(stderr, "%s: out of memory\n", program);
        return HS_EXIT_FAILURE;
    }
    int rc = parse_globals(&app, argc, argv);
    if (rc < 0)
        rc = run_command(&app, argc - optind, argv + optind);
    if (fflush(stdout) != 0 && rc == HS_EXIT_OK)
        rc = HS_EXIT_FAILURE;
    hs_app_cleanup(&app);
    return rc;
}
