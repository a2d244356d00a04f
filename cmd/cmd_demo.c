/* cmd_demo.c - `ilonet demo`: a whole ILO network on one machine, ending in the
 * report. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/report/report.h"

static const char demo_usage[] =
    "usage: ilonet demo [--dir DIR] [--serve] [--regime 377-2004|2019-1240]\n\n"
    "Runs a local ILO network for host country TR on loopback: a testnet\n"
    "of five Member States (DE FR IT NL ES), the Commission (EU) and the\n"
    "current presidency's headquarters node; starts the six network nodes\n"
    "(`ilonet node`), writes sample data for every record kind (postings,\n"
    "a representation grant NL->DE with entries on NL's behalf, a\n"
    "bilateral DE+FR task, a group task, meetings with and without the\n"
    "Commission, trainings, carrier positions, contacts, observations in\n"
    "all eight categories), waits until the nodes converge (same view\n"
    "hash per audience), lets the presidency node pull with `ilonet sync`\n"
    "and draw up the semester report (HTML, Markdown, JSON) in DIR\n"
    "(default ./demo, replaced if it holds an earlier demo), then stops\n"
    "every node it started (also on failure or Ctrl-C).\n"
    "--serve: keep the nodes running afterwards, each with its web page\n"
    "(`ilonet node --http`, docs/API.md), start the presidency's node too,\n"
    "print the presidency node's page address, and wait for Ctrl-C.\n"
    "--regime 2019-1240: the law in force instead of the seed's: a regional\n"
    "network for TR and IQ whose members are the Member States' officers\n"
    "(DE FR IT NL), the Commission's (EU) and Frontex's (FRONTEX), each with\n"
    "its own deployments; IT chairs it (a signed chair entry) and draws up\n"
    "the report from its node with the provisional 2019-1240 template;\n"
    "the sample covers every kind and category of that regime, the 4x4\n"
    "grades, ISO country codes and a record marked as holding personal\n"
    "data (purpose and retention date).\n";

#define DEMO_NODES 6
#define DEMO_MARK ".ilonet-demo"

static const char *const demo_states_seed[DEMO_NODES] = {"DE", "FR", "IT",
                                                         "NL", "ES", "EU"};
/* 2019-1240: an agency's officers are members in their own name. */
static const char *const demo_states_2019[DEMO_NODES] = {"DE", "FR",      "IT",
                                                         "NL", "FRONTEX", "EU"};
static const char *const *demo_states = demo_states_seed;
/* the nodes in the `ms` audience (Member States' officers) */
#define DEMO_MS(i) ((i) < 4 || ((i) == 4 && demo_states == demo_states_seed))
static volatile pid_t demo_pids[DEMO_NODES + 1]; /* + presidency (--serve) */
static char demo_exe[HOME_PATH_MAX];
static char demo_logpath[HOME_PATH_MAX];

