/* view.c - the merged view: schema, entry hook, rebuild, view hash. */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/log.h"
#include "view_int.h"

/* VIEW_VERSION (view.h): bump when the layout or a rule changes; the view
 * is then rebuilt from the log on the next open (it is derived data). */

static const char *const view__schema[] = {
    /* Rows are keyed by the creating entry's position k (entries.k =
     * lid << 32 | seq): inserts during ingest append in key order, and
     * lookups by id go through the log store's id index. A second index
     * keyed by the random id would rewrite most of its pages on every
     * batch. Writing rows is most of what the view costs on ingest, so a
     * row holds nothing its entry already says: the id and HLC are in
     * entries (via k), the author key and audience in logs (lid = k >> 32);
     * the views v_records and v_changes join them back. And the field
     * values go to slots f0.. in the order of the kind's schema
     * (view__slot()): a row has the eleven slots of the widest kind, not
     * the 34 field columns of all kinds, and v_records names them again
     * (view__records_sql()). Slots have no declared type: values keep the
     * type they are bound with. */
    "CREATE TABLE IF NOT EXISTS v_rec("
    "  k INTEGER PRIMARY KEY," /* creating entry: entries.k */
    "  kind INTEGER NOT NULL,"
    "  author_state TEXT NOT NULL,"
    "  owner TEXT NOT NULL,"    /* owning state */
    "  grant_id BLOB,"          /* grant relied on (on behalf) */
    "  base_why TEXT,"          /* payload problem, NULL if fine */
    "  valid INTEGER NOT NULL," /* the creation takes effect */
    "  why TEXT,"               /* why it does not */
    "  status TEXT NOT NULL,"   /* active | retracted | erased */
    "  updated INTEGER,"        /* hlc of the last effective change */
    "  retracted_by BLOB,"
    "  erased_by BLOB,"
    "  task_status TEXT,"
    "  task_status_state TEXT,"
    "  task_status_by BLOB,"
    "  ms INTEGER," /* the creating entry's time (its HLC >> 16): lists
                       sort on it through an index (view_index.c) */
    " " VIEW__SLOT_COLS ");"
    "CREATE INDEX IF NOT EXISTS v_rec_grant ON v_rec(grant_id)"
    "  WHERE grant_id IS NOT NULL;",
    "CREATE TABLE IF NOT EXISTS v_chg("
    "  k INTEGER PRIMARY KEY," /* the change's entry */
    "  target BLOB NOT NULL,"
    "  target_p INTEGER NOT NULL," /* 8-byte prefix of target */
    "  kind INTEGER NOT NULL,"
    "  author_state TEXT NOT NULL,"
    "  behalf TEXT,"
    "  grant_id BLOB,"
    "  status TEXT," /* task-status: the new status */
    "  valid INTEGER NOT NULL DEFAULT 0,"
    "  why TEXT DEFAULT 'record not held'"
    ");"
    "CREATE INDEX IF NOT EXISTS v_chg_target ON v_chg(target_p);"
    "CREATE INDEX IF NOT EXISTS v_chg_grant ON v_chg(grant_id)"
    "  WHERE grant_id IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS v_grants("
    "  entry BLOB NOT NULL UNIQUE," /* publishing entry */
    "  grant_id BLOB NOT NULL,"     /* hash of the envelope */
    "  audience TEXT NOT NULL,"
    "  k INTEGER NOT NULL,"
    "  author BLOB NOT NULL,"
    "  author_state TEXT NOT NULL,"
    "  hlc INTEGER NOT NULL,"
    "  represented TEXT, representing TEXT, scope TEXT,"
    "  not_before INTEGER, not_after INTEGER, serial INTEGER,"
    "  valid INTEGER NOT NULL,"
    "  why TEXT,"
    "  envelope BLOB"
    ");"
    "CREATE INDEX IF NOT EXISTS v_grants_id ON v_grants(grant_id);"
    "CREATE INDEX IF NOT EXISTS v_grants_pair ON v_grants(represented,"
    "  representing);"
    "CREATE TABLE IF NOT EXISTS v_revocations("
    "  entry BLOB NOT NULL UNIQUE,"
    "  rev_id BLOB NOT NULL,"
    "  audience TEXT NOT NULL,"
    "  k INTEGER NOT NULL,"
    "  author BLOB NOT NULL,"
    "  author_state TEXT NOT NULL,"
    "  hlc INTEGER NOT NULL,"
    "  type TEXT, state TEXT, grant_id BLOB, node BLOB, at INTEGER,"
    "  serial INTEGER,"
    "  valid INTEGER NOT NULL,"
    "  why TEXT"
    ");"
    "CREATE INDEX IF NOT EXISTS v_revocations_grant ON"
    "  v_revocations(grant_id);",
    /* The full rows of changes, as table v_changes held them before
     * VIEW_VERSION 5 (same columns and meaning; v_records, its sibling, is
     * view__records_sql()). CROSS JOIN keeps the view's own table the
     * outer loop: its filters run before the two rowid lookups. */
    "CREATE VIEW IF NOT EXISTS v_changes AS SELECT c.k AS k, e.id AS id,"
    "  c.target AS target, c.target_p AS target_p, c.kind AS kind,"
    "  l.audience AS audience, l.author AS author, c.author_state AS"
    "  author_state, e.hlc AS hlc, c.behalf AS behalf, c.grant_id AS"
    "  grant_id, c.status AS status, c.valid AS valid, c.why AS why FROM"
    "  v_chg c CROSS JOIN entries e ON e.k = c.k CROSS JOIN logs l ON"
    "  l.lid = c.k >> 32;",
    /* Read-only views for people and scripts: ids in hex, only what takes
     * effect. time_ms is v_rec.ms (= hlc >> 16), so a period or a newest-first
     * order reaches the index on (kind, ms) through these views. */
    "CREATE VIEW IF NOT EXISTS records AS SELECT lower(hex(id)) AS id,"
    "  kind, audience, owner AS state, author_state, hlc, ms AS"
    "  time_ms, status, valid, why, updated, IIF(grant_id IS NULL, NULL, "
    "lower(hex(grant_id))) AS"
    "  grant_id, " VIEW__FIELD_COLS ", task_status FROM v_records;"
    "CREATE VIEW IF NOT EXISTS observations AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms,"
    "  category, summary, detail, nationality, figure, unit, period,"
    "  substr(period, 1, 10) AS period_from, substr(period, -10) AS"
    "  period_to, level, reliability, source, place, IIF(grant_id IS NULL, "
    "NULL, lower(hex(grant_id)))"
    "  AS grant_id FROM v_records WHERE kind = 2 AND valid = 1 AND"
    "  status = 'active';"
    "CREATE VIEW IF NOT EXISTS meetings AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms, date,"
    "  place, convenor, participants, commission, reason, topics FROM"
    "  v_records WHERE kind = 3 AND valid = 1 AND status = 'active';"
    "CREATE VIEW IF NOT EXISTS trainings AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms, title,"
    "  type, date, place, organiser, attendees, detail FROM v_records WHERE"
    "  kind = 4 AND valid = 1 AND status = 'active';"
    "CREATE VIEW IF NOT EXISTS carriers AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms,"
    "  carrier, position, date, states, detail FROM v_records WHERE"
    "  kind = 5 AND valid = 1 AND status = 'active';"
    "CREATE VIEW IF NOT EXISTS contacts AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms,"
    "  counterpart, type, date, place, summary, topics FROM v_records WHERE"
    "  kind = 6 AND valid = 1 AND status = 'active';"
    "CREATE VIEW IF NOT EXISTS postings AS SELECT lower(hex(id)) AS id,"
    "  owner AS state, author_state, audience, ms AS time_ms, post,"
    "  officers, posted_from AS 'from', posted_until AS 'until', remit FROM"
    "  v_records WHERE kind = 7 AND valid = 1 AND status = 'active';",
    "CREATE VIEW IF NOT EXISTS tasks AS SELECT lower(hex(id)) AS id,"
    "  owner AS creator, author_state, audience, ms AS time_ms,"
    "  title, assignees AS 'for', due, detail, task_status AS status,"
    "  task_status_state AS status_by FROM v_records WHERE kind = 11 AND"
    "  valid = 1 AND status = 'active';"
    "CREATE VIEW IF NOT EXISTS acting_presidencies AS SELECT lower(hex(id))"
    "  AS id, owner AS state, audience, ms AS time_ms, semester,"
    "  acting_state, reason FROM v_records WHERE kind = 15 AND valid = 1 AND"
    "  status = 'active';"
    "CREATE VIEW IF NOT EXISTS changes AS SELECT lower(hex(id)) AS id,"
    "  lower(hex(target)) AS target, kind, audience, author_state, behalf,"
    "  hlc, hlc >> 16 AS time_ms, status, valid, why FROM v_changes;"
    "CREATE VIEW IF NOT EXISTS grants AS SELECT lower(hex(g.grant_id)) AS"
    "  id, g.represented, g.representing, g.scope, g.not_before,"
    "  g.not_after, g.audience, g.author_state AS published_by, g.valid,"
    "  g.why, (SELECT min(r.at) FROM v_revocations r WHERE r.grant_id ="
    "  g.grant_id AND r.valid = 1 AND r.type = 'grant' AND r.state ="
    "  g.represented AND (r.audience = 'net' OR r.audience = g.audience))"
    "  AS revoked_at_ms FROM v_grants g;"
    "CREATE VIEW IF NOT EXISTS revocations AS SELECT lower(hex(rev_id)) AS"
    "  id, type, state, IIF(grant_id IS NULL, NULL, lower(hex(grant_id))) AS "
    "grant_id, IIF(node IS NULL, NULL, lower(hex(node)))"
    "  AS node, at AS at_ms, audience, author_state AS published_by, valid,"
    "  why FROM v_revocations;",
    NULL,
};

