/* json.c - the one JSON codec: string/hex encoders and the flat-object parser.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "wire.h"

/* ---- encoders ------------------------------------------------------ */

void
json_strn(struct textbuf *b, const char *s, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    size_t run = 0;

    textbuf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t el = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            el = 2;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 2);
            el = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            el = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            el = 2;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hexd[c >> 4];
            esc[5] = hexd[c & 15];
            el = 6;
        }
        if (el) {
            textbuf_put(b, s + i - run, run);
            run = 0;
            textbuf_put(b, esc, el);
        } else {
            run++;
        }
    }
    textbuf_put(b, s + n - run, run);
    textbuf_put(b, "\"", 1);
}

void
json_str(struct textbuf *b, const char *s)
{
    if (!s)
        textbuf_puts(b, "null");
    else
        json_strn(b, s, strlen(s));
}

void
json_hex(struct textbuf *b, const uint8_t *p, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    char tmp[128];

    while (n) {
        size_t k = n > 64 ? 64 : n;
        for (size_t i = 0; i < k; i++) {
            tmp[2 * i] = hexd[p[i] >> 4];
            tmp[2 * i + 1] = hexd[p[i] & 15];
        }
        textbuf_put(b, tmp, 2 * k);
        p += k;
        n -= k;
    }
}

/* ---- JSON request bodies ------------------------------------------------- */

struct json__p {
    const uint8_t *j_start, *j_p, *j_end;
    struct textbuf j_arena; /* NUL-separated strings */
    char *j_why;
    size_t j_whylen;
    const char *j_form; /* what the text should be, NULL: a request body */
};

static int
json__p_fail(struct json__p *j, const char *what)
{
    snprintf(j->j_why, j->j_whylen, "%s at byte %zu: %s",
             j->j_form ? j->j_form
                       : "request body: not a JSON object of fields",
             (size_t)(j->j_p - j->j_start), what);
    return ILONET_EMALFORMED;
}

static void
json__p_ws(struct json__p *j)
{
    while (j->j_p < j->j_end && (*j->j_p == ' ' || *j->j_p == '\t' ||
                                 *j->j_p == '\n' || *j->j_p == '\r'))
        j->j_p++;
}

static int
json__p_hex4(struct json__p *j, unsigned *out)
{
    unsigned v = 0;

    if (j->j_end - j->j_p < 4)
        return json__p_fail(j, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        unsigned char c = j->j_p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return json__p_fail(j, "bad \\u escape");
    }
    j->j_p += 4;
    *out = v;
    return 0;
}

/* Appends a string (at j_p, on '"') to the arena, NUL-terminated; *off is
 * where it starts. Bytes were checked as UTF-8 beforehand. */
static int
json__p_string(struct json__p *j, size_t *off)
{
    *off = j->j_arena.tb_len;
    if (j->j_p >= j->j_end || *j->j_p != '"')
        return json__p_fail(j, "string expected");
    j->j_p++;
    for (;;) {
        unsigned char c;
        if (j->j_p >= j->j_end)
            return json__p_fail(j, "unterminated string");
        c = *j->j_p++;
        if (c == '"')
            break;
        if (c < 0x20)
            return json__p_fail(j, "control character in a string");
        if (c != '\\') {
            textbuf_put(&j->j_arena, &c, 1);
            continue;
        }
        if (j->j_p >= j->j_end)
            return json__p_fail(j, "unterminated string");
        c = *j->j_p++;
        switch (c) {
        case '"':
        case '\\':
        case '/': break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
            unsigned u, lo;
            uint8_t enc[4];
            size_t el;
            if (json__p_hex4(j, &u) != 0)
                return ILONET_EMALFORMED;
            if (u >= 0xdc00 && u <= 0xdfff)
                return json__p_fail(j, "lone low surrogate");
            if (u >= 0xd800 && u <= 0xdbff) {
                if (j->j_end - j->j_p < 6 || j->j_p[0] != '\\' ||
                    j->j_p[1] != 'u')
                    return json__p_fail(j, "lone high surrogate");
                j->j_p += 2;
                if (json__p_hex4(j, &lo) != 0)
                    return ILONET_EMALFORMED;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return json__p_fail(j, "bad surrogate pair");
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (u == 0)
                return json__p_fail(j, "\\u0000 in a string");
            if (u < 0x80) {
                enc[0] = (uint8_t)u;
                el = 1;
            } else if (u < 0x800) {
                enc[0] = (uint8_t)(0xc0 | (u >> 6));
                enc[1] = (uint8_t)(0x80 | (u & 0x3f));
                el = 2;
            } else if (u < 0x10000) {
                enc[0] = (uint8_t)(0xe0 | (u >> 12));
                enc[1] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
                enc[2] = (uint8_t)(0x80 | (u & 0x3f));
                el = 3;
            } else {
                enc[0] = (uint8_t)(0xf0 | (u >> 18));
                enc[1] = (uint8_t)(0x80 | ((u >> 12) & 0x3f));
                enc[2] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
                enc[3] = (uint8_t)(0x80 | (u & 0x3f));
                el = 4;
            }
            textbuf_put(&j->j_arena, enc, el);
            continue;
        }
        default: return json__p_fail(j, "bad escape");
        }
        textbuf_put(&j->j_arena, &c, 1);
    }
    textbuf_put(&j->j_arena, "", 1);
    return j->j_arena.tb_err ? ILONET_ENOMEM : 0;
}

