/* view_auth.c - grants and revocations (Art. 5(1)) and the authorisation rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/error.h"
#include "view_int.h"

/*
 * Authorisation is decided from the entry set alone and kept apart from
 * the data rules (Matrix "state resets"): an on-behalf entry takes effect
 * iff some held grant with the id it names
 *   - verifies against the roster and this network,
 *   - was published in the entry's audience or in `net` (so every reader
 *     of the entry can hold it too),
 *   - is from the represented state to the writing node's state,
 *   - covers the record's kind (or, for observations, its category),
 *   - is valid at the entry's timestamp,
 * and no held revocation of that grant, signed by the represented state
 * and published in `net` or the entry's audience, is effective at or
 * before the entry's timestamp. Adding grants can only authorise more and
 * adding revocations only less: the rule is monotone in each set, so the
 * result does not depend on arrival order.
 */

static const msgpack_object *
view__envelope(struct view_ctx *c, const struct entry *e, uint32_t kind,
               msgpack_object *o)
{
    const msgpack_object *env;

    if (!e->e_payload ||
        view__unpack(c, e->e_payload, e->e_payload_len, c->vc_pflags, o) != 0 ||
        record_check(c->vc_vocab, kind, o, NULL, 0) != 0)
        return NULL;
    env = wire_map_get(o, "envelope");
    return env && env->type == MSGPACK_OBJECT_BIN ? env : NULL;
}

static void
view__bind_common(sqlite3_stmt *st, const struct entry *e, const char *audience,
                  int64_t k, const uint8_t author[static KEY_PK_LEN],
                  const char *author_state)
{
    sqlite3_bind_blob(st, 1, e->e_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, audience, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k);
    sqlite3_bind_blob(st, 5, author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, author_state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (int64_t)e->e_h.h_hlc);
}

int
view__grant_add(struct view_ctx *c, struct store *s, const struct entry *e,
                const char *audience, const uint8_t author[static KEY_PK_LEN],
                const char *author_state)
{
    static const char *const sql =
        "INSERT OR IGNORE INTO v_grants(entry, grant_id, audience, k,"
        " author, author_state, hlc, represented, representing, scope,"
        " not_before, not_after, serial, valid, why, envelope)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    const msgpack_object *env;
    msgpack_object o;
    struct grant g;
    uint8_t gid[HASH_LEN];
    char scope[GRANT_SCOPE_MAX * 25 + 1] = "", why[120] = "";
    sqlite3_stmt *st;
    int64_t k;
    int rc, ok;

    if ((rc = view__entry_k(c, s, e, &k)) != 0)
        return rc;
    if (!(env = view__envelope(c, e, KIND_GRANT, &o)))
        return 0; /* nothing to hold: no effect */
    cert_envelope_id((const uint8_t *)env->via.bin.ptr, env->via.bin.size, gid);
    memset(&g, 0, sizeof(g));
    rc = grant_verify((const uint8_t *)env->via.bin.ptr, env->via.bin.size,
                      store_roster(s), store_network(s), &g);
    ok = rc == 0;
    if (!ok)
        snprintf(why, sizeof(why), "grant does not verify: %s",
                 ilonet_errname(rc));
    else if (strcmp(g.g_represented, g.g_representing) == 0) {
        ok = 0;
        snprintf(why, sizeof(why), "grant from a state to itself");
    }
    for (size_t i = 0; ok && i < g.g_nscope; i++) {
        size_t l = strlen(scope);
        snprintf(scope + l, sizeof(scope) - l, "%s%s", i ? "," : "",
                 g.g_scope[i]);
    }
    st = store_stmt(s, sql);
    if (!st)
        return ILONET_EIO;
    view__bind_common(st, e, audience, k, author, author_state);
    sqlite3_bind_blob(st, 2, gid, HASH_LEN, SQLITE_STATIC);
    if (rc == 0) {
        sqlite3_bind_text(st, 8, g.g_represented, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, g.g_representing, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, scope, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, (int64_t)g.g_not_before);
        sqlite3_bind_int64(st, 12, (int64_t)g.g_not_after);
        sqlite3_bind_int64(st, 13, (int64_t)g.g_serial);
    }
    sqlite3_bind_int(st, 14, ok);
    if (!ok)
        sqlite3_bind_text(st, 15, why, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 16, env->via.bin.ptr, (int)env->via.bin.size,
                      SQLITE_STATIC);
    if ((rc = view__step_done(st)) != 0)
        return rc;
    if (!ok || sqlite3_changes(store_db(s)) == 0)
        return 0;
    return view__grant_dependents(c, s, gid);
}

