/* conn_flood.c - an outsider's connection flood, for tests/test_node.c. */
/*
 *   conn_flood PORT N SECONDS MODE READY_FILE
 *
 * Keeps N TCP connections open to 127.0.0.1:PORT for SECONDS (or until
 * SIGTERM), with no key of any kind: whenever the node closes one, it is
 * opened again (at most once per 10 ms per connection). MODE says what
 * each connection sends:
 *   silent   nothing at all
 *   slow     one random byte every 100 ms, never the 64 a handshake
 *            message 1 needs (a slowloris)
 * Once N connections have been established it writes "ready" to
 * READY_FILE; at the end it prints one line:
 *   flood opened=O closed_by_node=C bytes_from_node=B
 * (the node never answers a connection that proved no network key, so B
 * must be 0). Exit 0, or 2 on a usage or socket error.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX 1000

struct flood_conn {
    int fc_fd;         /* -1: closed */
    int fc_connecting; /* non-blocking connect in progress */
    int fc_sent;       /* slow: bytes sent so far */
    uint64_t fc_next;  /* slow: next byte; closed: next reconnect */
};

static volatile sig_atomic_t flood_stop;

static void
flood_on_term(int sig)
{
    (void)sig;
    flood_stop = 1;
}

static uint64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
flood_open(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 &&
        errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
flood_close(struct flood_conn *c, uint64_t now)
{
    close(c->fc_fd);
    c->fc_fd = -1;
    c->fc_connecting = 0;
    c->fc_sent = 0;
    c->fc_next = now + 10;
}

int
main(int argc, char **argv)
{
    static struct flood_conn cs[FLOOD_MAX];
    static struct pollfd pf[FLOOD_MAX];
    unsigned long long opened = 0, closed = 0, bytes = 0, established = 0;
    int port, n, slow, ready = 0;
    uint64_t end;

    if (argc != 6 || (n = atoi(argv[2])) < 1 || n > FLOOD_MAX ||
        (strcmp(argv[4], "silent") != 0 && strcmp(argv[4], "slow") != 0)) {
        fprintf(stderr, "usage: conn_flood PORT N SECONDS silent|slow "
                        "READY_FILE\n");
        return 2;
    }
    port = atoi(argv[1]);
    slow = strcmp(argv[4], "slow") == 0;
    end = mono_ms() + (uint64_t)atoi(argv[3]) * 1000;
    for (int i = 0; i < n; i++)
        cs[i].fc_fd = -1;
    signal(SIGTERM, flood_on_term);
    while (!flood_stop && mono_ms() < end) {
        uint64_t now = mono_ms();

        for (int i = 0; i < n; i++) {
            struct flood_conn *c = &cs[i];

            if (c->fc_fd < 0 && now >= c->fc_next) {
                if ((c->fc_fd = flood_open(port)) < 0) {
                    c->fc_next = now + 10;
                    continue;
                }
                c->fc_connecting = 1;
                opened++;
            }
            if (slow && c->fc_fd >= 0 && !c->fc_connecting && c->fc_sent < 63 &&
                now >= c->fc_next) {
                uint8_t b = (uint8_t)(rand() & 0xff);
                if (send(c->fc_fd, &b, 1, MSG_NOSIGNAL) == 1)
                    c->fc_sent++;
                c->fc_next = now + 100;
            }
            pf[i].fd = c->fc_fd;
            pf[i].events = c->fc_connecting ? POLLOUT : POLLIN;
            pf[i].revents = 0;
        }
        if (!ready && established >= (unsigned long long)n) {
            FILE *f = fopen(argv[5], "w");
            if (!f || fputs("ready\n", f) == EOF || fclose(f) != 0)
                return 2;
            ready = 1;
        }
        if (poll(pf, (nfds_t)n, 10) < 0 && errno != EINTR)
            return 2;
        now = mono_ms();
        for (int i = 0; i < n; i++) {
            struct flood_conn *c = &cs[i];
            char buf[512];
            ssize_t r;

            if (c->fc_fd < 0 || !pf[i].revents)
                continue;
            if (c->fc_connecting) {
                int err = 0;
                socklen_t len = sizeof(err);
                if (getsockopt(c->fc_fd, SOL_SOCKET, SO_ERROR, &err, &len) !=
                        0 ||
                    err != 0) {
                    flood_close(c, now);
                    continue;
                }
                c->fc_connecting = 0;
                c->fc_next = now;
                established++;
                continue;
            }
            r = recv(c->fc_fd, buf, sizeof(buf), 0);
            if (r > 0) {
                bytes += (unsigned long long)r;
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                closed++;
                flood_close(c, now);
            }
        }
    }
    printf("flood opened=%llu closed_by_node=%llu bytes_from_node=%llu\n",
           opened, closed, bytes);
    return 0;
}
