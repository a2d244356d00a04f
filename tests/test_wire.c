/* test_wire.c - the canonical msgpack reader (wire_rd_*) and the UTF-8 rule. */
#include "crypto/error.h"
#include "crypto/wire.h"
#include "test.h"

static const struct wire_limits lim = {1 << 20, 8, 1 << 16};

#define RD(r, bytes, code)                                                     \
    wire_rd_init((r), (const uint8_t *)(bytes), sizeof(bytes) - 1, (code))

static void
reads_back_every_type_the_packer_writes(void)
{
    static const int64_t ints[] = {
        -1,     -32,    -33,           -128,          -129,
        -32768, -32769, -2147483648LL, -2147483649LL, INT64_MIN};
    static const uint64_t uints[] = {
        0,     127,   128,         255,          256,
        65535, 65536, 0xffffffffu, 0x100000000u, UINT64_MAX};
    static const size_t lens[] = {0, 31, 32, 255, 256, 65535, 65536};
    static uint8_t blob[70000];
    struct wire_buf wb;
    struct wire_rd r;
    const uint8_t *b;
    const char *s;
    size_t n;
    uint64_t u;
    int64_t i;
    int v;

    memset(blob, 'x', sizeof(blob));
    wire_buf_init(&wb, 1 << 20);
    wire_pack_array(&wb, 3 + 10 + 10 + 2 * 7);
    wire_pack_nil(&wb);
    wire_pack_bool(&wb, 1);
    wire_pack_bool(&wb, 0);
    for (size_t k = 0; k < 10; k++)
        wire_pack_int(&wb, ints[k]);
    for (size_t k = 0; k < 10; k++)
        wire_pack_uint(&wb, uints[k]);
    for (size_t k = 0; k < 7; k++) {
        wire_pack_strn(&wb, (const char *)blob, lens[k]);
        wire_pack_bin(&wb, blob, lens[k]);
    }
    ASSERT_OK(wb.wb_err);
    ASSERT_OK(wire_check(wb.wb_data, wb.wb_len, &lim));

    wire_rd_init(&r, wb.wb_data, wb.wb_len, ILONET_EPROTO);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_ARRAY);
    ASSERT_OK(wire_rd_array_n(&r, 37));
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_NIL);
    ASSERT_OK(wire_rd_nil(&r));
    ASSERT_OK(wire_rd_bool(&r, &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(wire_rd_bool(&r, &v));
    ASSERT_EQ(v, 0);
    for (size_t k = 0; k < 10; k++) {
        ASSERT_EQ(wire_rd_peek(&r), WIRE_T_INT);
        ASSERT_OK(wire_rd_int(&r, &i));
        ASSERT(i == ints[k]);
    }
    for (size_t k = 0; k < 10; k++) {
        ASSERT_EQ(wire_rd_peek(&r), WIRE_T_UINT);
        ASSERT_OK(wire_rd_uint(&r, &u));
        ASSERT(u == uints[k]);
    }
    for (size_t k = 0; k < 7; k++) {
        ASSERT_EQ(wire_rd_peek(&r), WIRE_T_STR);
        ASSERT_OK(wire_rd_str(&r, &s, &n));
        ASSERT_EQ(n, lens[k]);
        ASSERT(n == 0 || s[n - 1] == 'x');
        ASSERT_EQ(wire_rd_peek(&r), WIRE_T_BIN);
        ASSERT_OK(wire_rd_bin(&r, &b, &n));
        ASSERT_EQ(n, lens[k]);
    }
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_END);
    ASSERT_EQ(wire_rd_left(&r), 0);
    ASSERT_OK(wire_rd_done(&r));
    wire_buf_free(&wb);
}

