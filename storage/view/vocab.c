/* vocab.c - vocabulary files and tables: parsers, the built-in regimes,
 * lookups. */
#include "vocab_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "crypto/key.h"

/* The shipped files (scripts/embed.sh, the Makefile's EMBED_DATA). */
extern const unsigned char vocab_data_377_2004[];
extern const size_t vocab_data_377_2004_len;
extern const unsigned char vocab_data_2019_1240[];
extern const size_t vocab_data_2019_1240_len;
extern const unsigned char vocab_data_countries[];
extern const size_t vocab_data_countries_len;
extern const unsigned char vocab_data_members[];
extern const size_t vocab_data_members_len;

#define VOCAB__TOKEN_MAX 31

/* ---- small helpers ------------------------------------------------------ */

int
vocab__fail(char *why, size_t wl, int rc, const char *fmt, ...)
{
    va_list ap;

    if (why && wl) {
        va_start(ap, fmt);
        vsnprintf(why, wl, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static int
vocab__is_lower_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > VOCAB__TOKEN_MAX || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int
vocab__is_code(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > VOCAB__TOKEN_MAX || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int
vocab__is_column(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > VOCAB__TOKEN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return 0;
    return 1;
}

static int
vocab__is_template(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("./_-", s[i])))
            return 0;
    return 1;
}

/* Decimal digits only, at most nine, into *out in [lo, hi]. */
static int
vocab__uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    size_t n = strlen(s);
    unsigned v = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int
vocab__sp(char c)
{
    return c == ' ' || c == '\t';
}

/* Cuts the next blank-separated token off *p (NUL-terminating it) and
 * moves *p to the text after it; "" at the end of the line. */
static char *
vocab__token(char **p)
{
    char *s = *p, *e;

    while (vocab__sp(*s))
        s++;
    e = s;
    while (*e && !vocab__sp(*e))
        e++;
    if (*e) {
        *e++ = '\0';
        while (vocab__sp(*e))
            e++;
    }
    *p = e;
    return s;
}

/* The rest of the line with trailing blanks cut. */
static char *
vocab__rest(char *p)
{
    size_t n;

    while (vocab__sp(*p))
        p++;
    n = strlen(p);
    while (n && vocab__sp(p[n - 1]))
        p[--n] = '\0';
    return p;
}

/* ---- the vocabulary file ------------------------------------------------ */

enum vocab__obj { O_NONE, O_SET, O_VALUE, O_KIND, O_FIELD };

/* Parser state: one vocabulary file, line by line. */
struct vocab__ps {
    struct vocab *p_v;
    size_t p_line;
    enum vocab__obj p_cur;
    struct vocab_set *p_set;
    struct vocab_value *p_value;
    struct vocab_kind *p_kind;
    struct vocab_field *p_field;
    size_t p_kind_line;
    size_t p_first_field; /* the current kind's first field in v_fields */
    const char *p_rule_a[VOCAB_MAX_RULES], *p_rule_b[VOCAB_MAX_RULES];
    int p_seen_header;
    unsigned p_field_seen; /* attributes given once per field */
    unsigned p_kind_seen;  /* and per kind */
    char *p_why;
    size_t p_wl;
};

#define PS_FAIL(ps, rc, ...) vocab__ps_fail((ps), (rc), __VA_ARGS__)

static int vocab__ps_fail(struct vocab__ps *ps, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
vocab__ps_fail(struct vocab__ps *ps, int rc, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vocab__fail(ps->p_why, ps->p_wl, rc, "vocab line %zu: %s",
                       ps->p_line, msg);
}

static const struct {
    const char *name;
    enum vocab_type type;
} vocab__types[] = {
    {"str", VT_STR},
    {"uint", VT_UINT},
    {"enum", VT_ENUM},
    {"date", VT_DATE},
    {"period", VT_PERIOD},
    {"state", VT_STATE},
    {"states", VT_STATES},
    {"list", VT_LIST},
    {"id", VT_ID},
    {"bin", VT_BIN},
    {"map", VT_MAP},
    {"semester", VT_SEMESTER},
    {"country", VT_COUNTRY},
    {"countries", VT_COUNTRIES},
    {"attachments", VT_ATTACHMENTS},
};

const char *
vocab_type_name(enum vocab_type t)
{
    for (size_t i = 0; i < VOCAB__N(vocab__types); i++)
        if (vocab__types[i].type == t)
            return vocab__types[i].name;
    return "?";
}

static const struct vocab_set *
vocab__set(const struct vocab *v, const char *name)
{
    for (size_t i = 0; i < v->v_nsets; i++)
        if (strcmp(v->v_sets[i].vs_name, name) == 0)
            return &v->v_sets[i];
    return NULL;
}

static int
vocab__cmp_field(const void *a, const void *b)
{
    const struct vocab_field *x = a, *y = b;

    return strcmp(x->vf_name, y->vf_name);
}

/* Field attribute bits, to refuse an attribute given twice. */
enum {
    FA_REQUIRED = 1 << 0,
    FA_FIXED = 1 << 1,
    FA_INTERNAL = 1 << 2,
    FA_MAX = 1 << 3,
    FA_VALUES = 1 << 4,
    FA_SUGGEST = 1 << 5,
    FA_COLUMN = 1 << 6,
    FA_EVENT = 1 << 7,
    FA_HELP = 1 << 8,
    FA_SINCE = 1 << 9,
};
enum {
    KA_PLURAL = 1 << 0,
    KA_RECORD = 1 << 1,
    KA_AUDIENCES = 1 << 2,
    KA_HELP = 1 << 3,
    KA_SINCE = 1 << 4,
};

/* Checks the kind being read once all its lines are in: fields sorted
 * and unique, types and attributes consistent, event fields, rules. */
static int
vocab__end_kind(struct vocab__ps *ps)
{
    struct vocab *v = ps->p_v;
    struct vocab_kind *k = ps->p_kind;
    struct vocab_field *f;
    size_t n, at = 0, start = 0, end = 0;
    size_t line = ps->p_line;
    int rc = 0;

    if (!k)
        return 0;
    ps->p_line = ps->p_kind_line; /* errors below name the kind's line */
    n = v->v_nfields - ps->p_first_field;
    f = &v->v_fields[ps->p_first_field];
    if (n == 0) {
        rc = PS_FAIL(ps, ILONET_EMALFORMED, "kind '%s' has no fields",
                     k->vk_name);
        goto out;
    }
    qsort(f, n, sizeof(*f), vocab__cmp_field);
    k->vk_fields = f;
    k->vk_nfields = n;
    if (k->vk_is_record != (k->vk_plural != NULL)) {
        rc = PS_FAIL(ps, ILONET_EMALFORMED,
                     "kind '%s': a record kind has a plural, others none",
                     k->vk_name);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct vocab_field *g = &f[i];

        if (i > 0 && strcmp(f[i - 1].vf_name, g->vf_name) == 0) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s' given twice", k->vk_name,
                         g->vf_name);
            goto out;
        }
        if ((g->vf_type == VT_ENUM) != (g->vf_values != NULL)) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s': an enum field and only it "
                         "names its 'values'",
                         k->vk_name, g->vf_name);
            goto out;
        }
        if ((g->vf_max || g->vf_suggest || g->vf_suggest_countries) &&
            g->vf_type != VT_STR && g->vf_type != VT_LIST) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s': 'max' and 'suggest' are for "
                         "str and list fields",
                         k->vk_name, g->vf_name);
            goto out;
        }
        if (g->vf_since < k->vk_since) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s' is older than its kind",
                         k->vk_name, g->vf_name);
            goto out;
        }
        /* An entry written before the field existed must stay valid. */
        if ((g->vf_flags & VF_REQUIRED) && g->vf_since > k->vk_since) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s' added in version %u cannot "
                         "be required",
                         k->vk_name, g->vf_name, g->vf_since);
            goto out;
        }
        /* Attachments are one field with one meaning in every regime
         * (docs/FORMAT.md §10.2): the payload key is fixed, the set only
         * grows (no flag could make it required, fixed or internal), and
         * it has no column: blobs are listed from their own index. */
        if (g->vf_type == VT_ATTACHMENTS &&
            (strcmp(g->vf_name, "attachments") != 0 || !k->vk_is_record ||
             (g->vf_flags & (VF_REQUIRED | VF_FIXED | VF_INTERNAL)) ||
             g->vf_column || g->vf_event != VE_NONE)) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': field '%s': type attachments is the "
                         "optional field 'attachments' of a record kind, "
                         "without required, fixed, internal, column or "
                         "event",
                         k->vk_name, g->vf_name);
            goto out;
        }
        switch (g->vf_event) {
        case VE_AT:
        case VE_SPAN:
            at++;
            if ((g->vf_event == VE_AT && g->vf_type != VT_DATE) ||
                (g->vf_event == VE_SPAN && g->vf_type != VT_PERIOD &&
                 g->vf_type != VT_SEMESTER))
                goto event_type;
            break;
        case VE_START:
        case VE_END:
            if (g->vf_event == VE_START)
                start++;
            else
                end++;
            if (g->vf_type != VT_DATE)
                goto event_type;
            break;
        default: break;
        }
        continue;
    event_type:
        rc = PS_FAIL(ps, ILONET_EMALFORMED,
                     "kind '%s': field '%s': 'event at|start|end' needs a "
                     "date, 'event span' a period or semester",
                     k->vk_name, g->vf_name);
        goto out;
    }
    if (at > 1 || start > 1 || end > 1 || (at && (start || end)) ||
        (end && !start)) {
        rc = PS_FAIL(ps, ILONET_EMALFORMED,
                     "kind '%s': one event field (at or span), or a start "
                     "and at most one end",
                     k->vk_name);
        goto out;
    }
    for (size_t i = 0; i < k->vk_nrules; i++) {
        struct vocab_rule *r = &v->v_rules[k - v->v_kinds][i];

        r->vr_a = vocab_field(k, ps->p_rule_a[i]);
        r->vr_b = vocab_field(k, ps->p_rule_b[i]);
        if (!r->vr_a || !r->vr_b || r->vr_a == r->vr_b) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': rule on unknown fields '%s', '%s'",
                         k->vk_name, ps->p_rule_a[i], ps->p_rule_b[i]);
            goto out;
        }
        if (r->vr_type == VR_ORDER &&
            (r->vr_a->vf_type != VT_DATE || r->vr_b->vf_type != VT_DATE)) {
            rc = PS_FAIL(ps, ILONET_EMALFORMED,
                         "kind '%s': 'order' compares two date fields",
                         k->vk_name);
            goto out;
        }
    }
