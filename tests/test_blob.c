/* test_blob.c - attachments: the blob formats, the store at rest, the use
 * cases, the CLI, confinement. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "node/report/report.h"
#include "proc.h"
#include "storage/blob.h"
#include "storage/log.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "storage/view/vocab.h"
#include "fixture.h"
#include "test.h"

#define MAXM 8

/* ---- fixtures -------------------------------------------------------------
 */

/* A deterministic byte pattern: byte i of a stream seeded s. */
static void
fill(uint8_t *b, size_t n, unsigned s)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)((i * 7 + 3 + s * 131 + (i >> 9) * s) & 0xff);
}

/* Number of directory entries of dir other than . and .. (-1: no dir). */
static int
dir_count(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* 1 if an entry of dir starts with prefix. */
static int
dir_has_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int hit = 0;

    if (!d)
        return 0;
    while (!hit && (de = readdir(d)))
        hit = strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return hit;
}

/* A testnet (DE, FR, IT by default) and its homes. */
struct fx {
    char *dir;
    char root[700];
    int n;
    struct proc_member m[MAXM];
};

static void
fx_net(struct fx *f, const char *tag, const char *states)
{
    ASSERT_OK(key_global_init());
    f->dir = test_tmpdir(tag);
    snprintf(f->root, sizeof(f->root), "%s/t", f->dir);
    f->n = proc_testnet(f->root, states, proc_pid_base(21000, 200, 10), f->m,
                        MAXM);
    ASSERT_GE(f->n, 2);
}

static void
fx_home(struct fx *f, const char *state, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->root, state);
}

static void
fx_open(struct fx *f, const char *state, struct home *h)
{
    char dir[800];

    fx_home(f, state, dir, sizeof(dir));
    ASSERT_OK(home_open(h, dir, HOME_STORE));
}

/* Appends a line to a file of a home (network, config). */
static void
fx_append(struct fx *f, const char *state, const char *file, const char *line)
{
    char path[900];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s/%s", f->root, state, file);
    ASSERT((fp = fopen(path, "a")));
    fputs(line, fp);
    ASSERT_EQ(fclose(fp), 0);
}

static void
fx_path(struct fx *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->dir, name);
}

/* An observation by h; its id into id. */
static void
fx_observe(struct home *h, const char *summary, const char *audience,
           uint8_t id[HASH_LEN])
{
    struct app_field fl[] = {{"category", "document-fraud"},
                             {"summary", summary}};
    struct app_record_req r = {KIND_OBSERVATION, fl, 2, audience, NULL};
    struct app_written w;
    struct app_err e;

    if (app_record_create(h, &r, &w, &e) != 0)
        TEST_FAIL_("observe: %s", e.ae_msg);
    memcpy(id, w.aw_id, HASH_LEN);
}

static const char *
hexs(const uint8_t *b)
{
    static char s[4][2 * HASH_LEN + 1];
    static int k;
    char *o = s[k++ % 4];

    hash_hex(b, HASH_LEN, o);
    return o;
}

/* app_attach of path (to: NULL or a record id), asserting success. */
static void
fx_attach(struct home *h, const char *path, const uint8_t *to,
          const char *audience, struct app_attach_out *out)
{
    struct app_attach_req r = {path, to ? hexs(to) : NULL, audience, NULL};
    struct app_err e;

    if (app_attach(h, &r, out, &e) != 0)
        TEST_FAIL_("attach %s: %s (%s)", path, e.ae_msg,
                   ilonet_errname(e.ae_code));
}

static int
fx_get(struct home *h, const uint8_t id[HASH_LEN], const char *out,
       struct app_err *e)
{
    struct app_blob_get g = {hexs(id), out};
    struct app_blob b;

    return app_blob_get(h, &g, &b, e);
}

static void
fx_erase(struct home *h, const uint8_t id[HASH_LEN])
{
    struct app_change_req r = {KIND_ERASE, 0, hexs(id), NULL, 0, NULL};
    struct app_written w;
    struct app_err e;

    if (app_record_change(h, &r, &w, &e) != 0)
        TEST_FAIL_("erase: %s", e.ae_msg);
}

struct count {
    size_t held, staged, wanted;
};

static int
count_one(void *arg, const struct app_blob *b)
{
    struct count *c = arg;

    if (b->ab_state == APP_BLOB_HELD)
        c->held++;
    else if (b->ab_state == APP_BLOB_STAGED)
        c->staged++;
    else
        c->wanted++;
    return 0;
}

static struct count
fx_count(struct home *h)
{
    struct count c = {0, 0, 0};
    struct app_err e;

    ASSERT_OK(app_blob_list(h, count_one, &c, &e));
    return c;
}

/* The blob store of an open home, for the storage-level checks. */
static struct blob_store *
fx_blobs(struct home *h)
{
    struct blob_limits lim = {NET_BLOB_MAX_DEFAULT, HOME_BLOB_QUOTA_DEFAULT};
    struct blob_store *bs;
    char dir[HOME_PATH_MAX];

    ASSERT_OK(home_path(h, "blobs", dir));
    ASSERT_OK(blob_open(h->h_store, dir, &lim, &bs));
    return bs;
}

/* ---- the hash tree --------------------------------------------------------
 */

/* The tree built the other way round: pair up each level, carry an odd
 * last node up unchanged (the same shape as RFC 6962's split). */
static void
naive_root(uint8_t (*l)[HASH_LEN], uint32_t n, uint8_t out[HASH_LEN])
{
    uint8_t(*v)[HASH_LEN] = malloc((size_t)n * HASH_LEN);
    uint32_t m = n;

    ASSERT(v);
    memcpy(v, l, (size_t)n * HASH_LEN);
    while (m > 1) {
        uint32_t w = 0;

        for (uint32_t a = 0; a + 1 < m; a += 2) {
            struct hash_state st;

            hash_init(&st, HASH_CTX_BLOB_NODE);
            hash_update(&st, v[a], HASH_LEN);
            hash_update(&st, v[a + 1], HASH_LEN);
            hash_final(&st, v[w++]);
        }
        if (m & 1)
            memcpy(v[w++], v[m - 1], HASH_LEN);
        m = w;
    }
    memcpy(out, v[0], HASH_LEN);
    free(v);
}

static void
tree_and_proofs(void)
{
    uint8_t leaves[70][HASH_LEN], root[HASH_LEN], want[HASH_LEN];
    uint8_t proof[BLOB_PROOF_MAX][HASH_LEN], id[HASH_LEN], bad[HASH_LEN];
    size_t plen;

    for (uint32_t i = 0; i < 70; i++) {
        uint8_t c[8] = {(uint8_t)i, 1, 2, 3, 4, 5, 6, 7};
        blob_leaf(c, sizeof(c), leaves[i]);
    }
    for (uint32_t n = 1; n <= 70; n++) {
        uint64_t size = (uint64_t)(n - 1) * BLOB_CHUNK + 17;

        ASSERT_OK(blob_root((const uint8_t(*)[HASH_LEN])leaves, n, root));
        naive_root(leaves, n, want);
        ASSERT_MEM_EQ(root, want, HASH_LEN);
        blob_id_of(size, root, id);
        for (uint32_t i = 0; i < n; i++) {
            ASSERT_OK(blob_proof((const uint8_t(*)[HASH_LEN])leaves, n, i,
                                 proof, &plen));
            ASSERT(plen <= BLOB_PROOF_MAX);
            ASSERT_OK(blob_proof_verify(id, size, i, leaves[i],
                                        (const uint8_t(*)[HASH_LEN])proof,
                                        plen));
            /* another leaf, another position, a flipped bit, a proof one
             * hash short or long, another size: refused */
            ASSERT(blob_proof_verify(id, size, i, leaves[(i + 1) % 70],
                                     (const uint8_t(*)[HASH_LEN])proof,
                                     plen) != 0);
            if (n > 1)
                ASSERT(blob_proof_verify(id, size, (i + 1) % n, leaves[i],
                                         (const uint8_t(*)[HASH_LEN])proof,
                                         plen) != 0);
            if (plen) {
                memcpy(bad, proof[plen - 1], HASH_LEN);
                proof[plen - 1][5] ^= 0x10;
                ASSERT_ERR(blob_proof_verify(id, size, i, leaves[i],
                                             (const uint8_t(*)[HASH_LEN])proof,
                                             plen),
                           ILONET_EHASH);
                memcpy(proof[plen - 1], bad, HASH_LEN);
                ASSERT_ERR(blob_proof_verify(id, size, i, leaves[i],
                                             (const uint8_t(*)[HASH_LEN])proof,
                                             plen - 1),
                           ILONET_EINVAL);
            }
            if (plen < BLOB_PROOF_MAX) {
                memset(proof[plen], 0, HASH_LEN);
                ASSERT_ERR(blob_proof_verify(id, size, i, leaves[i],
                                             (const uint8_t(*)[HASH_LEN])proof,
                                             plen + 1),
                           ILONET_EINVAL);
            }
            ASSERT(blob_proof_verify(id, size + BLOB_CHUNK, i, leaves[i],
                                     (const uint8_t(*)[HASH_LEN])proof,
                                     plen) != 0);
        }
        /* a chunk out of range */
        ASSERT_ERR(
            blob_proof((const uint8_t(*)[HASH_LEN])leaves, n, n, proof, &plen),
            ILONET_EINVAL);
        ASSERT_ERR(blob_proof_verify(id, size, n, leaves[0],
                                     (const uint8_t(*)[HASH_LEN])proof, 0),
                   ILONET_EINVAL);
    }
    ASSERT_ERR(blob_root((const uint8_t(*)[HASH_LEN])leaves, 0, root),
               ILONET_EINVAL);
    ASSERT_EQ(blob_chunk_count(0), 0);
    ASSERT_EQ(blob_chunk_count(1), 1);
    ASSERT_EQ(blob_chunk_count(BLOB_CHUNK), 1);
    ASSERT_EQ(blob_chunk_count(BLOB_CHUNK + 1), 2);
    ASSERT_EQ(blob_chunk_count(BLOB_SIZE_CAP), BLOB_CHUNKS_MAX);
    ASSERT_EQ(blob_chunk_count(BLOB_SIZE_CAP + 1), 0);
    ASSERT_EQ(blob_chunk_len(BLOB_CHUNK + 1, 1), 1);
    ASSERT_EQ(blob_chunk_len(BLOB_CHUNK + 1, 2), 0);
}

/* The chunk message: round trip, every prefix refused, a bad chunk and a
 * chunk out of range refused with their codes. */
static void
chunk_messages(void)
{
    static uint8_t data[3 * BLOB_CHUNK];
    uint8_t leaves[3][HASH_LEN], root[HASH_LEN], id[HASH_LEN];
    uint64_t size = 2 * BLOB_CHUNK + 1000;
    struct blob_chunk c, d;
    struct wire_buf wb;

    fill(data, sizeof(data), 1);
    for (uint32_t i = 0; i < 3; i++)
        blob_leaf(data + i * BLOB_CHUNK, blob_chunk_len(size, i), leaves[i]);
    ASSERT_OK(blob_root((const uint8_t(*)[HASH_LEN])leaves, 3, root));
    blob_id_of(size, root, id);
    ASSERT_OK(blob_hash_buf(data, size, c.bc_id));
    ASSERT_MEM_EQ(c.bc_id, id, HASH_LEN);
    for (uint32_t i = 0; i < 3; i++) {
        memset(&c, 0, sizeof(c));
        memcpy(c.bc_id, id, HASH_LEN);
        c.bc_index = i;
        c.bc_data = data + i * BLOB_CHUNK;
        c.bc_len = blob_chunk_len(size, i);
        ASSERT_OK(blob_proof((const uint8_t(*)[HASH_LEN])leaves, 3, i,
                             c.bc_proof, &c.bc_nproof));
        wire_buf_init(&wb, BLOB_CHUNK_MSG_MAX);
        blob_chunk_encode(&wb, &c);
        ASSERT_EQ(wb.wb_err, 0);
        ASSERT_OK(blob_chunk_decode(wb.wb_data, wb.wb_len, &d));
        ASSERT_EQ(d.bc_index, i);
        ASSERT_EQ(d.bc_len, c.bc_len);
        ASSERT_OK(blob_chunk_verify(&d, size));
        for (size_t cut = 0; cut < wb.wb_len; cut += 1 + cut / 3)
            ASSERT(blob_chunk_decode(wb.wb_data, cut, &d) != 0);
        /* a flipped data byte: the chunk does not hash into the id */
        ASSERT_OK(blob_chunk_decode(wb.wb_data, wb.wb_len, &d));
        ((uint8_t *)d.bc_data)[7] ^= 1;
        ASSERT_ERR(blob_chunk_verify(&d, size), ILONET_EHASH);
        ((uint8_t *)d.bc_data)[7] ^= 1;
        /* out of range, wrong length */
        d.bc_index = 3;
        ASSERT_ERR(blob_chunk_verify(&d, size), ILONET_EINVAL);
        d.bc_index = i;
        d.bc_len--;
        ASSERT_ERR(blob_chunk_verify(&d, size), ILONET_EINVAL);
        wire_buf_free(&wb);
    }
    /* hostile shapes */
    {
        static const uint8_t junk[][8] = {
            {0x93, 0xc4, 0x01, 0, 0, 0, 0, 0}, /* 3 elements */
            {0xc0},                            /* nil */
            {0x94, 0x00, 0x00, 0x00, 0x90},    /* no bins */
        };
        ASSERT(blob_chunk_decode(junk[0], 8, &d) != 0);
        ASSERT(blob_chunk_decode(junk[1], 1, &d) != 0);
        ASSERT(blob_chunk_decode(junk[2], 5, &d) != 0);
    }
}

