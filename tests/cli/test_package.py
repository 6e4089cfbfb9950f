"""test_package.py: `ladder ingest` and `ladder package` publish a show that players can use:
HLS variants that ffmpeg plays to the end, a show.json with every file's SHA-256, segments that start with an IDR at identical times on
every rung and stay within target + 0.5 s, EXTINFs that add up to the media duration,
measured BANDWIDTH figures, an audio-only variant for cellular, I-frame playlists, and
progressive faststart MP4 fallbacks. Two runs give byte-identical files."""
import filecmp
import os
import re
import struct
import time

from ladder_test import (Checks, cleanup, ingest_clip, ladder, load_show_json, run, show_version,
                         stream_info, workdir)

c = Checks("package")
d = workdir()
inp, lib, r = ingest_clip(d, "show1")
if not c.equal(r.returncode, 0, f"ingest exit status ({r.stderr.strip()})"):
    c.done()
top = os.path.join(lib, "show1")
show = show_version(lib, "show1")  # the published version's own folder
c.equal(os.path.basename(show), "v1", "a new show is published as version v1")


def read(path):
    with open(path) as f:
        return f.read()


def variants(master):
    """[(attributes dict, uri)] of the EXT-X-STREAM-INF entries."""
    out, lines = [], master.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            attrs = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))
            out.append(({k: v.strip('"') for k, v in attrs.items()}, lines[i + 1]))
    return out


def extinfs(playlist):
    return [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", playlist)]


master = read(os.path.join(show, "master.m3u8"))
vs = variants(master)
c.check(master.startswith("#EXTM3U\n"), "master starts with #EXTM3U")
c.check("#EXT-X-INDEPENDENT-SEGMENTS" in master, "master has EXT-X-INDEPENDENT-SEGMENTS")
c.check(vs and vs[0][1] == "hls/hls-540p-2000/index.m3u8", f"first variant is the 2000k rung: {vs[:1]}")
audio_only = [v for v in vs if v[0]["CODECS"] == "mp4a.40.2"]
c.equal(len(audio_only), 1, "one audio-only variant")
c.check(audio_only and int(audio_only[0][0]["BANDWIDTH"]) <= 192000, "audio-only peak <= 192 kbit/s")
iframe_lines = [l for l in master.splitlines() if l.startswith("#EXT-X-I-FRAME-STREAM-INF:")]
c.equal(len(iframe_lines), len(vs) - 1, "an I-frame stream per video variant")

durations = None
for attrs, uri in vs:
    playlist = read(os.path.join(show, uri))
    name = uri.split("/")[1]
    for tag in ("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST", "#EXT-X-INDEPENDENT-SEGMENTS"):
        c.check(tag in playlist, f"{name} playlist has {tag}")
    ext = extinfs(playlist)
    target = int(re.search(r"#EXT-X-TARGETDURATION:(\d+)", playlist).group(1))
    c.equal(target, 6, f"{name} target duration")
    c.check(all(x <= 6.5 for x in ext), f"{name} segments within 6.5 s: {ext}")
    c.check(abs(sum(ext) - 14.0) <= 1 / 30 + 0.03, f"{name} EXTINFs add up to 14 s: {sum(ext)}")
    if durations is None:
        durations = ext
    c.equal(ext, durations, f"{name} segment boundaries equal the other variants'")
    segs = sorted(f for f in os.listdir(os.path.dirname(os.path.join(show, uri))) if f.endswith(".ts"))
    sizes = [os.path.getsize(os.path.join(os.path.dirname(os.path.join(show, uri)), s)) for s in segs]
    peak = max(s * 8 / e for s, e in zip(sizes, ext))
    avg = sum(sizes) * 8 / sum(ext)
    c.check(int(attrs["BANDWIDTH"]) >= peak * 0.999, f"{name} BANDWIDTH {attrs['BANDWIDTH']} >= peak {peak:.0f}")
    c.check(abs(int(attrs["AVERAGE-BANDWIDTH"]) - avg) <= 0.1 * avg, f"{name} AVERAGE-BANDWIDTH within 10%")
    c.check(peak <= 2 * avg, f"{name} peak <= 2x average")
    if attrs["CODECS"] != "mp4a.40.2":
        c.check(re.fullmatch(r"avc1\.[0-9a-f]{6},mp4a\.40\.2", attrs["CODECS"]), f"{name} CODECS")
        for s in segs:
            pk = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                      "-show_entries", "packet=flags", "-of", "csv=p=0",
                      os.path.join(os.path.dirname(os.path.join(show, uri)), s)]).stdout.split()
            c.check(pk and pk[0].startswith("K"), f"{name}/{s} starts with an IDR")
    p = run(["ffmpeg", "-v", "error", "-i", os.path.join(show, uri), "-f", "null", "-"])
    c.check(p.returncode == 0 and not p.stderr.strip(), f"ffmpeg plays {name} cleanly: {p.stderr[:300]}")


