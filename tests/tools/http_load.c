/* http_load.c - many officers writing through the HTTP API at once (make bench,
 * tests/test_writers.c). */
/*
 *   http_load URL [--writers N] [--count N] [--seconds S] [--acks FILE]
 *             [--kind PLURAL] [--bytes B]
 *
 * URL is the page address a node prints ("http://127.0.0.1:PORT/#token=
 * HEX"): loopback only, plain HTTP. N writers (default 20, at most 256),
 * each a thread with one keep-alive connection, POST /api/PLURAL (default
 * observations) one after another, each waiting for its answer, until
 * --count requests (default 10000, at most 1,000,000) were sent in all or
 * --seconds (default 30, at most 600) have passed. Each body is a record
 * of about B bytes (default 200) of text.
 *
 * Every answer is classified: 201 with {"id":"<64 hex>"...} is an
 * acknowledged write (its id is appended to FILE at once, one line, with
 * O_APPEND, so the list survives whatever happens to the server); a 4xx
 * or 5xx with {"error":"..."} is an error; anything else is "bad". A
 * connection that closes or fails before its answer arrived counts as
 * "lost" (the outcome of that request is unknown to the writer); the
 * writer connects again once and stops when that fails.
 *
 * Prints key=value lines:
 *   http_writers, http_requests, http_acked, http_errors, http_lost,
 *   http_bad, http_busy (503s), http_seconds,
 *   http_durable_appends_per_s (acknowledged per second of the run),
 *   http_append_p50_ms, http_append_p99_ms, http_append_max_ms (request
 *   sent to answer read, acknowledged writes only).
 * Exit 0; 1 when any answer was bad; 2 on a usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOAD_WRITERS_MAX 256
#define LOAD_COUNT_MAX 1000000
#define LOAD_SECONDS_MAX 600
#define LOAD_BYTES_MAX 8000
#define LOAD_IO_TIMEOUT_S 30 /* one answer, at most */
#define LOAD_RESP_MAX (64 * 1024)

struct load {
    struct sockaddr_in l_addr;
    char l_host[64];  /* Host header: 127.0.0.1:PORT */
    char l_token[80]; /* bearer token */
    char l_path[96];  /* /api/PLURAL */
    size_t l_bytes;
    uint64_t l_count;
    uint64_t l_deadline_us;
    int l_acks_fd; /* -1: none */
    pthread_mutex_t l_mtx;
    uint64_t l_issued; /* requests handed out (under l_mtx) */
};

struct writer {
    struct load *w_load;
    int w_no;
    pthread_t w_thread;
    uint64_t w_acked, w_errors, w_lost, w_bad, w_busy, w_sent;
    double *w_lat; /* ms per acknowledged write */
    size_t w_nlat, w_caplat;
    uint64_t w_last_us; /* when its last answer came */
};

static uint64_t
mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
load_connect(const struct load *l)
{
    struct timeval tv = {LOAD_IO_TIMEOUT_S, 0};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (const struct sockaddr *)&l->l_addr, sizeof(l->l_addr)) !=
        0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int
load_send_all(int fd, const char *p, size_t n)
{
    while (n) {
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

/* The first place in s where lower (a lower-case string) starts, compared
 * without case; NULL when none. */
static const char *
load_header(const char *s, const char *lower)
{
    size_t n = strlen(lower);

    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == lower[i])
            i++;
        if (i == n)
            return s;
    }
    return NULL;
}

/* Reads one response: its status and body (NUL-terminated) into buf.
 * -1 when the connection failed or closed before a whole response. */
