/* test_runner_fixture.c - a test program for tests/test_runner_self.c: one
 * case leaks on purpose. Always built with ASan (Makefile), never run by the
 * suite itself. */
#include "test.h"

/* Where the planted leak's pointers pass, so the compiler cannot drop the
 * allocations; overwritten at once, so nothing reaches the blocks at exit. */
static void *volatile fixture__sink;

__attribute__((noinline)) static void
fixture__alloc(int keep)
{
    for (int i = 0; i < 8; i++) {
        fixture__sink = malloc(64);
        if (!keep)
            free(fixture__sink);
        fixture__sink = NULL;
    }
}

/* LeakSanitizer scans live stack frames conservatively, and the frames of
 * exit()'s path reuse this stack: a pointer left behind in a dead frame
 * would look reachable there now and then. Zero that stack first. */
__attribute__((noinline)) static void
fixture__wipe_stack(void)
{
    volatile unsigned char pad[16384];

    for (size_t i = 0; i < sizeof(pad); i++)
        pad[i] = 0;
}

static void
leak_planted(void)
{
    fixture__alloc(1);
    fixture__wipe_stack();
}

static void
leak_none(void)
{
    fixture__alloc(0);
    fixture__wipe_stack();
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
