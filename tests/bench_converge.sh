#!/bin/sh
# bench_converge.sh - 28 nodes (27 Member States + EU) on loopback: each
# appends K entries at once; time until every node holds the same heads.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_converge.sh
#
# Environment: ILONET_BENCH_CONVERGE_K (entries per node, default 100),
# ILONET_BENCH_CONVERGE_PORT (base port, default 27500; uses base+1..+28).
# Output (key=value): converge_28_ms, messages_per_entry (net of the idle
# anti-entropy digests), messages_per_entry_raw, background_msgs_per_s.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
K=${ILONET_BENCH_CONVERGE_K:-100}
PORT=${ILONET_BENCH_CONVERGE_PORT:-27500}
STATES=AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,EU
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-converge.XXXXXX")
PIDS=

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$BIN" testnet --host TR --states "$STATES" --out "$DIR/net" \
    --base-port "$PORT" > "$DIR/testnet.txt"
HOMES=$(awk '{ print $1 }' "$DIR/testnet.txt")
for h in $HOMES; do
    "$BIN" -C "$h" node 2> "$h.log" &
    PIDS="$PIDS $!"
done
# Wait until every node reports 27 connected peers (the full mesh).
i=0
while :; do
    full=0
    for h in $HOMES; do
        c=$("$BIN" -C "$h" status --json 2>/dev/null | grep -o '"connected":true' | wc -l)
        [ "$c" -ge 27 ] && full=$((full + 1))
    done
    [ "$full" -ge 28 ] && break
    i=$((i + 1))
    [ $i -lt 60 ] || { echo "bench_converge: mesh incomplete ($full/28 nodes)" >&2; break; }
    sleep 0.5
done
# shellcheck disable=SC2086
"$TOOLS/bench_converge" "$K" $HOMES
