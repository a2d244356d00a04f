#!/bin/sh
# bench_blob.sh - blob transfer benchmark (issue 16): files between two nodes
# over loopback, and log sync while they move.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_blob.sh
#
# Environment:
#   ILONET_BENCH_BLOBS        files (default 100)
#   ILONET_BENCH_BLOB_MIB     MiB per file (default 5)
#   ILONET_BENCH_BLOB_ENTRIES log entries for the ratio (default 100000)
#   ILONET_BENCH_BLOB_PORT    base port (default 27500; uses base+1)
#
# 1. DE writes the files into net records (observe + attach --to; random
#    bytes, so nothing compresses). AT, fresh, runs `ilonet sync` against
#    DE's node: one-shot sync ends once AT holds every file it wants
#    (PROTOCOL.md §11.6), so the elapsed time is the transfer's:
#    blob_sync_mib_per_s.
# 2. DE gets ILONET_BENCH_BLOB_ENTRIES more entries of 5 authors
#    (tests/tools/bench_sync_fill). SE, whose blob-quota (1 byte) lets no
#    file in, syncs the logs alone; PL, with the default quota, syncs the
#    same logs while the files move. For both the time until the sink
#    holds every entry is taken by polling its entry count (the same
#    polling in both runs): blob_log_sync_ratio = entries/s during the
#    transfer / entries/s alone (issue 16 asks for >= 0.8).
# Output: key=value lines. Not a test: nothing passes or fails on time.
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
NB=${ILONET_BENCH_BLOBS:-100}
MB=${ILONET_BENCH_BLOB_MIB:-5}
NE=${ILONET_BENCH_BLOB_ENTRIES:-100000}
PORT=${ILONET_BENCH_BLOB_PORT:-27500}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-blob.XXXXXX")
SRC_PID=

cleanup() {
    if [ -n "$SRC_PID" ]; then kill "$SRC_PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }

src_start() {
    "$BIN" -C "$NET/DE" node --listen "tcp://127.0.0.1:$((PORT + 1))" \
        2> "$DIR/source-$1.log" &
    SRC_PID=$!
    i=0
    until grep -q 'listening on' "$DIR/source-$1.log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 2400 ] || { echo "bench_blob: source did not start" >&2; exit 1; }
        sleep 0.05
    done
}

src_stop() {
    kill -TERM "$SRC_PID"
    wait "$SRC_PID" || true
    SRC_PID=
}

entries_of() {
    "$BIN" -C "$1" query "SELECT count(*) FROM entries" 2>/dev/null |
        sed -n '2p'
}

# Runs a one-shot sync of home $1 against DE in the background and prints
# the ms until it holds $2 entries.
log_run() {
    t0=$(now_ms)
    "$BIN" -C "$1" sync --json --timeout 1800 \
        --peer "tcp://127.0.0.1:$((PORT + 1))@$DEPK" > "$DIR/$3.json" \
        2> "$DIR/$3.log" &
    spid=$!
    while :; do
        n=$(entries_of "$1")
        if [ -n "$n" ] && [ "$n" -ge "$2" ]; then
            echo $(($(now_ms) - t0))
            break
        fi
        if ! kill -0 "$spid" 2>/dev/null; then
            echo "bench_blob: $3: sync ended with $n of $2 entries" >&2
            echo 0
            break
        fi
        sleep 0.1
    done
    wait "$spid" || true
}

"$BIN" testnet --host TR --states DE,FR,IT,ES,NL,PL,SE,AT --out "$DIR/net" \
    --base-port "$PORT" > "$DIR/testnet.txt"
DEPK=$(awk '$2 == "DE" { print $3 }' "$DIR/testnet.txt")
NET=$DIR/net
echo "blob-quota 1" >> "$NET/SE/config"

# 1. files alone
i=0
while [ $i -lt "$NB" ]; do
    head -c $((MB * 1048576)) /dev/urandom > "$DIR/f.bin"
    rec=$("$BIN" -C "$NET/DE" observe --category routes \
        --summary "bench file $i" 2>/dev/null)
    "$BIN" -C "$NET/DE" attach "$DIR/f.bin" --name "f$i.bin" --to "$rec" \
        > /dev/null 2>&1
    i=$((i + 1))
done
rm -f "$DIR/f.bin"
src_start 1
"$BIN" -C "$NET/AT" sync --json --timeout 1800 \
    --peer "tcp://127.0.0.1:$((PORT + 1))@$DEPK" > "$DIR/at.json" \
    2> "$DIR/at.log"
src_stop
MS=$(sed -n 's/.*"elapsed_ms":\([0-9]*\).*/\1/p' "$DIR/at.json")
HELD=$("$BIN" -C "$NET/AT" status --json |
    sed -n 's/.*"blobs":{"held":\([0-9]*\).*/\1/p')
awk -v nb="$NB" -v mb="$MB" -v ms="$MS" -v h="$HELD" 'BEGIN {
    printf "blob_sync_files=%d\n", h
    printf "blob_sync_mib=%d\n", h * mb
    printf "blob_sync_seconds=%.3f\n", ms / 1000
    printf "blob_sync_mib_per_s=%.1f\n", h * mb / (ms / 1000)
}'
[ "$HELD" = "$NB" ] || echo "# bench_blob: AT holds $HELD of $NB files"

# 2. log sync alone, and while the files move
"$TOOLS/bench_sync_fill" "$NET/DE" "$NE" "$NET/DE" "$NET/FR" "$NET/IT" \
    "$NET/ES" "$NET/NL" > /dev/null
TOTAL=$(entries_of "$NET/DE")
src_start 2
ALONE=$(log_run "$NET/SE" "$TOTAL" se)
DURING=$(log_run "$NET/PL" "$TOTAL" pl)
src_stop
PLHELD=$("$BIN" -C "$NET/PL" status --json |
    sed -n 's/.*"blobs":{"held":\([0-9]*\).*/\1/p')
awk -v t="$TOTAL" -v a="$ALONE" -v d="$DURING" -v h="$PLHELD" 'BEGIN {
    printf "blob_log_entries=%d\n", t
    printf "blob_log_alone_entries_per_s=%.0f\n", a ? t / (a / 1000) : 0
    printf "blob_log_during_entries_per_s=%.0f\n", d ? t / (d / 1000) : 0
    printf "blob_log_sync_ratio=%.2f\n", (a && d) ? a / d : 0
    printf "blob_log_files_fetched=%d\n", h
}'
