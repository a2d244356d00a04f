/* test_boxstream.c - box-stream: round trips, tampering, bounds, nonces. */
#include <sodium.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"
#include "test.h"

#define VECTORS "tests/data/boxstream_vectors.txt"

/* A sealer and an opener sharing one key and starting nonce. */
static void
pair_make(struct boxs *tx, struct boxs *rx, const char *tag)
{
    uint8_t h[64];

    ASSERT(sodium_init() >= 0);
    crypto_hash_sha512(h, (const uint8_t *)tag, strlen(tag));
    memcpy(tx->key, h, 32);
    memcpy(tx->nonce, h + 32, 24);
    *rx = *tx;
}

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

/* Opens one sealed message of plain length n and checks the plaintext. */
static void
open_one(struct boxs *rx, const uint8_t *box, const uint8_t *want, size_t n)
{
    uint8_t mac[BOXS_MAC_LEN], out[BOXS_MAX_BODY];
    size_t len = 0;
    int bye = -1;

    ASSERT_OK(boxs_open_header(rx, box, &len, mac, &bye));
    ASSERT_EQ(bye, 0);
    ASSERT_EQ(len, n);
    ASSERT_OK(boxs_open_body(rx, mac, box + BOXS_HEADER_LEN, len, out));
    ASSERT_MEM_EQ(out, want, n);
}

static void
round_trip_sizes(void)
{
    static const size_t sizes[] = {1,   2,   15,   16,   17,
                                   255, 256, 1000, 4095, 4096};
    struct boxs tx, rx;
    uint8_t plain[BOXS_MAX_BODY], box[BOXS_HEADER_LEN + BOXS_MAX_BODY];

    pair_make(&tx, &rx, "sizes");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        fill(plain, sizes[i], (unsigned)i);
        ASSERT_OK(boxs_seal(&tx, plain, sizes[i], box));
        open_one(&rx, box, plain, sizes[i]);
    }
    /* Both ends stepped the nonce identically. */
    ASSERT_MEM_EQ(tx.nonce, rx.nonce, 24);
}

static void
in_place_seal_and_open(void)
{
    struct boxs tx, rx;
    uint8_t buf[BOXS_HEADER_LEN + 300], want[300], mac[16];
    size_t len;
    int bye;

    pair_make(&tx, &rx, "in place");
    fill(want, sizeof(want), 9);
    memcpy(buf + BOXS_HEADER_LEN, want, sizeof(want));
    ASSERT_OK(boxs_seal(&tx, buf + BOXS_HEADER_LEN, sizeof(want), buf));
    ASSERT(memcmp(buf + BOXS_HEADER_LEN, want, sizeof(want)) != 0);
    ASSERT_OK(boxs_open_header(&rx, buf, &len, mac, &bye));
    ASSERT_OK(boxs_open_body(&rx, mac, buf + BOXS_HEADER_LEN, len,
                             buf + BOXS_HEADER_LEN));
    ASSERT_MEM_EQ(buf + BOXS_HEADER_LEN, want, sizeof(want));
}

static void
tampered_header_fails_every_byte(void)
{
    uint8_t plain[64], box[BOXS_HEADER_LEN + 64], mac[16];

    fill(plain, sizeof(plain), 3);
    for (size_t i = 0; i < BOXS_HEADER_LEN; i++) {
        for (int bit = 0; bit < 8; bit++) {
            struct boxs tx, rx;
            size_t len = 77;
            int bye = 77;

            pair_make(&tx, &rx, "tamper header");
            ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), box));
            box[i] ^= (uint8_t)(1u << bit);
            ASSERT_ERR(boxs_open_header(&rx, box, &len, mac, &bye),
                       ILONET_EBADSIG);
            /* Out-parameters untouched on failure. */
            ASSERT_EQ(len, 77);
            ASSERT_EQ(bye, 77);
            /* The stream is over: even the genuine bytes are refused. */
            box[i] ^= (uint8_t)(1u << bit);
            ASSERT_ERR(boxs_open_header(&rx, box, &len, mac, &bye),
                       ILONET_ECLOSED);
        }
    }
}

