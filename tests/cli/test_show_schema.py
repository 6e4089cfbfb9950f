"""test_show_schema.py: show.json's declared format (docs/show-json.md, docs/show.schema.json).

A freshly ingested show's show.json conforms to the schema and starts with `"format": 1`; the
suite-wide checker (ladder_test.check_show_json_schema) finds each version's file once; and the
schema really says no: broken copies are each rejected at the field that was broken, while
unknown fields pass, because readers must tolerate additions."""
import copy
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ladder_test import (ROOT, Checks, check_show_json_schema, cleanup, ladder,  # noqa: E402
                         make_clip, show_json_errors, show_json_files, show_json_schema_results,
                         show_version, workdir)

PROFILE = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")  # small, quick to encode

c = Checks("show-schema")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "8")
lib = os.path.join(d, "lib")
r = ladder("ingest", clip, "--id", "schema_1", "--library", lib, "--profile", PROFILE, "--quiet")
if not c.equal(r.returncode, 0, f"ingest ({r.stderr.strip()})"):
    c.done()

path = os.path.join(show_version(lib, "schema_1"), "show.json")
with open(path) as f:
    doc = json.load(f)
c.equal(show_json_errors(doc), [], "the published show.json conforms to the schema")
c.equal(next(iter(doc)), "format", "format is the first key")
c.equal(doc.get("format"), 1, "format is 1")
# LIBRARY/ID/show.json is a symlink to the same file: the checker must see v1's alone.
c.equal(show_json_files(lib), [path], "the checker finds the version's show.json, not the link")
c.equal(check_show_json_schema(c, lib), 1, "check_show_json_schema checked one file")


def broken(change):
    """A deep copy of the published show.json with change applied."""
    bad = copy.deepcopy(doc)
    change(bad)
    return bad


def drop(key):
    return lambda x: x.pop(key, None)


def set_file(key, fn):
    return lambda x: x["files"][0].__setitem__(key, fn(x["files"][0][key]))


hls = next(i for i, x in enumerate(doc["renditions"]) if x["use"] == "hls")
MUTATIONS = [
    # (what, change, where the schema must complain)
    ("format missing", drop("format"), "(top)"),
    ("format 2", lambda x: x.__setitem__("format", 2), "format"),
    ("files missing", drop("files"), "(top)"),
    ("sha256 of 63 digits", set_file("sha256", lambda v: v[:-1]), "files/0/sha256"),
    ("sha256 of 65 digits", set_file("sha256", lambda v: v + "0"), "files/0/sha256"),
    ("sha256 in uppercase", set_file("sha256", str.upper), "files/0/sha256"),
    ("path with '..'", set_file("path", lambda v: "../" + v), "files/0/path"),
    ("path inside with '..'", set_file("path", lambda v: "hls/../../" + v), "files/0/path"),
    ("absolute path", set_file("path", lambda v: "/" + v), "files/0/path"),
    ("negative size", set_file("size", lambda v: -1), "files/0/size"),
    ("size as text", set_file("size", str), "files/0/size"),
    ("id with uppercase", lambda x: x.__setitem__("id", "Schema_1"), "id"),
    ("id with a slash", lambda x: x.__setitem__("id", "a/b"), "id"),
    ("HLS rendition without peak_bps", lambda x: x["renditions"][hls].pop("peak_bps"),
     f"renditions/{hls}"),
    ("poster path with '..'", lambda x: x["poster"].__setitem__("path", "../poster.jpg"),
     "poster/path"),
]
for what, change, where in MUTATIONS:
    errors = show_json_errors(broken(change))
    c.check(any(e.startswith(where + ":") for e in errors),
            f"{what}: rejected at {where} (errors: {errors})")

# Readers ignore unknown fields, so the schema must let them through, at any level.
extra = broken(lambda x: (x.__setitem__("chapters", []), x["renditions"][0].__setitem__("hdr", 0),
                          x["source"].__setitem__("codec", "h264")))
c.equal(show_json_errors(extra), [], "unknown fields are allowed")

# The per-file check that the suite runs reports a broken file as a failure (outside d, which
# the suite checks again at cleanup and must find only good files in).
with tempfile.TemporaryDirectory(prefix="ladder-schema-") as t:
    os.makedirs(os.path.join(t, "x", "v1"))
    with open(os.path.join(t, "x", "v1", "show.json"), "w") as f:
        json.dump(broken(drop("format")), f)
    results = show_json_schema_results(t)
    c.check(len(results) == 1 and not results[0][0] and "format" in results[0][1],
            f"the suite's check fails a broken show.json: {results}")

cleanup(d)
c.done()