/* ---- the reference field --------------------------------------------------
 */

static size_t
pack_ref(uint8_t *out, size_t cap, const struct blob_ref *r, size_t n)
{
    struct wire_buf wb;
    size_t len;

    wire_buf_init(&wb, 1 << 16);
    blob_refs_pack(&wb, r, n);
    ASSERT_EQ(wb.wb_err, 0);
    ASSERT(wb.wb_len <= cap);
    memcpy(out, wb.wb_data, wb.wb_len);
    len = wb.wb_len;
    wire_buf_free(&wb);
    return len;
}

static void
reference_field(void)
{
    struct blob_ref r[BLOB_REFS_MAX + 1], got[BLOB_REFS_MAX];
    uint8_t buf[1 << 14];
    char why[200];
    size_t n, len;

    memset(r, 0, sizeof(r));
    for (size_t i = 0; i <= BLOB_REFS_MAX; i++) {
        memset(r[i].br_id, (int)i + 1, HASH_LEN);
        memset(r[i].br_key, 0x42, BLOB_KEY_LEN);
        r[i].br_size = 1000 + i;
        snprintf(r[i].br_type, sizeof(r[i].br_type), "image/jpeg");
        if (i % 2)
            snprintf(r[i].br_name, sizeof(r[i].br_name), "photo %zu.jpg", i);
    }
    len = pack_ref(buf, sizeof(buf), r, 3);
    ASSERT_OK(
        blob_refs_parse(buf, len, got, BLOB_REFS_MAX, &n, why, sizeof(why)));
    ASSERT_EQ(n, 3);
    ASSERT_MEM_EQ(got[2].br_id, r[2].br_id, HASH_LEN);
    ASSERT_STR_EQ(got[1].br_name, "photo 1.jpg");
    ASSERT_STR_EQ(got[0].br_name, "");
    ASSERT_EQ(got[2].br_size, 1002);
    /* 16 fit, 17 do not */
    len = pack_ref(buf, sizeof(buf), r, BLOB_REFS_MAX);
    ASSERT_OK(
        blob_refs_parse(buf, len, got, BLOB_REFS_MAX, &n, why, sizeof(why)));
    len = pack_ref(buf, sizeof(buf), r, BLOB_REFS_MAX + 1);
    ASSERT_ERR(
        blob_refs_parse(buf, len, got, BLOB_REFS_MAX, &n, why, sizeof(why)),
        ILONET_EINVAL);
    /* one blob twice */
    memcpy(r[1].br_id, r[0].br_id, HASH_LEN);
    len = pack_ref(buf, sizeof(buf), r, 2);
    ASSERT_ERR(
        blob_refs_parse(buf, len, got, BLOB_REFS_MAX, &n, why, sizeof(why)),
        ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'attachments': item 2: blob named twice");
    memset(r[1].br_id, 2, HASH_LEN);
    /* values refused */
    {
        static const struct {
            const char *type, *name;
            uint64_t size;
            const char *why;
        } bad[] = {
            {"Image/JPEG", "", 1, "item 1: 'type' is not a media type"},
            {"image", "", 1, "item 1: 'type' is not a media type"},
            {"image/jpeg", "a/b", 1, "item 1: 'name' is not a file name"},
            {"image/jpeg", "..", 1, "item 1: 'name' is not a file name"},
            {"image/jpeg", "a\tb", 1, "item 1: 'name' is not a file name"},
            {"image/jpeg", "", 0, "item 1: 'size' is not 1 to 2^30"},
            {"image/jpeg", "", BLOB_SIZE_CAP + 1,
             "item 1: 'size' is not 1 to 2^30"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char want[200];
            struct blob_ref b = r[0];

            snprintf(b.br_type, sizeof(b.br_type), "%s", bad[i].type);
            snprintf(b.br_name, sizeof(b.br_name), "%s", bad[i].name);
            b.br_size = bad[i].size;
            len = pack_ref(buf, sizeof(buf), &b, 1);
            ASSERT_ERR(blob_refs_parse(buf, len, got, BLOB_REFS_MAX, &n, why,
                                       sizeof(why)),
                       ILONET_EINVAL);
            snprintf(want, sizeof(want), "field 'attachments': %s", bad[i].why);
            ASSERT_STR_EQ(why, want);
        }
    }
    /* shapes refused: not an array, empty, a missing key, an unknown key,
     * a short hash, non-canonical bytes */
    for (int c = 0; c < 7; c++) {
        static const int want[] = {
            ILONET_EINVAL, ILONET_EINVAL,   0, ILONET_EINVAL, ILONET_EINVAL,
            ILONET_EINVAL, ILONET_ENONCANON};
        uint8_t z[HASH_LEN] = {0};
        struct wire_buf wb;

        wire_buf_init(&wb, 4096);
        if (c == 0) {
            wire_pack_map(&wb, 0);
        } else if (c == 1) {
            wire_pack_array(&wb, 0);
        } else {
            wire_pack_array(&wb, 1);
            wire_pack_map(&wb, c == 3 ? 3 : c == 4 ? 5 : 4);
            if (c == 4) {
                wire_pack_str(&wb, "aaaa");
                wire_pack_nil(&wb);
            }
            wire_pack_str(&wb, "hash");
            wire_pack_bin(&wb, z, c == 5 ? HASH_LEN - 1 : HASH_LEN);
            wire_pack_str(&wb, "key");
            wire_pack_bin(&wb, z, BLOB_KEY_LEN);
            wire_pack_str(&wb, "size");
            if (c == 6) { /* 1 as uint16 */
                uint8_t u16[3] = {0xcd, 0x00, 0x01};
                wire_buf_append(&wb, u16, 3);
            } else {
                wire_pack_uint(&wb, 1);
            }
            if (c != 3) {
                wire_pack_str(&wb, "type");
                wire_pack_str(&wb, "image/png");
            }
        }
        ASSERT_EQ(wb.wb_err, 0);
        ASSERT_ERR(blob_refs_parse(wb.wb_data, wb.wb_len, got, BLOB_REFS_MAX,
                                   &n, why, sizeof(why)),
                   want[c]);
        wire_buf_free(&wb);
    }
}

static void
media_types(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        const char *type;
    } cases[] = {
        {"\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg"},
        {"\x89PNG\r\n\x1a\n\0\0", 10, "image/png"},
        {"GIF89a\x01\0", 8, "image/gif"},
        {"GIF87a", 6, "image/gif"},
        {"RIFF\x10\0\0\0WEBPVP8 ", 16, "image/webp"},
        {"RIFF\x10\0\0\0WAVEfmt ", 16, "application/octet-stream"},
        {"%PDF-1.7\n", 9, "application/pdf"},
        {"Minutes of the meeting\n\tItem 1\r\n", 32, "text/plain"},
        {"\xef\xbb\xbfSch\xc3\xb6n", 9, "text/plain"},
        {"caf\xc3", 4, "application/octet-stream"}, /* cut, short file */
        {"a\0b", 3, "application/octet-stream"},
        {"\x7f"
         "ELF",
         4, "application/octet-stream"},
        {"\xc0\xaf", 2, "application/octet-stream"}, /* overlong */
        {"", 0, "application/octet-stream"},
    };
    static char big[5000];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(blob_media_type((const uint8_t *)cases[i].bytes, cases[i].n),
                   cases[i].type) != 0)
            TEST_FAIL_(
                "case %zu: %s, want %s", i,
                blob_media_type((const uint8_t *)cases[i].bytes, cases[i].n),
                cases[i].type);
    /* text whose first 4 KiB end inside a UTF-8 sequence */
    memset(big, 'a', sizeof(big));
    big[4094] = (char)0xe2; /* a 3-byte sequence cut by the window */
    big[4095] = (char)0x82;
    ASSERT_STR_EQ(blob_media_type((const uint8_t *)big, sizeof(big)),
                  "text/plain");
    big[4095] = 'a'; /* not a continuation: not text */
    ASSERT_STR_EQ(blob_media_type((const uint8_t *)big, sizeof(big)),
                  "application/octet-stream");
    ASSERT(blob_type_valid("image/svg+xml", 13));
    ASSERT(!blob_type_valid("image/", 6));
    ASSERT(!blob_type_valid("/png", 4));
    ASSERT(!blob_type_valid("text/plain; charset=utf-8", 25));
    ASSERT(blob_name_valid("Pass\xc3\xa9port 2.jpg", 16));
    ASSERT(!blob_name_valid("x\xc2\x85y", 4)); /* C1 control */
    ASSERT(!blob_name_valid("a\\b", 3));
}

static void
file_header(void)
{
    struct blob_file_hdr h, g;
    uint8_t b[BLOB_FILE_HDR_LEN];

    memset(&h, 0, sizeof(h));
    h.bh_size = 123456789;
    memset(h.bh_id, 1, HASH_LEN);
    memset(h.bh_keyid, 2, HASH_LEN);
    memset(h.bh_stream, 3, sizeof(h.bh_stream));
    blob_file_hdr_encode(&h, b);
    ASSERT(memcmp(b, "ILNTBLB1", 8) == 0);
    ASSERT_OK(blob_file_hdr_decode(b, sizeof(b), &g));
    ASSERT(memcmp(&g, &h, sizeof(g)) == 0);
    ASSERT_ERR(blob_file_hdr_decode(b, sizeof(b) - 1, &g), ILONET_EMALFORMED);
    b[3] = 'X';
    ASSERT_ERR(blob_file_hdr_decode(b, sizeof(b), &g), ILONET_EMALFORMED);
    b[3] = 'T';
    h.bh_size = 0;
    blob_file_hdr_encode(&h, b);
    ASSERT_ERR(blob_file_hdr_decode(b, sizeof(b), &g), ILONET_EINVAL);
    h.bh_size = BLOB_SIZE_CAP + 1;
    blob_file_hdr_encode(&h, b);
    ASSERT_ERR(blob_file_hdr_decode(b, sizeof(b), &g), ILONET_ETOOBIG);
    ASSERT_EQ(blob_file_len(1), BLOB_FILE_HDR_LEN + 1 + 17 + 32 + 17);
    ASSERT_EQ(blob_file_len(2 * BLOB_CHUNK),
              BLOB_FILE_HDR_LEN + 2 * BLOB_CHUNK + 2 * 17 + 64 + 17);
}

/* ---- test vectors ----------------------------------------------------------
 */

#define VEC_SIZE (2 * BLOB_CHUNK + 1000)

static void
vec_hex(FILE *f, const char *k, const uint8_t *b, size_t n)
{
    fprintf(f, "%s=", k);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
    fputc('\n', f);
}

/* The vector plaintext: byte i is (7 i + 3 + floor(i / 65536)) mod 256,
 * so no two chunks are equal. */
static void
vec_plain(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)((i * 7 + 3 + (i >> 16)) & 0xff);
}

/* Seals plain as docs/FORMAT.md says, written here from the text and not
 * with storage/blob.c, so the C reader is checked against the page. */
