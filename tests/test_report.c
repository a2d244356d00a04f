/* test_report.c - `ilonet report`: every template item in each format, audiences, reproducibility, empty semesters, bad input, the presidency pulling. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "node/report/report.h"
#include "proc.h"
#include "test.h"

#define RUN_OK(...)                                                            \
    do {                                                                       \
        struct cli_out o_;                                                     \
        if (cli_run(&o_, __VA_ARGS__, NULL) != 0)                              \
            TEST_FAIL_("ilonet %s failed (%d): %s", #__VA_ARGS__,             \
                       o_.co_status, o_.co_err);                               \
        cli_out_free(&o_);                                                     \
    } while (0)

/* The current semester ("2026-H2") from the wall clock. */
static void
this_semester(char out[8])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    report_semester_of((uint64_t)ts.tv_sec * 1000, out);
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* A testnet in a fresh directory; returns its path (malloc'd). */
static char *
net(const char *tag, const char *states, const char *pres, long *base)
{
    char *d = test_tmpdir(tag), out[1024], port[16];
    struct cli_out o;

    *base = proc_pid_base(20000, 1200, 10);
    snprintf(out, sizeof(out), "%s/n", d);
    snprintf(port, sizeof(port), "%ld", *base);
    if (pres)
        ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", states,
                          "--out", out, "--base-port", port, "--presidency",
                          pres, NULL),
                  0);
    else
        ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", states,
                          "--out", out, "--base-port", port, NULL),
                  0);
    cli_out_free(&o);
    free(d);
    return strdup(out);
}

static void
home(char *buf, size_t cap, const char *n, const char *state)
{
    snprintf(buf, cap, "%s/%s", n, state);
}

/* Copies every entry the node at `from` may share with `to`'s node. */
static void
ship(const char *n, const char *from, const char *to)
{
    char a[1024], b[1024], f[1100];
    struct cli_out o;
    home(a, sizeof(a), n, from);
    home(b, sizeof(b), n, to);
    snprintf(f, sizeof(f), "%s/%s-to-%s.bin", n, from, to);
    RUN_OK("-C", a, "export", "--out", f);
    cli_run(&o, "-C", b, "import", f, NULL); /* may skip other audiences */
    ASSERT(o.co_status == 0 || o.co_status == 1);
    cli_out_free(&o);
}

/* Sample records: a net observation with a figure, one without, an ms
 * meeting, a retracted observation. */
static void
sample(const char *n)
{
    char de[1024], fr[1024];
    struct cli_out o;
    home(de, sizeof(de), n, "DE");
    home(fr, sizeof(fr), n, "FR");
    RUN_OK("-C", de, "observe", "--category", "flows", "--summary",
           "Arrivals via Van rising", "--figure", "0", "--unit", "persons",
           "--nationality", "AF", "--reliability", "B");
    RUN_OK("-C", fr, "observe", "--category", "routes", "--summary",
           "Edirne route reopened");
    RUN_OK("-C", fr, "meeting", "add", "--date", "2026-01-10", "--place",
           "Secret-Place-Ankara", "--convenor", "FR", "--participants",
           "DE,FR", "--commission", "excluded", "--reason", "operational",
           "--topics", "investigation");
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "incidents",
                      "--summary", "Retracted-Observation-Text", NULL),
              0);
    o.co_out[strcspn(o.co_out, "\n")] = '\0';
    RUN_OK("-C", de, "retract", o.co_out);
    cli_out_free(&o);
}

static char *
report(const char *n, const char *state, const char *sem, const char *fmt)
{
    char h[1024];
    struct cli_out o;
    home(h, sizeof(h), n, state);
    if (cli_run(&o, "-C", h, "report", "--semester", sem, "--format", fmt,
                NULL) != 0)
        TEST_FAIL_("report from %s failed: %s", state, o.co_err);
    free(o.co_err);
    return o.co_out;
}

static const char *const headings[] = {
    "Composition of the network", "Meetings",
    "Exchange of information and practical experience",
    "Contacts with host-country authorities",
    "Coordinated positions towards commercial carriers", "Training",
    "Common approaches to gathering", "Problems encountered",
    "General context", "Flows (volumes, nationalities, trends)", "Routes",
    "Modus operandi", "Criminal organisations involved in smuggling",
    "Incidents and events that may change flows", "Document fraud methods",
    "Assistance to host-country authorities",
    "Return and readmission cooperation", "Relevant legislation and practice",
    "Access to protection for asylum seekers", NULL};

