/* test_log.c - log store: append, verify-then-insert, forks, concurrency, and
 * the committed invalid-entry corpus (tests/corpus/invalid/). */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/error.h"
#include "fixture.h"
#include "storage/batch.h"
#include "storage/bundle.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "test.h"

/* ---- deterministic fixture: fixed seeds, fixed network, fixed time ---- */

#define T0_MS 1767225600000ULL /* 2026-01-01T00:00:00Z */
#define NOW_MS (T0_MS + 86400000ULL)
#define HLC(ms) ((uint64_t)(ms) << 16)

struct fx {
    struct key_pair de, fr, xx; /* state roots; XX is not in the roster */
    struct key_pair a, b, c;    /* nodes: A and C of DE, B of FR */
    struct roster ros;
    uint8_t net[NET_ID_LEN], net2[NET_ID_LEN];
};

static void
fx_init(struct fx *f)
{
    ASSERT_OK(key_global_init());
    memset(f, 0, sizeof(*f));
    fx_key(&f->de, 0x11, "DE");
    fx_key(&f->fr, 0x12, "FR");
    fx_key(&f->xx, 0x13, "XX");
    fx_key(&f->a, 0x21, NULL);
    fx_key(&f->b, 0x22, NULL);
    fx_key(&f->c, 0x23, NULL);
    ASSERT_OK(roster_add(&f->ros, "DE", f->de.pk));
    ASSERT_OK(roster_add(&f->ros, "FR", f->fr.pk));
    memset(f->net, 0x01, NET_ID_LEN);
    memset(f->net2, 0x02, NET_ID_LEN);
}

/* Certificate envelope for node under root, with the given window. */
static uint8_t *
fx_cert(const struct fx *f, const struct key_pair *root, const char *state,
        const struct key_pair *node, const uint8_t *net, uint64_t nb,
        uint64_t na, size_t *len)
{
    struct cert c;
    uint8_t *buf;
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, net ? net : f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", state);
    memcpy(c.c_node, node->pk, KEY_PK_LEN);
    c.c_role = ROLE_ILO;
    c.c_not_before = nb;
    c.c_not_after = na;
    c.c_serial = 1;
    struct key_pair signer = *root;
    snprintf(signer.state, sizeof(signer.state), "%s", state);
    ASSERT_OK(cert_issue(&c, &signer, &buf, len));
    return buf;
}

#define NB_OK (T0_MS / 1000 - 86400)
#define NA_OK (T0_MS / 1000 + 365 * 86400)

/* ---- chains of entries built by hand ---- */

#define CHAIN_MAX 16

struct chain {
    struct log_desc ch_d;
    struct entry ch_e[CHAIN_MAX];
    uint8_t *ch_p[CHAIN_MAX];
    size_t ch_n;
};

static void
chain_init(struct chain *ch, const uint8_t *net, const struct key_pair *kp,
           const char *aud)
{
    memset(ch, 0, sizeof(*ch));
    memcpy(ch->ch_d.ld_author, kp->pk, KEY_PK_LEN);
    snprintf(ch->ch_d.ld_audience, sizeof(ch->ch_d.ld_audience), "%s", aud);
    entry_log_id(net, kp->pk, aud, ch->ch_d.ld_id);
}

static void
chain_free(struct chain *ch)
{
    for (size_t i = 0; i < ch->ch_n; i++)
        free(ch->ch_p[i]);
}

/* Appends an entry signed by signer (the author normally), with seq and
 * prev following the chain. payload may be NULL for an erased entry. */
static struct entry *
chain_add_raw(struct chain *ch, const struct key_pair *signer, uint64_t kind,
              const uint8_t *p, size_t pl, uint64_t hlc)
{
    struct entry *e = &ch->ch_e[ch->ch_n];
    ASSERT(ch->ch_n < CHAIN_MAX);
    memset(e, 0, sizeof(*e));
    e->e_h.h_version = ENTRY_VERSION;
    memcpy(e->e_h.h_log, ch->ch_d.ld_id, HASH_LEN);
    e->e_h.h_seq = ch->ch_n + 1;
    e->e_h.h_has_prev = ch->ch_n > 0;
    if (ch->ch_n)
        memcpy(e->e_h.h_prev, ch->ch_e[ch->ch_n - 1].e_id, HASH_LEN);
    e->e_h.h_hlc = hlc;
    e->e_h.h_kind = kind;
    e->e_h.h_payload_len = pl;
    entry_payload_hash(p, pl, e->e_h.h_payload_hash);
    ch->ch_p[ch->ch_n] = malloc(pl + 1);
    memcpy(ch->ch_p[ch->ch_n], p, pl);
    e->e_payload = ch->ch_p[ch->ch_n];
    e->e_payload_len = pl;
    ASSERT_OK(entry_seal(e, signer));
    ch->ch_n++;
    return e;
}

static void
chain_add_cert(struct chain *ch, const struct key_pair *signer,
               const uint8_t *cert, size_t cl, uint64_t hlc)
{
    struct wire_buf wb;
    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 1);
    wire_pack_str(&wb, "cert");
    wire_pack_bin(&wb, cert, cl);
    chain_add_raw(ch, signer, KIND_CERT, wb.wb_data, wb.wb_len, hlc);
    wire_buf_free(&wb);
}

static void
obs_payload(struct wire_buf *wb, const char *summary)
{
    wire_pack_map(wb, 2);
    wire_pack_str(wb, "category");
    wire_pack_str(wb, "routes");
    wire_pack_str(wb, "summary");
    wire_pack_str(wb, summary);
}

static void
chain_add_obs(struct chain *ch, const struct key_pair *signer,
              const char *summary, uint64_t hlc)
{
    struct wire_buf wb;
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, summary);
    chain_add_raw(ch, signer, KIND_OBSERVATION, wb.wb_data, wb.wb_len, hlc);
    wire_buf_free(&wb);
}

/* A valid log: cert then n observations. */
static void
chain_valid(struct chain *ch, const struct fx *f, const struct key_pair *kp,
            const struct key_pair *root, const char *state, const char *aud,
            size_t n)
{
    size_t cl;
    uint8_t *cert = fx_cert(f, root, state, kp, NULL, NB_OK, NA_OK, &cl);
    chain_init(ch, f->net, kp, aud);
    chain_add_cert(ch, kp, cert, cl, HLC(T0_MS));
    for (size_t i = 0; i < n; i++) {
        char s[32];
        snprintf(s, sizeof(s), "observation %zu", i);
        chain_add_obs(ch, kp, s, HLC(T0_MS + 1000 * (i + 1)));
    }
    free(cert);
}

/* ---- batch and file writers with knobs for corruption ---- */

struct bopts {
    const char *audience; /* override */
    int prev_mode;        /* 0 normal, 1 force nil, 2 random bytes */
    int erase_mask;       /* entry i sent in erased form */
    int bad_hash_mask;    /* erased form with a wrong hash */
    int bad_len_mask;     /* erased form with a wrong length */
    uint64_t first_override;
};

static void
batch_write(struct wire_buf *wb, const struct chain *ch, size_t from, size_t to,
            const struct bopts *o)
{
    static const struct bopts none;
    if (!o)
        o = &none;
    wire_pack_array(wb, 5);
    wire_pack_bin(wb, ch->ch_d.ld_author, KEY_PK_LEN);
    wire_pack_str(wb, o->audience ? o->audience : ch->ch_d.ld_audience);
    wire_pack_uint(wb, o->first_override ? o->first_override : from + 1);
    if (o->prev_mode == 2) {
        uint8_t junk[HASH_LEN];
        memset(junk, 0x5a, sizeof(junk));
        wire_pack_bin(wb, junk, HASH_LEN);
    } else if (from == 0 || o->prev_mode == 1) {
        wire_pack_nil(wb);
    } else {
        wire_pack_bin(wb, ch->ch_e[from - 1].e_id, HASH_LEN);
    }
    wire_pack_array(wb, (uint32_t)(to - from));
    for (size_t i = from; i < to; i++) {
        const struct entry *e = &ch->ch_e[i];
        wire_pack_array(wb, 4);
        wire_pack_uint(wb, e->e_h.h_hlc);
        wire_pack_uint(wb, e->e_h.h_kind);
        wire_pack_bin(wb, e->e_sig, KEY_SIG_LEN);
        int bit = 1 << i;
        if (o->erase_mask & bit) {
            uint8_t h[HASH_LEN];
            memcpy(h, e->e_h.h_payload_hash, HASH_LEN);
            if (o->bad_hash_mask & bit)
                h[0] ^= 1;
            wire_pack_array(wb, 2);
            wire_pack_uint(wb, e->e_h.h_payload_len +
                                   ((o->bad_len_mask & bit) ? 1 : 0));
            wire_pack_bin(wb, h, HASH_LEN);
        } else {
            wire_pack_bin(wb, e->e_payload, e->e_payload_len);
        }
    }
    ASSERT_OK(wb->wb_err);
}

