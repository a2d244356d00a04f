/* view_records.c - records, their changes, and the per-record recompute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/log.h"
#include "view_int.h"

/*
 * Order independence comes from never updating a record in place from one
 * change: every change is kept in v_changes keyed by its target, and a
 * record's row is recomputed from its creation payload plus all changes
 * in LWW order (hlc, author key, entry id) whenever any of them (or a
 * grant they rely on) arrives. A change whose record has not arrived yet
 * simply waits in v_changes.
 */

#define VIEW__WHY 200

static const msgpack_object view__nil = {.type = MSGPACK_OBJECT_NIL};

static const msgpack_object *
view__get(const msgpack_object *map, const char *key)
{
    return wire_map_get(map, key);
}

/* Text of a msgpack str into out (cap bytes), "" otherwise. */
static void
view__cstr(const msgpack_object *o, char *out, size_t cap)
{
    if (o && o->type == MSGPACK_OBJECT_STR) {
        size_t n = o->via.str.size < cap - 1 ? o->via.str.size : cap - 1;
        memcpy(out, o->via.str.ptr, n);
        out[n] = '\0';
    } else {
        out[0] = '\0';
    }
}

/* Binds a field value to parameter i in its column form. */
static int
view__bind_value(struct view_ctx *c, sqlite3_stmt *st, int i,
                 const msgpack_object *v)
{
    if (!v || v->type == MSGPACK_OBJECT_NIL)
        return sqlite3_bind_null(st, i), 0;
    switch (v->type) {
    case MSGPACK_OBJECT_STR:
        sqlite3_bind_text(st, i, v->via.str.ptr, (int)v->via.str.size,
                          SQLITE_STATIC);
        return 0;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        sqlite3_bind_int64(st, i, (int64_t)v->via.u64);
        return 0;
    case MSGPACK_OBJECT_ARRAY: {
        size_t need = record_value_text(v, NULL, 0) + 1;
        char *buf = msgpack_zone_malloc(&c->vc_zone, need);

        if (!buf)
            return ILONET_ENOMEM;
        record_value_text(v, buf, need);
        sqlite3_bind_text(st, i, buf, (int)need - 1, SQLITE_STATIC);
        return 0;
    }
    default:
        sqlite3_bind_null(st, i);
        return 0;
    }
}

/* Column values of a record kind's map into vals[VIEW__NCOLS]. */
static void
view__collect(struct view_ctx *c, uint32_t kind, const msgpack_object *map,
              const msgpack_object **vals)
{
    const struct record_schema *sc = record_schema(kind);

    if (!sc || !map || map->type != MSGPACK_OBJECT_MAP)
        return;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;

        if (k->type != MSGPACK_OBJECT_STR)
            continue;
        for (size_t f = 0; f < sc->rs_nfields; f++) {
            const char *n = sc->rs_fields[f].rf_name;
            if (strlen(n) == k->via.str.size &&
                memcmp(n, k->via.str.ptr, k->via.str.size) == 0) {
                int col = c->vc_col[kind][f];
                if (col >= 0)
                    vals[col] = &map->via.map.ptr[i].val;
                break;
            }
        }
    }
}

/* 1 if the msgpack array of state codes holds state. */
static int
view__in_states(const msgpack_object *arr, const char *state)
{
    size_t n = strlen(state);

    if (!arr || arr->type != MSGPACK_OBJECT_ARRAY)
        return 0;
    for (uint32_t i = 0; i < arr->via.array.size; i++) {
        const msgpack_object *o = &arr->via.array.ptr[i];
        if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
            memcmp(o->via.str.ptr, state, n) == 0)
            return 1;
    }
    return 0;
}

int64_t
view__idp(const uint8_t id[static HASH_LEN])
{
    return log_id_prefix(id);
}

/* ---- creation -------------------------------------------------------- */

