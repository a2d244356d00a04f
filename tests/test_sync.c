/* test_sync.c - sync message codec and state machine, including hostile input.
 */
#include "test.h"

#include "crypto/error.h"
#include "replication/msg.h"
#include "replication/sync.h"
#include "storage/batch.h"
#include "storage/log.h"

#include "sim.c" /* the Makefile links one .c per test */

#define T0 (SIM_T0_MS + 1000)

/* ---- fixtures --------------------------------------------------------- */

struct pair {
    struct sim_world w;
    struct sim_node a, b;
    struct sync_peer *pa, *pb; /* pa: a's session with b */
    int audits, strikes;
    int last_code;
};

static void
on_audit(void *arg, const struct sync_audit *au)
{
    struct pair *p = arg;

    p->audits++;
    p->strikes += au->sa_strike;
    p->last_code = au->sa_code;
}

static void
pair_open(struct pair *p, const char *sa, const char *sb)
{
    static const char *const states[] = {"DE", "FR", "IT", "EU"};
    struct sync_callbacks cb = {NULL, NULL, on_audit};
    struct sync_config cfg = {500, 1000, 1000, 4, 4096};

    memset(p, 0, sizeof(*p));
    cb.cb_arg = p;
    sim_world_init(&p->w, "sync", 42, states, 4);
    sim_node_init(&p->w, &p->a, sa, 0);
    sim_node_init(&p->w, &p->b, sb, 1);
    ASSERT_OK(sim_node_open(&p->w, &p->a, &cfg, &cb));
    ASSERT_OK(sim_node_open(&p->w, &p->b, &cfg, &cb));
}

static void
pair_connect(struct pair *p)
{
    ASSERT_OK(sync_peer_new(p->a.sn_sync, p->b.sn_kp.pk, T0, &p->pa));
    ASSERT_OK(sync_peer_new(p->b.sn_sync, p->a.sn_kp.pk, T0, &p->pb));
}

static void
pair_close(struct pair *p)
{
    sim_node_free(&p->a);
    sim_node_free(&p->b);
    sim_world_free(&p->w);
}

/* Moves messages both ways until neither side has anything to say.
 * Returns the number of messages moved; fails on any error. */
static int
pump(struct pair *p, uint64_t now)
{
    int moved = 0, any = 1;

    while (any) {
        any = 0;
        for (int side = 0; side < 2; side++) {
            struct sync_peer *from = side ? p->pb : p->pa;
            struct sync_peer *to = side ? p->pa : p->pb;
            uint8_t *m;
            size_t len;

            ASSERT_OK(sync_next_out(from, &m, &len));
            if (!m)
                continue;
            ASSERT_OK(sync_recv(to, m, len, now));
            free(m);
            any = 1;
            moved++;
            ASSERT(moved < 100000);
        }
    }
    return moved;
}

/* Takes the next message a sends (for inspection). */
static uint8_t *
take(struct sync_peer *from, size_t *len)
{
    uint8_t *m;

    ASSERT_OK(sync_next_out(from, &m, len));
    return m;
}

struct snap {
    uint8_t digest[HASH_LEN];
    uint64_t entries, logs, evidence, quarantine;
};

static void
snap(struct sim_node *nd, struct snap *s)
{
    memset(s, 0, sizeof(*s));
    ASSERT_OK(log_heads_digest(nd->sn_store, s->digest));
    ASSERT_OK(log_counts(nd->sn_store, &s->entries, &s->logs, &s->evidence,
                         &s->quarantine));
}

static void
assert_same(const struct snap *x, const struct snap *y)
{
    ASSERT_MEM_EQ(x->digest, y->digest, HASH_LEN);
    ASSERT_EQ(x->entries, y->entries);
    ASSERT_EQ(x->logs, y->logs);
    ASSERT_EQ(x->evidence, y->evidence);
    ASSERT_EQ(x->quarantine, y->quarantine);
}

/* ---- codec ------------------------------------------------------------ */

static size_t
sample_messages(uint8_t bufs[8][512], size_t lens[8])
{
    struct wire_buf wb;
    struct msg_head h;
    struct msg_want w;
    uint8_t d[HASH_LEN], cert[100];
    size_t n = 0;

    memset(d, 0xab, sizeof(d));
    memset(cert, 0x11, sizeof(cert));
    memset(&h, 0, sizeof(h));
    memset(h.mh_log, 1, HASH_LEN);
    memset(h.mh_author, 2, KEY_PK_LEN);
    strcpy(h.mh_audience, "DE+FR");
    h.mh_seq = 300;
    memset(h.mh_id, 3, HASH_LEN);
    memset(w.mw_log, 4, HASH_LEN);
    w.mw_from = 70000;
    for (int t = 0; t < 5; t++) {
        wire_buf_init(&wb, 512);
        switch (t) {
        case 0: msg_encode_hello(&wb, cert, sizeof(cert)); break;
        case 1:
            msg_encode_heads_begin(&wb, MSG_HEADS_FULL | MSG_HEADS_LAST, d, 2);
            msg_encode_head(&wb, &h);
            h.mh_frozen = 7;
            msg_encode_head(&wb, &h);
            break;
        case 2:
            msg_encode_want_begin(&wb, 1);
            msg_encode_want(&wb, &w);
            break;
        case 3: msg_encode_digest(&wb, d); break;
        case 4: msg_encode_ack(&wb, 123456); break;
        }
        ASSERT_EQ(wb.wb_err, 0);
        ASSERT(wb.wb_len <= 512);
        memcpy(bufs[n], wb.wb_data, wb.wb_len);
        lens[n++] = wb.wb_len;
        wire_buf_free(&wb);
    }
    return n;
}

