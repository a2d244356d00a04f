/* record.c - entry payloads under a vocabulary: canonical builder and
 * validator. */
#include "record_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "storage/blob.h"
#include "storage/entry.h"

/* ---- reasons ------------------------------------------------------------ */

static int
record__why(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
    if (why && n)
        snprintf(why, n, fmt, a, b ? b : "");
    return ILONET_EINVAL;
}

/* "kind %u" or the kind's name, for reasons. */
static const char *
record__kind_name(const struct vocab_kind *k, uint32_t kind, char buf[16])
{
    if (k)
        return k->vk_name;
    snprintf(buf, 16, "kind %u", (unsigned)kind);
    return buf;
}

/* ---- dates -------------------------------------------------------------- */

int
record_parse_date(const char *s, size_t n, int64_t *days)
{
    return vocab_date(s, n, days);
}

int
record_date_unix(const char *s, uint64_t *secs)
{
    int64_t days;

    if (!s || vocab_date(s, strlen(s), &days) != 0 || days < 0)
        return ILONET_EINVAL;
    *secs = (uint64_t)days * 86400u;
    return 0;
}

void
record_format_date(uint64_t secs, char out[static 11])
{
    vocab_day_text((int64_t)(secs / 86400u), out);
}

/* ---- stored values ------------------------------------------------------ */

static int
record__state_ok(const char *s, size_t n)
{
    char buf[KEY_STATE_MAX + 1];

    if (n < 2 || n > KEY_STATE_MAX)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return key_state_valid(buf);
}

static const char *
record__type_name(enum vocab_type t)
{
    switch (t) {
    case VT_UINT: return "an unsigned integer";
    case VT_STATES: return "a list of state codes";
    case VT_LIST: return "a list of strings";
    case VT_COUNTRIES: return "a list of country codes";
    case VT_ID: return "a 32-byte id";
    case VT_BIN: return "bytes";
    case VT_MAP: return "a map";
    case VT_ATTACHMENTS: return "an array of attachments";
    default: return "a string";
    }
}

/* Bytewise order of two strings, a prefix first: <0, 0 or >0. */
static int
record__bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    return c ? c : (an < bn ? -1 : an > bn ? 1 : 0);
}

int
record_check_value(const struct vocab *v, const struct vocab_field *f,
                   unsigned w, const msgpack_object *o, char *why, size_t wl)
{
    const char *s;
    size_t n;
    int rc;

    switch (f->vf_type) {
    case VT_UINT:
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            goto type;
        if (o->via.u64 > (uint64_t)INT64_MAX)
            return record__why(why, wl, "field '%s': number too large%s",
                               f->vf_name, "");
        return 0;
    case VT_STATES:
    case VT_LIST:
    case VT_COUNTRIES:
        if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0 ||
            o->via.array.size > VOCAB_MAX_ITEMS)
            goto type;
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            const msgpack_object *it = &o->via.array.ptr[i];

            if (wire_get_str(it, &s, &n) != 0)
                goto type;
            if (f->vf_type == VT_LIST) {
                if (n == 0 || (f->vf_max && n > f->vf_max) ||
                    memchr(s, ',', n) || !vocab_text_ok(s, n))
                    return record__why(why, wl, "field '%s': bad list item%s",
                                       f->vf_name, "");
                continue;
            }
            if (f->vf_type == VT_STATES && !record__state_ok(s, n))
                return record__why(why, wl,
                                   "field '%s': '%s' is not a state code",
                                   f->vf_name, "");
            /* stored as alpha-2: one encoding per country */
            if (f->vf_type == VT_COUNTRIES &&
                (n != 2 || !v || !vocab_country(v, s, n)))
                return record__why(why, wl,
                                   "field '%s': an item is not an ISO "
                                   "3166-1 alpha-2 code%s",
                                   f->vf_name, "");
            /* sorted and unique: one encoding per set */
            if (i > 0) {
                const msgpack_object *pv = &o->via.array.ptr[i - 1];

                if (record__bytes_cmp(pv->via.str.ptr, pv->via.str.size, s,
                                      n) >= 0)
                    return record__why(why, wl,
                                       f->vf_type == VT_STATES
                                           ? "field '%s': states not sorted "
                                             "or repeated%s"
                                           : "field '%s': countries not "
                                             "sorted or repeated%s",
                                       f->vf_name, "");
            }
        }
        return 0;
    case VT_ID:
        if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != HASH_LEN)
            goto type;
        return 0;
    case VT_BIN:
        if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size == 0)
            goto type;
        return 0;
    case VT_MAP:
        if (o->type != MSGPACK_OBJECT_MAP || o->via.map.size == 0)
            goto type;
        return 0;
    case VT_ATTACHMENTS: return blob_refs_check(o, why, wl);
    case VT_ENUM: {
        const struct vocab_value *val;

        if (wire_get_str(o, &s, &n) != 0)
            goto type;
        /* one lookup: the set's own message when the code is not in it */
        if (!(val = vocab_value(f->vf_values, s, n)))
            return vocab_check_scalar(v, f, s, n, why, wl);
        if (val->vv_since > w) {
            if (why && wl)
                snprintf(why, wl,
                         "field '%s': value '%s' needs vocabulary v%u, the "
                         "entry says v%u",
                         f->vf_name, val->vv_code, val->vv_since, w);
            return ILONET_EINVAL;
        }
        return 0;
    }
    default:
        if (wire_get_str(o, &s, &n) != 0)
            goto type;
        if ((rc = vocab_check_scalar(v, f, s, n, why, wl)) != 0)
            return rc;
        if (f->vf_type == VT_COUNTRY && n != 2)
            return record__why(why, wl,
                               "field '%s': stored as an ISO 3166-1 "
                               "alpha-2 code%s",
                               f->vf_name, "");
        return 0;
    }
