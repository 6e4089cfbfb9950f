"""test_catalog.py: the /shows catalog and /demo/ over real HTTP. /shows: every published show
(and nothing else) as JSON sorted by id, with URLs that all work, a short public lifetime, an
ETag that revalidates until something changes, shows published and re-published while the
server runs, counted by /metrics. /demo/: the repository's player-demo/ with --demo, 404
without, folders as their index.html, never outside the folder."""
import atexit
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import (LADDER, ROOT, Checks, cleanup, ladder, make_clip, run,  # noqa: E402
                         workdir)
from origin_test import (get, metric, raw_status, start_origin, stderr_of, stop,  # noqa: E402
                         wait_until)

c = Checks("origin-catalog")
d = workdir()
lib = os.path.join(d, "lib")
os.makedirs(lib)
clip = make_clip("good", os.path.join(d, "clip.mp4"), "--size", "320x180", "--duration", "4")


def ingest(show_id, title=None):
    args = ["ingest", clip, "--id", show_id, "--library", lib, "--quiet"]
    r = ladder(*args, *(["--title", title] if title else []))
    if r.returncode != 0:
        raise RuntimeError(f"ingest {show_id}: {r.stderr.strip()}")


def start(*args):
    proc, port = start_origin(lib, *args)
    atexit.register(stop, proc)  # also when a check raises
    return proc, port


def catalog(port, headers=None, method="GET"):
    resp, body = get(port, "/shows", headers, method=method)
    return resp, (json.loads(body) if resp.status == 200 and method == "GET" else None)


origin, port = start()

# ---- an empty library --------------------------------------------------------------------------
resp, shows = catalog(port)
c.equal((resp.status, resp.getheader("Content-Type"), shows), (200, "application/json", []),
        "an empty library: an empty array")

# ---- shows published while the server runs ---------------------------------------------------
ingest("b-show", title='A "quoted" title, ünïcode')
ingest("a-show")
# Not shows: a folder without `current`, a file, hidden folders (the library has .staging and
# .locks already), a name no show id can have.
os.makedirs(os.path.join(lib, "half-made", "v1"))
with open(os.path.join(lib, "README"), "w") as f:
    f.write("not a show\n")
os.makedirs(os.path.join(lib, "Upper Case"))
resp, shows = catalog(port)
c.equal([s["id"] for s in shows], ["a-show", "b-show"],
        "published shows appear at once, sorted by id, and nothing else")
b = shows[1] if len(shows) == 2 else {}
c.equal(sorted(b), sorted(["id", "title", "duration", "version", "poster", "play", "hls", "mp4"]),
        "each show's fields")
c.equal((b.get("title"), b.get("version"), b.get("poster"), b.get("play"), b.get("hls")),
        ('A "quoted" title, ünïcode', 1, "/shows/b-show/v1/poster.jpg", "/play/b-show",
         "/shows/b-show/master.m3u8"), "title, version and URLs")
c.check(abs(b.get("duration", 0) - 4.0) < 0.1, f"duration in seconds: {b.get('duration')}")
mp4s = b.get("mp4", [])
c.equal([(m["name"], m["width"], m["height"], m["url"]) for m in mp4s],
        [("mp4-180p-250", 320, 180, "/shows/b-show/v1/mp4/mp4-180p-250.mp4")],
        "the MP4 fallbacks at their versioned URLs")
for url, ctype in [(b.get("poster"), "image/jpeg"), (b.get("hls"), "application/vnd.apple.mpegurl"),
                   *[(m["url"], "video/mp4") for m in mp4s]]:
    resp, _ = get(port, url)
    c.equal((resp.status, resp.getheader("Content-Type")), (200, ctype), f"{url} is served")
resp, _ = get(port, b.get("play", "/play/none"))
c.equal((resp.status, resp.getheader("Location")), (302, "/shows/b-show/master.m3u8"),
        "the play URL redirects")

# ---- caching: public, a minute; ETag and 304 ------------------------------------------------------
resp, _ = catalog(port)
etag = resp.getheader("ETag")
c.check(resp.getheader("Cache-Control") == "public, max-age=60" and etag and
        etag.startswith('"') and resp.getheader("Access-Control-Allow-Origin") == "*",
        f"Cache-Control public, max-age=60, an ETag, CORS: {resp.getheaders()}")
resp, body = get(port, "/shows", {"If-None-Match": etag})
c.check(resp.status == 304 and body == b"" and resp.getheader("ETag") == etag and
        resp.getheader("Cache-Control") == "public, max-age=60",
        f"If-None-Match with the ETag: 304 ({resp.status})")
resp, _ = get(port, "/shows", {"If-None-Match": '"other"'})
c.equal(resp.status, 200, "If-None-Match with another tag: 200")
g, gbody = get(port, "/shows")
h, hbody = get(port, "/shows", method="HEAD")
c.check(h.status == 200 and hbody == b"" and
        int(h.getheader("Content-Length")) == len(gbody) and h.getheader("ETag") == etag,
        "HEAD /shows: GET's headers, no body")
ingest("b-show")  # re-ingest: v2
resp, shows = catalog(port, {"If-None-Match": etag})
c.check(resp.status == 200 and resp.getheader("ETag") != etag,
        "after a re-ingest the catalog changes, and so does its ETag")
