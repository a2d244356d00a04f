/* view_read.c - the view's typed read API and its guarded queries. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
#include "crypto/wire.h"
#include "storage/log.h"
#include "view_int.h"

/*
 * Every SQL text that reads the view for a caller outside storage/ is in
 * this file. Reads go through view__run(), which turns the columns of a
 * statement into typed cells for a struct view_sink; the statement is
 * prepared per call (the texts vary with the filters) and finalized here.
 */

#define VIEW__CELLS 64  /* cells on the stack; wider rows allocate */
#define VIEW__KEYS 4    /* sort keys of a list at most */
#define VIEW__TICK 1000 /* VM steps between two progress callbacks */

/* ---- rows --------------------------------------------------------------- */

const struct view_cell *
view_row_cell(const struct view_row *row, const char *name)
{
    for (size_t i = 0; i < row->rw_ncells; i++)
        if (strcmp(row->rw_cells[i].ce_name, name) == 0)
            return &row->rw_cells[i];
    return NULL;
}

/* Keyset paging state of one list read (see view_list). */
struct view__page {
    size_t pg_nkeys;
    int pg_col[VIEW__KEYS]; /* column index of each sort key */
    uint64_t pg_limit;      /* 0: no limit */
    const char *pg_tag;     /* names the list and order in the cursor */
    char pg_next[VIEW_CURSOR_MAX];
    int pg_next_ok;
};

/* Fills cell i from the current row of st (view_int.h). */
int
view__cell(sqlite3_stmt *st, int i, struct view_cell *c)
{
    c->ce_text = NULL;
    c->ce_blob = NULL;
    c->ce_len = 0;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        c->ce_type = VIEW_INT;
        c->ce_int = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        c->ce_type = VIEW_REAL;
        c->ce_real = sqlite3_column_double(st, i);
        /* and SQLite's own text form of it, which the CLI prints */
        c->ce_text = (const char *)sqlite3_column_text(st, i);
        if (!c->ce_text)
            return ILONET_ENOMEM;
        c->ce_len = (size_t)sqlite3_column_bytes(st, i);
        break;
    case SQLITE_TEXT:
        c->ce_type = VIEW_TEXT;
        c->ce_text = (const char *)sqlite3_column_text(st, i);
        if (!c->ce_text)
            return ILONET_ENOMEM;
        c->ce_len = (size_t)sqlite3_column_bytes(st, i);
        break;
    case SQLITE_BLOB:
        c->ce_type = VIEW_BLOB;
        c->ce_blob = sqlite3_column_blob(st, i);
        c->ce_len = (size_t)sqlite3_column_bytes(st, i);
        break;
    default: c->ce_type = VIEW_NULL;
    }
    return 0;
}

/* Appends the cursor form of one key cell to out (see view__cursor_*). */
static int
view__key_put(char *out, size_t cap, size_t *off, const struct view_cell *c)
{
    int n;

    switch (c->ce_type) {
    case VIEW_NULL: n = snprintf(out + *off, cap - *off, ".n"); break;
    case VIEW_INT:
        n = snprintf(out + *off, cap - *off, ".i%lld", (long long)c->ce_int);
        break;
    case VIEW_TEXT:
        if (*off + 2 + 2 * c->ce_len >= cap)
            return ILONET_ETOOBIG;
        out[(*off)++] = '.';
        out[(*off)++] = 't';
        hash_hex((const uint8_t *)c->ce_text, c->ce_len, out + *off);
        *off += 2 * c->ce_len;
        return 0;
    default: return ILONET_EINVAL; /* keys are integers or text */
    }
    if (n < 0 || (size_t)n >= cap - *off)
        return ILONET_ETOOBIG;
    *off += (size_t)n;
    return 0;
}

/* The cursor after row: "<tag>" then ".<key>" per sort key. */
static int
view__cursor_make(struct view__page *pg, const struct view_cell *cells)
{
    size_t off;
    int rc, n;

    n = snprintf(pg->pg_next, sizeof(pg->pg_next), "%s", pg->pg_tag);
    if (n < 0 || (size_t)n >= sizeof(pg->pg_next))
        return ILONET_ETOOBIG;
    off = (size_t)n;
    for (size_t k = 0; k < pg->pg_nkeys; k++)
        if ((rc = view__key_put(pg->pg_next, sizeof(pg->pg_next), &off,
                                &cells[pg->pg_col[k]])) != 0)
            return rc;
    pg->pg_next_ok = 1;
    return 0;
}

/*
 * Steps st to the end, delivering names then rows to out. The first
 * `hidden` columns are the read's own (keys it pages or joins on): they
 * are not delivered. With pg, at most pg_limit rows are delivered and
 * pg_next is set when another row follows (the statement asks for one
 * more). *count (may be NULL): rows delivered. Leaves st reset, not
 * finalized.
 */
static int
view__run_hidden(sqlite3_stmt *st, int hidden, const struct view_sink *out,
                 struct view__page *pg, size_t *count)
{
    struct view_cell stack[VIEW__CELLS], *cells = stack;
    struct view_row row;
    int nc = sqlite3_column_count(st), rc = 0, step;
    size_t n = 0;

    if (hidden > nc)
        return ILONET_EIO;
    if (nc > VIEW__CELLS && !(cells = calloc((size_t)nc, sizeof(*cells))))
        return ILONET_ENOMEM;
    for (int i = 0; i < nc; i++) {
        const char *name = sqlite3_column_name(st, i);
        memset(&cells[i], 0, sizeof(cells[i]));
        cells[i].ce_name = name ? name : "";
    }
    row.rw_ncells = (size_t)(nc - hidden);
    row.rw_cells = cells + hidden;
    if (out && out->vs_columns && (rc = out->vs_columns(out->vs_arg, &row)))
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        /* a row after a full page: the cursor names the page's last */
        if (pg && pg->pg_limit && n == pg->pg_limit)
            break;
        /* The first step may have prepared the statement again (a LIKE
         * or a bound value can change the plan), which frees the names. */
        for (int i = 0; n == 0 && i < nc; i++) {
            const char *name = sqlite3_column_name(st, i);
            cells[i].ce_name = name ? name : "";
        }
        for (int i = 0; i < nc; i++)
            if ((rc = view__cell(st, i, &cells[i])) != 0)
                goto out;
        if (out && out->vs_row && (rc = out->vs_row(out->vs_arg, &row)))
            goto out;
        n++;
        if (pg && pg->pg_limit && n == pg->pg_limit &&
            (rc = view__cursor_make(pg, cells)) != 0)
            goto out;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_err(step);
    else if (pg && step == SQLITE_DONE)
        pg->pg_next_ok = 0; /* the page ended the list */
out:
    sqlite3_reset(st);
    if (cells != stack)
        free(cells);
    if (rc == 0 && count)
        *count = n;
    return rc;
}

static int
view__run(sqlite3_stmt *st, const struct view_sink *out, struct view__page *pg,
          size_t *count)
{
    return view__run_hidden(st, 0, out, pg, count);
}

/*
 * The SELECT of the SQL view `name` as the schema holds it ("CREATE VIEW
 * name AS SELECT cols FROM v_records ..."), with the columns `hidden`
 * ("k AS _k, ms AS _ms") put before its own, appended to sql. The record
 * views read v_records and the changes view v_changes, whose keys (k, ms,
 * target_p) the people's views leave out; a read that selects from this
 * instead can seek and sort on them while delivering exactly the view's
 * columns (view__run_hidden), so no copy of a view's definition can drift
 * from it.
 */
int
view__view_select(struct store *s, const char *name, const char *hidden,
                  struct textbuf *sql)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT sql FROM sqlite_master WHERE"
                                     " type = 'view' AND name = ?");
    const char *def, *sel;
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_EIO : store_err(rc);
    }
    def = (const char *)sqlite3_column_text(st, 0);
    sel = def ? strstr(def, " AS SELECT ") : NULL;
    if (sel)
        textbuf_printf(sql, "SELECT %s, %s", hidden, sel + 11);
    sqlite3_reset(st);
    return sel ? 0 : ILONET_EIO;
}

static int
view__prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return store_err(rc);
    }
    return 0;
}