type:
    if (why && wl)
        snprintf(why, wl, "field '%s': wrong type (want %s)", f->vf_name,
                 record__type_name(f->vf_type));
    return ILONET_EINVAL;
}

/* ---- maps --------------------------------------------------------------- */

/* An amendment that would clear attachments (nil, or "" as text). */
#define RECORD__ATT_NIL                                                        \
    "field '%s': attachments are added, never cleared (erase the record)%s"

/* Bytewise order of field name fn against key k (kl bytes), a prefix
 * first: <0, 0 or >0. One pass, no strlen: it runs per field per key. */
static int
record__name_cmp(const char *fn, const char *k, size_t kl)
{
    size_t i = 0;

    for (; i < kl && fn[i]; i++)
        if (fn[i] != k[i])
            return (unsigned char)fn[i] < (unsigned char)k[i] ? -1 : 1;
    if (i < kl)
        return -1; /* fn is a proper prefix of k */
    return fn[i] ? 1 : 0;
}

static int
record__key_is(const msgpack_object *k, const char *name)
{
    return k->type == MSGPACK_OBJECT_STR &&
           record__name_cmp(name, k->via.str.ptr, k->via.str.size) == 0;
}

/*
 * Walks map against kind k: known keys only (the reserved "vocab" key
 * skipped unless partial), each value checked and not newer than w,
 * required fields present unless partial; partial allows nil for optional
 * fields and refuses fixed and internal ones.
 */
