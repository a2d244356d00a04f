/* hash.h - BLAKE2b-256 hashing with a domain-separation context per use. */
#ifndef ILONET_HASH_H
#define ILONET_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define HASH_LEN 32

/*
 * Every hash in ilonet is BLAKE2b-256 (libsodium crypto_generichash, 32-byte
 * output) over: context string, one 0x00 byte, then the data. The context
 * names the use ("ilonet/entry-id/v1", ...) so a hash computed for one
 * purpose can never be replayed as another. Contexts are listed in
 * docs/FORMAT.md. All functions are pure and thread-safe.
 */

/* Domain-separated contexts. */
#define HASH_CTX_ENTRY_ID "ilonet/entry-id/v1"
#define HASH_CTX_PAYLOAD "ilonet/payload/v1"
#define HASH_CTX_LOG_ID "ilonet/log-id/v1"
#define HASH_CTX_NETWORK_ID "ilonet/network-id/v1"
#define HASH_CTX_REGIME_KEY "ilonet/regime-key/v1"
#define HASH_CTX_VIEW "ilonet/view/v1"
#define HASH_CTX_HEADS "ilonet/heads/v1"
#define HASH_CTX_CERT "ilonet/cert-id/v1"
/* Blobs (storage/blob.h, docs/FORMAT.md "Blobs"): a leaf of the hash tree
 * is one 64 KiB chunk, a node two child hashes, the blob id the tree's
 * root with the size; a key id names the key a stored file is sealed with
 * without revealing it. */
#define HASH_CTX_BLOB_CHUNK "ilonet/blob-chunk/v1"
#define HASH_CTX_BLOB_NODE "ilonet/blob-node/v1"
#define HASH_CTX_BLOB_ID "ilonet/blob-id/v1"
#define HASH_CTX_BLOB_KEY "ilonet/blob-key-id/v1"

struct hash_state {
    crypto_generichash_state h_st;
};

/* Starts a hash under context ctx (a NUL-terminated string). */
void hash_init(struct hash_state *st, const char *ctx);
void hash_update(struct hash_state *st, const void *data, size_t len);
/* Writes the 32-byte digest to out; the state may not be used again. */
void hash_final(struct hash_state *st, uint8_t out[static HASH_LEN]);

/* One-shot: out = BLAKE2b-256(ctx || 0x00 || data). */
void hash_buf(const char *ctx, const void *data, size_t len,
              uint8_t out[static HASH_LEN]);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hash_hex(const uint8_t *bytes, size_t n, char *out);

/* Parses exactly 2n hex digits from hex into out. 0 or ILONET_EINVAL. */
int hash_unhex(const char *hex, uint8_t *out, size_t n);

/* The range of digests a hex prefix (1 to 64 digits, either case) names:
 * lo with the missing digits 0, hi with them f. 0 or ILONET_EINVAL. */
int hash_prefix_range(const char *hex, uint8_t lo[static HASH_LEN],
                      uint8_t hi[static HASH_LEN]);

#endif
