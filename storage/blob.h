/* blob.h - attachments: content-addressed blobs, sealed at rest, referenced
 * from records. */
#ifndef ILONET_BLOB_H
#define ILONET_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "crypto/hash.h"
#include "crypto/wire.h"
#include "storage/entry.h"
#include "storage/store.h"

/*
 * A blob is a file a record carries (a photograph of a forged document, a
 * scanned notice, minutes as PDF). Its id is the BLAKE2b tree hash of its
 * bytes: the plaintext is cut into 64 KiB chunks, each chunk is a leaf
 * H("ilonet/blob-chunk/v1", chunk), leaves are paired up into a binary
 * tree (H("ilonet/blob-node/v1", left || right), RFC 6962's shape) and
 *   id = H("ilonet/blob-id/v1", size as 8 bytes big-endian || root).
 * So any one chunk can be checked against the id alone with a proof of at
 * most BLOB_PROOF_MAX hashes (docs/FORMAT.md "Blobs" has every byte).
 *
 * A record names its blobs in its payload field "attachments": each item
 * carries the blob's id, size, media type, file name and the 32-byte key
 * the blob is sealed with. The key travels only inside that (audience-
 * confined) entry: a node outside the entry's audience never holds the key
 * and never holds the bytes; erasing the entry's payload forgets the key
 * (crypto-shredding) and the bytes are removed (blob_gc).
 *
 * At rest each blob is one file blobs/<hex id> (0600) in the node home:
 * a 104-byte header, then the chunks sealed one secretstream message each
 * (libsodium crypto_secretstream_xchacha20poly1305, the reference's key),
 * then the leaf hashes as the FINAL message, authenticated together with
 * the header. Files are written to a temporary name, synced and renamed;
 * docs/FORMAT.md says why files and not SQLite rows.
 *
 * Thread and ownership rules: the pure functions (tree, codecs, media
 * type) may run on any thread at once. A struct blob_store and the
 * functions taking a struct store belong to the store's thread.
 *
 * Errors: ILONET_EMALFORMED / ENONCANON / ETOOBIG (bytes that do not
 * decode), ILONET_EINVAL (a value refused; why says which), ILONET_EHASH
 * (bytes do not match their hash, a sealed file fails to open),
 * ILONET_ETOOBIG (a blob over the network's size limit), ILONET_EQUOTA
 * (over this node's quota), ILONET_ENOTFOUND, ILONET_EIO, ILONET_ENOMEM.
 */

#define BLOB_CHUNK 65536u                 /* bytes per chunk (v1 format) */
#define BLOB_SIZE_CAP ((uint64_t)1 << 30) /* format bound on a blob's size */
#define BLOB_CHUNKS_MAX 16384u            /* BLOB_SIZE_CAP / BLOB_CHUNK */
#define BLOB_PROOF_MAX 14                 /* log2(BLOB_CHUNKS_MAX) hashes */
#define BLOB_KEY_LEN 32                   /* secretstream key */
#define BLOB_REFS_MAX 16                  /* items of one "attachments" */
#define BLOB_TYPE_MAX 127                 /* media type, bytes */
#define BLOB_NAME_MAX 255                 /* file name, bytes */
#define BLOB_FILE_HDR_LEN 104             /* stored file header */
#define BLOB_STAGE_TTL_MS (24ull * 3600 * 1000)

/* ---- the hash tree (pure) --------------------------------------------- */

/* Chunks of a blob of size bytes: ceil(size / BLOB_CHUNK), 0 for 0. */
uint32_t blob_chunk_count(uint64_t size);
/* Length of chunk i of a blob of size bytes (0 when i is out of range). */
size_t blob_chunk_len(uint64_t size, uint32_t i);

/* The leaf hash of one chunk. */
void blob_leaf(const uint8_t *chunk, size_t len, uint8_t out[static HASH_LEN]);
/* The root of n leaves (1 <= n <= BLOB_CHUNKS_MAX), else ILONET_EINVAL. */
int blob_root(const uint8_t (*leaves)[HASH_LEN], uint32_t n,
              uint8_t out[static HASH_LEN]);
/* The blob id of a blob of size bytes whose tree has this root. */
void blob_id_of(uint64_t size, const uint8_t root[static HASH_LEN],
                uint8_t id[static HASH_LEN]);
