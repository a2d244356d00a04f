/* revocation.h - revocations of a node key or a grant by a state root. */
#ifndef ILONET_REVOCATION_H
#define ILONET_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "hash.h"

/*
 * A state root revokes one of its node keys (after the key's last good
 * entries: docs/KEYS.md) or one of its grants (from a timestamp on). A
 * signed envelope (crypto/envelope.h); body layout in docs/FORMAT.md §5:
 *   ["revoke", 1, type uint, network bin32, state str, node bin32,
 *    [[log bin32, seq uint, entry bin32], ...], grant bin32, at uint,
 *    serial uint]
 */

enum revocation_type {
    REVOKE_NODE = 1,  /* a node key, after its last good entries */
    REVOKE_GRANT = 2, /* a grant, from a timestamp on */
};

/* Most logs a node revocation names (one per audience the node wrote to;
 * bounded so the envelope stays under ENVELOPE_MAX_LEN). */
#define REVOKE_LOGS_MAX 8

/* The last good entry of one log of a revoked node key. */
struct revocation_last {
    uint8_t rl_log[HASH_LEN];
    uint64_t rl_seq;            /* entries 1..rl_seq stay valid; 0 = none */
    uint8_t rl_entry[HASH_LEN]; /* id of entry rl_seq; all zero = any */
};

struct revocation {
    enum revocation_type v_type;
    uint8_t v_network[NET_ID_LEN];
    char v_state[KEY_STATE_MAX + 1]; /* signer */
    /* REVOKE_NODE: the node key; per named log its last good entry; every
     * log not named keeps its entries before v_at (docs/KEYS.md). */
    uint8_t v_node[KEY_PK_LEN];
    size_t v_nlast;
    struct revocation_last v_last[REVOKE_LOGS_MAX];
    /* REVOKE_GRANT: the grant's id (envelope_id of its envelope). */
    uint8_t v_grant[HASH_LEN];
    uint64_t v_at; /* effective from (HLC ms): grants; unnamed logs */
    uint64_t v_serial;
};

/* The revocation's field table. A received revocation is malformed when a
 * grant revocation names logs or a log is named twice (the cut would be
 * ambiguous). */
extern const struct envelope_type revocation_envelope;

/* Signs v with the state's root key sk. ILONET_EINVAL for another key, a
 * bad type, more than REVOKE_LOGS_MAX logs or logs in a grant revocation.
 * *out is malloc'd; the caller frees it. */
int revocation_issue(const struct revocation *v, const struct key_pair *sk,
                     uint8_t **out, size_t *out_len);
/* envelope_verify() for revocations: fills *v on success. */
int revocation_verify(const uint8_t *buf, size_t len, const struct roster *r,
                      const uint8_t network[static NET_ID_LEN],
                      struct revocation *v);

#endif
