/* shs_echo.c - SHS + box-stream peer over loopback TCP, for interop tests. */
/*
 * Drives crypto/shs and crypto/boxstream over blocking POSIX sockets so
 * tests/test_shs_interop.c can pair it with the npm reference peer
 * (tests/interop/shs_peer.js), which speaks the same command line:
 *
 *   shs_echo server NETKEY SEED PEER_PK COUNT ok|reject
 *       listens on 127.0.0.1 (port printed as "port N"), serves COUNT
 *       connections one after another: handshake, then echo every byte
 *       back until the client's goodbye, answer with our goodbye, close.
 *   shs_echo client NETKEY SEED PEER_PK PORT COUNT BIG ok|reject
 *       makes COUNT connections: handshake, echo BIG bytes on the first and
 *       a short message on the others, goodbye, check the echo.
 *
 * Keys are hex; SEED is the 32-byte Ed25519 seed of our identity, PEER_PK
 * the key we expect (server: the client's, or "-" for any). "reject" means
 * every handshake must fail (wrong network key tests); the exit status is
 * 0 when everything went as expected. Diagnostics go to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"
#include "crypto/shs.h"

#define IO_TIMEOUT_S 15
#define WINDOW (64 * 1024) /* bytes in flight before the client reads */

struct conf {
    uint8_t netkey[32];
    uint8_t pk[32], sk[64];
    uint8_t peer_pk[32];
    int any_peer;
    int expect_ok;
};

static int
hexarg(uint8_t *out, size_t n, const char *hex)
{
    size_t got = 0;

    if (sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) != 0 ||
        got != n) {
        fprintf(stderr, "shs_echo: bad hex argument %.16s...\n", hex);
        return -1;
    }
    return 0;
}

