/* view_index.c - what keeps the view's reads fast at scale: indexes, maintained
 * counts, the view hash cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "view_int.h"

/*
 * None of this is part of the view's meaning: the rows of v_rec, v_chg,
 * v_grants and v_revocations decide it, and view_hash() reads only them.
 * What is here is derived from those rows and exists so that a desk with a
 * million records answers in milliseconds (docs/BENCHMARKS.md, "The desk
 * at scale"):
 *
 * - Indexes on v_rec. Lists in newest order sort on the record's time
 *   (v_rec.ms, the creating entry's HLC >> 16), so an index on (kind, ms)
 *   gives their first page without a sort; the period filter has one per
 *   record kind over the event days (v_rec_days_<kind>); the state filter has
 * its own (kind, owner, ms) and the audience filter (kind, log, ms), both only
 *   over records in effect, so a rare state or audience is one index range.
 *   Their keys grow with time, so ingest appends to them.
 * - v_counts: the number of records in effect per kind, observation
 *   category and month written, kept by view__count() beside every write
 *   of a v_rec row, in the same transaction (so it can never be seen out
 *   of step), and recounted from scratch after a rebuild.
 *   view_counts_check() compares it with a recount. Not by triggers: a
 *   trigger makes every v_rec insert a multi-row statement, and SQLite
 *   then keeps a statement journal of every page the insert touches (a
 *   dozen index pages), which cost four times the insert itself on import
 *   (docs/BENCHMARKS.md, "The import regression").
 * - The view hash cache: view_hash() is a digest over every record in id
 *   order, seconds at a million records. Its value follows from what the
 *   log store holds (every log's head, fork and revocation cut, and the
 *   quarantine), the retention day reached and the vocabulary, so a connection
 * keeps the last digest per audience in a TEMP table under a fingerprint of
 * exactly that, and gives it back while the fingerprint is unchanged.
 */

/* The slot (v_rec column "f3") of the field of vocabulary kind k whose
 * records view column is col, or -1. */
static int
view__kslot(const struct vocab_kind *k, const char *col)
{
    for (size_t i = 0; k && k->vk_is_record && i < k->vk_nfields; i++) {
        char c[40];

        view__column(&k->vk_fields[i], c);
        if (strcmp(c, col) == 0)
            return view__slot(k, i);
    }
    return -1;
}

/* The expression of record row X's observation category ("" for kinds
 * without one), from vocabulary v: the slot holding "category". */
static int
view__cat_expr(const struct vocab *v, const char *x, char *out, size_t cap)
{
    const struct vocab_kind *ks;
    size_t nk, off = 0;
    char when[1024];
    int n;

    when[0] = '\0';
    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++) {
        int slot = view__kslot(&ks[j], "category");

        if (slot < 0)
            continue;
        n = snprintf(when + off, sizeof(when) - off, " WHEN %u THEN %s.f%d",
                     (unsigned)ks[j].vk_code, x, slot);
        if (n < 0 || (size_t)n >= sizeof(when) - off)
            return ILONET_ETOOBIG;
        off += (size_t)n;
    }
    n = off ? snprintf(out, cap, "coalesce(CASE %s.kind%s END, '')", x, when)
            : snprintf(out, cap, "''");
    return n < 0 || (size_t)n >= cap ? ILONET_ETOOBIG : 0;
}

#define VIEW__LIVE(x) x ".valid = 1 AND " x ".status = 'active'"
#define VIEW__MONTH(x) "strftime('%%Y-%%m', " x ".ms / 1000, 'unixepoch')"

static int
view__exec_sql(struct store *s, const char *sql)
{
    return store_err(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL));
}

/* The row's side: its category's slot comes as a parameter (?2, -1 for
 * none), so the text is a constant the statement cache keeps. The write
 * is a plain one-row upsert: an INSERT ... SELECT would be a multi-row
 * statement, with the statement journal that comes with it. */
