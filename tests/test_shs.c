/* test_shs.c - secret handshake: agreement, rejection, tampering, vectors. */
#include <sodium.h>
#include <stddef.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"
#include "crypto/shs.h"
#include "test.h"

#define VECTORS "tests/data/shs1_vectors.txt"

struct ident {
    uint8_t pk[32];
    uint8_t sk[64];
};

/* Deterministic identities, so a failure reproduces exactly. */
static void
ident_make(struct ident *id, const char *name)
{
    uint8_t seed[32];

    ASSERT(sodium_init() >= 0);
    crypto_hash_sha256(seed, (const uint8_t *)name, strlen(name));
    ASSERT_EQ(crypto_sign_seed_keypair(id->pk, id->sk, seed), 0);
}

static void
seed_make(uint8_t out[32], const char *tag, int n)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%s/%d", tag, n);
    crypto_hash_sha256(out, (const uint8_t *)buf, strlen(buf));
}

/* The four wire messages of one handshake. */
struct wire {
    uint8_t m1[SHS_HELLO_LEN];
    uint8_t m2[SHS_HELLO_LEN];
    uint8_t m3[SHS_CLIENT_AUTH_LEN];
    uint8_t m4[SHS_SERVER_ACCEPT_LEN];
};

struct pair {
    struct ident client, server;
    uint8_t netkey[32];
    struct shs c, s;
};

static void
pair_init(struct pair *p, int n)
{
    uint8_t ce[32], se[32];

    ident_make(&p->client, "client");
    ident_make(&p->server, "server");
    crypto_hash_sha256(p->netkey, (const uint8_t *)"net", 3);
    seed_make(ce, "client-eph", n);
    seed_make(se, "server-eph", n);
    ASSERT_OK(shs_client_init(&p->c, p->netkey, p->client.pk, p->client.sk,
                              p->server.pk, ce));
    ASSERT_OK(
        shs_server_init(&p->s, p->netkey, p->server.pk, p->server.sk, se));
}

/* Runs a whole honest handshake, keeping every message. */
static void pair_run_to_auth(struct pair *p, struct wire *w);

static void
pair_run(struct pair *p, struct wire *w)
{
    pair_run_to_auth(p, w);
    ASSERT_OK(shs_client_read_accept(&p->c, w->m4));
}

/* An honest handshake up to message 4, not yet read by the client. */
static void
pair_run_to_auth(struct pair *p, struct wire *w)
{
    ASSERT_OK(shs_client_hello(&p->c, w->m1));
    ASSERT_OK(shs_server_read_hello(&p->s, w->m1));
    ASSERT_OK(shs_server_hello(&p->s, w->m2));
    ASSERT_OK(shs_client_read_hello(&p->c, w->m2));
    ASSERT_OK(shs_client_auth(&p->c, w->m3));
    ASSERT_OK(shs_server_read_auth(&p->s, w->m3));
    ASSERT_OK(shs_server_accept(&p->s, w->m4));
}

static void
handshake_agrees(void)
{
    struct pair p;
    struct wire w;
    struct boxs ce, cd, se, sd;
    uint8_t pk[32];

    pair_init(&p, 1);
    pair_run(&p, &w);

    ASSERT_OK(shs_peer_pk(&p.s, pk));
    ASSERT_MEM_EQ(pk, p.client.pk, 32);
    ASSERT_OK(shs_peer_pk(&p.c, pk));
    ASSERT_MEM_EQ(pk, p.server.pk, 32);

    ASSERT_OK(shs_session(&p.c, &ce, &cd));
    ASSERT_OK(shs_session(&p.s, &se, &sd));
    ASSERT_MEM_EQ(ce.key, sd.key, 32);
    ASSERT_MEM_EQ(ce.nonce, sd.nonce, 24);
    ASSERT_MEM_EQ(se.key, cd.key, 32);
    ASSERT_MEM_EQ(se.nonce, cd.nonce, 24);
    /* Directions must never share a key or a nonce. */
    ASSERT(memcmp(ce.key, cd.key, 32) != 0);
    ASSERT(memcmp(ce.nonce, cd.nonce, 24) != 0);
    /* The client's sending nonce starts at the server hello's HMAC. */
    ASSERT_MEM_EQ(ce.nonce, w.m2, 24);
    ASSERT_MEM_EQ(se.nonce, w.m1, 24);

    /* peer_pk survives the session; a second session is refused. */
    ASSERT_OK(shs_peer_pk(&p.s, pk));
    ASSERT_MEM_EQ(pk, p.client.pk, 32);
    ASSERT_ERR(shs_session(&p.s, &se, &sd), ILONET_EINVAL);
    shs_wipe(&p.c);
    shs_wipe(&p.s);
    ASSERT_ERR(shs_peer_pk(&p.s, pk), ILONET_EINVAL);
}

