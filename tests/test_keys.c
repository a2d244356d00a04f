/* test_keys.c - key lifecycle: node revocation (cut, arrival order, ingest
 * refusal, HELLO refusal), certificate renewal, node key rotation; unit
 * level over stores, plus one process-level run of the CLI (docs/KEYS.md). */
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include "crypto/error.h"
#include "fixture.h"
#include "proc.h"
#include "replication/msg.h"
#include "replication/sync.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "test.h"

#define T0_MS 1767225600000ULL /* 2026-01-01T00:00:00Z */
#define NOW_MS (T0_MS + 30ULL * 86400000ULL)
#define DAY_MS 86400000ULL

/* Nodes: A and A2 of DE (A2 is A's successor key), B of FR. */
enum { A, B, A2, NN };
static const char *const fx_state[NN] = {"DE", "FR", "DE"};
static const int fx_root_of[NN] = {0, 1, 0};

struct fx {
    struct roster ros;
    uint8_t net[NET_ID_LEN];
    struct key_pair root[2], node[NN];
    struct store *w[NN];
};

static uint8_t *
fx_cert(struct fx *f, int i, uint64_t nb, uint64_t na, enum cert_role role,
        uint64_t serial, size_t *len)
{
    struct cert c;
    uint8_t *buf;

    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", fx_state[i]);
    memcpy(c.c_node, f->node[i].pk, KEY_PK_LEN);
    c.c_role = role;
    c.c_not_before = nb;
    c.c_not_after = na;
    c.c_serial = serial;
    ASSERT_OK(cert_issue(&c, &f->root[fx_root_of[i]], &buf, len));
    return buf;
}

static void
fx_init(struct fx *f)
{
    ASSERT_OK(key_global_init());
    memset(f, 0, sizeof(*f));
    memset(f->net, 0x09, NET_ID_LEN);
    fx_key(&f->root[0], 0x61, "DE");
    fx_key(&f->root[1], 0x62, "FR");
    ASSERT_OK(roster_add(&f->ros, "DE", f->root[0].pk));
    ASSERT_OK(roster_add(&f->ros, "FR", f->root[1].pk));
    for (int i = 0; i < NN; i++) {
        uint8_t *buf;
        size_t len;

        fx_key(&f->node[i], (uint8_t)(0x70 + i), NULL);
        buf = fx_cert(f, i, 0, T0_MS / 1000 + 3650ULL * 86400, ROLE_ILO,
                      (uint64_t)i + 1, &len);
        ASSERT_OK(store_open(":memory:", f->net, &f->ros, &f->w[i]));
        ASSERT_OK(store_meta_set(f->w[i], "cert", buf, len));
        free(buf);
    }
}

static void
fx_free(struct fx *f)
{
    for (int i = 0; i < NN; i++)
        store_close(f->w[i]);
}

static void
fx_put(struct fx *f, int a, const char *aud, uint64_t wall,
       struct record_builder *b, uint8_t *out)
{
    struct wire_buf wb;
    struct log_append_req r;
    struct log_ref ref;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(b, &wb) != 0)
        TEST_FAIL_("record_build: %s", b->rb_err);
    r.kind = b->rb_kind->vk_code;
    r.payload = wb.wb_data;
    r.len = wb.wb_len;
    ASSERT_OK(log_append(f->w[a], &f->node[a], aud, &r, 1, wall, &ref));
    if (out)
        memcpy(out, ref.lr_id, HASH_LEN);
    wire_buf_free(&wb);
}

static void
fx_obs(struct fx *f, int a, const char *aud, uint64_t wall, const char *sum,
       uint8_t *out)
{
    struct record_builder b;

    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "routes"));
    ASSERT_OK(record_set(&b, "summary", sum));
    fx_put(f, a, aud, wall, &b, out);
}

static void
fx_amend(struct fx *f, int a, uint64_t wall, const uint8_t target[HASH_LEN],
         const char *sum)
{
    struct record_builder fb, b;
    struct wire_buf wb;

    ASSERT_OK(
        record_builder_start_amend(&fb, fx_vocab(NULL), KIND_OBSERVATION));
    ASSERT_OK(record_set(&fb, "summary", sum));
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(&fb, &wb) != 0)
        TEST_FAIL_("amend fields: %s", fb.rb_err);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_AMEND));
    ASSERT_OK(record_set_id(&b, "record", target));
    ASSERT_OK(record_set_raw(&b, "fields", wb.wb_data, wb.wb_len));
    fx_put(f, a, "net", wall, &b, NULL);
    wire_buf_free(&wb);
}

/* A node revocation of node i signed by root signer_root: nlast named logs
 * (log, last good seq, id not pinned); unnamed logs cut at at_ms. */
