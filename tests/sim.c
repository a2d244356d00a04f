/* sim.c - deterministic test worlds: roster, certified nodes, their stores. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/wire.h"
#include "storage/store_int.h"

uint64_t
sim_rand(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t
sim_below(uint64_t *st, uint64_t n)
{
    return n ? sim_rand(st) % n : 0;
}

static void
sim__seed(uint64_t seed, const char *what, int idx, uint8_t out[32])
{
    char buf[128];

    snprintf(buf, sizeof(buf), "%llu/%s/%d", (unsigned long long)seed, what,
             idx);
    hash_buf("ilonet/test-sim/v1", buf, strlen(buf), out);
}

static const char *
sim__tmpbase(void)
{
    const char *t = getenv("TMPDIR");
    struct stat st;

    if (t && *t)
        return t;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
        access("/dev/shm", W_OK) == 0)
        return "/dev/shm";
    return "/tmp";
}

void
sim_world_init(struct sim_world *w, const char *tag, uint64_t seed,
               const char *const *states, size_t n)
{
    uint8_t s[32];

    memset(w, 0, sizeof(*w));
    if (key_global_init() != 0)
        abort();
    w->w_seed = seed;
    snprintf(w->w_net.n_host, sizeof(w->w_net.n_host), "TR");
    sim__seed(seed, "net-id", 0, w->w_net.n_id);
    sim__seed(seed, "net-key", 0, w->w_net.n_key);
    for (size_t i = 0; i < n && i < SIM_MAX_STATES; i++) {
        sim__seed(seed, states[i], -1, s);
        if (key_from_seed(&w->w_roots[i], s) != 0)
            abort();
        w->w_roots[i].kind = KEY_STATE;
        snprintf(w->w_roots[i].state, sizeof(w->w_roots[i].state), "%s",
                 states[i]);
        if (roster_add(&w->w_roster, states[i], w->w_roots[i].pk) != 0)
            abort();
        w->w_nroots++;
    }
    snprintf(w->w_dir, sizeof(w->w_dir), "%s/ilonet-%s-XXXXXX", sim__tmpbase(),
             tag);
    if (!mkdtemp(w->w_dir)) {
        perror("mkdtemp");
        abort();
    }
}

static void
sim__rm_store(const char *path)
{
    char p[800];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

void
sim_world_free(struct sim_world *w)
{
    rmdir(w->w_dir); /* empty once every node is freed */
    mstore_trust_free(w->w_trust);
    w->w_trust = NULL;
}

void
sim_node_init(struct sim_world *w, struct sim_node *nd, const char *state,
              int idx)
{
    sim_node_init_as(w, nd, state, idx, idx);
}

void
sim_node_init_as(struct sim_world *w, struct sim_node *nd, const char *state,
                 int idx, int file)
{
    struct cert c;
    const struct key_pair *root = NULL;
    uint8_t s[32];

    memset(nd, 0, sizeof(*nd));
    for (size_t i = 0; i < w->w_nroots; i++)
        if (strcmp(w->w_roots[i].state, state) == 0)
            root = &w->w_roots[i];
    if (!root)
        abort();
    sim__seed(w->w_seed, "node", idx, s);
    if (key_from_seed(&nd->sn_kp, s) != 0)
        abort();
    nd->sn_kp.kind = KEY_NODE;
    snprintf(nd->sn_state, sizeof(nd->sn_state), "%s", state);
    nd->sn_role = cert_role_for_state(state);
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, w->w_net.n_id, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "%s", state);
    memcpy(c.c_node, nd->sn_kp.pk, KEY_PK_LEN);
    c.c_role = nd->sn_role;
    c.c_not_before = SIM_T0_MS / 1000 - 86400;
    c.c_not_after = SIM_T0_MS / 1000 + 365 * 86400;
    c.c_serial = (uint64_t)idx + 1;
    if (cert_issue(&c, root, &nd->sn_cert, &nd->sn_cert_len) != 0)
        abort();
    nd->sn_backend = w->w_backend;
    snprintf(nd->sn_path, sizeof(nd->sn_path), "%s/node%d.db", w->w_dir, file);
    if (nd->sn_backend == SIM_SQLITE)
        sim__rm_store(nd->sn_path);
}

void
sim_node_copy_store(struct sim_node *to, const struct sim_node *from)
{
    FILE *in, *out;
    char buf[8192];
    size_t n;

    if (to->sn_backend != from->sn_backend || to->sn_sync || from->sn_sync)
        abort();
    if (from->sn_backend == SIM_MEM) {
        mstore_free(to->sn_mem);
        if (mstore_copy(&to->sn_mem, from->sn_mem) != 0)
            abort();
        return;
    }
    if (!(in = fopen(from->sn_path, "rb")) || !(out = fopen(to->sn_path, "wb")))
        abort();
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            abort();
    fclose(in);
    if (fclose(out) != 0)
        abort();
}

