/* report_html.c - the report as one self-contained, print-friendly HTML file
 * (running header, page numbers). */
#include <string.h>

#include "report_int.h"

static const char html_css[] =
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
    ".annex{margin-top:2em;border-top:3px double #999;padding-top:.5em}\n"
    ".annex-final{font-family:'DejaVu Sans',Arial,sans-serif;font-size:8.5pt;"
    "color:#222}\n"
    ".annex-final table{font-size:7.5pt}\n"
    ".restricted{border:3px solid #a00;background:#fff0f0;padding:.5em .8em;"
    "font-family:'DejaVu Sans',Arial,sans-serif;font-weight:bold;"
    "color:#800}\n"
    ".marking{font-family:'DejaVu Sans',Arial,sans-serif;font-weight:bold;"
    "letter-spacing:.15em;text-align:right;font-size:12pt;margin:0}\n"
    ".text{text-align:justify}\n"
    ".signed{font-family:'DejaVu Sans',Arial,sans-serif;font-size:8.5pt;"
    "color:#333;font-style:italic}\n"
    ".draft{border:2px dashed #b36b00;padding:.3em .7em;margin:.5em 0;"
    "background:#fffaf0}\n"
    ".draft .tag{font-family:'DejaVu Sans',Arial,sans-serif;font-weight:bold;"
    "color:#8a4f00;font-size:9pt}\n"
    ".legend{font-family:'DejaVu Sans',Arial,sans-serif;font-size:8pt;"
    "color:#333;margin:-.4em 0 .8em}\n"
    ".nodata{border-left:4px solid #777;padding:.3em .7em;font-style:italic}\n"
    "code{font-family:'DejaVu Sans Mono',monospace;word-break:break-all}\n"
    "tr{page-break-inside:avoid;break-inside:avoid}\n"
    "thead{display:table-header-group}\n"
    "h2,h3{page-break-after:avoid;break-after:avoid}\n"
    "@media print{body{margin:0;padding:0;max-width:none}"
    ".cover-block{page-break-after:always;break-after:page}"
    ".annex{page-break-before:always;break-before:page}"
    "th{background:#eee!important}}\n";

/* Text as a CSS string's content: quotes, backslashes, '<' (so no
 * "</style>" can close the style element) and control bytes escaped. */
static void
html_css_str(struct textbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        if (*p == '"' || *p == '\\' || *p == '<' || *p == '>' || *p == '&' ||
            *p < 0x20)
            textbuf_printf(b, "\\%x ", (unsigned)*p);
        else
            textbuf_put(b, (const char *)p, 1);
    }
}

/* The print layout: A4, the handling marking and the reference as a
 * running header, the page number and count in the footer (CSS page
 * margin boxes; Chromium prints them with --print-to-pdf). */
static void
html_page_css(struct textbuf *b, const struct report__doc *r)
{
    const char *mark = r->r_marking;

    textbuf_puts(b, "@page{size:A4;margin:20mm 16mm 18mm;"
                    "@top-left{content:\"");
    html_css_str(b, mark && *mark ? mark : "");
    textbuf_puts(b, "\";font:bold 9pt 'DejaVu Sans',Arial,sans-serif;"
                    "letter-spacing:.1em}"
                    "@top-right{content:\"");
    html_css_str(b, r->r_reference);
    textbuf_puts(b, "\";font:8pt 'DejaVu Sans',Arial,sans-serif}"
                    "@bottom-left{content:\"");
    html_css_str(b, r->r_host_name);
    textbuf_printf(b,
                   " \\2014  %s\";font:8pt 'DejaVu Sans',Arial,"
                   "sans-serif}"
                   "@bottom-right{content:\"Page \" counter(page) \" of "
                   "\" counter(pages);font:8pt 'DejaVu Sans',Arial,"
                   "sans-serif}}\n",
                   r->r_period);
}

static void
html_legend(struct textbuf *b, const struct report_template *t,
            const struct report__table *tb)
{
    for (size_t c = 0; c < tb->t_ncols; c++) {
        const struct vocab_set *vs = tb->t_sets[c];
        if (!vs || !report__is_grade(t, tb->t_fields[c]))
            continue;
        textbuf_puts(b, "<p class=\"legend\">");
        report__esc_html(b, report__label(t, tb->t_fields[c]));
        textbuf_puts(b, ":");
        for (size_t i = 0; i < vs->vs_n; i++) {
            textbuf_puts(b, i ? "; " : " ");
            textbuf_puts(b, "<b>");
            report__esc_html(b, vs->vs_values[i].vv_code);
            textbuf_puts(b, "</b> ");
            report__esc_html(b, vs->vs_values[i].vv_label);
        }
        textbuf_puts(b, "</p>\n");
    }
}

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
    html_legend(b, t, tb);
}

