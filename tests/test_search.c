/* test_search.c - the view's full-text index: queries, filters, pages, upkeep,
 * erasure. */
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
#include "storage/view/view_int.h"
#include "storage/view/view_search.h"
#include "fixture.h"
#include "test.h"

#define T0_MS 1767225600000ULL /* 2026-01-01T00:00:00Z */
#define DAY_MS 86400000ULL
/* A word no other text of the fixture holds, to find after erasure. */
#define SECRET "zqxjvplumbus"

/* One DE node writing into its own store (a file, so the bytes can be
 * searched after an erasure). */
struct sfx {
    struct roster ros;
    uint8_t net[NET_ID_LEN];
    struct key_pair root, node;
    struct store *s;
    char *dir;
    char path[512];
    uint64_t wall;
};

static void
sfx_put(struct sfx *f, const char *aud, struct record_builder *b, uint8_t *out)
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
    f->wall += DAY_MS;
    ASSERT_OK(log_append(f->s, &f->node, aud, &r, 1, f->wall, &ref));
    if (out)
        memcpy(out, ref.lr_id, HASH_LEN);
    wire_buf_free(&wb);
}

static void
sfx_set(struct record_builder *b, const char *name, const char *v)
{
    if (record_set(b, name, v) != 0)
        TEST_FAIL_("record_set(%s): %s", name, b->rb_err);
}

static void
sfx_obs(struct sfx *f, const char *cat, const char *summary, const char *detail,
        const char *aud, uint8_t *out)
{
    struct record_builder b;

    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
    sfx_set(&b, "category", cat);
    sfx_set(&b, "summary", summary);
    if (detail)
        sfx_set(&b, "detail", detail);
    sfx_put(f, aud, &b, out);
}

/* A change (amend with fields, retract, erase) of record id. */
static void
sfx_change(struct sfx *f, uint32_t kind, const uint8_t *id, const char *field,
           const char *value)
{
    struct record_builder b, fb;
    struct wire_buf fw;

    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), kind));
    ASSERT_OK(record_set_id(&b, "record", id));
    wire_buf_init(&fw, 4096);
    if (kind == KIND_AMEND) {
        ASSERT_OK(
            record_builder_start_amend(&fb, fx_vocab(NULL), KIND_OBSERVATION));
        sfx_set(&fb, field, value);
        ASSERT_OK(record_build(&fb, &fw));
        ASSERT_OK(record_set_raw(&b, "fields", fw.wb_data, fw.wb_len));
    }
    sfx_put(f, "net", &b, NULL); /* the builder points into fw */
    wire_buf_free(&fw);
}

static void
sfx_open(struct sfx *f)
{
    ASSERT_OK(store_open(f->path, f->net, &f->ros, &f->s));
    ASSERT_OK(view_attach(f->s, fx_vocab(NULL)));
}

static void
sfx_init(struct sfx *f, const char *tag)
{
    struct cert c;
    uint8_t *buf;
    size_t len;

    ASSERT_OK(key_global_init());
    memset(f, 0, sizeof(*f));
    memset(f->net, 0x07, NET_ID_LEN);
    {
        uint8_t seed[KEY_SEED_LEN];
        memset(seed, 0x31, sizeof(seed));
        ASSERT_OK(key_from_seed(&f->root, seed));
        memset(seed, 0x51, sizeof(seed));
        ASSERT_OK(key_from_seed(&f->node, seed));
    }
    f->root.kind = KEY_STATE;
    snprintf(f->root.state, sizeof(f->root.state), "DE");
    ASSERT_OK(roster_add(&f->ros, "DE", f->root.pk));
    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "DE");
    memcpy(c.c_node, f->node.pk, KEY_PK_LEN);
    c.c_role = cert_role_for_state("DE");
    c.c_not_after = T0_MS / 1000 + 10ULL * 365 * 86400;
    c.c_serial = 1;
    ASSERT_OK(cert_issue(&c, &f->root, &buf, &len));
    f->dir = test_tmpdir(tag);
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    sfx_open(f);
    ASSERT_OK(store_meta_set(f->s, "cert", buf, len));
    free(buf);
    f->wall = T0_MS;
}

static void
sfx_free(struct sfx *f)
{
    store_close(f->s);
    free(f->dir);
}

/* ---- collecting results -------------------------------------------------- */

#define HITS_MAX 32

struct hits {
    size_t n, ncols;
    char title[HITS_MAX][160];
    char snippet[HITS_MAX][200];
    double rank[HITS_MAX];
    char col[16][16];
};

static int
hits_cols(void *arg, const struct view_row *names)
{
    struct hits *h = arg;

    h->ncols = names->rw_ncells;
    for (size_t i = 0; i < names->rw_ncells && i < 16; i++)
        snprintf(h->col[i], sizeof(h->col[i]), "%s",
                 names->rw_cells[i].ce_name);
    return 0;
}