out:
    ps->p_line = line;
    ps->p_kind = NULL;
    ps->p_field = NULL;
    return rc;
}

static int
vocab__new_set(struct vocab__ps *ps, char *rest)
{
    struct vocab *v = ps->p_v;
    char *name = vocab__token(&rest), *label = vocab__rest(rest);
    struct vocab_set *s;

    if (!vocab__is_lower_name(name) || !*label)
        return PS_FAIL(ps, ILONET_EMALFORMED, "usage: set NAME LABEL");
    if (vocab__set(v, name))
        return PS_FAIL(ps, ILONET_EMALFORMED, "set '%s' given twice", name);
    if (v->v_nsets == VOCAB_MAX_SETS)
        return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d sets", VOCAB_MAX_SETS);
    s = &v->v_sets[v->v_nsets++];
    s->vs_name = name;
    s->vs_label = label;
    s->vs_help = "";
    s->vs_values = &v->v_values[v->v_nvalues];
    ps->p_set = s;
    ps->p_cur = O_SET;
    return 0;
}

static int
vocab__new_value(struct vocab__ps *ps, char *rest)
{
    struct vocab *v = ps->p_v;
    char *code = vocab__token(&rest), *label = vocab__rest(rest);
    struct vocab_set *s = ps->p_set;
    struct vocab_value *val;

    if (ps->p_cur != O_SET && ps->p_cur != O_VALUE)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'value' outside a set");
    if (!vocab__is_code(code) || !*label)
        return PS_FAIL(ps, ILONET_EMALFORMED, "usage: value CODE LABEL");
    if (vocab_value(s, code, strlen(code)))
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "set '%s': value '%s' given "
                       "twice",
                       s->vs_name, code);
    if (s->vs_n == VOCAB_MAX_VALUES)
        return PS_FAIL(ps, ILONET_ETOOBIG, "set '%s': more than %d values",
                       s->vs_name, VOCAB_MAX_VALUES);
    if (v->v_nvalues == VOCAB_MAX_ALL_VALUES)
        return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d values in all",
                       VOCAB_MAX_ALL_VALUES);
    val = &v->v_values[v->v_nvalues++];
    val->vv_code = code;
    val->vv_label = label;
    val->vv_help = "";
    val->vv_since = 1;
    val->vv_roles = "";
    s->vs_n++;
    ps->p_value = val;
    ps->p_cur = O_VALUE;
    return 0;
}

