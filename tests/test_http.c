/* test_http.c - the HTTP/JSON API with curl against running `ilonet node
 * --http` processes. */
/*
 * Each case builds a testnet (DE, FR, EU) under a fresh temp dir on ports
 * derived from the pid, starts nodes with --http, and talks to them with
 * curl (installed with apt-get when missing; SKIP only if that fails).
 * Nodes are children with PR_SET_PDEATHSIG=SIGKILL, killed at exit too;
 * their HTTP server process dies with them. Needs ILONET_BIN (make unit).
 */
#include "test.h"

#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define NODES 3

struct hnode {
    char dir[512], log[600], url[300], base[128], token[65];
    int port, http_port;
    pid_t pid;
};

static struct hnode g_nodes[NODES];
static char g_root[512];

static int
have_curl(void)
{
    if (system("command -v curl >/dev/null 2>&1") == 0)
        return 1;
    if (geteuid() == 0 &&
        system("DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl "
               ">/dev/null 2>&1") == 0 &&
        system("command -v curl >/dev/null 2>&1") == 0)
        return 1;
    printf("SKIP test_http: curl is not installed and could not be "
           "installed\n");
    return 0;
}

/* A testnet of DE, FR, EU; nodes not started. */
static void
net_create(const char *tag)
{
    struct proc_member m[NODES];
    char *tmp = test_tmpdir(tag);
    int base = proc_pid_base(21000, 500, 20), n;

    snprintf(g_root, sizeof(g_root), "%s/net", tmp);
    free(tmp);
    n = proc_testnet(g_root, "DE,FR,EU", base, m, NODES);
    ASSERT_GE(n, 0);
    for (int i = 0; i < n; i++) {
        struct hnode *nd = &g_nodes[i];
        memcpy(nd->dir, m[i].pm_dir, sizeof(nd->dir));
        memcpy(nd->log, nd->dir, strlen(nd->dir));
        memcpy(nd->log + strlen(nd->dir), ".log", 5);
        nd->port = base + i + 1;
        nd->http_port = base + 10 + i;
    }
    ASSERT_EQ(n, NODES);
}

/* Starts node i with --http; waits for its page address and listener. */
static void
node_start(int i)
{
    struct hnode *nd = &g_nodes[i];
    char addr[64];
    const char *args[] = {"--http", addr, NULL};

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", nd->http_port);
    unlink(nd->log); /* an earlier run's lines must not count */
    nd->pid = proc_node_spawn(nd->dir, nd->log, PROC_LOG_TRUNC, NULL, args);
    ASSERT(nd->pid >= 0);
    ASSERT_EQ(proc_wait_http(nd->log, nd->url, sizeof(nd->url), 10000), 0);
    /* url: http://127.0.0.1:PORT/#token=HEX */
    {
        char *h = strstr(nd->url, "#token=");
        ASSERT(h);
        snprintf(nd->token, sizeof(nd->token), "%s", h + 7);
        ASSERT_EQ(strlen(nd->token), 64);
        size_t bl = (size_t)(h - nd->url - 1);
        ASSERT(bl < sizeof(nd->base));
        memcpy(nd->base, nd->url, bl);
        nd->base[bl] = 0;
    }
}

static void
node_stop(int i)
{
    struct hnode *nd = &g_nodes[i];
    int st;

    ASSERT_EQ(proc_reap(nd->pid, SIGTERM, &st), nd->pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        TEST_FAIL_("node %s: exit status %d signal %d", nd->dir,
                   WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                   WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    nd->pid = 0;
}

/* curl: body into out, returns the HTTP status (0 on failure). extra is
 * inserted into the command line as is. */
static int
curl(struct hnode *nd, char *out, size_t cap, const char *auth,
     const char *extra, const char *path)
{
    static char buf[1 << 20];
    char hdr[200] = "";
    char *nl;
    int code = 0;

    if (auth)
        snprintf(hdr, sizeof(hdr), "-H 'Authorization: Bearer %s'", auth);
    if (proc_run(buf, sizeof(buf),
                 "curl -s -m 20 %s %s -w '\\n%%{http_code}' '%s%s'", hdr,
                 extra ? extra : "", nd->base, path) != 0)
        return 0;
    nl = strrchr(buf, '\n');
    if (!nl)
        return 0;
    code = atoi(nl + 1);
    *nl = 0;
    if (out)
        snprintf(out, cap, "%s", buf);
    return code;
}

static long long
entries(struct hnode *nd)
{
    char out[1 << 16];

    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/status"), 200);
    return proc_json_num(out, "entries");
}

static void
t_http_token_and_auth(void)
{
    char out[8192], path[600];
    struct stat sb;
    long long before;

    if (!have_curl())
        return;
    net_create("http-auth");
    node_start(0);
    snprintf(path, sizeof(path), "%s/http.token", g_nodes[0].dir);
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    before = entries(&g_nodes[0]);
    ASSERT_GE(before, 0);
    /* no token, wrong token, a token in a cookie or the query: 401 */
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), NULL, NULL, "/api/status"),
              401);
    ASSERT(strstr(out, "\"error\":\"unauthorised\""));
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out),
                   "0000000000000000000000000000000000000000000000000000000000"
                   "000000",
                   "-X POST -d '{\"category\":\"routes\",\"summary\":\"x\"}'",
                   "/api/observations"),
              401);
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), NULL,
                   "-X POST -d '{\"category\":\"routes\",\"summary\":\"x\"}'",
                   "/api/observations"),
              401);
    snprintf(path, sizeof(path),
             "-b 'token=%s' -X POST -d '{\"category\":"
             "\"routes\",\"summary\":\"x\"}'",
             g_nodes[0].token);
    ASSERT_EQ(
        curl(&g_nodes[0], out, sizeof(out), NULL, path, "/api/observations"),
        401);
    snprintf(path, sizeof(path), "/api/observations?token=%s",
             g_nodes[0].token);
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), NULL,
                   "-X POST -d '{\"category\":\"routes\",\"summary\":\"x\"}'",
                   path),
              401);
    ASSERT_EQ(entries(&g_nodes[0]), before); /* nothing written */
    /* the page needs no token, carries the CSP, and holds no data */
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), NULL, "-D -", "/"), 200);
    ASSERT(strstr(out, "Content-Security-Policy: default-src 'none'"));
    ASSERT(strstr(out, "script-src 'self';"));
    ASSERT(strstr(out, "<script src=\"/app.js\""));
    ASSERT(!strstr(out, g_nodes[0].token));
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), NULL, NULL, "/app.js"), 200);
    ASSERT(strstr(out, "Bearer"));
    /* the API sends the same headers */
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), g_nodes[0].token, "-D -",
                   "/api/status"),
              200);
    ASSERT(strstr(out, "Content-Security-Policy: default-src 'none'"));
    ASSERT(strstr(out, "Content-Type: application/json"));
    /* with the token, a write works */
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), g_nodes[0].token,
                   "-X POST -d '{\"category\":\"routes\",\"summary\":\"ok\"}'",
                   "/api/observations"),
              201);
    ASSERT(entries(&g_nodes[0]) > before); /* + the cert entry of a new log */
    node_stop(0);
    /* a second start reuses the token */
    {
        char tok[65];
        snprintf(tok, sizeof(tok), "%s", g_nodes[0].token);
        node_start(0);
        ASSERT_STR_EQ(g_nodes[0].token, tok);
        node_stop(0);
    }
}

