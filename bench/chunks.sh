#!/usr/bin/env bash
# bench/chunks.sh: what splitting a transcode into jobs (docs/distributed.md) costs and gains,
# before any queue: the jobs run as plain processes, each pinned to one core with taskset.
#
#   local     `ladder transcode SAMPLE` on every core: the CPU a local ingest spends.
#   1 worker  the audio job and every chunk, one after the other, pinned to CPU 0.
#   2 workers two processes pinned to CPUs 0 and 1, taking the jobs in turns (the audio job
#             and even chunks on one, odd chunks on the other), then `ladder package` joins.
# It prints the speed-up (1-worker wall / 2-worker wall), the chunking overhead (the jobs' CPU
# over the local transcode's CPU), the join's time (`ladder package` of all the jobs) and the
# per-rung PSNR-Y and bitrate of the joined show against a local ingest. Median of --runs.
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=chunks.sh
LADDER=${LADDER:-$ROOT/build/ladder}
DURATION=300 SIZE=1920x1080 CHUNK=5 RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: bench/chunks.sh [--duration S] [--size WxH] [--chunk SEGMENTS] [--runs N]" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need taskset util-linux

sample=$WORK/sample.mp4
log "making a ${DURATION} s ${SIZE} sample"
"$ROOT/samples/make-mezzanine.sh" --duration "$DURATION" --size "$SIZE" --out "$sample" >/dev/null
segments=$(awk -v d="$DURATION" 'BEGIN { print int((d + 5.999) / 6) }')
chunks=$(((segments + CHUNK - 1) / CHUNK))

# run_jobs K N DIR: the audio job (if K is 0) and chunks K, K+N, K+2N ... into DIR/
run_jobs() {
    local k=$1 n=$2 dir=$3 c
    [ "$k" -eq 0 ] && "$LADDER" transcode "$sample" --out "$dir/audio" --audio-only --quiet
    for ((c = k; c < chunks; c += n)); do
        "$LADDER" transcode "$sample" --out "$dir/c$c" --segments "$((c * CHUNK)):$CHUNK" --quiet
    done
}
export -f run_jobs
export LADDER sample chunks CHUNK

: >"$WORK/local.t" >"$WORK/one.t" >"$WORK/two.t" >"$WORK/join.t"
for ((r = 1; r <= RUNS; r++)); do
    log "run $r of $RUNS"
    rm -rf "$WORK/l" "$WORK/one" "$WORK/two" "$WORK/lib"
    timed "$WORK/local.log" "$WORK/local.t" "$LADDER" transcode "$sample" --out "$WORK/l" --quiet
    mkdir -p "$WORK/one" "$WORK/two"
    timed "$WORK/one.log" "$WORK/one.t" taskset -c 0 bash -c 'run_jobs 0 1 "$0"' "$WORK/one"
    timed "$WORK/two.log" "$WORK/two.t" bash -c \
        'taskset -c 0 bash -c "run_jobs 0 2 $0" & taskset -c 1 bash -c "run_jobs 1 2 $0"; wait' "$WORK/two"
    timed "$WORK/join.log" "$WORK/join.t" "$LADDER" package "$WORK"/two/* --id chunked \
        --library "$WORK/lib" --quiet
done
"$LADDER" package "$WORK/l" --id local --library "$WORK/lib" --quiet

col() { awk -v c="$2" '{ print $c }' "$1" | median; }
wall1=$(col "$WORK/one.t" 1) wall2=$(col "$WORK/two.t" 1) cpu_local=$(col "$WORK/local.t" 2)
cpu_jobs=$(col "$WORK/one.t" 2) join=$(col "$WORK/join.t" 1)
echo "sample: ${DURATION} s ${SIZE}, ${segments} segments in ${chunks} chunks of ${CHUNK}; median of ${RUNS}"
echo "1 worker:  ${wall1} s wall"
echo "2 workers: ${wall2} s wall   speed-up $(calc "$wall1 / $wall2")x (target >= 1.8)"
echo "CPU: jobs ${cpu_jobs} s, local transcode ${cpu_local} s   overhead $(calc "$cpu_jobs / $cpu_local")x (target <= 1.10)"
echo "join (ladder package of the jobs, validation included): ${join} s"
python3 - "$WORK/lib" <<'PY'
import json, sys
lib = sys.argv[1]
local = {r["name"]: r for r in json.load(open(f"{lib}/local/show.json"))["renditions"]}
for r in json.load(open(f"{lib}/chunked/show.json"))["renditions"]:
    l = local[r["name"]]
    print(f"{r['name']:16s} PSNR-Y {r['psnr_y']:6.2f} dB ({r['psnr_y'] - l['psnr_y']:+.2f})  "
          f"SSIM {r['ssim']:.4f} ({r['ssim'] - l['ssim']:+.4f})  "
          f"{r['avg_bps']:9d} bit/s ({100 * (r['avg_bps'] / l['avg_bps'] - 1):+.1f}%)")
PY
