#!/usr/bin/env bash
# bench/queue.sh: a distributed ingest through Redis Streams (docs/distributed.md), with real
# `ladder worker` processes each pinned to one core with taskset, against a local ingest.
#
#   local      `ladder ingest SAMPLE` on every core: the CPU a local ingest spends.
#   1 worker   one worker pinned to CPU 0 (--threads 1) takes every job; the coordinator
#              (`ladder ingest --queue`) submits, waits, joins and publishes.
#   2 workers  two workers pinned to CPUs 0 and 1.
# It prints the speed-up (1-worker wall / 2-worker wall), the chunking overhead (the workers'
# CPU, children included, over the local ingest's CPU), the time from the last job to publish,
# the per-job times the model in docs/distributed.md rests on, and per rung PSNR-Y, SSIM and
# bitrate of the distributed show against the local one. Median of --runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=queue.sh
LADDER=${LADDER:-$ROOT/build/ladder}
DURATION=300 SIZE=1920x1080 CHUNK=5 RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: bench/queue.sh [--duration S] [--size WxH] [--chunk SEGMENTS] [--runs N]" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d)
REDIS_PID=
cleanup() {
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null
    pkill -f "ladder worker --queue redis://127.0.0.1:$PORT" 2>/dev/null || true
    rm -rf "$WORK"
}
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap cleanup EXIT
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need taskset util-linux
need redis-server redis-server

URL=redis://127.0.0.1:$PORT
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --appendonly yes --save '' \
    >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
sample=$WORK/sample.mp4
log "making a ${DURATION} s ${SIZE} sample"
"$ROOT/samples/make-mezzanine.sh" --duration "$DURATION" --size "$SIZE" --out "$sample" >/dev/null

# distributed NAME CPUS...: one pinned worker per CPU, the coordinator, then SIGTERM to the
# workers; appends "wall" to NAME.t, the workers' and the coordinator's summed CPU to NAME.cpu and the coordinator's
# "published N s after the last job" to NAME.join.
distributed() {
    local name=$1 cpu pids=() t0 t1
    shift
    rm -rf "$WORK/lib" "$WORK/lib.work"
    for cpu in "$@"; do
        /usr/bin/time -q -f '%U %S' -o "$WORK/$name.w$cpu.cpu" \
            taskset -c "$cpu" "$LADDER" worker --queue "$URL" --threads 1 --name "cpu$cpu" \
            >>"$WORK/$name.w$cpu.log" 2>&1 &
        pids+=($!)
    done
    t0=$(date +%s.%N)
    /usr/bin/time -q -f '%U %S' -o "$WORK/$name.wcoord.cpu" \
        "$LADDER" ingest "$sample" --id show --library "$WORK/lib" --queue "$URL" \
        --chunk "$CHUNK" >"$WORK/$name.log" 2>&1 || { tail "$WORK/$name.log" >&2; die "ingest failed"; }
    t1=$(date +%s.%N)
    # SIGTERM to the workers themselves (not to `time`, which would then not report them)
    pkill -TERM -f "^$LADDER worker --queue $URL" || true
    wait "${pids[@]}" || true
    calc "$t1 - $t0" >>"$WORK/$name.t"
    cat "$WORK/$name".w*.cpu | awk '{ s += $1 + $2 } END { printf "%.2f\n", s }' >>"$WORK/$name.cpu"
    rm -f "$WORK/$name".w*.cpu
    sed -n 's/.*published \([0-9.]*\) s after the last job.*/\1/p' "$WORK/$name.log" >>"$WORK/$name.join"
}

: >"$WORK/local.t"
for ((r = 1; r <= RUNS; r++)); do
    log "run $r of $RUNS: local ingest"
    rm -rf "$WORK/local"
    timed "$WORK/local.log" "$WORK/local.t" "$LADDER" ingest "$sample" --id local \
        --library "$WORK/local" --quiet
    log "run $r of $RUNS: 1 worker"
    distributed one 0
    log "run $r of $RUNS: 2 workers"
    distributed two 0 1
done

segments=$(awk -v d="$DURATION" 'BEGIN { print int((d + 5.999) / 6) }')
wall1=$(median <"$WORK/one.t") wall2=$(median <"$WORK/two.t")
cpu_local=$(awk '{ print $2 }' "$WORK/local.t" | median) cpu_one=$(median <"$WORK/one.cpu")
echo "sample: ${DURATION} s ${SIZE}, ${segments} segments in chunks of ${CHUNK}; median of ${RUNS}"
echo "local ingest: $(awk '{ print $1 }' "$WORK/local.t" | median) s wall, ${cpu_local} s CPU"
echo "1 worker:  ${wall1} s wall"
echo "2 workers: ${wall2} s wall   speed-up $(calc "$wall1 / $wall2")x (target >= 1.8)"
echo "CPU: 1 worker ${cpu_one} s (2 workers $(median <"$WORK/two.cpu") s), local ${cpu_local} s" \
    "  overhead $(calc "$cpu_one / $cpu_local")x (target <= 1.10)"
echo "last job to publish (join, validation, publish): 1 worker $(median <"$WORK/one.join") s," \
    "2 workers $(median <"$WORK/two.join") s (target < 10)"
echo "per-job times of the 1-worker runs (s, pinned to one core), median over runs:"
sed -n 's/.*show\/\([a-z0-9-]*\): done in \([0-9.]*\) s.*/\1 \2/p' "$WORK"/one.w0.log |
    awk '{ n[$1]++; t[$1] = t[$1] " " $2 } END { for (k in n) print k, t[k] }' | sort |
    while read -r job times; do
        printf '  %-12s %s\n' "$job" "$(tr ' ' '\n' <<<"$times" | median)"
    done
python3 - "$WORK/local/local" "$WORK/lib/show" <<'PY'
import json, os, sys
def renditions(top):
    cur = os.path.join(top, "current")
    top = os.path.realpath(cur) if os.path.islink(cur) else top
    return {r["name"]: r for r in json.load(open(os.path.join(top, "show.json")))["renditions"]}
local, dist = renditions(sys.argv[1]), renditions(sys.argv[2])
for name, r in dist.items():
    l = local[name]
    print(f"{name:16s} PSNR-Y {r['psnr_y']:6.2f} dB ({r['psnr_y'] - l['psnr_y']:+.2f})  "
          f"SSIM {r['ssim']:.4f} ({r['ssim'] - l['ssim']:+.4f})  "
          f"{r['avg_bps']:9d} bit/s ({100 * (r['avg_bps'] / l['avg_bps'] - 1):+.1f}%)")
PY
