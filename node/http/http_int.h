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
    char *rq_path; /* decoded path, without the query (malloc'd) */
    size_t rq_nparams;
    struct http__param rq_params[HTTP__PARAMS_MAX];
    const uint8_t *rq_body;
    size_t rq_body_len;
    char *rq_scratch; /* owns the parameter strings */
};

struct http__resp {
    int rs_status;
    const char *rs_type;      /* Content-Type */
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

/* ---- the API, across http_api.c (routing), http_read.c, http_write.c
 * and http_report.c ---- */

/* A record kind as the API serves it (its list's filters are the view's:
 * node/app/app.h app_list). */
struct http__kind {
    const char *hk_plural;
    uint32_t hk_kind;
};
extern const struct http__kind http__kinds[];
const struct http__kind *http__kind(const char *plural);

/* Sets the status of a successful JSON response. */
void http__ok(struct http__resp *rs, int status);
/* A query parameter's value (marks it used), or NULL. */
const char *http__query_param(struct http__req *rq, const char *name);
/* 400 naming the first unused query parameter; 0 if none. */
int http__params_done(struct http__req *rq, struct http__resp *rs);

/* The API: fills rs for rq (on an NNG thread). */
void http__api(struct http_server *s, struct http__req *rq,
               struct http__resp *rs);
/* The page assets: 1 if path names one (rs filled), else 0. */
int http__page(const char *path, struct http__resp *rs);

/* The Content-Security-Policy sent with every response. */
extern const char http__csp[];

struct view_record_info;
/* http_api.c */
int http__limit(struct http__req *rq, struct http__resp *rs, long dflt,
                long max, long *out);
/* http_read.c: GET endpoints (fn(h, rq, rs) borrow a pooled store) */
void http__list(struct home *h, const struct http__kind *k,
                struct http__req *rq, struct http__resp *rs);
int http__find(struct home *h, const struct http__kind *k, const char *id,
               struct view_record_info *info, struct http__resp *rs);
void http__show(struct home *h, const struct http__kind *k, const char *id,
                struct http__req *rq, struct http__resp *rs);
void http__status(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__stats(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__recent(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__grants(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__evidence(struct home *h, struct http__req *rq,
                    struct http__resp *rs);
/* http_write.c: POST endpoints */
void http__create(struct http_server *s, const struct http__kind *k,
                  struct http__req *rq, struct http__resp *rs);
void http__change(struct http_server *s, const struct http__kind *k,
                  const char *id, uint32_t kind, struct http__req *rq,
                  struct http__resp *rs);
void http__task_status(struct http_server *s, const struct http__kind *k,
                       const char *id, const char *status, struct http__req *rq,
                       struct http__resp *rs);
/* http_report.c */
void http__report(struct home *h, struct http__req *rq, struct http__resp *rs);

#endif
