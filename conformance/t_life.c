/* The interview's life (ABI 2.1): lifecycle records read twice from one cursor, and a read
 * by a host that claims ABI 2.0, which must receive none of 2.1's kinds. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "kit.h"

/* Every key of a read, whatever unit it came in. */
static int emitted_key(const kit_emitted *e, const char *key)
{
    for (size_t i = 0; i < e->n_units; i++) {
        if (kit_strings_has(&e->units[i].keys, key))
            return 1;
    }
    return kit_strings_has(&e->pending, key);
}

static void test_records(kit *k, hs_conn *conn)
{
    kit_emitted first = {0}, again = {0};
    kit_crash_guard("lifecycle");
    hs_status st = kit_read_once(k, conn, k->start_cursor, 0, &first, "read_changes");
    if (st == HS_OK)
        st = kit_read_once(k, conn, k->start_cursor, 0, &again, "re-read");
    if (st != HS_OK) {
        kit_report(k, "lifecycle", KIT_SKIP, "the reads failed (see read-first)");
    } else if (first.life_keys.n == 0) {
        kit_report(k, "lifecycle", KIT_SKIP, "no read emitted an interview's change (invited, "
                   "started, completed, expired, declined); give the remote system such data, "
                   "or --cursor an earlier cursor");
    } else {
        size_t missing = 0;
        for (size_t i = 0; i < first.life_keys.n; i++) {
            if (!emitted_key(&again, first.life_keys.v[i]) && missing++ == 0)
                kit_strings_add(&first.life_problems, "a re-read from the same cursor did not "
                                "emit key \"%s\" again: lifecycle keys must be stable",
                                first.life_keys.v[i]);
        }
        char d[256];
        snprintf(d, sizeof d, "%zu interview changes (%zu of 2.1 kinds, %zu answers read at "
                 "answer_size), keys stable across a re-read, record ids and times set",
                 first.life_keys.n, first.lifecycle, first.answers);
        kit_report_problems(k, "lifecycle", &first.life_problems, d);
    }
    kit_emitted_clear(&first);
    kit_emitted_clear(&again);
}

/* A connection opened with services claiming 2.0, read from the first cursor. */
static void test_old_host(kit *k)
{
    kit_strings p = {0};
    kit_emitted em = {0};
    kit_crash_guard("lifecycle-host-2.0");
    kit_host_clear(&k->old_host);
    kit_host_init(&k->old_host, k);
    hs_conn *conn = kit_open_api(k, &k->api_2_0, &k->old_host, k->config_json, &p);
    if (!conn)
        goto out;
    em.host_2_0 = 1;
    hs_status st = kit_read_once(k, conn, k->start_cursor, 0, &em, "read_changes");
    kit_close(k, conn);
    /* The read's other problems are read-first's to report. */
    if (st != HS_OK)
        kit_strings_add(&p, "read_changes for a host of ABI %u.0: %s; a 2.1 connector serves "
                        "a 2.0 host as a 2.0 connector would", (unsigned)HS_ABI_MAJOR,
                        kit_status_name(st));
    for (size_t i = 0; i < em.old_kinds.n; i++)
        kit_strings_add(&p, "%s", em.old_kinds.v[i]);
out:;
    char d[200];
    snprintf(d, sizeof d, "a host of ABI %u.0 received %zu records, none of a kind added in 2.1",
             (unsigned)HS_ABI_MAJOR, em.records);
    kit_report_problems(k, "lifecycle-host-2.0", &p, d);
    kit_emitted_clear(&em);
    kit_strings_clear(&p);
}

void kit_test_lifecycle(kit *k, hs_conn *conn)
{
    if (!(k->table.capabilities & HS_CAP_READ_CHANGES)) {
        kit_report(k, "lifecycle", KIT_SKIP, "the connector does not offer read_changes");
        kit_report(k, "lifecycle-host-2.0", KIT_SKIP, "the connector does not offer "
                   "read_changes");
        return;
    }
    test_records(k, conn);
    test_old_host(k);
}
