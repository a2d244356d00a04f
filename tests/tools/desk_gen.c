/* desk_gen.c - builds a desk-scale store: N records of every kind, 10 years, 28
 * states (make bench). */
/*
 *   desk_gen DIR [RECORDS [SEED]]      (RECORDS default 1000000, SEED 1)
 *
 * Writes DIR/network, DIR/roster and the node home DIR/home (the DE desk:
 * node.key, node.cert, config, store.db with the view) holding RECORDS
 * record-creating entries written by 28 states (the 27 Member States and
 * NO) between 2016-07-01 and 2026-07-01, plus what happens to records over
 * time: amendments (~8 %), retractions (~2 %), erasures (~0.3 %), task
 * status changes by the assignees, grants (some written on behalf of
 * another state, one revoked in the ninth year) and an acting presidency
 * now and then. Audiences: net, ms and two-state groups that include DE,
 * so the desk holds every log. Everything follows from SEED (keys,
 * network id, texts, times): two runs with one seed give byte-identical
 * entries. Entries go in through log_append(), the code of a local write
 * (sign, chain, insert, view hook), one log per (state, audience), many
 * batches per transaction. Prints gen_* key=value lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/error.h"
#include "crypto/grant.h"
#include "crypto/revocation.h"
#include "crypto/wire.h"
#include "node/home.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"

#define NSTATES 28
#define DESK 5 /* DE */
#define DAYS 3652
#define DAY_MS 86400000ULL
#define RING 4096 /* recent records per state: targets of changes */
#define TASKQ 512 /* pending task status changes per state */
#define TXN_ENTRIES 20000
#define MAX_DAY 64 /* entries of one state on one day, at most */
#define NGRANTS 12
#define UNSCHEDULED 0xffffffffu

static const char *const states[NSTATES] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES",
    "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
    "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
};

/* ---- deterministic randomness ------------------------------------------ */

static uint64_t rng_state;

static uint64_t
rnd64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned
rnd(unsigned n)
{
    return n ? (unsigned)(rnd64() % n) : 0;
}

static void
rnd_bytes(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd64();
}

static void
die(const char *what, int rc)
{
    fprintf(stderr, "desk_gen: %s: %s\n", what, ilonet_errname(rc));
    exit(1);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- words the texts are made of ---------------------------------------- */

static const char *const places[] = {
    "Ankara",   "Istanbul", "Izmir",  "Edirne",    "Van",    "Gaziantep",
    "Mersin",   "Antalya",  "Bodrum", "Kayseri",   "Konya",  "Trabzon",
    "Adana",    "Hatay",    "Bursa",  "Canakkale", "Dikili", "Ayvalik",
    "Kapikule", "Ipsala",   "Sarp",   "Esendere",  "Kilis",  "Sanliurfa",
};
static const char *const nations[] = {
    "SY", "AF", "IQ", "IR", "PK", "BD", "MA", "DZ", "TN", "EG", "SO",
    "ER", "NG", "CM", "GN", "CI", "ML", "SN", "PS", "YE", "LY", "SD",
};
static const char *const nouns[] = {
    "groups",    "families",    "minors",   "facilitators", "drivers",
    "boats",     "lorries",     "buses",    "documents",    "visas",
    "passports", "smugglers",   "networks", "crossings",    "departures",
    "arrivals",  "checkpoints", "routes",   "payments",     "safe houses",
};
static const char *const verbs[] = {
    "observed",  "reported",   "intercepted", "detected", "moving",
    "gathering", "waiting",    "departing",   "returned", "apprehended",
    "crossing",  "travelling", "recruited",   "guided",   "transported",
};
static const char *const tails[] = {
    "mostly at night",
    "along the coast",
    "near the border",
    "through the mountains",
    "by sea",
    "by road",
    "using forged papers",
    "with false visas",
    "in small numbers",
    "in larger groups than last month",
    "on commercial flights",
    "via transit airports",
    "under pressure from local police",
    "after a change in prices",
    "with help from relatives abroad",
};
static const char *const carriers[] = {
    "Anatolian Air", "Bosporus Jet",     "Aegean Ferries",  "Blue Line Coaches",
    "Eastern Cargo", "Marmara Shipping", "SkyLink Charter", "Taurus Bus",
};
static const char *const counterparts[] = {
    "Directorate General of Migration Management",
    "Coast Guard Command",
    "Gendarmerie General Command",
    "Provincial Police",
    "UNHCR office",
    "IOM mission",
    "Airport Authority",
    "Chamber of Shipping",
};

static void
sentence(char *out, size_t cap, unsigned words)
{
    size_t off = 0;

    for (unsigned i = 0; i < words && off + 1 < cap; i++) {
        const char *w;
        switch (i % 4) {
        case 0: w = nouns[rnd(sizeof(nouns) / sizeof(*nouns))]; break;
        case 1: w = verbs[rnd(sizeof(verbs) / sizeof(*verbs))]; break;
        case 2: w = places[rnd(sizeof(places) / sizeof(*places))]; break;
        default: w = tails[rnd(sizeof(tails) / sizeof(*tails))]; break;
        }
        off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? " " : "", w);
    }
    if (off >= cap)
        out[cap - 1] = '\0';
}

