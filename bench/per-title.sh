#!/usr/bin/env bash
# bench/per-title.sh: what `ladder ingest --per-title` (issue 23, docs/per-title.md) buys
# against pbs16 on the same source. Content generated at run time with FFmpeg's lavfi sources
# (nothing committed), one mezzanine per kind:
#   static    SMPTE HD bars, still, with a small testsrc2 window sliding across (near-static)
#   graphics  a news presenter: slowly turning gradient, a flat-shaded head that sways, a
#             lower third, a scrolling ticker and a running clock (talking head + graphics)
#   motion    testsrc2 panning diagonally under heavy temporal grain (noise=alls=20:allf=t+u)
#   mixed     samples/make-mezzanine.sh: 2 s sections with hard cuts between bars, Mandelbrot
#             zoom, panning motion, film grain, gradient and texture (a broadcast-like mix)
# Each kind is ingested with pbs16 and with pbs16 --per-title (runs interleaved, the order
# alternating, as in thumbnails.sh), both timed (wall, GNU time); the per-title run's
# "per-title: ... in N.N s" line gives the analysis time. Then every HLS rung of both shows is
# measured against the mezzanine with FFmpeg's psnr and ssim filters, the rung (its playlist,
# so its segments joined) scaled bicubic to the display size, the largest HLS picture of the
# pbs16 show. A rung's rate is its H.264 bytes (ffprobe's packet sizes over its segments: the
# TS segments carry its audio too, 64 or 128 kbit/s by rung) over the show's duration.
# Reported per kind: a table per rung with per-title's predicted PSNR-Y beside the measured,
# the total ladder bytes (every HLS rung's segments and every MP4 file), BD-rate
# (bench/bdrate.py) on PSNR-Y and on SSIM-Y in dB (-10 log10(1 - SSIM)), PCHIP first and
# VCEG-M33's cubic beside it, and the analysis time as a share of the pbs16 ingest's wall
# time, against issue 23's targets. Markdown on stdout, JSON to --json-out. Exits 1 if a step
# fails (a generation, an ingest, a measurement, a BD-rate, a `ladder validate`), after
# printing what it has.
# Time (2 cores, shared with a build): --duration 30, the four kinds, --runs 1, 720p: 15-19 min,
# half of it measuring the rungs; the default 60 s takes about twice that.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=per-title.sh
DURATION=60 SIZE=1280x720 FPS=30 RUNS=1 KINDS=static,graphics,motion,mixed KEEP=0
JSON_OUT=per-title.json TEST_ARGS=--per-title NICE=${NICE:-10} REUSE=""
LADDER_BIN=${LADDER:-$ROOT/build/ladder}
CLIPS=()
usage() {
    cat <<EOF
usage: bench/per-title.sh [--duration S] [--size WxH] [--runs N] [--kinds LIST] [--keep]
                          [--json-out FILE] [--ladder PATH] [--clip FILE]... [--test-args ARGS]
  --duration S      length of each generated mezzanine (default $DURATION; 60 s is 30 GOPs, the
                    shortest show pbs16 encodes at a CRF per rung, docs/transcoder.md)
  --size WxH        their picture size (default $SIZE), at $FPS fps
  --runs N          ingests of each ladder per kind, interleaved; times are medians (default 1)
  --kinds LIST      comma-separated, of static,graphics,motion,mixed (default all)
  --keep            keep the work folder (mezzanines, libraries, logs) and print its path
  --reuse DIR       measure and report on a kept work folder again: no generation, no ingest
  --json-out FILE   where the JSON goes (default ./per-title.json)
  --ladder PATH     the ladder binary (default build/ladder; copied once before the runs)
  --clip FILE       also bench this mezzanine as it is (kind clip-NAME); repeatable
  --test-args ARGS  what the test ingest adds to pbs16's (default --per-title); '' ingests pbs16
                    twice, a check of the bench itself: BD-rates must come out 0
Heavy commands run under nice -n \$NICE (default 10).
EOF
}
while [ $# -gt 0 ]; do
    case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --kinds) KINDS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; shift 2 ;;
    --json-out) JSON_OUT=$2; shift 2 ;;
    --ladder) LADDER_BIN=$2; shift 2 ;;
    --clip) CLIPS+=("$2"); shift 2 ;;
    --test-args) TEST_ARGS=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