static void
tampered_body_fails_every_byte(void)
{
    uint8_t plain[200], box[BOXS_HEADER_LEN + 200], mac[16], out[200];

    fill(plain, sizeof(plain), 4);
    for (size_t i = 0; i < sizeof(plain); i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            struct boxs tx, rx;
            size_t len;
            int bye;

            pair_make(&tx, &rx, "tamper body");
            ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), box));
            box[BOXS_HEADER_LEN + i] ^= (uint8_t)(1u << bit);
            ASSERT_OK(boxs_open_header(&rx, box, &len, mac, &bye));
            ASSERT_ERR(
                boxs_open_body(&rx, mac, box + BOXS_HEADER_LEN, len, out),
                ILONET_EBADSIG);
            ASSERT_ERR(
                boxs_open_body(&rx, mac, box + BOXS_HEADER_LEN, len, out),
                ILONET_ECLOSED);
        }
    }
}

/* A body MAC from the wrong header, or a truncated body, must fail. */
static void
body_mismatch_fails(void)
{
    struct boxs tx, rx;
    uint8_t plain[100], b1[BOXS_HEADER_LEN + 100], mac[16], out[100];
    size_t len;
    int bye;

    fill(plain, sizeof(plain), 5);
    pair_make(&tx, &rx, "mismatch");
    ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), b1));
    ASSERT_OK(boxs_open_header(&rx, b1, &len, mac, &bye));
    ASSERT_ERR(boxs_open_body(&rx, mac, b1 + BOXS_HEADER_LEN, len - 1, out),
               ILONET_EBADSIG);

    pair_make(&tx, &rx, "mismatch");
    ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), b1));
    ASSERT_OK(boxs_open_header(&rx, b1, &len, mac, &bye));
    mac[0] ^= 1;
    ASSERT_ERR(boxs_open_body(&rx, mac, b1 + BOXS_HEADER_LEN, len, out),
               ILONET_EBADSIG);
}

static void
goodbye_ends_stream(void)
{
    struct boxs tx, rx;
    uint8_t plain[10] = "last words", box[BOXS_HEADER_LEN + 10];
    uint8_t bye_hdr[BOXS_HEADER_LEN], mac[16];
    size_t len = 99;
    int bye = -1;

    pair_make(&tx, &rx, "goodbye");
    ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), box));
    ASSERT_OK(boxs_goodbye(&tx, bye_hdr));
    open_one(&rx, box, plain, sizeof(plain));
    ASSERT_OK(boxs_open_header(&rx, bye_hdr, &len, mac, &bye));
    ASSERT_EQ(bye, 1);
    ASSERT_EQ(len, 0);

    /* An immediate goodbye (empty session) is also valid. */
    pair_make(&tx, &rx, "empty");
    ASSERT_OK(boxs_goodbye(&tx, bye_hdr));
    ASSERT_OK(boxs_open_header(&rx, bye_hdr, &len, mac, &bye));
    ASSERT_EQ(bye, 1);

    /* A goodbye is authenticated: an attacker cannot forge one, and a
     * flipped bit is an error, not an end. */
    pair_make(&tx, &rx, "forged goodbye");
    ASSERT_OK(boxs_goodbye(&tx, bye_hdr));
    bye_hdr[20] ^= 4;
    ASSERT_ERR(boxs_open_header(&rx, bye_hdr, &len, mac, &bye), ILONET_EBADSIG);
}

/* Crafts a header box with an arbitrary plaintext under the stream key,
 * as a peer that holds the key could. */
