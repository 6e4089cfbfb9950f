"""test_kill_trials.py: `ladder ingest` killed without warning (SIGKILL) at random moments, 20
times, never leaves a half-made show. Trials alternate between a new id and a re-ingest of a
published one. After each kill: every show in the library is whole (`ladder validate` passes on
what `current` names), a show published earlier is either exactly as it was or a whole new
version, a new id is either absent or whole, and the next ingest of the same id succeeds and
sweeps the killed run's staging. Also: a library that cannot be written is refused with one
line before any encoding, and a disk that fills up mid-ingest (a file-size limit) is refused
with one line, the library untouched and its staging swept by the next run. The random
moments come from a seed printed at the start (LADDER_KILL_SEED repeats a run)."""
import os
import random
import resource
import signal
import subprocess
import time

from ladder_test import LADDER, ROOT, Checks, cleanup, ladder, make_clip, tree_hashes, workdir

TRIALS = 20
c = Checks("kill_trials")
d = workdir()
seed = int(os.environ.get("LADDER_KILL_SEED", random.randrange(1 << 30)))
print(f"seed {seed}")
rng = random.Random(seed)
profile = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "4")
lib = os.path.join(d, "lib")


def ingest_args(show_id, title):
    return ["ingest", clip, "--id", show_id, "--title", title, "--library", lib, "--profile",
            profile, "--quiet"]


def whole(show_id):
    """The show validates at its current version (ladder validate LIBRARY/ID)."""
    r = ladder("validate", os.path.join(lib, show_id), "--profile", profile)
    return r.returncode == 0


# One show published before the trials; how long an ingest takes, to aim the kills.
t0 = time.time()
r = ladder(*ingest_args("anchor", "Anchor"))
span = time.time() - t0
if not c.equal(r.returncode, 0, f"the anchor show publishes ({r.stderr.strip()})"):
    c.done()
anchor = tree_hashes(os.path.join(lib, "anchor"))
for trial in range(TRIALS):
    show_id = "anchor" if trial % 2 else f"new{trial}"
    before = tree_hashes(os.path.join(lib, show_id))
    p = subprocess.Popen([LADDER, *ingest_args(show_id, f"Trial {trial}")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, span * 1.1))
    p.send_signal(signal.SIGKILL)
    p.wait()
    after = tree_hashes(os.path.join(lib, show_id))
    what = f"trial {trial + 1} ({show_id}, killed {'after' if p.returncode == 0 else 'during'})"
    if show_id == "anchor":
        c.check(after == before or whole(show_id),
                f"{what}: the published show is as it was or a whole new version")
    else:
        c.check(not after or whole(show_id), f"{what}: the new id is absent or whole")
    if show_id != "anchor":
        c.check(tree_hashes(os.path.join(lib, "anchor")) == anchor,
                f"{what}: the anchor show, not being ingested, is untouched")
    r = ladder(*ingest_args(show_id, f"Trial {trial} again"))
    c.equal(r.returncode, 0, f"{what}: the next ingest of the id succeeds ({r.stderr.strip()})")
    anchor = tree_hashes(os.path.join(lib, "anchor"))
    staging = os.path.join(lib, ".staging")
    c.equal(os.listdir(staging) if os.path.isdir(staging) else [], [],
            f"{what}: no staging left behind")
shows = sorted(x for x in os.listdir(lib) if not x.startswith("."))
c.check(all(whole(x) for x in shows), f"every show in the library is whole: {shows}")

# A library nobody may write: refused before encoding. As root, permissions do not bind, so
# the run drops to nobody (setpriv); as anyone else the folder is made read-only.
ro = os.path.join(d, "ro")
os.makedirs(ro)
os.chmod(d, 0o755)
os.chmod(clip, 0o644)
os.chmod(ro, 0o555)
drop = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []
t0 = time.time()
r = subprocess.run([*drop, LADDER, "ingest", clip, "--id", "x", "--library", ro, "--profile",
                    profile, "--quiet"], capture_output=True, text=True, timeout=300)
c.check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and
        "Permission denied" in r.stderr and ro in r.stderr,
        f"read-only library: one line naming it ({r.returncode}, {r.stderr.strip()!r})")
c.check(time.time() - t0 < 0.5 * span, f"read-only library: refused before encoding "
        f"({time.time() - t0:.2f} s; an ingest takes {span:.2f} s)")
c.equal(os.listdir(ro), [], "read-only library: nothing in it")


# A disk that fills up mid-ingest: one line, the library untouched; the staging folder is gone
# at once (the failing run removes it) or swept by the next run.
def small_files():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


before = tree_hashes(lib)
r = ladder(*ingest_args("anchor", "Full disk"), preexec_fn=small_files)
c.check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and
        "File too large" in r.stderr, f"full disk: one line ({r.stderr.strip()!r})")
after = tree_hashes(lib)
c.equal(sorted(k for k in after if not k.startswith(".")),
        sorted(k for k in before if not k.startswith(".")), "full disk: the library untouched")
c.check(all(after[k] == before[k] for k in before if not k.startswith(".")),
        "full disk: every published byte as it was")
r = ladder(*ingest_args("anchor", "After the full disk"))
c.equal(r.returncode, 0, "the next ingest succeeds")
c.equal(os.listdir(os.path.join(lib, ".staging")), [], "and no staging is left")
cleanup(d)
c.done()