static int
sim__open_sqlite(struct sim_world *w, struct sim_node *nd)
{
    int rc;

    if ((rc = store_open(nd->sn_path, w->w_net.n_id, &w->w_roster,
                         &nd->sn_store)) != 0)
        return rc;
    /* Simulated crashes close the store cleanly: durability is not what
     * the simulator tests, and fsync would dominate its run time. */
    sqlite3_exec(store_db(nd->sn_store), "PRAGMA synchronous=OFF", NULL, NULL,
                 NULL);
    if ((rc = store_meta_set(nd->sn_store, "cert", nd->sn_cert,
                             nd->sn_cert_len)) != 0)
        return rc;
    sync_store_sqlite(&nd->sn_ss, nd->sn_store);
    return 0;
}

static int
sim__open_mem(struct sim_world *w, struct sim_node *nd)
{
    int rc;

    if (!w->w_trust && (rc = mstore_trust_new(&w->w_trust, w->w_net.n_id,
                                              &w->w_roster, 1)) != 0)
        return rc;
    if (!nd->sn_mem && (rc = mstore_new(&nd->sn_mem, w->w_trust)) != 0)
        return rc;
    if ((rc = mstore_set_cert(nd->sn_mem, nd->sn_cert, nd->sn_cert_len)) != 0)
        return rc;
    mstore_sync_store(nd->sn_mem, &nd->sn_ss);
    return 0;
}

int
sim_node_open(struct sim_world *w, struct sim_node *nd,
              const struct sync_config *cfg, const struct sync_callbacks *cb)
{
    int rc = nd->sn_backend == SIM_MEM ? sim__open_mem(w, nd)
                                       : sim__open_sqlite(w, nd);

    if (rc != 0)
        return rc;
    return sync_node_new(&nd->sn_sync, &nd->sn_ss, nd->sn_cert, nd->sn_cert_len,
                         cfg, cb);
}

void
sim_node_close(struct sim_node *nd)
{
    sync_node_free(nd->sn_sync);
    nd->sn_sync = NULL;
    store_close(nd->sn_store);
    nd->sn_store = NULL;
}

void
sim_node_free(struct sim_node *nd)
{
    sim_node_close(nd);
    if (nd->sn_backend == SIM_SQLITE)
        sim__rm_store(nd->sn_path);
    mstore_free(nd->sn_mem);
    nd->sn_mem = NULL;
    free(nd->sn_cert);
    nd->sn_cert = NULL;
    key_wipe(&nd->sn_kp);
}

int
sim_head(struct sim_node *nd, const uint8_t log[HASH_LEN], struct log_head *h)
{
    return nd->sn_ss.ss_ops->so_head(nd->sn_ss.ss_ctx, log, h);
}

void
sim_snapshot(struct sim_node *nd, struct sim_snap *sn)
{
    memset(sn, 0, sizeof(*sn));
    if (nd->sn_backend == SIM_MEM) {
        mstore_heads_digest(nd->sn_mem, sn->ss_digest);
        mstore_counts(nd->sn_mem, &sn->ss_entries, &sn->ss_logs,
                      &sn->ss_evidence, &sn->ss_quarantine);
        return;
    }
    if (log_heads_digest(nd->sn_store, sn->ss_digest) != 0 ||
        log_counts(nd->sn_store, &sn->ss_entries, &sn->ss_logs,
                   &sn->ss_evidence, &sn->ss_quarantine) != 0)
        abort();
}

int
sim_append(struct sim_node *nd, const char *audience, int count,
           uint64_t now_ms, struct log_ref *last)
{
    struct log_append_req reqs[16] = {{0}};
    struct log_ref refs[16];
    struct wire_buf wb[16];
    int rc;

    if (count < 1 || count > 16)
        return ILONET_EINVAL;
    for (int i = 0; i < count; i++) {
        wire_buf_init(&wb[i], 1024);
        wire_pack_map(&wb[i], 2);
        wire_pack_str(&wb[i], "n");
        wire_pack_uint(&wb[i], now_ms + (uint64_t)i);
        wire_pack_str(&wb[i], "summary");
        wire_pack_str(&wb[i], "simulated observation");
        reqs[i].kind = KIND_OBSERVATION;
        reqs[i].payload = wb[i].wb_data;
        reqs[i].len = wb[i].wb_len;
    }
    if (nd->sn_backend == SIM_MEM)
        rc = mstore_append(nd->sn_mem, &nd->sn_kp, audience, reqs,
                           (size_t)count, now_ms, refs);
    else
        rc = log_append(nd->sn_store, &nd->sn_kp, audience, reqs, (size_t)count,
                        now_ms, refs);
    for (int i = 0; i < count; i++)
        wire_buf_free(&wb[i]);
    if (rc == 0 && last)
        *last = refs[count - 1];
    return rc;
}

void
sim_log_id(const struct sim_world *w, const struct sim_node *nd,
           const char *audience, uint8_t out[HASH_LEN])
{
    char norm[ENTRY_AUDIENCE_MAX + 1];

    if (audience_normalise(audience, norm) != 0)
        abort();
    entry_log_id(w->w_net.n_id, nd->sn_kp.pk, norm, out);
}
