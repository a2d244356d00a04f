/* view.c - the merged view: schema, entry hook, rebuild, view hash. */
#include "view.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/blob.h"
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
    "  vw INTEGER NOT NULL DEFAULT 1," /* the entry's vocabulary version */
    "  ev_from INTEGER,"               /* event days (docs/REGIMES.md §4) */
    "  ev_to INTEGER,"                 /* NULL: open-ended */
    "  rt INTEGER,"                    /* retain-until as a day number */
    "  xf BLOB, "                      /* the fields the hash names as a
                                          map (docs/REGIMES.md §7) */
    VIEW__SLOT_COLS ");"
    "CREATE INDEX IF NOT EXISTS v_rec_grant ON v_rec(grant_id)"
    "  WHERE grant_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS v_rec_rt ON v_rec(rt) WHERE rt IS NOT NULL;",
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
     * effect. The records view and one view per record kind come from the
     * vocabulary (view__kind_views()). */
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

/* The view's tables under any VIEW_VERSION. Every SQL view of a store is
 * the view module's (the log store creates none), so all of them are
 * dropped first, then these: a name may be a table in one version and a
 * view in another (v_records, v_changes), so each is dropped as what it
 * is now. */
static const char *const view__objects[] = {
    "v_records", "v_changes",     "v_rec",    "v_chg",
    "v_grants",  "v_revocations", "v_counts", NULL,
};

/* ---- context ---------------------------------------------------------- */

int
view__ctx_init(struct view_ctx *c, const struct vocab *v)
{
    const struct vocab_kind *ks;
    size_t nk;

    memset(c, 0, sizeof(*c));
    if (!v)
        return ILONET_EINVAL;
    if (!msgpack_zone_init(&c->vc_zone, 4096))
        return ILONET_ENOMEM;
    c->vc_vocab = v;
    c->vc_seed = strcmp(vocab_regime(v), "377-2004") == 0;
    memset(c->vc_col, -1, sizeof(c->vc_col));
    memset(c->vc_f_behalf, -1, sizeof(c->vc_f_behalf));
    memset(c->vc_f_grant, -1, sizeof(c->vc_f_grant));
    memset(c->vc_f_category, -1, sizeof(c->vc_f_category));
    memset(c->vc_f_for, -1, sizeof(c->vc_f_for));
    memset(c->vc_f_retain, -1, sizeof(c->vc_f_retain));
    memset(c->vc_f_att, -1, sizeof(c->vc_f_att));
    c->vc_att_since = UINT_MAX;
    memset(c->vc_ev_a, -1, sizeof(c->vc_ev_a));
    memset(c->vc_ev_b, -1, sizeof(c->vc_ev_b));
    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++) {
        const struct vocab_kind *k = &ks[j];
        uint32_t code = k->vk_code;

        if (code >= VIEW__KINDS)
            continue;
        c->vc_kind[code] = k;
        for (size_t i = 0; i < k->vk_nfields && i < RECORD_MAX_ITEMS; i++) {
            const struct vocab_field *f = &k->vk_fields[i];
            const char *name = f->vf_name;

            if (k->vk_is_record) {
                c->vc_col[code][i] = (signed char)view__slot(k, i);
                c->vc_xf[code][i] =
                    c->vc_col[code][i] >= 0 && (!c->vc_seed || !f->vf_column);
            }
            if (strcmp(name, "on-behalf-of") == 0)
                c->vc_f_behalf[code] = (signed char)i;
            else if (strcmp(name, "grant") == 0)
                c->vc_f_grant[code] = (signed char)i;
            else if (strcmp(name, "category") == 0)
                c->vc_f_category[code] = (signed char)i;
            else if (strcmp(name, "for") == 0)
                c->vc_f_for[code] = (signed char)i;
            else if (strcmp(name, "retain-until") == 0)
                c->vc_f_retain[code] = (signed char)i;
            else if (f->vf_type == VT_ATTACHMENTS) {
                c->vc_f_att[code] = (signed char)i;
                if (f->vf_since < c->vc_att_since)
                    c->vc_att_since = f->vf_since;
            }
            if (f->vf_event == VE_AT || f->vf_event == VE_SPAN ||
                f->vf_event == VE_START)
                c->vc_ev_a[code] = (signed char)i;
            else if (f->vf_event == VE_END)
                c->vc_ev_b[code] = (signed char)i;
        }
    }
    return 0;
}

void
view__ctx_free(struct view_ctx *c)
{
    view__counts_drop(c);
    view__aside_close(c);
    free(c->vc_pend);
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
    const struct vocab_kind *k = view__kind(c, kind);
    const char *state;

    if (kind == KIND_CERT || kind >= VIEW__KINDS)
        return 0;
    msgpack_zone_clear(&c->vc_zone);
    c->vc_pflags = pflags;
    if (!k) {
        msgpack_object o;

        /* A kind this vocabulary does not know: no effect, unless the
         * entry says it was written under a newer version, which may
         * know it: then it is listed as unread (docs/REGIMES.md §2). */
        if (!e->e_payload ||
            view__unpack(c, e->e_payload, e->e_payload_len, pflags, &o) != 0 ||
            o.type != MSGPACK_OBJECT_MAP ||
            record_payload_version(&o) <= vocab_version(c->vc_vocab))
            return 0;
        msgpack_zone_clear(&c->vc_zone);
    }
    state = view__author_state(c, s, author);
    if (!k || k->vk_is_record)
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

static int view__log_reeval(struct view_ctx *c, struct store *s,
                            const uint8_t log[static HASH_LEN]);

/* A fork froze the log, or a revocation's cut moved (both already in its
 * row): the entries that stopped counting leave, with what they touched,
 * as a rebuild would have it (changes of a record taken out wait for it
 * again). */
static int
view__freeze(void *arg, struct store *s, const uint8_t log[static HASH_LEN],
             uint64_t fork_seq)
{
    (void)fork_seq;
    return view__log_reeval(arg, s, log);
}

/* ---- attach ------------------------------------------------------------ */

static int
view__exec(struct store *s, const char *sql)
{
    return store_err(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL));
}

/* Drops every SQL view of the store, then every object of view__objects
 * that exists. */
