/* http_auth.c - who sends a request: bootstrap token, user tokens, sessions,
 * lockout, CSRF. */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h> /* randombytes, memzero, constant-time compare */

#include "crypto/error.h"
#include "node/app/app.h"

/*
 * State of the server's process, bounded by construction: the accounts
 * (at most USERS_MAX, re-read when http.users changes), one lockout
 * counter per account, one counter for every sign-in naming no account,
 * and at most HTTP__SESSIONS_MAX sessions (the oldest goes first). Nothing
 * grows with the number of clients or attackers. One mutex guards it;
 * password checks (argon2id, 64 MiB each) run one at a time under a
 * second mutex, outside the first.
 */

struct http__session {
    int se_used;
    uint8_t se_id[HASH_LEN]; /* BLAKE2b of the cookie's value */
    char se_user[USERS_NAME_MAX + 1];
    uint64_t se_user_created; /* the account it belongs to (not a new one
                                 of the same name) */
    char se_csrf[HTTP__SECRET_HEX + 1];
    uint64_t se_created_ms, se_seen_ms;
};

struct http__lock {
    uint32_t lk_fails;
    uint64_t lk_first_ms; /* the first failure of the window */
    uint64_t lk_until_ms; /* locked until then */
};

struct http__auth {
    pthread_mutex_t au_mtx;
    pthread_mutex_t au_pw_mtx;
    struct users au_users;
    struct users_stamp au_stamp;
    struct http__lock au_lock[USERS_MAX]; /* by index in au_users, by name
                                             across reloads (au_lock_name) */
    char au_lock_name[USERS_MAX][USERS_NAME_MAX + 1];
    uint32_t au_unknown;      /* sign-ins naming no account this minute */
    uint64_t au_unknown_from; /* the minute's start */
    struct http__session au_sess[HTTP__SESSIONS_MAX];
};

#define HTTP__SESSION_CTX "ilonet/http-session/v1"

int
http__auth_init(struct http_server *s)
{
    struct http__auth *a = calloc(1, sizeof(*a));
    int rc;

    if (!a)
        return ILONET_ENOMEM;
    pthread_mutex_init(&a->au_mtx, NULL);
    pthread_mutex_init(&a->au_pw_mtx, NULL);
    if ((rc = app_user_stamp(s->hs_dir, &a->au_stamp)) != 0 ||
        (rc = app_user_load(s->hs_dir, &a->au_users)) != 0) {
        pthread_mutex_destroy(&a->au_mtx);
        pthread_mutex_destroy(&a->au_pw_mtx);
        free(a);
        return rc;
    }
    s->hs_auth = a;
    return 0;
}

void
http__auth_free(struct http_server *s)
{
    struct http__auth *a = s ? s->hs_auth : NULL;

    if (!a)
        return;
    pthread_mutex_destroy(&a->au_mtx);
    pthread_mutex_destroy(&a->au_pw_mtx);
    sodium_memzero(a, sizeof(*a));
    free(a);
    s->hs_auth = NULL;
}

/* Re-reads the accounts when the file changed (au_mtx held). A file that
 * no longer reads keeps the accounts as they were. */
static void
http__auth_refresh(struct http_server *s, struct http__auth *a)
{
    struct users_stamp st;
    struct http__lock keep[USERS_MAX];
    char keep_name[USERS_MAX][USERS_NAME_MAX + 1];
    size_t nkeep;

    if (app_user_stamp(s->hs_dir, &st) != 0 ||
        memcmp(&st, &a->au_stamp, sizeof(st)) == 0)
        return;
    nkeep = a->au_users.us_n;
    memcpy(keep, a->au_lock, sizeof(keep));
    memcpy(keep_name, a->au_lock_name, sizeof(keep_name));
    if (app_user_load(s->hs_dir, &a->au_users) != 0)
        return;
    a->au_stamp = st;
    /* lockout counters follow their account, not its position */
    memset(a->au_lock, 0, sizeof(a->au_lock));
    for (size_t i = 0; i < a->au_users.us_n; i++) {
        snprintf(a->au_lock_name[i], sizeof(a->au_lock_name[i]), "%s",
                 a->au_users.us_v[i].ue_name);
        for (size_t j = 0; j < nkeep; j++)
            if (strcmp(keep_name[j], a->au_lock_name[i]) == 0)
                a->au_lock[i] = keep[j];
    }
    /* sessions of accounts that went end now */
    for (size_t i = 0; i < HTTP__SESSIONS_MAX; i++) {
        const struct users_entry *u;
        if (!a->au_sess[i].se_used)
            continue;
        u = app_user_find(&a->au_users, a->au_sess[i].se_user);
        if (!u || u->ue_created_ms != a->au_sess[i].se_user_created)
            memset(&a->au_sess[i], 0, sizeof(a->au_sess[i]));
    }
}

