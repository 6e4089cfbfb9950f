#!/usr/bin/env bash
# bench/thumbnails.sh: what the trick-play thumbnails (docs/packager.md, "Thumbnails") cost
# an ingest. The same `ladder ingest` of the bench sample, with pbs16 as shipped and with a
# copy whose <ladder> says thumbnails="off", the runs interleaved so that drift in the
# machine's speed falls on both. It prints the median wall and CPU time of
# each, their ratio against the 1.03 allowed (issue 22), and the bytes the thumbnails add per
# hour of show, from show.json's file list.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=thumbnails.sh
DURATION=60 SIZE=1920x1080 RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: bench/thumbnails.sh [--duration S] [--size WxH] [--runs N]" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# One copy of the binary for every run: a rebuild midway must not mix two builds.
cp "${LADDER:-$ROOT/build/ladder}" "$WORK/ladder"
sed 's/<ladder /<ladder thumbnails="off" /' "$ROOT/profiles/pbs16.xml" >"$WORK/off.xml"
grep -q 'thumbnails="off"' "$WORK/off.xml" || die "could not make the thumbnails=\"off\" profile"
cp "$ROOT/profiles/pbs16.xml" "$WORK/on.xml"
log "making a ${DURATION} s ${SIZE} sample (not timed)"
"$ROOT/samples/make-mezzanine.sh" --duration "$DURATION" --size "$SIZE" --out "$WORK/sample.mp4" >/dev/null

# The order alternates too (on, off; off, on; ...): a fixed order charges any drift between
# the first and the second run of a pair to one side (with on always first, off came out 3%
# slower, in CPU time too, which thumbnails cannot explain).
for r in $(seq 1 "$RUNS"); do
    order="on off"
    ((r % 2)) || order="off on"
    for mode in $order; do
        rm -rf "$WORK/lib-$mode"
        log "run $r/$RUNS, thumbnails $mode (busy before: $(cpu_busy_percent)%)"
        timed "$WORK/$mode-run$r.log" "$WORK/$mode.t" "$WORK/ladder" ingest "$WORK/sample.mp4" \
            --id show --profile "$WORK/$mode.xml" --library "$WORK/lib-$mode" --quiet
    done
done

# Thumbnail bytes: every file under thumbnails/ that show.json lists.
thumb_bytes=$(python3 - "$WORK/lib-on/show" <<'PY'
import glob, json, os, sys
show = sorted(glob.glob(os.path.join(sys.argv[1], "v*")))[-1]
with open(os.path.join(show, "show.json")) as f:
    files = json.load(f)["files"]
print(sum(f["size"] for f in files if f["path"].startswith("thumbnails/")))
PY
)
show_bytes=$(du -sb "$WORK/lib-on/show" | cut -f1)

wall_on=$(cut -d' ' -f1 "$WORK/on.t" | median)
wall_off=$(cut -d' ' -f1 "$WORK/off.t" | median)
cpu_on=$(cut -d' ' -f2 "$WORK/on.t" | median)
cpu_off=$(cut -d' ' -f2 "$WORK/off.t" | median)
ratio=$(calc "$wall_on / $wall_off")
echo "thumbnails: ${DURATION} s ${SIZE} sample, pbs16, median of $RUNS interleaved runs"
echo "  wall   on $wall_on s, off $wall_off s: ratio $ratio (limit 1.03: $(verdict "$ratio" 1.03))"
echo "  cpu    on $cpu_on s, off $cpu_off s: ratio $(calc "$cpu_on / $cpu_off")"
echo "  runs   on: $(cut -d' ' -f1 "$WORK/on.t" | tr '\n' ' ')off: $(cut -d' ' -f1 "$WORK/off.t" | tr '\n' ' ')"
echo "  bytes  $thumb_bytes for ${DURATION} s: $(calc "$thumb_bytes * 3600 / $DURATION / 1e6") MB per hour" \
    "($(calc "100 * $thumb_bytes / $show_bytes")% of the show's $show_bytes bytes)"
