/* test_json.c - the one JSON codec: encoders and the flat-object parser. */
#include "crypto/error.h"
#include "crypto/json.h"
#include "test.h"

struct parsed {
    struct json_field f[JSON_FIELDS_MAX];
    size_t n;
    char *mem;
    char why[200];
    int rc;
};

static void
parse_max(struct parsed *p, const char *body, size_t max)
{
    memset(p, 0, sizeof(*p));
    p->n = 99;
    p->mem = (char *)"not touched";
    p->rc = json_parse_flat((const uint8_t *)body, strlen(body), p->f, max,
                            &p->n, &p->mem, p->why, sizeof(p->why));
    if (p->rc != 0) {
        /* a refusal hands back nothing and says why */
        ASSERT(p->mem == NULL);
        ASSERT_EQ(p->n, 0);
        ASSERT(p->why[0] != '\0');
    }
}

static void
parse(struct parsed *p, const char *body)
{
    parse_max(p, body, JSON_FIELDS_MAX);
}

static void
refused(const char *body, int code, const char *why_part)
{
    struct parsed p;

    parse(&p, body);
    if (p.rc != code)
        TEST_FAIL_("%s: got %d (%s), want %d (%s)", body, p.rc,
                   ilonet_errname(p.rc), code, ilonet_errname(code));
    if (!strstr(p.why, why_part))
        TEST_FAIL_("%s: reason \"%s\" lacks \"%s\"", body, p.why, why_part);
}

static void
parses_strings_numbers_lists_and_null(void)
{
    struct parsed p;

    parse(&p, " {\"summary\" : \"a b\", \"figure\":12, \"x\": -1.5e+3,\n"
              "\"for\":[\"FR\", \"DE\"], \"n\": [1, 2.5], \"e\": [],"
              " \"due\": null}\t");
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.n, 7);
    ASSERT_STR_EQ(p.f[0].jf_name, "summary");
    ASSERT_STR_EQ(p.f[0].jf_value, "a b");
    ASSERT_STR_EQ(p.f[1].jf_value, "12");
    ASSERT_STR_EQ(p.f[2].jf_value, "-1.5e+3");
    ASSERT_STR_EQ(p.f[3].jf_value, "FR,DE");
    ASSERT_STR_EQ(p.f[4].jf_value, "1,2.5");
    ASSERT_STR_EQ(p.f[5].jf_value, "");
    ASSERT_EQ(p.f[5].jf_null, 0);
    ASSERT_STR_EQ(p.f[6].jf_name, "due");
    ASSERT_EQ(p.f[6].jf_null, 1);
    free(p.mem);
    parse(&p, "{}");
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.n, 0);
    ASSERT(p.mem != NULL);
    free(p.mem);
}

