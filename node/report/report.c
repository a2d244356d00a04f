/* report.c - semester report: template and rotation parsing, semester dates,
 * build. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "report_int.h"
#include "storage/view/record.h"

#define TMPL_MAGIC "ilonet-report-template"
#define TMPL_FORMAT "1"
#define TMPL_MAX_BYTES (1u << 20)

/* ---- output buffer ----------------------------------------------------- */

void
report__esc_html(struct textbuf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': textbuf_puts(b, "&amp;"); break;
        case '<': textbuf_puts(b, "&lt;"); break;
        case '>': textbuf_puts(b, "&gt;"); break;
        case '"': textbuf_puts(b, "&quot;"); break;
        case '\'': textbuf_puts(b, "&#39;"); break;
        default: textbuf_put(b, p, 1);
        }
    }
}

void
report__esc_md(struct textbuf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '|')
            textbuf_puts(b, "\\|");
        else if (*p == '\n' || *p == '\r')
            textbuf_put(b, " ", 1);
        else if (*p == '<')
            textbuf_puts(b, "&lt;");
        else
            textbuf_put(b, p, 1);
    }
}

/* ---- semesters ---------------------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static int64_t
report__days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
report_semester_parse(const char *s, uint64_t *from_ms, uint64_t *to_ms)
{
    int y;

    if (!s || strlen(s) != 7 || s[4] != '-' || s[5] != 'H' ||
        (s[6] != '1' && s[6] != '2'))
        return ILONET_EINVAL;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i]))
            return ILONET_EINVAL;
    y = atoi(s);
    if (y < 1970 || y > 9998)
        return ILONET_EINVAL;
    if (s[6] == '1') {
        *from_ms = (uint64_t)report__days(y, 1, 1) * 86400000ull;
        *to_ms = (uint64_t)report__days(y, 7, 1) * 86400000ull;
    } else {
        *from_ms = (uint64_t)report__days(y, 7, 1) * 86400000ull;
        *to_ms = (uint64_t)report__days(y + 1, 1, 1) * 86400000ull;
    }
    return 0;
}

void
report_semester_of(uint64_t ms, char out[static 8])
{
    char d[11];
    int y, m;

    record_format_date(ms / 1000, d);
    y = atoi(d);
    m = atoi(d + 5);
    snprintf(out, 8, "%04d-H%d", y % 10000, m <= 6 ? 1 : 2);
}

void
report_date_of(uint64_t ms, char out[static 11])
{
    record_format_date(ms / 1000, out);
}

/* ---- template ------------------------------------------------------------ */

static const char *const report__cover_fields[] = {
    "host",     "network", "semester", "presidency",
    "drafting", "date",    "post",     NULL};

static char *
report__strdup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Appends one element of size sz to *arr (count *n); returns it zeroed. */
static void *
report__grow(void *arrp, size_t *n, size_t sz)
{
    void **arr = arrp;
    void *p = realloc(*arr, (*n + 1) * sz);
    if (!p)
        return NULL;
    *arr = p;
    memset((char *)p + *n * sz, 0, sz);
    return (char *)p + (*n)++ * sz;
}

static void
report__block_free(struct report__tmpl_block *k)
{
    for (size_t i = 0; i < k->k_nfilters; i++)
        free(k->k_fval[i]);
    free(k->k_caption);
}