/* Runs one fixed statement (binds: n int64 values) into out. */
static int
view__simple(struct store *s, const char *sql, const int64_t *binds, int n,
             const struct view_sink *out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = view__prepare(s, sql, &st)) != 0)
        return rc;
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(st, i + 1, binds[i]);
    rc = view__run(st, out, NULL, NULL);
    sqlite3_finalize(st);
    return rc;
}

/* ---- lists --------------------------------------------------------------- */

struct view__key {
    const char *k_col; /* an output column of the list */
    int k_desc;
};

/*
 * A list: the SQL view it reads and its order; for record kinds, the
 * columns its state and text filters compare over the kind's view and
 * (vl_all_text) over the records view. The period filter and the order
 * are the same for every record kind: the record's event days
 * (event_from, event_to: docs/VIEW.md "Event time"), then when it was
 * written.
 */
struct view__list {
    const char *vl_name;
    uint32_t vl_kind; /* record kind, 0: grants, revocations, evidence */
    const char *vl_src;
    struct view__key vl_keys[VIEW__KEYS];
    const char *vl_state;
    const char *vl_text, *vl_all_text;
};

/* clang-format off */
/* The order of every record list: event day, then time written, then id
 * (unique, so the order is total and a cursor names one row). */
#define VIEW__EVENT_KEYS {{"event_from", 0}, {"time_ms", 0}, {"id", 0}}

static const struct view__list view__lists[] = {
    {"observations", KIND_OBSERVATION, "observations", VIEW__EVENT_KEYS,
     "state", "summary detail place source nationality unit",
     "summary detail place source nationality unit"},
    {"meetings", KIND_MEETING, "meetings", VIEW__EVENT_KEYS,
     "state", "place topics participants reason convenor",
     "place topics participants reason convenor"},
    {"trainings", KIND_TRAINING, "trainings", VIEW__EVENT_KEYS,
     "state", "title detail place organiser", "title detail place organiser"},
    {"carriers", KIND_CARRIER, "carriers", VIEW__EVENT_KEYS,
     "state", "carrier position detail states",
     "carrier position detail states"},
    {"contacts", KIND_CONTACT, "contacts", VIEW__EVENT_KEYS,
     "state", "counterpart summary topics place",
     "counterpart summary topics place"},
    {"postings", KIND_POSTING, "postings", VIEW__EVENT_KEYS,
     "state", "post remit", "post remit"},
    {"tasks", KIND_TASK, "tasks", VIEW__EVENT_KEYS,
     "creator", "title detail \"for\"", "title detail assignees"},
    {"acting-presidencies", KIND_ACTING_PRESIDENCY, "acting_presidencies",
     VIEW__EVENT_KEYS,
     "state", "reason acting_state semester", "reason acting_state semester"},
    /* 2019-1240's; its fields are columns only under a vocabulary that
     * has the kind (view__text_filter leaves out what a view lacks) */
    {"chairs", KIND_CHAIR, "chairs", VIEW__EVENT_KEYS,
     "state", "chair_state chair_role note", "chair_state chair_role note"},
    {"grants", 0, "grants",
     {{"represented", 0}, {"representing", 0}, {"id", 0}},
     NULL, NULL, NULL},
    {"revocations", 0, "revocations",
     {{"at_ms", 0}, {"id", 0}},
     NULL, NULL, NULL},
    /* hex of the 32-byte ids sorts as the ids do: the same order as the
     * table's key (log_id, seq, id_a, id_b) */
    {"evidence", 0,
     "(SELECT lower(hex(log_id)) AS log, seq, lower(hex(author)) AS"
     " author, audience, lower(hex(id_a)) AS entry_a, lower(hex(id_b)) AS"
     " entry_b FROM evidence)",
     {{"log", 0}, {"seq", 0}, {"entry_a", 0}, {"entry_b", 0}},
     NULL, NULL, NULL},
};
/* clang-format on */

#define VIEW__NLISTS (sizeof(view__lists) / sizeof(view__lists[0]))

static const struct view__key view__keys_all[] = {
    {"event_from", 0}, {"hlc", 0}, {"id", 0}};
static const struct view__key view__keys_newest[] = {{"time_ms", 1}, {"id", 0}};

static const struct view__list *
view__list_find(const char *name)
{
    for (size_t i = 0; name && i < VIEW__NLISTS; i++)
        if (strcmp(view__lists[i].vl_name, name) == 0)
            return &view__lists[i];
    return NULL;
}

int
view_list_kind(const char *list, uint32_t *kind)
{
    const struct view__list *l = view__list_find(list);

    if (!l)
        return ILONET_ENOTFOUND;
    *kind = l->vl_kind;
    return 0;
}

/* A decoded cursor key: SQL NULL, an integer, or text (points into the
 * decode buffer). */
struct view__kval {
    int kv_type; /* 'n', 'i', 't' */
    int64_t kv_int;
    const char *kv_text;
    size_t kv_len;
};

static int
view__hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

/* Decodes cursor (made by view__cursor_make with tag) into nkeys values;
 * text bytes go to buf (at least strlen(cursor) bytes). */
static int
view__cursor_read(const char *cursor, const char *tag, size_t nkeys,
                  struct view__kval *v, char *buf)
{
    size_t tl = strlen(tag), k = 0;
    const char *p;

    if (strncmp(cursor, tag, tl) != 0)
        return ILONET_EINVAL;
    p = cursor + tl;
    while (*p) {
        const char *end;
        if (*p != '.' || k == nkeys)
            return ILONET_EINVAL;
        p++;
        end = p + strcspn(p, ".");
        if (*p == 'n' && end == p + 1) {
            v[k].kv_type = 'n';
        } else if (*p == 'i' && end > p + 1) {
            char *e;
            long long x = strtoll(p + 1, &e, 10);
            if (e != end || !isdigit((unsigned char)end[-1]))
                return ILONET_EINVAL;
            v[k].kv_type = 'i';
            v[k].kv_int = (int64_t)x;
        } else if (*p == 't' && (end - p - 1) % 2 == 0) {
            size_t n = (size_t)(end - p - 1) / 2;
            for (size_t i = 0; i < n; i++) {
                int hi = view__hexval(p[1 + 2 * i]),
                    lo = view__hexval(p[2 + 2 * i]);
                if (hi < 0 || lo < 0)
                    return ILONET_EINVAL;
                buf[i] = (char)(hi << 4 | lo);
            }
            v[k].kv_type = 't';
            v[k].kv_text = buf;
            v[k].kv_len = n;
            buf += n;
        } else {
            return ILONET_EINVAL;
        }
        k++;
        p = end;
    }
    return k == nkeys ? 0 : ILONET_EINVAL;
}

/* What a list query binds, in parameter order. */
struct view__binds {
    int b_n;
    const char *b_text[16];
    size_t b_len[16];
    int64_t b_int[16];
    int b_is_int[16];
};

static int
view__bind_text(struct view__binds *b, const char *t, size_t len)
{
    b->b_text[b->b_n] = t;
    b->b_len[b->b_n] = len;
    b->b_is_int[b->b_n] = 0;
    return ++b->b_n;
}

static int
view__bind_int(struct view__binds *b, int64_t v)
{
    b->b_int[b->b_n] = v;
    b->b_is_int[b->b_n] = 1;
    return ++b->b_n;
}

/* The column a key sorts and seeks on: a record list reads the hidden
 * column _ms (v_rec.ms, indexed) for time_ms, which holds the same value
 * (view__list_sql). */
static const char *
view__key_col(const struct view__key *k, int ms)
{
    return ms && strcmp(k->k_col, "time_ms") == 0 ? "_ms" : k->k_col;
}

/*
 * The keyset condition "this row sorts after the cursor's": for keys
 * k1..kn, k1 after v1 OR (k1 = v1 AND (k2 after v2 OR ...)). SQLite sorts
 * NULL first, so in ascending order everything not NULL comes after a
 * NULL, and in descending order nothing does.
 */
