/* test_view_read.c - the view's typed read API and its guarded queries. */
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "fixture.h"
#include "test.h"

#define T0_MS 1767225600000ULL /* 2026-01-01T00:00:00Z */
#define DAY_MS 86400000ULL
#define NOBS 7

/* One DE node writing into its own store, which holds the view. */
struct rfx {
    struct roster ros;
    uint8_t net[NET_ID_LEN];
    struct key_pair root, node;
    struct store *s;
    uint8_t obs[NOBS][HASH_LEN]; /* observations, oldest first */
    uint8_t task[2][HASH_LEN];
};

static void
rfx_key(struct key_pair *k, uint8_t b)
{
    uint8_t seed[KEY_SEED_LEN];

    memset(seed, b, sizeof(seed));
    ASSERT_OK(key_from_seed(k, seed));
}

static void
rfx_put(struct rfx *f, const char *aud, uint64_t wall, struct record_builder *b,
        uint8_t *out)
{
    struct wire_buf wb;
    struct log_append_req r;
    struct log_ref ref;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(b, &wb) != 0)
        TEST_FAIL_("record_build: %s", b->rb_err);
    r.kind = b->rb_kind->vk_code;
    r.payload = wb.wb_data;
    r.len = wb.wb_len;
    ASSERT_OK(log_append(f->s, &f->node, aud, &r, 1, wall, &ref));
    if (out)
        memcpy(out, ref.lr_id, HASH_LEN);
    wire_buf_free(&wb);
}

static void
rfx_set(struct record_builder *b, const char *name, const char *v)
{
    if (record_set(b, name, v) != 0)
        TEST_FAIL_("record_set(%s): %s", name, b->rb_err);
}

/* Seven observations a day apart (the fourth in audience ms, the sixth
 * with a period in February), two tasks (one for FR, one for FR and IT,
 * accepted), and the second observation amended then retracted. */
static void
rfx_init(struct rfx *f)
{
    static const char *const cats[NOBS] = {
        "routes", "flows", "routes", "incidents", "routes", "flows", "return"};
    struct record_builder b;
    struct cert c;
    uint8_t *buf;
    size_t len;

    ASSERT_OK(key_global_init());
    memset(f, 0, sizeof(*f));
    memset(f->net, 0x07, NET_ID_LEN);
    rfx_key(&f->root, 0x31);
    f->root.kind = KEY_STATE;
    snprintf(f->root.state, sizeof(f->root.state), "DE");
    ASSERT_OK(roster_add(&f->ros, "DE", f->root.pk));
    rfx_key(&f->node, 0x51);
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "DE");
    memcpy(c.c_node, f->node.pk, KEY_PK_LEN);
    c.c_role = cert_role_for_state("DE");
    c.c_not_after = T0_MS / 1000 + 10ULL * 365 * 86400;
    c.c_serial = 1;
    ASSERT_OK(cert_issue(&c, &f->root, &buf, &len));
    ASSERT_OK(store_open(":memory:", f->net, &f->ros, &f->s));
    ASSERT_OK(store_meta_set(f->s, "cert", buf, len));
    free(buf);
    ASSERT_OK(view_attach(f->s, fx_vocab(NULL)));

    for (int i = 0; i < NOBS; i++) {
        char sum[64];
        ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
        rfx_set(&b, "category", cats[i]);
        snprintf(sum, sizeof(sum), "Observation %d%s", i,
                 i == 4 ? " near Ankara" : "");
        rfx_set(&b, "summary", sum);
        if (i == 5)
            rfx_set(&b, "period", "2026-02-01..2026-02-28");
        rfx_put(f, i == 3 ? "ms" : "net", T0_MS + (uint64_t)i * DAY_MS, &b,
                f->obs[i]);
    }
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_TASK));
    rfx_set(&b, "title", "First task");
    rfx_set(&b, "for", "FR");
    rfx_put(f, "net", T0_MS + 10 * DAY_MS, &b, f->task[0]);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_TASK));
    rfx_set(&b, "title", "Second task");
    rfx_set(&b, "for", "FR,IT");
    rfx_put(f, "net", T0_MS + 11 * DAY_MS, &b, f->task[1]);
}

