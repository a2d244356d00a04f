/* fuzz_json_rows.c - libFuzzer harness: json_parse_rows, the reader of the
 * node's status files (an array of flat objects).
 *
 * A refused text gets one of the documented codes and a reason. An
 * accepted text's rows, written back as an array of objects of strings
 * (null stays null) with the one encoder (json_str), must parse to exactly
 * the same rows: count, names, text values and nulls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/json.h"

struct fz {
    struct textbuf fz_out; /* the rows written back */
    size_t fz_rows;
};

static int
fz_write(void *arg, const struct json_field *f, size_t n)
{
    struct fz *z = arg;

    if (n > JSON_FIELDS_MAX)
        abort();
    textbuf_puts(&z->fz_out, z->fz_rows++ ? ",{" : "{");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(f[i].jf_name, f[j].jf_name) == 0)
                abort(); /* a field given twice was accepted */
        if (f[i].jf_null && f[i].jf_value[0] != '\0')
            abort();
        if (i)
            textbuf_puts(&z->fz_out, ",");
        json_str(&z->fz_out, f[i].jf_name);
        textbuf_puts(&z->fz_out, ":");
        if (f[i].jf_null)
            textbuf_puts(&z->fz_out, "null");
        else
            json_str(&z->fz_out, f[i].jf_value);
    }
    textbuf_puts(&z->fz_out, "}");
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz a, b;
    char why[160] = "";
    int rc;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    textbuf_puts(&a.fz_out, "[");
    rc = json_parse_rows(data, size, fz_write, &a, why, sizeof(why));
    if (rc != 0) {
        if (rc != ILONET_EMALFORMED && rc != ILONET_ETOOBIG &&
            rc != ILONET_ENOMEM)
            abort();
        if (why[0] == '\0')
            abort();
        textbuf_free(&a.fz_out);
        return 0;
    }
    textbuf_puts(&a.fz_out, "]");
    if (a.fz_out.tb_err)
        abort();
    textbuf_puts(&b.fz_out, "[");
    if (json_parse_rows((const uint8_t *)a.fz_out.tb_data, a.fz_out.tb_len,
                        fz_write, &b, why, sizeof(why)) != 0)
        abort();
    textbuf_puts(&b.fz_out, "]");
    /* the same rows: written back, the same bytes */
    if (a.fz_rows != b.fz_rows || a.fz_out.tb_len != b.fz_out.tb_len ||
        memcmp(a.fz_out.tb_data, b.fz_out.tb_data, a.fz_out.tb_len) != 0)
        abort();
    textbuf_free(&a.fz_out);
    textbuf_free(&b.fz_out);
    return 0;
}
