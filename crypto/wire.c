/* wire.c - canonical msgpack: the pre-scan, the one reader, the writer. */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define WIRE_MAX_DEPTH 32

struct wire__frame {
    uint64_t left; /* elements still to read (map: keys + values) */
    int is_map;
    const uint8_t *key; /* previous key in this map, for ordering */
    size_t key_len;
};

static uint64_t
wire__be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* RFC 3629 UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
int
wire_utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp;
        uint64_t w;

        /* Eight ASCII bytes at once: most of what officers write is
         * ASCII, and every string of every entry comes through here on
         * the event loop (1.5 % of a 1M sync's loop byte by byte, 0.6 %
         * a word at a time). */
        if (n - i >= 8) {
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
            (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int
wire__scan(const uint8_t *buf, size_t len, const struct wire_limits *lim,
           size_t *out_len)
{
    struct wire__frame st[WIRE_MAX_DEPTH + 1];
    int depth = 0, max_depth = lim->max_depth;
    size_t pos = 0, items = 0;

    if (max_depth > WIRE_MAX_DEPTH)
        max_depth = WIRE_MAX_DEPTH;
    st[0] = (struct wire__frame){1, 0, NULL, 0};
    for (;;) {
        while (st[depth].left == 0) {
            if (depth == 0) {
                *out_len = pos;
                return 0;
            }
            depth--;
        }
        struct wire__frame *f = &st[depth];
        int want_key = f->is_map && f->left % 2 == 0;
        uint64_t n = 0, min = 0;
        int hdr = 0, kind; /* kind: 0 scalar, 1 str, 2 bin, 3 array, 4 map */
        uint8_t b;

        f->left--;
        if (pos >= len)
            return ILONET_EMALFORMED;
        b = buf[pos++];
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            kind = 0;
        } else if (b >= 0x80 && b <= 0x8f) {
            kind = 4, n = b & 0x0f;
        } else if (b >= 0x90 && b <= 0x9f) {
            kind = 3, n = b & 0x0f;
        } else if (b >= 0xa0 && b <= 0xbf) {
            kind = 1, n = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4: kind = 2, hdr = 1, min = 0; break;
            case 0xc5: kind = 2, hdr = 2, min = 0x100; break;
            case 0xc6: kind = 2, hdr = 4, min = 0x10000; break;
            case 0xd9: kind = 1, hdr = 1, min = 32; break;
            case 0xda: kind = 1, hdr = 2, min = 0x100; break;
            case 0xdb: kind = 1, hdr = 4, min = 0x10000; break;
            case 0xdc: kind = 3, hdr = 2, min = 16; break;
            case 0xdd: kind = 3, hdr = 4, min = 0x10000; break;
            case 0xde: kind = 4, hdr = 2, min = 16; break;
            case 0xdf: kind = 4, hdr = 4, min = 0x10000; break;
            case 0xcc:
            case 0xcd:
            case 0xce:
            case 0xcf: {
                int w = 1 << (b - 0xcc);
                if (len - pos < (size_t)w)
                    return ILONET_EMALFORMED;
                uint64_t v = wire__be(buf + pos, w);
                pos += (size_t)w;
                /* shortest form: positive fixint below 128, then widths */
                if (v < (w == 1   ? 0x80u
                         : w == 2 ? 0x100u
                         : w == 4 ? 0x10000u
                                  : 0x100000000u))
                    return ILONET_ENONCANON;
                kind = 0;
                break;
            }
            case 0xd0:
            case 0xd1:
            case 0xd2:
            case 0xd3: {
                int w = 1 << (b - 0xd0);
                if (len - pos < (size_t)w)
                    return ILONET_EMALFORMED;
                uint64_t u = wire__be(buf + pos, w);
                int64_t v;
                pos += (size_t)w;
                /* sign-extend w bytes */
                if (w < 8 && (u >> (8 * w - 1)))
                    u |= ~(uint64_t)0 << (8 * w);
                memcpy(&v, &u, sizeof(v));
                if (v >= (w == 1   ? -32
                          : w == 2 ? -128
                          : w == 4 ? -32768
                                   : -2147483648LL))
                    return ILONET_ENONCANON;
                kind = 0;
                break;
            }
            default: return ILONET_EMALFORMED; /* float, ext, 0xc1 */
            }
        }
        if (want_key && kind != 1)
            return ILONET_ENONCANON;
        if (hdr) {
            if (len - pos < (size_t)hdr)
                return ILONET_EMALFORMED;
            n = wire__be(buf + pos, hdr);
            pos += (size_t)hdr;
            if (n < min)
                return ILONET_ENONCANON;
        }
        if (kind == 1 || kind == 2) {
            if (n > lim->max_len)
                return ILONET_ETOOBIG;
            if (n > len - pos)
                return ILONET_EMALFORMED;
            if (kind == 1 && !wire_utf8_ok(buf + pos, (size_t)n))
                return ILONET_EMALFORMED;
            if (want_key) {
                if (f->key) {
                    size_t m = f->key_len < n ? f->key_len : (size_t)n;
                    int c = memcmp(f->key, buf + pos, m);
                    if (c > 0 || (c == 0 && f->key_len >= n))
                        return ILONET_ENONCANON;
                }
                f->key = buf + pos;
                f->key_len = (size_t)n;
            }
            pos += (size_t)n;
        } else if (kind == 3 || kind == 4) {
            uint64_t elems = kind == 4 ? 2 * n : n;
            /* Every element takes at least one byte: a count larger than
             * what is left is a lie, refused before anything allocates. */
            if (elems > len - pos)
                return ILONET_EMALFORMED;
            items += (size_t)elems;
            if (items > lim->max_items)
                return ILONET_ETOOBIG;
            if (depth + 1 > max_depth)
                return ILONET_ETOODEEP;
            st[++depth] = (struct wire__frame){elems, kind == 4, NULL, 0};
        }
    }
}

