/* test_memstore.c - the in-memory store answers as the SQLite store does. */
#include "test.h"

#include "crypto/error.h"
#include "storage/batch.h"
#include "storage/log.h"

#include "sim.c" /* the Makefile links one .c per test */

/*
 * A twin is one node (one key, one certificate) twice: on the SQLite store
 * and on the in-memory one (tests/memstore.h). Every test applies the same
 * inputs to both, through sync's store interface where sync would, and
 * requires the same answers: return codes, ingest_stats, heads, ranges to
 * the byte, ids, evidence, counts and the heads digest.
 */

#define T0 (SIM_T0_MS + 1000)

struct twin {
    struct sim_world w;
    struct sim_node n[2]; /* [0] SQLite, [1] in memory */
    struct sim_node src;  /* an author whose ranges both ingest */
    /* decoded batches given to both, and the codes they gave (by -code) */
    size_t ingested, codes[ILONET_ERR_COUNT];
};

static const char *const twin_states[] = {"DE", "FR", "IT", "EU"};

/* The twin is node idx of state; src (if src_state) another node. */
static void
twin_open(struct twin *t, const char *state, int idx, const char *src_state)
{
    memset(t, 0, sizeof(*t));
    sim_world_init(&t->w, "memstore", 77, twin_states, 4);
    t->w.w_backend = SIM_SQLITE;
    sim_node_init_as(&t->w, &t->n[0], state, idx, 0);
    ASSERT_OK(sim_node_open(&t->w, &t->n[0], NULL, NULL));
    t->w.w_backend = SIM_MEM;
    sim_node_init_as(&t->w, &t->n[1], state, idx, 1);
    ASSERT_OK(sim_node_open(&t->w, &t->n[1], NULL, NULL));
    if (src_state) {
        t->w.w_backend = SIM_SQLITE;
        sim_node_init_as(&t->w, &t->src, src_state, 9, 9);
        ASSERT_OK(sim_node_open(&t->w, &t->src, NULL, NULL));
    }
}

static void
twin_close(struct twin *t)
{
    sim_node_free(&t->n[0]);
    sim_node_free(&t->n[1]);
    if (t->src.sn_cert)
        sim_node_free(&t->src);
    sim_world_free(&t->w);
}

static const struct sync_store_ops *
ops(struct sim_node *nd)
{
    return nd->sn_ss.ss_ops;
}

static void
same_evidence(const struct log_evidence *a, const struct log_evidence *b)
{
    ASSERT_MEM_EQ(a->le_log.ld_id, b->le_log.ld_id, HASH_LEN);
    ASSERT_MEM_EQ(a->le_log.ld_author, b->le_log.ld_author, KEY_PK_LEN);
    ASSERT_STR_EQ(a->le_log.ld_audience, b->le_log.ld_audience);
    ASSERT_EQ(a->le_seq, b->le_seq);
    for (int i = 0; i < 2; i++) {
        ASSERT_MEM_EQ(a->le_id[i], b->le_id[i], HASH_LEN);
        ASSERT_EQ(a->le_hdr_len[i], b->le_hdr_len[i]);
        ASSERT_MEM_EQ(a->le_hdr[i], b->le_hdr[i], a->le_hdr_len[i]);
        ASSERT_MEM_EQ(a->le_sig[i], b->le_sig[i], KEY_SIG_LEN);
    }
}

/* Both stores hold the same: heads, evidence, counts, the heads digest;
 * with full, also every id and ranges from every seq in several sizes. */
