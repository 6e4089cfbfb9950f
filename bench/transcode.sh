#!/usr/bin/env bash
# bench/transcode.sh: how fast, how lean and how good is `ladder transcode`?
#
# In one run, on the same sample, it produces the 16 renditions of profiles/pbs16.xml three ways
# and measures each with GNU time (wall, user+sys CPU, peak RSS), median of N runs:
#   ladder  `ladder transcode SAMPLE --out DIR` (decode once, scale once per size, 16 x264s).
#   ffmpeg  the hand-built alternative: ONE ffmpeg process, split=16 + scale per rung, 16 libx264
#           outputs with the same x264 parameters, one AAC encode.
#   floor   the 16 x264 encodes alone (x264 CLI, --threads 1, from pre-scaled raw frames),
#           sequentially; floor = their summed CPU time / cores. No real transcoder can beat
#           it by much: it is the encode work with no decoding, scaling or threading overhead.
# After the timed runs, one untimed quality reference:
#   ffmpeg-1t  the same ffmpeg command with threads=1 in every rung's x264 parameters, run
#           once. x264's frame threads alone move a rung's PSNR by up to +-0.9 dB either way,
#           and ladder's x264s run on one thread each, so the PSNR target compares ladder with
#           this rather than with the timed (frame-threaded) ffmpeg.
# Then it prints ratios, the project's targets (PASS/FAIL), the luma PSNR of each contender's
# renditions against the same bicubic-scaled reference, and the achieved bitrates.
# Everything printed is also written as JSON.
# shellcheck disable=SC2317  # run_ladder/run_ffmpeg/run_floor and cleanup are called indirectly
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=transcode.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PROFILE_XML=$ROOT/profiles/pbs16.xml   # ladder transcode uses its built-in pbs16: the same ladder

# Targets from the project's goals.
TARGET_VS_FLOOR=1.12    # ladder wall <= 1.12 x floor
TARGET_VS_FFMPEG=0.85   # ladder wall <= 0.85 x ffmpeg wall
PSNR_TOLERANCE=0.05     # ladder PSNR-Y >= ffmpeg-1t PSNR-Y - 0.05 dB, per rung and on the mean
PSNR_JOBS=2             # PSNR measurements run this many at a time (not timed)

usage() {
    cat <<EOF
Usage: bench/transcode.sh [options]

Compares ladder, a single hand-built ffmpeg command and the x264-only floor on producing the
16 renditions of profiles/pbs16.xml from one sample, and prints wall/CPU/RSS medians, ratios,
targets, PSNR-Y per rendition and achieved bitrates. Also writes the results as JSON.

The PSNR target compares ladder with "ffmpeg-1t": the same ffmpeg command with threads=1 in
every rung's x264 parameters (as ladder's x264s run), run once, untimed, after the timed runs,
because x264's frame threading alone moves per-rung PSNR by tenths of a dB. The timed ffmpeg's
and the floor's PSNR are shown for information. ffmpeg-1t is skipped with --quick and when
ffmpeg is not in --only; it runs on about one core, so it takes a while.

Options:
  --sample FILE      source to transcode (default: samples/make-mezzanine.sh --duration 12)
  --ladder PATH      ladder binary (default: build/ladder)
  --runs N           timed repetitions per contender; the median is reported (default 3)
  --only LIST        comma-separated contenders to run, of ladder,ffmpeg,floor (default: all)
  --workdir DIR      scratch directory, must be absent or empty (default: mktemp under /tmp)
  --keep             keep the workdir (outputs, logs) at the end
  --json-out FILE    also write the JSON results to FILE
  --quick            1 run, no PSNR and no ffmpeg-1t (smoke test)
  -h, --help         this help

The JSON goes to WORKDIR/transcode.json, or to WORKDIR.json beside it when the workdir is
removed at the end; the path is printed last.

Needs ffmpeg, ffprobe, x264, GNU time, xmllint and jq; the last four are installed with
apt-get if missing and running as root. Raw frames for the floor take ~2.5 GB in the workdir
for a 12 s 1080p sample; they are deleted at the end.
EOF
}

# --- small helpers -----------------------------------------------------------------------

contender_on() { [[ ,$ONLY, == *,$1,* ]]; }

# --- options -----------------------------------------------------------------------------