static void
file_begin(struct wire_buf *f, const uint8_t *net)
{
    wire_buf_init(f, 8 << 20);
    wire_buf_append(f, BUNDLE_MAGIC, 8);
    wire_buf_append(f, net, NET_ID_LEN);
}

static void
file_frame(struct wire_buf *f, const uint8_t *b, size_t n)
{
    uint8_t l[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                    (uint8_t)n};
    wire_buf_append(f, l, 4);
    wire_buf_append(f, b, n);
}

static void
file_end(struct wire_buf *f)
{
    static const uint8_t z[4];
    wire_buf_append(f, z, 4);
}

/* Whole file with one batch of ch[from, to). */
static void
file_one(struct wire_buf *f, const uint8_t *net, const struct chain *ch,
         size_t from, size_t to, const struct bopts *o)
{
    struct wire_buf b;
    wire_buf_init(&b, 4 << 20);
    batch_write(&b, ch, from, to, o);
    file_begin(f, net);
    file_frame(f, b.wb_data, b.wb_len);
    file_end(f);
    wire_buf_free(&b);
}

/* ---- stores ---- */

static void
write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ASSERT(fp != NULL);
    ASSERT_EQ(fwrite(b, 1, n, fp), n);
    fclose(fp);
}

static void
file_digest(const char *path, uint8_t out[HASH_LEN])
{
    uint8_t *buf;
    size_t n;
    ASSERT_OK(cert_read_file(path, 1 << 30, &buf, &n));
    hash_buf("test", buf, n, out);
    free(buf);
}

static struct store *
open_store(const struct fx *f, const char *path)
{
    struct store *s;
    struct store_identity id;
    ASSERT_OK(store_open(path, f->net, &f->ros, &s));
    memset(&id, 0, sizeof(id));
    memcpy(id.si_node, f->c.pk, KEY_PK_LEN);
    strcpy(id.si_state, "DE");
    id.si_role = ROLE_ILO;
    store_set_identity(s, &id);
    return s;
}

/* One integer from a query on s. */
static int64_t
count_q(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    ASSERT(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
ingest_chain(struct store *s, const struct chain *ch, size_t from, size_t to)
{
    struct log_batch b;
    b.b_log = ch->ch_d;
    b.b_count = to - from;
    b.b_entries = (struct entry *)&ch->ch_e[from];
    ASSERT_OK(log_ingest(s, &b, NOW_MS, NULL));
}

/* The base every corpus case starts from: A's net log, seq 1..3. */
static void
base_store(const struct fx *f, const char *path, struct chain *a)
{
    struct store *s = open_store(f, path);
    ingest_chain(s, a, 0, 3);
    store_close(s);
}

/* ---- the corpus ---- */

struct corpus_case {
    const char *name;
    int code;
    void (*build)(const struct fx *f, const struct chain *a,
                  struct wire_buf *out);
};

#define CASE(fn)                                                               \
    static void fn(const struct fx *f,                                         \
                   const struct chain *a __attribute__((unused)),              \
                   struct wire_buf *out)

CASE(c_bad_signature_last)
{
    struct chain ch = *a;
    ch.ch_e[5].e_sig[7] ^= 0x20;
    file_one(out, f->net, &ch, 3, 6, NULL);
}

CASE(c_bad_signature_middle)
{
    struct chain ch = *a;
    ch.ch_e[4].e_sig[0] ^= 0x01;
    file_one(out, f->net, &ch, 3, 6, NULL);
}

CASE(c_signed_by_other_key)
{
    struct chain ch;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "net", 2);
    chain_add_obs(&ch, &f->b, "not mine", HLC(T0_MS + 9000));
    file_one(out, f->net, &ch, 3, 4, NULL);
    chain_free(&ch);
}

CASE(c_cert_for_other_network)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->fr, "FR", &f->b, f->net2, NB_OK, NA_OK, &cl);
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_file_for_other_network)
{
    file_one(out, f->net2, a, 3, 6, NULL);
}

CASE(c_log_id_of_other_network)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->fr, "FR", &f->b, NULL, NB_OK, NA_OK, &cl);
    chain_init(&ch, f->net2, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_seq_gap)
{
    file_one(out, f->net, a, 4, 6, NULL);
}

CASE(c_seq_gap_new_log)
{
    struct chain ch;
    chain_valid(&ch, f, &f->b, &f->fr, "FR", "net", 3);
    file_one(out, f->net, &ch, 1, 3, NULL);
    chain_free(&ch);
}

CASE(c_wrong_prev)
{
    struct bopts o = {.prev_mode = 2};
    file_one(out, f->net, a, 3, 6, &o);
}

CASE(c_prev_on_seq1)
{
    struct chain ch;
    struct bopts o = {.prev_mode = 2};
    chain_valid(&ch, f, &f->b, &f->fr, "FR", "net", 1);
    file_one(out, f->net, &ch, 0, 2, &o);
    chain_free(&ch);
}

CASE(c_no_prev_on_seq4)
{
    struct bopts o = {.prev_mode = 1};
    file_one(out, f->net, a, 3, 6, &o);
}

CASE(c_seq_repeat_forged)
{
    /* a different entry at held seq 3 whose signature is not the author's */
    struct chain ch;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "net", 1);
    chain_add_obs(&ch, &f->a, "rewritten history", HLC(T0_MS + 7777));
    ch.ch_e[2].e_sig[3] ^= 4;
    file_one(out, f->net, &ch, 2, 3, NULL);
    chain_free(&ch);
}

/* Writes one valid batch of a[3..6) then patches bytes. */
static void
patched(const struct fx *f, const struct chain *a, struct wire_buf *out,
        void (*patch)(struct wire_buf *b))
{
    struct wire_buf b;
    wire_buf_init(&b, 4 << 20);
    batch_write(&b, a, 3, 6, NULL);
    patch(&b);
    file_begin(out, f->net);
    file_frame(out, b.wb_data, b.wb_len);
    file_end(out);
    wire_buf_free(&b);
}

/* Finds the first occurrence of needle in the buffer. */
static size_t
find(const struct wire_buf *b, const uint8_t *n, size_t nl)
{
    for (size_t i = 0; i + nl <= b->wb_len; i++)
        if (memcmp(b->wb_data + i, n, nl) == 0)
            return i;
    TEST_FAIL_("pattern not found");
}

/* Replaces [at, at+len) of b with r[0, rl). */
static void
splice(struct wire_buf *b, size_t at, size_t len, const uint8_t *r, size_t rl)
{
    uint8_t *nb = malloc(b->wb_len - len + rl);
    memcpy(nb, b->wb_data, at);
    memcpy(nb + at, r, rl);
    memcpy(nb + at + rl, b->wb_data + at + len, b->wb_len - at - len);
    size_t nl = b->wb_len - len + rl;
    wire_buf_reset(b);
    wire_buf_append(b, nb, nl);
    free(nb);
}

static void
p_kind_uint8(struct wire_buf *b)
{
    /* kind 2 follows the hlc (cf + 8 bytes): write it as cc 02 */
    size_t at = find(b, (const uint8_t *)"\x94\xcf", 2) + 10;
    ASSERT_EQ(b->wb_data[at], 0x02);
    splice(b, at, 1, (const uint8_t *)"\xcc\x02", 2);
}

CASE(c_noncanon_kind)
{
    patched(f, a, out, p_kind_uint8);
}

static void
p_seq_uint16(struct wire_buf *b)
{
    /* [author bin32, audience "net", first=4 ...]: 1 + 34 + 4 = 39 */
    ASSERT_EQ(b->wb_data[39], 0x04);
    splice(b, 39, 1, (const uint8_t *)"\xcd\x00\x04", 3);
}

CASE(c_noncanon_seq)
{
    patched(f, a, out, p_seq_uint16);
}

static void
p_audience_str8(struct wire_buf *b)
{
    ASSERT_EQ(b->wb_data[35], 0xa3);
    splice(b, 35, 1, (const uint8_t *)"\xd9\x03", 2);
}

CASE(c_noncanon_audience)
{
    patched(f, a, out, p_audience_str8);
}

/* An author's log with one extra entry carrying a raw payload. */
static void
raw_payload_case(const struct fx *f, struct wire_buf *out, const uint8_t *p,
                 size_t pl, uint64_t kind)
{
    struct chain ch;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "net", 2);
    chain_add_raw(&ch, &f->a, kind, p, pl, HLC(T0_MS + 9000));
    file_one(out, f->net, &ch, 3, 4, NULL);
    chain_free(&ch);
}

