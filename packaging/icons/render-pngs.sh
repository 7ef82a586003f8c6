#!/usr/bin/env bash
# Renders the hicolor PNG icons (48, 128 and 256 px) from maml-workbench.svg. The PNGs are
# committed, so building needs no SVG renderer; run this again after changing the SVG.
# Needs rsvg-convert (Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
command -v rsvg-convert >/dev/null || { echo "render-pngs: rsvg-convert is missing: apt-get install librsvg2-bin" >&2; exit 1; }
for size in 48 128 256; do
  rsvg-convert --width "$size" --height "$size" --output "maml-workbench-$size.png" maml-workbench.svg
done
echo "render-pngs: wrote maml-workbench-{48,128,256}.png"