static int
hits_row(void *arg, const struct view_row *row)
{
    struct hits *h = arg;
    const struct view_cell *t = view_row_cell(row, "title");
    const struct view_cell *s = view_row_cell(row, "snippet");
    const struct view_cell *r = view_row_cell(row, "rank");

    ASSERT(t && s && r && r->ce_type == VIEW_REAL);
    if (h->n < HITS_MAX) {
        h->rank[h->n] = r->ce_real;
        snprintf(h->title[h->n], sizeof(h->title[0]), "%s",
                 t->ce_type == VIEW_TEXT ? t->ce_text : "");
        snprintf(h->snippet[h->n], sizeof(h->snippet[0]), "%s",
                 s->ce_type == VIEW_TEXT ? s->ce_text : "");
    }
    h->n++;
    return 0;
}

static int
search(struct store *s, struct view_search_req *rq, struct hits *h,
       struct view_search_res *res, char *why)
{
    struct view_sink sink = {hits_cols, hits_row, h};

    memset(h, 0, sizeof(*h));
    if (!rq->sr_limit)
        rq->sr_limit = 50;
    return view_search(s, rq, &sink, res, why, VIEW_SEARCH_WHY_MAX);
}

/* Rows as "id rank" (the rank's bits in hex), at most is_cap. */
struct ids_sink {
    char (*is_o)[96];
    size_t is_n, is_cap;
};

static int
ids_row(void *arg, const struct view_row *row)
{
    struct ids_sink *is = arg;
    const struct view_cell *id = view_row_cell(row, "id");
    const struct view_cell *r = view_row_cell(row, "rank");

    ASSERT(id && id->ce_type == VIEW_TEXT && r && r->ce_type == VIEW_REAL);
    ASSERT(is->is_n < is->is_cap);
    snprintf(is->is_o[is->is_n++], 96, "%.64s %a", id->ce_text, r->ce_real);
    return 0;
}

/* The number of hits of q (no filters). */
static size_t
nhits(struct store *s, const char *q)
{
    struct view_search_req rq = {.sr_query = q};
    struct hits h;
    char why[VIEW_SEARCH_WHY_MAX];

    if (search(s, &rq, &h, NULL, why) != 0)
        TEST_FAIL_("search '%s': %s", q, why);
    return h.n;
}

/* Rows of the index's shadow tables holding the bytes of word. */
static int64_t
shadow_count(struct store *s, const char *word)
{
    static const char *const sql[] = {
        "SELECT count(*) FROM v_search_data WHERE instr(block, CAST(?1 AS"
        " BLOB)) > 0",
        "SELECT count(*) FROM v_search_content WHERE instr(coalesce(c0, '')"
        " || coalesce(c1, ''), ?1) > 0",
        "SELECT count(*) FROM v_search_idx WHERE instr(term, CAST(?1 AS"
        " BLOB)) > 0",
    };
    int64_t n = 0;

    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        sqlite3_stmt *st = NULL;
        ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql[i], -1, &st, NULL),
                  SQLITE_OK);
        sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        n += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}

/* 1 if the file holds the bytes of word. */
static int
file_has(const char *path, const char *word)
{
    FILE *in = fopen(path, "rb");
    size_t wl = strlen(word), n, keep = 0;
    char buf[65536 + 64];
    int found = 0;

    if (!in)
        return 0;
    while (!found && (n = fread(buf + keep, 1, sizeof(buf) - keep, in)) > 0) {
        n += keep;
        for (size_t i = 0; i + wl <= n && !found; i++)
            found = memcmp(buf + i, word, wl) == 0;
        keep = n < wl ? n : wl - 1;
        memmove(buf, buf + n - keep, keep);
    }
    fclose(in);
    return found;
}

/* ---- the query language -------------------------------------------------- */

static void
t_parse_builds_quoted_expressions(void)
{
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"van", "\"van\""},
        {"van crossings", "\"van\" AND \"crossings\""},
        {"\"irregular crossings\"", "\"irregular crossings\""},
        {"cross*", "\"cross\"*"},
        {"\"cross bor\"*", "\"cross bor\"*"},
        {"van OR ankara", "\"van\" OR \"ankara\""},
        {"van NOT ankara", "\"van\" NOT \"ankara\""},
        {"van AND (ankara OR izmir)", "\"van\" AND (\"ankara\" OR \"izmir\")"},
        {"document-fraud", "\"document-fraud\""},
        /* column filters and FTS5 syntax are only words */
        {"head:van", "\"head:van\""},
        {"NEAR(a b)", "\"NEAR\" AND (\"a\" AND \"b\")"},
        {"or not and", "\"or\" AND \"not\" AND \"and\""},
        {"  spaced\tout  ", "\"spaced\" AND \"out\""},
        {"Çanakkale", "\"Çanakkale\""},
    };
    char out[4 * VIEW_SEARCH_QUERY_MAX + 16], why[VIEW_SEARCH_WHY_MAX];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (view_search_parse(ok[i].in, out, sizeof(out), why, sizeof(why)) !=
            0)
            TEST_FAIL_("'%s': %s", ok[i].in, why);
        ASSERT_STR_EQ(out, ok[i].out);
    }
}

