/* test_record.c - payload schemas: canonical building, validation, errors
 * that name the field. */
#include "crypto/error.h"
#include "fixture.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/view/vocab.h"
#include "test.h"

/* The seed's vocabulary (377-2004, as shipped) and the current one. */
#define V fx_vocab(NULL)
#define V19 fx_vocab("2019-1240")

static int
has_bytes(const uint8_t *h, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(h + i, needle, m) == 0)
            return 1;
    return 0;
}

static void
build_ok(struct record_builder *b, struct wire_buf *wb)
{
    if (record_build(b, wb) != 0)
        TEST_FAIL_("record_build: %s", b->rb_err);
}

static void
record_build_is_canonical_and_sorted(void)
{
    struct record_builder b;
    struct wire_buf wb;
    char why[200];

    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    /* given out of order: emitted sorted */
    ASSERT_OK(record_set(&b, "unit", "persons"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "figure", "0"));
    ASSERT_OK(record_set(&b, "category", "routes"));
    ASSERT_OK(record_set(&b, "nationality", "SY,AF"));
    wire_buf_init(&wb, 4096);
    build_ok(&b, &wb);
    ASSERT_OK(wire_check(wb.wb_data, wb.wb_len, &WIRE_LIMITS_DEFAULT));
    ASSERT_OK(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                              sizeof(why)));
    /* fixmap of 5, first key "category" */
    ASSERT_EQ(wb.wb_data[0], 0x85);
    ASSERT(memcmp(wb.wb_data + 2, "category", 8) == 0);
    wire_buf_free(&wb);
}

static void
record_states_are_a_sorted_set(void)
{
    struct record_builder b;
    struct wire_buf wb;

    ASSERT_OK(record_builder_start(&b, V, KIND_TASK));
    ASSERT_OK(record_set(&b, "title", "t"));
    ASSERT_OK(record_set(&b, "for", "FR,DE"));
    wire_buf_init(&wb, 4096);
    build_ok(&b, &wb);
    /* ... "for": ["DE", "FR"] */
    ASSERT(has_bytes(wb.wb_data, wb.wb_len,
                     "\x92\xa2"
                     "DE\xa2"
                     "FR",
                     7));
    wire_buf_free(&wb);
    ASSERT_OK(record_builder_start(&b, V, KIND_TASK));
    ASSERT_ERR(record_set(&b, "for", "DE,DE"), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "field 'for'"));
}

static void
record_errors_name_the_field(void)
{
    static const struct {
        uint32_t kind;
        const char *field, *value, *want;
    } cases[] = {
        {KIND_OBSERVATION, "category", "weather", "field 'category': unknown"},
        {KIND_OBSERVATION, "colour", "red", "field 'colour': unknown field"},
        {KIND_OBSERVATION, "figure", "-3", "field 'figure'"},
        {KIND_OBSERVATION, "figure", "12a", "field 'figure'"},
        {KIND_OBSERVATION, "period", "2026-02-30", "field 'period'"},
        {KIND_OBSERVATION, "period", "2026-03-01..2026-02-01",
         "field 'period': period"},
        {KIND_OBSERVATION, "level", "tactical", "field 'level'"},
        {KIND_OBSERVATION, "reliability", "G", "field 'reliability'"},
        {KIND_OBSERVATION, "summary", "", "field 'summary': empty"},
        {KIND_MEETING, "date", "2026-1-5", "field 'date'"},
        {KIND_MEETING, "convenor", "de", "field 'convenor'"},
        {KIND_MEETING, "commission", "absent", "field 'commission'"},
        {KIND_POSTING, "officers", "", "field 'officers'"},
        {KIND_ACTING_PRESIDENCY, "semester", "2026-H3", "field 'semester'"},
        {KIND_TASK_STATUS, "task", "abc", "field 'task'"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct record_builder b;

        ASSERT_OK(record_builder_start(&b, V, cases[i].kind));
        if (record_set(&b, cases[i].field, cases[i].value) != ILONET_EINVAL)
            TEST_FAIL_("case %zu: %s=%s accepted", i, cases[i].field,
                       cases[i].value);
        if (!strstr(b.rb_err, cases[i].want))
            TEST_FAIL_("case %zu: reason \"%s\" lacks \"%s\"", i, b.rb_err,
                       cases[i].want);
    }
}

static void
record_required_and_cross_field_rules(void)
{
    struct record_builder b;
    struct wire_buf wb;

    wire_buf_init(&wb, 4096);
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'category': required");
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "figure", "7"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "needs a unit"));
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "on-behalf-of", "AT"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "go together"));
    ASSERT_OK(record_builder_start(&b, V, KIND_POSTING));
    ASSERT_OK(record_set(&b, "post", "Ankara"));
    ASSERT_OK(record_set(&b, "officers", "2"));
    ASSERT_OK(record_set(&b, "from", "2026-05-01"));
    ASSERT_OK(record_set(&b, "until", "2026-04-01"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "field 'until'"));
    ASSERT_EQ(wb.wb_len, 0);
    wire_buf_free(&wb);
}