CASE(c_payload_keys_unsorted)
{
    (void)a;
    static const uint8_t p[] = {0x82, 0xa7, 's', 'u',  'm',  'm', 'a', 'r',
                                'y',  0xa1, 'x', 0xa8, 'c',  'a', 't', 'e',
                                'g',  'o',  'r', 'y',  0xa1, 'y'};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_duplicate_key)
{
    (void)a;
    static const uint8_t p[] = {0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_not_a_map)
{
    (void)a;
    static const uint8_t p[] = {0x92, 0x01, 0x02};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_float)
{
    (void)a;
    static const uint8_t p[] = {0x81, 0xa1, 'f', 0xcb, 0, 0, 0, 0, 0, 0, 0, 0};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_ext)
{
    (void)a;
    static const uint8_t p[] = {0x81, 0xa1, 'e', 0xd4, 0x01, 0x00};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_int8_positive)
{
    (void)a;
    static const uint8_t p[] = {0x81, 0xa1, 'n', 0xd0, 0x05};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_map_count_beyond_buffer)
{
    (void)a;
    static const uint8_t p[] = {0x81, 0xa1, 'm', 0xdf, 0x7f, 0xff, 0xff, 0xff};
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_too_deep)
{
    (void)a;
    uint8_t p[48];
    p[0] = 0x81;
    p[1] = 0xa1;
    p[2] = 'd';
    memset(p + 3, 0x91, sizeof(p) - 4);
    p[sizeof(p) - 1] = 0x00;
    raw_payload_case(f, out, p, sizeof(p), KIND_OBSERVATION);
}

CASE(c_payload_too_big)
{
    (void)a;
    size_t n = ENTRY_PAYLOAD_MAX + 100;
    uint8_t *p = malloc(n);
    p[0] = 0x81;
    p[1] = 0xa1;
    p[2] = 'b';
    p[3] = 0xc6;
    uint32_t bl = (uint32_t)(n - 8);
    p[4] = (uint8_t)(bl >> 24), p[5] = (uint8_t)(bl >> 16);
    p[6] = (uint8_t)(bl >> 8), p[7] = (uint8_t)bl;
    memset(p + 8, 'z', n - 8);
    raw_payload_case(f, out, p, n, KIND_OBSERVATION);
    free(p);
}

CASE(c_unknown_kind)
{
    (void)a;
    struct wire_buf wb;
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    /* the log takes kinds 1-127 (docs/REGIMES.md §2); 200 is beyond */
    raw_payload_case(f, out, wb.wb_data, wb.wb_len, 200);
    wire_buf_free(&wb);
}

CASE(c_kind_zero)
{
    (void)a;
    struct wire_buf wb;
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    raw_payload_case(f, out, wb.wb_data, wb.wb_len, 0);
    wire_buf_free(&wb);
}

CASE(c_cert_not_at_seq1)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->de, "DE", &f->a, NULL, NB_OK, NA_OK, &cl);
    (void)a;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "net", 2);
    chain_add_cert(&ch, &f->a, cert, cl, HLC(T0_MS + 9000));
    file_one(out, f->net, &ch, 3, 4, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_first_entry_not_cert)
{
    struct chain ch;
    (void)a;
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_obs(&ch, &f->b, "no certificate", HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    chain_free(&ch);
}

static void
cert_window_case(const struct fx *f, struct wire_buf *out, uint64_t nb,
                 uint64_t na)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->fr, "FR", &f->b, NULL, nb, na, &cl);
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_cert_expired)
{
    (void)a;
    cert_window_case(f, out, NB_OK - 1000, T0_MS / 1000 - 10);
}

CASE(c_cert_not_yet_valid)
{
    (void)a;
    cert_window_case(f, out, T0_MS / 1000 + 10, NA_OK);
}

CASE(c_cert_for_other_node)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->de, "DE", &f->a, NULL, NB_OK, NA_OK, &cl);
    (void)a;
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_cert_state_not_in_roster)
{
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->xx, "XX", &f->b, NULL, NB_OK, NA_OK, &cl);
    (void)a;
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_cert_signed_by_wrong_root)
{
    struct chain ch;
    size_t cl;
    /* claims DE, signed with FR's root key */
    uint8_t *cert = fx_cert(f, &f->fr, "DE", &f->b, NULL, NB_OK, NA_OK, &cl);
    (void)a;
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, cert, cl, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    chain_free(&ch);
}

CASE(c_author_not_in_audience)
{
    struct chain ch;
    (void)a;
    chain_valid(&ch, f, &f->b, &f->fr, "FR", "DE+IT", 1);
    file_one(out, f->net, &ch, 0, 2, NULL);
    chain_free(&ch);
}

CASE(c_erased_form_wrong_hash)
{
    struct bopts o = {.erase_mask = 1 << 4, .bad_hash_mask = 1 << 4};
    file_one(out, f->net, a, 3, 6, &o);
}

CASE(c_erased_form_wrong_length)
{
    struct bopts o = {.erase_mask = 1 << 5, .bad_len_mask = 1 << 5};
    file_one(out, f->net, a, 3, 6, &o);
}

CASE(c_audience_not_normalised)
{
    struct chain ch;
    struct bopts o = {.audience = "FR+DE"};
    (void)a;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "DE+FR", 1);
    file_one(out, f->net, &ch, 0, 2, &o);
    chain_free(&ch);
}

static void
p_audience_bad_utf8(struct wire_buf *b)
{
    b->wb_data[36] = 0xc3; /* "net" -> 0xc3 'e' 't' */
}

CASE(c_audience_invalid_utf8)
{
    patched(f, a, out, p_audience_bad_utf8);
}

CASE(c_replayed_into_other_log)
{
    /* A's net log presented as A's ms log: the rebuilt headers name
     * another log id, so no signature matches */
    struct chain ch = *a;
    struct bopts o = {.audience = "ms"};
    file_one(out, f->net, &ch, 0, 3, &o);
}

static void
p_sig_63(struct wire_buf *b)
{
    size_t at = find(b, (const uint8_t *)"\xc4\x40", 2);
    splice(b, at, 3, (const uint8_t *)"\xc4\x3f", 2);
}

CASE(c_signature_63_bytes)
{
    patched(f, a, out, p_sig_63);
}

static void
p_author_31(struct wire_buf *b)
{
    splice(b, 1, 3, (const uint8_t *)"\xc4\x1f", 2);
}

CASE(c_author_31_bytes)
{
    patched(f, a, out, p_author_31);
}

static void
p_empty_entries(struct wire_buf *b)
{
    size_t at = find(b, (const uint8_t *)"\x93\x94", 2);
    b->wb_len = at + 1;
    b->wb_data[at] = 0x90;
}

CASE(c_empty_entry_list)
{
    patched(f, a, out, p_empty_entries);
}

static void
p_six_fields(struct wire_buf *b)
{
    b->wb_data[0] = 0x96;
    wire_buf_append(b, "\xc0", 1);
}

CASE(c_batch_six_fields)
{
    patched(f, a, out, p_six_fields);
}

static void
p_count_beyond(struct wire_buf *b)
{
    size_t at = find(b, (const uint8_t *)"\x93\x94", 2);
    splice(b, at, 1, (const uint8_t *)"\xdc\xff\xff", 3);
}

CASE(c_entry_count_beyond_buffer)
{
    patched(f, a, out, p_count_beyond);
}

static void
p_too_deep(struct wire_buf *b)
{
    size_t at = find(b, (const uint8_t *)"\x93\x94", 2);
    static uint8_t deep[40];
    memset(deep, 0x91, sizeof(deep));
    deep[39] = 0;
    b->wb_len = at;
    wire_buf_append(b, "\x91\x94\x01\x02\xc4\x40", 6);
    uint8_t sig[64] = {0};
    wire_buf_append(b, sig, 64);
    wire_buf_append(b, deep, sizeof(deep));
}

CASE(c_batch_too_deep)
{
    patched(f, a, out, p_too_deep);
}

CASE(c_frame_length_beyond_file)
{
    struct wire_buf b;
    wire_buf_init(&b, 4 << 20);
    batch_write(&b, a, 3, 6, NULL);
    file_begin(out, f->net);
    uint8_t l[4] = {0, 0, 0x40, 0};
    wire_buf_append(out, l, 4);
    wire_buf_append(out, b.wb_data, b.wb_len);
    wire_buf_free(&b);
}

CASE(c_frame_length_too_big)
{
    (void)a;
    file_begin(out, f->net);
    uint8_t l[4] = {0x7f, 0xff, 0xff, 0xff};
    wire_buf_append(out, l, 4);
    wire_buf_append(out, "\x90", 1);
}

static void
truncated_at(const struct fx *f, const struct chain *a, struct wire_buf *out,
             size_t keep)
{
    struct wire_buf b;
    wire_buf_init(&b, 4 << 20);
    batch_write(&b, a, 3, 6, NULL);
    ASSERT(keep < b.wb_len);
    file_begin(out, f->net);
    file_frame(out, b.wb_data, keep);
    file_end(out);
    wire_buf_free(&b);
}

CASE(c_truncated_batch_10)
{
    truncated_at(f, a, out, 10);
}

CASE(c_truncated_batch_60)
{
    truncated_at(f, a, out, 60);
}