static void
twin_check(struct twin *t, int full)
{
    struct log_head *h[2];
    size_t nh[2];
    struct log_evidence *ev[2];
    size_t nev[2];
    struct sim_snap sn[2];

    for (int i = 0; i < 2; i++) {
        struct sim_node *nd = &t->n[i];
        ASSERT_OK(ops(nd)->so_heads(nd->sn_ss.ss_ctx, &h[i], &nh[i]));
        sim_snapshot(nd, &sn[i]);
    }
    ASSERT_OK(log_evidence_list(t->n[0].sn_store, &ev[0], &nev[0]));
    ASSERT_OK(mstore_evidence_list(t->n[1].sn_mem, &ev[1], &nev[1]));
    ASSERT_MEM_EQ(sn[0].ss_digest, sn[1].ss_digest, HASH_LEN);
    ASSERT_EQ(sn[0].ss_entries, sn[1].ss_entries);
    ASSERT_EQ(sn[0].ss_logs, sn[1].ss_logs);
    ASSERT_EQ(sn[0].ss_evidence, sn[1].ss_evidence);
    ASSERT_EQ(sn[0].ss_quarantine, sn[1].ss_quarantine);
    ASSERT_EQ(nev[0], nev[1]);
    for (size_t k = 0; k < nev[0]; k++) {
        struct log_evidence one[2];
        same_evidence(&ev[0][k], &ev[1][k]);
        for (int i = 0; i < 2; i++)
            ASSERT_OK(ops(&t->n[i])->so_evidence(t->n[i].sn_ss.ss_ctx,
                                                 ev[0][k].le_log.ld_id,
                                                 ev[0][k].le_seq, &one[i]));
        same_evidence(&one[0], &one[1]);
    }
    ASSERT_EQ(nh[0], nh[1]);
    for (size_t k = 0; k < nh[0]; k++) {
        const struct log_head *a = &h[0][k], *b = &h[1][k];

        ASSERT_MEM_EQ(a->lh_log.ld_id, b->lh_log.ld_id, HASH_LEN);
        ASSERT_MEM_EQ(a->lh_log.ld_author, b->lh_log.ld_author, KEY_PK_LEN);
        ASSERT_STR_EQ(a->lh_log.ld_audience, b->lh_log.ld_audience);
        ASSERT_EQ(a->lh_seq, b->lh_seq);
        ASSERT_MEM_EQ(a->lh_id, b->lh_id, HASH_LEN);
        ASSERT_EQ(a->lh_frozen, b->lh_frozen);
        ASSERT_EQ(a->lh_revoked, b->lh_revoked);
        if (!full)
            continue;
        for (uint64_t seq = 0; seq <= a->lh_seq + 1; seq++) {
            uint8_t id[2][HASH_LEN];
            int rc[2];
            for (int i = 0; i < 2; i++)
                rc[i] = ops(&t->n[i])->so_id_at(t->n[i].sn_ss.ss_ctx,
                                                a->lh_log.ld_id, seq, id[i]);
            ASSERT_EQ(rc[0], rc[1]);
            if (rc[0] == 0)
                ASSERT_MEM_EQ(id[0], id[1], HASH_LEN);
        }
        /* ranges: every start, a few sizes */
        for (uint64_t from = 0; from <= a->lh_seq + 1; from++) {
            static const size_t maxe[] = {0, 1, 3, 5000};
            static const size_t maxb[] = {0, 1, 300, 2000000};
            for (size_t c = 0; c < 4; c++) {
                struct wire_buf wb[2];
                size_t cnt[2] = {0, 0};
                int rc[2];
                for (int i = 0; i < 2; i++) {
                    wire_buf_init(&wb[i], BATCH_MAX_BYTES);
                    rc[i] = ops(&t->n[i])->so_range(
                        t->n[i].sn_ss.ss_ctx, a->lh_log.ld_id, from, maxe[c],
                        maxb[c], &wb[i], &cnt[i]);
                }
                ASSERT_EQ(rc[0], rc[1]);
                ASSERT_EQ(cnt[0], cnt[1]);
                ASSERT_EQ(wb[0].wb_len, wb[1].wb_len);
                if (wb[0].wb_len)
                    ASSERT_MEM_EQ(wb[0].wb_data, wb[1].wb_data, wb[0].wb_len);
                wire_buf_free(&wb[0]);
                wire_buf_free(&wb[1]);
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        free(h[i]);
        free(ev[i]);
    }
}

static void
twin_same(struct twin *t)
{
    twin_check(t, 1);
}

/* The same batch into both; the same code and stats. Returns the code. */
static int
twin_ingest_batch(struct twin *t, const struct log_batch *b, uint64_t now)
{
    struct ingest_stats st[2];
    int rc[2];

    for (int i = 0; i < 2; i++) {
        memset(&st[i], 0xee, sizeof(st[i]));
        rc[i] = ops(&t->n[i])->so_ingest(t->n[i].sn_ss.ss_ctx, b, now, &st[i]);
    }
    if (rc[0] != rc[1])
        printf("  sqlite %s, memory %s\n", ilonet_errname(rc[0]),
               ilonet_errname(rc[1]));
    ASSERT_EQ(rc[0], rc[1]);
    ASSERT_EQ(st[0].is_new, st[1].is_new);
    ASSERT_EQ(st[0].is_dup, st[1].is_dup);
    ASSERT_EQ(st[0].is_forks, st[1].is_forks);
    ASSERT_EQ(st[0].is_quarantined, st[1].is_quarantined);
    ASSERT_EQ(st[0].is_skipped, st[1].is_skipped);
    ASSERT_EQ(st[0].is_revocations, st[1].is_revocations);
    ASSERT_EQ(st[0].is_err_seq, st[1].is_err_seq);
    return rc[0];
}

/* Decodes bytes and ingests them into both (if they decode). */
static int
twin_ingest_bytes(struct twin *t, const uint8_t *buf, size_t len, uint64_t now)
{
    struct log_batch b;
    int rc = batch_decode(buf, len, t->w.w_net.n_id, &b);

    if (rc != 0)
        return rc;
    rc = twin_ingest_batch(t, &b, now);
    batch_free(&b);
    t->ingested++;
    if (-rc >= 0 && -rc < ILONET_ERR_COUNT)
        t->codes[-rc]++;
    return rc;
}

/* A range of nd's log for audience, as sync would send it. */
static void
range_of(struct sim_node *nd, struct sim_world *w, const char *aud,
         uint64_t from, size_t max, struct wire_buf *wb)
{
    uint8_t lid[HASH_LEN];
    size_t count;

    sim_log_id(w, nd, aud, lid);
    wire_buf_init(wb, BATCH_MAX_BYTES);
    ASSERT_OK(
        ops(nd)->so_range(nd->sn_ss.ss_ctx, lid, from, max, 0, wb, &count));
}

/* The same appends on both: the same entries, to the byte. */
static void
twin_append(struct twin *t, const char *aud, int count, uint64_t now, int want)
{
    struct log_ref r[2];
    int rc[2];

    for (int i = 0; i < 2; i++)
        rc[i] = sim_append(&t->n[i], aud, count, now, &r[i]);
    ASSERT_EQ(rc[0], rc[1]);
    ASSERT_ERR(rc[0], want);
    if (rc[0] == 0) {
        ASSERT_EQ(r[0].lr_seq, r[1].lr_seq);
        ASSERT_MEM_EQ(r[0].lr_id, r[1].lr_id, HASH_LEN);
    }
}

/* ---- tests ------------------------------------------------------------ */

static void
memstore_appends_match_sqlite(void)
{
    struct twin t;
    struct log_head h;
    uint8_t nope[HASH_LEN] = {1};

    twin_open(&t, "DE", 0, NULL);
    twin_same(&t);
    twin_append(&t, "net", 3, T0, 0);
    twin_append(&t, "ms", 1, T0, 0);
    twin_append(&t, "net", 16, T0 + 5, 0);
    twin_append(&t, "DE+FR", 2, T0 - 100000, 0); /* clock behind the HLC */
    twin_append(&t, "net", 1, T0 + 10, 0);
    twin_same(&t);
    for (int i = 0; i < 2; i++)
        ASSERT_ERR(ops(&t.n[i])->so_head(t.n[i].sn_ss.ss_ctx, nope, &h),
                   ILONET_ENOTFOUND);
    twin_close(&t);
}

/* What an append refuses, both refuse with the same code. */
static void
memstore_append_refusals_match_sqlite(void)
{
    struct twin t;
    uint8_t lid[HASH_LEN];
    struct log_append_req bad = {KIND_CERT, (const uint8_t *)"\x80", 1};

    twin_open(&t, "DE", 0, NULL);
    twin_append(&t, "FR+IT", 1, T0, ILONET_EAUDIENCE);
    twin_append(&t, "nobody", 1, T0, ILONET_EINVAL);
    for (int i = 0; i < 2; i++) {
        struct sim_node *nd = &t.n[i];
        int rc =
            i ? mstore_append(nd->sn_mem, &nd->sn_kp, "net", &bad, 1, T0, NULL)
              : log_append(nd->sn_store, &nd->sn_kp, "net", &bad, 1, T0, NULL);
        ASSERT_ERR(rc, ILONET_EKIND);
    }
    twin_append(&t, "net", 2, T0, 0);
    /* a peer showed a longer copy of our own log: no appends */
    sim_log_id(&t.w, &t.n[0], "net", lid);
    for (int i = 0; i < 2; i++)
        ASSERT_OK(ops(&t.n[i])->so_self_behind(t.n[i].sn_ss.ss_ctx, lid, 9));
    twin_append(&t, "net", 1, T0, ILONET_ESELFBEHIND);
    twin_append(&t, "ms", 1, T0, 0); /* another log is not behind */
    twin_same(&t);
    /* restored from a backup: no appends until cleared */
    ASSERT_OK(log_mark_restored(t.n[0].sn_store));
    mstore_mark_restored(t.n[1].sn_mem);
    twin_append(&t, "ms", 1, T0, ILONET_ESELFBEHIND);
    for (int i = 0; i < 2; i++) {
        int restored = 0;
        ASSERT_OK(ops(&t.n[i])->so_restored(t.n[i].sn_ss.ss_ctx, &restored));
        ASSERT_EQ(restored, 1);
        ASSERT_OK(ops(&t.n[i])->so_clear_restored(t.n[i].sn_ss.ss_ctx));
        ASSERT_OK(ops(&t.n[i])->so_restored(t.n[i].sn_ss.ss_ctx, &restored));
        ASSERT_EQ(restored, 0);
    }
    twin_append(&t, "ms", 1, T0, 0);
    twin_same(&t);
    twin_close(&t);
}

/* Ranges of another author, whole, in pieces, again, out of order. */
static void
memstore_ingest_matches_sqlite(void)
{
    struct twin t;
    struct wire_buf wb;

    twin_open(&t, "FR", 1, "DE");
    for (int i = 0; i < 4; i++)
        ASSERT_OK(sim_append(&t.src, "net", 5, T0 + (uint64_t)i, NULL));
    ASSERT_OK(sim_append(&t.src, "ms", 3, T0, NULL));
    ASSERT_OK(sim_append(&t.src, "DE+IT", 2, T0, NULL));
    /* a gap first: nothing held yet */
    range_of(&t.src, &t.w, "net", 3, 4, &wb);
    ASSERT_ERR(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0), ILONET_ESEQ);
    wire_buf_free(&wb);
    for (uint64_t from = 1; from <= 21; from += 4) {
        range_of(&t.src, &t.w, "net", from, 4, &wb);
        ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
        wire_buf_free(&wb);
        twin_same(&t);
    }
    /* all of it again: duplicates; an overlap; a gap */
    range_of(&t.src, &t.w, "net", 1, 0, &wb);
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    range_of(&t.src, &t.w, "ms", 1, 0, &wb);
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    ASSERT_OK(sim_append(&t.src, "ms", 3, T0 + 9, NULL));
    range_of(&t.src, &t.w, "ms", 3, 0, &wb);
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    ASSERT_OK(sim_append(&t.src, "ms", 3, T0 + 10, NULL));
    range_of(&t.src, &t.w, "ms", 9, 0, &wb);
    ASSERT_ERR(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0), ILONET_ESEQ);
    wire_buf_free(&wb);
    /* an audience this node (FR) is not in: refused, nothing kept */
    range_of(&t.src, &t.w, "DE+IT", 1, 0, &wb);
    ASSERT_ERR(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0),
               ILONET_EAUDIENCE);
    wire_buf_free(&wb);
    twin_same(&t);
    twin_close(&t);
}