SAMPLE='' LADDER=$ROOT/build/ladder RUNS=3 ONLY=ladder,ffmpeg,floor WORK='' KEEP=0
JSON_OUT='' QUICK=0
parse_args() {
    while (($#)); do
        case $1 in
            --sample) SAMPLE=${2:?--sample needs a file}; shift ;;
            --ladder) LADDER=${2:?--ladder needs a path}; shift ;;
            --runs) RUNS=${2:?--runs needs a number}; shift ;;
            --only) ONLY=${2:?--only needs a list}; shift ;;
            --workdir) WORK=${2:?--workdir needs a directory}; shift ;;
            --keep) KEEP=1 ;;
            --json-out) JSON_OUT=${2:?--json-out needs a file}; shift ;;
            --quick) QUICK=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
    [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
    if ((QUICK)); then RUNS=1; fi
    local c
    for c in ${ONLY//,/ }; do
        [[ $c == ladder || $c == ffmpeg || $c == floor ]] || die "unknown contender: $c"
    done
    if [[ -n $SAMPLE ]]; then
        [[ -f $SAMPLE ]] || die "no such sample: $SAMPLE"
        SAMPLE=$(realpath "$SAMPLE")
    fi
    if contender_on ladder; then
        [[ -x $LADDER ]] || die "ladder binary not found: $LADDER (build it, or --only ffmpeg,floor)"
        LADDER=$(realpath "$LADDER")
    fi
    if [[ -n $JSON_OUT ]]; then JSON_OUT=$(realpath -m "$JSON_OUT"); fi
}

# --- workdir and cleanup -----------------------------------------------------------------

# The workdir is ours to delete: either mktemp made it, or the user named one that was
# absent or empty. The raw frames (GBs) go in every case; the rest unless --keep.
setup_workdir() {
    if [[ -z $WORK ]]; then
        WORK=$(mktemp -d /tmp/ladder-bench.XXXXXX)
    else
        [[ ! -e $WORK || -z $(ls -A "$WORK" 2>/dev/null) ]] ||
            die "--workdir must be absent or empty: $WORK"
        mkdir -p "$WORK"
        WORK=$(realpath "$WORK")
    fi
    mkdir -p "$WORK/logs" "$WORK/raw"
    trap cleanup EXIT
}

cleanup() {
    local rc=$?
    rm -rf "$WORK/raw"
    if ((rc != 0)); then
        log "failed; logs and outputs kept in $WORK"
    elif ((KEEP == 0)); then
        # Keep the JSON next to the (removed) workdir so the printed path stays valid.
        [[ -f $WORK/transcode.json ]] && mv "$WORK/transcode.json" "$WORK.json"
        rm -rf "$WORK"
    fi
}

# --- the ladder and the sample -----------------------------------------------------------

# Rung table from the profile, one array per attribute, in profile order.
NAME=() W=() H=() KBPS=() MAXRATE=() BUFSIZE=() PROF=() LEVEL=()
read_profile() {
    local n i attr line xp sep
    GOP_SECONDS=$(xmllint --xpath 'string(/*[local-name()="ladder"]/@gop-seconds)' "$PROFILE_XML")
    PRESET=$(xmllint --xpath 'string(/*[local-name()="ladder"]/@preset)' "$PROFILE_XML")
    n=$(xmllint --xpath 'count(//*[local-name()="rung"])' "$PROFILE_XML")
    for ((i = 1; i <= n; i++)); do
        # One xmllint call per rung: concat() of its attributes, space-separated.
        xp='' sep=''
        for attr in name width height video-kbps maxrate-kbps bufsize-kbps profile level; do
            xp+="$sep//*[local-name()='rung'][$i]/@$attr"
            sep=",' ',"
        done
        line=$(xmllint --xpath "concat($xp)" "$PROFILE_XML")
        read -r 'NAME[i-1]' 'W[i-1]' 'H[i-1]' 'KBPS[i-1]' 'MAXRATE[i-1]' 'BUFSIZE[i-1]' \
            'PROF[i-1]' 'LEVEL[i-1]' <<<"$line"
    done
    NR_RUNGS=$n
    ((NR_RUNGS > 0)) || die "no rungs in $PROFILE_XML"
}

make_sample() {
    [[ -n $SAMPLE ]] && return 0
    local maker=$ROOT/samples/make-mezzanine.sh
    [[ -x $maker || -f $maker ]] || die "$maker not found: pass --sample FILE"
    log "generating the sample with samples/make-mezzanine.sh (not timed)"
    bash "$maker" --duration 12 --out "$WORK/mezz.mp4" >"$WORK/logs/make-mezzanine.log" 2>&1 ||
        { tail -n 20 "$WORK/logs/make-mezzanine.log" >&2; die "make-mezzanine.sh failed"; }
    SAMPLE=$WORK/mezz.mp4
}

# Facts about the sample's first video stream: size, frame rate (as num/den), duration.
probe_sample() {
    local out
    out=$(ffprobe -v error -select_streams v:0 -of default=nw=1 \
        -show_entries stream=width,height,r_frame_rate:format=duration "$SAMPLE")
    SRC_W=$(sed -n 's/^width=//p' <<<"$out")
    SRC_H=$(sed -n 's/^height=//p' <<<"$out")
    SRC_FPS=$(sed -n 's/^r_frame_rate=//p' <<<"$out")
    SRC_DURATION=$(sed -n 's/^duration=//p' <<<"$out")
    [[ -n $SRC_W && -n $SRC_FPS ]] || die "no video stream in $SAMPLE"
    [[ $SRC_DURATION =~ ^[0-9.]+$ ]] || SRC_DURATION=null   # some containers say N/A
    FPS_NUM=${SRC_FPS%/*} FPS_DEN=${SRC_FPS#*/}
    log "sample: $SAMPLE, ${SRC_W}x$SRC_H @ $SRC_FPS fps, ${SRC_DURATION} s"
}

# --- contender 1: ladder -----------------------------------------------------------------

run_ladder() {
    local r=$1 out=$WORK/out-ladder i
    rm -rf "$out"   # ladder wants to create DIR itself
    timed "$WORK/logs/ladder-run$r.log" "$WORK/times-ladder" "$LADDER" transcode "$SAMPLE" --out "$out" --quiet
    for ((i = 0; i < NR_RUNGS; i++)); do
        [[ -s $out/${NAME[i]}.mp4 ]] || die "ladder wrote no $out/${NAME[i]}.mp4"
    done
}

# --- contender 2: one hand-built ffmpeg command ------------------------------------------

# ffmpeg_rung_args I [X264_EXTRA]: the libx264 options for rung I, the same as ladder's x264
# parameters, with X264_EXTRA (name=value[:...]) appended to -x264-params. ffmpeg's threading
# is left at its defaults on purpose, as a hand-built command would: every libx264 instance
# gets its own frame threads (1.5 x cores) and lookahead, and the filter graph runs in one
# thread. Only the untimed ffmpeg-1t reference passes X264_EXTRA (threads=1).
ffmpeg_rung_args() {
    local i=$1 extra=${2:-}
    printf '%s\n' -an -c:v libx264 -preset "$PRESET" -profile:v "${PROF[i]}" -level:v "${LEVEL[i]}" \
        -b:v "${KBPS[i]}k" -maxrate "${MAXRATE[i]}k" -bufsize "${BUFSIZE[i]}k" \
        -force_key_frames "expr:gte(t,n_forced*$GOP_SECONDS)" \
        -x264-params "keyint=infinite:scenecut=0:open-gop=0:psnr=1:ssim=1${extra:+:$extra}" -pix_fmt yuv420p
}

# build_ffmpeg_cmd OUT [X264_EXTRA]: fills FFMPEG_CMD: decode once, split into one branch per
# rung, bicubic scale each, 16 video outputs (X264_EXTRA as in ffmpeg_rung_args) and one AAC
# (stereo, 128k) output of its own.
build_ffmpeg_cmd() {
    local out=$1 extra=${2:-} graph="[0:v]split=$NR_RUNGS" i
    for ((i = 0; i < NR_RUNGS; i++)); do graph+="[s$i]"; done
    for ((i = 0; i < NR_RUNGS; i++)); do
        graph+=";[s$i]scale=${W[i]}:${H[i]}:flags=bicubic,format=yuv420p[v$i]"
    done
    FFMPEG_CMD=(ffmpeg -hide_banner -nostdin -nostats -y -i "$SAMPLE" -filter_complex "$graph")
    for ((i = 0; i < NR_RUNGS; i++)); do
        mapfile -t args < <(ffmpeg_rung_args "$i" "$extra")
        FFMPEG_CMD+=(-map "[v$i]" "${args[@]}" "$out/${NAME[i]}.mp4")
    done
    FFMPEG_CMD+=(-map '0:a:0?' -vn -c:a aac -b:a 128k -ac 2 "$out/audio-128k.mp4")
}

run_ffmpeg() {
    local r=$1 out=$WORK/out-ffmpeg
    rm -rf "$out" && mkdir -p "$out"
    build_ffmpeg_cmd "$out"
    timed "$WORK/logs/ffmpeg-run$r.log" "$WORK/times-ffmpeg" "${FFMPEG_CMD[@]}"
}

# The PSNR target's reference, run once after the timed rounds and not timed: the very same
# command with each libx264 on one thread, as ladder runs its x264s. Frame threads change
# x264's rate control and lookahead decisions, so only this isolates ladder's own pipeline
# (decode, scale, encoder setup) in the comparison.
run_ffmpeg_1t() {
    local out=$WORK/out-ffmpeg1t log=$WORK/logs/ffmpeg1t.log
    rm -rf "$out" && mkdir -p "$out"
    build_ffmpeg_cmd "$out" threads=1
    log "encoding the ffmpeg-1t quality reference (x264 threads=1, not timed)"
    "${FFMPEG_CMD[@]}" >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "ffmpeg-1t failed (log: $log)"; }
}

