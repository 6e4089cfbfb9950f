#!/usr/bin/env bash
# make-mezzanine.sh - synthesize a reproducible broadcast-style mezzanine file
# (H.264 High ~5 Mbps + stereo AAC in a faststart MP4) from FFmpeg's lavfi
# sources, for feeding Ladder's transcoder, packager and benchmarks.
#
# The picture cycles through 2-second sections separated by hard cuts:
#   bars      static SMPTE HD colour bars
#   detail    Mandelbrot zoom (fine fractal detail + zoom motion)
#   motion    testsrc2 panning diagonally (global motion + moving objects)
#             with light sensor-like noise
#   grain     slowly turning gradient under heavy temporal film-grain noise
#   gradient  radial gradient with faint dither (banding test)
#   texture   scrolling cellular automaton (sharp high-frequency edges)
# Each repeat of a section uses a different seed, so later cycles differ.
# The audio is a 440 Hz (left) / 660 Hz (right) tone over quiet pink noise,
# with a 40 ms 1 kHz beep on both channels at every cut (A/V sync marker).
#
# Same options + same ffmpeg/libx264 build => byte-identical output, on any
# number of cores. A 12 s 1080p file takes about 40 CPU-seconds (two-pass).
set -euo pipefail

prog=${0##*/}
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
  cat <<EOF
Usage: $prog [options]

Synthesize a reproducible ~5 Mbps H.264 High / AAC mezzanine MP4.

Options:
  --duration SECONDS  length in seconds, e.g. 12 or 7.5 (default 12)
  --size WxH          frame size, even numbers only (default 1920x1080)
  --fps RATE          frame rate as N or N/M, e.g. 30000/1001, 25, 60
                      (default 30000/1001)
  --no-audio          leave out the audio track
  --out FILE          output file (default samples/out/mezzanine.mp4 next
                      to this script); its folder is created if missing
  -q, --quiet         print nothing on success
  -h, --help          show this help and exit

Video: libx264 High (veryfast, two-pass), yuv420p BT.709, -b:v 5M
-maxrate 6M -bufsize 10M, fixed 2-second closed GOPs aligned with the
2-second content sections (hard cuts: bars, Mandelbrot detail, panning
motion, film grain, radial gradient, cellular-automaton texture).
Audio: AAC-LC 192 kb/s, 48 kHz stereo.
EOF
}

die() {
  echo "$prog: error: $*" >&2
  exit 2
}

duration=12
size=1920x1080
fps=30000/1001
audio=1
out="$script_dir/out/mezzanine.mp4"
quiet=0

need_arg() { # option, number of args left
  [ "$2" -ge 2 ] || die "option $1 needs a value (see -h)"
}

while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --duration) need_arg "$1" $#; duration=$2; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --size) need_arg "$1" $#; size=$2; shift 2 ;;
    --size=*) size=${1#*=}; shift ;;
    --fps) need_arg "$1" $#; fps=$2; shift 2 ;;
    --fps=*) fps=${1#*=}; shift ;;
    --no-audio) audio=0; shift ;;
    --out) need_arg "$1" $#; out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    -q | --quiet) quiet=1; shift ;;
    --) shift; break ;;
    -*) die "unknown option '$1' (see -h)" ;;
    *) die "unexpected argument '$1' (see -h)" ;;
  esac
