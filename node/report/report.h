/* report.h - the network's report for a period (Decision 2005/687/EC,
 * Regulation 2019/1240) from the merged view. */
#ifndef ILONET_REPORT_H
#define ILONET_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

struct store; /* storage/store.h: the report reads it through the view */
struct vocab; /* storage/view/vocab.h */

/*
 * The report is driven by a versioned template (text, docs/REPORTS.md):
 * cover block, parts, items, and per item the named view queries that
 * feed it as tables or charts and, for a narrative item, the text the
 * drafting state signed for it (a report-text entry). The templates of
 * both regimes and the Council presidency rotation are embedded in the
 * binary from data/ at build time; other files can be given as text.
 *
 * Scope is a rule (docs/REPORTS.md, "Scope"): the body is a pure function
 * of the entries every addressee may read (the `net` audience), the
 * template, the period and the signed report entries: no clock, no
 * randomness, nothing of the node that builds it, so every member of the
 * network, the Commission's node included, produces the same bytes.
 * Restricted activity appears only through its net stub. An annex for
 * Member States only (the `ms` audience) is added when asked; it and the
 * final annex (provenance, attestations) come after the body and are left
 * out of the report's hash. It only reads the store.
 *
 * Errors: 0 or a negative ilonet code; ILONET_EINVAL with a one-line
 * reason in err naming the template line, the section or the option that
 * is wrong. Library code never prints.
 */

#define REPORT_ERR_MAX 256

/* Hash contexts (docs/FORMAT.md): a body's hash, the report's hash. */
#define REPORT_CTX_BODY "ilonet/report-body/v1"
#define REPORT_CTX_REPORT "ilonet/report/v1"

/* The longest period ("2026-H2", "2026") and section id ("II.10") + NUL. */
#define REPORT_PERIOD_MAX 16
#define REPORT_SECTION_MAX 16

enum report_format {
    REPORT_MD = 1,
    REPORT_HTML,
    REPORT_JSON,
};

struct report_template; /* parsed template (opaque) */
struct report_rotation; /* semester -> presidency state (opaque) */

/* Parses "md", "html", "json". ILONET_EINVAL otherwise. */
int report_format_parse(const char *s, enum report_format *out);
/* "md", "html", "json" for f. */
const char *report_format_name(enum report_format f);

/* Parses "YYYY-H1" / "YYYY-H2" into the semester's first millisecond and
 * the first millisecond after it (UTC). ILONET_EINVAL when malformed. */
int report_semester_parse(const char *s, uint64_t *from_ms, uint64_t *to_ms);
/* A report period: a semester ("2026-H2") or a year ("2026"), as
 * report_semester_parse. ILONET_EINVAL when neither. */
int report_period_parse(const char *s, uint64_t *from_ms, uint64_t *to_ms);
/* "semester" or "year": the kind of period s is (s already parsed). */
const char *report_period_kind(const char *s);
/* The semester ("2026-H2", 8 bytes) that contains unix time ms. */
void report_semester_of(uint64_t ms, char out[static 8]);
/* The UTC date ("2026-07-01", 11 bytes) that contains unix time ms, as
 * reports and record date fields spell it. */
void report_date_of(uint64_t ms, char out[static 11]);

/*
 * Parses template text (len bytes, need not be NUL-terminated). name is
 * used in error messages ("FILE:LINE: ..."). Every query, field, chart
 * and cover field is checked here, so a template that parses cannot fail
 * later for a reason of its own. *out is owned by the caller
 * (report_template_free).
 */
int report_template_parse(const char *text, size_t len, const char *name,
                          struct report_template **out, char *err,
                          size_t errlen);
/* The shipped 377-2004 template (data/report-2005-687.tmpl, embedded). */
int report_default_template(struct report_template **out, char *err,
                            size_t errlen);
/* The shipped template a vocabulary names (its "report template" line):
 * the family before '/' picks the file, "2005-687" (377-2004) or
 * "2019-1240" (data/report-2019-1240.tmpl, provisional: drafted by the
 * chair); the file's own version line is its revision. ILONET_ENOTFOUND
 * for another id. */
int report_builtin_template(const char *id, struct report_template **out,
                            char *err, size_t errlen);
/* The text of that shipped template (static, not NUL-terminated);
 * ILONET_ENOTFOUND for another id. */
int report_builtin_template_text(const char *id, const char **text,
                                 size_t *len);
void report_template_free(struct report_template *t);
/* The 377-2004 template's text (static: not NUL-terminated, len bytes). */
void report_default_template_text(const char **text, size_t *len);
/* The template's version string (owned by t). */
const char *report_template_version(const struct report_template *t);
/* The regime the template says it is for ("" when it does not say). */
const char *report_template_regime(const struct report_template *t);
/* The period kind it reports on: "semester" (default) or "year". */
const char *report_template_period(const struct report_template *t);
/*
 * 0 if section ("I.8") is a narrative section of t, or "post" (the
 * drafting post line of the cover); else ILONET_ENOTFOUND with err naming
 * it and listing the template's narrative sections.
 */
int report_template_section(const struct report_template *t,
                            const char *section, char *err, size_t errlen);

/* Parses a rotation file ("SEMESTER STATE" lines, '#' comments). */
int report_rotation_parse(const char *text, size_t len, const char *name,
                          struct report_rotation **out, char *err,
                          size_t errlen);
/* The shipped rotation (data/presidencies.txt, embedded). */
int report_default_rotation(struct report_rotation **out, char *err,
                            size_t errlen);
