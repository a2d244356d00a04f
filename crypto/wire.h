/* wire.h - canonical msgpack: the strict pre-scan, the reader, the writer. */
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
 * wire_check() enforces this on untrusted bytes before anything decodes
 * them: every declared count and length is checked against the bytes
 * actually present, in O(len) time and O(1) memory.
 *
 * Every decoder then has the same shape: wire_check() with limits fitted to
 * the format, then either
 *   - the reader below (struct wire_rd), which walks the checked bytes in
 *     place without allocating. Used by every fixed-layout codec:
 *       storage/entry.c   entry headers; the payload form (a map)
 *       storage/log.c     {"cert": bin} and {"envelope": bin} payloads
 *       storage/batch.c   batches (export files, sync BATCH and EVIDENCE)
 *       crypto/envelope.c certificates, grants, revocations
 *       replication/msg.c sync messages and their HEADS / WANT items
 *     These formats have one layout each, so reading field by field is
 *     both the fastest and the most exact check; or
 *   - wire_unpack() into msgpack-c objects, for record payloads only
 *     (storage/view/record.c validates them, storage/view/ materialises
 *     them): payloads are maps whose keys and value types vary by kind, and
 *     the view looks fields up by name, which a tree makes simple. msgpack-c
 *     4.0 allocates count x 24 bytes for an array header before reading its
 *     elements, so it must only ever see bytes that passed wire_check().
 */

struct wire_limits {
    size_t max_len;   /* whole object, bytes */
    int max_depth;    /* container nesting; 1 = a flat array */
    size_t max_items; /* array elements + 2 x map pairs, all containers */
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

/* 1 if s[0..n) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. The rule wire_check() applies
 * to every str; the JSON parser (crypto/json.c) applies it to whole texts. */
int wire_utf8_ok(const uint8_t *s, size_t n);

/*
 * The reader: a cursor over one buffer of canonical msgpack. The caller
 * runs wire_check() on the buffer first (that is what checks UTF-8, map key
 * order and the limits); the reader still bounds-checks every read and
 * refuses a non-shortest header or integer, so no input can make it read
 * outside [buf, buf + len). Each wire_rd_* call reads one value and
 * advances; on error the cursor is left where it was.
 *
 * Errors: ILONET_EMALFORMED when the bytes end before the value does;
 * ILONET_ENONCANON for a non-shortest form; and wr_type_err (given to
 * wire_rd_init) when the value is not the type asked for or a fixed-size
 * bin has another size, so each format reports a shape error in its own
 * terms (EMALFORMED for stored formats, EPROTO for the sync protocol).
 * Pure; a cursor belongs to one thread.
 */
struct wire_rd {
    const uint8_t *wr_p;
    const uint8_t *wr_end;
    int wr_type_err;
};

/* The type of the next value, read from its first byte. */
enum wire_type {
    WIRE_T_END = 0, /* no bytes left */
    WIRE_T_NIL,
    WIRE_T_BOOL,
    WIRE_T_UINT, /* positive fixint, uint8..64 */
    WIRE_T_INT,  /* negative fixint, int8..64 */
    WIRE_T_STR,
    WIRE_T_BIN,
    WIRE_T_ARRAY,
    WIRE_T_MAP,
    WIRE_T_OTHER, /* float, ext, 0xc1: never canonical */
};

void wire_rd_init(struct wire_rd *r, const uint8_t *buf, size_t len,
                  int type_err);
enum wire_type wire_rd_peek(const struct wire_rd *r);
/* Bytes not read yet. */
size_t wire_rd_left(const struct wire_rd *r);
/* 0 if every byte was read, else ILONET_EMALFORMED (trailing bytes). */
int wire_rd_done(const struct wire_rd *r);

/* Container headers: *n elements (a map: *n pairs) follow. */
int wire_rd_array(struct wire_rd *r, uint64_t *n);
int wire_rd_map(struct wire_rd *r, uint64_t *n);
/* A header of exactly n elements / pairs (another count: wr_type_err). */
int wire_rd_array_n(struct wire_rd *r, uint64_t n);
int wire_rd_map_n(struct wire_rd *r, uint64_t n);
int wire_rd_nil(struct wire_rd *r);
int wire_rd_bool(struct wire_rd *r, int *v);
/* A non-negative integer; a negative one is the wrong type. */
int wire_rd_uint(struct wire_rd *r, uint64_t *v);
/* Any integer that fits int64_t (a larger uint is the wrong type). */
int wire_rd_int(struct wire_rd *r, int64_t *v);
/* str / bin bodies point into the buffer. */
int wire_rd_str(struct wire_rd *r, const char **s, size_t *n);
int wire_rd_bin(struct wire_rd *r, const uint8_t **b, size_t *n);
/* A bin of exactly n bytes, copied to out. */
int wire_rd_bin_fixed(struct wire_rd *r, uint8_t *out, size_t n);
/* A str equal to key (another str or type: wr_type_err). */
int wire_rd_key(struct wire_rd *r, const char *key);
/* Skips one whole value, containers included (iteratively, O(1) memory). */
int wire_rd_skip(struct wire_rd *r);

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

/* Accessors for unpacked objects (record payloads); each returns
 * ILONET_EMALFORMED on a type mismatch and leaves out untouched. */
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
