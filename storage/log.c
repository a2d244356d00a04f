/* log.c - append-only logs: local append, verify-then-insert ingest, reads. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "log_int.h"

/* One log's row, as ingest and append need it. */
struct log__row {
    int64_t lid; /* 0 = not held yet */
    uint64_t head_seq;
    uint8_t head_id[HASH_LEN];
    uint64_t frozen, behind, sigck;
    char state[KEY_STATE_MAX + 1];
    int role;
    uint64_t cert_nb, cert_na;
    uint64_t revoked; /* cut by a node revocation from this seq, 0 none */
};

int64_t
log_id_prefix(const uint8_t id[static HASH_LEN])
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | id[i];
    return (int64_t)v;
}

int64_t
log_id_key(const uint8_t id[static HASH_LEN])
{
    uint32_t v = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 |
                 (uint32_t)id[2] << 8 | id[3];

    return (int32_t)v; /* signed: SQLite keeps it in 4 bytes */
}

#define LOG__CHUNK 1024               /* entries signed per pipeline run */
#define LOG__META_RESTORED "restored" /* 1: restored, no appends (log.h) */

static int
log__row_get(struct store *s, const uint8_t log[static HASH_LEN],
             struct log__row *r)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT lid, head_seq, head_id, frozen, behind, sigck, state, "
           "role, cert_nb, cert_na, revoked FROM logs WHERE log_id = ?");
    int rc;

    memset(r, 0, sizeof(*r));
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->lid = sqlite3_column_int64(st, 0);
        r->head_seq = (uint64_t)sqlite3_column_int64(st, 1);
        if (sqlite3_column_bytes(st, 2) == HASH_LEN)
            memcpy(r->head_id, sqlite3_column_blob(st, 2), HASH_LEN);
        r->frozen = (uint64_t)sqlite3_column_int64(st, 3);
        r->behind = (uint64_t)sqlite3_column_int64(st, 4);
        r->sigck = (uint64_t)sqlite3_column_int64(st, 5);
        snprintf(r->state, sizeof(r->state), "%s",
                 (const char *)sqlite3_column_text(st, 6));
        r->role = sqlite3_column_int(st, 7);
        r->cert_nb = (uint64_t)sqlite3_column_int64(st, 8);
        r->cert_na = (uint64_t)sqlite3_column_int64(st, 9);
        r->revoked = (uint64_t)sqlite3_column_int64(st, 10);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 0 : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}

static int
log__row_create(struct store *s, const struct log_desc *d, struct log__row *r)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO logs(log_id, author, audience) VALUES(?, ?, ?)");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, d->ld_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, d->ld_author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->ld_audience, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    memset(r, 0, sizeof(*r));
    r->lid = sqlite3_last_insert_rowid(store_db(s));
    return 0;
}

static int
log__row_save(struct store *s, const struct log__row *r)
{
    sqlite3_stmt *st = store_stmt(
        s, "UPDATE logs SET head_seq = ?, head_id = ?, frozen = ?, "
           "behind = ?, sigck = ?, state = ?, role = ?, cert_nb = ?, "
           "cert_na = ?, revoked = ? WHERE lid = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)r->head_seq);
    if (r->head_seq)
        sqlite3_bind_blob(st, 2, r->head_id, HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, (int64_t)r->frozen);
    sqlite3_bind_int64(st, 4, (int64_t)r->behind);
    sqlite3_bind_int64(st, 5, (int64_t)r->sigck);
    sqlite3_bind_text(st, 6, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, r->role);
    sqlite3_bind_int64(st, 8, (int64_t)r->cert_nb);
    sqlite3_bind_int64(st, 9, (int64_t)r->cert_na);
    sqlite3_bind_int64(st, 10, (int64_t)r->revoked);
    sqlite3_bind_int64(st, 11, r->lid);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static int
log__insert(struct store *s, int64_t lid, const struct entry *e)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO entries(k, body, hlc, kind, hx, payload) "
                      "VALUES(?, ?, ?, ?, ?, ?)");
    uint8_t hdr[ENTRY_HEADER_MAX], body[HASH_LEN + KEY_SIG_LEN];
    size_t hl = 0;
    int rc;

    if (!st)
        return ILONET_EIO;
    /* the id, then the signature: one column (schema v5, store.c) */
    memcpy(body, e->e_id, HASH_LEN);
    memcpy(body + HASH_LEN, e->e_sig, KEY_SIG_LEN);
    sqlite3_bind_int64(st, 1, LOG__K(lid, e->e_h.h_seq));
    sqlite3_bind_blob(st, 2, body, sizeof(body), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)e->e_h.h_hlc);
    sqlite3_bind_int64(st, 4, (int64_t)e->e_h.h_kind);
    /* Most headers follow from the row, its log and the previous entry:
     * store them only when they do not (an erased payload's hash). */
    if (!e->e_payload || entry_header_encode(&e->e_h, hdr, &hl) != 0 ||
        hl != e->e_hdr_len || memcmp(hdr, e->e_hdr, hl) != 0 ||
        e->e_h.h_version != ENTRY_VERSION)
        sqlite3_bind_blob(st, 5, e->e_hdr, (int)e->e_hdr_len, SQLITE_STATIC);
    if (e->e_payload)
        sqlite3_bind_blob(st, 6, e->e_payload, (int)e->e_payload_len,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    return store_ids_add(s, log_id_key(e->e_id), LOG__K(lid, e->e_h.h_seq));
}

/* The bin value of a one-key map {key: bin}, the whole payload:
 * certificate entries ({"cert": ...}) and grant/revocation envelopes
 * ({"envelope": ...}, log_revoke.c). Payloads reach here after their form
 * was checked (entry_check_payload_form); every shape error is
 * `malformed`. */
int
log__single_bin(const uint8_t *p, size_t n, const char *key,
                const uint8_t **out, size_t *out_len)
{
    struct wire_rd r;
    const uint8_t *b;
    size_t bl;

    wire_rd_init(&r, p, n, ILONET_EMALFORMED);
    if (!p || wire_rd_map_n(&r, 1) != 0 || wire_rd_key(&r, key) != 0 ||
        wire_rd_bin(&r, &b, &bl) != 0 || wire_rd_done(&r) != 0)
        return ILONET_EMALFORMED;
    *out = b;
    *out_len = bl;
    return 0;
}

int
log__cert_payload(const uint8_t *p, size_t n, const uint8_t **cert,
                  size_t *cert_len)
{
    return log__single_bin(p, n, "cert", cert, cert_len);
}

/* Builds the certificate-entry payload for cert bytes into wb. */
static void
log__make_cert_payload(struct wire_buf *wb, const uint8_t *cert, size_t n)
{
    wire_pack_map(wb, 1);
    wire_pack_str(wb, "cert");
    wire_pack_bin(wb, cert, n);
}

