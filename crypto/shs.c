/* shs.c - Secret Handshake v1 state machine built from libsodium only. */
#include "shs.h"

#include <sodium.h>
#include <string.h>

#include "error.h"

enum { SHS__CLIENT = 1, SHS__SERVER = 2 };

/* The one call each state allows next. Zero is the wiped state, so a
 * zeroed or failed struct refuses everything. */
enum {
    SHS__WIPED = 0,
    SHS__C_HELLO,       /* client: shs_client_hello */
    SHS__C_READ_HELLO,  /* client: shs_client_read_hello */
    SHS__C_AUTH,        /* client: shs_client_auth */
    SHS__C_READ_ACCEPT, /* client: shs_client_read_accept */
    SHS__S_READ_HELLO,  /* server: shs_server_read_hello */
    SHS__S_HELLO,       /* server: shs_server_hello */
    SHS__S_READ_AUTH,   /* server: shs_server_read_auth */
    SHS__S_ACCEPT,      /* server: shs_server_accept */
    SHS__DONE,          /* either: shs_session */
    SHS__SESSION,       /* keys handed out; only shs_peer_pk, shs_wipe */
};

/* Secretboxes in messages 3 and 4 use a zero nonce: each key boxes exactly
 * one message, so the nonce never repeats under a key. */
static const uint8_t shs__zero_nonce[crypto_secretbox_NONCEBYTES];

struct shs__part {
    const uint8_t *p;
    size_t n;
};

/* SHA-256 over the concatenation of parts, without building the
 * concatenation (it would be one more secret buffer to wipe). */
static void
shs__sha256(uint8_t out[static 32], const struct shs__part *parts, size_t n)
{
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++)
        crypto_hash_sha256_update(&st, parts[i].p, parts[i].n);
    crypto_hash_sha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

/* Key of the message-3 box: sha256(K || ab || aB). */
static void
shs__key2(const struct shs *s, uint8_t out[static 32])
{
    const struct shs__part parts[] = {
        {s->sh_netkey, 32}, {s->sh_ab, 32}, {s->sh_aB, 32}};
    shs__sha256(out, parts, 3);
}

/* Key of the message-4 box: sha256(K || ab || aB || Ab). */
static void
shs__key3(const struct shs *s, uint8_t out[static 32])
{
    const struct shs__part parts[] = {
        {s->sh_netkey, 32}, {s->sh_ab, 32}, {s->sh_aB, 32}, {s->sh_Ab, 32}};
    shs__sha256(out, parts, 4);
}

/* Fills the 96-byte message the client signs: K || B || sha256(ab). */
static void
shs__msg_a(const struct shs *s, const uint8_t server_pk[static 32],
           uint8_t out[static 96])
{
    memcpy(out, s->sh_netkey, 32);
    memcpy(out + 32, server_pk, 32);
    crypto_hash_sha256(out + 64, s->sh_ab, 32);
}

/* Fills the 160-byte message the server signs:
 * K || sig_A || A || sha256(ab). */
static void
shs__msg_b(const struct shs *s, const uint8_t client_pk[static 32],
           uint8_t out[static 160])
{
    memcpy(out, s->sh_netkey, 32);
    memcpy(out + 32, s->sh_sig_a, 64);
    memcpy(out + 96, client_pk, 32);
    crypto_hash_sha256(out + 128, s->sh_ab, 32);
}

static int
shs__init(struct shs *s, int role, const uint8_t netkey[static 32],
          const uint8_t my_pk[static 32], const uint8_t my_sk[static 64],
          const uint8_t eph_seed[static 32])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    int rc = ILONET_EINVAL;

    /* Idempotent and thread-safe; key_global_init() normally ran first. */
    if (sodium_init() < 0)
        return ILONET_EIO;

    /* Rebuild the pair from its seed: a secret key whose halves disagree
     * would sign with one key while we announce another. */
    if (crypto_sign_seed_keypair(pk, sk, my_sk) != 0)
        goto out;
    if (sodium_memcmp(pk, my_pk, 32) != 0 || sodium_memcmp(sk, my_sk, 64) != 0)
        goto out;

    memset(s, 0, sizeof(*s));
    s->sh_role = role;
    memcpy(s->sh_netkey, netkey, 32);
    memcpy(s->sh_my_pk, my_pk, 32);
    memcpy(s->sh_my_sk, my_sk, 64);
    if (crypto_box_seed_keypair(s->sh_eph_pk, s->sh_eph_sk, eph_seed) != 0) {
        shs_wipe(s);
        goto out;
    }
    crypto_auth(s->sh_my_mac, s->sh_eph_pk, 32, s->sh_netkey);
    rc = 0;