static void
rfx_free(struct rfx *f)
{
    store_close(f->s);
}

/* ---- collecting rows ----------------------------------------------------- */

#define ROWS_MAX 64

struct rows {
    size_t n, ncols;
    char col[64][32];
    char id[ROWS_MAX][2 * HASH_LEN + 1]; /* the "id" cell, or "" */
    char first[ROWS_MAX][128];           /* the first cell as text */
    int stop_after;                      /* > 0: return 7 after this many */
};

static void
cell_text(const struct view_cell *c, char *out, size_t cap)
{
    switch (c->ce_type) {
    case VIEW_INT: snprintf(out, cap, "%lld", (long long)c->ce_int); break;
    case VIEW_TEXT:
    case VIEW_REAL: snprintf(out, cap, "%s", c->ce_text); break;
    case VIEW_BLOB: snprintf(out, cap, "<%zu bytes>", c->ce_len); break;
    default: snprintf(out, cap, "NULL");
    }
}

static int
rows_columns(void *arg, const struct view_row *names)
{
    struct rows *r = arg;

    r->ncols = names->rw_ncells;
    for (size_t i = 0; i < names->rw_ncells && i < 64; i++) {
        ASSERT_EQ(names->rw_cells[i].ce_type, VIEW_NULL);
        snprintf(r->col[i], sizeof(r->col[i]), "%s",
                 names->rw_cells[i].ce_name);
    }
    return 0;
}

static int
rows_row(void *arg, const struct view_row *row)
{
    struct rows *r = arg;
    const struct view_cell *id = view_row_cell(row, "id");

    ASSERT_EQ(row->rw_ncells, r->ncols);
    if (r->n >= ROWS_MAX) { /* counted, not kept */
        r->n++;
        return 0;
    }
    for (size_t i = 0; i < row->rw_ncells && i < 64; i++)
        ASSERT_STR_EQ(row->rw_cells[i].ce_name, r->col[i]);
    snprintf(r->id[r->n], sizeof(r->id[r->n]), "%s",
             id && id->ce_type == VIEW_TEXT ? id->ce_text : "");
    if (row->rw_ncells)
        cell_text(&row->rw_cells[0], r->first[r->n], sizeof(r->first[0]));
    r->n++;
    return r->stop_after && (int)r->n == r->stop_after ? 7 : 0;
}

static const char *
hx(const uint8_t *id)
{
    static char buf[4][2 * HASH_LEN + 1];
    static int k;
    char *b = buf[k++ % 4];

    hash_hex(id, HASH_LEN, b);
    return b;
}

static int
list(struct store *s, const struct view_list_req *rq, struct rows *r,
     struct view_list_res *res)
{
    struct view_sink sink = {rows_columns, rows_row, r};

    memset(r, 0, sizeof(*r));
    return view_list(s, rq, &sink, res);
}

/* ---- lists --------------------------------------------------------------- */

static void
view_list_orders_and_filters(void)
{
    struct rfx f;
    struct view_list_req rq;
    struct view_list_res res;
    struct rows r;
    uint32_t kind;

    rfx_init(&f);
    ASSERT_OK(view_list_kind("observations", &kind));
    ASSERT_EQ(kind, KIND_OBSERVATION);
    ASSERT_OK(view_list_kind("evidence", &kind));
    ASSERT_EQ(kind, 0);
    ASSERT_ERR(view_list_kind("records", &kind), ILONET_ENOTFOUND);

    /* the list's own order: by event day, then time written; every
     * observation takes effect. The sixth observed February, so it comes
     * after the seventh, written a day later but observed in January. */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    ASSERT_OK(list(f.s, &rq, &r, &res));
    ASSERT_EQ(r.n, NOBS);
    ASSERT_EQ(res.ls_count, NOBS);
    ASSERT_STR_EQ(res.ls_next, "");
    for (int i = 0; i < NOBS; i++)
        ASSERT_STR_EQ(r.id[i], hx(f.obs[i < 5 ? i : i == 5 ? 6 : 5]));
    ASSERT_STR_EQ(r.col[0], "id");

    /* newest first */
    rq.lr_order = VIEW_ORDER_NEWEST;
    ASSERT_OK(list(f.s, &rq, &r, &res));
    ASSERT_EQ(r.n, NOBS);
    for (int i = 0; i < NOBS; i++)
        ASSERT_STR_EQ(r.id[i], hx(f.obs[NOBS - 1 - i]));

    /* filters */
    rq.lr_category = "routes";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 3);
    ASSERT_STR_EQ(r.id[0], hx(f.obs[4]));
    rq.lr_category = NULL;
    rq.lr_audience = "ms";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(f.obs[3]));
    rq.lr_audience = NULL;
    rq.lr_text = "ANKARA"; /* case-insensitive substring */
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(f.obs[4]));
    rq.lr_text = NULL;
    /* written on 2026-01-03 .. 01-04, and the February period overlaps */
    rq.lr_from = "2026-01-03";
    rq.lr_to = "2026-02-10";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, NOBS - 2);
    rq.lr_from = "2026-02-10";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(f.obs[5]));
    rq.lr_from = rq.lr_to = NULL;
    rq.lr_state = "FR";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);
    rq.lr_state = "DE";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, NOBS);
    ASSERT_EQ(r.ncols > 10, 1); /* the columns come even without rows */
    rfx_free(&f);
}

