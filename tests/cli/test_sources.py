"""test_sources.py CASE: `ladder transcode` on unusual but valid sources. Every case must
succeed with IDRs at identical times on all renditions, H.264 4:2:0 8-bit progressive video
lasting as long as the source and stereo AAC-LC audio, must package into a show that passes
`ladder validate`, plus the case's own promise (see docs/transcoder.md)."""
import os
import sys

from ladder_test import (Checks, cleanup, keyframe_times, ladder, make_clip, stream_info,
                         summary, video_packets, workdir)

case = sys.argv[1]
c = Checks(f"source-{case}")
d = workdir()
inp = os.path.join(d, "in.ts" if case == "mpeg2-ts" else "in.mp4")
out = os.path.join(d, "out")
make_clip(case, inp)

r = ladder("transcode", inp, "--out", out, "--quiet")
c.equal(r.returncode, 0, f"exit status (stderr: {r.stderr.strip()})")
if r.returncode != 0:
    c.done()
s = summary(out)
video = [st for st in s["streams"] if st["kind"] == "video"]
audio = [st for st in s["streams"] if st["kind"] == "audio"]
c.check(len(video) >= 2, "at least one HLS and one MP4 rendition")

# Common promises
key_sets = {}
for st in video:
    path = os.path.join(out, st["name"] + ".mp4")
    info = stream_info(path)
    c.equal(info["codec_name"], "h264", f"{st['name']} codec")
    c.equal(info["pix_fmt"], "yuv420p", f"{st['name']} pixel format")
    c.equal((info["width"], info["height"]), (st["width"], st["height"]), f"{st['name']} size")
    c.check(info["width"] % 2 == 0 and info["height"] % 2 == 0, f"{st['name']} even size")
    c.check(info.get("field_order", "progressive") == "progressive", f"{st['name']} progressive")
    key_sets[st["name"]] = keyframe_times(path)
    # no time stretched or lost: a deinterlacer once halved the frame rate and doubled this
    dur = float(info.get("duration", 0))
    c.check(abs(dur - s["source"]["duration"]) <= 0.1,
            f"{st['name']} lasts {dur} s like the source ({s['source']['duration']} s)")
first = next(iter(key_sets.values()))
c.check(all(k == first for k in key_sets.values()), f"IDRs identical on all renditions: {key_sets}")
c.check(first and first[0] == 0.0, f"first IDR at 0: {first}")
for st in audio:
    info = stream_info(os.path.join(out, st["name"] + ".mp4"), "a:0")
    c.equal((info["codec_name"], info["profile"], info["channels"]), ("aac", "LC", 2),
            f"{st['name']} is stereo AAC-LC")

# every kind of source packages into a show that passes `ladder validate`
r = ladder("package", out, "--id", "src", "--library", os.path.join(d, "lib"), "--quiet")
c.equal(r.returncode, 0, f"the transcode packages into a valid show ({r.stderr.strip()})")

src = s["source"]
if case == "no-audio":
    c.equal(audio, [], "no audio streams")
    c.equal(src["has_audio"], False, "summary says the source has no audio")
    r2 = ladder("transcode", inp, "--out", os.path.join(d, "out2"))
    c.check("video-only" in r2.stdout + r2.stderr, "the run says the renditions are video-only")
elif case == "odd-size":
    c.check(all(st["width"] <= src["width"] and st["height"] <= src["height"] for st in video),
            "no rendition is larger than the odd-sized source")
elif case == "rotated":
    c.equal(src["rotation"], 90, "rotation detected")
    c.check(all(st["height"] > st["width"] for st in video), "renditions are upright (portrait)")
    c.check(all("side_data_list" not in stream_info(os.path.join(out, st["name"] + ".mp4"))
                for st in video), "no rotation metadata left on the renditions")
elif case == "interlaced":
    c.equal(src["interlaced"], True, "interlacing detected")
elif case == "10bit-422":
    c.check(all(stream_info(os.path.join(out, st["name"] + ".mp4"))["profile"] in
                ("High", "Main", "Constrained Baseline", "Baseline") for st in video),
            "8-bit 4:2:0 profiles only")
elif case == "anamorphic":
    big = [st for st in video if st["name"] == "hls-1080p-4500"]
    c.check(big and (big[0]["width"], big[0]["height"]) == (1920, 1080),
            "1440x1080 at 4:3 pixels becomes 1920x1080 square pixels")
elif case in ("mono", "surround51", "audio-44k"):
    c.check(len(audio) >= 1, "audio present")
    rate = 44100 if case == "audio-44k" else 48000
    for st in audio:
        info = stream_info(os.path.join(out, st["name"] + ".mp4"), "a:0")
        c.equal(int(info["sample_rate"]), rate, f"{st['name']} sample rate")
elif case == "fps60":
    fps = {st["name"]: st["fps"] for st in video}
    for name in ("hls-234p-145", "hls-270p-300", "hls-360p-365", "hls-360p-600",
                 "hls-720p-3000"):
        num, den = map(int, fps[name].split("/"))
        c.check(abs(num / den - 30) < 0.01, f"{name} capped to 30 fps ({fps[name]})")
    num, den = map(int, fps["hls-720p-3800"].split("/"))
    c.check(abs(num / den - 60) < 0.01, f"hls-720p-3800 keeps 60 fps ({fps['hls-720p-3800']})")
    pk = video_packets(os.path.join(out, "hls-234p-145.mp4"))
    c.check(abs(len(pk) - len(video_packets(os.path.join(out, "hls-720p-3800.mp4"))) / 2) <= 1,
            "the 30 fps rung has half the frames of the 60 fps rung")
elif case == "vfr":
    times = sorted(t for t, _ in video_packets(os.path.join(out, video[-1]["name"] + ".mp4")))
    for k, t in enumerate(first):
        c.check(t >= 2 * k - 1e-6, f"IDR {k} at {t} is not before {2 * k} s")
        before = [x for x in times if x < t]
        c.check(not before or before[-1] < 2 * k - 1e-6 or k == 0,
                f"IDR {k} at {t} is the first frame at or after {2 * k} s")
elif case == "mpeg2-ts":
    c.equal(src["video_codec"], "mpeg2video", "source codec")
cleanup(d)
c.done()