static void
t_http_bad_requests(void)
{
    char out[8192], big[600];
    struct hnode *nd;
    long long before;
    static const struct {
        const char *extra, *path;
        int status;
        const char *want;
    } cases[] = {
        {"-X POST -d '{\"category\":'", "/api/observations", 400,
         "\"error\":\"malformed\""},
        {"-X POST -d '[1,2]'", "/api/observations", 400,
         "\"error\":\"malformed\""},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\"} x'",
         "/api/observations", 400, "trailing bytes"},
        {"-X POST -d '{\"category\":\"weather\",\"summary\":\"a\"}'",
         "/api/observations", 400, "field 'category': unknown value"},
        {"-X POST -d '{\"category\":\"routes\"}'", "/api/observations", 400,
         "field 'summary': required"},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\",\"mood\":"
         "\"x\"}'",
         "/api/observations", 400, "mood"},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\",\"figure\":"
         "1.5}'",
         "/api/observations", 400, "field 'figure'"},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\",\"summary\":"
         "\"b\"}'",
         "/api/observations", 400, "field 'summary': given twice"},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\",\"grant\":"
         "\"00\"}'",
         "/api/observations", 400, "field 'grant'"},
        {"-X POST -d '{\"date\":\"2026-02-30\",\"place\":\"x\",\"convenor\":"
         "\"DE\",\"participants\":\"DE\",\"commission\":\"present\","
         "\"topics\":\"t\"}'",
         "/api/meetings", 400, "field 'date'"},
        {"-X POST -d '{\"date\":\"2026-02-03\",\"place\":\"x\",\"convenor\":"
         "\"DE\",\"participants\":\"DE\",\"commission\":\"excluded\","
         "\"topics\":\"t\",\"audience\":\"net\"}'",
         "/api/meetings", 400, "field 'audience'"},
        {"-X POST -d '{\"for\":\"XX\",\"title\":\"t\"}'", "/api/tasks", 400,
         "not a state of the trust roster"},
        {"-X POST -d '{\"category\":\"routes\",\"summary\":\"a\","
         "\"on-behalf-of\":\"FR\"}'",
         "/api/observations", 403, "bad-delegation"},
        {"-X POST -H 'Content-Length: 99999999999999999999' -d '{}'",
         "/api/observations", 400, "\"error\":\"too-big\""},
        {"-X POST -H 'Content-Length: -5' -d '{}'", "/api/observations", 400,
         "\"error\":\"malformed\""},
        {"-X POST -H 'Transfer-Encoding: chunked' -d '{}'", "/api/observations",
         400, "Transfer-Encoding"},
        {NULL, "/api/observations?category=weather", 400, "query 'category'"},
        {NULL, "/api/observations?period=2026-13-01", 400, "query 'period'"},
        {NULL, "/api/observations?limit=0", 400, "query 'limit'"},
        {NULL, "/api/observations?colour=red", 400, "query 'colour'"},
        {NULL, "/api/observations?category=%zz", 400, "percent"},
        {NULL, "/api/meetings?category=flows", 400, "query 'category'"},
        {NULL, "/api/tasks?status=maybe", 400, "query 'status'"},
        {NULL, "/api/report?semester=2026-H3", 400, "query 'semester'"},
        {NULL, "/api/report?semester=2026-H2&format=pdf", 400,
         "query 'format'"},
        {NULL, "/api/observations/xyz", 400, "not a record id"},
        {NULL, "/api/observations/abcdef0123", 404, "not-found"},
        {NULL, "/api/nothing", 404, "not-found"},
        {"-X DELETE", "/api/observations", 405, "method-not-allowed"},
        {"-X POST -d '{}'", "/api/status", 405, "method-not-allowed"},
        {"-X POST -d '{\"reason\":\"x\"}'",
         "/api/observations/abcdef0123/retract", 404, "not-found"},
    };

    if (!have_curl())
        return;
    net_create("http-bad");
    node_start(0);
    nd = &g_nodes[0];
    before = entries(nd);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int code = curl(nd, out, sizeof(out), nd->token, cases[i].extra,
                        cases[i].path);
        if (code != cases[i].status || !strstr(out, cases[i].want) ||
            !strstr(out, "\"message\":"))
            TEST_FAIL_("case %zu (%s %s): %d %s", i,
                       cases[i].extra ? cases[i].extra : "GET", cases[i].path,
                       code, out);
    }
    /* oversized body: refused before it is read */
    snprintf(big, sizeof(big),
             "head -c 70000 /dev/zero | tr '\\0' a > %s/big.json", g_root);
    ASSERT_EQ(system(big), 0);
    snprintf(big, sizeof(big), "-X POST --data-binary @%s/big.json", g_root);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, big, "/api/observations"),
              400);
    ASSERT(strstr(out, "\"error\":\"too-big\""));
    /* invalid UTF-8 */
    snprintf(big, sizeof(big),
             "printf '{\"summary\":\"\\377\"}' > %s/bad-utf8.json", g_root);
    ASSERT_EQ(system(big), 0);
    snprintf(big, sizeof(big), "-X POST --data-binary @%s/bad-utf8.json",
             g_root);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, big, "/api/observations"),
              400);
    ASSERT(strstr(out, "\"error\":\"malformed\""));
    ASSERT_EQ(entries(nd), before); /* nothing written by any of them */
    node_stop(0);
}

/* Raw bytes on a socket: returns what came back (until close or 15 s). */
static size_t
raw(int port, const char *req, size_t len, char *out, size_t cap,
    int keep_open_ms)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t got = 0;
    struct timeval tv = {15, 0};

    ASSERT(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (len)
        (void)!write(fd, req, len);
    if (keep_open_ms)
        proc_sleep_ms((unsigned)keep_open_ms);
    else
        shutdown(fd, SHUT_WR);
    for (;;) {
        ssize_t r = read(fd, out + got, cap - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got + 1 >= cap)
            break;
    }
    out[got] = 0;
    close(fd);
    return got;
}

/* Hostile and broken clients never take the server down; a stalled body
 * is timed out. */