static void
t_items_in_every_format(void)
{
    static const char *const fmts[] = {"md", "html", "json"};
    static const char *const item_md[] = {"### I.8 ", "### II.11 "};
    char sem[8];
    long base;
    char *n = net("report-items", "DE,FR,EU", NULL, &base);

    this_semester(sem);
    sample(n);
    ship(n, "FR", "DE");
    for (int f = 0; f < 3; f++) {
        char *r = report(n, "DE", sem, fmts[f]);
        for (int i = 0; headings[i]; i++)
            if (!strstr(r, headings[i]))
                TEST_FAIL_("%s report lacks item '%s'", fmts[f], headings[i]);
        ASSERT(strstr(r, "2005-687/provisional-1"));
        ASSERT(strstr(r, "PROVISIONAL"));
        ASSERT(strstr(r, "Arrivals via Van rising"));
        ASSERT(!strstr(r, "Retracted-Observation-Text"));
        if (f == 0)
            for (int i = 0; i < 2; i++)
                ASSERT(strstr(r, item_md[i]));
        if (f == 1) {
            ASSERT(strncmp(r, "<!DOCTYPE html>", 15) == 0);
            ASSERT(strstr(r, "<svg"));
            ASSERT(!strstr(r, "http://") ||
                   count(r, "http://") == count(r, "http://www.w3.org/2000/svg"));
            ASSERT(!strstr(r, "<script"));
            ASSERT(!strstr(r, "<link"));
        }
        if (f == 2) {
            ASSERT_EQ(r[0], '{');
            ASSERT_EQ(count(r, "\"heading\":"), 2 + 19);
            /* 0 stays 0; the missing figure is null, not 0 */
            ASSERT(strstr(r, "\"flows\",1,1,0,\"persons\",0]"));
            ASSERT(strstr(r, "\"routes\",1,0,1,null,null]"));
        }
        free(r);
    }
    free(n);
}

static void
t_ms_meeting_only_for_member_states(void)
{
    char sem[8];
    long base;
    char *n = net("report-ms", "DE,FR,EU", NULL, &base), *eu, *de;

    this_semester(sem);
    sample(n);
    ship(n, "FR", "EU");
    ship(n, "FR", "DE");
    ship(n, "DE", "EU");
    eu = report(n, "EU", sem, "md");
    de = report(n, "DE", sem, "md");
    ASSERT(!strstr(eu, "Secret-Place-Ankara"));
    ASSERT(strstr(de, "Secret-Place-Ankara"));
    ASSERT(strstr(eu, "Edirne route reopened")); /* net data is there */
    free(eu);
    free(de);
    free(n);
}

static void
t_byte_identical_after_same_entries(void)
{
    static const char *const fmts[] = {"md", "html", "json"};
    char sem[8];
    long base;
    char *n = net("report-same", "DE,FR,EU", NULL, &base);

    this_semester(sem);
    sample(n);
    ship(n, "DE", "FR");
    ship(n, "FR", "DE");
    for (int f = 0; f < 3; f++) {
        char *a = report(n, "DE", sem, fmts[f]);
        char *b = report(n, "FR", sem, fmts[f]);
        if (strcmp(a, b) != 0)
            TEST_FAIL_("%s reports from DE and FR differ", fmts[f]);
        ASSERT(strstr(a, "Secret-Place-Ankara"));
        free(a);
        free(b);
    }
    free(n);
}

static void
t_empty_semester_says_no_information(void)
{
    long base;
    char *n = net("report-empty", "DE,EU", NULL, &base);
    char *md, *js, *html;


    md = report(n, "DE", "2020-H1", "md");
    js = report(n, "DE", "2020-H1", "json");
    html = report(n, "DE", "2020-H1", "html");
    ASSERT_EQ(count(md, "\nNo information recorded.\n"), 19);
    ASSERT_EQ(count(js, "\"empty\":true"), 19);
    ASSERT_EQ(count(html, "<p class=\"empty\">No information recorded.</p>"),
              19);
    ASSERT(strstr(md, "| Council presidency | not in the rotation data |"));
    free(md);
    free(js);
    free(html);
    free(n);
}

static void
t_bad_input(void)
{
    long base;
    char *n = net("report-bad", "DE,EU", NULL, &base);
    char h[1024], tp[1100], out[1100];
    struct cli_out o;
    struct stat sb;
    FILE *f;

    home(h, sizeof(h), n, "DE");
    snprintf(out, sizeof(out), "%s/out.html", n);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H3",
                      "--out", out, NULL),
              2);
    ASSERT(strstr(o.co_err, "--semester 2026-H3"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--format", "pdf", "--out", out, NULL),
              2);
    ASSERT(strstr(o.co_err, "--format pdf"));
    cli_out_free(&o);
    snprintf(tp, sizeof(tp), "%s/bad.tmpl", n);
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion test-1\npart I One\n"
          "item 1 Item\ntable meetings columns=date,colour\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              1);
    ASSERT(strstr(o.co_err, "bad.tmpl:5:"));
    ASSERT(strstr(o.co_err, "'colour'"));
    cli_out_free(&o);
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion test-1\npart I One\n"
          "item 1 Item\n\ntable weather\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              1);
    ASSERT(strstr(o.co_err, "bad.tmpl:6: unknown query 'weather'"));
    cli_out_free(&o);
    ASSERT(stat(out, &sb) != 0); /* never a partial file */
    /* A valid custom template is used as given. */
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion custom-7\nstatus final\n"
          "part A Only part\nitem 1 Only meetings\ntable meetings\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              0);
    ASSERT(stat(out, &sb) == 0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "report", "template", NULL), 0);
    ASSERT(strstr(o.co_out, "ilonet-report-template 1"));
    cli_out_free(&o);
    free(n);
}