static size_t
seal_by_the_page(const uint8_t *plain, size_t n, const uint8_t key[32],
                 uint8_t *out)
{
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t leaves[8][HASH_LEN], root[HASH_LEN], id[HASH_LEN];
    uint32_t nc = (uint32_t)((n + 65535) / 65536);
    size_t off = 104;

    ASSERT(nc <= 8);
    for (uint32_t i = 0; i < nc; i++)
        hash_buf("ilonet/blob-chunk/v1", plain + 65536 * i,
                 i + 1 < nc ? 65536 : n - 65536 * (size_t)i, leaves[i]);
    naive_root(leaves, nc, root);
    {
        struct hash_state st;
        uint8_t be[8];

        for (int i = 0; i < 8; i++)
            be[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
        hash_init(&st, "ilonet/blob-id/v1");
        hash_update(&st, be, 8);
        hash_update(&st, root, HASH_LEN);
        hash_final(&st, id);
    }
    memcpy(out, "ILNTBLB1", 8);
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
    memcpy(out + 16, id, 32);
    hash_buf("ilonet/blob-key-id/v1", key, 32, out + 48);
    crypto_secretstream_xchacha20poly1305_init_push(&ss, out + 80, key);
    for (uint32_t i = 0; i < nc; i++) {
        size_t len = i + 1 < nc ? 65536 : n - 65536 * (size_t)i;

        crypto_secretstream_xchacha20poly1305_push(
            &ss, out + off, NULL, plain + 65536 * i, len, NULL, 0,
            crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
        off += len + 17;
    }
    crypto_secretstream_xchacha20poly1305_push(
        &ss, out + off, NULL, (const uint8_t *)leaves, 32 * nc, out, 80,
        crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    return off + 32 * nc + 17;
}

static void
vectors_write(FILE *f, const char *small_file_hex)
{
    static uint8_t plain[VEC_SIZE];
    uint8_t leaves[3][HASH_LEN], root[HASH_LEN], id[HASH_LEN];
    uint8_t proof[BLOB_PROOF_MAX][HASH_LEN], key[32], kid[HASH_LEN];
    uint8_t small[100], sid[HASH_LEN], node[HASH_LEN];
    struct blob_ref ref;
    struct blob_chunk c;
    struct wire_buf wb;
    size_t plen;

    fprintf(f, "# ilonet blob format test vectors (docs/FORMAT.md, "
               "\"Blobs\")\n");
    fprintf(f,
            "# plaintext: %d bytes, byte i = (7 i + 3 + floor(i / 65536)) "
            "mod 256\n",
            VEC_SIZE);
    vec_plain(plain, sizeof(plain));
    fprintf(f, "size=%d\nchunks=3\n", VEC_SIZE);
    for (uint32_t i = 0; i < 3; i++) {
        char k[16];

        blob_leaf(plain + i * BLOB_CHUNK, blob_chunk_len(VEC_SIZE, i),
                  leaves[i]);
        snprintf(k, sizeof(k), "leaf%u", (unsigned)i);
        vec_hex(f, k, leaves[i], HASH_LEN);
    }
    {
        struct hash_state st;

        hash_init(&st, HASH_CTX_BLOB_NODE);
        hash_update(&st, leaves[0], HASH_LEN);
        hash_update(&st, leaves[1], HASH_LEN);
        hash_final(&st, node);
        vec_hex(f, "node01", node, HASH_LEN);
    }
    ASSERT_OK(blob_root((const uint8_t(*)[HASH_LEN])leaves, 3, root));
    vec_hex(f, "root", root, HASH_LEN);
    blob_id_of(VEC_SIZE, root, id);
    vec_hex(f, "id", id, HASH_LEN);
    ASSERT_OK(
        blob_proof((const uint8_t(*)[HASH_LEN])leaves, 3, 1, proof, &plen));
    vec_hex(f, "proof1", (const uint8_t *)proof, plen * HASH_LEN);
    ASSERT_OK(
        blob_proof((const uint8_t(*)[HASH_LEN])leaves, 3, 2, proof, &plen));
    vec_hex(f, "proof2", (const uint8_t *)proof, plen * HASH_LEN);
    memset(key, 0x42, sizeof(key));
    vec_hex(f, "key", key, sizeof(key));
    blob_key_id(key, kid);
    vec_hex(f, "key_id", kid, HASH_LEN);
    memset(&ref, 0, sizeof(ref));
    memcpy(ref.br_id, id, HASH_LEN);
    memcpy(ref.br_key, key, 32);
    ref.br_size = VEC_SIZE;
    snprintf(ref.br_type, sizeof(ref.br_type), "application/octet-stream");
    snprintf(ref.br_name, sizeof(ref.br_name), "sample.bin");
    wire_buf_init(&wb, 4096);
    blob_refs_pack(&wb, &ref, 1);
    vec_hex(f, "attachments", wb.wb_data, wb.wb_len);
    wire_buf_free(&wb);
    memset(&c, 0, sizeof(c));
    memcpy(c.bc_id, id, HASH_LEN);
    c.bc_index = 2;
    c.bc_data = plain + 2 * BLOB_CHUNK;
    c.bc_len = 1000;
    ASSERT_OK(blob_proof((const uint8_t(*)[HASH_LEN])leaves, 3, 2, c.bc_proof,
                         &c.bc_nproof));
    wire_buf_init(&wb, BLOB_CHUNK_MSG_MAX);
    blob_chunk_encode(&wb, &c);
    vec_hex(f, "chunk2_message", wb.wb_data, wb.wb_len);
    wire_buf_free(&wb);
    /* a small sealed file: its stream header is random, so the committed
     * bytes are checked by opening them, not by writing them again */
    for (size_t i = 0; i < sizeof(small); i++)
        small[i] = (uint8_t)("ilonet blob vector "[i % 19]);
    vec_hex(f, "small_plaintext", small, sizeof(small));
    ASSERT_OK(blob_hash_buf(small, sizeof(small), sid));
    vec_hex(f, "small_id", sid, HASH_LEN);
    if (small_file_hex) {
        fprintf(f, "small_file=%s\n", small_file_hex);
    } else {
        uint8_t out[400];
        size_t n = seal_by_the_page(small, sizeof(small), key, out);
        vec_hex(f, "small_file", out, n);
    }
}

/* The value of "key=" in text (a pointer into it, up to the newline). */
static const char *
vec_get(const char *text, const char *key, size_t *n)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\n%s=", key);
    ASSERT((p = strstr(text, pat)));
    p += strlen(pat);
    *n = strcspn(p, "\n");
    return p;
}

static void
vectors_match_committed(void)
{
    const char *path = getenv("ILONET_BLOB_VECTORS");
    char *mine = NULL, *theirs, small_hex[1024], dir[600];
    uint8_t file[400], key[32], sid[HASH_LEN], plain[100];
    size_t ml = 0, tl = 0, n;
    const char *v;
    struct blob_limits lim = {NET_BLOB_MAX_DEFAULT, HOME_BLOB_QUOTA_DEFAULT};
    uint8_t net[NET_ID_LEN];
    struct blob_store *bs;
    struct store *s;
    char *tmp, fpath[800], out[800];
    FILE *f;

    ASSERT_OK(key_global_init());
    if (!path)
        path = "tests/data/blob_vectors.txt";
    if (getenv("CORPUS_WRITE")) {
        f = open_memstream(&mine, &ml);
        vectors_write(f, NULL);
        fclose(f);
        fx_write_file(path, mine, ml);
        free(mine);
    }
    theirs = (char *)fx_read_file(path, &tl);
    ASSERT(theirs);
    theirs[tl] = '\0';
    v = vec_get(theirs, "small_file", &n);
    ASSERT(n < sizeof(small_hex));
    memcpy(small_hex, v, n);
    small_hex[n] = '\0';
    f = open_memstream(&mine, &ml);
    vectors_write(f, small_hex);
    fclose(f);
    if (tl != ml || memcmp(mine, theirs, ml) != 0)
        TEST_FAIL_("%s differs from what this build computes", path);
    /* the committed sealed file opens with the committed key */
    ASSERT_OK(hash_unhex(small_hex, file, n / 2));
    v = vec_get(theirs, "key", &n);
    memcpy(small_hex, v, n);
    small_hex[n] = '\0';
    ASSERT_OK(hash_unhex(small_hex, key, 32));
    v = vec_get(theirs, "small_id", &n);
    memcpy(small_hex, v, n);
    small_hex[n] = '\0';
    ASSERT_OK(hash_unhex(small_hex, sid, HASH_LEN));
    tmp = test_tmpdir("blobvec");
    snprintf(dir, sizeof(dir), "%s/blobs", tmp);
    memset(net, 1, sizeof(net));
    ASSERT_OK(store_open(":memory:", net, NULL, &s));
    ASSERT_OK(blob_open(s, dir, &lim, &bs));
    snprintf(fpath, sizeof(fpath), "%s/%s", dir, hexs(sid));
    v = vec_get(theirs, "small_file", &n);
    fx_write_file(fpath, file, n / 2);
    snprintf(out, sizeof(out), "%s/small.out", tmp);
    ASSERT_OK(blob_read_to(bs, sid, key, out, NULL, 0));
    {
        uint8_t *got = fx_read_file(out, &n);
        v = vec_get(theirs, "small_plaintext", &tl);
        memcpy(small_hex, v, tl);
        small_hex[tl] = '\0';
        ASSERT_OK(hash_unhex(small_hex, plain, sizeof(plain)));
        ASSERT_EQ(n, sizeof(plain));
        ASSERT_MEM_EQ(got, plain, n);
        free(got);
    }
    blob_close(bs);
    store_close(s);
    free(tmp);
    free(mine);
    free(theirs);
}

/* ---- the store at rest
 * ------------------------------------------------------- */

/* Files of awkward sizes go in and come back byte for byte; the stored
 * file never holds a run of the plaintext, and it opens by the page. */
static void
store_get_round_trip(void)
{
    static const size_t sizes[] = {
        1, 100, BLOB_CHUNK - 1, BLOB_CHUNK, BLOB_CHUNK + 1, 3 * BLOB_CHUNK + 5,
        /* past 4 chunks the tree message is 256+ bytes (libsodium's wide
         * path): an in-place open broke exactly there */
        20 * BLOB_CHUNK - 3};
    struct fx f;
    struct home h;
    uint8_t rec[HASH_LEN];
    char in[800], out[800], stored[900];

    fx_net(&f, "blob_rt", "DE,FR");
    fx_open(&f, "DE", &h);
    fx_observe(&h, "forged visas at the airport", NULL, rec);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = malloc(sizes[i]), *got, *disk;
        struct app_attach_out a;
        struct app_err e;
        size_t n, dn;

        ASSERT(data);
        fill(data, sizes[i], (unsigned)i + 5);
        snprintf(in, sizeof(in), "%s/in%zu.bin", f.dir, i);
        snprintf(out, sizeof(out), "%s/out%zu.bin", f.dir, i);
        fx_write_file(in, data, sizes[i]);
        fx_attach(&h, in, i % 2 ? rec : NULL, NULL, &a);
        ASSERT_EQ(a.ao_new, 1);
        ASSERT_EQ(a.ao_written, i % 2);
        ASSERT_EQ(a.ao_blob.ab_size, sizes[i]);
        ASSERT_EQ(a.ao_blob.ab_stored, blob_file_len(sizes[i]));
        {
            uint8_t id[HASH_LEN];
            ASSERT_OK(blob_hash_buf(data, sizes[i], id));
            ASSERT_MEM_EQ(id, a.ao_blob.ab_hash, HASH_LEN);
        }
        ASSERT_OK(fx_get(&h, a.ao_blob.ab_hash, out, &e));
        ASSERT((got = fx_read_file(out, &n)));
        ASSERT_EQ(n, sizes[i]);
        ASSERT_MEM_EQ(got, data, n);
        snprintf(stored, sizeof(stored), "%s/DE/blobs/%s", f.root,
                 hexs(a.ao_blob.ab_hash));
        ASSERT((disk = fx_read_file(stored, &dn)));
        ASSERT_EQ(dn, blob_file_len(sizes[i]));
        ASSERT(!fx_has_bytes(disk, dn, data, sizes[i] < 24 ? sizes[i] : 24) ||
               sizes[i] < 8);
        {
            struct stat sb;
            ASSERT_OK(stat(stored, &sb));
            ASSERT_EQ(sb.st_mode & 0777, 0600);
            ASSERT_OK(stat(out, &sb));
            ASSERT_EQ(sb.st_mode & 0777, 0600);
        }
        /* attaching it again stores nothing new */
        fx_attach(&h, in, NULL, NULL, &a);
        ASSERT_EQ(a.ao_new, 0);
        free(disk);
        free(got);
        free(data);
    }
    {
        struct count c = fx_count(&h);
        ASSERT_EQ(c.held, 3);
        ASSERT_EQ(c.staged, 4);
        ASSERT_EQ(c.wanted, 0);
    }
    /* the view of a record with attachments: its fields intact, live
     * equal to a rebuild */
    {
        struct view_record_info info;
        uint8_t live[HASH_LEN], rebuilt[HASH_LEN];

        ASSERT_OK(view_record_find(h.h_store, hexs(rec), &info));
        ASSERT_STR_EQ(info.vr_category, "document-fraud");
        ASSERT_STR_EQ(info.vr_status, "active");
        ASSERT_OK(view_check(h.h_store, live, rebuilt));
        ASSERT_MEM_EQ(live, rebuilt, HASH_LEN);
    }
    home_close(&h);
    free(f.dir);
}

/* A stored file tampered anywhere (header, a chunk, the tree, cut short)
 * is refused with bad-hash and nothing is written. */
static void
tampered_chunk_detected(void)
{
    static uint8_t data[2 * BLOB_CHUNK + 333];
    const size_t flen = blob_file_len(sizeof(data));
    const size_t at[] = {10,
                         20,
                         60,
                         90,
                         BLOB_FILE_HDR_LEN + 5,
                         BLOB_FILE_HDR_LEN + BLOB_CHUNK + 17 + 100,
                         flen - 40,
                         flen - 1};
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char in[800], out[800], stored[900];
    uint8_t *orig;
    size_t n;

    fx_net(&f, "blob_tamper", "DE,FR");
    fx_open(&f, "DE", &h);
    fill(data, sizeof(data), 9);
    fx_path(&f, "in.bin", in, sizeof(in));
    fx_path(&f, "out.bin", out, sizeof(out));
    fx_write_file(in, data, sizeof(data));
    fx_attach(&h, in, NULL, NULL, &a);
    snprintf(stored, sizeof(stored), "%s/DE/blobs/%s", f.root,
             hexs(a.ao_blob.ab_hash));
    ASSERT((orig = fx_read_file(stored, &n)));
    ASSERT_EQ(n, flen);
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        uint8_t *b = malloc(n);

        memcpy(b, orig, n);
        b[at[i]] ^= 0x01;
        fx_write_file(stored, b, n);
        ASSERT_ERR(fx_get(&h, a.ao_blob.ab_hash, out, &e), ILONET_EHASH);
        ASSERT(access(out, F_OK) != 0);
        free(b);
    }
    fx_write_file(stored, orig, n - 17); /* the tree message cut off */
    ASSERT_ERR(fx_get(&h, a.ao_blob.ab_hash, out, &e), ILONET_EHASH);
    ASSERT(strstr(e.ae_msg, "not this blob"));
    ASSERT(access(out, F_OK) != 0);
    /* no temporary output left either */
    ASSERT(!dir_has_prefix(f.dir, "out.bin"));
    fx_write_file(stored, orig, n);
    ASSERT_OK(fx_get(&h, a.ao_blob.ab_hash, out, &e));
    free(orig);
    home_close(&h);
    free(f.dir);
}

