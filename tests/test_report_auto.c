/* test_report_auto.c - automatic attestation by running nodes (issue 14,
 * item 6): with "report-auto-attest on" every node attests the last closed
 * period's report once its view has settled, again when the report
 * changes; with it off a node attests nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "crypto/error.h"
#include "node/home.h"
#include "node/node_int.h"
#include "proc.h"
#include "test.h"

#define NODES 3
#define WAIT_MS 90000 /* a cap for the wanted state, not a measurement */

struct anet {
    char root[512];
    int n;
    struct proc_member m[NODES];
    char log[NODES][PROC_LOG_MAX];
    pid_t pid[NODES];
    char period[REPORT_PERIOD_MAX + 1];
};

/* Three members (DE, FR and the Commission) of a 377-2004 network; on[i]
 * turns node i's automatic attestation on (quiet interval 1 s). */
static void
anet_create(struct anet *t, const char *tag, const int on[NODES])
{
    char *tmp = test_tmpdir(tag);
    int base = proc_pick_base(21000, 600, 10, (int)(getpid() % 600), NODES);

    ASSERT_GE(base, 0);
    memset(t, 0, sizeof(*t));
    snprintf(t->root, sizeof(t->root), "%s/net", tmp);
    free(tmp);
    ASSERT_EQ(proc_testnet(t->root, "DE,FR,EU", base, t->m, NODES), NODES);
    t->n = NODES;
    for (int i = 0; i < t->n; i++) {
        char path[600];
        FILE *f;
        size_t k = strlen(t->m[i].pm_dir);

        /* memcpy: both are members of *t (snprintf's restrict) */
        ASSERT(k + 5 <= sizeof(t->log[i]));
        memcpy(t->log[i], t->m[i].pm_dir, k);
        memcpy(t->log[i] + k, ".log", 5);
        snprintf(path, sizeof(path), "%s/config", t->m[i].pm_dir);
        ASSERT((f = fopen(path, "a")));
        fprintf(f, "report-auto-attest %s\nreport-attest-quiet 1\n",
                on[i] ? "on" : "off");
        fclose(f);
    }
    /* the period the nodes will attest: the last one that ended */
    node__attest_last_period(proc_wall_ms(), "semester", t->period);
}

/* A day in the middle of t's period (YYYY-MM-DD), for event dates. */
static void
anet_day(const struct anet *t, const char *dd, char out[11])
{
    snprintf(out, 11, "%.4s-%s-%s", t->period,
             t->period[6] == '1' ? "03" : "09", dd);
}

/* An observation of state's node with an event date in t's period. */
static void
anet_observe(const struct anet *t, int i, const char *summary)
{
    char day[11];

    anet_day(t, "10", day);
    if (proc_run(NULL, 0,
                 "%s -C %s observe --category routes --summary '%s' "
                 "--period %s..%s",
                 proc_bin(), t->m[i].pm_dir, summary, day, day) != 0)
        TEST_FAIL_("observe by %s failed", t->m[i].pm_state);
}

static void
anet_start(struct anet *t)
{
    ASSERT_EQ(proc_nodes_start(t->m, t->log, t->n, t->pid), 0);
}

static void
anet_stop(struct anet *t)
{
    proc_nodes_stop(t->pid, t->n);
}

/* Node i's report of t's period (md) into path; the number of
 * attestations of the same hash and of another one, and the report hash. */
static void
anet_annex(const struct anet *t, int i, const char *path, int *same,
           int *differ, char hash[65])
{
    static char doc[1 << 18];
    FILE *f;
    size_t n;
    const char *p;

    *same = *differ = 0;
    hash[0] = '\0';
    if (proc_run(NULL, 0, "%s -C %s report --period %s --out %s", proc_bin(),
                 t->m[i].pm_dir, t->period, path) != 0)
        TEST_FAIL_("report from %s failed", t->m[i].pm_state);
    ASSERT((f = fopen(path, "rb")));
    n = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (p = doc; (p = strstr(p, "same as this document")); p++)
        (*same)++;
    for (p = doc; (p = strstr(p, "DIFFERENT")); p++)
        (*differ)++;
    if ((p = strstr(doc, "\nreport ")) && strlen(p) > 8 + 64)
        snprintf(hash, 65, "%.64s", p + 8);
}

