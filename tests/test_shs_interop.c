/* test_shs_interop.c - our SHS/box-stream against the npm reference peer. */
/*
 * Pairs tests/tools/shs_echo (our C code) with tests/interop/shs_peer.js
 * (npm secret-handshake + pull-box-stream) over 127.0.0.1 TCP: 20
 * handshakes each way, a 1 MiB echo each way, and a wrong network key
 * refused each way. The npm packages are installed once into
 * build/interop-npm (or $ILONET_INTEROP_DIR) with --ignore-scripts and
 * without optional native addons, so the peer runs pure JS/wasm crypto.
 * Without node, npm, the network or the tool, each case prints
 * "SKIP shs interop: <why>" and passes. Run from the repository root.
 */
#include <limits.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/error.h"
#include "test.h"

#define PEER_JS "tests/interop/shs_peer.js"
#define PACKAGE_JSON "tests/interop/package.json"
#define HANDSHAKES 20
#define BIG (1024 * 1024)

struct env {
    char tool[1024];
    char npmdir[PATH_MAX];
    char netkey[65], other_netkey[65];
    char server_seed[65], server_pk[65];
    char client_seed[65], client_pk[65];
};

static int
skip(const char *why)
{
    printf("SKIP shs interop: %s\n", why);
    return 1;
}

