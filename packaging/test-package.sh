#!/usr/bin/env bash
# The Debian package, end to end (ctest: package.deb; docs/packaging.md):
#   1. builds it with CPack from the existing build tree (nothing is compiled again);
#   2. checks what dpkg-deb --contents lists, that no installed file names the source or build
#      folder, that the desktop entry and the AppStream metadata validate, and that every font
#      Glyphs draws from comes from a package the .deb depends on or recommends;
#   3. runs lintian: no errors, and every warning explained in docs/packaging.md;
#   4. installs it with apt-get, then from /usr/bin in an empty folder (HOME in a temporary
#      folder, no XDG variables) runs `maml-cli datasets`, a 5-iteration Glyphs training run,
#      both --version options and the desktop entry's Exec line (offscreen);
#   5. removes it with apt-get and checks that none of its files is left.
# Needs root (apt-get). Exit code 77 (ctest: skipped) when not root, when a tool is missing or
# when maml-workbench is already installed here (the test would replace and then remove it).
#
# Usage: test-package.sh BUILD_DIR CPACK_COMMAND VERSION APP_ID
set -euo pipefail

build=$(cd "$1" && pwd)
cpack=$2
version=$3
app_id=$4
src=$(cd "$(dirname "$0")/.." && pwd)
package=maml-workbench

skip() {
    echo "SKIPPED: $*"
    exit 77
}
fail() {
    echo "FAILED: $*" >&2
    exit 1
}
step() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || skip "installing the package needs root (apt-get install); CI runs as root"
for tool in "$cpack" dpkg-deb dpkg-shlibdeps lintian apt-get desktop-file-validate appstreamcli help2man flock; do
    command -v "$tool" >/dev/null || skip "$tool is missing: run packaging/install-deps.sh"
done
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake is missing: configure with CMake first"

# One package test at a time on this machine (other worktrees run the same test), and never
# while apt or dpkg is busy (apt-get waits for its lock below).
exec 9>/run/lock/maml-workbench-package-test.lock
flock -w 1800 9 || fail "another package test held the lock for 30 minutes"

status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] ||
    skip "$package is installed on this machine ($status); the test would replace and remove it"
for f in /usr/bin/maml-cli /usr/bin/maml-workbench; do
    [ ! -e "$f" ] || skip "$f exists (not from the package); the test would overwrite it"
done

tmp=$(mktemp -d /tmp/maml-package-test.XXXXXX)
chmod 755 "$tmp" # apt reads the .deb as the user _apt
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        echo "cleanup: removing $package"
        apt-get remove -y -q -o DPkg::Lock::Timeout=600 "$package" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

step "1. building the package with CPack (from $build)"
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
    {
        cat "$tmp/cpack.log"
        fail "cpack failed"
    }
arch=$(dpkg --print-architecture)
deb="$tmp/pkg/${package}_${version}_${arch}.deb"
[ -f "$deb" ] || fail "expected $(basename "$deb"); CPack made: $(ls "$tmp/pkg")"
chmod 644 "$deb"
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends Suggests

step "2. contents"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
expected=(
    /usr/bin/maml-cli
    /usr/bin/maml-workbench
    "/usr/share/applications/$app_id.desktop"
    "/usr/share/metainfo/$app_id.metainfo.xml"
    "/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    "/usr/share/icons/hicolor/48x48/apps/$app_id.png"
    "/usr/share/icons/hicolor/128x128/apps/$app_id.png"
    "/usr/share/icons/hicolor/256x256/apps/$app_id.png"
    /usr/share/man/man1/maml-cli.1.gz
    /usr/share/man/man1/maml-workbench.1.gz
    /usr/share/doc/maml-workbench/copyright
    /usr/share/doc/maml-workbench/changelog.gz
    /usr/share/maml-workbench/fetch-text-data.sh
)
for f in "${expected[@]}"; do
    grep -qxF "$f" "$tmp/contents" || fail "the package lacks $f"
done
outside=$(grep -v -e '^/usr/$' -e '^/usr/bin/' -e '^/usr/share/' -e '^/$' "$tmp/contents" || true)
[ -z "$outside" ] || fail "files outside /usr/bin and /usr/share: $outside"
echo "all ${#expected[@]} expected files present; $(grep -vc '/$' "$tmp/contents") files in all"

