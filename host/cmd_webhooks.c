/* `hiresync webhooks url PIPELINE`: the path to give Willo as the pipeline's webhook;
 * `webhooks sync [PIPELINE]` and `webhooks list [PIPELINE]`: the subscriptions hiresync
 * manages for pipelines with a public_url. */
#define _DEFAULT_SOURCE

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "subscriptions.h"
#include "webhook.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [global options] webhooks url PIPELINE\n"
            "       %s [global options] webhooks sync [PIPELINE]\n"
            "       %s [global options] webhooks list [PIPELINE]\n"
            "url prints the path of the pipeline's webhook, " HS_WEBHOOK_PATH_PREFIX
            "PIPELINE/TOKEN, making\n"
            "its token (256 random bits, in STATE_DIR/PIPELINE.webhook, mode 0600) when there\n"
            "is none. Give Willo https://YOUR-PROXY followed by this path: a delivery makes\n"
            "`hiresync run` (with \"listen\" or --listen) read that pipeline's interviews at\n"
            "once. The token is a secret; remove the file and reload the daemon to change it.\n"
            "sync makes, for each pipeline with a \"public_url\" (or only PIPELINE), exactly one\n"
            "active subscription on its interviews connection pointing at PUBLIC_URL followed\n"
            "by that path: it repairs one that changed and deletes the stale ones under\n"
            "PUBLIC_URL" HS_WEBHOOK_PATH_PREFIX " (without PIPELINE); nothing else is touched.\n"
            "list shows those subscriptions and what sync would do (ok, missing, differs,\n"
            "stale), tokens masked. Exit status: 0; 1 when a token or a connection fails (or,\n"
            "for list, when anything is not ok); 2 for a usage error or an unknown pipeline.\n",
            program, program, program);
}

static int cmd_url(hs_app *app, const char *pipeline)
{
    char token[HS_WEBHOOK_TOKEN_LEN + 1], why[512];
    if (hs_webhook_token(app->config->state_dir, pipeline, 1, token, why, sizeof why) != 0) {
        fprintf(stderr, "%s webhooks: %s\n", app->program, why);
        return HS_EXIT_FAILURE;
    }
    fprintf(app->out, HS_WEBHOOK_PATH_PREFIX "%s/%s\n", pipeline, token);
    hs_webhook_wipe(token, sizeof token);
    return HS_EXIT_OK;
}

typedef struct printer {
    FILE *out;
    int apply, not_ok;
} printer;

static void print_one(void *ctx, const char *pipeline, const hs_subscription *s, uint32_t action)
{
    printer *p = ctx;
    char url[1100];
    hs_subscriptions_mask(s->target_url ? s->target_url : "", url, sizeof url);
    p->not_ok |= action != HS_SUBSCRIPTION_KEPT;
    fprintf(p->out, "%-20s %-9s %-34s %-14s %-8s %s\n", pipeline ? pipeline : "-",
            hs_subscriptions_verb(action, p->apply), s->id ? s->id : "-",
            s->event ? s->event : "-", s->active ? "active" : "inactive", url);
}

static int cmd_sync(hs_app *app, const char *pipeline, int apply)
{
    char why[4096];
    printer p = {app->out, apply, 0};
    if (pipeline) {
        json_object *cfg;
        json_object_object_get_ex(app->config->pipelines, pipeline, &cfg);
        if (!json_object_object_get_ex(cfg, "public_url", NULL) && !app->config->public_url)
            return hs_cli_usage_error(app, "webhooks", "pipeline \"%s\" has no public_url; add "
                                      "\"public_url\": \"https://…\" to it or to %s", pipeline,
                                      app->config_path);
    }
    hs_app_load_modules(app);
    fprintf(app->out, "%-20s %-9s %-34s %-14s %-8s %s\n", "PIPELINE", apply ? "DONE" : "STATE",
            "KEY", "EVENT", "ACTIVE", "URL");
    int n = hs_subscriptions_sync(app, pipeline, apply, print_one, &p, why, sizeof why);
    if (n < 0) {
        for (char *line = strtok(why, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(stderr, "%s webhooks: %s\n", app->program, line);
        return HS_EXIT_FAILURE;
    }
    if (n == 0)
        fprintf(stderr, "%s webhooks: no pipeline has a public_url; add \"public_url\": "
                "\"https://…\" (the reverse proxy in front of \"listen\") to %s\n",
                app->program, app->config_path);
    return !apply && p.not_ok ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

int hs_cmd_webhooks(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *verb, *pipeline;
    int c, rc, url;
    hs_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app->out, app->program);
            return HS_EXIT_OK;
        }
        return hs_cli_usage_error(app, "webhooks", "unknown option");
    }
    verb = optind < argc ? argv[optind] : "";
    url = strcmp(verb, "url") == 0;
    if (!url && strcmp(verb, "sync") != 0 && strcmp(verb, "list") != 0)
        return hs_cli_usage_error(app, "webhooks", "expected: url PIPELINE, sync [PIPELINE] "
                                  "or list [PIPELINE]");
    if (argc - optind > 2 || (url && argc - optind != 2))
        return hs_cli_usage_error(app, "webhooks", url ? "expected: url PIPELINE"
                                                       : "expected at most one PIPELINE");
    pipeline = argc - optind == 2 ? argv[optind + 1] : NULL;
    app->no_secrets = url;
    if ((rc = hs_app_load_config(app, 1)) != HS_EXIT_OK)
        return rc;
    if (pipeline && !json_object_object_get_ex(app->config->pipelines, pipeline, NULL))
        return hs_cli_usage_error(app, "webhooks", "no pipeline named \"%s\" in %s", pipeline,
                                  app->config_path);
    if (url)
        return cmd_url(app, pipeline);
    return cmd_sync(app, pipeline, strcmp(verb, "sync") == 0);
}
