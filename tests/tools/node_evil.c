/* node_evil.c - a hostile peer for tests/test_node.c (not a test itself). */
/*
 *   node_evil MODE PORT [HOME SERVER_PK [CERT_FILE | AUTHOR_PK AUDIENCE]]
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
 *   probe     (node_evil probe PORT HOME SERVER_PK AUTHOR_PK AUDIENCE) a
 *             HEADS announcement of AUTHOR_PK's log of AUDIENCE, which
 *             HOME's state may not read (the id learned elsewhere), at seq
 *             1000; then every message the node sends is opened and
 *             searched for the log id. The result line adds named=N, the
 *             messages that named it (the node must close and name it in
 *             none).
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
#include "storage/entry.h"

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

/* 1 if any byte offset of b starts id. */
static int
has_id(const uint8_t *b, size_t n, const uint8_t id[32])
{
    for (size_t k = 0; k + 32 <= n; k++)
        if (b[k] == id[0] && memcmp(b + k, id, 32) == 0)
            return 1;
    return 0;
}

/*
 * Reads the box-stream until the node closes it (or 10 s), deframes the
 * messages and counts those naming id; prints the result line.
 */
static int
finish_probe(int fd, struct boxs *dec, const uint8_t id[32], uint64_t t0)
{
    uint8_t hdr[BOXS_HEADER_LEN], mac[16], body[BOXS_MAX_BODY];
    uint8_t *msg = NULL;
    size_t got = 0, have = 0, need = 0, blen, named = 0, msgs = 0;
    uint8_t lenb[4];
    size_t lenb_have = 0;
    int closed = 0, bye;

    for (;;) {
        if (mono_ms() - t0 >= 10000)
            break;
        if (recv_all(fd, hdr, sizeof(hdr)) != 0) {
            closed = 1;
            break;
        }
        got += sizeof(hdr);
        if (boxs_open_header(dec, hdr, &blen, mac, &bye) != 0 || bye) {
            closed = 1;
            break;
        }
        if (recv_all(fd, body, blen) != 0 ||
            boxs_open_body(dec, mac, body, blen, body) != 0) {
            closed = 1;
            break;
        }
        got += blen;
        for (size_t i = 0; i < blen;) {
            if (lenb_have < 4) {
                lenb[lenb_have++] = body[i++];
                if (lenb_have == 4) {
                    need = (size_t)lenb[0] << 24 | (size_t)lenb[1] << 16 |
                           (size_t)lenb[2] << 8 | lenb[3];
                    if (need > MSG_MAX_BYTES || !(msg = realloc(msg, need + 1)))
                        _exit(3);
                    have = 0;
                }
                continue;
            }
            size_t k = blen - i < need - have ? blen - i : need - have;
            memcpy(msg + have, body + i, k);
            have += k;
            i += k;
            if (have == need) {
                msgs++;
                named += has_id(msg, need, id);
                lenb_have = 0;
            }
        }
    }
    free(msg);
    printf("result recv_bytes=%zu closed=%d close_ms=%llu named=%zu "
           "msgs=%zu\n",
           got, closed, (unsigned long long)(mono_ms() - t0), named, msgs);
    close(fd);
    return 0;
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
          const char *cert_file, const char *probe_aud)
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
    if (cert_file && !probe_aud)
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
    t0 = mono_ms();
    if (send_msg(fd, &enc, wb.wb_data, wb.wb_len) != 0)
        _exit(3); /* no leak report: expected in refusal tests */
    wire_buf_free(&wb);
    /* Both sides send their HELLO at once: a node that reads ours first
     * and refuses it closes without sending its own. That is a refusal
     * like any other, not a failure of this tool. */
    if (recv_all(fd, hdr, sizeof(hdr)) ||
        boxs_open_header(&dec, hdr, &blen, mac, &bye) || bye ||
        recv_all(fd, body, blen)) {
        printf("result recv_bytes=0 closed=1 close_ms=%llu named=0 "
               "msgs=0\n",
               (unsigned long long)(mono_ms() - t0));
        fflush(stdout);
        _exit(0); /* no leak report: expected in refusal tests */
    }
    if (strcmp(mode, "probe") == 0) {
        struct msg_head mh;
        uint8_t d[32] = {0};

        memset(&mh, 0, sizeof(mh));
        if (!probe_aud || !cert_file ||
            sodium_hex2bin(mh.mh_author, 32, cert_file, strlen(cert_file), NULL,
                           &got, NULL) != 0 ||
            got != 32 || audience_normalise(probe_aud, mh.mh_audience) != 0) {
            fprintf(stderr, "node_evil: probe needs AUTHOR_PK AUDIENCE\n");
            return 2;
        }
        /* the node's HELLO body, opened so the stream's nonces line up */
        if (boxs_open_body(&dec, mac, body, blen, body) != 0)
            _exit(3);
        entry_log_id(h.h_net.n_id, mh.mh_author, mh.mh_audience, mh.mh_log);
        mh.mh_seq = 1000;
        memset(mh.mh_id, 0x42, sizeof(mh.mh_id));
        wire_buf_init(&wb, 4096);
        msg_encode_heads_begin(&wb, 0, d, 1);
        msg_encode_head(&wb, &mh);
        send_msg(fd, &enc, wb.wb_data, wb.wb_len);
        wire_buf_free(&wb);
        free(cert);
        home_close(&h);
        return finish_probe(fd, &dec, mh.mh_log, t0);
    }
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
                        "[CERT_FILE | AUTHOR_PK AUDIENCE]]\n");
        return 2;
    }
    if (argc == 3)
        return raw_mode(argv[1], atoi(argv[2]));
    if (argc < 5)
        return 2;
    return auth_mode(argv[1], atoi(argv[2]), argv[3], argv[4],
                     argc > 5 ? argv[5] : NULL, argc > 6 ? argv[6] : NULL);
}