static void
msg_roundtrip(void)
{
    uint8_t bufs[8][512];
    size_t lens[8], n = sample_messages(bufs, lens);
    struct msg m;
    struct msg_head h;
    struct msg_want w;

    ASSERT_EQ(n, 5);
    ASSERT_OK(msg_decode(bufs[0], lens[0], &m));
    ASSERT_EQ(m.m_type, MSG_T_HELLO);
    ASSERT_EQ(m.m_version, SYNC_PROTO_VERSION);
    ASSERT_EQ(m.m_cert_len, 100);
    ASSERT_OK(msg_decode(bufs[1], lens[1], &m));
    ASSERT_EQ(m.m_type, MSG_T_HEADS);
    ASSERT_EQ(m.m_flags, MSG_HEADS_FULL | MSG_HEADS_LAST);
    ASSERT_EQ(m.m_count, 2);
    ASSERT_EQ(msg_heads_next(&m, &h), 1);
    ASSERT_EQ(h.mh_seq, 300);
    ASSERT_STR_EQ(h.mh_audience, "DE+FR");
    ASSERT_EQ(h.mh_frozen, 0);
    ASSERT_EQ(msg_heads_next(&m, &h), 1);
    ASSERT_EQ(h.mh_frozen, 7);
    ASSERT_EQ(msg_heads_next(&m, &h), 0);
    ASSERT_OK(msg_decode(bufs[2], lens[2], &m));
    ASSERT_EQ(m.m_type, MSG_T_WANT);
    ASSERT_EQ(msg_want_next(&m, &w), 1);
    ASSERT_EQ(w.mw_from, 70000);
    ASSERT_EQ(msg_want_next(&m, &w), 0);
    ASSERT_OK(msg_decode(bufs[3], lens[3], &m));
    ASSERT_EQ(m.m_type, MSG_T_DIGEST);
    ASSERT_EQ(m.m_digest[0], 0xab);
    ASSERT_OK(msg_decode(bufs[4], lens[4], &m));
    ASSERT_EQ(m.m_type, MSG_T_ACK);
    ASSERT_EQ(m.m_total, 123456);
}

/* Every proper prefix of every message is rejected. */
static void
msg_truncated_every_offset(void)
{
    uint8_t bufs[8][512];
    size_t lens[8], n = sample_messages(bufs, lens);
    struct msg m;

    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lens[i]; k++)
            ASSERT(msg_decode(bufs[i], k, &m) < 0);
}

static void
msg_rejects_hostile(void)
{
    struct msg m;
    /* HEADS declaring 2^32-1 items in five bytes: checked before use. */
    static const uint8_t huge_heads[] = {
        0x94, 0x02, 0x00, 0xc4, 0x20, 0, 0, 0, 0, 0,    0,    0,    0,    0,
        0,    0,    0,    0,    0,    0, 0, 0, 0, 0,    0,    0,    0,    0,
        0,    0,    0,    0,    0,    0, 0, 0, 0, 0xdd, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t huge_want[] = {0x92, 0x03, 0xdd, 0xff,
                                        0xff, 0xff, 0xff};
    static const uint8_t huge_bin[] = {0x93, 0x01, 0x01, 0xc6,
                                       0x7f, 0xff, 0xff, 0xff};
    static const uint8_t noncanon[] = {0x92, 0x07, 0xcc, 0x05};
    static const uint8_t unknown[] = {0x92, 0x63, 0x00};
    static const uint8_t wrong_n[] = {0x93, 0x07, 0x00, 0x00};
    static const uint8_t not_array[] = {0x81, 0xa1, 0x61, 0x00};
    static const uint8_t trailing[] = {0x92, 0x07, 0x05, 0x00};
    static const uint8_t float_ack[] = {0x92, 0x07, 0xca, 0, 0, 0, 0};
    static const uint8_t deep[] = {0x92, 0x03, 0x91, 0x91, 0x91,
                                   0x91, 0x91, 0x91, 0x91, 0x90};
    static const uint8_t seq0[] = {
        0x92, 0x03, 0x91, 0x92, 0xc4, 0x20, 0, 0, 0, 0, 0, 0, 0,
        0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0,
        0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0x00};
    uint8_t big[MSG_MAX_BYTES + 1];

    ASSERT(msg_decode(huge_heads, sizeof(huge_heads), &m) < 0);
    ASSERT(msg_decode(huge_want, sizeof(huge_want), &m) < 0);
    ASSERT(msg_decode(huge_bin, sizeof(huge_bin), &m) < 0);
    ASSERT_ERR(msg_decode(noncanon, sizeof(noncanon), &m), ILONET_ENONCANON);
    ASSERT_ERR(msg_decode(unknown, sizeof(unknown), &m), ILONET_EPROTO);
    ASSERT_ERR(msg_decode(wrong_n, sizeof(wrong_n), &m), ILONET_EPROTO);
    ASSERT_ERR(msg_decode(not_array, sizeof(not_array), &m), ILONET_EMALFORMED);
    ASSERT_ERR(msg_decode(trailing, sizeof(trailing), &m), ILONET_EMALFORMED);
    ASSERT(msg_decode(float_ack, sizeof(float_ack), &m) < 0);
    ASSERT(msg_decode(deep, sizeof(deep), &m) < 0);
    ASSERT_OK(msg_decode(seq0, sizeof(seq0), &m));
    {
        struct msg_want w;
        ASSERT_ERR(msg_want_next(&m, &w), ILONET_EPROTO);
    }
    memset(big, 0, sizeof(big));
    big[0] = 0x92;
    big[1] = 0x04;
    ASSERT_ERR(msg_decode(big, sizeof(big), &m), ILONET_ETOOBIG);
    ASSERT(msg_decode(big, 0, &m) < 0);
    ASSERT(msg_decode(big, 1, &m) < 0);
}

/* Random bytes never crash the decoder and rarely decode. */
static void
msg_random_garbage(void)
{
    uint64_t st = 99;
    uint8_t buf[256];
    struct msg m;

    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)sim_below(&st, sizeof(buf));
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)sim_rand(&st);
        if (len >= 2 && sim_below(&st, 2))
            buf[0] = (uint8_t)(0x92 + sim_below(&st, 3)),
            buf[1] = (uint8_t)(1 + sim_below(&st, 7));
        if (msg_decode(buf, len, &m) == 0) {
            struct msg_head h;
            struct msg_want w;
            while (msg_heads_next(&m, &h) == 1)
                ;
            while (msg_want_next(&m, &w) == 1)
                ;
        }
    }
}

/* ---- state machine ---------------------------------------------------- */

