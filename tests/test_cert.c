/* test_cert.c - `ilonet cert revoke`: the default --from (issue 12 item 4). */
/*
 * A testnet of DE, FR and AT is made with the binary under test
 * (ILONET_BIN). DE's entries reach FR and AT by export and import. DE's
 * key is then revoked on FR without --from (the default: just after DE's
 * newest good entry FR holds) and on AT with --from now. A copy of DE's
 * key writes, in a new log, an entry dated between the two: FR refuses
 * it, AT (the old default) takes it. Times come from
 * ILONET_CLOCK_OFFSET_MS (the test-only clock offset), an hour apart, so
 * nothing depends on how fast the machine is.
 */
#include <stdarg.h>

#include "cli.h"
#include "crypto/error.h"
#include "crypto/hash.h"
#include "node/app/app.h"
#include "proc.h"
#include "test.h"

#define HOUR "3600000"
#define HALF_HOUR "1800000"

/* `ENV ilonet ARGS`: stdout into out, stderr into err (either may be NULL);
 * the exit status. */
static int
il(char *out, size_t cap, char *err, size_t ecap, const char *env,
   const char *fmt, ...)
{
    static char errf[700];
    char args[4096];
    va_list ap;
    int rc;

    if (!errf[0]) {
        char *tmp = test_tmpdir("cert-err");
        snprintf(errf, sizeof(errf), "%s/stderr", tmp);
        free(tmp);
    }
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    rc = proc_run(out, cap, "%s '%s' %s 2>'%s'", env, proc_bin(), args, errf);
    if (err && proc_run(err, ecap, "cat '%s'", errf) != 0)
        err[0] = 0;
    return rc;
}

/* The summaries of the observations in home's view, sorted, one a line. */
static void
summaries(const char *home, char *out, size_t cap)
{
    ASSERT_EQ(il(out, cap, NULL, 0, "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s query \"SELECT summary FROM observations ORDER BY "
                 "summary\"",
                 home),
              0);
}

static void
revoke_default_from_cuts_backdated_entries(void)
{
    char *tmp = test_tmpdir("cert-revoke"), root[600], out[16384], err[2048];
    char want[128], depk[65];
    struct proc_member m[3];
    long long newest;
    const char *t;

    snprintf(root, sizeof(root), "%s/net", tmp);
    free(tmp);
    ASSERT_EQ(
        proc_testnet(root, "DE,FR,AT", proc_pid_base(25000, 400, 10), m, 3), 3);
    snprintf(depk, sizeof(depk), "%s", m[0].pm_pk);
    ASSERT_EQ(il(NULL, 0, NULL, 0, "",
                 "-C %s/DE observe --category routes --summary good-1", root),
              0);
    ASSERT_EQ(il(NULL, 0, NULL, 0, "",
                 "-C %s/DE observe --category routes --summary good-2", root),
              0);
    ASSERT_EQ(
        il(NULL, 0, NULL, 0, "", "-C %s/DE export --out %s/de1", root, root),
        0);
    ASSERT_EQ(il(NULL, 0, NULL, 0, "", "-C %s/FR import %s/de1", root, root),
              0);
    ASSERT_EQ(il(NULL, 0, NULL, 0, "", "-C %s/AT import %s/de1", root, root),
              0);
    /* DE's newest entry as FR holds it: the head of its net log */
    ASSERT_EQ(il(out, sizeof(out), NULL, 0, "", "-C %s/FR log --json", root),
              0);
    ASSERT((t = strstr(out, "{\"seq\":3,\"id\":")));
    newest = proc_json_num(t, "time_ms");
    ASSERT(newest > 0);

    /* FR revokes an hour later, without --from: the cut is just after
     * that entry, and the note says so */
    ASSERT_EQ(il(out, sizeof(out), err, sizeof(err),
                 "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s/FR cert revoke --state-key %s/authority/DE.key "
                 "--node %s --publish",
                 root, root, depk),
              0);
    snprintf(want, sizeof(want), "ilonet: cert revoke: --from @%lld (",
             newest + 1);
    ASSERT(strncmp(err, want, strlen(want)) == 0);
    ASSERT(strstr(err, "UTC): just after the key's newest good entry this "
                       "home holds\n"));
    ASSERT_EQ(il(out, sizeof(out), NULL, 0, "",
                 "-C %s/FR list revocations --json", root),
              0);
    ASSERT_EQ(proc_json_num(out, "at_ms"), newest + 1);
    /* AT revokes at the same time with --from now (the old default) */
    ASSERT_EQ(il(out, sizeof(out), err, sizeof(err),
                 "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s/AT cert revoke --state-key %s/authority/DE.key "
                 "--node %s --publish --from now",
                 root, root, depk),
              0);
    ASSERT(!strstr(err, "--from"));

    /* a copy of DE's key writes half an hour after its last good entry,
     * before either revocation's time, in a log of its own (ms) */
    ASSERT_EQ(il(NULL, 0, NULL, 0, "ILONET_CLOCK_OFFSET_MS=" HALF_HOUR,
                 "-C %s/DE observe --category routes --summary backdated "
                 "--audience ms",
                 root),
              0);
    ASSERT_EQ(
        il(NULL, 0, NULL, 0, "", "-C %s/DE export --out %s/de2", root, root),
        0);
    /* FR: refused, nothing of it stored */
    ASSERT_EQ(il(NULL, 0, err, sizeof(err), "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s/FR import %s/de2", root, root),
              1);
    ASSERT(strstr(err, ": revoked: "));
    summaries(m[1].pm_dir, out, sizeof(out));
    ASSERT_STR_EQ(out, "summary\ngood-1\ngood-2\n");
    /* AT, whose cut is its own "now": the backdated entry gets in */
    ASSERT_EQ(il(NULL, 0, NULL, 0, "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s/AT import %s/de2", root, root),
              0);
    summaries(m[2].pm_dir, out, sizeof(out));
    ASSERT_STR_EQ(out, "summary\nbackdated\ngood-1\ngood-2\n");
    ASSERT_EQ(il(NULL, 0, NULL, 0, "ILONET_CLOCK_OFFSET_MS=" HOUR,
                 "-C %s/FR verify", root),
              0);
}