/* Everything view_attach() has created under any VIEW_VERSION, views
 * first. A name may be a table in one version and a view in another
 * (v_records, v_changes), so each is dropped as what it is now. */
static const char *const view__objects[] = {
    "records",   "observations", "meetings",
    "trainings", "carriers",     "contacts",
    "postings",  "tasks",        "acting_presidencies",
    "changes",   "grants",       "revocations",
    "v_records", "v_changes",    "v_rec",
    "v_chg",     "v_grants",     "v_revocations",
    "v_counts",  NULL,
};

/* ---- context ---------------------------------------------------------- */

int
view__ctx_init(struct view_ctx *c)
{
    memset(c, 0, sizeof(*c));
    if (!msgpack_zone_init(&c->vc_zone, 4096))
        return ILONET_ENOMEM;
    for (uint32_t k = 0; k < KIND_COUNT_; k++) {
        const struct record_schema *sc = record_schema(k);

        memset(c->vc_col[k], -1, sizeof(c->vc_col[k]));
        c->vc_f_behalf[k] = c->vc_f_grant[k] = -1;
        c->vc_f_category[k] = c->vc_f_for[k] = -1;
        for (size_t i = 0; sc && i < sc->rs_nfields && i < RECORD_MAX_ITEMS;
             i++) {
            const char *name = sc->rs_fields[i].rf_name;

            c->vc_col[k][i] = (signed char)view__slot(sc, i);
            if (strcmp(name, "on-behalf-of") == 0)
                c->vc_f_behalf[k] = (signed char)i;
            else if (strcmp(name, "grant") == 0)
                c->vc_f_grant[k] = (signed char)i;
            else if (strcmp(name, "category") == 0)
                c->vc_f_category[k] = (signed char)i;
            else if (strcmp(name, "for") == 0)
                c->vc_f_for[k] = (signed char)i;
        }
    }
    return 0;
}

