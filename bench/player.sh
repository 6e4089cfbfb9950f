#!/usr/bin/env bash
# bench/player.sh: is the player page as quick to its first frame as hls.js alone?
#
# The target (issue #12): time to first frame on loopback, median of 5, no more than 1.1x a
# bare page that holds hls.js and nothing else (bench/bare.html), on the same show, in the same
# run. Both pages are served by one `ladder serve` from a scratch copy of player-demo/ with
# bare.html beside it; bench/ttff.mjs opens each in a fresh Chromium context (cold cache),
# alternating which goes first, and reads the first `playing` event's time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=player.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

usage() {
    cat <<'EOF2'
usage: bench/player.sh [--ladder PATH] [--library DIR] [--id ID] [--runs N] [--work DIR]
  --ladder PATH   ladder binary (default: build/ladder)
  --library DIR   show library (default: out/library/, as scripts/run.sh leaves it)
  --id ID         the show (default: sample)
  --runs N        page loads per page; medians are reported (default 5)
  --work DIR      scratch folder (default /tmp/ladder-bench-player)
Needs chromium and node, with player-demo/vendor and tests/browser/node_modules in place
(scripts/player-deps.sh; npm ci in tests/browser).
EOF2
}

LADDER=$ROOT/build/ladder LIBRARY=$ROOT/out/library ID=sample RUNS=5 WORK=/tmp/ladder-bench-player
while (($#)); do
    case $1 in
    --ladder) LADDER=$2; shift 2 ;;
    --library) LIBRARY=$2; shift 2 ;;
    --id) ID=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
[[ -x $LADDER ]] || die "no ladder binary at $LADDER (scripts/build.sh)"
[[ -e $LIBRARY/$ID/master.m3u8 ]] || die "no show $ID in $LIBRARY (scripts/run.sh makes one)"
[[ -f $ROOT/player-demo/vendor/hls.min.js ]] || die "hls.js is missing: scripts/player-deps.sh"
[[ -d $ROOT/tests/browser/node_modules ]] || die "playwright-core is missing: npm ci in tests/browser"

rm -rf "$WORK"
mkdir -p "$WORK/site"
cp -r "$ROOT/player-demo/." "$WORK/site/"
rm -rf "$WORK/site/node_modules"
cp "$ROOT/bench/bare.html" "$WORK/site/"
log "CPU busy before the run: $(cpu_busy_percent)%"
"$LADDER" serve --library "$LIBRARY" --listen 127.0.0.1:0 --demo "$WORK/site" >"$WORK/serve.out" 2>"$WORK/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out") || die "ladder serve did not start"
# ES modules find packages from their own folder up, so the script runs beside a link to them.
cp "$ROOT/bench/ttff.mjs" "$WORK/"
ln -s "$ROOT/tests/browser/node_modules" "$WORK/node_modules"
result=$(node "$WORK/ttff.mjs" "$base" "$ID" "$RUNS")
echo "$result"
ratio=$(node -e 'console.log(JSON.parse(process.argv[1]).ratio.toFixed(3))' "$result")
log "time to first frame, median of $RUNS: $(node -e 'const r=JSON.parse(process.argv[1]);console.log(`demo ${r.demo_ms.toFixed(0)} ms, bare hls.js ${r.bare_ms.toFixed(0)} ms`)' "$result"); ratio $ratio (target <= 1.1): $(verdict "$ratio" 1.1)"
