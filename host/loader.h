/*
 * Loading connector modules with libltdl.
 *
 * A module is opened only from the connector directory (the configured "connector_dir",
 * overridden by HIRESYNC_CONNECTOR_DIR, default $(pkglibdir)), only as a regular file (no
 * symlinks, not writable by others) whose real path lies inside that directory. It is bound
 * fully when loaded, so a missing symbol is a refusal rather than a crash later. Before the table is used the loader
 * checks: the entry symbol exists, it returns a table, same ABI major, minor not newer than
 * the host's, struct_size covers every operation the capabilities declare (and open/close),
 * those operations are non-NULL, and the name equals the manifest's. Each refusal is one
 * line naming the file and what is wrong.
 *
 * Threading: libltdl is not thread-safe; load every module on the main thread before any
 * worker starts (hs_registry_load_all). Lookups afterwards (hs_registry_get of an already
 * loaded module) only read and are safe from any thread.
 *
 * Ownership: the hs_registry owns its manifest set (given to it), its modules, their
 * handles and copied tables; everything lives until hs_registry_free(), which unloads.
 */
#ifndef HS_HOST_LOADER_H
#define HS_HOST_LOADER_H

#include <stddef.h>

#include <hiresync/connector.h>

#include "manifest.h"

typedef struct hs_module {
    const hs_manifest *manifest;   /* borrowed from the registry's set */
    char *path;                    /* file opened (or that would have been) */
    void *handle;                  /* lt_dlhandle; NULL when not loaded */
    hs_connector table;            /* min(struct_size, sizeof) bytes of the module's table,
                                      the rest zero */
    int loaded;                    /* 1 loaded and valid; 0 not tried; -1 refused */
    char error[512];               /* the refusal line when loaded == -1 */
} hs_module;

/*
 * Opens <dir>/<module_name>.so and validates it for a connector named expected_name. `out`
 * must be zeroed (or previously unloaded) by the caller. On success returns 0 with out
 * filled and out->loaded = 1. On failure returns -1, writes one line "<file>: <what is
 * wrong>; <what to do>" into error (and out->error), out->loaded = -1, nothing stays loaded.
 * Either way call hs_module_unload(out) when done (it frees out->path). Call
 * hs_loader_init() first.
 */
int hs_module_load(const char *dir, const char *module_name, const char *expected_name,
                   hs_module *out, char *error, size_t error_size);
void hs_module_unload(hs_module *module);

/* lt_dlinit/lt_dlexit, counted. hs_loader_init returns 0 or -1. */
int hs_loader_init(void);
void hs_loader_exit(void);

typedef struct hs_registry hs_registry;

/* A registry over a manifest set (ownership passes to the registry, also on failure) and
 * a connector directory (copied). NULL when out of memory or lt_dlinit fails. */
hs_registry *hs_registry_new(hs_manifest_set *manifests, const char *connector_dir);
void hs_registry_free(hs_registry *registry);

const hs_manifest_set *hs_registry_manifests(const hs_registry *registry);
const char *hs_registry_connector_dir(const hs_registry *registry);

/* The module of the connector named name, loaded on first use (main thread only). Returns
 * NULL when there is no such manifest or the module was refused; error then holds the line. */
const hs_module *hs_registry_get(hs_registry *registry, const char *name, char *error,
                                 size_t error_size);

/* Loads the modules of the named connectors (NULL-terminated list; NULL means every
 * manifest), main thread. Returns the number refused (their lines are in the modules' error
 * fields). */
size_t hs_registry_load_all(hs_registry *registry, const char *const *names);

/* Number of manifests, and the i-th module (loaded or not, in manifest order). */
size_t hs_registry_count(const hs_registry *registry);
const hs_module *hs_registry_at(const hs_registry *registry, size_t i);

#endif /* HS_HOST_LOADER_H */
