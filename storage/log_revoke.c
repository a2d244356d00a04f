/* log_revoke.c - node-key revocations in the log store: cuts, checks, notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "log.h"
#include "log_int.h"

/*
 * A node revocation (crypto/cert.h, docs/KEYS.md) is signed by a state
 * root and names a node key of that state, the last good entry of some of
 * its logs, and a time from which every other log of the key is cut. The
 * store keeps every node revocation published in `net` by any stored
 * entry (node_revocations, node_revocation_logs: schema v2), whoever
 * carried it: like a certificate it authenticates itself. For one log the
 * revocations of its author signed by the author's own state (the state of
 * the log's certificate) define a *cut*: the first seq that is not good.
 * An entry is good under one revocation iff
 *   - the log is named with last good (seq S, id I): its seq < S, or it
 *     is S and I is all zero or its id;
 *   - the log is not named: its HLC time (ms) < the revocation's `at`;
 * and good iff good under every revocation and every earlier entry of the
 * log is good (a cut is a suffix: once a key is suspect, so is all it
 * signed after). Adding revocations only moves cuts earlier, so the cut is
 * the same whatever order revocations and entries arrive in.
 */

#define LOG__RK(lid, seq) ((int64_t)(((uint64_t)(lid) << 32) | (seq)))

static const uint8_t log__zero[HASH_LEN];

void
log__revs_free(struct log__revs *rv)
{
    free(rv->rv_c);
    memset(rv, 0, sizeof(*rv));
}

int
log__revs_load(struct store *s, const uint8_t author[static KEY_PK_LEN],
               const char *state, const uint8_t log[static HASH_LEN],
               struct log__revs *rv)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT r.at, l.seq, l.entry_id FROM node_revocations r"
           " LEFT JOIN node_revocation_logs l ON l.rev_id = r.rev_id AND"
           " l.log_id = ?2 WHERE r.node = ?1 AND r.state = ?3");
    int rc;

    memset(rv, 0, sizeof(*rv));
    rv->rv_loaded = 1;
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, log, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct log__rev_c *c;

        if (rv->rv_n == rv->rv_cap) {
            size_t cap = rv->rv_cap ? rv->rv_cap * 2 : 4;
            void *p = realloc(rv->rv_c, cap * sizeof(*rv->rv_c));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            rv->rv_c = p;
            rv->rv_cap = cap;
        }
        c = &rv->rv_c[rv->rv_n++];
        memset(c, 0, sizeof(*c));
        c->rc_at = (uint64_t)sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            c->rc_named = 1;
            c->rc_seq = (uint64_t)sqlite3_column_int64(st, 1);
            if (sqlite3_column_bytes(st, 2) == HASH_LEN)
                memcpy(c->rc_id, sqlite3_column_blob(st, 2), HASH_LEN);
        }
    }
    rc = rc == SQLITE_DONE ? 0 : store_err(rc);
out:
    sqlite3_reset(st);
    if (rc != 0)
        log__revs_free(rv);
    return rc;
}

int
log__revs_entry_ok(const struct log__revs *rv, uint64_t seq, uint64_t hlc,
                   const uint8_t id[static HASH_LEN])
{
    for (size_t i = 0; i < rv->rv_n; i++) {
        const struct log__rev_c *c = &rv->rv_c[i];

        /* Every log is cut by time; a named log also by its last good
         * entry, whichever comes first (docs/KEYS.md). */
        if ((hlc >> 16) >= c->rc_at)
            return ILONET_EREVOKED;
        if (c->rc_named) {
            if (seq > c->rc_seq)
                return ILONET_EREVOKED;
            if (seq == c->rc_seq && memcmp(c->rc_id, log__zero, HASH_LEN) &&
                memcmp(c->rc_id, id, HASH_LEN) != 0)
                return ILONET_EREVOKED;
        }
    }
    return 0;
}

int
log__revs_names_log(const struct log__revs *rv)
{
    for (size_t i = 0; i < rv->rv_n; i++)
        if (rv->rv_c[i].rc_named)
            return 1;
    return 0;
}

