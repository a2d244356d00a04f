/* test_report_overview.c - the cross-network overview (issue 14, item 5): the
 * Commission's node homes of three networks (one home per network under a
 * common parent) give one table of which networks reported, which changed
 * since, which are missing, with their key figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "node/report/report.h"
#include "proc.h"
#include "test.h"

static char g_root[600];
static char g_sem[8], g_today[11];

/* `ilonet ARGS...` must succeed. */
#define OV_OK(...)                                                             \
    do {                                                                       \
        struct cli_out o_;                                                     \
        if (cli_run(&o_, __VA_ARGS__, NULL) != 0)                              \
            TEST_FAIL_("ilonet %s failed: %s", #__VA_ARGS__, o_.co_err);       \
        cli_out_free(&o_);                                                     \
    } while (0)

static void
ov_home(char *out, size_t cap, const char *net, const char *state)
{
    snprintf(out, cap, "%s/%s/%s", g_root, net, state);
}

static void
ov_testnet(const char *net, const char *host, const char *states,
           const char *regime, int base)
{
    char out[700], port[16];

    snprintf(out, sizeof(out), "%s/%s", g_root, net);
    snprintf(port, sizeof(port), "%d", base);
    OV_OK("testnet", "--host", host, "--states", states, "--out", out,
          "--base-port", port, "--regime", regime);
}

/* Copies what from's node may share to to's node (same network). */
static void
ov_ship(const char *net, const char *from, const char *to)
{
    char a[700], b[700], f[800];
    struct cli_out o;

    ov_home(a, sizeof(a), net, from);
    ov_home(b, sizeof(b), net, to);
    snprintf(f, sizeof(f), "%s/%s-%s-%s.bin", g_root, net, from, to);
    OV_OK("-C", a, "export", "--out", f);
    cli_run(&o, "-C", b, "import", f, NULL);
    ASSERT(o.co_status == 0 || o.co_status == 1);
    cli_out_free(&o);
}

static void
ov_observe(const char *net, const char *state, const char *summary,
           const char *figure)
{
    char h[700], per[32];

    ov_home(h, sizeof(h), net, state);
    snprintf(per, sizeof(per), "%s..%s", g_today, g_today);
    OV_OK("-C", h, "observe", "--category", "flows", "--summary", summary,
          "--figure", figure, "--unit", "persons", "--period", per);
}

static void
ov_attest(const char *net, const char *state)
{
    char h[700];

    ov_home(h, sizeof(h), net, state);
    OV_OK("-C", h, "report", "attest", "--period", g_sem);
}

/* Three networks; the Commission's homes linked under g_root/commission:
 *   tr (377-2004): DE and FR attested the current report: reported;
 *   ng (377-2004): IT drafts and attested, then the Commission's entry
 *   arrived: changed since;
 *   ma (2019-1240): ES chairs and has not attested: missing. */
static void
ov_setup(const char *tag)
{
    char *tmp = test_tmpdir(tag), c[700], h[700], link[800];
    int base = proc_pid_base(24000, 600, 30);

    snprintf(g_root, sizeof(g_root), "%s/ov", tmp);
    free(tmp);
    ASSERT_EQ(mkdir(g_root, 0700), 0);
    report_date_of(proc_wall_ms(), g_today);
    report_semester_of(proc_wall_ms(), g_sem);
    ov_testnet("tr", "TR", "DE,FR,EU", "377-2004", base);
    ov_testnet("ng", "NG", "IT,EU", "377-2004", base + 10);
    ov_testnet("ma", "MA", "ES,FR,EU", "2019-1240", base + 20);

    ov_observe("tr", "DE", "Arrivals via Van", "120");
    ov_home(h, sizeof(h), "tr", "FR");
    OV_OK("-C", h, "meeting", "add", "--date", g_today, "--place",
          "Canary-Place", "--convenor", "FR", "--participants", "DE,FR",
          "--commission", "excluded", "--topics", "Canary-Topic");
    OV_OK("-C", h, "contact", "add", "--date", g_today, "--type", "authority",
          "--counterpart", "DGMM", "--summary", "visit");
    ov_ship("tr", "FR", "DE");
    ov_ship("tr", "DE", "FR");
    /* both attest: whichever the rotation makes the drafter has */
    ov_attest("tr", "DE");
    ov_attest("tr", "FR");
    ov_ship("tr", "DE", "EU");
    ov_ship("tr", "FR", "EU");

    /* IT, the only Member State, drafts; an entry of the Commission's
     * arrives after IT attested */
    ov_observe("ng", "IT", "Lagos departures", "40");
    ov_attest("ng", "IT");
    ov_ship("ng", "IT", "EU");
    ov_home(h, sizeof(h), "ng", "EU");
    OV_OK("-C", h, "contact", "add", "--date", g_today, "--type",
          "organisation", "--counterpart", "IOM", "--summary", "meeting");

    ov_home(h, sizeof(h), "ma", "ES");
    OV_OK("-C", h, "chair", "add", "--role", "chair", "--state", "ES", "--from",
          g_today);
    ov_ship("ma", "ES", "EU");

    snprintf(c, sizeof(c), "%s/commission", g_root);
    ASSERT_EQ(mkdir(c, 0700), 0);
    for (int i = 0; i < 3; i++) {
        static const char *const nets[] = {"tr", "ng", "ma"};

        ov_home(h, sizeof(h), nets[i], "EU");
        snprintf(link, sizeof(link), "%s/%s", c, nets[i]);
        ASSERT_EQ(symlink(h, link), 0);
    }
}

static void
three_networks_side_by_side(void)
{
    char c[700], line[400];
    struct cli_out o;
    const char *ma, *ng, *tr;

    ov_setup("rov-three");
    snprintf(c, sizeof(c), "%s/commission", g_root);
    ASSERT_EQ(cli_run(&o, "-C", c, "report", "--all-networks", "--period",
                      g_sem, NULL),
              0);
    ma = strstr(o.co_out, "| Morocco (MA)");
    ng = strstr(o.co_out, "| Nigeria (NG)");
    tr = strstr(o.co_out, "| Türkiye (TR)");
    ASSERT(ma && ng && tr);
    ASSERT(ma < ng && ng < tr); /* the homes' names in order */
    /* members, meetings, without the Commission, observations, contacts,
     * trainings, carrier positions, postings, task sharing */
    snprintf(line, sizeof(line),
             " | reported | 2 / 0 | 2 | "
             "1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 |\n");
    ASSERT(strstr(tr, "| 377-2004 | DE | ") ||
           strstr(tr, "| 377-2004 | FR | "));
    ASSERT(strstr(tr, line));
    snprintf(line, sizeof(line),
             "| 377-2004 | IT | changed since | 0 / 1 "
             "| 2 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 0 |\n");
    ASSERT(strstr(ng, line));
    snprintf(line, sizeof(line),
             "| 2019-1240 | ES | missing | 0 / 0 | 1 "
             "| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n");
    ASSERT(strstr(ma, line));
    ASSERT(!strstr(o.co_out, "Canary"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", c, "report", "--all-networks", "--period",
                      g_sem, "--format", "json", NULL),
              0);
    ASSERT(strstr(o.co_out, "{\"format\":\"ilonet-overview\""));
    ASSERT(strstr(o.co_out, "\"status\":\"reported\""));
    ASSERT(strstr(o.co_out, "\"status\":\"changed since\""));
    ASSERT(strstr(o.co_out, "\"status\":\"missing\""));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", c, "report", "--all-networks", "--period",
                      g_sem, "--format", "html", NULL),
              0);
    ASSERT(strncmp(o.co_out, "<!DOCTYPE html>", 15) == 0);
    ASSERT(strstr(o.co_out, "Türkiye (TR)"));
    cli_out_free(&o);
}

static void
overview_bad_input(void)
{
    char *tmp = test_tmpdir("rov-bad");
    struct cli_out o;

    ASSERT_EQ(cli_run(&o, "-C", tmp, "report", "--all-networks", "--period",
                      "2026-H2", NULL),
              1);
    ASSERT(strstr(o.co_err, "no node home under it"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", tmp, "report", "--all-networks", "--period",
                      "2026-H2", "--annex", "ms", NULL),
              2);
    ASSERT(strstr(o.co_err, "--all-networks takes only"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", tmp, "report", "--all-networks", NULL), 2);
    ASSERT(strstr(o.co_err, "--period"));
    cli_out_free(&o);
    free(tmp);
}

TEST_LIST = {
    TEST(three_networks_side_by_side),
    TEST(overview_bad_input),
};

TEST_MAIN()
