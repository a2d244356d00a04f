/* bench_desk.c - what an officer waits for at a desk over a large store:
 * p50/p99 of the interactive reads (make bench). */
/*
 *   bench_desk HOME [ITERS [nopaging | CALL,CALL...]]  (ITERS per call,
 *                                                       default 200)
 *
 * HOME is a node home with many records (tests/tools/desk_gen builds one
 * of 1,000,000). Every read goes through the use-case layer (node/app/) as
 * the HTTP API and the CLI call it, and each row is rendered to JSON with
 * app_json_row() as the API does, so a sample is the work of one request
 * short of the socket. The home is opened once, as the HTTP server keeps
 * its connections open; nothing is warmed up first (the first sample of
 * each call is in the figures). The search index is folded first, as an
 * idle node does (desk_search_fold_ms: how long that took; 0 when the
 * store was folded already).
 *
 * Calls: the page's first load (status, stats, recent, the observations
 * list and my desk), each list's first page (API
 * order: newest first, 1000 rows), observations filtered by category,
 * state, audience, period, text; tasks by status and by assignee; deep
 * paging with the keyset cursor through whole lists (each page a sample,
 * and every row must come exactly once); show with history; grants;
 * evidence; then the semester report in md, html and json.
 *
 * Status is what GET /api/status does: its view hash comes from the HTTP
 * server's keeper thread, so the call reads the fingerprint, not the
 * view; desk_view_hash_ms is the keeper's work (one hash of everything,
 * cold), off the request path and not among the calls.
 *
 * My desk (app_desk, the officer's tasks, what is new, grants ending),
 * search (app_search: one word, all kinds or one, first page) and
 * search_words (several words, a phrase, OR, NOT, prefixes) are calls
 * like the others.
 *
 * Prints per call desk_<call>_p50_ms, desk_<call>_p99_ms and
 * desk_<call>_max_ms, then desk_p99_ms (the worst p99 of every interactive
 * call), desk_p99_call (which one), desk_max_ms and desk_max_call (the
 * slowest single sample of any call, and its call), desk_first_load_ms
 * (the five first-load requests, p50), report_<fmt>_ms and
 * report_semester_ms (the slowest format; median of three).
 * desk_<call>_p99_cpu_ms and desk_p99_cpu_ms: the same of the
 * process's CPU time (the work itself, without waiting for a core
 * or the disk on a shared machine). A benchmark, not a test: nothing
 * passes or fails on time. A list of calls (desk_<call>_p50_ms names them)
 * runs those alone, without paging (and with "report" or "view_hash" in
 * the list, those): for working on one. With ILONET_BENCH_DESK_SAMPLES
 * set, each sample is printed too ("# sample CALL I MS": sample I of a
 * search is query I % 10 of its list, kind filter I % 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/textbuf.h"
#include "node/app/app.h"
#include "storage/view/view_search.h"

#define MAX_SAMPLES 4096
#define MAX_IDS 256
#define PAGE 1000

static const char *const states[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES",
    "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
    "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
};
#define NSTATES (sizeof(states) / sizeof(states[0]))
static const char *const words[] = {
    "Ankara",  "smugglers", "forged", "night",    "Izmir",
    "lorries", "visas",     "coast",  "Kapikule", "relatives",
};
static const char *const kinds[] = {
    "observations", "meetings", "trainings", "carriers",
    "contacts",     "postings", "tasks",     "acting-presidencies",
};

static double
clock_ms(clockid_t c)
{
    struct timespec ts;

    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* The process's CPU time: on a shared machine the wall time of a call
 * includes waiting for a core; this is the call's own work, with what a
 * search counts on its second thread (storage/view/view_search_aside.c),
 * so it may exceed the wall time. Nothing else runs in this process. */
static double
cpu_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static void
die(const char *what, const struct app_err *err)
{
    fprintf(stderr, "bench_desk: %s: %s\n", what, err ? err->ae_msg : "");
    exit(1);
}

/* ---- rendering, as the API does ------------------------------------------ */

struct json_out {
    struct textbuf jo_b;
    size_t jo_rows;
    /* the ids delivered, when collecting them (paging check, show ids) */
    char (*jo_ids)[65];
    size_t jo_nids, jo_cap;
};

