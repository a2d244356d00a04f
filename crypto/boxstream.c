/* boxstream.c - box-stream sealing and opening with libsodium secretbox. */
#include "boxstream.h"

#include <sodium.h>
#include <string.h>

#include "error.h"

/* Plaintext of a header box: body length (u16 BE) then the body's MAC. */
#define BOXS__HDR_PLAIN (2 + BOXS_MAC_LEN)

/* A wiped struct has an all-zero key, which SHA-256 never yields; treating
 * it as closed stops an attacker (who knows the zero key) from feeding a
 * caller that ignored an earlier error. */
static int
boxs__closed(const struct boxs *b)
{
    return sodium_is_zero(b->key, sizeof(b->key));
}

/* The nonce is one 192-bit big-endian counter, as in pull-box-stream. */
static void
boxs__incr(uint8_t nonce[static BOXS_NONCE_LEN])
{
    for (int i = BOXS_NONCE_LEN - 1; i >= 0; i--) {
        if (++nonce[i] != 0)
            break;
    }
}

int
boxs_seal(struct boxs *b, const uint8_t *plain, size_t len, uint8_t *out)
{
    uint8_t hdr[BOXS__HDR_PLAIN];
    uint8_t body_nonce[BOXS_NONCE_LEN];

    if (!b || !plain || !out || len == 0)
        return ILONET_EINVAL;
    if (len > BOXS_MAX_BODY)
        return ILONET_ETOOBIG;
    if (boxs__closed(b))
        return ILONET_ECLOSED;

    memcpy(body_nonce, b->nonce, sizeof(body_nonce));
    boxs__incr(body_nonce);

    /* Body first: its MAC travels inside the header. Writing the body
     * before the header keeps the in-place case (plain == out + 34) safe. */
    crypto_secretbox_detached(out + BOXS_HEADER_LEN, hdr + 2, plain, len,
                              body_nonce, b->key);
    hdr[0] = (uint8_t)(len >> 8);
    hdr[1] = (uint8_t)len;
    crypto_secretbox_easy(out, hdr, sizeof(hdr), b->nonce, b->key);

    boxs__incr(body_nonce);
    memcpy(b->nonce, body_nonce, sizeof(body_nonce));
    sodium_memzero(hdr, sizeof(hdr));
    return 0;
}

int
boxs_goodbye(struct boxs *b, uint8_t out[static BOXS_HEADER_LEN])
{
    static const uint8_t zeros[BOXS__HDR_PLAIN];

    if (!b || !out)
        return ILONET_EINVAL;
    if (boxs__closed(b))
        return ILONET_ECLOSED;
    crypto_secretbox_easy(out, zeros, sizeof(zeros), b->nonce, b->key);
    boxs__incr(b->nonce);
    return 0;
}

int
boxs_open_header(struct boxs *b, const uint8_t in[static BOXS_HEADER_LEN],
                 size_t *body_len, uint8_t body_mac[static BOXS_MAC_LEN],
                 int *is_goodbye)
{
    uint8_t hdr[BOXS__HDR_PLAIN];
    size_t len;
    int rc;

    if (!b || !in || !body_len || !body_mac || !is_goodbye)
        return ILONET_EINVAL;
    if (boxs__closed(b))
        return ILONET_ECLOSED;

    if (crypto_secretbox_open_easy(hdr, in, BOXS_HEADER_LEN, b->nonce,
                                   b->key) != 0) {
        rc = ILONET_EBADSIG;
        goto fail;
    }
    if (sodium_is_zero(hdr, sizeof(hdr))) {
        boxs__incr(b->nonce);
        *body_len = 0;
        *is_goodbye = 1;
        return 0;
    }
    len = (size_t)hdr[0] << 8 | hdr[1];
    if (len > BOXS_MAX_BODY) {
        rc = ILONET_ETOOBIG;
        goto fail;
    }
    /* A zero length with a non-zero MAC is not something any sender
     * produces (the spec's bodies are 1..4096 bytes): refuse it. */
    if (len == 0) {
        rc = ILONET_EMALFORMED;
        goto fail;
    }

    boxs__incr(b->nonce);
    memcpy(body_mac, hdr + 2, BOXS_MAC_LEN);
    *body_len = len;
    *is_goodbye = 0;
    sodium_memzero(hdr, sizeof(hdr));
    return 0;

fail:
    /* The peer holds our key yet sent garbage, or the bytes were altered
     * in transit: either way the stream is over. Wiping makes every later
     * call on it return ILONET_ECLOSED. */
    sodium_memzero(hdr, sizeof(hdr));
    boxs_wipe(b);
    return rc;
}

int
boxs_open_body(struct boxs *b, const uint8_t body_mac[static BOXS_MAC_LEN],
               const uint8_t *in, size_t len, uint8_t *out)
{
    if (!b || !body_mac || !in || !out || len == 0)
        return ILONET_EINVAL;
    if (len > BOXS_MAX_BODY)
        return ILONET_ETOOBIG;
    if (boxs__closed(b))
        return ILONET_ECLOSED;

    if (crypto_secretbox_open_detached(out, in, body_mac, len, b->nonce,
                                       b->key) != 0) {
        boxs_wipe(b);
        return ILONET_EBADSIG;
    }
    boxs__incr(b->nonce);
    return 0;
}

void
boxs_wipe(struct boxs *b)
{
    if (b)
        sodium_memzero(b, sizeof(*b));
}
