#!/bin/sh
# mkdeb.sh BIN OUTDIR - builds ilonet_<version>_<arch>.deb from the built
# program BIN with dpkg-deb; prints the package's path last.
# mkdeb.sh --hardened OUTDIR (`make deb`) first builds OUTDIR/hardened/ilonet
# with Debian's build flags (dpkg-buildflags, hardening=+all: fortify,
# stack protector, relro, bindnow) through $MAKE, then packages that.
# The version is what `BIN --version` prints (cmd/main.c, the one place).
# Depends: from dpkg-shlibdeps on BIN (the Debian packages of the libraries
# it links, with their minimum versions) plus adduser; without dpkg-dev, the
# packages that own the linked .so files (dpkg -S), unversioned.
# Man pages: every man/*.1 and BUILD/man/*.1 that exists (BUILD: BIN's
# directory; with --hardened, OUTDIR). DEB_MAINTAINER overrides the
# Maintainer field (the project has no mailing address yet).
# Layout and maintainer scripts: scripts/deb/, scripts/systemd/.
set -eu

[ $# -eq 2 ] || { echo "usage: mkdeb.sh BIN|--hardened OUTDIR" >&2; exit 2; }
BIN=$1
OUT=$2
MANOUT=""
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ "$BIN" = --hardened ]; then
    export DEB_BUILD_MAINT_OPTIONS=hardening=+all
    BIN=$OUT/hardened/ilonet
    MANOUT=$OUT # the build's generated man pages: $(BUILD)/man
    ${MAKE:-make} --no-print-directory -C "$SRC" BUILD="$OUT/hardened" \
        XCFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)" \
        LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" "$BIN"
fi
BUILDDIR=$(dirname "$BIN")
MANOUT=${MANOUT:-$BUILDDIR}
MAINT=${DEB_MAINTAINER:-ilonet developers <ilonet-dev@example.org>}

VERSION=$("$BIN" --version | sed -n 's/^ilonet \([0-9][0-9A-Za-z.+~-]*\)$/\1/p')
[ -n "$VERSION" ] || { echo "mkdeb: cannot read the version from $BIN --version" >&2; exit 1; }
ARCH=$(dpkg --print-architecture)
# Reproducible: every timestamp is the last commit's (or now, outside git).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$SRC" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
ST=$WORK/root
DOC=$ST/usr/share/doc/ilonet
install -d -m 0755 "$ST/DEBIAN" "$ST/usr/bin" "$ST/lib/systemd/system" \
    "$ST/usr/share/man/man1" "$DOC"

install -m 0755 "$BIN" "$ST/usr/bin/ilonet"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$ST/usr/bin/ilonet"
install -m 0644 "$SRC/scripts/systemd/ilonet@.service" "$ST/lib/systemd/system/"
for m in "$SRC"/man/*.1 "$BUILDDIR"/man/*.1 "$MANOUT"/man/*.1; do
    [ -f "$m" ] || continue
    install -m 0644 "$m" "$ST/usr/share/man/man1/"
    gzip -9nf "$ST/usr/share/man/man1/$(basename "$m")"
done
rmdir "$ST/usr/share/man/man1" "$ST/usr/share/man" 2>/dev/null || true
install -m 0644 "$SRC/scripts/deb/copyright" "$DOC/copyright"
install -m 0644 "$SRC/README.md" "$DOC/"
for d in "$SRC"/docs/*.md; do install -m 0644 "$d" "$DOC/"; done
DATE=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
sed -e "s/@VERSION@/$VERSION/" -e "s/@MAINTAINER@/$MAINT/" -e "s/@DATE@/$DATE/" \
    "$SRC/scripts/deb/changelog.in" | gzip -9n > "$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"

for s in postinst prerm postrm; do
    install -m 0755 "$SRC/scripts/deb/$s" "$ST/DEBIAN/$s"
done

if command -v dpkg-shlibdeps >/dev/null 2>&1; then
    mkdir -p "$WORK/src/debian"
    printf 'Source: ilonet\n\nPackage: ilonet\nArchitecture: any\n' > "$WORK/src/debian/control"
    DEPS=$(cd "$WORK/src" && dpkg-shlibdeps -O -e"$ST/usr/bin/ilonet" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')
else
    DEPS=$(ldd "$BIN" | awk '/=>/ { print $3 }' | while read -r so; do
        dpkg -S "$(readlink -f "$so")" 2>/dev/null || dpkg -S "$so"
    done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
fi
[ -n "$DEPS" ] || { echo "mkdeb: no library dependencies found for $BIN" >&2; exit 1; }
DEPS="$DEPS, adduser"

SIZE=$(du -sk --exclude=DEBIAN "$ST" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@MAINTAINER@/$MAINT/" \
    -e "s/@SIZE@/$SIZE/" -e "s/@DEPENDS@/$DEPS/" \
    "$SRC/scripts/deb/control.in" > "$ST/DEBIAN/control"
(cd "$ST" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' |
    LC_ALL=C sort | xargs md5sum) > "$ST/DEBIAN/md5sums"
chmod 0644 "$ST/DEBIAN/control" "$ST/DEBIAN/md5sums"
find "$ST" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$OUT"
DEB=$OUT/ilonet_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$ST" "$DEB" >/dev/null
echo "$DEB"
