"""test_leaks.py: a whole transcode (and a failing one) under valgrind: no memory is leaked.
Undefined-value checks are off: x264's hand-written PSNR/SSIM assembly reads padding that
valgrind cannot track (a 20-line program using only x264.h shows the same reports)."""
import os
import shutil

from ladder_test import LADDER, Checks, cleanup, make_clip, run, workdir

c = Checks("leaks")
if not shutil.which("valgrind"):
    c.check(False, "valgrind is installed")
    c.done()
d = workdir()
inp = make_clip("good", os.path.join(d, "in.mp4"), "--duration", "1")
VALGRIND = ["valgrind", "--leak-check=full", "--undef-value-errors=no",
            "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99", "-q"]
for name, args, status in [
    ("transcode", [inp, "--out", os.path.join(d, "out")], 0),
    ("truncated", [make_clip("truncated", os.path.join(d, "t.mp4")), "--out",
                   os.path.join(d, "out2")], 1),
]:
    r = run(VALGRIND + [LADDER, "transcode", *args, "--quiet"])
    c.equal(r.returncode, status, f"{name} under valgrind (stderr: {r.stderr[-2000:]})")
cleanup(d)
c.done()
