/* proc.c - support for the process-level tests: children, clocks, shell runs,
 * ports, nodes. */
#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROC_MAX_PIDS 64

/* Children to kill at exit; per test process (the runner forks per test). */
static pid_t proc__pids[PROC_MAX_PIDS];
static int proc__atexit;

int
proc_track(pid_t pid)
{
    if (!proc__atexit) {
        atexit(proc_kill_all);
        proc__atexit = 1;
    }
    for (int i = 0; i < PROC_MAX_PIDS; i++)
        if (proc__pids[i] <= 0) {
            proc__pids[i] = pid;
            return 0;
        }
    return -1;
}

void
proc_untrack(pid_t pid)
{
    for (int i = 0; i < PROC_MAX_PIDS; i++)
        if (proc__pids[i] == pid)
            proc__pids[i] = 0;
}

void
proc_kill_all(void)
{
    for (int i = 0; i < PROC_MAX_PIDS; i++)
        if (proc__pids[i] > 0) {
            kill(proc__pids[i], SIGKILL);
            waitpid(proc__pids[i], NULL, 0);
            proc__pids[i] = 0;
        }
}

pid_t
proc_reap(pid_t pid, int sig, int *status)
{
    pid_t r;

    kill(pid, sig);
    r = waitpid(pid, status, 0);
    proc_untrack(pid);
    return r;
}

uint64_t
proc_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
proc_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
proc_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

const char *
proc_bin(void)
{
    return cli_bin();
}

const char *
proc_tools(void)
{
    const char *t = getenv("ILONET_TOOLS");
    return t ? t : "build/tools";
}

int
proc_run(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[8192], sink[4096];
    va_list ap;
    FILE *f;
    size_t n = 0, k;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (!(f = popen(cmd, "r")))
        return -1;
    if (out && cap) {
        while (n + 1 < cap && (k = fread(out + n, 1, cap - 1 - n, f)) > 0)
            n += k;
        out[n] = 0;
    }
    /* Drain: a writer blocked on a full pipe would never exit. */
    while (fread(sink, 1, sizeof(sink), f) > 0)
        ;
    st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
proc_json_str(const char *js, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;

    out[0] = 0;
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    if (!js || !(p = strstr(js, pat)))
        return -1;
    p += strlen(pat);
    if (!(e = strchr(p, '"')) || (size_t)(e - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return 0;
}

long long
proc_json_num(const char *js, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    if (!js || !(p = strstr(js, pat)))
        return -1;
    return atoll(p + strlen(pat));
}

int
proc_file_has(const char *path, const char *needle)
{
    char cmd[1400];

    snprintf(cmd, sizeof(cmd), "grep -qF -- '%s' %s 2>/dev/null", needle, path);
    return system(cmd) == 0;
}

int
proc_wait_file(const char *path, const char *needle, unsigned timeout_ms)
{
    uint64_t t0 = proc_mono_ms();

    while (!proc_file_has(path, needle)) {
        if (proc_mono_ms() - t0 > timeout_ms)
            return -1;
        proc_sleep_ms(20);
    }
    return 0;
}

int
proc_wait_http(const char *log, char *url, size_t cap, unsigned timeout_ms)
{
    uint64_t t0 = proc_mono_ms();
    char line[1024], found[512];
    int up = 0;

    while (up != 2) {
        FILE *f = fopen(log, "r");

        up = 0;
        found[0] = '\0';
        while (f && fgets(line, sizeof(line), f)) {
            char *p = strstr(line, "http: page at ");
            if (p && sscanf(p + 14, "%511s", found) == 1)
                up++;
            if (strstr(line, "listening on"))
                up++;
        }
        if (f)
            fclose(f);
        snprintf(url, cap, "%s", found);
        if (up != 2) {
            if (proc_mono_ms() - t0 > timeout_ms)
                return -1;
            proc_sleep_ms(20);
        }
    }
    return 0;
}

int
proc_pid_base(int lo, int blocks, int stride)
{
    return lo + (int)(getpid() % blocks) * stride;
}

int
proc_port_free(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

int
proc_pick_base(int lo, int blocks, int stride, int start, int n)
{
    for (int i = 0; i < blocks; i++) {
        int base = lo + ((start + i) % blocks) * stride, ok = 1;
        for (int j = 1; j <= n && ok; j++)
            ok = proc_port_free(base + j);
        if (ok)
            return base;
    }
    return -1;
}

int
proc_testnet(const char *root, const char *states, int base,
             struct proc_member *m, int max)
{
    char out[8192], *line, *save = NULL;
    int n = 0;

    if (proc_run(out, sizeof(out),
                 "%s testnet --host TR --states %s --out %s --base-port %d",
                 proc_bin(), states, root, base) != 0)
        return -1;
    for (line = strtok_r(out, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        char url[128];
        if (sscanf(line, "%511s %15s %64s %127s", m[n].pm_dir, m[n].pm_state,
                   m[n].pm_pk, url) == 4)
            n++;
    }
    return n;
}

int
proc_status_json(const char *dir, char *js, size_t cap)
{
    int st = proc_run(js, cap, "%s -C %s status --json 2>/dev/null", proc_bin(),
                      dir);

    if (st != 0 && cap)
        js[0] = 0;
    return st;
}

pid_t
proc_node_spawn(const char *dir, const char *log, int flags,
                const char *const *env, const char *const *args)
{
    const char *argv[32];
    int argc = 0;
    pid_t pid;

    argv[argc++] = proc_bin();
    argv[argc++] = "-C";
    argv[argc++] = dir;
    argv[argc++] = "node";
    for (int i = 0; args && args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log,
                      O_WRONLY | O_CREAT |
                          (flags & PROC_LOG_TRUNC ? O_TRUNC : O_APPEND),
                      0644);
        int nul = open("/dev/null", O_WRONLY);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0)
            dup2(fd, 2);
        if (nul >= 0)
            dup2(nul, 1);
        for (int i = 0; env && env[i]; i++) {
            char name[128];
            const char *eq = strchr(env[i], '=');
            if (!eq || (size_t)(eq - env[i]) >= sizeof(name))
                continue;
            memcpy(name, env[i], (size_t)(eq - env[i]));
            name[eq - env[i]] = 0;
            setenv(name, eq + 1, 1);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (proc_track(pid) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

int
proc_nodes_start(const struct proc_member *m, char (*logs)[PROC_LOG_MAX], int n,
                 pid_t *pid)
{
    for (int i = 0; i < n; i++)
        if ((pid[i] = proc_node_spawn(m[i].pm_dir, logs[i], PROC_LOG_TRUNC,
                                      NULL, NULL)) <= 0)
            return -1;
    for (int i = 0; i < n; i++)
        if (proc_wait_file(logs[i], "listening on", 10000) != 0)
            return -1;
    return 0;
}

void
proc_nodes_stop(pid_t *pid, int n)
{
    for (int i = 0; i < n; i++)
        if (pid[i] > 0)
            proc_reap(pid[i], SIGTERM, NULL);
    memset(pid, 0, (size_t)n * sizeof(*pid));
}
