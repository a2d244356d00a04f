/* cmd_node.c - `ilonet node`: run the node in the foreground until a signal. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/http/http.h"
#include "node/node.h"

static const char node_usage[] =
    "usage: ilonet [-C DIR] node [--listen ADDR] [--peer ADDR@PUBKEY]...\n"
    "                            [--http ADDR]\n\n"
    "Runs this node in the foreground until SIGINT or SIGTERM: listens for\n"
    "peers (default: the config's listen address), dials the configured\n"
    "peers and every --peer (ADDR like tcp://127.0.0.1:7401, PUBKEY the\n"
    "peer's node key in hex), and keeps the network's logs in sync. Appends\n"
    "made with the CLI while it runs reach peers within a second. One line\n"
    "per event on stderr. --listen '' disables listening. --http ADDR\n"
    "(e.g. 127.0.0.1:8080) also serves the web page and the JSON API\n"
    "(docs/API.md) and prints the page's address with its token. See\n"
    "docs/NODE.md.\n";

int
cmd_node(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    struct node_opts no;
    struct home_peer *peers;
    const char *listen, *http, *vals[HOME_MAX_PEERS];
    char msg[256];
    int rc, nv;
    size_t np = 0;

    if (cmd_wants_help(argc, argv, node_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    listen = cmd_opt(&o, "--listen");
    http = cmd_opt(&o, "--http");
    nv = cmd_opt_all(&o, "--peer", vals, HOME_MAX_PEERS);
    if ((rc = cmd_opts_done(&o, "node")) != 0)
        return rc;
    /* --- HTTP API (node/http.h): its own process, started before this
     * one opens the store (no SQLite connection may cross the fork). --- */
    pid_t http_pid = 0;
    if (http) {
        char url[HTTP_URL_MAX], hmsg[HTTP_MSG_MAX];
        if (cmd_http_spawn(env->home_dir, *http ? http : HTTP_DEFAULT_ADDR,
                           &http_pid, url, sizeof(url), hmsg) != 0)
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
    rc = node_run(&h, &no, NULL, msg);
    cmd_http_reap(http_pid); /* HTTP API */
    home_close(&h);
    if (rc != 0)
        return cmd_fail("node", "%s", msg[0] ? msg : ilonet_strerror(rc));
    return 0;
}
