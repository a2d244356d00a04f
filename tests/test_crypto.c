/* test_crypto.c - hashing, keys and key files, canonical msgpack, certificates. */
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/cert.h"
#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/wire.h"
#include "storage/entry.h"
#include "test.h"

static const struct wire_limits lim = {4096, 4, 256};

static void
hash_is_domain_separated(void)
{
    uint8_t a[HASH_LEN], b[HASH_LEN], c[HASH_LEN];

    hash_buf(HASH_CTX_ENTRY_ID, "abc", 3, a);
    hash_buf(HASH_CTX_PAYLOAD, "abc", 3, b);
    hash_buf(HASH_CTX_ENTRY_ID, "abc", 3, c);
    ASSERT(memcmp(a, b, HASH_LEN) != 0);
    ASSERT_MEM_EQ(a, c, HASH_LEN);
}

static void
hash_hex_round_trip(void)
{
    uint8_t in[4] = {0x00, 0xab, 0x7f, 0xff}, out[4];
    char hex[9];

    hash_hex(in, 4, hex);
    ASSERT_STR_EQ(hex, "00ab7fff");
    ASSERT_OK(hash_unhex(hex, out, 4));
    ASSERT_MEM_EQ(in, out, 4);
    ASSERT_ERR(hash_unhex("00ab7ff", out, 4), ILONET_EINVAL);
    ASSERT_ERR(hash_unhex("00ab7fzz", out, 4), ILONET_EINVAL);
}

static void
signature_is_bound_to_context(void)
{
    struct key_pair kp;
    uint8_t sig[KEY_SIG_LEN];

    ASSERT_OK(key_global_init());
    ASSERT_OK(key_generate(&kp, KEY_NODE, NULL));
    ASSERT_OK(key_sign(&kp, SIG_CTX_ENTRY, (const uint8_t *)"m", 1, sig));
    ASSERT_OK(key_verify(kp.pk, SIG_CTX_ENTRY, (const uint8_t *)"m", 1, sig));
    ASSERT_ERR(key_verify(kp.pk, SIG_CTX_CERT, (const uint8_t *)"m", 1, sig),
               ILONET_EBADSIG);
    ASSERT_ERR(key_verify(kp.pk, SIG_CTX_ENTRY, (const uint8_t *)"n", 1, sig),
               ILONET_EBADSIG);
    sig[10] ^= 1;
    ASSERT_ERR(key_verify(kp.pk, SIG_CTX_ENTRY, (const uint8_t *)"m", 1, sig),
               ILONET_EBADSIG);
}

static void
key_file_round_trip_and_mode(void)
{
    char *dir = test_tmpdir("key"), path[600];
    struct key_pair kp, back;

    ASSERT_OK(key_global_init());
    snprintf(path, sizeof(path), "%s/de.key", dir);
    ASSERT_OK(key_generate(&kp, KEY_STATE, "DE"));
    ASSERT_OK(key_save(path, &kp));
    struct stat st;
    ASSERT_OK(stat(path, &st));
    ASSERT_EQ(st.st_mode & 0777, 0600);
    ASSERT_OK(key_load(path, &back));
    ASSERT_MEM_EQ(kp.pk, back.pk, KEY_PK_LEN);
    ASSERT_MEM_EQ(kp.sk, back.sk, KEY_SK_LEN);
    ASSERT_EQ(back.kind, KEY_STATE);
    ASSERT_STR_EQ(back.state, "DE");
    /* never overwrite a key */
    ASSERT_ERR(key_save(path, &kp), ILONET_EEXIST);
    free(dir);
}

static void
key_file_readable_by_others_is_refused(void)
{
    char *dir = test_tmpdir("keymode"), path[600];
    struct key_pair kp, back;

    ASSERT_OK(key_global_init());
    snprintf(path, sizeof(path), "%s/node.key", dir);
    ASSERT_OK(key_generate(&kp, KEY_NODE, NULL));
    ASSERT_OK(key_save(path, &kp));
    ASSERT_OK(chmod(path, 0644));
    ASSERT_ERR(key_load(path, &back), ILONET_EPERM);
    ASSERT_OK(chmod(path, 0640));
    ASSERT_ERR(key_load(path, &back), ILONET_EPERM);
    ASSERT_OK(chmod(path, 0600));
    ASSERT_OK(key_load(path, &back));
    free(dir);
}