void report_rotation_free(struct report_rotation *r);
/* The shipped rotation's text (static: not NUL-terminated, len bytes). */
void report_default_rotation_text(const char **text, size_t *len);
/* The presidency of a semester ("2026-H1"), or NULL if not listed. */
const char *report_rotation_get(const struct report_rotation *r,
                                const char *semester);

struct report_opts {
    const char *ro_period;        /* "2026-H2" or "2026" (required) */
    enum report_format ro_format; /* md, html or json */
    const char *ro_host;          /* host code (network file) */
    const char *ro_countries;     /* a regional network's host countries
                                     ("IQ,TR"), NULL or "" when none */
    const uint8_t *ro_network;    /* network id (NET_ID_LEN bytes) */
    const char *ro_regime;        /* the network's regime */
    const char *ro_marking;       /* handling marking override
                                     ("LIMITE"); NULL: the drafting state's
                                     signed text for "marking", else none */
    const struct vocab *ro_vocab; /* labels, full names (required) */
    /* Who drafts (the vocabulary's "report drafter"): NULL or
     * "presidency" (the rotation's rule, 377-2004), "chair" (the
     * network's chair in force on the period's last day, 2019-1240: the
     * rotation is not read) */
    const char *ro_drafter;
    int ro_annex_ms; /* 1: add the annex for Member States only (the
                        caller checks this node may read `ms`) */
    int ro_drafts;   /* 1: show other states' texts inline, marked as
                        drafts (a working copy: not the attested body) */
};

/* The hashes that identify a report: each format's body (the document
 * without its annexes), the report's hash over the three, and the view
 * hash of the audience the body was built from. */
struct report_digest {
    uint8_t rd_body[3][HASH_LEN]; /* md, html, json (REPORT_MD - 1 ...) */
    uint8_t rd_report[HASH_LEN];
    uint8_t rd_view[HASH_LEN];
};

/*
 * Builds the report. *out is malloc'd (NUL-terminated, *outlen bytes
 * without the NUL); the caller frees it. dg (may be NULL) receives the
 * report's hashes. Nothing is written on error.
 */
int report_build(struct store *s, const struct report_template *t,
                 const struct report_rotation *rot, const struct report_opts *o,
                 char **out, size_t *outlen, struct report_digest *dg,
                 char *err, size_t errlen);

/* The report's hash of three body hashes (md, html, json). */
void report_digest_finish(struct report_digest *dg);

/* ---- checking a received report (report_verify.c) --------------------- */

/* One attestation as a report file carries it: the signed entry and the
 * attesting node's certificate, to be checked against a trust roster. */
struct report_file_attest {
    uint8_t *fa_cert; /* certificate envelope */
    size_t fa_cert_len;
    uint8_t *fa_hdr; /* entry header bytes */
    size_t fa_hdr_len;
    uint8_t *fa_sig; /* KEY_SIG_LEN bytes */
    size_t fa_sig_len;
    uint8_t *fa_payload; /* entry payload (a canonical map) */
    size_t fa_payload_len;
};

struct report_file {
    enum report_format rf_format;
    uint8_t rf_body[HASH_LEN];  /* this file's body hash, computed */
    struct report_digest rf_dg; /* as its verification block lists it */
    char rf_period[REPORT_PERIOD_MAX + 1];
    char rf_regime[16];
    uint8_t rf_network[32];
    size_t rf_nattest;
    struct report_file_attest *rf_attest;
};

/*
 * Reads a report file as report_build wrote it (md, html or json): finds
 * its body (everything but the annexes), hashes it, and parses the
 * verification block of its final annex. Nothing is trusted yet: the
 * caller checks the attestations' signatures (node/app, app_report_verify)
 * and compares rf_body with the listed hash of rf_format. ILONET_EMALFORMED
 * with err naming what is missing. *f is released with report_file_free.
 */
int report_file_parse(const char *doc, size_t len, struct report_file *f,
                      char *err, size_t errlen);
void report_file_free(struct report_file *f);

/* ---- the cross-network overview (report_overview.c) ------------------- */

/* One network of the overview. */
struct report_overview_net {
    char on_host[16];
    char on_name[160]; /* "Türkiye (TR)" */
    char on_regime[16];
    char on_network[17]; /* short network id */
    char on_drafting[16];
    char on_status[24]; /* "reported", "changed since", "missing" */
    size_t on_attested; /* members attesting this report's hash */
    size_t on_differ;   /* members attesting another hash */
    int64_t on_fig[9];  /* REPORT_OVERVIEW_FIGURES order */
    char on_report[65]; /* the report's hash as this node builds it */
    char on_error[REPORT_ERR_MAX]; /* "" unless the network failed */
};

/* The key figures, in order: members, meetings, without the Commission,
 * observations, contacts, trainings, carrier positions, postings, task
 * sharing. */
#define REPORT_OVERVIEW_NFIG 9
extern const char *const report_overview_figures[REPORT_OVERVIEW_NFIG];

/*
 * Fills one network's row: the report of period built as report_build
 * would (its hash), the drafting state, whether the drafter attested that
 * hash, the attestations and the key figures of the body.
 */
int report_overview_net(struct store *s, const struct report_template *t,
                        const struct report_rotation *rot,
                        const struct report_opts *o,
                        struct report_overview_net *out, char *err,
                        size_t errlen);

/* Renders the overview of n networks for period (md, html or json);
 * *out malloc'd as for report_build. */
int report_overview_render(const struct report_overview_net *nets, size_t n,
                           const char *period, enum report_format f, char **out,
                           size_t *outlen);

#endif
