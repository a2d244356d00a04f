#!/bin/sh
# tsan.sh [TEST_BIN...] - the unit suite, or only the named test binaries
# (build-tsan/tests/test_X), built with ThreadSanitizer into build-tsan and
# run. NNG runs callbacks on its own threads: every process (the tests and
# the `ilonet node` children they start) writes its reports to
# build-tsan/tsan.<pid>, so a race in a node child fails the run too.
# $MAKE is the make to call (the Makefile passes its own).
out=$(pwd)/build-tsan
mkdir -p "$out"
rm -f "$out"/tsan.*
if [ $# -gt 0 ]; then
    bins="TEST_BIN=$*"
    set -- "$bins"
fi
TSAN_OPTIONS="log_path=$out/tsan $TSAN_OPTIONS" ${MAKE:-make} \
    --no-print-directory unit BUILD=build-tsan OPT="-O1 -g" \
    XCFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    LDFLAGS="-fsanitize=thread" "$@"
rc=$?
if ls "$out"/tsan.* >/dev/null 2>&1; then
    head -60 "$out"/tsan.*
    echo "tsan: reports in build-tsan/tsan.*"
    exit 1
fi
echo "tsan: no reports"
exit $rc
