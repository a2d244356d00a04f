/* view_search_query.c - running a search: the plan that ranks from the
 * index alone, pages. The rank itself: view_search_rank.c. */
#include "view_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
#include "view_int.h"

/*
 * The plan. Ranking the matches is one half of a search's cost
 * (view_search_rank.c); filtering each match through the record rows was
 * the other (a lookup per match). The staged plan ranks the
 * matches from the index alone and keeps the best few (a bounded sort),
 * then looks up only those, in rank order, until the page is full; when
 * the filters let too few through it widens the window from where it
 * stopped, and past VIEW_SEARCH_STAGE_MAX candidates it finishes with the
 * one statement that filters every match. A state filter, or a rare
 * kind, first narrows the window to that state's or kind's records, read
 * from an index of v_rec (view__search_restricts()). Every way gives the
 * same rows in the same order: the order is (rank, k) throughout, and
 * each step goes on after the last position it looked at.
 */

/* the window of the first round: the page, a little over, as nearly
 * every record in the index is in effect and passes; with filters wider */
#define VIEW__STAGE_SLACK 8
#define VIEW__STAGE_FILTERED 1024

int
view__search_phrases(const char *e)
{
    int q = 0;

    for (; *e; e++)
        q += *e == '"';
    return q / 2;
}

/* For expression e of phrases joined by OR alone (no AND, NOT or
 * parentheses: view_search_parse() writes " OR " between them, words
 * quoted), the same phrases joined by AND into all (acap bytes), and
 * "(e) NOT (all)" into rest (rcap): 1, or 0 when e is of another shape or
 * a part would not fit. */
static int
view__any_parts(const char *e, char *all, size_t acap, char *rest, size_t rcap)
{
    size_t n = 0;
    int in = 0, quotes = 0;

    for (const char *p = e; *p; p++) {
        const char *put = NULL;

        if (*p == '"') {
            in = !in;
            quotes++;
        } else if (!in && !strncmp(p, " OR ", 4)) {
            put = " AND ";
            p += 3;
        } else if (!in && *p != '*') {
            return 0; /* AND, NOT, parentheses */
        }
        if (put) {
            if (n + 5 >= acap)
                return 0;
            memcpy(all + n, put, 5);
            n += 5;
        } else {
            if (n + 1 >= acap)
                return 0;
            all[n++] = *p;
        }
    }
    all[n] = '\0';
    if (quotes < 4)
        return 0; /* one phrase */
    n = (size_t)snprintf(rest, rcap, "(%s) NOT (%s)", e, all);
    return n < rcap;
}

/* ---- cursors and sinks ------------------------------------------------- */

/* The cursor: "s" + 8 hex digits naming the query and filters + "." + the
 * rank's IEEE-754 bits in 16 hex digits + "." + the position k. */
static uint32_t
view__search_tag(const struct view_search_req *rq)
{
    const char *parts[6] = {rq->sr_query,    rq->sr_category, rq->sr_state,
                            rq->sr_audience, rq->sr_from,     rq->sr_to};
    uint32_t h = 2166136261u ^ rq->sr_kind;

    /* FNV-1a: names a search, secret of nothing */
    for (size_t i = 0; i < 6; i++) {
        for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
            h = (h ^ (uint8_t)*p) * 16777619u;
        h = (h ^ 0xff) * 16777619u;
    }
    return h;
}

static int
view__search_cursor_read(const char *c, uint32_t tag, double *rank, int64_t *k)
{
    unsigned long long bits;
    long long kk;
    unsigned t;
    char tail;

    if (sscanf(c, "s%8x.%16llx.%lld%c", &t, &bits, &kk, &tail) != 3 ||
        t != tag || strlen(c) > 60)
        return ILONET_EINVAL;
    memcpy(rank, &bits, sizeof(*rank));
    *k = (int64_t)kk;
    return 0;
}

/* One search on its way: where it is in the order (rank, k) and what it
 * has delivered. */