/* A JSON number, copied as written (the field's type decides). */
static int
json__p_number(struct json__p *j, size_t *off)
{
    const uint8_t *s = j->j_p;
    int digits = 0;

    *off = j->j_arena.tb_len;
    if (j->j_p < j->j_end && *j->j_p == '-')
        j->j_p++;
    while (j->j_p < j->j_end && *j->j_p >= '0' && *j->j_p <= '9') {
        j->j_p++;
        digits++;
    }
    if (!digits)
        return json__p_fail(j, "value expected");
    if (j->j_p < j->j_end && *j->j_p == '.') {
        j->j_p++;
        while (j->j_p < j->j_end && *j->j_p >= '0' && *j->j_p <= '9')
            j->j_p++;
    }
    if (j->j_p < j->j_end && (*j->j_p == 'e' || *j->j_p == 'E')) {
        j->j_p++;
        if (j->j_p < j->j_end && (*j->j_p == '+' || *j->j_p == '-'))
            j->j_p++;
        while (j->j_p < j->j_end && *j->j_p >= '0' && *j->j_p <= '9')
            j->j_p++;
    }
    if (j->j_p - s > 40)
        return json__p_fail(j, "number too long");
    textbuf_put(&j->j_arena, s, (size_t)(j->j_p - s));
    textbuf_put(&j->j_arena, "", 1);
    return j->j_arena.tb_err ? ILONET_ENOMEM : 0;
}

static int
json__p_word(struct json__p *j, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(j->j_end - j->j_p) < n || memcmp(j->j_p, w, n) != 0)
        return 0;
    j->j_p += n;
    return 1;
}

/* The rule canonical msgpack applies to its strings (crypto/wire.c). */
int
json_utf8_ok(const uint8_t *p, size_t n)
{
    return wire_utf8_ok(p, n);
}

