/* wan_relay.c - a TCP relay that gives each direction a link's rate and delay.
 */
/*
 *   wan_relay LISTEN_PORT TARGET_PORT RATE DELAY_MS [QUEUE]
 *
 * Accepts on 127.0.0.1:LISTEN_PORT and connects each connection to
 * 127.0.0.1:TARGET_PORT. Each direction of each connection is a link of
 * RATE bytes/s (0: unlimited) and DELAY_MS one-way delay, as netem would
 * make it (this kernel has none): bytes read from one side wait in a
 * queue and leave for the other at
 *     release = max(now, link free) + bytes / RATE + DELAY_MS
 * where "link free" is when the link finished the bytes before them. Reads
 * are cut to about 10 ms of the rate, so bytes arrive as a trickle, not in
 * bursts. QUEUE (bytes, default 0: unlimited) bounds what one direction
 * holds, like a router's buffer: past it the relay stops reading and TCP
 * holds the sender back. The TCP handshake itself is not delayed.
 *
 * Prints "wan_relay: listening" once it accepts, and on SIGTERM or SIGINT
 * relay_bytes_up=N (towards the target) and relay_bytes_down=N, then
 * exits 0. With WAN_RELAY_TRACE set in the environment it also prints,
 * on stderr, one line per chunk it delivers: milliseconds since start,
 * connection, direction (up: towards the target) and bytes, which shows
 * where a sync spends its round trips. One thread, poll(); for tests and
 * benchmarks (tests/bench_wan.sh, tests/test_wan.c), never for production.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPAIRS 64
#define CHUNK_MAX (16 * 1024)
#define CHUNK_MIN 512

struct chunk {
    struct chunk *c_next;
    uint64_t c_release_us;
    size_t c_len, c_off;
    uint8_t c_data[];
};

struct dir {
    int d_src, d_dst;
    struct chunk *d_head, *d_tail;
    size_t d_queued;
    uint64_t d_free_us; /* the link is busy until then */
    int d_eof;          /* the source closed: shut the sink once drained */
    int d_shut;
    uint64_t d_bytes;
    int d_tag; /* WAN_RELAY_TRACE: pair index * 2 + direction */
};

struct pair {
    int p_used;
    struct dir p_dir[2]; /* 0: client -> target, 1: target -> client */
};

static volatile sig_atomic_t stop;
static uint64_t rate, delay_us, qmax;
static uint64_t total[2];
static uint64_t t0_us; /* WAN_RELAY_TRACE: times printed from start */
static int trace;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
nonblock(int fd)
{
    int one = 1;

    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static size_t
chunk_size(void)
{
    uint64_t c = rate ? rate / 100 : CHUNK_MAX;

    if (c < CHUNK_MIN)
        c = CHUNK_MIN;
    return c > CHUNK_MAX ? CHUNK_MAX : (size_t)c;
}

static void
dir_free(struct dir *d)
{
    while (d->d_head) {
        struct chunk *c = d->d_head;
        d->d_head = c->c_next;
        free(c);
    }
    d->d_tail = NULL;
    d->d_queued = 0;
}

static void
pair_close(struct pair *p)
{
    for (int k = 0; k < 2; k++) {
        total[k] += p->p_dir[k].d_bytes;
        dir_free(&p->p_dir[k]);
    }
    close(p->p_dir[0].d_src);
    close(p->p_dir[1].d_src);
    memset(p, 0, sizeof(*p));
}

/* Reads what the source has into the queue; -1 on error. */
static int
dir_read(struct dir *d, uint64_t now)
{
    size_t want = chunk_size();
    struct chunk *c = malloc(sizeof(*c) + want);
    ssize_t n;
    uint64_t tx;

    if (!c)
        return -1;
    n = read(d->d_src, c->c_data, want);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        free(c);
        return 0;
    }
    if (n <= 0) {
        free(c);
        d->d_eof = 1;
        return n < 0 ? -1 : 0;
    }
    tx = rate ? (uint64_t)n * 1000000u / rate : 0;
    d->d_free_us = (d->d_free_us > now ? d->d_free_us : now) + tx;
    c->c_release_us = d->d_free_us + delay_us;
    c->c_len = (size_t)n;
    c->c_off = 0;
    c->c_next = NULL;
    if (d->d_tail)
        d->d_tail->c_next = c;
    else
        d->d_head = c;
    d->d_tail = c;
    d->d_queued += (size_t)n;
    return 0;
}

/* Writes the released chunks to the sink; -1 on error. */
static int
dir_write(struct dir *d, uint64_t now)
{
    while (d->d_head && d->d_head->c_release_us <= now) {
        struct chunk *c = d->d_head;
        ssize_t n = write(d->d_dst, c->c_data + c->c_off, c->c_len - c->c_off);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n < 0)
            return -1;
        c->c_off += (size_t)n;
        d->d_bytes += (uint64_t)n;
        d->d_queued -= (size_t)n;
        if (c->c_off < c->c_len)
            return 0;
        if (trace)
            fprintf(stderr, "%.1f %d %s %zu\n", (double)(now - t0_us) / 1000.0,
                    d->d_tag / 2, d->d_tag % 2 ? "down" : "up", c->c_len);
        d->d_head = c->c_next;
        if (!d->d_head)
            d->d_tail = NULL;
        free(c);
    }
    if (!d->d_head && d->d_eof && !d->d_shut) {
        shutdown(d->d_dst, SHUT_WR);
        d->d_shut = 1;
    }
    return 0;
}

