/* hiresync-sandbox: starts the Eploy, Willo and admin servers, prints where they listen as
 * one JSON line, and runs until SIGTERM or SIGINT; `hiresync-sandbox admin ...` is instead a
 * client of a running sandbox's admin interface. */
#include "sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

int main(int argc, char **argv)
{
    void *daemons[HS_SB_NSERVERS] = { NULL, NULL, NULL };
    sigset_t stop;
    int sig = 0, rc = 1;
    if (argc > 1 && strcmp(argv[1], "admin") == 0)
        return hs_sb_admin_client(argc - 1, argv + 1);
    int opt = hs_sb_parse_options(argc, argv, &hs_sb_w.cfg);
    if (opt)
        return opt > 0 ? 0 : 2;
    signal(SIGPIPE, SIG_IGN);
    /* Before any thread: libcurl's global set-up is not thread-safe (webhook deliveries). */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "hiresync-sandbox: libcurl initialisation failed\n");
        return 1;
    }
    /* Blocked before any thread starts, so only sigwait() below sees them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (hs_sb_data_build()) {
        fprintf(stderr, "hiresync-sandbox: out of memory generating the data\n");
        return 1;
    }
    int ports[HS_SB_NSERVERS];
    for (int i = 0; i < HS_SB_NSERVERS; i++)
        ports[i] = hs_sb_w.cfg.ports[i];
    if (hs_sb_start_servers(daemons, ports))
        goto out;
    printf("{\"eploy_url\":\"http://127.0.0.1:%d/api\",\"willo_url\":\"http://127.0.0.1:%d%s\","
           "\"admin_url\":\"http://127.0.0.1:%d\"}\n",
           ports[HS_SB_EPLOY], ports[HS_SB_WILLO], HS_SB_WILLO_BASE, ports[HS_SB_ADMIN]);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "hiresync-sandbox: cannot write the start-up line to stdout\n");
        goto out;
    }
    sigwait(&stop, &sig);
    hs_sb_log("stopping on signal %d", sig);
    rc = 0;
out:
    hs_sb_stop_servers(daemons);
    pthread_mutex_lock(&hs_sb_w.lock);
    hs_sb_data_free();
    hs_sb_faults_clear();
    pthread_mutex_unlock(&hs_sb_w.lock);
    hs_sb_stats_reset();
    curl_global_cleanup();
    return rc;
}
