/* peer.c - one connection: SHS, box-stream, length-prefixed messages, sync. */
#include "peer.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "home.h"
#include "peer_int.h"

/* The largest handshake message (staged whole before it is read). */
#define PEER__HS_MAX SHS_CLIENT_AUTH_LEN

struct peer {
    const struct peer_env *p_env;
    struct net_conn *p_conn;
    enum peer_phase p_phase;
    int p_dialed, p_has_key;
    int p_keyed; /* the network key is proven (peer_keyed) */
    uint8_t p_key[KEY_PK_LEN];
    struct shs p_shs;
    struct boxs p_enc, p_dec;
    uint64_t p_deadline;       /* handshake */
    uint64_t p_first_deadline; /* accepted: message 1 */
    /* receiving: a handshake message of p_need bytes, then the receive
     * side (peer_int.h) */
    size_t p_need, p_have;
    uint8_t p_stage[PEER__HS_MAX];
    struct peer__rxs *p_x;
    int p_rx_paused; /* no read in flight until the side has room */
    /* sending: p_out is on the wire, p_next accumulates */
    uint8_t *p_out, *p_next;
    size_t p_out_len, p_next_len, p_next_cap;
    uint8_t *p_plain;
    /* sync */
    struct sync_peer *p_sp;
    uint64_t p_next_tick;
    uint8_t p_their_digest[HASH_LEN];
    int p_have_digest;
    uint64_t p_last_sync;
    uint32_t p_strikes; /* framing faults (sync counts its own) */
    /* blobs (NULL without pe_blobs) */
    struct blob_sync_peer *p_bp;
    uint32_t p_logs_since_blob; /* sync messages since the last blob one */
    void *p_data;
};

/* The blob session learns who the peer is once sync verified its HELLO. */
static void
peer__blobs_ready(struct peer *p)
{
    const struct cert *c;

    if (p->p_bp && !blob_sync_peer_is_ready(p->p_bp) &&
        (c = sync_peer_cert(p->p_sp)) != NULL)
        blob_sync_peer_ready(p->p_bp, c->c_state, (int)c->c_role);
}

/* Whether the next message comes from blobs: only when sync has nothing,
 * or its share is used up (PEER_BLOB_SHARE). -1: nothing to send. */
static int
peer__pick(struct peer *p)
{
    int s = sync_has_out(p->p_sp), b = p->p_bp && blob_sync_has_out(p->p_bp);

    if (!s && !b)
        return -1;
    if (s && (!b || p->p_logs_since_blob < PEER_BLOB_SHARE))
        return 0;
    return 1;
}

/* ---- output ------------------------------------------------------------- */

static int
peer__reserve(struct peer *p, size_t more)
{
    size_t cap = p->p_next_cap;
    uint8_t *nb;

    if (p->p_next_len + more <= cap)
        return 0;
    while (cap < p->p_next_len + more)
        cap = cap ? cap * 2 : 4096;
    if (!(nb = realloc(p->p_next, cap)))
        return ILONET_ENOMEM;
    p->p_next = nb;
    p->p_next_cap = cap;
    return 0;
}

static int
peer__queue_raw(struct peer *p, const uint8_t *b, size_t n)
{
    int rc = peer__reserve(p, n);

    if (rc != 0)
        return rc;
    memcpy(p->p_next + p->p_next_len, b, n);
    p->p_next_len += n;
    return 0;
}

/* Boxes plaintext into p_next, BOXS_MAX_BODY bytes per box. */
static int
peer__queue_boxed(struct peer *p, const uint8_t *plain, size_t n)
{
    size_t boxes = (n + BOXS_MAX_BODY - 1) / BOXS_MAX_BODY;
    int rc = peer__reserve(p, n + boxes * BOXS_HEADER_LEN);

    if (rc != 0)
        return rc;
    while (n > 0) {
        size_t k = n < BOXS_MAX_BODY ? n : BOXS_MAX_BODY;
        if ((rc = boxs_seal(&p->p_enc, plain, k, p->p_next + p->p_next_len)) !=
            0)
            return rc;
        p->p_next_len += BOXS_HEADER_LEN + k;
        plain += k;
        n -= k;
    }
    return 0;
}