/* A sorted, unique list of k states (never more than NSTATES), "DE,FR". */
static void
state_list(char *out, size_t cap, unsigned k, int must)
{
    int pick[NSTATES] = {0};
    size_t off = 0;

    if (must >= 0)
        pick[must] = 1;
    for (unsigned i = 0; i < k; i++)
        pick[rnd(NSTATES)] = 1;
    out[0] = '\0';
    for (int i = 0; i < NSTATES; i++)
        if (pick[i])
            off += (size_t)snprintf(out + off, cap - off, "%s%s",
                                    off ? "," : "", states[i]);
}

static void
day_text(uint64_t day_ms, int64_t shift_days, char out[static 11])
{
    int64_t t = (int64_t)(day_ms / 1000) + shift_days * 86400;

    record_format_date(t < 0 ? 0 : (uint64_t)t, out);
}

/* ---- the generator's state ---------------------------------------------- */

/* Audiences a state writes to: net, ms, and one group with the desk. */
enum { AUD_NET, AUD_MS, AUD_GROUP, NAUD };

struct target {
    uint8_t t_id[HASH_LEN];
    uint32_t t_kind;
    int t_aud;
};

struct pending_status {
    uint8_t ps_task[HASH_LEN];
    int ps_aud;
    unsigned ps_day; /* due on this day */
    int ps_step;     /* 0 accept, 1 start, 2 done */
};

struct author {
    struct key_pair a_root, a_node;
    uint8_t *a_cert;
    size_t a_cert_len;
    char a_group[8]; /* "DE+FR" */
    int a_has_log[NAUD];
    double a_weight;
    uint64_t a_quota; /* records this state writes in all */
    struct target a_ring[RING];
    size_t a_nring;
    struct pending_status a_tasks[TASKQ];
    size_t a_ntasks;
    /* a grant this state holds from another (on-behalf writing) */
    int a_grant_from;
    uint8_t a_grant_id[HASH_LEN];
    uint64_t a_grant_revoked_day; /* 0: never */
};

/* One entry of a day's batch, before it is signed. */
struct pend {
    uint32_t p_kind;
    struct wire_buf p_wb;
    int p_record;   /* creates a record: remember it as a target */
    int p_task_for; /* a task: its first assignee (state index), else -1 */
};

struct gen {
    struct home g_home;
    struct author g_a[NSTATES];
    uint64_t g_t0_ms;
    uint64_t g_records, g_entries, g_changes, g_statuses, g_behalf;
    uint64_t g_in_txn;
    int g_cur_cert; /* author whose certificate is in store meta */
};

static struct gen G;

static const char *
aud_name(int a, int which)
{
    return which == AUD_NET ? "net" : which == AUD_MS ? "ms" : G.g_a[a].a_group;
}

/* ---- building payloads --------------------------------------------------- */

static void
must(struct record_builder *b, int rc)
{
    if (rc != 0)
        die(b->rb_err, ILONET_EINVAL);
}

static void
set(struct record_builder *b, const char *name, const char *text)
{
    must(b, record_set(b, name, text));
}

/* A record of kind for author a written on day (its event dates near
 * it), on behalf of state behalf under grant (behalf -1: its own), into
 * wb. The builder keeps pointers to the texts: built here, while they
 * live. */
static void
build_record(struct record_builder *b, uint32_t kind, int a, uint64_t day_ms,
             int aud, int behalf, const uint8_t *grant, int *task_to,
             struct wire_buf *wb)
{
    char s1[600], s2[600], d1[11], d2[11], per[24], num[24];
    char list[3 * NSTATES + 1];