#define VIEW__W(i) " WHEN " #i " THEN f" #i
static const char view__count_row_sql[] = "SELECT coalesce(CASE ?2" VIEW__W(0)
    VIEW__W(1) VIEW__W(2) VIEW__W(3) VIEW__W(4) VIEW__W(5) VIEW__W(6) VIEW__W(
        7) VIEW__W(8) VIEW__W(9) VIEW__W(10) VIEW__W(11) VIEW__W(12) VIEW__W(13)
        VIEW__W(14) VIEW__W(15) VIEW__W(16) VIEW__W(17) VIEW__W(18)
            VIEW__W(19) " END, ''), ms FROM v_rec WHERE k = ?1 AND " VIEW__LIVE(
                "v_rec");
#undef VIEW__W

/* "YYYY-MM" of the UTC day ms (milliseconds since 1970) falls on, into
 * out; 0 when it has no such form. */
static int
view__month(int64_t ms, char out[static 16])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (ms < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
        return 0;
    snprintf(out, 16, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
    return 1;
}

/* Reads the count key of row k (kind kind) into *key: key->live 0 when
 * the row is missing or not in effect. key->cat is a copy (sqlite3_value_dup)
 * the caller frees with sqlite3_value_free(). */
static int
view__count_key(struct view_ctx *c, struct store *s, int64_t k, uint32_t kind,
                struct view__ckey *key)
{
    sqlite3_stmt *rd;
    int slot = -1, rc;

    memset(key, 0, sizeof(*key));
    if (kind < VIEW__KINDS && c->vc_f_category[kind] >= 0)
        slot = c->vc_col[kind][(int)c->vc_f_category[kind]];
    if (!(rd = store_stmt(s, view__count_row_sql)))
        return ILONET_EIO;
    sqlite3_bind_int64(rd, 1, k);
    sqlite3_bind_int(rd, 2, slot);
    if ((rc = sqlite3_step(rd)) != SQLITE_ROW) {
        sqlite3_reset(rd);
        return rc == SQLITE_DONE ? 0 : store_err(rc); /* not in effect */
    }
    /* the month as strftime('%Y-%m', ms / 1000, 'unixepoch') writes it
     * (the recount's), in C */
    if (!view__month(sqlite3_column_int64(rd, 1), key->month)) {
        sqlite3_reset(rd);
        return ILONET_EINVAL;
    }
    key->cat = sqlite3_value_dup(sqlite3_column_value(rd, 0));
    sqlite3_reset(rd);
    if (!key->cat)
        return ILONET_ENOMEM;
    key->live = 1;
    return 0;
}

/* 1 if a and b count in the same row of v_counts. */
static int
view__count_same(const struct view__ckey *a, const struct view__ckey *b)
{
    int t;

    if (a->live != b->live)
        return 0;
    if (!a->live)
        return 1;
    if (strcmp(a->month, b->month) != 0 ||
        (t = sqlite3_value_type(a->cat)) != sqlite3_value_type(b->cat))
        return 0;
    switch (t) {
    case SQLITE_INTEGER:
        return sqlite3_value_int64(a->cat) == sqlite3_value_int64(b->cat);
    case SQLITE_FLOAT:
        return sqlite3_value_double(a->cat) == sqlite3_value_double(b->cat);
    case SQLITE_NULL: return 1;
    default: {
        /* text or blob: the same bytes */
        const void *pa = t == SQLITE_TEXT
                             ? (const void *)sqlite3_value_text(a->cat)
                             : sqlite3_value_blob(a->cat);
        const void *pb = t == SQLITE_TEXT
                             ? (const void *)sqlite3_value_text(b->cat)
                             : sqlite3_value_blob(b->cat);
        int na = sqlite3_value_bytes(a->cat), nb = sqlite3_value_bytes(b->cat);

        return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
    }
    }
}

/* Adds delta to key's row of v_counts. An UPDATE first: the row is there
 * for all but the first record of a kind, category and month, and a plain
 * update of one row costs less than an upsert. */
static int
view__count_add(struct store *s, uint32_t kind, const struct view__ckey *key,
                int delta)
{
    sqlite3_stmt *st;
    int rc;

    if (!key->live)
        return 0;
    st = store_stmt(s, "UPDATE v_counts SET n = n + ?4 WHERE kind = ?1 AND"
                       " cat = ?2 AND month = ?3");
    for (int pass = 0; pass < 2; pass++) {
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_int(st, 1, (int)kind);
        if (key->cat)
            sqlite3_bind_value(st, 2, key->cat);
        else
            sqlite3_bind_text(st, 2, key->cat_txt, key->cat_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, key->month, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, delta);
        if ((rc = view__step_done(st)) != 0 || pass == 1 ||
            sqlite3_changes(store_db(s)) > 0)
            return rc;
        st = store_stmt(s, "INSERT INTO v_counts(kind, cat, month, n)"
                           " VALUES(?1, ?2, ?3, ?4)");
    }
    return 0;
}

int
view__count(struct view_ctx *c, struct store *s, int64_t k, uint32_t kind,
            int delta)
{
    struct view__ckey key;
    int rc;

    if (c->vc_nocount)
        return 0;
    if ((rc = view__count_key(c, s, k, kind, &key)) == 0)
        rc = view__count_add(s, kind, &key, delta);
    sqlite3_value_free(key.cat);
    return rc;
}

int
view__count_new(struct view_ctx *c, struct store *s, int64_t k, uint32_t kind,
                int64_t ms, int live, const msgpack_object *cat)
{
    struct view__ckey key;

    if (c->vc_nocount || !live)
        return 0;
    if (cat && cat->type != MSGPACK_OBJECT_STR &&
        cat->type != MSGPACK_OBJECT_NIL)
        return view__count(c, s, k, kind, 1); /* as SQLite stored it */
    memset(&key, 0, sizeof(key));
    key.live = 1;
    /* what the slot holds: the string, or NULL that the recount's
     * coalesce() makes '' */
    key.cat_txt =
        cat && cat->type == MSGPACK_OBJECT_STR ? cat->via.str.ptr : "";
    key.cat_len =
        cat && cat->type == MSGPACK_OBJECT_STR ? (int)cat->via.str.size : 0;
    if (!view__month(ms, key.month))
        return ILONET_EINVAL;
    return view__count_add(s, kind, &key, 1);
}

int
view__count_before(struct view_ctx *c, struct store *s, int64_t k,
                   uint32_t kind, struct view__ckey *old)
{
    memset(old, 0, sizeof(*old));
    return c->vc_nocount ? 0 : view__count_key(c, s, k, kind, old);
}

int
view__count_after(struct view_ctx *c, struct store *s, int64_t k, uint32_t kind,
                  struct view__ckey *old)
{
    struct view__ckey now;
    int rc;

    if (c->vc_nocount)
        return 0;
    if ((rc = view__count_key(c, s, k, kind, &now)) == 0 &&
        !view__count_same(old, &now) &&
        (rc = view__count_add(s, kind, old, -1)) == 0)
        rc = view__count_add(s, kind, &now, 1);
    sqlite3_value_free(now.cat);
    sqlite3_value_free(old->cat);
    old->cat = NULL;
    return rc;
}

int
view__count_range(struct view_ctx *c, struct store *s, int64_t lo, int64_t hi)
{
    int64_t(*rows)[2] = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc;

    if (c->vc_nocount)
        return 0;
    /* collected first: counting runs another cached statement */
    st = store_stmt(s, "SELECT k, kind FROM v_rec WHERE k >= ? AND k < ? AND"
                       " " VIEW__LIVE("v_rec"));
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            void *p = realloc(rows, nc * sizeof(*rows));

            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            rows = p;
            cap = nc;
        }
        rows[n][0] = sqlite3_column_int64(st, 0);
        rows[n][1] = sqlite3_column_int64(st, 1);
        n++;
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    sqlite3_reset(st);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = view__count(c, s, rows[i][0], (uint32_t)rows[i][1], -1);
out:
    sqlite3_reset(st);
    free(rows);
    return rc;
}

