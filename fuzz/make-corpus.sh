#!/usr/bin/env bash
# make-corpus.sh OUT: writes seed inputs for every fuzz target into OUT/<target>/ (fuzz/README.md).
# Nothing binary is committed: text seeds are written here, media comes from
# tests/media/make-clip.sh, and playlists, segments and show.json from a real `ladder ingest`
# when LADDER names a ladder binary (otherwise handwritten ones stand in). Needs ffmpeg.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
clip=$root/tests/media/make-clip.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"/{http,profile,devices,show_json,playlist,ts,bmff,media,source,captions,scte35}

# seed TARGET NAME: stdin into OUT/TARGET/NAME
seed() { cat >"$out/$1/$2"; }

# ---- fuzz_http: the first byte picks the function ('0' path, '1' Range, '2' If-None-Match,
# '3' date, '4' Accept-Encoding, '5' Accept); '\n' separates a second argument.
n=0
for path in /shows/abc/master.m3u8 '/shows/abc/v1/hls/hls-144p-80/seg00000.ts?x=1#f' \
    /shows/abc/v12/hls/audio/init.mp4 /shows/abc/v1/mp4/mp4-216p-200.mp4 /shows/abc/show.json \
    /shows/abc/ /demo/index.html /play/abc /watch/abc /shows /metrics '/shows/a%62c/v1/x.m3u8' \
    '/shows/%2e%2e/etc/passwd' '/shows/a%2fb' '/shows//etc' '/shows/.staging/x' '/a%00b' \
    '/shows/%252e%252e/x' '/a\b' '*' 'http://x/y' '/shows/abc/v01/x.ts'; do
    n=$((n + 1))
    printf '0%s' "$path" | seed http "path$n"
done
# Range: 8 bytes of body size (little-endian), then the header
printf '1\xe8\x03\x00\x00\x00\x00\x00\x00bytes=0-499' | seed http range0
printf '1\xe8\x03\x00\x00\x00\x00\x00\x00bytes=-500' | seed http range1
printf '1\xe8\x03\x00\x00\x00\x00\x00\x00bytes=900-' | seed http range2
printf '1\x00\x00\x00\x00\x00\x00\x00\x00bytes=0-0' | seed http range3
printf '1\xff\xff\xff\xff\xff\xff\xff\xffbytes=18446744073709551614-' | seed http range4
printf '1\xe8\x03\x00\x00\x00\x00\x00\x00 bytes = 1-2, 3-4' | seed http range5
printf '1\xe8\x03\x00\x00\x00\x00\x00\x00items=0-1' | seed http range6
printf '2"abc"' | seed http etag0
printf '2W/"x", "abc"\n"abc"' | seed http etag1
printf '2*' | seed http etag2
printf '2"a", "b" ,W/"c"\n"c"' | seed http etag3
printf '3Sun, 06 Nov 1994 08:49:37 GMT' | seed http date0
printf '3Sunday, 06-Nov-94 08:49:37 GMT' | seed http date1
printf '3Sun Nov  6 08:49:37 1994' | seed http date2
printf '3Thu, 31 Dec 9999 23:59:60 GMT' | seed http date3
printf '4gzip, deflate, br' | seed http gzip0
printf '4gzip;q=0, *;q=1' | seed http gzip1
printf '4x-gzip ; q=0.5' | seed http gzip2
printf '4identity, *;Q=0.000' | seed http gzip3
printf '5text/html,application/xhtml+xml,*/*;q=0.8\napplication/json' | seed http accept0
printf '5application/vnd.apple.mpegurl;q=0.9, */*\napplication/vnd.apple.mpegurl' |
    seed http accept1

# ---- fuzz_profile, fuzz_devices: the shipped files, and a few near misses
cp "$root/profiles/pbs16.xml" "$out/profile/pbs16.xml"
cp "$root/tests/browser/player-ladder.xml" "$out/profile/player-ladder.xml"
sed 's/container="ts"/container="fmp4"/' "$root/tests/browser/player-ladder.xml" |
    seed profile player-ladder-fmp4.xml
seed profile small.xml <<'EOF'
<ladder xmlns="urn:ladder:profile:1" name="s" preset="ultrafast" gop-seconds="0.5"
  segment-seconds="1.5" audio-channels="1"><rung name="r" use="mp4" width="64" height="36"
  video-kbps="20" maxrate-kbps="30" bufsize-kbps="40" profile="high" level="1.3"
  audio-kbps="16" max-fps="15"/></ladder>
EOF
seed profile doctype.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE ladder [<!ENTITY x "y">]>
<ladder xmlns="urn:ladder:profile:1" name="&x;"><rung name="a" use="hls" width="16"
  height="16" video-kbps="1" maxrate-kbps="1" bufsize-kbps="1" profile="main" level="6.2"
  audio-kbps="8"/></ladder>