static void
html_item(struct textbuf *b, const struct report__doc *r,
          const struct report__item *it, int annex)
{
    const struct report_template *t = r->r_t;
    size_t ti = 0, ci = 0;
    char who[300];

    textbuf_puts(b, annex ? "<section class=\"item\" id=\"ms-item-"
                          : "<section class=\"item\" id=\"item-");
    report__esc_html(b, it->i_number);
    textbuf_puts(b, "\">\n<h3>");
    report__esc_html(b, it->i_number);
    textbuf_puts(b, " ");
    report__esc_html(b, it->i_t->i_heading);
    textbuf_puts(b, "</h3>\n");
    for (size_t k = 0; !annex && k < it->i_t->i_ntext; k++) {
        textbuf_puts(b, "<p class=\"guide\">");
        report__esc_html(b, it->i_t->i_text[k]);
        textbuf_puts(b, "</p>\n");
    }
    if (it->i_t->i_narrative && !annex) {
        if (it->i_text) {
            report__para_html(b, it->i_text->vt_text);
            report__signed_by(r, it->i_text, who, sizeof(who));
            textbuf_puts(b, "<p class=\"signed\">Signed by ");
            report__esc_html(b, who);
            textbuf_puts(b, ".</p>\n");
        } else if (it->i_t->i_placeholder) {
            textbuf_puts(b, "<p class=\"guide\">");
            report__esc_html(b, it->i_t->i_placeholder);
            textbuf_puts(b, "</p>\n");
        }
        for (size_t d = 0; d < it->i_ndrafts; d++) {
            report__signed_by(r, it->i_drafts[d], who, sizeof(who));
            textbuf_puts(b, "<div class=\"draft\"><p class=\"tag\">DRAFT by ");
            report__esc_html(b, who);
            textbuf_puts(b, " (not the drafting state; not part of the "
                            "report)</p>\n");
            report__para_html(b, it->i_drafts[d]->vt_text);
            textbuf_puts(b, "</div>\n");
        }
    }
    if (it->i_empty) {
        textbuf_puts(b, "<p class=\"empty\">");
        report__esc_html(b, t->t_empty);
        textbuf_puts(b, "</p>\n</section>\n");
        return;
    }
    for (size_t k = 0; k < it->i_t->i_nblocks; k++) {
        const struct report__tmpl_block *blk = &it->i_t->i_blocks[k];
        const struct report__table *tb = NULL;
        const struct report__chart *c = NULL;

        if (blk->k_what == REPORT__TABLE)
            tb = &it->i_tables[ti++];
        else
            c = &it->i_charts[ci++];
        if (annex && (tb ? !tb->t_nrows : !c->c_ns))
            continue;
        textbuf_puts(b, "<figure>\n");
        if (blk->k_caption) {
            textbuf_puts(b, "<figcaption class=\"cap\">");
            report__esc_html(b, blk->k_caption);
            textbuf_puts(b, "</figcaption>\n");
        }
        if (tb && tb->t_nrows) {
            html_table(b, t, tb);
        } else if (c && c->c_ns) {
            report__svg(b, c);
        } else {
            textbuf_puts(b, "<p class=\"empty\">");
            report__esc_html(b, t->t_empty);
            textbuf_puts(b, "</p>\n");
        }
        textbuf_puts(b, "</figure>\n");
    }
    textbuf_puts(b, "</section>\n");
}

