/* fuzz_wire.c - libFuzzer harness: the canonical pre-scan and the wire reader.
 *
 * Bytes that wire_check() accepts must read completely with the reader
 * (every value, no error, nothing left), and writing back what was read
 * with the packer must give exactly the input: canonical msgpack has one
 * encoding per value. Bytes it refuses get a code of the enum, and the
 * reader must stay inside them however far it gets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"

/* Reads one value with the reader and writes it to wb; returns the first
 * reader error. checked: the bytes passed wire_check(), so every str must
 * be UTF-8. Depth is bounded by wire_check()'s limits or by 64. */
static int
fz_copy(struct wire_rd *r, struct wire_buf *wb, int depth, int checked)
{
    const char *s;
    const uint8_t *b;
    size_t n;
    uint64_t u, count;
    int64_t i;
    int rc, v;

    if (depth > 64)
        return ILONET_ETOODEEP;
    switch (wire_rd_peek(r)) {
    case WIRE_T_NIL:
        if ((rc = wire_rd_nil(r)) == 0)
            wire_pack_nil(wb);
        return rc;
    case WIRE_T_BOOL:
        if ((rc = wire_rd_bool(r, &v)) == 0)
            wire_pack_bool(wb, v);
        return rc;
    case WIRE_T_UINT:
        if ((rc = wire_rd_uint(r, &u)) == 0)
            wire_pack_uint(wb, u);
        return rc;
    case WIRE_T_INT:
        if ((rc = wire_rd_int(r, &i)) == 0)
            wire_pack_int(wb, i);
        return rc;
    case WIRE_T_STR:
        if ((rc = wire_rd_str(r, &s, &n)) != 0)
            return rc;
        if (checked && !wire_utf8_ok((const uint8_t *)s, n))
            abort();
        wire_pack_strn(wb, s, n);
        return 0;
    case WIRE_T_BIN:
        if ((rc = wire_rd_bin(r, &b, &n)) == 0)
            wire_pack_bin(wb, b, n);
        return rc;
    case WIRE_T_ARRAY:
    case WIRE_T_MAP: {
        int map = wire_rd_peek(r) == WIRE_T_MAP;

        rc = map ? wire_rd_map(r, &count) : wire_rd_array(r, &count);
        if (rc != 0)
            return rc;
        if (count > wire_rd_left(r))
            return ILONET_EMALFORMED; /* a lie: not walked */
        if (map)
            wire_pack_map(wb, (uint32_t)count);
        else
            wire_pack_array(wb, (uint32_t)count);
        for (uint64_t k = 0; k < (map ? 2 * count : count); k++)
            if ((rc = fz_copy(r, wb, depth + 1, checked)) != 0)
                return rc;
        return 0;
    }
    case WIRE_T_END: return ILONET_EMALFORMED;
    case WIRE_T_OTHER: return ILONET_EMALFORMED;
    }
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct wire_limits lim = {65536, 8, 8192};
    struct wire_buf wb;
    struct wire_rd r;
    size_t used;
    int rc, crc;

    rc = wire_check(data, size, &lim);
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    crc = wire_check_prefix(data, size, &lim, &used);
    if ((crc == 0 && used == size) != (rc == 0))
        abort(); /* the two entry points disagree */
    wire_buf_init(&wb, 2 * size + 16);
    wire_rd_init(&r, data, size, ILONET_EPROTO);
    if (rc == 0) {
        if (fz_copy(&r, &wb, 0, 1) != 0 || wire_rd_done(&r) != 0)
            abort(); /* checked bytes must read completely */
        if (wb.wb_err || wb.wb_len != size || memcmp(wb.wb_data, data, size))
            abort(); /* a second encoding of the same values */
        wire_rd_init(&r, data, size, ILONET_EPROTO);
        if (wire_rd_skip(&r) != 0 || wire_rd_left(&r) != 0)
            abort();
    } else {
        /* whatever the reader makes of refused bytes, it stays inside */
        (void)fz_copy(&r, &wb, 0, 0);
        if (r.wr_p < data || r.wr_p > data + size)
            abort();
        wire_rd_init(&r, data, size, ILONET_EPROTO);
        if (wire_rd_skip(&r) == 0 && (r.wr_p < data || r.wr_p > data + size))
            abort();
    }
    wire_buf_free(&wb);
    return 0;
}
