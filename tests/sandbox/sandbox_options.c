/* Command-line options of hiresync-sandbox. */
#include "sandbox.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: hiresync-sandbox [options]\n"
    "  --eploy-port N --willo-port N --admin-port N   ports on 127.0.0.1 (0 picks a free one;\n"
    "                                                 defaults 8801, 8802, 8800)\n"
    "  --seed N                 data seed (default 1)\n"
    "  --vacancies N            default 5\n"
    "  --applications N         default 50 (up to 5000000)\n"
    "  --interviews N           Willo interviews, default 3\n"
    "  --participants N         pre-existing Willo participants, default 0\n"
    "  --data-end DATE          generated dates end here (default: today 00:00 UTC)\n"
    "  --clock-offset-ms N      the sandbox's clock runs N ms ahead of this machine's (negative:\n"
    "                           behind); every date it stamps and its Date header (default 0)\n"
    "  --latency-ms N           delay added to every API response\n"
    "  --token-ttl S            Eploy token lifetime, default 3600\n"
    "  --quota-per-day N        Eploy daily call quota (0: none)\n"
    "  --eploy-key ID:SECRET[:SCOPE,SCOPE...[:deny-ip]]   repeatable\n"
    "  --eploy-date-style utc|naive|offset|seconds\n"
    "  --willo-key KEY          repeatable (default sandbox-willo-key)\n"
    "  --willo-auth any|bearer|token|raw\n"
    "  --willo-duplicates reject|create|return\n"
    "  --willo-rate N           Willo requests per second (0: unlimited)\n"
    "  --willo-deadline-days N  invitations expire N days after they are made (0: never)\n"
    "  --verbose                log requests to stderr\n";

static int number(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "hiresync-sandbox: --%s must be a whole number from %lld to %lld, not \"%s\"\n",
                opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_key(const char *spec, hs_sb_eploy_key *k)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", spec);
    char *id = tmp, *secret = strchr(id, ':');
    if (!secret || secret == id || !secret[1]) {
        fprintf(stderr, "hiresync-sandbox: --eploy-key must be ID:SECRET[:SCOPES[:deny-ip]], not \"%s\"\n", spec);
        return -1;
    }
    *secret++ = '\0';
    char *scopes = strchr(secret, ':');
    if (scopes)
        *scopes++ = '\0';
    char *flag = scopes ? strchr(scopes, ':') : NULL;
    if (flag)
        *flag++ = '\0';
    if (strlen(id) >= sizeof k->id || strlen(secret) >= sizeof k->secret) {
        fprintf(stderr, "hiresync-sandbox: --eploy-key ID and SECRET must be under 128 characters\n");
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->id, id, strlen(id) + 1);
    memcpy(k->secret, secret, strlen(secret) + 1);
    k->scopes = scopes ? 0 : hs_sb_scope_all();
    char *save = NULL;
    for (char *t = scopes ? strtok_r(scopes, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "all") == 0 || strcmp(t, "*") == 0) {
            k->scopes = hs_sb_scope_all();
            continue;
        }
        int bit = hs_sb_scope_bit(t);
        if (bit < 0) {
            fprintf(stderr, "hiresync-sandbox: --eploy-key: unknown scope \"%s\" (e.g. applications.read)\n", t);
            return -1;
        }
        k->scopes |= 1u << bit;
    }
    if (flag && strcmp(flag, "deny-ip") != 0) {
        fprintf(stderr, "hiresync-sandbox: --eploy-key: the fourth field can only be \"deny-ip\"\n");
        return -1;
    }
    k->ip_denied = flag != NULL;
    return 0;
}

static int64_t today_start_ms(int64_t offset_ms)
{
    return ((int64_t)time(NULL) * 1000 + offset_ms) / 86400000 * 86400000;
}

static int choice(const char *opt, const char *s, int v)
{
    if (v < 0)
        fprintf(stderr, "hiresync-sandbox: unknown --%s value \"%s\"\n", opt, s);
    return v;
}

