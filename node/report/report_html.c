/* report_html.c - the semester report as one self-contained, print-friendly
 * HTML file. */
#include <string.h>

#include "report_int.h"

static const char html_css[] =
    "@page{size:A4;margin:16mm 14mm}\n"
    "html{background:#fff;color:#111}\n"
    "body{font-family:'DejaVu Serif',Georgia,'Times New Roman',serif;"
    "font-size:11pt;line-height:1.4;max-width:60em;margin:1.5em auto;"
    "padding:0 1.5em}\n"
    "h1{font-size:17pt;margin:.3em 0 .6em;line-height:1.25}\n"
    "h2{font-size:14pt;border-bottom:2px solid #003399;padding-bottom:.15em;"
    "margin-top:1.6em;color:#003399}\n"
    "h3{font-size:12pt;margin:1.2em 0 .3em}\n"
    ".banner{border:2px solid #b36b00;background:#fff4e0;padding:.5em .8em;"
    "font-family:'DejaVu Sans',Arial,sans-serif;font-size:9.5pt}\n"
    ".banner b{color:#8a4f00}\n"
    "table{border-collapse:collapse;min-width:50%;margin:.3em 0 .8em;"
    "font-family:'DejaVu Sans',Arial,sans-serif;font-size:9pt}\n"
    "th,td{border:1px solid #999;padding:.25em .45em;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#e8ecf5}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.na{color:#777;font-style:italic}\n"
    "td.d{white-space:nowrap}\n"
    "table.cover{width:auto;min-width:60%;font-size:10.5pt}\n"
    "table.cover th{width:12em;background:#f3f5fa}\n"
    ".guide{color:#444;font-style:italic;margin:.2em 0 .5em}\n"
    ".cap{font-family:'DejaVu Sans',Arial,sans-serif;font-weight:bold;"
    "font-size:9.5pt;margin:.6em 0 .2em}\n"
    ".empty{color:#555;font-style:italic}\n"
    "figure{margin:.4em 0 1em;page-break-inside:avoid;break-inside:avoid}\n"
    "svg{max-width:100%;height:auto}\n"
    "footer{margin-top:2em;border-top:1px solid #999;padding-top:.5em;"
    "font-family:'DejaVu Sans',Arial,sans-serif;font-size:8pt;color:#333}\n"
    "footer table{font-size:7.5pt}\n"
    "code{font-family:'DejaVu Sans Mono',monospace;word-break:break-all}\n"
    "tr{page-break-inside:avoid;break-inside:avoid}\n"
    "thead{display:table-header-group}\n"
    "h2,h3{page-break-after:avoid;break-after:avoid}\n"
    "@media print{body{margin:0;padding:0;max-width:none}"
    ".cover-block{page-break-after:always;break-after:page}"
    "th{background:#eee!important}}\n";

static void
html_table(struct textbuf *b, const struct report_template *t,
           const struct report__table *tb)
{
    textbuf_puts(b, "<table>\n<thead><tr>");
    for (size_t c = 0; c < tb->t_ncols; c++) {
        textbuf_puts(b, "<th scope=\"col\">");
        report__esc_html(b, report__label(t, tb->t_fields[c]));
        textbuf_puts(b, "</th>");
    }
    textbuf_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < tb->t_nrows; r++) {
        textbuf_puts(b, "<tr>");
        for (size_t c = 0; c < tb->t_ncols; c++) {
            const struct report__cell *cell = &tb->t_cells[r * tb->t_ncols + c];
            int date = cell->c_text && strlen(cell->c_text) == 10 &&
                       cell->c_text[4] == '-' && cell->c_text[7] == '-';
            textbuf_puts(b, !cell->c_text ? "<td class=\"na\">"
                            : cell->c_num ? "<td class=\"n\">"
                            : date        ? "<td class=\"d\">"
                                          : "<td>");
            report__esc_html(b, report__cell_text(cell, tb->t_fields[c]));
            textbuf_puts(b, "</td>");
        }
        textbuf_puts(b, "</tr>\n");
    }
    textbuf_puts(b, "</tbody>\n</table>\n");
}