/* Lists place records by their event days (docs/VIEW.md "Event time"):
 * a meeting dated 2027-01-20 written in December 2026 lists in 2027-H1,
 * not in 2026-H2; an open-ended posting lists in every period from its
 * start; an acting presidency lists in its semester; the order is by
 * event day, also with --all and across pages. */
static void
view_list_by_event_time(void)
{
    static const uint64_t dec15 = 1797292800000ULL; /* 2026-12-15 */
    struct rfx f;
    struct record_builder b;
    struct view_list_req rq;
    struct view_list_res res;
    struct rows r;
    uint8_t late[HASH_LEN], early[HASH_LEN], post[HASH_LEN], acting[HASH_LEN];
    char after[VIEW_CURSOR_MAX];

    rfx_init(&f);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_MEETING));
    rfx_set(&b, "date", "2027-01-20");
    rfx_set(&b, "place", "Ankara");
    rfx_set(&b, "convenor", "DE");
    rfx_set(&b, "participants", "DE,FR");
    rfx_set(&b, "commission", "present");
    rfx_set(&b, "topics", "planned in December");
    rfx_put(&f, "net", dec15, &b, late);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_MEETING));
    rfx_set(&b, "date", "2026-12-01");
    rfx_set(&b, "place", "Izmir");
    rfx_set(&b, "convenor", "DE");
    rfx_set(&b, "participants", "DE");
    rfx_set(&b, "commission", "present");
    rfx_set(&b, "topics", "written after the other");
    rfx_put(&f, "net", dec15 + DAY_MS, &b, early);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_POSTING));
    rfx_set(&b, "post", "Ankara");
    rfx_set(&b, "officers", "2");
    rfx_set(&b, "from", "2026-10-01");
    rfx_put(&f, "net", T0_MS + 40 * DAY_MS, &b, post);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_ACTING_PRESIDENCY));
    rfx_set(&b, "semester", "2027-H1");
    rfx_set(&b, "state", "DE");
    rfx_set(&b, "reason", "no ILO of the presidency");
    rfx_put(&f, "net", T0_MS + 41 * DAY_MS, &b, acting);

    /* ordered by date, not by time written */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "meetings";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    ASSERT_STR_EQ(r.id[0], hx(early));
    ASSERT_STR_EQ(r.id[1], hx(late));
    rq.lr_all = 1;
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    ASSERT_STR_EQ(r.id[0], hx(early));
    /* pages of one carry the event day in the cursor */
    rq.lr_all = 0;
    rq.lr_limit = 1;
    ASSERT_OK(list(f.s, &rq, &r, &res));
    ASSERT_STR_EQ(r.id[0], hx(early));
    ASSERT_EQ(strncmp(res.ls_next, "meetings/lv.t", 13), 0);
    snprintf(after, sizeof(after), "%s", res.ls_next);
    rq.lr_after = after;
    ASSERT_OK(list(f.s, &rq, &r, &res));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(late));
    ASSERT_STR_EQ(res.ls_next, "");
    rq.lr_after = NULL;
    rq.lr_limit = 0;

    /* 2027-H1 has the January meeting, 2026-H2 the December one */
    rq.lr_from = "2027-01-01";
    rq.lr_to = "2027-06-30";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(late));
    rq.lr_all = 1;
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(late));
    rq.lr_all = 0;
    rq.lr_from = "2026-07-01";
    rq.lr_to = "2026-12-31";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(early));

    /* a posting without an end is in force in every later period */
    rq.lr_list = "postings";
    rq.lr_from = "2030-01-01";
    rq.lr_to = "2030-06-30";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(post));
    rq.lr_from = "2026-01-01";
    rq.lr_to = "2026-09-30";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);

    /* an acting presidency is in its semester, not when it was written */
    rq.lr_list = "acting-presidencies";
    rq.lr_from = "2027-03-01";
    rq.lr_to = "2027-03-01";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(acting));
    rq.lr_from = "2026-02-01";
    rq.lr_to = "2026-02-28";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);

    /* the chairs list exists under 377-2004 too: empty, and a text
     * filter over fields this vocabulary lacks matches nothing */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "chairs";
    rq.lr_text = "chair";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);
    ASSERT_STR_EQ(r.col[0], "id");
    rq.lr_all = 1;
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);
    rfx_free(&f);
}

