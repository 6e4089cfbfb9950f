#!/usr/bin/env bash
# run.sh [SECONDS] [BUILD_DIR]: builds the fuzz targets with clang into BUILD_DIR (default
# build-fuzz/) if needed, seeds the corpus (fuzz/make-corpus.sh, BUILD_DIR/corpus/) once,
# replays every regression input (fuzz/regressions/<target>/, NAME.b64 files decoded first),
# then fuzzes each target for SECONDS (default 30), two at a time. Prints each target's
# executions; exits nonzero if any target crashed, leaked, hung or ran out of memory. Crash
# inputs land in BUILD_DIR/crashes/, logs in BUILD_DIR/logs/. See fuzz/README.md.
# Environment: FUZZ_TARGETS (names, default all), FUZZ_JOBS (default 2), FUZZ_ARGS (more
# libFuzzer flags for every target, e.g. -runs=1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${2:-build-fuzz}
jobs=${FUZZ_JOBS:-2}
read -r -a targets <<<"${FUZZ_TARGETS:-http profile devices show_json playlist ts bmff media source captions scte35}"
read -r -a extra <<<"${FUZZ_ARGS:-}"
limits=(-timeout=10 -rss_limit_mb=2048)
start=$SECONDS

command -v clang >/dev/null || { echo "fuzz/run.sh: needs clang (apt-get install clang)" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang cmake -S . -B "$build" -DLADDER_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target fuzz_all ladder >"$build/build.log" 2>&1 ||
    { cat "$build/build.log"; exit 1; }
build=$(cd "$build" && pwd)
# Seeds once per version of make-corpus.sh; what earlier runs added to the corpus stays.
stamp=$(sha256sum fuzz/make-corpus.sh | cut -c1-16)
if [ "$(cat "$build/corpus/.made" 2>/dev/null)" != "$stamp" ]; then
    LADDER=$build/ladder fuzz/make-corpus.sh "$build/corpus"
    echo "$stamp" >"$build/corpus/.made"
fi
mkdir -p "$build/crashes" "$build/logs"
# The targets' temporary folders: a crashed run cannot remove its own, so sweep them here.
export TMPDIR=$build/tmp
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
echo "fuzz: built and seeded in $((SECONDS - start)) s"

# Every crash found so far, replayed: a fixed bug stays fixed.
failed=()
for t in "${targets[@]}"; do
    src=fuzz/regressions/$t dst=$build/regressions/$t
    [ -d "$src" ] && [ -n "$(ls -A "$src")" ] || continue
    rm -rf "$dst" && mkdir -p "$dst"
    for f in "$src"/*; do
        case $f in
        *.b64) base64 -d "$f" >"$dst/$(basename "$f" .b64)" ;;
        *) cp "$f" "$dst/" ;;
        esac
    done
    if "$build/fuzz/fuzz_$t" "${limits[@]}" "$dst"/* >"$build/logs/$t.regressions.log" 2>&1; then
        echo "fuzz_$t: $(ls "$dst" | wc -l) regression inputs pass"
    else
        echo "fuzz_$t: a regression input fails, see $build/logs/$t.regressions.log"
        failed+=("$t")
    fi
done

run_one() {
    local t=$1
    "$build/fuzz/fuzz_$t" "$build/corpus/$t" -max_total_time="$seconds" "${limits[@]}" \
        -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" "${extra[@]}" \
        >"$build/logs/$t.log" 2>&1
}
running=0
for t in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    (
        set +e
        run_one "$t"
        echo $? >"$build/logs/$t.rc"
    ) &
    running=$((running + 1))
done
wait

printf '%-16s %12s %10s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
    log=$build/logs/$t.log rc=$(cat "$build/logs/$t.rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    result=ok
    unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    # A hang that does not happen again was the machine stalling (other jobs on two cores).
    if [ "$rc" != 0 ] && grep -q 'libFuzzer: timeout' "$log" && [ -f "$unit" ] &&
        "$build/fuzz/fuzz_$t" "${limits[@]}" "$unit" >"$log.recheck" 2>&1; then
        rc=0 result="ok (its timeout did not happen again: a stall? $unit)"
    fi
    if [ "$rc" != 0 ]; then
        result="FAILED (exit $rc): $(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" ||
            true) see $log"
        failed+=("$t")
    fi
    printf '%-16s %12s %10s  %s\n' "fuzz_$t" "${execs:-?}" "${rate:-?}" "$result"
done
echo "fuzz: $((SECONDS - start)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failed: ${failed[*]}; crash inputs in $build/crashes/" >&2
    exit 1
fi
