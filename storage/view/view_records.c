/* view_records.c - records, their changes, and the per-record recompute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/blob.h"
#include "storage/log.h"
#include "view_int.h"

/*
 * Order independence comes from never updating a record in place from one
 * change: every change is kept in v_chg keyed by its target, and a
 * record's row is recomputed from its creation payload plus all changes
 * in LWW order (hlc, author key, entry id) whenever any of them (or a
 * grant they rely on) arrives. A change whose record has not arrived yet
 * simply waits in v_chg.
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
    case MSGPACK_OBJECT_BIN:
        /* an id field (a stub, a report's hash): the report reads it */
        sqlite3_bind_blob(st, i, v->via.bin.ptr, (int)v->via.bin.size,
                          SQLITE_STATIC);
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
    default: sqlite3_bind_null(st, i); return 0;
    }
}

/* Values of a record kind's map by vocabulary field into vals
 * (RECORD_MAX_ITEMS, NULL when absent). The map passed record_read() for
 * kind when it was applied, so its keys are known fields in field order
 * (canonical maps are sorted, so are the fields) and the reserved "vocab"
 * key: one merge walk. */
static void
view__collect(struct view_ctx *c, uint32_t kind, const msgpack_object *map,
              const msgpack_object **vals)
{
    const struct vocab_kind *k = view__kind(c, kind);
    size_t f = 0;

    for (size_t i = 0; i < RECORD_MAX_ITEMS; i++)
        vals[i] = NULL;
    if (!k || !map || map->type != MSGPACK_OBJECT_MAP)
        return;
    for (uint32_t i = 0; i < map->via.map.size && f < k->vk_nfields; i++) {
        const msgpack_object *key = &map->via.map.ptr[i].key;

        if (key->type != MSGPACK_OBJECT_STR)
            continue;
        for (size_t g = f; g < k->vk_nfields; g++) {
            const char *n = k->vk_fields[g].vf_name;

            if (strlen(n) == key->via.str.size &&
                memcmp(n, key->via.str.ptr, key->via.str.size) == 0) {
                vals[g] = &map->via.map.ptr[i].val;
                f = g + 1;
                break;
            }
        }
    }
}

/* ---- derived columns: event days, retention, the hash's field map ---- */

/* The UTC day of an HLC timestamp. */
static int64_t
view__hlc_day(uint64_t hlc)
{
    return (int64_t)((hlc >> 16) / 86400000u);
}

/* A str value's day, or -1. */
static int64_t
view__day_of(const msgpack_object *o, size_t off)
{
    int64_t d;

    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size < off + 10 ||
        vocab_date(o->via.str.ptr + off, 10, &d) != 0)
        return -1;
    return d;
}

/* The event days of a record (docs/REGIMES.md §4): its event field(s),
 * else the day its creating entry was written. *to = -1: open-ended. */
static void
view__event(struct view_ctx *c, uint32_t kind,
            const msgpack_object *const *vals, uint64_t hlc, int64_t *from,
            int64_t *to)
{
    const struct vocab_kind *k = view__kind(c, kind);
    signed char a = kind < VIEW__KINDS ? c->vc_ev_a[kind] : -1;
    signed char b = kind < VIEW__KINDS ? c->vc_ev_b[kind] : -1;
    const msgpack_object *o = a >= 0 ? vals[a] : NULL;

    *from = *to = view__hlc_day(hlc);
    if (!k || !o || o->type != MSGPACK_OBJECT_STR)
        return;
    switch (k->vk_fields[a].vf_event) {
    case VE_AT:
        if (view__day_of(o, 0) >= 0)
            *from = *to = view__day_of(o, 0);
        return;
    case VE_SPAN:
        if (o->via.str.size == 7 && o->via.str.ptr[5] == 'H') {
            /* a semester "YYYY-H1" */
            char d[11];
            int h2 = o->via.str.ptr[6] == '2';
            int64_t x, y;

            snprintf(d, sizeof(d), "%.4s-%s", o->via.str.ptr,
                     h2 ? "07-01" : "01-01");
            if (vocab_date(d, 10, &x) != 0)
                return;
            snprintf(d, sizeof(d), "%.4s-%s", o->via.str.ptr,
                     h2 ? "12-31" : "06-30");
            if (vocab_date(d, 10, &y) != 0)
                return;
            *from = x;
            *to = y;
            return;
        }
        if (view__day_of(o, 0) < 0)
            return;
        *from = view__day_of(o, 0);
        *to = o->via.str.size == 22 ? view__day_of(o, 12) : *from;
        if (*to < 0)
            *to = *from;
        return;
    case VE_START:
        if (view__day_of(o, 0) < 0)
            return;
        *from = view__day_of(o, 0);
        *to = b >= 0 && vals[b] ? view__day_of(vals[b], 0) : -1;
        return;
    default: return;
    }
}

/* The retain-until day of a record, or -1 when it has none. */
static int64_t
view__retain_day(struct view_ctx *c, uint32_t kind,
                 const msgpack_object *const *vals)
{
    signed char f = kind < VIEW__KINDS ? c->vc_f_retain[kind] : -1;

    return f >= 0 ? view__day_of(vals[f], 0) : -1;
}

/* 1 (why filled) when a marked record's retain-until is before the day
 * its entry was written or beyond the regime's cap from it: the entry has
 * no effect. Only the entry's bytes and the regime's fixed cap are read,
 * so every node judges it alike (docs/REGIMES.md §5). */
