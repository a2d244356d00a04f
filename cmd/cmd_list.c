/* cmd_list.c - `ilonet list|show|query`: reading the merged view. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "crypto/error.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"
#include "node/app/app.h"

static const char list_usage[] =
    "usage: ilonet [-C DIR] list KIND [--all] [--json]\n\n"
    "KIND: observations meetings trainings carriers contacts postings tasks\n"
    "acting-presidencies chairs grants revocations evidence. Shows the\n"
    "merged view: records that take effect and are neither retracted nor\n"
    "erased, by the day they happened (their date or period, else the day\n"
    "written), then as written; --all adds retracted, erased and\n"
    "unauthorised ones with their status and reason.\n";

static const char show_usage[] =
    "usage: ilonet [-C DIR] show ID [--json]\n\n"
    "One record (full hex id or unique prefix) with its fields, its status\n"
    "and its history: the creation and every amendment, retraction, erasure\n"
    "or status change, each with whether it took effect and, if not, why;\n"
    "then the files it carries (hash, size, type, name, held or wanted).\n";

static const char query_usage[] =
    "usage: ilonet [-C DIR] query SQL [--json]\n\n"
    "Runs one read-only SQL statement against the store. Views: records,\n"
    "observations, meetings, trainings, carriers, contacts, postings, tasks,\n"
    "acting_presidencies, changes, grants, revocations (docs/VIEW.md).\n"
    "Statements that would write are refused.\n";

/* Text columns per list (all columns go to --json); with --all, a record
 * kind shows LIST_ALL_COLS. */
struct list_cols {
    const char *lc_name;
    const char *lc_cols;
};

static const struct list_cols list_cols[] = {
    {"observations", "id state category summary figure unit period"},
    {"meetings", "id state date place convenor commission topics"},
    {"trainings", "id state date type title"},
    {"carriers", "id state date carrier position"},
    {"contacts", "id state date type counterpart"},
    {"postings", "id state from until officers post"},
    {"tasks", "id creator for status due title"},
    {"acting-presidencies", "id state semester acting_state"},
    {"chairs", "id state chair_role chair_state chair_from chair_until"},
    {"grants", "id represented representing scope valid revoked_at_ms"},
    {"revocations", "id type state grant_id at_ms valid"},
    {"evidence", "log seq entry_a entry_b"},
};

#define LIST_ALL_COLS "id state status valid why"
#define LIST_TEXT_COLS 64 /* text output shows at most this many columns */

/* A cell as one field of a text line: NULL as "-", blobs in hex, text
 * with tabs and line breaks as spaces (one line per row). */
static void
list_text_val(const struct view_cell *c)
{
    switch (c->ce_type) {
    case VIEW_NULL: fputs("-", stdout); break;
    case VIEW_BLOB: cmd_print_hex(stdout, c->ce_blob, c->ce_len); break;
    case VIEW_INT: printf("%lld", (long long)c->ce_int); break;
    default: /* text, and a real in SQLite's text form */
        for (const char *t = c->ce_text; t && *t; t++)
            putchar(*t == '\t' || *t == '\n' || *t == '\r' ? ' ' : *t);
    }
}

/* Rows as `list` and `query` print them: a JSON array of objects, or a
 * header and tab-separated lines of the columns named in lr_cols (NULL:
 * all, at most LIST_TEXT_COLS). */
struct list_render {
    int lr_json;
    int lr_tty; /* aligned table for a person (stdout a terminal) */
    const char *lr_cols;
    int lr_started; /* the header or "[" is out */
    size_t lr_rows;
    int lr_idx[LIST_TEXT_COLS], lr_n;
    int lr_time;           /* index of event_from, else of time_ms; -1 */
    struct textbuf lr_buf; /* JSON rows waiting for stdout */
    /* lr_tty: cells of the rows held back to measure the columns, NUL-
     * separated in lr_cells; a row is lr_n + 1 cells (the date first). */
    struct textbuf lr_cells;
    size_t lr_held;
    size_t lr_width[LIST_TEXT_COLS + 1];
    char lr_name[LIST_TEXT_COLS + 1][32];
};

/* On a terminal, `list` prints an aligned table: ids shortened to
 * LIST_SHORT_ID digits (every command takes a unique prefix of at least 6;
 * 12 digits collide with odds of 1 in 2^48 per pair), the record's date
 * (UTC) after the id, long text cut at LIST_CELL_MAX characters with "…".
 * Widths are measured over the first LIST_HOLD_ROWS rows; later rows use
 * the same widths. Piped output stays tab-separated with full ids. */
