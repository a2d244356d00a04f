/* cmd_testnet.c - `ilonet testnet`: a complete local test network in a folder.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"

#define TESTNET_MAX 32

static const char testnet_usage[] =
    "usage: ilonet testnet --host CC --states S1,S2,... --out DIR "
    "[--base-port P] [--presidency STATE]\n"
    "         [--regime 377-2004|2019-1240] [--countries CC,CC,...]\n\n"
    "Creates a local test network: state root keys under DIR/authority/,\n"
    "the trust roster DIR/roster, the network file DIR/network and one\n"
    "ready node home per state under DIR/<STATE>/ with its certificate and\n"
    "a config listing the others as peers on 127.0.0.1. The i-th state\n"
    "(counting from 1) listens on port P+i (P defaults to 7400). EU gets\n"
    "role commission, codes longer than two letters (FRONTEX...) role\n"
    "agency, every other code role ilo.\n"
    "--presidency STATE adds DIR/STATE-presidency: a node of STATE with\n"
    "role presidency (the presidency's headquarters, which need not have an\n"
    "ILO in the network), listening on the next port, with every other\n"
    "node as a peer; it is not in the others' peer lists (it pulls with\n"
    "`ilonet sync`).\n"
    "--regime: the network's regime (network create --regime); under\n"
    "2019-1240 roles come from the member table (EU the Commission,\n"
    "FRONTEX, EUROPOL, EUAA agencies, each a full member) and there is no\n"
    "presidency (the chair is a record: `ilonet chair add`). --countries:\n"
    "the host countries of a regional network.\n";

/* ---- --presidency: an extra headquarters node (issue 5) ---------------- */

/* Creates DIR/STATE-presidency certified by root with role presidency,
 * listening on port, with peers (n of them) in its config. */
static int testnet_certify(const char *dir, const struct key_pair *root,
                           const char *state, enum cert_role role);

static int
testnet_presidency(const char *out, const char *npath, const char *rpath,
                   const char *state, const struct key_pair *root, long port,
                   char (*list)[KEY_STATE_MAX + 1],
                   uint8_t (*node_pk)[KEY_PK_LEN], long base, size_t n)
{
    char path[HOME_PATH_MAX], cpath[HOME_PATH_MAX], hex[2 * KEY_PK_LEN + 1];
    struct home_config c;
    struct key_pair kp;
    int rc;

    snprintf(path, sizeof(path), "%s/%s-presidency", out, state);
    if ((rc = home_create(path, npath, rpath, &kp)) != 0)
        return cmd_fail_err(path, rc);
    hash_hex(kp.pk, KEY_PK_LEN, hex);
    key_wipe(&kp);
    if ((rc = testnet_certify(path, root, state, ROLE_PRESIDENCY)) != 0)
        return cmd_fail_err(path, rc);
    memset(&c, 0, sizeof(c));
    snprintf(c.hc_state, sizeof(c.hc_state), "%s", state);
    snprintf(c.hc_listen, sizeof(c.hc_listen), "tcp://127.0.0.1:%ld", port);
    for (size_t j = 0; j < n; j++) {
        char addr[HOME_ADDR_MAX];
        snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%ld", base + (long)j + 1);
        home_config_add_peer(&c, addr, node_pk[j]);
    }
    (void)list;
    snprintf(cpath, sizeof(cpath), "%s/config", path);
    if ((rc = home_config_save(cpath, &c)) != 0)
        return cmd_fail_err(cpath, rc);
    printf("%s %s %s tcp://127.0.0.1:%ld\n", path, state, hex, port);
    return 0;
}
/* ---- end of --presidency ------------------------------------------------ */

/* Issues and installs a certificate for the node in home dir. */
static int
testnet_certify(const char *dir, const struct key_pair *root, const char *state,
                enum cert_role role)
{
    struct home h;
    struct cert c;
    uint8_t *buf = NULL;
    size_t len;
    char path[HOME_PATH_MAX];
    uint64_t now = home_now_ms() / 1000;
    int rc;

