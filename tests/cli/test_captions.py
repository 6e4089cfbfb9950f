"""test_captions.py: sidecar caption files (SubRip, WebVTT, SCC) published with a show.

A clip is ingested with three tracks. The show must carry one HLS subtitle rendition per
track, cut at the video's segment boundaries, each segment mapped to the video's real first
PTS (read here with ffprobe, not taken from Ladder); a sidecar .vtt per language; show.json's
caption list with coverage. Third-party readers (hls-parser strict, FFmpeg's WebVTT demuxer)
read it. Each caption rule of the validator is then broken on a copy and caught by name, and
bad caption options and files are refused in one line with nothing published."""
import json
import os
import re
import shutil

from ladder_test import (ROOT, Checks, cleanup, ffprobe, ladder, make_clip, run, show_version,
                         tree_hashes, workdir)

c = Checks("captions")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "14")
lib = os.path.join(d, "lib")


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# English: a cue across the 6 s boundary, markup, and a cue after the 14 s video (left out).
EN = write("en.srt", "1\n00:00:01,000 --> 00:00:03,500\nHello <i>world</i>\n\n"
                     "2\n00:00:05,500 --> 00:00:07,250\n[door slams]\nAcross the boundary\n\n"
                     "3\n00:00:12,000 --> 00:00:13,000\nLast words\n\n"
                     "4\n00:00:20,000 --> 00:00:21,000\nafter the end\n")
ES = write("es.vtt", "WEBVTT\n\n00:00:02.000 --> 00:00:04.000\nHola\n\n"
                     "00:00:11.000 --> 00:00:13.000\nAdi\u00f3s\n")


def cc_pair(text):
    """Two characters as a CEA-608 byte pair, odd parity, as SCC writes them (hex)."""
    def odd(ch):
        b = ord(ch)
        return b | (0x80 if bin(b).count("1") % 2 == 0 else 0)
    text = text + "\0" * (len(text) % 2)
    return " ".join(f"{odd(text[i]):02x}{odd(text[i + 1]):02x}" for i in range(0, len(text), 2))


def scc_caption(at, words):
    # resume caption loading, erase hidden memory, row 15 preamble, the words, end of caption
    return f"{at}\t9420 9420 94ae 94ae 9452 9452 {cc_pair(words)} 942f 942f\n\n"


FR = write("fr.scc", "Scenarist_SCC V1.0\n\n" + scc_caption("00:00:08:00", "Bonjour") +
           "00:00:10:00\t942c 942c\n")
SPECS = [f"{EN}:en:English:sdh", f"{ES}:es:Espa\u00f1ol", f"{FR}:fr:Fran\u00e7ais"]

args = ["ingest", clip, "--id", "cc", "--library", lib, "--quiet"]
for s in SPECS:
    args += ["--captions", s]
r = ladder(*args)
if not c.equal(r.returncode, 0, f"ingest with three caption tracks ({r.stderr.strip()})"):
    c.done()
c.check("1 cue(s) start after the video ends" in r.stderr, f"the late cue is reported: {r.stderr}")
show = show_version(lib, "cc")


def read(rel):
    with open(os.path.join(show, rel), encoding="utf-8") as f:
        return f.read()


# ---- the master playlist ----------------------------------------------------------------------
master = read("master.m3u8")
subs = re.findall(r"^#EXT-X-MEDIA:TYPE=SUBTITLES,(.*)$", master, re.M)
c.equal(len(subs), 3, "three SUBTITLES renditions")
c.check(any('LANGUAGE="en"' in s and "public.accessibility.transcribes-spoken-dialog" in s
            for s in subs), "the SDH track has the accessibility characteristics")
c.check(not any('LANGUAGE="es"' in s and "CHARACTERISTICS" in s for s in subs),
        "a plain track has none")
inf = re.findall(r"^#EXT-X-STREAM-INF:(.*)$", master, re.M)
c.check(inf and all('SUBTITLES="subs"' in x for x in inf), "every variant names the group")

# ---- segments: cut where the video is, mapped to the video's first PTS --------------------------
video = re.search(r"^(hls/[^\n]+)/index\.m3u8$", master, re.M).group(1)
first_pts = min(float(p["pts_time"]) for p in
                ffprobe(os.path.join(show, video, "seg00000.ts"), "-show_entries",
                        "packet=pts_time", select="v:0")["packets"])
