"""test_fault_corpus.py: `ladder ingest` on every file of the media fault corpus
(tests/media/make-faults.sh: truncated and bit-flipped files, wrong extensions, absurd sizes,
zero time bases, odd stream layouts, interlaced/VFR/rotated/10-bit, no keyframe at the start,
timestamps going backwards...) and on a file that is still being copied while ingest reads it.

For each input Ladder must either publish a show that passes `ladder validate`, or refuse the
file: exit status 1 and exactly one line on stderr, "ladder ingest: error: ..." saying what is
wrong with the file. Never a signal, a sanitizer report, another exit status, or a run longer
than TIMEOUT seconds. Whatever happens, the library is left as it was: the show published
first ("anchor") stays byte-identical, nothing is left in LIBRARY/.staging, and a refused
input leaves no show folder.

A refusal is "clear" unless it is one of these, which say nothing true about the file:
  - own-output: the show Ladder made failed its own validation ("not published: N rule(s)
    failed ..."): a fact about Ladder's output, not about the input;
  - bare library error: the explanation is only an errno/FFmpeg error string ("End of file",
    "Function not implemented", "Invalid data found when processing input", ...);
  - false claim: the file is complete, yet the message calls it truncated.

Prints a table (input, outcome, the error line or the published variants) and, at the end,
the inputs that fail the requirement."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from ladder_test import (LADDER, ROOT, Checks, cleanup, ladder, make_clip, show_version,
                         tree_hashes, workdir)

TIMEOUT = 120  # seconds per `ladder ingest`
PREFIX = "ladder ingest: error: "
MAKE_FAULTS = os.path.join(ROOT, "tests", "media", "make-faults.sh")

# Small and quick: one HLS rung and one MP4 rung, both 320x180 Baseline 3.0.
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<ladder xmlns="urn:ladder:profile:1" name="fault-corpus" preset="veryfast" gop-seconds="2"
        segment-seconds="6" container="ts" audio-channels="2">
  <rung name="hls-180p-300" use="hls" width="320" height="180" video-kbps="300" maxrate-kbps="450" bufsize-kbps="600" profile="baseline" level="3.0" audio-kbps="64"/>
  <rung name="mp4-180p-300" use="mp4" width="320" height="180" video-kbps="300" maxrate-kbps="450" bufsize-kbps="600" profile="baseline" level="3.0" audio-kbps="64"/>
</ladder>
"""

# Inputs that really end early (or look as if they do): "truncated" is a fair thing to say.
MAY_LOOK_TRUNCATED = re.compile(r"^(trunc-|growing-|flip-stbl|flip-moov-size)")

# Error strings of libc (strerror) and FFmpeg (av_strerror) that explain nothing on their own.
BARE_ERRORS = [
    "End of file", "Function not implemented", "Invalid data found when processing input",
    "Invalid argument", "Operation not permitted", "Input/output error", "Unknown error",
    "Unknown error occurred", "Not yet implemented in FFmpeg, patches welcome",
    "Internal bug, should not have happened", "Generic error in an external library",
    "Decoder not found", "Demuxer not found", "Bug detected, please report the issue",
    "Resource temporarily unavailable", "Cannot allocate memory", "Bad address",
    "Result too large", "Numerical result out of range", "Invalid data", "Success",
]
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
             "ThreadSanitizer", "MemorySanitizer", "runtime error:")

c = Checks("fault-corpus")
t_start = time.monotonic()
d = workdir()
corpus = os.path.join(d, "corpus")
lib = os.path.join(d, "lib")
profile = os.path.join(d, "fault-corpus.xml")
with open(profile, "w") as f:
    f.write(PROFILE)

gen = subprocess.run([MAKE_FAULTS, corpus], capture_output=True, text=True, timeout=300)
if not c.check(gen.returncode == 0, f"make-faults.sh: {gen.stderr.strip()}"):
    c.done()
inputs = [tuple(line.split("\t", 1)) for line in gen.stdout.splitlines() if line.strip()]
c.check(len(inputs) >= 30, f"the corpus has at least 30 files ({len(inputs)})")
t_gen = time.monotonic() - t_start


def shows():
    return sorted(n for n in os.listdir(lib) if not n.startswith("."))


