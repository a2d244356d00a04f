/* view_search.c - the view's full-text index (FTS5): upkeep and query
 * parsing (running a search: view_search_query.c). */
#include "view_search.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
#include "view_int.h"

/*
 * Layout. v_search is a plain FTS5 table (it keeps its own copy of the
 * text: snippet() needs it, and deleting a row needs no old values), rowid
 * = v_rec.k.
 *
 * Upkeep is lazy, so that ingest pays only for a note. SQLite's update
 * hook tells this connection each record row written (a C call, where a
 * trigger on v_rec would run a sub-program with its own cursor for every
 * row: ~40 % more instructions per stored entry than the view without an
 * index, measured); the store's commit hook writes those positions into
 * v_search_dirty just before COMMIT, in the transaction that wrote the
 * rows, so a crash loses no note. view_search_fold() folds noted records
 * into the index later, in batches: before every search (so a search sees
 * every record); a caller may fold ahead of time (view_search_fold()).
 *
 * Erasure does not wait: a record erased (view__search_erased()) or taken
 * out of the view (a fork; the update hook) is noted in v_search_purge,
 * and the same commit hook takes its row out of the index and merges the
 * index before that transaction commits (view__search_purge), so its words
 * leave every table of the index with the erasure itself.
 *
 * Bump VIEW__SEARCH_VERSION when the layout, the triggers or the indexed
 * text change: the index is then emptied and every record noted on the
 * next attach.
 */
#define VIEW__SEARCH_VERSION 2
/* Records folded per transaction before a search: the write lock is let
 * go between batches, so a node syncing beside a searching HTTP process
 * waits at most one batch. */
#define VIEW__SEARCH_FOLD_BATCH 20000
/* Notes written per statement at commit (VIEW__SEARCH_VALUES). */
#define VIEW__SEARCH_NOTE_BATCH 32

static const char view__search_fts[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS v_search USING "
    "fts5" VIEW__SEARCH_FTS_ARGS;

/* Every trigger this layout or an older one created (dropped before the
 * current ones are created). */
static const char view__search_drop_triggers[] =
    "DROP TRIGGER IF EXISTS v_search_ins;"
    "DROP TRIGGER IF EXISTS v_search_upd;"
    "DROP TRIGGER IF EXISTS v_search_era;"
    "DROP TRIGGER IF EXISTS v_search_del;";

static const char view__search_schema[] =
    "CREATE TABLE IF NOT EXISTS v_search_dirty(k INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS v_search_purge(k INTEGER PRIMARY KEY);"
    /* erased records are noted by view__search_erased(); up to view
     * version 8 a trigger did it, which made every update of a v_rec
     * row a multi-row statement with a statement journal */
    "DROP TRIGGER IF EXISTS v_search_era;";

int
view__search_erased(struct store *s, int64_t k)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT OR IGNORE INTO"
                                     " v_search_purge(k) VALUES(?)");

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    return view__step_done(st);
}

/* ---- notes of the open transaction ----------------------------------------
 */

/* A list of positions k. */
struct view__klist {
    int64_t *kl_k;
    size_t kl_n, kl_cap;
};

/*
 * What the update hook saw since the last commit on one connection:
 * records inserted or updated (to fold in), records deleted (to purge).
 * One per connection the view is attached to, owned by the connection (the
 * destructor of a SQL function frees it when the connection closes, as
 * for the view's context). A rolled-back write leaves its note: a note of
 * a record that did not change only costs a fold of it.
 */
struct view__search_notes {
    struct view__klist sn_dirty, sn_gone;
    int sn_lost; /* a note could not be kept (no memory) */
};

static void
view__klist_add(struct view__klist *l, int64_t k, int *lost)
{
    if (l->kl_n && l->kl_k[l->kl_n - 1] == k)
        return; /* the same row again (an insert, then its update) */
    if (l->kl_n == l->kl_cap) {
        size_t cap = l->kl_cap ? 2 * l->kl_cap : 1024;
        int64_t *p = realloc(l->kl_k, cap * sizeof(*p));
        if (!p) {
            *lost = 1;
            return;
        }
        l->kl_k = p;
        l->kl_cap = cap;
    }
    l->kl_k[l->kl_n++] = k;
}

