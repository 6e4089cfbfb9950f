"""test_scte35.py: a broadcast MPEG-TS mezzanine's SCTE-35 cues become ad breaks (docs/ads.md).

The mezzanine is made at test time by tests/media/scte35_ts.py (ffmpeg's A/V, the cues written
by the helper, the one place Ladder writes SCTE-35): a splice_insert out-point at 3.37 s with a
15 s break_duration, a time_signal placement opportunity at 7 s for 10 s, and a section cut
short at 9 s. With --ad-breaks 3.38/20,5:
- the cue at 3.37 s and the option at 3.38 s (a frame apart) are one break, the option's frame
  and duration, source option+scte35, its SCTE35-OUT the cue's bytes exactly;
- the time_signal is a break of its own with its own bytes; the option at 5 s has none;
- the broken section is skipped with a warning naming its time, and nothing crashes;
- every media playlist carries the same SCTE35-OUT attributes; the show validates;
- --ignore-scte35 leaves only the option's breaks; a cue past the end is dropped with a warning."""
import json
import os
import sys

from ladder_test import ROOT, Checks, cleanup, ladder, run, show_version, workdir

c = Checks("scte35")
d = workdir()
mezz = os.path.join(d, "cues.ts")
HELPER = os.path.join(ROOT, "tests", "media", "scte35_ts.py")
r = run([sys.executable, HELPER, mezz, "--duration", "12", "--size", "640x360", "--cue",
         "3.37/15", "--cue", "7/10:time_signal", "--cue", "9:broken", "--json"])
if not c.equal(r.returncode, 0, f"scte35_ts.py makes the mezzanine ({r.stderr.strip()})"):
    c.done()
made = json.loads(r.stdout)
hex_at = {round(cue["time"], 2): cue["hex"] for cue in made["cues"]}
lib = os.path.join(d, "lib")
r = ladder("ingest", mezz, "--id", "cues", "--library", lib, "--ad-breaks", "3.38/20,5", "--quiet")
c.equal(r.returncode, 0, f"ingest of the cued mezzanine ({r.stderr.strip()})")
warnings = [l for l in r.stderr.splitlines() if "SCTE-35" in l]
c.check(len(warnings) == 1 and "skipped" in warnings[0] and " s " in warnings[0],
        f"one warning, naming the broken section's time: {warnings}")
show = show_version(lib, "cues")
with open(os.path.join(show, "show.json")) as f:
    breaks = json.load(f).get("breaks", [])
FRAME = 1 / 25
got = [(b["id"], round(b["time"], 3), b["duration"], b["source"], b.get("scte35")) for b in breaks]
c.equal(got, [("break-1", round(85 * FRAME, 3), 20, "option+scte35", hex_at[3.37]),
              ("break-2", 5.0, 30, "option", None),
              ("break-3", 7.0, 10, "scte35", hex_at[7.0])], "show.json breaks")
playlists = sorted(os.path.join(t, f) for t, _, fs in os.walk(os.path.join(show, "hls"))
                   for f in fs if f.endswith(".m3u8"))
outs = {p: [l.split("SCTE35-OUT=")[1] for l in open(p).read().splitlines()
            if "SCTE35-OUT=" in l] for p in playlists}
c.check(len(playlists) > 4 and all(v == [hex_at[3.37], hex_at[7.0]] for v in outs.values()),
        f"SCTE35-OUT carries each cue's bytes in all {len(playlists)} media playlists")
r = ladder("validate", os.path.join(lib, "cues"))
c.equal(r.returncode, 0, f"the show validates ({r.stdout.strip()[-300:]})")

r = ladder("ingest", mezz, "--id", "nocues", "--library", lib, "--ad-breaks", "5",
           "--ignore-scte35", "--quiet")
c.equal(r.returncode, 0, f"ingest with --ignore-scte35 ({r.stderr.strip()})")
if r.returncode == 0:
    with open(os.path.join(show_version(lib, "nocues"), "show.json")) as f:
        c.equal([b["time"] for b in json.load(f)["breaks"]], [5.0], "only the option's break")

late = os.path.join(d, "late.ts")
r = run([sys.executable, HELPER, late, "--duration", "6", "--size", "640x360", "--cue", "8/10",
         "--lead", "4"])
c.equal(r.returncode, 0, f"a mezzanine whose cue is past its end ({r.stderr.strip()})")
r = ladder("ingest", late, "--id", "late", "--library", lib, "--quiet")
c.check(r.returncode == 0 and "past the end" in r.stderr,
        f"a cue past the end is a warning, not a failure ({r.returncode}: {r.stderr.strip()})")
if r.returncode == 0:
    with open(os.path.join(show_version(lib, "late"), "show.json")) as f:
        c.check("breaks" not in json.load(f), "and no break")
cleanup(d)
c.done()
