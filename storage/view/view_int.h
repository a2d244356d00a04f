/* view_int.h - internals shared by storage/view*.c (not a public header). */
#ifndef ILONET_VIEW_INT_H
#define ILONET_VIEW_INT_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/store.h"
#include "storage/store_int.h"
#include "storage/view/view.h"

/*
 * Working state of the view for one store connection. The hook's context
 * is allocated by view_attach() and freed when the SQLite connection closes
 * (it is tied to the connection through a registered SQL function's
 * destructor, so store_close() needs no view call). Other entry points
 * (rebuild, refresh) use a short-lived context of their own.
 */
#define VIEW__AUTHORS 16
/* Entry kinds a vocabulary may use (docs/REGIMES.md §2: 1-127). */
#define VIEW__KINDS 128
/* Field value slots of v_rec: as many as the widest record kind of any
 * vocabulary has fields a user can set (view__slot(); checked in
 * view_attach). The seed's kinds keep their slots of VIEW_VERSION 6. */
#define VIEW__NSLOTS 20
#define VIEW__SLOT_COLS                                                        \
    "f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15,"    \
    " f16, f17, f18, f19"
#define VIEW__NCOLS 34 /* record_columns(): checked in view_attach */
/* The field columns of v_records, in record_columns() order. */
#define VIEW__FIELD_COLS                                                       \
    "category,summary,detail,nationality,figure,unit,period,level,"            \
    "reliability,source,place,date,convenor,participants,commission,reason,"   \
    "topics,title,type,organiser,attendees,carrier,position,states,"           \
    "counterpart,post,officers,posted_from,posted_until,remit,assignees,due,"  \
    "semester,acting_state"

/* A change to one row of v_counts not yet written (view_index.c). */
struct view__cpend {
    uint64_t cp_hash; /* 0: a free slot */
    uint32_t cp_kind;
    int cp_type;     /* SQLITE_INTEGER, _FLOAT, _TEXT or _BLOB */
    int64_t cp_int;  /* SQLITE_INTEGER */
    double cp_float; /* SQLITE_FLOAT */
    char *cp_bytes;  /* TEXT or BLOB: cp_len bytes, owned */
    int cp_len;
    char cp_month[8]; /* "YYYY-MM" */
    int64_t cp_delta;
};

/* record bases x audiences a report holds at most (view_report_hold) */
#define VIEW__REP_HELD 32

struct view_ctx {
    msgpack_zone vc_zone; /* cleared per entry / per recompute */
    int vc_bulk;          /* rebuild: recomputes deferred to the end */
    int vc_nocount;       /* rebuild: v_counts recounted at the end */
    int vc_noindex;       /* a bulk load dropped the list indexes */
    /* The attached context's only: v_counts changes of the innermost
     * open transaction level, summed per row and written at its next
     * boundary (view__txn()). Open addressing, vc_pcap slots. */
    struct view__cpend *vc_pend;
    size_t vc_npend, vc_pcap;
    /* The vocabulary in force (the attaching home's; outlives the store
     * connection) and what follows from it: the hash layout of the seed
     * regime (docs/REGIMES.md §7). */
    const struct vocab *vc_vocab;
    int vc_seed;
    /* per entry kind: the vocabulary's kind, NULL when it has none */
    const struct vocab_kind *vc_kind[VIEW__KINDS];
    /* author key -> state, filled from the certs table (immutable). */
    size_t vc_nauth, vc_next;
    uint8_t vc_auth_pk[VIEW__AUTHORS][KEY_PK_LEN];
    char vc_auth_state[VIEW__AUTHORS][KEY_STATE_MAX + 1];
    /* position (entries.k) of the entry being applied, when the caller
     * knows it (rebuild); otherwise looked up */
    int vc_has_k;
    int64_t vc_k;
    /* per record kind, per vocabulary field: its slot in v_rec
     * (view__slot()), -1 when it has none (filled at init) */
    signed char vc_col[VIEW__KINDS][RECORD_MAX_ITEMS];
    /* 1 when the field's value enters the hash's field map (xf): every
     * slot field under 2019-1240, those without a seed column under
     * 377-2004 */
    unsigned char vc_xf[VIEW__KINDS][RECORD_MAX_ITEMS];
    /* per kind: index of these fields, -1 when the kind has none */
    signed char vc_f_behalf[VIEW__KINDS], vc_f_grant[VIEW__KINDS];
    signed char vc_f_category[VIEW__KINDS], vc_f_for[VIEW__KINDS];
    signed char vc_f_retain[VIEW__KINDS];
    signed char vc_f_att[VIEW__KINDS]; /* "attachments": no slot, no hash */
    unsigned vc_att_since; /* the first version with attachments on some
                              record kind; UINT_MAX when none has them */
    /* the event fields (docs/REGIMES.md §4): at/span/start, and end */
    signed char vc_ev_a[VIEW__KINDS], vc_ev_b[VIEW__KINDS];
    /* VIEW__P_* flags of the payload of the entry being applied */
    unsigned vc_pflags;
    /* view_report_hold(): the record bases' rows of one period and
     * audience read into TEMP tables vrb_<i>, while the caller's snapshot
     * lasts (view_report.c) */
    int vc_rep_hold;
    size_t vc_rep_n;
    struct view__rep_held {
        int rh_base;
        int64_t rh_from, rh_to;
        char rh_aud[ENTRY_AUDIENCE_MAX + 1];
    } vc_rep[VIEW__REP_HELD];
    /* the search's second connection to the file (view_search_aside.c):
     * opened by the first search that needs it, read-only; vc_aside_off
     * once opening it failed (searches then do all on their own) */
    sqlite3 *vc_aside;
    int vc_aside_off;
};