CASE(c_truncated_batch_150)
{
    truncated_at(f, a, out, 150);
}

CASE(c_trailing_after_end)
{
    file_one(out, f->net, a, 3, 6, NULL);
    wire_buf_append(out, "x", 1);
}

CASE(c_bad_magic)
{
    file_one(out, f->net, a, 3, 6, NULL);
    out->wb_data[0] = 'J';
}

CASE(c_no_end_marker)
{
    file_one(out, f->net, a, 3, 6, NULL);
    out->wb_len -= 4;
}

CASE(c_hlc_after_cert_expiry)
{
    struct chain ch;
    (void)a;
    chain_valid(&ch, f, &f->a, &f->de, "DE", "net", 2);
    chain_add_obs(&ch, &f->a, "late", HLC((NA_OK + 10) * 1000));
    file_one(out, f->net, &ch, 3, 4, NULL);
    chain_free(&ch);
}

CASE(c_valid_frame_then_forged)
{
    /* the first frame alone would be stored; the second is forged: the
     * whole file is refused and the first frame leaves no trace */
    struct chain ch;
    struct wire_buf b1, b2;
    chain_valid(&ch, f, &f->b, &f->fr, "FR", "net", 2);
    wire_buf_init(&b1, 4 << 20);
    wire_buf_init(&b2, 4 << 20);
    batch_write(&b1, &ch, 0, 3, NULL);
    struct chain bad = *a;
    bad.ch_e[5].e_sig[1] ^= 2;
    batch_write(&b2, &bad, 3, 6, NULL);
    file_begin(out, f->net);
    file_frame(out, b1.wb_data, b1.wb_len);
    file_frame(out, b2.wb_data, b2.wb_len);
    file_end(out);
    wire_buf_free(&b1);
    wire_buf_free(&b2);
    chain_free(&ch);
}

CASE(c_frozen_cert_payload_trailing)
{
    /* certificate payload with extra bytes inside its bin */
    struct chain ch;
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->fr, "FR", &f->b, NULL, NB_OK, NA_OK, &cl);
    uint8_t *c2 = malloc(cl + 1);
    (void)a;
    memcpy(c2, cert, cl);
    c2[cl] = 0;
    chain_init(&ch, f->net, &f->b, "net");
    chain_add_cert(&ch, &f->b, c2, cl + 1, HLC(T0_MS));
    file_one(out, f->net, &ch, 0, 1, NULL);
    free(cert);
    free(c2);
    chain_free(&ch);
}

static const struct corpus_case corpus[] = {
    {"bad-signature-last", ILONET_EBADSIG, c_bad_signature_last},
    {"bad-signature-middle", ILONET_EBADSIG, c_bad_signature_middle},
    {"signed-by-other-key", ILONET_EBADSIG, c_signed_by_other_key},
    {"cert-for-other-network", ILONET_ENETWORK, c_cert_for_other_network},
    {"file-for-other-network", ILONET_ENETWORK, c_file_for_other_network},
    {"log-id-of-other-network", ILONET_EBADSIG, c_log_id_of_other_network},
    {"seq-gap", ILONET_ESEQ, c_seq_gap},
    {"seq-gap-new-log", ILONET_ESEQ, c_seq_gap_new_log},
    {"wrong-prev", ILONET_ECHAIN, c_wrong_prev},
    {"prev-on-seq1", ILONET_ECHAIN, c_prev_on_seq1},
    {"no-prev-on-seq4", ILONET_ECHAIN, c_no_prev_on_seq4},
    {"seq-repeat-forged", ILONET_EBADSIG, c_seq_repeat_forged},
    {"noncanon-kind-uint8", ILONET_ENONCANON, c_noncanon_kind},
    {"noncanon-seq-uint16", ILONET_ENONCANON, c_noncanon_seq},
    {"noncanon-audience-str8", ILONET_ENONCANON, c_noncanon_audience},
    {"payload-keys-unsorted", ILONET_ENONCANON, c_payload_keys_unsorted},
    {"payload-duplicate-key", ILONET_ENONCANON, c_payload_duplicate_key},
    {"payload-not-a-map", ILONET_EMALFORMED, c_payload_not_a_map},
    {"payload-float", ILONET_EMALFORMED, c_payload_float},
    {"payload-ext", ILONET_EMALFORMED, c_payload_ext},
    {"payload-int8-positive", ILONET_ENONCANON, c_payload_int8_positive},
    {"payload-map-count-beyond-buffer", ILONET_EMALFORMED,
     c_payload_map_count_beyond_buffer},
    {"payload-too-deep", ILONET_ETOODEEP, c_payload_too_deep},
    {"payload-too-big", ILONET_ETOOBIG, c_payload_too_big},
    {"unknown-kind", ILONET_EKIND, c_unknown_kind},
    {"kind-zero", ILONET_EKIND, c_kind_zero},
    {"cert-not-at-seq1", ILONET_EKIND, c_cert_not_at_seq1},
    {"first-entry-not-cert", ILONET_EUNKNOWNAUTHOR, c_first_entry_not_cert},
    {"cert-expired", ILONET_EEXPIRED, c_cert_expired},
    {"cert-not-yet-valid", ILONET_EEXPIRED, c_cert_not_yet_valid},
    {"cert-for-other-node", ILONET_EUNKNOWNAUTHOR, c_cert_for_other_node},
    {"cert-state-not-in-roster", ILONET_EUNKNOWNAUTHOR,
     c_cert_state_not_in_roster},
    {"cert-signed-by-wrong-root", ILONET_EBADSIG, c_cert_signed_by_wrong_root},
    {"author-not-in-audience", ILONET_EAUDIENCE, c_author_not_in_audience},
    {"erased-form-wrong-hash", ILONET_EBADSIG, c_erased_form_wrong_hash},
    {"erased-form-wrong-length", ILONET_EBADSIG, c_erased_form_wrong_length},
    {"audience-not-normalised", ILONET_EMALFORMED, c_audience_not_normalised},
    {"audience-invalid-utf8", ILONET_EMALFORMED, c_audience_invalid_utf8},
    {"replayed-into-other-log", ILONET_EBADSIG, c_replayed_into_other_log},
    {"signature-63-bytes", ILONET_EMALFORMED, c_signature_63_bytes},
    {"author-31-bytes", ILONET_EMALFORMED, c_author_31_bytes},
    {"empty-entry-list", ILONET_EMALFORMED, c_empty_entry_list},
    {"batch-six-fields", ILONET_EMALFORMED, c_batch_six_fields},
    {"entry-count-beyond-buffer", ILONET_EMALFORMED,
     c_entry_count_beyond_buffer},
    {"batch-too-deep", ILONET_ETOODEEP, c_batch_too_deep},
    {"frame-length-beyond-file", ILONET_EMALFORMED, c_frame_length_beyond_file},
    {"frame-length-too-big", ILONET_ETOOBIG, c_frame_length_too_big},
    {"truncated-batch-10", ILONET_EMALFORMED, c_truncated_batch_10},
    {"truncated-batch-60", ILONET_EMALFORMED, c_truncated_batch_60},
    {"truncated-batch-150", ILONET_EMALFORMED, c_truncated_batch_150},
    {"trailing-after-end", ILONET_EMALFORMED, c_trailing_after_end},
    {"bad-magic", ILONET_EMALFORMED, c_bad_magic},
    {"no-end-marker", ILONET_EMALFORMED, c_no_end_marker},
    {"hlc-after-cert-expiry", ILONET_EEXPIRED, c_hlc_after_cert_expiry},
    {"valid-frame-then-forged", ILONET_EBADSIG, c_valid_frame_then_forged},
    {"cert-payload-trailing-byte", ILONET_EMALFORMED,
     c_frozen_cert_payload_trailing},
};

#define NCORPUS (sizeof(corpus) / sizeof(corpus[0]))

static const char *
corpus_dir(void)
{
    const char *d = getenv("ILONET_CORPUS");
    return d ? d : "tests/corpus/invalid";
}

/* Runs one case: builds the bytes, checks them against the committed
 * corpus file, imports into a copy of the base store, and checks the code
 * and that the store file is byte-for-byte unchanged. */