static int
vocab__new_kind(struct vocab__ps *ps, char *rest)
{
    struct vocab *v = ps->p_v;
    char *name = vocab__token(&rest), *code = vocab__token(&rest);
    char *label = vocab__rest(rest);
    struct vocab_kind *k;
    unsigned c;

    if (!vocab__is_lower_name(name) || vocab__uint(code, 1, 127, &c) != 0 ||
        !*label)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "usage: kind NAME CODE LABEL (CODE 1-127)");
    if (vocab_kind(v, name) || vocab_kind_by_code(v, c))
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "kind '%s' or code %u given "
                       "twice",
                       name, c);
    if (v->v_nkinds == VOCAB_MAX_KINDS)
        return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d kinds",
                       VOCAB_MAX_KINDS);
    k = &v->v_kinds[v->v_nkinds++];
    k->vk_name = name;
    k->vk_code = c;
    k->vk_label = label;
    k->vk_help = "";
    k->vk_since = 1;
    k->vk_audiences = v->v_aud[k - v->v_kinds];
    k->vk_rules = v->v_rules[k - v->v_kinds];
    ps->p_kind = k;
    ps->p_kind_line = ps->p_line;
    ps->p_first_field = v->v_nfields;
    ps->p_kind_seen = 0;
    ps->p_cur = O_KIND;
    return 0;
}

static int
vocab__new_field(struct vocab__ps *ps, char *rest)
{
    struct vocab *v = ps->p_v;
    char *name = vocab__token(&rest), *type = vocab__token(&rest);
    char *label = vocab__rest(rest);
    struct vocab_field *f;
    size_t t;

    if (!ps->p_kind)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'field' outside a kind");
    for (t = 0; t < VOCAB__N(vocab__types); t++)
        if (strcmp(vocab__types[t].name, type) == 0)
            break;
    if (!vocab__is_lower_name(name) || t == VOCAB__N(vocab__types) || !*label)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "usage: field NAME TYPE LABEL (TYPE str, uint, enum, "
                       "date, period, state, states, list, id, bin, map, "
                       "semester, country, countries)");
    /* the payload key naming an entry's vocabulary version
     * (docs/REGIMES.md) */
    if (strcmp(name, "vocab") == 0)
        return PS_FAIL(ps, ILONET_EMALFORMED, "field name 'vocab' is reserved");
    if (v->v_nfields - ps->p_first_field == VOCAB_MAX_FIELDS)
        return PS_FAIL(ps, ILONET_ETOOBIG, "kind '%s': more than %d fields",
                       ps->p_kind->vk_name, VOCAB_MAX_FIELDS);
    if (v->v_nfields == VOCAB_MAX_ALL_FIELDS)
        return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d fields in all",
                       VOCAB_MAX_ALL_FIELDS);
    f = &v->v_fields[v->v_nfields++];
    f->vf_name = name;
    f->vf_type = vocab__types[t].type;
    f->vf_label = label;
    f->vf_help = "";
    f->vf_since = ps->p_kind->vk_since;
    ps->p_field = f;
    ps->p_field_seen = 0;
    ps->p_cur = O_FIELD;
    return 0;
}

/* Marks attribute bit in *seen; fails when it was there already. */
static int
vocab__once(struct vocab__ps *ps, unsigned *seen, unsigned bit, const char *kw)
{
    if (*seen & bit)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' given twice", kw);
    *seen |= bit;
    return 0;
}

static int
vocab__field_attr(struct vocab__ps *ps, const char *kw, char *rest)
{
    struct vocab_field *f = ps->p_field;
    char *arg = vocab__token(&rest);
    int rc;

    if (ps->p_cur != O_FIELD)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' outside a field", kw);
    if (strcmp(kw, "required") == 0 || strcmp(kw, "fixed") == 0 ||
        strcmp(kw, "internal") == 0) {
        unsigned flag = kw[0] == 'r'   ? VF_REQUIRED
                        : kw[0] == 'f' ? VF_FIXED
                                       : VF_INTERNAL;
        if (*arg)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' takes no argument", kw);
        if ((rc = vocab__once(ps, &ps->p_field_seen, flag, kw)) != 0)
            return rc;
        f->vf_flags |= flag;
        return 0;
    }
    if (*rest)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' takes one argument", kw);
    if (strcmp(kw, "max") == 0) {
        unsigned m;

        if ((rc = vocab__once(ps, &ps->p_field_seen, FA_MAX, kw)) != 0)
            return rc;
        if (vocab__uint(arg, 1, 65536, &m) != 0)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "usage: max BYTES "
                           "(1-65536)");
        f->vf_max = m;
        return 0;
    }
    if (strcmp(kw, "values") == 0 || strcmp(kw, "suggest") == 0) {
        const struct vocab_set *s = vocab__set(ps->p_v, arg);
        int sugg = kw[0] == 's';

        if ((rc = vocab__once(ps, &ps->p_field_seen,
                              sugg ? FA_SUGGEST : FA_VALUES, kw)) != 0)
            return rc;
        if (sugg && strcmp(arg, "countries") == 0) {
            f->vf_suggest_countries = 1;
            return 0;
        }
        if (!s)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'%s %s': no such set (define it first)", kw, arg);
        if (sugg)
            f->vf_suggest = s;
        else
            f->vf_values = s;
        return 0;
    }
    if (strcmp(kw, "column") == 0) {
        if ((rc = vocab__once(ps, &ps->p_field_seen, FA_COLUMN, kw)) != 0)
            return rc;
        if (!vocab__is_column(arg))
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "usage: column NAME "
                           "(a-z, 0-9, _)");
        f->vf_column = arg;
        return 0;
    }
    /* event */
    if ((rc = vocab__once(ps, &ps->p_field_seen, FA_EVENT, kw)) != 0)
        return rc;
    if (strcmp(arg, "at") == 0)
        f->vf_event = VE_AT;
    else if (strcmp(arg, "span") == 0)
        f->vf_event = VE_SPAN;
    else if (strcmp(arg, "start") == 0)
        f->vf_event = VE_START;
    else if (strcmp(arg, "end") == 0)
        f->vf_event = VE_END;
    else
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "usage: event at|span|start|"
                       "end");
    return 0;
}

