/* node_int.h - internals of the node runtime shared between its files
 * (node.c and node_attest.c); not for other modules. */
#ifndef ILONET_NODE_INT_H
#define ILONET_NODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "home.h"
#include "node/report/report.h"

/*
 * Automatic attestation (home config "report-auto-attest on"; issue 14
 * item 6; docs/REPORTS.md "Automatic attestation"). The loop thread calls
 * node__attest_tick() every tick with what it knows; once the view has
 * settled, the report of the last closed period is built and, when its
 * hash is not the one this node attested last, signed. Settled means all
 * of:
 *   - the period has ended (the node's clock is past its last day);
 *   - no entry has arrived or been written for the quiet interval
 *     ("report-attest-quiet SECONDS", default 60): view_gen did not move;
 *   - every connected peer is in sync (peer_in_sync: both sides hold the
 *     same heads), and when peers are configured at least one is
 *     connected and in sync (a node that reached nobody has not settled).
 * One check runs per settled view: a new check needs view_gen to move
 * (new entries, the node's own attestation included, which then finds
 * its hash attested and writes nothing) and settle again. A failed check
 * is tried again after the quiet interval.
 *
 * Threads: the build and the write run on libuv's thread pool
 * (uv_queue_work) with a home of their own opened from the directory (its
 * own store connection, as a CLI process would), so the loop never waits
 * for a report; only one runs at a time. Everything else, the log
 * callback included, runs on the loop thread. The loop stays alive while
 * a check runs: node__attest_free() after uv_run() returned.
 */
struct node__attest;

/* One line for the node's log (loop thread). */
typedef void (*node__attest_log_fn)(void *arg, const char *line);

/* A disabled module (h's config says off) is NULL in *out, and every call
 * on NULL is a no-op. h is read now only (its directory, config and
 * vocabulary's period kind); now is when the node started, the start of
 * the first quiet interval. ILONET_ENOMEM. */
int node__attest_new(uv_loop_t *loop, const struct home *h, uint64_t now,
                     node__attest_log_fn log, void *arg,
                     struct node__attest **out);
/* view_gen: any number that moves whenever an entry is merged into or
 * appended to the store; settled_peers: the peer condition above. */
void node__attest_tick(struct node__attest *a, uint64_t now, uint64_t view_gen,
                       int settled_peers);
/* No new check starts; a queued one is cancelled (a running one finishes
 * and its result is dropped). */
void node__attest_stop(struct node__attest *a);
/* After the loop ran out (no check in flight). */
void node__attest_free(struct node__attest *a);

/* The last period of kind ("semester" or "year") that ended before unix
 * time ms: "2026-H1" on 2026-12-04, "2025" for a year. Pure. */
void node__attest_last_period(uint64_t ms, const char *kind,
                              char out[static REPORT_PERIOD_MAX + 1]);

#endif