struct view__search_walk {
    const struct view_search_req *sw_rq;
    const char *sw_expr;
    const struct view_sink *sw_out;
    uint64_t sw_n;       /* rows delivered */
    int sw_more;         /* a row past the page exists */
    int sw_at;           /* sw_rank, sw_k hold a position to go on after */
    int sw_restrict;     /* 1: the window reads the kind's or state's
                            records first (view__search_restricts()) */
    int sw_single;       /* 0: the query is not one phrase: the windows rank
                            through SQL (else view__search_top() first) */
    const char *sw_all;  /* phrases joined by OR alone: the same joined by
                            AND (else NULL), and */
    const char *sw_rest; /* those that hold some but not all
                            (view__window_any()) */
    struct view_search_idf sw_idf; /* their IDF, once counted */
    int sw_idf_done;
    double sw_rank; /* the last position looked at */
    int64_t sw_k;
    double sw_last_rank; /* the last row delivered: the next cursor */
    int64_t sw_last_k;
};

/* Delivers the columns of st without k (the last). */
static int
view__search_cols(struct view__search_walk *w, sqlite3_stmt *st)
{
    struct view_cell cells[16];
    struct view_row row;
    int nc = sqlite3_column_count(st);

    if (nc > 16 || nc < 2)
        return ILONET_EIO;
    memset(cells, 0, sizeof(cells));
    for (int i = 0; i < nc; i++)
        cells[i].ce_name = sqlite3_column_name(st, i);
    row.rw_ncells = (size_t)nc - 1;
    row.rw_cells = cells;
    return w->sw_out && w->sw_out->vs_columns
               ? w->sw_out->vs_columns(w->sw_out->vs_arg, &row)
               : 0;
}

/* The current row of st: delivered without k while the page has room,
 * else noted as the sign of a next page. */
static int
view__search_emit(struct view__search_walk *w, sqlite3_stmt *st)
{
    struct view_cell cells[16];
    struct view_row row;
    const struct view_cell *rank;
    int nc = sqlite3_column_count(st), rc;

    if (w->sw_n == w->sw_rq->sr_limit) {
        w->sw_more = 1;
        return 0;
    }
    if (nc > 16 || nc < 2)
        return ILONET_EIO;
    memset(cells, 0, sizeof(cells));
    for (int i = 0; i < nc; i++) {
        cells[i].ce_name = sqlite3_column_name(st, i);
        if ((rc = view__cell(st, i, &cells[i])) != 0)
            return rc;
    }
    row.rw_ncells = (size_t)nc;
    row.rw_cells = cells;
    rank = view_row_cell(&row, "rank");
    w->sw_last_k = cells[nc - 1].ce_int;
    w->sw_last_rank = rank && rank->ce_type == VIEW_REAL ? rank->ce_real : 0;
    row.rw_ncells--; /* k is last */
    w->sw_n++;
    return w->sw_out && w->sw_out->vs_row
               ? w->sw_out->vs_row(w->sw_out->vs_arg, &row)
               : 0;
}

/* ---- statements -------------------------------------------------------- */

/* The columns of a result (the record's fields; the snippet needs the
 * FTS5 cursor of table t, v_search or its one-row copy, in the same
 * statement). */
#define VIEW__SEARCH_COLS_OF(t)                                                \
    "lower(hex(r.id)) AS id, r.kind AS kind, r.owner AS state, r.audience"     \
    " AS audience, r.hlc >> 16 AS time_ms, r.category AS category,"            \
    " coalesce(r.summary, r.title, r.topics, r.counterpart, r.carrier,"        \
    " r.post, r.semester) AS title, snippet(" t ", -1, char(1), char(2),"      \
    " '...', 16) AS snippet"
#define VIEW__SEARCH_COLS VIEW__SEARCH_COLS_OF("v_search")
#define VIEW__SEARCH_RANK "ilonet_rank(v_search, 2.0, 1.0)"

/* Appends the filters on record row r, parameters from ?p + 1 on; returns
 * the last parameter used. The unary + keeps SQLite from reading an index
 * of v_rec for a filter (with a bound kind it may, and then each lookup by
 * k walks that index). */