int
log__author_newest_ms(struct store *s, const uint8_t author[static KEY_PK_LEN],
                      uint64_t *ms)
{
    /* A log's head is its newest entry (a node's clock only moves
     * forward), so the heads' maximum is the author's newest entry. Only
     * good entries count: a head past a revocation's cut is taken at the
     * cut, so what a revoked key signed later never raises the bar. */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT max(e.hlc) FROM logs l JOIN entries e ON"
           " e.k = (l.lid << 32) | (CASE WHEN l.revoked > 0 AND"
           " l.revoked <= l.head_seq THEN l.revoked - 1 ELSE l.head_seq END)"
           " WHERE l.author = ? AND l.head_seq > 0");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, author, KEY_PK_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *ms = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *ms = (uint64_t)sqlite3_column_int64(st, 0) >> 16;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

int
log_author_newest_ms(struct store *s, const uint8_t author[static KEY_PK_LEN],
                     uint64_t *ms)
{
    if (!s || !author || !ms)
        return ILONET_EINVAL;
    return log__author_newest_ms(s, author, ms);
}

/* The cut of one stored log under rv: first seq not good, 0 = none yet. */
static int
log__cut_of(struct store *s, int64_t lid, uint64_t head,
            const struct log__revs *rv, uint64_t *cut)
{
    uint64_t best = 0;
    int rc = 0;

    for (size_t i = 0; i < rv->rv_n; i++) {
        const struct log__rev_c *c = &rv->rv_c[i];
        uint64_t at = 0, by_time = 0;

        {
            /* the time cut applies to every log, named or not */
            sqlite3_stmt *st = store_stmt(
                s, "SELECT min(k) FROM entries WHERE k >= ? AND k < ? AND"
                   " (hlc >> 16) >= ?");
            if (!st)
                return ILONET_EIO;
            sqlite3_bind_int64(st, 1, LOG__RK(lid, 1));
            sqlite3_bind_int64(st, 2, LOG__RK(lid + 1, 0));
            sqlite3_bind_int64(st, 3, (int64_t)c->rc_at);
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
                by_time = (uint64_t)sqlite3_column_int64(st, 0) & 0xffffffffu;
            sqlite3_reset(st);
            if (rc != SQLITE_ROW)
                return store_err(rc);
        }
        if (c->rc_named) {
            at = c->rc_seq + 1;
            if (c->rc_seq >= 1 && c->rc_seq <= head &&
                memcmp(c->rc_id, log__zero, HASH_LEN) != 0) {
                sqlite3_stmt *st =
                    store_stmt(s, "SELECT id FROM entries WHERE k = ?");
                if (!st)
                    return ILONET_EIO;
                sqlite3_bind_int64(st, 1, LOG__RK(lid, c->rc_seq));
                if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
                    (sqlite3_column_bytes(st, 0) != HASH_LEN ||
                     memcmp(sqlite3_column_blob(st, 0), c->rc_id, HASH_LEN) !=
                         0))
                    at = c->rc_seq; /* another branch: not the good one */
                sqlite3_reset(st);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                    return store_err(rc);
            }
        }
        if (by_time && (!at || by_time < at))
            at = by_time;
        if (at && (!best || at < best))
            best = at;
    }
    *cut = best;
    return 0;
}

