#!/usr/bin/env bash
# bench/stitched.sh: are stitched playlists (ads spliced in, /stitched/...) served about as fast
# as the show's static ones (/shows/...)?
#
# Issue #20's target: requests per second on stitched media playlists at least 0.8x those on
# the same show's static media playlists, at 64 connections, with zero errors. One library (a
# show with a pre-roll and a mid-roll, and two ads, made once and kept in the work folder), one
# `ladder serve --ads`, and wrk (one thread per core, bench/wrk-rotate.lua) cycling through the
# show's media playlists, static or stitched, alternating which goes first; medians of the
# rounds, and their ratio. Requests carry no Accept-Encoding, so both are sent uncompressed.
#
# What makes it fast: a stitched playlist is built once per (show version, path, pool state)
# and kept with its ready response (origin/stitched.c); a request costs a readlink and a stat
# of the show (as a static file costs a stat), a cache lookup, and the pool's state, rechecked
# at most once a second.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=stitched.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

usage() {
    cat <<'EOF'
usage: bench/stitched.sh [--ladder PATH] [--runs N] [--seconds S] [--conns N] [--work DIR]
                         [--json-out FILE] [--quick]
  --ladder PATH   ladder binary (default: build/ladder)
  --runs N        rounds; medians are reported (default 5)
  --seconds S     length of each wrk run (default 5)
  --conns N       connections (default 64)
  --work DIR      work folder; keeps the library between runs (default /tmp/ladder-bench-stitched)
  --json-out FILE also write the results as JSON to FILE
  --quick         smoke test: 1 round of 2 s
Needs wrk and python3 (installed with apt-get when missing and running as root).
EOF
}

LADDER=$ROOT/build/ladder RUNS=5 SECONDS_PER_RUN=5 CONNS=64
WORK=/tmp/ladder-bench-stitched JSON_OUT='' QUICK=0
while (($#)); do
    case $1 in
        --ladder) LADDER=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --seconds) SECONDS_PER_RUN=${2:?}; shift ;;
        --conns) CONNS=${2:?}; shift ;;
        --work) WORK=${2:?}; shift ;;
        --json-out) JSON_OUT=${2:?}; shift ;;
        --quick) QUICK=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if ((QUICK)); then RUNS=1 SECONDS_PER_RUN=2; fi
[[ -x $LADDER ]] || die "no ladder binary at $LADDER (run scripts/build.sh)"
need wrk wrk
need python3 python3
NPROC=$(nproc)
ulimit -n "$(ulimit -Hn)"
mkdir -p "$WORK"
LIB=$WORK/lib
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- the library: a show with two breaks, and two ads, made once ---------------------------------

ingest() { # ID SECONDS [INGEST OPTION...]
    local id=$1 seconds=$2
    shift 2
    "$ROOT/tests/media/make-clip.sh" --duration "$seconds" --size 1280x720 good "$WORK/$id.mp4"
    "$LADDER" ingest "$WORK/$id.mp4" --id "$id" --library "$LIB" --quiet "$@"
}

make_library() {
    [[ -e $LIB/show/master.m3u8 && -e $LIB/ad2/master.m3u8 ]] && return 0
    log "making the show and two ads (once; cached in $WORK)"
    if "$LADDER" ingest -h 2>&1 | grep -q -- --ad-breaks; then
        ingest show 60 --ad-breaks 0/10,20.5/30,41/30
    else # breaks written into show.json by hand (docs/show-json.md), on segment boundaries
        ingest show 60
        python3 - "$LIB/show/current/show.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["breaks"] = [{"id": f"break-{i + 1}", "time": t, "frame": int(t * 30),
                  "start_date": "2000-01-01T00:00:%06.3fZ" % t, "duration": d,
                  "source": "option"} for i, (t, d) in enumerate([(0, 10), (18, 30), (42, 30)])]