static int
vocab__kind_attr(struct vocab__ps *ps, const char *kw, char *rest)
{
    struct vocab *v = ps->p_v;
    struct vocab_kind *k = ps->p_kind;
    int rc;

    if (!k)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' outside a kind", kw);
    if (strcmp(kw, "record") == 0) {
        if (*vocab__rest(rest))
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'record' takes no "
                           "argument");
        if ((rc = vocab__once(ps, &ps->p_kind_seen, KA_RECORD, kw)) != 0)
            return rc;
        k->vk_is_record = 1;
        return 0;
    }
    if (strcmp(kw, "plural") == 0) {
        char *p = vocab__token(&rest);

        if ((rc = vocab__once(ps, &ps->p_kind_seen, KA_PLURAL, kw)) != 0)
            return rc;
        if (!vocab__is_lower_name(p) || *rest)
            return PS_FAIL(ps, ILONET_EMALFORMED, "usage: plural NAME");
        if (vocab_kind_by_plural(v, p))
            return PS_FAIL(ps, ILONET_EMALFORMED, "plural '%s' given twice", p);
        k->vk_plural = p;
        return 0;
    }
    if (strcmp(kw, "audiences") == 0) {
        const char **a = v->v_aud[k - v->v_kinds];

        if ((rc = vocab__once(ps, &ps->p_kind_seen, KA_AUDIENCES, kw)) != 0)
            return rc;
        while (*rest) {
            if (k->vk_naudiences == VOCAB_MAX_AUDIENCES)
                return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d audiences",
                               VOCAB_MAX_AUDIENCES);
            a[k->vk_naudiences++] = vocab__token(&rest);
        }
        if (k->vk_naudiences == 0)
            return PS_FAIL(ps, ILONET_EMALFORMED, "usage: audiences CODE...");
        return 0;
    }
    /* pair, needs, order */
    {
        char *a = vocab__token(&rest), *b = vocab__token(&rest);
        struct vocab_rule *r;

        if (!vocab__is_lower_name(a) || !vocab__is_lower_name(b) || *rest)
            return PS_FAIL(ps, ILONET_EMALFORMED, "usage: %s FIELD FIELD", kw);
        if (k->vk_nrules == VOCAB_MAX_RULES)
            return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d rules",
                           VOCAB_MAX_RULES);
        r = &v->v_rules[k - v->v_kinds][k->vk_nrules];
        r->vr_type = kw[0] == 'p'   ? VR_PAIR
                     : kw[0] == 'n' ? VR_NEEDS
                                    : VR_ORDER;
        ps->p_rule_a[k->vk_nrules] = a;
        ps->p_rule_b[k->vk_nrules] = b;
        k->vk_nrules++;
        return 0;
    }
}

static int
vocab__help(struct vocab__ps *ps, char *rest)
{
    const char **dst;
    char *text = vocab__rest(rest);

    switch (ps->p_cur) {
    case O_SET: dst = &ps->p_set->vs_help; break;
    case O_VALUE: dst = &ps->p_value->vv_help; break;
    case O_KIND: dst = &ps->p_kind->vk_help; break;
    case O_FIELD: dst = &ps->p_field->vf_help; break;
    default:
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "'help' outside a set, value, kind or field");
    }
    if (!*text)
        return PS_FAIL(ps, ILONET_EMALFORMED, "usage: help TEXT");
    if (**dst)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'help' given twice");
    *dst = text;
    return 0;
}

static int
vocab__since(struct vocab__ps *ps, char *rest)
{
    char *arg = vocab__token(&rest);
    unsigned s;
    int rc;

    if (vocab__uint(arg, 1, ps->p_v->v_version, &s) != 0 || *rest)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "usage: since VERSION (1-%u, this vocabulary's "
                       "version)",
                       ps->p_v->v_version);
    switch (ps->p_cur) {
    case O_VALUE:
        if (ps->p_value->vv_since != 1)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'since' given twice");
        ps->p_value->vv_since = s;
        return 0;
    case O_KIND:
        if ((rc = vocab__once(ps, &ps->p_kind_seen, KA_SINCE, "since")) != 0)
            return rc;
        if (ps->p_v->v_nfields != ps->p_first_field)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "a kind's 'since' goes "
                           "before its fields");
        ps->p_kind->vk_since = s;
        return 0;
    case O_FIELD:
        if ((rc = vocab__once(ps, &ps->p_field_seen, FA_SINCE, "since")) != 0)
            return rc;
        ps->p_field->vf_since = s;
        return 0;
    default:
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "'since' outside a value, kind or field");
    }
}

static int
vocab__value_attr(struct vocab__ps *ps, const char *kw, char *rest)
{
    struct vocab_value *val = ps->p_value;

    if (ps->p_cur != O_VALUE)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' outside a value", kw);
    if (strcmp(kw, "member-state") == 0) {
        if (strcmp(ps->p_set->vs_name, "roles") != 0 || *vocab__rest(rest))
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'member-state' marks a "
                           "value of the set 'roles' and takes no argument");
        if (val->vv_member_state)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' given twice", kw);
        val->vv_member_state = 1;
        return 0;
    }
    /* roles: checked against the set "roles" at the end of the file */
    rest = vocab__rest(rest);
    if (strcmp(ps->p_set->vs_name, "audiences") != 0 || !*rest)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "'roles ROLE...' is for a "
                       "value of the set 'audiences'");
    if (*val->vv_roles)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' given twice", kw);
    val->vv_roles = rest;
    return 0;
}

static int
vocab__report(struct vocab__ps *ps, char *rest)
{
    struct vocab_report *r = &ps->p_v->v_report;
    char *what = vocab__token(&rest), *arg = vocab__token(&rest);
    const char **dst;

    if (!*arg || *rest)
        goto usage;
    if (strcmp(what, "period") == 0) {
        if (strcmp(arg, "semester") != 0 && strcmp(arg, "year") != 0)
            goto usage;
        dst = &r->vp_period;
    } else if (strcmp(what, "drafter") == 0) {
        if (strcmp(arg, "presidency") != 0 && strcmp(arg, "chair") != 0)
            goto usage;
        dst = &r->vp_drafter;
    } else if (strcmp(what, "template") == 0) {
        if (!vocab__is_template(arg))
            goto usage;
        dst = &r->vp_template;
    } else if (strcmp(what, "audience") == 0) {
        if (!vocab__is_code(arg))
            goto usage;
        dst = &r->vp_audience;
    } else {
        goto usage;
    }
    if (*dst)
        return PS_FAIL(ps, ILONET_EMALFORMED, "'report %s' given twice", what);
    *dst = arg;
    return 0;
usage:
    return PS_FAIL(ps, ILONET_EMALFORMED,
                   "usage: report period semester|year, report drafter "
                   "presidency|chair, report template ID, report audience "
                   "CODE");
}

static int
vocab__privacy(struct vocab__ps *ps, char *rest)
{
    struct vocab_privacy *p = &ps->p_v->v_privacy;
    char *what = vocab__token(&rest);

    if (strcmp(what, "max-days") == 0) {
        char *arg = vocab__token(&rest);
        unsigned d;

        if (vocab__uint(arg, 1, 36525, &d) != 0 || *rest)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "usage: personal-data max-days DAYS (1-36525)");
        if (p->vy_max_days)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'personal-data max-days' "
                           "given twice");
        p->vy_max_days = d;
        return 0;
    }
    if (strcmp(what, "detect") == 0) {
        if (p->vy_detect)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'personal-data detect' "
                           "given twice");
        while (*rest) {
            char *d = vocab__token(&rest);

            if (strcmp(d, "date-of-birth") == 0)
                p->vy_detect |= VOCAB_PII_DOB;
            else if (strcmp(d, "document-number") == 0)
                p->vy_detect |= VOCAB_PII_DOCNUM;
            else if (strcmp(d, "mrz") == 0)
                p->vy_detect |= VOCAB_PII_MRZ;
            else
                return PS_FAIL(ps, ILONET_EMALFORMED,
                               "unknown detector '%.40s' (one of "
                               "date-of-birth, document-number, mrz)",
                               d);
        }
        if (!p->vy_detect)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "usage: personal-data detect NAME...");
        return 0;
    }
    return PS_FAIL(ps, ILONET_EMALFORMED,
                   "usage: personal-data max-days DAYS, personal-data detect "
                   "NAME...");
}