/* Recomputes the cuts of every held log of node signed for by state. */
static int
log__recut(struct store *s, const uint8_t node[static KEY_PK_LEN],
           const char *state)
{
    sqlite3_stmt *st = NULL;
    int rc;

    /* Private statement: the loop runs cached ones. */
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT lid, log_id, head_seq, revoked FROM logs"
                           " WHERE author = ? AND state = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, node, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t lid = sqlite3_column_int64(st, 0);
        uint8_t log[HASH_LEN];
        uint64_t head = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t old = (uint64_t)sqlite3_column_int64(st, 3), cut = 0;
        struct log__revs rv;
        sqlite3_stmt *up;

        if (sqlite3_column_bytes(st, 1) != HASH_LEN)
            continue;
        memcpy(log, sqlite3_column_blob(st, 1), HASH_LEN);
        if ((rc = log__revs_load(s, node, state, log, &rv)) != 0)
            break;
        rc = log__cut_of(s, lid, head, &rv, &cut);
        log__revs_free(&rv);
        if (rc != 0)
            break;
        if (!cut || (old && old <= cut))
            continue;
        up = store_stmt(s, "UPDATE logs SET revoked = ? WHERE lid = ?");
        if (!up) {
            rc = ILONET_EIO;
            break;
        }
        sqlite3_bind_int64(up, 1, (int64_t)cut);
        sqlite3_bind_int64(up, 2, lid);
        rc = sqlite3_step(up);
        sqlite3_reset(up);
        if (rc != SQLITE_DONE) {
            rc = store_err(rc);
            break;
        }
        /* Stored entries at or after the cut leave the view. */
        if (cut <= head && (rc = store_run_freeze_hook(s, log, cut)) != 0)
            break;
        rc = SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : store_err(rc);
}

/* The envelope of a grant/revocation payload {"envelope": bin}. */
static int
log__envelope(const uint8_t *p, size_t n, const uint8_t **env, size_t *len)
{
    return log__single_bin(p, n, "envelope", env, len);
}

int
log__revocation_note(struct store *s, const uint8_t *payload, size_t len,
                     const char *audience, int *added)
{
    const uint8_t *env;
    size_t el;
    struct revocation v;
    uint8_t rid[HASH_LEN];
    sqlite3_stmt *st;
    int rc;

    *added = 0;
    /* Only `net` is read by every member: a revocation published to a
     * group would cut the log for some members and not others. */
    if (strcmp(audience, "net") != 0 ||
        log__envelope(payload, len, &env, &el) != 0 ||
        revocation_verify(env, el, store_roster(s), store_network(s), &v) !=
            0 ||
        v.v_type != REVOKE_NODE)
        return 0; /* no effect (the view says why) */
    cert_envelope_id(env, el, rid);
    st = store_stmt(s, "INSERT OR IGNORE INTO node_revocations(rev_id, node,"
                       " state, at) VALUES(?, ?, ?, ?)");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, rid, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, v.v_node, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v.v_state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)v.v_at);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    if (sqlite3_changes(store_db(s)) == 0)
        return 0; /* held already */
    for (size_t i = 0; i < v.v_nlast; i++) {
        st = store_stmt(s, "INSERT OR IGNORE INTO node_revocation_logs("
                           "rev_id, log_id, seq, entry_id) VALUES(?,?,?,?)");
        if (!st)
            return ILONET_EIO;
        sqlite3_bind_blob(st, 1, rid, HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, v.v_last[i].rl_log, HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)v.v_last[i].rl_seq);
        sqlite3_bind_blob(st, 4, v.v_last[i].rl_entry, HASH_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_err(rc);
    }
    *added = 1;
    return log__recut(s, v.v_node, v.v_state);
}

int
log__effective_head(struct store *s, int64_t lid, uint64_t revoked,
                    uint64_t *seq, uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st;
    int rc;

    if (!revoked || revoked > *seq)
        return 0;
    *seq = revoked - 1;
    memset(id, 0, HASH_LEN);
    if (*seq == 0)
        return 0;
    st = store_stmt(s, "SELECT id FROM entries WHERE k = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, LOG__RK(lid, *seq));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HASH_LEN)
        memcpy(id, sqlite3_column_blob(st, 0), HASH_LEN);
    sqlite3_reset(st);
    return rc == SQLITE_ROW    ? 0
           : rc == SQLITE_DONE ? ILONET_EIO
                               : store_err(rc);
}

int
log_node_revoked(struct store *s, const uint8_t node[static KEY_PK_LEN],
                 const char *state)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT 1 FROM node_revocations WHERE node = ?1 AND"
                      " (?2 IS NULL OR state = ?2) LIMIT 1");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, node, KEY_PK_LEN, SQLITE_STATIC);
    if (state)
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ILONET_EREVOKED;
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
log_revocation_count(struct store *s, uint64_t *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM node_revocations");
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}
