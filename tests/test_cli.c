/* test_cli.c - the command line as a user runs it: testnet, observe, export,
 * import, verify, status; bad input gives one clear line and changes nothing.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/cert.h"
#include "crypto/error.h"
#include "test.h"

#define RUN_OK(...)                                                            \
    do {                                                                       \
        struct cli_out o_;                                                     \
        if (cli_run(&o_, __VA_ARGS__, (char *)NULL) != 0)                      \
            TEST_FAIL_("ilonet exited %d: %s", o_.co_status, o_.co_err);       \
        cli_out_free(&o_);                                                     \
    } while (0)

static char *
testnet(const char *tag, const char *states)
{
    char *dir = test_tmpdir(tag);
    char out[600];
    snprintf(out, sizeof(out), "%s/t", dir);
    RUN_OK("testnet", "--host", "TR", "--states", (char *)states, "--out", out);
    free(dir);
    return strdup(out);
}

static void
home_of(char *buf, size_t n, const char *net, const char *state)
{
    snprintf(buf, n, "%s/%s", net, state);
}

static void
help_on_every_command(void)
{
    static const char *const cmds[] = {
        "testnet", "network", "state",  "init",   "cert",   "id",    "peer",
        "observe", "log",     "export", "import", "verify", "status"};
    struct cli_out o;

    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        ASSERT_EQ(cli_run(&o, cmds[i], "--help", (char *)NULL), 0);
        ASSERT(strstr(o.co_out, "usage:") != NULL);
        cli_out_free(&o);
    }
    ASSERT_EQ(cli_run(&o, "--help", (char *)NULL), 0);
    cli_out_free(&o);
}

static void
usage_errors_exit_2_with_one_line(void)
{
    struct cli_out o;

    ASSERT_EQ(cli_run(&o, "frobnicate", (char *)NULL), 2);
    ASSERT(strncmp(o.co_err, "ilonet: frobnicate:", 19) == 0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", (char *)NULL), 2);
    ASSERT(strstr(o.co_err, "ilonet: testnet:") == o.co_err);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", "DE,de",
                      "--out", "/nonexistent/x", (char *)NULL),
              2);
    cli_out_free(&o);
    /* an unknown field is named (exit 1, as for any bad field value) */
    ASSERT_EQ(cli_run(&o, "observe", "--bogus", "x", (char *)NULL), 1);
    ASSERT(strstr(o.co_err, "bogus") != NULL);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "cert", "issue", "--role", "king", (char *)NULL), 2);
    cli_out_free(&o);
}

static void
walkthrough_export_import_verify(void)
{
    char *net = testnet("walk", "DE,FR,EU");
    char de[700], fr[700], eu[700], file[700];
    struct cli_out o;

    home_of(de, sizeof(de), net, "DE");
    home_of(fr, sizeof(fr), net, "FR");
    home_of(eu, sizeof(eu), net, "EU");
    snprintf(file, sizeof(file), "%s/de.export", net);
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "routes",
                      "--summary", "New route via the eastern border",
                      (char *)NULL),
              0);
    ASSERT_EQ(strlen(o.co_out), 65); /* 64 hex digits and a newline */
    char id[65];
    memcpy(id, o.co_out, 64);
    id[64] = 0;
    cli_out_free(&o);
    RUN_OK("-C", de, "observe", "--category", "flows", "--summary",
           "Members only", "--audience", "ms");
    RUN_OK("-C", de, "export", "--out", file);
    ASSERT_EQ(cli_run(&o, "-C", fr, "import", file, (char *)NULL), 0);
    cli_out_free(&o);
    RUN_OK("-C", fr, "verify");
    ASSERT_EQ(cli_run(&o, "-C", fr, "log", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, id) != NULL);
    cli_out_free(&o);
    /* the Commission is not in the ms audience: that log is skipped and
     * named, the rest stored */
    ASSERT_EQ(cli_run(&o, "-C", eu, "import", file, (char *)NULL), 0);
    ASSERT(strstr(o.co_err, "audience ms") != NULL);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", eu, "status", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\"entries\":2") != NULL);
    ASSERT(strstr(o.co_out, "\"view_hash\":\"") != NULL);
    cli_out_free(&o);
    /* FR and DE hold the same entries: same heads digest and view hash */
    struct cli_out a, b;
    cli_run(&a, "-C", de, "status", "--json", (char *)NULL);
    cli_run(&b, "-C", fr, "status", "--json", (char *)NULL);
    const char *va = strstr(a.co_out, "\"view_hash\":\"");
    const char *vb = strstr(b.co_out, "\"view_hash\":\"");
    ASSERT(va && vb);
    ASSERT(strncmp(va, vb, 80) == 0);
    cli_out_free(&a);
    cli_out_free(&b);
    free(net);
}

