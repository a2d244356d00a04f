/* test_desk.c - the view's reads at scale give exactly what the plain SQL views
 * give: lists, pages, counts, records, the cached hash. */
/*
 * storage/view/view_index.c adds indexes, counts kept by triggers and a
 * cache of the view hash; view_read.c reads through them. None of it may
 * change an answer. Each case builds a desk store with tests/tools/desk_gen
 * (records of every kind by 28 states over ten years, with amendments,
 * retractions, erasures, task changes, grants) and compares what the read
 * API returns with what a plain query over the people's SQL views returns,
 * the way every read worked before the indexes. Needs ILONET_TOOLS.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "node/app/app.h"
#include "proc.h"
#include "storage/store_int.h"
#include "storage/view/view_search.h"
#include "test.h"

#define GEN_RECORDS 2500
#define MAXROWS 4096

/* ---- fixture ---------------------------------------------------------- */

struct desk {
    char d_dir[600];
    struct home d_home;
};

static void
desk_open(struct desk *d, const char *tag, unsigned records)
{
    char *dir = test_tmpdir(tag), out[1024];

    snprintf(d->d_dir, sizeof(d->d_dir), "%s/d", dir);
    free(dir);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s/desk_gen %s %u 7", proc_tools(),
                       d->d_dir, records),
              0);
    ASSERT(strstr(out, "gen_records=") != NULL);
    {
        char home[700];
        snprintf(home, sizeof(home), "%s/home", d->d_dir);
        ASSERT_OK(home_open(&d->d_home, home, HOME_STORE));
    }
}

static struct store *
desk_store(struct desk *d)
{
    return d->d_home.h_store;
}

/* ---- collecting rows ---------------------------------------------------- */

/* Every row of a read as one line of text (cells joined with '|'). */
struct rows {
    size_t n;
    char *line[MAXROWS];
};

static void
rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->line[i]);
    r->n = 0;
}

static void
cell_text(const struct view_cell *c, char *out, size_t cap)
{
    switch (c->ce_type) {
    case VIEW_INT: snprintf(out, cap, "%lld", (long long)c->ce_int); break;
    case VIEW_REAL: snprintf(out, cap, "%s", c->ce_text); break;
    case VIEW_TEXT: snprintf(out, cap, "%s", c->ce_text); break;
    case VIEW_BLOB:
        for (size_t i = 0; i < c->ce_len && 2 * i + 2 < cap; i++)
            snprintf(out + 2 * i, cap - 2 * i, "%02x", c->ce_blob[i]);
        break;
    default: snprintf(out, cap, "NULL");
    }
}

static int
rows_add(void *arg, const struct view_row *row)
{
    struct rows *r = arg;
    char line[8192], cell[4096];
    size_t off = 0;

    if (r->n == MAXROWS)
        return 0;
    for (size_t i = 0; i < row->rw_ncells && off < sizeof(line); i++) {
        cell_text(&row->rw_cells[i], cell, sizeof(cell));
        off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s=%s",
                                i ? "|" : "", row->rw_cells[i].ce_name, cell);
    }
    r->line[r->n] = strdup(line);
    ASSERT(r->line[r->n] != NULL);
    r->n++;
    return 0;
}

/* The string under "officer" in an entry payload p (len bytes) into out,
 * or 0 when it has none (the history's officer column, docs/API.md). */
static int
payload_officer(const uint8_t *p, size_t len, char *out, size_t cap)
{
    struct wire_rd r;
    uint64_t pairs;

    wire_rd_init(&r, p, len, ILONET_EMALFORMED);
    if (!p || wire_rd_map(&r, &pairs) != 0)
        return 0;
    for (uint64_t i = 0; i < pairs; i++) {
        const char *k, *v;
        size_t kn, vn;

        if (wire_rd_str(&r, &k, &kn) != 0)
            return 0;
        if (kn == 7 && memcmp(k, "officer", 7) == 0) {
            if (wire_rd_peek(&r) != WIRE_T_STR ||
                wire_rd_str(&r, &v, &vn) != 0 || vn >= cap ||
                memchr(v, '\0', vn))
                return 0;
            memcpy(out, v, vn);
            out[vn] = '\0';
            return 1;
        }
        if (wire_rd_skip(&r) != 0)
            return 0;
    }
    return 0;
}

/* The rows of a plain query (printf-style; text binds as ?1.. from the
 * NULL-terminated varargs). A blob column named "officer" is a change's
 * entry payload: it reads as the officer the payload names, or NULL. */
static void
ref_query(struct store *s, struct rows *r, const char *sql, ...)
{
    struct view_sink sink = {NULL, rows_add, r};
    sqlite3_stmt *st = NULL;
    struct view_cell cells[64];
    char officer[256];
    va_list ap;
    int rc, nc;

    r->n = 0;
    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    va_start(ap, sql);
    for (int i = 1;; i++) {
        const char *v = va_arg(ap, const char *);
        if (!v)
            break;
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    nc = sqlite3_column_count(st);
    ASSERT(nc <= 64);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct view_row row = {(size_t)nc, cells};
        for (int i = 0; i < nc; i++) {
            memset(&cells[i], 0, sizeof(cells[i]));
            cells[i].ce_name = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                cells[i].ce_type = VIEW_INT;
                cells[i].ce_int = sqlite3_column_int64(st, i);
                break;
            case SQLITE_FLOAT:
                cells[i].ce_type = VIEW_REAL;
                cells[i].ce_text = (const char *)sqlite3_column_text(st, i);
                break;
            case SQLITE_TEXT:
                cells[i].ce_type = VIEW_TEXT;
                cells[i].ce_text = (const char *)sqlite3_column_text(st, i);
                break;
            case SQLITE_BLOB:
                if (strcmp(cells[i].ce_name, "officer") == 0) {
                    if (payload_officer(sqlite3_column_blob(st, i),
                                        (size_t)sqlite3_column_bytes(st, i),
                                        officer, sizeof(officer))) {
                        cells[i].ce_type = VIEW_TEXT;
                        cells[i].ce_text = officer;
                    } else {
                        cells[i].ce_type = VIEW_NULL;
                    }
                    break;
                }
                cells[i].ce_type = VIEW_BLOB;
                cells[i].ce_blob = sqlite3_column_blob(st, i);
                cells[i].ce_len = (size_t)sqlite3_column_bytes(st, i);
                break;
            default: cells[i].ce_type = VIEW_NULL;
            }
        }
        sink.vs_row(sink.vs_arg, &row);
    }
    ASSERT_EQ(rc, SQLITE_DONE);
    sqlite3_finalize(st);
}

