"""test_validate.py: `ladder validate` passes a freshly published show, and for each rule a copy
of the show broken on purpose is caught with that rule's name, the file, and exit status 1.
Breaks of media properties edit the segments in place (tests/cli/ts_edit.py) so that only the
property under test changes; where a break cannot help moving something else, the other rules
it may trip are listed with it, and no rule outside that list may fire."""
import json
import os
import re
import shutil

import ts_edit
from ladder_test import ROOT, Checks, cleanup, ingest_clip, ladder, run, show_version, workdir

c = Checks("validate")
d = workdir()
inp, lib, r = ingest_clip(d, "good")
if not c.equal(r.returncode, 0, f"ingest ({r.stderr.strip()})"):
    c.done()
good = show_version(lib, "good")
r = ladder("validate", good, "--json")
report = json.loads(r.stdout)
c.check(r.returncode == 0 and report["ok"] and report["checks"] > 100,
        f"a published show passes ({report['checks']} checks, {report['failures'][:2]})")

RUNG = "hls/hls-360p-600"      # Main 3.0, max-fps 30
UNCAPPED = "hls/hls-432p-730"  # no frame-rate cap of its own
MP4 = "mp4/mp4-360p-500.mp4"   # Baseline 3.0
with open(os.path.join(good, "master.m3u8")) as f:
    VARIANTS = re.findall(r"^(hls/[^\n]+)/index\.m3u8$", f.read(), re.M)
VIDEO_RUNGS = [v for v in VARIANTS if v != "hls/audio"]
FIRST = VIDEO_RUNGS[0] + "/index.m3u8"  # the variant the others' IDR times are compared with


def edit(show, rel, fn):
    path = os.path.join(show, rel)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(fn(text))


def ffmpeg_copy(show, rel, *args):
    src = os.path.join(show, rel)
    tmp = src + ".tmp" + os.path.splitext(src)[1]
    run(["ffmpeg", "-v", "error", "-y", "-i", src, *args, "-c", "copy", tmp])
    os.replace(tmp, src)


def drop_last_segment(text):
    lines = text.splitlines(keepends=True)
    i = max(k for k, l in enumerate(lines) if l.startswith("#EXTINF"))
    return "".join(lines[:i] + lines[i + 2:])


def grow_segment(show):
    """Pads the short last segment: its bitrate shoots past twice the average."""
    with open(os.path.join(show, RUNG, "seg00002.ts"), "ab") as f:
        f.write((b"\x47\x1f\xff\x10" + b"\xff" * 184) * 20000)


def segments(show, rung):
    folder = os.path.join(show, rung)
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".ts")]


