/* report_overview.c - the cross-network overview: which networks reported for a
 * period, which are missing, key figures side by side. */
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "report_int.h"

static const char ov_title[] =
    "Overview of the immigration liaison officers networks";
static const char ov_note[] =
    "Reported: the drafting state attested the report this node builds "
    "for the period; changed since: it attested another version (entries "
    "arrived after); missing: it has not attested one. Figures are those of "
    "each network's report body (the net audience).";

static void
ov_md(struct textbuf *b, const struct report_overview_net *n, size_t nn,
      const char *period)
{
    textbuf_printf(b, "# %s, %s\n\n*%s*\n\n", ov_title, period, ov_note);
    textbuf_puts(b, "| Network | Regime | Drawn up by | Status | Attested "
                    "(same / different) |");
    for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
        textbuf_printf(b, " %s |", report_overview_figures[f]);
    textbuf_puts(b, "\n|---|---|---|---|---|");
    for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
        textbuf_puts(b, "---:|");
    textbuf_puts(b, "\n");
    for (size_t i = 0; i < nn; i++) {
        textbuf_puts(b, "| ");
        report__esc_md(b, n[i].on_name);
        textbuf_printf(b, " (%s) | %s | ", n[i].on_network, n[i].on_regime);
        if (n[i].on_error[0]) {
            textbuf_puts(b, "- | not built: ");
            report__esc_md(b, n[i].on_error);
            textbuf_puts(b, " | - |");
            for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
                textbuf_puts(b, " - |");
            textbuf_puts(b, "\n");
            continue;
        }
        report__esc_md(b, n[i].on_drafting);
        textbuf_printf(b, " | %s | %zu / %zu |", n[i].on_status,
                       n[i].on_attested, n[i].on_differ);
        for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
            textbuf_printf(b, " %lld |", (long long)n[i].on_fig[f]);
        textbuf_puts(b, "\n");
    }
    if (!nn)
        textbuf_puts(b, "\nNo network is held under this directory.\n");
}

static void
ov_html(struct textbuf *b, const struct report_overview_net *n, size_t nn,
        const char *period)
{
    textbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
                    "charset=\"utf-8\">\n<title>");
    report__esc_html(b, ov_title);
    textbuf_printf(b,
                   ", %s</title>\n<style>\n@page{size:A4 landscape;"
                   "margin:14mm}\nbody{font-family:'DejaVu Sans',Arial,"
                   "sans-serif;font-size:10pt;margin:1.5em}\ntable{"
                   "border-collapse:collapse}\nth,td{border:1px solid "
                   "#999;padding:.25em .45em;text-align:left}\nth{"
                   "background:#e8ecf5}\ntd.n{text-align:right}\n"
                   ".missing{color:#a00;font-weight:bold}\n</style>\n"
                   "</head>\n<body>\n<h1>",
                   period);
    report__esc_html(b, ov_title);
    textbuf_printf(b, ", %s</h1>\n<p>", period);
    report__esc_html(b, ov_note);
    textbuf_puts(b, "</p>\n<table>\n<thead><tr><th>Network</th><th>Regime"
                    "</th><th>Drawn up by</th><th>Status</th><th>Attested "
                    "(same / different)</th>");
    for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
        textbuf_printf(b, "<th>%s</th>", report_overview_figures[f]);
    textbuf_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < nn; i++) {
        textbuf_puts(b, "<tr><td>");
        report__esc_html(b, n[i].on_name);
        textbuf_printf(b, " (<code>%s</code>)</td><td>%s</td>", n[i].on_network,
                       n[i].on_regime);
        if (n[i].on_error[0]) {
            textbuf_puts(b, "<td>-</td><td class=\"missing\">not built: ");
            report__esc_html(b, n[i].on_error);
            textbuf_printf(b, "</td><td colspan=\"%d\"></td></tr>\n",
                           REPORT_OVERVIEW_NFIG + 1);
            continue;
        }
        textbuf_puts(b, "<td>");
        report__esc_html(b, n[i].on_drafting);
        textbuf_printf(
            b, "</td><td%s>%s</td><td class=\"n\">%zu / %zu</td>",
            strcmp(n[i].on_status, "reported") == 0 ? "" : " class=\"missing\"",
            n[i].on_status, n[i].on_attested, n[i].on_differ);
        for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
            textbuf_printf(b, "<td class=\"n\">%lld</td>",
                           (long long)n[i].on_fig[f]);
        textbuf_puts(b, "</tr>\n");
    }
    textbuf_puts(b, "</tbody>\n</table>\n</body>\n</html>\n");
}

static void
ov_json(struct textbuf *b, const struct report_overview_net *n, size_t nn,
        const char *period)
{
    textbuf_puts(b, "{\"format\":\"ilonet-overview\",\"period\":");
    json_str(b, period);
    textbuf_puts(b, ",\"figures\":[");
    for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++) {
        if (f)
            textbuf_put(b, ",", 1);
        json_str(b, report_overview_figures[f]);
    }
    textbuf_puts(b, "],\"networks\":[");
    for (size_t i = 0; i < nn; i++) {
        textbuf_puts(b, i ? ",{\"host\":" : "{\"host\":");
        json_str(b, n[i].on_host);
        textbuf_puts(b, ",\"name\":");
        json_str(b, n[i].on_name);
        textbuf_puts(b, ",\"network\":");
        json_str(b, n[i].on_network);
        textbuf_puts(b, ",\"regime\":");
        json_str(b, n[i].on_regime);
        if (n[i].on_error[0]) {
            textbuf_puts(b, ",\"error\":");
            json_str(b, n[i].on_error);
            textbuf_puts(b, "}");
            continue;
        }
        textbuf_puts(b, ",\"drafting_state\":");
        json_str(b, n[i].on_drafting);
        textbuf_puts(b, ",\"status\":");
        json_str(b, n[i].on_status);
        textbuf_puts(b, ",\"report_hash\":");
        json_str(b, n[i].on_report);
        textbuf_printf(b,
                       ",\"attested\":%zu,\"attested_different\":%zu,"
                       "\"values\":[",
                       n[i].on_attested, n[i].on_differ);
        for (size_t f = 0; f < REPORT_OVERVIEW_NFIG; f++)
            textbuf_printf(b, "%s%lld", f ? "," : "",
                           (long long)n[i].on_fig[f]);
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "]}\n");
}

int
report_overview_render(const struct report_overview_net *nets, size_t n,
                       const char *period, enum report_format f, char **out,
                       size_t *outlen)
{
    struct textbuf b = {0};

    if ((!nets && n) || !period || !out || !outlen)
        return ILONET_EINVAL;
    if (f == REPORT_HTML)
        ov_html(&b, nets, n, period);
    else if (f == REPORT_JSON)
        ov_json(&b, nets, n, period);
    else
        ov_md(&b, nets, n, period);
    if (b.tb_err || (!b.tb_data && !(b.tb_data = calloc(1, 1)))) {
        free(b.tb_data);
        return ILONET_ENOMEM;
    }
    *out = b.tb_data;
    *outlen = b.tb_len;
    return 0;
}