static void
run_case(const struct fx *f, const struct chain *a, const char *dir,
         const struct corpus_case *c, int idx)
{
    char db[700], file[700], committed[700];
    uint8_t before[HASH_LEN], after[HASH_LEN];
    struct wire_buf out;
    struct bundle_report rep;
    struct store *s;
    int rc;

    snprintf(db, sizeof(db), "%s/case%02d.db", dir, idx);
    base_store(f, db, (struct chain *)a);
    file_digest(db, before);
    memset(&out, 0, sizeof(out));
    c->build(f, a, &out);
    snprintf(file, sizeof(file), "%s/case%02d.bin", dir, idx);
    write_file(file, out.wb_data, out.wb_len);
    snprintf(committed, sizeof(committed), "%s/%02d-%s.bin", corpus_dir(),
             idx + 1, c->name);
    if (getenv("CORPUS_WRITE")) {
        write_file(committed, out.wb_data, out.wb_len);
    } else {
        uint8_t *cb;
        size_t cl;
        if (cert_read_file(committed, 1 << 24, &cb, &cl) != 0)
            TEST_FAIL_("%s: missing (regenerate with CORPUS_WRITE=1)",
                       committed);
        if (cl != out.wb_len || memcmp(cb, out.wb_data, cl) != 0)
            TEST_FAIL_("%s: differs from the generator", committed);
        free(cb);
    }
    wire_buf_free(&out);
    s = open_store(f, db);
    rc = bundle_import(s, committed, NOW_MS, NULL, NULL, NULL, &rep);
    store_close(s);
    if (rc != c->code)
        TEST_FAIL_("case %s: got %d (%s), want %d (%s)", c->name, rc,
                   ilonet_errname(rc), c->code, ilonet_errname(c->code));
    file_digest(db, after);
    if (memcmp(before, after, HASH_LEN) != 0)
        TEST_FAIL_("case %s: store changed", c->name);
}

static void
invalid_corpus_exact_codes_store_unchanged(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("corpus");

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 5);
    ASSERT_GE(NCORPUS, 40);
    for (size_t i = 0; i < NCORPUS; i++)
        run_case(&f, &a, dir, &corpus[i], (int)i);
    chain_free(&a);
    free(dir);
}

static void
truncated_at_every_offset_is_refused(void)
{
    struct fx f;
    struct chain a;
    struct wire_buf b, out;
    char *dir = test_tmpdir("trunc"), db[600], file[600];
    uint8_t before[HASH_LEN], after[HASH_LEN];

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 5);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    snprintf(file, sizeof(file), "%s/t.bin", dir);
    base_store(&f, db, &a);
    file_digest(db, before);
    wire_buf_init(&b, 1 << 20);
    batch_write(&b, &a, 3, 6, NULL);
    struct store *s = open_store(&f, db);
    for (size_t keep = 0; keep < b.wb_len; keep++) {
        struct log_batch lb;
        /* the decoder alone, at every length */
        ASSERT(batch_decode(b.wb_data, keep, f.net, &lb) != 0);
        /* and a whole file whose frame is cut there */
        if (keep % 7 == 0) {
            file_begin(&out, f.net);
            file_frame(&out, b.wb_data, keep);
            file_end(&out);
            write_file(file, out.wb_data, out.wb_len);
            wire_buf_free(&out);
            ASSERT(bundle_import(s, file, NOW_MS, NULL, NULL, NULL, NULL) != 0);
        }
    }
    store_close(s);
    file_digest(db, after);
    ASSERT_MEM_EQ(before, after, HASH_LEN);
    wire_buf_free(&b);
    chain_free(&a);
    free(dir);
}

static void
bit_flips_in_batch_never_store(void)
{
    struct fx f;
    struct chain a;
    struct wire_buf b;
    char *dir = test_tmpdir("flip"), db[600];

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 5);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    base_store(&f, db, &a);
    wire_buf_init(&b, 1 << 20);
    batch_write(&b, &a, 3, 6, NULL);
    struct store *s = open_store(&f, db);
    for (size_t i = 0; i < b.wb_len; i++) {
        struct log_batch lb;
        struct log_head h;
        b.wb_data[i] ^= 0x10;
        if (batch_decode(b.wb_data, b.wb_len, f.net, &lb) == 0) {
            int rc = log_ingest(s, &lb, NOW_MS, NULL);
            /* a flip may turn a payload into another valid-looking one,
             * but the signature never matches */
            ASSERT(rc != 0);
            batch_free(&lb);
        }
        b.wb_data[i] ^= 0x10;
        ASSERT_OK(log_head(s, a.ch_d.ld_id, &h));
        ASSERT_EQ(h.lh_seq, 3);
    }
    store_close(s);
    wire_buf_free(&b);
    chain_free(&a);
    free(dir);
}

/* ---- behaviour of valid input ---- */

static void
ingest_valid_then_duplicate(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("dup"), db[600];
    struct ingest_stats st;
    struct log_batch b;
    struct log_head h;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 5);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db);
    b.b_log = a.ch_d;
    b.b_count = 6;
    b.b_entries = a.ch_e;
    ASSERT_OK(log_ingest(s, &b, NOW_MS, &st));
    ASSERT_EQ(st.is_new, 6);
    ASSERT_OK(log_ingest(s, &b, NOW_MS, &st));
    ASSERT_EQ(st.is_new, 0);
    ASSERT_EQ(st.is_dup, 6);
    ASSERT_OK(log_head(s, a.ch_d.ld_id, &h));
    ASSERT_EQ(h.lh_seq, 6);
    ASSERT_MEM_EQ(h.lh_id, a.ch_e[5].e_id, HASH_LEN);
    uint64_t checked, bad;
    ASSERT_OK(log_verify_all(s, NULL, NULL, &checked, &bad));
    ASSERT_EQ(checked, 6);
    ASSERT_EQ(bad, 0);
    size_t n;
    /* the five covered only by the last signature get checked now */
    ASSERT_OK(log_check_pending(s, 100, &n, NULL, NULL));
    ASSERT_GE(n, 5);
    ASSERT_OK(log_check_pending(s, 100, &n, NULL, NULL));
    ASSERT_EQ(n, 0);
    store_close(s);
    chain_free(&a);
    free(dir);
}

static void
batch_round_trip_through_store(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("batch"), db[600], db2[600];
    struct wire_buf wb;
    struct log_batch b;
    size_t cnt;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 8);
    snprintf(db, sizeof(db), "%s/a.db", dir);
    snprintf(db2, sizeof(db2), "%s/b.db", dir);
    struct store *s = open_store(&f, db), *s2 = open_store(&f, db2);
    ingest_chain(s, &a, 0, 9);
    ASSERT_OK(log_erase_payload(s, a.ch_e[4].e_id));
    wire_buf_init(&wb, BATCH_MAX_BYTES);
    ASSERT_OK(batch_encode(s, a.ch_d.ld_id, 1, 4, 0, &wb, &cnt));
    ASSERT_EQ(cnt, 4);
    ASSERT_OK(batch_decode(wb.wb_data, wb.wb_len, f.net, &b));
    ASSERT_OK(log_ingest(s2, &b, NOW_MS, NULL));
    batch_free(&b);
    wire_buf_reset(&wb);
    ASSERT_OK(batch_encode(s, a.ch_d.ld_id, 5, 100, 0, &wb, &cnt));
    ASSERT_EQ(cnt, 5);
    ASSERT_OK(batch_decode(wb.wb_data, wb.wb_len, f.net, &b));
    /* entry 5 travels erased: header and chain still verify */
    ASSERT(b.b_entries[0].e_payload == NULL);
    ASSERT_MEM_EQ(b.b_entries[0].e_id, a.ch_e[4].e_id, HASH_LEN);
    ASSERT_OK(log_ingest(s2, &b, NOW_MS, NULL));
    batch_free(&b);
    uint8_t d1[HASH_LEN], d2[HASH_LEN];
    ASSERT_OK(log_heads_digest(s, d1));
    ASSERT_OK(log_heads_digest(s2, d2));
    ASSERT_MEM_EQ(d1, d2, HASH_LEN);
    /* headers are stored only where they cannot be derived: the erased
     * entry's, on both sides; every header still verifies */
    ASSERT_EQ(count_q(s, "SELECT count(*) FROM entries WHERE hx IS NOT NULL"),
              1);
    ASSERT_EQ(count_q(s2, "SELECT count(*) FROM entries WHERE hx IS NOT"
                          " NULL"),
              1);
    uint64_t checked, bad;
    ASSERT_OK(log_verify_all(s2, NULL, NULL, &checked, &bad));
    ASSERT_EQ(checked, 9);
    ASSERT_EQ(bad, 0);
    wire_buf_free(&wb);
    store_close(s);
    store_close(s2);
    chain_free(&a);
    free(dir);
}

