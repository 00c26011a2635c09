/* Fault rules: matching requests get a status (with Retry-After), a delay, a reset, a
 * truncated or a malformed body, in the order the rules were added, until each runs out. */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kinds[] = { "status", "reset", "truncate", "malformed" };

static int get_int(json_object *rule, const char *name, int def, int *out)
{
    json_object *v;
    if (!json_object_object_get_ex(rule, name, &v) || json_object_is_type(v, json_type_null)) {
        *out = def;
        return 0;
    }
    if (!json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int(v);
    return 0;
}

static int parse_names(json_object *rule, hs_sb_fault *f, char *err, size_t esz)
{
    json_object *v;
    const char *server = json_object_object_get_ex(rule, "server", &v) ? json_object_get_string(v)
                                                                        : "";
    if (strcmp(server, "eploy") == 0) {
        f->server = HS_SB_EPLOY;
    } else if (strcmp(server, "willo") == 0) {
        f->server = HS_SB_WILLO;
    } else {
        snprintf(err, esz, "fault \"server\" must be \"eploy\" or \"willo\"");
        return -1;
    }
    if (json_object_object_get_ex(rule, "route", &v))
        snprintf(f->route, sizeof f->route, "%s", json_object_get_string(v));
    if (json_object_object_get_ex(rule, "method", &v))
        snprintf(f->method, sizeof f->method, "%s", json_object_get_string(v));
    f->kind = HS_SB_FAULT_STATUS;
    if (!json_object_object_get_ex(rule, "kind", &v))
        return 0;
    const char *k = json_object_get_string(v);
    f->kind = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(k, kinds[i]) == 0)
            f->kind = i;
    if (f->kind >= 0)
        return 0;
    snprintf(err, esz, "fault \"kind\" must be status, reset, truncate or malformed");
    return -1;
}

static int parse_numbers(json_object *rule, hs_sb_fault *f, char *err, size_t esz)
{
    int count;
    if (get_int(rule, "status", 0, &f->status) || get_int(rule, "retry_after", -1, &f->retry_after) ||
        get_int(rule, "delay_ms", 0, &f->delay_ms) || get_int(rule, "count", 1, &count)) {
        snprintf(err, esz, "fault status, retry_after, delay_ms and count are integers");
        return -1;
    }
    f->count = count;
    if (f->status != 0 && (f->status < 100 || f->status > 599)) {
        snprintf(err, esz, "fault \"status\" must be an HTTP status (100-599)");
        return -1;
    }
    if (f->delay_ms < 0 || f->delay_ms > 600000) {
        snprintf(err, esz, "fault \"delay_ms\" must be 0-600000");
        return -1;
    }
    return 0;
}

int hs_sb_fault_add(json_object *rule, char *err, size_t esz)
{
    hs_sb_fault f;
    memset(&f, 0, sizeof f);
    if (!json_object_is_type(rule, json_type_object)) {
        snprintf(err, esz, "a fault rule is a JSON object");
        return -1;
    }
    if (parse_names(rule, &f, err, esz) || parse_numbers(rule, &f, err, esz))
        return -1;
    if (hs_sb_w.n_faults == hs_sb_w.cap_faults) {
        size_t cap = hs_sb_w.cap_faults ? hs_sb_w.cap_faults * 2 : 8;
        hs_sb_fault *n = realloc(hs_sb_w.faults, cap * sizeof *n);
        if (!n) {
            snprintf(err, esz, "out of memory");
            return -1;
        }
        hs_sb_w.faults = n;
        hs_sb_w.cap_faults = cap;
    }
    hs_sb_w.faults[hs_sb_w.n_faults++] = f;
    return 0;
}

void hs_sb_faults_clear(void)
{
    free(hs_sb_w.faults);
    hs_sb_w.faults = NULL;
    hs_sb_w.n_faults = hs_sb_w.cap_faults = 0;
}

json_object *hs_sb_faults_json(void)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < hs_sb_w.n_faults; i++) {
        const hs_sb_fault *f = &hs_sb_w.faults[i];
        json_object *o = json_object_new_object();
        if (!o)
            break;
        json_object_object_add(o, "server",
                               json_object_new_string(f->server == HS_SB_EPLOY ? "eploy" : "willo"));
        json_object_object_add(o, "route", json_object_new_string(f->route));
        json_object_object_add(o, "method", json_object_new_string(f->method));
        json_object_object_add(o, "kind", json_object_new_string(kinds[f->kind]));
        json_object_object_add(o, "status", json_object_new_int(f->status));
        json_object_object_add(o, "retry_after", json_object_new_int(f->retry_after));
        json_object_object_add(o, "delay_ms", json_object_new_int(f->delay_ms));
        json_object_object_add(o, "count", json_object_new_int64(f->count));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* Willo routes may be given relative to the v2 base ("/participants/") or absolute. */
static int route_matches(const hs_sb_fault *f, int server, const char *path)
{
    size_t n = strlen(f->route);
    if (strncmp(path, f->route, n) == 0)
        return 1;
    size_t base = strlen(HS_SB_WILLO_BASE);
    if (server == HS_SB_WILLO && strncmp(path, HS_SB_WILLO_BASE, base) == 0)
        return strncmp(path + base, f->route, n) == 0;
    return 0;
}

int hs_sb_fault_take(int server, const char *method, const char *path, hs_sb_fault *out)
{
    for (size_t i = 0; i < hs_sb_w.n_faults; i++) {
        hs_sb_fault *f = &hs_sb_w.faults[i];
        if (f->server != server || f->count == 0 || !route_matches(f, server, path))
            continue;
        if (f->method[0] && strcasecmp(f->method, method) != 0)
            continue;
        *out = *f;
        if (f->count > 0 && --f->count == 0) {
            memmove(f, f + 1, (hs_sb_w.n_faults - i - 1) * sizeof *f);
            hs_sb_w.n_faults--;
        }
        return 0;
    }
    return -1;
}
