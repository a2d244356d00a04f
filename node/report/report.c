/* report.c - the report: template and rotation parsing, periods, build and
 * hashes. */
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

/* Both escapes copy each run of plain characters at once: a report of a
 * semester at a million records is megabytes of cells, and a copy per
 * character was a tenth of its time. */
void
report__esc_html(struct textbuf *b, const char *s)
{
    const char *p = s ? s : "";

    for (;;) {
        size_t n = strcspn(p, "&<>\"'");

        textbuf_put(b, p, n);
        p += n;
        switch (*p) {
        case '\0': return;
        case '&': textbuf_puts(b, "&amp;"); break;
        case '<': textbuf_puts(b, "&lt;"); break;
        case '>': textbuf_puts(b, "&gt;"); break;
        case '"': textbuf_puts(b, "&quot;"); break;
        default: textbuf_puts(b, "&#39;"); break;
        }
        p++;
    }
}

/* Paragraphs of text: split at blank lines; a line starting with "- " is
 * a list item. Calls para(b, kind, line, len): kind 'p' starts a
 * paragraph, 'l' a list item, 'c' continues the last one, 'e' ends a
 * paragraph or list ('P' or 'L' in line[0]). */
typedef void (*report__para_fn)(struct textbuf *b, int kind, const char *line,
                                size_t len);