def avc1_level(show, rung, level, stream=True, iframe=True):
    """Sets the level of the rung's avc1 CODECS entries (STREAM-INF, I-FRAME-STREAM-INF)."""
    def fn(text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if (stream and i + 1 < len(lines) and lines[i + 1] == rung + "/index.m3u8") or \
                    (iframe and f'URI="{rung}/iframes.m3u8"' in line):
                lines[i] = re.sub(r"avc1\.([0-9a-fA-F]{4})[0-9a-fA-F]{2}",
                                  lambda m: "avc1.%s%02x" % (m.group(1), level), line)
        return "\n".join(lines)
    edit(show, "master.m3u8", fn)


def sps_level(show, rung, level):
    """A rung whose SPS says another level, its CODECS agreeing."""
    for seg in segments(show, rung):
        ts_edit.set_sps_level(seg, level)
    avc1_level(show, rung, level)


def stretch_last_extinf(text, by):
    durations = re.findall(r"#EXTINF:([0-9.]+),", text)
    last = "#EXTINF:%s," % durations[-1]
    i = text.rindex(last)
    return text[:i] + "#EXTINF:%.6f," % (float(durations[-1]) + by) + text[i + len(last):]


def shift(ticks):
    return lambda pts, dts, i: (pts + ticks, None if dts is None else dts + ticks)


def fast_forward(seg, factor):
    """Squeezes a segment's video timestamps towards its first IDR (PTS) and its first DTS, so
    its frames come `factor` times as often while its IDR and first DTS stay put."""
    first = []
    ts_edit.retime(seg, ts_edit.VIDEO, lambda pts, dts, i: first.append((pts, dts)) or (pts, dts))
    base_pts = min(p for p, _ in first)
    base_dts = first[0][1] if first[0][1] is not None else first[0][0]
    ts_edit.retime(seg, ts_edit.VIDEO, lambda pts, dts, i: (
        base_pts + (pts - base_pts) // factor,
        None if dts is None else base_dts + (dts - base_dts) // factor))


def interlace_last_segment(show, rung):
    """Re-encodes the rung's last segment as interlaced H.264 (same timestamps, size, profile and
    level), its continuity counters running on from the segment before."""
    segs = segments(show, rung)
    tmp = segs[-1] + ".tmp.ts"
    run(["ffmpeg", "-v", "error", "-y", "-copyts", "-i", segs[-1], "-map", "0", "-c:a", "copy",
         "-c:v", "libx264", "-profile:v", "main", "-level", "3.0", "-flags", "+ildct+ilme",
         "-top", "1", "-b:v", "600k", "-maxrate", "900k", "-bufsize", "1200k", "-g", "60",
         "-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", tmp])
    os.replace(tmp, segs[-1])
    ts_edit.continue_cc(segs[-2], segs[-1])


def mp4_patch(show, fn):
    ts_edit.mp4_patch(os.path.join(show, MP4), fn)


BREAKS = [
    ("extm3u-first", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.split("\n", 1)[1])),
    ("playlist-type-vod", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXT-X-PLAYLIST-TYPE:VOD\n", ""))),
    ("endlist", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXT-X-ENDLIST\n", ""))),
    ("target-duration", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("TARGETDURATION:6", "TARGETDURATION:10"))),
    ("segment-max-target-plus-half", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXTINF:6.000000", "#EXTINF:7.200000", 1))),
    ("extinf-within-target", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXTINF:6.000000", "#EXTINF:7.200000", 1))),
    ("segment-exists", RUNG + "/index.m3u8", lambda s: os.remove(os.path.join(s, RUNG, "seg00001.ts"))),
    ("segment-starts-with-idr", RUNG + "/index.m3u8", lambda s: ffmpeg_copy(s, RUNG + "/seg00001.ts", "-bsf:v", "filter_units=remove_types=5")),
    ("same-timeline", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", drop_last_segment)),
    ("peak-at-most-twice-average", RUNG + "/index.m3u8", grow_segment),
    ("peak-bandwidth-within-10pct", RUNG + "/index.m3u8", grow_segment),
    ("average-bandwidth-within-10pct", RUNG + "/index.m3u8",
     lambda s: edit(s, "master.m3u8", lambda t: re.sub(r"AVERAGE-BANDWIDTH=(\d+)(.*\n%s)" % re.escape(RUNG),
                                                       lambda m: "AVERAGE-BANDWIDTH=%d%s" % (int(m.group(1)) // 2, m.group(2)), t))),
    ("independent-segments", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: t.replace("#EXT-X-INDEPENDENT-SEGMENTS\n", ""))),
    ("stream-inf-attributes", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r",CODECS=\"[^\"]*\"", "", t, count=1))),
    ("video-resolution-frame-rate", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r",RESOLUTION=\d+x\d+,FRAME-RATE=[0-9.]+", "", t, count=1))),
    ("cellular-audio-variant", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r"#EXT-X-STREAM-INF:[^\n]*CODECS=\"mp4a.40.2\"[^\n]*\nhls/audio/index.m3u8\n", "", t))),
    ("closed-captions-signalled", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: t.replace(",CLOSED-CAPTIONS=NONE", "", 1))),
    ("iframe-stream-per-variant", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r"#EXT-X-I-FRAME-STREAM-INF:[^\n]*\n", "", t, count=1))),
    ("mp4-faststart", "mp4/mp4-360p-500.mp4", lambda s: ffmpeg_copy(s, "mp4/mp4-360p-500.mp4")),
    ("mp4-not-fragmented", "mp4/mp4-360p-500.mp4", lambda s: ffmpeg_copy(s, "mp4/mp4-360p-500.mp4", "-movflags", "+frag_keyframe+empty_moov")),
    # (rule, file, break, other rules the break may trip): nothing outside the list may fire
    ("version-tag", RUNG + "/index.m3u8",  # decimal EXTINF values need version 3
     lambda s: edit(s, RUNG + "/index.m3u8", lambda t: re.sub(r"#EXT-X-VERSION:\d+", "#EXT-X-VERSION:2", t)), ()),
    ("codecs-match-sps", "master.m3u8", lambda s: avc1_level(s, RUNG, 41, iframe=False), ()),
    ("codecs-match-sps", "master.m3u8", lambda s: avc1_level(s, RUNG, 41, stream=False), ()),
    ("extinf-sum-matches-media", RUNG + "/index.m3u8",  # > a frame, < same-timeline's slack
     lambda s: edit(s, RUNG + "/index.m3u8", lambda t: stretch_last_extinf(t, 0.038)), ()),
    ("idr-aligned-across-rungs", RUNG + "/index.m3u8",  # all its video 0.1 s later
     lambda s: [ts_edit.retime(p, ts_edit.VIDEO, shift(9000)) for p in segments(s, RUNG)], ()),
    ("idr-interval", FIRST,  # the IDR at 2 s becomes a plain picture, on every rung alike
     lambda s: [ts_edit.idr_to_non_idr(segments(s, v)[0], 1) for v in VIDEO_RUNGS], ()),
    ("ts-continuity-counters", RUNG + "/index.m3u8",  # at a segment boundary
     lambda s: ts_edit.bump_cc(segments(s, RUNG)[1], ts_edit.VIDEO), ()),
    ("timestamps-continuous", RUNG + "/index.m3u8",  # audio jumps 0.2 s after the first segment
     lambda s: [ts_edit.retime(p, ts_edit.AUDIO, shift(18000))
                for p in segments(s, RUNG)[1:]], ()),
    ("one-audio-stream", RUNG + "/index.m3u8",
     lambda s: ts_edit.add_pmt_stream(segments(s, RUNG)[1], ts_edit.AUDIO, 0x102), ()),
    ("stereo-aac", RUNG + "/index.m3u8",
     lambda s: ts_edit.set_adts_channels(segments(s, RUNG)[1], 1), ()),
    ("progressive-only", RUNG + "/index.m3u8", lambda s: interlace_last_segment(s, RUNG),
     ("peak-bandwidth-within-10pct", "peak-at-most-twice-average")),  # a re-encode's size
    ("h264-max-high-4.2", RUNG + "/index.m3u8", lambda s: sps_level(s, RUNG, 43),
     ("rung-matches-profile",)),  # level 4.3 is also above the rung's 3.0
    ("frame-rate-max-60", UNCAPPED + "/index.m3u8",  # its last 2 s at 120 frames/s
     lambda s: fast_forward(segments(s, UNCAPPED)[-1], 4), ("extinf-sum-matches-media",)),
    ("rung-matches-profile", RUNG + "/index.m3u8", lambda s: sps_level(s, RUNG, 31), ()),
    ("mp4-avc1-sample-entry", MP4, lambda s: mp4_patch(s, ts_edit.sample_entry_to_avc3), ()),
    ("mp4-aac-lc", MP4, lambda s: mp4_patch(s, ts_edit.asc_object_type(1)), ()),  # AAC Main
    ("mp4-profile-level", MP4, lambda s: mp4_patch(s, ts_edit.avcc_level(40)), ()),
]