static size_t
http__user_index(const struct http__auth *a, const struct users_entry *u)
{
    return (size_t)(u - a->au_users.us_v);
}

/* ---- reading the request ------------------------------------------------- */

int
http__auth_is_signin(nng_http_req *req)
{
    const char *uri = nng_http_req_get_uri(req);
    size_t n = strcspn(uri, "?#");

    return strcmp(nng_http_req_get_method(req), "POST") == 0 &&
           ((n == 12 && strncmp(uri, "/api/session", 12) == 0) ||
            (n == 13 && strncmp(uri, "/api/session/", 13) == 0));
}

/* The value of cookie name in a Cookie header into out: 0, or -1. */
static int
http__cookie(const char *hdr, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = hdr;

    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = strcspn(p + nl + 1, "; ");
            if (vl == 0 || vl >= cap)
                return -1;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 0;
        }
        p = strchr(p, ';');
    }
    return -1;
}

static int
http__is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

static void
http__unauthorised(struct http__resp *rs, const char *why)
{
    if (why)
        http__error(rs, 401, "unauthorised", "%s", why);
    else
        http__error(rs, 401, "unauthorised",
                    "missing or wrong token: send 'Authorization: Bearer "
                    "<token>' (the token is in %s in the node home), or sign "
                    "in (POST /api/session)",
                    HTTP_TOKEN_FILE);
    rs->rs_close = 1;
}

/* The session whose cookie value is v (au_mtx held), or NULL. Expired
 * ones are cleared on the way. */
static struct http__session *
http__session_find(struct http__auth *a, const char *v, uint64_t now,
                   int *expired)
{
    uint8_t id[HASH_LEN];
    struct http__session *found = NULL;

    *expired = 0;
    if (strlen(v) != HTTP__SECRET_HEX || !http__is_hex(v, HTTP__SECRET_HEX))
        return NULL;
    hash_buf(HTTP__SESSION_CTX, v, HTTP__SECRET_HEX, id);
    for (size_t i = 0; i < HTTP__SESSIONS_MAX; i++) {
        struct http__session *se = &a->au_sess[i];
        if (se->se_used && sodium_memcmp(se->se_id, id, HASH_LEN) == 0)
            found = se;
    }
    if (found && (now >= found->se_created_ms + HTTP__SESSION_LIFE_MS ||
                  now >= found->se_seen_ms + HTTP__SESSION_IDLE_MS)) {
        memset(found, 0, sizeof(*found));
        *expired = 1;
        return NULL;
    }
    return found;
}

/* 0 if a write under a cookie carries the session's CSRF token and, when
 * the browser says where it comes from, comes from this server. */
static int
http__csrf_ok(struct http_server *s, nng_http_req *req, const char *csrf,
              struct http__resp *rs)
{
    const char *tok = nng_http_req_get_header(req, "X-CSRF-Token");
    const char *origin = nng_http_req_get_header(req, "Origin");
    if (!tok || strlen(tok) != HTTP__SECRET_HEX ||
        sodium_memcmp(tok, csrf, HTTP__SECRET_HEX) != 0) {
        http__error(rs, 403, "csrf",
                    "a write with the session cookie needs the header "
                    "X-CSRF-Token (from the sign-in or GET /api/session); "
                    "nothing was written");
        return -1;
    }
    if (origin) {
        /* scheme://host[:port] naming a Host this server answers to (a
         * reverse proxy in front speaks https for it) */
        const char *h = strstr(origin, "://");
        int ok = 0;

        for (size_t i = 0; h && i < s->hs_nhost && !ok; i++)
            ok = strcasecmp(h + 3, s->hs_host[i]) == 0;
        if (!ok || (strncasecmp(origin, "http://", 7) != 0 &&
                    strncasecmp(origin, "https://", 8) != 0)) {
            http__error(rs, 403, "csrf",
                        "Origin %.100s is not this server; nothing was "
                        "written",
                        origin);
            return -1;
        }
    }
    return 0;
}