void
view__ctx_free(struct view_ctx *c)
{
    msgpack_zone_destroy(&c->vc_zone);
}

static void
view__ctx_destroy(void *p)
{
    if (p) {
        view__ctx_free(p);
        free(p);
    }
}

/* A SQL function that exists only to own the hook context: SQLite calls
 * its destructor when the connection closes. */
static void
view__fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(cx, VIEW_VERSION);
}

/* ---- helpers ------------------------------------------------------------ */

int
view__step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_err(rc);
}

void
view__bind_str(sqlite3_stmt *st, int i, const msgpack_object *o)
{
    if (o && o->type == MSGPACK_OBJECT_STR)
        sqlite3_bind_text(st, i, o->via.str.ptr, (int)o->via.str.size,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void
view__strcpy(char *out, size_t cap, const char *src)
{
    size_t n;

    if (!src)
        src = ""; /* a NULL column (or no memory for its text) */
    n = strnlen(src, cap - 1);

    memcpy(out, src, n);
    out[n] = '\0';
}

void
view__short(const uint8_t *id, char out[static 9])
{
    hash_hex(id, 4, out);
}

int
view__unpack(struct view_ctx *c, const uint8_t *p, size_t n, unsigned pflags,
             msgpack_object *o)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    uint8_t *copy;

    if (!p || n == 0)
        return ILONET_EMALFORMED;
    /* The log store ran the same check on these bytes when it accepted
     * them in this transaction: scanning again would only cost time. */
    lim.max_len = ENTRY_PAYLOAD_MAX;
    if (!(pflags & VIEW__P_CHECKED) && wire_check(p, n, &lim) != 0)
        return ILONET_EMALFORMED;
    /* Strings and bins of the unpacked object point into the bytes:
     * unless the caller keeps them alive, the zone owns a copy, so values
     * stay valid until the zone is cleared whatever happens to the SQLite
     * row the bytes came from. */
    if (pflags & VIEW__P_STABLE)
        return wire_unpack(p, n, &c->vc_zone, o);
    copy = msgpack_zone_malloc(&c->vc_zone, n);
    if (!copy)
        return ILONET_ENOMEM;
    memcpy(copy, p, n);
    return wire_unpack(copy, n, &c->vc_zone, o);
}

int
view__entry_k(struct view_ctx *c, struct store *s, const struct entry *e,
              int64_t *k)
{
    sqlite3_stmt *st;
    int rc;

    if (c->vc_has_k) {
        *k = c->vc_k;
        return 0;
    }
    if (e->e_k) {
        *k = e->e_k; /* the log store passes the position it used */
        return 0;
    }
    /* Not cached: a rolled-back transaction may have given a log a lid
     * that another log gets later. */
    st = store_stmt(s, "SELECT lid FROM logs WHERE log_id = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, e->e_h.h_log, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *k = sqlite3_column_int64(st, 0) << 32 | (int64_t)e->e_h.h_seq;
    sqlite3_reset(st);
    return rc == SQLITE_ROW    ? 0
           : rc == SQLITE_DONE ? ILONET_ENOTFOUND
                               : store_err(rc);
}

const char *
view__author_state(struct view_ctx *c, struct store *s,
                   const uint8_t author[static KEY_PK_LEN])
{
    sqlite3_stmt *st;
    size_t slot;

    for (size_t i = 0; i < c->vc_nauth; i++)
        if (memcmp(c->vc_auth_pk[i], author, KEY_PK_LEN) == 0)
            return c->vc_auth_state[i];
    st = store_stmt(s, "SELECT state FROM certs WHERE node = ?");
    if (!st)
        return "";
    sqlite3_bind_blob(st, 1, author, KEY_PK_LEN, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return ""; /* not cached: the certificate may come later */
    }
    slot = c->vc_nauth < VIEW__AUTHORS ? c->vc_nauth++
                                       : c->vc_next++ % VIEW__AUTHORS;
    memcpy(c->vc_auth_pk[slot], author, KEY_PK_LEN);
    view__strcpy(c->vc_auth_state[slot], sizeof(c->vc_auth_state[slot]),
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return c->vc_auth_state[slot];
}

/* ---- the hook -------------------------------------------------------- */

int
view__apply(struct view_ctx *c, struct store *s, const struct entry *e,
            const char *audience, const uint8_t author[static KEY_PK_LEN],
            unsigned pflags)
{
    uint32_t kind = (uint32_t)e->e_h.h_kind;
    const struct record_schema *sc = record_schema(kind);
    const char *state;

    if (kind == KIND_CERT || !sc)
        return 0;
    msgpack_zone_clear(&c->vc_zone);
    c->vc_pflags = pflags;
    state = view__author_state(c, s, author);
    if (sc->rs_is_record)
        return view__record_create(c, s, e, audience, state);
    switch (kind) {
    case KIND_AMEND:
    case KIND_RETRACT:
    case KIND_ERASE:
    case KIND_TASK_STATUS:
        return view__change_add(c, s, e, audience, author, state);
    case KIND_GRANT: return view__grant_add(c, s, e, audience, author, state);
    case KIND_REVOCATION:
        return view__revocation_add(c, s, e, audience, author, state);
    default: return 0;
    }
}

/* The log store runs the hook right after storing e, from log_append()
 * and log_ingest(), which both checked the payload canonical before
 * storing it; the bytes are the caller's and outlive the call. */
static int
view__hook(void *arg, struct store *s, const struct entry *e,
           const char *audience, const uint8_t author[static KEY_PK_LEN])
{
    return view__apply(arg, s, e, audience, author,
                       VIEW__P_CHECKED | VIEW__P_STABLE);
}

static int
view__freeze(void *arg, struct store *s, const uint8_t log[static HASH_LEN],
             uint64_t fork_seq)
{
    return view__remove_from(arg, s, log, fork_seq);
}

/* ---- attach ------------------------------------------------------------ */

static int
view__exec(struct store *s, const char *sql)
{
    return store_err(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL));
}

/* Drops every object of view__objects that exists. */
static int
view__drop_all(struct store *s)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT upper(type) FROM sqlite_master"
                                     " WHERE name = ? AND type IN"
                                     " ('table', 'view')");
    char sql[96];
    int rc;

    for (size_t i = 0; view__objects[i]; i++) {
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_text(st, 1, view__objects[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            snprintf(sql, sizeof(sql), "DROP %s %s",
                     (const char *)sqlite3_column_text(st, 0),
                     view__objects[i]);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            continue;
        if (rc != SQLITE_ROW)
            return store_err(rc);
        if ((rc = view__exec(s, sql)) != 0)
            return rc;
    }
    return 0;
}

int
view__slot(const struct record_schema *sc, size_t i)
{
    int slot = 0;

    if (!sc->rs_fields[i].rf_column)
        return -1;
    for (size_t j = 0; j < i; j++)
        slot += sc->rs_fields[j].rf_column != NULL;
    return slot;
}

/* Every record kind's fields fit the slots. */
static int
view__slots_ok(void)
{
    for (uint32_t k = 0; k < KIND_COUNT_; k++) {
        const struct record_schema *sc = record_schema(k);

        for (size_t i = 0; sc && sc->rs_is_record && i < sc->rs_nfields; i++)
            if (view__slot(sc, i) >= VIEW__NSLOTS)
                return 0;
    }
    return 1;
}

/* The view v_records: the full record rows, with the columns and meaning
 * table v_records had before VIEW_VERSION 5 (id and HLC from entries,
 * author key and audience from logs, each field column from the slot its
 * kind keeps it in). Written into out (cap bytes). */
static int
view__records_sql(char *out, size_t cap)
{
    const struct record_column *cols;
    size_t n = record_columns(&cols), off;

#define VIEW__PUT(...)                                                         \
    do {                                                                       \
        int w_ = snprintf(out + off, cap - off, __VA_ARGS__);                  \
        if (w_ < 0 || (size_t)w_ >= cap - off)                                 \
            return ILONET_ETOOBIG;                                             \
        off += (size_t)w_;                                                     \
    } while (0)
    off = 0;
    VIEW__PUT("CREATE VIEW IF NOT EXISTS v_records AS SELECT r.k AS k, e.id"
              " AS id, r.kind AS kind, l.audience AS audience, l.author AS"
              " author, r.author_state AS author_state, e.hlc AS hlc,"
              " r.owner AS owner, r.grant_id AS grant_id, r.base_why AS"
              " base_why, r.valid AS valid, r.why AS why, r.status AS"
              " status, r.updated AS updated, r.retracted_by AS"
              " retracted_by, r.erased_by AS erased_by, r.task_status AS"
              " task_status, r.task_status_state AS task_status_state,"
              " r.task_status_by AS task_status_by, r.ms AS ms");
    for (size_t c = 0; c < n; c++) {
        int any = 0;

        for (uint32_t k = 0; k < KIND_COUNT_; k++) {
            const struct record_schema *sc = record_schema(k);

            for (size_t i = 0; sc && sc->rs_is_record && i < sc->rs_nfields;
                 i++) {
                const char *col = sc->rs_fields[i].rf_column;

                if (!col || strcmp(col, cols[c].rc_name) != 0)
                    continue;
                VIEW__PUT("%s WHEN %u THEN r.f%d", any++ ? "" : ", CASE r.kind",
                          (unsigned)k, view__slot(sc, i));
            }
        }
        VIEW__PUT("%s AS %s", any ? " END" : ", NULL", cols[c].rc_name);
    }
    VIEW__PUT(" FROM v_rec r CROSS JOIN entries e ON e.k = r.k CROSS JOIN"
              " logs l ON l.lid = r.k >> 32");
#undef VIEW__PUT
    return 0;
}

/* The column literal must match the record schema's column list. */
static int
view__columns_ok(void)
{
    const struct record_column *cols;
    size_t n = record_columns(&cols), off = 0;
    const char *want = VIEW__FIELD_COLS;

    if (n != VIEW__NCOLS)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(cols[i].rc_name);
        if (strncmp(want + off, cols[i].rc_name, l) != 0)
            return 0;
        off += l;
        if (want[off] != (i + 1 < n ? ',' : '\0'))
            return 0;
        off++;
    }
    return 1;
}

int
view_attach(struct store *s)
{
    char sql[8192];
    struct view_ctx *c;
    uint64_t ver = 0;
    int rc, rebuild = 0;

    if (!s)
        return ILONET_EINVAL;
    if (!view__columns_ok() || !view__slots_ok())
        return ILONET_EIO; /* programming error: schema drift */
    if ((rc = store_begin(s)) != 0)
        return rc;
    rc = store_meta_get_u64(s, "view_version", &ver);
    if (rc != 0 && rc != ILONET_ENOTFOUND)
        goto fail;
    if (rc == 0 && ver != VIEW_VERSION) {
        if ((rc = view__drop_all(s)) != 0)
            goto fail;
        rebuild = 1;
    } else if (rc == ILONET_ENOTFOUND) {
        rebuild = 1; /* a store that had entries before the view existed */
    }
    for (size_t i = 0; view__schema[i]; i++)
        if ((rc = view__exec(s, view__schema[i])) != 0)
            goto fail;
    if ((rc = view__records_sql(sql, sizeof(sql))) != 0 ||
        (rc = view__exec(s, sql)) != 0)
        goto fail;
    if ((rc = view__index_attach(s)) != 0)
        goto fail;
    if (rebuild &&
        (rc = store_meta_set_u64(s, "view_version", VIEW_VERSION)) != 0)
        goto fail;
    if (rebuild && (rc = view_rebuild(s)) != 0)
        goto fail;
    if ((rc = store_commit(s)) != 0)
        return rc;
    c = malloc(sizeof(*c));
    if (!c)
        return ILONET_ENOMEM;
    if ((rc = view__ctx_init(c)) != 0) {
        free(c);
        return rc;
    }
    if (sqlite3_create_function_v2(store_db(s), "ilonet_view_version", 0,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, c,
                                   view__fn, NULL, NULL,
                                   view__ctx_destroy) != SQLITE_OK)
        return ILONET_EIO; /* SQLite called the destructor already */
    store_set_entry_hook(s, view__hook, c);
    store_set_freeze_hook(s, view__freeze, c);
    return 0;
fail:
    store_rollback(s);
    return rc;
}

/* ---- rebuild ----------------------------------------------------------- */

/* Applies every entry that counts (not quarantined, before any fork) of
 * one log (lid > 0) or of all logs (lid 0), in bulk mode. */
static int
view__apply_stored(struct view_ctx *c, struct store *s, int64_t lid)
{
    static const char *const sql_all =
        "SELECT e.id, e.hlc, e.kind, e.payload, e.k, l.log_id, l.audience,"
        " l.author FROM entries e JOIN logs l ON l.lid = (e.k >> 32)"
        " WHERE (l.frozen = 0 OR (e.k & 4294967295) < l.frozen)"
        " AND (l.revoked = 0 OR (e.k & 4294967295) < l.revoked)"
        " AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.log_id ="
        " l.log_id AND q.seq = (e.k & 4294967295)) ORDER BY e.k";
    static const char *const sql_one =
        "SELECT e.id, e.hlc, e.kind, e.payload, e.k, l.log_id, l.audience,"
        " l.author FROM entries e JOIN logs l ON l.lid = (e.k >> 32)"
        " WHERE e.k >= (?1 << 32) AND e.k < ((?1 + 1) << 32)"
        " AND (l.frozen = 0 OR (e.k & 4294967295) < l.frozen)"
        " AND (l.revoked = 0 OR (e.k & 4294967295) < l.revoked)"
        " AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.log_id ="
        " l.log_id AND q.seq = (e.k & 4294967295)) ORDER BY e.k";
    sqlite3_stmt *st = NULL;
    struct entry e;
    int rc;

    /* Prepared here, not cached: the loop below runs cached statements
     * and this one must stay positioned. */
    if (sqlite3_prepare_v2(store_db(s), lid ? sql_one : sql_all, -1, &st,
                           NULL) != SQLITE_OK)
        return ILONET_EIO;
    if (lid)
        sqlite3_bind_int64(st, 1, lid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char aud[ENTRY_AUDIENCE_MAX + 1];
        uint8_t author[KEY_PK_LEN];
        int64_t k = sqlite3_column_int64(st, 4);

        if (sqlite3_column_bytes(st, 0) != HASH_LEN ||
            sqlite3_column_bytes(st, 5) != HASH_LEN ||
            sqlite3_column_bytes(st, 7) != KEY_PK_LEN) {
            rc = ILONET_EMALFORMED;
            goto out;
        }
        memset(&e.e_h, 0, sizeof(e.e_h));
        memcpy(e.e_id, sqlite3_column_blob(st, 0), HASH_LEN);
        e.e_h.h_hlc = (uint64_t)sqlite3_column_int64(st, 1);
        e.e_h.h_kind = (uint64_t)sqlite3_column_int64(st, 2);
        e.e_payload = sqlite3_column_blob(st, 3);
        e.e_payload_len = (size_t)sqlite3_column_bytes(st, 3);
        if (sqlite3_column_type(st, 3) == SQLITE_NULL)
            e.e_payload = NULL;
        e.e_h.h_seq = (uint64_t)k & 0xffffffffu;
        memcpy(e.e_h.h_log, sqlite3_column_blob(st, 5), HASH_LEN);
        view__strcpy(aud, sizeof(aud),
                     (const char *)sqlite3_column_text(st, 6));
        memcpy(author, sqlite3_column_blob(st, 7), KEY_PK_LEN);
        c->vc_has_k = 1;
        c->vc_k = k;
        /* the row stays current until the next step: no copy; the bytes
         * come back from the file, so they are checked again */
        rc = view__apply(c, s, &e, aud, author, VIEW__P_STABLE);
        c->vc_has_k = 0;
        if (rc != 0)
            goto out;
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
out:
    sqlite3_finalize(st);
    return rc;
}

int
view_rebuild(struct store *s)
{
    struct view_ctx c;
    int rc;

    if ((rc = view__ctx_init(&c)) != 0)
        return rc;
    if ((rc = store_begin(s)) != 0)
        goto out_ctx;
    if ((rc = view__counts_pause(s)) != 0 ||
        (rc = view__exec(s, "DELETE FROM v_rec; DELETE FROM v_chg;"
                            "DELETE FROM v_grants;"
                            "DELETE FROM v_revocations;")) != 0)
        goto fail;
    c.vc_bulk = 1;
    if ((rc = view__apply_stored(&c, s, 0)) != 0)
        goto fail;
    c.vc_bulk = 0;
    if ((rc = view__recompute_all(&c, s)) != 0 ||
        (rc = view__counts_resume(s)) != 0)
        goto fail;
    rc = store_commit(s);
    goto out_ctx;
fail:
    store_rollback(s);
out_ctx:
    view__ctx_free(&c);
    return rc;
}

int
view_log_changed(struct store *s, const uint8_t log[static HASH_LEN])
{
    /* Rare (a fork, a late bad signature, a released quarantine): a full
     * rebuild is simplest and gives exactly the rebuild's answer. */
    (void)log;
    return view_rebuild(s);
}

/* 1 if entry seq of log is past a node revocation's cut (docs/KEYS.md):
 * it does not count, even when its quarantine ends. */
static int
view__cut(struct store *s, const uint8_t log[static HASH_LEN], uint64_t seq)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT revoked FROM logs WHERE"
                                     " log_id = ?");
    uint64_t cut = 0;

    if (!st)
        return 0;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        cut = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return cut && seq >= cut;
}

