"""test_threads.py: the packager muxes every rung on the thread that hands it packets: the
transcoder's encoder threads in `ladder ingest`, one replay thread per stream in `ladder
package`. Whatever order the threads run in, the show is the same: ingest, and package of the
same transcode run three times, give byte-identical files (show.json aside, which has a date).
Built with ThreadSanitizer (scripts/test.sh, build-tsan/) the same runs also fail on any data
race it sees."""
import hashlib
import os

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, show_version, workdir

c = Checks("threads")
d = workdir()
profile = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "14")


def files(show):
    out = {}
    for top, _, names in os.walk(show):
        for name in names:
            if name != "show.json":
                with open(os.path.join(top, name), "rb") as f:
                    out[os.path.relpath(os.path.join(top, name), show)] = \
                        hashlib.sha256(f.read()).hexdigest()
    return out


def clean(r, what):
    c.equal(r.returncode, 0, f"{what} ({r.stderr.strip()[-300:]})")
    c.check("ThreadSanitizer" not in r.stderr, f"{what}: no data race reported")


r = ladder("ingest", clip, "--id", "t", "--library", os.path.join(d, "ingest"), "--profile",
           profile, "--quiet")
clean(r, "ingest")
want = files(show_version(os.path.join(d, "ingest"), "t")) if r.returncode == 0 else {}
tc = os.path.join(d, "tc")
clean(ladder("transcode", clip, "--out", tc, "--profile", profile, "--quiet"), "transcode")
for run in range(3):
    lib = os.path.join(d, f"package{run}")
    r = ladder("package", tc, "--id", "t", "--library", lib, "--profile", profile, "--quiet")
    clean(r, f"package run {run + 1}")
    if r.returncode == 0:
        got = files(show_version(lib, "t"))
        c.check(len(got) > 20 and got == want,
                f"package run {run + 1}: the same {len(want)} files as ingest, byte for byte")
cleanup(d)
c.done()