static int
load_read_response(int fd, char *buf, size_t cap, int *status,
                   const char **body)
{
    size_t have = 0, need = 0;
    char *eoh = NULL;

    for (;;) {
        ssize_t r;
        if (eoh && have >= need)
            break;
        if (have + 1 >= cap)
            return -1;
        r = recv(fd, buf + have, cap - 1 - have, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        if (!eoh && (eoh = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = load_header(buf, "\r\ncontent-length:");
            if (!cl || cl > eoh)
                return -1;
            need = (size_t)(eoh + 4 - buf) + strtoul(cl + 17, NULL, 10);
            if (need >= cap)
                return -1;
        }
    }
    if (strncmp(buf, "HTTP/1.1 ", 9) != 0)
        return -1;
    *status = atoi(buf + 9);
    buf[need] = '\0';
    *body = eoh + 4;
    return 0;
}

/* 1 if body holds "id":"<64 lowercase hex>"; the id into id. */
static int
load_id(const char *body, char id[65])
{
    const char *p = strstr(body, "\"id\":\"");

    if (!p)
        return 0;
    p += 6;
    for (int i = 0; i < 64; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    if (p[64] != '"')
        return 0;
    memcpy(id, p, 64);
    id[64] = '\0';
    return 1;
}

static void
writer_note_latency(struct writer *w, double ms)
{
    if (w->w_nlat == w->w_caplat) {
        size_t cap = w->w_caplat ? 2 * w->w_caplat : 1024;
        double *v = realloc(w->w_lat, cap * sizeof(*v));
        if (!v)
            return;
        w->w_lat = v;
        w->w_caplat = cap;
    }
    w->w_lat[w->w_nlat++] = ms;
}

/* The next request number, or -1 once the count or the time is used up. */
static int64_t
load_next(struct load *l)
{
    int64_t n = -1;

    if (mono_us() >= l->l_deadline_us)
        return -1;
    pthread_mutex_lock(&l->l_mtx);
    if (l->l_issued < l->l_count)
        n = (int64_t)l->l_issued++;
    pthread_mutex_unlock(&l->l_mtx);
    return n;
}

static void *
writer_run(void *arg)
{
    struct writer *w = arg;
    struct load *l = w->w_load;
    char *req = malloc(LOAD_BYTES_MAX + 1024), *resp = malloc(LOAD_RESP_MAX);
    char body[LOAD_BYTES_MAX + 128], text[LOAD_BYTES_MAX + 1], id[65];
    int fd = -1, reconnected = 0;
    int64_t n;

    if (!req || !resp)
        goto out;
    while ((n = load_next(l)) >= 0) {
        int status, blen, rlen;
        const char *rbody;
        uint64_t t0;
        size_t tl = l->l_bytes > 40 ? l->l_bytes - 40 : 1;

        if (fd < 0 && (fd = load_connect(l)) < 0)
            break;
        /* plain text that looks like no personal data */
        for (size_t i = 0; i < tl; i++)
            text[i] = (char)('a' + (i * 7 + (size_t)n) % 26);
        text[tl] = '\0';
        memcpy(text, "load ", 5);
        blen = snprintf(body, sizeof(body),
                        "{\"category\":\"routes\",\"summary\":\"%s\"}", text);
        rlen = snprintf(req, LOAD_BYTES_MAX + 1024,
                        "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: "
                        "Bearer %s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %d\r\n\r\n%s",
                        l->l_path, l->l_host, l->l_token, blen, body);
        t0 = mono_us();
        w->w_sent++;
        if (load_send_all(fd, req, (size_t)rlen) != 0 ||
            load_read_response(fd, resp, LOAD_RESP_MAX, &status, &rbody) != 0) {
            /* the outcome of this request is unknown */
            w->w_lost++;
            close(fd);
            fd = -1;
            if (reconnected++)
                break;
            continue;
        }
        w->w_last_us = mono_us();
        if (status == 201 && load_id(rbody, id)) {
            w->w_acked++;
            writer_note_latency(w, (double)(w->w_last_us - t0) / 1000.0);
            if (l->l_acks_fd >= 0) {
                id[64] = '\n';
                if (write(l->l_acks_fd, id, 65) != 65)
                    w->w_bad++; /* the record of acks is incomplete */
            }
        } else if (status >= 400 && status <= 599 &&
                   strncmp(rbody, "{\"error\":\"", 10) == 0) {
            w->w_errors++;
            w->w_busy += status == 503;
        } else {
            w->w_bad++;
            fprintf(stderr, "http_load: writer %d: bad answer %d: %.200s\n",
                    w->w_no, status, rbody);
        }
    }
out:
    if (fd >= 0)
        close(fd);
    free(req);
    free(resp);
    return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int
usage(const char *why)
{
    fprintf(stderr,
            "http_load: %s\nusage: http_load URL [--writers N] [--count N] "
            "[--seconds S] [--acks FILE] [--kind PLURAL] [--bytes B]\n",
            why);
    return 2;
}

/* Parses "http://127.0.0.1:PORT/#token=HEX" into l. */
static int
load_url(struct load *l, const char *url)
{
    const char *p = url, *tok = strstr(url, "#token=");
    char ip[32];
    unsigned port;

    if (strncmp(p, "http://", 7) != 0 || !tok)
        return -1;
    p += 7;
    if (sscanf(p, "%31[0-9.]:%u", ip, &port) != 2 || port == 0 || port > 65535)
        return -1;
    memset(&l->l_addr, 0, sizeof(l->l_addr));
    l->l_addr.sin_family = AF_INET;
    l->l_addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &l->l_addr.sin_addr) != 1 ||
        (ntohl(l->l_addr.sin_addr.s_addr) >> 24) != 127)
        return -1; /* loopback only */
    snprintf(l->l_host, sizeof(l->l_host), "%s:%u", ip, port);
    if (strlen(tok + 7) >= sizeof(l->l_token) || !tok[7])
        return -1;
    snprintf(l->l_token, sizeof(l->l_token), "%s", tok + 7);
    return 0;
}

int
main(int argc, char **argv)
{
    static struct writer ws[LOAD_WRITERS_MAX];
    struct load l;
    long nw = 20, secs = 30, count = 10000, bytes = 200;
    const char *acks = NULL, *kind = "observations";
    uint64_t t0, t_end = 0, acked = 0, errors = 0, lost = 0, bad = 0, busy = 0,
                 sent = 0;
    size_t nlat = 0;
    double *lat, secs_run;

    if (argc < 2)
        return usage("URL missing");
    memset(&l, 0, sizeof(l));
    if (load_url(&l, argv[1]) != 0)
        return usage("URL: want http://127.0.0.1:PORT/#token=HEX (loopback)");
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage("an option without its value");
        i++;
        if (strcmp(o, "--writers") == 0)
            nw = strtol(v, NULL, 10);
        else if (strcmp(o, "--count") == 0)
            count = strtol(v, NULL, 10);
        else if (strcmp(o, "--seconds") == 0)
            secs = strtol(v, NULL, 10);
        else if (strcmp(o, "--bytes") == 0)
            bytes = strtol(v, NULL, 10);
        else if (strcmp(o, "--acks") == 0)
            acks = v;
        else if (strcmp(o, "--kind") == 0)
            kind = v;
        else
            return usage("unknown option");
    }
    if (nw < 1 || nw > LOAD_WRITERS_MAX || count < 1 ||
        count > LOAD_COUNT_MAX || secs < 1 || secs > LOAD_SECONDS_MAX ||
        bytes < 60 || bytes > LOAD_BYTES_MAX ||
        strspn(kind, "abcdefghijklmnopqrstuvwxyz-") != strlen(kind) ||
        strlen(kind) > 40)
        return usage("a value out of its bounds");
    snprintf(l.l_path, sizeof(l.l_path), "/api/%s", kind);
    l.l_bytes = (size_t)bytes;
    l.l_count = (uint64_t)count;
    l.l_acks_fd = -1;
    if (acks &&
        (l.l_acks_fd =
             open(acks, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        perror(acks);
        return 2;
    }
    pthread_mutex_init(&l.l_mtx, NULL);
    t0 = mono_us();
    l.l_deadline_us = t0 + (uint64_t)secs * 1000000;
    for (long i = 0; i < nw; i++) {
        ws[i].w_load = &l;
        ws[i].w_no = (int)i;
        if (pthread_create(&ws[i].w_thread, NULL, writer_run, &ws[i]) != 0) {
            fprintf(stderr, "http_load: cannot start writer %ld\n", i);
            nw = i;
            break;
        }
    }
    for (long i = 0; i < nw; i++) {
        pthread_join(ws[i].w_thread, NULL);
        acked += ws[i].w_acked;
        errors += ws[i].w_errors;
        lost += ws[i].w_lost;
        bad += ws[i].w_bad;
        busy += ws[i].w_busy;
        sent += ws[i].w_sent;
        nlat += ws[i].w_nlat;
        if (ws[i].w_last_us > t_end)
            t_end = ws[i].w_last_us;
    }
    if (l.l_acks_fd >= 0)
        close(l.l_acks_fd);
    lat = malloc((nlat ? nlat : 1) * sizeof(*lat));
    nlat = 0;
    for (long i = 0; i < nw; i++) {
        if (lat && ws[i].w_nlat)
            memcpy(lat + nlat, ws[i].w_lat, ws[i].w_nlat * sizeof(*lat));
        nlat += lat ? ws[i].w_nlat : 0;
        free(ws[i].w_lat);
    }
    if (lat)
        qsort(lat, nlat, sizeof(*lat), cmp_double);
    secs_run = t_end > t0 ? (double)(t_end - t0) / 1e6 : 0;
    printf("http_writers=%ld\nhttp_requests=%llu\nhttp_acked=%llu\n"
           "http_errors=%llu\nhttp_busy=%llu\nhttp_lost=%llu\nhttp_bad=%llu\n"
           "http_seconds=%.3f\n",
           nw, (unsigned long long)sent, (unsigned long long)acked,
           (unsigned long long)errors, (unsigned long long)busy,
           (unsigned long long)lost, (unsigned long long)bad, secs_run);
    printf("http_durable_appends_per_s=%.0f\n",
           secs_run > 0 ? (double)acked / secs_run : 0.0);
    if (nlat) {
        printf("http_append_p50_ms=%.2f\nhttp_append_p99_ms=%.2f\n"
               "http_append_max_ms=%.2f\n",
               lat[nlat / 2],
               lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1],
               lat[nlat - 1]);
    }
    free(lat);
    pthread_mutex_destroy(&l.l_mtx);
    return bad ? 1 : 0;
}
