"""test_validate_ads.py: the ad rules of `ladder validate` (docs/hls-rules.md#ads) on a real show.
A 5 s clip ingested with --ad-breaks 0,1.5,3.3 passes; copies broken in one respect each fail
with that rule's name on the file, exit status 1, and nothing outside the rules the break cannot
help tripping. Then --ad and --stitched: an ad show (the same clip, no breaks) and stitched
playlists made here as the origin makes them (the show's segments, the whole ad at each break,
EXT-X-DISCONTINUITY on both sides) pass, and broken ones fail."""
import json
import os
import re
import shutil

import ts_edit
from ladder_test import Checks, cleanup, ladder, make_clip, run, show_version, workdir

c = Checks("validate_ads")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "5")
lib = os.path.join(d, "lib")
vtt = os.path.join(d, "en.vtt")
with open(vtt, "w") as f:
    f.write("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello\n\n"
            "00:00:02.500 --> 00:00:04.500\nAds\n")
r = ladder("ingest", clip, "--id", "news", "--library", lib, "--quiet", "--ad-breaks", "0,1.5,3.3",
           "--captions", vtt + ":en")
if not c.equal(r.returncode, 0, f"ingest with breaks ({r.stderr.strip()})"):
    c.done()
r = ladder("ingest", clip, "--id", "spot", "--library", lib, "--quiet")
if not c.equal(r.returncode, 0, f"ingest of the ad ({r.stderr.strip()})"):
    c.done()
good = show_version(lib, "news")
ad = show_version(lib, "spot")
with open(os.path.join(good, "show.json")) as f:
    BREAKS = json.load(f)["breaks"]
c.equal([b["id"] for b in BREAKS], ["break-1", "break-2", "break-3"], "show.json lists the breaks")
r = ladder("validate", good, "--json")
rep = json.loads(r.stdout)
c.check(r.returncode == 0 and rep["ok"], f"the show with breaks passes ({rep['failures'][:3]})")

with open(os.path.join(good, "master.m3u8")) as f:
    VARIANTS = re.findall(r"^(hls/[^\n]+)/index\.m3u8$", f.read(), re.M)
VIDEO = [v for v in VARIANTS if v != "hls/audio"]
FIRST = VIDEO[0] + "/index.m3u8"  # the reference for the DATERANGE set
RUNG = VIDEO[-1] + "/index.m3u8"  # another variant
MP4 = "mp4/" + sorted(os.listdir(os.path.join(good, "mp4")))[0]


def edit(show, rel, fn):
    path = os.path.join(show, rel)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(fn(text))


def every_playlist(show, fn):
    """fn on every media and I-frame playlist that carries DATERANGE tags."""
    for top, _, files in os.walk(show):
        for name in files:
            rel = os.path.relpath(os.path.join(top, name), show)
            if name.endswith(".m3u8") and "/" in rel and \
                    "#EXT-X-DATERANGE" in open(os.path.join(show, rel)).read():
                edit(show, rel, fn)


