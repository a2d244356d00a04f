#!/bin/sh
# run.sh - runs test executables (each with its wall time, for the reader:
# nothing passes or fails on it), keeps a running total, prints it last.
# `run.sh BIN...` runs them and adds to the total file; `run.sh --total`
# prints the grand total of everything run since the total was reset.
# Each executable gets a TMPDIR of its own under the caller's (every test
# makes its files there: test_tmpdir(), the simulator's stores), removed
# when it passes and kept, with its path printed, when it fails: a suite
# left about a gigabyte in /tmp at every run before.
TOTAL=${TEST_TOTAL_FILE:-build/test-total}
if [ "$1" = "--total" ]; then
    p=0; f=0
    if [ -f "$TOTAL" ]; then
        while read -r a b; do p=$((p + a)); f=$((f + b)); done < "$TOTAL"
        rm -f "$TOTAL"
    fi
    echo "$p passed, $f failed"
    [ "$f" -eq 0 ]
    exit
fi
mkdir -p "$(dirname "$TOTAL")"
p=0; f=0; rc=0
for t in "$@"; do
    echo "== $(basename "$t")"
    t0=$(date +%s)
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-run-$(basename "$t").XXXXXX") ||
        { echo "FAIL $(basename "$t") (no temporary directory)"; f=$((f + 1)); rc=1; continue; }
    # others may pass through, not list: test_deploy runs a node as the
    # package's own user in a directory of its own under this one
    chmod 0711 "$tmp"
    out=$(TMPDIR=$tmp "$t" 2>&1); code=$?
    echo "$out" | grep -v '^ok ' | grep -v 'passed, .* failed$' || true
    echo "   ($(($(date +%s) - t0)) s)"
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ]; then
        echo "FAIL $(basename "$t") (no result line, exit $code; its files are kept: $tmp)"
        f=$((f + 1)); rc=1; continue
    fi
    a=$(echo "$line" | cut -d' ' -f1); b=$(echo "$line" | cut -d' ' -f3)
    p=$((p + a)); f=$((f + b))
    if [ "$code" -ne 0 ]; then
        rc=1
        echo "   (its files are kept: $tmp)"
    else
        rm -rf "$tmp"
    fi
done
echo "$p $f" >> "$TOTAL"
echo "$(basename "$(dirname "$(dirname "${1:-x/x/x}")")"): $p passed, $f failed"
exit $rc
