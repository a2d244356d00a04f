/* batch.h - compact encoding of a log range, for export files and sync. */
#ifndef ILONET_BATCH_H
#define ILONET_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/wire.h"
#include "log.h"

/*
 * A batch carries a contiguous range of one log. Fields the receiver can
 * derive (log id, prev id, payload length and hash) are not sent: the
 * receiver rebuilds the canonical header from the rest and checks the
 * signature over it, so a batch can only decode to the one header the
 * author signed. Layout (canonical msgpack), see docs/FORMAT.md:
 *   [author bin32, audience str, first seq uint, prev id bin32 | nil,
 *    [[hlc, kind, sig bin64, payload bin | [len, hash bin32]], ...]]
 */

#define BATCH_MAX_BYTES (1024 * 1024)
#define BATCH_MAX_ENTRIES 4096

/* Builds a batch from the store: log from from_seq, up to max_entries and
 * about max_bytes. Appends to wb. *count gets the number of entries. */
int batch_encode(struct store *s, const uint8_t log[static HASH_LEN],
                 uint64_t from_seq, size_t max_entries, size_t max_bytes,
                 struct wire_buf *wb, size_t *count);

/*
 * Decodes one batch from buf (len bytes, must be exactly one batch) for
 * the given network. On success b->b_entries is malloc'd (free with
 * batch_free) and payload pointers point into buf, which must outlive b.
 */
int batch_decode(const uint8_t *buf, size_t len,
                 const uint8_t network[static NET_ID_LEN], struct log_batch *b);
void batch_free(struct log_batch *b);

#endif