def top_boxes(path):
    boxes, pos = [], 0
    with open(path, "rb") as f:
        data = f.read()
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        boxes.append(kind.decode("latin1"))
        if size < 8:
            break
        pos += size
    return boxes


mp4s = sorted(os.listdir(os.path.join(show, "mp4")))
c.equal(mp4s, ["mp4-180p-250.mp4", "mp4-360p-500.mp4", "mp4-480p-900.mp4", "mp4-720p-1800.mp4"],
        "MP4 fallbacks for every MP4 rung the source allows")
for m in mp4s:
    path = os.path.join(show, "mp4", m)
    boxes = top_boxes(path)
    c.check("moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat"),
            f"{m} is faststart: {boxes}")
    c.check("moof" not in boxes, f"{m} is not fragmented")
    v = stream_info(path)
    c.check(v["profile"] in ("Constrained Baseline", "Baseline"), f"{m} is Baseline: {v['profile']}")
    c.equal(v["codec_tag_string"], "avc1", f"{m} sample entry")
    a = stream_info(path, "a:0")
    c.equal((a["codec_name"], a["profile"]), ("aac", "LC"), f"{m} audio")

poster = stream_info(os.path.join(show, "poster.jpg"))
c.equal((poster["codec_name"], poster["width"], poster["height"]), ("mjpeg", 1280, 720),
        "poster.jpg is a JPEG of the largest rung up to 720p")

# determinism, and the package step alone from a transcode folder
tc = os.path.join(d, "tc")
r = ladder("transcode", inp, "--out", tc, "--quiet")
c.equal(r.returncode, 0, "transcode for package")
r = ladder("package", tc, "--id", "show1", "--library", os.path.join(d, "lib2"), "--quiet")
c.equal(r.returncode, 0, f"package exit status ({r.stderr.strip()})")
cmp = filecmp.dircmp(show, show_version(os.path.join(d, "lib2"), "show1"))


def differing(dc):
    out = list(dc.diff_files) + dc.left_only + dc.right_only
    for sub in dc.subdirs.values():
        out += differing(sub)
    return out


c.equal([f for f in differing(cmp) if f != "show.json"], [],
        "ingest and transcode+package give byte-identical shows (show.json has a date)")

# show.json lists every file with its size and SHA-256, and every rendition's figures
import hashlib
import json
info = load_show_json(os.path.join(show, "show.json"))
c.equal((info["id"], info["title"]), ("show1", "show1"), "show.json id and title")
c.check(abs(info["duration"] - 14.0) < 0.05, f"show.json duration {info['duration']}")
on_disk = sorted(os.path.relpath(os.path.join(dp, f), show) for dp, _, fs in os.walk(show)
                 for f in fs if f != "show.json")
c.equal([x["path"] for x in info["files"]], on_disk, "show.json lists every file")
for x in info["files"]:
    with open(os.path.join(show, x["path"]), "rb") as f:
        data = f.read()
    c.check(x["size"] == len(data) and x["sha256"] == hashlib.sha256(data).hexdigest(),
            f"{x['path']} size and SHA-256")
c.equal(len(info["renditions"]), 14, "show.json has the 14 renditions a 720p source gets")
c.check(all(r["psnr_y"] > 30 and r["avg_bps"] > 0 for r in info["renditions"]),
        "renditions carry measured bitrate and PSNR")

