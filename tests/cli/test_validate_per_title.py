"""test_validate_per_title.py: `ladder validate` holds a per-title show to its own ladder
(docs/hls-rules.md#per-title-ladder). A static 640x360 clip ingested with --per-title passes a
standalone `ladder validate LIB/ID` (checked against pbs16, whose boxes and VBV the show's
ladder changed); copies whose show.json per_title is edited (a rung above its ceiling, a box
that is no HLS box, two adjacent rungs too close, a rung missing or unknown, per_title not
readable, a rendition's target_kbps not the per_title kbps) fail with per-title-ladder on
show.json, exit status 1, and nothing outside the rules the edit cannot help tripping; and a
copy without per_title (or with a fallback one) fails the profile's rung-matches-profile or
vbv-conformance, which shows the other rules use the show's ladder."""
import json
import os
import shutil

from ladder_test import Checks, cleanup, ladder, make_clip, show_version, workdir

c = Checks("validate_per_title")
d = workdir()
clip = make_clip("static", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "10")
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "still", "--library", lib, "--quiet", "--per-title")
if not c.equal(r.returncode, 0, f"ingest --per-title ({r.stderr.strip()})"):
    c.done()
good = show_version(lib, "still")
with open(os.path.join(good, "show.json")) as f:
    SHOW = json.load(f)
PT = SHOW.get("per_title", {})
if not c.equal(PT.get("status"), "chosen", "the static clip gets a ladder of its own"):
    c.done()
RUNGS = PT["rungs"]
# The HLS rungs the show has, by the profile's bitrate (the order the step rule follows).
MADE = sorted((x for x in RUNGS if x["use"] == "hls" and "psnr_y" in x),
              key=lambda x: x["profile_kbps"])
UNFED = [x for x in RUNGS if "psnr_y" not in x]
c.check(len(MADE) >= 2 and UNFED, f"two HLS rungs made, one not fed ({[x['name'] for x in MADE]})")
c.check(any(x["kbps"] != x["profile_kbps"] or x["box"] != x["profile_box"] for x in MADE),
        "per-title moved a rung off the profile's figures")

r = ladder("validate", os.path.join(lib, "still"), "--json")
rep = json.loads(r.stdout)
c.check(r.returncode == 0 and rep["ok"] and rep["checks"] > 100,
        f"ladder validate LIB/ID passes against pbs16 ({rep['failures'][:3]})")


def set_kbps(doc, name, kbps):
    """The rung at kbps, its VBV in proportion, and the rendition's target_kbps with it: only
    the bitrate is off."""
    for x in doc["per_title"]["rungs"]:
        if x["name"] == name:
            scale = kbps / x["kbps"]
            x["maxrate_kbps"] = max(kbps, round(x["maxrate_kbps"] * scale))
            x["bufsize_kbps"] = max(1, round(x["bufsize_kbps"] * scale))
            x["kbps"] = kbps
    for x in doc["renditions"]:
        if x["name"] == name:
            x["target_kbps"] = kbps


def rung(doc, name):
    return next(x for x in doc["per_title"]["rungs"] if x["name"] == name)


TOP, BELOW = MADE[-1], MADE[-2]


def above_ceiling(doc):
    set_kbps(doc, TOP["name"], TOP["profile_kbps"] + 100)


def odd_box(doc):
    rung(doc, TOP["name"])["box"] = [600, 338]


def no_step(doc):
    """The two top rungs made within 1.1x of each other (totals with pbs16's 64 kbit/s audio):
    the lower one raised under the upper, or where its ceiling does not reach, the upper one
    lowered onto it."""
    near = min(TOP["kbps"] - 1, BELOW["profile_kbps"])
    if (TOP["kbps"] + 64) / (near + 64) < 1.1:
        set_kbps(doc, BELOW["name"], near)
    else:
        set_kbps(doc, TOP["name"], BELOW["kbps"] + 1)


def missing(doc):
    doc["per_title"]["rungs"] = [x for x in doc["per_title"]["rungs"]
                                 if x["name"] != UNFED[-1]["name"]]


def unknown(doc):
    rung(doc, UNFED[-1]["name"])["name"] = "hls-999p-1"


def unreadable(doc):
    doc["per_title"]["rungs"][0]["kbps"] = "fast"


def target_off(doc):
    next(x for x in doc["renditions"] if x["name"] == TOP["name"])["target_kbps"] += 10


def removed(doc):
    del doc["per_title"]


def fallback(doc):
    doc["per_title"] = {"status": "fallback", "reason": "edited by the test"}


BOX_RULE = ("rung-matches-profile",)  # 640x360 no longer fits the box
# (name, edit, the rule expected, the text its message holds, other rules it may trip)
CASES = [
    ("ceiling", above_ceiling, "per-title-ladder", "outside its per-title bounds", ()),
    ("box", odd_box, "per-title-ladder", "is not one it may take", BOX_RULE),
    ("steps", no_step, "per-title-ladder", "outside the steps", ()),
    ("missing", missing, "per-title-ladder", "does not list rung", ()),
    ("unknown", unknown, "per-title-ladder", "does not have", ()),
    ("unreadable", unreadable, "per-title-ladder", "not readable", BOX_RULE),
    ("target", target_off, "per-title-ladder", "target_kbps", ()),
]
for name, edit, rule, words, also in CASES:
    show = os.path.join(d, "broken-" + name)
    shutil.copytree(good, show)
    doc = json.loads(json.dumps(SHOW))
    edit(doc)
    with open(os.path.join(show, "show.json"), "w") as f:
        json.dump(doc, f, indent=2)
    r = ladder("validate", show, "--json")
    rep = json.loads(r.stdout)
    hits = [x for x in rep["failures"] if x["rule"] == rule]
    c.equal(r.returncode, 1, f"{name}: exit status")
    c.check(len(hits) == 1 and hits[0]["file"] == "show.json" and words in hits[0]["message"],
            f"{name}: one {rule} on show.json saying '{words}' ({rep['failures'][:3]})")
    others = {x["rule"] for x in rep["failures"]} - {rule} - set(also)
    c.check(not others, f"{name}: the edit trips nothing else ({sorted(others)})")
    r = ladder("validate", show)
    c.check(any(line.startswith(f"show.json: {rule}: ") for line in r.stdout.splitlines()),
            f"{name}: the text report names file and rule")
    shutil.rmtree(show)

# Without per_title the show is held to pbs16's boxes and VBV, which it does not meet.
for name, edit in (("removed", removed), ("fallback", fallback)):
    show = os.path.join(d, "profile-" + name)
    shutil.copytree(good, show)
    doc = json.loads(json.dumps(SHOW))
    edit(doc)
    with open(os.path.join(show, "show.json"), "w") as f:
        json.dump(doc, f, indent=2)
    r = ladder("validate", show, "--json")
    rep = json.loads(r.stdout)
    rules = {x["rule"] for x in rep["failures"]}
    c.equal(r.returncode, 1, f"{name} per_title: exit status")
    c.check(rules & {"rung-matches-profile", "vbv-conformance"} and "per-title-ladder" not in rules,
            f"{name} per_title: the profile's ladder is checked ({sorted(rules)})")
    shutil.rmtree(show)

cleanup(d)
c.done()
