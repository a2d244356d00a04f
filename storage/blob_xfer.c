/* blob_xfer.c - blobs between nodes: what to fetch, who may have it, reading
 * chunks with proofs, sealing received chunks (docs/PROTOCOL.md §11). */
#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "storage/blob_int.h"
#include "storage/store_int.h"

#define BLOB__AD_LEN 80 /* header bytes the tree message authenticates */

/* ---- what to fetch, and from whom ------------------------------------- */

int
blob_wanted(struct blob_store *bs, uint64_t since_ms, struct blob_want *out,
            size_t max, size_t *n)
{
    sqlite3_stmt *st;
    size_t got = 0;
    int rc;

    if (!bs || (max && !out) || !n)
        return ILONET_EINVAL;
    /* entries.hlc is unix ms << 16 (docs/FORMAT.md); a demand row whose
     * blob is held or no longer referenced is dropped on the way */
    st = blob__prep(bs, "SELECT r.hash, min(r.size) FROM blob_ref r"
                        " JOIN entries e ON e.k = r.k"
                        " WHERE NOT EXISTS (SELECT 1 FROM blob b"
                        "   WHERE b.hash = r.hash)"
                        " AND ((e.hlc >> 16) >= ?1 OR EXISTS (SELECT 1 FROM"
                        "   blob_demand d WHERE d.hash = r.hash))"
                        " GROUP BY r.hash ORDER BY r.hash");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)since_ms);
    while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t size = (uint64_t)sqlite3_column_int64(st, 1);

        if (sqlite3_column_bytes(st, 0) != HASH_LEN || size == 0 ||
            size > bs->bs_lim.bl_max)
            continue;
        memcpy(out[got].bw_id, sqlite3_column_blob(st, 0), HASH_LEN);
        out[got++].bw_size = size;
    }
    if (got < max && rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return store_err(rc);
    }
    sqlite3_finalize(st);
    *n = got;
    return 0;
}

int
blob_demand(struct blob_store *bs, const uint8_t id[static HASH_LEN],
            uint64_t now_ms)
{
    sqlite3_stmt *st;
    int rc;

    if (!bs)
        return ILONET_EINVAL;
    st = blob__prep(bs, "INSERT OR REPLACE INTO blob_demand(hash, at)"
                        " VALUES(?, ?)");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)now_ms);
    rc = blob__step_done(st);
    sqlite3_finalize(st);
    return rc;
}

int
blob_admits(struct blob_store *bs, const uint8_t id[static HASH_LEN],
            const char *state, int role, int need_file)
{
    uint8_t key[BLOB_KEY_LEN];
    sqlite3_stmt *st;
    int rc, yes = 0;

    if (!bs || !state)
        return ILONET_EINVAL;
    st = blob__prep(bs, "SELECT DISTINCT l.audience FROM blob_ref r"
                        " JOIN logs l ON l.lid = (r.k >> 32)"
                        " WHERE r.hash = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    while (!yes && (rc = sqlite3_step(st)) == SQLITE_ROW)
        yes = audience_admits((const char *)sqlite3_column_text(st, 0), state,
                              (enum cert_role)role);
    if (!yes && rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return store_err(rc);
    }
    sqlite3_finalize(st);
    if (!yes || !need_file)
        return yes;
    if ((rc = blob__exists(bs, id)) != 1)
        return rc < 0 ? rc : 0;
    rc = blob_key(bs, id, key);
    sodium_memzero(key, sizeof(key));
    return rc == 0 ? 1 : rc == ILONET_ENOTFOUND ? 0 : rc;
}

/* ---- serving: a reader ------------------------------------------------ */

struct blob_reader {
    int br_fd;
    uint64_t br_size;
    uint32_t br_n;    /* chunks */
    uint32_t br_next; /* the chunk the stream opens next */
    uint8_t br_id[HASH_LEN];
    uint8_t br_key[BLOB_KEY_LEN];
    uint8_t br_stream[24];
    crypto_secretstream_xchacha20poly1305_state br_ss;
    uint8_t (*br_leaves)[HASH_LEN];
    uint8_t *br_buf; /* one chunk, plaintext */
    uint8_t *br_ct;  /* one chunk, sealed */
};

/* Back to chunk 0: the stream starts again after the header. */
static int
blob__reader_rewind(struct blob_reader *r)
{
    if (lseek(r->br_fd, BLOB_FILE_HDR_LEN, SEEK_SET) != BLOB_FILE_HDR_LEN ||
        crypto_secretstream_xchacha20poly1305_init_pull(&r->br_ss, r->br_stream,
                                                        r->br_key) != 0)
        return ILONET_EIO;
    r->br_next = 0;
    return 0;
}

/* Opens the next chunk into br_buf. */
static int
blob__reader_step(struct blob_reader *r)
{
    size_t len = blob_chunk_len(r->br_size, r->br_next);
    uint8_t tag;
    int rc;

    if ((rc = blob__read_full(r->br_fd, r->br_ct, len + BLOB__SS_AB,
                              ILONET_EHASH)) != 0)
        return rc;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &r->br_ss, r->br_buf, NULL, &tag, r->br_ct, len + BLOB__SS_AB, NULL,
            0) != 0 ||
        tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        return ILONET_EHASH;
    r->br_next++;
    return 0;
}

