/* msg.c - sync message codec: frame check, bounded wire_check, wire reader. */
#include "msg.h"

#include <string.h>

#include "crypto/cert.h"
#include "crypto/error.h"

/*
 * Bodies are read with the wire reader (crypto/wire.h) after wire_check()
 * passed with limits fitted to the type. A value of the wrong type or size
 * is the peer breaking the protocol: the reader reports it as EPROTO.
 */

/* Checks the whole message with per-type limits. */
static int
msg__check(const uint8_t *buf, size_t len, size_t max_len, int depth,
           size_t items)
{
    struct wire_limits lim = {max_len, depth, items};

    return wire_check(buf, len, &lim);
}

#define MSG__HEAD_BYTES (1 + 34 + 34 + 2 + ENTRY_AUDIENCE_MAX + 9 + 34 + 9)
#define MSG__WANT_BYTES (1 + 34 + 9)
/* An evidence batch holds one entry without its payload. */
#define MSG__EVIDENCE_MAX 1024

int
msg_decode(const uint8_t *buf, size_t len, struct msg *m)
{
    struct wire_rd r;
    uint64_t n, type, v;
    int rc;

    if (!buf || !m)
        return ILONET_EINVAL;
    if (len > MSG_MAX_BYTES)
        return ILONET_ETOOBIG;
    /* Frame: a fixarray of 2..15 elements whose first is a fixint type. */
    if (len < 2)
        return ILONET_EMALFORMED;
    if (buf[0] < 0x92 || buf[0] > 0x9f)
        return (buf[0] >= 0x90 && buf[0] <= 0x91) ? ILONET_EPROTO
                                                  : ILONET_EMALFORMED;
    if (buf[1] > 0x7f)
        return ILONET_EPROTO;
    n = buf[0] & 0x0f;
    type = buf[1];
    memset(m, 0, sizeof(*m));
    m->m_type = (enum msg_type)type;

    switch (type) {
    case MSG_T_BATCH:
        /* The body is exactly one batch; batch_decode() checks it (strict
         * pre-scan, bounds) so it is not scanned twice. */
        if (n != 2)
            return ILONET_EPROTO;
        m->m_a = buf + 2;
        m->m_a_len = len - 2;
        return 0;
    case MSG_T_EVIDENCE: {
        struct wire_limits lim = {MSG__EVIDENCE_MAX, 4, 64};
        size_t alen;

        if (n != 3)
            return ILONET_EPROTO;
        if (len > 2 + 2 * MSG__EVIDENCE_MAX)
            return ILONET_ETOOBIG;
        if ((rc = wire_check_prefix(buf + 2, len - 2, &lim, &alen)) != 0)
            return rc;
        if ((rc = wire_check(buf + 2 + alen, len - 2 - alen, &lim)) != 0)
            return rc;
        m->m_a = buf + 2;
        m->m_a_len = alen;
        m->m_b = buf + 2 + alen;
        m->m_b_len = len - 2 - alen;
        return 0;
    }
    case MSG_T_HELLO:
        if (n != 3)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, CERT_MAX_LEN + 32, 1, 3)) != 0)
            return rc;
        break;
    case MSG_T_HEADS:
        if (n != 4)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, 64 + MSG_HEADS_MAX * MSG__HEAD_BYTES, 3,
                             5 + MSG_HEADS_MAX * 7)) != 0)
            return rc;
        break;
    case MSG_T_WANT:
        if (n != 2)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, 16 + MSG_WANT_MAX * MSG__WANT_BYTES, 3,
                             3 + MSG_WANT_MAX * 3)) != 0)
            return rc;
        break;
    case MSG_T_DIGEST:
        if (n != 2)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, 64, 1, 2)) != 0)
            return rc;
        break;
    case MSG_T_ACK:
        if (n != 2)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, 16, 1, 2)) != 0)
            return rc;
        break;
    default: return ILONET_EPROTO;
    }

    wire_rd_init(&r, buf + 2, len - 2, ILONET_EPROTO);
    switch (type) {
    case MSG_T_HELLO:
        if ((rc = wire_rd_uint(&r, &m->m_version)) != 0 ||
            (rc = wire_rd_bin(&r, &m->m_cert, &m->m_cert_len)) != 0)
            return rc;
        if (m->m_cert_len == 0 || m->m_cert_len > CERT_MAX_LEN)
            return ILONET_EPROTO;
        break;
    case MSG_T_HEADS:
        if ((rc = wire_rd_uint(&r, &m->m_flags)) != 0 ||
            (rc = wire_rd_bin_fixed(&r, m->m_digest, HASH_LEN)) != 0 ||
            (rc = wire_rd_array(&r, &v)) != 0)
            return rc;
        if (m->m_flags & ~(uint64_t)MSG_HEADS_FLAGS_ALL)
            return ILONET_EPROTO;
        if (v > MSG_HEADS_MAX)
            return ILONET_ETOOBIG;
        m->m_count = (size_t)v;
        m->m_items = r.wr_p;
        m->m_items_end = r.wr_end;
        return 0;
    case MSG_T_WANT:
        if ((rc = wire_rd_array(&r, &v)) != 0)
            return rc;
        if (v > MSG_WANT_MAX)
            return ILONET_ETOOBIG;
        m->m_count = (size_t)v;
        m->m_items = r.wr_p;
        m->m_items_end = r.wr_end;
        return 0;
    case MSG_T_DIGEST:
        if ((rc = wire_rd_bin_fixed(&r, m->m_digest, HASH_LEN)) != 0)
            return rc;
        break;
    case MSG_T_ACK:
        if ((rc = wire_rd_uint(&r, &m->m_total)) != 0)
            return rc;
        break;
    }
    return wire_rd_done(&r);
}

