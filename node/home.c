/* home.c - node home directory: create, load, certificate install, config. */
#include "home.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/error.h"
#include "storage/blob.h"
#include "storage/view/view.h"

int
home_path(const struct home *h, const char *name, char *out)
{
    size_t dl = strlen(h->h_dir), nl = strlen(name);

    if (dl + 1 + nl >= HOME_PATH_MAX) {
        out[0] = '\0';
        return ILONET_EINVAL;
    }
    memcpy(out, h->h_dir, dl);
    out[dl] = '/';
    memcpy(out + dl + 1, name, nl + 1);
    return 0;
}

const char *
home_default_dir(const char *explicit_dir)
{
    const char *env = getenv("ILONET_HOME");

    if (explicit_dir && *explicit_dir)
        return explicit_dir;
    if (env && *env)
        return env;
    return "./.ilonet";
}

uint64_t
home_now_ms(void)
{
    struct timespec ts;
    const char *off = getenv("ILONET_CLOCK_OFFSET_MS");
    int64_t ms;

    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    /* Test-only: simulate a skewed clock (docs/RELIABILITY.md). */
    if (off && *off)
        ms += strtoll(off, NULL, 10);
    return ms > 0 ? (uint64_t)ms : 0;
}

int
home_vocab_load(const char *regime, struct vocab **out, char *why, size_t wl)
{
    const char *test = getenv("ILONET_TEST_VOCAB_VERSION");
    struct vocab *v = NULL;
    int rc;

    if (!out)
        return ILONET_EINVAL;
    if ((rc = vocab_builtin(regime ? regime : NETWORK_REGIME_SEED, &v, why,
                            wl)) != 0)
        return rc;
    /* Test-only: this binary as one with an older vocabulary. */
    if (test && *test) {
        char *end;
        unsigned long ver = strtoul(test, &end, 10);

        if (*end || ver == 0 || ver > 65535)
            rc = ILONET_EINVAL;
        else
            rc = vocab_restrict(v, (unsigned)ver, why, wl);
        if (rc != 0) {
            if (*end || ver == 0 || ver > 65535)
                snprintf(why, wl,
                         "ILONET_TEST_VOCAB_VERSION=%.20s: not a version",
                         test);
            vocab_free(v);
            return rc;
        }
    }
    *out = v;
    return 0;
}

static int
home__copy(const char *from, const char *to, int mode)
{
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    if ((rc = cert_read_file(from, 1 << 20, &buf, &len)) != 0)
        return rc;
    rc = cert_write_file(to, buf, len, mode);
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

int
home_create(const char *dir, const char *network_file, const char *roster_file,
            struct key_pair *out_key)
{
    struct home h;
    char path[HOME_PATH_MAX];
    struct network net;
    struct roster ros;
    struct key_pair kp;
    struct store *s = NULL;
    struct vocab *v = NULL;
    int rc;

    memset(&h, 0, sizeof(h));
    if (snprintf(h.h_dir, sizeof(h.h_dir), "%s", dir) >= HOME_PATH_MAX)
        return ILONET_EINVAL;
    /* Validate the inputs before creating anything. */
    if ((rc = network_load(network_file, &net)) != 0)
        return rc;
    if ((rc = roster_load(roster_file, &ros)) != 0)
        return rc;
    if ((rc = home_vocab_load(network_regime(&net), &v, NULL, 0)) != 0)
        return rc;
    memset(&kp, 0, sizeof(kp));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        rc = ILONET_EIO;
        goto out;
    }
    /* An existing directory becomes private too: the home holds the
     * node's secret key and a store other users must not read. */
    if (chmod(dir, 0700) != 0) {
        rc = errno == EPERM ? ILONET_EPERM : ILONET_EIO;
        goto out;
    }
    home_path(&h, "node.key", path);
    if (access(path, F_OK) == 0) {
        rc = ILONET_EEXIST;
        goto out;
    }
    if ((rc = key_generate(&kp, KEY_NODE, NULL)) != 0)
        goto out;
    if ((rc = key_save(path, &kp)) != 0)
        goto out;
    home_path(&h, "network", path);
    if ((rc = home__copy(network_file, path, 0600)) != 0)
        goto out;
    home_path(&h, "roster", path);
    if ((rc = home__copy(roster_file, path, 0600)) != 0)
        goto out;
    home_path(&h, "config", path);
    if (access(path, F_OK) != 0) {
        struct home_config c;
        memset(&c, 0, sizeof(c));
        if ((rc = home_config_save(path, &c)) != 0)
            goto out;
    }
    home_path(&h, "store.db", path);
    if ((rc = store_open(path, net.n_id, &ros, &s)) != 0)
        goto out;
    if ((rc = view_attach(s, v)) != 0)
        goto out;
    if (out_key)
        *out_key = kp;
out:
    store_close(s);
    vocab_free(v);
    key_wipe(&kp);
    sodium_memzero(&net, sizeof(net));
    return rc;
}

