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
    "  --latency-ms N           delay added to every API response\n"
    "  --token-ttl S            Eploy token lifetime, default 3600\n"
    "  --quota-per-day N        Eploy daily call quota (0: none)\n"
    "  --eploy-key ID:SECRET[:SCOPE,SCOPE...[:deny-ip]]   repeatable\n"
    "  --eploy-date-style utc|naive|offset|seconds\n"
    "  --willo-key KEY          repeatable (default sandbox-willo-key)\n"
    "  --willo-auth any|bearer|token|raw\n"
    "  --willo-duplicates reject|create|return\n"
    "  --willo-rate N           Willo requests per second (0: unlimited)\n"
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

static int64_t today_start_ms(void)
{
    return (int64_t)(time(NULL) / 86400) * 86400000;
}

static int choice(const char *opt, const char *s, int v)
{
    if (v < 0)
        fprintf(stderr, "hiresync-sandbox: unknown --%s value \"%s\"\n", opt, s);
    return v;
}

int hs_sb_parse_options(int argc, char **argv, hs_sb_config *c)
{
    static const struct option opts[] = {
        { "eploy-port", required_argument, NULL, 'E' }, { "willo-port", required_argument, NULL, 'W' },
        { "admin-port", required_argument, NULL, 'A' }, { "seed", required_argument, NULL, 's' },
        { "vacancies", required_argument, NULL, 'v' }, { "applications", required_argument, NULL, 'a' },
        { "interviews", required_argument, NULL, 'i' }, { "participants", required_argument, NULL, 'p' },
        { "latency-ms", required_argument, NULL, 'l' }, { "token-ttl", required_argument, NULL, 't' },
        { "quota-per-day", required_argument, NULL, 'q' }, { "willo-auth", required_argument, NULL, 'u' },
        { "willo-duplicates", required_argument, NULL, 'd' }, { "willo-rate", required_argument, NULL, 'r' },
        { "eploy-key", required_argument, NULL, 'k' }, { "willo-key", required_argument, NULL, 'K' },
        { "eploy-date-style", required_argument, NULL, 'D' }, { "data-end", required_argument, NULL, 'e' },
        { "verbose", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 } };
    static const char *const styles[] = { "utc", "naive", "offset", "seconds" };
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->vacancies = 5;
    c->applications = 50;
    c->interviews = 3;
    c->ports[HS_SB_EPLOY] = 8801;
    c->ports[HS_SB_WILLO] = 8802;
    c->ports[HS_SB_ADMIN] = 8800;
    c->token_ttl = 3600;
    c->data_end_ms = today_start_ms();
    long long v;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *name = NULL;
        for (int i = 0; opts[i].name; i++)
            if (opts[i].val == ch)
                name = opts[i].name;
        switch (ch) {
        case 'E': case 'W': case 'A':
            if (number(name, optarg, 0, 65535, &v))
                return -1;
            c->ports[ch == 'E' ? HS_SB_EPLOY : ch == 'W' ? HS_SB_WILLO : HS_SB_ADMIN] = (int)v;
            break;
        case 's':
            if (number(name, optarg, 0, INT64_MAX, &v))
                return -1;
            c->seed = (uint64_t)v;
            break;
        case 'v': if (number(name, optarg, 0, 60000, &v)) return -1; c->vacancies = (uint32_t)v; break;
        case 'a': if (number(name, optarg, 0, 5000000, &v)) return -1; c->applications = (uint32_t)v; break;
        case 'i': if (number(name, optarg, 0, 100000, &v)) return -1; c->interviews = (uint32_t)v; break;
        case 'p': if (number(name, optarg, 0, 1000000, &v)) return -1; c->participants = (uint32_t)v; break;
        case 'l': if (number(name, optarg, 0, 600000, &v)) return -1; c->latency_ms = (int)v; break;
        case 't': if (number(name, optarg, 1, 86400 * 365, &v)) return -1; c->token_ttl = (int)v; break;
        case 'q': if (number(name, optarg, 0, INT32_MAX, &v)) return -1; c->quota_per_day = (long)v; break;
        case 'r': {
            char *end;
            c->willo_rate = strtod(optarg, &end);
            if (end == optarg || *end || c->willo_rate < 0) {
                fprintf(stderr, "hiresync-sandbox: --willo-rate must be a number of requests per second\n");
                return -1;
            }
            break;
        }
        case 'u':
            if ((c->willo_auth = choice(name, optarg, hs_sb_willo_auth_mode(optarg))) < 0)
                return -1;
            break;
        case 'd':
            if ((c->willo_dup = choice(name, optarg, hs_sb_willo_dup_mode(optarg))) < 0)
                return -1;
            break;
        case 'D':
            c->date_style = -1;
            for (int i = 0; i < 4; i++)
                if (strcmp(optarg, styles[i]) == 0)
                    c->date_style = i;
            if (choice(name, optarg, c->date_style) < 0)
                return -1;
            break;
        case 'e':
            if (hs_sb_parse_date(optarg, &c->data_end_ms)) {
                fprintf(stderr, "hiresync-sandbox: --data-end must be a date like 2026-01-01 or 2026-01-01T00:00:00Z\n");
                return -1;
            }
            break;
        case 'k':
            if (c->n_eploy_keys == HS_SB_MAX_KEYS) {
                fprintf(stderr, "hiresync-sandbox: at most %d --eploy-key options\n", HS_SB_MAX_KEYS);
                return -1;
            }
            if (parse_key(optarg, &c->eploy_keys[c->n_eploy_keys]))
                return -1;
            c->n_eploy_keys++;
            break;
        case 'K':
            if (c->n_willo_keys == HS_SB_MAX_KEYS || strlen(optarg) >= sizeof c->willo_keys[0] || !*optarg) {
                fprintf(stderr, "hiresync-sandbox: --willo-key: at most %d keys of 1-127 characters\n",
                        HS_SB_MAX_KEYS);
                return -1;
            }
            snprintf(c->willo_keys[c->n_willo_keys++], sizeof c->willo_keys[0], "%s", optarg);
            break;
        case 'V':
            c->verbose = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        default:
            fputs(usage, stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hiresync-sandbox: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    if (c->n_eploy_keys == 0) {
        snprintf(c->eploy_keys[0].id, sizeof c->eploy_keys[0].id, "sandbox-client");
        snprintf(c->eploy_keys[0].secret, sizeof c->eploy_keys[0].secret, "sandbox-secret");
        c->eploy_keys[0].scopes = hs_sb_scope_all();
        c->n_eploy_keys = 1;
    }
    if (c->n_willo_keys == 0)
        snprintf(c->willo_keys[c->n_willo_keys++], sizeof c->willo_keys[0], "sandbox-willo-key");
    return 0;
}