static int
view__drop_all(struct store *s)
{
    sqlite3_stmt *st = NULL;
    char(*names)[64] = NULL;
    size_t n = 0, cap = 0;
    char sql[96];
    int rc;

    /* views first: a view names tables; collected before any drop */
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT name FROM sqlite_master WHERE type ="
                           " 'view' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            void *p = realloc(names, (cap = cap ? 2 * cap : 32) * 64);
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            names = p;
        }
        view__strcpy(names[n++], 64, (const char *)sqlite3_column_text(st, 0));
    }
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(sql, sizeof(sql), "DROP VIEW \"%s\"", names[i]);
        if ((rc = view__exec(s, sql)) != 0)
            goto out;
    }
    sqlite3_finalize(st);
    st = store_stmt(s, "SELECT upper(type) FROM sqlite_master WHERE name = ?"
                       " AND type = 'table'");
    rc = 0;
    for (size_t i = 0; view__objects[i] && rc == 0; i++) {
        if (!st) {
            rc = ILONET_EIO;
            break;
        }
        sqlite3_bind_text(st, 1, view__objects[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            rc = 0;
            continue;
        }
        if (rc != SQLITE_ROW) {
            rc = store_err(rc);
            break;
        }
        snprintf(sql, sizeof(sql), "DROP TABLE %s", view__objects[i]);
        rc = view__exec(s, sql);
    }
    st = NULL; /* the cached statement is the store's */
out:
    sqlite3_finalize(st);
    free(names);
    return rc;
}

/* A field whose value a user sets and the view keeps (not the
 * on-behalf fields, which become the owner and the grant, nor bytes, nor
 * attachments: blob_ref indexes them, and they stay out of the hash so
 * the hash does not change when a record gains a file, docs/VIEW.md). */
static int
view__slotted(const struct vocab_field *f)
{
    return f->vf_type != VT_BIN && f->vf_type != VT_MAP &&
           f->vf_type != VT_ATTACHMENTS && strcmp(f->vf_name, "grant") != 0 &&
           strcmp(f->vf_name, "on-behalf-of") != 0;
}

int
view__slot(const struct vocab_kind *k, size_t i)
{
    const struct vocab_field *f = &k->vk_fields[i];
    int slot = 0;

    if (!view__slotted(f))
        return -1;
    /* the seed's columns keep the slots they had (in field order), the
     * other fields follow them */
    for (size_t j = 0; j < k->vk_nfields; j++) {
        const struct vocab_field *g = &k->vk_fields[j];

        if (!view__slotted(g))
            continue;
        if (f->vf_column ? (g->vf_column && j < i) : (g->vf_column || j < i))
            slot++;
    }
    return slot;
}

void
view__column(const struct vocab_field *f, char out[static 40])
{
    size_t i = 0;

    if (f->vf_column) {
        view__strcpy(out, 40, f->vf_column);
        return;
    }
    for (; f->vf_name[i] && i < 39; i++)
        out[i] = f->vf_name[i] == '-' ? '_' : f->vf_name[i];
    out[i] = '\0';
}

/* Every record kind's fields fit the slots. */
static int
view__slots_ok(const struct vocab *v)
{
    const struct vocab_kind *ks;
    size_t nk;

    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++)
        for (size_t i = 0; ks[j].vk_is_record && i < ks[j].vk_nfields; i++)
            if (view__slot(&ks[j], i) >= VIEW__NSLOTS ||
                ks[j].vk_code >= VIEW__KINDS)
                return 0;
    return 1;
}

/* The columns of v_records beyond the seed's 34, in first-seen order
 * over the vocabulary's record kinds: fields without a seed column. */
#define VIEW__EXTRA_MAX 64
struct view__extra {
    size_t x_n;
    char x_name[VIEW__EXTRA_MAX][40];
};

static int
view__extras(const struct vocab *v, struct view__extra *x)
{
    const struct vocab_kind *ks;
    size_t nk;

    x->x_n = 0;
    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++)
        for (size_t i = 0; ks[j].vk_is_record && i < ks[j].vk_nfields; i++) {
            char col[40];
            size_t m = 0;

            if (view__slot(&ks[j], i) < 0)
                continue;
            view__column(&ks[j].vk_fields[i], col);
            if (record_column_named(col) != (size_t)-1)
                continue;
            while (m < x->x_n && strcmp(x->x_name[m], col) != 0)
                m++;
            if (m < x->x_n)
                continue;
            if (x->x_n == VIEW__EXTRA_MAX)
                return ILONET_ETOOBIG;
            view__strcpy(x->x_name[x->x_n++], 40, col);
        }
    return 0;
}

/* A bounded appender for generated SQL (off and cap in scope). */
#define VIEW__PUT(...)                                                         \
    do {                                                                       \
        int w_ = snprintf(out + off, cap - off, __VA_ARGS__);                  \
        if (w_ < 0 || (size_t)w_ >= cap - off)                                 \
            return ILONET_ETOOBIG;                                             \
        off += (size_t)w_;                                                     \
    } while (0)

/* ", CASE r.kind WHEN k THEN r.fN ... END AS "col"" for column col over
 * every record kind of v with a field shown in it (NULL when none). */
static int
view__case(const struct vocab *v, const char *col, char *out, size_t cap,
           size_t *offp)
{
    const struct vocab_kind *ks;
    size_t nk, off = *offp;
    int any = 0;

    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++)
        for (size_t i = 0; ks[j].vk_is_record && i < ks[j].vk_nfields; i++) {
            char c[40];
            int slot = view__slot(&ks[j], i);

            if (slot < 0)
                continue;
            view__column(&ks[j].vk_fields[i], c);
            if (strcmp(c, col) != 0)
                continue;
            VIEW__PUT("%s WHEN %u THEN r.f%d", any++ ? "" : ", CASE r.kind",
                      (unsigned)ks[j].vk_code, slot);
        }
    VIEW__PUT("%s AS \"%s\"", any ? " END" : ", NULL", col);
    *offp = off;
    return 0;
}

/* The view v_records: the full record rows, with the columns and meaning
 * table v_records had before VIEW_VERSION 5 (id and HLC from entries,
 * author key and audience from logs, each field column from the slot its
 * kind keeps it in), then the vocabulary's other fields, the entry's
 * version, the hash's field map and the event days. Into out. */