/* Timestamps: past the certificate refused, too far ahead quarantined. */
static void
memstore_times_match_sqlite(void)
{
    struct twin t;
    struct wire_buf wb;
    uint64_t year = 366ull * 86400 * 1000;

    twin_open(&t, "FR", 1, "DE");
    ASSERT_OK(sim_append(&t.src, "net", 2, T0, NULL));
    ASSERT_OK(sim_append(&t.src, "net", 2, T0 + 3600 * 1000, NULL));
    ASSERT_OK(sim_append(&t.src, "ms", 1, T0, NULL));
    ASSERT_OK(sim_append(&t.src, "ms", 2, T0 + year, NULL));
    range_of(&t.src, &t.w, "net", 1, 0, &wb);
    /* the receiver's clock is an hour behind the author's */
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    twin_same(&t);
    {
        struct sim_snap sn;
        sim_snapshot(&t.n[0], &sn);
        ASSERT_EQ(sn.ss_quarantine, 2);
    }
    range_of(&t.src, &t.w, "ms", 1, 0, &wb);
    ASSERT_ERR(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0),
               ILONET_EEXPIRED);
    wire_buf_free(&wb);
    range_of(&t.src, &t.w, "ms", 1, 2, &wb);
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    twin_same(&t);
    twin_close(&t);
}

