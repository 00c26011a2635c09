/* `hiresync connectors`: the installed connectors, and the ones that fail to load. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"

static void usage(const hs_app *app)
{
    fprintf(stdout,
            "Usage: %s connectors [--json]\n"
            "Lists the installed connectors: name, version, ABI, capabilities and module file,\n"
            "then every connector that fails to load, with the reason.\n"
            "Manifests come from $HIRESYNC_MANIFEST_DIR (else the installed directory),\n"
            "modules from $HIRESYNC_CONNECTOR_DIR, else the configuration's \"connector_dir\",\n"
            "else the installed directory.\n"
            "\n"
            "  --json    one JSON document instead of a table\n"
            "  --help    show this help\n"
            "\n"
            "Exit status: 0 all load, 1 some fail to load, 2 a usage or configuration error.\n",
            app->program);
}

static void abi_text(uint32_t v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u", (unsigned)HS_ABI_MAJOR_OF(v), (unsigned)HS_ABI_MINOR_OF(v));
}

/* Modules in the directory that no manifest names: shown so a misplaced file is noticed. */
static json_object *stray_modules(const hs_app *app)
{
    json_object *list = json_object_new_array();
    const char *dir = hs_registry_connector_dir(app->registry);
    DIR *d = list ? opendir(dir) : NULL;
    if (!d)
        return list;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        int named = 0;
        for (size_t i = 0; i < hs_registry_count(app->registry) && !named; i++) {
            const char *module = hs_registry_at(app->registry, i)->manifest->module;
            named = strlen(module) == len - 3 && strncmp(module, e->d_name, len - 3) == 0;
        }
        if (!named) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            json_object_array_add(list, json_object_new_string(path));
        }
    }
    closedir(d);
    return list;
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(json_object *const *)a),
                  json_object_get_string(*(json_object *const *)b));
}

static json_object *module_json(const hs_module *m)
{
    json_object *obj = json_object_new_object();
    if (!obj)
        return NULL;
    int ok = m->loaded == 1;
    uint32_t abi = ok ? m->table.abi_version : m->manifest->abi_version;
    uint32_t caps = ok ? m->table.capabilities : m->manifest->capabilities;
    char abi_s[32];
    abi_text(abi, abi_s, sizeof(abi_s));
    json_object *capv = json_object_new_array();
    for (uint32_t bit = 1; capv && bit && bit <= HS_CAP_WRITE_NOTE; bit <<= 1) {
        if (caps & bit)
            json_object_array_add(capv, json_object_new_string(hs_capability_name(bit)));
    }
    json_object_object_add(obj, "name", json_object_new_string(m->manifest->name));
    json_object_object_add(obj, "version", json_object_new_string(
                                               ok && m->table.version ? m->table.version
                                                                      : m->manifest->version));
    json_object_object_add(obj, "abi", json_object_new_string(abi_s));
    json_object_object_add(obj, "capabilities", capv);
    json_object_object_add(obj, "module", m->path ? json_object_new_string(m->path) : NULL);
    json_object_object_add(obj, "manifest", json_object_new_string(m->manifest->path));
    json_object_object_add(obj, "loaded", json_object_new_boolean(ok));
    json_object_object_add(obj, "error", ok ? NULL : json_object_new_string(m->error));
    return obj;
}

static int print_json(hs_app *app, json_object *strays)
{
    json_object *doc = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object *bad = json_object_new_array();
    int failed = 0;
    for (size_t i = 0; doc && list && i < hs_registry_count(app->registry); i++) {
        const hs_module *m = hs_registry_at(app->registry, i);
        failed |= m->loaded != 1;
        json_object_array_add(list, module_json(m));
    }
    for (size_t i = 0; bad && i < app->manifest_diag.n; i++)
        json_object_array_add(bad, json_object_new_string(app->manifest_diag.lines[i]));
    json_object_object_add(doc, "connector_dir",
                           json_object_new_string(hs_registry_connector_dir(app->registry)));
    json_object_object_add(doc, "manifest_dir", json_object_new_string(hs_app_manifest_dir()));
    json_object_object_add(doc, "connectors", list);
    json_object_object_add(doc, "bad_manifests", bad);
    json_object_object_add(doc, "modules_without_manifest", json_object_get(strays));
    fprintf(app->out, "%s\n",
            json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY
                                                    | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(doc);
    return failed || app->manifest_diag.n ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

static int print_text(hs_app *app, json_object *strays)
{
    FILE *out = app->out;
    size_t n = hs_registry_count(app->registry);
    size_t failed = 0;
    fprintf(out, "%-16s %-10s %-5s %-50s %s\n", "NAME", "VERSION", "ABI", "CAPABILITIES",
            "MODULE");
    for (size_t i = 0; i < n; i++) {
        const hs_module *m = hs_registry_at(app->registry, i);
        if (m->loaded != 1) {
            failed++;
            continue;
        }
        char abi[32], caps[128];
        abi_text(m->table.abi_version, abi, sizeof(abi));
        hs_capabilities_format(m->table.capabilities, caps, sizeof(caps));
        fprintf(out, "%-16s %-10s %-5s %-50s %s\n", m->manifest->name,
                m->table.version ? m->table.version : "?", abi, caps, m->path);
    }
    if (n == failed)
        fprintf(out, "(no connector loaded; manifests: %s, modules: %s)\n", hs_app_manifest_dir(),
                hs_registry_connector_dir(app->registry));
    if (failed || app->manifest_diag.n) {
        fprintf(out, "\nFailed to load:\n");
        for (size_t i = 0; i < n; i++) {
            const hs_module *m = hs_registry_at(app->registry, i);
            if (m->loaded != 1)
                fprintf(out, "  %s: %s\n", m->manifest->name, m->error);
        }
        for (size_t i = 0; i < app->manifest_diag.n; i++)
            fprintf(out, "  %s\n", app->manifest_diag.lines[i]);
    }
    if (strays && json_object_array_length(strays) > 0) {
        fprintf(out, "\nModules without a manifest (not loaded):\n");
        for (size_t i = 0; i < json_object_array_length(strays); i++)
            fprintf(out, "  %s\n", json_object_get_string(json_object_array_get_idx(strays, i)));
    }
    return failed || app->manifest_diag.n ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

int hs_cmd_connectors(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app);
            return HS_EXIT_OK;
        }
        if (c != 'j')
            return hs_cli_usage_error(app, "connectors", "unknown option");
        json = 1;
    }
    if (optind < argc)
        return hs_cli_usage_error(app, "connectors", "unexpected argument \"%s\"", argv[optind]);
    app->no_secrets = 1;   /* lists modules: opens no connection */
    int rc = hs_app_load_config(app, 0);
    if (rc != HS_EXIT_OK)
        return rc;
    hs_registry_load_all(app->registry, NULL);
    json_object *strays = stray_modules(app);
    if (strays)
        json_object_array_sort(strays, cmp_strings);
    rc = json ? print_json(app, strays) : print_text(app, strays);
    json_object_put(strays);
    return rc;
}
