/* Finding connectors along the search path, and the registry of those found. */
#define _XOPEN_SOURCE 700
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ltdl.h>

#define HS_MODULE_EXT ".so"
#define HS_MANIFEST_EXT ".json"

/* ---- the search path ------------------------------------------------------------------- */

static void search_dir_clear(hs_search_dir *d)
{
    free(d->dir);
    free(d->manifest_dir);
    free(d->origin);
}

int hs_search_path_add(hs_search_path *path, const char *dir, const char *manifest_dir,
                       const char *origin, int required)
{
    hs_search_dir *dirs = realloc(path->dirs, (path->n + 1) * sizeof(*dirs));
    if (!dirs)
        return -1;
    path->dirs = dirs;
    hs_search_dir *d = &dirs[path->n];
    memset(d, 0, sizeof(*d));
    d->dir = strdup(dir);
    d->manifest_dir = manifest_dir ? strdup(manifest_dir) : NULL;
    d->origin = strdup(origin);
    d->required = required;
    if (!d->dir || !d->origin || (manifest_dir && !d->manifest_dir)) {
        search_dir_clear(d);
        return -1;
    }
    path->n++;
    return 0;
}

void hs_search_path_clear(hs_search_path *path)
{
    for (size_t i = 0; i < path->n; i++)
        search_dir_clear(&path->dirs[i]);
    free(path->dirs);
    path->dirs = NULL;
    path->n = 0;
}

/* ---- the registry ---------------------------------------------------------------------- */

/* A connector found, before the registry is built from the list sorted by name. */
typedef struct found {
    hs_manifest *manifest;
    char *stem;                  /* module file name without HS_MODULE_EXT */
    size_t dir;                  /* index into the search path */
} found;

struct hs_registry {
    hs_search_path path;
    hs_manifest_set *manifests;  /* the connectors found, sorted by name */
    hs_module *modules;          /* one per manifest, same order */
    char **stems;                /* one per manifest: the module file name without .so */
    hs_shadowed *shadowed;
    size_t n_shadowed;
    char **strays;
    size_t n_strays;
    found *found;                /* while discovering */
    size_t n_found;
    int ltdl_ready;
};

/* items (holding n elements of size `size`) with room for one more: the capacity doubles
 * at every power of two. NULL when out of memory, items then unchanged. */
static void *grow(void *items, size_t n, size_t size)
{
    if (items && (n & (n - 1)) != 0)
        return items;
    return realloc(items, (n ? n * 2 : 1) * size);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a > b && strcmp(s + a - b, suffix) == 0;
}

static int json_entry(const struct dirent *e)
{
    return e->d_name[0] != '.' && ends_with(e->d_name, HS_MANIFEST_EXT);
}

static int module_entry(const struct dirent *e)
{
    return e->d_name[0] != '.' && ends_with(e->d_name, HS_MODULE_EXT);
}

static char *stem_of(const char *file, const char *ext)
{
    return strndup(file, strlen(file) - strlen(ext));
}

static const found *find_found(const hs_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_found; i++) {
        if (strcmp(r->found[i].manifest->name, name) == 0)
            return &r->found[i];
    }
    return NULL;
}

static int add_shadowed(hs_registry *r, const hs_manifest *m, const char *stem, size_t dir)
{
    hs_shadowed *more = grow(r->shadowed, r->n_shadowed, sizeof(*more));
    if (!more)
        return -1;
    r->shadowed = more;
    hs_shadowed *s = &r->shadowed[r->n_shadowed];
    char module[PATH_MAX];
    snprintf(module, sizeof(module), "%s/%s%s", r->path.dirs[dir].dir, stem, HS_MODULE_EXT);
    s->name = strdup(m->name);
    s->module_path = strdup(module);
    s->manifest_path = strdup(m->path);
    s->found_in = &r->path.dirs[dir];
    r->n_shadowed++;
    return s->name && s->module_path && s->manifest_path ? 0 : -1;
}

/* Takes m (freed unless kept). The first directory to provide a name wins; a second
 * manifest of that name in the same directory is a mistake, in a later one a shadow. */
static int add_manifest(hs_registry *r, hs_manifest *m, const char *stem, size_t dir,
                        hs_diag *diag)
{
    int rc = 0;
    found *more;
    const found *first = find_found(r, m->name);
    if (first && first->dir == dir) {
        hs_diag_add(diag, "%s: $.name: \"%s\" is already the name of %s; each connector "
                    "needs its own name", m->path, m->name, first->manifest->path);
    } else if (first) {
        rc = add_shadowed(r, m, stem, dir);
    } else if (!(more = grow(r->found, r->n_found, sizeof(*more)))) {
        rc = -1;
    } else {
        r->found = more;
        found *f = &r->found[r->n_found];
        f->stem = strdup(stem);
        f->dir = dir;
        f->manifest = m;
        if (f->stem) {
            r->n_found++;
            return 0;
        }
        rc = -1;
    }
    hs_manifest_free(m);
    return rc;
}

