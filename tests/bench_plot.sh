#!/bin/sh
# bench_plot.sh - how cost grows with data: sync rate and peak RSS against
# entries synced (tests/bench_sync.sh), the desk's latencies and the
# semester report against records held (tests/bench_desk.sh), measured at
# several sizes and drawn with gnuplot into OUTDIR (`make bench-plot`:
# docs/). A benchmark, not a test.
#
#   ILONET_BIN=build/ilonet ILONET_TOOLS=build/tools sh tests/bench_plot.sh OUTDIR
#
# Environment:
#   ILONET_PLOT_SYNC_SIZES  entries per sync run (default "10000 100000 1000000")
#   ILONET_PLOT_DESK_SIZES  records per desk store (default "10000 100000 1000000")
#   ILONET_PLOT_DESK_HOMES  "N=HOME ..." desk_gen homes to reuse for those
#                           sizes instead of generating them
#   ILONET_PLOT_ITERS       samples per desk call (default 100: the p99
#                           of fewer is their largest)
#   ILONET_PLOT_ONLY=1      draw OUTDIR/bench-scale-*.dat again, measure nothing
#
# Writes OUTDIR/bench-scale-sync.dat, OUTDIR/bench-scale-desk.dat (the
# figures, one size a line, with the date and the machine's cores in a
# comment) and OUTDIR/bench-scale.svg.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-docs}
SYNC_SIZES=${ILONET_PLOT_SYNC_SIZES:-10000 100000 1000000}
DESK_SIZES=${ILONET_PLOT_DESK_SIZES:-10000 100000 1000000}
ITERS=${ILONET_PLOT_ITERS:-100}
SYNC=$OUT/bench-scale-sync.dat
DESK=$OUT/bench-scale-desk.dat
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench-plot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

key() { sed -n "s/^$1=//p" "$2" | tail -n 1; }

if [ "${ILONET_PLOT_ONLY:-0}" != 1 ]; then
    stamp="# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
    echo "$stamp" > "$SYNC"
    echo "# entries entries_per_s peak_rss_mib receiver_rss_mib" >> "$SYNC"
    for n in $SYNC_SIZES; do
        ILONET_BENCH_ENTRIES=$n ILONET_BENCH_NO_HC=1 \
            sh "$HERE/bench_sync.sh" > "$TMP/sync.txt"
        echo "$n $(key sync_entries_per_s "$TMP/sync.txt")" \
            "$(key sync_peak_rss_mib "$TMP/sync.txt")" \
            "$(key sync_peak_rss_receiver_mib "$TMP/sync.txt")" >> "$SYNC"
        tail -n 1 "$SYNC"
    done
    echo "$stamp" > "$DESK"
    echo "# records p99_worst_ms first_load_ms list_p99_ms show_p99_ms" \
        "search_p99_ms stats_p99_ms report_ms store_mib" >> "$DESK"
    for n in $DESK_SIZES; do
        home=
        for m in ${ILONET_PLOT_DESK_HOMES:-}; do
            [ "${m%%=*}" = "$n" ] && home=${m#*=}
        done
        ILONET_BENCH_DESK_RECORDS=$n ILONET_BENCH_DESK_HOME=$home \
            ILONET_BENCH_DESK_ITERS=$ITERS \
            sh "$HERE/bench_desk.sh" > "$TMP/desk.txt"
        f=$TMP/desk.txt
        echo "$n $(key desk_p99_ms "$f") $(key desk_first_load_ms "$f")" \
            "$(key desk_list_observations_p99_ms "$f")" \
            "$(key desk_show_p99_ms "$f") $(key desk_search_p99_ms "$f")" \
            "$(key desk_stats_p99_ms "$f") $(key report_semester_ms "$f")" \
            "$(awk -v b="$(key desk_store_bytes "$f")" \
                'BEGIN { printf "%.1f", b / 1048576 }')" >> "$DESK"
        tail -n 1 "$DESK"
    done
fi

gnuplot <<GP
set terminal svg size 960,900 dynamic font "sans,11" background "white"
set output "$OUT/bench-scale.svg"
set multiplot layout 3,1 title "ilonet: cost against data size (logarithmic axes)"
set logscale xy
set grid
set key left top
set format x "%.0s%c"
set xlabel "entries synced onto a fresh node"
set ylabel "entries/s"
plot "$SYNC" using 1:2 with linespoints lw 2 pt 7 title "sync rate"
set ylabel "MiB"
plot "$SYNC" using 1:3 with linespoints lw 2 pt 7 title "peak RSS (larger process)", \
     "$SYNC" using 1:4 with linespoints lw 2 pt 5 title "peak RSS (receiver)"
set xlabel "records held by the desk"
set ylabel "ms"
set key left top opaque box
set yrange [1:*]
plot "$DESK" using 1:2 with linespoints lw 2 pt 7 title "worst p99 of the interactive calls", \
     "$DESK" using 1:4 with linespoints lw 2 pt 5 title "list, first page of 1000 (p99)", \
     "$DESK" using 1:5 with linespoints lw 2 pt 9 title "show with history (p99)", \
     "$DESK" using 1:6 with linespoints lw 2 pt 11 title "search (p99)", \
     "$DESK" using 1:3 with linespoints lw 2 pt 13 title "first load (sum of p50)", \
     "$DESK" using 1:8 with linespoints lw 2 pt 3 title "semester report (slowest format)", \
     50 with lines dt 2 lc rgb "red" title "50 ms target"
unset multiplot
GP
echo "bench_plot: $OUT/bench-scale.svg"
