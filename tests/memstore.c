/* memstore.c - an in-memory log store with log.c's rules, for sync tests. */
#include "memstore.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/wire.h"
#include "storage/batch.h"
#include "storage/store.h"

#define MSTORE__SEQ_MAX 0xffffffffu
#define MSTORE__MEMO_CTX "ilonet/test-memstore/cert/v1"

/* ---- the memo: an open-addressing table of fixed-size keys ------------- */

struct mstore__tab {
    size_t t_klen, t_vlen; /* key and value bytes of a slot */
    size_t t_n, t_cap;     /* cap is a power of two (or 0) */
    uint8_t *t_slots;      /* cap x (1 used byte + key + value) */
};

static size_t
mstore__slot(const struct mstore__tab *t)
{
    return 1 + t->t_klen + t->t_vlen;
}

/* Keys are hashes (an entry id, a BLAKE2b of an envelope): any 8 bytes of
 * them spread well. */
static size_t
mstore__tab_pos(const struct mstore__tab *t, const uint8_t *key)
{
    uint64_t h = 0;

    for (int i = 0; i < 8; i++)
        h = h << 8 | key[i];
    return (size_t)h & (t->t_cap - 1);
}

static uint8_t *
mstore__tab_find(const struct mstore__tab *t, const uint8_t *key)
{
    size_t sz = mstore__slot(t);

    if (t->t_cap == 0)
        return NULL;
    for (size_t i = mstore__tab_pos(t, key);; i = (i + 1) & (t->t_cap - 1)) {
        uint8_t *s = t->t_slots + i * sz;
        if (!s[0])
            return NULL;
        if (memcmp(s + 1, key, t->t_klen) == 0)
            return s + 1 + t->t_klen;
    }
}

static int mstore__tab_put(struct mstore__tab *t, const uint8_t *key,
                           const void *val);

static int
mstore__tab_grow(struct mstore__tab *t)
{
    struct mstore__tab nt = *t;
    size_t sz = mstore__slot(t);

    nt.t_cap = t->t_cap ? t->t_cap * 2 : 256;
    nt.t_n = 0;
    if (!(nt.t_slots = calloc(nt.t_cap, sz)))
        return ILONET_ENOMEM;
    for (size_t i = 0; i < t->t_cap; i++) {
        const uint8_t *s = t->t_slots + i * sz;
        if (s[0])
            mstore__tab_put(&nt, s + 1, s + 1 + t->t_klen);
    }
    free(t->t_slots);
    *t = nt;
    return 0;
}

static int
mstore__tab_put(struct mstore__tab *t, const uint8_t *key, const void *val)
{
    size_t sz = mstore__slot(t);
    int rc;

    if ((t->t_n + 1) * 2 > t->t_cap && (rc = mstore__tab_grow(t)) != 0)
        return rc;
    for (size_t i = mstore__tab_pos(t, key);; i = (i + 1) & (t->t_cap - 1)) {
        uint8_t *s = t->t_slots + i * sz;
        if (s[0] && memcmp(s + 1, key, t->t_klen) != 0)
            continue;
        if (!s[0])
            t->t_n++;
        s[0] = 1;
        memcpy(s + 1, key, t->t_klen);
        if (t->t_vlen)
            memcpy(s + 1 + t->t_klen, val, t->t_vlen);
        return 0;
    }
}

/* ---- trust ------------------------------------------------------------- */

struct mstore_trust {
    uint8_t mt_net[NET_ID_LEN];
    struct roster mt_roster;
    int mt_memo;
    struct mstore__tab mt_sigs;  /* entry id || author -> () */
    struct mstore__tab mt_certs; /* hash of envelope -> struct cert */
    uint64_t mt_checks, mt_hits;
};

int
mstore_trust_new(struct mstore_trust **out,
                 const uint8_t network[static NET_ID_LEN],
                 const struct roster *r, int memo)
{
    struct mstore_trust *t;

    if (!out || !r)
        return ILONET_EINVAL;
    if (!(t = calloc(1, sizeof(*t))))
        return ILONET_ENOMEM;
    memcpy(t->mt_net, network, NET_ID_LEN);
    t->mt_roster = *r;
    t->mt_memo = memo;
    t->mt_sigs.t_klen = HASH_LEN + KEY_PK_LEN;
    t->mt_certs.t_klen = HASH_LEN;
    t->mt_certs.t_vlen = sizeof(struct cert);
    *out = t;
    return 0;
}

void
mstore_trust_free(struct mstore_trust *t)
{
    if (!t)
        return;
    free(t->mt_sigs.t_slots);
    free(t->mt_certs.t_slots);
    free(t);
}

void
mstore_trust_stats(const struct mstore_trust *t, uint64_t *checks,
                   uint64_t *memo_hits)
{
    *checks = t->mt_checks;
    *memo_hits = t->mt_hits;
}

/* entry_verify_sig(), answered from the memo when these very bytes (the
 * id covers header and signature) passed before. */
