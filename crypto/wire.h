/* wire.h - canonical msgpack: a strict pre-scan and a bounded writer. */
#ifndef ILONET_WIRE_H
#define ILONET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/*
 * Everything ilonet signs or sends is msgpack in one canonical form, so that
 * a byte string has exactly one meaning and one encoding:
 *   - integers in the shortest format; non-negative values only as
 *     positive fixint / uint8..64, negative ones as negative fixint / int8..64;
 *   - str/bin/array/map headers in the shortest format; str is valid UTF-8;
 *   - map keys are str, strictly increasing in bytewise order (no duplicates);
 *   - no float, no ext.
 * wire_check() enforces this on untrusted bytes *before* msgpack-c sees
 * them: msgpack-c 4.0 allocates count x 24 bytes for an array header before
 * reading its elements, so every declared count and length is checked
 * against the bytes actually present first. After wire_check() succeeds,
 * wire_unpack() may hand the same bytes to msgpack-c safely.
 */

struct wire_limits {
    size_t max_len;   /* whole object, bytes */
    int max_depth;    /* container nesting; 1 = a flat array */
    size_t max_items; /* total elements and map pairs */
};

/* Limits for entry payloads and other small records. */
#define WIRE_LIMITS_DEFAULT ((struct wire_limits){65536, 8, 8192})

/*
 * Checks that buf[0..len) is exactly one canonical msgpack object within
 * lim. Returns 0, ILONET_EMALFORMED (truncated, trailing bytes, bad UTF-8,
 * float/ext), ILONET_ENONCANON, ILONET_ETOOBIG or ILONET_ETOODEEP.
 * Runs in O(len) time and O(1) memory. Pure, thread-safe.
 */
int wire_check(const uint8_t *buf, size_t len, const struct wire_limits *lim);

/* Length of the one msgpack object at the start of buf, after the same
 * checks as wire_check(); trailing bytes are allowed. */
int wire_check_prefix(const uint8_t *buf, size_t len,
                      const struct wire_limits *lim, size_t *obj_len);

/*
 * Unpacks bytes that passed wire_check() into obj, allocating from zone
 * (caller-owned; strings and bins point into buf, which must outlive obj).
 * Returns 0, ILONET_EMALFORMED or ILONET_ENOMEM.
 */
int wire_unpack(const uint8_t *buf, size_t len, msgpack_zone *zone,
                msgpack_object *obj);

/*
 * A growable output buffer with a msgpack_packer writing into it. The
 * buffer owns wb_data (free with wire_buf_free). Writes past max_len set
 * wb_err = ILONET_ETOOBIG and are dropped, so a writer checks once at the
 * end. Not thread-safe.
 */
struct wire_buf {
    uint8_t *wb_data;
    size_t wb_len;
    size_t wb_cap;
    size_t wb_max;
    int wb_err;
    msgpack_packer wb_pk;
};

void wire_buf_init(struct wire_buf *wb, size_t max_len);
void wire_buf_reset(struct wire_buf *wb);
void wire_buf_free(struct wire_buf *wb);
/* Appends raw bytes (already-encoded msgpack, framing). */
void wire_buf_append(struct wire_buf *wb, const void *data, size_t len);
/* Hands the bytes to the caller (who frees them); the buffer is reset. */
uint8_t *wire_buf_steal(struct wire_buf *wb, size_t *len);

/* Packing helpers (canonical by construction). */
void wire_pack_str(struct wire_buf *wb, const char *s);
void wire_pack_strn(struct wire_buf *wb, const char *s, size_t n);
void wire_pack_bin(struct wire_buf *wb, const uint8_t *b, size_t n);
void wire_pack_uint(struct wire_buf *wb, uint64_t v);
void wire_pack_int(struct wire_buf *wb, int64_t v);
void wire_pack_nil(struct wire_buf *wb);
void wire_pack_bool(struct wire_buf *wb, int v);
void wire_pack_array(struct wire_buf *wb, uint32_t n);
void wire_pack_map(struct wire_buf *wb, uint32_t n);

/* Accessors for unpacked objects; each returns ILONET_EMALFORMED on a type
 * mismatch and leaves out untouched. */
int wire_get_uint(const msgpack_object *o, uint64_t *out);
int wire_get_int(const msgpack_object *o, int64_t *out);
int wire_get_bin(const msgpack_object *o, const uint8_t **p, size_t *n);
int wire_get_bin_fixed(const msgpack_object *o, uint8_t *out, size_t n);
int wire_get_str(const msgpack_object *o, const char **p, size_t *n);
/* Copies a str into out (cap bytes incl. NUL); ILONET_ETOOBIG if longer. */
int wire_get_cstr(const msgpack_object *o, char *out, size_t cap);
/* Looks up key in a map object; NULL if absent or o is not a map. */
const msgpack_object *wire_map_get(const msgpack_object *o, const char *key);

#endif
