/*
 * What a final HTTP status means to a connector. On its own, so that the fuzz targets, which
 * replace hs_http.c with a scripted server, classify answers with this same code.
 */
#include "hs_http.h"

hs_status hs_http_status_class(long status)
{
    if (status >= 200 && status < 300)
        return HS_OK;
    if (status == 401)
        return HS_E_CONFIG;
    if (status == 403)
        return HS_E_PERMISSION;
    if (status == 400 || status == 404 || status == 409 || status == 422)
        return HS_E_DATA;
    if (status == 408 || status == 429 || (status >= 500 && status < 600))
        return HS_RETRY;
    return HS_E_INTERNAL;
}
