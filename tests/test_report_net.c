/* test_report_net.c - reproducibility of the report (issue 14, items 6 and 7):
 * a network of five Member States and the Commission syncs over TCP, then every
 * node produces byte-identical md, html and json for both regimes, a restricted
 * canary absent from every body; every node attests the same hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "node/report/report.h"
#include "proc.h"
#include "test.h"

#define NODES 6
#define CONVERGE_MS 60000
#define CANARY "Canary-Restricted-5e1d"

struct rnet {
    char root[512];
    int n;
    struct proc_member m[NODES];
    char log[NODES][PROC_LOG_MAX];
    pid_t pid[NODES];
};

/* Creates the network of regime (five Member States and the Commission,
 * EU) on free ports; nodes are not started. */
static void
rnet_create(struct rnet *t, const char *tag, const char *regime)
{
    char *tmp = test_tmpdir(tag), out[8192], *line, *save = NULL;
    int base = proc_pick_base(20000, 600, 20, (int)(getpid() % 600), NODES);

    ASSERT_GE(base, 0);
    memset(t, 0, sizeof(*t));
    snprintf(t->root, sizeof(t->root), "%s/net", tmp);
    free(tmp);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "%s testnet --host TR --states DE,ES,FR,IT,NL,EU "
                       "--out %s --base-port %d --regime %s",
                       proc_bin(), t->root, base, regime),
              0);
    for (line = strtok_r(out, "\n", &save); line && t->n < NODES;
         line = strtok_r(NULL, "\n", &save)) {
        struct proc_member *m = &t->m[t->n];
        char url[128];

        if (sscanf(line, "%511s %15s %64s %127s", m->pm_dir, m->pm_state,
                   m->pm_pk, url) == 4) {
            size_t k = strlen(m->pm_dir);

            memcpy(t->log[t->n], m->pm_dir, k);
            memcpy(t->log[t->n] + k, ".log", 5);
            t->n++;
        }
    }
    ASSERT_EQ(t->n, NODES);
}

/* The home of state. */
static const char *
rnet_dir(const struct rnet *t, const char *state)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->m[i].pm_state, state) == 0)
            return t->m[i].pm_dir;
    TEST_FAIL_("no node of %s", state);
    return NULL;
}

/* Runs `ilonet -C (state's home) ARGS` and requires exit status 0. */
#define RN_OK(t, state, ...)                                                   \
    do {                                                                       \
        if (proc_run(NULL, 0, "%s -C %s " __VA_ARGS__) != 0)                   \
            TEST_FAIL_("ilonet -C %s failed", state);                          \
    } while (0)

static void
rnet_start(struct rnet *t)
{
    ASSERT_EQ(proc_nodes_start(t->m, t->log, t->n, t->pid), 0);
}

static void
rnet_stop(struct rnet *t)
{
    proc_nodes_stop(t->pid, t->n);
}

/* The `net` view hash of node i (status --json "view_hashes"), "" when
 * it has none yet. */
static void
rnet_net_hash(const struct rnet *t, int i, char out[65])
{
    static char js[1 << 17];
    const char *v;

    out[0] = '\0';
    if (proc_status_json(t->m[i].pm_dir, js, sizeof(js)) != 0)
        return;
    if (!(v = strstr(js, "\"view_hashes\":{")))
        return;
    proc_json_str(v, "net", out, 65);
}

/* Polls until every node shows the same `net` view hash and the entries
 * of want_logs net logs (each node's own net log at least). */
static void
rnet_wait_net(const struct rnet *t)
{
    uint64_t t0 = proc_mono_ms();

    for (;;) {
        char h0[65], h[65];
        int ok;

        rnet_net_hash(t, 0, h0);
        ok = h0[0] != '\0';
        for (int i = 1; i < t->n && ok; i++) {
            rnet_net_hash(t, i, h);
            ok = strcmp(h, h0) == 0;
        }
        if (ok)
            return;
        if (proc_mono_ms() - t0 > CONVERGE_MS) {
            for (int i = 0; i < t->n; i++) {
                rnet_net_hash(t, i, h);
                fprintf(stderr, "  %s: net view %.16s\n", t->m[i].pm_state, h);
            }
            TEST_FAIL_("the net views did not converge in %d ms", CONVERGE_MS);
        }
        proc_sleep_ms(200);
    }
}