/* Puts p_next on the wire if nothing is in flight. */
static int
peer__kick(struct peer *p)
{
    int rc;

    if (net_conn_sending(p->p_conn) || p->p_next_len == 0)
        return 0;
    free(p->p_out);
    p->p_out = p->p_next;
    p->p_out_len = p->p_next_len;
    p->p_next = NULL;
    p->p_next_len = 0;
    p->p_next_cap = 0;
    if ((rc = net_conn_send(p->p_conn, p->p_out, p->p_out_len)) != 0) {
        peer_close(p, rc, "send");
        return ILONET_ECLOSED;
    }
    return 0;
}

/* Frames sync's and blobs' next messages and boxes them into p_next, up to
 * about PEER_SEND_TARGET bytes. ILONET_ECLOSED when it closed the peer. */
static int
peer__fill(struct peer *p)
{
    size_t plen = 0;
    int rc;

    if (peer__pick(p) < 0)
        return 0;
    if (!p->p_plain && !(p->p_plain = malloc(PEER_SEND_TARGET))) {
        peer_close(p, ILONET_ENOMEM, "memory");
        return ILONET_ECLOSED;
    }
    /* Frame messages until the round is big enough; a message larger than
     * what is left of the plain buffer is boxed on its own. */
    for (int from;
         plen < PEER_SEND_TARGET / 2 && (from = peer__pick(p)) >= 0;) {
        uint8_t *msg = NULL, hdr[4];
        size_t len = 0;

        rc = from ? blob_sync_next_out(p->p_bp, &msg, &len)
                  : sync_next_out(p->p_sp, &msg, &len);
        if (rc != 0) {
            peer_close(p, rc, from ? "blob-out" : "sync-out");
            return ILONET_ECLOSED;
        }
        p->p_logs_since_blob = from ? 0 : p->p_logs_since_blob + 1;
        if (!msg)
            break;
        hdr[0] = (uint8_t)(len >> 24);
        hdr[1] = (uint8_t)(len >> 16);
        hdr[2] = (uint8_t)(len >> 8);
        hdr[3] = (uint8_t)len;
        if (plen + 4 + len <= PEER_SEND_TARGET) {
            memcpy(p->p_plain + plen, hdr, 4);
            memcpy(p->p_plain + plen + 4, msg, len);
            plen += 4 + len;
            rc = 0;
        } else {
            /* Too big for the buffer: send what we have, then this one
             * (header and body boxed together where they fit). */
            rc = peer__queue_boxed(p, p->p_plain, plen);
            plen = 0;
            if (rc == 0) {
                memcpy(p->p_plain, hdr, 4);
                size_t first =
                    len < BOXS_MAX_BODY - 4 ? len : BOXS_MAX_BODY - 4;
                memcpy(p->p_plain + 4, msg, first);
                rc = peer__queue_boxed(p, p->p_plain, 4 + first);
                if (rc == 0 && len > first)
                    rc = peer__queue_boxed(p, msg + first, len - first);
            }
        }
        free(msg);
        if (rc != 0) {
            peer_close(p, rc, "seal");
            return ILONET_ECLOSED;
        }
    }
    if (plen && (rc = peer__queue_boxed(p, p->p_plain, plen)) != 0) {
        peer_close(p, rc, "seal");
        return ILONET_ECLOSED;
    }
    return 0;
}

int
peer_flush(struct peer *p)
{
    int rc;

    if (p->p_phase != PEER_READY || net_conn_sending(p->p_conn) ||
        p->p_next_len)
        return 0;
    if ((rc = peer__fill(p)) != 0)
        return rc;
    return peer__kick(p);
}

int
peer_on_sent(struct peer *p, int err)
{
    if (err != 0) {
        peer_close(p, err, "send");
        return ILONET_ECLOSED;
    }
    free(p->p_out);
    p->p_out = NULL;
    p->p_out_len = 0;
    if (p->p_phase == PEER_CLOSING && p->p_next_len == 0) {
        peer_close(p, 0, "goodbye");
        return ILONET_ECLOSED;
    }
    if (peer__kick(p) != 0)
        return ILONET_ECLOSED;
    return peer_flush(p);
}

/* ---- session start ------------------------------------------------------ */

/* The session's keys, its sync and blob peers and its receive side: for a
 * server once message 3 admitted the client; for a client as soon as it
 * wrote message 3, so that its HELLO leaves with it (peer__hs_step). */