static void
sync_two_nodes_converge(void)
{
    struct pair p;
    struct log_head h;
    uint8_t net_a[HASH_LEN], ms_a[HASH_LEN], net_b[HASH_LEN];

    pair_open(&p, "DE", "FR");
    for (int i = 0; i < 20; i++)
        ASSERT_OK(sim_append(&p.a, "net", 10, T0 + (uint64_t)i, NULL));
    ASSERT_OK(sim_append(&p.a, "ms", 3, T0, NULL));
    ASSERT_OK(sim_append(&p.b, "net", 2, T0, NULL));
    pair_connect(&p);
    pump(&p, T0);
    sim_log_id(&p.w, &p.a, "net", net_a);
    sim_log_id(&p.w, &p.a, "ms", ms_a);
    sim_log_id(&p.w, &p.b, "net", net_b);
    ASSERT_OK(log_head(p.b.sn_store, net_a, &h));
    ASSERT_EQ(h.lh_seq, 201);
    ASSERT_OK(log_head(p.b.sn_store, ms_a, &h));
    ASSERT_EQ(h.lh_seq, 4);
    ASSERT_OK(log_head(p.a.sn_store, net_b, &h));
    ASSERT_EQ(h.lh_seq, 3);
    ASSERT_EQ(p.strikes, 0);
    /* a new local entry is pushed (announced and fetched) at once */
    ASSERT_OK(sim_append(&p.a, "net", 1, T0 + 50, NULL));
    ASSERT_OK(sync_notify(p.a.sn_sync, net_a, T0 + 50));
    ASSERT(sync_has_out(p.pa));
    pump(&p, T0 + 50);
    ASSERT_OK(log_head(p.b.sn_store, net_a, &h));
    ASSERT_EQ(h.lh_seq, 202);
    {
        struct sync_peer_stats st;
        sync_peer_stats(p.pb, &st);
        ASSERT_EQ(st.ps_entries_in, 201 + 4 + 1);
        ASSERT(st.ps_ready);
        ASSERT_EQ(st.ps_strikes, 0);
    }
    pair_close(&p);
}

/* Anti-entropy: the digest finds what an announcement missed. */
static void
sync_digest_repairs(void)
{
    struct pair p;
    struct log_head h;
    uint8_t lid[HASH_LEN];
    uint8_t *m;
    size_t len;

    pair_open(&p, "DE", "FR");
    pair_connect(&p);
    pump(&p, T0);
    ASSERT_OK(sim_append(&p.a, "net", 3, T0, NULL));
    sim_log_id(&p.w, &p.a, "net", lid);
    ASSERT_OK(sync_notify(p.a.sn_sync, lid, T0));
    /* the announcement is lost */
    m = take(p.pa, &len);
    ASSERT(m);
    free(m);
    pump(&p, T0);
    ASSERT_ERR(log_head(p.b.sn_store, lid, &h), ILONET_ENOTFOUND);
    /* after a digest interval, the DIGEST mismatch triggers HEADS */
    ASSERT_OK(sync_tick(p.pa, T0 + 600));
    ASSERT_OK(sync_tick(p.pb, T0 + 600));
    pump(&p, T0 + 600);
    ASSERT_OK(log_head(p.b.sn_store, lid, &h));
    ASSERT_EQ(h.lh_seq, 4);
    pair_close(&p);
}

/* Bad bytes after HELLO: error, one strike, session dead, store unchanged. */
static void
sync_hostile_messages(void)
{
    static const uint8_t cases[][8] = {
        {0xc1},                         /* never-used byte */
        {0x92, 0x02, 0xdd, 0xff, 0xff}, /* truncated huge count */
        {0x92, 0x63, 0x00},             /* unknown type */
        {0x92, 0x04, 0x95, 0xc4, 0x20}, /* truncated batch */
        {0x91, 0x01},                   /* too short */
    };
    static const size_t lens[] = {1, 5, 3, 5, 2};

    for (size_t c = 0; c < sizeof(lens) / sizeof(lens[0]); c++) {
        struct pair p;
        struct snap before, after;
        struct sync_peer_stats st;

        pair_open(&p, "DE", "FR");
        ASSERT_OK(sim_append(&p.b, "net", 2, T0, NULL));
        pair_connect(&p);
        pump(&p, T0);
        snap(&p.b, &before);
        ASSERT(sync_recv(p.pb, cases[c], lens[c], T0) < 0);
        sync_peer_stats(p.pb, &st);
        ASSERT_EQ(st.ps_strikes, 1);
        ASSERT_GE(p.audits, 1);
        ASSERT_ERR(sync_recv(p.pb, cases[c], lens[c], T0), ILONET_ECLOSED);
        snap(&p.b, &after);
        assert_same(&before, &after);
        pair_close(&p);
    }
}

/* A valid batch cut at every offset, then with each byte flipped in turn
 * (a sample): always rejected or harmless, the store unchanged on error. */
static void
sync_batch_truncated_and_tampered(void)
{
    struct pair p;
    struct wire_buf wb;
    uint8_t lid[HASH_LEN];
    size_t count;

    pair_open(&p, "DE", "FR");
    ASSERT_OK(sim_append(&p.a, "net", 5, T0, NULL));
    sim_log_id(&p.w, &p.a, "net", lid);
    wire_buf_init(&wb, MSG_MAX_BYTES);
    msg_encode_batch_begin(&wb);
    ASSERT_OK(batch_encode(p.a.sn_store, lid, 1, 100, 65536, &wb, &count));
    ASSERT_EQ(count, 6);
    for (size_t k = 0; k < wb.wb_len; k++) {
        struct snap before, after;
        uint8_t *copy = malloc(wb.wb_len);
        int rc;

        memcpy(copy, wb.wb_data, wb.wb_len);
        pair_connect(&p);
        pump(&p, T0);
        snap(&p.b, &before);
        if (k % 2 == 0) {
            rc = sync_recv(p.pb, copy, k, T0); /* truncated */
            ASSERT(rc < 0);
        } else {
            copy[k] ^= 0x01; /* one bit flipped */
            rc = sync_recv(p.pb, copy, wb.wb_len, T0);
        }
        snap(&p.b, &after);
        if (rc < 0)
            assert_same(&before, &after);
        free(copy);
        sync_peer_free(p.pa);
        sync_peer_free(p.pb);
        /* whatever a flipped bit got in is valid; start clean again */
        if (rc == 0 && after.entries != before.entries) {
            pair_close(&p);
            pair_open(&p, "DE", "FR");
            ASSERT_OK(sim_append(&p.a, "net", 5, T0, NULL));
        }
    }
    wire_buf_free(&wb);
    pair_close(&p);
}

/* Nothing but HELLO is accepted first. */
static void
sync_before_hello(void)
{
    struct pair p;
    uint8_t d[HASH_LEN] = {0};
    struct wire_buf wb;

    pair_open(&p, "DE", "FR");
    pair_connect(&p);
    wire_buf_init(&wb, 100);
    msg_encode_digest(&wb, d);
    ASSERT_ERR(sync_recv(p.pb, wb.wb_data, wb.wb_len, T0), ILONET_EPROTO);
    ASSERT_EQ(p.strikes, 1);
    wire_buf_free(&wb);
    pair_close(&p);
}