static int
view__search_filters(struct textbuf *sql, const struct view_search_req *rq,
                     int p)
{
    textbuf_puts(sql, " AND +r.valid = 1 AND +r.status = 'active'");
    if (rq->sr_kind)
        textbuf_printf(sql, " AND +r.kind = ?%d", ++p);
    if (rq->sr_category)
        textbuf_printf(sql, " AND +r.category = ?%d", ++p);
    if (rq->sr_state)
        textbuf_printf(sql, " AND +r.owner = ?%d", ++p);
    if (rq->sr_audience)
        textbuf_printf(sql, " AND +r.audience = ?%d", ++p);
    if (rq->sr_from) {
        /* the record's own date or period, else the day it was written */
        textbuf_printf(
            sql,
            " AND coalesce(substr(r.period, 1, 10), r.date, r.posted_from,"
            " date((r.hlc >> 16) / 1000, 'unixepoch')) <= ?%d AND"
            " coalesce(substr(r.period, -10), r.date, CASE WHEN"
            " r.posted_from IS NOT NULL THEN coalesce(r.posted_until,"
            " '9999-12-31') END, date((r.hlc >> 16) / 1000, 'unixepoch'))"
            " >= ?%d",
            p + 1, p + 2);
        p += 2;
    }
    return p;
}

static int
view__search_bind_filters(sqlite3_stmt *st, const struct view_search_req *rq,
                          int p)
{
    if (rq->sr_kind)
        sqlite3_bind_int64(st, ++p, rq->sr_kind);
    if (rq->sr_category)
        sqlite3_bind_text(st, ++p, rq->sr_category, -1, SQLITE_STATIC);
    if (rq->sr_state)
        sqlite3_bind_text(st, ++p, rq->sr_state, -1, SQLITE_STATIC);
    if (rq->sr_audience)
        sqlite3_bind_text(st, ++p, rq->sr_audience, -1, SQLITE_STATIC);
    if (rq->sr_from) {
        sqlite3_bind_text(st, ++p, rq->sr_to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, ++p, rq->sr_from, -1, SQLITE_STATIC);
    }
    return p;
}

static int
view__search_prepare(struct store *s, struct textbuf *sql, sqlite3_stmt **st)
{
    if (sql->tb_err)
        return ILONET_ENOMEM;
    return sqlite3_prepare_v2(store_db(s), sql->tb_data, -1, st, NULL) ==
                   SQLITE_OK
               ? 0
               : ILONET_EIO;
}

int
view__search_step_err(int step)
{
    return step == SQLITE_ERROR ? ILONET_EINVAL : store_err(step);
}

/* The one statement: every match through the record rows and the
 * filters, ranked, from after the walk's position to the page's end. */