void
blob_reader_close(struct blob_reader *r)
{
    if (!r)
        return;
    if (r->br_fd >= 0)
        close(r->br_fd);
    if (r->br_buf)
        sodium_memzero(r->br_buf, BLOB_CHUNK);
    sodium_memzero(r->br_key, sizeof(r->br_key));
    sodium_memzero(&r->br_ss, sizeof(r->br_ss));
    free(r->br_buf);
    free(r->br_ct);
    free(r->br_leaves);
    free(r);
}

int
blob_reader_open(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                 struct blob_reader **out)
{
    uint8_t hb[BLOB_FILE_HDR_LEN], keyid[HASH_LEN], root[HASH_LEN];
    uint8_t got[HASH_LEN], tag, *tree = NULL, *sealed = NULL;
    char path[BLOB__PATH_MAX];
    struct blob_file_hdr h;
    struct blob_reader *r;
    struct stat sb;
    size_t tl;
    int rc;

    if (!bs || !out)
        return ILONET_EINVAL;
    if (!(r = calloc(1, sizeof(*r))))
        return ILONET_ENOMEM;
    r->br_fd = -1;
    memcpy(r->br_id, id, HASH_LEN);
    if ((rc = blob_key(bs, id, r->br_key)) != 0)
        goto fail;
    blob__path(bs, "", id, path);
    if ((r->br_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        rc = errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
        goto fail;
    }
    blob_key_id(r->br_key, keyid);
    if (blob__read_full(r->br_fd, hb, sizeof(hb), ILONET_EHASH) != 0 ||
        blob_file_hdr_decode(hb, sizeof(hb), &h) != 0 ||
        memcmp(h.bh_id, id, HASH_LEN) != 0 ||
        sodium_memcmp(h.bh_keyid, keyid, HASH_LEN) != 0 ||
        fstat(r->br_fd, &sb) != 0 ||
        (uint64_t)sb.st_size != blob_file_len(h.bh_size)) {
        rc = ILONET_EHASH;
        goto fail;
    }
    r->br_size = h.bh_size;
    r->br_n = blob_chunk_count(h.bh_size);
    memcpy(r->br_stream, h.bh_stream, sizeof(r->br_stream));
    tl = (size_t)r->br_n * HASH_LEN;
    if (!(r->br_leaves = malloc(tl)) || !(r->br_buf = malloc(BLOB_CHUNK)) ||
        !(r->br_ct = malloc(BLOB_CHUNK + BLOB__SS_AB)) ||
        !(tree = malloc(tl + BLOB__SS_AB)) || !(sealed = malloc(tl))) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    /* one pass: every seal, the leaves, the tree message, the id; what is
     * served later was checked here */
    if ((rc = blob__reader_rewind(r)) != 0)
        goto fail;
    for (uint32_t i = 0; i < r->br_n; i++) {
        if ((rc = blob__reader_step(r)) != 0)
            goto fail;
        blob_leaf(r->br_buf, blob_chunk_len(r->br_size, i), r->br_leaves[i]);
    }
    if (blob__read_full(r->br_fd, tree, tl + BLOB__SS_AB, ILONET_EHASH) != 0 ||
        crypto_secretstream_xchacha20poly1305_pull(&r->br_ss, sealed, NULL,
                                                   &tag, tree, tl + BLOB__SS_AB,
                                                   hb, BLOB__AD_LEN) != 0 ||
        tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL ||
        sodium_memcmp(sealed, r->br_leaves, tl) != 0) {
        rc = ILONET_EHASH;
        goto fail;
    }
    blob_root((const uint8_t(*)[HASH_LEN])r->br_leaves, r->br_n, root);
    blob_id_of(r->br_size, root, got);
    if (memcmp(got, id, HASH_LEN) != 0) {
        rc = ILONET_EHASH;
        goto fail;
    }
    if ((rc = blob__reader_rewind(r)) != 0)
        goto fail;
    free(tree);
    free(sealed);
    *out = r;
    return 0;
fail:
    free(tree);
    free(sealed);
    blob_reader_close(r);
    return rc;
}

uint64_t
blob_reader_size(const struct blob_reader *r)
{
    return r ? r->br_size : 0;
}

int
blob_reader_chunk(struct blob_reader *r, uint32_t i, struct blob_chunk *out)
{
    int rc;

    if (!r || !out || i >= r->br_n)
        return ILONET_EINVAL;
    if (i < r->br_next && (rc = blob__reader_rewind(r)) != 0)
        return rc;
    while (r->br_next <= i)
        if ((rc = blob__reader_step(r)) != 0)
            return rc;
    memset(out, 0, sizeof(*out));
    memcpy(out->bc_id, r->br_id, HASH_LEN);
    out->bc_index = i;
    out->bc_data = r->br_buf;
    out->bc_len = blob_chunk_len(r->br_size, i);
    return blob_proof((const uint8_t(*)[HASH_LEN])r->br_leaves, r->br_n, i,
                      out->bc_proof, &out->bc_nproof);
}

/* ---- receiving: a writer ---------------------------------------------- */

/* The sizes this node's references give a blob: most often one; a member
 * may write a reference to a real id with a wrong size (docs/PROTOCOL.md
 * §11.7), so the writer keeps up to BLOB__SIZES_MAX of them, each with
 * the key, type and name of the first reference naming it. */
#define BLOB__SIZES_MAX 4

struct blob__cand {
    uint64_t c_size;
    uint32_t c_refs; /* references naming this size */
    uint8_t c_key[BLOB_KEY_LEN];
    char c_type[BLOB_TYPE_MAX + 1];
    char c_name[BLOB_NAME_MAX + 1];
};

struct blob_writer {
    struct blob_store *bw_bs;
    int bw_fd;
    uint64_t bw_size, bw_now;
    uint32_t bw_n, bw_next;
    uint8_t bw_id[HASH_LEN];
    uint8_t bw_keyid[HASH_LEN];
    uint8_t bw_hdr[BLOB_FILE_HDR_LEN];
    char bw_type[BLOB_TYPE_MAX + 1];
    char bw_name[BLOB_NAME_MAX + 1];
    char bw_part[BLOB__PATH_MAX];
    crypto_secretstream_xchacha20poly1305_state bw_ss;
    uint8_t (*bw_leaves)[HASH_LEN]; /* for the largest candidate */
    uint8_t *bw_ct;
    size_t bw_ncand, bw_cur; /* candidates, the one written now */
    int bw_settled; /* a chunk proved the size (or a resumed partial) */
    struct blob__cand bw_cand[BLOB__SIZES_MAX];
};

/* Order of candidates: named by more references first, then smaller. */
static int
blob__cand_cmp(const void *a, const void *b)
{
    const struct blob__cand *x = a, *y = b;

    if (x->c_refs != y->c_refs)
        return x->c_refs > y->c_refs ? -1 : 1;
    return x->c_size < y->c_size ? -1 : x->c_size > y->c_size;
}

/* The sizes the live references to id give (at most BLOB__SIZES_MAX, each
 * within the network's limit) into w's candidates. ILONET_ENOTFOUND (no
 * live reference), ILONET_ETOOBIG (every size over the limit). */
static int
blob__live_refs(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                struct blob_writer *w)
{
    sqlite3_stmt *st = blob__prep(bs, "SELECT k, i, size FROM blob_ref"
                                      " WHERE hash = ? ORDER BY k, i");
    struct blob_ref ref;
    int rc = ILONET_ENOTFOUND;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t size = (uint64_t)sqlite3_column_int64(st, 2);
        size_t j = 0;

        while (j < w->bw_ncand && w->bw_cand[j].c_size != size)
            j++;
        if (j < w->bw_ncand) {
            w->bw_cand[j].c_refs++;
            continue;
        }
        if (w->bw_ncand == BLOB__SIZES_MAX ||
            blob__ref_at(bs, sqlite3_column_int64(st, 0),
                         sqlite3_column_int64(st, 1), &ref) != 0)
            continue;
        if (memcmp(ref.br_id, id, HASH_LEN) != 0 || ref.br_size != size ||
            size > bs->bs_lim.bl_max) {
            if (size > bs->bs_lim.bl_max)
                rc = ILONET_ETOOBIG;
            sodium_memzero(&ref, sizeof(ref));
            continue;
        }
        w->bw_cand[j].c_size = size;
        w->bw_cand[j].c_refs = 1;
        memcpy(w->bw_cand[j].c_key, ref.br_key, BLOB_KEY_LEN);
        snprintf(w->bw_cand[j].c_type, sizeof(w->bw_cand[j].c_type), "%s",
                 ref.br_type);
        snprintf(w->bw_cand[j].c_name, sizeof(w->bw_cand[j].c_name), "%s",
                 ref.br_name);
        sodium_memzero(&ref, sizeof(ref));
        w->bw_ncand++;
    }
    sqlite3_finalize(st);
    if (w->bw_ncand == 0)
        return rc;
    qsort(w->bw_cand, w->bw_ncand, sizeof(w->bw_cand[0]), blob__cand_cmp);
    return 0;
}