/* ---- limits and refusals --------------------------------------------------
 */

static void
size_limit_refused(void)
{
    static uint8_t data[100001];
    struct app_attach_req r;
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char in[800], blobs[900];

    fx_net(&f, "blob_limit", "DE,FR");
    fx_append(&f, "DE", "network", "blob-max 100000\n");
    fx_open(&f, "DE", &h);
    ASSERT_EQ(h.h_net.n_blob_max, 100000);
    fill(data, sizeof(data), 3);
    fx_path(&f, "big.bin", in, sizeof(in));
    fx_write_file(in, data, sizeof(data));
    r = (struct app_attach_req){in, NULL, NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_ETOOBIG);
    ASSERT(strstr(e.ae_msg, "100001 bytes, over the network's limit of "
                            "100000"));
    ASSERT_EQ(app_err_http_status(&e), 400);
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    ASSERT_EQ(dir_count(blobs), 0);
    ASSERT_EQ(fx_count(&h).staged, 0);
    /* at the limit: fine */
    fx_write_file(in, data, sizeof(data) - 1);
    fx_attach(&h, in, NULL, NULL, &a);
    ASSERT_EQ(dir_count(blobs), 1);
    home_close(&h);
    /* a network file with a bad limit does not load */
    fx_append(&f, "FR", "network", "blob-max 0\n");
    {
        char dir[800];
        struct home h2;

        fx_home(&f, "FR", dir, sizeof(dir));
        ASSERT(home_open(&h2, dir, HOME_STORE) != 0);
    }
    free(f.dir);
}

static void
quota_refused(void)
{
    static uint8_t data[100000];
    struct app_attach_req r;
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char in[800], in2[800], blobs[900];

    fx_net(&f, "blob_quota", "DE,FR");
    fx_append(&f, "DE", "config", "blob-quota 150000\n");
    fx_open(&f, "DE", &h);
    ASSERT_EQ(h.h_conf.hc_blob_quota, 150000);
    fill(data, sizeof(data), 4);
    fx_path(&f, "a.bin", in, sizeof(in));
    fx_write_file(in, data, sizeof(data));
    fx_attach(&h, in, NULL, NULL, &a);
    fill(data, sizeof(data), 5);
    fx_path(&f, "b.bin", in2, sizeof(in2));
    fx_write_file(in2, data, 60000);
    r = (struct app_attach_req){in2, NULL, NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EQUOTA);
    ASSERT_EQ(app_err_http_status(&e), 507); /* Insufficient Storage */
    ASSERT(strstr(e.ae_msg, "quota: "));
    ASSERT(strstr(e.ae_msg, "blob-quota"));
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    ASSERT_EQ(dir_count(blobs), 1);
    ASSERT_EQ(fx_count(&h).staged, 1);
    /* the first file again: held already, the quota does not apply */
    fx_attach(&h, in, NULL, NULL, &a);
    ASSERT_EQ(a.ao_new, 0);
    home_close(&h);
    free(f.dir);
}

/* A file that cannot be read: a clear error naming it, nothing left. */
static void
unreadable_file_refused(void)
{
    struct app_attach_req r;
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char path[800], blobs[900];

    fx_net(&f, "blob_unread", "DE,FR");
    fx_open(&f, "DE", &h);
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    fx_path(&f, "missing.jpg", path, sizeof(path));
    r = (struct app_attach_req){path, NULL, NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_ENOTFOUND);
    ASSERT(strstr(e.ae_msg, path) && strstr(e.ae_msg, "cannot read"));
    r.at_path = f.dir; /* a directory */
    r.at_name = "x";
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EINVAL);
    ASSERT(strstr(e.ae_msg, "not a regular file"));
    fx_path(&f, "empty.txt", path, sizeof(path));
    fx_write_file(path, "", 0);
    r = (struct app_attach_req){path, NULL, NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EINVAL);
    ASSERT(strstr(e.ae_msg, "empty file"));
    if (geteuid() != 0) { /* root reads a mode-000 file anyway */
        fx_path(&f, "secret.txt", path, sizeof(path));
        fx_write_file(path, "x", 1);
        ASSERT_OK(chmod(path, 0));
        ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EPERM);
    }
    ASSERT(dir_count(blobs) <= 0);
    /* usage errors without a home */
    r = (struct app_attach_req){NULL, NULL, NULL, NULL};
    ASSERT_ERR(app_attach_check(&r, &e), ILONET_EINVAL);
    ASSERT_EQ(e.ae_usage, 1);
    ASSERT_STR_EQ(e.ae_msg, "FILE is required");
    r = (struct app_attach_req){path, "xyz", NULL, NULL};
    ASSERT_ERR(app_attach_check(&r, &e), ILONET_EINVAL);
    ASSERT_STR_EQ(e.ae_field, "to");
    r = (struct app_attach_req){path, NULL, NULL, "a/b"};
    ASSERT_ERR(app_attach_check(&r, &e), ILONET_EINVAL);
    ASSERT_STR_EQ(e.ae_field, "name");
    home_close(&h);
    free(f.dir);
}

/* ---- erasure ----------------------------------------------------------------
 */

static int
file_has(const char *path, const void *needle, size_t n)
{
    size_t len;
    uint8_t *b = fx_read_file(path, &len);
    int hit = b && fx_has_bytes(b, len, needle, n);

    free(b);
    return hit;
}

/* Erasing a record removes its blob's bytes and its key on this node;
 * the entries' headers (payload hash and size) stay and verify; a blob
 * two records carry stays until both are erased. */
static void
erasure_removes_bytes(void)
{
    static uint8_t data[70000], other[5000];
    uint8_t r1[HASH_LEN], r2[HASH_LEN], r3[HASH_LEN], key[BLOB_KEY_LEN];
    struct app_attach_out a, b;
    struct app_verify_out vo;
    struct app_err e;
    struct blob_store *bs;
    struct fx f;
    struct home h;
    char in[800], in2[800], out[800], stored[900], db[900], wal[900];

    fx_net(&f, "blob_erase", "DE,FR");
    fx_open(&f, "DE", &h);
    fx_observe(&h, "one", NULL, r1);
    fx_observe(&h, "two", NULL, r2);
    fx_observe(&h, "three", NULL, r3);
    fill(data, sizeof(data), 6);
    fill(other, sizeof(other), 7);
    fx_path(&f, "shared.bin", in, sizeof(in));
    fx_path(&f, "own.bin", in2, sizeof(in2));
    fx_path(&f, "out.bin", out, sizeof(out));
    fx_write_file(in, data, sizeof(data));
    fx_write_file(in2, other, sizeof(other));
    fx_attach(&h, in, r1, NULL, &a);
    fx_attach(&h, in, r2, NULL, &a); /* the same blob, a second record */
    ASSERT_EQ(a.ao_new, 0);
    ASSERT_EQ(a.ao_blob.ab_nholders, 2);
    fx_attach(&h, in2, r3, NULL, &b);
    bs = fx_blobs(&h);
    ASSERT_OK(blob_key(bs, b.ao_blob.ab_hash, key));
    blob_close(bs);
    snprintf(stored, sizeof(stored), "%s/DE/blobs/%s", f.root,
             hexs(b.ao_blob.ab_hash));
    snprintf(db, sizeof(db), "%s/DE/store.db", f.root);
    snprintf(wal, sizeof(wal), "%s/DE/store.db-wal", f.root);
    ASSERT(access(stored, F_OK) == 0);
    ASSERT(file_has(db, key, sizeof(key)) || file_has(wal, key, sizeof(key)));
    /* r3 goes: its blob's file and its key with it */
    fx_erase(&h, r3);
    ASSERT(access(stored, F_OK) != 0);
    ASSERT(!file_has(db, key, sizeof(key)));
    ASSERT(!file_has(wal, key, sizeof(key)));
    ASSERT_ERR(fx_get(&h, b.ao_blob.ab_hash, out, &e), ILONET_ENOTFOUND);
    /* the amendment that named it: payload gone, header and chain whole */
    {
        struct entry en;
        uint8_t *payload = NULL;
        struct log_desc d;

        ASSERT_OK(log_get(h.h_store, b.ao_entry.aw_id, &en, &payload, &d));
        ASSERT(payload == NULL);
        ASSERT(en.e_h.h_payload_len > 0);
        free(payload);
    }
    ASSERT_OK(app_verify(&h, NULL, NULL, &vo, &e));
    ASSERT_EQ(vo.vo_ok, 1);
    /* the shared blob: r1 goes, r2 still carries it */
    fx_erase(&h, r1);
    ASSERT_OK(fx_get(&h, a.ao_blob.ab_hash, out, &e));
    fx_erase(&h, r2);
    ASSERT_ERR(fx_get(&h, a.ao_blob.ab_hash, out, &e), ILONET_ENOTFOUND);
    {
        struct count c = fx_count(&h);
        char blobs[900];

        ASSERT_EQ(c.held + c.staged + c.wanted, 0);
        snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
        ASSERT_EQ(dir_count(blobs), 0);
    }
    home_close(&h);
    free(f.dir);
}

/* A staged blob nobody references goes after its time; a crashed
 * writer's temporary file and a file without a row go too. */
