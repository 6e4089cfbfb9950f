"""test_sample_ladder.py: the acceptance check. The synthesized 1080p mezzanine
(samples/make-mezzanine.sh, 12 s) through the default pbs16 ladder gives 16 H.264 renditions
with the rung's profile, level and size, an IDR at every 2 s at identical timestamps on all 16,
stereo AAC-LC audio, and an average bitrate near target.

Bitrate: single-pass x264 ABR under VBV lands at 79-104% of target on this 12 s sample, and
x264 alone (bench/transcode.sh's floor) and ffmpeg's libx264 land on the same figures within
2%, so the gap is x264's rate control on short, very uneven content, not ladder. The check
below is therefore +-25%; docs/transcoder.md has the per-rung figures."""
import os
import sys

from ladder_test import (MAKE_SAMPLE, ROOT, Checks, cleanup, keyframe_times, ladder, run,
                         stream_info, summary, video_packets, workdir)
import xml.etree.ElementTree as ET

PROFILE_NAMES = {"baseline": ("Constrained Baseline", "Baseline"), "main": ("Main",),
                 "high": ("High",)}
NS = {"p": "urn:ladder:profile:1"}

c = Checks("sample-ladder")
d = workdir()
mezz = os.path.join(d, "mezzanine.mp4")
r = run([MAKE_SAMPLE, "--duration", "12", "--out", mezz])
if not c.equal(r.returncode, 0, f"sample generation ({r.stderr.strip()})"):
    c.done()
out = os.path.join(d, "out")
r = ladder("transcode", mezz, "--out", out, "--json")
if not c.equal(r.returncode, 0, f"transcode exit status ({r.stderr.strip()})"):
    c.done()

rungs = ET.parse(os.path.join(ROOT, "profiles", "pbs16.xml")).getroot().findall("p:rung", NS)
s = summary(out)
video = [st for st in s["streams"] if st["kind"] == "video"]
c.equal(len(video), 16, "16 renditions")
c.equal([st["name"] for st in video], [x.get("name") for x in rungs], "rendition names")

frame = 1001 / 30000
keys = {}
for rung in rungs:
    name = rung.get("name")
    path = os.path.join(out, name + ".mp4")
    if not c.check(os.path.exists(path), f"{name}.mp4 exists"):
        continue
    info = stream_info(path)
    c.equal(info["codec_name"], "h264", f"{name} codec")
    c.check(info["profile"] in PROFILE_NAMES[rung.get("profile")],
            f"{name} profile {info['profile']} is {rung.get('profile')}")
    c.equal(info["level"], int(round(float(rung.get("level")) * 10)), f"{name} level")
    c.equal((info["width"], info["height"]), (int(rung.get("width")), int(rung.get("height"))),
            f"{name} size")
    target = int(rung.get("video-kbps")) * 1000
    rate = int(info["bit_rate"])
    c.check(abs(rate - target) <= 0.25 * target,
            f"{name} average bitrate {rate / 1000:.0f} kbps within 25% of {target / 1000:.0f}")
    keys[name] = keyframe_times(path)
    packets = video_packets(path)
    times = sorted(t for t, _ in packets)
    # the k-th IDR is the first frame at or after 2k seconds
    want = []
    for k in range(int(times[-1] // 2) + 1):
        later = [t for t in times if t >= 2 * k - 1e-6]
        if later:
            want.append(round(later[0], 6))
    c.equal(keys[name], want, f"{name} IDRs at every 2 s")
    gaps = [b - a for a, b in zip(keys[name], keys[name][1:])]
    c.check(all(abs(g - 2) <= frame for g in gaps), f"{name} IDR spacing is 2 s: {gaps}")
    st = next(x for x in video if x["name"] == name)
    c.check(st["stats"]["psnr_y"] > 30 and st["stats"]["ssim"] > 0.9,
            f"{name} reports PSNR/SSIM ({st['stats']['psnr_y']:.2f}/{st['stats']['ssim']:.4f})")

first = next(iter(keys.values()), None)
c.check(first and all(k == first for k in keys.values()), "IDRs identical on all 16")
audio = [st for st in s["streams"] if st["kind"] == "audio"]
c.equal(sorted(st["bitrate_kbps"] for st in audio), [64, 128], "one AAC encode per bitrate")
for st in audio:
    info = stream_info(os.path.join(out, st["name"] + ".mp4"), "a:0")
    c.equal((info["codec_name"], info["profile"], info["channels"]), ("aac", "LC", 2),
            f"{st['name']} stereo AAC-LC")
cleanup(d)
c.done()
