#!/usr/bin/env bash
# bench/join.sh: how long a distributed ingest's coordinator takes from the last job's end to
# the published show (docs/distributed.md, "After the last job"), for LADDER and, with
# --peer BINARY, another build in the same run (an older ladder, to compare).
#
# The jobs are made once with `ladder transcode` (the audio job and two chunks of --chunk
# segments). Each run starts a coordinator (`ladder ingest --queue`) with no worker, the audio
# job and the first chunk already in its work folder; --wait seconds later the last chunk's
# finished folder is renamed in, as a worker would. The coordinator's own "published N s after
# the last job" is the figure. Median of --runs.
#
# The sample is 58 s by default: under the minute a show needs for a CRF per rung, so the
# coordinator queues no rate probe jobs, which no worker here would take.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=join.sh
LADDER=${LADDER:-$ROOT/build/ladder}
DURATION=58 SIZE=1920x1080 CHUNK=5 RUNS=3 WAIT=20 PEER= SAMPLE=
while [ $# -gt 0 ]; do
    case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --wait) WAIT=$2; shift 2 ;;
    --peer) PEER=$2; shift 2 ;;
    --sample) SAMPLE=$2; shift 2 ;;
    *) echo "usage: bench/join.sh [--duration S] [--size WxH] [--chunk SEGMENTS] [--runs N] [--wait S] [--peer BINARY] [--sample FILE]" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d)
REDIS_PID=
cleanup() {
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need redis-server redis-server

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --appendonly no --save '' \
    >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
if [ -z "$SAMPLE" ]; then
    SAMPLE=$WORK/sample.mp4
    log "making a ${DURATION} s ${SIZE} sample"
    "$ROOT/samples/make-mezzanine.sh" --duration "$DURATION" --size "$SIZE" --out "$SAMPLE" >/dev/null
fi
log "making the jobs: audio, chunk-00000, chunk-$(printf %05d "$CHUNK")"
mkdir -p "$WORK/jobs"
"$LADDER" transcode "$SAMPLE" --out "$WORK/jobs/audio" --audio-only --quiet
"$LADDER" transcode "$SAMPLE" --out "$WORK/jobs/chunk-00000" --segments "0:$CHUNK" --quiet
LAST=chunk-$(printf %05d "$CHUNK")
"$LADDER" transcode "$SAMPLE" --out "$WORK/jobs/$LAST" --segments "$CHUNK:1000" --quiet
grep -q '"reached_end": *true' "$WORK/jobs/$LAST/summary.json" ||
    die "the sample is longer than two chunks of $CHUNK segments: use a shorter --duration"

# one BINARY NAME: a coordinator run; appends its after-the-last-job seconds to NAME.t.
one() {
    local bin=$1 name=$2 run=$WORK/run
    rm -rf "$run"
    mkdir -p "$run/work/s"
    cp -al "$WORK/jobs/audio" "$WORK/jobs/chunk-00000" "$run/work/s/"
    "$bin" ingest "$SAMPLE" --id s --library "$run/lib" --queue "redis://127.0.0.1:$PORT" \
        --work "$run/work" --chunk "$CHUNK" >"$run/coord.log" 2>&1 &
    local pid=$!
    sleep "$WAIT"
    cp -al "$WORK/jobs/$LAST" "$run/work/s/.arriving"
    mv "$run/work/s/.arriving" "$run/work/s/$LAST"
    wait "$pid" || die "$name: the coordinator failed: $(tail -1 "$run/coord.log")"
    grep -o 'published [0-9.]* s after the last job' "$run/coord.log" | awk '{ print $2 }' >>"$WORK/$name.t"
}

for r in $(seq "$RUNS"); do
    log "run $r of $RUNS"
    one "$LADDER" ladder
    [ -n "$PEER" ] && one "$PEER" peer
done
echo "after the last job, median of $RUNS (s): ladder $(median <"$WORK/ladder.t")" \
    "[$(tr '\n' ' ' <"$WORK/ladder.t")]"
[ -n "$PEER" ] && echo "after the last job, median of $RUNS (s): peer $(median <"$WORK/peer.t")" \
    "[$(tr '\n' ' ' <"$WORK/peer.t")]"
exit 0