static uint8_t *
fx_node_revocation(struct fx *f, int i, int signer_root,
                   const uint8_t (*logs)[HASH_LEN], const uint64_t *seqs,
                   size_t nlast, uint64_t at_ms, size_t *len)
{
    struct revocation v;
    uint8_t *env;

    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_NODE;
    memcpy(v.v_network, f->net, NET_ID_LEN);
    snprintf(v.v_state, sizeof(v.v_state), "%s", f->root[signer_root].state);
    memcpy(v.v_node, f->node[i].pk, KEY_PK_LEN);
    v.v_nlast = nlast;
    for (size_t k = 0; k < nlast; k++) {
        memcpy(v.v_last[k].rl_log, logs[k], HASH_LEN);
        v.v_last[k].rl_seq = seqs[k];
    }
    v.v_at = at_ms;
    v.v_serial = at_ms ^ seqs[0];
    ASSERT_OK(revocation_issue(&v, &f->root[signer_root], &env, len));
    return env;
}

static void
fx_publish(struct fx *f, int a, const char *aud, uint64_t wall, uint8_t *env,
           size_t len)
{
    struct record_builder b;

    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_REVOCATION));
    ASSERT_OK(record_set_raw(&b, "envelope", env, len));
    fx_put(f, a, aud, wall, &b, NULL);
    free(env);
}

/* ---- collecting and delivering ------------------------------------------ */

/* Every entry of node i's store, log by log in seq order. */
static void
fx_collect_node(struct fx *f, int i, struct fx_set *set)
{
    fx_collect_store(f->w[i], set);
}

/* Ingests entries [from, from+n) of set (one log) as one batch. */
static int
fx_ingest(struct store *t, struct fx_set *set, size_t from, size_t n,
          struct ingest_stats *st)
{
    return fx_ingest_range(t, set, from, n, NOW_MS, st);
}

/* Ingests every log of set, each as one batch; returns the first error
 * (EREVOKED is expected where a cut applies). */
static int
fx_ingest_all(struct store *t, struct fx_set *set)
{
    size_t i = 0;
    int first = 0;

    while (i < set->n) {
        size_t j = i + 1;
        int rc;
        while (j < set->n &&
               memcmp(set->v[i].d.ld_id, set->v[j].d.ld_id, HASH_LEN) == 0)
            j++;
        rc = fx_ingest(t, set, i, j - i, NULL);
        if (rc != 0 && rc != ILONET_EREVOKED)
            TEST_FAIL_("ingest: %s", ilonet_errname(rc));
        if (!first)
            first = rc;
        i = j;
    }
    return first;
}

static struct store *
fx_observer(struct fx *f)
{
    struct store *s;

    ASSERT_OK(store_open(":memory:", f->net, &f->ros, &s));
    ASSERT_OK(view_attach(s, fx_vocab(NULL)));
    return s;
}

