/* textbuf.c - the growable text buffer shared by the report and the HTTP API.
 */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
textbuf_put(struct textbuf *b, const void *p, size_t n)
{
    if (b->tb_err || n == 0)
        return;
    if (b->tb_len + n + 1 > b->tb_cap) {
        size_t cap = b->tb_cap ? b->tb_cap : 1024;
        char *nb;

        while (cap < b->tb_len + n + 1)
            cap *= 2;
        if ((b->tb_max && cap > b->tb_max) ||
            !(nb = realloc(b->tb_data, cap))) {
            b->tb_err = 1;
            return;
        }
        b->tb_data = nb;
        b->tb_cap = cap;
    }
    memcpy(b->tb_data + b->tb_len, p, n);
    b->tb_len += n;
    b->tb_data[b->tb_len] = '\0';
}

void
textbuf_puts(struct textbuf *b, const char *s)
{
    if (s)
        textbuf_put(b, s, strlen(s));
}

void
textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->tb_err = 1;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        textbuf_put(b, small, (size_t)n);
        return;
    }
    /* Longer than the stack buffer: format again into the heap. */
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->tb_err = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    textbuf_put(b, big, (size_t)n);
    free(big);
}

void
textbuf_free(struct textbuf *b)
{
    free(b->tb_data);
    memset(b, 0, sizeof(*b));
}