/* Starts `ilonet -C home node` in the background; returns its pid after
 * its port accepts connections (the node logs "listen"). */
static pid_t
start_node(const char *h)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(cli_bin(), cli_bin(), "-C", h, "node", (char *)NULL);
        _exit(127);
    }
    ASSERT(pid > 0);
    usleep(400 * 1000);
    return pid;
}

static void
stop_node(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
}

static void
write_rotation(const char *path, const char *sem, const char *lines)
{
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fprintf(f, "# test rotation\n%s IE\n%s", sem, lines);
    fclose(f);
}

static void
t_presidency_pulls_and_reports(void)
{
    char sem[8], de[1024], hq[1024], rot[1100], peer[1200], nsem[8];
    long base;
    char *n = net("report-pull", "DE,FR,EU", "IE", &base);
    struct cli_out o, a, b;
    pid_t pid;
    int y;

    this_semester(sem);
    y = atoi(sem);
    snprintf(nsem, sizeof(nsem), "%04d-H%c", sem[6] == '1' ? y : y + 1,
             sem[6] == '1' ? '2' : '1');
    home(de, sizeof(de), n, "DE");
    snprintf(hq, sizeof(hq), "%s/IE-presidency", n);
    snprintf(rot, sizeof(rot), "%s/rotation.txt", n);
    {
        char next[64];
        snprintf(next, sizeof(next), "%s DE\n", nsem);
        write_rotation(rot, sem, next);
    }
    sample(n);
    ship(n, "FR", "DE");
    ASSERT_EQ(cli_run(&o, "-C", de, "id", "--json", NULL), 0);
    {
        char *k = strstr(o.co_out, "\"node\":\"");
        ASSERT(k);
        snprintf(peer, sizeof(peer), "tcp://127.0.0.1:%ld@%.64s", base + 1,
                 k + 8);
    }
    cli_out_free(&o);
    pid = start_node(de);
    /* The presidency headquarters (no ILO here) pulls from one member. */
    ASSERT_EQ(cli_run(&o, "-C", hq, "sync", "--peer", peer, "--timeout", "10",
                      NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&a, "-C", hq, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT_EQ(cli_run(&b, "-C", de, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(a.co_out, "Arrivals via Van rising"));
    ASSERT(strstr(a.co_out, "Secret-Place-Ankara")); /* HQ is a Member State */
    ASSERT(strstr(a.co_out, "| Council presidency | IE |"));
    ASSERT(strstr(a.co_out, "| Drawn up by | DE, acting for the presidency IE"));
    ASSERT_STR_EQ(a.co_out, b.co_out); /* same entries, same bytes */
    cli_out_free(&a);
    cli_out_free(&b);
    /* The presidency designates FR? FR has no entries held here, so not
     * eligible; it declares that it drafts itself from its headquarters. */
    ASSERT_EQ(cli_run(&o, "-C", hq, "report", "acting", "--semester", sem,
                      "--state", "IE", NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", hq, "sync", "--peer", peer, "--timeout", "10",
                      NULL),
              0);
    cli_out_free(&o);
    stop_node(pid);
    ASSERT_EQ(cli_run(&a, "-C", de, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(a.co_out, "| Drawn up by | IE, the presidency, as declared"));
    cli_out_free(&a);
    free(n);
}

static void
t_acting_state_reports_without_presidency_node(void)
{
    char sem[8], rot[1100], fr[1024], nsem[8], lines[64];
    long base;
    char *n = net("report-acting", "DE,FR,EU", NULL, &base);
    struct cli_out o;
    int y;

    this_semester(sem);
    y = atoi(sem);
    snprintf(nsem, sizeof(nsem), "%04d-H%c", sem[6] == '1' ? y : y + 1,
             sem[6] == '1' ? '2' : '1');
    snprintf(rot, sizeof(rot), "%s/rotation.txt", n);
    /* IE presides, has no node; next in rotation: PL (no node), then FR. */
    snprintf(lines, sizeof(lines), "%s PL\n%04d-H%c FR\n", nsem,
             nsem[6] == '1' ? atoi(nsem) : atoi(nsem) + 1,
             nsem[6] == '1' ? '2' : '1');
    write_rotation(rot, sem, lines);
    sample(n);
    ship(n, "DE", "FR");
    home(fr, sizeof(fr), n, "FR");
    ASSERT_EQ(cli_run(&o, "-C", fr, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(o.co_out, "| Council presidency | IE |"));
    ASSERT(strstr(o.co_out, "| Drawn up by | FR, acting for the presidency "
                            "IE, which has no ILO in this network; first "
                            "state after IE in the rotation"));
    cli_out_free(&o);
    free(n);
}

TEST_LIST = {
    TEST(t_items_in_every_format),
    TEST(t_ms_meeting_only_for_member_states),
    TEST(t_byte_identical_after_same_entries),
    TEST(t_empty_semester_says_no_information),
    TEST(t_bad_input),
    TEST(t_presidency_pulls_and_reports),
    TEST(t_acting_state_reports_without_presidency_node),
};

TEST_MAIN()
