/* A connector fuzz target's fixed configuration, completed by hiresync's own validator as
 * hiresync completes it before open(): the connectors keep no defaults of their own. */
#ifndef FUZZ_HOST_CONFIG_H
#define FUZZ_HOST_CONFIG_H

/* The settings (the connection's keys, without "connector") checked against
 * FUZZ_MANIFEST_DIR/<connector>.json and completed with its defaults, computed once and kept
 * for the process. Aborts when they do not validate: the fixed configuration must be valid. */
const char *fuzz_host_config(const char *connector, const char *settings);

#endif /* FUZZ_HOST_CONFIG_H */
