/* view_search_rank.c - the rank every search orders by, the best
 * matches of a one-phrase search ranked in one pass, and the IDF a
 * search counts once for several statements. */
#include "view_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "view_int.h"

/*
 * The rank. FTS5's bm25() divides each match by the record's length, and
 * the index keeps no lengths (columnsize = 0 saves a table): so bm25()
 * reads and tokenizes the whole text of every match. A common word
 * matches a fifth of a million records at a million, and ranking them
 * took 0.4 s before the first page. ilonet_rank() is BM25 with b = 0
 * (no length term): the same inverse document frequency per phrase, the
 * same saturation (k1 = 1.2) of the weighted count of a phrase's matches
 * in the record, the headline weighing twice (a query of one phrase
 * leaves the frequency out: view__rank_idf()). It reads only the index's
 * position lists: 23 ms for those matches. Records of ilonet are short
 * fields, where the length term says little.
 *
 * The best of a one-phrase search (ilonet_top()). Ranked through SQL,
 * each match costs a call of ilonet_rank() from the statement and a step
 * of its bounded sort: 35 ms for the 385k records of one common word at
 * a million. A search of one phrase (a word, a "quoted phrase", a
 * prefix*) matches exactly the records its phrase does, so the function
 * walks that phrase's matches itself (xQueryPhrase), counts each one's
 * occurrences from its position list and keeps the best in a heap: 16 ms
 * for the same word. Its ranks are ilonet_rank()'s, bit for bit (the same
 * view__rank_term()), and its order is (rank, k): a window from it is the
 * window the statement would give.
 */

#define VIEW__RANK_K1 1.2

/* One phrase's part of the score: its inverse document frequency times
 * the saturation of its weighted count f in the record. */
static double
view__rank_term(double idf, double f)
{
    return idf * f * (VIEW__RANK_K1 + 1) / (f + VIEW__RANK_K1);
}

/* ---- the rank ---------------------------------------------------------- */

#define VIEW__RANK_WEIGHTS 8

/* The column weights given to a rank function (av[0..nv)) into w: how
 * many (at most VIEW__RANK_WEIGHTS; a column past them weighs 1.0). */
static int
view__rank_weights(int nv, sqlite3_value **av, double *w)
{
    int n = nv < VIEW__RANK_WEIGHTS ? nv : VIEW__RANK_WEIGHTS;

    for (int i = 0; i < n; i++)
        w[i] = sqlite3_value_double(av[i]);
    return n > 0 ? n : 0;
}

/* The weighted count of phrase p's matches in the current row, each
 * weighing its column's weight (w, nw), read from the phrase's position
 * list alone (xPhraseFirst: no array of every phrase's matches built, as
 * xInst() does). */
static int
view__phrase_freq(const Fts5ExtensionApi *api, Fts5Context *fts, int p,
                  const double *w, int nw, double *f)
{
    Fts5PhraseIter it;
    int col, off, rc;

    *f = 0;
    if ((rc = api->xPhraseFirst(fts, p, &it, &col, &off)) != SQLITE_OK)
        return rc;
    for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
        *f += col < nw ? w[col] : 1.0;
    return SQLITE_OK;
}

/* Per search (one FTS5 cursor): each phrase's inverse document frequency,
 * and the row last scored (the statement asks for the rank more than once
 * per row: its order and its keyset). */
struct view__rank {
    int rk_n;
    sqlite3_int64 rk_row;
    int rk_have;
    double rk_score;
    double rk_idf[];
};

static int
view__rank_count(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    (void)api;
    (void)fts;
    ++*(sqlite3_int64 *)arg;
    return SQLITE_OK;
}

/* The same IDF as FTS5's bm25(): log((N - n + 0.5) / (n + 0.5)), at least
 * 1e-6, n the records that hold the phrase. Counting n reads the phrase's
 * whole position list once more (as long as the ranking itself: so it is
 * done beside the walk when it can, view_search_aside.c): a query of one
 * phrase skips it, as a factor common to every row changes no order (its
 * ranks are then the weighted counts' saturation alone). The IDF of
 * each of the query's n phrases into idf, N into *nrows (may be NULL). */
