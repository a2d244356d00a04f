/* peer_int.h - the peer module's receive side, shared by peer.c and peer_rx.c.
 */
#ifndef ILONET_PEER_INT_H
#define ILONET_PEER_INT_H

/*
 * After the handshake a connection's incoming bytes go through a receive
 * side (struct peer__rxs): box-stream opening, message deframing and
 * sync_decode(), which hashes every payload and rebuilds every entry id
 * of a batch. With a struct peer_rx (peer.h) that work runs on its
 * thread and the results come back to the loop in order; without one it
 * runs inline on the loop, with the same results. Either way the loop
 * gets a stream of struct peer__res, one per event, in the order of the
 * bytes, and hands each to peer__rx_handle().
 *
 * Threads: a struct peer__rxs is the worker's while it holds it (its
 * decoder and deframer fields); the fields under "shared" are read and
 * written only under the worker's mutex; x_peer is the loop's alone.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/boxstream.h"
#include "replication/sync.h"

struct peer;
struct peer_rx;
struct peer__rxs;

enum peer__rkind {
    PEER__R_MSG = 1,  /* one whole message, decoded */
    PEER__R_FAULT,    /* a framing fault: strike and close */
    PEER__R_BYE,      /* the peer's box-stream goodbye */
    PEER__R_PROGRESS, /* part of a BATCH or EVIDENCE arrived */
    PEER__R_ROOM,     /* a paused connection has room again */
};

struct peer__res {
    struct peer__res *r_next;
    struct peer__rxs *r_rxs;
    enum peer__rkind r_kind;
    int r_code;        /* FAULT: the error */
    const char *r_why; /* FAULT: static text for the log line */
    uint8_t *r_buf;    /* MSG: the message (owned) */
    size_t r_len;
    struct sync_msg r_sm; /* MSG: sync_decode() of r_buf */
};

/* A receive side for the peer p with decoder dec (copied; the caller wipes
 * its own). rx may be NULL (inline). ILONET_ENOMEM. Loop thread. */
int peer__rx_attach(struct peer_rx *rx, const uint8_t net[NET_ID_LEN],
                    const struct boxs *dec, struct peer *p,
                    struct peer__rxs **out);
/* Hands bytes received from the connection to the receive side. Inline,
 * the results are handled before it returns, and it returns
 * ILONET_ECLOSED if one of them closed the peer; with a worker the bytes
 * are copied and queued. *pause is set to 1 when the bytes the side holds
 * exceed PEER_RX_HIGH: the caller reads no more until
 * peer__rx_resumable(). Loop thread. */
int peer__rx_in(struct peer__rxs *x, const uint8_t *buf, size_t len,
                int *pause);
/* 1 once a paused side holds no more than PEER_RX_LOW bytes. */
int peer__rx_resumable(struct peer__rxs *x);
/* 1 if nothing received is waiting to be handled and no message is half
 * received (peer_in_sync). */
int peer__rx_idle(struct peer__rxs *x);
/* The peer is closing: nothing more of x reaches it; x is freed (now, or
 * by the worker when it lets go of it). Loop thread. */
void peer__rx_detach(struct peer__rxs *x);

/* In peer.c: one result for p (the loop thread; r is freed by the
 * caller). Returns ILONET_ECLOSED if p was closed. */
int peer__rx_handle(struct peer *p, struct peer__res *r);

/* In peer.c: a paused connection reads again (peer__rx_resumable). */
void peer__rx_resume(struct peer *p);

/* Frees a result and what it holds. */
void peer__res_free(struct peer__res *r);

#endif
