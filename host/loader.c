/* Loading and validating connector modules (libltdl). */
#define _XOPEN_SOURCE 700
#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ltdl.h>

/* Shared objects on the platforms hiresync targets. */
#define HS_MODULE_EXT ".so"

int hs_loader_init(void)
{
    return lt_dlinit() == 0 ? 0 : -1;
}

void hs_loader_exit(void)
{
    lt_dlexit();
}

static void fmt_abi(uint32_t v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u", (unsigned)HS_ABI_MAJOR_OF(v), (unsigned)HS_ABI_MINOR_OF(v));
}

/* The file must be a regular file (not a symlink) whose real path lies inside the real
 * connector directory, so a configured directory cannot be escaped by "..", links or
 * module names. */
static int check_file(const char *dir, const char *path, char *error, size_t error_size)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        snprintf(error, error_size, "%s: cannot use module: %s; install the connector into %s "
                 "or set connector_dir", path, strerror(errno), dir);
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        snprintf(error, error_size, "%s: is a symbolic link; connector modules must be "
                 "regular files inside %s (copy the file instead)", path, dir);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(error, error_size, "%s: not a regular file; connector modules must be "
                 "regular files inside %s", path, dir);
        return -1;
    }
    /* Code anyone may rewrite would run with hiresync's credentials. */
    if (st.st_mode & S_IWOTH) {
        snprintf(error, error_size, "%s: writable by any user (mode %04o); run: chmod o-w %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        return -1;
    }
    char real_dir[PATH_MAX], real_file[PATH_MAX];
    if (!realpath(dir, real_dir) || !realpath(path, real_file)) {
        snprintf(error, error_size, "%s: cannot resolve the path: %s", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(real_dir);
    if (strncmp(real_file, real_dir, n) != 0 || real_file[n] != '/'
        || strchr(real_file + n + 1, '/') != NULL) {
        snprintf(error, error_size, "%s: outside the connector directory %s; modules are "
                 "loaded only from there", path, dir);
        return -1;
    }
    return 0;
}

static const struct {
    uint32_t cap;
    const char *name;
    size_t offset;
} operations[] = {
    {HS_CAP_CHECK, "check", offsetof(hs_connector, check)},
    {HS_CAP_DISCOVER_JOBS, "discover_jobs", offsetof(hs_connector, discover_jobs)},
    {HS_CAP_READ_CHANGES, "read_changes", offsetof(hs_connector, read_changes)},
    {HS_CAP_WRITE_INVITATION, "write_invitation", offsetof(hs_connector, write_invitation)},
    {HS_CAP_WRITE_NOTE, "write_note", offsetof(hs_connector, write_note)},
};
#define N_OPERATIONS (sizeof(operations) / sizeof(operations[0]))

/* Function pointers are read through memcpy: the table is plain data of the module. */
static int op_present(const hs_connector *table, size_t offset)
{
    void (*fn)(void);
    memcpy(&fn, (const char *)table + offset, sizeof(fn));
    return fn != NULL;
}

static int check_operations(const char *path, const hs_connector *t, char *error,
                            size_t error_size)
{
    size_t need = offsetof(hs_connector, close) + sizeof(t->close);
    if (t->struct_size < need) {
        snprintf(error, error_size, "%s: connector table is %u bytes, too short for the "
                 "required operations open and close (%zu bytes); rebuild the connector",
                 path, (unsigned)t->struct_size, need);
        return -1;
    }
    for (size_t i = 0; i < N_OPERATIONS; i++) {
        if (!(t->capabilities & operations[i].cap))
            continue;
        need = operations[i].offset + sizeof(void (*)(void));
        if (t->struct_size < need) {
            snprintf(error, error_size, "%s: connector table is %u bytes, too short for "
                     "operation %s its capabilities declare (%zu bytes needed); rebuild the "
                     "connector", path, (unsigned)t->struct_size, operations[i].name, need);
            return -1;
        }
    }
    if (!t->open || !t->close) {
        snprintf(error, error_size, "%s: required operation %s is NULL; the connector must "
                 "provide open and close", path, !t->open ? "open" : "close");
        return -1;
    }
    for (size_t i = 0; i < N_OPERATIONS; i++) {
        if ((t->capabilities & operations[i].cap) && !op_present(t, operations[i].offset)) {
            snprintf(error, error_size, "%s: operation %s is NULL although the connector "
                     "declares it in its capabilities", path, operations[i].name);
            return -1;
        }
    }
    return 0;
}

static int check_table(const char *path, const char *expected_name, const hs_connector *t,
                       hs_module *out, char *error, size_t error_size)
{
    char host_v[32], mod_v[32];
    fmt_abi(HS_ABI_VERSION, host_v, sizeof(host_v));
    if (!t) {
        snprintf(error, error_size, "%s: the entry returned no connector table for host ABI "
                 "%s; use a connector built for ABI %u.x", path, host_v, (unsigned)HS_ABI_MAJOR);
        return -1;
    }
    size_t header = offsetof(hs_connector, capabilities) + sizeof(t->capabilities);
    if (t->struct_size < header) {
        snprintf(error, error_size, "%s: connector table is %u bytes, too short to be a "
                 "connector table; rebuild the connector", path, (unsigned)t->struct_size);
        return -1;
    }
    fmt_abi(t->abi_version, mod_v, sizeof(mod_v));
    if (HS_ABI_MAJOR_OF(t->abi_version) != HS_ABI_MAJOR) {
        snprintf(error, error_size, "%s: built for connector ABI %s, but this hiresync has "
                 "ABI %s (the major versions differ); rebuild the connector against ABI %u.x",
                 path, mod_v, host_v, (unsigned)HS_ABI_MAJOR);
        return -1;
    }
    if (HS_ABI_MINOR_OF(t->abi_version) > HS_ABI_MINOR) {
        snprintf(error, error_size, "%s: built for connector ABI %s, newer than this "
                 "hiresync's ABI %s; upgrade hiresync or use a connector built for ABI %s",
                 path, mod_v, host_v, host_v);
        return -1;
    }
    if (check_operations(path, t, error, error_size) != 0)
        return -1;
    if (!t->name || strcmp(t->name, expected_name) != 0) {
        snprintf(error, error_size, "%s: connector name \"%s\" differs from its manifest's "
                 "name \"%s\"; install the module that belongs to the manifest", path,
                 t->name ? t->name : "(null)", expected_name);
        return -1;
    }
    memset(&out->table, 0, sizeof(out->table));
    memcpy(&out->table, t,
           t->struct_size < sizeof(out->table) ? t->struct_size : sizeof(out->table));
    return 0;
}

int hs_module_load(const char *dir, const char *module_name, const char *expected_name,
                   hs_module *out, char *error, size_t error_size)
{
    lt_dlhandle handle = NULL;
    lt_dladvise advise = NULL;
    void *now = NULL;
    char path[PATH_MAX];
    int rc = -1;
    free(out->path);
    out->path = NULL;
    out->handle = NULL;
    int n = snprintf(path, sizeof(path), "%s/%s%s", dir, module_name, HS_MODULE_EXT);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(error, error_size, "%s/%s: path too long", dir, module_name);
        goto out;
    }
    out->path = strdup(path);
    if (!out->path) {
        snprintf(error, error_size, "%s: out of memory", path);
        goto out;
    }
    if (check_file(dir, path, error, error_size) != 0)
        goto out;
    /* Local symbols: two connectors never see each other's symbols. */
    if (lt_dladvise_init(&advise) != 0 || lt_dladvise_local(&advise) != 0) {
        snprintf(error, error_size, "%s: cannot prepare loading: %s", path, lt_dlerror());
        goto out;
    }
    /* libltdl binds lazily: a missing symbol would only show at its first call, as a crash.
     * Binding everything now, on a handle of our own, turns that into a refusal; libltdl's
     * handle then shares the already bound object. */
    now = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!now) {
        const char *why = dlerror();
        snprintf(error, error_size, "%s: cannot be loaded: %s; check that its libraries are "
                 "installed (ldd %s)", path, why ? why : "unknown error", path);
        goto out;
    }
    handle = lt_dlopenadvise(path, advise);
    if (!handle) {
        const char *why = lt_dlerror();
        snprintf(error, error_size, "%s: cannot be loaded: %s; check that its libraries are "
                 "installed (ldd %s)", path, why ? why : "unknown error", path);
        goto out;
    }
    /* libltdl tries "<module>_LTX_hs_connector_entry" first, then the bare name. */
    void *sym = lt_dlsym(handle, HS_CONNECTOR_ENTRY_SYMBOL);
    if (!sym) {
        snprintf(error, error_size, "%s: no entry symbol %s_LTX_%s; declare it with "
                 "HS_CONNECTOR_ENTRY(%s)", path, module_name, HS_CONNECTOR_ENTRY_SYMBOL,
                 module_name);
        goto out;
    }
    hs_connector_entry_fn entry;
    memcpy(&entry, &sym, sizeof(entry));
    if (check_table(path, expected_name, entry(HS_ABI_VERSION), out, error, error_size) != 0)
        goto out;
    out->handle = handle;
    handle = NULL;
    out->loaded = 1;
    out->error[0] = '\0';
    rc = 0;
out:
    if (advise)
        lt_dladvise_destroy(&advise);
    if (handle)
        lt_dlclose(handle);
    if (now)
        dlclose(now);
    if (rc != 0) {
        out->loaded = -1;
        snprintf(out->error, sizeof(out->error), "%s", error);
    }
    return rc;
}

