/* test_regimes.c - both regimes end to end through the CLI, nodes one
 * vocabulary version apart, personal data hidden at its date, existing stores
 * unchanged. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "proc.h"
#include "test.h"

/* `ENV ilonet ARGS 2>&1` (a shell fragment; env "" for none): stdout and
 * stderr into out (may be NULL). The exit status. */
static int
il(char *out, size_t cap, const char *env, const char *fmt, ...)
{
    char args[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return proc_run(out, cap, "%s '%s' %s 2>&1", env, proc_bin(), args);
}

#define OK(env, ...)                                                           \
    do {                                                                       \
        char o_[4096];                                                         \
        if (il(o_, sizeof(o_), env, __VA_ARGS__) != 0)                         \
            TEST_FAIL_("ilonet %s: %s", #__VA_ARGS__, o_);                     \
    } while (0)

/* The id a write printed (its first line). */
#define ID(id, env, ...)                                                       \
    do {                                                                       \
        if (il(id, sizeof(id), env, __VA_ARGS__) != 0)                         \
            TEST_FAIL_("ilonet %s: %s", #__VA_ARGS__, id);                     \
        id[strcspn(id, "\n")] = '\0';                                          \
    } while (0)

/* A testnet of states under d/t (extra: more testnet options). */
static void
net(const char *d, const char *states, const char *extra)
{
    OK("", "testnet --host TR --states %s --out %s/t --base-port %d %s", states,
       d, proc_pick_base(30000, 200, 40, getpid() % 200, 8), extra);
}

/* from exports, to imports (env: the importer's). */
static void
ship(const char *d, const char *from, const char *to, const char *env)
{
    OK("", "-C %s/t/%s export --out %s/x-%s-%s", d, from, d, from, to);
    OK(env, "-C %s/t/%s import %s/x-%s-%s", d, to, d, from, to);
}

/* The view hash (audience NULL: the whole view) of a home. */
static void
hash_of(const char *d, const char *st, const char *env, const char *aud,
        char out[65])
{
    char js[16384], key[64];
    const char *p = js;

    ASSERT_EQ(il(js, sizeof(js), env, "-C %s/t/%s status --json", d, st), 0);
    if (aud) {
        p = strstr(js, "\"view_hashes\"");
        ASSERT(p);
        snprintf(key, sizeof(key), "%s", aud);
    } else {
        snprintf(key, sizeof(key), "view_hash");
    }
    ASSERT_EQ(proc_json_str(p, key, out, 65), 0);
}

/* The single value a query prints (header line dropped). */
static void
q(const char *d, const char *st, const char *env, const char *sql, char *out,
  size_t cap)
{
    char buf[8192], *nl;

    ASSERT_EQ(il(buf, sizeof(buf), env, "-C %s/t/%s query \"%s\"", d, st, sql),
              0);
    nl = strchr(buf, '\n');
    snprintf(out, cap, "%s", nl ? nl + 1 : "");
}

/* Copies the WAL of a home's store into its file and empties it, so a
 * scan of the files sees what the store holds. */
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

static void
today(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- both regimes, end to end ------------------------------------------- */

/* Every kind of the seed's regime: written, synced, listed, the same view
 * on every member; 2019-1240's values refused with one line. */
static void
regime_377_end_to_end(void)
{
    char *d = test_tmpdir("r377");
    char id[256], task[256], out[8192], a[65], b[65], c[65], day[11];
    char n0[32], n1[32];
    static const char *const lists[] = {
        "observations", "meetings", "trainings", "carriers",
        "contacts",     "postings", "tasks",     "acting-presidencies"};

    today(0, day);
    net(d, "AT,DE,FR,EU", "");
    /* the classic network file: nothing new in its bytes */
    ASSERT_EQ(proc_run(out, sizeof(out), "grep -c . %s/t/network", d), 0);
    ASSERT_STR_EQ(out, "4\n");
    OK("",
       "grant issue --state-key %s/t/authority/AT.key --to DE --network "
       "%s/t/network --scope observation --until 2099-12-31 --out %s/g",
       d, d, d);
    OK("", "-C %s/t/DE grant publish %s/g", d, d);
    OK("",
       "-C %s/t/DE observe --category routes --summary r1 --period %s "
       "--nationality SY,AF --figure 3 --unit persons --reliability B",
       d, day);
    OK("",
       "-C %s/t/DE observe --category return --summary behalf "
       "--on-behalf-of AT",
       d);
    OK("",
       "-C %s/t/DE meeting add --date %s --place Ankara --convenor DE "
       "--participants DE,FR --commission present --topics t",
       d, day);
    OK("",
       "-C %s/t/DE meeting add --date %s --place Ankara --convenor DE "
       "--participants DE,FR --commission excluded --topics t",
       d, day);
    ID(id, "",
       "-C %s/t/DE training add --title T --type joint-course --date "
       "%s --until %s",
       d, day, day);
    OK("", "-C %s/t/DE amend %s --place Izmir", d, id);
    OK("", "-C %s/t/DE carrier add --carrier X --position p --date %s", d, day);
    OK("",
       "-C %s/t/DE contact add --counterpart DGMM --type authority "
       "--date %s",
       d, day);
    OK("", "-C %s/t/DE posting add --post Ankara --officers 2 --from %s", d,
       day);
    ID(task, "", "-C %s/t/DE task create --for FR --title shared", d);
    OK("", "-C %s/t/DE report acting --semester 2026-H1 --state DE", d);
    ID(id, "", "-C %s/t/DE observe --category incidents --summary gone", d);
    OK("", "-C %s/t/DE retract %s", d, id);
    ID(id, "", "-C %s/t/DE observe --category incidents --summary erased", d);
    OK("", "-C %s/t/DE erase %s", d, id);
    /* the current law's values are not this regime's: one line, nothing
     * stored */
    q(d, "DE", "", "SELECT count(*) FROM entries", n0, sizeof(n0));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category legislation --summary x", d),
              1);
    ASSERT_STR_EQ(out, "ilonet: observe: field 'category': unknown value "
                       "'legislation' (one of flows, routes, modus-operandi, "
                       "criminal-organisations, incidents, document-fraud, "
                       "assistance, return)\n");
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE chair add --role chair --state DE --from %s", d,
                 day),
              1);
    ASSERT(strstr(out, "not a record kind"));
    q(d, "DE", "", "SELECT count(*) FROM entries", n1, sizeof(n1));
    ASSERT_STR_EQ(n0, n1);
    /* sync: every list on FR holds what DE wrote */
    ship(d, "DE", "FR", "");
    ship(d, "DE", "EU", "");
    ship(d, "DE", "AT", "");
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        ASSERT_EQ(
            il(out, sizeof(out), "", "-C %s/t/FR list %s --json", d, lists[i]),
            0);
        if (strcmp(out, "[]\n") == 0)
            TEST_FAIL_("FR lists no %s", lists[i]);
    }
    OK("", "-C %s/t/FR task accept %s", d, task);
    ship(d, "FR", "DE", "");
    hash_of(d, "DE", "", NULL, a);
    hash_of(d, "FR", "", NULL, b);
    ASSERT_STR_EQ(a, b);
    hash_of(d, "DE", "", "net", a);
    hash_of(d, "EU", "", "net", c);
    ASSERT_STR_EQ(a, c);
    /* a version-2 field makes a version-2 entry; version-1 ones stay as
     * every earlier binary wrote them */
    q(d, "FR", "",
      "SELECT group_concat(vocab) FROM (SELECT vocab FROM "
      "records WHERE kind = 4 UNION ALL SELECT vocab FROM records "
      "WHERE kind = 2 ORDER BY 1)",
      out, sizeof(out));
    ASSERT_STR_EQ(out, "1,1,1,1,2\n");
    OK("", "-C %s/t/FR verify", d);
    free(d);
}