/* A top-level line: header, report, personal data. */
static int
vocab__header(struct vocab__ps *ps, const char *kw, char *rest)
{
    struct vocab *v = ps->p_v;

    if (strcmp(kw, "regime") == 0 || strcmp(kw, "version") == 0) {
        char *arg = vocab__token(&rest);

        if (*rest)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' takes one argument",
                           kw);
        if (v->v_nkinds || v->v_nsets)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'%s' goes before the first set or kind", kw);
        if (kw[0] == 'r') {
            if (v->v_regime)
                return PS_FAIL(ps, ILONET_EMALFORMED, "'regime' given twice");
            if (!vocab__is_lower_name(arg))
                return PS_FAIL(ps, ILONET_EMALFORMED,
                               "usage: regime ID (a-z, 0-9, -)");
            v->v_regime = arg;
            return 0;
        }
        if (v->v_version)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'version' given twice");
        if (vocab__uint(arg, 1, 65535, &v->v_version) != 0)
            return PS_FAIL(ps, ILONET_EMALFORMED, "usage: version N (1-65535)");
        return 0;
    }
    if (strcmp(kw, "title") == 0 || strcmp(kw, "status") == 0 ||
        strcmp(kw, "source") == 0) {
        char *text = vocab__rest(rest);

        if (!*text)
            return PS_FAIL(ps, ILONET_EMALFORMED, "usage: %s TEXT", kw);
        if (kw[1] == 'o') {
            if (v->v_nsources == VOCAB_MAX_SOURCES)
                return PS_FAIL(ps, ILONET_ETOOBIG, "more than %d sources",
                               VOCAB_MAX_SOURCES);
            v->v_sources[v->v_nsources++] = text;
            return 0;
        }
        if (kw[1] == 'i' ? v->v_title != NULL : v->v_status != NULL)
            return PS_FAIL(ps, ILONET_EMALFORMED, "'%s' given twice", kw);
        if (kw[1] == 'i')
            v->v_title = text;
        else
            v->v_status = text;
        return 0;
    }
    if (strcmp(kw, "report") == 0)
        return vocab__report(ps, rest);
    return vocab__privacy(ps, rest);
}

/* One significant line (not blank, not a comment). */
static int
vocab__line(struct vocab__ps *ps, char *line)
{
    char *rest = line, *kw = vocab__token(&rest);
    int rc;

    if (!ps->p_seen_header) {
        if (strcmp(kw, "ilonet-vocab") != 0 ||
            strcmp(vocab__rest(rest), "1") != 0)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "expected 'ilonet-vocab 1' (format version 1)");
        ps->p_seen_header = 1;
        return 0;
    }
    if (strcmp(kw, "set") == 0 || strcmp(kw, "kind") == 0) {
        if (!ps->p_v->v_version || !ps->p_v->v_regime)
            return PS_FAIL(ps, ILONET_EMALFORMED,
                           "'regime' and 'version' go before the first set "
                           "or kind");
        if ((rc = vocab__end_kind(ps)) != 0)
            return rc;
        return kw[0] == 's' ? vocab__new_set(ps, rest)
                            : vocab__new_kind(ps, rest);
    }
    if (strcmp(kw, "value") == 0)
        return vocab__new_value(ps, rest);
    if (strcmp(kw, "field") == 0)
        return vocab__new_field(ps, rest);
    if (strcmp(kw, "help") == 0)
        return vocab__help(ps, rest);
    if (strcmp(kw, "since") == 0)
        return vocab__since(ps, rest);
    if (strcmp(kw, "required") == 0 || strcmp(kw, "fixed") == 0 ||
        strcmp(kw, "internal") == 0 || strcmp(kw, "max") == 0 ||
        strcmp(kw, "values") == 0 || strcmp(kw, "suggest") == 0 ||
        strcmp(kw, "column") == 0 || strcmp(kw, "event") == 0)
        return vocab__field_attr(ps, kw, rest);
    if (strcmp(kw, "plural") == 0 || strcmp(kw, "record") == 0 ||
        strcmp(kw, "audiences") == 0 || strcmp(kw, "pair") == 0 ||
        strcmp(kw, "needs") == 0 || strcmp(kw, "order") == 0)
        return vocab__kind_attr(ps, kw, rest);
    if (strcmp(kw, "member-state") == 0 || strcmp(kw, "roles") == 0)
        return vocab__value_attr(ps, kw, rest);
    if (strcmp(kw, "regime") == 0 || strcmp(kw, "version") == 0 ||
        strcmp(kw, "title") == 0 || strcmp(kw, "status") == 0 ||
        strcmp(kw, "source") == 0 || strcmp(kw, "report") == 0 ||
        strcmp(kw, "personal-data") == 0) {
        /* a top-level line ends the object being read */
        ps->p_cur = O_NONE;
        if ((rc = vocab__end_kind(ps)) != 0)
            return rc;
        return vocab__header(ps, kw, rest);
    }
    return PS_FAIL(ps, ILONET_EMALFORMED, "unknown keyword '%.40s'", kw);
}

/* Cross-references that can only be checked once everything is read. */
static int
vocab__end_file(struct vocab__ps *ps)
{
    struct vocab *v = ps->p_v;
    const struct vocab_set *roles, *aud;
    const struct vocab_report *r = &v->v_report;
    int rc;

    if ((rc = vocab__end_kind(ps)) != 0)
        return rc;
    if (!ps->p_seen_header)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "empty: expected "
                       "'ilonet-vocab 1'");
    if (!v->v_regime || !v->v_version || !v->v_title)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "missing 'regime', 'version' or 'title'");
    if (v->v_nkinds == 0)
        return PS_FAIL(ps, ILONET_EMALFORMED, "no kinds");
    if (!r->vp_period || !r->vp_drafter || !r->vp_template || !r->vp_audience)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "missing one of 'report period', 'report drafter', "
                       "'report template', 'report audience'");
    if (!v->v_privacy.vy_max_days)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "missing 'personal-data max-days'");
    roles = vocab__set(v, "roles");
    aud = vocab__set(v, "audiences");
    if (!roles || !aud)
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "missing the set 'roles' or 'audiences'");
    if (!vocab_value(aud, r->vp_audience, strlen(r->vp_audience)))
        return PS_FAIL(ps, ILONET_EMALFORMED,
                       "report audience '%s' is not in the set 'audiences'",
                       r->vp_audience);
    for (size_t i = 0; i < aud->vs_n; i++) {
        const char *p = aud->vs_values[i].vv_roles;

        while (*p) {
            size_t n;

            while (*p == ' ' || *p == '\t')
                p++;
            n = strcspn(p, " \t");
            if (n && !vocab_value(roles, p, n))
                return PS_FAIL(ps, ILONET_EMALFORMED,
                               "audience '%s' names a role not in the set "
                               "'roles'",
                               aud->vs_values[i].vv_code);
            p += n;
        }
    }
    for (size_t i = 0; i < v->v_nkinds; i++) {
        const struct vocab_kind *k = &v->v_kinds[i];

        for (size_t j = 0; j < k->vk_naudiences; j++)
            if (!vocab_value(aud, k->vk_audiences[j],
                             strlen(k->vk_audiences[j])))
                return PS_FAIL(ps, ILONET_EMALFORMED,
                               "kind '%s': audience '%.40s' is not in the "
                               "set 'audiences'",
                               k->vk_name, k->vk_audiences[j]);
    }
    return 0;
}