void
report__html(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;
    char v[512], num[64];

    textbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>");
    report__esc_html(b, r->r_o->ro_host);
    textbuf_printf(b, " %s - ", r->r_semester);
    report__esc_html(b, t->t_title);
    textbuf_printf(b,
                   "</title>\n<meta name=\"generator\" content=\"ilonet "
                   "report\">\n<style>\n%s</style>\n</head>\n<body>\n",
                   html_css);
    textbuf_puts(b, "<header class=\"cover-block\">\n");
    for (size_t i = 0; i < t->t_nnotice; i++) {
        textbuf_puts(b, "<p class=\"banner\">");
        report__esc_html(b, t->t_notice[i]);
        textbuf_puts(b, "</p>\n");
    }
    textbuf_puts(b, "<h1>");
    report__esc_html(b, t->t_title);
    textbuf_puts(b, "</h1>\n<table class=\"cover\">\n");
    for (size_t i = 0; i < t->t_ncover; i++) {
        report__cover_value(r, t->t_cover[i].p_key, v, sizeof(v));
        textbuf_puts(b, "<tr><th scope=\"row\">");
        report__esc_html(b, t->t_cover[i].p_val);
        textbuf_puts(b, "</th><td>");
        report__esc_html(b, v);
        textbuf_puts(b, "</td></tr>\n");
    }
    textbuf_puts(b, "</table>\n</header>\n<main>\n");
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        textbuf_printf(b, "<section class=\"part\" id=\"part-");
        report__esc_html(b, pp->p_id);
        textbuf_puts(b, "\">\n<h2>Part ");
        report__esc_html(b, pp->p_id);
        textbuf_puts(b, " &#8212; ");
        report__esc_html(b, pp->p_heading);
        textbuf_puts(b, "</h2>\n");
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            size_t ti = 0, ci = 0;
            report__item_number(pp->p_id, it->i_t->i_id, num, sizeof(num));
            textbuf_puts(b, "<section class=\"item\" id=\"item-");
            report__esc_html(b, num);
            textbuf_puts(b, "\">\n<h3>");
            report__esc_html(b, num);
            textbuf_puts(b, " ");
            report__esc_html(b, it->i_t->i_heading);
            textbuf_puts(b, "</h3>\n");
            for (size_t k = 0; k < it->i_t->i_ntext; k++) {
                textbuf_puts(b, "<p class=\"guide\">");
                report__esc_html(b, it->i_t->i_text[k]);
                textbuf_puts(b, "</p>\n");
            }
            if (it->i_empty) {
                textbuf_puts(b, "<p class=\"empty\">");
                report__esc_html(b, t->t_empty);
                textbuf_puts(b, "</p>\n</section>\n");
                continue;
            }
            for (size_t k = 0; k < it->i_t->i_nblocks; k++) {
                const struct report__tmpl_block *blk = &it->i_t->i_blocks[k];
                textbuf_puts(b, "<figure>\n");
                if (blk->k_caption) {
                    textbuf_puts(b, "<figcaption class=\"cap\">");
                    report__esc_html(b, blk->k_caption);
                    textbuf_puts(b, "</figcaption>\n");
                }
                if (blk->k_what == REPORT__TABLE) {
                    const struct report__table *tb = &it->i_tables[ti++];
                    if (tb->t_nrows)
                        html_table(b, t, tb);
                    else
                        textbuf_puts(b, "<p class=\"empty\">"),
                            report__esc_html(b, t->t_empty),
                            textbuf_puts(b, "</p>\n");
                } else {
                    const struct report__chart *c = &it->i_charts[ci++];
                    if (c->c_ns)
                        report__svg(b, c);
                    else
                        textbuf_puts(b, "<p class=\"empty\">"),
                            report__esc_html(b, t->t_empty),
                            textbuf_puts(b, "</p>\n");
                }
                textbuf_puts(b, "</figure>\n");
            }
            textbuf_puts(b, "</section>\n");
        }
        textbuf_puts(b, "</section>\n");
    }
    textbuf_puts(b, "</main>\n<footer>\n<p>Template ");
    report__esc_html(b, t->t_version);
    textbuf_printf(b,
                   " (%s) &#183; semester %s &#183; view hash <code>%s</code>"
                   "</p>\n<p>Built from %zu log heads (anyone holding the "
                   "same entries regenerates these bytes with "
                   "<code>ilonet report</code>):</p>\n",
                   t->t_status, r->r_semester, r->r_view_hash, r->r_nheads);
    if (r->r_nheads) {
        textbuf_puts(b,
                     "<table>\n<thead><tr><th>Log</th><th>Audience</th>"
                     "<th>Seq</th><th>Entry id</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < r->r_nheads; i++) {
            textbuf_printf(b, "<tr><td><code>%s</code></td><td>",
                           r->r_heads[i].h_log);
            report__esc_html(b, r->r_heads[i].h_audience);
            textbuf_printf(b,
                           "</td><td class=\"n\">%llu</td><td><code>%s</code>"
                           "</td></tr>\n",
                           (unsigned long long)r->r_heads[i].h_seq,
                           r->r_heads[i].h_id);
        }
        textbuf_puts(b, "</tbody>\n</table>\n");
    }
    textbuf_puts(b, "</footer>\n</body>\n</html>\n");
}
