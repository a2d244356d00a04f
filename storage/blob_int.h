/* blob_int.h - internals shared by the blob module's files (blob_store.c,
 * blob_xfer.c); not for use outside storage/blob*. */
#ifndef ILONET_BLOB_INT_H
#define ILONET_BLOB_INT_H

#include <sqlite3.h>
#include <sodium.h>

#include "storage/blob.h"

#define BLOB__PATH_MAX 1200
#define BLOB__TMP_TTL_MS (3600ull * 1000) /* a writer's temporary file */
#define BLOB__SS_AB crypto_secretstream_xchacha20poly1305_ABYTES

struct blob_store {
    struct store *bs_store;
    struct blob_limits bs_lim;
    char bs_dir[BLOB__PATH_MAX];
};

/* bs's directory / prefix + hex id into out. */
void blob__path(const struct blob_store *bs, const char *prefix,
                const uint8_t id[static HASH_LEN],
                char out[static BLOB__PATH_MAX]);
/* Exactly n bytes of fd (0), ILONET_EIO, or short_rc at end of file. */
int blob__read_full(int fd, uint8_t *buf, size_t n, int short_rc);
/* All n bytes to fd: 0, ILONET_EQUOTA (no space) or ILONET_EIO. */
int blob__write_full(int fd, const uint8_t *buf, size_t n);
int blob__sync_dir(const char *dir);
/* Overwrites a file with zeros, syncs and unlinks it. */
int blob__wipe(const char *path);
int blob__step_done(sqlite3_stmt *st);
/* A statement for one use (finalize it), NULL on failure. */
sqlite3_stmt *blob__prep(struct blob_store *bs, const char *sql);
/* Item i of the attachments of the entry at k (its key: wipe it). */
int blob__ref_at(struct blob_store *bs, int64_t k, int64_t i,
                 struct blob_ref *out);
/* 1 when a file of id is on record, 0 when not, or a code. */
int blob__exists(struct blob_store *bs, const uint8_t id[static HASH_LEN]);
/* 0 when need more bytes fit the quota, else ILONET_EQUOTA (why set). */
int blob__quota(struct blob_store *bs, uint64_t need, char *why, size_t wl);

#endif