/*
 * What the caller of view__apply() knows about e->e_payload.
 * VIEW__P_CHECKED: the log store accepted these very bytes in this
 * transaction, so they passed its canonical check (wire_check with
 * ENTRY_PAYLOAD_MAX limits, a map: log_append, and log_ingest through
 * entry_check_payload*). VIEW__P_STABLE: the bytes stay valid and unchanged
 * until view__apply() returns, so unpacked values may point into them.
 */
#define VIEW__P_CHECKED 1u
#define VIEW__P_STABLE 2u

/* A context over vocabulary v (not copied: it must outlive c). */
int view__ctx_init(struct view_ctx *c, const struct vocab *v);
/* The vocabulary the store's view was attached with (NULL before
 * view_attach). */
const struct vocab *view__vocab(struct store *s);
void view__ctx_free(struct view_ctx *c);

/* Applies one stored entry to the view (the hook body); pflags: what is
 * known of its payload (VIEW__P_*). */
int view__apply(struct view_ctx *c, struct store *s, const struct entry *e,
                const char *audience, const uint8_t author[static KEY_PK_LEN],
                unsigned pflags);

/* The vocabulary's kind for entry kind kind, or NULL. */
static inline const struct vocab_kind *
view__kind(const struct view_ctx *c, uint32_t kind)
{
    return kind < VIEW__KINDS ? c->vc_kind[kind] : NULL;
}

/* The stored position k = lid << 32 | seq of entry e. */
int view__entry_k(struct view_ctx *c, struct store *s, const struct entry *e,
                  int64_t *k);

/* The author's state ("" when no certificate is held). */
const char *view__author_state(struct view_ctx *c, struct store *s,
                               const uint8_t author[static KEY_PK_LEN]);

/* Unpacks a payload into the context's zone. Unless pflags says so
 * (VIEW__P_*), the bytes are checked canonical first and copied into the
 * zone, so the values stay valid until the zone is cleared. NULL payload
 * or bad bytes: returns ILONET_EMALFORMED and leaves *o untouched. */
int view__unpack(struct view_ctx *c, const uint8_t *p, size_t n,
                 unsigned pflags, msgpack_object *o);

/* ---- records (view_records.c) ----------------------------------------- */

/* The v_rec slot (f0...) holding field i of record kind k: first the
 * fields with a seed column, then the others a user sets, each group in
 * field order; -1 for on-behalf-of, grant and bytes (docs/REGIMES.md §6). */
int view__slot(const struct vocab_kind *k, size_t i);
/* The column of v_records showing field f: its seed column, else its name
 * with '-' as '_' ("retain-until" -> retain_until). */
void view__column(const struct vocab_field *f, char out[static 40]);

/* A record-creating entry (its author key is in logs, via e_k). */
int view__record_create(struct view_ctx *c, struct store *s,
                        const struct entry *e, const char *audience,
                        const char *author_state);
/* An amend/retract/erase/task-status entry. */
int view__change_add(struct view_ctx *c, struct store *s, const struct entry *e,
                     const char *audience,
                     const uint8_t author[static KEY_PK_LEN],
                     const char *author_state);
