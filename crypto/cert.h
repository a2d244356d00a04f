/* cert.h - node certificates and roles; the small-file helpers. */
#ifndef ILONET_CERT_H
#define ILONET_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "hash.h"
#include "key.h"
#include "network.h"
#include "roster.h"
/* Before the split of this header every trust type was declared here;
 * files written then still reach grants and revocations through it. New
 * code includes the header it uses. */
#include "grant.h"
#include "revocation.h"

/*
 * A node certificate: a state root admits a node key to a network with a
 * role, for a validity window. A signed envelope (crypto/envelope.h); body
 * layout in docs/FORMAT.md §5:
 *   ["cert", 1, network bin32, state str, node bin32, role str,
 *    not_before uint, not_after uint, serial uint]
 * A log's first entry carries its author's certificate; HELLO carries the
 * peer's. All functions are pure except the file helpers.
 */

/* A certificate file, or the one in HELLO, holds one envelope. */
#define CERT_MAX_LEN ENVELOPE_MAX_LEN

enum cert_role {
    ROLE_ILO = 1,
    ROLE_PRESIDENCY = 2,
    ROLE_COMMISSION = 3,
    ROLE_AGENCY = 4,
};

struct cert {
    uint8_t c_network[NET_ID_LEN];
    char c_state[KEY_STATE_MAX + 1];
    uint8_t c_node[KEY_PK_LEN];
    enum cert_role c_role;
    uint64_t c_not_before; /* unix seconds, inclusive */
    uint64_t c_not_after;  /* unix seconds, inclusive */
    uint64_t c_serial;
};

/* Role names "ilo", "presidency", "commission", "agency"; "unknown" for
 * anything else. */
const char *cert_role_name(enum cert_role r);
int cert_role_parse(const char *s, enum cert_role *out);
/* The role testnet gives a state code: EU -> commission, agencies -> agency,
 * every other code -> ilo. */
enum cert_role cert_role_for_state(const char *state);
/* 1 for a Member State role (ilo, presidency), 0 otherwise. */
int cert_role_is_ms(enum cert_role r);

/* The certificate's field table. */
extern const struct envelope_type cert_envelope;

/*
 * Issues a certificate: signs c with the state root key sk (whose state
 * must equal c->c_state; ILONET_EINVAL otherwise or for an inverted
 * window). *out is malloc'd; the caller frees it.
 */
int cert_issue(const struct cert *c, const struct key_pair *sk, uint8_t **out,
               size_t *out_len);

/*
 * Verifies a certificate envelope against the roster and a network:
 * ILONET_EMALFORMED/ENONCANON/ETOOBIG for bad bytes, EKIND for another
 * version, EUNKNOWNAUTHOR when the state is not in the roster, EBADSIG,
 * ENETWORK for another network. Validity dates are not checked here (see
 * cert_valid_at). Fills *c on success.
 */
int cert_verify(const uint8_t *buf, size_t len, const struct roster *r,
                const uint8_t network[static NET_ID_LEN], struct cert *c);

/* 0 if t (unix seconds) is inside c's validity, ends included, else
 * ILONET_EEXPIRED. */
int cert_valid_at(const struct cert *c, uint64_t t);

/* Id of a certificate, grant or revocation envelope: envelope_id(). */
void cert_envelope_id(const uint8_t *buf, size_t len,
                      uint8_t id[static HASH_LEN]);

/* Reads a whole small file (at most max bytes) into a malloc'd buffer,
 * NUL-terminated after the last byte. ILONET_ENOTFOUND, EIO, ETOOBIG,
 * ENOMEM. */
int cert_read_file(const char *path, size_t max, uint8_t **out,
                   size_t *out_len);
/* Writes buf to path atomically (temp file + rename) with the given mode. */
int cert_write_file(const char *path, const uint8_t *buf, size_t len, int mode);

#endif
