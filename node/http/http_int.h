/* http_int.h - internals shared by http.c, http_api.c and http_page.c. */
#ifndef ILONET_HTTP_INT_H
#define ILONET_HTTP_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "node/home.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"

/* Response bodies are node/textbuf.h buffers capped at HTTP__OUT_MAX
 * (tb_max, set where a response starts). */
#define HTTP__OUT_MAX (64u * 1024 * 1024)


/* Query parameters, percent-decoded. */
#define HTTP__PARAMS_MAX 16
struct http__param {
    char *hp_name;
    char *hp_value;
    int hp_used;
};

struct http__req {
    const char *rq_method;
    char *rq_path;  /* decoded path, without the query (malloc'd) */
    size_t rq_nparams;
    struct http__param rq_params[HTTP__PARAMS_MAX];
    const uint8_t *rq_body;
    size_t rq_body_len;
    char *rq_scratch; /* owns the parameter strings */
};

struct http__resp {
    int rs_status;
    const char *rs_type;  /* Content-Type */
    char rs_disposition[128]; /* Content-Disposition, "" for none */
    struct textbuf rs_body;
    int rs_close;
};

/* Sets rs to an error response {"error": code, "message": ...}. */
void http__error(struct http__resp *rs, int status, const char *code,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Borrows a store connection for this request (opened on first use,
 * pooled after). NULL with rs set to a 500/503 error on failure. */
struct http_server;
struct home *http__home_get(struct http_server *s, struct http__resp *rs);
void http__home_put(struct http_server *s, struct home *h);

/* The API: fills rs for rq (on an NNG thread). */
void http__api(struct http_server *s, struct http__req *rq,
               struct http__resp *rs);
/* The page assets: 1 if path names one (rs filled), else 0. */
int http__page(const char *path, struct http__resp *rs);

/* The Content-Security-Policy sent with every response. */
extern const char http__csp[];

#endif