/* Recomputes one record from its creation and every change targeting it. */
int view__recompute(struct view_ctx *c, struct store *s,
                    const uint8_t id[static HASH_LEN]);
/* The 8-byte prefix of an id as an integer (entries.idp). */
int64_t view__idp(const uint8_t id[static HASH_LEN]);
/* Takes out everything entries of log at seq >= seq contributed (the
 * log was frozen by a fork there) and recomputes what they touched. */
int view__remove_from(struct view_ctx *c, struct store *s,
                      const uint8_t log[static HASH_LEN], uint64_t seq);
/* Recomputes every record that has changes, relies on a grant, is erased
 * or has a retention date. */
int view__recompute_all(struct view_ctx *c, struct store *s);
/* Recomputes every record whose retention ended before day (days since
 * 1970-01-01) and is not erased yet. */
int view__recompute_expired(struct view_ctx *c, struct store *s, int64_t day);

/* ---- authorisation (view_auth.c) -------------------------------------- */

int view__grant_add(struct view_ctx *c, struct store *s, const struct entry *e,
                    const char *audience,
                    const uint8_t author[static KEY_PK_LEN],
                    const char *author_state);
int view__revocation_add(struct view_ctx *c, struct store *s,
                         const struct entry *e, const char *audience,
                         const uint8_t author[static KEY_PK_LEN],
                         const char *author_state);
/* Recomputes every record whose creation or changes name grant gid. */
int view__grant_dependents(struct view_ctx *c, struct store *s,
                           const uint8_t gid[static HASH_LEN]);

/* What an on-behalf entry asks of a grant. */
struct view_auth_req {
    const uint8_t *ar_grant;   /* grant id named by the entry */
    const char *ar_owner;      /* represented state (on-behalf-of) */
    const char *ar_rep;        /* the writing node's state */
    uint32_t ar_kind;          /* record kind concerned */
    const char *ar_category;   /* observation category or NULL */
    const char *ar_audience;   /* audience of the entry */
    uint64_t ar_hlc;           /* the entry's timestamp */
    int ar_ignore_revocations; /* erasure: monotone (docs/VIEW.md) */
};

/* 0 if the named grant authorises the request; else ILONET_EDELEGATION,
 * ILONET_EREVOKED or ILONET_EEXPIRED with a reason in why. */
int view__grant_ok(struct store *s, const struct view_auth_req *r, char *why,
                   size_t wl);

/* ---- indexes, counts, hash cache (view_index.c) ------------------------ */

/* Creates the indexes on v_rec and table v_counts (if they do not exist). */
int view__index_attach(struct store *s, const struct vocab *v);
/* Drops the indexes view__index_attach() creates on v_rec (a rebuild
 * writes every row: one sort per index afterwards costs less than
 * keeping each index row by row). */
int view__index_detach(struct store *s);
/* The v_rec column ("f3") holding the records view's column col for
 * record kind kind under vocabulary v; ILONET_ENOTFOUND when the kind
 * has none (or v is NULL). */
int view__slot_col(const struct vocab *v, uint32_t kind, const char *col,
                   char out[static 8]);
/* For the period filter of kind's list: SQL over a v_rec row (unqualified
 * columns) for the record's first day, last day and length class (0 up
 * to VIEW_EV_DAYS0 days, 1 up to VIEW_EV_DAYS1, 2 up to VIEW_EV_DAYS2, 3
 * longer or open), exactly as index v_rec_days holds them (cap
 * bytes each): the event days event_from and event_to of the records
 * view as day numbers (days since 1970-01-01; VIEW__DAY() turns a
 * 'YYYY-MM-DD' parameter into one), an open end as 9999-12-31's.
 * ILONET_ENOTFOUND when vocabulary v lacks the record kind (its list
 * filters without an index). */
#define VIEW__DAY(param) "(julianday(" param ") - 2440587.5)"
#define VIEW_EV_DAYS0 31
#define VIEW_EV_DAYS1 366
#define VIEW_EV_DAYS2 3660
int view__event_exprs(const struct vocab *v, uint32_t kind, char *from,
                      char *to, char *lc, size_t cap);
/* Appends to sql a SELECT of `what` from the v_rec rows that index
 * v_rec_days holds (records in effect) and `where` (over v_rec; names the
 * kind) selects, whose event days overlap the days first..last (SQL
 * expressions giving day numbers): one range of the index per length
 * class, joined by UNION ALL. ILONET_ENOTFOUND as view__event_exprs() for
 * kind; the caller then filters without the index. */