# --- contender 3: the x264-only floor ----------------------------------------------------

# Scales the sample once per distinct rung size (identical sizes give identical frames) to raw
# yuv420p, with the same bicubic scaler, in one untimed ffmpeg pass. Sets NR_FRAMES.
prescale_raw() {
    local sizes graph maps=() s k=0
    sizes=$(for ((i = 0; i < NR_RUNGS; i++)); do echo "${W[i]}x${H[i]}"; done | sort -u)
    graph="[0:v]split=$(wc -l <<<"$sizes")"
    for s in $sizes; do graph+="[r$((k++))]"; done
    k=0
    for s in $sizes; do
        graph+=";[r$k]scale=${s%x*}:${s#*x}:flags=bicubic,format=yuv420p[o$k]"
        maps+=(-map "[o$k]" -fps_mode passthrough -f rawvideo "$WORK/raw/$s.yuv")
        k=$((k + 1))
    done
    log "pre-scaling the sample to raw frames for the floor (not timed)"
    ffmpeg -hide_banner -nostdin -nostats -y -i "$SAMPLE" -filter_complex "$graph" "${maps[@]}" \
        >"$WORK/logs/prescale.log" 2>&1 || { tail -n 20 "$WORK/logs/prescale.log" >&2; die "pre-scaling failed"; }
    local f=$WORK/raw/${W[0]}x${H[0]}.yuv
    NR_FRAMES=$(($(stat -c %s "$f") / (W[0] * H[0] * 3 / 2)))
    log "$NR_FRAMES frames"
}

