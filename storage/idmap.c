/* idmap.c - in-memory multimap for the pending id index (idmap.h). */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"

#define IDMAP__KEEP 65536 /* pairs kept allocated across transactions */

void
idmap_init(struct idmap *m)
{
    memset(m, 0, sizeof(*m));
    /* Keys are prefixes of hashes a peer chose: a secret seed keeps
     * anyone from grinding ids into one probe run. sodium_init() is
     * idempotent and thread-safe. */
    if (sodium_init() >= 0)
        randombytes_buf(&m->im_seed, sizeof(m->im_seed));
}

void
idmap_free(struct idmap *m)
{
    free(m->im_pairs);
    free(m->im_slots);
    m->im_pairs = NULL;
    m->im_slots = NULL;
    m->im_n = m->im_cap = m->im_nslots = 0;
}

/* Fibonacci hashing of the seeded key: the top bits pick the slot. */
static size_t
idmap__slot0(const struct idmap *m, int64_t key)
{
    uint64_t h = ((uint64_t)key ^ m->im_seed) * 0x9e3779b97f4a7c15ULL;
    int bits = __builtin_ctzll((unsigned long long)m->im_nslots);

    return (size_t)(h >> (64 - bits));
}

static void
idmap__place(struct idmap *m, size_t i)
{
    size_t j = idmap__slot0(m, m->im_pairs[i].ip_key);

    while (m->im_slots[j])
        j = (j + 1) & (m->im_nslots - 1);
    m->im_slots[j] = (uint32_t)(i + 1);
}

/* Rebuilds the slots for the current pairs, at least `want` slots. */
static int
idmap__rehash(struct idmap *m, size_t want)
{
    size_t ns = 64;

    while (ns < want)
        ns *= 2;
    if (ns != m->im_nslots) {
        uint32_t *sl = calloc(ns, sizeof(*sl));
        if (!sl)
            return ILONET_ENOMEM;
        free(m->im_slots);
        m->im_slots = sl;
        m->im_nslots = ns;
    } else {
        memset(m->im_slots, 0, ns * sizeof(*m->im_slots));
    }
    for (size_t i = 0; i < m->im_n; i++)
        idmap__place(m, i);
    return 0;
}

int
idmap_add(struct idmap *m, int64_t key, int64_t k)
{
    if (m->im_n >= UINT32_MAX - 1)
        return ILONET_ENOMEM;
    if (m->im_n == m->im_cap) {
        size_t cap = m->im_cap ? m->im_cap * 2 : 1024;
        struct idmap_pair *p = realloc(m->im_pairs, cap * sizeof(*p));
        if (!p)
            return ILONET_ENOMEM;
        m->im_pairs = p;
        m->im_cap = cap;
    }
    /* load factor at most one half keeps probe runs short */
    if (2 * (m->im_n + 1) > m->im_nslots) {
        int rc = idmap__rehash(m, 4 * (m->im_n + 1));
        if (rc != 0)
            return rc;
    }
    m->im_pairs[m->im_n].ip_key = key;
    m->im_pairs[m->im_n].ip_k = k;
    idmap__place(m, m->im_n);
    m->im_n++;
    return 0;
}

size_t
idmap_find(const struct idmap *m, int64_t key, int64_t *ks, size_t max)
{
    size_t found = 0;

    if (!m->im_n || !m->im_nslots)
        return 0;
    for (size_t j = idmap__slot0(m, key); m->im_slots[j];
         j = (j + 1) & (m->im_nslots - 1)) {
        const struct idmap_pair *p = &m->im_pairs[m->im_slots[j] - 1];
        if (p->ip_key == key) {
            if (found < max)
                ks[found] = p->ip_k;
            found++;
        }
    }
    return found;
}

int
idmap_truncate(struct idmap *m, size_t n)
{
    if (n >= m->im_n)
        return 0;
    m->im_n = n;
    /* Rare (a refused batch): rebuilding beats tombstones. The same
     * size: no allocation, so it cannot fail (idmap.h). */
    return m->im_nslots ? idmap__rehash(m, m->im_nslots) : 0;
}

static int
idmap__cmp(const void *a, const void *b)
{
    const struct idmap_pair *x = a, *y = b;

    if (x->ip_key != y->ip_key)
        return x->ip_key < y->ip_key ? -1 : 1;
    return x->ip_k < y->ip_k ? -1 : x->ip_k > y->ip_k;
}

/* Below this many pairs, qsort() in place: a few comparisons, and no
 * buffer to allocate. */
#define IDMAP__RADIX_MIN 256

/*
 * Sorts a[0..n) by (ip_key, ip_k) through buf (n pairs): a stable LSD radix
 * sort of each key's distance from the smallest, a byte a pass, as many
 * passes as the span of the keys has bytes (four for the store's 4-byte
 * keys, log_id_key()); then each run of equal keys (rare: keys are hash
 * prefixes) by k. A commit of a bulk sync sorts some 60,000 pairs, and
 * qsort()'s comparisons through a function pointer were 1.7 % of the
 * receiver's time.
 */
static void
idmap__radix(struct idmap_pair *a, struct idmap_pair *buf, size_t n)
{
    struct idmap_pair *src = a, *dst = buf, *t;
    int64_t min = a[0].ip_key, max = min;
    uint64_t lo, span;

    for (size_t i = 1; i < n; i++) {
        if (a[i].ip_key < min)
            min = a[i].ip_key;
        if (a[i].ip_key > max)
            max = a[i].ip_key;
    }
    /* unsigned: the distance is exact even across the whole int64 range */
    lo = (uint64_t)min;
    span = (uint64_t)max - lo;
    for (int shift = 0; shift < 64 && span >> shift; shift += 8) {
        size_t count[256] = {0}, at = 0;

        for (size_t i = 0; i < n; i++)
            count[(((uint64_t)src[i].ip_key - lo) >> shift) & 0xff]++;
        for (size_t d = 0; d < 256; d++) {
            size_t c = count[d];

            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(((uint64_t)src[i].ip_key - lo) >> shift) & 0xff]++] =
                src[i];
        t = src, src = dst, dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && a[j].ip_key == a[i].ip_key; j++)
            ;
        if (j - i > 1)
            qsort(a + i, j - i, sizeof(*a), idmap__cmp);
    }
}

int
idmap_sort(struct idmap *m)
{
    struct idmap_pair *buf;

    if (m->im_n < 2)
        return 0;
    if (m->im_n < IDMAP__RADIX_MIN || !(buf = malloc(m->im_n * sizeof(*buf)))) {
        /* no buffer: the slower sort in place, which cannot fail */
        qsort(m->im_pairs, m->im_n, sizeof(*m->im_pairs), idmap__cmp);
    } else {
        idmap__radix(m->im_pairs, buf, m->im_n);
        free(buf);
    }
    return idmap__rehash(m, m->im_nslots); /* same size: cannot fail */
}

void
idmap_clear(struct idmap *m)
{
    m->im_n = 0;
    if (m->im_cap > IDMAP__KEEP) {
        idmap_free(m);
        return;
    }
    if (m->im_slots)
        memset(m->im_slots, 0, m->im_nslots * sizeof(*m->im_slots));
}