static void
key_file_malformed_is_refused(void)
{
    char *dir = test_tmpdir("keybad"), path[600];
    struct key_pair back;
    FILE *f;

    snprintf(path, sizeof(path), "%s/bad.key", dir);
    f = fopen(path, "w");
    fputs("kind node\nseed 1234\n", f);
    fclose(f);
    chmod(path, 0600);
    ASSERT_ERR(key_load(path, &back), ILONET_EMALFORMED);
    snprintf(path, sizeof(path), "%s/missing.key", dir);
    ASSERT_ERR(key_load(path, &back), ILONET_ENOTFOUND);
    free(dir);
}

static void
wire_accepts_canonical(void)
{
    struct wire_buf wb;

    wire_buf_init(&wb, 4096);
    wire_pack_map(&wb, 3);
    wire_pack_str(&wb, "a");
    wire_pack_uint(&wb, 300);
    wire_pack_str(&wb, "b");
    wire_pack_int(&wb, -5000);
    wire_pack_str(&wb, "bb");
    wire_pack_array(&wb, 2);
    wire_pack_bin(&wb, (const uint8_t *)"xyz", 3);
    wire_pack_nil(&wb);
    ASSERT_OK(wb.wb_err);
    ASSERT_OK(wire_check(wb.wb_data, wb.wb_len, &lim));
    wire_buf_free(&wb);
}

