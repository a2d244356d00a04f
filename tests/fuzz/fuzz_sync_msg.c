/* fuzz_sync_msg.c - libFuzzer harness: the sync message parser on hostile
 * bytes. */
/*
 * Every byte a peer sends after the handshake reaches msg_decode() first,
 * or blob_sync_decode() when its type is a blob one (8-11, node/peer.c
 * routes by blob_sync_is_mine); BATCH and EVIDENCE bodies then go to
 * batch_decode(). The harness runs them exactly as the link does, walks
 * every HEADS and WANT item, and checks that a decoded message stays
 * inside the input.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     tests/fuzz/fuzz_sync_msg.c replication/msg.c storage/batch.c \
 *     storage/entry.c crypto/wire.c crypto/hash.c crypto/key.c \
 *     crypto/cert.c crypto/error.c storage/log.c storage/log_sign.c \
 *     storage/store.c -lsodium -lmsgpackc -lsqlite3 -lpthread -o fuzz_sync_msg
 *   ./fuzz_sync_msg -max_total_time=20 tests/fuzz/corpus/sync_msg
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "replication/blob_sync.h"
#include "replication/msg.h"
#include "storage/batch.h"

static const uint8_t fz_network[NET_ID_LEN] = {1, 2, 3};

static void
fz_inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
    if (p && (p < buf || p + n > buf + len))
        abort();
}

static void
fz_batch(const uint8_t *p, size_t n)
{
    struct log_batch b;

    if (batch_decode(p, n, fz_network, &b) == 0) {
        if (b.b_count == 0 || !b.b_entries)
            abort();
        batch_free(&b);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct msg m;
    struct msg_head h;
    struct msg_want w;
    int rc;

    if (blob_sync_is_mine(buf, len)) {
        struct blob_sync_msg bm;

        if (blob_sync_decode(buf, len, &bm) != 0)
            return 0;
        if (bm.bm_type == BLOB_SYNC_T_CHUNK) {
            fz_inside(bm.bm_chunk.bc_data, bm.bm_chunk.bc_len, buf, len);
            if (bm.bm_chunk.bc_len == 0 || bm.bm_chunk.bc_len > BLOB_CHUNK ||
                bm.bm_chunk.bc_nproof > BLOB_PROOF_MAX)
                abort();
        }
        if (bm.bm_type == BLOB_SYNC_T_WANT && bm.bm_count == 0)
            abort();
        return 0;
    }
    if (msg_decode(buf, len, &m) != 0)
        return 0;
    fz_inside(m.m_cert, m.m_cert_len, buf, len);
    fz_inside(m.m_a, m.m_a_len, buf, len);
    fz_inside(m.m_b, m.m_b_len, buf, len);
    switch (m.m_type) {
    case MSG_T_HEADS:
        if (m.m_count > MSG_HEADS_MAX)
            abort();
        while ((rc = msg_heads_next(&m, &h)) == 1)
            if (h.mh_seq == 0 || strlen(h.mh_audience) > ENTRY_AUDIENCE_MAX)
                abort();
        break;
    case MSG_T_WANT:
        if (m.m_count > MSG_WANT_MAX)
            abort();
        while ((rc = msg_want_next(&m, &w)) == 1)
            if (w.mw_from == 0)
                abort();
        break;
    case MSG_T_BATCH: fz_batch(m.m_a, m.m_a_len); break;
    case MSG_T_EVIDENCE:
        fz_batch(m.m_a, m.m_a_len);
        fz_batch(m.m_b, m.m_b_len);
        break;
    default: break;
    }
    return 0;
}