static int
view__rank_idf_of(const Fts5ExtensionApi *api, Fts5Context *fts, int n,
                  double *idf, int64_t *nrows)
{
    sqlite3_int64 rows = 0;
    int rc;

    if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK)
        return rc;
    if (nrows)
        *nrows = rows;
    if (n == 1) {
        idf[0] = 1.0;
        return SQLITE_OK;
    }
    for (int p = 0; p < n; p++) {
        sqlite3_int64 hit = 0;
        double v;

        if ((rc = api->xQueryPhrase(fts, p, &hit, view__rank_count)) !=
            SQLITE_OK)
            return rc;
        v = log(((double)rows - (double)hit + 0.5) / ((double)hit + 0.5));
        idf[p] = v > 1e-6 ? v : 1e-6;
    }
    return SQLITE_OK;
}

static int
view__rank_idf(const Fts5ExtensionApi *api, Fts5Context *fts, int n,
               double *idf)
{
    return view__rank_idf_of(api, fts, n, idf, NULL);
}

/* The rank's state for one cursor: the phrases' IDF counted, or given
 * (given: the first given->si_n phrases of the query are ranked, with
 * those IDF; see struct view_search_idf). */
static struct view__rank *
view__rank_new(const Fts5ExtensionApi *api, Fts5Context *fts,
               const struct view_search_idf *given, int *rc)
{
    int n = given ? given->si_n : api->xPhraseCount(fts);
    struct view__rank *r;

    *rc = SQLITE_OK;
    if (n < 0 || n > api->xPhraseCount(fts)) {
        *rc = SQLITE_MISUSE;
        return NULL;
    }
    r = calloc(1, sizeof(*r) + (size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!r) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    r->rk_n = n;
    if (given)
        memcpy(r->rk_idf, given->si_idf, (size_t)n * sizeof(double));
    else if ((*rc = view__rank_idf(api, fts, n, r->rk_idf)) != SQLITE_OK) {
        free(r);
        return NULL;
    }
    return r;
}

/* The rank of the current row (ilonet_rank()'s arguments after the
 * table in av, nv of them), kept in the cursor's state with the IDF. */
static int
view__rank_row(const Fts5ExtensionApi *api, Fts5Context *fts, int nv,
               sqlite3_value **av, double *rank)
{
    struct view__rank *r = api->xGetAuxdata(fts, 0);
    sqlite3_int64 row = api->xRowid(fts);
    const struct view_search_idf *given =
        nv > 0 ? sqlite3_value_pointer(av[nv - 1], VIEW_SEARCH_IDF_PTR) : NULL;
    double w[VIEW__RANK_WEIGHTS], score = 0;
    int rc = SQLITE_OK, nw = view__rank_weights(nv - !!given, av, w);

    if (!r && (!(r = view__rank_new(api, fts, given, &rc)) ||
               (rc = api->xSetAuxdata(fts, r, free)) != SQLITE_OK))
        return rc;
    if (r->rk_have && r->rk_row == row) {
        *rank = r->rk_score;
        return SQLITE_OK;
    }
    for (int p = 0; p < r->rk_n; p++) {
        double f;

        if ((rc = view__phrase_freq(api, fts, p, w, nw, &f)) != SQLITE_OK)
            return rc;
        score += view__rank_term(r->rk_idf[p], f);
    }
    /* view__pend_rank() sums the same terms in the same order */
    r->rk_row = row;
    r->rk_score = -score;
    r->rk_have = 1;
    *rank = -score;
    return SQLITE_OK;
}

/* ilonet_rank(v_search, w0, w1, ... [, idf]): column weights (1.0 where
 * not given), and last, optionally, the IDF already counted (a pointer
 * bound as VIEW_SEARCH_IDF_PTR: struct view_search_idf); lower is better,
 * like bm25(). */
static void
view__rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
              sqlite3_context *cx, int nv, sqlite3_value **av)
{
    double rank;
    int rc;

    if ((rc = view__rank_row(api, fts, nv, av, &rank)) != SQLITE_OK)
        sqlite3_result_error_code(cx, rc);
    else
        sqlite3_result_double(cx, rank);
}

/* ---- the best of a one-phrase search ----------------------------------- */

#define VIEW__TOP_PTR "ilonet_top"

/* One window's pass (bound as a pointer to ilonet_top()): after the
 * position (rank, k) when at, the best cap positions in a heap whose root
 * is the worst of them; single 0 when the query has more than one phrase
 * or no match (the function was not called). */
