#!/bin/sh
# coverage.sh - line coverage of the library (crypto storage replication
# node) by the unit suite. Builds the suite and the ilonet binary with gcov
# instrumentation into build-cov, runs every test binary (their children and
# the ilonet processes they start add their counts at exit), then lcov sums
# the counts. Last line: "coverage: lines N% (H of L), functions ..." for the
# library; per-file figures in build-cov/lib.info, HTML in build-cov/html.
# Exit status: the suite's. $MAKE is the make to call.
cov=build-cov
find "$cov" -name '*.gcda' -delete 2>/dev/null # counts of this run only
TEST_TIMEOUT=${TEST_TIMEOUT:-900} ${MAKE:-make} --no-print-directory unit \
    BUILD=$cov OPT="-O0 -g" XCFLAGS="--coverage" LDFLAGS="--coverage"
rc=$?
lcov --quiet --capture --directory "$cov" --output-file "$cov/all.info" \
    2>"$cov/lcov.log" &&
    lcov --quiet --extract "$cov/all.info" "$(pwd)/crypto/*" \
        "$(pwd)/storage/*" "$(pwd)/replication/*" "$(pwd)/node/*" \
        --output-file "$cov/lib.info" 2>>"$cov/lcov.log" ||
    { cat "$cov/lcov.log"; echo "coverage: lcov failed"; exit 1; }
genhtml --quiet --output-directory "$cov/html" "$cov/lib.info" \
    >>"$cov/lcov.log" 2>&1 ||
    echo "coverage: no HTML (genhtml failed, see $cov/lcov.log)"
lcov --summary "$cov/lib.info" 2>&1 |
    sed -n 's/^ *\(lines\|functions\)\.*: \(.*\)/\1 \2/p' |
    paste -sd, - | sed 's/,/, /; s/^/coverage: /'
exit $rc
