/* http.h - the node's local HTTP/JSON API and web page (NNG's HTTP server). */
#ifndef ILONET_HTTP_H
#define ILONET_HTTP_H

#include <stddef.h>

/*
 * `ilonet node --http ADDR` serves, on loopback by default:
 *   /            the web page (HTML, CSS and plain JavaScript embedded in
 *                the binary, no external origin: see docs/API.md);
 *   /api/...     the JSON API (every endpoint in docs/API.md).
 *
 * Threads: request handlers run on NNG's threads. Each request borrows a
 * store connection of its own from a small pool (a struct home opened
 * with HOME_STORE is used by one thread at a time), so no SQLite
 * connection is ever shared between threads and the node's sync loop is
 * never touched: the running node notices appends made here by watching
 * the store (node.h, "nudges").
 *
 * Authentication (docs/API.md): the bootstrap token, a random token (32
 * bytes, 64 hex digits) in the 0600 file HTTP_TOKEN_FILE of the node
 * home, created on the first start, sent as `Authorization: Bearer
 * <token>`; an officer's user token (`Bearer NAME.HEX`); or an officer's
 * session cookie from POST /api/session (accounts: storage/users.h). Any
 * /api request without one (but the sign-in) gets 401 before the body is
 * read, so nothing is written; a write under a cookie also needs the
 * session's CSRF header. The page is public (it holds no data) and learns
 * the bootstrap token from the URL fragment printed by the node
 * (#token=...), which never reaches the server.
 *
 * TLS: an address other than loopback is served only over TLS (NNG's,
 * with the certificate and key files of struct http_opts); without them
 * http_start refuses it.
 *
 * Bounds: request bodies at most HTTP_BODY_MAX bytes (Content-Length
 * required for a body), a body must arrive within HTTP_BODY_TIMEOUT_MS,
 * request lines and headers at most 8 KiB (NNG), JSON bodies are flat
 * objects of at most JSON_FIELDS_MAX (crypto/json.h) fields. Every invalid
 * request gets a 4xx with {"error": code, "message": text}; codes are the names
 * of crypto/error.h (ilonet_errname) plus "unauthorised" for the token.
 *
 * Errors: 0 or a negative ilonet code. Library code never prints: msg
 * (may be NULL, HTTP_MSG_MAX bytes) receives a one-line reason.
 */

#define HTTP_DEFAULT_ADDR "127.0.0.1:8080"
#define HTTP_TOKEN_FILE "http.token"
#define HTTP_TOKEN_HEX 64
#define HTTP_BODY_MAX (64 * 1024)
#define HTTP_BODY_TIMEOUT_MS 10000
#define HTTP_POOL_MAX 4
#define HTTP_MSG_MAX 256
#define HTTP_URL_MAX 256
#define HTTP_NAMES_MAX 8 /* extra host names (http_opts ho_names) */

struct http_server;

/* How to serve. Strings are the caller's, read during http_start only. */
struct http_opts {
    const char *ho_addr; /* "HOST:PORT" or "http(s)://HOST:PORT"; NULL or
                            "": HTTP_DEFAULT_ADDR; port 0 picks one */
    const char *ho_cert; /* PEM certificate (chain) file: serve https */
    const char *ho_key;  /* PEM private key file (0600), with ho_cert */
    /* host names clients use (the Host header check), e.g. the name in
     * the certificate; at most HTTP_NAMES_MAX */
    const char *const *ho_names;
    size_t ho_nnames;
};

/*
 * Reads the home's token into out (64 hex digits and a NUL), creating the
 * file (0600, O_EXCL) with a fresh random token when it is absent.
 * ILONET_EPERM if the file is readable by others; ILONET_EMALFORMED if it
 * does not hold a token. Thread-safe.
 */
int http_token(const char *home_dir, char out[static HTTP_TOKEN_HEX + 1]);

/*
 * Starts serving the node home at home_dir as o says. Loads or creates
 * the token and checks that the home opens. On success *out is owned by
 * the caller (http_stop). ILONET_EEXIST: address in use; ILONET_EINVAL:
 * bad address, or a non-loopback one without ho_cert and ho_key (msg says
 * so), or a certificate or key that does not load; ILONET_EPERM: a key
 * file readable by others.
 */
int http_start(struct http_server **out, const char *home_dir,
               const struct http_opts *o, char *msg);

/* 1 if addr ("HOST:PORT", with or without "http://") names a loopback
 * address (127.0.0.0/8, ::1, localhost): served without TLS. */
int http_addr_is_loopback(const char *addr);

/* The page's address with the token in the fragment:
 * "http://127.0.0.1:8080/#token=..." (https with TLS; cap bytes incl.
 * NUL). */
int http_url(const struct http_server *s, char *out, size_t cap);

/* Stops serving, waits for running handlers, closes every pooled store
 * connection and frees s. NULL is a no-op. Call from a thread that is not
 * an NNG thread, before the program's nng_fini().
 *
 * The module never changes process-wide state: `ilonet node --http` runs
 * the server in a process of its own, which cmd/main.c starts and ends
 * (cmd_http_spawn), blocking the signals it waits for and ignoring
 * SIGPIPE there. */
void http_stop(struct http_server *s);

#endif
