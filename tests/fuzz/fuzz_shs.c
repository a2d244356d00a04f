/* fuzz_shs.c - libFuzzer harness: the SHS server fed hostile client bytes. */
/*
 * The listener is what a stranger on the network reaches first, so the
 * server role gets the hostile input. Byte 0 picks a mode:
 *   even: the rest is a raw client hello (64) then client auth (112),
 *         zero-padded: what an outsider can send.
 *   odd:  an honest client (fixed keys and ephemerals) runs the handshake
 *         and the rest is XORed over its hello and auth: an all-zero input
 *         takes the success path, a sparse one probes each check.
 * Whatever happens, the server must return 0 or ILONET_EHANDSHAKE, never
 * crash, and only a byte-exact honest transcript may succeed.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -D_POSIX_C_SOURCE=200809L tests/fuzz/fuzz_shs.c crypto/shs.c \
 *     crypto/boxstream.c crypto/error.c -lsodium -o fuzz_shs
 *   ./fuzz_shs tests/fuzz/corpus/shs
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"
#include "crypto/shs.h"

struct fz {
    uint8_t netkey[32];
    uint8_t cpk[32], csk[64], spk[32], ssk[64];
    uint8_t ceph[32], seph[32];
};

static void
fz_seed(uint8_t out[32], const char *label)
{
    crypto_hash_sha256(out, (const uint8_t *)label, strlen(label));
}

/* Fixed identities: the fuzzer must be deterministic. */
static const struct fz *
fz_keys(void)
{
    static struct fz k;
    static int ready;
    uint8_t seed[32];

    if (!ready) {
        if (sodium_init() < 0)
            abort();
        fz_seed(k.netkey, "fuzz network");
        fz_seed(seed, "fuzz client");
        crypto_sign_seed_keypair(k.cpk, k.csk, seed);
        fz_seed(seed, "fuzz server");
        crypto_sign_seed_keypair(k.spk, k.ssk, seed);
        fz_seed(k.ceph, "fuzz client eph");
        fz_seed(k.seph, "fuzz server eph");
        ready = 1;
    }
    return &k;
}

static void
check(int rc)
{
    if (rc != 0 && rc != ILONET_EHANDSHAKE)
        abort();
}

/* Server steps 3-4 after an accepted hello; returns 1 if it succeeded. */
static int
server_finish(struct shs *s, const uint8_t m3[SHS_CLIENT_AUTH_LEN],
              uint8_t m4[SHS_SERVER_ACCEPT_LEN])
{
    const struct fz *k = fz_keys();
    struct boxs enc, dec;
    uint8_t pk[32];
    int rc;

    rc = shs_server_read_auth(s, m3);
    check(rc);
    if (rc != 0) {
        /* A failed step leaves nothing usable. */
        if (shs_server_accept(s, m4) != ILONET_EINVAL)
            abort();
        return 0;
    }
    /* Only the real client key can pass: forging needs its secret. */
    if (shs_peer_pk(s, pk) != 0 || memcmp(pk, k->cpk, 32) != 0)
        abort();
    if (shs_server_accept(s, m4) != 0 || shs_session(s, &enc, &dec) != 0)
        abort();
    boxs_wipe(&enc);
    boxs_wipe(&dec);
    return 1;
}

static void
raw_mode(const uint8_t *data, size_t size)
{
    const struct fz *k = fz_keys();
    uint8_t buf[SHS_HELLO_LEN + SHS_CLIENT_AUTH_LEN] = {0};
    uint8_t m2[SHS_HELLO_LEN], m4[SHS_SERVER_ACCEPT_LEN];
    struct shs s;
    int rc;

    memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
    if (shs_server_init(&s, k->netkey, k->spk, k->ssk, k->seph) != 0)
        abort();
    rc = shs_server_read_hello(&s, buf);
    check(rc);
    if (rc == 0) {
        if (shs_server_hello(&s, m2) != 0)
            abort();
        server_finish(&s, buf + SHS_HELLO_LEN, m4);
    }
    shs_wipe(&s);
}

static void
xor_mode(const uint8_t *data, size_t size)
{
    const struct fz *k = fz_keys();
    uint8_t mask[SHS_HELLO_LEN + SHS_CLIENT_AUTH_LEN] = {0};
    uint8_t m1[SHS_HELLO_LEN], m2[SHS_HELLO_LEN];
    uint8_t m3[SHS_CLIENT_AUTH_LEN], m4[SHS_SERVER_ACCEPT_LEN];
    struct shs c, s;
    int rc, ok = 0;

    memcpy(mask, data, size < sizeof(mask) ? size : sizeof(mask));
    if (shs_client_init(&c, k->netkey, k->cpk, k->csk, k->spk, k->ceph) ||
        shs_server_init(&s, k->netkey, k->spk, k->ssk, k->seph) ||
        shs_client_hello(&c, m1))
        abort();
    for (size_t i = 0; i < SHS_HELLO_LEN; i++)
        m1[i] ^= mask[i];
    rc = shs_server_read_hello(&s, m1);
    check(rc);
    if (rc == 0) {
        if (shs_server_hello(&s, m2) != 0)
            abort();
        /* The honest client saw its own hello go out unaltered. */
        rc = shs_client_read_hello(&c, m2);
        check(rc);
        if (rc == 0 && shs_client_auth(&c, m3) == 0) {
            for (size_t i = 0; i < SHS_CLIENT_AUTH_LEN; i++)
                m3[i] ^= mask[SHS_HELLO_LEN + i];
            ok = server_finish(&s, m3, m4);
            if (ok) {
                struct boxs enc, dec;
                if (shs_client_read_accept(&c, m4) != 0 ||
                    shs_session(&c, &enc, &dec) != 0)
                    abort();
                boxs_wipe(&enc);
                boxs_wipe(&dec);
            }
        }
    }
    /* Success only for the untouched transcript. */
    if (ok && !sodium_is_zero(mask, sizeof(mask)))
        abort();
    shs_wipe(&c);
    shs_wipe(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        xor_mode(data + 1, size - 1);
    else
        raw_mode(data + 1, size - 1);
    return 0;
}