static void
rows_same(const struct rows *a, const struct rows *b)
{
    ASSERT_EQ(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        ASSERT_STR_EQ(a->line[i], b->line[i]);
}

/* rows_same, naming the case that differs. */
static void
rows_same_as(const struct rows *a, const struct rows *b, const char *what)
{
    if (a->n != b->n)
        TEST_FAIL_("%s: %zu rows, not %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->line[i], b->line[i]) != 0)
            TEST_FAIL_("%s: row %zu differs:\n  %s\n  %s", what, i, a->line[i],
                       b->line[i]);
}

/* ---- lists --------------------------------------------------------------- */

/* A list as the read API pages it, pages of `page` rows (0: one read),
 * concatenated; fails if a cursor repeats or a page is over-full. */
static void
api_list(struct store *s, struct view_list_req rq, uint64_t page,
         struct rows *out)
{
    struct view_sink sink = {NULL, rows_add, out};
    struct view_list_res res;
    char after[VIEW_CURSOR_MAX];
    size_t pages = 0;

    out->n = 0;
    rq.lr_limit = page;
    for (;;) {
        size_t before = out->n;
        ASSERT_OK(view_list(s, &rq, &sink, &res));
        ASSERT_EQ(res.ls_count, out->n - before);
        if (page)
            ASSERT(res.ls_count <= page);
        if (!res.ls_next[0])
            break;
        ASSERT_EQ(res.ls_count, page);
        ASSERT(!rq.lr_after || strcmp(rq.lr_after, res.ls_next) != 0);
        snprintf(after, sizeof(after), "%s", res.ls_next);
        rq.lr_after = after;
        ASSERT(++pages < MAXROWS);
    }
}

/* The same list as a plain query over the list's SQL view: the filters as
 * view_list() wrote them before it read through the indexes (the period:
 * the event days overlap it, an open end is open; the order: event day,
 * time written, id). */
struct filt {
    const char *f_list, *f_view, *f_state_col, *f_from, *f_to, *f_text;
    const char *f_order_list;
};

static const struct filt filts[] = {
    {"observations", "observations", "state", "event_from",
     "coalesce(event_to, '9999-12-31')",
     "(instr(lower(coalesce(summary, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(detail, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(place, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(source, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(nationality, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(unit, '')), lower(?9)) > 0)",
     "event_from, time_ms, id"},
    {"meetings", "meetings", "state", "event_from",
     "coalesce(event_to, '9999-12-31')",
     "(instr(lower(coalesce(place, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(topics, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(participants, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(reason, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(convenor, '')), lower(?9)) > 0)",
     "event_from, time_ms, id"},
    {"tasks", "tasks", "creator", "event_from",
     "coalesce(event_to, '9999-12-31')",
     "(instr(lower(coalesce(title, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(detail, '')), lower(?9)) > 0 OR"
     " instr(lower(coalesce(\"for\", '')), lower(?9)) > 0)",
     "event_from, time_ms, id"},
};

static void
ref_list(struct store *s, const struct filt *f, const struct view_list_req *rq,
         struct rows *out)
{
    char sql[4096];
    size_t off;

    off = (size_t)snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE 1",
                           f->f_view);
    if (rq->lr_category)
        off += (size_t)snprintf(sql + off, sizeof(sql) - off,
                                " AND category = ?1");
    if (rq->lr_state)
        off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND %s = ?2",
                                f->f_state_col);
    if (rq->lr_audience)
        off += (size_t)snprintf(sql + off, sizeof(sql) - off,
                                " AND audience = ?3");
    if (rq->lr_from)
        off +=
            (size_t)snprintf(sql + off, sizeof(sql) - off,
                             " AND %s <= ?5 AND %s >= ?4", f->f_from, f->f_to);
    if (rq->lr_status)
        off +=
            (size_t)snprintf(sql + off, sizeof(sql) - off, " AND status = ?6");
    if (rq->lr_assignee)
        off += (size_t)snprintf(sql + off, sizeof(sql) - off,
                                " AND instr(',' || coalesce(\"for\", '') ||"
                                " ',', ',' || ?7 || ',') > 0");
    if (rq->lr_text)
        off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND %s",
                                f->f_text);
    snprintf(sql + off, sizeof(sql) - off, " ORDER BY %s",
             rq->lr_order == VIEW_ORDER_NEWEST ? "time_ms DESC, id"
                                               : f->f_order_list);
    ref_query(s, out, sql, rq->lr_category ? rq->lr_category : "",
              rq->lr_state ? rq->lr_state : "",
              rq->lr_audience ? rq->lr_audience : "",
              rq->lr_from ? rq->lr_from : "", rq->lr_to ? rq->lr_to : "",
              rq->lr_status ? rq->lr_status : "",
              rq->lr_assignee ? rq->lr_assignee : "", "",
              rq->lr_text ? rq->lr_text : "", (const char *)NULL);
}

/* Every filter, alone and with others, in both orders and three page
 * sizes, gives the rows of the plain query, each once. */