static int add_stray(hs_registry *r, const char *line)
{
    char **more = grow(r->strays, r->n_strays, sizeof(*more));
    if (!more)
        return -1;
    r->strays = more;
    if (!(r->strays[r->n_strays] = strdup(line)))
        return -1;
    r->n_strays++;
    return 0;
}

/* 1 when a manifest read from directory dir names stem as its module. */
static int stem_named(const hs_registry *r, size_t dir, const char *stem)
{
    char module[PATH_MAX];
    snprintf(module, sizeof(module), "%s/%s%s", r->path.dirs[dir].dir, stem, HS_MODULE_EXT);
    for (size_t i = 0; i < r->n_found; i++) {
        if (r->found[i].dir == dir && strcmp(r->found[i].stem, stem) == 0)
            return 1;
    }
    for (size_t i = 0; i < r->n_shadowed; i++) {
        if (r->shadowed[i].found_in == &r->path.dirs[dir]
            && strcmp(r->shadowed[i].module_path, module) == 0)
            return 1;
    }
    return 0;
}

/* Modules that no manifest accompanies: listed so that a misplaced file is noticed. */
static int scan_strays(hs_registry *r, size_t dir)
{
    const hs_search_dir *d = &r->path.dirs[dir];
    struct dirent **entries = NULL;
    int n = scandir(d->dir, &entries, module_entry, alphasort);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char *stem = stem_of(entries[i]->d_name, HS_MODULE_EXT);
        char manifest[PATH_MAX], line[PATH_MAX * 3];
        struct stat st;
        snprintf(manifest, sizeof(manifest), "%s/%s%s", d->dir, stem ? stem : "",
                 HS_MANIFEST_EXT);
        line[0] = '\0';
        if (!stem)
            rc = -1;
        else if (!d->manifest_dir && lstat(manifest, &st) != 0)
            snprintf(line, sizeof(line), "%s/%s: no manifest %s beside it; install the "
                     "connector's manifest into %s", d->dir, entries[i]->d_name, manifest,
                     d->dir);
        else if (d->manifest_dir && !stem_named(r, dir, stem))
            snprintf(line, sizeof(line), "%s/%s: no manifest in %s names it as its "
                     "\"module\"", d->dir, entries[i]->d_name, d->manifest_dir);
        if (rc == 0 && line[0])
            rc = add_stray(r, line);
        free(stem);
        free(entries[i]);
    }
    free(entries);
    return rc;
}

static int read_manifest(hs_registry *r, size_t dir, const char *file, hs_diag *diag)
{
    const hs_search_dir *d = &r->path.dirs[dir];
    const char *mdir = d->manifest_dir ? d->manifest_dir : d->dir;
    char path[PATH_MAX], real[PATH_MAX], error[PATH_MAX * 2];
    int n = snprintf(path, sizeof(path), "%s/%s", mdir, file);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        hs_diag_add(diag, "%s/%s: path too long", mdir, file);
        return 0;
    }
    hs_manifest *m = NULL;
    if (hs_loader_check_file(path, "manifest", real, sizeof(real), error, sizeof(error)) != 0) {
        hs_diag_add(diag, "%s", error);
        return 0;
    }
    if (hs_manifest_load(path, &m, diag) != 0)
        return 0;
    char *stem = stem_of(file, HS_MANIFEST_EXT);
    if (!stem) {
        hs_manifest_free(m);
        return -1;
    }
    /* Beside: the files belong together by name. Apart: the manifest names its module. */
    int rc = add_manifest(r, m, d->manifest_dir ? m->module : stem, dir, diag);
    free(stem);
    return rc;
}