static int
record__check_map(const struct vocab *v, const struct vocab_kind *k,
                  const msgpack_object *map, int partial, unsigned w,
                  const msgpack_object **vals, char *why, size_t wl)
{
    size_t fi = 0;
    int rc;

    if (vals)
        for (size_t i = 0; i < k->vk_nfields; i++)
            vals[i] = NULL;
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return record__why(why, wl, "payload of %s: not a map%s", k->vk_name,
                           "");
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *key = &map->via.map.ptr[i].key;
        const msgpack_object *val = &map->via.map.ptr[i].val;
        const struct vocab_field *f = NULL;

        if (key->type != MSGPACK_OBJECT_STR)
            return record__why(why, wl, "payload of %s: key not a string%s",
                               k->vk_name, "");
        if (!partial && record__key_is(key, RECORD_VOCAB_KEY))
            continue; /* record_read() has read it */
        /* keys are sorted (canonical), so are the fields: merge walk */
        while (fi < k->vk_nfields) {
            const char *fn = k->vk_fields[fi].vf_name;
            int c = record__name_cmp(fn, key->via.str.ptr, key->via.str.size);

            if (c == 0) {
                f = &k->vk_fields[fi++];
                break;
            }
            if (c > 0)
                break;
            if (!partial && (k->vk_fields[fi].vf_flags & VF_REQUIRED))
                return record__why(why, wl, "field '%s': required%s", fn, "");
            fi++;
        }
        if (!f) {
            char name[40];

            snprintf(name, sizeof(name), "%.*s",
                     (int)(key->via.str.size < 32 ? key->via.str.size : 32),
                     key->via.str.ptr);
            return record__why(why, wl, "field '%s': unknown field for %s",
                               name, k->vk_name);
        }
        if (f->vf_since > w) {
            if (why && wl)
                snprintf(why, wl,
                         "field '%s' needs vocabulary v%u, the entry says v%u",
                         f->vf_name, f->vf_since, w);
            return ILONET_EINVAL;
        }
        if (vals)
            vals[f - k->vk_fields] = val;
        if (partial) {
            if (f->vf_flags & (VF_FIXED | VF_INTERNAL))
                return record__why(why, wl, "field '%s': may not be amended%s",
                                   f->vf_name, "");
            /* add-only: the record's attachments are the union of its
             * entries' (docs/VIEW.md), so there is nothing to clear */
            if (val->type == MSGPACK_OBJECT_NIL && f->vf_type == VT_ATTACHMENTS)
                return record__why(why, wl, RECORD__ATT_NIL, f->vf_name, "");
            if (val->type == MSGPACK_OBJECT_NIL) {
                if (f->vf_flags & VF_REQUIRED)
                    return record__why(why, wl,
                                       "field '%s': required, cannot be "
                                       "cleared%s",
                                       f->vf_name, "");
                continue;
            }
        }
        if ((rc = record_check_value(v, f, w, val, why, wl)) != 0)
            return rc;
    }
    for (; !partial && fi < k->vk_nfields; fi++)
        if (k->vk_fields[fi].vf_flags & VF_REQUIRED)
            return record__why(why, wl, "field '%s': required%s",
                               k->vk_fields[fi].vf_name, "");
    if (partial && map->via.map.size == 0)
        return record__why(why, wl, "amendment of %s: no fields%s", k->vk_name,
                           "");
    return 0;
}

/* The kind's rules over the values found (vals by field index), in the
 * order the vocabulary lists them; the messages of vocab_check_fields. */
static int
record__rules(const struct vocab_kind *k, const msgpack_object *const *vals,
              char *why, size_t wl)
{
    for (size_t i = 0; i < k->vk_nrules; i++) {
        const struct vocab_rule *r = &k->vk_rules[i];
        const msgpack_object *a = vals[r->vr_a - k->vk_fields];
        const msgpack_object *b = vals[r->vr_b - k->vk_fields];
        const char *an = r->vr_a->vf_name, *bn = r->vr_b->vf_name;

        switch (r->vr_type) {
        case VR_PAIR:
            if ((a != NULL) != (b != NULL)) {
                if (why && wl)
                    snprintf(why, wl, "field '%s': %s and %s go together",
                             a ? bn : an, an, bn);
                return ILONET_EINVAL;
            }
            break;
        case VR_NEEDS:
            if (a && !b) {
                if (why && wl)
                    snprintf(why, wl, "field '%s': a %s needs a %s (--%s)", bn,
                             an, bn, bn);
                return ILONET_EINVAL;
            }
            break;
        case VR_ORDER:
            /* both checked as dates: YYYY-MM-DD orders as text */
            if (a && b && a->type == MSGPACK_OBJECT_STR &&
                b->type == MSGPACK_OBJECT_STR &&
                record__bytes_cmp(b->via.str.ptr, b->via.str.size,
                                  a->via.str.ptr, a->via.str.size) < 0) {
                if (why && wl)
                    snprintf(why, wl, "field '%s': ends before '%s'", bn, an);
                return ILONET_EINVAL;
            }
            break;
        }
    }
    return 0;
}

unsigned
record_payload_version(const msgpack_object *map)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return 0;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *val = &map->via.map.ptr[i].val;

        if (!record__key_is(&map->via.map.ptr[i].key, RECORD_VOCAB_KEY))
            continue;
        /* one meaning, one encoding: version 1 is the key left out */
        if (val->type != MSGPACK_OBJECT_POSITIVE_INTEGER || val->via.u64 < 2 ||
            val->via.u64 > 65535)
            return 0;
        return (unsigned)val->via.u64;
    }
    return 1;
}