int
http__auth_check(struct http_server *s, nng_http_req *req,
                 struct http__who *who, struct http__resp *rs)
{
    static const char pre[] = "Bearer ";
    struct http__auth *a = s->hs_auth;
    const char *hdr = nng_http_req_get_header(req, "Authorization");
    const char *method = nng_http_req_get_method(req);
    int write = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
    uint64_t now = home_now_ms();

    memset(who, 0, sizeof(*who));
    if (hdr) {
        /* a header given is the credential: a wrong one is not saved by
         * a cookie */
        if (strncmp(hdr, pre, sizeof(pre) - 1) != 0) {
            http__unauthorised(rs, NULL);
            return -1;
        }
        hdr += sizeof(pre) - 1;
        if (strlen(hdr) == HTTP_TOKEN_HEX && !strchr(hdr, '.')) {
            if (sodium_memcmp(hdr, s->hs_token, HTTP_TOKEN_HEX) != 0) {
                http__unauthorised(rs, NULL);
                return -1;
            }
            who->w_via = HTTP__VIA_BOOTSTRAP;
            return 0;
        }
        {
            const struct users_entry *u = NULL;
            int ok;

            pthread_mutex_lock(&a->au_mtx);
            http__auth_refresh(s, a);
            ok = app_user_check_token(&a->au_users, hdr, &u) == 0;
            if (ok)
                snprintf(who->w_user, sizeof(who->w_user), "%s", u->ue_name);
            pthread_mutex_unlock(&a->au_mtx);
            if (!ok) {
                http__unauthorised(rs, NULL);
                return -1;
            }
            who->w_via = HTTP__VIA_TOKEN;
            return 0;
        }
    }
    {
        const char *ch = nng_http_req_get_header(req, "Cookie");
        char v[HTTP__SECRET_HEX + 2];
        struct http__session *se;
        int expired = 0;

        if (!ch || http__cookie(ch, HTTP__COOKIE, v, sizeof(v)) != 0) {
            http__unauthorised(rs, NULL);
            return -1;
        }
        pthread_mutex_lock(&a->au_mtx);
        http__auth_refresh(s, a);
        se = http__session_find(a, v, now, &expired);
        if (se) {
            se->se_seen_ms = now;
            who->w_via = HTTP__VIA_COOKIE;
            snprintf(who->w_user, sizeof(who->w_user), "%s", se->se_user);
            memcpy(who->w_csrf, se->se_csrf, sizeof(who->w_csrf));
            who->w_expires_ms = se->se_created_ms + HTTP__SESSION_LIFE_MS;
        }
        pthread_mutex_unlock(&a->au_mtx);
        sodium_memzero(v, sizeof(v));
        if (!se) {
            http__unauthorised(rs, "session expired: sign in again "
                                   "(POST /api/session)");
            (void)expired; /* an unknown cookie reads the same */
            return -1;
        }
    }
    if (write && http__csrf_ok(s, req, who->w_csrf, rs) != 0) {
        rs->rs_close = 1;
        return -1;
    }
    return 0;
}

/* ---- /api/session -------------------------------------------------------- */

static void
http__cookie_set(struct http_server *s, struct http__resp *rs, const char *v,
                 uint64_t max_age_s)
{
    snprintf(rs->rs_cookie, sizeof(rs->rs_cookie),
             "%s=%s; Path=/api; HttpOnly; SameSite=Strict; Max-Age=%llu%s",
             HTTP__COOKIE, v, (unsigned long long)max_age_s,
             s->hs_tls ? "; Secure" : "");
}

static void
http__who_json(struct http_server *s, const struct http__who *who,
               struct textbuf *b)
{
    static const char *const via[] = {"none", "bootstrap-token", "user-token",
                                      "cookie"};

    textbuf_puts(b, "{\"user\":");
    if (who->w_user[0])
        json_str(b, who->w_user);
    else
        textbuf_puts(b, "null");
    textbuf_puts(b, ",\"via\":");
    json_str(b, via[who->w_via]);
    textbuf_puts(b, ",\"state\":");
    json_str(b, s->hs_state);
    if (who->w_via == HTTP__VIA_COOKIE) {
        textbuf_puts(b, ",\"csrf\":");
        json_str(b, who->w_csrf);
        textbuf_printf(b, ",\"expires_ms\":%llu,\"idle_ms\":%llu",
                       (unsigned long long)who->w_expires_ms,
                       (unsigned long long)HTTP__SESSION_IDLE_MS);
    }
    textbuf_puts(b, "}");
}