static void
t_parse_refuses_with_a_reason(void)
{
    static const struct {
        const char *in, *why;
    } bad[] = {
        {"", "empty query"},
        {"   ", "empty query"},
        {"\"open phrase", "unbalanced quote"},
        {"(van", "unbalanced parenthesis"},
        {"van)", "unbalanced parenthesis"},
        {"()", "empty parentheses"},
        {"OR van", "OR needs a word before it"},
        {"NOT van", "NOT needs a word before it"},
        {"van OR", "OR needs a word after it"},
        {"van NOT", "NOT needs a word after it"},
        {"van AND OR x", "AND needs a word after it, not OR"},
        {"*", "'*' must follow a word"},
        {"ab*cd", "'*' must end a word"},
        {"((((((((((x))))))))))", "nested deeper"},
        {"a\001b", "control characters"},
        {"\xff\xfe", "not UTF-8"},
    };
    char out[4 * VIEW_SEARCH_QUERY_MAX + 16], why[VIEW_SEARCH_WHY_MAX];
    char big[VIEW_SEARCH_QUERY_MAX + 2];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(
            view_search_parse(bad[i].in, out, sizeof(out), why, sizeof(why)),
            ILONET_EINVAL);
        if (!strstr(why, bad[i].why))
            TEST_FAIL_("'%s': got '%s', want '%s'", bad[i].in, why, bad[i].why);
        ASSERT(!strstr(why, "fts5") && !strstr(why, "SQL"));
    }
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ASSERT_EQ(view_search_parse(big, out, sizeof(out), why, sizeof(why)),
              ILONET_ETOOBIG);
}

/* ---- searching ----------------------------------------------------------- */

static void
t_search_words_phrases_prefixes_ranked(void)
{
    struct sfx f;
    struct view_search_req rq;
    struct view_search_res res;
    struct hits h;
    char why[VIEW_SEARCH_WHY_MAX];
    struct record_builder b;

    sfx_init(&f, "search-words");
    sfx_obs(&f, "flows", "Irregular crossings at Van rising",
            "groups cross the border at night", "net", NULL);
    sfx_obs(&f, "routes", "New route through Van province", NULL, "net", NULL);
    sfx_obs(&f, "document-fraud", "Forged visas at Ankara airport",
            "crossings of the airport checks", "net", NULL);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_MEETING));
    sfx_set(&b, "date", "2026-03-01");
    sfx_set(&b, "place", "Embassy in Ankara");
    sfx_set(&b, "convenor", "DE");
    sfx_set(&b, "participants", "DE");
    sfx_set(&b, "commission", "present");
    sfx_set(&b, "topics", "Smuggling along the Van route");
    sfx_put(&f, "net", &b, NULL);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_TASK));
    sfx_set(&b, "title", "Check crossings data");
    sfx_set(&b, "for", "DE");
    sfx_put(&f, "net", &b, NULL);

    ASSERT_EQ(nhits(f.s, "van"), 3);           /* every kind */
    ASSERT_EQ(nhits(f.s, "VAN"), 3);           /* any case */
    ASSERT_EQ(nhits(f.s, "van crossings"), 1); /* both words */
    ASSERT_EQ(nhits(f.s, "\"irregular crossings\""), 1);
    ASSERT_EQ(nhits(f.s, "\"crossings irregular\""), 0);
    ASSERT_EQ(nhits(f.s, "cross*"), 3); /* crossings, cross */
    ASSERT_EQ(nhits(f.s, "van OR ankara"), 4);
    ASSERT_EQ(nhits(f.s, "van NOT route"), 1);
    ASSERT_EQ(nhits(f.s, "fraud"), 0);  /* codes are filters, not words */
    ASSERT_EQ(nhits(f.s, "border"), 1); /* the other text fields */
    ASSERT_EQ(nhits(f.s, "nothingsuchword"), 0);
    ASSERT_EQ(nhits(f.s, "ankara"), 2); /* detail and place */

    /* ranked: a match in the headline before one in the other fields */
    memset(&rq, 0, sizeof(rq));
    rq.sr_query = "crossings";
    ASSERT_OK(search(f.s, &rq, &h, &res, why));
    ASSERT_EQ(h.n, 3);
    ASSERT_STR_EQ(h.col[0], "id");
    ASSERT_STR_EQ(h.col[7], "snippet");
    ASSERT_STR_EQ(h.col[8], "rank");
    ASSERT_EQ(h.ncols, 9); /* the position k stays inside */
    ASSERT(strstr(h.title[2], "Forged visas"));
    /* highlighted: the match between 0x01 and 0x02 */
    ASSERT(strstr(h.snippet[0], "\001crossings\002") ||
           strstr(h.snippet[0], "\001Crossings\002"));
    ASSERT_STR_EQ(res.sr_next, "");
    sfx_free(&f);
}

/* The rank is BM25 without the length term: per phrase, its inverse
 * document frequency times the saturated count of its matches in the
 * record (the headline counting twice), whatever else the record says; a
 * query of one phrase leaves out the frequency, the same for every row. */
