/* test_writers.c - many writers at once: the group commit of record creations
 * (app_record_create_many, POST /api/<kind>). */
/*
 * Two parts. In process: app_record_create_many() writes what
 * app_record_create_as() writes, one by one, and answers each refused
 * write as that would. Processes: 20 writers (tests/tools/http_load)
 * through `ilonet node --http` while the HTTP process, or the node and it
 * together, or the node alone, is killed with SIGKILL; afterwards every
 * acknowledged id is in the store at its own seq, the own logs are
 * contiguous and verify in full, there is no fork evidence, a fresh write
 * lands at head + 1, and every answer the writers got was an id or an
 * error. "Acknowledged" is the 201 a writer read; the tool appends each
 * id to a file as it reads it, so the list outlives the server. The kill
 * comes after a number of acknowledgements, never after a time: nothing
 * here passes or fails on time (the bounds only stop a hang).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "storage/log.h"
#include "test.h"

#define W_WRITERS 20
#define W_KILL_AFTER 300 /* acknowledgements seen before the kill */
#define W_ID_LINE 65     /* 64 hex digits and a newline */

/* A testnet of DE and FR (nothing started): DE's home. */
struct wnet {
    char *dir;
    char root[700];
    char de[800];
    int base;
};

/* Removes the directory of a passing case (a failing one stays to look at). */
static void
wnet_free(struct wnet *w)
{
    proc_run(NULL, 0, "rm -rf '%s'", w->dir);
    free(w->dir);
}

static void
wnet_create(struct wnet *w, const char *tag, int k)
{
    struct proc_member m[2];

    ASSERT_OK(key_global_init());
    w->dir = test_tmpdir(tag);
    snprintf(w->root, sizeof(w->root), "%s/t", w->dir);
    w->base =
        proc_pick_base(33000, 300, 10, (int)((getpid() + k * 37) % 300), 6);
    ASSERT(w->base > 0);
    ASSERT_EQ(proc_testnet(w->root, "DE,FR", w->base, m, 2), 2);
    snprintf(w->de, sizeof(w->de), "%s", m[0].pm_dir);
}

#define F(n, v)                                                                \
    {                                                                          \
        (n), (v)                                                               \
    }

/* ---- in process: the batch entry point is the one use case ----------------
 */

