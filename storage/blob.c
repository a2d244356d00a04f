/* blob.c - the blob formats: hash tree and proofs, the reference field, the
 * stored file header, the chunk message. */
#include "blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"

/* ---- the hash tree --------------------------------------------------------
 */

uint32_t
blob_chunk_count(uint64_t size)
{
    if (size == 0 || size > BLOB_SIZE_CAP)
        return 0;
    return (uint32_t)((size + BLOB_CHUNK - 1) / BLOB_CHUNK);
}

size_t
blob_chunk_len(uint64_t size, uint32_t i)
{
    uint32_t n = blob_chunk_count(size);

    if (i >= n)
        return 0;
    if (i + 1 < n)
        return BLOB_CHUNK;
    return (size_t)(size - (uint64_t)i * BLOB_CHUNK);
}

void
blob_leaf(const uint8_t *chunk, size_t len, uint8_t out[static HASH_LEN])
{
    hash_buf(HASH_CTX_BLOB_CHUNK, chunk, len, out);
}

static void
blob__node(const uint8_t l[static HASH_LEN], const uint8_t r[static HASH_LEN],
           uint8_t out[static HASH_LEN])
{
    struct hash_state st;

    hash_init(&st, HASH_CTX_BLOB_NODE);
    hash_update(&st, l, HASH_LEN);
    hash_update(&st, r, HASH_LEN);
    hash_final(&st, out);
}

