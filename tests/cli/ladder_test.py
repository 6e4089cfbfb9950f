"""ladder_test.py: shared helpers for the end-to-end tests of the `ladder` program.

Each test file is a plain script run by ctest: it exits 0 when every check passed and prints
one line per failed check otherwise. Clips are generated at test time by
tests/media/make-clip.sh; nothing binary is committed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LADDER = os.environ.get("LADDER", os.path.join(ROOT, "build", "ladder"))
MAKE_CLIP = os.path.join(ROOT, "tests", "media", "make-clip.sh")
MAKE_SAMPLE = os.path.join(ROOT, "samples", "make-mezzanine.sh")


class Checks:
    """Collects failed checks so one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def check(self, cond, what):
        self.count += 1
        if not cond:
            self.failures.append(what)
            print(f"FAIL {self.name}: {what}", flush=True)
        return cond

    def equal(self, got, want, what):
        return self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def done(self):
        print(f"{self.name}: {self.count - len(self.failures)} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)


def workdir():
    d = tempfile.mkdtemp(prefix="ladder-test-")
    return d


def run(args, **kw):
    """Runs a command, returns CompletedProcess with text output; never raises on exit code."""
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 900), **kw)


def make_clip(kind, out, *opts):
    r = run([MAKE_CLIP, kind, out, *opts])
    if r.returncode != 0:
        raise RuntimeError(f"make-clip {kind} failed: {r.stderr.strip()}")
    return out


def ladder(*args, **kw):
    return run([LADDER, *args], **kw)


def ffprobe(path, *entries, select=None):
    cmd = ["ffprobe", "-v", "error", "-of", "json"]
    if select:
        cmd += ["-select_streams", select]
    cmd += list(entries) + [path]
    r = run(cmd)
    if r.returncode != 0:
        raise RuntimeError(f"ffprobe {path}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def stream_info(path, select="v:0"):
    d = ffprobe(path, "-show_streams", select=select)
    return d["streams"][0] if d.get("streams") else None


def video_packets(path):
    """[(pts_seconds, is_key)] of the first video stream, in decode order."""
    d = ffprobe(path, "-show_entries", "packet=pts_time,flags", select="v:0")
    return [(float(p["pts_time"]), "K" in p["flags"]) for p in d["packets"]]


def keyframe_times(path):
    return sorted(round(t, 6) for t, k in video_packets(path) if k)


def summary(outdir):
    with open(os.path.join(outdir, "summary.json")) as f:
        return json.load(f)


def cleanup(d):
    shutil.rmtree(d, ignore_errors=True)


def ingest_clip(d, show_id, size="1280x720", duration="14"):
    """Makes a good clip in d and ingests it into d/lib; returns (clip, library, process)."""
    clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", size, "--duration", duration)
    lib = os.path.join(d, "lib")
    return clip, lib, ladder("ingest", clip, "--id", show_id, "--library", lib, "--quiet")


def show_version(lib, show_id):
    """The folder holding a published show's files (playlists, hls/, mp4/, show.json): the
    version that LIBRARY/ID/current points at, or LIBRARY/ID itself for an unversioned layout."""
    top = os.path.join(lib, show_id)
    cur = os.path.join(top, "current")
    return os.path.realpath(cur) if os.path.islink(cur) else top
