/* report.h - the presidency's semester report (Decision 2005/687/EC) from the
 * merged view. */
#ifndef ILONET_REPORT_H
#define ILONET_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct store; /* storage/store.h: the report reads it through the view */

/*
 * The report is driven by a versioned template (text, docs/REPORTS.md):
 * cover block, parts, items, and per item the named view queries that
 * feed it as tables or charts. The default template and the Council
 * presidency rotation are embedded in the binary from data/ at build time
 * (report_default_template(), report_default_rotation()); other files can
 * be given as text.
 *
 * report_build() is a pure function of (template, rotation, options, the
 * entries held in the store): no clock, no randomness, no node-local state
 * other than which entries are held, so two nodes holding the same entries
 * produce the same bytes. It only reads the store.
 *
 * Errors: 0 or a negative ilonet code; ILONET_EINVAL with a one-line
 * reason in err naming the template line or the option that is wrong.
 * Library code never prints.
 */

#define REPORT_ERR_MAX 256

enum report_format {
    REPORT_MD = 1,
    REPORT_HTML,
    REPORT_JSON,
};

struct report_template; /* parsed template (opaque) */
struct report_rotation; /* semester -> presidency state (opaque) */

/* Parses "md", "html", "json". ILONET_EINVAL otherwise. */
int report_format_parse(const char *s, enum report_format *out);

/* Parses "YYYY-H1" / "YYYY-H2" into the semester's first millisecond and
 * the first millisecond after it (UTC). ILONET_EINVAL when malformed. */
int report_semester_parse(const char *s, uint64_t *from_ms, uint64_t *to_ms);
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
/* The shipped template (data/report-2005-687.tmpl, embedded). */
int report_default_template(struct report_template **out, char *err,
                            size_t errlen);
/* The shipped template a vocabulary names (its "report template" line):
 * "2005-687/provisional-1" (377-2004) or "2019-1240/provisional-1"
 * (data/report-2019-1240.tmpl, provisional: drafted by the chair).
 * ILONET_ENOTFOUND for another id. */
int report_builtin_template(const char *id, struct report_template **out,
                            char *err, size_t errlen);
void report_template_free(struct report_template *t);
/* The shipped template's text (static: not NUL-terminated, len bytes),
 * e.g. to print it as a start for one's own. */
void report_default_template_text(const char **text, size_t *len);
/* The template's version string (owned by t). */
const char *report_template_version(const struct report_template *t);

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
    const char *ro_semester;      /* "2026-H1" (required) */
    enum report_format ro_format; /* md, html or json */
    const char *ro_host;          /* host country code (network file) */
    const uint8_t *ro_network;    /* network id (NET_ID_LEN bytes) */
    int ro_member_state;          /* drawn up by a Member State node:
                                     include the `ms` audience */
    const char *ro_date;          /* cover date, NULL: not given */
    const char *ro_post;          /* drafting post, NULL: not given */
    /* Who drafts (the vocabulary's "report drafter"): NULL or
     * "presidency" (the rotation's rule, 377-2004), "chair" (the
     * network's chair in force on the period's last day, 2019-1240: the
     * rotation is not read) */
    const char *ro_drafter;
};

/*
 * Builds the report. *out is malloc'd (NUL-terminated, *outlen bytes
 * without the NUL); the caller frees it. Nothing is written on error.
 */
int report_build(struct store *s, const struct report_template *t,
                 const struct report_rotation *rot, const struct report_opts *o,
                 char **out, size_t *outlen, char *err, size_t errlen);

#endif