/* Without a home, or a key it holds nothing of: now. An entry dated
 * ahead of now never pushes the cut into the future. */
static void
revoke_default_from_falls_back_to_now(void)
{
    char *tmp = test_tmpdir("cert-now"), root[600], err[2048];
    struct proc_member m[2];
    struct app_err e;
    struct home h;
    uint8_t de[KEY_PK_LEN], none[KEY_PK_LEN];
    uint64_t at = 0;
    int from_entry = -1;

    snprintf(root, sizeof(root), "%s/net", tmp);
    ASSERT_EQ(proc_testnet(root, "DE,FR", proc_pid_base(26000, 400, 10), m, 2),
              2);
    ASSERT_OK(hash_unhex(m[0].pm_pk, de, KEY_PK_LEN));
    /* no node home: now, said on stderr */
    ASSERT_EQ(il(NULL, 0, err, sizeof(err), "",
                 "-C %s/nowhere cert revoke --state-key %s/authority/DE.key "
                 "--node %s --network %s/network --out %s/rev",
                 tmp, root, m[0].pm_pk, root, tmp),
              0);
    ASSERT(strncmp(err, "ilonet: cert revoke: --from now (", 33) == 0);
    ASSERT(strstr(err, "UTC): no node home here to read the key's entries "
                       "from\n"));
    /* FR holds none of DE's entries yet */
    ASSERT_EQ(il(NULL, 0, err, sizeof(err), "",
                 "-C %s/FR cert revoke --state-key %s/authority/DE.key "
                 "--node %s --network %s/network --out %s/rev2",
                 root, root, m[0].pm_pk, root, tmp),
              0);
    ASSERT(strstr(err, "UTC): this home holds no entry of the key\n"));

    /* the app call: DE's own home holds its entries */
    ASSERT_EQ(il(NULL, 0, NULL, 0, "",
                 "-C %s/DE observe --category routes --summary one", root),
              0);
    ASSERT_OK(home_open(&h, m[0].pm_dir, HOME_STORE));
    ASSERT_OK(app_revocation_default_at(&h, de, UINT64_MAX / 2, &at,
                                        &from_entry, &e));
    ASSERT_EQ(from_entry, 1);
    ASSERT(at > 1 && at < UINT64_MAX / 2);
    /* "now" before that entry: capped at now */
    {
        uint64_t early = at - 100;
        ASSERT_OK(
            app_revocation_default_at(&h, de, early, &at, &from_entry, &e));
        ASSERT_EQ(at, early);
        ASSERT_EQ(from_entry, 0);
    }
    memset(none, 7, sizeof(none));
    ASSERT_OK(app_revocation_default_at(&h, none, 12345, &at, &from_entry, &e));
    ASSERT_EQ(at, 12345);
    ASSERT_EQ(from_entry, 0);
    home_close(&h);
    free(tmp);
}

TEST_LIST = {
    TEST(revoke_default_from_cuts_backdated_entries),
    TEST(revoke_default_from_falls_back_to_now),
};

TEST_MAIN()