int
view_release_due(struct store *s, uint64_t now_ms, uint64_t *released)
{
    sqlite3_stmt *st = NULL;
    struct view_ctx c;
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t n = 0, cap = 0;
    int rc;

    if (released)
        *released = 0;
    if ((rc = view__ctx_init(&c)) != 0)
        return rc;
    if ((rc = store_begin(s)) != 0)
        goto out_ctx;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT entry_id FROM quarantine WHERE code = ?"
                           " AND until_ms <= ?",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_int(st, 1, ILONET_EFUTURE);
    sqlite3_bind_int64(st, 2, (int64_t)(now_ms + STORE_MAX_SKEW_MS));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != HASH_LEN)
            continue;
        if (n == cap) {
            void *p = realloc(ids, (cap = cap ? 2 * cap : 16) * HASH_LEN);
            if (!p) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            ids = p;
        }
        memcpy(ids[n++], sqlite3_column_blob(st, 0), HASH_LEN);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        struct entry e;
        struct log_desc d;
        uint8_t *payload = NULL;
        sqlite3_stmt *del;

        if ((rc = log_get(s, ids[i], &e, &payload, &d)) != 0)
            goto fail;
        del = store_stmt(s, "DELETE FROM quarantine WHERE entry_id = ?");
        if (!del) {
            free(payload);
            rc = ILONET_EIO;
            goto fail;
        }
        sqlite3_bind_blob(del, 1, ids[i], HASH_LEN, SQLITE_STATIC);
        rc = view__step_done(del);
        if (rc == 0 && !view__cut(s, d.ld_id, e.e_h.h_seq))
            rc = view__apply(&c, s, &e, d.ld_audience, d.ld_author,
                             VIEW__P_STABLE); /* log_get's copy */
        free(payload);
        if (rc != 0)
            goto fail;
    }
    if ((rc = store_commit(s)) == 0 && released)
        *released = n;
    goto out_ctx;
