/* `hiresync connectors`: the installed connectors, and the ones that fail to load. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"

static void usage(const hs_app *app)
{
    fprintf(stdout,
            "Usage: %s connectors [--json]\n"
            "Lists the connectors found: name, version, ABI, capabilities and module file,\n"
            "where each came from (directory, manifest) and what it shadows; then every\n"
            "connector that fails to load, with the reason, modules without a manifest and\n"
            "the search path. Connectors are looked for in $HIRESYNC_CONNECTOR_PATH, then\n"
            "the configuration's \"connector_path\", then the built-in directory; the first\n"
            "connector of a name wins. A connector is a module NAME.so with its manifest\n"
            "NAME.json beside it.\n"
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

static json_object *dir_json(const hs_search_dir *d)
{
    json_object *obj = json_object_new_object();
    if (!obj || !d)
        return obj;
    json_object_object_add(obj, "directory", json_object_new_string(d->dir));
    if (d->manifest_dir)
        json_object_object_add(obj, "manifest_directory",
                               json_object_new_string(d->manifest_dir));
    json_object_object_add(obj, "origin", json_object_new_string(d->origin));
    return obj;
}

/* The same-named connectors later in the path that m's wins over. */
static json_object *shadows_json(const hs_app *app, const hs_module *m)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; list && i < hs_registry_shadowed_count(app->registry); i++) {
        const hs_shadowed *s = hs_registry_shadowed_at(app->registry, i);
        if (strcmp(s->name, m->manifest->name) != 0)
            continue;
        json_object *obj = dir_json(s->found_in);
        if (!obj)
            continue;
        json_object_object_add(obj, "module", json_object_new_string(s->module_path));
        json_object_object_add(obj, "manifest", json_object_new_string(s->manifest_path));
        json_object_array_add(list, obj);
    }
    return list;
}

static json_object *module_json(const hs_app *app, const hs_module *m)
{
    json_object *obj = dir_json(m->found_in);
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
    if (m->target)
        json_object_object_add(obj, "module_target", json_object_new_string(m->target));
    json_object_object_add(obj, "manifest", json_object_new_string(m->manifest->path));
    json_object_object_add(obj, "shadows", shadows_json(app, m));
    json_object_object_add(obj, "loaded", json_object_new_boolean(ok));
    json_object_object_add(obj, "error", ok ? NULL : json_object_new_string(m->error));
    return obj;
}

static json_object *strays_json(const hs_app *app)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; list && i < hs_registry_stray_count(app->registry); i++)
        json_object_array_add(list, json_object_new_string(hs_registry_stray_at(app->registry,
                                                                                i)));
    return list;
}

static json_object *search_path_json(const hs_search_path *path)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; list && i < path->n; i++)
        json_object_array_add(list, dir_json(&path->dirs[i]));
    return list;
}

static int print_json(hs_app *app)
{
    json_object *doc = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object *bad = json_object_new_array();
    int failed = 0;
    for (size_t i = 0; doc && list && i < hs_registry_count(app->registry); i++) {
        const hs_module *m = hs_registry_at(app->registry, i);
        failed |= m->loaded != 1;
        json_object_array_add(list, module_json(app, m));
    }
    for (size_t i = 0; bad && i < app->manifest_diag.n; i++)
        json_object_array_add(bad, json_object_new_string(app->manifest_diag.lines[i]));
    const hs_search_path *path = hs_registry_search_path(app->registry);
    const hs_search_dir *builtin = &path->dirs[path->n - 1];
    json_object_object_add(doc, "search_path", search_path_json(path));
    json_object_object_add(doc, "connector_dir", json_object_new_string(builtin->dir));
    json_object_object_add(doc, "manifest_dir", json_object_new_string(
                                                    builtin->manifest_dir ? builtin->manifest_dir
                                                                          : builtin->dir));
    json_object_object_add(doc, "connectors", list);
    json_object_object_add(doc, "bad_manifests", bad);
    json_object_object_add(doc, "modules_without_manifest", strays_json(app));
    fprintf(app->out, "%s\n",
            json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY
                                                    | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(doc);
    return failed || app->manifest_diag.n ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

/* Where m came from, and what it shadows: indented lines under its row. */
static void print_origin(FILE *out, const hs_app *app, const hs_module *m)
{
    const hs_search_dir *d = m->found_in;
    if (d)
        fprintf(out, "    from %s (%s), manifest %s\n", d->dir, d->origin, m->manifest->path);
    if (m->target)
        fprintf(out, "    module links to %s\n", m->target);
    for (size_t i = 0; i < hs_registry_shadowed_count(app->registry); i++) {
        const hs_shadowed *s = hs_registry_shadowed_at(app->registry, i);
        if (strcmp(s->name, m->manifest->name) == 0)
            fprintf(out, "    shadows %s (%s), manifest %s\n", s->module_path,
                    s->found_in->origin, s->manifest_path);
    }
}

static void print_search_path(FILE *out, const hs_search_path *path)
{
    fprintf(out, "\nSearch path (the first connector of a name wins):\n");
    for (size_t i = 0; i < path->n; i++) {
        const hs_search_dir *d = &path->dirs[i];
        fprintf(out, "  %s (%s%s%s)\n", d->dir, d->origin,
                d->manifest_dir ? "; manifests in " : "", d->manifest_dir ? d->manifest_dir : "");
    }
}

static int print_text(hs_app *app)
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
        print_origin(out, app, m);
    }
    if (n == failed)
        fprintf(out, "(no connector loaded)\n");
    if (failed || app->manifest_diag.n) {
        fprintf(out, "\nFailed to load:\n");
        for (size_t i = 0; i < n; i++) {
            const hs_module *m = hs_registry_at(app->registry, i);
            if (m->loaded != 1) {
                fprintf(out, "  %s: %s\n", m->manifest->name, m->error);
                print_origin(out, app, m);
            }
        }
        for (size_t i = 0; i < app->manifest_diag.n; i++)
            fprintf(out, "  %s\n", app->manifest_diag.lines[i]);
    }
    if (hs_registry_stray_count(app->registry) > 0) {
        fprintf(out, "\nModules without a manifest (not loaded):\n");
        for (size_t i = 0; i < hs_registry_stray_count(app->registry); i++)
            fprintf(out, "  %s\n", hs_registry_stray_at(app->registry, i));
    }
    print_search_path(out, hs_registry_search_path(app->registry));
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
    return json ? print_json(app) : print_text(app);
}