struct view__top {
    int64_t *tp_ks;
    double *tp_rs;
    size_t tp_cap, tp_n;
    int tp_at;
    double tp_rank;
    int64_t tp_k;
    int tp_single;
    int tp_nw;
    double tp_w[VIEW__RANK_WEIGHTS]; /* column weights, 1.0 past tp_nw */
    struct view__pend *tp_pend;      /* ilonet_push() waits for the IDF */
    int64_t tp_stop; /* ilonet_top(): the walk ends at this position */
};

/* (ra, ka) after (rb, kb) in the order (rank, k) */
static int
view__top_after(double ra, int64_t ka, double rb, int64_t kb)
{
    return ra > rb || (ra == rb && ka > kb);
}

static void
view__top_swap(struct view__top *t, size_t i, size_t j)
{
    double r = t->tp_rs[i];
    int64_t k = t->tp_ks[i];

    t->tp_rs[i] = t->tp_rs[j];
    t->tp_ks[i] = t->tp_ks[j];
    t->tp_rs[j] = r;
    t->tp_ks[j] = k;
}

/* moves position i down until no child of it is worse */
static void
view__top_sift(struct view__top *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;

        if (l < t->tp_n &&
            view__top_after(t->tp_rs[l], t->tp_ks[l], t->tp_rs[m], t->tp_ks[m]))
            m = l;
        if (l + 1 < t->tp_n && view__top_after(t->tp_rs[l + 1], t->tp_ks[l + 1],
                                               t->tp_rs[m], t->tp_ks[m]))
            m = l + 1;
        if (m == i)
            return;
        view__top_swap(t, i, m);
        i = m;
    }
}