static void
reads_maps_keys_and_fixed_bins(void)
{
    struct wire_buf wb;
    struct wire_rd r;
    uint8_t id[4], big[5];
    uint64_t n, u;

    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 2);
    wire_pack_str(&wb, "cert");
    wire_pack_bin(&wb, (const uint8_t *)"\1\2\3\4", 4);
    wire_pack_str(&wb, "seq");
    wire_pack_uint(&wb, 7);
    ASSERT_OK(wire_check(wb.wb_data, wb.wb_len, &lim));
    wire_rd_init(&r, wb.wb_data, wb.wb_len, ILONET_EMALFORMED);
    ASSERT_ERR(wire_rd_map_n(&r, 3), ILONET_EMALFORMED);
    ASSERT_OK(wire_rd_map(&r, &n));
    ASSERT_EQ(n, 2);
    ASSERT_ERR(wire_rd_key(&r, "cer"), ILONET_EMALFORMED);
    ASSERT_ERR(wire_rd_key(&r, "certs"), ILONET_EMALFORMED);
    ASSERT_OK(wire_rd_key(&r, "cert"));
    ASSERT_ERR(wire_rd_bin_fixed(&r, big, 5), ILONET_EMALFORMED);
    ASSERT_OK(wire_rd_bin_fixed(&r, id, 4));
    ASSERT_MEM_EQ(id, "\1\2\3\4", 4);
    ASSERT_OK(wire_rd_key(&r, "seq"));
    ASSERT_OK(wire_rd_uint(&r, &u));
    ASSERT_EQ(u, 7);
    ASSERT_OK(wire_rd_done(&r));
    wire_buf_free(&wb);
}

/* Every non-shortest header and integer is refused by the reader itself,
 * not only by wire_check(), and leaves the cursor where it was. */
static void
refuses_non_shortest_forms(void)
{
    struct wire_rd r;
    const char *s;
    const uint8_t *b;
    uint64_t u;
    int64_t i;
    size_t n;

    RD(&r, "\xcc\x05", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_ENONCANON);
    ASSERT_EQ(wire_rd_left(&r), 2);
    RD(&r, "\xcd\x00\xff", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_ENONCANON);
    RD(&r, "\xce\x00\x00\xff\xff", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_ENONCANON);
    RD(&r, "\xcf\x00\x00\x00\x00\xff\xff\xff\xff", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_ENONCANON);
    RD(&r, "\xd0\xff", ILONET_EPROTO); /* -1 belongs in a fixint */
    ASSERT_ERR(wire_rd_int(&r, &i), ILONET_ENONCANON);
    RD(&r, "\xd0\x05", ILONET_EPROTO); /* non-negative: a uint format */
    ASSERT_ERR(wire_rd_int(&r, &i), ILONET_ENONCANON);
    RD(&r, "\xd1\xff\x80", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_int(&r, &i), ILONET_ENONCANON);
    RD(&r, "\xd3\xff\xff\xff\xff\x80\x00\x00\x00", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_int(&r, &i), ILONET_ENONCANON);
    RD(&r,
       "\xd9\x03"
       "abc",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_str(&r, &s, &n), ILONET_ENONCANON);
    RD(&r,
       "\xc5\x00\x03"
       "abc",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin(&r, &b, &n), ILONET_ENONCANON);
    RD(&r, "\xdc\x00\x01\xc0", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_array(&r, &u), ILONET_ENONCANON);
    RD(&r,
       "\xde\x00\x01\xa1"
       "a\xc0",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_map(&r, &u), ILONET_ENONCANON);
    ASSERT_EQ(wire_rd_left(&r), 6);
}