static void
record_amend_fields(void)
{
    struct record_builder b;
    struct wire_buf wb;

    wire_buf_init(&wb, 4096);
    ASSERT_OK(record_builder_start_amend(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "detail", "")); /* clears */
    ASSERT_OK(record_set(&b, "summary", "new"));
    build_ok(&b, &wb);
    ASSERT_OK(record_builder_start_amend(&b, V, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "summary", ""), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "cannot be cleared"));
    ASSERT_ERR(record_set(&b, "on-behalf-of", "AT"), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "may not be amended"));
    ASSERT_OK(record_builder_start_amend(&b, V, KIND_TASK));
    ASSERT_ERR(record_set(&b, "for", "DE"), ILONET_EINVAL);
    ASSERT_ERR(record_builder_start_amend(&b, V, KIND_GRANT), ILONET_EKIND);
    wire_buf_free(&wb);
}

/* Received payloads: unknown fields, wrong types, missing fields. */
static void
record_validate_rejects_bad_payloads(void)
{
    struct wire_buf wb;
    char why[200];

    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 2);
    wire_pack_str(&wb, "category");
    wire_pack_uint(&wb, 3);
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT(strstr(why, "field 'category': wrong type"));
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 3);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "secret");
    wire_pack_str(&wb, "x");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT(strstr(why, "field 'secret': unknown field"));
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 1);
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'category': required");
    /* unsorted keys are not canonical */
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 2);
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    ASSERT(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                           sizeof(why)) != 0);
    wire_buf_free(&wb);
}

/* An observation {category: routes, summary: s} checked as received,
 * without the canonical pre-scan, so record_check alone judges s. */
static int
check_summary(const char *sum, size_t n, char *why, size_t wl)
{
    struct wire_buf wb;
    msgpack_zone z;
    msgpack_object o;
    int rc;

    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 2);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "routes");
    wire_pack_str(&wb, "summary");
    wire_pack_strn(&wb, sum, n);
    ASSERT(msgpack_zone_init(&z, 2048));
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    rc = record_check(V, KIND_OBSERVATION, &o, why, wl);
    msgpack_zone_destroy(&z);
    wire_buf_free(&wb);
    return rc;
}

/* Text is checked eight ASCII bytes at a time: a control byte, DEL or a
 * bad UTF-8 sequence is refused at any offset, tab, newline and CR and
 * valid multi-byte characters are accepted at any offset. */
static void
record_text_rules_at_every_offset(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        int ok;
    } ins[] = {
        {"\x01", 1, 0},
        {"\x1f", 1, 0},
        {"\x7f", 1, 0},
        {"\0", 1, 0},
        {"\x80", 1, 0},
        {"\xc0\x80", 2, 0},
        {"\xed\xa0\x80", 3, 0},
        {"\xf5\x80\x80\x80", 4, 0},
        {"\xe2\x82", 2, 0},
        {"\t", 1, 1},
        {"\n", 1, 1},
        {"\r", 1, 1},
        {"~", 1, 1},
        {"\xc3\xa9", 2, 1},
        {"\xe2\x82\xac", 3, 1},
        {"\xf0\x9f\x98\x80", 4, 1},
    };
    char buf[64], why[200];

    for (size_t c = 0; c < sizeof(ins) / sizeof(ins[0]); c++)
        for (size_t off = 0; off <= 24; off++) {
            size_t n = 0;
            int rc;

            memset(buf, 'a', sizeof(buf));
            n = off;
            memcpy(buf + n, ins[c].bytes, ins[c].n);
            n += ins[c].n;
            n += 24 - off; /* ASCII after it too */
            rc = check_summary(buf, n, why, sizeof(why));
            if (ins[c].ok && rc != 0)
                TEST_FAIL_("case %zu at %zu refused: %s", c, off, why);
            if (!ins[c].ok && rc != ILONET_EINVAL)
                TEST_FAIL_("case %zu at %zu accepted", c, off);
            if (!ins[c].ok && !strstr(why, "field 'summary': not valid"))
                TEST_FAIL_("case %zu at %zu: reason %s", c, off, why);
        }
}