static int
listen_on(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(fd, 64) != 0) {
        close(fd);
        return -1;
    }
    nonblock(fd);
    return fd;
}

static int
connect_to(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    nonblock(fd);
    return fd;
}

static void
accept_one(int lfd, struct pair *pairs, int target)
{
    int c = accept(lfd, NULL, NULL), t;

    if (c < 0)
        return;
    if ((t = connect_to(target)) < 0) {
        close(c);
        return;
    }
    nonblock(c);
    for (int i = 0; i < MAXPAIRS; i++) {
        struct pair *p = &pairs[i];
        if (p->p_used)
            continue;
        memset(p, 0, sizeof(*p));
        p->p_used = 1;
        p->p_dir[0].d_src = c;
        p->p_dir[0].d_dst = t;
        p->p_dir[1].d_src = t;
        p->p_dir[1].d_dst = c;
        p->p_dir[0].d_tag = 2 * i;
        p->p_dir[1].d_tag = 2 * i + 1;
        return;
    }
    close(c);
    close(t);
}

int
main(int argc, char **argv)
{
    struct pair pairs[MAXPAIRS];
    struct pollfd fds[1 + 2 * MAXPAIRS];
    int polled[MAXPAIRS]; /* the pair at fds[1 + 2 * j] */
    struct sigaction sa;
    int lfd, target;

    if (argc < 5 || argc > 6) {
        fprintf(stderr,
                "usage: wan_relay LISTEN_PORT TARGET_PORT RATE DELAY_MS "
                "[QUEUE]\n");
        return 2;
    }
    target = atoi(argv[2]);
    rate = strtoull(argv[3], NULL, 10);
    delay_us = strtoull(argv[4], NULL, 10) * 1000u;
    qmax = argc > 5 ? strtoull(argv[5], NULL, 10) : 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((lfd = listen_on(atoi(argv[1]))) < 0) {
        perror("wan_relay: listen");
        return 1;
    }
    memset(pairs, 0, sizeof(pairs));
    trace = getenv("WAN_RELAY_TRACE") != NULL;
    t0_us = now_us();
    printf("wan_relay: listening\n");
    fflush(stdout);
    while (!stop) {
        uint64_t now = now_us(), next = UINT64_MAX;
        int nfds = 1, npolled = 0, timeout;

        fds[0] = (struct pollfd){lfd, POLLIN, 0};
        for (int i = 0; i < MAXPAIRS; i++) {
            struct pair *p = &pairs[i];
            short ev[2] = {0, 0}; /* per socket: [0] client, [1] target */

            if (!p->p_used)
                continue;
            for (int k = 0; k < 2; k++) {
                struct dir *d = &p->p_dir[k];
                if (!d->d_eof && (!qmax || d->d_queued < qmax))
                    ev[k] |= POLLIN; /* source of dir k is socket k */
                if (d->d_head) {
                    if (d->d_head->c_release_us <= now)
                        ev[!k] |= POLLOUT;
                    else if (d->d_head->c_release_us < next)
                        next = d->d_head->c_release_us;
                }
            }
            polled[npolled++] = i;
            fds[nfds++] = (struct pollfd){p->p_dir[0].d_src, ev[0], 0};
            fds[nfds++] = (struct pollfd){p->p_dir[1].d_src, ev[1], 0};
        }
        timeout = next == UINT64_MAX ? 200
                  : next <= now      ? 0
                                     : (int)((next - now + 999) / 1000);
        if (timeout > 200)
            timeout = 200;
        if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR)
            break;
        now = now_us();
        if (fds[0].revents & POLLIN)
            accept_one(lfd, pairs, target);
        for (int j = 0; j < npolled; j++) {
            struct pair *p = &pairs[polled[j]];
            const struct pollfd *f = &fds[1 + 2 * j];
            int bad = 0;

            for (int k = 0; k < 2; k++)
                if ((f[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
                    !p->p_dir[k].d_eof && dir_read(&p->p_dir[k], now) != 0)
                    bad = 1;
            for (int k = 0; k < 2; k++)
                if (dir_write(&p->p_dir[k], now) != 0)
                    bad = 1;
            if (bad || (p->p_dir[0].d_shut && p->p_dir[1].d_shut))
                pair_close(p);
        }
    }
    for (int i = 0; i < MAXPAIRS; i++)
        if (pairs[i].p_used)
            pair_close(&pairs[i]);
    printf("relay_bytes_up=%llu\nrelay_bytes_down=%llu\n",
           (unsigned long long)total[0], (unsigned long long)total[1]);
    return 0;
}
