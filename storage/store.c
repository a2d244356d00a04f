/* store.c - SQLite store: open, pragmas, schema migration, transactions, meta.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "crypto/error.h"
#include "idmap.h"

#define STORE_STMT_CACHE 96
_Static_assert(STORE_STMT_CACHE < 255, "s_stmt_slot holds index + 1");
#define STORE__MAX_DEPTH 16
/* how long a statement waits for another connection's lock */
#define STORE__BUSY_MS 30000
/* The id index's small level (ids_tail) is merged into ids once it holds
 * this many pairs; a long transaction writes its pending pairs to it
 * between batches past this many. */
#define STORE__IDS_CAP 131072

struct store__stmt {
    const char *ss_sql; /* string literal: compared by address first */
    sqlite3_stmt *ss_stmt;
};

struct store {
    sqlite3 *s_db;
    uint8_t s_network[NET_ID_LEN];
    struct roster s_roster;
    struct store_identity s_id;
    int s_has_id;
    int s_depth; /* transaction nesting */
    int s_snap;  /* a read snapshot is open (store_snapshot_begin) */
    int s_durable;
    store_entry_hook s_hook;
    void *s_hook_arg;
    store_freeze_hook s_freeze;
    void *s_freeze_arg;
    store_commit_hook s_commit;
    void *s_commit_arg;
    store_txn_hook s_txn;
    void *s_txn_arg;
    uint64_t s_bulk;  /* entries the open bulk load expects, 0 none */
    int s_bulk_depth; /* the depth it began at */
    size_t s_nstmt;
    struct store__stmt s_stmt[STORE_STMT_CACHE];
    uint8_t s_stmt_slot[128]; /* literal address hash -> index + 1 */
    /* id index pairs of the open transaction (idmap.h); s_ids_saved[d]
     * is their count when savepoint sp<d> began */
    struct idmap s_ids;
    size_t s_ids_saved[STORE__MAX_DEPTH];
    size_t s_ids_cap; /* merge ids_tail into ids past this many pairs */
};

/*
 * Schema version 1. The view adds its own tables (storage/view.c). Entries
 * are keyed by k = lid << 32 | seq so that one log's entries sit together
 * in rowid order and an append is a b-tree append.
 */
static const char *const store__schema_v1 =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;"
    "CREATE TABLE logs("
    "  lid INTEGER PRIMARY KEY,"
    "  log_id BLOB NOT NULL UNIQUE,"
    "  author BLOB NOT NULL,"
    "  audience TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT '',"
    "  role INTEGER NOT NULL DEFAULT 0,"
    "  cert_nb INTEGER NOT NULL DEFAULT 0,"
    "  cert_na INTEGER NOT NULL DEFAULT 0,"
    "  head_seq INTEGER NOT NULL DEFAULT 0,"
    "  head_id BLOB,"
    "  sigck INTEGER NOT NULL DEFAULT 0,"  /* every sig <= this checked */
    "  frozen INTEGER NOT NULL DEFAULT 0," /* fork at this seq, 0 none */
    "  behind INTEGER NOT NULL DEFAULT 0"  /* own log: a peer has this seq */
    ");"
    "CREATE TABLE entries("
    "  k INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL,"
    "  idp INTEGER NOT NULL," /* first 8 bytes of id, for lookups */
    "  hlc INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  hdr BLOB NOT NULL,"
    "  sig BLOB NOT NULL,"
    "  payload BLOB"
    ");"
    /* An index on the full random 32-byte id costs a random b-tree
     * insert per entry and halves ingest speed; an 8-byte prefix keeps
     * lookups by id one probe away at a third of the size. */
    "CREATE INDEX entries_idp ON entries(idp);"
    "CREATE TABLE certs("
    "  node BLOB PRIMARY KEY,"
    "  state TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  cert BLOB NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE evidence("
    "  log_id BLOB NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  author BLOB NOT NULL,"
    "  audience TEXT NOT NULL,"
    "  id_a BLOB NOT NULL, hdr_a BLOB NOT NULL, sig_a BLOB NOT NULL,"
    "  id_b BLOB NOT NULL, hdr_b BLOB NOT NULL, sig_b BLOB NOT NULL,"
    "  PRIMARY KEY(log_id, seq, id_a, id_b)"
    ") WITHOUT ROWID;"
    "CREATE TABLE quarantine("
    "  log_id BLOB NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  entry_id BLOB NOT NULL,"
    "  code INTEGER NOT NULL,"
    "  until_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(log_id, seq)"
    ") WITHOUT ROWID;";

