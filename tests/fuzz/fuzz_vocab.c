/* fuzz_vocab.c - libFuzzer harness: vocabulary files, country and member
 * tables, and the value and personal-data checks, fed any bytes. A parse
 * either fails with a reason or yields a vocabulary every lookup and check
 * can walk; a personal-data match always lies inside the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/view/vocab.h"

static const char fuzz__minimal[] =
    "ilonet-vocab 1\nregime r\nversion 1\ntitle T\nreport period year\n"
    "report drafter chair\nreport template t\nreport audience net\n"
    "personal-data max-days 30\nset roles R\nvalue ilo I\n"
    "set audiences A\nvalue net N\nkind k 1 K\nfield f str F\n";

/* Every check of every field of v on text, and the whole-entry checks. */
static void
fuzz__walk(const struct vocab *v, const char *text)
{
    size_t nk;
    const struct vocab_kind *kinds = vocab_kinds(v, &nk);
    char why[256];

    for (size_t i = 0; i < nk; i++) {
        const struct vocab_kind *k = &kinds[i];
        struct vocab_item items[VOCAB_MAX_FIELDS];
        size_t n = 0;

        if (vocab_kind(v, k->vk_name) != k ||
            vocab_kind_by_code(v, k->vk_code) != k ||
            (k->vk_plural && vocab_kind_by_plural(v, k->vk_plural) != k))
            abort();
        for (size_t j = 0; j < k->vk_nfields; j++) {
            const struct vocab_field *f = &k->vk_fields[j];
            int rc = vocab_check_text(v, f, text, why, sizeof(why));

            if (rc != 0 && (rc != ILONET_EINVAL || !memchr(why, 0, 256)))
                abort();
            if (vocab_field(k, f->vf_name) != f)
                abort();
            items[n].vi_name = f->vf_name;
            items[n].vi_text = text;
            n++;
        }
        (void)vocab_check_fields(v, k, items, n, why, sizeof(why));
        (void)vocab_check_personal(v, k, items, n, why, sizeof(why));
        if (vocab_min_version(v, k, items, n) > vocab_version(v))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vocab *seed;
    struct vocab *v = NULL, *m = NULL;
    struct vocab_pii hit;
    char why[256], *text;

    if (!seed && vocab_builtin("2019-1240", &seed, why, sizeof(why)) != 0)
        abort();
    /* 1. the bytes as a vocabulary file */
    if (!(text = malloc(size + 1)))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (vocab_parse(data, size, &v, why, sizeof(why)) == 0) {
        fuzz__walk(v, "x");
        fuzz__walk(v, text);
        vocab_free(v);
    } else if (v != NULL) {
        abort();
    }
    /* 2. the bytes as country and member tables */
    if (vocab_parse((const uint8_t *)fuzz__minimal, strlen(fuzz__minimal), &m,
                    why, sizeof(why)) != 0)
        abort();
    if (vocab_add_countries(m, data, size, why, sizeof(why)) == 0) {
        size_t n;
        const struct vocab_country *c = vocab_countries(m, &n);

        for (size_t i = 0; i < n; i++)
            if (vocab_country(m, c[i].vc_a2, 2) != &c[i] ||
                vocab_country(m, c[i].vc_a3, 3) != &c[i])
                abort();
    }
    (void)vocab_add_members(m, data, size, why, sizeof(why));
    vocab_free(m);
    /* 3. the bytes as a value of the regime in force */
    if (vocab_pii_find(seed, (const char *)data, size, &hit) &&
        (hit.vh_off > size || hit.vh_len > size - hit.vh_off ||
         hit.vh_len == 0))
        abort();
    /* every kind's checks on a long text cost ~15 scans of it: long
     * inputs are for the parsers above, values are short */
    if (size <= 4096)
        fuzz__walk(seed, text);
    (void)vocab_check_retention(seed, "2026-01-01", text, why, sizeof(why));
    free(text);
    return 0;
}
