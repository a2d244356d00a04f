/* cert.h - trust roster, network files, node certificates, grants, revocations. */
#ifndef ILONET_CERT_H
#define ILONET_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "key.h"

/*
 * Trust in ilonet comes from the roster: the state root public keys of the
 * network's states, distributed out of band. A state root signs
 *   - node certificates  (admits a node key to a network with a role),
 *   - representation grants (Art. 5(1): the represented state lets another
 *     state write on its behalf),
 *   - revocations (of a node key from its last good entry, or of a grant).
 * Each is a canonical msgpack array "body" wrapped in a signed envelope
 * [bin body, bin sig]; the signature covers the body bytes exactly as
 * received. Layouts are in docs/FORMAT.md. All functions are pure except
 * the *_load/_save file helpers; none keeps global state.
 */

#define NET_ID_LEN 32
#define NET_KEY_LEN 32
#define CERT_MAX_LEN 1024
#define ROSTER_MAX 64
#define GRANT_SCOPE_MAX 16
/* The largest attachment (blob) a network's nodes store and fetch: the
 * network file's optional "blob-max BYTES" line, this default without it,
 * never more than the format's bound (storage/blob.h BLOB_SIZE_CAP). */
#define NET_BLOB_MAX_DEFAULT ((uint64_t)25 << 20)
#define NET_BLOB_MAX_CAP ((uint64_t)1 << 30)

enum cert_role {
    ROLE_ILO = 1,
    ROLE_PRESIDENCY = 2,
    ROLE_COMMISSION = 3,
    ROLE_AGENCY = 4,
};

struct roster_state {
    char rs_state[KEY_STATE_MAX + 1];
    uint8_t rs_pk[KEY_PK_LEN];
};

struct roster {
    size_t r_count;
    struct roster_state r_states[ROSTER_MAX];
};

struct network {
    char n_host[KEY_STATE_MAX + 1];
    uint8_t n_id[NET_ID_LEN];
    uint8_t n_key[NET_KEY_LEN]; /* secret: the handshake admission key */
    uint64_t n_blob_max;        /* "blob-max": 0 = NET_BLOB_MAX_DEFAULT */
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

struct grant {
    uint8_t g_network[NET_ID_LEN];
    char g_represented[KEY_STATE_MAX + 1]; /* signer */
    char g_representing[KEY_STATE_MAX + 1];
    size_t g_nscope; /* 0 = every kind */
    char g_scope[GRANT_SCOPE_MAX][24];
    uint64_t g_not_before, g_not_after, g_serial;
};

enum revoke_type {
    REVOKE_NODE = 1,  /* a node key, after its last good entries */
    REVOKE_GRANT = 2, /* a grant, from a timestamp on */
};

/* Most logs a node revocation names (one per audience the node wrote to;
 * bounded so the envelope stays under CERT_MAX_LEN). */
#define REVOKE_LOGS_MAX 8

/* The last good entry of one log of a revoked node key. */
struct revoke_last {
    uint8_t rl_log[HASH_LEN];
    uint64_t rl_seq;           /* entries 1..rl_seq stay valid; 0 = none */
    uint8_t rl_entry[HASH_LEN]; /* id of entry rl_seq; all zero = any */
};

struct revocation {
    enum revoke_type v_type;
    uint8_t v_network[NET_ID_LEN];
    char v_state[KEY_STATE_MAX + 1]; /* signer */
    /* REVOKE_NODE: the node key; per named log its last good entry; every
     * log not named keeps its entries before v_at (docs/KEYS.md). */
    uint8_t v_node[KEY_PK_LEN];
    size_t v_nlast;
    struct revoke_last v_last[REVOKE_LOGS_MAX];
    /* REVOKE_GRANT: the grant's id (hash of its envelope). */
    uint8_t v_grant[HASH_LEN];
    uint64_t v_at; /* effective from (HLC ms): grants; unnamed logs */
    uint64_t v_serial;
};

/* Role names "ilo", "presidency", "commission", "agency". */
const char *cert_role_name(enum cert_role r);
int cert_role_parse(const char *s, enum cert_role *out);
/* The role testnet gives a state code: EU -> commission, agencies -> agency,
 * every other code -> ilo. */
enum cert_role cert_role_for_state(const char *state);
/* 1 for a Member State role (ilo, presidency), 0 otherwise. */
int cert_role_is_ms(enum cert_role r);

/* Roster: a text file, one "STATE HEXPUBKEY" per line, '#' comments. */
int roster_load(const char *path, struct roster *r);
int roster_save(const char *path, const struct roster *r);
int roster_add(struct roster *r, const char *state,
               const uint8_t pk[static KEY_PK_LEN]);
/* The state's root key, or NULL. */
const uint8_t *roster_find(const struct roster *r, const char *state);

/* Network file: "host", "id", "key" lines and an optional "blob-max
 * BYTES" (1 .. NET_BLOB_MAX_CAP, decimal); mode 0600 (holds a secret).
 * network_save writes blob-max only when it is set. */
int network_create(struct network *n, const char *host);
int network_load(const char *path, struct network *n);
int network_save(const char *path, const struct network *n);

/*
 * Issues a certificate: signs c with the state root key sk (whose state
 * must equal c->c_state). *out is malloc'd; the caller frees it.
 */
int cert_issue(const struct cert *c, const struct key_pair *sk, uint8_t **out,
               size_t *out_len);

/*
 * Verifies a certificate envelope against the roster and a network:
 * ILONET_EMALFORMED/ENONCANON/ETOOBIG for bad bytes, EUNKNOWNAUTHOR when
 * the state is not in the roster, EBADSIG, ENETWORK for another network.
 * Validity dates are not checked here (see cert_valid_at). Fills *c.
 */
int cert_verify(const uint8_t *buf, size_t len, const struct roster *r,
                const uint8_t network[static NET_ID_LEN], struct cert *c);

/* 0 if t (unix seconds) is inside c's validity, else ILONET_EEXPIRED. */
int cert_valid_at(const struct cert *c, uint64_t t);

int grant_issue(const struct grant *g, const struct key_pair *sk,
                uint8_t **out, size_t *out_len);
int grant_verify(const uint8_t *buf, size_t len, const struct roster *r,
                 const uint8_t network[static NET_ID_LEN], struct grant *g);

int revocation_issue(const struct revocation *v, const struct key_pair *sk,
                     uint8_t **out, size_t *out_len);
int revocation_verify(const uint8_t *buf, size_t len, const struct roster *r,
                      const uint8_t network[static NET_ID_LEN],
                      struct revocation *v);

/* Id of any signed envelope: hash of its bytes. */
void cert_envelope_id(const uint8_t *buf, size_t len,
                      uint8_t id[static HASH_LEN]);

/* Reads a whole small file (at most max bytes) into a malloc'd buffer. */
int cert_read_file(const char *path, size_t max, uint8_t **out,
                   size_t *out_len);
/* Writes buf to path atomically (temp file + rename) with the given mode. */
int cert_write_file(const char *path, const uint8_t *buf, size_t len,
                    int mode);

#endif