fail:
    sqlite3_finalize(st);
    store_rollback(s);
out_ctx:
    free(ids);
    view__ctx_free(&c);
    return rc;
}

/* ---- view hash ---------------------------------------------------------- */

/*
 * The dump is a sequence of canonical msgpack arrays, one per row, tables
 * in a fixed order and rows sorted by id; each array starts with a table
 * tag. Only merged data enters: never log positions, local times, peers or
 * quarantine. An erased record contributes only what every node can know
 * without its payload (docs/VIEW.md).
 */
static void
view__pack_col(struct wire_buf *wb, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: {
        int64_t v = sqlite3_column_int64(st, i);
        if (v >= 0)
            wire_pack_uint(wb, (uint64_t)v);
        else
            wire_pack_int(wb, v);
        break;
    }
    case SQLITE_TEXT:
        wire_pack_strn(wb, (const char *)sqlite3_column_text(st, i),
                       (size_t)sqlite3_column_bytes(st, i));
        break;
    case SQLITE_BLOB:
        wire_pack_bin(wb, sqlite3_column_blob(st, i),
                      (size_t)sqlite3_column_bytes(st, i));
        break;
    default: wire_pack_nil(wb);
    }
}

static int
view__hash_table(struct store *s, struct hash_state *h, struct wire_buf *wb,
                 const char *tag, const char *sql, const char *audience,
                 int erased_cols)
{
    sqlite3_stmt *st = NULL;
    int rc, ncol;

    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    if (audience)
        sqlite3_bind_text(st, 1, audience, -1, SQLITE_STATIC);
    ncol = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* records: column 1 is the status; an erased one keeps only the
         * first erased_cols columns */
        int n = ncol;

        if (erased_cols && sqlite3_column_type(st, 1) == SQLITE_TEXT &&
            strcmp((const char *)sqlite3_column_text(st, 1), "erased") == 0)
            n = erased_cols;
        wire_buf_reset(wb);
        wire_pack_array(wb, (uint32_t)n + 1);
        wire_pack_str(wb, tag);
        for (int i = 0; i < n; i++)
            view__pack_col(wb, st, i);
        if (wb->wb_err) {
            rc = wb->wb_err;
            goto out;
        }
        hash_update(h, wb->wb_data, wb->wb_len);
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
out:
    sqlite3_finalize(st);
    return rc;
}

