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
    rc = log_range(s, log, from_seq, max_entries, SIZE_MAX, batch__enc_one, &b);
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

/* The audience str of a batch: shorter than ENTRY_AUDIENCE_MAX + 1, no NUL,
 * and already normalised (one log has one audience spelling). */
static int
batch__audience(struct wire_rd *r, char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char norm[ENTRY_AUDIENCE_MAX + 1];
    const char *a;
    size_t al;

    if (wire_rd_str(r, &a, &al) != 0 || al > ENTRY_AUDIENCE_MAX ||
        memchr(a, 0, al))
        return ILONET_EMALFORMED;
    memcpy(out, a, al);
    out[al] = '\0';
    if (audience_normalise(out, norm) != 0 || strcmp(norm, out) != 0)
        return ILONET_EMALFORMED;
    return 0;
}

/* One entry of the list, [hlc, kind, sig, payload | [len, hash]], into e
 * (whose log, seq and prev the caller set). */
static int
batch__entry(struct wire_rd *r, struct entry *e)
{
    const uint8_t *p;
    size_t pl;
    int rc;

    if ((rc = wire_rd_array_n(r, 4)) != 0 ||
        (rc = wire_rd_uint(r, &e->e_h.h_hlc)) != 0 ||
        (rc = wire_rd_uint(r, &e->e_h.h_kind)) != 0 ||
        (rc = wire_rd_bin_fixed(r, e->e_sig, KEY_SIG_LEN)) != 0)
        return rc;
    if (e->e_h.h_kind == 0 || e->e_h.h_kind > ENTRY_KIND_MAX)
        return ILONET_EKIND;
    if (wire_rd_peek(r) == WIRE_T_BIN) {
        if ((rc = wire_rd_bin(r, &p, &pl)) != 0)
            return rc;
        if (pl > ENTRY_PAYLOAD_MAX)
            return ILONET_ETOOBIG;
        e->e_payload = pl ? p : (const uint8_t *)"";
        e->e_payload_len = pl;
        e->e_h.h_payload_len = pl;
        entry_payload_hash(p, pl, e->e_h.h_payload_hash);
        e->e_payload_hashed = 1;
    } else {
        /* Erased or not held: the header still needs length and hash. */
        if ((rc = wire_rd_array_n(r, 2)) != 0 ||
            (rc = wire_rd_uint(r, &e->e_h.h_payload_len)) != 0 ||
            (rc = wire_rd_bin_fixed(r, e->e_h.h_payload_hash, HASH_LEN)) != 0)
            return rc;
        if (e->e_h.h_payload_len > ENTRY_PAYLOAD_MAX)
            return ILONET_ETOOBIG;
    }
    return entry_finish(e);
}

int
batch_decode(const uint8_t *buf, size_t len,
             const uint8_t network[static NET_ID_LEN], struct log_batch *b)
{
    static const struct wire_limits lim = {BATCH_MAX_BYTES, 4,
                                           8 * BATCH_MAX_ENTRIES + 16};
    struct wire_rd r;
    struct log_batch t;
    struct entry *es = NULL;
    uint64_t first, count;
    int rc, have_prev = 0;
    uint8_t prev[HASH_LEN];

    memset(b, 0, sizeof(*b));
    if ((rc = wire_check(buf, len, &lim)) != 0)
        return rc;
    memset(&t, 0, sizeof(t));
    wire_rd_init(&r, buf, len, ILONET_EMALFORMED);
    if ((rc = wire_rd_array_n(&r, 5)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, t.b_log.ld_author, KEY_PK_LEN)) != 0 ||
        (rc = batch__audience(&r, t.b_log.ld_audience)) != 0 ||
        (rc = wire_rd_uint(&r, &first)) != 0)
        return rc;
    if (first == 0 || first > 0xffffffffu)
        return ILONET_EMALFORMED;
    if (wire_rd_peek(&r) == WIRE_T_NIL) {
        rc = wire_rd_nil(&r);
    } else {
        rc = wire_rd_bin_fixed(&r, prev, HASH_LEN);
        have_prev = 1;
    }
    if (rc != 0)
        return rc;
    if ((first == 1) == have_prev)
        return ILONET_ECHAIN;
    if ((rc = wire_rd_array(&r, &count)) != 0)
        return rc;
    if (count == 0)
        return ILONET_EMALFORMED;
    if (count > BATCH_MAX_ENTRIES)
        return ILONET_ETOOBIG;
    entry_log_id(network, t.b_log.ld_author, t.b_log.ld_audience,
                 t.b_log.ld_id);
    es = calloc((size_t)count, sizeof(*es));
    if (!es)
        return ILONET_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        struct entry *e = &es[i];

        e->e_h.h_version = ENTRY_VERSION;
        memcpy(e->e_h.h_log, t.b_log.ld_id, HASH_LEN);
        e->e_h.h_seq = first + i;
        e->e_h.h_has_prev = e->e_h.h_seq > 1;
        if (i == 0)
            memcpy(e->e_h.h_prev, prev, HASH_LEN);
        else
            memcpy(e->e_h.h_prev, es[i - 1].e_id, HASH_LEN);
        if ((rc = batch__entry(&r, e)) != 0)
            goto out;
    }
    t.b_count = (size_t)count;
    t.b_entries = es;
    es = NULL;
    *b = t;
out:
    free(es);
    return rc;
}

void
batch_free(struct log_batch *b)
{
    free(b->b_entries);
    b->b_entries = NULL;
    b->b_count = 0;
}