static void
desk_lists_equal_plain_queries(void)
{
    static const struct {
        const char *cat, *state, *aud, *from, *to, *text, *status, *assignee;
    } cases[] = {
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
        {"routes", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
        {NULL, "DE", NULL, NULL, NULL, NULL, NULL, NULL},
        {NULL, "MT", NULL, NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, "net", NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, "ms", NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, "DE+FR", NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, "DE+MT", NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, "DE+XX", NULL, NULL, NULL, NULL, NULL},
        {"flows", NULL, "DE+FR", NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, NULL, "2018-01-01", "2018-06-30", NULL, NULL, NULL},
        {NULL, NULL, NULL, "2026-01-01", "2026-12-31", NULL, NULL, NULL},
        {NULL, "FR", "net", "2020-01-01", "2022-12-31", NULL, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL, "ankara", NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL, NULL, "open", NULL},
        {NULL, NULL, NULL, NULL, NULL, NULL, "done", NULL},
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL, "DE"},
    };
    static const uint64_t pages[] = {0, 7, 100};
    struct desk d;
    struct rows want, got;

    desk_open(&d, "desk-lists", GEN_RECORDS);
    for (size_t f = 0; f < sizeof(filts) / sizeof(filts[0]); f++)
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            struct view_list_req rq;
            uint32_t kind = 0;

            memset(&rq, 0, sizeof(rq));
            rq.lr_list = filts[f].f_list;
            ASSERT_OK(view_list_kind(rq.lr_list, &kind));
            if ((cases[c].cat && kind != KIND_OBSERVATION) ||
                ((cases[c].status || cases[c].assignee) && kind != KIND_TASK))
                continue;
            rq.lr_category = cases[c].cat;
            rq.lr_state = cases[c].state;
            rq.lr_audience = cases[c].aud;
            rq.lr_from = cases[c].from;
            rq.lr_to = cases[c].to;
            rq.lr_text = cases[c].text;
            rq.lr_status = cases[c].status;
            rq.lr_assignee = cases[c].assignee;
            for (int o = 0; o < 2; o++) {
                rq.lr_order = o ? VIEW_ORDER_NEWEST : VIEW_ORDER_LIST;
                ref_list(desk_store(&d), &filts[f], &rq, &want);
                for (size_t p = 0; p < 3; p++) {
                    api_list(desk_store(&d), rq, pages[p], &got);
                    if (want.n != got.n)
                        fprintf(stderr, "  %s case %zu order %d page %llu\n",
                                rq.lr_list, c, o, (unsigned long long)pages[p]);
                    rows_same(&want, &got);
                    rows_free(&got);
                }
                rows_free(&want);
            }
        }
    home_close(&d.d_home);
}

/* --all lists (every record of a kind, by event day, then HLC) and the
 * newest-first order of --all page like the plain query over the records view.
 */
static void
desk_all_lists_equal_plain_queries(void)
{
    static const char *const lists[] = {"observations", "tasks", "postings",
                                        "acting-presidencies"};
    struct desk d;
    struct rows want, got;

    desk_open(&d, "desk-all", GEN_RECORDS);
    for (size_t i = 0; i < 4; i++)
        for (int o = 0; o < 2; o++) {
            struct view_list_req rq;
            uint32_t kind;
            char sql[256];

            memset(&rq, 0, sizeof(rq));
            rq.lr_list = lists[i];
            rq.lr_all = 1;
            rq.lr_order = o ? VIEW_ORDER_NEWEST : VIEW_ORDER_LIST;
            ASSERT_OK(view_list_kind(lists[i], &kind));
            snprintf(sql, sizeof(sql),
                     "SELECT * FROM records WHERE kind = %u ORDER BY %s",
                     (unsigned)kind,
                     o ? "time_ms DESC, id" : "event_from, hlc, id");
            ref_query(desk_store(&d), &want, sql, (const char *)NULL);
            ASSERT(want.n > 0);
            api_list(desk_store(&d), rq, 13, &got);
            rows_same(&want, &got);
            rows_free(&got);
            rows_free(&want);
            rq.lr_audience = "DE+FR";
            snprintf(sql, sizeof(sql),
                     "SELECT * FROM records WHERE kind = %u AND audience ="
                     " 'DE+FR' ORDER BY %s",
                     (unsigned)kind,
                     o ? "time_ms DESC, id" : "event_from, hlc, id");
            ref_query(desk_store(&d), &want, sql, (const char *)NULL);
            api_list(desk_store(&d), rq, 5, &got);
            rows_same(&want, &got);
            rows_free(&got);
            rows_free(&want);
        }
    home_close(&d.d_home);
}

/* Records written while a list is paged through neither repeat nor shift
 * the pages: every record there at the start comes exactly once. */
static void
desk_pages_hold_while_records_arrive(void)
{
    struct desk d;
    struct rows before, walk;
    struct view_sink sink = {NULL, rows_add, &walk};
    struct view_list_req rq;
    struct view_list_res res;
    char after[VIEW_CURSOR_MAX];
    int written = 0;

    desk_open(&d, "desk-pages", GEN_RECORDS);
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    rq.lr_order = VIEW_ORDER_NEWEST;
    ref_query(desk_store(&d), &before,
              "SELECT * FROM observations ORDER BY time_ms DESC, id",
              (const char *)NULL);
    walk.n = 0;
    rq.lr_limit = 50;
    for (;;) {
        ASSERT_OK(view_list(desk_store(&d), &rq, &sink, &res));
        if (written++ < 3) {
            /* a new observation, newer than everything: not in later
             * pages of a newest-first walk already under way */
            struct app_field f[] = {{"category", "routes"},
                                    {"summary", "written while paging"}};
            struct app_record_req w = {KIND_OBSERVATION, f, 2, NULL, NULL};
            struct app_written out;
            struct app_err err;
            ASSERT_OK(app_record_create(&d.d_home, &w, &out, &err));
        }
        if (!res.ls_next[0])
            break;
        snprintf(after, sizeof(after), "%s", res.ls_next);
        rq.lr_after = after;
    }
    rows_same(&before, &walk);
    rows_free(&before);
    rows_free(&walk);
    home_close(&d.d_home);
}

/* ---- counts -------------------------------------------------------------- */

