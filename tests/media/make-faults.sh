#!/usr/bin/env bash
# make-faults.sh - generate Ladder's media fault corpus: damaged files, odd geometry and
# timing, unusual stream layouts, frame and keyframe oddities, each a small clip synthesized
# from FFmpeg's lavfi sources (testsrc2 picture, sine tones) and then, for the damaged ones,
# cut or bit-flipped with head/dd/python. Nothing binary is checked in; the kinds that
# make-clip.sh already makes come from it. tests/cli/test_fault_corpus.py runs `ladder ingest`
# on every file (plus a file that is still being copied, which only a running test can make).
# Same ffmpeg build => same files.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
make_clip=$here/make-clip.sh

usage() {
  cat <<EOF
Usage: $prog [options] OUTDIR

Write the fault corpus into OUTDIR (created if missing) and print one line per file:
NAME<TAB>what it is. The extension of NAME is part of the fault for some files (an MPEG-TS
named .mp4, an MP4 named .mov or .ts).

Options:
  --list       print the names and descriptions without generating anything
  -h, --help   show this help and exit
EOF
}

die() {
  echo "$prog: error: $*" >&2
  exit 2
}

# NAME|description, in the order they are generated.
corpus=(
  # damage
  "trunc-in-moov.mp4|faststart MP4 cut in the middle of its moov box"
  "trunc-mid-mdat.mp4|faststart MP4 cut to half its size: moov intact, media data ends early"
  "trunc-moov-at-end.mp4|MP4 with moov after mdat, cut to half its size: no moov at all"
  "trunc-1k.mp4|only the first 1 KB of a faststart MP4"
  "trunc-mid-packet.ts|MPEG-TS cut at 60% of its size, inside a 188-byte packet"
  "flip-moov-size.mp4|faststart MP4 whose moov size has its top bit flipped (2 GB past EOF)"
  "flip-avcc.mp4|faststart MP4 with bits flipped inside the SPS in avcC"
  "flip-esds.mp4|faststart MP4 with the AudioSpecificConfig in esds bit-flipped"
  "flip-stbl.mp4|faststart MP4 with bits flipped in the video stsz (sample sizes) and stco (offsets)"
  "flip-mdat.mp4|faststart MP4 with 48 bits flipped in the middle of mdat (damaged frames)"
  "ts-named.mp4|an MPEG-TS (H.264 + AAC) named .mp4"
  "mp4-named.mov|a faststart MP4 named .mov"
  "mp4-named.ts|a faststart MP4 named .ts"
  # geometry and timing
  "tiny-2x2.mp4|2x2 H.264 + AAC, 2 s"
  "huge-8192.mp4|8192x8192 H.264 (tagged level 6.2, beyond its frame size limit): 1 frame, 1 s AAC"
  "timescale-zero.mp4|MP4 whose video track time base is 0 (mdhd timescale patched to 0)"
  "frame-duration-zero.mp4|MP4 whose video frames all last 0 ticks (stts deltas 0): frame rate 0"
  "raw-h264.264|raw Annex B H.264 elementary stream: no container, no timestamps"
  "res-change.ts|MPEG-TS whose picture size changes mid-stream: 2 s of 320x180, then 2 s of 640x360"
  # streams
  "audio-only.mp4|AAC stereo only, no video track"
  "video-only.mp4|H.264 only, no audio track"
  "surround51.mp4|H.264 + AAC 5.1"
  "mono.mp4|H.264 + AAC mono"
  "audio-longer.mp4|2 s of video, 20 s of audio"
  "audio-gap.ts|MPEG-TS whose audio timestamps have a 1 s hole (packets lost from 1 s to 2 s)"
  "audio-jump.ts|MPEG-TS whose audio timestamps jump 60 s ahead at 1 s (the video's do not)"
  "video-jump.ts|MPEG-TS whose video timestamps jump an hour ahead at 2 s (the audio's do not)"
  # frames
  "vfr.mp4|variable frame rate: 30, 15 and 60 fps stretches"
  "interlaced.mp4|720x576 25i H.264 MBAFF, top field first"
  "rotated.mp4|H.264 with a 90-degree display matrix"
  "10bit-422.mp4|H.264 High 4:2:2 10-bit"
  "fps60.mp4|1280x720 at 60 fps, 1 s"
  "fps23976.mp4|23.976 fps (24000/1001)"
  # keyframes and timestamps
  "long-gop.mp4|20 s with a single keyframe (at the start)"
  "no-key-start.ts|MPEG-TS starting 0.5 s into a GOP: no keyframe (nor SPS/PPS) before 1 s in"
  "ts-backwards.ts|two MPEG-TS clips back to back: timestamps jump back 12 s halfway"
)