static void
staged_blob_expires(void)
{
    static uint8_t data[3000];
    struct app_attach_out a;
    struct blob_store *bs;
    struct fx f;
    struct home h;
    char in[800], blobs[900], junk[1000];
    uint64_t removed = 0, now;

    fx_net(&f, "blob_stage", "DE,FR");
    fx_open(&f, "DE", &h);
    fill(data, sizeof(data), 8);
    fx_path(&f, "a.bin", in, sizeof(in));
    fx_write_file(in, data, sizeof(data));
    fx_attach(&h, in, NULL, "DE+FR", &a);
    ASSERT_EQ(a.ao_blob.ab_state, APP_BLOB_STAGED);
    ASSERT_STR_EQ(a.ao_blob.ab_audience, "DE+FR");
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    snprintf(junk, sizeof(junk), "%s/%064d", blobs, 7);
    fx_write_file(junk, "orphan", 6);
    snprintf(junk, sizeof(junk), "%s/.tmp-abcdef", blobs);
    fx_write_file(junk, "partial", 7);
    now = home_now_ms();
    bs = fx_blobs(&h);
    ASSERT_OK(blob_gc(bs, now, &removed));
    ASSERT_EQ(removed, 0);
    ASSERT_EQ(dir_count(blobs), 2); /* the blob and the young temp file */
    ASSERT_OK(blob_gc(bs, now + BLOB_STAGE_TTL_MS + 3600 * 1000, &removed));
    ASSERT_EQ(removed, 1);
    ASSERT_EQ(dir_count(blobs), 0);
    blob_close(bs);
    home_close(&h);
    free(f.dir);
}

/* ---- audiences and who may -------------------------------------------------
 */

static void
audience_rules(void)
{
    static uint8_t data[2000];
    uint8_t rnet[HASH_LEN], rgroup[HASH_LEN];
    struct app_attach_req r;
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char in[800], in2[800], blobs[900];

    fx_net(&f, "blob_aud", "DE,FR,IT");
    fx_open(&f, "DE", &h);
    fx_observe(&h, "for everyone", NULL, rnet);
    fx_observe(&h, "for two", "DE+FR", rgroup);
    fill(data, sizeof(data), 10);
    fx_path(&f, "photo.jpg", in, sizeof(in));
    fx_write_file(in, data, sizeof(data));
    fx_attach(&h, in, NULL, "DE+FR", &a); /* held for DE+FR */
    /* a reference in net would hand its key to IT */
    r = (struct app_attach_req){in, hexs(rnet), NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EAUDIENCE);
    ASSERT(strstr(e.ae_msg, "held for audience DE+FR"));
    ASSERT_EQ(app_err_http_status(&e), 403);
    /* --audience must be the record's */
    r = (struct app_attach_req){in, hexs(rgroup), "net", NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EAUDIENCE);
    ASSERT_STR_EQ(e.ae_field, "audience");
    /* within DE+FR: fine, and it stays one blob */
    fx_attach(&h, in, rgroup, NULL, &a);
    ASSERT_EQ(a.ao_new, 0);
    ASSERT_EQ(a.ao_blob.ab_state, APP_BLOB_HELD);
    ASSERT_STR_EQ(a.ao_blob.ab_holders[0].bh_audience, "DE+FR");
    /* a node outside the audience it stages for */
    fill(data, sizeof(data), 11);
    fx_path(&f, "x.bin", in2, sizeof(in2));
    fx_write_file(in2, data, sizeof(data));
    r = (struct app_attach_req){in2, NULL, "FR+IT", NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EAUDIENCE);
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    ASSERT_EQ(dir_count(blobs), 1);
    home_close(&h);
    free(f.dir);
}

/* Runs `ilonet ARGS` (a shell fragment); asserts it exits 0. */
static void
fx_cli(const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    st = proc_run(NULL, 0, "'%s' %s 2>/dev/null", proc_bin(), args);
    if (st != 0)
        TEST_FAIL_("ilonet %s exited %d", args, st);
}

/* An amendment this node may not write leaves no blob it stored for it. */
static void
failed_reference_leaves_nothing(void)
{
    static uint8_t data[4000];
    uint8_t rfr[HASH_LEN];
    struct app_attach_req r;
    struct app_attach_out a;
    struct app_err e;
    struct fx f;
    struct home h;
    char in[800], blobs[900];

    fx_net(&f, "blob_noauth", "DE,FR");
    fx_open(&f, "FR", &h);
    fx_observe(&h, "FR's own", NULL, rfr);
    home_close(&h);
    fx_cli("-C %s/FR export --out %s/fr.x", f.root, f.dir);
    fx_cli("-C %s/DE import %s/fr.x", f.root, f.dir);
    fx_open(&f, "DE", &h);
    fill(data, sizeof(data), 12);
    fx_path(&f, "p.bin", in, sizeof(in));
    fx_write_file(in, data, sizeof(data));
    r = (struct app_attach_req){in, hexs(rfr), NULL, NULL};
    ASSERT_ERR(app_attach(&h, &r, &a, &e), ILONET_EDELEGATION);
    snprintf(blobs, sizeof(blobs), "%s/DE/blobs", f.root);
    ASSERT_EQ(dir_count(blobs), 0);
    ASSERT_EQ(fx_count(&h).staged, 0);
    home_close(&h);
    free(f.dir);
}

/* ---- the record field
 * -------------------------------------------------------- */

/* Both vocabularies carry attachments on every record kind (377-2004 from
 * version 4, 2019-1240 from version 3) and on nothing else: built from
 * their text form, validated in a payload, amendable but never cleared,
 * unread by a node of the version before. */
static void
record_field_attachments(void)
{
    static const struct {
        const char *regime;
        unsigned since;
    } regimes[] = {{"377-2004", 4}, {"2019-1240", 3}};
    struct blob_ref ref;
    struct record_builder b;
    struct record_read rr;
    struct wire_buf wb, raw;
    struct vocab *v, *old;
    char hex[1024], why[200];
    msgpack_zone z;
    msgpack_object o;

    memset(&ref, 0, sizeof(ref));
    memset(ref.br_id, 7, HASH_LEN);
    memset(ref.br_key, 9, BLOB_KEY_LEN);
    ref.br_size = 10;
    snprintf(ref.br_type, sizeof(ref.br_type), "text/plain");
    wire_buf_init(&raw, 4096);
    blob_refs_pack(&raw, &ref, 1);
    hash_hex(raw.wb_data, raw.wb_len, hex);
    for (size_t r = 0; r < sizeof(regimes) / sizeof(regimes[0]); r++) {
        const struct vocab_kind *ks;
        size_t nk;

        ASSERT_OK(vocab_builtin(regimes[r].regime, &v, why, sizeof(why)));
        ASSERT_EQ(vocab_version(v), regimes[r].since);
        ks = vocab_kinds(v, &nk);
        for (size_t i = 0; i < nk; i++) {
            const struct vocab_field *f = vocab_field(&ks[i], "attachments");

            ASSERT((f != NULL) == (ks[i].vk_is_record != 0));
            if (!f)
                continue;
            ASSERT_EQ(f->vf_type, VT_ATTACHMENTS);
            ASSERT_EQ(f->vf_since, regimes[r].since);
            ASSERT_EQ(f->vf_flags, 0);
            ASSERT(f->vf_column == NULL);
        }
        vocab_free(v);
    }
    ASSERT_OK(vocab_builtin("377-2004", &v, why, sizeof(why)));
    ASSERT_OK(record_builder_start(&b, v, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "routes"));
    ASSERT_OK(record_set(&b, "summary", "with a photo"));
    ASSERT_OK(record_set(&b, "attachments", hex));
    wire_buf_init(&wb, 65536);
    ASSERT_OK(record_build(&b, &wb));
    ASSERT_EQ(b.rb_version, 4); /* stamped: a v3 node shows it unread */
    ASSERT_OK(record_validate(v, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                              sizeof(why)));
    ASSERT(fx_has_bytes(wb.wb_data, wb.wb_len, raw.wb_data, raw.wb_len));
    /* the version before: unread ("upgrade to read"), never refused */
    ASSERT_OK(vocab_builtin("377-2004", &old, why, sizeof(why)));
    ASSERT_OK(vocab_restrict(old, 3, why, sizeof(why)));
    ASSERT_ERR(record_validate(old, KIND_OBSERVATION, wb.wb_data, wb.wb_len,
                               why, sizeof(why)),
               ILONET_EKIND);
    ASSERT(strstr(why, "upgrade to read"));
    ASSERT_OK(record_builder_start(&b, old, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "attachments", hex), ILONET_EINVAL);
    vocab_free(old);
    wire_buf_free(&wb);
    /* not hex, not an attachments array */
    ASSERT_OK(record_builder_start(&b, v, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "attachments", "zz"), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err,
                  "field 'attachments': not the hex of an attachments array");
    ASSERT_ERR(record_set(&b, "attachments", "90"), ILONET_EINVAL);
    /* an amendment adds; clearing is refused, as text and as nil */
    ASSERT_OK(record_builder_start_amend(&b, v, KIND_MEETING));
    ASSERT_OK(record_set(&b, "attachments", hex));
    wire_buf_init(&wb, 65536);
    ASSERT_OK(record_build(&b, &wb));
    ASSERT_EQ(b.rb_version, 4); /* the amendment entry names it */
    wire_buf_free(&wb);
    ASSERT_OK(record_builder_start_amend(&b, v, KIND_MEETING));
    ASSERT_ERR(record_set(&b, "attachments", ""), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'attachments': attachments are added, "
                            "never cleared (erase the record)");
    {
        const msgpack_object *vals[RECORD_MAX_ITEMS];

        wire_buf_init(&wb, 4096);
        wire_pack_map(&wb, 1);
        wire_pack_str(&wb, "attachments");
        wire_pack_nil(&wb);
        ASSERT(msgpack_zone_init(&z, 1024));
        ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
        ASSERT_ERR(record_check_amend_fields(v, KIND_MEETING, 4, &o, vals, why,
                                             sizeof(why)),
                   ILONET_EINVAL);
        ASSERT_STR_EQ(why, "field 'attachments': attachments are added, "
                           "never cleared (erase the record)");
        /* an amendment of version 3 cannot carry them */
        wire_buf_free(&wb);
        wire_buf_init(&wb, 4096);
        wire_pack_map(&wb, 1);
        wire_pack_str(&wb, "attachments");
        wire_buf_append(&wb, raw.wb_data, raw.wb_len);
        ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
        ASSERT_ERR(record_check_amend_fields(v, KIND_MEETING, 3, &o, vals, why,
                                             sizeof(why)),
                   ILONET_EINVAL);
        ASSERT_STR_EQ(why, "field 'attachments' needs vocabulary v4, the "
                           "entry says v3");
        ASSERT_OK(record_check_amend_fields(v, KIND_MEETING, 4, &o, vals, why,
                                            sizeof(why)));
        msgpack_zone_destroy(&z);
        wire_buf_free(&wb);
    }
    /* not on a change or trust kind */
    ASSERT_OK(record_builder_start(&b, v, KIND_RETRACT));
    ASSERT_ERR(record_set(&b, "attachments", hex), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'attachments': unknown field for retract");
    /* a received payload with a bad item: refused with its reason */
    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 4);
    wire_pack_str(&wb, "attachments");
    wire_pack_array(&wb, 1);
    wire_pack_map(&wb, 1);
    wire_pack_str(&wb, "hash");
    wire_pack_bin(&wb, ref.br_id, HASH_LEN);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "x");
    wire_pack_str(&wb, "vocab");
    wire_pack_uint(&wb, 4);
    ASSERT_ERR(record_validate(v, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'attachments': item 1: no 'key'");
    wire_buf_free(&wb);
    /* the record kinds' reader: the value by field, no slot of its own */
    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 4);
    wire_pack_str(&wb, "attachments");
    wire_buf_append(&wb, raw.wb_data, raw.wb_len);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "x");
    wire_pack_str(&wb, "vocab");
    wire_pack_uint(&wb, 4);
    ASSERT(msgpack_zone_init(&z, 1024));
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(record_read(v, KIND_OBSERVATION, &o, &rr, why, sizeof(why)));
    ASSERT_EQ(rr.rr_version, 4);
    ASSERT(rr.rr_vals[vocab_field(rr.rr_kind, "attachments") -
                      rr.rr_kind->vk_fields] != NULL);
    msgpack_zone_destroy(&z);
    wire_buf_free(&wb);
    vocab_free(v);
    wire_buf_free(&raw);
}

/* ---- the command line
 * -------------------------------------------------------- */

