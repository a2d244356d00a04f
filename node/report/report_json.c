/* report_json.c - the report as JSON (for machines). */
#include <string.h>

#include "report_int.h"

static void
js_kv(struct textbuf *b, const char *k, const char *v, int comma)
{
    if (comma)
        textbuf_put(b, ",", 1);
    json_str(b, k);
    textbuf_put(b, ":", 1);
    if (v)
        json_str(b, v);
    else
        textbuf_puts(b, "null");
}

static void
js_table(struct textbuf *b, const struct report_template *t,
         const struct report__table *tb)
{
    textbuf_puts(b, "{\"type\":\"table\"");
    js_kv(b, "query", tb->t_query, 1);
    js_kv(b, "caption", tb->t_blk->k_caption, 1);
    textbuf_puts(b, ",\"columns\":[");
    for (size_t c = 0; c < tb->t_ncols; c++) {
        const struct vocab_set *vs = tb->t_sets[c];
        textbuf_puts(b, c ? ",{" : "{");
        js_kv(b, "field", tb->t_fields[c], 0);
        js_kv(b, "label", report__label(t, tb->t_fields[c]), 1);
        /* the codes' labels: every value of the set (a grade's legend) */
        if (vs) {
            textbuf_puts(b, report__is_grade(t, tb->t_fields[c])
                                ? ",\"grade\":true,\"values\":{"
                                : ",\"values\":{");
            for (size_t i = 0; i < vs->vs_n; i++) {
                if (i)
                    textbuf_put(b, ",", 1);
                js_kv(b, vs->vs_values[i].vv_code, vs->vs_values[i].vv_label,
                      0);
            }
            textbuf_puts(b, "}");
        }
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "],\"rows\":[");
    for (size_t r = 0; r < tb->t_nrows; r++) {
        textbuf_puts(b, r ? ",[" : "[");
        for (size_t c = 0; c < tb->t_ncols; c++) {
            const struct report__cell *cell = &tb->t_cells[r * tb->t_ncols + c];
            if (c)
                textbuf_put(b, ",", 1);
            if (!cell->c_text)
                textbuf_puts(b, "null");
            else if (cell->c_num)
                textbuf_puts(b, cell->c_text);
            else
                json_str(b, cell->c_text);
        }
        textbuf_puts(b, "]");
    }
    textbuf_puts(b, "]}");
}

static void
js_chart(struct textbuf *b, const struct report__chart *c)
{
    textbuf_puts(b, "{\"type\":\"chart\"");
    js_kv(b, "chart", c->c_kind, 1);
    js_kv(b, "caption", c->c_blk->k_caption, 1);
    js_kv(b, "values", c->c_unit_hint, 1);
    textbuf_puts(b, ",\"x\":[");
    for (size_t x = 0; x < c->c_nx; x++) {
        if (x)
            textbuf_put(b, ",", 1);
        json_str(b, c->c_x[x]);
    }
    textbuf_puts(b, "],\"series\":[");
    for (size_t s = 0; s < c->c_ns; s++) {
        textbuf_puts(b, s ? ",{" : "{");
        js_kv(b, "name", c->c_series[s], 0);
        js_kv(b, "label", c->c_series_label[s], 1);
        textbuf_puts(b, ",\"values\":[");
        for (size_t x = 0; x < c->c_nx; x++)
            textbuf_printf(b, "%s%lld", x ? "," : "",
                           (long long)c->c_v[s * c->c_nx + x]);
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "]}");
}

static void
js_text(struct textbuf *b, const struct report__doc *r,
        const struct view_report_text *t)
{
    char id[65], day[11];

    hash_hex(t->vt_id, HASH_LEN, id);
    report_date_of(t->vt_hlc >> 16, day);
    textbuf_puts(b, "{");
    js_kv(b, "state", t->vt_state, 0);
    js_kv(b, "date", day, 1);
    js_kv(b, "entry", id, 1);
    js_kv(b, "text", t->vt_text, 1);
    textbuf_puts(b, "}");
    (void)r;
}

static void
js_items(struct textbuf *b, const struct report__doc *r, size_t *nitems,
         struct report__item **items, int annex)
{
    const struct report_template *t = r->r_t;
    int first = 1;