static void
fork_in_file_is_evidence_and_freezes(void)
{
    struct fx f;
    struct chain a, alt;
    char *dir = test_tmpdir("fork"), db[600], file[600];
    struct wire_buf out;
    struct bundle_report rep;
    struct log_head h;
    uint64_t ev;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 5);
    /* the same author signs a different seq 3 */
    chain_valid(&alt, &f, &f.a, &f.de, "DE", "net", 1);
    chain_add_obs(&alt, &f.a, "equivocation", HLC(T0_MS + 4242));
    snprintf(db, sizeof(db), "%s/s.db", dir);
    snprintf(file, sizeof(file), "%s/fork.bin", dir);
    base_store(&f, db, &a);
    file_one(&out, f.net, &alt, 2, 3, NULL);
    write_file(file, out.wb_data, out.wb_len);
    wire_buf_free(&out);
    struct store *s = open_store(&f, db);
    ASSERT_OK(bundle_import(s, file, NOW_MS, NULL, NULL, NULL, &rep));
    ASSERT_EQ(rep.br_forks, 1);
    ASSERT_OK(log_counts(s, NULL, NULL, &ev, NULL));
    ASSERT_EQ(ev, 1);
    ASSERT_OK(log_head(s, a.ch_d.ld_id, &h));
    ASSERT_EQ(h.lh_frozen, 3);
    ASSERT_EQ(h.lh_seq, 3);
    /* importing it again adds nothing */
    ASSERT_OK(bundle_import(s, file, NOW_MS, NULL, NULL, NULL, &rep));
    ASSERT_OK(log_counts(s, NULL, NULL, &ev, NULL));
    ASSERT_EQ(ev, 1);
    store_close(s);
    chain_free(&a);
    chain_free(&alt);
    free(dir);
}

static void
future_timestamp_is_stored_but_quarantined(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("future"), db[600];
    struct ingest_stats st;
    uint64_t q;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 1);
    chain_add_obs(&a, &f.a, "from the future", HLC(NOW_MS + 3600 * 1000));
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db);
    struct log_batch b = {a.ch_d, 3, a.ch_e};
    ASSERT_OK(log_ingest(s, &b, NOW_MS, &st));
    ASSERT_EQ(st.is_new, 3);
    ASSERT_EQ(st.is_quarantined, 1);
    ASSERT_OK(log_counts(s, NULL, NULL, NULL, &q));
    ASSERT_EQ(q, 1);
    /* the receiver's HLC did not jump to the future */
    uint64_t hlc;
    ASSERT_OK(store_meta_get_u64(s, "hlc", &hlc));
    ASSERT((hlc >> 16) <= NOW_MS);
    store_close(s);
    chain_free(&a);
    free(dir);
}

/* store_file_version(): 0 where there is no store yet, the schema of one
 * that is there (its WAL's last commit included), an error for a file
 * that is not a store; the file is never created or changed. */
static void
store_file_version_reads_only(void)
{
    struct fx f;
    char *dir = test_tmpdir("ver"), db[600], junk[600];
    struct stat sb;
    FILE *fp;
    int ver = -1;

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    ASSERT_OK(store_file_version(db, &ver));
    ASSERT_EQ(ver, 0);
    ASSERT(stat(db, &sb) != 0); /* not created */
    struct store *s = open_store(&f, db);
    ASSERT_OK(store_file_version(db, &ver)); /* beside an open writer */
    ASSERT_EQ(ver, STORE_SCHEMA_VERSION);
    store_close(s);
    ASSERT_OK(store_file_version(db, &ver));
    ASSERT_EQ(ver, STORE_SCHEMA_VERSION);
    snprintf(junk, sizeof(junk), "%s/junk.db", dir);
    ASSERT((fp = fopen(junk, "wb")) != NULL);
    for (int i = 0; i < 256; i++)
        fputs("not a database ", fp);
    fclose(fp);
    ASSERT_EQ(store_file_version(junk, &ver), ILONET_EIO);
    ASSERT_EQ(ver, 0);
    free(dir);
}

static void
audience_not_held_is_skipped(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("aud"), db[600];
    struct ingest_stats st;
    uint64_t n;

    fx_init(&f);
    chain_valid(&a, &f, &f.b, &f.fr, "FR", "FR+IT", 1);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db); /* a DE node */
    struct log_batch b = {a.ch_d, 2, a.ch_e};
    ASSERT_ERR(log_ingest(s, &b, NOW_MS, &st), ILONET_EAUDIENCE);
    ASSERT(st.is_skipped > 0);
    ASSERT_OK(log_counts(s, &n, NULL, NULL, NULL));
    ASSERT_EQ(n, 0);
    store_close(s);
    chain_free(&a);
    free(dir);
}

/* ---- local appends ---- */

static struct store *
own_store(const struct fx *f, const char *path)
{
    struct store *s = open_store(f, path);
    size_t cl;
    uint8_t *cert = fx_cert(f, &f->de, "DE", &f->c, NULL, NB_OK,
                            NOW_MS / 1000 + 86400, &cl);
    ASSERT_OK(store_meta_set(s, "cert", cert, cl));
    free(cert);
    return s;
}

static void
append_chains_and_signs(void)
{
    struct fx f;
    char *dir = test_tmpdir("append"), db[600];
    struct wire_buf wb;
    struct log_append_req r[3];
    struct log_ref refs[3];
    struct log_head h;

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = own_store(&f, db);
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    for (int i = 0; i < 3; i++)
        r[i] = (struct log_append_req){KIND_OBSERVATION, wb.wb_data, wb.wb_len};
    ASSERT_OK(log_append(s, &f.c, "net", r, 3, NOW_MS, refs));
    ASSERT_EQ(refs[0].lr_seq, 2); /* seq 1 is the certificate */
    ASSERT_EQ(refs[2].lr_seq, 4);
    ASSERT_OK(log_append(s, &f.c, "net", r, 1, NOW_MS, refs));
    ASSERT_EQ(refs[0].lr_seq, 5);
    ASSERT_OK(log_head(s, refs[0].lr_log, &h));
    ASSERT_EQ(h.lh_seq, 5);
    uint64_t checked, bad;
    ASSERT_OK(log_verify_all(s, NULL, NULL, &checked, &bad));
    ASSERT_EQ(checked, 5);
    /* bad requests change nothing */
    struct log_append_req badk = {KIND_CERT, wb.wb_data, wb.wb_len};
    ASSERT_ERR(log_append(s, &f.c, "net", &badk, 1, NOW_MS, refs),
               ILONET_EKIND);
    struct log_append_req badp = {KIND_OBSERVATION, (const uint8_t *)"\x92", 1};
    ASSERT_ERR(log_append(s, &f.c, "net", &badp, 1, NOW_MS, refs),
               ILONET_EMALFORMED);
    ASSERT_ERR(log_append(s, &f.c, "D", r, 1, NOW_MS, refs), ILONET_EINVAL);
    /* a DE node may not write a log of FR+IT */
    ASSERT_ERR(log_append(s, &f.c, "FR+IT", r, 1, NOW_MS, refs),
               ILONET_EAUDIENCE);
    ASSERT_OK(log_head(s, refs[0].lr_log, &h));
    ASSERT_EQ(h.lh_seq, 5);
    wire_buf_free(&wb);
    store_close(s);
    free(dir);
}

static void
append_without_certificate_is_refused(void)
{
    struct fx f;
    char *dir = test_tmpdir("nocert"), db[600];
    struct wire_buf wb;

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db);
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
    ASSERT_ERR(log_append(s, &f.c, "net", &r, 1, NOW_MS, NULL),
               ILONET_EUNKNOWNAUTHOR);
    wire_buf_free(&wb);
    store_close(s);
    free(dir);
}

static void
append_refused_when_self_behind(void)
{
    struct fx f;
    char *dir = test_tmpdir("behind"), db[600];
    struct wire_buf wb;
    struct log_ref ref;

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = own_store(&f, db);
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
    ASSERT_OK(log_append(s, &f.c, "net", &r, 1, NOW_MS, &ref));
    /* a peer shows our log at seq 9: we were restored from a backup */
    ASSERT_OK(log_mark_self_behind(s, ref.lr_log, 9));
    ASSERT_ERR(log_append(s, &f.c, "net", &r, 1, NOW_MS, &ref),
               ILONET_ESELFBEHIND);
    wire_buf_free(&wb);
    store_close(s);
    free(dir);
}

static void
frozen_own_log_refuses_append(void)
{
    struct fx f;
    char *dir = test_tmpdir("frozen"), db[600];
    struct wire_buf wb;
    struct log_ref ref;

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = own_store(&f, db);
    wire_buf_init(&wb, 4096);
    obs_payload(&wb, "x");
    struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
    ASSERT_OK(log_append(s, &f.c, "net", &r, 1, NOW_MS, &ref));
    sqlite3_exec(store_db(s), "UPDATE logs SET frozen = 2", NULL, NULL, NULL);
    ASSERT_ERR(log_append(s, &f.c, "net", &r, 1, NOW_MS, &ref), ILONET_EFROZEN);
    wire_buf_free(&wb);
    store_close(s);
    free(dir);
}

