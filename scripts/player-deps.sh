#!/usr/bin/env bash
# player-deps.sh: puts the player page's two dependencies in place: hls.js and dash.js, at the
# versions pinned in player-demo/package-lock.json, from the npm registry into
# player-demo/vendor/ (served at /demo/vendor/hls.min.js and /demo/vendor/dash.all.min.js; the
# page loads nothing from anywhere but the origin).
set -euo pipefail
cd "$(dirname "$0")/../player-demo"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p vendor
cp node_modules/hls.js/dist/hls.min.js vendor/hls.min.js
# dash.js's "modern" build (ES2020, what every MSE browser the page targets runs); the page
# loads it only when /play answers DASH.
cp node_modules/dashjs/dist/modern/umd/dash.all.min.js vendor/dash.all.min.js