/* The largest power of two below n (n >= 2): where RFC 6962 splits. */
static uint32_t
blob__split(uint32_t n)
{
    uint32_t k = 1;

    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* RFC 6962 MTH over n >= 1 leaves. Recursion depth <= BLOB_PROOF_MAX. */
static void
blob__mth(const uint8_t (*l)[HASH_LEN], uint32_t n, uint8_t out[HASH_LEN])
{
    uint8_t a[HASH_LEN], b[HASH_LEN];
    uint32_t k;

    if (n == 1) {
        memcpy(out, l[0], HASH_LEN);
        return;
    }
    k = blob__split(n);
    blob__mth(l, k, a);
    blob__mth(l + k, n - k, b);
    blob__node(a, b, out);
}

int
blob_root(const uint8_t (*leaves)[HASH_LEN], uint32_t n,
          uint8_t out[static HASH_LEN])
{
    if (!leaves || n == 0 || n > BLOB_CHUNKS_MAX)
        return ILONET_EINVAL;
    blob__mth(leaves, n, out);
    return 0;
}

void
blob_id_of(uint64_t size, const uint8_t root[static HASH_LEN],
           uint8_t id[static HASH_LEN])
{
    struct hash_state st;
    uint8_t be[8];

    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(size >> (56 - 8 * i));
    hash_init(&st, HASH_CTX_BLOB_ID);
    hash_update(&st, be, sizeof(be));
    hash_update(&st, root, HASH_LEN);
    hash_final(&st, id);
}

int
blob_hash_buf(const uint8_t *data, size_t len, uint8_t id[static HASH_LEN])
{
    uint32_t n = blob_chunk_count(len);
    uint8_t(*leaves)[HASH_LEN];
    uint8_t root[HASH_LEN];

    if (!data || n == 0)
        return ILONET_EINVAL;
    if (!(leaves = malloc((size_t)n * HASH_LEN)))
        return ILONET_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        blob_leaf(data + (size_t)i * BLOB_CHUNK, blob_chunk_len(len, i),
                  leaves[i]);
    blob__mth((const uint8_t(*)[HASH_LEN])leaves, n, root);
    free(leaves);
    blob_id_of(len, root, id);
    return 0;
}

/* RFC 6962 PATH(m, D[n]), leaf to root: the sibling subtrees' roots. */
static void
blob__path(const uint8_t (*l)[HASH_LEN], uint32_t n, uint32_t m,
           uint8_t proof[][HASH_LEN], size_t *np)
{
    uint32_t k;

    if (n <= 1)
        return;
    k = blob__split(n);
    if (m < k) {
        blob__path(l, k, m, proof, np);
        blob__mth(l + k, n - k, proof[(*np)++]);
    } else {
        blob__path(l + k, n - k, m - k, proof, np);
        blob__mth(l, k, proof[(*np)++]);
    }
}

int
blob_proof(const uint8_t (*leaves)[HASH_LEN], uint32_t n, uint32_t i,
           uint8_t proof[static BLOB_PROOF_MAX][HASH_LEN], size_t *plen)
{
    size_t np = 0;

    if (!leaves || n == 0 || n > BLOB_CHUNKS_MAX || i >= n)
        return ILONET_EINVAL;
    blob__path(leaves, n, i, proof, &np);
    *plen = np;
    return 0;
}

int
blob_proof_verify(const uint8_t id[static HASH_LEN], uint64_t size, uint32_t i,
                  const uint8_t leaf[static HASH_LEN],
                  const uint8_t (*proof)[HASH_LEN], size_t plen)
{
    uint32_t n = blob_chunk_count(size), fn = i, sn;
    uint8_t r[HASH_LEN], got[HASH_LEN];

    if (n == 0 || i >= n || plen > BLOB_PROOF_MAX || (plen && !proof))
        return ILONET_EINVAL;
    /* RFC 9162 section 2.1.3.2, with this file's node hash */
    sn = n - 1;
    memcpy(r, leaf, HASH_LEN);
    for (size_t p = 0; p < plen; p++) {
        if (sn == 0)
            return ILONET_EINVAL; /* longer than the path */
        if ((fn & 1) || fn == sn) {
            blob__node(proof[p], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            blob__node(r, proof[p], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return ILONET_EINVAL; /* shorter than the path */
    blob_id_of(size, r, got);
    return sodium_memcmp(got, id, HASH_LEN) == 0 ? 0 : ILONET_EHASH;
}

void
blob_key_id(const uint8_t key[static BLOB_KEY_LEN],
            uint8_t out[static HASH_LEN])
{
    hash_buf(HASH_CTX_BLOB_KEY, key, BLOB_KEY_LEN, out);
}

/* ---- text rules ------------------------------------------------------------
 */

/* Bytes of the UTF-8 sequence at s[0..n) (1..4), 0 when not valid; a
 * sequence cut short by n is 0 too. */
static size_t
blob__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 1, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        k = 2, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 3, cp = c & 0x07;
    else
        return 0;
    if (k >= n)
        return 0;
    for (size_t j = 1; j <= k; j++) {
        if ((s[j] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[j] & 0x3f);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k + 1;
}

/* 1 if s[0..n) is the start of a UTF-8 sequence cut short: a lead byte
 * and fewer continuation bytes than it announces. */
static int
blob__utf8_cut(const unsigned char *s, size_t n)
{
    size_t want = s[0] >= 0xf0 && s[0] <= 0xf4   ? 3
                  : s[0] >= 0xe0 && s[0] <= 0xef ? 2
                  : s[0] >= 0xc2 && s[0] <= 0xdf ? 1
                                                 : 0;

    if (want == 0 || n > want)
        return 0;
    for (size_t j = 1; j < n; j++)
        if ((s[j] & 0xc0) != 0x80)
            return 0;
    return 1;
}

/* The first bytes a text check looks at. */
#define BLOB__SNIFF 4096

/* UTF-8 text: no NUL or C0 control other than tab, newline, carriage
 * return and form feed, no DEL. A sequence cut by the end of a full
 * sniffing window is allowed (the file goes on). */
static int
blob__text(const unsigned char *s, size_t n)
{
    size_t i = 0;

    if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
        i = 3; /* byte order mark */
    if (i == n)
        return 0;
    while (i < n) {
        size_t k = blob__utf8_seq(s + i, n - i);

        if (k == 0)
            return n >= BLOB__SNIFF && blob__utf8_cut(s + i, n - i);
        if (k == 1 && ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
                        s[i] != '\r' && s[i] != '\f') ||
                       s[i] == 0x7f))
            return 0;
        i += k;
    }
    return 1;
}

const char *
blob_media_type(const uint8_t *h, size_t n)
{
    if (!h)
        return "application/octet-stream";
    if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return "application/pdf";
    if (blob__text(h, n < BLOB__SNIFF ? n : BLOB__SNIFF))
        return "text/plain";
    return "application/octet-stream";
}

static int
blob__type_part(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (i > 0 && strchr("!#$&^_.+-", c))))
            return 0;
    }
    return 1;
}

int
blob_type_valid(const char *s, size_t n)
{
    const char *slash;

    if (!s || n == 0 || n > BLOB_TYPE_MAX || memchr(s, '\0', n))
        return 0;
    slash = memchr(s, '/', n);
    return slash && blob__type_part(s, (size_t)(slash - s)) &&
           blob__type_part(slash + 1, n - (size_t)(slash - s) - 1);
}

int
blob_name_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (!s || n == 0 || n > BLOB_NAME_MAX)
        return 0;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    for (size_t i = 0; i < n;) {
        size_t k = blob__utf8_seq(u + i, n - i);

        if (k == 0)
            return 0;
        if (k == 1 &&
            (u[i] < 0x20 || u[i] == 0x7f || u[i] == '/' || u[i] == '\\'))
            return 0;
        /* C1 controls (U+0080..U+009F) are controls too */
        if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
            return 0;
        i += k;
    }
    return 1;
}