static int
view__records_sql(const struct vocab *v, const struct view__extra *x, char *out,
                  size_t cap)
{
    const struct record_column *cols;
    size_t n = record_columns(&cols), off = 0;
    int rc;

    VIEW__PUT("CREATE VIEW IF NOT EXISTS v_records AS SELECT r.k AS k, e.id"
              " AS id, r.kind AS kind, l.audience AS audience, l.author AS"
              " author, r.author_state AS author_state, e.hlc AS hlc,"
              " r.owner AS owner, r.grant_id AS grant_id, r.base_why AS"
              " base_why, r.valid AS valid, r.why AS why, r.status AS"
              " status, r.updated AS updated, r.retracted_by AS"
              " retracted_by, r.erased_by AS erased_by, r.task_status AS"
              " task_status, r.task_status_state AS task_status_state,"
              " r.task_status_by AS task_status_by, r.ms AS ms, r.vw AS vw,"
              " r.xf AS xf,"
              " r.rt AS rt, r.ev_from AS ev_from, r.ev_to AS ev_to,"
              " date(r.ev_from * 86400, 'unixepoch') AS event_from,"
              " date(r.ev_to * 86400, 'unixepoch') AS event_to");
    for (size_t c = 0; c < n; c++)
        if ((rc = view__case(v, cols[c].rc_name, out, cap, &off)) != 0)
            return rc;
    for (size_t c = 0; c < x->x_n; c++)
        if ((rc = view__case(v, x->x_name[c], out, cap, &off)) != 0)
            return rc;
    VIEW__PUT(" FROM v_rec r CROSS JOIN entries e ON e.k = r.k CROSS JOIN"
              " logs l ON l.lid = r.k >> 32");
    return 0;
}

/* The read-only view of one record kind: the seed's columns as they have
 * always been listed, then the kind's other fields. */
struct view__kview {
    uint32_t kv_kind;
    const char *kv_name; /* the SQL view: the plural with '_' for '-' */
    const char *kv_head; /* its columns up to the fields it has always had */
    const char *kv_has;  /* the v_records columns kv_head shows */
};

#define VIEW__HEAD                                                             \
    "lower(hex(id)) AS id, owner AS state, author_state, audience, ms AS"      \
    " time_ms"
static const struct view__kview view__kviews[] = {
    {KIND_OBSERVATION, "observations",
     VIEW__HEAD ", category, summary, detail, nationality, figure, unit,"
                " period, substr(period, 1, 10) AS period_from,"
                " substr(period, -10) AS period_to, level, reliability,"
                " source, place, IIF(grant_id IS NULL, NULL,"
                " lower(hex(grant_id))) AS grant_id",
     " category summary detail nationality figure unit period level"
     " reliability source place "},
    {KIND_MEETING, "meetings",
     VIEW__HEAD ", date, place, convenor, participants, commission, reason,"
                " topics",
     " date place convenor participants commission reason topics "},
    {KIND_TRAINING, "trainings",
     VIEW__HEAD ", title, type, date, place, organiser, attendees, detail",
     " title type date place organiser attendees detail "},
    {KIND_CARRIER, "carriers",
     VIEW__HEAD ", carrier, position, date, states, detail",
     " carrier position date states detail "},
    {KIND_CONTACT, "contacts",
     VIEW__HEAD ", counterpart, type, date, place, summary, topics",
     " counterpart type date place summary topics "},
    {KIND_POSTING, "postings",
     VIEW__HEAD ", post, officers, posted_from AS 'from', posted_until AS"
                " 'until', remit",
     " post officers posted_from posted_until remit "},
    {KIND_TASK, "tasks",
     "lower(hex(id)) AS id, owner AS creator, author_state, audience, ms"
     " AS time_ms, title, assignees AS 'for', due, detail,"
     " task_status AS status, task_status_state AS status_by",
     " title assignees due detail "},
    {KIND_ACTING_PRESIDENCY, "acting_presidencies",
     "lower(hex(id)) AS id, owner AS state, audience, ms AS time_ms,"
     " semester, acting_state, reason",
     " semester acting_state reason "},
    /* 2019-1240's; present (empty, without its fields) under 377-2004 too,
     * so a reader may name it whatever the regime */
    {KIND_CHAIR, "chairs", VIEW__HEAD, " "},
};
#define VIEW__NKVIEWS (sizeof(view__kviews) / sizeof(view__kviews[0]))

/* 1 if the space-framed word list has holds word. */
static int
view__has_word(const char *has, const char *word)
{
    char w[44];

    snprintf(w, sizeof(w), " %s ", word);
    return strstr(has, w) != NULL;
}

/* CREATE VIEW name AS SELECT head, <k's other fields>, event_from,
 * event_to FROM v_records WHERE kind = code (k may be NULL). */
static int
view__kind_view_sql(const struct vocab_kind *k, uint32_t code, const char *name,
                    const char *head, const char *has, char *out, size_t cap)
{
    size_t off = 0;

    VIEW__PUT("CREATE VIEW IF NOT EXISTS \"%s\" AS SELECT %s", name, head);
    for (size_t i = 0; k && i < k->vk_nfields; i++) {
        char col[40];

        if (view__slot(k, i) < 0)
            continue;
        view__column(&k->vk_fields[i], col);
        if (!view__has_word(has, col))
            VIEW__PUT(", \"%s\"", col);
    }
    VIEW__PUT(", event_from, event_to FROM v_records WHERE kind = %u AND"
              " valid = 1 AND status = 'active'",
              (unsigned)code);
    return 0;
}

/* The records view (every kind, every status) and one view per record
 * kind: the seed's eight and the chairs always (readers name them), and
 * one for each other record kind of v. */
static int
view__kind_views(struct store *s, const struct vocab *v,
                 const struct view__extra *x, char *out, size_t cap)
{
    const struct vocab_kind *ks;
    size_t nk, off = 0;
    int rc;

    VIEW__PUT(
        "CREATE VIEW IF NOT EXISTS records AS SELECT lower(hex(id)) AS"
        " id, kind, audience, owner AS state, author_state, hlc, ms AS"
        " time_ms, status, valid, why, updated, IIF(grant_id IS"
        " NULL, NULL, lower(hex(grant_id))) AS grant_id, " VIEW__FIELD_COLS
        ", task_status");
    for (size_t i = 0; i < x->x_n; i++)
        VIEW__PUT(", \"%s\"", x->x_name[i]);
    VIEW__PUT(", event_from, event_to, vw AS vocab FROM v_records");
    if ((rc = view__exec(s, out)) != 0)
        return rc;
    for (size_t i = 0; i < VIEW__NKVIEWS; i++) {
        const struct view__kview *kv = &view__kviews[i];

        if ((rc = view__kind_view_sql(vocab_kind_by_code(v, kv->kv_kind),
                                      kv->kv_kind, kv->kv_name, kv->kv_head,
                                      kv->kv_has, out, cap)) != 0 ||
            (rc = view__exec(s, out)) != 0)
            return rc;
    }
    ks = vocab_kinds(v, &nk);
    for (size_t j = 0; j < nk; j++) {
        char name[40];
        size_t i = 0;
        int seen = 0;

        if (!ks[j].vk_is_record)
            continue;
        for (size_t m = 0; m < VIEW__NKVIEWS; m++)
            seen |= view__kviews[m].kv_kind == ks[j].vk_code;
        if (seen)
            continue;
        for (; ks[j].vk_plural[i] && i < sizeof(name) - 1; i++)
            name[i] = ks[j].vk_plural[i] == '-' ? '_' : ks[j].vk_plural[i];
        name[i] = '\0';
        if ((rc = view__kind_view_sql(&ks[j], ks[j].vk_code, name, VIEW__HEAD,
                                      " ", out, cap)) != 0 ||
            (rc = view__exec(s, out)) != 0)
            return rc;
    }
    return 0;
}
#undef VIEW__PUT

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

