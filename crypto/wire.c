/* wire.c - canonical msgpack pre-scan (before msgpack-c) and writer. */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define WIRE_MAX_DEPTH 32

struct wire__frame {
    uint64_t left;       /* elements still to read (map: keys + values) */
    int is_map;
    const uint8_t *key;  /* previous key in this map, for ordering */
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
static int
wire__utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp;

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
            case 0xcc: case 0xcd: case 0xce: case 0xcf: {
                int w = 1 << (b - 0xcc);
                if (len - pos < (size_t)w)
                    return ILONET_EMALFORMED;
                uint64_t v = wire__be(buf + pos, w);
                pos += (size_t)w;
                /* shortest form: positive fixint below 128, then widths */
                if (v < (w == 1 ? 0x80u : w == 2 ? 0x100u
                                : w == 4 ? 0x10000u : 0x100000000u))
                    return ILONET_ENONCANON;
                kind = 0;
                break;
            }
            case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
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
                if (v >= (w == 1 ? -32 : w == 2 ? -128
                          : w == 4 ? -32768 : -2147483648LL))
                    return ILONET_ENONCANON;
                kind = 0;
                break;
            }
            default:
                return ILONET_EMALFORMED; /* float, ext, 0xc1 */
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
            if (kind == 1 && !wire__utf8_ok(buf + pos, (size_t)n))
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
wire_check_prefix(const uint8_t *buf, size_t len,
                  const struct wire_limits *lim, size_t *obj_len)
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
