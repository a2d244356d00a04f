/* report_md.c - the report as Markdown (for editing). */
#include <string.h>

#include "report_int.h"

static void
md_legend(struct textbuf *b, const struct report_template *t,
          const struct report__table *tb)
{
    for (size_t c = 0; c < tb->t_ncols; c++) {
        const struct vocab_set *vs = tb->t_sets[c];
        if (!vs || !report__is_grade(t, tb->t_fields[c]))
            continue;
        textbuf_puts(b, "\n*");
        report__esc_md(b, report__label(t, tb->t_fields[c]));
        textbuf_puts(b, ":");
        for (size_t i = 0; i < vs->vs_n; i++) {
            textbuf_puts(b, i ? "; " : " ");
            report__esc_md(b, vs->vs_values[i].vv_code);
            textbuf_puts(b, " = ");
            report__esc_md(b, vs->vs_values[i].vv_label);
        }
        textbuf_puts(b, "*\n");
    }
}

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
    md_legend(b, t, tb);
}

/* A chart in Markdown is its data as a table. */
static void
md_chart(struct textbuf *b, const struct report__chart *c)
{
    if (c->c_ns > 1 || strcmp(c->c_kind, "category-month") == 0) {
        textbuf_puts(b, "| Month |");
        for (size_t s = 0; s < c->c_ns; s++) {
            textbuf_put(b, " ", 1);
            report__esc_md(b, c->c_series_label[s] ? c->c_series_label[s]
                                                   : c->c_series[s]);
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

/* One item: guidance, signed text (and drafts), tables and charts. */
static void
md_item(struct textbuf *b, const struct report__doc *r,
        const struct report__item *it, int annex)
{
    const struct report_template *t = r->r_t;
    size_t ti = 0, ci = 0;
    char who[300];

    textbuf_printf(b, "\n### %s ", it->i_number);
    report__esc_md(b, it->i_t->i_heading);
    textbuf_puts(b, "\n\n");
    for (size_t k = 0; !annex && k < it->i_t->i_ntext; k++) {
        textbuf_puts(b, "*");
        report__esc_md(b, it->i_t->i_text[k]);
        textbuf_puts(b, "*\n\n");
    }
    if (it->i_t->i_narrative && !annex) {
        if (it->i_text) {
            report__para_md(b, it->i_text->vt_text);
            report__signed_by(r, it->i_text, who, sizeof(who));
            textbuf_puts(b, "*Signed by ");
            report__esc_md(b, who);
            textbuf_puts(b, ".*\n\n");
        } else if (it->i_t->i_placeholder) {
            textbuf_puts(b, "*");
            report__esc_md(b, it->i_t->i_placeholder);
            textbuf_puts(b, "*\n\n");
        }
        for (size_t d = 0; d < it->i_ndrafts; d++) {
            report__signed_by(r, it->i_drafts[d], who, sizeof(who));
            textbuf_puts(b, "> **DRAFT by ");
            report__esc_md(b, who);
            textbuf_puts(b, " (not the drafting state; not part of the "
                            "report)**\n\n");
            report__para_md(b, it->i_drafts[d]->vt_text);
        }
    }
    if (it->i_empty) {
        report__esc_md(b, t->t_empty);
        textbuf_puts(b, "\n");
        return;
    }
    for (size_t k = 0; k < it->i_t->i_nblocks; k++) {
        const struct report__tmpl_block *blk = &it->i_t->i_blocks[k];
        int empty;
        if (blk->k_what == REPORT__TABLE) {
            const struct report__table *tb = &it->i_tables[ti++];
            if (annex && !tb->t_nrows)
                continue;
            if (blk->k_caption) {
                textbuf_puts(b, "**");
                report__esc_md(b, blk->k_caption);
                textbuf_puts(b, "**\n\n");
            }
            empty = tb->t_nrows == 0;
            if (!empty)
                md_table(b, t, tb);
        } else {
            const struct report__chart *c = &it->i_charts[ci++];
            if (annex && !c->c_ns)
                continue;
            if (blk->k_caption) {
                textbuf_puts(b, "**");
                report__esc_md(b, blk->k_caption);
                textbuf_puts(b, "**\n\n");
            }
            empty = c->c_ns == 0;
            if (!empty)
                md_chart(b, c);
        }
        if (empty)
            report__esc_md(b, t->t_empty), textbuf_puts(b, "\n");
        textbuf_puts(b, "\n");
    }
}

/* The files the body's records carry: listed by name and hash, never
 * embedded (docs/REPORTS.md, "Attachments"). */
static void
md_attachments(struct textbuf *b, const struct report__doc *r)
{
    char hex[2 * HASH_LEN + 1], size[64];

    if (!report__has_atts(r))
        return;
    textbuf_puts(b, "\n## Attachments\n\n*Files carried by records listed "
                    "above, by name and BLAKE2b hash (the blob id); not "
                    "embedded. A member fetches one with `ilonet blob get "
                    "HASH`.*\n\n| Item | Record | Date | State | File | "
                    "Type | Size | BLAKE2b hash |\n|---|---|---|---|---|---|"
                    "---:|---|\n");
    for (size_t p = 0; p < r->r_nparts; p++)
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            for (size_t k = 0; k < it->i_natts; k++) {
                const struct view_report_att *a = &it->i_atts[k];
                hash_hex(a->vra_hash, HASH_LEN, hex);
                report__att_size(a->vra_size, size, sizeof(size));
                textbuf_printf(b, "| %s | `%.12s` | ", it->i_number,
                               a->vra_record);
                report__esc_md(b, a->vra_date[0] ? a->vra_date : "-");
                textbuf_puts(b, " | ");
                report__esc_md(b, a->vra_state);
                textbuf_puts(b, " | ");
                report__esc_md(b, a->vra_name[0] ? a->vra_name : "(no name)");
                textbuf_puts(b, " | ");
                report__esc_md(b, a->vra_type);
                textbuf_printf(b, " | %s | `%s` |\n", size, hex);
            }
        }
}

static void
md_annexes(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;

    textbuf_puts(b, "\n" REPORT__ANNEX_MARK);
    if (r->r_o->ro_annex_ms) {
        textbuf_puts(b, "\n---\n\n## ");
        report__esc_md(b, t->t_annex_ms);
        textbuf_puts(b, "\n\n> **RESTRICTED: for the Member States only. Not "
                        "part of the report to the Council and the "
                        "Commission; drawn from the Member-States-only "
                        "audience (ms) and not covered by the report's "
                        "hash.**\n");
        if (r->r_ms_empty)
            textbuf_puts(b, "\nNo Member-States-only information is recorded "
                            "for this period.\n");
        for (size_t p = 0; p < r->r_nparts && !r->r_ms_empty; p++)
            for (size_t i = 0; i < r->r_ms_nitems[p]; i++)
                if (!r->r_ms_items[p][i].i_empty)
                    md_item(b, r, &r->r_ms_items[p][i], 1);
    }
    textbuf_puts(b, "\n---\n\n## ");
    report__esc_md(b, t->t_annex_final);
    textbuf_puts(b, "\n\n");
    textbuf_puts(b, "- Template: ");
    report__esc_md(b, t->t_version);
    textbuf_printf(b, " (%s)\n", t->t_status);
    textbuf_printf(b, "- Period: %s\n", r->r_period);
    textbuf_printf(b, "- Network: `%s`\n", r->r_network_hex);
    textbuf_printf(b,
                   "- Report hash: `%s` (over the bodies of md `%.16s...`, "
                   "html `%.16s...`, json `%.16s...`)\n",
                   r->r_report_hex, r->r_body_hex[0], r->r_body_hex[1],
                   r->r_body_hex[2]);
    textbuf_printf(b, "- View hash (net): `%s`\n", r->r_view_hash);
    textbuf_printf(b, "- Built from %zu log heads (net):\n\n", r->r_nheads);
    if (r->r_nheads) {
        textbuf_puts(b,
                     "| Log | State | Seq | Entry id |\n|---|---|---:|---|\n");
        for (size_t i = 0; i < r->r_nheads; i++)
            textbuf_printf(b, "| `%s` | %s | %llu | `%s` |\n",
                           r->r_heads[i].h_log, r->r_heads[i].h_state,
                           (unsigned long long)r->r_heads[i].h_seq,
                           r->r_heads[i].h_id);
        textbuf_puts(b, "\n");
    }
    textbuf_printf(b, "**Attestations** (%zu):\n\n", r->r_natt);
    if (r->r_natt) {
        textbuf_puts(b, "| Member | Node | Date | Report hash | View hash |\n"
                        "|---|---|---|---|---|\n");
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
            textbuf_puts(b, "| ");
            report__esc_md(b, who);
            textbuf_printf(
                b, " | `%s` | %s | %s | `%s` |\n", node, day,
                r->r_att[i].a_same ? "same as this document" : "DIFFERENT", vh);
        }
        textbuf_puts(b, "\n");
    } else {
        textbuf_puts(b, "No member has attested this period's report yet "
                        "(`ilonet report attest`).\n\n");
    }
    textbuf_puts(b, "Anyone holding the same entries regenerates the body "
                    "with `ilonet report`; `ilonet report verify FILE` checks "
                    "it against the attestations below.\n\n");
    textbuf_puts(b, "<!-- ilonet:verify\n");
    report__verify_block(b, r);
    textbuf_puts(b, "-->\n");
}

void
report__md(struct textbuf *b, const struct report__doc *r, int full)
{
    const struct report_template *t = r->r_t;
    const char *mark = r->r_marking;
    char v[2048];

    if (mark && *mark) {
        textbuf_puts(b, "**");
        report__esc_md(b, mark);
        textbuf_puts(b, "**\n\n");
    }
    textbuf_puts(b, "# ");
    report__esc_md(b, t->t_title);
    textbuf_puts(b, "\n\n");
    for (size_t i = 0; i < t->t_nnotice; i++) {
        textbuf_puts(b, "> **");
        report__esc_md(b, t->t_notice[i]);
        textbuf_puts(b, "**\n\n");
    }
    if (r->r_o->ro_drafts)
        textbuf_puts(b, "> **WORKING COPY WITH DRAFTS: texts signed by states "
                        "other than the drafting state are shown, marked "
                        "DRAFT. This is not the report.**\n\n");
    textbuf_puts(b, "| | |\n|---|---|\n");
    for (size_t i = 0; i < t->t_ncover; i++) {
        report__cover_value(r, t->t_cover[i].p_key, v, sizeof(v));
        textbuf_puts(b, "| ");
        report__esc_md(b, t->t_cover[i].p_val);
        textbuf_puts(b, " | ");
        report__esc_md(b, v);
        textbuf_puts(b, " |\n");
    }
    if (r->r_body_empty)
        textbuf_printf(b,
                       "\n> **No information is recorded for %s: each item "
                       "below says so.**\n",
                       r->r_period);
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        textbuf_puts(b, "\n## Part ");
        report__esc_md(b, pp->p_id);
        textbuf_puts(b, " - ");
        report__esc_md(b, pp->p_heading);
        textbuf_puts(b, "\n");
        for (size_t i = 0; i < r->r_nitems[p]; i++)
            md_item(b, r, &r->r_items[p][i], 0);
    }
    md_attachments(b, r);
    if (full)
        md_annexes(b, r);
}