struct textbuf;
int view__days_cand(struct textbuf *sql, const struct vocab *v, uint32_t kind,
                    const char *what, const char *where, const char *first,
                    const char *last);
/* The SELECT of the SQL view `name` with the columns `hidden` before its
 * own, appended to sql (view_read.c). */
int view__view_select(struct store *s, const char *name, const char *hidden,
                      struct textbuf *sql);
/* A sort of every row (an index build, the view hash) in temp files
 * instead of memory: with temp_store=MEMORY (a node's connection, for its
 * savepoints) SQLite sorts them all in RAM, 90 MiB for an index and
 * 440 MiB for the view hash at a million records; in files the sort stays
 * within the page cache. view__temp_file() switches to files when the
 * connection is on memory and may switch (outside any transaction, no
 * report's TEMP tables held: the switch deletes TEMP tables, the view
 * hash cache among them) and returns 1 if it did; view__temp_restore()
 * switches back. */
int view__temp_file(struct store *s);
void view__temp_restore(struct store *s, int switched);
/* 1 if index name exists (a first sync builds the list indexes only at
 * its end, view_indexes_defer(), and INDEXED BY a missing one fails). */
int view__has_index(struct store *s, const char *name);
/* Around a rebuild: stop counting row by row (pause), then recount
 * v_counts from the rows and count again (resume). */
int view__counts_pause(struct view_ctx *c);
int view__counts_resume(struct view_ctx *c, struct store *s);
/* Adds delta (+1 after row k of v_rec, of record kind kind, was written;
 * -1 before it is changed or deleted) to v_counts, if the row is in
 * effect. Every write of a v_rec row outside a rebuild goes between the
 * two. view__count_range() is the -1 for every row in [lo, hi). */
int view__count(struct view_ctx *c, struct store *s, int64_t k, uint32_t kind,
                int delta);
int view__count_range(struct view_ctx *c, struct store *s, int64_t lo,
                      int64_t hi);
/* Around an update of row k: the count key before (old, filled by
 * view__count_before()), then view__count_after() moves the row between
 * counts only when its key changed, and frees old's copy (also call it
 * when the update failed: it then finds the key unchanged). */
struct view__ckey {
    int live;            /* in effect: counted */
    sqlite3_value *cat;  /* the category as stored (a copy), or NULL: */
    const char *cat_txt; /* the category as text, cat_len bytes */
    int cat_len;
    char month[16]; /* "YYYY-MM" */
};
int view__count_before(struct view_ctx *c, struct store *s, int64_t k,
                       uint32_t kind, struct view__ckey *old);
int view__count_after(struct view_ctx *c, struct store *s, int64_t k,
                      uint32_t kind, struct view__ckey *old);
/* view__count(c, s, k, kind, +1) for a row just inserted, from what was
 * written (time ms, in effect or not, category value cat: NULL when the
 * kind has no category slot or the row no value) instead of reading the
 * row back; a category that is not a string is read back. */
int view__count_new(struct view_ctx *c, struct store *s, int64_t k,
                    uint32_t kind, int64_t ms, int live,
                    const msgpack_object *cat);
/* The count changes are summed in memory per row of v_counts, on the
 * context attached to the store (view__attached(); a store without one
 * writes each at once), and written at every transaction boundary: this
 * is the store's txn hook (store_set_txn_hook), which also drops and
 * builds the list indexes around a bulk load (store_bulk_begin). A read
 * of v_counts inside an open transaction calls view__counts_flush()
 * first. */
int view__txn(void *arg, struct store *s, enum store_txn_event ev);
int view__counts_flush(struct store *s);
void view__counts_drop(struct view_ctx *c);
/* The context view_attach() set on s, or NULL. */
struct view_ctx *view__attached(struct store *s);
/* view_hash() computed from the rows, never from the cache (view.c). */
int view__hash_compute(struct store *s, const char *audience,
                       uint8_t out[static HASH_LEN]);
/* The cached digest of audience (NULL: all) into out, or ILONET_ENOTFOUND
 * when the view may have changed since; fp receives the fingerprint to
 * remember a new digest under. */
int view__hash_cached(struct store *s, const char *audience,
                      uint8_t fp[static HASH_LEN],
                      uint8_t out[static HASH_LEN]);
