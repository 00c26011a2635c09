/* Fuzz target: the Eploy connector's parsers (token answers, search envelopes and records,
 * dropdowns, workflows, candidates, actions, error bodies, its cursor) through its
 * operations, every answer taken from the input (see fuzz_support.h). */
#include <hiresync/connector.h>

#include "fuzz_host_config.h"
#include "fuzz_support.h"

HS_CONNECTOR_ENTRY(eploy);

#define SECRET "Zq9-eploy-secret-7Xk"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const jobs[] = {"1001", "1002"};
    static const char config[] =
        "{\"base_url\": \"http://127.0.0.1:9/api\", \"client_id\": \"fuzz-client\", "
        "\"client_secret\": \"" SECRET "\", \"note_action_type\": \"1\", "
        "\"open_statuses\": [\"Open\"], \"signpost_lag_s\": 0, \"max_attempts\": 2}";
    const hs_connector *c = eploy_LTX_hs_connector_entry(HS_ABI_VERSION);
    fuzz_connector_run(c, fuzz_host_config("eploy", config), jobs, 2, SECRET, data, size);
    return 0;
}