int
view__record_create(struct view_ctx *c, struct store *s,
                    const struct entry *e, const char *audience,
                    const uint8_t author[static KEY_PK_LEN],
                    const char *author_state)
{
    static const char *const sql_ins =
        "INSERT OR IGNORE INTO v_records(id, kind, audience, k, author,"
        " author_state, hlc, owner, grant_id, base_why, valid, why, status,"
        " task_status, " VIEW__FIELD_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,"
        "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
        "?,?)";
    uint32_t kind = (uint32_t)e->e_h.h_kind;
    const msgpack_object *vals[VIEW__NCOLS] = {0};
    const msgpack_object *behalf = NULL, *grant = NULL;
    char why[VIEW__WHY], owner[KEY_STATE_MAX + 1], cat[32] = "";
    const char *base_why = NULL, *reason = NULL;
    msgpack_object o;
    sqlite3_stmt *st;
    int64_t k;
    int valid = 0, rc;

    if ((rc = view__entry_k(c, s, e, &k)) != 0)
        return rc;
    snprintf(owner, sizeof(owner), "%s", author_state);
    if (!e->e_payload) {
        base_why = "payload erased";
    } else if (view__unpack(c, e->e_payload, e->e_payload_len, c->vc_pflags,
                            &o) != 0) {
        base_why = "payload is not a canonical map";
    } else if (record_check(kind, &o, why, sizeof(why)) != 0) {
        base_why = why;
    } else {
        behalf = view__get(&o, "on-behalf-of");
        grant = view__get(&o, "grant");
        if (behalf)
            view__cstr(behalf, owner, sizeof(owner));
        view__cstr(view__get(&o, "category"), cat, sizeof(cat));
        view__collect(c, kind, &o, vals);
    }
    if (base_why) {
        reason = base_why;
    } else if (!*author_state) {
        reason = "author has no certificate held";
    } else if (behalf && strcmp(owner, author_state) != 0) {
        struct view_auth_req r = {
            .ar_grant = (const uint8_t *)grant->via.bin.ptr,
            .ar_owner = owner,
            .ar_rep = author_state,
            .ar_kind = kind,
            .ar_category = *cat ? cat : NULL,
            .ar_audience = audience,
            .ar_hlc = e->e_h.h_hlc,
        };
        if (view__grant_ok(s, &r, why, sizeof(why)) == 0)
            valid = 1;
        else
            reason = why;
    } else {
        valid = 1;
    }
    st = store_stmt(s, sql_ins);
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, e->e_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)kind);
    sqlite3_bind_text(st, 3, audience, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k);
    sqlite3_bind_blob(st, 5, author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, author_state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (int64_t)e->e_h.h_hlc);
    sqlite3_bind_text(st, 8, owner, -1, SQLITE_STATIC);
    if (grant && behalf && strcmp(owner, author_state) != 0)
        sqlite3_bind_blob(st, 9, grant->via.bin.ptr, HASH_LEN,
                          SQLITE_STATIC);
    if (base_why)
        sqlite3_bind_text(st, 10, base_why, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, valid);
    if (reason)
        sqlite3_bind_text(st, 12, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, e->e_payload ? "active" : "erased", -1,
                      SQLITE_STATIC);
    if (kind == KIND_TASK && e->e_payload)
        sqlite3_bind_text(st, 14, "open", -1, SQLITE_STATIC);
    for (int i = 0; i < VIEW__NCOLS; i++)
        if (vals[i] && (rc = view__bind_value(c, st, 15 + i, vals[i])) != 0)
            return sqlite3_reset(st), rc;
    if ((rc = view__step_done(st)) != 0)
        return rc;
    if (c->vc_bulk || sqlite3_changes(store_db(s)) == 0)
        return 0;
    /* Changes that arrived before the record wait for it. The prefix
     * alone answers from the index; another record's change with the same
     * prefix only costs a recompute that writes the row just inserted. */
    st = store_stmt(s, "SELECT 1 FROM v_changes WHERE target_p = ? LIMIT 1");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, view__idp(e->e_id));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW || (!e->e_payload))
        return view__recompute(c, s, e->e_id);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* ---- changes ---------------------------------------------------------- */

