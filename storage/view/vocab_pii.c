/* vocab_pii.c - text that looks like personal data, and the marking rule. */
#include "vocab_int.h"

#include <string.h>

#include "crypto/error.h"

static int
vocab__alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int
vocab__digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
vocab__alnum(unsigned char c)
{
    return vocab__alpha(c) || vocab__digit(c);
}

static unsigned char
vocab__lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Length of keyword kw (lower case) at s[i..n) when it starts a word and
 * ends one; 0 otherwise. ASCII letters compare case-insensitively. */
static size_t
vocab__kw_at(const char *s, size_t n, size_t i, const char *kw)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k;

    if (i >= n || vocab__lower(u[i]) != (unsigned char)kw[0])
        return 0;
    k = strlen(kw);
    if (i + k > n || (i > 0 && vocab__alnum(u[i - 1])))
        return 0;
    for (size_t j = 0; j < k; j++)
        if (vocab__lower(u[i + j]) != (unsigned char)kw[j])
            return 0;
    if (i + k < n && vocab__alpha(u[i + k]) && vocab__alpha(u[i + k - 1]))
        return 0;
    return k;
}

/* Decimal number of exactly the digits at s[i..), at most 4 of them;
 * *len gets their count (0: none). */
static int
vocab__num(const char *s, size_t n, size_t i, size_t *len)
{
    int v = 0;
    size_t k = 0;

    while (i + k < n && vocab__digit((unsigned char)s[i + k]) && k < 5) {
        v = v * 10 + (s[i + k] - '0');
        k++;
    }
    *len = k;
    return v;
}

static const char *const vocab__months[] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

/* Length of an English month name or its three-letter abbreviation (with
 * an optional '.') at s[i..), or 0. */
static size_t
vocab__month_at(const char *s, size_t n, size_t i)
{
    for (size_t m = 0; m < VOCAB__N(vocab__months); m++) {
        size_t k = vocab__kw_at(s, n, i, vocab__months[m]);
        char ab[4];

        if (k)
            return k;
        memcpy(ab, vocab__months[m], 3);
        ab[3] = '\0';
        if ((k = vocab__kw_at(s, n, i, ab)) != 0)
            return k + (i + k < n && s[i + k] == '.');
    }
    return 0;
}

/*
 * Length of a full calendar date starting at s[i] (a digit or a letter
 * starting a month name) and ending before a non-digit, or 0:
 *   YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD            (year 1900-2099)
 *   D-M-YYYY, D/M/YYYY, D.M.YYYY, and with YY      (day and month 1-31,
 *                                                    one of them <= 12)
 *   D MONTH YYYY, MONTH D YYYY, MONTH D, YYYY      (English names)
 */
static size_t
vocab__date_at(const char *s, size_t n, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t l1, l2, l3, j;
    int a, b, c;

    if (i > 0 && vocab__digit(u[i - 1]))
        return 0;
    if (vocab__digit(u[i])) {
        a = vocab__num(s, n, i, &l1);
        j = i + l1;
        if (j < n && (u[j] == '-' || u[j] == '/' || u[j] == '.')) {
            char sep = (char)u[j];

            b = vocab__num(s, n, j + 1, &l2);
            if (l2 < 1 || l2 > 2 || j + 1 + l2 >= n ||
                u[j + 1 + l2] != (unsigned char)sep)
                return 0;
            c = vocab__num(s, n, j + 2 + l2, &l3);
            if (l1 == 4 && l3 >= 1 && l3 <= 2 && a >= 1900 && a <= 2099 &&
                b >= 1 && b <= 12 && c >= 1 && c <= 31)
                return l1 + l2 + l3 + 2;
            if (l1 >= 1 && l1 <= 2 &&
                (l3 == 2 || (l3 == 4 && c >= 1900 && c <= 2099)) && a >= 1 &&
                a <= 31 && b >= 1 && b <= 31 && (a <= 12 || b <= 12))
                return l1 + l2 + l3 + 2;
            return 0;
        }
        /* D MONTH YYYY */
        if (l1 >= 1 && l1 <= 2 && a >= 1 && a <= 31 && j < n && u[j] == ' ') {
            size_t m = vocab__month_at(s, n, j + 1);

            if (m && j + 1 + m < n && u[j + 1 + m] == ' ') {
                c = vocab__num(s, n, j + 2 + m, &l3);
                if (l3 == 4 && c >= 1900 && c <= 2099)
                    return l1 + m + l3 + 2;
            }
        }
        return 0;
    }
    /* MONTH D YYYY, MONTH D, YYYY */
    if ((l1 = vocab__month_at(s, n, i)) != 0 && i + l1 < n &&
        u[i + l1] == ' ') {
        j = i + l1 + 1;
        a = vocab__num(s, n, j, &l2);
        if (l2 < 1 || l2 > 2 || a < 1 || a > 31)
            return 0;
        j += l2;
        if (j < n && u[j] == ',')
            j++;
        if (j >= n || u[j] != ' ')
            return 0;
        c = vocab__num(s, n, j + 1, &l3);
        if (l3 == 4 && c >= 1900 && c <= 2099)
            return j + 1 + l3 - i;
    }
    return 0;
}

