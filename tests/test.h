/* test.h - tiny test framework: typed asserts, one child process per test. */
#ifndef ILONET_TEST_H
#define ILONET_TEST_H

/*
 * Each tests/test_<module>.c is its own executable. It lists its cases with
 * TEST_LIST and ends with TEST_MAIN(). Every case runs in a forked child with
 * an alarm, so a crash or hang fails that case only. The child ends with
 * exit(), so in ASan builds LeakSanitizer checks it and a leak fails the
 * case (tests/test_runner_self.c proves it). Set TEST_NOFORK=1 to run
 * in-process (for gdb); pass a substring as argv[1] to run matching cases
 * (a substring matching no case fails the run). The runner's last line is
 * "N passed, N failed".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST_FAIL_(...)                                                        \
    do {                                                                       \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                      \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        exit(1);                                                               \
    } while (0)

#define ASSERT(c)                                                              \
    do {                                                                       \
        if (!(c))                                                              \
            TEST_FAIL_("ASSERT(%s) failed", #c);                               \
    } while (0)

#define ASSERT_EQ(a, b)                                                        \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            TEST_FAIL_("ASSERT_EQ(%s, %s) failed: %lld != %lld", #a, #b, a_,   \
                       b_);                                                    \
    } while (0)

#define ASSERT_NE(a, b)                                                        \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ == b_)                                                          \
            TEST_FAIL_("ASSERT_NE(%s, %s) failed: both %lld", #a, #b, a_);     \
    } while (0)

#define ASSERT_GE(a, b)                                                        \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (!(a_ >= b_))                                                       \
            TEST_FAIL_("ASSERT_GE(%s, %s) failed: %lld < %lld", #a, #b, a_,    \
                       b_);                                                    \
    } while (0)

/* Asserts an ilonet call returned 0, printing the error name otherwise. */
#define ASSERT_OK(e)                                                           \
    do {                                                                       \
        int r_ = (e);                                                          \
        if (r_ != 0)                                                           \
            TEST_FAIL_("%s failed: %d (%s)", #e, r_, ilonet_errname(r_));      \
    } while (0)

/* Asserts an ilonet call returned exactly the error code c. */
#define ASSERT_ERR(e, c)                                                       \
    do {                                                                       \
        int r_ = (e), c_ = (c);                                                \
        if (r_ != c_)                                                          \
            TEST_FAIL_("%s returned %d (%s), want %d (%s)", #e, r_,            \
                       ilonet_errname(r_), c_, ilonet_errname(c_));            \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (strcmp(a_, b_) != 0)                                               \
            TEST_FAIL_("ASSERT_STR_EQ(%s, %s) failed: \"%s\" != \"%s\"", #a,   \
                       #b, a_, b_);                                            \
    } while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                 \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0)                                        \
            TEST_FAIL_("ASSERT_MEM_EQ(%s, %s, %s) failed", #a, #b, #n);        \
    } while (0)

#define TEST_LIST static const struct test_case test_cases_[]
#define TEST(f)                                                                \
    {                                                                          \
        .name = #f, .fn = f                                                    \
    }

int test_run_all_(const struct test_case *cases, size_t n, int argc,
                  char **argv);

#define TEST_MAIN()                                                            \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        return test_run_all_(test_cases_,                                      \
                             sizeof(test_cases_) / sizeof(test_cases_[0]),     \
                             argc, argv);                                      \
    }

/* Makes a fresh empty directory under $TMPDIR for one test; returns a
 * malloc'd path the caller frees (the directory is left for inspection). */
char *test_tmpdir(const char *tag);

#endif