static int
view__search_plain(struct store *s, struct view__search_walk *w)
{
    const struct view_search_req *rq = w->sw_rq;
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL;
    int rc, step = SQLITE_DONE, p;

    textbuf_puts(&sql,
                 "SELECT id, kind, state, audience, time_ms, category, title,"
                 " snippet, rank, k FROM (SELECT " VIEW__SEARCH_COLS
                 ", " VIEW__SEARCH_RANK " AS rank, r.k AS k FROM v_search"
                 " CROSS JOIN v_records r ON r.k = v_search.rowid WHERE"
                 " v_search MATCH ?1");
    p = view__search_filters(&sql, rq, 1);
    textbuf_puts(&sql, ")");
    if (w->sw_at)
        textbuf_printf(&sql, " WHERE rank > ?%d OR (rank = ?%d AND k > ?%d)",
                       p + 1, p + 1, p + 2);
    textbuf_printf(&sql, " ORDER BY rank, k LIMIT ?%d", p + (w->sw_at ? 3 : 1));
    if ((rc = view__search_prepare(s, &sql, &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, w->sw_expr, -1, SQLITE_STATIC);
    p = view__search_bind_filters(st, rq, 1);
    if (w->sw_at) {
        sqlite3_bind_double(st, ++p, w->sw_rank);
        sqlite3_bind_int64(st, ++p, w->sw_k);
    }
    /* the rest of the page and one more: whether a next page exists */
    sqlite3_bind_int64(st, ++p, (int64_t)(rq->sr_limit - w->sw_n) + 1);
    while (!w->sw_more && (step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = view__search_emit(w, st)) != 0)
            goto out;
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = view__search_step_err(step);
out:
    sqlite3_finalize(st);
    textbuf_free(&sql);
    return rc;
}

/* Whether the window may read the state's or the kind's records from an
 * index of v_rec first (struct view__search_walk sw_restrict): -1 never
 * (no such filter, or no index yet), 1 from the first round, 0 when the
 * first round's yield asks for it. A state holds a few percent of the
 * records: from the first round, through v_rec_owner (kind, owner). A kind
 * alone: from the first round when it holds at most 1/32 of the records in
 * effect (v_counts), as collecting a larger kind's positions costs more
 * than a round; such a kind is usually found in the first window. */
#define VIEW__RESTRICT_SHARE 32

static int
view__search_restricts(struct store *s, const struct view_search_req *rq)
{
    sqlite3_stmt *st;
    int64_t mine = 0, all = 0;

    if ((!rq->sr_state && !rq->sr_kind) || !view__has_index(s, "v_rec_owner"))
        return -1;
    if (rq->sr_state)
        return 1;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT coalesce(sum(CASE WHEN kind = ?1 THEN n"
                           " END), 0), coalesce(sum(n), 0) FROM v_counts",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, rq->sr_kind);
    if (sqlite3_step(st) == SQLITE_ROW) {
        mine = sqlite3_column_int64(st, 0);
        all = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return mine * VIEW__RESTRICT_SHARE <= all;
}

/* The first window: the page and a little over when nearly every
 * candidate passes (no filter is left that the window did not apply),
 * else VIEW__STAGE_FILTERED. */
static size_t
view__search_cap(const struct view__search_walk *w, uint64_t left)
{
    const struct view_search_req *rq = w->sw_rq;
    int open = ((rq->sr_kind || rq->sr_state) && w->sw_restrict != 1) ||
               rq->sr_category || rq->sr_audience || rq->sr_from;

    return open ? VIEW__STAGE_FILTERED
                : (size_t)(left + left / 4 + VIEW__STAGE_SLACK);
}

/* One statement's window: at most cap positions after the walk's, in the
 * order (rank, k), of the matches of expr (the walk's, or one of its
 * parts), from the index alone (restricted: only those of the records an
 * index of v_rec gives for the kind and the state; the filters are
 * checked again on each candidate). idf, when given, is the walk's
 * phrases' (struct view_search_idf), ranking the first of expr's; else
 * aside, when given, counts them beside the walk (it is finished here,
 * and its IDF kept in the walk's sw_idf); else the statement counts
 * expr's own. */
static int
view__window_sql(struct store *s, struct view__search_walk *w, const char *expr,
                 struct view_search_idf *idf, struct view__aside *aside,
                 int64_t *ks, double *rs, size_t cap, size_t *got)
{
    const struct view_search_req *rq = w->sw_rq;
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL;
    int rc, step;

    *got = 0;
    /* no ORDER BY: ilonet_push() keeps the best in a heap of its own,
     * where a sort of every match cost a fifth of the statement */
    textbuf_printf(&sql,
                   "SELECT count(*) FROM (SELECT ilonet_push(v_search, ?8,"
                   " 2.0, 1.0%s) AS x FROM v_search WHERE v_search MATCH ?1",
                   idf ? ", ?7" : "");
    if (w->sw_restrict == 1) {
        /* + keeps the list from FTS5, which would seek each k in turn */
        textbuf_puts(&sql, " AND +rowid IN (SELECT k FROM v_rec WHERE");
        if (rq->sr_kind) {
            textbuf_puts(&sql, " kind = ?5");
        } else {
            /* every record kind, for the index's first column */
            const struct vocab_kind *ks_ = NULL;
            size_t nk = 0;
            const struct vocab *v = view__vocab(s);

            if (v)
                ks_ = vocab_kinds(v, &nk);
            textbuf_puts(&sql, " kind IN (-1");
            for (size_t i = 0; i < nk; i++)
                if (ks_[i].vk_is_record)
                    textbuf_printf(&sql, ", %u", (unsigned)ks_[i].vk_code);
            textbuf_puts(&sql, ")");
        }
        if (rq->sr_state)
            textbuf_puts(&sql, " AND owner = ?6");
        textbuf_puts(&sql, " AND valid = 1 AND status = 'active')");
    }
    textbuf_puts(&sql, ") WHERE x IS NOT NULL");
    if ((rc = view__search_prepare(s, &sql, &st)) != 0)
        goto out;
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    if (w->sw_restrict == 1 && rq->sr_kind)
        sqlite3_bind_int64(st, 5, rq->sr_kind);
    if (w->sw_restrict == 1 && rq->sr_state)
        sqlite3_bind_text(st, 6, rq->sr_state, -1, SQLITE_STATIC);
    if (idf)
        sqlite3_bind_pointer(st, 7, idf, VIEW_SEARCH_IDF_PTR, NULL);
    if (aside) {
        rc = view__search_best_aside(
            s, st, 8, expr, aside, (size_t)rq->sr_keep_max, &w->sw_idf,
            w->sw_at ? &w->sw_rank : NULL, w->sw_k, ks, rs, cap, got);
        aside = NULL; /* finished */
        w->sw_idf_done = rc == 0 && w->sw_idf.si_n > 0;
        goto out;
    }
    step = view__search_best(st, 8, w->sw_at ? &w->sw_rank : NULL, w->sw_k, ks,
                             rs, cap, got);
    if (step != SQLITE_DONE)
        rc = view__search_step_err(step);
out:
    if (aside) {
        struct view_search_idf unused;

        view__aside_finish(aside, &unused); /* the statement failed */
    }
    sqlite3_finalize(st);
    textbuf_free(&sql);
    return rc;
}

/*
 * The window of a query whose phrases are joined by OR alone. Ranking
 * every record that holds any of the words costs most when two common
 * words are asked for (380k-510k records at a million). A record that
 * holds every phrase ranks as it does under the same phrases joined by
 * AND (the same IDF, counted once for both); one that lacks a phrase
 * scores less than view__search_rest_bound(). So the window of the AND
 * query comes first, and when it is full and its last scores at least
 * that bound, no other record can be in it: it is the window. Otherwise
 * the records that hold some phrases but not all ("(q) NOT (all)") give a
 * window of their own, and the two are merged. Both ways give the OR
 * query's window exactly. When even a record with every phrase twice in
 * its headline would not reach the bound (a common word beside rarer
 * ones), the AND window is not used: the OR query's own window is
 * cheaper then (view__search_rest_bound()'s guess). The IDF decides that,
 * so the first AND window is walked while the IDF is counted beside it
 * (a bet: when the guess then says no, that walk was for nothing, but
 * one of the words is rare then and AND skips through the other: at a
 * million, "aegean AND visas" is walked in 8 ms while "visas" alone is
 * counted in 17).
 */
static int
view__window_any(struct store *s, struct view__search_walk *w, int64_t *ks,
                 double *rs, size_t cap, size_t *got)
{
    struct view__aside *aside = NULL;
    int64_t *k2 = NULL;
    double *r2 = NULL, bound;
    size_t got2 = 0;
    int rc, all_first, walked = 0;

    if (!w->sw_idf_done && view__aside_start(s, w->sw_expr, &aside) == 0) {
        if ((rc = view__window_sql(s, w, w->sw_all, NULL, aside, ks, rs, cap,
                                   got)) != 0)
            return rc;
        walked = w->sw_idf_done;
    }
    if (!w->sw_idf_done) {
        if ((rc = view__search_idf_db(store_db(s), w->sw_expr, &w->sw_idf)) !=
            0)
            return rc;
        w->sw_idf_done = 1;
    }
    if (w->sw_idf.si_n < 2)
        return view__window_sql(s, w, w->sw_expr, NULL, NULL, ks, rs, cap, got);
    bound = view__search_rest_bound(&w->sw_idf, &all_first);
    if (!all_first)
        return view__window_sql(s, w, w->sw_expr, &w->sw_idf, NULL, ks, rs, cap,
                                got);
    if (!walked && (rc = view__window_sql(s, w, w->sw_all, &w->sw_idf, NULL, ks,
                                          rs, cap, got)) != 0)
        return rc;
    /* a margin far over the rounding of a sum of a few terms */
    if (*got == cap && -rs[cap - 1] >= bound * (1 + 1e-9))
        return 0;
    k2 = malloc(cap * sizeof(*k2));
    r2 = malloc(cap * sizeof(*r2));
    if (!k2 || !r2)
        rc = ILONET_ENOMEM;
    else if ((rc = view__window_sql(s, w, w->sw_rest, &w->sw_idf, NULL, k2, r2,
                                    cap, &got2)) == 0)
        rc = view__search_merge(ks, rs, got, k2, r2, got2, cap);
    free(k2);
    free(r2);
    return rc;
}

/* The candidates of one round: at most cap positions after the walk's, in
 * the order (rank, k). */
static int
view__search_window(struct store *s, struct view__search_walk *w, int64_t *ks,
                    double *rs, size_t cap, size_t *got)
{
    struct view__aside *aside = NULL;
    int rc;

    *got = 0;
    if (w->sw_restrict != 1 && w->sw_single != 0) {
        /* one phrase: ranked in one pass, without a statement's steps */
        int ranked;

        rc = view__search_top(s, w->sw_expr, w->sw_at ? &w->sw_rank : NULL,
                              w->sw_k, ks, rs, cap, got, &ranked);
        if (rc != 0 || ranked)
            return rc;
        w->sw_single = 0;
    }
    if (w->sw_all)
        return view__window_any(s, w, ks, rs, cap, got);
    if (w->sw_idf_done) /* a later round: the IDF the first one counted */
        return view__window_sql(s, w, w->sw_expr, &w->sw_idf, NULL, ks, rs, cap,
                                got);
    /* the first round of several phrases: their IDF counted beside it
     * (view_search_aside.c), else by the statement */
    if (view__search_phrases(w->sw_expr) < 2 ||
        view__aside_start(s, w->sw_expr, &aside) != 0)
        aside = NULL;
    return view__window_sql(s, w, w->sw_expr, NULL, aside, ks, rs, cap, got);
}

/* ---- one candidate's row ----------------------------------------------- */

/*
 * A candidate of the staged plan is looked up by its position, with the
 * query (snippet() needs the query's FTS5 cursor on the row). For a word,
 * FTS5 finds the position in the word's list at once; for a prefix* it
 * first merges the lists of every word with that prefix, whole, at every
 * lookup: 11 ms for "smug*" (219k records) at a million, so a page of 50
 * took half a second. A prefix query's candidate is therefore looked up
 * in a one-row copy of its text (temp.v_search_one, same columns and
 * tokenizer, so the same snippet): the merge is of that row alone. Only
 * a candidate that passes the filters is copied (a copy costs about 60
 * us, and with a filter most candidates fail). The copy is emptied
 * before the next one and at the end.
 */
struct view__lookup {
    sqlite3_stmt *so_one;   /* the candidate's row, filters, snippet */
    sqlite3_stmt *so_pass;  /* whether it passes the filters (prefix) */
    sqlite3_stmt *so_put;   /* the copy of its text (prefix queries) */
    sqlite3_stmt *so_clear; /* the copy emptied */
};

static void
view__lookup_close(struct view__lookup *o)
{
    if (o->so_clear)
        sqlite3_step(o->so_clear);
    sqlite3_finalize(o->so_one);
    sqlite3_finalize(o->so_pass);
    sqlite3_finalize(o->so_put);
    sqlite3_finalize(o->so_clear);
    memset(o, 0, sizeof(*o));
}

static int
view__lookup_open(struct store *s, struct view__search_walk *w,
                  struct view__lookup *o)
{
    const struct view_search_req *rq = w->sw_rq;
    int prefix = strstr(w->sw_expr, "\"*") != NULL; /* view_search_parse() */
    const char *t = prefix ? "v_search_one" : "v_search";
    struct textbuf sql = {0};
    int rc;

    memset(o, 0, sizeof(*o));
    if (prefix &&
        (sqlite3_exec(store_db(s),
                      "CREATE VIRTUAL TABLE IF NOT EXISTS"
                      " temp.v_search_one USING fts5" VIEW__SEARCH_FTS_ARGS,
                      NULL, NULL, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(store_db(s),
                            "INSERT INTO temp.v_search_one(rowid,"
                            " head, body) SELECT rowid, head, body"
                            " FROM main.v_search WHERE rowid = ?1",
                            -1, &o->so_put, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(store_db(s), "DELETE FROM temp.v_search_one", -1,
                            &o->so_clear, NULL) != SQLITE_OK)) {
        rc = ILONET_EIO;
        goto out;
    }
    textbuf_printf(
        &sql,
        "SELECT " VIEW__SEARCH_COLS_OF(
            "%s") ", ?2 AS rank, r.k AS"
                  " k FROM v_records r CROSS JOIN %s ON %s.rowid = r.k WHERE"
                  " r.k = ?3 AND %s MATCH ?1",
        t, t, t, t);
    view__search_filters(&sql, rq, 3);
    if ((rc = view__search_prepare(s, &sql, &o->so_one)) != 0 ||
        (rc = view__search_cols(w, o->so_one)) != 0)
        goto out;
    sqlite3_bind_text(o->so_one, 1, w->sw_expr, -1, SQLITE_STATIC);
    view__search_bind_filters(o->so_one, rq, 3);
    if (prefix) {
        textbuf_free(&sql);
        textbuf_puts(&sql, "SELECT 1 FROM v_records r WHERE r.k = ?3");
        view__search_filters(&sql, rq, 3);
        if ((rc = view__search_prepare(s, &sql, &o->so_pass)) != 0)
            goto out;
        view__search_bind_filters(o->so_pass, rq, 3);
    }
out:
    textbuf_free(&sql);
    if (rc != 0)
        view__lookup_close(o);
    return rc;
}

/* Steps the lookup of candidate k (rank r): SQLITE_ROW when it passes the
 * filters (its row is on o->so_one until the next call), SQLITE_DONE when
 * not, else SQLite's error. */
static int
view__lookup_step(struct view__lookup *o, int64_t k, double r)
{
    int step;

    sqlite3_reset(o->so_one);
    if (o->so_put) {
        sqlite3_reset(o->so_pass);
        sqlite3_bind_int64(o->so_pass, 3, k);
        if ((step = sqlite3_step(o->so_pass)) != SQLITE_ROW)
            return step; /* SQLITE_DONE: it does not pass */
        sqlite3_reset(o->so_clear);
        if ((step = sqlite3_step(o->so_clear)) != SQLITE_DONE)
            return step;
        sqlite3_reset(o->so_put);
        sqlite3_bind_int64(o->so_put, 1, k);
        if ((step = sqlite3_step(o->so_put)) != SQLITE_DONE)
            return step;
    }
    sqlite3_bind_double(o->so_one, 2, r);
    sqlite3_bind_int64(o->so_one, 3, k);
    return sqlite3_step(o->so_one);
}

/* The staged plan (see the top of this file). */
static int
view__search_staged(struct store *s, struct view__search_walk *w,
                    uint64_t stage_max)
{
    const struct view_search_req *rq = w->sw_rq;
    uint64_t need = rq->sr_limit + 1, seen = 0, passed = 0;
    size_t cap, have = 0, got = 0;
    struct view__lookup o;
    int64_t *ks = NULL;
    double *rs = NULL;
    int rc, step;

    if ((rc = view__lookup_open(s, w, &o)) != 0)
        return rc;
    w->sw_restrict = view__search_restricts(s, rq);
    cap = view__search_cap(w, need);
    for (;;) {
        uint64_t left;

        if (seen + cap > stage_max) {
            /* too few pass the filters: one statement does the rest */
            rc = view__search_plain(s, w);
            break;
        }
        if (cap > have) {
            int64_t *nk = realloc(ks, cap * sizeof(*ks));
            double *nr = nk ? realloc(rs, cap * sizeof(*rs)) : NULL;

            ks = nk ? nk : ks;
            rs = nr ? nr : rs;
            if (!nk || !nr) {
                rc = ILONET_ENOMEM;
                break;
            }
            have = cap;
        }
        if ((rc = view__search_window(s, w, ks, rs, cap, &got)) != 0)
            break;
        for (size_t i = 0; i < got && !w->sw_more; i++) {
            step = view__lookup_step(&o, ks[i], rs[i]);
            if (step == SQLITE_ROW) {
                passed++;
                rc = view__search_emit(w, o.so_one);
            } else if (step != SQLITE_DONE)
                rc = view__search_step_err(step);
            if (rc != 0)
                goto out;
            w->sw_at = 1;
            w->sw_rank = rs[i];
            w->sw_k = ks[i];
            seen++;
        }
        if (w->sw_more || got < cap)
            break; /* the page is full, or no match is left */
        left = need - (w->sw_n + (uint64_t)w->sw_more);
        /* the next window from what passed so far, half as much again,
         * and at least twice the last: each round ranks every match once
         * more, so rounds must be few */
        {
            size_t next =
                passed
                    ? (size_t)(left * seen / passed + left * seen / passed / 2)
                    : cap * 4;

            cap = next > 2 * cap ? next : 2 * cap;
        }
        if (w->sw_restrict == 0 && cap > VIEW__STAGE_FILTERED) {
            /* few of the kind hold the words: take its records first */
            w->sw_restrict = 1;
            cap = view__search_cap(w, left);
        }
    }
out:
    view__lookup_close(&o);
    free(ks);
    free(rs);
    return rc;
}

int
view_search(struct store *s, const struct view_search_req *rq,
            const struct view_sink *out, struct view_search_res *res, char *why,
            size_t wl)
{
    char expr[4 * VIEW_SEARCH_QUERY_MAX + 16];
    char all[2 * sizeof(expr)], rest[4 * sizeof(expr)];
    struct view__search_walk w;
    uint64_t stage_max;
    uint32_t tag;
    int rc;

    if (why && wl)
        why[0] = '\0';
    if (!rq || !rq->sr_limit || rq->sr_limit > VIEW_SEARCH_LIMIT_MAX ||
        !rq->sr_from != !rq->sr_to)
        return ILONET_EINVAL;
    if ((rc = view_search_parse(rq->sr_query, expr, sizeof(expr), why, wl)) !=
        0)
        return rc;
    memset(&w, 0, sizeof(w));
    /* only then does a window try view__search_top(), which would run
     * the query once for nothing on any other */
    w.sw_single = view__search_phrases(expr) == 1;
    if (view__any_parts(expr, all, sizeof(all), rest, sizeof(rest))) {
        w.sw_all = all;
        w.sw_rest = rest;
    }
    w.sw_rq = rq;
    w.sw_expr = expr;
    w.sw_out = out;
    tag = view__search_tag(rq);
    if (rq->sr_after && *rq->sr_after) {
        if (view__search_cursor_read(rq->sr_after, tag, &w.sw_rank, &w.sw_k) !=
            0) {
            if (why && wl)
                snprintf(why, wl, "not a cursor of this search");
            return ILONET_EINVAL;
        }
        w.sw_at = 1;
    }
    /* what ingest noted goes in first: a search finds every record */
    if ((rc = view__search_fold_all(s)) != 0)
        return rc;
    stage_max = rq->sr_stage_max ? rq->sr_stage_max : VIEW_SEARCH_STAGE_MAX;
    rc = view__search_staged(s, &w, stage_max);
    if (rc == ILONET_EINVAL && why && wl)
        /* FTS5 refused an expression the parser let through: say so in
         * our words, never SQLite's */
        snprintf(why, wl, "the search index cannot run this query");
    if (rc != 0)
        return rc;
    if (res) {
        res->sr_count = (size_t)w.sw_n;
        res->sr_next[0] = '\0';
        if (w.sw_more) {
            uint64_t bits;
            memcpy(&bits, &w.sw_last_rank, sizeof(bits));
            snprintf(res->sr_next, sizeof(res->sr_next), "s%08x.%016llx.%lld",
                     tag, (unsigned long long)bits, (long long)w.sw_last_k);
        }
    }
    return 0;
}