/* The current law: every kind (the chair, deployments by the Commission
 * and an agency, the 4x4 grades, ISO codes), synced and listed; the
 * report drawn up by the chair; bad values refused with one line. */
static void
regime_2019_end_to_end(void)
{
    char *d = test_tmpdir("r2019");
    char id[256], out[16384], a[65], b[65], day[11], sem[8], n0[32], n1[32];
    static const char *const lists[] = {"observations", "meetings", "trainings",
                                        "carriers",     "contacts", "postings",
                                        "tasks"};
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(sem, sizeof(sem), "%04d-H%d", tm.tm_year + 1900,
             tm.tm_mon < 6 ? 1 : 2);
    today(0, day);
    net(d, "DE,FR,EU,FRONTEX", "--regime 2019-1240 --countries IQ,TR");
    ASSERT_EQ(proc_run(out, sizeof(out), "cat %s/t/network", d), 0);
    ASSERT(strstr(out, "\nregime 2019-1240\nvocab 3\nsalt "));
    ASSERT(strstr(out, "\ncountries IQ,TR\n"));
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/FRONTEX id", d), 0);
    ASSERT(strstr(out, "role     agency"));
    OK("", "-C %s/t/DE chair add --role chair --state DE --from %s", d, day);
    OK("", "-C %s/t/FR chair add --role co-chair --state FR --from %s", d, day);
    OK("",
       "-C %s/t/DE observe --category legislation --summary law "
       "--period %s --nationality SYR,AF --country IRQ --figure 3 "
       "--unit persons --reliability X --accuracy 2",
       d, day);
    OK("",
       "-C %s/t/FRONTEX observe --category criminal-organisations "
       "--summary trafficking --period %s..%s --level strategic",
       d, day, day);
    OK("",
       "-C %s/t/EU posting add --post Delegation --officers 1 --from %s "
       "--country TR --deployment union-delegation",
       d, day);
    OK("",
       "-C %s/t/FRONTEX posting add --post Baghdad --officers 2 --from "
       "%s --country IQ --deployment international-organisation "
       "--organisation IOM",
       d, day);
    OK("",
       "-C %s/t/DE meeting add --date %s --place Ankara --convenor DE "
       "--participants DE,EU,FR,FRONTEX --commission present --topics t",
       d, day);
    OK("",
       "-C %s/t/DE training add --title T --type host-authorities "
       "--date %s",
       d, day);
    OK("", "-C %s/t/DE carrier add --carrier X --position p --date %s", d, day);
    OK("",
       "-C %s/t/DE contact add --counterpart DGMM --type authority "
       "--date %s --country TR",
       d, day);
    ID(id, "", "-C %s/t/DE task create --for FR --title shared", d);
    /* bad input: one line naming the field and what is allowed, nothing
     * stored */
    q(d, "DE", "", "SELECT count(*) FROM entries", n0, sizeof(n0));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category flows --summary x", d),
              2);
    ASSERT(strstr(out, "--period is required"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category weather --summary x "
                 "--period %s",
                 d, day),
              1);
    ASSERT(strstr(out, "field 'category': unknown value 'weather' (one of "
                       "flows, routes,"));
    ASSERT(strstr(out, "legislation, protection, legal-migration, "
                       "capacity-building)"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category flows --summary x --period "
                 "%s --nationality Syrian",
                 d, day),
              1);
    ASSERT(strstr(out, "field 'nationality': 'Syrian' is not an ISO 3166-1 "
                       "country code"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category flows --summary x --period "
                 "%s --figure 2 --unit bags",
                 d, day),
              1);
    ASSERT(strstr(out, "field 'unit': unknown value 'bags' (one of persons"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category flows --summary x --period "
                 "%s --reliability D",
                 d, day),
              1);
    ASSERT(strstr(out, "(one of A, B, C, X)"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE posting add --post P --officers 1 --from %s "
                 "--country TR --deployment embassy",
                 d, day),
              1);
    ASSERT(strstr(out, "field 'deployment': unknown value 'embassy' (one of "
                       "member-state-mission, host-authority,"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE report acting --semester %s --state DE", d, sem),
              1);
    q(d, "DE", "", "SELECT count(*) FROM entries", n1, sizeof(n1));
    ASSERT_STR_EQ(n0, n1);
    ship(d, "DE", "FR", "");
    ship(d, "FRONTEX", "FR", "");
    ship(d, "EU", "FR", "");
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        ASSERT_EQ(
            il(out, sizeof(out), "", "-C %s/t/FR list %s --json", d, lists[i]),
            0);
        if (strcmp(out, "[]\n") == 0)
            TEST_FAIL_("FR lists no %s", lists[i]);
    }
    /* the chairs: in the view and in `list chairs` */
    q(d, "FR", "",
      "SELECT group_concat(chair_role || ':' || chair_state) "
      "FROM (SELECT * FROM chairs ORDER BY chair_role)",
      out, sizeof(out));
    ASSERT_STR_EQ(out, "chair:DE,co-chair:FR\n");
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/FR list chairs --json", d), 0);
    ASSERT(strstr(out, "\"chair_role\":\"chair\",\"chair_state\":\"DE\""));
    ASSERT(strstr(out, "\"chair_role\":\"co-chair\",\"chair_state\":\"FR\""));
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/FR list chairs", d), 0);
    ASSERT(strstr(out, "\tchair\tDE\t"));
    ASSERT(strstr(out, "\tco-chair\tFR\t"));
    OK("", "-C %s/t/FR task accept %s", d, id);
    ship(d, "FR", "DE", "");
    ship(d, "FRONTEX", "DE", "");
    ship(d, "EU", "DE", "");
    hash_of(d, "DE", "", NULL, a);
    hash_of(d, "FR", "", NULL, b);
    ASSERT_STR_EQ(a, b);
    /* ISO codes stored as alpha-2, sorted */
    q(d, "FR", "",
      "SELECT nationality || ' ' || country FROM observations "
      "WHERE category = 'legislation'",
      out, sizeof(out));
    ASSERT_STR_EQ(out, "AF,SY IQ\n");
    /* the report is drawn up by the chair, with the provisional template */
    ASSERT_EQ(
        il(out, sizeof(out), "", "-C %s/t/FR report --semester %s", d, sem), 0);
    ASSERT(strstr(out, "| Drawn up by (network chair) | DE, the network's "
                       "chair on "));
    ASSERT(strstr(out, "2019-1240/provisional-1"));
    ASSERT(strstr(out, "### II.10 Legislation and legal practice"));
    ASSERT(strstr(out, "| law |") || strstr(out, "law"));
    /* no presidency under this law */
    ASSERT_EQ(il(out, sizeof(out), "",
                 "testnet --host TR --states DE --out %s/p --regime "
                 "2019-1240 --presidency DE",
                 d),
              2);
    ASSERT(strstr(out, "has no presidency role"));
    OK("", "-C %s/t/FR verify", d);
    free(d);
}