static int
mstore__verify_entry(struct mstore_trust *t, const struct entry *e,
                     const uint8_t author[static KEY_PK_LEN])
{
    uint8_t key[HASH_LEN + KEY_PK_LEN];
    int rc;

    if (t->mt_memo) {
        entry_id(e->e_hdr, e->e_hdr_len, e->e_sig, key);
        memcpy(key + HASH_LEN, author, KEY_PK_LEN);
        if (mstore__tab_find(&t->mt_sigs, key)) {
            t->mt_hits++;
            return 0;
        }
    }
    t->mt_checks++;
    rc = entry_verify_sig(e, author);
    if (rc == 0 && t->mt_memo)
        rc = mstore__tab_put(&t->mt_sigs, key, NULL);
    return rc;
}

/* cert_verify() against the trust's roster and network, memoised by the
 * envelope's bytes. */
static int
mstore__cert_verify(struct mstore_trust *t, const uint8_t *buf, size_t len,
                    struct cert *out)
{
    uint8_t key[HASH_LEN];
    const uint8_t *v;
    int rc;

    if (t->mt_memo && buf) {
        hash_buf(MSTORE__MEMO_CTX, buf, len, key);
        if ((v = mstore__tab_find(&t->mt_certs, key)) != NULL) {
            t->mt_hits++;
            memcpy(out, v, sizeof(*out));
            return 0;
        }
    }
    t->mt_checks++;
    rc = cert_verify(buf, len, &t->mt_roster, t->mt_net, out);
    if (rc == 0 && t->mt_memo && buf)
        rc = mstore__tab_put(&t->mt_certs, key, out);
    return rc;
}

/* ---- the store --------------------------------------------------------- */

/* What log.c keeps in a logs row. */
struct mstore__row {
    uint64_t r_head_seq;
    uint8_t r_head_id[HASH_LEN];
    uint64_t r_frozen, r_behind;
    char r_state[KEY_STATE_MAX + 1];
    int r_role;
    uint64_t r_cert_nb, r_cert_na;
};

struct mstore__log {
    struct log_desc ml_desc;
    struct mstore__row ml_row;
    struct entry *ml_es; /* ml_es[i] is seq i + 1; payloads owned */
    size_t ml_n, ml_cap;
};

struct mstore {
    struct mstore_trust *m_trust;
    struct mstore__log **m_logs; /* sorted by log id */
    size_t m_nlogs, m_caplogs;
    struct log_evidence *m_ev; /* sorted by log id, seq, ids */
    size_t m_nev, m_capev;
    uint64_t m_quarantined;
    uint64_t m_hlc;
    int m_restored;
    int m_has_me;
    struct cert m_me;
    uint8_t *m_cert;
    size_t m_cert_len;
};

int
mstore_new(struct mstore **out, struct mstore_trust *t)
{
    struct mstore *m;

    if (!out || !t)
        return ILONET_EINVAL;
    if (!(m = calloc(1, sizeof(*m))))
        return ILONET_ENOMEM;
    m->m_trust = t;
    *out = m;
    return 0;
}

static void
mstore__log_free(struct mstore__log *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->ml_n; i++)
        free((void *)l->ml_es[i].e_payload);
    free(l->ml_es);
    free(l);
}

void
mstore_free(struct mstore *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->m_nlogs; i++)
        mstore__log_free(m->m_logs[i]);
    free(m->m_logs);
    free(m->m_ev);
    free(m->m_cert);
    free(m);
}

/* Appends a copy of e (its payload copied too) to l. */
static int
mstore__log_push(struct mstore__log *l, const struct entry *e)
{
    struct entry *x;
    uint8_t *p = NULL;

    if (l->ml_n == l->ml_cap) {
        size_t cap = l->ml_cap ? l->ml_cap * 2 : 16;
        struct entry *ne = realloc(l->ml_es, cap * sizeof(*ne));
        if (!ne)
            return ILONET_ENOMEM;
        l->ml_es = ne;
        l->ml_cap = cap;
    }
    if (e->e_payload) {
        if (!(p = malloc(e->e_payload_len ? e->e_payload_len : 1)))
            return ILONET_ENOMEM;
        memcpy(p, e->e_payload, e->e_payload_len);
    }
    x = &l->ml_es[l->ml_n++];
    *x = *e;
    x->e_payload = p;
    x->e_payload_hashed = 0;
    x->e_k = 0;
    return 0;
}

int
mstore_copy(struct mstore **out, const struct mstore *m)
{
    struct mstore *c;
    int rc = ILONET_ENOMEM;

    if ((rc = mstore_new(&c, m->m_trust)) != 0)
        return rc;
    rc = ILONET_ENOMEM;
    c->m_quarantined = m->m_quarantined;
    c->m_hlc = m->m_hlc;
    c->m_restored = m->m_restored;
    c->m_has_me = m->m_has_me;
    c->m_me = m->m_me;
    if (m->m_cert && mstore_set_cert(c, m->m_cert, m->m_cert_len) != 0)
        goto fail;
    if (m->m_nev) {
        if (!(c->m_ev = malloc(m->m_nev * sizeof(*c->m_ev))))
            goto fail;
        memcpy(c->m_ev, m->m_ev, m->m_nev * sizeof(*c->m_ev));
        c->m_nev = c->m_capev = m->m_nev;
    }
    if (m->m_nlogs && !(c->m_logs = calloc(m->m_nlogs, sizeof(*c->m_logs))))
        goto fail;
    c->m_caplogs = m->m_nlogs;
    for (size_t i = 0; i < m->m_nlogs; i++) {
        const struct mstore__log *l = m->m_logs[i];
        struct mstore__log *cl = calloc(1, sizeof(*cl));

        if (!cl)
            goto fail;
        c->m_logs[c->m_nlogs++] = cl;
        cl->ml_desc = l->ml_desc;
        cl->ml_row = l->ml_row;
        for (size_t k = 0; k < l->ml_n; k++)
            if (mstore__log_push(cl, &l->ml_es[k]) != 0)
                goto fail;
    }
    *out = c;
    return 0;
fail:
    mstore_free(c);
    return rc;
}

