/* msg.h - the sync protocol's message codec: canonical msgpack, bounded. */
#ifndef ILONET_MSG_H
#define ILONET_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/wire.h"
#include "storage/batch.h"
#include "storage/entry.h"

/*
 * Every sync message is one canonical msgpack array whose first element is
 * the message type (a positive fixint). docs/PROTOCOL.md gives each layout
 * byte by byte:
 *
 *   HELLO    [1, version uint, cert envelope bin]
 *   HEADS    [2, flags uint, digest bin32, [[log bin32, author bin32,
 *             audience str, seq uint, head id bin32, frozen uint], ...]]
 *   WANT     [3, [[log bin32, from seq uint], ...]]
 *   BATCH    [4, batch]                  (batch: storage/batch.h layout)
 *   EVIDENCE [5, batch, batch]           (two one-entry batches, one seq)
 *   DIGEST   [6, digest bin32]
 *   ACK      [7, batches received uint]  (running total, this session)
 *
 * Types 8-11 are blob transfer's (replication/blob_sync.h): the link
 * routes them there, and msg_decode() refuses them as unknown.
 *
 * msg_decode() is the one parser for bytes from a peer. It checks the
 * frame and, except for BATCH and EVIDENCE bodies (which batch_decode()
 * checks itself, strictly, before msgpack-c sees them), runs wire_check()
 * with limits fitted to the type, so no declared length or count is
 * trusted before it is checked against the bytes present. Decoding never
 * allocates: the decoded message points into the caller's buffer, and the
 * items of HEADS and WANT are read one by one with msg_heads_next() /
 * msg_want_next(). All functions are pure and thread-safe.
 */

#define SYNC_PROTO_VERSION 1

/* Bounds. A message over MSG_MAX_BYTES is rejected before it is parsed. */
#define MSG_MAX_BYTES (BATCH_MAX_BYTES + 4096)
#define MSG_HEADS_MAX 1024 /* items in one HEADS message */
#define MSG_WANT_MAX 1024  /* items in one WANT message */

enum msg_type {
    MSG_T_HELLO = 1,
    MSG_T_HEADS = 2,
    MSG_T_WANT = 3,
    MSG_T_BATCH = 4,
    MSG_T_EVIDENCE = 5,
    MSG_T_DIGEST = 6,
    MSG_T_ACK = 7,
};

/* HEADS flags. */
#define MSG_HEADS_FULL 0x1  /* part of a full listing (not an announcement) */
#define MSG_HEADS_LAST 0x2  /* last message of a full listing */
#define MSG_HEADS_REPLY 0x4 /* sender asks for the receiver's full listing */
#define MSG_HEADS_FLAGS_ALL 0x7

/* One head: a log both sides may read, as the sender holds it. */
struct msg_head {
    uint8_t mh_log[HASH_LEN];
    uint8_t mh_author[KEY_PK_LEN];
    char mh_audience[ENTRY_AUDIENCE_MAX + 1];
    uint64_t mh_seq;         /* >= 1 */
    uint8_t mh_id[HASH_LEN]; /* id of entry mh_seq */
    uint64_t mh_frozen;      /* 0, or the seq of a fork the sender holds
                                evidence for */
};

struct msg_want {
    uint8_t mw_log[HASH_LEN];
    uint64_t mw_from; /* >= 1 */
};

/* A decoded message. Pointers point into the buffer given to msg_decode. */
struct msg {
    enum msg_type m_type;
    /* HELLO */
    uint64_t m_version;
    const uint8_t *m_cert;
    size_t m_cert_len;
    /* HEADS, DIGEST */
    uint64_t m_flags;
    uint8_t m_digest[HASH_LEN];
    /* HEADS, WANT: item count and the undecoded items (already checked) */
    size_t m_count;
    const uint8_t *m_items;
    const uint8_t *m_items_end;
    /* BATCH: m_a; EVIDENCE: m_a and m_b (each exactly one batch object) */
    const uint8_t *m_a;
    size_t m_a_len;
    const uint8_t *m_b;
    size_t m_b_len;
    /* ACK */
    uint64_t m_total;
};

/*
 * Decodes one message from buf[0..len). On success fills *m (pointing into
 * buf, which must outlive it). Errors: ILONET_ETOOBIG (over MSG_MAX_BYTES
 * or a bound), ILONET_EMALFORMED, ILONET_ENONCANON, ILONET_ETOODEEP,
 * ILONET_EPROTO (unknown type, wrong field count, a value out of range).
 * *m is unspecified on error.
 */
int msg_decode(const uint8_t *buf, size_t len, struct msg *m);

/*
 * Reads the next HEADS / WANT item of a decoded message, advancing
 * m->m_items. Returns 1 with *out filled, 0 at the end, or a negative code
 * for an item that is well-formed msgpack but invalid (ILONET_EPROTO: zero
 * seq, bad audience, log id of the wrong length...). The audience is
 * checked to be normalised; the log id is NOT checked against author and
 * audience here (the caller knows the network id).
 */
int msg_heads_next(struct msg *m, struct msg_head *out);
int msg_want_next(struct msg *m, struct msg_want *out);

/*
 * Encoders append one message to wb (which bounds its size; check
 * wb->wb_err at the end). HEADS and WANT are written as a header followed
 * by exactly n items; BATCH is written as msg_encode_batch_begin() followed
 * by batch_encode() into the same buffer.
 */
void msg_encode_hello(struct wire_buf *wb, const uint8_t *cert, size_t len);
void msg_encode_heads_begin(struct wire_buf *wb, uint64_t flags,
                            const uint8_t digest[static HASH_LEN], size_t n);
void msg_encode_head(struct wire_buf *wb, const struct msg_head *h);
void msg_encode_want_begin(struct wire_buf *wb, size_t n);
void msg_encode_want(struct wire_buf *wb, const struct msg_want *w);
void msg_encode_batch_begin(struct wire_buf *wb);
void msg_encode_evidence_begin(struct wire_buf *wb);
void msg_encode_digest(struct wire_buf *wb,
                       const uint8_t digest[static HASH_LEN]);
void msg_encode_ack(struct wire_buf *wb, uint64_t total);

/* Name of a message type ("heads"), or "unknown". */
const char *msg_type_name(uint64_t type);

#endif