static void
session_wipes_secrets(void)
{
    struct pair p;
    struct wire w;
    struct boxs e, d;

    pair_init(&p, 2);
    pair_run(&p, &w);
    ASSERT_OK(shs_session(&p.c, &e, &d));
    ASSERT(sodium_is_zero(p.c.sh_my_sk, sizeof(p.c.sh_my_sk)));
    ASSERT(sodium_is_zero(p.c.sh_eph_sk, sizeof(p.c.sh_eph_sk)));
    ASSERT(sodium_is_zero(p.c.sh_ab, 32));
    ASSERT(sodium_is_zero(p.c.sh_aB, 32));
    ASSERT(sodium_is_zero(p.c.sh_Ab, 32));
    ASSERT(sodium_is_zero(p.c.sh_netkey, 32));
    shs_wipe(&p.s);
}

static void
many_handshakes_distinct_keys(void)
{
    uint8_t prev[32] = {0};

    for (int i = 0; i < 20; i++) {
        struct pair p;
        struct wire w;
        struct boxs ce, cd, se, sd;

        pair_init(&p, 100 + i);
        pair_run(&p, &w);
        ASSERT_OK(shs_session(&p.c, &ce, &cd));
        ASSERT_OK(shs_session(&p.s, &se, &sd));
        ASSERT_MEM_EQ(ce.key, sd.key, 32);
        ASSERT_MEM_EQ(cd.key, se.key, 32);
        /* Fresh ephemerals give fresh session keys every time. */
        ASSERT(memcmp(prev, ce.key, 32) != 0);
        memcpy(prev, ce.key, 32);
    }
}

static void
wrong_netkey_rejected_by_server(void)
{
    struct pair p;
    struct wire w;
    uint8_t other[32], seed[32];

    pair_init(&p, 3);
    memcpy(other, p.netkey, 32);
    other[0] ^= 1;
    seed_make(seed, "client-eph", 3);
    ASSERT_OK(shs_client_init(&p.c, other, p.client.pk, p.client.sk,
                              p.server.pk, seed));
    ASSERT_OK(shs_client_hello(&p.c, w.m1));
    ASSERT_ERR(shs_server_read_hello(&p.s, w.m1), ILONET_EHANDSHAKE);
    /* The listener has nothing left to say. */
    ASSERT_ERR(shs_server_hello(&p.s, w.m2), ILONET_EINVAL);
    ASSERT(sodium_is_zero((const uint8_t *)&p.s, sizeof(p.s)));
}

static void
wrong_netkey_rejected_by_client(void)
{
    struct pair p;
    struct wire w;
    uint8_t other[32], seed[32];

    pair_init(&p, 4);
    crypto_hash_sha256(other, (const uint8_t *)"other net", 9);
    seed_make(seed, "server-eph", 4);
    ASSERT_OK(shs_server_init(&p.s, other, p.server.pk, p.server.sk, seed));
    /* Feed the server a hello made for its own network so it answers. */
    {
        struct shs c2;
        uint8_t m1[64];
        ASSERT_OK(shs_client_init(&c2, other, p.client.pk, p.client.sk,
                                  p.server.pk, seed));
        ASSERT_OK(shs_client_hello(&c2, m1));
        ASSERT_OK(shs_server_read_hello(&p.s, m1));
        shs_wipe(&c2);
    }
    ASSERT_OK(shs_server_hello(&p.s, w.m2));
    ASSERT_OK(shs_client_hello(&p.c, w.m1));
    ASSERT_ERR(shs_client_read_hello(&p.c, w.m2), ILONET_EHANDSHAKE);
    ASSERT_ERR(shs_client_auth(&p.c, w.m3), ILONET_EINVAL);
    shs_wipe(&p.s);
}