static void
craft_header(const struct boxs *tx, unsigned len, const uint8_t mac[16],
             uint8_t out[BOXS_HEADER_LEN])
{
    uint8_t hdr[18];

    hdr[0] = (uint8_t)(len >> 8);
    hdr[1] = (uint8_t)len;
    memcpy(hdr + 2, mac, 16);
    crypto_secretbox_easy(out, hdr, sizeof(hdr), tx->nonce, tx->key);
}

static void
oversize_refused(void)
{
    static uint8_t plain[BOXS_MAX_BODY + 1];
    static uint8_t box[BOXS_HEADER_LEN + BOXS_MAX_BODY + 1];
    struct boxs tx, rx, before;
    uint8_t mac[16] = {1}, hdr[BOXS_HEADER_LEN];
    size_t len;
    int bye;

    pair_make(&tx, &rx, "oversize");
    before = tx;
    ASSERT_ERR(boxs_seal(&tx, plain, BOXS_MAX_BODY + 1, box), ILONET_ETOOBIG);
    ASSERT_ERR(boxs_seal(&tx, plain, 65535, box), ILONET_ETOOBIG);
    ASSERT_ERR(boxs_seal(&tx, plain, (size_t)-1, box), ILONET_ETOOBIG);
    ASSERT_ERR(boxs_seal(&tx, plain, 0, box), ILONET_EINVAL);
    ASSERT_MEM_EQ(&tx, &before, sizeof(tx));
    ASSERT_ERR(boxs_open_body(&rx, mac, plain, BOXS_MAX_BODY + 1, box),
               ILONET_ETOOBIG);

    /* An authentic header announcing 4097 bytes is refused before any
     * body is read. */
    craft_header(&tx, BOXS_MAX_BODY + 1, mac, hdr);
    ASSERT_ERR(boxs_open_header(&rx, hdr, &len, mac, &bye), ILONET_ETOOBIG);
    pair_make(&tx, &rx, "oversize");
    craft_header(&tx, 0xffff, mac, hdr);
    ASSERT_ERR(boxs_open_header(&rx, hdr, &len, mac, &bye), ILONET_ETOOBIG);

    /* Exactly 4096 is fine. */
    pair_make(&tx, &rx, "oversize");
    craft_header(&tx, BOXS_MAX_BODY, mac, hdr);
    ASSERT_OK(boxs_open_header(&rx, hdr, &len, mac, &bye));
    ASSERT_EQ(len, BOXS_MAX_BODY);

    /* Zero length with a non-zero MAC is neither data nor goodbye. */
    pair_make(&tx, &rx, "oversize");
    craft_header(&tx, 0, mac, hdr);
    ASSERT_ERR(boxs_open_header(&rx, hdr, &len, mac, &bye), ILONET_EMALFORMED);
}

/* Adds k to a 24-byte big-endian counter (test-side reference). */
static void
nonce_add(uint8_t n[24], unsigned long k)
{
    for (int i = 23; i >= 0 && k; i--) {
        unsigned long v = n[i] + (k & 0xff);
        n[i] = (uint8_t)v;
        k = (k >> 8) + (v >> 8);
    }
}

