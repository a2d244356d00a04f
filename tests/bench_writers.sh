#!/bin/sh
# bench_writers.sh - many officers writing through the HTTP API at once
# (issue 17, item 5): acknowledged-durable appends per second and latency
# of POST /api/observations from 20 concurrent writers over loopback, each
# answer read only after the group commit holding it returned.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_writers.sh
#
# Environment: ILONET_BENCH_WRITERS (default 20), ILONET_BENCH_WRITES
# (requests in all, default 30000; 10000 with BENCH_QUICK),
# ILONET_BENCH_WRITERS_PORT (base port of the testnet, default 27700; the
# HTTP server takes a free port). A fresh node home on this machine's disk
# (TMPDIR), synchronous=FULL as always.
# Output (key=value): http_durable_appends_per_s, http_append_p50_ms,
# http_append_p99_ms, http_append_max_ms (20 writers);
# http_single_append_p50_ms, http_single_append_p99_ms (one writer alone,
# no concurrency: the latency a lone officer sees); the machine's load
# average before and after, as comments.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
W=${ILONET_BENCH_WRITERS:-20}
N=${ILONET_BENCH_WRITES:-30000}
[ -n "${BENCH_QUICK:-}" ] && N=10000
PORT=${ILONET_BENCH_WRITERS_PORT:-27700}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-writers.XXXXXX")
NODE=

cleanup() {
    if [ -n "$NODE" ]; then
        kill "$NODE" 2>/dev/null || true
        wait "$NODE" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$BIN" testnet --host TR --states DE,FR --out "$DIR/net" --base-port "$PORT" \
    > "$DIR/testnet.txt"
HOME_DE=$(awk '$2 == "DE" { print $1 }' "$DIR/testnet.txt")
: > "$DIR/node.log"
"$BIN" -C "$HOME_DE" node --http 127.0.0.1:0 2> "$DIR/node.log" &
NODE=$!
i=0
until grep -q "page at" "$DIR/node.log"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { echo "bench_writers: the node did not start" >&2; exit 1; }
    sleep 0.1
done
URL=$(sed -n 's/.*http: page at //p' "$DIR/node.log" | head -1)
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# warm up (page cache, the first log's certificate), not counted
"$TOOLS/http_load" "$URL" --writers "$W" --count 2000 --seconds 60 > /dev/null
"$TOOLS/http_load" "$URL" --writers 1 --count 1000 --seconds 60 > "$DIR/one.txt"
"$TOOLS/http_load" "$URL" --writers "$W" --count "$N" --seconds 120 \
    > "$DIR/many.txt"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
sed -n 's/^http_\(writers\|acked\|errors\|lost\|seconds\)=/# http_\1=/p' \
    "$DIR/many.txt"
grep -E '^http_(durable_appends_per_s|append_p50_ms|append_p99_ms|append_max_ms)=' \
    "$DIR/many.txt"
sed -n 's/^http_append_\(p50_ms\|p99_ms\)=/http_single_append_\1=/p' \
    "$DIR/one.txt"
