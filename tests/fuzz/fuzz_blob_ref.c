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
#include "storage/view/vocab.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct blob_ref refs[BLOB_REFS_MAX];
    static char hex[2 * 8192 + 1];
    static struct vocab *v; /* the seed's, loaded once for the process */
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
    if (!v && vocab_builtin("377-2004", &v, why, sizeof(why)) != 0)
        abort();
    /* the text form record_set takes: the same verdict */
    hash_hex(data, size, hex);
    if (record_builder_start(&b, v, KIND_OBSERVATION) != 0)
        abort();
    rs = record_set(&b, "attachments", hex);
    if ((rs == 0) != (rc == 0))
        abort();
    /* inside a payload, as a receiver meets it */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_pack_map(&wb, 4); /* keys in bytewise order, as payloads are */
    wire_pack_str(&wb, "attachments");
    wire_buf_append(&wb, data, size);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    wire_pack_str(&wb, "vocab"); /* attachments came with the version */
    wire_pack_uint(&wb, vocab_version(v));
    if (!wb.wb_err) {
        rs = record_validate(v, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                             sizeof(why));
        if (rc == 0 && rs != 0)
            abort();
    }
    wire_buf_free(&wb);
    return 0;
}
