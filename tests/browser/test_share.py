"""test_share.py: a show's share link, /watch/<id>, as a crawler sees it (no JavaScript): the
Open Graph and Twitter-card tags are in the <head>, every URL in them is absolute and really
fetchable (poster of the announced size, the MP4 fallback), a title with markup comes out
escaped, and the page caches like the other top-level names."""
import http.client
import json
import os
import subprocess
import sys
from html.parser import HTMLParser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "origin"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import (LADDER, ROOT, Checks, check_show_json_schema, ladder,  # noqa: E402
                         parse_show_json, run)
from origin_test import get, start_origin, stop  # noqa: E402

FIXTURE = os.environ.get("PLAYER_FIXTURE", os.path.join(ROOT, "build", "player-fixture"))
LIB = os.path.join(FIXTURE, "lib")
DEMO = os.path.join(ROOT, "player-demo")
CRAWLER = {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"}
XSS_TITLE = 'Pilot <script>alert("x")</script> & "Friends"'  # as fixture.py publishes it

c = Checks("player-share")


class Head(HTMLParser):
    """The <title> text and the <meta property|name> values, attribute values unescaped."""

    def __init__(self):
        super().__init__()
        self.meta, self.title, self.scripts, self._in_title = {}, "", [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta[a.get("property") or a.get("name")] = a.get("content")
        self._in_title = tag == "title"
        if tag == "script":
            self.scripts.append(a.get("src"))

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(body):
    h = Head()
    h.feed(body.decode())
    return h


def fetch_abs(url, method="GET"):
    """GET or HEAD of an absolute http://127.0.0.1:PORT/... URL; (status, headers, body)."""
    hostport, path = url[len("http://"):].split("/", 1)
    host, port = hostport.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, "/" + path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


proc, port = start_origin(LIB, "--demo", DEMO)
base = f"http://127.0.0.1:{port}"
show = parse_show_json(get(port, "/shows/demo/show.json")[1])

resp, body = get(port, "/watch/demo", CRAWLER)
c.equal(resp.status, 200, "/watch/demo")
c.equal(resp.getheader("Content-Type"), "text/html; charset=utf-8", "type")
c.equal(resp.getheader("Cache-Control"), "public, max-age=60", "cached like master.m3u8")
etag = resp.getheader("ETag")
c.check(etag and etag.startswith('"'), f"a strong ETag: {etag}")
h = parse(body)
m = h.meta
c.equal(h.title, "Player test", "<title>")
c.equal(m.get("og:title"), "Player test", "og:title")
c.equal(m.get("og:type"), "video.other", "og:type")
c.check(m.get("og:description") and "Player test" in m["og:description"], f"og:description {m.get('og:description')}")
c.equal(m.get("og:url"), f"{base}/watch/demo", "og:url")
c.equal(m.get("twitter:card"), "summary_large_image", "twitter:card")
c.equal(m.get("video:duration"), str(round(show["duration"])), "video:duration")
v = f"v{show['version']}"
c.equal(m.get("og:image"), f"{base}/shows/demo/{v}/poster.jpg", "og:image: absolute, versioned")
c.equal(m.get("twitter:image"), m.get("og:image"), "twitter:image")
status, headers, jpeg = fetch_abs(m.get("og:image", base + "/none"))
c.equal(status, 200, "og:image is fetchable")
c.equal(headers.get("Content-Type"), "image/jpeg", "og:image type")
probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of",
                        "json", "-"], input=jpeg, capture_output=True)
size = json.loads(probe.stdout or b"{}").get("streams", [{}])[0]
c.equal((m.get("og:image:width"), m.get("og:image:height")),
        (str(size.get("width")), str(size.get("height"))), "og:image size is the poster's")
c.equal((m.get("og:image:width"), m.get("og:image:height")),
        (str(show["poster"]["width"]), str(show["poster"]["height"])), "and show.json's")