/* ---- the reference field
 * ----------------------------------------------------- */

static int
blob__why(char *why, size_t wl, size_t item, const char *what)
{
    if (why && wl)
        snprintf(why, wl, "field 'attachments': item %zu: %s", item, what);
    return ILONET_EINVAL;
}

static int
blob__key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);

    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

/* One item; r may be NULL (check only). */
static int
blob__item(const msgpack_object *m, size_t item, struct blob_ref *r, char *why,
           size_t wl)
{
    static const char *const keys[] = {"hash", "key", "name", "size", "type"};
    const msgpack_object *val[5] = {NULL, NULL, NULL, NULL, NULL};
    const char *s;
    size_t n;

    if (m->type != MSGPACK_OBJECT_MAP)
        return blob__why(why, wl, item, "not a map");
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        size_t j = 0;

        while (j < 5 && !blob__key_is(k, keys[j]))
            j++;
        if (j == 5)
            return blob__why(why, wl, item, "unknown key");
        if (val[j])
            return blob__why(why, wl, item, "key given twice");
        val[j] = &m->via.map.ptr[i].val;
    }
    for (size_t j = 0; j < 5; j++)
        if (j != 2 && !val[j]) {
            char what[32];
            snprintf(what, sizeof(what), "no '%s'", keys[j]);
            return blob__why(why, wl, item, what);
        }
    if (val[0]->type != MSGPACK_OBJECT_BIN || val[0]->via.bin.size != HASH_LEN)
        return blob__why(why, wl, item, "'hash' is not 32 bytes");
    if (val[1]->type != MSGPACK_OBJECT_BIN ||
        val[1]->via.bin.size != BLOB_KEY_LEN)
        return blob__why(why, wl, item, "'key' is not 32 bytes");
    if (val[3]->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        val[3]->via.u64 == 0 || val[3]->via.u64 > BLOB_SIZE_CAP)
        return blob__why(why, wl, item, "'size' is not 1 to 2^30");
    if (wire_get_str(val[4], &s, &n) != 0 || !blob_type_valid(s, n))
        return blob__why(why, wl, item, "'type' is not a media type");
    if (r) {
        memcpy(r->br_type, s, n);
        r->br_type[n] = '\0';
    }
    if (val[2]) {
        const char *ns;
        size_t nn;

        if (wire_get_str(val[2], &ns, &nn) != 0 || !blob_name_valid(ns, nn))
            return blob__why(why, wl, item, "'name' is not a file name");
        if (r) {
            memcpy(r->br_name, ns, nn);
            r->br_name[nn] = '\0';
        }
    } else if (r) {
        r->br_name[0] = '\0';
    }
    if (r) {
        memcpy(r->br_id, val[0]->via.bin.ptr, HASH_LEN);
        memcpy(r->br_key, val[1]->via.bin.ptr, BLOB_KEY_LEN);
        r->br_size = val[3]->via.u64;
    }
    return 0;
}

