"""test_bad_input.py CASE: `ladder transcode` on input it must refuse. Each case must end with
one clear error line, exit status 1, and no output folder (nor staging folder) left behind."""
import os
import sys

from ladder_test import Checks, cleanup, ladder, make_clip, workdir

# case: (clip kind to generate or None, input file name, what the error line must mention)
CASES = {
    "missing": (None, "does-not-exist.mp4", "no such file"),
    "empty": ("empty", "in.mp4", "not a media file"),
    "text": ("text", "in.mp4", "not a media file"),
    "truncated": ("truncated", "in.mp4", "truncated"),
    "truncated-moov-at-end": ("truncated-moov-at-end", "in.mp4", "in.mp4"),
    "no-video": ("no-video", "in.m4a", "no video stream"),
    "directory": (None, "", "directory"),
}

case = sys.argv[1]
kind, name, expect = CASES[case]
c = Checks(f"bad-input-{case}")
d = workdir()
inp = os.path.join(d, name) if name else d
out = os.path.join(d, "out")
if kind:
    make_clip(kind, inp)

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