    if ((rc = home_open(&h, dir, HOME_STORE)) != 0)
        return rc;
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, h.h_net.n_id, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", state);
    memcpy(c.c_node, h.h_key.pk, KEY_PK_LEN);
    c.c_role = role;
    c.c_not_before = now - 3600;
    c.c_not_after = now + 2 * 366 * 86400;
    c.c_serial = 1;
    if ((rc = cert_issue(&c, root, &buf, &len)) != 0)
        goto out;
    home_path(&h, "node.cert.issued", path);
    if ((rc = cert_write_file(path, buf, len, 0644)) != 0)
        goto out;
    rc = home_install_cert(&h, path);
    remove(path);
out:
    free(buf);
    home_close(&h);
    return rc;
}

/* mkdir -p: creates out and any missing parent (as `git init DIR` does),
 * 0755 (the homes inside are 0700). */
static int
testnet_mkdirs(const char *out)
{
    char path[PATH_MAX];

    if (snprintf(path, sizeof(path), "%s", out) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int
cmd_testnet(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    const char *host, *states, *out, *port_s, *pres;
    struct key_pair pres_root; /* --presidency: its state's root key */
    int pres_own = 0;          /* 1: generated here (not in --states) */
    char list[TESTNET_MAX][KEY_STATE_MAX + 1];
    struct key_pair roots[TESTNET_MAX];
    uint8_t node_pk[TESTNET_MAX][KEY_PK_LEN];
    char path[HOME_PATH_MAX], npath[HOME_PATH_MAX], rpath[HOME_PATH_MAX];
    struct network net;
    struct roster ros;
    struct vocab *v = NULL;
    struct app_err e;
    const char *regime, *countries;
    size_t n = 0;
    long port = 7400;
    int rc;

    (void)env;
    if (cmd_wants_help(argc, argv, testnet_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    host = cmd_opt(&o, "--host");
    states = cmd_opt(&o, "--states");
    out = cmd_opt(&o, "--out");
    port_s = cmd_opt(&o, "--base-port");
    pres = cmd_opt(&o, "--presidency");
    regime = cmd_opt(&o, "--regime");
    countries = cmd_opt(&o, "--countries");
    if ((rc = cmd_opts_done(&o, "testnet")) != 0)
        return rc;
    if (!host || !states || !out)
        return cmd_usage("testnet", "--host, --states and --out are required");
    if (!key_state_valid(host))
        return cmd_usage("testnet", "--host %s: not a country code (A-Z)",
                         host);
    if (port_s) {
        char *end;
        port = strtol(port_s, &end, 10);
        if (*end || port < 1 || port > 65000)
            return cmd_usage("testnet", "--base-port %s: not a port", port_s);
    }
    for (const char *p = states; *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (n == TESTNET_MAX || l > KEY_STATE_MAX)
            return cmd_usage("testnet", "--states: too many or too long");
        memcpy(list[n], p, l);
        list[n][l] = '\0';
        if (!key_state_valid(list[n]))
            return cmd_usage("testnet", "--states: '%s' is not a state code",
                             list[n]);
        for (size_t j = 0; j < n; j++)
            if (strcmp(list[j], list[n]) == 0)
                return cmd_usage("testnet", "--states: %s given twice",
                                 list[n]);
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (n < 1)
        return cmd_usage("testnet", "--states: no state given");
    if (pres && (!key_state_valid(pres) || strlen(pres) != 2 ||
                 strcmp(pres, "EU") == 0))
        return cmd_usage("testnet",
                         "--presidency %s: not a Member State "
                         "code",
                         pres);
    if (port + (long)n + (pres ? 1 : 0) > 65535)
        return cmd_usage("testnet", "--base-port: ports would exceed 65535");
    if (app_network_create(host, regime, countries, &net, &e) != 0)
        return e.ae_usage ? cmd_usage("testnet", "%s", e.ae_msg)
                          : cmd_fail("testnet", "%s", e.ae_msg);
    if (pres && app_role_check(regime, "presidency", &e) != 0) {
        sodium_memzero(&net, sizeof(net));
        return cmd_usage("testnet",
                         "--presidency: %s has no presidency role (the "
                         "network's chair is a record: ilonet chair add)",
                         regime);
    }
    /* roles as the regime's member table gives them */
    if ((rc = cmd_regime_vocab("testnet", regime, &v)) != 0) {
        sodium_memzero(&net, sizeof(net));
        return rc;
    }

    if (testnet_mkdirs(out) != 0) {
        vocab_free(v);
        return cmd_fail(out, "cannot create directory: %s", strerror(errno));
    }
    snprintf(path, sizeof(path), "%s/authority", out);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        vocab_free(v);
        return cmd_fail(path, "cannot create directory: %s", strerror(errno));
    }
    snprintf(npath, sizeof(npath), "%s/network", out);
    snprintf(rpath, sizeof(rpath), "%s/roster", out);
    rc = network_save(npath, &net);
    sodium_memzero(&net, sizeof(net));
    if (rc != 0) {
        vocab_free(v);
        return cmd_fail(npath, "cannot write network file");
    }
    memset(&ros, 0, sizeof(ros));
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/authority/%s.key", out, list[i]);
        if ((rc = key_generate(&roots[i], KEY_STATE, list[i])) != 0 ||
            (rc = key_save(path, &roots[i])) != 0) {
            cmd_fail_err(path, rc);
            goto fail;
        }
        roster_add(&ros, list[i], roots[i].pk);
    }
    if (pres) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(list[i], pres) == 0)
                pres_root = roots[i];
        for (size_t i = 0; i < n && !pres_own; i++)
            if (strcmp(list[i], pres) == 0)
                pres_own = -1;
        if (pres_own == 0) {
            snprintf(path, sizeof(path), "%s/authority/%s.key", out, pres);
            if ((rc = key_generate(&pres_root, KEY_STATE, pres)) != 0 ||
                (rc = key_save(path, &pres_root)) != 0) {
                cmd_fail_err(path, rc);
                goto fail;
            }
            roster_add(&ros, pres, pres_root.pk);
            pres_own = 1;
        }
    }
    if ((rc = roster_save(rpath, &ros)) != 0) {
        cmd_fail_err(rpath, rc);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        struct key_pair kp;
        snprintf(path, sizeof(path), "%s/%s", out, list[i]);
        if ((rc = home_create(path, npath, rpath, &kp)) != 0) {
            cmd_fail_err(path, rc);
            goto fail;
        }
        memcpy(node_pk[i], kp.pk, KEY_PK_LEN);
        key_wipe(&kp);
        if ((rc = testnet_certify(path, &roots[i], list[i],
                                  app_member_role(v, list[i]))) != 0) {
            cmd_fail_err(path, rc);
            goto fail;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct home_config c;
        char cpath[HOME_PATH_MAX];
        memset(&c, 0, sizeof(c));
        snprintf(c.hc_state, sizeof(c.hc_state), "%s", list[i]);
        snprintf(c.hc_listen, sizeof(c.hc_listen), "tcp://127.0.0.1:%ld",
                 port + (long)i + 1);
        for (size_t j = 0; j < n; j++) {
            char addr[HOME_ADDR_MAX];
            if (j == i)
                continue;
            snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%ld",
                     port + (long)j + 1);
            home_config_add_peer(&c, addr, node_pk[j]);
        }
        snprintf(cpath, sizeof(cpath), "%s/%s/config", out, list[i]);
        if ((rc = home_config_save(cpath, &c)) != 0) {
            cmd_fail_err(cpath, rc);
            goto fail;
        }
    }
    if (pres &&
        testnet_presidency(out, npath, rpath, pres, &pres_root,
                           port + (long)n + 1, list, node_pk, port, n) != 0)
        goto fail;
    if (pres)
        key_wipe(&pres_root);
    for (size_t i = 0; i < n; i++) {
        char hex[2 * KEY_PK_LEN + 1];
        hash_hex(node_pk[i], KEY_PK_LEN, hex);
        printf("%s/%s %s %s tcp://127.0.0.1:%ld\n", out, list[i], list[i], hex,
               port + (long)i + 1);
        key_wipe(&roots[i]);
    }
    vocab_free(v);
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        key_wipe(&roots[i]);
    if (pres_own)
        key_wipe(&pres_root);
    vocab_free(v);
    return 1;
}
