/* network.c - the network file: host, id and admission secret. */
#include "network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cert.h"
#include "error.h"
#include "hash.h"

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
network_parse(const char *text, size_t len, struct network *n)
{
    struct network t;
    char *buf, *line, *save = NULL;
    int have = 0;

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
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strncmp(line, "host ", 5) == 0 && key_state_valid(line + 5)) {
            snprintf(t.n_host, sizeof(t.n_host), "%s", line + 5);
            have |= 1;
        } else if (strncmp(line, "id ", 3) == 0 &&
                   hash_unhex(line + 3, t.n_id, NET_ID_LEN) == 0) {
            have |= 2;
        } else if (strncmp(line, "key ", 4) == 0 &&
                   hash_unhex(line + 4, t.n_key, NET_KEY_LEN) == 0) {
            have |= 4;
        } else {
            have = -1;
            break;
        }
    }
    sodium_memzero(buf, len + 1);
    free(buf);
    if (have == 7)
        *n = t;
    sodium_memzero(&t, sizeof(t));
    return have == 7 ? 0 : ILONET_EMALFORMED;
}

int
network_format(const struct network *n, char *out, size_t cap, size_t *len)
{
    char id[2 * NET_ID_LEN + 1], key[2 * NET_KEY_LEN + 1];
    int k;

    if (!n || !out || !len || !key_state_valid(n->n_host))
        return ILONET_EINVAL;
    hash_hex(n->n_id, NET_ID_LEN, id);
    hash_hex(n->n_key, NET_KEY_LEN, key);
    k = snprintf(out, cap,
                 "# ilonet network file: holds the network's admission "
                 "secret; give it only to members\n"
                 "host %s\nid %s\nkey %s\n",
                 n->n_host, id, key);
    sodium_memzero(key, sizeof(key));
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
    char text[512];
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
