/* cmd_status.c - `ilonet status`: node, peers, heads, view hash, counts. */
#include <inttypes.h>

#include "cmds.h"
#include "node/app/app.h"

static const char status_usage[] =
    "usage: ilonet [-C DIR] status [--json]\n\n"
    "This node, its network, its peers (connected, last sync, strikes, as\n"
    "last recorded by the running node), the head of every log held, the\n"
    "view hash (all audiences and one per audience) and counts, attached\n"
    "files included (blobs held, staged, wanted, bytes on disk).\n";

int
cmd_status(struct cmd_env *env, int argc, char **argv)
{
    struct app_blob_counts bc;
    struct app_status st;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, status_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "status")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (app_status(&h, APP_STATUS_AUDIENCES, &st, &err) != 0) {
        home_close(&h);
        return cmd_fail_err("status", err.ae_code);
    }
    if (app_blob_counts(&h, &bc, &err) != 0) {
        app_status_free(&st);
        home_close(&h);
        return cmd_fail_err("status", err.ae_code);
    }

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
        if (st.as_peers) {
            fwrite(st.as_peers, 1, st.as_peers_len, stdout);
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
        for (size_t i = 0; i < st.as_nheads; i++) {
            const struct log_head *hd = &st.as_heads[i];
            printf("%s{\"log\":\"", i ? "," : "");
            cmd_print_hex(stdout, hd->lh_log.ld_id, HASH_LEN);
            printf("\",\"author\":\"");
            cmd_print_hex(stdout, hd->lh_log.ld_author, KEY_PK_LEN);
            printf("\",\"audience\":\"%s\",\"seq\":%" PRIu64 ",\"id\":\"",
                   hd->lh_log.ld_audience, hd->lh_seq);
            cmd_print_hex(stdout, hd->lh_id, HASH_LEN);
            printf("\",\"frozen\":%s}", hd->lh_frozen ? "true" : "false");
        }
        printf("],\"heads_digest\":\"");
        cmd_print_hex(stdout, st.as_heads_digest, HASH_LEN);
        printf("\",\"view_hash\":\"");
        cmd_print_hex(stdout, st.as_view_hash, HASH_LEN);
        printf("\",\"view_hashes\":{");
        for (size_t i = 0; i < st.as_naudiences; i++) {
            const struct app_audience *a = &st.as_audiences[i];
            if (!a->aa_ok)
                continue;
            printf("%s\"%s\":\"", i ? "," : "", a->aa_name);
            cmd_print_hex(stdout, a->aa_hash, HASH_LEN);
            printf("\"");
        }
        printf("},\"entries\":%" PRIu64 ",\"logs\":%" PRIu64
               ",\"evidence\":%" PRIu64 ",\"quarantine\":%" PRIu64
               ",\"restored\":%s",
               st.as_entries, st.as_logs, st.as_evidence, st.as_quarantine,
               st.as_restored ? "true" : "false");
        printf(",\"blobs\":{\"held\":%" PRIu64 ",\"staged\":%" PRIu64
               ",\"wanted\":%" PRIu64 ",\"bytes\":%" PRIu64 "}}\n",
               bc.bc_held, bc.bc_staged, bc.bc_wanted, bc.bc_bytes);
    } else {
        printf("node       ");
        cmd_print_hex(stdout, h.h_key.pk, KEY_PK_LEN);
        printf("\nstate      %s (%s)\n", h.h_has_cert ? h.h_cert.c_state : "-",
               h.h_has_cert ? cert_role_name(h.h_cert.c_role)
                            : "no certificate");
        printf("network    ");
        cmd_print_hex(stdout, h.h_net.n_id, NET_ID_LEN);
        printf(" (host %s)\n", h.h_net.n_host);
        printf("entries    %" PRIu64 " in %" PRIu64 " logs; evidence %" PRIu64
               "; quarantine %" PRIu64 "\n",
               st.as_entries, st.as_logs, st.as_evidence, st.as_quarantine);
        printf("blobs      %" PRIu64 " held, %" PRIu64 " staged, %" PRIu64
               " wanted; %" PRIu64 " bytes\n",
               bc.bc_held, bc.bc_staged, bc.bc_wanted, bc.bc_bytes);
        if (st.as_restored)
            printf("restored   yes: writes refused until a peer has shown "
                   "this node's own heads (ilonet restore)\n");
        printf("view_hash  ");
        cmd_print_hex(stdout, st.as_view_hash, HASH_LEN);
        printf("\n");
        for (size_t i = 0; i < st.as_naudiences; i++) {
            const struct app_audience *a = &st.as_audiences[i];
            if (!a->aa_ok)
                continue;
            printf("  %-8s ", a->aa_name);
            cmd_print_hex(stdout, a->aa_hash, HASH_LEN);
            printf("\n");
        }
        printf("peers      %zu configured%s\n", h.h_conf.hc_npeers,
               st.as_peers ? "" : " (node not running: no sync state)");
        if (st.as_peers)
            printf("  %.*s\n", (int)st.as_peers_len, (const char *)st.as_peers);
        printf("heads\n");
        for (size_t i = 0; i < st.as_nheads; i++) {
            const struct log_head *hd = &st.as_heads[i];
            printf("  ");
            cmd_print_hex(stdout, hd->lh_log.ld_id, 8);
            printf("… %-8s seq %-6" PRIu64 " ", hd->lh_log.ld_audience,
                   hd->lh_seq);
            cmd_print_hex(stdout, hd->lh_id, HASH_LEN);
            printf("%s\n", hd->lh_frozen ? " FROZEN" : "");
        }
    }
    app_status_free(&st);
    home_close(&h);
    return 0;
}