static void
report__paras(struct textbuf *b, const char *text, report__para_fn fn)
{
    int open = 0; /* 0 none, 'P' paragraph, 'L' list */

    for (const char *p = text ? text : ""; *p;) {
        size_t n = strcspn(p, "\n");
        size_t m = n;
        const char *q = p;

        while (m && (q[m - 1] == '\r' || q[m - 1] == ' ' || q[m - 1] == '\t'))
            m--;
        while (m && (*q == ' ' || *q == '\t'))
            q++, m--;
        if (m == 0) {
            if (open)
                fn(b, 'e', open == 'P' ? "P" : "L", 1);
            open = 0;
        } else if (m >= 2 && q[0] == '-' && q[1] == ' ') {
            if (open == 'P')
                fn(b, 'e', "P", 1);
            if (open != 'L')
                fn(b, 'e', "l", 0); /* a list starts */
            open = 'L';
            fn(b, 'l', q + 2, m - 2);
        } else if (open) {
            fn(b, 'c', q, m);
        } else {
            open = 'P';
            fn(b, 'p', q, m);
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    if (open)
        fn(b, 'e', open == 'P' ? "P" : "L", 1);
}

static void
report__esc_md_n(struct textbuf *b, const char *s, size_t n)
{
    size_t run = 0; /* where the plain run since the last escape began */

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        /* a character that would start Markdown markup is escaped */
        if (c != '<' && !strchr("\\`*_[]#|>", c))
            continue;
        textbuf_put(b, s + run, i - run);
        if (c == '<')
            textbuf_puts(b, "&lt;");
        else
            textbuf_put(b, "\\", 1), textbuf_put(b, &c, 1);
        run = i + 1;
    }
    textbuf_put(b, s + run, n - run);
}

static void
report__para_md_fn(struct textbuf *b, int kind, const char *line, size_t len)
{
    switch (kind) {
    case 'p': report__esc_md_n(b, line, len); break;
    case 'c': textbuf_put(b, " ", 1), report__esc_md_n(b, line, len); break;
    case 'l':
        textbuf_puts(b, "- "), report__esc_md_n(b, line, len),
            textbuf_puts(b, "\n");
        break;
    case 'e':
        if (len && line[0] == 'P')
            textbuf_puts(b, "\n\n");
        else if (len && line[0] == 'L')
            textbuf_puts(b, "\n");
        break;
    }
}

void
report__para_md(struct textbuf *b, const char *text)
{
    report__paras(b, text, report__para_md_fn);
}

static void
report__esc_html_n(struct textbuf *b, const char *s, size_t n)
{
    char tmp[2] = {0, 0};

    for (size_t i = 0; i < n; i++) {
        tmp[0] = s[i];
        report__esc_html(b, tmp);
    }
}

static void
report__para_html_fn(struct textbuf *b, int kind, const char *line, size_t len)
{
    switch (kind) {
    case 'p':
        textbuf_puts(b, "<p class=\"text\">"), report__esc_html_n(b, line, len);
        break;
    case 'c': textbuf_put(b, " ", 1), report__esc_html_n(b, line, len); break;
    case 'l':
        textbuf_puts(b, "<li>"), report__esc_html_n(b, line, len),
            textbuf_puts(b, "</li>\n");
        break;
    case 'e':
        if (len && line[0] == 'P')
            textbuf_puts(b, "</p>\n");
        else if (len && line[0] == 'L')
            textbuf_puts(b, "</ul>\n");
        else if (len == 0 && line[0] == 'l')
            textbuf_puts(b, "<ul class=\"text\">\n");
        break;
    }
}

void
report__para_html(struct textbuf *b, const char *text)
{
    report__paras(b, text, report__para_html_fn);
}

void
report__esc_md(struct textbuf *b, const char *s)
{
    const char *p = s ? s : "";

    /* a table cell: runs copied at once, as report__esc_html() */
    for (;;) {
        size_t n = strcspn(p, "|\n\r<");

        textbuf_put(b, p, n);
        p += n;
        if (!*p)
            return;
        if (*p == '|')
            textbuf_puts(b, "\\|");
        else if (*p == '<')
            textbuf_puts(b, "&lt;");
        else
            textbuf_put(b, " ", 1);
        p++;
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

int
report_period_parse(const char *s, uint64_t *from_ms, uint64_t *to_ms)
{
    int y;

    if (s && strlen(s) == 4) {
        for (int i = 0; i < 4; i++)
            if (!isdigit((unsigned char)s[i]))
                return ILONET_EINVAL;
        y = atoi(s);
        if (y < 1970 || y > 9998)
            return ILONET_EINVAL;
        *from_ms = (uint64_t)report__days(y, 1, 1) * 86400000ull;
        *to_ms = (uint64_t)report__days(y + 1, 1, 1) * 86400000ull;
        return 0;
    }
    return report_semester_parse(s, from_ms, to_ms);
}

const char *
report_period_kind(const char *s)
{
    return s && strlen(s) == 4 ? "year" : "semester";
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
    "host", "network", "semester",  "period",  "presidency", "drafting",
    "date", "post",    "reference", "marking", "members",    NULL};

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
            free(it->i_placeholder);
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
    for (size_t i = 0; i < t->t_ngrades; i++)
        free(t->t_grades[i]);
    free(t->t_cover);
    free(t->t_labels);
    free(t->t_notice);
    free(t->t_regime);
    free(t->t_period);
    free(t->t_reference);
    free(t->t_annex_ms);
    free(t->t_annex_final);
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
report_template_regime(const struct report_template *t)
{
    return t->t_regime ? t->t_regime : "";
}

const char *
report_template_period(const struct report_template *t)
{
    return t->t_period ? t->t_period : "semester";
}

int
report_template_section(const struct report_template *t, const char *section,
                        char *err, size_t errlen)
{
    char list[300] = "";
    size_t off = 0;

    if (section &&
        (strcmp(section, "post") == 0 || strcmp(section, "marking") == 0))
        return 0;
    for (size_t p = 0; p < t->t_nparts; p++)
        for (size_t i = 0; i < t->t_parts[p].p_nitems; i++) {
            const struct report__tmpl_item *it = &t->t_parts[p].p_items[i];
            int n;

            if (!it->i_narrative)
                continue;
            if (section && strcmp(section, it->i_section) == 0)
                return 0;
            n = snprintf(list + off, sizeof(list) - off, "%s%s",
                         off ? ", " : "", it->i_section);
            if (n > 0 && (size_t)n < sizeof(list) - off)
                off += (size_t)n;
        }
    snprintf(err, errlen,
             "section '%s': not a narrative section of template %s (one of "
             "%s%spost, marking)",
             section ? section : "", t->t_version, list, off ? ", " : "");
    return ILONET_ENOTFOUND;
}

int
report__is_grade(const struct report_template *t, const char *field)
{
    for (size_t i = 0; i < t->t_ngrades; i++)
        if (strcmp(t->t_grades[i], field) == 0)
            return 1;
    return 0;
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
    if (strcmp(kw, "regime") == 0)
        return report__set(ps, &t->t_regime, kw, rest);
    if (strcmp(kw, "period") == 0) {
        if (strcmp(rest, "semester") != 0 && strcmp(rest, "year") != 0)
            return report__perr(ps,
                                "period must be semester or year, not "
                                "'%s'",
                                rest);
        return report__set(ps, &t->t_period, kw, rest);
    }
    if (strcmp(kw, "reference") == 0)
        return report__set(ps, &t->t_reference, kw, rest);
    if (strcmp(kw, "annex") == 0) {
        if (!wl || !*after)
            return report__perr(ps, "'annex' needs ms or final and a "
                                    "heading");
        if (wl == 2 && strncmp(rest, "ms", 2) == 0)
            return report__set(ps, &t->t_annex_ms, "annex ms", after);
        if (wl == 5 && strncmp(rest, "final", 5) == 0)
            return report__set(ps, &t->t_annex_final, "annex final", after);
        return report__perr(ps, "annex '%.*s': ms or final", (int)wl, rest);
    }
    if (strcmp(kw, "grade") == 0) {
        if (!*rest || *after)
            return report__perr(ps, "'grade' needs one field");
        if (!report__known_field(rest))
            return report__perr(ps,
                                "grade for unknown field '%s' (no query "
                                "has it)",
                                rest);
        if (t->t_ngrades == REPORT__MAX_GRADES)
            return report__perr(ps, "more than %d grade lines",
                                REPORT__MAX_GRADES);
        if (!(t->t_grades[t->t_ngrades] = report__strdup(rest, strlen(rest))))
            return ILONET_ENOMEM;
        t->t_ngrades++;
        return 0;
    }
    if (strcmp(kw, "narrative") == 0) {
        if (!item)
            return report__perr(ps, "'narrative' before any 'item'");
        if (item->i_narrative)
            return report__perr(ps, "'narrative' given twice in item %s",
                                item->i_id);
        item->i_narrative = 1;
        return *rest ? report__set(ps, &item->i_placeholder, kw, rest) : 0;
    }
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
                        "regime, period, reference, notice, empty, "
                        "cover, label, grade, annex, part, item, text, "
                        "narrative, table, chart)",
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
    for (size_t p = 0; rc == 0 && p < t->t_nparts; p++) {
        struct report__tmpl_part *pp = &t->t_parts[p];
        for (size_t i = 0; rc == 0 && i < pp->p_nitems; i++) {
            struct report__tmpl_item *it = &pp->p_items[i];
            char num[64];

            report__item_number(pp->p_id, it->i_id, num, sizeof(num));
            if (strlen(num) > REPORT_SECTION_MAX) {
                rc = report__perr(&ps, "item %s: section id over %d bytes", num,
                                  REPORT_SECTION_MAX);
                break;
            }
            snprintf(it->i_section, sizeof(it->i_section), "%s", num);
            for (size_t q = 0; q <= p; q++)
                for (size_t j = 0;
                     j < t->t_parts[q].p_nitems && (q < p || j < i); j++)
                    if (strcmp(t->t_parts[q].p_items[j].i_section, num) == 0)
                        rc = report__perr(&ps, "item %s given twice", num);
        }
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
    if (rc == 0 && !t->t_reference &&
        !(t->t_reference = report__strdup("ILO/{host}/{period}/{network}", 29)))
        rc = ILONET_ENOMEM;
    if (rc == 0 && !t->t_annex_ms &&
        !(t->t_annex_ms = report__strdup("Annex for Member States only", 28)))
        rc = ILONET_ENOMEM;
    if (rc == 0 && !t->t_annex_final &&
        !(t->t_annex_final = report__strdup("Final annex: provenance and "
                                            "attestations",
                                            41)))
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

/* The template family of id: what comes before '/' ("2005-687"). */
static int
report__family(const char *id, const char *family)
{
    size_t n = strlen(family);
    return id && strncmp(id, family, n) == 0 && (id[n] == '/' || !id[n]);
}

int
report_builtin_template_text(const char *id, const char **text, size_t *len)
{
    if (report__family(id, "2005-687")) {
        *text = (const char *)report_data_template;
        *len = report_data_template_len;
        return 0;
    }
    if (report__family(id, "2019-1240")) {
        *text = (const char *)report_data_template_2019;
        *len = report_data_template_2019_len;
        return 0;
    }
    return ILONET_ENOTFOUND;
}

int
report_builtin_template(const char *id, struct report_template **out, char *err,
                        size_t errlen)
{
    const char *text;
    size_t len;

    if (report_builtin_template_text(id, &text, &len) != 0) {
        snprintf(err, errlen, "no built-in report template '%s'",
                 id ? id : "(none)");
        return ILONET_ENOTFOUND;
    }
    return report_template_parse(text, len,
                                 report__family(id, "2005-687")
                                     ? "(built-in) data/report-2005-687.tmpl"
                                     : "(built-in) data/report-2019-1240.tmpl",
                                 out, err, errlen);
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

const char *
report_format_name(enum report_format f)
{
    return f == REPORT_HTML ? "html" : f == REPORT_JSON ? "json" : "md";
}

void
report_digest_finish(struct report_digest *dg)
{
    struct hash_state h;

    hash_init(&h, REPORT_CTX_REPORT);
    for (int i = 0; i < 3; i++)
        hash_update(&h, dg->rd_body[i], HASH_LEN);
    hash_final(&h, dg->rd_report);
}

static void
report__free_items(size_t nparts, size_t *nitems, struct report__item **items)
{
    for (size_t p = 0; items && p < nparts; p++) {
        for (size_t i = 0; items[p] && nitems && i < nitems[p]; i++)
            report__free_item(&items[p][i]);
        free(items[p]);
    }
    free(items);
    free(nitems);
}

static void
report__free_model(struct report__doc *r)
{
    report__free_items(r->r_nparts, r->r_nitems, r->r_items);
    report__free_items(r->r_nparts, r->r_ms_nitems, r->r_ms_items);
    view_report_texts_free(r->r_texts, r->r_ntexts);
    view_report_attests_free(r->r_att_v, r->r_natt);
    free(r->r_att);
    free(r->r_members);
    free(r->r_heads);
}

/* Fills every item of the template for audience aud into *items. */
static int
report__fill_parts(struct store *s, struct report__doc *r, const char *aud,
                   size_t **nitems, struct report__item ***items, int *empty,
                   char *err, size_t errlen)
{
    const struct report_template *t = r->r_t;
    int rc;

    *empty = 1;
    *nitems = calloc(t->t_nparts, sizeof(**nitems));
    *items = calloc(t->t_nparts, sizeof(**items));
    if (!*nitems || !*items)
        return ILONET_ENOMEM;
    r->r_aud = aud;
    for (size_t p = 0; p < t->t_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        (*items)[p] = calloc(pp->p_nitems ? pp->p_nitems : 1,
                             sizeof(struct report__item));
        if (!(*items)[p])
            return ILONET_ENOMEM;
        (*nitems)[p] = pp->p_nitems;
        for (size_t i = 0; i < pp->p_nitems; i++) {
            struct report__item *it = &(*items)[p][i];
            if ((rc = report__fill_item(s, r, &pp->p_items[i], it, err,
                                        errlen)) != 0)
                return rc;
            report__item_number(pp->p_id, pp->p_items[i].i_id, it->i_number,
                                sizeof(it->i_number));
            if (it->i_data)
                *empty = 0;
        }
    }
    return 0;
}

/* The cover's period in words: "1 July - 31 December 2026", "2026". */
static void
report__period_long(const char *period, char *out, size_t cap)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int y = atoi(period), h1;

    if (strlen(period) == 4) {
        snprintf(out, cap, "1 January - 31 December %d", y);
        return;
    }
    h1 = period[6] == '1';
    snprintf(out, cap, "1 %s %d - %d %s %d", months[h1 ? 0 : 6], y,
             h1 ? 30 : 31, months[h1 ? 5 : 11], y);
}

/* The document reference from the template's pattern. */
static void
report__reference(struct report__doc *r)
{
    const char *p = r->r_t->t_reference;
    char net8[9];
    size_t off = 0;

    for (int i = 0; i < 8; i++)
        net8[i] = (char)toupper((unsigned char)r->r_network[i]);
    net8[8] = '\0';
    for (; *p && off + 1 < sizeof(r->r_reference); p++) {
        const char *v = NULL;
        size_t skip = 0;

        if (strncmp(p, "{host}", 6) == 0)
            v = r->r_o->ro_host ? r->r_o->ro_host : "", skip = 5;
        else if (strncmp(p, "{period}", 8) == 0)
            v = r->r_period, skip = 7;
        else if (strncmp(p, "{network}", 9) == 0)
            v = net8, skip = 8;
        if (v) {
            int n = snprintf(r->r_reference + off, sizeof(r->r_reference) - off,
                             "%s", v);
            if (n < 0)
                break;
            off += (size_t)n;
            if (off >= sizeof(r->r_reference))
                off = sizeof(r->r_reference) - 1;
            p += skip;
        } else {
            r->r_reference[off++] = *p;
        }
    }
    r->r_reference[off] = '\0';
}

/* The host country (or a regional network's countries) by full name. */
static void
report__host_name(struct report__doc *r)
{
    const struct report_opts *o = r->r_o;
    const char *list =
        o->ro_countries && *o->ro_countries ? o->ro_countries : o->ro_host;
    size_t off = 0;

    r->r_host_name[0] = '\0';
    for (const char *p = list ? list : ""; *p;) {
        size_t n = strcspn(p, ",");
        char code[16];
        const struct vocab_country *c;
        int w;

        snprintf(code, sizeof(code), "%.*s", (int)(n < 15 ? n : 15), p);
        c = r->r_v ? vocab_country(r->r_v, code, strlen(code)) : NULL;
        w = c ? snprintf(r->r_host_name + off, sizeof(r->r_host_name) - off,
                         "%s%s (%s)", off ? ", " : "", c->vc_name, code)
              : snprintf(r->r_host_name + off, sizeof(r->r_host_name) - off,
                         "%s%s", off ? ", " : "", code);
        if (w < 0 || (size_t)w >= sizeof(r->r_host_name) - off)
            break;
        off += (size_t)w;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!r->r_host_name[0])
        snprintf(r->r_host_name, sizeof(r->r_host_name), "not given");
}

/* Renders the body of each format and hashes it: the report's digest. */
static int
report__digest(struct report__doc *r)
{
    static void (*const render[3])(struct textbuf *, const struct report__doc *,
                                   int) = {report__md, report__html,
                                           report__json};

    for (int f = 0; f < 3; f++) {
        struct textbuf b = {0};

        render[f](&b, r, 0);
        if (b.tb_err) {
            free(b.tb_data);
            return ILONET_ENOMEM;
        }
        hash_buf(REPORT_CTX_BODY, b.tb_data ? b.tb_data : "", b.tb_len,
                 r->r_dg.rd_body[f]);
        hash_hex(r->r_dg.rd_body[f], HASH_LEN, r->r_body_hex[f]);
        free(b.tb_data);
    }
    report_digest_finish(&r->r_dg);
    hash_hex(r->r_dg.rd_report, HASH_LEN, r->r_report_hex);
    return 0;
}

/* Builds the model of the report (and its digest) into *r; the caller
 * releases it with report__free_model, also on failure. */
static int
report__model(struct store *s, const struct report_template *t,
              const struct report_rotation *rot, const struct report_opts *o,
              struct report__doc *r, char *err, size_t errlen)
{
    int rc;

    memset(r, 0, sizeof(*r));
    r->r_t = t;
    r->r_o = o;
    r->r_v = o->ro_vocab;
    if (report_period_parse(o->ro_period, &r->r_from_ms, &r->r_to_ms) != 0) {
        snprintf(err, errlen, "--period %s: not YYYY-H1, YYYY-H2 or YYYY",
                 o->ro_period ? o->ro_period : "(none)");
        return ILONET_EINVAL;
    }
    if (strcmp(report_period_kind(o->ro_period), report_template_period(t)) !=
        0) {
        snprintf(err, errlen, "--period %s: template %s reports per %s (%s)",
                 o->ro_period, t->t_version, report_template_period(t),
                 strcmp(report_template_period(t), "year") == 0
                     ? "YYYY"
                     : "YYYY-H1 or YYYY-H2");
        return ILONET_EINVAL;
    }
    snprintf(r->r_period, sizeof(r->r_period), "%s", o->ro_period);
    report__period_long(r->r_period, r->r_period_long,
                        sizeof(r->r_period_long));
    if (o->ro_network) {
        hash_hex(o->ro_network, 8, r->r_network);
        hash_hex(o->ro_network, 32, r->r_network_hex);
    }
    report__reference(r);
    report__host_name(r);
    r->r_nparts = t->t_nparts;
    if (o->ro_marking && *o->ro_marking)
        snprintf(r->r_marking, sizeof(r->r_marking), "%s", o->ro_marking);
    if ((rc = report__drafting(s, rot, r)) != 0 ||
        (rc = report__signed(s, r)) != 0 || (rc = report__footer(s, r)) != 0)
        return rc;
    if ((rc = report__fill_parts(s, r, "net", &r->r_nitems, &r->r_items,
                                 &r->r_body_empty, err, errlen)) != 0)
        return rc;
    if (o->ro_annex_ms &&
        (rc = report__fill_parts(s, r, "ms", &r->r_ms_nitems, &r->r_ms_items,
                                 &r->r_ms_empty, err, errlen)) != 0)
        return rc;
    r->r_aud = "net";
    if ((rc = report__digest(r)) != 0)
        return rc;
    return report__attest_status(r);
}

int
report_build(struct store *s, const struct report_template *t,
             const struct report_rotation *rot, const struct report_opts *o,
             char **out, size_t *outlen, struct report_digest *dg, char *err,
             size_t errlen)
{
    struct report__doc r;
    struct textbuf b = {0};
    int rc, snap;

    if (!s || !t || !o || !out || !outlen)
        return ILONET_EINVAL;
    /* every part from one state of the view, its hash included, however
     * long the build takes and whatever sync commits meanwhile */
    if ((rc = store_snapshot_begin(s, &snap)) != 0)
        return rc;
    /* a record base's rows of the period read once for all its queries */
    if ((rc = view_report_hold(s)) == 0) {
        rc = report__model(s, t, rot, o, &r, err, errlen);
        view_report_unhold(s);
    }
    store_snapshot_end(s, snap);
    if (rc != 0)
        goto out;
    switch (o->ro_format) {
    case REPORT_MD: report__md(&b, &r, 1); break;
    case REPORT_HTML: report__html(&b, &r, 1); break;
    case REPORT_JSON: report__json(&b, &r, 1); break;
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
    if (dg)
        *dg = r.r_dg;
    *out = b.tb_data;
    *outlen = b.tb_len;
    b.tb_data = NULL;
out:
    free(b.tb_data);
    report__free_model(&r);
    return rc;
}

/* ---- the cross-network overview ------------------------------------------ */

const char *const report_overview_figures[REPORT_OVERVIEW_NFIG] = {
    "members",           "meetings", "without the Commission",
    "observations",      "contacts", "trainings",
    "carrier positions", "postings", "task sharing"};

/* Sums a column of the rows of query q in the body's audience. */
static int
report__sum(struct store *s, const struct report__doc *r, const char *q,
            size_t ncols, const char *const *cols, int64_t *sums)
{
    struct view_report_req rq;
    struct view_report_rows rows;
    int rc;

    memset(&rq, 0, sizeof(rq));
    rq.vrq_query = q;
    rq.vrq_use = VIEW_REPORT_TABLE;
    rq.vrq_from_ms = r->r_from_ms;
    rq.vrq_to_ms = r->r_to_ms;
    rq.vrq_audience = "net";
    rq.vrq_ncols = ncols;
    rq.vrq_cols = cols;
    if ((rc = view_report_rows(s, &rq, &rows)) != 0)
        return rc;
    for (size_t i = 0; i < rows.vrw_nrows; i++)
        for (size_t c = 0; c < ncols; c++)
            if (rows.vrw_cells[i * ncols + c].vcl_type == VIEW_REPORT_INT)
                sums[c] += rows.vrw_cells[i * ncols + c].vcl_int;
    view_report_rows_free(&rows);
    return 0;
}

/* The number of rows of query q (table) in the body's audience. */
static int
report__count(struct store *s, const struct report__doc *r, const char *q,
              int64_t *n)
{
    struct view_report_req rq;
    struct view_report_rows rows;
    int rc;

    memset(&rq, 0, sizeof(rq));
    rq.vrq_query = q;
    rq.vrq_use = VIEW_REPORT_TABLE;
    rq.vrq_from_ms = r->r_from_ms;
    rq.vrq_to_ms = r->r_to_ms;
    rq.vrq_audience = "net";
    if ((rc = view_report_rows(s, &rq, &rows)) != 0)
        return rc;
    *n = (int64_t)rows.vrw_nrows;
    view_report_rows_free(&rows);
    return 0;
}

int
report_overview_net(struct store *s, const struct report_template *t,
                    const struct report_rotation *rot,
                    const struct report_opts *o,
                    struct report_overview_net *out, char *err, size_t errlen)
{
    static const char *const meet[] = {"meetings", "without_commission"};
    /* the last is the task-sharing arrangements (their stubs): tasks
     * themselves are never in net */
    static const char *const contrib[] = {"observations", "contacts",
                                          "trainings", "carriers", "postings"};
    struct report__doc r;
    int64_t m[2] = {0, 0}, c[6] = {0};
    int rc, drafter_same = 0, drafter_any = 0;

    if (!s || !t || !o || !out)
        return ILONET_EINVAL;
    memset(out, 0, sizeof(*out));
    if ((rc = report__model(s, t, rot, o, &r, err, errlen)) != 0 ||
        (rc = report__sum(s, &r, "meeting-summary", 2, meet, m)) != 0 ||
        (rc = report__sum(s, &r, "contributions", 5, contrib, c)) != 0 ||
        (rc = report__count(s, &r, "task-sharing", &c[5])) != 0)
        goto out;
    snprintf(out->on_host, sizeof(out->on_host), "%s",
             o->ro_host ? o->ro_host : "");
    /* the name column: "Türkiye (TR)", a regional network's list */
    snprintf(out->on_name, sizeof(out->on_name), "%s", r.r_host_name);
    snprintf(out->on_regime, sizeof(out->on_regime), "%s",
             o->ro_regime ? o->ro_regime : "377-2004");
    snprintf(out->on_network, sizeof(out->on_network), "%.16s", r.r_network);
    snprintf(out->on_drafting, sizeof(out->on_drafting), "%s",
             r.r_drafting[0] ? r.r_drafting : "-");
    memcpy(out->on_report, r.r_report_hex, sizeof(out->on_report));
    for (size_t i = 0; i < r.r_natt; i++) {
        if (r.r_att[i].a_same)
            out->on_attested++;
        else
            out->on_differ++;
        if (r.r_drafting[0] &&
            strcmp(r.r_att_v[i].va_state, r.r_drafting) == 0) {
            drafter_any = 1;
            drafter_same |= r.r_att[i].a_same;
        }
    }
    snprintf(out->on_status, sizeof(out->on_status), "%s",
             !r.r_drafting[0] ? "no drafter"
             : drafter_same   ? "reported"
             : drafter_any    ? "changed since"
                              : "missing");
    out->on_fig[0] = (int64_t)r.r_nmembers;
    out->on_fig[1] = m[0];
    out->on_fig[2] = m[1];
    out->on_fig[3] = c[0];
    out->on_fig[4] = c[1];
    out->on_fig[5] = c[2];
    out->on_fig[6] = c[3];
    out->on_fig[7] = c[4];
    out->on_fig[8] = c[5];
out:
    report__free_model(&r);
    return rc;
}

/* ---- shared by the renderers --------------------------------------------- */

void
report__member_name(const struct report__doc *r, const char *code, char *out,
                    size_t cap)
{
    const struct vocab_member *m =
        r->r_v && code && *code ? vocab_member(r->r_v, code) : NULL;

    if (m)
        snprintf(out, cap, "%s (%s)", m->vm_name, code);
    else
        snprintf(out, cap, "%s", code && *code ? code : "none");
}

void
report__signed_by(const struct report__doc *r, const struct view_report_text *t,
                  char *out, size_t cap)
{
    char who[200], day[11], id[13];

    report__member_name(r, t->vt_state, who, sizeof(who));
    report_date_of(t->vt_hlc >> 16, day);
    hash_hex(t->vt_id, 6, id);
    snprintf(out, cap, "%s, %s, entry %s", who, day, id);
}

void
report__cover_value(const struct report__doc *r, const char *field, char *out,
                    size_t cap)
{
    const struct report_opts *o = r->r_o;
    char name[200];

    if (strcmp(field, "host") == 0) {
        snprintf(out, cap, "%s", r->r_host_name);
    } else if (strcmp(field, "network") == 0) {
        snprintf(out, cap,
                 "Immigration liaison officers network in %s (network %s, "
                 "regime %s)",
                 r->r_host_name, r->r_network,
                 o->ro_regime ? o->ro_regime : "377-2004");
    } else if (strcmp(field, "semester") == 0 || strcmp(field, "period") == 0) {
        snprintf(out, cap, "%s (%s)", r->r_period, r->r_period_long);
    } else if (strcmp(field, "presidency") == 0) {
        if (r->r_presidency[0])
            report__member_name(r, r->r_presidency, out, cap);
        else
            snprintf(out, cap, "not in the rotation data");
    } else if (strcmp(field, "drafting") == 0) {
        report__member_name(r, r->r_drafting, name, sizeof(name));
        snprintf(out, cap, "%s, %s", name, r->r_drafting_basis);
    } else if (strcmp(field, "date") == 0) {
        if (r->r_date[0])
            snprintf(out, cap, "%s (the drafting state's latest signed text)",
                     r->r_date);
        else
            snprintf(out, cap,
                     "not signed yet (no text of the drafting "
                     "state for %s)",
                     r->r_period);
    } else if (strcmp(field, "post") == 0) {
        if (r->r_post[0])
            snprintf(out, cap, "%s (%s)", r->r_post, r->r_post_basis);
        else
            snprintf(out, cap, "not recorded (%s)", r->r_post_basis);
    } else if (strcmp(field, "reference") == 0) {
        snprintf(out, cap, "%s", r->r_reference);
    } else if (strcmp(field, "marking") == 0) {
        snprintf(out, cap, "%s", r->r_marking[0] ? r->r_marking : "none");
    } else if (strcmp(field, "members") == 0) {
        size_t off = 0;
        out[0] = '\0';
        for (size_t i = 0; i < r->r_nmembers; i++) {
            int n;
            report__member_name(r, r->r_members[i], name, sizeof(name));
            n = snprintf(out + off, cap - off, "%s%s", i ? "; " : "", name);
            if (n < 0 || (size_t)n >= cap - off)
                break;
            off += (size_t)n;
        }
        if (!r->r_nmembers)
            snprintf(out, cap, "none held for this period");
    } else {
        snprintf(out, cap, "%s", "");
    }
}

void
report__item_number(const char *part, const char *item, char *out, size_t cap)
{
    snprintf(out, cap, "%s.%s", part, item);
}