static void
view__keyset(struct textbuf *sql, const struct view__key *keys, size_t n,
             const struct view__kval *v, struct view__binds *b, int ms)
{
    for (size_t i = 0; i < n; i++) {
        const char *c = view__key_col(&keys[i], ms);
        int last = i + 1 == n, p = 0;

        if (v[i].kv_type != 'n')
            p = v[i].kv_type == 'i'
                    ? view__bind_int(b, v[i].kv_int)
                    : view__bind_text(b, v[i].kv_text, v[i].kv_len);
        textbuf_puts(sql, "(");
        if (v[i].kv_type == 'n' && keys[i].k_desc)
            textbuf_puts(sql, "0");
        else if (v[i].kv_type == 'n')
            textbuf_printf(sql, "\"%s\" IS NOT NULL", c);
        else if (keys[i].k_desc)
            textbuf_printf(sql, "(\"%s\" < ?%d OR \"%s\" IS NULL)", c, p, c);
        else
            textbuf_printf(sql, "\"%s\" > ?%d", c, p);
        if (last) {
            textbuf_puts(sql, ")");
            break;
        }
        if (v[i].kv_type == 'n')
            textbuf_printf(sql, " OR (\"%s\" IS NULL AND ", c);
        else
            textbuf_printf(sql, " OR (\"%s\" = ?%d AND ", c, p);
    }
    for (size_t i = 1; i < n; i++)
        textbuf_puts(sql, "))");
}

/* 1 if probe (a statement over a list's source) has a column named col
 * (w bytes). */
static int
view__has_column(sqlite3_stmt *probe, const char *col, size_t w)
{
    for (int i = 0; i < sqlite3_column_count(probe); i++) {
        const char *name = sqlite3_column_name(probe, i);
        if (name && strlen(name) == w && memcmp(name, col, w) == 0)
            return 1;
    }
    return 0;
}

/* " AND (0 OR instr(lower(coalesce(c, '')), lower(?p)) > 0 ...)" over the
 * space-separated columns cols (a name may be double-quoted) that the
 * source src has: a kind's fields are columns of its view only under a
 * vocabulary that has the kind, and a text matches nothing in a column
 * that is not there. */
static int
view__text_filter(struct store *s, struct textbuf *sql, const char *src,
                  const char *cols, int p)
{
    struct textbuf probe = {0};
    sqlite3_stmt *st = NULL;
    int rc;

    textbuf_printf(&probe, "SELECT * FROM %s LIMIT 0", src);
    if (probe.tb_err) {
        textbuf_free(&probe);
        return ILONET_ENOMEM;
    }
    rc = view__prepare(s, probe.tb_data, &st);
    textbuf_free(&probe);
    if (rc != 0)
        return rc;
    textbuf_puts(sql, " AND (0");
    while (*cols) {
        size_t w = strcspn(cols, " ");
        int q = *cols == '"';

        if (view__has_column(st, cols + q, w - 2 * (size_t)q))
            textbuf_printf(sql,
                           " OR instr(lower(coalesce(%.*s, '')), lower(?%d))"
                           " > 0",
                           (int)w, cols, p);
        cols += w;
        cols += *cols == ' ';
    }
    textbuf_puts(sql, ")");
    sqlite3_finalize(st);
    return 0;
}

/*
 * The logs of audience as an SQL list of their positions ("(3, 17)",
 * "(NULL)" when none) into lids, and *rare = 1 when they hold under one in
 * VIEW__RARE of the entries held: few enough to read them all through
 * their own index, where the newest-first scan of a list would pass most
 * of it before a page is full. (Heads count every entry, not only
 * records: close enough to choose a plan.) The positions come from the
 * store, so they may be written into the SQL.
 */
#define VIEW__RARE 20
static int
view__audience_logs(struct store *s, const char *audience, struct textbuf *lids,
                    int *rare)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT lid, head_seq, audience = ?"
                                     " FROM logs ORDER BY lid");
    int64_t in = 0, total = 0;
    int rc, n = 0;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, audience, -1, SQLITE_STATIC);
    textbuf_puts(lids, "(");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        total += sqlite3_column_int64(st, 1);
        if (!sqlite3_column_int(st, 2))
            continue;
        in += sqlite3_column_int64(st, 1);
        textbuf_printf(lids, "%s%lld", n++ ? ", " : "",
                       (long long)sqlite3_column_int64(st, 0));
    }
    sqlite3_reset(st);
    textbuf_puts(lids, n ? ")" : "NULL)");
    *rare = in * VIEW__RARE < total;
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* 1 if d is a day as the view writes them: YYYY-MM-DD, a real date
 * (julianday() reads those exactly as their strings sort). */
static int
view__is_day(const char *d)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30,
                                            31, 31, 30, 31, 30, 31};
    int y, m, dd, leap;

    if (strlen(d) != 10)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return 0;
    y = atoi(d);
    m = atoi(d + 5);
    dd = atoi(d + 8);
    leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m >= 1 && m <= 12 && dd >= 1 &&
           dd <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * Candidates: for filters that the newest-first scan of a list would pass
 * most of the list to satisfy, the list's outer query is restricted to
 * the keys an index of v_rec gives for them (view_index.c): a rare
 * audience (its logs), a period (the records whose interval overlaps it,
 * per length class), the tasks' status and assignee (beside their time in
 * one index). Each filter is also written over v_rec's own columns, so
 * the candidates are exactly the rows the list's filters keep. When every
 * filter can be written so and the list sorts on time first, only the
 * page's share goes on: the records at or above the time of the
 * (limit+1)-th after the cursor (ties included, so the id still decides),
 * found in the index alone.
 */
struct view__plan {
    const struct vocab *pl_vocab; /* the view's (its slots and indexes) */
    uint32_t pl_kind;
    int pl_cat, pl_from, pl_to, pl_aud, pl_state, pl_status, pl_assignee;
    int pl_days;         /* from and to are well-formed days (YYYY-MM-DD) */
    const char *pl_lids; /* the audience's logs, "(3, 17)" */
    int pl_rare;         /* the audience holds few records */
    int pl_text;         /* a text filter is given */
    int pl_time_first;   /* the list sorts on time first */
    int pl_desc;
    const struct view__kval *pl_after; /* the cursor's first key, or NULL */
    uint64_t pl_limit;
};

/* The candidates' SELECT of `what` from index idx (WHERE over v_rec) into
 * sql: one SELECT, or for the event index one per length class. */
static int
view__cand_select(struct textbuf *sql, const struct view__plan *pl,
                  const char *what, const char *idx, const char *where,
                  int by_event)
{
    char first[64], last[64];

    if (!by_event) {
        textbuf_printf(sql, "SELECT %s FROM v_rec INDEXED BY %s WHERE %s", what,
                       idx, where);
        return 0;
    }
    snprintf(first, sizeof(first), VIEW__DAY("?%d"), pl->pl_from);
    snprintf(last, sizeof(last), VIEW__DAY("?%d"), pl->pl_to);
    return view__days_cand(sql, pl->pl_vocab, pl->pl_kind, what, where, first,
                           last) == 0
               ? 0
               : ILONET_EIO;
}

int
view__has_index(struct store *s, const char *name)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM sqlite_master WHERE"
                                     " type = 'index' AND name = ?");
    int rc;

    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW;
}

/* SELECT `what` over the rows of index v_rec_days that `where` selects,
 * one arm per length class with `extra` (terms on the first event day),
 * joined by UNION ALL: each arm reads its class in the order of that
 * day, so an ORDER BY on it merges the four without a sort. */
static void
view__day_arms(struct textbuf *sql, const char *lc, const char *what,
               const char *where, const char *extra)
{
    for (int c = 0; c < 4; c++)
        textbuf_printf(sql,
                       "%sSELECT %s FROM v_rec INDEXED BY v_rec_days WHERE %s"
                       " AND (%s) = %d%s",
                       c ? " UNION ALL " : "", what, where, lc, c, extra);
}

/* The list order (event day, time, id) from the first event day in index
 * v_rec_days: the rows from the cursor's day up to the day of the
 * (limit+1)-th record after it (as many more as records at the cursor's
 * day, which the keyset may pass over), found in the four class ranges
 * merged, not in a sort of every record. Only when every record of the
 * kind has a first event day (one without would sort first). */