static void
create_many_writes_what_create_writes(void)
{
    static const struct app_field ok1[] = {F("category", "routes"),
                                           F("summary", "first")};
    static const struct app_field ok2[] = {F("category", "flows"),
                                           F("summary", "second")};
    static const struct app_field nosum[] = {F("category", "routes")};
    static const struct app_field badcat[] = {F("category", "nonsense"),
                                              F("summary", "x")};
    const struct app_record_req reqs[] = {
        {KIND_OBSERVATION, ok1, 2, NULL, NULL},    /* net */
        {KIND_OBSERVATION, ok2, 2, "XX", NULL},    /* not in the roster */
        {KIND_OBSERVATION, ok2, 2, "ms", NULL},    /* ms */
        {KIND_OBSERVATION, nosum, 1, NULL, NULL},  /* summary missing */
        {KIND_OBSERVATION, ok2, 2, NULL, NULL},    /* net, after the first */
        {KIND_OBSERVATION, ok1, 2, "DE+FR", NULL}, /* a group */
        {KIND_OBSERVATION, badcat, 2, NULL, NULL}, /* bad value */
    };
    const size_t n = sizeof(reqs) / sizeof(reqs[0]);
    const int refused[] = {0, 1, 0, 1, 0, 0, 1};
    const char *auds[] = {"net", "", "ms", "", "net", "DE+FR", ""};
    struct app_record_item items[7];
    struct app_written w;
    struct app_err e;
    struct wnet net;
    struct home h;
    uint64_t before, after, ev, checked, bad;

    wnet_create(&net, "writers-many", 0);
    ASSERT_OK(home_open(&h, net.de, HOME_STORE));
    ASSERT_OK(log_counts(h.h_store, &before, NULL, NULL, NULL));
    memset(items, 0, sizeof(items));
    for (size_t i = 0; i < n; i++) {
        items[i].ri_req = &reqs[i];
        items[i].ri_officer = i == 2 ? "anna" : NULL;
    }
    ASSERT_OK(app_record_create_many(&h, items, n));
    for (size_t i = 0; i < n; i++) {
        if (refused[i]) {
            /* the answer the write would have had alone, and nothing
             * written for it */
            ASSERT_NE(items[i].ri_rc, 0);
            ASSERT_ERR(app_record_create_as(&h, &reqs[i], NULL, &w, &e),
                       items[i].ri_rc);
            ASSERT_STR_EQ(items[i].ri_err.ae_msg, e.ae_msg);
            ASSERT_STR_EQ(items[i].ri_err.ae_field, e.ae_field);
            ASSERT_EQ(app_err_http_status(&items[i].ri_err),
                      app_err_http_status(&e));
            continue;
        }
        ASSERT_OK(items[i].ri_rc);
        ASSERT_STR_EQ(items[i].ri_out.aw_audience, auds[i]);
    }
    /* 4 entries and the certificates opening the 3 new logs */
    ASSERT_OK(log_counts(h.h_store, &after, NULL, &ev, NULL));
    ASSERT_EQ(after, before + 4 + 3);
    ASSERT_EQ(ev, 0);
    /* in the order given, one log per audience */
    {
        struct entry e0, e4;
        uint8_t *p0 = NULL, *p4 = NULL;
        ASSERT_OK(log_get(h.h_store, items[0].ri_out.aw_id, &e0, &p0, NULL));
        ASSERT_OK(log_get(h.h_store, items[4].ri_out.aw_id, &e4, &p4, NULL));
        ASSERT_EQ(e4.e_h.h_seq, e0.e_h.h_seq + 1);
        ASSERT_MEM_EQ(e4.e_h.h_prev, items[0].ri_out.aw_id, HASH_LEN);
        free(p0);
        free(p4);
    }
    /* each entry: the payload a lone create writes for the same request */
    for (size_t i = 0; i < n; i++) {
        struct app_written lone;
        struct entry x, y;
        uint8_t *px = NULL, *py = NULL;

        if (refused[i])
            continue;
        ASSERT_OK(
            app_record_create_as(&h, &reqs[i], items[i].ri_officer, &lone, &e));
        ASSERT_STR_EQ(lone.aw_audience, items[i].ri_out.aw_audience);
        ASSERT_OK(log_get(h.h_store, items[i].ri_out.aw_id, &x, &px, NULL));
        ASSERT_OK(log_get(h.h_store, lone.aw_id, &y, &py, NULL));
        ASSERT_EQ(x.e_h.h_kind, y.e_h.h_kind);
        ASSERT_EQ(x.e_payload_len, y.e_payload_len);
        ASSERT_MEM_EQ(x.e_payload, y.e_payload, x.e_payload_len);
        free(px);
        free(py);
    }
    ASSERT_OK(log_verify_all(h.h_store, NULL, NULL, &checked, &bad));
    ASSERT_EQ(bad, 0);
    /* an empty group writes nothing */
    ASSERT_OK(app_record_create_many(&h, NULL, 0));
    home_close(&h);
    wnet_free(&net);
}

/* A deferred sync: the group is committed without waiting for the disk
 * (another connection reads it at once), app_record_sync() syncs the
 * store (any number at once, from any thread, with no home open: only a
 * path), and the connection waits for the disk again when given back. */
