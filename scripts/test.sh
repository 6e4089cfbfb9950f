#!/usr/bin/env bash
# test.sh: the whole test suite from scratch: installs dependencies, builds in a fresh folder
# (build-test/), and runs every test with ctest (labels: unit, e2e, slow). Then the same code
# built with AddressSanitizer and UBSan (build-asan/) runs the unit tier, the origin's suites
# and three distributed-ingest cases, and built with ThreadSanitizer (build-tsan/) the threads
# test and the join as jobs arrive. This is what CI runs. Only the unit tier:
# ctest --test-dir build-test -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/player-deps.sh
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
rm -rf build-test
scripts/build.sh build-test
ctest --test-dir build-test --output-on-failure -j "$(nproc)" --timeout 900
rm -rf build-asan
scripts/build.sh build-asan -DLADDER_SANITIZE=ON
# valgrind and ASan do not mix: origin.leaks stays with the plain build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" --timeout 900 \
  -R '^(unit\.|origin\.(http|play|catalog|cdn)$|cli\.queue\.(workers|poison|arriving)$)'
rm -rf build-tsan
scripts/build.sh build-tsan -DLADDER_TSAN=ON
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure --timeout 900 \
  -R '^(cli\.threads|cli\.queue\.arriving)$'
# Fuzzing (fuzz/README.md): the regression inputs, then every libFuzzer target for 10 s (clang,
# ASan, UBSan). build-fuzz/ is kept between runs, so its corpus grows.
fuzz/run.sh 10 build-fuzz