    textbuf_puts(b, "[");
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        if (!annex)
            textbuf_puts(b, p ? ",{" : "{");
        if (!annex) {
            js_kv(b, "id", pp->p_id, 0);
            js_kv(b, "heading", pp->p_heading, 1);
            textbuf_puts(b, ",\"items\":[");
        }
        for (size_t i = 0; i < nitems[p]; i++) {
            const struct report__item *it = &items[p][i];
            size_t ti = 0, ci = 0;
            if (annex && it->i_empty)
                continue;
            textbuf_puts(b, (annex ? !first : i != 0) ? ",{" : "{");
            first = 0;
            js_kv(b, "id", it->i_t->i_id, 0);
            js_kv(b, "section", it->i_number, 1);
            js_kv(b, "heading", it->i_t->i_heading, 1);
            textbuf_puts(b, ",\"text\":[");
            for (size_t k = 0; !annex && k < it->i_t->i_ntext; k++) {
                if (k)
                    textbuf_put(b, ",", 1);
                json_str(b, it->i_t->i_text[k]);
            }
            textbuf_puts(b, "]");
            if (it->i_t->i_narrative && !annex) {
                textbuf_puts(b, ",\"narrative\":");
                if (it->i_text)
                    js_text(b, r, it->i_text);
                else
                    textbuf_puts(b, "null");
                js_kv(b, "placeholder",
                      it->i_text ? NULL : it->i_t->i_placeholder, 1);
                if (r->r_o->ro_drafts) {
                    textbuf_puts(b, ",\"drafts\":[");
                    for (size_t d = 0; d < it->i_ndrafts; d++) {
                        if (d)
                            textbuf_put(b, ",", 1);
                        js_text(b, r, it->i_drafts[d]);
                    }
                    textbuf_puts(b, "]");
                }
            }
            textbuf_printf(b, ",\"empty\":%s", it->i_empty ? "true" : "false");
            js_kv(b, "note", it->i_empty ? t->t_empty : NULL, 1);
            textbuf_puts(b, ",\"blocks\":[");
            for (size_t k = 0; k < it->i_t->i_nblocks; k++) {
                if (k)
                    textbuf_put(b, ",", 1);
                if (it->i_t->i_blocks[k].k_what == REPORT__TABLE)
                    js_table(b, t, &it->i_tables[ti++]);
                else
                    js_chart(b, &it->i_charts[ci++]);
            }
            textbuf_puts(b, "]}");
        }
        if (!annex)
            textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "]");
}

static void
js_annexes(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;
    struct textbuf vb = {0};

    if (r->r_o->ro_annex_ms) {
        textbuf_puts(b, REPORT__JSON_ANNEX_MS "{");
        js_kv(b, "heading", t->t_annex_ms, 0);
        js_kv(b, "restricted",
              "for the Member States only; drawn from the ms audience; not "
              "part of the report to the Council and the Commission, not "
              "covered by the report's hash",
              1);
        textbuf_puts(b, ",\"items\":");
        js_items(b, r, r->r_ms_nitems, r->r_ms_items, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, REPORT__JSON_ANNEX_FINAL "{");
    js_kv(b, "heading", t->t_annex_final, 0);
    js_kv(b, "template_version", t->t_version, 1);
    js_kv(b, "period", r->r_period, 1);
    js_kv(b, "network", r->r_network_hex, 1);
    js_kv(b, "report_hash", r->r_report_hex, 1);
    textbuf_puts(b, ",\"body_hashes\":{");
    js_kv(b, "md", r->r_body_hex[0], 0);
    js_kv(b, "html", r->r_body_hex[1], 1);
    js_kv(b, "json", r->r_body_hex[2], 1);
    textbuf_puts(b, "}");
    js_kv(b, "view_hash", r->r_view_hash, 1);
    textbuf_puts(b, ",\"heads\":[");
    for (size_t i = 0; i < r->r_nheads; i++) {
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "log", r->r_heads[i].h_log, 0);
        js_kv(b, "state", r->r_heads[i].h_state, 1);
        js_kv(b, "audience", r->r_heads[i].h_audience, 1);
        textbuf_printf(b, ",\"seq\":%llu",
                       (unsigned long long)r->r_heads[i].h_seq);
        js_kv(b, "id", r->r_heads[i].h_id, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "],\"attestations\":[");
    for (size_t i = 0; i < r->r_natt; i++) {
        const struct view_report_attest *a = r->r_att[i].a_v;
        char node[65], id[65], rh[65], vh[65], day[11];
        hash_hex(a->va_node, KEY_PK_LEN, node);
        hash_hex(a->va_id, HASH_LEN, id);
        hash_hex(a->va_report, HASH_LEN, rh);
        hash_hex(a->va_view, HASH_LEN, vh);
        report_date_of(a->va_hlc >> 16, day);
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "state", a->va_state, 0);
        js_kv(b, "node", node, 1);
        js_kv(b, "date", day, 1);
        js_kv(b, "entry", id, 1);
        js_kv(b, "report_hash", rh, 1);
        textbuf_printf(b, ",\"same\":%s",
                       r->r_att[i].a_same ? "true" : "false");
        js_kv(b, "view_hash", a->va_has_view ? vh : NULL, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]");
    report__verify_block(&vb, r);
    if (vb.tb_err)
        b->tb_err = 1;
    js_kv(b, "verify", vb.tb_data ? vb.tb_data : "", 1);
    free(vb.tb_data);
    textbuf_puts(b, "}");
}

/* The files the body's records carry: listed by name and hash, never
 * embedded (docs/REPORTS.md, "Attachments"); the key only when any. */
static void
js_attachments(struct textbuf *b, const struct report__doc *r)
{
    char hex[2 * HASH_LEN + 1];
    int first = 1;

    if (!report__has_atts(r))
        return;
    textbuf_puts(b, ",\"attachments\":[");
    for (size_t p = 0; p < r->r_nparts; p++)
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            for (size_t k = 0; k < it->i_natts; k++) {
                const struct view_report_att *a = &it->i_atts[k];
                hash_hex(a->vra_hash, HASH_LEN, hex);
                textbuf_puts(b, first ? "{" : ",{");
                first = 0;
                js_kv(b, "item", it->i_number, 0);
                js_kv(b, "record", a->vra_record, 1);
                js_kv(b, "date", a->vra_date[0] ? a->vra_date : NULL, 1);
                js_kv(b, "state", a->vra_state, 1);
                js_kv(b, "name", a->vra_name[0] ? a->vra_name : NULL, 1);
                js_kv(b, "type", a->vra_type, 1);
                textbuf_printf(b, ",\"size\":%llu",
                               (unsigned long long)a->vra_size);
                js_kv(b, "hash", hex, 1);
                textbuf_puts(b, "}");
            }
        }
    textbuf_puts(b, "]");
}