static int
log__store_cert(struct store *s, const struct cert *c, const uint8_t *buf,
                size_t len)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO certs(node, state, role, not_before, not_after, cert)"
           " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(node) DO UPDATE SET "
           "state = excluded.state, role = excluded.role, not_before = "
           "excluded.not_before, not_after = excluded.not_after, cert = "
           "excluded.cert WHERE excluded.not_after > not_after");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, c->c_node, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->c_state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cert_role_name(c->c_role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)c->c_not_before);
    sqlite3_bind_int64(st, 5, (int64_t)c->c_not_after);
    sqlite3_bind_blob(st, 6, buf, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/*
 * Checks the certificate carried by a log's first entry: a roster state's
 * certificate of exactly this author for this network, whose state may
 * write to the audience. Fills the row's certificate fields.
 */
static int
log__check_cert_entry(struct store *s, const struct log_desc *d,
                      const struct entry *e, struct log__row *r)
{
    const uint8_t *cb;
    size_t cl;
    struct cert c;
    int rc;

    if (e->e_h.h_kind != KIND_CERT || !e->e_payload)
        return ILONET_EUNKNOWNAUTHOR;
    if ((rc = log__cert_payload(e->e_payload, e->e_payload_len, &cb, &cl)) != 0)
        return rc;
    if ((rc = cert_verify(cb, cl, store_roster(s), store_network(s), &c)) != 0)
        return rc;
    if (sodium_memcmp(c.c_node, d->ld_author, KEY_PK_LEN) != 0)
        return ILONET_EUNKNOWNAUTHOR;
    if (!audience_admits(d->ld_audience, c.c_state, c.c_role))
        return ILONET_EAUDIENCE;
    if ((rc = log__store_cert(s, &c, cb, cl)) != 0)
        return rc;
    snprintf(r->state, sizeof(r->state), "%s", c.c_state);
    r->role = (int)c.c_role;
    r->cert_nb = c.c_not_before;
    r->cert_na = c.c_not_after;
    return 0;
}

/*
 * A certificate entry after seq 1 renews the log's certificate
 * (docs/KEYS.md): it must verify, be for this author, with the state and
 * role of the log's first certificate and another validity window. Entries from
 * it on are checked against its validity instead of the earlier one's.
 */
static int
log__check_renewal(struct store *s, const struct log_desc *d,
                   const struct entry *e, struct log__row *r)
{
    const uint8_t *cb;
    size_t cl;
    struct cert c;
    int rc;

    if (!e->e_payload)
        return ILONET_EUNKNOWNAUTHOR;
    if ((rc = log__cert_payload(e->e_payload, e->e_payload_len, &cb, &cl)) != 0)
        return rc;
    if ((rc = cert_verify(cb, cl, store_roster(s), store_network(s), &c)) != 0)
        return rc;
    if (sodium_memcmp(c.c_node, d->ld_author, KEY_PK_LEN) != 0 ||
        strcmp(c.c_state, r->state) != 0 || (int)c.c_role != r->role)
        return ILONET_EUNKNOWNAUTHOR;
    /* the same validity again renews nothing: a certificate entry out of
     * place */
    if (c.c_not_before == r->cert_nb && c.c_not_after == r->cert_na)
        return ILONET_EKIND;
    if ((rc = log__store_cert(s, &c, cb, cl)) != 0)
        return rc;
    r->cert_nb = c.c_not_before;
    r->cert_na = c.c_not_after;
    return 0;
}

/* The installed certificate (store meta "cert") renews the one a held own
 * log runs under when it is another certificate of the same key, state
 * and role: fills wb with the renewal entry's payload, else leaves it
 * empty. */
static int
log__renewal_due(struct store *s, const struct log_desc *d,
                 const struct log__row *r, struct wire_buf *wb)
{
    uint8_t *cert = NULL;
    size_t len = 0;
    struct cert c;
    int rc;

    if ((rc = store_meta_get(s, "cert", &cert, &len)) != 0)
        return rc == ILONET_ENOTFOUND ? 0 : rc;
    if (cert_verify(cert, len, store_roster(s), store_network(s), &c) == 0 &&
        sodium_memcmp(c.c_node, d->ld_author, KEY_PK_LEN) == 0 &&
        strcmp(c.c_state, r->state) == 0 && (int)c.c_role == r->role &&
        (c.c_not_before != r->cert_nb || c.c_not_after != r->cert_na)) {
        log__make_cert_payload(wb, cert, len);
        rc = wb->wb_err;
    }
    free(cert);
    return rc;
}

static uint64_t
log__hlc_secs(uint64_t hlc)
{
    return (hlc >> 16) / 1000;
}

/* ---- local append ----------------------------------------------------- */

int
log_append(struct store *s, const struct key_pair *kp, const char *audience,
           const struct log_append_req *reqs, size_t n, uint64_t wall_ms,
           struct log_ref *refs)
{
    const struct store_identity *me = store_identity(s);
    struct log_desc d;
    struct log__row r;
    struct wire_buf certp;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    uint64_t hlc = 0, restored = 0;
    struct entry e, *es = NULL;
    int rc;

    if (!kp || !reqs || n == 0 || kp->kind != KEY_NODE)
        return ILONET_EINVAL;
    memset(&d, 0, sizeof(d));
    if (audience_normalise(audience, d.ld_audience) != 0)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (reqs[i].kind <= KIND_CERT || reqs[i].kind > ENTRY_KIND_MAX)
            return ILONET_EKIND;
        if ((rc = entry_check_payload_bytes(reqs[i].payload, reqs[i].len)) != 0)
            return rc;
    }
    if (me && !audience_admits(d.ld_audience, me->si_state, me->si_role))
        return ILONET_EAUDIENCE;
    memcpy(d.ld_author, kp->pk, KEY_PK_LEN);
    entry_log_id(store_network(s), kp->pk, d.ld_audience, d.ld_id);
    wire_buf_init(&certp, CERT_MAX_LEN + 64);

    if ((rc = store_begin(s)) != 0)
        goto out_nolock;
    if ((rc = log__row_get(s, d.ld_id, &r)) != 0)
        goto out;
    if (r.frozen) {
        rc = ILONET_EFROZEN;
        goto out;
    }
    /* Our own key is revoked: whatever we sign now is refused everywhere. */
    if ((rc = log_node_revoked(s, kp->pk, me ? me->si_state : NULL)) != 0)
        goto out;
    /* A peer showed us a longer copy of our own log than we hold: we were
     * restored from a backup. Appending now would sign a second entry at
     * a seq we already used: refuse until sync catches up. */
    if (r.behind > r.head_seq) {
        rc = ILONET_ESELFBEHIND;
        goto out;
    }
    /* Restored from a backup and not yet confirmed by a peer: any log of
     * ours (even one we do not hold yet) may have later entries out there. */
    if ((rc = store_meta_get_u64(s, LOG__META_RESTORED, &restored)) == 0 &&
        restored) {
        rc = ILONET_ESELFBEHIND;
        goto out;
    }
    if (rc != 0 && rc != ILONET_ENOTFOUND)
        goto out;
    if (r.head_seq + n > LOG__SEQ_MAX) {
        rc = ILONET_ETOOBIG;
        goto out;
    }
    if ((rc = store_meta_get_u64(s, "hlc", &hlc)) != 0 &&
        rc != ILONET_ENOTFOUND)
        goto out;
    if (r.lid == 0 || r.head_seq == 0) {
        /* A new log starts with the author's certificate. */
        if ((rc = store_meta_get(s, "cert", &cert, &cert_len)) != 0) {
            rc = rc == ILONET_ENOTFOUND ? ILONET_EUNKNOWNAUTHOR : rc;
            goto out;
        }
        if (r.lid == 0 && (rc = log__row_create(s, &d, &r)) != 0)
            goto out;
        log__make_cert_payload(&certp, cert, cert_len);
        if ((rc = certp.wb_err) != 0)
            goto out;
    } else if ((rc = log__renewal_due(s, &d, &r, &certp)) != 0) {
        goto out;
    }
    if (certp.wb_len) {
        /* The certificate first, signed inline: at seq 1 of a new log,
         * or a renewed one (docs/KEYS.md) before the next entry. */
        hlc = (wall_ms << 16) > hlc ? wall_ms << 16 : hlc + 1;
        memset(&e, 0, sizeof(e));
        e.e_h.h_version = ENTRY_VERSION;
        memcpy(e.e_h.h_log, d.ld_id, HASH_LEN);
        e.e_h.h_seq = r.head_seq + 1;
        if (r.head_seq) {
            e.e_h.h_has_prev = 1;
            memcpy(e.e_h.h_prev, r.head_id, HASH_LEN);
        }
        e.e_h.h_hlc = hlc;
        e.e_h.h_kind = KIND_CERT;
        e.e_h.h_payload_len = certp.wb_len;
        entry_payload_hash(certp.wb_data, certp.wb_len, e.e_h.h_payload_hash);
        e.e_payload = certp.wb_data;
        e.e_payload_len = certp.wb_len;
        if ((rc = entry_seal(&e, kp)) != 0 ||
            (rc = r.head_seq ? log__check_renewal(s, &d, &e, &r)
                             : log__check_cert_entry(s, &d, &e, &r)) != 0 ||
            (rc = log__insert(s, r.lid, &e)) != 0)
            goto out;
        e.e_k = LOG__K(r.lid, e.e_h.h_seq);
        if ((rc = store_run_entry_hook(s, &e, d.ld_audience, d.ld_author)) != 0)
            goto out;
        r.head_seq = e.e_h.h_seq;
        memcpy(r.head_id, e.e_id, HASH_LEN);
    }
    es = malloc(LOG__CHUNK * sizeof(*es));
    if (!es) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    for (size_t base = 0; base < n; base += LOG__CHUNK) {
        size_t m = n - base < LOG__CHUNK ? n - base : LOG__CHUNK;
        struct log_sign_job job;

        for (size_t i = 0; i < m; i++) {
            const struct log_append_req *q = &reqs[base + i];
            struct entry *x = &es[i];

            /* HLC: physical ms in the high 48 bits, a counter below,
             * strictly increasing across everything this store has seen. */
            hlc = (wall_ms << 16) > hlc ? wall_ms << 16 : hlc + 1;
            memset(&x->e_h, 0, sizeof(x->e_h));
            x->e_h.h_version = ENTRY_VERSION;
            memcpy(x->e_h.h_log, d.ld_id, HASH_LEN);
            x->e_h.h_seq = r.head_seq + 1 + i;
            x->e_h.h_hlc = hlc;
            x->e_h.h_kind = q->kind;
            x->e_h.h_payload_len = q->len;
            entry_payload_hash(q->payload, q->len, x->e_h.h_payload_hash);
            x->e_payload = q->payload;
            x->e_payload_len = q->len;
        }
        memset(&job, 0, sizeof(job));
        job.sj_kp = kp;
        job.sj_es = es;
        job.sj_n = m;
        job.sj_has_prev0 = 1;
        memcpy(job.sj_prev0, r.head_id, HASH_LEN);
        if ((rc = log_sign_start(&job)) != 0)
            goto out;
        for (size_t i = 0; i < m && rc == 0; i++) {
            if ((rc = log_sign_wait(&job, i)) != 0 ||
                (rc = log__insert(s, r.lid, &es[i])) != 0)
                break;
            es[i].e_k = LOG__K(r.lid, es[i].e_h.h_seq);
            if ((rc = store_run_entry_hook(s, &es[i], d.ld_audience,
                                           d.ld_author)) != 0)
                break;
            if (refs) {
                memcpy(refs[base + i].lr_log, d.ld_id, HASH_LEN);
                refs[base + i].lr_seq = es[i].e_h.h_seq;
                memcpy(refs[base + i].lr_id, es[i].e_id, HASH_LEN);
            }
        }
        log_sign_finish(&job);
        if (rc != 0)
            goto out;
        r.head_seq = es[m - 1].e_h.h_seq;
        memcpy(r.head_id, es[m - 1].e_id, HASH_LEN);
    }
    r.sigck = r.head_seq; /* we signed it ourselves */
    if ((rc = log__row_save(s, &r)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        int added;
        if (reqs[i].kind == KIND_REVOCATION &&
            (rc = log__revocation_note(s, reqs[i].payload, reqs[i].len,
                                       d.ld_audience, &added)) != 0)
            goto out;
    }
    if ((rc = store_meta_set_u64(s, "hlc", hlc)) != 0)
        goto out;
    rc = store_commit(s);
    goto out_nolock;
out:
    store_rollback(s);
out_nolock:
    free(es);
    free(cert);
    wire_buf_free(&certp);
    return rc;
}

/* Fills e from a LOG__ROW_COLS row (log_int.h, which says how headers
 * are derived) starting at column col. */
int
log__entry_from_row(sqlite3_stmt *st, int col, struct entry *e)
{
    int rc;

    memset(e, 0, sizeof(*e));
    if (sqlite3_column_bytes(st, col) != HASH_LEN ||
        sqlite3_column_bytes(st, col + 2) != KEY_SIG_LEN)
        return ILONET_EMALFORMED;
    memcpy(e->e_id, sqlite3_column_blob(st, col), HASH_LEN);
    memcpy(e->e_sig, sqlite3_column_blob(st, col + 2), KEY_SIG_LEN);
    if (sqlite3_column_type(st, col + 3) != SQLITE_NULL) {
        e->e_payload = sqlite3_column_blob(st, col + 3);
        e->e_payload_len = (size_t)sqlite3_column_bytes(st, col + 3);
        if (!e->e_payload)
            e->e_payload = (const uint8_t *)"";
    }
    if (sqlite3_column_type(st, col + 1) != SQLITE_NULL) {
        size_t hl = (size_t)sqlite3_column_bytes(st, col + 1);
        if (hl > ENTRY_HEADER_MAX)
            return ILONET_EMALFORMED;
        memcpy(e->e_hdr, sqlite3_column_blob(st, col + 1), hl);
        e->e_hdr_len = hl;
        return entry_header_decode(e->e_hdr, hl, &e->e_h);
    }
    if (!e->e_payload || sqlite3_column_bytes(st, col + 7) != HASH_LEN)
        return ILONET_EMALFORMED;
    e->e_h.h_version = ENTRY_VERSION;
    memcpy(e->e_h.h_log, sqlite3_column_blob(st, col + 7), HASH_LEN);
    e->e_h.h_seq = (uint64_t)sqlite3_column_int64(st, col + 8) & LOG__SEQ_MAX;
    if (e->e_h.h_seq > 1) {
        if (sqlite3_column_bytes(st, col + 6) != HASH_LEN)
            return ILONET_EMALFORMED;
        e->e_h.h_has_prev = 1;
        memcpy(e->e_h.h_prev, sqlite3_column_blob(st, col + 6), HASH_LEN);
    }
    e->e_h.h_hlc = (uint64_t)sqlite3_column_int64(st, col + 4);
    e->e_h.h_kind = (uint64_t)sqlite3_column_int64(st, col + 5);
    e->e_h.h_payload_len = e->e_payload_len;
    entry_payload_hash(e->e_payload, e->e_payload_len, e->e_h.h_payload_hash);
    rc = entry_header_encode(&e->e_h, e->e_hdr, &e->e_hdr_len);
    return rc;
}

/* ---- ingest ----------------------------------------------------------- */

/* The id of the entry at position k; ILONET_ENOTFOUND if none. */
static int
log__id_at(struct store *s, int64_t k, uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id FROM entries WHERE k = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HASH_LEN)
        memcpy(id, sqlite3_column_blob(st, 0), HASH_LEN);
    else
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                   : store_err(rc);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc;
}

