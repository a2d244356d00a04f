#!/bin/sh
# install.sh - Hypercore 11, the anchor of the sync and disk benchmarks,
# from npm into a temporary folder (never into the repository).
#
#   HCDIR=$(sh tests/bench_hypercore/install.sh) || { echo "$HCDIR"; ...; }
#
# Prints the folder whose node_modules holds hypercore (installed once, then
# kept for the next run); prints one "SKIP hypercore: ..." line and exits 1
# when node or npm is missing or the install fails.
HCDIR=${TMPDIR:-/tmp}/ilonet-bench-hypercore
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
    echo "SKIP hypercore: node or npm not installed"
    exit 1
fi
if [ ! -d "$HCDIR/node_modules/hypercore" ]; then
    mkdir -p "$HCDIR"
    if ! npm install --prefix "$HCDIR" --no-audit --no-fund hypercore@11 \
        > "$HCDIR/npm.log" 2>&1; then
        echo "SKIP hypercore: npm install hypercore@11 failed (see $HCDIR/npm.log)"
        exit 1
    fi
fi
echo "$HCDIR"