int
view__slot_col(const struct vocab *v, uint32_t kind, const char *col,
               char out[static 8])
{
    int slot = v ? view__kslot(vocab_kind_by_code(v, kind), col) : -1;

    if (slot < 0)
        return ILONET_ENOTFOUND;
    snprintf(out, 8, "f%d", slot);
    return 0;
}

/* A record's event days as day numbers (v_rec's ev_from, ev_to: days
 * since 1970-01-01), an open end as the last day there is (9999-12-31).
 * Integers, not the records view's date strings: the expressions are
 * computed for every record written, and date() and julianday() there
 * cost as much as the rest of the record's indexes together. */
#define VIEW__EV_FROM "ev_from"
#define VIEW__EV_TO "coalesce(ev_to, 2932896)"

int
view__event_exprs(const struct vocab *v, uint32_t kind, char *from, char *to,
                  char *lc, size_t cap)
{
    const struct vocab_kind *k = v ? vocab_kind_by_code(v, kind) : NULL;
    int n1, n2, n3;

    if (!k || !k->vk_is_record)
        return ILONET_ENOTFOUND; /* not this vocabulary's: no index */
    n1 = snprintf(from, cap, "%s", VIEW__EV_FROM);
    n2 = snprintf(to, cap, "%s", VIEW__EV_TO);
    /* the length class bounds how far before a period's start a record
     * overlapping it may begin */
    n3 = snprintf(lc, cap,
                  "CASE WHEN %s - %s <= %d THEN 0 WHEN %s - %s <= %d THEN 1"
                  " WHEN %s - %s <= %d THEN 2 ELSE 3 END",
                  VIEW__EV_TO, VIEW__EV_FROM, VIEW_EV_DAYS0, VIEW__EV_TO,
                  VIEW__EV_FROM, VIEW_EV_DAYS1, VIEW__EV_TO, VIEW__EV_FROM,
                  VIEW_EV_DAYS2);
    if (n1 < 0 || (size_t)n1 >= cap || n2 < 0 || (size_t)n2 >= cap || n3 < 0 ||
        (size_t)n3 >= cap)
        return ILONET_ETOOBIG;
    return 0;
}