def staging_left():
    st = os.path.join(lib, ".staging")
    return sorted(os.listdir(st)) if os.path.isdir(st) else []


def ingest(path, show_id):
    """Runs ingest in its own process group; returns (returncode or None on timeout, stderr,
    seconds). On timeout the group is killed (SIGKILL) and waited for."""
    t0 = time.monotonic()
    p = subprocess.Popen([LADDER, "ingest", path, "--id", show_id, "--library", lib,
                          "--profile", profile, "--quiet"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, errors="replace",
                         start_new_session=True)
    try:
        _, err = p.communicate(timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        _, err = p.communicate()
        rc = None
    return rc, err, time.monotonic() - t0


def show_variants(show_id):
    """The published renditions: hls/<rung> folders and mp4/<rung>.mp4 files."""
    v = show_version(lib, show_id)
    hls, mp4 = (sorted(os.listdir(os.path.join(v, k))) if os.path.isdir(os.path.join(v, k))
                else [] for k in ("hls", "mp4"))
    mp4 = [n[:-4] for n in mp4]
    return "hls: " + ",".join(hls) + "; mp4: " + ",".join(mp4)


def unclear(name, line):
    """Why a refusal line does not say what is wrong with the file, or None."""
    msg = line[len(PREFIX):]
    if re.search(r"not published: \d+ rule\(s\) failed", msg):
        return "refused by the validation of Ladder's own output, not a statement about the file"
    tail = msg.rsplit(": ", 1)[-1].strip().rstrip(".")
    if tail in BARE_ERRORS or msg.strip() in BARE_ERRORS:
        return f"the explanation is only the library error string {tail!r}"
    if "truncated" in msg and not MAY_LOOK_TRUNCATED.match(name):
        return "says the file is truncated, but it is complete"
    return None


# The anchor: one good show published first; it must never change.
anchor_clip = make_clip("good", os.path.join(d, "anchor.mp4"), "--size", "320x180")
rc, err, _ = ingest(anchor_clip, "anchor")
if not c.check(rc == 0, f"anchor show published (exit {rc}: {err.strip()})"):
    c.done()
r = ladder("validate", os.path.join(lib, "anchor"), "--profile", profile)
c.check(r.returncode == 0, f"anchor show validates: {r.stdout.strip()[-300:]}")
anchor = tree_hashes(os.path.join(lib, "anchor"))

results = []  # (name, outcome, detail, [problems], seconds)


def slow_copy(src, dst, started, first=32 * 1024, chunk=8 * 1024, pause=0.05):
    """Copies src to dst the way a slow network copy would: the first bytes at once (then
    `started` is set), the rest in small chunks."""
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as out:
        out.write(data[:first])
        out.flush()
        started.set()
        for i in range(first, len(data), chunk):
            time.sleep(pause)
            out.write(data[i:i + chunk])
            out.flush()


def run_one(name, path, desc):
    global anchor
    show_id = re.sub(r"[^a-z0-9_-]", "-", name.lower())
    before = shows()
    rc, err, secs = ingest(path, show_id)
    lines = [l for l in err.splitlines() if l.strip()]
    problems = []  # safety: must hold for every input
    clarity = []  # the refusal says what is wrong with the file, in one line
    sanitizer = [l for l in lines if any(s in l for s in SANITIZER)]
    if sanitizer:
        problems.append(f"sanitizer report: {sanitizer[0]}")
    if rc is None:
        outcome, detail = "HANG", f"killed after {TIMEOUT} s"
        problems.append(f"no answer within {TIMEOUT} s")
    elif rc < 0:
        outcome, detail = "CRASH", f"signal {signal.Signals(-rc).name}"
        problems.append(f"killed by {signal.Signals(-rc).name}")
    elif rc == 0:
        outcome = "published"
        detail = show_variants(show_id) if os.path.isdir(os.path.join(lib, show_id)) else "?"
        r = ladder("validate", os.path.join(lib, show_id), "--profile", profile, timeout=TIMEOUT)
        if r.returncode != 0:
            fails = [l for l in r.stdout.splitlines() if ": " in l][:3]
            problems.append(f"published show fails `ladder validate`: {' | '.join(fails)}")
        if lines and not sanitizer:
            detail += f"  (stderr: {' | '.join(lines)})"
        if shows() != sorted(set(before) | {show_id}):
            problems.append(f"library shows changed from {before} to {shows()}")
    elif rc == 1:
        outcome = "refused"
        detail = " | ".join(lines) if lines else "(nothing on stderr)"
        if len(err.splitlines()) != 1:
            clarity.append(f"{len(err.splitlines())} lines on stderr, not one")
        errs = [l for l in lines if l.startswith(PREFIX)]
        if not errs or len(errs[-1]) <= len(PREFIX):
            clarity.append(f"no line '{PREFIX}<what is wrong>'")
        else:
            why = unclear(name, errs[-1])
            if why:
                clarity.append(f"unclear error: {why}")
    else:
        outcome, detail = f"exit {rc}", " | ".join(lines)
        problems.append(f"exit status {rc}, not 0 or 1")
    if outcome != "published" and shows() != before:
        problems.append(f"the input was not published, yet the library's shows changed from "
                        f"{before} to {shows()}")
    now = tree_hashes(os.path.join(lib, "anchor"))
    if now != anchor:
        changed = sorted(k for k in set(now) | set(anchor) if now.get(k) != anchor.get(k))
        problems.append(f"the anchor show changed: {changed[:5]}")
        anchor = now  # so that only this input is blamed
    left = staging_left()
    if left:
        problems.append(f"left in .staging: {left}")
        for n in left:  # so that only this input is blamed
            path = os.path.join(lib, ".staging", n)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
    c.check(not problems, f"{name} ({desc}): {outcome}: {'; '.join(problems)}"
            + (f" [stderr: {' | '.join(lines)[:600]}]" if lines and outcome != "refused" else ""))
    c.check(not clarity, f"{name} ({desc}): {outcome}: {'; '.join(clarity)}")
    problems += clarity
    results.append((name, outcome, detail, problems, secs))


for name, desc in inputs:
    run_one(name, os.path.join(corpus, name), desc)

# Files still being copied: ingest starts once the first 32 KB are there; a writer appends the
# rest 8 KB every 50 ms (an 8 s 320x180 clip: about 1.5 s of copying).
grow_src = os.path.join(d, "grow-src")
os.makedirs(grow_src)
faststart = make_clip("good", os.path.join(grow_src, "a.mp4"), "--size", "320x180",
                      "--duration", "8")


def remux(dst, fmt):
    """The same clip in another layout (stream copy, quick)."""
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i",
                    faststart, "-map", "0", "-c", "copy", "-fflags", "+bitexact", "-f", fmt, dst],
                   check=True, timeout=120)
    return dst


