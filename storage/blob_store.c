/* blob_store.c - blobs at rest: sealed files in blobs/, their rows, the
 * references index, garbage collection. */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/error.h"
#include "storage/blob_int.h"
#include "storage/store_int.h"

/*
 * Rows (tables made by blob_schema):
 *   blob_ref(hash, k, i, record, size, keyid): item i of the "attachments"
 *     array of the entry at position k (entries.k), naming blob hash for
 *     record; keyid = blob_key_id() of the item's key (the key itself stays
 *     in the payload only). A trigger deletes an entry's rows when its
 *     payload is erased, so the rows are exactly the references whose key
 *     this node still holds.
 *   blob(hash, size, stored, keyid, type, name, added, pkey, paud): a file
 *     blobs/<hex hash> this node holds, sealed under the key with keyid;
 *     pkey/paud hold the key and audience of a staged blob until an entry
 *     carries the key (blob_gc clears them then).
 * The file is renamed into place and its row inserted inside one write
 * transaction (BEGIN IMMEDIATE), and the collector takes files away inside
 * one too, so another process never sees a row without its file or a file
 * it could mistake for an orphan.
 */

static const char blob__schema_sql[] =
    "CREATE TABLE IF NOT EXISTS blob_ref("
    "  hash BLOB NOT NULL,"   /* the blob id */
    "  k INTEGER NOT NULL,"   /* the referencing entry: entries.k */
    "  i INTEGER NOT NULL,"   /* its index in the attachments array */
    "  record BLOB NOT NULL," /* the record the entry creates or amends */
    "  size INTEGER NOT NULL,"
    "  keyid BLOB NOT NULL,"
    "  PRIMARY KEY(hash, k, i)"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS blob_ref_k ON blob_ref(k);"
    /* a record's attachments (view_record_attachments) */
    "CREATE INDEX IF NOT EXISTS blob_ref_record ON blob_ref(record);"
    /* Erasure goes through log_erase_at(): the payload, and with it the
     * key, is gone, so the reference no longer opens anything. */
    "CREATE TRIGGER IF NOT EXISTS blob_ref_erased AFTER UPDATE OF payload"
    "  ON entries WHEN new.payload IS NULL BEGIN"
    "  DELETE FROM blob_ref WHERE k = new.k; END;"
    "CREATE TRIGGER IF NOT EXISTS blob_ref_gone AFTER DELETE ON entries"
    "  BEGIN DELETE FROM blob_ref WHERE k = old.k; END;"
    "CREATE TABLE IF NOT EXISTS blob("
    "  hash BLOB PRIMARY KEY,"
    "  size INTEGER NOT NULL,"   /* plaintext bytes */
    "  stored INTEGER NOT NULL," /* bytes of the file (the quota) */
    "  keyid BLOB NOT NULL,"     /* the key the file is sealed with */
    "  type TEXT NOT NULL,"
    "  name TEXT,"
    "  added INTEGER NOT NULL," /* unix ms */
    "  pkey BLOB,"              /* staged: the key, until an entry has it */
    "  paud TEXT"               /* staged: its audience */
    ") WITHOUT ROWID;"
    /* blobs asked for on demand (blob_demand): fetched whatever their
     * age; a row goes when its blob is held or no longer referenced */
    "CREATE TABLE IF NOT EXISTS blob_demand("
    "  hash BLOB PRIMARY KEY,"
    "  at INTEGER NOT NULL"
    ") WITHOUT ROWID;";

int
blob_schema(struct store *s)
{
    if (!s)
        return ILONET_EINVAL;
    return store_err(
        sqlite3_exec(store_db(s), blob__schema_sql, NULL, NULL, NULL));
}

int
blob_ref_note(struct store *s, int64_t k, const uint8_t record[static HASH_LEN],
              const msgpack_object *attachments)
{
    struct blob_ref refs[BLOB_REFS_MAX];
    uint8_t keyid[HASH_LEN];
    sqlite3_stmt *st;
    size_t n = 0;
    int rc = 0;

    /* A bad value is the view's to judge (the record or change carries
     * its reason); it names no blob. */
    if (blob_refs_decode(attachments, refs, BLOB_REFS_MAX, &n, NULL, 0) != 0)
        return 0;
    st = store_stmt(s, "INSERT OR IGNORE INTO blob_ref(hash, k, i, record,"
                       " size, keyid) VALUES(?,?,?,?,?,?)");
    if (!st) {
        rc = ILONET_EIO;
        goto out;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        blob_key_id(refs[i].br_key, keyid);
        sqlite3_bind_blob(st, 1, refs[i].br_id, HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, k);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        sqlite3_bind_blob(st, 4, record, HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (int64_t)refs[i].br_size);
        sqlite3_bind_blob(st, 6, keyid, HASH_LEN, SQLITE_STATIC);
        rc = store_err(sqlite3_step(st));
        sqlite3_reset(st);
    }
    sqlite3_clear_bindings(st);
out:
    sodium_memzero(refs, sizeof(refs));
    return rc;
}

/* ---- small helpers ----------------------------------------------------------
 */

static int
blob__fail(char *why, size_t wl, int rc, const char *fmt, const char *a,
           const char *b)
{
    if (why && wl)
        snprintf(why, wl, fmt, a ? a : "", b ? b : "");
    return rc;
}

static int
blob__errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return ILONET_ENOTFOUND;
    case EACCES:
    case EPERM: return ILONET_EPERM;
    case ENOMEM: return ILONET_ENOMEM;
    default: return ILONET_EIO;
    }
}

