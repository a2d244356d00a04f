/* store.h - the node's SQLite store: open, schema, transactions, metadata. */
#ifndef ILONET_STORE_H
#define ILONET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"

/*
 * One SQLite file per node (WAL). It holds the logs (storage/log.h), the
 * merged view (storage/view/view.h), fork evidence and quarantine. The
 * SQLite handle stays inside storage/ (storage/store_int.h): callers read
 * the view through its typed read API (storage/view/view.h). A store is
 * used by one thread at a time; open one per thread or process. Several
 * processes may open the same file: writes take BEGIN IMMEDIATE, so two
 * appenders serialise instead of forking a log.
 *
 * Durability: local appends commit with synchronous=FULL (an acknowledged
 * append survives a power cut). Ingest of foreign entries may use NORMAL:
 * a lost foreign batch is fetched again from the peer.
 */

#define STORE_SCHEMA_VERSION 5
#define STORE_MAX_SKEW_MS 60000 /* HLC more than this ahead: quarantine */

struct store;

/* Who this node is: decides which audiences it may hold. */
struct store_identity {
    uint8_t si_node[KEY_PK_LEN];
    char si_state[KEY_STATE_MAX + 1];
    enum cert_role si_role;
};

/*
 * SQLite's process-wide settings, for main() (and tools) to call once
 * before any store is opened, from one thread: the library itself never
 * changes process-wide state. Turns off SQLite's memory statistics, which
 * take a global mutex around every allocation (tens per stored entry);
 * ilonet never reads them. Opening a store without it only costs that.
 * ILONET_EIO when SQLite was already initialised (nothing changed).
 */
int store_global_init(void);

/*
 * Opens (creating and migrating if needed) the store at path for the given
 * network, trusting the given roster (copied). *out is owned by the caller:
 * store_close() it. ILONET_EIO when the file cannot be opened or migrated.
 */
int store_open(const char *path, const uint8_t network[static NET_ID_LEN],
               const struct roster *roster, struct store **out);
void store_close(struct store *s);

/*
 * The schema version of the store file at path, read without changing
 * it: *ver = 0 when there is no such file or it holds no schema yet. A
 * store of an older version is rewritten by the next store_open(), once,
 * in one transaction (seconds per million entries: docs/DEPLOY.md,
 * "Upgrading"), so a caller can say so before it begins. ILONET_EIO when
 * the file is there but cannot be read.
 */
int store_file_version(const char *path, int *ver);

/* Sets who this node is (without it, the store admits every audience:
 * used by tools that only read). */
void store_set_identity(struct store *s, const struct store_identity *id);
const struct store_identity *store_identity(const struct store *s);
const struct roster *store_roster(const struct store *s);
const uint8_t *store_network(const struct store *s);

/* Transactions. store_begin() takes the write lock (BEGIN IMMEDIATE) and
 * may nest: only the outermost commit or rollback reaches SQLite. */
int store_begin(struct store *s);
/* store_begin() that waits at most wait_ms for another connection's write
 * lock (store_begin() waits 30 s), ILONET_EBUSY past it: for work that
 * may be skipped (a shared view hash), never held up by a long write. */
int store_begin_try(struct store *s, int wait_ms);
int store_commit(struct store *s);
int store_rollback(struct store *s);
int store_in_txn(const struct store *s);
/* A read snapshot: between store_snapshot_begin() and store_snapshot_end()
 * every read sees the store as it was at the begin, whatever other
 * connections commit meanwhile (a deferred transaction). Inside a
 * transaction of this connection it opens nothing (*opened = 0: that
 * transaction already is one). store_begin() fails with ILONET_EBUSY
 * while a snapshot is open: it cannot become a write. Pass *opened to
 * store_snapshot_end(). */
int store_snapshot_begin(struct store *s, int *opened);
void store_snapshot_end(struct store *s, int opened);