void hs_module_unload(hs_module *module)
{
    if (!module)
        return;
    if (module->handle)
        lt_dlclose((lt_dlhandle)module->handle);
    module->handle = NULL;
    free(module->path);
    module->path = NULL;
    module->loaded = 0;
}

struct hs_registry {
    hs_manifest_set *manifests;
    char *connector_dir;
    hs_module *modules;       /* one per manifest, same order */
    int ltdl_ready;
};

hs_registry *hs_registry_new(hs_manifest_set *manifests, const char *connector_dir)
{
    hs_registry *r = calloc(1, sizeof(*r));
    if (!r) {
        hs_manifest_set_free(manifests);
        return NULL;
    }
    r->manifests = manifests;
    r->connector_dir = strdup(connector_dir);
    r->modules = calloc(manifests->n ? manifests->n : 1, sizeof(*r->modules));
    if (!r->connector_dir || !r->modules || hs_loader_init() != 0) {
        hs_registry_free(r);
        return NULL;
    }
    r->ltdl_ready = 1;
    for (size_t i = 0; i < manifests->n; i++)
        r->modules[i].manifest = manifests->items[i];
    return r;
}

void hs_registry_free(hs_registry *registry)
{
    if (!registry)
        return;
    for (size_t i = 0; registry->modules && i < registry->manifests->n; i++)
        hs_module_unload(&registry->modules[i]);
    free(registry->modules);
    if (registry->ltdl_ready)
        hs_loader_exit();
    hs_manifest_set_free(registry->manifests);
    free(registry->connector_dir);
    free(registry);
}

