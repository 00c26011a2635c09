/* Checking, loading and validating connector modules (libltdl). */
#define _XOPEN_SOURCE 700
#include <config.h>   /* autoconf: PACKAGE_VERSION */

#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ltdl.h>

#include "records.h"

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

/* ---- the services of module_init and module_exit --------------------------------------- */

/* Loading happens on the main thread only (libltdl is not thread-safe), so these two are
 * only ever used there: where module log lines go, and the connector being initialised. */
static hs_log *module_log;
static const char *module_scope;

void hs_loader_set_log(hs_log *log)
{
    module_log = log;
}

static void module_log_line(hs_host *host, hs_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void module_log_line(hs_host *host, hs_log_level level, const char *fmt, ...)
{
    va_list ap;
    (void)host;
    if (!module_log)
        return;
    if (level > HS_LOG_DEBUG)
        level = HS_LOG_DEBUG;
    va_start(ap, fmt);
    hs_log_vwrite(module_log, level, module_scope, fmt, ap);
    va_end(ap);
}

static int module_cancelled(hs_host *host)
{
    (void)host;
    return 0;
}

static int64_t module_now_ms(hs_host *host)
{
    struct timespec ts;
    (void)host;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int module_sleep_ms(hs_host *host, int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    (void)host;
    if (ms > 0)
        nanosleep(&ts, NULL);
    return 0;
}

static const char *module_user_agent(hs_host *host)
{
    (void)host;
    return "hiresync/" PACKAGE_VERSION;
}

static hs_status module_get(hs_host *host, const char *name, char *buf, size_t buf_size)
{
    (void)host;
    (void)name;
    (void)buf;
    (void)buf_size;
    return HS_E_UNSUPPORTED;
}

static hs_status module_put(hs_host *host, const char *name, const char *value)
{
    (void)host;
    (void)name;
    (void)value;
    return HS_E_UNSUPPORTED;
}

static void module_remote_time(hs_host *host, int64_t remote_ms)
{
    (void)host;
    (void)remote_ms;
}

static hs_status module_swap(hs_host *host, const char *name, const char *expected,
                             const char *value)
{
    (void)host;
    (void)name;
    (void)expected;
    (void)value;
    return HS_E_UNSUPPORTED;
}

static const hs_host_api module_api = {
    .struct_size = sizeof(hs_host_api),
    .abi_version = HS_ABI_VERSION,
    .log = module_log_line,
    .cancelled = module_cancelled,
    .now_ms = module_now_ms,
    .sleep_ms = module_sleep_ms,
    .user_agent = module_user_agent,
    .store_get = module_get,
    .store_put = module_put,
    .remote_time = module_remote_time,
    .shared_get = module_get,
    .shared_put = module_put,
    .shared_swap = module_swap,
};

/* module_init once the handshake passed; its failure refuses the module. */
static int module_init(const char *path, hs_module *out, char *error, size_t error_size)
{
    hs_host_error err;
    hs_status st;
    if (!out->table.module_init) {
        out->initialised = 1;
        return 0;
    }
    module_scope = out->table.name;
    st = out->table.module_init(&module_api, hs_host_error_init(&err));
    module_scope = NULL;
    if (st != HS_OK) {
        snprintf(error, error_size, "%s: module_init failed (status %d): %s", path, (int)st,
                 err.message[0] ? err.message : "no reason given");
        return -1;
    }
    out->initialised = 1;
    return 0;
}

static void module_exit_due(hs_module *module)
{
    if (module->initialised && module->table.module_exit) {
        module_scope = module->table.name;
        module->table.module_exit();
        module_scope = NULL;
    }
    module->initialised = 0;
}

/* ---- the handshake ------------------------------------------------------------------------ */

static void fmt_abi(uint32_t v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u", (unsigned)HS_ABI_MAJOR_OF(v), (unsigned)HS_ABI_MINOR_OF(v));
}

int hs_loader_check_file(const char *path, const char *what, char *real, size_t real_size,
                         char *error, size_t error_size)
{
    struct stat lst, st;
    if (lstat(path, &lst) != 0 || stat(path, &st) != 0) {
        snprintf(error, error_size, "%s: cannot use %s: %s", path, what, strerror(errno));
        return -1;
    }
    /* A link is judged by what it points to, which is what gets opened. */
    char target[PATH_MAX];
    if (!realpath(path, target)) {
        snprintf(error, error_size, "%s: cannot resolve the path: %s", path, strerror(errno));
        return -1;
    }
    char shown[PATH_MAX + 64];
    if (S_ISLNK(lst.st_mode))
        snprintf(shown, sizeof(shown), "links to %s, which is", target);
    else
        snprintf(shown, sizeof(shown), "is");
    if (!S_ISREG(st.st_mode)) {
        snprintf(error, error_size, "%s: %s not a regular file; a connector %s must be a "
                 "regular file or a symbolic link to one", path, shown, what);
        return -1;
    }
    /* Code or a schema another user may rewrite would run with hiresync's credentials. */
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        snprintf(error, error_size, "%s: %s owned by uid %u, neither root nor the user running "
                 "hiresync (uid %u); run: chown root %s", path, shown, (unsigned)st.st_uid,
                 (unsigned)geteuid(), target);
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(error, error_size, "%s: %s writable by %s (mode %04o); run: chmod go-w %s",
                 path, shown, (st.st_mode & S_IWOTH) ? "any user" : "its group",
                 (unsigned)(st.st_mode & 07777), target);
        return -1;
    }
    if (snprintf(real, real_size, "%s", target) >= (int)real_size) {
        snprintf(error, error_size, "%s: path too long", path);
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
    {HS_CAP_MOVE_RECORD, "move_record", offsetof(hs_connector, move_record)},
    {HS_CAP_SYNC_SUBSCRIPTIONS, "sync_subscriptions", offsetof(hs_connector, sync_subscriptions)},
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

/* <dir>/<stem>.so into out->path, checked; the file to open into real. */
static int module_file(const char *dir, const char *stem, hs_module *out, char *real,
                       size_t real_size, char *error, size_t error_size)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s%s", dir, stem, HS_MODULE_EXT);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(error, error_size, "%s/%s: path too long", dir, stem);
        return -1;
    }
    if (!(out->path = strdup(path))) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -1;
    }
    /* A name is a file in the directory, never a way out of it. */
    if (strchr(stem, '/')) {
        snprintf(error, error_size, "%s: outside the connector directory %s; modules are "
                 "loaded only from there", path, dir);
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT) {
        snprintf(error, error_size, "%s: cannot use module: %s; install the connector's module "
                 "into %s", path, strerror(errno), dir);
        return -1;
    }
    if (hs_loader_check_file(path, "module", real, real_size, error, error_size) != 0)
        return -1;
    if (strcmp(real, path) != 0 && S_ISLNK(st.st_mode) && !(out->target = strdup(real))) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

/* The entry under the names it may have: libltdl's own (the opened file's name, then the
 * bare symbol), the name the module was found under, the name its manifest gives. */
static void *find_entry(lt_dlhandle handle, const char *stem, const char *entry_name)
{
    void *sym = lt_dlsym(handle, HS_CONNECTOR_ENTRY_SYMBOL);
    const char *names[] = {stem, entry_name};
    for (size_t i = 0; !sym && i < sizeof(names) / sizeof(names[0]); i++) {
        char full[512];
        int n = names[i] ? snprintf(full, sizeof(full), "%s_LTX_%s", names[i],
                                    HS_CONNECTOR_ENTRY_SYMBOL) : -1;
        if (n > 0 && (size_t)n < sizeof(full))
            sym = lt_dlsym(handle, full);
    }
    return sym;
}

static void no_entry(const char *path, const char *stem, const char *entry_name, char *error,
                     size_t error_size)
{
    if (!entry_name || strcmp(entry_name, stem) == 0) {
        snprintf(error, error_size, "%s: no entry symbol %s_LTX_%s; declare it with "
                 "HS_CONNECTOR_ENTRY(%s)", path, stem, HS_CONNECTOR_ENTRY_SYMBOL, stem);
        return;
    }
    snprintf(error, error_size, "%s: no entry symbol %s_LTX_%s or %s_LTX_%s; declare it with "
             "HS_CONNECTOR_ENTRY(%s), the \"module\" of its manifest", path, stem,
             HS_CONNECTOR_ENTRY_SYMBOL, entry_name, HS_CONNECTOR_ENTRY_SYMBOL, entry_name);
}

int hs_module_load(const char *dir, const char *stem, const char *entry_name,
                   const char *expected_name, hs_module *out, char *error, size_t error_size)
{
    lt_dlhandle handle = NULL;
    lt_dladvise advise = NULL;
    void *now = NULL;
    char real[PATH_MAX];
    int rc = -1;
    free(out->path);
    free(out->target);
    out->path = NULL;
    out->target = NULL;
    out->handle = NULL;
    if (module_file(dir, stem, out, real, sizeof(real), error, error_size) != 0)
        goto out;
    const char *path = out->path;
    /* Local symbols: two connectors never see each other's symbols. */
    if (lt_dladvise_init(&advise) != 0 || lt_dladvise_local(&advise) != 0) {
        snprintf(error, error_size, "%s: cannot prepare loading: %s", path, lt_dlerror());
        goto out;
    }
    /* libltdl binds lazily: a missing symbol would only show at its first call, as a crash.
     * Binding everything now, on a handle of our own, turns that into a refusal; libltdl's
     * handle then shares the already bound object. Both open the file that was checked,
     * not a link that may have been changed since. */
    now = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!now) {
        const char *why = dlerror();
        snprintf(error, error_size, "%s: cannot be loaded: %s; check that its libraries are "
                 "installed (ldd %s)", path, why ? why : "unknown error", path);
        goto out;
    }
    handle = lt_dlopenadvise(real, advise);
    if (!handle) {
        const char *why = lt_dlerror();
        snprintf(error, error_size, "%s: cannot be loaded: %s; check that its libraries are "
                 "installed (ldd %s)", path, why ? why : "unknown error", path);
        goto out;
    }
    void *sym = find_entry(handle, stem, entry_name);
    if (!sym) {
        no_entry(path, stem, entry_name, error, error_size);
        goto out;
    }
    hs_connector_entry_fn entry;
    memcpy(&entry, &sym, sizeof(entry));
    if (check_table(path, expected_name, entry(HS_ABI_VERSION), out, error, error_size) != 0)
        goto out;
    if (module_init(path, out, error, error_size) != 0)
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

void hs_module_close(hs_module *module)
{
    if (!module)
        return;
    if (module->handle)
        module_exit_due(module);
    if (module->handle)
        lt_dlclose((lt_dlhandle)module->handle);
    module->handle = NULL;
    module->initialised = 0;
}

void hs_module_unload(hs_module *module)
{
    if (!module)
        return;
    hs_module_close(module);
    free(module->path);
    module->path = NULL;
    free(module->target);
    module->target = NULL;
    module->loaded = 0;
}
