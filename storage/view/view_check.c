/* view_check.c - view_check() on a thread of its own, beside the verification
 * of the entries. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "view_int.h"

/*
 * `ilonet verify` compares the view with a full rebuild while worker
 * threads check the entries' signatures (storage/log.h
 * log_verify_all_par): the rebuild is one SQLite writer and cannot be
 * split, but it can run beside them. The thread opens its own connection
 * to the store's file, so the caller's struct store stays the caller's.
 * view_check() takes the write lock for the comparison and rolls it back,
 * as it does on the caller's connection.
 */

struct view_check_job {
    pthread_t cj_th;
    char cj_path[4096];
    uint8_t cj_net[NET_ID_LEN];
    struct roster cj_roster;
    uint8_t cj_live[HASH_LEN], cj_rebuilt[HASH_LEN];
    int cj_rc;
};

static void *
view__check_main(void *arg)
{
    struct view_check_job *j = arg;
    struct store *s = NULL;

    j->cj_rc = store_open(j->cj_path, j->cj_net, &j->cj_roster, &s);
    if (j->cj_rc == 0)
        j->cj_rc = view_check(s, j->cj_live, j->cj_rebuilt);
    store_close(s);
    return NULL;
}

int
view_check_start(struct store *s, struct view_check_job **out)
{
    const char *path;
    struct view_check_job *j;

    if (!s || !out)
        return ILONET_EINVAL;
    path = sqlite3_db_filename(store_db(s), "main");
    if (!path || !*path || strlen(path) >= sizeof(j->cj_path))
        return ILONET_ENOTFOUND; /* no file another connection could open */
    if (!(j = calloc(1, sizeof(*j))))
        return ILONET_ENOMEM;
    memcpy(j->cj_path, path, strlen(path) + 1);
    memcpy(j->cj_net, store_network(s), NET_ID_LEN);
    j->cj_roster = *store_roster(s);
    if (pthread_create(&j->cj_th, NULL, view__check_main, j) != 0) {
        free(j);
        return ILONET_EIO;
    }
    *out = j;
    return 0;
}

int
view_check_finish(struct view_check_job *j, uint8_t live[static HASH_LEN],
                  uint8_t rebuilt[static HASH_LEN])
{
    int rc;

    if (!j)
        return ILONET_EINVAL;
    pthread_join(j->cj_th, NULL);
    rc = j->cj_rc;
    if (rc == 0) {
        memcpy(live, j->cj_live, HASH_LEN);
        memcpy(rebuilt, j->cj_rebuilt, HASH_LEN);
    }
    free(j);
    return rc;
}
