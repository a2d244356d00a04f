/* shs.h - Secret Handshake v1 (Tarr 2015), sans-I/O, both roles. */
#ifndef ILONET_SHS_H
#define ILONET_SHS_H

/*
 * The Scuttlebutt secret handshake, exactly as the Scuttlebutt protocol
 * guide specifies it, so that the npm `secret-handshake` package is a valid
 * peer (docs/TRANSPORT.md describes every byte). Four messages:
 *
 *   client                                      server
 *   shs_client_hello      --- 64 bytes --->     shs_server_read_hello
 *   shs_client_read_hello <-- 64 bytes ----     shs_server_hello
 *   shs_client_auth       --- 112 bytes -->     shs_server_read_auth
 *                                               (check shs_peer_pk here)
 *   shs_client_read_accept <- 80 bytes ----     shs_server_accept
 *   shs_session                                 shs_session
 *
 * (A client may take its keys right after message 3 instead,
 * shs_client_early_session, to send its first bytes with it.)
 *
 * Sans-I/O: these functions only transform caller-owned buffers and the
 * caller-allocated struct shs. They never touch a socket, the clock or a
 * random source: the caller draws the 32-byte ephemeral seed itself (e.g.
 * randombytes_buf) and hands it to the init function, which is what lets a
 * deterministic simulator or a test vector drive a handshake. Message
 * buffers are exactly the SHS_*_LEN sizes; reading and writing them, and
 * the handshake deadline, are the caller's job.
 *
 * Ownership: the struct holds copies of the network key, both long-term
 * public keys, our long-term secret key and the ephemeral secrets, so the
 * caller may wipe its own copies after init. shs_session() wipes every
 * secret in it; shs_wipe() wipes everything and must be called on every
 * exit path (it is harmless twice). Threads: no locks and no globals
 * beyond libsodium's one-time init; one struct is used by one thread at a
 * time, distinct structs are independent.
 *
 * Errors: 0 on success; ILONET_EHANDSHAKE for anything the peer got wrong
 * (bad HMAC, box or signature, low-order or invalid keys), the same code
 * for every step so a failure says nothing about which check tripped;
 * ILONET_EINVAL for misuse (NULL, a call out of order, bad local keys).
 * After an ILONET_EHANDSHAKE the struct is wiped and every further call
 * but shs_wipe() returns ILONET_EINVAL; the caller closes the connection
 * without writing anything more (a listener says nothing to a peer that
 * failed the network-key check).
 */
#include <stdint.h>

#include "boxstream.h"

#define SHS_NETKEY_LEN 32
#define SHS_PK_LEN 32            /* Ed25519 public key */
#define SHS_SK_LEN 64            /* libsodium Ed25519 secret key: seed || pk */
#define SHS_SEED_LEN 32          /* ephemeral seed drawn by the caller */
#define SHS_HELLO_LEN 64         /* messages 1 and 2 */
#define SHS_CLIENT_AUTH_LEN 112  /* message 3 */
#define SHS_SERVER_ACCEPT_LEN 80 /* message 4 */

/* Opaque in spirit: callers allocate it but only touch it through shs_*. */
struct shs {
    int sh_role;                       /* client or server */
    int sh_step;                       /* which call is allowed next */
    uint8_t sh_netkey[SHS_NETKEY_LEN]; /* network identifier (HMAC key) */
    uint8_t sh_my_pk[SHS_PK_LEN];      /* our long-term Ed25519 pk */
    uint8_t sh_my_sk[SHS_SK_LEN];      /* our long-term Ed25519 sk */
    uint8_t sh_peer_pk[SHS_PK_LEN];    /* peer's long-term pk */
    uint8_t sh_eph_pk[32];             /* our ephemeral X25519 pk */
    uint8_t sh_eph_sk[32];             /* our ephemeral X25519 sk */
    uint8_t sh_peer_eph_pk[32];        /* peer's ephemeral X25519 pk */
    uint8_t sh_my_mac[32];             /* HMAC(netkey, our eph pk) */
    uint8_t sh_peer_mac[32];           /* HMAC(netkey, peer eph pk) */
    uint8_t sh_ab[32];                 /* eph * eph */
    uint8_t sh_aB[32];                 /* client eph * server long-term */
    uint8_t sh_Ab[32];                 /* client long-term * server eph */
    uint8_t sh_sig_a[64];              /* client's signature (message 3) */
};