static int
log__stored_at(struct store *s, int64_t lid, uint64_t seq,
               uint8_t id[static HASH_LEN], uint8_t *hdr, size_t *hdr_len,
               uint8_t sig[static KEY_SIG_LEN])
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " LOG__ROW_COLS
                                     " FROM " LOG__ROW_FROM " WHERE e.k = ?");
    struct entry e;
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, LOG__K(lid, seq));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if ((rc = log__entry_from_row(st, 0, &e)) == 0) {
            memcpy(id, e.e_id, HASH_LEN);
            if (hdr) {
                memcpy(hdr, e.e_hdr, e.e_hdr_len);
                *hdr_len = e.e_hdr_len;
                memcpy(sig, e.e_sig, KEY_SIG_LEN);
            }
        }
    } else {
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}

static int
log__evidence(struct store *s, const struct log_desc *d, uint64_t seq,
              const uint8_t *id_a, const uint8_t *hdr_a, size_t hl_a,
              const uint8_t *sig_a, const struct entry *b)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT OR IGNORE INTO evidence(log_id, seq, author, audience, "
           "id_a, hdr_a, sig_a, id_b, hdr_b, sig_b) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc, swap;

    if (!st)
        return ILONET_EIO;
    /* Order the pair by id so every node stores the same row. */
    swap = memcmp(id_a, b->e_id, HASH_LEN) > 0;
    sqlite3_bind_blob(st, 1, d->ld_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)seq);
    sqlite3_bind_blob(st, 3, d->ld_author, KEY_PK_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, d->ld_audience, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 8 : 5, id_a, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 9 : 6, hdr_a, (int)hl_a, SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 10 : 7, sig_a, KEY_SIG_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 5 : 8, b->e_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 6 : 9, b->e_hdr, (int)b->e_hdr_len,
                      SQLITE_STATIC);
    sqlite3_bind_blob(st, swap ? 7 : 10, b->e_sig, KEY_SIG_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static int
log__quarantine(struct store *s, const struct entry *e, int code,
                uint64_t until_ms)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT OR REPLACE INTO quarantine(log_id, seq, entry_id, code, "
           "until_ms) VALUES(?, ?, ?, ?, ?)");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, e->e_h.h_log, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)e->e_h.h_seq);
    sqlite3_bind_blob(st, 3, e->e_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, code);
    sqlite3_bind_int64(st, 5, (int64_t)until_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* *held = 1 when log holds an entry quarantined as backdated by a revoked
 * key (code revoked). */
static int
log__backdated_held(struct store *s, const uint8_t log[static HASH_LEN],
                    int *held)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT 1 FROM quarantine WHERE log_id = ? AND code = ? LIMIT 1");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, ILONET_EREVOKED);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    *held = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* Checks one entry's own fields (not its place in the chain). */
int
log__check_fields(const struct log_desc *d, const struct entry *e)
{
    if (e->e_h.h_version != ENTRY_VERSION || e->e_h.h_kind == 0 ||
        e->e_h.h_kind > ENTRY_KIND_MAX)
        return ILONET_EKIND;
    if (memcmp(e->e_h.h_log, d->ld_id, HASH_LEN) != 0)
        return ILONET_ENETWORK;
    if (e->e_h.h_seq > LOG__SEQ_MAX)
        return ILONET_ETOOBIG;
    if (e->e_h.h_payload_len > ENTRY_PAYLOAD_MAX)
        return ILONET_ETOOBIG;
    if (e->e_payload && e->e_payload_hashed)
        return entry_check_payload_form(&e->e_h, e->e_payload,
                                        e->e_payload_len);
    if (e->e_payload)
        return entry_check_payload(&e->e_h, e->e_payload, e->e_payload_len);
    return 0;
}

int
log_ingest(struct store *s, const struct log_batch *b, uint64_t now_ms,
           struct ingest_stats *stp)
{
    const struct store_identity *me = store_identity(s);
    struct ingest_stats st;
    struct log_desc d;
    struct log__row r;
    uint8_t want[HASH_LEN];
    char aud[ENTRY_AUDIENCE_MAX + 1];
    uint64_t hlc_max = 0, hlc = 0;
    size_t i, first_new = 0, nnew = 0;
    int rc, forked = 0;
    struct log__revs rv;
    uint64_t rev_seq = 0;   /* first entry refused by a revocation */
    uint64_t newest_ms = 0; /* a revoked author's newest entry, see below */
    int new_log = 0;        /* this node held no entry of the log before */
    int backdated = 0;      /* the log holds an entry quarantined so */

    memset(&st, 0, sizeof(st));
    memset(&rv, 0, sizeof(rv));
    if (!b || (b->b_count && !b->b_entries))
        return ILONET_EINVAL;
    d = b->b_log;
    if (audience_normalise(d.ld_audience, aud) != 0 ||
        strcmp(aud, d.ld_audience) != 0) {
        rc = ILONET_EMALFORMED;
        goto out_nolock;
    }
    entry_log_id(store_network(s), d.ld_author, d.ld_audience, want);
    if (memcmp(want, d.ld_id, HASH_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out_nolock;
    }
    /* A log of an audience we are not in never touches our disk. */
    if (me && !audience_admits(d.ld_audience, me->si_state, me->si_role)) {
        st.is_skipped = b->b_count ? b->b_count : 1;
        rc = ILONET_EAUDIENCE;
        goto out_nolock;
    }
    if (b->b_count == 0) {
        rc = 0;
        goto out_nolock;
    }
    if ((rc = store_begin(s)) != 0)
        goto out_nolock;
    if ((rc = log__row_get(s, d.ld_id, &r)) != 0)
        goto out;
    new_log = r.lid == 0;
    for (i = 0; i < b->b_count; i++) {
        const struct entry *e = &b->b_entries[i];
        uint64_t seq = e->e_h.h_seq;

        st.is_err_seq = seq;
        if (i > 0 && seq != b->b_entries[i - 1].e_h.h_seq + 1) {
            rc = ILONET_ESEQ;
            goto out;
        }
        if ((rc = log__check_fields(&d, e)) != 0)
            goto out;
        /* Past a revocation's cut (docs/KEYS.md): refused even if held. */
        if (r.revoked && seq >= r.revoked) {
            rev_seq = seq;
            break;
        }
        if (r.lid && seq <= r.head_seq) {
            uint8_t id[HASH_LEN], hdr[ENTRY_HEADER_MAX], sig[KEY_SIG_LEN];
            size_t hl = 0;

            /* the id alone tells a duplicate: no header to derive */
            if ((rc = log__id_at(s, LOG__K(r.lid, seq), id)) != 0)
                goto out;
            if (memcmp(id, e->e_id, HASH_LEN) == 0) {
                st.is_dup++;
                continue;
            }
            if ((rc = log__stored_at(s, r.lid, seq, id, hdr, &hl, sig)) != 0)
                goto out;
            /* Same position, another entry: a fork if the author really
             * signed it. Check that signature alone, now. */
            if ((rc = entry_verify_sig(e, d.ld_author)) != 0)
                goto out;
            if ((rc = log__evidence(s, &d, seq, id, hdr, hl, sig, e)) != 0)
                goto out;
            if (!r.frozen || seq < r.frozen)
                r.frozen = seq;
            st.is_forks++;
            forked = 1;
            break; /* the rest of the batch is on the other branch */
        }
        if (seq != r.head_seq + 1) {
            rc = ILONET_ESEQ;
            goto out;
        }
        if (seq == 1) {
            if (e->e_h.h_has_prev) {
                rc = ILONET_ECHAIN;
                goto out;
            }
            if (r.lid == 0 && (rc = log__row_create(s, &d, &r)) != 0)
                goto out;
            if ((rc = log__check_cert_entry(s, &d, e, &r)) != 0)
                goto out;
        } else {
            if (!e->e_h.h_has_prev ||
                memcmp(e->e_h.h_prev, r.head_id, HASH_LEN) != 0) {
                rc = ILONET_ECHAIN;
                goto out;
            }
            /* a later certificate entry renews the log's certificate */
            if (e->e_h.h_kind == KIND_CERT &&
                (rc = log__check_renewal(s, &d, e, &r)) != 0)
                goto out;
        }
        if (log__hlc_secs(e->e_h.h_hlc) < r.cert_nb ||
            log__hlc_secs(e->e_h.h_hlc) > r.cert_na) {
            rc = ILONET_EEXPIRED;
            goto out;
        }
        if (!rv.rv_loaded &&
            (rc = log__revs_load(s, d.ld_author, r.state, d.ld_id, &rv)) != 0)
            goto out;
        if (rv.rv_n &&
            log__revs_entry_ok(&rv, seq, e->e_h.h_hlc, e->e_id) != 0) {
            rev_seq = seq;
            break;
        }
        if ((rc = log__insert(s, r.lid, e)) != 0) {
            /* the same id elsewhere: a replayed entry in the wrong log */
            rc = rc == ILONET_EEXIST ? ILONET_ECHAIN : rc;
            goto out;
        }
        if (nnew == 0)
            first_new = i;
        nnew++;
        r.head_seq = seq;
        memcpy(r.head_id, e->e_id, HASH_LEN);
    }
    if (nnew) {
        const struct entry *last = &b->b_entries[first_new + nnew - 1];

        /* One signature for the range: the last entry's signed header
         * commits to every earlier entry through the prev hashes, each of
         * which covers its entry's signature. The earlier signatures are
         * checked one by one later (log_check_pending). */
        st.is_err_seq = last->e_h.h_seq;
        if ((rc = entry_verify_sig(last, d.ld_author)) != 0)
            goto out;
        if (r.sigck + 1 == b->b_entries[first_new].e_h.h_seq && nnew == 1)
            r.sigck = last->e_h.h_seq;
        /* A revoked key starting a log no revocation names, with a time
         * older than the newest good entry already held from that key by
         * more than the skew bound: a stolen copy backdating (a node's
         * clock only moves forward). Stored and quarantined for good, out
         * of the view (docs/KEYS.md, docs/SECURITY.md). Only a log this
         * node first sees after it holds the revocation is judged so. */
        if (rv.rv_n && !log__revs_names_log(&rv)) {
            if (!new_log &&
                (rc = log__backdated_held(s, d.ld_id, &backdated)) != 0)
                goto out;
            if ((new_log || backdated) &&
                (rc = log__author_newest_ms(s, d.ld_author, &newest_ms)) != 0)
                goto out;
        }
        for (i = first_new; i < first_new + nnew; i++) {
            const struct entry *e = &b->b_entries[i];
            uint64_t ms = e->e_h.h_hlc >> 16;

            /* once a log has a backdated entry, the rest of it follows
             * (a suffix, as a revocation's cut is) */
            if (backdated ||
                (newest_ms && ms + STORE_MAX_SKEW_MS < newest_ms)) {
                backdated = 1;
                if ((rc = log__quarantine(s, e, ILONET_EREVOKED,
                                          (uint64_t)INT64_MAX)) != 0)
                    goto out;
                st.is_quarantined++;
                st.is_backdated++;
                continue;
            }
            if (ms > now_ms + STORE_MAX_SKEW_MS) {
                if ((rc = log__quarantine(s, e, ILONET_EFUTURE, ms)) != 0)
                    goto out;
                st.is_quarantined++;
                continue;
            }
            if (e->e_h.h_hlc > hlc_max)
                hlc_max = e->e_h.h_hlc;
            struct entry ek = *e; /* the batch is the caller's: copy */
            ek.e_k = LOG__K(r.lid, e->e_h.h_seq);
            if ((rc = store_run_entry_hook(s, &ek, d.ld_audience,
                                           d.ld_author)) != 0)
                goto out;
        }
        st.is_new = nnew;
    }
    if (r.behind && r.head_seq >= r.behind)
        r.behind = 0;
    if (rev_seq && !nnew && !forked) {
        /* Nothing stored: refused input leaves no trace (I3). */
        st.is_err_seq = rev_seq;
        rc = ILONET_EREVOKED;
        goto out;
    }
    if ((nnew || forked) && (rc = log__row_save(s, &r)) != 0)
        goto out;
    for (i = first_new; i < first_new + nnew; i++) {
        const struct entry *e = &b->b_entries[i];
        int added = 0;

        if (e->e_h.h_kind == KIND_REVOCATION &&
            (rc = log__revocation_note(s, e->e_payload, e->e_payload_len,
                                       d.ld_audience, &added)) != 0)
            goto out;
        st.is_revocations += (uint64_t)added;
    }
    if (forked && (rc = store_run_freeze_hook(s, d.ld_id, r.frozen)) != 0)
        goto out;
    if (hlc_max) {
        if ((rc = store_meta_get_u64(s, "hlc", &hlc)) != 0 &&
            rc != ILONET_ENOTFOUND)
            goto out;
        if (hlc_max > hlc && (rc = store_meta_set_u64(s, "hlc", hlc_max)) != 0)
            goto out;
    }
    st.is_err_seq = 0;
    rc = store_commit(s);
    if (rc == 0 && rev_seq) {
        /* the good prefix is stored; the rest is refused */
        st.is_err_seq = rev_seq;
        rc = ILONET_EREVOKED;
    }
    goto out_nolock;
out:
    store_rollback(s);
    st.is_new = 0;
    st.is_revocations = 0;
out_nolock:
    log__revs_free(&rv);
    if (stp)
        *stp = st;
    return rc;
}

int
log_mark_restored(struct store *s)
{
    return store_meta_set_u64(s, LOG__META_RESTORED, 1);
}

int
log_clear_restored(struct store *s)
{
    return store_meta_set_u64(s, LOG__META_RESTORED, 0);
}

int
log_is_restored(struct store *s, int *restored)
{
    uint64_t v = 0;
    int rc = store_meta_get_u64(s, LOG__META_RESTORED, &v);

    if (rc != 0 && rc != ILONET_ENOTFOUND)
        return rc;
    *restored = v != 0;
    return 0;
}

int
log_mark_self_behind(struct store *s, const uint8_t log[static HASH_LEN],
                     uint64_t peer_seq)
{
    sqlite3_stmt *st = store_stmt(
        s, "UPDATE logs SET behind = ? WHERE log_id = ? AND head_seq < ? "
           "AND behind < ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)peer_seq);
    sqlite3_bind_blob(st, 2, log, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)peer_seq);
    sqlite3_bind_int64(st, 4, (int64_t)peer_seq);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* ---- reads ------------------------------------------------------------ */

static void
log__head_from_row(sqlite3_stmt *st, struct log_head *h)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->lh_log.ld_id, sqlite3_column_blob(st, 0), HASH_LEN);
    memcpy(h->lh_log.ld_author, sqlite3_column_blob(st, 1), KEY_PK_LEN);
    snprintf(h->lh_log.ld_audience, sizeof(h->lh_log.ld_audience), "%s",
             (const char *)sqlite3_column_text(st, 2));
    h->lh_seq = (uint64_t)sqlite3_column_int64(st, 3);
    if (sqlite3_column_bytes(st, 4) == HASH_LEN)
        memcpy(h->lh_id, sqlite3_column_blob(st, 4), HASH_LEN);
    h->lh_frozen = (uint64_t)sqlite3_column_int64(st, 5);
}

#define LOG__HEAD_COLS                                                         \
    "log_id, author, audience, head_seq, head_id, frozen, lid, revoked"

/* A revoked log's head as everyone else sees it: at its cut. */
static int
log__head_cap(struct store *s, sqlite3_stmt *st, struct log_head *h)
{
    uint64_t revoked = (uint64_t)sqlite3_column_int64(st, 7);

    h->lh_revoked = revoked;
    return log__effective_head(s, sqlite3_column_int64(st, 6), revoked,
                               &h->lh_seq, h->lh_id);
}

int
log_heads(struct store *s, struct log_head **out, size_t *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " LOG__HEAD_COLS " FROM logs WHERE head_seq > 0 "
                      "ORDER BY log_id");
    struct log_head *v = NULL, *nv;
    size_t cnt = 0, cap = 0;
    int rc;

    if (!st)
        return ILONET_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            nv = realloc(v, cap * sizeof(*v));
            if (!nv) {
                free(v);
                sqlite3_reset(st);
                return ILONET_ENOMEM;
            }
            v = nv;
        }
        log__head_from_row(st, &v[cnt]);
        if ((rc = log__head_cap(s, st, &v[cnt])) != 0) {
            free(v);
            sqlite3_reset(st);
            return rc;
        }
        if (v[cnt].lh_seq > 0)
            cnt++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(v);
        return store_err(rc);
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
log_head(struct store *s, const uint8_t log[static HASH_LEN],
         struct log_head *out)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " LOG__HEAD_COLS " FROM logs WHERE log_id = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        log__head_from_row(st, out);
        if (log__head_cap(s, st, out) != 0)
            rc = SQLITE_IOERR;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW    ? 0
           : rc == SQLITE_DONE ? ILONET_ENOTFOUND
                               : store_err(rc);
}

