/* envelope.h - signed envelopes: one codec driven by a field table per type. */
#ifndef ILONET_ENVELOPE_H
#define ILONET_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "key.h"
#include "network.h"
#include "roster.h"
#include "wire.h"

/*
 * A state root signs three kinds of statement: node certificates
 * (crypto/cert.h), representation grants (crypto/grant.h) and revocations
 * (crypto/revocation.h). Each is a canonical msgpack array "body"
 *   [tag str, version 1, field, field, ...]
 * wrapped in a signed envelope [bin body, bin sig]; the signature covers
 * the body bytes exactly as received, under the type's signature context.
 * Layouts are in docs/FORMAT.md §5.
 *
 * One table per type (struct envelope_type) lists the fields after tag and
 * version, with the offset of each in the type's C struct. The same table
 * drives encoding, decoding, the canonical and bounds checks and the bytes
 * that are signed, so the three types cannot drift apart. Decoding runs
 * wire_check() on both layers and then the wire reader, without
 * allocating. All functions are pure and thread-safe; none keeps state.
 */

/* Longest envelope; also the longest body. */
#define ENVELOPE_MAX_LEN 1024

enum envelope_ftype {
    ENVELOPE_F_UINT = 1, /* uint64_t */
    ENVELOPE_F_BIN,      /* uint8_t[ef_size]: a bin of exactly ef_size bytes */
    ENVELOPE_F_STATE,    /* char[KEY_STATE_MAX + 1]: a valid state code */
    ENVELOPE_F_STR,      /* char[ef_size]: a str shorter than ef_size, no NUL */
    ENVELOPE_F_NAME,     /* an int-sized enum 1..ef_max, written as the str
                            ef_names[value] */
    ENVELOPE_F_CODE,     /* an int-sized enum 1..ef_max, written as a uint */
    ENVELOPE_F_LIST,     /* an array of at most ef_max items, each the field
                            *ef_sub at ef_off + i * ef_size; the count is a
                            size_t at ef_count */
    ENVELOPE_F_TUPLE,    /* an array of exactly ef_nsub fields ef_sub (a list
                            item that is a struct) */
};

/* One field. Offsets are from the start of the struct (a list item's
 * fields: from the start of the item). */
struct envelope_field {
    enum envelope_ftype ef_type;
    size_t ef_off;
    size_t ef_size;
    size_t ef_max;
    size_t ef_count;
    const char *const *ef_names;
    const struct envelope_field *ef_sub;
    size_t ef_nsub;
};

#define ENVELOPE__SIZEOF(T, m) sizeof(((T *)0)->m)
#define ENVELOPE_UINT(T, m)                                                    \
    {                                                                          \
        .ef_type = ENVELOPE_F_UINT, .ef_off = offsetof(T, m)                   \
    }
#define ENVELOPE_BIN(T, m)                                                     \
    {                                                                          \
        .ef_type = ENVELOPE_F_BIN, .ef_off = offsetof(T, m),                   \
        .ef_size = ENVELOPE__SIZEOF(T, m)                                      \
    }
#define ENVELOPE_STATE(T, m)                                                   \
    {                                                                          \
        .ef_type = ENVELOPE_F_STATE, .ef_off = offsetof(T, m)                  \
    }
#define ENVELOPE_STR(T, m)                                                     \
    {                                                                          \
        .ef_type = ENVELOPE_F_STR, .ef_off = offsetof(T, m),                   \
        .ef_size = ENVELOPE__SIZEOF(T, m)                                      \
    }
#define ENVELOPE_NAME(T, m, names, max)                                        \
    {                                                                          \
        .ef_type = ENVELOPE_F_NAME, .ef_off = offsetof(T, m), .ef_max = (max), \
        .ef_names = (names)                                                    \
    }
#define ENVELOPE_CODE(T, m, max)                                               \
    {                                                                          \
        .ef_type = ENVELOPE_F_CODE, .ef_off = offsetof(T, m), .ef_max = (max)  \
    }
/* A list in the array member m (its length is the bound), counted by the
 * size_t member count; item describes one element. */
