/* report_query.c - the report's data from the view's read API: item tables,
 * charts and texts, the cover's drafting state and signatures, the final annex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "report_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

/*
 * Every number and name in a report comes from the view through
 * storage/view/view.h (view_report_*): the view runs the template's named
 * queries with the semester, the audience rule and the FIELD=VALUE
 * filters, and hands back fully ordered rows of typed cells. This file
 * only turns those rows into the report model.
 */

const char *const report__months[12] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};

int
report__word_index(const char *const *cols, const char *name)
{
    for (int i = 0; cols[i]; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    return -1;
}

const char *
report__cell_text(const struct report__cell *c, const char *field)
{
    /* A missing figure is "not available", never 0; other empty fields
     * were simply not given. */
    static const char *const na[] = {"figure",    "total",    "unit",
                                     "attendees", "officers", "reliability",
                                     NULL};
    if (c->c_label)
        return c->c_label;
    if (c->c_text)
        return c->c_text;
    return report__word_index(na, field) >= 0 ? "n/a" : "-";
}

/* The value set whose codes a query's output field holds (its labels and
 * legend), or NULL: the field of the base's record kind shown in that
 * column, and the few fields a query derives. */
static const struct vocab_set *
report__column_set(const struct report__doc *r,
                   const struct view_report_query *q, const char *field)
{
    const struct vocab *v = r->r_v;
    const struct vocab_kind *k;

    if (!v)
        return NULL;
    if (strcmp(field, "role") == 0)
        return vocab_set(v, "roles");
    if (strcmp(field, "exclusion") == 0)
        return vocab_set(v, "exclusion-reasons");
    if (strcmp(field, "status") == 0)
        return vocab_set(v, "task-statuses");
    if (strcmp(field, "category") == 0)
        return vocab_set(v, "categories");
    if (!(k = vocab_kind_by_plural(v, q->vq_base)))
        return NULL;
    for (size_t i = 0; i < k->vk_nfields; i++) {
        const struct vocab_field *f = &k->vk_fields[i];
        char col[40];

        snprintf(col, sizeof(col), "%s",
                 f->vf_column ? f->vf_column : f->vf_name);
        for (char *c = col; *c; c++)
            if (*c == '-')
                *c = '_';
        if (strcmp(col, field) == 0)
            return f->vf_values ? f->vf_values : f->vf_suggest;
    }
    return NULL;
}

/* ---- running a query ----------------------------------------------------- */

static char *
report__dup(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* Runs block k's query (all columns when ncols is 0) into *rows. */
static int
report__rows(struct store *s, const struct report__doc *r,
             const struct report__tmpl_block *k, size_t ncols,
             const char *const *cols, struct view_report_rows *rows, char *err,
             size_t errlen)
{
    struct view_report_filter f[REPORT__MAX_FILTERS];
    struct view_report_req q;
    int rc;

    for (size_t i = 0; i < k->k_nfilters; i++) {
        f[i].vf_column = k->k_fcol[i];
        f[i].vf_value = k->k_fval[i];
    }
    memset(&q, 0, sizeof(q));
    q.vrq_query = k->k_query->vq_name;
    q.vrq_use = k->k_query->vq_use;
    q.vrq_from_ms = r->r_from_ms;
    q.vrq_to_ms = r->r_to_ms;
    q.vrq_audience = r->r_aud;
    q.vrq_nfilters = k->k_nfilters;
    q.vrq_filters = f;
    q.vrq_ncols = ncols;
    q.vrq_cols = cols;
    if ((rc = view_report_rows(s, &q, rows)) != 0)
        snprintf(err, errlen, "template line %d: query failed: %s", k->k_line,
                 ilonet_strerror(rc));
    return rc;
}

static int
report__fill_table(struct store *s, const struct report__doc *r,
                   const struct report__tmpl_block *k, struct report__table *t,
                   char *err, size_t errlen)
{
    struct view_report_rows rows;
    size_t n;
    int rc;

    t->t_blk = k;
    t->t_query = k->k_query->vq_name;
    t->t_ncols = k->k_ncols;
    t->t_fields = k->k_cols;
    if ((rc = report__rows(s, r, k, k->k_ncols, k->k_cols, &rows, err,
                           errlen)) != 0)
        return rc;
    n = rows.vrw_nrows * rows.vrw_ncols;
    if (n && !(t->t_cells = calloc(n, sizeof(*t->t_cells)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    t->t_nrows = rows.vrw_nrows;
    for (size_t c = 0; c < t->t_ncols && c < REPORT__MAX_COLS; c++)
        t->t_sets[c] = report__column_set(r, k->k_query, t->t_fields[c]);
    for (size_t i = 0; i < n; i++) {
        const struct view_report_cell *c = &rows.vrw_cells[i];
        char num[32];
        if (c->vcl_type == VIEW_REPORT_INT) {
            snprintf(num, sizeof(num), "%lld", (long long)c->vcl_int);
            t->t_cells[i].c_num = 1;
            if (!(t->t_cells[i].c_text = report__dup(num)))
                rc = ILONET_ENOMEM;
        } else if (c->vcl_type == VIEW_REPORT_TEXT) {
            /* the model takes the text over from the rows; a code of a
             * value set shows its label (a grade its code: the legend
             * follows the table) */
            const struct vocab_set *vs = t->t_sets[i % t->t_ncols];
            const struct vocab_value *val;

            t->t_cells[i].c_text = rows.vrw_cells[i].vcl_text;
            rows.vrw_cells[i].vcl_text = NULL;
            if (vs && !report__is_grade(r->r_t, t->t_fields[i % t->t_ncols]) &&
                (val = vocab_value(vs, t->t_cells[i].c_text,
                                   strlen(t->t_cells[i].c_text))))
                t->t_cells[i].c_label = val->vv_label;
        }
    }
out:
    view_report_rows_free(&rows);
    return rc;
}

static int
report__chart_alloc(struct report__chart *c, size_t nx, size_t ns)
{
    c->c_nx = nx;
    c->c_ns = ns;
    c->c_x = calloc(nx ? nx : 1, sizeof(char *));
    c->c_series = calloc(ns ? ns : 1, sizeof(char *));
    c->c_series_label = calloc(ns ? ns : 1, sizeof(char *));
    c->c_v = calloc((nx ? nx : 1) * (ns ? ns : 1), sizeof(int64_t));
    return c->c_x && c->c_series && c->c_series_label && c->c_v ? 0
                                                                : ILONET_ENOMEM;
}

/* The integer in a cell (0 when it holds none). */
static int64_t
report__int(const struct view_report_cell *c)
{
    return c->vcl_type == VIEW_REPORT_INT ? c->vcl_int : 0;
}

/* category-month: observations per category (series, in vocabulary
 * order, only those present) and month of the period (x: six for a
 * semester, twelve for a year). */
#define REPORT__MAX_CATS 16
static int
report__chart_months(const struct report__doc *r,
                     const struct view_report_rows *rows,
                     struct report__chart *c)
{
    const struct vocab_set *cats =
        r->r_v ? vocab_set(r->r_v, "categories") : NULL;
    int64_t v[REPORT__MAX_CATS][12];
    int year = strlen(r->r_period) == 4;
    int first = year || r->r_period[6] == '1' ? 1 : 7, nm = year ? 12 : 6;
    int used[REPORT__MAX_CATS] = {0};
    size_t ns = 0, ncat = cats ? cats->vs_n : 0;
    int rc;

    memset(v, 0, sizeof(v));
    if (ncat > REPORT__MAX_CATS)
        ncat = REPORT__MAX_CATS;
    c->c_unit_hint = "observations";
    if (rows->vrw_ncols != 3)
        return ILONET_EIO;
    for (size_t i = 0; i < rows->vrw_nrows; i++) {
        const struct view_report_cell *row = &rows->vrw_cells[i * 3];
        const char *cat =
            row[0].vcl_type == VIEW_REPORT_TEXT ? row[0].vcl_text : NULL;
        int64_t m = report__int(&row[1]) - first;
        for (size_t j = 0; cat && j < ncat; j++)
            if (strcmp(cats->vs_values[j].vv_code, cat) == 0 && m >= 0 &&
                m < nm) {
                v[j][m] += report__int(&row[2]);
                used[j] = 1;
            }
    }
    for (size_t i = 0; i < ncat; i++)
        ns += (size_t)used[i];
    if ((rc = report__chart_alloc(c, (size_t)nm, ns)) != 0)
        return rc;
    for (int m = 0; m < nm; m++)
        if (!(c->c_x[m] = report__dup(report__months[first - 1 + m])))
            return ILONET_ENOMEM;
    for (size_t i = 0, j = 0; i < ncat; i++) {
        if (!used[i])
            continue;
        if (!(c->c_series[j] = report__dup(cats->vs_values[i].vv_code)))
            return ILONET_ENOMEM;
        c->c_series_label[j] = cats->vs_values[i].vv_label;
        for (int m = 0; m < nm; m++)
            c->c_v[j * (size_t)nm + (size_t)m] = v[i][m];
        j++;
    }
    return 0;
}

/* nationality-figures: one bar per (nationality, unit) label. */
static int
report__chart_bars(struct view_report_rows *rows, struct report__chart *c)
{
    size_t n = rows->vrw_nrows;
    int rc;

    c->c_unit_hint = "sum of figures";
    if (rows->vrw_ncols != 2)
        return ILONET_EIO;
    if ((rc = report__chart_alloc(c, n, n ? 1 : 0)) != 0)
        return rc;
    if (n && !(c->c_series[0] = report__dup("total")))
        return ILONET_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct view_report_cell *row = &rows->vrw_cells[i * 2];
        if (row[0].vcl_type != VIEW_REPORT_TEXT)
            return ILONET_EIO; /* a label is never empty */
        c->c_x[i] = row[0].vcl_text;
        row[0].vcl_text = NULL;
        c->c_v[i] = report__int(&row[1]);
    }
    return 0;
}

static int
report__fill_chart(struct store *s, const struct report__doc *r,
                   const struct report__tmpl_block *k, struct report__chart *c,
                   char *err, size_t errlen)
{
    struct view_report_rows rows;
    int rc;

    c->c_blk = k;
    c->c_kind = k->k_query->vq_name;
    if ((rc = report__rows(s, r, k, 0, NULL, &rows, err, errlen)) != 0)
        return rc;
    if (strcmp(c->c_kind, "category-month") == 0)
        rc = report__chart_months(r, &rows, c);
    else
        rc = report__chart_bars(&rows, c);
    view_report_rows_free(&rows);
    return rc;
}

static int report__item_atts(struct store *s, const struct report__doc *r,
                             const struct report__tmpl_block *k,
                             struct report__item *out, char *err,
                             size_t errlen);

int
report__fill_item(struct store *s, const struct report__doc *r,
                  const struct report__tmpl_item *it, struct report__item *out,
                  char *err, size_t errlen)
{
    size_t nt = 0, nc = 0;
    int rc;

    out->i_t = it;
    out->i_empty = 1;
    /* narrative (the body only: texts are net entries) */
    if (it->i_narrative && strcmp(r->r_aud, "net") == 0) {
        for (size_t i = 0; i < r->r_ntexts; i++) {
            const struct view_report_text *x = &r->r_texts[i];
            int seen = 0;

            if (strcmp(x->vt_section, it->i_section) != 0)
                continue;
            /* texts come latest first: a state's first is its text */
            if (r->r_drafting[0] && strcmp(x->vt_state, r->r_drafting) == 0) {
                if (!out->i_text)
                    out->i_text = x;
                continue;
            }
            if (!r->r_o->ro_drafts)
                continue;
            for (size_t j = 0; j < out->i_ndrafts; j++)
                seen |= strcmp(out->i_drafts[j]->vt_state, x->vt_state) == 0;
            if (seen)
                continue;
            if (!out->i_drafts &&
                !(out->i_drafts = calloc(r->r_ntexts, sizeof(*out->i_drafts))))
                return ILONET_ENOMEM;
            out->i_drafts[out->i_ndrafts++] = x;
        }
        if (out->i_text || out->i_ndrafts)
            out->i_empty = 0, out->i_data = 1;
    }
    for (size_t i = 0; i < it->i_nblocks; i++)
        it->i_blocks[i].k_what == REPORT__TABLE ? nt++ : nc++;
    out->i_tables = calloc(nt ? nt : 1, sizeof(*out->i_tables));
    out->i_charts = calloc(nc ? nc : 1, sizeof(*out->i_charts));
    if (!out->i_tables || !out->i_charts)
        return ILONET_ENOMEM;
    for (size_t i = 0; i < it->i_nblocks; i++) {
        const struct report__tmpl_block *k = &it->i_blocks[i];
        if (k->k_what == REPORT__TABLE) {
            struct report__table *t = &out->i_tables[out->i_ntables++];
            if ((rc = report__fill_table(s, r, k, t, err, errlen)) != 0)
                return rc;
            if (t->t_nrows && strcmp(r->r_aud, "net") == 0 &&
                (rc = report__item_atts(s, r, k, out, err, errlen)) != 0)
                return rc;
            if (t->t_nrows)
                out->i_empty = 0;
            /* the composition of the network alone is not data */
            if (t->t_nrows && strcmp(t->t_query, "members") != 0)
                out->i_data = 1;
        } else {
            struct report__chart *c = &out->i_charts[out->i_ncharts++];
            if ((rc = report__fill_chart(s, r, k, c, err, errlen)) != 0)
                return rc;
            if (c->c_ns)
                out->i_empty = 0, out->i_data = 1;
        }
    }
    return 0;
}

void
report__free_item(struct report__item *it)
{
    for (size_t i = 0; i < it->i_ntables; i++) {
        struct report__table *t = &it->i_tables[i];
        for (size_t j = 0; t->t_cells && j < t->t_nrows * t->t_ncols; j++)
            free(t->t_cells[j].c_text);
        free(t->t_cells);
    }
    for (size_t i = 0; i < it->i_ncharts; i++) {
        struct report__chart *c = &it->i_charts[i];
        for (size_t j = 0; c->c_x && j < c->c_nx; j++)
            free(c->c_x[j]);
        for (size_t j = 0; c->c_series && j < c->c_ns; j++)
            free(c->c_series[j]);
        free(c->c_x);
        free(c->c_series);
        free(c->c_series_label);
        free(c->c_v);
    }
    free(it->i_tables);
    free(it->i_charts);
    free(it->i_drafts);
    free(it->i_atts);
}

/* Adds the files of the records table k lists to the item (the body only:
 * what every node holds alike). A record two tables of the item list is
 * listed once. */
static int
report__item_atts(struct store *s, const struct report__doc *r,
                  const struct report__tmpl_block *k, struct report__item *out,
                  char *err, size_t errlen)
{
    struct view_report_filter f[REPORT__MAX_FILTERS];
    struct view_report_att *a = NULL;
    struct view_report_req q;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < k->k_nfilters; i++) {
        f[i].vf_column = k->k_fcol[i];
        f[i].vf_value = k->k_fval[i];
    }
    memset(&q, 0, sizeof(q));
    q.vrq_query = k->k_query->vq_name;
    q.vrq_use = k->k_query->vq_use;
    q.vrq_from_ms = r->r_from_ms;
    q.vrq_to_ms = r->r_to_ms;
    q.vrq_audience = r->r_aud;
    q.vrq_nfilters = k->k_nfilters;
    q.vrq_filters = f;
    if ((rc = view_report_attachments(s, &q, &a, &n)) != 0) {
        snprintf(err, errlen, "template line %d: attachments: %s", k->k_line,
                 ilonet_strerror(rc));
        return rc;
    }
    if (n) {
        struct view_report_att *p =
            realloc(out->i_atts, (out->i_natts + n) * sizeof(*p));
        size_t had = out->i_natts;

        if (!p) {
            free(a);
            return ILONET_ENOMEM;
        }
        out->i_atts = p;
        for (size_t i = 0; i < n; i++) {
            int seen = 0;
            for (size_t j = 0; j < had && !seen; j++)
                seen = strcmp(p[j].vra_record, a[i].vra_record) == 0;
            if (!seen)
                p[out->i_natts++] = a[i];
        }
    }
    free(a);
    return 0;
}

int
report__has_atts(const struct report__doc *r)
{
    for (size_t p = 0; p < r->r_nparts; p++)
        for (size_t i = 0; r->r_items && i < r->r_nitems[p]; i++)
            if (r->r_items[p][i].i_natts)
                return 1;
    return 0;
}

void
report__att_size(uint64_t size, char *out, size_t cap)
{
    /* integer arithmetic only: the same text on every machine */
    if (size < 1024)
        snprintf(out, cap, "%llu bytes", (unsigned long long)size);
    else if (size < 1024 * 1024)
        snprintf(out, cap, "%llu bytes (%llu.%llu KiB)",
                 (unsigned long long)size, (unsigned long long)(size / 1024),
                 (unsigned long long)(size % 1024 * 10 / 1024));
    else
        snprintf(
            out, cap, "%llu bytes (%llu.%llu MiB)", (unsigned long long)size,
            (unsigned long long)(size / (1024 * 1024)),
            (unsigned long long)(size % (1024 * 1024) * 10 / (1024 * 1024)));
}

/* ---- cover: presidency and the state acting for it ----------------------- */

/* 2019-1240: the network's chair in force on the period's last day (the
 * valid chair record with role chair covering that day, last in LWW
 * order), as its members recorded it. */
static int
report__drafting_chair(struct store *s, struct report__doc *r)
{
    char chair[VIEW_REPORT_STATE_LEN], day[11];
    int rc;

    report_date_of(r->r_to_ms - 1, day);
    rc = view_report_chair(s, day, chair);
    if (rc == ILONET_ENOTFOUND) {
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "no chair of the network is recorded for %s (ilonet chair "
                 "add)",
                 day);
        return 0;
    }
    if (rc != 0)
        return rc;
    snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", chair);
    snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
             "the network's chair on %s, as recorded by a signed chair entry",
             day);
    return 0;
}

int
report__drafting(struct store *s, const struct report_rotation *rot,
                 struct report__doc *r)
{
    const char *p;
    char cand[32][VIEW_REPORT_STATE_LEN], first[VIEW_REPORT_STATE_LEN];
    size_t at = 0, nc = 0;
    int rc;

    if (r->r_o->ro_drafter && strcmp(r->r_o->ro_drafter, "chair") == 0)
        return report__drafting_chair(s, r);
    p = report_rotation_get(rot, r->r_period);
    if (!p) {
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "period %s is not in the presidency rotation data",
                 r->r_period);
        return 0;
    }
    snprintf(r->r_presidency, sizeof(r->r_presidency), "%s", p);
    /* 1. A signed designation by the presidency state for this semester
     * (its own node, e.g. its headquarters, or a representative under a
     * grant: the view decided `valid`). It may name the presidency itself
     * (drafting from its headquarters without an ILO here) or a state with
     * an ILO here; the latest by (HLC, author, id) that qualifies wins. */
    if ((rc = view_report_acting(s, r->r_period, p, cand, 32, &nc)) != 0)
        return rc;
    for (size_t i = 0; i < nc; i++) {
        int h = strcmp(cand[i], p) == 0
                    ? 1
                    : view_report_has_ilo(s, cand[i], r->r_from_ms, r->r_to_ms);
        if (h < 0)
            return h;
        if (h != 1)
            continue;
        snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", cand[i]);
        if (strcmp(cand[i], p) == 0)
            snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                     "the presidency, as declared by its signed "
                     "acting-presidency entry");
        else
            snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                     "acting for the presidency %s, designated by %s's "
                     "signed acting-presidency entry",
                     p, p);
        return 0;
    }
    /* 2. The presidency itself when it has an ILO here. */
    if ((rc = view_report_has_ilo(s, p, r->r_from_ms, r->r_to_ms)) < 0)
        return rc;
    if (rc == 1) {
        snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", p);
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "the presidency");
        return 0;
    }
    /* 3. Else the first state after the presidency in rotation order (the
     * rotation file's order, wrapping around) that has an ILO here. */
    for (size_t i = 0; i < rot->r_n; i++)
        if (strcmp(rot->r_sem[i], r->r_period) == 0)
            at = i;
    for (size_t k = 1; k <= rot->r_n; k++) {
        const char *c = rot->r_state[(at + k) % rot->r_n];
        int h;
        if (strcmp(c, p) == 0)
            continue;
        if ((h = view_report_has_ilo(s, c, r->r_from_ms, r->r_to_ms)) < 0)
            return h;
        if (h == 1) {
            snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", c);
            snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                     "acting for the presidency %s, which has no ILO in this "
                     "network; first state after %s in the rotation with an "
                     "ILO here",
                     p, p);
            return 0;
        }
    }
    /* 4. No rotation state has an ILO here: the first Member State with
     * an ILO in alphabetical order. */
    rc = view_report_first_ilo(s, r->r_from_ms, r->r_to_ms, first);
    if (rc == 0) {
        snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", first);
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "acting for the presidency %s, which has no ILO in this "
                 "network; no state of the rotation has one here, so the "
                 "first Member State with an ILO, alphabetically",
                 p);
    } else if (rc == ILONET_ENOTFOUND) {
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "no Member State has an ILO in this network");
    } else {
        return rc;
    }
    return 0;
}

