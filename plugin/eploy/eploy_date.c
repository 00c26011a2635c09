/*
 * Dates as Eploy writes them. The zone of zone-less dates is not documented, so it is a
 * setting (timezone_offset_min).
 */
#include "eploy.h"
#include "hs_time.h"

int hs_eploy_date(const hs_conn *conn, const char *remote, int64_t *ms, char *out,
                  size_t out_size)
{
    int64_t v;

    if (remote == NULL || hs_time_parse(remote, conn->cfg.timezone_offset_min, &v) != 0)
        return -1;
    if (ms != NULL)
        *ms = v;
    if (out != NULL && hs_time_format(v, out, out_size) != 0)
        return -1;
    return 0;
}
