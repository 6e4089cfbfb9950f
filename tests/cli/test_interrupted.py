"""test_interrupted.py: a transcode or an ingest killed midway leaves no output folder and the
library exactly as it was; the next run sweeps the staging folder away and succeeds."""
import os
import signal
import subprocess
import time

from ladder_test import LADDER, Checks, cleanup, ladder, make_clip, workdir

c = Checks("interrupted")
d = workdir()
inp = make_clip("good", os.path.join(d, "in.mp4"), "--size", "1280x720", "--duration", "6")
out = os.path.join(d, "out")
p = subprocess.Popen([LADDER, "transcode", inp, "--out", out, "--quiet"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
# wait until the staging folder has media in it, then kill without warning
deadline = time.time() + 60
while time.time() < deadline and p.poll() is None:
    staging = [n for n in os.listdir(d) if ".partial-" in n]
    if staging and any(os.path.getsize(os.path.join(d, staging[0], f)) > 10000
                       for f in os.listdir(os.path.join(d, staging[0]))):
        break
    time.sleep(0.05)
c.check(p.poll() is None, "the transcode was still running when killed")
p.send_signal(signal.SIGKILL)
p.wait()
c.check(not os.path.exists(out), "no output folder after the kill")
c.check(any(".partial-" in n for n in os.listdir(d)), "the killed run's staging folder is hidden")
r = ladder("transcode", inp, "--out", out, "--quiet")
c.equal(r.returncode, 0, "the next run succeeds")
c.equal([n for n in os.listdir(d) if ".partial-" in n], [], "stale staging swept away")
c.check(os.path.exists(os.path.join(out, "summary.json")), "the next run's output is complete")

# the same for an ingest into a library that already holds a show
lib = os.path.join(d, "lib")
c.equal(ladder("ingest", inp, "--id", "old", "--library", lib, "--quiet").returncode, 0,
        "a first show is published")
before = sorted(os.listdir(lib))
p = subprocess.Popen([LADDER, "ingest", inp, "--id", "new", "--library", lib, "--quiet"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
staging_root = os.path.join(lib, ".staging")
deadline = time.time() + 60
while time.time() < deadline and p.poll() is None:
    seg = [f for dp, _, fs in os.walk(staging_root) for f in fs if f.endswith(".ts")]
    if seg:
        break
    time.sleep(0.05)
c.check(p.poll() is None, "the ingest was still running when killed")
p.send_signal(signal.SIGKILL)
p.wait()
c.equal(sorted(os.listdir(lib)), before, "the library is as it was after the kill")
c.check(not os.path.exists(os.path.join(lib, "new")), "no half-published show")
r = ladder("ingest", inp, "--id", "new", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"the next ingest succeeds ({r.stderr.strip()})")
c.equal(os.listdir(staging_root), [], "the killed ingest's staging was swept")


def tree(top):
    """Every path under top with its symlink target or file size."""
    out = []
    for dp, dns, fns in os.walk(top):
        for n in dns + fns:
            p = os.path.join(dp, n)
            out.append((os.path.relpath(p, top),
                        os.readlink(p) if os.path.islink(p) else os.path.getsize(p)))
    return sorted(out)


# a re-ingest of a published id killed midway leaves the published version untouched
before = tree(os.path.join(lib, "old"))
p = subprocess.Popen([LADDER, "ingest", inp, "--id", "old", "--library", lib, "--quiet"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 60
while time.time() < deadline and p.poll() is None:
    if [f for dp, _, fs in os.walk(staging_root) for f in fs if f.endswith(".ts")]:
        break
    time.sleep(0.05)
c.check(p.poll() is None, "the re-ingest was still running when killed")
p.send_signal(signal.SIGKILL)
p.wait()
c.equal(tree(os.path.join(lib, "old")), before, "the published show is exactly as it was")
r = ladder("ingest", inp, "--id", "old", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"the next re-ingest succeeds ({r.stderr.strip()})")
c.equal(os.readlink(os.path.join(lib, "old", "current")), "v2", "and publishes v2")
c.equal(os.listdir(staging_root), [], "the killed re-ingest's staging was swept")
cleanup(d)
c.done()
