/* test_nemesis.c - partitions, crashes, stalls and loss (issue 6 item 2). */
/*
 * Runs tests/tools/nemesis (see its header): 5 `ilonet node` processes in
 * their own network namespaces, 20 CLI appends/s, one fault every 10 s
 * (kill -9 and restart, SIGSTOP 5 s, halves, bridge, isolated presidency)
 * for 90 s, then everything healed. Passes when the checker finds
 * lost = duplicated = unexpected = 0, no gaps, no forks, no node died on
 * its own, no append failed, no sanitizer report (asan builds), and all
 * view hashes are equal within 10 s of healing.
 * Sanitizer and TEST_QUICK builds run 60 s of faults (every kind once).
 * NEMESIS_NODES / NEMESIS_SECS / NEMESIS_LOSS / NEMESIS_RATE override.
 * Without root or namespaces the tool exits 77 and the case says so and
 * passes (nothing can be injected there). Needs ILONET_BIN, ILONET_TOOLS.
 */
#include "test.h"

#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NEMESIS_SANITIZED 1
#else
#define NEMESIS_SANITIZED 0
#endif

static long
env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    return s && *s ? atol(s) : dflt;
}

/* Value of key=NUMBER in a result line, or -1. */
static long
field(const char *line, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), " %s=", key);
    if (!(p = strstr(line, pat)))
        return -1;
    return atol(p + strlen(pat));
}

static void
partitions_crashes_and_stalls(void)
{
    const char *bin = getenv("ILONET_BIN");
    const char *tools = getenv("ILONET_TOOLS");
    long secs = NEMESIS_SANITIZED || getenv("TEST_QUICK") ? 60 : 90;
    char cmd[2048], line[2048], result[2048] = "";
    char *dir;
    FILE *f;
    int st;

    if (!bin) {
        fprintf(stderr, "  ILONET_BIN not set (run through make unit)\n");
        exit(1);
    }
    dir = test_tmpdir("nemesis");
    snprintf(cmd, sizeof(cmd),
             "exec %s/nemesis --bin %s --dir %s --nodes %ld --fault-secs %ld "
             "--heal-secs 30 --rate %ld --loss %ld 2>%s/nemesis.log",
             tools ? tools : "build/tools", bin, dir,
             env_long("NEMESIS_NODES", 5), env_long("NEMESIS_SECS", secs),
             env_long("NEMESIS_RATE", 20), env_long("NEMESIS_LOSS", 0), dir);
    /* exec: nemesis is our child, so its parent-death signal is ours. */
    ASSERT((f = popen(cmd, "r")) != NULL);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "nemesis ", 8) == 0)
            snprintf(result, sizeof(result), "%s", line);
    st = pclose(f);
    ASSERT(st != -1 && WIFEXITED(st));
    if (WEXITSTATUS(st) == 77) {
        printf("  nemesis skipped (%s)", result[0] ? result : "no reason\n");
        free(dir);
        return;
    }
    printf("  %s", result[0] ? result : "(no result line)\n");
    if (WEXITSTATUS(st) != 0) {
        snprintf(cmd, sizeof(cmd), "tail -40 %s/nemesis.log >&2", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "  (no log in %s)\n", dir);
    }
    ASSERT(result[0]);
    ASSERT_EQ(field(result, "lost"), 0);
    ASSERT_EQ(field(result, "duplicated"), 0);
    ASSERT_EQ(field(result, "unexpected"), 0);
    ASSERT_EQ(field(result, "gaps"), 0);
    ASSERT_EQ(field(result, "forks"), 0);
    ASSERT_EQ(field(result, "crashes"), 0);
    ASSERT_EQ(field(result, "failed"), 0);
    ASSERT_EQ(field(result, "sanitizer_reports"), 0);
    ASSERT_GE(field(result, "acknowledged"), 100);
    ASSERT_GE(field(result, "faults"), 5);
    ASSERT_GE(field(result, "converge_ms"), 0);
    ASSERT(field(result, "converge_ms") <= 10000);
    ASSERT(strstr(result, "result=pass"));
    ASSERT_EQ(WEXITSTATUS(st), 0);
    free(dir);
}

TEST_LIST = {
    TEST(partitions_crashes_and_stalls),
};

TEST_MAIN()
