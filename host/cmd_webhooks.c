/* `hiresync webhooks url PIPELINE`: the path to give Willo as the pipeline's webhook. */
#define _DEFAULT_SOURCE

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "webhook.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [global options] webhooks url PIPELINE\n"
            "Prints the path of the pipeline's webhook, " HS_WEBHOOK_PATH_PREFIX
            "PIPELINE/TOKEN, making\n"
            "its token (256 random bits, in STATE_DIR/PIPELINE.webhook, mode 0600) when there\n"
            "is none. Give Willo https://YOUR-PROXY followed by this path: a delivery makes\n"
            "`hiresync run` (with \"listen\" or --listen) read that pipeline's interviews at\n"
            "once. The token is a secret; remove the file and reload the daemon to change it.\n"
            "Reads no connection secret. Exit status: 0; 1 when the token cannot be read or\n"
            "made; 2 for a usage error or a pipeline the configuration does not name.\n",
            program);
}

int hs_cmd_webhooks(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    char token[HS_WEBHOOK_TOKEN_LEN + 1], why[512];
    const char *pipeline;
    int c, rc;
    hs_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app->out, app->program);
            return HS_EXIT_OK;
        }
        return hs_cli_usage_error(app, "webhooks", "unknown option");
    }
    if (argc - optind != 2 || strcmp(argv[optind], "url") != 0)
        return hs_cli_usage_error(app, "webhooks", "expected: url PIPELINE");
    pipeline = argv[optind + 1];
    app->no_secrets = 1;
    if ((rc = hs_app_load_config(app, 1)) != HS_EXIT_OK)
        return rc;
    if (!json_object_object_get_ex(app->config->pipelines, pipeline, NULL))
        return hs_cli_usage_error(app, "webhooks", "no pipeline named \"%s\" in %s", pipeline,
                                  app->config_path);
    if (hs_webhook_token(app->config->state_dir, pipeline, 1, token, why, sizeof why) != 0) {
        fprintf(stderr, "%s webhooks: %s\n", app->program, why);
        return HS_EXIT_FAILURE;
    }
    fprintf(app->out, HS_WEBHOOK_PATH_PREFIX "%s/%s\n", pipeline, token);
    hs_webhook_wipe(token, sizeof token);
    return HS_EXIT_OK;
}