static void
refuses_truncation_inside_the_buffer(void)
{
    struct wire_rd r;
    const char *s;
    const uint8_t *b;
    uint8_t out[4];
    uint64_t u;
    size_t n;

    wire_rd_init(&r, (const uint8_t *)"", 0, ILONET_EPROTO);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_END);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_EMALFORMED);
    RD(&r, "\xcd\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_EMALFORMED);
    RD(&r,
       "\xa5"
       "abc",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_str(&r, &s, &n), ILONET_EMALFORMED);
    RD(&r, "\xc4\x05\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin(&r, &b, &n), ILONET_EMALFORMED);
    RD(&r, "\xc4\x04\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin_fixed(&r, out, 4), ILONET_EMALFORMED);
    RD(&r, "\xc6\xff\xff\xff\xff", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin(&r, &b, &n), ILONET_EMALFORMED);
    RD(&r, "\xdd\x00\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_array(&r, &u), ILONET_EMALFORMED);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_ARRAY);
    RD(&r,
       "\xa3"
       "ab",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_key(&r, "abc"), ILONET_EMALFORMED);
}

/* A value of another type or size is the caller's code, so the sync
 * protocol reports EPROTO and the stored formats EMALFORMED. */
static void
wrong_type_is_the_callers_code(void)
{
    struct wire_rd r;
    const char *s;
    const uint8_t *b;
    uint8_t out[2];
    uint64_t u;
    int64_t i;
    size_t n;
    int v;

    RD(&r,
       "\xa1"
       "a",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin(&r, &b, &n), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_nil(&r), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bool(&r, &v), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_array(&r, &u), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_map(&r, &u), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_key(&r, "b"), ILONET_EPROTO);
    ASSERT_OK(wire_rd_key(&r, "a"));
    RD(&r, "\xff", ILONET_EMALFORMED); /* -1 */
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_EMALFORMED);
    ASSERT_ERR(wire_rd_str(&r, &s, &n), ILONET_EMALFORMED);
    RD(&r, "\xcf\x80\x00\x00\x00\x00\x00\x00\x00", ILONET_EKIND);
    ASSERT_ERR(wire_rd_int(&r, &i), ILONET_EKIND); /* above INT64_MAX */
    ASSERT_OK(wire_rd_uint(&r, &u));
    ASSERT(u == 0x8000000000000000ULL);
    RD(&r, "\xc4\x03\x01\x02\x03", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_bin_fixed(&r, out, 2), ILONET_EPROTO);
    RD(&r, "\x92\x01\x02", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_array_n(&r, 3), ILONET_EPROTO);
    ASSERT_OK(wire_rd_array_n(&r, 2));
    /* float, ext and 0xc1 have a type, and no reader takes it */
    RD(&r, "\xca\x00\x00\x00\x00", ILONET_EPROTO);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_OTHER);
    ASSERT_ERR(wire_rd_uint(&r, &u), ILONET_EPROTO);
    ASSERT_ERR(wire_rd_skip(&r), ILONET_EMALFORMED);
    RD(&r, "\xd4\x01\x02", ILONET_EPROTO);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_OTHER);
    RD(&r, "\xc1", ILONET_EPROTO);
    ASSERT_EQ(wire_rd_peek(&r), WIRE_T_OTHER);
}

static void
done_refuses_trailing_bytes(void)
{
    struct wire_rd r;
    uint64_t u;

    RD(&r, "\x01\x02", ILONET_EPROTO);
    ASSERT_OK(wire_rd_uint(&r, &u));
    ASSERT_ERR(wire_rd_done(&r), ILONET_EMALFORMED);
    ASSERT_EQ(wire_rd_left(&r), 1);
    ASSERT_OK(wire_rd_uint(&r, &u));
    ASSERT_OK(wire_rd_done(&r));
}

