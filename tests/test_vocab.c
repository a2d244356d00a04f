/* test_vocab.c - the regimes' vocabularies: parsing, the seed's model, checks.
 */
#include "test.h"

#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/view/vocab.h"

#define WHY 512 /* = RECORD_ERR_MAX: messages compare at the same size */

static struct vocab *
load(const char *regime)
{
    struct vocab *v = NULL;
    char why[WHY] = "";

    if (vocab_builtin(regime, &v, why, sizeof(why)) != 0)
        TEST_FAIL_("vocab_builtin(%s): %s", regime, why);
    return v;
}

/* Parses text; returns rc and leaves the reason in why. */
static int
parse(const char *text, struct vocab **out, char *why, size_t wl)
{
    return vocab_parse((const uint8_t *)text, strlen(text), out, why, wl);
}

static int
contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

#define ASSERT_CONTAINS(hay, needle)                                           \
    do {                                                                       \
        if (!contains((hay), (needle)))                                        \
            TEST_FAIL_("\"%s\" does not contain \"%s\"", (hay), (needle));     \
    } while (0)

/* ---- the shipped vocabularies ------------------------------------------- */

static void
builtin_377_2004_parses(void)
{
    struct vocab *v = load("377-2004");
    const struct vocab_report *r = vocab_report(v);
    const struct vocab_privacy *p = vocab_privacy(v);
    size_t n;

    ASSERT_STR_EQ(vocab_regime(v), "377-2004");
    ASSERT_EQ(vocab_version(v), 4);
    ASSERT_CONTAINS(vocab_title(v), "377/2004");
    ASSERT_STR_EQ(r->vp_period, "semester");
    ASSERT_STR_EQ(r->vp_drafter, "presidency");
    ASSERT_STR_EQ(r->vp_template, "2005-687/provisional-1");
    ASSERT_STR_EQ(r->vp_audience, "net");
    ASSERT_EQ(p->vy_max_days, 365);
    ASSERT_EQ(p->vy_detect, VOCAB_PII_DOB | VOCAB_PII_DOCNUM | VOCAB_PII_MRZ);
    vocab_kinds(v, &n);
    ASSERT_EQ(n, 15);
    ASSERT(vocab_kind_by_code(v, KIND_ACTING_PRESIDENCY) != NULL);
    ASSERT(vocab_kind(v, "chair") == NULL);
    ASSERT(vocab_kind_by_plural(v, "acting-presidencies") ==
           vocab_kind(v, "acting-presidency"));
    /* the seed's roles; ms admits the two Member-State roles */
    ASSERT(
        vocab_value(vocab_set(v, "roles"), "presidency", 10)->vv_member_state);
    ASSERT_STR_EQ(vocab_value(vocab_set(v, "audiences"), "ms", 2)->vv_roles,
                  "ilo presidency");
    vocab_free(v);
}

static void
builtin_2019_1240_parses(void)
{
    static const char *const cats[] = {
        "flows",           "routes",
        "modus-operandi",  "criminal-organisations",
        "incidents",       "document-fraud",
        "assistance",      "return",
        "legislation",     "protection",
        "legal-migration", "capacity-building"};
    struct vocab *v = load("2019-1240");
    const struct vocab_set *s = vocab_set(v, "categories");
    const struct vocab_kind *k;
    const struct vocab_field *f;

    ASSERT_STR_EQ(vocab_regime(v), "2019-1240");
    ASSERT_EQ(vocab_version(v), 3);
    ASSERT_STR_EQ(vocab_report(v)->vp_drafter, "chair");
    /* exactly the categories of docs/CLI.md, in that order */
    ASSERT_EQ(s->vs_n, sizeof(cats) / sizeof(cats[0]));
    for (size_t i = 0; i < s->vs_n; i++)
        ASSERT_STR_EQ(s->vs_values[i].vv_code, cats[i]);
    ASSERT(vocab_category(v, "legal-migration") != NULL);
    ASSERT(vocab_category(v, "weather") == NULL);
    /* no presidency: a chair record instead */
    ASSERT(vocab_kind_by_code(v, KIND_ACTING_PRESIDENCY) == NULL);
    ASSERT(vocab_value(vocab_set(v, "roles"), "presidency", 10) == NULL);
    k = vocab_kind(v, "chair");
    ASSERT(k && k->vk_code == 16 && k->vk_is_record);
    ASSERT_EQ(k->vk_naudiences, 1);
    ASSERT_STR_EQ(k->vk_audiences[0], "net");
    ASSERT(vocab_value(vocab_field(k, "role")->vf_values, "co-chair", 8));
    /* postings say where the officer is deployed, in which country */
    k = vocab_kind(v, "posting");
    f = vocab_field(k, "deployment");
    ASSERT(f && (f->vf_flags & VF_REQUIRED) && f->vf_values->vs_n == 4);
    ASSERT(vocab_value(f->vf_values, "union-delegation", 16));
    ASSERT_EQ(vocab_field(k, "country")->vf_type, VT_COUNTRY);
    /* the 4x4 grades */
    k = vocab_kind(v, "observation");
    ASSERT_EQ(vocab_field(k, "reliability")->vf_values->vs_n, 4);
    ASSERT(vocab_value(vocab_field(k, "reliability")->vf_values, "X", 1));
    ASSERT(!vocab_value(vocab_field(k, "reliability")->vf_values, "D", 1));
    ASSERT_EQ(vocab_field(k, "accuracy")->vf_values->vs_n, 4);
    ASSERT_EQ(vocab_field(k, "unit")->vf_type, VT_ENUM);
    ASSERT_EQ(vocab_field(k, "nationality")->vf_type, VT_COUNTRIES);
    ASSERT(vocab_field(k, "period")->vf_flags & VF_REQUIRED);
    ASSERT(vocab_unit(v, "persons") && vocab_unit(v, "readmissions"));
    ASSERT(vocab_member(v, "EUAA") && vocab_member(v, "FRONTEX"));
    vocab_free(v);
}

static void
builtin_unknown_regime(void)
{
    struct vocab *v = NULL;
    char why[WHY];
    const char *const *r = vocab_builtin_regimes();

    ASSERT_ERR(vocab_builtin("1999-1", &v, why, sizeof(why)), ILONET_ENOTFOUND);
    ASSERT(v == NULL);
    ASSERT_STR_EQ(why, "unknown regime '1999-1' (one of 377-2004, "
                       "2019-1240)");
    ASSERT_STR_EQ(r[0], "377-2004");
    ASSERT_STR_EQ(r[1], "2019-1240");
    ASSERT(r[2] == NULL);
}

/* Every kind's event fields: the right types, at most one way. */
static void
event_fields_are_declared(void)
{
    static const struct {
        const char *regime, *kind, *field;
        enum vocab_event ev;
    } want[] = {
        {"377-2004", "observation", "period", VE_SPAN},
        {"377-2004", "meeting", "date", VE_AT},
        {"377-2004", "training", "date", VE_START},
        {"377-2004", "training", "until", VE_END},
        {"377-2004", "carrier", "date", VE_AT},
        {"377-2004", "contact", "date", VE_AT},
        {"377-2004", "posting", "from", VE_START},
        {"377-2004", "posting", "until", VE_END},
        {"377-2004", "acting-presidency", "semester", VE_SPAN},
        {"2019-1240", "observation", "period", VE_SPAN},
        {"2019-1240", "training", "until", VE_END},
        {"2019-1240", "chair", "from", VE_START},
        {"2019-1240", "chair", "until", VE_END},
    };

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct vocab *v = load(want[i].regime);
        const struct vocab_field *f =
            vocab_field(vocab_kind(v, want[i].kind), want[i].field);

        ASSERT(f != NULL);
        ASSERT_EQ(f->vf_event, want[i].ev);
        vocab_free(v);
    }
}

/* ---- 377-2004 version 1 is the seed's model ----------------------------- */