static long long
fx_n(struct store *s, const char *fmt, ...)
{
    char sql[1024];
    sqlite3_stmt *st;
    long long v = -1;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        TEST_FAIL_("bad SQL %s: %s", sql, sqlite3_errmsg(store_db(s)));
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
fx_assert_same_view(struct store *x, struct store *y)
{
    uint8_t hx[HASH_LEN], hy[HASH_LEN], live[HASH_LEN], reb[HASH_LEN];

    ASSERT_OK(view_hash(x, NULL, hx));
    ASSERT_OK(view_hash(y, NULL, hy));
    ASSERT(memcmp(hx, hy, HASH_LEN) == 0);
    ASSERT_OK(view_check(x, live, reb));
    ASSERT(memcmp(live, reb, HASH_LEN) == 0);
    ASSERT_OK(view_check(y, live, reb));
    ASSERT(memcmp(live, reb, HASH_LEN) == 0);
    ASSERT_OK(log_heads_digest(x, hx));
    ASSERT_OK(log_heads_digest(y, hy));
    ASSERT(memcmp(hx, hy, HASH_LEN) == 0);
}

static void
fx_log_id(struct fx *f, int i, const char *aud, uint8_t out[HASH_LEN])
{
    entry_log_id(f->net, f->node[i].pk, aud, out);
}

/* ---- the format -----------------------------------------------------------
 */

static void
revocation_lists_logs(void)
{
    struct fx f;
    struct revocation v, back;
    uint8_t *buf;
    size_t len;

    fx_init(&f);
    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_NODE;
    memcpy(v.v_network, f.net, NET_ID_LEN);
    strcpy(v.v_state, "DE");
    memcpy(v.v_node, f.node[A].pk, KEY_PK_LEN);
    v.v_nlast = REVOKE_LOGS_MAX;
    for (size_t i = 0; i < REVOKE_LOGS_MAX; i++) {
        memset(v.v_last[i].rl_log, (int)i + 1, HASH_LEN);
        v.v_last[i].rl_seq = 100 + i;
        memset(v.v_last[i].rl_entry, 0xee, HASH_LEN);
    }
    v.v_at = T0_MS;
    ASSERT_OK(revocation_issue(&v, &f.root[0], &buf, &len));
    ASSERT(len <= CERT_MAX_LEN);
    ASSERT_OK(revocation_verify(buf, len, &f.ros, f.net, &back));
    ASSERT_EQ(back.v_nlast, REVOKE_LOGS_MAX);
    ASSERT_EQ(back.v_last[7].rl_seq, 107);
    ASSERT_EQ(back.v_at, T0_MS);
    ASSERT(memcmp(back.v_last[3].rl_log, v.v_last[3].rl_log, HASH_LEN) == 0);
    free(buf);
    /* over the bound, and a log named twice, are refused */
    v.v_nlast = REVOKE_LOGS_MAX + 1;
    ASSERT_ERR(revocation_issue(&v, &f.root[0], &buf, &len), ILONET_EINVAL);
    v.v_nlast = 2;
    memcpy(v.v_last[1].rl_log, v.v_last[0].rl_log, HASH_LEN);
    ASSERT_OK(revocation_issue(&v, &f.root[0], &buf, &len));
    ASSERT_ERR(revocation_verify(buf, len, &f.ros, f.net, &back),
               ILONET_EMALFORMED);
    free(buf);
    fx_free(&f);
}

/* ---- revocation semantics ------------------------------------------------ */

/*
 * A writes 3 observations (seq 2..4 of its net log) and 1 in ms, is
 * revoked after net seq 4 and from T0+10 days for other logs, then writes
 * 2 more in net and 1 more in ms. B publishes the revocation.
 */
struct scen {
    struct fx f;
    struct fx_set a, b; /* A's and B's entries */
    uint8_t net_log[HASH_LEN], ms_log[HASH_LEN];
    size_t net0, ms0; /* where each of A's logs starts in a (6 and 3 long) */
};

static void
scen_build(struct scen *s, int pin)
{
    struct fx *f = &s->f;
    uint64_t seq = 4;
    uint8_t *env;
    size_t len;

    memset(s, 0, sizeof(*s)); /* the entry sets start empty */
    fx_init(f);
    fx_log_id(f, A, "net", s->net_log);
    fx_log_id(f, A, "ms", s->ms_log);
    fx_obs(f, A, "net", T0_MS + 1 * DAY_MS, "a1", NULL);
    fx_obs(f, A, "net", T0_MS + 2 * DAY_MS, "a2", NULL);
    fx_obs(f, A, "net", T0_MS + 3 * DAY_MS, "a3", NULL);
    fx_obs(f, A, "ms", T0_MS + 4 * DAY_MS, "m1", NULL);
    env = fx_node_revocation(f, A, 0, (const uint8_t(*)[HASH_LEN])s->net_log,
                             &seq, 1, T0_MS + 10 * DAY_MS, &len);
    if (pin) {
        /* pin the last good id: A's entry at net seq 4 is its head now */
        struct log_head h;
        struct revocation v;
        ASSERT_OK(log_head(f->w[A], s->net_log, &h));
        ASSERT_EQ(h.lh_seq, 4);
        ASSERT_OK(revocation_verify(env, len, &f->ros, f->net, &v));
        memcpy(v.v_last[0].rl_entry, h.lh_id, HASH_LEN);
        free(env);
        ASSERT_OK(revocation_issue(&v, &f->root[0], &env, &len));
    }
    fx_obs(f, A, "net", T0_MS + 11 * DAY_MS, "a4-after", NULL);
    fx_obs(f, A, "net", T0_MS + 12 * DAY_MS, "a5-after", NULL);
    fx_obs(f, A, "ms", T0_MS + 13 * DAY_MS, "m2-after", NULL);
    fx_obs(f, B, "net", T0_MS + 5 * DAY_MS, "b1", NULL);
    fx_publish(f, B, "net", T0_MS + 14 * DAY_MS, env, len);
    fx_collect_node(f, A, &s->a);
    fx_collect_node(f, B, &s->b);
    ASSERT_EQ(s->a.n, 9);
    s->net0 = memcmp(s->a.v[0].d.ld_id, s->net_log, HASH_LEN) == 0 ? 0 : 3;
    s->ms0 = s->net0 ? 0 : 6;
}

static void
scen_free(struct scen *s)
{
    fx_set_free(&s->a);
    fx_set_free(&s->b);
    fx_free(&s->f);
}

static void
revocation_entries_first_then_revocation(void)
{
    struct scen s;
    struct store *x, *y;
    struct log_head h;
    struct ingest_stats st;

    scen_build(&s, 1);
    /* x: A's entries first (all stored), then the revocation */
    x = fx_observer(&s.f);
    ASSERT_OK(fx_ingest_all(x, &s.a));
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE state='DE'"), 7);
    ASSERT_OK(fx_ingest_all(x, &s.b));
    /* a1..a3 and m1 stay, the three written after the cut leave the view */
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE state='DE'"), 4);
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE summary LIKE"
                      " '%%after'"),
              0);
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM revocations WHERE type='node'"
                      " AND valid=1"),
              1);
    /* heads end at the cut; what is past it is still stored */
    ASSERT_OK(log_head(x, s.net_log, &h));
    ASSERT_EQ(h.lh_seq, 4);
    ASSERT_EQ(h.lh_revoked, 5);
    ASSERT_OK(log_head(x, s.ms_log, &h));
    ASSERT_EQ(h.lh_seq, 2);
    ASSERT_EQ(h.lh_revoked, 3);
    /* the refused entries, offered again, are refused with `revoked` */
    ASSERT_ERR(fx_ingest(x, &s.a, s.net0 + 4, 2, &st), ILONET_EREVOKED);
    ASSERT_EQ(st.is_err_seq, 5);

    /* y: the revocation first, then A's logs (each one batch) */
    y = fx_observer(&s.f);
    ASSERT_OK(fx_ingest_all(y, &s.b));
    ASSERT_ERR(fx_ingest(y, &s.a, s.net0, 6, &st), ILONET_EREVOKED);
    ASSERT_EQ(st.is_err_seq, 5); /* seq 1..4 stored, 5 refused */
    ASSERT_EQ(st.is_new, 4);
    ASSERT_ERR(fx_ingest(y, &s.a, s.ms0, 3, &st), ILONET_EREVOKED);
    ASSERT_EQ(st.is_err_seq, 3);
    ASSERT_EQ(st.is_new, 2);
    ASSERT_EQ(fx_n(y, "SELECT count(*) FROM observations WHERE state='DE'"), 4);
    fx_assert_same_view(x, y);
    ASSERT_EQ(ilonet_errname(ILONET_EREVOKED)[0], 'r');
    ASSERT_STR_EQ(ilonet_errname(ILONET_EREVOKED), "revoked");
    store_close(x);
    store_close(y);
    scen_free(&s);
}

