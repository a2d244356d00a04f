/* http.c - the HTTP server: lifecycle, TLS, token, request bounds, dispatch,
 * store pool. */
#include "http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <sodium.h>

#include "crypto/error.h"

/* No inline script anywhere and no external origin: the page's own files,
 * same-origin fetches, and data: images. Inline styles are allowed for the
 * report preview (the report's HTML carries its own <style>). */
const char http__csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

static int http__msg(char *msg, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
http__msg(char *msg, int rc, const char *fmt, ...)
{
    va_list ap;

    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, HTTP_MSG_MAX, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void
http__error_v(struct http__resp *rs, int status, const char *code,
              const char *field, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    textbuf_free(&rs->rs_body);
    rs->rs_status = status;
    rs->rs_type = "application/json";
    rs->rs_disposition[0] = '\0';
    textbuf_puts(&rs->rs_body, "{\"error\":");
    json_str(&rs->rs_body, code);
    if (field && *field) {
        textbuf_puts(&rs->rs_body, ",\"field\":");
        json_str(&rs->rs_body, field);
    }
    textbuf_puts(&rs->rs_body, ",\"message\":");
    json_str(&rs->rs_body, msg);
    textbuf_puts(&rs->rs_body, "}\n");
}

void
http__error(struct http__resp *rs, int status, const char *code,
            const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    http__error_v(rs, status, code, NULL, fmt, ap);
    va_end(ap);
}

void
http__error_field(struct http__resp *rs, int status, const char *code,
                  const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    http__error_v(rs, status, code, field, fmt, ap);
    va_end(ap);
}

/* ---- token ----------------------------------------------------------------
 */

static int
http__token_read(const char *path, char out[static HTTP_TOKEN_HEX + 1])
{
    struct stat sb;
    char buf[HTTP_TOKEN_HEX + 2];
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return ILONET_EIO;
    }
    if (sb.st_mode & 077) {
        close(fd);
        return ILONET_EPERM;
    }
    r = read(fd, buf, sizeof(buf));
    close(fd);
    if (r < HTTP_TOKEN_HEX)
        return ILONET_EMALFORMED;
    for (int i = 0; i < HTTP_TOKEN_HEX; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') ||
              (buf[i] >= 'a' && buf[i] <= 'f')))
            return ILONET_EMALFORMED;
    memcpy(out, buf, HTTP_TOKEN_HEX);
    out[HTTP_TOKEN_HEX] = '\0';
    return 0;
}

int
http_token(const char *home_dir, char out[static HTTP_TOKEN_HEX + 1])
{
    char path[HOME_PATH_MAX + 32], hex[HTTP_TOKEN_HEX + 2];
    uint8_t raw[HTTP_TOKEN_HEX / 2];
    int rc, fd;

    if (!home_dir)
        return ILONET_EINVAL;
    snprintf(path, sizeof(path), "%s/%s", home_dir, HTTP_TOKEN_FILE);
    for (int attempt = 0; attempt < 20; attempt++) {
        rc = http__token_read(path, out);
        if (rc != ILONET_ENOTFOUND && !(rc == ILONET_EMALFORMED && attempt))
            return rc;
        if (rc == ILONET_EMALFORMED) { /* another process is writing it */
            usleep(10000);
            continue;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return ILONET_EIO;
        }
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
        sodium_memzero(raw, sizeof(raw));
        hex[HTTP_TOKEN_HEX] = '\n';
        rc = write(fd, hex, HTTP_TOKEN_HEX + 1) == HTTP_TOKEN_HEX + 1 &&
                     fsync(fd) == 0
                 ? 0
                 : ILONET_EIO;
        close(fd);
        if (rc != 0) {
            unlink(path);
            return rc;
        }
        memcpy(out, hex, HTTP_TOKEN_HEX);
        out[HTTP_TOKEN_HEX] = '\0';
        sodium_memzero(hex, sizeof(hex));
        return 0;
    }
    return ILONET_EIO;
}

