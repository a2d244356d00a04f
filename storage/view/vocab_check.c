/* vocab_check.c - values and entries checked against a vocabulary. */
#include "vocab_int.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/wire.h"
#include "storage/blob.h"

/* Valid UTF-8 without NUL or C0 controls other than tab, newline and CR,
 * and without DEL: the seed's rule for text values. */
int
vocab_text_ok(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    size_t i = 0;

    /* Printable ASCII eight bytes at a time, the common case: a word with
     * a byte >= 0x80, < 0x20 or 0x7f ends the fast path; the rest of the
     * text is checked byte by byte and as UTF-8 from that word on. */
    for (; i + 8 <= n; i += 8) {
        uint64_t w, d;

        memcpy(&w, s + i, 8);
        d = w ^ (0x7f * ones);
        if ((w & high) || ((w - 0x20 * ones) & ~w & high) ||
            ((d - ones) & ~d & high))
            break;
    }
    s += i;
    n -= i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 0;
    }
    return wire_utf8_ok((const uint8_t *)s, n);
}

/* ---- dates -------------------------------------------------------------- */

static int
vocab__digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t
vocab__days(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static int
vocab__month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return md[m - 1] + (m == 2 && leap);
}

/* "YYYY-MM-DD" (exactly n == 10 bytes), years 1900-9999, as record.c. */
static int
vocab__date(const char *s, size_t n, int64_t *days)
{
    int y, m, d;

    if (n != 10 || s[4] != '-' || s[7] != '-' || vocab__digits(s, 4, &y) != 0 ||
        vocab__digits(s + 5, 2, &m) != 0 || vocab__digits(s + 8, 2, &d) != 0)
        return -1;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > vocab__month_days(y, m))
        return -1;
    *days = vocab__days(y, m, d);
    return 0;
}

static void
vocab__format_day(int64_t days, char out[static 11])
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    int64_t y = yoe + era * 400 + (m <= 2);

    /* by hand: this runs for every stored record (its month is counted) */
    if (y < 0) {
        snprintf(out, 11, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
        return;
    }
    y %= 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int
vocab_date(const char *s, size_t n, int64_t *days)
{
    int64_t d;

    if (!s || !days || vocab__date(s, n, &d) != 0)
        return ILONET_EINVAL;
    *days = d;
    return 0;
}

void
vocab_day_text(int64_t days, char out[static 11])
{
    vocab__format_day(days, out);
}

/* ---- values ---------------------------------------------------------------
 */

/* "field 'NAME': " + fmt with the offending value (at most max bytes of
 * it) as the one %s: the seed's record__why_val. */
static int
vocab__why_val(char *why, size_t wl, const char *fmt, const char *field,
               const char *s, size_t len, size_t max)
{
    char val[64];

    if (!why || !wl)
        return ILONET_EINVAL;
    len = len < max ? len : max;
    memcpy(val, s, len);
    val[len] = '\0';
    snprintf(why, wl, fmt, field, val);
    return ILONET_EINVAL;
}

static int
vocab__state_ok(const char *s, size_t n)
{
    char buf[KEY_STATE_MAX + 1];

    if (n < 2 || n > KEY_STATE_MAX)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return key_state_valid(buf);
}

static int
vocab__enum_why(const struct vocab_field *f, const char *s, size_t n, char *why,
                size_t wl)
{
    char list[1024], val[64];
    size_t off = 0;
    const struct vocab_set *set = f->vf_values;

    if (!why || !wl)
        return ILONET_EINVAL;
    list[0] = '\0';
    for (size_t i = 0; i < set->vs_n; i++) {
        off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
                                i ? ", " : "", set->vs_values[i].vv_code);
        if (off >= sizeof(list))
            off = sizeof(list) - 1;
    }
    snprintf(val, sizeof(val), "%.*s", (int)(n < 60 ? n : 60), s);
    snprintf(why, wl, "field '%s': unknown value '%s' (one of %s)", f->vf_name,
             val, list);
    return ILONET_EINVAL;
}

