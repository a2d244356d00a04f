/* network.c - the network file: host, id, admission secret and regime. */
#include "network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cert.h"
#include "error.h"
#include "hash.h"

/* 1-15 of a-z 0-9 '-', not starting with '-': a regime's name. */
static int
network__regime_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > NETWORK_REGIME_MAX || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return 0;
    return 1;
}

/* Host countries "CC,CC,...": 1-16 codes of two capitals, no repeats,
 * into out sorted. 0 or ILONET_EINVAL. */
static int
network__countries(const char *in, char out[static 3 * NETWORK_COUNTRIES_MAX])
{
    char cc[NETWORK_COUNTRIES_MAX][3];
    size_t n = 0, len = strlen(in);

    if (len == 0 || len > 3 * NETWORK_COUNTRIES_MAX - 1 || len % 3 != 2)
        return ILONET_EINVAL;
    for (size_t i = 0; i < len; i += 3) {
        if (in[i] < 'A' || in[i] > 'Z' || in[i + 1] < 'A' || in[i + 1] > 'Z' ||
            (i + 2 < len && in[i + 2] != ','))
            return ILONET_EINVAL;
        cc[n][0] = in[i];
        cc[n][1] = in[i + 1];
        cc[n++][2] = '\0';
    }
    /* insertion sort; a repeat is refused */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(cc[j - 1], cc[j]) >= 0; j--) {
            char t[3];

            if (strcmp(cc[j - 1], cc[j]) == 0)
                return ILONET_EINVAL;
            memcpy(t, cc[j], 3);
            memcpy(cc[j], cc[j - 1], 3);
            memcpy(cc[j - 1], t, 3);
        }
    for (size_t i = 1; i < n; i++)
        if (strcmp(cc[i - 1], cc[i]) == 0)
            return ILONET_EINVAL;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, cc[i]);
    }
    return 0;
}

/* id = H(network-id, salt || regime); the handshake key
 * H(regime-key, secret || regime), except for the seed regime whose key
 * is the secret itself. */
static void
network__derive(struct network *n)
{
    struct hash_state h;

    hash_init(&h, HASH_CTX_NETWORK_ID);
    hash_update(&h, n->n_salt, NET_ID_LEN);
    hash_update(&h, n->n_regime, strlen(n->n_regime));
    hash_final(&h, n->n_id);
    if (strcmp(n->n_regime, NETWORK_REGIME_SEED) == 0) {
        memcpy(n->n_key, n->n_secret, NET_KEY_LEN);
        return;
    }
    hash_init(&h, HASH_CTX_REGIME_KEY);
    hash_update(&h, n->n_secret, NET_KEY_LEN);
    hash_update(&h, n->n_regime, strlen(n->n_regime));
    hash_final(&h, n->n_key);
    sodium_memzero(&h, sizeof(h));
}

int
network_create(struct network *n, const char *host)
{
    if (!key_state_valid(host))
        return ILONET_EINVAL;
    memset(n, 0, sizeof(*n));
    snprintf(n->n_host, sizeof(n->n_host), "%s", host);
    randombytes_buf(n->n_id, sizeof(n->n_id));
    randombytes_buf(n->n_key, sizeof(n->n_key));
    return 0;
}

int
network_create_regime(struct network *n, const char *host, const char *regime,
                      unsigned vocab, const char *countries)
{
    struct network t;
    int rc;

    if (!n || !key_state_valid(host) || !regime ||
        !network__regime_ok(regime) || vocab < 1 || vocab > 65535)
        return ILONET_EINVAL;
    if (strcmp(regime, NETWORK_REGIME_SEED) == 0 && (!countries || !*countries))
        return network_create(n, host);
    memset(&t, 0, sizeof(t));
    snprintf(t.n_host, sizeof(t.n_host), "%s", host);
    snprintf(t.n_regime, sizeof(t.n_regime), "%s", regime);
    t.n_vocab = vocab;
    if (countries && *countries &&
        (rc = network__countries(countries, t.n_countries)) != 0)
        return rc;
    randombytes_buf(t.n_salt, sizeof(t.n_salt));
    randombytes_buf(t.n_secret, sizeof(t.n_secret));
    network__derive(&t);
    *n = t;
    sodium_memzero(&t, sizeof(t));
    return 0;
}

const char *
network_regime(const struct network *n)
{
    return n->n_regime[0] ? n->n_regime : NETWORK_REGIME_SEED;
}

unsigned
network_vocab(const struct network *n)
{
    return n->n_vocab ? n->n_vocab : 1;
}

/* A decimal byte count 1 .. NET_BLOB_MAX_CAP, digits only. */
static int
network__bytes(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 10 || strspn(s, "0123456789") != n)
        return ILONET_EINVAL;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (v == 0 || v > NET_BLOB_MAX_CAP)
        return ILONET_EINVAL;
    *out = v;
    return 0;
}

/* Bits of the lines seen. */
enum {
    NET__HOST = 1,
    NET__ID = 2,
    NET__KEY = 4,
    NET__REGIME = 8,
    NET__SALT = 16,
};

