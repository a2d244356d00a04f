/* test_runner.c - runs the cases of one test executable, each in a child. */
#include "test.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
test__timeout(void)
{
    const char *s = getenv("TEST_TIMEOUT");
    int t = s ? atoi(s) : 0;
    return t > 0 ? t : 300;
}

static void
test__report(const char *name, int st)
{
    if (WIFSIGNALED(st))
        printf("FAIL %s (signal %d%s)\n", name, WTERMSIG(st),
               WTERMSIG(st) == SIGALRM ? ", timeout" : "");
    else
        printf("FAIL %s (exit %d)\n", name, WEXITSTATUS(st));
}

int
test_run_all_(const struct test_case *cases, size_t n, int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int nofork = getenv("TEST_NOFORK") != NULL;
    int passed = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        if (filter && !strstr(cases[i].name, filter))
            continue;
        fflush(stdout);
        fflush(stderr);
        if (nofork) {
            cases[i].fn();
            printf("ok   %s\n", cases[i].name);
            passed++;
            continue;
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            alarm((unsigned)test__timeout());
            cases[i].fn();
            /* exit, not _exit: the atexit handlers run, LeakSanitizer's
             * among them in ASan builds; a leak makes the exit status
             * non-zero (its report is on stderr), so it fails this case. */
            exit(0);
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0)
            ;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            printf("ok   %s\n", cases[i].name);
            passed++;
        } else {
            test__report(cases[i].name, st);
            failed++;
        }
    }
    if (filter && passed + failed == 0) {
        /* A typo in a filter must not read as a green run. */
        printf("FAIL no test name contains \"%s\"\n", filter);
        failed = 1;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

char *
test_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char *path = malloc(512);
    if (!path)
        abort();
    snprintf(path, 512, "%s/ilonet-test-%s-XXXXXX", base ? base : "/tmp", tag);
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}