/* Every interleaving of A's two logs and B's log gives one view. */
static void
revocation_arrival_order_does_not_matter(void)
{
    struct scen s;
    uint8_t ref[HASH_LEN];
    /* batches: A net (0..5), A ms (6..8), B (9..) in each order, also
     * A's net log split around the cut */
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    scen_build(&s, 0);
    for (int o = 0; o < 6; o++) {
        struct store *x = fx_observer(&s.f);
        uint8_t h[HASH_LEN];

        for (int k = 0; k < 3; k++) {
            switch (orders[o][k]) {
            case 0:
                fx_ingest(x, &s.a, s.net0, 3, NULL);
                fx_ingest(x, &s.a, s.net0 + 3, 3, NULL);
                break;
            case 1: fx_ingest(x, &s.a, s.ms0, 3, NULL); break;
            default: ASSERT_OK(fx_ingest_all(x, &s.b));
            }
        }
        ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE state='DE'"),
                  4);
        ASSERT_OK(view_hash(x, NULL, h));
        if (o == 0)
            memcpy(ref, h, HASH_LEN);
        ASSERT(memcmp(ref, h, HASH_LEN) == 0);
        ASSERT_OK(view_rebuild(x));
        ASSERT_OK(view_hash(x, NULL, h));
        ASSERT(memcmp(ref, h, HASH_LEN) == 0);
        store_close(x);
    }
    scen_free(&s);
}

/* A revocation signed by another state, or published outside `net`, or
 * naming another network, has no effect. */
static void
revocation_from_wrong_state_or_audience_ignored(void)
{
    struct fx f;
    struct fx_set a = {0}, b = {0};
    struct store *x;
    uint8_t log[HASH_LEN];
    uint64_t seq = 1;
    uint8_t *env;
    size_t len;

    fx_init(&f);
    fx_log_id(&f, A, "net", log);
    fx_obs(&f, A, "net", T0_MS + DAY_MS, "a1", NULL);
    /* FR's root revoking DE's node */
    env = fx_node_revocation(&f, A, 1, (const uint8_t(*)[HASH_LEN])log, &seq, 1,
                             0, &len);
    fx_publish(&f, B, "net", T0_MS + 2 * DAY_MS, env, len);
    /* DE's own revocation, but published to DE+FR only */
    env = fx_node_revocation(&f, A, 0, (const uint8_t(*)[HASH_LEN])log, &seq, 1,
                             0, &len);
    fx_publish(&f, B, "DE+FR", T0_MS + 3 * DAY_MS, env, len);
    fx_collect_node(&f, A, &a);
    fx_collect_node(&f, B, &b);
    x = fx_observer(&f);
    ASSERT_OK(fx_ingest_all(x, &b));
    ASSERT_OK(fx_ingest_all(x, &a));
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE state='DE'"), 1);
    ASSERT_OK(log_node_revoked(x, f.node[A].pk, "DE"));
    store_close(x);
    fx_set_free(&a);
    fx_set_free(&b);
    fx_free(&f);
}

/* A node that holds its own revocation refuses to append. */
static void
revoked_node_cannot_append(void)
{
    struct fx f;
    struct fx_set b = {0};
    uint8_t log[HASH_LEN];
    uint64_t seq = 2;
    uint8_t *env;
    size_t len;
    struct record_builder rb;
    struct wire_buf wb;
    struct log_append_req r;

    fx_init(&f);
    fx_log_id(&f, A, "net", log);
    fx_obs(&f, A, "net", T0_MS + DAY_MS, "a1", NULL);
    env = fx_node_revocation(&f, A, 0, (const uint8_t(*)[HASH_LEN])log, &seq, 1,
                             T0_MS, &len);
    fx_publish(&f, B, "net", T0_MS + 2 * DAY_MS, env, len);
    fx_collect_node(&f, B, &b);
    ASSERT_OK(fx_ingest_all(f.w[A], &b));
    ASSERT_ERR(log_node_revoked(f.w[A], f.node[A].pk, "DE"), ILONET_EREVOKED);
    ASSERT_OK(record_builder_start(&rb, fx_vocab(NULL), KIND_OBSERVATION));
    ASSERT_OK(record_set(&rb, "category", "routes"));
    ASSERT_OK(record_set(&rb, "summary", "too late"));
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    ASSERT_OK(record_build(&rb, &wb));
    r.kind = KIND_OBSERVATION;
    r.payload = wb.wb_data;
    r.len = wb.wb_len;
    ASSERT_ERR(
        log_append(f.w[A], &f.node[A], "net", &r, 1, T0_MS + 3 * DAY_MS, NULL),
        ILONET_EREVOKED);
    wire_buf_free(&wb);
    fx_set_free(&b);
    fx_free(&f);
}

