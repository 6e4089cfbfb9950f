"""test_cc608.py: CEA-608 captions from the mezzanine to every rendition and to WebVTT.

Sources come from tests/media/make-captioned.sh: a MOV with a c608 caption track, and MP4s with
the 608 inside their H.264 (A/53 SEI), at 29.97... 30 fps (every rung at the source's rate), at
59.94 fps (every 640x360 rung capped to 29.97, so the bytes are repaced) and at 25 fps (a rate
608 has no pacing for). What Ladder made is read back by FFmpeg on its own: ffprobe finds the
A/53 side data in the rungs' pictures, and the lavfi movie source's subcc output decodes each
rung's 608 to cues that must match the mezzanine's own, decoded the same way, within a frame.
The master playlist, the WebVTT track converted from the 608, `ladder package` after
`ladder transcode`, and the validator's cc608-present and closed-captions-signalled rules
broken on copies, are checked too."""
import json
import os
import re
import shutil

from ladder_test import ROOT, Checks, cleanup, ladder, run, show_version, workdir

c = Checks("cc608")
d = workdir()
MAKE = os.path.join(ROOT, "tests", "media", "make-captioned.sh")
EMBED_CC = os.environ.get("EMBED_CC", os.path.join(os.path.dirname(os.environ.get(
    "LADDER", os.path.join(ROOT, "build", "ladder"))), "tests", "embed_cc"))
env = dict(os.environ, EMBED_CC=EMBED_CC)


def make(kind, name, *opts):
    out = os.path.join(d, name)
    r = run([MAKE, "--size", "640x360", *opts, kind, out], env=env)
    if r.returncode != 0:
        raise RuntimeError(f"make-captioned {kind}: {r.stderr.strip()}")
    return out


def cues_608(path):
    """[(start, end, text)] of the CEA-608 in a media file's pictures, decoded by FFmpeg."""
    r = run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"movie={path}[out0+subcc]",
             "-map", "0:s", "-f", "srt", "-"])
    out = []
    for block in r.stdout.strip().split("\n\n"):
        lines = block.splitlines()
        m = len(lines) >= 3 and re.match(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)", lines[1])
        if m:
            v = [int(x) for x in m.groups()]
            text = re.sub(r"<[^>]*>|\{[^}]*\}", "", " ".join(lines[2:]))
            out.append((v[0] * 3600 + v[1] * 60 + v[2] + v[3] / 1000,
                        v[4] * 3600 + v[5] * 60 + v[6] + v[7] / 1000, text))
    return out


def vtt_cues(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for m in re.finditer(r"(\d+):(\d+):(\d+)\.(\d+) --> (\d+):(\d+):(\d+)\.(\d+)\n([^\n]*)", text):
        v = [int(x) for x in m.groups()[:8]]
        out.append((v[0] * 3600 + v[1] * 60 + v[2] + v[3] / 1000,
                    v[4] * 3600 + v[5] * 60 + v[6] + v[7] / 1000, m.group(9)))
    return out


def same_cues(got, want, frame, what):
    ok = len(got) == len(want) and all(
        abs(g[0] - w[0]) <= frame + 1e-3 and abs(g[1] - w[1]) <= frame + 1e-3 and g[2] == w[2]
        for g, w in zip(got, want))
    return c.check(ok and len(want) == 3, f"{what}: {got} vs the mezzanine's {want}")


def rung_media(show, rung):
    """A rung's segments as one TS file, for FFmpeg to read as a player would."""
    folder = os.path.join(show, "hls", rung)
    path = os.path.join(d, rung + ".ts")
    with open(path, "wb") as out:
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".ts")):
            with open(os.path.join(folder, name), "rb") as f:
                out.write(f.read())
    return path


def ingest(src, show_id, *extra):
    lib = os.path.join(d, "lib")
    r = ladder("ingest", src, "--id", show_id, "--library", lib, "--quiet", *extra)
    c.equal(r.returncode, 0, f"ingest {show_id} ({r.stderr.strip()})")
    return show_version(lib, show_id), r


def read(show, rel):
    with open(os.path.join(show, rel), encoding="utf-8") as f:
        return f.read()


def variants(master):
    return re.findall(r"^#EXT-X-STREAM-INF:(.*)\n(.*)$", master, re.M)


# ---- embedded 608 at 29.97 fps: carried as it is --------------------------------------------------
emb30 = make("embedded", "emb30.mp4", "--fps", "30000/1001")
want = cues_608(emb30)
show, r = ingest(emb30, "emb30", "--cc", "en:English CC")
master = read(show, "master.m3u8")
c.check(re.search(r'^#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",LANGUAGE="en",'
                  r'NAME="English CC",.*INSTREAM-ID="CC1"', master, re.M),
        "the CLOSED-CAPTIONS rendition: CC1, with --cc's language and name")
vs = variants(master)
for attrs, uri in vs:
    if "mp4a.40.2\"" in attrs and "RESOLUTION" not in attrs:
        c.check("CLOSED-CAPTIONS" not in attrs, f"audio alone says nothing (NONE would be on some): {attrs}")
    else:
        c.check('CLOSED-CAPTIONS="cc"' in attrs, f"{uri} names the group")
rungs = [uri.split("/")[1] for attrs, uri in vs if "RESOLUTION" in attrs]
frame = 1001 / 30000
for rung in rungs:
    same_cues(cues_608(rung_media(show, rung)), want, frame, f"{rung}'s 608")
for mp4 in sorted(os.listdir(os.path.join(show, "mp4"))):
    same_cues(cues_608(os.path.join(show, "mp4", mp4)), want, frame, f"{mp4}'s 608")