/* Returns 0, or -1 when the search must stop (a required directory, out of memory). */
static int scan_dir(hs_registry *r, size_t dir, hs_diag *diag)
{
    const hs_search_dir *d = &r->path.dirs[dir];
    const char *mdir = d->manifest_dir ? d->manifest_dir : d->dir;
    struct dirent **entries = NULL;
    /* Sorted by file name, so that which of two same-named manifests wins is stable. */
    int n = scandir(mdir, &entries, json_entry, alphasort);
    if (n < 0) {
        if (errno == ENOENT && !d->required)
            return 0;
        if (d->required)
            hs_diag_add(diag, "%s: cannot read the %s connector directory: %s; reinstall "
                        "hiresync or correct it", mdir, d->origin, strerror(errno));
        else
            hs_diag_add(diag, "%s: cannot read this directory of %s: %s; correct it or remove "
                        "it from %s", mdir, d->origin, strerror(errno), d->origin);
        return d->required ? -1 : 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            rc = read_manifest(r, dir, entries[i]->d_name, diag);
        free(entries[i]);
    }
    free(entries);
    if (rc == 0)
        rc = scan_strays(r, dir);
    if (rc != 0)
        hs_diag_add(diag, "%s: out of memory", mdir);
    return rc;
}

static int found_cmp(const void *a, const void *b)
{
    return strcmp(((const found *)a)->manifest->name, ((const found *)b)->manifest->name);
}

static char *joined_dirs(const hs_search_path *path)
{
    size_t len = 1;
    for (size_t i = 0; i < path->n; i++)
        len += strlen(path->dirs[i].dir) + 1;
    char *s = calloc(1, len);
    for (size_t i = 0; s && i < path->n; i++) {
        if (i)
            strcat(s, ":");
        strcat(s, path->dirs[i].dir);
    }
    return s;
}

/* Moves what was found, sorted by name, into the manifest set and the modules. */
static int build(hs_registry *r)
{
    size_t n = r->n_found;
    if (n > 1)
        qsort(r->found, n, sizeof(*r->found), found_cmp);
    r->manifests = calloc(1, sizeof(*r->manifests));
    r->modules = calloc(n ? n : 1, sizeof(*r->modules));
    r->stems = calloc(n ? n : 1, sizeof(*r->stems));
    if (!r->manifests || !r->modules || !r->stems)
        return -1;
    r->manifests->items = calloc(n ? n : 1, sizeof(*r->manifests->items));
    r->manifests->dir = joined_dirs(&r->path);
    if (!r->manifests->items || !r->manifests->dir)
        return -1;
    for (size_t i = 0; i < n; i++) {
        r->manifests->items[i] = r->found[i].manifest;
        r->modules[i].manifest = r->found[i].manifest;
        r->modules[i].found_in = &r->path.dirs[r->found[i].dir];
        r->stems[i] = r->found[i].stem;
        r->manifests->n++;
    }
    free(r->found);
    r->found = NULL;
    r->n_found = 0;
    return 0;
}

