/* entry.c - entry header codec, ids, payload checks, audiences, log ids. */
#include "entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"

static const char *const entry__kinds[KIND_COUNT_] = {
    NULL,          "cert",    "observation", "meeting",
    "training",    "carrier", "contact",     "posting",
    "amend",       "retract", "erase",       "task",
    "task-status", "grant",   "revocation",  "acting-presidency",
    "chair",
};

const char *
entry_kind_name(uint64_t kind)
{
    return kind < KIND_COUNT_ ? entry__kinds[kind] : NULL;
}

uint32_t
entry_kind_parse(const char *name)
{
    for (uint32_t k = 1; k < KIND_COUNT_; k++)
        if (name && strcmp(name, entry__kinds[k]) == 0)
            return k;
    return 0;
}

/*
 * The header is written by hand rather than through msgpack_packer: it is
 * on the hot path of every append and every received entry, its layout is
 * fixed, and writing it directly keeps the canonical rules visible here.
 */
static size_t
entry__put_uint(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        p[0] = (uint8_t)v;
        return 1;
    }
    int w = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
    p[0] = (uint8_t)(w == 1 ? 0xcc : w == 2 ? 0xcd : w == 4 ? 0xce : 0xcf);
    for (int i = 0; i < w; i++)
        p[1 + i] = (uint8_t)(v >> (8 * (w - 1 - i)));
    return (size_t)w + 1;
}

static size_t
entry__put_bin32(uint8_t *p, const uint8_t b[static 32])
{
    p[0] = 0xc4;
    p[1] = 32;
    memcpy(p + 2, b, 32);
    return 34;
}

int
entry_header_encode(const struct entry_header *h,
                    uint8_t out[static ENTRY_HEADER_MAX], size_t *len)
{
    size_t n = 0;

    if (h->h_seq == 0 || (h->h_seq == 1) == (h->h_has_prev != 0))
        return ILONET_EINVAL;
    out[n++] = 0x98; /* fixarray of 8 */
    n += entry__put_uint(out + n, h->h_version);
    n += entry__put_bin32(out + n, h->h_log);
    n += entry__put_uint(out + n, h->h_seq);
    if (h->h_has_prev)
        n += entry__put_bin32(out + n, h->h_prev);
    else
        out[n++] = 0xc0;
    n += entry__put_uint(out + n, h->h_hlc);
    n += entry__put_uint(out + n, h->h_kind);
    n += entry__put_uint(out + n, h->h_payload_len);
    n += entry__put_bin32(out + n, h->h_payload_hash);
    *len = n;
    return 0;
}

int
entry_header_decode(const uint8_t *buf, size_t len, struct entry_header *h)
{
    static const struct wire_limits lim = {ENTRY_HEADER_MAX, 1, 8};
    struct wire_rd r;
    struct entry_header t;
    int rc;

    if ((rc = wire_check(buf, len, &lim)) != 0)
        return rc;
    memset(&t, 0, sizeof(t));
    wire_rd_init(&r, buf, len, ILONET_EMALFORMED);
    if ((rc = wire_rd_array_n(&r, 8)) != 0 ||
        (rc = wire_rd_uint(&r, &t.h_version)) != 0)
        return rc;
    if (t.h_version != ENTRY_VERSION)
        return ILONET_EKIND;
    if ((rc = wire_rd_bin_fixed(&r, t.h_log, HASH_LEN)) != 0 ||
        (rc = wire_rd_uint(&r, &t.h_seq)) != 0)
        return rc;
    if (t.h_seq == 0)
        return ILONET_EMALFORMED;
    if (wire_rd_peek(&r) == WIRE_T_NIL)
        rc = wire_rd_nil(&r);
    else if ((rc = wire_rd_bin_fixed(&r, t.h_prev, HASH_LEN)) == 0)
        t.h_has_prev = 1;
    if (rc != 0)
        return rc;
    if ((t.h_seq == 1) == t.h_has_prev)
        return ILONET_ECHAIN;
    if ((rc = wire_rd_uint(&r, &t.h_hlc)) != 0 ||
        (rc = wire_rd_uint(&r, &t.h_kind)) != 0 ||
        (rc = wire_rd_uint(&r, &t.h_payload_len)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, t.h_payload_hash, HASH_LEN)) != 0)
        return rc;
    if (t.h_kind == 0 || t.h_kind > ENTRY_KIND_MAX)
        return ILONET_EKIND;
    if (t.h_payload_len > ENTRY_PAYLOAD_MAX)
        return ILONET_ETOOBIG;
    *h = t;
    return 0;
}

void
entry_id(const uint8_t *hdr, size_t hdr_len,
         const uint8_t sig[static KEY_SIG_LEN], uint8_t id[static HASH_LEN])
{
    struct hash_state st;

    hash_init(&st, HASH_CTX_ENTRY_ID);
    hash_update(&st, hdr, hdr_len);
    hash_update(&st, sig, KEY_SIG_LEN);
    hash_final(&st, id);
}

void
entry_payload_hash(const uint8_t *p, size_t n, uint8_t out[static HASH_LEN])
{
    hash_buf(HASH_CTX_PAYLOAD, p, n, out);
}

