/* test_runner_self.c - the test runner's own promises: a leak fails a case
 * under ASan, a filter matching nothing fails the run. */
#include "test.h"

#include <limits.h>
#include <unistd.h>

#include "proc.h"

/* The ASan-built fixture (tests/test_runner_fixture.c), which the Makefile
 * puts beside this executable. */
static void
fixture_path(char out[static PATH_MAX])
{
    ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
    char *slash;

    ASSERT(n > 0);
    out[n] = '\0';
    slash = strrchr(out, '/');
    ASSERT(slash != NULL);
    snprintf(slash + 1, (size_t)(PATH_MAX - (slash + 1 - out)),
             "runner_fixture");
    ASSERT_EQ(access(out, X_OK), 0);
}

/* Runs the fixture with args (stderr folded into out): its exit status.
 * LeakSanitizer is switched on explicitly, whatever the caller's
 * ASAN_OPTIONS say, and the fixture forks per case unless env asks
 * otherwise, even when this run does not (valgrind.sh). */
static int
fixture_run(const char *env, const char *args, char *out, size_t cap)
{
    char path[PATH_MAX];

    fixture_path(path);
    return proc_run(out, cap,
                    "env -u TEST_NOFORK ASAN_OPTIONS=detect_leaks=1 %s '%s' "
                    "%s 2>&1",
                    env, path, args);
}

static void
planted_leak_fails_its_case(void)
{
    char out[16384];

    ASSERT_EQ(fixture_run("", "leak_planted", out, sizeof(out)), 1);
    ASSERT(strstr(out, "LeakSanitizer: detected memory leaks") != NULL);
    ASSERT(strstr(out, "FAIL leak_planted (exit ") != NULL);
    ASSERT(strstr(out, "\n0 passed, 1 failed\n") != NULL);
}

static void
same_case_without_the_leak_passes(void)
{
    char out[16384];

    ASSERT_EQ(fixture_run("", "leak_none", out, sizeof(out)), 0);
    ASSERT(strstr(out, "LeakSanitizer") == NULL);
    ASSERT(strstr(out, "ok   leak_none\n") != NULL);
    ASSERT(strstr(out, "\n1 passed, 0 failed\n") != NULL);
}

static void
planted_leak_fails_in_process_too(void)
{
    char out[16384];

    /* TEST_NOFORK=1 (gdb, valgrind): the check runs at the process's
     * exit, after the result line, and still fails the run. */
    ASSERT(fixture_run("TEST_NOFORK=1", "leak_planted", out, sizeof(out)) != 0);
    ASSERT(strstr(out, "LeakSanitizer: detected memory leaks") != NULL);
}

static void
failed_assert_fails_its_case(void)
{
    char out[16384];

    ASSERT_EQ(fixture_run("", "assert_fails", out, sizeof(out)), 1);
    ASSERT(strstr(out, "ASSERT_EQ(1 + 1, 3) failed: 2 != 3") != NULL);
    ASSERT(strstr(out, "FAIL assert_fails (exit 1)\n") != NULL);
    ASSERT(strstr(out, "\n0 passed, 1 failed\n") != NULL);
}

static void
filter_matching_nothing_fails(void)
{
    char out[16384];

    ASSERT_EQ(fixture_run("", "no_such_case", out, sizeof(out)), 1);
    ASSERT(strstr(out, "FAIL no test name contains \"no_such_case\"\n") !=
           NULL);
    ASSERT(strstr(out, "\n0 passed, 1 failed\n") != NULL);
}

TEST_LIST = {
    TEST(planted_leak_fails_its_case),
    TEST(same_case_without_the_leak_passes),
    TEST(planted_leak_fails_in_process_too),
    TEST(failed_assert_fails_its_case),
    TEST(filter_matching_nothing_fails),
};
TEST_MAIN()