int
record_read(const struct vocab *v, uint32_t kind, const msgpack_object *map,
            struct record_read *out, char *why, size_t wl)
{
    const struct vocab_kind *k;
    unsigned w, have;
    char kb[16];
    int rc;

    if (!v || !out)
        return ILONET_EINVAL;
    memset(out, 0, sizeof(*out));
    k = vocab_kind_by_code(v, kind);
    out->rr_kind = k;
    have = vocab_version(v);
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return record__why(why, wl, "payload of %s: not a map%s",
                           record__kind_name(k, kind, kb), "");
    if ((w = record_payload_version(map)) == 0)
        return record__why(why, wl, "bad vocab version%s%s", "", "");
    out->rr_version = w;
    if (w > have) {
        if (why && wl) {
            if (k)
                snprintf(why, wl,
                         "written under vocabulary v%u of %s; this node has "
                         "v%u - upgrade to read",
                         w, vocab_regime(v), have);
            else
                snprintf(why, wl,
                         "kind %u is not in vocabulary v%u of %s; written "
                         "under v%u - upgrade to read",
                         (unsigned)kind, have, vocab_regime(v), w);
        }
        return ILONET_EKIND;
    }
    if (!k) {
        if (why && wl)
            snprintf(why, wl, "kind %u is not in vocabulary v%u of %s",
                     (unsigned)kind, w, vocab_regime(v));
        return ILONET_EINVAL;
    }
    if (k->vk_since > w) {
        if (why && wl)
            snprintf(why, wl,
                     "kind %s needs vocabulary v%u, the entry says v%u",
                     k->vk_name, k->vk_since, w);
        return ILONET_EINVAL;
    }
    if ((rc = record__check_map(v, k, map, 0, w, out->rr_vals, why, wl)) != 0)
        return rc;
    return record__rules(k, out->rr_vals, why, wl);
}

int
record_check(const struct vocab *v, uint32_t kind, const msgpack_object *map,
             char *why, size_t wl)
{
    struct record_read r;

    return record_read(v, kind, map, &r, why, wl);
}

int
record_check_amend_fields(const struct vocab *v, uint32_t kind, unsigned w,
                          const msgpack_object *map,
                          const msgpack_object *vals[static RECORD_MAX_ITEMS],
                          char *why, size_t wl)
{
    const struct vocab_kind *k = v ? vocab_kind_by_code(v, kind) : NULL;

    if (!k || !k->vk_is_record)
        return record__why(why, wl, "not an amendable record kind%s%s", "", "");
    return record__check_map(v, k, map, 1, w, vals, why, wl);
}

int
record_validate(const struct vocab *v, uint32_t kind, const uint8_t *p,
                size_t n, char *why, size_t wl)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    msgpack_zone z;
    msgpack_object o;
    int rc;

    lim.max_len = ENTRY_PAYLOAD_MAX;
    if ((rc = wire_check(p, n, &lim)) != 0) {
        if (why && wl)
            snprintf(why, wl, "payload: %s", ilonet_strerror(rc));
        return rc;
    }
    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    if ((rc = wire_unpack(p, n, &z, &o)) == 0)
        rc = record_check(v, kind, &o, why, wl);
    else if (why && wl)
        snprintf(why, wl, "payload: %s", ilonet_strerror(rc));
    msgpack_zone_destroy(&z);
    return rc;
}

/* ---- builder ------------------------------------------------------------ */

int
record_builder_start(struct record_builder *b, const struct vocab *v,
                     uint32_t kind)
{
    memset(b, 0, sizeof(*b));
    b->rb_vocab = v;
    b->rb_kind = v ? vocab_kind_by_code(v, kind) : NULL;
    if (!b->rb_kind) {
        snprintf(b->rb_err, sizeof(b->rb_err), "unknown entry kind %u",
                 (unsigned)kind);
        return ILONET_EKIND;
    }
    return 0;
}

int
record_builder_start_amend(struct record_builder *b, const struct vocab *v,
                           uint32_t kind)
{
    int rc = record_builder_start(b, v, kind);

    if (rc == 0 && !b->rb_kind->vk_is_record) {
        snprintf(b->rb_err, sizeof(b->rb_err), "%s is not an amendable record",
                 b->rb_kind->vk_name);
        return ILONET_EKIND;
    }
    b->rb_partial = 1;
    return rc;
}