/* A HELLO carrying someone else's certificate is refused. */
static void
sync_hello_wrong_key(void)
{
    struct pair p;
    struct sync_peer *x;
    uint8_t *m;
    size_t len;

    pair_open(&p, "DE", "FR");
    /* b believes it talks to a key other than a's */
    ASSERT_OK(sync_peer_new(p.a.sn_sync, p.b.sn_kp.pk, T0, &p.pa));
    ASSERT_OK(sync_peer_new(p.b.sn_sync, p.b.sn_kp.pk, T0, &x));
    m = take(p.pa, &len);
    ASSERT(m);
    ASSERT_ERR(sync_recv(x, m, len, T0), ILONET_EUNKNOWNAUTHOR);
    ASSERT_EQ(p.strikes, 1);
    free(m);
    pair_close(&p);
}

static void
sync_hello_timeout(void)
{
    struct pair p;

    pair_open(&p, "DE", "FR");
    pair_connect(&p);
    ASSERT_OK(sync_tick(p.pa, T0 + 500));
    ASSERT_ERR(sync_tick(p.pa, T0 + 1000), ILONET_ETIMEOUT);
    ASSERT_EQ(p.strikes, 0);
    pair_close(&p);
}

/* A Commission node never hears of an ms log: not in HEADS, not served on
 * request even when it names the id. */
static void
sync_audience_confined(void)
{
    struct pair p;
    uint8_t ms[HASH_LEN];
    struct log_head h;
    struct wire_buf wb;
    struct msg_want w;
    uint8_t *m;
    size_t len;

    pair_open(&p, "DE", "EU");
    ASSERT_OK(sim_append(&p.a, "ms", 3, T0, NULL));
    ASSERT_OK(sim_append(&p.a, "net", 3, T0, NULL));
    sim_log_id(&p.w, &p.a, "ms", ms);
    pair_connect(&p);
    /* inspect everything a sends */
    for (int i = 0; i < 1000; i++) {
        int any = 0;
        ASSERT_OK(sync_next_out(p.pa, &m, &len));
        if (m) {
            for (size_t k = 0; k + HASH_LEN <= len; k++)
                ASSERT(memcmp(m + k, ms, HASH_LEN) != 0);
            ASSERT_OK(sync_recv(p.pb, m, len, T0));
            free(m);
            any = 1;
        }
        ASSERT_OK(sync_next_out(p.pb, &m, &len));
        if (m) {
            ASSERT_OK(sync_recv(p.pa, m, len, T0));
            free(m);
            any = 1;
        }
        if (!any)
            break;
    }
    ASSERT_ERR(log_head(p.b.sn_store, ms, &h), ILONET_ENOTFOUND);
    /* a WANT naming the ms log gets nothing */
    wire_buf_init(&wb, 200);
    msg_encode_want_begin(&wb, 1);
    memcpy(w.mw_log, ms, HASH_LEN);
    w.mw_from = 1;
    msg_encode_want(&wb, &w);
    ASSERT_OK(sync_recv(p.pa, wb.wb_data, wb.wb_len, T0));
    ASSERT(!sync_has_out(p.pa));
    wire_buf_free(&wb);
    pair_close(&p);
}

