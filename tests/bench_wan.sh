#!/bin/sh
# bench_wan.sh - sync over slow, long links: wire bytes and time against the
# one-link ideal, at every point of {2 MiB/s, 256 KiB/s, 64 KiB/s} x {25,
# 150, 300 ms one-way} (issue 17).
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_wan.sh
#
# Environment:
#   ILONET_BENCH_WAN_ENTRIES  entries on the source (default 20000: 5.7 MB)
#   ILONET_BENCH_WAN_PORT     base port (default 27500; uses base+1..+30)
#   ILONET_BENCH_WAN_SERIAL=1 one point at a time (default: the 2 MiB/s
#                             points one after the other, about 4 s each,
#                             where a receiver's start-up and storing
#                             count; then the six slower points at once,
#                             each on its own relay and receiver: together
#                             they move under 1 MiB/s)
#
# The source home (DE) gets N entries of 200-byte payload by 5 authors and
# runs `ilonet node`. A fresh home syncs from it straight over loopback:
# its wire bytes (both ways) are the one-link ideal. Then a fresh home per
# point syncs through tests/tools/wan_relay, which gives each direction
# the point's rate and one-way delay (release = max(now, link free) +
# bytes / rate + delay; this kernel has no netem). Per point:
#   wan_<rate>_<delay>_bytes_ratio  wire bytes / the ideal's
#   wan_<rate>_<delay>_time_ratio   elapsed / (bytes received / rate)
#   wan_<rate>_<delay>_net_ratio    (elapsed - 6 one-way delays) / (bytes
#                                   received / rate): the handshake (4
#                                   one-way trips, the dialler's HELLO
#                                   with message 3, the listener's HELLO
#                                   and listing with message 4), then
#                                   WANT and the first batch (2 more)
#                                   come before any data can, whatever
#                                   the window
# and the worst of each over the matrix: wan_bytes_ratio_max,
# wan_time_ratio_max, wan_net_ratio_max. Elapsed is `ilonet sync`'s own
# (process start to exit, TCP connect and storing included).
set -eu
BIN=${ILONET_BIN:-build/ilonet}
TOOLS=${ILONET_TOOLS:-build/tools}
N=${ILONET_BENCH_WAN_ENTRIES:-20000}
PORT=${ILONET_BENCH_WAN_PORT:-27500}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-wan.XXXXXX")
SRC_PID=
RELAYS=

cleanup() {
    for p in $RELAYS $SRC_PID; do kill "$p" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# One receiver per point plus the ideal's (BG): 10 fresh homes.
SINKS="PL AT BE SE FI PT CZ HU SK"
"$BIN" testnet --host TR --states DE,FR,IT,ES,NL,BG,$(echo $SINKS | tr ' ' ,) \
    --out "$DIR/net" --base-port "$PORT" > "$DIR/testnet.txt"
DEPK=$(awk '$2 == "DE" { print $3 }' "$DIR/testnet.txt")
NET=$DIR/net
"$TOOLS/bench_sync_fill" "$NET/DE" "$N" "$NET/DE" "$NET/FR" "$NET/IT" \
    "$NET/ES" "$NET/NL" > /dev/null
"$BIN" -C "$NET/DE" node --listen "tcp://127.0.0.1:$((PORT + 1))" \
    2> "$DIR/source.log" &
SRC_PID=$!
i=0
until grep -q 'listening on' "$DIR/source.log" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 2400 ] || { echo "bench_wan: source node did not start" >&2; exit 1; }
    sleep 0.05
done

# sink STATE PORT: `ilonet sync --json` of STATE's fresh home via PORT.
sink() {
    "$BIN" -C "$NET/$1" sync --json --timeout 1800 \
        --peer "tcp://127.0.0.1:$2@$DEPK" > "$DIR/$1.json" 2> "$DIR/$1.log"
}
j() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$DIR/$1.json"; }

sink BG $((PORT + 1))
IDEAL=$(( $(j BG wire_bytes_in) + $(j BG wire_bytes_out) ))
echo "wan_entries=$(j BG entries_in)"
echo "wan_ideal_bytes=$IDEAL"

# point STATE NAME RATE DELAY_MS RELAY_PORT
point() {
    "$TOOLS/wan_relay" "$5" $((PORT + 1)) "$3" "$4" > "$DIR/relay-$1.txt" &
    rp=$!
    tries=0 # (sh has no locals: not k, the caller's)
    until grep -q listening "$DIR/relay-$1.txt" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 200 ] || { echo "bench_wan: relay did not start" >&2; exit 1; }
        sleep 0.05
    done
    # A failed sync still leaves its line: the summary then names the
    # point (entries short of N) instead of dropping it silently.
    if ! sink "$1" "$5"; then
        echo "# $2: ilonet sync failed: $(tail -n 2 "$DIR/$1.log" | tr '\n' ' ')" >&2
    fi
    kill "$rp"
    wait "$rp" || true
    echo "$2 $3 $4 $(j "$1" entries_in) $(j "$1" wire_bytes_in)" \
        "$(j "$1" wire_bytes_out) $(j "$1" elapsed_ms)" > "$DIR/point-$1.txt"
}

k=0
for spec in 2m:2097152 256k:262144 64k:65536; do
    for d in 25 150 300; do
        set -- $SINKS
        shift $k
        st=$1
        k=$((k + 1))
        if [ "${ILONET_BENCH_WAN_SERIAL:-0}" = 1 ] || [ "$spec" = 2m:2097152 ]; then
            point "$st" "${spec%%:*}_${d}ms" "${spec#*:}" "$d" $((PORT + 20 + k))
        else
            point "$st" "${spec%%:*}_${d}ms" "${spec#*:}" "$d" $((PORT + 20 + k)) &
            RELAYS="$RELAYS $!"
        fi
    done
done
wait $RELAYS 2>/dev/null || true
RELAYS=

np=$(cat "$DIR"/point-*.txt | wc -l)
MISSING=0
[ "$np" -eq 9 ] || { echo "# only $np of the 9 points finished"; MISSING=1; }
cat "$DIR"/point-*.txt | awk -v ideal="$IDEAL" -v n="$(j BG entries_in)" '
{
    name = $1; rate = $2; d = $3; e = $4; wi = $5; wo = $6; ms = $7
    if (e != n) { printf "# %s: %d entries, not %d\n", name, e, n; bad = 1; next }
    br = (wi + wo) / ideal
    tr = (ms / 1000) / (wi / rate)
    nr = (ms / 1000 - 6 * d / 1000) / (wi / rate)
    printf "wan_%s_seconds=%.2f\n", name, ms / 1000
    printf "wan_%s_bytes_ratio=%.3f\n", name, br
    printf "wan_%s_time_ratio=%.3f\n", name, tr
    printf "wan_%s_net_ratio=%.3f\n", name, nr
    if (br > bmax) bmax = br
    if (tr > tmax) tmax = tr
    if (nr > nmax) nmax = nr
}
END {
    printf "wan_bytes_ratio_max=%.3f\n", bmax
    printf "wan_time_ratio_max=%.3f\n", tmax
    printf "wan_net_ratio_max=%.3f\n", nmax
    exit bad
}'
kill "$SRC_PID" 2>/dev/null || true
wait "$SRC_PID" || true
SRC_PID=
exit "$MISSING"