# x264's --qpfile forcing an IDR ("I") at the first frame at or after every GOP_SECONDS of
# presentation time, which is what ffmpeg's expr:gte(t,n_forced*G) and ladder do.
write_qpfile() {
    awk -v n="$NR_FRAMES" -v num="$FPS_NUM" -v den="$FPS_DEN" -v g="$GOP_SECONDS" 'BEGIN {
        next_t = 0
        for (k = 0; k < n; k++)
            if (k * den / num >= next_t - 1e-9) { print k, "I"; next_t += g }
    }' >"$WORK/idr.qpfile"
}

# One round: the 16 encodes one after another, each on one thread. Per-encode figures go to
# floor-encodes (for the largest RSS); the round's total CPU / cores is the floor.
run_floor() {
    local r=$1 i cores
    local tf=$WORK/floor-run$r
    : >"$tf"
    mkdir -p "$WORK/out-floor"
    for ((i = 0; i < NR_RUNGS; i++)); do
        timed "$WORK/logs/floor-run$r-${NAME[i]}.log" "$tf" \
            x264 --no-progress --threads 1 --preset "$PRESET" --profile "${PROF[i]}" --level "${LEVEL[i]}" \
            --bitrate "${KBPS[i]}" --vbv-maxrate "${MAXRATE[i]}" --vbv-bufsize "${BUFSIZE[i]}" \
            --keyint infinite --scenecut 0 --psnr --ssim --qpfile "$WORK/idr.qpfile" \
            --demuxer raw --input-csp i420 --input-res "${W[i]}x${H[i]}" --fps "$SRC_FPS" \
            -o "$WORK/out-floor/${NAME[i]}.264" "$WORK/raw/${W[i]}x${H[i]}.yuv"
    done
    cores=$(nproc)
    # times-floor holds "floor cpu_sum max_rss sequential_wall" so that the generic median
    # code reads the floor in the wall column.
    awk -v c="$cores" '{ w += $1; cpu += $2; if ($3 > m) m = $3 }
        END { printf "%.2f %.2f %d %.2f\n", cpu / c, cpu, m, w }' "$tf" >>"$WORK/times-floor"
}

# --- measurements after the runs ---------------------------------------------------------

# kbps and frame count of the video in an output: ffprobe for MP4s, x264's log for the floor.
rate_of() {
    local who=$1 i=$2 f
    case $who in
        floor)
            f=$WORK/logs/floor-run$RUNS-${NAME[i]}.log
            sed -n 's/^encoded \([0-9]*\) frames, .* fps, \([0-9.]*\) kb\/s.*/\2 \1/p' "$f" | tail -n 1 ;;
        *)
            f=$WORK/out-$who/${NAME[i]}.mp4
            ffprobe -v error -select_streams v:0 -show_entries stream=bit_rate,nb_frames \
                -of default=nw=1 "$f" |
                awk -F= '/^bit_rate/ { b = $2 } /^nb_frames/ { n = $2 }
                         END { printf "%.1f %s\n", b / 1000, n }' ;;
    esac
}

measure_rates() {
    local i who
    : >"$WORK/rates.tsv"
    for ((i = 0; i < NR_RUNGS; i++)); do
        local row="${NAME[i]} ${KBPS[i]}"
        for who in ladder ffmpeg floor; do
            if contender_on "$who"; then row+=" $(rate_of "$who" "$i")"; else row+=" null null"; fi
        done
        echo "$row" >>"$WORK/rates.tsv"
    done
}