/* Empties l; a list grown by a big import gives its memory back. */
static void
view__klist_clear(struct view__klist *l)
{
    l->kl_n = 0;
    if (l->kl_cap > 65536) {
        free(l->kl_k);
        l->kl_k = NULL;
        l->kl_cap = 0;
    }
}

static void
view__search_notes_free(void *p)
{
    struct view__search_notes *n = p;

    if (n) {
        free(n->sn_dirty.kl_k);
        free(n->sn_gone.kl_k);
        free(n);
    }
}

/* SQLite's update hook: runs for every row written on the connection, so
 * it does no more than compare a name and append. It must not touch the
 * database. */
static void
view__search_noted(void *arg, int op, const char *db, const char *tab,
                   sqlite3_int64 k)
{
    struct view__search_notes *n = arg;

    if (tab[0] != 'v' || strcmp(tab, "v_rec") != 0 || strcmp(db, "main") != 0)
        return;
    view__klist_add(op == SQLITE_DELETE ? &n->sn_gone : &n->sn_dirty, k,
                    &n->sn_lost);
}

static int
view__k_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* "INSERT OR IGNORE INTO <table>(k) VALUES(?),(?),..." of
 * VIEW__SEARCH_NOTE_BATCH rows. */
#define VIEW__V4 "(?),(?),(?),(?),"
#define VIEW__V32 VIEW__V4 VIEW__V4 VIEW__V4 VIEW__V4 VIEW__V4 VIEW__V4 VIEW__V4
#define VIEW__SEARCH_VALUES VIEW__V32 "(?),(?),(?),(?)"
static const char *const view__search_note_sql[2][2] = {
    {"INSERT OR IGNORE INTO v_search_dirty(k) VALUES(?)",
     "INSERT OR IGNORE INTO v_search_dirty(k) VALUES " VIEW__SEARCH_VALUES},
    {"INSERT OR IGNORE INTO v_search_purge(k) VALUES(?)",
     "INSERT OR IGNORE INTO v_search_purge(k) VALUES " VIEW__SEARCH_VALUES},
};

/* Writes list l (sorted here) into v_search_dirty (purge 0) or
 * v_search_purge (purge 1). */
static int
view__klist_write(struct store *s, struct view__klist *l, int purge)
{
    size_t i = 0;
    int rc;

    if (l->kl_n == 0)
        return 0; /* and kl_k may be NULL, which qsort may not take */
    qsort(l->kl_k, l->kl_n, sizeof(l->kl_k[0]), view__k_cmp);
    while (i < l->kl_n) {
        int many = l->kl_n - i >= VIEW__SEARCH_NOTE_BATCH;
        size_t m = many ? VIEW__SEARCH_NOTE_BATCH : 1;
        sqlite3_stmt *st = store_stmt(s, view__search_note_sql[purge][many]);

        if (!st)
            return ILONET_EIO;
        for (size_t j = 0; j < m; j++)
            sqlite3_bind_int64(st, (int)j + 1, l->kl_k[i + j]);
        if ((rc = view__step_done(st)) != 0)
            return rc;
        i += m;
    }
    return 0;
}

/* The headline field of each kind, in this order of preference (as
 * view_recent() names a record). */
static const char *const view__search_heads[] = {
    "summary", "title", "topics",   "counterpart",
    "carrier", "post",  "semester", NULL,
};

/* A field whose words are worth finding: free text and lists of names
 * (codes such as categories have filters of their own). */
static int
view__search_texty(enum vocab_type t)
{
    return t == VT_STR || t == VT_LIST;
}

/* The index of the headline field of record kind k, or -1. */
static int
view__search_head(const struct vocab_kind *k)
{
    for (size_t h = 0; view__search_heads[h]; h++)
        for (size_t i = 0; i < k->vk_nfields; i++)
            if (strcmp(k->vk_fields[i].vf_name, view__search_heads[h]) == 0 &&
                view__slot(k, i) >= 0)
                return (int)i;
    return -1;
}

/*
 * "INSERT INTO v_search(rowid, head, body) SELECT k, <head>, <body> FROM
 * v_rec WHERE valid = 1 AND status = 'active' AND <where>": the text of
 * each record kind from the slots its schema keeps its fields in
 * (view__slot()), read from v_rec itself (no join).
 */
