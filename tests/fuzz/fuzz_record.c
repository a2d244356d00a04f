/* fuzz_record.c - libFuzzer harness: record payload validation
 * (record_validate) under both shipped vocabularies.
 *
 * The first byte picks the regime (its top bit: 377-2004 or 2019-1240)
 * and the entry kind (the other seven bits, 0-127), the rest is the
 * payload. A refused
 * payload gets a code of the enum and a reason. An accepted one must be
 * what the log store accepts too (entry_check_payload_bytes); msgpack-c's
 * object for it, packed again, must be exactly the payload (the view reads
 * payloads through that object); and the record builder, given each value
 * in the form the CLI and the HTTP API give it, must build exactly the
 * payload again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/view/vocab.h"

/* Feeds one validated value to the builder as its adapters would. 1: the
 * builder cannot take this value's text form (a number of more than the
 * 18 digits record_set takes), skip the round trip. */
static int
fz_set(struct record_builder *b, const struct vocab_field *f,
       const msgpack_object *v, struct wire_buf *raw, char *text, size_t cap)
{
    switch (f->vf_type) {
    case VT_ID:
        if (record_set_id(b, f->vf_name, (const uint8_t *)v->via.bin.ptr) != 0)
            abort();
        return 0;
    case VT_BIN:
        if (record_set_raw(b, f->vf_name, (const uint8_t *)v->via.bin.ptr,
                           v->via.bin.size) != 0)
            abort();
        return 0;
    case VT_MAP:
        wire_buf_reset(raw);
        msgpack_pack_object(&raw->wb_pk, *v);
        if (raw->wb_err ||
            record_set_raw(b, f->vf_name, raw->wb_data, raw->wb_len) != 0)
            abort();
        return 0;
    case VT_UINT:
        if (v->via.u64 >= 1000000000000000000ULL)
            return 1;
        break;
    default: break;
    }
    if (record_value_text(v, text, cap) >= cap)
        abort();
    if (record_set(b, f->vf_name, text) != 0)
        abort(); /* the validator took a value the builder refuses */
    return 0;
}

/* The two shipped vocabularies, parsed once per fuzzing process. */
static const struct vocab *
fz_vocab(int current)
{
    static struct vocab *v[2];

    if (!v[current] && vocab_builtin(current ? "2019-1240" : "377-2004",
                                     &v[current], NULL, 0) != 0)
        abort();
    return v[current];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char texts[RECORD_MAX_ITEMS][65536 + 1];
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    struct record_builder b;
    struct wire_buf wb, raw;
    msgpack_zone z;
    msgpack_object o;
    char why[RECORD_ERR_MAX] = "";
    const struct vocab *v;
    uint32_t kind;
    int rc, skip = 0;

    if (size == 0)
        return 0;
    v = fz_vocab(data[0] >> 7);
    kind = data[0] & 0x7f;
    data++, size--;
    rc = record_validate(v, kind, data, size, why, sizeof(why));
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    if (rc != 0) {
        if (why[0] == '\0')
            abort(); /* every refusal says why */
        return 0;
    }
    if (entry_check_payload_bytes(data, size) != 0)
        abort(); /* valid for the view, refused by the log store */
    lim.max_len = 65536;
    if (wire_check(data, size, &lim) != 0)
        abort();
    msgpack_zone_init(&z, 2048);
    if (wire_unpack(data, size, &z, &o) != 0 || o.type != MSGPACK_OBJECT_MAP)
        abort();
    wire_buf_init(&wb, 2 * size + 64);
    wire_buf_init(&raw, 65536);
    msgpack_pack_object(&wb.wb_pk, o);
    if (wb.wb_err || wb.wb_len != size || memcmp(wb.wb_data, data, size))
        abort(); /* the object the view reads is not the payload */
    if (record_check(v, kind, &o, NULL, 0) != 0)
        abort();
    /* the builder, value by value (the "vocab" key is the builder's to
     * write) */
    if (record_builder_start(&b, v, kind) != 0 ||
        o.via.map.size > RECORD_MAX_ITEMS + 1)
        abort();
    for (uint32_t i = 0; i < o.via.map.size && !skip; i++) {
        const msgpack_object *k = &o.via.map.ptr[i].key;
        char name[64];
        const struct vocab_field *f;

        if (k->via.str.size >= sizeof(name))
            abort();
        memcpy(name, k->via.str.ptr, k->via.str.size);
        name[k->via.str.size] = '\0';
        if (strcmp(name, RECORD_VOCAB_KEY) == 0)
            continue;
        if (!(f = vocab_field(b.rb_kind, name)))
            abort();
        skip = fz_set(&b, f, &o.via.map.ptr[i].val, &raw, texts[i],
                      sizeof(texts[i]));
    }
    if (!skip) {
        wire_buf_reset(&wb);
        if (record_build(&b, &wb) != 0 || wb.wb_err)
            abort(); /* validated fields the builder will not combine */
        /* the same bytes, unless the entry names a higher version than
         * its fields need (valid, but not what the builder writes) */
        if (b.rb_version == record_payload_version(&o) &&
            (wb.wb_len != size || memcmp(wb.wb_data, data, size) != 0))
            abort(); /* built from the same values, other bytes */
        if (b.rb_version > record_payload_version(&o))
            abort(); /* the entry was read with fields it may not use */
    }
    wire_buf_free(&raw);
    wire_buf_free(&wb);
    msgpack_zone_destroy(&z);
    return 0;
}