# psnr_job WHO I: PSNR-Y of WHO's rendition i against the sample bicubic-scaled to its size,
# both streams rebased to pts 0, into psnr/WHO-I ("null" if it could not be measured).
# The floor's raw .264 has no timestamps: it is read at the sample's frame rate.
psnr_job() {
    local who=$1 i=$2 y input=()
    case $who in
        floor) input=(-framerate "$SRC_FPS" -i "$WORK/out-floor/${NAME[i]}.264") ;;
        *) input=(-i "$WORK/out-$who/${NAME[i]}.mp4") ;;
    esac
    y=$(ffmpeg -hide_banner -nostdin -nostats "${input[@]}" -i "$SAMPLE" -an \
        -lavfi "[1:v]setpts=PTS-STARTPTS,scale=${W[i]}:${H[i]}:flags=bicubic,format=yuv420p[ref];[0:v]setpts=PTS-STARTPTS,format=yuv420p[d];[d][ref]psnr" \
        -f null - 2>&1 | sed -n 's/.*PSNR y:\([^ ]*\) .*/\1/p' | tail -n 1) || true
    echo "${y:-null}" >"$WORK/psnr/$who-$i"
}

# psnr_on WHO: whether WHO's renditions exist; ffmpeg-1t is made whenever ffmpeg runs (PSNR is
# measured only without --quick).
psnr_on() {
    case $1 in
        ffmpeg1t) contender_on ffmpeg ;;
        *) contender_on "$1" ;;
    esac
}

# Fills psnr.tsv: "rung ladder ffmpeg-1t ffmpeg floor", one line per rung, "null" where unknown.
# ffmpeg-1t is the target's reference; the other two are informational: the timed ffmpeg shows
# how far frame threading moves it, and the floor encodes exactly the reference frames, so
# ladder below both ffmpeg-1t and the floor points at its scaling, below ffmpeg-1t only at its
# encoding.
measure_psnr() {
    local who i running=0
    mkdir -p "$WORK/psnr"
    log "measuring PSNR ($PSNR_JOBS at a time, not timed)"
    for ((i = 0; i < NR_RUNGS; i++)); do
        for who in ladder ffmpeg1t ffmpeg floor; do
            psnr_on "$who" || { echo null >"$WORK/psnr/$who-$i"; continue; }
            psnr_job "$who" "$i" &
            if ((++running >= PSNR_JOBS)); then wait -n || true; running=$((running - 1)); fi
        done
    done
    wait
    : >"$WORK/psnr.tsv"
    for ((i = 0; i < NR_RUNGS; i++)); do
        echo "${NAME[i]} $(cat "$WORK/psnr/ladder-$i" "$WORK/psnr/ffmpeg1t-$i" "$WORK/psnr/ffmpeg-$i" \
            "$WORK/psnr/floor-$i" | tr '\n' ' ')" >>"$WORK/psnr.tsv"
    done
}

# --- report ------------------------------------------------------------------------------

# Medians per contender: wall s, CPU s, peak RSS MB ("null" when not run).
declare -A WALL CPU RSS

# med WHO COLUMN: median over runs of column 1 (wall), 2 (cpu) or 3 (rss KB) of WHO's times.
med() {
    local f=$WORK/times-$1
    [[ -s $f ]] || { echo null; return; }
    awk -v c="$2" '{ print $c }' "$f" | median
}

summarize() {
    local who kb
    for who in ladder ffmpeg floor; do
        WALL[$who]=$(med "$who" 1)
        CPU[$who]=$(med "$who" 2)
        kb=$(med "$who" 3)
        RSS[$who]=$(calc "$kb / 1024")
    done
    FLOOR_SEQ_WALL=null
    if [[ -s $WORK/times-floor ]]; then FLOOR_SEQ_WALL=$(awk '{ print $4 }' "$WORK/times-floor" | median); fi
    R_LADDER_FLOOR=$(calc "${WALL[ladder]} / ${WALL[floor]}")
    R_LADDER_FFMPEG=$(calc "${WALL[ladder]} / ${WALL[ffmpeg]}")
    R_FFMPEG_FLOOR=$(calc "${WALL[ffmpeg]} / ${WALL[floor]}")
    R_RSS=$(calc "${RSS[ladder]} / ${RSS[ffmpeg]}")
    # CPU against the floor's CPU: the overhead beyond the encodes, which, unlike wall time,
    # other work on the machine barely changes.
    R_LADDER_CPU=$(calc "${CPU[ladder]} / ${CPU[floor]}")
    R_FFMPEG_CPU=$(calc "${CPU[ffmpeg]} / ${CPU[floor]}")
}

# fmt VALUE [PRINTF-FORMAT]: a figure for the tables, "-" when unknown.
# shellcheck disable=SC2059  # the format is the point
fmt() { if [[ $1 == null ]]; then echo -; else printf "${2:-%s}\n" "$1"; fi; }