/* The id of len bytes held in memory (1 <= len <= BLOB_SIZE_CAP). */
int blob_hash_buf(const uint8_t *data, size_t len, uint8_t id[static HASH_LEN]);

/*
 * The inclusion proof of leaf i among n: the sibling hashes from the leaf
 * up to the root (RFC 6962 / RFC 9162 audit path), *plen of them (at most
 * BLOB_PROOF_MAX) into proof. ILONET_EINVAL when i >= n or n is out of
 * range.
 */
int blob_proof(const uint8_t (*leaves)[HASH_LEN], uint32_t n, uint32_t i,
               uint8_t proof[static BLOB_PROOF_MAX][HASH_LEN], size_t *plen);
/*
 * Checks that leaf is chunk i of the blob (id, size) under proof: 0, or
 * ILONET_EINVAL (i out of range for size, a proof of the wrong length)
 * or ILONET_EHASH (the hashes do not lead to id).
 */
int blob_proof_verify(const uint8_t id[static HASH_LEN], uint64_t size,
                      uint32_t i, const uint8_t leaf[static HASH_LEN],
                      const uint8_t (*proof)[HASH_LEN], size_t plen);

/* H("ilonet/blob-key-id/v1", key): names a key without revealing it. */
void blob_key_id(const uint8_t key[static BLOB_KEY_LEN],
                 uint8_t out[static HASH_LEN]);

/* The media type of a file from its first bytes (JPEG, PNG, GIF, WebP,
 * PDF, UTF-8 plain text; else application/octet-stream). Static text. */
const char *blob_media_type(const uint8_t *head, size_t n);

/* 1 if s (n bytes) is a media type ilonet stores: "type/subtype" in lower
 * case, each part 1..63 of a-z 0-9 ! # $ & ^ _ . + -, at most
 * BLOB_TYPE_MAX bytes. */
int blob_type_valid(const char *s, size_t n);
/* 1 if s (n bytes) is a file name ilonet stores: 1..BLOB_NAME_MAX bytes of
 * UTF-8 text without control characters, '/' or '\\', not "." or "..". */
int blob_name_valid(const char *s, size_t n);

/* ---- the reference field "attachments" (pure) ------------------------- */

/* One item of a record's "attachments" array. */
struct blob_ref {
    uint8_t br_id[HASH_LEN];
    uint8_t br_key[BLOB_KEY_LEN]; /* secret: wipe when done */
    uint64_t br_size;             /* 1 .. BLOB_SIZE_CAP */
    char br_type[BLOB_TYPE_MAX + 1];
    char br_name[BLOB_NAME_MAX + 1]; /* "" when the item has none */
};

/*
 * Checks an unpacked "attachments" value: an array of 1..BLOB_REFS_MAX
 * maps {hash bin32, key bin32, name str (optional), size uint, type str},
 * no other key, no id twice. 0 or ILONET_EINVAL with a reason in why
 * ("field 'attachments': item 2: no 'type'"). decode also copies the
 * items into out (max of them; *n set); on failure out is unspecified.
 */
int blob_refs_check(const msgpack_object *v, char *why, size_t wl);
int blob_refs_decode(const msgpack_object *v, struct blob_ref *out, size_t max,
                     size_t *n, char *why, size_t wl);
/* The same from bytes (one canonical msgpack array, at most 8 KiB):
 * wire_check first, so any bytes are safe. */
int blob_refs_parse(const uint8_t *buf, size_t len, struct blob_ref *out,
                    size_t max, size_t *n, char *why, size_t wl);
/* Appends the canonical array of refs[0..n) to wb. */
void blob_refs_pack(struct wire_buf *wb, const struct blob_ref *refs, size_t n);

/* ---- the stored file's header (pure) ---------------------------------- */

struct blob_file_hdr {
    uint64_t bh_size;           /* plaintext bytes */
    uint8_t bh_id[HASH_LEN];    /* the blob id */
    uint8_t bh_keyid[HASH_LEN]; /* blob_key_id() of the sealing key */
    uint8_t bh_stream[24];      /* secretstream header */
};

void blob_file_hdr_encode(const struct blob_file_hdr *h,
                          uint8_t out[static BLOB_FILE_HDR_LEN]);
/* ILONET_EMALFORMED (short, bad magic), ILONET_EINVAL (size 0),
 * ILONET_ETOOBIG (size over BLOB_SIZE_CAP). */