static void
t_search_rank_is_bm25_without_the_length(void)
{
    struct sfx f;
    struct view_search_req rq;
    struct view_search_res res;
    struct hits h;
    char why[VIEW_SEARCH_WHY_MAX];
    double idf_van, idf_matters;

    sfx_init(&f, "search-rank");
    sfx_obs(&f, "flows", "Van crossings", NULL, "net", NULL);
    sfx_obs(&f, "flows", "Other matters", "van and van again and van", "net",
            NULL);
    sfx_obs(&f, "flows", "Van crossings",
            "a long detail about the border posts, the roads to them, the"
            " weather of the season and the people who wait there",
            "net", NULL);
    for (int i = 0; i < 5; i++)
        sfx_obs(&f, "routes", "Nothing of note", NULL, "net", NULL);
    memset(&rq, 0, sizeof(rq));
    rq.sr_query = "van";
    ASSERT_OK(search(f.s, &rq, &h, &res, why));
    ASSERT_EQ(h.n, 3);
    /* three times in the other fields, before once in the headline */
    ASSERT(strstr(h.title[0], "Other matters"));
    ASSERT(fabs(h.rank[0] - -3.0 * 2.2 / (3.0 + 1.2)) < 1e-12);
    /* the long record ranks as the short one, after it by position */
    ASSERT(strstr(h.title[1], "Van crossings"));
    ASSERT(strstr(h.title[2], "Van crossings"));
    ASSERT(fabs(h.rank[1] - -2.0 * 2.2 / (2.0 + 1.2)) < 1e-12);
    ASSERT(h.rank[2] == h.rank[1]);

    /* two phrases: each weighed by its rarity among the 8 records */
    rq.sr_query = "van OR matters";
    ASSERT_OK(search(f.s, &rq, &h, &res, why));
    ASSERT_EQ(h.n, 3);
    idf_van = log((8 - 3 + 0.5) / (3 + 0.5));
    idf_matters = log((8 - 1 + 0.5) / (1 + 0.5));
    ASSERT(strstr(h.title[0], "Other matters"));
    ASSERT(fabs(h.rank[0] - -(idf_van * 3.0 * 2.2 / (3.0 + 1.2) +
                              idf_matters * 2.0 * 2.2 / (2.0 + 1.2))) < 1e-12);
    ASSERT(fabs(h.rank[1] - -idf_van * 2.0 * 2.2 / (2.0 + 1.2)) < 1e-12);
    sfx_free(&f);
}

static void
t_search_filters(void)
{
    struct sfx f;
    struct view_search_req rq;
    struct hits h;
    char why[VIEW_SEARCH_WHY_MAX];
    struct record_builder b;

    sfx_init(&f, "search-filters");
    sfx_obs(&f, "flows", "Movements near Van", NULL, "net", NULL);
    sfx_obs(&f, "routes", "Movements on the Van road", NULL, "ms", NULL);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_OBSERVATION));
    sfx_set(&b, "category", "flows");
    sfx_set(&b, "summary", "Movements in spring at Van");
    sfx_set(&b, "period", "2026-04-01..2026-04-30");
    sfx_put(&f, "net", &b, NULL);
    ASSERT_OK(record_builder_start(&b, fx_vocab(NULL), KIND_TASK));
    sfx_set(&b, "title", "Movements report for Van");
    sfx_set(&b, "for", "DE");
    sfx_put(&f, "net", &b, NULL);

    memset(&rq, 0, sizeof(rq));
    rq.sr_query = "van";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 4);
    rq.sr_kind = KIND_TASK;
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 1);
    ASSERT(strstr(h.title[0], "report"));
    rq.sr_kind = 0;
    rq.sr_category = "flows";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 2);
    rq.sr_category = NULL;
    rq.sr_audience = "ms";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 1);
    ASSERT(strstr(h.title[0], "road"));
    rq.sr_audience = NULL;
    rq.sr_state = "FR";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 0);
    rq.sr_state = "DE";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 4);
    rq.sr_state = NULL;
    /* the period: the April one by its period; the others written on
     * 2026-01-02..05 by their day */
    rq.sr_from = "2026-04-10";
    rq.sr_to = "2026-04-12";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 1);
    ASSERT(strstr(h.title[0], "spring"));
    rq.sr_from = "2026-01-01";
    rq.sr_to = "2026-01-03";
    ASSERT_OK(search(f.s, &rq, &h, NULL, why));
    ASSERT_EQ(h.n, 2);
    sfx_free(&f);
}

static void
t_search_pages_by_keyset(void)
{
    struct sfx f;
    struct view_search_req rq;
    struct view_search_res res;
    struct hits h;
    char why[VIEW_SEARCH_WHY_MAX], seen[12][160], cur[VIEW_CURSOR_MAX];
    size_t total = 0;

    sfx_init(&f, "search-pages");
    for (int i = 0; i < 11; i++) {
        char sum[80];
        snprintf(sum, sizeof(sum), "Crossing number %d%s", i,
                 i % 3 ? "" : " crossing again");
        sfx_obs(&f, "flows", sum, NULL, "net", NULL);
    }
    memset(&rq, 0, sizeof(rq));
    rq.sr_query = "crossing";
    rq.sr_limit = 4;
    for (int page = 0; page < 5; page++) {
        ASSERT_OK(search(f.s, &rq, &h, &res, why));
        for (size_t i = 0; i < h.n; i++) {
            for (size_t j = 0; j < total; j++)
                if (strcmp(seen[j], h.title[i]) == 0)
                    TEST_FAIL_("'%s' came twice", h.title[i]);
            ASSERT(total < 12);
            snprintf(seen[total++], sizeof(seen[0]), "%s", h.title[i]);
        }
        if (!res.sr_next[0])
            break;
        ASSERT_EQ(h.n, 4);
        snprintf(cur, sizeof(cur), "%s", res.sr_next);
        rq.sr_after = cur;
    }
    ASSERT_EQ(total, 11);
    /* the ones saying it twice rank first */
    ASSERT(strstr(seen[0], "again"));
    /* a cursor of another search is refused */
    rq.sr_query = "number";
    rq.sr_after = "s00000000.0000000000000000.1";
    ASSERT_EQ(search(f.s, &rq, &h, &res, why), ILONET_EINVAL);
    ASSERT(strstr(why, "cursor"));
    sfx_free(&f);
}