b = [s for s in (shows or []) if s["id"] == "b-show"]
c.check(b and b[0]["version"] == 2 and b[0]["poster"] == "/shows/b-show/v2/poster.jpg" and
        b[0]["title"] == "b-show", f"the re-ingested show is at v2: {b}")

# ---- /metrics counts /shows ----------------------------------------------------------------------


KEY = 'ladder_http_requests_total{status="200",kind="other"}'
before = metric(port, KEY)
for _ in range(3):
    catalog(port)
c.check(wait_until(lambda: metric(port, KEY) >= before + 4), "/metrics counts /shows (kind other)")
c.check(metric(port, 'ladder_http_requests_total{status="304",kind="other"}') >= 1,
        "and its 304s")

# ---- a show whose show.json cannot be read: 404, and the log says why, once --------------------
a_json = os.path.join(lib, "a-show", "v1", "show.json")
with open(a_json) as f:
    good_json = f.read()
for broken, why in (("{not json", "show.json: line 1:"),
                    (good_json.replace('"format": 1', '"format": 2', 1),
                     "show.json: format 2; this reader knows format 1 to 1")):
    with open(a_json, "w") as f:
        f.write(broken)
    statuses = [get(port, "/play/a-show")[0].status for _ in range(3)]
    resp, shows = catalog(port)
    c.check(statuses == [404] * 3 and [x["id"] for x in shows] == ["b-show"],
            f"unreadable show.json ({why}): /play 404, left out of the catalog ({statuses})")
    log = [x for x in stderr_of(origin).splitlines() if "'a-show'" in x and why in x]
    c.equal(len(log), 1, f"the origin logs why, once: {log}")
with open(a_json, "w") as f:
    f.write(good_json)
c.equal(get(port, "/play/a-show")[0].status, 302, "repaired, the show is served again")

# ---- /demo/ --------------------------------------------------------------------------------------
resp, _ = get(port, "/demo/")
c.equal(resp.status, 404, "without --demo, /demo/ is 404")
stop(origin)

demo_dir = os.path.join(ROOT, "player-demo")
with open(os.path.join(demo_dir, "index.html"), "rb") as f:
    index = f.read()
demo, dport = start("--demo", demo_dir)
for path in ("/demo/", "/demo/index.html"):
    resp, body = get(dport, path)
    c.check(resp.status == 200 and body == index and b"<!--ladder:share-->" in body and
            resp.getheader("Content-Type") == "text/html; charset=utf-8" and
            resp.getheader("Cache-Control") == "public, max-age=60" and resp.getheader("ETag"),
            f"{path}: player-demo/index.html ({resp.status} {resp.getheaders()})")
resp, body = get(dport, "/demo/", {"Accept-Encoding": "gzip"})
c.check(resp.getheader("Content-Encoding") == "gzip" and gzip.decompress(body) == index,
        "the page is gzip-compressed for clients that take it")
resp, _ = get(dport, "/demo/", {"If-None-Match": get(dport, "/demo/")[0].getheader("ETag")})
c.equal(resp.status, 304, "and revalidates")
resp, _ = get(dport, "/demo")
c.equal((resp.status, resp.getheader("Location")), (301, "/demo/"), "/demo redirects to /demo/")
for path in ("/demo/nope.js", "/demo/README", "/demo/../README.md", "/demo/%2e%2e/README.md",
             "/demo/..%2fREADME.md", "/demo//etc/passwd", "/demo/.git/config"):
    status, body = raw_status(dport, path)
    c.check(status in (400, 404) and b"Ladder" not in body, f"{path}: 404 ({status})")
stop(demo)

# a demo folder with a subfolder and a symlink out of it
site = os.path.join(d, "site")
os.makedirs(os.path.join(site, "sub"))
for rel, text in (("index.html", "top"), ("sub/index.html", "sub"), ("app.js", "let x = 1;")):
    with open(os.path.join(site, rel), "w") as f:
        f.write(text)
os.symlink("/etc/passwd", os.path.join(site, "passwd.html"))
os.symlink(lib, os.path.join(site, "lib"))
demo, dport = start("--demo", site)
for path, want in [("/demo/sub/", (200, b"sub")), ("/demo/sub", (404, None)),
                   ("/demo/app.js", (200, b"let x = 1;")), ("/demo/passwd.html", (404, None)),
                   ("/demo/lib/a-show/master.m3u8", (404, None))]:
    resp, body = get(dport, path)
    c.check(resp.status == want[0] and (want[1] is None or body == want[1]) and
            b"root:" not in body, f"{path}: {want[0]} ({resp.status} {body[:30]!r})")
c.equal(get(dport, "/demo/app.js")[0].getheader("Content-Type"), "text/javascript; charset=utf-8",
        "scripts have their type")
stop(demo)

r = run([LADDER, "serve", "--library", lib, "--listen", "127.0.0.1:0", "--demo",
         os.path.join(d, "nope")], timeout=20)
c.check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "nope" in r.stderr,
        f"--demo with a missing folder: exit 1, one line ({r.returncode} {r.stderr!r})")

cleanup(d)
c.done()
