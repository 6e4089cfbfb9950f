"""ladder_test.py: shared helpers for the end-to-end tests of the `ladder` program.

Each test file is a plain script run by ctest: it exits 0 when every check passed and prints
one line per failed check otherwise. Clips are generated at test time by
tests/media/make-clip.sh; nothing binary is committed.

Every show.json a test publishes under a workdir() is checked against docs/show.schema.json
(python3-jsonschema) when cleanup() removes the folder, or at Checks.done() if it is still there:
one check per file, so a test that publishes covers the format without saying so."""
import hashlib
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
SHOW_SCHEMA = os.path.join(ROOT, "docs", "show.schema.json")

_workdirs = []        # folders from workdir() not yet checked for show.json files
_schema_results = []  # (ok, what) found by cleanup(), recorded by the next Checks.done()


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
        # Shows published into a folder that was never cleaned up (an early exit) count too.
        for d in list(_workdirs):
            _schema_results.extend(show_json_schema_results(d))
            _workdirs.remove(d)
        for ok, what in _schema_results:
            self.check(ok, what)
        _schema_results.clear()
        print(f"{self.name}: {self.count - len(self.failures)} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)


def workdir():
    d = tempfile.mkdtemp(prefix="ladder-test-")
    _workdirs.append(d)
    return d


def run(args, **kw):
    """Runs a command, returns CompletedProcess with text output; never raises on exit code."""
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 900), **kw)


def make_clip(kind, out, *opts):
    r = run([MAKE_CLIP, kind, out, *opts])
    if r.returncode != 0:
        raise RuntimeError(f"make-clip {kind} failed: {r.stderr.strip()}")
    return out


def valgrind(*options):
    """The valgrind command line with options, preloading tests/valgrind/hwy_timer.c into the
    program when ctest names it (VALGRIND_PRELOAD): without it, valgrind kills every program
    that loads libhwy on a CPU without RDTSCP."""
    preload = os.environ.get("VALGRIND_PRELOAD")
    return (["env", f"LD_PRELOAD={preload}"] if preload else []) + ["valgrind", *options]


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
    # The last moment the shows in d exist: check their show.json files now, record at done().
    if d in _workdirs:
        _workdirs.remove(d)
        _schema_results.extend(show_json_schema_results(d))
    shutil.rmtree(d, ignore_errors=True)


def tree_hashes(folder):
    """{relative path: sha256 of a file, or "-> target" of a symlink} of everything under folder:
    what "the library is untouched" compares."""
    out = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(top, name)
            rel = os.path.relpath(path, folder)
            if os.path.islink(path):
                out[rel] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out


def show_json_files(folder):
    """Every show.json under folder that is a real file, sorted. Symlinks (LIBRARY/ID/show.json
    -> current/show.json, a test's links out of the library) are skipped so each version's file
    is checked once, and so are dot-folders (.staging holds what is not published)."""
    found = []
    for top, dirs, files in os.walk(folder):  # does not descend into symlinked folders
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        found += [os.path.join(top, f) for f in files
                  if f == "show.json" and not os.path.islink(os.path.join(top, f))]
    return sorted(found)


SHOW_FORMAT = 1  # the newest show.json format these tests know (docs/show-json.md)


def parse_show_json(text):
    """The tests' one reader of show.json: parsed, with the reader's rule that a newer format
    is refused (a test then fails loudly instead of checking fields that changed meaning)."""
    doc = json.loads(text)
    if doc.get("format", 1) > SHOW_FORMAT:
        raise ValueError(f"show.json format {doc['format']} is newer than the tests know")
    return doc


def load_show_json(path):
    with open(path) as f:
        return parse_show_json(f.read())


_validator = []  # the Draft-07 validator for SHOW_SCHEMA, made once


def show_json_errors(doc):
    """The schema's complaints about one parsed show.json, as "where: message" strings ([] if
    it conforms). Raises ImportError without python3-jsonschema."""
    if not _validator:
        import jsonschema
        with open(SHOW_SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        _validator.append(jsonschema.Draft7Validator(schema))
    errors = sorted(_validator[0].iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors]


def show_json_schema_results(folder):
    """[(ok, what)], one per show.json under folder (show_json_files), against SHOW_SCHEMA."""
    results = []
    for path in show_json_files(folder):
        rel = os.path.relpath(path, folder)
        try:
            with open(path) as f:
                errors = show_json_errors(json.load(f))
        except ImportError:
            return [(False, f"{rel}: cannot check show.json, python3-jsonschema is missing "
                            "(scripts/install-deps.sh)")]
        except ValueError as e:
            errors = [f"not JSON: {e}"]
        results.append((not errors, f"{rel} conforms to docs/show.schema.json"
                        + (f": {'; '.join(errors[:3])}" if errors else "")))
    return results


def check_show_json_schema(checks, folder):
    """Checks every show.json under folder (a library, a show or a version folder) against
    docs/show.schema.json, one check each; returns how many there were."""
    results = show_json_schema_results(folder)
    for ok, what in results:
        checks.check(ok, what)
    return len(results)


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
