/* test_blob_sync.c - blobs between nodes: the BLOB_* codec, the transfer
 * state machine over real homes, three running nodes (docs/PROTOCOL.md
 * §11). */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "replication/blob_sync.h"
#include "storage/blob.h"
#include "storage/view/record.h"
#include "fixture.h"
#include "test.h"

#define MAXM 8

/* ---- fixtures ----------------------------------------------------------- */

static void
fill(uint8_t *b, size_t n, unsigned s)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)((i * 13 + 5 + s * 97 + (i >> 11) * s) & 0xff);
}

/* 1 if any regular file under path holds any of the n needles. */
static int
scan_path(const char *path, const void *const *p, const size_t *len, int n,
          char *hit, size_t cap)
{
    struct stat sb;
    struct dirent *de;
    DIR *d;
    int found = 0;

    if (lstat(path, &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode)) {
        size_t bn;
        uint8_t *b = fx_read_file(path, &bn);

        for (int i = 0; b && i < n && !found; i++)
            if (fx_has_bytes(b, bn, p[i], len[i])) {
                snprintf(hit, cap, "%s (needle %d)", path, i);
                found = 1;
            }
        free(b);
        return found;
    }
    if (!S_ISDIR(sb.st_mode) || !(d = opendir(path)))
        return 0;
    while (!found && (de = readdir(d))) {
        char sub[1024];

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        found = scan_path(sub, p, len, n, hit, cap);
    }
    closedir(d);
    return found;
}

struct fx {
    char *dir;
    char root[700];
    int n;
    struct proc_member m[MAXM];
};

/* A testnet whose listen ports are free now (nodes may run). */
static void
fx_net(struct fx *f, const char *tag, const char *states)
{
    int base = proc_pick_base(22000, 300, 10, (int)(getpid() % 300), 8);

    ASSERT_OK(key_global_init());
    ASSERT_GE(base, 0);
    f->dir = test_tmpdir(tag);
    snprintf(f->root, sizeof(f->root), "%s/t", f->dir);
    f->n = proc_testnet(f->root, states, base, f->m, MAXM);
    ASSERT_GE(f->n, 2);
}

static void
fx_home(struct fx *f, const char *state, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->root, state);
}

