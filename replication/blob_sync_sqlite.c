/* blob_sync_sqlite.c - blob transfer's store interface over a blob store
 * (storage/blob.h) with an eager-fetch horizon. */
#include "blob_sync.h"

#include "crypto/error.h"

/*
 * Each function is the storage call it names in blob_sync.h; the context
 * is the caller's struct blob_sync_sqlite, which keeps no state of its own
 * beyond the horizon.
 */

static int
blob_sync__sq_wanted(void *ctx, uint64_t now_ms, struct blob_want *out,
                     size_t max, size_t *n)
{
    struct blob_sync_sqlite *q = ctx;
    uint64_t since = now_ms > q->bq_eager_ms ? now_ms - q->bq_eager_ms : 0;

    return blob_wanted(q->bq_bs, since, out, max, n);
}

static int
blob_sync__sq_admits(void *ctx, const uint8_t id[HASH_LEN], const char *state,
                     int role, int need_file)
{
    struct blob_sync_sqlite *q = ctx;

    return blob_admits(q->bq_bs, id, state, role, need_file);
}

static int
blob_sync__sq_reader(void *ctx, const uint8_t id[HASH_LEN],
                     struct blob_reader **out)
{
    struct blob_sync_sqlite *q = ctx;

    return blob_reader_open(q->bq_bs, id, out);
}

static int
blob_sync__sq_writer(void *ctx, const uint8_t id[HASH_LEN], uint64_t now_ms,
                     struct blob_writer **out)
{
    struct blob_sync_sqlite *q = ctx;

    return blob_writer_open(q->bq_bs, id, now_ms, out);
}

static const struct blob_sync_store_ops blob_sync__sq_ops = {
    blob_sync__sq_wanted,
    blob_sync__sq_admits,
    blob_sync__sq_reader,
    blob_sync__sq_writer,
};

void
blob_sync_store_sqlite(struct blob_sync_store *out,
                       struct blob_sync_sqlite *ctx)
{
    out->bs_ops = &blob_sync__sq_ops;
    out->bs_ctx = ctx;
}