dpkg-deb -x "$deb" "$tmp/root"
# No installed file may name the source or build folder (compiled-in paths, man pages' usage).
while read -r f; do
    case $f in
    *.gz) text=$(zcat "$f" | strings) ;;
    *) text=$(strings "$f") ;;
    esac
    ! grep -qF "$src/" <<<"$text" || fail "${f#"$tmp/root"} names the source tree $src: $(grep -F "$src/" <<<"$text" | head -3)"
done < <(find "$tmp/root" -type f)
echo "no installed file names $src"
desktop-file-validate "$tmp/root/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$tmp/root/usr/share/metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate"
zcat "$tmp/root/usr/share/doc/maml-workbench/changelog.gz" | head -1 | grep -qF "$package ($version)" ||
    fail "packaging/debian/changelog's first entry is not version $version: add an entry for it"
for size in 48 128 256; do
    file "$tmp/root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png" | grep -q "$size x $size" ||
        fail "the ${size}x${size} icon is not $size px (run packaging/icons/render-pngs.sh)"
done
for page in maml-cli maml-workbench; do
    zcat "$tmp/root/usr/share/man/man1/$page.1.gz" | grep -q "^\.SH ENVIRONMENT" || fail "$page.1 lacks its ENVIRONMENT section"
done
# Every font of datasets/glyphs.json found on this machine comes from a package the .deb names.
relations=$(dpkg-deb --field "$deb" Depends Recommends)
while read -r font; do
    path=$(find /usr/share/fonts -name "$font" -print -quit)
    [ -n "$path" ] || continue
    owner=$(dpkg -S "$path" 2>/dev/null | cut -d: -f1 | head -1)
    [ -z "$owner" ] || grep -qE "(^|[ ,|])$owner([ ,|(]|$)" <<<"$relations" ||
        fail "the Glyphs font $font comes from $owner, which the package neither depends on nor recommends"
done < <(grep -oE '"[^"]+\.(ttf|otf)"' "$src/datasets/glyphs.json" | tr -d '"')
echo "desktop entry, metainfo, changelog, icons, man pages and font dependencies check out"

step "3. lintian"
lintian --no-tag-display-limit "$deb" >"$tmp/lintian.log" 2>&1 || true
cat "$tmp/lintian.log"
! grep -q '^E: ' "$tmp/lintian.log" || fail "lintian reports errors"
while read -r tag; do
    grep -qF "\`$tag\`" "$src/docs/packaging.md" || fail "lintian warning $tag is not explained in docs/packaging.md"
done < <(sed -n 's/^W: [^:]*: \([a-z0-9-]*\).*/\1/p' "$tmp/lintian.log" | sort -u)
echo "lintian: no errors; $(grep -c '^W: ' "$tmp/lintian.log" || true) warnings, each explained in docs/packaging.md"

step "4. apt-get install ./$(basename "$deb")"
cd "$tmp/pkg"
# Everything it needs must already be here (packaging/install-deps.sh): the test installs one package.
apt-get install -s -q "./$(basename "$deb")" >"$tmp/simulate.log" 2>&1 || {
    cat "$tmp/simulate.log"
    fail "apt-get cannot install the package"
}
others=$(sed -n 's/^Inst \([^ ]*\).*/\1/p' "$tmp/simulate.log" | grep -vx "$package" || true)
[ -z "$others" ] || fail "installing would also install: $others (add them to packaging/install-deps.sh)"
installed=1
apt-get install -y -q -o DPkg::Lock::Timeout=600 "./$(basename "$deb")" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log"
    fail "apt-get install failed"
}
[ "$(dpkg-query -W -f='${db:Status-Status}' "$package")" = installed ] || fail "dpkg does not list $package as installed"
dpkg -L "$package" | sort >"$tmp/installed-files"
echo "installed: $(command -v maml-cli), $(command -v maml-workbench)"