out:
    sodium_memzero(sk, sizeof(sk));
    return rc;
}

int
shs_client_init(struct shs *s, const uint8_t netkey[static 32],
                const uint8_t my_pk[static 32], const uint8_t my_sk[static 64],
                const uint8_t server_pk[static 32],
                const uint8_t eph_seed[static 32])
{
    uint8_t curve[32];
    int rc;

    if (!s || !netkey || !my_pk || !my_sk || !server_pk || !eph_seed)
        return ILONET_EINVAL;
    /* The client needs the server key as an X25519 point for aB; a key
     * that does not convert can never complete, so say so now. */
    if (crypto_sign_ed25519_pk_to_curve25519(curve, server_pk) != 0)
        return ILONET_EINVAL;
    rc = shs__init(s, SHS__CLIENT, netkey, my_pk, my_sk, eph_seed);
    if (rc != 0)
        return rc;
    memcpy(s->sh_peer_pk, server_pk, 32);
    s->sh_step = SHS__C_HELLO;
    return 0;
}

int
shs_server_init(struct shs *s, const uint8_t netkey[static 32],
                const uint8_t my_pk[static 32], const uint8_t my_sk[static 64],
                const uint8_t eph_seed[static 32])
{
    int rc;

    if (!s || !netkey || !my_pk || !my_sk || !eph_seed)
        return ILONET_EINVAL;
    rc = shs__init(s, SHS__SERVER, netkey, my_pk, my_sk, eph_seed);
    if (rc != 0)
        return rc;
    s->sh_step = SHS__S_READ_HELLO;
    return 0;
}

/* Every peer-caused failure ends here: one code, nothing kept. */
static int
shs__fail(struct shs *s)
{
    shs_wipe(s);
    return ILONET_EHANDSHAKE;
}

/* Messages 1 and 2 have one shape: HMAC_K(eph_pk) || eph_pk. */
static void
shs__write_hello(const struct shs *s, uint8_t out[static SHS_HELLO_LEN])
{
    memcpy(out, s->sh_my_mac, 32);
    memcpy(out + 32, s->sh_eph_pk, 32);
}

/* Checks a hello from the peer and derives ab. Returns 0 or -1. */
static int
shs__read_hello(struct shs *s, const uint8_t in[static SHS_HELLO_LEN])
{
    /* crypto_auth_verify compares in constant time. */
    if (crypto_auth_verify(in, in + 32, 32, s->sh_netkey) != 0)
        return -1;
    memcpy(s->sh_peer_mac, in, 32);
    memcpy(s->sh_peer_eph_pk, in + 32, 32);
    /* Fails on an all-zero result, i.e. a low-order point from the peer,
     * which would make ab public. */
    if (crypto_scalarmult(s->sh_ab, s->sh_eph_sk, s->sh_peer_eph_pk) != 0)
        return -1;
    return 0;
}

int
shs_client_hello(struct shs *s, uint8_t out[static SHS_HELLO_LEN])
{
    if (!s || !out || s->sh_step != SHS__C_HELLO)
        return ILONET_EINVAL;
    shs__write_hello(s, out);
    s->sh_step = SHS__C_READ_HELLO;
    return 0;
}

int
shs_server_read_hello(struct shs *s, const uint8_t in[static SHS_HELLO_LEN])
{
    if (!s || !in || s->sh_step != SHS__S_READ_HELLO)
        return ILONET_EINVAL;
    if (shs__read_hello(s, in) != 0)
        return shs__fail(s);
    s->sh_step = SHS__S_HELLO;
    return 0;
}

int
shs_server_hello(struct shs *s, uint8_t out[static SHS_HELLO_LEN])
{
    if (!s || !out || s->sh_step != SHS__S_HELLO)
        return ILONET_EINVAL;
    shs__write_hello(s, out);
    s->sh_step = SHS__S_READ_AUTH;
    return 0;
}

