/* view_desk.h - what reached this node since a mark: "new since my last visit",
 * live updates. */
#ifndef ILONET_VIEW_DESK_H
#define ILONET_VIEW_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"
#include "storage/view/view.h"

/*
 * A mark is where every log held stood at one moment: the head of each
 * non-empty log, as text "L.S_L.S..." (L the log's local number, S its
 * head seq, both lowercase hex, by L). Entries arrive in seq order per
 * log, so whatever reached the node after the mark is exactly the entries
 * past each log's head in it, whatever their timestamps: a record written
 * last week that synced an hour ago is new. Log numbers are this store's
 * own, so a mark means nothing on another node (it never leaves it: the
 * web page and the officer's "last seen" file of this home).
 *
 * All functions run on the store's thread; 0 or a negative ilonet code
 * (ILONET_EINVAL for a mark that does not parse).
 */

#define VIEW_MARK_MAX 4096 /* bytes of a mark with its NUL */
#define VIEW_MARK_LOGS 256 /* logs a mark names at most */

/* The mark of now into out (VIEW_MARK_MAX bytes; "" when nothing is
 * held). ILONET_ETOOBIG past VIEW_MARK_LOGS non-empty logs. */
int view_mark(struct store *s, char out[static VIEW_MARK_MAX]);

/* 1 if mark parses (VIEW_MARK_LOGS at most), 0 if not. */
int view_mark_valid(const char *mark);

/*
 * The records in effect (valid, neither retracted nor erased) whose
 * creating entries reached the node after mark: the newest limit of them
 * (by time written) to out, with the columns of view_recent(), and their
 * number in *count (may be NULL). Entries of logs the mark does not name
 * count as new.
 */
int view_since(struct store *s, const char *mark, uint64_t limit,
               const struct view_sink *out, uint64_t *count);

/*
 * The task rows of the desk for state: tasks in effect assigned to state
 * whose status is open, accept or start, and tasks state created that are
 * open, accept or start; the columns of the tasks list (docs/VIEW.md) plus
 * role ("assignee" or "creator"), by due date (none last), then time
 * written: the first limit of them (0: all) to out, and their number in
 * *count (may be NULL).
 */
int view_desk_tasks(struct store *s, const char *state, uint64_t limit,
                    const struct view_sink *out, uint64_t *count);

/*
 * Grants in force at now_ms (view_grants(), once each) whose validity
 * ends within days days, with days_left; soonest first.
 */
int view_grants_expiring(struct store *s, uint64_t now_ms, unsigned days,
                         const struct view_sink *out);

#endif
