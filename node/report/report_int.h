/* report_int.h - internals shared by node/report*.c (not a public header). */
#ifndef ILONET_REPORT_INT_H
#define ILONET_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"
#include "storage/view/view.h"
#include "storage/view/vocab.h"

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
/* A narrative text as paragraphs: blank lines separate paragraphs, lines
 * starting with "- " are list items; every byte escaped. */
void report__para_md(struct textbuf *b, const char *text);
void report__para_html(struct textbuf *b, const char *text);

/* The markers that set the annexes apart from the body (report_verify.c
 * finds the body by them; user text can never produce them: '<' is
 * escaped in Markdown and HTML, and `,"` cannot occur inside a JSON
 * string). */
#define REPORT__ANNEX_MARK "<!-- ilonet:annex -->\n"
#define REPORT__ANNEX_END "<!-- /ilonet:annex -->\n"
#define REPORT__JSON_ANNEX_MS ",\"annex_ms\":"
#define REPORT__JSON_ANNEX_FINAL ",\"final_annex\":"
#define REPORT__HTML_TAIL "</body>\n</html>\n"
#define REPORT__JSON_TAIL "}\n"
#define REPORT__VERIFY_MAGIC "ilonet-report-verify 1"

/* ---- the parsed template --------------------------------------------- */
#define REPORT__MAX_COLS VIEW_REPORT_MAX_COLS
#define REPORT__MAX_FILTERS VIEW_REPORT_MAX_FILTERS
#define REPORT__MAX_GRADES 8

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
    int i_narrative;     /* 1: takes the drafter's signed text */
    char *i_placeholder; /* what it says while no text is signed */
    char i_section[REPORT_SECTION_MAX + 1]; /* "I.8" */
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
    char *t_regime, *t_period, *t_reference;
    char *t_annex_ms, *t_annex_final;
    size_t t_nnotice;
    char **t_notice;
    size_t t_ncover;
    struct report__tmpl_pair *t_cover; /* field, label */
    size_t t_nlabels;
    struct report__tmpl_pair *t_labels; /* field, label */
    size_t t_ngrades;
    char *t_grades[REPORT__MAX_GRADES]; /* fields whose values are grades */
    size_t t_nparts;
    struct report__tmpl_part *t_parts;
};

/* Label of an output field (template "label" lines, else the field). */
const char *report__label(const struct report_template *t, const char *field);
/* 1 if field is a grade column of t. */
int report__is_grade(const struct report_template *t, const char *field);

/* ---- queries (report_query.c) ----------------------------------------- */

/* Index of a word in a NULL-terminated list, -1 if absent. */
int report__word_index(const char *const *cols, const char *name);

/* ---- the report model (what renderers draw) ---------------------------- */
struct report__cell {
    char *c_text;        /* NULL: not available */
    const char *c_label; /* the vocabulary's label of the code, or NULL */
    int c_num;           /* 1: an integer (JSON number, right-aligned) */
};

struct report__table {
    const struct report__tmpl_block *t_blk;
    const char *t_query;
    size_t t_ncols, t_nrows;
    const char *const *t_fields;  /* field names (the block's) */
    struct report__cell *t_cells; /* nrows * ncols */
    /* per column: the value set its codes come from (labels, legend) */
    const struct vocab_set *t_sets[REPORT__MAX_COLS];
};

struct report__chart {
    const struct report__tmpl_block *c_blk;
    const char *c_kind;
    const char *c_unit_hint; /* axis note */
    size_t c_nx, c_ns;
    char **c_x;                  /* x labels */
    char **c_series;             /* series names (codes) */
    const char **c_series_label; /* their labels (the vocabulary's) */
    int64_t *c_v;                /* ns * nx values (series-major) */
};

struct report__item {
    const struct report__tmpl_item *i_t;
    char i_number[40]; /* "I.8" */
    int i_empty;       /* no rows, no chart, no text */
    int i_data;        /* a record or a text shows (not only members) */
    size_t i_ntables, i_ncharts;
    struct report__table *i_tables;
    struct report__chart *i_charts;
    /* narrative: the drafter's latest text (NULL: none yet), and with
     * ro_drafts the latest of every other state */
    const struct view_report_text *i_text;
    size_t i_ndrafts;
    const struct view_report_text **i_drafts;
    /* the body only: the files of the records its tables list, as their
     * signed references name them (view_report_attachments) */
    size_t i_natts;
    struct view_report_att *i_atts;
};

