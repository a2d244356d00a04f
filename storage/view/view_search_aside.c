/* view_search_aside.c - a search's IDF counted on a second connection, on
 * a thread of its own, while the search walks its matches. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "view_int.h"
#include "view_search.h"

/*
 * Why. A search of several words ranks each match by every word's inverse
 * document frequency, and counting a word's records reads its whole
 * position list: at a million records, "forged papers" walks its matches
 * in 30 ms and counts its two words in another 28. SQLite runs one
 * statement at a time per connection, so the counting moves to a second
 * connection to the same file, on a second thread, and both halves take
 * the time of the longer.
 *
 * The connection. Read-only, opened by the first search that wants it
 * and kept in the view's context until the store's connection closes,
 * so a search does not open one and read its schema each time. It is
 * given the store's memory map size, so that it reads the same mapped
 * pages as the store's connection, the rank's FTS5 functions, and a
 * short busy timeout: a WAL reader waits only while another connection
 * recovers the WAL index, and a count that fails is made by the search
 * itself. At most one count runs on it at a time: the search that
 * started it finishes it before it returns, and a store's connection runs
 * one search at a time (its thread rule).
 *
 * What it sees. The second connection reads the last commit. The store's
 * connection does too, outside a transaction; inside one (its own
 * writes, or a snapshot) the counts could differ from what it reads, so
 * view__aside_start() refuses and the search counts on its own
 * connection. A commit by another process can still fall between the
 * two reads: each count carries the records the index held
 * (xRowCount), and the caller counts again when that differs from its
 * own statement's.
 */

struct view__aside {
    pthread_t as_th;
    sqlite3 *as_db; /* the view's second connection (not owned) */
    struct view_search_idf as_idf;
    int as_rc;
    atomic_int as_done;
    char as_expr[];
};

static void *
view__aside_main(void *arg)
{
    struct view__aside *a = arg;

    a->as_rc = view__search_idf_db(a->as_db, a->as_expr, &a->as_idf);
    atomic_store_explicit(&a->as_done, 1, memory_order_release);
    return NULL;
}

/* The view's second connection, opened when missing; NULL when it cannot
 * be had. */
static sqlite3 *
view__aside_db(struct store *s, struct view_ctx *c)
{
    const char *path = sqlite3_db_filename(store_db(s), "main");
    sqlite3_stmt *st = NULL;
    sqlite3_int64 mmap = 0;
    char sql[64];
    sqlite3 *db = NULL;

    if (c->vc_aside || c->vc_aside_off)
        return c->vc_aside;
    c->vc_aside_off = 1; /* until it is open */
    if (!path || !*path)
        return NULL; /* in memory: no other connection can read it */
    if (sqlite3_prepare_v2(store_db(s), "PRAGMA mmap_size", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        mmap = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%lld", (long long)mmap);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 1000) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        view__search_rank_install(db) != 0) {
        sqlite3_close_v2(db);
        return NULL;
    }
    c->vc_aside = db;
    c->vc_aside_off = 0;
    return db;
}

int
view__aside_start(struct store *s, const char *expr, struct view__aside **out)
{
    struct view_ctx *c = view__attached(s);
    size_t n = strlen(expr);
    struct view__aside *a;
    sqlite3 *db;

    *out = NULL;
    if (!c || !sqlite3_get_autocommit(store_db(s)) ||
        !(db = view__aside_db(s, c)))
        return ILONET_ENOTFOUND;
    if (!(a = calloc(1, sizeof(*a) + n + 1)))
        return ILONET_ENOMEM;
    memcpy(a->as_expr, expr, n + 1);
    a->as_db = db;
    atomic_init(&a->as_done, 0);
    if (pthread_create(&a->as_th, NULL, view__aside_main, a) != 0) {
        free(a);
        return ILONET_ENOTFOUND;
    }
    *out = a;
    return 0;
}

int
view__aside_ready(struct view__aside *a)
{
    return atomic_load_explicit(&a->as_done, memory_order_acquire);
}

int
view__aside_finish(struct view__aside *a, struct view_search_idf *d)
{
    int rc;

    pthread_join(a->as_th, NULL);
    rc = a->as_rc;
    if (rc == 0)
        *d = a->as_idf;
    free(a);
    return rc;
}

void
view__aside_close(struct view_ctx *c)
{
    sqlite3_close_v2(c->vc_aside);
    c->vc_aside = NULL;
}
