/*
 * Finding and loading connector modules with libltdl.
 *
 * Connectors are looked for along a search path of directories, first match wins (see
 * hs_registry_discover). In each directory a connector is a module NAME.so with its
 * manifest NAME.json beside it; the manifest's "name" is the connector's name, so a
 * connector found earlier in the path shadows a same-named one later. (One directory may
 * keep its manifests apart, the layout of a build tree: then each manifest names its module
 * file with "module".)
 *
 * Modules and manifests are used only as regular files, or symbolic links to regular files,
 * owned by root or the user running hiresync and writable by nobody else (group or others):
 * code or a schema another user may rewrite would run with hiresync's credentials. A module
 * is bound fully when loaded, so a missing symbol is a refusal rather than a crash later.
 * Before the table is used the loader checks: the entry symbol exists (under the file's name,
 * or the manifest's "module" when the files were renamed), it returns a table, same ABI
 * major, minor not newer than the host's, struct_size covers every operation the
 * capabilities declare (and open/close), those operations are non-NULL, and the name equals
 * the manifest's. Each refusal is one line naming the file and what is wrong.
 *
 * Lifecycle: after a successful handshake the loader calls the module's module_init (when
 * set) once, on the main thread, before any connection can be opened; a failure refuses the
 * module with the module's own message. module_exit (when set) is called once, when the
 * module is unloaded (hs_module_unload, hs_registry_free: after the last connection is
 * closed). During module_init the module gets a services table of its own with a NULL
 * hs_host: log goes to the log given with hs_loader_set_log (scoped with the connector's
 * name), now_ms and sleep_ms work, cancelled is 0, and the per-connection services (stores,
 * shared memory, remote_time) answer HS_E_UNSUPPORTED or do nothing.
 *
 * Threading: libltdl is not thread-safe; load every module on the main thread before any
 * worker starts (hs_registry_load_all). Lookups afterwards (hs_registry_get of an already
 * loaded module) only read and are safe from any thread.
 *
 * Ownership: the hs_registry owns its copy of the search path, the manifests it found, its
 * modules, their handles and copied tables; everything lives until hs_registry_free(),
 * which unloads.
 */
#ifndef HS_HOST_LOADER_H
#define HS_HOST_LOADER_H

#include <stddef.h>

#include <hiresync/connector.h>

#include "diag.h"
#include "log.h"
#include "manifest.h"

/* One directory of the search path. */
typedef struct hs_search_dir {
    char *dir;                     /* where the modules are */
    char *manifest_dir;            /* NULL: each manifest NAME.json is beside its module
                                      NAME.so. Else the manifests are here instead, each
                                      naming its module file in dir with "module". */
    char *origin;                  /* what put the directory on the path, for people:
                                      "HIRESYNC_CONNECTOR_PATH", "connector_path",
                                      "built-in" ... */
    int required;                  /* 1: a missing or unreadable directory is an error;
                                      0: a missing one is skipped silently */
} hs_search_dir;

typedef struct hs_search_path {
    hs_search_dir *dirs;           /* owned, in search order */
    size_t n;
} hs_search_path;

/* Appends a directory (strings copied; manifest_dir may be NULL). Returns 0, or -1 when out
 * of memory. hs_search_path_clear frees the contents and leaves an empty path. */
int hs_search_path_add(hs_search_path *path, const char *dir, const char *manifest_dir,
                       const char *origin, int required);
void hs_search_path_clear(hs_search_path *path);

/*
 * Checks that path may be used as a connector's `what` ("module" or "manifest"): a regular
 * file, or a symbolic link to one, owned by root or the effective user, writable by neither
 * group nor others. On success returns 0 and writes into real the file's resolved path
 * (the target of a link). On failure returns -1 with one line "<path>: <what is wrong>;
 * <what to do>" in error. The checks are made on the target, which is what is then opened.
 */
int hs_loader_check_file(const char *path, const char *what, char *real, size_t real_size,
                         char *error, size_t error_size);

typedef struct hs_module {
    const hs_manifest *manifest;   /* borrowed from the registry's set */
    char *path;                    /* file opened (or that would have been), as found */
    char *target;                  /* the file a symbolic link at path resolves to; NULL
                                      when path is not a link */
    const hs_search_dir *found_in; /* the registry's search directory; NULL outside one */
    void *handle;                  /* lt_dlhandle; NULL when not loaded */
    hs_connector table;            /* min(struct_size, sizeof) bytes of the module's table,
                                      the rest zero */
    int loaded;                    /* 1 loaded and valid; 0 not tried; -1 refused */
    int initialised;               /* 1 once module_init succeeded (or there is none):
                                      module_exit is due at unload */
    char error[1024];              /* the refusal line when loaded == -1 */
} hs_module;