int
msg_heads_next(struct msg *m, struct msg_head *out)
{
    struct wire_rd r;
    char norm[ENTRY_AUDIENCE_MAX + 1];
    const char *s;
    size_t sl;
    int rc;

    if (m->m_type != MSG_T_HEADS || m->m_count == 0)
        return 0;
    wire_rd_init(&r, m->m_items, (size_t)(m->m_items_end - m->m_items),
                 ILONET_EPROTO);
    if ((rc = wire_rd_array_n(&r, 6)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, out->mh_log, HASH_LEN)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, out->mh_author, KEY_PK_LEN)) != 0 ||
        (rc = wire_rd_str(&r, &s, &sl)) != 0)
        return rc;
    if (sl == 0 || sl > ENTRY_AUDIENCE_MAX)
        return ILONET_EPROTO;
    memcpy(out->mh_audience, s, sl);
    out->mh_audience[sl] = 0;
    if ((rc = wire_rd_uint(&r, &out->mh_seq)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, out->mh_id, HASH_LEN)) != 0 ||
        (rc = wire_rd_uint(&r, &out->mh_frozen)) != 0)
        return rc;
    /* A head names a held log (seq >= 1); a fork is at a seq <= the head
     * or just past it (the other branch may be longer). */
    if (out->mh_seq == 0 || out->mh_seq > INT64_MAX)
        return ILONET_EPROTO;
    if (audience_normalise(out->mh_audience, norm) != 0 ||
        strcmp(norm, out->mh_audience) != 0)
        return ILONET_EPROTO;
    m->m_items = r.wr_p;
    m->m_count--;
    if (m->m_count == 0 && wire_rd_done(&r) != 0)
        return ILONET_EMALFORMED;
    return 1;
}

int
msg_want_next(struct msg *m, struct msg_want *out)
{
    struct wire_rd r;
    int rc;

    if (m->m_type != MSG_T_WANT || m->m_count == 0)
        return 0;
    wire_rd_init(&r, m->m_items, (size_t)(m->m_items_end - m->m_items),
                 ILONET_EPROTO);
    if ((rc = wire_rd_array_n(&r, 2)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, out->mw_log, HASH_LEN)) != 0 ||
        (rc = wire_rd_uint(&r, &out->mw_from)) != 0)
        return rc;
    if (out->mw_from == 0 || out->mw_from > INT64_MAX)
        return ILONET_EPROTO;
    m->m_items = r.wr_p;
    m->m_count--;
    if (m->m_count == 0 && wire_rd_done(&r) != 0)
        return ILONET_EMALFORMED;
    return 1;
}

/* Every message is a fixarray: the element count and the type byte. */
static void
msg__frame(struct wire_buf *wb, uint32_t n, enum msg_type t)
{
    wire_pack_array(wb, n);
    wire_pack_uint(wb, (uint64_t)t);
}

void
msg_encode_hello(struct wire_buf *wb, const uint8_t *cert, size_t len)
{
    msg__frame(wb, 3, MSG_T_HELLO);
    wire_pack_uint(wb, SYNC_PROTO_VERSION);
    wire_pack_bin(wb, cert, len);
}

void
msg_encode_heads_begin(struct wire_buf *wb, uint64_t flags,
                       const uint8_t digest[static HASH_LEN], size_t n)
{
    msg__frame(wb, 4, MSG_T_HEADS);
    wire_pack_uint(wb, flags);
    wire_pack_bin(wb, digest, HASH_LEN);
    wire_pack_array(wb, (uint32_t)n);
}

void
msg_encode_head(struct wire_buf *wb, const struct msg_head *h)
{
    wire_pack_array(wb, 6);
    wire_pack_bin(wb, h->mh_log, HASH_LEN);
    wire_pack_bin(wb, h->mh_author, KEY_PK_LEN);
    wire_pack_str(wb, h->mh_audience);
    wire_pack_uint(wb, h->mh_seq);
    wire_pack_bin(wb, h->mh_id, HASH_LEN);
    wire_pack_uint(wb, h->mh_frozen);
}

void
msg_encode_want_begin(struct wire_buf *wb, size_t n)
{
    msg__frame(wb, 2, MSG_T_WANT);
    wire_pack_array(wb, (uint32_t)n);
}

void
msg_encode_want(struct wire_buf *wb, const struct msg_want *w)
{
    wire_pack_array(wb, 2);
    wire_pack_bin(wb, w->mw_log, HASH_LEN);
    wire_pack_uint(wb, w->mw_from);
}

void
msg_encode_batch_begin(struct wire_buf *wb)
{
    msg__frame(wb, 2, MSG_T_BATCH);
}

void
msg_encode_evidence_begin(struct wire_buf *wb)
{
    msg__frame(wb, 3, MSG_T_EVIDENCE);
}

void
msg_encode_digest(struct wire_buf *wb, const uint8_t digest[static HASH_LEN])
{
    msg__frame(wb, 2, MSG_T_DIGEST);
    wire_pack_bin(wb, digest, HASH_LEN);
}

void
msg_encode_ack(struct wire_buf *wb, uint64_t total)
{
    msg__frame(wb, 2, MSG_T_ACK);
    wire_pack_uint(wb, total);
}

const char *
msg_type_name(uint64_t type)
{
    static const char *const names[] = {
        "unknown", "hello",    "heads",  "want",
        "batch",   "evidence", "digest", "ack",
    };

    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}