pos=()
list=0
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --list) list=1; shift ;;
    --) shift; pos+=("$@"); break ;;
    -?*) die "unknown option '$1' (see -h)" ;;
    *) pos+=("$1"); shift ;;
  esac
done
say() { printf '%s\t%s\n' "${1%%|*}" "${1#*|}"; }
if [ "$list" = 1 ]; then
  for e in "${corpus[@]}"; do say "$e"; done
  exit 0
fi
[ ${#pos[@]} -eq 1 ] || die "give one OUTDIR (see -h)"
out=${pos[0]}
[ -n "$out" ] || die "OUTDIR must not be empty"
command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found in PATH"
command -v python3 >/dev/null 2>&1 || die "python3 not found in PATH"
mkdir -p -- "$out" || die "cannot create folder '$out'"
out=$(cd -- "$out" && pwd) # absolute: the concat demuxer reads paths relative to its list
tmp=$(mktemp -d "$out/.make-faults.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---- building blocks ---------------------------------------------------------
name="" # the file being made, for error messages

# ff ARGS... OUTFILE: run ffmpeg quietly and bit-exactly (as make-clip.sh does); one line if
# it fails.
ff() {
  local args=("${@:1:$#-1}")
  ffmpeg -nostdin -hide_banner -loglevel error -y "${args[@]}" -map_metadata -1 \
    -map_chapters -1 -fflags +bitexact -flags +bitexact "${@: -1}" ||
    die "ffmpeg failed to generate '$name'"
}
clip() { # KIND FILE [make-clip options]
  "$make_clip" "$@" || die "make-clip.sh failed to generate '$name'"
}
# lavfi sources: picture SIZE RATE SECONDS, tone SECONDS [LAYOUT]
picture() { echo "testsrc2=s=$1:r=$2:d=$3,scale=threads=1,format=yuv420p"; }
tone() {
  local exprs="0.25*sin(2*PI*440*t)|0.25*sin(2*PI*660*t)"
  echo "aevalsrc=exprs=$exprs:c=stereo:s=48000:d=$1"
}
x264=(-c:v libx264 -preset veryfast -crf 26 -x264-params threads=1)
aac=(-c:a aac -b:a 128k -ar 48000 -ac 2)
mp4_fast=(-f mp4 -movflags +faststart)

# av FILE SIZE RATE SECONDS [ffmpeg output options...]: H.264 + AAC stereo, 1 s GOPs.
av() {
  local file=$1 size=$2 rate=$3 secs=$4
  shift 4
  ff -f lavfi -i "$(picture "$size" "$rate" "$secs")" -f lavfi -i "$(tone "$secs")" \
    -map 0:v -map 1:a "${x264[@]}" -g "$rate" "${aac[@]}" "$@" "$file"
}

# python3 helpers for damage. boxat FILE TYPE prints the offset of the first occurrence of the
# 4-character box TYPE (the type field; its 32-bit size is the 4 bytes before). With faststart,
# moov and the video track (mapped first) come before mdat, so the first hit is the real box;
# its size field is checked to be sane.
boxat() {
  python3 - "$1" "$2" <<'EOF' || die "no '$2' box found in '$name'"
import struct, sys
data = open(sys.argv[1], "rb").read()
off = data.find(sys.argv[2].encode())
size = struct.unpack(">I", data[off - 4:off])[0] if off >= 4 else 0
if off < 4 or not 8 <= size <= len(data) - off + 4:
    sys.exit(1)
print(off)
EOF
}
# patch FILE OFFSET PYEXPR: replace the byte at OFFSET with PYEXPR of its value b.
patch() {
  python3 - "$@" <<'EOF' || die "cannot patch '$name'"
import sys
path, off, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)[0]
    f.seek(off)
    f.write(bytes([eval(expr, {"b": b}) & 0xff]))
EOF
}
u32() { # FILE OFFSET -> the big-endian 32-bit number there
  python3 -c 'import struct, sys
f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2])); print(struct.unpack(">I", f.read(4))[0])' \
    "$1" "$2"
}
put32() { # FILE OFFSET VALUE: write a big-endian 32-bit number
  python3 -c 'import struct, sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2]))
f.write(struct.pack(">I", int(sys.argv[3])))' \
    "$1" "$2" "$3" || die "cannot patch '$name'"
}