int
view__hash_compute(struct store *s, const char *audience,
                   uint8_t out[static HASH_LEN])
{
#define VIEW__AUD(all) (audience ? " WHERE audience = ?1" : all)
    struct hash_state h;
    struct wire_buf wb;
    char sql[1024];
    int rc;

    hash_init(&h, HASH_CTX_VIEW);
    wire_buf_init(&wb, 1 << 20);
    /* id, status, kind, audience, author, author_state, hlc | the rest */
    snprintf(sql, sizeof(sql),
             "SELECT id, status, kind, audience, author, author_state, hlc,"
             " owner, grant_id, valid, updated, retracted_by, task_status,"
             " task_status_state, task_status_by, " VIEW__FIELD_COLS
             " FROM v_records%s ORDER BY id",
             VIEW__AUD(""));
    if ((rc = view__hash_table(s, &h, &wb, "record", sql, audience, 7)) != 0)
        goto out;
    snprintf(sql, sizeof(sql),
             "SELECT entry, grant_id, audience, author, author_state, hlc,"
             " represented, representing, scope, not_before, not_after,"
             " serial, valid FROM v_grants%s ORDER BY entry",
             VIEW__AUD(""));
    if ((rc = view__hash_table(s, &h, &wb, "grant", sql, audience, 0)) != 0)
        goto out;
    snprintf(sql, sizeof(sql),
             "SELECT entry, rev_id, audience, author, author_state, hlc,"
             " type, state, grant_id, node, at, serial, valid FROM"
             " v_revocations%s ORDER BY entry",
             VIEW__AUD(""));
    if ((rc = view__hash_table(s, &h, &wb, "revocation", sql, audience, 0)) !=
        0)
        goto out;
    hash_final(&h, out);
out:
    wire_buf_free(&wb);
    return rc;
#undef VIEW__AUD
}

