/* test_report_api.c - the report over the HTTP API (what the page calls): POST
 * /api/meetings and /api/tasks return the net stub written with a restricted
 * record; POST /api/report/text signs narrative; GET /api/report?period= draws
 * the report with it, drafts=1 the working copy with others' drafts; bad
 * input names the field. Uses curl; SKIP when it is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/report/report.h"
#include "proc.h"
#include "test.h"

static char g_base[160], g_token[65], g_dir[600], g_sem[8], g_today[11];

/* curl with the bootstrap token: body into out, returns the HTTP status
 * (0 when curl failed). */
static int
api(char *out, size_t cap, const char *method, const char *body,
    const char *path)
{
    static char buf[1 << 20];
    char *nl;

    if (proc_run(buf, sizeof(buf),
                 "curl -s -m 20 -H 'Authorization: Bearer %s' -X %s %s%s%s "
                 "-w '\\n%%{http_code}' '%s%s'",
                 g_token, method, body ? "--data-binary '" : "",
                 body ? body : "", body ? "'" : "", g_base, path) != 0)
        return 0;
    if (!(nl = strrchr(buf, '\n')))
        return 0;
    *nl = '\0';
    if (out)
        snprintf(out, cap, "%s", buf);
    return atoi(nl + 1);
}

/* A testnet (DE, FR, EU) and DE's node with its page on a free port. */
static int
api_start(void)
{
    struct proc_member m[4];
    char *tmp, log[700], url[300], addr[64];
    const char *args[] = {"--http", addr, NULL};
    int base = proc_pick_base(25000, 400, 10, (int)(getpid() % 400), 4), n;
    pid_t pid;

    if (system("command -v curl >/dev/null 2>&1") != 0) {
        printf("SKIP test_report_api: curl is not installed\n");
        return -1;
    }
    ASSERT_GE(base, 0);
    tmp = test_tmpdir("rapi");
    snprintf(g_dir, sizeof(g_dir), "%s/n", tmp);
    free(tmp);
    n = proc_testnet(g_dir, "DE,FR,EU", base, m, 4);
    ASSERT_EQ(n, 3);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", base + 4);
    snprintf(log, sizeof(log), "%s.log", m[0].pm_dir);
    pid = proc_node_spawn(m[0].pm_dir, log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(pid > 0);
    ASSERT_EQ(proc_wait_http(log, url, sizeof(url), 10000), 0);
    {
        char *h = strstr(url, "#token=");

        ASSERT(h);
        snprintf(g_token, sizeof(g_token), "%s", h + 7);
        snprintf(g_base, sizeof(g_base), "%.*s", (int)(h - url - 1), url);
    }
    report_date_of(proc_wall_ms(), g_today);
    report_semester_of(proc_wall_ms(), g_sem);
    return 0;
}

static void
report_over_the_api(void)
{
    char out[1 << 16], body[1024], stub[65], path[200];

    if (api_start() != 0)
        return;
    /* a meeting without the Commission: the record in ms, its stub in net */
    snprintf(body, sizeof(body),
             "{\"date\":\"%s\",\"place\":\"Canary-Api-Place\",\"convenor\":"
             "\"DE\",\"participants\":\"DE,FR\",\"commission\":\"excluded\","
             "\"exclusion\":\"host-request\",\"topics\":\"Canary-Api-Topic\"}",
             g_today);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/meetings"), 201);
    ASSERT(strstr(out, "\"audience\":\"ms\""));
    ASSERT_EQ(proc_json_str(out, "stub", stub, sizeof(stub)), 0);
    ASSERT_EQ(strlen(stub), 64);
    ASSERT_EQ(api(out, sizeof(out), "POST",
                  "{\"for\":\"FR\",\"title\":\"Canary-Api-Task\"}",
                  "/api/tasks"),
              201);
    ASSERT(strstr(out, "\"audience\":\"DE+FR\""));
    ASSERT(strstr(out, "\"stub\":\""));
    /* narrative: DE drafts (the only state with records here) */
    snprintf(body, sizeof(body),
             "{\"period\":\"%s\",\"section\":\"I.8\",\"text\":\"Api-Text: "
             "good practice.\"}",
             g_sem);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/report/text"), 201);
    ASSERT(strstr(out, "\"audience\":\"net\""));
    snprintf(path, sizeof(path), "/api/report?period=%s&format=md", g_sem);
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, path), 200);
    ASSERT(strstr(out, "Api-Text: good practice."));
    ASSERT(strstr(out, "*Signed by Germany (DE), "));
    ASSERT(strstr(out, "At the request of the host-country authorities"));
    ASSERT(strstr(out, "| DE,FR |"));
    ASSERT(!strstr(out, "Canary-Api"));
    /* bad input: an unknown section, a missing field, an unknown field */
    snprintf(body, sizeof(body),
             "{\"period\":\"%s\",\"section\":\"IX.9\",\"text\":\"x\"}", g_sem);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/report/text"), 400);
    ASSERT(strstr(out, "\"field\":\"section\""));
    ASSERT(strstr(out, "'IX.9'"));
    snprintf(body, sizeof(body), "{\"period\":\"%s\",\"text\":\"x\"}", g_sem);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/report/text"), 400);
    ASSERT(strstr(out, "field 'section': required"));
    snprintf(body, sizeof(body),
             "{\"period\":\"%s\",\"section\":\"I.8\",\"text\":\"x\","
             "\"colour\":\"red\"}",
             g_sem);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/report/text"), 400);
    ASSERT(strstr(out, "'colour'"));
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, "/api/report/text"), 405);
    snprintf(path, sizeof(path), "/api/report?period=2026-H9");
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, path), 400);
    ASSERT(strstr(out, "query 'period'"));
    proc_kill_all();
}