static void
client_dialing_wrong_server_fails(void)
{
    struct pair p;
    struct wire w;
    struct ident other;
    uint8_t seed[32];

    pair_init(&p, 5);
    ident_make(&other, "someone else");
    seed_make(seed, "client-eph", 5);
    ASSERT_OK(shs_client_init(&p.c, p.netkey, p.client.pk, p.client.sk,
                              other.pk, seed));
    ASSERT_OK(shs_client_hello(&p.c, w.m1));
    ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
    ASSERT_OK(shs_server_hello(&p.s, w.m2));
    ASSERT_OK(shs_client_read_hello(&p.c, w.m2));
    ASSERT_OK(shs_client_auth(&p.c, w.m3));
    /* The box key mixes in aB for the key the client meant: only that
     * server can open message 3, so this one learns nothing. */
    ASSERT_ERR(shs_server_read_auth(&p.s, w.m3), ILONET_EHANDSHAKE);
    ASSERT_ERR(shs_peer_pk(&p.s, seed), ILONET_EINVAL);
    shs_wipe(&p.c);
}

static void
impostor_server_fails(void)
{
    /* A server that knows the network key and the client's intended
     * server pk, but not its secret key, cannot answer message 3. */
    struct pair p;
    struct wire w;
    struct ident impostor;
    uint8_t seed[32];

    pair_init(&p, 6);
    ident_make(&impostor, "impostor");
    seed_make(seed, "server-eph", 6);
    ASSERT_OK(shs_server_init(&p.s, p.netkey, impostor.pk, impostor.sk, seed));
    ASSERT_OK(shs_client_hello(&p.c, w.m1));
    ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
    ASSERT_OK(shs_server_hello(&p.s, w.m2));
    ASSERT_OK(shs_client_read_hello(&p.c, w.m2));
    ASSERT_OK(shs_client_auth(&p.c, w.m3));
    ASSERT_ERR(shs_server_read_auth(&p.s, w.m3), ILONET_EHANDSHAKE);
    /* Whatever it sends instead fails at the client. */
    memset(w.m4, 0x5a, sizeof(w.m4));
    ASSERT_ERR(shs_client_read_accept(&p.c, w.m4), ILONET_EHANDSHAKE);
}

static void
tampered_hellos_fail(void)
{
    for (size_t i = 0; i < SHS_HELLO_LEN; i++) {
        struct pair p;
        struct wire w;

        pair_init(&p, 7);
        ASSERT_OK(shs_client_hello(&p.c, w.m1));
        w.m1[i] ^= 0x01;
        ASSERT_ERR(shs_server_read_hello(&p.s, w.m1), ILONET_EHANDSHAKE);

        pair_init(&p, 7);
        ASSERT_OK(shs_client_hello(&p.c, w.m1));
        ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
        ASSERT_OK(shs_server_hello(&p.s, w.m2));
        w.m2[i] ^= 0x80;
        ASSERT_ERR(shs_client_read_hello(&p.c, w.m2), ILONET_EHANDSHAKE);
    }
}

static void
tampered_auth_fails_every_byte(void)
{
    for (size_t i = 0; i < SHS_CLIENT_AUTH_LEN; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            struct pair p;
            struct wire w;

            pair_init(&p, 8);
            ASSERT_OK(shs_client_hello(&p.c, w.m1));
            ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
            ASSERT_OK(shs_server_hello(&p.s, w.m2));
            ASSERT_OK(shs_client_read_hello(&p.c, w.m2));
            ASSERT_OK(shs_client_auth(&p.c, w.m3));
            w.m3[i] ^= (uint8_t)(1u << bit);
            ASSERT_ERR(shs_server_read_auth(&p.s, w.m3), ILONET_EHANDSHAKE);
            ASSERT_ERR(shs_server_accept(&p.s, w.m4), ILONET_EINVAL);
        }
    }
}

static void
tampered_accept_fails_every_byte(void)
{
    for (size_t i = 0; i < SHS_SERVER_ACCEPT_LEN; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            struct pair p;
            struct wire w;
            struct boxs e, d;

            pair_init(&p, 9);
            ASSERT_OK(shs_client_hello(&p.c, w.m1));
            ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
            ASSERT_OK(shs_server_hello(&p.s, w.m2));
            ASSERT_OK(shs_client_read_hello(&p.c, w.m2));
            ASSERT_OK(shs_client_auth(&p.c, w.m3));
            ASSERT_OK(shs_server_read_auth(&p.s, w.m3));
            ASSERT_OK(shs_server_accept(&p.s, w.m4));
            w.m4[i] ^= (uint8_t)(1u << bit);
            ASSERT_ERR(shs_client_read_accept(&p.c, w.m4), ILONET_EHANDSHAKE);
            ASSERT_ERR(shs_session(&p.c, &e, &d), ILONET_EINVAL);
        }
    }
}