int
entry_check_payload(const struct entry_header *h, const uint8_t *p, size_t n)
{
    uint8_t hash[HASH_LEN];

    if (n > ENTRY_PAYLOAD_MAX)
        return ILONET_ETOOBIG;
    if (n != h->h_payload_len)
        return ILONET_EMALFORMED;
    entry_payload_hash(p, n, hash);
    if (sodium_memcmp(hash, h->h_payload_hash, HASH_LEN) != 0)
        return ILONET_EMALFORMED;
    return entry_check_payload_form(h, p, n);
}

int
entry_check_payload_form(const struct entry_header *h, const uint8_t *p,
                         size_t n)
{
    if (n > ENTRY_PAYLOAD_MAX)
        return ILONET_ETOOBIG;
    if (n != h->h_payload_len)
        return ILONET_EMALFORMED;
    return entry_check_payload_bytes(p, n);
}

int
entry_check_payload_bytes(const uint8_t *p, size_t n)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    struct wire_rd r;
    int rc;

    if (n > ENTRY_PAYLOAD_MAX)
        return ILONET_ETOOBIG;
    lim.max_len = ENTRY_PAYLOAD_MAX;
    if ((rc = wire_check(p, n, &lim)) != 0)
        return rc;
    wire_rd_init(&r, p, n, ILONET_EMALFORMED);
    return wire_rd_peek(&r) == WIRE_T_MAP ? 0 : ILONET_EMALFORMED;
}

int
entry_finish(struct entry *e)
{
    int rc = entry_header_encode(&e->e_h, e->e_hdr, &e->e_hdr_len);

    if (rc == 0)
        entry_id(e->e_hdr, e->e_hdr_len, e->e_sig, e->e_id);
    return rc;
}

int
entry_seal(struct entry *e, const struct key_pair *kp)
{
    int rc = entry_header_encode(&e->e_h, e->e_hdr, &e->e_hdr_len);

    if (rc != 0)
        return rc;
    if ((rc = key_sign(kp, SIG_CTX_ENTRY, e->e_hdr, e->e_hdr_len, e->e_sig)) !=
        0)
        return rc;
    entry_id(e->e_hdr, e->e_hdr_len, e->e_sig, e->e_id);
    return 0;
}

int
entry_verify_sig(const struct entry *e, const uint8_t author[static KEY_PK_LEN])
{
    return key_verify(author, SIG_CTX_ENTRY, e->e_hdr, e->e_hdr_len, e->e_sig);
}

void
entry_log_id(const uint8_t network[static NET_ID_LEN],
             const uint8_t author[static KEY_PK_LEN], const char *audience,
             uint8_t out[static HASH_LEN])
{
    struct hash_state st;

    hash_init(&st, HASH_CTX_LOG_ID);
    hash_update(&st, network, NET_ID_LEN);
    hash_update(&st, author, KEY_PK_LEN);
    hash_update(&st, audience, strlen(audience));
    hash_final(&st, out);
}

static int
entry__cmp_state(const void *a, const void *b)
{
    return strcmp(a, b);
}

int
audience_normalise(const char *in, char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char st[16][KEY_STATE_MAX + 1];
    size_t n = 0, off = 0;
    const char *p = in;

    if (!in)
        return ILONET_EINVAL;
    if (strcmp(in, "net") == 0 || strcmp(in, "ms") == 0) {
        snprintf(out, ENTRY_AUDIENCE_MAX + 1, "%s", in);
        return 0;
    }
    while (*p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);

        if (n == 16 || l > KEY_STATE_MAX)
            return ILONET_EINVAL;
        memcpy(st[n], p, l);
        st[n][l] = '\0';
        for (size_t i = 0; i < l; i++)
            if (st[n][i] >= 'a' && st[n][i] <= 'z')
                st[n][i] = (char)(st[n][i] - 'a' + 'A');
        if (!key_state_valid(st[n]))
            return ILONET_EINVAL;
        n++;
        if (!plus)
            break;
        p = plus + 1;
        if (!*p)
            return ILONET_EINVAL;
    }
    if (n < 2)
        return ILONET_EINVAL;
    qsort(st, n, sizeof(st[0]), entry__cmp_state);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(st[i], st[i - 1]) == 0)
            return ILONET_EINVAL;
        size_t l = strlen(st[i]);
        if (off + l + (i > 0) > ENTRY_AUDIENCE_MAX)
            return ILONET_EINVAL;
        if (i > 0)
            out[off++] = '+';
        memcpy(out + off, st[i], l);
        off += l;
    }
    out[off] = '\0';
    return 0;
}

int
audience_admits(const char *audience, const char *state, enum cert_role role)
{
    size_t sl = strlen(state);
    const char *p = audience;

    if (strcmp(audience, "net") == 0)
        return 1;
    if (strcmp(audience, "ms") == 0)
        return cert_role_is_ms(role);
    /* A group names states; every node certified for a named state reads
     * it, the Commission and agencies only when named themselves. */
    while (p && *p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);
        if (l == sl && memcmp(p, state, l) == 0)
            return 1;
        p = plus ? plus + 1 : NULL;
    }
    return 0;
}