static void
nonce_sequencing(void)
{
    struct boxs tx, rx;
    uint8_t start[24], n[24], plain[32], box[BOXS_HEADER_LEN + 32], out[32];
    uint8_t hdr[18];
    const unsigned count = 3000;

    pair_make(&tx, &rx, "nonces");
    /* Start just below a carry out of the low three bytes. */
    tx.nonce[21] = tx.nonce[22] = 0xff;
    tx.nonce[23] = 0xf0;
    rx = tx;
    memcpy(start, tx.nonce, 24);

    for (unsigned k = 0; k < count; k++) {
        fill(plain, sizeof(plain), k);
        ASSERT_OK(boxs_seal(&tx, plain, sizeof(plain), box));
        /* Header at start + 2k, body at start + 2k + 1, checked with raw
         * secretbox so the test does not trust the code under test. */
        memcpy(n, start, 24);
        nonce_add(n, 2ul * k);
        ASSERT_EQ(
            crypto_secretbox_open_easy(hdr, box, BOXS_HEADER_LEN, n, tx.key),
            0);
        ASSERT_EQ(hdr[0] << 8 | hdr[1], sizeof(plain));
        nonce_add(n, 1);
        ASSERT_EQ(crypto_secretbox_open_detached(out, box + BOXS_HEADER_LEN,
                                                 hdr + 2, sizeof(plain), n,
                                                 tx.key),
                  0);
        ASSERT_MEM_EQ(out, plain, sizeof(plain));
        open_one(&rx, box, plain, sizeof(plain));
    }
    memcpy(n, start, 24);
    nonce_add(n, 2ul * count);
    ASSERT_MEM_EQ(tx.nonce, n, 24);
    ASSERT_MEM_EQ(rx.nonce, n, 24);

    /* The counter wraps at 2^192 like pull-box-stream's. */
    memset(tx.nonce, 0xff, 24);
    ASSERT_OK(boxs_seal(&tx, plain, 1, box));
    memset(n, 0, 24);
    n[23] = 1;
    ASSERT_MEM_EQ(tx.nonce, n, 24);
}

static void
reorder_and_replay_fail(void)
{
    struct boxs tx, rx;
    uint8_t p1[5] = "first", p2[6] = "second";
    uint8_t b1[BOXS_HEADER_LEN + 5], b2[BOXS_HEADER_LEN + 6], mac[16];
    size_t len;
    int bye;

    pair_make(&tx, &rx, "order");
    ASSERT_OK(boxs_seal(&tx, p1, sizeof(p1), b1));
    ASSERT_OK(boxs_seal(&tx, p2, sizeof(p2), b2));
    ASSERT_ERR(boxs_open_header(&rx, b2, &len, mac, &bye), ILONET_EBADSIG);

    pair_make(&tx, &rx, "order");
    ASSERT_OK(boxs_seal(&tx, p1, sizeof(p1), b1));
    open_one(&rx, b1, p1, sizeof(p1));
    ASSERT_ERR(boxs_open_header(&rx, b1, &len, mac, &bye), ILONET_EBADSIG);
}

static void
misuse_and_wipe(void)
{
    struct boxs tx, rx;
    uint8_t p[4] = "abcd", box[BOXS_HEADER_LEN + 4], mac[16];
    size_t len;
    int bye;

    pair_make(&tx, &rx, "misuse");
    ASSERT_ERR(boxs_seal(NULL, p, 4, box), ILONET_EINVAL);
    ASSERT_ERR(boxs_seal(&tx, NULL, 4, box), ILONET_EINVAL);
    ASSERT_ERR(boxs_seal(&tx, p, 4, NULL), ILONET_EINVAL);
    ASSERT_ERR(boxs_goodbye(NULL, box), ILONET_EINVAL);
    ASSERT_ERR(boxs_open_header(&rx, box, NULL, mac, &bye), ILONET_EINVAL);
    ASSERT_ERR(boxs_open_body(&rx, mac, box, 0, box), ILONET_EINVAL);

    /* A wiped struct is closed for every operation: it must never seal
     * under, or accept frames forged with, the all-zero key. */
    boxs_wipe(&tx);
    boxs_wipe(&rx);
    boxs_wipe(NULL);
    ASSERT_ERR(boxs_seal(&tx, p, 4, box), ILONET_ECLOSED);
    ASSERT_ERR(boxs_goodbye(&tx, box), ILONET_ECLOSED);
    {
        struct boxs zero;
        memset(&zero, 0, sizeof(zero));
        craft_header(&zero, 4, mac, box);
    }
    ASSERT_ERR(boxs_open_header(&rx, box, &len, mac, &bye), ILONET_ECLOSED);
    ASSERT_ERR(boxs_open_body(&rx, mac, box, 4, box), ILONET_ECLOSED);
}

/* --- reference output of pull-box-stream ------------------------------ */

