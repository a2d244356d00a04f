/* app_network.c - a network's regime: creating its file, the roles it gives. */
#include "app_int.h"

#include <string.h>

#include "crypto/error.h"

/* The vocabulary of regime (NULL: the seed's) into *v, or err names the
 * regimes this binary knows (usage). */
static int
app__regime(const char *regime, struct vocab **v, struct app_err *err)
{
    char why[200] = "";
    int rc = home_vocab_load(regime, v, why, sizeof(why));

    if (rc == ILONET_ENOTFOUND) {
        app_fail(err, ILONET_EINVAL,
                 "--regime %s: unknown regime (one of 377-2004, 2019-1240)",
                 regime);
        app__field(err, "regime");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (rc != 0)
        return app_fail(err, rc, "%s", why[0] ? why : ilonet_strerror(rc));
    return 0;
}

int
app_network_create(const char *host, const char *regime, const char *countries,
                   struct network *out, struct app_err *err)
{
    char cc[3 * NETWORK_COUNTRIES_MAX + 8] = "", why[APP_MSG_MAX];
    struct vocab_field f;
    struct vocab *v = NULL;
    size_t off = 0;
    int rc;

    if (!host || !key_state_valid(host)) {
        app_fail(err, ILONET_EINVAL, "--host %s: not a country code",
                 host ? host : "");
        app__field(err, "host");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if ((rc = app__regime(regime, &v, err)) != 0)
        return rc;
    /* host countries: ISO codes as the vocabulary reads them, stored as
     * sorted alpha-2 (network_create_regime sorts) */
    memset(&f, 0, sizeof(f));
    f.vf_name = "countries";
    f.vf_type = VT_COUNTRIES;
    if (countries && *countries &&
        vocab_check_text(v, &f, countries, why, sizeof(why)) != 0) {
        rc = app_fail(err, ILONET_EINVAL, "%s", why);
        app__field(err, "countries");
        err->ae_usage = 1;
        goto out;
    }
    for (const char *p = countries; p && *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);

        off += (size_t)snprintf(cc + off, sizeof(cc) - off, "%s%s",
                                off ? "," : "", vocab_country(v, p, n)->vc_a2);
        if (off >= sizeof(cc))
            break;
        p = c ? c + 1 : p + n;
    }
    if (off >= sizeof(cc) || network_create_regime(out, host, vocab_regime(v),
                                                   vocab_version(v), cc) != 0) {
        rc = app_fail(err, ILONET_EINVAL,
                      "--countries %s: at most %d host countries",
                      countries ? countries : "", NETWORK_COUNTRIES_MAX);
        app__field(err, "countries");
        err->ae_usage = 1;
    }
out:
    vocab_free(v);
    return rc;
}

enum cert_role
app_member_role(const struct vocab *v, const char *state)
{
    const struct vocab_member *m = v ? vocab_member(v, state) : NULL;

    if (!m)
        return cert_role_for_state(state);
    if (strcmp(m->vm_type, "commission") == 0)
        return ROLE_COMMISSION;
    if (strcmp(m->vm_type, "agency") == 0)
        return ROLE_AGENCY;
    return ROLE_ILO;
}

int
app_role_check(const char *regime, const char *role, struct app_err *err)
{
    struct vocab *v = NULL;
    const struct vocab_set *roles;
    char list[128] = "";
    size_t off = 0;
    int rc;

    if ((rc = app__regime(regime, &v, err)) != 0)
        return rc;
    roles = vocab_set(v, "roles");
    if (role && vocab_value(roles, role, strlen(role))) {
        vocab_free(v);
        return 0;
    }
    for (size_t i = 0; roles && i < roles->vs_n && off < sizeof(list); i++)
        off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
                                i ? ", " : "", roles->vs_values[i].vv_code);
    app_fail(err, ILONET_EINVAL, "--role %s: not a role under %s (one of %s)",
             role ? role : "", vocab_regime(v), list);
    app__field(err, "role");
    err->ae_usage = 1;
    vocab_free(v);
    return ILONET_EINVAL;
}
