/* view_index.c - what keeps the view's reads fast at scale: indexes, maintained
 * counts, the view hash cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 *   record kind over the event days (v_rec_day_<kind>); the state filter has
 * its own (kind, owner, ms) and the audience filter (kind, log, ms), both only
 *   over records in effect, so a rare state or audience is one index range.
 *   Their keys grow with time, so ingest appends to them.
 * - v_counts: the number of records in effect per kind, observation
 *   category and month written, kept by triggers on v_rec in the same
 *   transaction as the rows (so it can never be seen out of step), and
 *   recounted from scratch after a rebuild. view_counts_check() compares it
 *   with a recount.
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

/* The three triggers that keep v_counts, into out. An update moves a
 * record between counts only when it enters or leaves effect, or an
 * amendment changes its category. */
static const char view__trig_fmt[] =
    "CREATE TRIGGER IF NOT EXISTS v_counts_ins AFTER INSERT ON v_rec WHEN"
    " NEW.valid = 1 AND NEW.status = 'active' BEGIN INSERT INTO"
    " v_counts(kind, cat, month, n) VALUES(NEW.kind, %s,"
    " strftime('%%Y-%%m', NEW.ms / 1000, 'unixepoch'), 1) ON CONFLICT(kind,"
    " cat, month) DO UPDATE SET n = n + 1; END;"
    "CREATE TRIGGER IF NOT EXISTS v_counts_del AFTER DELETE ON v_rec WHEN"
    " OLD.valid = 1 AND OLD.status = 'active' BEGIN UPDATE v_counts SET"
    " n = n - 1 WHERE kind = OLD.kind AND cat = %s AND month ="
    " strftime('%%Y-%%m', OLD.ms / 1000, 'unixepoch'); END;"
    "CREATE TRIGGER IF NOT EXISTS v_counts_upd AFTER UPDATE ON v_rec WHEN"
    " (OLD.valid = 1 AND OLD.status = 'active') IS NOT (NEW.valid = 1 AND"
    " NEW.status = 'active') OR (NEW.valid = 1 AND NEW.status = 'active'"
    " AND %s IS NOT %s) BEGIN UPDATE v_counts SET n = n - 1 WHERE"
    " OLD.valid = 1 AND OLD.status = 'active' AND kind = OLD.kind AND cat ="
    " %s AND month = strftime('%%Y-%%m', OLD.ms / 1000, 'unixepoch');"
    " INSERT INTO v_counts(kind, cat, month, n) SELECT NEW.kind, %s,"
    " strftime('%%Y-%%m', NEW.ms / 1000, 'unixepoch'), 1 WHERE NEW.valid ="
    " 1 AND NEW.status = 'active' ON CONFLICT(kind, cat, month) DO UPDATE"
    " SET n = n + 1; END;";

static int
view__counts_triggers(const struct vocab *v, char *out, size_t cap)
{
    char co[1024], cn[1024];
    int n;

    if (view__cat_expr(v, "OLD", co, sizeof(co)) != 0 ||
        view__cat_expr(v, "NEW", cn, sizeof(cn)) != 0)
        return ILONET_ETOOBIG;
    n = snprintf(out, cap, view__trig_fmt, cn, co, cn, co, co, cn);
    return n < 0 || (size_t)n >= cap ? ILONET_ETOOBIG : 0;
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

/* A record's event days as the records view shows them (event_from,
 * event_to: docs/VIEW.md "Event time"), with an open end as the last
 * day there is: the period filter's own terms (view_read.c), over v_rec's
 * day numbers ev_from, ev_to. */
#define VIEW__EV_FROM "date(ev_from * 86400, 'unixepoch')"
#define VIEW__EV_TO "coalesce(date(ev_to * 86400, 'unixepoch'), '9999-12-31')"

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
                  "CASE WHEN julianday(%s) - julianday(%s) <= %d THEN 0"
                  " WHEN julianday(%s) - julianday(%s) <= %d THEN 1 WHEN"
                  " julianday(%s) - julianday(%s) <= %d THEN 2 ELSE 3"
                  " END",
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
        /* v_rec_ev_<kind> of before the event days: another expression */
        snprintf(sql, sizeof(sql),
                 "DROP INDEX IF EXISTS v_rec_ev_%u;"
                 "CREATE INDEX IF NOT EXISTS v_rec_day_%u ON v_rec((%s), (%s),"
                 " (%s), ms) WHERE kind = %u AND valid = 1 AND status ="
                 " 'active'",
                 (unsigned)k, (unsigned)k, lc, from, to, (unsigned)k);
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
    char sql[8192];
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
    if ((rc = view__kind_indexes(s, v)) != 0 ||
        (rc = view__counts_triggers(v, sql, sizeof(sql))) != 0)
        return rc;
    return view__exec_sql(s, sql);
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
view__counts_pause(struct store *s)
{
    /* A rebuild deletes and writes every row: counting each through the
     * triggers (and losing SQLite's fast delete of a whole table to
     * them) would cost more than one recount at the end. If the triggers
     * cannot be dropped here they stay, and the recount is the same. */
    view__exec_sql(s, "DROP TRIGGER IF EXISTS v_counts_ins;"
                      "DROP TRIGGER IF EXISTS v_counts_del;"
                      "DROP TRIGGER IF EXISTS v_counts_upd;");
    return 0;
}

int
view__counts_resume(struct store *s, const struct vocab *v)
{
    char sql[8192], q[2048];
    int rc;

    if ((rc = view__recount_sql(v, q, sizeof(q))) != 0)
        return rc;
    snprintf(sql, sizeof(sql),
             "DELETE FROM v_counts; INSERT INTO v_counts(kind, cat, month, n)"
             " %s;",
             q);
    if ((rc = view__exec_sql(s, sql)) != 0 ||
        (rc = view__counts_triggers(v, sql, sizeof(sql))) != 0)
        return rc;
    return view__exec_sql(s, sql);
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