/* ---- HELLO refusal ------------------------------------------------------- */

static int g_audit_code, g_audit_strike;
static char g_audit_what[64];

static void
audit_cb(void *arg, const struct sync_audit *a)
{
    (void)arg;
    g_audit_code = a->sa_code;
    g_audit_strike = a->sa_strike;
    snprintf(g_audit_what, sizeof(g_audit_what), "%s", a->sa_what);
}

static int
hello_from(struct fx *f, struct store *s, int who)
{
    struct sync_callbacks cb = {NULL, NULL, audit_cb};
    struct sync_node *n;
    struct sync_peer *p;
    struct wire_buf wb;
    uint8_t *mycert, *theirs;
    size_t ml, tl;
    int rc;

    mycert = fx_cert(f, B, 0, T0_MS / 1000 + 3650ULL * 86400, ROLE_ILO, 2, &ml);
    theirs = fx_cert(f, who, 0, T0_MS / 1000 + 3650ULL * 86400, ROLE_ILO,
                     (uint64_t)who + 1, &tl);
    struct sync_store sst;
    sync_store_sqlite(&sst, s);
    ASSERT_OK(sync_node_new(&n, &sst, mycert, ml, NULL, &cb));
    ASSERT_OK(sync_peer_new(n, f->node[who].pk, NOW_MS, &p));
    wire_buf_init(&wb, 4096);
    msg_encode_hello(&wb, theirs, tl);
    g_audit_code = 0;
    rc = sync_recv(p, wb.wb_data, wb.wb_len, NOW_MS);
    wire_buf_free(&wb);
    sync_node_free(n);
    free(mycert);
    free(theirs);
    return rc;
}

static void
revoked_peer_hello_refused(void)
{
    struct scen s;
    struct store *x;

    scen_build(&s, 0);
    x = fx_observer(&s.f);
    /* before the revocation is held, A completes HELLO */
    ASSERT_OK(hello_from(&s.f, x, A));
    ASSERT_OK(fx_ingest_all(x, &s.b));
    ASSERT_ERR(hello_from(&s.f, x, A), ILONET_EREVOKED);
    ASSERT_EQ(g_audit_code, ILONET_EREVOKED);
    ASSERT_EQ(g_audit_strike, 1);
    ASSERT_STR_EQ(g_audit_what, "hello-revoked");
    /* A2, the same state's new key, is welcome */
    ASSERT_OK(hello_from(&s.f, x, A2));
    store_close(x);
    scen_free(&s);
}

/* ---- renewal and rotation ------------------------------------------------ */

static void
renewal_extends_the_window(void)
{
    struct fx f;
    struct fx_set a = {0};
    struct store *x;
    uint8_t *c1, *c2, *bad;
    size_t l1, l2, lb;
    uint64_t end = (T0_MS + 10 * DAY_MS) / 1000;

    fx_init(&f);
    /* A's first certificate ends at T0+10d */
    c1 = fx_cert(&f, A, 0, end, ROLE_ILO, 10, &l1);
    ASSERT_OK(store_meta_set(f.w[A], "cert", c1, l1));
    fx_obs(&f, A, "net", T0_MS + DAY_MS, "before expiry", NULL);
    /* renewed: a year more; the next append carries it first */
    c2 = fx_cert(&f, A, 0, end + 365 * 86400, ROLE_ILO, 11, &l2);
    ASSERT_OK(store_meta_set(f.w[A], "cert", c2, l2));
    fx_obs(&f, A, "net", T0_MS + 20 * DAY_MS, "after renewal", NULL);
    fx_collect_node(&f, A, &a);
    ASSERT_EQ(a.n, 4); /* cert, obs, renewal cert, obs */
    ASSERT_EQ(a.v[2].e.e_h.h_kind, KIND_CERT);
    x = fx_observer(&f);
    ASSERT_OK(fx_ingest_all(x, &a));
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations"), 2);
    ASSERT_EQ(fx_n(x, "SELECT not_after FROM certs"),
              (long long)(end + 365 * 86400));
    store_close(x);
    fx_set_free(&a);
    /* a certificate of another role is not a renewal: the append fails */
    bad = fx_cert(&f, A, 0, end + 365 * 86400, ROLE_PRESIDENCY, 12, &lb);
    ASSERT_OK(store_meta_set(f.w[A], "cert", bad, lb));
    {
        struct record_builder b;
        struct wire_buf wb;
        struct log_append_req r;
        ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
        ASSERT_OK(record_set(&b, "category", "routes"));
        ASSERT_OK(record_set(&b, "summary", "role change"));
        wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
        ASSERT_OK(record_build(&b, &wb));
        r.kind = KIND_OBSERVATION;
        r.payload = wb.wb_data;
        r.len = wb.wb_len;
        /* not a renewal (other role): appended under the old window */
        ASSERT_OK(log_append(f.w[A], &f.node[A], "net", &r, 1,
                             T0_MS + 21 * DAY_MS, NULL));
        wire_buf_free(&wb);
    }
    fx_collect_node(&f, A, &a);
    ASSERT_EQ(a.n, 5);
    ASSERT_EQ(a.v[4].e.e_h.h_kind, KIND_OBSERVATION);
    fx_set_free(&a);
    free(c1);
    free(c2);
    free(bad);
    fx_free(&f);
}

