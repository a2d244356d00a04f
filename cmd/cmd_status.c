/* cmd_status.c - `ilonet status`: node, process, peers and their lag,
 * disk, certificates, heads, view hash, counts, warnings. */
#include <inttypes.h>
#include <time.h>

#include "cmds.h"
#include "node/app/app.h"

static const char status_usage[] =
    "usage: ilonet [-C DIR] status [--check] [--json]\n\n"
    "This node, its network, whether a node process runs in this home, its\n"
    "peers (connected, last sync, lag, strikes, as last recorded by the\n"
    "running node), what peers sent that was refused, disk use, the\n"
    "certificate's expiry, the head of every log held, the view hash (all\n"
    "audiences and one per audience), counts, attached files (blobs held,\n"
    "staged, wanted, bytes on disk), and the warnings a duty officer\n"
    "should act on, each with what to do.\n\n"
    "  --check  exit 3 when there is a warning, 4 when one is critical\n"
    "           (0: nothing to do), for monitoring scripts\n";

/* "2026-12-04 15:20:01" of unix ms (UTC), into out (20 bytes). */
static const char *
status_time(uint64_t ms, char out[static 20])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, 20, "?");
    return out;
}

/* "4 s", "12 min", "3 h", "5 days" for ms, into out (24 bytes). */
static const char *
status_ago(uint64_t ms, char out[static 24])
{
    uint64_t s = ms / 1000;

    if (s < 120)
        snprintf(out, 24, "%llu s", (unsigned long long)s);
    else if (s < 7200)
        snprintf(out, 24, "%llu min", (unsigned long long)(s / 60));
    else if (s < 2 * 86400)
        snprintf(out, 24, "%llu h", (unsigned long long)(s / 3600));
    else
        snprintf(out, 24, "%llu days", (unsigned long long)(s / 86400));
    return out;
}

/* "1.5 GiB" for bytes, into out (24 bytes). */
static const char *
status_bytes(uint64_t b, char out[static 24])
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = -1;

    if (b < 1024) {
        snprintf(out, 24, "%llu B", (unsigned long long)b);
        return out;
    }
    while (v >= 1024 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(out, 24, "%.1f %s", v, unit[u]);
    return out;
}

static void
status_json_u64(const char *key, int has, uint64_t v, int comma)
{
    printf("%s\"%s\":", comma ? "," : "", key);
    if (has)
        printf("%" PRIu64, v);
    else
        printf("null");
}

/* The JSON keys of the health part (after "restored" and "blobs"). */
static void
status_health_json(const struct app_health *ah, uint64_t now)
{
    printf(",\"process\":{\"running\":%s", ah->ah_running ? "true" : "false");
    status_json_u64("pid", ah->ah_ran, (uint64_t)ah->ah_pid, 1);
    status_json_u64("started_ms", ah->ah_ran, ah->ah_started_ms, 1);
    status_json_u64("seen_ms", ah->ah_ran, ah->ah_seen_ms, 1);
    status_json_u64("stopped_ms", ah->ah_stopped_ms != 0, ah->ah_stopped_ms, 1);
    printf("},\"lag\":[");
    for (size_t i = 0; i < ah->ah_npeers; i++) {
        const struct app_peer *p = &ah->ah_peers[i];
        printf("%s{\"node\":\"", i ? "," : "");
        cmd_print_hex(stdout, p->ap_node, KEY_PK_LEN);
        printf("\",\"addr\":");
        cmd_json_str(stdout, p->ap_addr);
        printf(",\"state\":");
        cmd_json_str(stdout, p->ap_state);
        printf(",\"configured\":%s,\"link\":",
               p->ap_configured ? "true" : "false");
        if (p->ap_connected && p->ap_direction[0])
            cmd_json_str(stdout, p->ap_direction);
        else
            printf("null");
        status_json_u64("last_sync_ms", p->ap_synced, p->ap_last_sync_ms, 1);
        status_json_u64("lag_ms", p->ap_synced, p->ap_lag_ms, 1);
        printf("}");
    }
    printf("],\"rejections\":{");
    for (size_t i = 0; i < ah->ah_nrejections; i++) {
        printf("%s", i ? "," : "");
        cmd_json_str(stdout, ah->ah_rejections[i].ar_code);
        printf(":%" PRIu64, ah->ah_rejections[i].ar_count);
    }
    printf("},\"disk\":{");
    status_json_u64("store_bytes", 1, ah->ah_store_bytes, 0);
    status_json_u64("wal_bytes", 1, ah->ah_wal_bytes, 1);
    status_json_u64("free_bytes", ah->ah_fs_ok, ah->ah_free_bytes, 1);
    status_json_u64("total_bytes", ah->ah_fs_ok, ah->ah_total_bytes, 1);
    printf("},\"certificate\":");
    if (ah->ah_has_cert)
        printf("{\"not_after\":%" PRIu64 ",\"days_left\":%lld}",
               ah->ah_cert_not_after, (long long)ah->ah_cert_days);
    else
        printf("null");
    printf(",\"time_ms\":%" PRIu64 ",\"health\":\"%s\",\"warnings\":[", now,
           app_level_name(ah->ah_level));
    for (size_t i = 0; i < ah->ah_nwarnings; i++) {
        const struct app_warning *w = &ah->ah_warnings[i];
        printf("%s{\"level\":\"%s\",\"code\":", i ? "," : "",
               app_level_name(w->aw_level));
        cmd_json_str(stdout, w->aw_code);
        printf(",\"message\":");
        cmd_json_str(stdout, w->aw_msg);
        printf("}");
    }
    printf("]");
}

