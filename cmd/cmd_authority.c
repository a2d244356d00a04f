/* cmd_authority.c - authority-side commands: network create, state keygen. */
#include <string.h>

#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"

static const char network_usage[] =
    "usage: ilonet network create --host CC --out FILE\n"
    "         [--regime 377-2004|2019-1240] [--countries CC,CC,...]\n"
    "         [--blob-max SIZE]\n\n"
    "Writes a new network file (network id and secret admission key) for\n"
    "one host country. Give it only to the network's members.\n"
    "--regime: the law the network works under (default 377-2004, the\n"
    "seed's, whose files are as they always were). A network of another\n"
    "regime names it and the vocabulary version in the file, and both are\n"
    "bound: its id is derived from the regime, and so is the key its nodes\n"
    "shake hands with, so a node of another regime cannot join by mistake\n"
    "(docs/REGIMES.md). --countries: the host countries of a regional\n"
    "network (ISO 3166-1 codes, e.g. IQ,SY,TR). --blob-max: the largest\n"
    "attached file the network's nodes store or fetch (bytes, or a number\n"
    "with K, M or G; at most 1G; default 25M, written only when given).\n";

int
cmd_network(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct network n;
    struct app_err e;
    const char *host, *out, *regime, *countries, *blob_max;
    char hex[2 * NET_ID_LEN + 1];
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
    blob_max = cmd_opt(&o, "--blob-max");
    if ((rc = cmd_opts_done(&o, "network create")) != 0)
        return rc;
    if (!host || !out)
        return cmd_usage("network create", "--host and --out are required");
    if (app_network_create(host, regime, countries, &n, &e) != 0 ||
        (blob_max && app_network_blob_max(&n, blob_max, &e) != 0)) {
        sodium_memzero(&n, sizeof(n));
        return e.ae_usage ? cmd_usage("network create", "%s", e.ae_msg)
                          : cmd_fail("network create", "%s", e.ae_msg);
    }
    rc = network_save(out, &n);
    if (rc == 0) {
        hash_hex(n.n_id, NET_ID_LEN, hex);
        printf("%s\n", hex);
    }
    sodium_memzero(&n, sizeof(n));
    return rc == 0 ? 0 : cmd_fail_err(out, rc);
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
        return cmd_usage("state keygen", "--state %s: not a state code", state);
    rc = key_save(out, &kp);
    hash_hex(kp.pk, KEY_PK_LEN, hex);
    key_wipe(&kp);
    if (rc != 0)
        return cmd_fail_err(out, rc);
    printf("%s %s\n", state, hex);
    return 0;
}