void
record_builder_needs(struct record_builder *b, unsigned w)
{
    if (w > b->rb_need)
        b->rb_need = w;
}

static struct record_item *
record__add(struct record_builder *b, const char *name,
            const struct vocab_field **fp)
{
    const struct vocab_field *f = vocab_field(b->rb_kind, name);

    if (!f) {
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "field '%s': unknown field for %s", name, b->rb_kind->vk_name);
        return NULL;
    }
    if (b->rb_partial && (f->vf_flags & (VF_FIXED | VF_INTERNAL))) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': may not be amended",
                 name);
        return NULL;
    }
    for (size_t i = 0; i < b->rb_n; i++)
        if (b->rb_items[i].ri_f == f) {
            snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': given twice",
                     name);
            return NULL;
        }
    if (b->rb_n == RECORD_MAX_ITEMS) {
        snprintf(b->rb_err, sizeof(b->rb_err), "too many fields");
        return NULL;
    }
    *fp = f;
    memset(&b->rb_items[b->rb_n], 0, sizeof(b->rb_items[0]));
    b->rb_items[b->rb_n].ri_f = f;
    return &b->rb_items[b->rb_n];
}

int
record_set(struct record_builder *b, const char *name, const char *text)
{
    const struct vocab_field *f = NULL;
    struct record_item *it;
    int rc;

    if (!name)
        return ILONET_EINVAL;
    if (!b->rb_vocab)
        return b->rb_schema ? record__seed_set(b, name, text) : ILONET_EINVAL;
    if (!(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (!text)
        text = "";
    if (b->rb_partial && !*text) {
        if (f->vf_type == VT_ATTACHMENTS) {
            record__why(b->rb_err, sizeof(b->rb_err), RECORD__ATT_NIL, name,
                        "");
            return ILONET_EINVAL;
        }
        if (f->vf_flags & VF_REQUIRED) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': required, cannot be cleared", name);
            return ILONET_EINVAL;
        }
        it->ri_nil = 1;
        b->rb_n++;
        return 0;
    }
    if (f->vf_type == VT_ID) {
        if (hash_unhex(text, it->ri_id, HASH_LEN) != 0) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': not a 64-digit hex id", name);
            return ILONET_EINVAL;
        }
    } else if ((rc = vocab_check_text(b->rb_vocab, f, text, b->rb_err,
                                      sizeof(b->rb_err))) != 0) {
        return rc;
    }
    it->ri_text = text;
    b->rb_n++;
    return 0;
}

int
record_set_id(struct record_builder *b, const char *name,
              const uint8_t id[static HASH_LEN])
{
    const struct vocab_field *f = NULL;
    struct record_item *it;

    if (!b->rb_vocab || !(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (f->vf_type != VT_ID) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': not an id", name);
        return ILONET_EINVAL;
    }
    memcpy(it->ri_id, id, HASH_LEN);
    b->rb_n++;
    return 0;
}

int
record_set_raw(struct record_builder *b, const char *name, const uint8_t *raw,
               size_t len)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    const struct vocab_field *f = NULL;
    struct record_item *it;
    struct wire_rd r;
    uint64_t n;

    if (!b->rb_vocab || !(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (f->vf_type != VT_BIN && f->vf_type != VT_MAP) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': not raw", name);
        return ILONET_EINVAL;
    }
    /* a map is checked canonical whole, then read as a map by the reader */
    wire_rd_init(&r, raw, len, ILONET_EMALFORMED);
    if (!raw || len == 0 ||
        (f->vf_type == VT_MAP &&
         (wire_check(raw, len, &lim) != 0 || wire_rd_map(&r, &n) != 0))) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': bad value", name);
        return ILONET_EINVAL;
    }
    it->ri_raw = raw;
    it->ri_rawlen = len;
    b->rb_n++;
    return 0;
}

static int
record__cmp_item(const void *a, const void *b)
{
    const struct record_item *x = a, *y = b;
    return strcmp(x->ri_f->vf_name, y->ri_f->vf_name);
}

/* One item of a list in text form: where it starts and its length. */
struct record__span {
    const char *sp_s;
    size_t sp_n;
};

