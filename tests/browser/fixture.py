"""fixture.py OUT: the show library the player tests share (a ctest fixture, made once).

Makes a 60 s 640x360 clip (tests/media/make-clip.sh), transcodes it once with the small
player-ladder.xml, and packages that transcode twice: as `demo` ("Player test") and as `xss`,
whose title holds markup the share page must escape. The clip stays in OUT for the tests that
re-ingest `demo` during playback. Prints what it made; exit 1 with one line on failure."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import ROOT, ladder, make_clip  # noqa: E402

PROFILE = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
XSS_TITLE = 'Pilot <script>alert("x")</script> & "Friends"'


def main(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    clip = make_clip("good", os.path.join(out, "clip.mp4"), "--size", "640x360",
                     "--duration", "60")
    lib, tdir = os.path.join(out, "lib"), os.path.join(out, "transcode")
    steps = [
        ("transcode", clip, "--out", tdir, "--profile", PROFILE, "--quiet"),
        ("package", tdir, "--id", "demo", "--title", "Player test", "--library", lib,
         "--profile", PROFILE, "--quiet"),
        ("package", tdir, "--id", "xss", "--title", XSS_TITLE, "--library", lib,
         "--profile", PROFILE, "--quiet"),
    ]
    for args in steps:
        r = ladder(*args)
        if r.returncode != 0:
            sys.exit(f"fixture: ladder {args[0]} failed: {r.stderr.strip()}")
    print(f"fixture: {lib} has demo and xss ({PROFILE})")


if __name__ == "__main__":
    main(sys.argv[1])
