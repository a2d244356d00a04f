/* http_int.h - internals shared by the files of node/http/. */
#ifndef ILONET_HTTP_INT_H
#define ILONET_HTTP_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "http.h"
#include "node/home.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"
#include "node/app/app.h" /* USERS_*, struct users */

/* Response bodies are node/textbuf.h buffers capped at HTTP__OUT_MAX
 * (tb_max, set where a response starts). */
#define HTTP__OUT_MAX (64u * 1024 * 1024)

/* Who sent a request (http_auth.c): the credential it carried. */
enum http__via {
    HTTP__VIA_NONE = 0,  /* none (only the sign-in gets this far) */
    HTTP__VIA_BOOTSTRAP, /* the bootstrap token of http.token */
    HTTP__VIA_TOKEN,     /* an officer's user token */
    HTTP__VIA_COOKIE,    /* an officer's session cookie */
};

#define HTTP__SECRET_HEX 64 /* session ids and CSRF tokens, in hex */

struct http__who {
    enum http__via w_via;
    char w_user[USERS_NAME_MAX + 1];   /* the officer; "" otherwise */
    char w_csrf[HTTP__SECRET_HEX + 1]; /* cookie sessions */
    uint64_t w_expires_ms;             /* cookie sessions */
};

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
    char *rq_scratch;               /* owns the parameter strings */
    const struct http__who *rq_who; /* never NULL */
    nng_http_req *rq_req;           /* NNG's request (headers) */
    nng_aio *rq_aio; /* the handler's: http__events may keep it */
};

struct http__resp {
    int rs_status;
    const char *rs_type;      /* Content-Type */
    char rs_disposition[128]; /* Content-Disposition, "" for none */
    struct textbuf rs_body;
    int rs_close;
    char rs_cookie[256]; /* Set-Cookie, "" for none */
    int rs_held;         /* the handler kept rq_aio to answer later */
};