static int
view__retention_bad(struct view_ctx *c, uint32_t kind,
                    const msgpack_object *const *vals, uint64_t hlc, char *why,
                    size_t wl)
{
    signed char f = kind < VIEW__KINDS ? c->vc_f_retain[kind] : -1;
    const msgpack_object *o = f >= 0 ? vals[f] : NULL;
    char written[11], until[11];

    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size != 10)
        return 0;
    vocab_day_text(view__hlc_day(hlc), written);
    memcpy(until, o->via.str.ptr, 10);
    until[10] = '\0';
    return vocab_check_retention(c->vc_vocab, written, until, why, wl) != 0;
}

/* The day view_expire_due() has reached (store meta "retention_day"), 0
 * when it has not run: retention ended for a record when its day is
 * before it. Read when a record has a date: the node's and the CLI's
 * connections see the same meta. */
static int64_t
view__retention_day(struct store *s)
{
    uint64_t d = 0;

    return store_meta_get_u64(s, "retention_day", &d) == 0 ? (int64_t)d : 0;
}

/* Packs one stored value (a str, uint, bin or list of str) canonically. */
static void
view__pack_value(struct wire_buf *wb, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_STR:
        wire_pack_strn(wb, o->via.str.ptr, o->via.str.size);
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: wire_pack_uint(wb, o->via.u64); break;
    case MSGPACK_OBJECT_BIN:
        wire_pack_bin(wb, (const uint8_t *)o->via.bin.ptr, o->via.bin.size);
        break;
    case MSGPACK_OBJECT_ARRAY:
        wire_pack_array(wb, o->via.array.size);
        for (uint32_t i = 0; i < o->via.array.size; i++)
            view__pack_value(wb, &o->via.array.ptr[i]);
        break;
    default: wire_pack_nil(wb);
    }
}

/* Binds the hash's field map of a record (docs/REGIMES.md §7) to
 * parameter i: the fields marked in vc_xf that have a value, by name;
 * NULL when there are none. The bytes go into the zone. */
static int
view__bind_xf(struct view_ctx *c, sqlite3_stmt *st, int i, uint32_t kind,
              const msgpack_object *const *vals)
{
    const struct vocab_kind *k = view__kind(c, kind);
    struct wire_buf wb;
    uint32_t n = 0;
    uint8_t *copy;

    for (size_t f = 0; k && f < k->vk_nfields && f < RECORD_MAX_ITEMS; f++)
        n +=
            c->vc_xf[kind][f] && vals[f] && vals[f]->type != MSGPACK_OBJECT_NIL;
    if (n == 0) {
        sqlite3_bind_null(st, i);
        return 0;
    }
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_pack_map(&wb, n);
    for (size_t f = 0; f < k->vk_nfields && f < RECORD_MAX_ITEMS; f++) {
        if (!c->vc_xf[kind][f] || !vals[f] ||
            vals[f]->type == MSGPACK_OBJECT_NIL)
            continue;
        wire_pack_str(&wb, k->vk_fields[f].vf_name);
        view__pack_value(&wb, vals[f]);
    }
    if (wb.wb_err || !(copy = msgpack_zone_malloc(&c->vc_zone, wb.wb_len))) {
        int rc = wb.wb_err ? wb.wb_err : ILONET_ENOMEM;
        wire_buf_free(&wb);
        return rc;
    }
    memcpy(copy, wb.wb_data, wb.wb_len);
    sqlite3_bind_blob(st, i, copy, (int)wb.wb_len, SQLITE_STATIC);
    wire_buf_free(&wb);
    return 0;
}

/* Binds an event day (-1: NULL). */
static void
view__bind_day(sqlite3_stmt *st, int i, int64_t d)
{
    if (d >= 0)
        sqlite3_bind_int64(st, i, d);
    else
        sqlite3_bind_null(st, i);
}

/* ---- the statements that write a record's row ------------------------ */

/* Slots past a kind's last field are bound nothing: they stay NULL. */
static const char *const view__sql_ins =
    "INSERT OR IGNORE INTO v_rec(k, kind, author_state, owner, grant_id,"
    " base_why, valid, why, status, task_status, vw, ev_from, ev_to, rt, "
    "xf, ms, " VIEW__SLOT_COLS
    ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?,?,?,?,?,?,?)";
#define VIEW__INS_NFIXED 16
/*
 * A recompute rewrites a row in one of two statements with the same
 * numbered parameters. SQLite rewrites a row's entry in an index whenever
 * the SET list names a column of that index or of its WHERE, whatever the
 * value: valid and status are in the WHERE of five indexes, the event
 * days in the period index's expressions, task_status in both task
 * indexes, rt in its own. Setting them again made an UPDATE four times
 * its work with the list indexes held (10 against 2.5 us a row at 100k
 * records: docs/BENCHMARKS.md, "a recompute's UPDATE"). When none of them
 * moves (an amendment of a text field, the usual change),
 * view__sql_upd_data leaves them out; otherwise view__sql_upd sets all.
 */
#define VIEW__UPD_DATA                                                         \
    "why = ?2, updated = ?4, retracted_by = ?5, erased_by = ?6,"               \
    " task_status_state = ?8, task_status_by = ?9, xf = ?13, f0 = ?14,"        \
    " f1 = ?15, f2 = ?16, f3 = ?17, f4 = ?18, f5 = ?19, f6 = ?20, f7 = ?21,"   \
    " f8 = ?22, f9 = ?23, f10 = ?24, f11 = ?25, f12 = ?26, f13 = ?27,"         \
    " f14 = ?28, f15 = ?29, f16 = ?30, f17 = ?31, f18 = ?32, f19 = ?33"        \
    " WHERE k = ?34"