static int
peer__session(struct peer *p, uint64_t now_ms)
{
    int rc;

    rc = p->p_dialed ? shs_client_early_session(&p->p_shs, &p->p_enc, &p->p_dec)
                     : shs_session(&p->p_shs, &p->p_enc, &p->p_dec);
    if (rc != 0 || (rc = shs_peer_pk(&p->p_shs, p->p_key)) != 0) {
        peer_close(p, ILONET_EHANDSHAKE, "handshake");
        return ILONET_ECLOSED;
    }
    p->p_has_key = 1;
    if ((rc = sync_peer_new(p->p_env->pe_sync, p->p_key, now_ms, &p->p_sp)) !=
        0) {
        peer_close(p, rc, "sync");
        return ILONET_ECLOSED;
    }
    sync_peer_set_data(p->p_sp, p);
    if (p->p_env->pe_blobs) {
        if ((rc = blob_sync_peer_new(p->p_env->pe_blobs, p->p_key, &p->p_bp)) !=
            0) {
            peer_close(p, rc, "blobs");
            return ILONET_ECLOSED;
        }
        blob_sync_peer_set_data(p->p_bp, p);
    }
    rc = peer__rx_attach(p->p_env->pe_rx, sync_node_network(p->p_env->pe_sync),
                         &p->p_dec, p, &p->p_x);
    boxs_wipe(&p->p_dec); /* the receive side holds the decoder now */
    if (rc != 0) {
        peer_close(p, rc, "memory");
        return ILONET_ECLOSED;
    }
    return 0;
}

/* The peer is proven: received bytes go to the receive side from here. */
static int
peer__ready(struct peer *p, uint64_t now_ms)
{
    shs_wipe(&p->p_shs); /* a client's was kept for message 4 */
    p->p_phase = PEER_READY;
    p->p_have = 0;
    p->p_next_tick = now_ms;
    if (p->p_env->pe_on_ready) {
        p->p_env->pe_on_ready(p->p_env->pe_arg, p);
        if (p->p_phase != PEER_READY)
            return ILONET_ECLOSED; /* closed by the callback: gone */
    }
    return 0;
}

int
peer_new(const struct peer_env *env, struct net_conn *conn,
         const uint8_t *server_pk, uint64_t now_ms, struct peer **out)
{
    struct peer *p;
    uint8_t eph[SHS_SEED_LEN], m1[SHS_HELLO_LEN];
    int rc;

    if (!(p = calloc(1, sizeof(*p)))) {
        net_conn_close(conn);
        return ILONET_ENOMEM;
    }
    p->p_env = env;
    p->p_conn = conn;
    p->p_phase = PEER_HS;
    p->p_dialed = server_pk != NULL;
    p->p_deadline = now_ms + PEER_HANDSHAKE_MS;
    p->p_first_deadline = now_ms + PEER_FIRST_MS;
    p->p_need = SHS_HELLO_LEN;
    net_conn_set_data(conn, p);
    randombytes_buf(eph, sizeof(eph));
    if (server_pk) {
        memcpy(p->p_key, server_pk, KEY_PK_LEN);
        p->p_has_key = 1;
        rc = shs_client_init(&p->p_shs, env->pe_netkey, env->pe_kp->pk,
                             env->pe_kp->sk, server_pk, eph);
        if (rc == 0)
            rc = shs_client_hello(&p->p_shs, m1);
        if (rc == 0)
            rc = peer__queue_raw(p, m1, sizeof(m1));
    } else {
        rc = shs_server_init(&p->p_shs, env->pe_netkey, env->pe_kp->pk,
                             env->pe_kp->sk, eph);
    }
    sodium_memzero(eph, sizeof(eph));
    if (rc == 0)
        rc = net_conn_recv(conn);
    if (rc != 0) {
        shs_wipe(&p->p_shs);
        net_conn_close(conn);
        free(p->p_next);
        free(p);
        return rc;
    }
    *out = p;
    return peer__kick(p) == 0 ? 0 : ILONET_ECLOSED;
}