int
wire_check(const uint8_t *buf, size_t len, const struct wire_limits *lim)
{
    size_t used;
    int rc;

    if (!buf || !lim)
        return ILONET_EINVAL;
    if (len > lim->max_len)
        return ILONET_ETOOBIG;
    if ((rc = wire__scan(buf, len, lim, &used)) != 0)
        return rc;
    return used == len ? 0 : ILONET_EMALFORMED;
}

int
wire_check_prefix(const uint8_t *buf, size_t len, const struct wire_limits *lim,
                  size_t *obj_len)
{
    size_t used;
    int rc;

    if (!buf || !lim || !obj_len)
        return ILONET_EINVAL;
    if ((rc = wire__scan(buf, len < lim->max_len ? len : lim->max_len, lim,
                         &used)) != 0)
        return rc;
    *obj_len = used;
    return 0;
}

/* ---- the reader ------------------------------------------------------ */

/* The header of the next value: its type, how many bytes the header takes,
 * and its value (uint), length (str, bin) or count (array, map). */
struct wire__head {
    enum wire_type h_type;
    size_t h_len;
    uint64_t h_u; /* uint value, length or count */
    int64_t h_i;  /* WIRE_T_INT: the value */
};

static int
wire__head(const struct wire_rd *r, struct wire__head *h)
{
    size_t left = (size_t)(r->wr_end - r->wr_p);
    const uint8_t *p = r->wr_p;
    uint64_t min = 0;
    int w = 0;
    uint8_t b;

    if (left == 0)
        return ILONET_EMALFORMED;
    b = p[0];
    h->h_len = 1;
    h->h_u = 0;
    h->h_i = 0;
    if (b <= 0x7f) {
        h->h_type = WIRE_T_UINT, h->h_u = b;
        return 0;
    }
    if (b >= 0xe0) {
        h->h_type = WIRE_T_INT, h->h_i = (int8_t)b;
        return 0;
    }
    if (b <= 0x8f) {
        h->h_type = WIRE_T_MAP, h->h_u = b & 0x0f;
        return 0;
    }
    if (b <= 0x9f) {
        h->h_type = WIRE_T_ARRAY, h->h_u = b & 0x0f;
        return 0;
    }
    if (b <= 0xbf) {
        h->h_type = WIRE_T_STR, h->h_u = b & 0x1f;
        return 0;
    }
    switch (b) {
    case 0xc0: h->h_type = WIRE_T_NIL; return 0;
    case 0xc2:
    case 0xc3: h->h_type = WIRE_T_BOOL, h->h_u = b & 1; return 0;
    case 0xc4: h->h_type = WIRE_T_BIN, w = 1, min = 0; break;
    case 0xc5: h->h_type = WIRE_T_BIN, w = 2, min = 0x100; break;
    case 0xc6: h->h_type = WIRE_T_BIN, w = 4, min = 0x10000; break;
    case 0xcc: h->h_type = WIRE_T_UINT, w = 1, min = 0x80; break;
    case 0xcd: h->h_type = WIRE_T_UINT, w = 2, min = 0x100; break;
    case 0xce: h->h_type = WIRE_T_UINT, w = 4, min = 0x10000; break;
    case 0xcf: h->h_type = WIRE_T_UINT, w = 8, min = 0x100000000u; break;
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: h->h_type = WIRE_T_INT, w = 1 << (b - 0xd0); break;
    case 0xd9: h->h_type = WIRE_T_STR, w = 1, min = 32; break;
    case 0xda: h->h_type = WIRE_T_STR, w = 2, min = 0x100; break;
    case 0xdb: h->h_type = WIRE_T_STR, w = 4, min = 0x10000; break;
    case 0xdc: h->h_type = WIRE_T_ARRAY, w = 2, min = 16; break;
    case 0xdd: h->h_type = WIRE_T_ARRAY, w = 4, min = 0x10000; break;
    case 0xde: h->h_type = WIRE_T_MAP, w = 2, min = 16; break;
    case 0xdf: h->h_type = WIRE_T_MAP, w = 4, min = 0x10000; break;
    default: h->h_type = WIRE_T_OTHER; return 0; /* float, ext, 0xc1 */
    }
    if (left - 1 < (size_t)w)
        return ILONET_EMALFORMED;
    h->h_len = 1 + (size_t)w;
    h->h_u = wire__be(p + 1, w);
    if (h->h_type == WIRE_T_INT) {
        uint64_t u = h->h_u;

        if (w < 8 && (u >> (8 * w - 1)))
            u |= ~(uint64_t)0 << (8 * w);
        memcpy(&h->h_i, &u, sizeof(h->h_i));
        /* shortest form: negative fixint above -33, then by width; a
         * non-negative value belongs in a uint format */
        if (h->h_i >= (w == 1   ? -32
                       : w == 2 ? -128
                       : w == 4 ? -32768
                                : -2147483648LL))
            return ILONET_ENONCANON;
        return 0;
    }
    if (h->h_u < min)
        return ILONET_ENONCANON;
    return 0;
}

