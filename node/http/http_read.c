/* http_read.c - the JSON API's reads: lists, one record, status, stats, recent, grants, evidence. */
#include "http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crypto/error.h"
#include "node/report/report.h"
#include "storage/entry.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

#define API_LIST_MAX 5000
#define API_LIST_DEFAULT 1000
/* ---- rows as JSON -------------------------------------------------------- */

/* Output name of a records-view column for kind sc: field columns carry
 * the CLI option name (posted_from -> from); columns of fields the kind
 * does not have are skipped (NULL). Other columns keep their name. */
static const char *
api_col_name(const struct record_schema *sc, const char *col)
{
    const struct record_column *cols;
    size_t n = record_columns(&cols);
    int is_field = 0;

    if (!sc)
        return col;
    for (size_t i = 0; i < n && !is_field; i++)
        is_field = strcmp(cols[i].rc_name, col) == 0;
    if (!is_field)
        return col;
    for (size_t i = 0; i < sc->rs_nfields; i++)
        if (sc->rs_fields[i].rf_column &&
            strcmp(sc->rs_fields[i].rf_column, col) == 0)
            return sc->rs_fields[i].rf_name;
    return NULL;
}

/* The current row of st as a JSON object: blobs as hex, an integer
 * column "kind" as the kind's name; with sc, field columns renamed. */
static void
api_row(struct textbuf *b, sqlite3_stmt *st, const struct record_schema *sc)
{
    int n = sqlite3_column_count(st), first = 1;

    textbuf_put(b, "{", 1);
    for (int i = 0; i < n; i++) {
        const char *name = api_col_name(sc, sqlite3_column_name(st, i));
        if (!name)
            continue;
        if (!first)
            textbuf_put(b, ",", 1);
        first = 0;
        json_str(b, name);
        textbuf_put(b, ":", 1);
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            if (strcmp(name, "kind") == 0)
                json_str(
                    b, entry_kind_name((uint64_t)sqlite3_column_int64(st, i)));
            else
                textbuf_printf(b, "%lld",
                                 (long long)sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            textbuf_printf(b, "%.17g", sqlite3_column_double(st, i));
            break;
        case SQLITE_TEXT:
            json_strn(b, (const char *)sqlite3_column_text(st, i),
                                (size_t)sqlite3_column_bytes(st, i));
            break;
        case SQLITE_BLOB:
            textbuf_put(b, "\"", 1);
            json_hex(b, sqlite3_column_blob(st, i),
                          (size_t)sqlite3_column_bytes(st, i));
            textbuf_put(b, "\"", 1);
            break;
        default:
            textbuf_puts(b, "null");
        }
    }
    textbuf_put(b, "}", 1);
}

/* Every row of st as a JSON array. 0, or -1 with rs set (SQLite error). */
static int
api_rows(struct textbuf *b, sqlite3_stmt *st, const struct record_schema *sc,
         struct http__resp *rs, size_t *count)
{
    size_t k = 0;
    int rc;