/*
 * Copies buf into a NUL-terminated arena and checks the bytes every table
 * shares: size, UTF-8, no control bytes but tab and newline, line length.
 */
static int
vocab__arena(const uint8_t *buf, size_t len, const char *what, char **out,
             char *why, size_t wl)
{
    size_t line = 1, col = 0;
    char *t;

    if (!buf && len)
        return vocab__fail(why, wl, ILONET_EINVAL, "%s: no input", what);
    if (len > VOCAB_MAX_BYTES)
        return vocab__fail(why, wl, ILONET_ETOOBIG, "%s: more than %d bytes",
                           what, VOCAB_MAX_BYTES);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];

        if (c == '\n') {
            line++;
            col = 0;
            continue;
        }
        if (++col > VOCAB_MAX_LINE)
            return vocab__fail(why, wl, ILONET_ETOOBIG,
                               "%s line %zu: longer than %d bytes", what, line,
                               VOCAB_MAX_LINE);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return vocab__fail(why, wl, ILONET_EMALFORMED,
                               "%s line %zu: control byte 0x%02x", what, line,
                               c);
    }
    if (!wire_utf8_ok(buf, len)) {
        /* name the first line that is not UTF-8 */
        size_t s = 0;

        line = 1;
        for (size_t i = 0; i <= len; i++)
            if (i == len || buf[i] == '\n') {
                if (!wire_utf8_ok(buf + s, i - s))
                    break;
                s = i + 1;
                line++;
            }
        return vocab__fail(why, wl, ILONET_EMALFORMED,
                           "%s line %zu: not valid UTF-8", what, line);
    }
    if (!(t = malloc(len + 1)))
        return ILONET_ENOMEM;
    if (len)
        memcpy(t, buf, len);
    t[len] = '\0';
    *out = t;
    return 0;
}

/* Calls fn on every significant line of the arena t (newlines replaced
 * by NUL); stops at the first error. */