/* Words after which a date is a date of birth (lower case; UTF-8 as is). */
static const char *const vocab__dob_kw[] = {"born",
                                            "date of birth",
                                            "birth date",
                                            "birthdate",
                                            "dob",
                                            "d.o.b",
                                            "geb",
                                            "geboren",
                                            "geburtsdatum",
                                            "n\xc3\xa9",
                                            "n\xc3\xa9"
                                            "e",
                                            "date de naissance",
                                            "fecha de nacimiento",
                                            "nacido",
                                            "nacida",
                                            "data di nascita"};
/* Words after which a number is a passport or document number. */
static const char *const vocab__doc_kw[] = {
    "passport",        "passeport",   "pasaporte",     "passaporto",
    "reisepass",       "passnummer",  "pass-nr",       "document no",
    "document number", "doc no",      "doc. no",       "id no",
    "id number",       "id card",     "identity card", "identity document",
    "travel document", "national id", "ausweis",       "personalausweis"};
/* Markers that may stand between such a word and the number. */
static const char *const vocab__num_kw[] = {"no",  "nr",        "number",
                                            "num", "n\xc2\xb0", "n\xc2\xba"};

#define VOCAB__DOB_WINDOW 40 /* bytes after the keyword */
#define VOCAB__DOC_GAP 20

/* 1 if a keyword may start at s[i]: an ASCII letter starting a word.
 * Checked first, it keeps the scan near one pass over the text. */
static int
vocab__word_start(const char *s, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;

    return ((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z')) &&
           (i == 0 || !vocab__alnum(u[i - 1]));
}

static int
vocab__find_dob(const char *s, size_t n, struct vocab_pii *hit)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0;
             vocab__word_start(s, i) && k < VOCAB__N(vocab__dob_kw); k++) {
            size_t kl = vocab__kw_at(s, n, i, vocab__dob_kw[k]);

            if (!kl)
                continue;
            for (size_t j = i + kl; j < n && j <= i + kl + VOCAB__DOB_WINDOW;
                 j++) {
                size_t dl = vocab__date_at(s, n, j);

                if (dl &&
                    (j + dl == n || !vocab__digit((unsigned char)s[j + dl]))) {
                    hit->vh_kind = VOCAB_PII_DOB;
                    hit->vh_off = i;
                    hit->vh_len = j + dl - i;
                    return 1;
                }
            }
        }
    return 0;
}

static int
vocab__find_docnum(const char *s, size_t n, struct vocab_pii *hit)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < n; i++)
        for (size_t k = 0;
             vocab__word_start(s, i) && k < VOCAB__N(vocab__doc_kw); k++) {
            size_t kl = vocab__kw_at(s, n, i, vocab__doc_kw[k]);
            size_t j = i + kl, t = 0, digits = 0, letters = 0;
            int marker = 0;

            if (!kl)
                continue;
            /* separators and number markers, at most VOCAB__DOC_GAP bytes */
            while (j < n && j - (i + kl) <= VOCAB__DOC_GAP) {
                size_t ml = 0;

                if (u[j] && strchr(" \t:.,-(", u[j])) {
                    j++;
                    continue;
                }
                for (size_t m = 0; !ml && m < VOCAB__N(vocab__num_kw); m++)
                    ml = vocab__kw_at(s, n, j, vocab__num_kw[m]);
                if (!ml && u[j] == '#')
                    ml = 1;
                if (!ml)
                    break;
                marker = 1;
                j += ml;
            }
            while (j + t < n && vocab__alnum(u[j + t]) && u[j + t] < 0x80) {
                digits += vocab__digit(u[j + t]);
                letters += !vocab__digit(u[j + t]);
                t++;
            }
            if (j + t < n && u[j + t] >= 0x80)
                continue; /* runs into a non-ASCII word */
            if (t >= 6 && t <= 12 && digits >= 4 &&
                (letters || marker || digits >= 7)) {
                hit->vh_kind = VOCAB_PII_DOCNUM;
                hit->vh_off = i;
                hit->vh_len = j + t - i;
                return 1;
            }
        }
    return 0;
}