/* ---- store pool -----------------------------------------------------------
 */

struct home *
http__home_get(struct http_server *s, struct http__resp *rs)
{
    struct home *h = NULL;
    int rc;

    pthread_mutex_lock(&s->hs_mtx);
    if (s->hs_npool)
        h = s->hs_pool[--s->hs_npool];
    pthread_mutex_unlock(&s->hs_mtx);
    if (h)
        return h;
    if (!(h = calloc(1, sizeof(*h)))) {
        http__error(rs, 503, "no-memory", "out of memory");
        return NULL;
    }
    if ((rc = home_open(h, s->hs_dir, HOME_STORE | HOME_READER)) != 0) {
        free(h);
        http__error(rs, rc == ILONET_EBUSY ? 503 : 500, ilonet_errname(rc),
                    "node home %s: %s", s->hs_dir, ilonet_strerror(rc));
        return NULL;
    }
    if (!h->h_has_cert) {
        home_close(h);
        free(h);
        http__error(rs, 409, "unknown-author",
                    "no certificate installed (ilonet cert install FILE)");
        return NULL;
    }
    return h;
}

void
http__home_put(struct http_server *s, struct home *h)
{
    if (!h)
        return;
    /* A connection left inside a transaction (an error path) is not
     * reused. */
    if (!store_in_txn(h->h_store)) {
        pthread_mutex_lock(&s->hs_mtx);
        if (s->hs_npool < HTTP_POOL_MAX) {
            s->hs_pool[s->hs_npool++] = h;
            h = NULL;
        }
        pthread_mutex_unlock(&s->hs_mtx);
    }
    if (h) {
        home_close(h);
        free(h);
    }
}

/* ---- requests -------------------------------------------------------------
 */

static int
http__hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s in place ('+' as space when plus); -1 on a bad escape
 * or a decoded NUL. */