/* Refuses a home that other local users can reach (DESIGN §11 threat
 * model: other accounts on a shared laptop). Checked before any secret is
 * read, so a too-open home is never used, not even once. */
static int
home__check_modes(struct home *h)
{
    static const char *const files[] = {"store.db", "store.db-wal",
                                        "store.db-shm", NULL};
    char path[HOME_PATH_MAX];
    struct stat st;

    if (stat(h->h_dir, &st) != 0)
        return 0; /* missing: key_load reports it as not found */
    if (S_ISDIR(st.st_mode) && (st.st_mode & 077)) {
        snprintf(h->h_why, sizeof(h->h_why),
                 "home directory %s is open to other users (mode %03o); "
                 "run: chmod 700 %s",
                 h->h_dir, (unsigned)(st.st_mode & 0777), h->h_dir);
        return ILONET_EPERM;
    }
    for (size_t i = 0; files[i]; i++) {
        home_path(h, files[i], path);
        if (lstat(path, &st) != 0)
            continue;
        if ((st.st_mode & 077) || !S_ISREG(st.st_mode)) {
            snprintf(h->h_why, sizeof(h->h_why),
                     "%s is %s (mode %03o); run: chmod 600 %s", path,
                     S_ISREG(st.st_mode) ? "readable or writable by others"
                                         : "not a regular file",
                     (unsigned)(st.st_mode & 0777), path);
            return ILONET_EPERM;
        }
    }
    return 0;
}

int
home_store_upgrade(const char *dir, int *from, int *to)
{
    struct home h;
    char path[HOME_PATH_MAX];
    int ver = 0, rc = 0;

    *from = 0;
    *to = STORE_SCHEMA_VERSION;
    memset(&h, 0, sizeof(h));
    snprintf(h.h_dir, sizeof(h.h_dir), "%s", dir);
    if (home__check_modes(&h) == 0) {
        home_path(&h, "store.db", path);
        rc = store_file_version(path, &ver);
    }
    if (rc == 0 && ver > 0 && ver < STORE_SCHEMA_VERSION)
        *from = ver;
    return rc;
}

