#!/usr/bin/env bash
# player-deps.sh: puts the player page's one dependency in place: hls.js, at the version pinned
# in player-demo/package-lock.json, from the npm registry into player-demo/vendor/ (served at
# /demo/vendor/hls.min.js; the page loads nothing from anywhere but the origin).
set -euo pipefail
cd "$(dirname "$0")/../player-demo"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p vendor
cp node_modules/hls.js/dist/hls.min.js vendor/hls.min.js
