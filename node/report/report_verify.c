/* report_verify.c - reading a received report file: its body, its hash and the
 * verification block of its final annex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "report_int.h"

/*
 * A report file is its body followed by its annexes (report_md.c,
 * report_html.c, report_json.c). The body is what every member computes
 * alike and what attestations vouch for; it is found again here by the
 * markers that set the annexes apart, which no text of the body can
 * produce:
 *   md:   body "\n" REPORT__ANNEX_MARK annexes
 *   html: body REPORT__ANNEX_MARK annexes REPORT__ANNEX_END tail
 *         (the body hash covers body + tail)
 *   json: body ,"annex_ms":... ,"final_annex":{...} }\n
 *         (the body hash covers body + "}\n")
 * The verification block is the same text in every format: in an HTML
 * comment "<!-- ilonet:verify" ... "-->" (md, html), or the string
 * "verify" of the final annex (json).
 */

#define REPORT__MAX_ATTEST 256

static int
report__ferr(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s", what);
    return ILONET_EMALFORMED;
}

/* The first occurrence of needle in hay[0..n), or NULL. */
static const char *
report__find(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* Hashes a body made of two pieces. */
static void
report__body_hash(const char *a, size_t an, const char *b, size_t bn,
                  uint8_t out[static HASH_LEN])
{
    struct hash_state h;

    hash_init(&h, REPORT_CTX_BODY);
    hash_update(&h, a, an);
    hash_update(&h, b, bn);
    hash_final(&h, out);
}

/* Hex of any length into a malloc'd buffer. */
static int
report__unhex(const char *s, size_t n, uint8_t **out, size_t *len)
{
    uint8_t *p;

    if (n % 2 || n == 0 || n > 2 * 65536)
        return ILONET_EMALFORMED;
    if (!(p = malloc(n / 2)))
        return ILONET_ENOMEM;
    for (size_t i = 0; i < n; i += 64) {
        size_t k = n - i < 64 ? n - i : 64;
        char chunk[65];
        memcpy(chunk, s + i, k);
        chunk[k] = '\0';
        if (hash_unhex(chunk, p + i / 2, k / 2) != 0) {
            free(p);
            return ILONET_EMALFORMED;
        }
    }
    *out = p;
    *len = n / 2;
    return 0;
}

/* One line of the block into f. */
static int
report__block_line(struct report_file *f, char *line, char *err, size_t errlen)
{
    char *w[6], *save = NULL;
    size_t nw = 0;
    int rc;

    for (char *t = strtok_r(line, " ", &save); t && nw < 6;
         t = strtok_r(NULL, " ", &save))
        w[nw++] = t;
    if (!nw)
        return 0;
    if (strcmp(w[0], "regime") == 0 && nw == 2) {
        snprintf(f->rf_regime, sizeof(f->rf_regime), "%s", w[1]);
    } else if (strcmp(w[0], "network") == 0 && nw == 2) {
        if (hash_unhex(w[1], f->rf_network, sizeof(f->rf_network)) != 0)
            return report__ferr(err, errlen,
                                "verification block: bad "
                                "network id");
    } else if (strcmp(w[0], "period") == 0 && nw == 2) {
        snprintf(f->rf_period, sizeof(f->rf_period), "%s", w[1]);
    } else if (strcmp(w[0], "body") == 0 && nw == 3) {
        enum report_format fm;
        if (report_format_parse(w[1], &fm) != 0 ||
            hash_unhex(w[2], f->rf_dg.rd_body[fm - 1], HASH_LEN) != 0)
            return report__ferr(err, errlen,
                                "verification block: bad body "
                                "hash line");
    } else if (strcmp(w[0], "report") == 0 && nw == 2) {
        if (hash_unhex(w[1], f->rf_dg.rd_report, HASH_LEN) != 0)
            return report__ferr(err, errlen,
                                "verification block: bad "
                                "report hash");
    } else if (strcmp(w[0], "attest") == 0 && nw == 5) {
        struct report_file_attest *a;
        if (f->rf_nattest == REPORT__MAX_ATTEST)
            return report__ferr(err, errlen,
                                "verification block: too many "
                                "attestations");
        a = &f->rf_attest[f->rf_nattest];
        memset(a, 0, sizeof(*a));
        if ((rc = report__unhex(w[1], strlen(w[1]), &a->fa_cert,
                                &a->fa_cert_len)) != 0 ||
            (rc = report__unhex(w[2], strlen(w[2]), &a->fa_hdr,
                                &a->fa_hdr_len)) != 0 ||
            (rc = report__unhex(w[3], strlen(w[3]), &a->fa_sig,
                                &a->fa_sig_len)) != 0 ||
            (rc = report__unhex(w[4], strlen(w[4]), &a->fa_payload,
                                &a->fa_payload_len)) != 0) {
            free(a->fa_cert), free(a->fa_hdr), free(a->fa_sig);
            free(a->fa_payload);
            memset(a, 0, sizeof(*a));
            return rc == ILONET_ENOMEM ? rc
                                       : report__ferr(err, errlen,
                                                      "verification block: bad "
                                                      "attest line");
        }
        f->rf_nattest++;
    }
    /* other words: a later version's lines, skipped */
    return 0;
}

/* Parses the block text (lines; "\n" separated) into f. */
static int
report__block(struct report_file *f, const char *text, size_t n, char *err,
              size_t errlen)
{
    char *buf = malloc(n + 1), *save = NULL;
    int rc = 0, first = 1;

    if (!buf)
        return ILONET_ENOMEM;
    memcpy(buf, text, n);
    buf[n] = '\0';
    f->rf_attest = calloc(REPORT__MAX_ATTEST, sizeof(*f->rf_attest));
    if (!f->rf_attest) {
        free(buf);
        return ILONET_ENOMEM;
    }
    for (char *l = strtok_r(buf, "\n", &save); l && rc == 0;
         l = strtok_r(NULL, "\n", &save)) {
        if (first) {
            first = 0;
            if (strcmp(l, REPORT__VERIFY_MAGIC) != 0)
                rc = report__ferr(
                    err, errlen,
                    "verification block: not '" REPORT__VERIFY_MAGIC "'");
            continue;
        }
        rc = report__block_line(f, l, err, errlen);
    }
    free(buf);
    if (rc == 0 && first)
        rc = report__ferr(err, errlen, "verification block: empty");
    if (rc == 0 && !f->rf_period[0])
        rc = report__ferr(err, errlen, "verification block: no period line");
    return rc;
}

/* The JSON string value after key (json escapes of the block: \n only, as
 * json_str writes them for these bytes) into a malloc'd buffer. */
static int
report__json_string(const char *doc, size_t len, const char *key, char **out,
                    size_t *n)
{
    const char *p = report__find(doc, len, key), *end = doc + len;
    char *buf;
    size_t k = 0;

    if (!p)
        return ILONET_ENOTFOUND;
    p += strlen(key);
    if (p >= end || *p != '"')
        return ILONET_EMALFORMED;
    if (!(buf = malloc((size_t)(end - p))))
        return ILONET_ENOMEM;
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end) {
            p++;
            buf[k++] = *p == 'n' ? '\n' : *p;
        } else {
            buf[k++] = *p;
        }
    }
    if (p >= end) {
        free(buf);
        return ILONET_EMALFORMED;
    }
    *out = buf;
    *n = k;
    return 0;
}