/* record_read hands back each field's value by vocabulary field index. */
static void
record_check_fields_by_schema_index(void)
{
    const struct vocab_kind *k = vocab_kind_by_code(V, KIND_OBSERVATION);
    const msgpack_object *vals[RECORD_MAX_ITEMS];
    struct record_builder b;
    struct record_read rr;
    struct wire_buf wb;
    msgpack_zone z;
    msgpack_object o;
    char why[200];

    wire_buf_init(&wb, 4096);
    ASSERT(msgpack_zone_init(&z, 2048));
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "figure", "7"));
    ASSERT_OK(record_set(&b, "unit", "persons"));
    build_ok(&b, &wb);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(record_read(V, KIND_OBSERVATION, &o, &rr, why, sizeof(why)));
    ASSERT_EQ(rr.rr_version, 1);
    ASSERT(rr.rr_kind == k);
    for (size_t i = 0; i < k->vk_nfields; i++) {
        const char *n = k->vk_fields[i].vf_name;
        const msgpack_object *v = rr.rr_vals[i];

        if (strcmp(n, "figure") == 0)
            ASSERT(v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                   v->via.u64 == 7);
        else if (strcmp(n, "summary") == 0 || strcmp(n, "category") == 0 ||
                 strcmp(n, "unit") == 0)
            ASSERT(v && v->type == MSGPACK_OBJECT_STR);
        else
            ASSERT(v == NULL);
    }
    /* an amendment's nil (clear) is handed back too */
    wire_buf_reset(&wb);
    ASSERT_OK(record_builder_start_amend(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "detail", ""));
    build_ok(&b, &wb);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(record_check_amend_fields(V, KIND_OBSERVATION, 1, &o, vals, why,
                                        sizeof(why)));
    for (size_t i = 0; i < k->vk_nfields; i++)
        if (strcmp(k->vk_fields[i].vf_name, "detail") == 0)
            ASSERT(vals[i] && vals[i]->type == MSGPACK_OBJECT_NIL);
        else
            ASSERT(vals[i] == NULL);
    msgpack_zone_destroy(&z);
    wire_buf_free(&wb);
}

static void
record_dates(void)
{
    uint64_t s;
    char d[11];
    int64_t days;

    ASSERT_OK(record_date_unix("2026-01-01", &s));
    ASSERT_EQ(s, 1767225600);
    record_format_date(s + 86399, d);
    ASSERT_STR_EQ(d, "2026-01-01");
    ASSERT_OK(record_parse_date("2024-02-29", 10, &days));
    ASSERT_ERR(record_parse_date("2025-02-29", 10, &days), ILONET_EINVAL);
    ASSERT_ERR(record_parse_date("2025-04-31", 10, &days), ILONET_EINVAL);
    ASSERT_ERR(record_parse_date("20250401xx", 10, &days), ILONET_EINVAL);
}

static void
record_every_kind_has_a_schema(void)
{
    const struct record_column *cols;
    size_t n = record_columns(&cols);

    /* the seed's version-1 tables (record_seed.c): kinds 1-15 */
    for (uint32_t k = 1; k <= KIND_ACTING_PRESIDENCY; k++) {
        const struct record_schema *sc = record_schema(k);
        ASSERT(sc);
        ASSERT_STR_EQ(sc->rs_name, entry_kind_name(k));
        for (size_t i = 1; i < sc->rs_nfields; i++)
            ASSERT(strcmp(sc->rs_fields[i - 1].rf_name,
                          sc->rs_fields[i].rf_name) < 0);
        for (size_t i = 0; sc->rs_is_record && i < sc->rs_nfields; i++)
            if (sc->rs_fields[i].rf_column)
                ASSERT(record_column_index(&sc->rs_fields[i]) < n);
    }
    ASSERT(record_schema_by_plural("observations"));
    ASSERT(!record_schema_by_plural("amends"));
    ASSERT(!record_schema(KIND_CHAIR));
}

/* Lists are packed whole (no 4096-byte buffer, no silent cut at 64
 * items): 64 long items go in, a 65th is refused by name. */
