/* batch.c - compact log-range encoding shared by export files and sync. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"

struct batch__enc {
    struct wire_buf *be_entries;
    size_t be_count;
    size_t be_max;
    size_t be_bytes_max;
    int be_have_prev;
    uint8_t be_prev[HASH_LEN];
    uint64_t be_first;
};

static int
batch__enc_one(void *arg, const struct entry *e)
{
    struct batch__enc *b = arg;

    if (b->be_count == 0) {
        b->be_first = e->e_h.h_seq;
        b->be_have_prev = e->e_h.h_has_prev;
        memcpy(b->be_prev, e->e_h.h_prev, HASH_LEN);
    }
    wire_pack_array(b->be_entries, 4);
    wire_pack_uint(b->be_entries, e->e_h.h_hlc);
    wire_pack_uint(b->be_entries, e->e_h.h_kind);
    wire_pack_bin(b->be_entries, e->e_sig, KEY_SIG_LEN);
    if (e->e_payload) {
        wire_pack_bin(b->be_entries, e->e_payload, e->e_payload_len);
    } else {
        /* Erased or not held: the header still needs length and hash. */
        wire_pack_array(b->be_entries, 2);
        wire_pack_uint(b->be_entries, e->e_h.h_payload_len);
        wire_pack_bin(b->be_entries, e->e_h.h_payload_hash, HASH_LEN);
    }
    b->be_count++;
    if (b->be_entries->wb_err)
        return b->be_entries->wb_err;
    if (b->be_count >= b->be_max || b->be_entries->wb_len >= b->be_bytes_max)
        return 1; /* full */
    return 0;
}

int
batch_encode(struct store *s, const uint8_t log[static HASH_LEN],
             uint64_t from_seq, size_t max_entries, size_t max_bytes,
             struct wire_buf *wb, size_t *count)
{
    struct wire_buf entries;
    struct batch__enc b;
    struct log_desc d;
    int rc;

    if (max_entries == 0 || max_entries > BATCH_MAX_ENTRIES)
        max_entries = BATCH_MAX_ENTRIES;
    if (max_bytes == 0 || max_bytes > BATCH_MAX_BYTES - 4096)
        max_bytes = BATCH_MAX_BYTES - 4096;
    if ((rc = log_desc_get(s, log, &d)) != 0)
        return rc;
    /* One entry can be up to ENTRY_PAYLOAD_MAX + ~100 bytes past the soft
     * limit; the hard limit leaves room for it. */
    wire_buf_init(&entries, BATCH_MAX_BYTES - 256);
    memset(&b, 0, sizeof(b));
    b.be_entries = &entries;
    b.be_max = max_entries;
    b.be_bytes_max = max_bytes;
    rc = log_range(s, log, from_seq, max_entries, SIZE_MAX, batch__enc_one,
                   &b);
    if (rc != 0 && rc != 1)
        goto out;
    if (b.be_count == 0) {
        rc = ILONET_ENOTFOUND;
        goto out;
    }
    wire_pack_array(wb, 5);
    wire_pack_bin(wb, d.ld_author, KEY_PK_LEN);
    wire_pack_str(wb, d.ld_audience);
    wire_pack_uint(wb, b.be_first);
    if (b.be_have_prev)
        wire_pack_bin(wb, b.be_prev, HASH_LEN);
    else
        wire_pack_nil(wb);
    wire_pack_array(wb, (uint32_t)b.be_count);
    wire_buf_append(wb, entries.wb_data, entries.wb_len);
    rc = wb->wb_err;
    if (rc == 0)
        *count = b.be_count;
out:
    wire_buf_free(&entries);
    return rc;
}

