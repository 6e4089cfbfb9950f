"""test_js_readers.py: third-party readers accept a published show: hls-parser in strict mode
parses every playlist and mp4box.js reports every MP4 fallback as progressive, unfragmented
and of its rung's profile (tests/js/check_show.mjs; npm packages installed by scripts/test.sh)."""
import os
import shutil

from ladder_test import ROOT, Checks, cleanup, ingest_clip, run, workdir

c = Checks("js-readers")
js = os.path.join(ROOT, "tests", "js")
if not c.check(shutil.which("node") and os.path.isdir(os.path.join(js, "node_modules")),
               "node and tests/js/node_modules are installed (scripts/test.sh does it)"):
    c.done()
d = workdir()
inp, lib, r = ingest_clip(d, "js", duration="8")
c.equal(r.returncode, 0, f"ingest ({r.stderr.strip()})")
r = run(["node", os.path.join(js, "check_show.mjs"), os.path.join(d, "lib", "js")])
print(r.stdout, end="")
c.equal(r.returncode, 0, "hls-parser (strict) and mp4box.js accept the show")
cleanup(d)
c.done()