static const char *const view__sql_upd =
    "UPDATE v_rec SET valid = ?1, status = ?3, task_status = ?7,"
    " ev_from = ?10, ev_to = ?11, rt = ?12, " VIEW__UPD_DATA;
static const char *const view__sql_upd_data =
    "UPDATE v_rec SET " VIEW__UPD_DATA;
#define VIEW__UPD_NFIXED 13
_Static_assert(VIEW__UPD_NFIXED + VIEW__NSLOTS + 1 == 34,
               "VIEW__UPD_DATA numbers the slots and k");

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

/* Field i of a schema's values, or NULL (i < 0: the kind has no such
 * field). */
static const msgpack_object *
view__field(const msgpack_object *const *vals, signed char i)
{
    return i < 0 ? NULL : vals[i];
}

int
view__record_create(struct view_ctx *c, struct store *s, const struct entry *e,
                    const char *audience, const char *author_state)
{
    uint32_t kind = (uint32_t)e->e_h.h_kind;
    const msgpack_object *const *vals = NULL;
    const msgpack_object *behalf = NULL, *grant = NULL;
    char why[VIEW__WHY], owner[KEY_STATE_MAX + 1], cat[32] = "";
    const char *base_why = NULL, *reason = NULL, *status;
    struct record_read rr;
    msgpack_object o;
    sqlite3_stmt *st;
    int64_t k, ev_from, ev_to, rt = -1;
    unsigned vw = 1;
    int valid = 0, unread = 0, rc;

    if ((rc = view__entry_k(c, s, e, &k)) != 0)
        return rc;
    view__strcpy(owner, sizeof(owner), author_state);
    memset(&rr, 0, sizeof(rr));
    if (!e->e_payload) {
        base_why = "payload erased";
    } else if (view__unpack(c, e->e_payload, e->e_payload_len, c->vc_pflags,
                            &o) != 0) {
        base_why = "payload is not a canonical map";
    } else if ((rc = record_read(c->vc_vocab, kind, &o, &rr, why,
                                 sizeof(why))) != 0) {
        /* written under a newer vocabulary: kept, listed, not read */
        unread = rc == ILONET_EKIND;
        base_why = why;
        vw = rr.rr_version ? rr.rr_version : 1;
    } else if (view__retention_bad(c, kind, rr.rr_vals, e->e_h.h_hlc, why,
                                   sizeof(why))) {
        base_why = why; /* a retention date the regime does not allow */
        vw = rr.rr_version;
    } else {
        vals = rr.rr_vals;
        vw = rr.rr_version;
        /* the files it carries: their keys are held while this payload
         * is (storage/blob.h) */
        if (kind < VIEW__KINDS && view__field(vals, c->vc_f_att[kind]) &&
            (rc = blob_ref_note(s, k, e->e_id, vals[c->vc_f_att[kind]])) != 0)
            return rc;
        behalf = view__field(vals, c->vc_f_behalf[kind]);
        grant = view__field(vals, c->vc_f_grant[kind]);
        if (behalf)
            view__cstr(behalf, owner, sizeof(owner));
        view__cstr(view__field(vals, c->vc_f_category[kind]), cat, sizeof(cat));
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
    status = unread ? "unread" : e->e_payload ? "active" : "erased";
    if (vals) {
        view__event(c, kind, vals, e->e_h.h_hlc, &ev_from, &ev_to);
        rt = view__retain_day(c, kind, vals);
    } else {
        ev_from = ev_to = view__hlc_day(e->e_h.h_hlc);
    }
    st = store_stmt(s, view__sql_ins);
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    sqlite3_bind_int(st, 2, (int)kind);
    sqlite3_bind_text(st, 3, author_state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, owner, -1, SQLITE_STATIC);
    if (grant && behalf && strcmp(owner, author_state) != 0)
        sqlite3_bind_blob(st, 5, grant->via.bin.ptr, HASH_LEN, SQLITE_STATIC);
    if (base_why)
        sqlite3_bind_text(st, 6, base_why, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, valid);
    if (reason)
        sqlite3_bind_text(st, 8, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, status, -1, SQLITE_STATIC);
    if (kind == KIND_TASK && e->e_payload && !unread)
        sqlite3_bind_text(st, 10, "open", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, (int)vw);
    view__bind_day(st, 12, ev_from);
    view__bind_day(st, 13, ev_to);
    view__bind_day(st, 14, rt);
    if (vals && (rc = view__bind_xf(c, st, 15, kind, vals)) != 0)
        return sqlite3_reset(st), rc;
    sqlite3_bind_int64(st, 16, (int64_t)(e->e_h.h_hlc >> 16));
    for (size_t i = 0; vals && i < RECORD_MAX_ITEMS; i++) {
        int col = c->vc_col[kind][i];

        if (col >= 0 && vals[i] &&
            (rc = view__bind_value(c, st, VIEW__INS_NFIXED + 1 + col,
                                   vals[i])) != 0)
            return sqlite3_reset(st), rc;
    }
    if ((rc = view__step_done(st)) != 0)
        return rc;
    if (sqlite3_changes(store_db(s)) == 0)
        return 0;
    {
        /* the category as bound above: only through its slot */
        int f = kind < VIEW__KINDS ? c->vc_f_category[kind] : -1;
        const msgpack_object *cat =
            vals && f >= 0 && c->vc_col[kind][f] >= 0 ? vals[f] : NULL;

        if ((rc = view__count_new(c, s, k, kind, (int64_t)(e->e_h.h_hlc >> 16),
                                  valid && strcmp(status, "active") == 0,
                                  cat)) != 0 ||
            c->vc_bulk)
            return rc;
    }
    /* A record past its retention date when it arrives is hidden in the
     * transaction that stores it (docs/REGIMES.md §5). */
    if (rt >= 0 && rt < view__retention_day(s))
        return view__recompute(c, s, e->e_id);
    /* Changes that arrived before the record wait for it. The prefix
     * alone answers from the index; another record's change with the same
     * prefix only costs a recompute that writes the row just inserted. */
    st = store_stmt(s, "SELECT 1 FROM v_chg WHERE target_p = ? LIMIT 1");
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

/* One change of a record as recompute sees it: its v_chg row, with what
 * its entry and log say (id, HLC, audience, author key) and, for an
 * amendment, its payload. */
struct view__change {
    int64_t ch_k;
    uint8_t ch_id[HASH_LEN];
    uint8_t ch_author[KEY_PK_LEN];
    uint32_t ch_kind;
    char ch_audience[ENTRY_AUDIENCE_MAX + 1];
    char ch_state[KEY_STATE_MAX + 1];
    char ch_behalf[KEY_STATE_MAX + 1];
    int ch_has_grant;
    uint8_t ch_grant[HASH_LEN];
    uint64_t ch_hlc;
    char ch_status[16];
    int ch_valid;
    char ch_why[VIEW__WHY + 4]; /* room for a "bad:" marker before a why */
    msgpack_object ch_payload;  /* amendments: NIL when not held */
    int ch_new;                 /* not in v_chg yet (recompute's add) */
};

static int view__recompute_with(struct view_ctx *c, struct store *s,
                                const uint8_t id[static HASH_LEN],
                                struct view__change *add);

/* Writes change ch to v_chg as it stands (valid, why). */
static int
view__change_insert(struct store *s, const struct view__change *ch,
                    const uint8_t target[static HASH_LEN])
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT OR IGNORE INTO v_chg(k, target, target_p, kind,"
                      " author_state, behalf, grant_id, status, valid, why)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?)");

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, ch->ch_k);
    sqlite3_bind_blob(st, 2, target, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, view__idp(target));
    sqlite3_bind_int(st, 4, (int)ch->ch_kind);
    sqlite3_bind_text(st, 5, ch->ch_state, -1, SQLITE_STATIC);
    if (ch->ch_behalf[0])
        sqlite3_bind_text(st, 6, ch->ch_behalf, -1, SQLITE_STATIC);
    if (ch->ch_has_grant)
        sqlite3_bind_blob(st, 7, ch->ch_grant, HASH_LEN, SQLITE_STATIC);
    if (ch->ch_status[0])
        sqlite3_bind_text(st, 8, ch->ch_status, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, ch->ch_valid);
    if (ch->ch_why[0])
        sqlite3_bind_text(st, 10, ch->ch_why, -1, SQLITE_STATIC);
    return view__step_done(st);
}