/* A scalar value s[0..n) (not a list). */
static int
vocab__check_scalar(const struct vocab *v, const struct vocab_field *f,
                    const char *s, size_t n, char *why, size_t wl)
{
    const char *name = f->vf_name;
    int64_t a, b;

    switch (f->vf_type) {
    case VT_STR:
        if (n == 0)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': empty value", name);
        if (f->vf_max && n > f->vf_max)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': value too long", name);
        if (!vocab_text_ok(s, n))
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': not valid UTF-8 text", name);
        return 0;
    case VT_ENUM:
        if (vocab_value(f->vf_values, s, n))
            return 0;
        return vocab__enum_why(f, s, n, why, wl);
    case VT_DATE:
        if (vocab__date(s, n, &a) != 0)
            return vocab__why_val(why, wl,
                                  "field '%s': '%s' is not a date "
                                  "(YYYY-MM-DD)",
                                  name, s, n, 60);
        return 0;
    case VT_PERIOD:
        if (n == 10 && vocab__date(s, n, &a) == 0)
            return 0;
        if (n == 22 && s[10] == '.' && s[11] == '.' &&
            vocab__date(s, 10, &a) == 0 && vocab__date(s + 12, 10, &b) == 0) {
            if (a > b)
                return vocab__why_val(why, wl,
                                      "field '%s': period '%s' ends before "
                                      "it starts",
                                      name, s, n, 60);
            return 0;
        }
        return vocab__why_val(why, wl,
                              "field '%s': '%s' is not a period "
                              "(YYYY-MM-DD..YYYY-MM-DD)",
                              name, s, n, 60);
    case VT_STATE:
        if (!vocab__state_ok(s, n))
            return vocab__why_val(why, wl,
                                  "field '%s': '%s' is not a state code "
                                  "(A-Z)",
                                  name, s, n, 60);
        return 0;
    case VT_SEMESTER: {
        int y;

        if (n != 7 || s[4] != '-' || s[5] != 'H' ||
            (s[6] != '1' && s[6] != '2') || vocab__digits(s, 4, &y) != 0 ||
            y < 1900)
            return vocab__why_val(why, wl,
                                  "field '%s': '%s' is not a semester "
                                  "(YYYY-H1 or YYYY-H2)",
                                  name, s, n, 60);
        return 0;
    }
    case VT_COUNTRY:
        if (!v || !v->v_ncountries)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': no country table is loaded", name);
        if (!vocab_country(v, s, n))
            return vocab__why_val(why, wl,
                                  "field '%s': '%s' is not an ISO 3166-1 "
                                  "country code (two or three capitals, "
                                  "e.g. SY or SYR; `ilonet vocab` lists "
                                  "them)",
                                  name, s, n, 60);
        return 0;
    default:
        return vocab__fail(why, wl, ILONET_EINVAL, "field '%s': wrong type",
                           name);
    }
}

/* A list in text form: items joined with ','. The seed's
 * record__check_list_text, plus countries and a bound on the count. */
static int
vocab__check_list(const struct vocab *v, const struct vocab_field *f,
                  const char *text, char *why, size_t wl)
{
    const char *name = f->vf_name, *p = text;
    size_t items = 0;

    if (!*text)
        return vocab__fail(why, wl, ILONET_EINVAL, "field '%s': empty list",
                           name);
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        size_t vn = n < 30 ? n : 30;

        items++;
        if (f->vf_type == VT_STATES || f->vf_type == VT_COUNTRIES) {
            const struct vocab_country *cc = NULL;

            if (f->vf_type == VT_STATES && !vocab__state_ok(p, n))
                return vocab__why_val(why, wl,
                                      "field '%s': '%s' is not a state code "
                                      "(A-Z)",
                                      name, p, vn, 60);
            if (f->vf_type == VT_COUNTRIES) {
                if (!v || !v->v_ncountries)
                    return vocab__fail(why, wl, ILONET_EINVAL,
                                       "field '%s': no country table is "
                                       "loaded",
                                       name);
                if (!(cc = vocab_country(v, p, n)))
                    return vocab__why_val(why, wl,
                                          "field '%s': '%s' is not an ISO "
                                          "3166-1 country code (two or three "
                                          "capitals, e.g. SY or SYR; `ilonet "
                                          "vocab` lists them)",
                                          name, p, vn, 60);
            }
            /* a repeat would make the set's encoding ambiguous */
            for (const char *q = text; q < p;) {
                const char *qc = strchr(q, ',');
                size_t qn = (size_t)(qc - q);
                int same = qn == n && memcmp(q, p, n) == 0;

                if (cc && !same) {
                    const struct vocab_country *qq = vocab_country(v, q, qn);
                    same = qq == cc;
                }
                if (same)
                    return vocab__why_val(why, wl,
                                          "field '%s': '%s' given twice", name,
                                          p, vn, 60);
                q = qc + 1;
            }
        } else if (n == 0 || (f->vf_max && n > f->vf_max) ||
                   !vocab_text_ok(p, n)) {
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': bad list item", name);
        }
        if (!c)
            break;
        p = c + 1;
        if (c[1] == '\0')
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': empty list item", name);
    }
    if (items > VOCAB_MAX_ITEMS)
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field '%s': more than %d items", name,
                           VOCAB_MAX_ITEMS);
    return 0;
}

