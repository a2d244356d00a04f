/* fuzz_json.c - libFuzzer harness: the HTTP API's JSON body parser.
 *
 * A refused body gets one of the documented codes and a reason, and hands
 * back nothing. An accepted body's fields, written back as a JSON object
 * of strings (null stays null) with the one encoder (json_str), must parse
 * to exactly the same fields: names, text values and nulls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_field f[JSON_FIELDS_MAX], g[JSON_FIELDS_MAX];
    struct textbuf tb = {0};
    char why[160] = "", why2[160] = "";
    char *mem = NULL, *mem2 = NULL;
    size_t n = 99, n2 = 0, max;
    int rc;

    /* the first byte picks the field bound, as callers pass their own */
    if (size == 0)
        return 0;
    max = data[0] % (JSON_FIELDS_MAX + 8);
    data++, size--;
    rc = json_parse_flat(data, size, f, max, &n, &mem, why, sizeof(why));
    if (rc != 0) {
        if (rc != ILONET_EMALFORMED && rc != ILONET_EINVAL &&
            rc != ILONET_ETOOBIG && rc != ILONET_ENOMEM)
            abort();
        if (why[0] == '\0' || mem != NULL || n != 0)
            abort();
        return 0;
    }
    if (!mem || n > max || n > JSON_FIELDS_MAX)
        abort();
    textbuf_puts(&tb, "{");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(f[i].jf_name, f[j].jf_name) == 0)
                abort(); /* a field given twice was accepted */
        if (f[i].jf_null && f[i].jf_value[0] != '\0')
            abort();
        if (i)
            textbuf_puts(&tb, ",");
        json_str(&tb, f[i].jf_name);
        textbuf_puts(&tb, ":");
        if (f[i].jf_null)
            textbuf_puts(&tb, "null");
        else
            json_str(&tb, f[i].jf_value);
    }
    textbuf_puts(&tb, "}");
    if (tb.tb_err)
        abort();
    rc = json_parse_flat((const uint8_t *)tb.tb_data, tb.tb_len, g,
                         JSON_FIELDS_MAX, &n2, &mem2, why2, sizeof(why2));
    if (rc != 0 || n2 != n)
        abort(); /* what the encoder writes, the parser must read */
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].jf_name, g[i].jf_name) != 0 ||
            strcmp(f[i].jf_value, g[i].jf_value) != 0 ||
            f[i].jf_null != g[i].jf_null)
            abort();
    free(mem);
    free(mem2);
    textbuf_free(&tb);
    return 0;
}
