/* app_health.c - a node home's health for the duty officer: the node
 * process, peers and their lag, rejections, disk, certificates, warnings. */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/json.h"

#define APP__DAY_MS (24ULL * 60 * 60 * 1000)

const char *
app_level_name(enum app_level l)
{
    return l == APP_LEVEL_CRITICAL  ? "critical"
           : l == APP_LEVEL_WARNING ? "warning"
                                    : "ok";
}

void
app_health_free(struct app_health *ah)
{
    if (!ah)
        return;
    free(ah->ah_peers);
    memset(ah, 0, sizeof(*ah));
}

static void app__warn(struct app_health *ah, enum app_level l, const char *code,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a warning (the last slot says how many more were left out). */
static void
app__warn(struct app_health *ah, enum app_level l, const char *code,
          const char *fmt, ...)
{
    struct app_warning *w;
    va_list ap;

    if (l > ah->ah_level)
        ah->ah_level = l;
    if (ah->ah_nwarnings == APP_WARNINGS_MAX)
        return;
    w = &ah->ah_warnings[ah->ah_nwarnings++];
    w->aw_level = l;
    snprintf(w->aw_code, sizeof(w->aw_code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(w->aw_msg, sizeof(w->aw_msg), fmt, ap);
    va_end(ap);
}

/* A decimal field of a status file; 0 when absent, null or malformed. */
static uint64_t
app__u64(const char *v)
{
    char *end;
    unsigned long long n;

    if (!v || *v < '0' || *v > '9')
        return 0;
    n = strtoull(v, &end, 10);
    return *end ? 0 : (uint64_t)n;
}

/* YYYY-MM-DD of unix ms, into out (11 bytes). */
static void
app__day(uint64_t ms, char out[static 11])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) == 0)
        snprintf(out, 11, "?");
}

/* "12 min" for a duration in ms, into out. */
static const char *
app__ago(uint64_t ms, char *out, size_t cap)
{
    uint64_t s = ms / 1000;

    if (s < 120)
        snprintf(out, cap, "%llu s", (unsigned long long)s);
    else if (s < 7200)
        snprintf(out, cap, "%llu min", (unsigned long long)(s / 60));
    else if (s < 2 * 86400)
        snprintf(out, cap, "%llu h", (unsigned long long)(s / 3600));
    else
        snprintf(out, cap, "%llu days", (unsigned long long)(s / 86400));
    return out;
}

/* ---- what the running node recorded -------------------------------------
 */

static void
app__node_run(struct home *h, struct app_health *ah, uint64_t now)
{
    struct json_field f[JSON_FIELDS_MAX];
    uint8_t *v = NULL;
    size_t len = 0, n = 0;
    char *mem = NULL;

    if (store_meta_get(h->h_store, "node_run", &v, &len) != 0)
        return;
    if (json_parse_flat(v, len, f, JSON_FIELDS_MAX, &n, &mem, NULL, 0) == 0) {
        ah->ah_ran = 1;
        for (size_t i = 0; i < n; i++) {
            const char *val = f[i].jf_null ? NULL : f[i].jf_value;
            if (strcmp(f[i].jf_name, "pid") == 0)
                ah->ah_pid = (long)app__u64(val);
            else if (strcmp(f[i].jf_name, "started_ms") == 0)
                ah->ah_started_ms = app__u64(val);
            else if (strcmp(f[i].jf_name, "seen_ms") == 0)
                ah->ah_seen_ms = app__u64(val);
            else if (strcmp(f[i].jf_name, "stopped_ms") == 0)
                ah->ah_stopped_ms = app__u64(val);
        }
        /* a clock stepped back still counts as seen */
        ah->ah_running =
            !ah->ah_stopped_ms && (ah->ah_seen_ms >= now ||
                                   now - ah->ah_seen_ms <= APP_NODE_STALE_MS);
    }
    free(mem);
    free(v);
}

struct app__peers {
    struct app_health *p_ah;
    size_t p_cap;
    uint64_t p_now;
};