int
log_desc_get(struct store *s, const uint8_t log[static HASH_LEN],
             struct log_desc *out)
{
    struct log_head h;
    int rc = log_head(s, log, &h);

    if (rc == 0)
        *out = h.lh_log;
    return rc;
}

int
log_range(struct store *s, const uint8_t log[static HASH_LEN],
          uint64_t from_seq, uint64_t max_count, size_t max_bytes,
          log_entry_cb cb, void *arg)
{
    struct log__row r;
    sqlite3_stmt *st;
    struct entry e;
    uint64_t cnt = 0;
    size_t bytes = 0;
    int rc;

    if ((rc = log__row_get(s, log, &r)) != 0)
        return rc;
    if (r.lid == 0)
        return ILONET_ENOTFOUND;
    if (from_seq == 0)
        from_seq = 1;
    if (r.revoked && r.revoked <= r.head_seq)
        r.head_seq = r.revoked - 1; /* nothing past a revocation's cut */
    if (from_seq > r.head_seq)
        return 0;
    /* A private statement: the callback may use the store's cache. */
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT " LOG__ROW_COLS " FROM " LOG__ROW_FROM
                           " WHERE e.k >= ? AND e.k <= ? ORDER BY e.k",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, LOG__K(r.lid, from_seq));
    sqlite3_bind_int64(st, 2, LOG__K(r.lid, r.head_seq));
    while (cnt < max_count && (cnt == 0 || bytes < max_bytes)) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            rc = rc == SQLITE_DONE ? 0 : store_err(rc);
            break;
        }
        if ((rc = log__entry_from_row(st, 0, &e)) != 0)
            break;
        bytes += e.e_hdr_len + KEY_SIG_LEN + e.e_payload_len;
        cnt++;
        if ((rc = cb(arg, &e)) != 0)
            break;
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int
log_find(struct store *s, const uint8_t id[static HASH_LEN], int64_t *k)
{
    int64_t one[8], *ks = one, p = log_id_key(id);
    uint8_t got[HASH_LEN];
    size_t n, max = 8;
    int rc;

    if ((rc = store_ids_find(s, p, p, ks, max, &n)) != 0)
        return rc;
    /* More than 8 share the 4-byte key only if someone ground ids to
     * hide one behind them (some 2^32 hashes each): look at them all,
     * so that a member's entries cannot make another's unfindable. */
    if (n > max) {
        if (!(ks = malloc(n * sizeof(*ks))))
            return ILONET_ENOMEM;
        max = n;
        if ((rc = store_ids_find(s, p, p, ks, max, &n)) != 0)
            goto out;
    }
    rc = ILONET_ENOTFOUND;
    for (size_t i = 0; i < n && i < max; i++) {
        int r = log__id_at(s, ks[i], got);

        if (r != 0 && r != ILONET_ENOTFOUND) {
            rc = r;
            break;
        }
        if (r == 0 && memcmp(got, id, HASH_LEN) == 0) {
            *k = ks[i];
            rc = 0;
            break;
        }
    }
out:
    if (ks != one)
        free(ks);
    return rc;
}