#define LIST_SHORT_ID 12
#define LIST_CELL_MAX 48
#define LIST_HOLD_ROWS 1000

static void
list_flush(struct list_render *r)
{
    if (r->lr_buf.tb_len)
        fwrite(r->lr_buf.tb_data, 1, r->lr_buf.tb_len, stdout);
    r->lr_buf.tb_len = 0;
}

/* Display width of UTF-8 text: code points (wide characters count 1). */
static size_t
list_width(const char *t)
{
    size_t w = 0;
    for (; *t; t++)
        w += ((unsigned char)*t & 0xc0) != 0x80;
    return w;
}

/* One cell as a person reads it on a terminal, into out. */
static void
list_tty_cell(const struct view_cell *c, int is_id, char *out, size_t cap)
{
    size_t o = 0, chars = 0;

    out[0] = '\0';
    switch (c->ce_type) {
    case VIEW_NULL: snprintf(out, cap, "-"); return;
    case VIEW_INT: snprintf(out, cap, "%lld", (long long)c->ce_int); return;
    case VIEW_BLOB:
        for (size_t i = 0;
             i < c->ce_len && o + 3 < cap && (!is_id || o < LIST_SHORT_ID); i++)
            o += (size_t)snprintf(out + o, cap - o, "%02x", c->ce_blob[i]);
        return;
    default: break;
    }
    for (const char *t = c->ce_text; t && *t && o + 4 < cap; t++) {
        unsigned char ch = (unsigned char)*t;
        if ((ch & 0xc0) != 0x80 && ++chars > LIST_CELL_MAX) {
            memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
            break;
        }
        if (is_id && o >= LIST_SHORT_ID)
            break;
        out[o++] = ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : (char)ch;
    }
    out[o] = '\0';
}

static void
list_tty_print_cell(const char *text, size_t width, int last)
{
    fputs(text, stdout);
    if (!last)
        for (size_t w = list_width(text); w < width + 2; w++)
            putchar(' ');
}

/* Display position k of a tty row: the first selected column (the id),
 * then the date, then the other selected columns; -1 for the date. */
static int
list_tty_src(const struct list_render *r, int k)
{
    if (r->lr_time < 0) /* no recording time: no date column */
        return r->lr_idx[k];
    if (r->lr_n == 0 || k == 1)
        return -1;
    return r->lr_idx[k == 0 ? 0 : k - 1];
}

/* Columns of a tty row. */
static int
list_tty_ncols(const struct list_render *r)
{
    return r->lr_n + (r->lr_time >= 0);
}

/* Prints the header and the held rows with the measured widths. */
static void
list_tty_flush(struct list_render *r)
{
    const char *p = r->lr_cells.tb_data;
    int n = list_tty_ncols(r);

    if (r->lr_rows == r->lr_held) /* first flush: the header */
        for (int k = 0; k < n; k++)
            list_tty_print_cell(r->lr_name[k], r->lr_width[k], k == n - 1);
    if (r->lr_rows == r->lr_held)
        putchar('\n');
    for (size_t i = 0; p && i < r->lr_held; i++) {
        for (int k = 0; k < n; k++) {
            list_tty_print_cell(p, r->lr_width[k], k == n - 1);
            p += strlen(p) + 1;
        }
        putchar('\n');
    }
    r->lr_held = 0;
    r->lr_cells.tb_len = 0;
}