static int
view__search_insert_sql(const struct vocab *v, struct textbuf *b,
                        const char *where)
{
    const struct vocab_kind *ks;
    size_t nk;

    if (!v)
        return ILONET_EINVAL;
    ks = vocab_kinds(v, &nk);
    textbuf_puts(b, "INSERT INTO v_search(rowid, head, body) SELECT k,"
                    " CASE kind");
    for (size_t j = 0; j < nk; j++) {
        const struct vocab_kind *k = &ks[j];
        int head;

        if (!k->vk_is_record || (head = view__search_head(k)) < 0)
            continue;
        textbuf_printf(b, " WHEN %u THEN f%d", (unsigned)k->vk_code,
                       view__slot(k, (size_t)head));
    }
    textbuf_puts(b, " END, CASE kind");
    for (size_t j = 0; j < nk; j++) {
        const struct vocab_kind *k = &ks[j];
        int head, any = 0;

        if (!k->vk_is_record)
            continue;
        head = view__search_head(k);
        for (size_t i = 0; i < k->vk_nfields; i++) {
            const struct vocab_field *f = &k->vk_fields[i];

            if (!view__search_texty(f->vf_type) || (int)i == head ||
                view__slot(k, i) < 0)
                continue;
            /* one line per field given: no empty lines in snippets */
            if (!any++)
                textbuf_printf(b, " WHEN %u THEN ltrim(", (unsigned)k->vk_code);
            else
                textbuf_puts(b, " || ");
            textbuf_printf(b, "coalesce(char(10) || f%d, '')",
                           view__slot(k, i));
        }
        if (any)
            textbuf_puts(b, ", char(10))");
    }
    textbuf_printf(b,
                   " END FROM v_rec WHERE valid = 1 AND status ="
                   " 'active' AND %s",
                   where);
    return b->tb_err ? ILONET_ENOMEM : 0;
}

static int
view__search_exec(struct store *s, const char *sql)
{
    return store_err(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL));
}

/* Steps a cached statement that returns at most one integer; *found 1
 * with it in *val (val may be NULL), or 0 for no row. */
static int
view__search_one(struct store *s, const char *sql, int *found, int64_t *val)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW && val)
        *val = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
view__search_reset(struct store *s)
{
    int rc;

    /* Dropping the table drops every segment with it: nothing of a
     * record erased earlier can stay, so nothing is left to purge. */
    if ((rc = view__search_exec(s, "DELETE FROM v_search_purge;"
                                   "DROP TABLE IF EXISTS v_search")) != 0 ||
        (rc = view__search_exec(s, view__search_fts)) != 0)
        return rc;
    return view__search_exec(s, "INSERT OR IGNORE INTO v_search_dirty(k)"
                                " SELECT k FROM v_rec WHERE valid = 1 AND"
                                " status = 'active'");
}

int
view__search_attach(struct store *s, int rebuilt)
{
    uint64_t ver = 0;
    int rc, fresh;

    rc = store_meta_get_u64(s, "search_version", &ver);
    if (rc != 0 && rc != ILONET_ENOTFOUND)
        return rc;
    fresh = rebuilt || rc == ILONET_ENOTFOUND || ver != VIEW__SEARCH_VERSION;
    if ((fresh &&
         (rc = view__search_exec(s, view__search_drop_triggers)) != 0) ||
        (rc = view__search_exec(s, view__search_schema)) != 0 ||
        (rc = view__search_exec(s, view__search_fts)) != 0)
        return rc;
    if (!fresh)
        return 0;
    if ((rc = store_meta_set_u64(s, "search_version", VIEW__SEARCH_VERSION)) !=
        0)
        return rc;
    /* a view rebuild resets the index when it ends; otherwise now: the
     * records are folded in by the first search */
    return rebuilt ? 0 : view__search_reset(s);
}

/* A SQL function that exists only to own the notes: SQLite calls its
 * destructor when the connection closes. */
static void
view__search_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(cx, VIEW__SEARCH_VERSION);
}

