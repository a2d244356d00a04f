#!/bin/sh
# bench_store.sh - a node's store at size: bytes on disk per entry (before
# and after a checkpoint, where they go, next to Hypercore's writer storage)
# and `ilonet verify` on one thread and on every core.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_store.sh
#
# Environment:
#   ILONET_BENCH_STORE_ENTRIES  entries in the store (default 1000000;
#                               BENCH_QUICK=1: 100000)
#   ILONET_BENCH_NO_HC=1        skip Hypercore's writer storage
#
# The store is the source node of tests/bench_sync.sh: a testnet home (DE)
# holding N entries of 200-byte payload by 5 authors written by
# tests/tools/bench_sync_fill (log_append: signed, chained, the view kept),
# its search index folded as an idle node folds it (`ilonet search`).
# Disk: store.db plus its WAL right after the fill, then after
# `PRAGMA wal_checkpoint(TRUNCATE)`; the split per table and index comes
# from SQLite's dbstat (pages, so b-tree slack counts where it is): the
# log (entries, ids), the view's rows, its list indexes and kept counts
# (view_indexes: v_rec_*, v_counts), the full-text search index (search)
# and the rest of the view (view_other). The fill closes the store, and
# the last connection's close checkpoints, so "before" is usually "after"
# (disk_wal_bytes_before_checkpoint says what was left in the WAL).
# Verify: tests/tools/bench_verify, the code of `ilonet verify`, with one
# thread and with one per core. verify_10m_s is measured when N is
# 10,000,000 and otherwise scaled from N (verify is linear in the entries;
# verify_10m_measured says which). Output: key=value lines.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
N=${ILONET_BENCH_STORE_ENTRIES:-1000000}
[ -n "${BENCH_QUICK:-}" ] && [ -z "${ILONET_BENCH_STORE_ENTRIES:-}" ] && N=100000
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-store.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

"$BIN" testnet --host TR --states DE,FR,IT,ES,NL --out "$DIR/net" \
    --base-port 27600 > /dev/null
"$TOOLS/bench_sync_fill" "$DIR/net/DE" "$N" "$DIR/net/DE" "$DIR/net/FR" \
    "$DIR/net/IT" "$DIR/net/ES" "$DIR/net/NL" | sed 's/^/store_/'
DB=$DIR/net/DE/store.db
# The search index as a running node holds it: its loop folds what ingest
# noted while nothing arrives; a search folds the rest first.
"$BIN" -C "$DIR/net/DE" search fold > /dev/null 2> "$DIR/fold.err" ||
    { cat "$DIR/fold.err" >&2; exit 1; }
size() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }
ENTRIES=$(sqlite3 "$DB" "SELECT count(*) FROM entries")
BEFORE_DB=$(size "$DB")
BEFORE_WAL=$(size "$DB-wal")
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
AFTER=$(( $(size "$DB") + $(size "$DB-wal") ))
# Where the bytes go: pages per table and index, grouped.
sqlite3 "$DB" "SELECT CASE WHEN name = 'entries' THEN 'entries'
    WHEN name IN ('ids', 'ids_tail') THEN 'ids'
    WHEN name = 'v_rec' THEN 'view_rows'
    WHEN name LIKE 'v_rec_%' OR name = 'v_counts' THEN 'view_indexes'
    WHEN name LIKE 'v_search%' THEN 'search'
    WHEN name LIKE 'v_%' THEN 'view_other'
    ELSE 'other' END, sum(pgsize), sum(unused) FROM dbstat GROUP BY 1" \
    > "$DIR/split.txt"
awk -F'|' -v n="$ENTRIES" -v bd="$BEFORE_DB" -v bw="$BEFORE_WAL" \
    -v a="$AFTER" 'BEGIN {
    printf "disk_entries=%d\n", n
    printf "disk_bytes_per_entry_before_checkpoint=%.1f\n", (bd + bw) / n
    printf "disk_wal_bytes_before_checkpoint=%d\n", bw
    printf "disk_bytes_per_entry=%.1f\n", a / n
}
{ printf "disk_%s_bytes_per_entry=%.1f\n", $1, $2 / n
  printf "disk_%s_unused_bytes_per_entry=%.1f\n", $1, $3 / n }' "$DIR/split.txt"

"$TOOLS/bench_verify" "$DIR/net/DE" 1 0 > "$DIR/verify.txt"
cat "$DIR/verify.txt"
awk -F= -v n="$ENTRIES" '
/^verify_[0-9]+t_s=/ { last = $2 }
END {
    printf "verify_10m_s=%.0f\n", last * 10000000 / n
    printf "verify_10m_measured=%d\n", n == 10000000
}' "$DIR/verify.txt"

# ---- Hypercore's writer storage, same entries ---------------------------
[ "${ILONET_BENCH_NO_HC:-0}" = 1 ] && exit 0
HCN=$(( N < 1000000 ? N : 1000000 ))
HCDIR=$(sh "$HERE/bench_hypercore/install.sh") || {
    echo "$HCDIR" | sed 's/^SKIP hypercore/SKIP hypercore disk/'
    exit 0
}
NODE_PATH=$HCDIR/node_modules node "$HERE/bench_hypercore/replicate.js" \
    --disk "$HCN" 5 || echo "SKIP hypercore disk: run failed"