static void
deferred_sync_commits_then_syncs(void)
{
    static const struct app_field ok[] = {F("category", "routes"),
                                          F("summary", "deferred")};
    const struct app_record_req req = {KIND_OBSERVATION, ok, 2, NULL, NULL};
    struct app_record_item items[3];
    struct wnet net;
    struct home h, other;
    uint64_t before, after;

    wnet_create(&net, "writers-defer", 5);
    ASSERT_OK(home_open(&h, net.de, HOME_STORE));
    ASSERT_OK(home_open(&other, net.de, HOME_STORE));
    ASSERT_OK(log_counts(other.h_store, &before, NULL, NULL, NULL));
    ASSERT_OK(app_record_defer_sync(&h, 1));
    memset(items, 0, sizeof(items));
    for (int i = 0; i < 3; i++)
        items[i].ri_req = &req;
    ASSERT_OK(app_record_create_many(&h, items, 3));
    for (int i = 0; i < 3; i++)
        ASSERT_OK(items[i].ri_rc);
    ASSERT_OK(log_counts(other.h_store, &after, NULL, NULL, NULL));
    ASSERT_GE(after, before + 3); /* and the log's first entry */
    for (int i = 0; i < 3; i++) {
        struct entry x;
        uint8_t *p = NULL;
        ASSERT_OK(log_get(other.h_store, items[i].ri_out.aw_id, &x, &p, NULL));
        free(p);
    }
    ASSERT_OK(app_record_sync(net.de));
    ASSERT_OK(app_record_sync(net.de)); /* nothing new: still fine */
    ASSERT_ERR(app_record_sync(NULL), ILONET_EINVAL);
    ASSERT_ERR(app_record_defer_sync(NULL, 1), ILONET_EINVAL);
    ASSERT_OK(app_record_defer_sync(&h, 0));
    ASSERT_OK(app_record_create_many(&h, items, 1));
    ASSERT_OK(items[0].ri_rc);
    home_close(&other);
    home_close(&h);
    /* every connection closed: the WAL was checkpointed into the file and
     * removed, and a sync finds nothing left to do */
    ASSERT_OK(app_record_sync(net.de));
    wnet_free(&net);
}

/* A log that refuses the run (a restored home: every append is refused
 * until sync confirms it) answers each write as it would alone. */
static void
create_many_refused_run_answers_each(void)
{
    static const struct app_field ok[] = {F("category", "routes"),
                                          F("summary", "x")};
    const struct app_record_req req = {KIND_OBSERVATION, ok, 2, NULL, NULL};
    struct app_record_item items[3];
    struct app_written w;
    struct app_err e;
    struct wnet net;
    struct home h;
    uint64_t before, after;

    wnet_create(&net, "writers-refused", 1);
    ASSERT_OK(home_open(&h, net.de, HOME_STORE));
    ASSERT_OK(log_mark_restored(h.h_store));
    ASSERT_OK(log_counts(h.h_store, &before, NULL, NULL, NULL));
    memset(items, 0, sizeof(items));
    for (size_t i = 0; i < 3; i++)
        items[i].ri_req = &req;
    ASSERT_OK(app_record_create_many(&h, items, 3));
    ASSERT_ERR(app_record_create_as(&h, &req, NULL, &w, &e),
               ILONET_ESELFBEHIND);
    for (size_t i = 0; i < 3; i++) {
        ASSERT_EQ(items[i].ri_rc, ILONET_ESELFBEHIND);
        ASSERT_STR_EQ(items[i].ri_err.ae_msg, e.ae_msg);
        ASSERT_EQ(app_err_http_status(&items[i].ri_err), 409);
    }
    ASSERT_OK(log_counts(h.h_store, &after, NULL, NULL, NULL));
    ASSERT_EQ(after, before);
    home_close(&h);
    wnet_free(&net);
}

/* ---- processes: kill -9 in the middle of 20 writers ---------------------- */

enum wkill {
    WKILL_HTTP, /* the HTTP process only: the node goes on */
    WKILL_BOTH, /* the node and its HTTP process */
    WKILL_NODE, /* the node only: its HTTP process is told to stop */
};