static int64_t
count_rows(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n;

    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void
counts_hold(struct store *s)
{
    int ok = 0;

    ASSERT_OK(view_counts_check(s, &ok));
    ASSERT_EQ(ok, 1);
}

/* The counts the view keeps equal a recount after every way records
 * enter and leave effect: writing, amending the category, retracting,
 * erasing, a rebuild, rows taken out (a fork), and the stats read them. */
static void
desk_counts_equal_a_recount(void)
{
    struct desk d;
    struct rows want, got;
    struct view_sink sink = {NULL, rows_add, &got};
    struct app_err err;
    struct app_written w;
    char id[65];
    int ok = 0;

    desk_open(&d, "desk-counts", GEN_RECORDS);
    counts_hold(desk_store(&d));
    /* stats: the plain GROUP BY over the lists */
    ref_query(desk_store(&d), &want,
              "SELECT category, strftime('%Y-%m', time_ms / 1000,"
              " 'unixepoch') AS month, count(*) AS n FROM observations GROUP"
              " BY 1, 2 ORDER BY 2, 1",
              (const char *)NULL);
    got.n = 0;
    ASSERT_OK(view_counts_by_month(desk_store(&d), &sink));
    rows_same(&want, &got);
    rows_free(&want);
    rows_free(&got);
    ref_query(desk_store(&d), &want,
              "SELECT (SELECT count(*) FROM observations) AS observations,"
              " (SELECT count(*) FROM meetings) AS meetings, (SELECT"
              " count(*) FROM trainings) AS trainings, (SELECT count(*) FROM"
              " carriers) AS carriers, (SELECT count(*) FROM contacts) AS"
              " contacts, (SELECT count(*) FROM postings) AS postings,"
              " (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM"
              " grants) AS grants",
              (const char *)NULL);
    got.n = 0;
    ASSERT_OK(view_counts_by_kind(desk_store(&d), &sink));
    rows_same(&want, &got);
    rows_free(&want);
    rows_free(&got);

    /* a new observation of this desk, amended to another category, then
     * retracted; another erased */
    {
        struct app_field f[] = {{"category", "flows"}, {"summary", "count me"}};
        struct app_record_req rq = {KIND_OBSERVATION, f, 2, NULL, NULL};
        ASSERT_OK(app_record_create(&d.d_home, &rq, &w, &err));
        hash_hex(w.aw_id, HASH_LEN, id);
        counts_hold(desk_store(&d));
    }
    {
        struct app_field f[] = {{"category", "return"}};
        struct app_change_req ch = {KIND_AMEND, KIND_OBSERVATION, id, f, 1,
                                    NULL};
        ASSERT_OK(app_record_change(&d.d_home, &ch, &w, &err));
        counts_hold(desk_store(&d));
        ch.cq_kind = KIND_RETRACT;
        ch.cq_fields = NULL;
        ch.cq_nfields = 0;
        ASSERT_OK(app_record_change(&d.d_home, &ch, &w, &err));
        counts_hold(desk_store(&d));
    }
    {
        struct app_field f[] = {{"category", "flows"}, {"summary", "erase me"}};
        struct app_record_req rq = {KIND_OBSERVATION, f, 2, NULL, NULL};
        struct app_change_req ch = {KIND_ERASE, 0, id, NULL, 0, NULL};
        ASSERT_OK(app_record_create(&d.d_home, &rq, &w, &err));
        hash_hex(w.aw_id, HASH_LEN, id);
        ASSERT_OK(app_record_change(&d.d_home, &ch, &w, &err));
        counts_hold(desk_store(&d));
    }
    /* a rebuild recounts from the rows, and counts on afterwards; it
     * drops the desk's indexes while it writes and builds them again */
    {
        static const char idx[] = "SELECT count(*) FROM sqlite_master WHERE"
                                  " type = 'index' AND tbl_name = 'v_rec'";
        int64_t n = count_rows(desk_store(&d), idx);

        ASSERT(n >= 6);
        ASSERT_OK(view_rebuild(desk_store(&d)));
        ASSERT_EQ(count_rows(desk_store(&d), idx), n);
    }
    counts_hold(desk_store(&d));
    {
        struct app_field f[] = {{"category", "flows"}, {"summary", "after"}};
        struct app_record_req rq = {KIND_OBSERVATION, f, 2, NULL, NULL};
        ASSERT_OK(app_record_create(&d.d_home, &rq, &w, &err));
        counts_hold(desk_store(&d));
    }
    /* rows taken out, as fork evidence takes out a log's tail (the log
     * holding most entries, from half way) */
    {
        struct store *s = desk_store(&d);
        sqlite3_stmt *st = NULL;
        uint8_t log[HASH_LEN];
        int64_t n0, n1;

        n0 = count_rows(s, "SELECT count(*) FROM v_rec");
        ASSERT_EQ(sqlite3_prepare_v2(store_db(s),
                                     "SELECT log_id, head_seq FROM logs ORDER"
                                     " BY head_seq DESC LIMIT 1",
                                     -1, &st, NULL),
                  SQLITE_OK);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        ASSERT_EQ(sqlite3_column_bytes(st, 0), HASH_LEN);
        memcpy(log, sqlite3_column_blob(st, 0), HASH_LEN);
        sqlite3_finalize(st);
        /* as fork evidence does: the cut in the log's row, then the hook */
        ASSERT_OK(store_begin(s));
        ASSERT_EQ(sqlite3_prepare_v2(store_db(s),
                                     "UPDATE logs SET frozen = head_seq / 2"
                                     " WHERE log_id = ?",
                                     -1, &st, NULL),
                  SQLITE_OK);
        sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
        ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        ASSERT_OK(store_run_freeze_hook(s, log, 0));
        ASSERT_OK(store_commit(s));
        n1 = count_rows(s, "SELECT count(*) FROM v_rec");
        ASSERT(n1 < n0);
        counts_hold(s);
    }
    /* and a count that is off is found */
    ASSERT_EQ(sqlite3_exec(store_db(desk_store(&d)),
                           "UPDATE v_counts SET n = n + 1 WHERE kind = 2 AND"
                           " month = (SELECT min(month) FROM v_counts WHERE"
                           " kind = 2)",
                           NULL, NULL, NULL),
              SQLITE_OK);
    ASSERT_OK(view_counts_check(desk_store(&d), &ok));
    ASSERT_EQ(ok, 0);
    home_close(&d.d_home);
}

/* ---- one record, recent, hash -------------------------------------------- */

/* show (a record and its history) and recent give the plain queries'
 * rows. */
static void
desk_record_and_recent_equal_plain_queries(void)
{
    struct desk d;
    struct rows ids, want, got, hw, hg;
    struct view_sink rs = {NULL, rows_add, &got}, hs = {NULL, rows_add, &hg};

    desk_open(&d, "desk-show", GEN_RECORDS);
    ref_query(desk_store(&d), &ids,
              "SELECT id FROM records ORDER BY substr(id, 3) LIMIT 60",
              (const char *)NULL);
    ASSERT(ids.n == 60);
    for (size_t i = 0; i < ids.n; i++) {
        const char *hex = ids.line[i] + 3; /* "id=" */
        uint8_t id[HASH_LEN];

        for (size_t j = 0; j < HASH_LEN; j++) {
            unsigned v;
            ASSERT_EQ(sscanf(hex + 2 * j, "%2x", &v), 1);
            id[j] = (uint8_t)v;
        }
        ref_query(desk_store(&d), &want, "SELECT * FROM records WHERE id = ?1",
                  hex, (const char *)NULL);
        ref_query(desk_store(&d), &hw,
                  "SELECT c.id, c.kind, c.author_state, c.behalf,"
                  " c.time_ms, c.status, c.valid, c.why, e.payload AS"
                  " officer FROM changes c JOIN entries e ON lower(hex(e.id))"
                  " = c.id WHERE c.target = ?1 ORDER BY c.hlc, c.id",
                  hex, (const char *)NULL);
        got.n = hg.n = 0;
        ASSERT_OK(view_record_get(desk_store(&d), id, &rs, &hs));
        rows_same(&want, &got);
        rows_same(&hw, &hg);
        rows_free(&want);
        rows_free(&got);
        rows_free(&hw);
        rows_free(&hg);
    }
    rows_free(&ids);
    for (uint64_t lim = 1; lim <= 500; lim *= 7) {
        char l[24];
        snprintf(l, sizeof(l), "%llu", (unsigned long long)lim);
        ref_query(desk_store(&d), &want,
                  "SELECT id, kind, state, author_state, audience, time_ms,"
                  " status, valid, coalesce(summary, title, topics,"
                  " counterpart, carrier, post, semester) AS summary,"
                  " category FROM records ORDER BY hlc DESC, id LIMIT ?1",
                  l, (const char *)NULL);
        got.n = 0;
        ASSERT_OK(view_recent(desk_store(&d), lim, &rs));
        rows_same(&want, &got);
        rows_free(&want);
        rows_free(&got);
    }
    home_close(&d.d_home);
}

/* The view hash a connection keeps is the hash of the view as it is: it
 * follows a write, and equals the hash computed afresh (view_check). */
static void
desk_cached_hash_follows_the_view(void)
{
    struct desk d;
    uint8_t h1[HASH_LEN], h2[HASH_LEN], live[HASH_LEN], reb[HASH_LEN];
    struct app_written w;
    struct app_err err;
    struct app_field f[] = {{"category", "routes"}, {"summary", "new"}};
    struct app_record_req rq = {KIND_OBSERVATION, f, 2, NULL, NULL};

    desk_open(&d, "desk-hash", 600);
    ASSERT_OK(view_hash(desk_store(&d), NULL, h1));
    ASSERT_OK(view_hash(desk_store(&d), NULL, h2));
    ASSERT_MEM_EQ(h1, h2, HASH_LEN);
    ASSERT_OK(view_check(desk_store(&d), live, reb));
    ASSERT_MEM_EQ(h1, live, HASH_LEN);
    ASSERT_MEM_EQ(live, reb, HASH_LEN);
    ASSERT_OK(app_record_create(&d.d_home, &rq, &w, &err));
    ASSERT_OK(view_hash(desk_store(&d), NULL, h2));
    ASSERT(memcmp(h1, h2, HASH_LEN) != 0);
    ASSERT_OK(view_check(desk_store(&d), live, reb));
    ASSERT_MEM_EQ(h2, live, HASH_LEN);
    /* another connection's write shows too */
    {
        struct home other;
        char home[700];
        snprintf(home, sizeof(home), "%s/home", d.d_dir);
        ASSERT_OK(home_open(&other, home, HOME_STORE));
        ASSERT_OK(app_record_create(&other, &rq, &w, &err));
        home_close(&other);
    }
    ASSERT_OK(view_hash(desk_store(&d), NULL, h1));
    ASSERT(memcmp(h1, h2, HASH_LEN) != 0);
    ASSERT_OK(view_check(desk_store(&d), live, reb));
    ASSERT_MEM_EQ(h1, live, HASH_LEN);
    /* per audience as well */
    ASSERT_OK(view_hash(desk_store(&d), "ms", h1));
    ASSERT_OK(view_hash(desk_store(&d), "ms", h2));
    ASSERT_MEM_EQ(h1, h2, HASH_LEN);
    /* the retention step hides a record without a new entry: the cached
     * hash follows it too */
    {
        char until[16];
        time_t t = time(NULL) + 10 * 86400;
        struct tm tm;
        struct app_field pf[] = {{"category", "return"},
                                 {"summary", "case"},
                                 {"personal-data", "true"},
                                 {"purpose", "readmission"},
                                 {"retain-until", until}};
        struct app_record_req prq = {KIND_OBSERVATION, pf, 5, NULL, NULL};
        uint64_t expired = 0;

        gmtime_r(&t, &tm);
        strftime(until, sizeof(until), "%Y-%m-%d", &tm);
        ASSERT_OK(app_record_create(&d.d_home, &prq, &w, &err));
        ASSERT_OK(view_hash(desk_store(&d), NULL, h1));
        ASSERT_OK(view_expire_due(desk_store(&d),
                                  (uint64_t)(t + 30 * 86400) * 1000, &expired));
        ASSERT_EQ(expired, 1);
        ASSERT_OK(view_hash(desk_store(&d), NULL, h2));
        ASSERT(memcmp(h1, h2, HASH_LEN) != 0);
        ASSERT_OK(view_check(desk_store(&d), live, reb));
        ASSERT_MEM_EQ(h2, live, HASH_LEN);
    }
    home_close(&d.d_home);
}

/* My desk's tasks (view_desk_tasks: keys, due dates and times from the
 * desk index, then each task shown by key) are the rows and order of the
 * plain query over the tasks view, for states with many tasks and with
 * none, and the same again without the index. */
static void
desk_tasks_equal_the_plain_query(void)
{
    static const char *const states[] = {"DE", "PL", "FR", "CY", "ZZ"};
    struct view_sink sink = {NULL, rows_add, NULL};
    struct rows want, got;
    struct desk d;
    size_t seen = 0;
    uint64_t count;

    desk_open(&d, "desk-tasks", GEN_RECORDS);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            ASSERT_EQ(sqlite3_exec(store_db(desk_store(&d)),
                                   "DROP INDEX v_rec_desk", NULL, NULL, NULL),
                      SQLITE_OK);
        for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++) {
            memset(&want, 0, sizeof(want));
            memset(&got, 0, sizeof(got));
            ref_query(desk_store(&d), &want,
                      "SELECT *, CASE WHEN instr(',' || coalesce(\"for\", '')"
                      " || ',', ',' || ?1 || ',') > 0 THEN 'assignee' ELSE"
                      " 'creator' END AS role FROM tasks WHERE status IN"
                      " ('open', 'accept', 'start') AND (instr(',' ||"
                      " coalesce(\"for\", '') || ',', ',' || ?1 || ',') > 0 OR"
                      " creator = ?1) ORDER BY due IS NULL, due, time_ms, id",
                      states[i], (const char *)NULL);
            sink.vs_arg = &got;
            ASSERT_OK(
                view_desk_tasks(desk_store(&d), states[i], 0, &sink, &count));
            rows_same(&want, &got);
            ASSERT_EQ(count, want.n);
            seen += want.n;
            /* the first few, and still the number of all */
            rows_free(&got);
            ASSERT_OK(
                view_desk_tasks(desk_store(&d), states[i], 3, &sink, &count));
            ASSERT_EQ(count, want.n);
            ASSERT_EQ(got.n, want.n < 3 ? want.n : 3);
            for (size_t j = 0; j < got.n; j++)
                ASSERT_STR_EQ(got.line[j], want.line[j]);
            rows_free(&want);
            rows_free(&got);
        }
    }
    ASSERT(seen > 20); /* the states hold tasks to compare */
    home_close(&d.d_home);
}