int
log_find_range(struct store *s, const uint8_t lo[static HASH_LEN],
               const uint8_t hi[static HASH_LEN], int64_t *ks, size_t max,
               size_t *n)
{
    uint8_t got[HASH_LEN];
    size_t total, kept = 0;
    int rc;

    *n = 0;
    if ((rc = store_ids_find(s, log_id_key(lo), log_id_key(hi), ks, max,
                             &total)) != 0)
        return rc;
    /* Candidates share the 4-byte key range; a longer prefix is
     * checked on the full id. Past max, the count stays unverified: the
     * caller has more than it asked for either way. */
    for (size_t i = 0; i < total && i < max; i++) {
        rc = log__id_at(s, ks[i], got);
        if (rc != 0 && rc != ILONET_ENOTFOUND)
            return rc;
        if (rc == 0 && memcmp(got, lo, HASH_LEN) >= 0 &&
            memcmp(got, hi, HASH_LEN) <= 0)
            ks[kept++] = ks[i];
    }
    *n = kept + (total > max ? total - max : 0);
    return 0;
}

int
log_get(struct store *s, const uint8_t id[static HASH_LEN], struct entry *e,
        uint8_t **payload, struct log_desc *desc)
{
    sqlite3_stmt *st;
    int64_t k;
    int rc;

    *payload = NULL;
    if ((rc = log_find(s, id, &k)) != 0)
        return rc;
    st = store_stmt(s, "SELECT " LOG__ROW_COLS
                       ", l.author, l.audience FROM " LOG__ROW_FROM
                       " WHERE e.k = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, k);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    }
    if ((rc = log__entry_from_row(st, 0, e)) != 0)
        goto out;
    if (e->e_payload) {
        *payload = malloc(e->e_payload_len + 1);
        if (!*payload) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        memcpy(*payload, e->e_payload, e->e_payload_len);
        e->e_payload = *payload;
    }
    if (desc) {
        memcpy(desc->ld_id, sqlite3_column_blob(st, 7), HASH_LEN);
        memcpy(desc->ld_author, sqlite3_column_blob(st, 9), KEY_PK_LEN);
        snprintf(desc->ld_audience, sizeof(desc->ld_audience), "%s",
                 (const char *)sqlite3_column_text(st, 10));
    }
out:
    sqlite3_reset(st);
    return rc;
}

int
log_erase_at(struct store *s, int64_t k)
{
    sqlite3_stmt *st;
    uint8_t id[HASH_LEN], hdr[ENTRY_HEADER_MAX], sig[KEY_SIG_LEN];
    size_t hl = 0;
    int rc;

    /* The header is derived from the payload's hash until now: keep it. */
    if ((rc = log__stored_at(s, k >> 32, (uint64_t)k & LOG__SEQ_MAX, id, hdr,
                             &hl, sig)) != 0)
        return rc;
    st = store_stmt(s, "UPDATE entries SET payload = NULL, hx = ? WHERE"
                       " k = ? AND payload IS NOT NULL");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, hdr, (int)hl, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, k);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
log_erase_payload(struct store *s, const uint8_t id[static HASH_LEN])
{
    int64_t k;
    int rc;

    if ((rc = log_find(s, id, &k)) != 0)
        return rc;
    return log_erase_at(s, k);
}

int
log_counts(struct store *s, uint64_t *entries, uint64_t *logs,
           uint64_t *evidence, uint64_t *quarantine)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT (SELECT coalesce(sum(head_seq), 0) FROM logs), "
                      "(SELECT count(*) FROM logs WHERE head_seq > 0), "
                      "(SELECT count(*) FROM evidence), (SELECT count(*) FROM "
                      "quarantine)");
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (entries)
            *entries = (uint64_t)sqlite3_column_int64(st, 0);
        if (logs)
            *logs = (uint64_t)sqlite3_column_int64(st, 1);
        if (evidence)
            *evidence = (uint64_t)sqlite3_column_int64(st, 2);
        if (quarantine)
            *quarantine = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

