#!/bin/sh
# bench_sync.sh - sync benchmark: N entries from one node to a fresh one over
# loopback, then the Hypercore 11 anchor and ilonet again at one entry count.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_sync.sh
#
# Environment:
#   ILONET_BENCH_ENTRIES     entries on the source node (default 1000000)
#   ILONET_BENCH_HC_ENTRIES  entries for the Hypercore comparison (default:
#                            the smaller of ILONET_BENCH_ENTRIES and 100000;
#                            Hypercore runs at ~7k entries/s here, 1M would
#                            take minutes). ilonet is synced again at this
#                            count in the same run when it differs from N,
#                            so sync_vs_hypercore_ratio compares the same N
#   ILONET_BENCH_PORT        base port (default 27400; uses base+1..base+16)
#   ILONET_BENCH_NO_HC=1     skip the Hypercore anchor
#
# The source home (DE of a testnet) gets N entries of 200-byte payload by 5
# authors (DE FR IT ES NL) from tests/tools/bench_sync_fill, then runs
# `ilonet node`; the fresh home PL runs `ilonet sync --json` against it,
# which verifies, stores and indexes every entry (view included) and exits
# once both digests agree. Wire bytes are counted on the receiver's socket
# (both directions, so headers, handshake, boxes, acks and digests all
# count). Output: key=value lines.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
N=${ILONET_BENCH_ENTRIES:-1000000}
PORT=${ILONET_BENCH_PORT:-27400}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-sync.XXXXXX")
SRC_PID=

cleanup() {
    if [ -n "$SRC_PID" ]; then kill "$SRC_PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# run_sync COUNT NAME BASE_PORT: a testnet under $DIR/NAME, COUNT entries
# on DE, PL syncs them; key=value lines with prefix sync_ on stdout (the
# fill's as well) and in $DIR/NAME.txt.
run_sync() {
    count=$1 name=$2 base=$3
    net=$DIR/$name
    "$BIN" testnet --host TR --states DE,FR,IT,ES,NL,PL --out "$net" \
        --base-port "$base" > "$DIR/$name-testnet.txt"
    depk=$(awk '$2 == "DE" { print $3 }' "$DIR/$name-testnet.txt")
    "$TOOLS/bench_sync_fill" "$net/DE" "$count" "$net/DE" "$net/FR" \
        "$net/IT" "$net/ES" "$net/NL" > "$DIR/$name-fill.txt"
    sed 's/^/sync_/' "$DIR/$name-fill.txt"
    "$BIN" -C "$net/DE" node --listen "tcp://127.0.0.1:$((base + 1))" \
        2> "$DIR/$name-source.log" &
    SRC_PID=$!
    i=0
    until grep -q 'listening on' "$DIR/$name-source.log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 2400 ] || { echo "bench_sync: source node did not start" >&2; exit 1; }
        sleep 0.05
    done
    "$BIN" -C "$net/PL" sync --json --timeout 1800 \
        --peer "tcp://127.0.0.1:$((base + 1))@$depk" > "$DIR/$name-sync.json" \
        2> "$DIR/$name-sink.log"
    src_hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SRC_PID/status")
    kill -TERM "$SRC_PID"
    wait "$SRC_PID" || true
    SRC_PID=
    # One JSON object on one line; pull the numbers out with sed.
    j() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$DIR/$name-sync.json"; }
    awk -v e="$(j entries_in)" -v ms="$(j elapsed_ms)" -v wi="$(j wire_bytes_in)" \
        -v wo="$(j wire_bytes_out)" -v rs="$(j peak_rss_kib)" -v rr="$src_hwm" 'BEGIN {
        printf "sync_entries=%d\n", e
        printf "sync_seconds=%.3f\n", ms / 1000
        printf "sync_entries_per_s=%.0f\n", e / (ms / 1000)
        printf "sync_wire_bytes_per_entry=%.1f\n", (wi + wo) / e
        printf "sync_wire_overhead_bytes_per_entry=%.1f\n", (wi + wo) / e - 200
        printf "sync_peak_rss_receiver_mib=%.1f\n", rs / 1024
        printf "sync_peak_rss_sender_mib=%.1f\n", rr / 1024
        printf "sync_peak_rss_mib=%.1f\n", (rs > rr ? rs : rr) / 1024
    }' > "$DIR/$name.txt"
    rm -rf "$net"
}

run_sync "$N" main "$PORT"
cat "$DIR/main.txt"

# ---- Hypercore 11 anchor, and ilonet at the same entry count ------------
[ "${ILONET_BENCH_NO_HC:-0}" = 1 ] && exit 0
HCN=${ILONET_BENCH_HC_ENTRIES:-$(( N < 100000 ? N : 100000 ))}
HCDIR=$(sh "$HERE/bench_hypercore/install.sh") || { echo "$HCDIR"; exit 0; }
NODE_PATH=$HCDIR/node_modules node "$HERE/bench_hypercore/replicate.js" \
    "$HCN" 5 > "$DIR/hc.txt" || { echo "SKIP hypercore: run failed"; exit 0; }
# The anchor's version and node's, so that a run says what it compared
# against: npm installs the newest 11.x the registry has, and the anchor's
# speed has changed between machines (docs/BENCHMARKS.md).
HCV=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
    "$HCDIR/node_modules/hypercore/package.json" | head -n 1)
echo "# hypercore ${HCV:-unknown}, node $(node --version)"
cat "$DIR/hc.txt"
if [ "$HCN" -eq "$N" ]; then
    cp "$DIR/main.txt" "$DIR/same.txt"
else
    run_sync "$HCN" same "$((PORT + 10))" > /dev/null
    sed -n 's/^sync_entries_per_s=/sync_same_n_entries_per_s=/p' "$DIR/same.txt"
fi
OURS=$(sed -n 's/^sync_entries_per_s=//p' "$DIR/same.txt")
HC=$(sed -n 's/^hypercore_entries_per_s=//p' "$DIR/hc.txt")
echo "sync_vs_hypercore_entries=$HCN"
awk -v a="$OURS" -v b="$HC" 'BEGIN { printf "sync_vs_hypercore_ratio=%.1f\n", a / b }'