static void
cli_cases(void)
{
    static uint8_t jpeg[3000];
    struct cli_out o;
    struct fx f;
    char dir[800], in[800], out[800], hash[65];

    fx_net(&f, "blob_cli", "DE,FR");
    fx_home(&f, "DE", dir, sizeof(dir));
    fill(jpeg, sizeof(jpeg), 13);
    jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff;
    fx_path(&f, "photo.jpg", in, sizeof(in));
    fx_path(&f, "back.jpg", out, sizeof(out));
    fx_write_file(in, jpeg, sizeof(jpeg));
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", NULL), 2);
    ASSERT(strstr(o.co_err, "FILE is required"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", in, "--to", "xyz", NULL), 2);
    ASSERT(strstr(o.co_err, "--to: 'xyz' is not a record id"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", "/nonexistent/x.jpg", NULL), 1);
    ASSERT(strstr(o.co_err, "ilonet: attach: /nonexistent/x.jpg: cannot read"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "blob", NULL), 2);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "blob", "get", "abcdef0123", NULL), 2);
    ASSERT(strstr(o.co_err, "--out is required"));
    cli_out_free(&o);
    ASSERT_EQ(
        cli_run(&o, "-C", dir, "blob", "get", "abcdef0123", "--out", out, NULL),
        1);
    ASSERT(strstr(o.co_err, "abcdef0123: no such blob"));
    cli_out_free(&o);
    /* attach prints the hash; get brings the file back */
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", in, NULL), 0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", hash), 1);
    ASSERT_EQ(strlen(hash), 64);
    ASSERT(strstr(o.co_err, "photo.jpg stored (3000 bytes, image/jpeg)"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", in, "--json", NULL), 0);
    ASSERT(strstr(o.co_out, "\"new\":false,\"entry\":null}"));
    ASSERT(strstr(o.co_out, hash));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "blob", "get", hash, "--out", out, NULL),
              0);
    cli_out_free(&o);
    {
        size_t n;
        uint8_t *got = fx_read_file(out, &n);

        ASSERT(got && n == sizeof(jpeg));
        ASSERT_MEM_EQ(got, jpeg, n);
        free(got);
    }
    ASSERT_EQ(cli_run(&o, "-C", dir, "blob", "list", "--json", NULL), 0);
    ASSERT(o.co_out[0] == '[');
    ASSERT(strstr(o.co_out, "\"state\":\"staged\""));
    ASSERT(strstr(o.co_out, "\"type\":\"image/jpeg\""));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "blob", "list", NULL), 0);
    ASSERT(strstr(o.co_out, hash) && strstr(o.co_out, "staged"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", "--help", NULL), 0);
    cli_out_free(&o);
    free(f.dir);
}

/* ---- confinement
 * ------------------------------------------------------------- */

struct needles {
    int n;
    const void *p[8];
    size_t len[8];
    char hit[900];
};

/* 1 if any regular file under path holds any needle (hit names it). */
static int
scan_path(const char *path, struct needles *s)
{
    struct stat sb;
    struct dirent *de;
    DIR *d;
    int hit = 0;

    if (lstat(path, &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode)) {
        size_t n;
        uint8_t *b = fx_read_file(path, &n);

        for (int i = 0; b && i < s->n && !hit; i++)
            if (fx_has_bytes(b, n, s->p[i], s->len[i])) {
                snprintf(s->hit, sizeof(s->hit), "%s (needle %d)", path, i);
                hit = 1;
            }
        free(b);
        return hit;
    }
    if (!S_ISDIR(sb.st_mode) || !(d = opendir(path)))
        return 0;
    while (!hit && (de = readdir(d))) {
        char sub[1024];

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        hit = scan_path(sub, s);
    }
    closedir(d);
    return hit;
}

/*
 * DE attaches a JPEG holding a canary to a task for FR (audience DE+FR)
 * and sends everything by export files (blobs do not travel in phase 1).
 * No home ever holds the canary in the clear: DE keeps the file sealed,
 * FR holds the reference (and its key) but not the bytes yet, IT holds
 * neither the key, nor the blob's id, nor its bytes. When DE erases the
 * task, the key leaves DE's and FR's disks and DE's sealed file goes.
 * The positive control: the same scan finds the canary in the JPEG.
 */
static void
confinement_canary_jpeg(void)
{
    static const char canary[] = "CANARY-blob-DEFR-4c1f9e2a-forged-passport";
    static uint8_t jpeg[90000];
    uint8_t key[BLOB_KEY_LEN], id[HASH_LEN];
    struct needles canary_n, key_n, id_n;
    struct blob_store *bs;
    struct fx f;
    struct home h;
    char task[80], out[256], in[800], idhex[65];

    fx_net(&f, "blob_canary", "DE,FR,IT");
    fill(jpeg, sizeof(jpeg), 14);
    memcpy(jpeg, "\xff\xd8\xff\xe1", 4);
    memcpy(jpeg + 70000, canary, sizeof(canary) - 1); /* in chunk 1 */
    fx_path(&f, "passport.jpg", in, sizeof(in));
    fx_write_file(in, jpeg, sizeof(jpeg));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "'%s' -C %s/DE task create --for FR --title 'check "
                       "this passport' 2>/dev/null",
                       proc_bin(), f.root),
              0);
    ASSERT_EQ(sscanf(out, "%64s", task), 1);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "'%s' -C %s/DE attach %s --to %s 2>/dev/null",
                       proc_bin(), f.root, in, task),
              0);
    ASSERT_EQ(sscanf(out, "%64s", idhex), 1);
    ASSERT_OK(hash_unhex(idhex, id, HASH_LEN));
    fx_cli("-C %s/DE export --out %s/de.x", f.root, f.dir);
    fx_cli("-C %s/FR import %s/de.x", f.root, f.dir);
    fx_cli("-C %s/IT import %s/de.x", f.root, f.dir);
    fx_open(&f, "DE", &h);
    bs = fx_blobs(&h);
    ASSERT_OK(blob_key(bs, id, key));
    blob_close(bs);
    home_close(&h);

    memset(&canary_n, 0, sizeof(canary_n));
    canary_n.p[canary_n.n] = canary;
    canary_n.len[canary_n.n++] = sizeof(canary) - 1;
    memset(&key_n, 0, sizeof(key_n));
    key_n.p[key_n.n] = key;
    key_n.len[key_n.n++] = sizeof(key);
    memset(&id_n, 0, sizeof(id_n));
    id_n.p[id_n.n] = id;
    id_n.len[id_n.n++] = HASH_LEN;
    id_n.p[id_n.n] = idhex;
    id_n.len[id_n.n++] = 64;
    id_n.p[id_n.n] = idhex; /* a 16-digit prefix, as lines print it */
    id_n.len[id_n.n++] = 16;

    /* positive controls */
    ASSERT(scan_path(in, &canary_n));
    {
        char de[800], fr[800];

        fx_home(&f, "DE", de, sizeof(de));
        fx_home(&f, "FR", fr, sizeof(fr));
        ASSERT(scan_path(de, &key_n));
        ASSERT(scan_path(fr, &key_n));
        ASSERT(scan_path(fr, &id_n));
        for (int i = 0; i < 2; i++)
            if (scan_path(i ? fr : de, &canary_n))
                TEST_FAIL_("canary in the clear: %s", canary_n.hit);
    }
    {
        char it[800];

        fx_home(&f, "IT", it, sizeof(it));
        if (scan_path(it, &canary_n) || scan_path(it, &key_n) ||
            scan_path(it, &id_n))
            TEST_FAIL_("IT holds DE+FR blob data: %s",
                       canary_n.hit[0] ? canary_n.hit
                       : key_n.hit[0]  ? key_n.hit
                                       : id_n.hit);
    }
    /* erasure: the key leaves both members' disks, DE's file goes */
    fx_cli("-C %s/DE erase %s", f.root, task);
    fx_cli("-C %s/DE export --out %s/de2.x", f.root, f.dir);
    fx_cli("-C %s/FR import %s/de2.x", f.root, f.dir);
    {
        char de[800], fr[800], blobs[900];

        fx_home(&f, "DE", de, sizeof(de));
        fx_home(&f, "FR", fr, sizeof(fr));
        if (scan_path(de, &key_n) || scan_path(fr, &key_n))
            TEST_FAIL_("the key outlived the erasure: %s", key_n.hit);
        snprintf(blobs, sizeof(blobs), "%s/blobs", de);
        ASSERT_EQ(dir_count(blobs), 0);
    }
    printf("  confinement: canary never in the clear; key and id absent from "
           "IT; key gone from DE and FR after the erasure\n");
    free(f.dir);
}

/* ---- records given files by hash, retention, status, network file ------- */

/* The attachments of a record, as app_record_attachments lists them. */
struct att_list {
    size_t n;
    struct view_attachment a[8];
};

static int
att_one(void *arg, const struct view_attachment *a)
{
    struct att_list *l = arg;

    if (l->n < 8)
        l->a[l->n] = *a;
    l->n++;
    return 0;
}

static struct att_list
fx_atts(struct home *h, const uint8_t rec[HASH_LEN])
{
    struct view_record_info info;
    struct att_list l;
    struct app_err e;

    memset(&l, 0, sizeof(l));
    ASSERT_OK(app_record_find(h, hexs(rec), 0, &info, &e));
    ASSERT_OK(app_record_attachments(h, &info, att_one, &l, &e));
    return l;
}

/* An observation with extra fields (name, value pairs, NULL-ended) in
 * audience aud: 0 or the code, e filled. */
static int
fx_observe_with(struct home *h, const char *aud, uint8_t id[HASH_LEN],
                struct app_err *e, ...)
{
    struct app_field fl[12] = {{"category", "document-fraud"},
                               {"summary", "with files"}};
    struct app_record_req r = {KIND_OBSERVATION, fl, 2, aud, NULL};
    struct app_written w;
    va_list ap;
    int rc;

    va_start(ap, e);
    for (const char *n; r.rq_nfields < 12 && (n = va_arg(ap, const char *));) {
        fl[r.rq_nfields].af_name = n;
        fl[r.rq_nfields++].af_value = va_arg(ap, const char *);
    }
    va_end(ap);
    if ((rc = app_record_create(h, &r, &w, e)) == 0 && id)
        memcpy(id, w.aw_id, HASH_LEN);
    return rc;
}

static int
fx_amend_with(struct home *h, const uint8_t rec[HASH_LEN], const char *name,
              const char *value, struct app_err *e)
{
    struct app_field f = {name, value};
    struct app_change_req r = {KIND_AMEND, 0, hexs(rec), &f, 1, NULL};
    struct app_written w;

    return app_record_change(h, &r, &w, e);
}

/* A record is created, or amended, with files named by hash (or a prefix
 * of 8): they must be held or staged here, held for an audience the
 * record's lies within; the record lists them in the order added, each
 * once; what is refused names the field. */