/* `ilonet ARGS` (printf format), asserting exit 0; stdout into out. */
static void fx_cli(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
fx_cli(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (proc_run(out, cap, "'%s' %s 2>/dev/null", proc_bin(), cmd) != 0)
        TEST_FAIL_("ilonet %s failed", cmd);
}

/* ---- the codec ------------------------------------------------------------
 */

/* Each message round-trips; every proper prefix, a wrong type, a zero
 * count and trailing bytes are refused; only types 8-11 are ours. */
static void
codec_round_trip_and_refusals(void)
{
    static uint8_t data[1000];
    uint8_t id[HASH_LEN];
    struct blob_sync_msg m;
    struct blob_chunk c;
    struct wire_buf wb;

    memset(id, 0x5a, sizeof(id));
    fill(data, sizeof(data), 3);
    memset(&c, 0, sizeof(c));
    memcpy(c.bc_id, id, HASH_LEN);
    c.bc_index = 3;
    c.bc_data = data;
    c.bc_len = sizeof(data);
    c.bc_nproof = 2;
    memset(c.bc_proof[0], 1, HASH_LEN);
    memset(c.bc_proof[1], 2, HASH_LEN);
    for (int t = 0; t < 4; t++) {
        wire_buf_init(&wb, BLOB_SYNC_MSG_MAX);
        if (t == 0)
            blob_sync_encode_want(&wb, id, 7, 4);
        else if (t == 1)
            blob_sync_encode_chunk(&wb, &c);
        else
            blob_sync_encode_id(
                &wb, t == 2 ? BLOB_SYNC_T_NONE : BLOB_SYNC_T_CANCEL, id);
        ASSERT(!wb.wb_err);
        ASSERT(blob_sync_is_mine(wb.wb_data, wb.wb_len));
        ASSERT_OK(blob_sync_decode(wb.wb_data, wb.wb_len, &m));
        ASSERT_EQ(m.bm_type, (enum blob_sync_type)(BLOB_SYNC_T_WANT + t));
        ASSERT_MEM_EQ(m.bm_id, id, HASH_LEN);
        if (t == 0) {
            ASSERT_EQ(m.bm_from, 7);
            ASSERT_EQ(m.bm_count, 4);
        }
        if (t == 1) {
            ASSERT_EQ(m.bm_chunk.bc_index, 3);
            ASSERT_EQ(m.bm_chunk.bc_len, sizeof(data));
            ASSERT_MEM_EQ(m.bm_chunk.bc_data, data, sizeof(data));
            ASSERT_EQ(m.bm_chunk.bc_nproof, 2);
        }
        for (size_t k = 0; k < wb.wb_len; k++)
            ASSERT(blob_sync_decode(wb.wb_data, k, &m) < 0);
        wire_buf_free(&wb);
    }
    /* count 0, an unknown type, a sync type, trailing bytes */
    {
        static const uint8_t zero[] = {
            0x94, 0x08, 0xc4, 0x20, 1, 1, 1, 1, 1, 1, 1,    1,   1,
            1,    1,    1,    1,    1, 1, 1, 1, 1, 1, 1,    1,   1,
            1,    1,    1,    1,    1, 1, 1, 1, 1, 1, 0x00, 0x00};
        static const uint8_t other[] = {0x92, 0x0c, 0xc0};
        static const uint8_t sync_ack[] = {0x92, 0x07, 0x01};
        uint8_t trail[64];

        ASSERT_ERR(blob_sync_decode(zero, sizeof(zero), &m), ILONET_EPROTO);
        ASSERT(!blob_sync_is_mine(other, sizeof(other)));
        ASSERT(blob_sync_decode(other, sizeof(other), &m) < 0);
        ASSERT(!blob_sync_is_mine(sync_ack, sizeof(sync_ack)));
        wire_buf_init(&wb, 64);
        blob_sync_encode_id(&wb, BLOB_SYNC_T_NONE, id);
        memcpy(trail, wb.wb_data, wb.wb_len);
        trail[wb.wb_len] = 0xc0;
        ASSERT(blob_sync_decode(trail, wb.wb_len + 1, &m) < 0);
        wire_buf_free(&wb);
    }
}

/* ---- the state machine over real homes ------------------------------------
 */

/* One node in this process: its home, blob store and transfer machine. */
struct side {
    struct home h;
    struct blob_store *bs;
    struct blob_sync_sqlite q;
    struct blob_sync *b;
};

static void
side_open(struct fx *f, const char *state, struct side *s)
{
    char dir[800];
    struct blob_sync_store st;

    memset(s, 0, sizeof(*s));
    fx_home(f, state, dir, sizeof(dir));
    ASSERT_OK(home_open(&s->h, dir, HOME_STORE));
    ASSERT_OK(home_blob_open(&s->h, &s->bs));
    s->q.bq_bs = s->bs;
    s->q.bq_eager_ms = 30ull * 86400 * 1000;
    blob_sync_store_sqlite(&st, &s->q);
    ASSERT_OK(blob_sync_new(&s->b, &st, NULL, NULL));
}

static void
side_close(struct side *s)
{
    blob_sync_free(s->b);
    blob_close(s->bs);
    home_close(&s->h);
}

/* a's session for b, told who b is. */
static struct blob_sync_peer *
session(struct side *a, struct side *b)
{
    struct blob_sync_peer *p;

    ASSERT_OK(blob_sync_peer_new(a->b, b->h.h_key.pk, &p));
    blob_sync_peer_ready(p, b->h.h_cert.c_state, (int)b->h.h_cert.c_role);
    return p;
}

/* What went over a link, and the first chunk to damage (-1: none). */
struct wire_log {
    int chunks, wants, nones, cancels;
    int damage_index;
    int damaged;
    int fail_side; /* 0: a's recv failed, 1: b's */
};

/* Moves every message between sessions x (on a) and y (on b) until both
 * are quiet, ticking both nodes in between: 0, or the first recv error. */
static int
pump(struct side *a, struct blob_sync_peer *x, struct side *b,
     struct blob_sync_peer *y, struct wire_log *w, uint64_t now)
{
    for (int round = 0; round < 10000; round++) {
        int moved = 0;

        ASSERT_OK(blob_sync_tick(a->b, now));
        ASSERT_OK(blob_sync_tick(b->b, now));
        for (int dir = 0; dir < 2; dir++) {
            struct blob_sync_peer *src = dir ? y : x, *dst = dir ? x : y;
            uint8_t *msg;
            size_t len;
            int rc;

            while (blob_sync_has_out(src)) {
                struct blob_sync_msg m;

                ASSERT_OK(blob_sync_next_out(src, &msg, &len));
                ASSERT(msg);
                ASSERT_OK(blob_sync_decode(msg, len, &m));
                w->chunks += m.bm_type == BLOB_SYNC_T_CHUNK;
                w->wants += m.bm_type == BLOB_SYNC_T_WANT;
                w->nones += m.bm_type == BLOB_SYNC_T_NONE;
                w->cancels += m.bm_type == BLOB_SYNC_T_CANCEL;
                if (m.bm_type == BLOB_SYNC_T_CHUNK && !w->damaged &&
                    (int)m.bm_chunk.bc_index == w->damage_index) {
                    /* one bit of the data, in transit */
                    msg[m.bm_chunk.bc_data - msg + 100] ^= 0x10;
                    w->damaged = 1;
                }
                rc = blob_sync_recv(dst, msg, len, now);
                free(msg);
                moved = 1;
                if (rc != 0) {
                    w->fail_side = dir ? 0 : 1;
                    return rc;
                }
            }
        }
        if (!moved)
            return 0;
        now += 10;
    }
    TEST_FAIL_("the link never went quiet");
    return 0;
}

struct world {
    struct fx f;
    char task[80]; /* the DE+FR task that carries the file */
    char jh[65];
    uint8_t jid[HASH_LEN];
    uint8_t *data;
    size_t n;
};

/* DE writes a DE+FR task with a 5-chunk file; FR and IT import DE's
 * entries, so FR holds a reference (wanted) and IT holds none. */
static void
world_make(struct world *w, const char *tag)
{
    char de[800], in[900], out[4096], task[80];

    memset(w, 0, sizeof(*w));
    fx_net(&w->f, tag, "DE,FR,IT");
    fx_home(&w->f, "DE", de, sizeof(de));
    w->n = 4 * BLOB_CHUNK + 1234;
    ASSERT((w->data = malloc(w->n)) != NULL);
    fill(w->data, w->n, 21);
    snprintf(in, sizeof(in), "%s/scan.bin", w->f.dir);
    fx_write_file(in, w->data, w->n);
    fx_cli(out, sizeof(out), "-C %s task create --for FR --title scan", de);
    ASSERT_EQ(sscanf(out, "%64s", task), 1);
    snprintf(w->task, sizeof(w->task), "%s", task);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in, task);
    ASSERT_EQ(sscanf(out, "%64s", w->jh), 1);
    ASSERT_OK(hash_unhex(w->jh, w->jid, HASH_LEN));
    fx_cli(out, sizeof(out), "-C %s export --out %s/de.x", de, w->f.dir);
    fx_cli(out, sizeof(out), "-C %s/FR import %s/de.x", w->f.root, w->f.dir);
    fx_cli(out, sizeof(out), "-C %s/IT import %s/de.x", w->f.root, w->f.dir);
}

/* FR's copy of the blob reads back byte for byte. */
static void
check_fr_copy(struct world *w, struct side *fr)
{
    uint8_t key[BLOB_KEY_LEN], *b;
    char out[900];
    size_t n;

    snprintf(out, sizeof(out), "%s/fr.bin", w->f.dir);
    ASSERT_OK(blob_key(fr->bs, w->jid, key));
    ASSERT_OK(blob_read_to(fr->bs, w->jid, key, out, NULL, 0));
    ASSERT((b = fx_read_file(out, &n)) != NULL);
    ASSERT_EQ(n, w->n);
    ASSERT_MEM_EQ(b, w->data, w->n);
    free(b);
}

/* A chunk with one flipped bit is refused at once and the session struck;
 * the chunks verified before it stay, and a new session (a link that came
 * back) asks only for the rest: the blob completes byte for byte. */
