#!/bin/sh
# fuzz.sh SECONDS BIN... - runs each libFuzzer harness (build-fuzz/fuzz_NAME)
# for SECONDS over its committed seed corpus (tests/fuzz/corpus/NAME). New
# inputs go to build-fuzz/new-NAME, never into the repository; crashes to
# build-fuzz/. Bounded: 256 MiB RSS, 64 MiB per malloc, 10 s per input.
# One "Done" line per harness; exit 1 at the first harness that fails.
secs=$1
shift
for f in "$@"; do
    n=$(basename "$f" | sed 's/^fuzz_//')
    dir=$(dirname "$f")
    mkdir -p "$dir/new-$n"
    echo "== $f ($secs s)"
    ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=1 "$f" \
        -max_total_time="$secs" -rss_limit_mb=256 -malloc_limit_mb=64 \
        -timeout=10 -print_final_stats=0 -artifact_prefix="$dir/" \
        "$dir/new-$n" "tests/fuzz/corpus/$n" 2>"$dir/$n.log" ||
        { tail -30 "$dir/$n.log"; exit 1; }
    grep -h "^Done" "$dir/$n.log"
done