    must(b, record_builder_start(b, G.g_home.h_vocab, kind));
    switch (kind) {
    case KIND_OBSERVATION: {
        static const char *const levels[] = {"operational", "strategic"};
        static const char *const rel[] = {"A", "B", "C", "D", "E", "F"};
        unsigned nn = 1 + rnd(3);
        size_t off = 0;

        set(b, "category", record_categories[rnd(8)]);
        sentence(s1, sizeof(s1), 6 + rnd(14));
        set(b, "summary", s1);
        if (rnd(10) < 3) {
            sentence(s2, sizeof(s2), 10 + rnd(30));
            set(b, "detail", s2);
        }
        snprintf(num, sizeof(num), "%u", rnd(2000));
        set(b, "figure", num);
        set(b, "unit", rnd(4) ? "persons" : "incidents");
        for (unsigned i = 0; i < nn; i++)
            off += (size_t)snprintf(
                list + off, sizeof(list) - off, "%s%s", i ? "," : "",
                nations[rnd(sizeof(nations) / sizeof(*nations))]);
        /* the list type refuses a repeated item: keep the first */
        if (nn == 2 && strncmp(list, list + 3, 2) == 0)
            list[2] = '\0';
        if (nn == 3 && (strncmp(list, list + 3, 2) == 0 ||
                        strncmp(list, list + 6, 2) == 0 ||
                        strncmp(list + 3, list + 6, 2) == 0))
            list[2] = '\0';
        set(b, "nationality", list);
        {
            int64_t back = (int64_t)rnd(60), len = (int64_t)rnd(90);
            day_text(day_ms, -back - len, d1);
            day_text(day_ms, -back, d2);
            snprintf(per, sizeof(per), "%s..%s", d1, d2);
            set(b, "period", rnd(5) ? per : d2);
        }
        set(b, "level", levels[rnd(2)]);
        if (rnd(2))
            set(b, "reliability", rel[rnd(6)]);
        if (rnd(5) == 0)
            set(b, "source", counterparts[rnd(8)]);
        if (rnd(10) < 7)
            set(b, "place", places[rnd(sizeof(places) / sizeof(*places))]);
        break;
    }
    case KIND_MEETING:
        day_text(day_ms, (int64_t)rnd(30) - 10, d1);
        set(b, "date", d1);
        set(b, "place", places[rnd(sizeof(places) / sizeof(*places))]);
        set(b, "convenor", states[a]);
        state_list(list, sizeof(list), 1 + rnd(6), a);
        set(b, "participants", list);
        set(b, "commission", aud == AUD_NET ? "present" : "excluded");
        sentence(s1, sizeof(s1), 8 + rnd(20));
        set(b, "topics", s1);
        if (aud != AUD_NET)
            set(b, "reason", "operational details of an ongoing case");
        break;
    case KIND_TRAINING:
        sentence(s1, sizeof(s1), 4 + rnd(4));
        set(b, "title", s1);
        set(b, "type", rnd(2) ? "joint-course" : "consular-staff");
        day_text(day_ms, (int64_t)rnd(60), d1);
        set(b, "date", d1);
        set(b, "place", places[rnd(sizeof(places) / sizeof(*places))]);
        set(b, "organiser", states[a]);
        snprintf(num, sizeof(num), "%u", 5 + rnd(60));
        set(b, "attendees", num);
        if (rnd(2)) {
            sentence(s2, sizeof(s2), 10 + rnd(20));
            set(b, "detail", s2);
        }
        break;
    case KIND_CARRIER:
        set(b, "carrier", carriers[rnd(8)]);
        sentence(s1, sizeof(s1), 6 + rnd(10));
        set(b, "position", s1);
        day_text(day_ms, -(int64_t)rnd(20), d1);
        set(b, "date", d1);
        state_list(list, sizeof(list), 1 + rnd(4), a);
        set(b, "states", list);
        if (rnd(3) == 0) {
            sentence(s2, sizeof(s2), 10 + rnd(20));
            set(b, "detail", s2);
        }
        break;
    case KIND_CONTACT: {
        static const char *const types[] = {"authority", "organisation",
                                            "network"};
        set(b, "counterpart", counterparts[rnd(8)]);
        set(b, "type", types[rnd(3)]);
        day_text(day_ms, -(int64_t)rnd(7), d1);
        set(b, "date", d1);
        set(b, "place", places[rnd(sizeof(places) / sizeof(*places))]);
        sentence(s1, sizeof(s1), 6 + rnd(16));
        set(b, "summary", s1);
        if (rnd(2)) {
            sentence(s2, sizeof(s2), 4 + rnd(8));
            set(b, "topics", s2);
        }
        break;
    }
    case KIND_POSTING:
        snprintf(s1, sizeof(s1), "ILO %s %s", states[a],
                 places[rnd(sizeof(places) / sizeof(*places))]);
        set(b, "post", s1);
        snprintf(num, sizeof(num), "%u", 1 + rnd(4));
        set(b, "officers", num);
        day_text(day_ms, (int64_t)rnd(90), d1);
        set(b, "from", d1);
        if (rnd(3)) {
            day_text(day_ms, 90 + 365 + (int64_t)rnd(3 * 365), d2);
            set(b, "until", d2);
        }
        set(b, "remit", "migration liaison, document advice to carriers");
        break;
    case KIND_TASK:
        sentence(s1, sizeof(s1), 4 + rnd(6));
        set(b, "title", s1);
        /* assigned to the group's other state, or to any state in net */
        {
            int to =
                aud == AUD_GROUP ? (a == DESK ? 11 : DESK) : (int)rnd(NSTATES);
            if (to == a)
                to = (to + 1) % NSTATES;
            set(b, "for", states[to]);
            /* the ms audience's tasks stay open */
            *task_to = aud == AUD_MS ? -1 : to;
        }
        if (rnd(2)) {
            day_text(day_ms, 7 + (int64_t)rnd(60), d1);
            set(b, "due", d1);
        }
        if (rnd(2)) {
            sentence(s2, sizeof(s2), 8 + rnd(16));
            set(b, "detail", s2);
        }
        break;
    default: die("kind", ILONET_EINVAL);
    }
    if (behalf >= 0) {
        set(b, "on-behalf-of", states[behalf]);
        must(b, record_set_id(b, "grant", grant));
    }
    must(b, record_build(b, wb));
}

