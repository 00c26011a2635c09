/* The report: one line per test, or one JSON document with --json. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

#include "kit.h"

static const char *result_name(kit_result r)
{
    return r == KIT_PASS ? "PASS" : r == KIT_FAIL ? "FAIL" : "SKIP";
}

void kit_report(kit *k, const char *test, kit_result result, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (result == KIT_PASS)
        k->passed++;
    else if (result == KIT_FAIL)
        k->failed++;
    else
        k->skipped++;
    if (!k->json) {
        fprintf(k->out, "%s  %-20s %s\n", result_name(result), test, detail);
        fflush(k->out);
        return;
    }
    json_object *t = json_object_new_object();
    json_object_object_add(t, "test", json_object_new_string(test));
    json_object_object_add(t, "result", json_object_new_string(result_name(result)));
    json_object_object_add(t, "detail", json_object_new_string(detail));
    json_object_array_add(k->json_tests, t);
}

void kit_report_problems(kit *k, const char *test, const kit_strings *problems,
                         const char *pass_detail)
{
    if (problems->n == 0)
        kit_report(k, test, KIT_PASS, "%s", pass_detail);
    else if (problems->n == 1)
        kit_report(k, test, KIT_FAIL, "%s", problems->v[0]);
    else
        kit_report(k, test, KIT_FAIL, "%s (and %zu more)", problems->v[0], problems->n - 1);
}

int kit_report_finish(kit *k)
{
    int rc = k->failed ? KIT_EXIT_VIOLATION : KIT_EXIT_PASS;
    if (!k->json) {
        fprintf(k->out, "%s: %zu passed, %zu failed, %zu skipped (%zu connector calls, %zu log "
                "lines)\n", k->failed ? "FAILED" : "OK", k->passed, k->failed, k->skipped,
                k->calls, k->log_lines);
        return rc;
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "connector",
                           json_object_new_string(k->name[0] ? k->name : k->target));
    json_object_object_add(doc, "module", k->module_path[0]
                                              ? json_object_new_string(k->module_path) : NULL);
    json_object_object_add(doc, "passed", json_object_new_int64((int64_t)k->passed));
    json_object_object_add(doc, "failed", json_object_new_int64((int64_t)k->failed));
    json_object_object_add(doc, "skipped", json_object_new_int64((int64_t)k->skipped));
    json_object_object_add(doc, "tests", json_object_get(k->json_tests));
    fprintf(k->out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
    return rc;
}

const char *kit_status_name(hs_status st)
{
    static const char *names[] = {"HS_OK", "HS_RETRY", "HS_E_CONFIG", "HS_E_PERMISSION",
                                  "HS_E_DATA", "HS_E_UNSUPPORTED", "HS_E_INTERNAL",
                                  "HS_E_CANCELLED", "HS_E_CONFLICT"};
    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "an unknown status";
}