struct report__head {
    char h_log[65], h_id[65], h_audience[64], h_state[16];
    uint64_t h_seq;
};

/* The attestation status of a node, against this document's hash. */
struct report__att {
    const struct view_report_attest *a_v;
    int a_same; /* 1: it attests this document's report hash */
};

struct report__doc {
    const struct report_template *r_t;
    const struct report_opts *r_o;
    const struct vocab *r_v;
    char r_period[REPORT_PERIOD_MAX + 1];
    char r_period_long[64]; /* "1 July - 31 December 2026" */
    char r_network[20];     /* short network id */
    char r_network_hex[65];
    char r_reference[128];
    char r_host_name[400];      /* "Türkiye (TR)", regional: a list */
    char r_presidency[16];      /* "" = not in rotation */
    char r_drafting[16];        /* "" = none */
    char r_drafting_basis[200]; /* why that state */
    char r_date[11];            /* day of the drafter's latest text */
    char r_post[520];           /* the drafting post, "" = none */
    char r_post_basis[120];     /* where it comes from */
    char r_marking[64];         /* handling marking, "" = none: the option,
                                   else the drafting state's signed text
                                   for the section "marking" */
    size_t r_nparts;
    size_t *r_nitems;
    struct report__item **r_items; /* per part: the body */
    size_t *r_ms_nitems;
    struct report__item **r_ms_items; /* per part: the annex for Member
                                         States (ro_annex_ms) */
    int r_ms_empty;                   /* the annex has nothing */
    int r_body_empty;                 /* no record and no text at all */
    size_t r_nmembers;
    char (*r_members)[VIEW_REPORT_STATE_LEN]; /* states with net logs */
    struct view_report_text *r_texts;
    size_t r_ntexts;
    struct view_report_attest *r_att_v;
    size_t r_natt;
    struct report__att *r_att;
    size_t r_nheads;
    struct report__head *r_heads;
    char r_view_hash[65]; /* of the body's audience */
    struct report_digest r_dg;
    char r_body_hex[3][65], r_report_hex[65];
    uint64_t r_from_ms, r_to_ms;
    const char *r_aud; /* audience being filled */
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
/* Heads and view hash for the final annex; texts, attestations, the
 * drafter's date and post. */
int report__footer(struct store *s, struct report__doc *r);
int report__signed(struct store *s, struct report__doc *r);
/* Marks each attestation as attesting this document's hash or not. */
int report__attest_status(struct report__doc *r);

/* Text of a cover field ("host", "semester", ...) into out. */
void report__cover_value(const struct report__doc *r, const char *field,
                         char *out, size_t cap);
/* Full name of a member ("Germany (DE)"), or its code when unknown. */
void report__member_name(const struct report__doc *r, const char *code,
                         char *out, size_t cap);
/* "I.8": part id, '.', item id. */
void report__item_number(const char *part, const char *item, char *out,
                         size_t cap);
/* "Italy (IT), 2026-12-10, entry 1a2b3c4d5e6f": who signed a text. */
void report__signed_by(const struct report__doc *r,
                       const struct view_report_text *t, char *out, size_t cap);
/* The verification block (REPORT__VERIFY_MAGIC lines) of the final
 * annex, the same text in every format. */
void report__verify_block(struct textbuf *b, const struct report__doc *r);

/* Month names for the chart axis ("Jan".."Dec"). */
extern const char *const report__months[12];
/* Human text of a cell of column field ("n/a" for a missing figure, "-"
 * for another missing value); the vocabulary's label when it has one. */
const char *report__cell_text(const struct report__cell *c, const char *field);

/* 1 if any item of the body lists an attachment. */
int report__has_atts(const struct report__doc *r);
/* A size in words: "12345 bytes (12.1 KiB)". */
void report__att_size(uint64_t size, char *out, size_t cap);

/* ---- renderers ----------------------------------------------------------- */
/* Each renders the body (full 0: the bytes the body hash covers, annexes
 * and their markers left out) or the whole document (full 1). */
void report__md(struct textbuf *b, const struct report__doc *r, int full);
void report__html(struct textbuf *b, const struct report__doc *r, int full);
void report__json(struct textbuf *b, const struct report__doc *r, int full);
/* An SVG chart (inline, no external assets) for HTML. */
void report__svg(struct textbuf *b, const struct report__chart *c);

/* ---- rotation ---------------------------------------------------------- */
struct report_rotation {
    size_t r_n;
    char (*r_sem)[8];
    char (*r_state)[16];
};

#endif
