/* cmd_cert.c - `ilonet cert issue|install|revoke|publish`: node certificates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"

static const char cert_usage[] =
    "usage: ilonet cert issue --state-key FILE --node PUBKEY --network FILE\n"
    "                         --role ilo|presidency|commission|agency\n"
    "                         [--until YYYY-MM-DD] [--serial N] --out FILE\n"
    "       ilonet [-C DIR] cert install FILE\n"
    "       ilonet [-C DIR] cert revoke --state-key FILE --node PUBKEY\n"
    "                         [--network FILE]\n"
    "                         [--after-log LOG --after-seq N [--after-id "
    "ID]]...\n"
    "                         [--from YYYY-MM-DD|now|@MS]\n"
    "                         [--out FILE] [--publish]\n"
    "       ilonet [-C DIR] cert publish FILE\n\n"
    "issue (authority side) signs a certificate admitting a node key to a\n"
    "network with a role, valid from now until --until (default one year).\n"
    "Issuing a new certificate for the same key (a later --until) renews\n"
    "it: install it on the node, which carries it in its logs.\n"
    "install checks a certificate against this node's key, network and\n"
    "roster, and installs it.\n"
    "revoke (authority side) revokes a node key of its state, e.g. a lost\n"
    "or stolen one. Each --after-log/--after-seq pair names one log of the\n"
    "key and its last good entry (seq, and its id with --after-id; taken\n"
    "from this home's store with --publish when held): entries up to it\n"
    "stay valid, later ones are refused on every node. Logs not named keep\n"
    "only their entries written before --from (@MS is unix milliseconds).\n"
    "By default, in a home holding the key's entries: just after its newest\n"
    "good entry there (at most now), so what a copy of the key writes later,\n"
    "even backdated, is cut; else now. Stderr says which. Writes the signed\n"
    "revocation to --out and prints its id; --publish also publishes it\n"
    "from this node (audience net).\n"
    "Once a node holds it, the key's later entries leave its view, its\n"
    "logs end at the cut, and the key can no longer open a session with\n"
    "it. See docs/KEYS.md (renewal, key rotation, revocation).\n"
    "publish puts a revocation (or grant) file into the network from this\n"
    "node, audience net; same as `ilonet grant publish FILE`.\n";

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
        return cmd_usage("cert issue",
                         "--role %s: expected ilo, "
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
            return cmd_usage("cert issue", "--until %s: in the past", until_s);
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
    /* the role must be one the network's regime has */
    {
        struct app_err e;

        if (app_role_check(network_regime(&net), role_s, &e) != 0) {
            key_wipe(&sk);
            sodium_memzero(&net, sizeof(net));
            return cmd_usage("cert issue", "%s", e.ae_msg);
        }
    }
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
    struct app_err e;
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
    /* the message names the file, as every key-file error does */
    rc = app_cert_install(&h, file, &e) != 0 ? cmd_fail(file, "%s", e.ae_msg)
                                             : 0;
    home_close(&h);
    return rc;
}

/* 1 when the env's home holds a node key (a home to read entries from). */
static int
cert_home_exists(const struct cmd_env *env)
{
    char path[HOME_PATH_MAX + 16];
    struct stat sb;

    return snprintf(path, sizeof(path), "%s/node.key", env->home_dir) <
               (int)sizeof(path) &&
           stat(path, &sb) == 0;
}

/* --from left out: just after the newest good entry of the key this home
 * holds, else now; a note on stderr says which (docs/SECURITY.md). */