static int
list_tty_row(struct list_render *r, const struct view_row *row)
{
    char cell[4 * LIST_CELL_MAX + 16];
    int n = list_tty_ncols(r);

    for (int k = 0; k < n; k++) {
        int src = list_tty_src(r, k);
        if (src < 0) { /* the record's date, UTC */
            const struct view_cell *t =
                r->lr_time >= 0 ? &row->rw_cells[r->lr_time] : NULL;
            if (t && t->ce_type == VIEW_INT) {
                char d[11];
                report_date_of((uint64_t)t->ce_int, d);
                snprintf(cell, sizeof(cell), "%s", d);
            } else if (t && t->ce_type == VIEW_TEXT) {
                snprintf(cell, sizeof(cell), "%.10s", t->ce_text);
            } else {
                snprintf(cell, sizeof(cell), "-");
            }
        } else {
            const struct view_cell *c = &row->rw_cells[src];
            list_tty_cell(c,
                          strcmp(c->ce_name, "id") == 0 ||
                              strncmp(c->ce_name, "entry_", 6) == 0 ||
                              strcmp(c->ce_name, "log") == 0 ||
                              strcmp(c->ce_name, "grant_id") == 0,
                          cell, sizeof(cell));
        }
        if (r->lr_rows < LIST_HOLD_ROWS && list_width(cell) > r->lr_width[k])
            r->lr_width[k] = list_width(cell);
        textbuf_put(&r->lr_cells, cell, strlen(cell) + 1);
    }
    if (r->lr_cells.tb_err)
        return ILONET_ENOMEM;
    r->lr_held++;
    r->lr_rows++;
    if (r->lr_rows >= LIST_HOLD_ROWS)
        list_tty_flush(r);
    return 0;
}

static int
list_columns(void *arg, const struct view_row *names)
{
    struct list_render *r = arg;

    r->lr_started = 1;
    if (r->lr_json) {
        putchar('[');
        return 0;
    }
    for (size_t i = 0; i < names->rw_ncells && r->lr_n < LIST_TEXT_COLS; i++) {
        const char *name = names->rw_cells[i].ce_name, *p = r->lr_cols;
        size_t l = strlen(name);
        int want = p == NULL;
        while (p && *p && !want) {
            size_t w = strcspn(p, " ");
            want = w == l && strncmp(p, name, l) == 0;
            p += w;
            p += *p == ' ';
        }
        if (want)
            r->lr_idx[r->lr_n++] = (int)i;
    }
    if (r->lr_tty) {
        /* the day it happened (the lists' order), else the day written */
        r->lr_time = -1;
        for (size_t i = 0; i < names->rw_ncells; i++)
            if (strcmp(names->rw_cells[i].ce_name, "time_ms") == 0 &&
                r->lr_time < 0)
                r->lr_time = (int)i;
        for (size_t i = 0; i < names->rw_ncells; i++)
            if (strcmp(names->rw_cells[i].ce_name, "event_from") == 0)
                r->lr_time = (int)i;
        for (int k = 0; k < list_tty_ncols(r); k++) {
            int src = list_tty_src(r, k);
            snprintf(r->lr_name[k], sizeof(r->lr_name[0]), "%s",
                     src < 0 ? "date" : names->rw_cells[src].ce_name);
            r->lr_width[k] = list_width(r->lr_name[k]);
        }
        return 0;
    }
    for (int k = 0; k < r->lr_n; k++)
        printf("%s%s", k ? "\t" : "", names->rw_cells[r->lr_idx[k]].ce_name);
    putchar('\n');
    return 0;
}

static int
list_row(void *arg, const struct view_row *row)
{
    struct list_render *r = arg;

    if (r->lr_tty)
        return list_tty_row(r, row);
    if (r->lr_json) {
        textbuf_puts(&r->lr_buf, r->lr_rows ? ",\n" : "\n");
        app_json_row(&r->lr_buf, row, APP_JSON_CSTR);
        if (r->lr_buf.tb_err)
            return ILONET_ENOMEM;
        if (r->lr_buf.tb_len >= 64 * 1024)
            list_flush(r);
    } else {
        for (int k = 0; k < r->lr_n; k++) {
            if (k)
                putchar('\t');
            list_text_val(&row->rw_cells[r->lr_idx[k]]);
        }
        putchar('\n');
    }
    r->lr_rows++;
    return 0;
}

/* Ends the output begun by list_columns (also after a failed read). */
static void
list_end(struct list_render *r)
{
    if (r->lr_tty && r->lr_started && (r->lr_held || r->lr_rows == 0)) {
        list_tty_flush(r);
    }
    textbuf_free(&r->lr_cells);
    list_flush(r);
    textbuf_free(&r->lr_buf);
    if (r->lr_json && r->lr_started)
        fputs(r->lr_rows ? "\n]\n" : "]\n", stdout);
}

