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
 * File format (docs/FORMAT.md §9): text lines "host STATE", "id HEX64",
 * "key HEX64" in any order, each at least once (a repeated line replaces
 * the earlier one); '#' comments and empty lines are skipped; mode 0600
 * because it holds the secret. Plain memory, owned by the caller; wipe it
 * after use.
 */

#define NET_ID_LEN 32
#define NET_KEY_LEN 32
#define NETWORK_FILE_MAX 4096

struct network {
    char n_host[KEY_STATE_MAX + 1];
    uint8_t n_id[NET_ID_LEN];
    uint8_t n_key[NET_KEY_LEN]; /* secret: the handshake admission key */
};

/* A new network with random id and key (libsodium's generator). */
int network_create(struct network *n, const char *host);

/* Parses network text (len bytes; a NUL ends it early) into *n, written
 * only on success: ILONET_EMALFORMED for an unknown or bad line or a
 * missing one, ETOOBIG past NETWORK_FILE_MAX. Wipes its copy. */
int network_parse(const char *text, size_t len, struct network *n);
/* Writes n as network text into out (cap bytes, NUL-terminated; holds the
 * secret: wipe it); *len gets the length. ILONET_ETOOBIG if it does not
 * fit, EINVAL for a bad host. */
int network_format(const struct network *n, char *out, size_t cap, size_t *len);

/* network_parse of a file; ILONET_EPERM when others may read it. */
int network_load(const char *path, struct network *n);
/* Writes the file atomically, mode 0600. */
int network_save(const char *path, const struct network *n);

#endif
