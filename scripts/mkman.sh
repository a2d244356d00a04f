#!/bin/sh
# mkman.sh BIN OUTDIR - writes the man pages ilonet(1) and ilonet-CMD(1), one
# per command that `BIN --help` lists, into OUTDIR (replaced as a whole), from
# the program's own --help texts: they are the one source, so a page cannot
# say what the program does not (scripts/mkman.awk turns one text into one
# page; tests/test_clidoc.c checks pages, texts and docs/CLI.md agree).
# Reproducible: the date is $SOURCE_DATE_EPOCH's, else the last commit's,
# else none. Needs sh, awk and sed only.
set -eu

[ $# -eq 2 ] || { echo "usage: mkman.sh BIN OUTDIR" >&2; exit 2; }
BIN=$1
OUT=$2
AWK=$(dirname "$0")/mkman.awk
TMP=$OUT.tmp
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT INT TERM

"$BIN" --help > "$TMP/help" || { echo "mkman: $BIN --help failed" >&2; exit 1; }
VERSION=$("$BIN" --version)
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
    DATE=$(git -C "$(dirname "$0")" log -1 --format=%cs 2>/dev/null || true)
fi
# "  name       summary" lines after "commands:"
CMDS=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/help")
[ -n "$CMDS" ] || { echo "mkman: no commands in $BIN --help" >&2; exit 1; }
CMDS=$(echo $CMDS)

awk -v mode=top -v cmd=ilonet -v summary= -v version="$VERSION" -v date="$DATE" \
    -v cmds="$CMDS" -f "$AWK" "$TMP/help" > "$TMP/ilonet.1"
for c in $CMDS; do
    SUMMARY=$(sed -n "/^commands:/,/^\$/s/^  $c  *//p" "$TMP/help")
    "$BIN" "$c" --help > "$TMP/$c.help" ||
        { echo "mkman: $BIN $c --help failed" >&2; exit 1; }
    awk -v mode=cmd -v cmd="$c" -v summary="$SUMMARY" -v version="$VERSION" \
        -v date="$DATE" -v cmds="$CMDS" -f "$AWK" "$TMP/$c.help" > "$TMP/ilonet-$c.1"
    rm -f "$TMP/$c.help"
done
rm -f "$TMP/help"
rm -rf "$OUT"
mv "$TMP" "$OUT"
