#!/usr/bin/env bash
# make-clip.sh - generate one small, deterministic test clip of a given KIND
# (good input, missing streams, broken files, odd formats and layouts) for
# Ladder's transcoder tests. Clips are synthesized from FFmpeg's lavfi
# sources (testsrc2 picture, sine tones), so nothing binary is checked in.
# Same KIND + options + same ffmpeg build => byte-identical file.
set -euo pipefail

prog=${0##*/}

usage() {
  cat <<EOF
Usage: $prog [options] KIND OUT

Write a small, deterministic test clip of KIND to OUT (its folder is
created if missing). Prints nothing on success. The container is chosen by
KIND, not by OUT's extension.

KINDs (default picture 640x360 30 fps 2 s, AAC-LC 48 kHz stereo, in MP4):
  good                   H.264 High yuv420p + AAC stereo, faststart MP4
  no-audio               H.264 only
  no-video               AAC stereo only (MP4 with a single audio track)
  empty                  0-byte file
  text                   a short text file (whatever OUT is named)
  truncated              faststart MP4 cut to half its size: moov is intact,
                         media data ends early
  truncated-moov-at-end  non-faststart MP4 cut to half its size: no moov
  odd-size               639x359 MPEG-4 Part 2 (Simple Profile) yuv420p + AAC;
                         H.264 cannot code odd sizes in 4:2:0
  rotated                H.264 + AAC with a 90-degree display matrix
                         (rotate=90 tag; ffprobe reports rotation -90)
  interlaced             720x576 25i H.264 MBAFF, top field first + AAC
  10bit-422              H.264 High 4:2:2 yuv422p10le + AAC
  anamorphic             1440x1080 H.264, SAR 4:3 (display 16:9), 25 fps, 1 s
                         + AAC
  mono                   H.264 + AAC mono
  surround51             H.264 + AAC 5.1 (a different tone per channel)
  audio-44k              H.264 + AAC stereo at 44.1 kHz
  fps60                  1280x720 60 fps H.264, 1 s + AAC
  vfr                    H.264 + AAC with variable frame rate: 30, 15 and
                         60 fps stretches (2 s pattern, repeats)
  mpeg2-ts               MPEG-2 video (Main) + MP2 stereo in MPEG-TS
  long-audio             H.264 + AAC stereo whose audio runs 8 s past the
                         video (the container's duration is the audio's)
  static                 H.264 + AAC: still colour bars with a small moving
                         testsrc2 window (content that is easy for x264)
  motion                 H.264 + AAC: testsrc2 scrolling, under heavy
                         temporal noise (where the rungs' VBV binds)

Options (only for KINDs where the property is not what is being tested):
  --size WxH       picture size, even numbers (default 640x360)
  --duration S     length in seconds (default 2)
  --fps R          frame rate, N or N/M (default 30)
  --list           print the KINDs, one per line, and exit
  -h, --help       show this help and exit
EOF
}

die() {
  echo "$prog: error: $*" >&2
  exit 2
}

kinds=(good no-audio no-video empty text truncated truncated-moov-at-end
  odd-size rotated interlaced 10bit-422 anamorphic mono surround51 audio-44k
  fps60 vfr mpeg2-ts long-audio static motion)

size="" duration="" fps=""
pos=()
need_arg() { [ "$2" -ge 2 ] || die "option $1 needs a value (see -h)"; }
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --list) printf '%s\n' "${kinds[@]}"; exit 0 ;;
    --size) need_arg "$1" $#; size=$2; shift 2 ;;
    --size=*) size=${1#*=}; shift ;;
    --duration) need_arg "$1" $#; duration=$2; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --fps) need_arg "$1" $#; fps=$2; shift 2 ;;
    --fps=*) fps=${1#*=}; shift ;;
    --) shift; pos+=("$@"); break ;;
    -?*) die "unknown option '$1' (see -h)" ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -ge 1 ] || die "missing KIND and OUT (see -h)"
kind=${pos[0]}
case " ${kinds[*]} " in
  *" $kind "*) ;;
  *) die "unknown KIND '$kind' (try --list)" ;;