/* A machine-readable zone line: 30 or more of A-Z 0-9 '<' with "<<". */
static int
vocab__find_mrz(const char *s, size_t n, struct vocab_pii *hit)
{
    size_t run = 0, start = 0;
    int fill = 0;

    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : 0;

        if ((c >= 'A' && c <= 'Z') || vocab__digit(c) || c == '<') {
            if (run == 0) {
                start = i;
                fill = 0;
            }
            if (c == '<' && run > 0 && s[i - 1] == '<')
                fill = 1;
            run++;
            continue;
        }
        if (run >= 30 && fill) {
            hit->vh_kind = VOCAB_PII_MRZ;
            hit->vh_off = start;
            hit->vh_len = run;
            return 1;
        }
        run = 0;
    }
    return 0;
}

int
vocab_pii_find(const struct vocab *v, const char *s, size_t n,
               struct vocab_pii *hit)
{
    struct vocab_pii h[3];
    int found[3] = {0, 0, 0}, best = -1;
    unsigned det = v ? v->v_privacy.vy_detect : 0;

    if (!s || !hit)
        return 0;
    if (det & VOCAB_PII_DOB)
        found[0] = vocab__find_dob(s, n, &h[0]);
    if (det & VOCAB_PII_DOCNUM)
        found[1] = vocab__find_docnum(s, n, &h[1]);
    if (det & VOCAB_PII_MRZ)
        found[2] = vocab__find_mrz(s, n, &h[2]);
    for (int i = 0; i < 3; i++)
        if (found[i] && (best < 0 || h[i].vh_off < h[best].vh_off))
            best = i;
    if (best < 0)
        return 0;
    *hit = h[best];
    return 1;
}

int
vocab_check_personal(const struct vocab *v, const struct vocab_kind *k,
                     const struct vocab_item *items, size_t n, char *why,
                     size_t wl)
{
    const struct vocab_field *purpose = vocab_field(k, "purpose");
    const struct vocab_field *until = vocab_field(k, "retain-until");

    if (!v || !k || (n && !items))
        return ILONET_EINVAL;
    if (purpose && until && vocab__item(items, n, purpose) &&
        vocab__item(items, n, until))
        return 0; /* marked: the retention date is checked on its own */
    for (size_t i = 0; i < n; i++) {
        const struct vocab_field *f = vocab_field(k, items[i].vi_name);
        const char *t = items[i].vi_text;
        struct vocab_pii hit;
        const char *what;

        if (!f || !t || (f->vf_type != VT_STR && f->vf_type != VT_LIST))
            continue;
        if (!vocab_pii_find(v, t, strlen(t), &hit))
            continue;
        what = hit.vh_kind == VOCAB_PII_DOB      ? "a date of birth"
               : hit.vh_kind == VOCAB_PII_DOCNUM ? "a passport or document "
                                                   "number"
                                                 : "a machine-readable zone";
        if (!purpose || !until)
            return vocab__fail(why, wl, ILONET_EINVAL,
                               "field '%s': looks like personal data (%s at "
                               "byte %zu); a %s cannot hold personal data: "
                               "leave it out",
                               f->vf_name, what, hit.vh_off, k->vk_name);
        return vocab__fail(why, wl, ILONET_EINVAL,
                           "field '%s': looks like personal data (%s at byte "
                           "%zu); mark the record with --personal-data "
                           "--purpose TEXT --retain-until YYYY-MM-DD, or "
                           "leave it out",
                           f->vf_name, what, hit.vh_off);
    }
    return 0;
}