static void
seed_schema_matches_record_c(void)
{
    struct vocab *v = load("377-2004");
    const struct record_column *cols;
    size_t ncols = record_columns(&cols), nkinds, seen_cols = 0;
    const struct vocab_kind *kinds = vocab_kinds(v, &nkinds);

    /* the seed's kinds, 1-15 (record_seed.c keeps its tables) */
    for (uint32_t kind = 1; kind <= KIND_ACTING_PRESIDENCY; kind++) {
        const struct record_schema *sc = record_schema(kind);
        const struct vocab_kind *k = vocab_kind_by_code(v, kind);
        size_t vi = 0;

        ASSERT(sc != NULL && k != NULL);
        ASSERT_STR_EQ(k->vk_name, sc->rs_name);
        ASSERT_EQ(k->vk_is_record, sc->rs_is_record);
        ASSERT_EQ(k->vk_since, 1);
        if (sc->rs_plural)
            ASSERT_STR_EQ(k->vk_plural, sc->rs_plural);
        else
            ASSERT(k->vk_plural == NULL);
        for (size_t i = 0; i < k->vk_nfields; i++) {
            const struct vocab_field *f = &k->vk_fields[i];
            const struct record_field *rf;

            if (f->vf_since > 1)
                continue; /* additive: compared below */
            ASSERT(vi < sc->rs_nfields);
            rf = &sc->rs_fields[vi++];
            ASSERT_STR_EQ(f->vf_name, rf->rf_name);
            ASSERT_EQ((int)f->vf_type, (int)rf->rf_type);
            ASSERT_EQ(f->vf_flags, rf->rf_flags);
            ASSERT_EQ(f->vf_max, rf->rf_max);
            if (rf->rf_column)
                ASSERT_STR_EQ(f->vf_column, rf->rf_column);
            else
                ASSERT(f->vf_column == NULL);
            /* the seed derives "not amendable" from a missing column */
            if (sc->rs_is_record && !rf->rf_column)
                ASSERT(f->vf_flags & VF_FIXED);
            if (rf->rf_type == RT_ENUM) {
                size_t m = 0;

                for (; rf->rf_values[m]; m++) {
                    ASSERT(m < f->vf_values->vs_n);
                    ASSERT_STR_EQ(f->vf_values->vs_values[m].vv_code,
                                  rf->rf_values[m]);
                }
                ASSERT_EQ(m, f->vf_values->vs_n);
            } else {
                ASSERT(f->vf_values == NULL);
            }
        }
        ASSERT_EQ(vi, sc->rs_nfields);
        /* the seed's cross rules, in its order */
        {
            const struct vocab_rule *r = k->vk_rules;
            size_t nr = 0;
            int has_behalf = record_field(sc, "on-behalf-of") != NULL;

            for (size_t i = 0; i < k->vk_nrules; i++)
                if (r[i].vr_a->vf_since == 1 && r[i].vr_b->vf_since == 1)
                    nr++;
            ASSERT_EQ(nr, (size_t)has_behalf + (kind == KIND_OBSERVATION ||
                                                kind == KIND_POSTING));
            if (has_behalf) {
                ASSERT_EQ(r[0].vr_type, VR_PAIR);
                ASSERT_STR_EQ(r[0].vr_a->vf_name, "on-behalf-of");
                ASSERT_STR_EQ(r[0].vr_b->vf_name, "grant");
            }
            if (kind == KIND_OBSERVATION) {
                ASSERT_EQ(r[1].vr_type, VR_NEEDS);
                ASSERT_STR_EQ(r[1].vr_a->vf_name, "figure");
                ASSERT_STR_EQ(r[1].vr_b->vf_name, "unit");
            }
            if (kind == KIND_POSTING) {
                ASSERT_EQ(r[1].vr_type, VR_ORDER);
                ASSERT_STR_EQ(r[1].vr_a->vf_name, "from");
                ASSERT_STR_EQ(r[1].vr_b->vf_name, "until");
            }
        }
    }
    ASSERT_EQ(nkinds, KIND_ACTING_PRESIDENCY);
    /* every view column of the seed is some v1 field's column */
    for (size_t c = 0; c < ncols; c++) {
        int found = 0;

        for (size_t i = 0; i < nkinds && !found; i++)
            for (size_t j = 0; j < kinds[i].vk_nfields; j++)
                if (kinds[i].vk_fields[j].vf_column &&
                    strcmp(kinds[i].vk_fields[j].vf_column, cols[c].rc_name) ==
                        0) {
                    found = 1;
                    seen_cols++;
                    break;
                }
        ASSERT(found);
    }
    ASSERT_EQ(seen_cols, ncols);
    /* the categories and task statuses */
    {
        const struct vocab_set *s = vocab_set(v, "categories");
        size_t i = 0;

        for (; record_categories[i]; i++)
            ASSERT_STR_EQ(s->vs_values[i].vv_code, record_categories[i]);
        ASSERT_EQ(i, s->vs_n);
        s = vocab_set(v, "task-statuses");
        for (i = 0; record_task_statuses[i]; i++)
            ASSERT_STR_EQ(s->vs_values[i].vv_code, record_task_statuses[i]);
        ASSERT_EQ(i, s->vs_n);
    }
    vocab_free(v);
}

/* What versions 2, 3 and 4 add is optional, so earlier entries stay
 * valid; version 3 adds only the officer, set by the program
 * (docs/API.md), version 4 only attachments, on every record kind. */
static void
seed_additions_are_optional(void)
{
    struct vocab *v = load("377-2004");
    size_t nkinds, added = 0, att = 0;
    const struct vocab_kind *kinds = vocab_kinds(v, &nkinds);

    for (size_t i = 0; i < nkinds; i++)
        for (size_t j = 0; j < kinds[i].vk_nfields; j++) {
            const struct vocab_field *f = &kinds[i].vk_fields[j];

            if (f->vf_since == 1)
                continue;
            added++;
            if (f->vf_since == 4) {
                ASSERT_STR_EQ(f->vf_name, "attachments");
                ASSERT_EQ(f->vf_type, VT_ATTACHMENTS);
                ASSERT(kinds[i].vk_is_record);
                att++;
            } else if (strcmp(f->vf_name, "officer") == 0) {
                ASSERT_EQ(f->vf_since, 3);
                ASSERT(f->vf_flags & VF_INTERNAL);
            } else {
                ASSERT_EQ(f->vf_since, 2);
            }
            ASSERT(!(f->vf_flags & VF_REQUIRED));
            ASSERT(f->vf_column == NULL);
        }
    ASSERT(added > att && att > 0);
    for (size_t i = 0; i < nkinds; i++)
        ASSERT((vocab_field(&kinds[i], "attachments") != NULL) ==
               (kinds[i].vk_is_record != 0));
    /* every kind the web page and the API write names its officer */
    for (size_t i = 0; i < nkinds; i++)
        if (kinds[i].vk_is_record || kinds[i].vk_code == KIND_AMEND ||
            kinds[i].vk_code == KIND_RETRACT ||
            kinds[i].vk_code == KIND_ERASE ||
            kinds[i].vk_code == KIND_TASK_STATUS)
            ASSERT(vocab_field(&kinds[i], "officer"));
    for (size_t i = 0; i < nkinds; i++)
        if (kinds[i].vk_is_record)
            ASSERT(vocab_field(&kinds[i], "purpose") ||
                   kinds[i].vk_code == KIND_ACTING_PRESIDENCY);
    vocab_free(v);
}

/* The text inputs the differential tests feed both checkers. */
static size_t
samples(const char **out, size_t cap, char *buf, size_t bufcap)
{
    static const char *const fixed[] = {
        "",
        "x",
        "routes",
        "flows",
        "weather",
        "A",
        "F",
        "G",
        "operational",
        "strategic",
        "present",
        "excluded",
        "joint-course",
        "consular-staff",
        "authority",
        "network",
        "accept",
        "cancel",
        "2026-01-01",
        "2026-02-30",
        "2024-02-29",
        "2023-02-29",
        "1899-12-31",
        "26-01-01",
        "2026-1-01",
        "2026-01-01..2026-02-01",
        "2026-02-01..2026-01-01",
        "2026-01-01..2026-13-01",
        "2026-01-01.2026-02-01",
        "DE",
        "de",
        "D",
        "FRONTEX",
        "ABCDEFGHIJKLMNOP",
        "DE,FR",
        "FR,DE",
        "DE,DE",
        "DE,",
        ",DE",
        "DE,,FR",
        "DE,fr",
        "SY,AF",
        "a,b",
        "a,,b",
        "a,",
        "Syrian",
        "0",
        "12",
        "-1",
        "1.5",
        "123456789012345678",
        "1234567890123456789",
        "2026-H1",
        "2026-H2",
        "2026-H3",
        "1899-H1",
        "2026H1",
        "bad\x01"
        "ctrl",
        "bad\xff utf8",
        "tab\there",
        "line\nbreak",
        "caf\xc3\xa9",
        "del\x7f",
        "\xed\xa0\x80surrogate",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
    };
    static const size_t longs[] = {64, 65, 512, 513, 2048, 2049, 16384, 16385};
    size_t n = 0, off = 0;

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        out[n++] = fixed[i];
    for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
        ASSERT(off + longs[i] + 1 <= bufcap && n < cap);
        memset(buf + off, 'a', longs[i]);
        buf[off + longs[i]] = '\0';
        out[n++] = buf + off;
        off += longs[i] + 1;
    }
    /* a list whose second item is 65 bytes long */
    ASSERT(off + 70 <= bufcap && n < cap);
    memcpy(buf + off, "ok,", 3);
    memset(buf + off + 3, 'b', 65);
    buf[off + 68] = '\0';
    out[n++] = buf + off;
    return n;
}