int
network_parse(const char *text, size_t len, struct network *n)
{
    struct network t;
    char *buf, *line, *save = NULL;
    uint8_t id[NET_ID_LEN];
    int have = 0, rc = ILONET_EMALFORMED;

    if (!text || !n)
        return ILONET_EINVAL;
    if (len > NETWORK_FILE_MAX)
        return ILONET_ETOOBIG;
    if (!(buf = malloc(len + 1)))
        return ILONET_ENOMEM;
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(&t, 0, sizeof(t));
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long v;
        char *end;

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strncmp(line, "host ", 5) == 0 && key_state_valid(line + 5)) {
            snprintf(t.n_host, sizeof(t.n_host), "%s", line + 5);
            have |= NET__HOST;
        } else if (strncmp(line, "id ", 3) == 0 &&
                   hash_unhex(line + 3, t.n_id, NET_ID_LEN) == 0) {
            have |= NET__ID;
        } else if (strncmp(line, "key ", 4) == 0 &&
                   hash_unhex(line + 4, t.n_key, NET_KEY_LEN) == 0) {
            have |= NET__KEY;
        } else if (strncmp(line, "regime ", 7) == 0 &&
                   network__regime_ok(line + 7)) {
            snprintf(t.n_regime, sizeof(t.n_regime), "%s", line + 7);
            have |= NET__REGIME;
        } else if (strncmp(line, "salt ", 5) == 0 &&
                   hash_unhex(line + 5, t.n_salt, NET_ID_LEN) == 0) {
            have |= NET__SALT;
        } else if (strncmp(line, "vocab ", 6) == 0 && line[6] >= '1' &&
                   line[6] <= '9' &&
                   (v = strtoul(line + 6, &end, 10)) <= 65535 && !*end) {
            t.n_vocab = (unsigned)v;
        } else if (strncmp(line, "countries ", 10) == 0 &&
                   network__countries(line + 10, t.n_countries) == 0 &&
                   strcmp(line + 10, t.n_countries) == 0) {
            /* sorted as written: one spelling per file */
        } else if (strncmp(line, "blob-max ", 9) == 0 && !t.n_blob_max &&
                   network__bytes(line + 9, &t.n_blob_max) == 0) {
            /* once: a second limit would leave the reader guessing */
        } else {
            have = -1;
            break;
        }
    }
    sodium_memzero(buf, len + 1);
    free(buf);
    if (have < 0 || (have & 7) != 7 ||
        !(have & NET__REGIME) != !(have & NET__SALT) ||
        (!(have & NET__REGIME) && (t.n_vocab || t.n_countries[0])))
        goto out;
    if (have & NET__REGIME) {
        /* the file's key line is the secret the handshake key comes from;
         * the id must be the one its salt and regime give */
        memcpy(t.n_secret, t.n_key, NET_KEY_LEN);
        memcpy(id, t.n_id, NET_ID_LEN);
        network__derive(&t);
        if (sodium_memcmp(id, t.n_id, NET_ID_LEN) != 0) {
            rc = ILONET_ENETWORK;
            goto out;
        }
    }
    *n = t;
    rc = 0;
out:
    sodium_memzero(&t, sizeof(t));
    return rc;
}

int
network_format(const struct network *n, char *out, size_t cap, size_t *len)
{
    char id[2 * NET_ID_LEN + 1], key[2 * NET_KEY_LEN + 1];
    char salt[2 * NET_ID_LEN + 1], vocab[24] = "", countries[64] = "";
    int k;

    if (!n || !out || !len || !key_state_valid(n->n_host))
        return ILONET_EINVAL;
    hash_hex(n->n_id, NET_ID_LEN, id);
    if (!n->n_regime[0]) {
        hash_hex(n->n_key, NET_KEY_LEN, key);
        k = snprintf(out, cap,
                     "# ilonet network file: holds the network's admission "
                     "secret; give it only to members\n"
                     "host %s\nid %s\nkey %s\n",
                     n->n_host, id, key);
    } else {
        hash_hex(n->n_secret, NET_KEY_LEN, key);
        hash_hex(n->n_salt, NET_ID_LEN, salt);
        if (n->n_vocab)
            snprintf(vocab, sizeof(vocab), "vocab %u\n", n->n_vocab);
        if (n->n_countries[0])
            snprintf(countries, sizeof(countries), "countries %s\n",
                     n->n_countries);
        k = snprintf(out, cap,
                     "# ilonet network file: holds the network's admission "
                     "secret; give it only to members\n"
                     "host %s\nid %s\nkey %s\nregime %s\n%ssalt %s\n%s",
                     n->n_host, id, key, n->n_regime, vocab, salt, countries);
    }
    sodium_memzero(key, sizeof(key));
    if (k >= 0 && (size_t)k < cap && n->n_blob_max)
        k += snprintf(out + k, cap - (size_t)k, "blob-max %llu\n",
                      (unsigned long long)n->n_blob_max);
    if (k < 0 || (size_t)k >= cap) {
        sodium_memzero(out, cap);
        return ILONET_ETOOBIG;
    }
    *len = (size_t)k;
    return 0;
}

int
network_save(const char *path, const struct network *n)
{
    char text[1024];
    size_t len;
    int rc;

    if ((rc = network_format(n, text, sizeof(text), &len)) == 0)
        rc = cert_write_file(path, (const uint8_t *)text, len, 0600);
    sodium_memzero(text, sizeof(text));
    return rc;
}

int
network_load(const char *path, struct network *n)
{
    uint8_t *buf = NULL;
    size_t len;
    struct stat st;
    int rc;

    if (stat(path, &st) == 0 && (st.st_mode & 077))
        return ILONET_EPERM;
    if ((rc = cert_read_file(path, NETWORK_FILE_MAX, &buf, &len)) != 0)
        return rc;
    rc = network_parse((const char *)buf, len, n);
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}