/* Waits until every node's final annex lists want attestations, all of
 * the hash that node builds, the same hash on every node and not old (""
 * for any); into hash. */
static void
anet_wait_attested(const struct anet *t, int want, const char *old,
                   char hash[65])
{
    uint64_t t0 = proc_mono_ms();
    char path[700];

    for (;;) {
        char h0[65] = "", h[65];
        int ok = 1, same = 0, differ = 0;

        for (int i = 0; i < t->n && ok; i++) {
            snprintf(path, sizeof(path), "%s/%s.md", t->root, t->m[i].pm_state);
            anet_annex(t, i, path, &same, &differ, h);
            ok = same == want && differ == 0 && h[0];
            if (ok && !h0[0])
                snprintf(h0, sizeof(h0), "%s", h);
            ok = ok && strcmp(h, h0) == 0 && strcmp(h, old) != 0;
        }
        if (ok) {
            snprintf(hash, 65, "%s", h0);
            return;
        }
        if (proc_mono_ms() - t0 > WAIT_MS) {
            for (int i = 0; i < t->n; i++) {
                snprintf(path, sizeof(path), "%s/%s.md", t->root,
                         t->m[i].pm_state);
                anet_annex(t, i, path, &same, &differ, h);
                fprintf(stderr, "  %s: %d same, %d different, report %.16s\n",
                        t->m[i].pm_state, same, differ, h);
            }
            TEST_FAIL_("the nodes did not all attest one hash within %d ms",
                       WAIT_MS);
        }
        proc_sleep_ms(300);
    }
}

/* Node i's log names each report hash it attested for t's period at most
 * once (one attestation per (period, report hash)); the count into *n. */
static void
anet_attested_once(const struct anet *t, int i, int *n)
{
    static char logbuf[1 << 18];
    char seen[16][17], want[64];
    int ns = 0;
    size_t len;
    FILE *f;

    ASSERT((f = fopen(t->log[i], "rb")));
    len = fread(logbuf, 1, sizeof(logbuf) - 1, f);
    fclose(f);
    logbuf[len] = '\0';
    snprintf(want, sizeof(want), "report: attested %s, report ", t->period);
    for (const char *p = logbuf; (p = strstr(p, want)); p++) {
        char h[17];

        snprintf(h, sizeof(h), "%.16s", p + strlen(want));
        for (int k = 0; k < ns; k++)
            if (strcmp(seen[k], h) == 0)
                TEST_FAIL_("%s attested report %s twice", t->m[i].pm_state, h);
        ASSERT(ns < 16);
        memcpy(seen[ns++], h, sizeof(h));
    }
    *n = ns;
}

/* The period before the one a date is in, of either kind. */
static void
last_period_of_each_kind(void)
{
    char p[REPORT_PERIOD_MAX + 1];
    uint64_t from, to;

    ASSERT_OK(report_period_parse("2026-H2", &from, &to));
    node__attest_last_period(from, "semester", p);
    ASSERT_STR_EQ(p, "2026-H1");
    node__attest_last_period(to - 1, "semester", p);
    ASSERT_STR_EQ(p, "2026-H1");
    node__attest_last_period(from - 1, "semester", p);
    ASSERT_STR_EQ(p, "2025-H2");
    node__attest_last_period(from, "year", p);
    ASSERT_STR_EQ(p, "2025");
    node__attest_last_period(to, "year", p);
    ASSERT_STR_EQ(p, "2026");
}

/* The config keys: on/off, a quiet interval in seconds; anything else
 * refuses the file. */