static int
http__pct_decode(char *s, int plus)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        if (*r == '%') {
            int hi = http__hexval(r[1]), lo = hi < 0 ? -1 : http__hexval(r[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else if (*r == '+' && plus) {
            *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return 0;
}

/* Splits the request URI into path and query parameters. */
static int
http__parse_uri(const char *uri, struct http__req *rq, struct http__resp *rs)
{
    size_t n = strlen(uri);
    char *q, *tok, *save = NULL;

    if (n > 4096) {
        http__error(rs, 414, "too-big", "request URI over 4096 bytes");
        return -1;
    }
    if (!(rq->rq_scratch = malloc(2 * n + 2))) {
        http__error(rs, 503, "no-memory", "out of memory");
        return -1;
    }
    memcpy(rq->rq_scratch, uri, n + 1);
    rq->rq_path = rq->rq_scratch;
    if ((q = strchr(rq->rq_scratch, '#')) != NULL)
        *q = '\0';
    if ((q = strchr(rq->rq_scratch, '?')) != NULL)
        *q++ = '\0';
    if (http__pct_decode(rq->rq_path, 0) != 0) {
        http__error(rs, 400, "malformed", "request path: bad percent escape");
        return -1;
    }
    for (tok = q ? strtok_r(q, "&", &save) : NULL; tok;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        struct http__param *p;
        if (rq->rq_nparams == HTTP__PARAMS_MAX) {
            http__error(rs, 400, "too-big", "query: more than %d parameters",
                        HTTP__PARAMS_MAX);
            return -1;
        }
        p = &rq->rq_params[rq->rq_nparams++];
        p->hp_name = tok;
        p->hp_value = eq ? eq + 1 : tok + strlen(tok);
        if (eq)
            *eq = '\0';
        if (http__pct_decode(p->hp_name, 1) != 0 ||
            http__pct_decode(p->hp_value, 1) != 0) {
            http__error(rs, 400, "malformed",
                        "query '%.60s': bad percent escape", p->hp_name);
            return -1;
        }
        for (size_t i = 0; i + 1 < rq->rq_nparams; i++)
            if (strcmp(rq->rq_params[i].hp_name, p->hp_name) == 0) {
                http__error(rs, 400, "invalid-argument",
                            "query '%.60s': given twice", p->hp_name);
                return -1;
            }
    }
    return 0;
}

/* Sends rs as the response of the handler aio. */
void
http__reply(nng_aio *aio, struct http__resp *rs)
{
    nng_http_res *res = NULL;
    int rv;

    if (rs->rs_body.tb_err)
        http__error(rs, 500, "no-memory",
                    "response too large or out of "
                    "memory");
    if ((rv = nng_http_res_alloc(&res)) != 0) {
        nng_aio_finish(aio, rv);
        return;
    }
    nng_http_res_set_status(res, (uint16_t)rs->rs_status);
    if ((rv = nng_http_res_set_header(res, "Content-Type",
                                      rs->rs_type ? rs->rs_type
                                                  : "application/json")) ||
        (rv = nng_http_res_set_header(res, "Content-Security-Policy",
                                      http__csp)) ||
        (rv = nng_http_res_set_header(res, "X-Content-Type-Options",
                                      "nosniff")) ||
        (rv = nng_http_res_set_header(res, "Referrer-Policy", "no-referrer")) ||
        (rv = nng_http_res_set_header(res, "X-Frame-Options", "DENY")) ||
        (rv = nng_http_res_set_header(res, "Cache-Control", "no-store")) ||
        (rs->rs_disposition[0] &&
         (rv = nng_http_res_set_header(res, "Content-Disposition",
                                       rs->rs_disposition))) ||
        (rs->rs_close &&
         (rv = nng_http_res_set_header(res, "Connection", "close"))) ||
        (rs->rs_cookie[0] &&
         (rv = nng_http_res_set_header(res, "Set-Cookie", rs->rs_cookie))) ||
        (rv = nng_http_res_copy_data(
             res, rs->rs_body.tb_data ? rs->rs_body.tb_data : "",
             rs->rs_body.tb_len))) {
        nng_http_res_free(res);
        nng_aio_finish(aio, rv);
        return;
    }
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

/* One /api request waiting for its body. */
struct http__ctx {
    struct http_server *c_srv;
    nng_aio *c_user; /* the handler's aio */
    nng_aio *c_read;
    nng_http_req *c_req;
    uint8_t *c_body;
    size_t c_len;
    struct http__who c_who;
};

static void
http__run(struct http_server *s, nng_aio *aio, nng_http_req *req,
          const struct http__who *who, const uint8_t *body, size_t len)
{
    struct http__req rq;
    struct http__resp rs;

    memset(&rq, 0, sizeof(rq));
    memset(&rs, 0, sizeof(rs));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    rq.rq_method = nng_http_req_get_method(req);
    rq.rq_body = body;
    rq.rq_body_len = len;
    rq.rq_who = who;
    rq.rq_req = req;
    rq.rq_aio = aio;
    if (http__parse_uri(nng_http_req_get_uri(req), &rq, &rs) == 0)
        http__api(s, &rq, &rs);
    /* a held request (a long poll) is answered later by its holder */
    if (!rs.rs_held)
        http__reply(aio, &rs);
    textbuf_free(&rs.rs_body);
    free(rq.rq_scratch);
}

static void
http__on_body(void *arg)
{
    struct http__ctx *c = arg;
    int rv = nng_aio_result(c->c_read);

    if (rv == 0) {
        http__run(c->c_srv, c->c_user, c->c_req, &c->c_who, c->c_body,
                  c->c_len);
    } else {
        struct http__resp rs;
        memset(&rs, 0, sizeof(rs));
        rs.rs_body.tb_max = HTTP__OUT_MAX;
        if (rv == NNG_ETIMEDOUT)
            http__error(&rs, 408, "timeout",
                        "request body did not arrive within %d ms",
                        HTTP_BODY_TIMEOUT_MS);
        else
            http__error(&rs, 400, "malformed", "request body: %s",
                        nng_strerror(rv));
        rs.rs_close = 1;
        http__reply(c->c_user, &rs);
        textbuf_free(&rs.rs_body);
    }
    free(c->c_body);
    nng_aio_reap(c->c_read); /* cannot free an aio inside its callback */
    free(c);
}

/*
 * 1 if the request's Host header names this server. A page on another
 * origin that rebinds its DNS name to 127.0.0.1 reaches the listener with
 * its own name in Host: answering only to the bound address and to
 * localhost closes that door whatever the token check does. Compared
 * without case (host names are case-insensitive).
 */
static int
http__host_ok(const struct http_server *s, nng_http_req *req)
{
    const char *host = nng_http_req_get_header(req, "Host");

    if (!host)
        return 0;
    for (size_t i = 0; i < s->hs_nhost; i++)
        if (s->hs_host[i][0] && strcasecmp(host, s->hs_host[i]) == 0)
            return 1;
    return 0;
}

/* The 421 every request with a foreign Host gets (before anything else). */
static int
http__host_refuse(const struct http_server *s, nng_http_req *req,
                  struct http__resp *rs)
{
    if (http__host_ok(s, req))
        return 0;
    http__error(rs, 421, "misdirected",
                "Host header %.100s is not this server: use %s",
                nng_http_req_get_header(req, "Host")
                    ? nng_http_req_get_header(req, "Host")
                    : "(none)",
                s->hs_host[0]);
    rs->rs_close = 1;
    return -1;
}

static void
http__on_api(nng_aio *aio)
{
    nng_http_req *req = nng_aio_get_input(aio, 0);
    nng_http_handler *h = nng_aio_get_input(aio, 1);
    nng_http_conn *conn = nng_aio_get_input(aio, 2);
    struct http_server *s = nng_http_handler_get_data(h);
    const char *cl = nng_http_req_get_header(req, "Content-Length");
    const char *te = nng_http_req_get_header(req, "Transfer-Encoding");
    struct http__resp rs;
    struct http__who who;
    unsigned long long len = 0;
    struct http__ctx *c;
    nng_iov iov;

    memset(&rs, 0, sizeof(rs));
    memset(&who, 0, sizeof(who));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    if (http__host_refuse(s, req, &rs) != 0)
        goto reply;
    /* Authentication first: a request without a credential costs nothing
     * and writes nothing; its body is never read. Only the sign-in comes
     * without one (http_auth.c bounds what it may cost). */
    if (!http__auth_is_signin(req) && http__auth_check(s, req, &who, &rs) != 0)
        goto reply;
    if (te) {
        http__error(&rs, 400, "malformed",
                    "request body: Transfer-Encoding is not accepted; send "
                    "Content-Length");
        rs.rs_close = 1;
        goto reply;
    }
    if (cl) {
        char *end;
        if (!*cl || *cl == '-' || *cl == '+' || *cl == ' ')
            end = (char *)cl;
        else
            len = strtoull(cl, &end, 10);
        if (*end != '\0' || end == cl) {
            http__error(&rs, 400, "malformed",
                        "header 'Content-Length': not a number");
            rs.rs_close = 1;
            goto reply;
        }
        if (len > HTTP_BODY_MAX) {
            http__error(&rs, 400, "too-big",
                        "request body: %llu bytes, over the %d-byte bound", len,
                        HTTP_BODY_MAX);
            rs.rs_close = 1;
            goto reply;
        }
    }
    if (len == 0) {
        http__run(s, aio, req, &who, NULL, 0);
        return;
    }
    if (!(c = calloc(1, sizeof(*c))) || !(c->c_body = malloc(len)) ||
        nng_aio_alloc(&c->c_read, http__on_body, c) != 0) {
        if (c)
            free(c->c_body);
        free(c);
        http__error(&rs, 503, "no-memory", "out of memory");
        rs.rs_close = 1;
        goto reply;
    }
    c->c_srv = s;
    c->c_user = aio;
    c->c_req = req;
    c->c_len = (size_t)len;
    c->c_who = who;
    iov.iov_buf = c->c_body;
    iov.iov_len = c->c_len;
    nng_aio_set_iov(c->c_read, 1, &iov);
    nng_aio_set_timeout(c->c_read, HTTP_BODY_TIMEOUT_MS);
    nng_http_conn_read_all(conn, c->c_read);
    return;
reply:
    http__reply(aio, &rs);
    textbuf_free(&rs.rs_body);
}

static void
http__on_page(nng_aio *aio)
{
    nng_http_req *req = nng_aio_get_input(aio, 0);
    nng_http_handler *h = nng_aio_get_input(aio, 1);
    struct http_server *s = nng_http_handler_get_data(h);
    struct http__resp rs;
    char path[256];
    const char *uri = nng_http_req_get_uri(req);
    size_t n = strcspn(uri, "?#");

    memset(&rs, 0, sizeof(rs));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    snprintf(path, sizeof(path), "%.*s", (int)(n < 255 ? n : 255), uri);
    if (http__host_refuse(s, req, &rs) != 0)
        ;
    else if (strcmp(path, "/metrics") == 0)
        http__metrics(s, req, &rs);
    else if (!http__page(path, &rs))
        http__error(&rs, 404, "not-found", "no such page: %.100s", path);
    http__reply(aio, &rs);
    textbuf_free(&rs.rs_body);
}

/* ---- lifecycle -------------------------------------------------------------
 */

static int
http__nng_err(int rv)
{
    switch (rv) {
    case NNG_EADDRINUSE: return ILONET_EEXIST;
    case NNG_EADDRINVAL:
    case NNG_EINVAL:
    case NNG_ENOTSUP: return ILONET_EINVAL;
    case NNG_ENOMEM: return ILONET_ENOMEM;
    case NNG_EPERM: return ILONET_EPERM;
    default: return ILONET_EIO;
    }
}

int
http_addr_is_loopback(const char *addr)
{
    char host[128];
    const char *colon;
    size_t n;

    if (!addr)
        return 0;
    if (strncmp(addr, "http://", 7) == 0)
        addr += 7;
    else if (strncmp(addr, "https://", 8) == 0)
        addr += 8;
    if (!(colon = strrchr(addr, ':')) || (n = (size_t)(colon - addr)) == 0 ||
        n >= sizeof(host))
        return 0;
    memcpy(host, addr, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return 1;
    /* 127.0.0.0/8, written as four decimal parts */
    {
        unsigned a, b, c, d;
        char tail;
        if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 &&
            a == 127 && b < 256 && c < 256 && d < 256)
            return 1;
    }
    return 0;
}

/* Reads a PEM file (at most 1 MiB) into a malloc'd NUL-terminated *out;
 * a private key must not be readable by others. */
static int
http__pem_read(const char *path, int secret, char **out)
{
    struct stat sb;
    char *buf;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    if (fstat(fd, &sb) != 0 || sb.st_size > 1024 * 1024) {
        close(fd);
        return ILONET_EINVAL;
    }
    if (secret && (sb.st_mode & 077)) {
        close(fd);
        return ILONET_EPERM;
    }
    if (!(buf = malloc((size_t)sb.st_size + 1))) {
        close(fd);
        return ILONET_ENOMEM;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    return 0;
}

/* The TLS configuration of a server from the certificate and key files. */
static int
http__tls(struct http_server *s, const struct http_opts *o, char *msg)
{
    char *cert = NULL, *key = NULL;
    int rc, rv;

    if ((rc = http__pem_read(o->ho_cert, 0, &cert)) != 0) {
        http__msg(msg, rc, "--http-cert %s: %s", o->ho_cert,
                  rc == ILONET_ENOTFOUND ? "no such file"
                                         : ilonet_strerror(rc));
        goto out;
    }
    if ((rc = http__pem_read(o->ho_key, 1, &key)) != 0) {
        http__msg(msg, rc, "--http-key %s: %s", o->ho_key,
                  rc == ILONET_EPERM       ? "readable by others (chmod 600)"
                  : rc == ILONET_ENOTFOUND ? "no such file"
                                           : ilonet_strerror(rc));
        goto out;
    }
    if ((rv = nng_tls_config_alloc(&s->hs_tlscfg, NNG_TLS_MODE_SERVER)) != 0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "TLS: %s", nng_strerror(rv));
        goto out;
    }
    if ((rv = nng_tls_config_version(s->hs_tlscfg, NNG_TLS_1_2, NNG_TLS_1_3)) !=
            0 &&
        (rv = nng_tls_config_version(s->hs_tlscfg, NNG_TLS_1_2, NNG_TLS_1_2)) !=
            0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "TLS versions: %s", nng_strerror(rv));
        goto out;
    }
    if ((rv = nng_tls_config_own_cert(s->hs_tlscfg, cert, key, NULL)) != 0) {
        rc = ILONET_EINVAL;
        http__msg(msg, rc,
                  "--http-cert %s, --http-key %s: not a PEM certificate and "
                  "its private key (%s)",
                  o->ho_cert, o->ho_key, nng_strerror(rv));
        goto out;
    }
    rc = 0;
out:
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
    }
    free(cert);
    return rc;
}

/* Adds a Host header value the server answers to. */
static void
http__host_add(struct http_server *s, const char *fmt, const char *name,
               unsigned port)
{
    if (s->hs_nhost < sizeof(s->hs_host) / sizeof(s->hs_host[0]))
        snprintf(s->hs_host[s->hs_nhost++], HTTP_URL_MAX, fmt, name, port);
}

int
http_start(struct http_server **out, const char *home_dir,
           const struct http_opts *o, char *msg)
{
    struct http_server *s;
    struct home *h;
    struct http__resp rs;
    nng_sockaddr sa;
    nng_url *u;
    const char *addr;
    char url[HTTP_URL_MAX];
    int rv, rc, tls;

    if (!out || !home_dir || !o)
        return ILONET_EINVAL;
    addr = o->ho_addr;
    if (!addr || !*addr)
        addr = HTTP_DEFAULT_ADDR;
    if (strncmp(addr, "http://", 7) == 0)
        addr += 7;
    else if (strncmp(addr, "https://", 8) == 0)
        addr += 8;
    if (strlen(addr) > 200 || !strchr(addr, ':') || strchr(addr, '/'))
        return http__msg(msg, ILONET_EINVAL,
                         "--http %s: expected HOST:PORT, like %s", addr,
                         HTTP_DEFAULT_ADDR);
    if (!o->ho_cert != !o->ho_key)
        return http__msg(msg, ILONET_EINVAL,
                         "--http-cert and --http-key go together");
    tls = o->ho_cert != NULL;
    /* Officers' workstations reach a non-loopback address over the
     * post's network: passwords and session cookies must not cross it in
     * clear. */
    if (!tls && !http_addr_is_loopback(addr))
        return http__msg(msg, ILONET_EINVAL,
                         "--http %s: not a loopback address: give "
                         "--http-cert FILE and --http-key FILE (PEM) to "
                         "serve over TLS, or serve on 127.0.0.1 behind a "
                         "reverse proxy (docs/API.md)",
                         addr);
    if (o->ho_nnames > HTTP_NAMES_MAX)
        return http__msg(msg, ILONET_EINVAL, "--http-name: at most %d",
                         HTTP_NAMES_MAX);
    for (size_t i = 0; i < o->ho_nnames; i++)
        if (!o->ho_names[i] || !*o->ho_names[i] ||
            strlen(o->ho_names[i]) > 200 ||
            strcspn(o->ho_names[i], ":/ \t") != strlen(o->ho_names[i]))
            return http__msg(msg, ILONET_EINVAL,
                             "--http-name %s: a host name, without port",
                             o->ho_names[i] ? o->ho_names[i] : "");
    if (!(s = calloc(1, sizeof(*s))))
        return ILONET_ENOMEM;
    pthread_mutex_init(&s->hs_mtx, NULL);
    snprintf(s->hs_dir, sizeof(s->hs_dir), "%s", home_dir);
    s->hs_tls = tls;
    if ((rc = http_token(home_dir, s->hs_token)) != 0) {
        http__msg(msg, rc, "%s/%s: %s", home_dir, HTTP_TOKEN_FILE,
                  rc == ILONET_EPERM ? "readable by others (chmod 600)"
                                     : ilonet_strerror(rc));
        goto fail;
    }
    /* The home must open now, not at the first request. */
    memset(&rs, 0, sizeof(rs));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    if (!(h = http__home_get(s, &rs))) {
        rc = ILONET_EIO;
        http__msg(msg, rc, "%.*s", (int)rs.rs_body.tb_len,
                  rs.rs_body.tb_data ? rs.rs_body.tb_data : "");
        textbuf_free(&rs.rs_body);
        goto fail;
    }
    snprintf(s->hs_state, sizeof(s->hs_state), "%s", h->h_cert.c_state);
    http__home_put(s, h);
    if ((rc = http__auth_init(s)) != 0) {
        http__msg(msg, rc, "%s/%s: %s", home_dir, USERS_FILE,
                  rc == ILONET_EPERM ? "readable by others (chmod 600)"
                                     : ilonet_strerror(rc));
        goto fail;
    }
    if ((rc = http__events_init(s)) != 0) {
        http__msg(msg, rc, "live updates: %s", ilonet_strerror(rc));
        goto fail;
    }
    if ((rc = http__writes_init(s)) != 0) {
        http__msg(msg, rc, "writer thread: %s", ilonet_strerror(rc));
        goto fail;
    }
    if ((rc = http__hashes_init(s)) != 0) {
        http__msg(msg, rc, "view hash thread: %s", ilonet_strerror(rc));
        goto fail;
    }
    if (tls && (rc = http__tls(s, o, msg)) != 0)
        goto fail;
    snprintf(url, sizeof(url), "%s://%s", tls ? "https" : "http", addr);
    if ((rv = nng_url_parse(&u, url)) != 0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "--http %s: %s", addr, nng_strerror(rv));
        goto fail;
    }
    rv = nng_http_server_hold(&s->hs_srv, u);
    nng_url_free(u);
    if (rv != 0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "--http %s: %s", addr, nng_strerror(rv));
        goto fail;
    }
    if (tls && (rv = nng_http_server_set_tls(s->hs_srv, s->hs_tlscfg)) != 0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "--http %s: TLS: %s", addr, nng_strerror(rv));
        goto fail;
    }
    if ((rv = nng_http_server_start(s->hs_srv)) != 0) {
        rc = http__nng_err(rv);
        http__msg(msg, rc,
                  rc == ILONET_EEXIST ? "--http %s: address in use (%s)"
                                      : "--http %s: %s",
                  addr, nng_strerror(rv));
        goto fail;
    }
    /* The real port (port 0 picks one). */
    {
        char host[128];
        const char *colon = strrchr(addr, ':');
        unsigned port = (unsigned)atoi(colon + 1);
        snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
        if (nng_http_server_get_addr(s->hs_srv, &sa) == 0 &&
            sa.s_family == NNG_AF_INET)
            port = ntohs(sa.s_in.sa_port); /* network byte order */
        snprintf(s->hs_url, sizeof(s->hs_url), "%s://%s:%u/",
                 tls ? "https" : "http",
                 o->ho_nnames                              ? o->ho_names[0]
                 : host[0] && strcmp(host, "0.0.0.0") != 0 ? host
                                                           : "127.0.0.1",
                 port);
        /* the names first: the 421 answer names the first */
        for (size_t i = 0; i < o->ho_nnames; i++) {
            http__host_add(s, "%s:%u", o->ho_names[i], port);
            /* without a port: the default port (443) is left out of Host,
             * and a reverse proxy in front passes its own name */
            http__host_add(s, "%s", o->ho_names[i], port);
        }
        /* a wildcard address is reached on this machine as 127.0.0.1 */
        if (!host[0] || strcmp(host, "0.0.0.0") == 0 ||
            strcmp(host, "[::]") == 0)
            http__host_add(s, "%s:%u", "127.0.0.1", port);
        else
            http__host_add(s, "%s:%u", host, port);
        http__host_add(s, "%s:%u", "localhost", port);
    }
    /* The handlers last: a request reaches them only once the Host list
     * and the URL above are complete (adding a handler takes the
     * server's lock, which a request takes to find it), where before a
     * handler thread could read the list while it was being filled. */
    if ((rv = nng_http_handler_alloc(&s->hs_api, "/api", http__on_api)) ||
        (rv = nng_http_handler_set_method(s->hs_api, NULL)) ||
        (rv = nng_http_handler_set_tree(s->hs_api)) ||
        (rv = nng_http_handler_collect_body(s->hs_api, false, 0)) ||
        (rv = nng_http_handler_set_data(s->hs_api, s, NULL)) ||
        (rv = nng_http_server_add_handler(s->hs_srv, s->hs_api))) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "http handler: %s", nng_strerror(rv));
        goto fail;
    }
    if ((rv = nng_http_handler_alloc(&s->hs_page, "/", http__on_page)) ||
        (rv = nng_http_handler_set_method(s->hs_page, "GET")) ||
        (rv = nng_http_handler_set_tree(s->hs_page)) ||
        (rv = nng_http_handler_set_data(s->hs_page, s, NULL)) ||
        (rv = nng_http_server_add_handler(s->hs_srv, s->hs_page))) {
        rc = http__nng_err(rv);
        http__msg(msg, rc, "http handler: %s", nng_strerror(rv));
        goto fail;
    }
    *out = s;
    return 0;