static void
attach_by_hash(void)
{
    static uint8_t d1[5000], d2[7000], d3[900];
    struct app_attach_out a, b, c;
    struct app_record_req chk;
    struct app_field bad = {"attach", "xyz"};
    struct att_list l;
    struct app_err e;
    struct fx f;
    struct home h;
    uint8_t rec[HASH_LEN], grp[HASH_LEN];
    char in1[800], in2[800], in3[800], pre[9], two[140];

    fx_net(&f, "blob_byhash", "DE,FR");
    fx_open(&f, "DE", &h);
    fill(d1, sizeof(d1), 21);
    fill(d2, sizeof(d2), 22);
    fill(d3, sizeof(d3), 23);
    fx_path(&f, "one.bin", in1, sizeof(in1));
    fx_path(&f, "two.bin", in2, sizeof(in2));
    fx_path(&f, "three.bin", in3, sizeof(in3));
    fx_write_file(in1, d1, sizeof(d1));
    fx_write_file(in2, d2, sizeof(d2));
    fx_write_file(in3, d3, sizeof(d3));
    fx_attach(&h, in1, NULL, NULL, &a);    /* staged for net */
    fx_attach(&h, in2, NULL, "DE+FR", &b); /* staged for DE+FR */
    fx_attach(&h, in3, NULL, NULL, &c);
    /* by a prefix of 8: held now, listed with its name */
    snprintf(pre, sizeof(pre), "%.8s", hexs(a.ao_blob.ab_hash));
    ASSERT_OK(fx_observe_with(&h, NULL, rec, &e, "attach", pre, NULL));
    l = fx_atts(&h, rec);
    ASSERT_EQ(l.n, 1);
    ASSERT_MEM_EQ(l.a[0].va_hash, a.ao_blob.ab_hash, HASH_LEN);
    ASSERT_MEM_EQ(l.a[0].va_entry, rec, HASH_LEN);
    ASSERT_EQ(l.a[0].va_size, sizeof(d1));
    ASSERT_STR_EQ(l.a[0].va_name, "one.bin");
    ASSERT_EQ(l.a[0].va_held, 1);
    {
        struct count n = fx_count(&h);

        ASSERT_EQ(n.held, 1);
        ASSERT_EQ(n.staged, 2);
    }
    /* a file held for DE+FR cannot go into a net record */
    ASSERT_ERR(fx_amend_with(&h, rec, "attach", hexs(b.ao_blob.ab_hash), &e),
               ILONET_EAUDIENCE);
    ASSERT(strstr(e.ae_msg, "is held for audience DE+FR"));
    ASSERT_EQ(app_err_http_status(&e), 403);
    /* an amendment adds; the record lists both, first added first */
    ASSERT_OK(fx_amend_with(&h, rec, "attach", hexs(c.ao_blob.ab_hash), &e));
    l = fx_atts(&h, rec);
    ASSERT_EQ(l.n, 2);
    ASSERT_MEM_EQ(l.a[0].va_hash, a.ao_blob.ab_hash, HASH_LEN);
    ASSERT_MEM_EQ(l.a[1].va_hash, c.ao_blob.ab_hash, HASH_LEN);
    /* the same file again: still listed once */
    ASSERT_OK(fx_amend_with(&h, rec, "attach", hexs(a.ao_blob.ab_hash), &e));
    ASSERT_EQ(fx_atts(&h, rec).n, 2);
    /* a DE+FR record takes files of DE+FR and of net */
    snprintf(two, sizeof(two), "%s,%s", hexs(b.ao_blob.ab_hash),
             hexs(a.ao_blob.ab_hash));
    ASSERT_OK(fx_observe_with(&h, "DE+FR", grp, &e, "attach", two, NULL));
    l = fx_atts(&h, grp);
    ASSERT_EQ(l.n, 2);
    ASSERT_MEM_EQ(l.a[0].va_hash, b.ao_blob.ab_hash, HASH_LEN);
    ASSERT_EQ(fx_count(&h).staged, 0);
    /* refusals: form (before any home), unknown, twice, both forms,
     * clearing, a change that is not an amendment */
    chk = (struct app_record_req){KIND_OBSERVATION, &bad, 1, NULL, NULL};
    ASSERT_ERR(app_record_check(h.h_vocab, &chk, &e), ILONET_EINVAL);
    ASSERT_STR_EQ(e.ae_field, "attach");
    ASSERT_EQ(e.ae_usage, 1);
    ASSERT(strstr(e.ae_msg, "'xyz' is not a blob hash"));
    ASSERT_ERR(
        fx_observe_with(&h, NULL, NULL, &e, "attach", "0123456789abcdef", NULL),
        ILONET_ENOTFOUND);
    ASSERT(strstr(e.ae_msg, "0123456789abcdef: no such blob"));
    snprintf(two, sizeof(two), "%s,%s", hexs(a.ao_blob.ab_hash), pre);
    ASSERT_ERR(fx_observe_with(&h, NULL, NULL, &e, "attach", two, NULL),
               ILONET_EINVAL);
    ASSERT(strstr(e.ae_msg, "named twice"));
    ASSERT_ERR(
        fx_observe_with(&h, NULL, NULL, &e, "attach", pre, "attach", pre, NULL),
        ILONET_EINVAL);
    ASSERT(strstr(e.ae_msg, "given twice"));
    ASSERT_ERR(fx_observe_with(&h, NULL, NULL, &e, "attach", pre, "attachments",
                               "91", NULL),
               ILONET_EINVAL);
    ASSERT(strstr(e.ae_msg, "not both"));
    ASSERT_ERR(fx_amend_with(&h, rec, "attachments", "", &e), ILONET_EINVAL);
    ASSERT_STR_EQ(e.ae_msg, "field 'attachments': attachments are added, "
                            "never cleared (erase the record)");
    {
        struct app_field fl = {"attach", pre};
        struct app_change_req r = {KIND_RETRACT, 0, hexs(rec), &fl, 1, NULL};
        struct app_written w;

        ASSERT_ERR(app_record_change(&h, &r, &w, &e), ILONET_EINVAL);
    }
    ASSERT_EQ(fx_atts(&h, rec).n, 2);
    home_close(&h);
    free(f.dir);
}

/* Retention: a record past its retain-until loses its payload on every
 * node, and with it the keys of its files; the sweep (app_retention_due
 * on a running node, home_open for any command) then removes the bytes
 * of every file no other record carries. */
static void
retention_removes_bytes(void)
{
    static uint8_t da[6000], db[8000], dc[3000];
    struct app_attach_out a, b, c;
    struct app_err e;
    struct fx f;
    struct home h;
    uint8_t marked[HASH_LEN], plain[HASH_LEN], key[BLOB_KEY_LEN];
    char ina[800], inb[800], inc[800], out[800], until[11], both[140];
    char fa[900], fb[900], fc[900], dbf[900], wal[900], off[32];
    struct blob_store *bs;
    size_t issued = 0;

    fx_net(&f, "blob_retain", "DE,FR");
    fx_open(&f, "DE", &h);
    fill(da, sizeof(da), 31);
    fill(db, sizeof(db), 32);
    fill(dc, sizeof(dc), 33);
    fx_path(&f, "a.bin", ina, sizeof(ina));
    fx_path(&f, "b.bin", inb, sizeof(inb));
    fx_path(&f, "c.bin", inc, sizeof(inc));
    fx_path(&f, "out.bin", out, sizeof(out));
    fx_write_file(ina, da, sizeof(da));
    fx_write_file(inb, db, sizeof(db));
    fx_write_file(inc, dc, sizeof(dc));
    fx_attach(&h, ina, NULL, NULL, &a);
    fx_attach(&h, inb, NULL, NULL, &b);
    record_format_date(home_now_ms() / 1000 + 86400, until);
    snprintf(both, sizeof(both), "%s,%s", hexs(a.ao_blob.ab_hash),
             hexs(b.ao_blob.ab_hash));
    /* A only in the marked record; B in it and in a plain one */
    ASSERT_OK(fx_observe_with(&h, NULL, marked, &e, "personal-data", "true",
                              "purpose", "case file", "retain-until", until,
                              "attach", both, NULL));
    ASSERT_OK(fx_observe_with(&h, NULL, plain, &e, "attach",
                              hexs(b.ao_blob.ab_hash), NULL));
    snprintf(fa, sizeof(fa), "%s/DE/blobs/%s", f.root, hexs(a.ao_blob.ab_hash));
    snprintf(fb, sizeof(fb), "%s/DE/blobs/%s", f.root, hexs(b.ao_blob.ab_hash));
    snprintf(dbf, sizeof(dbf), "%s/DE/store.db", f.root);
    snprintf(wal, sizeof(wal), "%s/DE/store.db-wal", f.root);
    bs = fx_blobs(&h);
    ASSERT_OK(blob_key(bs, a.ao_blob.ab_hash, key));
    blob_close(bs);
    ASSERT(access(fa, F_OK) == 0 && access(fb, F_OK) == 0);
    /* today: nothing is due */
    ASSERT_OK(app_retention_due(&h, home_now_ms(), &issued, &e));
    ASSERT_EQ(issued, 0);
    ASSERT(access(fa, F_OK) == 0);
    /* three days on: the record is gone, A's bytes and key with it */
    h.h_retention_day = 0;
    ASSERT_OK(
        app_retention_due(&h, home_now_ms() + 3 * 86400000ull, &issued, &e));
    ASSERT_EQ(issued, 1); /* this node wrote it: it issues the erasure */
    ASSERT(access(fa, F_OK) != 0);
    ASSERT_ERR(fx_get(&h, a.ao_blob.ab_hash, out, &e), ILONET_ENOTFOUND);
    ASSERT(!file_has(dbf, key, sizeof(key)));
    ASSERT(!file_has(wal, key, sizeof(key)));
    ASSERT_EQ(fx_atts(&h, marked).n, 0);
    /* B: the plain record still carries it */
    ASSERT(access(fb, F_OK) == 0);
    ASSERT_OK(fx_get(&h, b.ao_blob.ab_hash, out, &e));
    ASSERT_EQ(fx_atts(&h, plain).n, 1);
    {
        struct count n = fx_count(&h);

        ASSERT_EQ(n.held, 1);
        ASSERT_EQ(n.staged + n.wanted, 0);
    }
    home_close(&h);
    /* FR, the other path: a command opening the home past the date */
    fx_open(&f, "FR", &h);
    fx_attach(&h, inc, NULL, NULL, &c);
    ASSERT_OK(fx_observe_with(&h, NULL, marked, &e, "personal-data", "true",
                              "purpose", "case file", "retain-until", until,
                              "attach", hexs(c.ao_blob.ab_hash), NULL));
    home_close(&h);
    snprintf(fc, sizeof(fc), "%s/FR/blobs/%s", f.root, hexs(c.ao_blob.ab_hash));
    ASSERT(access(fc, F_OK) == 0);
    snprintf(off, sizeof(off), "%llu", 3 * 86400000ull);
    ASSERT_EQ(setenv("ILONET_CLOCK_OFFSET_MS", off, 1), 0);
    fx_open(&f, "FR", &h);
    ASSERT_EQ(unsetenv("ILONET_CLOCK_OFFSET_MS"), 0);
    ASSERT(access(fc, F_OK) != 0);
    home_close(&h);
    free(f.dir);
}

/* The command line: files by hash on a record, `show` lists them,
 * `status --json` counts them, `network create --blob-max`. */
static void
cli_by_hash_show_status(void)
{
    static uint8_t jpeg[3000];
    struct cli_out o;
    struct fx f;
    char dir[800], in[800], net[800], hash[65], id[65], plain[65], want[400];

    fx_net(&f, "blob_cli2", "DE,FR");
    fx_home(&f, "DE", dir, sizeof(dir));
    fill(jpeg, sizeof(jpeg), 41);
    jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff;
    fx_path(&f, "photo.jpg", in, sizeof(in));
    fx_write_file(in, jpeg, sizeof(jpeg));
    ASSERT_EQ(cli_run(&o, "-C", dir, "attach", in, NULL), 0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", hash), 1);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "observe", "--category", "document-fraud",
                      "--summary", "forged visa", "--attach", hash, NULL),
              0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", id), 1);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "observe", "--category", "routes",
                      "--summary", "no file", NULL),
              0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", plain), 1);
    cli_out_free(&o);
    /* show: the files after the history */
    ASSERT_EQ(cli_run(&o, "-C", dir, "show", id, NULL), 0);
    snprintf(want, sizeof(want),
             "attachments\n  %s 3000 image/jpeg held photo.jpg\n", hash);
    ASSERT(strstr(o.co_out, want));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "show", id, "--json", NULL), 0);
    snprintf(want, sizeof(want),
             "],\"attachments\":[{\"hash\":\"%s\",\"size\":3000,\"type\":"
             "\"image/jpeg\",\"name\":\"photo.jpg\",\"state\":\"held\","
             "\"entry\":\"%s\"}]}\n",
             hash, id);
    ASSERT(strstr(o.co_out, want));
    cli_out_free(&o);
    /* a record without files: as before */
    ASSERT_EQ(cli_run(&o, "-C", dir, "show", plain, NULL), 0);
    ASSERT(!strstr(o.co_out, "attachments"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "show", plain, "--json", NULL), 0);
    ASSERT(!strstr(o.co_out, "attachments"));
    cli_out_free(&o);
    /* status */
    ASSERT_EQ(cli_run(&o, "-C", dir, "status", "--json", NULL), 0);
    ASSERT(strstr(o.co_out, ",\"blobs\":{\"held\":1,\"staged\":0,"
                            "\"wanted\":0,\"bytes\":"));
    ASSERT(proc_json_num(o.co_out, "bytes") > 3000);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "status", NULL), 0);
    ASSERT(strstr(o.co_out, "\nblobs      1 held, 0 staged, 0 wanted; "));
    cli_out_free(&o);
    /* refusals name the option */
    ASSERT_EQ(cli_run(&o, "-C", dir, "observe", "--category", "routes",
                      "--summary", "x", "--attach", "zz", NULL),
              2);
    ASSERT(strstr(o.co_err, "'zz' is not a blob hash"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", dir, "amend", id, "--attachments", "", NULL),
              1);
    ASSERT(strstr(o.co_err, "attachments are added, never cleared"));
    cli_out_free(&o);
    /* network create --blob-max */
    fx_path(&f, "net1", net, sizeof(net));
    ASSERT_EQ(cli_run(&o, "network", "create", "--host", "DE", "--out", net,
                      "--blob-max", "10M", NULL),
              0);
    cli_out_free(&o);
    ASSERT(proc_file_has(net, "\nblob-max 10485760\n"));
    fx_path(&f, "net2", net, sizeof(net));
    ASSERT_EQ(cli_run(&o, "network", "create", "--host", "DE", "--out", net,
                      "--regime", "2019-1240", "--blob-max", "4096", NULL),
              0);
    cli_out_free(&o);
    ASSERT(proc_file_has(net, "\nblob-max 4096\n"));
    ASSERT(proc_file_has(net, "\nregime 2019-1240\n"));
    fx_path(&f, "net3", net, sizeof(net));
    ASSERT_EQ(cli_run(&o, "network", "create", "--host", "DE", "--out", net,
                      "--blob-max", "2G", NULL),
              2);
    ASSERT(strstr(o.co_err, "--blob-max 2G: a size from 1 byte to 1G"));
    ASSERT(access(net, F_OK) != 0);
    cli_out_free(&o);
    free(f.dir);
}