static int
record__cmp_span(const void *a, const void *b)
{
    const struct record__span *x = a, *y = b;
    return record__bytes_cmp(x->sp_s, x->sp_n, y->sp_s, y->sp_n);
}

/* Packs a comma-separated list as an array: every item (at most
 * VOCAB_MAX_ITEMS, which record_set checked), states and countries
 * sorted, countries as alpha-2. No copy: items point into text. */
static int
record__pack_list(struct record_builder *b, const struct vocab_field *f,
                  const char *text, struct wire_buf *wb)
{
    struct record__span items[VOCAB_MAX_ITEMS];
    uint32_t n = 0;
    const char *p = text;

    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);

        if (n == VOCAB_MAX_ITEMS) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': more than %d items", f->vf_name,
                     VOCAB_MAX_ITEMS);
            return ILONET_EINVAL;
        }
        items[n].sp_s = p;
        items[n].sp_n = len;
        if (f->vf_type == VT_COUNTRIES) {
            const struct vocab_country *cc = vocab_country(b->rb_vocab, p, len);

            if (!cc)
                return ILONET_EINVAL; /* record_set checked it */
            items[n].sp_s = cc->vc_a2;
            items[n].sp_n = 2;
        }
        n++;
        if (!c)
            break;
        p = c + 1;
    }
    if (f->vf_type != VT_LIST)
        qsort(items, n, sizeof(items[0]), record__cmp_span);
    wire_pack_array(wb, n);
    for (uint32_t i = 0; i < n; i++)
        wire_pack_strn(wb, items[i].sp_s, items[i].sp_n);
    return 0;
}

static int
record__pack_value(struct record_builder *b, const struct record_item *it,
                   struct wire_buf *wb)
{
    const struct vocab_field *f = it->ri_f;

    if (it->ri_nil) {
        wire_pack_nil(wb);
        return 0;
    }
    switch (f->vf_type) {
    case VT_UINT: wire_pack_uint(wb, strtoull(it->ri_text, NULL, 10)); break;
    case VT_STATES:
    case VT_LIST:
    case VT_COUNTRIES: return record__pack_list(b, f, it->ri_text, wb);
    case VT_COUNTRY: {
        const struct vocab_country *cc =
            vocab_country(b->rb_vocab, it->ri_text, strlen(it->ri_text));

        if (!cc)
            return ILONET_EINVAL;
        wire_pack_str(wb, cc->vc_a2);
        break;
    }
    case VT_ID: wire_pack_bin(wb, it->ri_id, HASH_LEN); break;
    case VT_BIN: wire_pack_bin(wb, it->ri_raw, it->ri_rawlen); break;
    case VT_MAP: wire_buf_append(wb, it->ri_raw, it->ri_rawlen); break;
    case VT_ATTACHMENTS: {
        uint8_t raw[VOCAB_ATTACHMENTS_MAX];
        size_t n = 0;
        int rc = vocab_attachments_unhex(it->ri_text, strlen(it->ri_text), raw,
                                         sizeof(raw), &n);

        /* record_set checked it; the bytes hold the blobs' keys */
        if (rc == 0)
            wire_buf_append(wb, raw, n);
        sodium_memzero(raw, n);
        return rc;
    }
    default: wire_pack_str(wb, it->ri_text);
    }
    return 0;
}

/* The lowest version that can read what b holds (vocab_min_version). */
static unsigned
record__min_version(const struct record_builder *b)
{
    struct vocab_item items[RECORD_MAX_ITEMS];
    unsigned w;

    for (size_t i = 0; i < b->rb_n; i++) {
        items[i].vi_name = b->rb_items[i].ri_f->vf_name;
        items[i].vi_text =
            b->rb_items[i].ri_nil ? NULL : b->rb_items[i].ri_text;
    }
    w = vocab_min_version(b->rb_vocab, b->rb_kind, items, b->rb_n);
    return w > b->rb_need ? w : b->rb_need;
}

