/* grant.c - representation grants: their field table. */
#include "grant.h"

#include <string.h>

#include "error.h"

static int
grant__issuable(const void *obj)
{
    const struct grant *g = obj;

    return strncmp(g->g_represented, g->g_representing, KEY_STATE_MAX + 1) ==
               0 ||
           g->g_not_after < g->g_not_before;
}

/* one kind name of the scope: a str item of the list */
static const struct envelope_field grant__scope = {
    .ef_type = ENVELOPE_F_STR,
    .ef_size = sizeof(((struct grant *)0)->g_scope[0]),
};

static const struct envelope_field grant__fields[] = {
    ENVELOPE_BIN(struct grant, g_network),
    ENVELOPE_STATE(struct grant, g_represented),
    ENVELOPE_STATE(struct grant, g_representing),
    ENVELOPE_LIST(struct grant, g_scope, g_nscope, &grant__scope),
    ENVELOPE_UINT(struct grant, g_not_before),
    ENVELOPE_UINT(struct grant, g_not_after),
    ENVELOPE_UINT(struct grant, g_serial),
};

const struct envelope_type grant_envelope = {
    .et_tag = "grant",
    .et_sig_ctx = SIG_CTX_GRANT,
    .et_signer = offsetof(struct grant, g_represented),
    .et_network = offsetof(struct grant, g_network),
    .et_fields = grant__fields,
    .et_nfields = sizeof(grant__fields) / sizeof(grant__fields[0]),
    .et_size = sizeof(struct grant),
    .et_issuable = grant__issuable,
};

_Static_assert(sizeof(struct grant) <= ENVELOPE_OBJ_MAX, "grant too big");

int
grant_issue(const struct grant *g, const struct key_pair *sk, uint8_t **out,
            size_t *out_len)
{
    return envelope_issue(&grant_envelope, g, sk, out, out_len);
}

int
grant_verify(const uint8_t *buf, size_t len, const struct roster *r,
             const uint8_t network[static NET_ID_LEN], struct grant *g)
{
    return envelope_verify(&grant_envelope, buf, len, r, network, g);
}
