/* grant.h - representation grants: a state lets another write on its behalf. */
#ifndef ILONET_GRANT_H
#define ILONET_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

/*
 * Art. 5(1) of Regulation 377/2004: the represented state (the signer)
 * lets the representing state's nodes write records on its behalf, for
 * some kinds or all, within a validity window. A signed envelope
 * (crypto/envelope.h); body layout in docs/FORMAT.md §5:
 *   ["grant", 1, network bin32, represented str, representing str,
 *    [kind str, ...], not_before uint, not_after uint, serial uint]
 * Its id (envelope_id) is what a grant revocation names.
 */

#define GRANT_SCOPE_MAX 16

struct grant {
    uint8_t g_network[NET_ID_LEN];
    char g_represented[KEY_STATE_MAX + 1]; /* signer */
    char g_representing[KEY_STATE_MAX + 1];
    size_t g_nscope; /* 0 = every kind */
    char g_scope[GRANT_SCOPE_MAX][24];
    uint64_t g_not_before, g_not_after, g_serial;
};

/* The grant's field table. */
extern const struct envelope_type grant_envelope;

/* Signs g with the represented state's root key sk. ILONET_EINVAL for
 * another key, the same state twice, an inverted window or a bad field.
 * *out is malloc'd; the caller frees it. */
int grant_issue(const struct grant *g, const struct key_pair *sk, uint8_t **out,
                size_t *out_len);
/* envelope_verify() for grants: fills *g on success. */
int grant_verify(const uint8_t *buf, size_t len, const struct roster *r,
                 const uint8_t network[static NET_ID_LEN], struct grant *g);

#endif