void
report__json(struct textbuf *b, const struct report__doc *r, int full)
{
    const struct report_template *t = r->r_t;
    const struct report_opts *o = r->r_o;
    char v[2048];

    textbuf_puts(b, "{\"format\":\"ilonet-report\",\"template\":{");
    js_kv(b, "version", t->t_version, 0);
    js_kv(b, "status", t->t_status, 1);
    js_kv(b, "title", t->t_title, 1);
    textbuf_puts(b, ",\"notices\":[");
    for (size_t i = 0; i < t->t_nnotice; i++) {
        if (i)
            textbuf_put(b, ",", 1);
        json_str(b, t->t_notice[i]);
    }
    textbuf_puts(b, "]},\"cover\":{");
    js_kv(b, "host", o->ro_host, 0);
    js_kv(b, "host_name", r->r_host_name, 1);
    js_kv(b, "network", r->r_network, 1);
    js_kv(b, "regime", o->ro_regime ? o->ro_regime : "377-2004", 1);
    js_kv(b, "period", r->r_period, 1);
    js_kv(b, "period_text", r->r_period_long, 1);
    js_kv(b, "reference", r->r_reference, 1);
    js_kv(b, "marking", r->r_marking[0] ? r->r_marking : NULL, 1);
    js_kv(b, "presidency", r->r_presidency[0] ? r->r_presidency : NULL, 1);
    js_kv(b, "drafting_state", r->r_drafting[0] ? r->r_drafting : NULL, 1);
    js_kv(b, "drafting_basis", r->r_drafting_basis, 1);
    js_kv(b, "date", r->r_date[0] ? r->r_date : NULL, 1);
    js_kv(b, "post", r->r_post[0] ? r->r_post : NULL, 1);
    textbuf_printf(b, ",\"no_data\":%s,\"drafts_shown\":%s",
                   r->r_body_empty ? "true" : "false",
                   o->ro_drafts ? "true" : "false");
    textbuf_puts(b, ",\"members\":[");
    for (size_t i = 0; i < r->r_nmembers; i++) {
        report__member_name(r, r->r_members[i], v, sizeof(v));
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "code", r->r_members[i], 0);
        js_kv(b, "name", v, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "],\"fields\":[");
    for (size_t i = 0; i < t->t_ncover; i++) {
        report__cover_value(r, t->t_cover[i].p_key, v, sizeof(v));
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "field", t->t_cover[i].p_key, 0);
        js_kv(b, "label", t->t_cover[i].p_val, 1);
        js_kv(b, "text", v, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]},\"parts\":");
    js_items(b, r, r->r_nitems, r->r_items, 0);
    js_attachments(b, r);
    if (full)
        js_annexes(b, r);
    textbuf_puts(b, REPORT__JSON_TAIL);
}