int
batch_decode(const uint8_t *buf, size_t len,
             const uint8_t network[static NET_ID_LEN], struct log_batch *b)
{
    static const struct wire_limits lim = {
        BATCH_MAX_BYTES, 4, 8 * BATCH_MAX_ENTRIES + 16};
    char aud[ENTRY_AUDIENCE_MAX + 1];
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *f, *list;
    struct entry *es = NULL;
    uint64_t first;
    int rc, have_prev = 0;
    uint8_t prev[HASH_LEN];

    memset(b, 0, sizeof(*b));
    if ((rc = wire_check(buf, len, &lim)) != 0)
        return rc;
    if (!msgpack_zone_init(&z, 4096))
        return ILONET_ENOMEM;
    if ((rc = wire_unpack(buf, len, &z, &o)) != 0)
        goto out;
    rc = ILONET_EMALFORMED;
    if (o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size != 5)
        goto out;
    f = o.via.array.ptr;
    if (wire_get_bin_fixed(&f[0], b->b_log.ld_author, KEY_PK_LEN) != 0 ||
        wire_get_cstr(&f[1], b->b_log.ld_audience,
                      sizeof(b->b_log.ld_audience)) != 0 ||
        audience_normalise(b->b_log.ld_audience, aud) != 0 ||
        strcmp(aud, b->b_log.ld_audience) != 0 ||
        wire_get_uint(&f[2], &first) != 0 || first == 0 ||
        first > 0xffffffffu)
        goto out;
    if (f[3].type == MSGPACK_OBJECT_NIL)
        have_prev = 0;
    else if (wire_get_bin_fixed(&f[3], prev, HASH_LEN) == 0)
        have_prev = 1;
    else
        goto out;
    if ((first == 1) == have_prev) {
        rc = ILONET_ECHAIN;
        goto out;
    }
    list = &f[4];
    if (list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
        goto out;
    if (list->via.array.size > BATCH_MAX_ENTRIES) {
        rc = ILONET_ETOOBIG;
        goto out;
    }
    entry_log_id(network, b->b_log.ld_author, b->b_log.ld_audience,
                 b->b_log.ld_id);
    es = calloc(list->via.array.size, sizeof(*es));
    if (!es) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        const msgpack_object *eo = &list->via.array.ptr[i], *ef;
        struct entry *e = &es[i];
        const uint8_t *p;
        size_t pl;

        rc = ILONET_EMALFORMED;
        if (eo->type != MSGPACK_OBJECT_ARRAY || eo->via.array.size != 4)
            goto out;
        ef = eo->via.array.ptr;
        e->e_h.h_version = ENTRY_VERSION;
        memcpy(e->e_h.h_log, b->b_log.ld_id, HASH_LEN);
        e->e_h.h_seq = first + i;
        e->e_h.h_has_prev = e->e_h.h_seq > 1;
        if (i == 0)
            memcpy(e->e_h.h_prev, prev, HASH_LEN);
        else
            memcpy(e->e_h.h_prev, es[i - 1].e_id, HASH_LEN);
        if (wire_get_uint(&ef[0], &e->e_h.h_hlc) != 0 ||
            wire_get_uint(&ef[1], &e->e_h.h_kind) != 0 ||
            wire_get_bin_fixed(&ef[2], e->e_sig, KEY_SIG_LEN) != 0)
            goto out;
        if (e->e_h.h_kind == 0 || e->e_h.h_kind >= KIND_COUNT_) {
            rc = ILONET_EKIND;
            goto out;
        }
        if (wire_get_bin(&ef[3], &p, &pl) == 0) {
            if (pl > ENTRY_PAYLOAD_MAX) {
                rc = ILONET_ETOOBIG;
                goto out;
            }
            e->e_payload = pl ? p : (const uint8_t *)"";
            e->e_payload_len = pl;
            e->e_h.h_payload_len = pl;
            entry_payload_hash(p, pl, e->e_h.h_payload_hash);
            e->e_payload_hashed = 1;
        } else if (ef[3].type == MSGPACK_OBJECT_ARRAY &&
                   ef[3].via.array.size == 2 &&
                   wire_get_uint(&ef[3].via.array.ptr[0],
                                 &e->e_h.h_payload_len) == 0 &&
                   wire_get_bin_fixed(&ef[3].via.array.ptr[1],
                                      e->e_h.h_payload_hash,
                                      HASH_LEN) == 0) {
            if (e->e_h.h_payload_len > ENTRY_PAYLOAD_MAX) {
                rc = ILONET_ETOOBIG;
                goto out;
            }
        } else {
            goto out;
        }
        if ((rc = entry_finish(e)) != 0)
            goto out;
    }
    b->b_count = list->via.array.size;
    b->b_entries = es;
    es = NULL;
    rc = 0;
out:
    free(es);
    msgpack_zone_destroy(&z);
    if (rc != 0)
        memset(b, 0, sizeof(*b));
    return rc;
}

void
batch_free(struct log_batch *b)
{
    free(b->b_entries);
    b->b_entries = NULL;
    b->b_count = 0;
}
