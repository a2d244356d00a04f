/* view_index.c - what keeps the view's reads fast at scale: indexes, maintained
 * counts, the view hash cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
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
 *   gives their first page without a sort; the period filter has one over
 *   the kind and event days (v_rec_days); the state filter has its own
 *   (kind, owner, ms) and the audience filter (kind, log, ms), all three
 *   only over records in effect, so a rare state or audience is one index
 *   range. (Reading a rare audience from its logs' ranges of k instead
 *   saves 13 % of the import's CPU but costs the list 52 ms instead of 7
 *   at a million records: docs/BENCHMARKS.md.)
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

/* 9999-12-31T23:59:59.999Z: the last millisecond with a four-digit year */
#define VIEW__MS_MAX INT64_C(253402300799999)

/* "YYYY-MM" of the UTC day ms (milliseconds since 1970) falls on, into
 * out; 0 when it has no such form. */
static int
view__month(int64_t ms, char out[static 16])
{
    char day[11];

    /* from the day number, not gmtime_r() and snprintf(): this runs for
     * every row written, and gmtime_r() takes glibc's time zone lock */
    if (ms < 0 || ms > VIEW__MS_MAX)
        return 0;
    vocab_day_text(ms / 86400000, day);
    memcpy(out, day, 7);
    out[7] = '\0';
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

/* Adds delta to the row of v_counts of p's key. An UPDATE first: the row
 * is there for all but the first record of a kind, category and month,
 * and a plain update of one row costs less than an upsert. */
static int
view__count_write(struct store *s, const struct view__cpend *p)
{
    sqlite3_stmt *st;
    int rc;

    st = store_stmt(s, "UPDATE v_counts SET n = n + ?4 WHERE kind = ?1 AND"
                       " cat = ?2 AND month = ?3");
    for (int pass = 0; pass < 2; pass++) {
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_int(st, 1, (int)p->cp_kind);
        switch (p->cp_type) {
        case SQLITE_INTEGER: sqlite3_bind_int64(st, 2, p->cp_int); break;
        case SQLITE_FLOAT: sqlite3_bind_double(st, 2, p->cp_float); break;
        case SQLITE_BLOB:
            sqlite3_bind_blob(st, 2, p->cp_bytes, p->cp_len, SQLITE_STATIC);
            break;
        default:
            sqlite3_bind_text(st, 2, p->cp_len ? p->cp_bytes : "", p->cp_len,
                              SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 3, p->cp_month, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, p->cp_delta);
        if ((rc = view__step_done(st)) != 0 || pass == 1 ||
            sqlite3_changes(store_db(s)) > 0)
            return rc;
        st = store_stmt(s, "INSERT INTO v_counts(kind, cat, month, n)"
                           " VALUES(?1, ?2, ?3, ?4)");
    }
    return 0;
}

/* key's row as a pending change of delta (the bytes not yet copied). */
static void
view__cpend_of(uint32_t kind, const struct view__ckey *key, int64_t delta,
               struct view__cpend *p)
{
    const void *b = NULL;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    memset(p, 0, sizeof(*p));
    p->cp_kind = kind;
    p->cp_delta = delta;
    memcpy(p->cp_month, key->month, sizeof(p->cp_month) - 1);
    p->cp_type = key->cat ? sqlite3_value_type(key->cat) : SQLITE_TEXT;
    switch (p->cp_type) {
    case SQLITE_INTEGER: p->cp_int = sqlite3_value_int64(key->cat); break;
    case SQLITE_FLOAT: p->cp_float = sqlite3_value_double(key->cat); break;
    case SQLITE_BLOB:
        b = sqlite3_value_blob(key->cat);
        p->cp_len = sqlite3_value_bytes(key->cat);
        break;
    default: /* text; NULL does not occur (coalesce) and counts as '' */
        p->cp_type = SQLITE_TEXT;
        b = key->cat ? (const void *)sqlite3_value_text(key->cat)
                     : key->cat_txt;
        p->cp_len = key->cat ? sqlite3_value_bytes(key->cat) : key->cat_len;
        if (!b)
            p->cp_len = 0;
    }
    p->cp_bytes = (char *)b; /* borrowed until view__cpend_add copies */
    h = (h ^ kind) * 1099511628211ULL;
    h = (h ^ (uint64_t)p->cp_type) * 1099511628211ULL;
    h = (h ^ (uint64_t)p->cp_int) * 1099511628211ULL;
    for (int i = 0; i < p->cp_len; i++)
        h = (h ^ (unsigned char)p->cp_bytes[i]) * 1099511628211ULL;
    for (int i = 0; p->cp_month[i]; i++)
        h = (h ^ (unsigned char)p->cp_month[i]) * 1099511628211ULL;
    p->cp_hash = h ? h : 1;
}

static int
view__cpend_same(const struct view__cpend *a, const struct view__cpend *b)
{
    return a->cp_hash == b->cp_hash && a->cp_kind == b->cp_kind &&
           a->cp_type == b->cp_type && a->cp_int == b->cp_int &&
           a->cp_float == b->cp_float && a->cp_len == b->cp_len &&
           (a->cp_len == 0 ||
            memcmp(a->cp_bytes, b->cp_bytes, (size_t)a->cp_len) == 0) &&
           strcmp(a->cp_month, b->cp_month) == 0;
}

/* The slot of p's key in a table of cap slots (a power of two): its own
 * or the free one where it goes. */
static struct view__cpend *
view__cpend_slot(struct view__cpend *t, size_t cap, const struct view__cpend *p)
{
    size_t i = (size_t)p->cp_hash & (cap - 1);

    while (t[i].cp_hash && !view__cpend_same(&t[i], p))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int
view__cpend_add(struct view_ctx *o, const struct view__cpend *p)
{
    struct view__cpend *slot;

    if (2 * (o->vc_npend + 1) > o->vc_pcap) {
        size_t nc = o->vc_pcap ? 2 * o->vc_pcap : 64;
        struct view__cpend *t = calloc(nc, sizeof(*t));

        if (!t)
            return ILONET_ENOMEM;
        for (size_t i = 0; i < o->vc_pcap; i++)
            if (o->vc_pend[i].cp_hash)
                *view__cpend_slot(t, nc, &o->vc_pend[i]) = o->vc_pend[i];
        free(o->vc_pend);
        o->vc_pend = t;
        o->vc_pcap = nc;
    }
    slot = view__cpend_slot(o->vc_pend, o->vc_pcap, p);
    if (slot->cp_hash) {
        slot->cp_delta += p->cp_delta;
        return 0;
    }
    *slot = *p;
    if (p->cp_len) {
        if (!(slot->cp_bytes = malloc((size_t)p->cp_len))) {
            memset(slot, 0, sizeof(*slot));
            return ILONET_ENOMEM;
        }
        memcpy(slot->cp_bytes, p->cp_bytes, (size_t)p->cp_len);
    } else {
        slot->cp_bytes = NULL;
    }
    o->vc_npend++;
    return 0;
}

void
view__counts_drop(struct view_ctx *c)
{
    for (size_t i = 0; i < c->vc_pcap && c->vc_npend; i++)
        if (c->vc_pend[i].cp_hash) {
            free(c->vc_pend[i].cp_bytes);
            memset(&c->vc_pend[i], 0, sizeof(c->vc_pend[i]));
            c->vc_npend--;
        }
    c->vc_npend = 0;
}

static int
view__counts_write_all(struct view_ctx *c, struct store *s)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < c->vc_pcap; i++)
        if (c->vc_pend[i].cp_hash && c->vc_pend[i].cp_delta != 0)
            rc = view__count_write(s, &c->vc_pend[i]);
    /* written, or the transaction fails and is rolled back */
    view__counts_drop(c);
    return rc;
}

/* The number of record rows held into *held. */
static int
view__held(struct store *s, int64_t *held)
{
    sqlite3_stmt *st;
    int rc;

    if (!(st = store_stmt(s, "SELECT count(*) FROM v_rec")))
        return ILONET_EIO;
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return store_err(rc);
    }
    *held = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int
view_indexes_defer(struct store *s, int *deferred)
{
    int64_t held = 0;
    int rc;

    *deferred = 0;
    if (!view__attached(s) || store_in_txn(s))
        return ILONET_EINVAL;
    if ((rc = store_begin(s)) != 0)
        return rc;
    if ((rc = view__held(s, &held)) == 0 && held == 0)
        rc = view__index_detach(s);
    if (rc != 0) {
        store_rollback(s);
        return rc;
    }
    if ((rc = store_commit(s)) == 0)
        *deferred = held == 0;
    return rc;
}

int
view__temp_file(struct store *s)
{
    struct view_ctx *c = view__attached(s);
    sqlite3_stmt *st;
    int temp = 0;

    /* not inside a transaction (SQLite refuses), nor while a report holds
     * its TEMP tables, which the switch would delete */
    if (store_in_txn(s) || sqlite3_get_autocommit(store_db(s)) == 0 ||
        (c && c->vc_rep_n > 0))
        return 0;
    if ((st = store_stmt(s, "PRAGMA temp_store")) != NULL) {
        if (sqlite3_step(st) == SQLITE_ROW)
            temp = sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    if (temp != 2 || view__exec_sql(s, "PRAGMA temp_store=FILE") != 0)
        return 0;
    return 1;
}

void
view__temp_restore(struct store *s, int switched)
{
    if (switched)
        (void)view__exec_sql(s, "PRAGMA temp_store=MEMORY");
}

int
view_indexes_restore(struct store *s)
{
    struct view_ctx *c = view__attached(s);
    int rc, temp;

    if (!c || store_in_txn(s))
        return ILONET_EINVAL;
    /* CREATE INDEX sorts every row: in temp files, bounded */
    temp = view__temp_file(s);
    if ((rc = store_begin(s)) == 0) {
        if ((rc = view__index_attach(s, c->vc_vocab)) != 0)
            store_rollback(s);
        else
            rc = store_commit(s);
    }
    view__temp_restore(s, temp);
    return rc;
}

/* A bulk load of n entries begins: when n is at least the number of
 * records held, the list indexes go until it ends. Keeping the five costs
 * each record written about a third of its write (an insert at its place
 * in each); building one after costs a sort of every row, new and held,
 * about half as much per row as keeping it (docs/BENCHMARKS.md, "The
 * third mend"). */
static int
view__bulk_begin(struct view_ctx *c, struct store *s)
{
    int64_t held;
    int rc;

    if (c->vc_noindex)
        return 0;
    if ((rc = view__held(s, &held)) != 0)
        return rc;
    if ((uint64_t)held > store_bulk_size(s))
        return 0;
    if ((rc = view__index_detach(s)) != 0)
        return rc;
    c->vc_noindex = 1;
    return 0;
}

int
view__txn(void *arg, struct store *s, enum store_txn_event ev)
{
    struct view_ctx *c = arg;
    int rc;

    switch (ev) {
    case STORE_TXN_DROP:
        view__counts_drop(c);
        /* the rollback undid the DROP INDEX with the bulk load */
        if (c->vc_noindex && !store_bulk_size(s))
            c->vc_noindex = 0;
        return 0;
    case STORE_TXN_BULK_BEGIN: return view__bulk_begin(c, s);
    case STORE_TXN_BULK_END:
        if (!c->vc_noindex)
            return 0;
        if ((rc = view__index_attach(s, c->vc_vocab)) != 0)
            return rc; /* the caller rolls back: they come back with it */
        c->vc_noindex = 0;
        return 0;
    case STORE_TXN_FLUSH: break;
    }
    return c->vc_npend ? view__counts_write_all(c, s) : 0;
}

int
view__counts_flush(struct store *s)
{
    struct view_ctx *o = view__attached(s);

    return o && o->vc_npend ? view__counts_write_all(o, s) : 0;
}

/* Adds delta to key's row of v_counts: kept on the attached context until
 * the transaction's next boundary, or written at once without one. */
static int
view__count_add(struct store *s, uint32_t kind, const struct view__ckey *key,
                int delta)
{
    struct view_ctx *o;
    struct view__cpend p;

    if (!key->live)
        return 0;
    view__cpend_of(kind, key, delta, &p);
    if ((o = view__attached(s)) != NULL)
        return view__cpend_add(o, &p);
    return view__count_write(s, &p);
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

int
view__days_cand(struct textbuf *sql, const struct vocab *v, uint32_t kind,
                const char *what, const char *where, const char *first,
                const char *last)
{
    static const int days[3] = {VIEW_EV_DAYS0, VIEW_EV_DAYS1, VIEW_EV_DAYS2};
    char from[256], to[256], lc[1024];
    int rc;

    if ((rc = view__event_exprs(v, kind, from, to, lc, sizeof(lc))) != 0)
        return rc;
    for (int c = 0; c < 4; c++) {
        textbuf_printf(sql,
                       "%sSELECT %s FROM v_rec INDEXED BY v_rec_days WHERE %s"
                       " AND (%s) = %d AND (%s) <= %s AND (%s) >= %s",
                       c ? " UNION ALL " : "", what, where, lc, c, from, last,
                       to, first);
        /* a record of this class overlapping the days began at most its
         * class's length before the first of them */
        if (c < 3)
            textbuf_printf(sql, " AND (%s) >= %s - %d", from, first, days[c]);
    }
    return 0;
}

/* The period filter's index: a record's kind, event interval (length
 * class, first and last day) and time, over records in effect. One index
 * for every kind, not one per kind: each partial index costs every write
 * of a v_rec row the test of its WHERE, and a rebuild a scan of the whole
 * table to build it. The tasks' assignees and status sit beside their
 * time in one more, and the tasks still to do in My desk's order in a
 * last; a vocabulary without them has neither. */
static int
view__kind_indexes(struct store *s, const struct vocab *v)
{
    char from[256], to[256], lc[1024], sql[2048], as[8], due[8];
    const struct vocab_kind *ks;
    size_t nk;
    int rc;

    ks = vocab_kinds(v, &nk);
    for (size_t i = 0; i < nk; i++) {
        /* the per-kind indexes of earlier builds: v_rec_ev_<kind>,
         * v_rec_day_<kind>, v_rec_days_<kind> */
        snprintf(sql, sizeof(sql),
                 "DROP INDEX IF EXISTS v_rec_ev_%u;"
                 "DROP INDEX IF EXISTS v_rec_day_%u;"
                 "DROP INDEX IF EXISTS v_rec_days_%u;",
                 (unsigned)ks[i].vk_code, (unsigned)ks[i].vk_code,
                 (unsigned)ks[i].vk_code);
        if ((rc = view__exec_sql(s, sql)) != 0)
            return rc;
    }
    /* the expressions are the same for every record kind */
    if (view__event_exprs(v, KIND_OBSERVATION, from, to, lc, sizeof(lc)) == 0) {
        snprintf(sql, sizeof(sql),
                 "CREATE INDEX IF NOT EXISTS v_rec_days ON v_rec(kind, (%s),"
                 " (%s), (%s), ms) WHERE valid = 1 AND status = 'active'",
                 lc, from, to);
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
    if ((rc = view__exec_sql(s, sql)) != 0 ||
        view__slot_col(v, KIND_TASK, "due", due) != 0)
        return rc;
    /* My desk's: only the tasks still to do, in the desk's order, with
     * whom they are for and who created them, so that the desk reads no
     * row but those it shows (view_desk_tasks()) */
    snprintf(sql, sizeof(sql),
             "CREATE INDEX IF NOT EXISTS v_rec_desk ON v_rec(%s IS NULL, %s,"
             " ms, %s, owner) WHERE kind = %u AND valid = 1 AND status ="
             " 'active' AND task_status IN ('open', 'accept', 'start')",
             due, due, as, (unsigned)KIND_TASK);
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

/* The list indexes go for a bulk load; My desk's (v_rec_desk) stays: it
 * holds only the tasks still to do, a few in a hundred records, so keeping
 * it costs a bulk load less than building it after, which reads every row
 * of the table. */
int
view__index_detach(struct store *s)
{
    return view__exec_sql(s, "DROP INDEX IF EXISTS v_rec_time;"
                             "DROP INDEX IF EXISTS v_rec_owner;"
                             "DROP INDEX IF EXISTS v_rec_log;"
                             "DROP INDEX IF EXISTS v_rec_days;"
                             "DROP INDEX IF EXISTS v_rec_task;");
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
    if ((rc = view__counts_flush(s)) != 0 ||
        (rc = view__recount_sql(view__vocab(s), q, sizeof(q))) != 0)
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

int
view_fingerprint(struct store *s, const char *audience,
                 uint8_t out[static HASH_LEN])
{
    if (!s || !out)
        return ILONET_EINVAL;
    return view__fingerprint(s, audience, out);
}

/* The TEMP table is per connection: it needs no write lock on the store,
 * and another connection's writes show in the fingerprint. */
static int
view__cache_table(struct store *s)
{
    return view__exec_sql(s, "CREATE TEMP TABLE IF NOT EXISTS v_hash_cache("
                             "aud TEXT PRIMARY KEY, fp BLOB, h BLOB)");
}

/* A shared hash (view_hash_share()) sits in meta under "view_hash:" and
 * the audience ("*": everything), as the view version (4 bytes, big
 * endian), the fingerprint and the hash: a build with other rules (another
 * VIEW_VERSION) never takes one of an older build's. */
#define VIEW__SHARED_LEN (4 + 2 * HASH_LEN)
/* how long a share waits for the write lock before giving up */
#define VIEW__SHARE_WAIT_MS 250

/* the key of an audience's shared hash: its whole name, as audiences
 * that differ only past some length must not share one */
#define VIEW__SHARED_KEY_MAX (sizeof("view_hash:") + ENTRY_AUDIENCE_MAX)

static void
view__shared_key(const char *audience, char key[static VIEW__SHARED_KEY_MAX])
{
    snprintf(key, VIEW__SHARED_KEY_MAX, "view_hash:%s",
             audience ? audience : "*");
}

/* 1 if the store holds a shared hash of audience at fingerprint fp (its
 * hash into out), 0 if not (or on any error: the caller computes). */
static int
view__hash_shared(struct store *s, const char *audience,
                  const uint8_t fp[static HASH_LEN],
                  uint8_t out[static HASH_LEN])
{
    uint8_t *v = NULL;
    size_t n = 0;
    char key[VIEW__SHARED_KEY_MAX];
    int hit;

    view__shared_key(audience, key);
    if (store_meta_get(s, key, &v, &n) != 0)
        return 0;
    hit = n == VIEW__SHARED_LEN &&
          ((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 |
           v[3]) == VIEW_VERSION &&
          memcmp(v + 4, fp, HASH_LEN) == 0;
    if (hit)
        memcpy(out, v + 4 + HASH_LEN, HASH_LEN);
    free(v);
    return hit;
}

int
view_hash_share(struct store *s, const char *audience,
                const uint8_t fp[static HASH_LEN],
                const uint8_t hash[static HASH_LEN])
{
    uint8_t v[VIEW__SHARED_LEN];
    char key[VIEW__SHARED_KEY_MAX];
    int rc;

    if (!s || !fp || !hash || store_in_txn(s))
        return ILONET_EINVAL;
    v[0] = (uint8_t)(VIEW_VERSION >> 24);
    v[1] = (uint8_t)(VIEW_VERSION >> 16);
    v[2] = (uint8_t)(VIEW_VERSION >> 8);
    v[3] = (uint8_t)VIEW_VERSION;
    memcpy(v + 4, fp, HASH_LEN);
    memcpy(v + 4 + HASH_LEN, hash, HASH_LEN);
    view__shared_key(audience, key);
    /* not held up by a long write (a first sync's bulk transaction) */
    if ((rc = store_begin_try(s, VIEW__SHARE_WAIT_MS)) != 0)
        return rc;
    if ((rc = store_meta_set(s, key, v, sizeof(v))) != 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s);
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
    if (!hit)
        hit = view__hash_shared(s, audience, fp, out);
    return hit ? 0 : ILONET_ENOTFOUND;
}

int
view__hash_remember(struct store *s, const char *audience,
                    const uint8_t fp[static HASH_LEN],
                    const uint8_t h[static HASH_LEN])
{
    sqlite3_stmt *st;
    int rc;

    /* the computation may have switched temp_store, which empties TEMP */
    if ((rc = view__cache_table(s)) != 0)
        return rc;
    if (!(st = store_stmt(s, "INSERT OR REPLACE INTO"
                             " temp.v_hash_cache(aud, fp, h)"
                             " VALUES(?, ?, ?)")))
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, audience ? audience : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, fp, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, h, HASH_LEN, SQLITE_STATIC);
    return view__step_done(st);
}
