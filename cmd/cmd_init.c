/* cmd_init.c - `ilonet init`: create a node home. */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"

static const char init_usage[] =
    "usage: ilonet [-C DIR] init --state CC --network FILE --roster FILE\n\n"
    "Creates a node home (node key, copies of the network file and roster,\n"
    "an empty store) and prints the node public key, which the state's\n"
    "authority certifies with 'ilonet cert issue'.\n";

int
cmd_init(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    const char *state, *net, *roster;
    struct key_pair kp;
    struct home_config c;
    char path[HOME_PATH_MAX];
    int rc;

    if (cmd_wants_help(argc, argv, init_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    state = cmd_opt(&o, "--state");
    net = cmd_opt(&o, "--network");
    roster = cmd_opt(&o, "--roster");
    if ((rc = cmd_opts_done(&o, "init")) != 0)
        return rc;
    if (!state || !net || !roster)
        return cmd_usage("init", "--state, --network and --roster are "
                                 "required");
    if (!key_state_valid(state))
        return cmd_usage("init", "--state %s: not a state code", state);
    rc = home_create(env->home_dir, net, roster, &kp);
    if (rc == ILONET_EEXIST)
        return cmd_fail(env->home_dir, "a node home already exists here");
    if (rc != 0)
        return cmd_fail_err(env->home_dir, rc);
    snprintf(path, sizeof(path), "%s/config", env->home_dir);
    if (home_config_load(path, &c) == 0) {
        snprintf(c.hc_state, sizeof(c.hc_state), "%s", state);
        home_config_save(path, &c);
    }
    cmd_print_hex(stdout, kp.pk, KEY_PK_LEN);
    putchar('\n');
    key_wipe(&kp);
    return 0;
}
