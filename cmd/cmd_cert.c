/* cmd_cert.c - `ilonet cert issue|install`: node certificates. */
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"

static const char cert_usage[] =
    "usage: ilonet cert issue --state-key FILE --node PUBKEY --network FILE\n"
    "                         --role ilo|presidency|commission|agency\n"
    "                         [--until YYYY-MM-DD] [--serial N] --out FILE\n"
    "       ilonet [-C DIR] cert install FILE\n\n"
    "issue (authority side) signs a certificate admitting a node key to a\n"
    "network with a role, valid from now until --until (default one year).\n"
    "install checks a certificate against this node's key, network and\n"
    "roster, and installs it.\n";

static int
cert_cmd_issue(int argc, char **argv)
{
    struct cmd_opts o;
    const char *skf, *node, *netf, *role_s, *until_s, *out, *serial_s;
    struct key_pair sk;
    struct network net;
    struct cert c;
    uint8_t *buf = NULL;
    size_t len;
    uint64_t now = home_now_ms() / 1000;
    int rc;

    cmd_opts_init(&o, argc, argv);
    skf = cmd_opt(&o, "--state-key");
    node = cmd_opt(&o, "--node");
    netf = cmd_opt(&o, "--network");
    role_s = cmd_opt(&o, "--role");
    until_s = cmd_opt(&o, "--until");
    serial_s = cmd_opt(&o, "--serial");
    out = cmd_opt(&o, "--out");
    if ((rc = cmd_opts_done(&o, "cert issue")) != 0)
        return rc;
    if (!skf || !node || !netf || !role_s || !out)
        return cmd_usage("cert issue", "--state-key, --node, --network, "
                                       "--role and --out are required");
    memset(&c, 0, sizeof(c));
    if (hash_unhex(node, c.c_node, KEY_PK_LEN) != 0)
        return cmd_usage("cert issue", "--node: not a 64-digit hex key");
    if (cert_role_parse(role_s, &c.c_role) != 0)
        return cmd_usage("cert issue", "--role %s: expected ilo, "
                                       "presidency, commission or agency",
                         role_s);
    c.c_not_before = now - 300;
    c.c_not_after = now + 365 * 86400;
    if (until_s) {
        if (cmd_parse_date(until_s, &c.c_not_after) != 0)
            return cmd_usage("cert issue", "--until %s: expected YYYY-MM-DD",
                             until_s);
        c.c_not_after += 86399; /* through the end of that day */
        if (c.c_not_after < now)
            return cmd_usage("cert issue", "--until %s: in the past",
                             until_s);
    }
    c.c_serial = serial_s ? strtoull(serial_s, NULL, 10) : now;
    if ((rc = key_load(skf, &sk)) != 0)
        return cmd_fail_err(skf, rc);
    if (sk.kind != KEY_STATE) {
        key_wipe(&sk);
        return cmd_fail(skf, "not a state root key");
    }
    if ((rc = network_load(netf, &net)) != 0) {
        key_wipe(&sk);
        return cmd_fail_err(netf, rc);
    }
    memcpy(c.c_network, net.n_id, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", sk.state);
    rc = cert_issue(&c, &sk, &buf, &len);
    key_wipe(&sk);
    if (rc != 0)
        return cmd_fail_err("cert issue", rc);
    rc = cert_write_file(out, buf, len, 0644);
    free(buf);
    if (rc != 0)
        return cmd_fail_err(out, rc);
    return 0;
}

static int
cert_cmd_install(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    const char *file;
    int rc;

    cmd_opts_init(&o, argc, argv);
    file = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "cert install")) != 0)
        return rc;
    if (!file)
        return cmd_usage("cert install", "FILE is required");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = home_install_cert(&h, file);
    home_close(&h);
    switch (rc) {
    case 0:
        return 0;
    case ILONET_EUNKNOWNAUTHOR:
        return cmd_fail(file, "unknown-author: certificate is for another "
                              "node key or its state is not in the roster");
    case ILONET_ENETWORK:
        return cmd_fail(file, "wrong-network: certificate is for another "
                              "network");
    case ILONET_EEXPIRED:
        return cmd_fail(file, "expired: certificate is not valid now");
    default:
        return cmd_fail_err(file, rc);
    }
}

int
cmd_cert(struct cmd_env *env, int argc, char **argv)
{
    if (cmd_wants_help(argc, argv, cert_usage))
        return 0;
    if (argc >= 2 && strcmp(argv[1], "issue") == 0)
        return cert_cmd_issue(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "install") == 0)
        return cert_cmd_install(env, argc - 1, argv + 1);
    return cmd_usage("cert", "expected 'cert issue' or 'cert install'");
}
