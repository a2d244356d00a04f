/* view_search.h - full-text search over the view's records (SQLite FTS5). */
#ifndef ILONET_VIEW_SEARCH_H
#define ILONET_VIEW_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"
#include "storage/view/view.h"

/*
 * A search index over every record kind, derived from the view: table
 * v_search (FTS5: the record's headline field, then its other text
 * fields), one row per record in effect (valid, neither retracted nor
 * erased), keyed by the record's position k. It is node-local like the
 * rest of the view and never enters view_hash(). It indexes only what the
 * view holds, and the view holds only the logs of audiences this node
 * belongs to: the index has no word the node may not read.
 *
 * Upkeep (view_search.c, installed by view_attach()) is lazy, so ingest
 * pays only for a note: SQLite's update hook notes each record row
 * written, and the notes are stored in the transaction that writes the
 * rows (a crash loses no note); view_search_fold() folds the noted records
 * into the index later, in batches: view_search() and view_search_count()
 * first fold everything noted, so no search misses a record. Erasure does not
 * wait: when a record is erased (or leaves the view), its words leave the
 * index's tables in the same transaction (the store's commit hook takes its row
 * out and merges the index, FTS5 'optimize'; secure_delete overwrites the freed
 * pages). A view rebuild empties the index and notes every record, so the next
 * fold builds it in one pass.
 *
 * All functions run on the store's thread and return 0 or a negative
 * ilonet code; view_search_parse() is pure. view_search() may count a
 * query's IDF, or walk half of a phrase, on a thread and a read-only
 * connection of its own (view_search_aside.c), both the view's, and
 * joins that thread before it returns; the connection closes with the
 * store's.
 */

#define VIEW_SEARCH_QUERY_MAX 200 /* bytes of a user's query */
#define VIEW_SEARCH_LIMIT_MAX 200
#define VIEW_SEARCH_WHY_MAX 160
#define VIEW_SEARCH_STAGE_MAX 4096

/*
 * Turns a person's query into the FTS5 expression the index runs: words
 * (all must occur), "a phrase", prefix* , OR, AND, NOT (upper case),
 * parentheses; every other character is part of a word (a word is quoted,
 * so FTS5 column filters and operators cannot be smuggled in). 0 with
 * the expression in out (cap bytes; 4 * VIEW_SEARCH_QUERY_MAX + 16 is
 * always enough), or ILONET_EINVAL with one line in why (wl bytes) saying
 * what is wrong ("unbalanced quote", "NOT needs a word before it", ...),
 * never SQLite's text. ILONET_ETOOBIG over VIEW_SEARCH_QUERY_MAX bytes.
 */
int view_search_parse(const char *q, char *out, size_t cap, char *why,
                      size_t wl);

/*
 * A search: sr_query a person's query (view_search_parse), filters NULL or
 * 0 for none: sr_kind a record kind, sr_category (observations),
 * sr_state the owning state (tasks: the creator), sr_audience (normal
 * form), sr_from/sr_to ISO dates (both or neither: the record's date or
 * period, else the day it was written, overlaps [from, to]). At most
 * sr_limit rows (1..VIEW_SEARCH_LIMIT_MAX), best first (BM25 without
 * the length term, the headline weighing twice: view_search_query.c;
 * then position); sr_after the cursor res->sr_next of the
 * previous page of the same query and filters (a keyset: rows already
 * delivered do not come again).
 */
struct view_search_req {
    const char *sr_query;
    uint32_t sr_kind;
    const char *sr_category, *sr_state, *sr_audience;
    const char *sr_from, *sr_to;
    uint64_t sr_limit;
    const char *sr_after;
    /* candidates the search looks up one by one, in rank order, before it
     * filters the rest of the matches in one statement; 0:
     * VIEW_SEARCH_STAGE_MAX. Both ways give the same rows: a test sets 1
     * (the one statement) and a large number (candidates only) to check
     * that. */
    uint64_t sr_stage_max;
    /* matches of several phrases kept unranked while their IDF is counted
     * beside the walk (view_search_aside.c); 0: as many as 8 MiB hold.
     * Past them the walk waits for the count. The rows are the same
     * either way: a test sets 1 to check that. */
    uint64_t sr_keep_max;
};

struct view_search_res {
    size_t sr_count;               /* rows delivered */
    char sr_next[VIEW_CURSOR_MAX]; /* the next page's cursor, or "" */
};

/*
 * Runs rq; rows go to out (storage/view/view.h sinks) with the columns id
 * (hex), kind (number), state, audience, time_ms, category, title (the
 * kind's headline field), snippet (text around the matches, each match
 * between the bytes 0x01 and 0x02, which record text never holds) and
 * rank (lower is better). Folds every noted record in first
 * (view_search_fold(), in batches of their own transactions). ILONET_EINVAL
 * with why for a query that does not parse or a cursor of another search;
 * res may be NULL.
 */
int view_search(struct store *s, const struct view_search_req *rq,
                const struct view_sink *out, struct view_search_res *res,
                char *why, size_t wl);

/*
 * Folds at most max (> 0) noted records into the index, in one write
 * transaction of its own (a savepoint inside the caller's); nothing, and
 * no transaction, when none are noted. *more (may be NULL) is 1 when
 * records are still noted afterwards. A caller may fold ahead of time; a
 * search calls it itself. ILONET_EINVAL when records are noted but no
 * view is attached to s.
 */
int view_search_fold(struct store *s, uint64_t max, int *more);

/* Rows in the index, after folding every noted record in (for tests and
 * `ilonet status`). */
int view_search_count(struct store *s, uint64_t *n);

#endif
