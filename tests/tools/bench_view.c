/* bench_view.c - view materialisation during import, full rebuild, and the
 * `list observations --json` query (make bench; not a test).
 * usage: bench_view DIR [N]   (N mixed entries, default 100000)
 * The import is bundle_import(), the code of `ilonet import`, on bundles
 * written by bundle_export() (`ilonet export`), one per author; each
 * import_* figure is the median of three rounds (import_view_entries_
 * per_s_slowest and _fastest give the other two). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "node/app/app.h"
#include "storage/bundle.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "storage/view/view_search.h"

#define AUTHORS 5
#define BATCH 1000
#define IMPORT_RUNS 3
_Static_assert(IMPORT_RUNS == 3, "median3() and the slowest/fastest take 3");
#define T0_MS 1767225600000ULL

static const char *const states[AUTHORS] = {"AT", "DE", "FR", "IT", "NL"};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: steadier than wall time on a shared
 * machine. */
static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
    fprintf(stderr, "bench_view: %s: %s\n", what, ilonet_errname(rc));
    exit(1);
}

static size_t nents; /* entries written, all imported */

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t
rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

/* One payload of the mix into wb; returns its kind. targets holds ids of
 * earlier records of this author (amend/retract/erase targets). */
static uint32_t
mix_payload(const struct vocab *v, struct wire_buf *wb, unsigned i,
            uint8_t (*targets)[HASH_LEN], size_t nt, uint8_t (*tasks)[HASH_LEN],
            size_t ntask)
{
    struct record_builder b;
    char sum[200], fig[16];
    unsigned r = rnd() % 100;
    uint32_t kind;

    snprintf(sum, sizeof(sum),
             "observation %u: movements along the eastern route, groups of "
             "ten to twenty, mostly at night, guided by facilitators",
             i);
    snprintf(fig, sizeof(fig), "%u", rnd() % 500);
    if (nt > 10 && r < 10) {
        struct record_builder fb;
        struct wire_buf fw;
        wire_buf_init(&fw, 4096);
        record_builder_start_amend(&fb, v, KIND_OBSERVATION);
        record_set(&fb, "detail", sum);
        record_build(&fb, &fw);
        record_builder_start(&b, v, kind = KIND_AMEND);
        record_set_id(&b, "record", targets[rnd() % nt]);
        record_set_raw(&b, "fields", fw.wb_data, fw.wb_len);
        if (record_build(&b, wb) != 0)
            die(b.rb_err, ILONET_EINVAL);
        wire_buf_free(&fw);
        return kind;
    }
    if (nt > 10 && r < 12) {
        record_builder_start(&b, v, kind = KIND_RETRACT);
        record_set_id(&b, "record", targets[rnd() % nt]);
    } else if (nt > 10 && r < 13) {
        record_builder_start(&b, v, kind = KIND_ERASE);
        record_set_id(&b, "record", targets[rnd() % nt]);
    } else if (ntask && r < 16) {
        record_builder_start(&b, v, kind = KIND_TASK_STATUS);
        record_set_id(&b, "task", tasks[rnd() % ntask]);
        record_set(&b, "status", "accept");
    } else if (r < 18) {
        record_builder_start(&b, v, kind = KIND_TASK);
        record_set(&b, "title", sum);
        record_set(&b, "for", "DE,FR");
    } else if (r < 20) {
        record_builder_start(&b, v, kind = KIND_MEETING);
        record_set(&b, "date", "2026-03-01");
        record_set(&b, "place", "Ankara");
        record_set(&b, "convenor", "DE");
        record_set(&b, "participants", "AT,DE,FR");
        record_set(&b, "commission", "present");
        record_set(&b, "topics", sum);
    } else {
        record_builder_start(&b, v, kind = KIND_OBSERVATION);
        record_set(&b, "category", record_categories[rnd() % 8]);
        record_set(&b, "summary", sum);
        record_set(&b, "figure", fig);
        record_set(&b, "unit", "persons");
        record_set(&b, "nationality", "SY,AF,IQ");
        record_set(&b, "period", "2026-01-01..2026-03-31");
        record_set(&b, "level", "strategic");
    }
    if (record_build(&b, wb) != 0)
        die(b.rb_err, ILONET_EINVAL);
    return kind;
}