static const struct option opts[] = {
    { "eploy-port", required_argument, NULL, 'E' }, { "willo-port", required_argument, NULL, 'W' },
    { "admin-port", required_argument, NULL, 'A' }, { "seed", required_argument, NULL, 's' },
    { "vacancies", required_argument, NULL, 'v' }, { "applications", required_argument, NULL, 'a' },
    { "interviews", required_argument, NULL, 'i' }, { "participants", required_argument, NULL, 'p' },
    { "latency-ms", required_argument, NULL, 'l' }, { "token-ttl", required_argument, NULL, 't' },
    { "quota-per-day", required_argument, NULL, 'q' }, { "willo-auth", required_argument, NULL, 'u' },
    { "willo-duplicates", required_argument, NULL, 'd' }, { "willo-rate", required_argument, NULL, 'r' },
    { "willo-deadline-days", required_argument, NULL, 'x' },
    { "eploy-key", required_argument, NULL, 'k' }, { "willo-key", required_argument, NULL, 'K' },
    { "eploy-date-style", required_argument, NULL, 'D' }, { "data-end", required_argument, NULL, 'e' },
    { "clock-offset-ms", required_argument, NULL, 'o' }, { "verbose", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 } };

static void set_defaults(hs_sb_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->vacancies = 5;
    c->applications = 50;
    c->interviews = 3;
    c->ports[HS_SB_EPLOY] = 8801;
    c->ports[HS_SB_WILLO] = 8802;
    c->ports[HS_SB_ADMIN] = 8800;
    c->token_ttl = 3600;
    c->data_end_ms = -1;          /* today on the sandbox's clock, once the offset is known */
}

/* Whole-number options: where each goes and its range. */
static int number_option(hs_sb_config *c, int ch, const char *name, const char *arg)
{
    static const struct { int ch; long long lo, hi; } ranges[] = {
        { 'E', 0, 65535 }, { 'W', 0, 65535 }, { 'A', 0, 65535 }, { 's', 0, INT64_MAX },
        { 'v', 0, 60000 }, { 'a', 0, 5000000 }, { 'i', 0, 100000 }, { 'p', 0, 1000000 },
        { 'l', 0, 600000 }, { 't', 1, 86400 * 365 }, { 'q', 0, INT32_MAX },
        { 'o', -HS_SB_CLOCK_OFFSET_MAX_MS, HS_SB_CLOCK_OFFSET_MAX_MS }, { 'x', 0, 3650 } };
    long long v;
    size_t i = 0;
    while (ranges[i].ch != ch)
        i++;
    if (number(name, arg, ranges[i].lo, ranges[i].hi, &v))
        return -1;
    switch (ch) {
    case 'E': c->ports[HS_SB_EPLOY] = (int)v; break;
    case 'W': c->ports[HS_SB_WILLO] = (int)v; break;
    case 'A': c->ports[HS_SB_ADMIN] = (int)v; break;
    case 's': c->seed = (uint64_t)v; break;
    case 'v': c->vacancies = (uint32_t)v; break;
    case 'a': c->applications = (uint32_t)v; break;
    case 'i': c->interviews = (uint32_t)v; break;
    case 'p': c->participants = (uint32_t)v; break;
    case 'l': c->latency_ms = (int)v; break;
    case 't': c->token_ttl = (int)v; break;
    case 'o': c->clock_offset_ms = (int64_t)v; break;
    case 'x': c->willo_deadline_s = (int64_t)v * 86400; break;
    default: c->quota_per_day = (long)v; break;
    }
    return 0;
}

static int date_style(const char *s)
{
    static const char *const styles[] = { "utc", "naive", "offset", "seconds" };
    for (int i = 0; i < 4; i++)
        if (strcmp(s, styles[i]) == 0)
            return i;
    return -1;
}

