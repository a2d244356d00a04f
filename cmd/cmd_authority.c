/* cmd_authority.c - authority-side commands: network create, state keygen. */
#include <string.h>

#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"

static const char network_usage[] =
    "usage: ilonet network create --host CC --out FILE\n"
    "         [--regime 377-2004|2019-1240] [--countries CC,CC,...]\n\n"
    "Writes a new network file (network id and secret admission key) for\n"
    "one host country. Give it only to the network's members.\n"
    "--regime: the law the network works under (default 377-2004, the\n"
    "seed's, whose files are as they always were). A network of another\n"
    "regime names it and the vocabulary version in the file, and both are\n"
    "bound: its id is derived from the regime, and so is the key its nodes\n"
    "shake hands with, so a node of another regime cannot join by mistake\n"
    "(docs/REGIMES.md). --countries: the host countries of a regional\n"
    "network (ISO 3166-1 codes, e.g. IQ,SY,TR).\n";

/* Regional networks: the host countries as sorted, unique alpha-2 codes
 * (alpha-3 accepted), into out; a usage error names a bad one. */
static int
network__countries(const struct vocab *v, const char *in, char *out,
                   size_t cap)
{
    struct vocab_field f;
    char why[200];
    size_t off = 0;

    memset(&f, 0, sizeof(f));
    f.vf_name = "countries";
    f.vf_type = VT_COUNTRIES;
    if (vocab_check_text(v, &f, in, why, sizeof(why)) != 0)
        return cmd_usage("network create", "%s", why);
    out[0] = '\0';
    for (const char *p = in; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        const struct vocab_country *cc = vocab_country(v, p, n);

        off += (size_t)snprintf(out + off, cap - off, "%s%s", off ? "," : "",
                                cc->vc_a2);
        if (off >= cap)
            return cmd_usage("network create", "--countries: too many");
        p = c ? c + 1 : p + n;
    }
    return 0;
}

int
cmd_network(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct network n;
    const char *host, *out, *regime, *countries;
    char hex[2 * NET_ID_LEN + 1], cc[3 * NETWORK_COUNTRIES_MAX + 8];
    struct vocab *v = NULL;
    int rc;

    (void)env;
    if (cmd_wants_help(argc, argv, network_usage))
        return 0;
    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return cmd_usage("network", "expected 'network create'");
    cmd_opts_init(&o, argc - 1, argv + 1);
    host = cmd_opt(&o, "--host");
    out = cmd_opt(&o, "--out");
    regime = cmd_opt(&o, "--regime");
    countries = cmd_opt(&o, "--countries");
    if ((rc = cmd_opts_done(&o, "network create")) != 0)
        return rc;
    if (!host || !out)
        return cmd_usage("network create", "--host and --out are required");
    if (!key_state_valid(host))
        return cmd_usage("network create", "--host %s: not a country code",
                         host);
    /* the regime's vocabulary: it must be one this binary knows, and the
     * file records the version the network starts with */
    if ((rc = cmd_regime_vocab("network create", regime, &v)) != 0)
        return rc;
    cc[0] = '\0';
    if (countries && (rc = network__countries(v, countries, cc, sizeof(cc))))
        goto out;
    if (network_create_regime(&n, host, vocab_regime(v), vocab_version(v),
                              cc) != 0) {
        rc = cmd_usage("network create", "--countries %s: at most %d",
                       countries ? countries : "", NETWORK_COUNTRIES_MAX);
        goto out;
    }
    if ((rc = network_save(out, &n)) != 0) {
        rc = cmd_fail_err(out, rc);
        goto out;
    }
    hash_hex(n.n_id, NET_ID_LEN, hex);
    printf("%s\n", hex);
out:
    sodium_memzero(&n, sizeof(n));
    vocab_free(v);
    return rc;
}

static const char state_usage[] =
    "usage: ilonet state keygen --state CC --out FILE\n\n"
    "Writes a new state root key pair (mode 0600) and prints its public\n"
    "key, the line to add to the trust roster.\n";

int
cmd_state(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct key_pair kp;
    const char *state, *out;
    char hex[2 * KEY_PK_LEN + 1];
    int rc;

    (void)env;
    if (cmd_wants_help(argc, argv, state_usage))
        return 0;
    if (argc < 2 || strcmp(argv[1], "keygen") != 0)
        return cmd_usage("state", "expected 'state keygen'");
    cmd_opts_init(&o, argc - 1, argv + 1);
    state = cmd_opt(&o, "--state");
    out = cmd_opt(&o, "--out");
    if ((rc = cmd_opts_done(&o, "state keygen")) != 0)
        return rc;
    if (!state || !out)
        return cmd_usage("state keygen", "--state and --out are required");
    if (key_generate(&kp, KEY_STATE, state) != 0)
        return cmd_usage("state keygen", "--state %s: not a state code",
                         state);
    rc = key_save(out, &kp);
    hash_hex(kp.pk, KEY_PK_LEN, hex);
    key_wipe(&kp);
    if (rc != 0)
        return cmd_fail_err(out, rc);
    printf("%s %s\n", state, hex);
    return 0;
}