    textbuf_put(b, "[", 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k++)
            textbuf_put(b, ",\n", 2);
        api_row(b, st, sc);
    }
    textbuf_put(b, "]", 1);
    if (count)
        *count = k;
    if (rc != SQLITE_DONE) {
        http__error(rs, rc == SQLITE_BUSY ? 503 : 500,
                    rc == SQLITE_BUSY ? "busy" : "io", "store: %s",
                    sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
    return 0;
}

static sqlite3_stmt *
http__prepare(struct home *h, const char *sql, struct http__resp *rs)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(store_db(h->h_store), sql, -1, &st, NULL) !=
        SQLITE_OK) {
        http__error(rs, 500, "io", "store: %s",
                    sqlite3_errmsg(store_db(h->h_store)));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* ---- GET lists ------------------------------------------------------------- */

/* period=FROM..TO | DATE | YYYY-H1/H2 into two ISO dates. */
static int
api_period(const char *v, char from[11], char to[11], struct http__resp *rs)
{
    uint64_t a, b;
    struct record_builder rb;

    if (report_semester_parse(v, &a, &b) == 0) {
        record_format_date(a / 1000, from);
        record_format_date(b / 1000 - 1, to);
        return 0;
    }
    /* The same checks and message as the field --period. */
    record_builder_init(&rb, KIND_OBSERVATION);
    if (record_set(&rb, "period", v) != 0) {
        http__error(rs, 400, "invalid-argument", "query 'period': %s "
                                                 "(or a semester, 2026-H2)",
                    rb.rb_err + (strncmp(rb.rb_err, "field 'period': ", 16)
                                     ? 0
                                     : 16));
        return -1;
    }
    snprintf(from, 11, "%.10s", v);
    snprintf(to, 11, "%.10s", strlen(v) > 10 ? v + 12 : v);
    return 0;
}

void
http__list(struct home *h, const struct http__kind *k, struct http__req *rq,
         struct http__resp *rs)
{
    const char *cat = http__query_param(rq, "category");
    const char *per = http__query_param(rq, "period");
    const char *aud = http__query_param(rq, "audience");
    const char *state = http__query_param(rq, "state");
    const char *status = http__query_param(rq, "status");
    const char *text = http__query_param(rq, "text");
    char from[11], to[11], audn[ENTRY_AUDIENCE_MAX + 1];
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL;
    long limit;
    int bind = 0;
    size_t count = 0;

    if (http__limit(rq, rs, API_LIST_DEFAULT, API_LIST_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    if (cat && k->hk_kind != KIND_OBSERVATION) {
        http__error(rs, 400, "invalid-argument",
                    "query 'category': only observations have a category");
        return;
    }
    if (cat) {
        int ok = 0;
        for (size_t i = 0; record_categories[i]; i++)
            ok |= strcmp(record_categories[i], cat) == 0;
        if (!ok) {
            http__error(rs, 400, "invalid-argument",
                        "query 'category': unknown value '%.60s' (one of "
                        "flows, routes, modus-operandi, "
                        "criminal-organisations, incidents, document-fraud, "
                        "assistance, return)",
                        cat);
            return;
        }
    }
    if (status && k->hk_kind != KIND_TASK) {
        http__error(rs, 400, "invalid-argument",
                    "query 'status': only tasks have a status");
        return;
    }
    if (status && strcmp(status, "open") != 0) {
        int ok = 0;
        for (size_t i = 0; record_task_statuses[i]; i++)
            ok |= strcmp(record_task_statuses[i], status) == 0;
        if (!ok) {
            http__error(rs, 400, "invalid-argument",
                        "query 'status': unknown value '%.40s' (one of open, "
                        "accept, decline, start, done, cancel)",
                        status);
            return;
        }
    }
    if (per && api_period(per, from, to, rs) != 0)
        return;
    if (aud && audience_normalise(aud, audn) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'audience': '%.60s' is not net, ms or a group of "
                    "state codes like DE+FR",
                    aud);
        return;
    }
    if (state && !key_state_valid(state)) {
        http__error(rs, 400, "invalid-argument",
                    "query 'state': '%.20s' is not a state code", state);
        return;
    }
    if (text && strlen(text) > 200) {
        http__error(rs, 400, "invalid-argument",
                    "query 'text': over 200 bytes");
        return;
    }
    textbuf_printf(&sql, "SELECT * FROM %s WHERE 1", k->hk_view);
    if (cat)
        textbuf_puts(&sql, " AND category = ?");
    if (per)
        textbuf_printf(&sql, " AND %s <= ? AND %s >= ?", k->hk_from,
                         k->hk_to);
    if (aud)
        textbuf_puts(&sql, " AND audience = ?");
    if (state)
        textbuf_printf(&sql, " AND %s = ?", k->hk_state);
    if (status)
        textbuf_puts(&sql, strcmp(status, "open") == 0
                                 ? " AND status IS NULL AND ? = 'open'"
                                 : " AND status = ?");
    if (text) {
        const char *p = k->hk_text;
        textbuf_puts(&sql, " AND (0");
        while (*p) {
            size_t w = strcspn(p, " ");
            textbuf_printf(&sql,
                             " OR instr(lower(coalesce(%.*s, '')), lower(?1"
                             "00)) > 0",
                             (int)w, p);
            p += w;
            p += *p == ' ';
        }
        textbuf_puts(&sql, ")");
    }
    textbuf_printf(&sql, " ORDER BY time_ms DESC, id LIMIT %ld", limit);
    if (sql.tb_err || !(st = http__prepare(h, sql.tb_data, rs))) {
        if (sql.tb_err)
            http__error(rs, 500, "no-memory", "out of memory");
        textbuf_free(&sql);
        return;
    }
    textbuf_free(&sql);
    if (cat)
        sqlite3_bind_text(st, ++bind, cat, -1, SQLITE_STATIC);
    if (per) {
        sqlite3_bind_text(st, ++bind, to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, ++bind, from, -1, SQLITE_STATIC);
    }
    if (aud)
        sqlite3_bind_text(st, ++bind, audn, -1, SQLITE_STATIC);
    if (state)
        sqlite3_bind_text(st, ++bind, state, -1, SQLITE_STATIC);
    if (status)
        sqlite3_bind_text(st, ++bind, status, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 100, text, -1, SQLITE_STATIC);
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, k->hk_plural);
    textbuf_puts(&rs->rs_body, ",\"items\":");
    if (api_rows(&rs->rs_body, st, NULL, rs, &count) == 0) {
        textbuf_printf(&rs->rs_body, ",\"count\":%zu}", count);
        http__ok(rs, 200);
    }
    sqlite3_finalize(st);
}

/* ---- GET one record --------------------------------------------------------- */

/* Resolves id to a record of kind k: 0, or -1 with a 4xx in rs. */
int
http__find(struct home *h, const struct http__kind *k, const char *id,
         struct view_record_info *info, struct http__resp *rs)
{
    int rc = view_record_find(h->h_store, id, info);
    const char *name = entry_kind_name(k->hk_kind);

    if (rc == ILONET_EINVAL) {
        http__error(rs, 400, "invalid-argument",
                    "%.80s: not a record id (hex, at least 6 digits, "
                    "unambiguous)",
                    id);
        return -1;
    }
    if (rc == ILONET_ENOTFOUND || (rc == 0 && info->vr_kind != k->hk_kind)) {
        http__error(rs, 404, "not-found", "%.80s: no such %s in the view", id,
                    name);
        return -1;
    }
    if (rc != 0) {
        http__error(rs, 500, ilonet_errname(rc), "%s", ilonet_strerror(rc));
        return -1;
    }
    return 0;
}

void
http__show(struct home *h, const struct http__kind *k, const char *id,
         struct http__req *rq, struct http__resp *rs)
{
    struct view_record_info info;
    sqlite3_stmt *st = NULL, *ch = NULL;
    char hex[2 * HASH_LEN + 1];

    if (http__params_done(rq, rs) != 0 || http__find(h, k, id, &info, rs) != 0)
        return;
    hash_hex(info.vr_id, HASH_LEN, hex);
    if (!(st = http__prepare(h, "SELECT * FROM records WHERE id = ?", rs)) ||
        !(ch = http__prepare(h,
                           "SELECT id, kind, author_state, behalf, time_ms,"
                           " status, valid, why FROM changes WHERE target = ?"
                           " ORDER BY hlc, id",
                           rs)))
        goto out;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(ch, 1, hex, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        http__error(rs, 404, "not-found", "%s: no such record", hex);
        goto out;
    }
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, entry_kind_name(info.vr_kind));
    textbuf_puts(&rs->rs_body, ",\"record\":");
    api_row(&rs->rs_body, st, record_schema(info.vr_kind));
    textbuf_puts(&rs->rs_body, ",\"history\":");
    if (api_rows(&rs->rs_body, ch, NULL, rs, NULL) == 0) {
        textbuf_puts(&rs->rs_body, "}");
        http__ok(rs, 200);
    }
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ch);
}