/* A replayed message 3 from another handshake must not open: its box key
 * depends on this handshake's ephemeral keys. */
static void
replayed_auth_fails(void)
{
    struct pair p;
    struct wire w1, w2;

    pair_init(&p, 10);
    pair_run(&p, &w1);
    pair_init(&p, 11);
    ASSERT_OK(shs_client_hello(&p.c, w2.m1));
    ASSERT_OK(shs_server_read_hello(&p.s, w2.m1));
    ASSERT_OK(shs_server_hello(&p.s, w2.m2));
    ASSERT_ERR(shs_server_read_auth(&p.s, w1.m3), ILONET_EHANDSHAKE);
}

/* A hello with a correct HMAC over a low-order point would make ab
 * predictable; it must be refused. Only an insider (knows the network key)
 * can send one, so the test builds it by hand. */
static void
low_order_ephemeral_rejected(void)
{
    struct pair p;
    uint8_t m1[64] = {0};

    pair_init(&p, 12);
    /* The all-zero point has order 1 on Curve25519. */
    crypto_auth(m1, m1 + 32, 32, p.netkey);
    ASSERT_ERR(shs_server_read_hello(&p.s, m1), ILONET_EHANDSHAKE);

    pair_init(&p, 12);
    ASSERT_OK(shs_client_hello(&p.c, m1));
    memset(m1, 0, sizeof(m1));
    m1[32] = 1; /* the point u = 1 has order 4 */
    crypto_auth(m1, m1 + 32, 32, p.netkey);
    ASSERT_ERR(shs_client_read_hello(&p.c, m1), ILONET_EHANDSHAKE);
}

static void
misuse_is_einval(void)
{
    struct pair p;
    struct wire w;
    struct boxs e, d;
    struct ident other;
    uint8_t seed[32] = {1}, pk[32], badsk[64];

    pair_init(&p, 13);
    /* Out of order on both sides. */
    ASSERT_ERR(shs_client_auth(&p.c, w.m3), ILONET_EINVAL);
    ASSERT_ERR(shs_client_read_hello(&p.c, w.m2), ILONET_EINVAL);
    ASSERT_ERR(shs_server_hello(&p.s, w.m2), ILONET_EINVAL);
    ASSERT_ERR(shs_server_accept(&p.s, w.m4), ILONET_EINVAL);
    ASSERT_ERR(shs_session(&p.c, &e, &d), ILONET_EINVAL);
    ASSERT_ERR(shs_peer_pk(&p.s, pk), ILONET_EINVAL);
    /* Wrong role. */
    ASSERT_ERR(shs_server_read_hello(&p.c, w.m1), ILONET_EINVAL);
    ASSERT_ERR(shs_client_hello(&p.s, w.m1), ILONET_EINVAL);
    /* The state survived the refused calls. */
    pair_run(&p, &w);
    ASSERT_ERR(shs_session(&p.c, &e, &e), ILONET_EINVAL);
    ASSERT_OK(shs_session(&p.c, &e, &d));
    /* A called-twice step is refused. */
    ASSERT_ERR(shs_client_read_accept(&p.c, w.m4), ILONET_EINVAL);

    /* NULLs. */
    ASSERT_ERR(shs_client_init(NULL, p.netkey, p.client.pk, p.client.sk,
                               p.server.pk, seed),
               ILONET_EINVAL);
    ASSERT_ERR(shs_client_hello(NULL, w.m1), ILONET_EINVAL);
    ASSERT_ERR(shs_peer_pk(NULL, pk), ILONET_EINVAL);
    shs_wipe(NULL);

    /* A secret key that does not belong to the public key. */
    ident_make(&other, "other");
    ASSERT_ERR(shs_server_init(&p.s, p.netkey, other.pk, p.server.sk, seed),
               ILONET_EINVAL);
    memcpy(badsk, p.server.sk, 64);
    memcpy(badsk + 32, other.pk, 32);
    ASSERT_ERR(shs_server_init(&p.s, p.netkey, other.pk, badsk, seed),
               ILONET_EINVAL);
    /* A server key that is a small-order point (the identity). */
    memset(pk, 0, sizeof(pk));
    pk[0] = 1;
    ASSERT_ERR(
        shs_client_init(&p.c, p.netkey, p.client.pk, p.client.sk, pk, seed),
        ILONET_EINVAL);
}