#define ENVELOPE_LIST(T, m, count, item)                                       \
    {                                                                          \
        .ef_type = ENVELOPE_F_LIST, .ef_off = offsetof(T, m),                  \
        .ef_size = sizeof(((T *)0)->m[0]),                                     \
        .ef_max = sizeof(((T *)0)->m) / sizeof(((T *)0)->m[0]),                \
        .ef_count = offsetof(T, count), .ef_sub = (item)                       \
    }
#define ENVELOPE_TUPLE(fields)                                                 \
    {                                                                          \
        .ef_type = ENVELOPE_F_TUPLE, .ef_sub = (fields),                       \
        .ef_nsub = sizeof(fields) / sizeof((fields)[0])                        \
    }

struct envelope_type {
    const char *et_tag;     /* the body's first element */
    const char *et_sig_ctx; /* signature context (SIG_CTX_*) */
    size_t et_signer;       /* offset of the signing state's code */
    size_t et_network;      /* offset of the network id (NET_ID_LEN) */
    const struct envelope_field *et_fields;
    size_t et_nfields;
    size_t et_size; /* sizeof the struct, <= ENVELOPE_OBJ_MAX */
    /* Rules across fields, or NULL. A received envelope that breaks
     * et_decoded is malformed; an issuer refuses (EINVAL) to sign a struct
     * that breaks et_issuable. Each returns 0 when the rules hold. */
    int (*et_decoded)(const void *obj);
    int (*et_issuable)(const void *obj);
};

/* Largest struct an envelope type may describe. */
#define ENVELOPE_OBJ_MAX 2048

/* The two layers of a decoded envelope: the body bytes (pointing into the
 * envelope) and the signature. */
struct envelope_parts {
    const uint8_t *ep_body;
    size_t ep_body_len;
    uint8_t ep_sig[KEY_SIG_LEN];
};

/*
 * Decodes an envelope of type t into obj (t->et_size bytes, written only
 * on success) and parts, checking everything but the signature: both
 * layers canonical and within ENVELOPE_MAX_LEN, the tag, the version and
 * every field. Errors: wire_check()'s codes (ILONET_EMALFORMED,
 * ENONCANON, ETOOBIG, ETOODEEP) for either layer; ILONET_EMALFORMED for a
 * wrong shape, tag or field; ILONET_EKIND for a version other than 1.
 */
int envelope_decode(const struct envelope_type *t, const uint8_t *buf,
                    size_t len, void *obj, struct envelope_parts *parts);

/*
 * envelope_decode(), then the signature by the signer's root key in the
 * roster (ILONET_EUNKNOWNAUTHOR when the state is not in it, EBADSIG),
 * then the network (ILONET_ENETWORK for another one). Validity dates are
 * the caller's business. obj is written only on success.
 */
int envelope_verify(const struct envelope_type *t, const uint8_t *buf,
                    size_t len, const struct roster *r,
                    const uint8_t network[static NET_ID_LEN], void *obj);

/* Appends obj's canonical body to wb: ILONET_EINVAL for a field that
 * cannot be written (a bad state code, an over-long str, a list over its
 * bound, an enum out of range); wb->wb_err is not touched otherwise. */
int envelope_encode_body(const struct envelope_type *t, const void *obj,
                         struct wire_buf *wb);

/* Appends the envelope [bin body, bin sig] to wb. */
void envelope_wrap(const uint8_t *body, size_t body_len,
                   const uint8_t sig[static KEY_SIG_LEN], struct wire_buf *wb);

/*
 * Issues an envelope: sk must be the state root key of obj's signer
 * (ILONET_EINVAL otherwise, or when et_issuable or encoding refuses obj),
 * ILONET_ETOOBIG past ENVELOPE_MAX_LEN. *out is malloc'd; the caller frees
 * it.
 */
int envelope_issue(const struct envelope_type *t, const void *obj,
                   const struct key_pair *sk, uint8_t **out, size_t *out_len);

/* Id of an envelope: hash(HASH_CTX_CERT, its bytes), signature included
 * (a grant's id, which revocations name). */
void envelope_id(const uint8_t *buf, size_t len, uint8_t id[static HASH_LEN]);

#endif