/* One complete handshake message is in p_stage. */
static int
peer__hs_step(struct peer *p, uint64_t now_ms)
{
    uint8_t out[SHS_CLIENT_AUTH_LEN];
    uint8_t pk[KEY_PK_LEN];
    int rc;

    if (!p->p_dialed && p->p_need == SHS_HELLO_LEN) {
        /* Server, message 1: not our network means silence and close. */
        if (shs_server_read_hello(&p->p_shs, p->p_stage) != 0 ||
            shs_server_hello(&p->p_shs, out) != 0) {
            peer_close(p, ILONET_EHANDSHAKE, "handshake-hello");
            return ILONET_ECLOSED;
        }
        p->p_keyed = 1;
        p->p_need = SHS_CLIENT_AUTH_LEN;
        if ((rc = peer__queue_raw(p, out, SHS_HELLO_LEN)) != 0) {
            peer_close(p, rc, "memory");
            return ILONET_ECLOSED;
        }
        return peer__kick(p);
    }
    if (!p->p_dialed) {
        /* Server, message 3: the client proves its key; admit or close
         * without message 4 (it never learns who we are). */
        if (shs_server_read_auth(&p->p_shs, p->p_stage) != 0 ||
            shs_peer_pk(&p->p_shs, pk) != 0) {
            peer_close(p, ILONET_EHANDSHAKE, "handshake-auth");
            return ILONET_ECLOSED;
        }
        memcpy(p->p_key, pk, KEY_PK_LEN);
        p->p_has_key = 1;
        if (p->p_env->pe_admit &&
            p->p_env->pe_admit(p->p_env->pe_arg, p, pk) != 0) {
            peer_close(p, ILONET_EPERM, "not-admitted");
            return ILONET_ECLOSED;
        }
        if (shs_server_accept(&p->p_shs, out) != 0 ||
            peer__queue_raw(p, out, SHS_SERVER_ACCEPT_LEN) != 0) {
            peer_close(p, ILONET_EHANDSHAKE, "handshake-accept");
            return ILONET_ECLOSED;
        }
        if (peer__kick(p) != 0 || peer__session(p, now_ms) != 0)
            return ILONET_ECLOSED;
        return peer__ready(p, now_ms);
    }
    if (p->p_need == SHS_HELLO_LEN) {
        /* Client, message 2. */
        if (shs_client_read_hello(&p->p_shs, p->p_stage) != 0 ||
            shs_client_auth(&p->p_shs, out) != 0) {
            peer_close(p, ILONET_EHANDSHAKE, "handshake-server-hello");
            return ILONET_ECLOSED;
        }
        p->p_keyed = 1;
        p->p_need = SHS_SERVER_ACCEPT_LEN;
        if ((rc = peer__queue_raw(p, out, SHS_CLIENT_AUTH_LEN)) != 0) {
            peer_close(p, rc, "memory");
            return ILONET_ECLOSED;
        }
        /* Our HELLO goes with message 3, boxed with the session's keys,
         * which only the server we dialled can derive: its HELLO and its
         * listing then come back with message 4, and the first data two
         * one-way trips sooner than if we waited for message 4 (what
         * counts on a satellite link: docs/PROTOCOL.md). Nothing it sends
         * is opened, and nothing more is sent, before message 4 proves
         * it (the phase stays PEER_HS until then). */
        if (peer__session(p, now_ms) != 0 || peer__fill(p) != 0)
            return ILONET_ECLOSED;
        return peer__kick(p);
    }
    /* Client, message 4: the server proved the key we dialled. */
    if (shs_client_read_accept(&p->p_shs, p->p_stage) != 0) {
        peer_close(p, ILONET_EHANDSHAKE, "handshake-server-accept");
        return ILONET_ECLOSED;
    }
    if (p->p_env->pe_admit &&
        p->p_env->pe_admit(p->p_env->pe_arg, p, p->p_key) != 0) {
        peer_close(p, ILONET_EPERM, "not-admitted");
        return ILONET_ECLOSED;
    }
    return peer__ready(p, now_ms);
}

/* ---- receiving ---------------------------------------------------------- */

/* A peer fault below the sync layer: strike, close. */
static int
peer__fault(struct peer *p, int code, const char *why)
{
    p->p_strikes++;
    peer_close(p, code, why);
    return ILONET_ECLOSED;
}