int
json_parse_flat(const uint8_t *body, size_t len, struct json_field *fields,
                size_t max, size_t *n, char **mem, char *why, size_t whylen)
{
    struct json__p j;
    size_t offs[JSON_FIELDS_MAX][2];
    int nulls[JSON_FIELDS_MAX];
    size_t k = 0;
    int rc = ILONET_EMALFORMED;

    memset(&j, 0, sizeof(j));
    j.j_start = j.j_p = body;
    j.j_end = body + len;
    j.j_why = why;
    j.j_whylen = whylen;
    *n = 0;
    *mem = NULL;
    if (max > JSON_FIELDS_MAX)
        max = JSON_FIELDS_MAX;
    if (!json_utf8_ok(body, len)) {
        snprintf(why, whylen, "request body: not valid UTF-8");
        return ILONET_EMALFORMED;
    }
    json__p_ws(&j);
    if (j.j_p >= j.j_end || *j.j_p != '{') {
        rc = json__p_fail(&j, "'{' expected");
        goto out;
    }
    j.j_p++;
    json__p_ws(&j);
    if (j.j_p < j.j_end && *j.j_p == '}') {
        j.j_p++;
        goto done;
    }
    for (;;) {
        size_t name_off, val_off;
        const char *name;
        json__p_ws(&j);
        if ((rc = json__p_string(&j, &name_off)) != 0)
            goto out;
        name = j.j_arena.tb_data + name_off;
        if (k == max) {
            snprintf(why, whylen, "request body: more than %zu fields", max);
            rc = ILONET_ETOOBIG;
            goto out;
        }
        for (size_t i = 0; i < k; i++)
            if (strcmp(j.j_arena.tb_data + offs[i][0], name) == 0) {
                snprintf(why, whylen, "field '%.60s': given twice", name);
                rc = ILONET_EINVAL;
                goto out;
            }
        json__p_ws(&j);
        if (j.j_p >= j.j_end || *j.j_p != ':') {
            rc = json__p_fail(&j, "':' expected");
            goto out;
        }
        j.j_p++;
        json__p_ws(&j);
        nulls[k] = 0;
        if (j.j_p >= j.j_end) {
            rc = json__p_fail(&j, "value expected");
            goto out;
        }
        if (*j.j_p == '"') {
            rc = json__p_string(&j, &val_off);
        } else if (*j.j_p == '[') {
            /* an array of strings or numbers: the CLI's comma list */
            int items = 0;
            val_off = j.j_arena.tb_len;
            j.j_p++;
            json__p_ws(&j);
            if (j.j_p < j.j_end && *j.j_p == ']') {
                j.j_p++;
                textbuf_put(&j.j_arena, "", 1);
                rc = 0;
            } else {
                for (;;) {
                    size_t io;
                    char *item;
                    json__p_ws(&j);
                    if (items++)
                        textbuf_put(&j.j_arena, ",", 1);
                    if (j.j_p < j.j_end && *j.j_p == '"')
                        rc = json__p_string(&j, &io);
                    else
                        rc = json__p_number(&j, &io);
                    if (rc != 0)
                        goto out;
                    /* strings were appended NUL-terminated: join with ',' */
                    item = j.j_arena.tb_data + io;
                    if (strchr(item, ',')) {
                        snprintf(why, whylen,
                                 "field '%.60s': a list item contains ','",
                                 j.j_arena.tb_data + name_off);
                        rc = ILONET_EINVAL;
                        goto out;
                    }
                    /* drop the NUL: the next item continues the text */
                    j.j_arena.tb_len--;
                    json__p_ws(&j);
                    if (j.j_p < j.j_end && *j.j_p == ',') {
                        j.j_p++;
                        continue;
                    }
                    if (j.j_p < j.j_end && *j.j_p == ']') {
                        j.j_p++;
                        break;
                    }
                    rc = json__p_fail(&j, "',' or ']' expected");
                    goto out;
                }
                textbuf_put(&j.j_arena, "", 1);
            }
        } else if (json__p_word(&j, "null")) {
            val_off = j.j_arena.tb_len;
            textbuf_put(&j.j_arena, "", 1);
            nulls[k] = 1;
            rc = 0;
        } else if (*j.j_p == 't' || *j.j_p == 'f' || *j.j_p == '{') {
            snprintf(why, whylen,
                     "field '%.60s': give a string, a number or a list of "
                     "strings",
                     j.j_arena.tb_data + name_off);
            rc = ILONET_EINVAL;
            goto out;
        } else {
            rc = json__p_number(&j, &val_off);
        }
        if (rc != 0)
            goto out;
        offs[k][0] = name_off;
        offs[k][1] = val_off;
        k++;
        json__p_ws(&j);
        if (j.j_p < j.j_end && *j.j_p == ',') {
            j.j_p++;
            continue;
        }
        if (j.j_p < j.j_end && *j.j_p == '}') {
            j.j_p++;
            break;
        }
        rc = json__p_fail(&j, "',' or '}' expected");
        goto out;
    }
done:
    json__p_ws(&j);
    if (j.j_p != j.j_end) {
        rc = json__p_fail(&j, "trailing bytes after the object");
        goto out;
    }
    if (j.j_arena.tb_err) {
        rc = ILONET_ENOMEM;
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    if (!j.j_arena.tb_data)
        textbuf_put(&j.j_arena, "", 1);
    for (size_t i = 0; i < k; i++) {
        fields[i].jf_name = j.j_arena.tb_data + offs[i][0];
        fields[i].jf_value = j.j_arena.tb_data + offs[i][1];
        fields[i].jf_null = nulls[i];
    }
    *n = k;
    *mem = j.j_arena.tb_data;
    return 0;
out:
    textbuf_free(&j.j_arena);
    return rc;
}

/* ---- arrays of flat objects (status files) ------------------------------- */

/* One object of json_parse_rows at j_p ('{'), its fields into the arena
 * (emptied first) and offs; *k: the count. */
static int
json__row(struct json__p *j, size_t offs[][2], int *nulls, size_t *k)
{
    *k = 0;
    j->j_arena.tb_len = 0;
    if (j->j_p >= j->j_end || *j->j_p != '{')
        return json__p_fail(j, "'{' expected");
    j->j_p++;
    json__p_ws(j);
    if (j->j_p < j->j_end && *j->j_p == '}') {
        j->j_p++;
        return 0;
    }
    for (;;) {
        size_t name_off, val_off;
        int rc;

        json__p_ws(j);
        if ((rc = json__p_string(j, &name_off)) != 0)
            return rc;
        if (*k == JSON_FIELDS_MAX) {
            snprintf(j->j_why, j->j_whylen, "%s: more than %d fields",
                     j->j_form, JSON_FIELDS_MAX);
            return ILONET_ETOOBIG;
        }
        for (size_t i = 0; i < *k; i++)
            if (strcmp(j->j_arena.tb_data + offs[i][0],
                       j->j_arena.tb_data + name_off) == 0)
                return json__p_fail(j, "a field given twice");
        json__p_ws(j);
        if (j->j_p >= j->j_end || *j->j_p != ':')
            return json__p_fail(j, "':' expected");
        j->j_p++;
        json__p_ws(j);
        nulls[*k] = 0;
        val_off = j->j_arena.tb_len;
        if (j->j_p < j->j_end && *j->j_p == '"') {
            rc = json__p_string(j, &val_off);
        } else if (json__p_word(j, "null")) {
            textbuf_put(&j->j_arena, "", 1);
            nulls[*k] = 1;
        } else if (json__p_word(j, "true")) {
            textbuf_put(&j->j_arena, "true", 5);
        } else if (json__p_word(j, "false")) {
            textbuf_put(&j->j_arena, "false", 6);
        } else if (j->j_p < j->j_end && (*j->j_p == '[' || *j->j_p == '{')) {
            return json__p_fail(j, "a nested value");
        } else {
            rc = json__p_number(j, &val_off);
        }
        if (rc != 0)
            return rc;
        if (j->j_arena.tb_err)
            return ILONET_ENOMEM;
        offs[*k][0] = name_off;
        offs[*k][1] = val_off;
        (*k)++;
        json__p_ws(j);
        if (j->j_p < j->j_end && *j->j_p == ',') {
            j->j_p++;
            continue;
        }
        if (j->j_p < j->j_end && *j->j_p == '}') {
            j->j_p++;
            return 0;
        }
        return json__p_fail(j, "',' or '}' expected");
    }
}

int
json_parse_rows(const uint8_t *text, size_t len, json_row_cb row, void *arg,
                char *why, size_t whylen)
{
    struct json__p j;
    size_t offs[JSON_FIELDS_MAX][2], k;
    int nulls[JSON_FIELDS_MAX];
    struct json_field fields[JSON_FIELDS_MAX];
    char dummy[1];
    int rc = 0;

    if (!why || !whylen) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    memset(&j, 0, sizeof(j));
    j.j_start = j.j_p = text;
    j.j_end = text + len;
    j.j_why = why;
    j.j_whylen = whylen;
    j.j_form = "not a JSON array of flat objects";
    if (!text || !json_utf8_ok(text, len)) {
        snprintf(why, whylen, "%s: not valid UTF-8", j.j_form);
        return ILONET_EMALFORMED;
    }
    json__p_ws(&j);
    if (j.j_p >= j.j_end || *j.j_p != '[') {
        rc = json__p_fail(&j, "'[' expected");
        goto out;
    }
    j.j_p++;
    json__p_ws(&j);
    if (j.j_p < j.j_end && *j.j_p == ']') {
        j.j_p++;
        goto done;
    }
    for (;;) {
        json__p_ws(&j);
        if ((rc = json__row(&j, offs, nulls, &k)) != 0)
            goto out;
        for (size_t i = 0; i < k; i++) {
            fields[i].jf_name = j.j_arena.tb_data + offs[i][0];
            fields[i].jf_value = j.j_arena.tb_data + offs[i][1];
            fields[i].jf_null = nulls[i];
        }
        if (row && (rc = row(arg, fields, k)) != 0)
            goto out;
        json__p_ws(&j);
        if (j.j_p < j.j_end && *j.j_p == ',') {
            j.j_p++;
            continue;
        }
        if (j.j_p < j.j_end && *j.j_p == ']') {
            j.j_p++;
            break;
        }
        rc = json__p_fail(&j, "',' or ']' expected");
        goto out;
    }
done:
    json__p_ws(&j);
    if (j.j_p != j.j_end)
        rc = json__p_fail(&j, "trailing bytes after the array");
out:
    textbuf_free(&j.j_arena);
    return rc;
}
