/* test_cli_view.c - the merged view through the CLI: representation, a task
 * between two states, erasure leaving no plaintext in any home file. */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "test.h"

static const char *
bin(void)
{
    const char *b = getenv("ILONET_BIN");
    return b ? b : "./ilonet";
}

/* Runs `ilonet ARGS` (a shell fragment); its stdout into out (may be
 * NULL), or with err its stderr (stdout dropped). Returns the exit status.
 */
static int
run_to(char *out, size_t cap, int err, const char *fmt, ...)
{
    char args[2048], cmd[2400];
    size_t n = 0;
    va_list ap;
    FILE *p;
    int st;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "'%s' %s %s", bin(), args,
             err ? "2>&1 >/dev/null" : "2>/dev/null");
    p = popen(cmd, "r");
    ASSERT(p);
    if (out) {
        n = fread(out, 1, cap - 1, p);
        out[n] = '\0';
        while (n && (out[n - 1] == '\n'))
            out[--n] = '\0';
    } else {
        char sink[4096];
        while (fread(sink, 1, sizeof(sink), p) > 0)
            ;
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define run(out, cap, ...) run_to(out, cap, 0, __VA_ARGS__)
#define run_err(out, cap, ...) run_to(out, cap, 1, __VA_ARGS__)

#define OK(...)                                                                \
    do {                                                                       \
        int rc_ = run(NULL, 0, __VA_ARGS__);                                   \
        if (rc_ != 0)                                                          \
            TEST_FAIL_("ilonet %s exited %d", #__VA_ARGS__, rc_);              \
    } while (0)

static char *
testnet(const char *tag, const char *states)
{
    char *d = test_tmpdir(tag);
    OK("testnet --host TR --states %s --out %s/t", states, d);
    return d;
}

/* "a exports, b imports" */
static void
sync_to(const char *d, const char *from, const char *to)
{
    OK("-C %s/t/%s export --out %s/x-%s-%s", d, from, d, from, to);
    OK("-C %s/t/%s import %s/x-%s-%s", d, to, d, from, to);
}

static void
view_hash_of(const char *d, const char *st, char *out, size_t cap)
{
    char buf[8192], *p;

    ASSERT_EQ(run(buf, sizeof(buf), "-C %s/t/%s status --json", d, st), 0);
    p = strstr(buf, "\"view_hash\":\"");
    ASSERT(p);
    snprintf(out, cap, "%.64s", p + 13);
}

/* AT grants DE; DE records on behalf of AT; AT revokes; DE, not yet aware,
 * writes again on AT's behalf: that entry has no effect anywhere, and FR
 * sees exactly what AT and DE see. */
static void
cli_representation(void)
{
    char *d = testnet("repr", "AT,DE,FR,EU");
    char before[128], after[128], out[4096], h1[80], h2[80], h3[80];

    OK("grant issue --state-key %s/t/authority/AT.key --to DE --network "
       "%s/t/network --scope observation --until 2099-12-31 --out %s/g",
       d, d, d);
    OK("-C %s/t/DE grant publish %s/g", d, d);
    ASSERT_EQ(run(before, sizeof(before),
                  "-C %s/t/DE observe --category return --summary before "
                  "--on-behalf-of AT",
                  d),
              0);
    /* the grant covers observations only */
    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE meeting add --date 2026-01-05 --place Ankara "
                  "--convenor AT --participants AT,DE --commission present "
                  "--topics x --on-behalf-of AT",
                  d),
              1);
    sync_to(d, "DE", "AT");
    OK("-C %s/t/AT grant revoke --state-key %s/t/authority/AT.key --grant "
       "%s/g --publish",
       d, d, d);
    ASSERT_EQ(run(after, sizeof(after),
                  "-C %s/t/DE observe --category return --summary after "
                  "--on-behalf-of AT",
                  d),
              0);
    sync_to(d, "DE", "AT");
    sync_to(d, "AT", "DE");
    sync_to(d, "DE", "FR");
    const char *st[3] = {"AT", "DE", "FR"};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(run(out, sizeof(out),
                      "-C %s/t/%s query \"SELECT group_concat(summary) FROM "
                      "observations WHERE state = 'AT'\"",
                      d, st[i]),
                  0);
        ASSERT_STR_EQ(out, "group_concat(summary)\nbefore");
        ASSERT_EQ(run(out, sizeof(out), "-C %s/t/%s show %s", d, st[i], after),
                  0);
        ASSERT(strstr(out, "revoked"));
    }
    view_hash_of(d, "AT", h1, sizeof(h1));
    view_hash_of(d, "DE", h2, sizeof(h2));
    view_hash_of(d, "FR", h3, sizeof(h3));
    ASSERT_STR_EQ(h1, h2);
    ASSERT_STR_EQ(h1, h3);
    ASSERT_EQ(run(NULL, 0, "-C %s/t/DE verify", d), 0);
    free(d);
}

/* 1 if the file at path contains needle. */
static int
file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    size_t nl = strlen(needle), n;
    char *buf;
    long sz;
    int found = 0;

    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)sz + 1);
    n = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    for (size_t i = 0; i + nl <= n && !found; i++)
        found = memcmp(buf + i, needle, nl) == 0;
    free(buf);
    return found;
}