/* `ilonet vocab` prints the vocabulary in force: categories with labels,
 * units, the grades with their legend; --json for scripts. */
static void
vocab_command(void)
{
    char *d = test_tmpdir("vocab");
    static char out[1 << 20];

    ASSERT_EQ(il(out, sizeof(out), "", "vocab --regime 2019-1240"), 0);
    ASSERT(strstr(out, "regime 2019-1240, vocabulary version 3"));
    ASSERT(strstr(out, "legal-migration          Legal migration"));
    ASSERT(strstr(out, "units: Units of figures"));
    ASSERT(strstr(out, "X                        Source cannot be assessed"));
    ASSERT(strstr(out, "The reliability of the source cannot be assessed."));
    ASSERT(strstr(out, "--deployment"));
    ASSERT_EQ(il(out, sizeof(out), "", "vocab --regime 2019-1240 --json"), 0);
    ASSERT(strncmp(out, "{\"regime\":\"2019-1240\",\"version\":3,", 34) == 0);
    ASSERT(strstr(out, "{\"a2\":\"SY\",\"a3\":\"SYR\",\"name\":\"Syrian Arab "
                       "Republic\"}"));
    /* without a home: the seed's; with one: its network's */
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/none vocab", d), 0);
    ASSERT(strstr(out, "regime 377-2004, vocabulary version 4"));
    net(d, "DE", "--regime 2019-1240");
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/DE vocab", d), 0);
    ASSERT(strstr(out, "regime 2019-1240"));
    ASSERT_EQ(il(out, sizeof(out), "", "vocab --regime 1999-1"), 2);
    ASSERT(strstr(out, "--regime 1999-1: unknown regime (one of 377-2004, "
                       "2019-1240)"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "network create --host TR --out %s/n "
                 "--regime 2019-1241",
                 d),
              2);
    free(d);
}