/* Pages of 3 through the cursor give every row once, in order, for each
 * order and with --all; a row added between two pages does not shift
 * them. */
static void
view_list_pages_with_a_cursor(void)
{
    static const enum view_order orders[2] = {VIEW_ORDER_LIST,
                                              VIEW_ORDER_NEWEST};
    struct rfx f;
    struct view_list_req rq;
    struct view_list_res res;
    struct rows all, page;
    char after[VIEW_CURSOR_MAX];

    rfx_init(&f);
    for (int o = 0; o < 2; o++)
        for (int a = 0; a < 2; a++) {
            size_t got = 0;
            memset(&rq, 0, sizeof(rq));
            rq.lr_list = "observations";
            rq.lr_order = orders[o];
            rq.lr_all = a;
            ASSERT_OK(list(f.s, &rq, &all, NULL));
            ASSERT_EQ(all.n, NOBS);
            rq.lr_limit = 3;
            for (int p = 0; p < 4; p++) {
                ASSERT_OK(list(f.s, &rq, &page, &res));
                ASSERT_EQ(page.n, res.ls_count);
                for (size_t i = 0; i < page.n; i++)
                    ASSERT_STR_EQ(page.id[i], all.id[got + i]);
                got += page.n;
                if (!res.ls_next[0])
                    break;
                snprintf(after, sizeof(after), "%s", res.ls_next);
                rq.lr_after = after;
            }
            ASSERT_EQ(got, NOBS);
            ASSERT_STR_EQ(res.ls_next, "");
        }

    /* a full last page says so: 7 rows in pages of 7 */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    rq.lr_limit = NOBS;
    ASSERT_OK(list(f.s, &rq, &page, &res));
    ASSERT_EQ(page.n, NOBS);
    ASSERT_STR_EQ(res.ls_next, "");

    /* keyset: a newer row written after page 1 does not move page 2 */
    rq.lr_limit = 3;
    ASSERT_OK(list(f.s, &rq, &page, &res));
    snprintf(after, sizeof(after), "%s", res.ls_next);
    {
        struct record_builder b;
        ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
        rfx_set(&b, "category", "routes");
        rfx_set(&b, "summary", "late arrival");
        rfx_put(&f, "net", T0_MS + 30 * DAY_MS, &b, NULL);
    }
    rq.lr_after = after;
    ASSERT_OK(list(f.s, &rq, &page, &res));
    ASSERT_EQ(page.n, 3);
    ASSERT_STR_EQ(page.id[0], hx(f.obs[3]));
    rfx_free(&f);
}

