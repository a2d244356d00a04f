/* fixture.h - shared unit-test fixtures: deterministic keys, and entry sets
 * collected from one store and ingested into another. */
#ifndef ILONET_TEST_FIXTURE_H
#define ILONET_TEST_FIXTURE_H

/*
 * The fx_ helpers that several tests/test_*.c files had each written for
 * themselves. Each fails the calling test (test.h) on an unexpected error
 * instead of returning it, except fx_ingest_range, whose result is what
 * tests assert on. Not thread-safe; one test at a time.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "storage/log.h"

/* The key pair whose 32-byte seed is b repeated; with state non-NULL, a
 * state root key of that state. The same b always gives the same key. */
void fx_key(struct key_pair *k, uint8_t b, const char *state);

/* One entry collected from a store: its header (e.e_payload points at p),
 * a copy of its payload (NULL when the store holds none) and its log. */
struct fx_ent {
    struct entry e;
    uint8_t *p;
    struct log_desc d;
};

/* A growable array of collected entries. Zero-initialise; fx_set_free. */
struct fx_set {
    struct fx_ent *v;
    size_t n, cap;
};

/* Appends every entry of every log s holds to set, log by log, each in seq
 * order. */
void fx_collect_store(struct store *s, struct fx_set *set);
/* Appends at most max entries of log d from seq from_seq on, in order. */
void fx_collect_log(struct store *s, const struct log_desc *d,
                    uint64_t from_seq, uint64_t max, struct fx_set *set);
/* Frees the entries and the array, and zeroes set. */
void fx_set_free(struct fx_set *set);

/* Ingests entries [from, from + n) of set, which must all be of one log,
 * into t as one batch at now_ms; st may be NULL. log_ingest's result. */
int fx_ingest_range(struct store *t, const struct fx_set *set, size_t from,
                    size_t n, uint64_t now_ms, struct ingest_stats *st);

/* The built-in vocabulary of regime (NULL: the seed's, 377-2004), loaded
 * once per test process and kept for its life (stores read it until they
 * close; still reachable at exit, so no leak is reported). */
struct vocab;
const struct vocab *fx_vocab(const char *regime);

/* Files for the tests: write n bytes of b to path (asserted); the whole
 * file at path, malloc'd and NUL-terminated, its size in *n (NULL when it
 * cannot be opened); the same as a string; 1 if the nn bytes of n stand
 * anywhere in the hn bytes of h. */
void fx_write_file(const char *path, const void *b, size_t n);
uint8_t *fx_read_file(const char *path, size_t *n);
char *fx_read_text(const char *path);
int fx_has_bytes(const uint8_t *h, size_t hn, const void *n, size_t nn);

#endif