/* The process line and the peer table of the text form. */
static void
status_text_peers(const struct home *h, const struct app_health *ah,
                  uint64_t now)
{
    char t1[20], a1[24];

    printf("process    ");
    if (ah->ah_running)
        printf("running, pid %ld, since %s UTC (seen %s ago)\n", ah->ah_pid,
               status_time(ah->ah_started_ms, t1),
               status_ago(now > ah->ah_seen_ms ? now - ah->ah_seen_ms : 0, a1));
    else if (ah->ah_stopped_ms)
        printf("stopped %s UTC (%s ago)\n", status_time(ah->ah_stopped_ms, t1),
               status_ago(now > ah->ah_stopped_ms ? now - ah->ah_stopped_ms : 0,
                          a1));
    else if (ah->ah_ran)
        printf("not running: last seen %s UTC (%s ago), pid %ld; it did not "
               "stop cleanly\n",
               status_time(ah->ah_seen_ms, t1),
               status_ago(now > ah->ah_seen_ms ? now - ah->ah_seen_ms : 0, a1),
               ah->ah_pid);
    else
        printf("no node has run in this home\n");
    printf("peers      %zu configured, %zu connected%s\n", h->h_conf.hc_npeers,
           ah->ah_nconnected,
           ah->ah_recorded ? "" : " (node not running: no sync state)");
    if (!ah->ah_npeers)
        return;
    printf("  %-26s %-8s %-16s %-5s %-19s %-8s %7s %s\n", "ADDR", "STATE",
           "NODE", "LINK", "LAST SYNC (UTC)", "LAG", "STRIKES",
           "ENTRIES IN/OUT");
    for (size_t i = 0; i < ah->ah_npeers; i++) {
        const struct app_peer *p = &ah->ah_peers[i];
        char node[17];
        for (int k = 0; k < 8; k++)
            snprintf(node + 2 * k, 3, "%02x", p->ap_node[k]);
        printf("  %-26s %-8s %-16s %-5s %-19s %-8s %7u %" PRIu64 "/%" PRIu64
               "%s\n",
               p->ap_addr[0] ? p->ap_addr : "-",
               p->ap_state[0] ? p->ap_state : "-", node,
               p->ap_connected ? p->ap_direction : "down",
               p->ap_synced ? status_time(p->ap_last_sync_ms, t1) : "never",
               p->ap_synced ? status_ago(p->ap_lag_ms, a1) : "-", p->ap_strikes,
               p->ap_entries_in, p->ap_entries_out,
               p->ap_banned ? " BANNED" : "");
    }
}