static void
t_http_hostile_clients(void)
{
    char out[65536], req[2048];
    struct hnode *nd;
    uint64_t t0;

    if (!have_curl())
        return;
    net_create("http-hostile");
    node_start(0);
    nd = &g_nodes[0];
    raw(nd->http_port, "GARBAGE\r\n\r\n", 11, out, sizeof(out), 0);
    raw(nd->http_port, "GET / HTTP/9.9\r\n\r\n", 18, out, sizeof(out), 0);
    raw(nd->http_port, "", 0, out, sizeof(out), 0);
    memset(req, 'A', sizeof(req));
    for (int i = 0; i < 8; i++) /* 16 KiB of header line */
        raw(nd->http_port, req, sizeof(req), out, sizeof(out), 0);
    snprintf(req, sizeof(req),
             "POST /api/observations HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
             "Authorization: Bearer %s\r\nContent-Length: 50\r\n\r\n{\"cat",
             nd->http_port, nd->token);
    raw(nd->http_port, req, strlen(req), out, sizeof(out), 0); /* cut */
    for (int i = 0; i < 200; i++) { /* random bytes */
        char junk[512];
        for (size_t k = 0; k < sizeof(junk); k++)
            junk[k] = (char)(rand() & 0xff);
        if (i % 2)
            memcpy(junk, "POST /api/x HTTP/1.1\r\n", 22);
        raw(nd->http_port, junk, sizeof(junk), out, sizeof(out), 0);
    }
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/status"), 200);
    /* a body that never arrives: the connection is closed at the deadline
     * while other requests are served */
    t0 = proc_mono_ms();
    {
        pid_t kid = fork();
        ASSERT(kid >= 0);
        if (kid == 0) {
            raw(nd->http_port, req, strlen(req), out, sizeof(out), 30000);
            _exit(0);
        }
        proc_sleep_ms(300);
        ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/status"),
                  200);
        ASSERT(proc_mono_ms() - t0 < 5000);
        {
            int st;
            uint64_t t1 = proc_mono_ms();
            /* the child returns when the server closes on it */
            raw(nd->http_port, req, strlen(req), out, sizeof(out), 1);
            ASSERT(proc_mono_ms() - t1 >= 9000 && proc_mono_ms() - t1 < 14000);
            kill(kid, SIGKILL);
            waitpid(kid, &st, 0);
        }
    }
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/status"), 200);
    node_stop(0);
}

/* --http on an address in use: the node says so and exits 1. */
static void
t_http_address_in_use(void)
{
    char out[4096], addr[64];

    if (!have_curl())
        return;
    net_create("http-inuse");
    node_start(0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", g_nodes[0].http_port);
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s node --http %s 2>&1",
                       proc_bin(), g_nodes[1].dir, addr),
              1);
    ASSERT(strstr(out, "http:"));
    ASSERT(strstr(out, "in use"));
    ASSERT_EQ(proc_run(out, sizeof(out), "%s -C %s node --http nonsense 2>&1",
                       proc_bin(), g_nodes[1].dir),
              1);
    ASSERT(strstr(out, "HOST:PORT"));
    node_stop(0);
}

/* A write through DE's API is visible through FR's API after sync, and
 * an ms record never reaches the Commission's node. */
/* Waits until GET /api/status says its view hash is the current view's
 * and `ilonet status` computes the same one; the hash into out (65). */
static void
status_hash_settles(struct hnode *nd, char *out)
{
    static char js[1 << 16], cli[1 << 16];
    uint64_t t0 = proc_mono_ms();
    char want[65];

    for (;;) {
        ASSERT_EQ(curl(nd, js, sizeof(js), nd->token, NULL, "/api/status"),
                  200);
        ASSERT(strstr(js, "\"view_hash_at_ms\":"));
        if (strstr(js, "\"view_hash_current\":true") &&
            proc_json_str(js, "view_hash", out, 65) == 0 &&
            proc_status_json(nd->dir, cli, sizeof(cli)) == 0 &&
            proc_json_str(cli, "view_hash", want, sizeof(want)) == 0 &&
            strcmp(out, want) == 0)
            return;
        ASSERT(proc_mono_ms() - t0 < 20000);
        proc_sleep_ms(100);
    }
}

/* The view hash a report of nd states through the API is the one
 * `ilonet report` states in another process (each the keeper's shared
 * hash of the audience net while the view is as it saw it, else its own:
 * http_hash.c); into out (65). That a shared hash equals a computed one
 * is tests/test_app_read.c's. */
static void
report_hash_is_the_views(struct hnode *nd, char *out)
{
    static char js[1 << 20], cli[1 << 20];
    char want[65];

    ASSERT_EQ(curl(nd, js, sizeof(js), nd->token, NULL,
                   "/api/report?semester=2026-H2&format=json"),
              200);
    ASSERT_EQ(proc_json_str(js, "view_hash", out, 65), 0);
    ASSERT_EQ(proc_run(cli, sizeof(cli),
                       "%s -C %s report --semester 2026-H2 --format json",
                       proc_bin(), nd->dir),
              0);
    ASSERT_EQ(proc_json_str(cli, "view_hash", want, sizeof(want)), 0);
    ASSERT_STR_EQ(out, want);
}

static void
t_http_write_visible_after_sync(void)
{
    char out[1 << 16], id[80], path[200];
    const char *p;
    uint64_t t0;
    int seen = 0;

    if (!have_curl())
        return;
    net_create("http-sync");
    for (int i = 0; i < NODES; i++)
        node_start(i);
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), g_nodes[0].token,
                   "-X POST -d '{\"category\":\"flows\",\"summary\":\"Seen "
                   "from FR\",\"figure\":7,\"unit\":\"persons\","
                   "\"nationality\":[\"SY\",\"AF\"]}'",
                   "/api/observations"),
              201);
    ASSERT((p = strstr(out, "\"id\":\"")));
    snprintf(id, sizeof(id), "%.64s", p + 6);
    snprintf(path, sizeof(path), "/api/observations/%s", id);
    t0 = proc_mono_ms();
    while (!seen) {
        int code =
            curl(&g_nodes[1], out, sizeof(out), g_nodes[1].token, NULL, path);
        seen = code == 200;
        if (!seen) {
            ASSERT_EQ(code, 404);
            ASSERT(proc_mono_ms() - t0 < 20000);
            proc_sleep_ms(100);
        }
    }
    printf("  visible on FR after %llu ms\n",
           (unsigned long long)(proc_mono_ms() - t0));
    ASSERT(strstr(out, "\"nationality\":\"SY,AF\""));
    ASSERT(strstr(out, "\"audience\":\"net\""));
    ASSERT(strstr(out, "\"state\":\"DE\""));
    ASSERT_EQ(curl(&g_nodes[1], out, sizeof(out), g_nodes[1].token, NULL,
                   "/api/observations?text=seen%20from&state=DE"),
              200);
    ASSERT(strstr(out, id));
    /* a meeting without the Commission: ms; FR gets it, EU never does */
    ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), g_nodes[0].token,
                   "-X POST -d '{\"date\":\"2026-07-02\",\"place\":\"Ankara\","
                   "\"convenor\":\"DE\",\"participants\":\"DE,FR\","
                   "\"commission\":\"excluded\",\"topics\":\"Closed "
                   "session\"}'",
                   "/api/meetings"),
              201);
    ASSERT(strstr(out, "\"audience\":\"ms\""));
    ASSERT((p = strstr(out, "\"id\":\"")));
    snprintf(path, sizeof(path), "/api/meetings/%.64s", p + 6);
    t0 = proc_mono_ms();
    while (curl(&g_nodes[1], out, sizeof(out), g_nodes[1].token, NULL, path) !=
           200) {
        ASSERT(proc_mono_ms() - t0 < 20000);
        proc_sleep_ms(100);
    }
    proc_sleep_ms(1500); /* the Commission's node has had every chance */
    ASSERT_EQ(curl(&g_nodes[2], out, sizeof(out), g_nodes[2].token, NULL, path),
              404);
    ASSERT_EQ(curl(&g_nodes[2], out, sizeof(out), g_nodes[2].token, NULL,
                   "/api/meetings"),
              200);
    ASSERT(!strstr(out, "Closed session"));
    /* status shows the peers and members */
    ASSERT_EQ(curl(&g_nodes[1], out, sizeof(out), g_nodes[1].token, NULL,
                   "/api/status"),
              200);
    ASSERT(strstr(out, "\"connected\":true"));
    ASSERT(strstr(out, "\"members\":[{"));
    /* the view hash of status comes from the server's keeper thread: soon
     * the current view's, the one `ilonet status` computes, and it
     * follows a write; a report states the view's hash of its audience,
     * offered by the keeper too, before and after the write */
    {
        char first[65], rep[65], rep2[65];

        status_hash_settles(&g_nodes[1], first);
        report_hash_is_the_views(&g_nodes[1], rep);
        ASSERT_EQ(curl(&g_nodes[1], out, sizeof(out), g_nodes[1].token,
                       "-X POST -d '{\"category\":\"routes\",\"summary\":"
                       "\"After the hash\"}'",
                       "/api/observations"),
                  201);
        /* at once, before the keeper: never the stale shared hash */
        report_hash_is_the_views(&g_nodes[1], rep2);
        ASSERT(strcmp(rep2, rep) != 0);
        status_hash_settles(&g_nodes[1], out);
        ASSERT(strcmp(out, first) != 0);
        report_hash_is_the_views(&g_nodes[1], rep2);
        ASSERT(strcmp(rep2, rep) != 0);
    }
    for (int i = 0; i < NODES; i++)
        node_stop(i);
}

