/* msg.c - sync message codec: frame check, bounded wire_check, item readers. */
#include "msg.h"

#include <string.h>

#include "crypto/cert.h"
#include "crypto/error.h"

/*
 * A cursor over bytes that already passed wire_check(). The checks here are
 * still complete (every read is bounds-checked and type-checked) so that a
 * wrong type is ILONET_EPROTO rather than undefined behaviour, but they can
 * assume the canonical shortest encodings.
 */
struct msg__rd {
    const uint8_t *p;
    const uint8_t *end;
};

static uint64_t
msg__be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static int
msg__need(struct msg__rd *r, size_t n)
{
    return (size_t)(r->end - r->p) >= n;
}

/* Array header: *n elements. */
static int
msg__array(struct msg__rd *r, uint64_t *n)
{
    uint8_t c;

    if (!msg__need(r, 1))
        return ILONET_EMALFORMED;
    c = *r->p;
    if (c >= 0x90 && c <= 0x9f) {
        *n = c & 0x0f;
        r->p += 1;
    } else if (c == 0xdc && msg__need(r, 3)) {
        *n = msg__be(r->p + 1, 2);
        r->p += 3;
    } else if (c == 0xdd && msg__need(r, 5)) {
        *n = msg__be(r->p + 1, 4);
        r->p += 5;
    } else {
        return ILONET_EPROTO;
    }
    return 0;
}

static int
msg__uint(struct msg__rd *r, uint64_t *v)
{
    uint8_t c;
    int w;

    if (!msg__need(r, 1))
        return ILONET_EMALFORMED;
    c = *r->p;
    if (c <= 0x7f) {
        *v = c;
        r->p += 1;
        return 0;
    }
    switch (c) {
    case 0xcc: w = 1; break;
    case 0xcd: w = 2; break;
    case 0xce: w = 4; break;
    case 0xcf: w = 8; break;
    default: return ILONET_EPROTO;
    }
    if (!msg__need(r, 1 + (size_t)w))
        return ILONET_EMALFORMED;
    *v = msg__be(r->p + 1, w);
    r->p += 1 + w;
    return 0;
}

static int
msg__bin(struct msg__rd *r, const uint8_t **b, size_t *n)
{
    uint8_t c;
    int w;
    uint64_t l;

    if (!msg__need(r, 1))
        return ILONET_EMALFORMED;
    c = *r->p;
    switch (c) {
    case 0xc4: w = 1; break;
    case 0xc5: w = 2; break;
    case 0xc6: w = 4; break;
    default: return ILONET_EPROTO;
    }
    if (!msg__need(r, 1 + (size_t)w))
        return ILONET_EMALFORMED;
    l = msg__be(r->p + 1, w);
    if (l > (uint64_t)(r->end - r->p) - 1 - (uint64_t)w)
        return ILONET_EMALFORMED;
    *b = r->p + 1 + w;
    *n = (size_t)l;
    r->p += 1 + w + l;
    return 0;
}

static int
msg__bin_fixed(struct msg__rd *r, uint8_t *out, size_t n)
{
    const uint8_t *b;
    size_t l;
    int rc;

    if ((rc = msg__bin(r, &b, &l)) != 0)
        return rc;
    if (l != n)
        return ILONET_EPROTO;
    memcpy(out, b, n);
    return 0;
}

