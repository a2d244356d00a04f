/* http_api.c - the JSON API: lists, records, writes, status, grants, evidence, report. */
#include "http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crypto/error.h"
#include "node/report/report.h"
#include "storage/entry.h"
#include "storage/log.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

/* A record kind as the API serves it. Dates for the period filter:
 * from/to are SQL expressions over the view's columns (ISO dates). */
struct api_kind {
    const char *ak_plural;
    uint32_t ak_kind;
    const char *ak_view;
    const char *ak_state; /* owning state column */
    const char *ak_from, *ak_to;
    const char *ak_text; /* columns searched by ?text= */
};

#define API_DAY "date(time_ms / 1000, 'unixepoch')"

static const struct api_kind api_kinds[] = {
    {"observations", KIND_OBSERVATION, "observations", "state",
     "coalesce(period_from, " API_DAY ")", "coalesce(period_to, " API_DAY ")",
     "summary detail place source nationality unit"},
    {"meetings", KIND_MEETING, "meetings", "state", "date", "date",
     "place topics participants reason convenor"},
    {"trainings", KIND_TRAINING, "trainings", "state", "date", "date",
     "title detail place organiser"},
    {"carriers", KIND_CARRIER, "carriers", "state", "date", "date",
     "carrier position detail states"},
    {"contacts", KIND_CONTACT, "contacts", "state", "date", "date",
     "counterpart summary topics place"},
    {"postings", KIND_POSTING, "postings", "state", "\"from\"",
     "coalesce(\"until\", '9999-12-31')", "post remit"},
    {"tasks", KIND_TASK, "tasks", "creator", API_DAY, API_DAY,
     "title detail \"for\""},
    {"acting-presidencies", KIND_ACTING_PRESIDENCY, "acting_presidencies",
     "state", API_DAY, API_DAY, "reason acting_state semester"},
};

#define API_NKINDS (sizeof(api_kinds) / sizeof(api_kinds[0]))
#define API_LIST_MAX 5000
#define API_LIST_DEFAULT 1000

static const struct api_kind *
api_kind(const char *plural)
{
    for (size_t i = 0; i < API_NKINDS; i++)
        if (strcmp(api_kinds[i].ak_plural, plural) == 0)
            return &api_kinds[i];
    return NULL;
}

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

static void
api_ok(struct http__resp *rs, int status)
{
    rs->rs_status = status;
    rs->rs_type = "application/json";
    textbuf_put(&rs->rs_body, "\n", 1);
}

static sqlite3_stmt *
api_prepare(struct home *h, const char *sql, struct http__resp *rs)
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

/* ---- query parameters ---------------------------------------------------- */

static const char *
api_param(struct http__req *rq, const char *name)
{
    for (size_t i = 0; i < rq->rq_nparams; i++)
        if (strcmp(rq->rq_params[i].hp_name, name) == 0) {
            rq->rq_params[i].hp_used = 1;
            return rq->rq_params[i].hp_value;
        }
    return NULL;
}

/* Every parameter must have been used: 0, or -1 with a 400 naming it. */
static int
api_params_done(struct http__req *rq, struct http__resp *rs)
{
    for (size_t i = 0; i < rq->rq_nparams; i++)
        if (!rq->rq_params[i].hp_used) {
            http__error(rs, 400, "invalid-argument",
                        "query '%.60s': unknown parameter here",
                        rq->rq_params[i].hp_name);
            return -1;
        }
    return 0;
}

/* limit=N (1..max); dflt when absent. */
static int
api_limit(struct http__req *rq, struct http__resp *rs, long dflt, long max,
          long *out)
{
    const char *v = api_param(rq, "limit");
    char *end;
    long n;

    *out = dflt;
    if (!v)
        return 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > max) {
        http__error(rs, 400, "invalid-argument",
                    "query 'limit': '%.40s' is not a number from 1 to %ld", v,
                    max);
        return -1;
    }
    *out = n;
    return 0;
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