/* Without a renewal, an entry after the certificate's end is refused. */
static void
expired_without_renewal(void)
{
    struct fx f;
    struct fx_set a = {0};
    struct store *x;
    uint8_t *c1;
    size_t l1;
    struct ingest_stats st;

    fx_init(&f);
    c1 = fx_cert(&f, A, 0, (T0_MS + 10 * DAY_MS) / 1000, ROLE_ILO, 10, &l1);
    ASSERT_OK(store_meta_set(f.w[A], "cert", c1, l1));
    fx_obs(&f, A, "net", T0_MS + DAY_MS, "before expiry", NULL);
    fx_obs(&f, A, "net", T0_MS + 20 * DAY_MS, "after expiry", NULL);
    fx_collect_node(&f, A, &a);
    x = fx_observer(&f);
    ASSERT_ERR(fx_ingest(x, &a, 0, 3, &st), ILONET_EEXPIRED);
    ASSERT_EQ(st.is_err_seq, 3);
    store_close(x);
    fx_set_free(&a);
    free(c1);
    fx_free(&f);
}

/*
 * Rotation: DE replaces key A by A2 (a new node certified for DE), and
 * revokes A after its last good entry. A's record stays; A2 amends it as
 * the owning state; A's later amendment has no effect anywhere.
 */
static void
rotation_continues_the_state(void)
{
    struct fx f;
    struct fx_set a = {0}, a2 = {0}, b = {0};
    struct store *x, *y;
    uint8_t rec[HASH_LEN], log[HASH_LEN];
    uint64_t seq = 2;
    uint8_t *env;
    size_t len;

    fx_init(&f);
    fx_log_id(&f, A, "net", log);
    fx_obs(&f, A, "net", T0_MS + DAY_MS, "written by the old key", rec);
    /* the old key is lost; a thief writes with it */
    fx_amend(&f, A, T0_MS + 3 * DAY_MS, rec, "forged by the thief");
    env = fx_node_revocation(&f, A, 0, (const uint8_t(*)[HASH_LEN])log, &seq, 1,
                             T0_MS + 2 * DAY_MS, &len);
    fx_publish(&f, A2, "net", T0_MS + 4 * DAY_MS, env, len);
    fx_amend(&f, A2, T0_MS + 5 * DAY_MS, rec, "amended by the new key");
    fx_collect_node(&f, A, &a);
    fx_collect_node(&f, A2, &a2);
    (void)b;
    x = fx_observer(&f);
    ASSERT_OK(fx_ingest_all(x, &a));
    ASSERT_OK(fx_ingest_all(x, &a2));
    y = fx_observer(&f);
    ASSERT_OK(fx_ingest_all(y, &a2));
    ASSERT_ERR(fx_ingest_all(y, &a), ILONET_EREVOKED);
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM observations WHERE state='DE'"
                      " AND summary='amended by the new key'"),
              1);
    ASSERT_EQ(fx_n(y, "SELECT count(*) FROM observations WHERE state='DE'"
                      " AND summary='amended by the new key'"),
              1);
    ASSERT_EQ(fx_n(x, "SELECT count(*) FROM changes WHERE valid=1"), 1);
    fx_assert_same_view(x, y);
    store_close(x);
    store_close(y);
    fx_set_free(&a);
    fx_set_free(&a2);
    fx_free(&f);
}

/* ---- the CLI and real nodes ---------------------------------------------- */

static void
trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = 0;
}

/* Runs FR's node; DE writes, syncs, is revoked by its authority (CLI),
 * FR publishes the revocation; DE's later writes never reach FR's view
 * and DE's next session with FR is refused (audit line `revoked`). */