static void
tampered_export_is_refused_and_changes_nothing(void)
{
    char *net = testnet("tamper", "DE,FR");
    char de[700], fr[700], file[700], bad[700], db[700];
    unsigned char before[32], after[32];
    uint8_t *buf;
    size_t len;
    struct cli_out o;

    home_of(de, sizeof(de), net, "DE");
    home_of(fr, sizeof(fr), net, "FR");
    snprintf(file, sizeof(file), "%s/de.export", net);
    snprintf(bad, sizeof(bad), "%s/bad.export", net);
    snprintf(db, sizeof(db), "%s/store.db", fr);
    RUN_OK("-C", de, "observe", "--category", "routes", "--summary", "one");
    RUN_OK("-C", de, "observe", "--category", "routes", "--summary", "two");
    RUN_OK("-C", de, "export", "--out", file);
    /* FR already holds something of its own */
    RUN_OK("-C", fr, "observe", "--category", "return", "--summary", "fr");
    cli_file_hash(db, before);
    ASSERT_OK(cert_read_file(file, 1 << 20, &buf, &len));
    /* every byte, one at a time (a stride keeps the run short; every
     * structural byte of the header and first frame is covered) */
    size_t tried = 0;
    for (size_t i = 0; i < len; i += (i < 200 ? 1 : 3)) {
        buf[i] ^= 0x41;
        FILE *f = fopen(bad, "wb");
        fwrite(buf, 1, len, f);
        fclose(f);
        buf[i] ^= 0x41;
        int rc = cli_run(&o, "-C", fr, "import", bad, (char *)NULL);
        if (rc != 1)
            TEST_FAIL_("byte %zu: import exited %d: %s", i, rc, o.co_err);
        /* one line, naming the file and the error */
        ASSERT(strncmp(o.co_err, "ilonet: ", 8) == 0);
        ASSERT(strstr(o.co_err, bad) != NULL);
        ASSERT(strchr(o.co_err, '\n') == o.co_err + strlen(o.co_err) - 1);
        cli_out_free(&o);
        tried++;
    }
    ASSERT_GE(tried, 100);
    cli_file_hash(db, after);
    ASSERT_MEM_EQ(before, after, 32);
    /* and the intact file still imports */
    RUN_OK("-C", fr, "import", file);
    RUN_OK("-C", fr, "verify");
    free(buf);
    free(net);
}

static void
forged_signature_reports_bad_signature(void)
{
    char *net = testnet("forged", "DE,FR");
    char de[700], fr[700], file[700];
    uint8_t *buf;
    size_t len;
    struct cli_out o;

    home_of(de, sizeof(de), net, "DE");
    home_of(fr, sizeof(fr), net, "FR");
    snprintf(file, sizeof(file), "%s/de.export", net);
    RUN_OK("-C", de, "observe", "--category", "routes", "--summary", "one");
    RUN_OK("-C", de, "export", "--out", file);
    ASSERT_OK(cert_read_file(file, 1 << 20, &buf, &len));
    /* the last signature sits 64+2 bytes before the last payload; flip a
     * byte inside the final entry's signature by searching its bin8 tag */
    size_t at = 0;
    for (size_t i = 0; i + 2 < len; i++)
        if (buf[i] == 0xc4 && buf[i + 1] == 0x40)
            at = i + 10;
    ASSERT(at > 0);
    buf[at] ^= 1;
    FILE *f = fopen(file, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", fr, "import", file, (char *)NULL), 1);
    ASSERT(strstr(o.co_err, "bad-signature") != NULL);
    ASSERT(strstr(o.co_err, "seq 2") != NULL);
    cli_out_free(&o);
    free(buf);
    free(net);
}

static void
key_file_readable_by_others_is_refused(void)
{
    char *net = testnet("keymode", "DE");
    char de[700], key[700];
    struct cli_out o;

    home_of(de, sizeof(de), net, "DE");
    snprintf(key, sizeof(key), "%s/node.key", de);
    ASSERT_OK(chmod(key, 0644));
    ASSERT_EQ(cli_run(&o, "-C", de, "id", (char *)NULL), 1);
    ASSERT(strstr(o.co_err, "permission") != NULL);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "routes",
                      "--summary", "x", (char *)NULL),
              1);
    cli_out_free(&o);
    ASSERT_OK(chmod(key, 0600));
    RUN_OK("-C", de, "id");
    free(net);
}