[[ $DURATION =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "$BENCH: --duration wants seconds" >&2; exit 2; }
[[ $SIZE =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "$BENCH: --size wants WxH" >&2; exit 2; }
W=${BASH_REMATCH[1]} H=${BASH_REMATCH[2]}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "$BENCH: --runs wants a positive integer" >&2; exit 2; }
if [[ -n $REUSE ]]; then
    [[ -d $REUSE ]] || { echo "$BENCH: --reuse $REUSE: no such folder" >&2; exit 2; }
    WORK=$(cd "$REUSE" && pwd)
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/ptbench.XXXXXX") # not "per-title": logs are grepped for it
    if ((KEEP)); then trap 'echo "$BENCH: kept $WORK" >&2' EXIT; else trap 'rm -rf "$WORK"' EXIT; fi
fi
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need ffmpeg ffmpeg
need ffprobe ffmpeg
[[ -x /usr/bin/time ]] || need time time
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
FONT_BOLD=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf

# clip_name FILE: a show id's worth of the file's name.
clip_name() { basename "${1%.*}" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_\n-' '-'; }
KIND_LIST=()
IFS=, read -r -a wanted <<<"$KINDS"
for k in "${wanted[@]}"; do
    case $k in
    static | graphics | motion | mixed) KIND_LIST+=("$k") ;;
    *) die "unknown kind '$k' (static, graphics, motion, mixed)" ;;
    esac
done
for c in "${CLIPS[@]}"; do
    [[ -f $c ]] || die "--clip $c: no such file"
    n=$(clip_name "$c")
    KIND_LIST+=("clip-$n")
done
((${#KIND_LIST[@]})) || die "no kinds to bench"

# One copy of the binary for every run: a rebuild midway must not mix two builds.
[[ -n $REUSE ]] || cp "$LADDER_BIN" "$WORK/ladder"
read -r -a TEST <<<"$TEST_ARGS"
if [[ " $TEST_ARGS " == *" --per-title "* ]] &&
    ! "$WORK/ladder" ingest --help 2>&1 | grep -q -- '--per-title'; then
    die "$LADDER_BIN has no 'ingest --per-title' yet (--test-args '' benches pbs16 against itself)"
fi
if [[ " ${KIND_LIST[*]} " == *" graphics "* ]] && [[ ! -f $FONT || ! -f $FONT_BOLD ]]; then
    die "graphics needs $FONT and $FONT_BOLD: apt-get install fonts-dejavu-core"
fi

# mezzanine KIND OUT: the kind's source, H.264 High CRF 16 (veryfast) + AAC, faststart MP4.
mezzanine() {
    local kind=$1 out=$2 d=$DURATION s="${W}x${H}" graph
    local x264=(-c:v libx264 -preset veryfast -crf 16 -g 60 -pix_fmt yuv420p -flags:v +bitexact
        -c:a aac -b:a 192k -ar 48000 -ac 2 -movflags +faststart -t "$d")
    local tone="sine=f=440:r=48000:d=$d,aformat=channel_layouts=stereo"
    case $kind in
    static)
        graph="smptehdbars=s=$s:r=$FPS:d=${d}[bars];testsrc2=s=$(((W / 8) * 2))x$(((H / 8) * 2)):r=$FPS:d=${d}[win];
            [bars][win]overlay=x='mod(t*40,W-w)':y=H/8,format=yuv420p[v];${tone}[a]" ;;
    graphics)
        # A head drawn once (geq on one RGBA frame, looped) over a gradient that turns slowly.
        local inface='lte(hypot((X-180)/125,(Y-150)/150),1)' body='lte(hypot((X-180)/180,(Y-470)/170),1)'
        local feat='lte(hypot((X-135)/16,(Y-130)/8),1)+lte(hypot((X-225)/16,(Y-130)/8),1)+lte(hypot((X-180)/40,(Y-215)/9),1)'
        local head="color=c=black@0:s=360x440:r=$FPS:d=1,format=rgba,geq=r='if($inface,215-40*X/360-20*Y/300-if($feat,150,0),if($body,40+20*Y/440,0))':g='if($inface,170-30*X/360-if($feat,130,0),if($body,50+25*Y/440,0))':b='if($inface,140-30*X/360-if($feat,100,0),if($body,80+30*Y/440,0))':a='if($inface+$body,255,0)',trim=end_frame=1,loop=loop=-1:size=1"
        local scale=$((H * 100 / 720)) # the graphics are laid out for 720 lines
        graph="gradients=s=$s:r=$FPS:d=$d:c0=0x1b2a4a:c1=0x3f5f8f:x0=0:y0=0:x1=$W:y1=$H:speed=0.002[bg];
            ${head},scale=iw*$scale/100:-2[head];
            [bg][head]overlay=x='W*0.6+12*sin(t*0.9)':y='H-h*1.18+6*sin(t*1.7)':shortest=1,format=yuv420p,
            drawbox=x=0:y=ih*0.79:w=iw:h=ih*0.1:color=0x0a1a3a@0.85:t=fill,
            drawtext=fontfile=$FONT_BOLD:text='ANNA NORDSTRAND':fontcolor=white:fontsize=h/21:x=w/32:y=h*0.805,
            drawtext=fontfile=$FONT:text='Correspondent, Stockholm':fontcolor=0xd0d8e8:fontsize=h/33:x=w/32:y=h*0.86,
            drawbox=x=0:y=ih*0.917:w=iw:h=ih*0.083:color=0xc01010@1:t=fill,
            drawtext=fontfile=$FONT_BOLD:text='MARKETS  -  Shares rose in early trading as investors weighed the central bank statement  -  WEATHER  -  Rain spreading east overnight  -  SPORT  -  Late goal settles the derby  -  ':fontcolor=white:fontsize=h/24:x='w-mod(t*w/10\,w+tw)':y=h*0.935,
            drawtext=fontfile=$FONT_BOLD:text='%{pts\:hms}':fontcolor=white:fontsize=h/26:x=w-tw-w/30:y=h/24:box=1:boxcolor=black@0.5[v];
            ${tone}[a]" ;;
    motion)
        graph="testsrc2=s=$s:r=$FPS:d=$d,scroll=h=0.011:v=0.007,noise=alls=20:allf=t+u,format=yuv420p[v];${tone}[a]" ;;
    mixed)
        nice -n "$NICE" "$ROOT/samples/make-mezzanine.sh" --duration "$d" --size "$s" --fps "$FPS" \
            --out "$out" --quiet
        return ;;
    clip-*)
        local i
        for i in "${!CLIPS[@]}"; do
            [[ clip-$(clip_name "${CLIPS[$i]}") == "$kind" ]] && { cp "${CLIPS[$i]}" "$out"; return; }
        done
        return 1 ;;
    esac
    nice -n "$NICE" ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "$graph" \
        -map '[v]' -map '[a]' "${x264[@]}" "$out"
}