/* ---- what the network signed: texts, the drafter's date and post --------- */

int
report__signed(struct store *s, struct report__doc *r)
{
    struct view_report_req q;
    struct view_report_rows rows;
    char day[11];
    int rc;

    if ((rc = view_report_texts(s, r->r_period, &r->r_texts, &r->r_ntexts)) !=
        0)
        return rc;
    /* the date: the day of the drafting state's latest text (any section) */
    for (size_t i = 0; r->r_drafting[0] && i < r->r_ntexts; i++) {
        const struct view_report_text *t = &r->r_texts[i];
        char d[11];

        if (strcmp(t->vt_state, r->r_drafting) != 0)
            continue;
        report_date_of(t->vt_hlc >> 16, d);
        if (strcmp(d, r->r_date) > 0)
            memcpy(r->r_date, d, sizeof(r->r_date));
        /* its latest text for the reserved section "marking" sets the
         * handling marking the network sends the report with (its first
         * line), unless the caller gave one */
        if (strcmp(t->vt_section, "marking") == 0 && !r->r_marking[0])
            snprintf(r->r_marking, sizeof(r->r_marking), "%.*s",
                     (int)strcspn(t->vt_text, "\r\n"), t->vt_text);
        /* its latest text for the reserved section "post" names the post */
        if (strcmp(t->vt_section, "post") == 0 && !r->r_post[0]) {
            snprintf(r->r_post, sizeof(r->r_post), "%.512s", t->vt_text);
            for (char *c = r->r_post; *c; c++)
                if (*c == '\n' || *c == '\r' || *c == '\t')
                    *c = ' ';
            snprintf(r->r_post_basis, sizeof(r->r_post_basis),
                     "as signed by the drafting state");
        }
    }
    report_date_of(r->r_to_ms - 1, day);
    if (!r->r_post[0] && r->r_drafting[0]) {
        rc = view_report_post(s, r->r_drafting, day, r->r_post,
                              sizeof(r->r_post));
        if (rc == 0)
            snprintf(r->r_post_basis, sizeof(r->r_post_basis),
                     "the drafting state's posting notice in force on %s", day);
        else if (rc == ILONET_ENOTFOUND)
            snprintf(r->r_post_basis, sizeof(r->r_post_basis),
                     "no posting notice of %s in force on %s and no signed "
                     "post text",
                     r->r_drafting, day);
        else
            return rc;
    } else if (!r->r_post[0]) {
        snprintf(r->r_post_basis, sizeof(r->r_post_basis), "no drafting state");
    }
    /* the members: states with net logs certified during the period */
    memset(&q, 0, sizeof(q));
    q.vrq_query = "members";
    q.vrq_use = VIEW_REPORT_TABLE;
    q.vrq_from_ms = r->r_from_ms;
    q.vrq_to_ms = r->r_to_ms;
    q.vrq_audience = "net";
    if ((rc = view_report_rows(s, &q, &rows)) != 0)
        return rc;
    r->r_members =
        calloc(rows.vrw_nrows ? rows.vrw_nrows : 1, sizeof(*r->r_members));
    if (!r->r_members) {
        view_report_rows_free(&rows);
        return ILONET_ENOMEM;
    }
    for (size_t i = 0; i < rows.vrw_nrows; i++) {
        const struct view_report_cell *c = &rows.vrw_cells[i * rows.vrw_ncols];
        if (c->vcl_type != VIEW_REPORT_TEXT ||
            (r->r_nmembers &&
             strcmp(r->r_members[r->r_nmembers - 1], c->vcl_text) == 0))
            continue; /* rows are ordered by state: one per state */
        snprintf(r->r_members[r->r_nmembers++], VIEW_REPORT_STATE_LEN, "%s",
                 c->vcl_text);
    }
    view_report_rows_free(&rows);
    return 0;
}

