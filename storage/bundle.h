/* bundle.h - export files: signed log ranges for offline exchange. */
#ifndef ILONET_BUNDLE_H
#define ILONET_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

/*
 * An export file is "ILNTEXP1", the 32-byte network id, then frames of a
 * 4-byte big-endian length and one batch (storage/batch.h), ended by a
 * zero length. Import verifies exactly as the network path does
 * (log_ingest), in one transaction: any forged or corrupt byte leaves the
 * store untouched. Logs of audiences this node is not in are skipped
 * before anything is written. See docs/FORMAT.md.
 */

#define BUNDLE_MAGIC "ILNTEXP1"

/* Which logs to export: return 1 to keep. NULL keeps all. */
typedef int (*bundle_filter)(void *arg, const struct log_desc *d);

/* Writes every held log passing filter to path (atomically replaced).
 * *logs and *entries (may be NULL) receive what was written. */
int bundle_export(struct store *s, const char *path, bundle_filter filter,
                  void *arg, uint64_t *logs, uint64_t *entries);

/* What import did; names the log and seq of a rejection or skip. */
struct bundle_report {
    uint64_t br_new, br_dup, br_forks, br_quarantined;
    uint64_t br_skipped_logs;
    int br_err; /* first rejection code, 0 if none */
    uint8_t br_err_log[HASH_LEN];
    uint64_t br_err_seq;
    uint64_t br_err_offset; /* byte offset of the bad frame */
};

/* Called for each log skipped because of its audience. */
typedef void (*bundle_skip_cb)(void *arg, const struct log_desc *d);
/* Called for each fork found. */
typedef void (*bundle_fork_cb)(void *arg, const struct log_desc *d);

/*
 * Imports path into s. Returns 0 when everything this node may hold
 * verified (and was stored), else the first error, with nothing stored.
 */
int bundle_import(struct store *s, const char *path, uint64_t now_ms,
                  bundle_skip_cb skip, bundle_fork_cb fork, void *arg,
                  struct bundle_report *rep);

#endif
