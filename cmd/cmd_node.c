/* cmd_node.c - `ilonet node`: run the node in the foreground until a signal. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/http/http.h"
#include "node/node.h"

static const char node_usage[] =
    "usage: ilonet [-C DIR] node [--listen ADDR] [--peer ADDR@PUBKEY]...\n"
    "                            [--http ADDR [--http-cert FILE --http-key "
    "FILE]\n"
    "                            [--http-name NAME]...]\n\n"
    "Runs this node in the foreground until SIGINT or SIGTERM: listens for\n"
    "peers (default: the config's listen address), dials the configured\n"
    "peers and every --peer (ADDR like tcp://127.0.0.1:7401, PUBKEY the\n"
    "peer's node key in hex), and keeps the network's logs in sync. Appends\n"
    "made with the CLI while it runs reach peers within a second. One line\n"
    "per event on stderr. --listen '' disables listening. --http ADDR\n"
    "(e.g. 127.0.0.1:8080) also serves the web page and the JSON API\n"
    "(docs/API.md) and prints the page's address with its token. An\n"
    "address other than loopback is served only over TLS: --http-cert\n"
    "and --http-key (PEM files) are then required; --http-name adds a host\n"
    "name the officers' browsers use. See docs/NODE.md.\n";

int
cmd_node(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    struct node_opts no;
    struct home_peer *peers;
    const char *listen, *http, *vals[HOME_MAX_PEERS];
    const char *names[HTTP_NAMES_MAX + 1];
    struct http_opts ho;
    char msg[256];
    int rc, nv, nn;
    size_t np = 0;

    if (cmd_wants_help(argc, argv, node_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    listen = cmd_opt(&o, "--listen");
    http = cmd_opt(&o, "--http");
    memset(&ho, 0, sizeof(ho));
    ho.ho_cert = cmd_opt(&o, "--http-cert");
    ho.ho_key = cmd_opt(&o, "--http-key");
    nn = cmd_opt_all(&o, "--http-name", names, HTTP_NAMES_MAX + 1);
    nv = cmd_opt_all(&o, "--peer", vals, HOME_MAX_PEERS);
    if ((rc = cmd_opts_done(&o, "node")) != 0)
        return rc;
    if (!http && (ho.ho_cert || ho.ho_key || nn > 0))
        return cmd_usage("node", "--http-cert, --http-key and --http-name go "
                                 "with --http ADDR");
    if (nn > HTTP_NAMES_MAX)
        return cmd_usage("node", "--http-name: at most %d", HTTP_NAMES_MAX);
    ho.ho_addr = http && *http ? http : HTTP_DEFAULT_ADDR;
    ho.ho_names = names;
    ho.ho_nnames = nn > 0 ? (size_t)nn : 0;
    /* --- HTTP API (node/http.h): its own process, started before this
     * one opens the store (no SQLite connection may cross the fork). --- */
    pid_t http_pid = 0;
    if (http) {
        char url[HTTP_URL_MAX], hmsg[HTTP_MSG_MAX];
        if (cmd_http_spawn(env->home_dir, &ho, &http_pid, url, sizeof(url),
                           hmsg) != 0)
            return cmd_fail("node", "http: %s", hmsg);
        fprintf(stderr, "ilonet node: http: page at %s\n", url);
    }
    /* --- end HTTP --- */
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        cmd_http_reap(http_pid);
        return rc;
    }
    peers = h.h_conf.hc_peers; /* room for HOME_MAX_PEERS */
    np = h.h_conf.hc_npeers;
    for (int i = 0; i < nv; i++) {
        struct home_peer hp;
        if (node_parse_peer(vals[i], &hp) != 0) {
            home_close(&h);
            return cmd_usage("node", "--peer wants ADDR@PUBKEY: %s", vals[i]);
        }
        if (np >= HOME_MAX_PEERS) {
            home_close(&h);
            return cmd_usage("node", "too many peers (max %d)", HOME_MAX_PEERS);
        }
        peers[np++] = hp;
    }
    memset(&no, 0, sizeof(no));
    no.no_listen = listen ? listen : h.h_conf.hc_listen;
    no.no_peers = peers;
    no.no_npeers = np;
    no.no_write_status = 1;
    if (!h.h_has_cert) {
        home_close(&h);
        return cmd_fail("node", "no certificate installed (ilonet cert "
                                "install FILE)");
    }
    /* said once: what this binary cannot read yet it keeps and forwards,
     * listed as unread (docs/REGIMES.md §3) */
    if (network_vocab(&h.h_net) > vocab_version(h.h_vocab))
        fprintf(stderr,
                "ilonet node: this network uses vocabulary v%u of %s; this "
                "binary has v%u: newer entries will show as unread until you "
                "upgrade\n",
                network_vocab(&h.h_net), vocab_regime(h.h_vocab),
                vocab_version(h.h_vocab));
    rc = node_run(&h, &no, NULL, msg);
    cmd_http_reap(http_pid); /* HTTP API */
    home_close(&h);
    if (rc != 0)
        return cmd_fail("node", "%s", msg[0] ? msg : ilonet_strerror(rc));
    return 0;
}
