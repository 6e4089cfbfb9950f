"""test_clients.py: players other than the page, through the origin: ffmpeg decodes every
variant of the master playlist over HTTP, and GStreamer's playbin (Debian's gstreamer1.0
packages) plays the HLS master and an MP4 fallback; each exits 0 with no decode error.

I-frame playlists are left to the validator and hls-parser: ffmpeg reads their byte ranges as
one stream, sees the TS continuity counters jump between ranges, and flags each I-frame
"corrupt" although every range holds its whole PES."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "origin"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, ROOT, parse_show_json, run  # noqa: E402
from origin_test import get, start_origin, stop  # noqa: E402

FIXTURE = os.environ.get("PLAYER_FIXTURE", os.path.join(ROOT, "build", "player-fixture"))
c = Checks("player-clients")
proc, port = start_origin(os.path.join(FIXTURE, "lib"))
base = f"http://127.0.0.1:{port}"

_, master = get(port, "/shows/demo/master.m3u8")
lines = master.decode().splitlines()
variants = [lines[i + 1] for i, l in enumerate(lines) if l.startswith("#EXT-X-STREAM-INF")]
c.check(len(variants) >= 6, f"master lists the variants: {variants}")

for uri in variants:
    url = f"{base}/shows/demo/{uri}"
    r = run(["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", url, "-f", "null", "-"],
            timeout=120)
    c.check(r.returncode == 0 and not r.stderr.strip(),
            f"ffmpeg plays {uri}: exit {r.returncode} {r.stderr.strip()[:300]}")


def playbin(url):
    """gst-launch-1.0 playbin to fake sinks, as fast as it decodes; (exit, output)."""
    r = run(["gst-launch-1.0", "-q", "playbin", f"uri={url}",
             "video-sink=fakesink sync=false", "audio-sink=fakesink sync=false"], timeout=180)
    return r.returncode, r.stdout + r.stderr


_, show = get(port, "/shows/demo/show.json")
meta = parse_show_json(show)
mp4 = [x["name"] for x in meta["renditions"] if x["use"] == "mp4"]
for label, url in [("HLS master", f"{base}/shows/demo/master.m3u8"),
                   (f"MP4 {mp4[0]}", f"{base}/shows/demo/v{meta['version']}/mp4/{mp4[0]}.mp4")]:
    code, out = playbin(url)
    c.check(code == 0 and "ERROR" not in out and "WARNING" not in out,
            f"GStreamer playbin plays the {label}: exit {code} {out.strip()[:400]}")

c.equal(stop(proc), 0, "ladder serve exits 0")
c.done()