int view__hash_remember(struct store *s, const char *audience,
                        const uint8_t fp[static HASH_LEN],
                        const uint8_t h[static HASH_LEN]);

/* ---- the search index (view_search.c) --------------------------------- */

/* Creates the index's tables (inside view_attach's
 * transaction); rebuilt 1 when the view is being rebuilt (the rebuild
 * resets the index when it ends). An index of an older layout, or none
 * yet, is reset now. */
int view__search_attach(struct store *s, int rebuilt);
/* Empties the index and notes every record in effect, to be folded in
 * by the next search (or view_search_fold()); inside the caller's transaction
 * (the end of a view rebuild). */
int view__search_reset(struct store *s);
/* Sets the update hook that notes the records written on this connection
 * and the store's commit hook that writes the notes and purges (after
 * view_attach's transaction; the notes of an earlier attach carry over).
 */
int view__search_hook(struct store *s);
/* Takes the records erased or removed in the open transaction out of the
 * index and merges it, so their words leave every table of the index in
 * that transaction. */
int view__search_purge(struct store *s);
/* Notes record row k, just erased, for view__search_purge(): every write
 * that sets a v_rec row's status to 'erased' calls it. */
int view__search_erased(struct store *s, int64_t k);
/* The store's commit hook (store_set_commit_hook): writes the notes of
 * the transaction into v_search_dirty, then view__search_purge(); arg is
 * the connection's notes. */
int view__search_commit(void *arg, struct store *s);
/* Folds every noted record in (before a search reads the index). */
int view__search_fold_all(struct store *s);
/* The search index's columns and tokenizer (v_search, view_search.c): a
 * table that must tokenize as it does (view_search_query.c) uses them. */
#define VIEW__SEARCH_FTS_ARGS                                                  \
    "(head, body, columnsize = 0, tokenize = 'unicode61 remove_diacritics 2')"
/* The IDF of a query's phrases, counted once for several statements of
 * one search (view__search_idf_db(); ilonet_rank() takes it as its last
 * argument, bound with sqlite3_bind_pointer() as VIEW_SEARCH_IDF_PTR, and
 * then ranks the first si_n phrases of its own query with it). */
#define VIEW_SEARCH_PHRASES_MAX 32 /* view_search_parse() allows 32 words */
#define VIEW_SEARCH_IDF_PTR "ilonet_idf"
struct view_search_idf {
    int si_n; /* 0: not counted (no match, or too many phrases) */
    /* the records in the index the counts were made against (a count made
     * on another connection is checked with it: view_search_aside.c) */
    int64_t si_rows;
    double si_idf[VIEW_SEARCH_PHRASES_MAX];
};
/* Counts the IDF of expr's phrases into d (d->si_n 0 when expr matches
 * nothing) on db, a connection to the store's file. */
int view__search_idf_db(sqlite3 *db, const char *expr,
                        struct view_search_idf *d);
/* A score (the rank negated) that no record lacking one of d's phrases
 * reaches: each phrase it holds adds less than its IDF times (k1 + 1).
 * *all_first 1 when a record holding each phrase with a weighted count
 * of 4 would score at least that: if not, the records holding every
 * phrase rarely fill a window above it, and trying them first only costs
 * (a guess about cost; the results never depend on it). */
double view__search_rest_bound(const struct view_search_idf *d, int *all_first);
/* Steps st, a statement calling ilonet_push(v_search, ?param, ...) on the
 * matches of a window, to its end: the best cap positions in the order
 * (rank, k) after (*after_rank, after_k) (none when after_rank is NULL)
 * into ks and rs, *got of them, as ORDER BY that rank, rowid LIMIT cap
 * would give. SQLITE_DONE, or the step's error; st is reset. */
int view__search_best(sqlite3_stmt *st, int param, const double *after_rank,
                      int64_t after_k, int64_t *ks, double *rs, size_t cap,
                      size_t *got);

/*
 * A search's second connection (view_search_aside.c), on a thread of its
 * own: it counts a query's IDF while the window walks the matches
 * (counting each phrase's records reads its whole position list, as long
 * as the walk), or walks the second half of a phrase of several words.
 */
struct view__aside;
/* Starts counting the IDF of expr's phrases on the view's second
 * connection to s's file (opened at the first call, kept until s's
 * connection closes). ILONET_ENOTFOUND when it cannot help: the
 * store has no file, or s is inside a transaction, whose reads the other
 * connection would not share; the caller then counts itself. */