/* A network file whose regime line was edited is refused; a node holding
 * the right secret under another regime fails the handshake. */
static void
regime_binding(void)
{
    char *d = test_tmpdir("bind");
    char out[4096], log[1024];
    const char *args[] = {NULL};
    pid_t pid;
    int base = proc_pick_base(31000, 200, 40, getpid() % 200, 4);

    OK("",
       "testnet --host TR --states DE,FR --out %s/t --base-port %d "
       "--regime 2019-1240",
       d, base);
    OK("",
       "-C %s/t/DE observe --category flows --summary x --period "
       "2026-01-01",
       d);
    /* edited regime: refused, saying why */
    ASSERT_EQ(proc_run(NULL, 0,
                       "cp -r %s/t/DE %s/t/DX && sed -i 's/^regime "
                       "2019-1240/regime 377-2004/' %s/t/DX/network",
                       d, d, d),
              0);
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/DX status", d), 1);
    ASSERT(strstr(out, "its id does not match its regime line"));
    /* the same id and secret as a seed-regime file: the handshake key
     * differs, FR's node refuses it before any log byte */
    ASSERT_EQ(proc_run(NULL, 0,
                       "grep -v '^regime\\|^vocab\\|^salt\\|^countries' "
                       "%s/t/DE/network > %s/t/DX/network",
                       d, d),
              0);
    snprintf(log, sizeof(log), "%s/fr.log", d);
    pid = proc_node_spawn(strcat(strcpy(out, d), "/t/FR"), log, PROC_LOG_TRUNC,
                          NULL, args);
    ASSERT(pid > 0);
    ASSERT_EQ(proc_wait_file(log, "listening on", 10000), 0);
    ASSERT(il(out, sizeof(out), "", "-C %s/t/DX sync --timeout 5", d) != 0);
    ASSERT_EQ(proc_wait_file(log, "handshake failed", 10000), 0);
    /* the right file syncs */
    OK("", "-C %s/t/DE sync --timeout 10", d);
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/FR list observations", d), 0);
    proc_reap(pid, 15, NULL);
    free(d);
}