/*
 * The id index: entry id key (log_id_key) -> entry position k, in
 * two levels (tables ids and the small ids_tail, docs/ARCHITECTURE.md).
 * store_ids_add() records a pair inside a transaction; the pairs reach
 * ids_tail in key order when the outermost transaction commits (or, in a
 * long one, between savepoints once many are pending), and vanish with a
 * rollback. A commit that takes ids_tail past the threshold below and a
 * sixteenth of ids merges it into ids. store_ids_find() returns the
 * positions whose key lies in [lo, hi], pending or committed, up to
 * max of them into ks and the total in *n; keys collide, so callers
 * compare full ids, and read past max when the total is larger.
 */
int store_ids_add(struct store *s, int64_t idp, int64_t k);
int store_ids_find(struct store *s, int64_t lo, int64_t hi, int64_t *ks,
                   size_t max, size_t *n);
/* Pending pairs of a long transaction are written to ids_tail when a
 * savepoint opens at depth 1 with at least this many waiting, and
 * ids_tail is merged into ids from this many on (0: the default, 131072;
 * the pending pairs take about 4 MiB of memory). */
void store_set_ids_flush(struct store *s, size_t pending);

/* synchronous=FULL (1) or NORMAL (0) for following commits. */
int store_set_durable(struct store *s, int full);

/* Small key/value metadata (own certificate, HLC high-water mark...). *val
 * is malloc'd. ILONET_ENOTFOUND when absent. */
int store_meta_get(struct store *s, const char *key, uint8_t **val,
                   size_t *len);
int store_meta_set(struct store *s, const char *key, const uint8_t *val,
                   size_t len);
int store_meta_get_u64(struct store *s, const char *key, uint64_t *v);
int store_meta_set_u64(struct store *s, const char *key, uint64_t v);

/* PRAGMA data_version of this connection: changes when another
 * connection (another process) commits to the file. */
int store_data_version(struct store *s, int64_t *v);

/* Makes durable every transaction committed so far to the store file at
 * path, on any connection, by any process: syncs its WAL to the disk (a
 * commit under store_set_durable(s, 0) writes the WAL without waiting for
 * the disk). Any thread: it touches no connection, so a writer goes on
 * committing while it runs. A WAL that is gone was checkpointed into the
 * file, and synced, when its last connection closed. */
int store_sync_path(const char *path);

/* Keeps temporary tables and savepoint journals in memory instead of temp
 * files (PRAGMA temp_store=MEMORY): for a connection that opens many
 * savepoints, such as the node's group commit. */
int store_set_temp_memory(struct store *s);

/* Reads the store file through a memory map of up to bytes (0: none, the
 * default) instead of copying each page in with a read call: for a
 * connection that lives long and reads much (a report at a million
 * records 2.9 to 2.2 s once warm; the first touch of each page costs a
 * fault). Its resident size grows with what it read: pages of the file
 * the kernel may drop, not memory of its own. Not for the node's sync,
 * whose memory is bounded and measured. */
int store_set_mmap(struct store *s, uint64_t bytes);

/* Cuts long statements of this connection short: SQLite asks stop(arg)
 * every thousand instructions, and a nonzero answer ends the statement
 * (its caller gets an error). For a connection whose owner may have to
 * stop in the middle of a read of everything (a thread's shutdown); NULL
 * removes it. view_query() sets and removes its own guard: not on such a
 * connection. Any thread may run stop. */
void store_set_cancel(struct store *s, int (*stop)(void *arg), void *arg);

/* Hook run for every entry stored, inside the same transaction (the view
 * uses it). Set once after opening.
 * Guarantee to the hook (the view parses payloads in place on it): a
 * held payload (e->e_payload) has passed the canonical-form check of
 * entry_check_payload() and its bytes stay valid and unchanged for the
 * whole call. Every path that stores entries and runs the hook (log_append,
 * log_ingest) must keep this true. */
struct entry;
typedef int (*store_entry_hook)(void *arg, struct store *s,
                                const struct entry *e, const char *audience,
                                const uint8_t author[static KEY_PK_LEN]);