esac
[ ${#pos[@]} -ge 2 ] || die "missing OUT file for KIND '$kind'"
[ ${#pos[@]} -eq 2 ] || die "unexpected argument '${pos[2]}' (see -h)"
out=${pos[1]}
[ -n "$out" ] || die "OUT must not be empty"
[ ! -d "$out" ] || die "OUT '$out' is a folder"

# Which options a KIND takes: s = size, d = duration, f = fps.
case $kind in
  good | no-audio | truncated | truncated-moov-at-end | rotated | 10bit-422 | \
    mono | surround51 | audio-44k | mpeg2-ts | long-audio | static | motion) takes="sdf" ;;
  odd-size | anamorphic) takes="df" ;;
  vfr) takes="sd" ;;
  interlaced | fps60 | no-video) takes="d" ;;
  empty | text) takes="" ;;
esac
[ -z "$size" ] || [[ $takes == *s* ]] || die "--size cannot be used with KIND '$kind'"
[ -z "$duration" ] || [[ $takes == *d* ]] || die "--duration cannot be used with KIND '$kind'"
[ -z "$fps" ] || [[ $takes == *f* ]] || die "--fps cannot be used with KIND '$kind'"

fps_given=$fps
size=${size:-640x360}
case $kind in
  fps60 | anamorphic) duration=${duration:-1} ;; # big pictures: keep it quick
  *) duration=${duration:-2} ;;
esac
fps=${fps:-30}
[ "$kind" != anamorphic ] || fps=${fps_given:-25} # HDV-style 1440x1080p25
[[ $size =~ ^([0-9]{1,4})x([0-9]{1,4})$ ]] || die "--size must be WxH, got '$size'"
width=$((10#${BASH_REMATCH[1]}))
height=$((10#${BASH_REMATCH[2]}))
if [ "$width" -lt 16 ] || [ "$height" -lt 16 ] || [ $((width % 2)) -ne 0 ] ||
  [ $((height % 2)) -ne 0 ]; then
  die "--size must be even and at least 16x16, got '$size'"
fi
if ! [[ $duration =~ ^[0-9]{1,4}([.][0-9]{1,3})?$ ]] ||
  ! awk -v d="$duration" 'BEGIN { exit !(d > 0 && d <= 600) }'; then
  die "--duration must be a number of seconds above 0 and at most 600, got '$duration'"
fi
if ! [[ $fps =~ ^[0-9]{1,6}(/[0-9]{1,6})?$ ]] ||
  ! awk -v f="$fps" 'BEGIN { split(f, p, "/"); if (p[2] == "") p[2] = 1;
    exit !(p[2] > 0 && p[1] / p[2] >= 1 && p[1] / p[2] <= 240) }'; then
  die "--fps must be N or N/M between 1 and 240, got '$fps'"
fi

command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found in PATH"

out_dir=$(dirname -- "$out")
mkdir -p -- "$out_dir" || die "cannot create folder '$out_dir'"
tmp="$out_dir/.${out##*/}.tmp.$$"
trap 'rm -f -- "$tmp" "$tmp.full"' EXIT
trap 'exit 130' INT TERM

# ---- building blocks ---------------------------------------------------------
# Keyframe every second (rounded up), so clips have a few GOPs to seek in.
gop=$(awk -v f="$fps" 'BEGIN { split(f, p, "/"); if (p[2] == "") p[2] = 1;
  g = p[1] / p[2]; print (g == int(g)) ? g : int(g) + 1 }')

# video SIZE RATE [extra filters]: testsrc2 (moving pattern + frame counter).
# Colour conversion happens in an explicit scale with threads=1, because
# swscale's default thread count follows the CPU count and changes the bits.
video() {
  echo "testsrc2=s=$1:r=$2:d=$duration${3:+,$3}"
}
to_pix() { # pixel format -> filter
  echo "scale=threads=1,format=$1"
}
# audio LAYOUT RATE: a different sine tone per channel.
audio() {
  local exprs
  case $1 in
    mono) exprs="0.25*sin(2*PI*440*t)" ;;
    stereo) exprs="0.25*sin(2*PI*440*t)|0.25*sin(2*PI*660*t)" ;;
    5.1) exprs="0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t)|0.2*sin(2*PI*660*t)|0.2*sin(2*PI*60*t)|0.2*sin(2*PI*770*t)|0.2*sin(2*PI*880*t)" ;;
  esac
  echo "aevalsrc=exprs=$exprs:c=$1:s=$2:d=$duration"
}