/* ---- versions that never lose or misread data --------------------------- */

#define OLD "ILONET_TEST_VOCAB_VERSION=1"

/* FR runs a binary one vocabulary version older (test-only). Entries go
 * both ways; FR keeps and forwards what it cannot read and lists it as
 * unread; AT, which only hears from FR, misses nothing; after FR upgrades
 * (a rebuild, no resync) the three agree. */
static void
version_skew(void)
{
    char *d = test_tmpdir("skew");
    char out[8192], a[65], b[65], c[65], marked[256], train[256], old[256];
    char keep[11], n0[32], n1[32];

    today(30, keep);
    net(d, "AT,DE,FR", "");
    /* the old node writes what it knows */
    OK(OLD,
       "-C %s/t/FR training add --title T1 --type joint-course "
       "--date 2026-03-01",
       d);
    OK(OLD, "-C %s/t/FR observe --category flows --summary from-old", d);
    /* and cannot write what it does not know */
    ASSERT_EQ(il(out, sizeof(out), OLD,
                 "-C %s/t/FR training add --title T --type joint-course "
                 "--date 2026-03-01 --until 2026-03-02",
                 d),
              1);
    ASSERT(strstr(out, "field 'until': unknown field for training"));
    /* the new node writes version-2 entries, and a version-1 one it
     * amends with a version-2 field below */
    ID(old, "",
       "-C %s/t/DE training add --title T0 --type joint-course "
       "--date 2026-03-01",
       d);
    ID(marked, "",
       "-C %s/t/DE observe --category return --summary case "
       "--personal-data --purpose readmission --retain-until %s",
       d, keep);
    ID(train, "",
       "-C %s/t/DE training add --title T2 --type joint-course "
       "--date 2026-03-01 --until 2026-03-03",
       d);
    OK("", "-C %s/t/DE observe --category routes --summary plain", d);
    /* both directions */
    ship(d, "DE", "FR", OLD);
    ship(d, "FR", "DE", "");
    OK("", "-C %s/t/DE amend %s --until 2026-03-04", d, old);
    ship(d, "DE", "FR", OLD);
    /* nothing lost: the old node holds every entry */
    q(d, "DE", "", "SELECT count(*) FROM entries", n0, sizeof(n0));
    q(d, "FR", OLD, "SELECT count(*) FROM entries", n1, sizeof(n1));
    ASSERT_STR_EQ(n0, n1);
    /* shown as unread, saying why */
    ASSERT_EQ(il(out, sizeof(out), OLD,
                 "-C %s/t/FR query \"SELECT status, why FROM records WHERE "
                 "id = '%s'\"",
                 d, marked),
              0);
    ASSERT(strstr(out, "unread"));
    ASSERT(strstr(out, "written under vocabulary v2 of 377-2004; this node "
                       "has v1 - upgrade to read"));
    ASSERT_EQ(il(out, sizeof(out), OLD, "-C %s/t/FR list observations", d), 0);
    ASSERT(strstr(out, "plain") && !strstr(out, "case"));
    /* the version-2 amendment of DE's version-1 training does not apply
     * there */
    ASSERT_EQ(il(out, sizeof(out), OLD,
                 "-C %s/t/FR query \"SELECT why FROM changes WHERE target = "
                 "'%s'\"",
                 d, old),
              0);
    ASSERT(strstr(out, "upgrade to read"));
    hash_of(d, "DE", "", NULL, a);
    hash_of(d, "FR", OLD, NULL, b);
    ASSERT(strcmp(a, b) != 0);
    /* the old node forwards what it cannot read: AT hears only from FR */
    ship(d, "FR", "AT", "");
    hash_of(d, "AT", "", NULL, c);
    ASSERT_STR_EQ(a, c);
    /* the upgrade re-reads everything: no resync */
    OK("", "-C %s/t/FR verify", d);
    hash_of(d, "FR", "", NULL, b);
    ASSERT_STR_EQ(a, b);
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/FR query \"SELECT \\\"until\\\" FROM trainings "
                 "WHERE id = '%s'\"",
                 d, old),
              0);
    ASSERT(strstr(out, "2026-03-04"));
    /* and going back to the old binary hides them again, losing nothing */
    hash_of(d, "FR", OLD, NULL, b);
    ASSERT(strcmp(a, b) != 0);
    q(d, "FR", OLD, "SELECT count(*) FROM entries", n1, sizeof(n1));
    ASSERT_STR_EQ(n0, n1);
    (void)train;
    free(d);
}