/* The seed's tables, read as vocabulary fields by the check-only builder
 * (record_seed.c), say what the shipped vocabulary says, byte for byte,
 * for every field of the seed and every sample. */
static void
check_text_matches_record_set(void)
{
    static char buf[40000];
    const char *s[128];
    size_t ns = samples(s, 128, buf, sizeof(buf)), compared = 0;
    struct vocab *v = load("377-2004");

    for (uint32_t kind = 1; kind <= KIND_ACTING_PRESIDENCY; kind++) {
        const struct record_schema *sc = record_schema(kind);
        const struct vocab_kind *k = vocab_kind_by_code(v, kind);

        for (size_t i = 0; i < sc->rs_nfields; i++) {
            const struct vocab_field *f =
                vocab_field(k, sc->rs_fields[i].rf_name);

            for (size_t j = 0; j < ns; j++) {
                struct record_builder b;
                char why[WHY] = "";
                int rr, vr;

                ASSERT_OK(record_builder_init(&b, kind));
                rr = record_set(&b, sc->rs_fields[i].rf_name, s[j]);
                vr = vocab_check_text(v, f, s[j], why, sizeof(why));
                if (rr != vr || (rr && strcmp(b.rb_err, why) != 0))
                    TEST_FAIL_("%s.%s = '%.40s': record_set %d '%s', "
                               "vocab %d '%s'",
                               sc->rs_name, sc->rs_fields[i].rf_name, s[j], rr,
                               rr ? b.rb_err : "", vr, vr ? why : "");
                compared++;
            }
        }
    }
    ASSERT(compared > 5000);
    vocab_free(v);
}

struct rec_case {
    uint32_t kind;
    const char *pairs[20]; /* name, value, ..., NULL */
};

#define HEX64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* vocab_check_fields (the text form) says what record_set + record_build
 * (the stored form, as a receiver checks it) say, message for message. */
static void
check_fields_matches_record_build(void)
{
    static const struct rec_case cases[] = {
        {KIND_OBSERVATION, {"category", "routes", "summary", "x"}},
        {KIND_OBSERVATION, {"summary", "x"}},
        {KIND_OBSERVATION,
         {"category", "flows", "summary", "x", "figure", "3"}},
        {KIND_OBSERVATION,
         {"category", "flows", "summary", "x", "figure", "3", "unit", "persons",
          "period", "2026-01-01..2026-01-31", "reliability", "B", "nationality",
          "SY,AF", "level", "strategic"}},
        {KIND_OBSERVATION,
         {"category", "flows", "summary", "x", "on-behalf-of", "NL"}},
        {KIND_OBSERVATION,
         {"category", "flows", "summary", "x", "grant", HEX64}},
        {KIND_OBSERVATION,
         {"category", "flows", "summary", "x", "grant", HEX64, "on-behalf-of",
          "NL"}},
        {KIND_OBSERVATION, {"category", "routes", "category", "flows"}},
        {KIND_OBSERVATION, {"category", "routes", "weather", "sunny"}},
        {KIND_OBSERVATION, {"category", "weather", "summary", "x"}},
        {KIND_MEETING, {"place", "Ankara"}},
        {KIND_MEETING,
         {"commission", "excluded", "convenor", "DE", "date", "2026-01-20",
          "participants", "FR,DE", "place", "Ankara", "topics", "t"}},
        {KIND_TRAINING,
         {"date", "2026-01-20", "title", "t", "type", "joint-course"}},
        {KIND_TRAINING, {"date", "2026-01-20", "title", "t"}},
        {KIND_CARRIER, {"carrier", "X", "date", "2026-01-20"}},
        {KIND_CONTACT,
         {"counterpart", "DGMM", "date", "2026-01-20", "type", "authority"}},
        {KIND_POSTING,
         {"from", "2026-02-01", "until", "2026-01-01", "officers", "1", "post",
          "Ankara"}},
        {KIND_POSTING,
         {"from", "2026-02-01", "until", "2026-03-01", "officers", "1", "post",
          "Ankara"}},
        {KIND_TASK, {"for", "DE", "title", "t", "due", "2026-02-01"}},
        {KIND_ACTING_PRESIDENCY, {"semester", "2026-H1", "state", "DE"}},
        {KIND_RETRACT, {"record", HEX64}},
        {KIND_RETRACT, {"record", HEX64, "reason", ""}},
        {KIND_ERASE, {"reason", "gone"}},
        {KIND_AMEND, {"record", HEX64, "fields", "x"}},
        {KIND_TASK_STATUS, {"task", HEX64, "status", "done"}},
        {KIND_TASK_STATUS, {"task", HEX64, "status", "finished"}},
    };
    struct vocab *v = load("377-2004");

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct rec_case *rc = &cases[c];
        struct vocab_item items[9];
        struct record_builder b;
        struct wire_buf wb;
        char why[WHY] = "";
        size_t n = 0;
        int rr = 0, vr;

        ASSERT_OK(record_builder_start(&b, v, rc->kind));
        for (; rc->pairs[2 * n]; n++) {
            items[n].vi_name = rc->pairs[2 * n];
            items[n].vi_text = rc->pairs[2 * n + 1];
            if (rr == 0)
                rr = record_set(&b, items[n].vi_name, items[n].vi_text);
        }
        if (rr == 0) {
            wire_buf_init(&wb, 65536);
            rr = record_build(&b, &wb);
            wire_buf_free(&wb);
        }
        vr = vocab_check_fields(v, vocab_kind_by_code(v, rc->kind), items, n,
                                why, sizeof(why));
        if (rr != vr || (rr && strcmp(b.rb_err, why) != 0))
            TEST_FAIL_("case %zu: record %d '%s', vocab %d '%s'", c, rr,
                       rr ? b.rb_err : "", vr, vr ? why : "");
    }
    vocab_free(v);
}

/* ---- checks of the 2019-1240 model -------------------------------------- */