int
vocab_check_scalar(const struct vocab *v, const struct vocab_field *f,
                   const char *s, size_t n, char *why, size_t wl)
{
    if (!f || (!s && n))
        return ILONET_EINVAL;
    switch (f->vf_type) {
    case VT_STR:
    case VT_ENUM:
    case VT_DATE:
    case VT_PERIOD:
    case VT_STATE:
    case VT_SEMESTER:
    case VT_COUNTRY: return vocab__check_scalar(v, f, s ? s : "", n, why, wl);
    default:
        return vocab__fail(why, wl, ILONET_EINVAL, "field '%s': wrong type",
                           f->vf_name);
    }
}

int
vocab_attachments_unhex(const char *text, size_t n, uint8_t *out, size_t cap,
                        size_t *len)
{
    if (!text || !out || !len || n == 0 || n % 2 || n / 2 > cap)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n / 2; i++) {
        char two[3] = {text[2 * i], text[2 * i + 1], '\0'};

        if (hash_unhex(two, &out[i], 1) != 0)
            return ILONET_EINVAL;
    }
    *len = n / 2;
    return 0;
}

/* The text form of attachments: the hex of one canonical array of blob
 * references (node/app writes it). It holds the blobs' keys, so every
 * copy is wiped. */
static int
vocab__check_attachments(const struct vocab_field *f, const char *text,
                         size_t n, char *why, size_t wl)
{
    struct blob_ref refs[BLOB_REFS_MAX];
    uint8_t raw[VOCAB_ATTACHMENTS_MAX];
    size_t len = 0, nrefs;
    int rc;

    if (vocab_attachments_unhex(text, n, raw, sizeof(raw), &len) != 0)
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field '%s': not the hex of an attachments array",
                           f->vf_name);
    rc = blob_refs_parse(raw, len, refs, BLOB_REFS_MAX, &nrefs, why, wl);
    sodium_memzero(raw, len);
    sodium_memzero(refs, sizeof(refs));
    return rc == 0 ? 0 : ILONET_EINVAL;
}

int
vocab_check_text(const struct vocab *v, const struct vocab_field *f,
                 const char *text, char *why, size_t wl)
{
    size_t n;

    if (!f)
        return ILONET_EINVAL;
    if (!text)
        text = "";
    n = strlen(text);
    switch (f->vf_type) {
    case VT_UINT:
        if (n == 0 || n > 18 || strspn(text, "0123456789") != n) {
            if (why && wl)
                snprintf(why, wl,
                         "field '%s': '%.40s' is not a whole number >= 0",
                         f->vf_name, text);
            return ILONET_EINVAL;
        }
        return 0;
    case VT_STATES:
    case VT_LIST:
    case VT_COUNTRIES: return vocab__check_list(v, f, text, why, wl);
    case VT_ID: {
        uint8_t id[HASH_LEN];

        if (hash_unhex(text, id, HASH_LEN) != 0)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': not a 64-digit hex id", f->vf_name);
        return 0;
    }
    case VT_BIN:
    case VT_MAP:
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field '%s': cannot be given as text", f->vf_name);
    case VT_ATTACHMENTS: return vocab__check_attachments(f, text, n, why, wl);
    default: return vocab__check_scalar(v, f, text, n, why, wl);
    }
}

int
vocab_check_members(const struct vocab *v, const struct vocab_field *f,
                    const char *text, char *why, size_t wl)
{
    const char *p = text;

    if (!v || !f || !text || !v->v_nmembers ||
        (f->vf_type != VT_STATE && f->vf_type != VT_STATES))
        return 0;
    for (;;) {
        size_t n = strcspn(p, ",");
        char code[KEY_STATE_MAX + 1];

        if (n <= KEY_STATE_MAX) {
            memcpy(code, p, n);
            code[n] = '\0';
            if (!vocab_member(v, code))
                return vocab__why_val(why, wl,
                                      "field '%s': '%s' is not a member (a "
                                      "Member State, an associated state, EU "
                                      "for the Commission or a Union agency "
                                      "such as FRONTEX; `ilonet vocab` lists "
                                      "them)",
                                      f->vf_name, p, n, 60);
        }
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

/* The item of field f among items, or NULL. */
const struct vocab_item *
vocab__item(const struct vocab_item *items, size_t n,
            const struct vocab_field *f)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].vi_name && strcmp(items[i].vi_name, f->vf_name) == 0)
            return &items[i];
    return NULL;
}