static void
config_keys_parse_and_round_trip(void)
{
    char *dir = test_tmpdir("auto-config"), path[600];
    struct home_config c, back;
    FILE *f;

    snprintf(path, sizeof(path), "%s/config", dir);
    ASSERT((f = fopen(path, "w")));
    fputs("report-auto-attest on\nreport-attest-quiet 90\n", f);
    fclose(f);
    ASSERT_OK(home_config_load(path, &c));
    ASSERT_EQ(c.hc_auto_attest, 1);
    ASSERT_EQ(c.hc_attest_quiet_s, 90);
    ASSERT_OK(home_config_save(path, &c));
    ASSERT_OK(home_config_load(path, &back));
    ASSERT_EQ(back.hc_auto_attest, 1);
    ASSERT_EQ(back.hc_attest_quiet_s, 90);
    static const char *const bad[] = {
        "report-auto-attest yes\n", "report-auto-attest\n",
        "report-attest-quiet 0\n", "report-attest-quiet 86401\n",
        "report-attest-quiet 5s\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT((f = fopen(path, "w")));
        fputs(bad[i], f);
        fclose(f);
        if (home_config_load(path, &c) != ILONET_EMALFORMED)
            TEST_FAIL_("config line %s was accepted", bad[i]);
    }
    ASSERT((f = fopen(path, "w")));
    fputs("report-auto-attest off\n", f);
    fclose(f);
    ASSERT_OK(home_config_load(path, &c));
    ASSERT_EQ(c.hc_auto_attest, 0);
    ASSERT_EQ(c.hc_attest_quiet_s, 0);
    free(dir);
}

/* Three nodes with the setting on: after sync and the quiet interval each
 * has attested the last closed period, all with the same hash, which
 * `report verify` accepts; a new entry for the period changes the report,
 * and every node attests the new hash (the latest per member counts). */
static void
three_nodes_attest_once_settled(void)
{
    static const int on[NODES] = {1, 1, 1};
    struct anet t;
    char first[65], second[65], out[4096], path[700];

    anet_create(&t, "auto-on", on);
    anet_observe(&t, 0, "Edirne route reopened");
    anet_start(&t);
    anet_wait_attested(&t, NODES, "", first);
    for (int i = 0; i < t.n; i++) {
        char want[64];
        snprintf(want, sizeof(want), "report: attested %s", t.period);
        ASSERT(proc_file_has(t.log[i], want));
    }
    snprintf(path, sizeof(path), "%s/%s.md", t.root, t.m[0].pm_state);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s report verify %s",
                       proc_bin(), t.m[2].pm_dir, path),
              0);
    ASSERT(strstr(out, "body ok"));
    ASSERT(strstr(out, "attested by 3 members: DE,EU,FR\n"));
    ASSERT(!strstr(out, "another hash"));
    /* the view changes: every node attests again, with the new hash */
    anet_observe(&t, 1, "Van route closed");
    anet_wait_attested(&t, NODES, first, second);
    ASSERT(strcmp(second, first) != 0);
    for (int i = 0; i < t.n; i++) {
        int n;
        anet_attested_once(&t, i, &n);
        ASSERT_GE(n, 2); /* the first hash and the second at least */
    }
    anet_stop(&t);
}

/* The setting off: no attestation by that node. DE has it on, FR and the
 * Commission off; once DE's attestation reached them (their views settled
 * at least as long as DE's) the annex still lists DE's alone. */
static void
setting_off_attests_nothing(void)
{
    static const int on[NODES] = {1, 0, 0};
    struct anet t;
    char hash[65];

    anet_create(&t, "auto-off", on);
    ASSERT_STR_EQ(t.m[0].pm_state, "DE");
    anet_observe(&t, 1, "Edirne route reopened");
    anet_start(&t);
    anet_wait_attested(&t, 1, "", hash);
    ASSERT(proc_file_has(t.log[0], "automatic attestation on"));
    for (int i = 1; i < t.n; i++) {
        ASSERT(!proc_file_has(t.log[i], "automatic attestation on"));
        ASSERT(!proc_file_has(t.log[i], "report: attested"));
    }
    anet_stop(&t);
}

TEST_LIST = {
    TEST(last_period_of_each_kind),
    TEST(config_keys_parse_and_round_trip),
    TEST(three_nodes_attest_once_settled),
    TEST(setting_off_attests_nothing),
};

TEST_MAIN()
