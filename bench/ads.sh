#!/usr/bin/env bash
# bench/ads.sh: what conditioning ad breaks costs an ingest (docs/ads.md).
#
# In one run, on the same sample (default: the 60 s bench mezzanine), `ladder ingest` with no
# breaks and with 10 breaks at times off the IDR and segment grids, alternating so both see the
# same machine. Reports the median wall and CPU of each over N runs and the ratio; the target
# is <= 1.03x. Each extra IDR costs bits and x264 time; each extra segment cut costs a muxer
# flush.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=ads.sh
WORK=$(mktemp -d /tmp/ladder-bench-ads.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
TARGET=1.03

SAMPLE='' LADDER=$ROOT/build/ladder RUNS=3
while (($#)); do
    case $1 in
        --sample) SAMPLE=${2:?}; shift ;;
        --ladder) LADDER=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        -h | --help)
            echo "usage: bench/ads.sh [--sample FILE] [--ladder PATH] [--runs N (3)]"
            exit 0 ;;
        *) die "unknown option $1" ;;
    esac
    shift
done
need /usr/bin/time time
if [[ -z $SAMPLE ]]; then
    SAMPLE=$WORK/sample.mp4
    log "making the 60 s sample"
    "$ROOT/samples/make-mezzanine.sh" --duration 60 --out "$SAMPLE" --quiet
fi
BREAKS=0,5.37/30,11.1/30,17.77/30,23.3/30,29.05/30,35.5/30,41.9/30,47.21/30,53.63/30

for run in $(seq "$RUNS"); do
    for kind in none breaks; do
        args=()
        [[ $kind == breaks ]] && args=(--ad-breaks "$BREAKS")
        rm -rf "$WORK/lib"
        log "run $run: $kind"
        timed "$WORK/$kind.log" "$WORK/$kind.times" \
            "$LADDER" ingest "$SAMPLE" --id bench --library "$WORK/lib" --quiet "${args[@]}"
    done
done
wall_none=$(cut -d' ' -f1 "$WORK/none.times" | median)
wall_breaks=$(cut -d' ' -f1 "$WORK/breaks.times" | median)
cpu_none=$(cut -d' ' -f2 "$WORK/none.times" | median)
cpu_breaks=$(cut -d' ' -f2 "$WORK/breaks.times" | median)
ratio=$(calc "$wall_breaks / $wall_none")
printf 'ingest, no breaks:  wall %s s, cpu %s s (median of %s)\n' "$wall_none" "$cpu_none" "$RUNS"
printf 'ingest, 10 breaks:  wall %s s, cpu %s s\n' "$wall_breaks" "$cpu_breaks"
printf 'wall ratio %s (target <= %s): %s; cpu ratio %s\n' "$ratio" "$TARGET" \
    "$(verdict "$ratio" "$TARGET")" "$(calc "$cpu_breaks / $cpu_none")"