int
view__search_hook(struct store *s)
{
    sqlite3 *db = store_db(s);
    struct view__search_notes *n = calloc(1, sizeof(*n)), *old;

    if (!n)
        return ILONET_ENOMEM;
    /* Attached again: the notes of the earlier attach move over (the
     * update hook is set by this file alone, so its argument is ours). */
    old = sqlite3_update_hook(db, view__search_noted, n);
    if (old) {
        struct view__search_notes t = *n;
        *n = *old;
        *old = t;
    }
    /* replaces (and frees) the earlier attach's notes */
    if (sqlite3_create_function_v2(db, "ilonet_search_version", 0,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, n,
                                   view__search_fn, NULL, NULL,
                                   view__search_notes_free) != SQLITE_OK) {
        /* SQLite called the destructor already */
        sqlite3_update_hook(db, NULL, NULL);
        store_set_commit_hook(s, NULL, NULL);
        return ILONET_EIO;
    }
    store_set_commit_hook(s, view__search_commit, n);
    /* the rank every search orders by (view_search_rank.c) */
    return view__search_rank_install(db);
}

int
view__search_purge(struct store *s)
{
    int found, rc;

    if ((rc = view__search_one(s, "SELECT 1 FROM v_search_purge LIMIT 1",
                               &found, NULL)) != 0 ||
        !found)
        return rc; /* the common case: nothing erased */
    /* Only a record with words in the index needs the merge; one erased
     * before it was folded in never had any. */
    if ((rc = view__search_one(s,
                               "SELECT 1 FROM v_search_purge p CROSS JOIN"
                               " v_search ON v_search.rowid = p.k LIMIT 1",
                               &found, NULL)) != 0)
        return rc;
    if (found &&
        ((rc = view__search_exec(s, "DELETE FROM v_search WHERE rowid IN"
                                    " (SELECT k FROM v_search_purge)")) != 0 ||
         /* merged: the segments lose the words, not only mark them
          * deleted (secure_delete overwrites the freed pages) */
         (rc = view__search_exec(
              s, "INSERT INTO v_search(v_search) VALUES('optimize')")) != 0))
        return rc;
    return view__search_exec(s, "DELETE FROM v_search_purge");
}

int
view__search_commit(void *arg, struct store *s)
{
    struct view__search_notes *n = arg;
    int rc;

    if (n && n->sn_lost) {
        /* a note was lost: every record is noted again */
        if ((rc = view__search_reset(s)) != 0)
            return rc;
    } else if (n && ((rc = view__klist_write(s, &n->sn_dirty, 0)) != 0 ||
                     (rc = view__klist_write(s, &n->sn_gone, 1)) != 0)) {
        return rc; /* the commit fails; the notes stay */
    }
    if ((rc = view__search_purge(s)) != 0)
        return rc;
    if (n) {
        view__klist_clear(&n->sn_dirty);
        view__klist_clear(&n->sn_gone);
        n->sn_lost = 0;
    }
    return 0;
}

/* Folds the noted records up to max of them (the lowest positions) into
 * the index, inside the caller's transaction; *more 1 when notes are
 * left. */