static int
file_equal(const char *a, const char *b)
{
    char buf_a[4096], buf_b[4096];
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    size_t na = 0, nb = 0;
    int eq = 0;

    if (fa && fb) {
        na = fread(buf_a, 1, sizeof(buf_a), fa);
        nb = fread(buf_b, 1, sizeof(buf_b), fb);
        eq = na == nb && memcmp(buf_a, buf_b, na) == 0;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return eq;
}

static void
hexkey(char out[65], const char *label, uint8_t *raw_pk)
{
    uint8_t seed[32], pk[32], sk[64];

    crypto_hash_sha256(seed, (const uint8_t *)label, strlen(label));
    if (raw_pk) {
        crypto_sign_seed_keypair(pk, sk, seed);
        memcpy(raw_pk, pk, 32);
    }
    sodium_bin2hex(out, 65, seed, 32);
}

/* Installs the reference peer if needed; returns 0 ready, 1 skipped. */
static int
setup(struct env *e)
{
    const char *tools = getenv("ILONET_TOOLS");
    const char *dir = getenv("ILONET_INTEROP_DIR");
    char cmd[2 * PATH_MAX + 512], path[PATH_MAX + 64], abs[PATH_MAX];
    uint8_t pk[32];

    ASSERT(sodium_init() >= 0);
    memset(e, 0, sizeof(*e));
    snprintf(e->tool, sizeof(e->tool), "%s/shs_echo",
             tools ? tools : "build/tools");
    if (access(e->tool, X_OK) != 0)
        return skip("tests/tools/shs_echo not built (run via make unit)");
    if (access(PEER_JS, R_OK) != 0)
        return skip("run from the repository root");
    if (system("node --version >/dev/null 2>&1") != 0)
        return skip("node not found");
    if (system("npm --version >/dev/null 2>&1") != 0)
        return skip("npm not found");

    /* Reuse the install while package.json is unchanged. */
    dir = dir ? dir : "build/interop-npm";
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
    if (system(cmd) != 0 || !realpath(dir, abs))
        return skip("cannot create the npm cache directory");
    snprintf(e->npmdir, sizeof(e->npmdir), "%s", abs);
    snprintf(path, sizeof(path), "%s/package.json", e->npmdir);
    snprintf(cmd, sizeof(cmd), "%s/node_modules/secret-handshake/package.json",
             e->npmdir);
    if (!file_equal(path, PACKAGE_JSON) || access(cmd, R_OK) != 0) {
        struct stat st;

        /* One failed install (no network) skips the other cases at once
         * instead of waiting out npm's timeouts four times. */
        snprintf(path, sizeof(path), "%s/npm.failed", e->npmdir);
        if (stat(path, &st) == 0 && time(NULL) - st.st_mtime < 600) {
            snprintf(cmd, sizeof(cmd),
                     "npm install failed recently (offline?), see %s/npm.log",
                     e->npmdir);
            return skip(cmd);
        }
        snprintf(cmd, sizeof(cmd),
                 "cp " PACKAGE_JSON " '%s/package.json' && cd '%s' && "
                 "timeout 90 npm install --no-audit --no-fund "
                 "--no-package-lock --omit=optional --ignore-scripts "
                 "--fetch-retries=1 --fetch-timeout=30000 --loglevel=error "
                 ">npm.log 2>&1",
                 e->npmdir, e->npmdir);
        if (system(cmd) != 0) {
            FILE *f = fopen(path, "w"); /* the npm.failed marker */
            if (f)
                fclose(f);
            snprintf(path, sizeof(path), "%s/package.json", e->npmdir);
            unlink(path); /* retry on a later run */
            snprintf(cmd, sizeof(cmd),
                     "npm install failed (offline?), see %s/npm.log",
                     e->npmdir);
            return skip(cmd);
        }
        snprintf(path, sizeof(path), "%s/npm.failed", e->npmdir);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/node_modules", e->npmdir);
    setenv("NODE_PATH", path, 1);

    hexkey(e->netkey, "ilonet interop network", NULL);
    hexkey(e->other_netkey, "ilonet interop other network", NULL);
    hexkey(e->server_seed, "ilonet interop server", pk);
    sodium_bin2hex(e->server_pk, 65, pk, 32);
    hexkey(e->client_seed, "ilonet interop client", pk);
    sodium_bin2hex(e->client_pk, 65, pk, 32);
    return 0;
}

/* Starts server_cmd, reads its "port N" line, runs client_cmd with the
 * port appended to client_pre, and checks both exit 0. */
static void
run_pair(const char *server_cmd, const char *client_pre,
         const char *client_post)
{
    char line[64], cmd[4096];
    FILE *srv;
    int port = 0, crc, src;

    fflush(stdout);
    srv = popen(server_cmd, "r");
    ASSERT(srv != NULL);
    if (!fgets(line, sizeof(line), srv) ||
        sscanf(line, "port %d", &port) != 1 || port <= 0) {
        pclose(srv);
        TEST_FAIL_("server printed no port: %s", server_cmd);
    }
    snprintf(cmd, sizeof(cmd), "%s %d %s", client_pre, port, client_post);
    crc = system(cmd);
    src = pclose(srv);
    if (crc != 0 || src != 0)
        TEST_FAIL_("client exit %d, server exit %d\n  server: %s\n  "
                   "client: %s",
                   WIFEXITED(crc) ? WEXITSTATUS(crc) : -1,
                   WIFEXITED(src) ? WEXITSTATUS(src) : -1, server_cmd, cmd);
}

static void
c_client_js_server(void)
{
    struct env e;
    char srv[2048], cli[2048], post[64];

    if (setup(&e))
        return;
    snprintf(srv, sizeof(srv),
             "timeout 50 node " PEER_JS " server %s %s %s %d ok", e.netkey,
             e.server_seed, e.client_pk, HANDSHAKES);
    snprintf(cli, sizeof(cli), "timeout 50 '%s' client %s %s %s", e.tool,
             e.netkey, e.client_seed, e.server_pk);
    snprintf(post, sizeof(post), "%d %d ok", HANDSHAKES, BIG);
    run_pair(srv, cli, post);
}

static void
js_client_c_server(void)
{
    struct env e;
    char srv[2048], cli[2048], post[64];

    if (setup(&e))
        return;
    snprintf(srv, sizeof(srv), "timeout 50 '%s' server %s %s %s %d ok", e.tool,
             e.netkey, e.server_seed, e.client_pk, HANDSHAKES);
    snprintf(cli, sizeof(cli), "timeout 50 node " PEER_JS " client %s %s %s",
             e.netkey, e.client_seed, e.server_pk);
    snprintf(post, sizeof(post), "%d %d ok", HANDSHAKES, BIG);
    run_pair(srv, cli, post);
}

/* The JS server must hang up on our hello for another network, and we
 * must notice rather than hang. */
static void
js_server_rejects_wrong_network(void)
{
    struct env e;
    char srv[2048], cli[2048];

    if (setup(&e))
        return;
    snprintf(srv, sizeof(srv),
             "timeout 50 node " PEER_JS " server %s %s %s 2 reject", e.netkey,
             e.server_seed, e.client_pk);
    snprintf(cli, sizeof(cli), "timeout 50 '%s' client %s %s %s", e.tool,
             e.other_netkey, e.client_seed, e.server_pk);
    run_pair(srv, cli, "2 10 reject");
}

/* Our server must refuse the JS client's hello for another network with
 * ILONET_EHANDSHAKE and close without answering. */
static void
c_server_rejects_wrong_network(void)
{
    struct env e;
    char srv[2048], cli[2048];

    if (setup(&e))
        return;
    snprintf(srv, sizeof(srv), "timeout 50 '%s' server %s %s %s 2 reject",
             e.tool, e.netkey, e.server_seed, e.client_pk);
    snprintf(cli, sizeof(cli), "timeout 50 node " PEER_JS " client %s %s %s",
             e.other_netkey, e.client_seed, e.server_pk);
    run_pair(srv, cli, "2 10 reject");
}

TEST_LIST = {
    TEST(c_client_js_server),
    TEST(js_client_c_server),
    TEST(js_server_rejects_wrong_network),
    TEST(c_server_rejects_wrong_network),
};
TEST_MAIN()