/* Every row of a search, each as "id rank", paged by limit with the
 * cursor: the staged plan (stage_max 0) or the plain statement (1);
 * keep_max as struct view_search_req's. */
static size_t
search_ids_keep(struct store *s, const char *q, uint64_t stage_max,
                uint64_t limit, uint64_t keep_max, char (*out)[96], size_t cap)
{
    struct view_search_req rq;
    struct view_search_res res;
    struct ids_sink is = {out, 0, cap};
    char why[VIEW_SEARCH_WHY_MAX], cur[VIEW_CURSOR_MAX];

    memset(&rq, 0, sizeof(rq));
    rq.sr_query = q;
    rq.sr_limit = limit;
    rq.sr_stage_max = stage_max;
    rq.sr_keep_max = keep_max;
    for (int page = 0; page < 200; page++) {
        struct view_sink sink = {NULL, ids_row, &is};

        if (view_search(s, &rq, &sink, &res, why, sizeof(why)) != 0)
            TEST_FAIL_("search '%s': %s", q, why);
        if (!res.sr_next[0])
            return is.is_n;
        snprintf(cur, sizeof(cur), "%s", res.sr_next);
        rq.sr_after = cur;
    }
    TEST_FAIL_("search '%s' did not end", q);
    return 0;
}

static size_t
search_ids(struct store *s, const char *q, uint64_t stage_max, uint64_t limit,
           char (*out)[96], size_t cap)
{
    return search_ids_keep(s, q, stage_max, limit, 0, out, cap);
}

/* Phrases joined by OR: the records holding all of them are ranked first
 * on their own, and those holding only some when they could reach the
 * window, or all of them at once when that is likely cheaper
 * (view__window_any()). Whichever way, and wherever a page ends, the rows
 * and ranks are the plain statement's. */
static void
t_search_or_ranks_all_first_then_the_rest(void)
{
    static const char *const queries[] = {
        "kilis OR hatay",           /* all first; the rest merged at the end */
        "hatay OR kilis",           /* the same, the phrases the other way */
        "kilis OR zeugma",          /* a rare word: the OR window alone */
        "kilis OR hatay OR zeugma", /* three */
        "kilis OR \"hatay road\"",  /* a phrase of two words */
    };
    static const uint64_t limits[] = {1, 3, 50};
    static char want[80][96], got[80][96];
    struct sfx f;

    sfx_init(&f, "search-or");
    /* both words twice in the headline: above what a record lacking one
     * can reach */
    for (int i = 0; i < 14; i++)
        sfx_obs(&f, "flows", "Kilis Hatay kilis hatay road", NULL, "net", NULL);
    /* both once, in the other text: below a record saying "hatay" twenty
     * times, so those must be merged in before these; more than a window
     * of them, so that a full window of records holding both can still
     * end below such a record */
    for (int i = 0; i < 16; i++)
        sfx_obs(&f, "flows", "Crossings", "kilis and the hatay road", "net",
                NULL);
    for (int i = 0; i < 6; i++)
        sfx_obs(&f, "flows", "Kilis kilis kilis kilis kilis",
                "kilis kilis kilis kilis kilis kilis kilis kilis kilis kilis",
                "net", NULL);
    for (int i = 0; i < 6; i++)
        sfx_obs(&f, "flows", "Hatay hatay hatay hatay hatay",
                "hatay hatay hatay hatay hatay hatay hatay hatay hatay hatay",
                "net", NULL);
    for (int i = 0; i < 2; i++)
        sfx_obs(&f, "flows", "Zeugma", "zeugma kilis", "net", NULL);
    for (int i = 0; i < 100; i++)
        sfx_obs(&f, "routes", "Nothing of note", NULL, "net", NULL);
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        size_t nw = search_ids(f.s, queries[q], 1, 50, want, 80);

        ASSERT(nw >= 32);
        for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
            size_t ng = search_ids(f.s, queries[q], 0, limits[l], got, 80);

            if (ng != nw)
                TEST_FAIL_("'%s' by %llu: %zu rows, not %zu", queries[q],
                           (unsigned long long)limits[l], ng, nw);
            for (size_t i = 0; i < nw; i++)
                if (strcmp(got[i], want[i]) != 0)
                    TEST_FAIL_("'%s' by %llu: row %zu is %s, not %s",
                               queries[q], (unsigned long long)limits[l], i,
                               got[i], want[i]);
        }
    }
    sfx_free(&f);
}

