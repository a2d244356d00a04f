/* report_svg.c - inline SVG charts for the HTML report (integer geometry, no
 * external assets). */
#include <string.h>

#include "report_int.h"
#include "storage/view/record.h"

/* One colour per Art. 2(2) category, in record_categories order
 * (colour-blind friendly, readable in greyscale print). */
static const char *const svg_colours[] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#D55E00", "#56B4E9", "#8C6D31", "#666666",
};

static const char *
svg_colour(const char *series, size_t fallback)
{
    for (size_t i = 0; i < 8 && record_categories[i]; i++)
        if (strcmp(record_categories[i], series) == 0)
            return svg_colours[i];
    return svg_colours[fallback % 8];
}

/* A "nice" axis step for max over about 4 ticks. */
static int64_t
svg_step(int64_t max)
{
    int64_t step = 1;
    while (max / step > 5) {
        if (max / (step * 2) <= 5)
            return step * 2;
        if (max / (step * 5) <= 5)
            return step * 5;
        step *= 10;
    }
    return step;
}

/* Stacked vertical bars: x labels along the bottom, one colour per series,
 * legend on the right. */
static void
svg_stacked(struct textbuf *b, const struct report__chart *c)
{
    const int W = 680, H = 300, L = 48, T = 16, PW = 440, PH = 230;
    int64_t max = 1, step;
    int slot = c->c_nx ? PW / (int)c->c_nx : PW, bw = slot * 3 / 5;

    for (size_t x = 0; x < c->c_nx; x++) {
        int64_t sum = 0;
        for (size_t s = 0; s < c->c_ns; s++)
            sum += c->c_v[s * c->c_nx + x];
        if (sum > max)
            max = sum;
    }
    step = svg_step(max);
    max = (max + step - 1) / step * step;
    textbuf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d "
                   "%d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-label=\"",
                   W, H, W, H);
    report__esc_html(b, c->c_blk->k_caption ? c->c_blk->k_caption : c->c_kind);
    textbuf_puts(b, "\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
                    "font-size=\"11\">\n");
    for (int64_t v = 0; v <= max; v += step) {
        int y = T + PH - (int)(v * PH / max);
        textbuf_printf(
            b,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
            "stroke=\"#ccc\" stroke-width=\"1\"/>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n",
            L, y, L + PW, y, L - 6, y + 4, (long long)v);
    }
    for (size_t x = 0; x < c->c_nx; x++) {
        int x0 = L + (int)x * slot + (slot - bw) / 2;
        int64_t acc = 0;
        for (size_t s = 0; s < c->c_ns; s++) {
            int64_t v = c->c_v[s * c->c_nx + x];
            int y1, y2;
            if (!v)
                continue;
            y1 = T + PH - (int)((acc + v) * PH / max);
            y2 = T + PH - (int)(acc * PH / max);
            textbuf_printf(b,
                           "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                           "fill=\"%s\"><title>",
                           x0, y1, bw, y2 - y1, svg_colour(c->c_series[s], s));
            report__esc_html(b, c->c_x[x]);
            textbuf_puts(b, ", ");
            report__esc_html(b, c->c_series[s]);
            textbuf_printf(b, ": %lld</title></rect>\n", (long long)v);
            acc += v;
        }
        textbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                       x0 + bw / 2, T + PH + 16);
        report__esc_html(b, c->c_x[x]);
        textbuf_puts(b, "</text>\n");
    }
    textbuf_printf(b,
                   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                   "stroke=\"#333\" stroke-width=\"1\"/>\n",
                   L, T + PH, L + PW, T + PH);
    textbuf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">",
                   L, T + PH + 34);
    report__esc_html(b, c->c_unit_hint);
    textbuf_puts(b, "</text>\n");
    for (size_t s = 0; s < c->c_ns; s++) {
        int y = T + 8 + (int)s * 20;
        textbuf_printf(b,
                       "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                       "fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
                       L + PW + 20, y - 10, svg_colour(c->c_series[s], s),
                       L + PW + 38, y);
        report__esc_html(b, c->c_series[s]);
        textbuf_puts(b, "</text>\n");
    }
    textbuf_puts(b, "</svg>\n");
}

/* Horizontal bars, one per x label, value printed at the end. */
static void
svg_hbars(struct textbuf *b, const struct report__chart *c)
{
    const int W = 680, LW = 200, BW = 400, RH = 22, T = 8;
    int H = T * 2 + (int)c->c_nx * RH;
    int64_t max = 1;

    for (size_t x = 0; x < c->c_nx; x++)
        if (c->c_v[x] > max)
            max = c->c_v[x];
    textbuf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d "
                   "%d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-label=\"",
                   W, H, W, H);
    report__esc_html(b, c->c_blk->k_caption ? c->c_blk->k_caption : c->c_kind);
    textbuf_puts(b, "\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
                    "font-size=\"11\">\n");
    for (size_t x = 0; x < c->c_nx; x++) {
        int y = T + (int)x * RH;
        int w = (int)(c->c_v[x] * BW / max);
        textbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                       LW - 8, y + 15);
        report__esc_html(b, c->c_x[x]);
        textbuf_printf(b,
                       "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
                       "height=\"%d\" fill=\"%s\"><title>",
                       LW, y + 4, w > 0 ? w : 1, RH - 8, svg_colours[0]);
        report__esc_html(b, c->c_x[x]);
        textbuf_printf(b,
                       ": %lld</title></rect><text x=\"%d\" y=\"%d\">%lld"
                       "</text>\n",
                       (long long)c->c_v[x], LW + (w > 0 ? w : 1) + 6, y + 15,
                       (long long)c->c_v[x]);
    }
    textbuf_puts(b, "</svg>\n");
}

void
report__svg(struct textbuf *b, const struct report__chart *c)
{
    if (strcmp(c->c_kind, "category-month") == 0)
        svg_stacked(b, c);
    else
        svg_hbars(b, c);
}