/* "377-2004/2": what meta "vocab" holds for v. */
static void
view__vocab_id(const struct vocab *v, char out[static 48])
{
    snprintf(out, 48, "%s/%u", vocab_regime(v), vocab_version(v));
}

/* 1 if meta "vocab" names another vocabulary than v; 0 when it names v
 * or none (then it is set to v: a view of this VIEW_VERSION is always
 * written with one). */
static int
view__vocab_other(struct store *s, const struct vocab *v)
{
    uint8_t *val = NULL;
    size_t n = 0;
    char want[48];
    int other;

    view__vocab_id(v, want);
    if (store_meta_get(s, "vocab", &val, &n) != 0)
        return store_meta_set(s, "vocab", (const uint8_t *)want,
                              strlen(want)) != 0;
    other = n != strlen(want) || memcmp(val, want, n) != 0;
    free(val);
    return other;
}

static int view__rebuild(struct store *s, const struct vocab *v);

int
view_attach(struct store *s, const struct vocab *v)
{
    struct view__extra x;
    char vid[48];
    char *sql = NULL;
    struct view_ctx *c;
    uint64_t ver = 0;
    int rc, rebuild = 0;
    const size_t cap = 32768;

    if (!s || !v)
        return ILONET_EINVAL;
    if (!view__columns_ok() || !view__slots_ok(v) || view__extras(v, &x) != 0)
        return ILONET_EIO; /* programming error: schema drift */
    if (!(sql = malloc(cap)))
        return ILONET_ENOMEM;
    if ((rc = store_begin(s)) != 0)
        goto out;
    rc = store_meta_get_u64(s, "view_version", &ver);
    if (rc != 0 && rc != ILONET_ENOTFOUND)
        goto fail;
    /* Another layout, or the view was read with another vocabulary (an
     * upgrade): it is derived data, rebuilt from the log. Upgrading is a
     * rebuild, never a resync (docs/REGIMES.md §1). */
    if (rc == 0 && (ver != VIEW_VERSION || view__vocab_other(s, v))) {
        if ((rc = view__drop_all(s)) != 0)
            goto fail;
        rebuild = 1;
    } else if (rc == ILONET_ENOTFOUND) {
        rebuild = 1; /* a store that had entries before the view existed */
    }
    for (size_t i = 0; view__schema[i]; i++)
        if ((rc = view__exec(s, view__schema[i])) != 0)
            goto fail;
    if ((rc = view__records_sql(v, &x, sql, cap)) != 0 ||
        (rc = view__exec(s, sql)) != 0 ||
        (rc = view__kind_views(s, v, &x, sql, cap)) != 0)
        goto fail;
    /* the blobs' references index, which the entry hook fills */
    if ((rc = blob_schema(s)) != 0)
        goto fail;
    if ((rc = view__index_attach(s, v)) != 0 ||
        (rc = view__search_attach(s, rebuild)) != 0) /* the search index */
        goto fail;
    view__vocab_id(v, vid);
    if (rebuild &&
        ((rc = store_meta_set_u64(s, "view_version", VIEW_VERSION)) != 0 ||
         (rc = store_meta_set(s, "vocab", (const uint8_t *)vid, strlen(vid))) !=
             0))
        goto fail;
    if (rebuild && (rc = view__rebuild(s, v)) != 0)
        goto fail;
    if ((rc = view__search_purge(s)) != 0)
        goto fail;
    if ((rc = store_commit(s)) != 0)
        goto out;
    c = malloc(sizeof(*c));
    if (!c) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = view__ctx_init(c, v)) != 0) {
        free(c);
        goto out;
    }
    if (sqlite3_create_function_v2(store_db(s), "ilonet_view_version", 0,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, c,
                                   view__fn, NULL, NULL,
                                   view__ctx_destroy) != SQLITE_OK) {
        rc = ILONET_EIO; /* SQLite called the destructor already */
        goto out;
    }
    store_set_entry_hook(s, view__hook, c);
    store_set_freeze_hook(s, view__freeze, c);
    store_set_txn_hook(s, view__txn, c);
    rc = view__search_hook(s); /* notes for the search index */
    goto out;
fail:
    store_rollback(s);
out:
    free(sql);
    return rc;
}

const struct vocab *
view__vocab(struct store *s)
{
    struct view_ctx *c = store_entry_hook_arg(s, view__hook);

    return c ? c->vc_vocab : NULL;
}

struct view_ctx *
view__attached(struct store *s)
{
    return store_entry_hook_arg(s, view__hook);
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
    return view__rebuild(s, view__vocab(s));
}

static int
view__rebuild(struct store *s, const struct vocab *v)
{
    struct view_ctx c;
    int rc;

    if ((rc = view__ctx_init(&c, v)) != 0)
        return rc;
    if ((rc = store_begin(s)) != 0)
        goto out_ctx;
    if ((rc = view__counts_pause(&c)) != 0 ||
        (rc = view__index_detach(s)) != 0 ||
        (rc = view__exec(s, "DELETE FROM v_rec; DELETE FROM v_chg;"
                            "DELETE FROM v_grants;"
                            "DELETE FROM v_revocations;")) != 0)
        goto fail;
    c.vc_bulk = 1;
    if ((rc = view__apply_stored(&c, s, 0)) != 0)
        goto fail;
    c.vc_bulk = 0;
    if ((rc = view__recompute_all(&c, s)) != 0 ||
        (rc = view__index_attach(s, v)) != 0 ||
        (rc = view__counts_resume(&c, s)) != 0)
        goto fail;
    /* the index once, at the end: emptied here, built in one pass by the
     * next search or idle tick */
    if ((rc = view__search_reset(s)) != 0)
        goto fail;
    rc = store_commit(s);
    goto out_ctx;
fail:
    store_rollback(s);
out_ctx:
    view__ctx_free(&c);
    return rc;
}

/* ---- one log re-evaluated (view_log_changed) -------------------------- */