int
log_heads_digest(struct store *s, uint8_t out[static HASH_LEN])
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT log_id, head_seq, head_id, lid, revoked FROM logs WHERE "
           "head_seq > 0 ORDER BY log_id");
    struct hash_state h;
    int rc;

    if (!st)
        return ILONET_EIO;
    hash_init(&h, HASH_CTX_HEADS);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t seq[8], hid[HASH_LEN];
        uint64_t v = (uint64_t)sqlite3_column_int64(st, 1);
        if (sqlite3_column_bytes(st, 2) != HASH_LEN)
            continue;
        memcpy(hid, sqlite3_column_blob(st, 2), HASH_LEN);
        if (log__effective_head(s, sqlite3_column_int64(st, 3),
                                (uint64_t)sqlite3_column_int64(st, 4), &v,
                                hid) != 0 ||
            v == 0)
            continue; /* a log cut at seq 1 is not held, as peers see it */
        for (int i = 0; i < 8; i++)
            seq[i] = (uint8_t)(v >> (56 - 8 * i));
        hash_update(&h, sqlite3_column_blob(st, 0), HASH_LEN);
        hash_update(&h, seq, 8);
        hash_update(&h, hid, HASH_LEN);
    }
    sqlite3_reset(st);
    hash_final(&h, out);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