static void
bad_chunk_struck_then_resumed(void)
{
    struct world w;
    struct side de, fr;
    struct blob_sync_peer *x, *y;
    struct blob_sync_stats st;
    struct wire_log l = {0};
    struct blob_info bi;

    world_make(&w, "bsync_resume");
    side_open(&w.f, "DE", &de);
    side_open(&w.f, "FR", &fr);
    x = session(&de, &fr);
    y = session(&fr, &de);
    l.damage_index = 2;
    ASSERT_ERR(pump(&de, x, &fr, y, &l, 1000), ILONET_EHASH);
    ASSERT_EQ(l.fail_side, 1); /* FR refused it */
    blob_sync_peer_stats(y, &st);
    ASSERT_EQ(st.bs_strikes, 1);
    ASSERT_EQ(st.bs_chunks_in, 2); /* 0 and 1 verified and kept */
    ASSERT_OK(blob_get_info(fr.bs, w.jid, &bi));
    ASSERT_EQ(bi.bi_state, BLOB_WANTED);
    /* the connection closes; another one comes */
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    x = session(&de, &fr);
    y = session(&fr, &de);
    memset(&l, 0, sizeof(l));
    l.damage_index = -1;
    ASSERT_OK(pump(&de, x, &fr, y, &l, 20000));
    ASSERT_EQ(l.chunks, 3); /* chunks 2, 3, 4 only */
    blob_sync_peer_stats(y, &st);
    ASSERT_EQ(st.bs_strikes, 0);
    ASSERT_EQ(st.bs_blobs_in, 1);
    ASSERT_OK(blob_get_info(fr.bs, w.jid, &bi));
    ASSERT_EQ(bi.bi_state, BLOB_HELD);
    check_fr_copy(&w, &fr);
    /* nothing partial is left behind */
    {
        char part[1000];

        snprintf(part, sizeof(part), "%s/FR/blobs/.part-%s", w.f.root, w.jh);
        ASSERT(access(part, F_OK) != 0);
    }
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    side_close(&de);
    side_close(&fr);
    free(w.data);
    free(w.f.dir);
}

/* A transfer cut by a restart of the fetching node goes on from the
 * chunks its partial kept on disk: the machine is freed (the node stops),
 * the collector runs at the next start and keeps the partial of a blob
 * still wanted, and a new machine asks only for the rest. A partial whose
 * last chunk was torn (a crash mid-write) resumes after its last whole
 * chunk. Nothing partial is ever held, and the blob reads back byte for
 * byte. */
static void
restart_resumes_from_disk(void)
{
    struct world w;
    struct side de, fr;
    struct blob_sync_peer *x, *y;
    struct wire_log l = {0};
    struct blob_info bi;
    struct stat sb;
    char part[1000];
    uint64_t removed = 0;

    world_make(&w, "bsync_restart");
    snprintf(part, sizeof(part), "%s/FR/blobs/.part-%s", w.f.root, w.jh);
    side_open(&w.f, "DE", &de);
    side_open(&w.f, "FR", &fr);
    x = session(&de, &fr);
    y = session(&fr, &de);
    l.damage_index = 3; /* the link breaks after chunks 0-2 */
    ASSERT_ERR(pump(&de, x, &fr, y, &l, 1000), ILONET_EHASH);
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    /* FR stops: its machine goes, the partial stays, nothing is held */
    side_close(&fr);
    ASSERT_OK(stat(part, &sb));
    side_open(&w.f, "FR", &fr);
    ASSERT_OK(blob_gc(fr.bs, 5000, &removed)); /* the start's collection */
    ASSERT_OK(blob_gc(fr.bs, 5000 + 2 * 3600 * 1000, &removed)); /* hours */
    ASSERT_OK(stat(part, &sb));
    ASSERT_OK(blob_get_info(fr.bs, w.jid, &bi));
    ASSERT_EQ(bi.bi_state, BLOB_WANTED);
    /* a crash mid-write: chunk 2's seal is cut short */
    ASSERT_EQ(
        truncate(part, BLOB_FILE_HDR_LEN +
                           2 * (BLOB_CHUNK +
                                crypto_secretstream_xchacha20poly1305_ABYTES) +
                           500),
        0);
    x = session(&de, &fr);
    y = session(&fr, &de);
    memset(&l, 0, sizeof(l));
    l.damage_index = -1;
    ASSERT_OK(pump(&de, x, &fr, y, &l, 20000));
    ASSERT_EQ(l.chunks, 3); /* chunks 2, 3, 4 only */
    ASSERT_OK(blob_get_info(fr.bs, w.jid, &bi));
    ASSERT_EQ(bi.bi_state, BLOB_HELD);
    check_fr_copy(&w, &fr);
    ASSERT(access(part, F_OK) != 0);
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    side_close(&de);
    side_close(&fr);
    free(w.data);
    free(w.f.dir);
}

/* A partial kept for a restart goes with its blob's last reference: the
 * task is erased on DE, FR imports the erasure (the import collects), and
 * the partial sealed under the erased key is wiped. */
static void
partial_of_erased_blob_wiped(void)
{
    struct world w;
    struct side de, fr;
    struct blob_sync_peer *x, *y;
    struct wire_log l = {0};
    char part[1000], out[4096];

    world_make(&w, "bsync_erasepart");
    snprintf(part, sizeof(part), "%s/FR/blobs/.part-%s", w.f.root, w.jh);
    side_open(&w.f, "DE", &de);
    side_open(&w.f, "FR", &fr);
    x = session(&de, &fr);
    y = session(&fr, &de);
    l.damage_index = 3;
    ASSERT_ERR(pump(&de, x, &fr, y, &l, 1000), ILONET_EHASH);
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    side_close(&fr);
    side_close(&de);
    ASSERT_EQ(access(part, F_OK), 0);
    fx_cli(out, sizeof(out), "-C %s/DE erase %s", w.f.root, w.task);
    fx_cli(out, sizeof(out), "-C %s/DE export --out %s/de2.x", w.f.root,
           w.f.dir);
    fx_cli(out, sizeof(out), "-C %s/FR import %s/de2.x", w.f.root, w.f.dir);
    ASSERT(access(part, F_OK) != 0);
    free(w.data);
    free(w.f.dir);
}

/* IT, a member, writes net records naming a real blob id with wrong sizes
 * (a 500-byte one, then a 40-chunk one, each with a key of its own); FR
 * holds them before DE's honest reference. FR still fetches the file from
 * DE: chunk 0 proves the true size, nothing past the smallest size given
 * is asked before it, and no honest peer is struck. */
