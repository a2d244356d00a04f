/* hash.c - domain-separated BLAKE2b-256 and hex helpers. */
#include "hash.h"

#include <string.h>

#include "error.h"

void
hash_init(struct hash_state *st, const char *ctx)
{
    static const uint8_t zero = 0;

    crypto_generichash_init(&st->h_st, NULL, 0, HASH_LEN);
    crypto_generichash_update(&st->h_st, (const uint8_t *)ctx, strlen(ctx));
    crypto_generichash_update(&st->h_st, &zero, 1);
}

void
hash_update(struct hash_state *st, const void *data, size_t len)
{
    if (len)
        crypto_generichash_update(&st->h_st, data, len);
}

void
hash_final(struct hash_state *st, uint8_t out[static HASH_LEN])
{
    crypto_generichash_final(&st->h_st, out, HASH_LEN);
}

void
hash_buf(const char *ctx, const void *data, size_t len,
         uint8_t out[static HASH_LEN])
{
    struct hash_state st;

    hash_init(&st, ctx);
    hash_update(&st, data, len);
    hash_final(&st, out);
}

void
hash_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
hash__nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
hash_unhex(const char *hex, uint8_t *out, size_t n)
{
    if (!hex || strlen(hex) != 2 * n)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int hi = hash__nibble(hex[2 * i]), lo = hash__nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ILONET_EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int
hash_prefix_range(const char *hex, uint8_t lo[static HASH_LEN],
                  uint8_t hi[static HASH_LEN])
{
    size_t n = hex ? strlen(hex) : 0;

    if (n < 1 || n > 2 * HASH_LEN)
        return ILONET_EINVAL;
    memset(lo, 0, HASH_LEN);
    memset(hi, 0xff, HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        int v = hash__nibble(hex[i]);

        if (v < 0)
            return ILONET_EINVAL;
        if (i % 2 == 0) {
            lo[i / 2] = (uint8_t)(v << 4);
            hi[i / 2] = (uint8_t)(v << 4 | 0x0f);
        } else {
            lo[i / 2] |= (uint8_t)v;
            hi[i / 2] = (uint8_t)((hi[i / 2] & 0xf0) | v);
        }
    }
    return 0;
}
