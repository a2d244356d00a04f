#!/bin/sh
# bench.sh - ilonet's benchmarks (`make bench`). Not tests: nothing here
# passes or fails on time. Prints key=value lines; docs/BENCHMARKS.md
# records them with this command. BENCH_QUICK=1 runs smaller workloads.
set -e
TOOLS=${ILONET_TOOLS:-build/tools}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM
N=100000
[ -n "$BENCH_QUICK" ] && N=20000

echo "# ilonet bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores"
echo "# log store: append and import ($N entries of 200 B, 5 authors)"
"$TOOLS/bench_log" "$DIR" "$N"
for t in bench_view bench_sync; do
    if [ -x "$TOOLS/$t" ]; then
        echo "# $t"
        "$TOOLS/$t" "$DIR" || echo "# $t failed"
    fi
done
for s in tests/bench_*.sh; do
    [ -f "$s" ] || continue
    # bench_plot.sh measures at several sizes: `make bench-plot`
    [ "$s" = tests/bench_plot.sh ] && continue
    echo "# $s"
    sh "$s" "$DIR" || echo "# $s failed"
done
