/* Fuzz target: the Willo connector's parsers (interview and participant pages, next links,
 * participants, error bodies, its cursor) through its operations, every answer taken from
 * the input (see fuzz_support.h). */
#include <hiresync/connector.h>

#include "fuzz_host_config.h"
#include "fuzz_support.h"

HS_CONNECTOR_ENTRY(willo);

#define SECRET "Zq9-willo-key-7Xk"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const jobs[] = {"8dc6e16e756b910dd02287e097a35bc1"};
    static const char config[] =
        "{\"base_url\": \"http://127.0.0.1:9/api/integrations/v2\", \"api_key\": \"" SECRET
        "\", \"auth_scheme\": \"auto\", \"min_gap_ms\": 0, \"retry_backoff_ms\": 1, "
        "\"max_attempts\": 2, \"default_country_code\": \"44\"}";
    const hs_connector *c = willo_LTX_hs_connector_entry(HS_ABI_VERSION);
    fuzz_connector_run(c, fuzz_host_config("willo", config), jobs, 1, SECRET, data, size);
    return 0;
}
