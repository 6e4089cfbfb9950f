"""test_sink_errors.py: when writing the show fails half way (here a file-size limit, as a full
disk would), the packager's own words reach the user: which file, and why. The failure goes back
through the sink as a ladder_error, for `ladder ingest` (packets from the encoder threads),
`ladder package` (from the replay threads) and `ladder transcode` (the disk sink). Nothing is
published, and the library holds no show."""
import os
import resource
import signal

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, workdir

LIMIT = 400_000  # bytes: the first MP4 or segment to grow past this fails with EFBIG


def small_files():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death by signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


c = Checks("sink_errors")
d = workdir()
profile = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "12")
tc = os.path.join(d, "tc")
r = ladder("transcode", clip, "--out", tc, "--profile", profile, "--quiet")
c.equal(r.returncode, 0, f"a transcode without the limit ({r.stderr.strip()})")

runs = {
    "ingest": ["ingest", clip, "--id", "big", "--library", os.path.join(d, "lib-i"),
               "--profile", profile, "--quiet"],
    "package": ["package", tc, "--id", "big", "--library", os.path.join(d, "lib-p"),
                "--profile", profile, "--quiet"],
    "transcode": ["transcode", clip, "--out", os.path.join(d, "tc2"), "--profile", profile,
                  "--quiet"],
}
for name, args in runs.items():
    r = ladder(*args, preexec_fn=small_files)
    line = r.stderr.strip()
    c.equal(r.returncode, 1, f"{name}: fails with exit 1 ({line[-200:]})")
    c.check(len(line.splitlines()) == 1 and "File too large" in line,
            f"{name}: one line with the system's reason: {line!r}")
    c.check(d in line, f"{name}: the line names the file or folder being written")
    c.check("writing a packet failed" not in line and "refused a packet" not in line,
            f"{name}: the sink's message is not replaced by a generic one")
for lib in ("lib-i", "lib-p"):
    top = os.path.join(d, lib)
    shows = [x for x in os.listdir(top) if not x.startswith(".")] if os.path.isdir(top) else []
    c.equal(shows, [], f"{lib}: nothing published")
c.check(not os.path.exists(os.path.join(d, "tc2", "summary.json")), "transcode: no summary.json")
cleanup(d)
c.done()
