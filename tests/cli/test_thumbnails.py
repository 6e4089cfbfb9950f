"""test_thumbnails.py: trick-play thumbnails (docs/packager.md, "Thumbnails"). A 16 s 640x360
clip is ingested with the small player ladder as fMP4; then:
- show.json lists 160 and 320 px tiles; each WebVTT track parses, its cues run from 0 to the
  show's duration without gaps, and every #xywh rectangle lies inside its sheet, a JPEG of the
  declared 5x5-tile size; the image media playlists and the master playlists name them;
- each tile is the frame it names: the tile cropped out of its sheet (ffmpeg's crop filter)
  against the frame ffmpeg decodes from the mezzanine at the cue's start, scaled to the tile
  size, has a luma PSNR above PSNR_MIN; the same tile against the frame one interval later
  scores below it, so a tile off by one interval fails;
- the validator passes the show, and its thumbnail rules fire on crafted bad copies: a shrunk
  sheet, a cue pointing outside its sheet, a missing sheet, a gap in the cues; a copy without
  thumbnails (as a show made before them) passes;
- a profile with thumbnails="off" publishes none.
PSNR_MIN: measured on this clip (testsrc2, the smallest rung at least 320 px wide), right-time
tiles scored 27.9-29.9 dB at 320 px (29.0-31.3 at 160) and wrong-time ones (one interval
later) 20.9-23.1 dB (21.3-23.5); 26 dB
sits between with 2 dB either side (docs/packager.md)."""
import json
import os
import re
import shutil

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, run, show_version, workdir

PSNR_MIN = 26.0

c = Checks("thumbnails")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "16")
with open(os.path.join(ROOT, "tests", "browser", "player-ladder.xml")) as f:
    ladder_xml = f.read()
profile = os.path.join(d, "fmp4.xml")
with open(profile, "w") as f:
    f.write(ladder_xml.replace('container="ts"', 'container="fmp4"'))
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "thumbs", "--library", lib, "--profile", profile, "--quiet")
if not c.equal(r.returncode, 0, f"ingest ({r.stderr.strip()})"):
    c.done()
show = show_version(lib, "thumbs")
with open(os.path.join(show, "show.json")) as f:
    doc = json.load(f)
duration = doc["duration"]
thumbs = doc.get("thumbnails", [])
c.equal([(t["width"], t["height"]) for t in thumbs], [(160, 90), (320, 180)],
        "show.json: 160x90 and 320x180 tiles")
listed = {f["path"] for f in doc["files"]}


def jpeg_size(path):
    r = run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
             path])
    return tuple(int(x) for x in r.stdout.strip().split(",")) if r.returncode == 0 else None


def parse_vtt(path):
    """[(start, end, payload)]; raises ValueError when a cue does not parse."""
    with open(path) as f:
        text = f.read()
    if not text.startswith("WEBVTT"):
        raise ValueError("no WEBVTT header")
    ts = r"(\d+):(\d\d):(\d\d)\.(\d{3})"
    cues = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        m = re.fullmatch(ts + " --> " + ts, lines[0])
        if not m or len(lines) != 2:
            raise ValueError(f"bad cue {block!r}")
        g = [int(x) for x in m.groups()]
        cues.append((g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000,
                     g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000, lines[1]))
    return cues


def tile_psnr(sheet, x, y, w, h, t):
    """Luma PSNR of the tile at x,y against the mezzanine's frame at t s, scaled to w x h."""
    r = run(["ffmpeg", "-hide_banner", "-nostats", "-i", sheet, "-ss", f"{t:.3f}", "-i", clip,
             "-filter_complex",
             f"[0]crop={w}:{h}:{x}:{y},format=yuv420p[a];"
             f"[1]scale={w}:{h}:flags=area,format=yuv420p[b];[a][b]psnr",
             "-frames:v", "1", "-f", "null", "-"])
    m = re.search(r"PSNR y:([0-9.]+|inf)", r.stderr)
    return float(m.group(1)) if m else 0.0


for t in thumbs:
    w, h, per = t["width"], t["height"], t["columns"] * t["rows"]
    sheet_size = (t["columns"] * w, t["rows"] * h)
    sheets = [f"{t['playlist'].rsplit('/', 1)[0]}/sheet{k:05d}.jpg" for k in range(t["sheets"])]
    c.check(all(p in listed for p in sheets + [t["vtt"], t["playlist"]]),
            f"{w}: show.json's files list the sheets, the .vtt and the playlist")
    sizes = {s: jpeg_size(os.path.join(show, s)) for s in sheets}
    c.check(all(v == sheet_size for v in sizes.values()), f"{w}: every sheet is {sheet_size} ({sizes})")
    try:
        cues = parse_vtt(os.path.join(show, t["vtt"]))
    except ValueError as e:
        c.check(False, f"{w}: the VTT parses ({e})")
        continue
    c.equal(len(cues), t["tiles"], f"{w}: one cue per tile")
    c.check(cues and cues[0][0] == 0 and abs(cues[-1][1] - duration) < 0.002 and
            all(a[1] == b[0] for a, b in zip(cues, cues[1:])),
            f"{w}: the cues cover 0..{duration} s without gaps")
    right, wrong, outside = [], [], []
    for i, (start, end, payload) in enumerate(cues):
        m = re.fullmatch(r"(\d+/sheet\d{5}\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)", payload)
        if not m:
            outside.append(payload)
            continue
        sheet = os.path.join(os.path.dirname(os.path.join(show, t["vtt"])), m.group(1))
        x, y, tw, th = (int(v) for v in m.groups()[1:])
        size = jpeg_size(sheet)
        if not size or x + tw > size[0] or y + th > size[1] or (tw, th) != (w, h):
            outside.append(payload)
            continue
        right.append(tile_psnr(sheet, x, y, tw, th, start))
        other = start + t["interval"] if i + 1 < len(cues) else start - t["interval"]
        wrong.append(tile_psnr(sheet, x, y, tw, th, other))
    c.check(not outside, f"{w}: every #xywh lies inside its sheet (bad: {outside[:3]})")
    print(f"{w}: PSNR at the cue's time {min(right):.1f}-{max(right):.1f} dB, "
          f"one interval off {min(wrong):.1f}-{max(wrong):.1f} dB")
    c.check(min(right) > PSNR_MIN, f"{w}: every tile is its cue's frame (PSNR > {PSNR_MIN} dB)")
    c.check(max(wrong) < PSNR_MIN, f"{w}: a tile one interval off scores below {PSNR_MIN} dB")
    with open(os.path.join(show, t["playlist"])) as f:
        pl = f.read()
    c.check("#EXT-X-IMAGES-ONLY" in pl and
            f"#EXT-X-TILES:RESOLUTION={w}x{h},LAYOUT=5x5,DURATION=2" in pl and
            re.findall(r"^sheet\d{5}\.jpg$", pl, re.M) == [s.rsplit("/", 1)[1] for s in sheets],
            f"{w}: the image media playlist lists the sheets with EXT-X-TILES")
    for name, prefix in (("master.m3u8", ""), ("../master.m3u8", "v1/")):
        with open(os.path.join(show, name)) as f:
            master = f.read()
        c.check(re.search(rf'^#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=\d+,RESOLUTION={w}x{h},'
                          rf'CODECS="jpeg",URI="{prefix}{t["playlist"]}"$', master, re.M),
                f"{w}: {name} has its EXT-X-IMAGE-STREAM-INF")


