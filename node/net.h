/* net.h - NNG TCP byte streams delivered to a libuv loop (the node's I/O). */
#ifndef ILONET_NET_H
#define ILONET_NET_H

/*
 * The node runtime does all protocol work on one thread, the libuv loop's.
 * NNG completes stream operations on its own threads; net is the bridge:
 * every NNG aio callback only records its result in an event embedded in
 * the object it belongs to, appends it to one mutex-guarded FIFO and calls
 * uv_async_send(). The loop thread drains the whole FIFO (uv_async
 * coalesces wake-ups) and calls the callbacks below. No callback in this
 * header ever runs on an NNG thread, and nothing here is shared between
 * threads except that FIFO (and the aio/event an operation completes).
 *
 * Each connection has at most one receive and one send in flight; a
 * receive fills a fixed NET_RECV_CHUNK buffer, so a peer can never make
 * this layer buffer more (framing bounds live in peer.c). Streams carry
 * bytes only: NNG sockets, which need NNG_OPT_RECVMAXSZ, are not used.
 *
 * Ownership: net owns every conn, dialer and listener it created. A conn
 * closed with net_conn_close() is freed later by net (after NNG has let go
 * of it); no callback names it after the close. net_close() stops every
 * aio, closes every stream, frees everything and closes the uv_async
 * handle; the caller keeps running the loop until it exits; the program
 * calls nng_fini() once every NNG user has stopped (cmd/main.c). All
 * functions: loop thread only.
 *
 * Errors: 0 or a negative ilonet code (NNG codes are translated here).
 */
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define NET_RECV_CHUNK (64 * 1024)

struct net;
struct net_conn;
struct net_dialer;

struct net_callbacks {
    void *arg;
    /* A listener accepted c (idle: call net_conn_recv to read). */
    void (*on_accept)(void *arg, struct net_conn *c);
    /* A dial finished: c is the new conn, or NULL and err != 0. */
    void (*on_dial)(void *arg, struct net_dialer *d, struct net_conn *c,
                    int err);
    /* Bytes from c (buf valid during the call only; len >= 1), or err != 0
     * (ILONET_ECLOSED: the peer closed; ILONET_EIO: reset). Start the next
     * read with net_conn_recv(). */
    void (*on_recv)(void *arg, struct net_conn *c, const uint8_t *buf,
                    size_t len, int err);
    /* The send started by net_conn_send() finished (every byte, or err). */
    void (*on_sent)(void *arg, struct net_conn *c, int err);
};

/* Creates the bridge on loop (uv_async handle + FIFO). cb is copied. */
int net_new(struct net **out, uv_loop_t *loop, const struct net_callbacks *cb);

/* Closes and frees everything (see above). Safe on NULL. */
void net_close(struct net *n);

/* Listens on url (tcp://HOST:PORT) and keeps accepting. */
int net_listen(struct net *n, const char *url);

/* A dialer for one address, kept until net_close (its streams depend on
 * it). data is the caller's pointer. */
int net_dialer_new(struct net *n, const char *url, void *data,
                   struct net_dialer **out);
void *net_dialer_data(const struct net_dialer *d);
/* NNG's text for the last dial failure ("Connection refused"), or "". */
const char *net_dialer_error(const struct net_dialer *d);
/* Starts one dial attempt (ILONET_EBUSY if one is in flight); the result
 * comes through on_dial. */
int net_dial(struct net_dialer *d);

/* Starts one read of up to NET_RECV_CHUNK bytes (EBUSY if one is in
 * flight). */
int net_conn_recv(struct net_conn *c);
/* Sends len bytes of buf (borrowed until on_sent); partial writes are
 * continued here. EBUSY if a send is in flight. */
int net_conn_send(struct net_conn *c, const uint8_t *buf, size_t len);
int net_conn_sending(const struct net_conn *c);
/* Closes c: no callback for it afterwards; freed by net later. */
void net_conn_close(struct net_conn *c);
void net_conn_set_data(struct net_conn *c, void *data);
void *net_conn_data(const struct net_conn *c);
/* Remote address as "IP:PORT" (set when the conn was created). */
const char *net_conn_addr(const struct net_conn *c);
/* Bytes moved so far on c (wire bytes, including encryption overhead). */
void net_conn_counts(const struct net_conn *c, uint64_t *in, uint64_t *out);

/* Totals over every conn ever made by n (for benchmarks). */
void net_counts(const struct net *n, uint64_t *in, uint64_t *out);

#endif
