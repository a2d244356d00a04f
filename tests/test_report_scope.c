/* test_report_scope.c - the report's scope rule (docs/REPORTS.md, "Scope",
 * "Stubs"): restricted meetings and tasks publish a net stub in the same action
 * (CLI and the use case the API calls); the body is the same on every node; the
 * Member States' annex is marked and separate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "node/home.h"
#include "node/report/report.h"
#include "proc.h"
#include "test.h"

#define CANARY_PLACE "Canary-Place-7f3a"
#define CANARY_TOPIC "Canary-Topic-9b21"
#define CANARY_TASK "Canary-Task-c0de"

/* A testnet (DE, FR, EU: the Commission's node) in a fresh directory. */
static char *
scope_net(const char *tag)
{
    char *d = test_tmpdir(tag), out[1024], port[16];
    struct cli_out o;

    snprintf(out, sizeof(out), "%s/n", d);
    snprintf(port, sizeof(port), "%d", proc_pid_base(21000, 1200, 10));
    ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", "DE,FR,EU",
                      "--out", out, "--base-port", port, NULL),
              0);
    cli_out_free(&o);
    free(d);
    return strdup(out);
}

static void
scope_home(char *buf, size_t cap, const char *n, const char *state)
{
    snprintf(buf, cap, "%s/%s", n, state);
}

/* Copies every entry from's node may share with to's node. */
static void
scope_ship(const char *n, const char *from, const char *to)
{
    char a[1024], b[1024], f[1100];
    struct cli_out o;

    scope_home(a, sizeof(a), n, from);
    scope_home(b, sizeof(b), n, to);
    snprintf(f, sizeof(f), "%s/%s-to-%s.bin", n, from, to);
    ASSERT_EQ(cli_run(&o, "-C", a, "export", "--out", f, NULL), 0);
    cli_out_free(&o);
    cli_run(&o, "-C", b, "import", f, NULL); /* may skip other audiences */
    ASSERT(o.co_status == 0 || o.co_status == 1);
    cli_out_free(&o);
}

static void
scope_today(char out[11])
{
    report_date_of(proc_wall_ms(), out);
}

/* The report of state's node for the semester holding today. */
static char *
scope_report(const char *n, const char *state, const char *fmt)
{
    char h[1024], sem[8];
    struct cli_out o;

    report_semester_of(proc_wall_ms(), sem);
    scope_home(h, sizeof(h), n, state);
    if (cli_run(&o, "-C", h, "report", "--period", sem, "--format", fmt,
                NULL) != 0)
        TEST_FAIL_("report from %s failed: %s", state, o.co_err);
    free(o.co_err);
    return o.co_out;
}

/* `meeting add --commission excluded` and `task create` each print the
 * id of the net stub written with them (--json); the Commission's node
 * holds the stubs (not the records), and its report states both. */
static void
stubs_written_with_restricted_records(void)
{
    char *n = scope_net("rscope-stub"), fr[1024], eu[1024], today[11];
    char stub[65], out[4096];
    struct cli_out o;

    scope_today(today);
    scope_home(fr, sizeof(fr), n, "FR");
    scope_home(eu, sizeof(eu), n, "EU");
    ASSERT_EQ(cli_run(&o, "-C", fr, "meeting", "add", "--json", "--date", today,
                      "--place", CANARY_PLACE, "--convenor", "FR",
                      "--participants", "DE,FR", "--commission", "excluded",
                      "--exclusion", "investigation", "--topics", CANARY_TOPIC,
                      NULL),
              0);
    ASSERT_EQ(proc_json_str(o.co_out, "audience", stub, sizeof(stub)), 0);
    ASSERT_STR_EQ(stub, "ms");
    ASSERT_EQ(proc_json_str(o.co_out, "stub", stub, sizeof(stub)), 0);
    ASSERT_EQ(strlen(stub), 64);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", fr, "task", "create", "--json", "--for", "DE",
                      "--title", CANARY_TASK, NULL),
              0);
    ASSERT_EQ(proc_json_str(o.co_out, "audience", stub, sizeof(stub)), 0);
    ASSERT_STR_EQ(stub, "DE+FR");
    ASSERT_EQ(proc_json_str(o.co_out, "stub", stub, sizeof(stub)), 0);
    cli_out_free(&o);
    /* a meeting in net has no stub: it is there for everyone */
    ASSERT_EQ(cli_run(&o, "-C", fr, "meeting", "add", "--json", "--date", today,
                      "--place", "Ankara", "--convenor", "FR", "--participants",
                      "DE,FR,EU", "--commission", "present", "--topics",
                      "routes", NULL),
              0);
    ASSERT(!strstr(o.co_out, "\"stub\""));
    cli_out_free(&o);
    scope_ship(n, "FR", "EU");
    ASSERT_EQ(cli_run(&o, "-C", eu, "query",
                      "SELECT about, date = '' || date('now'), convenor, "
                      "exclusion, states, audience FROM stubs ORDER BY about",
                      NULL),
              0);
    snprintf(out, sizeof(out),
             "about\tdate = '' || date('now')\tconvenor\texclusion\tstates\t"
             "audience\n"
             "meeting\t1\tFR\tinvestigation\t-\tnet\n"
             "task\t1\t-\t-\tDE,FR\tnet\n");
    ASSERT_STR_EQ(o.co_out, out);
    cli_out_free(&o);
    ASSERT_EQ(
        cli_run(&o, "-C", eu, "query", "SELECT count(*) FROM meetings", NULL),
        0);
    ASSERT_STR_EQ(o.co_out, "count(*)\n1\n"); /* the net one only */
    cli_out_free(&o);
    {
        char *r = scope_report(n, "EU", "md");

        ASSERT(strstr(r, "| Meetings | With the Commission | Without the "
                         "Commission |"));
        ASSERT(strstr(r, "| 2 | 1 | 1 |"));
        ASSERT(strstr(r, "| FR | - | Excluded for operational reasons | "
                         "Ongoing criminal investigation | - |"));
        ASSERT(strstr(r, "| DE,FR |"));
        ASSERT(!strstr(r, CANARY_PLACE));
        ASSERT(!strstr(r, CANARY_TOPIC));
        ASSERT(!strstr(r, CANARY_TASK));
        free(r);
    }
    free(n);
}

