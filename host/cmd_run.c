/* `hiresync run`: the schedule, or one round of it with --once. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "listen_addr.h"
#include "schedule.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [global options] run [--once] [--pipeline NAME] [--shard I/N] [--force]\n"
            "       [--dry-run] [--listen HOST:PORT]\n"
            "Runs every enabled pipeline when it is due (default every 3h) and stays up.\n"
            "  --once           run every pipeline due within the grace window (10%% of its\n"
            "                   interval, at least 5 minutes) one time, then exit (cron, timers)\n"
            "  --pipeline NAME  only this pipeline\n"
            "  --shard I/N      only the pipelines of shard I (from 0) of N, by a stable hash\n"
            "                   of their names (a Kubernetes Indexed Job: --shard\n"
            "                   $(JOB_COMPLETION_INDEX)/N); overrides the \"shard\" setting\n"
            "  --force          run even if not due yet\n"
            "  --dry-run        print who would be invited and noted; write and commit nothing\n"
            "  --listen HOST:PORT  serve /metrics, /healthz, /readyz and the webhooks there\n"
            "                   (plain HTTP; overrides \"listen\"; not with --once)\n"
            "A failing pipeline is retried with back-off; the others go on.\n"
            "SIGTERM/SIGINT finish the write in hand and exit 0; SIGHUP reloads the\n"
            "configuration. Exit status with --once: 0 all pipelines succeeded, 1 one\n"
            "failed; 2 usage.\n",
            program);
}

int hs_cmd_run(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"once", no_argument, NULL, 'o'},       {"pipeline", required_argument, NULL, 'p'},
        {"force", no_argument, NULL, 'f'},      {"dry-run", no_argument, NULL, 'n'},
        {"shard", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {"listen", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
    char why[256];
    hs_run_options o;
    hs_listen_addr addr;
    int c, rc;
    memset(&o, 0, sizeof o);
    hs_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o.once = 1; break;
        case 'p': o.pipeline = optarg; break;
        case 'f': o.force = 1; break;
        case 'n': o.dry_run = 1; break;
        case 's':
            if (hs_shard_parse(optarg, &o.shard, why, sizeof why) != 0)
                return hs_cli_usage_error(app, "run", "--shard: %s", why);
            break;
        case 'l':
            if (hs_listen_addr_parse(optarg, &addr, why, sizeof why) != 0)
                return hs_cli_usage_error(app, "run", "--listen: %s", why);
            o.listen = optarg;
            break;
        case 'h': usage(app->out, app->program); return HS_EXIT_OK;
        default: return hs_cli_usage_error(app, "run", "unknown option");
        }
    }
    if (optind < argc)
        return hs_cli_usage_error(app, "run", "unexpected argument \"%s\"", argv[optind]);
    if (o.dry_run)
        o.once = 1;
    if (o.once && o.listen != NULL)
        return hs_cli_usage_error(app, "run", "--listen serves the daemon; drop --once or "
                                  "--dry-run");
    rc = hs_app_load_config(app, 1);
    if (rc != HS_EXIT_OK)
        return rc;
    (void)hs_app_load_modules(app);
    return hs_schedule_run(app, &o);
}