/*
 * The files an amendment adds (its fields' "attachments"), noted for its
 * target as soon as the amendment is held, like a creation's: whether it
 * takes effect can change with grants and revocations, whether this node
 * holds the blobs' keys cannot. Read only when the amendment's version
 * knows attachments for some record kind; a value that is not a valid
 * array names no blob (blob_ref_note).
 */
static int
view__note_added(struct view_ctx *c, struct store *s,
                 const struct view__change *ch,
                 const uint8_t target[static HASH_LEN])
{
    const msgpack_object *fields = view__get(&ch->ch_payload, "fields");
    const msgpack_object *att =
        fields ? view__get(fields, "attachments") : NULL;
    unsigned w = record_payload_version(&ch->ch_payload);

    if (!att || w < c->vc_att_since || blob_refs_check(att, NULL, 0) != 0)
        return 0;
    return blob_ref_note(s, ch->ch_k, target, att);
}

int
view__change_add(struct view_ctx *c, struct store *s, const struct entry *e,
                 const char *audience, const uint8_t author[static KEY_PK_LEN],
                 const char *author_state)
{
    uint32_t kind = (uint32_t)e->e_h.h_kind;
    const msgpack_object *target, *behalf, *grant, *status;
    struct view__change ch;
    uint8_t t[HASH_LEN];
    char why[VIEW__WHY];
    msgpack_object o;
    int rc;

    memset(&ch, 0, sizeof(ch));
    if ((rc = view__entry_k(c, s, e, &ch.ch_k)) != 0)
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
    memcpy(t, target->via.bin.ptr, HASH_LEN);
    /* The change exactly as view__load_changes() would read its row back
     * (a "bad:" why marks a payload problem: recompute keeps it as the
     * reason and nothing else of the payload counts). */
    memcpy(ch.ch_id, e->e_id, HASH_LEN);
    memcpy(ch.ch_author, author, KEY_PK_LEN);
    ch.ch_kind = kind;
    view__strcpy(ch.ch_audience, sizeof(ch.ch_audience), audience);
    view__strcpy(ch.ch_state, sizeof(ch.ch_state), author_state);
    ch.ch_hlc = e->e_h.h_hlc;
    ch.ch_payload = view__nil;
    /* A change that cannot be read yet (a newer vocabulary) never
     * applies on this node: like a bad one, until an upgrade rebuilds. */
    if (record_check(c->vc_vocab, kind, &o, why, sizeof(why)) != 0) {
        snprintf(ch.ch_why, sizeof(ch.ch_why), "bad:%s", why);
    } else {
        behalf = view__get(&o, "on-behalf-of");
        grant = view__get(&o, "grant");
        status = view__get(&o, "status");
        view__cstr(behalf, ch.ch_behalf, sizeof(ch.ch_behalf));
        if (grant) {
            ch.ch_has_grant = 1;
            memcpy(ch.ch_grant, grant->via.bin.ptr, HASH_LEN);
        }
        view__cstr(status, ch.ch_status, sizeof(ch.ch_status));
        if (kind == KIND_AMEND) {
            ch.ch_payload = o;
            if ((rc = view__note_added(c, s, &ch, t)) != 0)
                return rc;
        }
        view__strcpy(ch.ch_why, sizeof(ch.ch_why), "record not held");
    }
    /* Rebuild: every change waits; records are recomputed at the end. */
    if (c->vc_bulk)
        return view__change_insert(s, &ch, t);
    return view__recompute_with(c, s, t, &ch);
}