/* The network file's blob-max line: under both file forms, once, 1 byte
 * to 1 GiB; written last and only when set. */
static void
network_blob_max_line(void)
{
    struct network n, back;
    char text[1024], bad[1200];
    size_t len;
    struct app_err e;

    ASSERT_OK(key_global_init());
    ASSERT_OK(network_create(&n, "DE"));
    ASSERT_OK(network_format(&n, text, sizeof(text), &len));
    ASSERT(!strstr(text, "blob-max"));
    ASSERT_ERR(app_network_blob_max(&n, "0", &e), ILONET_EINVAL);
    ASSERT_ERR(app_network_blob_max(&n, "1025M", &e), ILONET_EINVAL);
    ASSERT_ERR(app_network_blob_max(&n, "10MB", &e), ILONET_EINVAL);
    ASSERT_ERR(app_network_blob_max(&n, "", &e), ILONET_EINVAL);
    ASSERT_OK(app_network_blob_max(&n, "1G", &e));
    ASSERT_EQ(n.n_blob_max, NET_BLOB_MAX_CAP);
    ASSERT_OK(app_network_blob_max(&n, "100K", &e));
    ASSERT_EQ(n.n_blob_max, 102400);
    ASSERT_OK(network_format(&n, text, sizeof(text), &len));
    ASSERT(len > 16 && strcmp(text + len - 16, "blob-max 102400\n") == 0);
    ASSERT_OK(network_parse(text, len, &back));
    ASSERT_MEM_EQ(&back, &n, sizeof(n));
    ASSERT_OK(network_create_regime(&n, "DE", "2019-1240", 2, "IQ"));
    n.n_blob_max = 5;
    ASSERT_OK(network_format(&n, text, sizeof(text), &len));
    ASSERT_OK(network_parse(text, len, &back));
    ASSERT_EQ(back.n_blob_max, 5);
    ASSERT_MEM_EQ(&back, &n, sizeof(n));
    /* twice, zero, over the cap, not digits: the file does not load */
    snprintf(bad, sizeof(bad), "%sblob-max 6\n", text);
    ASSERT_ERR(network_parse(bad, strlen(bad), &back), ILONET_EMALFORMED);
    n.n_blob_max = 0;
    ASSERT_OK(network_format(&n, text, sizeof(text), &len));
    snprintf(bad, sizeof(bad), "%sblob-max 0\n", text);
    ASSERT_ERR(network_parse(bad, strlen(bad), &back), ILONET_EMALFORMED);
    snprintf(bad, sizeof(bad), "%sblob-max 1073741825\n", text);
    ASSERT_ERR(network_parse(bad, strlen(bad), &back), ILONET_EMALFORMED);
    snprintf(bad, sizeof(bad), "%sblob-max 1073741824\n", text);
    ASSERT_OK(network_parse(bad, strlen(bad), &back));
    snprintf(bad, sizeof(bad), "%sblob-max 12k\n", text);
    ASSERT_ERR(network_parse(bad, strlen(bad), &back), ILONET_EMALFORMED);
    sodium_memzero(&n, sizeof(n));
    sodium_memzero(&back, sizeof(back));
    sodium_memzero(text, sizeof(text));
    sodium_memzero(bad, sizeof(bad));
}

/* A node one vocabulary version older keeps a record with files as
 * unread (it names no blob there); once it upgrades, the record reads
 * and its file is wanted (phase 2 fetches it). */
static void
older_vocabulary_keeps_files_unread(void)
{
    static uint8_t data[2000];
    struct cli_out o;
    struct fx f;
    char in[800], de[800], fr[800], hash[65], id[65], out[4096];

    fx_net(&f, "blob_skew", "DE,FR");
    fx_home(&f, "DE", de, sizeof(de));
    fx_home(&f, "FR", fr, sizeof(fr));
    fill(data, sizeof(data), 51);
    fx_path(&f, "scan.pdf", in, sizeof(in));
    memcpy(data, "%PDF-1.4\n", 9);
    fx_write_file(in, data, sizeof(data));
    ASSERT_EQ(cli_run(&o, "-C", de, "attach", in, NULL), 0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", hash), 1);
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", de, "observe", "--category", "routes",
                      "--summary", "scan", "--attach", hash, NULL),
              0);
    ASSERT_EQ(sscanf(o.co_out, "%64s", id), 1);
    cli_out_free(&o);
    fx_cli("-C %s export --out %s/de.x", de, f.dir);
    ASSERT_EQ(proc_run(NULL, 0,
                       "ILONET_TEST_VOCAB_VERSION=2 '%s' -C %s import %s/de.x "
                       ">/dev/null 2>&1",
                       proc_bin(), fr, f.dir),
              0);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "ILONET_TEST_VOCAB_VERSION=2 '%s' -C %s query "
                       "\"SELECT status FROM records WHERE id = '%s'\"",
                       proc_bin(), fr, id),
              0);
    ASSERT(strstr(out, "unread"));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "ILONET_TEST_VOCAB_VERSION=2 '%s' -C %s blob list",
                       proc_bin(), fr),
              0);
    ASSERT(!strstr(out, hash));
    /* upgraded: the view is rebuilt, the record read, its file wanted */
    ASSERT_EQ(cli_run(&o, "-C", fr, "show", id, NULL), 0);
    ASSERT(strstr(o.co_out, hash) && strstr(o.co_out, " wanted scan.pdf"));
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", fr, "status", "--json", NULL), 0);
    ASSERT(strstr(o.co_out, "\"blobs\":{\"held\":0,\"staged\":0,"
                            "\"wanted\":1,\"bytes\":0}"));
    cli_out_free(&o);
    free(f.dir);
}

/* The body of a report file: up to its annex marker (md, html) or its
 * first annex key (json), as docs/REPORTS.md defines it. */
static char *
fx_report_body(struct fx *f, const char *state, const char *period,
               const char *fmt)
{
    char out[900], *body, *end;
    size_t n;

    snprintf(out, sizeof(out), "%s/report-%s.%s", f->dir, state, fmt);
    fx_cli("-C %s/%s report --period %s --format %s --out %s", f->root, state,
           period, fmt, out);
    ASSERT((body = (char *)fx_read_file(out, &n)));
    body = realloc(body, n + 1);
    ASSERT(body);
    body[n] = '\0';
    if ((end = strstr(body, strcmp(fmt, "json") == 0 ? ",\"final_annex\":"
                                                     : "<!-- ilonet:annex")))
        *end = '\0';
    return body;
}

/* Issue 16 item 6: the report lists the files of its net records by name,
 * type, size and hash, the same bytes on a node that holds the file and on
 * nodes that only hold the reference; a file of an ms record never shows
 * in the body. */
static void
report_lists_attachments(void)
{
    static uint8_t jpg[70000], pdf[3000], sec[2000];
    static const char *const fmts[3] = {"md", "html", "json"};
    struct app_attach_out a1, a2, a3;
    struct count c;
    struct fx f;
    struct home h;
    uint8_t obs[HASH_LEN], ms[HASH_LEN];
    char in1[800], in2[800], in3[800], period[8];
    char h1[65], h2[65], h3[65], want[200];

    fx_net(&f, "blob_report", "DE,FR,IT");
    fill(jpg, sizeof(jpg), 41);
    memcpy(jpg, "\xff\xd8\xff\xe0", 4);
    fill(pdf, sizeof(pdf), 42);
    memcpy(pdf, "%PDF-1.7\n", 9);
    fill(sec, sizeof(sec), 43);
    fx_path(&f, "forged-passport.jpg", in1, sizeof(in1));
    fx_path(&f, "notice.pdf", in2, sizeof(in2));
    fx_path(&f, "ms-only-minutes.bin", in3, sizeof(in3));
    fx_write_file(in1, jpg, sizeof(jpg));
    fx_write_file(in2, pdf, sizeof(pdf));
    fx_write_file(in3, sec, sizeof(sec));
    fx_open(&f, "DE", &h);
    fx_observe(&h, "forged residence permits", NULL, obs);
    fx_observe(&h, "restricted matter", "ms", ms);
    fx_attach(&h, in1, obs, NULL, &a1);
    fx_attach(&h, in2, obs, NULL, &a2);
    fx_attach(&h, in3, ms, NULL, &a3);
    home_close(&h);
    hash_hex(a1.ao_blob.ab_hash, HASH_LEN, h1);
    hash_hex(a2.ao_blob.ab_hash, HASH_LEN, h2);
    hash_hex(a3.ao_blob.ab_hash, HASH_LEN, h3);
    /* FR and IT hold the references, not the bytes */
    fx_cli("-C %s/DE export --out %s/de.x", f.root, f.dir);
    fx_cli("-C %s/FR import %s/de.x", f.root, f.dir);
    fx_cli("-C %s/IT import %s/de.x", f.root, f.dir);
    fx_open(&f, "FR", &h);
    c = fx_count(&h);
    home_close(&h);
    ASSERT_EQ(c.held, 0);
    ASSERT_EQ(c.wanted, 3);
    fx_open(&f, "DE", &h);
    c = fx_count(&h);
    home_close(&h);
    ASSERT_EQ(c.held, 3);

    report_semester_of((uint64_t)time(NULL) * 1000, period);
    for (int k = 0; k < 3; k++) {
        char *de = fx_report_body(&f, "DE", period, fmts[k]);
        char *fr = fx_report_body(&f, "FR", period, fmts[k]);
        char *it = fx_report_body(&f, "IT", period, fmts[k]);

        ASSERT_EQ(strcmp(de, fr), 0);
        ASSERT_EQ(strcmp(de, it), 0);
        ASSERT(strstr(de, "forged-passport.jpg"));
        ASSERT(strstr(de, "notice.pdf"));
        ASSERT(strstr(de, "image/jpeg"));
        ASSERT(strstr(de, "application/pdf"));
        ASSERT(strstr(de, h1) && strstr(de, h2));
        /* the ms record's file: not its name, not its hash */
        ASSERT(!strstr(de, "ms-only-minutes"));
        ASSERT(!strstr(de, h3));
        ASSERT(!strstr(de, "restricted matter"));
        if (k == 0) {
            ASSERT(strstr(de, "\n## Attachments\n"));
            snprintf(want, sizeof(want),
                     "| forged-passport.jpg | image/jpeg "
                     "| 70000 bytes (68.3 KiB) | `%s` |",
                     h1);
            ASSERT(strstr(de, want));
            ASSERT(strstr(de, "| II.7 | `"));
        } else if (k == 2) {
            snprintf(want, sizeof(want),
                     "\"name\":\"forged-passport.jpg\",\"type\":"
                     "\"image/jpeg\",\"size\":70000,\"hash\":\"%s\"}",
                     h1);
            ASSERT(strstr(de, want));
            ASSERT(strstr(de, "\"attachments\":[{\"item\":\"II.7\""));
        } else {
            ASSERT(strstr(de, "<h2>Attachments</h2>"));
        }
        free(de);
        free(fr);
        free(it);
    }
    free(f.dir);
}

TEST_LIST = {
    TEST(tree_and_proofs),
    TEST(chunk_messages),
    TEST(reference_field),
    TEST(media_types),
    TEST(file_header),
    TEST(vectors_match_committed),
    TEST(record_field_attachments),
    TEST(store_get_round_trip),
    TEST(tampered_chunk_detected),
    TEST(size_limit_refused),
    TEST(quota_refused),
    TEST(unreadable_file_refused),
    TEST(erasure_removes_bytes),
    TEST(staged_blob_expires),
    TEST(audience_rules),
    TEST(failed_reference_leaves_nothing),
    TEST(cli_cases),
    TEST(confinement_canary_jpeg),
    TEST(attach_by_hash),
    TEST(retention_removes_bytes),
    TEST(cli_by_hash_show_status),
    TEST(network_blob_max_line),
    TEST(older_vocabulary_keeps_files_unread),
    TEST(report_lists_attachments),
};

TEST_MAIN()
