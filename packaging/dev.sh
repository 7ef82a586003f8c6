#!/usr/bin/env bash
# The two set-up commands of the README, also callable without make:
#   packaging/dev.sh run    install dependencies, build, launch the workbench on Glyphs
#   packaging/dev.sh test   install dependencies, build, run the whole test suite
#   packaging/dev.sh build  install dependencies and build only
#   packaging/dev.sh package  install dependencies, build, make the Debian package (docs/packaging.md)
# PRESET=dev|release|asan selects the CMake preset (default: release).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PRESET=${PRESET:-release}
BUILD="build/$PRESET"

deps() {
  bash packaging/install-deps.sh
  bash datasets/fetch-text-data.sh || echo "warning: the text datasets could not be fetched (see above); image features are unaffected" >&2
}

build() {
  deps
  [ -f "$BUILD/build.ninja" ] || cmake --preset "$PRESET"
  cmake --build --preset "$PRESET" -j "${JOBS:-$(nproc)}"
}

case "${1:-}" in
  build) build ;;
  package)
    build
    cmake --build --preset "$PRESET" --target package
    ls "$BUILD"/maml-workbench_*.deb
    ;;
  test)
    build
    QT_QPA_PLATFORM=offscreen ctest --preset "$PRESET" -j "${JOBS:-$(nproc)}"
    ;;
  run)
    build
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "No display: the workbench needs a graphical session (DISPLAY or WAYLAND_DISPLAY is unset)." >&2
      echo "Use the command-line tool instead, for example:" >&2
      echo "  $BUILD/app/maml-cli datasets" >&2
      echo "  $BUILD/app/maml-cli train --preset glyphs-5w1s --run-dir runs/glyphs" >&2
      echo "or run the workbench under a virtual display: xvfb-run -a $BUILD/app/maml-workbench" >&2
      exit 2
    fi
    exec "$BUILD/app/maml-workbench" "${@:2}"
    ;;
  *) echo "usage: packaging/dev.sh run|test|build|package" >&2; exit 2 ;;
esac
