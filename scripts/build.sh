#!/usr/bin/env bash
# build.sh [BUILD_DIR [CMAKE_OPTION...]]: configures and builds Ladder (default folder: build/).
# e.g. scripts/build.sh build-asan -DLADDER_SANITIZE=ON for the AddressSanitizer+UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
