/* test_browser.c - the node page in headless Chromium driven by Playwright
 * (tests/web_browser.js). */
/*
 * Installs playwright-core and axe-core from npm into a temporary folder
 * (npm cache in build/npm-cache) and uses Debian's chromium (apt-get
 * install if missing); prints a SKIP line only when either cannot be had.
 * Builds a testnet (DE, FR, EU) whose certificates start six months back,
 * seeds observations spread over those months with the CLI (the test clock
 * offset), a meeting and a task, adds two officers to DE (ilonet user
 * add), starts the nodes with --http, then the script (tests/web_browser.js
 * says each step): FR opened at ?tab=tasks, every record kind through its
 * form (bad values first), the live update on FR's open list, amend,
 * retract, erase, an unknown id, search, My desk, keyboard, axe-core at
 * 1280 and 360 px, print, CSV in UTC, German labels, the report preview's
 * pixels, a narrative text signed through the report tab's form, sign-in/out,
 * expired session and lockout, a peer and then the node stopping. Screenshots
 * FR's dashboard to build/web-page.png (docs/web-page.png is a copy). Needs
 * ILONET_BIN (make unit).
 */
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

#define PLAYWRIGHT "playwright-core@1.65.1"
#define AXE "axe-core@4.14.1"
#define NODES 3
#define PASSWORD "correct horse battery"

struct bnode {
    char dir[512], log[600], url[300];
    int http_port;
    pid_t pid;
};

static struct bnode g_nodes[NODES];

/* chromium, node and playwright-core in pw_dir; 0 when not available. */
static int
tools_ready(const char *pw_dir)
{
    char cwd[600];

    if (access("/usr/bin/chromium", X_OK) != 0 &&
        (geteuid() != 0 ||
         system("DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                "chromium >/dev/null 2>&1") != 0 ||
         access("/usr/bin/chromium", X_OK) != 0)) {
        printf("SKIP t_browser_page: chromium is not installed and could "
               "not be installed\n");
        return 0;
    }
    if (system("command -v node >/dev/null 2>&1 && command -v npm "
               ">/dev/null 2>&1") != 0) {
        printf("SKIP t_browser_page: node/npm not installed\n");
        return 0;
    }
    if (!getcwd(cwd, sizeof(cwd)))
        return 0;
    if (proc_run(
            NULL, 0,
            "cd '%s' && echo '{\"private\":true}' > package.json && "
            "timeout 120 npm install --no-audit --no-fund --prefer-offline "
            "--cache '%s/build/npm-cache' " PLAYWRIGHT " " AXE " >npm.log 2>&1",
            pw_dir, cwd) != 0) {
        printf("SKIP t_browser_page: npm could not install " PLAYWRIGHT " " AXE
               " (see %s/npm.log)\n",
               pw_dir);
        return 0;
    }
    return 1;
}

static void
node_start(struct bnode *nd)
{
    char addr[64];
    const char *args[] = {"--http", addr, NULL};

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", nd->http_port);
    unlink(nd->log);
    nd->pid = proc_node_spawn(nd->dir, nd->log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(nd->pid >= 0);
    ASSERT_EQ(proc_wait_http(nd->log, nd->url, sizeof(nd->url), 10000), 0);
}

/* Observations over the last six months (written before the nodes run,
 * with the CLI's test clock offset), a meeting and a task. */
static void
seed(const char *root)
{
    static const char *const cats[] = {"flows",     "routes",
                                       "incidents", "document-fraud",
                                       "return",    "modus-operandi"};
    static const char *const who[] = {"DE", "FR", "EU"};
    static const char *const text[6][3] = {
        {"Irregular crossings at the Van border rising",
         "Departures by sea from Izmir", "Transit via Istanbul airport"},
        {"Land route Van-Istanbul-Edirne re-used",
         "Aegean crossings to "
         "Lesvos",
         "Route through Kapikule border crossing"},
        {"Capsizing off Bodrum: rescue and arrests",
         "Truck with migrants "
         "stopped near Edirne",
         "Mass departure attempt at Ayvalik"},
        {"Look-alike use of genuine passports at IST",
         "Forged Schengen visas "
         "sold in Aksaray",
         "Altered residence permits detected"},
        {"Readmission requests answered within 30 days",
         "Voluntary returns "
         "assisted by IOM",
         "Return flights to Islamabad resumed"},
        {"Crew recruited on site for single crossings",
         "Payment through "
         "hawala agents",
         "Use of rented yachts for crossings"}};
    char v[32], out[256];
    int k = 0;

    for (int m = 5; m >= 0; m--)
        for (int c = 0; c < 6; c++) {
            int n = (c * 7 + m * 3) % 4; /* 0..3 a month per category */
            for (int i = 0; i < n; i++, k++) {
                snprintf(v, sizeof(v), "-%llu",
                         (unsigned long long)(m * 30ull + (unsigned)c) *
                                 86400000ull +
                             (unsigned long long)(6 - i) * 3600000ull);
                setenv("ILONET_CLOCK_OFFSET_MS", v, 1);
                ASSERT_EQ(
                    proc_run(out, sizeof(out),
                             "%s -C %s/%s observe --category %s --summary "
                             "'%s' --figure %d --unit persons "
                             "--reliability %c",
                             proc_bin(), root, who[k % 3], cats[c],
                             text[c][k % 3], 10 + (k * 37) % 200, "ABC"[k % 3]),
                    0);
            }
        }
    unsetenv("ILONET_CLOCK_OFFSET_MS");
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s -C %s/DE meeting add --date 2026-07-02 --place "
                 "'Embassy of Germany, Ankara' --convenor DE --participants "
                 "DE,EU,FR --commission present --topics 'Flows across the "
                 "eastern border'",
                 proc_bin(), root),
        0);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "%s -C %s/DE task create --for FR --title 'Joint "
                       "assessment of document fraud at IST'",
                       proc_bin(), root),
              0);
    /* DE's officers: anna signs in and out, bert gets locked out. */
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(proc_run(out, sizeof(out),
                           "echo '%s' | %s -C %s/DE user add %s "
                           "--password-stdin",
                           PASSWORD, proc_bin(), root, i ? "bert" : "anna"),
                  0);
}

