"""fixture.py OUT: the show library the player tests share (a ctest fixture, made once).

Makes a 60 s 640x360 clip (tests/media/make-clip.sh), transcodes it once with the small
player-ladder.xml, and packages that transcode three times: as `demo` ("Player test"), as
`xss`, whose title holds markup the share page must escape, and as `captions` with two caption
tracks written here (English SRT, Spanish SDH WebVTT; CUES says when each English cue starts:
one in the first 6 s segment, one after its boundary, one across the next boundary). Packaging again
costs a second or two, where ingesting another clip would transcode again. The clip stays in
OUT for the tests that re-ingest `demo` during playback.

For the DASH tests (test_dash.mjs) the same transcode is packaged once more as `dash`
("DASH test", the English captions) with player-ladder.xml switched to container="fmp4"
(OUT/player-ladder-fmp4.xml), which is what makes the packager write vN/manifest.mpd. Should
that packaging fail, the fixture says so in OUT/dash.err and goes on: the other shows' tests
still run, and test_dash.mjs fails with that message.

For the ad tests (test_ads.mjs) it also ingests `breaks`, a 16 s clip with a pre-roll and two
mid-rolls at non-segment times (BREAKS, each planned 6 s), and the ads `ad1` (4 s) and `ad2`
(2 s) with player-ad-ladder.xml (the same rungs in 1 s segments): a break of 6 s holds both.
ad1's clip stays in OUT for the test that re-ingests it while a viewer is inside it. Prints
what it made; exit 1 with one line on failure."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import ROOT, ladder, make_clip  # noqa: E402

PROFILE = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
AD_PROFILE = os.path.join(ROOT, "tests", "browser", "player-ad-ladder.xml")
BREAKS = "0/6,5.37/6,11.1/6"
XSS_TITLE = 'Pilot <script>alert("x")</script> & "Friends"'

# The captioned show's English cues, (start, end, text) in seconds from the first picture;
# test_player.mjs reads them back from OUT/en.srt.
CUES = [(4.0, 5.5, "In the first segment"),
        (7.0, 8.5, "After the first boundary"),
        (11.0, 13.0, "Across the second boundary")]
SPANISH_VTT = "WEBVTT\n\n00:00:04.000 --> 00:00:05.500\n[música] En el primer segmento\n"


def srt_time(t):
    ms = round(t * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_captions(out):
    en, es = os.path.join(out, "en.srt"), os.path.join(out, "es.vtt")
    with open(en, "w", encoding="utf-8") as f:
        f.write("\n".join(f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n"
                          for i, (a, b, text) in enumerate(CUES, 1)))
    with open(es, "w", encoding="utf-8") as f:
        f.write(SPANISH_VTT)
    return en, es


def main(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    clip = make_clip("good", os.path.join(out, "clip.mp4"), "--size", "640x360",
                     "--duration", "60")
    lib, tdir = os.path.join(out, "lib"), os.path.join(out, "transcode")
    en, es = write_captions(out)
    steps = [
        ("transcode", clip, "--out", tdir, "--profile", PROFILE, "--quiet"),
        ("package", tdir, "--id", "demo", "--title", "Player test", "--library", lib,
         "--profile", PROFILE, "--quiet"),
        ("package", tdir, "--id", "xss", "--title", XSS_TITLE, "--library", lib,
         "--profile", PROFILE, "--quiet"),
        ("package", tdir, "--id", "captions", "--title", "Captions test", "--library", lib,
         "--profile", PROFILE, "--captions", f"{en}:en:English",
         "--captions", f"{es}:es:Español:sdh", "--quiet"),
    ]
    ads = [(make_clip("good", os.path.join(out, f"{ad}.mp4"), "--size", "640x360", "--duration", d), ad, title)
           for ad, d, title in (("ad1", "4", "Ad one"), ("ad2", "2", "Ad two"))]
    breaks = make_clip("good", os.path.join(out, "breaks.mp4"), "--size", "640x360", "--duration", "16")
    steps += [
        ("ingest", breaks, "--id", "breaks", "--title", "Ad breaks test", "--library", lib,
         "--profile", PROFILE, "--ad-breaks", BREAKS, "--quiet"),
    ] + [("ingest", c, "--id", ad, "--title", title, "--library", lib, "--profile", AD_PROFILE, "--quiet")
         for c, ad, title in ads]
    for args in steps:
        r = ladder(*args)
        if r.returncode != 0:
            sys.exit(f"fixture: ladder {args[0]} failed: {r.stderr.strip()}")
    fmp4 = os.path.join(out, "player-ladder-fmp4.xml")
    with open(PROFILE, encoding="utf-8") as f:
        text = f.read()
    with open(fmp4, "w", encoding="utf-8") as f:
        f.write(text.replace('container="ts"', 'container="fmp4"'))
    r = ladder("package", tdir, "--id", "dash", "--title", "DASH test", "--library", lib,
               "--profile", fmp4, "--captions", f"{en}:en:English", "--quiet")
    if r.returncode != 0:
        with open(os.path.join(out, "dash.err"), "w", encoding="utf-8") as f:
            f.write(f"ladder package --id dash (container fmp4) failed: {r.stderr.strip()}\n")
        print(f"fixture: the fMP4 show `dash` failed ({r.stderr.strip()}); see {out}/dash.err")
    print(f"fixture: {lib} has demo, xss, captions and breaks ({PROFILE}), ads ad1 and ad2 ({AD_PROFILE})"
          f"{'' if r.returncode else f', dash ({fmp4})'}")


if __name__ == "__main__":
    main(sys.argv[1])