/* --- published vectors -------------------------------------------------- */

struct vec {
    char name[32];
    uint8_t netkey[32], client_seed[32], client_pk[32], client_eph[32];
    uint8_t server_seed[32], server_pk[32], server_eph[32], dial_pk[32];
    struct wire w;
    uint8_t ce_key[32], ce_nonce[24], cd_key[32], cd_nonce[24];
    uint8_t se_key[32], se_nonce[24], sd_key[32], sd_nonce[24];
    int ok;
};

static void
hex_field(uint8_t *out, size_t n, const char *hex)
{
    size_t got = 0;

    if (sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) != 0 ||
        got != n)
        TEST_FAIL_("bad hex for %zu bytes: %.20s...", n, hex);
}

/* Where each vector field lands in struct vec. */
/* clang-format off */
static const struct {
    const char *key;
    size_t off, len;
} vec_fields[] = {
#define VF(k, m) {k, offsetof(struct vec, m), sizeof(((struct vec *)0)->m)}
    VF("netkey", netkey),
    VF("client_seed", client_seed),
    VF("client_pk", client_pk),
    VF("client_eph_seed", client_eph),
    VF("server_seed", server_seed),
    VF("server_pk", server_pk),
    VF("server_eph_seed", server_eph),
    VF("dial_pk", dial_pk),
    VF("msg1", w.m1),
    VF("msg2", w.m2),
    VF("msg3", w.m3),
    VF("msg4", w.m4),
    VF("client_enc_key", ce_key),
    VF("client_enc_nonce", ce_nonce),
    VF("client_dec_key", cd_key),
    VF("client_dec_nonce", cd_nonce),
    VF("server_enc_key", se_key),
    VF("server_enc_nonce", se_nonce),
    VF("server_dec_key", sd_key),
    VF("server_dec_nonce", sd_nonce),
#undef VF
};
/* clang-format on */

/* Reads the next case from the vector file; returns 0 at end of file. */
static int
vec_read(FILE *f, struct vec *v)
{
    char line[512], key[64], val[400];
    int in_case = 0;

    memset(v, 0, sizeof(*v));
    while (fgets(line, sizeof(line), f)) {
        size_t i, n = sizeof(vec_fields) / sizeof(vec_fields[0]);

        if (line[0] == '#' || line[0] == '\n')
            continue;
        val[0] = '\0';
        if (sscanf(line, "%63s %399s", key, val) < 1)
            continue;
        if (!strcmp(key, "case")) {
            snprintf(v->name, sizeof(v->name), "%.31s", val);
            in_case = 1;
            continue;
        }
        if (!strcmp(key, "end")) {
            ASSERT(in_case);
            return 1;
        }
        if (!strcmp(key, "expect")) {
            v->ok = !strcmp(val, "ok");
            continue;
        }
        for (i = 0; i < n; i++) {
            if (!strcmp(key, vec_fields[i].key))
                break;
        }
        if (i == n)
            TEST_FAIL_("unknown vector field %s", key);
        hex_field((uint8_t *)v + vec_fields[i].off, vec_fields[i].len, val);
    }
    ASSERT(!in_case);
    return 0;
}