static void
cli_revoke_publish_and_refuse(void)
{
    char *tmp = test_tmpdir("keys"), root[600], out[65536], fr_home[700];
    char frpk[80], depk[80], log[80], id[80], rev[80], fr_log[700];
    struct proc_member m[8];
    int base = proc_pid_base(24000, 400, 10), n;
    pid_t fr = 0;

    snprintf(root, sizeof(root), "%s/net", tmp);
    n = proc_testnet(root, "DE,FR", base, m, 8);
    ASSERT_GE(n, 0);
    ASSERT_EQ(n, 2);
    snprintf(depk, sizeof(depk), "%s", m[0].pm_pk);
    snprintf(frpk, sizeof(frpk), "%s", m[1].pm_pk);
    /* DE writes two observations and pushes them to FR's running node */
    ASSERT_EQ(proc_run(NULL, 0,
                       "%s -C %s/DE observe --category routes --summary "
                       "good-1 >/dev/null",
                       proc_bin(), root),
              0);
    ASSERT_EQ(proc_run(NULL, 0,
                       "%s -C %s/DE observe --category routes --summary "
                       "good-2 >/dev/null",
                       proc_bin(), root),
              0);
    snprintf(fr_home, sizeof(fr_home), "%s/FR", root);
    snprintf(fr_log, sizeof(fr_log), "%s/FR.log", root);
    fr = proc_node_spawn(fr_home, fr_log, PROC_LOG_TRUNC, NULL, NULL);
    ASSERT(fr >= 0);
    for (int i = 0; i < 200; i++) {
        if (proc_run(NULL, 0, "grep -q 'listening on' %s/FR.log", root) == 0)
            break;
        usleep(50000);
    }
    ASSERT_EQ(
        proc_run(NULL, 0,
                 "%s -C %s/DE sync --peer tcp://127.0.0.1:%d@%s --timeout 20 "
                 ">/dev/null 2>&1",
                 proc_bin(), root, base + 2, frpk),
        0);
    /* the authority names DE's net log and its last good entry */
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s -C %s/DE log --json | grep -o '\"log\":\"[0-9a-f]*\"' | "
                 "head -1 | cut -d'\"' -f4",
                 proc_bin(), root),
        0);
    trim(out);
    snprintf(log, sizeof(log), "%s", out);
    ASSERT_EQ(strlen(log), 64);
    ASSERT_EQ(
        proc_run(
            out, sizeof(out),
            "%s -C %s/DE log --json | grep -o '\"seq\":3,\"id\":\"[0-9a-f]*\"'"
            " | cut -d'\"' -f6",
            proc_bin(), root),
        0);
    trim(out);
    snprintf(id, sizeof(id), "%s", out);
    ASSERT_EQ(strlen(id), 64);
    /* usage errors */
    ASSERT_EQ(proc_run(NULL, 0,
                       "%s cert revoke --state-key %s/authority/DE.key "
                       "--node %s --network %s/network --after-log %s "
                       "--out %s/rev 2>/dev/null",
                       proc_bin(), root, depk, root, log, root),
              2);
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s cert revoke --state-key %s/authority/DE.key --node %s "
                 "--network %s/network --after-log %s --after-seq 3 "
                 "--after-id %s --out %s/rev",
                 proc_bin(), root, depk, root, log, id, root),
        0);
    trim(out);
    snprintf(rev, sizeof(rev), "%s", out);
    ASSERT_EQ(strlen(rev), 64);
    /* DE, unaware, writes on */
    ASSERT_EQ(proc_run(NULL, 0,
                       "%s -C %s/DE observe --category routes --summary "
                       "after-cut >/dev/null",
                       proc_bin(), root),
              0);
    /* FR publishes it (its node is running) */
    ASSERT_EQ(proc_run(NULL, 0, "%s -C %s/FR cert publish %s/rev >/dev/null",
                       proc_bin(), root, root),
              0);
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s -C %s/FR query \"SELECT count(*) FROM revocations WHERE "
                 "type='node' AND valid=1\"",
                 proc_bin(), root),
        0);
    ASSERT(strstr(out, "1") != NULL);
    /* DE's next session is refused by FR, which logs `revoked` */
    usleep(1500000); /* FR's node notices the new revocation */
    ASSERT(proc_run(NULL, 0,
                    "%s -C %s/DE sync --peer tcp://127.0.0.1:%d@%s --timeout 5 "
                    ">/dev/null 2>&1",
                    proc_bin(), root, base + 2, frpk) != 0);
    for (int i = 0; i < 100; i++) {
        if (proc_run(NULL, 0, "grep -q 'hello-revoked' %s/FR.log", root) == 0)
            break;
        usleep(50000);
    }
    ASSERT_EQ(proc_run(NULL, 0, "grep -q 'hello-revoked' %s/FR.log", root), 0);
    /* FR's view: DE's two good observations, not the later one */
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s -C %s/FR query \"SELECT count(*) FROM observations WHERE "
                 "state='DE'\"",
                 proc_bin(), root),
        0);
    ASSERT(strstr(out, "2") != NULL);
    ASSERT_EQ(
        proc_run(out, sizeof(out),
                 "%s -C %s/FR query \"SELECT count(*) FROM observations WHERE "
                 "summary='after-cut'\"",
                 proc_bin(), root),
        0);
    ASSERT(strstr(out, "0") != NULL);
    ASSERT_EQ(proc_run(NULL, 0, "%s -C %s/FR verify >/dev/null 2>&1",
                       proc_bin(), root),
              0);
    proc_reap(fr, SIGTERM, NULL);
    (void)rev;
    free(tmp);
}

/*
 * A copy of a revoked node's key writes into logs the revocation does not
 * name, backdated (issue 12 item 4). The revocation names the net log's
 * last good entry and takes effect from that entry's time (what `cert
 * revoke` derives by default). An entry "just before the revocation's
 * time" is past that time: refused. One backdated further, older than the
 * key's newest good entry by more than the skew bound, in a log first seen
 * after the revocation: stored but quarantined for good. Neither ever
 * reaches a view, on any node that held the revocation first.
 */
