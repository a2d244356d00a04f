/* roster.h - the trust roster: each state's root public key. */
#ifndef ILONET_ROSTER_H
#define ILONET_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

/*
 * Trust in ilonet comes from the roster: the root public keys of the
 * network's states, distributed out of band. Every certificate, grant and
 * revocation is checked against it (crypto/envelope.h).
 *
 * File format (docs/FORMAT.md §9): text, one "STATE HEXPUBKEY" per line
 * (a state code, one space, 64 hex digits); lines starting with '#' and
 * empty lines are skipped. Plain memory, owned by the caller; pure
 * functions except roster_load / roster_save.
 */

#define ROSTER_MAX 64
#define ROSTER_FILE_MAX (64 * 1024)

struct roster_state {
    char rs_state[KEY_STATE_MAX + 1];
    uint8_t rs_pk[KEY_PK_LEN];
};

struct roster {
    size_t r_count;
    struct roster_state r_states[ROSTER_MAX];
};

/* Adds a state: ILONET_EINVAL for a bad code, EEXIST when it is already
 * there, ETOOBIG past ROSTER_MAX. */
int roster_add(struct roster *r, const char *state,
               const uint8_t pk[static KEY_PK_LEN]);
/* The state's root key, or NULL. */
const uint8_t *roster_find(const struct roster *r, const char *state);

/* Parses roster text (len bytes; a NUL ends it early) into *r, written only
 * on success: ILONET_EMALFORMED for a bad line, a repeated state or more
 * than ROSTER_MAX, ETOOBIG past ROSTER_FILE_MAX, ENOMEM. */
int roster_parse(const char *text, size_t len, struct roster *r);
/* Writes r as roster text into out (cap bytes, NUL-terminated); *len gets
 * the length. ILONET_ETOOBIG if it does not fit. */
int roster_format(const struct roster *r, char *out, size_t cap, size_t *len);

/* roster_parse of a file (ILONET_ENOTFOUND, EIO, ...). */
int roster_load(const char *path, struct roster *r);
/* Writes the file atomically, mode 0644. */
int roster_save(const char *path, const struct roster *r);

#endif
