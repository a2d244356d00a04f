/* test_demo.c - `ilonet demo` end to end in a temporary directory; the HTML
 * report in headless Chromium. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"

static char demo_html[1200];

/* Runs the demo once per process (the cases share its output). */
static void
run_demo(void)
{
    char *d = test_tmpdir("demo"), dir[1100];
    struct cli_out o;
    DIR *dp;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "%s/demo", d);
    if (cli_run(&o, "demo", "--dir", dir, NULL) != 0)
        TEST_FAIL_("ilonet demo failed (%d): %s\n%s", o.co_status, o.co_err,
                   o.co_out);
    ASSERT(strstr(o.co_out, "converged"));
    ASSERT(strstr(o.co_out, "Report: "));
    cli_out_free(&o);
    dp = opendir(dir);
    ASSERT(dp);
    while ((e = readdir(dp)) != NULL)
        if (strncmp(e->d_name, "report-", 7) == 0 &&
            strstr(e->d_name, ".html") && !strstr(e->d_name, "from-IT"))
            snprintf(demo_html, sizeof(demo_html), "%s/%s", dir, e->d_name);
    closedir(dp);
    free(d);
}

static void
t_demo_end_to_end(void)
{
    struct stat sb;
    FILE *f;
    char *buf;

    run_demo();
    ASSERT(demo_html[0]);
    ASSERT(stat(demo_html, &sb) == 0);
    ASSERT(sb.st_size > 10000);
    buf = malloc((size_t)sb.st_size + 1);
    f = fopen(demo_html, "rb");
    ASSERT(buf && f);
    ASSERT_EQ(fread(buf, 1, (size_t)sb.st_size, f), sb.st_size);
    buf[sb.st_size] = '\0';
    fclose(f);
    /* every record kind reached the presidency's report */
    ASSERT(strstr(buf, "Embassy of Germany, Ankara"));         /* posting */
    ASSERT(strstr(buf, "observation,contact"));                /* grant */
    ASSERT(strstr(buf, "Compile the semester risk analysis")); /* task */
    ASSERT(strstr(buf, "operational: ongoing investigation")); /* ms */
    ASSERT(strstr(buf, "Detection of forged Schengen visas")); /* training */
    ASSERT(strstr(buf, "Anatolian Air"));                      /* carrier */
    ASSERT(strstr(buf, "IOM Turkey"));                         /* contact */
    ASSERT(strstr(buf, "DE (by NL)") || strstr(buf, "NL (by DE)"));
    ASSERT(!strstr(buf, "Duplicate entry, recorded twice"));    /* retracted */
    ASSERT(!strstr(buf, "Joint assessment of document fraud")); /* DE+FR */
    ASSERT(strstr(buf, "<svg"));
    free(buf);
}

/* Loads the report in headless Chromium: no console errors, and a
 * screenshot that is not blank. Installs Debian's chromium if missing
 * (root only); prints SKIP when it cannot. */
static void
t_demo_html_in_chromium(void)
{
    char cmd[4096], png[1300], log[1300];
    struct stat sb;
    FILE *f;
    char line[1024];
    int errors = 0;

    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        if (geteuid() != 0 ||
            system("DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                   "chromium >/dev/null 2>&1") != 0 ||
            system("command -v chromium >/dev/null 2>&1") != 0) {
            printf("SKIP t_demo_html_in_chromium: chromium is not installed "
                   "and could not be installed\n");
            return;
        }
    }
    run_demo();
    snprintf(png, sizeof(png), "%s.png", demo_html);
    snprintf(log, sizeof(log), "%s.console.log", demo_html);
    snprintf(cmd, sizeof(cmd),
             "timeout 60 chromium --headless --no-sandbox --disable-gpu "
             "--disable-background-networking --hide-scrollbars "
             "--enable-logging=stderr --v=0 --window-size=1000,1414 "
             "--screenshot='%s' 'file://%s' >'%s' 2>&1",
             png, demo_html, log);
    ASSERT_EQ(system(cmd), 0);
    snprintf(cmd, sizeof(cmd),
             "timeout 60 chromium --headless --no-sandbox --disable-gpu "
             "--disable-background-networking --enable-logging=stderr "
             "--v=0 --dump-dom 'file://%s' 2>>'%s' | grep -c '<h3>' >/dev/null",
             demo_html, log);
    ASSERT_EQ(system(cmd), 0);
    f = fopen(log, "r");
    ASSERT(f);
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "CONSOLE") || strstr(line, "Uncaught") ||
            strstr(line, "Refused to load") || strstr(line, "net::ERR_")) {
            fprintf(stderr, "  console: %s", line);
            errors++;
        }
    fclose(f);
    ASSERT_EQ(errors, 0);
    /* A blank 1000x1414 page compresses to a few KB; the cover, tables
     * and text give far more. */
    ASSERT(stat(png, &sb) == 0);
    ASSERT_GE(sb.st_size, 30000);
}

/* `ilonet demo --regime 2019-1240` (issue 13): the current law's network
 * runs end to end and its chair draws up the report with that regime's
 * template, every category of the regime, agencies as full members. */
static void
t_demo_2019_1240(void)
{
    char *d = test_tmpdir("demo2019"), dir[1100], md[1400] = "";
    struct cli_out o;
    struct stat sb;
    struct dirent *e;
    DIR *dp;
    FILE *f;
    char *buf;

    snprintf(dir, sizeof(dir), "%s/demo", d);
    if (cli_run(&o, "demo", "--regime", "2019-1240", "--dir", dir, NULL) != 0)
        TEST_FAIL_("ilonet demo --regime 2019-1240 failed (%d): %s\n%s",
                   o.co_status, o.co_err, o.co_out);
    ASSERT(strstr(o.co_out, "regime 2019-1240, regional network TR+IQ"));
    ASSERT(strstr(o.co_out, "chair IT (a signed chair entry)"));
    ASSERT(strstr(o.co_out, "converged"));
    ASSERT(strstr(o.co_out, "Report: "));
    cli_out_free(&o);
    dp = opendir(dir);
    ASSERT(dp);
    while ((e = readdir(dp)) != NULL)
        if (strncmp(e->d_name, "report-", 7) == 0 && strstr(e->d_name, ".md"))
            snprintf(md, sizeof(md), "%s/%s", dir, e->d_name);
    closedir(dp);
    ASSERT(md[0]);
    ASSERT(stat(md, &sb) == 0);
    buf = malloc((size_t)sb.st_size + 1);
    f = fopen(md, "rb");
    ASSERT(buf && f);
    ASSERT_EQ(fread(buf, 1, (size_t)sb.st_size, f), sb.st_size);
    buf[sb.st_size] = '\0';
    fclose(f);
    ASSERT(strstr(buf, "2019-1240/provisional-1"));
    ASSERT(strstr(buf, "| Drawn up by (network chair) | IT, the network's "
                       "chair on "));
    ASSERT(strstr(buf, "### II.10 Legislation and legal practice of the host "
                       "country"));
    ASSERT(strstr(buf, "### II.13 Capacity building"));
    ASSERT(strstr(buf, "| FRONTEX | agency |"));
    free(buf);
    free(d);
}

TEST_LIST = {
    TEST(t_demo_end_to_end),
    TEST(t_demo_html_in_chromium),
    TEST(t_demo_2019_1240),
};

TEST_MAIN()