/* The per-kind indexes: a record's event interval (length class, first
 * and last day, time) for the period filter, and the tasks' assignees and
 * status beside their time, each only over records in effect. A kind the
 * vocabulary lacks (or without those fields) has none: its lists scan. */
static int
view__kind_indexes(struct store *s, const struct vocab *v)
{
    char from[256], to[256], lc[1024], sql[2048], as[8];
    const struct vocab_kind *ks;
    size_t nk;
    int rc;

    ks = vocab_kinds(v, &nk);
    for (size_t i = 0; i < nk; i++) {
        uint32_t k = ks[i].vk_code;

        if (!ks[i].vk_is_record ||
            view__event_exprs(v, k, from, to, lc, sizeof(lc)) != 0)
            continue;
        /* v_rec_ev_<kind> and v_rec_day_<kind> of before: other
         * expressions (date strings) */
        snprintf(sql, sizeof(sql),
                 "DROP INDEX IF EXISTS v_rec_ev_%u;"
                 "DROP INDEX IF EXISTS v_rec_day_%u;"
                 "CREATE INDEX IF NOT EXISTS v_rec_days_%u ON v_rec((%s), (%s),"
                 " (%s), ms) WHERE kind = %u AND valid = 1 AND status ="
                 " 'active'",
                 (unsigned)k, (unsigned)k, (unsigned)k, lc, from, to,
                 (unsigned)k);
        if ((rc = view__exec_sql(s, sql)) != 0)
            return rc;
    }
    if (view__slot_col(v, KIND_TASK, "assignees", as) != 0)
        return 0;
    snprintf(sql, sizeof(sql),
             "CREATE INDEX IF NOT EXISTS v_rec_task ON v_rec(ms, %s,"
             " task_status) WHERE kind = %u AND valid = 1 AND status ="
             " 'active'",
             as, (unsigned)KIND_TASK);
    return view__exec_sql(s, sql);
}

