/* test_officer.c - the officer who signed in is named in what they write
 * (issue 15): the payload field `officer`, in the view, `show` and the API. */
/*
 * A testnet of DE and FR (ILONET_BIN); DE runs `node --http` and an
 * officer account with a user token writes through the API with curl
 * (SKIP when curl is missing). FR gets DE's entries by export and import.
 */
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include "proc.h"
#include "test.h"

/* `ilonet ARGS` (stdout and stderr) into out; the exit status. */
static int
il(char *out, size_t cap, const char *fmt, ...)
{
    char args[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return proc_run(out, cap, "'%s' %s 2>&1", proc_bin(), args);
}

/* curl with a bearer token; the body into out, the status returned. */
static int
curl(const char *base, const char *token, const char *data, const char *path,
     char *out, size_t cap)
{
    char extra[600] = "", *nl;

    if (data)
        snprintf(extra, sizeof(extra),
                 "-H 'Content-Type: application/json' -d '%s'", data);
    if (proc_run(out, cap,
                 "curl -s -m 20 -H 'Authorization: Bearer %s' %s -w "
                 "'\\n%%{http_code}' '%s%s'",
                 token, extra, base, path) != 0 ||
        !(nl = strrchr(out, '\n')))
        return 0;
    *nl = 0;
    return atoi(nl + 1);
}

/* The "id" a write answered with, into id (65 bytes). */
static void
id_of(const char *js, char id[65])
{
    ASSERT_EQ(proc_json_str(js, "id", id, 65), 0);
    ASSERT_EQ(strlen(id), 64);
}

static void
officer_named_in_what_they_write(void)
{
    static char out[1 << 16];
    char *tmp = test_tmpdir("officer"), root[600], addr[64], log[700];
    char url[300], base[128], boot[65], tok[200], a[65], b[65], want[200];
    const char *args[] = {"--http", addr, NULL};
    struct proc_member m[2];
    int port;
    pid_t de;
    char *h;

    if (system("command -v curl >/dev/null 2>&1") != 0) {
        printf("SKIP officer_named_in_what_they_write: no curl\n");
        free(tmp);
        return;
    }
    snprintf(root, sizeof(root), "%s/net", tmp);
    port = proc_pick_base(27000, 400, 10, getpid() % 400, 3);
    ASSERT(port > 0);
    ASSERT_EQ(proc_testnet(root, "DE,FR", port, m, 2), 2);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "echo 'anna-s-long-password' | '%s' -C '%s' user add "
                       "anna --password-stdin 2>&1",
                       proc_bin(), m[0].pm_dir),
              0);
    ASSERT_EQ(proc_run(tok, sizeof(tok), "'%s' -C '%s' user token anna",
                       proc_bin(), m[0].pm_dir),
              0);
    tok[strcspn(tok, "\n")] = 0;
    ASSERT(strlen(tok) > 20);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port + 9);
    snprintf(log, sizeof(log), "%s/de.log", tmp);
    de = proc_node_spawn(m[0].pm_dir, log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(de > 0);
    ASSERT_EQ(proc_wait_http(log, url, sizeof(url), 10000), 0);
    ASSERT((h = strstr(url, "#token=")));
    snprintf(boot, sizeof(boot), "%s", h + 7);
    snprintf(base, sizeof(base), "%.*s", (int)(h - url - 1), url);

    /* anna writes and amends; the bootstrap token writes one more */
    ASSERT_EQ(curl(base, tok,
                   "{\"category\":\"routes\",\"summary\":\"by anna\"}",
                   "/api/observations", out, sizeof(out)),
              201);
    id_of(out, a);
    snprintf(want, sizeof(want), "/api/observations/%s/amend", a);
    ASSERT_EQ(curl(base, tok, "{\"summary\":\"by anna, amended\"}", want, out,
                   sizeof(out)),
              201);
    ASSERT_EQ(curl(base, boot, "{\"category\":\"flows\",\"summary\":\"boot\"}",
                   "/api/observations", out, sizeof(out)),
              201);
    id_of(out, b);
    /* the API shows her on the record and on the amendment */
    snprintf(want, sizeof(want), "/api/observations/%s", a);
    ASSERT_EQ(curl(base, tok, NULL, want, out, sizeof(out)), 200);
    ASSERT(strstr(out, "\"summary\":\"by anna, amended\""));
    ASSERT(strstr(out, "\"officer\":\"anna\",\"purpose\""));
    ASSERT(strstr(out, "\"kind\":8,") || strstr(out, "\"kind\":\"amend\""));
    ASSERT(strstr(out, "\"why\":null,\"officer\":\"anna\"}"));
    snprintf(want, sizeof(want), "/api/observations/%s", b);
    ASSERT_EQ(curl(base, tok, NULL, want, out, sizeof(out)), 200);
    ASSERT(strstr(out, "\"officer\":null"));
    ASSERT_EQ(proc_reap(de, SIGTERM, NULL), de);

    /* `show`: the field and the history line name her */
    ASSERT_EQ(il(out, sizeof(out), "-C %s show %s", m[0].pm_dir, a), 0);
    ASSERT(strstr(out, "\nofficer        anna\n"));
    ASSERT(strstr(out, " amend       by DE (anna) at "));
    ASSERT_EQ(il(out, sizeof(out), "-C %s show %s", m[0].pm_dir, b), 0);
    ASSERT(!strstr(out, "officer"));
    /* the entry needs the vocabulary version that has the field */
    ASSERT_EQ(il(out, sizeof(out), "-C %s show %s --json", m[0].pm_dir, a), 0);
    ASSERT(strstr(out, "\"officer\":\"anna\""));
    ASSERT(strstr(out, "\"vocab\":3"));

    /* it travels in the signed payload: FR sees her too */
    ASSERT_EQ(
        il(out, sizeof(out), "-C %s export --out %s/de.exp", m[0].pm_dir, tmp),
        0);
    ASSERT_EQ(il(out, sizeof(out), "-C %s import %s/de.exp", m[1].pm_dir, tmp),
              0);
    ASSERT_EQ(
        il(out, sizeof(out), "-C %s list observations --json", m[1].pm_dir), 0);
    ASSERT(strstr(out, "\"summary\":\"by anna, amended\""));
    ASSERT(strstr(out, "\"officer\":\"anna\""));
    ASSERT_EQ(il(out, sizeof(out), "-C %s show %s", m[1].pm_dir, a), 0);
    ASSERT(strstr(out, " amend       by DE (anna) at "));

    /* nobody types it: set by ilonet, as the grant relied on is */
    ASSERT_EQ(il(out, sizeof(out),
                 "-C %s observe --category routes --summary x --officer bob",
                 m[0].pm_dir),
              1);
    ASSERT_STR_EQ(out, "ilonet: observe: field 'officer': set by ilonet, not "
                       "an option\n");
    ASSERT_EQ(il(out, sizeof(out), "-C %s verify", m[1].pm_dir), 0);
    proc_kill_all();
    free(tmp);
}

TEST_LIST = {
    TEST(officer_named_in_what_they_write),
};

TEST_MAIN()
