/* node_evil.c - a hostile peer for tests/test_node.c (not a test itself). */
/*
 *   node_evil MODE PORT [HOME SERVER_PK [CERT_FILE]]
 *
 * Connects to 127.0.0.1:PORT and misbehaves in one way, then reads until
 * the node closes the connection (or 10 s pass) and prints one line:
 *   result recv_bytes=N closed=0|1 close_ms=T
 * recv_bytes counts bytes received after our last legitimate step (for
 * the raw modes: everything the node sent, which must be 0).
 *
 * Raw modes (no keys needed):
 *   garbage   4 KiB of random bytes
 *   len40     an 8-byte big-endian length header of 2^40, then 56 bytes
 *   bomb      a msgpack array32 header claiming 2^32-1 elements, nested
 *   wrongnet  a well-formed SHS client hello under a random network key
 * Authenticated modes (HOME: a node home of this network whose key and
 * certificate we use; SERVER_PK: the node's key, hex): the handshake and
 * our sync HELLO complete first, then
 *   auth-len  a frame length header of 0xffffffff (4 GiB)
 *   auth-bomb a frame holding [4, array32 of 2^32-1 elements]
 *   auth-deep a frame of 100000 nested fixarrays
 *   auth-box  random bytes where a box header belongs (bad MAC)
 *   cert      HELLO with CERT_FILE instead of our own certificate (the
 *             handshake uses HOME's key; the certificate names another
 *             network)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/boxstream.h"
#include "crypto/error.h"
#include "crypto/shs.h"
#include "node/home.h"
#include "replication/msg.h"

static uint64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 10000) != 1)
            return -1;
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

/* Reads until EOF/reset or 10 s; prints the result line. */
static int
finish(int fd, uint64_t t0)
{
    uint8_t buf[4096];
    size_t got = 0;
    int closed = 0;

    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        uint64_t now = mono_ms();
        if (now - t0 >= 10000)
            break;
        if (poll(&pf, 1, (int)(10000 - (now - t0))) != 1)
            break;
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            closed = 1;
            break;
        }
        got += (size_t)r;
    }
    printf("result recv_bytes=%zu closed=%d close_ms=%llu\n", got, closed,
           (unsigned long long)(mono_ms() - t0));
    close(fd);
    return 0;
}

static int
connect_port(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("node_evil: connect");
        exit(2);
    }
    return fd;
}

/* Frames and boxes one message. */
static int
send_msg(int fd, struct boxs *enc, const uint8_t *m, size_t len)
{
    uint8_t *plain = malloc(len + 4), frame[BOXS_HEADER_LEN + BOXS_MAX_BODY];
    size_t off = 0;
    int rc = 0;

    plain[0] = (uint8_t)(len >> 24);
    plain[1] = (uint8_t)(len >> 16);
    plain[2] = (uint8_t)(len >> 8);
    plain[3] = (uint8_t)len;
    memcpy(plain + 4, m, len);
    while (off < len + 4 && rc == 0) {
        size_t k =
            len + 4 - off < BOXS_MAX_BODY ? len + 4 - off : BOXS_MAX_BODY;
        rc = boxs_seal(enc, plain + off, k, frame) ||
             send_all(fd, frame, BOXS_HEADER_LEN + k);
        off += k;
    }
    free(plain);
    return rc;
}

static int
raw_mode(const char *mode, int port)
{
    uint8_t buf[4096];
    int fd = connect_port(port);
    uint64_t t0;
    size_t n = 0;

    if (strcmp(mode, "garbage") == 0) {
        randombytes_buf(buf, sizeof(buf));
        n = sizeof(buf);
    } else if (strcmp(mode, "len40") == 0) {
        memset(buf, 0, 64);
        buf[2] = 1; /* 0x0000010000000000 = 2^40 */
        n = 64;
    } else if (strcmp(mode, "bomb") == 0) {
        for (n = 0; n + 5 <= 4095; n += 5) {
            buf[n] = 0xdd; /* array32 */
            memset(buf + n + 1, 0xff, 4);
        }
    } else if (strcmp(mode, "wrongnet") == 0) {
        struct shs s;
        uint8_t nk[32], seed[32], eph[32];
        struct key_pair kp, server;
        randombytes_buf(nk, 32);
        randombytes_buf(seed, 32);
        randombytes_buf(eph, 32);
        key_from_seed(&kp, seed);
        key_generate(&server, KEY_NODE, NULL);
        if (shs_client_init(&s, nk, kp.pk, kp.sk, server.pk, eph) != 0 ||
            shs_client_hello(&s, buf) != 0)
            return 2;
        n = SHS_HELLO_LEN;
    } else {
        fprintf(stderr, "node_evil: unknown mode %s\n", mode);
        return 2;
    }
    t0 = mono_ms();
    if (send_all(fd, buf, n) != 0) {
        /* Closed while we were still writing: that is a close too. */
        printf("result recv_bytes=0 closed=1 close_ms=%llu\n",
               (unsigned long long)(mono_ms() - t0));
        return 0;
    }
    return finish(fd, t0);
}

