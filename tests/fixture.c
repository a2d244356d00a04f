/* fixture.c - shared unit-test fixtures: deterministic keys, entry sets,
 * files. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/view/vocab.h"
#include "test.h"

void
fx_key(struct key_pair *k, uint8_t b, const char *state)
{
    uint8_t seed[KEY_SEED_LEN];

    memset(seed, b, sizeof(seed));
    ASSERT_OK(key_from_seed(k, seed));
    if (state) {
        k->kind = KEY_STATE;
        snprintf(k->state, sizeof(k->state), "%s", state);
    }
}

struct fx__collect {
    struct fx_set *c_set;
    const struct log_desc *c_log;
};

static int
fx__collect_one(void *arg, const struct entry *e)
{
    struct fx__collect *c = arg;
    struct fx_set *s = c->c_set;
    struct fx_ent *x;

    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
        ASSERT(s->v);
    }
    x = &s->v[s->n++];
    x->e = *e;
    x->d = *c->c_log;
    x->p = NULL;
    if (e->e_payload) {
        x->p = malloc(e->e_payload_len ? e->e_payload_len : 1);
        ASSERT(x->p);
        memcpy(x->p, e->e_payload, e->e_payload_len);
    }
    x->e.e_payload = x->p;
    return 0;
}

void
fx_collect_log(struct store *s, const struct log_desc *d, uint64_t from_seq,
               uint64_t max, struct fx_set *set)
{
    struct fx__collect c = {set, d};

    ASSERT_OK(
        log_range(s, d->ld_id, from_seq, max, 1u << 30, fx__collect_one, &c));
}

void
fx_collect_store(struct store *s, struct fx_set *set)
{
    struct log_head *h = NULL;
    size_t n = 0;

    ASSERT_OK(log_heads(s, &h, &n));
    for (size_t j = 0; j < n; j++)
        fx_collect_log(s, &h[j].lh_log, 1, 1u << 30, set);
    free(h);
}

void
fx_set_free(struct fx_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->v[i].p);
    free(set->v);
    memset(set, 0, sizeof(*set));
}

int
fx_ingest_range(struct store *t, const struct fx_set *set, size_t from,
                size_t n, uint64_t now_ms, struct ingest_stats *st)
{
    struct log_batch b;
    struct entry *es = calloc(n ? n : 1, sizeof(*es));
    int rc;

    ASSERT(es);
    for (size_t i = 0; i < n; i++)
        es[i] = set->v[from + i].e;
    b.b_log = set->v[from].d;
    b.b_count = n;
    b.b_entries = es;
    rc = log_ingest(t, &b, now_ms, st);
    free(es);
    return rc;
}

const struct vocab *
fx_vocab(const char *regime)
{
    /* one per regime, kept: a test process is short-lived and every
     * store it opens reads it until closed */
    static struct vocab *seed, *current;
    struct vocab **slot;
    char why[200] = "";

    if (!regime)
        regime = "377-2004";
    slot = strcmp(regime, "2019-1240") == 0 ? &current : &seed;
    if (!*slot && vocab_builtin(regime, slot, why, sizeof(why)) != 0)
        TEST_FAIL_("vocab_builtin(%s): %s", regime, why);
    return *slot;
}

void
fx_write_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");

    ASSERT(f);
    ASSERT_EQ(fwrite(b, 1, n, f), n);
    ASSERT_EQ(fclose(f), 0);
}

uint8_t *
fx_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)len + 1);
    ASSERT(b);
    ASSERT_EQ(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return b;
}

char *
fx_read_text(const char *path)
{
    size_t n;

    return (char *)fx_read_file(path, &n);
}

int
fx_has_bytes(const uint8_t *h, size_t hn, const void *n, size_t nn)
{
    for (size_t i = 0; nn && i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0)
            return 1;
    return 0;
}