/* The mix of record kinds (per mille). */
static uint32_t
pick_kind(void)
{
    unsigned r = rnd(1000);

    if (r < 700)
        return KIND_OBSERVATION;
    if (r < 760)
        return KIND_MEETING;
    if (r < 790)
        return KIND_TRAINING;
    if (r < 820)
        return KIND_CARRIER;
    if (r < 900)
        return KIND_CONTACT;
    if (r < 910)
        return KIND_POSTING;
    return KIND_TASK;
}

static int
pick_aud(void)
{
    unsigned r = rnd(100);

    return r < 85 ? AUD_NET : r < 93 ? AUD_MS : AUD_GROUP;
}

/* ---- appending ----------------------------------------------------------- */

static void
txn_check(void)
{
    int rc;

    if (G.g_in_txn < TXN_ENTRIES)
        return;
    if ((rc = store_commit(G.g_home.h_store)) != 0 ||
        (rc = store_begin(G.g_home.h_store)) != 0)
        die("commit", rc);
    G.g_in_txn = 0;
}

/* Appends the batch ps[0..n) as author a to audience aud at wall_ms and
 * remembers what was created. */
static void
flush(int a, int aud, struct pend *ps, size_t n, uint64_t wall_ms)
{
    struct author *au = &G.g_a[a];
    struct log_append_req reqs[MAX_DAY];
    struct log_ref refs[MAX_DAY];
    int rc;

    if (n == 0)
        return;
    if (!au->a_has_log[aud] && G.g_cur_cert != a) {
        /* a new log starts with its author's certificate */
        if ((rc = store_meta_set(G.g_home.h_store, "cert", au->a_cert,
                                 au->a_cert_len)) != 0)
            die("meta", rc);
        G.g_cur_cert = a;
    }
    for (size_t i = 0; i < n; i++) {
        reqs[i].kind = ps[i].p_kind;
        reqs[i].payload = ps[i].p_wb.wb_data;
        reqs[i].len = ps[i].p_wb.wb_len;
    }
    if ((rc = log_append(G.g_home.h_store, &au->a_node, aud_name(a, aud), reqs,
                         n, wall_ms, refs)) != 0)
        die("append", rc);
    au->a_has_log[aud] = 1;
    for (size_t i = 0; i < n; i++) {
        if (ps[i].p_record) {
            struct target *t = &au->a_ring[au->a_nring++ % RING];
            memcpy(t->t_id, refs[i].lr_id, HASH_LEN);
            t->t_kind = ps[i].p_kind;
            t->t_aud = aud;
        }
        if (ps[i].p_task_for >= 0) {
            struct author *to = &G.g_a[ps[i].p_task_for];
            if (to->a_ntasks < TASKQ) {
                struct pending_status *p = &to->a_tasks[to->a_ntasks++];
                memcpy(p->ps_task, refs[i].lr_id, HASH_LEN);
                p->ps_aud = aud;
                p->ps_day = UNSCHEDULED; /* schedule_tasks() */
                p->ps_step = 0;
            }
        }
        wire_buf_free(&ps[i].p_wb);
    }
    G.g_entries += n;
    G.g_in_txn += n;
}

/* An amendment, retraction or erasure of one of a's recent records (in
 * the record's audience) into p (kind, payload); 0 when a has none yet. */