static void
check_countries_and_units(void)
{
    struct vocab *v = load("2019-1240");
    const struct vocab_kind *k = vocab_kind(v, "observation");
    const struct vocab_field *nat = vocab_field(k, "nationality");
    const struct vocab_field *ctry = vocab_field(k, "country");
    const struct vocab_field *unit = vocab_field(k, "unit");
    char why[WHY], many[64 * 3 + 8];
    size_t n;
    const struct vocab_country *all = vocab_countries(v, &n);

    ASSERT_OK(vocab_check_text(v, nat, "SY,AF", why, sizeof(why)));
    ASSERT_OK(vocab_check_text(v, nat, "SYR,AFG", why, sizeof(why)));
    ASSERT_OK(vocab_check_text(v, ctry, "XK", why, sizeof(why)));
    ASSERT_ERR(vocab_check_text(v, nat, "Syrian", why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'nationality': 'Syrian' is not an ISO 3166-1 "
                       "country code (two or three capitals, e.g. SY or "
                       "SYR; `ilonet vocab` lists them)");
    ASSERT_ERR(vocab_check_text(v, nat, "SY,SYR", why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'nationality': 'SYR' given twice");
    ASSERT_ERR(vocab_check_text(v, nat, "sy", why, sizeof(why)), ILONET_EINVAL);
    ASSERT_ERR(vocab_check_text(v, ctry, "EL", why, sizeof(why)),
               ILONET_EINVAL); /* EU's code for Greece is not ISO */
    ASSERT_ERR(vocab_check_text(v, nat, "SY,", why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'nationality': empty list item");
    /* more than 64 items is refused, not cut */
    many[0] = '\0';
    for (size_t i = 0, m = 0; m < 65; i++) {
        if (all[i].vc_user_assigned)
            continue;
        strcat(many, m ? "," : "");
        strcat(many, all[i].vc_a2);
        m++;
    }
    ASSERT_ERR(vocab_check_text(v, nat, many, why, sizeof(why)), ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'nationality': more than 64 items");
    ASSERT_OK(vocab_check_text(v, unit, "vessels", why, sizeof(why)));
    ASSERT_ERR(vocab_check_text(v, unit, "litres", why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_CONTAINS(why, "field 'unit': unknown value 'litres' (one of "
                         "persons, incidents, documents, vessels");
    vocab_free(v);
}

static void
check_2019_records(void)
{
    struct vocab *v = load("2019-1240");
    const struct vocab_kind *obs = vocab_kind(v, "observation");
    const struct vocab_kind *chair = vocab_kind(v, "chair");
    const struct vocab_item ok[] = {{"category", "legal-migration"},
                                    {"summary", "Visa facilitation"},
                                    {"period", "2026-01-01..2026-03-31"},
                                    {"figure", "0"},
                                    {"unit", "applications"},
                                    {"reliability", "B"},
                                    {"accuracy", "2"}};
    const struct vocab_item no_period[] = {{"category", "flows"},
                                           {"summary", "x"}};
    const struct vocab_item old_cat[] = {
        {"category", "weather"}, {"summary", "x"}, {"period", "2026-01-01"}};
    const struct vocab_item ch[] = {{"role", "co-chair"},
                                    {"state", "FRONTEX"},
                                    {"from", "2026-03-01"},
                                    {"until", "2026-01-01"}};
    char why[512]; /* the whole list of categories */

    ASSERT_OK(vocab_check_fields(v, obs, ok, 7, why, sizeof(why)));
    ASSERT_ERR(vocab_check_fields(v, obs, no_period, 2, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'period': required");
    ASSERT_ERR(vocab_check_fields(v, obs, old_cat, 3, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_CONTAINS(why, "(one of flows, routes, modus-operandi, "
                         "criminal-organisations, incidents, document-fraud, "
                         "assistance, return, legislation, protection, "
                         "legal-migration, capacity-building)");
    ASSERT_ERR(vocab_check_fields(v, chair, ch, 4, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'until': ends before 'from'");
    ASSERT_OK(vocab_check_fields(v, chair, ch, 3, why, sizeof(why)));
    vocab_free(v);
}

static void
min_version_names_what_is_needed(void)
{
    struct vocab *v = load("377-2004");
    const struct vocab_kind *obs = vocab_kind(v, "observation");
    const struct vocab_kind *tr = vocab_kind(v, "training");
    const struct vocab_item seed[] = {{"category", "flows"}, {"summary", "x"}};
    const struct vocab_item marked[] = {{"category", "flows"},
                                        {"summary", "x"},
                                        {"purpose", "return"},
                                        {"retain-until", "2026-06-01"}};
    const struct vocab_item days[] = {{"date", "2026-01-20"},
                                      {"until", "2026-01-22"}};
    const struct vocab_item unknown[] = {{"wind", "west"}};
    const struct vocab_item files[] = {{"attachments", NULL},
                                       {"category", "flows"}};

    ASSERT_EQ(vocab_min_version(v, obs, seed, 2), 1);
    ASSERT_EQ(vocab_min_version(v, obs, marked, 4), 2);
    ASSERT_EQ(vocab_min_version(v, tr, days, 2), 2);
    ASSERT_EQ(vocab_min_version(v, tr, days, 1), 1);
    ASSERT_EQ(vocab_min_version(v, obs, unknown, 1), 4);
    ASSERT_EQ(vocab_min_version(v, obs, files, 2), 4);
    vocab_free(v);
}

/* ---- the country and member tables -------------------------------------- */

static void
country_and_member_tables(void)
{
    struct vocab *v = load("2019-1240");
    size_t n, iso = 0;
    const struct vocab_country *c = vocab_countries(v, &n);
    const struct vocab_member *m;

    for (size_t i = 0; i < n; i++) {
        iso += !c[i].vc_user_assigned;
        if (i)
            ASSERT(strcmp(c[i - 1].vc_a2, c[i].vc_a2) < 0);
        /* every code finds itself both ways */
        ASSERT(vocab_country(v, c[i].vc_a2, 2) == &c[i]);
        ASSERT(vocab_country(v, c[i].vc_a3, 3) == &c[i]);
    }
    ASSERT_EQ(iso, 249);
    ASSERT_EQ(n, 250);
    ASSERT_STR_EQ(vocab_country(v, "SYR", 3)->vc_a2, "SY");
    ASSERT_STR_EQ(vocab_country(v, "GR", 2)->vc_name, "Greece");
    ASSERT(vocab_country(v, "XK", 2)->vc_user_assigned);
    ASSERT(vocab_country(v, "EL", 2) == NULL);
    ASSERT(vocab_country(v, "S", 1) == NULL);
    ASSERT(vocab_country(v, "SYRI", 4) == NULL);
    m = vocab_member(v, "EL");
    ASSERT(m && strcmp(m->vm_country, "GR") == 0);
    ASSERT_STR_EQ(m->vm_type, "member-state");
    ASSERT_STR_EQ(vocab_member(v, "EU")->vm_type, "commission");
    ASSERT(vocab_member(v, "EU")->vm_country == NULL);
    ASSERT_STR_EQ(vocab_member(v, "EUROPOL")->vm_type, "agency");
    ASSERT_STR_EQ(vocab_member(v, "UK")->vm_type, "former");
    vocab_members(v, &n);
    ASSERT_EQ(n, 27 + 4 + 1 + 1 + 3);
    vocab_free(v);
}

static void
tables_refuse_bad_input(void)
{
    static const struct {
        int countries;
        const char *text;
        int rc;
        const char *why;
    } cases[] = {
        {1, "", ILONET_EMALFORMED,
         "countries line 1: empty: expected 'ilonet-countries 1'"},
        {1, "ilonet-countries 2\n", ILONET_EMALFORMED,
         "countries line 1: expected 'ilonet-countries 1'"},
        {1, "ilonet-countries 1\ncountry sy SYR Syria\n", ILONET_EMALFORMED,
         "countries line 2: usage: country|user-assigned AA AAA NAME"},
        {1, "ilonet-countries 1\ncountry SY SYR\n", ILONET_EMALFORMED,
         "countries line 2: usage"},
        {1, "ilonet-countries 1\ncountry SY SYR Syria\ncountry SY SYX X\n",
         ILONET_EMALFORMED, "countries line 3: code SY or SYX given twice"},
        {1, "ilonet-countries 1\n\ncountry SY SYR S\xff\n", ILONET_EMALFORMED,
         "countries line 3: not valid UTF-8"},
        {0, "ilonet-members 1\nmember-state de DE Germany\n", ILONET_EMALFORMED,
         "members line 2: usage"},
        {0, "ilonet-members 1\nplanet DE DE Germany\n", ILONET_EMALFORMED,
         "members line 2: usage"},
        {0, "ilonet-members 1\nagency EU - A\nagency EU - B\n",
         ILONET_EMALFORMED, "members line 3: code EU given twice"},
        {0, "ilonet-members 1\nmember-state EL XX Greece\n", ILONET_EMALFORMED,
         "members: EL names the unknown country XX"},
    };
    char why[WHY];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vocab *v = load("377-2004");
        const struct vocab_member *mem;
        size_t n;
        int rc;

        /* load() attached both tables; start from a bare vocabulary */
        vocab_free(v);
        v = NULL;
        ASSERT_OK(vocab_parse(
            (const uint8_t *)"ilonet-vocab 1\nregime r\nversion 1\ntitle T\n"
                             "report period year\nreport drafter chair\n"
                             "report template t\nreport audience net\n"
                             "personal-data max-days 1\nset roles R\n"
                             "value ilo I\nset audiences A\nvalue net N\n"
                             "kind k 1 K\nfield f str F\n",
            strlen("ilonet-vocab 1\nregime r\nversion 1\ntitle T\n"
                   "report period year\nreport drafter chair\n"
                   "report template t\nreport audience net\n"
                   "personal-data max-days 1\nset roles R\n"
                   "value ilo I\nset audiences A\nvalue net N\n"
                   "kind k 1 K\nfield f str F\n"),
            &v, why, sizeof(why)));
        if (!cases[i].countries) {
            const char *ct = "ilonet-countries 1\ncountry GR GRC Greece\n";
            ASSERT_OK(vocab_add_countries(v, (const uint8_t *)ct, strlen(ct),
                                          why, sizeof(why)));
        }
        rc = cases[i].countries
                 ? vocab_add_countries(v, (const uint8_t *)cases[i].text,
                                       strlen(cases[i].text), why, sizeof(why))
                 : vocab_add_members(v, (const uint8_t *)cases[i].text,
                                     strlen(cases[i].text), why, sizeof(why));
        ASSERT_ERR(rc, cases[i].rc);
        if (strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
            TEST_FAIL_("case %zu: '%s', want '%s...'", i, why, cases[i].why);
        /* a failed table leaves nothing attached */
        if (cases[i].countries)
            ASSERT(vocab_countries(v, &n) == NULL && n == 0);
        mem = vocab_members(v, &n);
        ASSERT(mem == NULL && n == 0);
        vocab_free(v);
    }
}

static void
tables_attach_once(void)
{
    struct vocab *v = load("377-2004");
    char why[WHY];
    const char *ct = "ilonet-countries 1\n";

    ASSERT_ERR(vocab_add_countries(v, (const uint8_t *)ct, strlen(ct), why,
                                   sizeof(why)),
               ILONET_EEXIST);
    ASSERT_ERR(vocab_add_members(v, (const uint8_t *)"ilonet-members 1\n", 17,
                                 why, sizeof(why)),
               ILONET_EEXIST);
    vocab_free(v);
    vocab_free(NULL);
}

/* ---- personal data ------------------------------------------------------ */

static void
pii_patterns(void)
{
    static const struct {
        const char *text;
        unsigned kind; /* 0: none */
    } cases[] = {
        {"Detained man, born 12.03.1990 in Aleppo", VOCAB_PII_DOB},
        {"DOB: 1990-03-12", VOCAB_PII_DOB},
        {"date of birth 3 March 1990", VOCAB_PII_DOB},
        {"dob 3 Mar. 1990", VOCAB_PII_DOB},
        {"born Sep 3, 1990", VOCAB_PII_DOB},
        {"born 31.13.1990", 0},
        {"born 1990-13-01", 0},
        {"born 3 Smarch 1990", 0},
        {"born 12.03.19901", 0},
        {"passport X1234567\xc3\xa9", 0},
        {"Date of Birth: March 3, 1990", VOCAB_PII_DOB},
        {"n\xc3\xa9"
         "e le 12/03/1990",
         VOCAB_PII_DOB},
        {"geb. 1.2.85", VOCAB_PII_DOB},
        {"passport no. P1234567", VOCAB_PII_DOCNUM},
        {"Passport: C01X00T47 issued in Damascus", VOCAB_PII_DOCNUM},
        {"passport 508362741", VOCAB_PII_DOCNUM},
        {"ID card nr 123456", VOCAB_PII_DOCNUM},
        {"travel document # AB123456", VOCAB_PII_DOCNUM},
        {"P<SYRDOE<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", VOCAB_PII_MRZ},
        {"line L898902C36UTO7408122F1204159ZE184226B<<<<<10", VOCAB_PII_MRZ},
        /* ordinary strategic text */
        {"Meeting on 2026-01-20 in Ankara", 0},
        {"Birth certificates forged since 12.03.2023", 0},
        {"1200 passports seized in 2025", 0},
        {"passports 1200000 seized", 0},
        {"passport fraud at IST, 17 cases", 0},
        {"NATO summit 2024-07-09", 0},
        {"born in Syria, transiting Turkey", 0},
        {"Reborn 12.03.1990 route", 0},
        {"passport no. of the applicant", 0},
        {"ID card 123456", 0},
        {"flight LH1234 from IST", 0},
        {"Regulation (EU) 2019/1240 Art. 10", 0},
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0},
        {"", 0},
    };
    struct vocab *v = load("2019-1240");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vocab_pii hit;
        int f = vocab_pii_find(v, cases[i].text, strlen(cases[i].text), &hit);

        if (f != (cases[i].kind != 0) || (f && hit.vh_kind != cases[i].kind))
            TEST_FAIL_("case %zu '%s': found %d kind %u, want %u", i,
                       cases[i].text, f, f ? hit.vh_kind : 0, cases[i].kind);
        if (f)
            ASSERT(hit.vh_off + hit.vh_len <= strlen(cases[i].text));
    }
    vocab_free(v);
}

static void
pii_detectors_follow_the_vocabulary(void)
{
    static const char base[] =
        "ilonet-vocab 1\nregime r\nversion 1\ntitle T\n"
        "report period year\nreport drafter chair\nreport template t\n"
        "report audience net\npersonal-data max-days 30\n"
        "personal-data detect mrz\nset roles R\nvalue ilo I\n"
        "set audiences A\nvalue net N\nkind k 1 K\nfield f str F\n";
    struct vocab *v = NULL;
    struct vocab_pii hit;
    char why[WHY];
    const char *dob = "born 12.03.1990";

    ASSERT_OK(parse(base, &v, why, sizeof(why)));
    ASSERT_EQ(vocab_pii_find(v, dob, strlen(dob), &hit), 0);
    ASSERT_EQ(vocab_pii_find(NULL, dob, strlen(dob), &hit), 0);
    vocab_free(v);
}

static void
personal_data_rule(void)
{
    struct vocab *v = load("2019-1240");
    const struct vocab_kind *obs = vocab_kind(v, "observation");
    const struct vocab_kind *ret = vocab_kind(v, "retract");
    const struct vocab_item bare[] = {
        {"category", "return"},
        {"summary", "Returnee identified"},
        {"detail", "Male, born 12.03.1990, passport no. N0123456"}};
    const struct vocab_item marked[] = {
        {"category", "return"},
        {"summary", "Returnee identified"},
        {"detail", "Male, born 12.03.1990, passport no. N0123456"},
        {"purpose", "identity for return (Art. 10(3)(a))"},
        {"retain-until", "2026-06-30"}};
    const struct vocab_item reason[] = {{"record", HEX64},
                                        {"reason", "passport P1234567"}};
    char why[WHY * 2];

    ASSERT_ERR(vocab_check_personal(v, obs, bare, 3, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'detail': looks like personal data (a date of "
                       "birth at byte 6); mark the record with "
                       "--personal-data --purpose TEXT --retain-until "
                       "YYYY-MM-DD, or leave it out");
    ASSERT_OK(vocab_check_personal(v, obs, marked, 5, why, sizeof(why)));
    ASSERT_OK(vocab_check_personal(v, obs, bare, 2, why, sizeof(why)));
    ASSERT_ERR(vocab_check_personal(v, ret, reason, 2, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'reason': looks like personal data (a passport "
                       "or document number at byte 0); a retract cannot hold "
                       "personal data: leave it out");
    vocab_free(v);
}

static void
retention_dates(void)
{
    struct vocab *v = load("2019-1240");
    char why[WHY];

    ASSERT_OK(
        vocab_check_retention(v, "2026-01-01", "2026-01-01", why, sizeof(why)));
    ASSERT_OK(
        vocab_check_retention(v, "2026-01-01", "2027-01-01", why, sizeof(why)));
    ASSERT_ERR(
        vocab_check_retention(v, "2026-01-01", "2027-01-02", why, sizeof(why)),
        ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'retain-until': at most 365 days after the "
                       "record is written under 2019-1240 (2027-01-01 at "
                       "the latest)");
    ASSERT_ERR(
        vocab_check_retention(v, "2026-01-01", "2025-12-31", why, sizeof(why)),
        ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'retain-until': 2025-12-31 is before the "
                       "record is written (2026-01-01)");
    ASSERT_ERR(
        vocab_check_retention(v, "2026-01-01", "2026-02-30", why, sizeof(why)),
        ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'retain-until': '2026-02-30' is not a date "
                       "(YYYY-MM-DD)");
    /* leap years: 2028-02-29 is a day */
    ASSERT_OK(
        vocab_check_retention(v, "2028-01-01", "2028-02-29", why, sizeof(why)));
    ASSERT_ERR(vocab_check_retention(v, "bad", "2026-01-01", why, sizeof(why)),
               ILONET_EINVAL);
    vocab_free(v);
}

/* ---- parse errors ------------------------------------------------------- */

/* A minimal valid file, with "@K" where a case puts its kind lines and
 * "@S" where it puts set lines. */
static const char head[] = "ilonet-vocab 1\nregime r\nversion 2\ntitle T\n"
                           "report period year\nreport drafter chair\n"
                           "report template t\nreport audience net\n"
                           "personal-data max-days 30\n";
static const char sets[] = "set roles R\nvalue ilo I\nset audiences A\n"
                           "value net N\n";

static void
parse_minimal_file(void)
{
    char text[1024], why[WHY];
    struct vocab *v = NULL;
    const struct vocab_kind *k;

    snprintf(text, sizeof(text), "%s%skind k 1 K\nfield f str F\n", head, sets);
    ASSERT_OK(parse(text, &v, why, sizeof(why)));
    k = vocab_kind(v, "k");
    ASSERT(k && k->vk_nfields == 1 && k->vk_naudiences == 0);
    ASSERT_STR_EQ(k->vk_fields[0].vf_help, "");
    ASSERT_EQ(vocab_privacy(v)->vy_detect, 0);
    vocab_free(v);
    /* a value added in version 2 makes an entry using it a version-2 one */
    snprintf(text, sizeof(text),
             "%s%sset c C\nvalue a A\nvalue b B\nsince 2\nkind k 1 K\n"
             "field f enum F\nvalues c\n",
             head, sets);
    ASSERT_OK(parse(text, &v, why, sizeof(why)));
    {
        const struct vocab_item a = {"f", "a"}, b = {"f", "b"};
        size_t n;
        const struct vocab_set *all = vocab_sets(v, &n);

        k = vocab_kind(v, "k");
        ASSERT_EQ(vocab_min_version(v, k, &a, 1), 1);
        ASSERT_EQ(vocab_min_version(v, k, &b, 1), 2);
        ASSERT_EQ(n, 3);
        ASSERT_STR_EQ(all[2].vs_name, "c");
        ASSERT(vocab_set(v, NULL) == NULL);
    }
    vocab_free(v);
    ASSERT_STR_EQ(vocab_type_name(VT_COUNTRIES), "countries");
    ASSERT_STR_EQ(vocab_type_name(VT_STR), "str");
    ASSERT_STR_EQ(vocab_type_name((enum vocab_type)99), "?");
}

static void
parse_errors_name_the_line(void)
{
    static const struct {
        const char *body; /* after head + sets */
        int rc;
        const char *why;
    } cases[] = {
        {"kind k 1 K\nfeild f str F\n", ILONET_EMALFORMED,
         "vocab line 15: unknown keyword 'feild'"},
        {"kind k 1 K\nfield f str F\nvalue x X\n", ILONET_EMALFORMED,
         "vocab line 16: 'value' outside a set"},
        {"field f str F\n", ILONET_EMALFORMED,
         "vocab line 14: 'field' outside a kind"},
        {"set roles R\n", ILONET_EMALFORMED,
         "vocab line 14: set 'roles' given twice"},
        {"set s S\nvalue a A\nvalue a B\n", ILONET_EMALFORMED,
         "vocab line 16: set 's': value 'a' given twice"},
        {"set S S\n", ILONET_EMALFORMED, "vocab line 14: usage: set NAME"},
        {"set s\n", ILONET_EMALFORMED, "vocab line 14: usage: set NAME"},
        {"set s S\nvalue a\n", ILONET_EMALFORMED,
         "vocab line 15: usage: value CODE LABEL"},
        {"kind k 0 K\n", ILONET_EMALFORMED,
         "vocab line 14: usage: kind NAME CODE LABEL"},
        {"kind k 128 K\n", ILONET_EMALFORMED,
         "vocab line 14: usage: kind NAME CODE LABEL"},
        {"kind k 1 K\nfield f str F\nkind k 2 K\n", ILONET_EMALFORMED,
         "vocab line 16: kind 'k' or code 2 given twice"},
        {"kind k 1 K\nfield f str F\nkind j 1 K\n", ILONET_EMALFORMED,
         "vocab line 16: kind 'j' or code 1 given twice"},
        {"kind k 1 K\nfield f text F\n", ILONET_EMALFORMED,
         "vocab line 15: usage: field NAME TYPE LABEL"},
        {"kind k 1 K\nfield vocab uint V\n", ILONET_EMALFORMED,
         "vocab line 15: field name 'vocab' is reserved"},
        {"kind k 1 K\nfield f str F\nfield f uint G\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f' given twice"},
        {"kind k 1 K\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k' has no fields"},
        {"kind k 1 K\nrecord\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': a record kind has a plural"},
        {"kind k 1 K\nplural ks\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': a record kind has a plural"},
        {"kind k 1 K\nfield f str F\nsince 3\n", ILONET_EMALFORMED,
         "vocab line 16: usage: since VERSION (1-2"},
        {"kind k 1 K\nfield f str F\nsince 2\nrequired\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f' added in version 2 cannot be "
         "required"},
        {"kind k 1 K\nsince 2\nfield f str F\nsince 1\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f' is older than its kind"},
        {"kind k 1 K\nfield f enum F\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f': an enum field and only it"},
        {"kind k 1 K\nfield f str F\nvalues roles\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f': an enum field and only it"},
        {"kind k 1 K\nfield f enum F\nvalues colours\n", ILONET_EMALFORMED,
         "vocab line 16: 'values colours': no such set"},
        {"kind k 1 K\nfield f date F\nmax 3\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f': 'max' and 'suggest' are for"},
        {"kind k 1 K\nfield f str F\nmax 0\n", ILONET_EMALFORMED,
         "vocab line 16: usage: max BYTES"},
        {"kind k 1 K\nfield f str F\nmax 3\nmax 4\n", ILONET_EMALFORMED,
         "vocab line 17: 'max' given twice"},
        {"kind k 1 K\nfield f str F\nrequired yes\n", ILONET_EMALFORMED,
         "vocab line 16: 'required' takes no argument"},
        {"kind k 1 K\nfield f str F\ncolumn Bad\n", ILONET_EMALFORMED,
         "vocab line 16: usage: column NAME"},
        {"kind k 1 K\nfield f str F\nevent at\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': field 'f': 'event at|start|end' needs"},
        {"kind k 1 K\nfield f date F\nevent when\n", ILONET_EMALFORMED,
         "vocab line 16: usage: event at|span|start|end"},
        {"kind k 1 K\nfield f date F\nevent at\nfield g date G\nevent at\n",
         ILONET_EMALFORMED,
         "vocab line 14: kind 'k': one event field (at or span)"},
        {"kind k 1 K\nfield f date F\nevent end\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': one event field (at or span)"},
        {"kind k 1 K\nfield f period F\nevent span\nfield g date G\n"
         "event start\n",
         ILONET_EMALFORMED,
         "vocab line 14: kind 'k': one event field (at or span)"},
        {"kind k 1 K\npair f g\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 14: kind 'k': rule on unknown fields 'f', 'g'"},
        {"kind k 1 K\norder f g\nfield f str F\nfield g date G\n",
         ILONET_EMALFORMED,
         "vocab line 14: kind 'k': 'order' compares two date fields"},
        {"kind k 1 K\npair f\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 15: usage: pair FIELD FIELD"},
        {"kind k 1 K\naudiences\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 15: usage: audiences CODE"},
        {"kind k 1 K\naudiences all\nfield f str F\n", ILONET_EMALFORMED,
         "vocab line 17: kind 'k': audience 'all' is not in the set"},
        {"kind k 1 K\nfield f str F\nhelp\n", ILONET_EMALFORMED,
         "vocab line 16: usage: help TEXT"},
        {"kind k 1 K\nfield f str F\nhelp a\nhelp b\n", ILONET_EMALFORMED,
         "vocab line 17: 'help' given twice"},
        {"kind k 1 K\nfield f str F\nsource S\nhelp a\n", ILONET_EMALFORMED,
         "vocab line 17: 'help' outside a set, value, kind or field"},
        {"kind k 1 K\nfield f str F\nregime x\n", ILONET_EMALFORMED,
         "vocab line 16: 'regime' goes before the first set or kind"},
        {"kind k 1 K\nfield f str F\nmember-state\n", ILONET_EMALFORMED,
         "vocab line 16: 'member-state' outside a value"},
        {"set s S\nvalue a A\nmember-state\n", ILONET_EMALFORMED,
         "vocab line 16: 'member-state' marks a value of the set 'roles'"},
        {"set s S\nvalue a A\nroles ilo\n", ILONET_EMALFORMED,
         "vocab line 16: 'roles ROLE...' is for a value of the set"},
        {"kind k 1 K\nfield f str F\npersonal-data detect dna\n",
         ILONET_EMALFORMED, "vocab line 16: unknown detector 'dna'"},
        {"kind k 1 K\nfield f str F\npersonal-data max-days 5\n",
         ILONET_EMALFORMED,
         "vocab line 16: 'personal-data max-days' given twice"},
        {"kind k 1 K\nfield f str F\nreport period decade\n", ILONET_EMALFORMED,
         "vocab line 16: usage: report period"},
        {"kind k 1 K\nfield f str F\nreport period year\n", ILONET_EMALFORMED,
         "vocab line 16: 'report period' given twice"},
        {"kind k 1 K\nfield f str F\ntitle again\n", ILONET_EMALFORMED,
         "vocab line 16: 'title' given twice"},
        {"kind k 1 K\nfield f str F\nsince 1\nsince 1\n", ILONET_EMALFORMED,
         "vocab line 17: 'since' given twice"},
        {"kind k 1 K\nfield f str F\nplural x y\n", ILONET_EMALFORMED,
         "vocab line 16: usage: plural NAME"},
        {"required\n", ILONET_EMALFORMED,
         "vocab line 14: 'required' outside a field"},
        {"record\n", ILONET_EMALFORMED,
         "vocab line 14: 'record' outside a "
         "kind"},
        {"kind k 1 K\nrecord x\n", ILONET_EMALFORMED,
         "vocab line 15: 'record' takes no argument"},
        {"kind k 1 K\nrecord\nrecord\n", ILONET_EMALFORMED,
         "vocab line 16: 'record' given twice"},
        {"kind k 1 K\nplural ks\nrecord\nfield f str F\nkind j 2 J\n"
         "plural ks\n",
         ILONET_EMALFORMED, "vocab line 19: plural 'ks' given twice"},
        {"kind k 1 K\naudiences net net net net net net net net net\n",
         ILONET_ETOOBIG, "vocab line 15: more than 8 audiences"},
        {"kind k 1 K\nfield f str F\nmax 3 4\n", ILONET_EMALFORMED,
         "vocab line 16: 'max' takes one argument"},
        {"kind k 1 K\nfield f enum F\nvalues roles\nvalues roles\n",
         ILONET_EMALFORMED, "vocab line 17: 'values' given twice"},
        {"kind k 1 K\nfield f date F\nevent at\nevent at\n", ILONET_EMALFORMED,
         "vocab line 17: 'event' given twice"},
        {"kind k 1 K\nfield f list F\nsuggest countries\n"
         "suggest roles\n",
         ILONET_EMALFORMED, "vocab line 17: 'suggest' given twice"},
        {"kind k 1 K\nfield f str F\nsource S\nsince 1\n", ILONET_EMALFORMED,
         "vocab line 17: 'since' outside a value, kind or field"},
        {"kind k 1 K\nsince 1\nsince 1\n", ILONET_EMALFORMED,
         "vocab line 16: 'since' given twice"},
        {"set s S\nvalue a A\nsince 2\nsince 2\n", ILONET_EMALFORMED,
         "vocab line 17: 'since' given twice"},
        {"set s S\nvalue a A\nmember-state\n", ILONET_EMALFORMED,
         "vocab line 16: 'member-state' marks"},
        {"kind k 1 K\nfield f str F\nreport template bad!id\n",
         ILONET_EMALFORMED, "vocab line 16: usage: report period"},
        {"kind k 1 K\nfield f str F\nreport audience -x\n", ILONET_EMALFORMED,
         "vocab line 16: usage: report period"},
        {"kind k 1 K\nfield f str F\nreport colour red\n", ILONET_EMALFORMED,
         "vocab line 16: usage: report period"},
        {"kind k 1 K\nfield f str F\npersonal-data detect\n", ILONET_EMALFORMED,
         "vocab line 16: usage: personal-data detect"},
        {"kind k 1 K\nfield f str F\npersonal-data detect mrz\n"
         "personal-data detect mrz\n",
         ILONET_EMALFORMED,
         "vocab line 17: 'personal-data detect' given twice"},
        {"kind k 1 K\nfield f str F\npersonal-data keep 3\n", ILONET_EMALFORMED,
         "vocab line 16: usage: personal-data max-days"},
        {"kind k 1 K\nfield f str F\ntitle\n", ILONET_EMALFORMED,
         "vocab line 16: usage: title TEXT"},
        {"kind k 1 K\nfield f str F\nsource 1\nsource 2\nsource 3\n"
         "source 4\nsource 5\nsource 6\nsource 7\nsource 8\nsource 9\n",
         ILONET_ETOOBIG, "vocab line 24: more than 8 sources"},
        {"kind k 1 K\nfield f str F\nstatus a\nstatus b\n", ILONET_EMALFORMED,
         "vocab line 17: 'status' given twice"},
        {"", ILONET_EMALFORMED, "vocab line 14: no kinds"},
    };
    char text[2048], why[WHY];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vocab *v = NULL;
        int rc;

        snprintf(text, sizeof(text), "%s%s%s", head, sets, cases[i].body);
        rc = parse(text, &v, why, sizeof(why));
        if (rc != cases[i].rc ||
            strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
            TEST_FAIL_("case %zu: %d '%s', want %d '%s...'", i, rc,
                       rc ? why : "", cases[i].rc, cases[i].why);
        ASSERT(v == NULL);
    }
}

static void
parse_errors_of_the_whole_file(void)
{
    static const struct {
        const char *text;
        int rc;
        const char *why;
    } cases[] = {
        {"", ILONET_EMALFORMED, "vocab line 1: empty: expected"},
        {"# only a comment\n", ILONET_EMALFORMED,
         "vocab line 2: empty: expected 'ilonet-vocab 1'"},
        {"ilonet-vocab 2\n", ILONET_EMALFORMED,
         "vocab line 1: expected 'ilonet-vocab 1'"},
        {"regime r\n", ILONET_EMALFORMED,
         "vocab line 1: expected 'ilonet-vocab 1'"},
        {"ilonet-vocab 1\nset s S\n", ILONET_EMALFORMED,
         "vocab line 2: 'regime' and 'version' go before the first set"},
        {"ilonet-vocab 1\nregime R\n", ILONET_EMALFORMED,
         "vocab line 2: usage: regime ID"},
        {"ilonet-vocab 1\nversion 0\n", ILONET_EMALFORMED,
         "vocab line 2: usage: version N"},
        {"ilonet-vocab 1\nversion 1\nversion 1\n", ILONET_EMALFORMED,
         "vocab line 3: 'version' given twice"},
        {"ilonet-vocab 1\nregime r\nregime r\n", ILONET_EMALFORMED,
         "vocab line 3: 'regime' given twice"},
        {"ilonet-vocab 1\nregime r s\n", ILONET_EMALFORMED,
         "vocab line 2: 'regime' takes one argument"},
        {"ilonet-vocab 1\nregime r\nversion 1\nkind k 1 K\nfield f str F\n",
         ILONET_EMALFORMED,
         "vocab line 6: missing 'regime', 'version' or "
         "'title'"},
        {"ilonet-vocab 1\nregime r\nversion 1\ntitle T\nkind k 1 K\n"
         "field f str F\n",
         ILONET_EMALFORMED, "vocab line 7: missing one of 'report period'"},
        {"ilonet-vocab 1\nregime r\nversion 1\ntitle T\nreport period year\n"
         "report drafter chair\nreport template t\nreport audience net\n"
         "kind k 1 K\nfield f str F\n",
         ILONET_EMALFORMED, "vocab line 11: missing 'personal-data max-days'"},
        {"ilonet-vocab 1\nregime r\nversion 1\ntitle T\nreport period year\n"
         "report drafter chair\nreport template t\nreport audience net\n"
         "personal-data max-days 3\nkind k 1 K\nfield f str F\n",
         ILONET_EMALFORMED,
         "vocab line 12: missing the set 'roles' or 'audiences'"},
        {"ilonet-vocab 1\nregime r\nversion 1\ntitle T\nreport period year\n"
         "report drafter chair\nreport template t\nreport audience all\n"
         "personal-data max-days 3\nset roles R\nvalue ilo I\n"
         "set audiences A\nvalue net N\nkind k 1 K\nfield f str F\n",
         ILONET_EMALFORMED,
         "vocab line 16: report audience 'all' is not in the set"},
        {"ilonet-vocab 1\nregime r\nversion 1\ntitle T\nreport period year\n"
         "report drafter chair\nreport template t\nreport audience net\n"
         "personal-data max-days 3\nset roles R\nvalue ilo I\n"
         "set audiences A\nvalue net N\nroles ilo agency\nkind k 1 K\n"
         "field f str F\n",
         ILONET_EMALFORMED,
         "vocab line 17: audience 'net' names a role not in the set"},
        {"ilonet-vocab 1\r\n", ILONET_EMALFORMED,
         "vocab line 1: control byte 0x0d"},
        {"ilonet-vocab 1\nregime r\x01\n", ILONET_EMALFORMED,
         "vocab line 2: control byte 0x01"},
        {"ilonet-vocab 1\n\ntitle \xc0\xaf\n", ILONET_EMALFORMED,
         "vocab line 3: not valid UTF-8"},
    };
    char why[WHY];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vocab *v = NULL;
        int rc = parse(cases[i].text, &v, why, sizeof(why));

        if (rc != cases[i].rc ||
            strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
            TEST_FAIL_("case %zu: %d '%s', want %d '%s...'", i, rc,
                       rc ? why : "", cases[i].rc, cases[i].why);
        ASSERT(v == NULL);
    }
}

/* Every bound is checked, with the line named. */
static void
parse_bounds(void)
{
    static char text[VOCAB_MAX_BYTES + 2];
    char why[WHY];
    struct vocab *v = NULL;
    size_t off;

    /* a line too long */
    off = (size_t)snprintf(text, sizeof(text), "ilonet-vocab 1\ntitle ");
    memset(text + off, 'x', VOCAB_MAX_LINE);
    text[off + VOCAB_MAX_LINE] = '\0';
    ASSERT_ERR(parse(text, &v, why, sizeof(why)), ILONET_ETOOBIG);
    ASSERT_STR_EQ(why, "vocab line 2: longer than 1024 bytes");
    /* the file too big */
    memset(text, '#', sizeof(text) - 1);
    for (size_t i = 100; i < sizeof(text) - 1; i += 100)
        text[i] = '\n';
    text[sizeof(text) - 1] = '\0';
    ASSERT_ERR(vocab_parse((const uint8_t *)text, VOCAB_MAX_BYTES + 1, &v, why,
                           sizeof(why)),
               ILONET_ETOOBIG);
    ASSERT_STR_EQ(why, "vocab: more than 262144 bytes");
    /* too many sets, values in a set, kinds, fields of a kind */
    {
        static const struct {
            const char *line; /* %d: a counter */
            int per_kind;     /* fields: inside one kind */
            const char *why;
        } many[] = {
            {"set s%d S\n", 0, "more than 32 sets"},
            {"value v%d V\n", 0, "set 'audiences': more than 64 values"},
            {"kind k%d %d K\nfield f str F\n", 0, "more than 32 kinds"},
            {"field f%d str F\n", 1, "kind 'k': more than 32 fields"},
            {"pair a%d b\n", 1, "more than 8 rules"},
        };

        for (size_t m = 0; m < sizeof(many) / sizeof(many[0]); m++) {
            off = (size_t)snprintf(text, sizeof(text), "%s%s%s", head, sets,
                                   many[m].per_kind ? "kind k 1 K\n" : "");
            for (int i = 1; i <= 100; i++)
                off += (size_t)snprintf(text + off, sizeof(text) - off,
                                        many[m].line, i, i);
            ASSERT_ERR(parse(text, &v, why, sizeof(why)), ILONET_ETOOBIG);
            ASSERT_CONTAINS(why, many[m].why);
            ASSERT(strncmp(why, "vocab line ", 11) == 0);
        }
    }
    /* the pools shared by all sets and all kinds */
    off = (size_t)snprintf(text, sizeof(text), "%s%s", head, sets);
    for (int i = 0; i < 9; i++) {
        off +=
            (size_t)snprintf(text + off, sizeof(text) - off, "set s%d S\n", i);
        for (int j = 0; j < 64; j++)
            off += (size_t)snprintf(text + off, sizeof(text) - off,
                                    "value v%d V\n", j);
    }
    ASSERT_ERR(parse(text, &v, why, sizeof(why)), ILONET_ETOOBIG);
    ASSERT_CONTAINS(why, ": more than 512 values in all");
    off = (size_t)snprintf(text, sizeof(text), "%s%s", head, sets);
    for (int k = 1; k <= 17; k++) {
        off += (size_t)snprintf(text + off, sizeof(text) - off,
                                "kind k%d %d K\n", k, k);
        for (int j = 0; j < 32; j++)
            off += (size_t)snprintf(text + off, sizeof(text) - off,
                                    "field f%d str F\n", j);
    }
    ASSERT_ERR(parse(text, &v, why, sizeof(why)), ILONET_ETOOBIG);
    ASSERT_CONTAINS(why, ": more than 512 fields in all");
    /* a country table over its bound */
    ASSERT_OK(parse("ilonet-vocab 1\nregime r\nversion 1\ntitle T\n"
                    "report period year\nreport drafter chair\n"
                    "report template t\nreport audience net\n"
                    "personal-data max-days 1\nset roles R\nvalue ilo I\n"
                    "set audiences A\nvalue net N\nkind k 1 K\n"
                    "field f str F\n",
                    &v, why, sizeof(why)));
    off = (size_t)snprintf(text, sizeof(text), "ilonet-countries 1\n");
    for (int i = 0; i < 301; i++)
        off += (size_t)snprintf(text + off, sizeof(text) - off,
                                "country %c%c %c%cA N\n", 'A' + i / 26,
                                'A' + i % 26, 'A' + i / 26, 'A' + i % 26);
    ASSERT_ERR(
        vocab_add_countries(v, (const uint8_t *)text, off, why, sizeof(why)),
        ILONET_ETOOBIG);
    ASSERT_STR_EQ(why, "countries line 302: more than 300 entries");
    vocab_free(v);
    v = NULL;
    /* no input at all */
    ASSERT_ERR(vocab_parse(NULL, 3, &v, why, sizeof(why)), ILONET_EINVAL);
    ASSERT_ERR(vocab_parse((const uint8_t *)"x", 1, NULL, why, sizeof(why)),
               ILONET_EINVAL);
}

/* Cutting a shipped file at any line either parses or fails with a
 * reason naming a line; nothing crashes or leaks (ASan build). */
static void
parse_truncated_shipped_files(void)
{
    extern const unsigned char vocab_data_2019_1240[];
    extern const size_t vocab_data_2019_1240_len;
    const char *t = (const char *)vocab_data_2019_1240;
    size_t len = vocab_data_2019_1240_len, ok = 0, failed = 0;

    for (size_t cut = 0; cut <= len; cut++) {
        struct vocab *v = NULL;
        char why[WHY] = "";
        int rc;

        if (cut < len && t[cut] != '\n')
            continue;
        rc = vocab_parse((const uint8_t *)t, cut, &v, why, sizeof(why));
        if (rc == 0) {
            ok++;
            vocab_free(v);
        } else {
            failed++;
            ASSERT_EQ(rc, ILONET_EMALFORMED);
            ASSERT(strncmp(why, "vocab line ", 11) == 0);
        }
    }
    ASSERT(ok >= 1 && failed > 100);
}

/* An earlier version is the file without what later versions added: the
 * test-only way to run a node as an older binary (docs/REGIMES.md). */
static void
restrict_to_an_earlier_version(void)
{
    struct vocab *v = load("377-2004");
    const struct vocab_kind *k;
    char why[WHY] = "";
    size_t n;

    ASSERT_ERR(vocab_restrict(v, 0, why, sizeof(why)), ILONET_EINVAL);
    ASSERT_ERR(vocab_restrict(v, 5, why, sizeof(why)), ILONET_EINVAL);
    ASSERT_STR_EQ(why, "vocabulary version 5 of 377-2004: this binary has "
                       "versions 1 to 4");
    /* versions 2 and 3: the marking, then the officer, without
     * attachments */
    for (unsigned ver = 2; ver <= 3; ver++) {
        struct vocab *v2 = load("377-2004");

        ASSERT_OK(vocab_restrict(v2, ver, why, sizeof(why)));
        k = vocab_kind(v2, "meeting");
        ASSERT(vocab_field(k, "purpose") && !vocab_field(k, "attachments"));
        ASSERT((vocab_field(k, "officer") != NULL) == (ver == 3));
        vocab_free(v2);
    }
    ASSERT_OK(vocab_restrict(v, 1, why, sizeof(why)));
    ASSERT_EQ(vocab_version(v), 1);
    vocab_kinds(v, &n);
    ASSERT_EQ(n, 15);
    k = vocab_kind(v, "observation");
    ASSERT(!vocab_field(k, "purpose") && !vocab_field(k, "retain-until"));
    ASSERT(vocab_field(k, "category") && vocab_field(k, "unit"));
    /* the v2 rule over v2 fields went with them; the others point at the
     * fields where they now are */
    ASSERT_EQ(k->vk_nrules, 2);
    ASSERT_STR_EQ(k->vk_rules[1].vr_a->vf_name, "figure");
    ASSERT(k->vk_rules[1].vr_a == vocab_field(k, "figure"));
    k = vocab_kind(v, "training");
    ASSERT(!vocab_field(k, "until"));
    ASSERT_EQ(k->vk_nrules, 1);
    /* every field left is a version-1 field */
    {
        const struct vocab_kind *ks = vocab_kinds(v, &n);

        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < ks[i].vk_nfields; j++)
                ASSERT_EQ(ks[i].vk_fields[j].vf_since, 1);
    }
    vocab_free(v);
}

TEST_LIST = {
    TEST(builtin_377_2004_parses),
    TEST(builtin_2019_1240_parses),
    TEST(builtin_unknown_regime),
    TEST(event_fields_are_declared),
    TEST(seed_schema_matches_record_c),
    TEST(seed_additions_are_optional),
    TEST(check_text_matches_record_set),
    TEST(check_fields_matches_record_build),
    TEST(check_countries_and_units),
    TEST(check_2019_records),
    TEST(min_version_names_what_is_needed),
    TEST(country_and_member_tables),
    TEST(tables_refuse_bad_input),
    TEST(tables_attach_once),
    TEST(pii_patterns),
    TEST(pii_detectors_follow_the_vocabulary),
    TEST(personal_data_rule),
    TEST(retention_dates),
    TEST(parse_minimal_file),
    TEST(parse_errors_name_the_line),
    TEST(parse_errors_of_the_whole_file),
    TEST(parse_bounds),
    TEST(parse_truncated_shipped_files),
    TEST(restrict_to_an_earlier_version),
};

TEST_MAIN()