STARTED=$(date +%s)
for kind in "${KIND_LIST[@]}"; do
    [[ -z $REUSE ]] || break
    KW=$WORK/$kind
    mkdir -p "$KW"
    t0=$(date +%s)
    mezzanine "$kind" "$KW/mezz.mp4" >"$KW/mezz.log" 2>&1 ||
        { tail -n 20 "$KW/mezz.log" >&2; die "$kind: could not make the mezzanine"; }
    log "$kind: mezzanine made in $(($(date +%s) - t0)) s (not timed)"
    : >"$KW/pbs16.t"
    : >"$KW/test.t"
    for r in $(seq 1 "$RUNS"); do
        order="pbs16 test"
        ((r % 2)) || order="test pbs16"
        for mode in $order; do
            rm -rf "$KW/lib-$mode"
            extra=()
            [[ $mode == test ]] && extra=("${TEST[@]}")
            log "$kind: run $r/$RUNS, $mode (busy before: $(cpu_busy_percent)%)"
            timed "$KW/$mode-run$r.log" "$KW/$mode.t" nice -n "$NICE" "$WORK/ladder" ingest \
                "$KW/mezz.mp4" --id "$kind" --library "$KW/lib-$mode" "${extra[@]}"
        done
    done
done
if [[ -z $REUSE ]]; then
    printf '%s\n' "$DURATION" "$SIZE" "$RUNS" "$TEST_ARGS" "$LADDER_BIN" >"$WORK/params"
    log "ingests done in $(($(date +%s) - STARTED)) s; measuring every HLS rung"
else
    [[ -f $WORK/params ]] || die "--reuse $WORK: not a folder this script kept (no params)"
    { read -r DURATION; read -r SIZE; read -r RUNS; read -r TEST_ARGS; read -r _; } <"$WORK/params"
    cp "$LADDER_BIN" "$WORK/ladder" # validate with the binary given now
fi
for kind in "${KIND_LIST[@]}"; do
    for mode in pbs16 test; do
        KW=$WORK/$kind
        [[ -d $KW/lib-$mode ]] || die "$kind: no $mode show in $KW"
        if "$WORK/ladder" validate "$KW/lib-$mode/$kind" >"$KW/validate-$mode.log" 2>&1; then
            echo 0 >"$KW/validate-$mode.rc"
        else
            echo $? >"$KW/validate-$mode.rc"
            log "$kind: ladder validate failed on the $mode show (see the report)"
        fi
    done