vextinf = re.findall(r"#EXTINF:([\d.]+)", read(f"{video}/index.m3u8"))
for lang in ("en", "es", "fr"):
    pl = read(f"subtitles/{lang}/index.m3u8")
    c.equal(re.findall(r"#EXTINF:([\d.]+)", pl), vextinf, f"{lang}: the video's EXTINF values")
    for i in range(len(vextinf)):
        seg = read(f"subtitles/{lang}/seg{i:05d}.vtt")
        m = re.search(r"^X-TIMESTAMP-MAP=MPEGTS:(\d+),LOCAL:00:00:00\.000$", seg, re.M)
        c.check(m and abs(int(m.group(1)) / 90000 - first_pts) < 1e-6,
                f"{lang} segment {i}: map {m and m.group(1)} is the video's first PTS "
                f"{first_pts * 90000:.0f}")
        r = run(["ffmpeg", "-v", "error", "-i", os.path.join(show, f"subtitles/{lang}/seg{i:05d}.vtt"),
                 "-f", "srt", "-"])
        c.check(r.returncode == 0 and not r.stderr and r.stdout.count("-->") == seg.count("-->"),
                f"ffmpeg reads {lang} segment {i}'s {seg.count('-->')} cue(s): {r.stderr}")
seg0, seg1 = read("subtitles/en/seg00000.vtt"), read("subtitles/en/seg00001.vtt")
c.check("00:00:05.500 --> 00:00:07.250\n[door slams]\nAcross the boundary" in seg0 and
        "00:00:05.500 --> 00:00:07.250\n[door slams]\nAcross the boundary" in seg1,
        "a cue across the boundary is in both segments with its own times")
c.check("Hello <i>world</i>" in seg0 and "Hello" not in seg1, "a cue only in its segment")
c.check("00:00:08.000 --> 00:00:10.000\nBonjour" in read("subtitles/fr/seg00001.vtt"),
        "SCC's caption, shown from its time code to the erase")
c.check("after the end" not in read("subtitles/en.vtt") + read("subtitles/en/seg00002.vtt"),
        "a cue after the video is left out")

# ---- sidecars and show.json -------------------------------------------------------------------
c.check(read("subtitles/en.vtt").startswith("WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n"),
        "the sidecar has times from 0 and no map")
info = json.loads(read("show.json"))
caps = {t["language"]: t for t in info.get("captions", [])}
c.equal(sorted(caps), ["en", "es", "fr"], "show.json lists the tracks")
if "en" in caps:
    en = caps["en"]
    c.equal((en["name"], en["sdh"], en["playlist"], en["sidecar"], en["cues"]),
            ("English", True, "subtitles/en/index.m3u8", "subtitles/en.vtt", 3),
            "show.json's English track")
    # 2.5 + 1.75 + 1 s of a 14 s show
    c.check(abs(en["coverage"] - 5.25 / info["duration"]) < 0.01, f"coverage {en['coverage']}")
listed = {f["path"] for f in info["files"]}
c.check({"subtitles/en.vtt", "subtitles/fr/index.m3u8", "subtitles/es/seg00002.vtt"} <= listed,
        "the caption files are in show.json's file list")

# ---- validation, and third-party readers ------------------------------------------------------
src = ["--captions", f"{EN}:en", "--captions", f"{ES}:es", "--captions", f"{FR}:fr"]
r = ladder("validate", show, *src)
c.check(r.returncode == 0, f"validate against the sources: {r.stdout[-300:]}")
js = os.path.join(ROOT, "tests", "js")
r = run(["node", os.path.join(js, "check_show.mjs"), show])
c.check(r.returncode == 0, f"hls-parser (strict) reads the subtitle playlists: {r.stdout[-300:]}")


# ---- `ladder package` publishes the same caption files as ingest ---------------------------------
tdir = os.path.join(d, "transcode")
r = ladder("transcode", clip, "--out", tdir, "--quiet")
c.equal(r.returncode, 0, f"transcode ({r.stderr.strip()})")
r = ladder("package", tdir, "--id", "cc-pkg", "--library", lib, "--quiet", "--captions", SPECS[0])
c.equal(r.returncode, 0, f"package with captions ({r.stderr.strip()})")
pkg_show = show_version(lib, "cc-pkg")
for rel in ["subtitles/en/index.m3u8", "subtitles/en/seg00001.vtt", "subtitles/en.vtt"]:
    with open(os.path.join(pkg_show, rel), encoding="utf-8") as f:
        c.equal(f.read(), read(rel), f"package and ingest write the same {rel}")

