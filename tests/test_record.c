/* test_record.c - payload schemas: canonical building, validation, errors
 * that name the field. */
#include "crypto/error.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "test.h"

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

    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    /* given out of order: emitted sorted */
    ASSERT_OK(record_set(&b, "unit", "persons"));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "figure", "0"));
    ASSERT_OK(record_set(&b, "category", "routes"));
    ASSERT_OK(record_set(&b, "nationality", "SY,AF"));
    wire_buf_init(&wb, 4096);
    build_ok(&b, &wb);
    ASSERT_OK(wire_check(wb.wb_data, wb.wb_len, &WIRE_LIMITS_DEFAULT));
    ASSERT_OK(record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
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

    ASSERT_OK(record_builder_init(&b, KIND_TASK));
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
    ASSERT_OK(record_builder_init(&b, KIND_TASK));
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

        ASSERT_OK(record_builder_init(&b, cases[i].kind));
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
    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT_STR_EQ(b.rb_err, "field 'category': required");
    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "figure", "7"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "needs a unit"));
    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "on-behalf-of", "AT"));
    ASSERT_ERR(record_build(&b, &wb), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "go together"));
    ASSERT_OK(record_builder_init(&b, KIND_POSTING));
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
    ASSERT_OK(record_builder_init_amend(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "detail", "")); /* clears */
    ASSERT_OK(record_set(&b, "summary", "new"));
    build_ok(&b, &wb);
    ASSERT_OK(record_builder_init_amend(&b, KIND_OBSERVATION));
    ASSERT_ERR(record_set(&b, "summary", ""), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "cannot be cleared"));
    ASSERT_ERR(record_set(&b, "on-behalf-of", "AT"), ILONET_EINVAL);
    ASSERT(strstr(b.rb_err, "may not be amended"));
    ASSERT_OK(record_builder_init_amend(&b, KIND_TASK));
    ASSERT_ERR(record_set(&b, "for", "DE"), ILONET_EINVAL);
    ASSERT_ERR(record_builder_init_amend(&b, KIND_GRANT), ILONET_EKIND);
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
    ASSERT_ERR(record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
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
    ASSERT_ERR(record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
                               sizeof(why)),
               ILONET_EINVAL);
    ASSERT(strstr(why, "field 'secret': unknown field"));
    wire_buf_reset(&wb);
    wire_pack_map(&wb, 1);
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, "s");
    ASSERT_ERR(record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
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
    ASSERT(record_validate(KIND_OBSERVATION, wb.wb_data, wb.wb_len, why,
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
    rc = record_check(KIND_OBSERVATION, &o, why, wl);
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

/* record_check_fields hands back each field's value by schema index. */
static void
record_check_fields_by_schema_index(void)
{
    const struct record_schema *sc = record_schema(KIND_OBSERVATION);
    const msgpack_object *vals[RECORD_MAX_ITEMS];
    struct record_builder b;
    struct wire_buf wb;
    msgpack_zone z;
    msgpack_object o;
    char why[200];

    wire_buf_init(&wb, 4096);
    ASSERT(msgpack_zone_init(&z, 2048));
    ASSERT_OK(record_builder_init(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "summary", "s"));
    ASSERT_OK(record_set(&b, "category", "flows"));
    ASSERT_OK(record_set(&b, "figure", "7"));
    ASSERT_OK(record_set(&b, "unit", "persons"));
    build_ok(&b, &wb);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(
        record_check_fields(KIND_OBSERVATION, &o, vals, why, sizeof(why)));
    for (size_t i = 0; i < sc->rs_nfields; i++) {
        const char *n = sc->rs_fields[i].rf_name;
        const msgpack_object *v = vals[i];

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
    ASSERT_OK(record_builder_init_amend(&b, KIND_OBSERVATION));
    ASSERT_OK(record_set(&b, "detail", ""));
    build_ok(&b, &wb);
    ASSERT_OK(wire_unpack(wb.wb_data, wb.wb_len, &z, &o));
    ASSERT_OK(record_check_amend_fields(KIND_OBSERVATION, &o, vals, why,
                                        sizeof(why)));
    for (size_t i = 0; i < sc->rs_nfields; i++)
        if (strcmp(sc->rs_fields[i].rf_name, "detail") == 0)
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

    for (uint32_t k = 1; k < KIND_COUNT_; k++) {
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
};

TEST_MAIN()