static void
view__top_push(struct view__top *t, double r, int64_t k)
{
    size_t i = t->tp_n++;

    t->tp_rs[i] = r;
    t->tp_ks[i] = k;
    while (i > 0 &&
           view__top_after(t->tp_rs[i], t->tp_ks[i], t->tp_rs[(i - 1) / 2],
                           t->tp_ks[(i - 1) / 2])) {
        view__top_swap(t, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* Position k of rank r: kept when it is after the window's start and
 * among the best tp_cap so far. */
static void
view__top_offer(struct view__top *t, double r, int64_t k)
{
    if (t->tp_at && !view__top_after(r, k, t->tp_rank, t->tp_k))
        return;
    if (t->tp_n < t->tp_cap) {
        view__top_push(t, r, k);
    } else if (view__top_after(t->tp_rs[0], t->tp_ks[0], r, k)) {
        t->tp_rs[0] = r;
        t->tp_ks[0] = k;
        view__top_sift(t, 0);
    }
}

/* xQueryPhrase's callback: one match of the phrase. */
static int
view__top_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    struct view__top *t = arg;
    int64_t k = api->xRowid(fts);
    double f, r;
    int rc;

    if (k >= t->tp_stop)
        return SQLITE_DONE; /* the rest is walked on the second connection */
    if ((rc = view__phrase_freq(api, fts, 0, t->tp_w, t->tp_nw, &f)) !=
        SQLITE_OK)
        return rc;
    /* ilonet_rank() of one phrase: idf 1, the score negated */
    r = -(0 + view__rank_term(1.0, f));
    view__top_offer(t, r, k);
    return SQLITE_OK;
}

/* ilonet_top(v_search, pass, w0, w1, ...): called on the query's first
 * match only; fills the pass (struct view__top) and returns NULL. */
static void
view__top_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *cx,
             int nv, sqlite3_value **av)
{
    struct view__top *t =
        nv > 0 ? sqlite3_value_pointer(av[0], VIEW__TOP_PTR) : NULL;
    int rc;

    if (!t) {
        sqlite3_result_error(cx, "ilonet_top: no pass", -1);
        return;
    }
    if (api->xPhraseCount(fts) != 1)
        return; /* tp_single stays 0 */
    t->tp_single = 1;
    t->tp_nw = view__rank_weights(nv - 1, av + 1, t->tp_w);
    if ((rc = api->xQueryPhrase(fts, 0, t, view__top_row)) != SQLITE_OK)
        sqlite3_result_error_code(cx, rc);
}

/* ---- a window ranked while its IDF is counted beside it ---------------- */

/* Matches kept unranked while the IDF is counted (view_search_aside.c),
 * in bytes: past it the walk waits for the count. 8 MiB holds 349k
 * matches of two phrases; the common word pairs at a million match 60k
 * to 230k records. */
#define VIEW__KEEP_BYTES ((size_t)8 << 20)

/* ilonet_push()'s state while the IDF is counted beside the window: each
 * match's weighted counts, kept until the IDF is in. */
struct view__pend {
    struct view__aside *pd_aside;   /* the count; NULL once it is in */
    struct view_search_idf *pd_idf; /* the IDF, once in */
    int pd_n;                       /* the query's phrases */
    int pd_seen;                    /* a match came: pd_n, pd_rows hold */
    int64_t pd_rows;                /* records in the index, as st sees it */
    int64_t *pd_k;                  /* the kept matches' positions */
    double *pd_f;                   /* and weighted counts, pd_n each */
    size_t pd_len, pd_cap, pd_keep;
};

/* The rank of a match of weighted counts f with IDF idf, n phrases: the
 * same terms summed in the same order as view__rank_row(), so the same
 * double. */
static double
view__pend_rank(const double *idf, const double *f, int n)
{
    double score = 0;

    for (int p = 0; p < n; p++)
        score += view__rank_term(idf[p], f[p]);
    return -score;
}

/* The IDF is in: every kept match ranked and offered to the pass. */
static void
view__pend_flush(struct view__top *t)
{
    struct view__pend *p = t->tp_pend;

    for (size_t i = 0; i < p->pd_len; i++)
        view__top_offer(t,
                        view__pend_rank(p->pd_idf->si_idf,
                                        p->pd_f + i * (size_t)p->pd_n, p->pd_n),
                        p->pd_k[i]);
    p->pd_len = 0;
}

/* Takes the count in, inside the walk's statement: a count made against
 * another state of the index (a commit between the two connections'
 * reads) is made again on this cursor, which is what ilonet_rank() would
 * have counted. */
static int
view__pend_take(struct view__top *t, const Fts5ExtensionApi *api,
                Fts5Context *fts)
{
    struct view__pend *p = t->tp_pend;
    struct view_search_idf d;
    int rc = view__aside_finish(p->pd_aside, &d);

    p->pd_aside = NULL;
    if (rc == 0 && d.si_n == p->pd_n && d.si_rows == p->pd_rows)
        memcpy(p->pd_idf->si_idf, d.si_idf, (size_t)p->pd_n * sizeof(double));
    else if ((rc = view__rank_idf(api, fts, p->pd_n, p->pd_idf->si_idf)) !=
             SQLITE_OK)
        return rc;
    p->pd_idf->si_n = p->pd_n;
    p->pd_idf->si_rows = p->pd_rows;
    view__pend_flush(t);
    return SQLITE_OK;
}

/* ilonet_push() of the current match while the IDF is counted: kept, or
 * ranked when the count is in (taken in first when it has finished, or
 * when no more may be kept). */
static int
view__pend_push(struct view__top *t, const Fts5ExtensionApi *api,
                Fts5Context *fts, int nv, sqlite3_value **av)
{
    struct view__pend *p = t->tp_pend;
    double w[VIEW__RANK_WEIGHTS], here[VIEW_SEARCH_PHRASES_MAX], *f = here;
    int nw = view__rank_weights(nv, av, w), rc;

    if (!p->pd_seen) {
        sqlite3_int64 rows = 0;

        p->pd_n = api->xPhraseCount(fts);
        if (p->pd_n < 1 || p->pd_n > VIEW_SEARCH_PHRASES_MAX)
            return SQLITE_MISUSE;
        if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK)
            return rc;
        p->pd_rows = rows;
        p->pd_seen = 1;
        if (!p->pd_keep)
            p->pd_keep = VIEW__KEEP_BYTES /
                         (sizeof(int64_t) + (size_t)p->pd_n * sizeof(double));
    }
    if (p->pd_aside &&
        (p->pd_len == p->pd_keep || view__aside_ready(p->pd_aside)) &&
        (rc = view__pend_take(t, api, fts)) != SQLITE_OK)
        return rc;
    if (p->pd_aside) {
        if (p->pd_len == p->pd_cap) {
            size_t cap = p->pd_cap ? 2 * p->pd_cap : 1024;
            int64_t *k;
            double *nf;

            cap = cap < p->pd_keep ? cap : p->pd_keep;
            if (!(k = realloc(p->pd_k, cap * sizeof(*k))))
                return SQLITE_NOMEM;
            p->pd_k = k;
            if (!(nf = realloc(p->pd_f, cap * (size_t)p->pd_n * sizeof(*nf))))
                return SQLITE_NOMEM;
            p->pd_f = nf;
            p->pd_cap = cap;
        }
        f = p->pd_f + p->pd_len * (size_t)p->pd_n;
    }
    for (int i = 0; i < p->pd_n; i++)
        if ((rc = view__phrase_freq(api, fts, i, w, nw, &f[i])) != SQLITE_OK)
            return rc;
    if (p->pd_aside)
        p->pd_k[p->pd_len++] = api->xRowid(fts);
    else
        view__top_offer(t, view__pend_rank(p->pd_idf->si_idf, f, p->pd_n),
                        api->xRowid(fts));
    return SQLITE_OK;
}