/* ---- recompute ----------------------------------------------------------- */

static int
view__erase_payload(struct store *s, int64_t k)
{
    /* through the log store: the row keeps a header it can no longer
     * derive from the payload */
    return log_erase_at(s, k);
}

/* LWW order: (HLC, author key, entry id), as SQL would order the
 * columns (HLCs are below 2^63). */
static int
view__change_cmp(const void *a, const void *b)
{
    const struct view__change *x = a, *y = b;
    int c;

    if ((int64_t)x->ch_hlc != (int64_t)y->ch_hlc)
        return (int64_t)x->ch_hlc < (int64_t)y->ch_hlc ? -1 : 1;
    if ((c = memcmp(x->ch_author, y->ch_author, KEY_PK_LEN)) != 0)
        return c;
    return memcmp(x->ch_id, y->ch_id, HASH_LEN);
}

/* Loads every change of a record, with the payloads of amendments into
 * the zone, in LWW order. *out is malloc'd. */
static int
view__load_changes(struct view_ctx *c, struct store *s,
                   const uint8_t id[static HASH_LEN], struct view__change **out,
                   size_t *n)
{
    /* unordered: a handful of rows sorts faster in C than through
     * SQLite's sorter */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT e.id, c.kind, l.audience, c.author_state, c.behalf,"
           " c.grant_id, e.hlc, c.status, c.valid, c.why, c.k, l.author,"
           " IIF(c.kind = ?3, e.payload, NULL) FROM v_chg c CROSS JOIN"
           " entries e ON e.k = c.k CROSS JOIN logs l ON l.lid = c.k >> 32"
           " WHERE c.target_p = ?1 AND c.target = ?2");
    struct view__change *v = NULL;
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, view__idp(id));
    sqlite3_bind_blob(st, 2, id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, KIND_AMEND);
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
        if (sqlite3_column_bytes(st, 0) != HASH_LEN ||
            sqlite3_column_bytes(st, 11) != KEY_PK_LEN) {
            rc = ILONET_EMALFORMED;
            goto fail;
        }
        ch = &v[(*n)++];
        memset(ch, 0, sizeof(*ch));
        memcpy(ch->ch_id, sqlite3_column_blob(st, 0), HASH_LEN);
        ch->ch_kind = (uint32_t)sqlite3_column_int(st, 1);
        view__strcpy(ch->ch_audience, sizeof(ch->ch_audience),
                     (const char *)sqlite3_column_text(st, 2));
        view__strcpy(ch->ch_state, sizeof(ch->ch_state),
                     (const char *)sqlite3_column_text(st, 3));
        if (sqlite3_column_type(st, 4) == SQLITE_TEXT)
            view__strcpy(ch->ch_behalf, sizeof(ch->ch_behalf),
                         (const char *)sqlite3_column_text(st, 4));
        if (sqlite3_column_bytes(st, 5) == HASH_LEN) {
            ch->ch_has_grant = 1;
            memcpy(ch->ch_grant, sqlite3_column_blob(st, 5), HASH_LEN);
        }
        ch->ch_hlc = (uint64_t)sqlite3_column_int64(st, 6);
        if (sqlite3_column_type(st, 7) == SQLITE_TEXT)
            view__strcpy(ch->ch_status, sizeof(ch->ch_status),
                         (const char *)sqlite3_column_text(st, 7));
        ch->ch_valid = sqlite3_column_int(st, 8);
        if (sqlite3_column_type(st, 9) == SQLITE_TEXT)
            view__strcpy(ch->ch_why, sizeof(ch->ch_why),
                         (const char *)sqlite3_column_text(st, 9));
        ch->ch_k = sqlite3_column_int64(st, 10);
        memcpy(ch->ch_author, sqlite3_column_blob(st, 11), KEY_PK_LEN);
        /* bytes from the file, gone at the next step: checked, copied */
        ch->ch_payload = view__nil;
        if (sqlite3_column_type(st, 12) == SQLITE_BLOB &&
            view__unpack(c, sqlite3_column_blob(st, 12),
                         (size_t)sqlite3_column_bytes(st, 12), 0,
                         &ch->ch_payload) != 0)
            ch->ch_payload = view__nil;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    if (*n > 1)
        qsort(v, *n, sizeof(*v), view__change_cmp);
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
    unsigned r_vw; /* the creating entry's vocabulary version */
    int64_t r_rt;  /* its retain-until day as stored, -1: none */
    /* the row's indexed columns as stored (view__sql_upd_data) */
    int r_valid;
    char r_status[16];
    int64_t r_ev_from, r_ev_to; /* -1: NULL */
    int r_has_ts;
    char r_ts[16]; /* task_status when r_has_ts */
};