/* A query of several phrases has its IDF counted on a second connection
 * while the window walks the matches, and a phrase of several words has
 * its walk split with that connection by position (view_search_aside.c):
 * the rows and ranks, bit for bit, are those of the plain statement,
 * which does all of it in its own cursor; so they are when the walk may
 * keep one match only before it waits for the count, and inside a
 * transaction, where the search does it all on its own connection. */
static void
t_search_beside_gives_the_same_ranks(void)
{
    static const char *const words[] = {"kilis",  "hatay",  "road",
                                        "zeugma", "border", "night"};
    static const char *const queries[] = {
        "kilis hatay",
        "kilis NOT hatay",
        "kilis hatay road",
        "kil* hatay",
        "kilis OR hatay",
        "\"hatay road\" kilis",
        "zeugma OR (kilis road)",
        "\"hatay road\"",
        "\"kilis hatay\"",
    };
    static char want[400][96], got[400][96];
    struct sfx f;
    uint32_t x = 7;

    sfx_init(&f, "search-beside");
    for (int i = 0; i < 300; i++) {
        char head[128] = "", body[256] = "";

        /* deterministic texts: a few words each, some repeated */
        for (int j = 0; j < 3; j++) {
            x = x * 1103515245u + 12345u;
            strcat(head, words[(x >> 16) % 6]);
            strcat(head, " ");
        }
        for (int j = 0; j < 8; j++) {
            x = x * 1103515245u + 12345u;
            strcat(body, words[(x >> 16) % 6]);
            strcat(body, " ");
        }
        sfx_obs(&f, "flows", head, body, "net", NULL);
    }
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        size_t nw = search_ids(f.s, queries[q], 1, 50, want, 400), ng;

        ASSERT(nw >= 10);
        for (int way = 0; way < 3; way++) {
            if (way == 2)
                ASSERT_OK(store_begin(f.s));
            ng = search_ids_keep(f.s, queries[q], 0, 7, way == 1 ? 1 : 0, got,
                                 400);
            if (way == 2)
                ASSERT_OK(store_rollback(f.s));
            if (ng != nw)
                TEST_FAIL_("'%s' way %d: %zu rows, not %zu", queries[q], way,
                           ng, nw);
            for (size_t i = 0; i < nw; i++)
                if (strcmp(got[i], want[i]) != 0)
                    TEST_FAIL_("'%s' way %d: row %zu is %s, not %s", queries[q],
                               way, i, got[i], want[i]);
        }
    }
    /* the count did run beside: the second connection is open */
    ASSERT(view__attached(f.s) && view__attached(f.s)->vc_aside);
    sfx_free(&f);
}

/* A count made beside against another state of the index (a commit fell
 * between the two connections' reads) is not used: the walk counts again
 * in its own cursor, and its IDF is the one of the state it walked. */