static void
wrong_size_reference_not_trusted(void)
{
    static const uint64_t lies[2] = {500, 40ull * BLOB_CHUNK};
    struct fx f;
    struct side de, fr;
    struct blob_sync_peer *x, *y;
    struct blob_sync_stats st;
    struct wire_log l = {0};
    struct blob_info bi;
    struct world w;
    struct home h;
    char de_dir[800], in[900], out[4096], obs[80];

    memset(&w, 0, sizeof(w));
    fx_net(&w.f, "bsync_wrongsize", "DE,FR,IT");
    f = w.f;
    fx_home(&f, "DE", de_dir, sizeof(de_dir));
    w.n = 4 * BLOB_CHUNK + 1234;
    ASSERT((w.data = malloc(w.n)) != NULL);
    fill(w.data, w.n, 31);
    snprintf(in, sizeof(in), "%s/route.bin", f.dir);
    fx_write_file(in, w.data, w.n);
    fx_cli(out, sizeof(out),
           "-C %s observe --category routes --summary 'route map'", de_dir);
    ASSERT_EQ(sscanf(out, "%64s", obs), 1);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de_dir, in, obs);
    ASSERT_EQ(sscanf(out, "%64s", w.jh), 1);
    ASSERT_OK(hash_unhex(w.jh, w.jid, HASH_LEN));
    /* IT's lies, each a net observation of its own */
    {
        char it[800];

        fx_home(&f, "IT", it, sizeof(it));
        ASSERT_OK(home_open(&h, it, HOME_STORE));
    }
    for (int i = 0; i < 2; i++) {
        struct blob_ref ref;
        struct wire_buf wb;
        char *hex;
        struct app_field fl[3] = {{"category", "routes"},
                                  {"summary", "the same file"},
                                  {"attachments", NULL}};
        struct app_record_req r = {KIND_OBSERVATION, fl, 3, NULL, NULL};
        struct app_written wr;
        struct app_err e;

        memset(&ref, 0, sizeof(ref));
        memcpy(ref.br_id, w.jid, HASH_LEN);
        randombytes_buf(ref.br_key, sizeof(ref.br_key));
        ref.br_size = lies[i];
        snprintf(ref.br_type, sizeof(ref.br_type), "application/octet-stream");
        snprintf(ref.br_name, sizeof(ref.br_name), "route.bin");
        wire_buf_init(&wb, 4096);
        blob_refs_pack(&wb, &ref, 1);
        ASSERT((hex = malloc(2 * wb.wb_len + 1)) != NULL);
        hash_hex(wb.wb_data, wb.wb_len, hex);
        wire_buf_free(&wb);
        fl[2].af_value = hex;
        if (app_record_create(&h, &r, &wr, &e) != 0)
            TEST_FAIL_("IT's reference: %s", e.ae_msg);
        free(hex);
    }
    home_close(&h);
    /* FR takes IT's entries first, then DE's */
    fx_cli(out, sizeof(out), "-C %s/IT export --out %s/it.x", f.root, f.dir);
    fx_cli(out, sizeof(out), "-C %s/FR import %s/it.x", f.root, f.dir);
    fx_cli(out, sizeof(out), "-C %s export --out %s/de.x", de_dir, f.dir);
    fx_cli(out, sizeof(out), "-C %s/FR import %s/de.x", f.root, f.dir);
    side_open(&f, "DE", &de);
    side_open(&f, "FR", &fr);
    x = session(&de, &fr);
    y = session(&fr, &de);
    l.damage_index = -1;
    ASSERT_OK(pump(&de, x, &fr, y, &l, 1000));
    ASSERT_EQ(l.chunks, 5);
    blob_sync_peer_stats(y, &st);
    ASSERT_EQ(st.bs_strikes, 0);
    ASSERT_EQ(st.bs_blobs_in, 1);
    blob_sync_peer_stats(x, &st);
    ASSERT_EQ(st.bs_strikes, 0); /* DE never saw a range past the file */
    ASSERT_OK(blob_get_info(fr.bs, w.jid, &bi));
    ASSERT_EQ(bi.bi_state, BLOB_HELD);
    ASSERT_EQ(bi.bi_size, w.n);
    check_fr_copy(&w, &fr);
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    side_close(&de);
    side_close(&fr);
    free(w.data);
    free(f.dir);
}

/* A transfer FR gives up on (a stall: no chunk for bc_want_ms) is
 * cancelled at DE; the chunks DE had already sent are dropped, not taken
 * for a fault, and the transfer goes on later from where it was. */
static void
cancelled_chunks_in_flight_are_not_faults(void)
{
    struct world w;
    struct side de, fr;
    struct blob_sync_peer *x, *y;
    struct blob_sync_stats st;
    struct blob_sync_msg m;
    struct wire_log l = {0};
    uint8_t *msg, *late[4];
    size_t len, late_len[4], nlate = 0;

    world_make(&w, "bsync_cancel");
    side_open(&w.f, "DE", &de);
    side_open(&w.f, "FR", &fr);
    x = session(&de, &fr);
    y = session(&fr, &de);
    ASSERT_OK(blob_sync_tick(fr.b, 1000));
    ASSERT_OK(blob_sync_next_out(y, &msg, &len)); /* WANT 0..3 */
    ASSERT_OK(blob_sync_recv(x, msg, len, 1000));
    free(msg);
    /* DE answers; the chunks stay on the wire */
    while (blob_sync_has_out(x) && nlate < 4) {
        ASSERT_OK(blob_sync_next_out(x, &late[nlate], &late_len[nlate]));
        nlate++;
    }
    ASSERT_EQ(nlate, 4);
    /* FR's stall timer fires first: CANCEL */
    ASSERT_OK(blob_sync_tick(fr.b, 1000 + 60000));
    ASSERT_OK(blob_sync_next_out(y, &msg, &len));
    ASSERT_OK(blob_sync_decode(msg, len, &m));
    ASSERT_EQ(m.bm_type, BLOB_SYNC_T_CANCEL);
    ASSERT_OK(blob_sync_recv(x, msg, len, 61000));
    free(msg);
    for (size_t i = 0; i < nlate; i++) {
        ASSERT_OK(blob_sync_recv(y, late[i], late_len[i], 61000));
        free(late[i]);
    }
    blob_sync_peer_stats(y, &st);
    ASSERT_EQ(st.bs_strikes, 0);
    ASSERT_EQ(st.bs_chunks_in, 0);
    /* later (DE is not asked again for bc_none_ms) it completes */
    memset(&l, 0, sizeof(l));
    l.damage_index = -1;
    ASSERT_OK(pump(&de, x, &fr, y, &l, 61000 + 20000));
    ASSERT_EQ(l.chunks, 5);
    check_fr_copy(&w, &fr);
    blob_sync_peer_free(x);
    blob_sync_peer_free(y);
    side_close(&de);
    side_close(&fr);
    free(w.data);
    free(w.f.dir);
}

/* IT, outside DE+FR: FR never names the blob to it; asked by IT, DE
 * answers BLOB_NONE exactly as for an id it has never seen, no strike.
 * A chunk nobody asked for, a WANT over the window: struck. */
