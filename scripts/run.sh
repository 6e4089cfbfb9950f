#!/usr/bin/env bash
# run.sh: Ladder's main job on a fresh machine: installs dependencies, builds, synthesizes a
# sample mezzanine, ingests it into the show library, then serves the library with
# `ladder serve` and prints the URLs to open. Ctrl-C (or SIGTERM) stops the server.
# LADDER_LISTEN (default 127.0.0.1:8080) sets where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/player-deps.sh
scripts/build.sh build
mkdir -p out
if [ ! -f out/mezzanine.mp4 ]; then
  samples/make-mezzanine.sh --duration 12 --out out/mezzanine.mp4
fi
build/ladder ingest out/mezzanine.mp4 --id sample --title "Sample mezzanine" --library out/library
listen=${LADDER_LISTEN:-127.0.0.1:8080}
base="http://$listen"
cat <<EOT

The show is published in $(pwd)/out/library/sample (a new version per run; master.m3u8 -> current/).
Serving the library on $base:
  $base/play/sample               the right format for the device asking (302)
  $base/shows/sample/master.m3u8  HLS: open in Safari, or: ffplay $base/shows/sample/master.m3u8
  $base/shows                     the catalog (JSON)
  $base/demo/                     the player page: the catalog, the player, the show report
  $base/watch/sample              the share link (Open Graph tags for link previews)
  $base/metrics                   Prometheus metrics
Stop with Ctrl-C.
EOT
exec build/ladder serve --library out/library --listen "$listen" --demo player-demo