static int
vocab__rule(const struct vocab_rule *r, const struct vocab_item *items,
            size_t n, char *why, size_t wl)
{
    const struct vocab_item *a = vocab__item(items, n, r->vr_a);
    const struct vocab_item *b = vocab__item(items, n, r->vr_b);
    const char *an = r->vr_a->vf_name, *bn = r->vr_b->vf_name;

    switch (r->vr_type) {
    case VR_PAIR:
        if ((a != NULL) != (b != NULL))
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': %s and %s go together", a ? bn : an,
                               an, bn);
        return 0;
    case VR_NEEDS:
        if (a && !b)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': a %s needs a %s (--%s)", bn, an, bn,
                               bn);
        return 0;
    case VR_ORDER:
        /* both checked as dates: YYYY-MM-DD orders as text */
        if (a && b && a->vi_text && b->vi_text &&
            strcmp(b->vi_text, a->vi_text) < 0)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': ends before '%s'", bn, an);
        return 0;
    }
    return 0;
}

int
vocab_check_fields(const struct vocab *v, const struct vocab_kind *k,
                   const struct vocab_item *items, size_t n, char *why,
                   size_t wl)
{
    int rc;

    if (!v || !k || (n && !items))
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const char *name = items[i].vi_name ? items[i].vi_name : "";
        const struct vocab_field *f = vocab_field(k, name);

        if (!f)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': unknown field for %s", name,
                               k->vk_name);
        for (size_t j = 0; j < i; j++)
            if (items[j].vi_name && strcmp(items[j].vi_name, name) == 0)
                return vocab__fail(why, wl, ILONET_EINVAL,
                                   "field '%s': given twice", name);
        if (i == VOCAB_MAX_FIELDS)
            return vocab__fail(why, wl, ILONET_EINVAL, "too many fields");
        if ((rc = vocab_check_text(v, f, items[i].vi_text, why, wl)) != 0)
            return rc;
    }
    for (size_t i = 0; i < k->vk_nfields; i++)
        if ((k->vk_fields[i].vf_flags & VF_REQUIRED) &&
            !vocab__item(items, n, &k->vk_fields[i]))
            return vocab__fail(why, wl, ILONET_EINVAL, "field '%s': required",
                               k->vk_fields[i].vf_name);
    for (size_t i = 0; i < k->vk_nrules; i++)
        if ((rc = vocab__rule(&k->vk_rules[i], items, n, why, wl)) != 0)
            return rc;
    return 0;
}

unsigned
vocab_min_version(const struct vocab *v, const struct vocab_kind *k,
                  const struct vocab_item *items, size_t n)
{
    unsigned ver = k ? k->vk_since : v->v_version;

    for (size_t i = 0; k && i < n; i++) {
        const struct vocab_field *f = vocab_field(k, items[i].vi_name);
        const struct vocab_value *val;
        const char *t = items[i].vi_text;

        if (!f)
            return v->v_version;
        if (f->vf_since > ver)
            ver = f->vf_since;
        if (f->vf_type == VT_ENUM && t &&
            (val = vocab_value(f->vf_values, t, strlen(t))) &&
            val->vv_since > ver)
            ver = val->vv_since;
    }
    return ver;
}

int
vocab_check_retention(const struct vocab *v, const char *written,
                      const char *retain_until, char *why, size_t wl)
{
    int64_t w, u;
    char last[11];
    unsigned max;

    if (!v || !written || vocab__date(written, strlen(written), &w) != 0)
        return ILONET_EINVAL;
    if (!retain_until ||
        vocab__date(retain_until, strlen(retain_until), &u) != 0)
        return vocab__why_val(why, wl,
                              "field '%s': '%s' is not a date (YYYY-MM-DD)",
                              "retain-until", retain_until ? retain_until : "",
                              retain_until ? strlen(retain_until) : 0, 60);
    if (u < w)
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field 'retain-until': %s is before the record is "
                           "written (%s)",
                           retain_until, written);
    max = v->v_privacy.vy_max_days;
    if (u - w > (int64_t)max) {
        vocab__format_day(w + max, last);
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field 'retain-until': at most %u days after the "
                           "record is written under %s (%s at the latest)",
                           max, v->v_regime, last);
    }
    return 0;
}