static void
decodes_every_escape(void)
{
    struct parsed p;

    parse(&p, "{\"k\\u00e9\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
              "\"u\":\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\u007f\"}");
    ASSERT_OK(p.rc);
    ASSERT_STR_EQ(p.f[0].jf_name, "k\xc3\xa9");
    ASSERT_STR_EQ(p.f[0].jf_value, "\"\\/\b\f\n\r\t");
    ASSERT_STR_EQ(p.f[1].jf_value, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f");
    free(p.mem);
    /* raw UTF-8 passes as it is */
    parse(&p, "{\"s\":\"\xc3\xa9\xf0\x9f\x98\x80\"}");
    ASSERT_OK(p.rc);
    ASSERT_STR_EQ(p.f[0].jf_value, "\xc3\xa9\xf0\x9f\x98\x80");
    free(p.mem);
}

static void
refuses_bad_escapes(void)
{
    refused("{\"a\":\"\\u0000\"}", ILONET_EMALFORMED, "\\u0000");
    refused("{\"a\":\"\\udc00\"}", ILONET_EMALFORMED, "lone low surrogate");
    refused("{\"a\":\"\\ud800\"}", ILONET_EMALFORMED, "lone high surrogate");
    refused("{\"a\":\"\\ud800x\\udc00\"}", ILONET_EMALFORMED,
            "lone high surrogate");
    refused("{\"a\":\"\\ud800\\u0041\"}", ILONET_EMALFORMED,
            "bad surrogate pair");
    refused("{\"a\":\"\\x\"}", ILONET_EMALFORMED, "bad escape");
    refused("{\"a\":\"\\u12G4\"}", ILONET_EMALFORMED, "bad \\u escape");
    refused("{\"a\":\"\\u12", ILONET_EMALFORMED, "truncated \\u escape");
    refused("{\"a\":\"\\", ILONET_EMALFORMED, "unterminated string");
}

static void
refuses_invalid_utf8(void)
{
    refused("{\"a\":\"\xff\"}", ILONET_EMALFORMED, "not valid UTF-8");
    refused("{\"a\":\"\xc0\x80\"}", ILONET_EMALFORMED, "not valid UTF-8");
    refused("{\"a\":\"\xed\xa0\x80\"}", ILONET_EMALFORMED, "not valid UTF-8");
    refused("{\"a\":\"\xf4\x90\x80\x80\"}", ILONET_EMALFORMED,
            "not valid UTF-8");
    refused("{\"\xe2\x82\":1}", ILONET_EMALFORMED, "not valid UTF-8");
    /* outside strings too: the whole body is checked first */
    refused("\xef\xbb\xbf\xff{}", ILONET_EMALFORMED, "not valid UTF-8");
    ASSERT_EQ(json_utf8_ok((const uint8_t *)"\xc3\xa9", 2), 1);
    ASSERT_EQ(json_utf8_ok((const uint8_t *)"\xc3", 1), 0);
}

static void
refuses_duplicate_keys(void)
{
    refused("{\"a\":1,\"b\":2,\"a\":3}", ILONET_EINVAL,
            "field 'a': given twice");
    /* the same key once escaped, once not */
    refused("{\"a\":1,\"\\u0061\":2}", ILONET_EINVAL, "given twice");
}

static void
refuses_too_many_fields(void)
{
    char body[1024];
    size_t off = 0;
    struct parsed p;

    off += (size_t)snprintf(body + off, sizeof(body) - off, "{");
    for (int i = 0; i < JSON_FIELDS_MAX + 1; i++)
        off += (size_t)snprintf(body + off, sizeof(body) - off, "%s\"f%d\":%d",
                                i ? "," : "", i, i);
    snprintf(body + off, sizeof(body) - off, "}");
    refused(body, ILONET_ETOOBIG, "more than 32 fields");
    /* a caller's smaller bound, and a larger one capped */
    parse_max(&p, "{\"a\":1,\"b\":2}", 1);
    ASSERT_ERR(p.rc, ILONET_ETOOBIG);
    ASSERT(strstr(p.why, "more than 1 fields"));
    parse_max(&p, body, 1000);
    ASSERT_ERR(p.rc, ILONET_ETOOBIG);
    parse_max(&p, "{\"a\":1}", 1);
    ASSERT_OK(p.rc);
    free(p.mem);
}

static void
refuses_nesting_and_other_types(void)
{
    refused("{\"a\":{\"b\":1}}", ILONET_EINVAL,
            "field 'a': give a string, a number or a list of strings");
    refused("{\"a\":true}", ILONET_EINVAL, "field 'a': give a string");
    refused("{\"a\":false}", ILONET_EINVAL, "field 'a': give a string");
    refused("{\"a\":[[1]]}", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":[{}]}", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":[null]}", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":[\"x,y\"]}", ILONET_EINVAL,
            "field 'a': a list item contains ','");
}

static void
refuses_bad_syntax_with_the_byte_offset(void)
{
    refused("", ILONET_EMALFORMED, "at byte 0: '{' expected");
    refused("[1]", ILONET_EMALFORMED, "'{' expected");
    refused("{\"a\" 1}", ILONET_EMALFORMED, "at byte 5: ':' expected");
    refused("{a:1}", ILONET_EMALFORMED, "string expected");
    refused("{\"a\":}", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":1 \"b\":2}", ILONET_EMALFORMED, "',' or '}' expected");
    refused("{\"a\":[1 2]}", ILONET_EMALFORMED, "',' or ']' expected");
    refused("{\"a\":1}x", ILONET_EMALFORMED, "trailing bytes after the object");
    refused("{\"a\":1", ILONET_EMALFORMED, "',' or '}' expected");
    refused("{\"a\":\"x", ILONET_EMALFORMED, "unterminated string");
    refused("{\"a\":\"x\ny\"}", ILONET_EMALFORMED,
            "control character in a string");
    refused("{\"a\":-}", ILONET_EMALFORMED, "value expected");
    refused("{\"a\":12345678901234567890123456789012345678901}",
            ILONET_EMALFORMED, "number too long");
    refused("{\"a\":1,}", ILONET_EMALFORMED, "string expected");
    refused("{\"a\":nul}", ILONET_EMALFORMED, "value expected");
}

static void
encoders_escape_what_json_needs(void)
{
    struct textbuf tb = {0};

    json_str(&tb, "q\"b\\n\nr\rt\tc\x01\x1f\x7f\xc3\xa9");
    textbuf_puts(&tb, " ");
    json_str(&tb, NULL);
    textbuf_puts(&tb, " ");
    json_strn(&tb, "a\0b", 3);
    textbuf_puts(&tb, " ");
    json_hex(&tb, (const uint8_t *)"\x00\xab\xff", 3);
    ASSERT_OK(tb.tb_err);
    ASSERT_STR_EQ(tb.tb_data, "\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001f\\u007f"
                              "\xc3\xa9\" null \"a\\u0000b\" 00abff");
    textbuf_free(&tb);
}

/* What the encoder writes, the parser reads back unchanged. */
static void
encoder_output_parses_back(void)
{
    static const char *const values[] = {
        "plain",
        "q\"b\\",
        "\n\r\t\b\f",
        "\x01\x1f\x7f",
        "\xc3\xa9\xf0\x9f\x98\x80",
        "",
        "a,b",
    };
    struct textbuf tb = {0};
    struct parsed p;
    size_t nv = sizeof(values) / sizeof(values[0]);

    textbuf_puts(&tb, "{");
    for (size_t i = 0; i < nv; i++) {
        char name[8];

        snprintf(name, sizeof(name), "k%zu", i);
        if (i)
            textbuf_puts(&tb, ",");
        json_str(&tb, name);
        textbuf_puts(&tb, ":");
        json_str(&tb, values[i]);
    }
    textbuf_puts(&tb, "}");
    parse(&p, tb.tb_data);
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.n, nv);
    for (size_t i = 0; i < nv; i++)
        ASSERT_STR_EQ(p.f[i].jf_value, values[i]);
    free(p.mem);
    textbuf_free(&tb);
}