print_report() {
    local who
    echo
    echo "Sample: $SAMPLE (${SRC_W}x$SRC_H @ $SRC_FPS, ${SRC_DURATION} s)"
    echo "Profile: $PROFILE_XML, $NR_RUNGS rungs; $RUNS run(s), medians; $(nproc) cores"
    echo "Other work on the CPUs just before each run: $(awk '{ printf "%s%s#%s %s%%", (NR > 1 ? ", " : ""), $1, $2, $3 }' "$WORK/busy")"
    echo
    printf '%-8s %10s %10s %13s\n' contender "wall s" "CPU s" "peak RSS MB"
    for who in ladder ffmpeg floor; do
        printf '%-8s %10s %10s %13s\n' "$who" \
            "$(fmt "${WALL[$who]}" %.2f)" "$(fmt "${CPU[$who]}" %.2f)" "$(fmt "${RSS[$who]}" %.1f)"
    done
    echo "(floor: wall = summed CPU of the 16 single-threaded x264 encodes / cores;"
    echo " RSS = largest single encode; the encodes took $(fmt "$FLOOR_SEQ_WALL" %.2f) s one after another)"
    echo
    echo "Ratios:"
    printf '  %-28s %s\n' "ladder wall / floor" "$(fmt "$R_LADDER_FLOOR")" \
        "ladder wall / ffmpeg wall" "$(fmt "$R_LADDER_FFMPEG")" \
        "ffmpeg wall / floor" "$(fmt "$R_FFMPEG_FLOOR")" \
        "ladder RSS / ffmpeg RSS" "$(fmt "$R_RSS")" \
        "ladder CPU / floor CPU" "$(fmt "$R_LADDER_CPU")" \
        "ffmpeg CPU / floor CPU" "$(fmt "$R_FFMPEG_CPU")"
    echo
    echo "Targets:"
    printf '  %-36s %-8s %s\n' "ladder wall <= $TARGET_VS_FLOOR x floor" "$(fmt "$R_LADDER_FLOOR")" "$(verdict "$R_LADDER_FLOOR" "$TARGET_VS_FLOOR")" \
        "ladder wall <= $TARGET_VS_FFMPEG x ffmpeg" "$(fmt "$R_LADDER_FFMPEG")" "$(verdict "$R_LADDER_FFMPEG" "$TARGET_VS_FFMPEG")" \
        "ladder peak RSS <= ffmpeg's" "$(fmt "$R_RSS")" "$(verdict "$R_RSS" 1)"
    if [[ -s $WORK/psnr.tsv ]]; then
        echo
        echo "Quality: PSNR-Y (dB) against the sample bicubic-scaled to the rung size:"
        echo "(target: ladder >= ffmpeg-1t - $PSNR_TOLERANCE dB, per rung and on the mean; ffmpeg-1t: the ffmpeg"
        echo " command with x264 threads=1 like ladder's, untimed. For information: ffmpeg, the timed"
        echo " command, whose frame threads move PSNR either way; floor, x264 alone on the reference frames)"
        printf '  %-16s %8s %9s %7s  %-6s %8s %8s\n' rung ladder ffmpeg-1t diff "target" ffmpeg floor
        # Columns of psnr.tsv: rung ladder ffmpeg-1t ffmpeg floor. The mean row's diff and
        # verdict are over the rungs that have both ladder and ffmpeg-1t; the last line counts
        # the per-rung verdicts.
        awk -v tol="$PSNR_TOLERANCE" '
            function show(x) { return x == "null" ? "-" : sprintf("%.3f", x) }
            function avg(s, k) { return k ? sprintf("%.3f", s / k) : "-" }
            {
                if ($2 == "null" || $3 == "null") { d = "-"; v = "n/a" }
                else { d = sprintf("%+.3f", $2 - $3); v = ($2 >= $3 - tol) ? "PASS" : "FAIL"
                       n++; sl += $2; s1 += $3; pass += (v == "PASS") }
                if ($4 != "null") { nf++; sf += $4 }
                if ($5 != "null") { nx++; sx += $5 }
                printf "  %-16s %8s %9s %7s  %-6s %8s %8s\n", $1, show($2), show($3), d, v, show($4), show($5)
            }
            END {
                if (!n) exit
                md = (sl - s1) / n
                printf "  %-16s %8.3f %9.3f %+7.3f  %-6s %8s %8s\n", "mean", sl / n, s1 / n, md,
                       (md >= -tol ? "PASS" : "FAIL"), avg(sf, nf), avg(sx, nx)
                printf "  rungs passing: %d/%d\n", pass, n
            }' "$WORK/psnr.tsv"
    fi
    echo
    echo "Achieved video bitrate, kbps (% of target) and frames:"
    printf '  %-16s %6s  %-20s %-20s %-20s\n' rung target ladder ffmpeg floor
    awk 'function cell(k, n, t) { return (k == "null" || k == "") ? "-" : sprintf("%.0f (%.0f%%) %s", k, 100 * k / t, n) }
        { printf "  %-16s %6s  %-20s %-20s %-20s\n", $1, $2, cell($3, $4, $2), cell($5, $6, $2), cell($7, $8, $2) }' \
        "$WORK/rates.tsv"
}