/* Every sh block of docs/API.md runs, in order, against DE and FR. */
static void
t_http_docs_examples_run(void)
{
    static char out[1 << 20];
    char script[700], tmpl[700];
    const char *src = getenv("ILONET_SRC");
    FILE *in, *sh;
    char line[4096];
    int in_block = 0, blocks = 0;

    if (!have_curl())
        return;
    snprintf(tmpl, sizeof(tmpl), "%s/docs/API.md", src ? src : ".");
    in = fopen(tmpl, "r");
    ASSERT(in);
    net_create("http-docs");
    node_start(0);
    node_start(1);
    snprintf(script, sizeof(script), "%s/api-examples.sh", g_root);
    sh = fopen(script, "w");
    ASSERT(sh);
    fprintf(sh, "set -e\ncd '%s'\n", g_root);
    while (fgets(line, sizeof(line), in)) {
        if (!in_block && strncmp(line, "```sh", 5) == 0) {
            in_block = 1;
            blocks++;
            fprintf(sh, "echo '--- block %d'\n", blocks);
            continue;
        }
        if (in_block && strncmp(line, "```", 3) == 0) {
            in_block = 0;
            fputs("echo\n", sh);
            continue;
        }
        if (in_block)
            fputs(line, sh);
    }
    fclose(in);
    fclose(sh);
    ASSERT_GE(blocks, 6);
    if (proc_run(out, sizeof(out),
                 "ILONET_URL='%s' TOKEN='%s' FR_URL='%s' FR_TOKEN='%s' "
                 "sh %s 2>&1",
                 g_nodes[0].base, g_nodes[0].token, g_nodes[1].base,
                 g_nodes[1].token, script) != 0)
        TEST_FAIL_("docs/API.md examples failed:\n%s", out);
    ASSERT(strstr(out, "\"error\":\"unauthorised\""));
    ASSERT(strstr(out, "field 'category': unknown value 'weather'"));
    ASSERT(strstr(out, "\"audience\":\"ms\""));
    ASSERT(strstr(out, "\"audience\":\"DE+FR\""));
    ASSERT(strstr(out, "# Report on the activities"));
    /* issue 15's endpoints: search, the desk, live updates, sign-in */
    ASSERT(strstr(out, "\"snippet\":["));
    ASSERT(strstr(out, "\"regime\":\"377-2004\""));
    ASSERT(strstr(out, "\"grants_expiring\":["));
    ASSERT(strstr(out, "\"node\":\"online\""));
    ASSERT(strstr(out, "\"via\":\"bootstrap-token\""));
    ASSERT(strstr(out, "\"field\":\"q\""));
    ASSERT(strstr(out, "wrong user name or password"));
    {
        struct stat sb;
        snprintf(tmpl, sizeof(tmpl), "%s/report-TR-2026-H2.html", g_root);
        ASSERT_EQ(stat(tmpl, &sb), 0); /* -OJ saved the download */
        ASSERT_GE(sb.st_size, 5000);
    }
    /* the task went through accept, start, done on FR's node: DE shows it
     * once the transitions have synced (poll; generous deadline) */
    uint64_t until = proc_mono_ms() + 20000;
    for (;;) {
        ASSERT_EQ(curl(&g_nodes[0], out, sizeof(out), g_nodes[0].token, NULL,
                       "/api/tasks?status=done"),
                  200);
        if (strstr(out, "Joint assessment") || proc_mono_ms() > until)
            break;
        proc_sleep_ms(100);
    }
    ASSERT(strstr(out, "Joint assessment"));
    node_stop(0);
    node_stop(1);
}

/* DNS rebinding: a request whose Host is not this server's address or
 * localhost gets 421 before the token is even looked at, for the API and
 * the page alike; localhost with the real port is served. */
static void
t_http_foreign_host_refused(void)
{
    char out[65536], hdr[200];
    struct hnode *nd;

    if (!have_curl())
        return;
    net_create("http-host");
    node_start(0);
    nd = &g_nodes[0];
    snprintf(hdr, sizeof(hdr), "-H 'Host: rebound.example:%d'", nd->http_port);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, hdr, "/api/status"), 421);
    ASSERT(strstr(out, "\"error\":\"misdirected\""));
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, hdr, "/"), 421);
    snprintf(hdr, sizeof(hdr), "-H 'Host: 127.0.0.1'");
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, hdr, "/api/status"), 421);
    snprintf(hdr, sizeof(hdr), "-H 'Host: LOCALHOST:%d'", nd->http_port);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, hdr, "/api/status"), 200);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, hdr, "/"), 200);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/status"), 200);
    node_stop(0);
}

/* ---- issue 15: officers, the desk, search, live updates, TLS ------------ */

#define PW "correct horse battery"

/* Runs `ilonet -C DIR ARGS` (a shell fragment): its exit status. */
static int
ilo(char *out, size_t cap, const char *dir, const char *args)
{
    return proc_run(out, cap, "'%s' -C '%s' %s 2>&1", proc_bin(), dir, args);
}

static void
user_add(struct hnode *nd, const char *name, const char *pw)
{
    char out[1024];

    ASSERT_EQ(proc_run(out, sizeof(out),
                       "echo '%s' | '%s' -C '%s' user add %s "
                       "--password-stdin 2>&1",
                       pw, proc_bin(), nd->dir, name),
              0);
}

/* Signs in: 0 and the CSRF token (cookie into jar), or the HTTP status. */
static int
sign_in(struct hnode *nd, const char *jar, const char *user, const char *pw,
        char csrf[65], char *out, size_t cap)
{
    char extra[600];
    int code;

    snprintf(extra, sizeof(extra),
             "-c '%s' -X POST -d '{\"user\":\"%s\",\"password\":\"%s\"}'", jar,
             user, pw);
    code = curl(nd, out, cap, NULL, extra, "/api/session");
    if (code != 200)
        return code;
    ASSERT_EQ(proc_json_str(out, "csrf", csrf, 65), 0);
    return 0;
}