# one good 2 s 320x180 faststart MP4 and one MPEG-TS, the raw material for most damage
base=$tmp/base.mp4
base_ts=$tmp/base.ts
name=base.mp4
clip good "$base" --size 320x180 --duration 2
name=base.ts
av "$base_ts" 320x180 30 2 -f mpegts

made() { # NAME: move $tmp/NAME into place and say what it is
  local e
  mv -f -- "$tmp/$1" "$out/$1"
  for e in "${corpus[@]}"; do
    [ "${e%%|*}" != "$1" ] || { say "$e"; return; }
  done
  die "internal: '$1' is not in the corpus list"
}

# ---- damage ------------------------------------------------------------------
name=trunc-in-moov.mp4
moov=$(boxat "$base" moov)
head -c $((moov - 4 + $(u32 "$base" $((moov - 4))) / 2)) "$base" >"$tmp/$name"
made "$name"

name=trunc-mid-mdat.mp4
clip truncated "$tmp/$name" --size 320x180
made "$name"

name=trunc-moov-at-end.mp4
clip truncated-moov-at-end "$tmp/$name" --size 320x180
made "$name"

name=trunc-1k.mp4
head -c 1024 "$base" >"$tmp/$name"
made "$name"

name=trunc-mid-packet.ts
size=$(wc -c <"$base_ts")
head -c $((size * 6 / 10 / 188 * 188 + 100)) "$base_ts" >"$tmp/$name"
made "$name"

name=flip-moov-size.mp4
cp "$base" "$tmp/$name"
patch "$tmp/$name" $((moov - 4)) "b ^ 0x80"
made "$name"

name=flip-avcc.mp4
# avcC: version, profile, compat, level, length size, SPS count, SPS length (2), SPS. Bytes 3
# and 5 of the SPS hold seq_parameter_set_id, log2_max_frame_num, the POC type and the
# reference frame count: flipped, slices no longer parse against it.
cp "$base" "$tmp/$name"
off=$(boxat "$tmp/$name" avcC)
patch "$tmp/$name" $((off + 4 + 8 + 3)) "b ^ 0xff"
patch "$tmp/$name" $((off + 4 + 8 + 5)) "b ^ 0x5a"
made "$name"

name=flip-esds.mp4
# The AudioSpecificConfig is the payload of the DecoderSpecificInfo descriptor (tag 5) near the
# end of esds: inverting it makes the object type 31 (escape) plus garbage.
cp "$base" "$tmp/$name"
off=$(boxat "$tmp/$name" esds)
asc=$(python3 - "$tmp/$name" "$off" <<'EOF' || die "no DecoderSpecificInfo in '$name'"
import struct, sys
data = open(sys.argv[1], "rb").read()
off = int(sys.argv[2])
box = data[off + 4:off - 4 + struct.unpack(">I", data[off - 4:off])[0]]
i = box.find(b"\x05\x80\x80\x80")  # ffmpeg writes descriptor lengths in 4 bytes
if i < 0:
    sys.exit(1)
print(off + 4 + i + 5)
EOF
)
patch "$tmp/$name" "$asc" "b ^ 0xff"
patch "$tmp/$name" $((asc + 1)) "b ^ 0xff"
made "$name"

