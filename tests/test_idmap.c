/* test_idmap.c - the pending id index map (storage/idmap.h). */
#include <stdlib.h>

#include "crypto/error.h"
#include "storage/idmap.h"
#include "test.h"

/* The order idmap_sort() promises, written here on its own. */
static int
cmp_pair(const void *a, const void *b)
{
    const struct idmap_pair *x = a, *y = b;

    if (x->ip_key != y->ip_key)
        return x->ip_key < y->ip_key ? -1 : 1;
    return (x->ip_k > y->ip_k) - (x->ip_k < y->ip_k);
}

static void
idmap_finds_every_pair_through_growth(void)
{
    struct idmap m;
    int64_t ks[4];

    idmap_init(&m);
    ASSERT_EQ(idmap_find(&m, 7, ks, 4), 0);
    /* keys with equal low bits collide in the table: still all found */
    for (int64_t i = 0; i < 50000; i++)
        ASSERT_OK(idmap_add(&m, i << 20, i));
    for (int64_t i = 0; i < 50000; i += 997) {
        ASSERT_EQ(idmap_find(&m, i << 20, ks, 4), 1);
        ASSERT_EQ(ks[0], i);
    }
    ASSERT_EQ(idmap_find(&m, 3, ks, 4), 0);
    idmap_free(&m);
}

static void
idmap_keeps_duplicate_keys(void)
{
    struct idmap m;
    int64_t ks[2];

    idmap_init(&m);
    ASSERT_OK(idmap_add(&m, -5, 1));
    ASSERT_OK(idmap_add(&m, -5, 2));
    ASSERT_OK(idmap_add(&m, -5, 3));
    /* more than max: the count says so, ks holds the first max */
    ASSERT_EQ(idmap_find(&m, -5, ks, 2), 3);
    ASSERT(ks[0] != ks[1]);
    idmap_free(&m);
}

static void
idmap_truncate_forgets_the_tail(void)
{
    struct idmap m;
    int64_t ks[1];

    idmap_init(&m);
    for (int64_t i = 0; i < 100; i++)
        ASSERT_OK(idmap_add(&m, i * 31, i));
    ASSERT_OK(idmap_truncate(&m, 40));
    ASSERT_EQ(m.im_n, 40);
    ASSERT_EQ(idmap_find(&m, 39 * 31, ks, 1), 1);
    ASSERT_EQ(idmap_find(&m, 40 * 31, ks, 1), 0);
    ASSERT_OK(idmap_truncate(&m, 100)); /* longer than held: no-op */
    ASSERT_EQ(m.im_n, 40);
    ASSERT_OK(idmap_add(&m, 40 * 31, 99));
    ASSERT_EQ(idmap_find(&m, 40 * 31, ks, 1), 1);
    ASSERT_EQ(ks[0], 99);
    idmap_free(&m);
}

static void
idmap_sort_orders_by_key_and_keeps_lookups(void)
{
    struct idmap m;
    int64_t ks[1];

    idmap_init(&m);
    for (int64_t i = 0; i < 1000; i++)
        ASSERT_OK(idmap_add(&m, (i * 7919) % 1000 - 500, i));
    ASSERT_OK(idmap_sort(&m));
    for (size_t i = 1; i < m.im_n; i++)
        ASSERT(m.im_pairs[i - 1].ip_key <= m.im_pairs[i].ip_key);
    ASSERT_EQ(idmap_find(&m, (3 * 7919) % 1000 - 500, ks, 1), 1);
    ASSERT_EQ(ks[0], 3);
    idmap_clear(&m);
    ASSERT_EQ(m.im_n, 0);
    ASSERT_EQ(idmap_find(&m, (3 * 7919) % 1000 - 500, ks, 1), 0);
    idmap_free(&m);
}

/* idmap_sort() of the n pairs of want, in their order, gives what qsort()
 * with the comparison gives (want is sorted by it). */
static void
sort_equals_qsort(struct idmap_pair *want, size_t n)
{
    struct idmap m;

    idmap_init(&m);
    for (size_t i = 0; i < n; i++)
        ASSERT_OK(idmap_add(&m, want[i].ip_key, want[i].ip_k));
    qsort(want, n, sizeof(want[0]), cmp_pair);
    ASSERT_OK(idmap_sort(&m));
    ASSERT_EQ(m.im_n, n);
    for (size_t i = 0; i < n; i++)
        if (m.im_pairs[i].ip_key != want[i].ip_key ||
            m.im_pairs[i].ip_k != want[i].ip_k)
            TEST_FAIL_("pair %zu differs", i);
    idmap_free(&m);
}

/* The radix sort (past a few hundred pairs) orders as the comparison
 * does: negative keys first, equal keys by k, every pair kept. */
static void
idmap_sort_of_many_equals_qsort(void)
{
    enum { N = 5000 };
    static struct idmap_pair want[N];
    uint64_t x = 88172645463325252ULL; /* xorshift: the same every run */

    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* every tenth key repeats an earlier one; their k in either order */
        want[i].ip_key = i % 10 == 9 ? want[i / 2].ip_key : (int64_t)x;
        want[i].ip_k = (int64_t)(N - i) * (i % 3 == 0 ? -1 : 1);
    }
    sort_equals_qsort(want, N);
}

/* The store's keys are 4-byte (log_id_key(): int32, negative and
 * positive): the radix sort then makes fewer passes, in the same order as
 * the comparison. */
static void
idmap_sort_of_4_byte_keys_equals_qsort(void)
{
    enum { N = 3000 };
    static struct idmap_pair want[N];
    uint32_t x = 2463534242u; /* xorshift32: the same every run */

    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        want[i].ip_key = i % 7 == 6 ? want[i / 3].ip_key : (int32_t)x;
        want[i].ip_k = (int64_t)(i * 7919 % N);
    }
    sort_equals_qsort(want, N);
}

TEST_LIST = {
    TEST(idmap_finds_every_pair_through_growth),
    TEST(idmap_keeps_duplicate_keys),
    TEST(idmap_truncate_forgets_the_tail),
    TEST(idmap_sort_orders_by_key_and_keeps_lookups),
    TEST(idmap_sort_of_many_equals_qsort),
    TEST(idmap_sort_of_4_byte_keys_equals_qsort),
};
TEST_MAIN()