/* No more than the window of unacknowledged batches goes out. */
static void
sync_window_bounds_batches(void)
{
    struct pair p;
    uint8_t lid[HASH_LEN];
    struct wire_buf wb;
    struct msg_want w;
    uint8_t *m;
    size_t len;
    int batches = 0;

    pair_open(&p, "DE", "FR");
    for (int i = 0; i < 40; i++)
        ASSERT_OK(sim_append(&p.a, "net", 16, T0, NULL));
    sim_log_id(&p.w, &p.a, "net", lid);
    pair_connect(&p);
    /* handshake only */
    for (int i = 0; i < 2; i++) {
        m = take(p.pa, &len);
        ASSERT_OK(sync_recv(p.pb, m, len, T0));
        free(m);
        m = take(p.pb, &len);
        ASSERT_OK(sync_recv(p.pa, m, len, T0));
        free(m);
    }
    wire_buf_init(&wb, 200);
    msg_encode_want_begin(&wb, 1);
    memcpy(w.mw_log, lid, HASH_LEN);
    w.mw_from = 1;
    msg_encode_want(&wb, &w);
    ASSERT_OK(sync_recv(p.pa, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    while ((m = take(p.pa, &len)) != NULL) {
        batches += m[1] == MSG_T_BATCH;
        free(m);
    }
    ASSERT_EQ(batches, 4); /* cfg window */
    /* an ACK opens it again */
    wire_buf_init(&wb, 20);
    msg_encode_ack(&wb, 4);
    ASSERT_OK(sync_recv(p.pa, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    m = take(p.pa, &len);
    ASSERT(m && m[1] == MSG_T_BATCH);
    free(m);
    pair_close(&p);
}

/* ---- hostile members (issue 12) --------------------------------------- */

/* Audit lines counted per peer: the hostile key's and everyone else's. */
struct hostile_aud {
    uint8_t ha_key[KEY_PK_LEN];
    int ha_strikes, ha_other_strikes, ha_audits;
};

static void
hostile_audit(void *arg, const struct sync_audit *au)
{
    struct hostile_aud *h = arg;

    h->ha_audits++;
    if (memcmp(au->sa_peer, h->ha_key, KEY_PK_LEN) == 0)
        h->ha_strikes += au->sa_strike;
    else
        h->ha_other_strikes += au->sa_strike;
}

/* A session between victim v and node x (x's own sync node): the two
 * HELLOs only. *vx is v's end. */
static void
hello_only(struct sim_node *v, struct sim_node *x, uint64_t now,
           struct sync_peer **vx, struct sync_peer **xv)
{
    uint8_t *m;
    size_t len;

    ASSERT_OK(sync_peer_new(v->sn_sync, x->sn_kp.pk, now, vx));
    ASSERT_OK(sync_peer_new(x->sn_sync, v->sn_kp.pk, now, xv));
    m = take(*xv, &len);
    ASSERT(m && m[1] == MSG_T_HELLO);
    ASSERT_OK(sync_recv(*vx, m, len, now));
    free(m);
    m = take(*vx, &len);
    ASSERT(m && m[1] == MSG_T_HELLO);
    ASSERT_OK(sync_recv(*xv, m, len, now));
    free(m);
}

static int
head_cmp(const void *a, const void *b)
{
    return memcmp(((const struct msg_head *)a)->mh_log,
                  ((const struct msg_head *)b)->mh_log, HASH_LEN);
}

/* n made-up heads of audience "net": random author keys, so each log id
 * hashes correctly (only a certificate entry, never sent, would show the
 * author is nobody). Sorted by log id: the attack does not need the order,
 * and sorted inserts keep the test fast. */
static struct msg_head *
fake_heads(const struct sim_world *w, uint64_t *rng, size_t n)
{
    struct msg_head *h = calloc(n, sizeof(*h));

    ASSERT(h);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < KEY_PK_LEN; k += 8) {
            uint64_t r = sim_rand(rng);
            memcpy(h[i].mh_author + k, &r, 8);
            memcpy(h[i].mh_id + k, &r, 8);
        }
        h[i].mh_id[0] ^= 0x5a;
        snprintf(h[i].mh_audience, sizeof(h[i].mh_audience), "net");
        entry_log_id(w->w_net.n_id, h[i].mh_author, "net", h[i].mh_log);
        h[i].mh_seq = 3;
    }
    qsort(h, n, sizeof(*h), head_cmp);
    return h;
}

/* Sends heads [0, n) to p in HEADS announcements of MSG_HEADS_MAX items.
 * Returns how many were sent in messages p accepted; *rc gets the first
 * refusal (0 if none). */
static size_t
send_heads(struct sync_peer *p, const struct msg_head *h, size_t n,
           uint64_t now, int *rc)
{
    uint8_t d[HASH_LEN] = {0};
    size_t sent = 0;

    *rc = 0;
    while (sent < n) {
        struct wire_buf wb;
        size_t k = n - sent < MSG_HEADS_MAX ? n - sent : MSG_HEADS_MAX;

        wire_buf_init(&wb, MSG_MAX_BYTES);
        msg_encode_heads_begin(&wb, 0, d, k);
        for (size_t i = 0; i < k; i++)
            msg_encode_head(&wb, &h[sent + i]);
        ASSERT_EQ(wb.wb_err, 0);
        *rc = sync_recv(p, wb.wb_data, wb.wb_len, now);
        wire_buf_free(&wb);
        if (*rc != 0)
            return sent;
        sent += k;
    }
    return sent;
}

/*
 * Issue 12, item 2: one certified member announces made-up logs, more in
 * all than the node-wide table used to hold (65,536, never shrinking).
 * Logs announced but not held belong to the session that announced them
 * and go with it; a session may hold SYNC_PEER_MAX_UNHELD of them, and
 * trying for more is a strike. Afterwards an honest peer syncs without a
 * strike and the node's own new log is announced and fetched.
 */
static void
sync_heads_flood_bounded_per_session(void)
{
    static const struct sync_config cfg = {500, 1000, 1000, 4, 4096};
    struct hostile_aud ha;
    struct sync_callbacks cb = {NULL, NULL, hostile_audit};
    struct pair p;
    struct sim_node m;
    struct log_head h;
    uint8_t own[HASH_LEN];
    uint64_t rng = 7, total = 0;
    size_t per = SYNC_PEER_MAX_UNHELD - 16; /* room for honest logs */
    int rc;

    pair_open(&p, "DE", "FR");
    memset(&ha, 0, sizeof(ha));
    cb.cb_arg = &ha;
    /* the victim and the honest peer report to ha */
    sim_node_close(&p.a);
    sim_node_close(&p.b);
    ASSERT_OK(sim_node_open(&p.w, &p.a, &cfg, &cb));
    ASSERT_OK(sim_node_open(&p.w, &p.b, &cfg, &cb));
    sim_node_init(&p.w, &m, "IT", 2);
    ASSERT_OK(sim_node_open(&p.w, &m, &cfg, NULL));
    memcpy(ha.ha_key, m.sn_kp.pk, KEY_PK_LEN);
    ASSERT_OK(sim_append(&p.a, "net", 2, T0, NULL));
    ASSERT_OK(sim_append(&p.b, "net", 2, T0, NULL));
    /* Sessions each under the bound, together past the old table. */
    while (total <= 70000) {
        struct sync_peer *am, *ma;
        struct msg_head *fake = fake_heads(&p.w, &rng, per);

        hello_only(&p.a, &m, T0, &am, &ma);
        size_t got = send_heads(am, fake, per, T0, &rc);
        if (rc != 0 || got != per)
            TEST_FAIL_("session %llu: %zu of %zu heads taken: %s",
                       (unsigned long long)(total / per), got, per,
                       ilonet_errname(rc));
        total += per;
        sync_peer_free(am);
        sync_peer_free(ma);
        free(fake);
    }
    ASSERT_EQ(ha.ha_strikes, 0);
    /* One session asking for more than its bound: a strike, closed. */
    {
        struct sync_peer *am, *ma;
        size_t over = SYNC_PEER_MAX_UNHELD + 1;
        struct msg_head *fake = fake_heads(&p.w, &rng, over);

        hello_only(&p.a, &m, T0, &am, &ma);
        ASSERT(send_heads(am, fake, over, T0, &rc) < over);
        ASSERT_ERR(rc, ILONET_ETOOBIG);
        ASSERT_EQ(ha.ha_strikes, 1);
        sync_peer_free(am);
        sync_peer_free(ma);
        free(fake);
    }
    printf("  %llu made-up logs announced in sessions of %zu; one over "
           "the bound: strike\n",
           (unsigned long long)total, per);
    /* The honest peer: full sync, no strike. */
    pair_connect(&p);
    pump(&p, T0 + 10);
    ASSERT_EQ(ha.ha_other_strikes, 0);
    sim_log_id(&p.w, &p.b, "net", own);
    ASSERT_OK(log_head(p.a.sn_store, own, &h));
    ASSERT_EQ(h.lh_seq, 3);
    /* The node's own new log is announced and fetched. */
    ASSERT_OK(sim_append(&p.a, "ms", 1, T0 + 20, NULL));
    sim_log_id(&p.w, &p.a, "ms", own);
    ASSERT_OK(sync_notify(p.a.sn_sync, own, T0 + 20));
    pump(&p, T0 + 20);
    ASSERT_OK(log_head(p.b.sn_store, own, &h));
    ASSERT_EQ(h.lh_seq, 2);
    ASSERT_EQ(ha.ha_other_strikes, 0);
    sim_node_free(&m);
    pair_close(&p);
}

/* 1 if any byte offset of buf starts id. */
static int
names_log(const uint8_t *buf, size_t len, const uint8_t id[HASH_LEN])
{
    for (size_t k = 0; k + HASH_LEN <= len; k++)
        if (buf[k] == id[0] && memcmp(buf + k, id, HASH_LEN) == 0)
            return 1;
    return 0;
}

/* One probe: x (a non-member of aud) announces a head of author's log of
 * aud to v, claiming seq, after a full honest exchange. */
static void
probe_once(struct pair *p, struct sim_node *v, struct sim_node *x,
           const struct sim_node *author, const char *aud, uint64_t seq,
           int *strikes)
{
    struct sync_peer *vx, *xv;
    struct msg_head h;
    struct log_head held;
    struct wire_buf wb;
    uint8_t d[HASH_LEN] = {0};
    uint8_t *m;
    size_t len;
    int rc;

    memset(&h, 0, sizeof(h));
    sim_log_id(&p->w, author, aud, h.mh_log);
    memcpy(h.mh_author, author->sn_kp.pk, KEY_PK_LEN);
    ASSERT_OK(audience_normalise(aud, h.mh_audience));
    h.mh_seq = seq;
    memset(h.mh_id, 0x42, HASH_LEN);
    /* v holds the log, x does not and may not */
    ASSERT_OK(sim_head(v, h.mh_log, &held));
    ASSERT_ERR(sim_head(x, h.mh_log, &held), ILONET_ENOTFOUND);
    ASSERT_OK(sync_peer_new(v->sn_sync, x->sn_kp.pk, T0, &vx));
    ASSERT_OK(sync_peer_new(x->sn_sync, v->sn_kp.pk, T0, &xv));
    for (int i = 0; i < 1000; i++) { /* the honest exchange */
        int any = 0;
        if ((m = take(vx, &len)) != NULL) {
            ASSERT(!names_log(m, len, h.mh_log));
            ASSERT_OK(sync_recv(xv, m, len, T0));
            free(m);
            any = 1;
        }
        if ((m = take(xv, &len)) != NULL) {
            ASSERT_OK(sync_recv(vx, m, len, T0));
            free(m);
            any = 1;
        }
        if (!any)
            break;
    }
    wire_buf_init(&wb, 4096);
    msg_encode_heads_begin(&wb, 0, d, 1);
    msg_encode_head(&wb, &h);
    rc = sync_recv(vx, wb.wb_data, wb.wb_len, T0 + 1);
    wire_buf_free(&wb);
    /* Nothing v sends afterwards names the log. */
    for (int i = 0; i < 100; i++) {
        if (sync_next_out(vx, &m, &len) != 0 || !m)
            break;
        if (names_log(m, len, h.mh_log))
            TEST_FAIL_("%s answered a %s probe by %s with a %s naming the log",
                       v->sn_state, aud, x->sn_state, msg_type_name(m[1]));
        free(m);
    }
    ASSERT_ERR(rc, ILONET_EAUDIENCE);
    *strikes += 1;
    sync_peer_free(vx);
    sync_peer_free(xv);
}

/*
 * Issue 12, item 3: a certified non-member names a restricted log it
 * learned of elsewhere (ms to the Commission's node, DE+FR to IT's), with
 * a head past the holder's or forking it. The holder refuses with a strike
 * and nothing it sends names the log: no WANT, no head, no count.
 */
static void
sync_heads_probe_by_non_member_refused(void)
{
    static const struct sync_config cfg = {500, 1000, 1000, 4, 4096};
    struct hostile_aud ha;
    struct sync_callbacks cb = {NULL, NULL, hostile_audit};
    struct pair p;
    struct sim_node eu, it;
    int want = 0;

    pair_open(&p, "DE", "FR");
    memset(&ha, 0, sizeof(ha));
    cb.cb_arg = &ha;
    sim_node_close(&p.a);
    ASSERT_OK(sim_node_open(&p.w, &p.a, &cfg, &cb));
    sim_node_init(&p.w, &eu, "EU", 2);
    sim_node_init(&p.w, &it, "IT", 3);
    ASSERT_OK(sim_node_open(&p.w, &eu, &cfg, NULL));
    ASSERT_OK(sim_node_open(&p.w, &it, &cfg, NULL));
    ASSERT_OK(sim_append(&p.a, "net", 2, T0, NULL));
    ASSERT_OK(sim_append(&p.a, "ms", 3, T0, NULL));
    ASSERT_OK(sim_append(&p.a, "DE+FR", 3, T0, NULL));
    probe_once(&p, &p.a, &eu, &p.a, "ms", 40, &want); /* past the head */
    probe_once(&p, &p.a, &eu, &p.a, "ms", 2, &want);  /* a fork */
    probe_once(&p, &p.a, &it, &p.a, "DE+FR", 40, &want);
    probe_once(&p, &p.a, &it, &p.a, "DE+FR", 1, &want);
    memset(ha.ha_key, 0, KEY_PK_LEN);
    ASSERT_EQ(ha.ha_other_strikes, want);
    sim_node_free(&eu);
    sim_node_free(&it);
    pair_close(&p);
}

/* ---- the store interface ---------------------------------------------- */

/*
 * A store that counts every call sync makes and passes it on to another
 * store (struct sync_store, sync.h). The nodes below run on in-memory
 * stores behind it, with no SQLite store anywhere in the test: whatever
 * sync needs of a store, it asked through the interface.
 */
enum {
    CNT_NETWORK,
    CNT_CERT,
    CNT_IDENTITY,
    CNT_HEADS,
    CNT_HEAD,
    CNT_ID_AT,
    CNT_RANGE,
    CNT_INGEST,
    CNT_EVIDENCE,
    CNT_REVOCATIONS,
    CNT_REVOKED,
    CNT_RESTORED,
    CNT_CLEAR,
    CNT_BEHIND,
    CNT_N
};

static const char *const cnt_names[CNT_N] = {
    "network", "cert_verify", "set_identity", "heads",       "head",
    "id_at",   "range",       "ingest",       "evidence",    "revocations",
    "revoked", "restored",    "clear",        "self_behind",
};

struct counting {
    struct sync_store c_in;
    uint64_t c_calls[CNT_N];
};

#define CNT(ctx, k) (((struct counting *)(ctx))->c_calls[k]++)
#define IN(ctx) (&((struct counting *)(ctx))->c_in)
#define FWD(ctx, op) IN(ctx)->ss_ops->op(IN(ctx)->ss_ctx

static const uint8_t *
cnt_network(void *ctx)
{
    CNT(ctx, CNT_NETWORK);
    return FWD(ctx, so_network));
}

static int
cnt_cert_verify(void *ctx, const uint8_t *buf, size_t len, struct cert *out)
{
    CNT(ctx, CNT_CERT);
    return FWD(ctx, so_cert_verify), buf, len, out);
}

