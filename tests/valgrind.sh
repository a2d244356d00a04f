#!/bin/sh
# valgrind.sh - runs test executables under valgrind memcheck; one line per
# binary (clean / dirty / tests failed / timeout), and the last line totals.
#
# Each binary runs its cases in-process (TEST_NOFORK=1, so valgrind sees
# them) with TEST_QUICK=1 (tests that honour it run fewer rounds). Processes
# the tests fork stay under valgrind and get their own log. A binary is
# clean when its tests pass and no process reports a memcheck error or a
# definitely lost byte (--errors-for-leak-kinds=definite). The only
# suppressions (tests/valgrind.supp) cover test-harness memory. Logs go to
# $VALGRIND_LOG_DIR (build/valgrind); VALGRIND_TIMEOUT (s, default 1800)
# bounds each binary. Exit status 0 only when every binary is clean.
out=${VALGRIND_LOG_DIR:-build/valgrind}
limit=${VALGRIND_TIMEOUT:-1800}
mkdir -p "$out"
clean=0; bad=0
for t in "$@"; do
    n=$(basename "$t")
    rm -f "$out/$n".vg.* "$out/$n.out"
    start=$(date +%s)
    TEST_NOFORK=1 TEST_QUICK=1 timeout "$limit" valgrind --error-exitcode=9 \
        --leak-check=full --errors-for-leak-kinds=definite \
        --suppressions="$(dirname "$0")/valgrind.supp" \
        --log-file="$out/$n.vg.%p" "$t" >"$out/$n.out" 2>&1
    code=$?
    secs=$(($(date +%s) - start))
    # errors and definite leaks over every process (the test and whatever
    # it forked)
    errs=$(cat "$out/$n".vg.* 2>/dev/null |
        sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' |
        awk '{s += $1} END {print s + 0}')
    lost=$(cat "$out/$n".vg.* 2>/dev/null |
        sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' | tr -d , |
        awk '{s += $1} END {print s + 0}')
    if [ "$code" -eq 124 ]; then
        verdict="timeout after ${limit} s"
    elif [ "$errs" -gt 0 ] || [ "$lost" -gt 0 ] || [ "$code" -eq 9 ]; then
        verdict="dirty: $errs errors, $lost bytes definitely lost"
    elif [ "$code" -ne 0 ]; then
        verdict="tests failed (exit $code): $(grep -E '^  [^ ]+:[0-9]+: ' "$out/$n.out" | head -1)"
    else
        verdict="clean"
    fi
    printf '%-22s %s (%s s)\n' "$n" "$verdict" "$secs"
    if [ "$verdict" = clean ]; then
        clean=$((clean + 1))
    else
        bad=$((bad + 1))
        grep -h -B2 -A12 -E 'Invalid|uninitialised|definitely lost in' \
            "$out/$n".vg.* 2>/dev/null | head -40
    fi
done
echo "valgrind: $clean clean, $bad not clean (logs in $out)"
[ "$bad" -eq 0 ]