int
mstore_set_cert(struct mstore *m, const uint8_t *cert, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);

    if (!c)
        return ILONET_ENOMEM;
    memcpy(c, cert, len);
    free(m->m_cert);
    m->m_cert = c;
    m->m_cert_len = len;
    return 0;
}

void
mstore_set_identity(struct mstore *m, const struct cert *me)
{
    m->m_me = *me;
    m->m_has_me = 1;
}

void
mstore_mark_restored(struct mstore *m)
{
    m->m_restored = 1;
}

static int
mstore__admits(const struct mstore *m, const char *audience)
{
    return !m->m_has_me ||
           audience_admits(audience, m->m_me.c_state, m->m_me.c_role);
}

/* Index of id in m_logs, or -(insertion point) - 1. */
static long
mstore__log_index(const struct mstore *m, const uint8_t id[HASH_LEN])
{
    size_t lo = 0, hi = m->m_nlogs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(m->m_logs[mid]->ml_desc.ld_id, id, HASH_LEN);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

static struct mstore__log *
mstore__log_find(const struct mstore *m, const uint8_t id[HASH_LEN])
{
    long i = mstore__log_index(m, id);
    return i >= 0 ? m->m_logs[i] : NULL;
}

static int
mstore__log_add(struct mstore *m, const struct log_desc *d,
                struct mstore__log **out)
{
    long i = mstore__log_index(m, d->ld_id);
    size_t at = (size_t)(-i - 1);
    struct mstore__log *l;

    if (m->m_nlogs == m->m_caplogs) {
        size_t cap = m->m_caplogs ? m->m_caplogs * 2 : 16;
        struct mstore__log **nl = realloc(m->m_logs, cap * sizeof(*nl));
        if (!nl)
            return ILONET_ENOMEM;
        m->m_logs = nl;
        m->m_caplogs = cap;
    }
    if (!(l = calloc(1, sizeof(*l))))
        return ILONET_ENOMEM;
    l->ml_desc = *d;
    memmove(&m->m_logs[at + 1], &m->m_logs[at],
            (m->m_nlogs - at) * sizeof(*m->m_logs));
    m->m_logs[at] = l;
    m->m_nlogs++;
    *out = l;
    return 0;
}

/* ---- certificates in entries (log.c: log__check_cert_entry, renewal) --- */

/* The certificate bytes of a payload that is exactly {"cert": bin}. */
static int
mstore__cert_payload(const uint8_t *p, size_t n, const uint8_t **cert,
                     size_t *len)
{
    static const uint8_t key[] = {0x81, 0xa4, 'c', 'e', 'r', 't'};
    size_t off = sizeof(key), l;

    if (!p || n < off + 2 || memcmp(p, key, off) != 0)
        return ILONET_EMALFORMED;
    if (p[off] == 0xc4) {
        l = p[off + 1];
        off += 2;
    } else if (p[off] == 0xc5 && n >= off + 3) {
        l = (size_t)p[off + 1] << 8 | p[off + 2];
        off += 3;
    } else {
        return ILONET_EMALFORMED;
    }
    if (l != n - off)
        return ILONET_EMALFORMED;
    *cert = p + off;
    *len = l;
    return 0;
}

static int
mstore__check_cert_entry(struct mstore *m, const struct log_desc *d,
                         const struct entry *e, struct mstore__row *r)
{
    const uint8_t *cb;
    size_t cl;
    struct cert c;
    int rc;

    if (e->e_h.h_kind != KIND_CERT || !e->e_payload)
        return ILONET_EUNKNOWNAUTHOR;
    if ((rc = mstore__cert_payload(e->e_payload, e->e_payload_len, &cb, &cl)) !=
            0 ||
        (rc = mstore__cert_verify(m->m_trust, cb, cl, &c)) != 0)
        return rc;
    if (memcmp(c.c_node, d->ld_author, KEY_PK_LEN) != 0)
        return ILONET_EUNKNOWNAUTHOR;
    if (!audience_admits(d->ld_audience, c.c_state, c.c_role))
        return ILONET_EAUDIENCE;
    memcpy(r->r_state, c.c_state, sizeof(r->r_state));
    r->r_role = (int)c.c_role;
    r->r_cert_nb = c.c_not_before;
    r->r_cert_na = c.c_not_after;
    return 0;
}

static int
mstore__check_renewal(struct mstore *m, const struct log_desc *d,
                      const struct entry *e, struct mstore__row *r)
{
    const uint8_t *cb;
    size_t cl;
    struct cert c;
    int rc;

    if (!e->e_payload)
        return ILONET_EUNKNOWNAUTHOR;
    if ((rc = mstore__cert_payload(e->e_payload, e->e_payload_len, &cb, &cl)) !=
            0 ||
        (rc = mstore__cert_verify(m->m_trust, cb, cl, &c)) != 0)
        return rc;
    if (memcmp(c.c_node, d->ld_author, KEY_PK_LEN) != 0 ||
        strcmp(c.c_state, r->r_state) != 0 || (int)c.c_role != r->r_role)
        return ILONET_EUNKNOWNAUTHOR;
    if (c.c_not_before == r->r_cert_nb && c.c_not_after == r->r_cert_na)
        return ILONET_EKIND;
    r->r_cert_nb = c.c_not_before;
    r->r_cert_na = c.c_not_after;
    return 0;
}

static uint64_t
mstore__hlc_secs(uint64_t hlc)
{
    return (hlc >> 16) / 1000;
}

/* ---- append (log_append) ---------------------------------------------- */

static void
mstore__cert_payload_make(struct wire_buf *wb, const uint8_t *cert, size_t n)
{
    wire_pack_map(wb, 1);
    wire_pack_str(wb, "cert");
    wire_pack_bin(wb, cert, n);
}

/* The installed certificate renews the one the log runs under: fills wb. */
static void
mstore__renewal_due(struct mstore *m, const struct log_desc *d,
                    const struct mstore__row *r, struct wire_buf *wb)
{
    struct cert c;

    if (!m->m_cert)
        return;
    if (mstore__cert_verify(m->m_trust, m->m_cert, m->m_cert_len, &c) == 0 &&
        memcmp(c.c_node, d->ld_author, KEY_PK_LEN) == 0 &&
        strcmp(c.c_state, r->r_state) == 0 && (int)c.c_role == r->r_role &&
        (c.c_not_before != r->r_cert_nb || c.c_not_after != r->r_cert_na))
        mstore__cert_payload_make(wb, m->m_cert, m->m_cert_len);
}

int
mstore_append(struct mstore *m, const struct key_pair *kp, const char *audience,
              const struct log_append_req *reqs, size_t n, uint64_t wall_ms,
              struct log_ref *refs)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    struct log_desc d;
    struct mstore__row r;
    struct mstore__log *l;
    struct wire_buf certp;
    struct entry *es = NULL;
    size_t nes = 0;
    uint64_t hlc;
    int rc;

    if (!m || !kp || !reqs || n == 0 || kp->kind != KEY_NODE)
        return ILONET_EINVAL;
    memset(&d, 0, sizeof(d));
    if (audience_normalise(audience, d.ld_audience) != 0)
        return ILONET_EINVAL;
    lim.max_len = ENTRY_PAYLOAD_MAX;
    for (size_t i = 0; i < n; i++) {
        if (reqs[i].kind <= KIND_CERT || reqs[i].kind > ENTRY_KIND_MAX ||
            reqs[i].kind == KIND_REVOCATION) /* not modelled */
            return ILONET_EKIND;
        if (reqs[i].len > ENTRY_PAYLOAD_MAX)
            return ILONET_ETOOBIG;
        if ((rc = wire_check(reqs[i].payload, reqs[i].len, &lim)) != 0)
            return rc;
        if ((reqs[i].payload[0] & 0xf0) != 0x80 && reqs[i].payload[0] != 0xde &&
            reqs[i].payload[0] != 0xdf)
            return ILONET_EMALFORMED;
    }
    if (!mstore__admits(m, d.ld_audience))
        return ILONET_EAUDIENCE;
    memcpy(d.ld_author, kp->pk, KEY_PK_LEN);
    entry_log_id(m->m_trust->mt_net, kp->pk, d.ld_audience, d.ld_id);
    l = mstore__log_find(m, d.ld_id);
    if (l)
        r = l->ml_row;
    else
        memset(&r, 0, sizeof(r));
    if (r.r_frozen)
        return ILONET_EFROZEN;
    if (r.r_behind > r.r_head_seq || m->m_restored)
        return ILONET_ESELFBEHIND;
    if (r.r_head_seq + n > MSTORE__SEQ_MAX)
        return ILONET_ETOOBIG;
    hlc = m->m_hlc;
    wire_buf_init(&certp, CERT_MAX_LEN + 64);
    if (!(es = calloc(n + 1, sizeof(*es)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if (r.r_head_seq == 0) {
        /* A new log starts with the author's certificate. */
        if (!m->m_cert) {
            rc = ILONET_EUNKNOWNAUTHOR;
            goto out;
        }
        mstore__cert_payload_make(&certp, m->m_cert, m->m_cert_len);
    } else {
        mstore__renewal_due(m, &d, &r, &certp);
    }
    if ((rc = certp.wb_err) != 0)
        goto out;
    if (certp.wb_len) {
        struct entry *e = &es[nes++];

        hlc = (wall_ms << 16) > hlc ? wall_ms << 16 : hlc + 1;
        e->e_h.h_version = ENTRY_VERSION;
        memcpy(e->e_h.h_log, d.ld_id, HASH_LEN);
        e->e_h.h_seq = r.r_head_seq + 1;
        if (r.r_head_seq) {
            e->e_h.h_has_prev = 1;
            memcpy(e->e_h.h_prev, r.r_head_id, HASH_LEN);
        }
        e->e_h.h_hlc = hlc;
        e->e_h.h_kind = KIND_CERT;
        e->e_h.h_payload_len = certp.wb_len;
        entry_payload_hash(certp.wb_data, certp.wb_len, e->e_h.h_payload_hash);
        e->e_payload = certp.wb_data;
        e->e_payload_len = certp.wb_len;
        if ((rc = entry_seal(e, kp)) != 0 ||
            (rc = r.r_head_seq ? mstore__check_renewal(m, &d, e, &r)
                               : mstore__check_cert_entry(m, &d, e, &r)) != 0)
            goto out;
        r.r_head_seq = e->e_h.h_seq;
        memcpy(r.r_head_id, e->e_id, HASH_LEN);
    }
    for (size_t i = 0; i < n; i++) {
        struct entry *e = &es[nes++];

        /* HLC: physical ms in the high 48 bits, a counter below. */
        hlc = (wall_ms << 16) > hlc ? wall_ms << 16 : hlc + 1;
        e->e_h.h_version = ENTRY_VERSION;
        memcpy(e->e_h.h_log, d.ld_id, HASH_LEN);
        e->e_h.h_seq = r.r_head_seq + 1;
        e->e_h.h_has_prev = 1;
        memcpy(e->e_h.h_prev, r.r_head_id, HASH_LEN);
        e->e_h.h_hlc = hlc;
        e->e_h.h_kind = reqs[i].kind;
        e->e_h.h_payload_len = reqs[i].len;
        entry_payload_hash(reqs[i].payload, reqs[i].len, e->e_h.h_payload_hash);
        e->e_payload = reqs[i].payload;
        e->e_payload_len = reqs[i].len;
        if ((rc = entry_seal(e, kp)) != 0)
            goto out;
        r.r_head_seq = e->e_h.h_seq;
        memcpy(r.r_head_id, e->e_id, HASH_LEN);
    }
    /* Commit: nothing above changed the store. */
    if (!l && (rc = mstore__log_add(m, &d, &l)) != 0)
        goto out;
    for (size_t i = 0; i < nes; i++)
        if ((rc = mstore__log_push(l, &es[i])) != 0)
            goto out; /* out of memory half way: the test aborts anyway */
    l->ml_row = r;
    m->m_hlc = hlc;
    if (refs)
        for (size_t i = 0; i < n; i++) {
            const struct entry *e = &es[nes - n + i];
            memcpy(refs[i].lr_log, d.ld_id, HASH_LEN);
            refs[i].lr_seq = e->e_h.h_seq;
            memcpy(refs[i].lr_id, e->e_id, HASH_LEN);
        }
    rc = 0;
out:
    free(es);
    wire_buf_free(&certp);
    return rc;
}

/* ---- ingest (log_ingest) ---------------------------------------------- */

/* log.c's log__check_fields, with revocations refused (not modelled). */
static int
mstore__check_fields(const struct log_desc *d, const struct entry *e)
{
    if (e->e_h.h_version != ENTRY_VERSION || e->e_h.h_kind == 0 ||
        e->e_h.h_kind > ENTRY_KIND_MAX || e->e_h.h_kind == KIND_REVOCATION)
        return ILONET_EKIND;
    if (memcmp(e->e_h.h_log, d->ld_id, HASH_LEN) != 0)
        return ILONET_ENETWORK;
    if (e->e_h.h_seq > MSTORE__SEQ_MAX)
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

static int
mstore__ev_cmp(const struct log_evidence *a, const struct log_evidence *b)
{
    int c = memcmp(a->le_log.ld_id, b->le_log.ld_id, HASH_LEN);

    if (c)
        return c;
    if (a->le_seq != b->le_seq)
        return a->le_seq < b->le_seq ? -1 : 1;
    if ((c = memcmp(a->le_id[0], b->le_id[0], HASH_LEN)) != 0)
        return c;
    return memcmp(a->le_id[1], b->le_id[1], HASH_LEN);
}

/* INSERT OR IGNORE into the evidence list, kept in key order. */
static int
mstore__ev_add(struct mstore *m, const struct log_evidence *ev)
{
    size_t at = 0;

    while (at < m->m_nev && mstore__ev_cmp(&m->m_ev[at], ev) < 0)
        at++;
    if (at < m->m_nev && mstore__ev_cmp(&m->m_ev[at], ev) == 0)
        return 0;
    if (m->m_nev == m->m_capev) {
        size_t cap = m->m_capev ? m->m_capev * 2 : 4;
        struct log_evidence *nv = realloc(m->m_ev, cap * sizeof(*nv));
        if (!nv)
            return ILONET_ENOMEM;
        m->m_ev = nv;
        m->m_capev = cap;
    }
    memmove(&m->m_ev[at + 1], &m->m_ev[at], (m->m_nev - at) * sizeof(*m->m_ev));
    m->m_ev[at] = *ev;
    m->m_nev++;
    return 0;
}

/* The pair (held entry a, received entry b) at one seq, ordered by id. */
static void
mstore__ev_make(const struct log_desc *d, const struct entry *a,
                const struct entry *b, struct log_evidence *ev)
{
    int swap = memcmp(a->e_id, b->e_id, HASH_LEN) > 0;
    const struct entry *x[2] = {swap ? b : a, swap ? a : b};

    memset(ev, 0, sizeof(*ev));
    ev->le_log = *d;
    ev->le_seq = a->e_h.h_seq;
    for (int i = 0; i < 2; i++) {
        memcpy(ev->le_id[i], x[i]->e_id, HASH_LEN);
        memcpy(ev->le_hdr[i], x[i]->e_hdr, x[i]->e_hdr_len);
        ev->le_hdr_len[i] = x[i]->e_hdr_len;
        memcpy(ev->le_sig[i], x[i]->e_sig, KEY_SIG_LEN);
    }
}

static int
mstore__ingest(void *ctx, const struct log_batch *b, uint64_t now_ms,
               struct ingest_stats *stp)
{
    struct mstore *m = ctx;
    struct ingest_stats st;
    struct log_desc d;
    struct mstore__row r;
    struct mstore__log *l;
    struct log_evidence ev;
    uint8_t want[HASH_LEN];
    char aud[ENTRY_AUDIENCE_MAX + 1];
    uint64_t hlc_max = 0, quarantined = 0;
    size_t i, first_new = 0, nnew = 0;
    int rc, forked = 0;

    memset(&st, 0, sizeof(st));
    if (!b || (b->b_count && !b->b_entries))
        return ILONET_EINVAL;
    d = b->b_log;
    if (audience_normalise(d.ld_audience, aud) != 0 ||
        strcmp(aud, d.ld_audience) != 0) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    entry_log_id(m->m_trust->mt_net, d.ld_author, d.ld_audience, want);
    if (memcmp(want, d.ld_id, HASH_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out;
    }
    /* A log of an audience we are not in is never kept. */
    if (!mstore__admits(m, d.ld_audience)) {
        st.is_skipped = b->b_count ? b->b_count : 1;
        rc = ILONET_EAUDIENCE;
        goto out;
    }
    if (b->b_count == 0) {
        rc = 0;
        goto out;
    }
    l = mstore__log_find(m, d.ld_id);
    if (l)
        r = l->ml_row;
    else
        memset(&r, 0, sizeof(r));
    for (i = 0; i < b->b_count; i++) {
        const struct entry *e = &b->b_entries[i];
        uint64_t seq = e->e_h.h_seq;

        st.is_err_seq = seq;
        if (i > 0 && seq != b->b_entries[i - 1].e_h.h_seq + 1) {
            rc = ILONET_ESEQ;
            goto fail;
        }
        if ((rc = mstore__check_fields(&d, e)) != 0)
            goto fail;
        if (l && seq <= r.r_head_seq) {
            const struct entry *held = &l->ml_es[seq - 1];

            if (memcmp(held->e_id, e->e_id, HASH_LEN) == 0) {
                st.is_dup++;
                continue;
            }
            /* Same position, another entry: a fork if the author really
             * signed it. */
            if ((rc = mstore__verify_entry(m->m_trust, e, d.ld_author)) != 0)
                goto fail;
            mstore__ev_make(&d, held, e, &ev);
            if (!r.r_frozen || seq < r.r_frozen)
                r.r_frozen = seq;
            st.is_forks++;
            forked = 1;
            break; /* the rest of the batch is on the other branch */
        }
        if (seq != r.r_head_seq + 1) {
            rc = ILONET_ESEQ;
            goto fail;
        }
        if (seq == 1) {
            if (e->e_h.h_has_prev) {
                rc = ILONET_ECHAIN;
                goto fail;
            }
            if ((rc = mstore__check_cert_entry(m, &d, e, &r)) != 0)
                goto fail;
        } else {
            if (!e->e_h.h_has_prev ||
                memcmp(e->e_h.h_prev, r.r_head_id, HASH_LEN) != 0) {
                rc = ILONET_ECHAIN;
                goto fail;
            }
            if (e->e_h.h_kind == KIND_CERT &&
                (rc = mstore__check_renewal(m, &d, e, &r)) != 0)
                goto fail;
        }
        if (mstore__hlc_secs(e->e_h.h_hlc) < r.r_cert_nb ||
            mstore__hlc_secs(e->e_h.h_hlc) > r.r_cert_na) {
            rc = ILONET_EEXPIRED;
            goto fail;
        }
        if (nnew == 0)
            first_new = i;
        nnew++;
        r.r_head_seq = seq;
        memcpy(r.r_head_id, e->e_id, HASH_LEN);
    }
    if (nnew) {
        const struct entry *last = &b->b_entries[first_new + nnew - 1];

        /* One signature for the range: the last entry's header commits to
         * every earlier entry through the prev hashes. */
        st.is_err_seq = last->e_h.h_seq;
        if ((rc = mstore__verify_entry(m->m_trust, last, d.ld_author)) != 0)
            goto fail;
        for (i = first_new; i < first_new + nnew; i++) {
            const struct entry *e = &b->b_entries[i];
            if ((e->e_h.h_hlc >> 16) > now_ms + STORE_MAX_SKEW_MS) {
                quarantined++;
                continue;
            }
            if (e->e_h.h_hlc > hlc_max)
                hlc_max = e->e_h.h_hlc;
        }
        st.is_quarantined = quarantined;
        st.is_new = nnew;
    }
    if (r.r_behind && r.r_head_seq >= r.r_behind)
        r.r_behind = 0;
    /* Commit: nothing above changed the store. */
    if (nnew || forked) {
        if (!l && (rc = mstore__log_add(m, &d, &l)) != 0)
            goto fail;
        for (i = first_new; i < first_new + nnew; i++)
            if ((rc = mstore__log_push(l, &b->b_entries[i])) != 0)
                goto fail; /* out of memory half way: the test aborts */
        l->ml_row = r;
    }
    if (forked && (rc = mstore__ev_add(m, &ev)) != 0)
        goto fail;
    m->m_quarantined += quarantined;
    if (hlc_max > m->m_hlc)
        m->m_hlc = hlc_max;
    st.is_err_seq = 0;
    rc = 0;
    goto out;
fail:
    st.is_new = 0;
    st.is_revocations = 0;
out:
    if (stp)
        *stp = st;
    return rc;
}

/* ---- reads ------------------------------------------------------------- */

static void
mstore__head_of(const struct mstore__log *l, struct log_head *h)
{
    memset(h, 0, sizeof(*h));
    h->lh_log = l->ml_desc;
    h->lh_seq = l->ml_row.r_head_seq;
    memcpy(h->lh_id, l->ml_row.r_head_id, HASH_LEN);
    h->lh_frozen = l->ml_row.r_frozen;
}

static int
mstore__heads(void *ctx, struct log_head **out, size_t *n)
{
    struct mstore *m = ctx;
    struct log_head *v = NULL;
    size_t cnt = 0;

    if (m->m_nlogs && !(v = malloc(m->m_nlogs * sizeof(*v))))
        return ILONET_ENOMEM;
    for (size_t i = 0; i < m->m_nlogs; i++)
        if (m->m_logs[i]->ml_row.r_head_seq > 0)
            mstore__head_of(m->m_logs[i], &v[cnt++]);
    *out = v;
    *n = cnt;
    return 0;
}

static int
mstore__head(void *ctx, const uint8_t log[static HASH_LEN],
             struct log_head *out)
{
    const struct mstore__log *l = mstore__log_find(ctx, log);

    if (!l)
        return ILONET_ENOTFOUND;
    mstore__head_of(l, out);
    return 0;
}

static int
mstore__id_at(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
              uint8_t id[static HASH_LEN])
{
    const struct mstore__log *l = mstore__log_find(ctx, log);

    if (seq == 0)
        seq = 1;
    if (!l || seq > l->ml_row.r_head_seq)
        return ILONET_ENOTFOUND;
    memcpy(id, l->ml_es[seq - 1].e_id, HASH_LEN);
    return 0;
}

/* batch_encode(): the storage/batch.h layout, limits as there. */
static int
mstore__range(void *ctx, const uint8_t log[static HASH_LEN], uint64_t from_seq,
              size_t max_entries, size_t max_bytes, struct wire_buf *wb,
              size_t *count)
{
    const struct mstore__log *l = mstore__log_find(ctx, log);
    const struct entry *first;
    struct wire_buf ents;
    size_t cnt = 0;
    int rc = 0;

    if (max_entries == 0 || max_entries > BATCH_MAX_ENTRIES)
        max_entries = BATCH_MAX_ENTRIES;
    if (max_bytes == 0 || max_bytes > BATCH_MAX_BYTES - 4096)
        max_bytes = BATCH_MAX_BYTES - 4096;
    if (!l)
        return ILONET_ENOTFOUND;
    if (from_seq == 0)
        from_seq = 1;
    if (from_seq > l->ml_row.r_head_seq)
        return ILONET_ENOTFOUND;
    wire_buf_init(&ents, BATCH_MAX_BYTES - 256);
    for (uint64_t seq = from_seq; seq <= l->ml_row.r_head_seq; seq++) {
        const struct entry *e = &l->ml_es[seq - 1];

        wire_pack_array(&ents, 4);
        wire_pack_uint(&ents, e->e_h.h_hlc);
        wire_pack_uint(&ents, e->e_h.h_kind);
        wire_pack_bin(&ents, e->e_sig, KEY_SIG_LEN);
        if (e->e_payload) {
            wire_pack_bin(&ents, e->e_payload, e->e_payload_len);
        } else {
            wire_pack_array(&ents, 2);
            wire_pack_uint(&ents, e->e_h.h_payload_len);
            wire_pack_bin(&ents, e->e_h.h_payload_hash, HASH_LEN);
        }
        cnt++;
        if ((rc = ents.wb_err) != 0)
            goto out;
        if (cnt >= max_entries || ents.wb_len >= max_bytes)
            break;
    }
    first = &l->ml_es[from_seq - 1];
    wire_pack_array(wb, 5);
    wire_pack_bin(wb, l->ml_desc.ld_author, KEY_PK_LEN);
    wire_pack_str(wb, l->ml_desc.ld_audience);
    wire_pack_uint(wb, first->e_h.h_seq);
    if (first->e_h.h_has_prev)
        wire_pack_bin(wb, first->e_h.h_prev, HASH_LEN);
    else
        wire_pack_nil(wb);
    wire_pack_array(wb, (uint32_t)cnt);
    wire_buf_append(wb, ents.wb_data, ents.wb_len);
    if ((rc = wb->wb_err) == 0)
        *count = cnt;
out:
    wire_buf_free(&ents);
    return rc;
}

static int
mstore__evidence(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
                 struct log_evidence *out)
{
    const struct mstore *m = ctx;

    for (size_t i = 0; i < m->m_nev; i++)
        if (m->m_ev[i].le_seq == seq &&
            memcmp(m->m_ev[i].le_log.ld_id, log, HASH_LEN) == 0) {
            *out = m->m_ev[i];
            return 0;
        }
    return ILONET_ENOTFOUND;
}

int
mstore_evidence_list(const struct mstore *m, struct log_evidence **out,
                     size_t *n)
{
    struct log_evidence *v = NULL;

    if (m->m_nev && !(v = malloc(m->m_nev * sizeof(*v))))
        return ILONET_ENOMEM;
    if (m->m_nev)
        memcpy(v, m->m_ev, m->m_nev * sizeof(*v));
    *out = v;
    *n = m->m_nev;
    return 0;
}

void
mstore_counts(const struct mstore *m, uint64_t *entries, uint64_t *logs,
              uint64_t *evidence, uint64_t *quarantine)
{
    uint64_t e = 0;

    for (size_t i = 0; i < m->m_nlogs; i++)
        e += m->m_logs[i]->ml_n;
    if (entries)
        *entries = e;
    if (logs)
        *logs = m->m_nlogs;
    if (evidence)
        *evidence = m->m_nev;
    if (quarantine)
        *quarantine = m->m_quarantined;
}

void
mstore_heads_digest(const struct mstore *m, uint8_t out[static HASH_LEN])
{
    struct hash_state h;

    hash_init(&h, HASH_CTX_HEADS);
    for (size_t i = 0; i < m->m_nlogs; i++) {
        const struct mstore__log *l = m->m_logs[i];
        uint8_t seq[8];
        uint64_t v = l->ml_row.r_head_seq;

        if (v == 0)
            continue;
        for (int k = 0; k < 8; k++)
            seq[k] = (uint8_t)(v >> (56 - 8 * k));
        hash_update(&h, l->ml_desc.ld_id, HASH_LEN);
        hash_update(&h, seq, 8);
        hash_update(&h, l->ml_row.r_head_id, HASH_LEN);
    }
    hash_final(&h, out);
}

/* ---- the rest of the interface ----------------------------------------- */

static const uint8_t *
mstore__network(void *ctx)
{
    const struct mstore *m = ctx;
    return m->m_trust->mt_net;
}

static int
mstore__so_cert_verify(void *ctx, const uint8_t *buf, size_t len,
                       struct cert *out)
{
    struct mstore *m = ctx;
    return mstore__cert_verify(m->m_trust, buf, len, out);
}

static void
mstore__set_identity(void *ctx, const struct cert *me)
{
    mstore_set_identity(ctx, me);
}

static int
mstore__revocations(void *ctx, uint64_t *n)
{
    (void)ctx;
    *n = 0; /* not modelled: none is ever held */
    return 0;
}

static int
mstore__node_revoked(void *ctx, const uint8_t node[static KEY_PK_LEN],
                     const char *state)
{
    (void)ctx;
    (void)node;
    (void)state;
    return 0;
}

static int
mstore__restored(void *ctx, int *restored)
{
    const struct mstore *m = ctx;
    *restored = m->m_restored;
    return 0;
}

static int
mstore__clear_restored(void *ctx)
{
    struct mstore *m = ctx;
    m->m_restored = 0;
    return 0;
}

/* log_mark_self_behind: only a held log whose head is below seq. */
static int
mstore__self_behind(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq)
{
    struct mstore__log *l = mstore__log_find(ctx, log);

    if (l && l->ml_row.r_head_seq < seq && l->ml_row.r_behind < seq)
        l->ml_row.r_behind = seq;
    return 0;
}

static const struct sync_store_ops mstore__ops = {
    .so_network = mstore__network,
    .so_cert_verify = mstore__so_cert_verify,
    .so_set_identity = mstore__set_identity,
    .so_heads = mstore__heads,
    .so_head = mstore__head,
    .so_id_at = mstore__id_at,
    .so_range = mstore__range,
    .so_ingest = mstore__ingest,
    .so_evidence = mstore__evidence,
    .so_revocations = mstore__revocations,
    .so_node_revoked = mstore__node_revoked,
    .so_restored = mstore__restored,
    .so_clear_restored = mstore__clear_restored,
    .so_self_behind = mstore__self_behind,
};

void
mstore_sync_store(struct mstore *m, struct sync_store *out)
{
    out->ss_ops = &mstore__ops;
    out->ss_ctx = m;
}