/* ---- final annex: provenance, attestations --------------------------------
 */

int
report__footer(struct store *s, struct report__doc *r)
{
    struct view_report_head *hs = NULL;
    uint8_t vh[HASH_LEN];
    size_t n = 0;
    int rc;

    if ((rc = view_report_provenance(s, "net", vh, &hs, &n)) != 0)
        return rc;
    hash_hex(vh, HASH_LEN, r->r_view_hash);
    memcpy(r->r_dg.rd_view, vh, HASH_LEN);
    r->r_heads = calloc(n ? n : 1, sizeof(*r->r_heads));
    if (!r->r_heads) {
        free(hs);
        return ILONET_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct report__head *h = &r->r_heads[i];
        hash_hex(hs[i].vh_log, HASH_LEN, h->h_log);
        hash_hex(hs[i].vh_id, HASH_LEN, h->h_id);
        snprintf(h->h_audience, sizeof(h->h_audience), "%s", hs[i].vh_audience);
        snprintf(h->h_state, sizeof(h->h_state), "%s", hs[i].vh_state);
        h->h_seq = hs[i].vh_seq;
    }
    r->r_nheads = n;
    free(hs);
    return view_report_attests(s, r->r_period, &r->r_att_v, &r->r_natt);
}

int
report__attest_status(struct report__doc *r)
{
    r->r_att = calloc(r->r_natt ? r->r_natt : 1, sizeof(*r->r_att));
    if (!r->r_att)
        return ILONET_ENOMEM;
    for (size_t i = 0; i < r->r_natt; i++) {
        r->r_att[i].a_v = &r->r_att_v[i];
        r->r_att[i].a_same =
            memcmp(r->r_att_v[i].va_report, r->r_dg.rd_report, HASH_LEN) == 0;
    }
    return 0;
}

