/* test_report.c - `ilonet report`: every template item in each format,
 * audiences, reproducibility, empty semesters, bad input, the presidency
 * pulling; the view's read API for reports (view_report_*). */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/error.h"
#include "crypto/wire.h"
#include "node/home.h"
#include "node/report/report.h"
#include "storage/log.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "proc.h"
#include "fixture.h"
#include "test.h"

#define RUN_OK(...)                                                            \
    do {                                                                       \
        struct cli_out o_;                                                     \
        if (cli_run(&o_, __VA_ARGS__, NULL) != 0)                              \
            TEST_FAIL_("ilonet %s failed (%d): %s", #__VA_ARGS__,              \
                       o_.co_status, o_.co_err);                               \
        cli_out_free(&o_);                                                     \
    } while (0)

/* The current semester ("2026-H2") from the wall clock. */
static void
this_semester(char out[8])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    report_semester_of((uint64_t)ts.tv_sec * 1000, out);
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* A testnet in a fresh directory; returns its path (malloc'd). */
static char *
net(const char *tag, const char *states, const char *pres, long *base)
{
    char *d = test_tmpdir(tag), out[1024], port[16];
    struct cli_out o;

    *base = proc_pid_base(20000, 1200, 10);
    snprintf(out, sizeof(out), "%s/n", d);
    snprintf(port, sizeof(port), "%ld", *base);
    if (pres)
        ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", states,
                          "--out", out, "--base-port", port, "--presidency",
                          pres, NULL),
                  0);
    else
        ASSERT_EQ(cli_run(&o, "testnet", "--host", "TR", "--states", states,
                          "--out", out, "--base-port", port, NULL),
                  0);
    cli_out_free(&o);
    free(d);
    return strdup(out);
}

static void
home(char *buf, size_t cap, const char *n, const char *state)
{
    snprintf(buf, cap, "%s/%s", n, state);
}

/* Copies every entry the node at `from` may share with `to`'s node. */
static void
ship(const char *n, const char *from, const char *to)
{
    char a[1024], b[1024], f[1100];
    struct cli_out o;
    home(a, sizeof(a), n, from);
    home(b, sizeof(b), n, to);
    snprintf(f, sizeof(f), "%s/%s-to-%s.bin", n, from, to);
    RUN_OK("-C", a, "export", "--out", f);
    cli_run(&o, "-C", b, "import", f, NULL); /* may skip other audiences */
    ASSERT(o.co_status == 0 || o.co_status == 1);
    cli_out_free(&o);
}

/* Sample records: a net observation with a figure, one without, an ms
 * meeting, a retracted observation. */
static void
sample(const char *n)
{
    char de[1024], fr[1024];
    struct cli_out o;
    char today[11];
    struct timespec ts;

    /* reports place records by their event date: the meeting is held in
     * the semester the tests report on (today's) */
    clock_gettime(CLOCK_REALTIME, &ts);
    report_date_of((uint64_t)ts.tv_sec * 1000, today);
    home(de, sizeof(de), n, "DE");
    home(fr, sizeof(fr), n, "FR");
    RUN_OK("-C", de, "observe", "--category", "flows", "--summary",
           "Arrivals via Van rising", "--figure", "0", "--unit", "persons",
           "--nationality", "AF", "--reliability", "B");
    RUN_OK("-C", fr, "observe", "--category", "routes", "--summary",
           "Edirne route reopened");
    RUN_OK("-C", fr, "meeting", "add", "--date", today, "--place",
           "Secret-Place-Ankara", "--convenor", "FR", "--participants", "DE,FR",
           "--commission", "excluded", "--reason", "operational", "--topics",
           "investigation");
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "incidents",
                      "--summary", "Retracted-Observation-Text", NULL),
              0);
    o.co_out[strcspn(o.co_out, "\n")] = '\0';
    RUN_OK("-C", de, "retract", o.co_out);
    cli_out_free(&o);
}

static char *
report(const char *n, const char *state, const char *sem, const char *fmt)
{
    char h[1024];
    struct cli_out o;
    home(h, sizeof(h), n, state);
    if (cli_run(&o, "-C", h, "report", "--semester", sem, "--format", fmt,
                NULL) != 0)
        TEST_FAIL_("report from %s failed: %s", state, o.co_err);
    free(o.co_err);
    return o.co_out;
}