static void
skip_walks_containers_and_refuses_count_lies(void)
{
    struct wire_rd r;
    uint64_t u;

    /* [1, {"a": [nil, "xy"]}, bin(2)], then 9 */
    RD(&r,
       "\x93\x01\x81\xa1"
       "a\x92\xc0\xa2"
       "xy\xc4\x02zz\x09",
       ILONET_EPROTO);
    ASSERT_OK(wire_rd_skip(&r));
    ASSERT_OK(wire_rd_uint(&r, &u));
    ASSERT_EQ(u, 9);
    ASSERT_OK(wire_rd_done(&r));
    /* four billion elements declared in nine bytes: refused at once */
    RD(&r, "\xdd\xff\xff\xff\xff\x01\x02\x03\x04", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_skip(&r), ILONET_EMALFORMED);
    ASSERT_EQ(wire_rd_left(&r), 9);
    RD(&r, "\xdf\x00\x01\x00\x00\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_skip(&r), ILONET_EMALFORMED);
    RD(&r,
       "\x92\xa5"
       "ab",
       ILONET_EPROTO);
    ASSERT_ERR(wire_rd_skip(&r), ILONET_EMALFORMED);
    RD(&r, "\x91\xcc\x01", ILONET_EPROTO);
    ASSERT_ERR(wire_rd_skip(&r), ILONET_ENONCANON);
}

static void
utf8_rule_is_rfc3629(void)
{
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"plain ascii", 1},
        {"\xc3\xa9", 1},         /* é */
        {"\xe2\x82\xac", 1},     /* € */
        {"\xf0\x9f\x98\x80", 1}, /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 1}, /* U+10FFFF */
        {"\xc0\x80", 0},         /* overlong NUL */
        {"\xc1\xbf", 0},         /* overlong */
        {"\xe0\x80\x80", 0},     /* overlong */
        {"\xf0\x80\x80\x80", 0}, /* overlong */
        {"\xed\xa0\x80", 0},     /* surrogate U+D800 */
        {"\xed\xbf\xbf", 0},     /* surrogate U+DFFF */
        {"\xf4\x90\x80\x80", 0}, /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 0},
        {"\xff", 0},
        {"\x80", 0},     /* stray continuation */
        {"\xe2\x82", 0}, /* truncated */
        {"a\xc3", 0},
        {"\xe2\x28\xa1", 0}, /* bad continuation */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (wire_utf8_ok((const uint8_t *)cases[i].s, strlen(cases[i].s)) !=
            cases[i].ok)
            TEST_FAIL_("case %zu: want %d", i, cases[i].ok);
    /* an embedded NUL is a character like any other */
    ASSERT_EQ(wire_utf8_ok((const uint8_t *)"a\0b", 3), 1);
    ASSERT_EQ(wire_utf8_ok(NULL, 0), 1);
    /* The same verdicts with ASCII before and after, at every offset
     * across two 8-byte words: ASCII is checked a word at a time, so a
     * sequence that straddles, starts or ends a word must not slip. */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].s);

        for (size_t pre = 0; pre <= 16; pre++) {
            for (size_t post = 0; post <= 9; post++) {
                uint8_t buf[40];

                memset(buf, 'x', sizeof(buf));
                memcpy(buf + pre, cases[i].s, len);
                if (wire_utf8_ok(buf, pre + len + post) != cases[i].ok)
                    TEST_FAIL_("case %zu at %zu+%zu: want %d", i, pre, post,
                               cases[i].ok);
            }
        }
    }
}

/* wire_check() applies the same rule to every str, keys included. */
static void
check_and_reader_agree_on_strings(void)
{
    struct wire_rd r;
    const char *s;
    size_t n;

    ASSERT_ERR(wire_check((const uint8_t *)"\xa2\xc3\x28", 3, &lim),
               ILONET_EMALFORMED);
    ASSERT_OK(wire_check((const uint8_t *)"\xa2\xc3\xa9", 3, &lim));
    ASSERT_ERR(wire_check((const uint8_t *)"\x81\xa1\xff\x01", 4, &lim),
               ILONET_EMALFORMED);
    /* the reader leaves UTF-8 to wire_check(): it reads the bytes as given */
    RD(&r, "\xa2\xc3\x28", ILONET_EPROTO);
    ASSERT_OK(wire_rd_str(&r, &s, &n));
    ASSERT_EQ(n, 2);
}

TEST_LIST = {
    TEST(reads_back_every_type_the_packer_writes),
    TEST(reads_maps_keys_and_fixed_bins),
    TEST(refuses_non_shortest_forms),
    TEST(refuses_truncation_inside_the_buffer),
    TEST(wrong_type_is_the_callers_code),
    TEST(done_refuses_trailing_bytes),
    TEST(skip_walks_containers_and_refuses_count_lies),
    TEST(utf8_rule_is_rfc3629),
    TEST(check_and_reader_agree_on_strings),
};
TEST_MAIN()
