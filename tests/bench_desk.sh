#!/bin/sh
# bench_desk.sh - the desk at scale: a desk_gen store of N records of every
# kind (10 years, 28 states), then p50/p99 of every interactive read and the
# semester report (tests/tools/bench_desk).
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_desk.sh
#
# Environment:
#   ILONET_BENCH_DESK_RECORDS  records to generate (default 1000000;
#                              BENCH_QUICK=1: 100000)
#   ILONET_BENCH_DESK_HOME     an existing desk_gen home to measure instead
#                              (DIR/home of `desk_gen DIR N`); nothing is
#                              generated and the home is left as it is
#   ILONET_BENCH_DESK_ITERS    samples per call (default 200: the p99 of
#                              60 would be their largest)
#
# Output: key=value lines: gen_* (the generator), desk_store_bytes, then
# bench_desk's desk_search_fold_ms (the search index folded first, as an
# idle node folds what ingest noted; desk_gen leaves every record noted),
# desk_<call>_p50_ms/p99_ms/max_ms, desk_p99_ms (the worst p99 of the
# interactive calls), desk_max_ms (the slowest sample) and
# report_semester_ms (the slowest of md, html and json; median of three).
set -eu
TOOLS=${ILONET_TOOLS:-build/tools}
N=${ILONET_BENCH_DESK_RECORDS:-1000000}
[ -n "${BENCH_QUICK:-}" ] && [ -z "${ILONET_BENCH_DESK_RECORDS:-}" ] && N=100000
ITERS=${ILONET_BENCH_DESK_ITERS:-200}
HOME_DIR=${ILONET_BENCH_DESK_HOME:-}
DIR=
if [ -z "$HOME_DIR" ]; then
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-desk.XXXXXX")
    trap 'rm -rf "$DIR"' EXIT INT TERM
    "$TOOLS/desk_gen" "$DIR/gen" "$N"
    HOME_DIR=$DIR/gen/home
fi
# the store as the desk finds it: one file, the WAL checkpointed, and on
# disk: the generator's gigabytes otherwise leave the page cache dirty, and
# the kernel writes them back while the samples run, on the same two cores
sqlite3 "$HOME_DIR/store.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
sync
echo "desk_store_bytes=$(wc -c < "$HOME_DIR/store.db")"
"$TOOLS/bench_desk" "$HOME_DIR" "$ITERS"