EOF
cp "$root/devices/devices.xml" "$out/devices/devices.xml"
seed devices small.xml <<'EOF'
<devices xmlns="urn:ladder:devices:1" name="d"><rule name="a" user-agent="(a|b)+c{2,3}[[:alpha:]]"
  ch-mobile="?1" ch-platform="Android" format="mp4" max-height="360" profile="main"/><rule
  name="b" format="hls"/></devices>
EOF

# ---- fuzz_captions: one file of each accepted kind, and one FFmpeg reads but Ladder refuses
printf '1\n00:00:01,000 --> 00:00:03,500\nHello <i>world</i>\n\n2\n00:00:05,500 --> 00:00:07,250\nTwo\nlines\n' |
    seed captions a.srt
printf 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:02.000 --> 00:00:04.000 align:start\nHola\n\nNOTE x\n\n01:00.000 --> 01:02.000\n<b>b</b> &amp;\n' |
    seed captions a.vtt
printf 'Scenarist_SCC V1.0\n\n00:00:01:00\t94ae 94ae 9420 9420 9452 9452 c8e5 ecec ef80 942f 942f\n\n00:00:03:00\t942c 942c\n' |
    seed captions a.scc
printf '[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,Hi\n' |
    seed captions a.ass

# ---- fuzz_scte35: a mode byte (01: the target fixes the CRC), then a splice_info_section: the
# standard's samples 14.1 (time_signal) and 14.2 (splice_insert), and sections as
# tests/media/scte35_ts.py writes them (immediate splice_insert, time_signal 0x34, splice_null)
hex_seed() { printf "$(printf '%s' "$3" | sed 's/../\\x&/g')" | seed scte35 "$1-$2"; }
for mode in 00 01; do
    hex_seed sample-insert $mode "${mode}fc302f000000000000fffff014054800008f7feffe7369c02efe0052ccf500000000000a0008435545490000013562dba30a"
    hex_seed sample-time-signal $mode "${mode}fc3034000000000000fffff00506fe72bd0050001e021c435545494800008e7fcf0001a599b00808000000002ca0a18a3402009ac9d17e"
    hex_seed immediate $mode "${mode}FC301B000000000000FFFFF00A05000010027FDF000100000000F3D93536"
    hex_seed time-signal $mode "${mode}FC302E000000000000FFFFF00506FE00126E700018021643554549000010017FFF00000DBBA000003401010000003AD691"
    hex_seed null $mode "${mode}FC3011000000000000FFFFF000000000761DD3B6"
done

# ---- fuzz_show_json: a handwritten one (docs/show-json.md); a real one below with LADDER
seed show_json hand.json <<'EOF'
{"format": 1, "id": "abc_1", "title": "A \u00e9 \"show\"", "duration": 12.5,
 "created": "2024-01-01T00:00:00Z",
 "source": {"width": 640, "height": 360, "fps": 29.97, "has_audio": true},
 "renditions": [
  {"name": "hls-144p-80", "use": "hls", "width": 256, "height": 144, "target_kbps": 80,
   "codecs": "avc1.42c01e,mp4a.40.2", "avg_bps": 120000, "peak_bps": 150000, "psnr_y": 0,
   "ssim": 0},
  {"name": "mp4-216p-200", "use": "mp4", "width": 384, "height": 216, "target_kbps": 200,
   "codecs": "avc1.42c01e"}],
 "files": [{"path": "master.m3u8", "size": 10, "sha256": "00"}],
 "version": 3, "poster": {"path": "poster.jpg", "width": 640, "height": 360}}
EOF
printf '{"id":"x","duration":1,"renditions":[]}' | seed show_json minimal.json
printf '{"format":2,"id":"x"}' | seed show_json newer.json
printf '[1,2,{"a":null}]' | seed show_json array.json

# ---- fuzz_playlist: the first byte picks the reader ('0' master, '1' media, '2' I-frames)
{ printf '0'; cat <<'EOF'; } | seed playlist master-hand
#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=211312,AVERAGE-BANDWIDTH=200000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=160x90,FRAME-RATE=30.000
hls/hls-144p-80/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.2"
hls/audio/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=10000,CODECS="avc1.42c01e",URI="hls/hls-144p-80/iframes.m3u8"
EOF
{ printf '1'; cat <<'EOF'; } | seed playlist media-hand
#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:6.000,
seg00000.m4s
#EXTINF:5.5,
seg00001.m4s
#EXT-X-ENDLIST
EOF
{ printf '2'; cat <<'EOF'; } | seed playlist iframes-hand
#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-I-FRAMES-ONLY
#EXTINF:2.000,
#EXT-X-BYTERANGE:1504@376
seg00000.ts
#EXT-X-ENDLIST
EOF