static int
view__day_candidates(struct store *s, struct textbuf *sql,
                     const struct view__plan *pl, const char *where)
{
    char from[256], to[256], lc[1024], lo[96], ext[192], probe[2048];
    char what[300];
    struct textbuf thr = {0}, up = {0};
    int64_t d0 = 0;
    sqlite3_stmt *st;
    int rc, null_day;

    if (view__event_exprs(pl->pl_vocab, pl->pl_kind, from, to, lc,
                          sizeof(lc)) != 0)
        return ILONET_ENOTFOUND;
    if (pl->pl_after && (pl->pl_after->kv_type != 't' ||
                         record_parse_date(pl->pl_after->kv_text,
                                           pl->pl_after->kv_len, &d0) != 0))
        return ILONET_ENOTFOUND;
    snprintf(probe, sizeof(probe),
             "SELECT 1 FROM v_rec INDEXED BY v_rec_days WHERE kind = %u AND"
             " valid = 1 AND status = 'active' AND (%s) = 3 AND %s IS NULL"
             " LIMIT 1",
             (unsigned)pl->pl_kind, lc, from);
    if (sqlite3_prepare_v2(store_db(s), probe, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    null_day = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(rc);
    if (null_day)
        return ILONET_ENOTFOUND;
    lo[0] = '\0';
    if (pl->pl_after)
        snprintf(lo, sizeof(lo), " AND (%s) >= %lld", from, (long long)d0);
    /* the last day: that of the (limit+1)-th candidate from the cursor's
     * day on, past those at the cursor's day itself */
    textbuf_puts(&thr, "coalesce((SELECT d FROM (");
    snprintf(what, sizeof(what), "(%s) AS d", from);
    view__day_arms(&thr, lc, what, where, lo);
    textbuf_printf(&thr, " ORDER BY d LIMIT 1 OFFSET %llu",
                   (unsigned long long)pl->pl_limit);
    if (pl->pl_after) {
        snprintf(ext, sizeof(ext), " AND (%s) = %lld", from, (long long)d0);
        textbuf_puts(&thr, " + (SELECT count(*) FROM (");
        view__day_arms(&thr, lc, "k", where, ext);
        textbuf_puts(&thr, "))");
    }
    textbuf_puts(&thr, ")), 2932896)");
    if (thr.tb_err) {
        textbuf_free(&thr);
        return ILONET_ENOMEM;
    }
    textbuf_printf(&up, "%s AND (%s) <= %s", lo, from, thr.tb_data);
    textbuf_free(&thr);
    if (up.tb_err) {
        textbuf_free(&up);
        return ILONET_ENOMEM;
    }
    textbuf_puts(sql, " AND _k IN (");
    view__day_arms(sql, lc, "k", where, up.tb_data);
    textbuf_puts(sql, ")");
    textbuf_free(&up);
    return 0;
}

/* The end of a threshold's SQL (view__candidates()), after the SELECT of
 * the candidates' times: the time of the (limit+1)-th from the cursor's
 * on, past as many more as candidates at the cursor's time (those of
 * `at`, a FROM source of their times), or the end of the range. */
static void
view__threshold_end(struct textbuf *sql, const struct view__plan *pl,
                    const char *at)
{
    if (pl->pl_after)
        textbuf_printf(sql, " WHERE ms %s %lld", pl->pl_desc ? "<=" : ">=",
                       (long long)pl->pl_after->kv_int);
    textbuf_printf(sql, " ORDER BY ms %s LIMIT 1 OFFSET %llu",
                   pl->pl_desc ? "DESC" : "", (unsigned long long)pl->pl_limit);
    if (pl->pl_after)
        textbuf_printf(sql, " + (SELECT count(*) FROM %s WHERE ms = %lld)", at,
                       (long long)pl->pl_after->kv_int);
    textbuf_printf(sql, "), %s))",
                   pl->pl_desc ? "-9223372036854775807"
                               : "9223372036854775807");
}

/* The threshold's SQL for period candidates (view__candidates()): the
 * candidates read once into c, then those from the cursor's time to that
 * of the (limit+1)-th after it. */
static int
view__period_window(struct textbuf *sql, const struct view__plan *pl,
                    const char *idx, const char *where)
{
    int rc;

    textbuf_puts(sql, " AND _k IN (WITH c AS MATERIALIZED (");
    if ((rc = view__cand_select(sql, pl, "k, ms", idx, where, 1)) != 0)
        return rc;
    textbuf_printf(sql,
                   ") SELECT k FROM c WHERE ms %s coalesce((SELECT ms"
                   " FROM c",
                   pl->pl_desc ? ">=" : "<=");
    view__threshold_end(sql, pl, "c");
    return 0;
}

static int
view__candidates(struct store *s, struct textbuf *sql,
                 const struct view__plan *pl, int *used)
{
    char where[1024], idx[32], slot[8], e0[256], e1[256], elc[1024];
    struct textbuf times = {0};
    size_t off;
    int by_event = 0, by_day = 0, have_ev, threshold, rc;

    *used = 0;
    /* the day numbers stand for the view's date strings only for
     * well-formed days */
    have_ev = pl->pl_from && pl->pl_days &&
              view__event_exprs(pl->pl_vocab, pl->pl_kind, e0, e1, elc,
                                sizeof(elc)) == 0;
    if (pl->pl_aud && pl->pl_rare) {
        snprintf(idx, sizeof(idx), "v_rec_log");
    } else if (pl->pl_from && have_ev) {
        snprintf(idx, sizeof(idx), "v_rec_days");
        by_event = 1;
    } else if (!pl->pl_from && !pl->pl_time_first && !pl->pl_desc &&
               !pl->pl_text && pl->pl_limit) {
        snprintf(idx, sizeof(idx), "v_rec_days");
        by_day = 1;
    } else if (pl->pl_kind == KIND_TASK && (pl->pl_status || pl->pl_assignee) &&
               !pl->pl_text && pl->pl_time_first && pl->pl_limit &&
               view__slot_col(pl->pl_vocab, KIND_TASK, "assignees", slot) ==
                   0) {
        snprintf(idx, sizeof(idx), "v_rec_task");
    } else {
        return 0; /* the list's own scan does well enough */
    }
    if (!view__has_index(s, idx))
        return 0; /* the same rows by the list's own scan */
    off = (size_t)snprintf(where, sizeof(where),
                           "kind = %u AND valid = 1 AND status = 'active'",
                           (unsigned)pl->pl_kind);
#define VIEW__W(...)                                                           \
    off += (size_t)snprintf(where + off, sizeof(where) - off, __VA_ARGS__)
    if (pl->pl_cat &&
        view__slot_col(pl->pl_vocab, pl->pl_kind, "category", slot) == 0)
        VIEW__W(" AND %s = ?%d", slot, pl->pl_cat);
    if (pl->pl_state)
        VIEW__W(" AND owner = ?%d", pl->pl_state);
    if (pl->pl_aud)
        VIEW__W(" AND (k >> 32) IN %s", pl->pl_lids);
    if (pl->pl_status)
        VIEW__W(" AND task_status = ?%d", pl->pl_status);
    if (pl->pl_assignee &&
        view__slot_col(pl->pl_vocab, pl->pl_kind, "assignees", slot) == 0)
        VIEW__W(" AND instr(',' || coalesce(%s, '') || ',', ',' || ?%d ||"
                " ',') > 0",
                slot, pl->pl_assignee);
    /* the period filter's own terms (view__event_exprs) */
    if (pl->pl_from && !by_event && have_ev)
        VIEW__W(
            " AND (%s) <= " VIEW__DAY("?%d") " AND (%s) >= " VIEW__DAY("?%d"),
            e0, pl->pl_to, e1, pl->pl_from);
    else if (pl->pl_from && !by_event)
        return 0; /* not this vocabulary's kind: the list scans */
#undef VIEW__W
    if (off >= sizeof(where))
        return ILONET_ETOOBIG;
    if (by_day) {
        rc = view__day_candidates(s, sql, pl, where);
        if (rc == 0)
            *used = 1;
        return rc == ILONET_ENOTFOUND ? 0 : rc;
    }
    threshold = !pl->pl_text && pl->pl_time_first && pl->pl_limit &&
                (!pl->pl_after || pl->pl_after->kv_type == 'i');
    if (!threshold) {
        textbuf_puts(sql, " AND _k IN (");
        if ((rc = view__cand_select(sql, pl, "k", idx, where, by_event)) != 0)
            return rc;
        textbuf_puts(sql, ")");
        *used = 1;
        return 0;
    }
    /* Only the candidates from the cursor's time to that of the
     * (limit+1)-th after it, their times read from the index with their
     * keys: the records of the other candidates (a semester holds 34k
     * observations at a million) are never read. The candidates at the
     * cursor's time before it are in that range but not after the
     * cursor, so as many more are taken. An index in time order (the
     * tasks') gives that time by reading the first limit+1 of them; the
     * period index's candidates come in four ranges not in time order,
     * so they are read once into a table of keys and times
     * (view__period_window()): as subqueries, SQLite read the index twice
     * and sorted each range whole before merging them (the list by a
     * semester at a million records: 53 ms, 35 ms so). */
    if (by_event) {
        if ((rc = view__period_window(sql, pl, idx, where)) != 0)
            return rc;
        *used = 1;
        return 0;
    }
    /* the candidates' times, read in the index's order twice: for the
     * threshold, and for those at the cursor's time */
    textbuf_puts(&times, "(");
    if ((rc = view__cand_select(&times, pl, "ms", idx, where, 0)) != 0)
        goto out;
    textbuf_puts(&times, ")");
    if (times.tb_err) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    textbuf_puts(sql, " AND _k IN (SELECT k FROM (");
    if ((rc = view__cand_select(sql, pl, "k, ms", idx, where, 0)) != 0)
        goto out;
    textbuf_printf(sql, ") WHERE ms %s coalesce((SELECT ms FROM %s",
                   pl->pl_desc ? ">=" : "<=", times.tb_data);
    view__threshold_end(sql, pl, times.tb_data);
    *used = 1;
out:
    textbuf_free(&times);
    return rc;
}

/* With candidates, the record's kind in the list's SQL view (from
 * sql's byte at on) becomes "+kind": SQLite would otherwise read every
 * record of the kind through an index on it and test each against the
 * candidates (deep pages in list order at a million records: 140 ms a
 * page, 30 ms driven by the candidates' keys). */
static int
view__unindex_kind(struct textbuf *sql, size_t at)
{
    static const char from[] = " FROM v_records WHERE kind = ";
    char *p = sql->tb_err ? NULL : strstr(sql->tb_data + at, from);
    struct textbuf out = {0};
    size_t cut;

    if (!p)
        return sql->tb_err ? ILONET_ENOMEM : 0; /* another view: as it is */
    cut = (size_t)(p - sql->tb_data) + sizeof(from) - 1 - strlen("kind = ");
    textbuf_put(&out, sql->tb_data, cut);
    textbuf_puts(&out, "+");
    textbuf_puts(&out, sql->tb_data + cut);
    if (out.tb_err) {
        textbuf_free(&out);
        return ILONET_ENOMEM;
    }
    textbuf_free(sql);
    *sql = out;
    return 0;
}

int
view_list(struct store *s, const struct view_list_req *rq,
          const struct view_sink *out, struct view_list_res *res)
{
    const struct view__list *l;
    const struct view__key *keys;
    struct view__kval kv[VIEW__KEYS];
    struct view__binds b;
    struct view__page pg;
    struct textbuf sql = {0}, lids = {0};
    sqlite3_stmt *st = NULL;
    char tag[64], *kbuf = NULL;
    size_t nkeys, count = 0;
    struct view__plan pl;
    int rc, rec, all, newest, hidden = 0, cand = 0;
    size_t sel_at = 0;

    if (!rq || !(l = view__list_find(rq->lr_list)))
        return ILONET_EINVAL;
    rec = l->vl_kind != 0;
    all = rq->lr_all != 0;
    newest = rq->lr_order == VIEW_ORDER_NEWEST;
    /* filters, --all, the newest-first order and paging: record kinds */
    if (!rec &&
        (all || newest || rq->lr_state || rq->lr_category || rq->lr_audience ||
         rq->lr_from || rq->lr_to || rq->lr_text || rq->lr_status ||
         rq->lr_assignee || rq->lr_limit || rq->lr_after))
        return ILONET_EINVAL;
    if ((rq->lr_category && l->vl_kind != KIND_OBSERVATION) ||
        ((rq->lr_status || rq->lr_assignee) && l->vl_kind != KIND_TASK) ||
        (!rq->lr_from != !rq->lr_to) ||
        (rq->lr_text && strlen(rq->lr_text) > VIEW_TEXT_MAX) ||
        (rq->lr_order != VIEW_ORDER_LIST && !newest))
        return ILONET_EINVAL;
    if (newest) {
        keys = view__keys_newest;
        nkeys = 2;
    } else if (all) {
        keys = view__keys_all;
        nkeys = 3;
    } else {
        keys = l->vl_keys;
        for (nkeys = 0; nkeys < VIEW__KEYS && keys[nkeys].k_col; nkeys++)
            ;
    }
    snprintf(tag, sizeof(tag), "%s/%c%c", l->vl_name, newest ? 'n' : 'l',
             all ? 'a' : 'v');
    if (rq->lr_after) {
        if (!(kbuf = malloc(strlen(rq->lr_after) + 1)))
            return ILONET_ENOMEM;
        if ((rc = view__cursor_read(rq->lr_after, tag, nkeys, kv, kbuf)) != 0)
            goto out;
    }

    memset(&b, 0, sizeof(b));
    /* A record list selects from its SQL view with the record's key and
     * time in front (hidden from the caller), so that it pages, sorts and
     * filters through the indexes on v_rec (view_index.c): the first page
     * of the newest records is an index range, not a sort of them all. */
    if (rec) {
        hidden = 2;
        sel_at = sql.tb_len;
        textbuf_puts(&sql, "SELECT * FROM (");
        if ((rc = view__view_select(s, all ? "records" : l->vl_src,
                                    "k AS _k, ms AS _ms", &sql)) != 0)
            goto out;
        textbuf_puts(&sql, ") WHERE 1");
        if (all)
            textbuf_printf(&sql, " AND kind = %u", (unsigned)l->vl_kind);
    } else {
        textbuf_printf(&sql, "SELECT * FROM %s WHERE 1", l->vl_src);
    }
    memset(&pl, 0, sizeof(pl));
    pl.pl_vocab = view__vocab(s);
    pl.pl_kind = l->vl_kind;
    if (rq->lr_category)
        textbuf_printf(&sql, " AND category = ?%d",
                       pl.pl_cat = view__bind_text(&b, rq->lr_category,
                                                   strlen(rq->lr_category)));
    /* the record's event days overlap [from, to]; no end: open */
    if (rq->lr_from) {
        int pt = view__bind_text(&b, rq->lr_to, strlen(rq->lr_to));
        int pf = view__bind_text(&b, rq->lr_from, strlen(rq->lr_from));
        textbuf_printf(&sql,
                       " AND event_from <= ?%d AND coalesce(event_to,"
                       " '9999-12-31') >= ?%d",
                       pt, pf);
        pl.pl_from = pf;
        pl.pl_to = pt;
        pl.pl_days = view__is_day(rq->lr_from) && view__is_day(rq->lr_to);
    }
    if (rq->lr_audience) {
        textbuf_printf(&sql, " AND audience = ?%d",
                       pl.pl_aud = view__bind_text(&b, rq->lr_audience,
                                                   strlen(rq->lr_audience)));
        if (rec && (rc = view__audience_logs(s, rq->lr_audience, &lids,
                                             &pl.pl_rare)) != 0)
            goto out;
        if (lids.tb_err) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        /* the same test on the record's position, which the index holds:
         * records of other audiences are passed over without reading them */
        if (rec)
            textbuf_printf(&sql, " AND (_k >> 32) IN %s", lids.tb_data);
        pl.pl_lids = lids.tb_data;
    }
    if (rq->lr_state)
        textbuf_printf(&sql, " AND %s = ?%d", all ? "state" : l->vl_state,
                       pl.pl_state = view__bind_text(&b, rq->lr_state,
                                                     strlen(rq->lr_state)));
    /* the view says "open" for a task without a status change yet */
    if (rq->lr_status)
        textbuf_printf(&sql, " AND %s = ?%d", all ? "task_status" : "status",
                       pl.pl_status = view__bind_text(&b, rq->lr_status,
                                                      strlen(rq->lr_status)));
    if (rq->lr_assignee)
        textbuf_printf(&sql,
                       " AND instr(',' || coalesce(%s, '') || ',', ',' ||"
                       " ?%d || ',') > 0",
                       all ? "assignees" : "\"for\"",
                       pl.pl_assignee = view__bind_text(
                           &b, rq->lr_assignee, strlen(rq->lr_assignee)));
    if (rq->lr_text &&
        (rc = view__text_filter(
             s, &sql, all ? "records" : l->vl_src,
             all ? l->vl_all_text : l->vl_text,
             view__bind_text(&b, rq->lr_text, strlen(rq->lr_text)))) != 0)
        goto out;
    /* the live lists of records: what an index gives beats a scan */
    if (rec && !all) {
        pl.pl_text = rq->lr_text != NULL;
        pl.pl_time_first = strcmp(view__key_col(&keys[0], 1), "_ms") == 0;
        pl.pl_desc = keys[0].k_desc;
        pl.pl_after = rq->lr_after ? &kv[0] : NULL;
        pl.pl_limit = rq->lr_limit;
        if ((rc = view__candidates(s, &sql, &pl, &cand)) != 0 ||
            (cand && (rc = view__unindex_kind(&sql, sel_at)) != 0))
            goto out;
    }
    if (rq->lr_after) {
        const char *c0 = view__key_col(&keys[0], rec);

        textbuf_puts(&sql, " AND ");
        /* the first key's bound as a range of its own, which the index
         * seeks to (the keyset's OR alone would scan from the start) */
        if (rec && kv[0].kv_type == 'i' && strcmp(c0, "_ms") == 0)
            textbuf_printf(
                &sql, "_ms %s ?%d AND ",
                keys[0].k_desc ? "<=" : ">=", view__bind_int(&b, kv[0].kv_int));
        view__keyset(&sql, keys, nkeys, kv, &b, rec);
    }
    textbuf_puts(&sql, " ORDER BY ");
    for (size_t i = 0; i < nkeys; i++) {
        const char *c = view__key_col(&keys[i], rec);
        textbuf_printf(&sql, "%s%s\"%s\"%s", i ? ", " : "",
                       cand && strcmp(c, "_ms") == 0 ? "+" : "", c,
                       keys[i].k_desc ? " DESC" : "");
    }
    if (rq->lr_limit)
        textbuf_printf(&sql, " LIMIT ?%d",
                       view__bind_int(&b, rq->lr_limit > INT64_MAX - 1
                                              ? INT64_MAX
                                              : (int64_t)rq->lr_limit + 1));
    if (sql.tb_err) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = view__prepare(s, sql.tb_data, &st)) != 0)
        goto out;
    for (int i = 0; i < b.b_n; i++)
        if (b.b_is_int[i])
            sqlite3_bind_int64(st, i + 1, b.b_int[i]);
        else
            sqlite3_bind_text(st, i + 1, b.b_text[i], (int)b.b_len[i],
                              SQLITE_STATIC);

    memset(&pg, 0, sizeof(pg));
    pg.pg_nkeys = nkeys;
    pg.pg_limit = rq->lr_limit;
    pg.pg_tag = tag;
    for (size_t k = 0; k < nkeys; k++) {
        pg.pg_col[k] = -1;
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            if (name && strcmp(name, keys[k].k_col) == 0)
                pg.pg_col[k] = i;
        }
        if (pg.pg_col[k] < 0) {
            rc = ILONET_EIO; /* a list's keys are its columns */
            goto out;
        }
    }
    if ((rc = view__run_hidden(st, hidden, out, &pg, &count)) != 0)
        goto out;
    if (res) {
        res->ls_count = count;
        snprintf(res->ls_next, sizeof(res->ls_next), "%s",
                 pg.pg_next_ok ? pg.pg_next : "");
    }
