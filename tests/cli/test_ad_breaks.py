"""test_ad_breaks.py: `--ad-breaks` conditions every rung (docs/ads.md). On a 1080p 59.94 clip
(so all 16 rungs are made, the low ones at half rate), breaks at 0, 3.37 and 5.12 s (not on the
2 s IDR grid; 5.12 s is an odd source frame, which the half-rate rungs do not have: they start
the break on their next picture, one source frame later):

- ffprobe on the written files, not our own readers: in every HLS rung a segment starts at each
  break's frame with an IDR (TS packet flags and the first frame's pict_type), no segment is
  longer than the target duration, and every MP4 fallback has a keyframe there;
- the 2 s IDR grid still holds in every rung, and every rung agrees on the segments;
- every media playlist carries the same EXT-X-PROGRAM-DATE-TIME and EXT-X-DATERANGE lines;
- show.json lists the breaks;
- `ladder transcode --ad-breaks` then `ladder package` publishes the same playlists, and
  `ladder package --ad-breaks` can re-plan the breaks' durations and drop breaks, but not add
  one the transcode did not condition;
- bad lists (past the end, negative, not a time, closer than 1 s, a zero duration) fail in
  one line with exit 1, and publish nothing."""
import glob
import json
import os
import re

from ladder_test import Checks, cleanup, ffprobe, ladder, make_clip, show_version, workdir

FPS_NUM, FPS_DEN = 60000, 1001
ASKED = "0,3.37/20,5.12/12.5"
c = Checks("ad_breaks")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "1920x1080", "--duration", "8",
                 "--fps", f"{FPS_NUM}/{FPS_DEN}")
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "ads", "--library", lib, "--ad-breaks", ASKED, "--quiet")
if not c.equal(r.returncode, 0, f"ingest with breaks ({r.stderr.strip()})"):
    c.done()
show = show_version(lib, "ads")
with open(os.path.join(show, "show.json")) as f:
    doc = json.load(f)


def frame_time(seconds):
    frame = round(seconds * FPS_NUM / FPS_DEN)
    return frame, frame * FPS_DEN / FPS_NUM


breaks = [frame_time(float(b.split("/")[0])) for b in ASKED.split(",")]
c.equal([(b["id"], b["frame"], b["duration"], b["source"]) for b in doc.get("breaks", [])],
        [("break-1", breaks[0][0], 30, "option"), ("break-2", breaks[1][0], 20, "option"),
         ("break-3", breaks[2][0], 12.5, "option")], "show.json breaks")
c.equal(len(doc["renditions"]), 16, "all 16 rungs made")


def playlist_segments(path):
    """[(start, duration, uri)] and the target duration of a media playlist."""
    segs, t, target = [], 0.0, None
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":")[1])
        if line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
            segs.append((t, dur, lines[i + 1]))
            t += dur
    return segs, target


TS_OFFSET = 10.0  # the packager's TS timestamp offset (packager/pkg_internal.h)
hls = [r for r in doc["renditions"] if r["use"] == "hls"]
starts_by_rung = {}
SOURCE_FRAME = FPS_DEN / FPS_NUM
for rung in hls:
    folder = os.path.join(show, "hls", rung["name"])
    segs, target = playlist_segments(os.path.join(folder, "index.m3u8"))
    rate = ffprobe(os.path.join(folder, segs[0][2]), "-show_streams", select="v:0")["streams"][0]
    num, den = map(int, rate["r_frame_rate"].split("/"))
    # the break's own frame, or a capped rung's next picture: its first at or after the break
    late = SOURCE_FRAME if num / den < 40 else 0
    starts_by_rung[rung["name"]] = len(segs)
    c.check(all(dur <= target + 0.0005 for _, dur, _ in segs),
            f"{rung['name']}: no segment longer than the target ({target} s)")
    for frame, t in breaks:
        at = [s for s in segs if t - 0.0005 < s[0] < t + late + 0.0005]
        if not c.check(at, f"{rung['name']}: a segment starts at the break at {t:.3f} s"):
            continue
        seg = os.path.join(folder, at[0][2])
        first = ffprobe(seg, "-show_entries", "packet=pts_time,flags", "-read_intervals", "%+#1",
                        select="v:0")["packets"][0]
        pic = ffprobe(seg, "-show_entries", "frame=pict_type,key_frame", "-read_intervals",
                      "%+#1", select="v:0")["frames"][0]
        c.check("K" in first["flags"] and pic["pict_type"] == "I" and pic["key_frame"] == 1,
                f"{rung['name']}: {at[0][2]} starts with a keyframe I picture")
        c.check(t - 0.0005 < float(first["pts_time"]) - TS_OFFSET < t + late + 0.0005,
                f"{rung['name']}: {at[0][2]} starts on the break's frame "
                f"({float(first['pts_time']) - TS_OFFSET:.4f} s, want {t:.4f} s"
                f"{' or one source frame later' if late else ''})")
        if not late:
            c.check(abs(at[0][0] - t) < 0.0005, f"{rung['name']}: exactly on the break's frame")
    keys = [float(p["pts_time"]) - TS_OFFSET for seg in sorted(glob.glob(folder + "/seg*.ts"))
            for p in ffprobe(seg, "-show_entries", "packet=pts_time,flags", select="v:0")["packets"]
            if "K" in p["flags"]]
    frame = FPS_DEN / FPS_NUM  # the grid's IDR: the first source frame at or after 2k s
    c.check(all(any(g - 1e-6 <= k < g + frame for k in keys) for g in range(0, 8, 2)),
            f"{rung['name']}: the 2 s IDR grid holds ({keys})")
