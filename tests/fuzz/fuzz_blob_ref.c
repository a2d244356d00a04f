/* fuzz_blob_ref.c - libFuzzer harness: the "attachments" reference field
 * fed any bytes, as bytes, as a record field's text form and inside a
 * payload.
 *
 * Whatever the input: a documented code; when it decodes, packing the
 * items again gives back exactly the input (one encoding per meaning);
 * record_set of its hex form agrees with the decoder; an observation
 * payload carrying it validates exactly when the decoder accepts it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/blob.h"
#include "storage/entry.h"
#include "storage/view/record.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct blob_ref refs[BLOB_REFS_MAX];
    static char hex[2 * 8192 + 1];
    struct record_builder b;
    struct wire_buf wb;
    char why[200];
    size_t n = 0;
    int rc, rs;

    rc = blob_refs_parse(data, size, refs, BLOB_REFS_MAX, &n, why, sizeof(why));
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    if (rc == 0) {
        if (n == 0 || n > BLOB_REFS_MAX)
            abort();
        wire_buf_init(&wb, 1 << 16);
        blob_refs_pack(&wb, refs, n);
        if (wb.wb_err || wb.wb_len != size || memcmp(wb.wb_data, data, size))
            abort(); /* a second encoding of the same items */
        wire_buf_free(&wb);
    }
    if (size == 0 || size > 8192)
        return 0;
    /* the text form record_set takes: the same verdict */
    hash_hex(data, size, hex);
    record_builder_init(&b, KIND_OBSERVATION);
    rs = record_set(&b, "attachments", hex);
    if ((rs == 0) != (rc == 0))
        abort();
    /* inside a payload, as a receiver meets it */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_pack_map(&wb, 3);
    wire_pack_str(&wb, "attachments");
    wire_buf_append(&wb, data, size);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    if (!wb.wb_err) {
        rs = record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                             sizeof(why));
        if (rc == 0 && rs != 0)
            abort();
    }
    wire_buf_free(&wb);
    return 0;
}