/* A batch cut short or with one bit flipped, at every offset: both stores
 * accept or refuse it alike and hold the same afterwards. */
static void
memstore_tampered_batches_match_sqlite(void)
{
    struct twin t;
    struct wire_buf wb, base;
    size_t n = 0, refused = 0;

    twin_open(&t, "FR", 1, "DE");
    ASSERT_OK(sim_append(&t.src, "net", 3, T0, NULL));
    range_of(&t.src, &t.w, "net", 1, 2, &base);
    ASSERT_OK(twin_ingest_bytes(&t, base.wb_data, base.wb_len, T0));
    ASSERT_OK(sim_append(&t.src, "net", 3, T0 + 1, NULL));
    range_of(&t.src, &t.w, "net", 2, 0, &wb); /* overlaps one held entry */
    for (size_t k = 0; k < wb.wb_len; k++) {
        for (int flip = 0; flip < 2; flip++) {
            uint8_t *c = malloc(wb.wb_len);
            int rc;

            memcpy(c, wb.wb_data, wb.wb_len);
            if (flip)
                c[k] ^= (uint8_t)(1u << (k % 8));
            rc = twin_ingest_bytes(&t, c, flip ? wb.wb_len : k, T0);
            n++;
            refused += rc != 0;
            free(c);
            twin_check(&t, 0);
        }
    }
    {
        size_t kinds = 0;
        for (int c = 1; c < ILONET_ERR_COUNT; c++)
            kinds += t.codes[c] != 0;
        /* it reached the stores' checks, not only the decoder, and more
         * than one of them refused */
        ASSERT_GE(refused, n / 2);
        ASSERT_GE(t.ingested, 50);
        ASSERT_GE(kinds, 3);
    }
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    twin_same(&t);
    wire_buf_free(&wb);
    wire_buf_free(&base);
    twin_close(&t);
}