static void
record_lists_whole_or_refused(void)
{
    struct record_builder b;
    struct wire_buf wb;
    char list[66 * 66], why[200];
    size_t off = 0;

    for (int i = 0; i < 64; i++)
        off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%064d",
                                i ? "," : "", i);
    ASSERT(off > 4096);
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "nationality", list));
    build_ok(&b, &wb);
    /* the 64th item's bytes are in the payload */
    ASSERT(has_bytes(wb.wb_data, wb.wb_len,
                     "\xd9\x40"
                     "000000000000000000000000000000000000000000000000000000"
                     "0000000063",
                     66));
    ASSERT_OK(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                              sizeof(why)));
    snprintf(list + off, sizeof(list) - off, ",X");
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "nationality", list), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'nationality': more than 64 items");
    wire_buf_free(&wb);
}

/* A map field takes a canonical map only (the wire reader says what the
 * bytes are, not a test of the first byte). */
static void
record_raw_map_is_read_as_a_map(void)
{
    static const uint8_t arr[] = {0x91, 0x01}, map[] = {0x81, 0xa1, 'a', 0x01};
    static const uint8_t bad[] = {0x82, 0xa1, 'b', 0x01, 0xa1, 'a', 0x01};
    struct record_builder b;

    ASSERT_OK(record_builder_start(&b, V, KIND_AMEND));
    ASSERT_ERR(record_set_raw(&b, "fields", arr, sizeof(arr)), ILONET_EINVAL);
    ASSERT_ERR(record_set_raw(&b, "fields", bad, sizeof(bad)), ILONET_EINVAL);
    ASSERT_OK(record_set_raw(&b, "fields", map, sizeof(map)));
}

/* The builder names the lowest vocabulary version that reads the entry;
 * the validator judges an entry of version W as a node of version W, and
 * leaves one of a newer version unread. */
static void
record_versions_stamped_and_judged(void)
{
    struct record_builder b;
    struct record_read rr;
    struct wire_buf wb;
    struct vocab *v1 = NULL;
    msgpack_zone z;
    msgpack_object o;
    char why[200];

    ASSERT_OK(vocab_builtin("377-2004", &v1, why, sizeof(why)));
    ASSERT_OK(vocab_restrict(v1, 1, why, sizeof(why)));
    ASSERT(msgpack_zone_init(&z, 2048));
    wire_buf_init(&wb, 4096);
    /* nothing new: a version-1 entry, no key, readable everywhere */
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    build_ok(&b, &wb);
    ASSERT_EQ(b.rb_version, 1);
    ASSERT(!has_bytes(wb.wb_data, wb.wb_len, "vocab", 5));
    ASSERT_OK(record_validate(v1, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                              sizeof(why)));
    /* a version-2 field: "vocab": 2, last in key order */
    wire_buf_reset(&wb);
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "return"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "purpose", "a case"));
    ASSERT_OK(record_set(&b, "retain-until", "2026-06-30"));
    build_ok(&b, &wb);
    ASSERT_EQ(b.rb_version, 2);
    ASSERT_EQ(wb.wb_data[0], 0x85);
    ASSERT(has_bytes(wb.wb_data, wb.wb_len, "\xa5vocab\x02", 7));
    ASSERT_EQ(wb.wb_data[wb.wb_len - 1], 0x02);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(record_read(V, KIND_OBSERVATION, &o, &rr, why, sizeof(why)));
    ASSERT_EQ(rr.rr_version, 2);
    /* a node of version 1 keeps it unread */
    ASSERT_ERR(record_read(v1, KIND_OBSERVATION, &o, &rr, why, sizeof(why)),
               ILONET_EKIND);
    ASSERT_STR_EQ(why, "written under vocabulary v2 of 377-2004; this node "
                       "has v1 - upgrade to read");
    /* a version-2 field in an entry that says version 1: no effect, on
     * both nodes alike */
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 4);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "return");
    wire_pack_str(&wb, "purpose");
    wire_pack_str(&wb, "p");
    wire_pack_str(&wb, "retain-until");
    wire_pack_str(&wb, "2026-06-30");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why,
                  "field 'purpose' needs vocabulary v2, the entry says v1");
    /* "vocab": 1 is never written: no effect */
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 3);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "return");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    wire_pack_str(&wb, "vocab");
    wire_pack_uint(&wb, 1);
    ASSERT_ERR(record_validate(V, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "bad vocab version");
    /* an amendment's fields need version 2: the builder says so */
    wire_buf_reset(&wb);
    ASSERT_OK(record_builder_start_amend(&b, V, KIND_TRAINING));
    ASSERT_OK(record_set(&b, "until", "2026-05-02"));
    build_ok(&b, &wb);
    ASSERT_EQ(b.rb_version, 2);
    ASSERT(!has_bytes(wb.wb_data, wb.wb_len, "vocab", 5));
    /* a kind the vocabulary lacks: unread in a newer entry, else none */
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 1);
    wire_pack_str(&wb, "vocab");
    wire_pack_uint(&wb, 5);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_ERR(record_read(V, 40, &o, &rr, why, sizeof(why)), ILONET_EKIND);
    ASSERT(strstr(why, "kind 40 is not in vocabulary v4"));
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 0);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_ERR(record_read(V, 40, &o, &rr, why, sizeof(why)), ILONET_EINVAL);
    msgpack_zone_destroy(&z);
    wire_buf_free(&wb);
    vocab_free(v1);
}

