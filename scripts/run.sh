#!/usr/bin/env bash
# run.sh: Ladder's main job on a fresh machine: installs dependencies, builds, synthesizes a
# sample mezzanine, transcodes it through the default ladder and says where the output is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
mkdir -p out
if [ ! -f out/mezzanine.mp4 ]; then
  samples/make-mezzanine.sh --duration 12 --out out/mezzanine.mp4
fi
rm -rf out/renditions
build/ladder transcode out/mezzanine.mp4 --out out/renditions
echo
echo "Renditions and summary.json are in $(pwd)/out/renditions"