int
record_build(struct record_builder *b, struct wire_buf *wb)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    const msgpack_object *vals[RECORD_MAX_ITEMS];
    struct wire_buf tmp;
    msgpack_zone z;
    msgpack_object o;
    unsigned w;
    int rc, stamp, zone = 0;

    if (!b->rb_vocab) {
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "a check-only builder cannot build");
        return ILONET_EINVAL;
    }
    qsort(b->rb_items, b->rb_n, sizeof(b->rb_items[0]), record__cmp_item);
    w = record__min_version(b);
    /* version 1 is written by leaving the key out; an amendment's fields
     * map is not a payload: its entry carries the version */
    stamp = w > 1 && !b->rb_partial;
    wire_buf_init(&tmp, ENTRY_PAYLOAD_MAX);
    wire_pack_map(&tmp, (uint32_t)(b->rb_n + (stamp ? 1 : 0)));
    for (size_t i = 0; i <= b->rb_n; i++) {
        /* the key goes where bytewise order puts it */
        if (stamp &&
            (i == b->rb_n ||
             strcmp(RECORD_VOCAB_KEY, b->rb_items[i].ri_f->vf_name) < 0)) {
            wire_pack_str(&tmp, RECORD_VOCAB_KEY);
            wire_pack_uint(&tmp, w);
            stamp = 0;
        }
        if (i == b->rb_n)
            break;
        wire_pack_str(&tmp, b->rb_items[i].ri_f->vf_name);
        if ((rc = record__pack_value(b, &b->rb_items[i], &tmp)) != 0)
            goto out;
    }
    if ((rc = tmp.wb_err) != 0) {
        snprintf(b->rb_err, sizeof(b->rb_err), "payload too big");
        goto out;
    }
    /* Re-check what we built exactly as a receiver will: canonical form
     * first (msgpack-c only ever sees checked bytes), then the fields. */
    lim.max_len = ENTRY_PAYLOAD_MAX;
    if ((rc = wire_check(tmp.wb_data, tmp.wb_len, &lim)) != 0) {
        snprintf(b->rb_err, sizeof(b->rb_err), "payload: %s",
                 ilonet_strerror(rc));
        goto out;
    }
    if (!msgpack_zone_init(&z, 2048)) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    zone = 1;
    if ((rc = wire_unpack(tmp.wb_data, tmp.wb_len, &z, &o)) != 0)
        goto out;
    rc = b->rb_partial
             ? record_check_amend_fields(b->rb_vocab, b->rb_kind->vk_code, w,
                                         &o, vals, b->rb_err, sizeof(b->rb_err))
             : record_check(b->rb_vocab, b->rb_kind->vk_code, &o, b->rb_err,
                            sizeof(b->rb_err));
    if (rc != 0)
        goto out;
    wire_buf_append(wb, tmp.wb_data, tmp.wb_len);
    if ((rc = wb->wb_err) == 0)
        b->rb_version = w;
out:
    if (zone)
        msgpack_zone_destroy(&z);
    wire_buf_free(&tmp);
    return rc;
}

/* ---- text forms --------------------------------------------------------- */

static size_t
record__put(char *out, size_t cap, size_t off, const char *s, size_t n)
{
    if (off < cap) {
        size_t m = cap - off - 1 < n ? cap - off - 1 : n;
        memcpy(out + off, s, m);
        out[off + m] = '\0';
    }
    return off + n;
}

size_t
record_value_text(const msgpack_object *v, char *out, size_t cap)
{
    char tmp[2 * HASH_LEN + 1];
    size_t off = 0;

    if (cap)
        out[0] = '\0';
    switch (v->type) {
    case MSGPACK_OBJECT_STR:
        return record__put(out, cap, 0, v->via.str.ptr, v->via.str.size);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->via.u64);
        return record__put(out, cap, 0, tmp, strlen(tmp));
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->via.i64);
        return record__put(out, cap, 0, tmp, strlen(tmp));
    case MSGPACK_OBJECT_BIN:
        if (v->via.bin.size == HASH_LEN) {
            hash_hex((const uint8_t *)v->via.bin.ptr, HASH_LEN, tmp);
            return record__put(out, cap, 0, tmp, 2 * HASH_LEN);
        }
        return record__put(out, cap, 0, "<bytes>", 7);
    case MSGPACK_OBJECT_ARRAY:
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            const msgpack_object *it = &v->via.array.ptr[i];
            if (i)
                off = record__put(out, cap, off, ",", 1);
            if (it->type == MSGPACK_OBJECT_STR)
                off = record__put(out, cap, off, it->via.str.ptr,
                                  it->via.str.size);
        }
        return off;
    default: return 0;
    }
}