/* Counts files under dir (recursively) that contain needle. */
static int
tree_has(const char *dir, const char *needle)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int hits = 0;

    if (!dp)
        return 0;
    while ((de = readdir(dp))) {
        char p[1024];
        struct stat sb;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (stat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            hits += tree_has(p, needle);
        else if (file_has(p, needle))
            hits++;
    }
    closedir(dp);
    return hits;
}

static void
checkpoint(const char *d, const char *st)
{
    char path[1024];
    sqlite3 *db;

    snprintf(path, sizeof(path), "%s/t/%s/store.db", d, st);
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
}

/* DE and FR share a task; AT, in the same network, holds nothing of it. */
static void
cli_task_between_two_states(void)
{
    char *d = testnet("task", "AT,DE,FR,EU");
    char id[128], out[4096], path[1024], h1[80], h2[80];

    ASSERT_EQ(run(id, sizeof(id),
                  "-C %s/t/DE task create --for FR --title TASKMARK-visa "
                  "--due 2026-06-30",
                  d),
              0);
    sync_to(d, "DE", "FR");
    OK("-C %s/t/FR task accept %s", d, id);
    /* AT is not an assignee, and not in the audience anyway */
    ASSERT_EQ(run(NULL, 0, "-C %s/t/DE task done %s", d, id), 1);
    OK("-C %s/t/FR task done %s", d, id);
    sync_to(d, "FR", "DE");
    ASSERT_EQ(run(out, sizeof(out), "-C %s/t/DE list tasks", d), 0);
    ASSERT(strstr(out, "done"));
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/t/DE query \"SELECT status_by"
                  " FROM tasks\"",
                  d),
              0);
    ASSERT_STR_EQ(out, "status_by\nFR");
    /* AT imports everything DE and FR exported */
    sync_to(d, "DE", "AT");
    sync_to(d, "FR", "AT");
    ASSERT_EQ(run(out, sizeof(out), "-C %s/t/AT list tasks --json", d), 0);
    ASSERT_STR_EQ(out, "[]");
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/t/AT query \"SELECT count(*) FROM logs WHERE "
                  "audience = 'DE+FR'\"",
                  d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n0");
    snprintf(path, sizeof(path), "%s/t/AT", d);
    checkpoint(d, "AT");
    ASSERT_EQ(tree_has(path, "TASKMARK"), 0);
    /* DE and FR agree */
    view_hash_of(d, "DE", h1, sizeof(h1));
    view_hash_of(d, "FR", h2, sizeof(h2));
    ASSERT_STR_EQ(h1, h2);
    free(d);
}

/* After erasure no byte of the erased payloads is left in any file of any
 * home, nor in an export made afterwards; the chains still verify. */
static void
cli_erasure_leaves_no_plaintext(void)
{
    char *d = testnet("erase", "DE,FR,EU");
    char id[128], out[4096], path[1024];

    ASSERT_EQ(run(id, sizeof(id),
                  "-C %s/t/DE observe --category incidents --summary "
                  "ERASEME-summary-7f3a --detail ERASEME-detail-7f3a",
                  d),
              0);
    OK("-C %s/t/DE amend %s --place ERASEME-place-7f3a", d, id);
    sync_to(d, "DE", "FR");
    ASSERT_EQ(run(out, sizeof(out), "-C %s/t/FR list observations", d), 0);
    ASSERT(strstr(out, "ERASEME-summary"));
    /* the scan does see plaintext while it is there */
    snprintf(path, sizeof(path), "%s/t/FR", d);
    checkpoint(d, "FR");
    ASSERT_GE(tree_has(path, "ERASEME-detail"), 1);
    /* FR may not erase DE's record */
    ASSERT_EQ(run(NULL, 0, "-C %s/t/FR erase %s", d, id), 1);
    OK("-C %s/t/DE erase %s --reason request", d, id);
    sync_to(d, "DE", "FR");
    OK("-C %s/t/DE export --out %s/after.exp", d, d);
    const char *st[2] = {"DE", "FR"};
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ(run(out, sizeof(out), "-C %s/t/%s show %s", d, st[i], id), 0);
        ASSERT(strstr(out, "erased"));
        ASSERT_EQ(run(NULL, 0, "-C %s/t/%s verify", d, st[i]), 0);
        checkpoint(d, st[i]);
        snprintf(path, sizeof(path), "%s/t/%s", d, st[i]);
        ASSERT_EQ(tree_has(path, "ERASEME"), 0);
    }
    snprintf(path, sizeof(path), "%s/after.exp", d);
    ASSERT_EQ(file_has(path, "ERASEME"), 0);
    free(d);
}

