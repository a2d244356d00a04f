/* json.h - the one JSON codec: string/hex encoders and the flat-object parser.
 */
#ifndef ILONET_JSON_H
#define ILONET_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"

/*
 * Every JSON text ilonet writes (CLI --json, the HTTP API, the report's
 * JSON, node status files) goes through these encoders, and every JSON
 * text it reads (HTTP request bodies) through json_parse_flat(). Pure
 * functions; thread-safe on distinct buffers.
 */

/* A JSON string literal of s[0..n): quotes, \" \\ \n \r \t, other control
 * bytes and DEL as \u00XX; other bytes as they are (UTF-8 passes). */
void json_strn(struct textbuf *b, const char *s, size_t n);
/* The same for a NUL-terminated s; NULL writes null. */
void json_str(struct textbuf *b, const char *s);
/* p[0..n) as lowercase hex digits, without quotes. */
void json_hex(struct textbuf *b, const uint8_t *p, size_t n);

/* 1 if p[0..n) is valid UTF-8 (no overlong forms, no surrogates). */
int json_utf8_ok(const uint8_t *p, size_t n);

/*
 * A flat JSON object, as the HTTP API takes it: each value in the CLI's
 * text form (strings as they are, numbers as written, an array of strings
 * or numbers joined with ','); jf_null for null. true, false and nested
 * objects are refused with a reason naming the field.
 */
#define JSON_FIELDS_MAX 32
struct json_field {
    char *jf_name;
    char *jf_value;
    int jf_null;
};

/*
 * Parses body[0..len) into fields (at most max, capped at
 * JSON_FIELDS_MAX). On success *n is the count and every string points
 * into *mem, which the caller frees. Errors: ILONET_EMALFORMED (not UTF-8,
 * not an object, bad syntax), ILONET_EINVAL (a field given twice, a value
 * of a refused type, a list item holding ','), ILONET_ETOOBIG (too many
 * fields), ILONET_ENOMEM; a one-line reason in why. Memory and time are
 * linear in len.
 */
int json_parse_flat(const uint8_t *body, size_t len, struct json_field *fields,
                    size_t max, size_t *n, char **mem, char *why,
                    size_t whylen);

/*
 * An array of flat JSON objects, as ilonet's status files hold them (the
 * running node's peer table, node/node.h): row(arg, fields, n) for each
 * object in order, each value in text form as json_parse_flat() gives it
 * (strings as they are, numbers as written), true and false as "true" and
 * "false", null as jf_null. Nested arrays and objects, a field given
 * twice and more than JSON_FIELDS_MAX fields in an object are refused.
 * The strings live during the callback only. A non-zero return of row
 * stops the parse and is returned as it is. Errors: ILONET_EMALFORMED,
 * ILONET_ETOOBIG, ILONET_ENOMEM, with one line in why (may be NULL).
 * Memory is bounded by the largest object; time is linear in len.
 */
typedef int (*json_row_cb)(void *arg, const struct json_field *f, size_t n);
int json_parse_rows(const uint8_t *text, size_t len, json_row_cb row, void *arg,
                    char *why, size_t whylen);

#endif