int blob_file_hdr_decode(const uint8_t *buf, size_t len,
                         struct blob_file_hdr *out);
/* Length of the whole stored file of a blob of size bytes. */
uint64_t blob_file_len(uint64_t size);

/* ---- one chunk with its proof: the transfer unit (pure; phase 2) ------ */

/*
 * [id bin32, index uint, data bin, proof [bin32, ...]]: chunk index of
 * blob id with the audit path that ties it to the id (docs/PROTOCOL.md,
 * "Blob transfer"). Decoded data points into the decoded bytes.
 */
struct blob_chunk {
    uint8_t bc_id[HASH_LEN];
    uint32_t bc_index;
    const uint8_t *bc_data;
    size_t bc_len; /* 1 .. BLOB_CHUNK */
    size_t bc_nproof;
    uint8_t bc_proof[BLOB_PROOF_MAX][HASH_LEN];
};

#define BLOB_CHUNK_MSG_MAX (BLOB_CHUNK + 64 + BLOB_PROOF_MAX * 34)

/* Appends the canonical encoding of c to wb. */
void blob_chunk_encode(struct wire_buf *wb, const struct blob_chunk *c);
/* Decodes buf (any bytes; at most BLOB_CHUNK_MSG_MAX). The structure
 * only: blob_chunk_verify() checks it against the blob. */
int blob_chunk_decode(const uint8_t *buf, size_t len, struct blob_chunk *out);
/* c is chunk c->bc_index of the blob of size bytes named c->bc_id: the
 * index in range, the length that chunk has, the proof leading to the id.
 * ILONET_EINVAL (out of range, wrong length) or ILONET_EHASH. */
int blob_chunk_verify(const struct blob_chunk *c, uint64_t size);

/* ---- references held: the index the view keeps (store's thread) ------- */

/*
 * blob_schema() creates the blob tables of a store (blob_ref: one row per
 * item of a held "attachments" array; blob: the files this node holds) and
 * the trigger that drops an entry's rows when its payload is erased; the
 * view calls it when it attaches. blob_ref_note() records the items of a
 * stored entry's "attachments" value (already checked) for the record
 * they belong to (a creation: the entry's own id; an amendment: its
 * target); the view calls it from its entry hook, inside the store's
 * transaction. A reference counts while its entry's payload is held.
 */
int blob_schema(struct store *s);
int blob_ref_note(struct store *s, int64_t k,
                  const uint8_t record[static HASH_LEN],
                  const msgpack_object *attachments);
/* Item i of the "attachments" of the entry at position k (a creation's,
 * or an amendment's "fields"), read from its payload into *out, which
 * then holds the blob's key: the caller wipes it. ILONET_ENOTFOUND when
 * the payload is gone or has no such item. */
int blob_ref_read(struct store *s, int64_t k, int64_t i, struct blob_ref *out);

/* ---- the blob store: files in blobs/ (store's thread) ------------------ */

struct blob_store;

struct blob_limits {
    uint64_t bl_max;   /* largest blob (the network's blob-max) */
    uint64_t bl_quota; /* the most all files may take on this node */
};

/* Opens the blob store of a home: dir (created 0700 when missing; refused
 * with ILONET_EPERM when group or others may enter it) over store s (kept,
 * not owned). *out is the caller's: blob_close() it. */
int blob_open(struct store *s, const char *dir, const struct blob_limits *lim,
              struct blob_store **out);
void blob_close(struct blob_store *bs);

enum blob_state {
    BLOB_HELD = 1, /* the file is here and a held entry carries its key */
    BLOB_STAGED,   /* the file is here, its key waits for a first entry */
    BLOB_WANTED,   /* referenced by a held entry, the file is not here */
};

/* A record that references a blob. */
struct blob_holder {
    uint8_t bo_record[HASH_LEN]; /* the record (its creating entry) */
    uint8_t bo_entry[HASH_LEN];  /* the entry that names the blob */
    char bo_audience[ENTRY_AUDIENCE_MAX + 1];
};

#define BLOB_HOLDERS_MAX 32

struct blob_info {
    uint8_t bi_id[HASH_LEN];
    enum blob_state bi_state;
    uint64_t bi_size;   /* plaintext bytes */
    uint64_t bi_stored; /* bytes of its file here, 0 when wanted */
    char bi_type[BLOB_TYPE_MAX + 1];
    char bi_name[BLOB_NAME_MAX + 1];
    char bi_staged[ENTRY_AUDIENCE_MAX + 1]; /* staged: for this audience */
    size_t bi_nholders;                     /* references held */
    struct blob_holder bi_holders[BLOB_HOLDERS_MAX]; /* the first ones */
};

