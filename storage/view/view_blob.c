/* view_blob.c - the files a record carries: its creation's and its effective
 * amendments' attachments. */
#include "view_blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "storage/blob.h"
#include "view_int.h"

_Static_assert(VIEW_ATT_TYPE_MAX == BLOB_TYPE_MAX &&
                   VIEW_ATT_NAME_MAX == BLOB_NAME_MAX,
               "view_attachment holds what a blob reference holds");

/* One reference found: where it is, before its payload is read. */
struct view__att_row {
    int64_t ar_k, ar_i;
    uint8_t ar_hash[HASH_LEN];
    uint8_t ar_entry[HASH_LEN];
    int ar_held;
};

/*
 * The references of record: its creating entry's (the entry whose id is
 * the record's) and those of amendments whose change takes effect
 * (v_chg.valid). Another record's amendment cannot name this record in
 * blob_ref: the hook notes an amendment for its own target.
 */
static const char view__att_sql[] =
    "SELECT b.k, b.i, b.hash, e.id, EXISTS (SELECT 1 FROM blob f WHERE"
    " f.hash = b.hash) FROM blob_ref b CROSS JOIN entries e ON e.k = b.k"
    " WHERE b.record = ?1 AND (e.id = ?1 OR EXISTS (SELECT 1 FROM v_chg c"
    " WHERE c.k = b.k AND c.valid = 1)) ORDER BY b.k, b.i";

int
view_record_attachments(struct store *s, const uint8_t record[HASH_LEN],
                        view_attachment_cb cb, void *arg)
{
    struct view__att_row *rows = NULL;
    struct view_attachment a;
    struct blob_ref ref;
    sqlite3_stmt *st;
    size_t n = 0, cap = 0;
    int rc;

    if (!s || !record || !cb)
        return ILONET_EINVAL;
    if (!(st = store_stmt(s, view__att_sql)))
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, record, HASH_LEN, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct view__att_row *r;
        size_t j = 0;

        if (sqlite3_column_bytes(st, 2) != HASH_LEN ||
            sqlite3_column_bytes(st, 3) != HASH_LEN)
            continue;
        /* listed once, where it was first added */
        while (j < n && memcmp(rows[j].ar_hash, sqlite3_column_blob(st, 2),
                               HASH_LEN) != 0)
            j++;
        if (j < n)
            continue;
        if (n == cap) {
            void *p = realloc(rows, (cap = cap ? 2 * cap : 8) * sizeof(*rows));

            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            rows = p;
        }
        r = &rows[n++];
        r->ar_k = sqlite3_column_int64(st, 0);
        r->ar_i = sqlite3_column_int64(st, 1);
        memcpy(r->ar_hash, sqlite3_column_blob(st, 2), HASH_LEN);
        memcpy(r->ar_entry, sqlite3_column_blob(st, 3), HASH_LEN);
        r->ar_held = sqlite3_column_int(st, 4);
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    sqlite3_reset(st);
    /* the statement is done before any payload is read: the callback may
     * use the store */
    for (size_t j = 0; j < n && rc == 0; j++) {
        if ((rc = blob_ref_read(s, rows[j].ar_k, rows[j].ar_i, &ref)) != 0) {
            /* erased between the two reads: nothing left to list */
            rc = rc == ILONET_ENOTFOUND ? 0 : rc;
            continue;
        }
        memset(&a, 0, sizeof(a));
        memcpy(a.va_hash, rows[j].ar_hash, HASH_LEN);
        memcpy(a.va_entry, rows[j].ar_entry, HASH_LEN);
        a.va_size = ref.br_size;
        snprintf(a.va_type, sizeof(a.va_type), "%s", ref.br_type);
        snprintf(a.va_name, sizeof(a.va_name), "%s", ref.br_name);
        a.va_held = rows[j].ar_held;
        sodium_memzero(&ref, sizeof(ref)); /* the key stays in the payload */
        rc = cb(arg, &a);
    }
out:
    if (rc == ILONET_ENOMEM)
        sqlite3_reset(st);
    free(rows);
    return rc;
}