json.dump(doc, open(sys.argv[1], "w"))
EOF
    fi
    ingest ad1 6
    ingest ad2 4
}

make_url_lists() {
    local version
    version=$(readlink "$LIB/show/current")
    (cd "$LIB" && find "show/$version/hls" -name 'index.m3u8' | sort) >"$WORK/rel.txt"
    sed 's|^|/shows/|' "$WORK/rel.txt" >"$WORK/urls-static.txt"
    sed 's|^show/|/stitched/show/|' "$WORK/rel.txt" >"$WORK/urls-stitched.txt"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_ladder() {
    local port=$1
    "$LADDER" serve --library "$LIB" --listen "127.0.0.1:$port" --threads "$NPROC" \
        --ads ad1,ad2 >"$WORK/ladder-serve.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
        sleep 0.1
    done
    die "ladder serve does not answer (log: $WORK/ladder-serve.log)"
}

# load PORT KIND: one wrk run; prints "rps p50_ms p99_ms errors".
load() {
    local port=$1 kind=$2 out
    out=$(wrk -t "$NPROC" -c "$CONNS" -d "${SECONDS_PER_RUN}s" --timeout 10s \
        -s "$ROOT/bench/wrk-rotate.lua" "http://127.0.0.1:$port" -- "$WORK/urls-$kind.txt" 2>&1)
    awk '/^RESULT/ { printf "%.1f %.2f %.2f %d\n", $2 / $5, $6 / 1000, $7 / 1000, $3 + $4 }' \
        <<<"$out"
}

# --- main -----------------------------------------------------------------------------------------

make_library
make_url_lists
PORT=$(free_port)
start_ladder "$PORT"
first=$(head -n 1 "$WORK/urls-stitched.txt")
curl -sf "http://127.0.0.1:$PORT$first" | grep -q DISCONTINUITY ||
    die "$first has no ads spliced in"
log "ladder serve on :$PORT; $(wc -l <"$WORK/urls-static.txt") media playlists each way; CPUs $NPROC"

RESULTS=$WORK/results.txt
: >"$RESULTS"
for ((r = 1; r <= RUNS; r++)); do
    order="stitched static"
    ((r % 2)) || order="static stitched"
    for kind in $order; do
        read -r rps p50 p99 errors < <(load "$PORT" "$kind")
        echo "$kind $r $rps $p50 $p99 $errors" >>"$RESULTS"
        log "$kind round $r: $rps req/s, p50 $p50 ms, p99 $p99 ms, $errors errors"
    done
done

med() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$RESULTS" | median; }
st=$(med stitched 3) sa=$(med static 3) stp=$(med stitched 5) sap=$(med static 5)
ratio=$(calc "$st / $sa")
errors=$(awk '{ s += $6 } END { print s + 0 }' "$RESULTS")
ok=$(awk -v r="$ratio" -v e="$errors" 'BEGIN { print (r >= 0.8 && e == 0) ? "PASS" : "FAIL" }')
printf '\n%-22s %12s %12s %7s  %s\n' "media playlists, c=$CONNS" "stitched r/s" "static r/s" \
    ratio "target >= 0.8"
printf '%-22s %12s %12s %7s  %s\n' "median of $RUNS x ${SECONDS_PER_RUN}s" "$st" "$sa" "$ratio" "$ok"
echo "p99: stitched $stp ms, static $sap ms; errors (socket + non-2xx): $errors (target 0)"
if [[ -n $JSON_OUT ]]; then
    printf '{"runs":%d,"seconds":%d,"conns":%d,"cpus":%d,"stitched_rps":%s,"static_rps":%s,"ratio":%s,"stitched_p99_ms":%s,"static_p99_ms":%s,"errors":%d}\n' \
        "$RUNS" "$SECONDS_PER_RUN" "$CONNS" "$NPROC" "$st" "$sa" "$ratio" "$stp" "$sap" \
        "$errors" >"$JSON_OUT"
fi
