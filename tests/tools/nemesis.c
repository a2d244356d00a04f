/* nemesis.c - partitions, crashes, stalls and loss against real nodes. */
/*
 * Usage: nemesis --bin ILONET --dir DIR [--nodes N] [--fault-secs S]
 *                [--heal-secs S] [--rate R] [--loss PCT] [--seed X]
 *
 * Builds an `ilonet testnet` of N states, puts every node in its own
 * network namespace (veth into one bridge that lives in a hub namespace
 * of its own, so nothing touches the host's network), and runs one
 * `ilonet node` per namespace. A writer appends R observations per second
 * with the CLI, round-robin over the nodes, and records every id the CLI
 * acknowledged. Every 10 s one fault, rotating: kill -9 a node and restart
 * it after 3 s; SIGSTOP a node for 5 s; halves; a bridge node between two
 * groups; the presidency isolated. Partitions are silent nftables drop
 * rules (input and output) inside the node namespaces; --loss adds
 * `numgen random mod 100 < PCT drop` on every node's outgoing packets.
 * Each fault heals after 5 s; the time until every node holds every head
 * that existed at the heal is measured (catch-up). After S seconds the
 * writer stops, everything heals (loss too), and the checker waits for
 * equal view hashes and heads digests, then reads every node's log:
 *   lost        acknowledged ids missing on some node
 *   duplicated  ids twice in one node's log, or a seq twice in one log
 *   unexpected  non-certificate entries that no writer acknowledged
 *               (entries of an append whose CLI failed are `indeterminate`)
 *   gaps        holes in a log's seq range
 *   forks       one id at different seqs on different nodes
 * and it passes when all of those are 0, no node died on its own, no
 * append failed, no sanitizer report appeared in any process's stderr,
 * and every view hash and heads digest is equal within 10 s of healing.
 * The last line is `nemesis key=value ... result=pass|fail`; exit 0 on
 * pass, 1 on fail, 77 when the machine cannot make namespaces (not root,
 * no iproute2/nftables). Every namespace, node and CLI process it made is
 * removed on every exit path (atexit, SIGINT/SIGTERM/SIGALRM/SIGHUP);
 * namespaces left by a nemesis that was killed -9 (`ilonem<pid>...` with
 * a dead pid) are swept at start.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 16
#define MAX_PENDING 96
#define PER_NODE_PENDING 4
#define NODE_PORT 37000
#define FAULT_EVERY_MS 10000
#define FAULT_LEN_MS 5000
#define KILL_DOWN_MS 3000
#define CONVERGE_LIMIT_MS 10000
#define OBSERVE_TIMEOUT_MS 60000

static const char *const all_states[] = {"DE", "FR", "IT", "ES", "NL", "BE",
                                         "AT", "PL", "PT", "SE", "FI", "IE",
                                         "DK", "CZ", "EL", "LT"};

enum fault { F_KILL9, F_STOP, F_HALVES, F_BRIDGE, F_ISOLATE, F_COUNT };
static const char *const fault_name[] = {"kill9", "stop", "halves", "bridge",
                                         "isolate"};

struct node {
    char n_home[512];
    char n_log[520];
    char n_state[4];
    char n_ns[64];
    pid_t n_pid;
    int n_stopped;
    int n_pending;
    long n_hwm_kib;
};

struct pending {
    pid_t p_pid;
    int p_fd;
    int p_node;
    long p_k;
    uint64_t p_t0;
    size_t p_len;
    char p_buf[128];
};

/* Open-addressing set of 64-hex ids with a small value per id. */
struct idset {
    char (*s_ids)[65];
    int *s_val;
    size_t s_cap;
    size_t s_len;
};

static struct {
    const char *bin;
    char dir[512];
    char wlog[600]; /* the writer's CLI stderr */
    char binc[600]; /* our copy of the binary */
    char hub[64];
    int n;
    int presidency;
    int loss;
    unsigned seed;
    int ns_made[MAX_NODES + 1]; /* [n] is the hub */
    struct node nodes[MAX_NODES];
    struct pending pend[MAX_PENDING];
    int npend;
    volatile sig_atomic_t stop;
} g;