/* Sets rs to an error response {"error": code, "message": ...}. */
void http__error(struct http__resp *rs, int status, const char *code,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with "field": the parameter or body field at fault. */
void http__error_field(struct http__resp *rs, int status, const char *code,
                       const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

struct http__auth;
struct http__events;
struct http__writes;

struct http_server {
    nng_http_server *hs_srv;
    nng_http_handler *hs_api;  /* /api (tree, every method) */
    nng_http_handler *hs_page; /* / (tree, GET): page assets */
    nng_tls_config *hs_tlscfg; /* https: the certificate and key */
    char hs_dir[HOME_PATH_MAX];
    char hs_token[HTTP_TOKEN_HEX + 1];
    char hs_url[HTTP_URL_MAX];
    char hs_state[KEY_STATE_MAX + 1]; /* this node's state */
    int hs_tls;                       /* serving https */
    /* Host header values this server answers to (DNS rebinding): the
     * bound address and localhost with the real port, then the names of
     * http_opts ho_names (with and without the port). */
    size_t hs_nhost;
    char hs_host[2 + 2 * HTTP_NAMES_MAX][HTTP_URL_MAX];
    pthread_mutex_t hs_mtx; /* guards the pool */
    size_t hs_npool;
    struct home *hs_pool[HTTP_POOL_MAX];
    struct http__auth *hs_auth;     /* accounts, sessions (http_auth.c) */
    struct http__events *hs_events; /* long polls (http_events.c) */
    struct http__writes *hs_writes; /* group commit (http_write.c) */
    struct http__hashes *hs_hashes; /* the view hash (http_hash.c) */
};

/* ---- the view hash, off the request path (http_hash.c) ---- */

struct http__hashes;
/* Starts the keeper: a thread that computes the view hashes of everything
 * held and of each audience on a connection of its own whenever the
 * view's fingerprint moved, and shares them through the store (at most a
 * fraction of the time: http_hash.c). */
int http__hashes_init(struct http_server *s);
/* Cuts a computation short and ends the thread. */
void http__hashes_free(struct http_server *s);
/* The keeper's last hash into out: 1 if it has one (0 before its first),
 * *current 1 when it is the hash of the view h reads now, *at_ms when it
 * was computed (wall clock ms). A hash behind wakes the keeper. Any
 * request thread; h is the request's connection. */
int http__hash_last(struct http_server *s, struct home *h,
                    uint8_t out[static HASH_LEN], int *current,
                    uint64_t *at_ms);

/* The monotonic clock in ms (http_events.c): deadlines and waits. */
uint64_t http__mono_ms(void);
/* Waits on cv (mtx held) for at most ms, or until signalled. */
void http__cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mtx, uint64_t ms);

/* Sends rs as the answer to a handler's aio: any thread (http.c). */
void http__reply(nng_aio *aio, struct http__resp *rs);

/* Borrows a store connection for this request (opened on first use,
 * pooled after). NULL with rs set to a 500/503 error on failure. */
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
/* GET /api/blobs/HASH: the bytes of a held blob, as a download. */
void http__blob(struct home *h, const char *hash, struct http__req *rq,
                struct http__resp *rs);
void http__status(struct http_server *s, struct home *h, struct http__req *rq,
                  struct http__resp *rs);
/* GET /metrics (http.c routes it beside the page): the Prometheus text
 * format of app_health() and app_status(), for a bearer token or a
 * session like the API (401 otherwise). */
void http__metrics(struct http_server *s, nng_http_req *req,
                   struct http__resp *rs);
void http__stats(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__recent(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__grants(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__evidence(struct home *h, struct http__req *rq,
                    struct http__resp *rs);
void http__search(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__vocab(struct home *h, struct http__req *rq, struct http__resp *rs);
void http__desk(struct home *h, struct http__req *rq, struct http__resp *rs);
/* http_write.c: POST endpoints */
void http__create(struct http_server *s, const struct http__kind *k,
                  struct http__req *rq, struct http__resp *rs);
void http__change(struct http_server *s, const struct http__kind *k,
                  const char *id, uint32_t kind, struct http__req *rq,
                  struct http__resp *rs);
void http__task_status(struct http_server *s, const struct http__kind *k,
                       const char *id, const char *status, struct http__req *rq,
                       struct http__resp *rs);
void http__desk_seen(struct http_server *s, struct http__req *rq,
                     struct http__resp *rs);
/* http_report.c */
void http__report(struct home *h, struct http__req *rq, struct http__resp *rs);
/* http_write.c: POST /api/report/text */
void http__report_text(struct http_server *s, struct http__req *rq,
                       struct http__resp *rs);

/* ---- http_auth.c: accounts, sessions, lockout, CSRF ---- */

#define HTTP__SESSIONS_MAX 256
#define HTTP__SESSION_LIFE_MS (12ULL * 3600 * 1000)
#define HTTP__SESSION_IDLE_MS (3600ULL * 1000)
#define HTTP__LOCK_FAILS 5
#define HTTP__LOCK_MS (15ULL * 60 * 1000)
#define HTTP__UNKNOWN_PER_MIN 20
#define HTTP__COOKIE "ilonet_session"

int http__auth_init(struct http_server *s);
void http__auth_free(struct http_server *s);
/* 1 if req is the sign-in (POST /api/session): it needs no credential. */
int http__auth_is_signin(nng_http_req *req);
/* Who sent req: 0 with *who, or -1 with rs set (401; 403 csrf for a
 * write under a cookie without the CSRF header or from another Origin). */
int http__auth_check(struct http_server *s, nng_http_req *req,
                     struct http__who *who, struct http__resp *rs);
/* POST (sign in), GET (who am I), DELETE (sign out) /api/session. */
void http__session(struct http_server *s, struct http__req *rq,
                   struct http__resp *rs);

/* ---- http_write.c: the group commit of record creations ---- */

#define HTTP__WRITE_QUEUE_MAX 256 /* requests waiting; 503 busy beyond */
#define HTTP__WRITE_GROUP_MAX 128 /* requests per transaction */
#define HTTP__WRITE_WAIT_MS 10000 /* waited longer untaken: 503, unwritten */
#define HTTP__WRITE_SYNCERS 4     /* disk syncs of written groups at once */

/* Starts the writer thread. */
int http__writes_init(struct http_server *s);
/* Refuses new writes, lets the writer write what is still queued and the
 * syncers answer it, and ends them: call before the NNG server stops, so
 * that no answer comes after it. */
void http__writes_stop(struct http_server *s);
/* Stops (if not yet) and frees. */
void http__writes_free(struct http_server *s);

/* ---- http_events.c: live updates by long polling ---- */

#define HTTP__WAITERS_MAX 64
#define HTTP__WAIT_MAX_S 25
#define HTTP__WATCH_MS 100
#define HTTP__EVENTS_NEW_MAX 50

int http__events_init(struct http_server *s);
/* Refuses to hold new requests (call before the NNG server stops). */
void http__events_stop(struct http_server *s);
/* Ends every waiting request and stops the watcher thread. */
void http__events_free(struct http_server *s);
/* GET /api/events: answers at once, or keeps rq->rq_aio (rs->rs_held). */
void http__events(struct http_server *s, struct http__req *rq,
                  struct http__resp *rs);

#endif