/* Async-signal-safe: stop every node we started, then die of the signal. */
static void
demo_on_signal(int sig)
{
    for (int i = 0; i <= DEMO_NODES; i++)
        if (demo_pids[i] > 0)
            kill(demo_pids[i], SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
demo_stop_nodes(void)
{
    for (int i = 0; i <= DEMO_NODES; i++)
        if (demo_pids[i] > 0)
            kill(demo_pids[i], SIGTERM);
    for (int i = 0; i <= DEMO_NODES; i++)
        if (demo_pids[i] > 0) {
            int st, waited = 0;
            /* 5 s of grace, then SIGKILL. */
            while (waitpid(demo_pids[i], &st, WNOHANG) == 0) {
                struct timespec ts = {0, 20 * 1000 * 1000};
                if (++waited == 250)
                    kill(demo_pids[i], SIGKILL);
                nanosleep(&ts, NULL);
            }
            demo_pids[i] = 0;
        }
}

/* Runs `ilonet ARGS...` (NULL-terminated); stdout into out (cap bytes,
 * trailing newline removed) when out is not NULL, stderr appended to the
 * demo log. Returns the exit status (or -1). */
static int
demo_run(char *out, size_t cap, ...)
{
    char *argv[40];
    int n = 0, fds[2], st, logfd;
    va_list ap;
    pid_t pid;

    argv[n++] = demo_exe;
    va_start(ap, cap);
    while (n < 39 && (argv[n] = va_arg(ap, char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    if (pipe(fds) != 0)
        return -1;
    logfd = open(demo_logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        if (logfd >= 0)
            dup2(logfd, 2);
        close(fds[0]);
        close(fds[1]);
        execv(demo_exe, argv);
        _exit(127);
    }
    close(fds[1]);
    if (logfd >= 0)
        close(logfd);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    {
        size_t got = 0;
        char sink[1024];
        ssize_t r;
        for (;;) {
            int into_out = out && got + 1 < cap;
            r = into_out ? read(fds[0], out + got, cap - 1 - got)
                         : read(fds[0], sink, sizeof(sink));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (into_out)
                got += (size_t)r;
        }
        if (out) {
            out[got] = '\0';
            while (got && out[got - 1] == '\n')
                out[--got] = '\0';
        }
    }
    close(fds[0]);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Like demo_run without output; on failure prints the command and
 * returns 1. */
#define DEMO(...)                                                              \
    do {                                                                       \
        if (demo_run(NULL, 0, __VA_ARGS__, (char *)NULL) != 0)                 \
            return demo_failed(#__VA_ARGS__);                                  \
    } while (0)

static int
demo_failed(const char *what)
{
    fprintf(stderr, "\nilonet: demo: step failed: %s (details in %s)\n", what,
            demo_logpath);
    return 1;
}

static int
demo_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* 1 if every port in [base+1, base+n] can be bound on loopback now. */
static int
demo_ports_free(long base, int n)
{
    for (int i = 1; i <= n; i++) {
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
        if (fd < 0)
            return 0;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)(base + i));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        close(fd);
        if (!ok)
            return 0;
    }
    return 1;
}

static int
demo_port_up(long port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static void
demo_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Extracts "KEY":"VALUE" (a 64-hex hash) from a JSON text; "" if absent. */
static void
demo_json_hash(const char *json, const char *key, char out[65])
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    out[0] = '\0';
    if ((p = strstr(json, pat)) != NULL && strlen(p + strlen(pat)) >= 64) {
        memcpy(out, p + strlen(pat), 64);
        out[64] = '\0';
    }
}

struct demo_hashes {
    char dh_net[65], dh_ms[65];
};

static int
demo_status(const char *home, struct demo_hashes *h)
{
    static char buf[1 << 16];
    const char *vh;

    memset(h, 0, sizeof(*h));
    if (demo_run(buf, sizeof(buf), "-C", home, "status", "--json",
                 (char *)NULL) != 0)
        return -1;
    vh = strstr(buf, "\"view_hashes\"");
    if (!vh)
        return -1;
    demo_json_hash(vh, "net", h->dh_net);
    demo_json_hash(vh, "ms", h->dh_ms);
    return 0;
}

/* BLAKE2b of a file's bytes. */
static int
demo_file_digest(const char *path, unsigned char out[32])
{
    crypto_generichash_state st;
    unsigned char buf[8192];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return -1;
    crypto_generichash_init(&st, NULL, 0, 32);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_generichash_update(&st, buf, n);
    fclose(f);
    crypto_generichash_final(&st, out, 32);
    return 0;
}

/* Waits (up to 10 s) until the node at home holds record id: the writer's
 * node pushes it over the network. */
static int
demo_wait_record(const char *home, const char *id)
{
    for (int k = 0; k < 200; k++) {
        if (demo_run(NULL, 0, "-C", home, "show", id, (char *)NULL) == 0)
            return 0;
        demo_sleep_ms(50);
    }
    fprintf(stderr, "ilonet: demo: record %.16s did not reach %s\n", id, home);
    return 1;
}

/* The page address a node started with --http printed in its log
 * ("ilonet node: http: page at URL"); waits up to 10 s for it. */
static int
demo_http_url(const char *log, char *out, size_t cap)
{
    char line[1024];

    if (!log)
        return -1;
    for (int k = 0; k < 500; k++) {
        FILE *f = fopen(log, "r");
        while (f && fgets(line, sizeof(line), f)) {
            char *p = strstr(line, "http: page at ");
            if (p) {
                p += 14;
                p[strcspn(p, "\r\n")] = '\0';
                snprintf(out, cap, "%s", p);
                fclose(f);
                return 0;
            }
        }
        if (f)
            fclose(f);
        demo_sleep_ms(20);
    }
    return -1;
}

/* A date inside the current semester, frac/8 of the way from its start to
 * today. */
static void
demo_date(uint64_t from_ms, uint64_t now_ms, int frac, char out[11])
{
    uint64_t t = from_ms + (now_ms - from_ms) / 8 * (uint64_t)frac;
    report_date_of(t, out);
}

/* Makes the next commands write as if it were frac/8 of the way from the
 * semester's start to now (the test-only clock offset of home_now_ms), so
 * the sample spreads over the semester's months. Times only increase. */
static uint64_t demo_from_ms, demo_now_ms;
static void
demo_at(int frac)
{
    char v[32];
    uint64_t t =
        demo_from_ms + (demo_now_ms - demo_from_ms) / 8 * (uint64_t)frac;
    snprintf(v, sizeof(v), "-%llu", (unsigned long long)(demo_now_ms - t));
    setenv("ILONET_CLOCK_OFFSET_MS", v, 1);
}

/* The sample data: every record kind, as six ILOs would record it. */
static int
demo_data(const char *net, const char *pres, uint64_t from_ms, uint64_t now_ms)
{
    char h[DEMO_NODES][HOME_PATH_MAX], d[9][11], id[200], grant[HOME_PATH_MAX];
    char key[HOME_PATH_MAX], netf[HOME_PATH_MAX], until[11], group[64];

    for (int i = 0; i < DEMO_NODES; i++)
        snprintf(h[i], sizeof(h[i]), "%s/%s", net, demo_states[i]);
    for (int i = 0; i < 9; i++)
        demo_date(from_ms, now_ms, i, d[i]);
#define DE h[0]
#define FR h[1]
#define IT h[2]
#define NL h[3]
#define ES h[4]
#define EU h[5]
    demo_from_ms = from_ms;
    demo_now_ms = now_ms;
    demo_at(0);
    /* Postings (Art. 3). */
    DEMO("-C", DE, "posting", "add", "--post", "Embassy of Germany, Ankara",
         "--officers", "2", "--from", "2025-09-01", "--remit",
         "document advisers, risk analysis");
    DEMO("-C", FR, "posting", "add", "--post",
         "Consulate General of France, "
         "Istanbul",
         "--officers", "1", "--from", "2026-01-15");
    DEMO("-C", IT, "posting", "add", "--post", "Embassy of Italy, Ankara",
         "--officers", "1", "--from", "2024-03-01", "--until", "2027-02-28");
    DEMO("-C", ES, "posting", "add", "--post", "Embassy of Spain, Ankara",
         "--officers", "1", "--from", "2025-06-01");
    /* Representation (Art. 5(1)): NL's authority lets DE's ILO write
     * observations and contacts on its behalf. */
    snprintf(key, sizeof(key), "%s/authority/NL.key", net);
    snprintf(netf, sizeof(netf), "%s/network", net);
    snprintf(grant, sizeof(grant), "%s/grant-NL-DE.grant", net);
    report_date_of(now_ms + 200ull * 86400 * 1000, until);
    DEMO("grant", "issue", "--state-key", key, "--to", "DE", "--network", netf,
         "--scope", "observation,contact", "--until", until, "--out", grant);
    DEMO("-C", DE, "grant", "publish", grant);
    DEMO("-C", NL, "grant", "publish", grant);
    /* Shared tasks (Art. 5(2)): bilateral DE+FR, and a group task that
     * includes the presidency. */
    if (demo_run(id, sizeof(id), "-C", DE, "task", "create", "--for", "FR",
                 "--title",
                 "Joint assessment of document fraud at IST "
                 "transit",
                 "--due", until, (char *)NULL) != 0)
        return demo_failed("task create DE->FR");
    if (demo_wait_record(FR, id) != 0)
        return 1;
    DEMO("-C", FR, "task", "accept", id);
    snprintf(group, sizeof(group), "DE,ES,FR,NL%s%s", pres ? "," : "",
             pres ? pres : "");
    if (demo_run(id, sizeof(id), "-C", IT, "task", "create", "--for", group,
                 "--title",
                 "Compile the semester risk analysis for the "
                 "presidency report",
                 "--due", until, (char *)NULL) != 0)
        return demo_failed("task create IT->group");
    if (demo_wait_record(DE, id) != 0)
        return 1;
    DEMO("-C", DE, "task", "accept", id);
    DEMO("-C", DE, "task", "start", id);
    /* Observations (Art. 2(2)): all eight categories. */
    demo_at(1);
    DEMO("-C", DE, "observe", "--category", "flows", "--summary",
         "Irregular crossings at the Van border rising", "--nationality", "AF",
         "--figure", "1450", "--unit", "persons", "--period", d[0],
         "--reliability", "B", "--place", "Van", "--level", "operational");
    demo_at(2);
    DEMO("-C", FR, "observe", "--category", "flows", "--summary",
         "Syrian nationals departing by sea from Izmir", "--nationality", "SY",
         "--figure", "620", "--unit", "persons", "--reliability", "B",
         "--place", "Izmir");
    demo_at(3);
    DEMO("-C", IT, "observe", "--category", "flows", "--summary",
         "Departures towards Calabria by sailing boat", "--nationality", "IQ",
         "--figure", "310", "--unit", "persons", "--reliability", "C",
         "--place", "Mersin");
    DEMO("-C", ES, "observe", "--category", "flows", "--summary",
         "No detected departures towards Spain this month", "--figure", "0",
         "--unit", "persons", "--reliability", "B");
    demo_at(4);
    DEMO("-C", FR, "observe", "--category", "routes", "--summary",
         "Land route Van-Istanbul-Edirne re-used after closures",
         "--nationality", "AF,PK", "--reliability", "C", "--level",
         "strategic");
    DEMO("-C", IT, "observe", "--category", "modus-operandi", "--summary",
         "Crew recruited on site for single crossings", "--reliability", "C");
    demo_at(5);
    DEMO("-C", DE, "observe", "--category", "criminal-organisations",
         "--summary",
         "Network of facilitators operating from Istanbul "
         "(Aksaray)",
         "--figure", "3", "--unit", "groups", "--reliability", "B", "--level",
         "strategic");
    DEMO("-C", NL, "observe", "--category", "incidents", "--summary",
         "Capsizing off Bodrum: rescue and arrests", "--figure", "41", "--unit",
         "persons", "--nationality", "SY", "--reliability", "A", "--place",
         "Bodrum");
    DEMO("-C", DE, "observe", "--on-behalf-of", "NL", "--category",
         "document-fraud", "--summary",
         "Look-alike use of genuine Dutch "
         "passports at IST",
         "--figure", "17", "--unit", "documents", "--nationality", "IR",
         "--reliability", "B");
    DEMO("-C", FR, "observe", "--category", "assistance", "--summary",
         "Equipment for document examination handed to border police",
         "--reliability", "A");
    DEMO("-C", EU, "observe", "--category", "assistance", "--summary",
         "EU-funded project: mobile document-check units for the eastern "
         "provinces",
         "--figure", "6", "--unit", "units", "--reliability", "A", "--level",
         "strategic");
    DEMO("-C", ES, "observe", "--category", "return", "--summary",
         "Readmission requests answered within 30 days", "--figure", "12",
         "--unit", "readmissions", "--nationality", "PK", "--reliability", "B");
    /* Meetings (Art. 4): one with the Commission, one without it. */
    demo_at(5);
    DEMO("-C", IT, "meeting", "add", "--date", d[5], "--place",
         "Embassy of Italy, Ankara", "--convenor", "IT", "--participants",
         "DE,ES,EU,FR,IT,NL", "--commission", "present", "--topics",
         "Flows across the eastern land border; carrier liaison; training "
         "plan for consular staff");
    demo_at(6);
    DEMO("-C", IT, "meeting", "add", "--date", d[6], "--place",
         "Embassy of Italy, Ankara", "--convenor", "IT", "--participants",
         "DE,ES,FR,IT,NL", "--commission", "excluded", "--reason",
         "operational: ongoing investigation into a smuggling network",
         "--topics", "Exchange on an ongoing criminal investigation");
    /* Trainings. */
    demo_at(7);
    DEMO("-C", FR, "training", "add", "--title",
         "Detection of forged Schengen visas", "--type", "consular-staff",
         "--date", d[3], "--place", "Istanbul", "--organiser", "FR",
         "--attendees", "24");
    DEMO("-C", DE, "training", "add", "--title",
         "Frontex risk analysis (CIRAM) course", "--type", "joint-course",
         "--date", d[4], "--place", "Ankara", "--organiser", "DE",
         "--attendees", "9");
    /* Carriers. */
    DEMO("-C", ES, "carrier", "add", "--carrier", "Anatolian Air", "--position",
         "Document checks at the gate for flights to Madrid "
         "and Barcelona; refusal guidance shared",
         "--date", d[3], "--states", "DE,ES,FR,IT,NL");
    /* Contacts. */
    DEMO("-C", DE, "contact", "add", "--counterpart",
         "Directorate General of Migration Management", "--type", "authority",
         "--date", d[1], "--place", "Ankara", "--summary",
         "Quarterly exchange on irregular departures");
    DEMO("-C", DE, "contact", "add", "--on-behalf-of", "NL", "--counterpart",
         "Istanbul Airport Border Police", "--type", "authority", "--date",
         d[5], "--summary", "Return escorts via IST (for NL)");
    DEMO("-C", FR, "contact", "add", "--counterpart", "IOM Turkey", "--type",
         "organisation", "--date", d[2], "--summary",
         "Assisted voluntary return programme");
    DEMO("-C", IT, "contact", "add", "--counterpart",
         "ILO network in Tehran (IR)", "--type", "network", "--date", d[5],
         "--summary", "Routes from Iran into Van province");
    demo_at(8);
    /* A record retracted by its author never reaches the report. */
    if (demo_run(id, sizeof(id), "-C", ES, "observe", "--category", "routes",
                 "--summary", "Duplicate entry, recorded twice",
                 (char *)NULL) != 0)
        return demo_failed("observe (to retract)");
    DEMO("-C", ES, "retract", id, "--reason", "duplicate");
    unsetenv("ILONET_CLOCK_OFFSET_MS");
#undef DE
#undef FR
#undef IT
#undef NL
#undef ES
#undef EU
    return 0;
}

/* The sample data under 2019-1240: every kind and category of the
 * current law, as six members of a regional network (TR, IQ) would record
 * it. IT chairs the network, DE co-chairs it. */
static int
demo_data_2019(const char *net, uint64_t from_ms, uint64_t now_ms)
{
    char h[DEMO_NODES][HOME_PATH_MAX], d[9][11], id[200], grant[HOME_PATH_MAX];
    char key[HOME_PATH_MAX], netf[HOME_PATH_MAX], until[11], keep[11];
    char span[3][24];

    for (int i = 0; i < DEMO_NODES; i++)
        snprintf(h[i], sizeof(h[i]), "%s/%s", net, demo_states[i]);
    for (int i = 0; i < 9; i++)
        demo_date(from_ms, now_ms, i, d[i]);
    for (int i = 0; i < 3; i++)
        snprintf(span[i], sizeof(span[i]), "%s..%s", d[2 * i], d[2 * i + 2]);
#define DE h[0]
#define FR h[1]
#define IT h[2]
#define NL h[3]
#define FX h[4]
#define EU h[5]
    demo_from_ms = from_ms;
    demo_now_ms = now_ms;
    demo_at(0);
    /* The chair and co-chair, chosen by the members (replaces the
     * presidency rule). */
    DEMO("-C", IT, "chair", "add", "--role", "chair", "--state", "IT", "--from",
         d[0], "--note", "chosen at the first network meeting");
    DEMO("-C", DE, "chair", "add", "--role", "co-chair", "--state", "DE",
         "--from", d[0]);
    /* Deployments (Art. 2): Member States, the Commission and an agency,
     * each in its own name; where the officers work. */
    DEMO("-C", DE, "posting", "add", "--post", "Embassy of Germany, Ankara",
         "--officers", "2", "--from", "2025-09-01", "--country", "TR",
         "--deployment", "member-state-mission", "--remit",
         "document advisers, risk analysis");
    DEMO("-C", FR, "posting", "add", "--post",
         "Consulate General of France, "
         "Erbil",
         "--officers", "1", "--from", "2026-01-15", "--country", "IRQ",
         "--deployment", "member-state-mission");
    DEMO("-C", IT, "posting", "add", "--post",
         "Ministry of Interior, "
         "Directorate of Migration Management",
         "--officers", "1", "--from", "2024-03-01", "--until", "2027-02-28",
         "--country", "TR", "--deployment", "host-authority", "--organisation",
         "Presidency of Migration Management");
    DEMO("-C", EU, "posting", "add", "--post", "EU Delegation to Turkiye",
         "--officers", "1", "--from", "2025-06-01", "--country", "TR",
         "--deployment", "union-delegation");
    DEMO("-C", FX, "posting", "add", "--post",
         "Frontex liaison office, "
         "IOM mission Baghdad",
         "--officers", "2", "--from", "2025-11-01", "--country", "IQ",
         "--deployment", "international-organisation", "--organisation",
         "IOM Iraq");
    /* Representation (Art. 6(1)): NL's authority lets DE's officer write
     * observations and contacts on its behalf. */
    snprintf(key, sizeof(key), "%s/authority/NL.key", net);
    snprintf(netf, sizeof(netf), "%s/network", net);
    snprintf(grant, sizeof(grant), "%s/grant-NL-DE.grant", net);
    report_date_of(now_ms + 200ull * 86400 * 1000, until);
    report_date_of(now_ms + 180ull * 86400 * 1000, keep);
    DEMO("grant", "issue", "--state-key", key, "--to", "DE", "--network", netf,
         "--scope", "observation,contact", "--until", until, "--out", grant);
    DEMO("-C", DE, "grant", "publish", grant);
    DEMO("-C", NL, "grant", "publish", grant);
    /* Task sharing (Art. 6(2)). */
    if (demo_run(id, sizeof(id), "-C", DE, "task", "create", "--for", "FR",
                 "--title",
                 "Joint assessment of document fraud at EBL "
                 "transit",
                 "--due", until, (char *)NULL) != 0)
        return demo_failed("task create DE->FR");
    if (demo_wait_record(FR, id) != 0)
        return 1;
    DEMO("-C", FR, "task", "accept", id);
    /* Observations (Art. 3): every category, with the event period the
     * regime requires, ISO nationalities, units from the list and the 4x4
     * grades. */
    demo_at(1);
    DEMO("-C", DE, "observe", "--category", "flows", "--summary",
         "Irregular crossings at the Van border rising", "--nationality", "AFG",
         "--figure", "1450", "--unit", "persons", "--period", span[0],
         "--reliability", "B", "--accuracy", "2", "--place", "Van", "--country",
         "TR", "--level", "operational");
    DEMO("-C", FR, "observe", "--category", "flows", "--summary",
         "Departures from Erbil airport on tourist visas", "--nationality",
         "IQ,SY", "--figure", "380", "--unit", "persons", "--period", span[0],
         "--reliability", "B", "--accuracy", "3", "--country", "IQ");
    demo_at(2);
    DEMO("-C", FX, "observe", "--category", "routes", "--summary",
         "Land route Erbil-Zakho-Silopi used by facilitated groups",
         "--nationality", "IQ", "--period", span[1], "--reliability", "A",
         "--accuracy", "1", "--country", "IQ", "--level", "strategic");
    DEMO("-C", IT, "observe", "--category", "modus-operandi", "--summary",
         "Crew recruited on site for single crossings", "--period", d[2],
         "--reliability", "C", "--accuracy", "4", "--country", "TR");
    DEMO("-C", FX, "observe", "--category", "criminal-organisations",
         "--summary",
         "Network smuggling and exploiting migrants in textile "
         "workshops (trafficking in human beings)",
         "--figure", "2", "--unit", "groups", "--period", span[1],
         "--reliability", "B", "--accuracy", "2", "--level", "strategic");
    demo_at(3);
    DEMO("-C", NL, "observe", "--category", "incidents", "--summary",
         "Capsizing off Bodrum: rescue and arrests", "--figure", "41", "--unit",
         "persons", "--nationality", "SY", "--period", d[3], "--reliability",
         "A", "--accuracy", "1", "--place", "Bodrum");
    DEMO("-C", DE, "observe", "--on-behalf-of", "NL", "--category",
         "document-fraud", "--summary",
         "Look-alike use of genuine Dutch "
         "passports at IST",
         "--figure", "17", "--unit", "documents", "--nationality", "IR",
         "--period", span[1], "--reliability", "B", "--accuracy", "2");
    DEMO("-C", EU, "observe", "--category", "assistance", "--summary",
         "EU-funded project: mobile document-check units for the eastern "
         "provinces",
         "--figure", "6", "--unit", "units", "--period", span[2],
         "--reliability", "A", "--accuracy", "1", "--level", "strategic");
    DEMO("-C", FX, "observe", "--category", "return", "--summary",
         "Joint return operation Istanbul-Baghdad; reintegration support "
         "by IOM",
         "--figure", "56", "--unit", "returns", "--nationality", "IQ",
         "--period", d[4], "--reliability", "A", "--accuracy", "1");
    demo_at(4);
    DEMO("-C", IT, "observe", "--category", "legislation", "--summary",
         "Amendment of the law on foreigners: visa overstays now fined "
         "at departure",
         "--period", d[4], "--reliability", "A", "--accuracy", "1", "--source",
         "Official Gazette", "--country", "TR");
    DEMO("-C", EU, "observe", "--category", "protection", "--summary",
         "Resettlement referrals by UNHCR up this semester", "--figure", "210",
         "--unit", "cases", "--nationality", "SYR", "--period", span[2],
         "--reliability", "B", "--accuracy", "2");
    DEMO("-C", FR, "observe", "--category", "legal-migration", "--summary",
         "Pre-departure orientation for admitted students", "--figure", "95",
         "--unit", "applications", "--period", span[2], "--reliability", "B",
         "--accuracy", "3", "--country", "IQ");
    DEMO("-C", DE, "observe", "--category", "capacity-building", "--summary",
         "Coordination of document-examination courses among "
         "officers",
         "--period", d[5], "--reliability", "X", "--accuracy", "4");
    /* Personal data, marked: kept only for the purpose given and hidden
     * on every node after the retention date. */
    DEMO("-C", FX, "observe", "--category", "criminal-organisations",
         "--summary",
         "Facilitator arrested at Habur: born 12.03.1990, "
         "passport no. A1234567",
         "--period", d[5], "--reliability", "B", "--accuracy", "2",
         "--personal-data", "--purpose",
         "identification of a facilitator for a joint investigation",
         "--retain-until", keep);
    /* Meetings (Art. 5(1)): one with the Commission and agencies, one of
     * the Member States' officers only. */
    demo_at(5);
    DEMO("-C", IT, "meeting", "add", "--date", d[5], "--place",
         "Embassy of Italy, Ankara", "--convenor", "IT", "--participants",
         "DE,EU,FR,FRONTEX,IT,NL", "--commission", "present", "--topics",
         "Flows across the eastern land border; carrier liaison; training "
         "plan");
    demo_at(6);
    DEMO("-C", IT, "meeting", "add", "--date", d[6], "--place",
         "Embassy of Italy, Ankara", "--convenor", "IT", "--participants",
         "DE,FR,IT,NL", "--commission", "excluded", "--reason",
         "operational: ongoing investigation", "--topics",
         "Exchange on an ongoing criminal investigation");
    /* Training and capacity building (Art. 5(1)). */
    demo_at(7);
    if (demo_run(id, sizeof(id), "-C", FR, "training", "add", "--title",
                 "Detection of forged Schengen visas", "--type",
                 "consular-staff", "--date", d[3], "--place", "Erbil",
                 "--organiser", "FR", "--attendees", "24", (char *)NULL) != 0)
        return demo_failed("training add");
    DEMO("-C", FR, "amend", id, "--until", d[4]);
    DEMO("-C", FX, "training", "add", "--title",
         "Document examination for border police", "--type", "host-authorities",
         "--date", d[4], "--until", d[5], "--place", "Baghdad", "--organiser",
         "FRONTEX", "--attendees", "18");
    /* Carriers and contacts. */
    DEMO("-C", IT, "carrier", "add", "--carrier", "Anatolian Air", "--position",
         "Document checks at the gate for flights to Rome", "--date", d[3],
         "--states", "DE,FR,IT,NL");
    DEMO("-C", DE, "contact", "add", "--counterpart",
         "Presidency of Migration Management", "--type", "authority", "--date",
         d[1], "--place", "Ankara", "--country", "TR", "--summary",
         "Quarterly exchange on irregular departures");
    DEMO("-C", DE, "contact", "add", "--on-behalf-of", "NL", "--counterpart",
         "Erbil Airport Border Police", "--type", "authority", "--date", d[5],
         "--country", "IQ", "--summary", "Return escorts (for NL)");
    DEMO("-C", FX, "contact", "add", "--counterpart", "IOM Iraq", "--type",
         "organisation", "--date", d[2], "--country", "IQ", "--summary",
         "Assisted voluntary return and reintegration");
    demo_at(8);
    if (demo_run(id, sizeof(id), "-C", NL, "observe", "--category", "routes",
                 "--summary", "Duplicate entry, recorded twice", "--period",
                 d[7], (char *)NULL) != 0)
        return demo_failed("observe (to retract)");
    DEMO("-C", NL, "retract", id, "--reason", "duplicate");
    unsetenv("ILONET_CLOCK_OFFSET_MS");
#undef DE
#undef FR
#undef IT
#undef NL
#undef FX
#undef EU
    return 0;
}

int
cmd_demo(struct cmd_env *env, int argc, char **argv)
{
    char dir[HOME_PATH_MAX], net[HOME_PATH_MAX], path[HOME_PATH_MAX];
    char home[DEMO_NODES + 1][HOME_PATH_MAX], base_s[16], sem[8],
        out[3][HOME_PATH_MAX];
    struct report_rotation *rot = NULL;
    struct demo_hashes hs[DEMO_NODES + 1];
    char err[REPORT_ERR_MAX], hq[HOME_PATH_MAX] = "";
    const char *d, *pres, *regime;
    uint64_t from_ms, to_ms, now_ms, t0;
    struct cmd_opts o;
    struct stat sb;
    long base = 0;
    int serve, rc = 1, converged = 0, ssize, current;
    struct sigaction sa;

    (void)env;
    if (cmd_wants_help(argc, argv, demo_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    d = cmd_opt(&o, "--dir");
    serve = cmd_flag(&o, "--serve");
    regime = cmd_opt(&o, "--regime");
    if ((rc = cmd_opts_done(&o, "demo")) != 0)
        return rc;
    if (!regime)
        regime = "377-2004";
    if (strcmp(regime, "377-2004") != 0 && strcmp(regime, "2019-1240") != 0)
        return cmd_usage("demo",
                         "--regime %s: unknown regime (one of "
                         "377-2004, 2019-1240)",
                         regime);
    current = strcmp(regime, "2019-1240") == 0;
    demo_states = current ? demo_states_2019 : demo_states_seed;
    snprintf(dir, sizeof(dir), "%s", d ? d : "demo");
    ssize = (int)readlink("/proc/self/exe", demo_exe, sizeof(demo_exe) - 1);
    if (ssize <= 0)
        return cmd_fail("demo", "cannot find the ilonet binary");
    demo_exe[ssize] = '\0';
    t0 = home_now_ms();
    now_ms = t0;

    /* A fresh directory: an earlier demo (marked) is replaced. */
    snprintf(path, sizeof(path), "%s/%s", dir, DEMO_MARK);
    if (stat(path, &sb) == 0)
        nftw(dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cmd_fail("demo", "--dir %s: %s", dir, strerror(errno));
    snprintf(net, sizeof(net), "%s/net", dir);
    if (stat(net, &sb) == 0)
        return cmd_fail("demo",
                        "--dir %s holds files that are not an "
                        "earlier demo; choose another --dir",
                        dir);
    {
        FILE *m = fopen(path, "w");
        if (m)
            fclose(m);
    }
    snprintf(demo_logpath, sizeof(demo_logpath), "%s/demo.log", dir);

    report_semester_of(now_ms, sem);
    report_semester_parse(sem, &from_ms, &to_ms);
    if (report_default_rotation(&rot, err, sizeof(err)) != 0)
        return cmd_fail("demo", "%s", err);
    /* no presidency under 2019-1240: the network's chair drafts */
    pres = current ? NULL : report_rotation_get(rot, sem);
    for (long b = 7400 + (long)(getpid() % 400) * 10, k = 0; k < 200;
         k++, b += 37) {
        if (b > 60000)
            b = 7400 + b % 1000;
        if (demo_ports_free(b, DEMO_NODES + 1)) {
            base = b;
            break;
        }
    }
    if (!base) {
        report_rotation_free(rot);
        return cmd_fail("demo", "no free loopback ports found");
    }
    snprintf(base_s, sizeof(base_s), "%ld", base);

    if (current)
        printf("ilonet demo: regime 2019-1240, regional network TR+IQ, "
               "semester %s, chair IT (a signed chair entry)\n",
               sem);
    else
        printf("ilonet demo: host country TR, semester %s, presidency %s\n",
               sem, pres ? pres : "(not in the rotation data)");
    printf("  [1/6] testnet for %s %s %s %s %s %s%s%s in %s\n", demo_states[0],
           demo_states[1], demo_states[2], demo_states[3], demo_states[4],
           demo_states[5], pres ? " + presidency headquarters " : "",
           pres ? pres : "", net);
    fflush(stdout);
    {
        char v[32];
        snprintf(v, sizeof(v), "-%llu",
                 (unsigned long long)(now_ms - from_ms + 86400000ull));
        setenv("ILONET_CLOCK_OFFSET_MS", v, 1);
    }
    if (current)
        rc = demo_run(NULL, 0, "testnet", "--host", "TR", "--states",
                      "DE,FR,IT,NL,FRONTEX,EU", "--out", net, "--base-port",
                      base_s, "--regime", "2019-1240", "--countries", "IQ,TR",
                      (char *)NULL);
    else if (pres)
        rc = demo_run(NULL, 0, "testnet", "--host", "TR", "--states",
                      "DE,FR,IT,NL,ES,EU", "--out", net, "--base-port", base_s,
                      "--presidency", pres, (char *)NULL);
    else
        rc = demo_run(NULL, 0, "testnet", "--host", "TR", "--states",
                      "DE,FR,IT,NL,ES,EU", "--out", net, "--base-port", base_s,
                      (char *)NULL);
    unsetenv("ILONET_CLOCK_OFFSET_MS");
    if (rc != 0) {
        report_rotation_free(rot);
        return demo_failed("testnet");
    }
    for (int i = 0; i < DEMO_NODES; i++)
        snprintf(home[i], sizeof(home[i]), "%s/%s", net, demo_states[i]);
    if (pres)
        snprintf(hq, sizeof(hq), "%s/%s-presidency", net, pres);
    snprintf(home[DEMO_NODES], sizeof(home[DEMO_NODES]), "%s",
             pres ? hq : home[2]);

    /* Stop the nodes on Ctrl-C or kill, whatever step we are at. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = demo_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    printf("  [2/6] starting %d nodes on 127.0.0.1:%ld-%ld\n", DEMO_NODES,
           base + 1, base + DEMO_NODES);
    fflush(stdout);
    snprintf(path, sizeof(path), "%s/logs", dir);
    mkdir(path, 0755);
    for (int i = 0; i < DEMO_NODES; i++) {
        char lp[HOME_PATH_MAX];
        pid_t pid;
        snprintf(lp, sizeof(lp), "%s/logs/%s.log", dir, demo_states[i]);
        pid = fork();
        if (pid == 0) {
            int fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
            signal(SIGINT, SIG_IGN); /* the demo stops us with SIGTERM */
            if (serve) /* web page on a free loopback port (--serve) */
                execl(demo_exe, demo_exe, "-C", home[i], "node", "--http",
                      "127.0.0.1:0", (char *)NULL);
            execl(demo_exe, demo_exe, "-C", home[i], "node", (char *)NULL);
            _exit(127);
        }
        if (pid < 0) {
            rc = cmd_fail("demo", "fork: %s", strerror(errno));
            goto out;
        }
        demo_pids[i] = pid;
    }
    for (int i = 0; i < DEMO_NODES; i++) {
        int up = 0;
        for (int k = 0; k < 250 && !up; k++) {
            int st;
            if (waitpid(demo_pids[i], &st, WNOHANG) == demo_pids[i]) {
                demo_pids[i] = 0;
                rc = cmd_fail("demo",
                              "node %s exited at start (see "
                              "%s/logs/%s.log)",
                              demo_states[i], dir, demo_states[i]);
                goto out;
            }
            up = demo_port_up(base + i + 1);
            if (!up)
                demo_sleep_ms(20);
        }
        if (!up) {
            rc = cmd_fail("demo", "node %s did not start listening",
                          demo_states[i]);
            goto out;
        }
    }

    printf("  [3/6] writing sample data (every record kind)\n");
    fflush(stdout);
    if ((rc = current ? demo_data_2019(net, from_ms, home_now_ms())
                      : demo_data(net, pres, from_ms, home_now_ms())) != 0)
        goto out;

    printf("  [4/6] waiting for the nodes to converge\n");
    fflush(stdout);
    for (int k = 0; k < 150 && !converged; k++) {
        converged = 1;
        for (int i = 0; i < DEMO_NODES; i++)
            if (demo_status(home[i], &hs[i]) != 0)
                converged = 0;
        for (int i = 1; i < DEMO_NODES && converged; i++) {
            if (strcmp(hs[i].dh_net, hs[0].dh_net) != 0)
                converged = 0;
            if (DEMO_MS(i) && strcmp(hs[i].dh_ms, hs[0].dh_ms) != 0)
                converged = 0;
        }
        if (!converged)
            demo_sleep_ms(200);
    }

    printf(current ? "  [5/6] the chair's node (IT) holds everything\n"
                   : "  [5/6] presidency node pulls with `ilonet sync`\n");
    fflush(stdout);
    {
        if (pres && demo_run(NULL, 0, "-C", hq, "sync", "--timeout", "10",
                             (char *)NULL) != 0) {
            rc = demo_failed("sync (presidency)");
            goto out;
        }
    }
    demo_status(home[DEMO_NODES], &hs[DEMO_NODES]);
    printf("\n    %-16s %-18s %-18s\n", "node", "view hash (net)",
           "view hash (ms)");
    for (int i = 0; i <= DEMO_NODES; i++) {
        char name[32];
        if (i == DEMO_NODES && !pres)
            break;
        snprintf(name, sizeof(name), "%s%s",
                 i < DEMO_NODES ? demo_states[i] : pres,
                 i < DEMO_NODES ? "" : " (presidency)");
        printf("    %-16s %-18.16s %-18.16s\n", name, hs[i].dh_net,
               hs[i].dh_ms[0] ? hs[i].dh_ms : "(not a member)");
    }
    {
        int same = 1;
        for (int i = 1; i <= DEMO_NODES; i++) {
            if (i == DEMO_NODES && !pres)
                break;
            if (strcmp(hs[i].dh_net, hs[0].dh_net) != 0)
                same = 0;
            if ((i == DEMO_NODES || DEMO_MS(i)) &&
                strcmp(hs[i].dh_ms, hs[0].dh_ms) != 0)
                same = 0;
        }
        printf("    %s\n\n", same ? "converged: every node shows the same "
                                    "view of each audience it is in"
                                  : "NOT converged (see logs/)");
        if (!same) {
            rc = 1;
            goto out;
        }
    }

    printf("  [6/6] semester report from the %s node\n", pres ? "presidency"
                                                         : current
                                                             ? "chair's (IT)"
                                                             : "IT");
    fflush(stdout);
    {
        static const char *const fmts[3] = {"html", "md", "json"};
        for (int f = 0; f < 3; f++) {
            snprintf(out[f], sizeof(out[f]), "%s/report-%s.%s", dir, sem,
                     fmts[f]);
            if (demo_run(NULL, 0, "-C", home[DEMO_NODES], "report",
                         "--semester", sem, "--format", fmts[f], "--out",
                         out[f], (char *)NULL) != 0) {
                rc = demo_failed("report");
                goto out;
            }
        }
    }
    if (pres) {
        /* Reproducibility shown: IT's node holds the same entries as the
         * presidency's (neither is in the DE+FR audience). */
        char again[HOME_PATH_MAX];
        unsigned char h1[32], h2[32];
        snprintf(again, sizeof(again), "%s/report-%s-from-IT.html", dir, sem);
        if (demo_run(NULL, 0, "-C", home[2], "report", "--semester", sem,
                     "--format", "html", "--out", again, (char *)NULL) == 0 &&
            demo_file_digest(out[0], h1) == 0 &&
            demo_file_digest(again, h2) == 0)
            printf("    IT's node draws up the same report, byte for byte: "
                   "%s\n",
                   memcmp(h1, h2, 32) == 0 ? "yes" : "NO");
    }
    printf("\nReport: %s\n        (also %s and %s), done in %.1f s\n", out[0],
           out[1], out[2], (double)(home_now_ms() - t0) / 1000.0);
    rc = 0;
    if (serve) {
        /* --- web pages (node/http.h) --- */
        char url[HOME_PATH_MAX];
        if (pres) {
            char lp[HOME_PATH_MAX];
            pid_t pid;
            snprintf(lp, sizeof(lp), "%s/logs/%s-presidency.log", dir, pres);
            pid = fork();
            if (pid == 0) {
                int fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) {
                    dup2(fd, 1);
                    dup2(fd, 2);
                    close(fd);
                }
                signal(SIGINT, SIG_IGN);
                execl(demo_exe, demo_exe, "-C", hq, "node", "--http",
                      "127.0.0.1:0", (char *)NULL);
                _exit(127);
            }
            if (pid > 0)
                demo_pids[DEMO_NODES] = pid;
        }
        printf("--serve: the nodes keep running; Ctrl-C stops them. Web "
               "pages:\n");
        for (int i = 0; i <= DEMO_NODES; i++) {
            char lp[HOME_PATH_MAX];
            if (i == DEMO_NODES && !pres)
                break;
            snprintf(lp, sizeof(lp), "%s/logs/%s%s.log", dir,
                     i < DEMO_NODES ? demo_states[i] : pres,
                     i < DEMO_NODES ? "" : "-presidency");
            if (demo_http_url(lp, url, sizeof(url)) == 0)
                printf("    %-16s %s\n",
                       i < DEMO_NODES ? demo_states[i] : "presidency", url);
        }
        {
            char lp[HOME_PATH_MAX];
            snprintf(lp, sizeof(lp), "%s/logs/%s%s.log", dir,
                     pres ? pres : "IT", pres ? "-presidency" : "");
            if (demo_http_url(lp, url, sizeof(url)) == 0)
                printf("\nPresidency node's page: %s\n", url);
        }
        fflush(stdout);
        /* --- end web pages --- */
        for (;;)
            pause();
    }
out:
    demo_stop_nodes();
    report_rotation_free(rot);
    return rc;
}