static void
api_list(struct home *h, const struct api_kind *k, struct http__req *rq,
         struct http__resp *rs)
{
    const char *cat = api_param(rq, "category");
    const char *per = api_param(rq, "period");
    const char *aud = api_param(rq, "audience");
    const char *state = api_param(rq, "state");
    const char *status = api_param(rq, "status");
    const char *text = api_param(rq, "text");
    char from[11], to[11], audn[ENTRY_AUDIENCE_MAX + 1];
    struct textbuf sql = {0};
    sqlite3_stmt *st = NULL;
    long limit;
    int bind = 0;
    size_t count = 0;

    if (api_limit(rq, rs, API_LIST_DEFAULT, API_LIST_MAX, &limit) != 0 ||
        api_params_done(rq, rs) != 0)
        return;
    if (cat && k->ak_kind != KIND_OBSERVATION) {
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
    if (status && k->ak_kind != KIND_TASK) {
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
    textbuf_printf(&sql, "SELECT * FROM %s WHERE 1", k->ak_view);
    if (cat)
        textbuf_puts(&sql, " AND category = ?");
    if (per)
        textbuf_printf(&sql, " AND %s <= ? AND %s >= ?", k->ak_from,
                         k->ak_to);
    if (aud)
        textbuf_puts(&sql, " AND audience = ?");
    if (state)
        textbuf_printf(&sql, " AND %s = ?", k->ak_state);
    if (status)
        textbuf_puts(&sql, strcmp(status, "open") == 0
                                 ? " AND status IS NULL AND ? = 'open'"
                                 : " AND status = ?");
    if (text) {
        const char *p = k->ak_text;
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
    if (sql.tb_err || !(st = api_prepare(h, sql.tb_data, rs))) {
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
    json_str(&rs->rs_body, k->ak_plural);
    textbuf_puts(&rs->rs_body, ",\"items\":");
    if (api_rows(&rs->rs_body, st, NULL, rs, &count) == 0) {
        textbuf_printf(&rs->rs_body, ",\"count\":%zu}", count);
        api_ok(rs, 200);
    }
    sqlite3_finalize(st);
}

/* ---- GET one record --------------------------------------------------------- */

/* Resolves id to a record of kind k: 0, or -1 with a 4xx in rs. */
static int
api_find(struct home *h, const struct api_kind *k, const char *id,
         struct view_record_info *info, struct http__resp *rs)
{
    int rc = view_record_find(h->h_store, id, info);
    const char *name = entry_kind_name(k->ak_kind);

    if (rc == ILONET_EINVAL) {
        http__error(rs, 400, "invalid-argument",
                    "%.80s: not a record id (hex, at least 6 digits, "
                    "unambiguous)",
                    id);
        return -1;
    }
    if (rc == ILONET_ENOTFOUND || (rc == 0 && info->vr_kind != k->ak_kind)) {
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

static void
api_show(struct home *h, const struct api_kind *k, const char *id,
         struct http__req *rq, struct http__resp *rs)
{
    struct view_record_info info;
    sqlite3_stmt *st = NULL, *ch = NULL;
    char hex[2 * HASH_LEN + 1];

    if (api_params_done(rq, rs) != 0 || api_find(h, k, id, &info, rs) != 0)
        return;
    hash_hex(info.vr_id, HASH_LEN, hex);
    if (!(st = api_prepare(h, "SELECT * FROM records WHERE id = ?", rs)) ||
        !(ch = api_prepare(h,
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
        api_ok(rs, 200);
    }
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ch);
}

/* ---- writes ------------------------------------------------------------------ */

struct api_body {
    size_t ab_n;
    struct json_field ab_f[JSON_FIELDS_MAX];
    char *ab_mem;
};

static int
api_body(struct http__req *rq, struct api_body *b, struct http__resp *rs)
{
    char why[256];
    int rc;

    memset(b, 0, sizeof(*b));
    if (rq->rq_body_len == 0)
        return 0; /* no body: no fields */
    rc = json_parse_flat(rq->rq_body, rq->rq_body_len, b->ab_f,
                          JSON_FIELDS_MAX, &b->ab_n, &b->ab_mem, why,
                          sizeof(why));
    if (rc != 0) {
        http__error(rs, rc == ILONET_ENOMEM ? 503 : 400, ilonet_errname(rc),
                    "%s", why);
        return -1;
    }
    return 0;
}

/* Takes the field name out of the body (marks it consumed): its value,
 * or NULL. */
static const char *
api_take(struct api_body *b, const char *name)
{
    for (size_t i = 0; i < b->ab_n; i++)
        if (b->ab_f[i].jf_name && strcmp(b->ab_f[i].jf_name, name) == 0) {
            const char *v = b->ab_f[i].jf_null ? NULL : b->ab_f[i].jf_value;
            b->ab_f[i].jf_name = NULL;
            return v;
        }
    return NULL;
}

/* The CLI's messages for a failed append (cmd_record.c rec_append). */
static void
api_append_error(struct http__resp *rs, struct home *h, const char *aud,
                 int rc)
{
    switch (rc) {
    case ILONET_EUNKNOWNAUTHOR:
        http__error(rs, 409, "unknown-author",
                    "unknown-author: no certificate installed (ilonet cert "
                    "install FILE)");
        break;
    case ILONET_EAUDIENCE:
        http__error(rs, 403, "audience",
                    "audience: this node (%s) is not a member of audience %s",
                    h->h_cert.c_state, aud);
        break;
    case ILONET_EFROZEN:
    case ILONET_ESELFBEHIND:
        http__error(rs, 409, ilonet_errname(rc), "%s: %s",
                    ilonet_errname(rc), ilonet_strerror(rc));
        break;
    case ILONET_EBUSY:
        http__error(rs, 503, "busy", "busy: %s", ilonet_strerror(rc));
        break;
    default:
        http__error(rs, 500, ilonet_errname(rc), "%s: %s",
                    ilonet_errname(rc), ilonet_strerror(rc));
    }
}

/* Appends the built payload; 201 {"id": ..., "audience": ...}. */
static void
api_append(struct home *h, const char *aud, uint32_t kind,
           struct wire_buf *wb, struct http__resp *rs)
{
    struct log_append_req req = {kind, wb->wb_data, wb->wb_len};
    struct log_ref ref;
    char hex[2 * HASH_LEN + 1];
    int rc;

    if (wb->wb_err) {
        http__error(rs, 400, "too-big", "too-big: payload over %d bytes",
                    ENTRY_PAYLOAD_MAX);
        return;
    }
    rc = log_append(h->h_store, &h->h_key, aud, &req, 1, home_now_ms(), &ref);
    if (rc != 0) {
        api_append_error(rs, h, aud, rc);
        return;
    }
    hash_hex(ref.lr_id, HASH_LEN, hex);
    textbuf_puts(&rs->rs_body, "{\"id\":");
    json_str(&rs->rs_body, hex);
    textbuf_puts(&rs->rs_body, ",\"audience\":");
    json_str(&rs->rs_body, aud);
    textbuf_puts(&rs->rs_body, "}");
    api_ok(rs, 201);
}

/* The builder's reason as a 400. */
static void
api_field_error(struct http__resp *rs, const struct record_builder *b)
{
    http__error(rs, 400, "invalid-argument", "%s", b->rb_err);
}

/* Group audience states must be in the roster (rec_audience_known). */
static int
api_audience_known(struct home *h, const char *aud, struct http__resp *rs)
{
    char st[KEY_STATE_MAX + 1];
    const char *p = aud;

    if (strcmp(aud, "net") == 0 || strcmp(aud, "ms") == 0)
        return 0;
    while (p && *p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);
        snprintf(st, sizeof(st), "%.*s", (int)l, p);
        if (!roster_find(&h->h_roster, st)) {
            http__error(rs, 400, "invalid-argument",
                        "field 'audience': %s is not a state of the trust "
                        "roster",
                        st);
            return -1;
        }
        p = plus ? plus + 1 : NULL;
    }
    return 0;
}

/* Writing for another state: finds the grant (rec_behalf). */
static int
api_behalf(struct home *h, struct record_builder *b, const char *behalf,
           uint32_t rkind, const char *category, const char *aud,
           struct http__resp *rs)
{
    uint8_t gid[HASH_LEN];
    const char *me = h->h_cert.c_state;

    if (!behalf || strcmp(behalf, me) == 0)
        return 0;
    if (!key_state_valid(behalf)) {
        http__error(rs, 400, "invalid-argument",
                    "field 'on-behalf-of': '%.20s' is not a state code",
                    behalf);
        return -1;
    }
    if (view_grant_find(h->h_store, behalf, me, rkind, category, aud,
                        home_now_ms() << 16, gid) != 0) {
        http__error(rs, 403, "bad-delegation",
                    "on-behalf-of %s: no valid grant from %s to %s covering "
                    "%s%s%s in audience %s is held (ilonet grant publish "
                    "FILE)",
                    behalf, behalf, me, entry_kind_name(rkind),
                    category ? " " : "", category ? category : "", aud);
        return -1;
    }
    if (record_set(b, "on-behalf-of", behalf) != 0 ||
        record_set_id(b, "grant", gid) != 0) {
        api_field_error(rs, b);
        return -1;
    }
    return 0;
}

/* The audience of a task: creator, writer and assignees (cmd_task.c). */
static int
api_task_audience(const char *me, const char *behalf, const char *for_list,
                  char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char buf[256];

    if ((size_t)snprintf(buf, sizeof(buf), "%s%s%s+%s", me, behalf ? "+" : "",
                         behalf ? behalf : "", for_list) >= sizeof(buf))
        return ILONET_EINVAL;
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '+';
    {
        char tmp[256], *tok, *save = NULL;
        size_t off = 0;
        tmp[0] = '\0';
        for (tok = strtok_r(buf, "+", &save); tok;
             tok = strtok_r(NULL, "+", &save)) {
            char probe[40], have[260];
            snprintf(probe, sizeof(probe), "+%s+", tok);
            snprintf(have, sizeof(have), "+%s+", tmp);
            if (strstr(have, probe))
                continue;
            off += (size_t)snprintf(tmp + off, sizeof(tmp) - off, "%s%s",
                                    off ? "+" : "", tok);
            if (off >= sizeof(tmp))
                return ILONET_EINVAL;
        }
        return audience_normalise(tmp, out);
    }
}

/* POST /api/<kind>: creates a record (rec_create, task_create). */
static void
api_create(struct http_server *s, const struct api_kind *k,
           struct http__req *rq, struct http__resp *rs)
{
    struct api_body body;
    struct record_builder b;
    struct wire_buf wb;
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *audv, *behalf, *excl = NULL, *cat = NULL, *for_list = NULL;
    const char *dflt = "net";
    struct home *h = NULL;

    if (api_params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    audv = api_take(&body, "audience");
    behalf = api_take(&body, "on-behalf-of");
    if (record_builder_init(&b, k->ak_kind) != 0) {
        api_field_error(rs, &b);
        goto out;
    }
    for (size_t i = 0; i < body.ab_n; i++) {
        const struct json_field *f = &body.ab_f[i];
        const struct record_field *rf;
        if (!f->jf_name || f->jf_null)
            continue; /* taken, or null: absent */
        rf = record_field(b.rb_schema, f->jf_name);
        if (rf && (rf->rf_flags & RF_INTERNAL)) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': set by ilonet, not an option",
                        f->jf_name);
            goto out;
        }
        if (record_set(&b, f->jf_name, f->jf_value) != 0) {
            api_field_error(rs, &b);
            goto out;
        }
        if (strcmp(f->jf_name, "commission") == 0)
            excl = f->jf_value;
        if (strcmp(f->jf_name, "category") == 0)
            cat = f->jf_value;
        if (strcmp(f->jf_name, "for") == 0)
            for_list = f->jf_value;
    }
    if (k->ak_kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0)
        dflt = "ms"; /* held without the Commission: Member States only */
    if (k->ak_kind != KIND_TASK || audv) {
        if (audience_normalise(audv ? audv : dflt, aud) != 0) {
            http__error(rs, 400, "invalid-argument",
                        "field 'audience': '%.60s' is not net, ms or a group "
                        "of state codes like DE+FR",
                        audv ? audv : dflt);
            goto out;
        }
    }
    if (k->ak_kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0 &&
        (audience_admits(aud, "EU", ROLE_COMMISSION) ||
         audience_admits(aud, "FRONTEX", ROLE_AGENCY))) {
        http__error(rs, 400, "invalid-argument",
                    "field 'audience': a meeting without the Commission "
                    "cannot be in audience %s (use ms or a group of Member "
                    "States)",
                    aud);
        goto out;
    }
    /* Every field is checked before the store is touched. */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(&b, &wb) != 0) {
        wire_buf_free(&wb);
        api_field_error(rs, &b);
        goto out;
    }
    wire_buf_free(&wb);
    if (!(h = http__home_get(s, rs)))
        goto out;
    if (k->ak_kind == KIND_TASK && !audv &&
        api_task_audience(h->h_cert.c_state, behalf, for_list, aud) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "field 'for': %.60s does not make a group of 2 to 16 "
                    "states with %s",
                    for_list ? for_list : "", h->h_cert.c_state);
        goto out;
    }
    if (api_audience_known(h, aud, rs) != 0 ||
        api_behalf(h, &b, behalf, k->ak_kind, cat, aud, rs) != 0)
        goto out;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(&b, &wb) != 0)
        api_field_error(rs, &b);
    else
        api_append(h, aud, k->ak_kind, &wb, rs);
    wire_buf_free(&wb);
out:
    http__home_put(s, h);
    free(body.ab_mem);
}

/* POST /api/<kind>/<id>/amend|retract|erase (rec_change). */
static void
api_change(struct http_server *s, const struct api_kind *k, const char *id,
           uint32_t kind, struct http__req *rq, struct http__resp *rs)
{
    struct view_record_info info;
    struct record_builder b, fb;
    struct api_body body;
    struct wire_buf wb, fw;
    const char *reason = NULL, *me;
    struct home *h = NULL;
    size_t nfields = 0;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_buf_init(&fw, ENTRY_PAYLOAD_MAX);
    if (api_params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        goto done;
    if (kind != KIND_AMEND)
        reason = api_take(&body, "reason");
    for (size_t i = 0; i < body.ab_n; i++) {
        if (!body.ab_f[i].jf_name)
            continue;
        if (kind != KIND_AMEND) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': unknown field for %s",
                        body.ab_f[i].jf_name, entry_kind_name(kind));
            goto out;
        }
        nfields++;
    }
    if (kind == KIND_AMEND && nfields == 0) {
        http__error(rs, 400, "invalid-argument",
                    "no field to amend: send {\"FIELD\": VALUE, ...}");
        goto out;
    }
    if (!(h = http__home_get(s, rs)) || api_find(h, k, id, &info, rs) != 0)
        goto out;
    if (strcmp(info.vr_status, "erased") == 0 && kind != KIND_ERASE) {
        http__error(rs, 409, "invalid-argument",
                    "%.80s: the record is erased", id);
        goto out;
    }
    if (kind == KIND_AMEND) {
        if (record_builder_init_amend(&fb, info.vr_kind) != 0) {
            api_field_error(rs, &fb);
            goto out;
        }
        for (size_t i = 0; i < body.ab_n; i++) {
            const struct json_field *f = &body.ab_f[i];
            if (record_set(&fb, f->jf_name,
                           f->jf_null ? "" : f->jf_value) != 0) {
                api_field_error(rs, &fb);
                goto out;
            }
        }
        if (record_build(&fb, &fw) != 0) {
            api_field_error(rs, &fb);
            goto out;
        }
    }
    record_builder_init(&b, kind);
    if (record_set_id(&b, "record", info.vr_id) != 0 ||
        (kind == KIND_AMEND &&
         record_set_raw(&b, "fields", fw.wb_data, fw.wb_len) != 0) ||
        (reason && record_set(&b, "reason", reason) != 0)) {
        api_field_error(rs, &b);
        goto out;
    }
    me = h->h_cert.c_state;
    if (strcmp(me, info.vr_owner) != 0 &&
        !(kind == KIND_ERASE && strcmp(me, info.vr_author_state) == 0) &&
        api_behalf(h, &b, info.vr_owner, info.vr_kind,
                   info.vr_category[0] ? info.vr_category : NULL,
                   info.vr_audience, rs) != 0)
        goto out;
    if (record_build(&b, &wb) != 0) {
        api_field_error(rs, &b);
        goto out;
    }
    api_append(h, info.vr_audience, kind, &wb, rs);
    if (rs->rs_status == 201 && kind == KIND_ERASE)
        /* Fold the WAL back so no old page image keeps the bytes; while
         * the node holds the store this may be deferred (as in the CLI). */
        sqlite3_wal_checkpoint_v2(store_db(h->h_store), NULL,
                                  SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
out:
    free(body.ab_mem);
done:
    wire_buf_free(&fw);
    wire_buf_free(&wb);
    http__home_put(s, h);
}

/* POST /api/tasks/<id>/accept|decline|start|done|cancel (task_status). */
static void
api_task_status(struct http_server *s, const struct api_kind *k,
                const char *id, const char *status, struct http__req *rq,
                struct http__resp *rs)
{
    struct view_record_info info;
    struct record_builder b;
    struct api_body body;
    struct wire_buf wb;
    const char *note;
    char assignees[256] = "";
    struct home *h = NULL;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (api_params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        goto done;
    note = api_take(&body, "note");
    for (size_t i = 0; i < body.ab_n; i++)
        if (body.ab_f[i].jf_name) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': unknown field for task-status",
                        body.ab_f[i].jf_name);
            goto out;
        }
    if (!(h = http__home_get(s, rs)) || api_find(h, k, id, &info, rs) != 0)
        goto out;
    view_task_assignees(h->h_store, info.vr_id, assignees, sizeof(assignees));
    record_builder_init(&b, KIND_TASK_STATUS);
    if (record_set_id(&b, "task", info.vr_id) != 0 ||
        record_set(&b, "status", status) != 0 ||
        (note && record_set(&b, "note", note) != 0)) {
        api_field_error(rs, &b);
        goto out;
    }
    if (strcmp(status, "cancel") == 0) {
        if (strcmp(h->h_cert.c_state, info.vr_owner) != 0 &&
            api_behalf(h, &b, info.vr_owner, KIND_TASK, NULL,
                       info.vr_audience, rs) != 0)
            goto out;
    } else if (!view_list_has(assignees, h->h_cert.c_state)) {
        http__error(rs, 403, "unauthorised",
                    "%.80s: %s is not an assignee of this task (%s)", id,
                    h->h_cert.c_state, assignees);
        goto out;
    }
    if (record_build(&b, &wb) != 0)
        api_field_error(rs, &b);
    else
        api_append(h, info.vr_audience, KIND_TASK_STATUS, &wb, rs);
out:
    free(body.ab_mem);
done:
    wire_buf_free(&wb);
    http__home_put(s, h);
}

/* ---- status, stats, recent, grants, evidence --------------------------------- */

static void
api_status(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct log_head *heads = NULL;
    size_t n = 0;
    uint64_t entries = 0, logs = 0, ev = 0, q = 0;
    uint8_t vh[HASH_LEN], hd[HASH_LEN];
    uint8_t *peers = NULL;
    size_t peers_len = 0;
    int rc;

    if (api_params_done(rq, rs) != 0)
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
    api_ok(rs, 200);
}

/* Observations per category and month, and counts per record kind. */
static void
api_stats(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st = NULL;
    struct textbuf *b = &rs->rs_body;

    if (api_params_done(rq, rs) != 0)
        return;
    if (!(st = api_prepare(
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
    if (!(st = api_prepare(
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
    api_ok(rs, 200);
out:
    sqlite3_finalize(st);
}

static void
api_recent(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st;
    long limit;

    if (api_limit(rq, rs, 20, 500, &limit) != 0 ||
        api_params_done(rq, rs) != 0)
        return;
    if (!(st = api_prepare(
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
        api_ok(rs, 200);
    }
    sqlite3_finalize(st);
}

static void
api_grants(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    sqlite3_stmt *st;
    uint64_t now = home_now_ms();

    if (api_params_done(rq, rs) != 0)
        return;
    if (!(st = api_prepare(
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
        api_ok(rs, 200);
    }
    sqlite3_finalize(st);
}

static void
api_evidence(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    sqlite3_stmt *st;
    size_t k = 0;
    int rc;

    if (api_params_done(rq, rs) != 0)
        return;
    if (!(st = api_prepare(
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
    if (!(st = api_prepare(h,
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
    api_ok(rs, 200);
}

/* GET /api/report?semester=&format=&download= (cmd_report.c). */
static void
api_report(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    const char *sem = api_param(rq, "semester");
    const char *fmt = api_param(rq, "format");
    const char *dl = api_param(rq, "download");
    struct report_template *t = NULL;
    struct report_rotation *rot = NULL;
    struct report_opts ro;
    enum report_format f = REPORT_MD;
    char err[REPORT_ERR_MAX] = "", *doc = NULL;
    size_t dlen = 0;
    uint64_t a, b;
    int rc;

    if (api_params_done(rq, rs) != 0)
        return;
    if (!sem) {
        http__error(rs, 400, "invalid-argument",
                    "query 'semester': required (YYYY-H1 or YYYY-H2)");
        return;
    }
    if (report_semester_parse(sem, &a, &b) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'semester': %.40s: not YYYY-H1 or YYYY-H2 (e.g. "
                    "2026-H2)",
                    sem);
        return;
    }
    if (fmt && report_format_parse(fmt, &f) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'format': %.40s: unknown format (md, html or json)",
                    fmt);
        return;
    }
    if (dl && strcmp(dl, "0") != 0 && strcmp(dl, "1") != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'download': 0 or 1 expected");
        return;
    }
    if (report_default_template(&t, err, sizeof(err)) != 0 ||
        report_default_rotation(&rot, err, sizeof(err)) != 0) {
        http__error(rs, 500, "invalid-argument", "%s", err);
        goto out;
    }
    memset(&ro, 0, sizeof(ro));
    ro.ro_semester = sem;
    ro.ro_format = f;
    ro.ro_host = h->h_net.n_host;
    ro.ro_network = h->h_net.n_id;
    ro.ro_member_state = cert_role_is_ms(h->h_cert.c_role);
    rc = report_build(h->h_store, t, rot, &ro, &doc, &dlen, err, sizeof(err));
    if (rc != 0) {
        http__error(rs, rc == ILONET_EINVAL ? 400 : 500, ilonet_errname(rc),
                    "%s", err[0] ? err : ilonet_strerror(rc));
        goto out;
    }
    textbuf_put(&rs->rs_body, doc, dlen);
    rs->rs_status = 200;
    rs->rs_type = f == REPORT_HTML   ? "text/html; charset=utf-8"
                  : f == REPORT_JSON ? "application/json"
                                     : "text/markdown; charset=utf-8";
    if (dl && strcmp(dl, "1") == 0)
        snprintf(rs->rs_disposition, sizeof(rs->rs_disposition),
                 "attachment; filename=\"report-%s-%s.%s\"", h->h_net.n_host,
                 sem, f == REPORT_HTML ? "html" : f == REPORT_JSON ? "json"
                                                                   : "md");
out:
    free(doc);
    report_template_free(t);
    report_rotation_free(rot);
}

/* ---- routing ------------------------------------------------------------------- */

static const char *const api_changes[] = {"amend", "retract", "erase", NULL};

static int
api_method(struct http__req *rq, struct http__resp *rs, const char *want)
{
    if (strcmp(rq->rq_method, want) == 0 ||
        (strcmp(want, "GET") == 0 && strcmp(rq->rq_method, "HEAD") == 0))
        return 0;
    http__error(rs, 405, "method-not-allowed",
                "%.10s %.100s: use %s", rq->rq_method, rq->rq_path, want);
    return -1;
}

/* Read-only endpoints: borrow a connection, run fn, give it back. */
static void
api_read(struct http_server *s, struct http__req *rq, struct http__resp *rs,
         void (*fn)(struct home *, struct http__req *, struct http__resp *))
{
    struct home *h;

    if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
        return;
    fn(h, rq, rs);
    http__home_put(s, h);
}

void
http__api(struct http_server *s, struct http__req *rq, struct http__resp *rs)
{
    char *seg[6], *save = NULL, *p, path[512];
    const struct api_kind *k;
    int n = 0;

    /* Tokenise a copy: messages name the path as requested. */
    snprintf(path, sizeof(path), "%s", rq->rq_path);
    for (p = strtok_r(path, "/", &save); p && n < 6;
         p = strtok_r(NULL, "/", &save))
        seg[n++] = p;
    if (p || n == 0 || strcmp(seg[0], "api") != 0 || n > 4)
        goto notfound;
    if (n == 1) {
        if (api_method(rq, rs, "GET") == 0) {
            textbuf_puts(&rs->rs_body,
                           "{\"api\":\"ilonet\",\"version\":1,\"docs\":"
                           "\"docs/API.md\"}");
            api_ok(rs, 200);
        }
        return;
    }
    if (n == 2) {
        static const struct {
            const char *name;
            void (*fn)(struct home *, struct http__req *, struct http__resp *);
        } reads[] = {{"status", api_status},
                     {"stats", api_stats},
                     {"recent", api_recent},
                     {"grants", api_grants},
                     {"evidence", api_evidence},
                     {"report", api_report}};
        for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
            if (strcmp(seg[1], reads[i].name) == 0) {
                api_read(s, rq, rs, reads[i].fn);
                return;
            }
    }
    if (!(k = api_kind(seg[1])))
        goto notfound;
    if (n == 2) {
        if (strcmp(rq->rq_method, "POST") == 0) {
            api_create(s, k, rq, rs);
        } else if (api_method(rq, rs, "GET") == 0) {
            struct home *h = http__home_get(s, rs);
            if (h) {
                api_list(h, k, rq, rs);
                http__home_put(s, h);
            }
        }
        return;
    }
    for (const char *c = seg[2]; *c; c++)
        if (!isxdigit((unsigned char)*c) || c - seg[2] >= 64) {
            http__error(rs, 400, "invalid-argument",
                        "%.80s: not a record id (hex, at least 6 digits, "
                        "unambiguous)",
                        seg[2]);
            return;
        }
    if (n == 3) {
        struct home *h;
        if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
            return;
        api_show(h, k, seg[2], rq, rs);
        http__home_put(s, h);
        return;
    }
    for (size_t i = 0; api_changes[i]; i++)
        if (strcmp(seg[3], api_changes[i]) == 0) {
            if (api_method(rq, rs, "POST") == 0)
                api_change(s, k, seg[2],
                           i == 0   ? KIND_AMEND
                           : i == 1 ? KIND_RETRACT
                                    : KIND_ERASE,
                           rq, rs);
            return;
        }
    if (k->ak_kind == KIND_TASK)
        for (size_t i = 0; record_task_statuses[i]; i++)
            if (strcmp(seg[3], record_task_statuses[i]) == 0) {
                if (api_method(rq, rs, "POST") == 0)
                    api_task_status(s, k, seg[2], record_task_statuses[i],
                                    rq, rs);
                return;
            }
notfound:
    http__error(rs, 404, "not-found", "no such endpoint: %.10s %.200s",
                rq->rq_method, rq->rq_path);
}
