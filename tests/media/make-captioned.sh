#!/usr/bin/env bash
# make-captioned.sh [--fps R] [--size WxH] [--duration S] KIND OUT: a test source with captions.
# Nothing binary is committed: pictures and sound come from tests/media/make-clip.sh, captions
# from an SCC file written here (three pop-on captions, at 1, 5.5 and 9 s; needs 10 s or more).
#   scc       the SCC file itself
#   c608      a MOV with a QuickTime c608 caption track beside its H.264 (ffmpeg muxes the SCC)
#   embedded  an MP4 with the CEA-608 inside its H.264 as A/53 SEI, paced per picture as on air
#             (tests/media/embed_cc.c; EMBED_CC names the built helper)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
opts=()
while [ $# -gt 2 ]; do
    case $1 in
    --fps | --size | --duration) opts+=("$1" "$2"); shift 2 ;;
    *) echo "make-captioned.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: make-captioned.sh [--fps R] [--size WxH] [--duration S] KIND OUT" >&2; exit 2; }
kind=$1 out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# CEA-608 pop-on captions: resume caption loading, erase hidden memory, a row-15 preamble, the
# characters two by two with odd parity, end of caption; later an erase of the screen.
python3 - "$work/cc.scc" <<'PY'
import sys
def odd(ch):
    b = ord(ch)
    return b | (0x80 if bin(b).count("1") % 2 == 0 else 0)
def pairs(text):
    text += "\0" * (len(text) % 2)
    return " ".join(f"{odd(text[i]):02x}{odd(text[i + 1]):02x}" for i in range(0, len(text), 2))
def caption(at, words):
    return f"{at}\t9420 9420 94ae 94ae 9452 9452 {pairs(words)} 942f 942f\n\n"
with open(sys.argv[1], "w") as f:
    f.write("Scenarist_SCC V1.0\n\n" + caption("00:00:01:00", "Hello caption") +
            "00:00:03:00\t942c 942c\n\n" + caption("00:00:05:15", "Across six") +
            "00:00:07:00\t942c 942c\n\n" + caption("00:00:09:00", "Third one") +
            "00:00:10:00\t942c 942c\n\n"
            # ffmpeg's MOV muxing drops the last SCC line: null pairs, so the erase is kept
            "00:00:11:00\t8080 8080\n")
PY
case $kind in
scc) cp "$work/cc.scc" "$out" ;;
c608 | embedded)
    "$here/make-clip.sh" --duration 12 "${opts[@]}" good "$work/clip.mp4"
    ffmpeg -nostdin -v error -y -i "$work/clip.mp4" -i "$work/cc.scc" -map 0 -map 1 -c copy \
        -f mov "$work/c608.mov"
    if [ "$kind" = c608 ]; then
        mv "$work/c608.mov" "$out"
    else
        "${EMBED_CC:?set EMBED_CC to the built tests/embed_cc}" "$work/c608.mov" "$out"
    fi
    ;;
*) echo "make-captioned.sh: unknown KIND $kind (scc, c608, embedded)" >&2; exit 2 ;;
esac