/* Sessions: sign-in, CSRF on writes, sign-out, user tokens, accounts
 * removed meanwhile, a restart ending every session; the bootstrap token
 * keeps working through all of it. */
static void
t_desk_signin_sessions_tokens(void)
{
    char out[8192], jar[600], extra[900], csrf[65], tok[128], id[65];
    struct hnode *nd;
    long long before;

    if (!have_curl())
        return;
    net_create("desk-signin");
    nd = &g_nodes[0];
    user_add(nd, "anna", PW);
    node_start(0);
    snprintf(jar, sizeof(jar), "%s/jar", g_root);
    before = entries(nd);
    /* no credential: 401, also for the session endpoint's reads */
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, NULL, "/api/session"), 401);
    /* wrong password: 401 naming the field, and nothing stored */
    ASSERT_EQ(
        sign_in(nd, jar, "anna", "wrong password x", csrf, out, sizeof(out)),
        401);
    ASSERT(strstr(out, "\"field\":\"password\""));
    ASSERT(strstr(out, "wrong user name or password"));
    ASSERT_EQ(sign_in(nd, jar, "nobody", PW, csrf, out, sizeof(out)), 401);
    ASSERT(strstr(out, "wrong user name or password"));
    /* the right one: a session cookie, HttpOnly and SameSite=Strict */
    snprintf(
        extra, sizeof(extra),
        "-D - -c '%s' -X POST -d '{\"user\":\"anna\",\"password\":\"%s\"}'",
        jar, PW);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 200);
    ASSERT(strstr(out, "Set-Cookie: ilonet_session="));
    ASSERT(strstr(out, "HttpOnly; SameSite=Strict; Max-Age=43200"));
    ASSERT(!strstr(out, "Secure")); /* plain HTTP on loopback */
    ASSERT(strstr(out, "\"user\":\"anna\""));
    ASSERT_EQ(proc_json_str(strstr(out, "{\"user\""), "csrf", csrf, 65), 0);
    snprintf(extra, sizeof(extra), "-b '%s'", jar);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 200);
    ASSERT(strstr(out, "\"via\":\"cookie\""));
    ASSERT(strstr(out, "\"state\":\"DE\""));
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/status"), 200);
    /* a write with the cookie needs the CSRF header and our origin */
    snprintf(extra, sizeof(extra),
             "-b '%s' -X POST -d '{\"category\":\"flows\",\"summary\":\"x\"}'",
             jar);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/observations"),
              403);
    ASSERT(strstr(out, "\"error\":\"csrf\""));
    snprintf(extra, sizeof(extra),
             "-b '%s' -H 'X-CSRF-Token: %s' -H 'Origin: http://evil.example' "
             "-X POST -d '{\"category\":\"flows\",\"summary\":\"x\"}'",
             jar, csrf);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/observations"),
              403);
    ASSERT(strstr(out, "\"error\":\"csrf\""));
    ASSERT_EQ(entries(nd), before); /* nothing written */
    snprintf(extra, sizeof(extra),
             "-b '%s' -H 'X-CSRF-Token: %s' -H 'Origin: %s' -X POST -d "
             "'{\"category\":\"flows\",\"summary\":\"by anna\"}'",
             jar, csrf, nd->base);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/observations"),
              201);
    ASSERT_EQ(proc_json_str(out, "id", id, sizeof(id)), 0);
    /* a user token for scripts; revoked, it stops at once */
    ASSERT_EQ(proc_run(tok, sizeof(tok),
                       "'%s' -C '%s' user token anna "
                       "2>/dev/null",
                       proc_bin(), nd->dir),
              0);
    *strchr(tok, '\n') = '\0';
    ASSERT_EQ(curl(nd, out, sizeof(out), tok, NULL, "/api/session"), 200);
    ASSERT(strstr(out, "\"via\":\"user-token\""));
    ASSERT(strstr(out, "\"user\":\"anna\""));
    ASSERT_EQ(curl(nd, out, sizeof(out), tok,
                   "-X POST -d '{\"category\":\"flows\",\"summary\":\"y\"}'",
                   "/api/observations"),
              201); /* no CSRF header needed for a bearer */
    ASSERT_EQ(ilo(out, sizeof(out), nd->dir, "user token anna --revoke"), 0);
    ASSERT_EQ(curl(nd, out, sizeof(out), tok, NULL, "/api/session"), 401);
    /* sign out: the cookie no longer works */
    snprintf(extra, sizeof(extra), "-b '%s' -H 'X-CSRF-Token: %s' -X DELETE",
             jar, csrf);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 200);
    ASSERT(strstr(out, "\"signed_out\":true"));
    snprintf(extra, sizeof(extra), "-b '%s'", jar);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 401);
    ASSERT(strstr(out, "session expired: sign in again"));
    /* an unknown cookie reads the same */
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL,
                   "-b 'ilonet_session=00112233445566778899aabbccddeeff"
                   "00112233445566778899aabbccddeeff'",
                   "/api/status"),
              401);
    ASSERT(strstr(out, "session expired"));
    /* an account removed: its session ends */
    ASSERT_EQ(sign_in(nd, jar, "anna", PW, csrf, out, sizeof(out)), 0);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 200);
    ASSERT_EQ(ilo(out, sizeof(out), nd->dir, "user remove anna"), 0);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 401);
    /* a restart ends every session (they live in the server's memory) */
    user_add(nd, "anna", PW);
    ASSERT_EQ(sign_in(nd, jar, "anna", PW, csrf, out, sizeof(out)), 0);
    node_stop(0);
    node_start(0);
    ASSERT_EQ(curl(nd, out, sizeof(out), NULL, extra, "/api/session"), 401);
    ASSERT(strstr(out, "session expired"));
    /* the bootstrap token still works */
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, "/api/session"), 200);
    ASSERT(strstr(out, "\"via\":\"bootstrap-token\""));
    snprintf(extra, sizeof(extra), "/api/observations/%s", id);
    ASSERT_EQ(curl(nd, out, sizeof(out), nd->token, NULL, extra), 200);
    node_stop(0);
}

/* Lockout: five failures lock one account for 15 minutes (the right
 * password included), others sign in; unknown names share one budget. */