void
wire_rd_init(struct wire_rd *r, const uint8_t *buf, size_t len, int type_err)
{
    r->wr_p = buf;
    r->wr_end = buf ? buf + len : buf;
    r->wr_type_err = type_err;
}

enum wire_type
wire_rd_peek(const struct wire_rd *r)
{
    struct wire__head h;

    if (r->wr_p == r->wr_end)
        return WIRE_T_END;
    /* a truncated or non-canonical header still has a type */
    (void)wire__head(r, &h);
    return h.h_type;
}

size_t
wire_rd_left(const struct wire_rd *r)
{
    return (size_t)(r->wr_end - r->wr_p);
}

int
wire_rd_done(const struct wire_rd *r)
{
    return r->wr_p == r->wr_end ? 0 : ILONET_EMALFORMED;
}

/* Reads the header of a value of type t; for str and bin also checks that
 * the body is present. *h describes it; the cursor is not moved. */
static int
wire__want(const struct wire_rd *r, enum wire_type t, struct wire__head *h)
{
    int rc;

    if ((rc = wire__head(r, h)) != 0)
        return rc;
    if (h->h_type != t)
        return r->wr_type_err;
    if ((t == WIRE_T_STR || t == WIRE_T_BIN) &&
        h->h_u > (uint64_t)(r->wr_end - r->wr_p) - h->h_len)
        return ILONET_EMALFORMED;
    return 0;
}

static int
wire__count(struct wire_rd *r, enum wire_type t, uint64_t *n)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, t, &h)) != 0)
        return rc;
    r->wr_p += h.h_len;
    *n = h.h_u;
    return 0;
}

int
wire_rd_array(struct wire_rd *r, uint64_t *n)
{
    return wire__count(r, WIRE_T_ARRAY, n);
}

int
wire_rd_map(struct wire_rd *r, uint64_t *n)
{
    return wire__count(r, WIRE_T_MAP, n);
}

static int
wire__count_n(struct wire_rd *r, enum wire_type t, uint64_t n)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, t, &h)) != 0)
        return rc;
    if (h.h_u != n)
        return r->wr_type_err;
    r->wr_p += h.h_len;
    return 0;
}

int
wire_rd_array_n(struct wire_rd *r, uint64_t n)
{
    return wire__count_n(r, WIRE_T_ARRAY, n);
}

int
wire_rd_map_n(struct wire_rd *r, uint64_t n)
{
    return wire__count_n(r, WIRE_T_MAP, n);
}

int
wire_rd_nil(struct wire_rd *r)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_NIL, &h)) != 0)
        return rc;
    r->wr_p += h.h_len;
    return 0;
}

int
wire_rd_bool(struct wire_rd *r, int *v)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_BOOL, &h)) != 0)
        return rc;
    r->wr_p += h.h_len;
    *v = (int)h.h_u;
    return 0;
}