static int
blob__refs(const msgpack_object *v, struct blob_ref *out, size_t max,
           size_t *nout, char *why, size_t wl)
{
    uint32_t n;
    int rc;

    if (!v || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0 ||
        v->via.array.size > BLOB_REFS_MAX) {
        if (why && wl)
            snprintf(why, wl,
                     "field 'attachments': wrong type (want an array of 1 to "
                     "%d attachments)",
                     BLOB_REFS_MAX);
        return ILONET_EINVAL;
    }
    n = v->via.array.size;
    if (out && n > max)
        return blob__why(why, wl, max + 1, "more items than room");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *m = &v->via.array.ptr[i];

        if ((rc = blob__item(m, i + 1, out ? &out[i] : NULL, why, wl)) != 0)
            return rc;
        /* one blob once: a list has one encoding per set of blobs */
        for (uint32_t j = 0; j < i; j++) {
            const msgpack_object *a = &v->via.array.ptr[j];
            const msgpack_object *ha = NULL, *hb = NULL;

            for (uint32_t q = 0; q < a->via.map.size; q++)
                if (blob__key_is(&a->via.map.ptr[q].key, "hash"))
                    ha = &a->via.map.ptr[q].val;
            for (uint32_t q = 0; q < m->via.map.size; q++)
                if (blob__key_is(&m->via.map.ptr[q].key, "hash"))
                    hb = &m->via.map.ptr[q].val;
            if (memcmp(ha->via.bin.ptr, hb->via.bin.ptr, HASH_LEN) == 0)
                return blob__why(why, wl, i + 1, "blob named twice");
        }
    }
    if (nout)
        *nout = n;
    return 0;
}

int
blob_refs_check(const msgpack_object *v, char *why, size_t wl)
{
    return blob__refs(v, NULL, 0, NULL, why, wl);
}

int
blob_refs_decode(const msgpack_object *v, struct blob_ref *out, size_t max,
                 size_t *n, char *why, size_t wl)
{
    if (!out || !n)
        return ILONET_EINVAL;
    return blob__refs(v, out, max, n, why, wl);
}

int
blob_refs_parse(const uint8_t *buf, size_t len, struct blob_ref *out,
                size_t max, size_t *n, char *why, size_t wl)
{
    /* an item is at most ~500 bytes; 16 of them fit in 8 KiB */
    struct wire_limits lim = {8192, 3, 1 + BLOB_REFS_MAX * 11};
    msgpack_zone z;
    msgpack_object o;
    int rc;

    if (!buf || !out || !n)
        return ILONET_EINVAL;
    if ((rc = wire_check(buf, len, &lim)) != 0) {
        if (why && wl)
            snprintf(why, wl, "field 'attachments': %s", ilonet_strerror(rc));
        return rc;
    }
    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    if ((rc = wire_unpack(buf, len, &z, &o)) == 0)
        rc = blob__refs(&o, out, max, n, why, wl);
    msgpack_zone_destroy(&z);
    return rc;
}

void
blob_refs_pack(struct wire_buf *wb, const struct blob_ref *refs, size_t n)
{
    wire_pack_array(wb, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct blob_ref *r = &refs[i];

        /* keys in bytewise order: hash, key, name, size, type */
        wire_pack_map(wb, r->br_name[0] ? 5 : 4);
        wire_pack_str(wb, "hash");
        wire_pack_bin(wb, r->br_id, HASH_LEN);
        wire_pack_str(wb, "key");
        wire_pack_bin(wb, r->br_key, BLOB_KEY_LEN);
        if (r->br_name[0]) {
            wire_pack_str(wb, "name");
            wire_pack_str(wb, r->br_name);
        }
        wire_pack_str(wb, "size");
        wire_pack_uint(wb, r->br_size);
        wire_pack_str(wb, "type");
        wire_pack_str(wb, r->br_type);
    }
}

/* ---- the stored file's header ---------------------------------------------
 */

static const uint8_t blob__magic[8] = {'I', 'L', 'N', 'T', 'B', 'L', 'B', '1'};

void
blob_file_hdr_encode(const struct blob_file_hdr *h,
                     uint8_t out[static BLOB_FILE_HDR_LEN])
{
    memcpy(out, blob__magic, 8);
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(h->bh_size >> (56 - 8 * i));
    memcpy(out + 16, h->bh_id, HASH_LEN);
    memcpy(out + 48, h->bh_keyid, HASH_LEN);
    memcpy(out + 80, h->bh_stream, sizeof(h->bh_stream));
}