static void
vec_run(const struct vec *v)
{
    struct ident c, s;
    struct shs cs, ss;
    struct wire w;
    struct boxs ce, cd, se, sd;
    uint8_t pk[32];

    ASSERT_EQ(crypto_sign_seed_keypair(c.pk, c.sk, v->client_seed), 0);
    ASSERT_EQ(crypto_sign_seed_keypair(s.pk, s.sk, v->server_seed), 0);
    ASSERT_MEM_EQ(c.pk, v->client_pk, 32);
    ASSERT_MEM_EQ(s.pk, v->server_pk, 32);

    ASSERT_OK(
        shs_client_init(&cs, v->netkey, c.pk, c.sk, v->dial_pk, v->client_eph));
    ASSERT_OK(shs_server_init(&ss, v->netkey, s.pk, s.sk, v->server_eph));

    /* Each side must emit the reference bytes and accept the reference
     * bytes of the other side. */
    ASSERT_OK(shs_client_hello(&cs, w.m1));
    ASSERT_MEM_EQ(w.m1, v->w.m1, sizeof(w.m1));
    ASSERT_OK(shs_server_read_hello(&ss, v->w.m1));
    ASSERT_OK(shs_server_hello(&ss, w.m2));
    ASSERT_MEM_EQ(w.m2, v->w.m2, sizeof(w.m2));
    ASSERT_OK(shs_client_read_hello(&cs, v->w.m2));
    ASSERT_OK(shs_client_auth(&cs, w.m3));
    ASSERT_MEM_EQ(w.m3, v->w.m3, sizeof(w.m3));
    if (!v->ok) {
        ASSERT_ERR(shs_server_read_auth(&ss, v->w.m3), ILONET_EHANDSHAKE);
        shs_wipe(&cs);
        return;
    }
    ASSERT_OK(shs_server_read_auth(&ss, v->w.m3));
    ASSERT_OK(shs_peer_pk(&ss, pk));
    ASSERT_MEM_EQ(pk, v->client_pk, 32);
    ASSERT_OK(shs_server_accept(&ss, w.m4));
    ASSERT_MEM_EQ(w.m4, v->w.m4, sizeof(w.m4));
    ASSERT_OK(shs_client_read_accept(&cs, v->w.m4));

    ASSERT_OK(shs_session(&cs, &ce, &cd));
    ASSERT_OK(shs_session(&ss, &se, &sd));
    ASSERT_MEM_EQ(ce.key, v->ce_key, 32);
    ASSERT_MEM_EQ(ce.nonce, v->ce_nonce, 24);
    ASSERT_MEM_EQ(cd.key, v->cd_key, 32);
    ASSERT_MEM_EQ(cd.nonce, v->cd_nonce, 24);
    ASSERT_MEM_EQ(se.key, v->se_key, 32);
    ASSERT_MEM_EQ(se.nonce, v->se_nonce, 24);
    ASSERT_MEM_EQ(sd.key, v->sd_key, 32);
    ASSERT_MEM_EQ(sd.nonce, v->sd_nonce, 24);
    shs_wipe(&cs);
    shs_wipe(&ss);
}

static void
reference_vectors(void)
{
    FILE *f = fopen(VECTORS, "r");
    struct vec v;
    int n = 0, ok = 0;

    ASSERT(sodium_init() >= 0);
    if (!f)
        TEST_FAIL_("cannot open %s (run from the repository root)", VECTORS);
    while (vec_read(f, &v)) {
        vec_run(&v);
        n++;
        ok += v.ok;
    }
    fclose(f);
    ASSERT_GE(n, 4);
    ASSERT_GE(ok, 3);
}

/* After a reference handshake, box-stream traffic flows both ways. */
static void
session_carries_boxstream(void)
{
    struct pair p;
    struct wire w;
    struct boxs ce, cd, se, sd;
    uint8_t msg[] = "ilonet over shs", box[BOXS_HEADER_LEN + sizeof(msg)];
    uint8_t mac[16], out[sizeof(msg)];
    size_t len;
    int bye;

    pair_init(&p, 14);
    pair_run(&p, &w);
    ASSERT_OK(shs_session(&p.c, &ce, &cd));
    ASSERT_OK(shs_session(&p.s, &se, &sd));

    ASSERT_OK(boxs_seal(&ce, msg, sizeof(msg), box));
    ASSERT_OK(boxs_open_header(&sd, box, &len, mac, &bye));
    ASSERT_EQ(bye, 0);
    ASSERT_EQ(len, sizeof(msg));
    ASSERT_OK(boxs_open_body(&sd, mac, box + BOXS_HEADER_LEN, len, out));
    ASSERT_MEM_EQ(out, msg, sizeof(msg));

    ASSERT_OK(boxs_seal(&se, msg, sizeof(msg), box));
    /* The client's receiving side opens it; its sending side cannot. */
    {
        struct boxs wrong = ce;
        ASSERT_ERR(boxs_open_header(&wrong, box, &len, mac, &bye),
                   ILONET_EBADSIG);
    }
    ASSERT_OK(boxs_open_header(&cd, box, &len, mac, &bye));
    ASSERT_OK(boxs_open_body(&cd, mac, box + BOXS_HEADER_LEN, len, out));
    ASSERT_MEM_EQ(out, msg, sizeof(msg));
}

