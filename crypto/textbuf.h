/* textbuf.h - a growable text buffer for building reports and HTTP bodies. */
#ifndef ILONET_TEXTBUF_H
#define ILONET_TEXTBUF_H

#include <stddef.h>

/*
 * Zero-initialise, append, read tb_data (always NUL-terminated once
 * something was written), textbuf_free. An allocation failure, or growth
 * past tb_max when it is non-zero, sets tb_err and drops everything written
 * after it, so a builder checks once at the end. Owned by one thread.
 */
struct textbuf {
    char *tb_data;
    size_t tb_len, tb_cap;
    size_t tb_max; /* 0 = no limit */
    int tb_err;
};

void textbuf_put(struct textbuf *b, const void *p, size_t n);
/* s NULL appends nothing. */
void textbuf_puts(struct textbuf *b, const char *s);
void textbuf_printf(struct textbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void textbuf_free(struct textbuf *b);

#endif