int
view__change_add(struct view_ctx *c, struct store *s, const struct entry *e,
                 const char *audience,
                 const uint8_t author[static KEY_PK_LEN],
                 const char *author_state)
{
    static const char *const sql_ins =
        "INSERT OR IGNORE INTO v_changes(id, target, target_p, kind,"
        " audience, k, author, author_state, hlc, behalf, grant_id, status,"
        " why)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)";
    uint32_t kind = (uint32_t)e->e_h.h_kind;
    const msgpack_object *target, *behalf, *grant, *status;
    char why[VIEW__WHY];
    const char *bad = NULL;
    msgpack_object o;
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    if ((rc = view__entry_k(c, s, e, &k)) != 0)
        return rc;
    /* Without its payload a change names no target: it cannot act. */
    if (!e->e_payload ||
        view__unpack(c, e->e_payload, e->e_payload_len, c->vc_pflags, &o) !=
            0 ||
        o.type != MSGPACK_OBJECT_MAP)
        return 0;
    target = view__get(&o, kind == KIND_TASK_STATUS ? "task" : "record");
    if (!target || target->type != MSGPACK_OBJECT_BIN ||
        target->via.bin.size != HASH_LEN)
        return 0;
    if (record_check(kind, &o, why, sizeof(why)) != 0)
        bad = why;
    behalf = view__get(&o, "on-behalf-of");
    grant = view__get(&o, "grant");
    status = view__get(&o, "status");
    st = store_stmt(s, sql_ins);
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, e->e_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, target->via.bin.ptr, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3,
                       view__idp((const uint8_t *)target->via.bin.ptr));
    sqlite3_bind_int(st, 4, (int)kind);
    sqlite3_bind_text(st, 5, audience, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, k);
    sqlite3_bind_blob(st, 7, author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, author_state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, (int64_t)e->e_h.h_hlc);
    if (!bad) {
        view__bind_str(st, 10, behalf);
        if (grant)
            sqlite3_bind_blob(st, 11, grant->via.bin.ptr, HASH_LEN,
                              SQLITE_STATIC);
        view__bind_str(st, 12, status);
    }
    /* "bad:" marks a payload problem: recompute keeps it as the reason */
    if (bad) {
        char *b = msgpack_zone_malloc(&c->vc_zone, strlen(bad) + 5);
        if (!b)
            return sqlite3_reset(st), ILONET_ENOMEM;
        memcpy(b, "bad:", 4);
        memcpy(b + 4, bad, strlen(bad) + 1);
        sqlite3_bind_text(st, 13, b, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(st, 13, "record not held", -1, SQLITE_STATIC);
    }
    if ((rc = view__step_done(st)) != 0)
        return rc;
    if (c->vc_bulk || sqlite3_changes(store_db(s)) == 0)
        return 0;
    {
        uint8_t t[HASH_LEN];
        memcpy(t, target->via.bin.ptr, HASH_LEN);
        return view__recompute(c, s, t);
    }
}

/* ---- recompute ----------------------------------------------------------- */

struct view__change {
    int64_t ch_k;
    uint8_t ch_id[HASH_LEN];
    uint32_t ch_kind;
    char ch_audience[ENTRY_AUDIENCE_MAX + 1];
    char ch_state[KEY_STATE_MAX + 1];
    char ch_behalf[KEY_STATE_MAX + 1];
    int ch_has_grant;
    uint8_t ch_grant[HASH_LEN];
    uint64_t ch_hlc;
    char ch_status[16];
    int ch_valid;
    char ch_why[VIEW__WHY];
};

/* Loads the payload of entry id into the zone; *o NIL when not held. */
static int
view__load_payload(struct view_ctx *c, struct store *s, int64_t k,
                   msgpack_object *o)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT payload FROM entries WHERE"
                                     " k = ?");
    int rc;

    *o = view__nil;
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        if (view__unpack(c, sqlite3_column_blob(st, 0),
                         (size_t)sqlite3_column_bytes(st, 0), 0, o) != 0)
            *o = view__nil;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

static int
view__erase_payload(struct store *s, int64_t k)
{
    /* through the log store: the row keeps a header it can no longer
     * derive from the payload */
    return log_erase_at(s, k);
}