static int
build_change(struct record_builder *b, struct pend *p, int a, int *aud)
{
    struct author *au = &G.g_a[a];
    const struct target *t;
    unsigned r = rnd(1000);
    size_t n = au->a_nring < RING ? au->a_nring : RING;

    if (n < 16)
        return 0;
    t = &au->a_ring[(au->a_nring - 1 - rnd((unsigned)n)) % RING];
    *aud = t->t_aud;
    if (r < 770) {
        struct record_builder fb;
        struct wire_buf fw;
        char s[400], num[16];
        const char *field, *val = s;

        switch (t->t_kind) {
        case KIND_OBSERVATION:
            if (rnd(2)) {
                field = "figure";
                snprintf(num, sizeof(num), "%u", rnd(2000));
                val = num;
            } else {
                field = "detail";
            }
            break;
        case KIND_MEETING: field = "topics"; break;
        case KIND_TRAINING: field = "detail"; break;
        case KIND_CARRIER: field = "detail"; break;
        case KIND_CONTACT: field = "summary"; break;
        case KIND_POSTING: field = "remit"; break;
        case KIND_TASK: field = "detail"; break;
        default: return 0;
        }
        if (val == s)
            sentence(s, sizeof(s), 6 + rnd(16));
        wire_buf_init(&fw, 1024);
        must(&fb, record_builder_start_amend(&fb, G.g_home.h_vocab, t->t_kind));
        set(&fb, field, val);
        must(&fb, record_build(&fb, &fw));
        must(b,
             record_builder_start(b, G.g_home.h_vocab, p->p_kind = KIND_AMEND));
        must(b, record_set_id(b, "record", t->t_id));
        must(b, record_set_raw(b, "fields", fw.wb_data, fw.wb_len));
        wire_buf_init(&p->p_wb, 4096);
        must(b, record_build(b, &p->p_wb));
        wire_buf_free(&fw);
        return 1;
    } else if (r < 970) {
        must(b, record_builder_start(b, G.g_home.h_vocab,
                                     p->p_kind = KIND_RETRACT));
        must(b, record_set_id(b, "record", t->t_id));
        set(b, "reason", "superseded by a later report");
    } else {
        must(b,
             record_builder_start(b, G.g_home.h_vocab, p->p_kind = KIND_ERASE));
        must(b, record_set_id(b, "record", t->t_id));
        set(b, "reason", "personal data recorded by mistake");
    }
    wire_buf_init(&p->p_wb, 4096);
    must(b, record_build(b, &p->p_wb));
    return 1;
}

/* The grants of the network, published on the first day by the
 * represented state's node in net: state i lets state i+1 write for it
 * (observations only for every other one). The last is revoked in the
 * ninth year. */
static void
publish_grants(uint64_t wall_ms)
{
    for (int i = 0; i < NGRANTS; i++) {
        int from = (i * 2) % NSTATES, to = (from + 1) % NSTATES;
        struct grant g;
        struct record_builder b;
        struct pend p;
        uint8_t *env;
        size_t len;
        int rc;

        memset(&g, 0, sizeof(g));
        memcpy(g.g_network, G.g_home.h_net.n_id, NET_ID_LEN);
        snprintf(g.g_represented, sizeof(g.g_represented), "%s", states[from]);
        snprintf(g.g_representing, sizeof(g.g_representing), "%s", states[to]);
        if (i % 2) {
            g.g_nscope = 1;
            snprintf(g.g_scope[0], sizeof(g.g_scope[0]), "observation");
        }
        g.g_not_before = G.g_t0_ms / 1000 - 86400;
        g.g_not_after = G.g_t0_ms / 1000 + 15ULL * 365 * 86400;
        g.g_serial = (uint64_t)i + 1;
        if ((rc = grant_issue(&g, &G.g_a[from].a_root, &env, &len)) != 0)
            die("grant", rc);
        memset(&p, 0, sizeof(p));
        p.p_task_for = -1;
        wire_buf_init(&p.p_wb, 2048);
        must(&b,
             record_builder_start(&b, G.g_home.h_vocab, p.p_kind = KIND_GRANT));
        must(&b, record_set_raw(&b, "envelope", env, len));
        must(&b, record_build(&b, &p.p_wb));
        envelope_id(env, len, G.g_a[to].a_grant_id);
        G.g_a[to].a_grant_from = from;
        free(env);
        flush(from, AUD_NET, &p, 1, wall_ms + (uint64_t)i);
    }
}

static void
revoke_grant(int to, uint64_t wall_ms)
{
    struct author *au = &G.g_a[to];
    int from = au->a_grant_from;
    struct revocation v;
    struct record_builder b;
    struct pend p;
    uint8_t *env;
    size_t len;
    int rc;

    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_GRANT;
    memcpy(v.v_network, G.g_home.h_net.n_id, NET_ID_LEN);
    snprintf(v.v_state, sizeof(v.v_state), "%s", states[from]);
    memcpy(v.v_grant, au->a_grant_id, HASH_LEN);
    v.v_at = wall_ms;
    v.v_serial = 1;
    if ((rc = revocation_issue(&v, &G.g_a[from].a_root, &env, &len)) != 0)
        die("revocation", rc);
    memset(&p, 0, sizeof(p));
    p.p_task_for = -1;
    wire_buf_init(&p.p_wb, 2048);
    must(&b, record_builder_start(&b, G.g_home.h_vocab,
                                  p.p_kind = KIND_REVOCATION));
    must(&b, record_set_raw(&b, "envelope", env, len));
    must(&b, record_build(&b, &p.p_wb));
    free(env);
    flush(from, AUD_NET, &p, 1, wall_ms);
}

