/* http_read.c - the JSON API's reads (GET), over node/app. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "node/app/app.h"

/*
 * Each endpoint parses its query parameters, calls one use case of
 * node/app/app.h and renders what it returns: rows through
 * app_json_row() with kind numbers as names, errors through
 * app_err_http_status().
 */

/* A failed read (the store, not the request). */
static void
api_read_fail(struct http__resp *rs, const struct app_err *err)
{
    http__error(rs, app_err_http_status(err), ilonet_errname(err->ae_code),
                "store: %s", err->ae_msg);
}

/* Rows into rs_body: ar_open when the read starts (after its columns:
 * "[" for an array), then each row as a JSON object, ar_sep between two.
 * The caller closes the array once the read is done. */
struct api_rows {
    struct textbuf *ar_b;
    unsigned ar_flags;
    const char *ar_open;
    const char *ar_sep;
    size_t ar_n;
    const struct vocab *ar_vocab; /* APP_JSON_FIELD_NAMES: the home's */
    uint32_t ar_kind;             /* and the list's kind */
};

static int
api_rows_open(void *arg, const struct view_row *names)
{
    struct api_rows *r = arg;

    (void)names;
    textbuf_puts(r->ar_b, r->ar_open);
    return 0;
}

static int
api_rows_row(void *arg, const struct view_row *row)
{
    struct api_rows *r = arg;

    if (r->ar_n++)
        textbuf_puts(r->ar_b, r->ar_sep);
    app_json_record(r->ar_b, r->ar_vocab, r->ar_kind, row, r->ar_flags);
    return 0;
}

/* ---- GET lists ----------------------------------------------------------- */

void
http__list(struct home *h, const struct http__kind *k, struct http__req *rq,
           struct http__resp *rs)
{
    /* fields under the keys the vocabulary gives them (GET /api/vocab) */
    struct api_rows rows = {&rs->rs_body,
                            APP_JSON_KIND_NAME | APP_JSON_FIELD_NAMES,
                            "[",
                            ",\n",
                            0,
                            h->h_vocab,
                            k->hk_kind};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_list_req lr;
    struct view_list_res res;
    struct app_err err;
    long limit;

