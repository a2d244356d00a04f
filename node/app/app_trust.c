/* app_trust.c - trust writes: grants, revocations, certificates. */
#include "app_int.h"

#include <string.h>

#include "crypto/error.h"
#include "storage/log.h"

int
app_envelope_publish(struct home *h, const uint8_t *env, size_t len,
                     const char *audience, struct app_written *out,
                     struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    struct record_builder b;
    struct revocation v;
    struct wire_buf wb;
    struct grant g;
    uint32_t kind;
    int rc, rg;

    if ((rc = app__audience(audience, "net", aud, err)) != 0 ||
        (rc = app__audience_known(h, aud, err)) != 0)
        return rc;
    rg = grant_verify(env, len, &h->h_roster, h->h_net.n_id, &g);
    if (rg == 0)
        kind = KIND_GRANT;
    else if (revocation_verify(env, len, &h->h_roster, h->h_net.n_id, &v) == 0)
        kind = KIND_REVOCATION;
    else
        return app_fail(err, rg,
                        "not a valid grant or revocation for this network: "
                        "%s",
                        ilonet_errname(rg));
    if (record_builder_start(&b, h->h_vocab, kind) != 0)
        return app_fail(err, ILONET_EKIND, "%s", b.rb_err);
    if (record_set_raw(&b, "envelope", env, len) != 0)
        return app_fail(err, ILONET_EINVAL, "%s", b.rb_err);
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = app__build(&b, &wb, err)) == 0)
        rc = app__append(h, aud, kind, &wb, out, err);
    wire_buf_free(&wb);
    return rc;
}

/* A record kind or an observation category of one of the regimes. */
static int
app_grant_scope_ok(const char *w, struct vocab *const *vs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct vocab_kind *k = vocab_kind(vs[i], w);

        if ((k && k->vk_is_record) || vocab_category(vs[i], w))
            return 1;
    }
    return 0;
}

int
app_grant_scope(struct grant *g, const char *scope, struct app_err *err)
{
    const char *const *regimes = vocab_builtin_regimes();
    struct vocab *vs[4] = {NULL, NULL, NULL, NULL};
    char tmp[512], *tok, *save = NULL;
    size_t n = 0, nv = 0;
    int rc = 0;

    if (strlen(scope) >= sizeof(tmp))
        return app_fail(err, ILONET_EINVAL, "field 'scope': too long");
    for (; regimes[nv] && nv < 4; nv++)
        if ((rc = vocab_builtin(regimes[nv], &vs[nv], NULL, 0)) != 0) {
            app_fail(err, rc, "%s: the built-in vocabulary of %s",
                     ilonet_errname(rc), regimes[nv]);
            goto out;
        }
    snprintf(tmp, sizeof(tmp), "%s", scope);
    for (tok = strtok_r(tmp, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!app_grant_scope_ok(tok, vs, nv)) {
            app_fail(err, ILONET_EINVAL,
                     "field 'scope': '%s' is not a record kind or "
                     "observation category",
                     tok);
            app__field(err, "scope");
            rc = ILONET_EINVAL;
            goto out;
        }
        if (n == GRANT_SCOPE_MAX) {
            app_fail(err, ILONET_EINVAL, "field 'scope': more than %d items",
                     GRANT_SCOPE_MAX);
            app__field(err, "scope");
            rc = ILONET_EINVAL;
            goto out;
        }
        n++;
    }
    /* every item checked: now fill g */
    snprintf(tmp, sizeof(tmp), "%s", scope);
    save = NULL;
    g->g_nscope = 0;
    for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        snprintf(g->g_scope[g->g_nscope++], sizeof(g->g_scope[0]), "%s", tok);
out:
    for (size_t i = 0; i < nv; i++)
        vocab_free(vs[i]);
    return rc;
}

int
app_revocation_pin(struct home *h, struct revocation *v, size_t first)
{
    int rc;

    if (!h->h_store)
        return 0;
    for (size_t i = first; i < v->v_nlast; i++) {
        struct revocation_last *l = &v->v_last[i];
        if (!l->rl_seq)
            continue;
        rc = log_id_at(h->h_store, l->rl_log, l->rl_seq, l->rl_entry);
        if (rc != 0 && rc != ILONET_ENOTFOUND)
            return rc;
    }
    return 0;
}

int
app_revocation_default_at(struct home *h, const uint8_t node[static KEY_PK_LEN],
                          uint64_t now_ms, uint64_t *at_ms, int *from_entry,
                          struct app_err *err)
{
    uint64_t newest = 0;
    int rc;

    if (h && h->h_store &&
        (rc = log_author_newest_ms(h->h_store, node, &newest)) != 0)
        return app_fail(err, rc, "%s", ilonet_strerror(rc));
    /* the cut refuses entries at or after it: one ms after the newest
     * good entry keeps that entry */
    if (newest && newest + 1 <= now_ms) {
        *at_ms = newest + 1;
        *from_entry = 1;
    } else {
        *at_ms = now_ms;
        *from_entry = 0;
    }
    return 0;
}

int
app_cert_install(struct home *h, const char *file, struct app_err *err)
{
    int rc = home_install_cert(h, file);

    switch (rc) {
    case 0: return 0;
    case ILONET_EUNKNOWNAUTHOR:
        return app_fail(err, rc,
                        "unknown-author: certificate is for another "
                        "node key or its state is not in the "
                        "roster");
    case ILONET_ENETWORK:
        return app_fail(err, rc,
                        "wrong-network: certificate is for another "
                        "network");
    case ILONET_EEXPIRED:
        return app_fail(err, rc, "expired: certificate is not valid now");
    case ILONET_EPERM:
        return app_fail(err, rc,
                        "permission: the certificate's role is not a role "
                        "under %s (`ilonet vocab` lists the roles)",
                        vocab_regime(h->h_vocab));
    default:
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    }
}