c.equal(len(set(starts_by_rung.values())), 1, "every HLS rung has the same number of segments")

for mp4 in sorted(glob.glob(os.path.join(show, "mp4", "*.mp4"))):
    keys = [float(f["pts_time"]) for f in ffprobe(mp4, "-skip_frame", "nokey", "-show_entries",
                                                  "frame=pts_time", select="v:0")["frames"]]
    for _, t in breaks:
        c.check(any(t - 0.0005 < k < t + SOURCE_FRAME + 0.0005 for k in keys),
                f"{os.path.basename(mp4)}: a keyframe at the break at {t:.3f} s (or, capped, "
                "on its next picture)")


def signalling(path):
    return [l for l in open(path).read().splitlines()
            if l.startswith(("#EXT-X-PROGRAM-DATE-TIME", "#EXT-X-DATERANGE"))]


playlists = sorted(glob.glob(os.path.join(show, "hls", "*", "*.m3u8")))
tags = {p: signalling(p) for p in playlists}
first = tags[playlists[0]]
c.equal(len(first), 4, "one PDT and three DATERANGEs")
c.check(all(v == first for v in tags.values()),
        f"the same PDT and DATERANGE lines in all {len(playlists)} media playlists")
c.check(first and first[0] == "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z", "the PDT epoch")
for b, line in zip(doc.get("breaks", []), first[1:]):
    c.check(f'ID="{b["id"]}"' in line and f'START-DATE="{b["start_date"]}"' in line and
            f'X-ASSET-LIST="/ads/ads/{b["id"]}.json"' in line and
            'CLASS="com.apple.hls.interstitial"' in line and 'X-RESTRICT="SKIP,JUMP"' in line and
            "X-RESUME-OFFSET=0" in line and f"PLANNED-DURATION={b['duration']:.3f}" in line,
            f"the DATERANGE of {b['id']}: {line}")
    c.equal('CUE="PRE"' in line, b["time"] == 0, f"{b['id']}: CUE=PRE only on the pre-roll")

# The same through `ladder transcode` and `ladder package`.
out = os.path.join(d, "tc")
r = ladder("transcode", clip, "--out", out, "--ad-breaks", ASKED, "--quiet")
c.equal(r.returncode, 0, f"transcode with breaks ({r.stderr.strip()})")
r = ladder("package", out, "--id", "ads2", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"package ({r.stderr.strip()})")
show2 = show_version(lib, "ads2")
for p in playlists:
    rel = os.path.relpath(p, show)
    other = os.path.join(show2, rel)
    c.check(os.path.exists(other) and
            open(other).read() == open(p).read().replace("/ads/ads/", "/ads/ads2/"),
            f"package writes the same {rel} as ingest")
r = ladder("package", out, "--id", "ads3", "--library", lib, "--ad-breaks", "5.12,3.37/45,0/6",
           "--quiet")
c.equal(r.returncode, 0, f"package re-planning the durations ({r.stderr.strip()})")
if r.returncode == 0:
    kept = signalling(os.path.join(show_version(lib, "ads3"), "hls", "audio", "index.m3u8"))
    c.check([re.search(r"PLANNED-DURATION=([0-9.]+)", k).group(1) for k in kept[1:]] ==
            ["6.000", "45.000", "30.000"], f"the durations re-planned: {kept}")
r = ladder("package", out, "--id", "ads4", "--library", lib, "--ad-breaks", "0,3.37", "--quiet")
c.equal(r.returncode, 0, f"package dropping a break ({r.stderr.strip()})")
r = ladder("package", out, "--id", "ads5", "--library", lib, "--ad-breaks", "0,3.37,4.5",
           "--quiet")
c.check(r.returncode == 1 and "no IDR there" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
        f"package refuses a break the transcode did not condition ({r.stderr.strip()})")

# Bad lists: one line, exit 1, nothing published.
for bad, words in [("9", "past the end"), ("-1", "negative"), ("abc", "not a time"),
                   ("1:75", "not a time"), ("2,2.5", "closer than"), ("2/0", "duration"),
                   ("2,,3", "empty"), ("2/-5", "duration")]:
    r = ladder("ingest", clip, "--id", "bad", "--library", lib, "--ad-breaks", bad, "--quiet")
    c.check(r.returncode == 1 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1,
            f"--ad-breaks {bad}: exit 1 with one line naming it ({r.returncode}: "
            f"{r.stderr.strip()})")
c.check(not os.path.exists(os.path.join(lib, "bad")), "no bad list published anything")
cleanup(d)
c.done()