static void
cli_bad_input_writes_nothing(void)
{
    char *d = testnet("bad", "DE,FR");
    char out[4096];

    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE observe --category weather "
                  "--summary x",
                  d),
              1);
    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE observe --category routes --summary x"
                  " --colour red",
                  d),
              1);
    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE observe --category routes --summary x"
                  " --figure many --unit persons",
                  d),
              1);
    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE observe --category routes --summary x"
                  " --audience DE+nowhere",
                  d),
              1);
    ASSERT_EQ(run(NULL, 0,
                  "-C %s/t/DE meeting add --date 2026-02-30 "
                  "--place A --convenor DE --participants DE,FR "
                  "--commission present --topics t",
                  d),
              1);
    ASSERT_EQ(run(NULL, 0, "-C %s/t/DE observe --summary x", d), 2);
    ASSERT_EQ(run(NULL, 0, "-C %s/t/DE query \"DELETE FROM v_records\"", d), 1);
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/t/DE query \"SELECT count(*) "
                  "FROM entries\"",
                  d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n0");
    ASSERT_EQ(run(NULL, 0, "observe --help"), 0);
    ASSERT_EQ(run(NULL, 0, "list --help"), 0);
    free(d);
}

/* Copies the home tests/data/<name> to <d>/h. Git keeps no file modes:
 * the home gets its private ones back here (ilonet refuses a home other
 * local users can read). */
static void
fixture_home(const char *d, const char *name)
{
    char cp[2400];

    snprintf(cp, sizeof(cp),
             "cp -r 'tests/data/%s' '%s/h' && chmod -R go-rwx '%s/h'", name, d,
             d);
    ASSERT_EQ(system(cp), 0);
}

/* A home written by schema version 2 (tests/data/home-v2: one DE
 * observation) opens, migrates its id index (to ids, v3, with an empty
 * tail, v4, on 4-byte keys, v5), and finds the record. */
static void
cli_schema_v2_home_migrates(void)
{
    char *d = test_tmpdir("v2");
    char out[4096];

    fixture_home(d, "home-v2");
    ASSERT_EQ(run(out, sizeof(out), "-C %s/h show 7481b597ab908f09 --json", d),
              0);
    ASSERT(strstr(out, "v2 store fixture"));
    ASSERT_EQ(run(out, sizeof(out), "-C %s/h query \"PRAGMA user_version\"", d),
              0);
    ASSERT_STR_EQ(out, "user_version\n5");
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) FROM"
                  " ids i JOIN entries e ON e.k = i.k\"",
                  d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n2");
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) FROM ids_tail\"", d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n0");
    OK("-C %s/h verify", d);
    free(d);
}

/* A home written by schema version 4 (tests/data/home-v4: a DE
 * observation with an attached file, a second one erased) opens and
 * moves to version 5: the id and the signature in one column, the id
 * index keyed on 4 bytes. Every record is found by id as before, the
 * chains verify, the erased record stays erased, the blob's reference
 * kept, and an erasure after the move still takes the reference away
 * (the trigger on entries is there after the table's rewrite). */
static void
cli_schema_v4_home_migrates(void)
{
    char *d = test_tmpdir("v4");
    char out[8192];

    fixture_home(d, "home-v4");
    /* the first open says that it rewrites the store, and only it */
    ASSERT_EQ(run_err(out, sizeof(out), "-C %s/h status", d), 0);
    ASSERT(strstr(out, "store schema 4 is rewritten to 5, once"));
    ASSERT_EQ(run_err(out, sizeof(out), "-C %s/h status", d), 0);
    ASSERT(!strstr(out, "rewritten"));
    ASSERT_EQ(run(out, sizeof(out), "-C %s/h show ccb7f7c3f213 --json", d), 0);
    ASSERT(strstr(out, "v4 store fixture: boats from Izmir"));
    ASSERT(strstr(
        out,
        "96345bb4459977eddaa1df4348c18b26128ef56c417c519a7141909fe7303dc2"));
    ASSERT_EQ(run(out, sizeof(out), "-C %s/h show 341429203c9b --json", d), 0);
    ASSERT(strstr(out, "\"erased\""));
    ASSERT(!strstr(out, "to be erased"));
    ASSERT_EQ(run(out, sizeof(out), "-C %s/h query \"PRAGMA user_version\"", d),
              0);
    ASSERT_STR_EQ(out, "user_version\n5");
    /* every pair in the big level, each with its entry, none left over */
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) AS n, sum(length(e.body) ="
                  " 96 AND e.id = substr(e.body, 1, 32)) AS whole FROM ids i"
                  " JOIN entries e ON e.k = i.k\"",
                  d),
              0);
    ASSERT_STR_EQ(out, "n\twhole\n5\t5");
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) FROM ids_tail\"", d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n0");
    OK("-C %s/h verify", d);
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) FROM blob_ref\"", d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n1");
    OK("-C %s/h erase ccb7f7c3f213 --reason test", d);
    ASSERT_EQ(run(out, sizeof(out),
                  "-C %s/h query \"SELECT count(*) FROM blob_ref\"", d),
              0);
    ASSERT_STR_EQ(out, "count(*)\n0");
    free(d);
}

TEST_LIST = {
    TEST(cli_representation),
    TEST(cli_task_between_two_states),
    TEST(cli_erasure_leaves_no_plaintext),
    TEST(cli_bad_input_writes_nothing),
    TEST(cli_schema_v2_home_migrates),
    TEST(cli_schema_v4_home_migrates),
};

TEST_MAIN()