int
view__revocation_add(struct view_ctx *c, struct store *s, const struct entry *e,
                     const char *audience,
                     const uint8_t author[static KEY_PK_LEN],
                     const char *author_state)
{
    static const char *const sql =
        "INSERT OR IGNORE INTO v_revocations(entry, rev_id, audience, k,"
        " author, author_state, hlc, type, state, grant_id, node, at,"
        " serial, valid, why) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    const msgpack_object *env;
    msgpack_object o;
    struct revocation v;
    uint8_t rid[HASH_LEN], gid[HASH_LEN];
    char why[120] = "";
    sqlite3_stmt *st;
    int64_t k;
    int rc, ok;

    if ((rc = view__entry_k(c, s, e, &k)) != 0)
        return rc;
    if (!(env = view__envelope(c, e, KIND_REVOCATION, &o)))
        return 0;
    cert_envelope_id((const uint8_t *)env->via.bin.ptr, env->via.bin.size, rid);
    memset(&v, 0, sizeof(v));
    rc = revocation_verify((const uint8_t *)env->via.bin.ptr, env->via.bin.size,
                           store_roster(s), store_network(s), &v);
    ok = rc == 0;
    if (!ok)
        snprintf(why, sizeof(why), "revocation does not verify: %s",
                 ilonet_errname(rc));
    st = store_stmt(s, sql);
    if (!st)
        return ILONET_EIO;
    view__bind_common(st, e, audience, k, author, author_state);
    sqlite3_bind_blob(st, 2, rid, HASH_LEN, SQLITE_STATIC);
    if (ok) {
        sqlite3_bind_text(st, 8, v.v_type == REVOKE_GRANT ? "grant" : "node",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, v.v_state, -1, SQLITE_STATIC);
        if (v.v_type == REVOKE_GRANT)
            sqlite3_bind_blob(st, 10, v.v_grant, HASH_LEN, SQLITE_STATIC);
        else
            sqlite3_bind_blob(st, 11, v.v_node, KEY_PK_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, (int64_t)v.v_at);
        sqlite3_bind_int64(st, 13, (int64_t)v.v_serial);
    }
    sqlite3_bind_int(st, 14, ok);
    if (!ok)
        sqlite3_bind_text(st, 15, why, -1, SQLITE_STATIC);
    if ((rc = view__step_done(st)) != 0)
        return rc;
    if (!ok || v.v_type != REVOKE_GRANT || sqlite3_changes(store_db(s)) == 0)
        return 0;
    memcpy(gid, v.v_grant, HASH_LEN);
    return view__grant_dependents(c, s, gid);
}