static int
view__search_fold(struct store *s, const struct vocab *v, uint64_t max,
                  int *more)
{
    struct textbuf b = {0};
    char where[96];
    int64_t bound = INT64_MAX;
    int found, indexed, rc;

    *more = 0;
    if ((rc = view__search_one(s, "SELECT 1 FROM v_search_dirty LIMIT 1",
                               &found, NULL)) != 0 ||
        !found)
        return rc;
    if (!v)
        return ILONET_EINVAL; /* no view attached to this connection */
    {
        sqlite3_stmt *st = store_stmt(s, "SELECT k FROM v_search_dirty ORDER"
                                         " BY k LIMIT 1 OFFSET ?");
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_int64(st, 1,
                           max > INT64_MAX ? INT64_MAX : (int64_t)max - 1);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            bound = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return store_err(rc);
        *more = rc == SQLITE_ROW; /* some may lie past the bound */
    }
    snprintf(where, sizeof(where),
             "k IN (SELECT k FROM v_search_dirty WHERE k <= %lld)",
             (long long)bound);
    /* An empty index (the first fold after an import into a new store,
     * a reset) has no old rows to take out. */
    if ((rc = view__search_one(s, "SELECT rowid FROM v_search LIMIT 1",
                               &indexed, NULL)) != 0)
        return rc;
    if (indexed) {
        textbuf_printf(&b,
                       "DELETE FROM v_search WHERE rowid IN (SELECT k"
                       " FROM v_search_dirty WHERE k <= %lld)",
                       (long long)bound);
        rc = b.tb_err ? ILONET_ENOMEM : view__search_exec(s, b.tb_data);
        b.tb_len = 0;
        if (rc != 0)
            goto out;
    }
    if ((rc = view__search_insert_sql(v, &b, where)) != 0 ||
        (rc = view__search_exec(s, b.tb_data)) != 0)
        goto out;
    {
        sqlite3_stmt *st =
            store_stmt(s, "DELETE FROM v_search_dirty WHERE k <= ?");
        if (!st) {
            rc = ILONET_EIO;
            goto out;
        }
        sqlite3_bind_int64(st, 1, bound);
        rc = view__step_done(st);
    }
    if (rc == 0 && *more)
        rc = view__search_one(s, "SELECT 1 FROM v_search_dirty LIMIT 1", more,
                              NULL);
out:
    textbuf_free(&b);
    return rc;
}

int
view_search_fold(struct store *s, uint64_t max, int *more)
{
    int found, left = 0, rc;

    if (!s || max == 0)
        return ILONET_EINVAL;
    /* nothing noted: no write transaction (a search's common case) */
    if ((rc = view__search_one(s, "SELECT 1 FROM v_search_dirty LIMIT 1",
                               &found, NULL)) != 0)
        return rc;
    if (found) {
        if ((rc = store_begin(s)) != 0)
            return rc;
        if ((rc = view__search_fold(s, view__vocab(s), max, &left)) != 0 ||
            (rc = store_commit(s)) != 0) {
            store_rollback(s);
            return rc;
        }
    }
    if (more)
        *more = left;
    return 0;
}

int
view__search_fold_all(struct store *s)
{
    int more = 1, rc = 0;

    while (more && rc == 0)
        rc = view_search_fold(s, VIEW__SEARCH_FOLD_BATCH, &more);
    return rc;
}

int
view_search_count(struct store *s, uint64_t *n)
{
    sqlite3_stmt *st;
    int rc;

    if (!s || !n)
        return ILONET_EINVAL;
    if ((rc = view__search_fold_all(s)) != 0)
        return rc;
    if (!(st = store_stmt(s, "SELECT count(*) FROM v_search")))
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

/* ---- a person's query ---------------------------------------------------- */

/* Tokens of a query. */
enum view__qtok {
    VIEW__Q_END = 0,
    VIEW__Q_WORD,  /* a word or a "phrase": qt_text[0..qt_len) */
    VIEW__Q_OPEN,  /* ( */
    VIEW__Q_CLOSE, /* ) */
    VIEW__Q_AND,
    VIEW__Q_OR,
    VIEW__Q_NOT,
};

struct view__qlex {
    const char *ql_p;
    enum view__qtok ql_tok;
    const char *ql_text;
    size_t ql_len;
    int ql_prefix; /* the word or phrase ends with '*' */
    char *ql_out;
    size_t ql_cap, ql_off;
    int ql_depth, ql_terms;
    char *ql_why;
    size_t ql_wl;
};

#define VIEW__Q_DEPTH 8
#define VIEW__Q_TERMS 32

static int view__qfail(struct view__qlex *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
view__qfail(struct view__qlex *l, const char *fmt, ...)
{
    va_list ap;

    if (l->ql_why && l->ql_wl) {
        va_start(ap, fmt);
        vsnprintf(l->ql_why, l->ql_wl, fmt, ap);
        va_end(ap);
    }
    return ILONET_EINVAL;
}

static int
view__qspace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the next token. */
static int
view__qnext(struct view__qlex *l)
{
    const char *p = l->ql_p;

    while (view__qspace(*p))
        p++;
    l->ql_prefix = 0;
    if (!*p) {
        l->ql_tok = VIEW__Q_END;
    } else if (*p == '(' || *p == ')') {
        l->ql_tok = *p == '(' ? VIEW__Q_OPEN : VIEW__Q_CLOSE;
        p++;
    } else if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end)
            return view__qfail(l, "unbalanced quote: a phrase opened with \""
                                  " is not closed");
        l->ql_tok = VIEW__Q_WORD;
        l->ql_text = p + 1;
        l->ql_len = (size_t)(end - p - 1);
        p = end + 1;
        if (*p == '*') {
            l->ql_prefix = 1;
            p++;
        }
    } else if (*p == '*') {
        return view__qfail(l, "'*' must follow a word (prefix*)");
    } else {
        const char *s = p;
        while (*p && !view__qspace(*p) && *p != '(' && *p != ')' && *p != '"' &&
               *p != '*')
            p++;
        l->ql_text = s;
        l->ql_len = (size_t)(p - s);
        if (*p == '*') {
            l->ql_prefix = 1;
            p++;
            if (*p && !view__qspace(*p) && *p != ')')
                return view__qfail(l, "'*' must end a word (prefix*)");
        }
        l->ql_tok = VIEW__Q_WORD;
        if (!l->ql_prefix) {
            if (l->ql_len == 3 && memcmp(s, "AND", 3) == 0)
                l->ql_tok = VIEW__Q_AND;
            else if (l->ql_len == 2 && memcmp(s, "OR", 2) == 0)
                l->ql_tok = VIEW__Q_OR;
            else if (l->ql_len == 3 && memcmp(s, "NOT", 3) == 0)
                l->ql_tok = VIEW__Q_NOT;
        }
    }
    l->ql_p = p;
    return 0;
}