/* One whole message, decoded (by the receive thread or inline). */
static int
peer__deliver(struct peer *p, const struct peer__res *r, uint64_t now)
{
    const struct sync_msg *sm = &r->r_sm;
    int rc;

    /* Remember the peer's anti-entropy digest (HEADS and DIGEST carry
     * one) to tell when both sides hold the same: see peer_in_sync. */
    if (sm->sm_rc == 0 &&
        (sm->sm_m.m_type == MSG_T_HEADS || sm->sm_m.m_type == MSG_T_DIGEST)) {
        memcpy(p->p_their_digest, sm->sm_m.m_digest, HASH_LEN);
        p->p_have_digest = 1;
    }
    /* a blob message: blob_sync's (the receive thread's sync decode of it
     * failed, as it should: not a sync message) */
    if (p->p_bp && blob_sync_is_mine(r->r_buf, r->r_len)) {
        peer__blobs_ready(p);
        if ((rc = blob_sync_recv(p->p_bp, r->r_buf, r->r_len, now)) != 0) {
            /* blob_sync counted the strike (a local failure: none) */
            peer_close(p, rc, "blobs");
            return ILONET_ECLOSED;
        }
        return 0;
    }
    if (r->r_len >= 2 &&
        (r->r_buf[1] == MSG_T_BATCH || r->r_buf[1] == MSG_T_EVIDENCE) &&
        p->p_env->pe_before_ingest)
        p->p_env->pe_before_ingest(p->p_env->pe_arg);
    if ((rc = sync_recv_decoded(p->p_sp, sm, r->r_len, now)) != 0) {
        /* sync counted the strike and wrote the audit line. */
        peer_close(p, rc, "sync");
        return ILONET_ECLOSED;
    }
    peer__blobs_ready(p);
    return 0;
}

int
peer__rx_handle(struct peer *p, struct peer__res *r)
{
    uint64_t now = home_now_ms();

    switch (r->r_kind) {
    case PEER__R_MSG:
        if (peer__deliver(p, r, now) != 0)
            return ILONET_ECLOSED;
        break;
    case PEER__R_PROGRESS: sync_rx_progress(p->p_sp, now); break;
    case PEER__R_ROOM: break; /* the caller reads again (peer__rx_resumable) */
    case PEER__R_BYE: peer_close(p, 0, "goodbye"); return ILONET_ECLOSED;
    case PEER__R_FAULT:
        if (r->r_code == ILONET_ENOMEM) {
            peer_close(p, ILONET_ENOMEM, "memory");
            return ILONET_ECLOSED;
        }
        return peer__fault(p, r->r_code, r->r_why);
    }
    /* What a message queued goes out now (the loop after a drain). */
    return peer_flush(p);
}

void
peer__rx_resume(struct peer *p)
{
    if (!p->p_rx_paused)
        return;
    p->p_rx_paused = 0;
    if (net_conn_recv(p->p_conn) != 0)
        peer_close(p, ILONET_EIO, "recv");
}

int
peer_on_recv(struct peer *p, const uint8_t *buf, size_t len, int err,
             uint64_t now_ms)
{
    int pause = 0, rc;

    if (err != 0) {
        peer_close(p, err, err == ILONET_ECLOSED ? "eof" : "recv");
        return ILONET_ECLOSED;
    }
    while (len > 0 && p->p_phase == PEER_HS) {
        size_t k = p->p_need - p->p_have;
        if (k > len)
            k = len;
        memcpy(p->p_stage + p->p_have, buf, k);
        p->p_have += k;
        buf += k;
        len -= k;
        if (p->p_have < p->p_need)
            break;
        p->p_have = 0;
        if (peer__hs_step(p, now_ms) != 0)
            return ILONET_ECLOSED;
    }
    /* After the handshake (the rest of this read too): boxes and frames. */
    if (len > 0 && p->p_phase != PEER_HS) {
        if ((rc = peer__rx_in(p->p_x, buf, len, &pause)) == ILONET_ECLOSED)
            return ILONET_ECLOSED;
        if (rc != 0) {
            peer_close(p, rc, "memory");
            return ILONET_ECLOSED;
        }
    }
    if (pause) {
        p->p_rx_paused = 1;
    } else if (net_conn_recv(p->p_conn) != 0) {
        peer_close(p, ILONET_EIO, "recv");
        return ILONET_ECLOSED;
    }
    return peer_flush(p);
}

/* ---- timers, state ------------------------------------------------------ */