static void
non_member_never_asked_never_served(void)
{
    struct world w;
    struct side de, fr, it;
    struct blob_sync_peer *fr_it, *de_it, *fr_de;
    struct blob_sync_stats st;
    struct blob_sync_msg m;
    struct wire_buf wb;
    uint8_t *msg, unknown[HASH_LEN];
    size_t len;

    world_make(&w, "bsync_confine");
    side_open(&w.f, "DE", &de);
    side_open(&w.f, "FR", &fr);
    side_open(&w.f, "IT", &it);
    /* FR with IT as its only session: the id never goes out */
    fr_it = session(&fr, &it);
    ASSERT_OK(blob_sync_tick(fr.b, 1000));
    ASSERT(!blob_sync_has_out(fr_it));
    ASSERT(blob_sync_peer_idle(fr_it));
    /* IT asks DE anyway (it could only guess the id) */
    de_it = session(&de, &it);
    memset(unknown, 0x77, sizeof(unknown));
    for (int k = 0; k < 2; k++) {
        wire_buf_init(&wb, 128);
        blob_sync_encode_want(&wb, k ? unknown : w.jid, 0, 4);
        ASSERT_OK(blob_sync_recv(de_it, wb.wb_data, wb.wb_len, 1000));
        wire_buf_free(&wb);
        ASSERT_OK(blob_sync_next_out(de_it, &msg, &len));
        ASSERT(msg);
        ASSERT_OK(blob_sync_decode(msg, len, &m));
        ASSERT_EQ(m.bm_type, BLOB_SYNC_T_NONE);
        ASSERT_MEM_EQ(m.bm_id, k ? unknown : w.jid, HASH_LEN);
        ASSERT(!blob_sync_has_out(de_it));
        free(msg);
    }
    blob_sync_peer_stats(de_it, &st);
    ASSERT_EQ(st.bs_strikes, 0);
    ASSERT_EQ(st.bs_chunks_out, 0);
    /* with DE connected, FR asks DE and only DE */
    fr_de = session(&fr, &de);
    ASSERT_OK(blob_sync_tick(fr.b, 1100));
    ASSERT(blob_sync_has_out(fr_de));
    ASSERT(!blob_sync_has_out(fr_it));
    ASSERT_OK(blob_sync_next_out(fr_de, &msg, &len));
    ASSERT_OK(blob_sync_decode(msg, len, &m));
    ASSERT_EQ(m.bm_type, BLOB_SYNC_T_WANT);
    ASSERT_MEM_EQ(m.bm_id, w.jid, HASH_LEN);
    ASSERT_EQ(m.bm_from, 0);
    ASSERT_EQ(m.bm_count, 4);
    free(msg);
    /* a chunk nobody asked for (IT to FR): protocol, strike */
    {
        static uint8_t d[BLOB_CHUNK];
        struct blob_chunk c;

        memset(&c, 0, sizeof(c));
        memcpy(c.bc_id, unknown, HASH_LEN);
        c.bc_data = d;
        c.bc_len = sizeof(d);
        wire_buf_init(&wb, BLOB_SYNC_MSG_MAX);
        blob_sync_encode_chunk(&wb, &c);
        ASSERT_ERR(blob_sync_recv(fr_it, wb.wb_data, wb.wb_len, 1200),
                   ILONET_EPROTO);
        wire_buf_free(&wb);
        blob_sync_peer_stats(fr_it, &st);
        ASSERT_EQ(st.bs_strikes, 1);
    }
    /* a WANT over the window: protocol, strike */
    wire_buf_init(&wb, 128);
    blob_sync_encode_want(&wb, w.jid, 0, 64);
    ASSERT_ERR(blob_sync_recv(de_it, wb.wb_data, wb.wb_len, 1300),
               ILONET_EPROTO);
    wire_buf_free(&wb);
    blob_sync_peer_stats(de_it, &st);
    ASSERT_EQ(st.bs_strikes, 1);
    blob_sync_peer_free(fr_it);
    blob_sync_peer_free(de_it);
    blob_sync_peer_free(fr_de);
    side_close(&de);
    side_close(&fr);
    side_close(&it);
    /* IT's home never saw the id */
    {
        const void *p[2] = {w.jid, w.jh};
        size_t len2[2] = {HASH_LEN, 64};
        char dir[800], hit[1200];

        fx_home(&w.f, "IT", dir, sizeof(dir));
        if (scan_path(dir, p, len2, 2, hit, sizeof(hit)))
            TEST_FAIL_("IT holds the DE+FR blob id: %s", hit);
    }
    free(w.data);
    free(w.f.dir);
}

/* ---- three running nodes ------------------------------------------------- */

/* Polls `blob list --json` of dir until it shows hash held: 1, or 0 after
 * timeout_ms. */
static int
wait_held(const char *dir, const char *hash, unsigned timeout_ms)
{
    static char out[1 << 16];
    char want[120];
    uint64_t until = proc_mono_ms() + timeout_ms;

    snprintf(want, sizeof(want), "\"hash\":\"%s\",\"state\":\"held\"", hash);
    do {
        if (proc_run(out, sizeof(out), "'%s' -C %s blob list --json",
                     proc_bin(), dir) == 0 &&
            strstr(out, want))
            return 1;
        proc_sleep_ms(100);
    } while (proc_mono_ms() < until);
    return 0;
}

/*
 * A running node killed in the middle of a transfer takes it up from its
 * partial when it starts again: FR fetches a 24 MiB file from DE; once
 * FR's partial holds a few chunks, DE is frozen (SIGSTOP: at most the
 * window's chunks are still on the way) and FR killed (SIGKILL, a crash).
 * Started again, FR's log says where it resumed and that it fetched only
 * the chunks after it; the file reads back byte for byte. Should the
 * machine be so slow that the whole file arrived between two looks at the
 * partial, the attempt is made again with another file (at most 3).
 */