int view__aside_start(struct store *s, const char *expr,
                      struct view__aside **out);
/* 1 when the count is finished (view__aside_finish() will not wait). */
int view__aside_ready(struct view__aside *a);
/* Waits for the count and frees a: 0 with the IDF in d, or the count's
 * error. */
int view__aside_finish(struct view__aside *a, struct view_search_idf *d);
/* Starts a walk of expr's matches (one phrase) at positions from and
 * after, on the second connection: the best cap in the order (rank, k)
 * after (*after_rank, after_k) (none when after_rank is NULL) into ks and
 * rs, which the caller leaves alone until view__aside_walked(); as
 * view__search_top() would find among those positions. ILONET_ENOTFOUND
 * as view__aside_start(). */
int view__aside_walk(struct store *s, const char *expr, int64_t from,
                     const double *after_rank, int64_t after_k, int64_t *ks,
                     double *rs, size_t cap, struct view__aside **out);
/* Waits for a walk and frees a: 0 with *got positions, or its error. */
int view__aside_walked(struct view__aside *a, size_t *got);
/* Closes the second connection of c (view__ctx_free()). */
void view__aside_close(struct view_ctx *c);

/*
 * view__search_best() for st ranking with ilonet_push(v_search, ?param,
 * w0, w1) (no IDF argument) while aside counts the IDF of expr, whose
 * phrases are st's query's, in the same order (the query itself, or its
 * phrases joined by AND). Each match's weighted counts are kept, at most
 * keep of them (0: as many as 8 MiB hold), until the count is in, and
 * ranked then; when no more may be kept, the walk waits for it. The ranks
 * are those ilonet_rank() gives. The IDF used goes into idf: when st
 * matched nothing, the count's (si_n 0 when expr matches nothing either).
 * aside is finished whatever happens. 0, or an ilonet error (a failed
 * step: view__search_step_err()).
 */
int view__search_best_aside(struct store *s, sqlite3_stmt *st, int param,
                            const char *expr, struct view__aside *aside,
                            size_t keep, struct view_search_idf *idf,
                            const double *after_rank, int64_t after_k,
                            int64_t *ks, double *rs, size_t cap, size_t *got);
/* Merges window b (nb) into window a (*na of cap), both in the order
 * (rank, k) and of different records: the first cap of both in a. */
int view__search_merge(int64_t *ka, double *ra, size_t *na, const int64_t *kb,
                       const double *rb, size_t nb, size_t cap);
/* The phrases of expression e (view_search_parse()'s: every word or
 * phrase is quoted and holds no '"'). */
int view__search_phrases(const char *e);
/* A failed step of a search's statement as an ilonet error: FTS5 refuses
 * some expressions only when run (ILONET_EINVAL). */
int view__search_step_err(int step);
/* Registers the FTS5 functions ilonet_rank(), ilonet_top(), ilonet_idf()
 * and ilonet_push() on db
 * (view_search_rank.c); view__search_hook() calls it. */
int view__search_rank_install(sqlite3 *db);
/* A window of a search for the FTS5 expression expr, ranked in one pass
 * when expr is one phrase (*ranked 1): the best cap positions in the
 * order (rank, k) after (*after_rank, after_k) (none when after_rank is
 * NULL) into ks and rs, *got of them, the same as ORDER BY ilonet_rank(
 * v_search, 2.0, 1.0), rowid would give. *ranked 0 with nothing done when
 * expr has more than one phrase or matches nothing. */
int view__search_top(struct store *s, const char *expr,
                     const double *after_rank, int64_t after_k, int64_t *ks,
                     double *rs, size_t cap, size_t *got, int *ranked);

/* ---- small helpers ---------------------------------------------------- */

/* Fills cell i (a struct view_cell of view.h) from the current row of st;
 * the cell points into st's row (view_read.c). */
int view__cell(sqlite3_stmt *st, int i, struct view_cell *c);

/* Runs a statement that returns no rows; resets it. */
int view__step_done(sqlite3_stmt *st);
/* Binds text (msgpack str) or NULL. */
void view__bind_str(sqlite3_stmt *st, int i, const msgpack_object *o);
/* Copies C string src into out (cap > 0 bytes), truncated like
 * snprintf("%s") but without its cost on the per-entry path. */
void view__strcpy(char *out, size_t cap, const char *src);
/* Short hex prefix (8 digits) of an id, for reasons. */
void view__short(const uint8_t *id, char out[static 9]);

#endif