out:
    sqlite3_finalize(st);
    textbuf_free(&sql);
    textbuf_free(&lids);
    free(kbuf);
    return rc;
}

/* ---- one record ---------------------------------------------------------- */

/* The text of the top-level key of a payload map, into *v and *n; 0 when it
 * is there as a str, else -1 (absent, another type, not a map). */
static int
view__payload_str(const uint8_t *p, size_t len, const char *key, const char **v,
                  size_t *n)
{
    struct wire_rd r;
    uint64_t pairs;

    wire_rd_init(&r, p, len, ILONET_EMALFORMED);
    if (!p || wire_rd_map(&r, &pairs) != 0)
        return -1;
    for (uint64_t i = 0; i < pairs; i++) {
        const char *k;
        size_t kn;
        if (wire_rd_str(&r, &k, &kn) != 0)
            return -1;
        if (kn == strlen(key) && memcmp(k, key, kn) == 0)
            return wire_rd_peek(&r) == WIRE_T_STR && wire_rd_str(&r, v, n) == 0
                       ? 0
                       : -1;
        if (wire_rd_skip(&r) != 0)
            return -1;
    }
    return -1;
}

/* History rows: the last column holds the change entry's payload, handed
 * on as "officer", the officer it names (docs/API.md), or null. */
struct view__hist {
    const struct view_sink *h_out;
};