# ---- fuzz_bmff, fuzz_ts: H.264 and AAC elementary streams (the readers' raw input), fMP4, TS
"$clip" good "$work/clip64.mp4" --size 64x36 --duration 1
ffmpeg -nostdin -y -v error -i "$work/clip64.mp4" -map 0:v -c copy -bsf:v h264_mp4toannexb -frames:v 2 \
    -f h264 "$out/bmff/annexb.h264"
ffmpeg -nostdin -y -v error -i "$work/clip64.mp4" -map 0:a -c copy -frames:a 2 -f adts "$out/bmff/adts.aac"
printf '\x12\x10' | seed bmff asc-lc-stereo
# an SEI NAL with A/53 cc_data: a field-1 and a field-2 CEA-608 null pair
printf '\x00\x00\x01\x06\x04\x11\xb5\x00\x31GA94\x03\x42\xff\xfc\x80\x80\xfd\x80\x80\xff\x80' | seed bmff sei-a53-cc
# fMP4 and TS by ffmpeg itself, for when there is no ingest below
ffmpeg -nostdin -y -v error -i "$work/clip64.mp4" -c copy -f mp4 \
    -movflags frag_keyframe+empty_moov+default_base_moof "$out/bmff/ffmpeg-fragmented.mp4"
ffmpeg -nostdin -y -v error -i "$work/clip64.mp4" -c copy -f mpegts "$out/ts/ffmpeg.ts"
printf '\xf8\x80\x00\x01\x00' | seed bmff asc-escape

# ---- fuzz_media: small clips of make-clip.sh's kinds
for kind in good no-audio truncated truncated-moov-at-end rotated mono audio-44k vfr mpeg2-ts \
    10bit-422 surround51; do
    "$clip" "$kind" "$out/media/$kind" --size 64x36 --duration 1
done
"$clip" no-video "$out/media/no-video" --duration 1
"$clip" odd-size "$out/media/odd-size" --duration 0.2
"$clip" interlaced "$out/media/interlaced" --duration 0.2
"$clip" empty "$out/media/empty"
# audio that goes from stereo to mono mid-stream, as two TS files joined (a broadcast recording)
for ch in 2 1; do
    ffmpeg -nostdin -y -v error -f lavfi -i testsrc2=s=64x36:r=25:d=0.5 -f lavfi -i sine=r=48000:d=0.5 \
        -map 0:v -map 1:a -c:v libx264 -preset ultrafast -c:a mp2 -ac "$ch" \
        -output_ts_offset "$((2 - ch))" -f mpegts "$work/part$ch.ts"
done
cat "$work/part2.ts" "$work/part1.ts" >"$out/media/channels-change.ts"
"$clip" text "$out/media/text"
# ---- fuzz_source: the same front end without the encoders, the same seeds
cp "$out"/media/* "$out/source/"

# ---- from a real ingest: playlists, TS and fMP4 segments, show.json
if [ -z "${LADDER:-}" ]; then
    echo "make-corpus.sh: LADDER not set: no seeds from a real ingest" >&2
    exit 0
fi
"$clip" good "$work/clip.mp4" --size 160x90 --duration 2
sed 's/container="ts"/container="fmp4"/' "$root/tests/browser/player-ladder.xml" \
    >"$work/fmp4.xml"
for c in ts fmp4; do
    profile=$root/tests/browser/player-ladder.xml
    [ "$c" = fmp4 ] && profile=$work/fmp4.xml
    "$LADDER" ingest "$work/clip.mp4" --id "$c" --profile "$profile" --library "$work/lib" --quiet
    v=$work/lib/$c/v1
    cp "$v/show.json" "$out/show_json/ingest-$c.json"
    { printf '0'; cat "$v/master.m3u8"; } | seed playlist "master-$c"
    for f in "$v"/hls/*/*.m3u8; do
        kind=1
        case $f in */iframes.m3u8) kind=2 ;; esac
        rung=${f#"$v"/hls/}
        { printf '%s' "$kind"; cat "$f"; } | seed playlist "$c-${rung//\//-}"
    done
    for f in "$v"/hls/*/seg*.ts "$v"/hls/*/init.mp4 "$v"/hls/*/seg*.m4s; do
        [ -e "$f" ] || continue
        rung=${f#"$v"/hls/}
        case $f in
        *.ts)
            cp "$f" "$out/ts/${rung//\//-}"
            head -c $((188 * 16)) "$f" | seed ts "head-${rung//\//-}"
            ;;
        *) cp "$f" "$out/bmff/${rung//\//-}" ;;
        esac
    done
done