void
blob__path(const struct blob_store *bs, const char *prefix,
           const uint8_t id[static HASH_LEN], char out[static BLOB__PATH_MAX])
{
    char hex[2 * HASH_LEN + 1];

    hash_hex(id, HASH_LEN, hex);
    snprintf(out, BLOB__PATH_MAX, "%s/%s%s", bs->bs_dir, prefix, hex);
}

/* Reads exactly n bytes (0), or ILONET_EIO / ILONET_EHASH at end of file
 * (a stored file shorter than its header says). */
int
blob__read_full(int fd, uint8_t *buf, size_t n, int short_rc)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ILONET_EIO;
        if (r == 0)
            return short_rc;
        got += (size_t)r;
    }
    return 0;
}

int
blob__write_full(int fd, const uint8_t *buf, size_t n)
{
    size_t put = 0;

    while (put < n) {
        ssize_t w = write(fd, buf + put, n - put);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return errno == ENOSPC ? ILONET_EQUOTA : ILONET_EIO;
        put += (size_t)w;
    }
    return 0;
}

/* 1 when the next read() of fd returns end of file. */
static int
blob__at_eof(int fd)
{
    uint8_t b;
    ssize_t r;

    while ((r = read(fd, &b, 1)) < 0 && errno == EINTR)
        ;
    return r == 0;
}

int
blob__sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0)
        return ILONET_EIO;
    if (fsync(fd) != 0)
        rc = ILONET_EIO;
    close(fd);
    return rc;
}

/* Overwrites a file with zeros, syncs and unlinks it. Crypto-shredding is
 * what holds on media that keep old blocks (SSDs, copy-on-write file
 * systems); this takes the bytes off the common case. */
int
blob__wipe(const char *path)
{
    static const uint8_t zero[4096];
    struct stat sb;
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd >= 0) {
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
            for (off_t off = 0; off < sb.st_size;) {
                size_t n = (size_t)(sb.st_size - off) < sizeof(zero)
                               ? (size_t)(sb.st_size - off)
                               : sizeof(zero);
                if (blob__write_full(fd, zero, n) != 0)
                    break;
                off += (off_t)n;
            }
            (void)fsync(fd);
        }
        close(fd);
    }
    if (unlink(path) != 0 && errno != ENOENT)
        return ILONET_EIO;
    return 0;
}

int
blob__step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_err(rc);
}

/* A statement prepared for one use (the cached ones are for the entry
 * hook's hot path: the store's cache has a fixed size). */
sqlite3_stmt *
blob__prep(struct blob_store *bs, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(store_db(bs->bs_store), sql, -1, &st, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* ---- open ------------------------------------------------------------------
 */

int
blob_open(struct store *s, const char *dir, const struct blob_limits *lim,
          struct blob_store **out)
{
    struct blob_store *bs;
    struct stat sb;

    if (!s || !dir || !lim || !out || strlen(dir) + 80 >= BLOB__PATH_MAX ||
        lim->bl_max == 0 || lim->bl_max > BLOB_SIZE_CAP || lim->bl_quota == 0)
        return ILONET_EINVAL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return blob__errno(errno);
    if (lstat(dir, &sb) != 0)
        return blob__errno(errno);
    if (!S_ISDIR(sb.st_mode))
        return ILONET_EINVAL;
    if (sb.st_mode & 077)
        return ILONET_EPERM; /* blobs/ is as private as the home */
    if (!(bs = calloc(1, sizeof(*bs))))
        return ILONET_ENOMEM;
    bs->bs_store = s;
    bs->bs_lim = *lim;
    snprintf(bs->bs_dir, sizeof(bs->bs_dir), "%s", dir);
    *out = bs;
    return 0;
}

void
blob_close(struct blob_store *bs)
{
    free(bs);
}

/* ---- reading what is known
 * ---------------------------------------------------- */

int
blob_ref_read(struct store *s, int64_t k, int64_t i, struct blob_ref *out)
{
    struct blob_ref refs[BLOB_REFS_MAX];
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    const msgpack_object *att;
    sqlite3_stmt *st = NULL;
    msgpack_object o;
    msgpack_zone z;
    size_t n = 0;
    int rc;

    if (!s || !out)
        return ILONET_EINVAL;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT payload FROM entries WHERE k = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return ILONET_EIO;
    }
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_BLOB) {
        sqlite3_finalize(st);
        return rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                     : store_err(rc);
    }
    if (!msgpack_zone_init(&z, 2048)) {
        sqlite3_finalize(st);
        return ILONET_ENOMEM;
    }
    lim.max_len = ENTRY_PAYLOAD_MAX;
    rc = wire_check(sqlite3_column_blob(st, 0),
                    (size_t)sqlite3_column_bytes(st, 0), &lim);
    if (rc == 0)
        rc = wire_unpack(sqlite3_column_blob(st, 0),
                         (size_t)sqlite3_column_bytes(st, 0), &z, &o);
    if (rc == 0) {
        att = wire_map_get(&o, "attachments");
        if (!att)
            att = wire_map_get(wire_map_get(&o, "fields"), "attachments");
        rc = blob_refs_decode(att, refs, BLOB_REFS_MAX, &n, NULL, 0);
        if (rc == 0 && (i < 0 || (size_t)i >= n))
            rc = ILONET_ENOTFOUND;
        if (rc == 0)
            *out = refs[i];
    }
    sodium_memzero(refs, sizeof(refs));
    msgpack_zone_destroy(&z);
    sqlite3_finalize(st);
    return rc;
}