static void
t_desk_lockout(void)
{
    char out[8192], jar[600], csrf[65], name[32];
    struct hnode *nd;
    int code = 0;

    if (!have_curl())
        return;
    net_create("desk-lock");
    nd = &g_nodes[0];
    user_add(nd, "anna", PW);
    user_add(nd, "bob", PW);
    node_start(0);
    snprintf(jar, sizeof(jar), "%s/jar", g_root);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(sign_in(nd, jar, "anna", "not the password", csrf, out,
                          sizeof(out)),
                  401);
    ASSERT_EQ(sign_in(nd, jar, "anna", PW, csrf, out, sizeof(out)), 429);
    ASSERT(strstr(out, "\"error\":\"locked\""));
    ASSERT(strstr(out, "\"field\":\"user\""));
    ASSERT(strstr(out, "locked after 5 failed sign-ins"));
    ASSERT_EQ(sign_in(nd, jar, "bob", PW, csrf, out, sizeof(out)), 0);
    /* unknown names: HTTP__UNKNOWN_PER_MIN a minute, then 429 */
    for (int i = 0; i < 25 && code != 429; i++) {
        snprintf(name, sizeof(name), "ghost%d", i);
        code = sign_in(nd, jar, name, PW, csrf, out, sizeof(out));
        if (code != 401 && code != 429)
            TEST_FAIL_("sign-in %d: %d %s", i, code, out);
        if (code == 429)
            ASSERT_GE(i, 20);
    }
    ASSERT_EQ(code, 429);
    ASSERT(strstr(out, "\"error\":\"locked\""));
    /* a known account is not blocked by that budget */
    ASSERT_EQ(sign_in(nd, jar, "bob", PW, csrf, out, sizeof(out)), 0);
    node_stop(0);
}

/* The bad input: a 4xx JSON error naming the field, nothing
 * stored. */
static void
t_desk_bad_input(void)
{
    static const struct {
        const char *extra, *path;
        int status;
        const char *want;
    } cases[] = {
        {"-X POST -d '{\"user\":\"anna\",\"password\":\"wrong one here\"}'",
         "/api/session", 401, "\"field\":\"password\""},
        {"-X POST -d '{\"user\":\"anna\"}'", "/api/session", 400,
         "\"field\":\"password\""},
        {"-X POST -d '{\"user\":\"anna\",\"password\":\"x\",\"pin\":1}'",
         "/api/session", 400, "\"field\":\"pin\""},
        {"-H 'Authorization: Bearer TOKEN' -X POST -d "
         "'{\"category\":\"weather\",\"summary\":\"a\"}'",
         "/api/observations", 400, "\"field\":\"category\""},
        {"-H 'Authorization: Bearer TOKEN' -X POST -d "
         "'{\"title\":\"t\",\"type\":\"picnic\",\"date\":\"2026-07-10\"}'",
         "/api/trainings", 400, "\"field\":\"type\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/search?q=%22open", 400,
         "\"field\":\"q\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/search?q=van%20OR", 400,
         "OR needs a word after it"},
        {"-H 'Authorization: Bearer TOKEN'", "/api/search?q=(van", 400,
         "unbalanced parenthesis"},
        {"-H 'Authorization: Bearer TOKEN'", "/api/search", 400,
         "\"field\":\"q\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/search?q=van&kind=cats", 400,
         "\"field\":\"kind\""},
        {"-H 'Authorization: Bearer TOKEN'",
         "/api/search?q=van&after=s00000000.0000000000000000.1", 400,
         "\"field\":\"after\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/observations/abcdef0123",
         404, "abcdef0123"},
        {"-H 'Authorization: Bearer TOKEN' -X POST -d '{\"reason\":\"x\"}'",
         "/api/observations/abcdef0123/retract", 404, "abcdef0123"},
        {"-H 'Authorization: Bearer TOKEN' -X POST -d '{}'",
         "/api/tasks/abcdef0123/accept", 404, "abcdef0123"},
        {"-H 'Authorization: Bearer TOKEN'", "/api/desk?days=0", 400,
         "\"field\":\"days\""},
        {"-H 'Authorization: Bearer TOKEN' -X POST -d '{\"mark\":\"zz\"}'",
         "/api/desk/seen", 400, "\"field\":\"mark\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/events?since=nope", 400,
         "\"field\":\"since\""},
        {"-H 'Authorization: Bearer TOKEN'", "/api/events?wait=60", 400,
         "\"field\":\"wait\""},
        {"-b 'ilonet_session=0000000000000000000000000000000000000000000000"
         "000000000000000000'",
         "/api/desk", 401, "session expired"},
    };
    char out[8192], extra[1200];
    struct hnode *nd;
    long long before;

    if (!have_curl())
        return;
    net_create("desk-bad");
    nd = &g_nodes[0];
    user_add(nd, "anna", PW);
    node_start(0);
    before = entries(nd);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = strstr(cases[i].extra, "TOKEN");
        int code;
        if (t)
            snprintf(extra, sizeof(extra), "%.*s%s%s",
                     (int)(t - cases[i].extra), cases[i].extra, nd->token,
                     t + 5);
        else
            snprintf(extra, sizeof(extra), "%s", cases[i].extra);
        code = curl(nd, out, sizeof(out), NULL, extra, cases[i].path);
        if (code != cases[i].status || !strstr(out, cases[i].want) ||
            !strstr(out, "\"message\":") || strstr(out, "fts5") ||
            strstr(out, "SQL"))
            TEST_FAIL_("case %zu (%s): %d %s", i, cases[i].path, code, out);
    }
    ASSERT_EQ(entries(nd), before); /* nothing stored by any of them */
    node_stop(0);
}

/* Search across kinds through the API and the CLI, the vocabulary for
 * forms, and a grant published by both states listed once. */
