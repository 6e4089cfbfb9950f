"""test_cli_basics.py: the `ladder` program's surface: help for every subcommand, usage errors,
and `ladder profiles`."""
import os
import sys

from ladder_test import LADDER, Checks, ROOT, cleanup, ladder, make_clip, run, workdir

SUBCOMMANDS = ["ingest", "package", "profiles", "queue", "serve", "transcode", "validate", "worker"]

c = Checks("cli-basics")
for cmd in SUBCOMMANDS:
    r = ladder(cmd, "-h")
    c.equal(r.returncode, 0, f"ladder {cmd} -h exit status")
    c.check(r.stdout.startswith("usage: ladder " + cmd), f"ladder {cmd} -h prints its usage")

r = ladder()
c.equal(r.returncode, 2, "ladder without a command")
r = ladder("frobnicate")
c.equal(r.returncode, 2, "unknown command")
c.check("not a ladder command" in r.stderr, "unknown command is named")
r = ladder("transcode", "x.mp4", "--out", "/tmp/x", "--bogus")
c.equal(r.returncode, 2, "unknown option")
c.check("unknown option '--bogus'" in r.stderr, "unknown option is named")
r = ladder("transcode", "x.mp4", "--out", "/tmp/x", "--threads", "many")
c.equal(r.returncode, 2, "non-numeric --threads")
r = ladder("transcode", "x.mp4")
c.equal(r.returncode, 2, "transcode without --out")

pbs16 = os.path.join(ROOT, "profiles", "pbs16.xml")
r = ladder("profiles", "check", pbs16)
c.equal(r.returncode, 0, "profiles check pbs16.xml")
c.check("16 rungs" in r.stdout, "profiles check reports the rung count")
r = ladder("profiles", "show")
c.equal(r.returncode, 0, "profiles show")
rows = [l for l in r.stdout.splitlines() if l.split() and l.split()[0].isdigit()]
c.equal(len(rows), 16, "profiles show lists 16 rungs")

d = workdir()
bad = os.path.join(d, "bad.xml")
with open(bad, "w") as f:
    f.write(open(pbs16).read().replace('width="640"  height="360"  video-kbps="365"',
                                       'width="641"  height="360"  video-kbps="365"'))
r = ladder("profiles", "check", bad)
c.equal(r.returncode, 1, "profiles check of a bad profile")
line = r.stderr.strip()
c.check(line.startswith(bad + ":9:"), f"bad profile error names file and line 9: {line!r}")
c.check("even" in line or "width" in line, f"bad profile error names the problem: {line!r}")
r = ladder("transcode", "whatever.mp4", "--profile", bad, "--out", os.path.join(d, "o"))
c.equal(r.returncode, 1, "transcode with a bad profile")
c.check(bad + ":9:" in r.stderr, "transcode reports the profile's file and line")
# progress: a bar on a terminal (script(1) gives the command one), silence otherwise
clip = make_clip("good", os.path.join(d, "p.mp4"), "--duration", "1")
log = os.path.join(d, "tty.log")
r = run(["script", "-qec", f"{LADDER} transcode {clip} --out {os.path.join(d, 'o1')}", log])
with open(log, "rb") as f:
    screen = f.read().decode("utf-8", "replace")
c.check(r.returncode == 0 and "transcode [" in screen and "100%" in screen and "fps" in screen
        and "ETA" in screen, "a progress bar with percent, fps and ETA on a terminal")
r = ladder("transcode", clip, "--out", os.path.join(d, "o2"))
c.check(r.returncode == 0 and "[" not in r.stderr, f"no progress bar when not a terminal: {r.stderr!r}")
r = ladder("transcode", clip, "--out", os.path.join(d, "o3"), "--json")
try:
    import json
    c.check(len(json.loads(r.stdout)["streams"]) > 0, "--json prints the summary on stdout")
except ValueError:
    c.check(False, f"--json prints JSON: {r.stdout[:200]!r}")
cleanup(d)
c.done()