int
wire_rd_uint(struct wire_rd *r, uint64_t *v)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_UINT, &h)) != 0)
        return rc;
    r->wr_p += h.h_len;
    *v = h.h_u;
    return 0;
}

int
wire_rd_int(struct wire_rd *r, int64_t *v)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__head(r, &h)) != 0)
        return rc;
    if (h.h_type == WIRE_T_INT) {
        *v = h.h_i;
    } else if (h.h_type == WIRE_T_UINT && h.h_u <= (uint64_t)INT64_MAX) {
        *v = (int64_t)h.h_u;
    } else {
        return r->wr_type_err;
    }
    r->wr_p += h.h_len;
    return 0;
}

int
wire_rd_str(struct wire_rd *r, const char **s, size_t *n)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_STR, &h)) != 0)
        return rc;
    *s = (const char *)r->wr_p + h.h_len;
    *n = (size_t)h.h_u;
    r->wr_p += h.h_len + (size_t)h.h_u;
    return 0;
}

int
wire_rd_bin(struct wire_rd *r, const uint8_t **b, size_t *n)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_BIN, &h)) != 0)
        return rc;
    *b = r->wr_p + h.h_len;
    *n = (size_t)h.h_u;
    r->wr_p += h.h_len + (size_t)h.h_u;
    return 0;
}

int
wire_rd_bin_fixed(struct wire_rd *r, uint8_t *out, size_t n)
{
    struct wire__head h;
    int rc;

    if ((rc = wire__want(r, WIRE_T_BIN, &h)) != 0)
        return rc;
    if (h.h_u != n)
        return r->wr_type_err;
    memcpy(out, r->wr_p + h.h_len, n);
    r->wr_p += h.h_len + n;
    return 0;
}

int
wire_rd_key(struct wire_rd *r, const char *key)
{
    struct wire__head h;
    size_t kl = strlen(key);
    int rc;

    if ((rc = wire__want(r, WIRE_T_STR, &h)) != 0)
        return rc;
    if (h.h_u != kl || memcmp(r->wr_p + h.h_len, key, kl) != 0)
        return r->wr_type_err;
    r->wr_p += h.h_len + kl;
    return 0;
}

int
wire_rd_skip(struct wire_rd *r)
{
    struct wire_rd t = *r;
    uint64_t left = 1; /* values still to skip */
    int rc;

    while (left) {
        struct wire__head h;
        uint64_t body = 0;

        /* every value takes at least one byte: a count beyond the bytes
         * left is refused before it is walked */
        if (left > wire_rd_left(&t))
            return ILONET_EMALFORMED;
        if ((rc = wire__head(&t, &h)) != 0)
            return rc;
        if (h.h_type == WIRE_T_OTHER)
            return ILONET_EMALFORMED;
        left--;
        if (h.h_type == WIRE_T_ARRAY)
            left += h.h_u;
        else if (h.h_type == WIRE_T_MAP)
            left += 2 * h.h_u;
        else if (h.h_type == WIRE_T_STR || h.h_type == WIRE_T_BIN)
            body = (size_t)h.h_u;
        if (body > wire_rd_left(&t) - h.h_len)
            return ILONET_EMALFORMED;
        t.wr_p += h.h_len + (size_t)body;
    }
    *r = t;
    return 0;
}

/* ---- msgpack-c objects (record payloads) ----------------------------- */

int
wire_unpack(const uint8_t *buf, size_t len, msgpack_zone *zone,
            msgpack_object *obj)
{
    size_t off = 0;
    msgpack_unpack_return r;

    r = msgpack_unpack((const char *)buf, len, &off, zone, obj);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR)
        return ILONET_ENOMEM;
    if (r != MSGPACK_UNPACK_SUCCESS || off != len)
        return ILONET_EMALFORMED;
    return 0;
}

static int
wire__write(void *data, const char *p, size_t n)
{
    struct wire_buf *wb = data;

    if (wb->wb_err)
        return -1;
    if (n > wb->wb_max - wb->wb_len) {
        wb->wb_err = ILONET_ETOOBIG;
        return -1;
    }
    if (wb->wb_len + n > wb->wb_cap) {
        size_t cap = wb->wb_cap ? wb->wb_cap : 256;
        uint8_t *d;

        while (cap < wb->wb_len + n)
            cap *= 2;
        if (cap > wb->wb_max)
            cap = wb->wb_max;
        d = realloc(wb->wb_data, cap);
        if (!d) {
            wb->wb_err = ILONET_ENOMEM;
            return -1;
        }
        wb->wb_data = d;
        wb->wb_cap = cap;
    }
    memcpy(wb->wb_data + wb->wb_len, p, n);
    wb->wb_len += n;
    return 0;
}