# The same figures as JSON, built with jq from the TSV/time files so nothing is retyped.
write_json() {
    local f=$WORK/transcode.json runs_json
    runs_json=$(for who in ladder ffmpeg floor; do
        [[ -s $WORK/times-$who ]] || continue
        awk -v w="$who" '{ printf "%s %s %s %s %s\n", w, $1, $2, $3, ($4 == "" ? "null" : $4) }' "$WORK/times-$who"
    done | jq -Rn '[inputs | split(" ") | {contender: .[0], wall_s: (.[1]|tonumber), cpu_s: (.[2]|tonumber),
                    rss_mb: ((.[3]|tonumber) / 1024 * 10 | round / 10)}
                    + (if .[4] != "null" then {sequential_wall_s: (.[4]|tonumber)} else {} end)]
                   | group_by(.contender) | map({(.[0].contender): map(del(.contender))}) | add // {}')
    jq -n \
        --arg date "$(date -Iseconds)" --arg sample "$SAMPLE" --arg profile "$PROFILE_XML" \
        --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
        --arg ffmpeg "$(ffmpeg -version | head -n 1)" --arg x264 "$(x264 --version | head -n 1)" \
        --rawfile busy "$WORK/busy" \
        --argjson cores "$(nproc)" --argjson nruns "$RUNS" --arg only "$ONLY" \
        --argjson src "{\"width\": $SRC_W, \"height\": $SRC_H, \"fps\": \"$SRC_FPS\", \"duration_s\": ${SRC_DURATION:-null}}" \
        --argjson runs "$runs_json" \
        --argjson med "{\"ladder\": {\"wall_s\": ${WALL[ladder]}, \"cpu_s\": ${CPU[ladder]}, \"rss_mb\": ${RSS[ladder]}},
                        \"ffmpeg\": {\"wall_s\": ${WALL[ffmpeg]}, \"cpu_s\": ${CPU[ffmpeg]}, \"rss_mb\": ${RSS[ffmpeg]}},
                        \"floor\": {\"wall_s\": ${WALL[floor]}, \"cpu_s\": ${CPU[floor]}, \"rss_mb\": ${RSS[floor]},
                                    \"sequential_wall_s\": $FLOOR_SEQ_WALL}}" \
        --argjson ratios "{\"ladder_wall_over_floor\": $R_LADDER_FLOOR, \"ladder_wall_over_ffmpeg\": $R_LADDER_FFMPEG,
                           \"ffmpeg_wall_over_floor\": $R_FFMPEG_FLOOR, \"ladder_rss_over_ffmpeg\": $R_RSS,
                           \"ladder_cpu_over_floor_cpu\": $R_LADDER_CPU, \"ffmpeg_cpu_over_floor_cpu\": $R_FFMPEG_CPU}" \
        --argjson tfloor "$TARGET_VS_FLOOR" --argjson tff "$TARGET_VS_FFMPEG" --argjson tol "$PSNR_TOLERANCE" \
        --rawfile rates "$WORK/rates.tsv" \
        --rawfile psnr "$( [[ -s $WORK/psnr.tsv ]] && echo "$WORK/psnr.tsv" || echo /dev/null)" '
        def num: tonumber? // null;   # "null", "" and "inf" become null
        def pass(v; l): if v == null then null else v <= l end;
        def rows: split("\n") | map(select(length > 0) | split(" "));
        def mean(k): map(.[k] | select(. != null)) | if length > 0 then (add / length * 1000 | round / 1000) else null end;
        # diff_vs_ffmpeg_1t and pass: ladder against the single-threaded reference, as printed.
        ($psnr | rows | map({rung: .[0], ladder: (.[1]|num), ffmpeg_1t: (.[2]|num), ffmpeg: (.[3]|num),
                             floor: (.[4]|num)}
                   | . + (if .ladder != null and .ffmpeg_1t != null
                          then {diff_vs_ffmpeg_1t: ((.ladder - .ffmpeg_1t) * 1000 | round / 1000),
                                pass: (.ladder >= .ffmpeg_1t - $tol)}
                          else {diff_vs_ffmpeg_1t: null, pass: null} end))) as $psnr_rows
        | ($psnr_rows | map(select(.pass != null))) as $judged
        # The mean verdict from the unrounded mean, as the printed table judges it.
        | ($judged | if length > 0 then map(.ladder - .ffmpeg_1t) | add / length else null end) as $mean_diff_raw
        | ($mean_diff_raw | if . == null then null else (. * 1000 | round / 1000) end) as $mean_diff
        |
        {
          date: $date,
          host: {cpu: $cpu, cores: $cores,
                others_busy_pct: ($busy | rows | map({contender: .[0], run: (.[1]|num), pct: (.[2]|num)}))},
          tools: {ffmpeg: $ffmpeg, x264: $x264},
          sample: ({path: $sample} + $src), profile: $profile, contenders: ($only | split(",")),
          runs: $nruns, per_run: $runs, median: $med, ratios: $ratios,
          targets: {
            ladder_wall_le_floor: {limit: $tfloor, value: $ratios.ladder_wall_over_floor,
                                   pass: pass($ratios.ladder_wall_over_floor; $tfloor)},
            ladder_wall_le_ffmpeg: {limit: $tff, value: $ratios.ladder_wall_over_ffmpeg,
                                    pass: pass($ratios.ladder_wall_over_ffmpeg; $tff)},
            ladder_rss_le_ffmpeg: {limit: 1, value: $ratios.ladder_rss_over_ffmpeg,
                                   pass: pass($ratios.ladder_rss_over_ffmpeg; 1)},
            # Verdicts and mean are null when nothing was judged (--quick, or ladder or ffmpeg off).
            ladder_psnr_y_ge_ffmpeg_1t: {reference: "ffmpeg_1t", tolerance_db: $tol,
                rungs: ($judged | length), rungs_pass: ($judged | map(select(.pass)) | length),
                pass_all_rungs: (if $judged == [] then null else ($judged | all(.pass)) end),
                mean_diff_vs_ffmpeg_1t: $mean_diff,
                pass_mean: (if $mean_diff_raw == null then null else $mean_diff_raw >= -$tol end)}
          },
          psnr_y: $psnr_rows,
          psnr_y_mean: {ladder: ($psnr_rows | mean("ladder")), ffmpeg_1t: ($psnr_rows | mean("ffmpeg_1t")),
                        ffmpeg: ($psnr_rows | mean("ffmpeg")), floor: ($psnr_rows | mean("floor")),
                        diff_vs_ffmpeg_1t: $mean_diff},
          bitrates_kbps: ($rates | rows | map({rung: .[0], target: (.[1]|num),
                          ladder: (.[2]|num), ladder_frames: (.[3]|num),
                          ffmpeg: (.[4]|num), ffmpeg_frames: (.[5]|num),
                          floor: (.[6]|num), floor_frames: (.[7]|num)}))
        }' >"$f"
    [[ -n $JSON_OUT ]] && cp "$f" "$JSON_OUT"
    return 0
}

