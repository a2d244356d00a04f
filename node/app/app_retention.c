/* app_retention.c - personal data past its retention date: hidden everywhere,
 * erased by its author's node. */
#include "app_int.h"

#include <string.h>

#include "crypto/error.h"

/* Erase entries written per call at most: a node that was off for long
 * catches up over a few ticks instead of stalling one. */
#define APP__RETENTION_BATCH 64

int
app_retention_due(struct home *h, uint64_t now_ms, size_t *issued,
                  struct app_err *err)
{
    struct view_expired due[APP__RETENTION_BATCH];
    size_t n = 0, done = 0;
    uint64_t expired = 0;
    int rc;

    int64_t day = (int64_t)(now_ms / 86400000u);

    if (issued)
        *issued = 0;
    if (!h->h_store)
        return app_fail(err, ILONET_EINVAL, "no store open");
    /* once a day: the node calls this on every tick */
    if (h->h_retention_day == day)
        return 0;
    /* every node hides the bytes on the same date */
    if ((rc = view_expire_due(h->h_store, now_ms, &expired)) != 0)
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    /* As for `ilonet erase`: the WAL's old page images of the payloads
     * just erased go (another connection may defer it to a later
     * checkpoint). Those payloads held the keys of the records' files:
     * the files go now, after the sweep committed; also when this sweep
     * found nothing, since the one home_open() ran may have, and
     * erasures that came by sync leave files behind too. A failure here
     * leaves them to the next collection; it does not stop the erase
     * entries. */
    if (expired)
        (void)store_wal_truncate(h->h_store, NULL);
    (void)app__blob_gc(h);
    if (!h->h_has_cert) {
        h->h_retention_day = day; /* nothing of this node's to sign for */
        return 0;
    }
    if ((rc = view_expired_own(h->h_store, h->h_key.pk, due,
                               APP__RETENTION_BATCH, &n)) != 0)
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    for (size_t i = 0; i < n; i++) {
        struct record_builder b;
        struct app_written w;
        struct wire_buf wb;
        char reason[40];

        snprintf(reason, sizeof(reason), "retention ended %s",
                 due[i].ve_retain_until);
        if (record_builder_start(&b, h->h_vocab, KIND_ERASE) != 0 ||
            record_set_id(&b, "record", due[i].ve_id) != 0 ||
            record_set(&b, "reason", reason) != 0) {
            rc = app_fail(err, ILONET_EINVAL, "%s", b.rb_err);
            break;
        }
        wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
        if ((rc = app__build(&b, &wb, err)) == 0)
            rc = app__append(h, due[i].ve_audience, KIND_ERASE, &wb, &w, err);
        wire_buf_free(&wb);
        if (rc != 0)
            break;
        done++;
    }
    /* a full batch: more may wait, go on at the next call; a failure
     * (a restored home not yet synced, a busy store) is tried again the
     * next day, not on every tick */
    if (rc != 0 || n < APP__RETENTION_BATCH)
        h->h_retention_day = day;
    if (issued)
        *issued = done;
    return rc;
}