static int
app__peer_row(void *arg, const struct json_field *f, size_t n)
{
    struct app__peers *pp = arg;
    struct app_health *ah = pp->p_ah;
    struct app_peer *p;

    if (ah->ah_npeers == pp->p_cap) {
        size_t cap = pp->p_cap ? pp->p_cap * 2 : 8;
        struct app_peer *np = realloc(ah->ah_peers, cap * sizeof(*np));
        if (!np)
            return ILONET_ENOMEM;
        ah->ah_peers = np;
        pp->p_cap = cap;
    }
    p = &ah->ah_peers[ah->ah_npeers];
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < n; i++) {
        const char *k = f[i].jf_name, *v = f[i].jf_null ? NULL : f[i].jf_value;
        if (strcmp(k, "addr") == 0 && v)
            snprintf(p->ap_addr, sizeof(p->ap_addr), "%s", v);
        else if (strcmp(k, "node") == 0 && v) {
            if (strlen(v) != 2 * KEY_PK_LEN ||
                hash_unhex(v, p->ap_node, KEY_PK_LEN) != 0)
                return 0; /* not a row this reader knows: skipped */
        } else if (strcmp(k, "state") == 0 && v)
            snprintf(p->ap_state, sizeof(p->ap_state), "%s", v);
        else if (strcmp(k, "connected") == 0)
            p->ap_connected = v && strcmp(v, "true") == 0;
        else if (strcmp(k, "direction") == 0 && v)
            snprintf(p->ap_direction, sizeof(p->ap_direction), "%s", v);
        else if (strcmp(k, "last_sync_ms") == 0 && v) {
            p->ap_synced = 1;
            p->ap_last_sync_ms = app__u64(v);
        } else if (strcmp(k, "strikes") == 0)
            p->ap_strikes = (uint32_t)app__u64(v);
        else if (strcmp(k, "banned") == 0)
            p->ap_banned = v && strcmp(v, "true") == 0;
        else if (strcmp(k, "entries_in") == 0)
            p->ap_entries_in = app__u64(v);
        else if (strcmp(k, "entries_out") == 0)
            p->ap_entries_out = app__u64(v);
        else if (strcmp(k, "msgs_in") == 0)
            p->ap_msgs_in = app__u64(v);
        else if (strcmp(k, "msgs_out") == 0)
            p->ap_msgs_out = app__u64(v);
        else if (strcmp(k, "bytes_in") == 0)
            p->ap_bytes_in = app__u64(v);
        else if (strcmp(k, "bytes_out") == 0)
            p->ap_bytes_out = app__u64(v);
    }
    if (p->ap_synced)
        p->ap_lag_ms =
            p->ap_last_sync_ms < pp->p_now ? pp->p_now - p->ap_last_sync_ms : 0;
    ah->ah_npeers++;
    return 0;
}

/* The node's peer table (store meta "peer_status"), else the configured
 * peers, never connected; each marked configured or not. */
static int
app__peers(struct home *h, const struct app_status *st, struct app_health *ah,
           uint64_t now)
{
    struct app__peers pp = {ah, 0, now};
    int rc;

    if (st->as_peers) {
        rc = json_parse_rows(st->as_peers, st->as_peers_len, app__peer_row, &pp,
                             NULL, 0);
        if (rc == ILONET_ENOMEM)
            return rc;
        if (rc == 0) {
            ah->ah_recorded = 1;
        } else { /* a table this binary cannot read: the config instead */
            ah->ah_npeers = 0;
        }
    }
    if (!ah->ah_recorded)
        for (size_t i = 0; i < h->h_conf.hc_npeers; i++) {
            struct app_peer *p;
            if (ah->ah_npeers == pp.p_cap) {
                size_t cap = pp.p_cap ? pp.p_cap * 2 : 8;
                struct app_peer *np = realloc(ah->ah_peers, cap * sizeof(*np));
                if (!np)
                    return ILONET_ENOMEM;
                ah->ah_peers = np;
                pp.p_cap = cap;
            }
            p = &ah->ah_peers[ah->ah_npeers++];
            memset(p, 0, sizeof(*p));
            snprintf(p->ap_addr, sizeof(p->ap_addr), "%s",
                     h->h_conf.hc_peers[i].hp_addr);
            memcpy(p->ap_node, h->h_conf.hc_peers[i].hp_pk, KEY_PK_LEN);
        }
    for (size_t i = 0; i < ah->ah_npeers; i++) {
        struct app_peer *p = &ah->ah_peers[i];
        for (size_t j = 0; j < h->h_conf.hc_npeers && !p->ap_configured; j++)
            p->ap_configured = memcmp(h->h_conf.hc_peers[j].hp_pk, p->ap_node,
                                      KEY_PK_LEN) == 0;
        /* a stopped node's table says nothing about now */
        if (!ah->ah_running) {
            p->ap_connected = 0;
            p->ap_direction[0] = '\0';
        }
        ah->ah_nconnected += p->ap_connected != 0;
    }
    return 0;
}

