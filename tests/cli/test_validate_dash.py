"""test_validate_dash.py: the DASH rules of `ladder validate` (docs/dash-rules.md) on a real show.
A 12 s clip ingested with a small fMP4 ladder (tests/browser/player-ladder.xml, container
changed to fmp4) must pass with its manifest.mpd; copies broken on purpose (a segment deleted, a
@bandwidth lowered, the XML broken, an S@d changed, the MPD dropped) must each fail with exit
status 1 and their rule's name. The same clip ingested as MPEG-TS passes, with a note saying
it has no DASH."""
import json
import os
import re
import shutil

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, show_version, workdir

c = Checks("validate_dash")
d = workdir()
with open(os.path.join(ROOT, "tests", "browser", "player-ladder.xml")) as f:
    ts_text = f.read()
profiles = {}
for container in ("fmp4", "ts"):
    profiles[container] = os.path.join(d, f"{container}.xml")
    with open(profiles[container], "w") as f:
        f.write(ts_text.replace('container="ts"', f'container="{container}"'))
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "12")
lib = os.path.join(d, "lib")
for container in ("fmp4", "ts"):
    r = ladder("ingest", clip, "--id", container, "--library", lib, "--profile",
               profiles[container], "--quiet")
    if not c.equal(r.returncode, 0, f"ingest with container={container} ({r.stderr.strip()})"):
        c.done()
good = show_version(lib, "fmp4")
MPD = os.path.join(good, "manifest.mpd")
if not c.check(os.path.exists(MPD), "the fMP4 show has manifest.mpd (the packager writes it)"):
    c.done()


def validate(show, container="fmp4"):
    r = ladder("validate", show, "--profile", profiles[container], "--json")
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        return r.returncode, {"failures": [], "notes": [], "error": r.stdout + r.stderr}


code, report = validate(good)
c.check(code == 0 and report.get("ok"),
        f"the fMP4 show with its MPD passes ({report.get('failures', [])[:3]})")
r = ladder("validate", show_version(lib, "ts"), "--profile", profiles["ts"])
c.check(r.returncode == 0 and re.search(r": note: no DASH: the show is MPEG-TS", r.stdout),
        f"a TS show passes and says it has no DASH ({r.stdout.strip()[-300:]})")
c.check(not re.search(r": dash-", r.stdout), "no DASH rule fires on the TS show")

with open(MPD) as f:
    mpd = f.read()
video_id = re.search(r'<AdaptationSet[^>]*contentType="video".*?<Representation[^>]*id="([^"]+)"',
                     mpd, re.S).group(1)


def set_mpd(show, fn):
    path = os.path.join(show, "manifest.mpd")
    with open(path) as f:
        text = f.read()
    new = fn(text)
    assert new != text, "the break changed nothing"
    with open(path, "w") as f:
        f.write(new)


def delete_segment(show):
    os.remove(os.path.join(show, "hls", video_id, "seg00001.m4s"))


def lower_bandwidth(show):
    set_mpd(show, lambda t: re.sub(r'(<Representation[^>]*id="%s"[^>]*bandwidth=")(\d+)"'
                                   % re.escape(video_id),
                                   lambda m: m.group(1) + str(int(m.group(2)) // 2) + '"', t,
                                   count=1))


def break_xml(show):
    set_mpd(show, lambda t: t.replace("</Period>", "</Perio>", 1))


def change_s_d(show):
    """The video Representation's first S@d one frame and a half shorter (its @r, if any, kept)."""
    def fn(t):
        start = t.index('id="%s"' % video_id)
        m = re.compile(r'<S\b[^>]*\bd="(\d+)"').search(t, start)
        d_new = int(m.group(1)) - 4500  # 1.5 frames of 30 fps at 90 kHz; any timescale: shorter
        return t[:m.start(1)] + str(max(d_new, 1)) + t[m.end(1):]
    set_mpd(show, fn)


def drop_manifest(show):
    os.remove(os.path.join(show, "manifest.mpd"))


# (rule, breaker, whether only DASH rules may fire: a deleted segment is HLS's too)
BREAKS = [
    ("dash-segments", delete_segment, False),
    ("dash-bandwidth", lower_bandwidth, True),
    ("dash-mpd-parses", break_xml, True),
    ("dash-segments", change_s_d, True),
    ("dash-manifest-present", drop_manifest, True),
]
for rule, breaker, only in BREAKS:
    copy = os.path.join(d, "broken", breaker.__name__)
    shutil.copytree(good, copy)
    breaker(copy)
    code, report = validate(copy)
    rules = sorted({f["rule"] for f in report["failures"]})
    c.check(code == 1 and rule in rules,
            f"{breaker.__name__}: exit 1 with {rule} (exit {code}, rules {rules}, "
            f"{report.get('error', '')[:200]})")
    c.check(not only or all(r.startswith("dash-") for r in rules),
            f"{breaker.__name__}: only DASH rules fire ({rules})")
    shutil.rmtree(copy)

cleanup(d)
c.done()