static void
revoked_key_backdating_fails_everywhere(void)
{
    struct fx f;
    struct fx_set a, b, t;
    struct store *thief, *obs[2];
    struct log_head h;
    struct ingest_stats st;
    uint8_t net_log[HASH_LEN], *env, *cert;
    uint64_t seq = 4, a3_ms = T0_MS + 3 * DAY_MS;
    size_t len, clen;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&t, 0, sizeof(t));
    fx_init(&f);
    fx_log_id(&f, A, "net", net_log);
    /* the thief's copy: A's key and certificate, taken before a2 */
    cert =
        fx_cert(&f, A, 0, T0_MS / 1000 + 3650ULL * 86400, ROLE_ILO, 1, &clen);
    ASSERT_OK(store_open(":memory:", f.net, &f.ros, &thief));
    ASSERT_OK(store_meta_set(thief, "cert", cert, clen));
    free(cert);
    fx_obs(&f, A, "net", T0_MS + 1 * DAY_MS, "a1", NULL);
    fx_obs(&f, A, "net", T0_MS + 2 * DAY_MS, "a2", NULL);
    fx_obs(&f, A, "net", a3_ms, "a3", NULL);
    ASSERT_OK(log_head(f.w[A], net_log, &h));
    ASSERT_EQ(h.lh_seq, seq);
    env = fx_node_revocation(&f, A, 0, (const uint8_t(*)[HASH_LEN])net_log,
                             &seq, 1, a3_ms + 1, &len);
    fx_publish(&f, B, "net", T0_MS + 14 * DAY_MS, env, len);
    /* the thief, after the revocation: one entry backdated to day 2 in a
     * new log, one just before the revocation's publication in another
     * (in that order: its clock, like every node's, only moves forward) */
    {
        struct fx tf = f;
        tf.w[A] = thief;
        fx_obs(&tf, A, "ms", T0_MS + 2 * DAY_MS + 3600000, "stolen-early",
               NULL);
        fx_obs(&tf, A, "DE+FR", T0_MS + 14 * DAY_MS - 1000, "stolen-late",
               NULL);
    }
    fx_collect_node(&f, A, &a);
    fx_collect_node(&f, B, &b);
    fx_collect_store(thief, &t);
    ASSERT_EQ(t.n, 4); /* two logs: certificate + one observation each */
    for (int k = 0; k < 2; k++) {
        obs[k] = fx_observer(&f);
        ASSERT_OK(fx_ingest_all(obs[k], &b)); /* the revocation first */
        ASSERT_OK(fx_ingest_all(obs[k], &a));
    }
    for (int k = 0; k < 2; k++) {
        size_t i = 0;
        int refused = 0, quarantined = 0;
        while (i < t.n) {
            size_t j = i + 1;
            int rc;
            while (j < t.n &&
                   memcmp(t.v[i].d.ld_id, t.v[j].d.ld_id, HASH_LEN) == 0)
                j++;
            /* node 1 gets each log one entry at a time */
            if (k == 0) {
                rc = fx_ingest(obs[k], &t, i, j - i, &st);
                if (rc == ILONET_EREVOKED)
                    refused++;
                else
                    ASSERT_OK(rc);
                quarantined += (int)st.is_backdated;
            } else {
                for (size_t m = i; m < j; m++) {
                    rc = fx_ingest(obs[k], &t, m, 1, &st);
                    quarantined += (int)st.is_backdated;
                    if (rc == ILONET_EREVOKED) {
                        refused++;
                        break; /* the rest of that log cannot follow */
                    }
                    ASSERT_OK(rc);
                }
            }
            i = j;
        }
        ASSERT_GE(refused, 1);     /* the late one: past the time cut */
        ASSERT_GE(quarantined, 1); /* the early one: backdated */
        ASSERT_EQ(fx_n(obs[k], "SELECT count(*) FROM observations WHERE"
                               " summary LIKE 'stolen%%'"),
                  0);
        ASSERT_EQ(fx_n(obs[k], "SELECT count(*) FROM observations WHERE"
                               " state='DE'"),
                  3);
    }
    fx_assert_same_view(obs[0], obs[1]);
    /* a rebuild from the log agrees: quarantined entries stay out */
    ASSERT_OK(view_rebuild(obs[0]));
    ASSERT_EQ(fx_n(obs[0], "SELECT count(*) FROM observations WHERE summary"
                           " LIKE 'stolen%%'"),
              0);
    for (int k = 0; k < 2; k++)
        store_close(obs[k]);
    store_close(thief);
    fx_set_free(&a);
    fx_set_free(&b);
    fx_set_free(&t);
    fx_free(&f);
}

TEST_LIST = {
    TEST(revocation_lists_logs),
    TEST(revocation_entries_first_then_revocation),
    TEST(revocation_arrival_order_does_not_matter),
    TEST(revocation_from_wrong_state_or_audience_ignored),
    TEST(revoked_node_cannot_append),
    TEST(revoked_peer_hello_refused),
    TEST(renewal_extends_the_window),
    TEST(expired_without_renewal),
    TEST(rotation_continues_the_state),
    TEST(cli_revoke_publish_and_refuse),
    TEST(revoked_key_backdating_fails_everywhere),

};

TEST_MAIN()