static void
t_browser_page(void)
{
    char *tmp = test_tmpdir("browser");
    char pw[600], root[600], out[1 << 16], shot[700], pa[700], pb[700], pc[700];
    char summary[80], v[32], base_a[300];
    struct proc_member m[NODES];
    int base = proc_pid_base(23000, 400, 20), n, rc;
    const char *src = getenv("ILONET_SRC");
    uint64_t t0;

    snprintf(pw, sizeof(pw), "%s/pw", tmp);
    mkdir(pw, 0755);
    if (!tools_ready(pw)) {
        free(tmp);
        return;
    }
    snprintf(root, sizeof(root), "%s/net", tmp);
    /* certificates valid from six months back, so seeded entries count */
    snprintf(v, sizeof(v), "-%llu", 200ull * 86400000ull);
    setenv("ILONET_CLOCK_OFFSET_MS", v, 1);
    n = proc_testnet(root, "DE,FR,EU", base, m, NODES);
    unsetenv("ILONET_CLOCK_OFFSET_MS");
    ASSERT_GE(n, 0);
    for (int i = 0; i < n; i++) {
        struct bnode *nd = &g_nodes[i];
        memcpy(nd->dir, m[i].pm_dir, sizeof(nd->dir));
        memcpy(nd->log, nd->dir, strlen(nd->dir));
        memcpy(nd->log + strlen(nd->dir), ".log", 5);
        nd->http_port = base + 10 + i;
    }
    ASSERT_EQ(n, NODES);
    seed(root);
    for (int i = 0; i < NODES; i++)
        node_start(&g_nodes[i]);
    snprintf(shot, sizeof(shot), "%s/web-page.png", tmp);
    snprintf(pa, sizeof(pa), "%s/profile-a", tmp);
    snprintf(pb, sizeof(pb), "%s/profile-b", tmp);
    snprintf(summary, sizeof(summary), "Capsizing off Bodrum, rescue %d",
             (int)getpid());
    snprintf(pc, sizeof(pc), "%s/profile-c", tmp);
    snprintf(base_a, sizeof(base_a), "%.*s", (int)strcspn(g_nodes[0].url, "#"),
             g_nodes[0].url);
    t0 = proc_mono_ms();
    /* The script stops EU's node (a peer unreachable) and then DE's (the
     * page offline) at its end; proc_kill_all reaps them. */
    rc = proc_run(out, sizeof(out),
                  "cd '%s' && PW_DIR='%s' URL_A='%s' URL_B='%s' BASE_A='%s' "
                  "USER=anna USER2=bert PASS='" PASSWORD "' SUMMARY='%s' "
                  "SHOT='%s' PROFILE_A='%s' PROFILE_B='%s' PROFILE_C='%s' "
                  "EU_PID=%d A_PID=%d timeout 400 node "
                  "'%s/tests/web_browser.js' 2>&1",
                  tmp, pw, g_nodes[0].url, g_nodes[1].url, base_a, summary,
                  shot, pa, pb, pc, (int)g_nodes[2].pid, (int)g_nodes[0].pid,
                  src ? src : getcwd(root, sizeof(root)));
    printf("%s  (%.1f s in the browser)\n", out,
           (double)(proc_mono_ms() - t0) / 1000.0);
    ASSERT_EQ(rc, 0);
    ASSERT(strstr(out, "visible on node B"));
    ASSERT(strstr(out, "report preview rendered"));
    ASSERT(strstr(out, "narrative signed on the page"));
    ASSERT(strstr(out, "axe-core: no WCAG 2.1 AA violation"));
    ASSERT(strstr(out, "all browser steps passed"));
    {
        struct stat sb;
        ASSERT_EQ(stat(shot, &sb), 0);
        ASSERT_GE(sb.st_size, 40000); /* a blank page is a few KB */
        mkdir("build", 0755);
        proc_run(NULL, 0, "cp '%s' build/web-page.png", shot);
    }
    free(tmp);
}

TEST_LIST = {
    TEST(t_browser_page),
};

TEST_MAIN()