/*
 * Opens <dir>/<stem>.so and validates it for a connector named expected_name. The entry
 * symbol is looked up as <stem>_LTX_hs_connector_entry, then under the target's file name
 * (a link), then as <entry_name>_LTX_hs_connector_entry (entry_name: the manifest's
 * "module", the name given to HS_CONNECTOR_ENTRY; NULL for stem alone), so renamed files
 * still load. `out` must be zeroed (or previously unloaded) by the caller. On success (the
 * handshake passed and module_init, when set, succeeded) returns 0 with out filled and
 * out->loaded = 1. On failure returns -1, writes one line
 * "<file>: <what is wrong>; <what to do>" into error (and out->error), out->loaded = -1,
 * nothing stays loaded. Either way call hs_module_unload(out) when done (it frees out->path
 * and out->target). Call hs_loader_init() first.
 */
int hs_module_load(const char *dir, const char *stem, const char *entry_name,
                   const char *expected_name, hs_module *out, char *error, size_t error_size);
void hs_module_unload(hs_module *module);
/* Calls module_exit when due and closes the module, keeping path and error (a module
 * refused after loading, say because its manifest disagrees). */
void hs_module_close(hs_module *module);

/* lt_dlinit/lt_dlexit, counted. hs_loader_init returns 0 or -1. */
int hs_loader_init(void);
void hs_loader_exit(void);

/* Where modules' log lines go during module_init and module_exit (borrowed; NULL: nowhere).
 * Main thread only, like loading. */
void hs_loader_set_log(hs_log *log);

typedef struct hs_registry hs_registry;

/*
 * Finds the connectors along the search path (copied). In each directory, in order, every
 * NAME.json is read as a manifest; a connector whose name an earlier directory already
 * provided is shadowed by it (listed, never loaded) - the first match wins, even when its
 * module then fails to load, so a broken override is reported rather than bypassed. A
 * module NAME.so without its manifest is listed as a stray. Problems that leave a connector
 * out (an unreadable optional directory, a bad or untrusted manifest, two manifests with one
 * name in one directory) are added to diag; the registry holds the rest.
 * Returns NULL (diag says why) when a required directory cannot be read, memory runs out
 * or lt_dlinit fails.
 */
hs_registry *hs_registry_discover(const hs_search_path *path, hs_diag *diag);
void hs_registry_free(hs_registry *registry);

/* The connectors found (the first of each name), sorted by name; valid with the registry. */
const hs_manifest_set *hs_registry_manifests(const hs_registry *registry);
const hs_search_path *hs_registry_search_path(const hs_registry *registry);

/* A connector found later in the path than the same-named one that shadows it. */
typedef struct hs_shadowed {
    char *name;
    char *module_path;
    char *manifest_path;
    const hs_search_dir *found_in;     /* the registry's search directory */
} hs_shadowed;

size_t hs_registry_shadowed_count(const hs_registry *registry);
const hs_shadowed *hs_registry_shadowed_at(const hs_registry *registry, size_t i);

/* Modules found without a manifest: one line each, "<module path>: <why it is not
 * loaded>", in search order. */
size_t hs_registry_stray_count(const hs_registry *registry);
const char *hs_registry_stray_at(const hs_registry *registry, size_t i);

/* The module of the connector named name, loaded on first use (main thread only). Returns
 * NULL when there is no such manifest or the module was refused; error then holds the line. */
const hs_module *hs_registry_get(hs_registry *registry, const char *name, char *error,
                                 size_t error_size);

/* Loads the modules of the named connectors (NULL-terminated list; NULL means every
 * manifest), main thread. Returns the number refused (their lines are in the modules' error
 * fields). */
size_t hs_registry_load_all(hs_registry *registry, const char *const *names);

/* Number of connectors found, and the i-th module (loaded or not, in manifest order). */
size_t hs_registry_count(const hs_registry *registry);
const hs_module *hs_registry_at(const hs_registry *registry, size_t i);

#endif /* HS_HOST_LOADER_H */
