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
extern const unsigned char report_data_template_2019[];
extern const size_t report_data_template_2019_len;
extern const unsigned char report_data_presidencies[];
extern const size_t report_data_presidencies_len;

/* ---- output: crypto/textbuf.h and crypto/json.h, plus escapers ------- */
/* Escaped text for HTML (& < > " ') and for a Markdown table cell (| and
 * newlines). s NULL is treated as "". */
void report__esc_html(struct textbuf *b, const char *s);
void report__esc_md(struct textbuf *b, const char *s);

/* ---- the parsed template --------------------------------------------- */
#define REPORT__MAX_COLS VIEW_REPORT_MAX_COLS
#define REPORT__MAX_FILTERS VIEW_REPORT_MAX_FILTERS

enum report__what { REPORT__TABLE = 1, REPORT__CHART };

struct report__tmpl_block { /* one "table" or "chart" line */
    enum report__what k_what;
    const struct view_report_query *k_query; /* the view's query */
    size_t k_ncols;
    const char *k_cols[REPORT__MAX_COLS]; /* output columns (table), the
                                        catalogue's strings */
    size_t k_nfilters;
    const char *k_fcol[REPORT__MAX_FILTERS]; /* base column (catalogue's) */
    char *k_fval[REPORT__MAX_FILTERS];
    char *k_caption;
    int k_line;
};

struct report__tmpl_item {
    char *i_id, *i_heading;
    size_t i_ntext;
    char **i_text;
    size_t i_nblocks;
    struct report__tmpl_block *i_blocks;
};

struct report__tmpl_part {
    char *p_id, *p_heading;
    size_t p_nitems;
    struct report__tmpl_item *p_items;
};

struct report__tmpl_pair {
    char *p_key, *p_val;
};

struct report_template {
    char *t_version, *t_status, *t_title, *t_empty;
    size_t t_nnotice;
    char **t_notice;
    size_t t_ncover;
    struct report__tmpl_pair *t_cover; /* field, label */
    size_t t_nlabels;
    struct report__tmpl_pair *t_labels; /* field, label */
    size_t t_nparts;
    struct report__tmpl_part *t_parts;
};

/* Label of an output field (template "label" lines, else the field). */
const char *report__label(const struct report_template *t, const char *field);

/* ---- queries (report_query.c) ----------------------------------------- */

/* Index of a word in a NULL-terminated list, -1 if absent. */
int report__word_index(const char *const *cols, const char *name);

/* ---- the report model (what renderers draw) ---------------------------- */
struct report__cell {
    char *c_text; /* NULL: not available */
    int c_num;    /* 1: an integer (JSON number, right-aligned) */
};

struct report__table {
    const struct report__tmpl_block *t_blk;
    const char *t_query;
    size_t t_ncols, t_nrows;
    const char *const *t_fields;  /* field names (the block's) */
    struct report__cell *t_cells; /* nrows * ncols */
};

struct report__chart {
    const struct report__tmpl_block *c_blk;
    const char *c_kind;
    const char *c_unit_hint; /* axis note */
    size_t c_nx, c_ns;
    char **c_x;      /* x labels */
    char **c_series; /* series names */
    int64_t *c_v;    /* ns * nx values (series-major) */
};

struct report__item {
    const struct report__tmpl_item *i_t;
    int i_empty;
    size_t i_ntables, i_ncharts;
    struct report__table *i_tables;
    struct report__chart *i_charts;
};

struct report__head {
    char h_log[65], h_id[65], h_audience[64];
    uint64_t h_seq;
};

struct report__doc {
    const struct report_template *r_t;
    const struct report_opts *r_o;
    char r_semester[8];
    char r_semester_long[64];   /* "1 July - 31 December 2026" */
    char r_network[20];         /* short network id */
    char r_presidency[16];      /* "" = not in rotation */
    char r_drafting[16];        /* "" = none */
    char r_drafting_basis[200]; /* why that state */
    size_t r_nparts;
    size_t *r_nitems;
    struct report__item **r_items; /* per part */
    size_t r_nheads;
    struct report__head *r_heads;
    char r_view_hash[65];
    uint64_t r_from_ms, r_to_ms;
};

/* Fills one item's tables/charts from the view (storage/view/view.h). */
struct store;
int report__fill_item(struct store *s, const struct report__doc *r,
                      const struct report__tmpl_item *it,
                      struct report__item *out, char *err, size_t errlen);
void report__free_item(struct report__item *it);
/* Presidency and acting state for the cover. */
int report__drafting(struct store *s, const struct report_rotation *rot,
                     struct report__doc *r);
/* Heads and view hash for the footer. */
int report__footer(struct store *s, struct report__doc *r);

/* Text of a cover field ("host", "semester", ...) into out. */
void report__cover_value(const struct report__doc *r, const char *field,
                         char *out, size_t cap);
/* "I.1": part id, '.', item id. */
void report__item_number(const char *part, const char *item, char *out,
                         size_t cap);

/* Month names for the chart axis ("Jan".."Dec"). */
extern const char *const report__months[12];
/* Human text of a cell of column field ("n/a" for a missing figure, "-"
 * for another missing value). */
const char *report__cell_text(const struct report__cell *c, const char *field);

/* ---- renderers ----------------------------------------------------------- */
void report__md(struct textbuf *b, const struct report__doc *r);
void report__html(struct textbuf *b, const struct report__doc *r);
void report__json(struct textbuf *b, const struct report__doc *r);
/* An SVG chart (inline, no external assets) for HTML. */
void report__svg(struct textbuf *b, const struct report__chart *c);

/* ---- rotation ---------------------------------------------------------- */
struct report_rotation {
    size_t r_n;
    char (*r_sem)[8];
    char (*r_state)[16];
};

#endif