static int
msg__str(struct msg__rd *r, const char **s, size_t *n)
{
    uint8_t c;
    int w;
    uint64_t l;

    if (!msg__need(r, 1))
        return ILONET_EMALFORMED;
    c = *r->p;
    if (c >= 0xa0 && c <= 0xbf) {
        w = 0;
        l = c & 0x1f;
    } else if (c >= 0xd9 && c <= 0xdb) {
        w = 1 << (c - 0xd9);
        if (!msg__need(r, 1 + (size_t)w))
            return ILONET_EMALFORMED;
        l = msg__be(r->p + 1, w);
    } else {
        return ILONET_EPROTO;
    }
    if (l > (uint64_t)(r->end - r->p) - 1 - (uint64_t)w)
        return ILONET_EMALFORMED;
    *s = (const char *)r->p + 1 + w;
    *n = (size_t)l;
    r->p += 1 + w + l;
    return 0;
}

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
    struct msg__rd r;
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
        if ((rc = msg__check(buf, len, 64 + MSG_HEADS_MAX * MSG__HEAD_BYTES,
                             3, 5 + MSG_HEADS_MAX * 7)) != 0)
            return rc;
        break;
    case MSG_T_WANT:
        if (n != 2)
            return ILONET_EPROTO;
        if ((rc = msg__check(buf, len, 16 + MSG_WANT_MAX * MSG__WANT_BYTES,
                             3, 3 + MSG_WANT_MAX * 3)) != 0)
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
    default:
        return ILONET_EPROTO;
    }

    r.p = buf + 2;
    r.end = buf + len;
    switch (type) {
    case MSG_T_HELLO:
        if ((rc = msg__uint(&r, &m->m_version)) != 0 ||
            (rc = msg__bin(&r, &m->m_cert, &m->m_cert_len)) != 0)
            return rc;
        if (m->m_cert_len == 0 || m->m_cert_len > CERT_MAX_LEN)
            return ILONET_EPROTO;
        break;
    case MSG_T_HEADS:
        if ((rc = msg__uint(&r, &m->m_flags)) != 0 ||
            (rc = msg__bin_fixed(&r, m->m_digest, HASH_LEN)) != 0 ||
            (rc = msg__array(&r, &v)) != 0)
            return rc;
        if (m->m_flags & ~(uint64_t)MSG_HEADS_FLAGS_ALL)
            return ILONET_EPROTO;
        if (v > MSG_HEADS_MAX)
            return ILONET_ETOOBIG;
        m->m_count = (size_t)v;
        m->m_items = r.p;
        m->m_items_end = r.end;
        return 0;
    case MSG_T_WANT:
        if ((rc = msg__array(&r, &v)) != 0)
            return rc;
        if (v > MSG_WANT_MAX)
            return ILONET_ETOOBIG;
        m->m_count = (size_t)v;
        m->m_items = r.p;
        m->m_items_end = r.end;
        return 0;
    case MSG_T_DIGEST:
        if ((rc = msg__bin_fixed(&r, m->m_digest, HASH_LEN)) != 0)
            return rc;
        break;
    case MSG_T_ACK:
        if ((rc = msg__uint(&r, &m->m_total)) != 0)
            return rc;
        break;
    }
    return r.p == r.end ? 0 : ILONET_EMALFORMED;
}

int
msg_heads_next(struct msg *m, struct msg_head *out)
{
    struct msg__rd r;
    char norm[ENTRY_AUDIENCE_MAX + 1];
    const char *s;
    size_t sl;
    uint64_t n;
    int rc;

    if (m->m_type != MSG_T_HEADS || m->m_count == 0)
        return 0;
    r.p = m->m_items;
    r.end = m->m_items_end;
    if ((rc = msg__array(&r, &n)) != 0)
        return rc;
    if (n != 6)
        return ILONET_EPROTO;
    if ((rc = msg__bin_fixed(&r, out->mh_log, HASH_LEN)) != 0 ||
        (rc = msg__bin_fixed(&r, out->mh_author, KEY_PK_LEN)) != 0 ||
        (rc = msg__str(&r, &s, &sl)) != 0)
        return rc;
    if (sl == 0 || sl > ENTRY_AUDIENCE_MAX)
        return ILONET_EPROTO;
    memcpy(out->mh_audience, s, sl);
    out->mh_audience[sl] = 0;
    if ((rc = msg__uint(&r, &out->mh_seq)) != 0 ||
        (rc = msg__bin_fixed(&r, out->mh_id, HASH_LEN)) != 0 ||
        (rc = msg__uint(&r, &out->mh_frozen)) != 0)
        return rc;
    /* A head names a held log (seq >= 1); a fork is at a seq <= the head
     * or just past it (the other branch may be longer). */
    if (out->mh_seq == 0 || out->mh_seq > INT64_MAX)
        return ILONET_EPROTO;
    if (audience_normalise(out->mh_audience, norm) != 0 ||
        strcmp(norm, out->mh_audience) != 0)
        return ILONET_EPROTO;
    m->m_items = r.p;
    m->m_count--;
    if (m->m_count == 0 && r.p != r.end)
        return ILONET_EMALFORMED;
    return 1;
}

int
msg_want_next(struct msg *m, struct msg_want *out)
{
    struct msg__rd r;
    uint64_t n;
    int rc;

    if (m->m_type != MSG_T_WANT || m->m_count == 0)
        return 0;
    r.p = m->m_items;
    r.end = m->m_items_end;
    if ((rc = msg__array(&r, &n)) != 0)
        return rc;
    if (n != 2)
        return ILONET_EPROTO;
    if ((rc = msg__bin_fixed(&r, out->mw_log, HASH_LEN)) != 0 ||
        (rc = msg__uint(&r, &out->mw_from)) != 0)
        return rc;
    if (out->mw_from == 0 || out->mw_from > INT64_MAX)
        return ILONET_EPROTO;
    m->m_items = r.p;
    m->m_count--;
    if (m->m_count == 0 && r.p != r.end)
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
        "unknown", "hello", "heads", "want", "batch", "evidence", "digest",
        "ack",
    };

    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}