/*
 * view_log_changed() does what a rebuild would do for one log, at the cost
 * of that log: it lists the log's entries that no longer count but still
 * have rows in the view (past a fork or a revocation's cut, quarantined)
 * and those that count but have none (a quarantine lifted), takes the
 * first out and applies the second, and recomputes only the records and
 * grants they touch. A certified author can make a node find a bad
 * signature in its log as often as it likes (one per batch), so this must
 * not cost a rebuild of everything the node holds (issue 12).
 */

/* The first column of the row a query (one parameter: k, or the entry id
 * when id is not NULL) finds: *found is 1 with its HASH_LEN bytes in out,
 * 2 for a row without them (NULL), 0 for no row. */
static int
view__row_at(struct store *s, const char *sql, int64_t k, const uint8_t *id,
             uint8_t out[static HASH_LEN], int *found)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    *found = 0;
    if (!st)
        return ILONET_EIO;
    if (id)
        sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 2;
        if (sqlite3_column_bytes(st, 0) == HASH_LEN) {
            memcpy(out, sqlite3_column_blob(st, 0), HASH_LEN);
            *found = 1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* Runs a statement of one parameter (k, or the entry id when id is not
 * NULL) that returns no rows. */
static int
view__exec_at(struct store *s, const char *sql, int64_t k, const uint8_t *id)
{
    sqlite3_stmt *st = store_stmt(s, sql);

    if (!st)
        return ILONET_EIO;
    if (id)
        sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, k);
    return view__step_done(st);
}

/*
 * Takes out of the view what the entry at k (id) contributed, and
 * recomputes what that touched, leaving the view a rebuild without the
 * entry would give: a record it created goes, and the changes of that
 * record wait for it again ("record not held"); a change goes and its
 * record is recomputed; a grant or revocation goes and the records relying
 * on that grant are recomputed.
 */
static int
view__remove_entry(struct view_ctx *c, struct store *s, int64_t k,
                   const uint8_t id[static HASH_LEN])
{
    uint8_t t[HASH_LEN];
    int found, rc;

    if ((rc = view__count_range(c, s, k, k + 1)) != 0 ||
        (rc = view__exec_at(s, "DELETE FROM v_rec WHERE k = ?", k, NULL)) != 0)
        return rc;
    if (sqlite3_changes(store_db(s)) > 0) {
        /* as a rebuild writes them (a payload problem's marker stays) */
        sqlite3_stmt *st = store_stmt(
            s, "UPDATE v_chg SET valid = 0, why = 'record not held' WHERE"
               " target_p = ? AND target = ? AND (why IS NULL OR"
               " substr(why, 1, 4) <> 'bad:')");
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_int64(st, 1, view__idp(id));
        sqlite3_bind_blob(st, 2, id, HASH_LEN, SQLITE_STATIC);
        if ((rc = view__step_done(st)) != 0)
            return rc;
    }
    if ((rc = view__row_at(s, "SELECT target FROM v_chg WHERE k = ?", k, NULL,
                           t, &found)) != 0)
        return rc;
    if (found) {
        if ((rc = view__exec_at(s, "DELETE FROM v_chg WHERE k = ?", k, NULL)) !=
            0)
            return rc;
        msgpack_zone_clear(&c->vc_zone);
        if (found == 1 && (rc = view__recompute(c, s, t)) != 0)
            return rc;
    }
    if ((rc = view__row_at(s, "SELECT grant_id FROM v_grants WHERE entry = ?",
                           0, id, t, &found)) != 0)
        return rc;
    if (found) {
        if ((rc = view__exec_at(s, "DELETE FROM v_grants WHERE entry = ?", 0,
                                id)) != 0)
            return rc;
        if (found == 1 && (rc = view__grant_dependents(c, s, t)) != 0)
            return rc;
    }
    if ((rc = view__row_at(s,
                           "SELECT grant_id FROM v_revocations WHERE"
                           " entry = ?",
                           0, id, t, &found)) != 0)
        return rc;
    if (found) {
        if ((rc = view__exec_at(s, "DELETE FROM v_revocations WHERE entry = ?",
                                0, id)) != 0)
            return rc;
        if (found == 1 && (rc = view__grant_dependents(c, s, t)) != 0)
            return rc;
    }
    return 0;
}

/* Positions (and ids) of the entries of one log a query lists, in order;
 * parameters ?1 lo, ?2 hi (the log's k range), ?3 frozen, ?4 revoked, ?5
 * the log id, ?6 KIND_CERT. *ks and *ids are malloc'd. */
static int
view__collect_log(struct store *s, const char *sql, int64_t lo, int64_t hi,
                  uint64_t frozen, uint64_t revoked,
                  const uint8_t log[static HASH_LEN], int64_t **ks,
                  uint8_t (**ids)[HASH_LEN], size_t *n)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;

    *ks = NULL;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_int64(st, 3, (int64_t)frozen);
    sqlite3_bind_int64(st, 4, (int64_t)revoked);
    sqlite3_bind_blob(st, 5, log, HASH_LEN, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 6)
        sqlite3_bind_int(st, 6, KIND_CERT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != HASH_LEN) {
            rc = ILONET_EMALFORMED;
            goto fail;
        }
        if (*n == cap) {
            void *pk, *pi;

            cap = cap ? 2 * cap : 16;
            if (!(pk = realloc(*ks, cap * sizeof(**ks)))) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            *ks = pk;
            if (!(pi = realloc(*ids, cap * HASH_LEN))) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            *ids = pi;
        }
        (*ks)[*n] = sqlite3_column_int64(st, 0);
        memcpy((*ids)[*n], sqlite3_column_blob(st, 1), HASH_LEN);
        (*n)++;
    }
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    sqlite3_finalize(st);
    return 0;
fail:
    sqlite3_finalize(st);
    free(*ks);
    free(*ids);
    *ks = NULL;
    *ids = NULL;
    *n = 0;
    return rc;
}

/* Applies the stored entry at k of a log (audience, author) to the view, as
 * a rebuild would have. */