name=flip-stbl.mp4
# stsz: version/flags, sample size (0: sizes follow), count, sizes. stco: version/flags, count,
# offsets. The first track is the video: samples 3 and 10 claim over 2 GB, the second chunk
# offset points 16 MB further.
cp "$base" "$tmp/$name"
off=$(boxat "$tmp/$name" stsz)
patch "$tmp/$name" $((off + 16 + 4 * 3)) "b ^ 0x80"
patch "$tmp/$name" $((off + 16 + 4 * 10)) "b ^ 0x80"
off=$(boxat "$tmp/$name" stco)
patch "$tmp/$name" $((off + 12 + 4 + 1)) "b ^ 0x01"
made "$name"

name=flip-mdat.mp4
cp "$base" "$tmp/$name"
mdat=$(boxat "$tmp/$name" mdat)
python3 - "$tmp/$name" "$mdat" <<'EOF' || die "cannot patch '$name'"
import random, struct, sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off - 4)
    size = struct.unpack(">I", f.read(4))[0]
    rng = random.Random(20240601)  # fixed: the same bits every time
    start, span = off + size // 4, size // 2  # the middle half of mdat
    for pos in sorted(rng.randrange(start, start + span) for _ in range(48)):
        f.seek(pos)
        b = f.read(1)[0] ^ (1 << rng.randrange(8))
        f.seek(pos)
        f.write(bytes([b]))
EOF
made "$name"

name=ts-named.mp4
cp "$base_ts" "$tmp/$name"
made "$name"
name=mp4-named.mov
cp "$base" "$tmp/$name"
made "$name"
name=mp4-named.ts
cp "$base" "$tmp/$name"
made "$name"

# ---- geometry and timing -----------------------------------------------------
name=tiny-2x2.mp4
# testsrc2 draws nothing below 16x16 or so; scale a 16x16 picture down.
ff -f lavfi -i "testsrc2=s=16x16:r=30:d=2,scale=2:2:threads=1,format=yuv420p" \
  -f lavfi -i "$(tone 2)" -map 0:v -map 1:a "${x264[@]}" -g 30 "${aac[@]}" "${mp4_fast[@]}" \
  "$tmp/$name"
made "$name"

name=huge-8192.mp4
# x264 encodes 8192x8192 and tags it level 6.2, although 6.2 allows 139264 macroblocks per
# frame and this has 262144. One frame (1 fps, 1 s), ultrafast: about a second to make.
ff -f lavfi -i "$(picture 8192x8192 1 1)" -f lavfi -i "$(tone 1)" -map 0:v -map 1:a \
  -c:v libx264 -preset ultrafast -x264-params threads=1 "${aac[@]}" "${mp4_fast[@]}" "$tmp/$name"
made "$name"

name=timescale-zero.mp4
# mdhd (version 0): version/flags, creation, modification, timescale, duration. ffmpeg cannot
# write a time base of 0 (-video_track_timescale 0 means "pick one"), so the video track's
# timescale is patched to 0 after the fact: every timestamp of the track divides by zero.
cp "$base" "$tmp/$name"
off=$(boxat "$tmp/$name" mdhd)
[ "$(u32 "$tmp/$name" $((off + 4)))" = 0 ] || die "unexpected mdhd version in '$name'"
put32 "$tmp/$name" $((off + 16)) 0
made "$name"

name=frame-duration-zero.mp4
# stts: version/flags, entry count, (sample count, sample delta)... ffmpeg will not mux frames
# that all share one timestamp (-r 0 is refused, and a copy with -video_track_timescale keeps
# the deltas apart), so every delta of the video track is patched to 0: all frames at time 0,
# a frame rate of 0 (ffprobe: r_frame_rate 0/0).
cp "$base" "$tmp/$name"
off=$(boxat "$tmp/$name" stts)
n=$(u32 "$tmp/$name" $((off + 8)))
for ((i = 0; i < n; i++)); do put32 "$tmp/$name" $((off + 12 + 8 * i + 4)) 0; done
made "$name"

name=raw-h264.264
ff -f lavfi -i "$(picture 320x180 30 2)" "${x264[@]}" -g 30 -f h264 "$tmp/$name"
made "$name"

