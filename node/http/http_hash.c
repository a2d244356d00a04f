/* http_hash.c - the view hash of GET /api/status, kept by a thread of its
 * own so that no request computes it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "http_int.h"

/*
 * The view hash digests every record in id order: seconds at a million
 * records (docs/BENCHMARKS.md). A request that computed it held the page
 * that asked, and while a sync changes the view every request computed it
 * anew. The keeper computes it on its own connection, in one snapshot with
 * the view's fingerprint (view_fingerprint()), whenever the fingerprint
 * has moved: it looks once a second (HTTP__HASH_CHECK_MS), or when a
 * status request found the hash behind, and computes no sooner than
 * HTTP__HASH_GAP times its last computation after that one ended, so a
 * hash of 5 s leaves the core to sync four fifths of the time. Status
 * shows the last hash, whether it is the current view's, and when it was
 * computed (docs/API.md). In the same pass it computes the hash of each
 * audience held, and shares them all through the store
 * (app_view_hash_keep()): `ilonet status`, and a report (through the API
 * or `ilonet report`), which states its audience's hash as its
 * provenance, take them while the view is as the keeper saw it instead of
 * computing them (seconds at a million records; three times the rest of a
 * report).
 *
 * Threads: the keeper alone uses its connection. hh_mtx guards the last
 * hash and the wake-up; hh_stop is also read, atomically, by the progress
 * handler that cuts a computation short when the server stops.
 */

#define HTTP__HASH_CHECK_MS 1000
#define HTTP__HASH_GAP 4

struct http__hashes {
    struct http_server *hh_srv;
    pthread_t hh_thread;
    int hh_started;
    pthread_mutex_t hh_mtx;
    pthread_cond_t hh_cv;
    int hh_stop; /* __atomic: the progress handler reads it */
    int hh_wake; /* a request found the hash behind */
    int hh_have; /* hh_fp, hh_hash and hh_at_ms hold the last hash */
    uint8_t hh_fp[HASH_LEN], hh_hash[HASH_LEN];
    uint64_t hh_at_ms;
};

/* Nonzero ends the statement (SQLITE_INTERRUPT): the server stops. */
static int
http__hash_progress(void *arg)
{
    struct http__hashes *hh = arg;

    return __atomic_load_n(&hh->hh_stop, __ATOMIC_RELAXED);
}

/* One look: the fingerprint and, when it moved, the hash, in one
 * snapshot (app_view_hash_keep). 1 when it computed a hash (*took: how
 * long). */
static int
http__hash_keep(struct http__hashes *hh, struct home **hp, uint64_t *took)
{
    struct home *h = *hp;
    uint8_t known[HASH_LEN], fp[HASH_LEN], out[HASH_LEN];
    struct app_err err;
    uint64_t t0;
    int have, computed = 0;

    if (!h) {
        if (!(h = calloc(1, sizeof(*h))))
            return 0;
        /* its temp_store stays the default (files): the hash's sort took
         * 440 MiB in memory at a million records; and no memory map
         * (HOME_READER): the hash reads the whole file, which would all
         * count as this process's resident memory */
        if (home_open(h, hh->hh_srv->hs_dir, HOME_STORE) != 0) {
            free(h);
            return 0;
        }
        *hp = h;
    }
    pthread_mutex_lock(&hh->hh_mtx);
    if ((have = hh->hh_have))
        memcpy(known, hh->hh_fp, HASH_LEN);
    pthread_mutex_unlock(&hh->hh_mtx);
    t0 = http__mono_ms();
    if (app_view_hash_keep(h, have ? known : NULL, fp, out, &computed,
                           http__hash_progress, hh, &err) != 0 ||
        !computed)
        return 0;
    *took = http__mono_ms() - t0;
    pthread_mutex_lock(&hh->hh_mtx);
    memcpy(hh->hh_fp, fp, HASH_LEN);
    memcpy(hh->hh_hash, out, HASH_LEN);
    hh->hh_at_ms = home_now_ms();
    hh->hh_have = 1;
    pthread_mutex_unlock(&hh->hh_mtx);
    return 1;
}

static void *
http__hash_keeper(void *arg)
{
    struct http__hashes *hh = arg;
    struct home *h = NULL;
    uint64_t check = 0, gap = 0; /* monotonic ms: the next look, the
                                    earliest next computation */

    pthread_mutex_lock(&hh->hh_mtx);
    while (!__atomic_load_n(&hh->hh_stop, __ATOMIC_RELAXED)) {
        uint64_t now = http__mono_ms(), until;

        if (now >= gap && (now >= check || hh->hh_wake)) {
            uint64_t took = 0;

            hh->hh_wake = 0;
            pthread_mutex_unlock(&hh->hh_mtx);
            if (http__hash_keep(hh, &h, &took))
                gap = http__mono_ms() + HTTP__HASH_GAP * took;
            check = http__mono_ms() + HTTP__HASH_CHECK_MS;
            pthread_mutex_lock(&hh->hh_mtx);
            continue;
        }
        until = check > gap ? check : gap;
        http__cond_wait_ms(&hh->hh_cv, &hh->hh_mtx, until - now);
    }
    pthread_mutex_unlock(&hh->hh_mtx);
    if (h) {
        home_close(h);
        free(h);
    }
    return NULL;
}

int
http__hashes_init(struct http_server *s)
{
    struct http__hashes *hh = calloc(1, sizeof(*hh));

    if (!hh)
        return ILONET_ENOMEM;
    hh->hh_srv = s;
    pthread_mutex_init(&hh->hh_mtx, NULL);
    pthread_cond_init(&hh->hh_cv, NULL);
    if (pthread_create(&hh->hh_thread, NULL, http__hash_keeper, hh) != 0) {
        pthread_cond_destroy(&hh->hh_cv);
        pthread_mutex_destroy(&hh->hh_mtx);
        free(hh);
        return ILONET_EIO;
    }
    hh->hh_started = 1;
    s->hs_hashes = hh;
    return 0;
}

void
http__hashes_free(struct http_server *s)
{
    struct http__hashes *hh = s ? s->hs_hashes : NULL;

    if (!hh)
        return;
    pthread_mutex_lock(&hh->hh_mtx);
    __atomic_store_n(&hh->hh_stop, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&hh->hh_cv);
    pthread_mutex_unlock(&hh->hh_mtx);
    if (hh->hh_started)
        pthread_join(hh->hh_thread, NULL);
    pthread_cond_destroy(&hh->hh_cv);
    pthread_mutex_destroy(&hh->hh_mtx);
    free(hh);
    s->hs_hashes = NULL;
}

int
http__hash_last(struct http_server *s, struct home *h,
                uint8_t out[static HASH_LEN], int *current, uint64_t *at_ms)
{
    struct http__hashes *hh = s ? s->hs_hashes : NULL;
    uint8_t fp[HASH_LEN];
    struct app_err err;
    int have = 0, fp_ok;

    *current = 0;
    *at_ms = 0;
    if (!hh)
        return 0;
    fp_ok = app_view_fingerprint(h, fp, &err) == 0;
    pthread_mutex_lock(&hh->hh_mtx);
    if ((have = hh->hh_have)) {
        memcpy(out, hh->hh_hash, HASH_LEN);
        *at_ms = hh->hh_at_ms;
        *current = fp_ok && memcmp(fp, hh->hh_fp, HASH_LEN) == 0;
    }
    if (!*current) {
        hh->hh_wake = 1;
        pthread_cond_signal(&hh->hh_cv);
    }
    pthread_mutex_unlock(&hh->hh_mtx);
    return have;
}