static void
view_list_refuses_bad_requests(void)
{
    struct rfx f;
    struct view_list_req rq;
    struct view_list_res res;
    struct rows r;

    rfx_init(&f);
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "nothing";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_list = "meetings";
    rq.lr_category = "routes";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_category = NULL;
    rq.lr_status = "open";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_status = NULL;
    rq.lr_from = "2026-01-01"; /* without lr_to */
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_from = NULL;
    rq.lr_list = "grants";
    rq.lr_limit = 2; /* pages are for record kinds */
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);

    /* a cursor of another list, another order, or made up */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    rq.lr_limit = 2;
    ASSERT_OK(list(f.s, &rq, &r, &res));
    ASSERT(res.ls_next[0]);
    rq.lr_after = res.ls_next;
    rq.lr_order = VIEW_ORDER_NEWEST;
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_order = VIEW_ORDER_LIST;
    rq.lr_list = "tasks";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_list = "observations";
    rq.lr_after = "observations/lv.i12.tzz";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_after = "observations/lv.i12";
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    rq.lr_after = "observations/lv.t41.i12.t41.n"; /* a key too many */
    ASSERT_ERR(list(f.s, &rq, &r, NULL), ILONET_EINVAL);
    /* well formed (event day, time, id): all rows follow */
    rq.lr_after = "observations/lv.n.n.n";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    rfx_free(&f);
}

/* Tasks for a state and by status; --all keeps retracted records. */
static void
view_list_tasks_for_a_state_and_all(void)
{
    struct rfx f;
    struct view_list_req rq;
    struct rows r;

    rfx_init(&f);
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "tasks";
    rq.lr_assignee = "IT";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], hx(f.task[1]));
    rq.lr_assignee = "FR";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    rq.lr_assignee = "F"; /* whole state codes only */
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);
    rq.lr_assignee = NULL;
    rq.lr_status = "accept";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 0);
    rq.lr_status = "open"; /* no status change yet */
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    rq.lr_all = 1;
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 2);
    rq.lr_status = NULL; /* the records view names the columns as it does */
    rq.lr_assignee = "IT";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, 1);

    /* retract one observation: gone from the list, kept with --all */
    {
        struct record_builder b;
        ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_RETRACT));
        ASSERT_OK(record_set_id(&b, "record", f.obs[1]));
        rfx_put(&f, "net", T0_MS + 20 * DAY_MS, &b, NULL);
    }
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, NOBS - 1);
    rq.lr_all = 1;
    ASSERT_OK(list(f.s, &rq, &r, NULL));
    ASSERT_EQ(r.n, NOBS);
    ASSERT_STR_EQ(r.id[1], hx(f.obs[1]));
    rfx_free(&f);
}

/* ---- one record ---------------------------------------------------------- */

static void
view_record_get_with_history(void)
{
    struct rfx f;
    struct rows rec, hist, ch;
    struct view_sink rs = {rows_columns, rows_row, &rec};
    struct view_sink hs = {rows_columns, rows_row, &hist};
    struct view_sink cs = {rows_columns, rows_row, &ch};
    uint8_t amend[HASH_LEN], retract[HASH_LEN], none[HASH_LEN];
    struct record_builder fb, b;
    struct wire_buf wb;

    rfx_init(&f);
    ASSERT_OK(
        record_builder_start_amend(&fb, fx_vocab(NULL), KIND_OBSERVATION));
    rfx_set(&fb, "summary", "amended");
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    ASSERT_OK(record_build(&fb, &wb));
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_AMEND));
    ASSERT_OK(record_set_id(&b, "record", f.obs[2]));
    ASSERT_OK(record_set_raw(&b, "fields", wb.wb_data, wb.wb_len));
    rfx_put(&f, "net", T0_MS + 20 * DAY_MS, &b, amend);
    wire_buf_free(&wb);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_RETRACT));
    ASSERT_OK(record_set_id(&b, "record", f.obs[2]));
    rfx_put(&f, "net", T0_MS + 21 * DAY_MS, &b, retract);

    memset(&rec, 0, sizeof(rec));
    memset(&hist, 0, sizeof(hist));
    ASSERT_OK(view_record_get(f.s, f.obs[2], &rs, &hs));
    ASSERT_EQ(rec.n, 1);
    ASSERT_STR_EQ(rec.id[0], hx(f.obs[2]));
    ASSERT_EQ(hist.n, 2);
    ASSERT_STR_EQ(hist.id[0], hx(amend));
    ASSERT_STR_EQ(hist.id[1], hx(retract));
    ASSERT_EQ(hist.ncols, 9);
    ASSERT_STR_EQ(hist.col[7], "why");
    ASSERT_STR_EQ(hist.col[8], "officer");

    memset(none, 0xee, sizeof(none));
    memset(&rec, 0, sizeof(rec));
    ASSERT_ERR(view_record_get(f.s, none, &rs, &hs), ILONET_ENOTFOUND);
    ASSERT_EQ(rec.n, 0);

    /* a change by a prefix of its id */
    char prefix[13];
    snprintf(prefix, sizeof(prefix), "%.12s", hx(retract));
    memset(&ch, 0, sizeof(ch));
    ASSERT_OK(view_change_find(f.s, prefix, &cs));
    ASSERT_EQ(ch.n, 1);
    ASSERT_STR_EQ(ch.id[0], hx(retract));
    ASSERT_ERR(view_change_find(f.s, "eeeeeeee", &cs), ILONET_ENOTFOUND);
    ASSERT_ERR(view_change_find(f.s, "12%4567", &cs), ILONET_EINVAL);
    ASSERT_ERR(view_change_find(f.s, "12345", &cs), ILONET_EINVAL);
    rfx_free(&f);
}