static void
manual_setup_with_authority_commands(void)
{
    char *dir = test_tmpdir("manual");
    char netf[600], sk[600], roster[600], home[600], cert[600], other[600];
    struct cli_out o;

    snprintf(netf, sizeof(netf), "%s/network", dir);
    snprintf(sk, sizeof(sk), "%s/de.key", dir);
    snprintf(roster, sizeof(roster), "%s/roster", dir);
    snprintf(home, sizeof(home), "%s/home", dir);
    snprintf(cert, sizeof(cert), "%s/node.cert", dir);
    snprintf(other, sizeof(other), "%s/other-network", dir);
    RUN_OK("network", "create", "--host", "TR", "--out", netf);
    RUN_OK("network", "create", "--host", "MA", "--out", other);
    ASSERT_EQ(cli_run(&o, "state", "keygen", "--state", "DE", "--out", sk,
                      (char *)NULL),
              0);
    FILE *f = fopen(roster, "w");
    fputs(o.co_out, f);
    fclose(f);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", home, "init", "--state", "DE", "--network",
                      netf, "--roster", roster, (char *)NULL),
              0);
    char pk[65];
    memcpy(pk, o.co_out, 64);
    pk[64] = 0;
    cli_out_free(&o);
    /* not certified yet: writing fails with a clear reason */
    ASSERT_EQ(cli_run(&o, "-C", home, "observe", "--category", "routes",
                      "--summary", "x", (char *)NULL),
              1);
    ASSERT(strstr(o.co_err, "certificate") != NULL);
    cli_out_free(&o);
    /* a certificate for another network is refused */
    RUN_OK("cert", "issue", "--state-key", sk, "--node", pk, "--network", other,
           "--role", "ilo", "--out", cert);
    ASSERT_EQ(cli_run(&o, "-C", home, "cert", "install", cert, (char *)NULL),
              1);
    ASSERT(strstr(o.co_err, "wrong-network") != NULL);
    cli_out_free(&o);
    RUN_OK("cert", "issue", "--state-key", sk, "--node", pk, "--network", netf,
           "--role", "ilo", "--until", "2099-12-31", "--out", cert);
    RUN_OK("-C", home, "cert", "install", cert);
    ASSERT_EQ(cli_run(&o, "-C", home, "id", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\"state\":\"DE\"") != NULL);
    ASSERT(strstr(o.co_out, "\"role\":\"ilo\"") != NULL);
    ASSERT(strstr(o.co_out, pk) != NULL);
    cli_out_free(&o);
    RUN_OK("-C", home, "observe", "--category", "routes", "--summary", "x");
    RUN_OK("-C", home, "peer", "add", "tcp://127.0.0.1:7999", pk);
    ASSERT_EQ(cli_run(&o, "-C", home, "peer", "list", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "tcp://127.0.0.1:7999") != NULL);
    cli_out_free(&o);
    free(dir);
}

static void
import_fork_file_records_evidence(void)
{
    char *net = testnet("fork", "DE,FR");
    char de[700], fr[700], backup[700], f1[700], f2[700], cmd[2200];
    struct cli_out o;

    home_of(de, sizeof(de), net, "DE");
    home_of(fr, sizeof(fr), net, "FR");
    snprintf(backup, sizeof(backup), "%s/DE-backup", net);
    snprintf(f1, sizeof(f1), "%s/a.export", net);
    snprintf(f2, sizeof(f2), "%s/b.export", net);
    RUN_OK("-C", de, "observe", "--category", "routes", "--summary", "one");
    /* the operator's mistake SSB users know: a restored backup keeps
     * writing with the same key */
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", de, backup);
    ASSERT_EQ(system(cmd), 0);
    RUN_OK("-C", de, "observe", "--category", "routes", "--summary", "A");
    RUN_OK("-C", backup, "observe", "--category", "routes", "--summary", "B");
    RUN_OK("-C", de, "export", "--out", f1);
    RUN_OK("-C", backup, "export", "--out", f2);
    RUN_OK("-C", fr, "import", f1);
    ASSERT_EQ(cli_run(&o, "-C", fr, "import", f2, (char *)NULL), 1);
    ASSERT(strstr(o.co_err, "fork") != NULL);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", fr, "status", "--json", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, "\"evidence\":1") != NULL);
    ASSERT(strstr(o.co_out, "\"frozen\":true") != NULL);
    cli_out_free(&o);
    /* the evidence verifies offline */
    RUN_OK("-C", fr, "verify");
    free(net);
}

