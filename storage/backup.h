/* backup.h - a consistent copy of a live store, marked as a backup. */
#ifndef ILONET_BACKUP_H
#define ILONET_BACKUP_H

#include <stdint.h>

#include "storage/store.h"

/*
 * A backup is one SQLite file: the whole store (logs, view, evidence,
 * meta) as one committed snapshot, taken with SQLite's online backup API
 * while other connections (the running node, other CLI processes) go on
 * reading and writing. The copy carries the restored-from-backup mark of
 * storage/log.h (log_mark_restored): a home whose store.db is replaced by
 * it refuses every local append with ILONET_ESELFBEHIND until a sync has
 * shown this node's own heads, so a restore can never fork the node's own
 * logs even when nobody remembers `ilonet restore`. The live store is never
 * marked. docs/RELIABILITY.md, "Restoring a node"; docs/DEPLOY.md.
 */

struct backup_info {
    uint64_t bi_bytes; /* size of the written file */
    uint64_t bi_pages; /* database pages copied */
};

/*
 * Writes the backup of s to path. The file is written as "<path>.part"
 * (mode 0600, created afresh), copied in one read transaction (so it is
 * one committed state of the store, whatever writers do meanwhile),
 * marked, turned into a self-contained rollback-journal file (no -wal
 * beside it), checked (PRAGMA quick_check), synced, and renamed over path;
 * on any failure the .part file is removed and path is untouched.
 * s must not be inside a transaction (ILONET_EBUSY): the copy would hold
 * its uncommitted rows. Errors: ILONET_EINVAL (NULL or empty path),
 * ILONET_EBUSY (the store stayed locked), ILONET_EPERM (path not
 * writable), ILONET_EIO, ILONET_ENOMEM. *info (may be NULL) is written on
 * success only. s belongs to the calling thread; the copy opens its own
 * connections and closes them before returning.
 */
int backup_write(struct store *s, const char *path, struct backup_info *info);

#endif