static int
vocab__lines(char *t, size_t *lineno, int (*fn)(void *, char *), void *arg)
{
    char *p = t;

    int rc;

    for (*lineno = 1;; (*lineno)++) {
        char *nl = strchr(p, '\n'), *s = p;

        if (nl)
            *nl = '\0';
        while (vocab__sp(*s))
            s++;
        if (*s && *s != '#' && (rc = fn(arg, s)) != 0)
            return rc;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

static int
vocab__line_cb(void *arg, char *line)
{
    return vocab__line(arg, line);
}

int
vocab_parse(const uint8_t *buf, size_t len, struct vocab **out, char *why,
            size_t wl)
{
    struct vocab__ps ps;
    struct vocab *v;
    int rc;

    if (!out)
        return ILONET_EINVAL;
    if (!(v = calloc(1, sizeof(*v))))
        return ILONET_ENOMEM;
    if ((rc = vocab__arena(buf, len, "vocab", &v->v_text, why, wl)) != 0)
        goto fail;
    memset(&ps, 0, sizeof(ps));
    ps.p_v = v;
    ps.p_why = why;
    ps.p_wl = wl;
    if ((rc = vocab__lines(v->v_text, &ps.p_line, vocab__line_cb, &ps)) != 0)
        goto fail;
    if ((rc = vocab__end_file(&ps)) != 0)
        goto fail;
    *out = v;
    return 0;
fail:
    vocab_free(v);
    return rc;
}

void
vocab_free(struct vocab *v)
{
    if (!v)
        return;
    free(v->v_text);
    free(v->v_ctext);
    free(v->v_mtext);
    free(v->v_countries);
    free(v->v_by_a3);
    free(v->v_members);
    free(v);
}

/* ---- the country and member tables ------------------------------------- */

struct vocab__tab {
    const char *t_what; /* "countries" or "members" */
    const char *t_magic;
    size_t t_line;
    int t_seen_magic;
    size_t t_n;
    size_t t_max;
    struct vocab_country *t_c;
    struct vocab_member *t_m;
    char *t_why;
    size_t t_wl;
};

static int vocab__tab_fail(struct vocab__tab *t, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
vocab__tab_fail(struct vocab__tab *t, int rc, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vocab__fail(t->t_why, t->t_wl, rc, "%s line %zu: %s", t->t_what,
                       t->t_line, msg);
}

static int
vocab__upper(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);

    if (n < lo || n > hi)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

static int
vocab__tab_line(void *arg, char *line)
{
    struct vocab__tab *t = arg;
    char *rest = line, *kw = vocab__token(&rest);

    if (!t->t_seen_magic) {
        if (strcmp(kw, t->t_magic) != 0 || strcmp(vocab__rest(rest), "1"))
            return vocab__tab_fail(t, ILONET_EMALFORMED,
                                   "expected '%s 1' (format version 1)",
                                   t->t_magic);
        t->t_seen_magic = 1;
        return 0;
    }
    if (t->t_n == t->t_max)
        return vocab__tab_fail(t, ILONET_ETOOBIG, "more than %zu entries",
                               t->t_max);
    if (t->t_c) {
        struct vocab_country *c = &t->t_c[t->t_n];
        char *a2 = vocab__token(&rest), *a3 = vocab__token(&rest);
        char *name = vocab__rest(rest);
        int user = strcmp(kw, "user-assigned") == 0;

        if ((strcmp(kw, "country") != 0 && !user) || !vocab__upper(a2, 2, 2) ||
            !vocab__upper(a3, 3, 3) || !*name)
            return vocab__tab_fail(t, ILONET_EMALFORMED,
                                   "usage: country|user-assigned AA AAA "
                                   "NAME");
        for (size_t i = 0; i < t->t_n; i++)
            if (strcmp(t->t_c[i].vc_a2, a2) == 0 ||
                strcmp(t->t_c[i].vc_a3, a3) == 0)
                return vocab__tab_fail(t, ILONET_EMALFORMED,
                                       "code %s or %s given twice", a2, a3);
        c->vc_a2 = a2;
        c->vc_a3 = a3;
        c->vc_name = name;
        c->vc_user_assigned = user;
    } else {
        static const char *const types[] = {"member-state", "associated",
                                            "former", "commission", "agency"};
        struct vocab_member *m = &t->t_m[t->t_n];
        char *code = vocab__token(&rest), *cc = vocab__token(&rest);
        char *name = vocab__rest(rest);
        size_t i;

        for (i = 0; i < VOCAB__N(types); i++)
            if (strcmp(kw, types[i]) == 0)
                break;
        if (i == VOCAB__N(types) || !key_state_valid(code) ||
            (strcmp(cc, "-") != 0 && !vocab__upper(cc, 2, 2)) || !*name)
            return vocab__tab_fail(t, ILONET_EMALFORMED,
                                   "usage: member-state|associated|former|"
                                   "commission|agency CODE AA|- NAME");
        for (size_t j = 0; j < t->t_n; j++)
            if (strcmp(t->t_m[j].vm_code, code) == 0)
                return vocab__tab_fail(t, ILONET_EMALFORMED,
                                       "code %s given twice", code);
        m->vm_type = types[i];
        m->vm_code = code;
        m->vm_country = strcmp(cc, "-") == 0 ? NULL : cc;
        m->vm_name = name;
    }
    t->t_n++;
    return 0;
}

static int
vocab__cmp_a2(const void *a, const void *b)
{
    const struct vocab_country *x = a, *y = b;

    return strcmp(x->vc_a2, y->vc_a2);
}

static int
vocab__cmp_a3(const void *a, const void *b)
{
    const struct vocab_country *const *x = a, *const *y = b;

    return strcmp((*x)->vc_a3, (*y)->vc_a3);
}

/* Parses a table into *arena and the array *items (t_c or t_m set by the
 * caller to a buffer of t_max entries). */
static int
vocab__tab_parse(struct vocab__tab *t, const uint8_t *buf, size_t len,
                 char **arena)
{
    int rc;

    if ((rc = vocab__arena(buf, len, t->t_what, arena, t->t_why, t->t_wl)) != 0)
        return rc;
    if ((rc = vocab__lines(*arena, &t->t_line, vocab__tab_line, t)) != 0)
        goto fail;
    if (!t->t_seen_magic) {
        rc = vocab__tab_fail(t, ILONET_EMALFORMED, "empty: expected '%s 1'",
                             t->t_magic);
        goto fail;
    }
    return 0;
fail:
    free(*arena);
    *arena = NULL;
    return rc;
}

int
vocab_add_countries(struct vocab *v, const uint8_t *buf, size_t len, char *why,
                    size_t wl)
{
    struct vocab__tab t = {"countries", "ilonet-countries",
                           0,           0,
                           0,           VOCAB_MAX_COUNTRIES,
                           NULL,        NULL,
                           why,         wl};
    const struct vocab_country **by3 = NULL;
    char *arena = NULL;
    int rc;

    if (!v)
        return ILONET_EINVAL;
    if (v->v_countries)
        return vocab__fail(why, wl, ILONET_EEXIST,
                           "countries: a table is attached already");
    if (!(t.t_c = calloc(VOCAB_MAX_COUNTRIES, sizeof(*t.t_c))))
        return ILONET_ENOMEM;
    if ((rc = vocab__tab_parse(&t, buf, len, &arena)) != 0)
        goto fail;
    if (!(by3 = calloc(t.t_n ? t.t_n : 1, sizeof(*by3)))) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    qsort(t.t_c, t.t_n, sizeof(*t.t_c), vocab__cmp_a2);
    for (size_t i = 0; i < t.t_n; i++)
        by3[i] = &t.t_c[i];
    qsort(by3, t.t_n, sizeof(*by3), vocab__cmp_a3);
    v->v_ctext = arena;
    v->v_countries = t.t_c;
    v->v_by_a3 = by3;
    v->v_ncountries = t.t_n;
    return 0;
fail:
    free(arena);
    free(t.t_c);
    return rc;
}

int
vocab_add_members(struct vocab *v, const uint8_t *buf, size_t len, char *why,
                  size_t wl)
{
    struct vocab__tab t = {"members", "ilonet-members",
                           0,         0,
                           0,         VOCAB_MAX_MEMBERS,
                           NULL,      NULL,
                           why,       wl};
    char *arena = NULL;
    int rc;

    if (!v)
        return ILONET_EINVAL;
    if (v->v_members)
        return vocab__fail(why, wl, ILONET_EEXIST,
                           "members: a table is attached already");
    if (!(t.t_m = calloc(VOCAB_MAX_MEMBERS, sizeof(*t.t_m))))
        return ILONET_ENOMEM;
    if ((rc = vocab__tab_parse(&t, buf, len, &arena)) != 0)
        goto fail;
    /* a member's country must be a known one, when countries are known */
    for (size_t i = 0; v->v_countries && i < t.t_n; i++)
        if (t.t_m[i].vm_country && !vocab_country(v, t.t_m[i].vm_country, 2)) {
            rc = vocab__fail(why, wl, ILONET_EMALFORMED,
                             "members: %s names the unknown country %s",
                             t.t_m[i].vm_code, t.t_m[i].vm_country);
            goto fail;
        }
    v->v_mtext = arena;
    v->v_members = t.t_m;
    v->v_nmembers = t.t_n;
    return 0;
fail:
    free(arena);
    free(t.t_m);
    return rc;
}

/* ---- built-in vocabularies ---------------------------------------------- */

static const char *const vocab__regimes[] = {"377-2004", "2019-1240", NULL};

const char *const *
vocab_builtin_regimes(void)
{
    return vocab__regimes;
}

int
vocab_builtin(const char *regime, struct vocab **out, char *why, size_t wl)
{
    const unsigned char *buf;
    size_t len;
    struct vocab *v = NULL;
    int rc;

    if (!regime || !out)
        return ILONET_EINVAL;
    if (strcmp(regime, "377-2004") == 0) {
        buf = vocab_data_377_2004;
        len = vocab_data_377_2004_len;
    } else if (strcmp(regime, "2019-1240") == 0) {
        buf = vocab_data_2019_1240;
        len = vocab_data_2019_1240_len;
    } else {
        return vocab__fail(why, wl, ILONET_ENOTFOUND,
                           "unknown regime '%.40s' (one of 377-2004, "
                           "2019-1240)",
                           regime);
    }
    if ((rc = vocab_parse(buf, len, &v, why, wl)) != 0)
        return rc;
    if (strcmp(v->v_regime, regime) != 0) {
        rc = vocab__fail(why, wl, ILONET_EMALFORMED,
                         "the shipped vocabulary of %s names regime %s", regime,
                         v->v_regime);
        goto fail;
    }
    if ((rc = vocab_add_countries(v, vocab_data_countries,
                                  vocab_data_countries_len, why, wl)) != 0 ||
        (rc = vocab_add_members(v, vocab_data_members, vocab_data_members_len,
                                why, wl)) != 0)
        goto fail;
    *out = v;
    return 0;
fail:
    vocab_free(v);
    return rc;
}

int
vocab_restrict(struct vocab *v, unsigned version, char *why, size_t wl)
{
    size_t nk = 0;

    if (!v)
        return ILONET_EINVAL;
    if (version < 1 || version > v->v_version)
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "vocabulary version %u of %s: this binary has "
                           "versions 1 to %u",
                           version, v->v_regime, v->v_version);
    /* Values: each set's slice of v_values shrinks in place. Fields name
     * sets, never values, so nothing points at a value that moves. */
    for (size_t i = 0; i < v->v_nsets; i++) {
        struct vocab_set *set = &v->v_sets[i];
        struct vocab_value *val = (struct vocab_value *)set->vs_values;
        size_t n = 0;

        for (size_t j = 0; j < set->vs_n; j++)
            if (val[j].vv_since <= version)
                val[n++] = val[j];
        set->vs_n = n;
    }
    for (size_t i = 0; i < v->v_nkinds; i++) {
        struct vocab_kind *k = &v->v_kinds[i];
        struct vocab_field *f = (struct vocab_field *)k->vk_fields;
        struct vocab_rule *r = (struct vocab_rule *)k->vk_rules;
        const char *ra[VOCAB_MAX_RULES], *rb[VOCAB_MAX_RULES];
        size_t nf = 0, nr = 0;

        if (k->vk_since > version)
            continue; /* the whole kind goes */
        /* Rules point at fields: keep the names of those that stay, then
         * point them again once the fields have moved. */
        for (size_t j = 0; j < k->vk_nrules; j++)
            if (r[j].vr_a->vf_since <= version &&
                r[j].vr_b->vf_since <= version) {
                ra[nr] = r[j].vr_a->vf_name;
                rb[nr] = r[j].vr_b->vf_name;
                r[nr].vr_type = r[j].vr_type;
                nr++;
            }
        for (size_t j = 0; j < k->vk_nfields; j++)
            if (f[j].vf_since <= version)
                f[nf++] = f[j];
        k->vk_nfields = nf;
        k->vk_nrules = nr;
        for (size_t j = 0; j < nr; j++) {
            r[j].vr_a = vocab_field(k, ra[j]);
            r[j].vr_b = vocab_field(k, rb[j]);
        }
        if (nk != i)
            v->v_kinds[nk] = *k;
        nk++;
    }
    v->v_nkinds = nk;
    v->v_version = version;
    return 0;
}

/* ---- lookups ------------------------------------------------------------ */

const char *
vocab_regime(const struct vocab *v)
{
    return v->v_regime;
}

unsigned
vocab_version(const struct vocab *v)
{
    return v->v_version;
}

const char *
vocab_title(const struct vocab *v)
{
    return v->v_title;
}

const struct vocab_report *
vocab_report(const struct vocab *v)
{
    return &v->v_report;
}

const struct vocab_privacy *
vocab_privacy(const struct vocab *v)
{
    return &v->v_privacy;
}

const struct vocab_kind *
vocab_kinds(const struct vocab *v, size_t *n)
{
    *n = v->v_nkinds;
    return v->v_kinds;
}

const struct vocab_kind *
vocab_kind(const struct vocab *v, const char *name)
{
    for (size_t i = 0; name && i < v->v_nkinds; i++)
        if (strcmp(v->v_kinds[i].vk_name, name) == 0)
            return &v->v_kinds[i];
    return NULL;
}

const struct vocab_kind *
vocab_kind_by_plural(const struct vocab *v, const char *plural)
{
    for (size_t i = 0; plural && i < v->v_nkinds; i++)
        if (v->v_kinds[i].vk_plural &&
            strcmp(v->v_kinds[i].vk_plural, plural) == 0)
            return &v->v_kinds[i];
    return NULL;
}

const struct vocab_kind *
vocab_kind_by_code(const struct vocab *v, uint32_t code)
{
    for (size_t i = 0; i < v->v_nkinds; i++)
        if (v->v_kinds[i].vk_code == code)
            return &v->v_kinds[i];
    return NULL;
}

const struct vocab_field *
vocab_field(const struct vocab_kind *k, const char *name)
{
    for (size_t i = 0; k && name && i < k->vk_nfields; i++)
        if (strcmp(k->vk_fields[i].vf_name, name) == 0)
            return &k->vk_fields[i];
    return NULL;
}

const struct vocab_set *
vocab_sets(const struct vocab *v, size_t *n)
{
    *n = v->v_nsets;
    return v->v_sets;
}

const struct vocab_set *
vocab_set(const struct vocab *v, const char *name)
{
    return name ? vocab__set(v, name) : NULL;
}

const struct vocab_value *
vocab_value(const struct vocab_set *s, const char *code, size_t n)
{
    for (size_t i = 0; s && code && i < s->vs_n; i++)
        if (strlen(s->vs_values[i].vv_code) == n &&
            memcmp(s->vs_values[i].vv_code, code, n) == 0)
            return &s->vs_values[i];
    return NULL;
}

const struct vocab_value *
vocab_category(const struct vocab *v, const char *code)
{
    return code ? vocab_value(vocab__set(v, "categories"), code, strlen(code))
                : NULL;
}

const struct vocab_value *
vocab_unit(const struct vocab *v, const char *code)
{
    return code ? vocab_value(vocab__set(v, "units"), code, strlen(code))
                : NULL;
}

const struct vocab_country *
vocab_country(const struct vocab *v, const char *code, size_t n)
{
    char key[4];
    size_t lo = 0, hi = v->v_ncountries;

    if (!code || (n != 2 && n != 3))
        return NULL;
    memcpy(key, code, n);
    key[n] = '\0';
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct vocab_country *c =
            n == 2 ? &v->v_countries[mid] : v->v_by_a3[mid];
        int cmp = strcmp(key, n == 2 ? c->vc_a2 : c->vc_a3);

        if (cmp == 0)
            return c;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct vocab_country *
vocab_countries(const struct vocab *v, size_t *n)
{
    *n = v->v_ncountries;
    return v->v_countries;
}

const struct vocab_member *
vocab_member(const struct vocab *v, const char *code)
{
    for (size_t i = 0; code && i < v->v_nmembers; i++)
        if (strcmp(v->v_members[i].vm_code, code) == 0)
            return &v->v_members[i];
    return NULL;
}

const struct vocab_member *
vocab_members(const struct vocab *v, size_t *n)
{
    *n = v->v_nmembers;
    return v->v_members;
}
