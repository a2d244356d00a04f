/* sync_sqlite.c - sync's store interface over the SQLite store. */
#include "sync.h"

#include <string.h>

#include "crypto/error.h"
#include "storage/batch.h"
#include "storage/log.h"
#include "storage/store.h"

/*
 * Each function is the public storage call it names in sync.h, with the
 * struct store as the context. Nothing here keeps state, so a node can
 * be freed and created again over the same store.
 */

static const uint8_t *
sync__sq_network(void *ctx)
{
    return store_network(ctx);
}

static int
sync__sq_cert_verify(void *ctx, const uint8_t *buf, size_t len,
                     struct cert *out)
{
    return cert_verify(buf, len, store_roster(ctx), store_network(ctx), out);
}

static void
sync__sq_set_identity(void *ctx, const struct cert *me)
{
    struct store_identity id;

    memset(&id, 0, sizeof(id));
    memcpy(id.si_node, me->c_node, KEY_PK_LEN);
    memcpy(id.si_state, me->c_state, sizeof(id.si_state));
    id.si_role = me->c_role;
    store_set_identity(ctx, &id);
}

static int
sync__sq_heads(void *ctx, struct log_head **out, size_t *n)
{
    return log_heads(ctx, out, n);
}

static int
sync__sq_head(void *ctx, const uint8_t log[static HASH_LEN],
              struct log_head *out)
{
    return log_head(ctx, log, out);
}

/* The id of one entry: a one-entry range read. */
struct sync__sq_idq {
    uint8_t id[HASH_LEN];
    int found;
};

static int
sync__sq_id_cb(void *arg, const struct entry *e)
{
    struct sync__sq_idq *q = arg;

    memcpy(q->id, e->e_id, HASH_LEN);
    q->found = 1;
    return 1;
}

static int
sync__sq_id_at(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
               uint8_t id[static HASH_LEN])
{
    struct sync__sq_idq q = {{0}, 0};
    int rc = log_range(ctx, log, seq, 1, 1, sync__sq_id_cb, &q);

    if (rc != 0 && rc != 1)
        return rc;
    if (!q.found)
        return ILONET_ENOTFOUND;
    memcpy(id, q.id, HASH_LEN);
    return 0;
}

static int
sync__sq_range(void *ctx, const uint8_t log[static HASH_LEN], uint64_t from_seq,
               size_t max_entries, size_t max_bytes, struct wire_buf *wb,
               size_t *count)
{
    return batch_encode(ctx, log, from_seq, max_entries, max_bytes, wb, count);
}

static int
sync__sq_ingest(void *ctx, const struct log_batch *b, uint64_t now_ms,
                struct ingest_stats *st)
{
    return log_ingest(ctx, b, now_ms, st);
}

static int
sync__sq_evidence(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
                  struct log_evidence *out)
{
    return log_evidence_get(ctx, log, seq, out);
}

static int
sync__sq_revocations(void *ctx, uint64_t *n)
{
    return log_revocation_count(ctx, n);
}

static int
sync__sq_node_revoked(void *ctx, const uint8_t node[static KEY_PK_LEN],
                      const char *state)
{
    return log_node_revoked(ctx, node, state);
}

static int
sync__sq_restored(void *ctx, int *restored)
{
    return log_is_restored(ctx, restored);
}

static int
sync__sq_clear_restored(void *ctx)
{
    return log_clear_restored(ctx);
}

static int
sync__sq_self_behind(void *ctx, const uint8_t log[static HASH_LEN],
                     uint64_t seq)
{
    return log_mark_self_behind(ctx, log, seq);
}

static const struct sync_store_ops sync__sq_ops = {
    .so_network = sync__sq_network,
    .so_cert_verify = sync__sq_cert_verify,
    .so_set_identity = sync__sq_set_identity,
    .so_heads = sync__sq_heads,
    .so_head = sync__sq_head,
    .so_id_at = sync__sq_id_at,
    .so_range = sync__sq_range,
    .so_ingest = sync__sq_ingest,
    .so_evidence = sync__sq_evidence,
    .so_revocations = sync__sq_revocations,
    .so_node_revoked = sync__sq_node_revoked,
    .so_restored = sync__sq_restored,
    .so_clear_restored = sync__sq_clear_restored,
    .so_self_behind = sync__sq_self_behind,
};

void
sync_store_sqlite(struct sync_store *out, struct store *s)
{
    out->ss_ops = &sync__sq_ops;
    out->ss_ctx = s;
}