/* One state's writing on one day: n new records, changes to earlier
 * ones, the task status changes due. */
static void
write_day(int a, unsigned day, unsigned n)
{
    struct author *au = &G.g_a[a];
    uint64_t day_ms = G.g_t0_ms + (uint64_t)day * DAY_MS;
    uint64_t wall =
        day_ms + 8 * 3600000ULL + (uint64_t)a * 60000 + rnd(8 * 3600) * 1000ULL;
    static struct pend batch[NAUD][MAX_DAY];
    size_t nb[NAUD] = {0};
    struct record_builder b;

    for (unsigned i = 0; i < n; i++) {
        uint32_t kind = pick_kind();
        int aud = pick_aud(), behalf;
        struct pend *p;

        if (kind == KIND_MEETING && aud == AUD_MS && rnd(2))
            aud = AUD_GROUP;
        if (nb[aud] == MAX_DAY - 2)
            continue;
        p = &batch[aud][nb[aud]++];
        memset(p, 0, sizeof(*p));
        p->p_kind = kind;
        p->p_record = 1;
        p->p_task_for = -1;
        wire_buf_init(&p->p_wb, 4096);
        /* on behalf of the state that granted it, now and then, while
         * the grant holds (and a few after its revocation: refused) */
        behalf = -1;
        if (au->a_grant_from >= 0 && rnd(200) == 0 &&
            (kind == KIND_OBSERVATION || au->a_grant_from % 2 == 0) &&
            aud == AUD_NET &&
            (!au->a_grant_revoked_day || day < au->a_grant_revoked_day + 30)) {
            behalf = au->a_grant_from;
            G.g_behalf++;
        }
        build_record(&b, kind, a, day_ms, aud, behalf, au->a_grant_id,
                     &p->p_task_for, &p->p_wb);
        G.g_records++;
    }
    /* changes: about one for every ten records written */
    for (unsigned i = 0; i < n / 10 + (rnd(10) < n % 10); i++) {
        struct pend tmp;
        int aud;

        memset(&tmp, 0, sizeof(tmp));
        tmp.p_task_for = -1;
        if (!build_change(&b, &tmp, a, &aud))
            continue;
        if (nb[aud] == MAX_DAY) {
            wire_buf_free(&tmp.p_wb);
            continue;
        }
        batch[aud][nb[aud]++] = tmp;
        G.g_changes++;
    }
    /* task status changes due today, as an assignee */
    for (size_t i = 0; i < au->a_ntasks;) {
        struct pending_status *ps = &au->a_tasks[i];
        static const char *const steps[] = {"accept", "start", "done"};
        struct pend *p;

        if (ps->ps_day > day || nb[ps->ps_aud] == MAX_DAY) {
            i++;
            continue;
        }
        p = &batch[ps->ps_aud][nb[ps->ps_aud]++];
        memset(p, 0, sizeof(*p));
        p->p_kind = KIND_TASK_STATUS;
        p->p_task_for = -1;
        wire_buf_init(&p->p_wb, 512);
        must(&b, record_builder_start(&b, G.g_home.h_vocab, KIND_TASK_STATUS));
        must(&b, record_set_id(&b, "task", ps->ps_task));
        set(&b, "status", steps[ps->ps_step]);
        must(&b, record_build(&b, &p->p_wb));
        G.g_statuses++;
        if (++ps->ps_step < 3 && rnd(4)) {
            ps->ps_day = day + 1 + rnd(20);
            i++;
        } else {
            *ps = au->a_tasks[--au->a_ntasks];
        }
    }
    for (int aud = 0; aud < NAUD; aud++)
        flush(a, aud, batch[aud], nb[aud], wall + (uint64_t)aud);
}

/* Tasks created today wait for their assignee: flush() queued them
 * unscheduled; give them a day now. */
static void
schedule_tasks(unsigned day)
{
    for (int a = 0; a < NSTATES; a++) {
        struct author *au = &G.g_a[a];
        for (size_t i = 0; i < au->a_ntasks; i++)
            if (au->a_tasks[i].ps_day == UNSCHEDULED)
                au->a_tasks[i].ps_day = day + 1 + rnd(10);
    }
}

/* ---- the home ------------------------------------------------------------ */