static int
app__rejection_row(void *arg, const struct json_field *f, size_t n)
{
    struct app_health *ah = arg;

    for (size_t i = 0; i < n && ah->ah_nrejections < APP_REJECTIONS_MAX; i++) {
        struct app_rejection *r = &ah->ah_rejections[ah->ah_nrejections];
        uint64_t c = app__u64(f[i].jf_null ? NULL : f[i].jf_value);
        if (!c)
            continue;
        snprintf(r->ar_code, sizeof(r->ar_code), "%s", f[i].jf_name);
        r->ar_count = c;
        ah->ah_rejected += c;
        ah->ah_nrejections++;
    }
    return 0;
}

/* Store meta "rejections", a flat object: read as the one row of
 * json_parse_rows() by wrapping it in brackets. */
static int
app__rejections(struct home *h, struct app_health *ah)
{
    uint8_t *v = NULL, *arr;
    size_t len = 0;
    int rc = 0;

    if (store_meta_get(h->h_store, "rejections", &v, &len) != 0)
        return 0;
    if (!(arr = malloc(len + 2))) {
        free(v);
        return ILONET_ENOMEM;
    }
    arr[0] = '[';
    memcpy(arr + 1, v, len);
    arr[len + 1] = ']';
    if (json_parse_rows(arr, len + 2, app__rejection_row, ah, NULL, 0) ==
        ILONET_ENOMEM)
        rc = ILONET_ENOMEM;
    free(arr);
    free(v);
    return rc;
}

/* Sizes of store.db and its WAL; the file system's free and total bytes
 * (for the owner: f_bavail). */
static void
app__disk(struct home *h, struct app_health *ah)
{
    char path[HOME_PATH_MAX + 8];
    struct statvfs vf;
    struct stat sb;

    if (home_path(h, "store.db", path) == 0 && stat(path, &sb) == 0)
        ah->ah_store_bytes = (uint64_t)sb.st_size;
    if (home_path(h, "store.db", path) == 0 &&
        strlen(path) + 5 < sizeof(path)) {
        strcat(path, "-wal");
        if (stat(path, &sb) == 0)
            ah->ah_wal_bytes = (uint64_t)sb.st_size;
    }
    if (statvfs(h->h_dir, &vf) == 0 && vf.f_frsize) {
        ah->ah_fs_ok = 1;
        ah->ah_free_bytes = (uint64_t)vf.f_bavail * vf.f_frsize;
        ah->ah_total_bytes = (uint64_t)vf.f_blocks * vf.f_frsize;
    }
}

/* ---- warnings -------------------------------------------------------------
 */

static void
app__short(const uint8_t *pk, char out[static 17])
{
    static const char hx[] = "0123456789abcdef";

    for (int i = 0; i < 8; i++) {
        out[2 * i] = hx[pk[i] >> 4];
        out[2 * i + 1] = hx[pk[i] & 15];
    }
    out[16] = '\0';
}

static void
app__warn_certs(struct home *h, const struct app_status *st,
                struct app_health *ah, uint64_t now)
{
    char day[11], ks[17];

