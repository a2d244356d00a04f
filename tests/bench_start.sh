#!/bin/sh
# bench_start.sh - node start-up against store size: from exec of
# `ilonet node --http` to listening for peers and serving the web page.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_start.sh
#
# Environment:
#   ILONET_BENCH_START_SIZES  entry counts, ascending (default "100000
#                             1000000 10000000": the fill to 10M takes about
#                             4 minutes on the quiet 2-core VM and 7 GB in
#                             TMPDIR; BENCH_QUICK=1: "100000 1000000")
#   ILONET_BENCH_START_PORT   base port (default 27600; uses base+1..+9)
#   ILONET_BENCH_START_HOME   time this existing home instead (a copy of a
#                             large store kept from an earlier fill; no
#                             fill), reported with ILONET_BENCH_START_LABEL
#
# One store grows from size to size (tests/tools/bench_sync_fill: 200-byte
# entries by 5 authors, as the sync benchmark's source). At each size the
# node is started three times with its page cache warm and three times with
# the store's pages dropped from the cache first (dd iflag=nocache, where
# GNU dd has it); each start is timed from exec until the node has said
# "listening on" and the HTTP server answers GET / (curl; without curl,
# until the node has printed the page's address, which it does once the
# HTTP process listens). Prints the median: start_<size>_ms (warm) and
# start_<size>_cold_ms, with size as 100k, 1m, 10m.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
SIZES=${ILONET_BENCH_START_SIZES:-100000 1000000 10000000}
[ -n "${BENCH_QUICK:-}" ] && [ -z "${ILONET_BENCH_START_SIZES:-}" ] &&
    SIZES="100000 1000000"
PORT=${ILONET_BENCH_START_PORT:-27600}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-start.XXXXXX")
PID=

cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

if [ -n "${ILONET_BENCH_START_HOME:-}" ]; then
    NODE_HOME=$ILONET_BENCH_START_HOME
else
    "$BIN" testnet --host TR --states DE,FR,IT,ES,NL --out "$DIR/net" \
        --base-port "$PORT" > /dev/null
    NET=$DIR/net
    NODE_HOME=$NET/DE
fi

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_once: ms from exec to serving, the node stopped again.
start_once() {
    log=$DIR/node.log
    t0=$(now_ms)
    "$BIN" -C "$NODE_HOME" node --listen "tcp://127.0.0.1:$((PORT + 8))" \
        --http "127.0.0.1:$((PORT + 9))" 2> "$log" &
    PID=$!
    i=0
    until grep -q 'listening on' "$log" 2>/dev/null &&
        grep -q 'http: page at' "$log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 12000 ] || { echo "bench_start: node did not start" >&2; exit 1; }
        sleep 0.005
    done
    if command -v curl > /dev/null 2>&1; then
        until curl -s -o /dev/null "http://127.0.0.1:$((PORT + 9))/"; do
            sleep 0.005
        done
    fi
    t1=$(now_ms)
    kill -TERM "$PID"
    wait "$PID" || true
    PID=
    echo $((t1 - t0))
}

drop_cache() {
    for f in "$NODE_HOME"/store.db*; do
        dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
    done
}

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# measure LABEL: the medians for the store as it is now.
measure() {
    w1=$(start_once); w2=$(start_once); w3=$(start_once)
    drop_cache; c1=$(start_once)
    drop_cache; c2=$(start_once)
    drop_cache; c3=$(start_once)
    echo "start_$1_ms=$(median3 "$w1" "$w2" "$w3")"
    echo "start_$1_cold_ms=$(median3 "$c1" "$c2" "$c3")"
    echo "start_$1_store_mib=$(( $(stat -c %s "$NODE_HOME/store.db") / 1048576 ))"
}

if [ -n "${ILONET_BENCH_START_HOME:-}" ]; then
    measure "${ILONET_BENCH_START_LABEL:-home}"
    exit 0
fi
have=0
for n in $SIZES; do
    add=$((n - have))
    [ "$add" -gt 0 ] || continue
    "$TOOLS/bench_sync_fill" "$NET/DE" "$add" "$NET/DE" "$NET/FR" "$NET/IT" \
        "$NET/ES" "$NET/NL" > /dev/null
    have=$n
    case $n in
    *000000) label=$((n / 1000000))m ;;
    *000) label=$((n / 1000))k ;;
    *) label=$n ;;
    esac
    measure "$label"
done
case " $SIZES " in
*" 10000000 "*) ;;
*) echo "# start_10m_ms: not in this run (ILONET_BENCH_START_SIZES=\"... 10000000\" measures it; docs/BENCHMARKS.md has the figure)" ;;
esac