# A user's session: an empty folder, HOME elsewhere, no XDG variables (the defaults apply).
home="$tmp/home"
work="$tmp/empty"
mkdir -p "$home" "$work"
cd "$work"
user_env=(env -i "HOME=$home" PATH=/usr/bin:/bin LANG=C.UTF-8)
"${user_env[@]}" maml-cli --version | tee "$tmp/version-cli"
grep -qx "maml-cli $version" <(head -1 "$tmp/version-cli") || fail "maml-cli --version does not start with 'maml-cli $version'"
grep -q "^git revision: ." "$tmp/version-cli" || fail "maml-cli --version names no git revision"
grep -q "LibTorch [0-9].*OpenCV [0-9]" "$tmp/version-cli" || fail "maml-cli --version names no LibTorch and OpenCV versions"
"${user_env[@]}" QT_QPA_PLATFORM=offscreen maml-workbench --version | tee "$tmp/version-gui"
grep -qx "maml-workbench $version" <(head -1 "$tmp/version-gui") || fail "maml-workbench --version does not start with 'maml-workbench $version'"
grep -q "^Qt 6.*LibTorch [0-9].*OpenCV [0-9]" "$tmp/version-gui" || fail "maml-workbench --version names no Qt, LibTorch and OpenCV versions"

"${user_env[@]}" maml-cli datasets >"$tmp/datasets.log" 2>&1 || {
    cat "$tmp/datasets.log"
    fail "maml-cli datasets failed"
}
head -5 "$tmp/datasets.log"
grep -q glyphs "$tmp/datasets.log" || fail "maml-cli datasets does not list glyphs"
"${user_env[@]}" maml-cli train --preset glyphs-5w1s --iterations 5 --run-dir r >"$tmp/train.log" 2>&1 || {
    cat "$tmp/train.log"
    fail "maml-cli train failed"
}
tail -3 "$tmp/train.log"
for f in r/config.json r/metrics.jsonl r/checkpoints/last.pt; do
    [ -s "$f" ] || fail "the run folder lacks $f"
done
[ "$(ls -A "$work")" = r ] || fail "the empty folder holds more than the run folder r: $(ls -A "$work")"
ls "$home"/.cache/maml-workbench/glyphs/glyphs-*.bin >/dev/null 2>&1 || fail "no Glyphs cache under ~/.cache/maml-workbench/glyphs"
[ -s "$home/.local/state/maml-workbench/maml.log" ] || fail "no log at ~/.local/state/maml-workbench/maml.log"
echo "the run is in ./r, the cache in ~/.cache/maml-workbench, the log in ~/.local/state/maml-workbench"

# The desktop entry's Exec line starts the installed workbench: still running after 15 s.
exec_line=$(sed -n 's/^Exec=//p' "/usr/share/applications/$app_id.desktop" | sed 's/ *%[fFuUick]//g')
echo "Exec=$exec_line"
set +e
# shellcheck disable=SC2086 # the Exec line is a command line
"${user_env[@]}" QT_QPA_PLATFORM=offscreen timeout 15 $exec_line >"$tmp/exec.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 124 ] || {
    cat "$tmp/exec.log"
    fail "the desktop entry's Exec line ended with code $rc within 15 s instead of running"
}
echo "the Exec line started the workbench (still running after 15 s, then stopped)"

step "5. apt-get remove $package"
apt-get remove -y -q -o DPkg::Lock::Timeout=600 "$package" >"$tmp/remove.log" 2>&1 || {
    cat "$tmp/remove.log"
    fail "apt-get remove failed"
}
installed=0
status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] || fail "after apt-get remove, dpkg lists $package as $status"
left=0
while read -r f; do
    if [ -f "$f" ] || [ -L "$f" ]; then
        echo "left behind: $f"
        left=1
    fi
done <"$tmp/installed-files"
for d in /usr/share/maml-workbench /usr/share/doc/maml-workbench; do
    [ ! -e "$d" ] || {
        echo "left behind: $d"
        left=1
    }
done
[ "$left" = 0 ] || fail "apt-get remove left files of the package behind"
echo "removed: none of its $(wc -l <"$tmp/installed-files") paths is left"
echo "PASSED: the package builds, validates, installs, runs and uninstalls"