/*
 * Schema version 2: node-key revocations (docs/KEYS.md). The log store
 * keeps every node revocation it has seen published in `net` (whatever
 * log carried it) and, per log, the seq from which a revocation cuts it
 * (logs.revoked, 0 = not cut): entries there and after are refused on
 * ingest, not served, and out of the view.
 */
static const char *const store__schema_v2 =
    "ALTER TABLE logs ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE node_revocations("
    "  rev_id BLOB PRIMARY KEY," /* hash of the envelope */
    "  node BLOB NOT NULL,"
    "  state TEXT NOT NULL," /* signer: applies to its own nodes only */
    "  at INTEGER NOT NULL"  /* HLC ms cut for logs not named */
    ") WITHOUT ROWID;"
    "CREATE INDEX node_revocations_node ON node_revocations(node);"
    "CREATE TABLE node_revocation_logs("
    "  rev_id BLOB NOT NULL,"
    "  log_id BLOB NOT NULL,"
    "  seq INTEGER NOT NULL,"   /* last good seq */
    "  entry_id BLOB NOT NULL," /* its id, all zero = not pinned */
    "  PRIMARY KEY(rev_id, log_id)"
    ") WITHOUT ROWID;";

/*
 * Schema version 3: the id index moves from an index on entries to its
 * own table, written in key order once per transaction (idmap.h) instead
 * of once per entry: random index inserts were a third of ingest time.
 * And entries.hdr becomes hx, NULL when the header follows from the row,
 * its log and the previous entry (storage/log.c): a quarter of each row.
 * Migrated rows keep their header bytes.
 */
static const char *const store__schema_v3 =
    "CREATE TABLE ids("
    "  idp INTEGER NOT NULL," /* first 8 bytes of the entry id */
    "  k INTEGER NOT NULL,"   /* entries.k */
    "  PRIMARY KEY(idp, k)"
    ") WITHOUT ROWID;"
    "INSERT INTO ids(idp, k) SELECT idp, k FROM entries ORDER BY idp, k;"
    "CREATE TABLE entries3("
    "  k INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL,"
    "  hlc INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  hx BLOB," /* header bytes, NULL when derivable */
    "  sig BLOB NOT NULL,"
    "  payload BLOB"
    ");"
    "INSERT INTO entries3(k, id, hlc, kind, hx, sig, payload)"
    "  SELECT k, id, hlc, kind, hdr, sig, payload FROM entries ORDER BY k;"
    "DROP TABLE entries;"
    "ALTER TABLE entries3 RENAME TO entries;";

/*
 * Schema version 4: the id index in two levels. Writing a transaction's
 * pairs into ids, even in key order, touched nearly every leaf of ids at
 * each group commit of a bulk load (the keys are hashes): 10-17 % of a 1M
 * sync. Commits now write their pairs into ids_tail, a small index of the
 * same shape whose leaves are few, and a commit that takes it past
 * STORE__IDS_CAP pairs merges it into ids in key order and empties it:
 * ids' pages are written once per merge. meta ids_tail_n counts its
 * pairs. Lookups read both levels in one statement.
 */
static const char *const store__schema_v4 = "CREATE TABLE ids_tail("
                                            "  idp INTEGER NOT NULL,"
                                            "  k INTEGER NOT NULL,"
                                            "  PRIMARY KEY(idp, k)"
                                            ") WITHOUT ROWID;";

/*
 * Schema version 5: eleven bytes less per stored entry at a 200-byte
 * payload (docs/ARCHITECTURE.md, "Store layout"; docs/BENCHMARKS.md).
 * The id and the signature are kept as one blob, body: one type byte in
 * each row's record instead of two, and id and sig stay readable as
 * columns, computed from body when read (VIRTUAL generated columns are
 * not stored). At a 200-byte payload that one byte lets 50 rows share a
 * 16 KiB page instead of 49. And the id index keys on the first 4 bytes
 * of an id, not 8: a lookup compares full ids anyway (log_find), and at
 * ten million entries 4 bytes give one false candidate in some 430
 * lookups. Every row is rewritten once, in key order; the new key is the
 * old one shifted (>> is arithmetic in SQLite, so the sign of the 4-byte
 * prefix is kept).
 */