log_author_cert(struct store *s, const uint8_t author[static KEY_PK_LEN],
                struct cert *c)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT cert FROM certs WHERE node = ?");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, author, KEY_PK_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = cert_verify(sqlite3_column_blob(st, 0),
                         (size_t)sqlite3_column_bytes(st, 0), store_roster(s),
                         store_network(s), c);
    else
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    sqlite3_reset(st);
    return rc;
}

struct log__pending {
    const struct log_desc *p_d;
    uint64_t p_last;
    int p_err;
    uint64_t p_bad_seq;
    uint8_t p_bad_id[HASH_LEN];
    size_t p_n;
};

static int
log__pending_one(void *arg, const struct entry *e)
{
    struct log__pending *p = arg;

    p->p_n++;
    if (entry_verify_sig(e, p->p_d->ld_author) != 0) {
        p->p_err = ILONET_EBADSIG;
        p->p_bad_seq = e->e_h.h_seq;
        memcpy(p->p_bad_id, e->e_id, HASH_LEN);
        return 1;
    }
    p->p_last = e->e_h.h_seq;
    return 0;
}

int
log_pending_count(struct store *s, uint64_t *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(sum(head_seq - sigck),"
                                     " 0) FROM logs WHERE sigck < head_seq");
    int rc;

    if (!st)
        return ILONET_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_err(rc);
}

