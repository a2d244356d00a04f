/* bench_log.c - local append and import rates (make bench; not a test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/bundle.h"
#include "storage/log.h"

#define AUTHORS 5

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
die(const char *what, int rc)
{
    fprintf(stderr, "bench_log: %s: %s\n", what, ilonet_errname(rc));
    exit(1);
}

/* A 200-byte observation payload. */
static void
payload(struct wire_buf *wb, unsigned i)
{
    char s[256];
    memset(s, 'x', sizeof(s));
    int n = snprintf(s, sizeof(s), "observation %u ", i);
    s[n] = 'x';
    wire_pack_map(wb, 2);
    wire_pack_str(wb, "category");
    wire_pack_str(wb, "routes");
    wire_pack_str(wb, "summary");
    wire_pack_strn(wb, s, 200 - 23);
}

struct fixture {
    struct key_pair root, nodes[AUTHORS];
    uint8_t *certs[AUTHORS];
    size_t cert_len[AUTHORS];
    struct roster ros;
    uint8_t net[NET_ID_LEN];
};

static void
fixture_init(struct fixture *f)
{
    uint64_t now = wall_ms() / 1000;
    memset(f, 0, sizeof(*f));
    if (key_generate(&f->root, KEY_STATE, "DE") != 0)
        exit(1);
    roster_add(&f->ros, "DE", f->root.pk);
    memset(f->net, 7, NET_ID_LEN);
    for (int i = 0; i < AUTHORS; i++) {
        struct cert c;
        key_generate(&f->nodes[i], KEY_NODE, NULL);
        memset(&c, 0, sizeof(c));
        memcpy(c.c_network, f->net, NET_ID_LEN);
        strcpy(c.c_state, "DE");
        memcpy(c.c_node, f->nodes[i].pk, KEY_PK_LEN);
        c.c_role = ROLE_ILO;
        c.c_not_before = now - 3600;
        c.c_not_after = now + 86400;
        if (cert_issue(&c, &f->root, &f->certs[i], &f->cert_len[i]) != 0)
            exit(1);
    }
}

/* Appends n entries as author a, in transactions of batch entries. */
static double
append_run(struct store *s, const struct fixture *f, int a, unsigned n,
           unsigned batch)
{
    struct log_append_req *reqs = calloc(batch, sizeof(*reqs));
    struct wire_buf *wbs = calloc(batch, sizeof(*wbs));
    double t0;
    int rc;

    for (unsigned i = 0; i < batch; i++) {
        wire_buf_init(&wbs[i], 1024);
        payload(&wbs[i], i);
        reqs[i] = (struct log_append_req){KIND_OBSERVATION, wbs[i].wb_data,
                                          wbs[i].wb_len};
    }
    if ((rc = store_meta_set(s, "cert", f->certs[a], f->cert_len[a])) != 0)
        die("meta", rc);
    t0 = now_s();
    for (unsigned done = 0; done < n; done += batch)
        if ((rc = log_append(s, &f->nodes[a], "net", reqs, batch, wall_ms(),
                             NULL)) != 0)
            die("append", rc);
    t0 = now_s() - t0;
    for (unsigned i = 0; i < batch; i++)
        wire_buf_free(&wbs[i]);
    free(wbs);
    free(reqs);
    return t0;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    unsigned total = argc > 2 ? (unsigned)atoi(argv[2]) : 100000;
    char db[512], db2[512], file[512];
    struct fixture f;
    struct store *s;
    double t;
    int rc;

    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        return 1;
    fixture_init(&f);
    snprintf(db, sizeof(db), "%s/bench-src.db", dir);
    snprintf(db2, sizeof(db2), "%s/bench-dst.db", dir);
    snprintf(file, sizeof(file), "%s/bench.export", dir);
    unlink(db);
    unlink(db2);
    if ((rc = store_open(db, f.net, &f.ros, &s)) != 0)
        die("open", rc);

    /* batched: BENCH_APPEND_BATCH entries per transaction (sign, chain,
     * insert; default 4000); the commit's fsync is paid once per batch */
    unsigned batch = getenv("BENCH_APPEND_BATCH")
                         ? (unsigned)atoi(getenv("BENCH_APPEND_BATCH"))
                         : 4000;
    if (batch == 0 || batch > total / AUTHORS)
        batch = total / AUTHORS;
    t = 0;
    for (int a = 0; a < AUTHORS; a++)
        t += append_run(s, &f, a, total / AUTHORS, batch);
    printf("append_batch_size=%u\nappend_batch_entries_per_s=%.0f\n", batch,
           total / t);

    /* durable one at a time: one fsync'ed commit per entry */
    t = append_run(s, &f, 0, 500, 1);
    printf("append_durable_entries_per_s=%.0f\n", 500 / t);

    uint64_t nl, ne;
    if ((rc = bundle_export(s, file, NULL, NULL, &nl, &ne)) != 0)
        die("export", rc);
    store_close(s);
    printf("export_entries=%llu\n", (unsigned long long)ne);

    /* import into a fresh store, in a child so its peak RSS is its own */
    int pfd[2];
    if (pipe(pfd) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        struct store *d;
        struct bundle_report rep;
        double t1;
        struct rusage ru;
        if ((rc = store_open(db2, f.net, &f.ros, &d)) != 0)
            die("open", rc);
        t1 = now_s();
        if ((rc = bundle_import(d, file, wall_ms(), NULL, NULL, NULL, &rep)) !=
            0)
            die("import", rc);
        t1 = now_s() - t1;
        store_close(d);
        getrusage(RUSAGE_SELF, &ru);
        dprintf(pfd[1], "%.0f %.1f %llu\n", (double)rep.br_new / t1,
                ru.ru_maxrss / 1024.0, (unsigned long long)rep.br_new);
        _exit(0);
    }
    close(pfd[1]);
    char line[128] = "";
    ssize_t n = read(pfd[0], line, sizeof(line) - 1);
    waitpid(pid, NULL, 0);
    if (n <= 0)
        return 1;
    line[n] = 0;
    double rate, rss;
    unsigned long long got;
    if (sscanf(line, "%lf %lf %llu", &rate, &rss, &got) != 3)
        return 1;
    printf("import_entries=%llu\nimport_entries_per_s=%.0f\n"
           "import_peak_rss_mib=%.1f\n",
           got, rate, rss);
    unlink(db);
    unlink(db2);
    unlink(file);
    return 0;
}