static void
two_processes_appending_never_fork(void)
{
    struct fx f;
    char *dir = test_tmpdir("race"), db[600];
    pid_t kids[2];

    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    store_close(own_store(&f, db));
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        ASSERT(kids[k] >= 0);
        if (kids[k] == 0) {
            struct store *s = open_store(&f, db);
            struct wire_buf wb;
            wire_buf_init(&wb, 4096);
            obs_payload(&wb, k ? "child b" : "child a");
            struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
            for (int i = 0; i < 1000; i++)
                if (log_append(s, &f.c, "net", &r, 1, NOW_MS, NULL) != 0)
                    _exit(3);
            store_close(s);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    struct store *s = open_store(&f, db);
    struct log_head *heads;
    size_t n;
    uint64_t checked, bad, ev;
    ASSERT_OK(log_heads(s, &heads, &n));
    ASSERT_EQ(n, 1);
    ASSERT_EQ(heads[0].lh_seq, 2001);
    free(heads);
    ASSERT_OK(log_verify_all(s, NULL, NULL, &checked, &bad));
    ASSERT_EQ(checked, 2001);
    ASSERT_EQ(bad, 0);
    ASSERT_OK(log_counts(s, NULL, NULL, &ev, NULL));
    ASSERT_EQ(ev, 0);
    store_close(s);
    free(dir);
}

/* ---- published test vectors (docs/FORMAT.md) ---- */

static void
vec_hex(FILE *f, const char *k, const uint8_t *b, size_t n)
{
    fprintf(f, "%s=", k);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
    fputc('\n', f);
}

/* Writes the vectors of the fixture's first two entries to f. */
static void
vectors_write(FILE *f)
{
    struct fx x;
    struct chain a;
    struct wire_buf b;

    fx_init(&x);
    chain_valid(&a, &x, &x.a, &x.de, "DE", "net", 1);
    fprintf(f, "# ilonet entry format test vectors (docs/FORMAT.md)\n");
    vec_hex(f, "state_root_seed_DE", (const uint8_t *)x.de.sk, 32);
    vec_hex(f, "state_root_pk_DE", x.de.pk, 32);
    vec_hex(f, "node_seed", x.a.sk, 32);
    vec_hex(f, "node_pk", x.a.pk, 32);
    vec_hex(f, "network_id", x.net, 32);
    fprintf(f, "audience=net\n");
    vec_hex(f, "log_id", a.ch_d.ld_id, 32);
    for (size_t i = 0; i < 2; i++) {
        char k[32];
        const struct entry *e = &a.ch_e[i];
        snprintf(k, sizeof(k), "seq%zu_payload", i + 1);
        vec_hex(f, k, e->e_payload, e->e_payload_len);
        snprintf(k, sizeof(k), "seq%zu_payload_hash", i + 1);
        vec_hex(f, k, e->e_h.h_payload_hash, 32);
        snprintf(k, sizeof(k), "seq%zu_header", i + 1);
        vec_hex(f, k, e->e_hdr, e->e_hdr_len);
        snprintf(k, sizeof(k), "seq%zu_signature", i + 1);
        vec_hex(f, k, e->e_sig, 64);
        snprintf(k, sizeof(k), "seq%zu_id", i + 1);
        vec_hex(f, k, e->e_id, 32);
    }
    wire_buf_init(&b, 1 << 16);
    batch_write(&b, &a, 0, 2, NULL);
    vec_hex(f, "batch_seq1_2", b.wb_data, b.wb_len);
    wire_buf_free(&b);
    chain_free(&a);
}

static void
format_vectors_match_committed(void)
{
    const char *path = getenv("ILONET_VECTORS");
    char *mine = NULL, *theirs = NULL;
    size_t ml = 0, tl = 0;
    FILE *f;

    if (!path)
        path = "tests/data/format_vectors.txt";
    f = open_memstream(&mine, &ml);
    vectors_write(f);
    fclose(f);
    if (getenv("CORPUS_WRITE"))
        write_file(path, (const uint8_t *)mine, ml);
    ASSERT_OK(cert_read_file(path, 1 << 20, (uint8_t **)&theirs, &tl));
    if (tl != ml || memcmp(mine, theirs, ml) != 0)
        TEST_FAIL_("%s differs from what this build produces", path);
    /* and the published entry verifies with the published key */
    struct entry e;
    memset(&e, 0, sizeof(e));
    char *hl = strstr(theirs, "seq2_header="),
         *sl = strstr(theirs, "seq2_signature=");
    char *pl = strstr(theirs, "node_pk=");
    ASSERT(hl && sl && pl);
    size_t hn = (size_t)(strchr(hl, '\n') - (hl + 12)) / 2;
    char tmp[1024];
    memcpy(tmp, hl + 12, 2 * hn);
    tmp[2 * hn] = 0;
    ASSERT_OK(hash_unhex(tmp, e.e_hdr, hn));
    e.e_hdr_len = hn;
    memcpy(tmp, sl + 15, 128);
    tmp[128] = 0;
    ASSERT_OK(hash_unhex(tmp, e.e_sig, 64));
    uint8_t pk[32];
    memcpy(tmp, pl + 8, 64);
    tmp[64] = 0;
    ASSERT_OK(hash_unhex(tmp, pk, 32));
    ASSERT_OK(entry_verify_sig(&e, pk));
    ASSERT_OK(entry_header_decode(e.e_hdr, e.e_hdr_len, &e.e_h));
    ASSERT_EQ(e.e_h.h_seq, 2);
    free(mine);
    free(theirs);
}

/* The id index follows the transactions it was written in: pairs pending
 * in memory are found before commit, leave with a refused batch or a
 * rollback, and reach table ids (early, between batches, past the flush
 * threshold) with exactly the entries that stay. */
static void
id_index_follows_transactions(void)
{
    struct fx f;
    struct chain a, b, bad;
    char *dir = test_tmpdir("ids"), db[600];
    struct log_batch lb;
    int64_t k;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 9);
    chain_valid(&b, &f, &f.b, &f.fr, "FR", "net", 3);
    chain_valid(&bad, &f, &f.c, &f.de, "DE", "net", 3);
    bad.ch_e[3].e_sig[1] ^= 2; /* the last signature: refused whole */
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db);
    store_set_ids_flush(s, 2);

    ASSERT_OK(store_begin(s)); /* a group, as the node opens one */
    ingest_chain(s, &a, 0, 4);
    ASSERT_OK(log_find(s, a.ch_e[2].e_id, &k));
    ASSERT_EQ(k & 0xffffffff, 3);
    lb.b_log = bad.ch_d;
    lb.b_count = 4;
    lb.b_entries = bad.ch_e;
    ASSERT_EQ(log_ingest(s, &lb, NOW_MS, NULL), ILONET_EBADSIG);
    ASSERT_EQ(log_find(s, bad.ch_e[1].e_id, &k), ILONET_ENOTFOUND);
    ingest_chain(s, &a, 4, 10); /* past the threshold: flushed first */
    ASSERT_GE(count_q(s, "SELECT count(*) FROM ids"), 4);
    ASSERT_OK(store_begin(s)); /* a nested unit of work that fails */
    ingest_chain(s, &b, 0, 4);
    ASSERT_OK(log_find(s, b.ch_e[3].e_id, &k));
    ASSERT_OK(store_rollback(s));
    ASSERT_EQ(log_find(s, b.ch_e[3].e_id, &k), ILONET_ENOTFOUND);
    for (size_t i = 0; i < 10; i++)
        ASSERT_OK(log_find(s, a.ch_e[i].e_id, &k));
    ASSERT_OK(store_commit(s));

    /* committed: every entry has exactly its pair, nothing else */
    ASSERT_EQ(count_q(s, "SELECT count(*) FROM ids"), 10);
    ASSERT_EQ(count_q(s, "SELECT count(*) FROM ids i JOIN entries e ON"
                         " e.k = i.k"),
              10);
    /* a whole transaction rolled back leaves no pair behind */
    ASSERT_OK(store_begin(s));
    ingest_chain(s, &b, 0, 4);
    ASSERT_OK(store_rollback(s));
    ASSERT_EQ(log_find(s, b.ch_e[0].e_id, &k), ILONET_ENOTFOUND);
    store_close(s);
    s = open_store(&f, db);
    for (size_t i = 0; i < 10; i++) {
        ASSERT_OK(log_find(s, a.ch_e[i].e_id, &k));
        ASSERT_EQ(k & 0xffffffff, i + 1);
    }
    ASSERT_EQ(count_q(s, "SELECT count(*) FROM ids"), 10);
    store_close(s);
    chain_free(&a);
    chain_free(&b);
    chain_free(&bad);
    free(dir);
}

/* Entries whose ids share the index's 4-byte key, more of them than a
 * lookup reads at first: ids ground to share a target's key must not hide
 * it. Real grinding costs some 2^32 hashes an entry, so the test writes
 * the colliding pairs itself (other entries' positions under the target's
 * key, each before the target's own in key order): log_find() still finds
 * the target, in memory and once committed, and an id that is not held
 * is still not found. */
