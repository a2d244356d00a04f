/* cmd_status.c - `ilonet status`: node, peers, heads, view hash, counts. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "storage/log.h"
#include "storage/view/view.h"

static const char status_usage[] =
    "usage: ilonet [-C DIR] status [--json]\n\n"
    "This node, its network, its peers (connected, last sync, strikes, as\n"
    "last recorded by the running node), the head of every log held, the\n"
    "view hash (all audiences and one per audience) and counts.\n";

/* Distinct audiences among the held logs, for per-audience hashes. */
static size_t
status_audiences(const struct log_head *h, size_t n,
                 char out[][ENTRY_AUDIENCE_MAX + 1], size_t max)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < k; j++)
            if (strcmp(out[j], h[i].lh_log.ld_audience) == 0)
                break;
        if (j == k && k < max)
            snprintf(out[k++], ENTRY_AUDIENCE_MAX + 1, "%s",
                     h[i].lh_log.ld_audience);
    }
    return k;
}

int
cmd_status(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    struct log_head *heads = NULL;
    size_t n = 0, na;
    uint64_t entries = 0, logs = 0, ev = 0, q = 0;
    uint8_t vh[HASH_LEN], hd[HASH_LEN];
    char auds[64][ENTRY_AUDIENCE_MAX + 1];
    uint8_t *peers = NULL;
    size_t peers_len = 0;
    int rc;

    if (cmd_wants_help(argc, argv, status_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "status")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if ((rc = log_heads(h.h_store, &heads, &n)) != 0 ||
        (rc = log_counts(h.h_store, &entries, &logs, &ev, &q)) != 0 ||
        (rc = view_hash(h.h_store, NULL, vh)) != 0 ||
        (rc = log_heads_digest(h.h_store, hd)) != 0) {
        free(heads);
        home_close(&h);
        return cmd_fail_err("status", rc);
    }
    na = status_audiences(heads, n, auds, 64);
    int restored = 0;
    if (log_is_restored(h.h_store, &restored) != 0)
        restored = 0;
    /* The running node records its peer table here (node-local state). */
    if (store_meta_get(h.h_store, "peer_status", &peers, &peers_len) != 0)
        peers = NULL;

    if (env->json) {
        printf("{\"node\":\"");
        cmd_print_hex(stdout, h.h_key.pk, KEY_PK_LEN);
        printf("\",\"state\":");
        cmd_json_str(stdout, h.h_has_cert ? h.h_cert.c_state : "");
        printf(",\"role\":");
        cmd_json_str(stdout,
                     h.h_has_cert ? cert_role_name(h.h_cert.c_role) : "");
        printf(",\"network\":\"");
        cmd_print_hex(stdout, h.h_net.n_id, NET_ID_LEN);
        printf("\",\"host\":");
        cmd_json_str(stdout, h.h_net.n_host);
        printf(",\"peers\":");
        if (peers) {
            fwrite(peers, 1, peers_len, stdout);
        } else {
            printf("[");
            for (size_t i = 0; i < h.h_conf.hc_npeers; i++) {
                printf("%s{\"addr\":", i ? "," : "");
                cmd_json_str(stdout, h.h_conf.hc_peers[i].hp_addr);
                printf(",\"node\":\"");
                cmd_print_hex(stdout, h.h_conf.hc_peers[i].hp_pk, KEY_PK_LEN);
                printf("\",\"connected\":false,\"last_sync_ms\":null,"
                       "\"strikes\":0}");
            }
            printf("]");
        }
        printf(",\"heads\":[");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"log\":\"", i ? "," : "");
            cmd_print_hex(stdout, heads[i].lh_log.ld_id, HASH_LEN);
            printf("\",\"author\":\"");
            cmd_print_hex(stdout, heads[i].lh_log.ld_author, KEY_PK_LEN);
            printf("\",\"audience\":\"%s\",\"seq\":%" PRIu64 ",\"id\":\"",
                   heads[i].lh_log.ld_audience, heads[i].lh_seq);
            cmd_print_hex(stdout, heads[i].lh_id, HASH_LEN);
            printf("\",\"frozen\":%s}", heads[i].lh_frozen ? "true" : "false");
        }
        printf("],\"heads_digest\":\"");
        cmd_print_hex(stdout, hd, HASH_LEN);
        printf("\",\"view_hash\":\"");
        cmd_print_hex(stdout, vh, HASH_LEN);
        printf("\",\"view_hashes\":{");
        for (size_t i = 0; i < na; i++) {
            uint8_t ah[HASH_LEN];
            if (view_hash(h.h_store, auds[i], ah) != 0)
                continue;
            printf("%s\"%s\":\"", i ? "," : "", auds[i]);
            cmd_print_hex(stdout, ah, HASH_LEN);
            printf("\"");
        }
        printf("},\"entries\":%" PRIu64 ",\"logs\":%" PRIu64
               ",\"evidence\":%" PRIu64 ",\"quarantine\":%" PRIu64
               ",\"restored\":%s}\n",
               entries, logs, ev, q, restored ? "true" : "false");
    } else {
        printf("node       ");
        cmd_print_hex(stdout, h.h_key.pk, KEY_PK_LEN);
        printf("\nstate      %s (%s)\n",
               h.h_has_cert ? h.h_cert.c_state : "-",
               h.h_has_cert ? cert_role_name(h.h_cert.c_role)
                            : "no certificate");
        printf("network    ");
        cmd_print_hex(stdout, h.h_net.n_id, NET_ID_LEN);
        printf(" (host %s)\n", h.h_net.n_host);
        printf("entries    %" PRIu64 " in %" PRIu64 " logs; evidence %" PRIu64
               "; quarantine %" PRIu64 "\n",
               entries, logs, ev, q);
        if (restored)
            printf("restored   yes: writes refused until a peer has shown "
                   "this node's own heads (ilonet restore)\n");
        printf("view_hash  ");
        cmd_print_hex(stdout, vh, HASH_LEN);
        printf("\n");
        for (size_t i = 0; i < na; i++) {
            uint8_t ah[HASH_LEN];
            if (view_hash(h.h_store, auds[i], ah) != 0)
                continue;
            printf("  %-8s ", auds[i]);
            cmd_print_hex(stdout, ah, HASH_LEN);
            printf("\n");
        }
        printf("peers      %zu configured%s\n", h.h_conf.hc_npeers,
               peers ? "" : " (node not running: no sync state)");
        if (peers)
            printf("  %.*s\n", (int)peers_len, (const char *)peers);
        printf("heads\n");
        for (size_t i = 0; i < n; i++) {
            printf("  ");
            cmd_print_hex(stdout, heads[i].lh_log.ld_id, 8);
            printf("… %-8s seq %-6" PRIu64 " ", heads[i].lh_log.ld_audience,
                   heads[i].lh_seq);
            cmd_print_hex(stdout, heads[i].lh_id, HASH_LEN);
            printf("%s\n", heads[i].lh_frozen ? " FROZEN" : "");
        }
    }
    free(peers);
    free(heads);
    home_close(&h);
    return 0;
}