/* Hand-made batches decoding would never give: both refuse alike. */
static void
memstore_odd_batches_match_sqlite(void)
{
    struct twin t;
    struct wire_buf wb;
    struct log_batch b;

    twin_open(&t, "FR", 1, "DE");
    ASSERT_OK(sim_append(&t.src, "net", 3, T0, NULL));
    range_of(&t.src, &t.w, "net", 1, 0, &wb);
    ASSERT_OK(batch_decode(wb.wb_data, wb.wb_len, t.w.w_net.n_id, &b));
    b.b_count = 0;
    ASSERT_OK(twin_ingest_batch(&t, &b, T0));
    b.b_count = 4;
    b.b_log.ld_id[0] ^= 1;
    ASSERT_ERR(twin_ingest_batch(&t, &b, T0), ILONET_ENETWORK);
    b.b_log.ld_id[0] ^= 1;
    snprintf(b.b_log.ld_audience, sizeof(b.b_log.ld_audience), "FR+DE");
    ASSERT_ERR(twin_ingest_batch(&t, &b, T0), ILONET_EMALFORMED);
    snprintf(b.b_log.ld_audience, sizeof(b.b_log.ld_audience), "net");
    b.b_entries[2].e_h.h_seq = 9;
    ASSERT_ERR(twin_ingest_batch(&t, &b, T0), ILONET_ESEQ);
    b.b_entries[2].e_h.h_seq = 3;
    b.b_entries[1].e_payload = NULL; /* withheld: hash still checked */
    ASSERT_OK(twin_ingest_batch(&t, &b, T0));
    batch_free(&b);
    wire_buf_free(&wb);
    twin_same(&t);
    twin_close(&t);
}