/* ilonet_push(v_search, pass, w0, w1, ... [, idf]): ranks the current
 * row as ilonet_rank() with the same arguments does and offers it to the
 * pass (struct view__top); returns NULL. A statement of it needs no sort:
 * the pass keeps the best. */
static void
view__push_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
              sqlite3_context *cx, int nv, sqlite3_value **av)
{
    struct view__top *t =
        nv > 0 ? sqlite3_value_pointer(av[0], VIEW__TOP_PTR) : NULL;
    double rank;
    int rc;

    if (!t) {
        sqlite3_result_error(cx, "ilonet_push: no pass", -1);
        return;
    }
    if (t->tp_pend) {
        if ((rc = view__pend_push(t, api, fts, nv - 1, av + 1)) != SQLITE_OK)
            sqlite3_result_error_code(cx, rc);
        return;
    }
    if ((rc = view__rank_row(api, fts, nv - 1, av + 1, &rank)) != SQLITE_OK) {
        sqlite3_result_error_code(cx, rc);
        return;
    }
    view__top_offer(t, rank, api->xRowid(fts));
}

/* Runs sql, a pass of an FTS5 function over expr's first match (?1 the
 * expression, ?2 ptr bound as a pointer of the given type). */
static int
view__search_pass(sqlite3 *db, const char *sql, const char *expr, void *ptr,
                  const char *type)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, ptr, type, NULL);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return step == SQLITE_ERROR ? ILONET_EINVAL : store_err(step);
    return 0;
}

/* The pass's heap, its worst taken out to the end each time: (rank, k)
 * order in tp_ks, tp_rs; their number. */
static size_t
view__top_sort(struct view__top *t)
{
    size_t n = t->tp_n;

    while (t->tp_n > 1) {
        view__top_swap(t, 0, --t->tp_n);
        view__top_sift(t, 0);
    }
    return n;
}

/* An empty pass keeping the best cap positions into ks and rs, after
 * (*after_rank, after_k) when after_rank is not NULL. */
static void
view__top_init(struct view__top *t, const double *after_rank, int64_t after_k,
               int64_t *ks, double *rs, size_t cap)
{
    memset(t, 0, sizeof(*t));
    t->tp_ks = ks;
    t->tp_rs = rs;
    t->tp_cap = cap;
    t->tp_stop = INT64_MAX;
    if (after_rank) {
        t->tp_at = 1;
        t->tp_rank = *after_rank;
        t->tp_k = after_k;
    }
}

int
view__search_best(sqlite3_stmt *st, int param, const double *after_rank,
                  int64_t after_k, int64_t *ks, double *rs, size_t cap,
                  size_t *got)
{
    struct view__top t;
    int step;

    view__top_init(&t, after_rank, after_k, ks, rs, cap);
    *got = 0;
    sqlite3_bind_pointer(st, param, &t, VIEW__TOP_PTR, NULL);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    sqlite3_bind_null(st, param); /* the pass is gone after this */
    if (step != SQLITE_DONE)
        return step;
    *got = view__top_sort(&t);
    return SQLITE_DONE;
}