static const char *const store__schema_v5 =
    "CREATE TABLE entries5("
    "  k INTEGER PRIMARY KEY,"
    "  body BLOB NOT NULL," /* the id (32 bytes), then the signature */
    "  hlc INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  hx BLOB,"
    "  payload BLOB,"
    "  id BLOB GENERATED ALWAYS AS (substr(body, 1, 32)) VIRTUAL,"
    "  sig BLOB GENERATED ALWAYS AS (substr(body, 33)) VIRTUAL"
    ");"
    /* || makes text of the two blobs, byte for byte; the cast keeps the
     * bytes and makes them a blob again, which substr() counts in
     * bytes */
    "INSERT INTO entries5(k, body, hlc, kind, hx, payload)"
    "  SELECT k, CAST(id || sig AS BLOB), hlc, kind, hx, payload"
    "  FROM entries ORDER BY k;"
    "DROP TABLE entries;"
    "ALTER TABLE entries5 RENAME TO entries;"
    "CREATE TABLE ids5("
    "  idp INTEGER NOT NULL," /* first 4 bytes of the entry id */
    "  k INTEGER NOT NULL,"
    "  PRIMARY KEY(idp, k)"
    ") WITHOUT ROWID;"
    "INSERT OR IGNORE INTO ids5(idp, k) SELECT idp >> 32, k FROM"
    "  (SELECT idp, k FROM ids UNION ALL SELECT idp, k FROM ids_tail)"
    "  ORDER BY 1, 2;"
    "DROP TABLE ids;"
    "ALTER TABLE ids5 RENAME TO ids;"
    "DELETE FROM ids_tail;"
    "DELETE FROM meta WHERE k IN ('ids_n', 'ids_tail_n');";

int
store_collect_ids(sqlite3_stmt *st, int (*keep)(void *arg, const uint8_t *id),
                  void *arg, uint8_t (**ids)[HASH_LEN], size_t *n)
{
    uint8_t(*v)[HASH_LEN] = NULL;
    size_t cap = 0, k = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *id = sqlite3_column_blob(st, 0);

        if (sqlite3_column_bytes(st, 0) != HASH_LEN || !id ||
            (keep && !keep(arg, id)))
            continue;
        if (k == cap) {
            void *p = realloc(v, (cap = cap ? 2 * cap : 64) * HASH_LEN);

            if (!p) {
                rc = SQLITE_NOMEM;
                break;
            }
            v = p;
        }
        memcpy(v[k++], id, HASH_LEN);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(v);
        *ids = NULL;
        *n = 0;
        return store_err(rc);
    }
    *ids = v;
    *n = k;
    return 0;
}

int
store_err(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return 0;
    case SQLITE_NOMEM: return ILONET_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ILONET_EBUSY;
    case SQLITE_CONSTRAINT: return ILONET_EEXIST;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return ILONET_EPERM;
    case SQLITE_NOTFOUND: return ILONET_ENOTFOUND;
    case SQLITE_TOOBIG: return ILONET_ETOOBIG;
    default: return ILONET_EIO;
    }
}

static int
store__exec(struct store *s, const char *sql)
{
    return store_err(sqlite3_exec(s->s_db, sql, NULL, NULL, NULL));
}

/* Runs sql, which drops the table name and renames a new one to it,
 * keeping the triggers the old table had (storage/blob_store.c's): DROP
 * TABLE takes them along. Its indexes are the new table's business (v3
 * left entries_idp behind on purpose). */
static int
store__replace_table(struct store *s, const char *name, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char **keep = NULL;
    size_t n = 0, cap = 0;
    int rc;

    if (sqlite3_prepare_v2(s->s_db,
                           "SELECT sql FROM sqlite_master WHERE tbl_name = ?"
                           " AND type = 'trigger' AND sql IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = ILONET_EIO;
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);

        if (n == cap) {
            char **p = realloc(keep, (cap = cap ? 2 * cap : 4) * sizeof(*p));

            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            keep = p;
        }
        if (!t || !(keep[n] = strdup(t))) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        n++;
    }
    if ((rc = store_err(rc)) != 0)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    /* The views of storage/view/ name the table: with the legacy rule a
     * rename neither checks nor rewrites them, so they read the new
     * table by the old name. */
    if ((rc = store__exec(s, "PRAGMA legacy_alter_table = ON")) != 0)
        goto out;
    rc = store__exec(s, sql);
    (void)store__exec(s, "PRAGMA legacy_alter_table = OFF");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = store__exec(s, keep[i]);
out:
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++)
        free(keep[i]);
    free(keep);
    return rc;
}

/* The schema version of the open database db (0: none yet). Leaves no
 * statement running (the migrations' DROP TABLE needs none). */