static void
node_restart_resumes(void)
{
    static uint8_t big[24u << 20];
    const uint32_t n = (uint32_t)(sizeof(big) / BLOB_CHUNK);
    struct fx f;
    pid_t de_pid, fr_pid;
    char de[800], fr[800], log[3][900], in[900], out[4096], obs[80];
    char jh[65], part[1000], whole[1000], line[200], got[900], *p;
    unsigned resumed = 0, fetched = 0, cut = 0;
    uint8_t *b;
    size_t bn;

    fx_net(&f, "blob_restart", "DE,FR");
    fx_home(&f, "DE", de, sizeof(de));
    fx_home(&f, "FR", fr, sizeof(fr));
    snprintf(log[0], sizeof(log[0]), "%s.log", de);
    snprintf(log[1], sizeof(log[1]), "%s.log", fr);
    snprintf(log[2], sizeof(log[2]), "%s-2.log", fr);
    de_pid = proc_node_spawn(de, log[0], PROC_LOG_TRUNC, NULL, NULL);
    ASSERT(de_pid > 0);
    for (int attempt = 0; attempt < 3 && !cut; attempt++) {
        uint64_t until;
        struct stat sb;

        fill(big, sizeof(big), 70 + (unsigned)attempt);
        snprintf(in, sizeof(in), "%s/big%d.bin", f.dir, attempt);
        fx_write_file(in, big, sizeof(big));
        fx_cli(out, sizeof(out),
               "-C %s observe --category routes --summary 'big %d'", de,
               attempt);
        ASSERT_EQ(sscanf(out, "%64s", obs), 1);
        fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in, obs);
        ASSERT_EQ(sscanf(out, "%64s", jh), 1);
        snprintf(part, sizeof(part), "%s/blobs/.part-%s", fr, jh);
        fr_pid = proc_node_spawn(fr, log[1], PROC_LOG_TRUNC, NULL, NULL);
        ASSERT(fr_pid > 0);
        snprintf(whole, sizeof(whole), "%s/blobs/%s", fr, jh);
        /* a few chunks in, then DE frozen and FR killed */
        until = proc_mono_ms() + 120000;
        while (proc_mono_ms() < until && access(whole, F_OK) != 0) {
            if (stat(part, &sb) != 0)
                proc_sleep_ms(1);
            else if ((uint64_t)sb.st_size >= 8ull * BLOB_CHUNK)
                break;
        }
        ASSERT_EQ(kill(de_pid, SIGSTOP), 0);
        proc_reap(fr_pid, SIGKILL, NULL);
        ASSERT_EQ(kill(de_pid, SIGCONT), 0);
        cut = access(part, F_OK) == 0;
    }
    if (!cut)
        TEST_FAIL_("the file always arrived whole before FR could be stopped");
    fx_cli(out, sizeof(out), "-C %s blob list --json", fr);
    ASSERT(!strstr(out, "\"state\":\"held\""));
    fr_pid = proc_node_spawn(fr, log[2], PROC_LOG_TRUNC, NULL, NULL);
    ASSERT(fr_pid > 0);
    if (!wait_held(fr, jh, 120000))
        TEST_FAIL_("FR never held the file after its restart (see %s)", log[2]);
    ASSERT_EQ(proc_wait_file(log[2], "chunks fetched after resuming", 60000),
              0);
    ASSERT((b = fx_read_file(log[2], &bn)) != NULL);
    b = realloc(b, bn + 1);
    ASSERT(b);
    b[bn] = '\0';
    snprintf(line, sizeof(line), "blob %.16s resumed at chunk ", jh);
    ASSERT((p = strstr((char *)b, line)) != NULL);
    ASSERT_EQ(sscanf(p + strlen(line), "%u of", &resumed), 1);
    snprintf(line, sizeof(line), "blob %.16s: ", jh);
    ASSERT((p = strstr((char *)b, line)) != NULL);
    ASSERT_EQ(sscanf(p + strlen(line), "%u chunks", &fetched), 1);
    free(b);
    ASSERT_GE(resumed, 1);
    ASSERT(resumed < n);
    ASSERT_EQ(fetched, n - resumed); /* the rest only */
    snprintf(got, sizeof(got), "%s/fr-big.bin", f.dir);
    fx_cli(out, sizeof(out), "-C %s blob get %s --out %s", fr, jh, got);
    ASSERT((b = fx_read_file(got, &bn)) != NULL);
    ASSERT_EQ(bn, sizeof(big));
    ASSERT_MEM_EQ(b, big, sizeof(big));
    free(b);
    ASSERT(access(part, F_OK) != 0);
    proc_reap(fr_pid, SIGTERM, NULL);
    proc_reap(de_pid, SIGTERM, NULL);
    free(f.dir);
}

/*
 * Attach -> sync -> get between running nodes: DE writes a DE+FR task with
 * a JPEG carrying a canary and a net observation with a PDF; FR gets the
 * JPEG byte for byte, IT gets the PDF (the wire works for it) but never
 * the JPEG, its key or its id, on disk or in its log. Erasing the task on
 * DE then removes the JPEG's file on DE and FR and its key from FR's disk.
 */