static void
make_keys(uint64_t seed)
{
    rng_state = seed * 0x2545f4914f6cdd1dULL + 17;
    for (int a = 0; a < NSTATES; a++) {
        struct author *au = &G.g_a[a];
        uint8_t s[KEY_SEED_LEN];

        rnd_bytes(s, sizeof(s));
        key_from_seed(&au->a_root, s);
        au->a_root.kind = KEY_STATE;
        snprintf(au->a_root.state, sizeof(au->a_root.state), "%s", states[a]);
        rnd_bytes(s, sizeof(s));
        key_from_seed(&au->a_node, s);
        au->a_node.kind = KEY_NODE;
        au->a_weight = 0.3 + (double)rnd(1000) / 600.0;
        au->a_grant_from = -1;
        if (a == DESK)
            snprintf(au->a_group, sizeof(au->a_group), "DE+FR");
        else if (a < DESK)
            snprintf(au->a_group, sizeof(au->a_group), "%s+DE", states[a]);
        else
            snprintf(au->a_group, sizeof(au->a_group), "DE+%s", states[a]);
    }
}

static void
make_home(const char *dir)
{
    char path[HOME_PATH_MAX], npath[HOME_PATH_MAX], rpath[HOME_PATH_MAX];
    struct network net;
    struct roster ros;
    struct home_config conf;
    uint64_t end_s = G.g_t0_ms / 1000 + (uint64_t)DAYS * 86400;
    int rc;

    memset(&net, 0, sizeof(net));
    snprintf(net.n_host, sizeof(net.n_host), "TR");
    rnd_bytes(net.n_id, NET_ID_LEN);
    rnd_bytes(net.n_key, NET_KEY_LEN);
    memset(&ros, 0, sizeof(ros));
    for (int a = 0; a < NSTATES; a++)
        roster_add(&ros, states[a], G.g_a[a].a_root.pk);
    if (mkdir(dir, 0755) != 0)
        die(dir, ILONET_EEXIST);
    snprintf(npath, sizeof(npath), "%s/network", dir);
    snprintf(rpath, sizeof(rpath), "%s/roster", dir);
    if ((rc = network_save(npath, &net)) != 0 ||
        (rc = roster_save(rpath, &ros)) != 0)
        die("network/roster", rc);
    /* the home, as `ilonet init` makes it, with the seed's DE node key */
    snprintf(path, sizeof(path), "%s/home", dir);
    if (mkdir(path, 0700) != 0)
        die(path, ILONET_EIO);
    snprintf(path, sizeof(path), "%s/home/node.key", dir);
    if ((rc = key_save(path, &G.g_a[DESK].a_node)) != 0)
        die(path, rc);
    snprintf(path, sizeof(path), "%s/home/network", dir);
    if ((rc = network_save(path, &net)) != 0)
        die(path, rc);
    snprintf(path, sizeof(path), "%s/home/roster", dir);
    if ((rc = roster_save(path, &ros)) != 0)
        die(path, rc);
    memset(&conf, 0, sizeof(conf));
    snprintf(conf.hc_state, sizeof(conf.hc_state), "DE");
    snprintf(path, sizeof(path), "%s/home/config", dir);
    if ((rc = home_config_save(path, &conf)) != 0)
        die(path, rc);
    /* every state's certificate: valid from before the first day until
     * years after the last (so the desk works today) */
    for (int a = 0; a < NSTATES; a++) {
        struct cert c;

        memset(&c, 0, sizeof(c));
        memcpy(c.c_network, net.n_id, NET_ID_LEN);
        snprintf(c.c_state, sizeof(c.c_state), "%s", states[a]);
        memcpy(c.c_node, G.g_a[a].a_node.pk, KEY_PK_LEN);
        c.c_role = ROLE_ILO;
        c.c_not_before = G.g_t0_ms / 1000 - 86400;
        c.c_not_after = end_s + 8ULL * 365 * 86400;
        c.c_serial = 1;
        if ((rc = cert_issue(&c, &G.g_a[a].a_root, &G.g_a[a].a_cert,
                             &G.g_a[a].a_cert_len)) != 0)
            die("cert", rc);
    }
    snprintf(path, sizeof(path), "%s/home/node.cert.issued", dir);
    if ((rc = cert_write_file(path, G.g_a[DESK].a_cert, G.g_a[DESK].a_cert_len,
                              0644)) != 0)
        die(path, rc);
    snprintf(npath, sizeof(npath), "%s/home", dir);
    if ((rc = home_open(&G.g_home, npath, HOME_STORE)) != 0)
        die(G.g_home.h_why[0] ? G.g_home.h_why : npath, rc);
    if ((rc = home_install_cert(&G.g_home, path)) != 0)
        die("install cert", rc);
    remove(path);
    G.g_cur_cert = DESK;
    sodium_memzero(&net, sizeof(net));
}