    if (!h->h_has_cert) {
        app__warn(ah, APP_LEVEL_CRITICAL, "no-certificate",
                  "no certificate installed: this node can neither write nor "
                  "sync; install the one the state's authority issued "
                  "(ilonet cert install FILE)");
    } else {
        uint64_t until_ms = (h->h_cert.c_not_after + 1) * 1000;
        ah->ah_has_cert = 1;
        ah->ah_cert_not_after = h->h_cert.c_not_after;
        ah->ah_cert_days = until_ms > now
                               ? (int64_t)((until_ms - now) / APP__DAY_MS)
                               : -(int64_t)((now - until_ms) / APP__DAY_MS) - 1;
        app__day(h->h_cert.c_not_after * 1000, day);
        if (until_ms <= now)
            app__warn(ah, APP_LEVEL_CRITICAL, "cert-expired",
                      "this node's certificate expired on %s: peers refuse "
                      "what it writes; ask the state's authority for a new "
                      "one (ilonet cert install FILE)",
                      day);
        else if (ah->ah_cert_days < APP_CERT_WARN_DAYS)
            app__warn(ah, APP_LEVEL_WARNING, "cert-expiring",
                      "this node's certificate expires on %s (in %lld "
                      "days): ask the state's authority for a new one "
                      "(ilonet cert install FILE)",
                      day, (long long)ah->ah_cert_days);
    }
    for (size_t i = 0; i < st->as_nmembers; i++) {
        const struct app_member *m = &st->as_members[i];
        uint64_t until_ms = (m->am_not_after + 1) * 1000;
        if (m->am_self || !m->am_has_cert || until_ms <= now ||
            (until_ms - now) / APP__DAY_MS >= APP_CERT_WARN_DAYS)
            continue;
        app__short(m->am_node, ks);
        app__day(m->am_not_after * 1000, day);
        app__warn(ah, APP_LEVEL_WARNING, "member-cert-expiring",
                  "%s's node %s: its certificate expires on %s (in %llu "
                  "days); what it writes after then is refused: tell %s's "
                  "liaison officer",
                  m->am_state, ks, day,
                  (unsigned long long)((until_ms - now) / APP__DAY_MS),
                  m->am_state);
    }
}

static void
app__warn_peers(struct app_health *ah, uint64_t now)
{
    char ks[17], ago[32];

    if (!ah->ah_running) {
        if (ah->ah_ran)
            app__warn(ah, APP_LEVEL_CRITICAL, "node-stopped",
                      "no node is running in this home (%s %s ago): nothing "
                      "is synced; start it (systemctl start ilonet@HOME, or "
                      "ilonet node)",
                      ah->ah_stopped_ms ? "stopped" : "last seen",
                      app__ago(now - (ah->ah_stopped_ms ? ah->ah_stopped_ms
                                                        : ah->ah_seen_ms),
                               ago, sizeof(ago)));
        else
            app__warn(ah, APP_LEVEL_CRITICAL, "node-stopped",
                      "no node has run in this home yet: nothing is synced; "
                      "start one (systemctl start ilonet@HOME, or ilonet "
                      "node)");
        return;
    }
    if (ah->ah_npeers == 0) {
        app__warn(ah, APP_LEVEL_CRITICAL, "no-peers",
                  "no peer configured and none connected: this node is "
                  "alone; add one (ilonet peer add ADDR PUBKEY)");
        return;
    }
    if (ah->ah_nconnected == 0)
        app__warn(ah, APP_LEVEL_CRITICAL, "isolated",
                  "none of the %zu peers is connected: nothing is synced; "
                  "check the network and the peers' addresses",
                  ah->ah_npeers);
    for (size_t i = 0; i < ah->ah_npeers; i++) {
        const struct app_peer *p = &ah->ah_peers[i];
        const char *who = p->ap_state[0] ? p->ap_state : "peer";
        app__short(p->ap_node, ks);
        if (p->ap_banned)
            app__warn(ah, APP_LEVEL_WARNING, "peer-banned",
                      "%s %s (%s) is banned for a while after repeated "
                      "protocol faults (%u strikes): tell its operator",
                      who, ks, p->ap_addr, p->ap_strikes);
        else if (!p->ap_connected && p->ap_configured && ah->ah_nconnected > 0)
            app__warn(ah, APP_LEVEL_WARNING, "peer-unreachable",
                      "%s %s (%s) is not connected: the node keeps dialing; "
                      "check the address and that its node runs",
                      who, ks, p->ap_addr);
        if (p->ap_synced && p->ap_lag_ms > APP_LAG_WARN_MS)
            app__warn(ah, APP_LEVEL_WARNING, "peer-lag",
                      "%s %s (%s): last in sync %s ago", who, ks, p->ap_addr,
                      app__ago(p->ap_lag_ms, ago, sizeof(ago)));
        else if (!p->ap_synced && p->ap_connected &&
                 now > ah->ah_started_ms + APP_LAG_WARN_MS)
            app__warn(ah, APP_LEVEL_WARNING, "peer-lag",
                      "%s %s (%s): connected but never in sync since the "
                      "node started %s ago",
                      who, ks, p->ap_addr,
                      app__ago(now - ah->ah_started_ms, ago, sizeof(ago)));
    }
}

