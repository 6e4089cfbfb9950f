"""test_golden.py: a published show is byte-identical to what the same code published before.
A fixed clip is ingested with the small player ladder, as TS and as fMP4, and every file of the
version folder is hashed against tests/golden/<name>.txt. show.json is compared without its
date (`created`). A refactor that changes a single byte of the output fails here, with the files
named. When the output is meant to change, regenerate the manifests and say why in the commit:
    LADDER_GOLDEN_UPDATE=1 LADDER=build/ladder python3 tests/cli/test_golden.py
The clip and the encoders are deterministic on one machine type (x264's assembly is bit-exact
with its C code; the clip comes from FFmpeg's lavfi sources); a new FFmpeg or x264 in Debian
means regenerating."""
import hashlib
import json
import os

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, show_version, workdir

GOLDEN = os.path.join(ROOT, "tests", "golden")
UPDATE = os.environ.get("LADDER_GOLDEN_UPDATE") == "1"


def manifest(show):
    """{relative path: sha256} of every file in a version folder; show.json without `created`."""
    out = {}
    for top, dirs, files in os.walk(show):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, show)
            with open(path, "rb") as f:
                data = f.read()
            if rel == "show.json":
                doc = json.loads(data)
                doc.pop("created", None)
                data = json.dumps(doc, sort_keys=True).encode()
            out[rel] = hashlib.sha256(data).hexdigest()
    return out


c = Checks("golden")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "8")
with open(os.path.join(ROOT, "tests", "browser", "player-ladder.xml")) as f:
    text = f.read()
for name, container in (("player-ladder-ts", "ts"), ("player-ladder-fmp4", "fmp4")):
    profile = os.path.join(d, name + ".xml")
    with open(profile, "w") as f:
        f.write(text.replace('container="ts"', f'container="{container}"'))
    lib = os.path.join(d, "lib-" + container)
    r = ladder("ingest", clip, "--id", "golden", "--title", "Golden", "--library", lib,
               "--profile", profile, "--quiet")
    if not c.equal(r.returncode, 0, f"{name}: ingest ({r.stderr.strip()})"):
        continue
    got = manifest(show_version(lib, "golden"))
    path = os.path.join(GOLDEN, name + ".txt")
    if UPDATE:
        with open(path, "w") as f:
            f.write("".join(f"{h}  {p}\n" for p, h in sorted(got.items())))
    with open(path) as f:
        want = dict((line.split("  ", 1)[1].rstrip("\n"), line.split("  ", 1)[0]) for line in f)
    c.equal(sorted(got), sorted(want), f"{name}: the same {len(want)} files")
    changed = sorted(p for p in want if p in got and got[p] != want[p])
    c.check(not changed, f"{name}: every file byte-identical (changed: {changed[:8]})")
cleanup(d)
c.done()