static int
auth_mode(const char *mode, int port, const char *home_dir, const char *pkhex,
          const char *cert_file)
{
    struct home h;
    struct shs s;
    struct boxs enc, dec;
    uint8_t spk[32], eph[32], m1[64], m2[64], m3[112], m4[80];
    uint8_t hdr[BOXS_HEADER_LEN], mac[16], body[BOXS_MAX_BODY];
    uint8_t *cert = NULL;
    size_t cert_len = 0, got = 0, blen;
    char path[HOME_PATH_MAX];
    struct wire_buf wb;
    int fd, bye;
    uint64_t t0;

    if (home_open(&h, home_dir, 0) != 0 ||
        sodium_hex2bin(spk, 32, pkhex, strlen(pkhex), NULL, &got, NULL) != 0 ||
        got != 32) {
        fprintf(stderr, "node_evil: bad home or key\n");
        return 2;
    }
    if (cert_file)
        snprintf(path, sizeof(path), "%s", cert_file);
    else
        home_path(&h, "node.cert", path);
    if (cert_read_file(path, CERT_MAX_LEN, &cert, &cert_len) != 0) {
        fprintf(stderr, "node_evil: cannot read %s\n", path);
        return 2;
    }
    fd = connect_port(port);
    randombytes_buf(eph, 32);
    if (shs_client_init(&s, h.h_net.n_key, h.h_key.pk, h.h_key.sk, spk, eph) !=
            0 ||
        shs_client_hello(&s, m1) || send_all(fd, m1, 64) ||
        recv_all(fd, m2, 64) || shs_client_read_hello(&s, m2) ||
        shs_client_auth(&s, m3) || send_all(fd, m3, 112) ||
        recv_all(fd, m4, 80) || shs_client_read_accept(&s, m4) ||
        shs_session(&s, &enc, &dec)) {
        fprintf(stderr, "node_evil: handshake failed\n");
        _exit(3); /* no leak report: expected in refusal tests */
    }
    /* Our HELLO (own or given certificate), then read the node's HELLO. */
    wire_buf_init(&wb, 4096);
    msg_encode_hello(&wb, cert, cert_len);
    if (send_msg(fd, &enc, wb.wb_data, wb.wb_len) != 0)
        _exit(3); /* no leak report: expected in refusal tests */
    wire_buf_free(&wb);
    if (recv_all(fd, hdr, sizeof(hdr)) ||
        boxs_open_header(&dec, hdr, &blen, mac, &bye) || bye ||
        recv_all(fd, body, blen))
        _exit(3); /* no leak report: expected in refusal tests */
    t0 = mono_ms();
    if (strcmp(mode, "cert") == 0) {
        /* nothing more: the node must close */
    } else if (strcmp(mode, "auth-len") == 0) {
        uint8_t p[8] = {0xff, 0xff, 0xff, 0xff, 0x94, 0x04, 0, 0};
        uint8_t f[BOXS_HEADER_LEN + 8];
        boxs_seal(&enc, p, sizeof(p), f);
        send_all(fd, f, sizeof(f));
    } else if (strcmp(mode, "auth-bomb") == 0) {
        uint8_t p[] = {0x92, 0x04, 0xdd, 0xff, 0xff, 0xff,
                       0xff, 0xdd, 0xff, 0xff, 0xff, 0xff};
        send_msg(fd, &enc, p, sizeof(p));
    } else if (strcmp(mode, "auth-deep") == 0) {
        size_t n = 100000;
        uint8_t *p = malloc(n);
        memset(p, 0x91, n);
        send_msg(fd, &enc, p, n);
        free(p);
    } else if (strcmp(mode, "auth-box") == 0) {
        uint8_t p[4096];
        randombytes_buf(p, sizeof(p));
        send_all(fd, p, sizeof(p));
    } else {
        fprintf(stderr, "node_evil: unknown mode %s\n", mode);
        return 2;
    }
    free(cert);
    home_close(&h);
    /* Whatever the node still sends (its listing) is counted; it must
     * close. */
    return finish(fd, t0);
}

int
main(int argc, char **argv)
{
    if (key_global_init() != 0 || argc < 3) {
        fprintf(stderr, "usage: node_evil MODE PORT [HOME SERVER_PK "
                        "[CERT_FILE]]\n");
        return 2;
    }
    if (argc == 3)
        return raw_mode(argv[1], atoi(argv[2]));
    if (argc < 5)
        return 2;
    return auth_mode(argv[1], atoi(argv[2]), argv[3], argv[4],
                     argc > 5 ? argv[5] : NULL);
}