bitexact=(-map_metadata -1 -map_chapters -1 -fflags +bitexact)
x264() { # [x264-params extra] -> libx264 options
  echo "-c:v libx264 -preset veryfast -crf 26 -g $gop -x264-params threads=1${1:+:$1}"
}
aac() { # layout rate
  local ch=2
  case $1 in mono) ch=1 ;; 5.1) ch=6 ;; esac
  echo "-c:a aac -b:a $((ch > 2 ? 384 : ch * 64))k -ar $2 -ac $ch"
}

acodec=() # audio encoder options; empty = AAC

# run ffmpeg quietly; on failure, say which KIND failed in one line.
ff() {
  ffmpeg -nostdin -hide_banner -loglevel error -y "$@" ||
    die "ffmpeg failed to generate KIND '$kind'"
}

# av VCHAIN ALAYOUT ARATE VOPTS... -- MUXOPTS...: one A/V file to $tmp.
# An empty VCHAIN or ALAYOUT leaves that stream out.
av() {
  local vchain=$1 alayout=$2 arate=$3
  shift 3
  local vopts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do vopts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local inputs=() maps=() aopts=()
  if [ -n "$vchain" ]; then
    inputs+=(-f lavfi -i "$vchain")
    maps+=(-map 0:v)
  fi
  if [ -n "$alayout" ]; then
    inputs+=(-f lavfi -i "$(audio "$alayout" "$arate")")
    maps+=(-map "$([ -n "$vchain" ] && echo 1 || echo 0):a")
    if [ ${#acodec[@]} -gt 0 ]; then
      aopts=("${acodec[@]}" -ar "$arate")
    else
      # shellcheck disable=SC2207
      aopts=($(aac "$alayout" "$arate"))
    fi
    aopts+=(-flags:a +bitexact)
  fi
  ff "${inputs[@]}" "${maps[@]}" "${vopts[@]}" "${aopts[@]}" \
    "${bitexact[@]}" "$@" "$tmp"
}

std_video() { # [pix_fmt] -> testsrc2 chain at the requested size/fps
  video "${width}x${height}" "$fps" "$(to_pix "${1:-yuv420p}")"
}
mp4_fast=(-f mp4 -movflags +faststart)

# set_rotate90 FILE HEIGHT: overwrite the matrix in the first 'tkhd' box (the
# video track: ffmpeg writes the mapped video first and, with faststart, moov
# before mdat) with the one old ffmpeg wrote for a rotate=90 tag:
#   [0 1 0; -1 0 0; HEIGHT 0 1] in 16.16 / 2.30 fixed point.
# ffprobe then reports a display matrix with rotation -90 (i.e. 90 degrees
# clockwise).
set_rotate90() {
  local file=$1 h=$2 off v bytes=""
  off=$(grep -obUa -m 1 tkhd "$file" | awk -F: 'NR == 1 { print $1 }')
  [ -n "$off" ] || die "no tkhd box found while rotating '$file'"
  # version 0 tkhd (first byte after the type): matrix starts 44 bytes in
  [ "$(od -An -tu1 -j $((off + 4)) -N 1 "$file" | tr -d ' ')" = 0 ] ||
    die "unexpected tkhd version while rotating '$file'"
  for v in 0 $((1 << 16)) 0 $(((-1 << 16) & 0xffffffff)) 0 0 $((h << 16)) 0 $((1 << 30)); do
    v=$(printf '%08x' "$v")
    bytes+="\\x${v:0:2}\\x${v:2:2}\\x${v:4:2}\\x${v:6:2}"
  done
  # shellcheck disable=SC2059  # the format is the escaped byte string
  printf "$bytes" | dd of="$file" bs=1 seek=$((off + 44)) conv=notrunc status=none ||
    die "cannot write the rotation matrix into '$file'"
}

# ---- kinds -------------------------------------------------------------------
# $(x264) is left unquoted on purpose: it expands to several options.
# shellcheck disable=SC2046
case $kind in
  empty)
    : >"$tmp" ;;
  text)
    printf '%s\n' "This is a plain text file, not a video." \
      "Ladder tests use it to check that non-media input is rejected." >"$tmp" ;;
  good)
    av "$(std_video)" stereo 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  no-audio)
    av "$(std_video)" "" "" $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  no-video)
    av "" stereo 48000 -- "${mp4_fast[@]}" ;;
  truncated | truncated-moov-at-end)
    if [ "$kind" = truncated ]; then
      mux=("${mp4_fast[@]}")
    else
      mux=(-f mp4) # moov is written after the media data
    fi
    av "$(std_video)" stereo 48000 $(x264) -flags:v +bitexact -- "${mux[@]}"
    mv -f -- "$tmp" "$tmp.full"
    full_size=$(wc -c <"$tmp.full")
    head -c $((full_size / 2)) "$tmp.full" >"$tmp"
    rm -f -- "$tmp.full" ;;
  odd-size)
    # testsrc2 only makes even sizes, so scale 640x360 down by one pixel.
    av "$(video 640x360 "$fps" "scale=639:359:threads=1,format=yuv420p")" \
      stereo 48000 -c:v mpeg4 -q:v 8 -g "$gop" -threads 1 \
      -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  rotated)
    # ffmpeg 5.1 ignores "-metadata:s:v:0 rotate=90" (the mov muxer no longer
    # reads it; -display_rotation only arrived in 6.0), so the display matrix
    # of the video track header is written directly.
    av "$(std_video)" stereo 48000 $(x264) -flags:v +bitexact -- \
      "${mp4_fast[@]}"
    set_rotate90 "$tmp" "$height" ;;
  interlaced)
    # 50p rendered, then woven into 25 interlaced frames (top field first),
    # so the two fields really differ in time. -top 1 is needed: without it
    # ffmpeg 5.1 hands libx264 frames marked bottom-field-first despite
    # setfield=tff, and x264 switches to BFF after its lookahead.
    gop=25
    av "$(video 720x576 50 "$(to_pix yuv420p),tinterlace=mode=interleave_top,setfield=tff")" \
      stereo 48000 $(x264 tff=1) -flags:v +bitexact+ildct+ilme \
      -top 1 -- "${mp4_fast[@]}" ;;
  10bit-422)
    av "$(std_video yuv422p10le)" stereo 48000 $(x264) -profile:v high422 \
      -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  anamorphic)
    av "$(video 1440x1080 "$fps" "$(to_pix yuv420p),setsar=4/3")" \
      stereo 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  mono)
    av "$(std_video)" mono 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  surround51)
    av "$(std_video)" 5.1 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  audio-44k)
    av "$(std_video)" stereo 44100 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  fps60)
    gop=60
    av "$(video 1280x720 60 "$(to_pix yuv420p)")" stereo 48000 $(x264) \
      -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  vfr)
    # Rendered at 60 fps, then frames are dropped in a 2 s pattern:
    # 0-0.8 s every 2nd frame (30 fps), 0.8-1.4 s every 4th (15 fps),
    # 1.4-2 s all (60 fps). -fps_mode passthrough keeps the uneven timestamps.
    sel="select='if(lt(mod(t\\,2)\\,0.8)\\,not(mod(n\\,2))\\,if(lt(mod(t\\,2)\\,1.4)\\,not(mod(n\\,4))\\,1))'"
    av "$(video "${width}x${height}" 60 "$sel,$(to_pix yuv420p)")" stereo 48000 \
      $(x264) -flags:v +bitexact -fps_mode passthrough -- "${mp4_fast[@]}" ;;
  long-audio)
    vchain=$(std_video)
    duration=$(awk -v d="$duration" 'BEGIN { print d + 8 }') # for the audio only
    av "$vchain" stereo 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  mpeg2-ts)
    # Broadcast style: MPEG-2 video, MPEG-1 Layer II audio.
    acodec=(-c:a mp2 -b:a 192k -ac 2)
    av "$(std_video)" stereo 48000 -c:v mpeg2video -b:v 1500k -maxrate 2M \
      -bufsize 1M -g 15 -bf 2 -threads 1 -flags:v +bitexact -- -f mpegts ;;
  static)
    bars="smptehdbars=s=${width}x${height}:r=$fps:d=$duration[bars]"
    window="testsrc2=s=$((width / 8 * 2))x$((height / 8 * 2)):r=$fps:d=$duration[win]"
    cross="[bars][win]overlay=x='mod(t*40,W-w)':y=H/8,$(to_pix yuv420p)"
    av "$bars;$window;$cross" stereo 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
  motion)
    av "$(video "${width}x${height}" "$fps" "scroll=h=0.011:v=0.007,noise=alls=24:allf=t+u,$(to_pix yuv420p)")" \
      stereo 48000 $(x264) -flags:v +bitexact -- "${mp4_fast[@]}" ;;
esac

mv -f -- "$tmp" "$out"
trap - EXIT