static int
view__hist_columns(void *arg, const struct view_row *names)
{
    struct view__hist *h = arg;

    return h->h_out->vs_columns ? h->h_out->vs_columns(h->h_out->vs_arg, names)
                                : 0;
}

static int
view__hist_row(void *arg, const struct view_row *row)
{
    struct view__hist *h = arg;
    struct view_cell cells[VIEW__CELLS];
    struct view_row out;
    struct view_cell *c;
    char officer[256]; /* NUL-terminated, as every text cell */
    const char *v;
    size_t n;

    if (!h->h_out->vs_row)
        return 0;
    if (row->rw_ncells == 0 || row->rw_ncells > VIEW__CELLS)
        return h->h_out->vs_row(h->h_out->vs_arg, row);
    memcpy(cells, row->rw_cells, row->rw_ncells * sizeof(cells[0]));
    c = &cells[row->rw_ncells - 1];
    if (c->ce_type == VIEW_BLOB &&
        view__payload_str(c->ce_blob, c->ce_len, "officer", &v, &n) == 0 &&
        n < sizeof(officer) && !memchr(v, '\0', n)) {
        memcpy(officer, v, n);
        officer[n] = '\0';
        c->ce_type = VIEW_TEXT;
        c->ce_text = officer;
        c->ce_len = n;
        c->ce_blob = NULL;
    } else {
        c->ce_type = VIEW_NULL;
        c->ce_blob = NULL;
        c->ce_len = 0;
    }
    out.rw_ncells = row->rw_ncells;
    out.rw_cells = cells;
    return h->h_out->vs_row(h->h_out->vs_arg, &out);
}

int
view_record_get(struct store *s, const uint8_t id[static HASH_LEN],
                const struct view_sink *record, const struct view_sink *history)
{
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL, *ch = NULL;
    size_t n = 0;
    int64_t k;
    int rc;

    /* the record by its position (through the id index), its changes by
     * their target's prefix (index v_chg_target); each change's entry
     * payload as "officer" (view__hist_row) */
    if ((rc = log_find(s, id, &k)) != 0)
        return rc == ILONET_ENOTFOUND ? ILONET_ENOTFOUND : rc;
    textbuf_puts(&sql, "SELECT * FROM (");
    if ((rc = view__view_select(s, "records", "k AS _k", &sql)) != 0)
        goto out;
    textbuf_puts(&sql, ") WHERE _k = ?");
    if (sql.tb_err) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = view__prepare(s, sql.tb_data, &st)) != 0 ||
        (rc = view__prepare(
             s,
             "SELECT lower(hex(c.id)) AS id, c.kind, c.author_state,"
             " c.behalf, c.hlc >> 16 AS time_ms, c.status, c.valid, c.why,"
             " e.payload AS officer FROM v_changes c CROSS JOIN entries e"
             " ON e.k = c.k WHERE c.target_p = ?1 AND c.target = ?2"
             " ORDER BY c.hlc, c.id",
             &ch)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, k);
    sqlite3_bind_int64(ch, 1, log_id_prefix(id));
    sqlite3_bind_blob(ch, 2, id, HASH_LEN, SQLITE_STATIC);
    /* Find the record before delivering anything: a missing one is an
     * answer of its own, not an empty row set. */
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
        goto out;
    }
    sqlite3_reset(st);
    if ((rc = view__run_hidden(st, 1, record, NULL, &n)) != 0)
        goto out;
    if (n == 0) {
        rc = ILONET_ENOTFOUND; /* gone between the two steps */
        goto out;
    }
    if (history) {
        struct view__hist hh = {history};
        struct view_sink hs = {view__hist_columns, view__hist_row, &hh};
        rc = view__run(ch, &hs, NULL, NULL);
    } else {
        rc = view__run(ch, NULL, NULL, NULL);
    }
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ch);
    textbuf_free(&sql);
    return rc;
}