static void
view__qput(struct view__qlex *l, const char *s, size_t n)
{
    if (l->ql_off + n < l->ql_cap)
        memcpy(l->ql_out + l->ql_off, s, n);
    l->ql_off += n;
}

static const char *
view__qname(enum view__qtok t)
{
    switch (t) {
    case VIEW__Q_AND: return "AND";
    case VIEW__Q_OR: return "OR";
    case VIEW__Q_NOT: return "NOT";
    case VIEW__Q_CLOSE: return "')'";
    default: return "the end";
    }
}

static int view__qexpr(struct view__qlex *l);

/* primary := WORD | PHRASE | ( expr ) */
static int
view__qprimary(struct view__qlex *l, enum view__qtok after)
{
    int rc;

    if (l->ql_tok == VIEW__Q_OPEN) {
        if (++l->ql_depth > VIEW__Q_DEPTH)
            return view__qfail(l, "parentheses nested deeper than %d",
                               VIEW__Q_DEPTH);
        view__qput(l, "(", 1);
        if ((rc = view__qnext(l)) != 0)
            return rc;
        if (l->ql_tok == VIEW__Q_CLOSE)
            return view__qfail(l, "empty parentheses");
        if ((rc = view__qexpr(l)) != 0)
            return rc;
        if (l->ql_tok != VIEW__Q_CLOSE)
            return view__qfail(l, "unbalanced parenthesis: '(' is not "
                                  "closed");
        view__qput(l, ")", 1);
        l->ql_depth--;
        return view__qnext(l);
    }
    if (l->ql_tok != VIEW__Q_WORD) {
        if (after == VIEW__Q_END && l->ql_tok == VIEW__Q_END)
            return view__qfail(l, "empty query: give a word");
        if (after == VIEW__Q_END)
            return view__qfail(l, "%s needs a word before it",
                               view__qname(l->ql_tok));
        if (after == VIEW__Q_OPEN)
            return view__qfail(l, "%s after '(' needs a word before it",
                               view__qname(l->ql_tok));
        return view__qfail(l, "%s needs a word after it, not %s",
                           view__qname(after), view__qname(l->ql_tok));
    }
    if (++l->ql_terms > VIEW__Q_TERMS)
        return view__qfail(l, "more than %d words", VIEW__Q_TERMS);
    /* quoted: whatever the word holds is text, never FTS5 syntax */
    view__qput(l, "\"", 1);
    for (size_t i = 0; i < l->ql_len; i++)
        view__qput(l, &l->ql_text[i], 1); /* no '"' inside: it ends both */
    view__qput(l, l->ql_prefix ? "\"*" : "\"", l->ql_prefix ? 2 : 1);
    return view__qnext(l);
}