for rule, where, breaker, *also in BREAKS:
    show = os.path.join(d, "broken-" + rule)
    shutil.copytree(good, show)
    breaker(show)
    r = ladder("validate", show, "--json")
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        c.check(False, f"{rule}: validate --json prints JSON ({r.stdout[:200]!r})")
        continue
    hits = [f for f in rep["failures"] if f["rule"] == rule]
    c.equal(r.returncode, 1, f"{rule}: exit status")
    c.check(hits and hits[0]["file"] == where, f"{rule}: caught in {where} ({rep['failures'][:3]})")
    if os.environ.get("VALIDATE_TEST_VERBOSE"):
        print(rule, sorted({(f["rule"], f["file"]) for f in rep["failures"]}))
    if also:
        others = {f["rule"] for f in rep["failures"]} - {rule} - set(also[0])
        c.check(not others, f"{rule}: the break trips nothing else ({sorted(others)})")
    r = ladder("validate", show)
    c.check(any(line.startswith(f"{where}: {rule}: ") for line in r.stdout.splitlines()),
            f"{rule}: the text report names file and rule")
    shutil.rmtree(show)

# --profile: the show is held to the ladder it names; LIBRARY/ID means its current version
with open(os.path.join(ROOT, "profiles", "pbs16.xml")) as f:
    xml = f.read()
other = os.path.join(d, "other.xml")
with open(other, "w") as f:
    f.write(re.sub(r'(name="hls-360p-600"[^>]*profile=")main"', r'\1high"',
                   re.sub(r'(name="mp4-360p-500"[^>]*profile=")baseline"', r'\1main"', xml)))
r = ladder("validate", good, "--profile", other, "--json")
rep = json.loads(r.stdout)
c.equal(r.returncode, 1, "--profile with other rungs: exit status")
c.equal(sorted({(f["rule"], f["file"]) for f in rep["failures"]}),
        [("mp4-profile-level", MP4), ("rung-matches-profile", RUNG + "/index.m3u8")],
        "--profile: the rungs that differ are caught, nothing else")
# vbv-conformance: the same stream held to a decoder buffer far smaller than the one it was
# encoded for underflows, and the rule says when.
tight = os.path.join(d, "tight.xml")
with open(tight, "w") as f:
    f.write(re.sub(r'(name="hls-360p-600".*?)maxrate-kbps="900"  bufsize-kbps="1200"',
                   r'\1maxrate-kbps="600"  bufsize-kbps="40"', xml))
r = ladder("validate", good, "--profile", tight, "--json")
rep = json.loads(r.stdout)
c.check(r.returncode == 1 and {(f["rule"], f["file"]) for f in rep["failures"]} ==
        {("vbv-conformance", RUNG + "/index.m3u8")} and
        "underflows the rung's VBV (40 kbit at 600 kbit/s)" in rep["failures"][0]["message"],
        f"vbv-conformance: a 40 kbit buffer underflows, and nothing else fails ({rep['failures']})")
r = ladder("validate", good, "--profile", os.path.join(ROOT, "profiles", "pbs16.xml"))
c.equal(r.returncode, 0, f"--profile pbs16.xml passes ({r.stdout.strip()[-200:]})")
r = ladder("validate", good, "--profile", os.path.join(d, "missing.xml"))
c.equal(r.returncode, 1, "--profile with a missing file: exit status")
r = ladder("validate", os.path.join(lib, "good"), "--json")
c.check(r.returncode == 0 and json.loads(r.stdout)["checks"] == report["checks"],
        "LIBRARY/ID is validated as its current version (same checks, MP4s included)")
cleanup(d)
c.done()