/* Writes as candidate j from chunk 0: a new partial (its header, a new
 * stream under j's key). */
static int
blob__writer_start(struct blob_writer *w, size_t j)
{
    const struct blob__cand *c = &w->bw_cand[j];
    struct blob_file_hdr h;

    if (w->bw_fd >= 0)
        close(w->bw_fd);
    w->bw_cur = j;
    w->bw_size = c->c_size;
    w->bw_n = blob_chunk_count(c->c_size);
    w->bw_next = 0;
    blob_key_id(c->c_key, w->bw_keyid);
    snprintf(w->bw_type, sizeof(w->bw_type), "%s", c->c_type);
    snprintf(w->bw_name, sizeof(w->bw_name), "%s", c->c_name);
    w->bw_fd =
        open(w->bw_part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
             0600);
    if (w->bw_fd < 0)
        return ILONET_EIO;
    memset(&h, 0, sizeof(h));
    h.bh_size = w->bw_size;
    memcpy(h.bh_id, w->bw_id, HASH_LEN);
    memcpy(h.bh_keyid, w->bw_keyid, HASH_LEN);
    if (crypto_secretstream_xchacha20poly1305_init_push(&w->bw_ss, h.bh_stream,
                                                        c->c_key) != 0)
        return ILONET_EIO;
    blob_file_hdr_encode(&h, w->bw_hdr);
    return blob__write_full(w->bw_fd, w->bw_hdr, sizeof(w->bw_hdr));
}