/* The body of a report file: everything before its annexes (what the
 * report's hash covers, docs/REPORTS.md). */
static size_t
rnet_body_len(const char *doc, const char *fmt)
{
    const char *m = strcmp(fmt, "json") == 0 ? strstr(doc, ",\"final_annex\":")
                                             : strstr(doc, "<!-- ilonet:annex");
    ASSERT(m);
    return (size_t)(m - doc);
}

/* Writes every node's report of sem in fmt to ROOT/STATE.FMT, and checks
 * they are byte for byte the same (whole files when whole, else the
 * bodies) and that the canary is in none. */
static void
rnet_reports_agree(const struct rnet *t, const char *sem, int whole)
{
    static const char *const fmts[] = {"md", "html", "json"};

    for (int f = 0; f < 3; f++) {
        char *first = NULL;
        size_t flen = 0;

        for (int i = 0; i < t->n; i++) {
            char path[700];
            char *doc;
            size_t blen;

            snprintf(path, sizeof(path), "%s/%s.%s", t->root, t->m[i].pm_state,
                     fmts[f]);
            if (proc_run(NULL, 0,
                         "%s -C %s report --period %s --format %s --out %s",
                         proc_bin(), t->m[i].pm_dir, sem, fmts[f], path) != 0)
                TEST_FAIL_("report from %s failed", t->m[i].pm_state);
            ASSERT((doc = fx_read_text(path)) != NULL);
            blen = whole ? strlen(doc) : rnet_body_len(doc, fmts[f]);
            if (strstr(doc, CANARY))
                TEST_FAIL_("%s report of %s holds the restricted canary",
                           fmts[f], t->m[i].pm_state);
            if (!first) {
                first = doc;
                flen = blen;
                continue;
            }
            if (blen != flen || memcmp(doc, first, blen) != 0)
                TEST_FAIL_("%s report of %s differs from %s's", fmts[f],
                           t->m[i].pm_state, t->m[0].pm_state);
            free(doc);
        }
        free(first);
    }
}

/* Records of every kind the body shows, and restricted ones with the
 * canary: a meeting without the Commission and a task between two
 * states. */
static void
rnet_record(const struct rnet *t, const char *regime, const char *today)
{
    const char *bin = proc_bin();

    if (strcmp(regime, "2019-1240") == 0)
        RN_OK(t, "DE", "chair add --role chair --state DE --from %s", bin,
              rnet_dir(t, "DE"), today);
    RN_OK(t, "DE",
          "observe --category flows --summary 'Arrivals via Van rising' "
          "--figure 120 --unit persons --nationality AF --reliability B "
          "--period %s..%s",
          bin, rnet_dir(t, "DE"), today, today);
    RN_OK(t, "ES",
          "observe --category routes --summary 'Edirne route reopened' "
          "--period %s..%s",
          bin, rnet_dir(t, "ES"), today, today);
    RN_OK(t, "IT",
          "meeting add --date %s --place Ankara --convenor IT "
          "--participants DE,ES,FR,IT,NL,EU --commission present "
          "--topics 'risk analysis'",
          bin, rnet_dir(t, "IT"), today);
    RN_OK(t, "FR",
          "meeting add --date %s --place %s --convenor FR "
          "--participants DE,FR,NL --commission excluded "
          "--exclusion investigation --topics %s",
          bin, rnet_dir(t, "FR"), today, CANARY, CANARY);
    RN_OK(t, "NL", "task create --for DE --title %s --detail %s", bin,
          rnet_dir(t, "NL"), CANARY, CANARY);
    RN_OK(t, "EU",
          "contact add --date %s --type authority --counterpart "
          "'Directorate General of Migration Management' --place Ankara "
          "--summary 'Return cooperation'",
          bin, rnet_dir(t, "EU"), today);
}

/* `report verify` (offline, another member's home) on each format: the
 * six attestations check; an altered body or attestation is caught. */
