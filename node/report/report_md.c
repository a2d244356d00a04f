/* report_md.c - the semester report as Markdown (for editing). */
#include <string.h>

#include "report_int.h"

static void
md_table(struct textbuf *b, const struct report_template *t,
         const struct report__table *tb)
{
    textbuf_puts(b, "|");
    for (size_t c = 0; c < tb->t_ncols; c++) {
        textbuf_put(b, " ", 1);
        report__esc_md(b, report__label(t, tb->t_fields[c]));
        textbuf_puts(b, " |");
    }
    textbuf_puts(b, "\n|");
    for (size_t c = 0; c < tb->t_ncols; c++) {
        int num = 0;
        for (size_t r = 0; r < tb->t_nrows; r++)
            num |= tb->t_cells[r * tb->t_ncols + c].c_num;
        textbuf_puts(b, num ? "---:|" : "---|");
    }
    textbuf_puts(b, "\n");
    for (size_t r = 0; r < tb->t_nrows; r++) {
        textbuf_puts(b, "|");
        for (size_t c = 0; c < tb->t_ncols; c++) {
            textbuf_put(b, " ", 1);
            report__esc_md(b,
                           report__cell_text(&tb->t_cells[r * tb->t_ncols + c],
                                             tb->t_fields[c]));
            textbuf_puts(b, " |");
        }
        textbuf_puts(b, "\n");
    }
}

/* A chart in Markdown is its data as a table. */
static void
md_chart(struct textbuf *b, const struct report__chart *c)
{
    if (c->c_ns > 1 || strcmp(c->c_kind, "category-month") == 0) {
        textbuf_puts(b, "| Month |");
        for (size_t s = 0; s < c->c_ns; s++) {
            textbuf_put(b, " ", 1);
            report__esc_md(b, c->c_series[s]);
            textbuf_puts(b, " |");
        }
        textbuf_puts(b, "\n|---|");
        for (size_t s = 0; s < c->c_ns; s++)
            textbuf_puts(b, "---:|");
        textbuf_puts(b, "\n");
        for (size_t x = 0; x < c->c_nx; x++) {
            textbuf_puts(b, "| ");
            report__esc_md(b, c->c_x[x]);
            textbuf_puts(b, " |");
            for (size_t s = 0; s < c->c_ns; s++)
                textbuf_printf(b, " %lld |",
                               (long long)c->c_v[s * c->c_nx + x]);
            textbuf_puts(b, "\n");
        }
        return;
    }
    textbuf_puts(b, "| Label | Value |\n|---|---:|\n");
    for (size_t x = 0; x < c->c_nx; x++) {
        textbuf_puts(b, "| ");
        report__esc_md(b, c->c_x[x]);
        textbuf_printf(b, " | %lld |\n", (long long)c->c_v[x]);
    }
}

void
report__md(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;
    char v[512], num[64];

    textbuf_puts(b, "# ");
    report__esc_md(b, t->t_title);
    textbuf_puts(b, "\n\n");
    for (size_t i = 0; i < t->t_nnotice; i++) {
        textbuf_puts(b, "> **");
        report__esc_md(b, t->t_notice[i]);
        textbuf_puts(b, "**\n\n");
    }
    textbuf_puts(b, "| | |\n|---|---|\n");
    for (size_t i = 0; i < t->t_ncover; i++) {
        report__cover_value(r, t->t_cover[i].p_key, v, sizeof(v));
        textbuf_puts(b, "| ");
        report__esc_md(b, t->t_cover[i].p_val);
        textbuf_puts(b, " | ");
        report__esc_md(b, v);
        textbuf_puts(b, " |\n");
    }
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        textbuf_puts(b, "\n## Part ");
        report__esc_md(b, pp->p_id);
        textbuf_puts(b, " - ");
        report__esc_md(b, pp->p_heading);
        textbuf_puts(b, "\n");
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            size_t ti = 0, ci = 0;
            report__item_number(pp->p_id, it->i_t->i_id, num, sizeof(num));
            textbuf_printf(b, "\n### %s ", num);
            report__esc_md(b, it->i_t->i_heading);
            textbuf_puts(b, "\n\n");
            for (size_t k = 0; k < it->i_t->i_ntext; k++) {
                textbuf_puts(b, "*");
                report__esc_md(b, it->i_t->i_text[k]);
                textbuf_puts(b, "*\n\n");
            }
            if (it->i_empty) {
                report__esc_md(b, t->t_empty);
                textbuf_puts(b, "\n");
                continue;
            }
            for (size_t k = 0; k < it->i_t->i_nblocks; k++) {
                const struct report__tmpl_block *blk = &it->i_t->i_blocks[k];
                int empty;
                if (blk->k_caption) {
                    textbuf_puts(b, "**");
                    report__esc_md(b, blk->k_caption);
                    textbuf_puts(b, "**\n\n");
                }
                if (blk->k_what == REPORT__TABLE) {
                    const struct report__table *tb = &it->i_tables[ti++];
                    empty = tb->t_nrows == 0;
                    if (!empty)
                        md_table(b, t, tb);
                } else {
                    const struct report__chart *c = &it->i_charts[ci++];
                    empty = c->c_ns == 0;
                    if (!empty)
                        md_chart(b, c);
                }
                if (empty)
                    report__esc_md(b, t->t_empty), textbuf_puts(b, "\n");
                textbuf_puts(b, "\n");
            }
        }
    }
    textbuf_puts(b, "\n---\n\n## Provenance\n\n");
    textbuf_puts(b, "- Template: ");
    report__esc_md(b, t->t_version);
    textbuf_printf(b, " (%s)\n", t->t_status);
    textbuf_printf(b, "- Semester: %s\n", r->r_semester);
    textbuf_printf(b, "- View hash: `%s`\n", r->r_view_hash);
    textbuf_printf(b, "- Built from %zu log heads:\n\n", r->r_nheads);
    if (r->r_nheads) {
        textbuf_puts(
            b, "| Log | Audience | Seq | Entry id |\n|---|---|---:|---|\n");
        for (size_t i = 0; i < r->r_nheads; i++)
            textbuf_printf(b, "| `%s` | %s | %llu | `%s` |\n",
                           r->r_heads[i].h_log, r->r_heads[i].h_audience,
                           (unsigned long long)r->r_heads[i].h_seq,
                           r->r_heads[i].h_id);
        textbuf_puts(b, "\n");
    }
    textbuf_puts(b, "Anyone holding the same entries regenerates these bytes "
                    "with `ilonet report`.\n");
}