/* The view hashes of many audiences, computed together in one pass, are
 * those each gives alone on a connection that remembers none. */
static void
desk_hashes_together_equal_each_alone(void)
{
    const char *auds[] = {NULL, "net", "ms", "DE+PL", "XX+YY"};
    enum { N = sizeof(auds) / sizeof(auds[0]) };
    uint8_t all[N][HASH_LEN], one[HASH_LEN], empty[HASH_LEN];
    struct desk d;
    struct home other;
    char home[700];

    desk_open(&d, "desk-hashes", 800);
    ASSERT_OK(view_hashes(desk_store(&d), auds, N, all));
    snprintf(home, sizeof(home), "%s/home", d.d_dir);
    for (size_t i = 0; i < N; i++) {
        ASSERT_OK(home_open(&other, home, HOME_STORE));
        ASSERT_OK(view_hash(other.h_store, auds[i], one));
        home_close(&other);
        ASSERT_MEM_EQ(all[i], one, HASH_LEN);
    }
    /* audiences with rows differ from one another and from one without */
    ASSERT(memcmp(all[1], all[2], HASH_LEN) != 0);
    ASSERT(memcmp(all[0], all[1], HASH_LEN) != 0);
    ASSERT_OK(view_hash(desk_store(&d), "YY+ZZ", empty));
    ASSERT_MEM_EQ(all[4], empty, HASH_LEN);
    ASSERT(memcmp(all[3], empty, HASH_LEN) != 0);
    /* remembered now: the same again */
    ASSERT_OK(view_hashes(desk_store(&d), auds, N, all));
    ASSERT_OK(view_hash(desk_store(&d), "net", one));
    ASSERT_MEM_EQ(all[1], one, HASH_LEN);
    /* on a connection that keeps TEMP in memory (a node's), the sort goes
     * to temp files and back: same digests, the setting as it was, the
     * digests remembered; inside a transaction it stays in memory */
    {
        uint8_t again[N][HASH_LEN];
        struct home m;

        ASSERT_OK(home_open(&m, home, HOME_STORE));
        ASSERT_OK(store_set_temp_memory(m.h_store));
        ASSERT_OK(view_hashes(m.h_store, auds, N, again));
        ASSERT_MEM_EQ(again, all, sizeof(again));
        ASSERT_EQ(count_rows(m.h_store, "PRAGMA temp_store"), 2);
        ASSERT_EQ(count_rows(m.h_store, "SELECT count(*) FROM"
                                        " temp.v_hash_cache"),
                  N);
        ASSERT_OK(store_begin(m.h_store));
        ASSERT_OK(view_hash(m.h_store, "DE+FR", one));
        ASSERT_OK(store_commit(m.h_store));
        ASSERT_EQ(count_rows(m.h_store, "PRAGMA temp_store"), 2);
        home_close(&m);
    }
    home_close(&d.d_home);
}

