#!/usr/bin/env bash
# run.sh: Ladder's main job on a fresh machine: installs dependencies, builds, synthesizes a
# sample mezzanine, ingests it into the show library and says where the show is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
mkdir -p out
if [ ! -f out/mezzanine.mp4 ]; then
  samples/make-mezzanine.sh --duration 12 --out out/mezzanine.mp4
fi
build/ladder ingest out/mezzanine.mp4 --id sample --title "Sample mezzanine" --library library
echo
echo "The show is published in $(pwd)/library/sample (master.m3u8 -> current/, a new version per run)."
echo "Try: ffplay library/sample/master.m3u8   or   ffprobe library/sample/current/mp4/mp4-360p-500.mp4"
