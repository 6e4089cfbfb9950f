"""test_long_show.py: a 3-hour show publishes, validates, reads in hls-parser (strict) and is
served by the origin; memory stays flat as shows get longer, and time grows with duration.
The source is made in seconds: ten minutes of tiny H.264 in MPEG-TS, concatenated with -c copy
to 1 and 3 hours, muxed into Matroska with a sine tone as 8 kHz mu-law PCM of exactly the same
length (no encoder, so no priming that would make audio and video drift apart over 18 joins).
The ladder is tests/long/long-ladder.xml (two tiny HLS rungs). The same ladder ingests 10 min,
1 h and 3 h; peak RSS (GNU time) of the 3-hour ingest must stay within 1.2x of the 10-minute
one. The times are printed for the record; on a shared CI machine they are too noisy to
assert."""
import os
import sys

from ladder_test import LADDER, ROOT, Checks, cleanup, ladder, run, show_version, workdir

sys.path.insert(0, os.path.join(ROOT, "tests", "origin"))
from origin_test import get, start_origin, stop  # noqa: E402

c = Checks("long_show")
d = workdir()
profile = os.path.join(ROOT, "tests", "long", "long-ladder.xml")
video = os.path.join(d, "video-10min.ts")
r = run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=128x72:rate=10",
         "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-f", "mpegts",
         video])
if not c.equal(r.returncode, 0, f"ten minutes of video ({r.stderr.strip()})"):
    c.done()
sources = {}
for name, copies in (("10 min", 1), ("1 h", 6), ("3 h", 18)):
    listing = os.path.join(d, f"{copies}.txt")
    with open(listing, "w") as f:
        f.write(f"file '{video}'\n" * copies)
    sources[name] = os.path.join(d, f"{copies}x.mkv")
    r = run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing,
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-map", "0:v",
             "-map", "1:a", "-t", str(600 * copies), "-c:v", "copy", "-c:a", "pcm_mulaw",
             sources[name]])
    c.equal(r.returncode, 0, f"a {name} source ({r.stderr.strip()})")

figures = {}
for name, src in sources.items():
    lib = os.path.join(d, "lib-" + name.replace(" ", ""))
    r = run(["/usr/bin/time", "-f", "TIME %e %M", LADDER, "ingest", src, "--id", "long",
             "--library", lib, "--profile", profile, "--quiet"], timeout=1800)
    stats = [x for x in r.stderr.splitlines() if x.startswith("TIME ")]
    errors = [x for x in r.stderr.splitlines() if not x.startswith("TIME ")]
    if not c.equal(r.returncode, 0, f"{name}: ingest publishes ({' '.join(errors)[-300:]})"):
        continue
    wall, rss_kb = stats[-1].split()[1:]
    figures[name] = (float(wall), int(rss_kb))
    print(f"{name}: {float(wall):.1f} s wall, peak RSS {int(rss_kb) / 1024:.1f} MB")
    if name != "3 h":
        continue
    show = show_version(lib, "long")
    r = ladder("validate", show, "--profile", profile)
    c.equal(r.returncode, 0, f"3 h: validates ({r.stdout.strip()[-200:]})")
    with open(os.path.join(show, "hls", "hls-72p-60", "index.m3u8")) as f:
        playlist = f.read()
    c.equal(playlist.count("#EXTINF:"), 1800, "3 h: 1800 segments of 6 s")
    with open(os.path.join(show, "hls", "hls-72p-60", "iframes.m3u8")) as f:
        c.equal(f.read().count("#EXTINF:"), 5400, "3 h: 5400 I-frames (past the old 4096 cap)")
    r = run(["node", os.path.join(ROOT, "tests", "js", "check_show.mjs"), show])
    c.equal(r.returncode, 0, f"3 h: hls-parser (strict) reads every playlist "
            f"({r.stdout.strip()[-300:]})")
    proc, port = start_origin(lib)
    try:
        for path in ("/shows/long/master.m3u8", "/shows/long/v1/hls/hls-72p-60/index.m3u8",
                     "/shows/long/v1/hls/hls-72p-60/seg01799.ts"):
            resp, body = get(port, path)
            c.check(resp.status == 200 and len(body) > 0, f"3 h: the origin serves {path}")
    finally:
        stop(proc)

if "10 min" in figures and "3 h" in figures:
    ratio = figures["3 h"][1] / figures["10 min"][1]
    print(f"peak RSS 3 h / 10 min: {ratio:.2f}; time 3 h / 10 min: "
          f"{figures['3 h'][0] / figures['10 min'][0]:.1f} (18x the media)")
    c.check(ratio <= 1.2, f"memory stays flat: peak RSS 3 h / 10 min = {ratio:.2f} (<= 1.2)")
cleanup(d)
c.done()