int
view__search_best_aside(struct store *s, sqlite3_stmt *st, int param,
                        const char *expr, struct view__aside *aside,
                        size_t keep, struct view_search_idf *idf,
                        const double *after_rank, int64_t after_k, int64_t *ks,
                        double *rs, size_t cap, size_t *got)
{
    struct view__top t;
    struct view__pend p;
    int step, rc = 0;

    view__top_init(&t, after_rank, after_k, ks, rs, cap);
    memset(&p, 0, sizeof(p));
    p.pd_aside = aside;
    p.pd_idf = idf;
    p.pd_keep = keep; /* 0: from the bytes a match takes, at the first */
    idf->si_n = 0;
    t.tp_pend = &p;
    *got = 0;
    sqlite3_bind_pointer(st, param, &t, VIEW__TOP_PTR, NULL);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    sqlite3_bind_null(st, param); /* the pass is gone after this */
    if (p.pd_aside) {
        /* the walk ended first: the statement's state of the index is
         * gone, so a count made against another one stands (as the IDF
         * of a query's OR window, counted by a statement of its own, always
         * did); a failed one is made again here */
        struct view_search_idf d;
        int arc = view__aside_finish(p.pd_aside, &d);

        if (step == SQLITE_DONE && !p.pd_seen && arc == 0)
            *idf = d; /* no match here: expr's own (an OR window's) */
        if (step == SQLITE_DONE && p.pd_seen) {
            if (arc != 0 || d.si_n != p.pd_n) {
                memset(&d, 0, sizeof(d));
                if ((rc = view__search_idf_db(store_db(s), expr, &d)) != 0)
                    goto out;
            }
            /* nothing of it matches any more: each phrase weighs alike,
             * as in a query of one */
            for (int i = 0; i < p.pd_n; i++)
                idf->si_idf[i] = d.si_n == p.pd_n ? d.si_idf[i] : 1.0;
            idf->si_n = p.pd_n;
            idf->si_rows = p.pd_rows;
            view__pend_flush(&t);
        }
    }
    if (step != SQLITE_DONE)
        rc = view__search_step_err(step);
    else
        *got = view__top_sort(&t);
out:
    free(p.pd_k);
    free(p.pd_f);
    return rc;
}

int
view__search_merge(int64_t *ka, double *ra, size_t *na, const int64_t *kb,
                   const double *rb, size_t nb, size_t cap)
{
    int64_t *k = malloc(cap * sizeof(*k));
    double *r = malloc(cap * sizeof(*r));
    size_t i = 0, j = 0, n = 0;

    if (!k || !r) {
        free(k);
        free(r);
        return ILONET_ENOMEM;
    }
    while (n < cap && (i < *na || j < nb)) {
        int take_a =
            j == nb ||
            (i < *na && (ra[i] < rb[j] || (ra[i] == rb[j] && ka[i] < kb[j])));

        k[n] = take_a ? ka[i] : kb[j];
        r[n++] = take_a ? ra[i++] : rb[j++];
    }
    memcpy(ka, k, n * sizeof(*k));
    memcpy(ra, r, n * sizeof(*r));
    *na = n;
    free(k);
    free(r);
    return 0;
}

/*
 * Where a phrase of several words is split (view__search_top()): 0 when it
 * is not. Matching such a phrase is FTS5 walking each word's positions in
 * step: a common word inside it ("the", in half the records at a million)
 * makes it the dearest one-phrase search (`"along the coast"` 45 ms,
 * its words without "the" 25). The walk is split by position between the
 * two connections, at the middle of the records as the logs' lengths
 * place it (a record's position is its log's number, then its entry's
 * seq). Only a phrase of several words gains: a word's own walk costs
 * less from inside FTS5 than the half through a statement would, and a
 * prefix's merged list is built whole by either half.
 */
static int64_t
view__search_mid(struct store *s, const char *expr)
{
    sqlite3_stmt *st;
    int64_t mid = 0;

    if (!strchr(expr, ' ') || strchr(expr, '*'))
        return 0;
    /* the store's cached statement: asked on every such search */
    if (!(st = store_stmt(s, "SELECT lid, head_seq, sum(head_seq) OVER"
                             " (ORDER BY lid), sum(head_seq) OVER ()"
                             " FROM logs")))
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t lid = sqlite3_column_int64(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);
        int64_t upto = sqlite3_column_int64(st, 2);
        int64_t all = sqlite3_column_int64(st, 3);

        if (upto * 2 >= all && all > 0) {
            mid = (lid << 32) + (all / 2 - (upto - n));
            break;
        }
    }
    sqlite3_reset(st); /* a cached statement keeps no read open */
    return mid > 0 ? mid : 0;
}