static void
three_nodes_attach_sync_get(void)
{
    static const char canary[] = "CANARY-wire-DEFR-9e1b77c3-forged-visa";
    static uint8_t jpeg[300000], pdf[70000];
    struct fx f;
    pid_t pid[3];
    char de[800], fr[800], it[800], log[3][900], in[900], in2[900];
    char out[4096], task[80], obs[80], jh[65], ph[65], got[900], hit[1200];
    uint8_t *b, jid[HASH_LEN], key[BLOB_KEY_LEN];
    size_t n;

    fx_net(&f, "blob_wire", "DE,FR,IT");
    fx_home(&f, "DE", de, sizeof(de));
    fx_home(&f, "FR", fr, sizeof(fr));
    fx_home(&f, "IT", it, sizeof(it));
    fill(jpeg, sizeof(jpeg), 9);
    memcpy(jpeg, "\xff\xd8\xff\xe0", 4);
    memcpy(jpeg + 200000, canary, sizeof(canary) - 1); /* in chunk 3 */
    fill(pdf, sizeof(pdf), 10);
    memcpy(pdf, "%PDF-1.4\n", 9);
    snprintf(in, sizeof(in), "%s/visa.jpg", f.dir);
    snprintf(in2, sizeof(in2), "%s/notice.pdf", f.dir);
    fx_write_file(in, jpeg, sizeof(jpeg));
    fx_write_file(in2, pdf, sizeof(pdf));
    fx_cli(out, sizeof(out),
           "-C %s task create --for FR --title 'check this visa'", de);
    ASSERT_EQ(sscanf(out, "%64s", task), 1);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in, task);
    ASSERT_EQ(sscanf(out, "%64s", jh), 1);
    ASSERT_OK(hash_unhex(jh, jid, HASH_LEN));
    fx_cli(out, sizeof(out),
           "-C %s observe --category routes --summary 'carrier notice'", de);
    ASSERT_EQ(sscanf(out, "%64s", obs), 1);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in2, obs);
    ASSERT_EQ(sscanf(out, "%64s", ph), 1);

    for (int i = 0; i < 3; i++) {
        const char *d = i == 0 ? de : i == 1 ? fr : it;

        snprintf(log[i], sizeof(log[i]), "%s.log", d);
        pid[i] = proc_node_spawn(d, log[i], PROC_LOG_TRUNC, NULL, NULL);
        ASSERT(pid[i] > 0);
    }
    if (!wait_held(fr, jh, 60000))
        TEST_FAIL_("FR never held the JPEG (see %s)", log[1]);
    if (!wait_held(it, ph, 60000))
        TEST_FAIL_("IT never held the net PDF (see %s)", log[2]);
    if (!wait_held(fr, ph, 60000))
        TEST_FAIL_("FR never held the net PDF (see %s)", log[1]);
    /* byte for byte, opened with the key FR's entry carries */
    snprintf(got, sizeof(got), "%s/fr-visa.jpg", f.dir);
    fx_cli(out, sizeof(out), "-C %s blob get %s --out %s", fr, jh, got);
    ASSERT((b = fx_read_file(got, &n)) != NULL);
    ASSERT_EQ(n, sizeof(jpeg));
    ASSERT_MEM_EQ(b, jpeg, sizeof(jpeg));
    free(b);
    snprintf(got, sizeof(got), "%s/it-notice.pdf", f.dir);
    fx_cli(out, sizeof(out), "-C %s blob get %s --out %s", it, ph, got);
    ASSERT((b = fx_read_file(got, &n)) != NULL);
    ASSERT_EQ(n, sizeof(pdf));
    ASSERT_MEM_EQ(b, pdf, sizeof(pdf));
    free(b);
    /* positive control for IT's scan below: FR's home holds the id (in
     * the entry and the file name), never the canary in the clear */
    {
        const void *p[2] = {canary, jid};
        size_t len[2] = {sizeof(canary) - 1, HASH_LEN};

        ASSERT(scan_path(fr, p + 1, len + 1, 1, hit, sizeof(hit)));
        if (scan_path(fr, p, len, 1, hit, sizeof(hit)))
            TEST_FAIL_("canary in the clear on FR: %s", hit);
    }
    /* status --json counts what is held */
    fx_cli(out, sizeof(out), "-C %s status --json", fr);
    ASSERT(strstr(out, "\"blobs\":{\"held\":2,"));
    /* erasure on DE reaches FR's bytes: the entry travels, the key goes
     * with the payload, the running node wipes the file */
    {
        struct home h;
        struct blob_store *bs;
        char fp[1000], dp[1000];
        uint64_t until;
        int gone = 0;

        ASSERT_OK(home_open(&h, fr, HOME_STORE));
        ASSERT_OK(home_blob_open(&h, &bs));
        ASSERT_OK(blob_key(bs, jid, key));
        blob_close(bs);
        home_close(&h);
        snprintf(fp, sizeof(fp), "%s/blobs/%s", fr, jh);
        snprintf(dp, sizeof(dp), "%s/blobs/%s", de, jh);
        ASSERT_EQ(access(fp, F_OK), 0);
        fx_cli(out, sizeof(out), "-C %s erase %s", de, task);
        until = proc_mono_ms() + 60000;
        while (!gone && proc_mono_ms() < until) {
            gone = access(fp, F_OK) != 0 && access(dp, F_OK) != 0;
            if (!gone)
                proc_sleep_ms(100);
        }
        if (!gone)
            TEST_FAIL_("the erased record's file stayed (see %s)", log[1]);
        fx_cli(out, sizeof(out), "-C %s blob list --json", fr);
        ASSERT(!strstr(out, jh));
        ASSERT(strstr(out, ph)); /* the other record's file stays */
    }
    for (int i = 0; i < 3; i++)
        proc_reap(pid[i], SIGTERM, NULL);
    /* the key left FR's disk with the payload (crypto-shredding) */
    {
        const void *p[1] = {key};
        size_t len[1] = {sizeof(key)};

        if (scan_path(fr, p, len, 1, hit, sizeof(hit)))
            TEST_FAIL_("FR still holds the erased blob's key: %s", hit);
    }
    /* IT: not the canary, not the id (binary, hex, a log's short form) */
    {
        const void *p[4] = {canary, jid, jh, jh};
        size_t len[4] = {sizeof(canary) - 1, HASH_LEN, 64, 16};

        ASSERT(scan_path(in, p, len, 1, hit, sizeof(hit)));
        if (scan_path(it, p, len, 4, hit, sizeof(hit)) ||
            scan_path(log[2], p, len, 4, hit, sizeof(hit)))
            TEST_FAIL_("IT holds DE+FR blob data: %s", hit);
    }
    free(f.dir);
}

/* `ilonet sync` (one-shot) returns only once the files it wants from the
 * peer are held, and an old record's file waits for `blob get` (on
 * demand: blob-eager-days). */
static void
oneshot_sync_fetches_files(void)
{
    static uint8_t data[150000];
    struct fx f;
    pid_t pid;
    char de[800], fr[800], lg[900], in[900], out[4096], rec[80], h[65];
    char peer[300], got[900];
    uint8_t *b;
    size_t n;

    fx_net(&f, "bsync_oneshot", "DE,FR");
    fx_home(&f, "DE", de, sizeof(de));
    fx_home(&f, "FR", fr, sizeof(fr));
    fill(data, sizeof(data), 33);
    snprintf(in, sizeof(in), "%s/minutes.txt", f.dir);
    fx_write_file(in, data, sizeof(data));
    fx_cli(out, sizeof(out),
           "-C %s observe --category routes --summary 'meeting minutes'", de);
    ASSERT_EQ(sscanf(out, "%64s", rec), 1);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in, rec);
    ASSERT_EQ(sscanf(out, "%64s", h), 1);
    snprintf(lg, sizeof(lg), "%s.log", de);
    pid = proc_node_spawn(de, lg, PROC_LOG_TRUNC, NULL, NULL);
    ASSERT(pid > 0);
    ASSERT_EQ(proc_wait_file(lg, "listening on", 10000), 0);
    {
        /* the address DE listens on, from its config */
        char cfg[900], line[300];
        FILE *fp;

        snprintf(cfg, sizeof(cfg), "%s/config", de);
        ASSERT((fp = fopen(cfg, "r")) != NULL);
        peer[0] = '\0';
        while (fgets(line, sizeof(line), fp))
            if (sscanf(line, "listen %200s", peer) == 1)
                break;
        fclose(fp);
        ASSERT(peer[0]);
        snprintf(peer + strlen(peer), sizeof(peer) - strlen(peer), "@%s",
                 f.m[0].pm_pk);
    }
    /* FR only fetches old files when asked: one day of eagerness and a
     * clock a week ahead make the meeting's entry old */
    {
        char cfg[900];
        FILE *fp;

        snprintf(cfg, sizeof(cfg), "%s/config", fr);
        ASSERT((fp = fopen(cfg, "a")) != NULL);
        fputs("blob-eager-days 1\n", fp);
        fclose(fp);
    }
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "ILONET_CLOCK_OFFSET_MS=604800000 '%s' -C %s sync "
                       "--peer %s 2>/dev/null",
                       proc_bin(), fr, peer),
              0);
    fx_cli(out, sizeof(out), "-C %s blob list", fr);
    ASSERT(strstr(out, h) && strstr(out, "wanted"));
    /* asked for: the next sync fetches it */
    ASSERT_EQ(proc_run(NULL, 0, "'%s' -C %s blob get %s --out %s/x 2>/dev/null",
                       proc_bin(), fr, h, f.dir),
              1);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "ILONET_CLOCK_OFFSET_MS=604800000 '%s' -C %s sync "
                       "--peer %s 2>/dev/null",
                       proc_bin(), fr, peer),
              0);
    snprintf(got, sizeof(got), "%s/got.txt", f.dir);
    fx_cli(out, sizeof(out), "-C %s blob get %s --out %s", fr, h, got);
    ASSERT((b = fx_read_file(got, &n)) != NULL);
    ASSERT_EQ(n, sizeof(data));
    ASSERT_MEM_EQ(b, data, sizeof(data));
    free(b);
    proc_reap(pid, SIGTERM, NULL);
    free(f.dir);
}