int
log_check_pending(struct store *s, size_t max, size_t *checked,
                  log_problem_cb cb, void *arg)
{
    sqlite3_stmt *st, *up;
    size_t done = 0;
    int rc = 0, bad = 0;

    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT log_id, sigck FROM logs WHERE sigck < "
                           "head_seq",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    while (done < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t log[HASH_LEN];
        struct log_desc d;
        uint64_t from = (uint64_t)sqlite3_column_int64(st, 1) + 1;

        rc = 0;
        if (sqlite3_column_bytes(st, 0) != HASH_LEN) {
            rc = ILONET_EMALFORMED;
            break;
        }
        memcpy(log, sqlite3_column_blob(st, 0), HASH_LEN);
        if ((rc = log_desc_get(s, log, &d)) != 0)
            break;
        struct log__pending p = {&d, from - 1, 0, 0, {0}, 0};
        rc =
            log_range(s, log, from, max - done, SIZE_MAX, log__pending_one, &p);
        if (rc != 0 && rc != 1)
            break;
        rc = 0;
        done += p.p_n;
        if (p.p_err) {
            /* The chain was covered by a later valid signature, so this
             * author signed over an invalid one: misbehaviour, kept as
             * evidence in quarantine. */
            struct entry e;
            memset(&e, 0, sizeof(e));
            memcpy(e.e_h.h_log, log, HASH_LEN);
            e.e_h.h_seq = p.p_bad_seq;
            memcpy(e.e_id, p.p_bad_id, HASH_LEN);
            if ((rc = log__quarantine(s, &e, ILONET_EBADSIG, 0)) != 0)
                break;
            bad = 1;
            p.p_last = p.p_bad_seq; /* do not check it again */
        }
        /* Both results count: a quarantine row without its sigck would be
         * checked (and reported) again, a sigck past an unrecorded bad
         * entry would let it count for good. */
        if (!(up = store_stmt(s,
                              "UPDATE logs SET sigck = ? WHERE log_id = ?"))) {
            rc = ILONET_EIO;
            break;
        }
        sqlite3_bind_int64(up, 1, (int64_t)p.p_last);
        sqlite3_bind_blob(up, 2, log, HASH_LEN, SQLITE_STATIC);
        rc = sqlite3_step(up);
        sqlite3_reset(up);
        if (rc != SQLITE_DONE) {
            rc = store_err(rc);
            break;
        }
        rc = 0;
        if (p.p_err && cb)
            cb(arg, log, p.p_bad_seq, ILONET_EBADSIG);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = store_err(rc);
    if (checked)
        *checked = done;
    return rc ? rc : bad ? ILONET_EBADSIG : 0;
}

/* ---- fork evidence, read (replication's store interface) -------------- */

/* Fills one evidence pair from a row of log_id, seq, author, audience,
 * id_a, hdr_a, sig_a, id_b, hdr_b, sig_b. */
static int
log__evidence_from_row(sqlite3_stmt *st, struct log_evidence *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (sqlite3_column_bytes(st, 0) != HASH_LEN ||
        sqlite3_column_bytes(st, 2) != KEY_PK_LEN)
        return ILONET_EMALFORMED;
    memcpy(ev->le_log.ld_id, sqlite3_column_blob(st, 0), HASH_LEN);
    ev->le_seq = (uint64_t)sqlite3_column_int64(st, 1);
    memcpy(ev->le_log.ld_author, sqlite3_column_blob(st, 2), KEY_PK_LEN);
    snprintf(ev->le_log.ld_audience, sizeof(ev->le_log.ld_audience), "%s",
             (const char *)sqlite3_column_text(st, 3));
    for (int i = 0; i < 2; i++) {
        int c = 4 + 3 * i;
        size_t hl = (size_t)sqlite3_column_bytes(st, c + 1);

        if (sqlite3_column_bytes(st, c) != HASH_LEN || hl == 0 ||
            hl > ENTRY_HEADER_MAX ||
            sqlite3_column_bytes(st, c + 2) != KEY_SIG_LEN)
            return ILONET_EMALFORMED;
        memcpy(ev->le_id[i], sqlite3_column_blob(st, c), HASH_LEN);
        memcpy(ev->le_hdr[i], sqlite3_column_blob(st, c + 1), hl);
        ev->le_hdr_len[i] = hl;
        memcpy(ev->le_sig[i], sqlite3_column_blob(st, c + 2), KEY_SIG_LEN);
    }
    return 0;
}

#define LOG__EVIDENCE_COLS                                                     \
    "log_id, seq, author, audience, id_a, hdr_a, sig_a, id_b, hdr_b, sig_b"

int
log_evidence_get(struct store *s, const uint8_t log[static HASH_LEN],
                 uint64_t seq, struct log_evidence *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " LOG__EVIDENCE_COLS
                                     " FROM evidence WHERE log_id = ? "
                                     "AND seq = ? ORDER BY id_a, id_b LIMIT 1");
    struct log_evidence ev;
    int rc;

    if (!log || !out)
        return ILONET_EINVAL;
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, log, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = log__evidence_from_row(st, &ev);
    else
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
    sqlite3_reset(st);
    if (rc == 0)
        *out = ev;
    return rc;
}

int
log_evidence_list(struct store *s, struct log_evidence **out, size_t *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " LOG__EVIDENCE_COLS " FROM evidence "
                      "ORDER BY log_id, seq, id_a, id_b");
    struct log_evidence *v = NULL, *nv;
    size_t cnt = 0, cap = 0;
    int rc;

    if (!out || !n)
        return ILONET_EINVAL;
    if (!st)
        return ILONET_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            cap = cap ? cap * 2 : 4;
            if (!(nv = realloc(v, cap * sizeof(*v)))) {
                rc = ILONET_ENOMEM;
                goto fail;
            }
            v = nv;
        }
        if ((rc = log__evidence_from_row(st, &v[cnt])) != 0)
            goto fail;
        cnt++;
    }
    if (rc != SQLITE_DONE) {
        rc = store_err(rc);
        goto fail;
    }
    sqlite3_reset(st);
    *out = v;
    *n = cnt;
    return 0;
fail:
    sqlite3_reset(st);
    free(v);
    return rc;
}

int
log_id_at(struct store *s, const uint8_t log[static HASH_LEN], uint64_t seq,
          uint8_t id[static HASH_LEN])
{
    struct log__row r;
    int rc;

    if ((rc = log__row_get(s, log, &r)) != 0)
        return rc;
    if (r.lid == 0 || seq == 0 || seq > UINT32_MAX)
        return ILONET_ENOTFOUND;
    return log__id_at(s, LOG__K(r.lid, seq), id);
}
