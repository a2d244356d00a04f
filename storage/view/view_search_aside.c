/* view_search_aside.c - a second connection for a search, on a thread of
 * its own: the IDF counted while the search walks its matches, or half
 * of a phrase's walk. */
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
 * the time of the longer. A query of one phrase has no IDF to count, but
 * a phrase of several words is dear to match (view__search_mid() in
 * view_search_rank.c): the second connection walks the matches from the
 * middle position on while the search walks those before it.
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
 * view__aside_new() refuses and the search does it all on its own
 * connection. A commit by another process can still fall between the
 * two reads: each count carries the records the index held
 * (xRowCount), and the caller counts again when that differs from its
 * own statement's. A split walk's halves may then come from the two
 * states, as two pages of a search may.
 */

/* One job on the second connection: a count of IDF, or a walk of a
 * phrase's matches from a position on (as_walk). */
struct view__aside {
    pthread_t as_th;
    sqlite3 *as_db; /* the view's second connection (not owned) */
    struct view_search_idf as_idf;
    int as_walk;
    int64_t as_from;
    const double *as_after_rank; /* NULL or &as_rank */
    double as_rank;
    int64_t as_after_k;
    int64_t *as_ks; /* the caller's, until view__aside_walked() */
    double *as_rs;
    size_t as_cap, as_got;
    int as_rc;
    atomic_int as_done;
    char as_expr[];
};

/* The walk: what view__search_top() would find among the matches at
 * position as_from and after, ranked by ilonet_push(), whose rank of a
 * one-phrase query is ilonet_top()'s. */
static int
view__aside_walk_run(struct view__aside *a)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (sqlite3_prepare_v2(a->as_db,
                           "SELECT count(*) FROM (SELECT ilonet_push(v_search,"
                           " ?8, 2.0, 1.0) AS x FROM v_search WHERE v_search"
                           " MATCH ?1 AND rowid >= ?2) WHERE x IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, a->as_expr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->as_from);
    step = view__search_best(st, 8, a->as_after_rank, a->as_after_k, a->as_ks,
                             a->as_rs, a->as_cap, &a->as_got);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : view__search_step_err(step);
}

static void *
view__aside_main(void *arg)
{
    struct view__aside *a = arg;

    a->as_rc = a->as_walk
                   ? view__aside_walk_run(a)
                   : view__search_idf_db(a->as_db, a->as_expr, &a->as_idf);
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

/* A job for expr on the second connection, not started yet. */
static int
view__aside_new(struct store *s, const char *expr, struct view__aside **out)
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
    *out = a;
    return 0;
}

static int
view__aside_go(struct view__aside *a, struct view__aside **out)
{
    if (pthread_create(&a->as_th, NULL, view__aside_main, a) != 0) {
        free(a);
        return ILONET_ENOTFOUND;
    }
    *out = a;
    return 0;
}

int
view__aside_start(struct store *s, const char *expr, struct view__aside **out)
{
    struct view__aside *a;
    int rc = view__aside_new(s, expr, &a);

    return rc != 0 ? rc : view__aside_go(a, out);
}

int
view__aside_walk(struct store *s, const char *expr, int64_t from,
                 const double *after_rank, int64_t after_k, int64_t *ks,
                 double *rs, size_t cap, struct view__aside **out)
{
    struct view__aside *a;
    int rc = view__aside_new(s, expr, &a);

    if (rc != 0)
        return rc;
    a->as_walk = 1;
    a->as_from = from;
    if (after_rank) {
        a->as_rank = *after_rank;
        a->as_after_rank = &a->as_rank;
    }
    a->as_after_k = after_k;
    a->as_ks = ks;
    a->as_rs = rs;
    a->as_cap = cap;
    return view__aside_go(a, out);
}

int
view__aside_walked(struct view__aside *a, size_t *got)
{
    int rc;

    pthread_join(a->as_th, NULL);
    rc = a->as_rc;
    *got = rc == 0 ? a->as_got : 0;
    free(a);
    return rc;
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