static uint64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !g.stop)
        ;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logf_(const char *fmt, ...)
{
    static uint64_t t0;
    va_list ap;

    if (!t0)
        t0 = mono_ms();
    fprintf(stderr, "[%7.1f] ", (double)(mono_ms() - t0) / 1000.0);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Runs a shell command quietly; returns its exit status or -1. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs a command and captures stdout into a malloc'd string (caller frees).
 * Returns NULL on failure or a non-zero exit. */
static char *capture(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
capture(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    FILE *f;
    size_t n = 0, cap = 1 << 16, k;
    char *buf = malloc(cap);
    int st;

    if (!buf)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (!(f = popen(cmd, "r"))) {
        free(buf);
        return NULL;
    }
    while ((k = fread(buf + n, 1, cap - 1 - n, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    buf[n] = 0;
    st = pclose(f);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- id sets --------------------------------------------------------------
 */

static int
idset_init(struct idset *s, size_t want)
{
    size_t cap = 1024;

    while (cap < want * 2)
        cap *= 2;
    s->s_ids = calloc(cap, sizeof(*s->s_ids));
    s->s_val = calloc(cap, sizeof(int));
    s->s_cap = cap;
    s->s_len = 0;
    return s->s_ids && s->s_val ? 0 : -1;
}

static void
idset_free(struct idset *s)
{
    free(s->s_ids);
    free(s->s_val);
    memset(s, 0, sizeof(*s));
}

static size_t
idset_slot(const struct idset *s, const char *id)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (int k = 0; k < 64; k++)
        h = (h ^ (unsigned char)id[k]) * 1099511628211ULL;
    for (i = h & (s->s_cap - 1); s->s_ids[i][0]; i = (i + 1) & (s->s_cap - 1))
        if (memcmp(s->s_ids[i], id, 64) == 0)
            break;
    return i;
}

/* Returns the value slot for id, inserting it (value 0) when absent. */
static int *
idset_get(struct idset *s, const char *id, int insert)
{
    size_t i = idset_slot(s, id);

    if (!s->s_ids[i][0]) {
        if (!insert)
            return NULL;
        if ((s->s_len + 1) * 2 > s->s_cap) {
            struct idset b;
            if (idset_init(&b, s->s_cap) != 0)
                return NULL;
            for (size_t j = 0; j < s->s_cap; j++)
                if (s->s_ids[j][0]) {
                    size_t t = idset_slot(&b, s->s_ids[j]);
                    memcpy(b.s_ids[t], s->s_ids[j], 65);
                    b.s_val[t] = s->s_val[j];
                    b.s_len++;
                }
            idset_free(s);
            *s = b;
            i = idset_slot(s, id);
        }
        memcpy(s->s_ids[i], id, 64);
        s->s_ids[i][64] = 0;
        s->s_val[i] = 0;
        s->s_len++;
    }
    return &s->s_val[i];
}

/* ---- namespaces and nftables -----------------------------------------------
 */

static void
ns_name(char *out, size_t cap, long pid, int i)
{
    if (i < 0)
        snprintf(out, cap, "ilonem%ldh", pid);
    else
        snprintf(out, cap, "ilonem%ldn%d", pid, i);
}

/* Deletes namespaces of earlier nemesis runs whose process is gone. */
static void
sweep_stale(void)
{
    DIR *d = opendir("/var/run/netns");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char *end;
        long pid;
        if (strncmp(e->d_name, "ilonem", 6) != 0 ||
            !isdigit((unsigned char)e->d_name[6]))
            continue;
        pid = strtol(e->d_name + 6, &end, 10);
        if ((*end != 'h' && *end != 'n') || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        /* Processes still inside die with it (their parent is gone). */
        sh("ip netns pids %s 2>/dev/null | xargs -r kill -9 2>/dev/null; "
           "ip netns del %s 2>/dev/null",
           e->d_name, e->d_name);
    }
    closedir(d);
}

static int nft(int i, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
nft(int i, const char *fmt, ...)
{
    char rules[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rules, sizeof(rules), fmt, ap);
    va_end(ap);
    return sh("ip netns exec %s nft '%s'", g.nodes[i].n_ns, rules);
}

static int
net_setup(void)
{
    ns_name(g.hub, sizeof(g.hub), (long)getpid(), -1);
    if (sh("ip netns add %s", g.hub) != 0)
        return -1;
    g.ns_made[g.n] = 1;
    if (sh("ip -n %s link set lo up && ip -n %s link add br0 type bridge && "
           "ip -n %s link set br0 up",
           g.hub, g.hub, g.hub) != 0)
        return -1;
    for (int i = 0; i < g.n; i++) {
        struct node *nd = &g.nodes[i];
        ns_name(nd->n_ns, sizeof(nd->n_ns), (long)getpid(), i);
        if (sh("ip netns add %s", nd->n_ns) != 0)
            return -1;
        g.ns_made[i] = 1;
        if (sh("ip -n %s link add v%d type veth peer name eth0 netns %s && "
               "ip -n %s link set v%d master br0 up && "
               "ip -n %s addr add 10.99.0.%d/24 dev eth0 && "
               "ip -n %s link set eth0 up && ip -n %s link set lo up",
               g.hub, i, nd->n_ns, g.hub, i, nd->n_ns, i + 1, nd->n_ns,
               nd->n_ns) != 0)
            return -1;
        if (nft(i, "add table inet nemesis; "
                   "add set inet nemesis blocked { type ipv4_addr; }; "
                   "add chain inet nemesis in { type filter hook input "
                   "priority 0; }; "
                   "add rule inet nemesis in ip saddr @blocked counter drop; "
                   "add chain inet nemesis out { type filter hook output "
                   "priority 0; }; "
                   "add rule inet nemesis out ip daddr @blocked counter drop; "
                   "add chain inet nemesis loss { type filter hook output "
                   "priority 1; }") != 0)
            return -1;
    }
    return 0;
}

static void
net_loss(int pct)
{
    for (int i = 0; i < g.n; i++) {
        if (pct > 0)
            nft(i,
                "flush chain inet nemesis loss; add rule inet nemesis loss "
                "oifname \"eth0\" numgen random mod 100 < %d counter drop",
                pct);
        else
            nft(i, "flush chain inet nemesis loss");
    }
}

/* group[i]: nodes in different groups cannot talk, except that group 2
 * (a bridge) talks to everyone. All zero heals. */
static void
net_partition(const int *group)
{
    for (int i = 0; i < g.n; i++) {
        char els[1024];
        size_t o = 0;
        els[0] = 0;
        for (int j = 0; j < g.n; j++) {
            if (j == i || group[i] == group[j] || group[i] == 2 ||
                group[j] == 2)
                continue;
            o += (size_t)snprintf(els + o, sizeof(els) - o, "%s10.99.0.%d",
                                  o ? ", " : "", j + 1);
        }
        if (o)
            nft(i,
                "flush set inet nemesis blocked; add element inet "
                "nemesis blocked { %s }",
                els);
        else
            nft(i, "flush set inet nemesis blocked");
    }
}

/* Packets dropped so far by the partition rules (loss=0) or the loss
 * rule (loss=1) of every node; the loss chain is flushed on the final
 * heal, so read it before. */
static long
net_dropped(int loss)
{
    long sum = 0;

    for (int i = 0; i < g.n; i++) {
        char *out = capture("ip netns exec %s nft list table inet nemesis",
                            g.nodes[i].n_ns);
        const char *p = out;
        while (p && (p = strstr(p, "counter packets "))) {
            const char *line = p;
            long n = atol(p + 16);
            while (line > out && line[-1] != '\n')
                line--;
            if ((strstr(line, "numgen") && strstr(line, "numgen") < p) == loss)
                sum += n;
            p += 16;
        }
        free(out);
    }
    return sum;
}

/* ---- processes --------------------------------------------------------------
 */

static long
hwm_kib(pid_t pid)
{
    char path[64], line[256];
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld", &v) == 1)
            break;
    fclose(f);
    return v;
}

static void
node_start(int i)
{
    struct node *nd = &g.nodes[i];
    char path[128];
    int nsfd;
    pid_t pid;

    snprintf(path, sizeof(path), "/var/run/netns/%s", nd->n_ns);
    pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        int fd = open(nd->n_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDWR);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        nsfd = open(path, O_RDONLY);
        if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0)
            _exit(126);
        if (fd >= 0)
            dup2(fd, 2);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        execl(g.bin, g.bin, "-C", nd->n_home, "node", (char *)NULL);
        _exit(127);
    }
    nd->n_pid = pid;
    nd->n_stopped = 0;
}

static void
node_note_hwm(struct node *nd)
{
    long h = nd->n_pid > 0 ? hwm_kib(nd->n_pid) : -1;
    if (h > nd->n_hwm_kib)
        nd->n_hwm_kib = h;
}

static void
node_kill(int i)
{
    struct node *nd = &g.nodes[i];

    if (nd->n_pid <= 0)
        return;
    node_note_hwm(nd);
    kill(nd->n_pid, SIGKILL);
    waitpid(nd->n_pid, NULL, 0);
    nd->n_pid = 0;
    nd->n_stopped = 0;
}

static void
pending_reap(struct pending *p, int force)
{
    if (p->p_pid > 0) {
        if (force)
            kill(p->p_pid, SIGKILL);
        waitpid(p->p_pid, NULL, 0);
    }
    if (p->p_fd >= 0)
        close(p->p_fd);
    p->p_pid = 0;
    p->p_fd = -1;
}

static void
cleanup(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    for (int i = 0; i < g.npend; i++)
        pending_reap(&g.pend[i], 1);
    g.npend = 0;
    for (int i = 0; i < g.n; i++)
        node_kill(i);
    for (int i = 0; i <= g.n; i++)
        if (g.ns_made[i]) {
            sh("ip netns del %s 2>/dev/null",
               i == g.n ? g.hub : g.nodes[i].n_ns);
            g.ns_made[i] = 0;
        }
}

static void
on_signal(int sig)
{
    (void)sig;
    g.stop = 1;
}

/* ---- the writer
 * ----------------------------------------------------------------- */

struct tally {
    long attempted, acknowledged, failed, skipped;
    struct idset acked; /* id -> node index + 1 */
    long *failed_k;     /* summaries of failed appends */
    size_t nfailed_k, capfailed_k;
};

static void
writer_launch(struct tally *t, int i, long k)
{
    struct node *nd = &g.nodes[i];
    struct pending *p;
    char summary[64];
    int pfd[2];
    pid_t pid;

    if (g.npend >= MAX_PENDING || nd->n_pending >= PER_NODE_PENDING) {
        t->skipped++;
        return;
    }
    if (pipe(pfd) != 0)
        return;
    snprintf(summary, sizeof(summary), "nemesis %ld", k);
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        int err = open(g.wlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pfd[1], 1);
        if (nul >= 0)
            dup2(nul, 0);
        if (err >= 0)
            dup2(err, 2);
        close(pfd[0]);
        execl(g.bin, g.bin, "-C", nd->n_home, "observe", "--category", "routes",
              "--summary", summary, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    p = &g.pend[g.npend++];
    memset(p, 0, sizeof(*p));
    p->p_pid = pid;
    p->p_fd = pfd[0];
    p->p_node = i;
    p->p_k = k;
    p->p_t0 = mono_ms();
    nd->n_pending++;
    t->attempted++;
}

static void
tally_failed(struct tally *t, long k)
{
    if (t->nfailed_k == t->capfailed_k) {
        size_t c = t->capfailed_k ? t->capfailed_k * 2 : 64;
        long *nk = realloc(t->failed_k, c * sizeof(long));
        if (!nk)
            return;
        t->failed_k = nk;
        t->capfailed_k = c;
    }
    t->failed_k[t->nfailed_k++] = k;
    t->failed++;
}

/* Collects finished appends; with block set, waits for every one. */
static void
writer_poll(struct tally *t, int block)
{
    for (int i = 0; i < g.npend;) {
        struct pending *p = &g.pend[i];
        int st, done = 0;
        ssize_t r;
        pid_t w;

        while ((r = read(p->p_fd, p->p_buf + p->p_len,
                         sizeof(p->p_buf) - 1 - p->p_len)) > 0)
            p->p_len += (size_t)r;
        w = waitpid(p->p_pid, &st, block ? 0 : WNOHANG);
        if (w == p->p_pid) {
            while ((r = read(p->p_fd, p->p_buf + p->p_len,
                             sizeof(p->p_buf) - 1 - p->p_len)) > 0)
                p->p_len += (size_t)r;
            p->p_buf[p->p_len] = 0;
            p->p_pid = 0;
            done = 1;
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && p->p_len >= 64 &&
                strspn(p->p_buf, "0123456789abcdef") == 64) {
                int *v = idset_get(&t->acked, p->p_buf, 1);
                if (v && *v)
                    fprintf(stderr, "nemesis: id %.64s acknowledged twice\n",
                            p->p_buf);
                if (v)
                    *v = p->p_node + 1;
                t->acknowledged++;
            } else {
                logf_("append %ld on %s failed: %s %d, %zu bytes out", p->p_k,
                      g.nodes[p->p_node].n_state,
                      WIFSIGNALED(st) ? "signal" : "exit",
                      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
                      p->p_len);
                tally_failed(t, p->p_k);
            }
        } else if (mono_ms() - p->p_t0 > OBSERVE_TIMEOUT_MS) {
            kill(p->p_pid, SIGKILL);
            waitpid(p->p_pid, NULL, 0);
            p->p_pid = 0;
            done = 1;
            logf_("append %ld on %s timed out", p->p_k,
                  g.nodes[p->p_node].n_state);
            tally_failed(t, p->p_k);
        }
        if (done) {
            close(p->p_fd);
            g.nodes[p->p_node].n_pending--;
            g.pend[i] = g.pend[--g.npend];
            continue;
        }
        i++;
    }
}

/* ---- status and convergence
 * -------------------------------------------------- */

static int
json_str(const char *js, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    if (!(p = strstr(js, pat)))
        return -1;
    p += strlen(pat);
    if (!(e = strchr(p, '"')) || (size_t)(e - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return 0;
}

struct heads {
    int h_n;
    char h_log[MAX_NODES * 4][65];
    long h_seq[MAX_NODES * 4];
};

/* Fills view hash, digest and per-log heads from `status --json`. */
static int
node_status(int i, char vh[65], char dg[65], long *entries, struct heads *h)
{
    char *js =
        capture("%s -C %s status --json 2>/dev/null", g.bin, g.nodes[i].n_home);
    const char *p;

    vh[0] = dg[0] = 0;
    *entries = -1;
    if (!js)
        return -1;
    json_str(js, "view_hash", vh, 65);
    json_str(js, "heads_digest", dg, 65);
    /* "entries" (the count) follows the per-audience view hashes. */
    if ((p = strstr(js, "\"view_hashes\"")) && (p = strstr(p, "\"entries\":")))
        *entries = atol(p + 10);
    if (h) {
        h->h_n = 0;
        for (p = js; (p = strstr(p, "{\"log\":\"")) &&
                     h->h_n < (int)(sizeof(h->h_seq) / sizeof(h->h_seq[0]));) {
            const char *s = strstr(p, "\"seq\":");
            p += 8;
            if (!s)
                break;
            memcpy(h->h_log[h->h_n], p, 64);
            h->h_log[h->h_n][64] = 0;
            h->h_seq[h->h_n++] = atol(s + 6);
        }
    }
    free(js);
    return 0;
}

static long
heads_seq(const struct heads *h, const char *log)
{
    for (int i = 0; i < h->h_n; i++)
        if (strcmp(h->h_log[i], log) == 0)
            return h->h_seq[i];
    return 0;
}

/* Max seq per log over every node now: what every node must reach. */
static void
heads_target(struct heads *t)
{
    struct heads h;
    char vh[65], dg[65];
    long e;

    t->h_n = 0;
    for (int i = 0; i < g.n; i++) {
        /* Opening a home may write (quarantine release): a stopped node
         * holding the write lock would block us for the busy timeout. */
        if (g.nodes[i].n_stopped || node_status(i, vh, dg, &e, &h) != 0)
            continue;
        for (int k = 0; k < h.h_n; k++) {
            int j;
            for (j = 0; j < t->h_n; j++)
                if (strcmp(t->h_log[j], h.h_log[k]) == 0)
                    break;
            if (j == t->h_n) {
                if (t->h_n == (int)(sizeof(t->h_seq) / sizeof(t->h_seq[0])))
                    continue;
                memcpy(t->h_log[j], h.h_log[k], 65);
                t->h_seq[j] = 0;
                t->h_n++;
            }
            if (h.h_seq[k] > t->h_seq[j])
                t->h_seq[j] = h.h_seq[k];
        }
    }
}

/* Nodes not yet holding the target heads (bit i), checking only those
 * in mask. */
static unsigned
heads_behind(const struct heads *t, unsigned mask)
{
    unsigned out = 0;

    for (int i = 0; i < g.n; i++) {
        struct heads h;
        char vh[65], dg[65];
        long e;
        if (!(mask & (1u << i)) || g.nodes[i].n_stopped)
            continue;
        if (node_status(i, vh, dg, &e, &h) != 0) {
            out |= 1u << i;
            continue;
        }
        for (int k = 0; k < t->h_n; k++)
            if (heads_seq(&h, t->h_log[k]) < t->h_seq[k]) {
                out |= 1u << i;
                break;
            }
    }
    return out;
}

/* ---- the checker
 * -------------------------------------------------------------- */

struct verdict {
    long lost, duplicated, unexpected, indeterminate, gaps, entries;
    long forks;
};

static int
is_failed_k(const struct tally *t, long k)
{
    for (size_t i = 0; i < t->nfailed_k; i++)
        if (t->failed_k[i] == k)
            return 1;
    return 0;
}

/* Classifies a non-acknowledged observation by its summary. */
static int
unacked_is_indeterminate(int node, const char *id, const struct tally *t)
{
    char *js = capture("%s -C %s query --json \"select summary from "
                       "observations where id = '%.64s'\" 2>/dev/null",
                       g.bin, g.nodes[node].n_home, id);
    const char *p;
    int r = 0;

    if (js && (p = strstr(js, "\"summary\":\"nemesis ")))
        r = is_failed_k(t, atol(p + 19));
    free(js);
    return r;
}

static void
check_logs(struct tally *t, struct verdict *v)
{
    struct idset first; /* id -> (log index, seq) agreement across nodes */
    struct idset seen_unexp;

    memset(v, 0, sizeof(*v));
    if (idset_init(&first, t->acked.s_len + 1024) != 0 ||
        idset_init(&seen_unexp, 64) != 0)
        return;
    for (int i = 0; i < g.n; i++) {
        char *js = capture("%s -C %s log --json 2>/dev/null", g.bin,
                           g.nodes[i].n_home);
        struct idset here;
        const char *p;
        long prev = 0, found = 0, n = 0;

        if (!js || idset_init(&here, t->acked.s_len + 1024) != 0) {
            fprintf(stderr, "nemesis: cannot read the log of %s\n",
                    g.nodes[i].n_state);
            v->lost += (long)t->acked.s_len;
            free(js);
            continue;
        }
        for (p = js; *p;) {
            const char *a = strstr(p, "{\"log\":\"");
            const char *b = strstr(p, "{\"seq\":");
            char id[65], kind[32];
            const char *q;
            long seq;
            int *val;
            if (!b)
                break;
            if (a && a < b) {
                prev = 0;
                p = a + 8;
                continue;
            }
            seq = atol(b + 7);
            if (!(q = strstr(b, "\"id\":\"")))
                break;
            memcpy(id, q + 6, 64);
            id[64] = 0;
            kind[0] = 0;
            json_str(b, "kind", kind, sizeof(kind));
            p = q + 70;
            n++;
            if (seq <= prev)
                v->duplicated++;
            else if (seq != prev + 1)
                v->gaps += seq - prev - 1;
            prev = seq;
            val = idset_get(&here, id, 1);
            if (val && (*val)++)
                v->duplicated++;
            /* The same id must sit at the same seq on every node. */
            val = idset_get(&first, id, 1);
            if (val && !*val)
                *val = (int)seq;
            else if (val && *val != (int)seq)
                v->forks++;
            if (idset_get(&t->acked, id, 0)) {
                found++;
            } else if (strcmp(kind, "cert") != 0 &&
                       !idset_get(&seen_unexp, id, 0)) {
                idset_get(&seen_unexp, id, 1);
                if (unacked_is_indeterminate(i, id, t))
                    v->indeterminate++;
                else {
                    v->unexpected++;
                    fprintf(stderr,
                            "nemesis: unexpected %s entry %.64s on %s\n", kind,
                            id, g.nodes[i].n_state);
                }
            }
        }
        if (i == 0)
            v->entries = n;
        /* Acknowledged ids this node lacks. */
        for (size_t s = 0; s < t->acked.s_cap; s++)
            if (t->acked.s_ids[s][0] &&
                !idset_get(&here, t->acked.s_ids[s], 0)) {
                if (v->lost < 5)
                    fprintf(stderr, "nemesis: %s lacks acknowledged %.16s\n",
                            g.nodes[i].n_state, t->acked.s_ids[s]);
                v->lost++;
            }
        (void)found;
        idset_free(&here);
        free(js);
    }
    idset_free(&first);
    idset_free(&seen_unexp);
}

/* ---- setup
 * ------------------------------------------------------------------------- */

/* The state holding the Council presidency now (data/presidencies.txt),
 * or -1. */
static int
find_presidency(char states[][4], int n)
{
    FILE *f = fopen("data/presidencies.txt", "r");
    char line[128], want[16], sem[16], st[8];
    time_t now = time(NULL);
    struct tm tm;

    if (!f)
        return -1;
    gmtime_r(&now, &tm);
    snprintf(want, sizeof(want), "%d-H%d", tm.tm_year + 1900,
             tm.tm_mon < 6 ? 1 : 2);
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%15s %7s", sem, st) == 2 && strcmp(sem, want) == 0) {
            fclose(f);
            for (int i = 0; i < n; i++)
                if (strcmp(states[i], st) == 0)
                    return i;
            return -2;
        }
    fclose(f);
    return -1;
}

static int
rewrite_config(struct node *nd)
{
    char path[600], tmp[610], line[512];
    FILE *in, *out;

    snprintf(path, sizeof(path), "%s/config", nd->n_home);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (!(in = fopen(path, "r")))
        return -1;
    if (!(out = fopen(tmp, "w"))) {
        fclose(in);
        return -1;
    }
    while (fgets(line, sizeof(line), in)) {
        int port;
        char pk[80];
        if (sscanf(line, "listen tcp://127.0.0.1:%d", &port) == 1)
            fprintf(out, "listen tcp://10.99.0.%d:%d\n", port - NODE_PORT,
                    NODE_PORT);
        else if (sscanf(line, "peer tcp://127.0.0.1:%d %79s", &port, pk) == 2)
            fprintf(out, "peer tcp://10.99.0.%d:%d %s\n", port - NODE_PORT,
                    NODE_PORT, pk);
        else
            fputs(line, out);
    }
    fclose(in);
    if (fclose(out) != 0)
        return -1;
    return rename(tmp, path);
}

static int
testnet_create(void)
{
    char states[MAX_NODES][4], list[128] = "", *out, *line, *save = NULL;
    int k = 0, pres;

    for (int i = 0; i < g.n; i++)
        snprintf(states[i], sizeof(states[i]), "%s", all_states[i]);
    /* Put the current presidency among the states when it is not. */
    pres = find_presidency(states, g.n);
    if (pres == -2) {
        FILE *f = fopen("data/presidencies.txt", "r");
        char l[128], sem[16], st[8], want[16];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        snprintf(want, sizeof(want), "%d-H%d", tm.tm_year + 1900,
                 tm.tm_mon < 6 ? 1 : 2);
        while (f && fgets(l, sizeof(l), f))
            if (sscanf(l, "%15s %7s", sem, st) == 2 && strcmp(sem, want) == 0)
                snprintf(states[g.n - 1], sizeof(states[0]), "%.3s", st);
        if (f)
            fclose(f);
        pres = find_presidency(states, g.n);
    }
    g.presidency = pres >= 0 ? pres : 0;
    for (int i = 0; i < g.n; i++) {
        strcat(list, i ? "," : "");
        strcat(list, states[i]);
    }
    out =
        capture("%s testnet --host TR --states %s --out %s/net --base-port %d",
                g.bin, list, g.dir, NODE_PORT);
    if (!out)
        return -1;
    for (line = strtok_r(out, "\n", &save); line && k < g.n;
         line = strtok_r(NULL, "\n", &save)) {
        struct node *nd = &g.nodes[k];
        char pk[80], url[128];
        if (sscanf(line, "%511s %3s %79s %127s", nd->n_home, nd->n_state, pk,
                   url) != 4)
            continue;
        memcpy(nd->n_log, nd->n_home, strlen(nd->n_home));
        memcpy(nd->n_log + strlen(nd->n_home), ".log", 5);
        if (rewrite_config(nd) != 0) {
            free(out);
            return -1;
        }
        k++;
    }
    free(out);
    return k == g.n ? 0 : -1;
}

static int
machine_ok(const char **why)
{
    if (geteuid() != 0) {
        *why = "not-root";
        return 0;
    }
    if (sh("command -v ip >/dev/null 2>&1 && command -v nft >/dev/null 2>&1") !=
        0) {
        /* The recipe: install them in the test when missing. */
        sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables "
           "iproute2 >/dev/null 2>&1");
        if (sh("command -v ip >/dev/null 2>&1 && "
               "command -v nft >/dev/null 2>&1") != 0) {
            *why = "no-iproute2-or-nftables";
            return 0;
        }
    }
    return 1;
}

/* ---- main
 * ------------------------------------------------------------------------------
 */

static void
usage(void)
{
    fprintf(stderr, "usage: nemesis --bin ILONET --dir DIR [--nodes N] "
                    "[--fault-secs S] [--heal-secs S] [--rate R] [--loss PCT] "
                    "[--seed X]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"bin", required_argument, 0, 'b'},
        {"dir", required_argument, 0, 'd'},
        {"nodes", required_argument, 0, 'n'},
        {"fault-secs", required_argument, 0, 'f'},
        {"heal-secs", required_argument, 0, 'h'},
        {"rate", required_argument, 0, 'r'},
        {"loss", required_argument, 0, 'l'},
        {"seed", required_argument, 0, 's'},
        {0, 0, 0, 0}};
    long fault_secs = 90, heal_secs = 30, counts[F_COUNT] = {0};
    double rate = 20;
    const char *dir = NULL, *why = NULL;
    struct tally t;
    struct verdict v;
    struct sigaction sa;
    uint64_t start, next_write, next_fault, fault_end = 0, heal_t = 0;
    long k = 0, catchups = 0, catchup_max = -1, catchup_sum = 0;
    long catchup_slow = 0, crashes = 0, converge_ms = -1, peak_kib = 0;
    long dropped_part = 0, dropped_loss = 0, sanitizer = -1;
    int cur = -1, target = -1, c, ok, converged = 0, catching = 0;
    unsigned behind = 0;
    struct heads tgt;

    memset(&g, 0, sizeof(g));
    memset(&t, 0, sizeof(t));
    g.n = 5;
    g.seed = (unsigned)time(NULL);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'b': g.bin = optarg; break;
        case 'd': dir = optarg; break;
        case 'n': g.n = atoi(optarg); break;
        case 'f': fault_secs = atol(optarg); break;
        case 'h': heal_secs = atol(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'l': g.loss = atoi(optarg); break;
        case 's': g.seed = (unsigned)strtoul(optarg, NULL, 10); break;
        default: usage();
        }
    }
    if (!g.bin || !dir || g.n < 3 || g.n > MAX_NODES || rate <= 0 ||
        fault_secs < 0 || heal_secs < 10 || g.loss < 0 || g.loss > 90)
        usage();
    if (!machine_ok(&why)) {
        printf("nemesis skip reason=%s\n", why);
        return 77;
    }
    snprintf(g.dir, sizeof(g.dir), "%s", dir);
    snprintf(g.wlog, sizeof(g.wlog), "%s/writer.log", dir);
    /* A private copy: other builds may relink the shared binary while we
     * run (an exec would then fail, or run other code). */
    snprintf(g.binc, sizeof(g.binc), "%s/ilonet", dir);
    if (sh("cp '%s' '%s'", g.bin, g.binc) != 0) {
        fprintf(stderr, "nemesis: cannot copy %s\n", g.bin);
        return 1;
    }
    g.bin = g.binc;
    srand(g.seed);
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* When the test that started us dies, so do we (and clean up). */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    atexit(cleanup);
    sweep_stale();
    if (idset_init(&t.acked, (size_t)(rate * (double)fault_secs) + 64) != 0)
        return 1;

    if (testnet_create() != 0) {
        fprintf(stderr, "nemesis: testnet failed\n");
        return 1;
    }
    if (net_setup() != 0) {
        printf("nemesis skip reason=netns-setup-failed\n");
        return 77;
    }
    logf_("nemesis: %d nodes (presidency %s), %ld s of faults, %.0f appends/s, "
          "loss %d %%, seed %u, dir %s",
          g.n, g.nodes[g.presidency].n_state, fault_secs, rate, g.loss, g.seed,
          g.dir);
    for (int i = 0; i < g.n; i++)
        node_start(i);
    sleep_ms(1000);
    if (g.loss)
        net_loss(g.loss);

    start = mono_ms();
    next_write = start;
    next_fault = start + FAULT_EVERY_MS;
    while (!g.stop && mono_ms() - start < (uint64_t)fault_secs * 1000) {
        uint64_t now = mono_ms();

        while (now >= next_write && !g.stop) {
            /* Round-robin; a node whose appends are stuck (a stopped node
             * holding its store's write lock) passes its turn on. */
            int w = (int)(k % g.n);
            for (int j = 0; j < g.n; j++)
                if (g.nodes[(w + j) % g.n].n_pending < PER_NODE_PENDING) {
                    w = (w + j) % g.n;
                    break;
                }
            writer_launch(&t, w, k);
            k++;
            next_write += (uint64_t)(1000.0 / rate);
        }
        writer_poll(&t, 0);
        /* A node that died on its own is a finding; restart it. */
        for (int i = 0; i < g.n; i++) {
            int st;
            if (g.nodes[i].n_pid > 0 &&
                waitpid(g.nodes[i].n_pid, &st, WNOHANG) == g.nodes[i].n_pid) {
                logf_("node %s died on its own (%s %d)", g.nodes[i].n_state,
                      WIFSIGNALED(st) ? "signal" : "exit",
                      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                crashes++;
                g.nodes[i].n_pid = 0;
                node_start(i);
            }
        }
        if (cur < 0 && !catching && now >= next_fault &&
            now + FAULT_LEN_MS < start + (uint64_t)fault_secs * 1000) {
            int group[MAX_NODES] = {0};
            cur = (int)((counts[0] + counts[1] + counts[2] + counts[3] +
                         counts[4]) %
                        F_COUNT);
            target = rand() % g.n;
            counts[cur]++;
            fault_end = now + FAULT_LEN_MS;
            next_fault += FAULT_EVERY_MS;
            logf_("fault %ld: %s",
                  counts[0] + counts[1] + counts[2] + counts[3] + counts[4],
                  fault_name[cur]);
            switch (cur) {
            case F_KILL9:
                node_kill(target);
                fault_end = now + KILL_DOWN_MS;
                logf_("fault kill9 %s", g.nodes[target].n_state);
                break;
            case F_STOP:
                kill(g.nodes[target].n_pid, SIGSTOP);
                g.nodes[target].n_stopped = 1;
                logf_("fault stop %s", g.nodes[target].n_state);
                break;
            case F_HALVES: {
                int order[MAX_NODES];
                for (int i = 0; i < g.n; i++)
                    order[i] = i;
                for (int i = g.n - 1; i > 0; i--) {
                    int j = rand() % (i + 1), x = order[i];
                    order[i] = order[j];
                    order[j] = x;
                }
                for (int i = 0; i < g.n / 2; i++)
                    group[order[i]] = 1;
                net_partition(group);
                logf_("fault halves");
                break;
            }
            case F_BRIDGE:
                for (int i = 0, m = 0; i < g.n; i++)
                    if (i == target)
                        group[i] = 2;
                    else
                        group[i] = m++ % 2;
                net_partition(group);
                logf_("fault bridge via %s", g.nodes[target].n_state);
                break;
            case F_ISOLATE:
                group[g.presidency] = 1;
                net_partition(group);
                logf_("fault isolate presidency %s",
                      g.nodes[g.presidency].n_state);
                break;
            }
        }
        if (cur >= 0 && now >= fault_end) {
            static const int healed[MAX_NODES] = {0};
            /* What every node must reach: the heads before the heal. */
            heads_target(&tgt);
            if (cur == F_KILL9)
                node_start(target);
            else if (cur == F_STOP) {
                kill(g.nodes[target].n_pid, SIGCONT);
                g.nodes[target].n_stopped = 0;
            } else
                net_partition(healed);
            cur = -1;
            /* Catch-up: every node reaches today's heads. */
            heal_t = mono_ms();
            behind = heads_behind(&tgt, (1u << g.n) - 1);
            logf_("healed; %d nodes behind", __builtin_popcount(behind));
            catching = 1;
        }
        if (catching && cur < 0) {
            static uint64_t last;
            if (mono_ms() - last >= 500) {
                last = mono_ms();
                behind = heads_behind(&tgt, behind);
                if (!behind || mono_ms() - heal_t > CONVERGE_LIMIT_MS) {
                    long ms = (long)(mono_ms() - heal_t);
                    catching = 0;
                    /* The next fault waits for the catch-up. */
                    if (next_fault < mono_ms())
                        next_fault = mono_ms();
                    if (behind) {
                        catchup_slow++;
                        logf_("catch-up not done %ld ms after healing", ms);
                    } else {
                        logf_("caught up %ld ms after healing", ms);
                        catchups++;
                        catchup_sum += ms;
                        if (ms > catchup_max)
                            catchup_max = ms;
                    }
                }
            }
        }
        sleep_ms(5);
    }

    /* Stop writing, heal everything, wait for equal views. */
    logf_("writer stops; healing");
    {
        static const int healed[MAX_NODES] = {0};
        uint64_t wt0 = mono_ms();
        while (g.npend && mono_ms() - wt0 < OBSERVE_TIMEOUT_MS + 5000 &&
               !g.stop) {
            writer_poll(&t, 0);
            sleep_ms(10);
        }
        for (int i = 0; i < g.n; i++) {
            if (g.nodes[i].n_stopped) {
                kill(g.nodes[i].n_pid, SIGCONT);
                g.nodes[i].n_stopped = 0;
            }
            if (g.nodes[i].n_pid <= 0)
                node_start(i);
        }
        dropped_part = net_dropped(0);
        dropped_loss = net_dropped(1);
        net_partition(healed);
        net_loss(0);
    }
    heal_t = mono_ms();
    while (!g.stop && mono_ms() - heal_t < (uint64_t)heal_secs * 1000) {
        char vh0[65], dg0[65], vh[65], dg[65];
        long e0, e;
        int same = node_status(0, vh0, dg0, &e0, NULL) == 0 && vh0[0];
        for (int i = 1; i < g.n && same; i++)
            same = node_status(i, vh, dg, &e, NULL) == 0 &&
                   strcmp(vh, vh0) == 0 && strcmp(dg, dg0) == 0 && e == e0;
        if (same) {
            converge_ms = (long)(mono_ms() - heal_t);
            converged = 1;
            break;
        }
        sleep_ms(200);
    }
    if (g.stop) {
        printf("nemesis interrupted result=fail\n");
        return 1;
    }
    logf_("converged=%d after %ld ms; checking every log", converged,
          converge_ms);
    for (int i = 0; i < g.n; i++) {
        int st;
        if (g.nodes[i].n_pid > 0 &&
            waitpid(g.nodes[i].n_pid, &st, WNOHANG) == g.nodes[i].n_pid) {
            crashes++;
            g.nodes[i].n_pid = 0;
        }
        node_note_hwm(&g.nodes[i]);
        if (g.nodes[i].n_hwm_kib > peak_kib)
            peak_kib = g.nodes[i].n_hwm_kib;
    }
    check_logs(&t, &v);
    {
        /* Sanitizer builds: a report in any node or CLI process fails. */
        char *n = capture("cat %s/net/*.log %s 2>/dev/null | grep -c -E "
                          "'(Sanitizer|runtime error)' || true",
                          g.dir, g.wlog);
        sanitizer = n ? atol(n) : -1;
        free(n);
    }
    ok = sanitizer == 0 && t.failed == 0 && converged &&
         converge_ms <= CONVERGE_LIMIT_MS && v.lost == 0 && v.duplicated == 0 &&
         v.unexpected == 0 && v.gaps == 0 && v.forks == 0 && crashes == 0 &&
         t.acknowledged > 0;
    printf("nemesis nodes=%d fault_secs=%ld loss_pct=%d seed=%u faults=%ld "
           "kill9=%ld stop=%ld halves=%ld bridge=%ld isolate=%ld "
           "attempted=%ld acknowledged=%ld failed=%ld skipped=%ld "
           "entries=%ld lost=%ld duplicated=%ld unexpected=%ld "
           "indeterminate=%ld gaps=%ld forks=%ld crashes=%ld "
           "catchup_ms_max=%ld catchup_ms_avg=%ld catchup_slow=%ld "
           "dropped_partition_pkts=%ld dropped_loss_pkts=%ld "
           "converge_ms=%ld peak_rss_kib=%ld sanitizer_reports=%ld "
           "result=%s\n",
           g.n, fault_secs, g.loss, g.seed,
           counts[0] + counts[1] + counts[2] + counts[3] + counts[4],
           counts[F_KILL9], counts[F_STOP], counts[F_HALVES], counts[F_BRIDGE],
           counts[F_ISOLATE], t.attempted, t.acknowledged, t.failed, t.skipped,
           v.entries, v.lost, v.duplicated, v.unexpected, v.indeterminate,
           v.gaps, v.forks, crashes, catchup_max,
           catchups ? catchup_sum / catchups : -1, catchup_slow, dropped_part,
           dropped_loss, converge_ms, peak_kib, sanitizer,
           ok ? "pass" : "fail");
    idset_free(&t.acked);
    free(t.failed_k);
    return ok ? 0 : 1;
}