int
shs_client_read_hello(struct shs *s, const uint8_t in[static SHS_HELLO_LEN])
{
    uint8_t curve[32];
    int rc;

    if (!s || !in || s->sh_step != SHS__C_READ_HELLO)
        return ILONET_EINVAL;
    if (shs__read_hello(s, in) != 0)
        return shs__fail(s);
    /* aB: our ephemeral with the server's long-term key (checked at
     * init that it converts). */
    rc = crypto_sign_ed25519_pk_to_curve25519(curve, s->sh_peer_pk);
    if (rc == 0)
        rc = crypto_scalarmult(s->sh_aB, s->sh_eph_sk, curve);
    if (rc != 0)
        return shs__fail(s);
    s->sh_step = SHS__C_AUTH;
    return 0;
}

int
shs_client_auth(struct shs *s, uint8_t out[static SHS_CLIENT_AUTH_LEN])
{
    uint8_t msg[96], plain[96], key[32], curve_sk[32];
    int rc;

    if (!s || !out || s->sh_step != SHS__C_AUTH)
        return ILONET_EINVAL;

    /* Ab from the client's side (our long-term key, the server's
     * ephemeral) is known from here: the session's keys too
     * (shs_client_early_session). */
    crypto_sign_ed25519_sk_to_curve25519(curve_sk, s->sh_my_sk);
    rc = crypto_scalarmult(s->sh_Ab, curve_sk, s->sh_peer_eph_pk);
    sodium_memzero(curve_sk, sizeof(curve_sk));
    if (rc != 0)
        return shs__fail(s);
    shs__msg_a(s, s->sh_peer_pk, msg);
    crypto_sign_detached(s->sh_sig_a, NULL, msg, sizeof(msg), s->sh_my_sk);
    memcpy(plain, s->sh_sig_a, 64);
    memcpy(plain + 64, s->sh_my_pk, 32);
    shs__key2(s, key);
    crypto_secretbox_easy(out, plain, sizeof(plain), shs__zero_nonce, key);

    sodium_memzero(key, sizeof(key));
    sodium_memzero(plain, sizeof(plain));
    sodium_memzero(msg, sizeof(msg));
    s->sh_step = SHS__C_READ_ACCEPT;
    return 0;
}

int
shs_server_read_auth(struct shs *s,
                     const uint8_t in[static SHS_CLIENT_AUTH_LEN])
{
    uint8_t curve_sk[32], curve_pk[32], key[32], plain[96], msg[96];
    const uint8_t *client_pk = plain + 64;
    int rc = ILONET_EHANDSHAKE;

    if (!s || !in || s->sh_step != SHS__S_READ_AUTH)
        return ILONET_EINVAL;

    /* aB from the server's side: our long-term key, client's ephemeral. */
    crypto_sign_ed25519_sk_to_curve25519(curve_sk, s->sh_my_sk);
    if (crypto_scalarmult(s->sh_aB, curve_sk, s->sh_peer_eph_pk) != 0)
        goto out;
    shs__key2(s, key);
    if (crypto_secretbox_open_easy(plain, in, SHS_CLIENT_AUTH_LEN,
                                   shs__zero_nonce, key) != 0)
        goto out;

    /* The client signed K || our pk || sha256(ab): proof that it meant to
     * reach us, on this network, in this very handshake. */
    shs__msg_a(s, s->sh_my_pk, msg);
    if (crypto_sign_verify_detached(plain, msg, sizeof(msg), client_pk) != 0)
        goto out;
    if (crypto_sign_ed25519_pk_to_curve25519(curve_pk, client_pk) != 0)
        goto out;
    if (crypto_scalarmult(s->sh_Ab, s->sh_eph_sk, curve_pk) != 0)
        goto out;

    memcpy(s->sh_sig_a, plain, 64);
    memcpy(s->sh_peer_pk, client_pk, 32);
    s->sh_step = SHS__S_ACCEPT;
    rc = 0;

out:
    sodium_memzero(curve_sk, sizeof(curve_sk));
    sodium_memzero(key, sizeof(key));
    sodium_memzero(plain, sizeof(plain));
    return rc == 0 ? 0 : shs__fail(s);
}