static void
rnet_verify(const struct rnet *t, const char *md)
{
    static const char *const fmts[] = {"md", "html", "json"};
    char out[4096], path[700], *doc, *nl;
    FILE *f;

    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s.%s", t->root, t->m[0].pm_state,
                 fmts[i]);
        ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s report verify %s",
                           proc_bin(), t->m[t->n - 1].pm_dir, path),
                  0);
        ASSERT(strstr(out, "body ok"));
        ASSERT(strstr(out, "attested by 6 members: DE,ES,EU,FR,IT,NL\n"));
        ASSERT(!strstr(out, "another hash"));
        ASSERT(!strstr(out, "did not check"));
    }
    /* a changed word of the body */
    doc = strdup(md);
    ASSERT(doc);
    ASSERT(strstr(doc, "Edirne route reopened"));
    memcpy(strstr(doc, "Edirne route reopened"), "Edirne route REOPENED", 21);
    snprintf(path, sizeof(path), "%s/altered.md", t->root);
    f = fopen(path, "w");
    ASSERT(f);
    fputs(doc, f);
    fclose(f);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s report verify %s 2>&1",
                       proc_bin(), t->m[1].pm_dir, path),
              1);
    ASSERT(strstr(out, "body altered"));
    /* a changed byte of one attestation's payload: it no longer checks */
    snprintf(doc, strlen(md) + 1, "%s", md);
    ASSERT((nl = strstr(doc, "\nattest ")));
    nl = strchr(nl + 1, '\n');
    ASSERT(nl);
    nl[-1] = nl[-1] == '0' ? '1' : '0';
    f = fopen(path, "w");
    ASSERT(f);
    fputs(doc, f);
    fclose(f);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s report verify %s",
                       proc_bin(), t->m[1].pm_dir, path),
              0);
    ASSERT(strstr(out, "attested by 5 members"));
    ASSERT(strstr(out, "1 attestation did not check"));
    free(doc);
}

/* Every node attests; after sync the final annex of every node lists the
 * six attestations of the same hash, and the body is unchanged. */
static void
rnet_attest(struct rnet *t, const char *sem)
{
    char out[4096], rep[65], first[65] = "";

    for (int i = 0; i < t->n; i++) {
        ASSERT_EQ(proc_run(out, sizeof(out),
                           "%s -C %s report attest --period %s --json",
                           proc_bin(), t->m[i].pm_dir, sem),
                  0);
        ASSERT_EQ(proc_json_str(out, "report", rep, sizeof(rep)), 0);
        if (!first[0])
            snprintf(first, sizeof(first), "%s", rep);
        ASSERT_STR_EQ(rep, first);
    }
    rnet_wait_net(t);
    rnet_reports_agree(t, sem, 1);
    {
        char path[700], want[200];
        char *doc;

        snprintf(path, sizeof(path), "%s/%s.md", t->root, t->m[0].pm_state);
        ASSERT((doc = fx_read_text(path)) != NULL);
        snprintf(want, sizeof(want), "**Attestations** (%d):", NODES);
        ASSERT(strstr(doc, want));
        ASSERT(strstr(doc, first));
        ASSERT(!strstr(doc, "DIFFERENT"));
        rnet_verify(t, doc);
        {
            int k = 0;
            for (const char *p = doc; (p = strstr(p, "same as this document"));
                 p++)
                k++;
            ASSERT_EQ(k, NODES);
        }
        free(doc);
    }
}

static void
rnet_case(const char *tag, const char *regime)
{
    struct rnet t;
    char today[11], sem[8];

    report_date_of(proc_wall_ms(), today);
    report_semester_of(proc_wall_ms(), sem);
    rnet_create(&t, tag, regime);
    rnet_record(&t, regime, today);
    rnet_start(&t);
    rnet_wait_net(&t);
    rnet_reports_agree(&t, sem, 1);
    rnet_attest(&t, sem);
    rnet_stop(&t);
}

static void
five_states_and_commission_agree_377(void)
{
    rnet_case("rnet-377", "377-2004");
}

static void
five_states_and_commission_agree_2019(void)
{
    rnet_case("rnet-2019", "2019-1240");
}

TEST_LIST = {
    TEST(five_states_and_commission_agree_377),
    TEST(five_states_and_commission_agree_2019),
};

TEST_MAIN()