/* Every query of the report catalogue, as text lines, for one period and
 * audience, with a filter on the state when the base has one. */
static size_t
report_lines(struct store *s, uint64_t from, uint64_t to, const char *aud,
             struct rows *out)
{
    static const enum view_report_use uses[] = {VIEW_REPORT_TABLE,
                                                VIEW_REPORT_CHART};
    const struct view_report_query *q;
    size_t nq = 0;

    out->n = 0;
    for (size_t u = 0; u < 2; u++)
        for (size_t i = 0; (q = view_report_query_at(uses[u], i)); i++)
            for (int filt = 0; filt < 2; filt++) {
                struct view_report_filter f = {"state", "DE"};
                struct view_report_req rq;
                struct view_report_rows rows;
                size_t k = 0;

                memset(&rq, 0, sizeof(rq));
                rq.vrq_query = q->vq_name;
                rq.vrq_use = uses[u];
                rq.vrq_from_ms = from;
                rq.vrq_to_ms = to;
                rq.vrq_audience = aud;
                if (filt) {
                    while (q->vq_base_cols[k] &&
                           strcmp(q->vq_base_cols[k], "state") != 0)
                        k++;
                    if (!q->vq_base_cols[k])
                        continue;
                    rq.vrq_nfilters = 1;
                    rq.vrq_filters = &f;
                }
                ASSERT_OK(view_report_rows(s, &rq, &rows));
                for (size_t r = 0; r < rows.vrw_nrows; r++) {
                    char line[8192];
                    size_t off = (size_t)snprintf(line, sizeof(line),
                                                  "%s%d:", q->vq_name, filt);
                    for (size_t c = 0; c < rows.vrw_ncols; c++) {
                        const struct view_report_cell *cl =
                            &rows.vrw_cells[r * rows.vrw_ncols + c];
                        if (off >= sizeof(line))
                            break;
                        if (cl->vcl_type == VIEW_REPORT_INT)
                            off += (size_t)snprintf(line + off,
                                                    sizeof(line) - off, "|%lld",
                                                    (long long)cl->vcl_int);
                        else if (cl->vcl_type == VIEW_REPORT_TEXT)
                            off +=
                                (size_t)snprintf(line + off, sizeof(line) - off,
                                                 "|'%s", cl->vcl_text);
                        else
                            off += (size_t)snprintf(line + off,
                                                    sizeof(line) - off, "|-");
                    }
                    if (out->n < MAXROWS) {
                        out->line[out->n] = strdup(line);
                        ASSERT(out->line[out->n] != NULL);
                        out->n++;
                    }
                }
                view_report_rows_free(&rows);
                nq++;
            }
    return nq;
}