static void
html_annexes(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;

    textbuf_puts(b, REPORT__ANNEX_MARK);
    if (r->r_o->ro_annex_ms) {
        textbuf_puts(b, "<section class=\"annex annex-ms\" id=\"annex-ms\">\n"
                        "<h2>");
        report__esc_html(b, t->t_annex_ms);
        textbuf_puts(b, "</h2>\n<p class=\"restricted\">RESTRICTED: for the "
                        "Member States only. Not part of the report to the "
                        "Council and the Commission; drawn from the "
                        "Member-States-only audience (ms) and not covered by "
                        "the report's hash.</p>\n");
        if (r->r_ms_empty)
            textbuf_puts(b, "<p class=\"empty\">No Member-States-only "
                            "information is recorded for this period.</p>\n");
        for (size_t p = 0; p < r->r_nparts && !r->r_ms_empty; p++)
            for (size_t i = 0; i < r->r_ms_nitems[p]; i++)
                if (!r->r_ms_items[p][i].i_empty)
                    html_item(b, r, &r->r_ms_items[p][i], 1);
        textbuf_puts(b, "</section>\n");
    }
    textbuf_puts(b, "<section class=\"annex annex-final\" id=\"annex-final\">"
                    "\n<h2>");
    report__esc_html(b, t->t_annex_final);
    textbuf_puts(b, "</h2>\n<p>Template ");
    report__esc_html(b, t->t_version);
    textbuf_printf(b,
                   " (%s) &#183; period %s &#183; network <code>%s</code>"
                   "</p>\n<p>Report hash <code>%s</code> (over the bodies "
                   "of the md, html and json documents: <code>%s</code>, "
                   "<code>%s</code>, <code>%s</code>)</p>\n<p>View hash "
                   "(net) <code>%s</code>; built from %zu log heads (net; "
                   "anyone holding the same entries regenerates the body "
                   "with <code>ilonet report</code>):</p>\n",
                   t->t_status, r->r_period, r->r_network_hex, r->r_report_hex,
                   r->r_body_hex[0], r->r_body_hex[1], r->r_body_hex[2],
                   r->r_view_hash, r->r_nheads);
    if (r->r_nheads) {
        textbuf_puts(b, "<table>\n<thead><tr><th>Log</th><th>State</th>"
                        "<th>Seq</th><th>Entry id</th></tr></thead>\n"
                        "<tbody>\n");
        for (size_t i = 0; i < r->r_nheads; i++) {
            textbuf_printf(b, "<tr><td><code>%s</code></td><td>",
                           r->r_heads[i].h_log);
            report__esc_html(b, r->r_heads[i].h_state);
            textbuf_printf(b,
                           "</td><td class=\"n\">%llu</td><td><code>%s"
                           "</code></td></tr>\n",
                           (unsigned long long)r->r_heads[i].h_seq,
                           r->r_heads[i].h_id);
        }
        textbuf_puts(b, "</tbody>\n</table>\n");
    }
    textbuf_printf(b, "<h3>Attestations (%zu)</h3>\n", r->r_natt);
    if (r->r_natt) {
        textbuf_puts(b, "<table>\n<thead><tr><th>Member</th><th>Node</th>"
                        "<th>Date</th><th>Report hash</th><th>View hash</th>"
                        "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < r->r_natt; i++) {
            const struct view_report_attest *a = r->r_att[i].a_v;
            char node[17], day[11], vh[65], who[200];
            hash_hex(a->va_node, 8, node);
            report_date_of(a->va_hlc >> 16, day);
            if (a->va_has_view)
                hash_hex(a->va_view, HASH_LEN, vh);
            else
                snprintf(vh, sizeof(vh), "-");
            report__member_name(r, a->va_state, who, sizeof(who));
            textbuf_puts(b, "<tr><td>");
            report__esc_html(b, who);
            textbuf_printf(b,
                           "</td><td><code>%s</code></td><td class=\"d\">"
                           "%s</td><td>%s</td><td><code>%s</code></td>"
                           "</tr>\n",
                           node, day,
                           r->r_att[i].a_same ? "same as this document"
                                              : "<b>DIFFERENT</b>",
                           vh);
        }
        textbuf_puts(b, "</tbody>\n</table>\n");
    } else {
        textbuf_puts(b, "<p>No member has attested this period's report yet "
                        "(<code>ilonet report attest</code>).</p>\n");
    }
    textbuf_puts(b, "<p><code>ilonet report verify FILE</code> checks this "
                    "document against the attestations (the signed entries "
                    "are in this file).</p>\n<!-- ilonet:verify\n");
    report__verify_block(b, r);
    textbuf_puts(b, "-->\n</section>\n" REPORT__ANNEX_END);
}

/* The files the body's records carry: listed by name and hash, never
 * embedded (docs/REPORTS.md, "Attachments"). */
