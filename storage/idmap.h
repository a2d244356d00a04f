/* idmap.h - in-memory multimap from an entry id's 64-bit prefix to its
 * position, for the id index entries of an open transaction. */
#ifndef ILONET_IDMAP_H
#define ILONET_IDMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The store keeps the id index (table ids: id prefix -> entry position k)
 * out of the per-entry path while a transaction is open: new pairs wait
 * here and reach the table in key order just before COMMIT
 * (storage/store.c). Sorted insertion touches each index page once per
 * transaction instead of once per entry, and keeps random index pages
 * from fighting the entries' pages for the page cache.
 *
 * Pairs keep insertion order, so a savepoint rollback is a truncation to
 * the length the savepoint saw. Several pairs may share a key (prefixes
 * can collide; callers compare full ids).
 *
 * Not thread-safe: owned by one store handle, used on its thread. All
 * functions return 0 or ILONET_ENOMEM; none keeps a pointer it is given.
 */
struct idmap_pair {
    int64_t ip_key; /* id key (log_id_key) */
    int64_t ip_k;   /* entry position: lid << 32 | seq */
};

struct idmap {
    struct idmap_pair *im_pairs; /* insertion order */
    size_t im_n, im_cap;
    uint32_t *im_slots; /* open addressing: index + 1 into im_pairs, 0 free */
    size_t im_nslots;   /* power of two, at least 2 * im_n */
    uint64_t im_seed;   /* secret: slot = hash(key ^ seed) */
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
int idmap_add(struct idmap *m, int64_t key, int64_t k);
/* Positions stored under key, up to max of them into ks; returns how many
 * there are in all (may exceed max). */
size_t idmap_find(const struct idmap *m, int64_t key, int64_t *ks, size_t max);
/* Keeps the first n pairs (n <= im_n). Returns 0 always: the slots keep
 * their size, so nothing is allocated (a rollback relies on it). */
int idmap_truncate(struct idmap *m, size_t n);
/* Sorts the pairs by (key, k) for reading im_pairs[0..im_n) in order.
 * Lookups still work; insertion order (for truncation) is gone, so only
 * sort when no savepoint is open. */
int idmap_sort(struct idmap *m);
/* Empties the map (keeps its memory up to a bound). */
void idmap_clear(struct idmap *m);

#endif
