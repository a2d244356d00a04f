/* bench_verify.c - `ilonet verify` on one thread and on every core, timed (make
 * bench; not a test). */
/*
 *   bench_verify HOME [THREADS...]     (default: 1, then every core)
 *
 * Runs app_verify_with(), the code of `ilonet verify`, on HOME once per
 * THREADS value (0: one per online core) and prints, per run,
 * verify_<n>t_s= (wall seconds), verify_<n>t_cpu_s= (process CPU seconds
 * of the run) and verify_<n>t_entries_per_s=, then verify_entries= and
 * verify_speedup= (the first run's time over the last's). Every run must
 * give the same verdict and counts (else it prints verify_same=0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "node/app/app.h"

static double
now_s(clockid_t c)
{
    struct timespec ts;

    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    unsigned want[8] = {1, 0};
    size_t nw = 2;
    struct app_verify_out first;
    double t_first = 0, t_last = 0;
    int same = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_verify HOME [THREADS...]\n");
        return 2;
    }
    if (argc > 2) {
        nw = 0;
        for (int i = 2; i < argc && nw < 8; i++)
            want[nw++] = (unsigned)atoi(argv[i]);
    }
    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < nw; i++) {
        struct app_verify_req rq;
        struct app_verify_out o;
        struct app_err err;
        struct home h;
        int rc, n = log_verify_threads(want[i]);
        double t0, c0, t, c;

        if ((rc = home_open(&h, argv[1], HOME_STORE)) != 0) {
            fprintf(stderr, "bench_verify: %s: %s\n", argv[1],
                    h.h_why[0] ? h.h_why : ilonet_errname(rc));
            return 1;
        }
        memset(&rq, 0, sizeof(rq));
        rq.vq_threads = want[i];
        t0 = now_s(CLOCK_MONOTONIC);
        c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        if (app_verify_with(&h, &rq, &o, &err) != 0) {
            fprintf(stderr, "bench_verify: %s\n", err.ae_msg);
            return 1;
        }
        t = now_s(CLOCK_MONOTONIC) - t0;
        c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        home_close(&h);
        printf("verify_%dt_s=%.1f\nverify_%dt_cpu_s=%.1f\n"
               "verify_%dt_entries_per_s=%.0f\nverify_%dt_ok=%d\n",
               n, t, n, c, n, (double)o.vo_checked / t, n, o.vo_ok);
        printf("verify_%dt_bad=%llu\nverify_%dt_evidence=%llu\n"
               "verify_%dt_bad_evidence=%llu\nverify_%dt_view_ok=%d\n",
               n, (unsigned long long)o.vo_bad, n,
               (unsigned long long)o.vo_evidence, n,
               (unsigned long long)o.vo_bad_evidence, n, o.vo_view_ok);
        if (i == 0) {
            first = o;
            t_first = t;
        } else if (memcmp(&first, &o, sizeof(o)) != 0) {
            same = 0;
        }
        t_last = t;
    }
    printf("verify_entries=%llu\nverify_same=%d\n",
           (unsigned long long)first.vo_checked, same);
    if (nw > 1)
        printf("verify_speedup=%.2f\n", t_first / t_last);
    return 0;
}
