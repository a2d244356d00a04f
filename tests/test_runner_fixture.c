/* test_runner_fixture.c - a test program for tests/test_runner_self.c: one
 * case leaks on purpose. Always built with ASan (Makefile), never run by the
 * suite itself. */
#include "test.h"

/* Where the planted leak's pointer passes, so the compiler cannot drop the
 * allocation; overwritten at once, so nothing reaches the block at exit. */
static void *volatile fixture__sink;

__attribute__((noinline)) static void
fixture__alloc(int keep)
{
    fixture__sink = malloc(64);
    if (!keep)
        free(fixture__sink);
    fixture__sink = NULL;
}

static void
leak_planted(void)
{
    fixture__alloc(1);
}

static void
leak_none(void)
{
    fixture__alloc(0);
}

static void
assert_fails(void)
{
    ASSERT_EQ(1 + 1, 3);
}

TEST_LIST = {
    TEST(leak_planted),
    TEST(leak_none),
    TEST(assert_fails),
};
TEST_MAIN()
