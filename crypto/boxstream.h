/* boxstream.h - box-stream framing: one direction of an encrypted SHS link. */
#ifndef ILONET_BOXSTREAM_H
#define ILONET_BOXSTREAM_H

/*
 * Box-stream is the Scuttlebutt bulk-encryption format that follows the
 * secret handshake (docs/TRANSPORT.md has it byte by byte). Each message
 * is a 34-byte secretbox header {body length (u16 BE), body MAC} followed
 * by the body ciphertext without its MAC. The header uses nonce n, the
 * body n + 1, the next header n + 2 (big-endian 24-byte counter). A
 * header that opens to 18 zero bytes is "goodbye": the authenticated end
 * of the stream.
 *
 * Sans-I/O: every function is a pure transformation of caller-owned
 * buffers plus the key/nonce in struct boxs; nothing reads a socket, the
 * clock or a random source. A struct boxs is one direction of one link:
 * one for sealing, a separate one (other key, other nonce) for opening,
 * both filled by shs_session(). It has no locks: use each struct from one
 * thread at a time. Wipe it with boxs_wipe() when the link closes.
 *
 * Any failure while opening (bad MAC, bad length) ends the link: the
 * struct is wiped, and every later call on a wiped struct returns
 * ILONET_ECLOSED (an all-zero key means "closed"), so a caller that misses
 * an error cannot be fed frames forged under the zero key. The caller must
 * close the connection. Sealing never fails on well-formed arguments.
 */
#include <stddef.h>
#include <stdint.h>

#define BOXS_KEY_LEN 32
#define BOXS_NONCE_LEN 24
#define BOXS_MAC_LEN 16
#define BOXS_HEADER_LEN 34 /* MAC 16 + length 2 + body MAC 16 */
#define BOXS_MAX_BODY 4096 /* the spec's bound; larger is refused */

struct boxs {
    uint8_t key[BOXS_KEY_LEN];
    uint8_t nonce[BOXS_NONCE_LEN]; /* next nonce to use, big-endian */
};

/*
 * Seals len bytes of plain (1..BOXS_MAX_BODY) into out, which receives
 * BOXS_HEADER_LEN + len bytes: header then body. Advances the nonce by 2.
 * plain may equal out + BOXS_HEADER_LEN (in place); any other overlap is
 * undefined. Returns 0, ILONET_EINVAL (NULL, len 0), ILONET_ETOOBIG (len
 * over the bound) or ILONET_ECLOSED (b was wiped); on error nothing is
 * written and the nonce is unchanged.
 */
int boxs_seal(struct boxs *b, const uint8_t *plain, size_t len, uint8_t *out);

/*
 * Writes the 34-byte goodbye header that ends the stream and advances the
 * nonce (so a mistaken later seal never reuses it). Returns 0,
 * ILONET_EINVAL or ILONET_ECLOSED.
 */
int boxs_goodbye(struct boxs *b, uint8_t out[static BOXS_HEADER_LEN]);

/*
 * Opens one 34-byte header. On success advances the nonce by 1 and sets
 * *is_goodbye; when it is 0, also sets *body_len (1..BOXS_MAX_BODY) and
 * body_mac, and the caller must then read exactly *body_len bytes and pass
 * them with body_mac to boxs_open_body(). When it is 1 the peer has ended
 * the stream cleanly; *body_len is 0 and no more messages may be opened.
 * Returns 0, ILONET_EINVAL (NULL), ILONET_ECLOSED (b was wiped),
 * ILONET_EBADSIG (header fails its MAC), ILONET_ETOOBIG (length over the
 * bound) or ILONET_EMALFORMED (zero length that is not goodbye).
 * Out-parameters are written on success only; on the last three errors b
 * is wiped (see above).
 */
int boxs_open_header(struct boxs *b, const uint8_t in[static BOXS_HEADER_LEN],
                     size_t *body_len, uint8_t body_mac[static BOXS_MAC_LEN],
                     int *is_goodbye);

/*
 * Opens a body of len bytes (the length from its header) with the MAC from
 * its header, writing len plaintext bytes to out (out == in is allowed;
 * other overlap is undefined). Advances the nonce by 1 on success. Returns
 * 0, ILONET_EINVAL (NULL, len 0), ILONET_ETOOBIG (len over the bound: a
 * caller bug, b is kept), ILONET_ECLOSED (b was wiped) or ILONET_EBADSIG
 * (the body fails its MAC: then out holds nothing useful and b is wiped).
 */
int boxs_open_body(struct boxs *b, const uint8_t body_mac[static BOXS_MAC_LEN],
                   const uint8_t *in, size_t len, uint8_t *out);

/* Zeroes key and nonce: the struct is closed from then on. Safe on NULL. */
void boxs_wipe(struct boxs *b);

#endif
