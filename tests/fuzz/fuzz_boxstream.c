/* fuzz_boxstream.c - libFuzzer harness: the box-stream opener fed any bytes. */
/*
 * Byte 0 picks a mode:
 *   even: the rest is the raw byte stream from the peer.
 *   odd:  the rest is XORed over a genuine stream of a few messages and a
 *         goodbye (truncated to the input's length), so a sparse input
 *         reaches the body and goodbye paths.
 * The opener reads it as a receiver would: 34-byte header, then the body
 * the header announces. Every call must return a documented code, a body
 * length must stay within 1..4096, and once a call fails the struct must
 * refuse everything after it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -D_POSIX_C_SOURCE=200809L tests/fuzz/fuzz_boxstream.c \
 *     crypto/boxstream.c crypto/error.c -lsodium -o fuzz_boxstream
 *   ./fuzz_boxstream tests/fuzz/corpus/boxstream
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"

#define GENUINE_MAX 8192

static struct boxs fz_start;
static uint8_t fz_genuine[GENUINE_MAX];
static size_t fz_genuine_len;

/* A fixed key and nonce, and a genuine stream sealed under them. */
static void
fz_init(void)
{
    static int ready;
    static const size_t sizes[] = {1, 17, 300, 4096, 2};
    uint8_t h[64], plain[BOXS_MAX_BODY];
    struct boxs tx;

    if (ready)
        return;
    if (sodium_init() < 0)
        abort();
    crypto_hash_sha512(h, (const uint8_t *)"fuzz box-stream", 15);
    memcpy(fz_start.key, h, 32);
    memcpy(fz_start.nonce, h + 32, 24);
    /* Just below a carry, so nonce arithmetic is exercised too. */
    fz_start.nonce[22] = 0xff;
    fz_start.nonce[23] = 0xfe;

    tx = fz_start;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (size_t j = 0; j < sizes[i]; j++)
            plain[j] = (uint8_t)(i + j);
        if (boxs_seal(&tx, plain, sizes[i], fz_genuine + fz_genuine_len))
            abort();
        fz_genuine_len += BOXS_HEADER_LEN + sizes[i];
    }
    if (boxs_goodbye(&tx, fz_genuine + fz_genuine_len))
        abort();
    fz_genuine_len += BOXS_HEADER_LEN;
    if (fz_genuine_len > GENUINE_MAX)
        abort();
    ready = 1;
}

static void
open_all(const uint8_t *in, size_t n)
{
    struct boxs rx = fz_start;
    uint8_t mac[BOXS_MAC_LEN], out[BOXS_MAX_BODY];
    size_t off = 0, len;
    int bye, rc;

    while (n - off >= BOXS_HEADER_LEN) {
        rc = boxs_open_header(&rx, in + off, &len, mac, &bye);
        off += BOXS_HEADER_LEN;
        if (rc != 0) {
            if (rc != ILONET_EBADSIG && rc != ILONET_ETOOBIG &&
                rc != ILONET_EMALFORMED)
                abort();
            break;
        }
        if (bye)
            return;
        if (len < 1 || len > BOXS_MAX_BODY)
            abort();
        if (n - off < len)
            return; /* the peer has not sent the body yet */
        rc = boxs_open_body(&rx, mac, in + off, len, out);
        off += len;
        if (rc != 0) {
            if (rc != ILONET_EBADSIG)
                abort();
            break;
        }
    }
    if (off > n)
        abort();
    /* After a failure the stream is closed for good. */
    if (off <= n && n - off >= BOXS_HEADER_LEN &&
        sodium_is_zero(rx.key, sizeof(rx.key)) &&
        boxs_open_header(&rx, in + off, &len, mac, &bye) != ILONET_ECLOSED)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t buf[GENUINE_MAX];
    size_t n;

    fz_init();
    if (size < 1)
        return 0;
    if (!(data[0] & 1)) {
        open_all(data + 1, size - 1);
        return 0;
    }
    n = size - 1 < fz_genuine_len ? size - 1 : fz_genuine_len;
    memcpy(buf, fz_genuine, n);
    for (size_t i = 0; i < n; i++)
        buf[i] ^= data[1 + i];
    open_all(buf, n);
    return 0;
}