int
peer_tick(struct peer *p, uint64_t now_ms)
{
    int rc;

    if (p->p_phase == PEER_HS) {
        if (!p->p_dialed && !p->p_keyed && now_ms >= p->p_first_deadline) {
            peer_close(p, ILONET_ETIMEOUT, "handshake-silent");
            return ILONET_ECLOSED;
        }
        if (now_ms >= p->p_deadline) {
            peer_close(p, ILONET_ETIMEOUT, "handshake-timeout");
            return ILONET_ECLOSED;
        }
        return 0;
    }
    if (p->p_phase != PEER_READY)
        return 0;
    if (now_ms >= p->p_next_tick) {
        if ((rc = sync_tick(p->p_sp, now_ms)) != 0) {
            peer_close(p, rc,
                       rc == ILONET_ETIMEOUT ? "hello-timeout" : "sync-tick");
            return ILONET_ECLOSED;
        }
        p->p_next_tick = sync_next_deadline(p->p_sp);
    }
    if (peer_in_sync(p))
        p->p_last_sync = now_ms;
    return peer_flush(p);
}

int
peer_in_sync(struct peer *p)
{
    const struct cert *c;
    uint8_t mine[HASH_LEN];

    if (p->p_phase != PEER_READY || !p->p_have_digest ||
        !(c = sync_peer_cert(p->p_sp)))
        return 0;
    if (sync_has_out(p->p_sp) || net_conn_sending(p->p_conn) || p->p_next_len ||
        !peer__rx_idle(p->p_x))
        return 0;
    if (sync_digest(p->p_env->pe_sync, c->c_state, c->c_role, mine) != 0)
        return 0;
    return memcmp(mine, p->p_their_digest, HASH_LEN) == 0;
}

uint64_t
peer_last_sync_ms(const struct peer *p)
{
    return p->p_last_sync;
}

void
peer_close(struct peer *p, int err, const char *why)
{
    if (!p)
        return;
    if (p->p_env->pe_on_close)
        p->p_env->pe_on_close(p->p_env->pe_arg, p, err, why);
    peer__rx_detach(p->p_x);
    if (p->p_sp)
        sync_peer_free(p->p_sp);
    blob_sync_peer_free(p->p_bp);
    net_conn_close(p->p_conn);
    shs_wipe(&p->p_shs);
    boxs_wipe(&p->p_enc);
    boxs_wipe(&p->p_dec);
    sodium_memzero(p->p_stage, sizeof(p->p_stage));
    free(p->p_out);
    free(p->p_next);
    free(p->p_plain);
    free(p);
}

void
peer_goodbye(struct peer *p)
{
    uint8_t hdr[BOXS_HEADER_LEN];

    if (p->p_phase != PEER_READY || boxs_goodbye(&p->p_enc, hdr) != 0 ||
        peer__queue_raw(p, hdr, sizeof(hdr)) != 0) {
        peer_close(p, 0, "closed");
        return;
    }
    p->p_phase = PEER_CLOSING;
    peer__kick(p);
}

uint32_t
peer_strikes(const struct peer *p)
{
    struct sync_peer_stats st;
    uint32_t s = p->p_strikes;

    if (p->p_sp) {
        sync_peer_stats(p->p_sp, &st);
        s += st.ps_strikes;
    }
    if (p->p_bp) {
        struct blob_sync_stats bst;

        blob_sync_peer_stats(p->p_bp, &bst);
        s += bst.bs_strikes;
    }
    return s;
}

enum peer_phase
peer_phase(const struct peer *p)
{
    return p->p_phase;
}

int
peer_dialed(const struct peer *p)
{
    return p->p_dialed;
}

int
peer_keyed(const struct peer *p)
{
    return p->p_keyed;
}

const uint8_t *
peer_key(const struct peer *p)
{
    return p && p->p_has_key ? p->p_key : NULL;
}

const char *
peer_addr(const struct peer *p)
{
    return net_conn_addr(p->p_conn);
}

struct blob_sync_peer *
peer_blobs(const struct peer *p)
{
    return p->p_bp;
}

struct sync_peer *
peer_sync(const struct peer *p)
{
    return p->p_sp;
}

struct net_conn *
peer_conn(const struct peer *p)
{
    return p->p_conn;
}

void
peer_set_data(struct peer *p, void *data)
{
    p->p_data = data;
}

void *
peer_data(const struct peer *p)
{
    return p->p_data;
}