/* Storing a file. */
struct blob_put {
    const char *bp_path;     /* the file to read */
    const char *bp_name;     /* its name in the reference (checked) */
    const char *bp_audience; /* staged for this audience (normalised) */
    uint64_t bp_now_ms;
};

/*
 * Reads bp_path, computes its id and, unless the blob is held already,
 * seals it under a new random key into blobs/ and records it as staged
 * (the key kept beside it until an entry carries it, at most
 * BLOB_STAGE_TTL_MS). *created is 1 when it was stored now. Refusals,
 * each leaving nothing behind: ILONET_ENOTFOUND / EPERM / EIO (the file
 * cannot be read: why names it), ILONET_EINVAL (not a regular file, empty),
 * ILONET_ETOOBIG (over bl_max), ILONET_EQUOTA (over bl_quota), ILONET_EIO
 * "changed while being read". why (wl bytes) gets one line.
 */
int blob_put_file(struct blob_store *bs, const struct blob_put *req,
                  struct blob_info *out, int *created, char *why, size_t wl);

/* The id of the blob named by hex (64 digits, or a unique prefix of at
 * least 8) among those held or referenced. ILONET_ENOTFOUND, or
 * ILONET_EINVAL (not hex, too short, ambiguous). */
int blob_find(struct blob_store *bs, const char *hex,
              uint8_t id[static HASH_LEN]);
/* What this node knows of blob id. ILONET_ENOTFOUND when nothing. */
int blob_get_info(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                  struct blob_info *out);
/* The key the held file of id is sealed with: the staged key, or the key
 * of a held reference with the file's key id. ILONET_ENOTFOUND when none
 * is held (not stored, or every reference erased). */
int blob_key(struct blob_store *bs, const uint8_t id[static HASH_LEN],
             uint8_t key[static BLOB_KEY_LEN]);
/*
 * Opens the held file of id with key, checks every chunk and the tree
 * against the id, and writes the plaintext to out_path (0600; written to
 * a temporary name beside it and renamed, so nothing partial is ever
 * visible). ILONET_EHASH when the stored bytes fail any check (nothing
 * written), ILONET_ENOTFOUND when the file is missing, ILONET_EIO.
 */
int blob_read_to(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                 const uint8_t key[static BLOB_KEY_LEN], const char *out_path,
                 char *why, size_t wl);

/* Calls cb for every blob held, staged or wanted, by id. A non-zero
 * return from cb stops the walk and is returned. */
typedef int (*blob_list_cb)(void *arg, const struct blob_info *b);
int blob_list(struct blob_store *bs, blob_list_cb cb, void *arg);

/* Totals for status lines, from the store's rows alone (no directory is
 * made or read): held and staged files, blobs referenced but not here,
 * bytes the files take. */
struct blob_counts {
    uint64_t bc_held, bc_staged, bc_wanted;
    uint64_t bc_bytes; /* stored on disk */
};
int blob_counts(struct store *s, struct blob_counts *out);

/* Drops blob id if it is still only staged (a write that was to reference
 * it failed): its file is wiped and removed. 0 also when not staged. */
int blob_unstage_drop(struct blob_store *bs, const uint8_t id[static HASH_LEN]);

/*
 * Collects garbage, in one write transaction: a staged blob whose key a
 * held reference now carries becomes held; a blob no held reference opens
 * (every entry naming it with its key erased: erasure, retention) and a
 * staged blob older than BLOB_STAGE_TTL_MS go; files without a row and
 * temporary files of crashed writers go. Removed files are overwritten
 * with zeros, synced and unlinked. Call after anything that erased
 * payloads (an erase written or received, an import, a retention sweep).
 * *removed (may be NULL) counts the blobs removed.
 */
int blob_gc(struct blob_store *bs, uint64_t now_ms, uint64_t *removed);

/* ---- transfer between nodes (phase 2; docs/PROTOCOL.md §11) ------------ */

/* A blob to fetch: referenced by a held entry, its file not here. */
struct blob_want {
    uint8_t bw_id[HASH_LEN];
    uint64_t bw_size; /* from the node's own reference */
};