static int
json_row(void *arg, const struct view_row *row)
{
    struct json_out *o = arg;
    const struct view_cell *id;

    textbuf_puts(&o->jo_b, o->jo_rows++ ? ",\n" : "[");
    app_json_row(&o->jo_b, row, APP_JSON_KIND_NAME);
    if (o->jo_ids && o->jo_nids < o->jo_cap &&
        (id = view_row_cell(row, "id")) && id->ce_type == VIEW_TEXT &&
        id->ce_len == 64)
        memcpy(o->jo_ids[o->jo_nids++], id->ce_text, 65);
    return 0;
}

static void
json_reset(struct json_out *o)
{
    o->jo_b.tb_len = 0;
    o->jo_rows = 0;
}

/* ---- the calls ------------------------------------------------------------
 */

struct bench {
    struct home b_home;
    struct json_out b_out;
    struct view_sink b_sink;
    char b_ids[MAX_IDS][65]; /* records to show */
    size_t b_nids;
};

static struct bench B;

static int
list(const struct app_list_req *rq, struct view_list_res *res)
{
    struct app_err err;

    json_reset(&B.b_out);
    if (app_list(&B.b_home, rq, &B.b_sink, res, &err) != 0)
        die(rq->al_list, &err);
    return 0;
}

static struct app_list_req
page_req(const char *kind)
{
    struct app_list_req rq;

    memset(&rq, 0, sizeof(rq));
    rq.al_list = kind;
    rq.al_newest = 1;
    rq.al_limit = PAGE;
    return rq;
}

static void
c_list_kind(unsigned i)
{
    struct app_list_req rq = page_req(kinds[i % 8]);
    list(&rq, NULL);
}

static void
c_list_observations(unsigned i)
{
    struct app_list_req rq = page_req("observations");
    (void)i;
    list(&rq, NULL);
}

static void
c_category(unsigned i)
{
    struct app_list_req rq = page_req("observations");
    const struct vocab_set *cats = app_categories(&B.b_home);

    rq.al_category =
        cats && cats->vs_n ? cats->vs_values[i % cats->vs_n].vv_code : "flows";
    list(&rq, NULL);
}

static void
c_state(unsigned i)
{
    struct app_list_req rq = page_req("observations");
    rq.al_state = states[(i * 7) % NSTATES];
    list(&rq, NULL);
}

static void
c_audience(unsigned i)
{
    static const char *const auds[] = {"ms", "DE+FR", "net", "DE+IT"};
    struct app_list_req rq = page_req("observations");
    rq.al_audience = auds[i % 4];
    list(&rq, NULL);
}

static void
c_period(unsigned i)
{
    char sem[16];
    struct app_list_req rq = page_req(i % 2 ? "observations" : "meetings");
    /* the 20 semesters of the data, oldest and newest alike */
    snprintf(sem, sizeof(sem), "%u-H%u", 2016 + (i / 2) % 10, 1 + (i / 20) % 2);
    rq.al_period = sem;
    list(&rq, NULL);
}

static void
c_text(unsigned i)
{
    struct app_list_req rq = page_req("observations");
    rq.al_text = words[i % (sizeof(words) / sizeof(words[0]))];
    list(&rq, NULL);
}

static void
c_task_status(unsigned i)
{
    static const char *const st[] = {"open", "accept", "start", "done"};
    struct app_list_req rq = page_req("tasks");
    rq.al_status = st[i % 4];
    list(&rq, NULL);
}

static void
c_task_assignee(unsigned i)
{
    struct app_list_req rq = page_req("tasks");
    rq.al_assignee = states[(i * 5) % NSTATES];
    list(&rq, NULL);
}

static void
c_show(unsigned i)
{
    struct view_record_info info;
    struct app_err err;
    char prefix[13];

    json_reset(&B.b_out);
    /* a 12-digit prefix, as people paste them */
    snprintf(prefix, sizeof(prefix), "%.12s", B.b_ids[i % B.b_nids]);
    if (app_record_find(&B.b_home, prefix, 0, &info, &err) != 0 ||
        app_record_show(&B.b_home, &info, &B.b_sink, &B.b_sink, &err) != 0)
        die("show", &err);
}

