/* test_report_text.c - narrative as data (issue 14, item 2): `ilonet report
 * text` signs a section's text as an entry; the drafter's latest counts,
 * others' are drafts shown only when asked; bad sections and periods are
 * refused naming them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "node/report/report.h"
#include "node/report/report_int.h"
#include "proc.h"
#include "test.h"

/* A testnet (DE, FR, EU; no presidency node: DE, the first Member State
 * with an ILO, drafts for the presidency) in a fresh directory. */
static char *
text_net(const char *tag)
{
    char *d = test_tmpdir(tag), out[1024], port[16];
    struct cli_out o;

    snprintf(out, sizeof(out), "%s/n", d);
    snprintf(port, sizeof(port), "%d", proc_pid_base(22000, 1200, 10));
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", "DE,FR,EU",
                      "--out", out, "--base-port", port, NULL),
              0);
    cli_out_free(&o);
    free(d);
    return strdup(out);
}

/* Writes text to n/name; returns the path (static per call site use). */
static void
text_file(char *path, size_t cap, const char *n, const char *name,
          const char *text)
{
    FILE *f;

    snprintf(path, cap, "%s/%s", n, name);
    f = fopen(path, "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
}

/* The semester holding today: nodes are certified from today, and the
 * drafter is a state with an ILO certified during the period. */
static const char *
text_sem(void)
{
    static char sem[8];

    report_semester_of(proc_wall_ms(), sem);
    return sem;
}

static void
text_sign(const char *n, const char *state, const char *section,
          const char *file)
{
    char h[1024];
    struct cli_out o;

    snprintf(h, sizeof(h), "%s/%s", n, state);
    if (cli_run(&o, "-C", h, "report", "text", "--period", text_sem(),
                "--section", section, "--file", file, NULL) != 0)
        TEST_FAIL_("report text by %s: %s", state, o.co_err);
    ASSERT_EQ(strlen(o.co_out), 65); /* the entry id */
    cli_out_free(&o);
}

static void
text_ship(const char *n, const char *from, const char *to)
{
    char a[1024], b[1024], f[1100];
    struct cli_out o;

    snprintf(a, sizeof(a), "%s/%s", n, from);
    snprintf(b, sizeof(b), "%s/%s", n, to);
    snprintf(f, sizeof(f), "%s/%s-to-%s.bin", n, from, to);
    ASSERT_EQ(cli_run(&o, "-C", a, "export", "--out", f, NULL), 0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", b, "import", f, NULL), 0);
    cli_out_free(&o);
}

static char *
text_report(const char *n, const char *state, const char *fmt,
            const char *extra)
{
    char h[1024];
    struct cli_out o;

    snprintf(h, sizeof(h), "%s/%s", n, state);
    if (cli_run(&o, "-C", h, "report", "--period", text_sem(), "--format", fmt,
                extra, NULL) != 0)
        TEST_FAIL_("report from %s: %s", state, o.co_err);
    free(o.co_err);
    return o.co_out;
}

/* The section's text in the Markdown body, from its heading to the next
 * heading. */
static char *
text_section(const char *md, const char *heading)
{
    const char *a = strstr(md, heading), *b;

    ASSERT(a);
    b = strstr(a + 1, "\n#");
    ASSERT(b);
    return strndup(a, (size_t)(b - a));
}

static void
drafter_text_in_body_others_as_drafts(void)
{
    char *n = text_net("rtext-draft"), f1[1100], f2[1100], f3[1100];
    char *de, *fr, *sec, *js, *html;

    text_file(f1, sizeof(f1), n, "a.txt",
              "First-DE-Text on good practice.\n\n- point one\n");
    text_file(f2, sizeof(f2), n, "b.txt", "Draft-By-FR <b>bold</b>\n");
    text_file(f3, sizeof(f3), n, "c.txt", "Second-DE-Text replaces it.\n");
    text_sign(n, "DE", "I.8", f1);
    text_sign(n, "FR", "I.8", f2);
    text_ship(n, "FR", "DE");
    text_ship(n, "DE", "FR");
    de = text_report(n, "DE", "md", NULL);
    fr = text_report(n, "FR", "md", NULL);
    ASSERT_STR_EQ(de, fr); /* the same bytes wherever it is built */
    sec = text_section(de, "### I.8 ");
    ASSERT(strstr(sec, "First-DE-Text on good practice."));
    ASSERT(strstr(sec, "- point one"));
    ASSERT(strstr(sec, "*Signed by Germany (DE), "));
    ASSERT(!strstr(sec, "Draft-By-FR")); /* not the drafter: not in body */
    ASSERT(strstr(de, "(the drafting state's latest signed text)"));
    free(sec);
    free(de);
    free(fr);
    /* the drafter's later text wins (latest by the merge order) */
    text_sign(n, "DE", "I.8", f3);
    text_ship(n, "DE", "FR");
    de = text_report(n, "FR", "md", NULL);
    sec = text_section(de, "### I.8 ");
    ASSERT(strstr(sec, "Second-DE-Text replaces it."));
    ASSERT(!strstr(sec, "First-DE-Text"));
    free(sec);
    free(de);
    /* drafts are visible when asked for, marked, escaped */
    de = text_report(n, "DE", "md", "--drafts");
    sec = text_section(de, "### I.8 ");
    ASSERT(strstr(sec, "DRAFT by France (FR)"));
    ASSERT(strstr(sec, "not part of the report"));
    ASSERT(strstr(sec, "Draft-By-FR"));
    free(sec);
    free(de);
    html = text_report(n, "DE", "html", "--drafts");
    ASSERT(strstr(html, "Draft-By-FR &lt;b&gt;bold&lt;/b&gt;"));
    free(html);
    /* the handling marking: the drafter's signed text for "marking";
     * another state's is a draft; --marking overrides (a working copy) */
    text_file(f1, sizeof(f1), n, "m.txt", "LIMITE\n");
    text_file(f2, sizeof(f2), n, "m2.txt", "RESTREINT UE\n");
    text_sign(n, "FR", "marking", f2);
    text_ship(n, "FR", "DE");
    de = text_report(n, "DE", "md", NULL);
    ASSERT(strstr(de, "| Handling | none |"));
    free(de);
    text_sign(n, "DE", "marking", f1);
    text_ship(n, "DE", "FR");
    de = text_report(n, "DE", "md", NULL);
    fr = text_report(n, "FR", "md", NULL);
    ASSERT_STR_EQ(de, fr);
    ASSERT(strncmp(de, "**LIMITE**\n", 11) == 0);
    ASSERT(strstr(de, "| Handling | LIMITE |"));
    free(de);
    free(fr);
    html = text_report(n, "FR", "html", NULL);
    ASSERT(strstr(html, "@top-left{content:\"LIMITE\""));
    free(html);
    de = text_report(n, "DE", "md", "--marking=SECRET");
    ASSERT(strstr(de, "| Handling | SECRET |"));
    free(de);
    js = text_report(n, "DE", "json", NULL);
    ASSERT(strstr(js, "Second-DE-Text replaces it."));
    ASSERT(!strstr(js, "Draft-By-FR"));
    free(js);
    free(n);
}

static void
bad_section_or_period_refused(void)
{
    char *n = text_net("rtext-bad"), f1[1100], h[1024], before[8192];
    struct cli_out o;

    text_file(f1, sizeof(f1), n, "a.txt", "text\n");
    snprintf(h, sizeof(h), "%s/DE", n);
    ASSERT_EQ(cli_run(&o, "-C", h, "log", NULL), 0);
    snprintf(before, sizeof(before), "%s", o.co_out);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "text", "--period", "2026-H1",
                      "--section", "IX.99", "--file", f1, NULL),
              1);
    ASSERT(strstr(o.co_err, "'IX.99'"));
    ASSERT(strstr(o.co_err, "I.8"));
    ASSERT(strstr(o.co_err, "II.10"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "text", "--period", "2026-H7",
                      "--section", "I.8", "--file", f1, NULL),
              2);
    ASSERT(strstr(o.co_err, "--period 2026-H7"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "text", "--period", "2026-H1",
                      "--file", f1, NULL),
              2);
    ASSERT(strstr(o.co_err, "--section"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "text", "--period", "2026-H1",
                      "--section", "I.8", "--file", "/nonexistent/x", NULL),
              1);
    ASSERT(strstr(o.co_err, "/nonexistent/x"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "log", NULL), 0);
    ASSERT_STR_EQ(o.co_out, before); /* nothing written */
    cli_out_free(&o);
    free(n);
}