static int
cert_default_from(struct home *h, struct revocation *v, const char *cmd)
{
    struct app_err e;
    char day[32];
    time_t t;
    struct tm tm;
    int from_entry = 0;

    if (app_revocation_default_at(h, v->v_node, v->v_at, &v->v_at, &from_entry,
                                  &e) != 0)
        return cmd_fail(cmd, "%s", e.ae_msg);
    t = (time_t)(v->v_at / 1000);
    if (!gmtime_r(&t, &tm) ||
        strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(day, sizeof(day), "?");
    if (from_entry)
        fprintf(stderr,
                "ilonet: %s: --from @%llu (%s UTC): just after the key's "
                "newest good entry this home holds\n",
                cmd, (unsigned long long)v->v_at, day);
    else
        fprintf(stderr, "ilonet: %s: --from now (%s UTC): %s\n", cmd, day,
                h->h_store ? "this home holds no entry of the key"
                           : "no node home here to read the key's entries "
                             "from");
    return 0;
}

static int
cert_cmd_revoke(struct cmd_env *env, int argc, char **argv)
{
    const char *cmd = "cert revoke";
    const char *skf, *node, *netf, *from, *out;
    const char *logs[REVOKE_LOGS_MAX + 1], *seqs[REVOKE_LOGS_MAX + 1];
    const char *ids[REVOKE_LOGS_MAX + 1];
    struct cmd_opts o;
    struct revocation v;
    struct home h;
    int rc, publish, nl, ns, ni;

    cmd_opts_init(&o, argc, argv);
    skf = cmd_opt(&o, "--state-key");
    node = cmd_opt(&o, "--node");
    netf = cmd_opt(&o, "--network");
    from = cmd_opt(&o, "--from");
    out = cmd_opt(&o, "--out");
    nl = cmd_opt_all(&o, "--after-log", logs, REVOKE_LOGS_MAX + 1);
    ns = cmd_opt_all(&o, "--after-seq", seqs, REVOKE_LOGS_MAX + 1);
    ni = cmd_opt_all(&o, "--after-id", ids, REVOKE_LOGS_MAX + 1);
    publish = cmd_flag(&o, "--publish");
    if ((rc = cmd_opts_done(&o, cmd)) != 0)
        return rc;
    if (!skf || !node || (!out && !publish))
        return cmd_usage(cmd, "--state-key, --node and --out or --publish "
                              "are required");
    if (!netf && !publish)
        return cmd_usage(cmd, "--network is required without --publish");
    if (nl != ns)
        return cmd_usage(cmd, "each --after-log needs one --after-seq");
    if (nl > REVOKE_LOGS_MAX)
        return cmd_usage(cmd, "at most %d --after-log", REVOKE_LOGS_MAX);
    if (ni > nl)
        return cmd_usage(cmd, "more --after-id than --after-log");
    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_NODE;
    if (hash_unhex(node, v.v_node, KEY_PK_LEN) != 0)
        return cmd_usage(cmd, "--node: not a 64-digit hex key");
    v.v_nlast = (size_t)nl;
    for (int i = 0; i < nl; i++) {
        char *end;
        if (hash_unhex(logs[i], v.v_last[i].rl_log, HASH_LEN) != 0)
            return cmd_usage(cmd, "--after-log %s: not a 64-digit hex log id",
                             logs[i]);
        v.v_last[i].rl_seq = strtoull(seqs[i], &end, 10);
        if (!seqs[i][0] || *end)
            return cmd_usage(cmd, "--after-seq %s: not a number", seqs[i]);
        if (i < ni && hash_unhex(ids[i], v.v_last[i].rl_entry, HASH_LEN) != 0)
            return cmd_usage(cmd, "--after-id %s: not a 64-digit hex id",
                             ids[i]);
        for (int j = 0; j < i; j++)
            if (memcmp(v.v_last[j].rl_log, v.v_last[i].rl_log, HASH_LEN) == 0)
                return cmd_usage(cmd, "--after-log %s named twice", logs[i]);
    }
    v.v_at = home_now_ms();
    memset(&h, 0, sizeof(h));
    /* the store of this home, when there is one, gives the default
     * --from; --publish needs it anyway */
    if ((publish || (!from && cert_home_exists(env))) &&
        (rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (!from && (rc = cert_default_from(&h, &v, cmd)) != 0) {
        home_close(&h);
        return rc;
    }
    if (from && strcmp(from, "now") != 0) {
        uint64_t secs;
        char *end;
        if (from[0] == '@') {
            v.v_at = strtoull(from + 1, &end, 10);
            if (!from[1] || *end) {
                home_close(&h);
                return cmd_usage(cmd, "--from %s: expected @MS", from);
            }
        } else if (cmd_parse_date(from, &secs) == 0) {
            v.v_at = secs * 1000;
        } else {
            home_close(&h);
            return cmd_usage(cmd,
                             "--from %s: expected YYYY-MM-DD, now or "
                             "@MS",
                             from);
        }
    }
    /* A last good entry named without its id: pin it from our copy (a
     * store error leaves it unpinned, as an entry not held does). */
    app_revocation_pin(&h, &v, (size_t)ni);
    rc = revocation_sign_emit(env, cmd, &h, &v, skf, netf, out, publish);
    home_close(&h);
    return rc;
}

static int
cert_cmd_publish(struct cmd_env *env, int argc, char **argv)
{
    const char *cmd = "cert publish", *file;
    struct app_written w;
    struct app_err e;
    struct cmd_opts o;
    struct home h;
    uint8_t *buf;
    size_t len;
    int rc;

    cmd_opts_init(&o, argc, argv);
    file = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, cmd)) != 0)
        return rc;
    if (!file)
        return cmd_usage(cmd, "FILE is required");
    if ((rc = cert_read_file(file, CERT_MAX_LEN, &buf, &len)) != 0)
        return cmd_fail_err(file, rc);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        free(buf);
        return rc;
    }
    if (app_envelope_publish(&h, buf, len, NULL, &w, &e) != 0)
        rc = rec_fail(cmd, &e);
    else
        rc = rec_print(env, &w);
    free(buf);
    home_close(&h);
    return rc;
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
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return cert_cmd_revoke(env, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "publish") == 0)
        return cert_cmd_publish(env, argc - 1, argv + 1);
    return cmd_usage("cert", "expected 'cert issue', 'cert install', "
                             "'cert revoke' or 'cert publish'");
}