/* A report reads each record base's rows of the period through the event
 * index (view_report.c, struct view__arm), and while it is held
 * (view_report_hold(), as report_build() does inside its snapshot) reads
 * them once into a TEMP table for all its queries. Every query of the
 * catalogue gives the rows of the plain scan (no index, nothing held),
 * for three semesters (the first of the data among them), both
 * audiences, with and without a filter: at the edges of records that
 * began before the period or run on after it. Whole reports too. */
static void
desk_report_equals_the_plain_scan(void)
{
    static const uint64_t periods[][2] = {
        {1751328000000ull, 1767225600000ull}, /* 2025-H2 */
        {1546300800000ull, 1561939200000ull}, /* 2019-H1 */
        {1467331200000ull, 1483228800000ull}, /* 2016-H2 */
    };
    static const char *const sems[] = {"2025-H2", "2019-H1", "2016-H2"};
    static const char *const auds[] = {"net", "ms"};
    enum { NP = 3, NA = 2 };
    struct rows want[NP][NA], got;
    char *doc[2][NP];
    size_t len[2][NP], total = 0;
    struct desk d;

    desk_open(&d, "desk-report", GEN_RECORDS);
    for (int pass = 0; pass < 3; pass++) {
        /* pass 0: the index, held; 1: the index alone; 2: neither */
        if (pass == 2)
            ASSERT_EQ(sqlite3_exec(store_db(desk_store(&d)),
                                   "DROP INDEX v_rec_days", NULL, NULL, NULL),
                      SQLITE_OK);
        if (pass == 0)
            ASSERT_OK(view_report_hold(desk_store(&d)));
        for (int p = 0; p < NP; p++)
            for (int a = 0; a < NA; a++) {
                struct rows *r = pass == 0 ? &want[p][a] : &got;
                size_t nq = report_lines(desk_store(&d), periods[p][0],
                                         periods[p][1], auds[a], r);
                ASSERT(nq > 20);
                if (pass == 0) {
                    total += r->n;
                    continue;
                }
                rows_same(&want[p][a], &got);
                rows_free(&got);
            }
        if (pass == 0)
            view_report_unhold(desk_store(&d));
        for (int p = 0; pass != 1 && p < NP; p++) {
            struct app_report_req rq;
            struct app_report_job job;
            struct app_err err;
            int k = pass ? 1 : 0;

            memset(&rq, 0, sizeof(rq));
            memset(&job, 0, sizeof(job));
            rq.arq_period = sems[p];
            ASSERT_OK(app_report_prepare(&rq, &job, &err));
            ASSERT_OK(app_report_build(&d.d_home, &job, &doc[k][p], &len[k][p],
                                       NULL, &err));
            app_report_release(&job);
        }
    }
    ASSERT(total > 500); /* the periods hold rows of every base */
    for (int p = 0; p < NP; p++) {
        ASSERT_EQ(len[0][p], len[1][p]);
        ASSERT(memcmp(doc[0][p], doc[1][p], len[0][p]) == 0);
        free(doc[0][p]);
        free(doc[1][p]);
        for (int a = 0; a < NA; a++)
            rows_free(&want[p][a]);
    }
    home_close(&d.d_home);
}

/* ---- search ------------------------------------------------------------ */

/* Every row of a search, paged by limit with the cursor. */
static void
search_all(struct store *s, struct view_search_req rq, uint64_t stage_max,
           uint64_t limit, struct rows *out)
{
    struct view_sink sink = {NULL, rows_add, out};
    struct view_search_res res;
    char why[VIEW_SEARCH_WHY_MAX], cur[VIEW_CURSOR_MAX];

    out->n = 0;
    rq.sr_stage_max = stage_max;
    rq.sr_limit = limit;
    rq.sr_after = NULL;
    for (int page = 0; page < MAXROWS; page++) {
        size_t before = out->n;

        if (view_search(s, &rq, &sink, &res, why, sizeof(why)) != 0)
            TEST_FAIL_("search '%s': %s", rq.sr_query, why);
        ASSERT_EQ(res.sr_count, out->n - before);
        if (!res.sr_next[0])
            return;
        ASSERT_EQ(res.sr_count, limit);
        snprintf(cur, sizeof(cur), "%s", res.sr_next);
        rq.sr_after = cur;
    }
    TEST_FAIL_("search '%s' did not end", rq.sr_query);
}