/* A restored copy of the twin's own node signs other entries at seqs the
 * twin used: fork evidence, the log frozen, appends refused, alike. */
static void
memstore_fork_matches_sqlite(void)
{
    struct twin t;
    struct sim_node clone;
    struct wire_buf wb;
    uint8_t lid[HASH_LEN];

    twin_open(&t, "DE", 0, NULL);
    t.w.w_backend = SIM_SQLITE;
    sim_node_init_as(&t.w, &clone, "DE", 0, 5);
    ASSERT_OK(sim_node_open(&t.w, &clone, NULL, NULL));
    /* the same three entries on all three (same key, times, payloads) */
    twin_append(&t, "net", 3, T0, 0);
    ASSERT_OK(sim_append(&clone, "net", 3, T0, NULL));
    twin_same(&t);
    twin_append(&t, "net", 2, T0 + 100, 0);
    ASSERT_OK(sim_append(&clone, "net", 3, T0 + 200, NULL));
    range_of(&clone, &t.w, "net", 4, 0, &wb);
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    twin_same(&t);
    sim_log_id(&t.w, &t.n[0], "net", lid);
    for (int i = 0; i < 2; i++) {
        struct log_head h;
        ASSERT_OK(sim_head(&t.n[i], lid, &h));
        ASSERT_EQ(h.lh_frozen, 5);
    }
    /* the same evidence again, and the other branch's later entries */
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    range_of(&clone, &t.w, "net", 6, 0, &wb); /* a second fork, at 6 */
    ASSERT_OK(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0));
    wire_buf_free(&wb);
    range_of(&clone, &t.w, "net", 7, 0, &wb); /* past our head: no link */
    ASSERT_ERR(twin_ingest_bytes(&t, wb.wb_data, wb.wb_len, T0), ILONET_ECHAIN);
    wire_buf_free(&wb);
    twin_append(&t, "net", 1, T0 + 300, ILONET_EFROZEN);
    twin_same(&t);
    {
        struct sim_snap sn;
        sim_snapshot(&t.n[1], &sn);
        ASSERT_EQ(sn.ss_evidence, 2);
    }
    sim_node_free(&clone);
    twin_close(&t);
}

