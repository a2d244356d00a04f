/* envelope.c - one table-driven codec for certificates, grants, revocations. */
#include "envelope.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"

/* Both layers: at most ENVELOPE_MAX_LEN bytes; a revocation's list of
 * [log, seq, id] items is the deepest (3) and longest (10 + 8 x 4 < 64). */
static const struct wire_limits envelope__lim = {ENVELOPE_MAX_LEN, 3, 64};

/* ---- decoding ------------------------------------------------------- */

/* A str of at most cap - 1 bytes without NUL, as a C string in out. */
static int
envelope__cstr(struct wire_rd *r, char *out, size_t cap)
{
    const char *s;
    size_t n;
    int rc;

    if ((rc = wire_rd_str(r, &s, &n)) != 0)
        return rc;
    if (n >= cap || memchr(s, 0, n))
        return ILONET_EMALFORMED;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int envelope__decode_fields(struct wire_rd *r,
                                   const struct envelope_field *f, size_t n,
                                   uint8_t *base);

static int
envelope__decode_field(struct wire_rd *r, const struct envelope_field *f,
                       uint8_t *base)
{
    uint8_t *p = base + f->ef_off;
    const char *s;
    size_t sl;
    uint64_t v;
    int rc, e;

    switch (f->ef_type) {
    case ENVELOPE_F_UINT:
        if ((rc = wire_rd_uint(r, &v)) != 0)
            return rc;
        memcpy(p, &v, sizeof(v));
        return 0;
    case ENVELOPE_F_BIN: return wire_rd_bin_fixed(r, p, f->ef_size);
    case ENVELOPE_F_STATE:
        if ((rc = envelope__cstr(r, (char *)p, KEY_STATE_MAX + 1)) != 0)
            return rc;
        return key_state_valid((char *)p) ? 0 : ILONET_EMALFORMED;
    case ENVELOPE_F_STR: return envelope__cstr(r, (char *)p, f->ef_size);
    case ENVELOPE_F_NAME:
        if ((rc = wire_rd_str(r, &s, &sl)) != 0)
            return rc;
        for (e = 1; (size_t)e <= f->ef_max; e++)
            if (strlen(f->ef_names[e]) == sl &&
                memcmp(f->ef_names[e], s, sl) == 0) {
                memcpy(p, &e, sizeof(e));
                return 0;
            }
        return ILONET_EMALFORMED;
    case ENVELOPE_F_CODE:
        if ((rc = wire_rd_uint(r, &v)) != 0)
            return rc;
        if (v == 0 || v > f->ef_max)
            return ILONET_EMALFORMED;
        e = (int)v;
        memcpy(p, &e, sizeof(e));
        return 0;
    case ENVELOPE_F_LIST: {
        size_t count;

        if ((rc = wire_rd_array(r, &v)) != 0)
            return rc;
        if (v > f->ef_max)
            return ILONET_EMALFORMED;
        count = (size_t)v;
        for (size_t i = 0; i < count; i++)
            if ((rc = envelope__decode_field(r, f->ef_sub,
                                             p + i * f->ef_size)) != 0)
                return rc;
        memcpy(base + f->ef_count, &count, sizeof(count));
        return 0;
    }
    case ENVELOPE_F_TUPLE:
        if ((rc = wire_rd_array_n(r, f->ef_nsub)) != 0)
            return rc;
        return envelope__decode_fields(r, f->ef_sub, f->ef_nsub, p);
    }
    return ILONET_EINVAL; /* a bad table */
}

static int
envelope__decode_fields(struct wire_rd *r, const struct envelope_field *f,
                        size_t n, uint8_t *base)
{
    int rc;

    for (size_t i = 0; i < n; i++)
        if ((rc = envelope__decode_field(r, &f[i], base)) != 0)
            return rc;
    return 0;
}

int
envelope_decode(const struct envelope_type *t, const uint8_t *buf, size_t len,
                void *obj, struct envelope_parts *parts)
{
    /* decoded here first, so obj is written only on success */
    union {
        max_align_t a;
        uint8_t b[ENVELOPE_OBJ_MAX];
    } tmp;
    struct envelope_parts pt;
    struct wire_rd r;
    uint64_t n, ver;
    int rc;

    if (!t || !buf || !obj || !parts || t->et_size > sizeof(tmp.b))
        return ILONET_EINVAL;
    /* the envelope: [bin body, bin sig] */
    if ((rc = wire_check(buf, len, &envelope__lim)) != 0)
        return rc;
    wire_rd_init(&r, buf, len, ILONET_EMALFORMED);
    if ((rc = wire_rd_array_n(&r, 2)) != 0 ||
        (rc = wire_rd_bin(&r, &pt.ep_body, &pt.ep_body_len)) != 0 ||
        (rc = wire_rd_bin_fixed(&r, pt.ep_sig, KEY_SIG_LEN)) != 0 ||
        (rc = wire_rd_done(&r)) != 0)
        return rc;
    /* the body: [tag, version, fields...] */
    if ((rc = wire_check(pt.ep_body, pt.ep_body_len, &envelope__lim)) != 0)
        return rc;
    wire_rd_init(&r, pt.ep_body, pt.ep_body_len, ILONET_EMALFORMED);
    if ((rc = wire_rd_array(&r, &n)) != 0)
        return rc;
    if (n < 2)
        return ILONET_EMALFORMED;
    if ((rc = wire_rd_key(&r, t->et_tag)) != 0)
        return rc;
    /* another version is another format, not a broken one */
    if (wire_rd_uint(&r, &ver) != 0 || ver != 1)
        return ILONET_EKIND;
    if (n != 2 + t->et_nfields)
        return ILONET_EMALFORMED;
    memset(tmp.b, 0, t->et_size);
    if ((rc = envelope__decode_fields(&r, t->et_fields, t->et_nfields,
                                      tmp.b)) != 0 ||
        (rc = wire_rd_done(&r)) != 0)
        return rc;
    if (t->et_decoded && t->et_decoded(tmp.b) != 0)
        return ILONET_EMALFORMED;
    memcpy(obj, tmp.b, t->et_size);
    *parts = pt;
    return 0;
}

int
envelope_verify(const struct envelope_type *t, const uint8_t *buf, size_t len,
                const struct roster *r,
                const uint8_t network[static NET_ID_LEN], void *obj)
{
    union {
        max_align_t a;
        uint8_t b[ENVELOPE_OBJ_MAX];
    } tmp;
    struct envelope_parts pt;
    const uint8_t *pk;
    int rc;

    if (!t || !r || !obj || t->et_size > sizeof(tmp.b))
        return ILONET_EINVAL;
    if ((rc = envelope_decode(t, buf, len, tmp.b, &pt)) != 0)
        return rc;
    pk = roster_find(r, (const char *)tmp.b + t->et_signer);
    if (!pk)
        return ILONET_EUNKNOWNAUTHOR;
    if ((rc = key_verify(pk, t->et_sig_ctx, pt.ep_body, pt.ep_body_len,
                         pt.ep_sig)) != 0)
        return rc;
    if (sodium_memcmp(tmp.b + t->et_network, network, NET_ID_LEN) != 0)
        return ILONET_ENETWORK;
    memcpy(obj, tmp.b, t->et_size);
    return 0;
}

/* ---- encoding ------------------------------------------------------- */

static int envelope__encode_fields(const struct envelope_field *f, size_t n,
                                   const uint8_t *base, struct wire_buf *wb);

static int
envelope__encode_field(const struct envelope_field *f, const uint8_t *base,
                       struct wire_buf *wb)
{
    const uint8_t *p = base + f->ef_off;
    uint64_t v;
    size_t count, sl;
    int e;

    switch (f->ef_type) {
    case ENVELOPE_F_UINT:
        memcpy(&v, p, sizeof(v));
        wire_pack_uint(wb, v);
        return 0;
    case ENVELOPE_F_BIN: wire_pack_bin(wb, p, f->ef_size); return 0;
    case ENVELOPE_F_STATE:
        if (memchr(p, 0, KEY_STATE_MAX + 1) == NULL ||
            !key_state_valid((const char *)p))
            return ILONET_EINVAL;
        wire_pack_str(wb, (const char *)p);
        return 0;
    case ENVELOPE_F_STR:
        sl = strnlen((const char *)p, f->ef_size);
        if (sl == f->ef_size)
            return ILONET_EINVAL;
        wire_pack_strn(wb, (const char *)p, sl);
        return 0;
    case ENVELOPE_F_NAME:
    case ENVELOPE_F_CODE:
        memcpy(&e, p, sizeof(e));
        if (e < 1 || (size_t)e > f->ef_max)
            return ILONET_EINVAL;
        if (f->ef_type == ENVELOPE_F_NAME)
            wire_pack_str(wb, f->ef_names[e]);
        else
            wire_pack_uint(wb, (uint64_t)e);
        return 0;
    case ENVELOPE_F_LIST:
        memcpy(&count, base + f->ef_count, sizeof(count));
        if (count > f->ef_max)
            return ILONET_EINVAL;
        wire_pack_array(wb, (uint32_t)count);
        for (size_t i = 0; i < count; i++) {
            int rc = envelope__encode_field(f->ef_sub, p + i * f->ef_size, wb);
            if (rc != 0)
                return rc;
        }
        return 0;
    case ENVELOPE_F_TUPLE:
        wire_pack_array(wb, (uint32_t)f->ef_nsub);
        return envelope__encode_fields(f->ef_sub, f->ef_nsub, p, wb);
    }
    return ILONET_EINVAL;
}

static int
envelope__encode_fields(const struct envelope_field *f, size_t n,
                        const uint8_t *base, struct wire_buf *wb)
{
    int rc;

    for (size_t i = 0; i < n; i++)
        if ((rc = envelope__encode_field(&f[i], base, wb)) != 0)
            return rc;
    return 0;
}

int
envelope_encode_body(const struct envelope_type *t, const void *obj,
                     struct wire_buf *wb)
{
    if (!t || !obj || !wb)
        return ILONET_EINVAL;
    wire_pack_array(wb, (uint32_t)(2 + t->et_nfields));
    wire_pack_str(wb, t->et_tag);
    wire_pack_uint(wb, 1);
    return envelope__encode_fields(t->et_fields, t->et_nfields, obj, wb);
}

void
envelope_wrap(const uint8_t *body, size_t body_len,
              const uint8_t sig[static KEY_SIG_LEN], struct wire_buf *wb)
{
    wire_pack_array(wb, 2);
    wire_pack_bin(wb, body, body_len);
    wire_pack_bin(wb, sig, KEY_SIG_LEN);
}

int
envelope_issue(const struct envelope_type *t, const void *obj,
               const struct key_pair *sk, uint8_t **out, size_t *out_len)
{
    const char *signer;
    uint8_t sig[KEY_SIG_LEN];
    struct wire_buf body, env;
    int rc;

    if (!t || !obj || !sk || !out || !out_len)
        return ILONET_EINVAL;
    signer = (const char *)obj + t->et_signer;
    if (sk->kind != KEY_STATE ||
        strncmp(sk->state, signer, KEY_STATE_MAX + 1) != 0 ||
        (t->et_issuable && t->et_issuable(obj) != 0))
        return ILONET_EINVAL;
    wire_buf_init(&body, ENVELOPE_MAX_LEN);
    wire_buf_init(&env, ENVELOPE_MAX_LEN);
    if ((rc = envelope_encode_body(t, obj, &body)) != 0)
        goto out;
    if ((rc = body.wb_err) != 0)
        goto out;
    if ((rc = key_sign(sk, t->et_sig_ctx, body.wb_data, body.wb_len, sig)) != 0)
        goto out;
    envelope_wrap(body.wb_data, body.wb_len, sig, &env);
    if ((rc = env.wb_err) != 0)
        goto out;
    *out = wire_buf_steal(&env, out_len);
out:
    wire_buf_free(&env);
    wire_buf_free(&body);
    return rc;
}

void
envelope_id(const uint8_t *buf, size_t len, uint8_t id[static HASH_LEN])
{
    hash_buf(HASH_CTX_CERT, buf, len, id);
}
