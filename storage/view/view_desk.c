/* view_desk.c - marks of what the node held, and the desk's reads (new items,
 * tasks, expiring grants). */
#include "view_desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
#include "view_int.h"

/* One log's place in a mark. */
struct view__markpos {
    int64_t mp_lid;
    int64_t mp_seq;
};

/* Parses mark into at most VIEW_MARK_LOGS positions (*n of them). */
static int
view__mark_parse(const char *mark, struct view__markpos *v, size_t *n)
{
    const char *p = mark;

    *n = 0;
    if (!mark || strlen(mark) >= VIEW_MARK_MAX)
        return ILONET_EINVAL;
    while (*p) {
        unsigned long long lid, seq;
        char *e;

        if (*n == VIEW_MARK_LOGS ||
            !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return ILONET_EINVAL;
        lid = strtoull(p, &e, 16);
        if (*e != '.' || e - p > 12)
            return ILONET_EINVAL;
        p = e + 1;
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return ILONET_EINVAL;
        seq = strtoull(p, &e, 16);
        if ((*e != '_' && *e) || e - p > 8 ||
            (*n && (int64_t)lid <= v[*n - 1].mp_lid))
            return ILONET_EINVAL; /* in order, each log once */
        v[*n].mp_lid = (int64_t)lid;
        v[*n].mp_seq = (int64_t)seq;
        (*n)++;
        p = *e ? e + 1 : e;
        if (*e && !*p)
            return ILONET_EINVAL; /* a trailing '_' */
    }
    return 0;
}

int
view_mark_valid(const char *mark)
{
    struct view__markpos *v = malloc(VIEW_MARK_LOGS * sizeof(*v));
    size_t n;
    int ok;

    if (!v)
        return 0;
    ok = view__mark_parse(mark, v, &n) == 0;
    free(v);
    return ok;
}

int
view_mark(struct store *s, char out[static VIEW_MARK_MAX])
{
    sqlite3_stmt *st = store_stmt(s, "SELECT lid, head_seq FROM logs WHERE"
                                     " head_seq > 0 ORDER BY lid");
    size_t off = 0, n = 0;
    int rc;

    if (!st)
        return ILONET_EIO;
    out[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int w;

        if (n++ == VIEW_MARK_LOGS) {
            sqlite3_reset(st);
            return ILONET_ETOOBIG;
        }
        w = snprintf(out + off, VIEW_MARK_MAX - off, "%s%llx.%llx",
                     off ? "_" : "",
                     (unsigned long long)sqlite3_column_int64(st, 0),
                     (unsigned long long)sqlite3_column_int64(st, 1));
        if (w < 0 || (size_t)w >= VIEW_MARK_MAX - off) {
            sqlite3_reset(st);
            return ILONET_ETOOBIG;
        }
        off += (size_t)w;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* Steps st to the end: columns, then each row, to out (may be NULL),
 * the first limit rows (0: all) and the others only counted into *n (may
 * be NULL) or, with total, *n from the first row's first column (the
 * statement counts); the first `hidden` columns (keys the plan needs, the
 * total) are left out. */
static int
view__desk_run_n(sqlite3_stmt *st, int hidden, uint64_t limit, int total,
                 const struct view_sink *out, uint64_t *n)
{
    struct view_cell cells[32];
    struct view_row row = {0, cells};
    int nc = sqlite3_column_count(st) - hidden, rc = 0, step;
    uint64_t rows = 0;

    if (nc > 32 || nc < 0)
        return ILONET_EIO;
    memset(cells, 0, sizeof(cells));
    for (int i = 0; i < nc; i++)
        cells[i].ce_name = sqlite3_column_name(st, hidden + i);
    row.rw_ncells = (size_t)nc;
    if (out && out->vs_columns &&
        (rc = out->vs_columns(out->vs_arg, &row)) != 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (total && rows == 0 && n)
            *n = (uint64_t)sqlite3_column_int64(st, 0);
        if (++rows > limit && limit)
            continue; /* counted, not read */
        for (int i = 0; i < nc; i++) {
            cells[i].ce_name = sqlite3_column_name(st, hidden + i);
            if ((rc = view__cell(st, hidden + i, &cells[i])) != 0)
                return rc;
        }
        if (out && out->vs_row && (rc = out->vs_row(out->vs_arg, &row)) != 0)
            return rc;
    }
    if (n && !total)
        *n = rows;
    else if (n && rows == 0)
        *n = 0; /* the counting statement returned no row */
    return step == SQLITE_DONE ? 0 : store_err(step);
}

static int
view__desk_run(sqlite3_stmt *st, int hidden, const struct view_sink *out)
{
    return view__desk_run_n(st, hidden, 0, 0, out, NULL);
}

/* "WITH m(lid, seq) AS (...)" for n positions (parameters 1..2n). */
static void
view__mark_cte(struct textbuf *sql, size_t n)
{
    textbuf_puts(sql, "WITH m(lid, seq) AS (");
    if (n == 0)
        textbuf_puts(sql, "SELECT NULL, NULL WHERE 0");
    for (size_t i = 0; i < n; i++)
        textbuf_printf(sql, "%s(?%d, ?%d)", i ? ", " : "VALUES ",
                       2 * (int)i + 1, 2 * (int)i + 2);
    textbuf_puts(sql, ")");
}

/* Prepares cte + text with the mark's positions bound. */
static int
view__mark_prepare(struct store *s, const struct view__markpos *v, size_t n,
                   const char *text, sqlite3_stmt **st)
{
    struct textbuf sql = {0};
    int rc = 0;

    view__mark_cte(&sql, n);
    textbuf_puts(&sql, text);
    if (sql.tb_err)
        rc = ILONET_ENOMEM;
    else if (sqlite3_prepare_v2(store_db(s), sql.tb_data, -1, st, NULL) !=
             SQLITE_OK)
        rc = ILONET_EIO;
    textbuf_free(&sql);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(*st, 2 * (int)i + 1, v[i].mp_lid);
        sqlite3_bind_int64(*st, 2 * (int)i + 2, v[i].mp_seq);
    }
    return rc;
}

int
view_since(struct store *s, const char *mark, uint64_t limit,
           const struct view_sink *out, uint64_t *count)
{
    /* Per log, the rows past its head in the mark: a range of v_rec's
     * key (lid << 32 | seq), so the cost is the new rows, not the view. */
    static const char from[] =
        " FROM logs l LEFT JOIN m ON m.lid = l.lid CROSS JOIN v_records r ON"
        " r.k > ((l.lid << 32) | coalesce(m.seq, 0)) AND r.k < ((l.lid + 1)"
        " << 32) WHERE r.valid = 1 AND r.status = 'active'";
    struct view__markpos *v = NULL;
    char text[1024];
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc, step;

    if (!(v = malloc(VIEW_MARK_LOGS * sizeof(*v))))
        return ILONET_ENOMEM;
    if ((rc = view__mark_parse(mark, v, &n)) != 0)
        goto out;
    snprintf(text, sizeof(text),
             " SELECT lower(hex(r.id)) AS id, r.kind AS kind, r.owner AS"
             " state, r.author_state AS author_state, r.audience AS audience,"
             " r.hlc >> 16 AS time_ms, r.status AS status, r.valid AS valid,"
             " coalesce(r.summary, r.title, r.topics, r.counterpart,"
             " r.carrier, r.post, r.semester) AS summary, r.category AS"
             " category%s ORDER BY r.hlc DESC, r.id LIMIT %lld",
             from, (long long)(limit > INT32_MAX ? INT32_MAX : limit));
    if ((rc = view__mark_prepare(s, v, n, text, &st)) != 0 ||
        (rc = view__desk_run(st, 0, out)) != 0)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    if (count) {
        snprintf(text, sizeof(text), " SELECT count(*)%s", from);
        if ((rc = view__mark_prepare(s, v, n, text, &st)) != 0)
            goto out;
        if ((step = sqlite3_step(st)) != SQLITE_ROW) {
            rc = store_err(step);
            goto out;
        }
        *count = (uint64_t)sqlite3_column_int64(st, 0);
    }
out:
    sqlite3_finalize(st);
    free(v);
    return rc;
}

/* The desk's tasks from the tasks view alone: open, accepted or started,
 * assigned to the state (?1 among "for", a comma list) or created by it. */
static const char view__desk_tasks_plain[] =
    "SELECT *, CASE WHEN instr(',' || coalesce(\"for\", '') || ',', ',' ||"
    " ?1 || ',') > 0 THEN 'assignee' ELSE 'creator' END AS role FROM tasks"
    " WHERE status IN ('open', 'accept', 'start') AND (instr(',' ||"
    " coalesce(\"for\", '') || ',', ',' || ?1 || ',') > 0 OR creator = ?1)"
    " ORDER BY due IS NULL, due, time_ms, id";

/* The same through index v_rec_desk, which holds the live tasks that are
 * open, accepted or started, in the desk's order (no due date last, then
 * due date and time) with their assignees (%s) and creator beside: the
 * state's among them without reading a row. An assignee is ?1 in a comma
 * list; the plain instr() first passes only the lists that hold the
 * letters at all, so the list is made into a string for few rows. */
static const char view__desk_tasks_mine[] =
    " FROM v_rec INDEXED BY v_rec_desk WHERE kind = %u AND valid = 1 AND"
    " status = 'active' AND task_status IN ('open', 'accept', 'start') AND"
    " (owner = ?1 OR (instr(%s, ?1) > 0 AND instr(',' || %s || ',', ',' ||"
    " ?1 || ',') > 0))";
#define VIEW__DESK_ROLE                                                        \
    "CASE WHEN instr(',' || coalesce(t.\"for\", '') || ',', ',' || ?1 ||"      \
    " ',') > 0 THEN 'assignee' ELSE 'creator' END AS role"

/* The desk's tasks through the index into sql; its first column is the
 * key, which view__desk_run() leaves out. The keys, due dates and times
 * of the state's tasks come from the index alone (o). With a limit (?2,
 * > 0): the order's key of the limit-th of them, read in the index's
 * order (cut), and only the tasks up to that key (ties included) looked up
 * in the view and sorted; the first column is then the number of all of
 * them, the key the second. ILONET_ENOTFOUND when the index or a slot is
 * missing (a vocabulary without tasks has neither; an index dropped
 * behind the connection's back is rebuilt at the next open). */
static int
view__desk_tasks_sql(struct store *s, uint64_t limit, struct textbuf *sql)
{
    char as[8], due[8];

    if (view__slot_col(view__vocab(s), KIND_TASK, "assignees", as) != 0 ||
        view__slot_col(view__vocab(s), KIND_TASK, "due", due) != 0 ||
        !view__has_index(s, "v_rec_desk"))
        return ILONET_ENOTFOUND;
    textbuf_printf(sql,
                   "WITH o AS MATERIALIZED (SELECT k, %s IS NULL AS n,"
                   " coalesce(%s, '') AS d, ms",
                   due, due);
    textbuf_printf(sql, view__desk_tasks_mine, (unsigned)KIND_TASK, as, as);
    if (!limit) {
        textbuf_puts(sql,
                     ") SELECT t.*, " VIEW__DESK_ROLE " FROM o CROSS JOIN (");
    } else {
        textbuf_printf(sql,
                       "), cut AS (SELECT %s IS NULL AS n, coalesce(%s,"
                       " '') AS d, ms",
                       due, due);
        textbuf_printf(sql, view__desk_tasks_mine, (unsigned)KIND_TASK, as, as);
        textbuf_printf(
            sql,
            " ORDER BY %s IS NULL, %s, ms LIMIT 1 OFFSET ?2 - 1)"
            " SELECT (SELECT count(*) FROM o) AS _n, t.*, " VIEW__DESK_ROLE
            " FROM o CROSS JOIN (",
            due, due);
    }
    if (view__view_select(s, "tasks", "k AS _k", sql) != 0)
        return ILONET_EIO;
    textbuf_puts(sql, ") AS t ON t._k = o.k");
    if (limit)
        textbuf_puts(sql, " WHERE NOT EXISTS (SELECT 1 FROM cut) OR (o.n,"
                          " o.d, o.ms) <= (SELECT n, d, ms FROM cut)");
    textbuf_puts(sql, " ORDER BY t.due IS NULL, t.due, t.time_ms, t.id");
    if (limit)
        textbuf_puts(sql, " LIMIT ?2");
    return sql->tb_err ? ILONET_ENOMEM : 0;
}

int
view_desk_tasks(struct store *s, const char *state, uint64_t limit,
                const struct view_sink *out, uint64_t *count)
{
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL;
    int rc, hidden = 1, cut = limit != 0;

    if (!state || limit > INT64_MAX)
        return ILONET_EINVAL;
    if ((rc = view__desk_tasks_sql(s, limit, &sql)) == ILONET_ENOTFOUND) {
        textbuf_free(&sql);
        memset(&sql, 0, sizeof(sql));
        textbuf_puts(&sql, view__desk_tasks_plain);
        hidden = 0;
        cut = 0;
        rc = sql.tb_err ? ILONET_ENOMEM : 0;
    }
    if (rc == 0 && sqlite3_prepare_v2(store_db(s), sql.tb_data, -1, &st,
                                      NULL) != SQLITE_OK)
        rc = ILONET_EIO;
    textbuf_free(&sql);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    if (cut) {
        /* the statement cuts at the limit and counts them all */
        sqlite3_bind_int64(st, 2, (int64_t)limit);
        rc = view__desk_run_n(st, 2, 0, 1, out, count);
    } else {
        /* all of them sorted, the first limit read: the rest only
         * counted */
        rc = view__desk_run_n(st, hidden, limit, 0, out, count);
    }
    sqlite3_finalize(st);
    return rc;
}

int
view_grants_expiring(struct store *s, uint64_t now_ms, unsigned days,
                     const struct view_sink *out)
{
    sqlite3_stmt *st = NULL;
    int64_t now = now_ms > INT64_MAX ? INT64_MAX : (int64_t)now_ms;
    int rc;

    if (sqlite3_prepare_v2(
            store_db(s),
            "SELECT id, represented, representing, scope, not_before,"
            " not_after, audience, published_by, (not_after - ?1 / 1000) /"
            " 86400 AS days_left FROM (SELECT id, represented, representing,"
            " scope, not_before, not_after, audience, (SELECT group_concat(p,"
            " ',') FROM (SELECT DISTINCT published_by AS p FROM grants g2"
            " WHERE g2.id = g.id ORDER BY p)) AS published_by, row_number()"
            " OVER (PARTITION BY id ORDER BY audience <> 'net', audience) AS"
            " rn FROM grants g WHERE valid = 1 AND not_before <= ?1 / 1000"
            " AND not_after >= ?1 / 1000 AND (revoked_at_ms IS NULL OR"
            " revoked_at_ms > ?1)) WHERE rn = 1 AND not_after <= ?1 / 1000 +"
            " ?2 * 86400 ORDER BY not_after, id",
            -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, (int64_t)days);
    rc = view__desk_run(st, 0, out);
    sqlite3_finalize(st);
    return rc;
}