int
view__index_attach(struct store *s, const struct vocab *v)
{
    int rc;

    if ((rc = view__exec_sql(
             s,
             "CREATE INDEX IF NOT EXISTS v_rec_time ON v_rec(kind, ms);"
             "CREATE INDEX IF NOT EXISTS v_rec_owner ON v_rec(kind, owner, ms)"
             " WHERE valid = 1 AND status = 'active';"
             "CREATE INDEX IF NOT EXISTS v_rec_log ON v_rec(kind, k >> 32, ms)"
             " WHERE valid = 1 AND status = 'active';"
             "CREATE TABLE IF NOT EXISTS v_counts(kind INTEGER NOT NULL,"
             " cat TEXT NOT NULL, month TEXT NOT NULL, n INTEGER NOT NULL,"
             " PRIMARY KEY(kind, cat, month)) WITHOUT ROWID;")) != 0)
        return rc;
    if ((rc = view__kind_indexes(s, v)) != 0)
        return rc;
    /* the counts were kept by triggers up to view version 8: their
     * numbers are the same, only the upkeep moved */
    return view__exec_sql(s, "DROP TRIGGER IF EXISTS v_counts_ins;"
                             "DROP TRIGGER IF EXISTS v_counts_del;"
                             "DROP TRIGGER IF EXISTS v_counts_upd;");
}

int
view__index_detach(struct store *s, const struct vocab *v)
{
    const struct vocab_kind *ks;
    char sql[96];
    size_t nk;
    int rc;

    if ((rc = view__exec_sql(s, "DROP INDEX IF EXISTS v_rec_time;"
                                "DROP INDEX IF EXISTS v_rec_owner;"
                                "DROP INDEX IF EXISTS v_rec_log;"
                                "DROP INDEX IF EXISTS v_rec_task;")) != 0)
        return rc;
    ks = vocab_kinds(v, &nk);
    for (size_t i = 0; i < nk; i++) {
        snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS v_rec_days_%u",
                 (unsigned)ks[i].vk_code);
        if ((rc = view__exec_sql(s, sql)) != 0)
            return rc;
    }
    return 0;
}

/* The recount of v_counts from the rows, as SQL (a SELECT of kind, cat,
 * month, n). */
static int
view__recount_sql(const struct vocab *v, char *out, size_t cap)
{
    char cat[1024];
    int n;

    if (view__cat_expr(v, "r", cat, sizeof(cat)) != 0)
        return ILONET_ETOOBIG;
    n = snprintf(out, cap,
                 "SELECT kind, %s AS cat, " VIEW__MONTH(
                     "r") " AS month,"
                          " count(*) AS n FROM v_rec r WHERE " VIEW__LIVE(
                              "r") " GROUP BY 1, 2, 3",
                 cat);
    return n < 0 || (size_t)n >= cap ? ILONET_ETOOBIG : 0;
}

int
view__counts_pause(struct view_ctx *c)
{
    /* A rebuild deletes and writes every row: counting each would cost
     * more than one recount at the end. */
    c->vc_nocount = 1;
    return 0;
}

int
view__counts_resume(struct view_ctx *c, struct store *s)
{
    char sql[8192], q[2048];
    int rc;

    if ((rc = view__recount_sql(c->vc_vocab, q, sizeof(q))) != 0)
        return rc;
    snprintf(sql, sizeof(sql),
             "DELETE FROM v_counts; INSERT INTO v_counts(kind, cat, month, n)"
             " %s;",
             q);
    if ((rc = view__exec_sql(s, sql)) != 0)
        return rc;
    c->vc_nocount = 0;
    return 0;
}