static void
c_status(unsigned i)
{
    struct app_status st;
    struct app_err err;

    uint8_t fp[HASH_LEN];

    /* what GET /api/status does: the view hash is the server keeper's
     * (node/http/http_hash.c); the request reads the fingerprint to say
     * whether that hash is the current view's */
    (void)i;
    if (app_status(&B.b_home, APP_STATUS_MEMBERS | APP_STATUS_NOHASH, &st,
                   &err) != 0 ||
        app_view_fingerprint(&B.b_home, fp, &err) != 0)
        die("status", &err);
    app_status_free(&st);
}

static void
c_stats(unsigned i)
{
    struct app_err err;

    (void)i;
    json_reset(&B.b_out);
    if (app_stats(&B.b_home, &B.b_sink, &B.b_sink, &err) != 0)
        die("stats", &err);
}

static void
c_recent(unsigned i)
{
    struct app_err err;

    json_reset(&B.b_out);
    if (app_recent(&B.b_home, i % 2 ? APP_RECENT_DEFAULT : 12, &B.b_sink,
                   &err) != 0)
        die("recent", &err);
}

static void
c_grants(unsigned i)
{
    struct app_err err;

    (void)i;
    json_reset(&B.b_out);
    if (app_grants(&B.b_home, &B.b_sink, &err) != 0)
        die("grants", &err);
}

static void
c_evidence(unsigned i)
{
    struct app_err err;

    (void)i;
    json_reset(&B.b_out);
    if (app_evidence(&B.b_home, &B.b_sink, &B.b_sink, &err) != 0)
        die("evidence", &err);
}

/* Sample i of a search for query: over all kinds, observations or
 * meetings in turn, the first page. */
static void
search_sample(unsigned i, const char *query)
{
    static const char *const kinds_s[] = {NULL, "observations", "meetings"};
    struct app_search_req rq;
    struct app_err err;

    memset(&rq, 0, sizeof(rq));
    rq.as_query = query;
    rq.as_kind = kinds_s[i % 3];
    json_reset(&B.b_out);
    if (app_search(&B.b_home, &rq, &B.b_sink, NULL, &err) != 0)
        die("search", &err);
}

static void
c_search(unsigned i)
{
    search_sample(i, words[i % (sizeof(words) / sizeof(words[0]))]);
}

/* What people type beside one word: several words, a phrase, OR, NOT,
 * prefixes. */
static void
c_search_words(unsigned i)
{
    static const char *const queries[] = {
        "forged papers",
        "coast OR Izmir",
        "smug*",
        "visas Ankara",
        "\"along the coast\"",
        "night NOT coast",
        "Kapik*",
        "lorries relatives",
        "forg* Izmir",
        "relatives OR visas",
    };

    search_sample(i, queries[i % (sizeof(queries) / sizeof(queries[0]))]);
}

static int
desk_note(void *arg, const struct app_desk_note *n)
{
    (void)arg;
    (void)n;
    return 0;
}

static void
c_desk(unsigned i)
{
    struct app_desk_sinks out = {&B.b_sink, &B.b_sink, &B.b_sink, desk_note,
                                 NULL};
    struct app_desk_req rq;
    struct app_desk_res res;
    struct app_err err;

    (void)i;
    memset(&rq, 0, sizeof(rq));
    json_reset(&B.b_out);
    if (app_desk(&B.b_home, &rq, &out, &res, &err) != 0)
        die("desk", &err);
}

struct call {
    const char *c_name;
    void (*c_fn)(unsigned i);
    double c_s[MAX_SAMPLES];
    size_t c_n;
    double c_cpu[MAX_SAMPLES];
    size_t c_ncpu;
};