probe = run(["ffprobe", "-v", "error", "-read_intervals", "%+#3", "-show_frames", "-select_streams",
             "v:0", os.path.join(show, "hls", rungs[0], "seg00000.ts")])
c.check("ATSC A53 Part 4 Closed Captions" in probe.stdout, "ffprobe finds A/53 captions in a rung's pictures")
same_cues(vtt_cues(os.path.join(show, "subtitles", "en.vtt")), want, frame,
          "the WebVTT track converted from the 608")
info = json.loads(read(show, "show.json"))
c.check([t["language"] for t in info.get("captions", [])] == ["en"] and info["captions"][0]["sdh"],
        f"show.json lists the 608's text as an SDH track: {info.get('captions')}")

# ---- the validator: cc608-present and closed-captions-signalled, broken on copies -----------------
def broken(name, change, rule):
    copy = os.path.join(d, "broken-" + name)
    shutil.copytree(show, copy)
    change(copy)
    r = ladder("validate", copy)
    c.check(r.returncode == 1 and f": {rule}: " in r.stdout, f"{name}: validate says {rule}: {r.stdout[-300:]}")
    shutil.rmtree(copy)


def strip_sei(copy):
    seg = os.path.join(copy, "hls", rungs[0], "seg00001.ts")
    run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", seg, "-map", "0", "-c", "copy",
         "-bsf:v", "filter_units=remove_types=6", "-mpegts_copyts", "1", seg + ".ts"])
    os.replace(seg + ".ts", seg)


def edit_master(fn):
    def change(copy):
        path = os.path.join(copy, "master.m3u8")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(fn(text))
    return change


broken("sei-removed", strip_sei, "cc608-present")
broken("not-cc1", edit_master(lambda t: t.replace('INSTREAM-ID="CC1"', 'INSTREAM-ID="SERVICE1"')),
       "closed-captions-signalled")
broken("none-and-group", edit_master(lambda t: t.replace('CLOSED-CAPTIONS="cc"', "CLOSED-CAPTIONS=NONE", 1)),
       "closed-captions-signalled")

# ---- `ladder transcode` + `ladder package` give the same captions ---------------------------------
tdir = os.path.join(d, "transcode")
r = ladder("transcode", emb30, "--out", tdir, "--quiet")
c.check(r.returncode == 0 and os.path.exists(os.path.join(tdir, "cc608.vtt")),
        f"transcode keeps the 608's text in cc608.vtt ({r.stderr.strip()})")
r = ladder("package", tdir, "--id", "emb30-pkg", "--library", os.path.join(d, "lib"), "--quiet",
           "--cc", "en:English CC")
c.equal(r.returncode, 0, f"package ({r.stderr.strip()})")
pkg = show_version(os.path.join(d, "lib"), "emb30-pkg")
for rel in ["master.m3u8", "subtitles/en.vtt", "subtitles/en/seg00001.vtt"]:
    c.equal(read(pkg, rel), read(show, rel), f"package and ingest write the same {rel}")

# ---- 59.94 fps: every 640x360 rung is capped to 29.97, so the 608 is repaced -----------------------
emb60 = make("embedded", "emb60.mp4", "--fps", "60000/1001")
want60 = cues_608(emb60)
show60, r = ingest(emb60, "emb60")
vs = variants(read(show60, "master.m3u8"))
c.check(vs and all("FRAME-RATE=29.970" in a for a, u in vs if "RESOLUTION" in a),
        "the 640x360 rungs run at 29.97")
for attrs, uri in vs:
    if "RESOLUTION" in attrs:
        rung = uri.split("/")[1]
        c.check('CLOSED-CAPTIONS="cc"' in attrs, f"{rung} names the group")
        same_cues(cues_608(rung_media(show60, rung)), want60, 1001 / 30000, f"{rung}'s repaced 608")

# ---- a c608 track beside the video: the same, and text at the track's own times -------------------
mov = make("c608", "c608.mov")
showm, r = ingest(mov, "mov")
vs = variants(read(showm, "master.m3u8"))
c.check(all('CLOSED-CAPTIONS="cc"' in a for a, u in vs if "RESOLUTION" in a), "c608: every rung names the group")
got = vtt_cues(os.path.join(showm, "subtitles", "en.vtt"))
c.check([g[2] for g in got] == ["Hello caption", "Across six", "Third one"] and
        abs(got[0][0] - 1.0) < 1e-3 and abs(got[2][1] - 10.0) < 1e-3,
        f"c608: the WebVTT track has the SCC's cues at the track's times: {got}")

# ---- a bad --cc is refused in one line before any work ----------------------------------------
r = ladder("ingest", emb30, "--id", "badcc", "--library", os.path.join(d, "lib"), "--cc", "e")
c.check(r.returncode == 1 and r.stderr.strip() ==
        "ladder ingest: error: --cc 'e': caption language 'e' is not a language tag like en or es-MX",
        f"a bad --cc: {r.stderr.strip()!r}")

# ---- 25 fps: no pacing exists, so no rung carries 608, and the text still reaches viewers ---------
emb25 = make("embedded", "emb25.mp4", "--fps", "25")
show25, r = ingest(emb25, "emb25")
vs = variants(read(show25, "master.m3u8"))
c.check(vs and all("CLOSED-CAPTIONS=NONE" in a for a, u in vs), "25 fps: every variant says NONE")
c.check(all(not cues_608(rung_media(show25, u.split("/")[1])) for a, u in vs if "RESOLUTION" in a),
        "25 fps: no rung carries 608 bytes")
c.equal([g[2] for g in vtt_cues(os.path.join(show25, "subtitles", "en.vtt"))],
        ["Hello caption", "Across six", "Third one"], "25 fps: the 608's text is a WebVTT track")

cleanup(d)
c.done()
