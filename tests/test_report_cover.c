/* test_report_cover.c - a report that can be sent (issue 14, item 4): full
 * names on the cover, reference, handling marking, labels and legends,
 * quantities summed only where unit and period agree, provenance in the final
 * annex, print CSS; the PDF through headless Chromium, a page rendered to PNG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "node/report/report.h"
#include "proc.h"
#include "test.h"

/* A testnet (DE, FR, EU; presidency IE with no node) with observations
 * of two units and two periods, in a fresh directory. */
static char *
cover_net(const char *tag)
{
    static const char *const obs[][4] = {
        {"flows", "Arrivals-A", "100", "persons"},
        {"flows", "Arrivals-B", "50", "persons"},
        {"flows", "Boats-C", "7", "vessels"},
        {"flows", "Arrivals-D", "30", "persons"},
    };
    char *d = test_tmpdir(tag), out[1024], port[16], h[1100], per[40];
    struct cli_out o;

    snprintf(out, sizeof(out), "%s/n", d);
    snprintf(port, sizeof(port), "%d", proc_pid_base(23000, 1200, 10));
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", "DE,FR,EU",
                      "--out", out, "--base-port", port, NULL),
              0);
    cli_out_free(&o);
    snprintf(h, sizeof(h), "%s/DE", out);
    for (int i = 0; i < 4; i++) {
        snprintf(per, sizeof(per), "%s",
                 i == 3 ? "2026-11-01..2026-11-30" : "2026-10-01..2026-10-31");
        ASSERT_EQ(cli_run(&o, "-C", h, "observe", "--category", obs[i][0],
                          "--summary", obs[i][1], "--figure", obs[i][2],
                          "--unit", obs[i][3], "--period", per, "--reliability",
                          "B", NULL),
                  0);
        cli_out_free(&o);
    }
    ASSERT_EQ(cli_run(&o, "-C", h, "observe", "--category",
                      "criminal-organisations", "--summary", "Network-E",
                      "--period", "2026-10-01..2026-10-31", NULL),
              0);
    cli_out_free(&o);
    free(d);
    return strdup(out);
}

static char *
cover_report(const char *n, const char *fmt, const char *marking)
{
    char h[1100];
    struct cli_out o;

    snprintf(h, sizeof(h), "%s/DE", n);
    if (marking ? cli_run(&o, "-C", h, "report", "--period", "2026-H2",
                          "--format", fmt, "--marking", marking, NULL)
                : cli_run(&o, "-C", h, "report", "--period", "2026-H2",
                          "--format", fmt, NULL))
        TEST_FAIL_("report: %s", o.co_err);
    free(o.co_err);
    return o.co_out;
}

/* The body of a Markdown report (before its annexes). */
static char *
cover_body(const char *md)
{
    const char *m = strstr(md, "<!-- ilonet:annex -->");

    ASSERT(m);
    return strndup(md, (size_t)(m - md));
}

static void
cover_names_reference_marking(void)
{
    char *n = cover_net("rcover-names"), *md, *body, *html;
    const char *ref;

    md = cover_report(n, "md", "LIMITE");
    body = cover_body(md);
    ASSERT(strstr(body, "| Handling | LIMITE |"));
    ASSERT(strstr(body, "| Host country | Türkiye (TR) |"));
    ASSERT(strstr(body, "| Network | Immigration liaison officers network in "
                        "Türkiye (TR) (network "));
    ASSERT(strstr(body, "| Semester | 2026-H2 (1 July 2026 - 31 December "
                        "2026) |"));
    ASSERT(strstr(body, "| Members | Germany (DE) |")); /* logs held */
    ASSERT(strstr(body, "| Drawn up by | Germany (DE), acting for the "));
    ASSERT(!strstr(body, "not given"));
    /* the reference: ILO/host/period/first 8 hex digits of the network */
    ASSERT((ref = strstr(body, "| Reference | ILO/TR/2026-H2/")));
    ref += strlen("| Reference | ILO/TR/2026-H2/");
    for (int i = 0; i < 8; i++)
        ASSERT(strchr("0123456789ABCDEF", ref[i]));
    ASSERT_EQ(ref[8], ' ');
    free(body);
    free(md);
    md = cover_report(n, "md", NULL);
    ASSERT(strstr(md, "| Handling | none |"));
    free(md);
    /* print: A4 pages, running header with the marking and the reference,
     * page numbers */
    html = cover_report(n, "html", "LIMITE");
    ASSERT(strstr(html, "@page{size:A4"));
    ASSERT(strstr(html, "counter(page)"));
    ASSERT(strstr(html, "counter(pages)"));
    ASSERT(strstr(html, "LIMITE"));
    free(html);
    free(n);
}

