/* cmd_id.c - `ilonet id` and `ilonet peer add|list`. */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"

static const char id_usage[] =
    "usage: ilonet [-C DIR] id [--json]\n\n"
    "Prints this node's public key, state, role and network.\n";

int
cmd_id(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    char node[2 * KEY_PK_LEN + 1], net[2 * NET_ID_LEN + 1];
    const char *state, *role;
    int rc;

    if (cmd_wants_help(argc, argv, id_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "id")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, 0)) != 0)
        return rc;
    hash_hex(h.h_key.pk, KEY_PK_LEN, node);
    hash_hex(h.h_net.n_id, NET_ID_LEN, net);
    state = h.h_has_cert ? h.h_cert.c_state : h.h_conf.hc_state;
    role = h.h_has_cert ? cert_role_name(h.h_cert.c_role) : "";
    if (env->json) {
        printf("{\"node\":\"%s\",\"state\":", node);
        cmd_json_str(stdout, state);
        printf(",\"role\":");
        cmd_json_str(stdout, role);
        printf(",\"network\":\"%s\",\"host\":", net);
        cmd_json_str(stdout, h.h_net.n_host);
        printf(",\"certified\":%s}\n", h.h_has_cert ? "true" : "false");
    } else {
        printf("node     %s\nstate    %s\nrole     %s\nnetwork  %s (host "
               "%s)\n",
               node, state, h.h_has_cert ? role : "(no certificate installed)",
               net, h.h_net.n_host);
    }
    home_close(&h);
    return 0;
}

static const char peer_usage[] =
    "usage: ilonet [-C DIR] peer add ADDR PUBKEY\n"
    "       ilonet [-C DIR] peer list [--json]\n\n"
    "Peers this node dials, e.g. tcp://127.0.0.1:7401 and the peer's node\n"
    "public key (64 hex digits).\n";

int
cmd_peer(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    char path[HOME_PATH_MAX];
    int rc, add;

    if (cmd_wants_help(argc, argv, peer_usage))
        return 0;
    if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "list")))
        return cmd_usage("peer", "expected 'peer add' or 'peer list'");
    add = strcmp(argv[1], "add") == 0;
    cmd_opts_init(&o, argc - 1, argv + 1);
    const char *addr = add ? cmd_pos(&o, 0) : NULL;
    const char *pk_s = add ? cmd_pos(&o, 0) : NULL;
    if ((rc = cmd_opts_done(&o, add ? "peer add" : "peer list")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, 0)) != 0)
        return rc;
    home_path(&h, "config", path);
    if (add) {
        uint8_t pk[KEY_PK_LEN];
        if (!addr || !pk_s) {
            home_close(&h);
            return cmd_usage("peer add", "ADDR and PUBKEY are required");
        }
        if (hash_unhex(pk_s, pk, KEY_PK_LEN) != 0) {
            home_close(&h);
            return cmd_usage("peer add", "PUBKEY: not a 64-digit hex key");
        }
        rc = home_config_add_peer(&h.h_conf, addr, pk);
        if (rc == ILONET_EINVAL) {
            home_close(&h);
            return cmd_usage("peer add", "ADDR %s: expected tcp://HOST:PORT",
                             addr);
        }
        if (rc == 0)
            rc = home_config_save(path, &h.h_conf);
        home_close(&h);
        return rc == 0 || rc == ILONET_EEXIST ? 0 : cmd_fail_err(path, rc);
    }
    if (env->json)
        printf("[");
    for (size_t i = 0; i < h.h_conf.hc_npeers; i++) {
        char hex[2 * KEY_PK_LEN + 1];
        hash_hex(h.h_conf.hc_peers[i].hp_pk, KEY_PK_LEN, hex);
        if (env->json) {
            printf("%s{\"addr\":", i ? "," : "");
            cmd_json_str(stdout, h.h_conf.hc_peers[i].hp_addr);
            printf(",\"node\":\"%s\"}", hex);
        } else {
            printf("%s %s\n", h.h_conf.hc_peers[i].hp_addr, hex);
        }
    }
    if (env->json)
        printf("]\n");
    home_close(&h);
    return 0;
}