/* The first child of pid (the node's HTTP process), or -1. */
static pid_t
w_child(pid_t pid)
{
    char path[64], buf[256];
    ssize_t r;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
             (int)pid);
    if ((fd = open(path, O_RDONLY)) < 0)
        return -1;
    r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (r <= 0)
        return -1;
    buf[r] = '\0';
    return (pid_t)atoi(buf);
}

/* 1 while pid exists and is not a zombie. */
static int
w_alive(pid_t pid)
{
    char path[64], buf[512], *p;
    ssize_t r;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if ((fd = open(path, O_RDONLY)) < 0)
        return 0;
    r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (r <= 0)
        return 0;
    buf[r] = '\0';
    p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static long
w_file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* Starts http_load against url: its stdout into out, ids into acks. */
static pid_t
w_load_spawn(const char *url, const char *acks, const char *out)
{
    char tool[600];
    pid_t pid;

    snprintf(tool, sizeof(tool), "%s/http_load", proc_tools());
    ASSERT(access(tool, X_OK) == 0);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2(fd, 1);
        execl(tool, tool, url, "--writers", "20", "--count", "100000",
              "--seconds", "120", "--acks", acks, (char *)NULL);
        _exit(127);
    }
    ASSERT(pid > 0);
    ASSERT_EQ(proc_track(pid), 0);
    return pid;
}

/* The value of "key=" in the file at path, or -1. */
static long long
w_key(const char *path, const char *key)
{
    char line[256];
    size_t kl = strlen(key);
    long long v = -1;
    FILE *f = fopen(path, "r");

    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, kl) == 0 && line[kl] == '=')
            v = atoll(line + kl + 1);
    if (f)
        fclose(f);
    return v;
}

/* The acknowledged ids in the file (malloc'd, *n of them). */
static uint8_t (*w_acks(const char *path, size_t *n))[HASH_LEN]
{
    uint8_t(*ids)[HASH_LEN];
    char line[W_ID_LINE + 2];
    size_t cap = 1024;
    FILE *f = fopen(path, "r");

    *n = 0;
    ids = malloc(cap * sizeof(*ids));
    ASSERT(f && ids);
    while (fgets(line, sizeof(line), f)) {
        ASSERT_EQ(strlen(line), W_ID_LINE); /* never a torn line */
        if (*n == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof(*ids));
            ASSERT(ids);
        }
        line[2 * HASH_LEN] = '\0';
        ASSERT_OK(hash_unhex(line, ids[*n], HASH_LEN));
        (*n)++;
    }
    fclose(f);
    return ids;
}

/*
 * The durability check of tests/test_durability.c (check_after), on a
 * node home: every acknowledged entry is held at its own seq, every log is
 * contiguous from seq 1 and verifies in full, there is no fork evidence,
 * and a fresh write lands at head + 1 of its log.
 */
