/* vocab_int.h - internals shared by vocab.c, vocab_check.c and vocab_pii.c. */
#ifndef ILONET_VOCAB_INT_H
#define ILONET_VOCAB_INT_H

#include "vocab.h"

#define VOCAB__N(a) (sizeof(a) / sizeof((a)[0]))

/* A parsed vocabulary (vocab.h). Built by vocab_parse() and the table
 * loaders, read-only afterwards. */
struct vocab {
    char *v_text;  /* copy of the vocabulary file; tokens end in NUL */
    char *v_ctext; /* the same for the country table */
    char *v_mtext; /* and for the member table */
    const char *v_regime;
    const char *v_title;
    const char *v_status;
    unsigned v_version;
    size_t v_nsources;
    const char *v_sources[VOCAB_MAX_SOURCES];
    struct vocab_report v_report;
    struct vocab_privacy v_privacy;
    size_t v_nkinds;
    struct vocab_kind v_kinds[VOCAB_MAX_KINDS];
    const char *v_aud[VOCAB_MAX_KINDS][VOCAB_MAX_AUDIENCES];
    struct vocab_rule v_rules[VOCAB_MAX_KINDS][VOCAB_MAX_RULES];
    size_t v_nfields;
    struct vocab_field v_fields[VOCAB_MAX_ALL_FIELDS];
    size_t v_nsets;
    struct vocab_set v_sets[VOCAB_MAX_SETS];
    size_t v_nvalues;
    struct vocab_value v_values[VOCAB_MAX_ALL_VALUES];
    size_t v_ncountries;
    struct vocab_country *v_countries;    /* sorted by alpha-2 */
    const struct vocab_country **v_by_a3; /* sorted by alpha-3 */
    size_t v_nmembers;
    struct vocab_member *v_members;
};

/* Writes the formatted reason into why (when why and whylen) and returns
 * rc: every vocab_ error goes through it. */
int vocab__fail(char *why, size_t wl, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The item of field f among items[0..n) (by name), or NULL. */
const struct vocab_item *vocab__item(const struct vocab_item *items, size_t n,
                                     const struct vocab_field *f);

#endif