/* A sign-in that failed: one more failure for u (NULL: a name with no
 * account), under au_mtx. */
static void
http__fail_count(struct http__auth *a, const struct users_entry *u,
                 uint64_t now)
{
    struct http__lock *lk;

    if (!u) {
        a->au_unknown++;
        return;
    }
    lk = &a->au_lock[http__user_index(a, u)];
    if (lk->lk_fails == 0 || now >= lk->lk_first_ms + HTTP__LOCK_MS) {
        lk->lk_fails = 0;
        lk->lk_first_ms = now;
    }
    if (++lk->lk_fails >= HTTP__LOCK_FAILS) {
        lk->lk_until_ms = now + HTTP__LOCK_MS;
        lk->lk_fails = 0;
    }
}

static void
http__signin(struct http_server *s, struct http__req *rq, struct http__resp *rs)
{
    struct http__auth *a = s->hs_auth;
    struct json_field f[JSON_FIELDS_MAX];
    const char *user = NULL, *pw = NULL;
    const struct users_entry *u;
    struct users_entry copy;
    struct http__session *se = NULL;
    struct http__who who;
    char *mem = NULL, why[256], sid[HTTP__SECRET_HEX + 1];
    uint8_t raw[HTTP__SECRET_HEX / 2];
    size_t nf = 0;
    uint64_t now = home_now_ms(), wait_ms = 0;
    int rc, known, ok;

    memset(&copy, 0, sizeof(copy));
    if (http__params_done(rq, rs) != 0)
        return;
    if (rq->rq_body_len == 0) {
        http__error_field(rs, 400, "invalid-argument", "user",
                          "send {\"user\": NAME, \"password\": PASSWORD}");
        return;
    }
    if ((rc = json_parse_flat(rq->rq_body, rq->rq_body_len, f, JSON_FIELDS_MAX,
                              &nf, &mem, why, sizeof(why))) != 0) {
        http__error(rs, rc == ILONET_ENOMEM ? 503 : 400, ilonet_errname(rc),
                    "%s", why);
        return;
    }
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(f[i].jf_name, "user") == 0 && !f[i].jf_null)
            user = f[i].jf_value;
        else if (strcmp(f[i].jf_name, "password") == 0 && !f[i].jf_null)
            pw = f[i].jf_value;
        else {
            http__error_field(rs, 400, "invalid-argument", f[i].jf_name,
                              "field '%.40s': not a sign-in field (user, "
                              "password)",
                              f[i].jf_name);
            goto out;
        }
    }
    if (!user || !*user) {
        http__error_field(rs, 400, "invalid-argument", "user",
                          "field 'user': required");
        goto out;
    }
    if (!pw || !*pw) {
        http__error_field(rs, 400, "invalid-argument", "password",
                          "field 'password': required");
        goto out;
    }
    /* Locked accounts and the unknown-name budget are checked before any
     * password work. */
    pthread_mutex_lock(&a->au_mtx);
    http__auth_refresh(s, a);
    if (now >= a->au_unknown_from + 60000) {
        a->au_unknown_from = now;
        a->au_unknown = 0;
    }
    u = app_user_find(&a->au_users, user);
    known = u != NULL;
    if (u && a->au_lock[http__user_index(a, u)].lk_until_ms > now)
        wait_ms = a->au_lock[http__user_index(a, u)].lk_until_ms - now;
    else if (!u && a->au_unknown >= HTTP__UNKNOWN_PER_MIN)
        wait_ms = a->au_unknown_from + 60000 - now;
    if (u)
        copy = *u;
    pthread_mutex_unlock(&a->au_mtx);
    if (wait_ms && known) {
        http__error_field(rs, 429, "locked", "user",
                          "user '%.40s': locked after %d failed sign-ins; "
                          "try again in %llu minutes",
                          user, HTTP__LOCK_FAILS,
                          (unsigned long long)(wait_ms + 59999) / 60000);
        goto out;
    }
    if (wait_ms) {
        http__error_field(rs, 429, "locked", "user",
                          "too many failed sign-ins with unknown names on "
                          "this server; try again in %llu seconds",
                          (unsigned long long)(wait_ms + 999) / 1000);
        goto out;
    }
    /* The same work whether the name exists or not (app_user.c). */
    pthread_mutex_lock(&a->au_pw_mtx);
    ok = app_user_check_password(known ? &copy : NULL, pw) == 0;
    pthread_mutex_unlock(&a->au_pw_mtx);
    pthread_mutex_lock(&a->au_mtx);
    http__auth_refresh(s, a);
    u = app_user_find(&a->au_users, user);
    if (ok && (!u || u->ue_created_ms != copy.ue_created_ms))
        ok = 0; /* removed meanwhile */
    if (!ok) {
        http__fail_count(a, u, now);
        pthread_mutex_unlock(&a->au_mtx);
        http__error_field(rs, 401, "unauthorised", "password",
                          "field 'password': wrong user name or password");
        goto out;
    }
    a->au_lock[http__user_index(a, u)].lk_fails = 0;
    /* a free slot, else the session used longest ago */
    for (size_t i = 0; i < HTTP__SESSIONS_MAX; i++)
        if (!a->au_sess[i].se_used) {
            se = &a->au_sess[i];
            break;
        } else if (!se || a->au_sess[i].se_seen_ms < se->se_seen_ms) {
            se = &a->au_sess[i];
        }
    memset(se, 0, sizeof(*se));
    se->se_used = 1;
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(sid, sizeof(sid), raw, sizeof(raw));
    hash_buf(HTTP__SESSION_CTX, sid, HTTP__SECRET_HEX, se->se_id);
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(se->se_csrf, sizeof(se->se_csrf), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    snprintf(se->se_user, sizeof(se->se_user), "%s", u->ue_name);
    se->se_user_created = u->ue_created_ms;
    se->se_created_ms = se->se_seen_ms = now;
    memset(&who, 0, sizeof(who));
    who.w_via = HTTP__VIA_COOKIE;
    snprintf(who.w_user, sizeof(who.w_user), "%s", se->se_user);
    memcpy(who.w_csrf, se->se_csrf, sizeof(who.w_csrf));
    who.w_expires_ms = now + HTTP__SESSION_LIFE_MS;
    pthread_mutex_unlock(&a->au_mtx);
    http__cookie_set(s, rs, sid, HTTP__SESSION_LIFE_MS / 1000);
    sodium_memzero(sid, sizeof(sid));
    http__who_json(s, &who, &rs->rs_body);
    http__ok(rs, 200);
out:
    sodium_memzero(&copy, sizeof(copy));
    if (mem) {
        sodium_memzero(mem, rq->rq_body_len);
        free(mem);
    }
}