/* `testnet --out a/b/c` creates the missing parents (FOUND.md), as
 * `git init a/b/c` does, and the node homes inside are private. */
static void
testnet_creates_missing_parents(void)
{
    char *dir = test_tmpdir("parents");
    char out[600], home[700];
    struct stat st;

    snprintf(out, sizeof(out), "%s/a/b/c", dir);
    RUN_OK("testnet", "--host", "TR", "--states", "DE", "--out", out);
    snprintf(home, sizeof(home), "%s/DE", out);
    ASSERT_OK(stat(home, &st));
    ASSERT_EQ(st.st_mode & 0777, 0700);
    RUN_OK("-C", home, "id");
    free(dir);
}

/* `list` on a terminal is a table for a person (FOUND.md): short id
 * prefixes that commands accept, the record's date, aligned columns, long
 * text cut; piped, it stays tab-separated with full ids for scripts. */
static void
list_on_a_terminal_is_a_table(void)
{
    char *net = testnet("listtty", "DE");
    char de[700], cmd[2048], id[80];
    struct cli_out o;
    FILE *p;
    char out[8192];
    size_t n;

    if (system("command -v script >/dev/null 2>&1") != 0) {
        printf("SKIP list_on_a_terminal_is_a_table: no script(1)\n");
        free(net);
        return;
    }
    home_of(de, sizeof(de), net, "DE");
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "routes",
                      "--summary",
                      "A very long summary that goes on well past the width "
                      "a terminal column can hold without wrapping",
                      (char *)NULL),
              0);
    snprintf(id, sizeof(id), "%.64s", o.co_out);
    cli_out_free(&o);
    /* piped: TSV, full id */
    ASSERT_EQ(cli_run(&o, "-C", de, "list", "observations", (char *)NULL), 0);
    ASSERT(strstr(o.co_out, id) != NULL);
    ASSERT(strstr(o.co_out, "id\tstate\tcategory") != NULL);
    cli_out_free(&o);
    /* on a pseudo-terminal: a table */
    snprintf(cmd, sizeof(cmd),
             "script -qec \"'%s' -C '%s' list observations\" /dev/null",
             cli_bin(), de);
    p = popen(cmd, "r");
    ASSERT(p != NULL);
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    ASSERT_EQ(pclose(p), 0);
    ASSERT(strstr(out, "\t") == NULL);
    ASSERT(strstr(out, id) == NULL); /* not the full id */
    {
        char prefix[13];
        snprintf(prefix, sizeof(prefix), "%.12s", id);
        ASSERT(strstr(out, prefix) != NULL); /* its short prefix */
        /* the prefix is accepted where an id is */
        ASSERT_EQ(cli_run(&o, "-C", de, "show", prefix, (char *)NULL), 0);
        cli_out_free(&o);
    }
    ASSERT(strstr(out, "date") != NULL);
    ASSERT(strstr(out, "\xe2\x80\xa6") != NULL); /* long text cut with … */
    free(net);
}

TEST_LIST = {
    TEST(help_on_every_command),
    TEST(usage_errors_exit_2_with_one_line),
    TEST(walkthrough_export_import_verify),
    TEST(tampered_export_is_refused_and_changes_nothing),
    TEST(forged_signature_reports_bad_signature),
    TEST(key_file_readable_by_others_is_refused),
    TEST(manual_setup_with_authority_commands),
    TEST(import_fork_file_records_evidence),
    TEST(testnet_creates_missing_parents),
    TEST(list_on_a_terminal_is_a_table),
};
TEST_MAIN()