mp4 = m.get("og:video", "")
c.check(mp4.startswith(f"{base}/shows/demo/{v}/mp4/") and mp4.endswith(".mp4"), f"og:video {mp4}")
status, headers, _ = fetch_abs(mp4 or base + "/none", "HEAD")
c.equal(status, 200, "og:video is fetchable")
c.equal(headers.get("Content-Type"), "video/mp4", "og:video type")
rung = next((r for r in show["renditions"] if mp4.endswith(f"/{r['name']}.mp4")), {})
c.equal((m.get("og:video:width"), m.get("og:video:height")),
        (str(rung.get("width")), str(rung.get("height"))), "og:video size is the rendition's")
c.equal(m.get("og:video:type"), "video/mp4", "og:video:type")
status, _, _ = fetch_abs(m.get("og:url", base + "/none"))
c.equal(status, 200, "og:url is fetchable")
c.check("vendor/hls.min.js" in h.scripts, f"a person gets the player page: scripts {h.scripts}")

resp, _ = get(port, "/watch/demo", {**CRAWLER, "If-None-Match": etag or '"x"'})
c.equal(resp.status, 304, "If-None-Match: 304")

# A title is the ingester's text: it must come out as text, never as markup.
resp, body = get(port, "/watch/xss", CRAWLER)
c.equal(resp.status, 200, "/watch/xss")
c.check(b"<script>alert" not in body and b'"x")</script>' not in body, "no live <script> from the title")
c.check(b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Friends&quot;" in body,
        "the title escaped")
h = parse(body)
c.equal(h.title, XSS_TITLE, "<title> reads as the title")
c.equal(h.meta.get("og:title"), XSS_TITLE, "og:title reads as the title")

# The absolute URLs follow the request (behind a proxy that says https), never a bad Host.
_, body = get(port, "/watch/demo", {"Host": "tv.example.org", "X-Forwarded-Proto": "https"})
m = parse(body).meta
c.equal(m.get("og:image"), f"https://tv.example.org/shows/demo/{v}/poster.jpg", "X-Forwarded-Proto")
c.equal(m.get("og:image:secure_url"), m.get("og:image"), "og:image:secure_url on https")
_, body = get(port, "/watch/demo", {"Host": 'evil.org"><script>x()</script>'})
c.check(b"evil.org" not in body and b"<script>x()" not in body, "a malformed Host is not echoed")
c.equal(parse(body).meta.get("og:image"), f"/shows/demo/{v}/poster.jpg", "then URLs are relative")

for path, want in [("/watch/no-such-show", 404), ("/watch/", 404), ("/watch/demo/x", 404),
                   ("/watch/..", 404), ("/watch/Demo", 404)]:
    c.equal(get(port, path)[0].status, want, path)
c.equal(stop(proc), 0, "ladder serve exits 0")

# --public-url wins over Host; without the demo page there is nothing to share.
proc, port = start_origin(LIB, "--demo", DEMO, "--public-url", "https://cdn.example.net/")
_, body = get(port, "/watch/demo", {"Host": "origin-3.internal"})
c.equal(parse(body).meta.get("og:url"), "https://cdn.example.net/watch/demo", "--public-url")
stop(proc)
proc, port = start_origin(LIB)
c.equal(get(port, "/watch/demo")[0].status, 404, "no --demo: 404")
stop(proc)
for bad in ["ftp://x", "https://", "https://a b", 'https://x"y']:
    r = ladder("serve", "--library", LIB, "--listen", "127.0.0.1:0", "--public-url", bad, timeout=10)
    c.check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "public URL" in r.stderr,
            f"--public-url {bad!r}: exit {r.returncode}, {r.stderr.strip()!r}")
# The fixture's library is no workdir(), so ladder_test's cleanup hook never sees it: its shows
# (demo, xss, and demo's re-ingest if player.browser ran first) are checked here.
c.check(check_show_json_schema(c, LIB) >= 2, "the fixture's show.json files were checked")
c.done()