int
main(int argc, char **argv)
{
    const char *dir;
    uint64_t total, seed, done = 0, t0_day_s;
    double wsum = 0, t0;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: desk_gen DIR [RECORDS [SEED]]\n");
        return 2;
    }
    dir = argv[1];
    total = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    (void)store_global_init(); /* before any store opens */
    if (key_global_init() != 0)
        return 1;
    if (record_date_unix("2016-07-01", &t0_day_s) != 0)
        return 1;
    G.g_t0_ms = t0_day_s * 1000;
    t0 = now_s();
    make_keys(seed);
    make_home(dir);
    for (int a = 0; a < NSTATES; a++)
        wsum += G.g_a[a].a_weight;
    for (int a = 0; a < NSTATES; a++) {
        G.g_a[a].a_quota =
            a + 1 < NSTATES
                ? (uint64_t)((double)total * G.g_a[a].a_weight / wsum)
                : total - done;
        done += G.g_a[a].a_quota;
    }
    /* bulk writing: one fsync per transaction is plenty for a fixture */
    sqlite3_exec(store_db(G.g_home.h_store), "PRAGMA synchronous=OFF", NULL,
                 NULL, NULL);
    if ((rc = store_begin(G.g_home.h_store)) != 0)
        die("begin", rc);
    publish_grants(G.g_t0_ms + 7 * 3600000ULL);
    for (unsigned day = 0; day < DAYS; day++) {
        for (int a = 0; a < NSTATES; a++) {
            struct author *au = &G.g_a[a];
            uint64_t want =
                au->a_quota * (day + 1) / DAYS - au->a_quota * day / DAYS;

            while (want > MAX_DAY / 2) { /* a state never writes more than
                                            MAX_DAY/2 records a day */
                write_day(a, day, MAX_DAY / 2);
                want -= MAX_DAY / 2;
            }
            write_day(a, day, (unsigned)want);
            txn_check();
        }
        schedule_tasks(day);
        /* an acting presidency at the start of every semester */
        if (day % 182 == 1) {
            struct record_builder b;
            struct pend p;
            char sem[8], d[11];
            int pres = (int)((day / 182) % NSTATES);

            day_text(G.g_t0_ms + (uint64_t)day * DAY_MS, 0, d);
            snprintf(sem, sizeof(sem), "%.4s-H%c", d,
                     atoi(d + 5) < 7 ? '1' : '2');
            memset(&p, 0, sizeof(p));
            p.p_task_for = -1;
            p.p_record = 1;
            wire_buf_init(&p.p_wb, 512);
            must(&b, record_builder_start(&b, G.g_home.h_vocab,
                                          p.p_kind = KIND_ACTING_PRESIDENCY));
            set(&b, "semester", sem);
            set(&b, "state", states[(pres + 3) % NSTATES]);
            set(&b, "reason", "no liaison officer posted in the host country");
            must(&b, record_build(&b, &p.p_wb));
            flush(pres, AUD_NET, &p, 1,
                  G.g_t0_ms + (uint64_t)day * DAY_MS + 6 * 3600000ULL);
            G.g_records++;
        }
        /* the last grant is revoked in the ninth year */
        if (day == 8 * 365) {
            int to = ((NGRANTS - 1) * 2) % NSTATES + 1;
            revoke_grant(to,
                         G.g_t0_ms + (uint64_t)day * DAY_MS + 5 * 3600000ULL);
            G.g_a[to].a_grant_revoked_day = day;
        }
    }
    if ((rc = store_commit(G.g_home.h_store)) != 0)
        die("commit", rc);
    /* the desk's own certificate back in place */
    if ((rc = store_meta_set(G.g_home.h_store, "cert", G.g_a[DESK].a_cert,
                             G.g_a[DESK].a_cert_len)) != 0)
        die("meta", rc);
    t0 = now_s() - t0;
    printf("gen_records=%llu\ngen_entries=%llu\ngen_changes=%llu\n"
           "gen_task_status=%llu\ngen_on_behalf=%llu\ngen_seconds=%.1f\n"
           "gen_entries_per_s=%.0f\n",
           (unsigned long long)G.g_records, (unsigned long long)G.g_entries,
           (unsigned long long)G.g_changes, (unsigned long long)G.g_statuses,
           (unsigned long long)G.g_behalf, t0, (double)G.g_entries / t0);
    for (int a = 0; a < NSTATES; a++) {
        free(G.g_a[a].a_cert);
        key_wipe(&G.g_a[a].a_root);
        key_wipe(&G.g_a[a].a_node);
    }
    home_close(&G.g_home);
    return 0;
}