static void
id_index_key_shared_by_many(void)
{
    struct fx f;
    struct chain a;
    char *dir = test_tmpdir("idkey"), db[600];
    int64_t k, kt;
    uint8_t other[HASH_LEN];

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 14);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    struct store *s = open_store(&f, db);
    ASSERT_OK(store_begin(s));
    ingest_chain(s, &a, 0, 15);
    ASSERT_OK(log_find(s, a.ch_e[14].e_id, &kt));
    for (int pass = 0; pass < 2; pass++) {
        int64_t key = log_id_key(a.ch_e[14].e_id);

        /* twelve decoys under the target's key: positions below its own */
        for (size_t i = 0; pass == 0 && i < 12; i++)
            ASSERT_OK(store_ids_add(s, key, kt - 1 - (int64_t)i));
        ASSERT_OK(log_find(s, a.ch_e[14].e_id, &k));
        ASSERT_EQ(k, kt);
        ASSERT_OK(log_find(s, a.ch_e[3].e_id, &k)); /* a decoy's own id */
        ASSERT_EQ(k & 0xffffffff, 4);
        memcpy(other, a.ch_e[14].e_id, HASH_LEN);
        other[HASH_LEN - 1] ^= 1; /* same key, not held */
        ASSERT_EQ(log_find(s, other, &k), ILONET_ENOTFOUND);
        if (pass == 0)
            ASSERT_OK(store_commit(s));
    }
    ASSERT_EQ(count_q(s, "SELECT count(*) FROM (SELECT k FROM ids UNION ALL"
                         " SELECT k FROM ids_tail)"),
              15 + 12);
    store_close(s);
    chain_free(&a);
    free(dir);
}

/* Positions stored under id's prefix, through the store's lookup. */
static size_t
ids_under(struct store *s, const uint8_t id[static HASH_LEN])
{
    int64_t ks[8], p = log_id_key(id);
    size_t n;

    ASSERT_OK(store_ids_find(s, p, p, ks, 8, &n));
    return n;
}

/* The id index's two levels as connections share them: pairs one
 * commits go into the small level (ids_tail) and are found by another; a
 * commit that takes the small level past its threshold, whoever wrote
 * its pairs, merges it into ids, and neither connection then misses a
 * pair or sees one twice; a merge undone by a rollback leaves both
 * levels as they were; a reopened store finds both. */
static void
id_index_levels_are_shared_by_connections(void)
{
    struct fx f;
    struct chain a, b, c;
    char *dir = test_tmpdir("idtail"), db[600];
    struct store *w, *r;
    int64_t k;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 9);
    chain_valid(&b, &f, &f.b, &f.fr, "FR", "net", 9);
    chain_valid(&c, &f, &f.c, &f.de, "DE", "net", 3);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    w = open_store(&f, db);
    r = open_store(&f, db);

    /* commits write the small level, not ids */
    ingest_chain(w, &a, 0, 4);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM ids"), 0);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM ids_tail"), 4);
    for (size_t i = 0; i < 4; i++)
        ASSERT_OK(log_find(r, a.ch_e[i].e_id, &k));
    ingest_chain(w, &a, 4, 10);
    ASSERT_OK(log_find(r, a.ch_e[9].e_id, &k));
    ASSERT_EQ(k & 0xffffffff, 10);

    /* r merges as it commits past its threshold: w sees each pair once */
    store_set_ids_flush(r, 12);
    ingest_chain(r, &b, 0, 4);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM ids"), 14);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM ids_tail"), 0);
    for (size_t i = 0; i < 10; i++) {
        ASSERT_EQ(ids_under(w, a.ch_e[i].e_id), 1);
        ASSERT_EQ(ids_under(r, a.ch_e[i].e_id), 1);
    }
    ASSERT_OK(log_find(w, b.ch_e[3].e_id, &k));

    /* the small level fills again after the merge */
    ingest_chain(w, &c, 0, 4);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM ids_tail"), 4);
    ASSERT_OK(log_find(r, c.ch_e[3].e_id, &k));
    ASSERT_EQ(ids_under(r, c.ch_e[0].e_id), 1);

    /* a merge inside a transaction that is rolled back */
    store_set_ids_flush(r, 2);
    ASSERT_OK(store_begin(r));
    ingest_chain(r, &b, 4, 10);
    ASSERT_OK(store_begin(r)); /* between batches, past 2 pairs: merged */
    ASSERT_OK(store_commit(r));
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM ids_tail"), 0);
    ASSERT_OK(store_rollback(r));
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM ids_tail"), 4);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM ids"), 14);
    ASSERT_EQ(log_find(r, b.ch_e[5].e_id, &k), ILONET_ENOTFOUND);
    for (size_t i = 0; i < 4; i++)
        ASSERT_EQ(ids_under(r, c.ch_e[i].e_id), 1);

    /* merges come rarer as ids grows: not before the small level holds a
     * sixteenth of it (ids counted as 1600 here) */
    ASSERT_OK(store_meta_set_u64(r, "ids_n", 1600));
    ingest_chain(r, &b, 4, 6);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM ids_tail"), 6);
    ASSERT_OK(log_find(w, b.ch_e[5].e_id, &k));

    /* reopened: both levels */
    store_close(w);
    w = open_store(&f, db);
    for (size_t i = 0; i < 4; i++)
        ASSERT_OK(log_find(w, c.ch_e[i].e_id, &k));
    ASSERT_OK(log_find(w, a.ch_e[0].e_id, &k));
    ASSERT_EQ(k & 0xffffffff, 1);
    store_close(w);
    store_close(r);
    chain_free(&a);
    chain_free(&b);
    chain_free(&c);
    free(dir);
}

/* A read snapshot sees the store as it was when it began while another
 * connection commits; the commit shows after it ends. Inside the
 * connection's own transaction it opens nothing, and no write can begin
 * inside one. A try at the write lock gives up while another holds it. */
static void
snapshot_holds_while_another_connection_commits(void)
{
    struct fx f;
    struct chain a, b;
    char *dir = test_tmpdir("snap"), db[600];
    struct store *r, *w;
    int opened, inner;

    fx_init(&f);
    chain_valid(&a, &f, &f.a, &f.de, "DE", "net", 4);
    chain_valid(&b, &f, &f.b, &f.fr, "FR", "net", 3);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    r = open_store(&f, db);
    w = open_store(&f, db);
    ingest_chain(w, &a, 0, 4);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM entries"), 4);
    ASSERT_OK(store_snapshot_begin(r, &opened));
    ASSERT_EQ(opened, 1);
    ingest_chain(w, &b, 0, 3);
    ASSERT_EQ(count_q(w, "SELECT count(*) FROM entries"), 7);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM entries"), 4);
    ASSERT_EQ(store_begin(r), ILONET_EBUSY);
    ASSERT_OK(store_snapshot_begin(r, &inner)); /* nested: nothing opened */
    ASSERT_EQ(inner, 0);
    store_snapshot_end(r, inner);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM entries"), 4);
    store_snapshot_end(r, opened);
    ASSERT_EQ(count_q(r, "SELECT count(*) FROM entries"), 7);
    /* inside a write transaction of its own: that is the snapshot */
    ASSERT_OK(store_begin(r));
    ASSERT_OK(store_snapshot_begin(r, &inner));
    ASSERT_EQ(inner, 0);
    store_snapshot_end(r, inner);
    ASSERT(store_in_txn(r));
    ASSERT_OK(store_commit(r));
    /* a try at the write lock that another connection holds gives up
     * (ILONET_EBUSY), takes it once it is free, and nests in a
     * transaction of its own; the plain wait is as it was after it */
    ASSERT_OK(store_begin(w));
    ASSERT_EQ(store_begin_try(r, 20), ILONET_EBUSY);
    ASSERT(!store_in_txn(r));
    ASSERT_OK(store_commit(w));
    ASSERT_OK(store_begin_try(r, 20));
    ASSERT_OK(store_begin_try(r, 0)); /* nested */
    ASSERT_OK(store_commit(r));
    ASSERT_OK(store_commit(r));
    ASSERT_OK(store_begin(r));
    ASSERT_OK(store_commit(r));
    store_close(r);
    store_close(w);
    chain_free(&a);
    chain_free(&b);
    free(dir);
}

TEST_LIST = {
    TEST(snapshot_holds_while_another_connection_commits),
    TEST(format_vectors_match_committed),
    TEST(invalid_corpus_exact_codes_store_unchanged),
    TEST(truncated_at_every_offset_is_refused),
    TEST(bit_flips_in_batch_never_store),
    TEST(ingest_valid_then_duplicate),
    TEST(batch_round_trip_through_store),
    TEST(fork_in_file_is_evidence_and_freezes),
    TEST(future_timestamp_is_stored_but_quarantined),
    TEST(audience_not_held_is_skipped),
    TEST(store_file_version_reads_only),
    TEST(append_chains_and_signs),
    TEST(append_without_certificate_is_refused),
    TEST(append_refused_when_self_behind),
    TEST(frozen_own_log_refuses_append),
    TEST(two_processes_appending_never_fork),
    TEST(id_index_follows_transactions),
    TEST(id_index_key_shared_by_many),
    TEST(id_index_levels_are_shared_by_connections),
};
TEST_MAIN()