static int
send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
recv_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void
set_timeouts(int fd)
{
    struct timeval tv = {IO_TIMEOUT_S, 0};
    int one = 1;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Seals and sends len bytes as as many boxes as it takes. */
static int
box_send(int fd, struct boxs *enc, const uint8_t *p, size_t len)
{
    uint8_t frame[BOXS_HEADER_LEN + BOXS_MAX_BODY];

    while (len > 0) {
        size_t n = len < BOXS_MAX_BODY ? len : BOXS_MAX_BODY;
        if (boxs_seal(enc, p, n, frame) != 0 ||
            send_all(fd, frame, BOXS_HEADER_LEN + n) != 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/* Receives one box into out (BOXS_MAX_BODY bytes); *len 0 means goodbye.
 * Returns 0, or -1 on I/O or authentication failure. */
static int
box_recv(int fd, struct boxs *dec, uint8_t *out, size_t *len)
{
    uint8_t hdr[BOXS_HEADER_LEN], mac[BOXS_MAC_LEN];
    int bye, rc;

    if (recv_all(fd, hdr, sizeof(hdr)) != 0)
        return -1;
    rc = boxs_open_header(dec, hdr, len, mac, &bye);
    if (rc != 0) {
        fprintf(stderr, "shs_echo: header: %s\n", ilonet_errname(rc));
        return -1;
    }
    if (bye)
        return 0;
    if (recv_all(fd, out, *len) != 0)
        return -1;
    rc = boxs_open_body(dec, mac, out, *len, out);
    if (rc != 0) {
        fprintf(stderr, "shs_echo: body: %s\n", ilonet_errname(rc));
        return -1;
    }
    return 0;
}

static int
goodbye_send(int fd, struct boxs *enc)
{
    uint8_t hdr[BOXS_HEADER_LEN];

    return boxs_goodbye(enc, hdr) == 0 ? send_all(fd, hdr, sizeof(hdr)) : -1;
}

/* Server side of one connection. Returns 0 when the outcome matched:
 * a full echo session, or for "reject" a hello refused as
 * ILONET_EHANDSHAKE (after which we close without a word). */
static int
serve_one(int fd, const struct conf *c)
{
    struct shs s;
    struct boxs enc, dec;
    uint8_t eph[32], m1[SHS_HELLO_LEN], m2[SHS_HELLO_LEN];
    uint8_t m3[SHS_CLIENT_AUTH_LEN], m4[SHS_SERVER_ACCEPT_LEN], pk[32];
    uint8_t buf[BOXS_MAX_BODY];
    size_t len;
    int rc = -1, refused = 0;

    memset(&enc, 0, sizeof(enc));
    memset(&dec, 0, sizeof(dec));
    randombytes_buf(eph, sizeof(eph));
    if (shs_server_init(&s, c->netkey, c->pk, c->sk, eph) != 0 ||
        recv_all(fd, m1, sizeof(m1)) != 0)
        goto out;
    if (shs_server_read_hello(&s, m1) == ILONET_EHANDSHAKE) {
        refused = 1;
        goto out;
    }
    if (!c->expect_ok)
        goto out;
    if (shs_server_hello(&s, m2) || send_all(fd, m2, sizeof(m2)) ||
        recv_all(fd, m3, sizeof(m3)) || shs_server_read_auth(&s, m3) ||
        shs_peer_pk(&s, pk) ||
        (!c->any_peer && sodium_memcmp(pk, c->peer_pk, 32) != 0) ||
        shs_server_accept(&s, m4) || send_all(fd, m4, sizeof(m4)) ||
        shs_session(&s, &enc, &dec))
        goto out;

    for (;;) {
        if (box_recv(fd, &dec, buf, &len) != 0)
            goto out;
        if (len == 0)
            break;
        if (box_send(fd, &enc, buf, len) != 0)
            goto out;
    }
    if (goodbye_send(fd, &enc) != 0)
        goto out;
    rc = 0;

out:
    shs_wipe(&s);
    boxs_wipe(&enc);
    boxs_wipe(&dec);
    sodium_memzero(eph, sizeof(eph));
    return c->expect_ok ? rc : (refused ? 0 : -1);
}

static int
run_server(const struct conf *c, int count)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int lfd, failed = 0;

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
        perror("shs_echo: listen");
        return 1;
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);

    for (int i = 0; i < count; i++) {
        struct pollfd p = {lfd, POLLIN, 0};
        int fd;

        if (poll(&p, 1, IO_TIMEOUT_S * 1000) != 1) {
            fprintf(stderr, "shs_echo: no connection %d\n", i);
            failed++;
            break;
        }
        fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            perror("shs_echo: accept");
            failed++;
            continue;
        }
        set_timeouts(fd);
        if (serve_one(fd, c) != 0) {
            fprintf(stderr, "shs_echo: server connection %d failed\n", i);
            failed++;
        }
        close(fd);
    }
    close(lfd);
    return failed ? 1 : 0;
}

/* Client side of one connection: handshake, echo n bytes, goodbye.
 * Returns 0 when the outcome matched: a full echo, or for "reject" a
 * server that hung up after our hello instead of answering it. */
static int
dial_one(int port, const struct conf *c, size_t n, unsigned tag)
{
    struct sockaddr_in a;
    struct shs s;
    struct boxs enc, dec;
    uint8_t eph[32], m1[SHS_HELLO_LEN], m2[SHS_HELLO_LEN];
    uint8_t m3[SHS_CLIENT_AUTH_LEN], m4[SHS_SERVER_ACCEPT_LEN];
    uint8_t *data = NULL, *echo = NULL, buf[BOXS_MAX_BODY];
    size_t sent = 0, got = 0, len;
    int fd, rc = -1, refused = 0;

    memset(&enc, 0, sizeof(enc));
    memset(&dec, 0, sizeof(dec));
    memset(&s, 0, sizeof(s));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("shs_echo: connect");
        goto out;
    }
    set_timeouts(fd);

    randombytes_buf(eph, sizeof(eph));
    if (shs_client_init(&s, c->netkey, c->pk, c->sk, c->peer_pk, eph) ||
        shs_client_hello(&s, m1) || send_all(fd, m1, sizeof(m1)))
        goto out;
    if (recv_all(fd, m2, sizeof(m2)) != 0) {
        refused = 1;
        goto out;
    }
    /* The session's keys right after message 3, as a node takes them
     * (its HELLO leaves with message 3): the server must read boxes that
     * arrive before it has answered. */
    if (shs_client_read_hello(&s, m2) || shs_client_auth(&s, m3) ||
        send_all(fd, m3, sizeof(m3)) ||
        shs_client_early_session(&s, &enc, &dec))
        goto out;

    data = malloc(n);
    echo = malloc(n);
    if (!data || !echo)
        goto out;
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 31u + tag + (i >> 10));

    /* Send a window, read its echo, repeat: both ends block, so never let
     * more than a window sit in the socket buffers. The first window goes
     * before message 4 is read; nothing is read before it proves the
     * server. */
    sent = n < WINDOW ? n : WINDOW;
    if (box_send(fd, &enc, data, sent) != 0 ||
        recv_all(fd, m4, sizeof(m4)) != 0 ||
        shs_client_read_accept(&s, m4) != 0)
        goto out;
    for (;;) {
        size_t w;

        while (got < sent) {
            if (box_recv(fd, &dec, buf, &len) != 0 || len == 0 ||
                len > sent - got)
                goto out;
            memcpy(echo + got, buf, len);
            got += len;
        }
        if (sent == n)
            break;
        w = n - sent < WINDOW ? n - sent : WINDOW;
        if (box_send(fd, &enc, data + sent, w) != 0)
            goto out;
        sent += w;
    }
    if (memcmp(data, echo, n) != 0) {
        fprintf(stderr, "shs_echo: echo differs\n");
        goto out;
    }
    if (goodbye_send(fd, &enc) != 0 || box_recv(fd, &dec, buf, &len) != 0 ||
        len != 0) {
        fprintf(stderr, "shs_echo: no goodbye from server\n");
        goto out;
    }
    rc = 0;

