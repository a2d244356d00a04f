/* cmd_authority.c - authority-side commands: network create, state keygen. */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"

static const char network_usage[] =
    "usage: ilonet network create --host CC --out FILE\n\n"
    "Writes a new network file (network id and secret admission key) for\n"
    "one host country. Give it only to the network's members.\n";

int
cmd_network(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct network n;
    const char *host, *out;
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
    if ((rc = cmd_opts_done(&o, "network create")) != 0)
        return rc;
    if (!host || !out)
        return cmd_usage("network create", "--host and --out are required");
    if (network_create(&n, host) != 0)
        return cmd_usage("network create", "--host %s: not a country code",
                         host);
    if ((rc = network_save(out, &n)) != 0)
        return cmd_fail_err(out, rc);
    hash_hex(n.n_id, NET_ID_LEN, hex);
    printf("%s\n", hex);
    return 0;
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