static void
wire_rejects_non_minimal_integers(void)
{
    static const uint8_t u8small[] = {0xcc, 0x05};
    static const uint8_t u16small[] = {0xcd, 0x00, 0xff};
    static const uint8_t u32small[] = {0xce, 0x00, 0x00, 0xff, 0xff};
    static const uint8_t u64small[] = {0xcf, 0, 0, 0, 0, 0xff, 0xff, 0xff,
                                       0xff};
    static const uint8_t i8pos[] = {0xd0, 0x05};
    static const uint8_t i8fix[] = {0xd0, 0xf0};
    static const uint8_t i16small[] = {0xd1, 0xff, 0x80};
    static const uint8_t ok8[] = {0xcc, 0x80};
    static const uint8_t oki8[] = {0xd0, 0xdf};

    ASSERT_ERR(wire_check(u8small, sizeof(u8small), &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(u16small, sizeof(u16small), &lim),
               ILONET_ENONCANON);
    ASSERT_ERR(wire_check(u32small, sizeof(u32small), &lim),
               ILONET_ENONCANON);
    ASSERT_ERR(wire_check(u64small, sizeof(u64small), &lim),
               ILONET_ENONCANON);
    ASSERT_ERR(wire_check(i8pos, sizeof(i8pos), &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(i8fix, sizeof(i8fix), &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(i16small, sizeof(i16small), &lim),
               ILONET_ENONCANON);
    ASSERT_OK(wire_check(ok8, sizeof(ok8), &lim));
    ASSERT_OK(wire_check(oki8, sizeof(oki8), &lim));
}

static void
wire_rejects_non_minimal_lengths(void)
{
    static const uint8_t str8short[] = {0xd9, 0x01, 'a'};
    static const uint8_t bin16short[] = {0xc5, 0x00, 0x01, 'a'};
    static const uint8_t arr16short[] = {0xdc, 0x00, 0x01, 0x01};
    static const uint8_t map16short[] = {0xde, 0x00, 0x00};

    ASSERT_ERR(wire_check(str8short, 3, &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(bin16short, 4, &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(arr16short, 4, &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(map16short, 3, &lim), ILONET_ENONCANON);
}

static void
wire_rejects_unsorted_and_duplicate_keys(void)
{
    static const uint8_t unsorted[] = {0x82, 0xa1, 'b', 0x01, 0xa1, 'a', 0x02};
    static const uint8_t dup[] = {0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02};
    static const uint8_t prefix[] = {0x82, 0xa2, 'a', 'b', 0x01, 0xa1, 'a',
                                     0x02};
    static const uint8_t intkey[] = {0x81, 0x01, 0x02};

    ASSERT_ERR(wire_check(unsorted, sizeof(unsorted), &lim),
               ILONET_ENONCANON);
    ASSERT_ERR(wire_check(dup, sizeof(dup), &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(prefix, sizeof(prefix), &lim), ILONET_ENONCANON);
    ASSERT_ERR(wire_check(intkey, sizeof(intkey), &lim), ILONET_ENONCANON);
}

static void
wire_rejects_count_bombs_before_msgpack(void)
{
    /* array32 declaring 2^32-1 elements in 5 bytes: msgpack-c would
     * allocate ~100 GB; the pre-scan refuses it. */
    static const uint8_t bomb[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t mapbomb[] = {0xdf, 0x00, 0x10, 0x00, 0x00, 0x01};
    static const uint8_t strlong[] = {0xdb, 0x7f, 0xff, 0xff, 0xff, 'a'};
    static const uint8_t bigok[] = {0xdc, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0};

    ASSERT_ERR(wire_check(bomb, sizeof(bomb), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(mapbomb, sizeof(mapbomb), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(strlong, sizeof(strlong), &lim), ILONET_ETOOBIG);
    ASSERT_OK(wire_check(bigok, sizeof(bigok), &lim));
}

static void
wire_bounds_depth_and_items(void)
{
    uint8_t deep[64];
    struct wire_limits small = {4096, 4, 3};
    static const uint8_t four[] = {0x94, 1, 2, 3, 4};

    memset(deep, 0x91, sizeof(deep));
    deep[63] = 0x01;
    ASSERT_ERR(wire_check(deep, sizeof(deep), &lim), ILONET_ETOODEEP);
    ASSERT_ERR(wire_check(four, sizeof(four), &small), ILONET_ETOOBIG);
}

static void
wire_rejects_floats_ext_truncation_and_trailing(void)
{
    static const uint8_t f32[] = {0xca, 0, 0, 0, 0};
    static const uint8_t ext[] = {0xd4, 0x01, 0x00};
    static const uint8_t c1[] = {0xc1};
    static const uint8_t trunc[] = {0x92, 0x01};
    static const uint8_t trail[] = {0x01, 0x02};
    static const uint8_t badutf[] = {0xa2, 0xc3, 0x28};
    static const uint8_t overlong[] = {0xa2, 0xc0, 0x80};

    ASSERT_ERR(wire_check(f32, sizeof(f32), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(ext, sizeof(ext), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(c1, sizeof(c1), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(trunc, sizeof(trunc), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(trail, sizeof(trail), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(badutf, sizeof(badutf), &lim), ILONET_EMALFORMED);
    ASSERT_ERR(wire_check(overlong, sizeof(overlong), &lim),
               ILONET_EMALFORMED);
}

static void
wire_unpack_after_check(void)
{
    static const uint8_t m[] = {0x82, 0xa1, 'a', 0x05, 0xa1, 'b', 0xc4, 0x02,
                                'h', 'i'};
    msgpack_zone z;
    msgpack_object o;
    uint64_t v;
    const uint8_t *p;
    size_t n;

    ASSERT_OK(wire_check(m, sizeof(m), &lim));
    msgpack_zone_init(&z, 256);
    ASSERT_OK(wire_unpack(m, sizeof(m), &z, &o));
    ASSERT_OK(wire_get_uint(wire_map_get(&o, "a"), &v));
    ASSERT_EQ(v, 5);
    ASSERT_OK(wire_get_bin(wire_map_get(&o, "b"), &p, &n));
    ASSERT_EQ(n, 2);
    ASSERT(wire_map_get(&o, "c") == NULL);
    ASSERT_ERR(wire_get_uint(wire_map_get(&o, "b"), &v), ILONET_EMALFORMED);
    msgpack_zone_destroy(&z);
}

/* ---- certificates ---- */

struct fixture {
    struct key_pair de, fr, xx, node;
    struct roster ros;
    uint8_t net[NET_ID_LEN], other[NET_ID_LEN];
};

static void
fixture_init(struct fixture *f)
{
    ASSERT_OK(key_global_init());
    ASSERT_OK(key_generate(&f->de, KEY_STATE, "DE"));
    ASSERT_OK(key_generate(&f->fr, KEY_STATE, "FR"));
    ASSERT_OK(key_generate(&f->xx, KEY_STATE, "XX"));
    ASSERT_OK(key_generate(&f->node, KEY_NODE, NULL));
    memset(&f->ros, 0, sizeof(f->ros));
    ASSERT_OK(roster_add(&f->ros, "DE", f->de.pk));
    ASSERT_OK(roster_add(&f->ros, "FR", f->fr.pk));
    memset(f->net, 1, NET_ID_LEN);
    memset(f->other, 2, NET_ID_LEN);
}

static struct cert
make_cert(const struct fixture *f, const char *state)
{
    struct cert c;
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", state);
    memcpy(c.c_node, f->node.pk, KEY_PK_LEN);
    c.c_role = ROLE_ILO;
    c.c_not_before = 1000;
    c.c_not_after = 2000;
    c.c_serial = 7;
    return c;
}

static void
cert_issue_verify_round_trip(void)
{
    struct fixture f;
    struct cert c, back;
    uint8_t *buf;
    size_t len;

    fixture_init(&f);
    c = make_cert(&f, "DE");
    ASSERT_OK(cert_issue(&c, &f.de, &buf, &len));
    ASSERT_OK(cert_verify(buf, len, &f.ros, f.net, &back));
    ASSERT_STR_EQ(back.c_state, "DE");
    ASSERT_MEM_EQ(back.c_node, f.node.pk, KEY_PK_LEN);
    ASSERT_EQ(back.c_role, ROLE_ILO);
    ASSERT_EQ(back.c_not_after, 2000);
    ASSERT_OK(cert_valid_at(&back, 1500));
    ASSERT_ERR(cert_valid_at(&back, 999), ILONET_EEXPIRED);
    ASSERT_ERR(cert_valid_at(&back, 2001), ILONET_EEXPIRED);
    free(buf);
}

static void
cert_failures_have_exact_codes(void)
{
    struct fixture f;
    struct cert c, back;
    uint8_t *buf;
    size_t len;

    fixture_init(&f);
    c = make_cert(&f, "DE");
    ASSERT_OK(cert_issue(&c, &f.de, &buf, &len));
    ASSERT_ERR(cert_verify(buf, len, &f.ros, f.other, &back),
               ILONET_ENETWORK);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        ASSERT(cert_verify(buf, len, &f.ros, f.net, &back) != 0);
        buf[i] ^= 0x01;
    }
    for (size_t i = 0; i < len; i++)
        ASSERT(cert_verify(buf, i, &f.ros, f.net, &back) != 0);
    free(buf);
    /* a state not in the roster */
    c = make_cert(&f, "XX");
    ASSERT_OK(cert_issue(&c, &f.xx, &buf, &len));
    ASSERT_ERR(cert_verify(buf, len, &f.ros, f.net, &back),
               ILONET_EUNKNOWNAUTHOR);
    free(buf);
    /* signed by another state's root key: refused at issue time... */
    c = make_cert(&f, "DE");
    ASSERT_ERR(cert_issue(&c, &f.fr, &buf, &len), ILONET_EINVAL);
    /* ...and a forged one (FR root signing a DE body) fails to verify */
    struct key_pair forged = f.fr;
    snprintf(forged.state, sizeof(forged.state), "DE");
    ASSERT_OK(cert_issue(&c, &forged, &buf, &len));
    ASSERT_ERR(cert_verify(buf, len, &f.ros, f.net, &back), ILONET_EBADSIG);
    free(buf);
}

static void
grant_and_revocation_round_trip(void)
{
    struct fixture f;
    struct grant g, gb;
    struct revocation v, vb;
    uint8_t *buf;
    size_t len;

    fixture_init(&f);
    memset(&g, 0, sizeof(g));
    memcpy(g.g_network, f.net, NET_ID_LEN);
    strcpy(g.g_represented, "FR");
    strcpy(g.g_representing, "DE");
    g.g_nscope = 1;
    strcpy(g.g_scope[0], "observation");
    g.g_not_before = 10;
    g.g_not_after = 20;
    ASSERT_OK(grant_issue(&g, &f.fr, &buf, &len));
    ASSERT_OK(grant_verify(buf, len, &f.ros, f.net, &gb));
    ASSERT_STR_EQ(gb.g_representing, "DE");
    ASSERT_EQ(gb.g_nscope, 1);
    ASSERT_STR_EQ(gb.g_scope[0], "observation");
    ASSERT_ERR(grant_verify(buf, len, &f.ros, f.other, &gb), ILONET_ENETWORK);
    free(buf);
    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_NODE;
    memcpy(v.v_network, f.net, NET_ID_LEN);
    strcpy(v.v_state, "DE");
    memcpy(v.v_node, f.node.pk, KEY_PK_LEN);
    v.v_nlast = 1;
    v.v_last[0].rl_seq = 42;
    ASSERT_OK(revocation_issue(&v, &f.de, &buf, &len));
    ASSERT_OK(revocation_verify(buf, len, &f.ros, f.net, &vb));
    ASSERT_EQ(vb.v_nlast, 1);
    ASSERT_EQ(vb.v_last[0].rl_seq, 42);
    ASSERT_EQ(vb.v_type, REVOKE_NODE);
    /* a grant envelope is not a revocation */
    free(buf);
}

static void
roster_and_network_files(void)
{
    char *dir = test_tmpdir("files"), path[600];
    struct fixture f;
    struct roster back;
    struct network n, nb;

    fixture_init(&f);
    snprintf(path, sizeof(path), "%s/roster", dir);
    ASSERT_OK(roster_save(path, &f.ros));
    ASSERT_OK(roster_load(path, &back));
    ASSERT_EQ(back.r_count, 2);
    ASSERT(roster_find(&back, "FR") != NULL);
    ASSERT_MEM_EQ(roster_find(&back, "FR"), f.fr.pk, KEY_PK_LEN);
    ASSERT(roster_find(&back, "IT") == NULL);
    snprintf(path, sizeof(path), "%s/network", dir);
    ASSERT_OK(network_create(&n, "TR"));
    ASSERT_OK(network_save(path, &n));
    ASSERT_OK(network_load(path, &nb));
    ASSERT_MEM_EQ(n.n_key, nb.n_key, NET_KEY_LEN);
    ASSERT_STR_EQ(nb.n_host, "TR");
    chmod(path, 0644);
    ASSERT_ERR(network_load(path, &nb), ILONET_EPERM);
    ASSERT_ERR(network_create(&n, "tr"), ILONET_EINVAL);
    free(dir);
}

static void
audiences_normalise_and_admit(void)
{
    char out[ENTRY_AUDIENCE_MAX + 1];

    ASSERT_OK(audience_normalise("FR+de", out));
    ASSERT_STR_EQ(out, "DE+FR");
    ASSERT_OK(audience_normalise("net", out));
    ASSERT_ERR(audience_normalise("DE", out), ILONET_EINVAL);
    ASSERT_ERR(audience_normalise("DE+DE", out), ILONET_EINVAL);
    ASSERT_ERR(audience_normalise("DE+", out), ILONET_EINVAL);
    ASSERT_ERR(audience_normalise("D3+FR", out), ILONET_EINVAL);
    ASSERT(audience_admits("net", "EU", ROLE_COMMISSION));
    ASSERT(!audience_admits("ms", "EU", ROLE_COMMISSION));
    ASSERT(!audience_admits("ms", "FRONTEX", ROLE_AGENCY));
    ASSERT(audience_admits("ms", "DE", ROLE_ILO));
    ASSERT(audience_admits("ms", "IE", ROLE_PRESIDENCY));
    ASSERT(audience_admits("DE+FR", "FR", ROLE_ILO));
    ASSERT(!audience_admits("DE+FR", "IT", ROLE_ILO));
    ASSERT(!audience_admits("DE+FR", "D", ROLE_ILO));
}

TEST_LIST = {
    TEST(hash_is_domain_separated),
    TEST(hash_hex_round_trip),
    TEST(signature_is_bound_to_context),
    TEST(key_file_round_trip_and_mode),
    TEST(key_file_readable_by_others_is_refused),
    TEST(key_file_malformed_is_refused),
    TEST(wire_accepts_canonical),
    TEST(wire_rejects_non_minimal_integers),
    TEST(wire_rejects_non_minimal_lengths),
    TEST(wire_rejects_unsorted_and_duplicate_keys),
    TEST(wire_rejects_count_bombs_before_msgpack),
    TEST(wire_bounds_depth_and_items),
    TEST(wire_rejects_floats_ext_truncation_and_trailing),
    TEST(wire_unpack_after_check),
    TEST(cert_issue_verify_round_trip),
    TEST(cert_failures_have_exact_codes),
    TEST(grant_and_revocation_round_trip),
    TEST(roster_and_network_files),
    TEST(audiences_normalise_and_admit),
};
TEST_MAIN()