/* A client's keys right after message 3 are the session's: what it seals
 * then, the server opens with its keys after message 4. Message 4 is
 * still read and checked after them, and a forged one still fails. */
static void
early_session_is_the_session(void)
{
    struct pair p;
    struct wire w;
    struct boxs ce, cd, se, sd, e2, d2;
    uint8_t msg[] = "hello with message 3", box[BOXS_HEADER_LEN + sizeof(msg)];
    uint8_t mac[16], out[sizeof(msg)];
    size_t len;
    int bye;

    pair_init(&p, 15);
    ASSERT_OK(shs_client_hello(&p.c, w.m1));
    ASSERT_OK(shs_server_read_hello(&p.s, w.m1));
    ASSERT_OK(shs_server_hello(&p.s, w.m2));
    ASSERT_OK(shs_client_read_hello(&p.c, w.m2));
    ASSERT_ERR(shs_client_early_session(&p.c, &ce, &cd), ILONET_EINVAL);
    ASSERT_OK(shs_client_auth(&p.c, w.m3));
    ASSERT_ERR(shs_client_early_session(&p.c, &ce, &ce), ILONET_EINVAL);
    ASSERT_OK(shs_client_early_session(&p.c, &ce, &cd));
    ASSERT_OK(boxs_seal(&ce, msg, sizeof(msg), box));

    ASSERT_OK(shs_server_read_auth(&p.s, w.m3));
    ASSERT_ERR(shs_client_early_session(&p.s, &e2, &d2), ILONET_EINVAL);
    ASSERT_OK(shs_server_accept(&p.s, w.m4));
    ASSERT_OK(shs_session(&p.s, &se, &sd));
    ASSERT_MEM_EQ(ce.key, sd.key, 32);
    ASSERT_MEM_EQ(cd.key, se.key, 32);
    ASSERT_MEM_EQ(cd.nonce, se.nonce, 24);
    ASSERT_OK(boxs_open_header(&sd, box, &len, mac, &bye));
    ASSERT_EQ(len, sizeof(msg));
    ASSERT_OK(boxs_open_body(&sd, mac, box + BOXS_HEADER_LEN, len, out));
    ASSERT_MEM_EQ(out, msg, sizeof(msg));
    ASSERT_MEM_EQ(ce.nonce, sd.nonce, 24); /* both one box further */

    /* message 4 as before; the session after it is the same */
    ASSERT_OK(shs_client_read_accept(&p.c, w.m4));
    ASSERT_ERR(shs_client_early_session(&p.c, &e2, &d2), ILONET_EINVAL);
    ASSERT_OK(shs_session(&p.c, &e2, &d2));
    ASSERT_MEM_EQ(e2.key, ce.key, 32);
    ASSERT_MEM_EQ(d2.key, cd.key, 32);
    shs_wipe(&p.c);
    shs_wipe(&p.s);

    /* a forged message 4 after early keys: refused, the state wiped */
    pair_init(&p, 16);
    pair_run_to_auth(&p, &w);
    ASSERT_OK(shs_client_early_session(&p.c, &ce, &cd));
    w.m4[7] ^= 1;
    ASSERT_ERR(shs_client_read_accept(&p.c, w.m4), ILONET_EHANDSHAKE);
    ASSERT_ERR(shs_session(&p.c, &e2, &d2), ILONET_EINVAL);
    ASSERT(sodium_is_zero((const uint8_t *)&p.c, sizeof(p.c)));
}

TEST_LIST = {
    TEST(handshake_agrees),
    TEST(session_wipes_secrets),
    TEST(many_handshakes_distinct_keys),
    TEST(wrong_netkey_rejected_by_server),
    TEST(wrong_netkey_rejected_by_client),
    TEST(client_dialing_wrong_server_fails),
    TEST(impostor_server_fails),
    TEST(tampered_hellos_fail),
    TEST(tampered_auth_fails_every_byte),
    TEST(tampered_accept_fails_every_byte),
    TEST(replayed_auth_fails),
    TEST(low_order_ephemeral_rejected),
    TEST(misuse_is_einval),
    TEST(reference_vectors),
    TEST(session_carries_boxstream),
    TEST(early_session_is_the_session),
};
TEST_MAIN()