static int
view__apply_at(struct view_ctx *c, struct store *s, int64_t k,
               const char *audience, const uint8_t author[static KEY_PK_LEN])
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT id, hlc, kind, payload FROM entries WHERE k = ?");
    struct entry e;
    uint8_t *copy = NULL;
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    if (sqlite3_column_bytes(st, 0) != HASH_LEN) {
        sqlite3_reset(st);
        return ILONET_EMALFORMED;
    }
    memset(&e, 0, sizeof(e));
    memcpy(e.e_id, sqlite3_column_blob(st, 0), HASH_LEN);
    e.e_h.h_hlc = (uint64_t)sqlite3_column_int64(st, 1);
    e.e_h.h_kind = (uint64_t)sqlite3_column_int64(st, 2);
    e.e_h.h_seq = (uint64_t)k & 0xffffffffu;
    e.e_payload = sqlite3_column_type(st, 3) == SQLITE_NULL
                      ? NULL
                      : sqlite3_column_blob(st, 3);
    e.e_payload_len = (size_t)sqlite3_column_bytes(st, 3);
    /* The bytes come back from the file, so they are checked again (no
     * VIEW__P_CHECKED); a copy keeps them while view__apply() runs other
     * statements (and clears the zone). */
    if (e.e_payload &&
        !(copy = malloc(e.e_payload_len ? e.e_payload_len : 1))) {
        sqlite3_reset(st);
        return ILONET_ENOMEM;
    }
    if (copy) {
        memcpy(copy, e.e_payload, e.e_payload_len);
        e.e_payload = copy;
    }
    sqlite3_reset(st);
    c->vc_has_k = 1;
    c->vc_k = k;
    rc = view__apply(c, s, &e, audience, author, VIEW__P_STABLE);
    c->vc_has_k = 0;
    free(copy);
    return rc;
}

/* view_log_changed() with the caller's context and transaction (also the
 * store's freeze hook: a fork or a revocation's cut moved). */
static int
view__log_reeval(struct view_ctx *c, struct store *s,
                 const uint8_t log[static HASH_LEN])
{
    /* An entry counts unless it is at or past the fork (frozen), at or
     * past a node revocation's cut (revoked) or quarantined: as in
     * view__apply_stored(). */
#define VIEW__OUT                                                              \
    "((?3 > 0 AND (e.k & 4294967295) >= ?3) OR (?4 > 0 AND (e.k &"             \
    " 4294967295) >= ?4) OR EXISTS (SELECT 1 FROM quarantine q WHERE"          \
    " q.log_id = ?5 AND q.seq = (e.k & 4294967295)))"
#define VIEW__HAS_ROWS                                                         \
    "(EXISTS (SELECT 1 FROM v_rec r WHERE r.k = e.k) OR EXISTS (SELECT 1"      \
    " FROM v_chg c WHERE c.k = e.k) OR EXISTS (SELECT 1 FROM v_grants g"       \
    " WHERE g.entry = e.id) OR EXISTS (SELECT 1 FROM v_revocations v WHERE"    \
    " v.entry = e.id))"
    static const char *const sql_out =
        "SELECT e.k, e.id FROM entries e WHERE e.k >= ?1 AND e.k < ?2 "
        "AND " VIEW__OUT " AND " VIEW__HAS_ROWS " ORDER BY e.k";
    static const char *const sql_in =
        "SELECT e.k, e.id FROM entries e WHERE e.k >= ?1 AND e.k < ?2 AND"
        " e.kind <> ?6 AND NOT " VIEW__OUT " AND NOT " VIEW__HAS_ROWS
        " ORDER BY e.k";
#undef VIEW__OUT
#undef VIEW__HAS_ROWS
    sqlite3_stmt *st;
    char aud[ENTRY_AUDIENCE_MAX + 1];
    uint8_t author[KEY_PK_LEN];
    int64_t lid, *ks = NULL;
    uint8_t(*ids)[HASH_LEN] = NULL;
    uint64_t frozen, revoked;
    size_t n = 0;
    int rc;

    st = store_stmt(s, "SELECT lid, frozen, revoked, audience, author FROM"
                       " logs WHERE log_id = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : store_err(rc); /* not held */
    }
    if (sqlite3_column_bytes(st, 4) != KEY_PK_LEN) {
        sqlite3_reset(st);
        return ILONET_EMALFORMED;
    }
    lid = sqlite3_column_int64(st, 0);
    frozen = (uint64_t)sqlite3_column_int64(st, 1);
    revoked = (uint64_t)sqlite3_column_int64(st, 2);
    view__strcpy(aud, sizeof(aud), (const char *)sqlite3_column_text(st, 3));
    memcpy(author, sqlite3_column_blob(st, 4), KEY_PK_LEN);
    sqlite3_reset(st);
    /* Out first, then in: what comes back is applied to the view as it
     * stands without what left, as in a rebuild. */
    rc = view__collect_log(s, sql_out, lid << 32, (lid + 1) << 32, frozen,
                           revoked, log, &ks, &ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = view__remove_entry(c, s, ks[i], ids[i]);
    free(ks);
    free(ids);
    ks = NULL;
    ids = NULL;
    if (rc == 0)
        rc = view__collect_log(s, sql_in, lid << 32, (lid + 1) << 32, frozen,
                               revoked, log, &ks, &ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        msgpack_zone_clear(&c->vc_zone);
        rc = view__apply_at(c, s, ks[i], aud, author);
    }
    free(ks);
    free(ids);
    return rc;
}

int
view_log_changed(struct store *s, const uint8_t log[static HASH_LEN])
{
    struct view_ctx c;
    int rc;

    if (!s || !log)
        return ILONET_EINVAL;
    if ((rc = view__ctx_init(&c, view__vocab(s))) != 0)
        return rc;
    if ((rc = store_begin(s)) != 0)
        goto out;
    rc = view__log_reeval(&c, s, log);
    if (rc == 0)
        rc = store_commit(s);
    if (rc != 0) /* a failed commit leaves the transaction open */
        store_rollback(s);
out:
    view__ctx_free(&c);
    return rc;
}

/* The logs log_check_pending() found bad signatures in, each once. */
struct view__bad {
    uint8_t (*b_logs)[HASH_LEN];
    size_t b_n, b_cap, b_entries;
    int b_err;
};

static void
view__bad_add(void *arg, const uint8_t log[static HASH_LEN], uint64_t seq,
              int err)
{
    struct view__bad *b = arg;

    (void)seq;
    (void)err;
    b->b_entries++;
    for (size_t i = 0; i < b->b_n; i++)
        if (memcmp(b->b_logs[i], log, HASH_LEN) == 0)
            return;
    if (b->b_n == b->b_cap) {
        size_t cap = b->b_cap ? 2 * b->b_cap : 8;
        void *p = realloc(b->b_logs, cap * HASH_LEN);

        if (!p) {
            b->b_err = ILONET_ENOMEM;
            return;
        }
        b->b_logs = p;
        b->b_cap = cap;
    }
    memcpy(b->b_logs[b->b_n++], log, HASH_LEN);
}

int
view_verify_pending(struct store *s, size_t max, size_t *checked, size_t *bad)
{
    struct view__bad b;
    uint64_t pending = 0;
    size_t n = 0;
    int rc;

    memset(&b, 0, sizeof(b));
    /* Usually nothing waits (the node asks every tick): then no
     * transaction, so no write lock is taken for nothing. */
    if ((rc = log_pending_count(s, &pending)) != 0)
        return rc;
    if (pending == 0) {
        if (checked)
            *checked = 0;
        if (bad)
            *bad = 0;
        return 0;
    }
    if ((rc = store_begin(s)) != 0)
        return rc;
    rc = log_check_pending(s, max, &n, view__bad_add, &b);
    if (rc == ILONET_EBADSIG) /* the entries are in b */
        rc = 0;
    if (rc == 0)
        rc = b.b_err;
    for (size_t i = 0; rc == 0 && i < b.b_n; i++)
        rc = view_log_changed(s, b.b_logs[i]);
    if (rc == 0)
        rc = store_commit(s);
    if (rc != 0) /* a failed commit leaves the transaction open */
        store_rollback(s);
    free(b.b_logs);
    if (rc != 0)
        return rc;
    if (checked)
        *checked = n;
    if (bad)
        *bad = b.b_entries;
    return 0;
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
    size_t n = 0;
    int rc;

    if (released)
        *released = 0;
    if ((rc = view__ctx_init(&c, view__vocab(s))) != 0)
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
    rc = store_collect_ids(st, NULL, NULL, &ids, &n);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != 0)
        goto fail;
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

/* ---- retention ------------------------------------------------------- */

int
view_expire_due(struct store *s, uint64_t now_ms, uint64_t *expired)
{
    int64_t today = (int64_t)(now_ms / 86400000u);
    uint64_t reached = 0, n = 0;
    struct view_ctx c;
    sqlite3_stmt *st;
    int rc;

    if (expired)
        *expired = 0;
    if ((rc = view__ctx_init(&c, view__vocab(s))) != 0)
        return rc;
    if ((rc = store_begin(s)) != 0)
        goto out_ctx;
    rc = store_meta_get_u64(s, "retention_day", &reached);
    if (rc != 0 && rc != ILONET_ENOTFOUND)
        goto fail;
    /* never back: a clock set back neither hides nor shows anything */
    if (rc == 0 && (int64_t)reached >= today) {
        rc = store_commit(s);
        goto out_ctx;
    }
    if ((rc = store_meta_set_u64(s, "retention_day", (uint64_t)today)) != 0)
        goto fail;
    st = store_stmt(s, "SELECT count(*) FROM v_rec WHERE rt < ? AND status"
                       " <> 'erased'");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, today);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if ((rc = view__recompute_expired(&c, s, today)) != 0)
        goto fail;
    if ((rc = store_commit(s)) == 0 && expired)
        *expired = n;
    goto out_ctx;
fail:
    store_rollback(s);
out_ctx:
    view__ctx_free(&c);
    return rc;
}