static void
cnt_set_identity(void *ctx, const struct cert *me)
{
    CNT(ctx, CNT_IDENTITY);
    FWD(ctx, so_set_identity), me);
}

static int
cnt_heads(void *ctx, struct log_head **out, size_t *n)
{
    CNT(ctx, CNT_HEADS);
    return FWD(ctx, so_heads), out, n);
}

static int
cnt_head(void *ctx, const uint8_t log[static HASH_LEN], struct log_head *out)
{
    CNT(ctx, CNT_HEAD);
    return FWD(ctx, so_head), log, out);
}

static int
cnt_id_at(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
          uint8_t id[static HASH_LEN])
{
    CNT(ctx, CNT_ID_AT);
    return FWD(ctx, so_id_at), log, seq, id);
}

static int
cnt_range(void *ctx, const uint8_t log[static HASH_LEN], uint64_t from,
          size_t max_entries, size_t max_bytes, struct wire_buf *wb,
          size_t *count)
{
    CNT(ctx, CNT_RANGE);
    return FWD(ctx, so_range), log, from, max_entries, max_bytes, wb, count);
}

static int
cnt_ingest(void *ctx, const struct log_batch *b, uint64_t now_ms,
           struct ingest_stats *st)
{
    CNT(ctx, CNT_INGEST);
    return FWD(ctx, so_ingest), b, now_ms, st);
}