/* ---- personal data --------------------------------------------------------
 */

/* Marked records carry a purpose and a retention date within the
 * regime's cap; unmarked text that looks like personal data is refused
 * saying how to mark it; at the date every node hides the payload and the
 * author's node writes the erasure. */
static void
personal_data(void)
{
    char *d = test_tmpdir("pii");
    char out[8192], id[256], keep[11], far[11], a[65], b[65], n0[32], n1[32];
    char env[64], log[1024];
    const char *args[] = {NULL};
    const char *envv[2] = {env, NULL};
    pid_t pid;

    today(1, keep);
    today(400, far);
    net(d, "DE,FR", "");
    q(d, "DE", "", "SELECT count(*) FROM entries", n0, sizeof(n0));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category routes --summary 'Smuggler "
                 "arrested, passport no. P1234567'",
                 d),
              1);
    ASSERT_STR_EQ(out, "ilonet: observe: field 'summary': looks like personal "
                       "data (a passport or document number at byte 19); "
                       "mark the record with --personal-data --purpose TEXT "
                       "--retain-until YYYY-MM-DD, or leave it out\n");
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category routes --summary x "
                 "--personal-data",
                 d),
              2);
    ASSERT(strstr(out, "--purpose is required"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE observe --category routes --summary x "
                 "--personal-data --purpose p --retain-until %s",
                 d, far),
              1);
    ASSERT(strstr(out, "field 'retain-until': at most 365 days after the "
                       "record is written under 377-2004"));
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/t/DE retract 0123456789ab --personal-data", d),
              1);
    q(d, "DE", "", "SELECT count(*) FROM entries", n1, sizeof(n1));
    ASSERT_STR_EQ(n0, n1);
    ID(id, "",
       "-C %s/t/DE observe --category routes --summary 'Smuggler "
       "PIIMARK arrested, passport no. P1234567' --personal-data "
       "--purpose 'joint investigation' --retain-until %s",
       d, keep);
    ship(d, "DE", "FR", "");
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/t/FR list observations", d), 0);
    ASSERT(strstr(out, "PIIMARK"));
    /* three days on (the test-only clock offset): FR hides it by itself */
    ASSERT_EQ(il(out, sizeof(out), "ILONET_CLOCK_OFFSET_MS=259200000",
                 "-C %s/t/FR query \"SELECT status, why FROM records WHERE "
                 "id = '%s'\"",
                 d, id),
              0);
    ASSERT(strstr(out, "erased"));
    ASSERT(strstr(out, "retention ended"));
    checkpoint(d, "FR");
    ASSERT_EQ(proc_run(out, sizeof(out), "grep -rl PIIMARK %s/t/FR | wc -l", d),
              0);
    ASSERT_STR_EQ(out, "0\n");
    /* DE's node, three days on, writes the erasure of its own record */
    snprintf(env, sizeof(env), "ILONET_CLOCK_OFFSET_MS=259200000");
    snprintf(log, sizeof(log), "%s/de.log", d);
    pid = proc_node_spawn(strcat(strcpy(out, d), "/t/DE"), log, PROC_LOG_TRUNC,
                          envv, args);
    ASSERT(pid > 0);
    ASSERT_EQ(proc_wait_file(log, "retention: 1 erase entries written", 20000),
              0);
    proc_reap(pid, 15, NULL);
    ASSERT_EQ(il(out, sizeof(out), env,
                 "-C %s/t/DE query \"SELECT count(*) FROM changes WHERE kind = "
                 "10 AND valid = 1 AND target = '%s'\"",
                 d, id),
              0);
    ASSERT(strstr(out, "\n1"));
    /* the erase entry reaches FR: the same view either way */
    ship(d, "DE", "FR", env);
    hash_of(d, "DE", env, NULL, a);
    hash_of(d, "FR", env, NULL, b);
    ASSERT_STR_EQ(a, b);
    free(d);
}