/* The 2019/1240 network report (item 3): `report template --regime`
 * prints the provisional template, marked as such; the network's chair
 * drafts (its text for the follow-up actions is the body's, another
 * member's is a draft). */
static void
network_report_2019_drafted_by_chair(void)
{
    char *d = test_tmpdir("rtext-2019"), n[1024], port[16], h[1100];
    char f1[1100], f2[1100], today[11], *md, *sec;
    struct cli_out o;

    ASSERT_EQ(cli_run(&o, "report", "template", "--regime", "2019-1240", NULL),
              0);
    ASSERT(strstr(o.co_out, "version 2019-1240/provisional-"));
    ASSERT(strstr(o.co_out, "status provisional"));
    ASSERT(strstr(o.co_out, "PROVISIONAL FORMAT"));
    ASSERT(strstr(o.co_out, "item 2 Follow-up actions"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "report", "template", "--regime", "1999-1", NULL), 2);
    ASSERT(strstr(o.co_err, "--regime 1999-1"));
    cli_out_free(&o);

    snprintf(n, sizeof(n), "%s/n", d);
    snprintf(port, sizeof(port), "%d", proc_pid_base(22600, 1200, 10));
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", "DE,FR,EU",
                      "--out", n, "--base-port", port, "--regime", "2019-1240",
                      NULL),
              0);
    cli_out_free(&o);
    report_date_of(proc_wall_ms(), today);
    snprintf(h, sizeof(h), "%s/FR", n);
    ASSERT_EQ(cli_run(&o, "-C", h, "chair", "add", "--role", "chair", "--state",
                      "FR", "--from", today, NULL),
              0);
    cli_out_free(&o);
    text_file(f1, sizeof(f1), n, "a.txt", "Chair-Follow-Up: joint visit.\n");
    text_file(f2, sizeof(f2), n, "b.txt", "Member-Suggestion by DE.\n");
    text_sign(n, "FR", "III.2", f1);
    text_sign(n, "DE", "III.2", f2);
    text_ship(n, "FR", "DE");
    text_ship(n, "DE", "FR");
    md = text_report(n, "DE", "md", NULL);
    ASSERT(strstr(md, "PROVISIONAL FORMAT"));
    ASSERT(strstr(md, "| Drawn up by (network chair) | France (FR), the "
                      "network's chair"));
    sec = text_section(md, "### III.2 Follow-up actions");
    ASSERT(strstr(sec, "Chair-Follow-Up: joint visit."));
    ASSERT(strstr(sec, "*Signed by France (FR), "));
    ASSERT(!strstr(sec, "Member-Suggestion"));
    free(sec);
    free(md);
    md = text_report(n, "FR", "md", "--drafts");
    sec = text_section(md, "### III.2 Follow-up actions");
    ASSERT(strstr(sec, "DRAFT by Germany (DE)"));
    ASSERT(strstr(sec, "Member-Suggestion by DE."));
    free(sec);
    free(md);
    free(d);
}