/* Loads every change of a record, in LWW order. *out is malloc'd. */
static int
view__load_changes(struct store *s, const uint8_t id[static HASH_LEN],
                   struct view__change **out, size_t *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT id, kind, audience, author_state, behalf, grant_id, hlc,"
           " status, valid, why, k FROM v_changes WHERE target_p = ? AND"
           " target = ? ORDER BY hlc, author, id");
    struct view__change *v = NULL;
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, view__idp(id));
    sqlite3_bind_blob(st, 2, id, HASH_LEN, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct view__change *ch;

        if (*n == cap) {
            void *p = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            v = p;
        }
        ch = &v[(*n)++];
        memset(ch, 0, sizeof(*ch));
        memcpy(ch->ch_id, sqlite3_column_blob(st, 0), HASH_LEN);
        ch->ch_kind = (uint32_t)sqlite3_column_int(st, 1);
        snprintf(ch->ch_audience, sizeof(ch->ch_audience), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        snprintf(ch->ch_state, sizeof(ch->ch_state), "%s",
                 (const char *)sqlite3_column_text(st, 3));
        if (sqlite3_column_type(st, 4) == SQLITE_TEXT)
            snprintf(ch->ch_behalf, sizeof(ch->ch_behalf), "%s",
                     (const char *)sqlite3_column_text(st, 4));
        if (sqlite3_column_bytes(st, 5) == HASH_LEN) {
            ch->ch_has_grant = 1;
            memcpy(ch->ch_grant, sqlite3_column_blob(st, 5), HASH_LEN);
        }
        ch->ch_hlc = (uint64_t)sqlite3_column_int64(st, 6);
        if (sqlite3_column_type(st, 7) == SQLITE_TEXT)
            snprintf(ch->ch_status, sizeof(ch->ch_status), "%s",
                     (const char *)sqlite3_column_text(st, 7));
        ch->ch_valid = sqlite3_column_int(st, 8);
        if (sqlite3_column_type(st, 9) == SQLITE_TEXT)
            snprintf(ch->ch_why, sizeof(ch->ch_why), "%s",
                     (const char *)sqlite3_column_text(st, 9));
        ch->ch_k = sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    *out = v;
    return 0;
fail:
    sqlite3_reset(st);
    free(v);
    *n = 0;
    return rc;
}

struct view__rec {
    int64_t r_k;
    uint32_t r_kind;
    char r_audience[ENTRY_AUDIENCE_MAX + 1];
    char r_author_state[KEY_STATE_MAX + 1];
    char r_owner[KEY_STATE_MAX + 1];
    int r_has_grant;
    uint8_t r_grant[HASH_LEN];
    char r_base_why[VIEW__WHY];
    int r_has_base_why;
    uint64_t r_hlc;
};

static int
view__load_record(struct store *s, const uint8_t id[static HASH_LEN],
                  struct view__rec *r)
{
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    if ((rc = log_find(s, id, &k)) != 0)
        return rc;
    st = store_stmt(s, "SELECT kind, audience, author_state, owner, grant_id,"
                       " base_why, hlc, k FROM v_records WHERE k = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    memset(r, 0, sizeof(*r));
    r->r_kind = (uint32_t)sqlite3_column_int(st, 0);
    snprintf(r->r_audience, sizeof(r->r_audience), "%s",
             (const char *)sqlite3_column_text(st, 1));
    snprintf(r->r_author_state, sizeof(r->r_author_state), "%s",
             (const char *)sqlite3_column_text(st, 2));
    snprintf(r->r_owner, sizeof(r->r_owner), "%s",
             (const char *)sqlite3_column_text(st, 3));
    if (sqlite3_column_bytes(st, 4) == HASH_LEN) {
        r->r_has_grant = 1;
        memcpy(r->r_grant, sqlite3_column_blob(st, 4), HASH_LEN);
    }
    if (sqlite3_column_type(st, 5) == SQLITE_TEXT) {
        r->r_has_base_why = 1;
        snprintf(r->r_base_why, sizeof(r->r_base_why), "%s",
                 (const char *)sqlite3_column_text(st, 5));
    }
    r->r_hlc = (uint64_t)sqlite3_column_int64(st, 6);
    r->r_k = sqlite3_column_int64(st, 7);
    sqlite3_reset(st);
    return 0;
}

/* Decides whether one change takes effect; fills why when not, and
 * *acting with the state it acts as. */
static int
view__change_ok(struct view_ctx *c, struct store *s,
                const struct view__rec *r, const char *category,
                const msgpack_object *assignees, struct view__change *ch,
                const char **acting, msgpack_object *fields, char *why,
                size_t wl)
{
    struct view_auth_req ar;
    msgpack_object p;
    int rc;

    *acting = ch->ch_state;
    *fields = view__nil;
    if (strncmp(ch->ch_why, "bad:", 4) == 0) {
        snprintf(why, wl, "%s", ch->ch_why + 4);
        return 0;
    }
    if (strcmp(ch->ch_audience, r->r_audience) != 0) {
        snprintf(why, wl, "written to audience %s, the record is in %s",
                 ch->ch_audience, r->r_audience);
        return 0;
    }
    if (!ch->ch_state[0]) {
        snprintf(why, wl, "author has no certificate held");
        return 0;
    }
    if (ch->ch_behalf[0] && strcmp(ch->ch_behalf, ch->ch_state) != 0) {
        memset(&ar, 0, sizeof(ar));
        ar.ar_grant = ch->ch_grant;
        ar.ar_owner = ch->ch_behalf;
        ar.ar_rep = ch->ch_state;
        ar.ar_kind = r->r_kind;
        ar.ar_category = category;
        ar.ar_audience = ch->ch_audience;
        ar.ar_hlc = ch->ch_hlc;
        ar.ar_ignore_revocations = ch->ch_kind == KIND_ERASE;
        if (!ch->ch_has_grant || view__grant_ok(s, &ar, why, wl) != 0)
            return 0;
        *acting = ch->ch_behalf;
    }
    switch (ch->ch_kind) {
    case KIND_AMEND:
        if (strcmp(*acting, r->r_owner) != 0)
            break;
        if ((rc = view__load_payload(c, s, ch->ch_k, &p)) != 0)
            return rc;
        if (p.type == MSGPACK_OBJECT_MAP) {
            const msgpack_object *f = wire_map_get(&p, "fields");
            if (!f || record_check_amend(r->r_kind, f, why, wl) != 0) {
                if (!f)
                    snprintf(why, wl, "no fields");
                return 0;
            }
            *fields = *f;
        }
        return 1;
    case KIND_RETRACT:
        if (strcmp(*acting, r->r_owner) != 0)
            break;
        return 1;
    case KIND_ERASE:
        /* The owner, or the state that wrote the record, may erase it. */
        if (strcmp(*acting, r->r_owner) != 0 &&
            strcmp(*acting, r->r_author_state) != 0 &&
            strcmp(ch->ch_state, r->r_author_state) != 0)
            break;
        return 1;
    case KIND_TASK_STATUS:
        if (r->r_kind != KIND_TASK) {
            snprintf(why, wl, "not a task");
            return 0;
        }
        if (strcmp(ch->ch_status, "cancel") == 0) {
            if (strcmp(*acting, r->r_owner) == 0)
                return 1;
            snprintf(why, wl, "only the creator %s may cancel", r->r_owner);
            return 0;
        }
        if (view__in_states(assignees, *acting))
            return 1;
        snprintf(why, wl, "%s is not an assignee of the task", *acting);
        return 0;
    default:
        snprintf(why, wl, "not a change");
        return 0;
    }
    snprintf(why, wl, "%s is not the owning state %s", *acting, r->r_owner);
    return 0;
}

int
view__recompute(struct view_ctx *c, struct store *s,
                const uint8_t id[static HASH_LEN])
{
    static const char *const sql_upd =
        "UPDATE v_records SET valid = ?, why = ?, status = ?, updated = ?,"
        " retracted_by = ?, erased_by = ?, task_status = ?,"
        " task_status_state = ?, task_status_by = ?, category = ?,"
        " summary = ?, detail = ?, nationality = ?, figure = ?, unit = ?,"
        " period = ?, level = ?, reliability = ?, source = ?, place = ?,"
        " date = ?, convenor = ?, participants = ?, commission = ?,"
        " reason = ?, topics = ?, title = ?, type = ?, organiser = ?,"
        " attendees = ?, carrier = ?, position = ?, states = ?,"
        " counterpart = ?, post = ?, officers = ?, posted_from = ?,"
        " posted_until = ?, remit = ?, assignees = ?, due = ?, semester = ?,"
        " acting_state = ? WHERE k = ?";
    const msgpack_object *vals[VIEW__NCOLS] = {0};
    const msgpack_object *assignees = NULL;
    struct view__change *chs = NULL;
    struct view__rec r;
    msgpack_object base;
    char why[VIEW__WHY], category[32] = "";
    const char *rwhy = NULL, *status;
    const uint8_t *retracted_by = NULL, *erased_by = NULL, *ts_by = NULL;
    const char *ts = NULL, *ts_state = NULL;
    uint64_t updated = 0;
    size_t n = 0;
    sqlite3_stmt *st;
    int valid = 0, erased, rc;

    rc = view__load_record(s, id, &r);
    if (rc == ILONET_ENOTFOUND)
        return 0; /* its changes wait for it */
    if (rc != 0)
        return rc;
    msgpack_zone_clear(&c->vc_zone);
    if ((rc = view__load_payload(c, s, r.r_k, &base)) != 0)
        return rc;
    if (base.type == MSGPACK_OBJECT_MAP && !r.r_has_base_why) {
        view__collect(c, r.r_kind, &base, vals);
        view__cstr(wire_map_get(&base, "category"), category,
                   sizeof(category));
        assignees = wire_map_get(&base, "for");
    }
    /* Does the creation itself take effect? */
    if (r.r_has_base_why) {
        rwhy = r.r_base_why;
    } else if (base.type != MSGPACK_OBJECT_MAP) {
        rwhy = "payload erased";
    } else if (!r.r_author_state[0]) {
        rwhy = "author has no certificate held";
    } else if (r.r_has_grant) {
        struct view_auth_req ar = {
            .ar_grant = r.r_grant,
            .ar_owner = r.r_owner,
            .ar_rep = r.r_author_state,
            .ar_kind = r.r_kind,
            .ar_category = *category ? category : NULL,
            .ar_audience = r.r_audience,
            .ar_hlc = r.r_hlc,
        };
        if (view__grant_ok(s, &ar, why, sizeof(why)) == 0)
            valid = 1;
        else
            rwhy = why;
    } else {
        valid = 1;
    }
    char rwhy_buf[VIEW__WHY];
    if (rwhy) {
        snprintf(rwhy_buf, sizeof(rwhy_buf), "%s", rwhy);
        rwhy = rwhy_buf;
    }
    if ((rc = view__load_changes(s, id, &chs, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct view__change *ch = &chs[i];
        const char *acting;
        msgpack_object fields;
        char cwhy[VIEW__WHY] = "";
        int ok;

        ok = view__change_ok(c, s, &r, *category ? category : NULL,
                             assignees, ch, &acting, &fields, cwhy,
                             sizeof(cwhy));
        if (ok < 0) {
            rc = ok;
            goto out;
        }
        if (ok != ch->ch_valid || strcmp(cwhy, ch->ch_why) != 0) {
            /* keep a payload problem's marker: it is not recomputable */
            if (strncmp(ch->ch_why, "bad:", 4) != 0) {
                st = store_stmt(s, "UPDATE v_changes SET valid = ?, why = ?"
                                   " WHERE k = ?");
                if (!st) {
                    rc = ILONET_EIO;
                    goto out;
                }
                sqlite3_bind_int(st, 1, ok);
                if (!ok)
                    sqlite3_bind_text(st, 2, cwhy, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, ch->ch_k);
                if ((rc = view__step_done(st)) != 0)
                    goto out;
            }
            ch->ch_valid = ok;
        }
        if (!ok)
            continue;
        switch (ch->ch_kind) {
        case KIND_AMEND:
            if (fields.type == MSGPACK_OBJECT_MAP) {
                const msgpack_object *nv[VIEW__NCOLS] = {0};

                view__collect(c, r.r_kind, &fields, nv);
                for (int k = 0; k < VIEW__NCOLS; k++)
                    if (nv[k])
                        vals[k] = nv[k];
            }
            updated = ch->ch_hlc;
            break;
        case KIND_RETRACT:
            if (!retracted_by)
                retracted_by = ch->ch_id;
            updated = ch->ch_hlc;
            break;
        case KIND_ERASE:
            if (!erased_by)
                erased_by = ch->ch_id;
            break;
        case KIND_TASK_STATUS:
            ts = ch->ch_status;
            ts_state = acting;
            ts_by = ch->ch_id;
            updated = ch->ch_hlc;
            break;
        }
    }
    erased = erased_by || base.type != MSGPACK_OBJECT_MAP;
    if (erased) {
        /* Erasure: the payload bytes of the record and of everything that
         * restated its content go (secure_delete overwrites them); only
         * the erase entries, which carry no content, stay. */
        if ((rc = view__erase_payload(s, r.r_k)) != 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if (chs[i].ch_kind == KIND_ERASE)
                continue;
            if ((rc = view__erase_payload(s, chs[i].ch_k)) != 0)
                goto out;
            st = store_stmt(s, "DELETE FROM v_changes WHERE k = ?");
            if (!st) {
                rc = ILONET_EIO;
                goto out;
            }
            sqlite3_bind_int64(st, 1, chs[i].ch_k);
            if ((rc = view__step_done(st)) != 0)
                goto out;
        }
        memset(vals, 0, sizeof(vals));
        retracted_by = NULL;
        ts = ts_state = NULL;
        ts_by = NULL;
        updated = 0;
        status = "erased";
    } else {
        status = retracted_by ? "retracted" : "active";
        if (r.r_kind == KIND_TASK && !ts)
            ts = "open";
    }
    st = store_stmt(s, sql_upd);
    if (!st) {
        rc = ILONET_EIO;
        goto out;
    }
    sqlite3_bind_int(st, 1, valid);
    if (rwhy)
        sqlite3_bind_text(st, 2, rwhy, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    if (updated)
        sqlite3_bind_int64(st, 4, (int64_t)updated);
    if (retracted_by)
        sqlite3_bind_blob(st, 5, retracted_by, HASH_LEN, SQLITE_STATIC);
    if (erased_by)
        sqlite3_bind_blob(st, 6, erased_by, HASH_LEN, SQLITE_STATIC);
    if (ts)
        sqlite3_bind_text(st, 7, ts, -1, SQLITE_STATIC);
    if (ts_state)
        sqlite3_bind_text(st, 8, ts_state, -1, SQLITE_STATIC);
    if (ts_by)
        sqlite3_bind_blob(st, 9, ts_by, HASH_LEN, SQLITE_STATIC);
    for (int k = 0; k < VIEW__NCOLS; k++)
        if (vals[k] && (rc = view__bind_value(c, st, 10 + k, vals[k])) != 0) {
            sqlite3_reset(st);
            goto out;
        }
    sqlite3_bind_int64(st, 10 + VIEW__NCOLS, r.r_k);
    rc = view__step_done(st);
out:
    free(chs);
    return rc;
}

/* Collects ids from a query (all rows, first column) into a malloc'd
 * array, so that recomputing can modify the tables read. */
static int
view__collect_ids(struct store *s, const char *sql, const uint8_t *bind,
                  uint8_t (**out)[HASH_LEN], size_t *n)
{
    sqlite3_stmt *st = NULL;
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t cap = 0;
    int rc;

    *n = 0;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    if (bind)
        sqlite3_bind_blob(st, 1, bind, HASH_LEN, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != HASH_LEN)
            continue;
        if (*n == cap) {
            void *p = realloc(ids, (cap = cap ? cap * 2 : 64) * HASH_LEN);
            if (!p) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            ids = p;
        }
        memcpy(ids[(*n)++], sqlite3_column_blob(st, 0), HASH_LEN);
    }
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    sqlite3_finalize(st);
    *out = ids;
    return 0;
fail:
    sqlite3_finalize(st);
    free(ids);
    *n = 0;
    return rc;
}

/* Like view__collect_ids with a k range [lo, hi) as parameters. */
static int
view__collect_range(struct store *s, const char *sql, int64_t lo, int64_t hi,
                    uint8_t (**out)[HASH_LEN], size_t *n)
{
    sqlite3_stmt *st = NULL;
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t cap = 0;
    int rc;

    *n = 0;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != HASH_LEN)
            continue;
        if (*n == cap) {
            void *p = realloc(ids, (cap = cap ? cap * 2 : 64) * HASH_LEN);
            if (!p) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            ids = p;
        }
        memcpy(ids[(*n)++], sqlite3_column_blob(st, 0), HASH_LEN);
    }
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    sqlite3_finalize(st);
    *out = ids;
    return 0;
fail:
    sqlite3_finalize(st);
    free(ids);
    *n = 0;
    return rc;
}

static int
view__exec_range(struct store *s, const char *sql, int64_t lo, int64_t hi)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
view__remove_from(struct view_ctx *c, struct store *s,
                  const uint8_t log[static HASH_LEN], uint64_t seq)
{
    uint8_t(*t)[HASH_LEN] = NULL, (*g)[HASH_LEN] = NULL;
    size_t nt = 0, ng = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT lid FROM logs WHERE"
                                     " log_id = ?");
    int64_t lo, hi;
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : store_err(rc);
    }
    lo = sqlite3_column_int64(st, 0) << 32 | (int64_t)seq;
    hi = (sqlite3_column_int64(st, 0) + 1) << 32;
    sqlite3_reset(st);
    if ((rc = view__exec_range(s, "DELETE FROM v_records WHERE k >= ? AND"
                                  " k < ?",
                               lo, hi)) != 0)
        return rc;
    if ((rc = view__collect_range(s, "SELECT DISTINCT target FROM v_changes"
                                     " WHERE k >= ? AND k < ?",
                                  lo, hi, &t, &nt)) != 0)
        return rc;
    if ((rc = view__collect_range(
             s, "SELECT grant_id FROM v_grants WHERE k >= ?1 AND k < ?2"
                " UNION SELECT grant_id FROM v_revocations WHERE k >= ?1 AND"
                " k < ?2 AND grant_id IS NOT NULL",
             lo, hi, &g, &ng)) != 0)
        goto out;
    if ((rc = view__exec_range(s, "DELETE FROM v_changes WHERE k >= ? AND"
                                  " k < ?",
                               lo, hi)) != 0 ||
        (rc = view__exec_range(s, "DELETE FROM v_grants WHERE k >= ? AND"
                                  " k < ?",
                               lo, hi)) != 0 ||
        (rc = view__exec_range(s, "DELETE FROM v_revocations WHERE k >= ?"
                                  " AND k < ?",
                               lo, hi)) != 0)
        goto out;
    for (size_t i = 0; i < nt && rc == 0; i++)
        rc = view__recompute(c, s, t[i]);
    for (size_t i = 0; i < ng && rc == 0; i++)
        rc = view__grant_dependents(c, s, g[i]);
out:
    free(t);
    free(g);
    return rc;
}

static int
view__recompute_query(struct view_ctx *c, struct store *s, const char *sql,
                      const uint8_t *bind)
{
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t n = 0;
    int rc;

    if ((rc = view__collect_ids(s, sql, bind, &ids, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = view__recompute(c, s, ids[i]);
    free(ids);
    return rc;
}

int
view__recompute_all(struct view_ctx *c, struct store *s)
{
    return view__recompute_query(
        c, s,
        "SELECT target FROM v_changes UNION SELECT id FROM v_records WHERE"
        " grant_id IS NOT NULL OR status = 'erased'",
        NULL);
}

int
view__grant_dependents(struct view_ctx *c, struct store *s,
                       const uint8_t gid[static HASH_LEN])
{
    if (c->vc_bulk)
        return 0;
    return view__recompute_query(
        c, s,
        "SELECT id FROM v_records WHERE grant_id = ?1 UNION SELECT target"
        " FROM v_changes WHERE grant_id = ?1",
        gid);
}