static void
cover_labels_legend_sums(void)
{
    char *n = cover_net("rcover-sums"), *md, *body, *js;

    md = cover_report(n, "md", NULL);
    body = cover_body(md);
    /* summed only where unit and period agree; else listed apart */
    ASSERT(strstr(body, "| Flows of illegal immigrants | "
                        "2026-10-01..2026-10-31 | 2 | 2 | 0 | Persons | "
                        "150 |"));
    ASSERT(strstr(body, "| Flows of illegal immigrants | "
                        "2026-11-01..2026-11-30 | 1 | 1 | 0 | Persons | 30 |"));
    ASSERT(strstr(body, "| Flows of illegal immigrants | "
                        "2026-10-01..2026-10-31 | 1 | 1 | 0 | Vessels | 7 |"));
    ASSERT(!strstr(body, "| 187 |"));
    ASSERT(!strstr(body, "| 180 |"));
    /* human labels, never the slugs */
    ASSERT(strstr(body, "Criminal organisations involved in smuggling"));
    ASSERT(!strstr(body, "criminal-organisations"));
    ASSERT(!strstr(body, "| persons |"));
    /* grades with their legend */
    ASSERT(strstr(body, "*Reliability: A = Completely reliable; B = Usually "
                        "reliable;"));
    /* provenance only in the final annex */
    ASSERT(!strstr(body, "View hash"));
    ASSERT(!strstr(body, "Entry id"));
    ASSERT(strstr(md, "## Final annex: provenance and attestations"));
    ASSERT(strstr(strstr(md, "<!-- ilonet:annex -->"), "View hash (net)"));
    free(body);
    free(md);
    js = cover_report(n, "json", NULL);
    ASSERT(strstr(js, "[\"flows\",\"2026-10-01..2026-10-31\",2,2,0,"
                      "\"persons\",150]"));
    ASSERT(strstr(strstr(js, "\"final_annex\":"), "\"view_hash\""));
    free(js);
    free(n);
}

/* The HTML report printed to PDF by headless Chromium (what `ilonet demo`
 * does): several A4 pages with "Page N of M" and the marking, and page 1
 * rendered to a PNG that is not blank. SKIP without Chromium. */
static void
cover_pdf_through_chromium(void)
{
    char *n, *html, path[1100], pdf[1100], png[1100], out[8192];
    struct stat sb;
    FILE *f;

    if (access("/usr/bin/chromium", X_OK) != 0) {
        printf("SKIP cover_pdf_through_chromium: /usr/bin/chromium is not "
               "installed\n");
        return;
    }
    n = cover_net("rcover-pdf");
    html = cover_report(n, "html", "LIMITE");
    snprintf(path, sizeof(path), "%s/report.html", n);
    snprintf(pdf, sizeof(pdf), "%s/report.pdf", n);
    snprintf(png, sizeof(png), "%s/page", n);
    f = fopen(path, "w");
    ASSERT(f);
    fputs(html, f);
    fclose(f);
    free(html);
    ASSERT_EQ(proc_run(NULL, 0,
                       "/usr/bin/chromium --headless --disable-gpu "
                       "--no-sandbox --no-pdf-header-footer "
                       "--print-to-pdf=%s file://%s 2>/dev/null",
                       pdf, path),
              0);
    ASSERT_EQ(stat(pdf, &sb), 0);
    ASSERT(sb.st_size > 10000);
    if (proc_run(out, sizeof(out), "pdftotext -layout %s - 2>/dev/null", pdf) ==
        0) {
        ASSERT(strstr(out, "LIMITE"));
        ASSERT(strstr(out, "Page 1 of "));
        ASSERT(strstr(out, "Türkiye (TR)"));
    } else {
        printf("  (pdftotext not installed: the PDF's text is not read)\n");
    }
    if (proc_run(NULL, 0, "pdftoppm -png -r 40 -f 1 -l 1 -singlefile %s %s",
                 pdf, png) == 0) {
        char pngf[1200];

        snprintf(pngf, sizeof(pngf), "%s.png", png);
        ASSERT_EQ(stat(pngf, &sb), 0);
        /* a blank A4 page at 40 dpi compresses to well under 2 KB */
        ASSERT(sb.st_size > 8000);
        ASSERT(proc_file_has(pngf, "PNG"));
    } else {
        printf("  (pdftoppm not installed: page 1 is not rendered)\n");
    }
    free(n);
}

TEST_LIST = {
    TEST(cover_names_reference_marking),
    TEST(cover_labels_legend_sums),
    TEST(cover_pdf_through_chromium),
};

TEST_MAIN()