int
view_change_find(struct store *s, const char *prefix,
                 const struct view_sink *out)
{
    struct view__page pg;
    sqlite3_stmt *st = NULL;
    char like[2 * HASH_LEN + 2];
    size_t n = prefix ? strlen(prefix) : 0, count = 0;
    int rc;

    if (n < 6 || n > 2 * HASH_LEN)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)prefix[i]))
            return ILONET_EINVAL;
        like[i] = (char)tolower((unsigned char)prefix[i]);
    }
    like[n] = '%';
    like[n + 1] = '\0';
    if ((rc = view__prepare(s, "SELECT * FROM changes WHERE id LIKE ?", &st)) !=
        0)
        return rc;
    sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    /* the first match only: a page of one, with no sort keys */
    memset(&pg, 0, sizeof(pg));
    pg.pg_limit = 1;
    pg.pg_tag = "";
    rc = view__run(st, out, &pg, &count);
    sqlite3_finalize(st);
    if (rc == 0 && count == 0)
        rc = ILONET_ENOTFOUND;
    return rc;
}

/* ---- counts, recent, grants, evidence ------------------------------------ */

/* Both from the counts the view keeps per kind, category and month
 * (v_counts, view_index.c): the same numbers as counting the lists. */
int
view_counts_by_month(struct store *s, const struct view_sink *out)
{
    int64_t kind = KIND_OBSERVATION;
    int rc;

    /* inside a writer's transaction: its kept changes first */
    if ((rc = view__counts_flush(s)) != 0)
        return rc;
    return view__simple(s,
                        "SELECT nullif(cat, '') AS category, month, n FROM"
                        " v_counts WHERE kind = ? AND n > 0 ORDER BY 2, 1",
                        &kind, 1, out);
}

/* the kept counts of each kind of the overview, and the grants */
static const char view__by_kind_sql[] =
    "SELECT"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 2) AS "
    "observations,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 3) AS meetings,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 4) AS trainings,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 5) AS carriers,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 6) AS contacts,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 7) AS postings,"
    " (SELECT coalesce(sum(n), 0) FROM v_counts WHERE kind = 11) AS tasks,"
    " (SELECT count(*) FROM grants) AS grants";

int
view_counts_by_kind(struct store *s, const struct view_sink *out)
{
    int rc;

    if ((rc = view__counts_flush(s)) != 0)
        return rc;
    return view__simple(s, view__by_kind_sql, NULL, 0, out);
}

int
view_recent(struct store *s, uint64_t limit, const struct view_sink *out)
{
    int64_t l = limit > INT64_MAX ? INT64_MAX : (int64_t)limit;
    struct textbuf sql = {0}, rec = {0};
    sqlite3_stmt *st = NULL;
    int rc, any = 0;

    /* The newest of each kind is an index range (v_rec_time): take the
     * limit newest of every kind, then the limit newest of those. */
    if ((rc = view__view_select(s, "records", "hlc AS _h, ms AS _ms", &rec)) !=
        0)
        goto out;
    textbuf_puts(&sql, "SELECT * FROM (");
    for (size_t i = 0; i < VIEW__NLISTS; i++) {
        if (!view__lists[i].vl_kind)
            continue;
        textbuf_printf(&sql,
                       "%sSELECT * FROM (SELECT _h, id, kind, state,"
                       " author_state, audience, time_ms, status, valid,"
                       " coalesce(summary, title, topics, counterpart,"
                       " carrier, post, semester) AS summary, category FROM"
                       " (%s) WHERE kind = %u ORDER BY _ms DESC, _h DESC, id"
                       " LIMIT ?1)",
                       any++ ? " UNION ALL " : "", rec.tb_data,
                       (unsigned)view__lists[i].vl_kind);
    }
    textbuf_puts(&sql, ") ORDER BY _h DESC, id LIMIT ?1");
    if (sql.tb_err || rec.tb_err) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = view__prepare(s, sql.tb_data, &st)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, l);
    rc = view__run_hidden(st, 1, out, NULL, NULL);
out:
    sqlite3_finalize(st);
    textbuf_free(&sql);
    textbuf_free(&rec);
    return rc;
}

int
view_grants(struct store *s, uint64_t now_ms, const struct view_sink *out)
{
    int64_t now = now_ms > INT64_MAX ? INT64_MAX : (int64_t)now_ms;

    /* One row per grant: the same envelope published by both states (or
     * twice) is one grant. The row shown is a valid publication if there
     * is one (net first); published_by names every publishing state; it
     * is in force if any publication makes it so. */
    return view__simple(
        s,
        "SELECT id, represented, representing, scope, not_before, not_after,"
        " audience, (SELECT group_concat(p, ',') FROM (SELECT DISTINCT"
        " published_by AS p FROM grants g2 WHERE g2.id = g.id ORDER BY p)) AS"
        " published_by, valid, why, revoked_at_ms, in_force FROM (SELECT *,"
        " max(valid = 1 AND not_before <= ?1 / 1000 AND not_after >= ?1 /"
        " 1000 AND (revoked_at_ms IS NULL OR revoked_at_ms > ?1)) OVER"
        " (PARTITION BY id) AS in_force, row_number() OVER (PARTITION BY id"
        " ORDER BY valid DESC, audience <> 'net', audience, published_by) AS"
        " rn FROM grants) g WHERE rn = 1 ORDER BY represented, representing,"
        " id",
        &now, 1, out);
}

int
view_evidence(struct store *s, const struct view_sink *out)
{
    return view__simple(s,
                        "SELECT lower(hex(log_id)) AS log, seq, "
                        "lower(hex(author)) AS author, audience, "
                        "lower(hex(id_a)) AS entry_a, lower(hex(id_b)) AS "
                        "entry_b, author AS author_key FROM evidence ORDER "
                        "BY log_id, seq",
                        NULL, 0, out);
}

int
view_quarantine(struct store *s, const struct view_sink *out)
{
    return view__simple(s,
                        "SELECT lower(hex(log_id)) AS log, seq, "
                        "lower(hex(entry_id)) AS entry, code, until_ms FROM "
                        "quarantine ORDER BY log_id, seq",
                        NULL, 0, out);
}

/* ---- guarded queries ----------------------------------------------------- */

/* Pragmas a query may run: without an argument they only read. */
static const char *const view__pragmas_read[] = {
    "application_id",    "collation_list",
    "compile_options",   "data_version",
    "database_list",     "encoding",
    "foreign_key_check", "foreign_key_list",
    "freelist_count",    "function_list",
    "index_info",        "index_list",
    "index_xinfo",       "integrity_check",
    "journal_mode",      "module_list",
    "page_count",        "page_size",
    "pragma_list",       "quick_check",
    "schema_version",    "table_info",
    "table_list",        "table_xinfo",
    "user_version",      NULL,
};
/* Those whose argument names what to read (a table, an index, a limit). */
static const char *const view__pragmas_arg[] = {
    "foreign_key_check", "foreign_key_list", "index_info",  "index_list",
    "index_xinfo",       "integrity_check",  "quick_check", "table_info",
    "table_list",        "table_xinfo",      NULL,
};
/* Functions that reach outside a read: fts3_tokenizer() hands out and
 * takes function pointers, load_extension() loads code, fts5() returns
 * an API pointer. (Debian's SQLite has FTS3 and FTS5 built in.) */
static const char *const view__functions_refused[] = {
    "fts3_tokenizer",
    "load_extension",
    "fts5",
    NULL,
};

static int
view__in(const char *const *list, const char *name)
{
    for (size_t i = 0; name && list[i]; i++)
        if (sqlite3_stricmp(list[i], name) == 0)
            return 1;
    return 0;
}

struct view__guard {
    char *g_why;
    size_t g_wl;
    int g_refused; /* ILONET_EPERM once something was refused */
    int g_first;   /* the first action authorised: the statement's */
    uint64_t g_ticks, g_max_ticks;
};