static void
view_counts_recent_and_stop(void)
{
    struct rfx f;
    struct rows r;
    struct view_sink sink = {rows_columns, rows_row, &r};
    struct view_list_req rq;

    rfx_init(&f);
    memset(&r, 0, sizeof(r));
    ASSERT_OK(view_counts_by_kind(f.s, &sink));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.col[0], "observations");
    ASSERT_STR_EQ(r.first[0], "7");
    memset(&r, 0, sizeof(r));
    ASSERT_OK(view_counts_by_month(f.s, &sink));
    ASSERT_EQ(r.n, 4); /* flows, incidents, return, routes: all January */
    memset(&r, 0, sizeof(r));
    ASSERT_OK(view_recent(f.s, 3, &sink));
    ASSERT_EQ(r.n, 3);
    ASSERT_STR_EQ(r.id[0], hx(f.task[1]));
    memset(&r, 0, sizeof(r));
    ASSERT_OK(view_evidence(f.s, &sink));
    ASSERT_EQ(r.n, 0);
    ASSERT_EQ(r.ncols, 7);
    memset(&r, 0, sizeof(r));
    ASSERT_OK(view_grants(f.s, T0_MS, &sink));
    ASSERT_STR_EQ(r.col[r.ncols - 1], "in_force");

    /* a sink's non-zero return stops the read and comes back */
    memset(&rq, 0, sizeof(rq));
    rq.lr_list = "observations";
    memset(&r, 0, sizeof(r));
    r.stop_after = 2;
    ASSERT_EQ(view_list(f.s, &rq, &sink, NULL), 7);
    ASSERT_EQ(r.n, 2);
    rfx_free(&f);
}

/* ---- guarded queries ----------------------------------------------------- */

static int
query(struct rfx *f, const char *sql, uint64_t steps, struct rows *r, char *why,
      size_t wl)
{
    struct view_sink sink = {rows_columns, rows_row, r};

    memset(r, 0, sizeof(*r));
    return view_query(f->s, sql, steps, &sink, why, wl);
}

/* The connection is as it was: writable, not defensive, no authorizer. */
static void
assert_connection_restored(struct rfx *f)
{
    sqlite3 *db = store_db(f->s);
    struct record_builder b;
    int v = -1;

    ASSERT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &v),
              SQLITE_OK);
    ASSERT_EQ(v, 0);
    ASSERT_EQ(sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, -1), 10);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TEMP TABLE t_ok(a)", NULL, NULL, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE t_ok", NULL, NULL, NULL), SQLITE_OK);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
    rfx_set(&b, "category", "routes");
    rfx_set(&b, "summary", "still writable");
    rfx_put(f, "net", T0_MS + 40 * DAY_MS, &b, NULL);
}

