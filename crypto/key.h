/* key.h - Ed25519 key pairs, domain-separated signatures, secret key files. */
#ifndef ILONET_KEY_H
#define ILONET_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_PK_LEN 32
#define KEY_SK_LEN 64
#define KEY_SEED_LEN 32
#define KEY_SIG_LEN 64
#define KEY_STATE_MAX 15 /* longest state code: "FRONTEX", "EUROPOL" */

/* Signature contexts: a signature made for one use never verifies for
 * another. Listed in docs/FORMAT.md. */
#define SIG_CTX_ENTRY "ilonet/entry/v1"
#define SIG_CTX_CERT "ilonet/cert/v1"
#define SIG_CTX_GRANT "ilonet/grant/v1"
#define SIG_CTX_REVOKE "ilonet/revocation/v1"

/* Kind of secret key held in a key file. */
enum key_kind {
    KEY_NODE = 1,  /* a node's own key */
    KEY_STATE = 2, /* a state root key (offline authority) */
};

/*
 * A key pair in libsodium layout (sk = seed || pk). Plain memory owned by the
 * caller; call key_wipe() when done so the secret does not linger.
 */
struct key_pair {
    uint8_t pk[KEY_PK_LEN];
    uint8_t sk[KEY_SK_LEN];
    enum key_kind kind;
    char state[KEY_STATE_MAX + 1]; /* set for KEY_STATE, "" otherwise */
};

/* Process-wide init (sodium_init). Call once before anything else; safe to
 * call again. Returns 0 or ILONET_EIO. */
int key_global_init(void);

/* New random key pair of the given kind. state may be NULL for KEY_NODE. */
int key_generate(struct key_pair *kp, enum key_kind kind, const char *state);

/* Rebuilds a key pair from its 32-byte seed. */
int key_from_seed(struct key_pair *kp, const uint8_t seed[static KEY_SEED_LEN]);

void key_wipe(struct key_pair *kp);

/* sig = Ed25519(sk, ctx || 0x00 || msg). Thread-safe. */
int key_sign(const struct key_pair *kp, const char *ctx, const uint8_t *msg,
             size_t len, uint8_t sig[static KEY_SIG_LEN]);

/* 0 if sig is pk's signature of msg under ctx, else ILONET_EBADSIG.
 * libsodium's verify is strict (canonical S, no small-order keys). */
int key_verify(const uint8_t pk[static KEY_PK_LEN], const char *ctx,
               const uint8_t *msg, size_t len,
               const uint8_t sig[static KEY_SIG_LEN]);

/*
 * Key files (docs/FORMAT.md §9): text lines "kind node" or "kind state",
 * "state CODE" (state keys), "seed HEX64" and, informative, "public HEX64"
 * (must match the seed when present); '#' comments and empty lines are
 * skipped; at most KEY_FILE_MAX bytes are read.
 */
#define KEY_FILE_MAX 1023

/* Writes kp as key-file text into out (cap bytes, NUL-terminated; holds
 * the secret: wipe it); *len gets the length. ILONET_EINVAL for a kind or
 * state that cannot be written, ETOOBIG if it does not fit. */
int key_format(const struct key_pair *kp, char *out, size_t cap, size_t *len);

/* Parses key-file text (len bytes; a NUL ends it early) into *kp, written
 * only on success: ILONET_EMALFORMED for an unknown line, a missing kind or
 * seed, a bad state or a public key that does not match; ETOOBIG past
 * KEY_FILE_MAX. Wipes its copies of the secret. */
int key_parse(const char *text, size_t len, struct key_pair *kp);

/* Writes kp's seed to a new file at path with mode 0600. Refuses to
 * overwrite (ILONET_EEXIST). */
int key_save(const char *path, const struct key_pair *kp);

/* Loads a key file (key_parse of its first KEY_FILE_MAX bytes). Refuses a
 * file readable or writable by group/others (ILONET_EPERM) and anything
 * malformed (ILONET_EMALFORMED). */
int key_load(const char *path, struct key_pair *kp);

/* 1 if s is a valid state code (2..15 chars of A-Z), else 0. */
int key_state_valid(const char *s);

#endif