/* Rejections, disk and certificate lines of the text form. */
static void
status_text_ops(const struct app_health *ah)
{
    char b1[24], b2[24], b3[24];

    if (ah->ah_nrejections) {
        printf("rejected   %" PRIu64 " since the node started:",
               ah->ah_rejected);
        for (size_t i = 0; i < ah->ah_nrejections; i++)
            printf("%s %s %" PRIu64, i ? "," : "", ah->ah_rejections[i].ar_code,
                   ah->ah_rejections[i].ar_count);
        printf("\n");
    }
    printf("disk       store %s, WAL %s", status_bytes(ah->ah_store_bytes, b1),
           status_bytes(ah->ah_wal_bytes, b2));
    if (ah->ah_fs_ok)
        printf("; %s free of %s", status_bytes(ah->ah_free_bytes, b1),
               status_bytes(ah->ah_total_bytes, b3));
    printf("\n");
    if (ah->ah_has_cert) {
        char day[11];
        time_t t = (time_t)ah->ah_cert_not_after;
        struct tm tm;
        if (!gmtime_r(&t, &tm) ||
            strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
            snprintf(day, sizeof(day), "?");
        if (ah->ah_cert_days < 0)
            printf("cert       EXPIRED on %s\n", day);
        else
            printf("cert       valid until %s (%lld days)\n", day,
                   (long long)ah->ah_cert_days);
    }
}

static void
status_text_warnings(const struct app_health *ah)
{
    if (!ah->ah_nwarnings) {
        printf("health     ok: nothing to do\n");
        return;
    }
    printf("health     %s: %zu to look at\n", app_level_name(ah->ah_level),
           ah->ah_nwarnings);
    for (size_t i = 0; i < ah->ah_nwarnings; i++)
        printf("  %-8s %s: %s\n", app_level_name(ah->ah_warnings[i].aw_level),
               ah->ah_warnings[i].aw_code, ah->ah_warnings[i].aw_msg);
}

int
cmd_status(struct cmd_env *env, int argc, char **argv)
{
    struct app_blob_counts bc;
    struct app_status st;
    struct app_health ah;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    uint64_t now;
    int rc, check;

    if (cmd_wants_help(argc, argv, status_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    check = cmd_flag(&o, "--check");
    if ((rc = cmd_opts_done(&o, "status")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (app_status(&h, APP_STATUS_AUDIENCES | APP_STATUS_MEMBERS, &st, &err) !=
        0) {
        home_close(&h);
        return cmd_fail_err("status", err.ae_code);
    }
    now = home_now_ms();
    if (app_health(&h, &st, now, &ah, &err) != 0) {
        app_status_free(&st);
        home_close(&h);
        return cmd_fail_err("status", err.ae_code);
    }
    if (app_blob_counts(&h, &bc, &err) != 0) {
        app_health_free(&ah);
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
               ",\"wanted\":%" PRIu64 ",\"bytes\":%" PRIu64 "}",
               bc.bc_held, bc.bc_staged, bc.bc_wanted, bc.bc_bytes);
        status_health_json(&ah, now);
        printf("}\n");
    } else {
        printf("node       ");
        cmd_print_hex(stdout, h.h_key.pk, KEY_PK_LEN);
        printf("\nstate      %s (%s)\n", h.h_has_cert ? h.h_cert.c_state : "-",
               h.h_has_cert ? cert_role_name(h.h_cert.c_role)
                            : "no certificate");
        printf("network    ");
        cmd_print_hex(stdout, h.h_net.n_id, NET_ID_LEN);
        printf(" (host %s)\n", h.h_net.n_host);
        status_text_peers(&h, &ah, now);
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
        status_text_ops(&ah);
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
        status_text_warnings(&ah);
    }
    rc = !check                              ? 0
         : ah.ah_level == APP_LEVEL_CRITICAL ? 4
         : ah.ah_level == APP_LEVEL_WARNING  ? 3
                                             : 0;
    app_health_free(&ah);
    app_status_free(&st);
    home_close(&h);
    return rc;
}