static int
cnt_evidence(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
             struct log_evidence *out)
{
    CNT(ctx, CNT_EVIDENCE);
    return FWD(ctx, so_evidence), log, seq, out);
}

static int
cnt_revocations(void *ctx, uint64_t *n)
{
    CNT(ctx, CNT_REVOCATIONS);
    return FWD(ctx, so_revocations), n);
}

static int
cnt_revoked(void *ctx, const uint8_t node[static KEY_PK_LEN], const char *state)
{
    CNT(ctx, CNT_REVOKED);
    return FWD(ctx, so_node_revoked), node, state);
}

static int
cnt_restored(void *ctx, int *restored)
{
    CNT(ctx, CNT_RESTORED);
    return FWD(ctx, so_restored), restored);
}

static int
cnt_clear(void *ctx)
{
    CNT(ctx, CNT_CLEAR);
    return FWD(ctx, so_clear_restored));
}

static int
cnt_behind(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq)
{
    CNT(ctx, CNT_BEHIND);
    return FWD(ctx, so_self_behind), log, seq);
}

static const struct sync_store_ops cnt_ops = {
    .so_network = cnt_network,
    .so_cert_verify = cnt_cert_verify,
    .so_set_identity = cnt_set_identity,
    .so_heads = cnt_heads,
    .so_head = cnt_head,
    .so_id_at = cnt_id_at,
    .so_range = cnt_range,
    .so_ingest = cnt_ingest,
    .so_evidence = cnt_evidence,
    .so_revocations = cnt_revocations,
    .so_node_revoked = cnt_revoked,
    .so_restored = cnt_restored,
    .so_clear_restored = cnt_clear,
    .so_self_behind = cnt_behind,
};

/* A node on an in-memory store behind a counting one. */
struct cnode {
    struct sim_node c_sn; /* key, certificate, c_sn.sn_mem its store */
    struct counting c_cnt;
    struct sync_store c_st;
};

static void
cnode_open(struct sim_world *w, struct cnode *c,
           const struct sync_callbacks *cb)
{
    static const struct sync_config cfg = {500, 1000, 1000, 4, 4096};

    if (!c->c_sn.sn_mem)
        ASSERT_OK(mstore_new(&c->c_sn.sn_mem, w->w_trust));
    ASSERT_OK(
        mstore_set_cert(c->c_sn.sn_mem, c->c_sn.sn_cert, c->c_sn.sn_cert_len));
    mstore_sync_store(c->c_sn.sn_mem, &c->c_cnt.c_in);
    c->c_sn.sn_ss = c->c_cnt.c_in; /* the test's own reads: not counted */
    c->c_st.ss_ops = &cnt_ops;
    c->c_st.ss_ctx = &c->c_cnt;
    ASSERT_OK(sync_node_new(&c->c_sn.sn_sync, &c->c_st, c->c_sn.sn_cert,
                            c->c_sn.sn_cert_len, &cfg, cb));
}

/* Ticks a session's two ends to now and moves messages until both are
 * quiet. */
static void
cnode_pump(struct sync_peer *x, struct sync_peer *y, uint64_t now)
{
    int any = 1, moved = 0;

    ASSERT_OK(sync_tick(x, now));
    ASSERT_OK(sync_tick(y, now));
    while (any) {
        any = 0;
        for (int side = 0; side < 2; side++) {
            struct sync_peer *from = side ? y : x, *to = side ? x : y;
            uint8_t *m;
            size_t len;

            ASSERT_OK(sync_next_out(from, &m, &len));
            if (!m)
                continue;
            ASSERT_OK(sync_recv(to, m, len, now));
            free(m);
            any = 1;
            ASSERT(++moved < 10000);
        }
    }
}

/* A session between x and y, pumped. */
static void
cnode_link(struct cnode *x, struct cnode *y, uint64_t now,
           struct sync_peer **px, struct sync_peer **py)
{
    ASSERT_OK(sync_peer_new(x->c_sn.sn_sync, y->c_sn.sn_kp.pk, now, px));
    ASSERT_OK(sync_peer_new(y->c_sn.sn_sync, x->c_sn.sn_kp.pk, now, py));
    cnode_pump(*px, *py, now);
}

/*
 * Sync over nothing but its store interface: A and B converge; C, a copy
 * of A restored from a backup, signs another entry at a seq A used, so B
 * records the fork and sends the evidence on; C, restored, is confirmed
 * by B's listing; a batch of its own log from beyond its head marks it
 * behind. Every function of the interface is used, and no store was
 * reached any other way: there is no SQLite store in this test.
 */