/* Bad input: a category of reason without --commission excluded, or not
 * in the vocabulary, is refused naming the field; nothing is written
 * (neither the stub nor the record). */
static void
stub_bad_input_writes_nothing(void)
{
    char *n = scope_net("rscope-bad"), fr[1024], today[11], before[8192];
    struct cli_out o;

    scope_today(today);
    scope_home(fr, sizeof(fr), n, "FR");
    ASSERT_EQ(cli_run(&o, "-C", fr, "log", NULL), 0);
    snprintf(before, sizeof(before), "%s", o.co_out);
    cli_out_free(&o);
    ASSERT_NE(cli_run(&o, "-C", fr, "meeting", "add", "--date", today,
                      "--place", "x", "--convenor", "FR", "--participants",
                      "DE,FR", "--commission", "present", "--exclusion",
                      "investigation", "--topics", "t", NULL),
              0);
    ASSERT(strstr(o.co_err, "'exclusion'"));
    ASSERT(strstr(o.co_err, "--commission excluded"));
    cli_out_free(&o);
    ASSERT_NE(cli_run(&o, "-C", fr, "meeting", "add", "--date", today,
                      "--place", "x", "--convenor", "FR", "--participants",
                      "DE,FR", "--commission", "excluded", "--exclusion",
                      "weather", "--topics", "t", NULL),
              0);
    ASSERT(strstr(o.co_err, "exclusion"));
    ASSERT(strstr(o.co_err, "operational"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", fr, "log", NULL), 0);
    ASSERT_STR_EQ(o.co_out, before);
    cli_out_free(&o);
    free(n);
}

/* The use case the HTTP API calls (app_record_create, POST /api/...)
 * writes the stub with the record and reports its id. */
static void
stub_through_the_use_case(void)
{
    char *n = scope_net("rscope-app"), fr[1024], today[11], hex[65];
    struct app_field f[7];
    struct app_record_req rq;
    struct app_written w;
    struct app_err err;
    struct cli_out o;
    struct home h;

    scope_today(today);
    scope_home(fr, sizeof(fr), n, "FR");
    ASSERT_OK(home_open(&h, fr, HOME_STORE));
    f[0] = (struct app_field){"date", today};
    f[1] = (struct app_field){"place", CANARY_PLACE};
    f[2] = (struct app_field){"convenor", "FR"};
    f[3] = (struct app_field){"participants", "DE,FR"};
    f[4] = (struct app_field){"commission", "excluded"};
    f[5] = (struct app_field){"topics", CANARY_TOPIC};
    f[6] = (struct app_field){"exclusion", "host-request"};
    memset(&rq, 0, sizeof(rq));
    rq.rq_kind = KIND_MEETING;
    rq.rq_fields = f;
    rq.rq_nfields = 7;
    ASSERT_OK(app_record_create(&h, &rq, &w, &err));
    ASSERT_STR_EQ(w.aw_audience, "ms");
    ASSERT_EQ(w.aw_has_stub, 1);
    ASSERT(memcmp(w.aw_stub, w.aw_id, HASH_LEN) != 0);
    home_close(&h);
    hash_hex(w.aw_stub, HASH_LEN, hex);
    ASSERT_EQ(cli_run(&o, "-C", fr, "show", hex, NULL), 0);
    ASSERT(strstr(o.co_out, "audience       net"));
    ASSERT(strstr(o.co_out, "host-request"));
    ASSERT(!strstr(o.co_out, CANARY_PLACE));
    ASSERT(!strstr(o.co_out, CANARY_TOPIC));
    cli_out_free(&o);
    free(n);
}

/* Every node computes the same body, the Commission's included, in every
 * format; the annex for Member States is asked for, marked and after the
 * body, and refused to the Commission's node. */
static void
same_body_everywhere_annex_apart(void)
{
    static const char *const fmts[] = {"md", "html", "json"};
    char *n = scope_net("rscope-same"), fr[1024], today[11], sem[8];
    struct cli_out o;

    scope_today(today);
    report_semester_of(proc_wall_ms(), sem);
    scope_home(fr, sizeof(fr), n, "FR");
    ASSERT_EQ(cli_run(&o, "-C", fr, "meeting", "add", "--date", today,
                      "--place", CANARY_PLACE, "--convenor", "FR",
                      "--participants", "DE,FR", "--commission", "excluded",
                      "--topics", CANARY_TOPIC, NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", fr, "observe", "--category", "routes",
                      "--summary", "Edirne route reopened", NULL),
              0);
    cli_out_free(&o);
    scope_ship(n, "FR", "DE");
    scope_ship(n, "FR", "EU");
    for (int i = 0; i < 3; i++) {
        char *a = scope_report(n, "DE", fmts[i]);
        char *b = scope_report(n, "FR", fmts[i]);
        char *c = scope_report(n, "EU", fmts[i]);

        ASSERT_STR_EQ(a, b);
        ASSERT_STR_EQ(a, c);
        ASSERT(strstr(a, "Edirne route reopened"));
        ASSERT(!strstr(a, CANARY_PLACE));
        ASSERT(!strstr(a, CANARY_TOPIC));
        free(a);
        free(b);
        free(c);
    }
    for (int i = 0; i < 3; i++) {
        char h[1024];
        const char *mark;
        char *body = scope_report(n, "DE", fmts[i]);

        scope_home(h, sizeof(h), n, "DE");
        ASSERT_EQ(cli_run(&o, "-C", h, "report", "--period", sem, "--format",
                          fmts[i], "--annex", "ms", NULL),
                  0);
        ASSERT(strstr(o.co_out, CANARY_PLACE));
        ASSERT(strstr(o.co_out, "for the Member States only"));
        mark = i == 2 ? "\"annex_ms\":" : "<!-- ilonet:annex -->";
        ASSERT(strstr(o.co_out, mark));
        ASSERT(strstr(o.co_out, mark) < strstr(o.co_out, CANARY_PLACE));
        /* the body before the annexes is the same bytes as without it */
        ASSERT(strncmp(o.co_out, body,
                       (size_t)(strstr(o.co_out, mark) - o.co_out)) == 0);
        cli_out_free(&o);
        free(body);
    }
    {
        char h[1024];

        scope_home(h, sizeof(h), n, "EU");
        ASSERT_EQ(cli_run(&o, "-C", h, "report", "--period", sem, "--annex",
                          "ms", NULL),
                  1);
        ASSERT(strstr(o.co_err, "not a Member State's"));
        ASSERT(!o.co_out[0]);
        cli_out_free(&o);
    }
    free(n);
}

/* Attesting never changes the report attested: a node that has written
 * nothing else (a presidency's headquarters) does not become a member or
 * change the drafting rule by attesting, so every member, before or after
 * receiving the others' attestations, attests the same hash. */
static void
attesting_leaves_the_body_alone(void)
{
    char *n = scope_net("rscope-att"), de[1024], fr[1024], sem[8];
    char *before, *after, *b, *a;
    struct cli_out o;

    report_semester_of(proc_wall_ms(), sem);
    scope_home(de, sizeof(de), n, "DE");
    scope_home(fr, sizeof(fr), n, "FR");
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "routes",
                      "--summary", "Edirne route reopened", NULL),
              0);
    cli_out_free(&o);
    scope_ship(n, "DE", "FR");
    before = scope_report(n, "DE", "md");
    ASSERT(strstr(before, "| Members | Germany (DE) |"));
    ASSERT_EQ(cli_run(&o, "-C", fr, "report", "attest", "--period", sem, NULL),
              0);
    cli_out_free(&o);
    scope_ship(n, "FR", "DE");
    after = scope_report(n, "DE", "md");
    b = strstr(before, "<!-- ilonet:annex -->");
    a = strstr(after, "<!-- ilonet:annex -->");
    ASSERT(a && b);
    ASSERT_EQ((long)(b - before), (long)(a - after));
    ASSERT(memcmp(before, after, (size_t)(b - before)) == 0);
    ASSERT(strstr(after, "| France (FR) | "));
    ASSERT(strstr(after, "| same as this document |"));
    free(before);
    free(after);
    free(n);
}

TEST_LIST = {
    TEST(stubs_written_with_restricted_records),
    TEST(stub_bad_input_writes_nothing),
    TEST(stub_through_the_use_case),
    TEST(same_body_everywhere_annex_apart),
    TEST(attesting_leaves_the_body_alone),
};

TEST_MAIN()
