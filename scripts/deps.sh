#!/bin/sh
# deps.sh [PKG...] - make sure the Debian packages ilonet builds against (and
# any PKG a target adds: clang for fuzzing, lcov for coverage, ...) are
# present. Quiet and quick when nothing is missing. As root it installs what
# is missing with apt-get; otherwise it prints the exact command and fails.
# Without dpkg (not Debian) it checks nothing.
set -e
command -v dpkg >/dev/null 2>&1 || exit 0
PKGS="build-essential pkg-config libuv1-dev libnng-dev libmsgpack-dev libsodium-dev libsqlite3-dev sqlite3"
# One dpkg-query for all of them: this runs before every build.
have=$(dpkg-query -W -f '${Package} ${db:Status-Status}\n' $PKGS "$@" 2>/dev/null |
    sed -n 's/^\([^ :]*\)[^ ]* installed$/\1/p')
missing=""
for p in $PKGS "$@"; do
    case " $(echo $have) " in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq $missing >/dev/null
else
    echo "deps: missing packages; run: sudo apt-get install -y$missing" >&2
    exit 1
fi