int
cmd_list(struct cmd_env *env, int argc, char **argv)
{
    struct list_render r;
    struct view_sink sink = {list_columns, list_row, &r};
    struct app_list_req rq;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    const char *what, *cols = NULL;
    uint32_t kind;
    int rc, all;

    if (cmd_wants_help(argc, argv, list_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    all = cmd_flag(&o, "--all");
    what = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "list")) != 0)
        return rc;
    if (!what)
        return cmd_usage("list", "KIND missing");
    memset(&rq, 0, sizeof(rq));
    rq.al_list = what;
    rq.al_all = all;
    /* no category or status filter here: no vocabulary needed */
    if (app_list_check(NULL, &rq, &kind, &err) != 0)
        return err.ae_usage ? cmd_usage("list", "%s", err.ae_msg)
                            : cmd_fail("list", "%s", err.ae_msg);
    for (size_t i = 0; i < sizeof(list_cols) / sizeof(list_cols[0]); i++)
        if (strcmp(list_cols[i].lc_name, what) == 0)
            cols = list_cols[i].lc_cols;
    if (all && kind)
        cols = LIST_ALL_COLS;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.lr_json = env->json;
    r.lr_tty = !env->json && isatty(STDOUT_FILENO);
    r.lr_cols = cols;
    rc = app_list(&h, &rq, &sink, NULL, &err);
    list_end(&r);
    if (rc != 0)
        rc = cmd_fail("list", "%s", err.ae_msg);
    home_close(&h);
    return rc;
}

/* ---- show --------------------------------------------------------------- */

struct show_render {
    int sr_json;
    const char *sr_kind;
    size_t sr_rows;
    struct textbuf sr_buf;
};

static void
show_json(struct show_render *r, const struct view_row *row)
{
    r->sr_buf.tb_len = 0;
    app_json_row(&r->sr_buf, row, APP_JSON_CSTR);
    if (r->sr_buf.tb_len)
        fwrite(r->sr_buf.tb_data, 1, r->sr_buf.tb_len, stdout);
}

static int
show_record_row(void *arg, const struct view_row *row)
{
    struct show_render *r = arg;

    if (r->sr_json) {
        printf("{\"kind\":");
        cmd_json_str(stdout, r->sr_kind);
        printf(",\"record\":");
        show_json(r, row);
        printf(",\"history\":[");
        return 0;
    }
    printf("%-14s %s\n", "kind", r->sr_kind);
    for (size_t i = 0; i < row->rw_ncells; i++) {
        const struct view_cell *c = &row->rw_cells[i];
        if (c->ce_type == VIEW_NULL || strcmp(c->ce_name, "kind") == 0)
            continue;
        printf("%-14s ", c->ce_name);
        list_text_val(c);
        putchar('\n');
    }
    printf("history\n");
    return 0;
}

/* A cell's text as SQLite gives it (numbers in decimal), into buf. */
static const char *
show_text(const struct view_cell *c, char buf[32])
{
    if (c->ce_type == VIEW_INT) {
        snprintf(buf, 32, "%lld", (long long)c->ce_int);
        return buf;
    }
    if (c->ce_type == VIEW_TEXT || c->ce_type == VIEW_REAL)
        return c->ce_text;
    return NULL;
}

/* A change: id, kind, author_state, behalf, time_ms, status, valid, why,
 * officer (the one who signed in to make it, or null). */
static int
show_history_row(void *arg, const struct view_row *row)
{
    struct show_render *r = arg;
    const struct view_cell *c = row->rw_cells;
    char b0[32], b2[32], b3[32], b7[32];
    const char *why;
    int valid;

    if (row->rw_ncells != 9)
        return ILONET_EIO;
    if (r->sr_json) {
        if (r->sr_rows)
            putchar(',');
        show_json(r, row);
    } else {
        valid = c[6].ce_type == VIEW_INT ? (int)c[6].ce_int : 0;
        why = show_text(&c[7], b7);
        printf(
            "  %s %-11s by %s%s%s%s%s%s at %lld ms: %s%s%s\n",
            show_text(&c[0], b0),
            app_kind_name(c[1].ce_type == VIEW_INT ? (uint32_t)c[1].ce_int : 0),
            show_text(&c[2], b2), c[8].ce_type == VIEW_TEXT ? " (" : "",
            c[8].ce_type == VIEW_TEXT ? c[8].ce_text : "",
            c[8].ce_type == VIEW_TEXT ? ")" : "",
            c[3].ce_type == VIEW_TEXT ? " for " : "",
            c[3].ce_type == VIEW_TEXT ? show_text(&c[3], b3) : "",
            (long long)(c[4].ce_type == VIEW_INT ? c[4].ce_int : 0),
            valid ? "took effect" : "no effect", valid ? "" : ": ",
            valid ? "" : (why ? why : "?"));
    }
    r->sr_rows++;
    return 0;
}