def move_break2(text):
    """break-2's START-DATE 0.1 s later."""
    def later(m):
        ms = int(m.group(2)) * 1000 + int(m.group(3)) + 100
        return m.group(1) + "%02d.%03dZ" % (ms // 1000, ms % 1000)
    return re.sub(r'(ID="break-2"[^\n]*START-DATE="\d{4}-\d\d-\d\dT\d\d:\d\d:)(\d\d)\.(\d{3})Z',
                  later, text)


def shift_pdt(text):
    return re.sub(r"#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00\.000Z",
                  "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:01.000Z", text)


def drop_pdt(text):
    return re.sub(r"#EXT-X-PROGRAM-DATE-TIME:[^\n]*\n", "", text)


def drop_class(text):
    return re.sub(r'(ID="break-2"[^\n]*),CLASS="com\.apple\.hls\.interstitial"', r"\1", text)


def show_json(show, fn):
    edit(show, "show.json", lambda t: json.dumps(fn(json.loads(t))))


def set_duration(j):
    j["breaks"][1]["duration"] += 1
    return j


def swap_ids(j):
    j["breaks"][0]["id"], j["breaks"][1]["id"] = j["breaks"][1]["id"], j["breaks"][0]["id"]
    return j


def segment_at(show, rel, t):
    """The segment file of the playlist at rel that starts at t seconds."""
    text = open(os.path.join(show, rel)).read()
    at = 0.0
    for dur, uri in re.findall(r"#EXTINF:([0-9.]+),[^\n]*\n(?:#[^\n]*\n)*([^#\n][^\n]*)", text):
        if abs(at - t) < 0.02:
            return os.path.join(show, os.path.dirname(rel), uri)
        at += float(dur)
    raise RuntimeError(f"no segment of {rel} starts at {t}")


def reencode_mp4(show):
    """The MP4 again with one keyframe every 10 s: the breaks are no sync samples any more."""
    src = os.path.join(show, MP4)
    tmp = src + ".tmp.mp4"
    probe = json.loads(run(["ffprobe", "-v", "error", "-of", "json", "-select_streams", "v:0",
                            "-show_entries", "stream=profile,level,bit_rate", src]).stdout)
    s = probe["streams"][0]
    profile = "baseline" if "Baseline" in s["profile"] else s["profile"].split()[0].lower()
    run(["ffmpeg", "-v", "error", "-y", "-i", src, "-map", "0", "-c:a", "copy", "-c:v", "libx264",
         "-profile:v", profile, "-level", "%.1f" % (s["level"] / 10),
         "-x264-params", "keyint=250:min-keyint=250:scenecut=0",
         "-b:v", s.get("bit_rate", "300000"),
         "-movflags", "+faststart", tmp])
    os.replace(tmp, src)


T2 = BREAKS[1]["time"]
CASES = [
    # (rule, file, breaker, other rules the break may trip)
    ("daterange-same-in-every-playlist", RUNG, lambda s: edit(s, RUNG, move_break2),
     ("daterange-start-date",)),
    ("daterange-needs-pdt", RUNG, lambda s: edit(s, RUNG, drop_pdt), ()),
    ("daterange-start-date", RUNG, lambda s: edit(s, RUNG, shift_pdt), ()),
    ("daterange-matches-show-json", FIRST, lambda s: show_json(s, set_duration), ()),
    ("daterange-interstitial", FIRST, lambda s: every_playlist(s, drop_class), ()),
    ("show-json-breaks", "show.json", lambda s: show_json(s, swap_ids),
     ("daterange-matches-show-json",)),
    ("break-on-segment-idr", RUNG,
     lambda s: ts_edit.idr_to_non_idr(segment_at(s, RUNG, T2), 0),
     ("segment-starts-with-idr", "idr-interval", "idr-aligned-across-rungs")),
    ("break-on-mp4-keyframe", MP4, reencode_mp4,
     ("peak-bandwidth-within-10pct", "average-bandwidth-within-10pct")),
]
for rule, where, breaker, also in CASES:
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
    others = {f["rule"] for f in rep["failures"]} - {rule} - set(also)
    c.check(not others, f"{rule}: the break trips nothing else ({sorted(others)})")
    r = ladder("validate", show)
    c.check(any(line.startswith(f"{where}: {rule}: ") for line in r.stdout.splitlines()),
            f"{rule}: the text report names file and rule")
    shutil.rmtree(show)

# ---- --ad: the ad's rungs --------------------------------------------------------------------
r = ladder("validate", good, "--ad", ad)
c.equal(r.returncode, 0, f"--ad with the same rungs passes ({r.stdout.strip()[-300:]})")
other = os.path.join(d, "other-ad")
shutil.copytree(ad, other)
edit(other, "master.m3u8", lambda t: re.sub(r"#EXT-X-STREAM-INF:[^\n]*\n%s\n" % re.escape(RUNG),
                                            "", t))
r = ladder("validate", good, "--ad", other, "--json")
rep = json.loads(r.stdout)
c.check(r.returncode == 1 and [(f["rule"], f["file"]) for f in rep["failures"]] ==
        [("ad-rungs-match", other)], f"--ad with a rung less: ad-rungs-match ({rep['failures']})")


# ---- --stitched: the origin's stitched playlist, made here -----------------------------------
def entries(text):
    return re.findall(r"(#EXTINF:[^\n]*)\n([^#\n][^\n]*)", text)


def stitch(rel, ad_breaks=None, disc_after=True, ad_stretch=0, target=None):
    """The stitched media playlist of rendition rel: news's segments, the whole ad at every
    break (or at those in ad_breaks), each ad between discontinuities; ad_stretch seconds added
    to the ad's last EXTINF."""
    base = "/shows/news/%s/%s/" % (os.path.basename(good), os.path.dirname(rel))
    ad_base = "/shows/spot/%s/%s/" % (os.path.basename(ad), os.path.dirname(rel))
    show_text = open(os.path.join(good, rel)).read()
    if rel.startswith("subtitles/"):  # the origin's empty WebVTT for the ad's length
        ad_video = entries(open(os.path.join(ad, RUNG)).read())
        total = sum(float(inf[8:].split(",")[0]) for inf, _ in ad_video)
        ad_entries = [("#EXTINF:%.6f," % (total / 2), "/stitched/empty.vtt")] * 2
        ad_base = ""
    else:
        ad_entries = entries(open(os.path.join(ad, rel)).read())
    if ad_stretch:
        inf = ad_entries[-1][0]
        ad_entries[-1] = ("#EXTINF:%.6f," % (float(inf[8:].split(",")[0]) + ad_stretch),
                          ad_entries[-1][1])
    starts = [b["time"] for i, b in enumerate(BREAKS) if ad_breaks is None or i in ad_breaks]
    out = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:%d" % (target or 6),
           "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"]
    at, after_ad = 0.0, False
    for inf, uri in entries(show_text):
        if any(abs(at - t) < 0.05 for t in starts):  # audio: cut at the nearest AAC frame
            out.append("#EXT-X-DISCONTINUITY")
            for ainf, auri in ad_entries:
                out += [ainf, ad_base + auri]
            after_ad = True
        if after_ad and disc_after:
            out.append("#EXT-X-DISCONTINUITY")
        after_ad = False
        out += [inf, base + uri]
        at += float(inf[8:].split(",")[0])
    out.append("#EXT-X-ENDLIST")
    return "\n".join(out) + "\n"


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