    memset(&lr, 0, sizeof(lr));
    lr.al_category = http__query_param(rq, "category");
    lr.al_period = http__query_param(rq, "period");
    lr.al_audience = http__query_param(rq, "audience");
    lr.al_state = http__query_param(rq, "state");
    lr.al_status = http__query_param(rq, "status");
    lr.al_text = http__query_param(rq, "text");
    if (http__limit(rq, rs, APP_LIST_DEFAULT, APP_LIST_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    lr.al_list = k->hk_plural;
    lr.al_newest = 1;
    lr.al_limit = (uint64_t)limit;
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, k->hk_plural);
    textbuf_puts(&rs->rs_body, ",\"items\":");
    if (app_list(h, &lr, &sink, &res, &err) != 0) {
        if (err.ae_field[0])
            http__error(rs, 400, "invalid-argument", "query '%s': %s",
                        err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_printf(&rs->rs_body, "],\"count\":%zu}", res.ls_count);
    http__ok(rs, 200);
}

/* ---- GET one record ------------------------------------------------------ */

/* Resolves id to a record of kind k: 0, or -1 with a 4xx in rs. */
int
http__find(struct home *h, const struct http__kind *k, const char *id,
           struct view_record_info *info, struct http__resp *rs)
{
    struct app_err err;

    if (app_record_find(h, id, k->hk_kind, info, &err) == 0)
        return 0;
    if (err.ae_code == ILONET_EINVAL || err.ae_code == ILONET_ENOTFOUND)
        http__error(rs, app_err_http_status(&err), ilonet_errname(err.ae_code),
                    "%s", err.ae_msg);
    else
        http__error(rs, 500, ilonet_errname(err.ae_code), "%s",
                    ilonet_strerror(err.ae_code));
    return -1;
}

static int api_attachment(void *arg, const struct view_attachment *a);

void
http__show(struct home *h, const struct http__kind *k, const char *id,
           struct http__req *rq, struct http__resp *rs)
{
    /* one row, the record in its kind's own field names; then its
     * history as an array */
    struct api_rows record = {&rs->rs_body,
                              APP_JSON_KIND_NAME | APP_JSON_FIELD_NAMES,
                              "",
                              "",
                              0,
                              h->h_vocab,
                              0};
    struct api_rows history = {
        &rs->rs_body, APP_JSON_KIND_NAME, ",\"history\":[", ",\n", 0, NULL, 0};
    struct view_sink rsink = {api_rows_open, api_rows_row, &record};
    struct view_sink hsink = {api_rows_open, api_rows_row, &history};
    struct api_rows files = {NULL, 0, ",\"attachments\":[", ",", 0, NULL, 0};
    struct view_record_info info;
    struct app_err err;

    if (http__params_done(rq, rs) != 0 || http__find(h, k, id, &info, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, app_kind_name(info.vr_kind));
    textbuf_puts(&rs->rs_body, ",\"record\":");
    if (app_record_show(h, &info, &rsink, &hsink, &err) != 0) {
        if (err.ae_code == ILONET_ENOTFOUND)
            http__error(rs, 404, "not-found", "%s", err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]");
    /* its files, as `show --json` lists them (the view's list, without
     * keys; no key at all when it carries none) */
    files.ar_b = &rs->rs_body;
    if (app_record_attachments(h, &info, api_attachment, &files, &err) < 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, files.ar_n ? "]}" : "}");
    http__ok(rs, 200);
}

/* One item of a record's "attachments" array (opened by the first). */
static int
api_attachment(void *arg, const struct view_attachment *a)
{
    struct api_rows *r = arg;
    struct textbuf *b = r->ar_b;

    textbuf_puts(b, r->ar_n++ ? r->ar_sep : r->ar_open);
    textbuf_puts(b, "{\"hash\":\"");
    json_hex(b, a->va_hash, HASH_LEN);
    textbuf_printf(
        b, "\",\"size\":%llu,\"type\":", (unsigned long long)a->va_size);
    json_str(b, a->va_type);
    textbuf_puts(b, ",\"name\":");
    json_str(b, a->va_name);
    textbuf_printf(b, ",\"state\":\"%s\",\"entry\":\"",
                   a->va_held ? "held" : "wanted");
    json_hex(b, a->va_entry, HASH_LEN);
    textbuf_puts(b, "\"}");
    return 0;
}

/* ---- files ------------------------------------------------------------- */

void
http__blob(struct home *h, const char *hash, struct http__req *rq,
           struct http__resp *rs)
{
    struct app_blob *info;
    struct app_err err;
    uint8_t *data = NULL;
    size_t len = 0, k = 0;
    char name[96];

    if (http__params_done(rq, rs) != 0)
        return;
    if (!(info = malloc(sizeof(*info)))) {
        http__error(rs, 500, "no-memory", "out of memory");
        return;
    }
    if (app_blob_read(h, hash, &data, &len, info, &err) != 0) {
        http__error(rs, app_err_http_status(&err), ilonet_errname(err.ae_code),
                    "%s", err.ae_msg);
        free(info);
        return;
    }
    /* a header-safe name: the reference's is a member's word */
    for (const char *p = info->ab_name; *p && k + 1 < sizeof(name); p++)
        name[k++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                            (*p >= '0' && *p <= '9') || *p == '.' ||
                            *p == '-' || *p == '_'
                        ? *p
                        : '_';
    name[k] = '\0';
    snprintf(rs->rs_disposition, sizeof(rs->rs_disposition),
             "attachment; filename=\"%s\"", k ? name : "attachment");
    rs->rs_type = app_blob_safe_type(info->ab_type);
    textbuf_put(&rs->rs_body, data, len);
    rs->rs_status = 200;
    sodium_memzero(data, len);
    free(data);
    free(info);
}

/* ---- metrics (Prometheus text format 0.0.4) ------------------------------ */

/* A label value: \ " and newline escaped, as the format wants. */
static void
http__prom_label(struct textbuf *b, const char *v)
{
    textbuf_puts(b, "\"");
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            textbuf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            textbuf_puts(b, "\\n");
        else
            textbuf_put(b, v, 1);
    }
    textbuf_puts(b, "\"");
}

/* The HELP and TYPE lines of a metric family. */
static void
http__prom_family(struct textbuf *b, const char *name, const char *type,
                  const char *help)
{
    textbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{node=...,state=...,addr=...} of a peer. */
static void
http__prom_peer(struct textbuf *b, const char *name, const struct app_peer *p)
{
    char node[2 * KEY_PK_LEN + 1];

    hash_hex(p->ap_node, KEY_PK_LEN, node);
    textbuf_printf(b, "%s{node=\"%s\",state=", name, node);
    http__prom_label(b, p->ap_state);
    textbuf_puts(b, ",addr=");
    http__prom_label(b, p->ap_addr);
    textbuf_puts(b, "} ");
}

static void
http__prom_peers(struct textbuf *b, const struct app_health *ah)
{
    static const struct {
        const char *name, *type, *help;
        int what;
    } fam[] = {
        {"ilonet_peer_connected", "gauge", "1 when the peer is connected.", 0},
        {"ilonet_peer_last_sync_timestamp_seconds", "gauge",
         "When this node last held everything the peer announced (absent: "
         "never since the node started).",
         1},
        {"ilonet_peer_sync_lag_seconds", "gauge",
         "Seconds since this node last held everything the peer announced.", 2},
        {"ilonet_peer_strikes", "gauge",
         "Protocol faults counted against "
         "the peer's key.",
         3},
        {"ilonet_peer_entries_received_total", "counter",
         "New entries stored from the peer in this session.", 4},
        {"ilonet_peer_entries_sent_total", "counter",
         "Entries sent to the peer in this session.", 5},
        {"ilonet_peer_bytes_received_total", "counter",
         "Bytes read from the peer's connection.", 6},
        {"ilonet_peer_bytes_sent_total", "counter",
         "Bytes written to the peer's connection.", 7},
    };

    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        http__prom_family(b, fam[f].name, fam[f].type, fam[f].help);
        for (size_t i = 0; i < ah->ah_npeers; i++) {
            const struct app_peer *p = &ah->ah_peers[i];
            uint64_t v = 0;
            if ((fam[f].what == 1 || fam[f].what == 2) && !p->ap_synced)
                continue;
            switch (fam[f].what) {
            case 0: v = p->ap_connected != 0; break;
            case 1: v = p->ap_last_sync_ms / 1000; break;
            case 2: v = p->ap_lag_ms / 1000; break;
            case 3: v = p->ap_strikes; break;
            case 4: v = p->ap_entries_in; break;
            case 5: v = p->ap_entries_out; break;
            case 6: v = p->ap_bytes_in; break;
            default: v = p->ap_bytes_out; break;
            }
            http__prom_peer(b, fam[f].name, p);
            textbuf_printf(b, "%llu\n", (unsigned long long)v);
        }
    }
}

/* The page's exposition of one home. */
static void
http__metrics_text(struct home *h, struct textbuf *b,
                   const struct app_status *st, const struct app_health *ah,
                   const struct app_blob_counts *bc)
{
    static const char *const levels[] = {"warning", "critical"};

    http__prom_family(b, "ilonet_up", "gauge",
                      "1 when a node process runs in this home (seen within "
                      "30 s).");
    textbuf_printf(b, "ilonet_up %d\n", ah->ah_running);
    if (ah->ah_ran) {
        http__prom_family(b, "ilonet_node_start_time_seconds", "gauge",
                          "When the last node process in this home started.");
        textbuf_printf(b, "ilonet_node_start_time_seconds %llu\n",
                       (unsigned long long)(ah->ah_started_ms / 1000));
    }
    http__prom_family(b, "ilonet_health", "gauge",
                      "0 ok, 1 warning, 2 critical, as ilonet status "
                      "--check.");
    textbuf_printf(b, "ilonet_health %d\n", (int)ah->ah_level);
    http__prom_family(b, "ilonet_warnings", "gauge",
                      "Warnings of ilonet status, by level.");
    for (int l = 0; l < 2; l++) {
        size_t n = 0;
        for (size_t i = 0; i < ah->ah_nwarnings; i++)
            n += ah->ah_warnings[i].aw_level == (enum app_level)(l + 1);
        textbuf_printf(b, "ilonet_warnings{level=\"%s\"} %zu\n", levels[l], n);
    }
    http__prom_family(b, "ilonet_entries", "gauge", "Entries stored.");
    textbuf_printf(b, "ilonet_entries %llu\n",
                   (unsigned long long)st->as_entries);
    http__prom_family(b, "ilonet_audience_entries", "gauge",
                      "Entries stored, by the audience of their log.");
    for (size_t j = 0; j < st->as_nheads; j++) {
        const char *a = st->as_heads[j].lh_log.ld_audience;
        uint64_t n = 0;
        size_t k;
        for (k = 0; k < j; k++) /* each audience once, at its first log */
            if (strcmp(st->as_heads[k].lh_log.ld_audience, a) == 0)
                break;
        if (k < j)
            continue;
        for (k = j; k < st->as_nheads; k++)
            if (strcmp(st->as_heads[k].lh_log.ld_audience, a) == 0)
                n += st->as_heads[k].lh_seq;
        textbuf_puts(b, "ilonet_audience_entries{audience=");
        http__prom_label(b, a);
        textbuf_printf(b, "} %llu\n", (unsigned long long)n);
    }
    http__prom_family(b, "ilonet_logs", "gauge", "Logs held.");
    textbuf_printf(b, "ilonet_logs %llu\n", (unsigned long long)st->as_logs);
    http__prom_family(b, "ilonet_evidence", "gauge",
                      "Fork evidence stored (an author signed two entries at "
                      "one place).");
    textbuf_printf(b, "ilonet_evidence %llu\n",
                   (unsigned long long)st->as_evidence);
    http__prom_family(b, "ilonet_frozen_logs", "gauge",
                      "Logs frozen by fork evidence.");
    textbuf_printf(b, "ilonet_frozen_logs %llu\n",
                   (unsigned long long)ah->ah_frozen);
    http__prom_family(b, "ilonet_quarantine", "gauge",
                      "Entries stored but held back from the view.");
    textbuf_printf(b, "ilonet_quarantine %llu\n",
                   (unsigned long long)st->as_quarantine);
    http__prom_family(b, "ilonet_restored", "gauge",
                      "1 while a restored home refuses writes.");
    textbuf_printf(b, "ilonet_restored %d\n", st->as_restored != 0);
    http__prom_family(b, "ilonet_peers_configured", "gauge",
                      "Peers in the home's config.");
    textbuf_printf(b, "ilonet_peers_configured %zu\n", h->h_conf.hc_npeers);
    http__prom_family(b, "ilonet_peers_connected", "gauge", "Peers connected.");
    textbuf_printf(b, "ilonet_peers_connected %zu\n", ah->ah_nconnected);
    http__prom_peers(b, ah);
    http__prom_family(b, "ilonet_rejections_total", "counter",
                      "What peers sent that was refused or held back "
                      "(quarantined) since the node started, by error code.");
    for (size_t i = 0; i < ah->ah_nrejections; i++) {
        textbuf_puts(b, "ilonet_rejections_total{code=");
        http__prom_label(b, ah->ah_rejections[i].ar_code);
        textbuf_printf(b, "} %llu\n",
                       (unsigned long long)ah->ah_rejections[i].ar_count);
    }
    http__prom_family(b, "ilonet_store_bytes", "gauge",
                      "Bytes of the store's files (entries and their "
                      "payloads, the view; attached files are "
                      "ilonet_blob_bytes).");
    textbuf_printf(b, "ilonet_store_bytes{file=\"store.db\"} %llu\n",
                   (unsigned long long)ah->ah_store_bytes);
    textbuf_printf(b, "ilonet_store_bytes{file=\"store.db-wal\"} %llu\n",
                   (unsigned long long)ah->ah_wal_bytes);
    /* the same counts as status --json's "blobs" */
    http__prom_family(b, "ilonet_blobs", "gauge",
                      "Attached files, by state: held (sealed on disk), "
                      "staged (attached, no record yet), wanted (referenced, "
                      "not yet fetched).");
    textbuf_printf(b, "ilonet_blobs{state=\"held\"} %llu\n",
                   (unsigned long long)bc->bc_held);
    textbuf_printf(b, "ilonet_blobs{state=\"staged\"} %llu\n",
                   (unsigned long long)bc->bc_staged);
    textbuf_printf(b, "ilonet_blobs{state=\"wanted\"} %llu\n",
                   (unsigned long long)bc->bc_wanted);
    http__prom_family(b, "ilonet_blob_bytes", "gauge",
                      "Bytes of attached files on disk (sealed, with partial "
                      "transfers).");
    textbuf_printf(b, "ilonet_blob_bytes %llu\n",
                   (unsigned long long)bc->bc_bytes);
    if (ah->ah_fs_ok) {
        http__prom_family(b, "ilonet_filesystem_free_bytes", "gauge",
                          "Bytes free on the file system of the home.");
        textbuf_printf(b, "ilonet_filesystem_free_bytes %llu\n",
                       (unsigned long long)ah->ah_free_bytes);
        http__prom_family(b, "ilonet_filesystem_size_bytes", "gauge",
                          "Size of the file system of the home.");
        textbuf_printf(b, "ilonet_filesystem_size_bytes %llu\n",
                       (unsigned long long)ah->ah_total_bytes);
    }
    if (ah->ah_has_cert) {
        http__prom_family(b, "ilonet_cert_expiry_timestamp_seconds", "gauge",
                          "When this node's certificate stops being valid.");
        textbuf_printf(b, "ilonet_cert_expiry_timestamp_seconds %llu\n",
                       (unsigned long long)(ah->ah_cert_not_after + 1));
    }
}

void
http__metrics(struct http_server *s, nng_http_req *req, struct http__resp *rs)
{
    struct app_blob_counts bc;
    struct app_status st;
    struct app_health ah;
    struct app_err err;
    struct http__who who;
    struct home *h;

    if (http__auth_check(s, req, &who, rs) != 0 || !(h = http__home_get(s, rs)))
        return;
    /* the metrics show no view hash: none is computed for them */
    if (app_status(h, APP_STATUS_MEMBERS | APP_STATUS_NOHASH, &st, &err) != 0) {
        http__error(rs, err.ae_code == ILONET_EBUSY ? 503 : 500,
                    ilonet_errname(err.ae_code), "metrics: %s", err.ae_msg);
        http__home_put(s, h);
        return;
    }
    if (app_blob_counts(h, &bc, &err) != 0) {
        http__error(rs, 500, ilonet_errname(err.ae_code), "metrics: %s",
                    err.ae_msg);
    } else if (app_health(h, &st, home_now_ms(), &ah, &err) != 0) {
        http__error(rs, 500, ilonet_errname(err.ae_code), "metrics: %s",
                    err.ae_msg);
    } else {
        http__metrics_text(h, &rs->rs_body, &st, &ah, &bc);
        rs->rs_status = 200;
        rs->rs_type = "text/plain; version=0.0.4; charset=utf-8";
        app_health_free(&ah);
    }
    app_status_free(&st);
    http__home_put(s, h);
}

/* ---- status, stats, recent, grants, evidence ----------------------------- */

void
http__status(struct http_server *s, struct home *h, struct http__req *rq,
             struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct app_status st;
    struct app_health ah;
    struct app_err err;
    uint8_t vh[HASH_LEN];
    uint64_t vh_at = 0;
    int vh_have, vh_current = 0;

    if (http__params_done(rq, rs) != 0)
        return;
    /* the view hash is the keeper's (http_hash.c): never computed here */
    if (app_status(h, APP_STATUS_MEMBERS | APP_STATUS_NOHASH, &st, &err) != 0) {
        http__error(rs, err.ae_code == ILONET_EBUSY ? 503 : 500,
                    ilonet_errname(err.ae_code), "status: %s", err.ae_msg);
        return;
    }
    textbuf_puts(b, "{\"node\":\"");
    json_hex(b, h->h_key.pk, KEY_PK_LEN);
    textbuf_puts(b, "\",\"state\":");
    json_str(b, h->h_cert.c_state);
    textbuf_puts(b, ",\"role\":");
    json_str(b, cert_role_name(h->h_cert.c_role));
    textbuf_puts(b, ",\"network\":\"");
    json_hex(b, h->h_net.n_id, NET_ID_LEN);
    textbuf_puts(b, "\",\"host\":");
    json_str(b, h->h_net.n_host);
    textbuf_printf(
        b, ",\"now_ms\":%llu,\"peers\":", (unsigned long long)home_now_ms());
    if (st.as_peers) {
        textbuf_put(b, st.as_peers, st.as_peers_len);
    } else {
        textbuf_puts(b, "[");
        for (size_t i = 0; i < h->h_conf.hc_npeers; i++) {
            textbuf_puts(b, i ? ",{\"addr\":" : "{\"addr\":");
            json_str(b, h->h_conf.hc_peers[i].hp_addr);
            textbuf_puts(b, ",\"node\":\"");
            json_hex(b, h->h_conf.hc_peers[i].hp_pk, KEY_PK_LEN);
            textbuf_puts(b, "\",\"connected\":false,\"last_sync_ms\":null,"
                            "\"strikes\":0}");
        }
        textbuf_puts(b, "]");
    }
    /* Members: every author whose logs this node holds, with its
     * certificate's state and role. */
    textbuf_puts(b, ",\"members\":[");
    for (size_t i = 0; i < st.as_nmembers; i++) {
        const struct app_member *m = &st.as_members[i];
        textbuf_puts(b, i ? ",{\"node\":\"" : "{\"node\":\"");
        json_hex(b, m->am_node, KEY_PK_LEN);
        textbuf_puts(b, "\"");
        if (m->am_has_cert) {
            textbuf_puts(b, ",\"state\":");
            json_str(b, m->am_state);
            textbuf_puts(b, ",\"role\":");
            json_str(b, cert_role_name(m->am_role));
        }
        textbuf_printf(b, ",\"logs\":%zu,\"entries\":%llu,\"self\":%s}",
                       m->am_logs, (unsigned long long)m->am_entries,
                       m->am_self ? "true" : "false");
    }
    textbuf_puts(b, "],\"heads\":[");
    for (size_t i = 0; i < st.as_nheads; i++) {
        const struct log_head *hd = &st.as_heads[i];
        textbuf_puts(b, i ? ",{\"log\":\"" : "{\"log\":\"");
        json_hex(b, hd->lh_log.ld_id, HASH_LEN);
        textbuf_puts(b, "\",\"author\":\"");
        json_hex(b, hd->lh_log.ld_author, KEY_PK_LEN);
        textbuf_puts(b, "\",\"audience\":");
        json_str(b, hd->lh_log.ld_audience);
        textbuf_printf(b, ",\"seq\":%llu,\"frozen\":%s}",
                       (unsigned long long)hd->lh_seq,
                       hd->lh_frozen ? "true" : "false");
    }
    textbuf_puts(b, "],\"heads_digest\":\"");
    json_hex(b, st.as_heads_digest, HASH_LEN);
    vh_have = http__hash_last(s, h, vh, &vh_current, &vh_at);
    textbuf_puts(b, "\",\"view_hash\":");
    if (vh_have) {
        textbuf_puts(b, "\"");
        json_hex(b, vh, HASH_LEN);
        textbuf_printf(b, "\",\"view_hash_at_ms\":%llu",
                       (unsigned long long)vh_at);
    } else {
        textbuf_puts(b, "null,\"view_hash_at_ms\":null");
    }
    textbuf_printf(
        b,
        ",\"view_hash_current\":%s,\"entries\":%llu,\"logs\":%llu,\"evidence\":"
        "%llu,"
        "\"quarantine\":%llu",
        vh_current ? "true" : "false", (unsigned long long)st.as_entries,
        (unsigned long long)st.as_logs, (unsigned long long)st.as_evidence,
        (unsigned long long)st.as_quarantine);
    /* what `ilonet status` warns of, for the page (app_health) */
    if (app_health(h, &st, home_now_ms(), &ah, &err) == 0) {
        textbuf_printf(b, ",\"running\":%s,\"health\":\"%s\",\"warnings\":[",
                       ah.ah_running ? "true" : "false",
                       app_level_name(ah.ah_level));
        for (size_t i = 0; i < ah.ah_nwarnings; i++) {
            textbuf_printf(b, "%s{\"level\":\"%s\",\"code\":", i ? "," : "",
                           app_level_name(ah.ah_warnings[i].aw_level));
            json_str(b, ah.ah_warnings[i].aw_code);
            textbuf_puts(b, ",\"message\":");
            json_str(b, ah.ah_warnings[i].aw_msg);
            textbuf_puts(b, "}");
        }
        textbuf_puts(b, "]");
        app_health_free(&ah);
    }
    textbuf_puts(b, "}");
    app_status_free(&st);
    http__ok(rs, 200);
}

/* Observations per category and month, and counts per record kind. */
void
http__stats(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct api_rows months = {b, APP_JSON_KIND_NAME, "[", ",\n", 0, NULL, 0};
    struct api_rows kinds = {b, APP_JSON_KIND_NAME, "],\"kinds\":", "", 0, NULL,
                             0};
    struct view_sink msink = {api_rows_open, api_rows_row, &months};
    struct view_sink ksink = {api_rows_open, api_rows_row, &kinds};
    const struct vocab_set *cats = app_categories(h);
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(b, "{\"categories\":[");
    for (size_t i = 0; cats && i < cats->vs_n; i++) {
        if (i)
            textbuf_puts(b, ",");
        json_str(b, cats->vs_values[i].vv_code);
    }
    textbuf_puts(b, "],\"observations_by_month\":");
    if (app_stats(h, &msink, &ksink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(b, kinds.ar_n ? "}" : "{}}");
    http__ok(rs, 200);
}

void
http__recent(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_rows rows = {
        &rs->rs_body, APP_JSON_KIND_NAME, "[", ",\n", 0, NULL, 0};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_err err;
    long limit;

    if (http__limit(rq, rs, APP_RECENT_DEFAULT, APP_RECENT_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (app_recent(h, (uint64_t)limit, &sink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

void
http__grants(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_rows rows = {
        &rs->rs_body, APP_JSON_KIND_NAME, "[", ",\n", 0, NULL, 0};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (app_grants(h, &sink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

void
http__evidence(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    /* Forks, with the author's state named when its certificate is held;
     * then quarantined entries. */
    struct api_rows ev = {
        &rs->rs_body, APP_JSON_KIND_NAME, "{\"evidence\":[", ",", 0, NULL, 0};
    struct api_rows q = {&rs->rs_body,
                         APP_JSON_KIND_NAME,
                         "],\"quarantine\":[",
                         ",",
                         0,
                         NULL,
                         0};
    struct view_sink esink = {api_rows_open, api_rows_row, &ev};
    struct view_sink qsink = {api_rows_open, api_rows_row, &q};
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    if (app_evidence(h, &esink, &qsink, &err) != 0) {
        http__error(rs, 500, "io", "%s", err.ae_msg);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

/* ---- search -------------------------------------------------------------- */

struct api_hits {
    struct textbuf *ah_b;
    size_t ah_n;
};

static int
api_hits_row(void *arg, const struct view_row *row)
{
    struct api_hits *a = arg;

    textbuf_puts(a->ah_b, a->ah_n++ ? ",\n" : "");
    app_search_json_row(a->ah_b, row);
    return 0;
}

void
http__search(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_hits hits = {&rs->rs_body, 0};
    struct view_sink sink = {NULL, api_hits_row, &hits};
    struct app_search_req sr;
    struct view_search_res res;
    struct app_err err;
    long limit;

    memset(&sr, 0, sizeof(sr));
    sr.as_query = http__query_param(rq, "q");
    sr.as_kind = http__query_param(rq, "kind");
    sr.as_category = http__query_param(rq, "category");
    sr.as_state = http__query_param(rq, "state");
    sr.as_audience = http__query_param(rq, "audience");
    sr.as_period = http__query_param(rq, "period");
    sr.as_after = http__query_param(rq, "after");
    if (http__limit(rq, rs, APP_SEARCH_DEFAULT, APP_SEARCH_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    sr.as_limit = (uint64_t)limit;
    if (app_search_check(&sr, &err) != 0) {
        http__error_field(rs, 400, "invalid-argument", err.ae_field,
                          "query '%s': %s", err.ae_field, err.ae_msg);
        return;
    }
    textbuf_puts(&rs->rs_body, "{\"query\":");
    json_str(&rs->rs_body, sr.as_query);
    textbuf_puts(&rs->rs_body, ",\"items\":[");
    if (app_search(h, &sr, &sink, &res, &err) != 0) {
        if (err.ae_field[0])
            http__error_field(rs, 400, "invalid-argument", err.ae_field,
                              "query '%s': %s", err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_printf(&rs->rs_body, "],\"count\":%zu,\"next\":", res.sr_count);
    if (res.sr_next[0])
        json_str(&rs->rs_body, res.sr_next);
    else
        textbuf_puts(&rs->rs_body, "null");
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 200);
}

/* ---- the vocabulary ------------------------------------------------------ */

void
http__vocab(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    if (app_vocab_render(h, &rs->rs_body, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    http__ok(rs, 200);
}

/* ---- My desk ------------------------------------------------------------- */

struct api_desk {
    struct textbuf *ad_b;
    size_t ad_n;
};

/* A task row with the actions that make sense next. */
static int
api_desk_task(void *arg, const struct view_row *row)
{
    struct api_desk *d = arg;
    const struct view_cell *st = view_row_cell(row, "status");
    const struct view_cell *role = view_row_cell(row, "role");
    const char *const *acts = app_task_actions(
        st && st->ce_type == VIEW_TEXT ? st->ce_text : NULL,
        role && role->ce_type == VIEW_TEXT ? role->ce_text : NULL);
    size_t mark;

    textbuf_puts(d->ad_b, d->ad_n++ ? ",\n" : "");
    mark = d->ad_b->tb_len;
    app_json_row(d->ad_b, row, APP_JSON_KIND_NAME);
    if (d->ad_b->tb_err || d->ad_b->tb_len == mark)
        return 0;
    d->ad_b->tb_len--; /* reopen the object for the actions */
    textbuf_puts(d->ad_b, ",\"actions\":[");
    for (size_t i = 0; acts[i]; i++) {
        if (i)
            textbuf_puts(d->ad_b, ",");
        json_str(d->ad_b, acts[i]);
    }
    textbuf_puts(d->ad_b, "]}");
    return 0;
}

static int
api_desk_row(void *arg, const struct view_row *row)
{
    struct api_desk *d = arg;

    textbuf_puts(d->ad_b, d->ad_n++ ? ",\n" : "");
    app_json_row(d->ad_b, row, APP_JSON_KIND_NAME);
    return 0;
}

/* Each part of the desk goes to its own buffer: the parts arrive in the
 * order the use case reads them, the answer has its own order. */
struct api_desk_parts {
    struct textbuf dp_tasks, dp_new, dp_grants, dp_notes;
    size_t dp_nnotes;
};

static int
api_desk_note(void *arg, const struct app_desk_note *n)
{
    struct api_desk_parts *p = arg;
    struct textbuf *b = &p->dp_notes;

    textbuf_puts(b, p->dp_nnotes++ ? ",\n{\"type\":" : "{\"type\":");
    json_str(b, n->dn_type);
    textbuf_puts(b, ",\"log\":");
    json_str(b, n->dn_log);
    textbuf_printf(b, ",\"seq\":%llu", (unsigned long long)n->dn_seq);
    textbuf_puts(b, ",\"entry\":");
    json_str(b, n->dn_entry);
    if (n->dn_author_state[0]) {
        textbuf_puts(b, ",\"author_state\":");
        json_str(b, n->dn_author_state);
    }
    if (n->dn_code[0]) {
        textbuf_puts(b, ",\"code\":");
        json_str(b, n->dn_code);
        textbuf_printf(b, ",\"until_ms\":%llu",
                       (unsigned long long)n->dn_until_ms);
    }
    textbuf_puts(b, ",\"title\":");
    json_str(b, n->dn_title);
    textbuf_puts(b, ",\"explain\":");
    json_str(b, n->dn_explain);
    textbuf_puts(b, ",\"todo\":");
    json_str(b, n->dn_todo);
    textbuf_puts(b, "}");
    return 0;
}

void
http__desk(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_desk_parts p;
    struct api_desk t = {&p.dp_tasks, 0}, nw = {&p.dp_new, 0},
                    g = {&p.dp_grants, 0};
    struct view_sink ts = {NULL, api_desk_task, &t};
    struct view_sink ns = {NULL, api_desk_row, &nw};
    struct view_sink gs = {NULL, api_desk_row, &g};
    struct app_desk_sinks sinks = {&ts, &ns, &gs, api_desk_note, &p};
    struct app_desk_req dq;
    struct app_desk_res *res = NULL;
    struct app_err err;
    const char *days = http__query_param(rq, "days");
    struct textbuf *b = &rs->rs_body;
    long nd = APP_DESK_DAYS_DEFAULT;

    memset(&p, 0, sizeof(p));
    if (days) {
        char *end;
        nd = strtol(days, &end, 10);
        if (!*days || *end || nd < 1 || nd > APP_DESK_DAYS_MAX) {
            http__error_field(rs, 400, "invalid-argument", "days",
                              "query 'days': '%.20s' is not a number from "
                              "1 to %d",
                              days, APP_DESK_DAYS_MAX);
            return;
        }
    }
    if (http__params_done(rq, rs) != 0)
        return;
    if (!(res = malloc(sizeof(*res)))) {
        http__error(rs, 503, "no-memory", "out of memory");
        return;
    }
    memset(&dq, 0, sizeof(dq));
    dq.dq_who = rq->rq_who->w_user[0] ? rq->rq_who->w_user : NULL;
    dq.dq_days = (unsigned)nd;
    if (app_desk(h, &dq, &sinks, res, &err) != 0) {
        if (err.ae_field[0])
            http__error_field(rs, 400, "invalid-argument", err.ae_field,
                              "query '%s': %s", err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        goto out;
    }
    textbuf_puts(b, "{\"state\":");
    json_str(b, h->h_cert.c_state);
    textbuf_puts(b, ",\"user\":");
    if (dq.dq_who)
        json_str(b, dq.dq_who);
    else
        textbuf_puts(b, "null");
    textbuf_puts(b, ",\"tasks\":[");
    textbuf_put(b, p.dp_tasks.tb_data ? p.dp_tasks.tb_data : "",
                p.dp_tasks.tb_len);
    textbuf_printf(b, "],\"tasks_count\":%llu,\"new\":{\"since\":",
                   (unsigned long long)res->dr_tasks);
    if (res->dr_first)
        textbuf_puts(b, "null");
    else
        json_str(b, res->dr_since);
    textbuf_printf(b, ",\"first\":%s,\"count\":%llu,\"items\":[",
                   res->dr_first ? "true" : "false",
                   (unsigned long long)res->dr_new);
    textbuf_put(b, p.dp_new.tb_data ? p.dp_new.tb_data : "", p.dp_new.tb_len);
    textbuf_printf(b, "]},\"days\":%ld,\"grants_expiring\":[", nd);
    textbuf_put(b, p.dp_grants.tb_data ? p.dp_grants.tb_data : "",
                p.dp_grants.tb_len);
    textbuf_puts(b, "],\"attention\":[");
    textbuf_put(b, p.dp_notes.tb_data ? p.dp_notes.tb_data : "",
                p.dp_notes.tb_len);
    textbuf_puts(b, "],\"mark\":");
    json_str(b, res->dr_mark);
    textbuf_puts(b, "}");
    if (p.dp_tasks.tb_err || p.dp_new.tb_err || p.dp_grants.tb_err ||
        p.dp_notes.tb_err)
        b->tb_err = ILONET_ENOMEM;
    http__ok(rs, 200);
out:
    textbuf_free(&p.dp_tasks);
    textbuf_free(&p.dp_new);
    textbuf_free(&p.dp_grants);
    textbuf_free(&p.dp_notes);
    free(res);
}