int
view_hash(struct store *s, const char *audience, uint8_t out[static HASH_LEN])
{
    uint8_t fp[HASH_LEN], h[HASH_LEN];
    int rc;

    /* Unchanged entries, unchanged view: a connection keeps the last
     * digest under a fingerprint of what the view is a function of
     * (view_index.c). */
    if ((rc = view__hash_cached(s, audience, fp, out)) != ILONET_ENOTFOUND)
        return rc;
    if ((rc = view__hash_compute(s, audience, h)) != 0)
        return rc;
    view__hash_remember(s, audience, fp, h); /* best effort */
    memcpy(out, h, HASH_LEN);
    return 0;
}

int
view_check(struct store *s, uint8_t live[static HASH_LEN],
           uint8_t rebuilt[static HASH_LEN])
{
    int rc;

    /* computed, never cached: the rebuild leaves the fingerprint as it
     * was, and the live rows are what is being checked */
    if ((rc = store_begin(s)) != 0)
        return rc;
    if ((rc = view__hash_compute(s, NULL, live)) == 0 &&
        (rc = view_rebuild(s)) == 0)
        rc = view__hash_compute(s, NULL, rebuilt);
    store_rollback(s);
    return rc;
}

/* ---- lookups ------------------------------------------------------------ */

int
view_record_find(struct store *s, const char *hex, struct view_record_info *out)
{
    sqlite3_stmt *st;
    uint8_t lo[HASH_LEN], hi[HASH_LEN];
    int64_t ks[64];
    size_t n = hex ? strlen(hex) : 0, nk;
    int rc, found = 0;

    if (n < 6 || n > 2 * HASH_LEN)
        return ILONET_EINVAL;
    memset(lo, 0, sizeof(lo));
    memset(hi, 0xff, sizeof(hi));
    for (size_t i = 0; i < n; i++) {
        char ch = hex[i];
        int v = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (v < 0)
            return ILONET_EINVAL;
        if (i % 2 == 0) {
            lo[i / 2] = (uint8_t)(v << 4);
            hi[i / 2] = (uint8_t)(v << 4 | 0x0f);
        } else {
            lo[i / 2] |= (uint8_t)v;
            hi[i / 2] = (uint8_t)((hi[i / 2] & 0xf0) | v);
        }
    }
    /* through the id index on the id's 8-byte prefix: the first hex
     * digit fixes the sign bit, so the prefix is one contiguous range */
    if ((rc = log_find_range(s, lo, hi, ks, 64, &nk)) != 0)
        return rc;
    if (nk > 64)
        return ILONET_EINVAL; /* far too short to name one record */
    st = store_stmt(s, "SELECT id, kind, audience, owner, author_state,"
                       " status, valid, category FROM v_records WHERE k = ?");
    if (!st)
        return ILONET_EIO;
    for (size_t i = 0; i < nk; i++) {
        sqlite3_bind_int64(st, 1, ks[i]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && found++) {
            sqlite3_reset(st);
            return ILONET_EINVAL; /* ambiguous prefix */
        }
        if (rc == SQLITE_ROW) {
            memset(out, 0, sizeof(*out));
            memcpy(out->vr_id, sqlite3_column_blob(st, 0), HASH_LEN);
            out->vr_kind = (uint32_t)sqlite3_column_int(st, 1);
            view__strcpy(out->vr_audience, sizeof(out->vr_audience),
                         (const char *)sqlite3_column_text(st, 2));
            view__strcpy(out->vr_owner, sizeof(out->vr_owner),
                         (const char *)sqlite3_column_text(st, 3));
            snprintf(out->vr_author_state, sizeof(out->vr_author_state), "%s",
                     (const char *)sqlite3_column_text(st, 4));
            view__strcpy(out->vr_status, sizeof(out->vr_status),
                         (const char *)sqlite3_column_text(st, 5));
            out->vr_valid = sqlite3_column_int(st, 6);
            if (sqlite3_column_type(st, 7) == SQLITE_TEXT)
                view__strcpy(out->vr_category, sizeof(out->vr_category),
                             (const char *)sqlite3_column_text(st, 7));
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return store_err(rc);
    }
    return found ? 0 : ILONET_ENOTFOUND;
}

int
view_task_assignees(struct store *s, const uint8_t id[static HASH_LEN],
                    char *out, size_t cap)
{
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    if (cap)
        out[0] = '\0';
    if ((rc = log_find(s, id, &k)) != 0)
        return rc == ILONET_ENOTFOUND ? 0 : rc;
    st = store_stmt(s, "SELECT assignees FROM v_records WHERE k = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) && cap)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
view_list_has(const char *list, const char *state)
{
    size_t n = strlen(state);
    const char *p = list;

    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && memcmp(p, state, n) == 0)
            return 1;
        p = c ? c + 1 : NULL;
    }
    return 0;
}