static void
t_desk_search_vocab_grants(void)
{
    char out[1 << 16], path[700], cmd[2000], until[16];
    struct hnode *de, *fr;
    time_t t;
    struct tm tm;

    if (!have_curl())
        return;
    net_create("desk-search");
    de = &g_nodes[0];
    fr = &g_nodes[1];
    node_start(0);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token,
                   "-X POST -d '{\"category\":\"flows\",\"summary\":"
                   "\"Irregular crossings at Van rising\",\"detail\":\"groups "
                   "cross at night\"}'",
                   "/api/observations"),
              201);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token,
                   "-X POST -d '{\"counterpart\":\"Van governorate\",\"type\":"
                   "\"authority\",\"date\":\"2026-07-12\",\"summary\":\"Border "
                   "crossings discussed\"}'",
                   "/api/contacts"),
              201);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token,
                   "-X POST -d '{\"for\":\"FR\",\"title\":\"Count the "
                   "crossings near Van\"}'",
                   "/api/tasks"),
              201);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/search?q=van"),
              200);
    ASSERT_EQ(proc_json_num(out, "count"), 3);
    ASSERT(strstr(out, "\"kind\":\"observation\""));
    ASSERT(strstr(out, "\"kind\":\"contact\""));
    ASSERT(strstr(out, "\"kind\":\"task\""));
    ASSERT(strstr(out, "\"snippet\":["));
    ASSERT(strstr(out, "\"Van\"") || strstr(out, "\"van\""));
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL,
                   "/api/search?q=%22crossings%20at%20van%22"),
              200);
    ASSERT_EQ(proc_json_num(out, "count"), 1);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL,
                   "/api/search?q=cross*&kind=contacts"),
              200);
    ASSERT_EQ(proc_json_num(out, "count"), 1);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL,
                   "/api/search?q=van&limit=1"),
              200);
    ASSERT_EQ(proc_json_num(out, "count"), 1);
    ASSERT(!strstr(out, "\"next\":null"));
    /* the CLI finds the same */
    ASSERT_EQ(ilo(out, sizeof(out), de->dir, "search 'van NOT night'"), 0);
    ASSERT(strstr(out, "contact"));
    ASSERT(!strstr(out, "Irregular"));
    /* the vocabulary for forms */
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/vocab"), 200);
    ASSERT(strstr(out, "\"regime\":\"377-2004\""));
    ASSERT(strstr(out, "{\"name\":\"category\",\"label\":\"Category\""));
    ASSERT(strstr(out, "\"values\":\"categories\""));
    ASSERT(strstr(out, "{\"code\":\"flows\",\"label\":"));
    ASSERT(strstr(out, "\"name\":\"units\""));
    ASSERT(strstr(out, "\"name\":\"reliability\""));
    ASSERT(!strstr(out, "{\"name\":\"grant\",\"label\"")); /* internal */
    /* a grant from DE to FR ending in ten days, published by both */
    t = (time_t)(proc_wall_ms() / 1000) + 10 * 86400;
    gmtime_r(&t, &tm);
    strftime(until, sizeof(until), "%Y-%m-%d", &tm);
    snprintf(path, sizeof(path), "%s/grant", g_root);
    snprintf(cmd, sizeof(cmd),
             "grant issue --state-key '%s/authority/DE.key' --to FR "
             "--network '%s/network' --until %s --out '%s'",
             g_root, g_root, until, path);
    ASSERT_EQ(ilo(out, sizeof(out), de->dir, cmd), 0);
    snprintf(cmd, sizeof(cmd), "grant publish '%s'", path);
    ASSERT_EQ(ilo(out, sizeof(out), de->dir, cmd), 0);
    ASSERT_EQ(ilo(out, sizeof(out), fr->dir, cmd), 0);
    snprintf(cmd, sizeof(cmd), "export --out '%s/fr.export'", g_root);
    ASSERT_EQ(ilo(out, sizeof(out), fr->dir, cmd), 0);
    snprintf(cmd, sizeof(cmd), "import '%s/fr.export'", g_root);
    ASSERT_EQ(ilo(out, sizeof(out), de->dir, cmd), 0);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/grants"), 200);
    ASSERT(strstr(out, "\"published_by\":\"DE,FR\""));
    ASSERT(strstr(out, "\"in_force\":1"));
    {
        const char *first = strstr(out, "\"represented\":\"DE\"");
        ASSERT(first);
        if (strstr(first + 1, "\"represented\":\"DE\""))
            TEST_FAIL_("the grant is listed twice: %s", out);
    }
    /* on the desk: expiring within 30 days, once */
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"grants_expiring\":[{"));
    ASSERT(strstr(out, "\"days_left\":9") || strstr(out, "\"days_left\":10"));
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/desk?days=5"),
              200);
    ASSERT(strstr(out, "\"grants_expiring\":[]"));
    node_stop(0);
}

/* Waits (polling, generous) until node nd holds a record whose text has
 * needle (GET /api/recent). */
static void
wait_recent(struct hnode *nd, const char *needle)
{
    char out[1 << 16];
    uint64_t until = proc_mono_ms() + 30000;

    for (;;) {
        ASSERT_EQ(
            curl(nd, out, sizeof(out), nd->token, NULL, "/api/recent?limit=50"),
            200);
        if (strstr(out, needle))
            return;
        if (proc_mono_ms() > until)
            TEST_FAIL_("%s never reached %s", needle, nd->dir);
        proc_sleep_ms(100);
    }
}

/* My desk between two running nodes: the task FR must act on with its
 * actions, what is new since FR's last visit, and fork evidence explained. */
static void
t_desk_tasks_new_evidence(void)
{
    char out[1 << 16], mark[4200], body[4400], cmd[2400], eu[600], eu2[700];
    struct hnode *de, *fr;

    if (!have_curl())
        return;
    net_create("desk-tasks");
    de = &g_nodes[0];
    fr = &g_nodes[1];
    node_start(0);
    node_start(1);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token,
                   "-X POST -d '{\"for\":\"FR\",\"title\":\"Joint check of "
                   "forged visas\",\"due\":\"2026-09-30\"}'",
                   "/api/tasks"),
              201);
    wait_recent(fr, "Joint check of forged visas");
    ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"state\":\"FR\""));
    ASSERT(strstr(out, "\"role\":\"assignee\",\"actions\":[\"accept\","
                       "\"decline\"]"));
    ASSERT(strstr(out, "\"first\":true"));
    ASSERT(strstr(out, "\"tasks_count\":1,")); /* the one listed */
    ASSERT_EQ(proc_json_str(out, "mark", mark, sizeof(mark)), 0);
    /* FR saw it; DE writes more */
    snprintf(body, sizeof(body), "-X POST -d '{\"mark\":\"%s\"}'", mark);
    ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, body, "/api/desk/seen"),
              200);
    ASSERT_EQ(curl(de, out, sizeof(out), de->token,
                   "-X POST -d '{\"category\":\"routes\",\"summary\":\"New "
                   "route over Kars\"}'",
                   "/api/observations"),
              201);
    wait_recent(fr, "New route over Kars");
    ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"first\":false,\"count\":1,\"items\":[{"));
    ASSERT(strstr(out, "New route over Kars"));
    /* FR accepts: the next steps change; DE, the creator, may cancel */
    ASSERT_EQ(
        curl(fr, out, sizeof(out), fr->token, NULL, "/api/tasks?status=open"),
        200);
    {
        char id[65], p[120];
        ASSERT_EQ(proc_json_str(out, "id", id, sizeof(id)), 0);
        snprintf(p, sizeof(p), "/api/tasks/%s/accept", id);
        ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, "-X POST", p), 201);
    }
    ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"actions\":[\"start\",\"done\",\"decline\"]"));
    ASSERT_EQ(curl(de, out, sizeof(out), de->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"role\":\"creator\",\"actions\":[\"cancel\"]"));
    /* Fork evidence, explained: EU's home copied, both copies write, FR
     * imports both. */
    snprintf(eu, sizeof(eu), "%s", g_nodes[2].dir);
    snprintf(eu2, sizeof(eu2), "%s-copy", eu);
    ASSERT_EQ(
        ilo(out, sizeof(out), eu, "observe --category routes --summary one"),
        0);
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", eu, eu2);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_EQ(
        ilo(out, sizeof(out), eu, "observe --category routes --summary A"), 0);
    ASSERT_EQ(
        ilo(out, sizeof(out), eu2, "observe --category routes --summary B"), 0);
    snprintf(cmd, sizeof(cmd), "export --out '%s/eu1'", g_root);
    ASSERT_EQ(ilo(out, sizeof(out), eu, cmd), 0);
    snprintf(cmd, sizeof(cmd), "export --out '%s/eu2'", g_root);
    ASSERT_EQ(ilo(out, sizeof(out), eu2, cmd), 0);
    snprintf(cmd, sizeof(cmd), "import '%s/eu1'", g_root);
    ASSERT_EQ(ilo(out, sizeof(out), fr->dir, cmd), 0);
    snprintf(cmd, sizeof(cmd), "import '%s/eu2'", g_root);
    ilo(out, sizeof(out), fr->dir, cmd); /* exits 1: a fork was found */
    ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, "/api/desk"), 200);
    ASSERT(strstr(out, "\"attention\":[{\"type\":\"fork\""));
    ASSERT(strstr(out, "\"author_state\":\"EU\""));
    ASSERT(strstr(out, "EU's node signed two different entries"));
    ASSERT(strstr(out, "\"todo\":\"Tell EU's liaison officer"));
    node_stop(0);
    node_stop(1);
}

