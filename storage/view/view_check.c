/* view_check.c - view_check() on threads of its own, beside the verification of
 * the entries. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "view_int.h"

/*
 * `ilonet verify` compares the view with a full rebuild while worker
 * threads check the entries' signatures (storage/log.h
 * log_verify_all_par). The rebuild is one SQLite writer and cannot be
 * split, but it can run beside them, and so can the two reads that do not
 * need it: the live view's hash and the recount of the kept counts. One
 * thread takes the write lock (so nothing can commit meanwhile), then a
 * second starts reading the live view on a connection of its own (it sees
 * the state the rebuild starts from: the last commit), while the first
 * rebuilds, hashes the rebuilt view and rolls it all back, as view_check()
 * does on one connection. Each thread opens its own connection to the
 * store's file: the caller's struct store stays the caller's.
 */

struct view_check_job {
    pthread_t cj_th;
    char cj_path[4096];
    uint8_t cj_net[NET_ID_LEN];
    struct roster cj_roster;
    const struct vocab *cj_vocab; /* the caller's view's (outlives the job) */
    struct store *cj_reader;      /* the live view's connection */
    uint8_t cj_live[HASH_LEN], cj_rebuilt[HASH_LEN];
    int cj_counts_ok;
    int cj_rc, cj_live_rc;
};

/* The live view: its hash and whether its counts hold. */
static void *
view__check_live(void *arg)
{
    struct view_check_job *j = arg;

    j->cj_live_rc = view__hash_compute(j->cj_reader, NULL, j->cj_live);
    if (j->cj_live_rc == 0)
        j->cj_live_rc = view_counts_check(j->cj_reader, &j->cj_counts_ok);
    return NULL;
}

static void *
view__check_main(void *arg)
{
    struct view_check_job *j = arg;
    struct store *s = NULL;
    pthread_t live;
    int started = 0;

    /* both connections open first: opening takes the write lock a moment */
    j->cj_rc = store_open(j->cj_path, j->cj_net, &j->cj_roster, &s);
    if (j->cj_rc == 0)
        j->cj_rc =
            store_open(j->cj_path, j->cj_net, &j->cj_roster, &j->cj_reader);
    /* each connection reads payloads and hashes under the caller's
     * vocabulary (the view is current: attaching changes nothing) */
    if (j->cj_rc == 0)
        j->cj_rc = view_attach(s, j->cj_vocab);
    if (j->cj_rc == 0)
        j->cj_rc = view_attach(j->cj_reader, j->cj_vocab);
    if (j->cj_rc == 0)
        j->cj_rc = store_begin(s);
    if (j->cj_rc == 0) {
        started = pthread_create(&live, NULL, view__check_live, j) == 0;
        if (!started)
            view__check_live(j); /* one after the other, then */
        j->cj_rc = view_rebuild(s);
        if (j->cj_rc == 0)
            j->cj_rc = view__hash_compute(s, NULL, j->cj_rebuilt);
        if (started)
            pthread_join(live, NULL);
        store_rollback(s);
    }
    store_close(j->cj_reader);
    store_close(s);
    return NULL;
}

int
view_check_start(struct store *s, struct view_check_job **out)
{
    const char *path;
    struct view_check_job *j;

    if (!s || !out || !view__vocab(s))
        return ILONET_EINVAL;
    path = sqlite3_db_filename(store_db(s), "main");
    if (!path || !*path || strlen(path) >= sizeof(j->cj_path))
        return ILONET_ENOTFOUND; /* no file another connection could open */
    if (!(j = calloc(1, sizeof(*j))))
        return ILONET_ENOMEM;
    memcpy(j->cj_path, path, strlen(path) + 1);
    memcpy(j->cj_net, store_network(s), NET_ID_LEN);
    j->cj_roster = *store_roster(s);
    j->cj_vocab = view__vocab(s);
    j->cj_live_rc = ILONET_EIO;
    if (pthread_create(&j->cj_th, NULL, view__check_main, j) != 0) {
        free(j);
        return ILONET_EIO;
    }
    *out = j;
    return 0;
}

int
view_check_finish(struct view_check_job *j, uint8_t live[static HASH_LEN],
                  uint8_t rebuilt[static HASH_LEN], int *counts_ok)
{
    int rc;

    if (!j)
        return ILONET_EINVAL;
    pthread_join(j->cj_th, NULL);
    rc = j->cj_rc ? j->cj_rc : j->cj_live_rc;
    if (rc == 0) {
        memcpy(live, j->cj_live, HASH_LEN);
        memcpy(rebuilt, j->cj_rebuilt, HASH_LEN);
        if (counts_ok)
            *counts_ok = j->cj_counts_ok;
    }
    free(j);
    return rc;
}
