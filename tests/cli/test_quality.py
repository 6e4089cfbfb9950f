"""test_quality.py KIND: a chunked show is as good as a local one (issue #21, docs/distributed.md).

A 60 s 640x360 clip of KIND (tests/media/make-clip.sh: `good` is testsrc2's moving pattern,
`static` still colour bars with a small moving window, `motion` heavy motion and noise, where
the VBV binds) is transcoded locally and as an audio job and two 5-segment chunks, the ingest's
default, joined by `ladder package`. Both shows pass every publishing rule; on `motion` that
includes vbv-conformance across the join. Every rung is encoded at a CRF the probe chose once
for the show, the same in every job, and, measured against the mezzanine with FFmpeg's psnr and
ssim filters, the chunked rung is within 0.1 dB PSNR-Y, 0.002 SSIM and 2% of the video bits of
the local one. Each rung's figures are printed."""
import json
import os
import re
import sys

from ladder_test import Checks, cleanup, ladder, make_clip, run, show_version, summary, workdir

KIND = sys.argv[1]
c = Checks(f"quality.{KIND}")
d = workdir()
clip = make_clip(KIND, os.path.join(d, "in.mp4"), "--duration", "60")
lib = os.path.join(d, "lib")


def transcode(name, *args):
    out = os.path.join(d, name)
    r = ladder("transcode", clip, "--out", out, "--quiet", *args)
    c.equal(r.returncode, 0, f"transcode {name} ({r.stderr.strip()})")
    return out


def package(show_id, *dirs):
    r = ladder("package", *dirs, "--id", show_id, "--library", lib, "--quiet")
    c.equal(r.returncode, 0, f"{show_id}: published, every rule passed ({r.stderr.strip()})")
    return show_version(lib, show_id) if r.returncode == 0 else None


def measure(path, width, height):
    """(PSNR-Y, SSIM All, video bits) of one rendition against the mezzanine scaled to it."""
    graph = (f"[1:v]scale={width}:{height}:flags=bicubic,split[r1][r2];[0:v]split[d1][d2];"
             "[d1][r1]psnr;[d2][r2]ssim")
    r = run(["ffmpeg", "-nostdin", "-hide_banner", "-i", path, "-i", clip, "-lavfi", graph,
             "-f", "null", "-"])
    psnr = re.search(r"PSNR y:([\d.]+|inf)", r.stderr)
    ssim = re.search(r"SSIM .*All:([\d.]+)", r.stderr)
    sizes = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                 "packet=size", "-of", "csv=p=0", path]).stdout.split()
    if not (psnr and ssim and sizes):
        c.check(False, f"ffmpeg measures {path}: {r.stderr[-300:]}")
        return None
    return float(psnr.group(1)), float(ssim.group(1)), 8 * sum(int(s.split(",")[0]) for s in sizes)


local_dir = transcode("local")
jobs = [transcode("audio", "--audio-only"), transcode("c0", "--segments", "0:5"),
        transcode("c1", "--segments", "5:5")]
local = package("local", local_dir)
chunked = package("chunked", *jobs)
if KIND == "motion" and chunked:
    r = ladder("validate", chunked, "--json")
    rules = {f.get("rule") for f in json.loads(r.stdout or "{}").get("failures", [])}
    c.check(r.returncode == 0 and "vbv-conformance" not in rules,
            f"the chunked show conforms to every rung's VBV across the join ({rules or 'no failure'})")

# The same factor for a rung in every job: what makes the chunks' pictures the local ones'.
rates = [{s["name"]: s.get("crf") for s in summary(x)["streams"] if s["kind"] == "video"}
         for x in (local_dir, jobs[1], jobs[2])]
c.check(rates[0] and all(v and v > 0 for v in rates[0].values()),
        f"a 60 s show is encoded at a CRF per rung: {rates[0]}")
c.equal(rates[1], rates[0], "the first chunk uses the local factors")
c.equal(rates[2], rates[0], "and so does the second")

for s in summary(local_dir)["streams"] if local and chunked else []:
    if s["kind"] != "video":
        continue
    rel = (os.path.join("hls", s["name"], "index.m3u8") if s["name"].startswith("hls-")
           else os.path.join("mp4", s["name"] + ".mp4"))
    a = measure(os.path.join(local, rel), s["width"], s["height"])
    b = measure(os.path.join(chunked, rel), s["width"], s["height"])
    if not (a and b):
        continue
    dpsnr, dssim, dbits = b[0] - a[0], b[1] - a[1], b[2] / a[2] - 1
    print(f"{KIND:7} {s['name']:15} crf {s['crf']:5.2f} local {a[2] / 60000:7.1f} kbit/s "
          f"({a[2] / 60000 / s['bitrate_kbps']:.2f}x) PSNR-Y {a[0]:.3f} SSIM {a[1]:.5f}; "
          f"chunked {dpsnr:+.3f} dB {dssim:+.5f} {100 * dbits:+.2f}%")
    c.check(abs(dpsnr) <= 0.1, f"{s['name']}: PSNR-Y within 0.1 dB of local ({dpsnr:+.3f})")
    c.check(abs(dssim) <= 0.002, f"{s['name']}: SSIM within 0.002 of local ({dssim:+.5f})")
    c.check(abs(dbits) <= 0.02, f"{s['name']}: bits within 2% of local ({100 * dbits:+.2f}%)")
cleanup(d)
c.done()