/* The item i of the attachments of the entry at k (blob_ref_read). */
int
blob__ref_at(struct blob_store *bs, int64_t k, int64_t i, struct blob_ref *out)
{
    return blob_ref_read(bs->bs_store, k, i, out);
}

int
blob_get_info(struct blob_store *bs, const uint8_t id[static HASH_LEN],
              struct blob_info *out)
{
    struct blob_info bi;
    sqlite3_stmt *st;
    int64_t first_k = -1, first_i = 0;
    int rc, row = 0, staged = 0;

    if (!bs || !out)
        return ILONET_EINVAL;
    memset(&bi, 0, sizeof(bi));
    memcpy(bi.bi_id, id, HASH_LEN);
    st = blob__prep(bs, "SELECT size, stored, type, name, pkey IS NOT NULL,"
                        " paud FROM blob WHERE hash = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row = 1;
        bi.bi_size = (uint64_t)sqlite3_column_int64(st, 0);
        bi.bi_stored = (uint64_t)sqlite3_column_int64(st, 1);
        snprintf(bi.bi_type, sizeof(bi.bi_type), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        if (sqlite3_column_type(st, 3) == SQLITE_TEXT)
            snprintf(bi.bi_name, sizeof(bi.bi_name), "%s",
                     (const char *)sqlite3_column_text(st, 3));
        staged = sqlite3_column_int(st, 4);
        if (sqlite3_column_type(st, 5) == SQLITE_TEXT)
            snprintf(bi.bi_staged, sizeof(bi.bi_staged), "%s",
                     (const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(rc);
    st = blob__prep(bs, "SELECT r.record, e.id, l.audience, r.size, r.k, r.i"
                        " FROM blob_ref r JOIN entries e ON e.k = r.k"
                        " JOIN logs l ON l.lid = (r.k >> 32)"
                        " WHERE r.hash = ? ORDER BY r.k, r.i");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (bi.bi_nholders < BLOB_HOLDERS_MAX) {
            struct blob_holder *h = &bi.bi_holders[bi.bi_nholders];

            memcpy(h->bo_record, sqlite3_column_blob(st, 0), HASH_LEN);
            memcpy(h->bo_entry, sqlite3_column_blob(st, 1), HASH_LEN);
            snprintf(h->bo_audience, sizeof(h->bo_audience), "%s",
                     (const char *)sqlite3_column_text(st, 2));
        }
        if (first_k < 0) {
            first_k = sqlite3_column_int64(st, 4);
            first_i = sqlite3_column_int64(st, 5);
            if (!row)
                bi.bi_size = (uint64_t)sqlite3_column_int64(st, 3);
        }
        bi.bi_nholders++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    if (!row && bi.bi_nholders == 0)
        return ILONET_ENOTFOUND;
    if (!row) {
        struct blob_ref r;

        /* a wanted blob: what its first reference says */
        if (blob__ref_at(bs, first_k, first_i, &r) == 0) {
            snprintf(bi.bi_type, sizeof(bi.bi_type), "%s", r.br_type);
            snprintf(bi.bi_name, sizeof(bi.bi_name), "%s", r.br_name);
            sodium_memzero(&r, sizeof(r));
        }
        bi.bi_state = BLOB_WANTED;
    } else {
        bi.bi_state = staged && bi.bi_nholders == 0 ? BLOB_STAGED : BLOB_HELD;
    }
    *out = bi;
    return 0;
}

int
blob_find(struct blob_store *bs, const char *hex, uint8_t id[static HASH_LEN])
{
    uint8_t lo[HASH_LEN], hi[HASH_LEN], got[HASH_LEN];
    size_t n = hex ? strlen(hex) : 0, found = 0;
    sqlite3_stmt *st;
    int rc;

    if (!bs || n < 8 || n > 2 * HASH_LEN)
        return ILONET_EINVAL;
    if (hash_prefix_range(hex, lo, hi) != 0)
        return ILONET_EINVAL;
    st = blob__prep(bs, "SELECT hash FROM blob WHERE hash BETWEEN ?1 AND ?2"
                        " UNION SELECT hash FROM blob_ref WHERE hash"
                        " BETWEEN ?1 AND ?2 LIMIT 2");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, lo, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hi, HASH_LEN, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) == HASH_LEN)
            memcpy(got, sqlite3_column_blob(st, 0), HASH_LEN);
        found++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    if (found == 0)
        return ILONET_ENOTFOUND;
    if (found > 1)
        return ILONET_EINVAL;
    memcpy(id, got, HASH_LEN);
    return 0;
}

int
blob_key(struct blob_store *bs, const uint8_t id[static HASH_LEN],
         uint8_t key[static BLOB_KEY_LEN])
{
    uint8_t keyid[HASH_LEN], kid[HASH_LEN];
    struct blob_ref r;
    sqlite3_stmt *st;
    int rc;

    if (!bs)
        return ILONET_EINVAL;
    st = blob__prep(bs, "SELECT keyid, pkey FROM blob WHERE hash = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    memcpy(keyid, sqlite3_column_blob(st, 0), HASH_LEN);
    if (sqlite3_column_bytes(st, 1) == BLOB_KEY_LEN) {
        memcpy(key, sqlite3_column_blob(st, 1), BLOB_KEY_LEN);
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    /* a reference held with the file's key */
    st = blob__prep(bs, "SELECT k, i FROM blob_ref WHERE hash = ? AND"
                        " keyid = ? ORDER BY k, i");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, keyid, HASH_LEN, SQLITE_STATIC);
    rc = ILONET_ENOTFOUND;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (blob__ref_at(bs, sqlite3_column_int64(st, 0),
                         sqlite3_column_int64(st, 1), &r) != 0)
            continue;
        blob_key_id(r.br_key, kid);
        if (memcmp(kid, keyid, HASH_LEN) == 0 &&
            memcmp(r.br_id, id, HASH_LEN) == 0) {
            memcpy(key, r.br_key, BLOB_KEY_LEN);
            rc = 0;
        }
        sodium_memzero(&r, sizeof(r));
        if (rc == 0)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- storing a file
 * ------------------------------------------------------------ */

/* A file that shrank or grew while it was read: an internal marker,
 * reported as ILONET_EIO "changed while being read". */
#define BLOB__CHANGED 1

/* Pass one over fd: the leaves (malloc'd), the id and the first bytes. */
static int
blob__scan(int fd, uint64_t size, uint8_t (**leaves)[HASH_LEN],
           uint8_t id[static HASH_LEN], uint8_t *head, size_t *headn,
           uint8_t *buf)
{
    uint32_t n = blob_chunk_count(size);
    uint8_t(*l)[HASH_LEN], root[HASH_LEN];
    int rc;

    if (!(l = malloc((size_t)n * HASH_LEN)))
        return ILONET_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = blob_chunk_len(size, i);

        if ((rc = blob__read_full(fd, buf, len, BLOB__CHANGED)) != 0) {
            free(l);
            return rc;
        }
        if (i == 0) {
            *headn = len < 4096 ? len : 4096;
            memcpy(head, buf, *headn);
        }
        blob_leaf(buf, len, l[i]);
    }
    if (!blob__at_eof(fd)) {
        free(l);
        return BLOB__CHANGED;
    }
    blob_root((const uint8_t(*)[HASH_LEN])l, n, root);
    blob_id_of(size, root, id);
    *leaves = l;
    return 0;
}

/* Pass two: seals fd's chunks (they must hash to leaves again) and then
 * the leaves into out, under key, after the header hdr. */
static int
blob__seal(int fd, int out, uint64_t size, const uint8_t (*leaves)[HASH_LEN],
           const uint8_t key[static BLOB_KEY_LEN],
           const uint8_t id[static HASH_LEN], uint8_t *buf, uint8_t *ct)
{
    crypto_secretstream_xchacha20poly1305_state ss;
    struct blob_file_hdr h;
    uint8_t hb[BLOB_FILE_HDR_LEN], leaf[HASH_LEN];
    uint32_t n = blob_chunk_count(size);
    uint8_t *tree = NULL;
    int rc;

    memset(&h, 0, sizeof(h));
    h.bh_size = size;
    memcpy(h.bh_id, id, HASH_LEN);
    blob_key_id(key, h.bh_keyid);
    if (crypto_secretstream_xchacha20poly1305_init_push(&ss, h.bh_stream,
                                                        key) != 0)
        return ILONET_EIO;
    blob_file_hdr_encode(&h, hb);
    if ((rc = blob__write_full(out, hb, sizeof(hb))) != 0)
        goto out;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        rc = ILONET_EIO;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t len = blob_chunk_len(size, i);

        if ((rc = blob__read_full(fd, buf, len, BLOB__CHANGED)) != 0)
            goto out;
        blob_leaf(buf, len, leaf);
        if (memcmp(leaf, leaves[i], HASH_LEN) != 0) {
            rc = BLOB__CHANGED;
            goto out;
        }
        crypto_secretstream_xchacha20poly1305_push(
            &ss, ct, NULL, buf, len, NULL, 0,
            crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
        if ((rc = blob__write_full(out, ct, len + BLOB__SS_AB)) != 0)
            goto out;
    }
    if (!blob__at_eof(fd)) {
        rc = BLOB__CHANGED;
        goto out;
    }
    /* the leaves last, sealed FINAL with the header as associated data:
     * a swapped header or a cut file fails here */
    if (!(tree = malloc((size_t)n * HASH_LEN + BLOB__SS_AB))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    crypto_secretstream_xchacha20poly1305_push(
        &ss, tree, NULL, (const uint8_t *)leaves, (size_t)n * HASH_LEN, hb, 80,
        crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    rc = blob__write_full(out, tree, (size_t)n * HASH_LEN + BLOB__SS_AB);
    if (rc == 0 && fsync(out) != 0)
        rc = ILONET_EIO;
out:
    free(tree);
    sodium_memzero(&ss, sizeof(ss));
    return rc;
}

/* Sum of the stored files' sizes. */
static int
blob__used(struct blob_store *bs, uint64_t *used)
{
    sqlite3_stmt *st = blob__prep(bs, "SELECT total(stored) FROM blob");
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *used = (uint64_t)sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

int
blob__quota(struct blob_store *bs, uint64_t need, char *why, size_t wl)
{
    uint64_t used = 0;
    char a[64], b[64];
    int rc;

    if ((rc = blob__used(bs, &used)) != 0)
        return rc;
    if (used + need <= bs->bs_lim.bl_quota)
        return 0;
    snprintf(a, sizeof(a), "%llu", (unsigned long long)need);
    snprintf(b, sizeof(b), "%llu of %llu", (unsigned long long)used,
             (unsigned long long)bs->bs_lim.bl_quota);
    return blob__fail(why, wl, ILONET_EQUOTA,
                      "quota: %s more bytes would not fit (%s bytes used; "
                      "blob-quota in the home's config)",
                      a, b);
}

int
blob__exists(struct blob_store *bs, const uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st = blob__prep(bs, "SELECT 1 FROM blob WHERE hash = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
blob_put_file(struct blob_store *bs, const struct blob_put *req,
              struct blob_info *out, int *created, char *why, size_t wl)
{
    uint8_t id[HASH_LEN], key[BLOB_KEY_LEN], keyid[HASH_LEN], head[4096];
    uint8_t(*leaves)[HASH_LEN] = NULL;
    uint8_t *buf = NULL, *ct = NULL;
    char tmp[BLOB__PATH_MAX], final[BLOB__PATH_MAX], num[64];
    const char *type;
    sqlite3_stmt *st;
    size_t headn = 0;
    uint64_t size, flen;
    struct stat sb;
    int fd = -1, out_fd = -1, rc, in_txn = 0;

    tmp[0] = '\0';
    if (!bs || !req || !req->bp_path || !req->bp_audience || !out || !created ||
        !req->bp_name || !blob_name_valid(req->bp_name, strlen(req->bp_name)))
        return blob__fail(why, wl, ILONET_EINVAL, "invalid request%s%s", NULL,
                          NULL);
    fd = open(req->bp_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        rc = blob__errno(errno);
        return blob__fail(why, wl, rc, "%s: cannot read: %s", req->bp_path,
                          strerror(errno));
    }
    if (fstat(fd, &sb) != 0) {
        rc = blob__fail(why, wl, ILONET_EIO, "%s: cannot read: %s",
                        req->bp_path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = blob__fail(why, wl, ILONET_EINVAL, "%s: not a regular file%s",
                        req->bp_path, NULL);
        goto out;
    }
    size = (uint64_t)sb.st_size;
    if (size == 0) {
        rc = blob__fail(why, wl, ILONET_EINVAL, "%s: empty file%s",
                        req->bp_path, NULL);
        goto out;
    }
    if (size > bs->bs_lim.bl_max) {
        snprintf(num, sizeof(num),
                 "%llu bytes, over the network's limit of "
                 "%llu",
                 (unsigned long long)size,
                 (unsigned long long)bs->bs_lim.bl_max);
        rc = blob__fail(why, wl, ILONET_ETOOBIG,
                        "%s: too-big: %s (blob-max "
                        "in the network file)",
                        req->bp_path, num);
        goto out;
    }
    if (!(buf = malloc(BLOB_CHUNK)) ||
        !(ct = malloc(BLOB_CHUNK + BLOB__SS_AB))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    rc = blob__scan(fd, size, &leaves, id, head, &headn, buf);
    if (rc != 0)
        goto read_fail;
    if ((rc = blob__exists(bs, id)) < 0)
        goto out;
    if (rc == 1) { /* held already: nothing to write */
        if ((rc = blob_get_info(bs, id, out)) == 0)
            *created = 0;
        goto out;
    }
    flen = blob_file_len(size);
    if ((rc = blob__quota(bs, flen, why, wl)) != 0)
        goto out;
    type = blob_media_type(head, headn);
    snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", bs->bs_dir);
    if ((out_fd = mkstemp(tmp)) < 0) {
        tmp[0] = '\0';
        rc = blob__fail(why, wl, blob__errno(errno), "%s: %s", bs->bs_dir,
                        strerror(errno));
        goto out;
    }
    crypto_secretstream_xchacha20poly1305_keygen(key);
    rc = blob__seal(fd, out_fd, size, (const uint8_t(*)[HASH_LEN])leaves, key,
                    id, buf, ct);
    if (rc != 0)
        goto read_fail;
    if (close(out_fd) != 0) {
        out_fd = -1;
        rc = ILONET_EIO;
        goto out;
    }
    out_fd = -1;
    /* into place and on record in one write transaction */
    if ((rc = store_begin(bs->bs_store)) != 0)
        goto out;
    in_txn = 1;
    if ((rc = blob__exists(bs, id)) < 0)
        goto out;
    if (rc == 1) { /* another process stored it meanwhile */
        store_rollback(bs->bs_store);
        in_txn = 0;
        if ((rc = blob_get_info(bs, id, out)) == 0)
            *created = 0;
        goto out;
    }
    if ((rc = blob__quota(bs, flen, why, wl)) != 0)
        goto out;
    blob__path(bs, "", id, final);
    if (rename(tmp, final) != 0) {
        rc = blob__fail(why, wl, ILONET_EIO, "%s: %s", final, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    if ((rc = blob__sync_dir(bs->bs_dir)) != 0)
        goto placed_fail;
    blob_key_id(key, keyid);
    st = blob__prep(bs, "INSERT INTO blob(hash, size, stored, keyid, type,"
                        " name, added, pkey, paud) VALUES(?,?,?,?,?,?,?,?,?)");
    if (!st) {
        rc = ILONET_EIO;
        goto placed_fail;
    }
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)size);
    sqlite3_bind_int64(st, 3, (int64_t)flen);
    sqlite3_bind_blob(st, 4, keyid, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, req->bp_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (int64_t)req->bp_now_ms);
    sqlite3_bind_blob(st, 8, key, BLOB_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, req->bp_audience, -1, SQLITE_STATIC);
    rc = blob__step_done(st);
    sqlite3_finalize(st);
    if (rc != 0 || (rc = store_commit(bs->bs_store)) != 0)
        goto placed_fail;
    in_txn = 0;
    if ((rc = blob_get_info(bs, id, out)) == 0)
        *created = 1;
    goto out;
read_fail:
    if (rc == BLOB__CHANGED)
        rc = blob__fail(why, wl, ILONET_EIO,
                        "%s: the file changed while being read%s", req->bp_path,
                        NULL);
    else if (rc == ILONET_EIO)
        rc = blob__fail(why, wl, rc, "%s: cannot read: %s", req->bp_path,
                        strerror(errno));
    else if (rc == ILONET_EQUOTA)
        rc = blob__fail(why, wl, rc, "%s: no space left%s", bs->bs_dir, NULL);
    goto out;
placed_fail:
    /* the row never committed: the file must not stay */
    blob__wipe(final);
out:
    if (in_txn)
        store_rollback(bs->bs_store);
    if (out_fd >= 0)
        close(out_fd);
    if (tmp[0])
        blob__wipe(tmp);
    if (fd >= 0)
        close(fd);
    sodium_memzero(key, sizeof(key));
    if (buf)
        sodium_memzero(buf, BLOB_CHUNK);
    if (ct)
        sodium_memzero(ct, BLOB_CHUNK + BLOB__SS_AB);
    sodium_memzero(head, sizeof(head));
    free(buf);
    free(ct);
    free(leaves);
    return rc;
}

/* ---- reading a blob back
 * ---------------------------------------------------------- */

int
blob_read_to(struct blob_store *bs, const uint8_t id[static HASH_LEN],
             const uint8_t key[static BLOB_KEY_LEN], const char *out_path,
             char *why, size_t wl)
{
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t hb[BLOB_FILE_HDR_LEN], keyid[HASH_LEN], root[HASH_LEN];
    uint8_t got[HASH_LEN], tag;
    uint8_t(*leaves)[HASH_LEN] = NULL, *tree = NULL, *buf = NULL, *ct = NULL;
    /* the tree as opened, never in place: libsodium's pull may not write
     * over its own input */
    uint8_t *sealed = NULL;
    char path[BLOB__PATH_MAX], tmp[BLOB__PATH_MAX + 16];
    struct blob_file_hdr h;
    struct stat sb;
    uint32_t n;
    int fd = -1, out = -1, rc;

    tmp[0] = '\0';
    if (!bs || !out_path || strlen(out_path) >= BLOB__PATH_MAX)
        return ILONET_EINVAL;
    blob__path(bs, "", id, path);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        rc = blob__errno(errno);
        return blob__fail(why, wl, rc, "%s: %s", path, strerror(errno));
    }
    if ((rc = blob__read_full(fd, hb, sizeof(hb), ILONET_EHASH)) != 0 ||
        (rc = blob_file_hdr_decode(hb, sizeof(hb), &h)) != 0) {
        rc =
            blob__fail(why, wl, ILONET_EHASH,
                       "%s: the stored file's header is damaged%s", path, NULL);
        goto out;
    }
    blob_key_id(key, keyid);
    if (memcmp(h.bh_id, id, HASH_LEN) != 0 ||
        sodium_memcmp(h.bh_keyid, keyid, HASH_LEN) != 0 ||
        fstat(fd, &sb) != 0 ||
        (uint64_t)sb.st_size != blob_file_len(h.bh_size)) {
        rc = blob__fail(why, wl, ILONET_EHASH,
                        "%s: the stored file is not this blob sealed with "
                        "this key (damaged or replaced)%s",
                        path, NULL);
        goto out;
    }
    n = blob_chunk_count(h.bh_size);
    if (!(leaves = malloc((size_t)n * HASH_LEN)) ||
        !(tree = malloc((size_t)n * HASH_LEN + BLOB__SS_AB)) ||
        !(sealed = malloc((size_t)n * HASH_LEN)) ||
        !(buf = malloc(BLOB_CHUNK)) ||
        !(ct = malloc(BLOB_CHUNK + BLOB__SS_AB))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, h.bh_stream,
                                                        key) != 0) {
        rc = blob__fail(why, wl, ILONET_EHASH, "%s: bad stream header%s", path,
                        NULL);
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out_path);
    if ((out = mkstemp(tmp)) < 0) {
        tmp[0] = '\0';
        rc = blob__fail(why, wl, blob__errno(errno), "%s: %s", out_path,
                        strerror(errno));
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t len = blob_chunk_len(h.bh_size, i);

        if ((rc = blob__read_full(fd, ct, len + BLOB__SS_AB, ILONET_EHASH)) !=
                0 ||
            crypto_secretstream_xchacha20poly1305_pull(
                &ss, buf, NULL, &tag, ct, len + BLOB__SS_AB, NULL, 0) != 0 ||
            tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            char at[32];

            snprintf(at, sizeof(at), "%u", (unsigned)i);
            rc = blob__fail(why, wl, ILONET_EHASH,
                            "%s: chunk %s fails its seal (damaged): nothing "
                            "written",
                            path, at);
            goto out;
        }
        blob_leaf(buf, len, leaves[i]);
        if ((rc = blob__write_full(out, buf, len)) != 0) {
            rc = blob__fail(why, wl, rc, "%s: %s", out_path, strerror(errno));
            goto out;
        }
    }
    if (blob__read_full(fd, tree, (size_t)n * HASH_LEN + BLOB__SS_AB,
                        ILONET_EHASH) != 0 ||
        crypto_secretstream_xchacha20poly1305_pull(
            &ss, sealed, NULL, &tag, tree, (size_t)n * HASH_LEN + BLOB__SS_AB,
            hb, 80) != 0 ||
        tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL ||
        sodium_memcmp(sealed, leaves, (size_t)n * HASH_LEN) != 0) {
        rc = blob__fail(why, wl, ILONET_EHASH,
                        "%s: the stored hash tree fails its seal or does not "
                        "match the chunks: nothing written%s",
                        path, NULL);
        goto out;
    }
    blob_root((const uint8_t(*)[HASH_LEN])leaves, n, root);
    blob_id_of(h.bh_size, root, got);
    if (memcmp(got, id, HASH_LEN) != 0) {
        rc = blob__fail(why, wl, ILONET_EHASH,
                        "%s: the bytes do not hash to the blob's id: nothing "
                        "written%s",
                        path, NULL);
        goto out;
    }
    if (fsync(out) != 0 || close(out) != 0) {
        out = -1;
        rc = blob__fail(why, wl, ILONET_EIO, "%s: %s", out_path,
                        strerror(errno));
        goto out;
    }
    out = -1;
    if (rename(tmp, out_path) != 0) {
        rc = blob__fail(why, wl, blob__errno(errno), "%s: %s", out_path,
                        strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    rc = 0;
out:
    if (out >= 0)
        close(out);
    if (tmp[0])
        blob__wipe(tmp);
    if (fd >= 0)
        close(fd);
    sodium_memzero(&ss, sizeof(ss));
    if (buf)
        sodium_memzero(buf, BLOB_CHUNK);
    free(buf);
    free(ct);
    free(tree);
    free(sealed);
    free(leaves);
    return rc;
}

/* ---- listing
 * ---------------------------------------------------------------------- */

int
blob_list(struct blob_store *bs, blob_list_cb cb, void *arg)
{
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t n = 0;
    struct blob_info *bi = NULL;
    sqlite3_stmt *st;
    int rc;

    if (!bs || !cb)
        return ILONET_EINVAL;
    /* the ids first: the callback may use the store */
    st = blob__prep(bs, "SELECT hash FROM blob UNION SELECT hash FROM"
                        " blob_ref ORDER BY 1");
    if (!st)
        return ILONET_EIO;
    if ((rc = store_collect_ids(st, NULL, NULL, &ids, &n)) != 0)
        goto out;
    if (!(bi = malloc(sizeof(*bi)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = blob_get_info(bs, ids[i], bi);
        if (rc == ILONET_ENOTFOUND) { /* gone meanwhile */
            rc = 0;
            continue;
        }
        if (rc == 0)
            rc = cb(arg, bi);
    }
out:
    sqlite3_finalize(st);
    free(bi);
    free(ids);
    return rc;
}

int
blob_counts(struct store *s, struct blob_counts *out)
{
    sqlite3_stmt *st;
    int rc;

    if (!s || !out)
        return ILONET_EINVAL;
    st = store_stmt(
        s, "SELECT (SELECT count(*) FROM blob b WHERE b.pkey IS NULL OR"
           " EXISTS (SELECT 1 FROM blob_ref r WHERE r.hash = b.hash)),"
           " (SELECT count(*) FROM blob b WHERE b.pkey IS NOT NULL AND NOT"
           " EXISTS (SELECT 1 FROM blob_ref r WHERE r.hash = b.hash)),"
           " (SELECT count(DISTINCT hash) FROM blob_ref r WHERE NOT EXISTS"
           " (SELECT 1 FROM blob b WHERE b.hash = r.hash)),"
           " (SELECT total(stored) FROM blob)");
    if (!st)
        return ILONET_EIO;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->bc_held = (uint64_t)sqlite3_column_int64(st, 0);
        out->bc_staged = (uint64_t)sqlite3_column_int64(st, 1);
        out->bc_wanted = (uint64_t)sqlite3_column_int64(st, 2);
        out->bc_bytes = (uint64_t)sqlite3_column_double(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

/* ---- taking blobs away
 * -------------------------------------------------------------- */

/* Inside the caller's write transaction: moves blob id's file aside to
 * .del-<hex> (wiped after the commit) and deletes its row. */
static int
blob__doom(struct blob_store *bs, const uint8_t id[static HASH_LEN])
{
    char path[BLOB__PATH_MAX], del[BLOB__PATH_MAX];
    sqlite3_stmt *st;
    int rc;

    blob__path(bs, "", id, path);
    blob__path(bs, ".del-", id, del);
    if (rename(path, del) != 0 && errno != ENOENT)
        return ILONET_EIO;
    st = blob__prep(bs, "DELETE FROM blob WHERE hash = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    rc = blob__step_done(st);
    sqlite3_finalize(st);
    return rc;
}

/* 1 if name is 64 lowercase hex digits after prefix, id filled. */
static int
blob__name_id(const char *name, const char *prefix, uint8_t id[HASH_LEN])
{
    size_t pl = strlen(prefix);

    if (strncmp(name, prefix, pl) != 0 || strlen(name + pl) != 2 * HASH_LEN)
        return 0;
    for (const char *p = name + pl; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return hash_unhex(name + pl, id, HASH_LEN) == 0;
}

/* 1 when the partial of blob hex may stay: a live reference still names
 * the blob and it is not held (a later writer resumes it). */
static int
blob__part_wanted(struct blob_store *bs, const char *hex)
{
    uint8_t id[HASH_LEN];
    sqlite3_stmt *st;
    int keep;

    if (hash_unhex(hex, id, HASH_LEN) != 0 || hex[2 * HASH_LEN] != '\0')
        return 0;
    st = blob__prep(bs, "SELECT EXISTS (SELECT 1 FROM blob_ref WHERE hash ="
                        " ?1) AND NOT EXISTS (SELECT 1 FROM blob WHERE hash ="
                        " ?1)");
    if (!st)
        return 1; /* not known now: judged again at the next collection */
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    keep = sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return keep;
}

/* After the commit: wipes every .del- file, the temporary files of
 * writers that died (older than BLOB__TMP_TTL_MS at now_ms) and the
 * partials of blobs no longer wanted (erased, or held meanwhile); a
 * partial of a blob still wanted stays, whatever its age, for the
 * transfer to resume (docs/PROTOCOL.md §11.4). */
static void
blob__sweep(struct blob_store *bs, uint64_t now_ms)
{
    char path[BLOB__PATH_MAX];
    struct dirent *de;
    struct stat sb;
    DIR *d = opendir(bs->bs_dir);

    if (!d)
        return;
    while ((de = readdir(d))) {
        int del = strncmp(de->d_name, ".del-", 5) == 0;
        int part = strncmp(de->d_name, ".part-", 6) == 0;
        int tmp = strncmp(de->d_name, ".tmp-", 5) == 0;

        if (part && blob__part_wanted(bs, de->d_name + 6))
            continue;
        if (!del && !tmp && !part)
            continue;
        snprintf(path, sizeof(path), "%s/%s", bs->bs_dir, de->d_name);
        if (tmp && (lstat(path, &sb) != 0 ||
                    (uint64_t)sb.st_mtime * 1000 + BLOB__TMP_TTL_MS > now_ms))
            continue;
        blob__wipe(path);
    }
    closedir(d);
}

int
blob_unstage_drop(struct blob_store *bs, const uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st;
    int rc;

    if (!bs)
        return ILONET_EINVAL;
    if ((rc = store_begin(bs->bs_store)) != 0)
        return rc;
    st = blob__prep(bs, "SELECT 1 FROM blob b WHERE hash = ?1 AND pkey IS"
                        " NOT NULL AND NOT EXISTS (SELECT 1 FROM blob_ref r"
                        " WHERE r.hash = ?1)");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        rc = blob__doom(bs, id);
    else
        rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    if (rc != 0)
        goto fail;
    if ((rc = store_commit(bs->bs_store)) != 0)
        return rc;
    blob__sweep(bs, 0);
    return 0;
fail:
    store_rollback(bs->bs_store);
    return rc;
}

/* 1 if blob id has a row but no file (store_collect_ids' filter). */
static int
blob__file_gone(void *arg, const uint8_t *id)
{
    char path[BLOB__PATH_MAX];
    struct stat sb;

    blob__path(arg, "", id, path);
    return lstat(path, &sb) != 0 && errno == ENOENT;
}

int
blob_gc(struct blob_store *bs, uint64_t now_ms, uint64_t *removed)
{
    uint8_t(*ids)[HASH_LEN] = NULL, id[HASH_LEN];
    char path[BLOB__PATH_MAX];
    size_t n = 0;
    uint64_t count = 0;
    struct dirent *de;
    sqlite3_stmt *st = NULL;
    DIR *d = NULL;
    int rc;

    if (!bs)
        return ILONET_EINVAL;
    if ((rc = store_begin(bs->bs_store)) != 0)
        return rc;
    /* a staged key an entry now carries: the entry holds it from now on */
    st = blob__prep(bs, "UPDATE blob SET pkey = NULL, paud = NULL WHERE"
                        " pkey IS NOT NULL AND EXISTS (SELECT 1 FROM blob_ref"
                        " r WHERE r.hash = blob.hash AND r.keyid ="
                        " blob.keyid)");
    if (!st || (rc = blob__step_done(st)) != 0) {
        rc = st ? rc : ILONET_EIO;
        goto fail;
    }
    sqlite3_finalize(st);
    /* what nothing held opens any more, and stale staged blobs */
    st = blob__prep(bs, "SELECT hash FROM blob WHERE (pkey IS NULL AND NOT"
                        " EXISTS (SELECT 1 FROM blob_ref r WHERE r.hash ="
                        " blob.hash AND r.keyid = blob.keyid)) OR (pkey IS"
                        " NOT NULL AND added + ?1 <= ?2)");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, (int64_t)BLOB_STAGE_TTL_MS);
    sqlite3_bind_int64(st, 2, (int64_t)now_ms);
    if ((rc = store_collect_ids(st, NULL, NULL, &ids, &n)) != 0)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n; i++) {
        if ((rc = blob__doom(bs, ids[i])) != 0)
            goto fail;
        count++;
    }
    /* files without a row (a writer died between its rename and its
     * commit), and rows whose file is gone */
    if (!(d = opendir(bs->bs_dir))) {
        rc = blob__errno(errno);
        goto fail;
    }
    while ((de = readdir(d))) {
        if (!blob__name_id(de->d_name, "", id))
            continue;
        if ((rc = blob__exists(bs, id)) < 0)
            goto fail;
        if (rc == 0) {
            char del[BLOB__PATH_MAX];

            blob__path(bs, "", id, path);
            blob__path(bs, ".del-", id, del);
            if (rename(path, del) != 0 && errno != ENOENT) {
                rc = ILONET_EIO;
                goto fail;
            }
        }
    }
    closedir(d);
    d = NULL;
    st = blob__prep(bs, "SELECT hash FROM blob");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    free(ids);
    if ((rc = store_collect_ids(st, blob__file_gone, bs, &ids, &n)) != 0)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n; i++)
        if ((rc = blob__doom(bs, ids[i])) != 0)
            goto fail;
    if ((rc = store_commit(bs->bs_store)) != 0)
        goto out;
    blob__sweep(bs, now_ms);
    if (removed)
        *removed = count;
    goto out;
fail:
    store_rollback(bs->bs_store);
out:
    if (d)
        closedir(d);
    sqlite3_finalize(st);
    free(ids);
    return rc;
}