int
shs_server_accept(struct shs *s, uint8_t out[static SHS_SERVER_ACCEPT_LEN])
{
    uint8_t msg[160], sig[64], key[32];

    if (!s || !out || s->sh_step != SHS__S_ACCEPT)
        return ILONET_EINVAL;

    shs__msg_b(s, s->sh_peer_pk, msg);
    crypto_sign_detached(sig, NULL, msg, sizeof(msg), s->sh_my_sk);
    shs__key3(s, key);
    crypto_secretbox_easy(out, sig, sizeof(sig), shs__zero_nonce, key);

    sodium_memzero(key, sizeof(key));
    sodium_memzero(msg, sizeof(msg));
    s->sh_step = SHS__DONE;
    return 0;
}

int
shs_client_read_accept(struct shs *s,
                       const uint8_t in[static SHS_SERVER_ACCEPT_LEN])
{
    uint8_t key[32], sig[64], msg[160];
    int rc = ILONET_EHANDSHAKE;

    if (!s || !in || s->sh_step != SHS__C_READ_ACCEPT)
        return ILONET_EINVAL;

    shs__key3(s, key); /* Ab: shs_client_auth */
    if (crypto_secretbox_open_easy(sig, in, SHS_SERVER_ACCEPT_LEN,
                                   shs__zero_nonce, key) != 0)
        goto out;
    shs__msg_b(s, s->sh_my_pk, msg);
    if (crypto_sign_verify_detached(sig, msg, sizeof(msg), s->sh_peer_pk) != 0)
        goto out;
    s->sh_step = SHS__DONE;
    rc = 0;

out:
    sodium_memzero(key, sizeof(key));
    return rc == 0 ? 0 : shs__fail(s);
}

int
shs_peer_pk(const struct shs *s, uint8_t out[static SHS_PK_LEN])
{
    if (!s || !out)
        return ILONET_EINVAL;
    switch (s->sh_step) {
    case SHS__WIPED:
    case SHS__S_READ_HELLO:
    case SHS__S_HELLO:
    case SHS__S_READ_AUTH: return ILONET_EINVAL;
    default: memcpy(out, s->sh_peer_pk, SHS_PK_LEN); return 0;
    }
}

/* The box-stream keys and nonces of both directions, from a state that
 * holds ab, aB and Ab. */
static void
shs__keys(const struct shs *s, struct boxs *enc, struct boxs *dec)
{
    uint8_t secret[32];
    struct shs__part parts[2];

    /* secret = sha256(sha256(K || ab || aB || Ab)); each direction's key
     * is sha256(secret || long-term pk of the receiving side), and its
     * starting nonce the receiver's hello HMAC, so the two directions
     * never share a key or nonce. */
    shs__key3(s, secret);
    crypto_hash_sha256(secret, secret, 32);

    parts[0] = (struct shs__part){secret, 32};
    parts[1] = (struct shs__part){s->sh_peer_pk, 32};
    shs__sha256(enc->key, parts, 2);
    memcpy(enc->nonce, s->sh_peer_mac, BOXS_NONCE_LEN);
    parts[1] = (struct shs__part){s->sh_my_pk, 32};
    shs__sha256(dec->key, parts, 2);
    memcpy(dec->nonce, s->sh_my_mac, BOXS_NONCE_LEN);
    sodium_memzero(secret, sizeof(secret));
}

int
shs_client_early_session(struct shs *s, struct boxs *enc, struct boxs *dec)
{
    if (!s || !enc || !dec || enc == dec || s->sh_step != SHS__C_READ_ACCEPT)
        return ILONET_EINVAL;
    shs__keys(s, enc, dec);
    return 0;
}

int
shs_session(struct shs *s, struct boxs *enc, struct boxs *dec)
{
    uint8_t peer_pk[32];
    int role;

    if (!s || !enc || !dec || enc == dec || s->sh_step != SHS__DONE)
        return ILONET_EINVAL;
    shs__keys(s, enc, dec);

    /* Forward secrecy: keep only who the peer is. */
    role = s->sh_role;
    memcpy(peer_pk, s->sh_peer_pk, 32);
    shs_wipe(s);
    s->sh_role = role;
    memcpy(s->sh_peer_pk, peer_pk, 32);
    s->sh_step = SHS__SESSION;
    return 0;
}

void
shs_wipe(struct shs *s)
{
    if (s)
        sodium_memzero(s, sizeof(*s));
}