/* The CLI's `list --json` row output (cmd/cmd_list.c), into bl_out. */
struct bench_list {
    FILE *bl_out;
    struct textbuf bl_buf;
    size_t bl_rows;
};

static int
bench_list_row(void *arg, const struct view_row *row)
{
    struct bench_list *bl = arg;

    textbuf_puts(&bl->bl_buf, bl->bl_rows ? ",\n" : "\n");
    app_json_row(&bl->bl_buf, row, APP_JSON_CSTR);
    if (bl->bl_buf.tb_len >= 64 * 1024) {
        fwrite(bl->bl_buf.tb_data, 1, bl->bl_buf.tb_len, bl->bl_out);
        bl->bl_buf.tb_len = 0;
    }
    bl->bl_rows++;
    return 0;
}

/* One import of the five bundles into a fresh file store at
 * DIR/bench-view-MODE.db: with the view (2), with it but no search index
 * upkeep (1), without a view (0). Its wall and CPU seconds into *t, *c;
 * returns the store. */
static struct store *
import_one(const char *dir, int mode, const uint8_t *net,
           const struct roster *ros, const struct vocab *v, double *t,
           double *c)
{
    char path[1024];
    struct store *s;
    double t0, c0;
    int rc;

    snprintf(path, sizeof(path), "%s/bench-view-%d.db", dir, mode);
    remove(path);
    if ((rc = store_open(path, net, ros, &s)) != 0)
        die("open", rc);
    if (getenv("BENCH_CACHE"))
        sqlite3_exec(store_db(s), getenv("BENCH_CACHE"), NULL, NULL, NULL);
    if (mode > 0 && (rc = view_attach(s, v)) != 0)
        die("attach", rc);
    if (mode == 1) {
        /* the index's upkeep off: the update hook that notes records and
         * the commit hook that stores the notes */
        sqlite3_update_hook(store_db(s), NULL, NULL);
        store_set_commit_hook(s, NULL, NULL);
    }
    store_set_durable(s, 0);
    t0 = now_s();
    c0 = cpu_s();
    for (int a = 0; a < AUTHORS; a++) {
        struct bundle_report r;

        snprintf(path, sizeof(path), "%s/bench-view-%d.bundle", dir, a);
        if ((rc = bundle_import(s, path, T0_MS + 86400000ULL * 365, NULL, NULL,
                                NULL, &r)) != 0)
            die("import", rc);
    }
    *t = now_s() - t0;
    *c = cpu_s() - c0;
    return s;
}