done
[ $# -eq 0 ] || die "unexpected argument '$1' (see -h)"

command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found in PATH"

# ---- validate options -------------------------------------------------------
[[ $duration =~ ^[0-9]+([.][0-9]+)?$ ]] ||
  die "--duration must be a positive number of seconds, got '$duration'"
awk -v d="$duration" 'BEGIN { exit !(d <= 86400) }' ||
  die "--duration must be at most 86400 seconds, got '$duration'"
[[ $size =~ ^([0-9]{1,5})x([0-9]{1,5})$ ]] || die "--size must be WxH, got '$size'"
width=$((10#${BASH_REMATCH[1]}))
height=$((10#${BASH_REMATCH[2]}))
if [ "$width" -lt 64 ] || [ "$height" -lt 64 ] || [ "$width" -gt 7680 ] ||
  [ "$height" -gt 4320 ]; then
  die "--size must be between 64x64 and 7680x4320, got '$size'"
fi
if [ $((width % 2)) -ne 0 ] || [ $((height % 2)) -ne 0 ]; then
  die "--size must have even width and height for yuv420p, got '$size'"
fi
if [[ $fps =~ ^([0-9]{1,6})/([0-9]{1,6})$ ]]; then
  fps_num=$((10#${BASH_REMATCH[1]}))
  fps_den=$((10#${BASH_REMATCH[2]}))
elif [[ $fps =~ ^[0-9]{1,6}$ ]]; then
  fps_num=$((10#$fps))
  fps_den=1
else
  die "--fps must be N or N/M (e.g. 25 or 30000/1001), got '$fps'"
fi
if [ "$fps_num" -le 0 ] || [ "$fps_den" -le 0 ] ||
  [ "$fps_num" -gt $((240 * fps_den)) ]; then
  die "--fps must be above 0 and at most 240, got '$fps'"
fi
[ -n "$out" ] || die "--out must not be empty"

# ---- frame arithmetic (integers only, so every value is exact) --------------
# total frames = round(duration * fps); section = round(2 s * fps) frames.
read -r total_frames section_frames gop < <(awk -v d="$duration" \
  -v n="$fps_num" -v m="$fps_den" 'BEGIN {
    t = int(d * n / m + 0.5); s = int(2 * n / m + 0.5); if (s < 1) s = 1;
    printf "%d %d %d\n", t, s, s }')
[ "$total_frames" -ge 1 ] || die "--duration $duration is shorter than one frame"
# Exact audio length matching the video: total_frames * den / num seconds.
audio_rate=48000
audio_samples=$(( (total_frames * fps_den * audio_rate + fps_num / 2) / fps_num ))

# Sources for detail, grain, gradients and texture are rendered at half size
# (they are smooth, costly, or meant to have 2 px cells) and scaled up.
hw=$(( (width / 4) * 2 ))
hh=$(( (height / 4) * 2 ))
half="${hw}x${hh}"
quarter="$(( (width / 8) * 2 ))x$(( (height / 8) * 2 ))"
rate="$fps_num/$fps_den"
sec_seconds="$section_frames*$fps_den/$fps_num" # exact, for expressions

# gradients' default colours are "random", which av_parse_color draws from
# the system RNG regardless of seed=, so colours are always given explicitly.
palettes=(
  "0x1b3a5c 0x4f86a6 0xe9d8a6 0xbb5a2a"
  "0x0b0b2a 0x6a1b9a 0xf06292 0xffe0b2"
  "0x103010 0x3c8d40 0xc6e377 0xfafad2"
  "0x2a1a0a 0x8a4b16 0xe0a458 0xf7f3e3"
)
palette() { # seed count -> "c0=..:c1=.." from one of the palettes
  local -a cs
  read -ra cs <<<"${palettes[$(( $1 % ${#palettes[@]} ))]}"
  local k out=""
  for ((k = 0; k < $2; k++)); do out+="${out:+:}c$k=${cs[k]}"; done
  echo "$out"
}

section_source() { # index frames -> filter chain for that section
  local i=$1 full="${width}x${height}"
  local t="trim=end_frame=$2,setpts=PTS-STARTPTS" # cut right at the source
  # Every chain ends in one scale that upsizes (if needed) and converts to
  # BT.709 limited-range yuv420p in a single pass. threads=1: swscale's
  # default thread count follows the CPU count and its slices change the
  # output bits, which would make the file differ between machines.
  local to709="out_color_matrix=bt709:out_range=tv:threads=1,format=yuv420p"
  case $(( i % 6 )) in
    0) # bars: SMPTE HD bars as a camera or tape would deliver them, with faint
       # temporal noise; perfectly static bars cost no bits at all and would make
       # every rung of a ladder miss its average bitrate on a short sample.
      echo "smptehdbars=s=$full:r=$rate,$t,scale=$to709,noise=alls=6:allf=t:all_seed=$(( 4000 + i ))" ;;
    1) # detail: Mandelbrot zoom, a different spot in the set per cycle
      local xs=(-0.743643887 -0.1011 -1.25066 0.001643721971153)
      local ys=(-0.131825904 0.9563 0.02012 -0.822467633298876)
      local p=$(( (i / 6) % 4 ))
      echo "mandelbrot=s=$quarter:r=$rate:maxiter=128:start_x=${xs[p]}:start_y=${ys[p]}:start_scale=1.5:end_scale=0.05:end_pts=$section_frames,$t,scale=$width:$height:flags=lanczos:$to709" ;;
    2) # motion: testsrc2 panning diagonally, light temporal sensor noise
      echo "testsrc2=s=$full:r=$rate,$t,scroll=h=0.004:v=0.003:hpos=0.$(( i % 10 )),scale=$to709,noise=alls=8:allf=t:all_seed=$(( 2000 + i ))" ;;
    3) # grain: slowly turning gradient under strong temporal film grain
      echo "gradients=s=$half:r=$rate:n=4:$(palette "$i" 4):seed=$(( 100 + i )):speed=0.02,$t,scale=$width:$height:flags=bicubic:$to709,noise=alls=12:allf=t+u:all_seed=$(( 1000 + i ))" ;;
    4) # gradient: radial gradient with faint dither (banding test)
      echo "gradients=s=$half:r=$rate:n=3:$(palette "$((i + 1))" 3):type=radial:x0=$(( hw * 2 / 5 )):y0=$(( hh * 9 / 20 )):x1=$(( hw - 1 )):y1=$(( hh - 1 )):seed=$(( 200 + i )):speed=0.03,$t,scale=$width:$height:flags=bicubic:$to709,noise=alls=4:allf=t:all_seed=$(( 3000 + i ))" ;;
    5) # texture: cellular automaton scrolling down, 2 px cells
      echo "cellauto=s=$half:r=$rate:rule=110:seed=$(( 300 + i )):full=1,$t,scale=$width:$height:flags=neighbor:$to709" ;;
  esac
}

# ---- filter graphs -----------------------------------------------------------
nseg=$(( (total_frames + section_frames - 1) / section_frames ))

# cycle_graph FIRST: graph for sections FIRST.. (one cycle of up to 6), whose
# concatenation is labelled [vout]. The video is rendered one cycle per
# ffmpeg process: a single graph for a long duration would hold hundreds of
# sources at once (each Mandelbrot keeps ~75 MB of caches) and could exceed
# the kernel's 128 KiB limit for one argument.
cycle_graph() {
  local first=$1 i n graph="" labels=""
  for ((i = first; i < first + 6 && i < nseg; i++)); do
    n=$((total_frames - i * section_frames))
    [ "$n" -le "$section_frames" ] || n=$section_frames
    graph+="$(section_source "$i" "$n"),setsar=1[v$i];"
    labels+="[v$i]"
  done
  echo "${graph}${labels}concat=n=$((i - first)):v=1:a=0[vout]"
}

# render_video: all sections as raw yuv420p frames on stdout. Raw frames
# concatenate cleanly, so the cycles simply follow each other on the pipe.
render_video() {
  local first
  for ((first = 0; first < nseg; first += 6)); do
    ffmpeg -nostdin -hide_banner -loglevel error \
      -filter_complex "$(cycle_graph "$first")" -map "[vout]" \
      -c:v rawvideo -f rawvideo - || return 1
  done
}

# The audio graph is cheap and runs as a lavfi input of the encoder.
agraph=""
if [ "$audio" -eq 1 ]; then
  beep="0.3*lt(mod(t\\,$sec_seconds)\\,0.04)*sin(2*PI*1000*t)"
  agraph+="aevalsrc=exprs=0.2*sin(2*PI*440*t)+$beep|0.2*sin(2*PI*660*t)+$beep"
  agraph+=":c=stereo:s=${audio_rate}[tones]"
  agraph+=";anoisesrc=c=pink:a=0.03:r=$audio_rate:seed=4242[nl]"
  agraph+=";anoisesrc=c=pink:a=0.03:r=$audio_rate:seed=4343[nr]"
  agraph+=";[tones][nl][nr]amerge=inputs=3,pan=stereo|c0=c0+c2|c1=c1+c3"
  agraph+=",atrim=end_sample=$audio_samples,asetpts=PTS-STARTPTS[out0]"
fi

# ---- encode -----------------------------------------------------------------
out_dir=$(dirname -- "$out")
mkdir -p -- "$out_dir" || die "cannot create output folder '$out_dir'"
tmp="$out_dir/.${out##*/}.tmp.$$.mp4"
work=$(mktemp -d "${TMPDIR:-/tmp}/make-mezzanine.XXXXXX") ||
  die "cannot create a temporary folder"
trap 'rm -f -- "$tmp"; rm -rf -- "$work"' EXIT
trap 'exit 130' INT TERM

# Rendering and encoding run as separate processes on a pipe, so they use
# two cores. The rendering is deterministic, so pass 2 renders again instead
# of keeping gigabytes of raw frames around.
raw_in=(-f rawvideo -pix_fmt yuv420p -video_size "${width}x${height}"
  -framerate "$rate" -i -)

# Two-pass ABR: one-pass x264 ABR undershoots badly on a short clip whose
# sections range from static bars to noise (3.3-4.0 Mb/s for a 5M target in
# tests); two passes land within a few percent. libx264 runs with threads=1
# on purpose: with frame threads and VBV its rate control reads the progress
# of frames still in flight, and the output changed from run to run.
x264=(-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p
  -b:v 5M -maxrate 6M -bufsize 10M -g "$gop" -keyint_min "$gop"
  -sc_threshold 0 -flags +cgop+bitexact
  -x264-params "threads=1:open-gop=0:scenecut=0"
  -passlogfile "$work/x264"
  -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv)
audio_in=() audio_enc=(-an)
if [ "$audio" -eq 1 ]; then
  audio_in=(-f lavfi -i "$agraph")
  audio_enc=(-map 1:a -c:a aac -b:a 192k -ar "$audio_rate" -ac 2)
fi

start_ns=$(date +%s%N)
render_video |
  ffmpeg -nostdin -hide_banner -loglevel error "${raw_in[@]}" -map 0:v \
    "${x264[@]}" -pass 1 -f null - ||
  die "ffmpeg failed in pass 1 for '$out'"
render_video |
  ffmpeg -nostdin -hide_banner -loglevel error -y "${raw_in[@]}" \
    "${audio_in[@]}" -map 0:v "${x264[@]}" -pass 2 "${audio_enc[@]}" \
    -map_metadata -1 -map_chapters -1 -fflags +bitexact \
    -movflags +faststart -f mp4 "$tmp" ||
  die "ffmpeg failed in pass 2 for '$out'"
mv -f -- "$tmp" "$out"
end_ns=$(date +%s%N)

if [ "$quiet" -eq 0 ]; then
  elapsed=$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  vbr=$(ffprobe -v error -select_streams v:0 -show_entries stream=bit_rate \
    -of default=nw=1:nk=1 "$out" 2>/dev/null || true)
  if [[ $vbr =~ ^[0-9]+$ ]]; then vbr="$((vbr / 1000)) kb/s"; else vbr="? kb/s"; fi
  echo "$out: ${width}x${height} @ $rate, $total_frames frames" \
    "($nseg sections), video $vbr," \
    "audio $([ "$audio" -eq 1 ] && echo 'AAC stereo 192k' || echo none)," \
    "generated in ${elapsed}s"
fi