static void
view_query_reads_the_view(void)
{
    struct rfx f;
    struct rows r;
    char why[256];

    rfx_init(&f);
    ASSERT_OK(query(&f, "SELECT count(*) AS n FROM observations", 0, &r, why,
                    sizeof(why)));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.col[0], "n");
    ASSERT_STR_EQ(r.first[0], "7");
    ASSERT_OK(query(&f, "SELECT id FROM records WHERE kind = 11 ORDER BY id", 0,
                    &r, why, sizeof(why)));
    ASSERT_EQ(r.n, 2);
    ASSERT_OK(query(&f, "PRAGMA user_version", 0, &r, why, sizeof(why)));
    ASSERT_EQ(atoi(r.first[0]), STORE_SCHEMA_VERSION);
    ASSERT_OK(
        query(&f, "PRAGMA table_info(observations)", 0, &r, why, sizeof(why)));
    ASSERT(r.n > 10);
    ASSERT_OK(query(&f, "SELECT name FROM pragma_table_info('tasks')", 0, &r,
                    why, sizeof(why)));
    ASSERT(r.n > 5);
    ASSERT_OK(query(&f, "SELECT count(*) FROM sqlite_master", 0, &r, why,
                    sizeof(why)));
    /* a recursive query that ends is fine */
    ASSERT_OK(query(&f,
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                    " FROM c WHERE x < 1000) SELECT max(x) FROM c",
                    0, &r, why, sizeof(why)));
    ASSERT_STR_EQ(r.first[0], "1000");
    ASSERT_OK(query(&f, "SELECT 1.5 AS x;", 0, &r, why, sizeof(why)));
    ASSERT_STR_EQ(r.first[0], "1.5");
    /* not SQL, not one statement */
    ASSERT_ERR(query(&f, "SELEC 1", 0, &r, why, sizeof(why)), ILONET_EINVAL);
    ASSERT(strstr(why, "syntax error"));
    ASSERT_ERR(query(&f, "SELECT 1; SELECT 2", 0, &r, why, sizeof(why)),
               ILONET_EINVAL);
    ASSERT_STR_EQ(why, "one SQL statement expected");
    ASSERT_ERR(query(&f, "  -- nothing", 0, &r, why, sizeof(why)),
               ILONET_EINVAL);
    assert_connection_restored(&f);
    rfx_free(&f);
}

static void
view_query_attach_creates_no_file(void)
{
    char *dir = test_tmpdir("view-read-attach");
    char path[600], sql[800], why[256];
    struct rfx f;
    struct rows r;
    struct stat sb;

    rfx_init(&f);
    snprintf(path, sizeof(path), "%s/attached.db", dir);
    snprintf(sql, sizeof(sql), "ATTACH '%s' AS x", path);
    ASSERT_ERR(query(&f, sql, 0, &r, why, sizeof(why)), ILONET_EPERM);
    ASSERT(strstr(why, "ATTACH"));
    ASSERT(stat(path, &sb) != 0);
    /* nor through VACUUM INTO, which no authorizer sees */
    snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", path);
    ASSERT_ERR(query(&f, sql, 0, &r, why, sizeof(why)), ILONET_EPERM);
    ASSERT(strstr(why, "read-only"));
    ASSERT(stat(path, &sb) != 0);
    ASSERT_ERR(query(&f, "DETACH temp", 0, &r, why, sizeof(why)), ILONET_EPERM);
    assert_connection_restored(&f);
    rfx_free(&f);
    free(dir);
}

static void
view_query_fts3_tokenizer_refused(void)
{
    struct rfx f;
    struct rows r;
    char why[256];

    rfx_init(&f);
    ASSERT_ERR(
        query(&f, "SELECT fts3_tokenizer('simple')", 0, &r, why, sizeof(why)),
        ILONET_EPERM);
    ASSERT(strstr(why, "fts3_tokenizer"));
    ASSERT_EQ(r.n, 0);
    /* the form that overwrites a tokenizer with a pointer */
    ASSERT_ERR(query(&f, "SELECT fts3_tokenizer('simple', x'4141414141414141')",
                     0, &r, why, sizeof(why)),
               ILONET_EPERM);
    ASSERT_ERR(query(&f, "SELECT load_extension('/nonexistent')", 0, &r, why,
                     sizeof(why)),
               ILONET_EPERM);
    ASSERT(strstr(why, "load_extension"));
    assert_connection_restored(&f);
    rfx_free(&f);
}

