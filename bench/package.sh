#!/usr/bin/env bash
# bench/package.sh: is `ladder package` at least as fast as ffmpeg's `-c copy`?
#
# Packaging is remuxing, so the packager's target (issue #3) is to run at least as fast as
# ffmpeg stream-copying the same intermediate into the same outputs. In one run, from one
# `ladder transcode` folder, it times two contenders with GNU time (wall, user+sys CPU, peak
# RSS), N rounds alternating which goes first, and reports the medians:
#   ladder  `ladder package TRANSCODE_DIR --id bench --library FRESH_LIB --quiet`. Besides the
#           remux this stages the show, writes I-frame playlists and poster.jpg (one decode),
#           validates it (reads every segment), writes show.json with every file's SHA-256,
#           fsyncs its playlists and publishes by rename: work ffmpeg does not do.
#   ffmpeg  ONE `ffmpeg -c copy` command reading the same files: an HLS muxer with
#           var_stream_map writing one TS variant per HLS rung (video + its AAC), the audio-only
#           variant (the lowest AAC bitrate, as ladder picks) and a master playlist, plus one
#           faststart MP4 (video + AAC) per MP4 rung.
# Setup is not timed: a mezzanine from samples/make-mezzanine.sh (or --sample FILE) and one
# `ladder transcode` of it, both cached in the work folder so reruns start at once. Every run
# writes into a fresh folder on the same filesystem, and its outputs are counted (variants,
# segments, playlists, MP4s, bytes); the last run's outputs are also probed (every packet of
# every stream present, MP4s faststart) so that the two did the same job. Prints a table and
# the ladder/ffmpeg wall ratio against the target (<= 1.0), and writes the figures as JSON.
# shellcheck disable=SC2317  # run_ladder/run_ffmpeg and what they call are called indirectly
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=package.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
TARGET_RATIO=1.0   # ladder package wall <= 1.0 x ffmpeg -c copy wall
SHOW_ID=bench

