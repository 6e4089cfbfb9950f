"""test_profile_timing.py: the validator takes its rule constants from the profile the show was
made with, so every segment and GOP length that `ladder profiles check` accepts also publishes.
A 4 s segment / 1 s GOP ladder publishes with TARGETDURATION 4 and an IDR every second; the same
show judged against the built-in 6 s / 2 s ladder fails target-duration, which proves the rule
reads the profile and not a constant."""
import os
import re

from ladder_test import ROOT, Checks, cleanup, keyframe_times, ladder, make_clip, show_version, workdir

c = Checks("profile_timing")
d = workdir()
with open(os.path.join(ROOT, "tests", "browser", "player-ladder.xml")) as f:
    text = f.read()
profile = os.path.join(d, "short.xml")
with open(profile, "w") as f:
    f.write(text.replace('gop-seconds="2"', 'gop-seconds="1"')
                .replace('segment-seconds="6"', 'segment-seconds="4"'))

r = ladder("profiles", "check", profile)
c.equal(r.returncode, 0, f"profiles check accepts 4 s segments, 1 s GOPs ({r.stderr.strip()})")
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "10")
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "short", "--library", lib, "--profile", profile, "--quiet")
if not c.equal(r.returncode, 0, f"ingest publishes it ({r.stderr.strip()})"):
    c.done()
show = show_version(lib, "short")
with open(os.path.join(show, "hls", "hls-360p-900", "index.m3u8")) as f:
    playlist = f.read()
c.check("#EXT-X-TARGETDURATION:4\n" in playlist, "the media playlist says TARGETDURATION 4")
durations = [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", playlist)]
c.check(len(durations) == 3 and all(abs(x - 4) < 0.05 for x in durations[:-1]),
        f"4 s segments: {durations}")
keys = keyframe_times(os.path.join(show, "mp4", "mp4-360p-600.mp4"))
gaps = [b - a for a, b in zip(keys, keys[1:])]
c.check(gaps and max(gaps) < 1.05, f"an IDR every second in the MP4: gaps {gaps}")

r = ladder("validate", show, "--profile", profile)
c.equal(r.returncode, 0, f"validate with the show's own profile passes ({r.stdout.strip()[-200:]})")
r = ladder("validate", show)
c.equal(r.returncode, 1, "validate against the built-in 6 s ladder fails")
c.check("target-duration: target duration is 4, not the profile's segment length 6" in r.stdout,
        "and names target-duration with both lengths")
cleanup(d)
c.done()
