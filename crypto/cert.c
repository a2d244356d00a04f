/* cert.c - roster and network files; signed certificates, grants, revocations. */
#include "cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "error.h"
#include "wire.h"

static const struct wire_limits cert__lim = {CERT_MAX_LEN, 3, 64};

const char *
cert_role_name(enum cert_role r)
{
    switch (r) {
    case ROLE_ILO: return "ilo";
    case ROLE_PRESIDENCY: return "presidency";
    case ROLE_COMMISSION: return "commission";
    case ROLE_AGENCY: return "agency";
    }
    return "unknown";
}

int
cert_role_parse(const char *s, enum cert_role *out)
{
    for (int r = ROLE_ILO; r <= ROLE_AGENCY; r++)
        if (s && strcmp(s, cert_role_name((enum cert_role)r)) == 0) {
            *out = (enum cert_role)r;
            return 0;
        }
    return ILONET_EINVAL;
}

enum cert_role
cert_role_for_state(const char *state)
{
    if (strcmp(state, "EU") == 0)
        return ROLE_COMMISSION;
    /* Member States use two-letter codes; longer codes are agencies. */
    return strlen(state) == 2 ? ROLE_ILO : ROLE_AGENCY;
}

int
cert_role_is_ms(enum cert_role r)
{
    return r == ROLE_ILO || r == ROLE_PRESIDENCY;
}

/* ---- small files ------------------------------------------------------ */

int
cert_read_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd, rc = 0;

    fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    if (fstat(fd, &st) != 0) {
        rc = ILONET_EIO;
        goto out;
    }
    if ((size_t)st.st_size > max) {
        rc = ILONET_ETOOBIG;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) {
            rc = ILONET_EIO;
            goto out;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

int
cert_write_file(const char *path, const uint8_t *buf, size_t len, int mode)
{
    char tmp[4096];
    int fd, rc = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >=
        (int)sizeof(tmp))
        return ILONET_EINVAL;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return ILONET_EIO;
    if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0)
        rc = ILONET_EIO;
    if (close(fd) != 0)
        rc = ILONET_EIO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ILONET_EIO;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* ---- roster ----------------------------------------------------------- */

int
roster_add(struct roster *r, const char *state,
           const uint8_t pk[static KEY_PK_LEN])
{
    if (!key_state_valid(state))
        return ILONET_EINVAL;
    if (roster_find(r, state))
        return ILONET_EEXIST;
    if (r->r_count >= ROSTER_MAX)
        return ILONET_ETOOBIG;
    snprintf(r->r_states[r->r_count].rs_state, KEY_STATE_MAX + 1, "%s",
             state);
    memcpy(r->r_states[r->r_count].rs_pk, pk, KEY_PK_LEN);
    r->r_count++;
    return 0;
}

const uint8_t *
roster_find(const struct roster *r, const char *state)
{
    for (size_t i = 0; i < r->r_count; i++)
        if (strcmp(r->r_states[i].rs_state, state) == 0)
            return r->r_states[i].rs_pk;
    return NULL;
}