/* ---- the HTTP API ---------------------------------------------------------
 */

/* A record's JSON lists its files; GET /api/blobs/HASH serves a held one
 * byte for byte as a download, with a safe Content-Type; a member's word
 * for a type is never passed on as HTML. */
static void
http_lists_and_serves_files(void)
{
    static uint8_t png[100000];
    struct fx f;
    pid_t pid;
    char de[800], lg[900], in[900], out[8192], rec[80], h[65], url[300];
    char base[300], tok[80], hdrs[900], body[900], cmd[2400], addr[64];
    const char *args[] = {"--http", addr, NULL};
    uint8_t *b;
    size_t n;
    int port;

    ASSERT_STR_EQ(app_blob_safe_type("image/png"), "image/png");
    ASSERT_STR_EQ(app_blob_safe_type("text/html"), "application/octet-stream");
    ASSERT_STR_EQ(app_blob_safe_type("image/svg+xml"),
                  "application/octet-stream");
    if (system("command -v curl >/dev/null 2>&1") != 0) {
        printf("  SKIP: curl is not installed\n");
        return;
    }
    fx_net(&f, "bsync_http", "DE,FR");
    fx_home(&f, "DE", de, sizeof(de));
    fill(png, sizeof(png), 44);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    snprintf(in, sizeof(in), "%s/scan.png", f.dir);
    fx_write_file(in, png, sizeof(png));
    fx_cli(out, sizeof(out),
           "-C %s observe --category document-fraud --summary 'forged stamp'",
           de);
    ASSERT_EQ(sscanf(out, "%64s", rec), 1);
    fx_cli(out, sizeof(out), "-C %s attach %s --to %s", de, in, rec);
    ASSERT_EQ(sscanf(out, "%64s", h), 1);
    port = proc_pick_base(23000, 300, 10, (int)(getpid() % 300), 1) + 1;
    ASSERT(port > 1);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    snprintf(lg, sizeof(lg), "%s.log", de);
    pid = proc_node_spawn(de, lg, PROC_LOG_TRUNC, NULL, args);
    ASSERT(pid > 0);
    ASSERT_EQ(proc_wait_http(lg, url, sizeof(url), 10000), 0);
    {
        char *t = strstr(url, "#token=");

        ASSERT(t);
        snprintf(tok, sizeof(tok), "%s", t + 7);
        snprintf(base, sizeof(base), "%.*s", (int)(t - url - 1), url);
    }
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "curl -s -m 20 -H 'Authorization: Bearer %s' "
                       "'%s/api/observations/%s'",
                       tok, base, rec),
              0);
    ASSERT(strstr(out, "\"attachments\":[{\"hash\":\""));
    ASSERT(strstr(out, h));
    ASSERT(strstr(out, "\"type\":\"image/png\",\"name\":\"scan.png\","
                       "\"state\":\"held\""));
    snprintf(hdrs, sizeof(hdrs), "%s/h.txt", f.dir);
    snprintf(body, sizeof(body), "%s/b.png", f.dir);
    snprintf(cmd, sizeof(cmd),
             "curl -s -m 20 -D '%s' -o '%s' -w '%%{http_code}' -H "
             "'Authorization: Bearer %s' '%s/api/blobs/%s'",
             hdrs, body, tok, base, h);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s", cmd), 0);
    ASSERT_STR_EQ(out, "200");
    ASSERT((b = fx_read_file(body, &n)) != NULL);
    ASSERT_EQ(n, sizeof(png));
    ASSERT_MEM_EQ(b, png, sizeof(png));
    free(b);
    ASSERT((b = fx_read_file(hdrs, &n)) != NULL);
    b[n] = 0;
    ASSERT(strstr((char *)b, "Content-Type: image/png"));
    ASSERT(strstr((char *)b, "Content-Disposition: attachment; "
                             "filename=\"scan.png\""));
    ASSERT(strstr((char *)b, "X-Content-Type-Options: nosniff"));
    free(b);
    /* no token: 401; an id nobody has: 404 */
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "curl -s -m 20 -o /dev/null -w '%%{http_code}' "
                       "'%s/api/blobs/%s'",
                       base, h),
              0);
    ASSERT_STR_EQ(out, "401");
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "curl -s -m 20 -o /dev/null -w '%%{http_code}' -H "
                       "'Authorization: Bearer %s' '%s/api/blobs/%s'",
                       tok, base, "0123456789abcdef0123"),
              0);
    ASSERT_STR_EQ(out, "404");
    proc_reap(pid, SIGTERM, NULL);
    free(f.dir);
}

TEST_LIST = {
    TEST(codec_round_trip_and_refusals),
    TEST(bad_chunk_struck_then_resumed),
    TEST(restart_resumes_from_disk),
    TEST(partial_of_erased_blob_wiped),
    TEST(wrong_size_reference_not_trusted),
    TEST(cancelled_chunks_in_flight_are_not_faults),
    TEST(non_member_never_asked_never_served),
    TEST(three_nodes_attach_sync_get),
    TEST(node_restart_resumes),
    TEST(oneshot_sync_fetches_files),
    TEST(http_lists_and_serves_files),
};

TEST_MAIN()