/* ---- status, stats, recent, grants, evidence --------------------------------- */

void
http__status(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct log_head *heads = NULL;
    size_t n = 0;
    uint64_t entries = 0, logs = 0, ev = 0, q = 0;
    uint8_t vh[HASH_LEN], hd[HASH_LEN];
    uint8_t *peers = NULL;
    size_t peers_len = 0;
    int rc;

    if (http__params_done(rq, rs) != 0)
        return;
    if ((rc = log_heads(h->h_store, &heads, &n)) != 0 ||
        (rc = log_counts(h->h_store, &entries, &logs, &ev, &q)) != 0 ||
        (rc = view_hash(h->h_store, NULL, vh)) != 0 ||
        (rc = log_heads_digest(h->h_store, hd)) != 0) {
        free(heads);
        http__error(rs, rc == ILONET_EBUSY ? 503 : 500, ilonet_errname(rc),
                    "status: %s", ilonet_strerror(rc));
        return;
    }
    if (store_meta_get(h->h_store, "peer_status", &peers, &peers_len) != 0)
        peers = NULL;
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
    textbuf_printf(b, ",\"now_ms\":%llu,\"peers\":",
                     (unsigned long long)home_now_ms());
    if (peers) {
        textbuf_put(b, peers, peers_len);
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
    for (size_t i = 0, k = 0; i < n; i++) {
        struct cert c;
        uint64_t total = 0;
        size_t nlogs = 0;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = memcmp(heads[j].lh_log.ld_author, heads[i].lh_log.ld_author,
                          KEY_PK_LEN) == 0;
        if (seen)
            continue;
        for (size_t j = i; j < n; j++)
            if (memcmp(heads[j].lh_log.ld_author, heads[i].lh_log.ld_author,
                       KEY_PK_LEN) == 0) {
                total += heads[j].lh_seq;
                nlogs++;
            }
        textbuf_puts(b, k++ ? ",{\"node\":\"" : "{\"node\":\"");
        json_hex(b, heads[i].lh_log.ld_author, KEY_PK_LEN);
        textbuf_puts(b, "\"");
        if (log_author_cert(h->h_store, heads[i].lh_log.ld_author, &c) == 0) {
            textbuf_puts(b, ",\"state\":");
            json_str(b, c.c_state);
            textbuf_puts(b, ",\"role\":");
            json_str(b, cert_role_name(c.c_role));
        }
        textbuf_printf(b, ",\"logs\":%zu,\"entries\":%llu,\"self\":%s}",
                         nlogs, (unsigned long long)total,
                         memcmp(heads[i].lh_log.ld_author, h->h_key.pk,
                                KEY_PK_LEN) == 0
                             ? "true"
                             : "false");
    }
    textbuf_puts(b, "],\"heads\":[");
    for (size_t i = 0; i < n; i++) {
        textbuf_puts(b, i ? ",{\"log\":\"" : "{\"log\":\"");
        json_hex(b, heads[i].lh_log.ld_id, HASH_LEN);
        textbuf_puts(b, "\",\"author\":\"");
        json_hex(b, heads[i].lh_log.ld_author, KEY_PK_LEN);
        textbuf_puts(b, "\",\"audience\":");
        json_str(b, heads[i].lh_log.ld_audience);
        textbuf_printf(b, ",\"seq\":%llu,\"frozen\":%s}",
                         (unsigned long long)heads[i].lh_seq,
                         heads[i].lh_frozen ? "true" : "false");
    }
    textbuf_puts(b, "],\"heads_digest\":\"");
    json_hex(b, hd, HASH_LEN);
    textbuf_puts(b, "\",\"view_hash\":\"");
    json_hex(b, vh, HASH_LEN);
    textbuf_printf(b,
                     "\",\"entries\":%llu,\"logs\":%llu,\"evidence\":%llu,"
                     "\"quarantine\":%llu}",
                     (unsigned long long)entries, (unsigned long long)logs,
                     (unsigned long long)ev, (unsigned long long)q);
    free(peers);
    free(heads);
    http__ok(rs, 200);
}

/* Observations per category and month, and counts per record kind. */
void
http__stats(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st = NULL;
    struct textbuf *b = &rs->rs_body;

    if (http__params_done(rq, rs) != 0)
        return;
    if (!(st = http__prepare(
              h,
              "SELECT category, strftime('%Y-%m', time_ms / 1000, "
              "'unixepoch') AS month, count(*) AS n FROM observations GROUP "
              "BY 1, 2 ORDER BY 2, 1",
              rs)))
        return;
    textbuf_puts(b, "{\"categories\":[");
    for (size_t i = 0; record_categories[i]; i++) {
        if (i)
            textbuf_puts(b, ",");
        json_str(b, record_categories[i]);
    }
    textbuf_puts(b, "],\"observations_by_month\":");
    if (api_rows(b, st, NULL, rs, NULL) != 0)
        goto out;
    sqlite3_finalize(st);
    if (!(st = http__prepare(
              h,
              "SELECT (SELECT count(*) FROM observations) AS observations,"
              " (SELECT count(*) FROM meetings) AS meetings,"
              " (SELECT count(*) FROM trainings) AS trainings,"
              " (SELECT count(*) FROM carriers) AS carriers,"
              " (SELECT count(*) FROM contacts) AS contacts,"
              " (SELECT count(*) FROM postings) AS postings,"
              " (SELECT count(*) FROM tasks) AS tasks,"
              " (SELECT count(*) FROM grants) AS grants",
              rs)))
        return;
    textbuf_puts(b, ",\"kinds\":");
    if (sqlite3_step(st) == SQLITE_ROW)
        api_row(b, st, NULL);
    else
        textbuf_puts(b, "{}");
    textbuf_puts(b, "}");
    http__ok(rs, 200);
out:
    sqlite3_finalize(st);
}

void
http__recent(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st;
    long limit;

    if (http__limit(rq, rs, 20, 500, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    if (!(st = http__prepare(
              h,
              "SELECT id, kind, state, author_state, audience, time_ms, "
              "status, valid, coalesce(summary, title, topics, counterpart, "
              "carrier, post, semester) AS summary, category FROM records "
              "ORDER BY hlc DESC, id LIMIT ?",
              rs)))
        return;
    sqlite3_bind_int64(st, 1, limit);
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (api_rows(&rs->rs_body, st, NULL, rs, NULL) == 0) {
        textbuf_puts(&rs->rs_body, "}");
        http__ok(rs, 200);
    }
    sqlite3_finalize(st);
}

void
http__grants(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st;
    uint64_t now = home_now_ms();

    if (http__params_done(rq, rs) != 0)
        return;
    if (!(st = http__prepare(
              h,
              "SELECT *, (valid = 1 AND not_before <= ?1 / 1000 AND "
              "not_after >= ?1 / 1000 AND (revoked_at_ms IS NULL OR "
              "revoked_at_ms > ?1)) AS in_force FROM grants ORDER BY "
              "represented, representing, id",
              rs)))
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (api_rows(&rs->rs_body, st, NULL, rs, NULL) == 0) {
        textbuf_puts(&rs->rs_body, "}");
        http__ok(rs, 200);
    }
    sqlite3_finalize(st);
}

void
http__evidence(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    sqlite3_stmt *st;
    size_t k = 0;
    int rc;

    if (http__params_done(rq, rs) != 0)
        return;
    if (!(st = http__prepare(
              h,
              "SELECT lower(hex(log_id)) AS log, seq, lower(hex(author)) AS "
              "author, audience, lower(hex(id_a)) AS entry_a, "
              "lower(hex(id_b)) AS entry_b, author AS k FROM evidence ORDER "
              "BY log_id, seq",
              rs)))
        return;
    /* Forks, with the author's state named when its certificate is held. */
    textbuf_puts(b, "{\"evidence\":[");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cert c;
        const void *pk = sqlite3_column_blob(st, 6);
        textbuf_puts(b, k++ ? ",{" : "{");
        for (int i = 0; i < 6; i++) {
            json_str(b, sqlite3_column_name(st, i));
            textbuf_puts(b, ":");
            if (i == 1)
                textbuf_printf(b, "%lld",
                                 (long long)sqlite3_column_int64(st, i));
            else
                json_str(b,
                                   (const char *)sqlite3_column_text(st, i));
            textbuf_puts(b, ",");
        }
        textbuf_puts(b, "\"author_state\":");
        if (pk && sqlite3_column_bytes(st, 6) == KEY_PK_LEN &&
            log_author_cert(h->h_store, pk, &c) == 0)
            json_str(b, c.c_state);
        else
            textbuf_puts(b, "null");
        textbuf_puts(b, "}");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        http__error(rs, 500, "io", "store: evidence");
        return;
    }
    if (!(st = http__prepare(h,
                           "SELECT lower(hex(log_id)), seq, "
                           "lower(hex(entry_id)), code, until_ms FROM "
                           "quarantine ORDER BY log_id, seq",
                           rs)))
        return;
    textbuf_puts(b, "],\"quarantine\":[");
    k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int code = sqlite3_column_int(st, 3);
        textbuf_puts(b, k++ ? ",{\"log\":" : "{\"log\":");
        json_str(b, (const char *)sqlite3_column_text(st, 0));
        textbuf_printf(b, ",\"seq\":%lld,\"entry\":",
                         (long long)sqlite3_column_int64(st, 1));
        json_str(b, (const char *)sqlite3_column_text(st, 2));
        textbuf_puts(b, ",\"code\":");
        json_str(b, ilonet_errname(code));
        textbuf_puts(b, ",\"reason\":");
        json_str(b, ilonet_strerror(code));
        textbuf_printf(b, ",\"until_ms\":%lld}",
                         (long long)sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        http__error(rs, 500, "io", "store: quarantine");
        return;
    }
    textbuf_puts(b, "]}");
    http__ok(rs, 200);
}

/* GET /api/report?semester=&format=&download= (cmd_report.c). */