fail:
    http_stop(s);
    return rc;
}

int
http_url(const struct http_server *s, char *out, size_t cap)
{
    if (!s || !out)
        return ILONET_EINVAL;
    if ((size_t)snprintf(out, cap, "%s#token=%s", s->hs_url, s->hs_token) >=
        cap)
        return ILONET_ETOOBIG;
    return 0;
}

void
http_stop(struct http_server *s)
{
    if (!s)
        return;
    if (s->hs_srv) {
        http__events_stop(s); /* no request is held from now on */
        http__writes_stop(s); /* nor queued for the writer */
        nng_http_server_stop(s->hs_srv);
        /* Removing a handler waits for none of its callbacks; the server
         * was stopped first, so no new request starts, and release drops
         * the last reference after the connections closed. */
        if (s->hs_api) {
            nng_http_server_del_handler(s->hs_srv, s->hs_api);
            nng_http_handler_free(s->hs_api);
        }
        if (s->hs_page) {
            nng_http_server_del_handler(s->hs_srv, s->hs_page);
            nng_http_handler_free(s->hs_page);
        }
        nng_http_server_release(s->hs_srv);
    } else {
        if (s->hs_api)
            nng_http_handler_free(s->hs_api);
        if (s->hs_page)
            nng_http_handler_free(s->hs_page);
    }
    /* after the server: no handler runs and no request waits any more */
    http__hashes_free(s);
    http__writes_free(s);
    http__events_free(s);
    http__auth_free(s);
    if (s->hs_tlscfg)
        nng_tls_config_free(s->hs_tlscfg);
    for (size_t i = 0; i < s->hs_npool; i++) {
        home_close(s->hs_pool[i]);
        free(s->hs_pool[i]);
    }
    pthread_mutex_destroy(&s->hs_mtx);
    sodium_memzero(s->hs_token, sizeof(s->hs_token));
    free(s);
}
