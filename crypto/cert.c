/* cert.c - node certificates and roles; the small-file helpers. */
#include "cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

_Static_assert(sizeof(enum cert_role) == sizeof(int),
               "ENVELOPE_F_NAME stores an int");
_Static_assert(sizeof(struct cert) <= ENVELOPE_OBJ_MAX, "cert too big");

/* Role names by value: the certificate writes the name. */
static const char *const cert__roles[] = {
    NULL, "ilo", "presidency", "commission", "agency",
};

const char *
cert_role_name(enum cert_role r)
{
    return r >= ROLE_ILO && r <= ROLE_AGENCY ? cert__roles[r] : "unknown";
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

/* ---- certificates ---------------------------------------------------- */

static int
cert__issuable(const void *obj)
{
    const struct cert *c = obj;

    return c->c_not_after < c->c_not_before;
}

static const struct envelope_field cert__fields[] = {
    ENVELOPE_BIN(struct cert, c_network),
    ENVELOPE_STATE(struct cert, c_state),
    ENVELOPE_BIN(struct cert, c_node),
    ENVELOPE_NAME(struct cert, c_role, cert__roles, ROLE_AGENCY),
    ENVELOPE_UINT(struct cert, c_not_before),
    ENVELOPE_UINT(struct cert, c_not_after),
    ENVELOPE_UINT(struct cert, c_serial),
};

const struct envelope_type cert_envelope = {
    .et_tag = "cert",
    .et_sig_ctx = SIG_CTX_CERT,
    .et_signer = offsetof(struct cert, c_state),
    .et_network = offsetof(struct cert, c_network),
    .et_fields = cert__fields,
    .et_nfields = sizeof(cert__fields) / sizeof(cert__fields[0]),
    .et_size = sizeof(struct cert),
    .et_issuable = cert__issuable,
};

int
cert_issue(const struct cert *c, const struct key_pair *sk, uint8_t **out,
           size_t *out_len)
{
    return envelope_issue(&cert_envelope, c, sk, out, out_len);
}

int
cert_verify(const uint8_t *buf, size_t len, const struct roster *r,
            const uint8_t network[static NET_ID_LEN], struct cert *c)
{
    return envelope_verify(&cert_envelope, buf, len, r, network, c);
}

int
cert_valid_at(const struct cert *c, uint64_t t)
{
    return t >= c->c_not_before && t <= c->c_not_after ? 0 : ILONET_EEXPIRED;
}

void
cert_envelope_id(const uint8_t *buf, size_t len, uint8_t id[static HASH_LEN])
{
    envelope_id(buf, len, id);
}