int
roster_load(const char *path, struct roster *r)
{
    uint8_t *buf = NULL;
    char *line, *save = NULL;
    size_t len;
    int rc;

    if ((rc = cert_read_file(path, 64 * 1024, &buf, &len)) != 0)
        return rc;
    memset(r, 0, sizeof(*r));
    for (line = strtok_r((char *)buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char state[KEY_STATE_MAX + 2], hex[2 * KEY_PK_LEN + 2];
        uint8_t pk[KEY_PK_LEN];

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (sscanf(line, "%16s %65s", state, hex) != 2 ||
            hash_unhex(hex, pk, KEY_PK_LEN) != 0 ||
            roster_add(r, state, pk) != 0) {
            rc = ILONET_EMALFORMED;
            break;
        }
    }
    free(buf);
    return rc;
}

int
roster_save(const char *path, const struct roster *r)
{
    char text[ROSTER_MAX * 96 + 128];
    size_t off = 0;

    off += (size_t)snprintf(text, sizeof(text),
                            "# ilonet trust roster: state root public keys\n");
    for (size_t i = 0; i < r->r_count; i++) {
        char hex[2 * KEY_PK_LEN + 1];
        hash_hex(r->r_states[i].rs_pk, KEY_PK_LEN, hex);
        off += (size_t)snprintf(text + off, sizeof(text) - off, "%s %s\n",
                                r->r_states[i].rs_state, hex);
    }
    return cert_write_file(path, (const uint8_t *)text, off, 0644);
}

/* ---- network file ----------------------------------------------------- */

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
network_save(const char *path, const struct network *n)
{
    char id[2 * NET_ID_LEN + 1], key[2 * NET_KEY_LEN + 1], text[512];
    int len, rc;

    hash_hex(n->n_id, NET_ID_LEN, id);
    hash_hex(n->n_key, NET_KEY_LEN, key);
    len = snprintf(text, sizeof(text),
                   "# ilonet network file: holds the network's admission "
                   "secret; give it only to members\n"
                   "host %s\nid %s\nkey %s\n",
                   n->n_host, id, key);
    if (n->n_blob_max)
        len += snprintf(text + len, sizeof(text) - (size_t)len,
                        "blob-max %llu\n", (unsigned long long)n->n_blob_max);
    rc = cert_write_file(path, (const uint8_t *)text, (size_t)len, 0600);
    sodium_memzero(text, sizeof(text));
    sodium_memzero(key, sizeof(key));
    return rc;
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

int
network_load(const char *path, struct network *n)
{
    uint8_t *buf = NULL;
    char *line, *save = NULL;
    int have = 0, rc;
    size_t len;
    struct stat st;

    if (stat(path, &st) == 0 && (st.st_mode & 077))
        return ILONET_EPERM;
    if ((rc = cert_read_file(path, 4096, &buf, &len)) != 0)
        return rc;
    memset(n, 0, sizeof(*n));
    for (line = strtok_r((char *)buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strncmp(line, "host ", 5) == 0 && key_state_valid(line + 5)) {
            snprintf(n->n_host, sizeof(n->n_host), "%s", line + 5);
            have |= 1;
        } else if (strncmp(line, "id ", 3) == 0 &&
                   hash_unhex(line + 3, n->n_id, NET_ID_LEN) == 0) {
            have |= 2;
        } else if (strncmp(line, "key ", 4) == 0 &&
                   hash_unhex(line + 4, n->n_key, NET_KEY_LEN) == 0) {
            have |= 4;
        } else if (strncmp(line, "blob-max ", 9) == 0 && !n->n_blob_max &&
                   network__bytes(line + 9, &n->n_blob_max) == 0) {
            continue;
        } else {
            have = -1;
            break;
        }
    }
    sodium_memzero(buf, len);
    free(buf);
    return have == 7 ? 0 : ILONET_EMALFORMED;
}

/* ---- signed envelopes ------------------------------------------------- */

void
cert_envelope_id(const uint8_t *buf, size_t len, uint8_t id[static HASH_LEN])
{
    hash_buf(HASH_CTX_CERT, buf, len, id);
}

/* Wraps body in [bin body, bin sig] signed by sk under ctx. */
static int
cert__seal(struct wire_buf *body, const struct key_pair *sk, const char *ctx,
           uint8_t **out, size_t *out_len)
{
    uint8_t sig[KEY_SIG_LEN];
    struct wire_buf env;
    int rc;

    if (body->wb_err)
        return body->wb_err;
    if ((rc = key_sign(sk, ctx, body->wb_data, body->wb_len, sig)) != 0)
        return rc;
    wire_buf_init(&env, CERT_MAX_LEN);
    wire_pack_array(&env, 2);
    wire_pack_bin(&env, body->wb_data, body->wb_len);
    wire_pack_bin(&env, sig, sizeof(sig));
    if (env.wb_err) {
        rc = env.wb_err;
        wire_buf_free(&env);
        return rc;
    }
    *out = wire_buf_steal(&env, out_len);
    return 0;
}

/*
 * Opens an envelope: checks both layers canonically, unpacks the body into
 * zone and checks its first two fields are (tag, 1). The signature is
 * returned for the caller to check once it knows the signer.
 */
static int
cert__open(const uint8_t *buf, size_t len, const char *tag, msgpack_zone *z,
           msgpack_object *body, const uint8_t **bp, size_t *bl,
           uint8_t sig[static KEY_SIG_LEN])
{
    msgpack_object env;
    uint64_t ver;
    const char *t;
    size_t tl;
    int rc;

    if ((rc = wire_check(buf, len, &cert__lim)) != 0)
        return rc;
    if ((rc = wire_unpack(buf, len, z, &env)) != 0)
        return rc;
    if (env.type != MSGPACK_OBJECT_ARRAY || env.via.array.size != 2 ||
        wire_get_bin(&env.via.array.ptr[0], bp, bl) != 0 ||
        wire_get_bin_fixed(&env.via.array.ptr[1], sig, KEY_SIG_LEN) != 0)
        return ILONET_EMALFORMED;
    if ((rc = wire_check(*bp, *bl, &cert__lim)) != 0)
        return rc;
    if ((rc = wire_unpack(*bp, *bl, z, body)) != 0)
        return rc;
    if (body->type != MSGPACK_OBJECT_ARRAY || body->via.array.size < 2 ||
        wire_get_str(&body->via.array.ptr[0], &t, &tl) != 0 ||
        tl != strlen(tag) || memcmp(t, tag, tl) != 0)
        return ILONET_EMALFORMED;
    if (wire_get_uint(&body->via.array.ptr[1], &ver) != 0 || ver != 1)
        return ILONET_EKIND;
    return 0;
}

/* Checks the signer's key in the roster and the signature. */
static int
cert__check_sig(const struct roster *r, const char *state, const char *ctx,
                const uint8_t *bp, size_t bl, const uint8_t *sig)
{
    const uint8_t *pk = roster_find(r, state);

    if (!pk)
        return ILONET_EUNKNOWNAUTHOR;
    return key_verify(pk, ctx, bp, bl, sig);
}

static int
cert__state(const msgpack_object *o, char *out)
{
    if (wire_get_cstr(o, out, KEY_STATE_MAX + 1) != 0 ||
        !key_state_valid(out))
        return ILONET_EMALFORMED;
    return 0;
}

int
cert_issue(const struct cert *c, const struct key_pair *sk, uint8_t **out,
           size_t *out_len)
{
    struct wire_buf b;
    int rc;

    if (sk->kind != KEY_STATE || strcmp(sk->state, c->c_state) != 0 ||
        c->c_not_after < c->c_not_before)
        return ILONET_EINVAL;
    wire_buf_init(&b, CERT_MAX_LEN);
    wire_pack_array(&b, 9);
    wire_pack_str(&b, "cert");
    wire_pack_uint(&b, 1);
    wire_pack_bin(&b, c->c_network, NET_ID_LEN);
    wire_pack_str(&b, c->c_state);
    wire_pack_bin(&b, c->c_node, KEY_PK_LEN);
    wire_pack_str(&b, cert_role_name(c->c_role));
    wire_pack_uint(&b, c->c_not_before);
    wire_pack_uint(&b, c->c_not_after);
    wire_pack_uint(&b, c->c_serial);
    rc = cert__seal(&b, sk, SIG_CTX_CERT, out, out_len);
    wire_buf_free(&b);
    return rc;
}

int
cert_verify(const uint8_t *buf, size_t len, const struct roster *r,
            const uint8_t network[static NET_ID_LEN], struct cert *c)
{
    msgpack_zone z;
    msgpack_object body;
    const msgpack_object *f;
    const uint8_t *bp;
    size_t bl;
    uint8_t sig[KEY_SIG_LEN];
    char role[16];
    struct cert tmp;
    int rc;

    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    memset(&tmp, 0, sizeof(tmp));
    if ((rc = cert__open(buf, len, "cert", &z, &body, &bp, &bl, sig)) != 0)
        goto out;
    rc = ILONET_EMALFORMED;
    if (body.via.array.size != 9)
        goto out;
    f = body.via.array.ptr;
    if (wire_get_bin_fixed(&f[2], tmp.c_network, NET_ID_LEN) != 0 ||
        cert__state(&f[3], tmp.c_state) != 0 ||
        wire_get_bin_fixed(&f[4], tmp.c_node, KEY_PK_LEN) != 0 ||
        wire_get_cstr(&f[5], role, sizeof(role)) != 0 ||
        cert_role_parse(role, &tmp.c_role) != 0 ||
        wire_get_uint(&f[6], &tmp.c_not_before) != 0 ||
        wire_get_uint(&f[7], &tmp.c_not_after) != 0 ||
        wire_get_uint(&f[8], &tmp.c_serial) != 0)
        goto out;
    if ((rc = cert__check_sig(r, tmp.c_state, SIG_CTX_CERT, bp, bl, sig)) !=
        0)
        goto out;
    if (sodium_memcmp(tmp.c_network, network, NET_ID_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out;
    }
    *c = tmp;
    rc = 0;
out:
    msgpack_zone_destroy(&z);
    return rc;
}

int
cert_valid_at(const struct cert *c, uint64_t t)
{
    return t >= c->c_not_before && t <= c->c_not_after ? 0 : ILONET_EEXPIRED;
}

int
grant_issue(const struct grant *g, const struct key_pair *sk, uint8_t **out,
            size_t *out_len)
{
    struct wire_buf b;
    int rc;

    if (sk->kind != KEY_STATE || strcmp(sk->state, g->g_represented) != 0 ||
        !key_state_valid(g->g_representing) ||
        strcmp(g->g_represented, g->g_representing) == 0 ||
        g->g_nscope > GRANT_SCOPE_MAX || g->g_not_after < g->g_not_before)
        return ILONET_EINVAL;
    wire_buf_init(&b, CERT_MAX_LEN);
    wire_pack_array(&b, 9);
    wire_pack_str(&b, "grant");
    wire_pack_uint(&b, 1);
    wire_pack_bin(&b, g->g_network, NET_ID_LEN);
    wire_pack_str(&b, g->g_represented);
    wire_pack_str(&b, g->g_representing);
    wire_pack_array(&b, (uint32_t)g->g_nscope);
    for (size_t i = 0; i < g->g_nscope; i++)
        wire_pack_str(&b, g->g_scope[i]);
    wire_pack_uint(&b, g->g_not_before);
    wire_pack_uint(&b, g->g_not_after);
    wire_pack_uint(&b, g->g_serial);
    rc = cert__seal(&b, sk, SIG_CTX_GRANT, out, out_len);
    wire_buf_free(&b);
    return rc;
}

int
grant_verify(const uint8_t *buf, size_t len, const struct roster *r,
             const uint8_t network[static NET_ID_LEN], struct grant *g)
{
    msgpack_zone z;
    msgpack_object body;
    const msgpack_object *f;
    const uint8_t *bp;
    size_t bl;
    uint8_t sig[KEY_SIG_LEN];
    struct grant tmp;
    int rc;

    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    memset(&tmp, 0, sizeof(tmp));
    if ((rc = cert__open(buf, len, "grant", &z, &body, &bp, &bl, sig)) != 0)
        goto out;
    rc = ILONET_EMALFORMED;
    if (body.via.array.size != 9)
        goto out;
    f = body.via.array.ptr;
    if (wire_get_bin_fixed(&f[2], tmp.g_network, NET_ID_LEN) != 0 ||
        cert__state(&f[3], tmp.g_represented) != 0 ||
        cert__state(&f[4], tmp.g_representing) != 0 ||
        f[5].type != MSGPACK_OBJECT_ARRAY ||
        f[5].via.array.size > GRANT_SCOPE_MAX ||
        wire_get_uint(&f[6], &tmp.g_not_before) != 0 ||
        wire_get_uint(&f[7], &tmp.g_not_after) != 0 ||
        wire_get_uint(&f[8], &tmp.g_serial) != 0)
        goto out;
    tmp.g_nscope = f[5].via.array.size;
    for (size_t i = 0; i < tmp.g_nscope; i++)
        if (wire_get_cstr(&f[5].via.array.ptr[i], tmp.g_scope[i],
                          sizeof(tmp.g_scope[i])) != 0)
            goto out;
    if ((rc = cert__check_sig(r, tmp.g_represented, SIG_CTX_GRANT, bp, bl,
                              sig)) != 0)
        goto out;
    if (sodium_memcmp(tmp.g_network, network, NET_ID_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out;
    }
    *g = tmp;
    rc = 0;
out:
    msgpack_zone_destroy(&z);
    return rc;
}

int
revocation_issue(const struct revocation *v, const struct key_pair *sk,
                 uint8_t **out, size_t *out_len)
{
    struct wire_buf b;
    int rc;

    if (sk->kind != KEY_STATE || strcmp(sk->state, v->v_state) != 0 ||
        (v->v_type != REVOKE_NODE && v->v_type != REVOKE_GRANT))
        return ILONET_EINVAL;
    if (v->v_nlast > REVOKE_LOGS_MAX ||
        (v->v_type == REVOKE_GRANT && v->v_nlast != 0))
        return ILONET_EINVAL;
    wire_buf_init(&b, CERT_MAX_LEN);
    wire_pack_array(&b, 10);
    wire_pack_str(&b, "revoke");
    wire_pack_uint(&b, 1);
    wire_pack_uint(&b, (uint64_t)v->v_type);
    wire_pack_bin(&b, v->v_network, NET_ID_LEN);
    wire_pack_str(&b, v->v_state);
    wire_pack_bin(&b, v->v_node, KEY_PK_LEN);
    wire_pack_array(&b, (uint32_t)v->v_nlast);
    for (size_t i = 0; i < v->v_nlast; i++) {
        wire_pack_array(&b, 3);
        wire_pack_bin(&b, v->v_last[i].rl_log, HASH_LEN);
        wire_pack_uint(&b, v->v_last[i].rl_seq);
        wire_pack_bin(&b, v->v_last[i].rl_entry, HASH_LEN);
    }
    wire_pack_bin(&b, v->v_grant, HASH_LEN);
    wire_pack_uint(&b, v->v_at);
    wire_pack_uint(&b, v->v_serial);
    rc = cert__seal(&b, sk, SIG_CTX_REVOKE, out, out_len);
    wire_buf_free(&b);
    return rc;
}

int
revocation_verify(const uint8_t *buf, size_t len, const struct roster *r,
                  const uint8_t network[static NET_ID_LEN],
                  struct revocation *v)
{
    msgpack_zone z;
    msgpack_object body;
    const msgpack_object *f;
    const uint8_t *bp;
    size_t bl;
    uint8_t sig[KEY_SIG_LEN];
    struct revocation tmp;
    uint64_t type;
    int rc;

    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    memset(&tmp, 0, sizeof(tmp));
    if ((rc = cert__open(buf, len, "revoke", &z, &body, &bp, &bl, sig)) !=
        0)
        goto out;
    rc = ILONET_EMALFORMED;
    if (body.via.array.size != 10)
        goto out;
    f = body.via.array.ptr;
    if (wire_get_uint(&f[2], &type) != 0 ||
        (type != REVOKE_NODE && type != REVOKE_GRANT) ||
        wire_get_bin_fixed(&f[3], tmp.v_network, NET_ID_LEN) != 0 ||
        cert__state(&f[4], tmp.v_state) != 0 ||
        wire_get_bin_fixed(&f[5], tmp.v_node, KEY_PK_LEN) != 0 ||
        f[6].type != MSGPACK_OBJECT_ARRAY ||
        f[6].via.array.size > REVOKE_LOGS_MAX ||
        (type == REVOKE_GRANT && f[6].via.array.size != 0) ||
        wire_get_bin_fixed(&f[7], tmp.v_grant, HASH_LEN) != 0 ||
        wire_get_uint(&f[8], &tmp.v_at) != 0 ||
        wire_get_uint(&f[9], &tmp.v_serial) != 0)
        goto out;
    tmp.v_nlast = f[6].via.array.size;
    for (size_t i = 0; i < tmp.v_nlast; i++) {
        const msgpack_object *it = &f[6].via.array.ptr[i];
        struct revoke_last *l = &tmp.v_last[i];

        if (it->type != MSGPACK_OBJECT_ARRAY || it->via.array.size != 3 ||
            wire_get_bin_fixed(&it->via.array.ptr[0], l->rl_log,
                               HASH_LEN) != 0 ||
            wire_get_uint(&it->via.array.ptr[1], &l->rl_seq) != 0 ||
            wire_get_bin_fixed(&it->via.array.ptr[2], l->rl_entry,
                               HASH_LEN) != 0)
            goto out;
        /* one item per log: a second would make the cut ambiguous */
        for (size_t j = 0; j < i; j++)
            if (memcmp(tmp.v_last[j].rl_log, l->rl_log, HASH_LEN) == 0)
                goto out;
    }
    tmp.v_type = (enum revoke_type)type;
    if ((rc = cert__check_sig(r, tmp.v_state, SIG_CTX_REVOKE, bp, bl,
                              sig)) != 0)
        goto out;
    if (sodium_memcmp(tmp.v_network, network, NET_ID_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out;
    }
    *v = tmp;
    rc = 0;
out:
    msgpack_zone_destroy(&z);
    return rc;
}