# ---- each rule, broken on a copy ----------------------------------------------------------------
def broken(name, change, rule, validate_args=src):
    copy = os.path.join(d, "broken-" + name)
    shutil.copytree(show, copy)
    change(copy)
    r = ladder("validate", copy, *validate_args)
    c.check(r.returncode == 1 and f": {rule}: " in r.stdout,
            f"{name}: validate says {rule} (exit {r.returncode}): {r.stdout[-400:]}")
    shutil.rmtree(copy)


def edit(rel, fn):
    def change(copy):
        path = os.path.join(copy, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(fn(text))
    return change


broken("map-zero", edit("subtitles/en/seg00001.vtt", lambda t: t.replace("MPEGTS:900000", "MPEGTS:0")),
       "subtitles-timestamp-map")
broken("map-gone", edit("subtitles/es/seg00000.vtt", lambda t: re.sub(r"X-TIMESTAMP-MAP=.*\n", "", t)),
       "subtitles-timestamp-map")
broken("cue-late", edit("subtitles/es/seg00001.vtt", lambda t: t.replace("00:00:11.000 -->", "00:00:11.100 -->")),
       "subtitles-cue-timing")
broken("repeat-dropped", edit("subtitles/en/seg00001.vtt", lambda t: t.split("\n\n")[0] + "\n"),
       "subtitles-cue-timing")
broken("cue-extra", edit("subtitles/fr/seg00000.vtt", lambda t: t + "\n00:00:01.000 --> 00:00:02.000\nextra\n"),
       "subtitles-cue-timing")
broken("cut-elsewhere", edit("subtitles/es/index.m3u8", lambda t: t.replace("#EXTINF:6.000000", "#EXTINF:5.000000", 1)),
       "subtitles-segments-aligned")
broken("variant-without", edit("master.m3u8", lambda t: t.replace(',SUBTITLES="subs"', "", 1)),
       "subtitles-signalled")
broken("sidecar-moved", edit("subtitles/en.vtt", lambda t: t.replace("00:00:12.000 -->", "00:00:12.500 -->")),
       "captions-sidecar")
broken("source-missing", lambda copy: None, "captions-match-source", ["--captions", f"{EN}:de"])
# Without the sources, the show's sidecar is the reference: a segment that disagrees is caught.
broken("no-source", edit("subtitles/en/seg00000.vtt", lambda t: t.replace("Hello", "Goodbye")),
       "subtitles-cue-timing", [])

# ---- refusals: one line, exit 1, nothing published ----------------------------------------------
before = tree_hashes(lib)
NOT_CAPTIONS = write("notes.srt", "just some notes\nnot captions\n")
EMPTY = write("empty.vtt", "WEBVTT\n")
BACKWARDS = write("back.srt", "1\n00:00:05,000 --> 00:00:04,000\nno\n")
for name, spec, words in [
    ("missing file", os.path.join(d, "nope.srt"), "no such caption file"),
    ("not captions", NOT_CAPTIONS, "not a caption file"),
    ("a video as captions", clip, "not captions"),
    ("no cues", EMPTY, "no captions in the file"),
    ("cue ends before it starts", BACKWARDS, "before it starts"),
    ("bad language", f"{EN}:english!", "not a language tag"),
    ("two tracks in one language", None, "one per language"),
    ("quote in name", f'{EN}:en:say "hi"', "without quotes"),
    ("bad flag", f"{EN}:en:English:loud", "expected FILE[:LANG[:NAME[:sdh]]]"),
]:
    extra = ["--captions", f"{EN}:en", "--captions", f"{ES}:EN"] if spec is None else ["--captions", spec]
    r = ladder("ingest", clip, "--id", "cc", "--library", lib, "--quiet", *extra, timeout=120)
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and words in lines[0],
            f"{name}: exit {r.returncode}, {r.stderr.strip()!r}")
c.check(tree_hashes(lib) == before, "the library is untouched by the refusals")

cleanup(d)
c.done()