stitched = [write("st-%d.m3u8" % i, stitch(v + "/index.m3u8"))
            for i, v in enumerate(VARIANTS + ["subtitles/en"])]
r = ladder("validate", good, "--ad", ad, *sum((["--stitched", p] for p in stitched), []))
c.equal(r.returncode, 0,
        f"stitched playlists of every variant and the subtitles pass ({r.stdout.strip()[-300:]})")
STITCHED_CASES = [
    ("stitched-discontinuities", stitch(RUNG, disc_after=False)),
    ("stitched-durations", stitch(RUNG, ad_stretch=0.5)),
    ("stitched-durations", stitch(RUNG, ad_breaks=[1]).replace("seg00002.ts\n", "x.ts\n")),
    ("stitched-target-duration", stitch(RUNG, target=2)),
    ("stitched-durations", stitch("subtitles/en/index.m3u8").replace(
        "/stitched/empty.vtt\n#EXT-X-DISCONTINUITY", "/stitched/empty.vtt\n#EXTINF:1.0,\n"
        "/stitched/empty.vtt\n#EXT-X-DISCONTINUITY", 1)),  # a span a second too long
]
for rule, text in STITCHED_CASES:
    path = write("broken-" + rule + ".m3u8", text)
    r = ladder("validate", good, "--ad", ad, "--stitched", path, "--json")
    rep = json.loads(r.stdout)
    rules = {(f["rule"], f["file"]) for f in rep["failures"]}
    c.check(r.returncode == 1 and (rule, path) in rules,
            f"{rule}: caught in the stitched playlist ({rep['failures'][:3]})")
    c.check({x for x, _ in rules} <= {rule, "stitched-durations"},
            f"{rule}: nothing else but stitched-durations fires ({sorted(rules)})")
r = ladder("validate", good, "--stitched", os.path.join(d, "missing.m3u8"))
c.equal(r.returncode, 1, "--stitched with a missing file: exit status")
cleanup(d)
c.done()