out:
    if (fd >= 0)
        close(fd);
    free(data);
    free(echo);
    shs_wipe(&s);
    boxs_wipe(&enc);
    boxs_wipe(&dec);
    sodium_memzero(eph, sizeof(eph));
    return c->expect_ok ? rc : (refused ? 0 : -1);
}

static int
run_client(const struct conf *c, int port, int count, size_t big)
{
    int failed = 0;

    for (int i = 0; i < count; i++) {
        size_t n = i == 0 ? big : 100 + (size_t)i;
        if (dial_one(port, c, n, (unsigned)i) != 0) {
            fprintf(stderr, "shs_echo: client connection %d failed\n", i);
            failed++;
        }
    }
    return failed ? 1 : 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: shs_echo server NETKEY SEED PEER_PK COUNT "
                    "ok|reject\n"
                    "       shs_echo client NETKEY SEED PEER_PK PORT COUNT "
                    "BIG ok|reject\n");
    return 2;
}

int
main(int argc, char **argv)
{
    struct conf c;
    uint8_t seed[32];
    int server;

    if (argc < 2 || sodium_init() < 0)
        return usage();
    server = !strcmp(argv[1], "server");
    if (server ? argc != 7 : (strcmp(argv[1], "client") || argc != 9))
        return usage();

    memset(&c, 0, sizeof(c));
    if (hexarg(c.netkey, 32, argv[2]) || hexarg(seed, 32, argv[3]))
        return 2;
    crypto_sign_seed_keypair(c.pk, c.sk, seed);
    sodium_memzero(seed, sizeof(seed));
    c.any_peer = !strcmp(argv[4], "-");
    if (!c.any_peer && hexarg(c.peer_pk, 32, argv[4]))
        return 2;
    c.expect_ok = !strcmp(argv[server ? 6 : 8], "ok");

    if (server)
        return run_server(&c, atoi(argv[5]));
    return run_client(&c, atoi(argv[5]), atoi(argv[6]),
                      (size_t)strtoul(argv[7], NULL, 10));
}