static int
store__user_version(sqlite3 *db, int *ver)
{
    sqlite3_stmt *st = NULL;
    int rc = ILONET_EIO;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *ver = sqlite3_column_int(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static int
store__migrate(struct store *s)
{
    int ver = 0, rc;

    /* IMMEDIATE: two processes opening a new store at once must not both
     * create the schema. */
    if ((rc = store__exec(s, "BEGIN IMMEDIATE")) != 0)
        return rc;
    if ((rc = store__user_version(s->s_db, &ver)) != 0)
        goto out;
    if (ver > STORE_SCHEMA_VERSION) {
        rc = ILONET_EKIND; /* written by a newer ilonet */
        goto out;
    }
    if (ver < 1) {
        if ((rc = store__exec(s, store__schema_v1)) != 0)
            goto out;
        if ((rc = store__exec(s, "PRAGMA user_version = 1")) != 0)
            goto out;
    }
    if (ver < 2) {
        if ((rc = store__exec(s, store__schema_v2)) != 0)
            goto out;
        if ((rc = store__exec(s, "PRAGMA user_version = 2")) != 0)
            goto out;
    }
    if (ver < 3) {
        if ((rc = store__replace_table(s, "entries", store__schema_v3)) != 0)
            goto out;
        if ((rc = store__exec(s, "PRAGMA user_version = 3")) != 0)
            goto out;
    }
    if (ver < 4) {
        if ((rc = store__exec(s, store__schema_v4)) != 0)
            goto out;
        if ((rc = store__exec(s, "PRAGMA user_version = 4")) != 0)
            goto out;
    }
    if (ver < 5) {
        if ((rc = store__replace_table(s, "entries", store__schema_v5)) != 0)
            goto out;
        if ((rc = store__exec(s, "PRAGMA user_version = 5")) != 0)
            goto out;
    }
    rc = 0;
out:
    /* A COMMIT can fail (disk full, I/O error): the schema is then not
     * there, and opening must fail rather than run on a half-made store. */
    if (rc == 0 && (rc = store__exec(s, "COMMIT")) == 0)
        return 0;
    store__exec(s, "ROLLBACK");
    return rc;
}

/*
 * A new store file is created 0600 before SQLite sees it: SQLite creates
 * the -wal and -shm files with the mode of the database file, so all
 * three stay private whatever the process umask is (the library must not
 * change the umask: it is process-wide). In-memory and URI names are left
 * to SQLite.
 */
static int
store__create_private(const char *path)
{
    struct stat sb;
    int fd;

    if (path[0] == '\0' || strcmp(path, ":memory:") == 0 ||
        strncmp(path, "file:", 5) == 0)
        return 0;
    /* Already there: leave it alone. Closing any descriptor of the file
     * drops every POSIX lock this process holds on it, so another store
     * of this process on the same file (a running node's, while a thread
     * of it opens its own) would lose its SQLite locks. */
    if (stat(path, &sb) == 0)
        return 0;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EACCES ? ILONET_EPERM : ILONET_EIO;
    close(fd);
    return 0;
}

int
store_global_init(void)
{
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? 0
                                                                   : ILONET_EIO;
}

int
store_open(const char *path, const uint8_t network[static NET_ID_LEN],
           const struct roster *roster, struct store **out)
{
    struct store *s;
    int rc;

    s = calloc(1, sizeof(*s));
    if (!s)
        return ILONET_ENOMEM;
    idmap_init(&s->s_ids);
    s->s_ids_cap = STORE__IDS_CAP;
    memcpy(s->s_network, network, NET_ID_LEN);
    if (roster)
        s->s_roster = *roster;
    if ((rc = store__create_private(path)) != 0)
        goto fail;
    if (sqlite3_open_v2(path, &s->s_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_busy_timeout(s->s_db, STORE__BUSY_MS);
    /* WAL for concurrent readers; FULL so an acknowledged local append
     * survives power loss (Debian's WAL default is FULL too, but the
     * setting is per connection and we do not rely on a build default);
     * secure_delete so erased payload bytes are overwritten. 16 KiB
     * pages (set before the file exists; later a no-op): a quarter of
     * the WAL frames, syscalls and b-tree splits per stored entry, about
     * 15 % less ingest CPU than 4 KiB (docs/BENCHMARKS.md). */
    if ((rc = store__exec(s, "PRAGMA page_size=16384;"
                             "PRAGMA journal_mode=WAL;"
                             "PRAGMA synchronous=FULL;"
                             "PRAGMA secure_delete=ON;"
                             "PRAGMA foreign_keys=OFF;"
                             "PRAGMA cache_size=-16384;")) != 0)
        goto fail;
    s->s_durable = 1;
    if ((rc = store__migrate(s)) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

int
store_file_version(const char *path, int *ver)
{
    sqlite3 *db = NULL;
    struct stat sb;
    int rc = ILONET_EIO;

    *ver = 0;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? 0 : ILONET_EIO;
    /* read-only: it sees the WAL's last commit too and never writes the
     * database, though SQLite may create its -shm file (with the
     * database's mode: home_store_upgrade() checks the modes first) */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, STORE__BUSY_MS);
        rc = store__user_version(db, ver);
    }
    sqlite3_close(db);
    return rc;
}

void
store_close(struct store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->s_nstmt; i++)
        sqlite3_finalize(s->s_stmt[i].ss_stmt);
    if (s->s_db)
        sqlite3_close(s->s_db);
    idmap_free(&s->s_ids);
    free(s);
}

void
store_set_identity(struct store *s, const struct store_identity *id)
{
    s->s_id = *id;
    s->s_has_id = 1;
}

const struct store_identity *
store_identity(const struct store *s)
{
    return s->s_has_id ? &s->s_id : NULL;
}

const struct roster *
store_roster(const struct store *s)
{
    return &s->s_roster;
}

const uint8_t *
store_network(const struct store *s)
{
    return s->s_network;
}

sqlite3 *
store_db(struct store *s)
{
    return s->s_db;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    size_t h = ((uintptr_t)sql >> 3) & (sizeof(s->s_stmt_slot) - 1), i;

    /* Callers pass string literals: match by address first, through a
     * small direct-mapped table (several lookups per stored entry), then
     * by scanning, by text only when that misses. */
    if (s->s_stmt_slot[h] && s->s_stmt[s->s_stmt_slot[h] - 1].ss_sql == sql) {
        i = s->s_stmt_slot[h] - 1u;
        goto found;
    }
    for (int pass = 0; pass < 2; pass++)
        for (i = 0; i < s->s_nstmt; i++)
            if (pass == 0 ? s->s_stmt[i].ss_sql == sql
                          : strcmp(s->s_stmt[i].ss_sql, sql) == 0) {
                if (pass == 0)
                    s->s_stmt_slot[h] = (uint8_t)(i + 1);
                goto found;
            }
    if (sqlite3_prepare_v3(s->s_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    if (s->s_nstmt < STORE_STMT_CACHE) {
        s->s_stmt[s->s_nstmt].ss_sql = sql;
        s->s_stmt[s->s_nstmt].ss_stmt = st;
        s->s_nstmt++;
    } else {
        /* Cache full: a programming error (too many distinct statements);
         * fail loudly rather than leak. */
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
found:
    st = s->s_stmt[i].ss_stmt;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* A count kept in meta under key; 0 when absent, or the result of sql
 * (counted once, then kept) when given. */
static int
store__meta_count(struct store *s, const char *key, const char *sql,
                  uint64_t *v)
{
    sqlite3_stmt *st;
    int rc = store_meta_get_u64(s, key, v);

    if (rc != ILONET_ENOTFOUND)
        return rc;
    *v = 0;
    if (!sql)
        return 0;
    if (sqlite3_prepare_v2(s->s_db, sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *v = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_err(rc);
    return store_meta_set_u64(s, key, *v);
}

/* Writes the pending id pairs into ids_tail in key order, 32 rows a
 * statement (the per-statement cost was most of the cost), and merges
 * ids_tail into ids once it holds s_ids_cap pairs and a sixteenth of ids.
 * OR IGNORE: a write that failed halfway may be retried. The pairs stay
 * findable if it fails; the transaction then fails. */
#define STORE__V1 "(?,?)"
#define STORE__V4 STORE__V1 "," STORE__V1 "," STORE__V1 "," STORE__V1
#define STORE__V16 STORE__V4 "," STORE__V4 "," STORE__V4 "," STORE__V4
#define STORE__IDS_ROWS 32
static int
store__ids_flush(struct store *s)
{
    sqlite3_stmt *st;
    const struct idmap_pair *p;
    uint64_t tail, big;
    size_t n, i = 0;
    int rc, rows;

    if (s->s_ids.im_n == 0)
        return 0;
    if ((rc = idmap_sort(&s->s_ids)) != 0)
        return rc;
    p = s->s_ids.im_pairs;
    n = s->s_ids.im_n;
    while (i < n) {
        rows = n - i >= STORE__IDS_ROWS ? STORE__IDS_ROWS : 1;
        st = store_stmt(s, rows > 1 ? "INSERT OR IGNORE INTO ids_tail(idp, k)"
                                      " VALUES" STORE__V16 "," STORE__V16
                                    : "INSERT OR IGNORE INTO ids_tail(idp, k)"
                                      " VALUES(?, ?)");
        if (!st)
            return ILONET_EIO;
        for (int j = 0; j < rows; j++) {
            sqlite3_bind_int64(st, 2 * j + 1, p[i + (size_t)j].ip_key);
            sqlite3_bind_int64(st, 2 * j + 2, p[i + (size_t)j].ip_k);
        }
        if ((rc = store_err(sqlite3_step(st))) != 0)
            return rc;
        i += (size_t)rows;
    }
    if ((rc = store__meta_count(s, "ids_tail_n", NULL, &tail)) != 0 ||
        (rc = store__meta_count(s, "ids_n", "SELECT count(*) FROM ids",
                                &big)) != 0)
        return rc;
    tail += n;
    /* Past a sixteenth of ids: a merge rewrites every leaf of ids, so it
     * comes rarer as ids grows, while a commit into the small level
     * writes at most its leaves (docs/ARCHITECTURE.md). */
    if (tail >= s->s_ids_cap && tail >= big / 16) {
        /* the small level into the big one in key order (its primary
         * key's order), each leaf of ids written once */
        if ((rc = store__exec(s, "INSERT OR IGNORE INTO ids(idp, k)"
                                 " SELECT idp, k FROM ids_tail"
                                 " ORDER BY idp, k")) != 0)
            return rc;
        big += (uint64_t)sqlite3_changes(s->s_db);
        if ((rc = store__exec(s, "DELETE FROM ids_tail")) != 0 ||
            (rc = store_meta_set_u64(s, "ids_n", big)) != 0)
            return rc;
        tail = 0;
    }
    if ((rc = store_meta_set_u64(s, "ids_tail_n", tail)) != 0)
        return rc;
    idmap_clear(&s->s_ids);
    return 0;
}

static int
store__txn(struct store *s, enum store_txn_event ev)
{
    return s->s_txn ? s->s_txn(s->s_txn_arg, s, ev) : 0;
}

int
store_begin(struct store *s)
{
    char sql[48];
    int rc;

    if (s->s_depth >= STORE__MAX_DEPTH)
        return ILONET_EINVAL;
    if (s->s_snap)
        return ILONET_EBUSY; /* a reader's snapshot cannot become a write */
    if (s->s_depth == 0) {
        rc = store__exec(s, "BEGIN IMMEDIATE");
    } else {
        /* Between batches of a long transaction, with no savepoint open,
         * is the one safe place to bound the pending pairs. */
        if (s->s_depth == 1 && s->s_ids.im_n >= s->s_ids_cap &&
            (rc = store__ids_flush(s)) != 0)
            return rc;
        if ((rc = store__txn(s, STORE_TXN_FLUSH)) != 0)
            return rc;
        s->s_ids_saved[s->s_depth] = s->s_ids.im_n;
        snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", s->s_depth);
        rc = store__exec(s, sql);
    }
    if (rc == 0)
        s->s_depth++;
    return rc;
}

int
store_begin_try(struct store *s, int wait_ms)
{
    int rc;

    if (s->s_depth > 0)
        return store_begin(s); /* the lock is held already */
    sqlite3_busy_timeout(s->s_db, wait_ms);
    rc = store_begin(s);
    sqlite3_busy_timeout(s->s_db, STORE__BUSY_MS);
    return rc;
}

int
store_commit(struct store *s)
{
    char sql[48];
    int rc;

    if (s->s_depth <= 0)
        return ILONET_EINVAL;
    if (s->s_bulk && s->s_depth == s->s_bulk_depth &&
        (rc = store_bulk_end(s)) != 0)
        return rc;
    if (s->s_depth == 1) {
        /* the commit hook writes derived rows of this transaction */
        if ((rc = store__txn(s, STORE_TXN_FLUSH)) == 0 &&
            (rc = s->s_commit ? s->s_commit(s->s_commit_arg, s) : 0) == 0 &&
            (rc = store__ids_flush(s)) == 0)
            rc = store__exec(s, "COMMIT");
    } else if ((rc = store__txn(s, STORE_TXN_FLUSH)) == 0) {
        snprintf(sql, sizeof(sql), "RELEASE sp%d", s->s_depth - 1);
        rc = store__exec(s, sql);
    }
    if (rc == 0)
        s->s_depth--;
    return rc;
}

int
store_rollback(struct store *s)
{
    char sql[80];
    int rc;

    if (s->s_depth <= 0)
        return ILONET_EINVAL;
    if (s->s_depth == 1) {
        rc = store__exec(s, "ROLLBACK");
        idmap_clear(&s->s_ids);
    } else {
        snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d; RELEASE sp%d",
                 s->s_depth - 1, s->s_depth - 1);
        rc = store__exec(s, sql);
        /* pairs added since the savepoint began are undone with it
         * (idmap_truncate() cannot fail) */
        (void)idmap_truncate(&s->s_ids, s->s_ids_saved[s->s_depth - 1]);
    }
    /* a bulk load begun at this level or deeper is undone with it */
    if (s->s_bulk && s->s_depth <= s->s_bulk_depth)
        s->s_bulk = 0;
    store__txn(s, STORE_TXN_DROP);
    s->s_depth--;
    return rc;
}

int
store_bulk_begin(struct store *s, uint64_t n)
{
    int rc;

    if (s->s_depth <= 0)
        return ILONET_EINVAL;
    if (s->s_bulk || n == 0)
        return 0;
    s->s_bulk = n;
    s->s_bulk_depth = s->s_depth;
    if ((rc = store__txn(s, STORE_TXN_BULK_BEGIN)) != 0)
        s->s_bulk = 0;
    return rc;
}

int
store_bulk_end(struct store *s)
{
    int rc;

    if (!s->s_bulk)
        return 0;
    rc = store__txn(s, STORE_TXN_BULK_END);
    s->s_bulk = 0;
    return rc;
}

uint64_t
store_bulk_size(const struct store *s)
{
    return s->s_bulk;
}

void
store_set_ids_flush(struct store *s, size_t pending)
{
    s->s_ids_cap = pending ? pending : STORE__IDS_CAP;
}

int
store_ids_add(struct store *s, int64_t idp, int64_t k)
{
    if (s->s_depth <= 0)
        return ILONET_EINVAL;
    return idmap_add(&s->s_ids, idp, k);
}

int
store_ids_find(struct store *s, int64_t lo, int64_t hi, int64_t *ks, size_t max,
               size_t *n)
{
    sqlite3_stmt *st;
    size_t got = 0;
    int rc;

    *n = 0;
    if (lo == hi) {
        got = idmap_find(&s->s_ids, lo, ks, max);
    } else {
        /* a prefix range (CLI lookups): the map is small or empty */
        for (size_t i = 0; i < s->s_ids.im_n; i++) {
            const struct idmap_pair *p = &s->s_ids.im_pairs[i];
            if (p->ip_key >= lo && p->ip_key <= hi) {
                if (got < max)
                    ks[got] = p->ip_k;
                got++;
            }
        }
    }
    /* both levels in one statement: one snapshot, so a merge by another
     * connection shows each pair once */
    st = store_stmt(s, "SELECT k FROM ids WHERE idp BETWEEN ?1 AND ?2"
                       " UNION ALL"
                       " SELECT k FROM ids_tail WHERE idp BETWEEN ?1 AND ?2");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (got < max)
            ks[got] = sqlite3_column_int64(st, 0);
        got++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    *n = got;
    return 0;
}

int
store_snapshot_begin(struct store *s, int *opened)
{
    sqlite3_stmt *st;
    int rc;

    *opened = 0;
    if (s->s_depth > 0 || s->s_snap)
        return 0; /* the caller's transaction is the snapshot */
    if ((rc = store__exec(s, "BEGIN")) != 0)
        return rc;
    /* a deferred transaction takes its snapshot at its first read */
    if (!(st = store_stmt(s, "SELECT 1 FROM sqlite_master LIMIT 1"))) {
        (void)store__exec(s, "ROLLBACK");
        return ILONET_EIO;
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        (void)store__exec(s, "ROLLBACK");
        return store_err(rc);
    }
    s->s_snap = 1;
    *opened = 1;
    return 0;
}

void
store_snapshot_end(struct store *s, int opened)
{
    if (!opened || !s->s_snap)
        return;
    /* nothing was written to the store in it (TEMP tables aside, which
     * COMMIT keeps) */
    (void)store__exec(s, "COMMIT");
    s->s_snap = 0;
}

int
store_in_txn(const struct store *s)
{
    return s->s_depth > 0;
}

int
store_set_durable(struct store *s, int full)
{
    if (s->s_durable == full)
        return 0;
    s->s_durable = full;
    return store__exec(s, full ? "PRAGMA synchronous=FULL"
                               : "PRAGMA synchronous=NORMAL");
}

int
store_data_version(struct store *s, int64_t *v)
{
    sqlite3_stmt *st = store_stmt(s, "PRAGMA data_version");
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_EIO : store_err(rc);
    }
    *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int
store_sync_path(const char *path)
{
    char wal[4096];
    int fd, rc = 0;

    if (!path || snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
        return ILONET_EINVAL;
    /* A descriptor of our own: fdatasync() flushes the file, whichever
     * descriptor wrote it. SQLite holds no lock on the WAL itself, so
     * closing this one releases none of its locks. */
    if ((fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == ENOENT ? 0 : ILONET_EIO;
    if (fdatasync(fd) != 0)
        rc = ILONET_EIO;
    close(fd);
    return rc;
}

int
store_set_temp_memory(struct store *s)
{
    return store__exec(s, "PRAGMA temp_store=MEMORY");
}

int
store_set_mmap(struct store *s, uint64_t bytes)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%llu",
             (unsigned long long)bytes);
    return store__exec(s, sql);
}

void
store_set_cancel(struct store *s, int (*stop)(void *arg), void *arg)
{
    sqlite3_progress_handler(s->s_db, stop ? 1000 : 0, stop, arg);
}

int
store_meta_get(struct store *s, const char *key, uint8_t **val, size_t *len)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT v FROM meta WHERE k = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
        sqlite3_reset(st);
        return rc;
    }
    *len = (size_t)sqlite3_column_bytes(st, 0);
    *val = malloc(*len + 1);
    if (!*val) {
        sqlite3_reset(st);
        return ILONET_ENOMEM;
    }
    if (*len)
        memcpy(*val, sqlite3_column_blob(st, 0), *len);
    (*val)[*len] = 0;
    sqlite3_reset(st);
    return 0;
}

int
store_meta_set(struct store *s, const char *key, const uint8_t *val, size_t len)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO meta(k, v) VALUES(?, ?) "
                      "ON CONFLICT(k) DO UPDATE SET v = excluded.v");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, val, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
store_meta_get_u64(struct store *s, const char *key, uint64_t *v)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT v FROM meta WHERE k = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW    ? 0
           : rc == SQLITE_DONE ? ILONET_ENOTFOUND
                               : store_err(rc);
}

int
store_meta_set_u64(struct store *s, const char *key, uint64_t v)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO meta(k, v) VALUES(?, ?) "
                      "ON CONFLICT(k) DO UPDATE SET v = excluded.v");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)v);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

void
store_set_entry_hook(struct store *s, store_entry_hook fn, void *arg)
{
    s->s_hook = fn;
    s->s_hook_arg = arg;
}

void *
store_entry_hook_arg(struct store *s, store_entry_hook fn)
{
    return s && s->s_hook == fn ? s->s_hook_arg : NULL;
}

int
store_run_entry_hook(struct store *s, const struct entry *e,
                     const char *audience,
                     const uint8_t author[static KEY_PK_LEN])
{
    return s->s_hook ? s->s_hook(s->s_hook_arg, s, e, audience, author) : 0;
}

void
store_set_freeze_hook(struct store *s, store_freeze_hook fn, void *arg)
{
    s->s_freeze = fn;
    s->s_freeze_arg = arg;
}

void
store_set_commit_hook(struct store *s, store_commit_hook fn, void *arg)
{
    s->s_commit = fn;
    s->s_commit_arg = arg;
}

void
store_set_txn_hook(struct store *s, store_txn_hook fn, void *arg)
{
    s->s_txn = fn;
    s->s_txn_arg = arg;
}

int
store_run_freeze_hook(struct store *s, const uint8_t log[static HASH_LEN],
                      uint64_t fork_seq)
{
    return s->s_freeze ? s->s_freeze(s->s_freeze_arg, s, log, fork_seq) : 0;
}

/* ---- erasure: truncating the WAL ---------------------------------------- */

int
store_wal_truncate(struct store *s, const char **why)
{
    int rc = sqlite3_wal_checkpoint_v2(s->s_db, NULL,
                                       SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

    if (rc == SQLITE_OK)
        return 0;
    if (why)
        *why = sqlite3_errstr(rc);
    return store_err(rc);
}
