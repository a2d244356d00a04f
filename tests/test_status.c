/* test_status.c - `ilonet status` for the duty officer (app_health) and
 * GET /metrics. */
/*
 * A testnet of DE and FR is made with the binary under test (ILONET_BIN).
 * What a running node records (store meta "node_run", "peer_status",
 * "rejections", node/node.h) is written by hand into DE's store, and
 * app_health() is called in this process with a chosen "now", so no case
 * depends on the wall clock. The CLI cases write times far from now (a day
 * ahead: seen; an hour back: lagging). The /metrics case runs real nodes
 * with --http and talks to them with curl (SKIP when curl is missing).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "test.h"

#define MIN_MS (60ULL * 1000)
#define DAY_MS (24ULL * 60 * MIN_MS)

struct sfx {
    char root[512];
    struct proc_member m[2]; /* DE, FR */
    int base;
};

static void
sfx_init(struct sfx *f, const char *tag)
{
    char *tmp = test_tmpdir(tag);

    memset(f, 0, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "%s/net", tmp);
    free(tmp);
    f->base = proc_pick_base(23000, 400, 10, getpid() % 400, 2);
    ASSERT(f->base > 0);
    ASSERT_EQ(proc_testnet(f->root, "DE,FR", f->base, f->m, 2), 2);
    ASSERT_STR_EQ(f->m[0].pm_state, "DE");
}

/* Writes store meta key = text in the home at dir. */
static void
meta_put(const char *dir, const char *key, const char *text)
{
    struct home h;

    ASSERT_OK(home_open(&h, dir, HOME_STORE));
    ASSERT_OK(
        store_meta_set(h.h_store, key, (const uint8_t *)text, strlen(text)));
    home_close(&h);
}

/* The node_run and peer_status a node would write: seen at seen_ms, FR
 * connected (dialed out) and last in sync at sync_ms (0: never). */
static void
record_running(const struct sfx *f, uint64_t seen_ms, uint64_t sync_ms)
{
    char run[200], peers[800], sync[32];

    snprintf(run, sizeof(run),
             "{\"pid\":4242,\"started_ms\":%llu,\"seen_ms\":%llu,"
             "\"stopped_ms\":null}",
             (unsigned long long)(seen_ms - 60 * MIN_MS),
             (unsigned long long)seen_ms);
    if (sync_ms)
        snprintf(sync, sizeof(sync), "%llu", (unsigned long long)sync_ms);
    else
        snprintf(sync, sizeof(sync), "null");
    snprintf(peers, sizeof(peers),
             "[{\"addr\":\"tcp://127.0.0.1:%d\",\"node\":\"%s\",\"state\":"
             "\"FR\",\"connected\":true,\"direction\":\"out\","
             "\"last_sync_ms\":%s,\"strikes\":1,\"banned\":false,"
             "\"entries_in\":5,\"entries_out\":7,\"msgs_in\":9,"
             "\"msgs_out\":11,\"bytes_in\":1000,\"bytes_out\":2000}]",
             f->base + 2, f->m[1].pm_pk, sync);
    meta_put(f->m[0].pm_dir, "node_run", run);
    meta_put(f->m[0].pm_dir, "peer_status", peers);
}

/* app_health of DE at now into *ah (the caller frees it). */
static void
health_at(const struct sfx *f, uint64_t now, struct app_health *ah,
          struct home *h)
{
    struct app_status st;
    struct app_err err;

    ASSERT_OK(home_open(h, f->m[0].pm_dir, HOME_STORE));
    ASSERT_OK(app_status(h, APP_STATUS_MEMBERS, &st, &err));
    ASSERT_OK(app_health(h, &st, now, ah, &err));
    app_status_free(&st);
}

/* The warning with code, or NULL. */
static const struct app_warning *
warning(const struct app_health *ah, const char *code)
{
    for (size_t i = 0; i < ah->ah_nwarnings; i++)
        if (strcmp(ah->ah_warnings[i].aw_code, code) == 0)
            return &ah->ah_warnings[i];
    return NULL;
}