/* json_parse_rows: the rows of a status file, in order, with booleans and
 * nulls; refusals name the byte; a callback's stop comes back. */
struct rows_seen {
    size_t n;
    char text[1024];
    int stop_at; /* > 0: return 7 at this row */
};

static int
rows_seen_row(void *arg, const struct json_field *f, size_t n)
{
    struct rows_seen *r = arg;
    size_t off = strlen(r->text);

    if (r->stop_at && (int)r->n + 1 == r->stop_at)
        return 7;
    r->n++;
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(r->text + off, sizeof(r->text) - off,
                                "%s=%s%s;", f[i].jf_name,
                                f[i].jf_null ? "(null)" : "", f[i].jf_value);
    snprintf(r->text + off, sizeof(r->text) - off, "|");
    return 0;
}

static int
rows(const char *text, struct rows_seen *r, char *why, size_t wl)
{
    memset(r, 0, sizeof(*r));
    return json_parse_rows((const uint8_t *)text, strlen(text), rows_seen_row,
                           r, why, wl);
}

static void
rows_parse_status_arrays(void)
{
    struct rows_seen r;
    char why[200];

    ASSERT_OK(rows(" [ ] ", &r, why, sizeof(why)));
    ASSERT_EQ(r.n, 0);
    ASSERT_OK(rows("[{\"addr\":\"tcp://127.0.0.1:7402\",\"connected\":true,"
                   "\"banned\":false,\"last_sync_ms\":null,\"strikes\":3,"
                   "\"x\":-1.5e3},{},{\"s\":\"a\\u00e9\\n\"}]",
                   &r, why, sizeof(why)));
    ASSERT_EQ(r.n, 3);
    ASSERT_STR_EQ(r.text, "addr=tcp://127.0.0.1:7402;connected=true;"
                          "banned=false;last_sync_ms=(null);strikes=3;"
                          "x=-1.5e3;||s=a\xc3\xa9\n;|");

    /* a flat object, a nested value, a repeat, trailing bytes: refused */
    ASSERT_ERR(rows("{\"a\":1}", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT(strstr(why, "at byte 0: '[' expected"));
    ASSERT_ERR(rows("[{\"a\":[1]}]", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT(strstr(why, "a nested value"));
    ASSERT_ERR(rows("[{\"a\":1,\"a\":2}]", &r, why, sizeof(why)),
               ILONET_EMALFORMED);
    ASSERT_ERR(rows("[{\"a\":1}] x", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT(strstr(why, "trailing bytes"));
    ASSERT_ERR(rows("[{\"a\":1}", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT_ERR(rows("[{\"a\":tru}]", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT_ERR(rows("[\"\xff\"]", &r, why, sizeof(why)), ILONET_EMALFORMED);
    ASSERT(strstr(why, "UTF-8"));
    /* rows before a bad one were delivered; a stop comes back as it is */
    ASSERT_ERR(rows("[{\"a\":1},{\"b\":}]", &r, why, sizeof(why)),
               ILONET_EMALFORMED);
    ASSERT_EQ(r.n, 1);
    memset(&r, 0, sizeof(r));
    r.stop_at = 2;
    ASSERT_EQ(json_parse_rows((const uint8_t *)"[{},{},{}]", 10, rows_seen_row,
                              &r, NULL, 0),
              7);
    ASSERT_EQ(r.n, 1);
}

TEST_LIST = {
    TEST(parses_strings_numbers_lists_and_null),
    TEST(decodes_every_escape),
    TEST(refuses_bad_escapes),
    TEST(refuses_invalid_utf8),
    TEST(refuses_duplicate_keys),
    TEST(refuses_too_many_fields),
    TEST(refuses_nesting_and_other_types),
    TEST(refuses_bad_syntax_with_the_byte_offset),
    TEST(encoders_escape_what_json_needs),
    TEST(encoder_output_parses_back),
    TEST(rows_parse_status_arrays),
};
TEST_MAIN()