/*
 * Takes up the partial a writer of this blob left (a session that ended,
 * a node stopped or killed): its header must name this blob, its size and
 * the key of w's reference; every whole sealed chunk after it is opened
 * (the seal is an AEAD under that key: a chunk changed on disk, cut or
 * written by anyone without the key fails) and its leaf kept; the file is
 * cut after the last chunk that opened and the stream goes on from there.
 * The chunks' proofs are not kept, so the last chunk is always fetched
 * again, and the finish checks the whole tree against the id before the
 * file is placed. *fd is -1 and w->bw_next 0 when nothing could be used.
 */
static void
blob__writer_resume(struct blob_writer *w, int *fd)
{
    const uint8_t *key = NULL;
    crypto_secretstream_xchacha20poly1305_state ss, keep;
    uint8_t hdr[BLOB_FILE_HDR_LEN], *plain = NULL;
    struct blob_file_hdr h;
    uint64_t off = BLOB_FILE_HDR_LEN;
    uint32_t i = 0;

    *fd = open(w->bw_part, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (*fd < 0)
        return;
    if (blob__read_full(*fd, hdr, sizeof(hdr), ILONET_EMALFORMED) != 0 ||
        blob_file_hdr_decode(hdr, sizeof(hdr), &h) != 0 ||
        memcmp(h.bh_id, w->bw_id, HASH_LEN) != 0)
        goto none;
    /* the candidate it was written as: its size and its key */
    for (size_t j = 0; j < w->bw_ncand && !key; j++) {
        uint8_t kid[HASH_LEN];

        blob_key_id(w->bw_cand[j].c_key, kid);
        if (w->bw_cand[j].c_size == h.bh_size &&
            memcmp(kid, h.bh_keyid, HASH_LEN) == 0) {
            key = w->bw_cand[j].c_key;
            w->bw_cur = j;
        }
    }
    if (!key)
        goto none;
    w->bw_size = h.bh_size;
    w->bw_n = blob_chunk_count(h.bh_size);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, h.bh_stream,
                                                        key) != 0 ||
        !(plain = malloc(BLOB_CHUNK)))
        goto none;
    for (; i + 1 < w->bw_n; i++) {
        size_t len = blob_chunk_len(w->bw_size, i);
        unsigned char tag = 0;

        keep = ss;
        if (blob__read_full(*fd, w->bw_ct, len + BLOB__SS_AB,
                            ILONET_EMALFORMED) != 0 ||
            crypto_secretstream_xchacha20poly1305_pull(
                &ss, plain, NULL, &tag, w->bw_ct, len + BLOB__SS_AB, NULL, 0) !=
                0 ||
            tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            ss = keep;
            break;
        }
        blob_leaf(plain, len, w->bw_leaves[i]);
        off += len + BLOB__SS_AB;
    }
    if (i == 0 || ftruncate(*fd, (off_t)off) != 0 ||
        lseek(*fd, (off_t)off, SEEK_SET) != (off_t)off)
        goto none;
    /* the pull side's state after i messages is the push side's; the
     * chunks were verified when they came, so the size is proven */
    w->bw_ss = ss;
    memcpy(w->bw_hdr, hdr, sizeof(hdr));
    memcpy(w->bw_keyid, h.bh_keyid, HASH_LEN);
    snprintf(w->bw_type, sizeof(w->bw_type), "%s",
             w->bw_cand[w->bw_cur].c_type);
    snprintf(w->bw_name, sizeof(w->bw_name), "%s",
             w->bw_cand[w->bw_cur].c_name);
    w->bw_next = i;
    w->bw_settled = 1;
    goto out;