/* ---- migration ------------------------------------------------------------
 */

/* A home written by schema version 2 (tests/data/home-v2) opens under
 * VIEW_VERSION 8 with exactly the view hash it had: the view is rebuilt
 * under the seed's vocabulary and hashes as before (8 added the blob
 * reference index, which is not hashed). */
static void
fixture_home_keeps_its_view_hash(void)
{
    char *d = test_tmpdir("fixture");
    char out[8192], h[65];

    ASSERT_EQ(proc_run(NULL, 0,
                       "cp -r tests/data/home-v2 '%s/h' && chmod 700 '%s/h' "
                       "&& chmod 600 '%s/h/node.key' '%s/h/network' "
                       "'%s/h/store.db'",
                       d, d, d, d, d),
              0);
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/h status --json", d), 0);
    ASSERT_EQ(proc_json_str(out, "view_hash", h, sizeof(h)), 0);
    ASSERT_STR_EQ(h, "fe19c30769c5057792c7c4fd194cf265655aa371bf792483a62bf22"
                     "d2edd6e29");
    ASSERT_EQ(il(out, sizeof(out), "",
                 "-C %s/h query \"SELECT CAST(v AS TEXT) FROM meta WHERE k "
                 "IN ('view_version', 'vocab') ORDER BY k\"",
                 d),
              0);
    ASSERT_STR_EQ(out, "CAST(v AS TEXT)\n8\n377-2004/4\n");
    ASSERT_EQ(il(out, sizeof(out), "", "-C %s/h verify", d), 0);
    ASSERT(strstr(out, "view matches rebuild"));
    free(d);
}

TEST_LIST = {
    TEST(regime_377_end_to_end),
    TEST(regime_2019_end_to_end),
    TEST(vocab_command),
    TEST(regime_binding),
    TEST(version_skew),
    TEST(personal_data),
    TEST(fixture_home_keeps_its_view_hash),
};

TEST_MAIN()