int
view_expired_own(struct store *s, const uint8_t author[static 32],
                 struct view_expired *out, size_t max, size_t *n)
{
    sqlite3_stmt *st;
    size_t k = 0;
    int rc = SQLITE_DONE;

    if (!s || !author || (max && !out) || !n)
        return ILONET_EINVAL;
    /* "+r.k": ordering by the rowid made SQLite walk all of v_rec (half
     * a second per million records, on the node's loop at every start);
     * the rt index holds only records with a retention date. */
    st = store_stmt(s, "SELECT e.id, l.audience, r.rt FROM v_rec r CROSS"
                       " JOIN entries e ON e.k = r.k CROSS JOIN logs l ON"
                       " l.lid = r.k >> 32 WHERE r.status = 'erased' AND"
                       " r.erased_by IS NULL AND r.rt < (SELECT"
                       " coalesce((SELECT v FROM meta WHERE k ="
                       " 'retention_day'), 0)) AND l.author = ? ORDER BY +r.k");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, author, KEY_PK_LEN, SQLITE_STATIC);
    while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != HASH_LEN)
            continue;
        memcpy(out[k].ve_id, sqlite3_column_blob(st, 0), HASH_LEN);
        view__strcpy(out[k].ve_audience, sizeof(out[k].ve_audience),
                     (const char *)sqlite3_column_text(st, 1));
        vocab_day_text(sqlite3_column_int64(st, 2), out[k].ve_retain_until);
        k++;
    }
    if (k < max && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return store_err(rc);
    }
    sqlite3_reset(st);
    *n = k;
    return 0;
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

/* How the last column of a hashed row is written (docs/REGIMES.md §7). */
enum view__tail {
    VIEW__TAIL_NONE = 0, /* an ordinary column */
    VIEW__TAIL_OPT,      /* xf: appended as is when not NULL (377-2004) */
    VIEW__TAIL_ALWAYS,   /* xf: appended as is, an empty map when NULL */
};

/* One digest being computed: its state, and the audience whose rows it
 * takes (NULL: every row its query returns). */
struct view__hsink {
    const char *hs_aud;
    struct hash_state hs_h;
};

/* Hashes the rows of sql (?1 = audience, when one is bound) into every
 * sink that takes the row's audience (column aud_col). */
static int
view__hash_table(struct store *s, struct view__hsink *sk, size_t nsk,
                 struct wire_buf *wb, const char *tag, const char *sql,
                 const char *audience, int aud_col, int erased_cols,
                 enum view__tail tail)
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
        int n = tail ? ncol - 1 : ncol, raw = 0;
        const char *aud = (const char *)sqlite3_column_text(st, aud_col);

        if (erased_cols && sqlite3_column_type(st, 1) == SQLITE_TEXT &&
            strcmp((const char *)sqlite3_column_text(st, 1), "erased") == 0)
            n = erased_cols;
        else if (tail == VIEW__TAIL_ALWAYS ||
                 (tail == VIEW__TAIL_OPT &&
                  sqlite3_column_type(st, ncol - 1) == SQLITE_BLOB))
            raw = 1;
        wire_buf_reset(wb);
        wire_pack_array(wb, (uint32_t)(n + raw) + 1);
        wire_pack_str(wb, tag);
        for (int i = 0; i < n; i++)
            view__pack_col(wb, st, i);
        if (raw && sqlite3_column_type(st, ncol - 1) == SQLITE_BLOB)
            /* a canonical map the view packed itself */
            wire_buf_append(wb, sqlite3_column_blob(st, ncol - 1),
                            (size_t)sqlite3_column_bytes(st, ncol - 1));
        else if (raw)
            wire_pack_map(wb, 0);
        if (wb->wb_err) {
            rc = wb->wb_err;
            goto out;
        }
        for (size_t k = 0; k < nsk; k++)
            if (!sk[k].hs_aud || (aud && strcmp(aud, sk[k].hs_aud) == 0))
                hash_update(&sk[k].hs_h, wb->wb_data, wb->wb_len);
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
out:
    sqlite3_finalize(st);
    return rc;
}

