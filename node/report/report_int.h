/* report_int.h - internals shared by node/report*.c (not a public header). */
#ifndef ILONET_REPORT_INT_H
#define ILONET_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"
#include "storage/view/view.h"

/* ---- embedded data (generated from data/ by scripts/embed.sh) -------- */
extern const unsigned char report_data_template[];
extern const size_t report_data_template_len;
extern const unsigned char report_data_presidencies[];
extern const size_t report_data_presidencies_len;

/* ---- output: node/textbuf.h, plus escapers ---------------------------- */
/* Escaped text for HTML (& < > " '), JSON string (with quotes), Markdown
 * table cell (| and newlines). s NULL is treated as "". */
void rbuf_html(struct textbuf *b, const char *s);
void rbuf_md(struct textbuf *b, const char *s);

/* ---- the parsed template --------------------------------------------- */
#define RT_MAX_COLS VIEW_REPORT_MAX_COLS
#define RT_MAX_FILTERS VIEW_REPORT_MAX_FILTERS

enum rt_what { RT_TABLE = 1, RT_CHART };

struct rt_block {           /* one "table" or "chart" line */
    enum rt_what k_what;
    const struct view_report_query *k_query; /* the view's query */
    size_t k_ncols;
    const char *k_cols[RT_MAX_COLS];     /* output columns (table), the
                                            catalogue's strings */
    size_t k_nfilters;
    const char *k_fcol[RT_MAX_FILTERS];  /* base column (catalogue's) */
    char *k_fval[RT_MAX_FILTERS];
    char *k_caption;
    int k_line;
};

struct rt_item {
    char *i_id, *i_heading;
    size_t i_ntext;
    char **i_text;
    size_t i_nblocks;
    struct rt_block *i_blocks;
};

struct rt_part {
    char *p_id, *p_heading;
    size_t p_nitems;
    struct rt_item *p_items;
};

struct rt_pair {
    char *p_key, *p_val;
};

struct report_template {
    char *t_version, *t_status, *t_title, *t_empty;
    size_t t_nnotice;
    char **t_notice;
    size_t t_ncover;
    struct rt_pair *t_cover; /* field, label */
    size_t t_nlabels;
    struct rt_pair *t_labels; /* field, label */
    size_t t_nparts;
    struct rt_part *t_parts;
};

/* Label of an output field (template "label" lines, else the field). */
const char *rt_label(const struct report_template *t, const char *field);

/* ---- queries (report_query.c) ----------------------------------------- */

/* Index of a word in a NULL-terminated list, -1 if absent. */
int rq_col_index(const char *const *cols, const char *name);

/* ---- the report model (what renderers draw) ---------------------------- */
struct rm_cell {
    char *c_text; /* NULL: not available */
    int c_num;    /* 1: an integer (JSON number, right-aligned) */
};

struct rm_table {
    const struct rt_block *t_blk;
    const char *t_query;
    size_t t_ncols, t_nrows;
    const char *const *t_fields; /* field names (the block's) */
    struct rm_cell *t_cells;  /* nrows * ncols */
};

struct rm_chart {
    const struct rt_block *c_blk;
    const char *c_kind;
    const char *c_unit_hint;  /* axis note */
    size_t c_nx, c_ns;
    char **c_x;               /* x labels */
    char **c_series;          /* series names */
    int64_t *c_v;             /* ns * nx values (series-major) */
};

struct rm_item {
    const struct rt_item *i_t;
    int i_empty;
    size_t i_ntables, i_ncharts;
    struct rm_table *i_tables;
    struct rm_chart *i_charts;
};

struct rm_head {
    char h_log[65], h_id[65], h_audience[64];
    uint64_t h_seq;
};

struct rm_report {
    const struct report_template *r_t;
    const struct report_opts *r_o;
    char r_semester[8];
    char r_semester_long[64];       /* "1 July - 31 December 2026" */
    char r_network[20];             /* short network id */
    char r_presidency[16];          /* "" = not in rotation */
    char r_drafting[16];            /* "" = none */
    char r_drafting_basis[200];     /* why that state */
    size_t r_nparts;
    size_t *r_nitems;
    struct rm_item **r_items;       /* per part */
    size_t r_nheads;
    struct rm_head *r_heads;
    char r_view_hash[65];
    uint64_t r_from_ms, r_to_ms;
};

/* Fills one item's tables/charts from the store. */
struct store;
int rq_fill_item(struct store *s, const struct rm_report *r,
                 const struct rt_item *it, struct rm_item *out, char *err,
                 size_t errlen);
void rq_free_item(struct rm_item *it);
/* Presidency and acting state for the cover. */
int rq_drafting(struct store *s, const struct report_rotation *rot,
                struct rm_report *r);
/* Heads and view hash for the footer. */
int rq_footer(struct store *s, struct rm_report *r);

/* Text of a cover field ("host", "semester", ...) into out. */
void rm_cover_value(const struct rm_report *r, const char *field, char *out,
                    size_t cap);
/* "I.1": part id, '.', item id. */
void rm_item_number(const char *part, const char *item, char *out,
                    size_t cap);

/* Month names for the chart axis ("Jan".."Dec"). */
extern const char *const rm_months[12];
/* Human text of a cell of column field ("n/a" for a missing figure, "-"
 * for another missing value). */
const char *rm_cell_text(const struct rm_cell *c, const char *field);

/* ---- renderers ----------------------------------------------------------- */
void report_md(struct textbuf *b, const struct rm_report *r);
void report_html(struct textbuf *b, const struct rm_report *r);
void report_json(struct textbuf *b, const struct rm_report *r);
/* An SVG chart (inline, no external assets) for HTML. */
void report_svg(struct textbuf *b, const struct rm_chart *c);

/* ---- rotation ---------------------------------------------------------- */
struct report_rotation {
    size_t r_n;
    char (*r_sem)[8];
    char (*r_state)[16];
};

#endif
