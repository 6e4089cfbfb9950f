#!/usr/bin/env bash
# build.sh [BUILD_DIR]: configures and builds Ladder (default folder: build/).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$(nproc)"
