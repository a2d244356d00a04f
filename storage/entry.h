/* entry.h - the signed entry: header codec, ids, kinds, audiences, log ids. */
#ifndef ILONET_ENTRY_H
#define ILONET_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/hash.h"
#include "crypto/key.h"

/*
 * An entry is a header, a signature and a payload stored apart.
 *
 * Header: a canonical msgpack array of 8 elements
 *   [version=1, log id bin32, seq uint>=1, prev id bin32 | nil (seq 1),
 *    hlc uint, kind uint, payload length uint, payload hash bin32]
 * Signature: Ed25519 by the author's node key over SIG_CTX_ENTRY || 0 ||
 * header bytes. Entry id: hash(HASH_CTX_ENTRY_ID, header || signature), so
 * the next entry's prev commits to this one's signature too.
 * Payload: a canonical msgpack map, hash(HASH_CTX_PAYLOAD, payload). It can
 * be erased while the chain still verifies. Byte layout: docs/FORMAT.md.
 */

#define ENTRY_VERSION 1
#define ENTRY_HEADER_MAX 160
#define ENTRY_PAYLOAD_MAX 65536
#define ENTRY_AUDIENCE_MAX 63 /* "net", "ms" or "AT+DE+FR..." */

/* Entry kinds. Stable numbers: they are signed into headers. */
enum entry_kind {
    KIND_CERT = 1, /* the author's node certificate (seq 1) */
    KIND_OBSERVATION = 2,
    KIND_MEETING = 3,
    KIND_TRAINING = 4,
    KIND_CARRIER = 5,
    KIND_CONTACT = 6,
    KIND_POSTING = 7,
    KIND_AMEND = 8,              /* LWW field amendment of a record */
    KIND_RETRACT = 9,            /* tombstone of a record */
    KIND_ERASE = 10,             /* payload erasure of an entry */
    KIND_TASK = 11,              /* Art. 5(2) shared task */
    KIND_TASK_STATUS = 12,       /* accept/decline/start/done/cancel */
    KIND_GRANT = 13,             /* publishes a representation grant */
    KIND_REVOCATION = 14,        /* publishes a grant or node revocation */
    KIND_ACTING_PRESIDENCY = 15, /* 377-2004 */
    KIND_CHAIR = 16,             /* 2019-1240: the network's chair */
    KIND_COUNT_ = 17,            /* kinds named below */
};

/* Entry kinds the log accepts: 1-127 (docs/REGIMES.md §2). Whether a kind
 * means anything is the vocabulary's business: the log stores and
 * forwards every one; kinds above ENTRY_KIND_MAX are unknown-kind. */
#define ENTRY_KIND_MAX 127

/* Name of a kind ("observation", ...), or NULL for an unknown one. */
const char *entry_kind_name(uint64_t kind);
/* Kind number for a name, or 0. */
uint32_t entry_kind_parse(const char *name);

struct entry_header {
    uint64_t h_version;
    uint8_t h_log[HASH_LEN];
    uint64_t h_seq;
    int h_has_prev;
    uint8_t h_prev[HASH_LEN];
    uint64_t h_hlc;
    uint64_t h_kind;
    uint64_t h_payload_len;
    uint8_t h_payload_hash[HASH_LEN];
};

/*
 * One entry in memory. e_payload points at memory the entry does not own
 * (the caller's buffer or SQLite's row); NULL when the payload is not held
 * (erased or withheld).
 */
struct entry {
    struct entry_header e_h;
    uint8_t e_hdr[ENTRY_HEADER_MAX];
    size_t e_hdr_len;
    uint8_t e_sig[KEY_SIG_LEN];
    uint8_t e_id[HASH_LEN];
    const uint8_t *e_payload;
    size_t e_payload_len;
    /* Position in the store (lid << 32 | seq) once stored, for the entry
     * hook; 0 when not known. */
    int64_t e_k;
    /* 1: e_h.h_payload_hash was computed from e_payload's bytes by the
     * decoder (batch_decode), so checking it again is skipped. */
    int e_payload_hashed;
};

/* Encodes h canonically into out (ENTRY_HEADER_MAX bytes). */
int entry_header_encode(const struct entry_header *h,
                        uint8_t out[static ENTRY_HEADER_MAX], size_t *len);

/* Strictly decodes header bytes: canonical, exactly 8 fields, bounded.
 * ILONET_EMALFORMED, ENONCANON, ETOOBIG, EKIND (version or kind). */
int entry_header_decode(const uint8_t *buf, size_t len, struct entry_header *h);

void entry_id(const uint8_t *hdr, size_t hdr_len,
              const uint8_t sig[static KEY_SIG_LEN],
              uint8_t id[static HASH_LEN]);
void entry_payload_hash(const uint8_t *p, size_t n,
                        uint8_t out[static HASH_LEN]);

/* Checks that a payload matches its header (length, hash) and is a
 * canonical, bounded msgpack map. */
int entry_check_payload(const struct entry_header *h, const uint8_t *p,
                        size_t n);
/* The same without the hash, for a header whose hash was computed from
 * these very bytes. */
int entry_check_payload_form(const struct entry_header *h, const uint8_t *p,
                             size_t n);
/* The form alone, before there is a header (a local append): a canonical
 * msgpack map within WIRE_LIMITS_DEFAULT and ENTRY_PAYLOAD_MAX bytes.
 * ILONET_ETOOBIG, ILONET_EMALFORMED, or wire_check()'s code. */
int entry_check_payload_bytes(const uint8_t *p, size_t n);

/* Fills e->e_hdr/e_hdr_len from e->e_h, signs with kp, computes e_id. */
int entry_seal(struct entry *e, const struct key_pair *kp);

/* Encodes e->e_h into e->e_hdr and computes e->e_id (no signature check). */
int entry_finish(struct entry *e);

/* Verifies e's signature by author over its header bytes. */
int entry_verify_sig(const struct entry *e,
                     const uint8_t author[static KEY_PK_LEN]);

/*
 * Log id = hash(HASH_CTX_LOG_ID, network id || author key || audience).
 * The audience must be normalised (audience_normalise).
 */
void entry_log_id(const uint8_t network[static NET_ID_LEN],
                  const uint8_t author[static KEY_PK_LEN], const char *audience,
                  uint8_t out[static HASH_LEN]);

/*
 * Normalises an audience: "net", "ms", or a group of 2..16 state codes
 * joined by '+', sorted and without duplicates ("FR+DE" -> "DE+FR").
 * out has ENTRY_AUDIENCE_MAX + 1 bytes. ILONET_EINVAL if not valid.
 */
int audience_normalise(const char *in, char out[static ENTRY_AUDIENCE_MAX + 1]);

/* 1 if a node of (state, role) may read a log of this audience. */
int audience_admits(const char *audience, const char *state,
                    enum cert_role role);

#endif