/* The memo answers only for the very bytes it checked: a bad signature or
 * certificate is checked, and refused, every time. */
static void
memstore_memo_refuses_what_it_did_not_check(void)
{
    struct sim_world w;
    struct sim_node a, b;
    struct mstore *m2;
    struct sync_store s2;
    struct wire_buf wb;
    struct log_batch bt;
    struct ingest_stats st;
    struct cert c;
    uint64_t checks, hits, checks2, hits2;
    uint8_t *env;

    sim_world_init(&w, "memo", 5, twin_states, 4);
    w.w_backend = SIM_MEM;
    sim_node_init(&w, &a, "DE", 0);
    sim_node_init(&w, &b, "FR", 1);
    ASSERT_OK(sim_node_open(&w, &a, NULL, NULL));
    ASSERT_OK(sim_node_open(&w, &b, NULL, NULL));
    ASSERT_OK(mstore_new(&m2, w.w_trust));
    mstore_sync_store(m2, &s2);
    ASSERT_OK(sim_append(&a, "net", 4, T0, NULL));
    range_of(&a, &w, "net", 1, 0, &wb);
    ASSERT_OK(batch_decode(wb.wb_data, wb.wb_len, w.w_net.n_id, &bt));
    ASSERT_OK(ops(&b)->so_ingest(b.sn_ss.ss_ctx, &bt, T0, &st));
    ASSERT_EQ(st.is_new, 5);
    mstore_trust_stats(w.w_trust, &checks, &hits);
    /* the same bytes again, into another store: answered by the memo */
    ASSERT_OK(s2.ss_ops->so_ingest(m2, &bt, T0, &st));
    ASSERT_EQ(st.is_new, 5);
    mstore_trust_stats(w.w_trust, &checks2, &hits2);
    ASSERT_EQ(checks2, checks);
    ASSERT_GE(hits2, hits + 2); /* certificate and last entry */
    batch_free(&bt);
    /* the last signature flipped: checked, refused, in a fresh store */
    mstore_free(m2);
    ASSERT_OK(mstore_new(&m2, w.w_trust));
    mstore_sync_store(m2, &s2);
    ASSERT_OK(batch_decode(wb.wb_data, wb.wb_len, w.w_net.n_id, &bt));
    bt.b_entries[4].e_sig[7] ^= 0x10;
    ASSERT_OK(entry_finish(&bt.b_entries[4]));
    for (int k = 0; k < 2; k++) {
        ASSERT_ERR(s2.ss_ops->so_ingest(m2, &bt, T0, &st), ILONET_EBADSIG);
        mstore_trust_stats(w.w_trust, &checks, &hits);
        ASSERT_EQ(checks, checks2 + 1 + (uint64_t)k);
    }
    batch_free(&bt);
    wire_buf_free(&wb);
    /* a certificate envelope with one byte changed: refused each time */
    env = malloc(a.sn_cert_len);
    memcpy(env, a.sn_cert, a.sn_cert_len);
    ASSERT_OK(s2.ss_ops->so_cert_verify(m2, env, a.sn_cert_len, &c));
    env[a.sn_cert_len - 1] ^= 1;
    for (int k = 0; k < 2; k++)
        ASSERT(s2.ss_ops->so_cert_verify(m2, env, a.sn_cert_len, &c) != 0);
    free(env);
    mstore_free(m2);
    sim_node_free(&a);
    sim_node_free(&b);
    sim_world_free(&w);
}

TEST_LIST = {
    TEST(memstore_appends_match_sqlite),
    TEST(memstore_append_refusals_match_sqlite),
    TEST(memstore_ingest_matches_sqlite),
    TEST(memstore_times_match_sqlite),
    TEST(memstore_tampered_batches_match_sqlite),
    TEST(memstore_odd_batches_match_sqlite),
    TEST(memstore_fork_matches_sqlite),
    TEST(memstore_memo_refuses_what_it_did_not_check),
};
TEST_MAIN()