static int
home__load_cert(struct home *h)
{
    char path[HOME_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    home_path(h, "node.cert", path);
    rc = cert_read_file(path, CERT_MAX_LEN, &buf, &len);
    if (rc == ILONET_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    rc = cert_verify(buf, len, &h->h_roster, h->h_net.n_id, &h->h_cert);
    free(buf);
    if (rc != 0)
        return rc;
    if (sodium_memcmp(h->h_cert.c_node, h->h_key.pk, KEY_PK_LEN) != 0)
        return ILONET_EUNKNOWNAUTHOR;
    h->h_has_cert = 1;
    return 0;
}

int
home_open(struct home *h, const char *dir, int flags)
{
    char path[HOME_PATH_MAX];
    uint64_t expired = 0;
    int rc;

    memset(h, 0, sizeof(*h));
    if (snprintf(h->h_dir, sizeof(h->h_dir), "%s", dir) >= HOME_PATH_MAX)
        return ILONET_EINVAL;
    if ((rc = home__check_modes(h)) != 0)
        goto fail;
    home_path(h, "node.key", path);
    if ((rc = key_load(path, &h->h_key)) != 0) {
        if (rc == ILONET_EPERM)
            snprintf(h->h_why, sizeof(h->h_why),
                     "%s is readable by others; run: chmod 600 %s", path, path);
        goto fail;
    }
    if (h->h_key.kind != KEY_NODE) {
        rc = ILONET_EINVAL;
        goto fail;
    }
    home_path(h, "network", path);
    if ((rc = network_load(path, &h->h_net)) != 0) {
        if (rc == ILONET_EPERM)
            snprintf(h->h_why, sizeof(h->h_why),
                     "%s is readable by others; run: chmod 600 %s", path, path);
        if (rc == ILONET_ENETWORK)
            snprintf(h->h_why, sizeof(h->h_why),
                     "network file %s: its id does not match its regime "
                     "line (a network's regime is fixed when it is created)",
                     path);
        goto fail;
    }
    home_path(h, "roster", path);
    if ((rc = roster_load(path, &h->h_roster)) != 0)
        goto fail;
    if ((rc = home_vocab_load(network_regime(&h->h_net), &h->h_vocab, h->h_why,
                              sizeof(h->h_why))) != 0) {
        if (rc == ILONET_ENOTFOUND)
            snprintf(h->h_why, sizeof(h->h_why),
                     "network file: regime %s is not known to this binary "
                     "(it knows 377-2004 and 2019-1240): upgrade ilonet",
                     network_regime(&h->h_net));
        goto fail;
    }
    if ((rc = home__load_cert(h)) != 0)
        goto fail;
    home_path(h, "config", path);
    if ((rc = home_config_load(path, &h->h_conf)) != 0 &&
        rc != ILONET_ENOTFOUND)
        goto fail;
    if (flags & HOME_STORE) {
        home_path(h, "store.db", path);
        if ((rc = store_open(path, h->h_net.n_id, &h->h_roster, &h->h_store)) !=
            0)
            goto fail;
        if ((flags & HOME_READER) &&
            (rc = store_set_mmap(h->h_store, HOME_MMAP_BYTES)) != 0)
            goto fail;
        if (h->h_has_cert) {
            struct store_identity id;
            memset(&id, 0, sizeof(id));
            memcpy(id.si_node, h->h_key.pk, KEY_PK_LEN);
            snprintf(id.si_state, sizeof(id.si_state), "%s", h->h_cert.c_state);
            id.si_role = h->h_cert.c_role;
            store_set_identity(h->h_store, &id);
        }
        if ((rc = view_attach(h->h_store, h->h_vocab)) != 0)
            goto fail;
        /* Entries quarantined for a timestamp too far ahead join the
         * view once their time has come, and records whose retention
         * ended are hidden, whichever command opens it; their payloads
         * held the keys of their files, which go too (a failure leaves
         * them to the next collection). */
        if ((rc = view_release_due(h->h_store, home_now_ms(), NULL)) != 0 ||
            (rc = view_expire_due(h->h_store, home_now_ms(), &expired)) != 0)
            goto fail;
        if (expired) {
            (void)store_wal_truncate(h->h_store, NULL);
            (void)home_blob_gc(h);
        }
    }
    return 0;
fail:
    home_close(h);
    return rc;
}

int
home_blob_open(struct home *h, struct blob_store **out)
{
    struct blob_limits lim;
    char dir[HOME_PATH_MAX];

    if (!h || !h->h_store || !out)
        return ILONET_EINVAL;
    if (home_path(h, "blobs", dir) != 0)
        return ILONET_EINVAL;
    lim.bl_max =
        h->h_net.n_blob_max ? h->h_net.n_blob_max : NET_BLOB_MAX_DEFAULT;
    lim.bl_quota = h->h_conf.hc_blob_quota ? h->h_conf.hc_blob_quota
                                           : HOME_BLOB_QUOTA_DEFAULT;
    return blob_open(h->h_store, dir, &lim, out);
}

int
home_blob_gc(struct home *h)
{
    struct blob_store *bs = NULL;
    char dir[HOME_PATH_MAX];
    struct stat sb;
    int rc;

    /* no blobs/ yet: no file was ever stored, nothing to collect */
    if (home_path(h, "blobs", dir) == 0 && stat(dir, &sb) != 0 &&
        errno == ENOENT)
        return 0;
    if ((rc = home_blob_open(h, &bs)) != 0)
        return rc;
    rc = blob_gc(bs, home_now_ms(), NULL);
    blob_close(bs);
    return rc;
}

void
home_close(struct home *h)
{
    store_close(h->h_store);
    h->h_store = NULL;
    vocab_free(h->h_vocab); /* after the store: the view reads it */
    h->h_vocab = NULL;
    key_wipe(&h->h_key);
    sodium_memzero(&h->h_net, sizeof(h->h_net));
}

int
home_install_cert(struct home *h, const char *cert_file)
{
    char path[HOME_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    struct cert c;
    int rc;

    if ((rc = cert_read_file(cert_file, CERT_MAX_LEN, &buf, &len)) != 0)
        return rc;
    if ((rc = cert_verify(buf, len, &h->h_roster, h->h_net.n_id, &c)) != 0)
        goto out;
    if (sodium_memcmp(c.c_node, h->h_key.pk, KEY_PK_LEN) != 0) {
        rc = ILONET_EUNKNOWNAUTHOR; /* a certificate for another node */
        goto out;
    }
    if ((rc = cert_valid_at(&c, home_now_ms() / 1000)) != 0)
        goto out;
    /* a role the network's regime has (no presidency under 2019-1240) */
    if (h->h_vocab &&
        !vocab_value(vocab_set(h->h_vocab, "roles"), cert_role_name(c.c_role),
                     strlen(cert_role_name(c.c_role)))) {
        rc = ILONET_EPERM;
        goto out;
    }
    home_path(h, "node.cert", path);
    if ((rc = cert_write_file(path, buf, len, 0600)) != 0)
        goto out;
    if (h->h_store && (rc = store_meta_set(h->h_store, "cert", buf, len)) != 0)
        goto out;
    h->h_cert = c;
    h->h_has_cert = 1;
out:
    free(buf);
    return rc;
}

/* A whole number from 1 to max, digits only, at most five of them
 * (blob-eager-days, report-attest-quiet). */
static int
home__count(const char *s, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
        return ILONET_EMALFORMED;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint32_t)(s[i] - '0');
    if (v == 0 || v > max)
        return ILONET_EMALFORMED;
    *out = v;
    return 0;
}

/* A decimal byte count >= 1, digits only. */
static int
home__bytes(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (v == 0)
        return ILONET_EINVAL;
    *out = v;
    return 0;
}

int
home_config_load(const char *path, struct home_config *c)
{
    uint8_t *buf = NULL;
    char *line, *save = NULL;
    size_t len;
    int rc;

    memset(c, 0, sizeof(*c));
    if ((rc = cert_read_file(path, 64 * 1024, &buf, &len)) != 0)
        return rc;
    for (line = strtok_r((char *)buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char addr[HOME_ADDR_MAX + 1], hex[2 * KEY_PK_LEN + 2];
        uint8_t pk[KEY_PK_LEN];

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strncmp(line, "state ", 6) == 0 && key_state_valid(line + 6)) {
            snprintf(c->hc_state, sizeof(c->hc_state), "%s", line + 6);
        } else if (sscanf(line, "listen %128s", addr) == 1 &&
                   strlen(addr) < HOME_ADDR_MAX) {
            snprintf(c->hc_listen, sizeof(c->hc_listen), "%s", addr);
        } else if (strncmp(line, "blob-quota ", 11) == 0 &&
                   home__bytes(line + 11, &c->hc_blob_quota) == 0) {
            continue;
        } else if (strncmp(line, "blob-eager-days ", 16) == 0 &&
                   home__count(line + 16, HOME_BLOB_EAGER_DAYS_MAX,
                               &c->hc_blob_eager_days) == 0) {
            continue;
        } else if (strcmp(line, "report-auto-attest on") == 0 ||
                   strcmp(line, "report-auto-attest off") == 0) {
            c->hc_auto_attest = strcmp(line + 19, "on") == 0;
        } else if (strncmp(line, "report-attest-quiet ", 20) == 0 &&
                   home__count(line + 20, HOME_ATTEST_QUIET_MAX,
                               &c->hc_attest_quiet_s) == 0) {
            continue;
        } else if (sscanf(line, "peer %128s %65s", addr, hex) == 2 &&
                   hash_unhex(hex, pk, KEY_PK_LEN) == 0 &&
                   home_config_add_peer(c, addr, pk) == 0) {
            continue;
        } else {
            rc = ILONET_EMALFORMED;
            break;
        }
    }
    free(buf);
    return rc;
}

int
home_config_save(const char *path, const struct home_config *c)
{
    char *text;
    size_t cap = 256 + HOME_MAX_PEERS * (HOME_ADDR_MAX + 80), off = 0;
    int rc;

    text = malloc(cap);
    if (!text)
        return ILONET_ENOMEM;
    off += (size_t)snprintf(text, cap,
                            "# ilonet node config\n"
                            "# listen ADDR | peer ADDR PUBKEY\n");
    if (c->hc_state[0])
        off +=
            (size_t)snprintf(text + off, cap - off, "state %s\n", c->hc_state);
    if (c->hc_listen[0])
        off += (size_t)snprintf(text + off, cap - off, "listen %s\n",
                                c->hc_listen);
    if (c->hc_blob_quota)
        off += (size_t)snprintf(text + off, cap - off, "blob-quota %llu\n",
                                (unsigned long long)c->hc_blob_quota);
    if (c->hc_blob_eager_days)
        off += (size_t)snprintf(text + off, cap - off, "blob-eager-days %u\n",
                                (unsigned)c->hc_blob_eager_days);
    if (c->hc_auto_attest)
        off +=
            (size_t)snprintf(text + off, cap - off, "report-auto-attest on\n");
    if (c->hc_attest_quiet_s)
        off +=
            (size_t)snprintf(text + off, cap - off, "report-attest-quiet %u\n",
                             (unsigned)c->hc_attest_quiet_s);
    for (size_t i = 0; i < c->hc_npeers; i++) {
        char hex[2 * KEY_PK_LEN + 1];
        hash_hex(c->hc_peers[i].hp_pk, KEY_PK_LEN, hex);
        off += (size_t)snprintf(text + off, cap - off, "peer %s %s\n",
                                c->hc_peers[i].hp_addr, hex);
    }
    rc = cert_write_file(path, (const uint8_t *)text, off, 0600);
    free(text);
    return rc;
}

int
home_config_add_peer(struct home_config *c, const char *addr,
                     const uint8_t pk[static KEY_PK_LEN])
{
    if (!addr || strlen(addr) >= HOME_ADDR_MAX ||
        strncmp(addr, "tcp://", 6) != 0)
        return ILONET_EINVAL;
    for (size_t i = 0; i < c->hc_npeers; i++)
        if (memcmp(c->hc_peers[i].hp_pk, pk, KEY_PK_LEN) == 0 &&
            strcmp(c->hc_peers[i].hp_addr, addr) == 0)
            return ILONET_EEXIST;
    if (c->hc_npeers >= HOME_MAX_PEERS)
        return ILONET_ETOOBIG;
    snprintf(c->hc_peers[c->hc_npeers].hp_addr, HOME_ADDR_MAX, "%s", addr);
    memcpy(c->hc_peers[c->hc_npeers].hp_pk, pk, KEY_PK_LEN);
    c->hc_npeers++;
    return 0;
}