void store_set_entry_hook(struct store *s, store_entry_hook fn, void *arg);
/* The arg the entry hook was set with, when that hook is fn; else NULL
 * (the view finds its own context this way). */
void *store_entry_hook_arg(struct store *s, store_entry_hook fn);
int store_run_entry_hook(struct store *s, const struct entry *e,
                         const char *audience,
                         const uint8_t author[static KEY_PK_LEN]);

/* Hook run when fork evidence freezes a log (entries at seq >= fork_seq
 * leave the view), inside the same transaction. */
typedef int (*store_freeze_hook)(void *arg, struct store *s,
                                 const uint8_t log[static HASH_LEN],
                                 uint64_t fork_seq);
void store_set_freeze_hook(struct store *s, store_freeze_hook fn, void *arg);
int store_run_freeze_hook(struct store *s, const uint8_t log[static HASH_LEN],
                          uint64_t fork_seq);

/* Hook run once per outermost transaction, just before its COMMIT, on
 * the transaction's connection (the view's search index folds the
 * records changed in the transaction into the index there: one batch per
 * transaction, not one per entry). A non-zero return fails the commit,
 * which the caller then rolls back as for any failed commit. Set once
 * after opening. */
typedef int (*store_commit_hook)(void *arg, struct store *s);
void store_set_commit_hook(struct store *s, store_commit_hook fn, void *arg);

/* Hook for work a writer keeps in memory until a transaction boundary
 * (the view's counts: one write per key and batch, not one per record).
 * STORE_TXN_FLUSH: write it now, inside the transaction; run before every
 * SAVEPOINT, RELEASE and top-level COMMIT (before the commit hook), so
 * what is kept always belongs to the innermost open level. A non-zero
 * return fails that begin or commit. STORE_TXN_DROP: forget it; run after
 * every rollback, at any depth. STORE_TXN_BULK_BEGIN and _END: a bulk
 * load (store_bulk_begin()) starts or ends in the open transaction. Set
 * once after opening. */
enum store_txn_event {
    STORE_TXN_FLUSH,
    STORE_TXN_DROP,
    STORE_TXN_BULK_BEGIN,
    STORE_TXN_BULK_END
};
typedef int (*store_txn_hook)(void *arg, struct store *s,
                              enum store_txn_event ev);
void store_set_txn_hook(struct store *s, store_txn_hook fn, void *arg);

/*
 * A bulk load: the open transaction is about to store about n entries in
 * one go (an import). A writer that keeps derived structures may build
 * them once at the end instead of entry by entry: the view drops its list
 * indexes when n is at least the records it holds and builds them again at
 * store_bulk_end() (a sort each, against an index insert per record).
 * Both run inside the one transaction, so no other connection ever sees
 * the store without them, and a rollback past store_bulk_begin() undoes
 * both. The commit of the level it began at ends it if the caller did
 * not. No nesting: a second begin while one is open does nothing.
 * ILONET_EINVAL outside a transaction; else the txn hook's result.
 */
int store_bulk_begin(struct store *s, uint64_t n);
int store_bulk_end(struct store *s);
/* n of the open bulk load; 0 when none is open. */
uint64_t store_bulk_size(const struct store *s);

/* ---- erasure: truncating the WAL (node/app: erase) ---- */

/*
 * Copies every committed WAL frame back into the database file and
 * truncates the WAL to zero bytes (SQLITE_CHECKPOINT_TRUNCATE), so no old
 * page image in the WAL still holds an erased payload. Another connection
 * on the file (a running node, a reader) can hold it up: then it returns
 * that code (ILONET_EBUSY when locked) and *why (why may be NULL) points to
 * SQLite's static one-line reason; the frames stay in the WAL until a
 * later checkpoint copies them. Call outside a transaction.
 */
int store_wal_truncate(struct store *s, const char **why);

#endif