static void
hex_alloc(const char *hex, uint8_t **out, size_t *n)
{
    size_t cap = strlen(hex) / 2;

    *out = malloc(cap ? cap : 1);
    ASSERT(*out != NULL);
    ASSERT_EQ(sodium_hex2bin(*out, cap, hex, strlen(hex), NULL, n, NULL), 0);
    ASSERT_EQ(*n, cap);
}

static void
reference_vectors(void)
{
    FILE *f = fopen(VECTORS, "r");
    char *line = NULL;
    size_t cap = 0;
    int cases = 0;
    struct boxs tx, rx;
    uint8_t *plain[4] = {0}, *stream = NULL;
    size_t plain_len[4] = {0}, stream_len = 0, nplain = 0;

    ASSERT(sodium_init() >= 0);
    if (!f)
        TEST_FAIL_("cannot open %s (run from the repository root)", VECTORS);
    while (getline(&line, &cap, f) > 0) {
        char *sp = strchr(line, ' ');
        char *nl = strchr(line, '\n');
        size_t n;
        uint8_t *bin;

        if (nl)
            *nl = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!strcmp(line, "end")) {
            uint8_t *buf = malloc(stream_len);
            size_t off = 0;

            ASSERT(buf != NULL);
            rx = tx;
            /* We must produce the reference bytes exactly ... */
            for (size_t i = 0; i < nplain; i++) {
                ASSERT_OK(boxs_seal(&tx, plain[i], plain_len[i], buf + off));
                off += BOXS_HEADER_LEN + plain_len[i];
            }
            ASSERT_OK(boxs_goodbye(&tx, buf + off));
            off += BOXS_HEADER_LEN;
            ASSERT_EQ(off, stream_len);
            ASSERT_MEM_EQ(buf, stream, stream_len);
            /* ... and read them back, goodbye included. */
            off = 0;
            for (size_t i = 0; i < nplain; i++) {
                open_one(&rx, stream + off, plain[i], plain_len[i]);
                off += BOXS_HEADER_LEN + plain_len[i];
            }
            {
                uint8_t mac[16];
                size_t len;
                int bye;
                ASSERT_OK(boxs_open_header(&rx, stream + off, &len, mac, &bye));
                ASSERT_EQ(bye, 1);
            }
            free(buf);
            for (size_t i = 0; i < nplain; i++)
                free(plain[i]);
            free(stream);
            nplain = 0;
            stream = NULL;
            cases++;
            continue;
        }
        if (!sp)
            continue;
        *sp++ = '\0';
        if (!strcmp(line, "case"))
            continue;
        hex_alloc(sp, &bin, &n);
        if (!strcmp(line, "key")) {
            ASSERT_EQ(n, 32);
            memcpy(tx.key, bin, 32);
            free(bin);
        } else if (!strcmp(line, "nonce")) {
            ASSERT_EQ(n, 24);
            memcpy(tx.nonce, bin, 24);
            free(bin);
        } else if (!strcmp(line, "plain")) {
            ASSERT(nplain < 4);
            plain[nplain] = bin;
            plain_len[nplain++] = n;
        } else if (!strcmp(line, "stream")) {
            stream = bin;
            stream_len = n;
        } else {
            TEST_FAIL_("unknown vector field %s", line);
        }
    }
    free(line);
    fclose(f);
    ASSERT_GE(cases, 2);
}

TEST_LIST = {
    TEST(round_trip_sizes),
    TEST(in_place_seal_and_open),
    TEST(tampered_header_fails_every_byte),
    TEST(tampered_body_fails_every_byte),
    TEST(body_mismatch_fails),
    TEST(goodbye_ends_stream),
    TEST(oversize_refused),
    TEST(nonce_sequencing),
    TEST(reorder_and_replay_fail),
    TEST(misuse_and_wipe),
    TEST(reference_vectors),
};
TEST_MAIN()