def validate(folder):
    r = ladder("validate", folder, "--profile", profile, "--json")
    try:
        return {f["rule"] for f in json.loads(r.stdout)["failures"]}
    except (ValueError, KeyError):
        return {"unreadable: " + r.stdout[:200] + r.stderr[:200]}


c.equal(validate(show), set(), "the validator passes the show")


def bad_copy(name, edit):
    copy = os.path.join(d, name)
    shutil.copytree(show, copy, symlinks=True)
    edit(copy)
    found = {rule for rule in validate(copy) if rule.startswith("thumbnail")}
    shutil.rmtree(copy)  # its broken show.json is not for cleanup()'s schema check
    return found


def shrink(copy):
    p = os.path.join(copy, "thumbnails", "320", "sheet00000.jpg")
    run(["ffmpeg", "-v", "error", "-y", "-i", p, "-vf", "scale=800:450", p + ".jpg"])
    os.replace(p + ".jpg", p)


def rewrite(path, old, new):
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


def edit_show_json(copy, edit):
    with open(os.path.join(copy, "show.json")) as f:
        j = json.load(f)
    edit(j)
    with open(os.path.join(copy, "show.json"), "w") as f:
        json.dump(j, f)


cases = [
    ("untold", lambda s: edit_show_json(s, lambda j: j["thumbnails"][0].pop("tiles")),
     {"thumbnail-show-json"}),
    ("upward", lambda s: edit_show_json(s, lambda j: j["thumbnails"][1].update(vtt="../x.vtt")),
     {"thumbnail-show-json"}),
    ("unlisted", lambda s: rewrite(os.path.join(s, "master.m3u8"), "#EXT-X-IMAGE-STREAM-INF:",
                                   "#EXT-X-IGNORED:"), {"thumbnail-master-entry"}),
    ("shrunk", shrink, {"thumbnail-sheet-size", "thumbnail-tile-inside-sheet"}),
    ("outside", lambda s: rewrite(os.path.join(s, "thumbnails", "160.vtt"), "#xywh=160,0,",
                                  "#xywh=700,0,"), {"thumbnail-tile-inside-sheet"}),
    ("missing", lambda s: os.remove(os.path.join(s, "thumbnails", "160", "sheet00000.jpg")),
     {"thumbnail-sheet-size", "thumbnail-tile-inside-sheet"}),
    ("gap", lambda s: rewrite(os.path.join(s, "thumbnails", "320.vtt"),
                              "00:00:02.000 --> 00:00:04.000", "00:00:02.500 --> 00:00:04.000"),
     {"thumbnail-timing"}),
    ("older", lambda s: (shutil.rmtree(os.path.join(s, "thumbnails")),
                         edit_show_json(s, lambda j: j.pop("thumbnails"))), set()),
]
for name, edit, want in cases:
    c.equal(bad_copy(name, edit), want, f"validator on the {name} copy: {sorted(want) or 'passes'}")

# thumbnails="off": none published, none listed
short = make_clip("good", os.path.join(d, "short.mp4"), "--size", "640x360", "--duration", "4")
off = os.path.join(d, "off.xml")
with open(off, "w") as f:
    f.write(ladder_xml.replace('container="ts"', 'container="ts" thumbnails="off"'))
r = ladder("ingest", short, "--id", "off", "--library", lib, "--profile", off, "--quiet")
if c.equal(r.returncode, 0, f"ingest with thumbnails=\"off\" ({r.stderr.strip()})"):
    folder = show_version(lib, "off")
    with open(os.path.join(folder, "show.json")) as f:
        c.check("thumbnails" not in json.load(f) and
                not os.path.exists(os.path.join(folder, "thumbnails")),
                'thumbnails="off": no thumbnails/ and no show.json "thumbnails"')
    with open(os.path.join(folder, "master.m3u8")) as f:
        c.check("IMAGE-STREAM-INF" not in f.read(), 'thumbnails="off": no EXT-X-IMAGE-STREAM-INF')
cleanup(d)
c.done()