done

# Measuring, BD-rates and the report.
ROOT=$ROOT python3 - "$WORK" "$JSON_OUT" "$NICE" "$DURATION" "$SIZE" "$FPS" "$RUNS" "$TEST_ARGS" \
    "$LADDER_BIN" "$STARTED" "${KIND_LIST[@]}" <<'PY'
import glob, json, math, os, re, statistics, subprocess, sys, time

work, json_out, nice, duration, size, fps, runs, test_args, ladder_bin, started = sys.argv[1:11]
kinds = sys.argv[11:]
sys.path.insert(0, os.path.join(os.environ["ROOT"], "bench"))
import bdrate  # noqa: E402

failures = []
TARGETS = {"static_bd_psnr": -25.0, "motion_bd": 0.0, "analysis_share": 0.15}


def show_dir(lib, kind):
    versions = sorted(glob.glob(os.path.join(lib, kind, "v*")),
                      key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))
    if not versions:
        raise RuntimeError(f"no published version under {lib}/{kind}")
    return versions[-1]


def times(path):
    wall, cpu = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                wall.append(float(p[0]))
                cpu.append(float(p[1]))
    return wall, cpu


def measure(playlist, mezz, dw, dh):
    """PSNR-Y, SSIM-Y, SSIM All and frames compared: the rung scaled bicubic to dw x dh against
    the mezzanine at the same size, both from their first picture."""
    prep = f"scale={dw}:{dh}:flags=bicubic,setsar=1,setpts=PTS-STARTPTS"
    graph = (f"[0:v]{prep},split[d1][d2];[1:v]{prep},split[r1][r2];"
             "[d1][r1]psnr=shortest=1;[d2][r2]ssim=shortest=1")
    cmd = ["nice", "-n", nice, "ffmpeg", "-nostdin", "-hide_banner", "-i", playlist, "-i", mezz,
           "-lavfi", graph, "-an", "-f", "null", "-"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    psnr = re.search(r"PSNR y:([\d.]+|inf)", r.stderr)
    ssim = re.search(r"SSIM Y:([\d.]+).*All:([\d.]+)", r.stderr)
    frames = re.findall(r"frame=\s*(\d+)", r.stderr)
    if r.returncode != 0 or not psnr or not ssim:
        raise RuntimeError(f"ffmpeg psnr/ssim on {playlist}: exit {r.returncode}: "
                           + " | ".join(r.stderr.strip().splitlines()[-3:]))
    p = psnr.group(1)
    return (100.0 if p == "inf" else float(p)), float(ssim.group(1)), float(ssim.group(2)), \
        int(frames[-1]) if frames else None


def video_bytes(playlist):
    """The video stream's bytes over the rung's segments (TS segments carry the audio too)."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "packet=size", "-of", "csv=p=0", playlist], capture_output=True, text=True)
    # One "SIZE," line per packet (the HLS demuxer adds blank ones).
    sizes = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)", r.stdout, re.M)]
    if r.returncode != 0 or not sizes:
        raise RuntimeError(f"ffprobe packet sizes of {playlist}: exit {r.returncode}")
    return sum(sizes)


def mezz_frames(mezz):
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                        "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", mezz],
                       capture_output=True, text=True)
    try:
        return int(r.stdout.split()[0])
    except (IndexError, ValueError):
        return None


def ladder(kind, mode, display=None):
    kw = os.path.join(work, kind)
    d = show_dir(os.path.join(kw, f"lib-{mode}"), kind)
    with open(os.path.join(d, "show.json")) as f:
        doc = json.load(f)
    files = {x["path"]: x["size"] for x in doc["files"]}
    dur = float(doc["duration"])
    rends = []
    for r in doc["renditions"]:
        name = r["name"]
        if r["use"] == "hls":
            prefix = f"hls/{name}/"
            nbytes = sum(s for p, s in files.items()
                         if p.startswith(prefix) and not p.endswith(".m3u8"))
        else:
            nbytes = files.get(f"mp4/{name}.mp4", 0)
        rends.append({"name": name, "use": r["use"], "width": r["width"], "height": r["height"],
                      "target_kbps": r.get("target_kbps"), "avg_bps": r.get("avg_bps"),
                      "bytes": nbytes, "file_kbps": round(nbytes * 8 / dur / 1000, 1),
                      "kbps": None})
    wall, cpu = times(os.path.join(kw, f"{mode}.t"))
    logs = sorted(glob.glob(os.path.join(kw, f"{mode}-run*.log")))
    lines, analysis = [], []
    for lg in logs:
        with open(lg, errors="replace") as f:
            mine = [ln.strip() for ln in f.read().replace("\r", "\n").splitlines()
                    if re.search(r"(^|[\s:])per-title\b", ln, re.I)]
        lines.extend(mine)
        secs = [float(m.group(1)) for ln in mine
                for m in [re.search(r"\bin ([0-9]+(?:\.[0-9]+)?) ?s\b", ln)] if m]
        if secs:
            analysis.append(secs[-1])
    with open(os.path.join(kw, f"validate-{mode}.rc")) as f:
        vrc = int(f.read().strip() or 1)
    with open(os.path.join(kw, f"validate-{mode}.log"), errors="replace") as f:
        vlog = f.read().strip().splitlines()
    return {"show": d, "duration_s": dur, "renditions": rends, "doc": doc,
            "wall_s": wall, "cpu_s": cpu,
            "wall_median_s": statistics.median(wall) if wall else None,
            "cpu_median_s": statistics.median(cpu) if cpu else None,
            "ladder_bytes": sum(r["bytes"] for r in rends),
            "per_title_lines": lines, "analysis_s": analysis,
            "analysis_median_s": statistics.median(analysis) if analysis else None,
            "validate": {"ok": vrc == 0, "status": vrc, "last_lines": vlog[-5:]}}


def bd(a, t, metric, method):
    ah = [r for r in a["renditions"] if r["use"] == "hls" and r.get("psnr_y") is not None]
    th = [r for r in t["renditions"] if r["use"] == "hls" and r.get("psnr_y") is not None]
    q = (lambda r: r["psnr_y"]) if metric == "psnr_y" else (lambda r: bdrate.ssim_db(r["ssim_y"]))
    try:
        return round(bdrate.bd_rate([r["kbps"] for r in ah], [q(r) for r in ah],
                                    [r["kbps"] for r in th], [q(r) for r in th], method), 2), None
    except bdrate.BDRateError as e:
        return None, str(e)


def fmt(v, spec, none="n/a"):
    return none if v is None else format(v, spec)


results = {}
t_measure = time.time()
for kind in kinds:
    mezz = os.path.join(work, kind, "mezz.mp4")
    try:
        a = ladder(kind, "pbs16")
        t = ladder(kind, "test")
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        failures.append(f"{kind}: {e}")
        continue
    hls = [r for r in a["renditions"] if r["use"] == "hls"]
    top = max(hls, key=lambda r: r["width"] * r["height"])
    dw, dh = top["width"], top["height"]
    nframes = mezz_frames(mezz)
    for side, lad in (("pbs16", a), ("test", t)):
        # Measurements are kept in the work folder for --reuse: its shows never change.
        cache_path = os.path.join(work, kind, f"quality-{side}.json")
        try:
            with open(cache_path) as f:
                cache = json.load(f)
        except (OSError, ValueError):
            cache = {}
        for r in lad["renditions"]:
            if r["use"] != "hls":
                continue
            pl = os.path.join(lad["show"], "hls", r["name"], "index.m3u8")
            key = f"{r['name']}@{dw}x{dh}"
            try:
                if key not in cache:
                    vb = video_bytes(pl)
                    cache[key] = [vb, *measure(pl, mezz, dw, dh)]
                vb, r["psnr_y"], r["ssim_y"], r["ssim_all"], r["frames"] = cache[key]
                r["video_bytes"] = vb
                r["kbps"] = round(vb * 8 / lad["duration_s"] / 1000, 1)
            except RuntimeError as e:
                failures.append(f"{kind} {side} {r['name']}: {e}")
                continue
            if nframes and r["frames"] is not None and abs(r["frames"] - nframes) > 1:
                failures.append(f"{kind} {side} {r['name']}: {r['frames']} frames compared, "
                                f"the mezzanine has {nframes}")
            print(f"[per-title.sh] {kind} {side} {r['name']}: {r['kbps']} kbps, "
                  f"PSNR-Y {r['psnr_y']:.2f} dB, SSIM-Y {r['ssim_y']:.4f}", file=sys.stderr,
                  flush=True)
        with open(cache_path, "w") as f:
            json.dump(cache, f)
    res = {"display": [dw, dh], "mezzanine_frames": nframes, "pbs16": a, "per_title": t,
           "bd_rate": {}, "bd_rate_errors": {}}
    for metric in ("psnr_y", "ssim_db"):
        for method in ("cubic", "pchip"):
            v, err = bd(a, t, metric, method)
            res["bd_rate"].setdefault(metric, {})[method] = v
            if err:
                res["bd_rate_errors"][f"{metric}/{method}"] = err
                if method == "pchip":
                    failures.append(f"{kind}: BD-rate {metric}: {err}")
    res["ladder_bytes_change_pct"] = (round(100 * (t["ladder_bytes"] / a["ladder_bytes"] - 1), 1)
                                      if a["ladder_bytes"] else None)
    res["analysis_share_of_pbs16_wall"] = (
        round(t["analysis_median_s"] / a["wall_median_s"], 3)
        if t["analysis_median_s"] is not None and a["wall_median_s"] else None)
    res["per_title_object"] = t["doc"].get("per_title")
    for side, lad in (("pbs16", a), ("per-title", t)):
        if not lad["validate"]["ok"]:
            failures.append(f"{kind}: ladder validate failed on the {side} show: "
                            + " | ".join(lad["validate"]["last_lines"]))
    results[kind] = res
measure_s = time.time() - t_measure

# ---- the report --------------------------------------------------------------------------
per_title = " --per-title " in f" {test_args} "
tname = "per-title" if per_title else f"pbs16 {test_args}".strip() + " (again)"
out = []
p = out.append
p("# per-title.sh: per-title ladders against pbs16")
p("")
p(f"{time.strftime('%Y-%m-%d %H:%M', time.localtime())}, {os.cpu_count()} cores, "
  f"`{ladder_bin}`; sources {size} at {fps} fps, {duration} s; {runs} run(s) of each ingest "
  f"(wall: median); test ingest: pbs16 `{test_args or '(nothing added)'}`.")
p(f"Quality: FFmpeg psnr and ssim (luma) against the mezzanine, each HLS rung scaled bicubic "
  f"to the pbs16 show's largest HLS picture; rate: the rung's H.264 bytes (ffprobe, over its "
  f"segments) over the duration, so without the audio and TS overhead the segments carry. BD-rate (bench/bdrate.py) over the HLS rungs: PCHIP, as JCT-VC's "
  f"common test conditions compute it, then VCEG-M33's single cubic fit in brackets, which a "
  f"ladder's uneven curve (rungs at six sizes, near-lossless tops) can throw far off; SSIM "
  f"as dB (-10 log10(1-SSIM)); negative = {tname} needs fewer bits for the same quality.")
p("")
p(f"| content | BD-rate PSNR-Y: PCHIP (cubic) | SSIM | ladder MB pbs16 | {tname} "
  f"| change | ingest s pbs16 | {tname} | analysis s | analysis / pbs16 wall |")
p("|---|---|---|---|---|---|---|---|---|---|")


def bdcell(res, metric):
    b = res["bd_rate"][metric]
    return f"{fmt(b['pchip'], '+.1f')}% ({fmt(b['cubic'], '+.1f')}%)"


for kind, res in results.items():
    a, t = res["pbs16"], res["per_title"]
    p(f"| {kind} | {bdcell(res, 'psnr_y')} | {bdcell(res, 'ssim_db')} "
      f"| {a['ladder_bytes'] / 1e6:.2f} | {t['ladder_bytes'] / 1e6:.2f} "
      f"| {fmt(res['ladder_bytes_change_pct'], '+.1f')}% "
      f"| {fmt(a['wall_median_s'], '.1f')} | {fmt(t['wall_median_s'], '.1f')} "
      f"| {fmt(t['analysis_median_s'], '.1f', 'no line')} "
      f"| {fmt(res['analysis_share_of_pbs16_wall'], '.1%')} |")
p("")


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "**not met**")


if per_title:
    p("Targets (issue 23):")
    s = results.get("static")
    if s:
        v = s["bd_rate"]["psnr_y"]["pchip"]
        p(f"- near-static, BD-rate PSNR-Y <= {TARGETS['static_bd_psnr']:.0f}%: "
          f"{fmt(v, '+.1f')}%, {verdict(None if v is None else v <= TARGETS['static_bd_psnr'])}")
    m = results.get("motion")
    if m:
        vp, vs = m["bd_rate"]["psnr_y"]["pchip"], m["bd_rate"]["ssim_db"]["pchip"]
        ok = None if vp is None or vs is None else (vp <= 0 and vs <= 0)
        p(f"- high motion, no loss (BD-rate <= 0): PSNR-Y {fmt(vp, '+.1f')}%, "
          f"SSIM {fmt(vs, '+.1f')}%, {verdict(ok)}")
    shares = [r["analysis_share_of_pbs16_wall"] for r in results.values()]
    known = [x for x in shares if x is not None]
    ok = None if not known else all(x <= TARGETS["analysis_share"] for x in known)
    p(f"- analysis <= 15% of the pbs16 ingest's wall: "
      + (", ".join(f"{k} {fmt(r['analysis_share_of_pbs16_wall'], '.1%')}"
                   for k, r in results.items())) + f", {verdict(ok)}"
      + ("" if len(known) == len(shares) else " (no 'per-title: ... in N s' line in some logs)"))
    p("")

for kind, res in results.items():
    a, t = res["pbs16"], res["per_title"]
    dw, dh = res["display"]
    p(f"## {kind}")
    p("")
    p(f"Display {dw}x{dh}; HLS rungs, lowest first. Δ: {tname} against the pbs16 rung in the "
      "same place.")
    p("")
    p(f"| # | pbs16 | size | kbps | PSNR-Y | SSIM-Y | {tname} | size | kbps | PSNR-Y | SSIM-Y "
      "| predicted | Δ kbps | Δ PSNR-Y |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ah = [r for r in a["renditions"] if r["use"] == "hls"]
    th = [r for r in t["renditions"] if r["use"] == "hls"]
    # What per-title predicted for each rung (show.json's per_title.rungs[].psnr_y).
    pobj = res["per_title_object"] if isinstance(res["per_title_object"], dict) else {}
    pred = {r.get("name"): r.get("psnr_y") for r in pobj.get("rungs", []) if isinstance(r, dict)}
    for r in th:
        r["predicted_psnr_y"] = pred.get(r["name"])

    def cells(r):
        if r is None:
            return ["", "", "", "", ""]
        return [r["name"], f"{r['width']}x{r['height']}", fmt(r["kbps"], ".0f"),
                fmt(r.get("psnr_y"), ".2f"), fmt(r.get("ssim_y"), ".4f")]
    for i in range(max(len(ah), len(th))):
        ra = ah[i] if i < len(ah) else None
        rt = th[i] if i < len(th) else None
        dk = dq = ""
        if ra and rt and ra["kbps"] and rt["kbps"]:
            dk = f"{100 * (rt['kbps'] / ra['kbps'] - 1):+.0f}%"
            if ra.get("psnr_y") is not None and rt.get("psnr_y") is not None:
                dq = f"{rt['psnr_y'] - ra['psnr_y']:+.2f}"
        pr = fmt(rt.get("predicted_psnr_y"), ".2f", "") if rt else ""
        p("| " + " | ".join([str(i + 1)] + cells(ra) + cells(rt) + [pr, dk, dq]) + " |")
    p("")
    am = [r for r in a["renditions"] if r["use"] == "mp4"]
    tm = [r for r in t["renditions"] if r["use"] == "mp4"]
    p("MP4 fallbacks (file kbps, audio included): pbs16 "
      + ", ".join(f"{r['name']} {r['width']}x{r['height']} {r['file_kbps']:.0f}" for r in am)
      + f"; {tname} "
      + ", ".join(f"{r['name']} {r['width']}x{r['height']} {r['file_kbps']:.0f}" for r in tm)
      + ".")
    bdr = res["bd_rate"]
    p(f"BD-rate PCHIP (cubic): PSNR-Y {bdcell(res, 'psnr_y')}, SSIM {bdcell(res, 'ssim_db')}"
      + "".join(f" ({m} methods {abs(bdr[m]['pchip'] - bdr[m]['cubic']):.0f} points apart: "
                "the curves are too uneven for one number)" for m in ("psnr_y", "ssim_db")
                if bdr[m]['pchip'] is not None and bdr[m]['cubic'] is not None
                and abs(bdr[m]['pchip'] - bdr[m]['cubic']) > 10)
      + f". Ladder bytes (HLS segments + MP4 files): "
      f"{a['ladder_bytes']:,} against {t['ladder_bytes']:,}. Validate: pbs16 "
      f"{'pass' if a['validate']['ok'] else 'FAIL'}, {tname} "
      f"{'pass' if t['validate']['ok'] else 'FAIL'}. Ingest wall runs: pbs16 "
      f"{', '.join(f'{w:.1f}' for w in a['wall_s'])} s; {tname} "
      f"{', '.join(f'{w:.1f}' for w in t['wall_s'])} s (CPU {fmt(a['cpu_median_s'], '.1f')} "
      f"/ {fmt(t['cpu_median_s'], '.1f')} s).")
    # Rungs that got worse: lower quality for as many bits or more.
    worse = [f"{rt['name']} ({rt['kbps']:.0f} kbps, {rt['psnr_y']:.2f} dB) vs {ra['name']} "
             f"({ra['kbps']:.0f} kbps, {ra['psnr_y']:.2f} dB)"
             for ra, rt in zip(ah, th)
             if ra.get("psnr_y") is not None and rt.get("psnr_y") is not None
             and ra["kbps"] and rt["kbps"] >= ra["kbps"] * 0.98 and rt["psnr_y"] < ra["psnr_y"] - 0.1]
    if worse:
        p("Worse than pbs16 at no saving: " + "; ".join(worse) + ".")
    lower = [f"{rt['name']} {rt['psnr_y'] - ra['psnr_y']:+.2f} dB ({rt['width']}x{rt['height']}, "
             f"{100 * (rt['kbps'] / ra['kbps'] - 1):+.0f}% bits)"
             for ra, rt in zip(ah, th)
             if ra.get("psnr_y") is not None and rt.get("psnr_y") is not None
             and ra["kbps"] and rt["kbps"] and rt["psnr_y"] < ra["psnr_y"] - 0.5]
    if lower:
        p("More than 0.5 dB PSNR-Y under the pbs16 rung in its place: " + "; ".join(lower) + ".")
    missed = [f"{r['name']} predicted {r['predicted_psnr_y']:.2f}, measured {r['psnr_y']:.2f}"
              for r in th if r.get("predicted_psnr_y") is not None
              and r.get("psnr_y") is not None and abs(r["psnr_y"] - r["predicted_psnr_y"]) > 1.0]
    if missed:
        p("Predictions off by more than 1 dB: " + "; ".join(missed) + ".")
    for side, rs in (("pbs16", ah), (tname, th)):
        inv = [f"{hi['name']} ({hi['kbps']:.0f} kbps, {fmt(hi.get('psnr_y'), '.2f')} dB) over "
               f"{lo['name']} ({lo['kbps']:.0f} kbps, {fmt(lo.get('psnr_y'), '.2f')} dB)"
               for lo, hi in zip(rs, rs[1:])
               if lo.get("psnr_y") is not None and hi.get("psnr_y") is not None
               and hi["psnr_y"] < lo["psnr_y"] - 0.05]
        if inv:
            p(f"{side}: a higher rung with less PSNR-Y than the one under it: "
              + "; ".join(inv) + ".")
    if th and ah and th[-1].get("psnr_y") is not None and ah[-1].get("psnr_y") is not None \
            and th[-1]["psnr_y"] < ah[-1]["psnr_y"] - 0.3:
        p(f"Top rung {th[-1]['psnr_y'] - ah[-1]['psnr_y']:+.2f} dB PSNR-Y against pbs16's.")
    if per_title:
        if t["per_title_lines"]:
            p("Its log: " + " / ".join(f"`{ln}`" for ln in t["per_title_lines"][:4]))
        else:
            p("Its log has no line with 'per-title' in it: no analysis time.")
        if res["per_title_object"] is None:
            p("Its show.json has no `per_title` object.")
    p("")

total_s = time.time() - int(started)
p(f"Bench time: {total_s / 60:.1f} min ({measure_s / 60:.1f} min of it measuring the rungs).")
if failures:
    p("")
    p("Failures:")
    for f_ in failures:
        p(f"- {f_}")
print("\n".join(out))

doc = {"bench": "per-title.sh", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
       "cores": os.cpu_count(), "ladder": ladder_bin, "size": size, "fps": fps,
       "duration_s": float(duration), "runs": int(runs), "test_args": test_args,
       "bd_method": "pchip (JCT-VC CTC) and VCEG-M33 cubic; SSIM as -10 log10(1 - SSIM-Y)",
       "rate": "kbps: H.264 bytes of the HLS rung * 8 / duration; file_kbps: its files",
       "targets": TARGETS, "bench_s": round(total_s, 1), "failures": failures, "kinds": {}}
for kind, res in results.items():
    k = {x: res[x] for x in ("display", "mezzanine_frames", "bd_rate", "bd_rate_errors",
                             "ladder_bytes_change_pct", "analysis_share_of_pbs16_wall",
                             "per_title_object")}
    for side in ("pbs16", "per_title"):
        lad = dict(res[side])
        lad.pop("doc")
        lad["show"] = os.path.relpath(lad["show"], work)
        k[side] = lad
    doc["kinds"][kind] = k
with open(json_out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(f"[per-title.sh] JSON: {json_out}", file=sys.stderr)
sys.exit(1 if failures else 0)
PY
