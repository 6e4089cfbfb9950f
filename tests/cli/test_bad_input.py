"""test_bad_input.py CASE: `ladder transcode` on input it must refuse. Each case must end with
one clear error line, exit status 1, and no output folder (nor staging folder) left behind."""
import os
import sys

from ladder_test import Checks, cleanup, ladder, make_clip, workdir

case = sys.argv[1]
c = Checks(f"bad-input-{case}")
d = workdir()
inp = os.path.join(d, "in.mp4")
out = os.path.join(d, "out")

if case == "missing":
    inp = os.path.join(d, "does-not-exist.mp4")
    expect = "no such file"
elif case == "empty":
    make_clip("empty", inp)
    expect = "not a media file"
elif case == "text":
    make_clip("text", inp)
    expect = "not a media file"
elif case == "truncated":
    make_clip("truncated", inp)
    expect = "truncated"
elif case == "truncated-moov-at-end":
    make_clip("truncated-moov-at-end", inp)
    expect = "in.mp4"
elif case == "no-video":
    inp = os.path.join(d, "in.m4a")
    make_clip("no-video", inp)
    expect = "no video stream"
elif case == "directory":
    inp = d
    expect = "directory"
else:
    sys.exit(f"unknown case {case}")

r = ladder("transcode", inp, "--out", out, "--quiet")
lines = [l for l in r.stderr.splitlines() if l.strip()]
c.equal(r.returncode, 1, "exit status")
c.equal(len(lines), 1, f"one error line (got {lines})")
c.check(lines and lines[0].startswith("ladder transcode: error: "), f"error line format: {lines}")
c.check(lines and expect in lines[0], f"error mentions {expect!r}: {lines}")
c.check(not os.path.exists(out), "no output folder")
c.check(not any(".partial-" in n for n in os.listdir(d)), f"no staging folder: {os.listdir(d)}")
cleanup(d)
c.done()