# Wall times mean something only on an otherwise idle machine. Just before each timed run,
# while this script is idle, measure for 1 s how busy the CPUs are (that is others' work),
# record it for the JSON and the report, and warn above 10 %.
check_idle() {
    local who=$1 r=$2 a b pct
    a=$(head -n 1 /proc/stat)
    sleep 1
    b=$(head -n 1 /proc/stat)
    # fields: cpu user nice system idle iowait irq softirq steal (guest time is inside user)
    pct=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y)
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = y[5] - x[5] + y[6] - x[6]
        printf "%.0f\n", total ? 100 * (total - idle) / total : 0 }')
    echo "$who $r $pct" >>"$WORK/busy"
    ((pct <= 10)) || log "warning: CPUs ${pct}% busy with other work before this run; its wall time will be inflated"
}

# --- main --------------------------------------------------------------------------------

main() {
    parse_args "$@"
    need /usr/bin/time time
    need x264 x264
    need xmllint libxml2-utils
    need jq jq
    command -v ffmpeg >/dev/null || die "ffmpeg missing"
    command -v ffprobe >/dev/null || die "ffprobe missing"

    setup_workdir
    read_profile
    make_sample
    probe_sample
    if contender_on floor; then
        prescale_raw
        write_qpfile
    fi
    cat "$SAMPLE" >/dev/null   # warm the page cache so run 1 does not pay for the disk

    # Rounds interleave the contenders so that drifts (thermal, noisy neighbours) hit all alike.
    local r who
    for ((r = 1; r <= RUNS; r++)); do
        for who in ladder ffmpeg floor; do
            contender_on "$who" || continue
            log "run $r/$RUNS: $who"
            check_idle "$who" "$r"
            "run_$who" "$r"
        done
    done
    rm -rf "$WORK/raw"   # GBs, no longer needed
    # The PSNR target's reference; without PSNR (--quick) nobody would look at it.
    if ((QUICK == 0)) && contender_on ffmpeg; then run_ffmpeg_1t; fi

    measure_rates
    ((QUICK)) || measure_psnr
    summarize
    print_report | tee "$WORK/report.txt"
    write_json
    local shown=$WORK/transcode.json
    ((KEEP)) || shown=$WORK.json   # cleanup moves it out of the workdir it removes
    echo
    echo "JSON: $shown${JSON_OUT:+ and $JSON_OUT}"
}

# On one line so that bash has read all of it before running: editing this file during a
# run cannot then make bash execute a stale tail.
main "$@"; exit