/* ---- app_health: what the node recorded, read at a chosen time ---------- */

static void
health_reads_the_node_tables(void)
{
    struct sfx f;
    struct app_health ah;
    struct home h;
    const struct app_warning *w;
    uint64_t t, now;

    sfx_init(&f, "status-health");
    /* t: a fixed time inside the certificates (not read again) */
    t = now = proc_wall_ms();
    /* nothing recorded: the configured peer, no node: critical */
    health_at(&f, now, &ah, &h);
    ASSERT_EQ(ah.ah_ran, 0);
    ASSERT_EQ(ah.ah_running, 0);
    ASSERT_EQ(ah.ah_recorded, 0);
    ASSERT_EQ(ah.ah_npeers, 1);
    ASSERT_EQ(ah.ah_peers[0].ap_configured, 1);
    ASSERT_EQ(ah.ah_peers[0].ap_synced, 0);
    ASSERT_EQ(ah.ah_level, APP_LEVEL_CRITICAL);
    ASSERT((w = warning(&ah, "node-stopped")));
    ASSERT(strstr(w->aw_msg, "no node has run in this home yet"));
    ASSERT_EQ(ah.ah_has_cert, 1);
    ASSERT(ah.ah_store_bytes > 0);
    ASSERT_EQ(ah.ah_fs_ok, 1);
    app_health_free(&ah);
    home_close(&h);

    /* running, FR in sync a second ago: nothing to do */
    record_running(&f, t, t - 1000);
    meta_put(f.m[0].pm_dir, "rejections",
             "{\"bad-signature\":3,\"too-big\":1}");
    now = t + 2000;
    health_at(&f, now, &ah, &h);
    ASSERT_EQ(ah.ah_running, 1);
    ASSERT_EQ(ah.ah_pid, 4242);
    ASSERT_EQ(ah.ah_recorded, 1);
    ASSERT_EQ(ah.ah_npeers, 1);
    ASSERT_EQ(ah.ah_nconnected, 1);
    ASSERT_STR_EQ(ah.ah_peers[0].ap_state, "FR");
    ASSERT_STR_EQ(ah.ah_peers[0].ap_direction, "out");
    ASSERT_EQ(ah.ah_peers[0].ap_configured, 1);
    ASSERT_EQ(ah.ah_peers[0].ap_lag_ms, 3000);
    ASSERT_EQ(ah.ah_peers[0].ap_strikes, 1);
    ASSERT_EQ(ah.ah_peers[0].ap_entries_in, 5);
    ASSERT_EQ(ah.ah_peers[0].ap_bytes_out, 2000);
    ASSERT_EQ(ah.ah_nrejections, 2);
    ASSERT_STR_EQ(ah.ah_rejections[0].ar_code, "bad-signature");
    ASSERT_EQ(ah.ah_rejections[0].ar_count, 3);
    ASSERT_EQ(ah.ah_rejected, 4);
    ASSERT_EQ(ah.ah_nwarnings, 0);
    ASSERT_EQ(ah.ah_level, APP_LEVEL_OK);
    app_health_free(&ah);
    home_close(&h);

    /* FR last in sync 20 minutes ago: a warning naming the lag */
    record_running(&f, t, t - 20 * MIN_MS);
    health_at(&f, t + 1000, &ah, &h);
    ASSERT_EQ(ah.ah_level, APP_LEVEL_WARNING);
    ASSERT((w = warning(&ah, "peer-lag")));
    ASSERT_EQ(w->aw_level, APP_LEVEL_WARNING);
    ASSERT(strstr(w->aw_msg, "FR "));
    ASSERT(strstr(w->aw_msg, "last in sync 20 min ago"));
    app_health_free(&ah);
    home_close(&h);

    /* connected, never in sync, the node up for an hour: lagging too */
    record_running(&f, t, 0);
    health_at(&f, t, &ah, &h);
    ASSERT((w = warning(&ah, "peer-lag")));
    ASSERT(strstr(w->aw_msg, "never in sync since the node started 60 min"));
    app_health_free(&ah);
    home_close(&h);

    /* not seen for 31 s: not running, the table no longer says connected */
    record_running(&f, t, t);
    health_at(&f, t + 31000, &ah, &h);
    ASSERT_EQ(ah.ah_ran, 1);
    ASSERT_EQ(ah.ah_running, 0);
    ASSERT_EQ(ah.ah_nconnected, 0);
    ASSERT_EQ(ah.ah_peers[0].ap_connected, 0);
    ASSERT((w = warning(&ah, "node-stopped")));
    ASSERT_EQ(w->aw_level, APP_LEVEL_CRITICAL);
    ASSERT(strstr(w->aw_msg, "last seen 31 s ago"));
    app_health_free(&ah);
    home_close(&h);

    /* stopped cleanly */
    meta_put(f.m[0].pm_dir, "node_run",
             "{\"pid\":1,\"started_ms\":1000,\"seen_ms\":5000,"
             "\"stopped_ms\":5000}");
    health_at(&f, t, &ah, &h);
    ASSERT_EQ(ah.ah_running, 0);
    ASSERT_EQ(ah.ah_stopped_ms, 5000);
    ASSERT((w = warning(&ah, "node-stopped")));
    ASSERT(strstr(w->aw_msg, "(stopped "));
    app_health_free(&ah);
    home_close(&h);

    /* running, no peer at all: alone */
    record_running(&f, t, t);
    meta_put(f.m[0].pm_dir, "peer_status", "[]");
    health_at(&f, t, &ah, &h);
    ASSERT_EQ(ah.ah_recorded, 1);
    ASSERT_EQ(ah.ah_npeers, 0);
    ASSERT((w = warning(&ah, "no-peers")));
    ASSERT_EQ(w->aw_level, APP_LEVEL_CRITICAL);
    app_health_free(&ah);
    home_close(&h);

    /* a peer table this binary cannot read: the config instead, no error */
    meta_put(f.m[0].pm_dir, "peer_status", "[{\"addr\":[1]}]");
    health_at(&f, t, &ah, &h);
    ASSERT_EQ(ah.ah_recorded, 0);
    ASSERT_EQ(ah.ah_npeers, 1);
    ASSERT_EQ(ah.ah_peers[0].ap_configured, 1);
    ASSERT_EQ(ah.ah_nconnected, 0);
    ASSERT((w = warning(&ah, "isolated")));
    app_health_free(&ah);
    home_close(&h);
}

