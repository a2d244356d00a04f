#!/bin/sh
# format.sh check|fix - clang-format 14 (.clang-format) over every .c and .h
# of the project (crypto storage replication node cmd tests, subfolders
# included). check: changes nothing, names each file that differs and fails
# if any does (V=1 shows every diagnostic); fix: rewrites them in place.
files=$(find crypto storage replication node cmd tests -name '*.[ch]' | sort)
cf=clang-format-14
command -v $cf >/dev/null 2>&1 || cf=clang-format
case "$($cf --version 2>/dev/null)" in
*" 14."*) ;;
*) echo "format: clang-format 14 not found (make deps DEPS_EXTRA=clang-format-14)" >&2
   exit 1 ;;
esac
case "$1" in
fix)
    exec $cf -i $files ;;
check)
    log=$(mktemp)
    $cf --dry-run -Werror $files 2>"$log"
    rc=$?
    bad=$(sed -n 's/^\([^:]*\.[ch]\):[0-9]*:[0-9]*: error: .*/\1/p' "$log" |
        uniq)
    if [ "$V" = 1 ] || [ -z "$bad" ]; then cat "$log"; fi
    rm -f "$log"
    n=$(echo "$files" | wc -l)
    if [ $rc -ne 0 ] || [ -n "$bad" ]; then
        echo "$bad" | sed 's/^/  not formatted: /'
        echo "format: $(echo "$bad" | grep -c .) of $n files differ from" \
            ".clang-format (make format rewrites them)"
        exit 1
    fi
    echo "format: $n files follow .clang-format" ;;
*)
    echo "usage: format.sh check|fix" >&2
    exit 2 ;;
esac