/* The interactive calls; the first five are the page's first load. */
static struct call calls[] = {
    {"status", c_status, {0}, 0, {0}, 0},
    {"stats", c_stats, {0}, 0, {0}, 0},
    {"recent", c_recent, {0}, 0, {0}, 0},
    {"list_observations", c_list_observations, {0}, 0, {0}, 0},
    {"desk", c_desk, {0}, 0, {0}, 0},
    {"search", c_search, {0}, 0, {0}, 0},
    {"search_words", c_search_words, {0}, 0, {0}, 0},
    {"list_kind", c_list_kind, {0}, 0, {0}, 0},
    {"list_category", c_category, {0}, 0, {0}, 0},
    {"list_state", c_state, {0}, 0, {0}, 0},
    {"list_audience", c_audience, {0}, 0, {0}, 0},
    {"list_period", c_period, {0}, 0, {0}, 0},
    {"list_text", c_text, {0}, 0, {0}, 0},
    {"list_task_status", c_task_status, {0}, 0, {0}, 0},
    {"list_task_assignee", c_task_assignee, {0}, 0, {0}, 0},
    {"show", c_show, {0}, 0, {0}, 0},
    {"grants", c_grants, {0}, 0, {0}, 0},
    {"evidence", c_evidence, {0}, 0, {0}, 0},
    {"page_newest", NULL, {0}, 0, {0}, 0},
    {"page_list", NULL, {0}, 0, {0}, 0},
    {"page_category", NULL, {0}, 0, {0}, 0},
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static struct call *
call_named(const char *name)
{
    for (size_t i = 0; i < NCALLS; i++)
        if (strcmp(calls[i].c_name, name) == 0)
            return &calls[i];
    return NULL;
}

static void
sample(struct call *c, double ms, double cpu)
{
    if (c->c_n < MAX_SAMPLES)
        c->c_s[c->c_n++] = ms;
    if (c->c_ncpu < MAX_SAMPLES)
        c->c_cpu[c->c_ncpu++] = cpu;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of n samples s. */
static double
quantile_of(double *s, size_t n, double q)
{
    size_t r;

    if (n == 0)
        return 0;
    qsort(s, n, sizeof(double), cmp_double);
    r = (size_t)(q * (double)n + 0.999999);
    return s[r ? r - 1 : 0];
}

static double
quantile(struct call *c, double q)
{
    return quantile_of(c->c_s, c->c_n, q);
}

static int
cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

/* Walks a whole list page by page through the cursor; each page is a
 * sample of call c. Returns 1 when every row came exactly once and the
 * count is the list's (expect: 0 to skip that check). */
static int
walk(struct call *c, struct app_list_req rq, size_t expect, size_t *rows)
{
    struct view_list_res res;
    char cursor[VIEW_CURSOR_MAX];
    size_t cap = 4 << 20, dup = 0;
    int ok;

    B.b_out.jo_ids = malloc(cap * sizeof(*B.b_out.jo_ids));
    if (!B.b_out.jo_ids)
        die("memory", NULL);
    B.b_out.jo_cap = cap;
    B.b_out.jo_nids = 0;
    for (;;) {
        double t = now_ms(), u = cpu_ms();
        list(&rq, &res);
        sample(c, now_ms() - t, cpu_ms() - u);
        if (!res.ls_next[0])
            break;
        snprintf(cursor, sizeof(cursor), "%s", res.ls_next);
        rq.al_after = cursor;
    }
    qsort(B.b_out.jo_ids, B.b_out.jo_nids, 65, cmp_id);
    for (size_t i = 1; i < B.b_out.jo_nids; i++)
        dup += memcmp(B.b_out.jo_ids[i - 1], B.b_out.jo_ids[i], 64) == 0;
    ok = dup == 0 && B.b_out.jo_nids < cap &&
         (expect == 0 || B.b_out.jo_nids == expect);
    *rows = B.b_out.jo_nids;
    free(B.b_out.jo_ids);
    B.b_out.jo_ids = NULL;
    return ok;
}

/* The number of active observations (the stats' kinds row). */
static int
count_cell(void *arg, const struct view_row *row)
{
    const struct view_cell *c = view_row_cell(row, "observations");

    if (c && c->ce_type == VIEW_INT)
        *(size_t *)arg = (size_t)c->ce_int;
    return 0;
}

static int
id_row(void *arg, const struct view_row *row)
{
    (void)arg;
    if (B.b_nids < MAX_IDS && row->rw_ncells >= 1 &&
        row->rw_cells[0].ce_type == VIEW_TEXT && row->rw_cells[0].ce_len == 64)
        memcpy(B.b_ids[B.b_nids++], row->rw_cells[0].ce_text, 65);
    return 0;
}

static double
report(enum report_format f, const char *semester, size_t *bytes)
{
    struct app_report_req rq;
    struct app_report_job job;
    struct app_err err;
    double t[3];
    char *doc = NULL;
    size_t len = 0;

    memset(&rq, 0, sizeof(rq));
    rq.arq_period = semester;
    rq.arq_format = f;
    for (int r = 0; r < 3; r++) {
        double t0 = now_ms();
        memset(&job, 0, sizeof(job));
        if (app_report_prepare(&rq, &job, &err) != 0 ||
            app_report_build(&B.b_home, &job, &doc, &len, NULL, &err) != 0)
            die("report", &err);
        t[r] = now_ms() - t0;
        app_report_release(&job);
        free(doc);
    }
    qsort(t, 3, sizeof(double), cmp_double);
    *bytes = len;
    return t[1];
}

/* 1 if name is one of the comma-separated list. */
static int
listed(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p && *p;
         p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

int
main(int argc, char **argv)
{
    /* 200: the 99th percentile of n samples is the ceil(0.99 n)-th
     * smallest, so of 60 it is their largest; of 200 the 198th, with the
     * largest printed beside it (desk_<call>_max_ms) */
    unsigned iters = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
    struct view_sink ids = {NULL, id_row, NULL};
    struct view_sink counts = {NULL, count_cell, NULL};
    struct app_err err;
    size_t nobs = 0, rows;
    double worst = 0, first = 0, worst_cpu = 0, worst_max = 0;
    const char *worst_name = "", *worst_max_name = "";
    const char *only =
        argc > 3 && strcmp(argv[3], "nopaging") != 0 ? argv[3] : NULL;
    /* every sample on a comment line: which query or filter is dear */
    int each = getenv("ILONET_BENCH_DESK_SAMPLES") != NULL;
    int rc;

    if (argc < 2) {
        fprintf(stderr,
                "usage: bench_desk HOME [ITERS [nopaging | CALL,...]]\n");
        return 2;
    }
    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        return 1;
    if ((rc = home_open(&B.b_home, argv[1], HOME_STORE | HOME_READER)) != 0) {
        fprintf(stderr, "bench_desk: %s: %s\n", argv[1],
                B.b_home.h_why[0] ? B.b_home.h_why : ilonet_errname(rc));
        return 1;
    }
    B.b_sink.vs_row = json_row;
    B.b_sink.vs_arg = &B.b_out;
    {
        /* The search index as a running node keeps it: its loop folds
         * what ingest noted while nothing arrives (node/node.c, a batch
         * a tick), so a desk_gen store, whose records are all noted and
         * none folded, is folded first and the time it took printed
         * apart. Otherwise the first search sample would be the fold of
         * every record. On a connection of its own, as the node's: one
         * through the measured connection's memory map would warm it. */
        struct home fh;
        double t = now_ms();
        int more = 1;

        memset(&fh, 0, sizeof(fh));
        if ((rc = home_open(&fh, argv[1], HOME_STORE)) != 0) {
            fprintf(stderr, "bench_desk: fold: %s\n", ilonet_errname(rc));
            return 1;
        }
        while (more && rc == 0)
            rc = view_search_fold(fh.h_store, 20000, &more);
        home_close(&fh);
        if (rc != 0) {
            fprintf(stderr, "bench_desk: fold: %s\n", ilonet_errname(rc));
            return 1;
        }
        printf("desk_search_fold_ms=%.0f\n", now_ms() - t);
        /* the fold's pages to disk now, not by the kernel's writeback
         * during the samples (as bench_desk.sh does after generating) */
        sync();
    }
    /* records to show: a deterministic sample (ids are hashes, so the
     * first hex digits pick records of every kind, age and history) */
    counts.vs_arg = &nobs;
    if (app_query(&B.b_home,
                  "SELECT id FROM records WHERE id LIKE 'a7%' LIMIT 256", &ids,
                  &err) != 0 ||
        app_stats(&B.b_home, NULL, &counts, &err) != 0)
        die("setup", &err);
    if (B.b_nids == 0)
        die("setup: no records", NULL);
    printf("desk_records_shown=%zu\ndesk_observations=%zu\n", B.b_nids, nobs);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t c = 0; c < NCALLS; c++) {
        if (!calls[c].c_fn || (only && !listed(only, calls[c].c_name)))
            continue;
        for (unsigned i = 0; i < iters; i++) {
            double t = now_ms(), u = cpu_ms(), ms;

            calls[c].c_fn(i);
            ms = now_ms() - t;
            sample(&calls[c], ms, cpu_ms() - u);
            if (each)
                printf("# sample %s %u %.2f\n", calls[c].c_name, i, ms);
        }
        printf("# %s: max %.1f ms\n", calls[c].c_name,
               quantile(&calls[c], 1.0));
    }
    /* deep paging: the whole observations list, three ways */
    if (argc < 4) {
        struct app_list_req rq = page_req("observations");
        int ok = walk(call_named("page_newest"), rq, nobs, &rows);
        printf("desk_page_newest_rows=%zu\n", rows);
        rq.al_newest = 0;
        ok &= walk(call_named("page_list"), rq, nobs, &rows);
        printf("desk_page_list_rows=%zu\n", rows);
        rq.al_newest = 1;
        rq.al_category = "routes";
        ok &= walk(call_named("page_category"), rq, 0, &rows);
        printf("desk_page_category_rows=%zu\n", rows);
        printf("desk_paging_every_row_once=%d\n", ok);
    }
    for (size_t c = 0; c < NCALLS; c++) {
        double p50 = quantile(&calls[c], 0.5), p99 = quantile(&calls[c], 0.99);

        if (only && !listed(only, calls[c].c_name))
            continue;
        double cpu99 = quantile_of(calls[c].c_cpu, calls[c].c_ncpu, 0.99);
        double max = quantile(&calls[c], 1.0);

        printf("desk_%s_p50_ms=%.2f\ndesk_%s_p99_ms=%.2f\n", calls[c].c_name,
               p50, calls[c].c_name, p99);
        printf("desk_%s_max_ms=%.2f\n", calls[c].c_name, max);
        printf("desk_%s_p99_cpu_ms=%.2f\n", calls[c].c_name, cpu99);
        if (max > worst_max) {
            worst_max = max;
            worst_max_name = calls[c].c_name;
        }
        if (cpu99 > worst_cpu)
            worst_cpu = cpu99;
        if (p99 > worst) {
            worst = p99;
            worst_name = calls[c].c_name;
        }
        if (c < 5) /* status, stats, recent, list_observations, desk */
            first += p50;
    }
    if (!only) /* the first load's calls ran */
        printf("desk_first_load_ms=%.1f\n", first);
    printf("desk_p99_ms=%.1f\ndesk_p99_call=%s\n", worst, worst_name);
    printf("desk_p99_cpu_ms=%.1f\n", worst_cpu);
    printf("desk_max_ms=%.1f\ndesk_max_call=%s\n", worst_max, worst_max_name);
    if (!only || listed(only, "view_hash")) {
        /* the keeper's work, off the request path: one view hash of
         * everything held, as after a change (nothing remembered) */
        uint8_t vh[HASH_LEN];
        struct home kh; /* a connection like the keeper's: no memory map */
        double t;

        if (home_open(&kh, argv[1], HOME_STORE) != 0)
            die("view hash: open", NULL);
        t = now_ms();
        if (view_hash(kh.h_store, NULL, vh) != 0)
            die("view hash", NULL);
        printf("desk_view_hash_ms=%.0f\n", now_ms() - t);
        home_close(&kh);
    }
    if (!only || listed(only, "report")) {
        static const struct {
            const char *name;
            enum report_format f;
        } fmts[] = {
            {"md", REPORT_MD}, {"html", REPORT_HTML}, {"json", REPORT_JSON}};
        double slow = 0;
        for (size_t f = 0; f < 3; f++) {
            size_t bytes;
            double ms = report(fmts[f].f, "2025-H2", &bytes);
            printf("report_%s_ms=%.0f\nreport_%s_bytes=%zu\n", fmts[f].name, ms,
                   fmts[f].name, bytes);
            if (ms > slow)
                slow = ms;
        }
        printf("report_semester_ms=%.0f\n", slow);
    }
    textbuf_free(&B.b_out.jo_b);
    home_close(&B.b_home);
    return 0;
}
