/* network.h - the network file: host state, network id, admission secret. */
#ifndef ILONET_NETWORK_H
#define ILONET_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

/*
 * A network is named by a random 32-byte id (bound into every certificate,
 * log id and grant) and admits peers with a 32-byte secret key, the secret
 * handshake's network key (docs/TRANSPORT.md). The host is the state that
 * created it.
 *
 * A network works under one regime (docs/REGIMES.md §3). A file without a
 * "regime" line is a 377-2004 network: its id is random and its key is the
 * handshake key itself, as every file written before regimes existed. A
 * network created under another regime names it, and it is bound twice:
 * the id is H("ilonet/network-id/v1", salt || regime), so a file whose
 * regime was edited is refused, and the handshake key is
 * H("ilonet/regime-key/v1", key || regime), so a node holding the right
 * secret under the wrong regime fails the handshake. Binaries older than
 * regimes refuse the unknown lines, so they cannot open such a file.
 *
 * File format (docs/FORMAT.md §9): text lines "host STATE", "id HEX64",
 * "key HEX64" in any order, each at least once (a repeated line replaces
 * the earlier one); optionally "regime NAME" with "salt HEX64", "vocab N"
 * (the vocabulary version it was created with) and "countries CC,CC"
 * (the host countries of a regional network, ISO alpha-2, sorted), and,
 * under any regime, "blob-max BYTES" at most once (the largest attachment
 * the network's nodes store and fetch, docs/FORMAT.md §10.5); '#'
 * comments and empty lines are skipped; mode 0600 because it holds the
 * secret. Plain memory, owned by the caller; wipe it after use.
 */

#define NET_ID_LEN 32
#define NET_KEY_LEN 32
#define NETWORK_FILE_MAX 4096
#define NETWORK_REGIME_MAX 15
#define NETWORK_COUNTRIES_MAX 16
/* The regime of a network file without a regime line. */
#define NETWORK_REGIME_SEED "377-2004"
/* The largest attachment (blob) a network's nodes store and fetch: the
 * file's "blob-max" line, this default without it, never more than the
 * format's bound (storage/blob.h BLOB_SIZE_CAP). */
#define NET_BLOB_MAX_DEFAULT ((uint64_t)25 << 20)
#define NET_BLOB_MAX_CAP ((uint64_t)1 << 30)

struct network {
    char n_host[KEY_STATE_MAX + 1];
    uint8_t n_id[NET_ID_LEN];
    /* secret: the handshake's network key (the file's key line for a
     * network without a regime line, else derived from it) */
    uint8_t n_key[NET_KEY_LEN];
    /* for a file with a regime line: the regime, its salt and the file's
     * key line (secret); all zero otherwise */
    char n_regime[NETWORK_REGIME_MAX + 1];
    uint8_t n_salt[NET_ID_LEN];
    uint8_t n_secret[NET_KEY_LEN];
    unsigned n_vocab; /* "vocab" line; 0 when absent (version 1) */
    /* "countries" line: "IQ,SY,TR", "" when absent */
    char n_countries[3 * NETWORK_COUNTRIES_MAX];
    uint64_t n_blob_max; /* "blob-max": 0 = NET_BLOB_MAX_DEFAULT */
};

/* A new 377-2004 network (no regime line) with random id and key
 * (libsodium's generator). */
int network_create(struct network *n, const char *host);

/*
 * A new network under regime (1-15 of a-z 0-9 '-'; the caller checks it
 * is a regime it knows) created with vocabulary version vocab (>= 1), for
 * the host countries countries (NULL or "": none; else 1-16 ISO alpha-2
 * codes joined by ',', sorted here): random salt and secret, the id and
 * the handshake key derived. regime "377-2004" makes the classic file
 * (network_create: no regime line), so such networks keep their format.
 * ILONET_EINVAL for a bad argument.
 */
int network_create_regime(struct network *n, const char *host,
                          const char *regime, unsigned vocab,
                          const char *countries);

/* The network's regime: its regime line, else NETWORK_REGIME_SEED. */
const char *network_regime(const struct network *n);
/* The vocabulary version it was created with (1 when not said). */
unsigned network_vocab(const struct network *n);

/* Parses network text (len bytes; a NUL ends it early) into *n, written
 * only on success: ILONET_EMALFORMED for an unknown or bad line or a
 * missing one, a blob-max outside 1 .. NET_BLOB_MAX_CAP or given twice,
 * a salt without a regime or a regime without one;
 * ILONET_ENETWORK when the id is not the one the salt and regime give;
 * ETOOBIG past NETWORK_FILE_MAX. Wipes its copy. */
int network_parse(const char *text, size_t len, struct network *n);
/* Writes n as network text into out (cap bytes, NUL-terminated; holds the
 * secret: wipe it), the blob-max line last and only when it is set; *len
 * gets the length. ILONET_ETOOBIG if it does not
 * fit, EINVAL for a bad host. */
int network_format(const struct network *n, char *out, size_t cap, size_t *len);

/* network_parse of a file; ILONET_EPERM when others may read it. */
int network_load(const char *path, struct network *n);
/* Writes the file atomically, mode 0600. */
int network_save(const char *path, const struct network *n);

#endif