/* Live updates: a long poll on FR returns when an entry written on DE
 * arrives (no polling by the client), and says when a peer goes away. */
static void
t_desk_live_update_from_second_node(void)
{
    char out[1 << 16], cursor[4200], path[4400];
    struct hnode *de, *fr;
    uint64_t t0, until;

    if (!have_curl())
        return;
    net_create("desk-live");
    de = &g_nodes[0];
    fr = &g_nodes[1];
    node_start(0);
    node_start(1);
    /* wait until FR reports DE reachable */
    until = proc_mono_ms() + 30000;
    for (;;) {
        ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, "/api/events"),
                  200);
        if (strstr(out, "\"reachable\":true") || proc_mono_ms() > until)
            break;
        proc_sleep_ms(100);
    }
    ASSERT(strstr(out, "\"node\":\"online\""));
    ASSERT(strstr(out, "\"reachable\":true"));
    ASSERT_EQ(proc_json_str(out, "cursor", cursor, sizeof(cursor)), 0);
    /* the poll is held; DE writes meanwhile (in the background) */
    {
        char bg[2000];
        snprintf(bg, sizeof(bg),
                 "(sleep 1; curl -s -H 'Authorization: Bearer %s' -X POST "
                 "-d '{\"category\":\"incidents\",\"summary\":\"Boat capsized "
                 "off Bodrum\"}' '%s/api/observations' >/dev/null) &",
                 de->token, de->base);
        ASSERT_EQ(system(bg), 0);
    }
    t0 = proc_mono_ms();
    for (;;) {
        snprintf(path, sizeof(path), "/api/events?since=%s&wait=20", cursor);
        ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, path), 200);
        if (strstr(out, "Boat capsized off Bodrum"))
            break;
        /* a peer table change may come first: follow the cursor */
        ASSERT_EQ(proc_json_str(out, "cursor", cursor, sizeof(cursor)), 0);
        if (proc_mono_ms() > t0 + 60000)
            TEST_FAIL_("the entry never came: %s", out);
    }
    ASSERT(strstr(out, "\"changed\":true"));
    printf("  arrived on FR %llu ms after the poll began (DE wrote at "
           "about 1000 ms)\n",
           (unsigned long long)(proc_mono_ms() - t0));
    /* DE stops: FR's events say DE is unreachable */
    ASSERT_EQ(proc_json_str(out, "cursor", cursor, sizeof(cursor)), 0);
    node_stop(0);
    until = proc_mono_ms() + 30000;
    for (;;) {
        snprintf(path, sizeof(path), "/api/events?since=%s&wait=20", cursor);
        ASSERT_EQ(curl(fr, out, sizeof(out), fr->token, NULL, path), 200);
        if (strstr(out, "\"reachable\":false") || proc_mono_ms() > until)
            break;
        ASSERT_EQ(proc_json_str(out, "cursor", cursor, sizeof(cursor)), 0);
    }
    ASSERT(strstr(out, "\"reachable\":false"));
    node_stop(1);
}

/* TLS: a non-loopback --http is refused without a certificate; with one
 * the page and the API speak https only and cookies are Secure. */
static void
t_desk_tls(void)
{
    char out[8192], addr[64], cert[700], key[700], cmd[2400], base[128];
    struct hnode *nd;
    int st;
    pid_t pid;

    if (!have_curl())
        return;
    net_create("desk-tls");
    nd = &g_nodes[0];
    snprintf(addr, sizeof(addr), "0.0.0.0:%d", nd->http_port);
    snprintf(cmd, sizeof(cmd), "node --listen '' --http %s", addr);
    ASSERT_EQ(ilo(out, sizeof(out), nd->dir, cmd), 1);
    ASSERT(strstr(out, "not a loopback address: give --http-cert FILE and "
                       "--http-key FILE"));
    ASSERT(strstr(out, "reverse proxy"));
    if (system("command -v openssl >/dev/null 2>&1") != 0) {
        printf("  SKIP the https part: openssl is not installed\n");
        return;
    }
    snprintf(cert, sizeof(cert), "%s/cert.pem", g_root);
    snprintf(key, sizeof(key), "%s/key.pem", g_root);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out "
             "'%s' -days 2 -subj /CN=ilo-de.test -addext "
             "subjectAltName=DNS:ilo-de.test >/dev/null 2>&1",
             key, cert);
    ASSERT_EQ(system(cmd), 0);
    /* a key readable by others is refused */
    ASSERT_EQ(chmod(key, 0644), 0);
    snprintf(cmd, sizeof(cmd),
             "node --listen '' --http %s --http-cert '%s' --http-key '%s'",
             addr, cert, key);
    ASSERT_EQ(ilo(out, sizeof(out), nd->dir, cmd), 1);
    ASSERT(strstr(out, "readable by others"));
    ASSERT_EQ(chmod(key, 0600), 0);
    user_add(nd, "anna", PW);
    {
        const char *args[] = {
            "--listen", "",           "--http", addr,          "--http-cert",
            cert,       "--http-key", key,      "--http-name", "ilo-de.test",
            NULL};
        unlink(nd->log);
        pid = proc_node_spawn(nd->dir, nd->log, PROC_LOG_TRUNC, NULL, args);
        ASSERT(pid >= 0);
        ASSERT_EQ(proc_wait_file(nd->log, "http: page at https://", 10000), 0);
    }
    snprintf(base, sizeof(base), "https://ilo-de.test:%d", nd->http_port);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "curl -s -m 20 --cacert '%s' --resolve "
                       "ilo-de.test:%d:127.0.0.1 -D - -X POST -d "
                       "'{\"user\":\"anna\",\"password\":\"%s\"}' "
                       "'%s/api/session'",
                       cert, nd->http_port, PW, base),
              0);
    ASSERT(strstr(out, "HTTP/1.1 200"));
    ASSERT(strstr(out, "HttpOnly; SameSite=Strict; Max-Age=43200; Secure"));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "curl -s -m 20 --cacert '%s' --resolve "
                       "ilo-de.test:%d:127.0.0.1 '%s/'",
                       cert, nd->http_port, base),
              0);
    ASSERT(strstr(out, "<script src=\"/app.js\""));
    /* plain http on the same port gets no answer */
    st = proc_run(out, sizeof(out), "curl -s -m 10 'http://127.0.0.1:%d/'",
                  nd->http_port);
    ASSERT(st != 0);
    ASSERT_EQ(proc_reap(pid, SIGTERM, &st), pid);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST_LIST = {
    TEST(t_http_token_and_auth),
    TEST(t_http_bad_requests),
    TEST(t_http_hostile_clients),
    TEST(t_http_foreign_host_refused),
    TEST(t_http_address_in_use),
    TEST(t_http_write_visible_after_sync),
    TEST(t_http_docs_examples_run),
    TEST(t_desk_signin_sessions_tokens),
    TEST(t_desk_lockout),
    TEST(t_desk_bad_input),
    TEST(t_desk_search_vocab_grants),
    TEST(t_desk_tasks_new_evidence),
    TEST(t_desk_live_update_from_second_node),
    TEST(t_desk_tls),
};

TEST_MAIN()