/* Loads the row of record id and unpacks its creating payload into the
 * zone (*base NIL when the payload is not held or unreadable).
 * ILONET_ENOTFOUND when the record is not held. */
static int
view__load_record(struct view_ctx *c, struct store *s,
                  const uint8_t id[static HASH_LEN], struct view__rec *r,
                  msgpack_object *base)
{
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    *base = view__nil;
    if ((rc = log_find(s, id, &k)) != 0)
        return rc;
    /* one statement for the row, its entry's HLC and payload, and the
     * log's audience */
    st = store_stmt(s, "SELECT r.kind, l.audience, r.author_state, r.owner,"
                       " r.grant_id, r.base_why, e.hlc, e.payload, r.vw,"
                       " coalesce(r.rt, -1), r.valid, r.status,"
                       " coalesce(r.ev_from, -1), coalesce(r.ev_to, -1),"
                       " r.task_status FROM"
                       " v_rec r CROSS JOIN entries e ON e.k = r.k CROSS JOIN"
                       " logs l ON l.lid = r.k >> 32 WHERE r.k = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    memset(r, 0, sizeof(*r));
    r->r_k = k;
    r->r_kind = (uint32_t)sqlite3_column_int(st, 0);
    view__strcpy(r->r_audience, sizeof(r->r_audience),
                 (const char *)sqlite3_column_text(st, 1));
    view__strcpy(r->r_author_state, sizeof(r->r_author_state),
                 (const char *)sqlite3_column_text(st, 2));
    view__strcpy(r->r_owner, sizeof(r->r_owner),
                 (const char *)sqlite3_column_text(st, 3));
    if (sqlite3_column_bytes(st, 4) == HASH_LEN) {
        r->r_has_grant = 1;
        memcpy(r->r_grant, sqlite3_column_blob(st, 4), HASH_LEN);
    }
    if (sqlite3_column_type(st, 5) == SQLITE_TEXT) {
        r->r_has_base_why = 1;
        view__strcpy(r->r_base_why, sizeof(r->r_base_why),
                     (const char *)sqlite3_column_text(st, 5));
    }
    r->r_hlc = (uint64_t)sqlite3_column_int64(st, 6);
    r->r_vw = (unsigned)sqlite3_column_int(st, 8);
    r->r_rt = sqlite3_column_int64(st, 9);
    r->r_valid = sqlite3_column_int(st, 10);
    r->r_ev_from = sqlite3_column_int64(st, 12);
    r->r_ev_to = sqlite3_column_int64(st, 13);
    /* a text too long to hold whole compares unequal: the full UPDATE */
    if (sqlite3_column_bytes(st, 11) < (int)sizeof(r->r_status))
        view__strcpy(r->r_status, sizeof(r->r_status),
                     (const char *)sqlite3_column_text(st, 11));
    r->r_has_ts = sqlite3_column_type(st, 14) == SQLITE_TEXT;
    if (r->r_has_ts && sqlite3_column_bytes(st, 14) < (int)sizeof(r->r_ts))
        view__strcpy(r->r_ts, sizeof(r->r_ts),
                     (const char *)sqlite3_column_text(st, 14));
    /* bytes from the file, about to go with the reset: checked, copied */
    if (sqlite3_column_type(st, 7) == SQLITE_BLOB &&
        view__unpack(c, sqlite3_column_blob(st, 7),
                     (size_t)sqlite3_column_bytes(st, 7), 0, base) != 0)
        *base = view__nil;
    sqlite3_reset(st);
    return 0;
}

/* 1 if a recompute's row keeps the stored values of every column the
 * full UPDATE alone sets (view__sql_upd_data): valid, status, task
 * status (ts NULL: none), the event days and rt (-1: NULL, as
 * view__bind_day() stores them). */
static int
view__indexed_same(const struct view__rec *r, int valid, const char *status,
                   const char *ts, int64_t ev_from, int64_t ev_to, int64_t rt)
{
    if (valid != r->r_valid || strcmp(status, r->r_status) != 0 ||
        (ev_from < 0 ? -1 : ev_from) != r->r_ev_from ||
        (ev_to < 0 ? -1 : ev_to) != r->r_ev_to ||
        (rt < 0 ? -1 : rt) != r->r_rt || !ts != !r->r_has_ts)
        return 0;
    return !ts || strcmp(ts, r->r_ts) == 0;
}

/* Decides whether one change takes effect; fills why when not, and
 * *acting with the state it acts as. */
static int
view__change_ok(struct store *s, const struct vocab *vocab,
                const struct view__rec *r, const char *category,
                const msgpack_object *assignees, struct view__change *ch,
                const char **acting, const msgpack_object **fields,
                int *has_fields, char *why, size_t wl)
{
    struct view_auth_req ar;
    const msgpack_object *p = &ch->ch_payload;

    *acting = ch->ch_state;
    *has_fields = 0;
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
        if (p->type == MSGPACK_OBJECT_MAP) {
            const msgpack_object *f = wire_map_get(p, "fields");
            if (!f || record_check_amend_fields(vocab, r->r_kind,
                                                record_payload_version(p), f,
                                                fields, why, wl) != 0) {
                if (!f)
                    snprintf(why, wl, "no fields");
                return 0;
            }
            *has_fields = 1;
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
    default: snprintf(why, wl, "not a change"); return 0;
    }
    snprintf(why, wl, "%s is not the owning state %s", *acting, r->r_owner);
    return 0;
}

int
view__recompute(struct view_ctx *c, struct store *s,
                const uint8_t id[static HASH_LEN])
{
    msgpack_zone_clear(&c->vc_zone);
    return view__recompute_with(c, s, id, NULL);
}

/*
 * Recomputes record id from its creation and every change targeting it.
 * add (may be NULL) is a change of it not yet in v_chg: it counts as if it
 * were, and is then written there once with the validity found (rather
 * than inserted as waiting and updated at once). The zone is not cleared:
 * add's payload lives there.
 */
static int
view__recompute_with(struct view_ctx *c, struct store *s,
                     const uint8_t id[static HASH_LEN],
                     struct view__change *add)
{
    const msgpack_object *vals[RECORD_MAX_ITEMS] = {0};
    const msgpack_object *assignees = NULL;
    struct view__change *chs = NULL;
    struct view__rec r;
    struct view__ckey ck;
    msgpack_object base;
    char why[VIEW__WHY], rwhy_buf[VIEW__WHY], category[32] = "";
    const char *rwhy = NULL, *status;
    const uint8_t *retracted_by = NULL, *erased_by = NULL, *ts_by = NULL;
    const char *ts = NULL, *ts_state = NULL;
    uint64_t updated = 0;
    size_t n = 0;
    sqlite3_stmt *st;
    int64_t rt, ev_from, ev_to;
    int valid = 0, erased, expired, rc;

    rc = view__load_record(c, s, id, &r, &base);
    if (rc == ILONET_ENOTFOUND) /* its changes wait for it */
        return add ? view__change_insert(s, add, id) : 0;
    if (rc != 0)
        return rc;
    /* A record this node cannot read yet stays as it was stored; its
     * changes wait with it for the upgrade's rebuild. */
    if (r.r_vw > vocab_version(c->vc_vocab) || !view__kind(c, r.r_kind))
        return add ? view__change_insert(s, add, id) : 0;
    if (base.type == MSGPACK_OBJECT_MAP && !r.r_has_base_why) {
        view__collect(c, r.r_kind, &base, vals);
        view__cstr(view__field(vals, c->vc_f_category[r.r_kind]), category,
                   sizeof(category));
        assignees = view__field(vals, c->vc_f_for[r.r_kind]);
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
    if (rwhy) {
        view__strcpy(rwhy_buf, sizeof(rwhy_buf), rwhy);
        rwhy = rwhy_buf;
    }
    if ((rc = view__load_changes(c, s, id, &chs, &n)) != 0)
        return rc;
    if (add) {
        void *p;

        /* already stored: this entry was applied before, nothing moves */
        for (size_t i = 0; i < n; i++)
            if (chs[i].ch_k == add->ch_k)
                goto out;
        if (!(p = realloc(chs, (n + 1) * sizeof(*chs)))) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        chs = p;
        chs[n] = *add;
        chs[n++].ch_new = 1;
        qsort(chs, n, sizeof(*chs), view__change_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        struct view__change *ch = &chs[i];
        const char *acting;
        const msgpack_object *fields[RECORD_MAX_ITEMS];
        char cwhy[VIEW__WHY] = "";
        int ok, has_fields;

        ok = view__change_ok(s, c->vc_vocab, &r, *category ? category : NULL,
                             assignees, ch, &acting, fields, &has_fields, cwhy,
                             sizeof(cwhy));
        if (ch->ch_new) {
            /* written below, as it stands now; a payload problem's
             * marker stays */
            if (strncmp(ch->ch_why, "bad:", 4) != 0)
                view__strcpy(ch->ch_why, sizeof(ch->ch_why), cwhy);
            ch->ch_valid = ok;
        } else if (ok != ch->ch_valid || strcmp(cwhy, ch->ch_why) != 0) {
            /* keep a payload problem's marker: it is not recomputable */
            if (strncmp(ch->ch_why, "bad:", 4) != 0) {
                st = store_stmt(s, "UPDATE v_chg SET valid = ?, why = ?"
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
            /* a field present in the amendment (nil: cleared) wins */
            for (size_t f = 0; has_fields && f < RECORD_MAX_ITEMS; f++)
                if (c->vc_col[r.r_kind][f] >= 0 && fields[f])
                    vals[f] = fields[f];
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
    /* Retention ended: hidden exactly as an erasure hides it, on every
     * node at the same date (docs/REGIMES.md §5). */
    rt = view__retain_day(c, r.r_kind, vals);
    if (rt < 0)
        rt = r.r_rt; /* the payload is gone: the date stays known */
    expired = rt >= 0 && rt < view__retention_day(s);
    erased = erased_by || expired || base.type != MSGPACK_OBJECT_MAP;
    if (expired && !erased_by) {
        char d[11];

        vocab_day_text(rt, d);
        snprintf(rwhy_buf, sizeof(rwhy_buf), "retention ended %s", d);
        rwhy = rwhy_buf;
    }
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
            if (chs[i].ch_new) {
                chs[i].ch_new = 0; /* goes without having been written */
                continue;
            }
            st = store_stmt(s, "DELETE FROM v_chg WHERE k = ?");
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
    if (erased)
        ev_from = ev_to = view__hlc_day(r.r_hlc);
    else
        view__event(c, r.r_kind, vals, r.r_hlc, &ev_from, &ev_to);
    st = store_stmt(
        s, view__indexed_same(&r, valid, status, ts, ev_from, ev_to, rt)
               ? view__sql_upd_data
               : view__sql_upd);
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
    for (size_t f = 0; f < RECORD_MAX_ITEMS; f++) {
        int col = c->vc_col[r.r_kind][f];

        if (col >= 0 && vals[f] &&
            (rc = view__bind_value(c, st, VIEW__UPD_NFIXED + 1 + col,
                                   vals[f])) != 0) {
            sqlite3_reset(st);
            goto out;
        }
    }
    if (!erased && (rc = view__bind_xf(c, st, 13, r.r_kind, vals)) != 0) {
        sqlite3_reset(st);
        goto out;
    }
    view__bind_day(st, 10, ev_from);
    view__bind_day(st, 11, ev_to);
    view__bind_day(st, 12, rt);
    sqlite3_bind_int64(st, VIEW__UPD_NFIXED + VIEW__NSLOTS + 1, r.r_k);
    /* the count statements are others: st stays bound */
    if ((rc = view__count_before(c, s, r.r_k, r.r_kind, &ck)) != 0) {
        sqlite3_reset(st);
        sqlite3_value_free(ck.cat);
        goto out;
    }
    rc = view__step_done(st);
    if (rc == 0)
        rc = view__count_after(c, s, r.r_k, r.r_kind, &ck);
    else
        sqlite3_value_free(ck.cat);
    if (rc == 0 && strcmp(status, "erased") == 0)
        rc = view__search_erased(s, r.r_k);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (chs[i].ch_new)
            rc = view__change_insert(s, &chs[i], id);
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
    int rc;

    *n = 0;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    if (bind)
        sqlite3_bind_blob(st, 1, bind, HASH_LEN, SQLITE_STATIC);
    rc = store_collect_ids(st, NULL, NULL, out, n);
    sqlite3_finalize(st);
    return rc;
}

/* Like view__collect_ids with a k range [lo, hi) as parameters. */
static int
view__collect_range(struct store *s, const char *sql, int64_t lo, int64_t hi,
                    uint8_t (**out)[HASH_LEN], size_t *n)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *n = 0;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    rc = store_collect_ids(st, NULL, NULL, out, n);
    sqlite3_finalize(st);
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
    if ((rc = view__count_range(c, s, lo, hi)) != 0 ||
        (rc = view__exec_range(s,
                               "DELETE FROM v_rec WHERE k >= ? AND"
                               " k < ?",
                               lo, hi)) != 0)
        return rc;
    if ((rc = view__collect_range(s,
                                  "SELECT DISTINCT target FROM v_chg"
                                  " WHERE k >= ? AND k < ?",
                                  lo, hi, &t, &nt)) != 0)
        return rc;
    if ((rc = view__collect_range(
             s,
             "SELECT grant_id FROM v_grants WHERE k >= ?1 AND k < ?2"
             " UNION SELECT grant_id FROM v_revocations WHERE k >= ?1 AND"
             " k < ?2 AND grant_id IS NOT NULL",
             lo, hi, &g, &ng)) != 0)
        goto out;
    if ((rc = view__exec_range(s,
                               "DELETE FROM v_chg WHERE k >= ? AND"
                               " k < ?",
                               lo, hi)) != 0 ||
        (rc = view__exec_range(s,
                               "DELETE FROM v_grants WHERE k >= ? AND"
                               " k < ?",
                               lo, hi)) != 0 ||
        (rc = view__exec_range(s,
                               "DELETE FROM v_revocations WHERE k >= ?"
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
        "SELECT target FROM v_chg UNION SELECT e.id FROM v_rec r CROSS JOIN"
        " entries e ON e.k = r.k WHERE r.grant_id IS NOT NULL OR r.status ="
        " 'erased' OR r.rt IS NOT NULL",
        NULL);
}

int
view__recompute_expired(struct view_ctx *c, struct store *s, int64_t day)
{
    uint8_t(*ids)[HASH_LEN] = NULL;
    size_t n = 0;
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(store_db(s),
                           /* "+r.k": through the rt index, not a walk of
                            * every record (first open of each day) */
                           "SELECT e.id FROM v_rec r CROSS JOIN entries e ON"
                           " e.k = r.k WHERE r.rt < ? AND r.status <>"
                           " 'erased' ORDER BY +r.k",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, day);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *p;

        if (sqlite3_column_bytes(st, 0) != HASH_LEN)
            continue;
        if (!(p = realloc(ids, (n + 1) * HASH_LEN))) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        ids = p;
        memcpy(ids[n++], sqlite3_column_blob(st, 0), HASH_LEN);
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = view__recompute(c, s, ids[i]);
out:
    sqlite3_finalize(st);
    free(ids);
    return rc;
}

int
view__grant_dependents(struct view_ctx *c, struct store *s,
                       const uint8_t gid[static HASH_LEN])
{
    if (c->vc_bulk)
        return 0;
    return view__recompute_query(
        c, s,
        "SELECT e.id FROM v_rec r CROSS JOIN entries e ON e.k = r.k WHERE"
        " r.grant_id = ?1 UNION SELECT target FROM v_chg WHERE grant_id = ?1",
        gid);
}
