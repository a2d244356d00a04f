/* store_int.h - the store's SQLite handle, for storage/ and tests only. */
#ifndef ILONET_STORE_INT_H
#define ILONET_STORE_INT_H

#include <sqlite3.h>

#include "storage/store.h"

/*
 * Only the files of storage/ (and tests that inspect the tables) include
 * this: the tables are the storage layer's business, and everything
 * outside reads them through typed functions (storage/log.h,
 * storage/view/view.h), so the layout can change without touching a
 * caller. Same thread rules as the store: the handle belongs to the
 * store's thread.
 */

/* The raw handle of s's connection. */
sqlite3 *store_db(struct store *s);

/* Translates a SQLite result code into an ilonet code. */
int store_err(int sqlite_rc);

/* Prepared-statement cache: returns a reset statement for sql, owned by
 * the store (do not finalize). NULL on error. sql should be a string
 * literal: it is matched by address first and kept, not copied. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);

/* Steps st (prepared and bound by the caller) to its end and collects the
 * first column of every row that is a HASH_LEN-byte blob and that keep
 * (NULL: every one) accepts, into a malloc'd array *ids of *n (the caller
 * frees it; NULL and 0 on error). Collected first, so that the caller can
 * then change the tables st read. st is reset, not finalized. */
int store_collect_ids(sqlite3_stmt *st,
                      int (*keep)(void *arg, const uint8_t *id), void *arg,
                      uint8_t (**ids)[HASH_LEN], size_t *n);

#endif
