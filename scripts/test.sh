#!/usr/bin/env bash
# test.sh: the whole test suite from scratch: installs dependencies, builds in a fresh folder
# (build-test/), and runs every test with ctest. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/player-deps.sh
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
rm -rf build-test
scripts/build.sh build-test
cd build-test
ctest --output-on-failure -j "$(nproc)" --timeout 900
