"""test_quality.py KIND: a chunked show is as good as a local one (issue #21, docs/distributed.md).

A 30 s 640x360 clip of KIND (tests/media/make-clip.sh: `good` is testsrc2's moving pattern,
`static` still colour bars with a small moving window, `motion` heavy motion and noise, where
the VBV binds) is transcoded locally and as an audio job and two 5-segment chunks, the ingest's
default, joined by `ladder package`. The ladder is pbs16 with 1 s GOPs and 3 s segments, so
that 30 s is the 30 GOPs a show needs for a CRF per rung, at half the encoding a 60 s clip
takes. Both shows pass every publishing rule; on `motion` that includes vbv-conformance across
the join. Every rung is encoded at the CRF the local transcode's probe chose, and the chunks
are given those factors as the coordinator gives them (cli.queue.crf checks that a job left
to choose them chooses the same). Measured against the mezzanine with FFmpeg's psnr and ssim
filters, the chunked rung is within 0.1 dB PSNR-Y, 0.002 SSIM and 2% of the video bits of the
local one. Each rung's figures are printed."""
import json
import os
import re
import sys

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, run, show_version, summary, workdir

KIND = sys.argv[1]
SECONDS = 30
c = Checks(f"quality.{KIND}")
d = workdir()
clip = make_clip(KIND, os.path.join(d, "in.mp4"), "--duration", str(SECONDS))
lib = os.path.join(d, "lib")
profile = os.path.join(d, "quality.xml")
with open(os.path.join(ROOT, "profiles", "pbs16.xml")) as f:
    xml = f.read()
RUNGS = re.findall(r'<rung name="([^"]+)"', xml)
with open(profile, "w") as f:
    f.write(xml.replace('name="pbs16"', 'name="quality-test"').replace(
        'gop-seconds="2"', 'gop-seconds="1"').replace('segment-seconds="6"', 'segment-seconds="3"'))


def transcode(name, *args):
    out = os.path.join(d, name)
    r = ladder("transcode", clip, "--out", out, "--profile", profile, "--quiet", *args)
    c.equal(r.returncode, 0, f"transcode {name} ({r.stderr.strip()})")
    return out


def package(show_id, *dirs):
    r = ladder("package", *dirs, "--id", show_id, "--library", lib, "--profile", profile,
               "--quiet")
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
chosen = {s["name"]: s.get("crf") for s in summary(local_dir)["streams"] if s["kind"] == "video"}
c.check(chosen and all(v and v > 0 for v in chosen.values()),
        f"a show of 30 GOPs is encoded at a CRF per rung: {chosen}")
crf = ",".join("%.2f" % (chosen.get(name) or 23) for name in RUNGS)  # 23: a rung not made
jobs = [transcode("audio", "--audio-only"), transcode("c0", "--segments", "0:5", "--crf", crf),
        transcode("c1", "--segments", "5:5", "--crf", crf)]
local = package("local", local_dir)
chunked = package("chunked", *jobs)
if KIND == "motion" and chunked:
    r = ladder("validate", chunked, "--profile", profile, "--json")
    rules = {f.get("rule") for f in json.loads(r.stdout or "{}").get("failures", [])}
    c.check(r.returncode == 0 and "vbv-conformance" not in rules,
            f"the chunked show conforms to every rung's VBV across the join ({rules or 'no failure'})")

# The same factor for a rung in every job: what makes the chunks' pictures the local ones'.
for job in jobs[1:]:
    c.equal({s["name"]: s.get("crf") for s in summary(job)["streams"] if s["kind"] == "video"},
            chosen, f"{os.path.basename(job)} is encoded at the local factors")

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
    kbps = a[2] / SECONDS / 1000
    print(f"{KIND:7} {s['name']:15} crf {s['crf']:5.2f} local {kbps:7.1f} kbit/s "
          f"({kbps / s['bitrate_kbps']:.2f}x) PSNR-Y {a[0]:.3f} SSIM {a[1]:.5f}; "
          f"chunked {dpsnr:+.3f} dB {dssim:+.5f} {100 * dbits:+.2f}%")
    c.check(abs(dpsnr) <= 0.1, f"{s['name']}: PSNR-Y within 0.1 dB of local ({dpsnr:+.3f})")
    c.check(abs(dssim) <= 0.002, f"{s['name']}: SSIM within 0.002 of local ({dssim:+.5f})")
    c.check(abs(dbits) <= 0.02, f"{s['name']}: bits within 2% of local ({100 * dbits:+.2f}%)")
cleanup(d)
c.done()