static const char view__readonly_msg[] =
    "read-only: the view cannot be changed by SQL (use the writing "
    "commands)";

static int view__refuse(struct view__guard *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keeps the first refusal's reason (one line) and denies. */
static int
view__refuse(struct view__guard *g, const char *fmt, ...)
{
    va_list ap;

    if (!g->g_refused) {
        va_start(ap, fmt);
        vsnprintf(g->g_why, g->g_wl, fmt, ap);
        va_end(ap);
        g->g_refused = ILONET_EPERM;
    }
    return SQLITE_DENY;
}

/* The authorizer of view_query(): reads only (see view.h). */
static int
view__authorize(void *arg, int action, const char *a3, const char *a4,
                const char *db, const char *trigger)
{
    struct view__guard *g = arg;
    int first = g->g_first;

    (void)db;
    (void)trigger;
    if (!g->g_first)
        g->g_first = action;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE: return SQLITE_OK;
    case SQLITE_READ:
        /* table-valued pragma functions read pragma_<name> */
        if (a3 && strncmp(a3, "pragma_", 7) == 0 &&
            !view__in(view__pragmas_read, a3 + 7))
            return view__refuse(g,
                                "%s: refused: a query runs only pragmas that"
                                " read (such as user_version or"
                                " table_info)",
                                a3);
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        if (view__in(view__functions_refused, a4))
            return view__refuse(g,
                                "%s(): refused: a query may not call this "
                                "function",
                                a4);
        return SQLITE_OK;
    case SQLITE_PRAGMA:
        if (a4 ? view__in(view__pragmas_arg, a3)
               : view__in(view__pragmas_read, a3))
            return SQLITE_OK;
        if (a4)
            return view__refuse(g,
                                "PRAGMA %s = %s: refused: a query changes no "
                                "setting (pragmas that read only, such as "
                                "user_version or table_info)",
                                a3 ? a3 : "", a4);
        return view__refuse(g,
                            "PRAGMA %s: refused: a query runs only pragmas "
                            "that read (such as user_version or "
                            "table_info)",
                            a3 ? a3 : "");
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        return view__refuse(g, "ATTACH and DETACH are refused: a query "
                               "reads this store only");
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        return view__refuse(g,
                            "%s: refused: a query is one read-only statement,"
                            " not a transaction",
                            action == SQLITE_SAVEPOINT ? "SAVEPOINT"
                            : a3                       ? a3
                                                       : "BEGIN");
    case SQLITE_UPDATE:
        /* A SELECT from a table-valued pragma function registers the
         * function's table in the schema as it compiles: SQLite asks for
         * these columns of sqlite_master. Nothing is written (the
         * statement is still checked read-only, and query_only holds). */
        if (first == SQLITE_SELECT && a3 &&
            (strcmp(a3, "sqlite_master") == 0 ||
             strcmp(a3, "sqlite_temp_master") == 0))
            return SQLITE_OK;
        return view__refuse(g, "%s", view__readonly_msg);
    default:
        /* every other action creates, drops, inserts, deletes, alters,
         * reindexes or analyses: writes */
        return view__refuse(g, "%s", view__readonly_msg);
    }
}

static int
view__progress(void *arg)
{
    struct view__guard *g = arg;

    return ++g->g_ticks > g->g_max_ticks;
}

/* The connection settings view_query() changes, to put back after. */
struct view__saved {
    int sv_defensive, sv_fts3, sv_attached, sv_query_only;
};

static int
view__pragma_int(sqlite3 *db, const char *sql, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *v = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : ILONET_EIO;
}

/* Reads the settings view_query() changes into sv; 0 or ILONET_EIO. */
static int
view__guard_save(sqlite3 *db, struct view__saved *sv)
{
    sv->sv_attached = -1; /* sqlite3_limit(..., -1) changes nothing */
    if (view__pragma_int(db, "PRAGMA query_only", &sv->sv_query_only) != 0 ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1,
                          &sv->sv_defensive) != SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, -1,
                          &sv->sv_fts3) != SQLITE_OK)
        return ILONET_EIO;
    return 0;
}

static int
view__guard_on(sqlite3 *db, struct view__guard *g, struct view__saved *sv)
{
    if (sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) !=
            SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL) !=
            SQLITE_OK)
        return ILONET_EIO;
    sv->sv_attached = sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_set_authorizer(db, view__authorize, g);
    sqlite3_progress_handler(db, VIEW__TICK, view__progress, g);
    return 0;
}

/* Puts back what view__guard_save() read (also after a partial
 * view__guard_on()). */
static void
view__guard_off(sqlite3 *db, const struct view__saved *sv)
{
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_set_authorizer(db, NULL, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, sv->sv_attached);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, sv->sv_fts3,
                      NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, sv->sv_defensive, NULL);
    if (!sv->sv_query_only)
        sqlite3_exec(db, "PRAGMA query_only = 0", NULL, NULL, NULL);
}

/* The caller's sink, behind one that notes whether it stopped the read
 * (so a stop is not taken for an SQLite error). */
struct view__relay {
    const struct view_sink *rl_out;
    int rl_stopped;
};

static int
view__relay_columns(void *arg, const struct view_row *names)
{
    struct view__relay *r = arg;
    int rc = r->rl_out && r->rl_out->vs_columns
                 ? r->rl_out->vs_columns(r->rl_out->vs_arg, names)
                 : 0;

    r->rl_stopped = rc != 0;
    return rc;
}

static int
view__relay_row(void *arg, const struct view_row *row)
{
    struct view__relay *r = arg;
    int rc = r->rl_out && r->rl_out->vs_row
                 ? r->rl_out->vs_row(r->rl_out->vs_arg, row)
                 : 0;

    r->rl_stopped = rc != 0;
    return rc;
}

int
view_query(struct store *s, const char *sql, uint64_t max_steps,
           const struct view_sink *out, char *why, size_t wl)
{
    char dummy[1];
    struct view__guard g;
    struct view__saved sv;
    struct view__relay relay = {out, 0};
    struct view_sink sink = {view__relay_columns, view__relay_row, &relay};
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc;

    if (!why || !wl) {
        why = dummy;
        wl = sizeof(dummy);
    }
    why[0] = '\0';
    if (!s || !sql) {
        snprintf(why, wl, "no SQL statement");
        return ILONET_EINVAL;
    }
    db = store_db(s);
    memset(&g, 0, sizeof(g));
    g.g_why = why;
    g.g_wl = wl;
    g.g_max_ticks = (max_steps ? max_steps : VIEW_QUERY_STEPS) / VIEW__TICK;
    if (g.g_max_ticks == 0)
        g.g_max_ticks = 1;
    if ((rc = view__guard_save(db, &sv)) != 0) {
        snprintf(why, wl, "store: %s", sqlite3_errmsg(db));
        return rc;
    }
    if ((rc = view__guard_on(db, &g, &sv)) != 0) {
        snprintf(why, wl, "store: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
        if (g.g_refused) {
            rc = g.g_refused;
        } else {
            snprintf(why, wl, "%s", sqlite3_errmsg(db));
            rc = ILONET_EINVAL;
        }
        goto out;
    }
    while (tail && isspace((unsigned char)*tail))
        tail++;
    if (!st || (tail && *tail && *tail != ';')) {
        snprintf(why, wl, "one SQL statement expected");
        rc = ILONET_EINVAL;
        goto out;
    }
    /* VACUUM (INTO) reaches no authorizer: the VM check catches it */
    if (!sqlite3_stmt_readonly(st)) {
        snprintf(why, wl, "%s", view__readonly_msg);
        rc = ILONET_EPERM;
        goto out;
    }
    rc = view__run(st, &sink, NULL, NULL);
    if (rc != 0 && !relay.rl_stopped) {
        if (g.g_ticks > g.g_max_ticks) {
            snprintf(why, wl,
                     "stopped after %llu steps: over the query budget (a "
                     "recursive query that never ends?)",
                     (unsigned long long)g.g_max_ticks * VIEW__TICK);
            rc = ILONET_ETOOBIG;
        } else {
            snprintf(why, wl, "%s", sqlite3_errmsg(db));
        }
    }
out:
    sqlite3_finalize(st);
    view__guard_off(db, &sv);
    return rc;
}