static double
median3(const double *x)
{
    double a = x[0], b = x[1], c = x[2];

    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

int
main(int argc, char **argv)
{
    struct roster ros;
    struct key_pair roots[AUTHORS], nodes[AUTHORS];
    uint8_t net[NET_ID_LEN];
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 100000;
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[1024];
    struct store *imp = NULL, *plain = NULL, *bare = NULL;
    double t0, c0, t_reb, t_list, t_search, c_search;
    /* per import: [0] no view, [1] the view without its search index,
     * [2] the view with it (what a node runs) */
    double t_imp[3] = {0, 0, 0}, c_imp[3] = {0, 0, 0};
    double t_run[3][IMPORT_RUNS], c_run[3][IMPORT_RUNS];
    struct vocab *v = NULL;
    int rc;

    if (vocab_builtin("377-2004", &v, NULL, 0) != 0)
        die("vocabulary", ILONET_EIO);
    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        die("sodium", ILONET_EIO);
    memset(&ros, 0, sizeof(ros));
    memset(net, 0x42, sizeof(net));
    for (int a = 0; a < AUTHORS; a++) {
        uint8_t seed[KEY_SEED_LEN];
        memset(seed, 0x10 + a, sizeof(seed));
        key_from_seed(&roots[a], seed);
        roots[a].kind = KEY_STATE;
        snprintf(roots[a].state, sizeof(roots[a].state), "%s", states[a]);
        roster_add(&ros, states[a], roots[a].pk);
        memset(seed, 0x20 + a, sizeof(seed));
        key_from_seed(&nodes[a], seed);
    }
    /* Write the mixed entries: one store per author, batched appends. */
    for (int a = 0; a < AUTHORS; a++) {
        struct store *w;
        struct cert c;
        uint8_t *cb, (*targets)[HASH_LEN], (*tasks)[HASH_LEN];
        size_t cl, nt = 0, ntask = 0, per = n / AUTHORS;
        struct log_head *heads = NULL;
        size_t nh = 0;

        memset(&c, 0, sizeof(c));
        memcpy(c.c_network, net, NET_ID_LEN);
        snprintf(c.c_state, sizeof(c.c_state), "%s", states[a]);
        memcpy(c.c_node, nodes[a].pk, KEY_PK_LEN);
        c.c_role = ROLE_ILO;
        c.c_not_after = T0_MS / 1000 + 3650ULL * 86400;
        if ((rc = cert_issue(&c, &roots[a], &cb, &cl)) != 0)
            die("cert", rc);
        if ((rc = store_open(":memory:", net, &ros, &w)) != 0)
            die("store", rc);
        store_meta_set(w, "cert", cb, cl);
        free(cb);
        targets = malloc(per * HASH_LEN);
        tasks = malloc(per * HASH_LEN);
        for (size_t i = 0; i < per;) {
            struct log_append_req reqs[BATCH];
            struct log_ref refs[BATCH];
            struct wire_buf wbs[BATCH];
            size_t k = per - i < BATCH ? per - i : BATCH;

            for (size_t j = 0; j < k; j++) {
                wire_buf_init(&wbs[j], ENTRY_PAYLOAD_MAX);
                reqs[j].kind = mix_payload(v, &wbs[j], (unsigned)(i + j),
                                           targets, nt, tasks, ntask);
                reqs[j].payload = wbs[j].wb_data;
                reqs[j].len = wbs[j].wb_len;
            }
            /* Tasks and status go to the DE+FR audience only for DE/FR;
             * keep everything in net so every reader holds all. */
            if ((rc = log_append(w, &nodes[a], "net", reqs, k, T0_MS + i * 10,
                                 refs)) != 0)
                die("append", rc);
            for (size_t j = 0; j < k; j++) {
                if (reqs[j].kind == KIND_OBSERVATION)
                    memcpy(targets[nt++], refs[j].lr_id, HASH_LEN);
                if (reqs[j].kind == KIND_TASK)
                    memcpy(tasks[ntask++], refs[j].lr_id, HASH_LEN);
                wire_buf_free(&wbs[j]);
            }
            i += k;
        }
        if ((rc = log_heads(w, &heads, &nh)) != 0)
            die("heads", rc);
        for (size_t h = 0; h < nh; h++)
            nents += heads[h].lh_seq;
        free(heads);
        /* what `ilonet export` writes; the import below is `ilonet
         * import`'s code path: one transaction per file */
        snprintf(path, sizeof(path), "%s/bench-view-%d.bundle", dir, a);
        if ((rc = bundle_export(w, path, NULL, NULL, NULL, NULL)) != 0)
            die("export", rc);
        free(targets);
        free(tasks);
        store_close(w);
    }
    /* Import into a file store with the view, one with the view but no
     * search index upkeep, and one without a view; IMPORT_RUNS rounds of
     * the three, each import's figure the median of its rounds (a single
     * import of 1-2 s on this VM varies by a third from one to the next),
     * the stores of the last round kept for what follows. */
    for (int run = 0; run < IMPORT_RUNS; run++) {
        for (int mode = 2; mode >= 0; mode--) {
            struct store *s = import_one(dir, mode, net, &ros, v,
                                         &t_run[mode][run], &c_run[mode][run]);

            if (run + 1 < IMPORT_RUNS)
                store_close(s);
            else if (mode == 2)
                imp = s;
            else if (mode == 1)
                bare = s;
            else
                plain = s;
        }
    }
    for (int mode = 0; mode < 3; mode++) {
        t_imp[mode] = median3(t_run[mode]);
        c_imp[mode] = median3(c_run[mode]);
    }
    /* The first search after the import: it finds every record, so it
     * pays for whatever index upkeep the import left to do. */
    {
        struct bench_list bl = {0};
        struct view_sink sink = {NULL, bench_list_row, &bl};
        struct view_search_req rq;

        memset(&rq, 0, sizeof(rq));
        rq.sr_query = "facilitators";
        rq.sr_limit = 20;
        bl.bl_out = fopen("/dev/null", "w");
        t0 = now_s();
        c0 = cpu_s();
        if ((rc = view_search(imp, &rq, &sink, NULL, NULL, 0)) != 0)
            die("search", rc);
        t_search = now_s() - t0;
        c_search = cpu_s() - c0;
        fclose(bl.bl_out);
        textbuf_free(&bl.bl_buf);
    }
    t0 = now_s();
    if ((rc = view_rebuild(imp)) != 0)
        die("rebuild", rc);
    t_reb = now_s() - t0;
    /* list observations --json: what the CLI runs, view_list() and
     * app_json_row() into the buffer it writes out */
    {
        struct bench_list bl = {0};
        struct view_sink sink = {NULL, bench_list_row, &bl};
        struct view_list_req rq;

        memset(&rq, 0, sizeof(rq));
        rq.lr_list = "observations";
        bl.bl_out = fopen("/dev/null", "w");
        t0 = now_s();
        if ((rc = view_list(imp, &rq, &sink, NULL)) != 0)
            die("list", rc);
        if (bl.bl_buf.tb_len)
            fwrite(bl.bl_buf.tb_data, 1, bl.bl_buf.tb_len, bl.bl_out);
        t_list = now_s() - t0;
        fclose(bl.bl_out);
        textbuf_free(&bl.bl_buf);
        printf("list_observations_rows=%zu\n", bl.bl_rows);
    }
    printf("view_entries=%zu\n", nents);
    printf("import_view_entries_per_s=%.0f\n", (double)nents / t_imp[2]);
    printf("import_view_nosearch_entries_per_s=%.0f\n",
           (double)nents / t_imp[1]);
    printf("import_noview_entries_per_s=%.0f\n", (double)nents / t_imp[0]);
    printf("import_view_entries_per_s_slowest=%.0f\n",
           (double)nents / fmax(t_run[2][0], fmax(t_run[2][1], t_run[2][2])));
    printf("import_view_entries_per_s_fastest=%.0f\n",
           (double)nents / fmin(t_run[2][0], fmin(t_run[2][1], t_run[2][2])));
    printf("import_view_cpu_s=%.3f\n", c_imp[2]);
    printf("import_view_nosearch_cpu_s=%.3f\n", c_imp[1]);
    printf("import_noview_cpu_s=%.3f\n", c_imp[0]);
    printf("search_after_import_ms=%.1f\n", t_search * 1000);
    /* what the index costs an import, in CPU time (steadier than wall
     * time on a shared machine): during the import alone, and with the
     * fold the first search does after it */
    printf("search_index_import_cost_pct=%.1f\n",
           100.0 * (c_imp[2] - c_imp[1]) / c_imp[1]);
    printf("search_index_total_cost_pct=%.1f\n",
           100.0 * (c_imp[2] + c_search - c_imp[1]) / c_imp[1]);
    printf("view_rebuild_s=%.3f\n", t_reb);
    printf("list_observations_ms=%.1f\n", t_list * 1000);
    store_close(imp);
    store_close(bare);
    store_close(plain);
    vocab_free(v);
    for (int w = 0; w <= 2 && !getenv("ILONET_BENCH_KEEP"); w++) {
        snprintf(path, sizeof(path), "%s/bench-view-%d.db", dir, w);
        remove(path);
    }
    for (int a = 0; a < AUTHORS; a++) {
        snprintf(path, sizeof(path), "%s/bench-view-%d.bundle", dir, a);
        remove(path);
    }
    return 0;
}