usage() {
    cat <<EOF
Usage: bench/package.sh [options]

Times \`ladder package\` against one \`ffmpeg -c copy\` command writing the same HLS variants
(MPEG-TS, 6 s), audio-only variant, master playlist and faststart MP4s from the same
\`ladder transcode\` folder, alternating the two, and prints the medians of wall time, CPU
time and peak RSS, the ladder/ffmpeg wall ratio and the target (<= $TARGET_RATIO).

Options:
  --sample FILE      source to transcode once (default: samples/make-mezzanine.sh output)
  --duration S       length of the generated mezzanine in seconds (default 60; not
                     used with --sample)
  --ladder PATH      ladder binary (default: build/ladder)
  --runs N           timed rounds; the median is reported (default 5)
  --work DIR         work folder, kept between runs as a cache of the mezzanine and the
                     transcode (default /tmp/ladder-bench-package)
  --fresh            remake the cached mezzanine and transcode (the cache is keyed on
                     the sample only, not on the ladder binary)
  --json-out FILE    also write the JSON results to FILE
  --quick            smoke test: 12 s mezzanine and 2 rounds unless given otherwise
  -h, --help         this help

The first run of a 60 s benchmark spends several minutes making the mezzanine and the
transcode (not timed); later runs reuse them. Each contender's last outputs stay in
WORK/runs/ for inspection; the JSON is WORK/package.json.
Needs ffmpeg, ffprobe, jq and GNU time (/usr/bin/time).
EOF
}

# --- small helpers (the rest are in bench/lib.sh) -----------------------------------------

# Wall times mean something only on an otherwise idle machine: measure for 1 s how busy the
# CPUs are just before each run (this script is idle then), record it, warn above 10 %.
check_idle() {
    local who=$1 r=$2 pct
    pct=$(cpu_busy_percent)
    echo "$who $r $pct" >>"$WORK/busy"
    ((pct <= 10)) || log "warning: CPUs ${pct}% busy with other work before this run; its wall time will be inflated"
}

# --- options -----------------------------------------------------------------------------

SAMPLE='' DURATION='' LADDER=$ROOT/build/ladder RUNS='' WORK=/tmp/ladder-bench-package
FRESH=0 JSON_OUT='' QUICK=0
parse_args() {
    while (($#)); do
        case $1 in
            --sample) SAMPLE=${2:?--sample needs a file}; shift ;;
            --duration) DURATION=${2:?--duration needs seconds}; shift ;;
            --ladder) LADDER=${2:?--ladder needs a path}; shift ;;
            --runs) RUNS=${2:?--runs needs a number}; shift ;;
            --work) WORK=${2:?--work needs a directory}; shift ;;
            --fresh) FRESH=1 ;;
            --json-out) JSON_OUT=${2:?--json-out needs a file}; shift ;;
            --quick) QUICK=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
    # --quick only changes what was not given explicitly.
    if ((QUICK)); then : "${DURATION:=12}" "${RUNS:=2}"; fi
    : "${DURATION:=60}" "${RUNS:=5}"
    [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
    [[ $DURATION =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--duration must be a number of seconds"
    if [[ -n $SAMPLE ]]; then
        [[ -f $SAMPLE ]] || die "no such sample: $SAMPLE"
        SAMPLE=$(realpath "$SAMPLE")
    fi
    [[ -x $LADDER ]] || die "ladder binary not found: $LADDER (build it: scripts/build.sh)"
    LADDER=$(realpath "$LADDER")
    if [[ -n $JSON_OUT ]]; then JSON_OUT=$(realpath -m "$JSON_OUT"); fi
}

# --- setup (not timed): work folder, mezzanine, transcode --------------------------------

# The work folder is kept between runs (it caches the setup), so it must be ours: absent,
# empty, or marked by an earlier run.
setup_workdir() {
    if [[ -e $WORK && ! -e $WORK/.ladder-bench-package && -n $(ls -A "$WORK" 2>/dev/null) ]]; then
        die "--work must be absent, empty or made by this script: $WORK"
    fi
    mkdir -p "$WORK"
    WORK=$(realpath "$WORK")
    touch "$WORK/.ladder-bench-package"
    ((FRESH)) && rm -rf "$WORK/cache"
    rm -rf "$WORK/runs" "$WORK/logs"
    mkdir -p "$WORK/cache" "$WORK/runs" "$WORK/logs"
    rm -f "$WORK"/times-* "$WORK/busy" "$WORK"/time.*
    : >"$WORK/busy"
}

make_sample() {
    if [[ -n $SAMPLE ]]; then return 0; fi
    SAMPLE=$WORK/cache/mezzanine-${DURATION}s.mp4
    if [[ -s $SAMPLE ]]; then
        log "reusing the cached mezzanine $SAMPLE"
        return 0
    fi
    log "making a ${DURATION} s mezzanine with samples/make-mezzanine.sh (not timed)"
    bash "$ROOT/samples/make-mezzanine.sh" --duration "$DURATION" --out "$SAMPLE" --quiet \
        >"$WORK/logs/make-mezzanine.log" 2>&1 ||
        { tail -n 20 "$WORK/logs/make-mezzanine.log" >&2; die "make-mezzanine.sh failed"; }
}

# The transcode is cached per sample (path, size, mtime). `ladder transcode` creates its
# folder atomically, so a cached folder is always complete.
make_transcode() {
    local key
    key=$(stat -c '%n %s %Y' "$SAMPLE" | sha1sum | cut -c1-12)
    TC=$WORK/cache/transcode-$key
    if [[ -s $TC/summary.json ]]; then
        log "reusing the cached transcode $TC"
    else
        log "running ladder transcode once (not timed; minutes for a 60 s sample)"
        "$LADDER" transcode "$SAMPLE" --out "$TC" --quiet >"$WORK/logs/transcode.log" 2>&1 ||
            { tail -n 20 "$WORK/logs/transcode.log" >&2; die "ladder transcode failed"; }
    fi
    SUMMARY=$TC/summary.json
    SRC_DURATION=$(jq -r '.source.duration' "$SUMMARY")
}

# From summary.json: the HLS and MP4 rungs with their AAC file, and the audio-only variant's
# AAC (the lowest bitrate, which is what ladder uses), as "video_name audio_name" lines
# ("-" for no audio). File names are DIR/<stream name>.mp4.
read_plan() {
    # shellcheck disable=SC2016  # $s and $use are jq variables
    local q='.streams as $s | .streams[] | select(.kind == "video" and .use == $use)
             | "\(.name) \(.audio_stream as $i | [$s[] | select(.index == $i) | .name] | first // "-")"'
    mapfile -t HLS_RUNGS < <(jq -r --arg use hls "$q" "$SUMMARY")
    mapfile -t MP4_RUNGS < <(jq -r --arg use mp4 "$q" "$SUMMARY")
    AUDIO_ONLY=$(jq -r '[.streams[] | select(.kind == "audio")] | min_by(.bitrate_kbps) | .name // "-"' "$SUMMARY")
    ((${#HLS_RUNGS[@]} + ${#MP4_RUNGS[@]} > 0)) || die "no video streams in $SUMMARY"
    log "transcode: ${#HLS_RUNGS[@]} HLS rungs, ${#MP4_RUNGS[@]} MP4 rungs, audio-only variant from $AUDIO_ONLY, ${SRC_DURATION} s"
}

# --- the ffmpeg command ------------------------------------------------------------------

# build_ffmpeg_cmd OUT: fills FFMPEG_CMD. Each intermediate file is one input, read once.
# The HLS muxer takes one output stream per (variant, stream) pair, so a shared AAC is mapped
# once per variant it is in. With %v in the folder, ffmpeg makes the per-rung folders itself
# and puts the master in OUT/hls/ (ladder's is one level up, at the show's root).
declare -A INPUT   # intermediate stream name -> ffmpeg input index
build_ffmpeg_cmd() {
    local out=$1 line v a k=0 vsm=''
    FFMPEG_CMD=(ffmpeg -hide_banner -nostdin -nostats -loglevel warning -y)
    INPUT=()
    for line in "${HLS_RUNGS[@]}" "${MP4_RUNGS[@]}" "$AUDIO_ONLY -"; do
        for v in $line; do
            [[ $v == - || -n ${INPUT[$v]:-} ]] && continue
            INPUT[$v]=${#INPUT[@]}
            FFMPEG_CMD+=(-i "$TC/$v.mp4")
        done
    done
    for line in "${HLS_RUNGS[@]}"; do
        read -r v a <<<"$line"
        FFMPEG_CMD+=(-map "${INPUT[$v]}:v:0")
        if [[ $a == - ]]; then
            vsm+="${vsm:+ }v:$k,name:$v"
        else
            FFMPEG_CMD+=(-map "${INPUT[$a]}:a:0")
            vsm+="${vsm:+ }v:$k,a:$k,name:$v"
        fi
        k=$((k + 1))
    done
    if [[ $AUDIO_ONLY != - ]]; then
        FFMPEG_CMD+=(-map "${INPUT[$AUDIO_ONLY]}:a:0")
        vsm+=" a:$k,name:audio"
    fi
    FFMPEG_CMD+=(-c copy -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type mpegts
        -hls_flags independent_segments -hls_segment_filename "$out/hls/%v/seg%05d.ts"
        -master_pl_name master.m3u8 -var_stream_map "$vsm" "$out/hls/%v/index.m3u8")
    for line in "${MP4_RUNGS[@]}"; do
        read -r v a <<<"$line"
        FFMPEG_CMD+=(-map "${INPUT[$v]}:v:0")
        [[ $a == - ]] || FFMPEG_CMD+=(-map "${INPUT[$a]}:a:0")
        FFMPEG_CMD+=(-c copy -movflags +faststart "$out/mp4/$v.mp4")
    done
}

# --- the contenders ----------------------------------------------------------------------

# Each run gets a fresh folder; the same contender's previous one is removed first, so
# WORK/runs holds at most one output per contender (a 60 s show is ~200 MB).
run_ladder() {
    local r=$1 dir=$WORK/runs/ladder-r$1
    rm -rf "$WORK"/runs/ladder-r* && mkdir -p "$dir"
    sync   # the previous run's writeback must not land in this run's time
    check_idle ladder "$r"
    timed "$WORK/logs/ladder-r$r.log" "$WORK/times-ladder" \
        "$LADDER" package "$TC" --id "$SHOW_ID" --library "$dir/lib" --quiet
    LADDER_OUT=$(ladder_root "$dir/lib/$SHOW_ID")
    inventory "$LADDER_OUT" >>"$WORK/inv-ladder"
}

# The published show's own files. The library is becoming versioned (ID/current -> vN, with
# ID/master.m3u8 the entry point): count inside the version folder so no file is counted
# twice through the symlinks; an unversioned show is its own root.
ladder_root() {
    local show=$1
    [[ -e $show/master.m3u8 ]] || die "ladder package published no $show/master.m3u8"
    if [[ -L $show/current ]]; then readlink -f "$show/current"; else echo "$show"; fi
}

run_ffmpeg() {
    local r=$1 dir=$WORK/runs/ffmpeg-r$1
    rm -rf "$WORK"/runs/ffmpeg-r* && mkdir -p "$dir/mp4"   # ffmpeg makes only the %v folders
    build_ffmpeg_cmd "$dir"
    printf '%q ' "${FFMPEG_CMD[@]}" >"$WORK/logs/ffmpeg-command.txt"
    sync
    check_idle ffmpeg "$r"
    timed "$WORK/logs/ffmpeg-r$r.log" "$WORK/times-ffmpeg" "${FFMPEG_CMD[@]}"
    FFMPEG_OUT=$dir
    inventory "$FFMPEG_OUT" >>"$WORK/inv-ffmpeg"
}

# --- checking the outputs (not timed) ----------------------------------------------------

# inventory ROOT: one line of counts and bytes of the files under ROOT:
#   video_variants audio_variants segments segment_bytes media_playlists iframe_playlists
#   other_playlists mp4s mp4_bytes other_files other_bytes files bytes
# A variant is a folder with an index.m3u8; "audio" is the audio-only one.
INV_FIELDS=(video_variants audio_variants segments segment_bytes media_playlists iframe_playlists
    other_playlists mp4s mp4_bytes other_files other_bytes files bytes)
inventory() {
    find -L "$1" -type f -printf '%s %P\n' | awk '
        { files++; bytes += $1; p = $2 }
        p ~ /\.ts$/                { seg++; segb += $1; next }
        p ~ /(^|\/)iframes\.m3u8$/ { ifr++; next }
        p ~ /\/index\.m3u8$/       { media++; if (p ~ /(^|\/)audio\/index\.m3u8$/) av++; else vv++; next }
        p ~ /\.m3u8$/              { otherpl++; next }
        p ~ /\.mp4$/               { mp4++; mp4b += $1; next }
                                   { oth++; othb += $1 }
        END { printf "%d %d %d %d %d %d %d %d %d %d %d %d %d\n",
              vv, av, seg, segb, media, ifr, otherpl, mp4, mp4b, oth, othb, files, bytes }'
}

# inv WHO FIELD: FIELD of WHO's last run's inventory.
inv() {
    local i
    for i in "${!INV_FIELDS[@]}"; do
        if [[ ${INV_FIELDS[i]} == "$2" ]]; then
            tail -n 1 "$WORK/inv-$1" | awk -v c=$((i + 1)) '{ print $c }'
            return
        fi
    done
    die "no inventory field $2"
}

# Both must have written every variant and MP4 the transcode calls for, every run, and the
# same files run after run (both are deterministic apart from ladder's show.json).
check_counts() {
    local who want_v=${#HLS_RUNGS[@]} want_a=0 want_m=${#MP4_RUNGS[@]}
    [[ $AUDIO_ONLY == - ]] || want_a=1
    for who in ladder ffmpeg; do
        [[ $(inv "$who" video_variants) == "$want_v" ]] || die "$who wrote $(inv "$who" video_variants) video variants, not $want_v"
        [[ $(inv "$who" audio_variants) == "$want_a" ]] || die "$who wrote $(inv "$who" audio_variants) audio-only variants, not $want_a"
        [[ $(inv "$who" mp4s) == "$want_m" ]] || die "$who wrote $(inv "$who" mp4s) MP4s, not $want_m"
        # Columns 1-10 and 12 (all but other_bytes and bytes: show.json's size may vary).
        if (($(awk '{ print $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$12 }' "$WORK/inv-$who" | sort -u | wc -l) > 1)); then
            log "warning: $who's outputs differ between runs (see $WORK/inv-$who)"
        fi
    done
}

# packets FILE: "video audio" packet counts of FILE (a playlist or an MP4).
packets() {
    ffprobe -v error -count_packets -show_entries stream=index,codec_type,nb_read_packets \
        -of csv=p=0 "$1" 2>/dev/null | sort -u |
        awk -F, '$2 == "video" { v += $3 } $2 == "audio" { a += $3 } END { print v + 0, a + 0 }'
}

# frames NAME: the frame count summary.json gives stream NAME (0 for "-").
frames() {
    [[ $1 == - ]] && { echo 0; return; }
    jq -r --arg n "$1" '.streams[] | select(.name == $n) | .stats.frames' "$SUMMARY"
}

# faststart FILE: whether the top-level moov comes before the mdat.
faststart() {
    local boxes
    boxes=$(ffprobe -v trace "$1" 2>&1 | grep -o "type:'\(moov\|mdat\)' parent:'root'" || true)
    [[ $boxes == "type:'moov'"* ]]
}

# expect FILE WANT: FILE exists and has WANT ("video audio") packets; else says what is wrong.
expect() {
    local f=$1 want=$2 got
    [[ -f $f ]] || { echo "missing $f"; return; }
    got=$(packets "$f")
    [[ $got == "$want" ]] || echo "$f has $got video/audio packets, the transcode $want"
}

# deep_check WHO ROOT: every variant and MP4 of WHO's last run carries every frame of its
# streams, and every MP4 is faststart. Prints one line "  WHO: problem" per problem.
deep_check() {
    local who=$1 root=$2 line v a
    {
        for line in "${HLS_RUNGS[@]}"; do
            read -r v a <<<"$line"
            expect "$root/hls/$v/index.m3u8" "$(frames "$v") $(frames "$a")"
        done
        [[ $AUDIO_ONLY == - ]] || expect "$root/hls/audio/index.m3u8" "0 $(frames "$AUDIO_ONLY")"
        for line in "${MP4_RUNGS[@]}"; do
            read -r v a <<<"$line"
            expect "$root/mp4/$v.mp4" "$(frames "$v") $(frames "$a")"
            [[ ! -f $root/mp4/$v.mp4 ]] || faststart "$root/mp4/$v.mp4" || echo "$root/mp4/$v.mp4 is not faststart"
        done
    } | sed "s/^/  $who: /"
}

# --- report ------------------------------------------------------------------------------

declare -A WALL CPU RSS PROBLEMS
med() {
    local f=$WORK/times-$1
    [[ -s $f ]] || { echo null; return; }
    awk -v c="$2" '{ print $c }' "$f" | median
}

summarize() {
    local who
    for who in ladder ffmpeg; do
        WALL[$who]=$(med "$who" 1)
        CPU[$who]=$(med "$who" 2)
        RSS[$who]=$(calc "$(med "$who" 3) / 1024")
    done
    R_WALL=$(calc "${WALL[ladder]} / ${WALL[ffmpeg]}")
    R_CPU=$(calc "${CPU[ladder]} / ${CPU[ffmpeg]}")
    R_RSS=$(calc "${RSS[ladder]} / ${RSS[ffmpeg]}")
    VERDICT=$(verdict "$R_WALL" "$TARGET_RATIO")
}

print_report() {
    local who f
    echo
    echo "Sample: $SAMPLE (${SRC_DURATION} s); transcode: $TC"
    echo "${#HLS_RUNGS[@]} HLS rungs + audio-only variant, ${#MP4_RUNGS[@]} MP4 rungs; $RUNS round(s), medians; $(nproc) cores"
    echo "Other work on the CPUs just before each run: $(awk '{ printf "%s%s#%s %s%%", (NR > 1 ? ", " : ""), $1, $2, $3 }' "$WORK/busy")"
    echo
    printf '%-16s %8s %8s %13s   %s\n' contender "wall s" "CPU s" "peak RSS MB" "runs (wall s)"
    for who in ladder ffmpeg; do
        printf '%-16s %8.2f %8.2f %13.1f   %s\n' "$who" "${WALL[$who]}" "${CPU[$who]}" "${RSS[$who]}" \
            "$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }' "$WORK/times-$who")"
    done
    echo
    printf '  %-28s %s\n' "ladder CPU / ffmpeg CPU" "$R_CPU" "ladder RSS / ffmpeg RSS" "$R_RSS"
    printf '  %-28s %s   target <= %s: %s\n' "ladder wall / ffmpeg wall" "$R_WALL" "$TARGET_RATIO" "$VERDICT"
    echo
    echo "Outputs of the last run (ladder: inside the version folder):"
    printf '  %-20s %12s %12s\n' "" ladder ffmpeg
    for f in "${INV_FIELDS[@]}"; do
        printf '  %-20s %12s %12s\n' "$f" "$(inv ladder "$f")" "$(inv ffmpeg "$f")"
    done
    echo "  (ladder's other playlists: master.m3u8 and entry.m3u8, its other files poster.jpg and"
    echo "   show.json; ffmpeg's other playlist: hls/master.m3u8, and it writes no I-frame playlists)"
    echo
    echo "Probe of the last run: every frame of the transcode in every variant and MP4, MP4s faststart:"
    for who in ladder ffmpeg; do
        if ((PROBLEMS[$who] == 0)); then echo "  $who: ok"; else echo "  $who: ${PROBLEMS[$who]} problem(s), above"; fi
    done
    echo
    echo "ladder package also validates the show (reading every segment), writes I-frame playlists,"
    echo "poster.jpg and show.json with SHA-256s, fsyncs its playlists and stages then renames;"
    echo "the ffmpeg command does none of that."
}

write_json() {
    local f=$WORK/package.json who runs_json inv_json
    runs_json=$(for who in ladder ffmpeg; do
        awk -v w="$who" '{ print w, $1, $2, $3 }' "$WORK/times-$who"
    done | jq -Rn '[inputs | split(" ") | {contender: .[0], wall_s: (.[1]|tonumber), cpu_s: (.[2]|tonumber),
                    rss_mb: ((.[3]|tonumber) / 1024 * 10 | round / 10)}]
                   | group_by(.contender) | map({(.[0].contender): map(del(.contender))}) | add')
    inv_json=$(for who in ladder ffmpeg; do echo "$who $(tail -n 1 "$WORK/inv-$who")"; done |
        jq -Rn --arg fields "${INV_FIELDS[*]}" '($fields | split(" ")) as $k
            | [inputs | split(" ") | {(.[0]): ([range(1; length) as $i | {($k[$i - 1]): (.[$i] | tonumber)}] | add)}] | add')
    jq -n \
        --arg date "$(date -Iseconds)" --arg sample "$SAMPLE" --arg transcode "$TC" \
        --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
        --arg ffmpeg "$(ffmpeg -version | head -n 1)" --arg ladder "$LADDER" \
        --arg ffcmd "$(cat "$WORK/logs/ffmpeg-command.txt")" \
        --rawfile busy "$WORK/busy" \
        --argjson cores "$(nproc)" --argjson nruns "$RUNS" --argjson duration "$SRC_DURATION" \
        --argjson runs "$runs_json" --argjson outputs "$inv_json" \
        --argjson med "{\"ladder\": {\"wall_s\": ${WALL[ladder]}, \"cpu_s\": ${CPU[ladder]}, \"rss_mb\": ${RSS[ladder]}},
                        \"ffmpeg\": {\"wall_s\": ${WALL[ffmpeg]}, \"cpu_s\": ${CPU[ffmpeg]}, \"rss_mb\": ${RSS[ffmpeg]}}}" \
        --argjson ratios "{\"ladder_wall_over_ffmpeg\": $R_WALL, \"ladder_cpu_over_ffmpeg\": $R_CPU,
                           \"ladder_rss_over_ffmpeg\": $R_RSS}" \
        --argjson target "$TARGET_RATIO" \
        --argjson problems "{\"ladder\": ${PROBLEMS[ladder]}, \"ffmpeg\": ${PROBLEMS[ffmpeg]}}" '
        {
          date: $date,
          host: {cpu: $cpu, cores: $cores,
                 others_busy_pct: ($busy | split("\n") | map(select(length > 0) | split(" ")
                                   | {contender: .[0], run: (.[1]|tonumber), pct: (.[2]|tonumber)}))},
          tools: {ffmpeg: $ffmpeg, ladder: $ladder},
          sample: {path: $sample, duration_s: $duration}, transcode: $transcode,
          ffmpeg_command: $ffcmd,
          runs: $nruns, per_run: $runs, median: $med, ratios: $ratios,
          target: {ladder_wall_le_ffmpeg: {limit: $target, value: $ratios.ladder_wall_over_ffmpeg,
                                           pass: ($ratios.ladder_wall_over_ffmpeg <= $target)}},
          outputs_last_run: $outputs, probe_problems: $problems
        }' >"$f"
    [[ -n $JSON_OUT ]] && cp "$f" "$JSON_OUT"
    return 0
}

# --- main --------------------------------------------------------------------------------

main() {
    parse_args "$@"
    [[ -x /usr/bin/time ]] || die "GNU time is missing: apt-get install time"
    local c
    for c in ffmpeg ffprobe jq sha1sum; do command -v "$c" >/dev/null || die "$c is missing"; done

    setup_workdir
    make_sample
    make_transcode
    read_plan
    cat "$TC"/* >/dev/null   # warm the page cache: both contenders read the same files

    # Rounds alternate which contender goes first, so that neither always runs on the
    # caches (or the writeback) the other left behind.
    local r who order
    for ((r = 1; r <= RUNS; r++)); do
        if ((r % 2)); then order='ladder ffmpeg'; else order='ffmpeg ladder'; fi
        for who in $order; do
            log "run $r/$RUNS: $who"
            "run_$who" "$r"
        done
    done
    check_counts
    log "probing the last run's outputs (not timed)"
    { deep_check ladder "$LADDER_OUT"; deep_check ffmpeg "$FFMPEG_OUT"; } >"$WORK/logs/probe.txt"
    cat "$WORK/logs/probe.txt" >&2
    PROBLEMS[ladder]=$(grep -c '^  ladder:' "$WORK/logs/probe.txt" || true)
    PROBLEMS[ffmpeg]=$(grep -c '^  ffmpeg:' "$WORK/logs/probe.txt" || true)

    summarize
    print_report | tee "$WORK/report.txt"
    write_json
    echo
    echo "JSON: $WORK/package.json${JSON_OUT:+ and $JSON_OUT}"
}

# On one line so that bash has read all of it before running: editing this file during a
# run cannot then make bash execute a stale tail.
main "$@"; exit