void
report_template_free(struct report_template *t)
{
    if (!t)
        return;
    for (size_t p = 0; p < t->t_nparts; p++) {
        struct report__tmpl_part *pp = &t->t_parts[p];
        for (size_t i = 0; i < pp->p_nitems; i++) {
            struct report__tmpl_item *it = &pp->p_items[i];
            for (size_t j = 0; j < it->i_ntext; j++)
                free(it->i_text[j]);
            for (size_t j = 0; j < it->i_nblocks; j++)
                report__block_free(&it->i_blocks[j]);
            free(it->i_text);
            free(it->i_blocks);
            free(it->i_id);
            free(it->i_heading);
        }
        free(pp->p_items);
        free(pp->p_id);
        free(pp->p_heading);
    }
    free(t->t_parts);
    for (size_t i = 0; i < t->t_ncover; i++)
        free(t->t_cover[i].p_key), free(t->t_cover[i].p_val);
    for (size_t i = 0; i < t->t_nlabels; i++)
        free(t->t_labels[i].p_key), free(t->t_labels[i].p_val);
    for (size_t i = 0; i < t->t_nnotice; i++)
        free(t->t_notice[i]);
    free(t->t_cover);
    free(t->t_labels);
    free(t->t_notice);
    free(t->t_version);
    free(t->t_status);
    free(t->t_title);
    free(t->t_empty);
    free(t);
}

const char *
report_template_version(const struct report_template *t)
{
    return t->t_version;
}

const char *
report__label(const struct report_template *t, const char *field)
{
    for (size_t i = 0; i < t->t_nlabels; i++)
        if (strcmp(t->t_labels[i].p_key, field) == 0)
            return t->t_labels[i].p_val;
    return field;
}

/* 1 if name is an output column of some table query. */
static int
report__known_field(const char *name)
{
    const struct view_report_query *q;
    for (size_t i = 0; (q = view_report_query_at(VIEW_REPORT_TABLE, i)); i++)
        if (report__word_index(q->vq_cols, name) >= 0)
            return 1;
    return 0;
}