const hs_manifest_set *hs_registry_manifests(const hs_registry *registry)
{
    return registry->manifests;
}

const char *hs_registry_connector_dir(const hs_registry *registry)
{
    return registry->connector_dir;
}

/* The manifest promises operations to the configuration checks; the module must keep them. */
static int check_manifest_caps(hs_module *m, char *error, size_t error_size)
{
    uint32_t missing = m->manifest->capabilities & ~m->table.capabilities;
    if (!missing)
        return 0;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        if (missing & bit) {
            snprintf(error, error_size, "%s: the manifest %s declares operation %s, which the "
                     "module does not offer; install matching module and manifest", m->path,
                     m->manifest->path, hs_capability_name(bit));
            break;
        }
    }
    snprintf(m->error, sizeof(m->error), "%s", error);
    m->loaded = -1;
    lt_dlclose((lt_dlhandle)m->handle);
    m->handle = NULL;
    return -1;
}

static hs_module *registry_load(hs_registry *r, size_t i)
{
    hs_module *m = &r->modules[i];
    char error[sizeof(m->error)];
    if (m->loaded == 0
        && hs_module_load(r->connector_dir, m->manifest->module, m->manifest->name, m, error,
                          sizeof(error)) == 0)
        check_manifest_caps(m, error, sizeof(error));
    return m;
}

const hs_module *hs_registry_get(hs_registry *registry, const char *name, char *error,
                                 size_t error_size)
{
    for (size_t i = 0; i < registry->manifests->n; i++) {
        if (strcmp(registry->manifests->items[i]->name, name) != 0)
            continue;
        hs_module *m = registry_load(registry, i);
        if (m->loaded == 1)
            return m;
        snprintf(error, error_size, "%s", m->error);
        return NULL;
    }
    snprintf(error, error_size, "%s: no manifest for connector \"%s\"; install it or check the "
             "name", registry->manifests->dir, name);
    return NULL;
}

size_t hs_registry_load_all(hs_registry *registry, const char *const *names)
{
    size_t refused = 0;
    for (size_t i = 0; registry && i < registry->manifests->n; i++) {
        int wanted = names == NULL;
        for (size_t j = 0; names && names[j]; j++)
            wanted |= strcmp(names[j], registry->manifests->items[i]->name) == 0;
        if (wanted && registry_load(registry, i)->loaded != 1)
            refused++;
    }
    return refused;
}

size_t hs_registry_count(const hs_registry *registry)
{
    return registry->manifests->n;
}

const hs_module *hs_registry_at(const hs_registry *registry, size_t i)
{
    return i < registry->manifests->n ? &registry->modules[i] : NULL;
}