/* The escapes of text put into a report: each special character as the
 * format wants it, plain runs as they are, at the start, the end and
 * side by side. */
static void
report_escapes_each_special_character(void)
{
    static const struct {
        int md;
        const char *in, *want;
    } cases[] = {
        {0, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f"},
        {0, "&&<<", "&amp;&amp;&lt;&lt;"},
        {0, "plain text, no markup", "plain text, no markup"},
        {0, "", ""},
        {0, NULL, ""},
        {1, "x|y\nz\r<w", "x\\|y z &lt;w"},
        {1, "||<", "\\|\\|&lt;"},
        {1, "plain & *as it is*", "plain & *as it is*"},
        {1, NULL, ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct textbuf b = {0};

        if (cases[i].md)
            report__esc_md(&b, cases[i].in);
        else
            report__esc_html(&b, cases[i].in);
        ASSERT(!b.tb_err);
        ASSERT_STR_EQ(b.tb_data ? b.tb_data : "", cases[i].want);
        textbuf_free(&b);
    }
}

TEST_LIST = {
    TEST(report_escapes_each_special_character),
    TEST(drafter_text_in_body_others_as_drafts),
    TEST(bad_section_or_period_refused),
    TEST(network_report_2019_drafted_by_chair),
};

TEST_MAIN()
