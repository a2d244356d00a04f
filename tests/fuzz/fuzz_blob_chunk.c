/* fuzz_blob_chunk.c - libFuzzer harness: the blob transfer unit (a chunk
 * with its proof, docs/PROTOCOL.md "Blob transfer", planned) fed any
 * bytes.
 *
 * Whatever the input: a documented code, no read outside the input; when
 * it decodes, encoding it again gives back exactly the input, and checking
 * it against any blob size returns 0, invalid-argument or bad-hash (a
 * proof an attacker made up never passes for the real blob of the seed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/blob.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct blob_chunk c;
    struct wire_buf wb;
    int rc;

    rc = blob_chunk_decode(data, size, &c);
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    if (rc != 0)
        return 0;
    if (c.bc_len == 0 || c.bc_len > BLOB_CHUNK ||
        c.bc_nproof > BLOB_PROOF_MAX || c.bc_data < data ||
        c.bc_data + c.bc_len > data + size)
        abort();
    wire_buf_init(&wb, BLOB_CHUNK_MSG_MAX);
    blob_chunk_encode(&wb, &c);
    if (wb.wb_err || wb.wb_len != size || memcmp(wb.wb_data, data, size))
        abort();
    wire_buf_free(&wb);
    /* the size that makes this chunk's length right, and some that do not */
    {
        uint64_t sizes[3] = {(uint64_t)c.bc_index * BLOB_CHUNK + c.bc_len,
                             (uint64_t)(c.bc_index + 1) * BLOB_CHUNK + 1, 1};
        for (int i = 0; i < 3; i++) {
            rc = blob_chunk_verify(&c, sizes[i]);
            if (rc != 0 && rc != ILONET_EINVAL && rc != ILONET_EHASH)
                abort();
        }
    }
    return 0;
}
