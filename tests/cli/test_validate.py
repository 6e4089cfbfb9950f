"""test_validate.py: `ladder validate` passes a freshly published show, and for each rule a copy
of the show broken on purpose is caught with that rule's name, the file, and exit status 1."""
import json
import os
import re
import shutil

from ladder_test import Checks, cleanup, ingest_clip, ladder, run, show_version, workdir

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

RUNG = "hls/hls-360p-600"


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


BREAKS = [
    ("extm3u-first", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.split("\n", 1)[1])),
    ("playlist-type-vod", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXT-X-PLAYLIST-TYPE:VOD\n", ""))),
    ("endlist", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("#EXT-X-ENDLIST\n", ""))),
    ("target-duration-6", RUNG + "/index.m3u8", lambda s: edit(s, RUNG + "/index.m3u8", lambda t: t.replace("TARGETDURATION:6", "TARGETDURATION:10"))),
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
    ("cellular-audio-variant", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r"#EXT-X-STREAM-INF:[^\n]*CODECS=\"mp4a.40.2\"\nhls/audio/index.m3u8\n", "", t))),
    ("iframe-stream-per-variant", "master.m3u8", lambda s: edit(s, "master.m3u8", lambda t: re.sub(r"#EXT-X-I-FRAME-STREAM-INF:[^\n]*\n", "", t, count=1))),
    ("mp4-faststart", "mp4/mp4-360p-500.mp4", lambda s: ffmpeg_copy(s, "mp4/mp4-360p-500.mp4")),
    ("mp4-not-fragmented", "mp4/mp4-360p-500.mp4", lambda s: ffmpeg_copy(s, "mp4/mp4-360p-500.mp4", "-movflags", "+frag_keyframe+empty_moov")),
]

for rule, where, breaker in BREAKS:
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
    r = ladder("validate", show)
    c.check(any(line.startswith(f"{where}: {rule}: ") for line in r.stdout.splitlines()),
            f"{rule}: the text report names file and rule")
    shutil.rmtree(show)
cleanup(d)
c.done()