/*
 * The digests of n audiences (NULL: everything held) in one pass over the
 * view: each table's rows are read once in id order, all audiences
 * together, and every row goes to the digests that take it. Each digest
 * is the one a pass over its audience alone gives: the same rows in the
 * same order. One audience alone reads only its rows.
 */
static int
view__hash_many(struct store *s, const char *const *auds, size_t n,
                uint8_t (*out)[HASH_LEN])
{
#define VIEW__AUD(all) (filter ? " WHERE audience = ?1" : all)
#define VIEW__AND (filter ? " AND audience = ?1" : "")
    const struct vocab *v = view__vocab(s);
    int seed = !v || strcmp(vocab_regime(v), "377-2004") == 0;
    const char *filter = n == 1 ? auds[0] : NULL;
    struct view__hsink *sk;
    struct wire_buf wb;
    char sql[1024];
    int rc, temp;

    if (!(sk = calloc(n ? n : 1, sizeof(*sk))))
        return ILONET_ENOMEM;
    /* every row is sorted by id: in temp files, bounded, where it can */
    temp = view__temp_file(s);
    for (size_t i = 0; i < n; i++) {
        sk[i].hs_aud = filter ? NULL : auds[i];
        hash_init(&sk[i].hs_h, HASH_CTX_VIEW);
    }
    wire_buf_init(&wb, 1 << 20);
    /* id, status, kind, audience, author, author_state, hlc | the rest:
     * under 377-2004 the seed's 34 field columns and, only when the record
     * has values of other fields, their map; under another regime the
     * fields as one map (docs/REGIMES.md §7) */
    snprintf(sql, sizeof(sql),
             "SELECT id, status, kind, audience, author, author_state, hlc,"
             " owner, grant_id, valid, updated, retracted_by, task_status,"
             " task_status_state, task_status_by, %sxf FROM v_records WHERE"
             " status <> 'unread'%s ORDER BY id",
             seed ? VIEW__FIELD_COLS ", " : "", VIEW__AND);
    if ((rc = view__hash_table(s, sk, n, &wb, "record", sql, filter, 3, 7,
                               seed ? VIEW__TAIL_OPT : VIEW__TAIL_ALWAYS)) != 0)
        goto out;
    snprintf(sql, sizeof(sql),
             "SELECT entry, grant_id, audience, author, author_state, hlc,"
             " represented, representing, scope, not_before, not_after,"
             " serial, valid FROM v_grants%s ORDER BY entry",
             VIEW__AUD(""));
    if ((rc = view__hash_table(s, sk, n, &wb, "grant", sql, filter, 2, 0,
                               VIEW__TAIL_NONE)) != 0)
        goto out;
    snprintf(sql, sizeof(sql),
             "SELECT entry, rev_id, audience, author, author_state, hlc,"
             " type, state, grant_id, node, at, serial, valid FROM"
             " v_revocations%s ORDER BY entry",
             VIEW__AUD(""));
    if ((rc = view__hash_table(s, sk, n, &wb, "revocation", sql, filter, 2, 0,
                               VIEW__TAIL_NONE)) != 0)
        goto out;
    /* entries this node cannot read yet: what every node knows of them */
    snprintf(sql, sizeof(sql),
             "SELECT id, kind, audience, author, hlc, vw FROM v_records"
             " WHERE status = 'unread'%s ORDER BY id",
             VIEW__AND);
    if ((rc = view__hash_table(s, sk, n, &wb, "unread", sql, filter, 2, 0,
                               VIEW__TAIL_NONE)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        hash_final(&sk[i].hs_h, out[i]);
out:
    view__temp_restore(s, temp);
    wire_buf_free(&wb);
    free(sk);
    return rc;
#undef VIEW__AUD
#undef VIEW__AND
}

int
view__hash_compute(struct store *s, const char *audience,
                   uint8_t out[static HASH_LEN])
{
    return view__hash_many(s, &audience, 1, (uint8_t(*)[HASH_LEN])out);
}

int
view_hashes(struct store *s, const char *const *audiences, size_t n,
            uint8_t (*out)[HASH_LEN])
{
    const char **miss = NULL;
    uint8_t(*fp)[HASH_LEN] = NULL, (*h)[HASH_LEN] = NULL;
    size_t *at = NULL, nm = 0;
    int rc = 0;

    if (!s || (n && (!audiences || !out)))
        return ILONET_EINVAL;
    if (n == 0)
        return 0;
    if (!(miss = calloc(n, sizeof(*miss))) || !(at = calloc(n, sizeof(*at))) ||
        !(fp = calloc(n, sizeof(*fp))) || !(h = calloc(n, sizeof(*h)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    /* Unchanged entries, unchanged view: a connection keeps the last
     * digest under a fingerprint of what the view is a function of
     * (view_index.c); only the others are computed, together. */
    for (size_t i = 0; i < n; i++) {
        rc = view__hash_cached(s, audiences[i], fp[nm], out[i]);
        if (rc == ILONET_ENOTFOUND) {
            miss[nm] = audiences[i];
            at[nm++] = i;
        } else if (rc != 0) {
            goto out;
        }
    }
    rc = 0;
    if (nm && (rc = view__hash_many(s, miss, nm, h)) != 0)
        goto out;
    for (size_t j = 0; j < nm; j++) {
        view__hash_remember(s, miss[j], fp[j], h[j]); /* best effort */
        memcpy(out[at[j]], h[j], HASH_LEN);
    }
out:
    free(miss);
    free(at);
    free(fp);
    free(h);
    return rc;
}

int
view_hash(struct store *s, const char *audience, uint8_t out[static HASH_LEN])
{
    return view_hashes(s, &audience, 1, (uint8_t(*)[HASH_LEN])out);
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
    if (hash_prefix_range(hex, lo, hi) != 0)
        return ILONET_EINVAL;
    /* through the id index on the id's first 4 bytes: the first hex
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
view_record_marked(struct store *s, const uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    if (log_find(s, id, &k) != 0)
        return 0;
    st = store_stmt(s, "SELECT 1 FROM v_rec WHERE k = ? AND rt IS NOT NULL");
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW;
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