int
view_counts_check(struct store *s, int *ok)
{
    char sql[8192], q[2048];
    sqlite3_stmt *st = NULL;
    int rc;

    if (!s || !ok || !view__vocab(s))
        return ILONET_EINVAL;
    if ((rc = view__recount_sql(view__vocab(s), q, sizeof(q))) != 0)
        return rc;
    /* rows that differ either way (a count of 0 is no row) */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM (SELECT * FROM (%s) EXCEPT SELECT kind,"
             " cat, month, n FROM v_counts WHERE n <> 0 UNION ALL SELECT"
             " * FROM (SELECT kind, cat, month, n FROM v_counts WHERE n <> 0"
             " EXCEPT %s))",
             q, q);
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        rc = store_err(sqlite3_errcode(store_db(s)));
        sqlite3_finalize(st);
        return rc ? rc : ILONET_EIO;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *ok = sqlite3_column_int64(st, 0) == 0;
        rc = 0;
    } else {
        rc = store_err(rc);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- the view hash cache ------------------------------------------------ */

/* What the view is a function of, besides the rules (VIEW_VERSION): each
 * log's head (its id pins every entry before it through the chain), fork
 * and revocation cut, and the quarantined entries. Payloads only leave a
 * held entry through an erasure, itself an entry. */
static int
view__fingerprint(struct store *s, const char *audience,
                  uint8_t out[static HASH_LEN])
{
    static const char *const sql[] = {
        "SELECT lid, log_id, head_seq, head_id, frozen, revoked, audience"
        " FROM logs ORDER BY lid",
        "SELECT log_id, seq, entry_id, code, until_ms FROM quarantine ORDER"
        " BY log_id, seq",
        /* the retention step hides records without a new entry
         * (view_expire_due), and another vocabulary rebuilds the view */
        "SELECT k, v FROM meta WHERE k IN ('retention_day', 'vocab') ORDER"
        " BY k",
    };
    struct hash_state h;
    uint8_t v[8];
    int rc = 0;

    hash_init(&h, HASH_CTX_VIEW);
    for (int i = 0; i < 8; i++)
        v[i] = (uint8_t)((uint64_t)VIEW_VERSION >> (56 - 8 * i));
    hash_update(&h, v, 8);
    hash_update(&h, (const uint8_t *)(audience ? audience : ""),
                audience ? strlen(audience) + 1 : 0);
    for (size_t q = 0; q < sizeof(sql) / sizeof(sql[0]) && rc == 0; q++) {
        sqlite3_stmt *st = store_stmt(s, sql[q]);

        if (!st)
            return ILONET_EIO;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int nc = sqlite3_column_count(st);

            for (int c = 0; c < nc; c++) {
                const void *b = sqlite3_column_blob(st, c);
                uint8_t len[4];
                int n = sqlite3_column_bytes(st, c);

                len[0] = (uint8_t)sqlite3_column_type(st, c);
                len[1] = (uint8_t)(n >> 16);
                len[2] = (uint8_t)(n >> 8);
                len[3] = (uint8_t)n;
                hash_update(&h, len, 4);
                if (b && n > 0)
                    hash_update(&h, b, (size_t)n);
            }
        }
        sqlite3_reset(st);
        rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    }
    if (rc == 0)
        hash_final(&h, out);
    return rc;
}

/* The TEMP table is per connection: it needs no write lock on the store,
 * and another connection's writes show in the fingerprint. */
static int
view__cache_table(struct store *s)
{
    return view__exec_sql(s, "CREATE TEMP TABLE IF NOT EXISTS v_hash_cache("
                             "aud TEXT PRIMARY KEY, fp BLOB, h BLOB)");
}

int
view__hash_cached(struct store *s, const char *audience,
                  uint8_t fp[static HASH_LEN], uint8_t out[static HASH_LEN])
{
    sqlite3_stmt *st;
    int rc, hit = 0;

    if ((rc = view__fingerprint(s, audience, fp)) != 0 ||
        (rc = view__cache_table(s)) != 0)
        return rc;
    st = store_stmt(s, "SELECT fp, h FROM temp.v_hash_cache WHERE aud = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, audience ? audience : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == HASH_LEN &&
        sqlite3_column_bytes(st, 1) == HASH_LEN &&
        memcmp(sqlite3_column_blob(st, 0), fp, HASH_LEN) == 0) {
        memcpy(out, sqlite3_column_blob(st, 1), HASH_LEN);
        hit = 1;
    }
    sqlite3_reset(st);
    return hit ? 0 : ILONET_ENOTFOUND;
}

int
view__hash_remember(struct store *s, const char *audience,
                    const uint8_t fp[static HASH_LEN],
                    const uint8_t h[static HASH_LEN])
{
    sqlite3_stmt *st = store_stmt(s, "INSERT OR REPLACE INTO"
                                     " temp.v_hash_cache(aud, fp, h)"
                                     " VALUES(?, ?, ?)");

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, audience ? audience : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, fp, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, h, HASH_LEN, SQLITE_STATIC);
    return view__step_done(st);
}
