/* The hiresync program. */
#include <stdio.h>

#include <curl/curl.h>

#include "commands.h"

int main(int argc, char **argv)
{
    /* libcurl's global set-up is not thread-safe, and connectors open their connections on
     * worker threads: do it here, on the main thread, before any module is loaded or any
     * worker started, so no connector's first curl_easy_init() has to. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "hiresync: cannot initialise libcurl; check that libcurl and its TLS "
                        "library are installed\n");
        return HS_EXIT_FAILURE;
    }
    int rc = hs_cli_main(argc, argv);
    curl_global_cleanup();
    return rc;
}