void
report_file_free(struct report_file *f)
{
    for (size_t i = 0; f && f->rf_attest && i < f->rf_nattest; i++) {
        free(f->rf_attest[i].fa_cert);
        free(f->rf_attest[i].fa_hdr);
        free(f->rf_attest[i].fa_sig);
        free(f->rf_attest[i].fa_payload);
    }
    if (f)
        free(f->rf_attest);
}

int
report_file_parse(const char *doc, size_t len, struct report_file *out,
                  char *err, size_t errlen)
{
    static const char vmark[] = "<!-- ilonet:verify\n";
    struct report_file f;
    const char *a, *e, *v, *ve;
    char *block = NULL;
    size_t bn = 0;
    int rc;

    if (!doc || !out)
        return ILONET_EINVAL;
    memset(&f, 0, sizeof(f));
    if (len >= 26 && memcmp(doc, "{\"format\":\"ilonet-report\"", 25) == 0) {
        f.rf_format = REPORT_JSON;
        a = report__find(doc, len, REPORT__JSON_ANNEX_MS);
        if (!a)
            a = report__find(doc, len, REPORT__JSON_ANNEX_FINAL);
        if (!a)
            return report__ferr(err, errlen,
                                "no final annex (not a report "
                                "written by ilonet report?)");
        report__body_hash(doc, (size_t)(a - doc), REPORT__JSON_TAIL,
                          strlen(REPORT__JSON_TAIL), f.rf_body);
        rc = report__json_string(a, len - (size_t)(a - doc),
                                 "\"verify\":", &block, &bn);
        if (rc == ILONET_ENOTFOUND)
            return report__ferr(err, errlen, "no verification block");
        if (rc != 0)
            return rc == ILONET_ENOMEM
                       ? rc
                       : report__ferr(err, errlen, "bad verification block");
    } else {
        int html = len >= 15 && memcmp(doc, "<!DOCTYPE html>", 15) == 0;
        f.rf_format = html ? REPORT_HTML : REPORT_MD;
        a = report__find(doc, len,
                         html ? REPORT__ANNEX_MARK : "\n" REPORT__ANNEX_MARK);
        if (!a)
            return report__ferr(err, errlen,
                                "no final annex (not a report "
                                "written by ilonet report?)");
        if (html) {
            e = report__find(a, len - (size_t)(a - doc), REPORT__ANNEX_END);
            if (!e)
                return report__ferr(err, errlen,
                                    "the final annex does not "
                                    "end");
            e += strlen(REPORT__ANNEX_END);
            report__body_hash(doc, (size_t)(a - doc), e,
                              len - (size_t)(e - doc), f.rf_body);
        } else {
            report__body_hash(doc, (size_t)(a - doc), "", 0, f.rf_body);
        }
        v = report__find(a, len - (size_t)(a - doc), vmark);
        if (!v)
            return report__ferr(err, errlen, "no verification block");
        v += strlen(vmark);
        ve = report__find(v, len - (size_t)(v - doc), "-->");
        if (!ve)
            return report__ferr(err, errlen,
                                "the verification block does "
                                "not end");
        bn = (size_t)(ve - v);
        if (!(block = malloc(bn ? bn : 1)))
            return ILONET_ENOMEM;
        memcpy(block, v, bn);
    }
    rc = report__block(&f, block, bn, err, errlen);
    free(block);
    if (rc != 0) {
        report_file_free(&f);
        return rc;
    }
    *out = f;
    return 0;
}