static void
http__signout(struct http_server *s, struct http__req *rq,
              struct http__resp *rs)
{
    struct http__auth *a = s->hs_auth;
    const char *ch = nng_http_req_get_header(rq->rq_req, "Cookie");
    char v[HTTP__SECRET_HEX + 2];
    int ended = 0, expired;

    if (http__params_done(rq, rs) != 0)
        return;
    if (rq->rq_who->w_via == HTTP__VIA_COOKIE && ch &&
        http__cookie(ch, HTTP__COOKIE, v, sizeof(v)) == 0) {
        struct http__session *se;

        pthread_mutex_lock(&a->au_mtx);
        se = http__session_find(a, v, home_now_ms(), &expired);
        if (se) {
            memset(se, 0, sizeof(*se));
            ended = 1;
        }
        pthread_mutex_unlock(&a->au_mtx);
        sodium_memzero(v, sizeof(v));
    }
    http__cookie_set(s, rs, "", 0);
    textbuf_printf(&rs->rs_body, "{\"signed_out\":%s}",
                   ended ? "true" : "false");
    http__ok(rs, 200);
}

void
http__session(struct http_server *s, struct http__req *rq,
              struct http__resp *rs)
{
    if (strcmp(rq->rq_method, "POST") == 0) {
        http__signin(s, rq, rs);
    } else if (strcmp(rq->rq_method, "GET") == 0 ||
               strcmp(rq->rq_method, "HEAD") == 0) {
        if (http__params_done(rq, rs) != 0)
            return;
        http__who_json(s, rq->rq_who, &rs->rs_body);
        http__ok(rs, 200);
    } else if (strcmp(rq->rq_method, "DELETE") == 0) {
        http__signout(s, rq, rs);
    } else {
        http__error(rs, 405, "method-not-allowed",
                    "%.10s %.100s: use POST (sign in), GET or DELETE (sign "
                    "out)",
                    rq->rq_method, rq->rq_path);
    }
}