none:
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    i = 0;
out:
    sodium_memzero(&ss, sizeof(ss));
    sodium_memzero(&keep, sizeof(keep));
    if (plain) {
        sodium_memzero(plain, BLOB_CHUNK);
        free(plain);
    }
}

int
blob_writer_open(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                 uint64_t now_ms, struct blob_writer **out)
{
    struct blob_writer *w;
    uint32_t maxn = 0;
    int rc;

    if (!bs || !out)
        return ILONET_EINVAL;
    if ((rc = blob__exists(bs, id)) != 0)
        return rc == 1 ? ILONET_EEXIST : rc;
    if (!(w = calloc(1, sizeof(*w))))
        return ILONET_ENOMEM;
    w->bw_bs = bs;
    w->bw_fd = -1;
    w->bw_now = now_ms;
    memcpy(w->bw_id, id, HASH_LEN);
    blob__path(bs, ".part-", id, w->bw_part);
    if ((rc = blob__live_refs(bs, id, w)) != 0)
        goto free;
    /* the size most references give must fit; the one proven is checked
     * again when the blob is placed */
    if ((rc = blob__quota(bs, blob_file_len(w->bw_cand[0].c_size), NULL, 0)) !=
        0)
        goto free;
    for (size_t j = 0; j < w->bw_ncand; j++)
        if (blob_chunk_count(w->bw_cand[j].c_size) > maxn)
            maxn = blob_chunk_count(w->bw_cand[j].c_size);
    if (!(w->bw_leaves = malloc((size_t)maxn * HASH_LEN)) ||
        !(w->bw_ct = malloc(BLOB_CHUNK + BLOB__SS_AB))) {
        rc = ILONET_ENOMEM;
        goto free;
    }
    /* a partial left by an earlier writer (this process or one that
     * stopped or died) goes on where it ended */
    blob__writer_resume(w, &w->bw_fd);
    if (w->bw_fd < 0 && (rc = blob__writer_start(w, 0)) != 0) {
        blob_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
free:
    blob_writer_free(w); /* nothing written: a partial there stays */
    return rc;
}

uint64_t
blob_writer_size(const struct blob_writer *w)
{
    return w ? w->bw_size : 0;
}

uint32_t
blob_writer_next(const struct blob_writer *w)
{
    return w ? w->bw_next : 0;
}

uint32_t
blob_writer_ask_limit(const struct blob_writer *w)
{
    uint32_t n;

    if (!w)
        return 0;
    if (w->bw_settled || w->bw_ncand < 2)
        return w->bw_n;
    /* a peer refuses a range past the blob: until a chunk proves the
     * size, nothing past the smallest candidate's end is asked */
    n = w->bw_n;
    for (size_t j = 0; j < w->bw_ncand; j++)
        if (blob_chunk_count(w->bw_cand[j].c_size) < n)
            n = blob_chunk_count(w->bw_cand[j].c_size);
    return n;
}

int
blob_writer_settled(const struct blob_writer *w)
{
    return w && w->bw_settled;
}

/* After the last chunk: the tree, fsync, into place with its row. */
static int
blob__writer_finish(struct blob_writer *w)
{
    struct blob_store *bs = w->bw_bs;
    size_t tl = (size_t)w->bw_n * HASH_LEN;
    char final[BLOB__PATH_MAX];
    uint8_t *tree;
    sqlite3_stmt *st;
    int rc, placed = 0;

    uint8_t root[HASH_LEN], id[HASH_LEN];

    /* every leaf, resumed from disk or verified on arrival, against the
     * id: nothing is placed that does not hash to it */
    if (blob_root((const uint8_t(*)[HASH_LEN])w->bw_leaves, w->bw_n, root) != 0)
        return ILONET_EHASH;
    blob_id_of(w->bw_size, root, id);
    if (sodium_memcmp(id, w->bw_id, HASH_LEN) != 0)
        return ILONET_EHASH;
    if (!(tree = malloc(tl + BLOB__SS_AB)))
        return ILONET_ENOMEM;
    crypto_secretstream_xchacha20poly1305_push(
        &w->bw_ss, tree, NULL, (const uint8_t *)w->bw_leaves, tl, w->bw_hdr,
        BLOB__AD_LEN, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    rc = blob__write_full(w->bw_fd, tree, tl + BLOB__SS_AB);
    free(tree);
    if (rc != 0)
        return rc;
    if (fsync(w->bw_fd) != 0 || close(w->bw_fd) != 0) {
        w->bw_fd = -1;
        return ILONET_EIO;
    }
    w->bw_fd = -1;
    if ((rc = store_begin(bs->bs_store)) != 0)
        return rc;
    /* the reference may have been erased while the bytes came */
    st = blob__prep(bs, "SELECT 1 FROM blob_ref WHERE hash = ? AND keyid = ?");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_blob(st, 1, w->bw_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, w->bw_keyid, HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
        goto fail;
    }
    if ((rc = blob__exists(bs, w->bw_id)) != 0) {
        rc = rc == 1 ? ILONET_EEXIST : rc;
        goto fail;
    }
    if ((rc = blob__quota(bs, blob_file_len(w->bw_size), NULL, 0)) != 0)
        goto fail;
    blob__path(bs, "", w->bw_id, final);
    if (rename(w->bw_part, final) != 0) {
        rc = ILONET_EIO;
        goto fail;
    }
    placed = 1;
    if ((rc = blob__sync_dir(bs->bs_dir)) != 0)
        goto fail;
    st = blob__prep(bs, "INSERT INTO blob(hash, size, stored, keyid, type,"
                        " name, added) VALUES(?,?,?,?,?,?,?)");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_blob(st, 1, w->bw_id, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)w->bw_size);
    sqlite3_bind_int64(st, 3, (int64_t)blob_file_len(w->bw_size));
    sqlite3_bind_blob(st, 4, w->bw_keyid, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, w->bw_type, -1, SQLITE_STATIC);
    if (w->bw_name[0])
        sqlite3_bind_text(st, 6, w->bw_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (int64_t)w->bw_now);
    rc = blob__step_done(st);
    sqlite3_finalize(st);
    if (rc != 0)
        goto fail;
    st = blob__prep(bs, "DELETE FROM blob_demand WHERE hash = ?");
    if (!st) {
        rc = ILONET_EIO;
        goto fail;
    }
    sqlite3_bind_blob(st, 1, w->bw_id, HASH_LEN, SQLITE_STATIC);
    rc = blob__step_done(st);
    sqlite3_finalize(st);
    if (rc != 0 || (rc = store_commit(bs->bs_store)) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(bs->bs_store);
    if (placed)
        blob__wipe(final); /* no row: the file must not stay */
    return rc;
}

int
blob_writer_put(struct blob_writer *w, const struct blob_chunk *c, int *done)
{
    int rc;

    if (!w || !c || !done)
        return ILONET_EINVAL;
    *done = 0;
    if (w->bw_fd < 0)
        return ILONET_ECLOSED;
    if (memcmp(c->bc_id, w->bw_id, HASH_LEN) != 0 || c->bc_index != w->bw_next)
        return ILONET_EPROTO;
    rc = blob_chunk_verify(c, w->bw_size);
    /* chunk 0 against every size the references give: the id commits to
     * the size, so only the true one verifies (FORMAT.md §10.1) */
    for (size_t j = 0; rc != 0 && !w->bw_settled && j < w->bw_ncand; j++) {
        if (j == w->bw_cur || blob_chunk_verify(c, w->bw_cand[j].c_size) != 0)
            continue;
        if ((rc = blob__writer_start(w, j)) != 0) {
            if (w->bw_fd >= 0)
                close(w->bw_fd);
            w->bw_fd = -1;
            return rc;
        }
    }
    if (rc != 0)
        return rc;
    w->bw_settled = 1;
    blob_leaf(c->bc_data, c->bc_len, w->bw_leaves[w->bw_next]);
    crypto_secretstream_xchacha20poly1305_push(
        &w->bw_ss, w->bw_ct, NULL, c->bc_data, c->bc_len, NULL, 0,
        crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    if ((rc = blob__write_full(w->bw_fd, w->bw_ct, c->bc_len + BLOB__SS_AB)) !=
        0) {
        close(w->bw_fd);
        w->bw_fd = -1;
        return rc;
    }
    w->bw_next++;
    if (w->bw_next < w->bw_n)
        return 0;
    if ((rc = blob__writer_finish(w)) != 0) {
        if (w->bw_fd >= 0)
            close(w->bw_fd);
        w->bw_fd = -1;
        return rc;
    }
    *done = 1;
    return 0;
}

void
blob_writer_free(struct blob_writer *w)
{
    if (!w)
        return;
    if (w->bw_fd >= 0)
        close(w->bw_fd);
    sodium_memzero(&w->bw_ss, sizeof(w->bw_ss));
    sodium_memzero(w->bw_cand, sizeof(w->bw_cand));
    if (w->bw_ct)
        sodium_memzero(w->bw_ct, BLOB_CHUNK + BLOB__SS_AB);
    free(w->bw_ct);
    free(w->bw_leaves);
    free(w);
}

void
blob_writer_abort(struct blob_writer *w)
{
    if (!w)
        return;
    if (w->bw_fd >= 0) {
        close(w->bw_fd);
        w->bw_fd = -1;
    }
    blob__wipe(w->bw_part); /* gone already when the blob was placed */
    blob_writer_free(w);
}
