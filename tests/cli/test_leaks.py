"""test_leaks.py: a whole transcode (and a failing one), a transcode of a source with CEA-608
captions, and an ingest with a caption file, under valgrind: no memory is leaked.
Undefined-value checks are off: x264's hand-written PSNR/SSIM assembly reads padding that
valgrind cannot track (a 20-line program using only x264.h shows the same reports)."""
import os
import shutil

from ladder_test import LADDER, ROOT, Checks, cleanup, make_clip, run, valgrind, workdir

c = Checks("leaks")
if not shutil.which("valgrind"):
    c.check(False, "valgrind is installed")
    c.done()
d = workdir()
inp = make_clip("good", os.path.join(d, "in.mp4"), "--duration", "1")
mov = os.path.join(d, "c608.mov")
run([os.path.join(ROOT, "tests", "media", "make-captioned.sh"), "--duration", "2", "--size",
     "320x180", "c608", mov])
srt = os.path.join(d, "en.srt")
with open(srt, "w") as f:
    f.write("1\n00:00:00,200 --> 00:00:00,800\nHello\n")
VALGRIND = valgrind("--leak-check=full", "--undef-value-errors=no",
                    "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99", "-q")
for name, args, status in [
    ("transcode", [inp, "--out", os.path.join(d, "out")], 0),
    ("truncated", [make_clip("truncated", os.path.join(d, "t.mp4")), "--out",
                   os.path.join(d, "out2")], 1),
    ("transcode with CEA-608", [mov, "--out", os.path.join(d, "out3")], 0),
]:
    r = run(VALGRIND + [LADDER, "transcode", *args, "--quiet"])
    c.equal(r.returncode, status, f"{name} under valgrind (stderr: {r.stderr[-2000:]})")
for name, args, status in [
    ("ingest with a caption file", [inp, "--id", "cc", "--library", os.path.join(d, "lib"),
                                    "--captions", srt + ":en"], 0),
    ("a bad caption file", [inp, "--id", "bad", "--library", os.path.join(d, "lib"),
                            "--captions", inp], 1),
]:
    r = run(VALGRIND + [LADDER, "ingest", *args, "--quiet"])
    c.equal(r.returncode, status, f"{name} under valgrind (stderr: {r.stderr[-2000:]})")
cleanup(d)
c.done()