static void
sync_store_interface_is_all_sync_uses(void)
{
    static const char *const states[] = {"DE", "FR", "IT", "EU"};
    struct pair aud; /* only its audit counters */
    struct sync_callbacks cb = {NULL, NULL, on_audit};
    struct sim_world w;
    struct cnode a, b, c;
    struct sync_peer *ab, *ba, *cb_, *bc;
    struct log_head h;
    struct wire_buf wb;
    uint8_t lid[HASH_LEN];
    size_t count;
    uint64_t t = T0;

    memset(&aud, 0, sizeof(aud));
    cb.cb_arg = &aud;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
    sim_world_init(&w, "iface", 43, states, 4);
    w.w_backend = SIM_MEM;
    ASSERT_OK(mstore_trust_new(&w.w_trust, w.w_net.n_id, &w.w_roster, 0));
    sim_node_init(&w, &a.c_sn, "DE", 0);
    sim_node_init(&w, &b.c_sn, "FR", 1);
    sim_node_init_as(&w, &c.c_sn, "DE", 0, 2);
    cnode_open(&w, &a, &cb);
    cnode_open(&w, &b, &cb);
    sim_log_id(&w, &a.c_sn, "net", lid);
    ASSERT_OK(sim_append(&a.c_sn, "net", 3, t, NULL));
    /* C is a backup of A, taken now */
    ASSERT_OK(mstore_copy(&c.c_sn.sn_mem, a.c_sn.sn_mem));
    ASSERT_OK(sim_append(&a.c_sn, "net", 4, t + 10, NULL));
    ASSERT_OK(sync_notify(a.c_sn.sn_sync, lid, t + 10));
    ASSERT_OK(sim_append(&b.c_sn, "net", 2, t, NULL));
    cnode_link(&a, &b, t, &ab, &ba);
    ASSERT_OK(sim_head(&b.c_sn, lid, &h));
    ASSERT_EQ(h.lh_seq, 8);
    /* C signs seq 5 again, then is restored and meets B */
    ASSERT_OK(sim_append(&c.c_sn, "net", 1, t + 20, NULL));
    mstore_mark_restored(c.c_sn.sn_mem);
    cnode_open(&w, &c, &cb);
    t += 100;
    cnode_link(&c, &b, t, &cb_, &bc);
    /* B found the fork and told A and C: frozen at 5 everywhere. B's new
     * entry makes the digests differ, so B lists its heads to C: C learns
     * that nobody holds more of its own log than it does up to the fork,
     * and may append again. */
    cnode_pump(ab, ba, t);
    ASSERT_OK(sim_append(&b.c_sn, "net", 1, t, NULL));
    t += 600;
    cnode_pump(cb_, bc, t);
    cnode_pump(ab, ba, t);
    {
        int restored = 1;
        ASSERT_OK(c.c_cnt.c_in.ss_ops->so_restored(c.c_sn.sn_mem, &restored));
        ASSERT_EQ(restored, 0);
    }
    for (struct cnode *n = &a; n; n = n == &a ? &b : n == &b ? &c : NULL) {
        ASSERT_OK(sim_head(&n->c_sn, lid, &h));
        ASSERT_EQ(h.lh_frozen, 5);
        ASSERT(n->c_sn.sn_store == NULL);
    }
    /* a batch of C's own log from beyond its head (A's 7 and 8) */
    wire_buf_init(&wb, MSG_MAX_BYTES);
    msg_encode_batch_begin(&wb);
    ASSERT_OK(a.c_cnt.c_in.ss_ops->so_range(a.c_sn.sn_mem, lid, 7, 0, 0, &wb,
                                            &count));
    ASSERT_OK(sync_recv(cb_, wb.wb_data, wb.wb_len, t));
    wire_buf_free(&wb);
    ASSERT_EQ(aud.strikes, 0);
    for (int k = 0; k < CNT_N; k++) {
        uint64_t n =
            a.c_cnt.c_calls[k] + b.c_cnt.c_calls[k] + c.c_cnt.c_calls[k];
        if (n == 0)
            printf("  interface call %s never made\n", cnt_names[k]);
        ASSERT(n > 0);
    }
    sim_node_free(&a.c_sn);
    sim_node_free(&b.c_sn);
    sim_node_free(&c.c_sn);
    sim_world_free(&w);
}

/*
 * The same by reading the code: sync.c and msg.c call no storage function
 * (log_*, store_*, batch_encode, SQLite) and include no storage header but
 * the entry and batch codecs. Tests run from the source tree's root.
 */
static char *
strip_comments(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *src, *out;
    long n;
    size_t o = 0;

    ASSERT(f);
    ASSERT_OK(fseek(f, 0, SEEK_END));
    n = ftell(f);
    ASSERT(n > 0);
    rewind(f);
    src = malloc((size_t)n + 1);
    out = malloc((size_t)n + 1);
    ASSERT(src && out);
    ASSERT_EQ(fread(src, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    src[n] = 0;
    for (long i = 0; i < n; i++) {
        if (src[i] == '/' && src[i + 1] == '*') {
            char *e = strstr(src + i + 2, "*/");
            ASSERT(e);
            i = e - src + 1;
            out[o++] = ' ';
        } else if (src[i] == '/' && src[i + 1] == '/') {
            while (i < n && src[i] != '\n')
                i++;
            out[o++] = '\n';
        } else {
            out[o++] = src[i];
        }
    }
    out[o] = 0;
    free(src);
    return out;
}

static int
ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '_';
}

static void
sync_source_reaches_store_only_through_interface(void)
{
    static const char *const files[] = {"replication/sync.c",
                                        "replication/msg.c"};
    static const char *const banned[] = {"log_", "store_", "sqlite3",
                                         "batch_encode", "view_"};
    static const char *const allowed_inc[] = {"storage/entry.h",
                                              "storage/batch.h"};

    for (size_t f = 0; f < 2; f++) {
        char *src = strip_comments(files[f]);

        for (char *p = src; *p; p++) {
            if (p > src && ident_char(p[-1]))
                continue;
            for (size_t b = 0; b < 5; b++) {
                size_t bl = strlen(banned[b]);
                char *q = p;
                if (strncmp(p, banned[b], bl) != 0)
                    continue;
                while (ident_char(*q))
                    q++;
                while (*q == ' ')
                    q++;
                if (*q == '(' || strcmp(banned[b], "sqlite3") == 0)
                    TEST_FAIL_("%s calls %.*s", files[f], (int)(q - p), p);
            }
            if (strncmp(p, "#include \"storage/", 18) == 0) {
                int ok = 0;
                for (size_t k = 0; k < 2; k++)
                    ok |= strncmp(p + 10, allowed_inc[k],
                                  strlen(allowed_inc[k])) == 0;
                if (!ok)
                    TEST_FAIL_("%s includes %.40s", files[f], p + 9);
            }
        }
        free(src);
    }
}

TEST_LIST = {
    TEST(msg_roundtrip),
    TEST(msg_truncated_every_offset),
    TEST(msg_rejects_hostile),
    TEST(msg_random_garbage),
    TEST(sync_two_nodes_converge),
    TEST(sync_digest_repairs),
    TEST(sync_hostile_messages),
    TEST(sync_batch_truncated_and_tampered),
    TEST(sync_before_hello),
    TEST(sync_hello_wrong_key),
    TEST(sync_hello_timeout),
    TEST(sync_audience_confined),
    TEST(sync_window_bounds_batches),
    TEST(sync_heads_flood_bounded_per_session),
    TEST(sync_heads_probe_by_non_member_refused),
    TEST(sync_store_interface_is_all_sync_uses),
    TEST(sync_source_reaches_store_only_through_interface),
};
TEST_MAIN()