/* The files a record carries, after its history: text lines under
 * "attachments", or a JSON array "attachments" after "history"; nothing
 * when it carries none. */
struct show_files {
    int sf_json;
    size_t sf_n;
};

static int
show_attachment(void *arg, const struct view_attachment *a)
{
    struct show_files *f = arg;

    if (f->sf_json) {
        printf("%s{\"hash\":\"", f->sf_n ? "," : "],\"attachments\":[");
        cmd_print_hex(stdout, a->va_hash, HASH_LEN);
        printf("\",\"size\":%llu,\"type\":", (unsigned long long)a->va_size);
        cmd_json_str(stdout, a->va_type);
        printf(",\"name\":");
        cmd_json_str(stdout, a->va_name);
        printf(",\"state\":\"%s\",\"entry\":\"",
               a->va_held ? "held" : "wanted");
        cmd_print_hex(stdout, a->va_entry, HASH_LEN);
        printf("\"}");
    } else {
        if (!f->sf_n)
            printf("attachments\n");
        printf("  ");
        cmd_print_hex(stdout, a->va_hash, HASH_LEN);
        printf(" %llu %s %s %s\n", (unsigned long long)a->va_size, a->va_type,
               a->va_held ? "held" : "wanted",
               a->va_name[0] ? a->va_name : "-");
    }
    f->sf_n++;
    return 0;
}

/* A change named instead of a record: its row, every column. */
static int
show_change_row(void *arg, const struct view_row *row)
{
    struct show_render *r = arg;

    if (r->sr_json) {
        show_json(r, row);
        putchar('\n');
        return 0;
    }
    for (size_t i = 0; i < row->rw_ncells; i++) {
        printf("%-10s ", row->rw_cells[i].ce_name);
        list_text_val(&row->rw_cells[i]);
        putchar('\n');
    }
    return 0;
}

int
cmd_show(struct cmd_env *env, int argc, char **argv)
{
    struct show_render r;
    struct view_sink rec = {NULL, show_record_row, &r};
    struct view_sink hist = {NULL, show_history_row, &r};
    struct view_sink chg = {NULL, show_change_row, &r};
    struct show_files files = {env->json, 0};
    struct view_record_info info;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    const char *id;
    int rc;

    if (cmd_wants_help(argc, argv, show_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    id = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "show")) != 0)
        return rc;
    if (!id)
        return cmd_usage("show", "ID missing");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.sr_json = env->json;
    rc = app_record_find(&h, id, 0, &info, &err);
    if (rc == 0) {
        r.sr_kind = app_kind_name(info.vr_kind);
        rc = app_record_show(&h, &info, &rec, &hist, &err);
        if (rc == 0)
            rc = app_record_attachments(&h, &info, show_attachment, &files,
                                        &err);
        if (rc != 0)
            rc = cmd_fail("show", "%s", err.ae_msg);
        else if (env->json)
            printf("]}\n"); /* the history's, or the attachments' */
    } else if (rc == ILONET_EINVAL) {
        rc = cmd_fail("show", "%s", err.ae_msg);
    } else if (rc == ILONET_ENOTFOUND) {
        /* Not a record: say so, then show it if it is a change (which
         * record it targets and its fate). */
        rc = cmd_fail("show", "%s", err.ae_msg);
        if (app_change_find(&h, id, &chg, &err) == 0)
            rc = 0;
    } else {
        rc = cmd_fail_err("show", rc);
    }
    textbuf_free(&r.sr_buf);
    home_close(&h);
    return rc;
}

/* ---- query --------------------------------------------------------------- */

int
cmd_query(struct cmd_env *env, int argc, char **argv)
{
    struct list_render r;
    struct view_sink sink = {list_columns, list_row, &r};
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    const char *sql;
    int rc;

    if (cmd_wants_help(argc, argv, query_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    sql = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "query")) != 0)
        return rc;
    if (!sql)
        return cmd_usage("query", "SQL missing");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.lr_json = env->json;
    rc = app_query(&h, sql, &sink, &err);
    list_end(&r);
    if (rc != 0)
        rc = cmd_fail("query", "%s", err.ae_msg);
    home_close(&h);
    return rc;
}