static void
view_query_writes_and_settings_refused(void)
{
    static const char *const writes[] = {
        "DELETE FROM v_rec",
        "INSERT INTO meta(k, v) VALUES('x', 1)",
        "UPDATE logs SET frozen = 1",
        "DROP VIEW observations",
        "CREATE TEMP TABLE t(a)",
        "CREATE TABLE t(a)",
        "ALTER TABLE meta RENAME TO m2",
        "REINDEX",
        "ANALYZE",
        NULL,
    };
    struct rfx f;
    struct rows r;
    char why[256];
    int v = -1;

    rfx_init(&f);
    ASSERT_ERR(query(&f, "PRAGMA writable_schema = 1", 0, &r, why, sizeof(why)),
               ILONET_EPERM);
    ASSERT(strstr(why, "writable_schema"));
    ASSERT_ERR(query(&f, "PRAGMA writable_schema", 0, &r, why, sizeof(why)),
               ILONET_EPERM);
    ASSERT_ERR(query(&f, "PRAGMA query_only = 0", 0, &r, why, sizeof(why)),
               ILONET_EPERM);
    ASSERT_ERR(query(&f, "PRAGMA wal_checkpoint", 0, &r, why, sizeof(why)),
               ILONET_EPERM);
    ASSERT_ERR(query(&f, "SELECT * FROM pragma_writable_schema", 0, &r, why,
                     sizeof(why)),
               ILONET_EPERM);
    ASSERT(strstr(why, "pragma_writable_schema"));
    for (size_t i = 0; writes[i]; i++) {
        ASSERT_ERR(query(&f, writes[i], 0, &r, why, sizeof(why)), ILONET_EPERM);
        ASSERT(strstr(why, "read-only") || strstr(why, "refused"));
    }
    /* SQLite itself refuses this one before asking the authorizer */
    ASSERT_NE(query(&f, "UPDATE sqlite_master SET sql = 'x'", 0, &r, why,
                    sizeof(why)),
              0);
    ASSERT_ERR(query(&f, "BEGIN", 0, &r, why, sizeof(why)), ILONET_EPERM);
    ASSERT(strstr(why, "transaction"));
    ASSERT_ERR(query(&f, "SAVEPOINT a", 0, &r, why, sizeof(why)), ILONET_EPERM);
    /* nothing changed */
    {
        sqlite3_stmt *st;
        ASSERT_EQ(sqlite3_prepare_v2(store_db(f.s), "PRAGMA writable_schema",
                                     -1, &st, NULL),
                  SQLITE_OK);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        ASSERT_EQ(v, 0);
    }
    ASSERT_OK(query(&f, "SELECT count(*) FROM v_rec", 0, &r, why, sizeof(why)));
    ASSERT_STR_EQ(r.first[0], "9");
    assert_connection_restored(&f);
    rfx_free(&f);
}

static void
view_query_runaway_cte_stopped(void)
{
    struct rfx f;
    struct rows r;
    char why[256];

    rfx_init(&f);
    ASSERT_ERR(query(&f,
                     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                     " FROM c) SELECT count(*) FROM c",
                     1000000, &r, why, sizeof(why)),
               ILONET_ETOOBIG);
    ASSERT(strstr(why, "stopped after 1000000 steps"));
    /* a runaway that returns rows is stopped too, after some of them */
    ASSERT_ERR(query(&f,
                     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                     " FROM c) SELECT x FROM c",
                     200000, &r, why, sizeof(why)),
               ILONET_ETOOBIG);
    ASSERT(r.n > 0);
    assert_connection_restored(&f);
    rfx_free(&f);
}

TEST_LIST = {
    TEST(view_list_orders_and_filters),
    TEST(view_list_by_event_time),
    TEST(view_list_pages_with_a_cursor),
    TEST(view_list_refuses_bad_requests),
    TEST(view_list_tasks_for_a_state_and_all),
    TEST(view_record_get_with_history),
    TEST(view_counts_recent_and_stop),
    TEST(view_query_reads_the_view),
    TEST(view_query_attach_creates_no_file),
    TEST(view_query_fts3_tokenizer_refused),
    TEST(view_query_writes_and_settings_refused),
    TEST(view_query_runaway_cte_stopped),
};

TEST_MAIN()