int
blob_file_hdr_decode(const uint8_t *buf, size_t len, struct blob_file_hdr *out)
{
    uint64_t size = 0;

    if (!buf || !out || len < BLOB_FILE_HDR_LEN ||
        memcmp(buf, blob__magic, 8) != 0)
        return ILONET_EMALFORMED;
    for (int i = 0; i < 8; i++)
        size = size << 8 | buf[8 + i];
    if (size == 0)
        return ILONET_EINVAL;
    if (size > BLOB_SIZE_CAP)
        return ILONET_ETOOBIG;
    out->bh_size = size;
    memcpy(out->bh_id, buf + 16, HASH_LEN);
    memcpy(out->bh_keyid, buf + 48, HASH_LEN);
    memcpy(out->bh_stream, buf + 80, sizeof(out->bh_stream));
    return 0;
}

uint64_t
blob_file_len(uint64_t size)
{
    uint64_t n = blob_chunk_count(size);
    uint64_t ab = crypto_secretstream_xchacha20poly1305_ABYTES;

    return BLOB_FILE_HDR_LEN + size + n * ab + n * HASH_LEN + ab;
}

/* ---- the chunk message ------------------------------------------------------
 */

void
blob_chunk_encode(struct wire_buf *wb, const struct blob_chunk *c)
{
    wire_pack_array(wb, 4);
    wire_pack_bin(wb, c->bc_id, HASH_LEN);
    wire_pack_uint(wb, c->bc_index);
    wire_pack_bin(wb, c->bc_data, c->bc_len);
    wire_pack_array(wb, (uint32_t)c->bc_nproof);
    for (size_t i = 0; i < c->bc_nproof; i++)
        wire_pack_bin(wb, c->bc_proof[i], HASH_LEN);
}

int
blob_chunk_decode(const uint8_t *buf, size_t len, struct blob_chunk *out)
{
    struct wire_limits lim = {BLOB_CHUNK_MSG_MAX, 2, 5 + BLOB_PROOF_MAX};
    const msgpack_object *a, *p;
    struct blob_chunk c;
    msgpack_zone z;
    msgpack_object o;
    int rc;

    if (!buf || !out)
        return ILONET_EINVAL;
    if ((rc = wire_check(buf, len, &lim)) != 0)
        return rc;
    if (!msgpack_zone_init(&z, 1024))
        return ILONET_ENOMEM;
    if ((rc = wire_unpack(buf, len, &z, &o)) != 0)
        goto out;
    rc = ILONET_EMALFORMED;
    if (o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size != 4)
        goto out;
    a = o.via.array.ptr;
    memset(&c, 0, sizeof(c));
    if (wire_get_bin_fixed(&a[0], c.bc_id, HASH_LEN) != 0 ||
        a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        a[1].via.u64 >= BLOB_CHUNKS_MAX ||
        wire_get_bin(&a[2], &c.bc_data, &c.bc_len) != 0 || c.bc_len == 0 ||
        c.bc_len > BLOB_CHUNK || a[3].type != MSGPACK_OBJECT_ARRAY ||
        a[3].via.array.size > BLOB_PROOF_MAX)
        goto out;
    c.bc_index = (uint32_t)a[1].via.u64;
    p = a[3].via.array.ptr;
    c.bc_nproof = a[3].via.array.size;
    for (size_t i = 0; i < c.bc_nproof; i++)
        if (wire_get_bin_fixed(&p[i], c.bc_proof[i], HASH_LEN) != 0)
            goto out;
    *out = c;
    rc = 0;
out:
    msgpack_zone_destroy(&z);
    return rc;
}

int
blob_chunk_verify(const struct blob_chunk *c, uint64_t size)
{
    uint8_t leaf[HASH_LEN];

    if (!c || blob_chunk_count(size) == 0 ||
        c->bc_index >= blob_chunk_count(size) ||
        c->bc_len != blob_chunk_len(size, c->bc_index))
        return ILONET_EINVAL;
    blob_leaf(c->bc_data, c->bc_len, leaf);
    return blob_proof_verify(c->bc_id, size, c->bc_index, leaf,
                             (const uint8_t(*)[HASH_LEN])c->bc_proof,
                             c->bc_nproof);
}