static void
app__warn_store(const struct app_status *st, struct app_health *ah)
{
    for (size_t i = 0; i < st->as_nheads; i++)
        ah->ah_frozen += st->as_heads[i].lh_frozen != 0;
    if (st->as_evidence || ah->ah_frozen)
        app__warn(ah, APP_LEVEL_CRITICAL, "fork",
                  "fork evidence: %llu; logs frozen: %llu: an author signed "
                  "two different entries at one place; see ilonet list "
                  "evidence and tell the network's authority",
                  (unsigned long long)st->as_evidence,
                  (unsigned long long)ah->ah_frozen);
    if (st->as_quarantine)
        app__warn(ah, APP_LEVEL_WARNING, "quarantine",
                  "%llu entries held back (dated more than 60 s ahead of "
                  "this node's clock, or a bad signature): check this "
                  "machine's clock; entries are released when their time "
                  "comes",
                  (unsigned long long)st->as_quarantine);
    if (st->as_restored)
        app__warn(ah, APP_LEVEL_WARNING, "restored",
                  "restored from a backup: writes are refused until a peer "
                  "has shown this node's own heads; keep the node running "
                  "with its peers");
    if (ah->ah_fs_ok) {
        uint64_t pct5 = ah->ah_total_bytes / 20;
        if (ah->ah_free_bytes < APP_DISK_CRIT_BYTES)
            app__warn(ah, APP_LEVEL_CRITICAL, "disk-low",
                      "%llu MiB free on the home's file system: writes will "
                      "fail; free space now",
                      (unsigned long long)(ah->ah_free_bytes >> 20));
        else if (ah->ah_free_bytes < APP_DISK_WARN_BYTES ||
                 ah->ah_free_bytes < pct5)
            app__warn(ah, APP_LEVEL_WARNING, "disk-low",
                      "%llu MiB free on the home's file system (of %llu "
                      "MiB): free space soon",
                      (unsigned long long)(ah->ah_free_bytes >> 20),
                      (unsigned long long)(ah->ah_total_bytes >> 20));
    }
}

int
app_health(struct home *h, const struct app_status *st, uint64_t now_ms,
           struct app_health *out, struct app_err *err)
{
    struct app_health ah;
    int rc;

    memset(&ah, 0, sizeof(ah));
    app__node_run(h, &ah, now_ms);
    if ((rc = app__peers(h, st, &ah, now_ms)) != 0 ||
        (rc = app__rejections(h, &ah)) != 0) {
        app_health_free(&ah);
        return app_fail(err, rc, "%s", ilonet_strerror(rc));
    }
    app__disk(h, &ah);
    app__warn_certs(h, st, &ah, now_ms);
    app__warn_peers(&ah, now_ms);
    app__warn_store(st, &ah);
    *out = ah;
    return 0;
}