static const char *const headings[] = {
    "Composition of the network",
    "Meetings",
    "Exchange of information and practical experience",
    "Contacts with host-country authorities",
    "Coordinated positions towards commercial carriers",
    "Training",
    "Common approaches to gathering",
    "Problems encountered",
    "General context",
    "Flows (volumes, nationalities, trends)",
    "Routes",
    "Modus operandi",
    "Criminal organisations involved in smuggling",
    "Incidents and events that may change flows",
    "Document fraud methods",
    "Assistance to host-country authorities",
    "Return and readmission cooperation",
    "Relevant legislation and practice",
    "Access to protection for asylum seekers",
    NULL};

static void
t_items_in_every_format(void)
{
    static const char *const fmts[] = {"md", "html", "json"};
    static const char *const item_md[] = {"### I.8 ", "### II.11 "};
    char sem[8];
    long base;
    char *n = net("report-items", "DE,FR,EU", NULL, &base);

    this_semester(sem);
    sample(n);
    ship(n, "FR", "DE");
    for (int f = 0; f < 3; f++) {
        char *r = report(n, "DE", sem, fmts[f]);
        for (int i = 0; headings[i]; i++)
            if (!strstr(r, headings[i]))
                TEST_FAIL_("%s report lacks item '%s'", fmts[f], headings[i]);
        ASSERT(strstr(r, "2005-687/provisional-1"));
        ASSERT(strstr(r, "PROVISIONAL"));
        ASSERT(strstr(r, "Arrivals via Van rising"));
        ASSERT(!strstr(r, "Retracted-Observation-Text"));
        if (f == 0)
            for (int i = 0; i < 2; i++)
                ASSERT(strstr(r, item_md[i]));
        if (f == 1) {
            ASSERT(strncmp(r, "<!DOCTYPE html>", 15) == 0);
            ASSERT(strstr(r, "<svg"));
            ASSERT(!strstr(r, "http://") ||
                   count(r, "http://") ==
                       count(r, "http://www.w3.org/2000/svg"));
            ASSERT(!strstr(r, "<script"));
            ASSERT(!strstr(r, "<link"));
        }
        if (f == 2) {
            ASSERT_EQ(r[0], '{');
            ASSERT_EQ(count(r, "\"heading\":"), 2 + 19);
            /* 0 stays 0; the missing figure is null, not 0 */
            ASSERT(strstr(r, "\"flows\",1,1,0,\"persons\",0]"));
            ASSERT(strstr(r, "\"routes\",1,0,1,null,null]"));
        }
        free(r);
    }
    free(n);
}

static void
t_ms_meeting_only_for_member_states(void)
{
    char sem[8];
    long base;
    char *n = net("report-ms", "DE,FR,EU", NULL, &base), *eu, *de;

    this_semester(sem);
    sample(n);
    ship(n, "FR", "EU");
    ship(n, "FR", "DE");
    ship(n, "DE", "EU");
    eu = report(n, "EU", sem, "md");
    de = report(n, "DE", sem, "md");
    ASSERT(!strstr(eu, "Secret-Place-Ankara"));
    ASSERT(strstr(de, "Secret-Place-Ankara"));
    ASSERT(strstr(eu, "Edirne route reopened")); /* net data is there */
    free(eu);
    free(de);
    free(n);
}

static void
t_byte_identical_after_same_entries(void)
{
    static const char *const fmts[] = {"md", "html", "json"};
    char sem[8];
    long base;
    char *n = net("report-same", "DE,FR,EU", NULL, &base);

    this_semester(sem);
    sample(n);
    ship(n, "DE", "FR");
    ship(n, "FR", "DE");
    for (int f = 0; f < 3; f++) {
        char *a = report(n, "DE", sem, fmts[f]);
        char *b = report(n, "FR", sem, fmts[f]);
        if (strcmp(a, b) != 0)
            TEST_FAIL_("%s reports from DE and FR differ", fmts[f]);
        ASSERT(strstr(a, "Secret-Place-Ankara"));
        free(a);
        free(b);
    }
    free(n);
}

