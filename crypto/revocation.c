/* revocation.c - revocations of node keys and grants: their field table. */
#include "revocation.h"

#include <string.h>

#include "error.h"

_Static_assert(sizeof(enum revocation_type) == sizeof(int),
               "ENVELOPE_F_CODE stores an int");
_Static_assert(sizeof(struct revocation) <= ENVELOPE_OBJ_MAX,
               "revocation too big");

/* Rules for issuing and receiving alike. */
static int
revocation__issuable(const void *obj)
{
    const struct revocation *v = obj;

    return v->v_type == REVOKE_GRANT && v->v_nlast != 0;
}

static int
revocation__decoded(const void *obj)
{
    const struct revocation *v = obj;

    if (revocation__issuable(obj) != 0)
        return 1;
    /* one item per log: a second would make the cut ambiguous */
    for (size_t i = 0; i < v->v_nlast; i++)
        for (size_t j = 0; j < i; j++)
            if (memcmp(v->v_last[j].rl_log, v->v_last[i].rl_log, HASH_LEN) == 0)
                return 1;
    return 0;
}

static const struct envelope_field revocation__last_fields[] = {
    ENVELOPE_BIN(struct revocation_last, rl_log),
    ENVELOPE_UINT(struct revocation_last, rl_seq),
    ENVELOPE_BIN(struct revocation_last, rl_entry),
};

static const struct envelope_field revocation__last =
    ENVELOPE_TUPLE(revocation__last_fields);

static const struct envelope_field revocation__fields[] = {
    ENVELOPE_CODE(struct revocation, v_type, REVOKE_GRANT),
    ENVELOPE_BIN(struct revocation, v_network),
    ENVELOPE_STATE(struct revocation, v_state),
    ENVELOPE_BIN(struct revocation, v_node),
    ENVELOPE_LIST(struct revocation, v_last, v_nlast, &revocation__last),
    ENVELOPE_BIN(struct revocation, v_grant),
    ENVELOPE_UINT(struct revocation, v_at),
    ENVELOPE_UINT(struct revocation, v_serial),
};

const struct envelope_type revocation_envelope = {
    .et_tag = "revoke",
    .et_sig_ctx = SIG_CTX_REVOKE,
    .et_signer = offsetof(struct revocation, v_state),
    .et_network = offsetof(struct revocation, v_network),
    .et_fields = revocation__fields,
    .et_nfields = sizeof(revocation__fields) / sizeof(revocation__fields[0]),
    .et_size = sizeof(struct revocation),
    .et_decoded = revocation__decoded,
    .et_issuable = revocation__issuable,
};

int
revocation_issue(const struct revocation *v, const struct key_pair *sk,
                 uint8_t **out, size_t *out_len)
{
    return envelope_issue(&revocation_envelope, v, sk, out, out_len);
}

int
revocation_verify(const uint8_t *buf, size_t len, const struct roster *r,
                  const uint8_t network[static NET_ID_LEN],
                  struct revocation *v)
{
    return envelope_verify(&revocation_envelope, buf, len, r, network, v);
}