static void
w_check_store(const char *dir, const char *acks_path)
{
    static const struct app_field ok[] = {F("category", "routes"),
                                          F("summary", "after the crash")};
    const struct app_record_req req = {KIND_OBSERVATION, ok, 2, NULL, NULL};
    uint8_t(*acks)[HASH_LEN];
    struct log_head *heads = NULL, net_head;
    struct app_written w;
    struct app_err e;
    struct entry x;
    struct home h;
    size_t nacks, nh = 0;
    uint64_t entries, ev, sum = 0, checked, bad;
    uint8_t *p = NULL;
    int found_net = 0;

    acks = w_acks(acks_path, &nacks);
    ASSERT_GE(nacks, W_KILL_AFTER);
    ASSERT_OK(home_open(&h, dir, HOME_STORE));
    for (size_t i = 0; i < nacks; i++) {
        int rc = log_get(h.h_store, acks[i], &x, &p, NULL);
        if (rc != 0)
            TEST_FAIL_("acknowledged entry %zu of %zu not in the store: %s", i,
                       nacks, ilonet_errname(rc));
        ASSERT(p != NULL && x.e_h.h_kind == KIND_OBSERVATION);
        free(p);
        p = NULL;
        /* ids are distinct: no entry was acknowledged twice */
        for (size_t j = i > 64 ? i - 64 : 0; j < i; j++)
            ASSERT(memcmp(acks[i], acks[j], HASH_LEN) != 0);
    }
    ASSERT_OK(log_counts(h.h_store, &entries, NULL, &ev, NULL));
    ASSERT_EQ(ev, 0);
    ASSERT_OK(log_heads(h.h_store, &heads, &nh));
    for (size_t i = 0; i < nh; i++) {
        ASSERT_EQ(heads[i].lh_frozen, 0);
        sum += heads[i].lh_seq;
        if (strcmp(heads[i].lh_log.ld_audience, "net") == 0) {
            net_head = heads[i];
            found_net = 1;
        }
    }
    free(heads);
    ASSERT(found_net);
    /* contiguous: the heads add up to the entries held */
    ASSERT_EQ(sum, entries);
    ASSERT_GE(entries, nacks);
    ASSERT_OK(log_verify_all(h.h_store, NULL, NULL, &checked, &bad));
    ASSERT_EQ(bad, 0);
    ASSERT_EQ(checked, entries);
    /* a restarted writer goes on at head + 1 */
    ASSERT_OK(app_record_create(&h, &req, &w, &e));
    ASSERT_OK(log_get(h.h_store, w.aw_id, &x, &p, NULL));
    free(p);
    ASSERT_EQ(x.e_h.h_seq, net_head.lh_seq + 1);
    ASSERT_MEM_EQ(x.e_h.h_prev, net_head.lh_id, HASH_LEN);
    ASSERT_OK(log_counts(h.h_store, NULL, NULL, &ev, NULL));
    ASSERT_EQ(ev, 0);
    home_close(&h);
    printf("  %zu acknowledged of %" PRIu64 " entries held, all present; "
           "heads contiguous, %" PRIu64 " signatures verified, no fork\n",
           nacks, entries, checked);
    free(acks);
}

/*
 * 1 if the log at path holds no sanitizer report but one known leak of
 * NNG 1.5.2 itself: a request read just as the server stops takes a
 * reference on its handler, then finds the connection's callback aio
 * closed and returns without dropping it (http_sconn_rxdone), so the
 * handler ("/api", allocated in http_start) is never freed. Every other
 * report (any error, a leak of anything else) counts.
 */
static int
w_log_clean(const char *path)
{
    char line[512];
    int in_leak = 0, frame1 = 0, ok = 1;
    FILE *f = fopen(path, "r");

    if (!f)
        return 1; /* no log: nothing reported */
    while (ok && fgets(line, sizeof(line), f)) {
        if (strstr(line, "runtime error") ||
            strstr(line, "ERROR: AddressSanitizer") ||
            strstr(line, "ThreadSanitizer")) {
            ok = 0;
        } else if (strstr(line, "leak of ")) {
            in_leak = 1;
            frame1 = 0;
        } else if (in_leak && strstr(line, "    #1 ")) {
            /* the allocation's caller: NNG, called by http_start */
            ok = strstr(line, "libnng.so") != NULL;
            frame1 = 1;
        } else if (in_leak && frame1 && strstr(line, "    #")) {
            if (strstr(line, " in ") && !strstr(line, "libnng.so") &&
                !strstr(line, "http_start") &&
                !strstr(line, "main_http_child") &&
                !strstr(line, "cmd_http_spawn") && !strstr(line, "cmd_node") &&
                !strstr(line, " main ") && !strstr(line, "__libc_start"))
                ok = 0;
        } else if (in_leak && line[0] == '\n') {
            in_leak = 0;
        }
    }
    fclose(f);
    return ok;
}