static void
t_empty_semester_says_no_information(void)
{
    long base;
    char *n = net("report-empty", "DE,EU", NULL, &base);
    char *md, *js, *html;

    md = report(n, "DE", "2020-H1", "md");
    js = report(n, "DE", "2020-H1", "json");
    html = report(n, "DE", "2020-H1", "html");
    ASSERT_EQ(count(md, "\nNo information recorded.\n"), 19);
    ASSERT_EQ(count(js, "\"empty\":true"), 19);
    ASSERT_EQ(count(html, "<p class=\"empty\">No information recorded.</p>"),
              19);
    ASSERT(strstr(md, "| Council presidency | not in the rotation data |"));
    free(md);
    free(js);
    free(html);
    free(n);
}

static void
t_bad_input(void)
{
    long base;
    char *n = net("report-bad", "DE,EU", NULL, &base);
    char h[1024], tp[1100], out[1100];
    struct cli_out o;
    struct stat sb;
    FILE *f;

    home(h, sizeof(h), n, "DE");
    snprintf(out, sizeof(out), "%s/out.html", n);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H3", "--out",
                      out, NULL),
              2);
    ASSERT(strstr(o.co_err, "--semester 2026-H3"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--format", "pdf", "--out", out, NULL),
              2);
    ASSERT(strstr(o.co_err, "--format pdf"));
    cli_out_free(&o);
    snprintf(tp, sizeof(tp), "%s/bad.tmpl", n);
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion test-1\npart I One\n"
          "item 1 Item\ntable meetings columns=date,colour\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              1);
    ASSERT(strstr(o.co_err, "bad.tmpl:5:"));
    ASSERT(strstr(o.co_err, "'colour'"));
    cli_out_free(&o);
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion test-1\npart I One\n"
          "item 1 Item\n\ntable weather\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              1);
    ASSERT(strstr(o.co_err, "bad.tmpl:6: unknown query 'weather'"));
    cli_out_free(&o);
    ASSERT(stat(out, &sb) != 0); /* never a partial file */
    /* A valid custom template is used as given. */
    f = fopen(tp, "w");
    ASSERT(f);
    fputs("ilonet-report-template 1\nversion custom-7\nstatus final\n"
          "part A Only part\nitem 1 Only meetings\ntable meetings\n",
          f);
    fclose(f);
    ASSERT_EQ(cli_run(&o, "-C", h, "report", "--semester", "2026-H1",
                      "--template", tp, "--out", out, NULL),
              0);
    ASSERT(stat(out, &sb) == 0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "report", "template", NULL), 0);
    ASSERT(strstr(o.co_out, "ilonet-report-template 1"));
    cli_out_free(&o);
    free(n);
}

/* Starts `ilonet -C home node` in the background; returns its pid after
 * its port accepts connections (the node logs "listen"). */
static pid_t
start_node(const char *h)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(cli_bin(), cli_bin(), "-C", h, "node", (char *)NULL);
        _exit(127);
    }
    ASSERT(pid > 0);
    usleep(400 * 1000);
    return pid;
}

static void
stop_node(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
}

static void
write_rotation(const char *path, const char *sem, const char *lines)
{
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fprintf(f, "# test rotation\n%s IE\n%s", sem, lines);
    fclose(f);
}