/* Lists a NULL-terminated word list into out (for error messages). */
static void
report__list(const char *const *w, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; w[i] && off + 1 < cap; i++) {
        int n = snprintf(out + off, cap - off, "%s%s", i ? ", " : "", w[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

struct report__parser {
    const char *name;
    int line;
    char *err;
    size_t errlen;
};

static int report__perr(struct report__parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
report__perr(struct report__parser *ps, const char *fmt, ...)
{
    char msg[REPORT_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ps->err && ps->errlen)
        snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->name, ps->line, msg);
    return ILONET_EINVAL;
}

/* Parses "table|chart SOURCE tokens... [| caption]" into k. */
static int
report__parse_block(struct report__parser *ps, enum report__what what,
                    char *rest, struct report__tmpl_block *k)
{
    enum view_report_use use =
        what == REPORT__TABLE ? VIEW_REPORT_TABLE : VIEW_REPORT_CHART;
    char *bar = strstr(rest, "|"), *tok, *save = NULL;
    const struct view_report_query *q = NULL;
    char words[600];
    int first = 1;

    k->k_what = what;
    k->k_line = ps->line;
    if (bar) {
        char *cap = bar + 1;
        while (*cap == ' ' || *cap == '\t')
            cap++;
        *bar = '\0';
        if (*cap && !(k->k_caption = report__strdup(cap, strlen(cap))))
            return ILONET_ENOMEM;
    }
    for (tok = strtok_r(rest, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(tok, '=');
        if (first) {
            first = 0;
            k->k_query = q = view_report_query_find(use, tok);
            if (!q) {
                const struct view_report_query *e;
                const char *names[32];
                size_t n = 0;
                while (n < 31 && (e = view_report_query_at(use, n)))
                    names[n++] = e->vq_name;
                names[n] = NULL;
                report__list(names, words, sizeof(words));
                return report__perr(ps, "unknown %s '%s' (one of %s)",
                                    what == REPORT__TABLE ? "query" : "chart",
                                    tok, words);
            }
            continue;
        }
        if (!eq || eq == tok)
            return report__perr(ps,
                                "expected columns=... or FIELD=VALUE, "
                                "got '%s'",
                                tok);
        *eq = '\0';
        if (strcmp(tok, "columns") == 0 && what == REPORT__TABLE) {
            char *c, *s2 = NULL;
            if (k->k_ncols)
                return report__perr(ps, "columns= given twice");
            for (c = strtok_r(eq + 1, ",", &s2); c;
                 c = strtok_r(NULL, ",", &s2)) {
                int ci = report__word_index(q->vq_cols, c);
                if (ci < 0) {
                    report__list(q->vq_cols, words, sizeof(words));
                    return report__perr(ps,
                                        "query '%s' has no field '%s' "
                                        "(fields: %s)",
                                        q->vq_name, c, words);
                }
                if (k->k_ncols == REPORT__MAX_COLS)
                    return report__perr(ps, "more than %d columns",
                                        REPORT__MAX_COLS);
                k->k_cols[k->k_ncols++] = q->vq_cols[ci];
            }
            if (!k->k_ncols)
                return report__perr(ps, "columns= lists no field");
            continue;
        }
        {
            int ci = report__word_index(q->vq_base_cols, tok);
            if (ci < 0) {
                report__list(q->vq_base_cols, words, sizeof(words));
                return report__perr(ps,
                                    "'%s' cannot filter on unknown field "
                                    "'%s' (fields of %s: %s)",
                                    q->vq_name, tok, q->vq_base, words);
            }
            if (k->k_nfilters == REPORT__MAX_FILTERS)
                return report__perr(ps, "more than %d filters",
                                    REPORT__MAX_FILTERS);
            if (!eq[1])
                return report__perr(ps, "filter %s= has no value", tok);
            k->k_fcol[k->k_nfilters] = q->vq_base_cols[ci];
            if (!(k->k_fval[k->k_nfilters] =
                      report__strdup(eq + 1, strlen(eq + 1))))
                return ILONET_ENOMEM;
            k->k_nfilters++;
        }
    }
    if (first)
        return report__perr(ps, "%s needs a %s name",
                            what == REPORT__TABLE ? "table" : "chart",
                            what == REPORT__TABLE ? "query" : "chart");
    if (what == REPORT__TABLE && !k->k_ncols)
        for (size_t i = 0; i < REPORT__MAX_COLS && q->vq_cols[i]; i++)
            k->k_cols[k->k_ncols++] = q->vq_cols[i];
    return 0;
}

/* Sets *dst to a copy of s (error if already set when once). */
static int
report__set(struct report__parser *ps, char **dst, const char *kw,
            const char *s)
{
    if (*dst)
        return report__perr(ps, "'%s' given twice", kw);
    if (!*s)
        return report__perr(ps, "'%s' needs a value", kw);
    *dst = report__strdup(s, strlen(s));
    return *dst ? 0 : ILONET_ENOMEM;
}

static int
report__pair(struct report__tmpl_pair **arr, size_t *n, const char *k,
             size_t kl, const char *v)
{
    struct report__tmpl_pair *p = report__grow(arr, n, sizeof(**arr));
    if (!p || !(p->p_key = report__strdup(k, kl)) ||
        !(p->p_val = report__strdup(v, strlen(v))))
        return ILONET_ENOMEM;
    return 0;
}

static int
report__parse_line(struct report__parser *ps, struct report_template *t,
                   char *kw, char *rest, int *seen_magic)
{
    struct report__tmpl_part *part =
        t->t_nparts ? &t->t_parts[t->t_nparts - 1] : NULL;
    struct report__tmpl_item *item =
        part && part->p_nitems ? &part->p_items[part->p_nitems - 1] : NULL;
    size_t wl = strcspn(rest, " \t");
    const char *after = rest + wl;
    char words[300];

    while (*after == ' ' || *after == '\t')
        after++;
    if (!*seen_magic) {
        if (strcmp(kw, TMPL_MAGIC) != 0)
            return report__perr(ps, "not an ilonet report template (the "
                                    "first line must be '" TMPL_MAGIC
                                    " " TMPL_FORMAT "')");
        if (strcmp(rest, TMPL_FORMAT) != 0)
            return report__perr(ps,
                                "template format '%s' is not supported "
                                "(this ilonet reads format " TMPL_FORMAT ")",
                                rest);
        *seen_magic = 1;
        return 0;
    }
    if (strcmp(kw, "version") == 0)
        return report__set(ps, &t->t_version, kw, rest);
    if (strcmp(kw, "title") == 0)
        return report__set(ps, &t->t_title, kw, rest);
    if (strcmp(kw, "empty") == 0)
        return report__set(ps, &t->t_empty, kw, rest);
    if (strcmp(kw, "status") == 0) {
        if (strcmp(rest, "provisional") != 0 && strcmp(rest, "final") != 0)
            return report__perr(ps,
                                "status must be provisional or final, "
                                "not '%s'",
                                rest);
        return report__set(ps, &t->t_status, kw, rest);
    }
    if (strcmp(kw, "notice") == 0) {
        char **p = report__grow(&t->t_notice, &t->t_nnotice, sizeof(char *));
        if (!*rest)
            return report__perr(ps, "'notice' needs a value");
        if (!p || !(*p = report__strdup(rest, strlen(rest))))
            return ILONET_ENOMEM;
        return 0;
    }
    if (strcmp(kw, "cover") == 0 || strcmp(kw, "label") == 0) {
        int cover = kw[0] == 'c';
        char f[64];
        snprintf(f, sizeof(f), "%.*s", (int)(wl < 63 ? wl : 63), rest);
        if (!wl || !*after)
            return report__perr(ps, "'%s' needs a field and a label", kw);
        if (cover && report__word_index(report__cover_fields, f) < 0) {
            report__list(report__cover_fields, words, sizeof(words));
            return report__perr(ps, "unknown cover field '%s' (one of %s)", f,
                                words);
        }
        if (!cover && !report__known_field(f))
            return report__perr(ps,
                                "label for unknown field '%s' (no query "
                                "has it)",
                                f);
        return cover
                   ? report__pair(&t->t_cover, &t->t_ncover, rest, wl, after)
                   : report__pair(&t->t_labels, &t->t_nlabels, rest, wl, after);
    }
    if (strcmp(kw, "part") == 0) {
        struct report__tmpl_part *p;
        if (!wl || !*after)
            return report__perr(ps, "'part' needs an id and a heading");
        p = report__grow(&t->t_parts, &t->t_nparts, sizeof(*p));
        if (!p || !(p->p_id = report__strdup(rest, wl)) ||
            !(p->p_heading = report__strdup(after, strlen(after))))
            return ILONET_ENOMEM;
        return 0;
    }
    if (strcmp(kw, "item") == 0) {
        struct report__tmpl_item *i;
        if (!part)
            return report__perr(ps, "'item' before any 'part'");
        if (!wl || !*after)
            return report__perr(ps, "'item' needs an id and a heading");
        i = report__grow(&part->p_items, &part->p_nitems, sizeof(*i));
        if (!i || !(i->i_id = report__strdup(rest, wl)) ||
            !(i->i_heading = report__strdup(after, strlen(after))))
            return ILONET_ENOMEM;
        return 0;
    }
    if (strcmp(kw, "text") == 0) {
        char **p;
        if (!item)
            return report__perr(ps, "'text' before any 'item'");
        if (!*rest)
            return report__perr(ps, "'text' needs a value");
        p = report__grow(&item->i_text, &item->i_ntext, sizeof(char *));
        if (!p || !(*p = report__strdup(rest, strlen(rest))))
            return ILONET_ENOMEM;
        return 0;
    }
    if (strcmp(kw, "table") == 0 || strcmp(kw, "chart") == 0) {
        struct report__tmpl_block *k;
        if (!item)
            return report__perr(ps, "'%s' before any 'item'", kw);
        k = report__grow(&item->i_blocks, &item->i_nblocks, sizeof(*k));
        if (!k)
            return ILONET_ENOMEM;
        return report__parse_block(
            ps, kw[0] == 't' ? REPORT__TABLE : REPORT__CHART, rest, k);
    }
    return report__perr(ps,
                        "unknown keyword '%s' (version, status, title, "
                        "notice, empty, cover, label, part, item, text, "
                        "table, chart)",
                        kw);
}

int
report_template_parse(const char *text, size_t len, const char *name,
                      struct report_template **out, char *err, size_t errlen)
{
    struct report__parser ps = {name ? name : "template", 0, err, errlen};
    struct report_template *t;
    int rc = 0, magic = 0;
    size_t off = 0;

    if (!text || !out)
        return ILONET_EINVAL;
    if (len > TMPL_MAX_BYTES)
        return report__perr(&ps, "template over %u bytes", TMPL_MAX_BYTES);
    if (!(t = calloc(1, sizeof(*t))))
        return ILONET_ENOMEM;
    while (off < len && rc == 0) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
        char *line = report__strdup(text + off, ll), *kw, *rest;
        size_t e;

        off += ll + 1;
        ps.line++;
        if (!line) {
            rc = ILONET_ENOMEM;
            break;
        }
        if (memchr(line, '\0', ll)) {
            rc = report__perr(&ps, "NUL byte in template");
            free(line);
            break;
        }
        e = strlen(line);
        while (e && isspace((unsigned char)line[e - 1]))
            line[--e] = '\0';
        kw = line;
        while (*kw == ' ' || *kw == '\t')
            kw++;
        if (*kw && *kw != '#') {
            rest = kw + strcspn(kw, " \t");
            if (*rest)
                *rest++ = '\0';
            while (*rest == ' ' || *rest == '\t')
                rest++;
            rc = report__parse_line(&ps, t, kw, rest, &magic);
        }
        free(line);
    }
    if (rc == 0) {
        ps.line = 0;
        if (!magic)
            rc = report__perr(&ps, "empty template (the first line must be "
                                   "'" TMPL_MAGIC " " TMPL_FORMAT "')");
        else if (!t->t_version)
            rc = report__perr(&ps, "no 'version' line");
        else if (!t->t_nparts)
            rc = report__perr(&ps, "no 'part' line");
    }
    if (rc == 0 && !t->t_status &&
        !(t->t_status = report__strdup("provisional", 11)))
        rc = ILONET_ENOMEM;
    if (rc == 0 && !t->t_empty &&
        !(t->t_empty = report__strdup("No information recorded.", 24)))
        rc = ILONET_ENOMEM;
    if (rc == 0 && !t->t_title &&
        !(t->t_title = report__strdup("Semester report", 15)))
        rc = ILONET_ENOMEM;
    if (rc != 0) {
        if (rc == ILONET_ENOMEM && err && errlen)
            snprintf(err, errlen, "%s: out of memory", ps.name);
        report_template_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int
report_default_template(struct report_template **out, char *err, size_t errlen)
{
    return report_template_parse(
        (const char *)report_data_template, report_data_template_len,
        "(built-in) data/report-2005-687.tmpl", out, err, errlen);
}

int
report_builtin_template(const char *id, struct report_template **out, char *err,
                        size_t errlen)
{
    if (id && strcmp(id, "2005-687/provisional-1") == 0)
        return report_default_template(out, err, errlen);
    if (id && strcmp(id, "2019-1240/provisional-1") == 0)
        return report_template_parse((const char *)report_data_template_2019,
                                     report_data_template_2019_len,
                                     "(built-in) data/report-2019-1240.tmpl",
                                     out, err, errlen);
    snprintf(err, errlen, "no built-in report template '%s'",
             id ? id : "(none)");
    return ILONET_ENOTFOUND;
}

void
report_default_template_text(const char **text, size_t *len)
{
    *text = (const char *)report_data_template;
    *len = report_data_template_len;
}

/* ---- rotation ------------------------------------------------------------ */

void
report_rotation_free(struct report_rotation *r)
{
    if (r) {
        free(r->r_sem);
        free(r->r_state);
        free(r);
    }
}

int
report_rotation_parse(const char *text, size_t len, const char *name,
                      struct report_rotation **out, char *err, size_t errlen)
{
    struct report__parser ps = {name ? name : "rotation", 0, err, errlen};
    struct report_rotation *r = calloc(1, sizeof(*r));
    size_t off = 0;
    int rc = 0;

    if (!r)
        return ILONET_ENOMEM;
    while (off < len && rc == 0) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
        char line[128], sem[16], st[16], extra[2];
        uint64_t a, b;
        int n;

        ps.line++;
        snprintf(line, sizeof(line), "%.*s", (int)(ll < 127 ? ll : 127),
                 text + off);
        off += ll + 1;
        if (line[strspn(line, " \t\r")] == '#' ||
            line[strspn(line, " \t\r")] == '\0')
            continue;
        n = sscanf(line, "%15s %15s %1s", sem, st, extra);
        if (n != 2 || report_semester_parse(sem, &a, &b) != 0 ||
            !key_state_valid(st)) {
            rc = report__perr(&ps, "expected 'YYYY-H1|H2 STATE', got '%s'",
                              line);
            break;
        }
        for (size_t i = 0; i < r->r_n; i++)
            if (strcmp(r->r_sem[i], sem) == 0)
                rc = report__perr(&ps, "semester %s listed twice", sem);
        if (rc)
            break;
        {
            void *p1 = realloc(r->r_sem, (r->r_n + 1) * sizeof(*r->r_sem));
            void *p2;
            if (!p1) {
                rc = ILONET_ENOMEM;
                break;
            }
            r->r_sem = p1;
            p2 = realloc(r->r_state, (r->r_n + 1) * sizeof(*r->r_state));
            if (!p2) {
                rc = ILONET_ENOMEM;
                break;
            }
            r->r_state = p2;
            snprintf(r->r_sem[r->r_n], 8, "%s", sem);
            snprintf(r->r_state[r->r_n], 16, "%s", st);
            r->r_n++;
        }
    }
    if (rc != 0) {
        report_rotation_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int
report_default_rotation(struct report_rotation **out, char *err, size_t errlen)
{
    return report_rotation_parse(
        (const char *)report_data_presidencies, report_data_presidencies_len,
        "(built-in) data/presidencies.txt", out, err, errlen);
}

void
report_default_rotation_text(const char **text, size_t *len)
{
    *text = (const char *)report_data_presidencies;
    *len = report_data_presidencies_len;
}

const char *
report_rotation_get(const struct report_rotation *r, const char *semester)
{
    for (size_t i = 0; r && i < r->r_n; i++)
        if (strcmp(r->r_sem[i], semester) == 0)
            return r->r_state[i];
    return NULL;
}

/* ---- build --------------------------------------------------------------- */

int
report_format_parse(const char *s, enum report_format *out)
{
    if (s && strcmp(s, "md") == 0)
        *out = REPORT_MD;
    else if (s && strcmp(s, "html") == 0)
        *out = REPORT_HTML;
    else if (s && strcmp(s, "json") == 0)
        *out = REPORT_JSON;
    else
        return ILONET_EINVAL;
    return 0;
}

static void
report__free_model(struct report__doc *r)
{
    for (size_t p = 0; p < r->r_nparts; p++) {
        for (size_t i = 0; r->r_items && r->r_items[p] && i < r->r_nitems[p];
             i++)
            report__free_item(&r->r_items[p][i]);
        if (r->r_items)
            free(r->r_items[p]);
    }
    free(r->r_items);
    free(r->r_nitems);
    free(r->r_heads);
}

int
report_build(struct store *s, const struct report_template *t,
             const struct report_rotation *rot, const struct report_opts *o,
             char **out, size_t *outlen, char *err, size_t errlen)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    struct report__doc r;
    struct textbuf b = {0};
    int rc = 0, y;

    if (!s || !t || !o || !out || !outlen)
        return ILONET_EINVAL;
    memset(&r, 0, sizeof(r));
    r.r_t = t;
    r.r_o = o;
    if (report_semester_parse(o->ro_semester, &r.r_from_ms, &r.r_to_ms) != 0) {
        snprintf(err, errlen, "--semester %s: not YYYY-H1 or YYYY-H2",
                 o->ro_semester ? o->ro_semester : "(none)");
        return ILONET_EINVAL;
    }
    snprintf(r.r_semester, sizeof(r.r_semester), "%s", o->ro_semester);
    y = atoi(o->ro_semester);
    snprintf(r.r_semester_long, sizeof(r.r_semester_long), "1 %s %d - %d %s %d",
             months[o->ro_semester[6] == '1' ? 0 : 6], y,
             o->ro_semester[6] == '1' ? 30 : 31,
             months[o->ro_semester[6] == '1' ? 5 : 11], y);
    if (o->ro_network)
        hash_hex(o->ro_network, 8, r.r_network);
    r.r_nparts = t->t_nparts;
    r.r_nitems = calloc(t->t_nparts, sizeof(*r.r_nitems));
    r.r_items = calloc(t->t_nparts, sizeof(*r.r_items));
    if (!r.r_nitems || !r.r_items) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = report__drafting(s, rot, &r)) != 0 ||
        (rc = report__footer(s, &r)) != 0)
        goto out;
    for (size_t p = 0; p < t->t_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        r.r_items[p] = calloc(pp->p_nitems ? pp->p_nitems : 1,
                              sizeof(struct report__item));
        if (!r.r_items[p]) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        r.r_nitems[p] = pp->p_nitems;
        for (size_t i = 0; i < pp->p_nitems; i++)
            if ((rc = report__fill_item(s, &r, &pp->p_items[i],
                                        &r.r_items[p][i], err, errlen)) != 0)
                goto out;
    }
    switch (o->ro_format) {
    case REPORT_MD: report__md(&b, &r); break;
    case REPORT_HTML: report__html(&b, &r); break;
    case REPORT_JSON: report__json(&b, &r); break;
    default:
        rc = ILONET_EINVAL;
        snprintf(err, errlen, "unknown format");
        goto out;
    }
    if (b.tb_err) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if (!b.tb_data && !(b.tb_data = calloc(1, 1))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    *out = b.tb_data;
    *outlen = b.tb_len;
    b.tb_data = NULL;
out:
    free(b.tb_data);
    report__free_model(&r);
    return rc;
}

/* ---- shared by the renderers --------------------------------------------- */

void
report__cover_value(const struct report__doc *r, const char *field, char *out,
                    size_t cap)
{
    const struct report_opts *o = r->r_o;

    if (strcmp(field, "host") == 0)
        snprintf(out, cap, "%s", o->ro_host ? o->ro_host : "not given");
    else if (strcmp(field, "network") == 0)
        snprintf(out, cap, "%s network %s", o->ro_host ? o->ro_host : "",
                 r->r_network);
    else if (strcmp(field, "semester") == 0)
        snprintf(out, cap, "%s (%s)", r->r_semester, r->r_semester_long);
    else if (strcmp(field, "presidency") == 0)
        snprintf(out, cap, "%s",
                 r->r_presidency[0] ? r->r_presidency
                                    : "not in the rotation data");
    else if (strcmp(field, "drafting") == 0)
        snprintf(out, cap, "%s, %s", r->r_drafting[0] ? r->r_drafting : "none",
                 r->r_drafting_basis);
    else if (strcmp(field, "date") == 0)
        snprintf(out, cap, "%s", o->ro_date ? o->ro_date : "not given");
    else if (strcmp(field, "post") == 0)
        snprintf(out, cap, "%s", o->ro_post ? o->ro_post : "not given");
    else
        snprintf(out, cap, "%s", "");
}

void
report__item_number(const char *part, const char *item, char *out, size_t cap)
{
    snprintf(out, cap, "%s.%s", part, item);
}