static void
w_kill_run(enum wkill how, int k)
{
    char http[64], log[900], url[300], acks[900], out[900];
    const char *args[] = {"--http", http, NULL};
    struct wnet net;
    pid_t node, child, load;
    int st;

    wnet_create(&net, "writers-kill", k);
    snprintf(http, sizeof(http), "127.0.0.1:%d", net.base + 5);
    snprintf(log, sizeof(log), "%s/node.log", net.dir);
    snprintf(acks, sizeof(acks), "%s/acks", net.dir);
    snprintf(out, sizeof(out), "%s/load.out", net.dir);
    node = proc_node_spawn(net.de, log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(node > 0);
    ASSERT_EQ(proc_wait_http(log, url, sizeof(url), 30000), 0);
    child = w_child(node);
    ASSERT(child > 0);
    load = w_load_spawn(url, acks, out);
    /* the kill lands after W_KILL_AFTER acknowledgements, mid-run */
    for (int i = 0; w_file_size(acks) < W_KILL_AFTER * W_ID_LINE; i++) {
        ASSERT(i < 6000); /* 120 s: a hang, not a slow machine */
        ASSERT(waitpid(load, &st, WNOHANG) == 0);
        proc_sleep_ms(20);
    }
    switch (how) {
    case WKILL_HTTP: ASSERT_EQ(kill(child, SIGKILL), 0); break;
    case WKILL_BOTH:
        ASSERT_EQ(kill(child, SIGKILL), 0);
        ASSERT_EQ(proc_reap(node, SIGKILL, &st), node);
        break;
    case WKILL_NODE: ASSERT_EQ(proc_reap(node, SIGKILL, &st), node); break;
    }
    /* the writers see their connections go and stop */
    ASSERT_EQ(proc_reap(load, 0, &st), load);
    ASSERT(WIFEXITED(st));
    ASSERT_EQ(w_key(out, "http_bad"), 0); /* every answer: an id or an error */
    ASSERT_EQ(WEXITSTATUS(st), 0);
    ASSERT_GE(w_key(out, "http_acked"), W_KILL_AFTER);
    printf("  %s: %lld requests, %lld acknowledged, %lld errors, %lld "
           "without an answer\n",
           how == WKILL_HTTP   ? "kill -9 of the HTTP process"
           : how == WKILL_BOTH ? "kill -9 of the node and its HTTP process"
                               : "kill -9 of the node (its HTTP process stops)",
           w_key(out, "http_requests"), w_key(out, "http_acked"),
           w_key(out, "http_errors"), w_key(out, "http_lost"));
    /* nothing holds the store any more */
    for (int i = 0; w_alive(child); i++) {
        ASSERT(i < 3000);
        proc_sleep_ms(20);
    }
    if (how == WKILL_HTTP)
        ASSERT_EQ(proc_reap(node, SIGTERM, &st), node);
    /* a process that stopped by itself (the HTTP server told to stop,
     * with writes queued and in flight) stopped cleanly: under the
     * sanitizers of make asan a report would be in its log */
    ASSERT(w_log_clean(log));
    w_check_store(net.de, acks);
    wnet_free(&net);
}

static void
kill9_http_process_loses_no_acknowledged_write(void)
{
    w_kill_run(WKILL_HTTP, 2);
}

static void
kill9_node_and_http_loses_no_acknowledged_write(void)
{
    w_kill_run(WKILL_BOTH, 3);
}

static void
kill9_node_alone_loses_no_acknowledged_write(void)
{
    w_kill_run(WKILL_NODE, 4);
}

TEST_LIST = {
    TEST(create_many_writes_what_create_writes),
    TEST(create_many_refused_run_answers_each),
    TEST(deferred_sync_commits_then_syncs),
    TEST(kill9_http_process_loses_no_acknowledged_write),
    TEST(kill9_node_and_http_loses_no_acknowledged_write),
    TEST(kill9_node_alone_loses_no_acknowledged_write),
};
TEST_MAIN()