void
wire_buf_init(struct wire_buf *wb, size_t max_len)
{
    memset(wb, 0, sizeof(*wb));
    wb->wb_max = max_len;
    msgpack_packer_init(&wb->wb_pk, wb, wire__write);
}

void
wire_buf_reset(struct wire_buf *wb)
{
    wb->wb_len = 0;
    wb->wb_err = 0;
}

void
wire_buf_free(struct wire_buf *wb)
{
    free(wb->wb_data);
    wb->wb_data = NULL;
    wb->wb_len = wb->wb_cap = 0;
}

void
wire_buf_append(struct wire_buf *wb, const void *data, size_t len)
{
    if (len)
        wire__write(wb, data, len);
}

uint8_t *
wire_buf_steal(struct wire_buf *wb, size_t *len)
{
    uint8_t *d = wb->wb_data;

    *len = wb->wb_len;
    wb->wb_data = NULL;
    wb->wb_len = wb->wb_cap = 0;
    return d;
}

void
wire_pack_str(struct wire_buf *wb, const char *s)
{
    wire_pack_strn(wb, s, strlen(s));
}

void
wire_pack_strn(struct wire_buf *wb, const char *s, size_t n)
{
    msgpack_pack_str(&wb->wb_pk, n);
    msgpack_pack_str_body(&wb->wb_pk, s, n);
}

void
wire_pack_bin(struct wire_buf *wb, const uint8_t *b, size_t n)
{
    msgpack_pack_bin(&wb->wb_pk, n);
    msgpack_pack_bin_body(&wb->wb_pk, b, n);
}

void
wire_pack_uint(struct wire_buf *wb, uint64_t v)
{
    msgpack_pack_uint64(&wb->wb_pk, v);
}

void
wire_pack_int(struct wire_buf *wb, int64_t v)
{
    msgpack_pack_int64(&wb->wb_pk, v);
}

void
wire_pack_nil(struct wire_buf *wb)
{
    msgpack_pack_nil(&wb->wb_pk);
}

void
wire_pack_bool(struct wire_buf *wb, int v)
{
    if (v)
        msgpack_pack_true(&wb->wb_pk);
    else
        msgpack_pack_false(&wb->wb_pk);
}

void
wire_pack_array(struct wire_buf *wb, uint32_t n)
{
    msgpack_pack_array(&wb->wb_pk, n);
}

void
wire_pack_map(struct wire_buf *wb, uint32_t n)
{
    msgpack_pack_map(&wb->wb_pk, n);
}

int
wire_get_uint(const msgpack_object *o, uint64_t *out)
{
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return ILONET_EMALFORMED;
    *out = o->via.u64;
    return 0;
}

int
wire_get_int(const msgpack_object *o, int64_t *out)
{
    if (!o)
        return ILONET_EMALFORMED;
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return 0;
    }
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
        o->via.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return 0;
    }
    return ILONET_EMALFORMED;
}

int
wire_get_bin(const msgpack_object *o, const uint8_t **p, size_t *n)
{
    if (!o || o->type != MSGPACK_OBJECT_BIN)
        return ILONET_EMALFORMED;
    *p = (const uint8_t *)o->via.bin.ptr;
    *n = o->via.bin.size;
    return 0;
}

int
wire_get_bin_fixed(const msgpack_object *o, uint8_t *out, size_t n)
{
    if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
        return ILONET_EMALFORMED;
    memcpy(out, o->via.bin.ptr, n);
    return 0;
}

int
wire_get_str(const msgpack_object *o, const char **p, size_t *n)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return ILONET_EMALFORMED;
    *p = o->via.str.ptr;
    *n = o->via.str.size;
    return 0;
}

int
wire_get_cstr(const msgpack_object *o, char *out, size_t cap)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return ILONET_EMALFORMED;
    if (o->via.str.size >= cap)
        return ILONET_ETOOBIG;
    if (memchr(o->via.str.ptr, 0, o->via.str.size))
        return ILONET_EMALFORMED;
    memcpy(out, o->via.str.ptr, o->via.str.size);
    out[o->via.str.size] = '\0';
    return 0;
}

const msgpack_object *
wire_map_get(const msgpack_object *o, const char *key)
{
    size_t kl = strlen(key);

    if (!o || o->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl &&
            memcmp(k->via.str.ptr, key, kl) == 0)
            return &o->via.map.ptr[i].val;
    }
    return NULL;
}