int
view__search_top(struct store *s, const char *expr, const double *after_rank,
                 int64_t after_k, int64_t *ks, double *rs, size_t cap,
                 size_t *got, int *ranked)
{
    struct view__aside *a = NULL;
    int64_t mid = view__search_mid(s, expr), *k2 = NULL;
    double *r2 = NULL;
    size_t got2 = 0;
    struct view__top t;
    int rc, arc = 0;

    *got = 0;
    *ranked = 0;
    if (mid > 0 && (!(k2 = malloc(cap * sizeof(*k2))) ||
                    !(r2 = malloc(cap * sizeof(*r2))) ||
                    view__aside_walk(s, expr, mid, after_rank, after_k, k2, r2,
                                     cap, &a) != 0))
        a = NULL; /* walked here whole */
    view__top_init(&t, after_rank, after_k, ks, rs, cap);
    if (a)
        t.tp_stop = mid;
    rc = view__search_pass(store_db(s),
                           "SELECT ilonet_top(v_search, ?2, 2.0, 1.0)"
                           " FROM v_search WHERE v_search MATCH ?1"
                           " LIMIT 1",
                           expr, &t, VIEW__TOP_PTR);
    if (a)
        arc = view__aside_walked(a, &got2);
    if (rc == 0)
        rc = arc;
    if (rc == 0 && t.tp_single) {
        *got = view__top_sort(&t);
        *ranked = 1;
        if (a)
            rc = view__search_merge(ks, rs, got, k2, r2, got2, cap);
    }
    free(k2);
    free(r2);
    return rc;
}

/* ilonet_idf(v_search, idf): called on the query's first match only;
 * counts each phrase's IDF into idf (a pointer bound as
 * VIEW_SEARCH_IDF_PTR) and returns NULL. */
static void
view__idf_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *cx,
             int nv, sqlite3_value **av)
{
    struct view_search_idf *d =
        nv > 0 ? sqlite3_value_pointer(av[0], VIEW_SEARCH_IDF_PTR) : NULL;
    int n = api->xPhraseCount(fts), rc;

    if (!d) {
        sqlite3_result_error(cx, "ilonet_idf: no place", -1);
        return;
    }
    if (n < 1 || n > VIEW_SEARCH_PHRASES_MAX)
        return; /* si_n stays 0 */
    if ((rc = view__rank_idf_of(api, fts, n, d->si_idf, &d->si_rows)) !=
        SQLITE_OK) {
        sqlite3_result_error_code(cx, rc);
        return;
    }
    d->si_n = n;
}

double
view__search_rest_bound(const struct view_search_idf *d, int *all_first)
{
    double sum = 0, min = 0, bound;

    for (int p = 0; p < d->si_n; p++) {
        sum += d->si_idf[p];
        min = p == 0 || d->si_idf[p] < min ? d->si_idf[p] : min;
    }
    /* each phrase adds less than idf (k1 + 1) however often it occurs */
    bound = (VIEW__RANK_K1 + 1) * (sum - min);
    /* a record with every phrase twice in its headline (weighted count 4)
     * would reach it */
    *all_first = view__rank_term(sum, 4.0) >= bound;
    return bound;
}

int
view__search_idf_db(sqlite3 *db, const char *expr, struct view_search_idf *d)
{
    d->si_n = 0;
    d->si_rows = 0;
    return view__search_pass(db,
                             "SELECT ilonet_idf(v_search, ?2) FROM v_search"
                             " WHERE v_search MATCH ?1 LIMIT 1",
                             expr, d, VIEW_SEARCH_IDF_PTR);
}

int
view__search_rank_install(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st;

    /* FTS5 hands its API out through a pointer bound to SELECT fts5(?) */
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return ILONET_EIO;
    if (api->xCreateFunction(api, "ilonet_rank", NULL, view__rank_fn, NULL) !=
            SQLITE_OK ||
        api->xCreateFunction(api, "ilonet_top", NULL, view__top_fn, NULL) !=
            SQLITE_OK ||
        api->xCreateFunction(api, "ilonet_idf", NULL, view__idf_fn, NULL) !=
            SQLITE_OK ||
        api->xCreateFunction(api, "ilonet_push", NULL, view__push_fn, NULL) !=
            SQLITE_OK)
        return ILONET_EIO;
    return 0;
}