/*
 * The blobs to fetch now, by policy: referenced by a held entry whose HLC
 * time is at or after since_ms (eager), or asked for by blob_demand(); not
 * held, not over the network's size limit. Up to max into out (in id
 * order), *n set.
 */
int blob_wanted(struct blob_store *bs, uint64_t since_ms, struct blob_want *out,
                size_t max, size_t *n);
/* Asks for blob id on demand (`blob get` of a wanted blob): the running
 * node fetches it whatever its age. 0, or a store error. */
int blob_demand(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                uint64_t now_ms);

/*
 * 1 when this node holds a live reference to blob id in an entry whose
 * audience admits a node of (state, role) (audience_admits), 0 when not,
 * or a negative code. With need_file, also 0 unless the file is here and
 * its key is held (what may be served). The one question asked before
 * naming a blob to a peer and before serving one.
 */
int blob_admits(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                const char *state, int role, int need_file);

/*
 * Reading a held blob chunk by chunk, with proofs, to serve it. Open
 * checks the whole file once (every chunk's seal, the tree, the id) and
 * keeps the leaves; chunks are then read in order (asking for an earlier
 * one starts the stream again). ILONET_ENOTFOUND (not held, key gone),
 * ILONET_EHASH (damaged), ILONET_EIO, ILONET_ENOMEM. The reader belongs
 * to the store's thread; blob_reader_close() it.
 */
struct blob_reader;
int blob_reader_open(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                     struct blob_reader **out);
uint64_t blob_reader_size(const struct blob_reader *r);
/* Chunk i into *out: its data points into the reader, valid until the
 * next call. ILONET_EINVAL when i is out of range. */
int blob_reader_chunk(struct blob_reader *r, uint32_t i,
                      struct blob_chunk *out);
void blob_reader_close(struct blob_reader *r);

/*
 * Receiving a blob: chunks arrive in order, each checked against the id
 * and the size of this node's own reference, sealed at once under the
 * reference's key into blobs/.part-<hex id>; the last one seals the tree,
 * and the file is renamed into place with its row in one write
 * transaction (as blob_put_file). Open: ILONET_EEXIST (held already),
 * ILONET_ENOTFOUND (no live reference), ILONET_ETOOBIG (over the
 * network's limit), ILONET_EQUOTA (the whole file would not fit: nothing
 * started). Put: ILONET_EPROTO (not the next index, or another blob),
 * ILONET_EINVAL / ILONET_EHASH (blob_chunk_verify), ILONET_ENOTFOUND (the
 * last reference went meanwhile: nothing kept), ILONET_EIO, ILONET_EQUOTA;
 * after any error but EPROTO, EINVAL and EHASH the writer is spent
 * (abort it). *done is 1 once the blob is held. Abort wipes the partial
 * and frees the writer.
 */
struct blob_writer;
int blob_writer_open(struct blob_store *bs, const uint8_t id[static HASH_LEN],
                     uint64_t now_ms, struct blob_writer **out);
uint64_t blob_writer_size(const struct blob_writer *w);
/* The index of the chunk the writer takes next. */
uint32_t blob_writer_next(const struct blob_writer *w);
/*
 * The node's references may disagree on a blob's size (a member wrote a
 * reference to a real id with a wrong size). The writer then holds every
 * size they give (at most 4), writes as the one most references give, and
 * checks chunk 0 against each: the id commits to the size, so the one
 * that verifies is the blob's and the writer takes it (its reference's
 * key, type and name). settled: 1 once a chunk proved the size (or a
 * resumed partial did), so a chunk that fails now is the sender's fault;
 * 0 before, when a failure may be this node's wrong size. ask_limit: the
 * chunks that may be asked for: all of the current size once settled (or
 * when the references agree), else those of the smallest size given.
 * blob_writer_size() is the current size.
 */
int blob_writer_settled(const struct blob_writer *w);
uint32_t blob_writer_ask_limit(const struct blob_writer *w);
int blob_writer_put(struct blob_writer *w, const struct blob_chunk *c,
                    int *done);
void blob_writer_abort(struct blob_writer *w);
/* Frees a writer, keeping its file: after *done the blob is held; before,
 * the partial stays in blobs/ for a later blob_writer_open to resume (the
 * collector wipes it once no live reference names the blob). */
void blob_writer_free(struct blob_writer *w);

#endif