growing = [
    ("growing-faststart.mp4", faststart, "faststart MP4 still being copied (moov first)"),
    ("growing-moov-at-end.mp4", remux(os.path.join(grow_src, "b.mp4"), "mp4"),
     "MP4 with moov after mdat, still being copied"),
    ("growing.ts", remux(os.path.join(grow_src, "c.ts"), "mpegts"),
     "MPEG-TS still being copied"),
]
for name, src, desc in growing:
    dst = os.path.join(corpus, name)
    started = threading.Event()
    writer = threading.Thread(target=slow_copy, args=(src, dst, started), daemon=True)
    writer.start()
    started.wait(30)
    run_one(name, dst, desc)
    writer.join(60)
    inputs.append((name, desc))

# The table, then the inputs that fail the requirement.
w = max(len(n) for n, *_ in results)
print(f"\n{'input':<{w}}  {'outcome':<9}  {'time':>5}  error line / published variants")
print(f"{'-' * w}  {'-' * 9}  {'-' * 5}  {'-' * 40}")
for name, outcome, detail, problems, secs in results:
    print(f"{name:<{w}}  {outcome:<9}  {secs:5.1f}  {detail}")
bad = [(n, o, p) for n, o, _, p, _ in results if p]
print(f"\n{len(results)} inputs: {len(results) - len(bad)} handled as required, "
      f"{len(bad)} failing (corpus generated in {t_gen:.1f} s, "
      f"whole test {time.monotonic() - t_start:.1f} s)")
if bad:
    print("INPUTS WHERE LADDER FAILS THE REQUIREMENT:")
    for name, outcome, problems in bad:
        print(f"  {name}: {outcome}: {'; '.join(problems)}")
print()
cleanup(d)
c.done()
