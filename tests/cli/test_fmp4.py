"""test_fmp4.py: a ladder profile with container="fmp4" publishes CMAF-style HLS: an init.mp4
(ftyp + moov with mvex) and .m4s segments of moof+mdat fragments per rung, EXT-X-MAP in every
media and I-frame playlist, I-frame byte ranges that are whole single-IDR fragments (moof
included), timestamps that run on across segments, and a show that `ladder validate`, ffmpeg,
hls-parser (strict) and mp4box.js all accept."""
import os
import re
import shutil
import struct

from ladder_test import (ROOT, Checks, cleanup, ffprobe, ladder, make_clip, run, show_version,
                         video_packets, workdir)

c = Checks("fmp4")
d = workdir()
profile = os.path.join(d, "fmp4.xml")
with open(os.path.join(ROOT, "profiles", "pbs16.xml")) as f:
    text = f.read()
with open(profile, "w") as f:
    f.write(text.replace('container="ts"', 'container="fmp4"'))
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "14")
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "cmaf", "--library", lib, "--profile", profile, "--quiet")
if not c.equal(r.returncode, 0, f"ingest with an fMP4 profile ({r.stderr.strip()})"):
    c.done()
top = os.path.join(lib, "cmaf")
show = show_version(lib, "cmaf")


def boxes(data, start=0, end=None):
    """[(type, offset, size)] of the boxes in data[start:end]."""
    out, o, end = [], start, len(data) if end is None else end
    while o + 8 <= end:
        size, kind = struct.unpack(">I4s", data[o:o + 8])
        if size < 8:
            break
        out.append((kind.decode("latin-1"), o, size))
        o += size
    return out


def child(data, parent, kind):
    _, off, size = parent
    for b in boxes(data, off + 8, off + size):
        if b[0] == kind:
            return b
    return None


r = ladder("validate", top)
c.equal(r.returncode, 0, f"ladder validate passes the fMP4 show ({r.stdout.strip()[-300:]})")
master = open(os.path.join(show, "master.m3u8")).read()
uris = re.findall(r"^(hls/[^\n]+/index\.m3u8)$", master, re.M)
c.check(len(uris) >= 4, f"master lists the variants ({len(uris)})")
for uri in uris:
    rung = os.path.dirname(os.path.join(show, uri))
    playlist = open(os.path.join(show, uri)).read()
    c.check('#EXT-X-MAP:URI="init.mp4"' in playlist and "#EXT-X-VERSION:6" in playlist,
            f"{uri} names its init segment (EXT-X-MAP, version 6)")
    segs = re.findall(r"^(seg\d+\.m4s)$", playlist, re.M)
    c.check(segs and not [f for f in os.listdir(rung) if f.endswith(".ts")],
            f"{uri}: .m4s segments only")
    init = open(os.path.join(rung, "init.mp4"), "rb").read()
    top_boxes = boxes(init)
    moov = next((b for b in top_boxes if b[0] == "moov"), None)
    c.check([b[0] for b in top_boxes][:2] == ["ftyp", "moov"] and moov and child(init, moov, "mvex"),
            f"{uri}: init.mp4 is ftyp + moov with mvex ({[b[0] for b in top_boxes]})")
    for s in segs:
        data = open(os.path.join(rung, s), "rb").read()
        kinds = [b[0] for b in boxes(data)]
        c.check(kinds and kinds[0] == "moof" and set(kinds) <= {"moof", "mdat"},
                f"{uri} {s} is moof+mdat fragments ({kinds[:4]})")
    # timestamps run on: the whole rung read as init + segments has no gap or overlap
    joined = os.path.join(d, "joined.mp4")
    with open(joined, "wb") as out:
        out.write(init)
        for s in segs:
            out.write(open(os.path.join(rung, s), "rb").read())
    if "audio" not in uri:
        probe = ffprobe(joined, "-show_entries", "packet=dts_time", select="v:0")
        dts = [float(p["dts_time"]) for p in probe["packets"]]
        steps = {round(b - a, 4) for a, b in zip(dts, dts[1:])}
        c.check(len(steps) == 1, f"{uri}: video DTS steps evenly across segments ({steps})")
    p = run(["ffmpeg", "-v", "error", "-i", os.path.join(top, "master.m3u8"),
             "-map", f"0:p:{uris.index(uri)}", "-f", "null", "-"])
    c.check(p.returncode == 0 and not p.stderr.strip(),
            f"ffmpeg plays {uri} to the end without errors ({p.stderr.strip()[:200]})")
    if "audio" in uri:
        continue
    # each I-frame byte range is one whole fragment: moof + mdat holding the IDR alone
    ifr = open(os.path.join(rung, "iframes.m3u8")).read()
    c.check('#EXT-X-MAP:URI="init.mp4"' in ifr, f"{uri}: the I-frame playlist has EXT-X-MAP")
    ranges = re.findall(r"#EXT-X-BYTERANGE:(\d+)@(\d+)\n(seg\d+\.m4s)", ifr)
    c.check(len(ranges) >= 7, f"{uri}: one I-frame per 2 s ({len(ranges)})")
    for n, off, s in ranges:
        n, off = int(n), int(off)
        data = open(os.path.join(rung, s), "rb").read()
        kinds = [b[0] for b in boxes(data[off:off + n])]
        one = os.path.join(d, "iframe.mp4")
        with open(one, "wb") as out:
            out.write(init + data[off:off + n])
        pk = video_packets(one)
        c.check(kinds == ["moof", "mdat"] and len(pk) == 1 and pk[0][1],
                f"{uri} {s}@{off}: the range is moof+mdat with one key frame ({kinds}, {pk})")

js = os.path.join(ROOT, "tests", "js")
if shutil.which("node") and os.path.isdir(os.path.join(js, "node_modules")):
    r = run(["node", os.path.join(js, "check_show.mjs"), top])
    c.equal(r.returncode, 0, f"hls-parser (strict) and mp4box.js accept the show: {r.stdout.strip()}")
else:
    c.check(False, "node and tests/js/node_modules are installed (scripts/test.sh does it)")
cleanup(d)
c.done()
