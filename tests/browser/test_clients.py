"""test_clients.py: players other than the page, through the origin: ffmpeg decodes every
variant of the master playlist over HTTP, and GStreamer's playbin (Debian's gstreamer1.0
packages) plays the HLS master and an MP4 fallback; each exits 0 with no decode error.

I-frame playlists are left to the validator and hls-parser: ffmpeg reads their byte ranges as
one stream, sees the TS continuity counters jump between ranges, and flags each I-frame
"corrupt" although every range holds its whole PES.

playbin plays the 60 s show in about 2 s. Once in many runs, under CI's load, Debian's
hlsdemux stalled for minutes with the origin idle (GStreamer 1.22): a playbin that has not
ended within 60 s is stopped and tried once more with GStreamer's warnings logged and the
origin's access log printed, so a second stall fails with what each side saw."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "origin"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, ROOT, parse_show_json, run  # noqa: E402
from origin_test import get, start_origin, stop  # noqa: E402

FIXTURE = os.environ.get("PLAYER_FIXTURE", os.path.join(ROOT, "build", "player-fixture"))
c = Checks("player-clients")
access_log = tempfile.mkstemp(prefix="ladder-clients-", suffix=".log")[1]
proc, port = start_origin(os.path.join(FIXTURE, "lib"), "--access-log", access_log)
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


def playbin(url, env=None):
    """gst-launch-1.0 playbin to fake sinks, as fast as it decodes; (exit, output), exit
    None when it had not ended within 60 s."""
    try:
        r = run(["gst-launch-1.0", "-q", "playbin", f"uri={url}",
                 "video-sink=fakesink sync=false", "audio-sink=fakesink sync=false"],
                timeout=60, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(
            errors="replace")
    return r.returncode, r.stdout + r.stderr


def playbin_retried(url):
    """playbin, and once more with warnings logged when the first one stalled."""
    code, out = playbin(url)
    if code is not None:
        return code, out
    print(f"playbin stalled on {url}; trying once more")
    code, out = playbin(url, {"GST_DEBUG": "2"})
    if code is None:
        with open(access_log, errors="replace") as f:
            print("origin access log, last 30 lines:\n" + "".join(f.readlines()[-30:]))
        return "stalled twice", out[-4000:]
    return code, "\n".join(l for l in out.splitlines() if "WARN" not in l)


_, show = get(port, "/shows/demo/show.json")
meta = parse_show_json(show)
mp4 = [x["name"] for x in meta["renditions"] if x["use"] == "mp4"]
for label, url in [("HLS master", f"{base}/shows/demo/master.m3u8"),
                   (f"MP4 {mp4[0]}", f"{base}/shows/demo/v{meta['version']}/mp4/{mp4[0]}.mp4")]:
    code, out = playbin_retried(url)
    c.check(code == 0 and "ERROR" not in out and "WARNING" not in out,
            f"GStreamer playbin plays the {label}: exit {code} {out.strip()[:400]}")

c.equal(stop(proc), 0, "ladder serve exits 0")
os.unlink(access_log)
c.done()