static void
t_presidency_pulls_and_reports(void)
{
    char sem[8], de[1024], hq[1024], rot[1100], peer[1200], nsem[8];
    long base;
    char *n = net("report-pull", "DE,FR,EU", "IE", &base);
    struct cli_out o, a, b;
    pid_t pid;
    int y;

    this_semester(sem);
    y = atoi(sem);
    snprintf(nsem, sizeof(nsem), "%04d-H%c", sem[6] == '1' ? y : y + 1,
             sem[6] == '1' ? '2' : '1');
    home(de, sizeof(de), n, "DE");
    snprintf(hq, sizeof(hq), "%s/IE-presidency", n);
    snprintf(rot, sizeof(rot), "%s/rotation.txt", n);
    {
        char next[64];
        snprintf(next, sizeof(next), "%s DE\n", nsem);
        write_rotation(rot, sem, next);
    }
    sample(n);
    ship(n, "FR", "DE");
    ASSERT_EQ(cli_run(&o, "-C", de, "id", "--json", NULL), 0);
    {
        char *k = strstr(o.co_out, "\"node\":\"");
        ASSERT(k);
        snprintf(peer, sizeof(peer), "tcp://127.0.0.1:%ld@%.64s", base + 1,
                 k + 8);
    }
    cli_out_free(&o);
    pid = start_node(de);
    /* The presidency headquarters (no ILO here) pulls from one member. */
    ASSERT_EQ(
        cli_run(&o, "-C", hq, "sync", "--peer", peer, "--timeout", "10", NULL),
        0);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&a, "-C", hq, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT_EQ(cli_run(&b, "-C", de, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(a.co_out, "Arrivals via Van rising"));
    ASSERT(strstr(a.co_out, "Secret-Place-Ankara")); /* HQ is a Member State */
    ASSERT(strstr(a.co_out, "| Council presidency | IE |"));
    ASSERT(
        strstr(a.co_out, "| Drawn up by | DE, acting for the presidency IE"));
    ASSERT_STR_EQ(a.co_out, b.co_out); /* same entries, same bytes */
    cli_out_free(&a);
    cli_out_free(&b);
    /* The presidency designates FR? FR has no entries held here, so not
     * eligible; it declares that it drafts itself from its headquarters. */
    ASSERT_EQ(cli_run(&o, "-C", hq, "report", "acting", "--semester", sem,
                      "--state", "IE", NULL),
              0);
    cli_out_free(&o);
    ASSERT_EQ(
        cli_run(&o, "-C", hq, "sync", "--peer", peer, "--timeout", "10", NULL),
        0);
    cli_out_free(&o);
    stop_node(pid);
    ASSERT_EQ(cli_run(&a, "-C", de, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(a.co_out, "| Drawn up by | IE, the presidency, as declared"));
    cli_out_free(&a);
    free(n);
}

static void
t_acting_state_reports_without_presidency_node(void)
{
    char sem[8], rot[1100], fr[1024], nsem[8], lines[64];
    long base;
    char *n = net("report-acting", "DE,FR,EU", NULL, &base);
    struct cli_out o;
    int y;

    this_semester(sem);
    y = atoi(sem);
    snprintf(nsem, sizeof(nsem), "%04d-H%c", sem[6] == '1' ? y : y + 1,
             sem[6] == '1' ? '2' : '1');
    snprintf(rot, sizeof(rot), "%s/rotation.txt", n);
    /* IE presides, has no node; next in rotation: PL (no node), then FR. */
    snprintf(lines, sizeof(lines), "%s PL\n%04d-H%c FR\n", nsem,
             nsem[6] == '1' ? atoi(nsem) : atoi(nsem) + 1,
             nsem[6] == '1' ? '2' : '1');
    write_rotation(rot, sem, lines);
    sample(n);
    ship(n, "DE", "FR");
    home(fr, sizeof(fr), n, "FR");
    ASSERT_EQ(cli_run(&o, "-C", fr, "report", "--semester", sem, "--rotation",
                      rot, NULL),
              0);
    ASSERT(strstr(o.co_out, "| Council presidency | IE |"));
    ASSERT(strstr(o.co_out, "| Drawn up by | FR, acting for the presidency "
                            "IE, which has no ILO in this network; first "
                            "state after IE in the rotation"));
    cli_out_free(&o);
    free(n);
}

/* ---- the view's read API for reports (storage/view/view.h) ------------- */

/* A home of a fresh testnet (DE's), opened with its store. */
static void
vr_open(const char *tag, struct home *h, char **n)
{
    char d[1024];
    long base;

    *n = net(tag, "DE,FR,EU", NULL, &base);
    home(d, sizeof(d), *n, "DE");
    ASSERT_OK(home_open(h, d, HOME_STORE));
}

/* Appends observations (category, summary) in one call at one wall time,
 * so they share their time_ms; their ids into ids (may be NULL). */
static void
vr_observe(struct home *h, const char *aud, uint64_t wall, size_t n,
           const char *const *cat, const char *const *sum,
           uint8_t (*ids)[HASH_LEN])
{
    struct log_append_req rq[16] = {{0}};
    struct log_ref ref[16];
    struct wire_buf wb[16];

    ASSERT(n <= 16);
    for (size_t i = 0; i < n; i++) {
        struct record_builder b;
        ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
        ASSERT_OK(record_set(&b, "category", cat[i]));
        ASSERT_OK(record_set(&b, "summary", sum[i]));
        wire_buf_init(&wb[i], ENTRY_PAYLOAD_MAX);
        if (record_build(&b, &wb[i]) != 0)
            TEST_FAIL_("record_build: %s", b.rb_err);
        rq[i].kind = KIND_OBSERVATION;
        rq[i].payload = wb[i].wb_data;
        rq[i].len = wb[i].wb_len;
    }
    ASSERT_OK(log_append(h->h_store, &h->h_key, aud, rq, n, wall, ref));
    for (size_t i = 0; i < n; i++) {
        if (ids)
            memcpy(ids[i], ref[i].lr_id, HASH_LEN);
        wire_buf_free(&wb[i]);
    }
}

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The period of the semester that holds wall. */
static void
vr_req(struct view_report_req *q, const char *query, uint64_t wall)
{
    char sem[8];

    memset(q, 0, sizeof(*q));
    report_semester_of(wall, sem);
    ASSERT_OK(report_semester_parse(sem, &q->vrq_from_ms, &q->vrq_to_ms));
    q->vrq_query = query;
    q->vrq_use = VIEW_REPORT_TABLE;
}

/* Rows of one text column ("summary") of observations under filters. */
static size_t
vr_summaries(struct home *h, uint64_t wall, size_t nf,
             const struct view_report_filter *f, char out[][128], size_t max)
{
    static const char *const cols[] = {"summary"};
    struct view_report_req q;
    struct view_report_rows rows;
    size_t n;

    vr_req(&q, "observations", wall);
    q.vrq_nfilters = nf;
    q.vrq_filters = f;
    q.vrq_ncols = 1;
    q.vrq_cols = cols;
    ASSERT_OK(view_report_rows(h->h_store, &q, &rows));
    ASSERT_EQ(rows.vrw_ncols, 1);
    n = rows.vrw_nrows;
    for (size_t i = 0; i < n && i < max; i++) {
        ASSERT_EQ(rows.vrw_cells[i].vcl_type, VIEW_REPORT_TEXT);
        snprintf(out[i], 128, "%s", rows.vrw_cells[i].vcl_text);
    }
    view_report_rows_free(&rows);
    return n;
}

static void
t_view_report_refuses_unknown_names(void)
{
    static const char *const bad_col[] = {"colour"};
    static const char *const base_only[] = {"id"}; /* of the base only */
    struct view_report_filter f[VIEW_REPORT_MAX_FILTERS + 1];
    struct view_report_req q;
    struct view_report_rows rows;
    const struct view_report_query *vq;
    struct home h;
    size_t nt = 0, nc = 0;
    char *n;

    /* the catalogue the template parser checks against */
    while (view_report_query_at(VIEW_REPORT_TABLE, nt))
        nt++;
    while (view_report_query_at(VIEW_REPORT_CHART, nc))
        nc++;
    ASSERT_EQ(nt, 14);
    ASSERT_EQ(nc, 2);
    ASSERT(!view_report_query_find(VIEW_REPORT_TABLE, "category-month"));
    ASSERT(!view_report_query_find(VIEW_REPORT_CHART, "members"));
    vq = view_report_query_find(VIEW_REPORT_TABLE, "contributions");
    ASSERT(vq);
    ASSERT_STR_EQ(vq->vq_base, "records");

    vr_open("report-vr-names", &h, &n);
    memset(&rows, 0x5a, sizeof(rows)); /* untouched on failure */
    vr_req(&q, "weather", now_ms());
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    vr_req(&q, "category-month", now_ms()); /* a chart, not a table */
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    vr_req(&q, "observations", now_ms());
    q.vrq_ncols = 1;
    q.vrq_cols = bad_col;
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    q.vrq_cols = base_only;
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    vr_req(&q, "observations", now_ms());
    q.vrq_nfilters = 1;
    q.vrq_filters = f;
    f[0].vf_column = "colour";
    f[0].vf_value = "red";
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    /* a column name is never pasted into SQL, however it is quoted */
    f[0].vf_column = "category\" = \"category\" OR \"1";
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    f[0].vf_column = "category";
    f[0].vf_value = NULL;
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    for (size_t i = 0; i <= VIEW_REPORT_MAX_FILTERS; i++) {
        f[i].vf_column = "category";
        f[i].vf_value = "routes";
    }
    q.vrq_nfilters = VIEW_REPORT_MAX_FILTERS + 1;
    ASSERT_ERR(view_report_rows(h.h_store, &q, &rows), ILONET_EINVAL);
    {
        struct view_report_rows z;
        memset(&z, 0x5a, sizeof(z));
        ASSERT(memcmp(&z, &rows, sizeof(z)) == 0);
    }
    /* the same request within the limits runs */
    q.vrq_nfilters = VIEW_REPORT_MAX_FILTERS;
    ASSERT_OK(view_report_rows(h.h_store, &q, &rows));
    ASSERT_EQ(rows.vrw_nrows, 0);
    ASSERT_EQ(rows.vrw_ncols, 13); /* every output column */
    view_report_rows_free(&rows);
    home_close(&h);
    free(n);
}

static void
t_view_report_binds_values(void)
{
    static const char *const cat[] = {"routes", "routes", "flows"};
    static const char *const sum[] = {
        "plain", "O'Brien \"quoted\"; DROP TABLE logs; --", "x"};
    static const char *const hostile[] = {"x' OR '1'='1", "plain' OR 'a'='a",
                                          "plain\" OR \"1\"=\"1",
                                          "') OR 1=1 --", "%s%n"};
    struct view_report_filter f[2];
    char got[8][128];
    uint64_t wall = now_ms();
    struct home h;
    char *n;

    vr_open("report-vr-bind", &h, &n);
    vr_observe(&h, "net", wall, 3, cat, sum, NULL);
    ASSERT_EQ(vr_summaries(&h, wall, 0, NULL, got, 8), 3);
    /* a value with quotes and SQL matches itself, as text, and only it */
    f[0].vf_column = "summary";
    f[0].vf_value = sum[1];
    ASSERT_EQ(vr_summaries(&h, wall, 1, f, got, 8), 1);
    ASSERT_STR_EQ(got[0], sum[1]);
    /* injections match nothing (pasted, each would match every row) */
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        f[0].vf_value = hostile[i];
        if (vr_summaries(&h, wall, 1, f, got, 8) != 0)
            TEST_FAIL_("filter value '%s' matched rows", hostile[i]);
    }
    f[0].vf_column = "category";
    f[0].vf_value = "routes' OR category <> 'routes";
    ASSERT_EQ(vr_summaries(&h, wall, 1, f, got, 8), 0);
    /* two bound filters combine */
    f[0].vf_value = "routes";
    f[1].vf_column = "summary";
    f[1].vf_value = "plain";
    ASSERT_EQ(vr_summaries(&h, wall, 2, f, got, 8), 1);
    ASSERT_STR_EQ(got[0], "plain");
    /* and the tables the value names are still there */
    {
        struct view_report_req q;
        struct view_report_rows rows;
        vr_req(&q, "members", wall);
        ASSERT_OK(view_report_rows(h.h_store, &q, &rows));
        ASSERT_EQ(rows.vrw_nrows, 1); /* DE ilo 1 */
        ASSERT_EQ(rows.vrw_cells[2].vcl_type, VIEW_REPORT_INT);
        ASSERT_EQ(rows.vrw_cells[2].vcl_int, 1);
        view_report_rows_free(&rows);
    }
    home_close(&h);
    free(n);
}

/* Index order of ids by their bytes. */
static void
vr_sort_by_id(uint8_t (*ids)[HASH_LEN], size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && memcmp(ids[order[j - 1]], ids[order[j]], HASH_LEN) > 0;
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

static void
t_view_report_rows_fully_ordered(void)
{
    static const char *const cat[] = {"routes", "routes", "routes", "routes",
                                      "routes", "routes", "routes", "routes"};
    static const char *const sum[] = {"s0", "s1", "s2", "s3",
                                      "s4", "s5", "s6", "s7"};
    uint8_t ids[8][HASH_LEN];
    struct view_report_filter f = {"category", "routes"};
    size_t order[8];
    char got[8][128];
    uint64_t wall = now_ms();
    struct home h;
    char *n;

    vr_open("report-vr-order", &h, &n);
    /* Same category, no period, same time_ms: every sort key the query
     * names ties, so only the record id orders these rows (without it
     * SQLite would return them in storage order). */
    vr_observe(&h, "net", wall, 8, cat, sum, ids);
    vr_sort_by_id(ids, 8, order);
    ASSERT_EQ(vr_summaries(&h, wall, 1, &f, got, 8), 8);
    for (size_t i = 0; i < 8; i++)
        if (strcmp(got[i], sum[order[i]]) != 0)
            TEST_FAIL_("row %zu is %s, want %s (ordered by id)", i, got[i],
                       sum[order[i]]);
    home_close(&h);
    free(n);
}

static void
t_view_report_provenance_and_drafting(void)
{
    static const char *const cat[] = {"routes"};
    static const char *const sum[] = {"ms only"};
    struct view_report_head *hs;
    uint8_t vh[HASH_LEN], vh2[HASH_LEN];
    char first[VIEW_REPORT_STATE_LEN], acting[4][VIEW_REPORT_STATE_LEN];
    uint64_t wall = now_ms(), from, to;
    size_t nh, na;
    struct home h;
    char *n, sem[8];

    vr_open("report-vr-prov", &h, &n);
    vr_observe(&h, "net", wall, 1, cat, sum, NULL);
    vr_observe(&h, "ms", wall, 1, cat, sum, NULL);
    ASSERT_OK(view_report_provenance(h.h_store, 1, vh, &hs, &nh));
    ASSERT_EQ(nh, 2);
    ASSERT(memcmp(hs[0].vh_log, hs[1].vh_log, HASH_LEN) < 0);
    ASSERT(strcmp(hs[0].vh_audience, "ms") == 0 ||
           strcmp(hs[1].vh_audience, "ms") == 0);
    free(hs);
    ASSERT_OK(view_report_provenance(h.h_store, 0, vh2, &hs, &nh));
    ASSERT_EQ(nh, 1);
    ASSERT_STR_EQ(hs[0].vh_audience, "net");
    ASSERT_EQ(hs[0].vh_seq, 2); /* the certificate, the observation */
    ASSERT(memcmp(vh, vh2, HASH_LEN) == 0); /* the whole view either way */
    free(hs);

    report_semester_of(wall, sem);
    ASSERT_OK(report_semester_parse(sem, &from, &to));
    ASSERT_EQ(view_report_has_ilo(h.h_store, "DE", from, to), 1);
    ASSERT_EQ(view_report_has_ilo(h.h_store, "PL", from, to), 0);
    ASSERT_EQ(view_report_has_ilo(h.h_store, "DE' OR '1'='1", from, to), 0);
    ASSERT_EQ(view_report_has_ilo(h.h_store, "DE", 0, 1000), 0);
    ASSERT_OK(view_report_first_ilo(h.h_store, from, to, first));
    ASSERT_STR_EQ(first, "DE");
    ASSERT_ERR(view_report_first_ilo(h.h_store, 0, 1000, first),
               ILONET_ENOTFOUND);
    ASSERT_OK(view_report_acting(h.h_store, sem, "DE", acting, 4, &na));
    ASSERT_EQ(na, 0);
    home_close(&h);
    free(n);
}

TEST_LIST = {
    TEST(t_items_in_every_format),
    TEST(t_ms_meeting_only_for_member_states),
    TEST(t_byte_identical_after_same_entries),
    TEST(t_empty_semester_says_no_information),
    TEST(t_bad_input),
    TEST(t_presidency_pulls_and_reports),
    TEST(t_acting_state_reports_without_presidency_node),
    TEST(t_view_report_refuses_unknown_names),
    TEST(t_view_report_binds_values),
    TEST(t_view_report_rows_fully_ordered),
    TEST(t_view_report_provenance_and_drafting),
};

TEST_MAIN()