/* Under 2019-1240: countries as ISO codes stored alpha-2 and sorted, units
 * and categories from the vocabulary. */
static void
record_countries_and_units_2019(void)
{
    struct record_builder b;
    struct wire_buf wb;
    char why[200];

    wire_buf_init(&wb, 4096);
    ASSERT_OK(record_builder_start(&b, V19, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "legislation"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "period", "2026-01-01"));
    ASSERT_OK(record_set(&b, "nationality", "SYR,AF"));
    ASSERT_OK(record_set(&b, "country", "IRQ"));
    ASSERT_ERR(record_set(&b, "unit", "bags"), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "field 'unit': unknown value 'bags' (one of "
                            "persons, incidents"));
    build_ok(&b, &wb);
    ASSERT(has_bytes(wb.wb_data, wb.wb_len,
                     "\x92\xa2"
                     "AF\xa2"
                     "SY",
                     7));
    ASSERT(has_bytes(wb.wb_data, wb.wb_len, "\xa2IQ", 3));
    ASSERT_OK(record_validate(V19, KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                              sizeof(why)));
    /* not under the seed's vocabulary */
    ASSERT_OK(record_builder_start(&b, V, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "category", "legislation"), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err,
                  "field 'category': unknown value 'legislation' (one of "
                  "flows, routes, modus-operandi, criminal-organisations, "
                  "incidents, document-fraud, assistance, return)");
    /* stored alpha-3, or unsorted, is not the canonical form */
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 4);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, "flows");
    wire_pack_str(&wb, "nationality");
    wire_pack_array(&wb, 2);
    wire_pack_str(&wb, "SY");
    wire_pack_str(&wb, "AF");
    wire_pack_str(&wb, "period");
    wire_pack_str(&wb, "2026-01-01");
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(V19, KIND_OBSERVATION, wb.wb_data, wb.wb_len,
                               why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "field 'nationality': countries not sorted or "
                       "repeated");
    /* the event date is required here */
    ASSERT_OK(record_builder_start(&b, V19, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'period': required");
    wire_buf_free(&wb);
}

/* The seed builder checks values with the vocabulary's rules and never
 * builds. */
static void
record_seed_builder_checks_only(void)
{
    struct record_builder b;
    struct wire_buf wb;

    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "period", "2026-01-01..2026-02-01"));
    ASSERT_ERR(record_set(&b, "period", "2026-01-01"), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'period': given twice");
    ASSERT_ERR(record_set(&b, "reliability", "G"), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "(one of A, B, C, D, E, F)"));
    wire_buf_init(&wb, 64);
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    wire_buf_free(&wb);
    ASSERT_ERR(record_builder_init(&b, KIND_CHAIR), ILONET_EKIND);
}

TEST_LIST = {
    TEST(record_build_is_canonical_and_sorted),
    TEST(record_states_are_a_sorted_set),
    TEST(record_errors_name_the_field),
    TEST(record_required_and_cross_field_rules),
    TEST(record_amend_fields),
    TEST(record_validate_rejects_bad_payloads),
    TEST(record_text_rules_at_every_offset),
    TEST(record_check_fields_by_schema_index),
    TEST(record_dates),
    TEST(record_every_kind_has_a_schema),
    TEST(record_lists_whole_or_refused),
    TEST(record_raw_map_is_read_as_a_map),
    TEST(record_versions_stamped_and_judged),
    TEST(record_countries_and_units_2019),
    TEST(record_seed_builder_checks_only),
};

TEST_MAIN()
