/* bench_converge.c - appends on every node of a running testnet, times
 * convergence. */
/*
 *   bench_converge K HOME...
 *
 * The homes belong to running `ilonet node` processes (tests/bench_converge.sh
 * starts them). This tool opens every store (as another process, like the
 * CLI), measures the background message rate for one second, appends K
 * entries of 200-byte payload to each home in one transaction per home
 * ("at once"), then polls every store's heads digest and entry count every
 * 5 ms until all are equal and complete. Prints
 *   converge_nodes=, converge_entries=, converge_<N>_ms= (from the last
 *   append's commit to the moment every node holds the same heads),
 *   messages_per_entry= (sync messages sent by all nodes during the run,
 *   minus the background rate of anti-entropy digests over the same time,
 *   per appended entry) and messages_per_entry_raw= (without subtracting).
 * Message counts come from the nodes' "peer_status" (msgs_out per peer),
 * which they refresh once a second: the tool waits for fresh snapshots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "node/home.h"
#include "storage/log.h"

#define MAXN 64

static uint64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Sum of "msgs_out" over the node's peer_status. */
static uint64_t
msgs_out(struct home *h)
{
    uint8_t *v = NULL;
    size_t len = 0;
    uint64_t sum = 0;
    char *s, *p;

    if (store_meta_get(h->h_store, "peer_status", &v, &len) != 0)
        return 0;
    if (!(s = malloc(len + 1))) {
        free(v);
        return 0;
    }
    memcpy(s, v, len);
    s[len] = 0;
    for (p = s; (p = strstr(p, "\"msgs_out\":")) != NULL; p++)
        sum += strtoull(p + 11, NULL, 10);
    free(s);
    free(v);
    return sum;
}

static uint64_t
msgs_all(struct home *hs, int n)
{
    uint64_t t = 0;
    for (int i = 0; i < n; i++)
        t += msgs_out(&hs[i]);
    return t;
}

int
main(int argc, char **argv)
{
    static struct home hs[MAXN];
    struct log_append_req reqs[1000];
    struct wire_buf wbs[1000];
    uint64_t base_entries = 0, m0, m1, m2, t_bg, t_m1, t_last, t_conv, expect;
    int n = argc - 2, k;

    if (argc < 3 || n > MAXN || (k = atoi(argv[1])) < 1 || k > 1000) {
        fprintf(stderr, "usage: bench_converge K HOME...\n");
        return 2;
    }
    if (key_global_init() != 0)
        return 1;
    for (int i = 0; i < n; i++) {
        uint64_t e;
        int rc = home_open(&hs[i], argv[2 + i], HOME_STORE);
        if (rc != 0) {
            fprintf(stderr, "bench_converge: %s: %s\n", argv[2 + i],
                    ilonet_errname(rc));
            return 1;
        }
        log_counts(hs[i].h_store, &e, NULL, NULL, NULL);
        if (e > base_entries)
            base_entries = e;
    }
    for (int i = 0; i < k; i++) {
        char s[256];
        int m;
        memset(s, 'x', sizeof(s));
        m = snprintf(s, sizeof(s), "convergence %d ", i);
        s[m] = 'x';
        wire_buf_init(&wbs[i], 512);
        wire_pack_map(&wbs[i], 2);
        wire_pack_str(&wbs[i], "category");
        wire_pack_str(&wbs[i], "routes");
        wire_pack_str(&wbs[i], "summary");
        wire_pack_strn(&wbs[i], s, 200 - 23);
        reqs[i] = (struct log_append_req){KIND_OBSERVATION, wbs[i].wb_data,
                                          wbs[i].wb_len};
    }
    /* Background: digests between idle nodes, over ~2 status periods. */
    sleep_ms(1100);
    m0 = msgs_all(hs, n);
    t_bg = mono_ms();
    sleep_ms(2200);
    m1 = msgs_all(hs, n);
    t_m1 = mono_ms();
    t_bg = t_m1 - t_bg;

    for (int i = 0; i < n; i++) {
        int rc = log_append(hs[i].h_store, &hs[i].h_key, "net", reqs, (size_t)k,
                            home_now_ms(), NULL);
        if (rc != 0) {
            fprintf(stderr, "bench_converge: append %s: %s\n", argv[2 + i],
                    ilonet_errname(rc));
            return 1;
        }
    }
    t_last = mono_ms();
    /* Every node: base + its own cert entry if new + k, for all n. */
    expect = 0;
    for (;;) {
        uint8_t d0[HASH_LEN], d[HASH_LEN];
        uint64_t e0 = 0, e = 0;
        int same = 1;
        if (log_heads_digest(hs[0].h_store, d0) != 0 ||
            log_counts(hs[0].h_store, &e0, NULL, NULL, NULL) != 0)
            same = 0;
        for (int i = 1; i < n && same; i++)
            same = log_heads_digest(hs[i].h_store, d) == 0 &&
                   memcmp(d, d0, HASH_LEN) == 0 &&
                   log_counts(hs[i].h_store, &e, NULL, NULL, NULL) == 0 &&
                   e == e0;
        if (same && e0 >= base_entries + (uint64_t)n * (uint64_t)k) {
            expect = e0;
            break;
        }
        if (mono_ms() - t_last > 60000) {
            fprintf(stderr, "bench_converge: no convergence in 60 s\n");
            return 1;
        }
        sleep_ms(5);
    }
    t_conv = mono_ms() - t_last;
    /* Let every node write a status that covers the whole run. */
    {
        sleep_ms(1100);
        m2 = msgs_all(hs, n);
        double span = (double)(mono_ms() - t_m1);
        double bg = (double)(m1 - m0) / (double)t_bg * span;
        double raw = (double)(m2 - m1);
        printf("converge_nodes=%d\nconverge_entries=%llu\n", n,
               (unsigned long long)expect);
        printf("converge_%d_ms=%llu\n", n, (unsigned long long)t_conv);
        printf("messages_per_entry=%.2f\n",
               (raw - bg > 0 ? raw - bg : 0) / ((double)n * k));
        printf("messages_per_entry_raw=%.2f\n", raw / ((double)n * k));
        printf("background_msgs_per_s=%.0f\n",
               (double)(m1 - m0) * 1000.0 / (double)t_bg);
    }
    for (int i = 0; i < k; i++)
        wire_buf_free(&wbs[i]);
    for (int i = 0; i < n; i++)
        home_close(&hs[i]);
    return 0;
}