static void
health_warns_of_certificates(void)
{
    struct sfx f;
    struct app_health ah;
    struct home h;
    const struct app_warning *w;
    uint64_t until_ms, now;
    char fr_export[700];
    struct cli_out o;

    sfx_init(&f, "status-cert");
    /* FR's certificate reaches DE with FR's log */
    snprintf(fr_export, sizeof(fr_export), "%s/fr.export", f.root);
    ASSERT_EQ(cli_run(&o, "-C", f.m[1].pm_dir, "observe", "--category",
                      "routes", "--summary", "from FR", (char *)NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", f.m[1].pm_dir, "export", "--out", fr_export,
                      (char *)NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(
        cli_run(&o, "-C", f.m[0].pm_dir, "import", fr_export, (char *)NULL), 0);
    cli_out_free(&o);

    ASSERT_OK(home_open(&h, f.m[0].pm_dir, HOME_STORE));
    until_ms = (h.h_cert.c_not_after + 1) * 1000;
    home_close(&h);

    /* ten days (and a bit) before the end: both expire soon */
    now = until_ms - 10 * DAY_MS - 1000;
    record_running(&f, now, now);
    health_at(&f, now, &ah, &h);
    ASSERT_EQ(ah.ah_cert_days, 10);
    ASSERT((w = warning(&ah, "cert-expiring")));
    ASSERT_EQ(w->aw_level, APP_LEVEL_WARNING);
    ASSERT(strstr(w->aw_msg, "(in 10 days)"));
    ASSERT((w = warning(&ah, "member-cert-expiring")));
    ASSERT(strstr(w->aw_msg, "FR's node "));
    ASSERT_EQ(ah.ah_level, APP_LEVEL_WARNING);
    app_health_free(&ah);
    home_close(&h);

    /* 31 days before: nothing yet */
    now = until_ms - 31 * DAY_MS;
    record_running(&f, now, now);
    health_at(&f, now, &ah, &h);
    ASSERT(!warning(&ah, "cert-expiring"));
    ASSERT(!warning(&ah, "member-cert-expiring"));
    ASSERT_EQ(ah.ah_level, APP_LEVEL_OK);
    app_health_free(&ah);
    home_close(&h);

    /* a day after: critical, and the days left negative */
    now = until_ms + DAY_MS;
    record_running(&f, now, now);
    health_at(&f, now, &ah, &h);
    ASSERT((w = warning(&ah, "cert-expired")));
    ASSERT_EQ(w->aw_level, APP_LEVEL_CRITICAL);
    ASSERT(ah.ah_cert_days < 0);
    app_health_free(&ah);
    home_close(&h);
}

/* ---- the command line ---------------------------------------------------- */

static void
status_cli_text_json_and_check(void)
{
    struct sfx f;
    struct cli_out o;
    uint64_t ahead;
    const char *de;

    sfx_init(&f, "status-cli");
    de = f.m[0].pm_dir;
    /* no node has run: shown, exit 0; with --check 4 (critical) */
    ASSERT_EQ(cli_run(&o, "-C", de, "status", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\nprocess    no node has run in this home\n"));
    ASSERT(strstr(o.co_out, "\npeers      1 configured, 0 connected (node "
                            "not running: no sync state)\n"));
    ASSERT(strstr(o.co_out, " down  never "));
    ASSERT(strstr(o.co_out, "\ndisk       store "));
    ASSERT(strstr(o.co_out, "\ncert       valid until "));
    ASSERT(strstr(o.co_out, "\nhealth     critical: 1 to look at\n  critical "
                            "node-stopped: no node has run"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", de, "status", "--check", (char *)NULL), 4);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", de, "status", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\"process\":{\"running\":false,\"pid\":null,"));
    ASSERT(strstr(o.co_out, "\"lag\":[{\"node\":\""));
    ASSERT(strstr(o.co_out, "\"configured\":true,\"link\":null,"
                            "\"last_sync_ms\":null,\"lag_ms\":null}"));
    ASSERT(strstr(o.co_out, "\"health\":\"critical\",\"warnings\":[{\"level\":"
                            "\"critical\",\"code\":\"node-stopped\""));
    /* the peer table as before: bench_converge.sh counts these */
    ASSERT(!strstr(o.co_out, "\"connected\":true"));
    cli_out_free(&o);

    /* running (seen a day ahead: whatever the clock does meanwhile), FR in
     * sync: exit 0 with --check, "ok" */
    ahead = proc_wall_ms() + DAY_MS;
    record_running(&f, ahead, ahead);
    meta_put(de, "rejections", "{\"bad-signature\":2}");
    ASSERT_EQ(cli_run(&o, "-C", de, "status", "--check", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\nprocess    running, pid 4242, since "));
    ASSERT(strstr(o.co_out, "\npeers      1 configured, 1 connected\n"));
    ASSERT(strstr(o.co_out, " FR       "));
    ASSERT(strstr(o.co_out, " out   "));
    ASSERT(strstr(o.co_out, "\nrejected   2 since the node started: "
                            "bad-signature 2\n"));
    ASSERT(strstr(o.co_out, "\nhealth     ok: nothing to do\n"));
    cli_out_free(&o);
    ASSERT_EQ(
        cli_run(&o, "-C", de, "status", "--check", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\"process\":{\"running\":true,\"pid\":4242,"));
    ASSERT(strstr(o.co_out, "\"link\":\"out\""));
    ASSERT(strstr(o.co_out, "\"rejections\":{\"bad-signature\":2}"));
    ASSERT(strstr(o.co_out, "\"health\":\"ok\",\"warnings\":[]}"));
    cli_out_free(&o);

    /* FR last in sync an hour ago: a warning, exit 3 */
    record_running(&f, ahead, proc_wall_ms() - 60 * MIN_MS);
    ASSERT_EQ(cli_run(&o, "-C", de, "status", "--check", (char *)NULL), 3);
    ASSERT(strstr(o.co_out, "\nhealth     warning: 1 to look at\n  warning  "
                            "peer-lag: FR "));
    cli_out_free(&o);
    /* without --check the exit stays 0 */
    ASSERT_EQ(cli_run(&o, "-C", de, "status", (char *)NULL), 0);
    cli_out_free(&o);
    /* an unknown option is a usage error */
    ASSERT_EQ(cli_run(&o, "-C", de, "status", "--chek", (char *)NULL), 2);
    cli_out_free(&o);
}

/* ---- GET /metrics ------------------------------------------------------- */

static int
have_curl(void)
{
    return system("command -v curl >/dev/null 2>&1") == 0;
}

/* curl of base+path with an optional bearer token and extra arguments:
 * the body into out, the status returned (0: curl failed). */
static int
curl(const char *base, const char *token, const char *extra, const char *path,
     char *out, size_t cap)
{
    char hdr[200] = "", *nl;

    if (token)
        snprintf(hdr, sizeof(hdr), "-H 'Authorization: Bearer %s'", token);
    if (proc_run(out, cap, "curl -s -m 20 %s %s -w '\\n%%{http_code}' '%s%s'",
                 hdr, extra ? extra : "", base, path) != 0 ||
        !(nl = strrchr(out, '\n')))
        return 0;
    *nl = 0;
    return atoi(nl + 1);
}

/* Every line is a comment or NAME[{LABELS}] VALUE, and every sample's
 * family was announced by HELP and TYPE lines before it. */
static void
assert_exposition(const char *text)
{
    char fam[64] = "";
    const char *l = text;

    while (*l) {
        const char *e = strchr(l, '\n');
        size_t n;
        ASSERT(e); /* every line ends with a newline */
        n = (size_t)(e - l);
        if (strncmp(l, "# HELP ", 7) == 0) {
            size_t k = strcspn(l + 7, " ");
            ASSERT(k < sizeof(fam));
            snprintf(fam, sizeof(fam), "%.*s", (int)k, l + 7);
        } else if (strncmp(l, "# TYPE ", 7) == 0) {
            ASSERT(strncmp(l + 7, fam, strlen(fam)) == 0);
            ASSERT(strncmp(e - 6, " gauge", 6) == 0 ||
                   strncmp(e - 8, " counter", 8) == 0);
        } else {
            size_t k = strcspn(l, "{ ");
            const char *v = memchr(l, ' ', n);
            ASSERT(fam[0] && k == strlen(fam) && strncmp(l, fam, k) == 0);
            ASSERT(v && v + 1 < e);
            for (const char *c = v + 1; c < e; c++)
                ASSERT(*c >= '0' && *c <= '9');
        }
        l = e + 1;
    }
}

static void
metrics_endpoint(void)
{
    static char out[1 << 17];
    struct sfx f;
    char addr[64], log[600], flog[600], url[300], base[128], token[65],
        want[300];
    const char *args[] = {"--http", addr, NULL};
    pid_t de, fr;
    char *h;
    int st, ok = 0;

    if (!have_curl()) {
        printf("SKIP metrics_endpoint: curl is not installed\n");
        return;
    }
    sfx_init(&f, "status-metrics");
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", f.base + 9);
    snprintf(log, sizeof(log), "%s/de.log", f.root);
    snprintf(flog, sizeof(flog), "%s/fr.log", f.root);
    de = proc_node_spawn(f.m[0].pm_dir, log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(de > 0);
    fr = proc_node_spawn(f.m[1].pm_dir, flog, PROC_LOG_TRUNC, NULL, NULL);
    ASSERT(fr > 0);
    ASSERT_EQ(proc_wait_http(log, url, sizeof(url), 10000), 0);
    ASSERT((h = strstr(url, "#token=")));
    snprintf(token, sizeof(token), "%s", h + 7);
    snprintf(base, sizeof(base), "%.*s", (int)(h - url - 1), url);

    /* a token is required */
    ASSERT_EQ(curl(base, NULL, NULL, "/metrics", out, sizeof(out)), 401);
    ASSERT_EQ(curl(base, "00", NULL, "/metrics", out, sizeof(out)), 401);
    /* another Host is refused before anything else */
    ASSERT_EQ(curl(base, token, "-H 'Host: evil.example:80'", "/metrics", out,
                   sizeof(out)),
              421);

    /* wait (generously) until DE records FR connected */
    snprintf(want, sizeof(want),
             "ilonet_peer_connected{node=\"%s\",state=\"FR\",addr=\"tcp://"
             "127.0.0.1:%d\"} 1\n",
             f.m[1].pm_pk, f.base + 2);
    for (uint64_t end = proc_mono_ms() + 20000; proc_mono_ms() < end;) {
        ASSERT_EQ(curl(base, token, NULL, "/metrics", out, sizeof(out)), 200);
        if ((ok = strstr(out, want) != NULL))
            break;
        proc_sleep_ms(200);
    }
    ASSERT(ok);
    assert_exposition(out);
    ASSERT(strstr(out, "# TYPE ilonet_up gauge\nilonet_up 1\n"));
    ASSERT(strstr(out, "\nilonet_entries 0\n"));
    ASSERT(strstr(out, "\nilonet_peers_configured 1\n"));
    ASSERT(strstr(out, "\nilonet_peers_connected 1\n"));
    ASSERT(strstr(out, "\nilonet_evidence 0\n"));
    ASSERT(strstr(out, "\nilonet_health 0\n"));
    ASSERT(strstr(out, "\nilonet_store_bytes{file=\"store.db\"} "));
    ASSERT(strstr(out, "\nilonet_cert_expiry_timestamp_seconds "));
    ASSERT(strstr(out, "# TYPE ilonet_rejections_total counter\n"));
    ASSERT(strstr(out, "ilonet_peer_bytes_received_total{node=\""));

    /* the Content-Type of the text format */
    ASSERT_EQ(curl(base, token, "-D -", "/metrics", out, sizeof(out)), 200);
    ASSERT(strstr(out, "Content-Type: text/plain; version=0.0.4; "
                       "charset=utf-8\r\n"));

    /* an entry written on FR is counted once it arrived */
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "%s -C %s observe --category routes --summary m",
                       proc_bin(), f.m[1].pm_dir),
              0);
    ok = 0;
    for (uint64_t end = proc_mono_ms() + 20000; proc_mono_ms() < end;) {
        ASSERT_EQ(curl(base, token, NULL, "/metrics", out, sizeof(out)), 200);
        if ((ok = strstr(out, "\nilonet_audience_entries{audience=\"net\"} "
                              "2\n") != NULL))
            break;
        proc_sleep_ms(200);
    }
    ASSERT(ok);
    ASSERT(strstr(out, "\nilonet_entries 2\n"));

    /* FR writes an entry dated two hours ahead: DE holds it back, counts
     * it among what peers sent by its code, and warns */
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "ILONET_CLOCK_OFFSET_MS=7200000 %s -C %s observe "
                       "--category routes --summary ahead",
                       proc_bin(), f.m[1].pm_dir),
              0);
    ok = 0;
    for (uint64_t end = proc_mono_ms() + 20000; proc_mono_ms() < end;) {
        ASSERT_EQ(curl(base, token, NULL, "/metrics", out, sizeof(out)), 200);
        if ((ok = strstr(out,
                         "\nilonet_rejections_total{code=\"future-timestamp\"} "
                         "1\n") != NULL))
            break;
        proc_sleep_ms(200);
    }
    ASSERT(ok);
    assert_exposition(out);
    ASSERT(strstr(out, "\nilonet_quarantine 1\n"));
    ASSERT(strstr(out, "\nilonet_health 1\n"));
    ASSERT(strstr(out, "\nilonet_warnings{level=\"warning\"} 1\n"));
    /* the page's status says the same */
    ASSERT_EQ(curl(base, token, NULL, "/api/status", out, sizeof(out)), 200);
    ASSERT(strstr(out, "\"running\":true,\"health\":\"warning\","
                       "\"warnings\":[{\"level\":\"warning\",\"code\":"
                       "\"quarantine\",\"message\":\"1 entries held back"));
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s status --check", proc_bin(),
                       f.m[0].pm_dir),
              3);
    ASSERT(strstr(
        out, "\nrejected   1 since the node started: future-timestamp 1\n"));
    ASSERT(strstr(out, "\n  warning  quarantine: 1 entries held back"));

    /* attached files: none, then DE's own file held, its bytes the same
     * as status --json's */
    ASSERT_EQ(curl(base, token, NULL, "/metrics", out, sizeof(out)), 200);
    ASSERT(strstr(out, "\nilonet_blobs{state=\"held\"} 0\n"));
    ASSERT(strstr(out, "\nilonet_blob_bytes 0\n"));
    {
        char file[700], rec[80], *p;
        unsigned long long bytes = 0, sbytes = 0;
        FILE *fp;

        snprintf(file, sizeof(file), "%s/notice.txt", f.root);
        ASSERT((fp = fopen(file, "w")) != NULL);
        for (int i = 0; i < 2000; i++)
            fprintf(fp, "carrier notice line %d\n", i);
        fclose(fp);
        ASSERT_EQ(proc_run(out, sizeof(out),
                           "%s -C %s observe --category routes --summary n",
                           proc_bin(), f.m[0].pm_dir),
                  0);
        ASSERT_EQ(sscanf(out, "%64s", rec), 1);
        ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s attach %s --to %s",
                           proc_bin(), f.m[0].pm_dir, file, rec),
                  0);
        ASSERT_EQ(curl(base, token, NULL, "/metrics", out, sizeof(out)), 200);
        assert_exposition(out);
        ASSERT(strstr(out, "# TYPE ilonet_blobs gauge\n"));
        ASSERT(strstr(out, "\nilonet_blobs{state=\"held\"} 1\n"));
        ASSERT(strstr(out, "\nilonet_blobs{state=\"staged\"} 0\n"));
        ASSERT((p = strstr(out, "\nilonet_blob_bytes ")));
        bytes = strtoull(p + 19, NULL, 10);
        ASSERT(bytes > 2000 * 20); /* the sealed file, at least its size */
        ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s status --json",
                           proc_bin(), f.m[0].pm_dir),
                  0);
        ASSERT((p = strstr(out, "\"blobs\":{\"held\":1,")));
        ASSERT((p = strstr(p, "\"bytes\":")));
        sbytes = strtoull(p + 8, NULL, 10);
        ASSERT_EQ(sbytes, bytes);
    }

    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s status --check", proc_bin(),
                       f.m[0].pm_dir),
              3);
    ASSERT_EQ(proc_reap(fr, SIGTERM, &st), fr);
    ASSERT_EQ(proc_reap(de, SIGTERM, &st), de);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* a clean stop is recorded: stopped, not "running" */
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s status", proc_bin(),
                       f.m[0].pm_dir),
              0);
    ASSERT(strstr(out, "\nprocess    stopped "));
    proc_kill_all();
}

TEST_LIST = {
    TEST(health_reads_the_node_tables),
    TEST(health_warns_of_certificates),
    TEST(status_cli_text_json_and_check),
    TEST(metrics_endpoint),
};

TEST_MAIN()
