/* bench_sync_fill.c - fills one testnet home with entries of several authors.
 */
/*
 *   bench_sync_fill TARGET_HOME N AUTHOR_HOME...
 *
 * Appends N entries in total (split evenly) with a 200-byte payload each,
 * signed by each AUTHOR_HOME's node key and certificate, straight into
 * TARGET_HOME's store with log_append() in transactions of 1000, as if
 * the target had synced them from those authors (same bytes: chain,
 * signatures, certificates as the first entry of each log). Used by
 * tests/bench_sync.sh to build the 1,000,000-entry source node fast.
 * Prints fill_entries= and fill_entries_per_s=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "node/home.h"
#include "storage/log.h"
#include "storage/store_int.h"

#define BATCH 1000

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The 200-byte observation payload of bench_log.c. */
static void
payload(struct wire_buf *wb, unsigned i)
{
    char s[256];
    int n;

    memset(s, 'x', sizeof(s));
    n = snprintf(s, sizeof(s), "observation %u ", i);
    s[n] = 'x';
    wire_pack_map(wb, 2);
    wire_pack_str(wb, "category");
    wire_pack_str(wb, "routes");
    wire_pack_str(wb, "summary");
    wire_pack_strn(wb, s, 200 - 23);
}

static void
die(const char *what, int rc)
{
    fprintf(stderr, "bench_sync_fill: %s: %s\n", what, ilonet_errname(rc));
    exit(1);
}

int
main(int argc, char **argv)
{
    struct home target;
    struct log_append_req *reqs;
    struct wire_buf *wbs;
    uint8_t *own = NULL;
    size_t own_len = 0;
    unsigned long total, per;
    int authors, rc;
    double t0;

    if (argc < 4) {
        fprintf(stderr,
                "usage: bench_sync_fill TARGET_HOME N AUTHOR_HOME...\n");
        return 2;
    }
    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        return 1;
    total = strtoul(argv[2], NULL, 10);
    authors = argc - 3;
    per = total / (unsigned long)authors;
    if ((rc = home_open(&target, argv[1], HOME_STORE)) != 0)
        die(argv[1], rc);
    if ((rc = store_meta_get(target.h_store, "cert", &own, &own_len)) != 0)
        die("own cert", rc);
    reqs = calloc(BATCH, sizeof(*reqs));
    wbs = calloc(BATCH, sizeof(*wbs));
    if (!reqs || !wbs)
        return 1;
    /* Appends are durable one transaction at a time; a bench fill need
     * not fsync every batch. */
    sqlite3_exec(store_db(target.h_store), "PRAGMA synchronous=OFF", NULL, NULL,
                 NULL);
    t0 = now_s();
    for (int a = 0; a < authors; a++) {
        struct home au;
        uint8_t *cert = NULL;
        size_t cert_len = 0;
        char path[HOME_PATH_MAX];

        if ((rc = home_open(&au, argv[3 + a], 0)) != 0)
            die(argv[3 + a], rc);
        home_path(&au, "node.cert", path);
        if ((rc = cert_read_file(path, CERT_MAX_LEN, &cert, &cert_len)) != 0)
            die(path, rc);
        /* log_append publishes store meta "cert" as a new log's first
         * entry: the author's own, for this author's log. */
        if ((rc = store_meta_set(target.h_store, "cert", cert, cert_len)) != 0)
            die("meta", rc);
        for (unsigned long done = 0; done < per; done += BATCH) {
            size_t n = per - done < BATCH ? per - done : BATCH;
            for (size_t i = 0; i < n; i++) {
                wire_buf_init(&wbs[i], 512);
                payload(&wbs[i], (unsigned)(done + i));
                reqs[i] = (struct log_append_req){
                    KIND_OBSERVATION, wbs[i].wb_data, wbs[i].wb_len};
            }
            rc = log_append(target.h_store, &au.h_key, "net", reqs, n,
                            home_now_ms(), NULL);
            for (size_t i = 0; i < n; i++)
                wire_buf_free(&wbs[i]);
            if (rc != 0)
                die("append", rc);
        }
        free(cert);
        home_close(&au);
    }
    if ((rc = store_meta_set(target.h_store, "cert", own, own_len)) != 0)
        die("meta", rc);
    t0 = now_s() - t0;
    printf("fill_entries=%lu\nfill_entries_per_s=%.0f\n",
           per * (unsigned long)authors, (double)(per * authors) / t0);
    free(own);
    free(reqs);
    free(wbs);
    home_close(&target);
    return 0;
}