name=res-change.ts
# The concat demuxer joins the two clips' timestamps; -c copy keeps both SPSs, so the size
# changes at the second clip's first IDR while the stream header still says 320x180.
av "$tmp/small.ts" 320x180 30 2 -f mpegts
av "$tmp/big.ts" 640x360 30 2 -f mpegts
printf "file '%s'\n" "$tmp/small.ts" "$tmp/big.ts" >"$tmp/list.txt"
ff -f concat -safe 0 -i "$tmp/list.txt" -map 0 -c copy -f mpegts "$tmp/$name"
made "$name"

# ---- streams -----------------------------------------------------------------
name=audio-only.mp4
clip no-video "$tmp/$name"
made "$name"
name=video-only.mp4
clip no-audio "$tmp/$name" --size 320x180
made "$name"
name=surround51.mp4
clip surround51 "$tmp/$name" --size 320x180
made "$name"
name=mono.mp4
clip mono "$tmp/$name" --size 320x180
made "$name"

name=audio-longer.mp4
ff -f lavfi -i "$(picture 320x180 30 2)" -f lavfi -i "$(tone 20)" -map 0:v -map 1:a \
  "${x264[@]}" -g 30 "${aac[@]}" "${mp4_fast[@]}" "$tmp/$name"
made "$name"

name=audio-gap.ts
# aselect drops the audio frames of 1-2 s and keeps the others' timestamps, so the encoded
# packets jump by a second, as in a capture that lost packets.
av "$tmp/$name" 320x180 30 4 -af "aselect='not(between(t,1,2))'" -f mpegts
made "$name"
name=audio-jump.ts
av "$tmp/$name" 320x180 30 3 -af "asetpts='PTS+60/TB*gte(T,1)'" -f mpegts
made "$name"
name=video-jump.ts
av "$tmp/$name" 320x180 30 4 -bf 0 -vf "setpts='PTS+3600/TB*gte(T,2)'" -f mpegts
made "$name"

# ---- frames ------------------------------------------------------------------
name=vfr.mp4
clip vfr "$tmp/$name" --size 320x180
made "$name"
name=interlaced.mp4
clip interlaced "$tmp/$name"
made "$name"
name=rotated.mp4
clip rotated "$tmp/$name" --size 320x180
made "$name"
name=10bit-422.mp4
clip 10bit-422 "$tmp/$name" --size 320x180
made "$name"
name=fps60.mp4
clip fps60 "$tmp/$name"
made "$name"
name=fps23976.mp4
clip good "$tmp/$name" --size 320x180 --fps 24000/1001
made "$name"

# ---- keyframes and timestamps -------------------------------------------------
name=long-gop.mp4
# keyint beyond the clip and no scene-cut IDRs: the only keyframe is the first frame.
ff -f lavfi -i "$(picture 320x180 30 20)" -f lavfi -i "$(tone 20)" -map 0:v -map 1:a \
  -c:v libx264 -preset veryfast -crf 26 \
  -x264-params threads=1:keyint=1000:min-keyint=1000:scenecut=0 \
  "${aac[@]}" "${mp4_fast[@]}" "$tmp/$name"
made "$name"

name=no-key-start.ts
# 1 s GOPs, no B-frames; an output -ss with stream copy cuts at the first packet from 0.5 s on,
# and -copyinkf keeps the non-key frames ffmpeg would otherwise drop until the next keyframe.
# x264 repeats SPS/PPS only at IDRs in MPEG-TS, so nothing decodes before 1 s.
av "$tmp/gops.ts" 320x180 30 4 -bf 0 -f mpegts
ff -i "$tmp/gops.ts" -map 0 -c copy -ss 0.5 -copyinkf -f mpegts "$tmp/$name"
made "$name"

name=ts-backwards.ts
# The first clip is shifted 10 s later (-output_ts_offset), the second starts at 0: the
# timestamps run 10-12 s, then 0-2 s. A byte-wise join, as a careless recorder or cat would.
av "$tmp/late.ts" 320x180 30 2 -output_ts_offset 10 -f mpegts
cat "$tmp/late.ts" "$base_ts" >"$tmp/$name"
made "$name"