static void
html_attachments(struct textbuf *b, const struct report__doc *r)
{
    char hex[2 * HASH_LEN + 1], size[64];

    if (!report__has_atts(r))
        return;
    textbuf_puts(b, "<section class=\"part\" id=\"attachments\">\n"
                    "<h2>Attachments</h2>\n<p class=\"guide\">Files carried "
                    "by records listed above, by name and BLAKE2b hash (the "
                    "blob id); not embedded. A member fetches one with "
                    "<code>ilonet blob get HASH</code>.</p>\n<table>\n"
                    "<thead><tr><th scope=\"col\">Item</th><th scope=\"col\">"
                    "Record</th><th scope=\"col\">Date</th><th scope=\"col\">"
                    "State</th><th scope=\"col\">File</th><th scope=\"col\">"
                    "Type</th><th scope=\"col\">Size</th><th scope=\"col\">"
                    "BLAKE2b hash</th></tr></thead>\n<tbody>\n");
    for (size_t p = 0; p < r->r_nparts; p++)
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            for (size_t k = 0; k < it->i_natts; k++) {
                const struct view_report_att *a = &it->i_atts[k];
                hash_hex(a->vra_hash, HASH_LEN, hex);
                report__att_size(a->vra_size, size, sizeof(size));
                textbuf_printf(b, "<tr><td>%s</td><td><code>%.12s</code></td>",
                               it->i_number, a->vra_record);
                textbuf_puts(b, "<td class=\"d\">");
                report__esc_html(b, a->vra_date[0] ? a->vra_date : "-");
                textbuf_puts(b, "</td><td>");
                report__esc_html(b, a->vra_state);
                textbuf_puts(b, "</td><td>");
                report__esc_html(b, a->vra_name[0] ? a->vra_name : "(no name)");
                textbuf_puts(b, "</td><td>");
                report__esc_html(b, a->vra_type);
                textbuf_printf(b,
                               "</td><td class=\"n\">%s</td><td><code>%s"
                               "</code></td></tr>\n",
                               size, hex);
            }
        }
    textbuf_puts(b, "</tbody>\n</table>\n</section>\n");
}

void
report__html(struct textbuf *b, const struct report__doc *r, int full)
{
    const struct report_template *t = r->r_t;
    const char *mark = r->r_marking;
    char v[2048];

    textbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>");
    report__esc_html(b, r->r_reference);
    textbuf_puts(b, " - ");
    report__esc_html(b, t->t_title);
    textbuf_printf(b,
                   "</title>\n<meta name=\"generator\" content=\"ilonet "
                   "report\">\n<style>\n%s",
                   html_css);
    html_page_css(b, r);
    textbuf_puts(b, "</style>\n</head>\n<body>\n<header class=\"cover-block\">"
                    "\n");
    if (mark && *mark) {
        textbuf_puts(b, "<p class=\"marking\">");
        report__esc_html(b, mark);
        textbuf_puts(b, "</p>\n");
    }
    for (size_t i = 0; i < t->t_nnotice; i++) {
        textbuf_puts(b, "<p class=\"banner\">");
        report__esc_html(b, t->t_notice[i]);
        textbuf_puts(b, "</p>\n");
    }
    if (r->r_o->ro_drafts)
        textbuf_puts(b, "<p class=\"restricted\">WORKING COPY WITH DRAFTS: "
                        "texts signed by states other than the drafting "
                        "state are shown, marked DRAFT. This is not the "
                        "report.</p>\n");
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
    textbuf_puts(b, "</table>\n");
    if (r->r_body_empty)
        textbuf_printf(b,
                       "<p class=\"nodata\">No information is recorded "
                       "for %s: each item below says so.</p>\n",
                       r->r_period);
    textbuf_puts(b, "</header>\n<main>\n");
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        textbuf_puts(b, "<section class=\"part\" id=\"part-");
        report__esc_html(b, pp->p_id);
        textbuf_puts(b, "\">\n<h2>Part ");
        report__esc_html(b, pp->p_id);
        textbuf_puts(b, " &#8212; ");
        report__esc_html(b, pp->p_heading);
        textbuf_puts(b, "</h2>\n");
        for (size_t i = 0; i < r->r_nitems[p]; i++)
            html_item(b, r, &r->r_items[p][i], 0);
        textbuf_puts(b, "</section>\n");
    }
    html_attachments(b, r);
    textbuf_puts(b, "</main>\n");
    if (full)
        html_annexes(b, r);
    textbuf_puts(b, REPORT__HTML_TAIL);
}