static int willo_key(hs_sb_config *c, const char *arg)
{
    if (c->n_willo_keys == HS_SB_MAX_KEYS || strlen(arg) >= sizeof c->willo_keys[0] || !*arg) {
        fprintf(stderr, "hiresync-sandbox: --willo-key: at most %d keys of 1-127 characters\n",
                HS_SB_MAX_KEYS);
        return -1;
    }
    snprintf(c->willo_keys[c->n_willo_keys++], sizeof c->willo_keys[0], "%s", arg);
    return 0;
}

static int eploy_key(hs_sb_config *c, const char *arg)
{
    if (c->n_eploy_keys == HS_SB_MAX_KEYS) {
        fprintf(stderr, "hiresync-sandbox: at most %d --eploy-key options\n", HS_SB_MAX_KEYS);
        return -1;
    }
    if (parse_key(arg, &c->eploy_keys[c->n_eploy_keys]))
        return -1;
    c->n_eploy_keys++;
    return 0;
}

static int rate(hs_sb_config *c, const char *arg)
{
    char *end;
    c->willo_rate = strtod(arg, &end);
    if (end == arg || *end || c->willo_rate < 0) {
        fprintf(stderr, "hiresync-sandbox: --willo-rate must be a number of requests per second\n");
        return -1;
    }
    return 0;
}

/* One option; -1 bad, 1 help printed, 0 otherwise. */
static int apply(hs_sb_config *c, int ch, const char *name, const char *arg)
{
    switch (ch) {
    case 'r': return rate(c, arg);
    case 'u': return (c->willo_auth = choice(name, arg, hs_sb_willo_auth_mode(arg))) < 0 ? -1 : 0;
    case 'd': return (c->willo_dup = choice(name, arg, hs_sb_willo_dup_mode(arg))) < 0 ? -1 : 0;
    case 'D': return (c->date_style = choice(name, arg, date_style(arg))) < 0 ? -1 : 0;
    case 'k': return eploy_key(c, arg);
    case 'K': return willo_key(c, arg);
    case 'V': c->verbose = 1; return 0;
    case 'h': fputs(usage, stdout); return 1;
    case 'e':
        if (hs_sb_parse_date(arg, &c->data_end_ms) == 0)
            return 0;
        fprintf(stderr, "hiresync-sandbox: --data-end must be a date like 2026-01-01 or 2026-01-01T00:00:00Z\n");
        return -1;
    default: return number_option(c, ch, name, arg);
    }
}

static void default_keys(hs_sb_config *c)
{
    if (c->n_eploy_keys == 0) {
        snprintf(c->eploy_keys[0].id, sizeof c->eploy_keys[0].id, "sandbox-client");
        snprintf(c->eploy_keys[0].secret, sizeof c->eploy_keys[0].secret, "sandbox-secret");
        c->eploy_keys[0].scopes = hs_sb_scope_all();
        c->n_eploy_keys = 1;
    }
    if (c->n_willo_keys == 0)
        snprintf(c->willo_keys[c->n_willo_keys++], sizeof c->willo_keys[0], "sandbox-willo-key");
}

int hs_sb_parse_options(int argc, char **argv, hs_sb_config *c)
{
    int ch;
    set_defaults(c);
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == '?') {
            fprintf(stderr, "hiresync-sandbox: unknown option or missing value in \"%s\" (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
        const char *name = "option";
        for (int i = 0; opts[i].name; i++)
            if (opts[i].val == ch)
                name = opts[i].name;
        int rc = apply(c, ch, name, optarg);
        if (rc)
            return rc;
    }
    if (optind < argc) {
        fprintf(stderr, "hiresync-sandbox: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    default_keys(c);
    if (c->data_end_ms < 0)
        c->data_end_ms = today_start_ms(c->clock_offset_ms);
    hs_sb_set_clock_offset(c->clock_offset_ms);
    return 0;
}
