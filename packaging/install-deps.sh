#!/usr/bin/env bash
# Installs every system package MAML Workbench needs to build, test and run.
# Idempotent: packages already present are skipped; safe to run again.
# Runs as root, or through sudo when available.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # core
  libtorch-dev libopenblas0-openmp libopenblas-openmp-dev
  libopencv-dev libspdlog-dev libfmt-dev libfreetype-dev
  libcli11-dev nlohmann-json3-dev libarchive-dev libcurl4-openssl-dev
  libssl-dev libgloo-dev
  # ui (Qt6Charts' CMake package needs the OpenGL and xkbcommon dev packages)
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev libgl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  python3-torch xvfb xauth
  # the Debian package and its test (packaging/test-package.sh, docs/packaging.md)
  dpkg-dev file help2man lintian desktop-file-utils appstream
  # fuzzing (tests/fuzz/run): clang's libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # data shipped by Debian
  dataset-fashion-mnist
  # fonts the Glyphs dataset is drawn from (the file list is datasets/glyphs.json "fonts")
  fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf fonts-urw-base35
  fonts-dkg-handwriting fonts-breip fonts-comic-neue fonts-dancingscript
  fonts-humor-sans fonts-isabella fonts-kaushanscript fonts-kristi
  fonts-lobster fonts-sjfonts fonts-tomsontalks fonts-cabinsketch
  fonts-ecolier-court fonts-femkeklaver fonts-rufscript fonts-leckerli-one
  fonts-bwht
  # npm, for the text datasets (the sentiment package)
  npm
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; run this script as root." >&2; exit 1; fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # npm may come from elsewhere (e.g. a NodeSource build): accept any npm on PATH.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed."
else
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# OpenBLAS instead of Debian's reference BLAS: MAML is about 2x faster with it.
arch=$(dpkg --print-architecture | sed 's/amd64/x86_64-linux-gnu/;s/arm64/aarch64-linux-gnu/')
for lib in libblas.so.3 liblapack.so.3; do
  target=$(ls /usr/lib/${arch}/openblas-openmp/${lib} 2>/dev/null || true)
  if [ -n "$target" ]; then
    $SUDO update-alternatives --set "${lib}-${arch}" "$target" >/dev/null 2>&1 || true
  fi
done