/* not := primary (NOT primary)* */
static int
view__qnot(struct view__qlex *l, enum view__qtok after)
{
    int rc;

    if ((rc = view__qprimary(l, after)) != 0)
        return rc;
    while (l->ql_tok == VIEW__Q_NOT) {
        view__qput(l, " NOT ", 5);
        if ((rc = view__qnext(l)) != 0 ||
            (rc = view__qprimary(l, VIEW__Q_NOT)) != 0)
            return rc;
    }
    return 0;
}

/* and := not ((AND)? not)* */
static int
view__qand(struct view__qlex *l, enum view__qtok after)
{
    int rc;

    if ((rc = view__qnot(l, after)) != 0)
        return rc;
    for (;;) {
        if (l->ql_tok == VIEW__Q_AND) {
            if ((rc = view__qnext(l)) != 0)
                return rc;
            view__qput(l, " AND ", 5);
            if ((rc = view__qnot(l, VIEW__Q_AND)) != 0)
                return rc;
        } else if (l->ql_tok == VIEW__Q_WORD || l->ql_tok == VIEW__Q_OPEN) {
            view__qput(l, " AND ", 5);
            if ((rc = view__qnot(l, VIEW__Q_AND)) != 0)
                return rc;
        } else {
            return 0;
        }
    }
}

/* expr := and (OR and)* */
static int
view__qexpr(struct view__qlex *l)
{
    enum view__qtok after = l->ql_depth ? VIEW__Q_OPEN : VIEW__Q_END;
    int rc;

    if ((rc = view__qand(l, after)) != 0)
        return rc;
    while (l->ql_tok == VIEW__Q_OR) {
        view__qput(l, " OR ", 4);
        if ((rc = view__qnext(l)) != 0 || (rc = view__qand(l, VIEW__Q_OR)) != 0)
            return rc;
    }
    return 0;
}

/* 1 if s is valid UTF-8 without control characters (white space
 * aside). */
static int
view__qtext_ok(const unsigned char *s)
{
    while (*s) {
        size_t n;
        uint32_t c;

        if (*s < 0x80) {
            if ((*s < 0x20 && !view__qspace((char)*s)) || *s == 0x7f)
                return 0;
            s++;
            continue;
        }
        if ((*s & 0xe0) == 0xc0)
            n = 1, c = *s & 0x1f;
        else if ((*s & 0xf0) == 0xe0)
            n = 2, c = *s & 0x0f;
        else if ((*s & 0xf8) == 0xf0)
            n = 3, c = *s & 0x07;
        else
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            c = c << 6 | (s[i] & 0x3f);
        }
        if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
            (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
            (c >= 0xd800 && c <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

int
view_search_parse(const char *q, char *out, size_t cap, char *why, size_t wl)
{
    struct view__qlex l;
    int rc;

    memset(&l, 0, sizeof(l));
    l.ql_why = why;
    l.ql_wl = wl;
    if (why && wl)
        why[0] = '\0';
    if (!q || !out || cap == 0)
        return view__qfail(&l, "no query");
    if (strlen(q) > VIEW_SEARCH_QUERY_MAX) {
        view__qfail(&l, "over %d bytes", VIEW_SEARCH_QUERY_MAX);
        return ILONET_ETOOBIG;
    }
    if (!view__qtext_ok((const unsigned char *)q))
        return view__qfail(&l, "not UTF-8 text (or holds control "
                               "characters)");
    l.ql_p = q;
    l.ql_out = out;
    l.ql_cap = cap;
    if ((rc = view__qnext(&l)) != 0 || (rc = view__qexpr(&l)) != 0)
        return rc;
    if (l.ql_tok == VIEW__Q_CLOSE)
        return view__qfail(&l, "unbalanced parenthesis: ')' without '('");
    if (l.ql_tok != VIEW__Q_END)
        return view__qfail(&l, "%s needs a word before it",
                           view__qname(l.ql_tok));
    if (l.ql_off >= cap)
        return ILONET_ETOOBIG;
    out[l.ql_off] = '\0';
    return 0;
}