/* 1 if a comma-separated scope names word. */
static int
view__scope_has(const char *scope, const char *word)
{
    size_t n = strlen(word);
    const char *p = scope;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == n && memcmp(p, word, n) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

int
view__grant_ok(struct store *s, const struct view_auth_req *r, char *why,
               size_t wl)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT represented, representing, scope, not_before, not_after"
           " FROM v_grants WHERE grant_id = ? AND valid = 1 AND (audience ="
           " 'net' OR audience = ?) LIMIT 1");
    char gs[9], rep[KEY_STATE_MAX + 1], from[KEY_STATE_MAX + 1];
    char scope[GRANT_SCOPE_MAX * 25 + 1], d[11];
    const char *kname = entry_kind_name(r->ar_kind);
    uint64_t nb, na, t = (r->ar_hlc >> 16) / 1000;
    int rc;

    view__short(r->ar_grant, gs);
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, r->ar_grant, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->ar_audience, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_err(rc);
        snprintf(why, wl, "grant %s not held (published in net or %s)", gs,
                 r->ar_audience);
        return ILONET_EDELEGATION;
    }
    snprintf(from, sizeof(from), "%s",
             (const char *)sqlite3_column_text(st, 0));
    snprintf(rep, sizeof(rep), "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(scope, sizeof(scope), "%s",
             (const char *)sqlite3_column_text(st, 2));
    nb = (uint64_t)sqlite3_column_int64(st, 3);
    na = (uint64_t)sqlite3_column_int64(st, 4);
    sqlite3_reset(st);
    if (strcmp(from, r->ar_owner) != 0) {
        snprintf(why, wl, "grant %s is from %s, not from %s", gs, from,
                 r->ar_owner);
        return ILONET_EDELEGATION;
    }
    if (strcmp(rep, r->ar_rep) != 0) {
        snprintf(why, wl, "grant %s is for %s, not for %s", gs, rep, r->ar_rep);
        return ILONET_EDELEGATION;
    }
    if (scope[0] && !(kname && view__scope_has(scope, kname)) &&
        !(r->ar_category && view__scope_has(scope, r->ar_category))) {
        snprintf(why, wl, "grant %s does not cover %s%s%s (scope %s)", gs,
                 kname ? kname : "this kind", r->ar_category ? " " : "",
                 r->ar_category ? r->ar_category : "", scope);
        return ILONET_EDELEGATION;
    }
    if (t < nb) {
        record_format_date(nb, d);
        snprintf(why, wl, "grant %s not valid before %s", gs, d);
        return ILONET_EEXPIRED;
    }
    if (t > na) {
        record_format_date(na, d);
        snprintf(why, wl, "grant %s expired after %s", gs, d);
        return ILONET_EEXPIRED;
    }
    if (r->ar_ignore_revocations)
        return 0;
    st = store_stmt(
        s, "SELECT min(at) FROM v_revocations WHERE grant_id = ? AND"
           " valid = 1 AND type = 'grant' AND state = ? AND (audience ="
           " 'net' OR audience = ?) AND at <= ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, r->ar_grant, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->ar_owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->ar_audience, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)(r->ar_hlc >> 16));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        uint64_t at = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        record_format_date(at / 1000, d);
        snprintf(why, wl, "grant %s revoked by %s from %s", gs, r->ar_owner, d);
        return ILONET_EREVOKED;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
view_grant_find(struct store *s, const char *owner, const char *rep,
                uint32_t kind, const char *category, const char *audience,
                uint64_t hlc, uint8_t gid[static HASH_LEN])
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT DISTINCT grant_id, not_after FROM v_grants WHERE"
           " represented = ? AND representing = ? AND valid = 1 AND"
           " (audience = 'net' OR audience = ?) ORDER BY not_after DESC,"
           " grant_id");
    uint8_t cand[16][HASH_LEN];
    size_t n = 0;
    char why[200];
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rep, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, audience, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 16)
        if (sqlite3_column_bytes(st, 0) == HASH_LEN)
            memcpy(cand[n++], sqlite3_column_blob(st, 0), HASH_LEN);
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++) {
        struct view_auth_req r = {
            .ar_grant = cand[i],
            .ar_owner = owner,
            .ar_rep = rep,
            .ar_kind = kind,
            .ar_category = category,
            .ar_audience = audience,
            .ar_hlc = hlc,
        };
        if (view__grant_ok(s, &r, why, sizeof(why)) == 0) {
            memcpy(gid, cand[i], HASH_LEN);
            return 0;
        }
    }
    return ILONET_EDELEGATION;
}