static void
t_search_idf_beside_counts_again_when_the_index_moved(void)
{
    static const char expr[] = "\"kilis\" AND \"hatay\"";
    struct view_search_idf before, now, used;
    struct view__aside *a = NULL;
    sqlite3_stmt *st = NULL;
    int64_t ks[4];
    double rs[4];
    size_t got = 0;
    struct sfx f;

    sfx_init(&f, "search-moved");
    for (int i = 0; i < 20; i++)
        sfx_obs(&f, "flows", i % 4 ? "Kilis" : "Kilis hatay", "road", "net",
                NULL);
    ASSERT(nhits(f.s, "kilis hatay") == 5); /* folded */
    memset(&before, 0, sizeof(before));
    ASSERT_OK(view__search_idf_db(store_db(f.s), expr, &before));
    ASSERT_OK(view__aside_start(f.s, expr, &a));
    while (!view__aside_ready(a))
        usleep(1000);
    /* the count is of 20 records; now there are 30, hatay in as few */
    for (int i = 0; i < 10; i++)
        sfx_obs(&f, "flows", "Zeugma", NULL, "net", NULL);
    ASSERT(nhits(f.s, "zeugma") == 10);
    memset(&now, 0, sizeof(now));
    ASSERT_OK(view__search_idf_db(store_db(f.s), expr, &now));
    ASSERT_EQ(before.si_rows, 20);
    ASSERT_EQ(now.si_rows, 30);
    ASSERT(now.si_idf[1] != before.si_idf[1]);
    ASSERT_EQ(sqlite3_prepare_v2(store_db(f.s),
                                 "SELECT count(*) FROM (SELECT"
                                 " ilonet_push(v_search, ?8, 2.0, 1.0) AS x"
                                 " FROM v_search WHERE v_search MATCH ?1)"
                                 " WHERE x IS NOT NULL",
                                 -1, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    memset(&used, 0, sizeof(used));
    ASSERT_OK(view__search_best_aside(f.s, st, 8, expr, a, 0, &used, NULL, 0,
                                      ks, rs, 4, &got));
    sqlite3_finalize(st);
    ASSERT_EQ(got, 4);
    ASSERT_EQ(used.si_n, 2);
    ASSERT_EQ(used.si_rows, 30);
    ASSERT(memcmp(used.si_idf, now.si_idf, 2 * sizeof(double)) == 0);
    sfx_free(&f);
}

/* Amending changes the words found; retracting takes the record out. */
static void
t_search_follows_amend_and_retract(void)
{
    struct sfx f;
    uint8_t a[HASH_LEN], b2[HASH_LEN];

    sfx_init(&f, "search-amend");
    sfx_obs(&f, "flows", "Boats leaving Bodrum", NULL, "net", a);
    sfx_obs(&f, "flows", "Buses leaving Edirne", NULL, "net", b2);
    ASSERT_EQ(nhits(f.s, "bodrum"), 1);
    sfx_change(&f, KIND_AMEND, a, "summary", "Boats leaving Marmaris");
    ASSERT_EQ(nhits(f.s, "bodrum"), 0);
    ASSERT_EQ(nhits(f.s, "marmaris"), 1);
    sfx_change(&f, KIND_AMEND, a, "detail", "seen by the coast guard");
    ASSERT_EQ(nhits(f.s, "guard"), 1);
    sfx_change(&f, KIND_RETRACT, b2, NULL, NULL);
    ASSERT_EQ(nhits(f.s, "edirne"), 0);
    ASSERT_EQ(nhits(f.s, "leaving"), 1);
    sfx_free(&f);
}

/* Erasure: the words can no longer be found, and none of the index's
 * tables (nor the database file) holds their bytes any more. */
static void
t_search_erasure_removes_the_words(void)
{
    struct sfx f;
    uint8_t a[HASH_LEN];
    uint64_t n = 0;
    char wal[600];

    sfx_init(&f, "search-erase");
    for (int i = 0; i < 30; i++)
        sfx_obs(&f, "flows", "Routine movements at the border", NULL, "net",
                NULL);
    sfx_obs(&f, "incidents", "Informant " SECRET " met at the port",
            "contact " SECRET " by phone", "net", a);
    sfx_change(&f, KIND_AMEND, a, "place", "Izmir " SECRET);
    for (int i = 0; i < 5; i++)
        sfx_obs(&f, "flows", "More movements later", NULL, "net", NULL);
    ASSERT_EQ(nhits(f.s, SECRET), 1);
    ASSERT_EQ(nhits(f.s, "zqxjv*"), 1);
    /* the check below can fail: the shadow tables hold the word now */
    ASSERT(shadow_count(f.s, SECRET) > 0);
    sfx_change(&f, KIND_ERASE, a, NULL, NULL);
    ASSERT_EQ(nhits(f.s, SECRET), 0);
    ASSERT_EQ(nhits(f.s, "zqxjv*"), 0);
    ASSERT_EQ(nhits(f.s, "informant"), 0);
    ASSERT_EQ(shadow_count(f.s, SECRET), 0);
    ASSERT_EQ(nhits(f.s, "movements"), 35); /* the rest is untouched */
    ASSERT_OK(view_search_count(f.s, &n));
    ASSERT_EQ(n, 35);
    /* and the file: the WAL copied back and truncated, as an erasure
     * through node/app does */
    ASSERT_OK(store_wal_truncate(f.s, NULL));
    ASSERT(!file_has(f.path, SECRET));
    snprintf(wal, sizeof(wal), "%s-wal", f.path);
    ASSERT(!file_has(wal, SECRET));
    sfx_free(&f);
}

/* The index is rebuilt with the view, re-created when missing, and is not
 * part of the view hash. */
static void
t_search_rebuilt_with_the_view_not_hashed(void)
{
    struct sfx f;
    uint8_t h1[HASH_LEN], h2[HASH_LEN], live[HASH_LEN], reb[HASH_LEN];
    uint64_t n = 0;

    sfx_init(&f, "search-rebuild");
    sfx_obs(&f, "flows", "Crossings at Van", NULL, "net", NULL);
    sfx_obs(&f, "routes", "Crossings at Kars", NULL, "ms", NULL);
    ASSERT_OK(view_hash(f.s, NULL, h1));
    /* a full rebuild gives the same index */
    ASSERT_OK(store_begin(f.s));
    ASSERT_OK(view_rebuild(f.s));
    ASSERT_OK(store_commit(f.s));
    ASSERT_EQ(nhits(f.s, "crossings"), 2);
    ASSERT_OK(view_search_count(f.s, &n));
    ASSERT_EQ(n, 2);
    /* emptied behind the view's back: the hash does not move */
    ASSERT_EQ(
        sqlite3_exec(store_db(f.s), "DELETE FROM v_search", NULL, NULL, NULL),
        SQLITE_OK);
    ASSERT_OK(view_hash(f.s, NULL, h2));
    ASSERT_EQ(memcmp(h1, h2, HASH_LEN), 0);
    ASSERT_OK(view_check(f.s, live, reb));
    ASSERT_EQ(memcmp(live, reb, HASH_LEN), 0);
    /* an index of another layout (or none) is re-created on attach */
    ASSERT_EQ(sqlite3_exec(store_db(f.s),
                           "UPDATE meta SET v = 0 WHERE k = 'search_version'",
                           NULL, NULL, NULL),
              SQLITE_OK);
    store_close(f.s);
    sfx_open(&f);
    ASSERT_EQ(nhits(f.s, "crossings"), 2);
    ASSERT_EQ(nhits(f.s, "kars"), 1);
    sfx_free(&f);
}

/* One integer from sql. */
static int64_t
sql_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n;

    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Upkeep is lazy: a write only notes its records, the notes are stored
 * with the write (they outlive the connection), view_search_fold() folds
 * them in batches, and a search folds whatever is left first. A record
 * erased before it was folded in is never indexed. */
static void
t_search_fold_is_lazy_batched_and_durable(void)
{
    struct sfx f;
    uint8_t a[HASH_LEN];
    uint64_t n = 0;
    int more = 0;

    sfx_init(&f, "search-fold");
    ASSERT_OK(store_begin(f.s));
    for (int i = 0; i < 5; i++)
        sfx_obs(&f, "flows", "Ferries from Chios", NULL, "net", NULL);
    ASSERT_OK(store_commit(f.s));
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search"), 0);
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search_dirty"), 5);
    ASSERT_EQ(view_search_fold(f.s, 0, &more), ILONET_EINVAL);
    ASSERT_OK(view_search_fold(f.s, 2, &more));
    ASSERT_EQ(more, 1);
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search"), 2);
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search_dirty"), 3);
    /* the notes are in the store: a new connection finds them */
    sfx_obs(&f, "incidents", "Informant " SECRET " at the port", NULL, "net",
            a);
    store_close(f.s);
    sfx_open(&f);
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search_dirty"), 4);
    /* erased before any fold: nothing to purge from the index, and it is
     * never indexed */
    sfx_change(&f, KIND_ERASE, a, NULL, NULL);
    ASSERT_EQ(nhits(f.s, SECRET), 0);
    ASSERT_EQ(shadow_count(f.s, SECRET), 0);
    ASSERT_EQ(nhits(f.s, "chios"), 5);
    ASSERT_EQ(sql_int(f.s, "SELECT count(*) FROM v_search_dirty"), 0);
    /* nothing noted: no transaction, more 0 */
    more = 1;
    ASSERT_OK(view_search_fold(f.s, 100, &more));
    ASSERT_EQ(more, 0);
    ASSERT_OK(view_search_count(f.s, &n));
    ASSERT_EQ(n, 5);
    sfx_free(&f);
}

/* Pages one record's append reads or writes (page cache hits and misses). */
static int
pages_of_one_append(struct sfx *f)
{
    sqlite3 *db = store_db(f->s);
    int hit = 0, miss = 0, hw;

    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_HIT, &hit, &hw, 1);
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_MISS, &miss, &hw, 1);
    sfx_obs(f, "flows", "One more crossing", NULL, "net", NULL);
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_HIT, &hit, &hw, 1);
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_MISS, &miss, &hw, 1);
    return hit + miss;
}