/*
 * Prepares a client that will dial the server whose long-term key is
 * server_pk. my_sk is the libsodium Ed25519 secret key (seed || pk) and
 * must match my_pk. eph_seed is 32 fresh random bytes; the ephemeral
 * X25519 key pair is crypto_box_seed_keypair(eph_seed), the same derivation
 * the JS reference uses, so its published vectors replay here. Never reuse
 * an eph_seed. Returns 0, ILONET_EINVAL (NULL, mismatched key pair, a
 * server_pk that is not a usable Ed25519 point) or ILONET_EIO (libsodium
 * failed to initialise). Works with struct key_pair's pk and sk as is.
 */
int shs_client_init(struct shs *s, const uint8_t netkey[static 32],
                    const uint8_t my_pk[static 32],
                    const uint8_t my_sk[static 64],
                    const uint8_t server_pk[static 32],
                    const uint8_t eph_seed[static 32]);

/* As shs_client_init for the listening side, which learns the client's
 * key from message 3. */
int shs_server_init(struct shs *s, const uint8_t netkey[static 32],
                    const uint8_t my_pk[static 32],
                    const uint8_t my_sk[static 64],
                    const uint8_t eph_seed[static 32]);

/* Client, step 1: writes message 1 (our ephemeral pk and its HMAC). */
int shs_client_hello(struct shs *s, uint8_t out[static SHS_HELLO_LEN]);

/* Server, step 1: checks message 1. ILONET_EHANDSHAKE means the client is
 * not on our network (or not SHS at all): close without a word. */
int shs_server_read_hello(struct shs *s,
                          const uint8_t in[static SHS_HELLO_LEN]);

/* Server, step 2: writes message 2. Only after shs_server_read_hello. */
int shs_server_hello(struct shs *s, uint8_t out[static SHS_HELLO_LEN]);

/* Client, step 2: checks message 2 and derives the first two secrets. */
int shs_client_read_hello(struct shs *s,
                          const uint8_t in[static SHS_HELLO_LEN]);

/* Client, step 3: writes message 3 (our identity and signature, boxed). */
int shs_client_auth(struct shs *s, uint8_t out[static SHS_CLIENT_AUTH_LEN]);

/*
 * Server, step 3: opens and checks message 3. On success the client's
 * long-term key is available from shs_peer_pk(); the caller decides there
 * whether this client is admitted and, if not, closes without calling
 * shs_server_accept (the client then never learns who we are).
 */
int shs_server_read_auth(struct shs *s,
                         const uint8_t in[static SHS_CLIENT_AUTH_LEN]);

/* Server, step 4: writes message 4. The handshake is then complete. */
int shs_server_accept(struct shs *s, uint8_t out[static SHS_SERVER_ACCEPT_LEN]);

/* Client, step 4: opens and checks message 4. The handshake is complete. */
int shs_client_read_accept(struct shs *s,
                           const uint8_t in[static SHS_SERVER_ACCEPT_LEN]);

/*
 * Copies the peer's long-term Ed25519 pk to out: for a client from init
 * on, for a server once shs_server_read_auth succeeded (also after
 * shs_session). Returns 0 or ILONET_EINVAL (not known yet, or wiped).
 */
int shs_peer_pk(const struct shs *s, uint8_t out[static SHS_PK_LEN]);

/*
 * After a complete handshake, fills enc (our sending direction) and dec
 * (our receiving direction) with box-stream keys and starting nonces, then
 * wipes every handshake secret in s (forward secrecy: the session keys are
 * all that remain, and they live in enc/dec). Callable once; shs_peer_pk()
 * keeps working until shs_wipe(). Returns 0 or ILONET_EINVAL (handshake not
 * complete, NULL); enc and dec are written on success only.
 */
int shs_session(struct shs *s, struct boxs *enc, struct boxs *dec);

/*
 * The client's session keys as soon as message 3 is written (after
 * shs_client_auth, before shs_client_read_accept): the same enc and dec
 * that shs_session() gives after message 4. What the client seals with
 * enc may go out with message 3, saving a round trip: only the holder of
 * the server's secret key can derive these keys (they hash aB), so it is
 * as private as anything sent later. Nothing may be opened with dec, nor
 * the peer trusted, before shs_client_read_accept() succeeds. Leaves the
 * state as it was: read message 4 next, then shs_wipe() (not
 * shs_session()). ILONET_EINVAL at any other step.
 */
int shs_client_early_session(struct shs *s, struct boxs *enc, struct boxs *dec);

/* Zeroes the whole struct. Safe on NULL and on a zeroed struct. */
void shs_wipe(struct shs *s);

#endif
