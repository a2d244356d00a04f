/* cmd_sync.c - `ilonet sync`: one exchange with peers, then exit. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/node.h"

static const char sync_usage[] =
    "usage: ilonet [-C DIR] sync [--peer ADDR@PUBKEY]... [--timeout S] "
    "[--json]\n\n"
    "Connects to the given peers (default: the configured ones), syncs both\n"
    "ways until each side holds what the other may read (equal anti-entropy\n"
    "digests, nothing outstanding) and the files it wants from that peer\n"
    "are held (blob-eager-days), says goodbye and exits. A peer that\n"
    "cannot be reached is tried three times. Exit 0 if it synced with at\n"
    "least one peer, 1 otherwise (also on timeout, default 30 s; logs in\n"
    "sync with files still coming count as synced). --json prints counts:\n"
    "peers, synced, entries and wire bytes both ways.\n";

int
cmd_sync(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    struct node_opts no;
    struct node_result res;
    struct home_peer peers[HOME_MAX_PEERS];
    const char *vals[HOME_MAX_PEERS], *tmo;
    char msg[256], *end;
    double secs = 30;
    int rc, nv;
    size_t np = 0;
    struct rusage ru;

    if (cmd_wants_help(argc, argv, sync_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    nv = cmd_opt_all(&o, "--peer", vals, HOME_MAX_PEERS);
    tmo = cmd_opt(&o, "--timeout");
    if ((rc = cmd_opts_done(&o, "sync")) != 0)
        return rc;
    if (tmo) {
        secs = strtod(tmo, &end);
        if (*tmo == 0 || *end || !(secs > 0) || secs > 86400)
            return cmd_usage("sync", "--timeout wants seconds: %s", tmo);
    }
    for (int i = 0; i < nv; i++)
        if (node_parse_peer(vals[i], &peers[np++]) != 0)
            return cmd_usage("sync", "--peer wants ADDR@PUBKEY: %s", vals[i]);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (!h.h_has_cert) {
        home_close(&h);
        return cmd_fail("sync", "no certificate installed (ilonet cert "
                                "install FILE)");
    }
    if (np == 0) {
        memcpy(peers, h.h_conf.hc_peers, h.h_conf.hc_npeers * sizeof(peers[0]));
        np = h.h_conf.hc_npeers;
    }
    memset(&no, 0, sizeof(no));
    no.no_peers = peers;
    no.no_npeers = np;
    no.no_oneshot = 1;
    no.no_timeout_ms = (uint64_t)(secs * 1000);
    rc = node_run(&h, &no, &res, msg);
    home_close(&h);
    if (rc != 0)
        return cmd_fail("sync", "%s", msg[0] ? msg : ilonet_strerror(rc));
    getrusage(RUSAGE_SELF, &ru);
    if (env->json)
        printf("{\"peers\":%zu,\"synced\":%zu,\"timed_out\":%s,"
               "\"entries_in\":%" PRIu64 ",\"entries_out\":%" PRIu64
               ",\"msgs_in\":%" PRIu64 ",\"msgs_out\":%" PRIu64
               ",\"wire_bytes_in\":%" PRIu64 ",\"wire_bytes_out\":%" PRIu64
               ",\"elapsed_ms\":%" PRIu64 ",\"peak_rss_kib\":%ld}\n",
               res.nr_peers, res.nr_synced, res.nr_timed_out ? "true" : "false",
               res.nr_entries_in, res.nr_entries_out, res.nr_msgs_in,
               res.nr_msgs_out, res.nr_wire_in, res.nr_wire_out,
               res.nr_elapsed_ms, ru.ru_maxrss);
    else
        printf("synced with %zu of %zu peers: %" PRIu64 " entries in, %" PRIu64
               " out, %" PRIu64 " ms\n",
               res.nr_synced, res.nr_peers, res.nr_entries_in,
               res.nr_entries_out, res.nr_elapsed_ms);
    if (res.nr_synced == 0)
        return cmd_fail("sync", "no peer synced%s",
                        res.nr_timed_out ? " before the timeout" : "");
    return 0;
}