/* GET /api/report?drafts=1 (what the page's narrative form reads): the
 * JSON working copy lists each narrative section with the drafter's text
 * and who signed it, and the other states' texts as drafts; drafts=0 is
 * the report as sent; anything else is a 400 naming the parameter. */
static void
drafts_over_the_api(void)
{
    char out[1 << 16], body[1024], path[200];

    if (api_start() != 0)
        return;
    snprintf(body, sizeof(body),
             "{\"period\":\"%s\",\"section\":\"II.1\",\"text\":\"Drafts-Text "
             "of DE\"}",
             g_sem);
    ASSERT_EQ(api(out, sizeof(out), "POST", body, "/api/report/text"), 201);
    snprintf(path, sizeof(path), "/api/report?period=%s&format=json&drafts=1",
             g_sem);
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, path), 200);
    ASSERT(strstr(out, "\"drafts_shown\":true"));
    ASSERT(strstr(out, "\"section\":\"II.1\""));
    ASSERT(strstr(out, "\"drafts\":["));
    /* DE drafts here: its text is the section's, signed by DE */
    ASSERT(strstr(out, "\"narrative\":{\"state\":\"DE\""));
    ASSERT(strstr(out, "\"text\":\"Drafts-Text of DE\""));
    snprintf(path, sizeof(path), "/api/report?period=%s&format=json&drafts=0",
             g_sem);
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, path), 200);
    ASSERT(strstr(out, "\"drafts_shown\":false"));
    ASSERT(!strstr(out, "\"drafts\":["));
    ASSERT(strstr(out, "Drafts-Text of DE"));
    snprintf(path, sizeof(path), "/api/report?period=%s&drafts=yes", g_sem);
    ASSERT_EQ(api(out, sizeof(out), "GET", NULL, path), 400);
    ASSERT(strstr(out, "query 'drafts'"));
    proc_kill_all();
}

TEST_LIST = {
    TEST(report_over_the_api),
    TEST(drafts_over_the_api),
};

TEST_MAIN()