/* The index's upkeep at a commit costs what the commit wrote, not the
 * size of the view (issue 17: it counted all of v_rec at every group
 * commit of a syncing node). */
static void
t_search_upkeep_does_not_walk_the_view(void)
{
    struct sfx f;
    int small, big;

    sfx_init(&f, "search-upkeep");
    sfx_obs(&f, "flows", "Crossings at Van", NULL, "net", NULL);
    small = pages_of_one_append(&f);
    /* 20,000 rows more, written past the view's hooks (a connection of
     * its own), so nothing is noted for the index */
    store_close(f.s);
    {
        sqlite3 *db = NULL;
        ASSERT_EQ(sqlite3_open(f.path, &db), SQLITE_OK);
        ASSERT_EQ(
            sqlite3_exec(db,
                         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT"
                         " i + 1 FROM c WHERE i < 20000) INSERT INTO v_rec(k,"
                         " kind, author_state, owner, valid, status, ms)"
                         " SELECT 1000000000 + i, 99, 'DE', 'DE', 1,"
                         " 'active', i FROM c",
                         NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(db);
    }
    sfx_open(&f);
    pages_of_one_append(&f); /* the cache warms as before the first count */
    big = pages_of_one_append(&f);
    /* a walk of 20,000 rows reads well over 20 pages */
    ASSERT(big <= small + 8);
    ASSERT_EQ(nhits(f.s, "crossing"), 3);
    sfx_free(&f);
}

TEST_LIST = {
    TEST(t_parse_builds_quoted_expressions),
    TEST(t_parse_refuses_with_a_reason),
    TEST(t_search_words_phrases_prefixes_ranked),
    TEST(t_search_rank_is_bm25_without_the_length),
    TEST(t_search_filters),
    TEST(t_search_or_ranks_all_first_then_the_rest),
    TEST(t_search_beside_gives_the_same_ranks),
    TEST(t_search_idf_beside_counts_again_when_the_index_moved),
    TEST(t_search_pages_by_keyset),
    TEST(t_search_follows_amend_and_retract),
    TEST(t_search_erasure_removes_the_words),
    TEST(t_search_rebuilt_with_the_view_not_hashed),
    TEST(t_search_fold_is_lazy_batched_and_durable),
    TEST(t_search_upkeep_does_not_walk_the_view),
};

TEST_MAIN()