/* The definition: every match through the record rows and the filters,
 * ordered by the rank, then k, in one plain statement. */
static void
ref_search(struct store *s, const struct view_search_req *rq, struct rows *out)
{
    char expr[4 * VIEW_SEARCH_QUERY_MAX + 16], why[VIEW_SEARCH_WHY_MAX];
    char sql[2048], kind[16];

    ASSERT_OK(
        view_search_parse(rq->sr_query, expr, sizeof(expr), why, sizeof(why)));
    snprintf(kind, sizeof(kind), "%u", rq->sr_kind);
    snprintf(
        sql, sizeof(sql),
        "SELECT lower(hex(r.id)) AS id, r.kind AS kind, r.owner AS state,"
        " r.audience AS audience, r.hlc >> 16 AS time_ms, r.category AS"
        " category, coalesce(r.summary, r.title, r.topics, r.counterpart,"
        " r.carrier, r.post, r.semester) AS title, snippet(v_search, -1,"
        " char(1), char(2), '...', 16) AS snippet, ilonet_rank(v_search, 2.0,"
        " 1.0) AS rank FROM v_search CROSS JOIN v_records r ON r.k ="
        " v_search.rowid WHERE v_search MATCH ?1 AND r.valid = 1 AND"
        " r.status = 'active'%s%s%s%s%s ORDER BY rank, r.k",
        rq->sr_kind ? " AND r.kind = CAST(?2 AS INTEGER)" : "",
        rq->sr_category ? " AND r.category = ?3" : "",
        rq->sr_state ? " AND r.owner = ?4" : "",
        rq->sr_audience ? " AND r.audience = ?5" : "",
        /* API.md: the record's own date or period, else the day it was
         * written, overlaps [from, to] */
        rq->sr_from ? " AND coalesce(substr(r.period, 1, 10), r.date,"
                      " r.posted_from, date((r.hlc >> 16) / 1000,"
                      " 'unixepoch')) <= ?7 AND coalesce(substr(r.period,"
                      " -10), r.date, CASE WHEN r.posted_from IS NOT NULL"
                      " THEN coalesce(r.posted_until, '9999-12-31') END,"
                      " date((r.hlc >> 16) / 1000, 'unixepoch')) >= ?6"
                    : "");
    ref_query(s, out, sql, expr, kind, rq->sr_category ? rq->sr_category : "",
              rq->sr_state ? rq->sr_state : "",
              rq->sr_audience ? rq->sr_audience : "",
              rq->sr_from ? rq->sr_from : "", rq->sr_to ? rq->sr_to : "",
              (const char *)NULL);
}

/* A search ranks candidates from the index and looks them up in rank
 * order, widening when filters let few through and finishing in one
 * statement past a bound: whichever way it goes, and wherever a page
 * ends, it gives the rows of the plain query in its order. */
static void
desk_search_plans_equal_the_plain_query(void)
{
    static const char *const queries[] = {
        "smugglers",
        "night",
        "forged papers",
        "\"along the coast\"",
        "smug*",
        "coast OR Izmir",
        "night NOT coast",
        /* a prefix of several words, in a phrase, beside another word:
         * looked up through the one-row copy, with the plain query's
         * snippet */
        "sm* OR \"along the co*\"",
    };
    static const struct view_search_req filters[] = {
        {.sr_kind = 0},
        {.sr_kind = KIND_OBSERVATION},
        {.sr_kind = KIND_MEETING},
        {.sr_kind = KIND_TASK},
        {.sr_kind = KIND_POSTING},
        {.sr_kind = KIND_CONTACT,
         .sr_from = "2020-01-01",
         .sr_to = "2022-06-30"},
        {.sr_kind = KIND_OBSERVATION, .sr_category = "routes"},
        {.sr_state = "DE"},
        {.sr_audience = "net"},
        {.sr_kind = KIND_MEETING, .sr_state = "FR", .sr_audience = "net"},
    };
    static const uint64_t plans[] = {1, 30, 0, UINT32_MAX};
    static const uint64_t limits[] = {1, 50, 200};
    struct rows want, got;
    struct desk d;
    size_t big = 0, found[sizeof(filters) / sizeof(filters[0])] = {0};

    desk_open(&d, "desk-search", GEN_RECORDS);
    /* the index is folded lazily, by the first search: fold it for the
     * plain query */
    for (int more = 1; more;)
        ASSERT_OK(view_search_fold(desk_store(&d), 100000, &more));
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
            struct view_search_req rq = filters[f];
            char what[160];

            rq.sr_query = queries[q];
            ref_search(desk_store(&d), &rq, &want);
            if (want.n > 300)
                big++;
            found[f] += want.n;
            for (size_t p = 0; p < sizeof(plans) / sizeof(plans[0]); p++) {
                for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]);
                     l++) {
                    if (limits[l] == 1 && want.n > 60)
                        continue; /* a page per row: long, says nothing new */
                    snprintf(what, sizeof(what),
                             "'%s' filter %zu, %llu one by one, pages of %llu",
                             queries[q], f, (unsigned long long)plans[p],
                             (unsigned long long)limits[l]);
                    search_all(desk_store(&d), rq, plans[p], limits[l], &got);
                    rows_same_as(&got, &want, what);
                    rows_free(&got);
                }
            }
            rows_free(&want);
        }
    }
    ASSERT(big > 0); /* some words match far more than a page */
    for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
        ASSERT(found[f] > 0); /* every filter finds something */
    home_close(&d.d_home);
}

TEST_LIST = {
    TEST(desk_lists_equal_plain_queries),
    TEST(desk_all_lists_equal_plain_queries),
    TEST(desk_pages_hold_while_records_arrive),
    TEST(desk_counts_equal_a_recount),
    TEST(desk_record_and_recent_equal_plain_queries),
    TEST(desk_cached_hash_follows_the_view),
    TEST(desk_hashes_together_equal_each_alone),
    TEST(desk_tasks_equal_the_plain_query),
    TEST(desk_report_equals_the_plain_scan),
    TEST(desk_search_plans_equal_the_plain_query),
};
TEST_MAIN()
