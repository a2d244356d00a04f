/* report_json.c - the semester report as JSON (for machines). */
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
        textbuf_puts(b, c ? ",{" : "{");
        js_kv(b, "field", tb->t_fields[c], 0);
        js_kv(b, "label", report__label(t, tb->t_fields[c]), 1);
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
        textbuf_puts(b, ",\"values\":[");
        for (size_t x = 0; x < c->c_nx; x++)
            textbuf_printf(b, "%s%lld", x ? "," : "",
                           (long long)c->c_v[s * c->c_nx + x]);
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "]}");
}

void
report__json(struct textbuf *b, const struct report__doc *r)
{
    const struct report_template *t = r->r_t;
    const struct report_opts *o = r->r_o;
    char v[512];

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
    js_kv(b, "network", r->r_network, 1);
    js_kv(b, "semester", r->r_semester, 1);
    js_kv(b, "period", r->r_semester_long, 1);
    js_kv(b, "presidency", r->r_presidency[0] ? r->r_presidency : NULL, 1);
    js_kv(b, "drafting_state", r->r_drafting[0] ? r->r_drafting : NULL, 1);
    js_kv(b, "drafting_basis", r->r_drafting_basis, 1);
    js_kv(b, "date", o->ro_date, 1);
    js_kv(b, "post", o->ro_post, 1);
    textbuf_puts(b, ",\"fields\":[");
    for (size_t i = 0; i < t->t_ncover; i++) {
        report__cover_value(r, t->t_cover[i].p_key, v, sizeof(v));
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "field", t->t_cover[i].p_key, 0);
        js_kv(b, "label", t->t_cover[i].p_val, 1);
        js_kv(b, "text", v, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]},\"parts\":[");
    for (size_t p = 0; p < r->r_nparts; p++) {
        const struct report__tmpl_part *pp = &t->t_parts[p];
        textbuf_puts(b, p ? ",{" : "{");
        js_kv(b, "id", pp->p_id, 0);
        js_kv(b, "heading", pp->p_heading, 1);
        textbuf_puts(b, ",\"items\":[");
        for (size_t i = 0; i < r->r_nitems[p]; i++) {
            const struct report__item *it = &r->r_items[p][i];
            size_t ti = 0, ci = 0;
            textbuf_puts(b, i ? ",{" : "{");
            js_kv(b, "id", it->i_t->i_id, 0);
            js_kv(b, "heading", it->i_t->i_heading, 1);
            textbuf_puts(b, ",\"text\":[");
            for (size_t k = 0; k < it->i_t->i_ntext; k++) {
                if (k)
                    textbuf_put(b, ",", 1);
                json_str(b, it->i_t->i_text[k]);
            }
            textbuf_printf(b, "],\"empty\":%s", it->i_empty ? "true" : "false");
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
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "],\"footer\":{");
    js_kv(b, "template_version", t->t_version, 0);
    js_kv(b, "semester", r->r_semester, 1);
    js_kv(b, "view_hash", r->r_view_hash, 1);
    textbuf_puts(b, ",\"heads\":[");
    for (size_t i = 0; i < r->r_nheads; i++) {
        textbuf_puts(b, i ? ",{" : "{");
        js_kv(b, "log", r->r_heads[i].h_log, 0);
        js_kv(b, "audience", r->r_heads[i].h_audience, 1);
        textbuf_printf(b, ",\"seq\":%llu",
                       (unsigned long long)r->r_heads[i].h_seq);
        js_kv(b, "id", r->r_heads[i].h_id, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]}}\n");
}
