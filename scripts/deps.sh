#!/bin/sh
# deps.sh - make sure the Debian packages ilonet builds against are present.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails.
set -e
PKGS="build-essential pkg-config libuv1-dev libnng-dev libmsgpack-dev libsodium-dev libsqlite3-dev sqlite3"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
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