hs_registry *hs_registry_discover(const hs_search_path *path, hs_diag *diag)
{
    hs_registry *r = calloc(1, sizeof(*r));
    if (!r) {
        hs_diag_add(diag, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < path->n; i++) {
        const hs_search_dir *d = &path->dirs[i];
        if (hs_search_path_add(&r->path, d->dir, d->manifest_dir, d->origin, d->required)
            != 0) {
            hs_diag_add(diag, "out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < r->path.n; i++) {
        if (scan_dir(r, i, diag) != 0)
            goto fail;
    }
    if (build(r) != 0) {
        hs_diag_add(diag, "out of memory");
        goto fail;
    }
    if (hs_loader_init() != 0) {
        hs_diag_add(diag, "cannot initialise libltdl");
        goto fail;
    }
    r->ltdl_ready = 1;
    return r;
fail:
    hs_registry_free(r);
    return NULL;
}

void hs_registry_free(hs_registry *registry)
{
    if (!registry)
        return;
    size_t n = registry->manifests ? registry->manifests->n : 0;
    for (size_t i = 0; registry->modules && i < n; i++)
        hs_module_unload(&registry->modules[i]);
    for (size_t i = 0; registry->stems && i < n; i++)
        free(registry->stems[i]);
    free(registry->stems);
    free(registry->modules);
    if (registry->ltdl_ready)
        hs_loader_exit();
    hs_manifest_set_free(registry->manifests);
    for (size_t i = 0; i < registry->n_found; i++) {
        hs_manifest_free(registry->found[i].manifest);
        free(registry->found[i].stem);
    }
    free(registry->found);
    for (size_t i = 0; i < registry->n_shadowed; i++) {
        free(registry->shadowed[i].name);
        free(registry->shadowed[i].module_path);
        free(registry->shadowed[i].manifest_path);
    }
    free(registry->shadowed);
    for (size_t i = 0; i < registry->n_strays; i++)
        free(registry->strays[i]);
    free(registry->strays);
    hs_search_path_clear(&registry->path);
    free(registry);
}

const hs_manifest_set *hs_registry_manifests(const hs_registry *registry)
{
    return registry->manifests;
}

const hs_search_path *hs_registry_search_path(const hs_registry *registry)
{
    return &registry->path;
}

size_t hs_registry_shadowed_count(const hs_registry *registry)
{
    return registry->n_shadowed;
}

const hs_shadowed *hs_registry_shadowed_at(const hs_registry *registry, size_t i)
{
    return i < registry->n_shadowed ? &registry->shadowed[i] : NULL;
}

size_t hs_registry_stray_count(const hs_registry *registry)
{
    return registry->n_strays;
}

const char *hs_registry_stray_at(const hs_registry *registry, size_t i)
{
    return i < registry->n_strays ? registry->strays[i] : NULL;
}

static void fmt_abi(uint32_t v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u", (unsigned)HS_ABI_MAJOR_OF(v), (unsigned)HS_ABI_MINOR_OF(v));
}

/* The manifest is what configurations are checked against and what `hiresync connectors`
 * shows; the table is what runs. They must say the same, or a pipeline would be accepted
 * for an operation that is not there (or one that is there would be refused). */
static int manifest_agrees(const hs_module *m, char *error, size_t error_size)
{
    const hs_manifest *man = m->manifest;
    char man_v[32], mod_v[32];
    fmt_abi(man->abi_version, man_v, sizeof(man_v));
    fmt_abi(m->table.abi_version, mod_v, sizeof(mod_v));
    if (man->abi_version != m->table.abi_version) {
        (void)!snprintf(error, error_size, "%s: built for connector ABI %s, but its manifest %s says "
                 "\"abi\": \"%s\"; set the manifest's \"abi\" to \"%s\" or install the "
                 "module that belongs to it", m->path, mod_v, man->path, man_v, mod_v);
        return -1;
    }
    if (man->capabilities == m->table.capabilities)
        return 0;
    char mod_caps[128], man_caps[128], only_mod[128], only_man[128], diff[320];
    hs_capabilities_format(m->table.capabilities, mod_caps, sizeof(mod_caps));
    hs_capabilities_format(man->capabilities, man_caps, sizeof(man_caps));
    hs_capabilities_format(m->table.capabilities & ~man->capabilities, only_mod,
                           sizeof(only_mod));
    hs_capabilities_format(man->capabilities & ~m->table.capabilities, only_man,
                           sizeof(only_man));
    if (only_man[0] && only_mod[0])
        snprintf(diff, sizeof(diff), "the module lacks %s and the manifest lacks %s", only_man,
                 only_mod);
    else if (only_man[0])
        snprintf(diff, sizeof(diff), "the module lacks %s", only_man);
    else
        snprintf(diff, sizeof(diff), "the manifest lacks %s", only_mod);
    /* A line longer than the buffer is cut, never lost. */
    int n = snprintf(error, error_size, "%s: the module offers [%s] but its manifest %s declares "
                     "\"capabilities\": [%s] (%s); make the manifest list exactly the operations "
                     "the module offers", m->path, mod_caps, man->path, man_caps, diff);
    (void)n;
    return -1;
}

/* The manifest must be for this host's ABI before its module is opened at all. */
static int manifest_abi_ok(const hs_manifest *man, char *error, size_t error_size)
{
    if (HS_ABI_MAJOR_OF(man->abi_version) == HS_ABI_MAJOR)
        return 0;
    char man_v[32], host_v[32];
    fmt_abi(man->abi_version, man_v, sizeof(man_v));
    fmt_abi(HS_ABI_VERSION, host_v, sizeof(host_v));
    snprintf(error, error_size, "%s: declares connector ABI %s, but this hiresync has ABI %s "
             "(the major versions differ); install the connector's version built for ABI %u.x",
             man->path, man_v, host_v, (unsigned)HS_ABI_MAJOR);
    return -1;
}

static void refuse(hs_module *m, const char *error)
{
    snprintf(m->error, sizeof(m->error), "%s", error);
    m->loaded = -1;
    hs_module_close(m); /* module_exit too, when module_init ran */
}

static hs_module *registry_load(hs_registry *r, size_t i)
{
    hs_module *m = &r->modules[i];
    char error[sizeof(m->error)];
    if (m->loaded != 0)
        return m;
    if (manifest_abi_ok(m->manifest, error, sizeof(error)) != 0) {
        refuse(m, error);
        return m;
    }
    if (hs_module_load(m->found_in->dir, r->stems[i], m->manifest->module, m->manifest->name,
                       m, error, sizeof(error)) == 0
        && manifest_agrees(m, error, sizeof(error)) != 0)
        refuse(m, error);
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
    snprintf(error, error_size, "no connector \"%s\" in the connector search path %s; install "
             "it or check the name", name, registry->manifests->dir);
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