/* ---- the verification block ------------------------------------------------
 */

static void
report__hex_line(struct textbuf *b, const uint8_t *p, size_t n)
{
    char hx[65];

    for (size_t i = 0; i < n; i += 32) {
        size_t k = n - i < 32 ? n - i : 32;
        hash_hex(p + i, k, hx);
        textbuf_puts(b, hx);
    }
}

void
report__verify_block(struct textbuf *b, const struct report__doc *r)
{
    textbuf_puts(b, REPORT__VERIFY_MAGIC "\n");
    textbuf_printf(b, "regime %s\n",
                   r->r_o->ro_regime ? r->r_o->ro_regime : "377-2004");
    textbuf_printf(b, "network %s\n", r->r_network_hex);
    textbuf_printf(b, "period %s\n", r->r_period);
    textbuf_printf(b, "body md %s\nbody html %s\nbody json %s\n",
                   r->r_body_hex[0], r->r_body_hex[1], r->r_body_hex[2]);
    textbuf_printf(b, "report %s\n", r->r_report_hex);
    for (size_t i = 0; i < r->r_natt; i++) {
        const struct view_report_attest *a = r->r_att[i].a_v;
        textbuf_puts(b, "attest ");
        report__hex_line(b, a->va_cert, a->va_cert_len);
        textbuf_put(b, " ", 1);
        report__hex_line(b, a->va_hdr, a->va_hdr_len);
        textbuf_put(b, " ", 1);
        report__hex_line(b, a->va_sig, KEY_SIG_LEN);
        textbuf_put(b, " ", 1);
        report__hex_line(b, a->va_payload, a->va_payload_len);
        textbuf_put(b, "\n", 1);
    }
}
