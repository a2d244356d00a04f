/* fuzz_entry.c - libFuzzer harness: the entry header decoder and the
 * canonical msgpack pre-scan fed any bytes.
 *
 * Whatever the input, decoding must return a documented code; when a
 * header decodes, encoding it again must give back exactly the input
 * (there is one canonical form), and the payload checker must accept or
 * refuse without crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct entry_header h;
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    uint8_t out[ENTRY_HEADER_MAX];
    size_t n;
    int rc;

    rc = entry_header_decode(data, size, &h);
    if (rc == 0) {
        if (entry_header_encode(&h, out, &n) != 0 || n != size ||
            memcmp(out, data, size) != 0)
            abort(); /* a second encoding of the same header */
    } else if (rc > 0 || rc <= -ILONET_ERR_COUNT) {
        abort();
    }
    rc = wire_check(data, size, &lim);
    if (rc == 0) {
        msgpack_zone z;
        msgpack_object o;
        msgpack_zone_init(&z, 1024);
        if (wire_unpack(data, size, &z, &o) != 0)
            abort(); /* checked bytes must unpack */
        msgpack_zone_destroy(&z);
    }
    memset(&h, 0, sizeof(h));
    h.h_payload_len = size;
    entry_payload_hash(data, size, h.h_payload_hash);
    (void)entry_check_payload(&h, data, size);
    return 0;
}