# the top folder: master.m3u8 is the version's master with every URI under v1/
entry = read(os.path.join(top, "master.m3u8"))
c.equal([u for _, u in variants(entry)], ["v1/" + u for _, u in variants(master)],
        "LIBRARY/ID/master.m3u8 points into v1/")
c.check(all(os.path.isfile(os.path.join(top, u)) for _, u in variants(entry)),
        "every variant of the top master.m3u8 resolves")
c.equal(load_show_json(os.path.join(top, "show.json"))["version"], 1, "show.json says v1")

# re-publishing the id replaces it atomically; a player that started on v1 keeps its files
v1_uri = variants(entry)[0][1]
v1_seg = os.path.join(os.path.dirname(os.path.join(top, v1_uri)), "seg00001.ts")
with open(v1_seg, "rb") as f:
    v1_bytes = f.read()
r = ladder("package", tc, "--id", "show1", "--library", lib, "--title", "Second cut")
c.equal(r.returncode, 0, f"re-publishing an id succeeds ({r.stderr.strip()})")
c.check("version v2" in r.stdout, f"it says which version it published: {r.stdout.strip()}")
c.equal(os.readlink(os.path.join(top, "current")), "v2", "current now points at v2")
entry2 = read(os.path.join(top, "master.m3u8"))
c.check(all(u.startswith("v2/") for _, u in variants(entry2)), "the top master points into v2/")
c.equal(load_show_json(os.path.join(top, "show.json"))["title"], "Second cut",
        "show.json is the new version's")
with open(os.path.join(top, v1_uri.replace("index.m3u8", "seg00001.ts")), "rb") as f:
    c.check(f.read() == v1_bytes, "a v1 player's segment URL still gives the v1 bytes")
c.check(os.path.isfile(os.path.join(top, "v1", ".superseded")), "v1 is marked superseded")

# a later publish prunes versions superseded over a day ago and never-current leftovers
old = time.time() - 25 * 3600
os.utime(os.path.join(top, "v1", ".superseded"), (old, old))
os.makedirs(os.path.join(top, "v3", "hls"))  # as a publish killed before its swap leaves it
r = ladder("package", tc, "--id", "show1", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"a third publish succeeds ({r.stderr.strip()})")
c.equal(sorted(n for n in os.listdir(top) if n.startswith("v")), ["v2", "v4"],
        "v1 (superseded a day ago) and v3 (never current) pruned; v2 kept for its players")
c.equal(os.readlink(os.path.join(top, "current")), "v4", "current points at v4")
r = ladder("ingest", inp, "--id", "../evil", "--library", lib, "--quiet")
c.equal(r.returncode, 1, "a show id with a path in it is refused")
c.equal(sorted(os.listdir(os.path.join(lib, ".staging"))), [], "no staging left behind")

# two ingests of one new id at once: one publishes, the other stops at once and says why
import subprocess
from ladder_test import LADDER
procs = [subprocess.Popen([LADDER, "ingest", inp, "--id", "race", "--library", lib, "--quiet"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
         for _ in range(2)]
results = [(p.wait(), p.stderr.read()) for p in procs]
c.equal(sorted(code for code, _ in results), [0, 1], f"one of two racing ingests wins: {results}")
c.check(any("another process" in err for code, err in results if code == 1),
        f"the loser says another process is publishing: {results}")
c.check(os.path.exists(os.path.join(lib, "race", "master.m3u8")), "the winner's show is complete")
c.equal(sorted(os.listdir(os.path.join(lib, ".staging"))), [], "no staging left after the race")

# publishes of different ids at once do not get in each other's way
procs = [subprocess.Popen([LADDER, "package", tc, "--id", f"side{k}", "--library", lib, "--quiet"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
         for k in range(3)]
results = [(p.wait(), p.stderr.read()) for p in procs]
c.equal([code for code, _ in results], [0, 0, 0], f"three ids published at once: {results}")
for k in range(3):
    r = ladder("validate", os.path.join(lib, f"side{k}"))
    c.equal(r.returncode, 0, f"side{k} is complete and valid ({r.stdout.strip()[-200:]})")
cleanup(d)
c.done()
