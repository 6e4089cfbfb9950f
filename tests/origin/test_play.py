"""test_play.py: /play/<id> over real HTTP: the device rules (devices/devices.xml, built in, or
--devices) pick HLS or the best-fitting MP4 of the show's current version; ?format overrides;
the redirect is private, no-store and never varies; a re-ingest moves MP4 redirects to the new
version; a bad --devices file stops `ladder serve` with one error line; /metrics counts /play.
Shows: a 1280x720 clip with the default ladder (MP4s 180p-720p, all Baseline), a 640x360 clip
with a ladder of MP4s in two profiles, and one with HLS only."""
import atexit
import concurrent.futures
import json
import os
import re
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, cleanup, ladder, make_clip, run, workdir, LADDER  # noqa: E402
from origin_test import get, metric, start_origin, stop, wait_until  # noqa: E402

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
IPADOS = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
          "Gecko) Version/17.1 Safari/605.1.15")
ANDROID_2 = ("Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; Nexus S Build/GRK39F) "
             "AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1")
ANDROID_43_STOCK = ("Mozilla/5.0 (Linux; U; Android 4.3; en-us; SCH-I535 Build/JSS15J) "
                    "AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30")
ANDROID_44_WEBVIEW = ("Mozilla/5.0 (Linux; Android 4.4; Nexus 5 Build/KRT16M) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36")
DESKTOP_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.0.0 Safari/537.36")
REDUCED_CHROME = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36")
OLD_IE = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)"

RUNG = ('<rung name="{name}" use="{use}" width="{w}" height="{h}" video-kbps="{kbps}" '
        'maxrate-kbps="{max}" bufsize-kbps="{buf}" profile="{profile}" level="3.0" '
        'audio-kbps="64"/>')


def ladder_xml(name, rungs):
    body = "\n  ".join(RUNG.format(name=n, use=u, w=w, h=h, kbps=k, max=k * 3 // 2, buf=k * 2,
                                   profile=p) for n, u, w, h, k, p in rungs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ladder xmlns="urn:ladder:profile:1" '
            f'name="{name}" preset="veryfast" gop-seconds="2" segment-seconds="6" '
            f'container="ts" audio-channels="2">\n  {body}\n</ladder>\n')


# Two MP4 profiles: the 360p MP4 is Main, so a Baseline-only device must get the 234p one.
MIXED = ladder_xml("mixed", [("hls-360p-600", "hls", 640, 360, 600, "main"),
                             ("mp4-180p-250", "mp4", 320, 180, 250, "baseline"),
                             ("mp4-234p-300", "mp4", 416, 234, 300, "baseline"),
                             ("mp4-360p-500", "mp4", 640, 360, 500, "main")])
HLS_ONLY = ladder_xml("hlsonly", [("hls-180p-250", "hls", 320, 180, 250, "baseline")])

# Rules of our own for --devices: the limits of each case are explicit.
DEVICES = """<?xml version="1.0" encoding="UTF-8"?>
<devices xmlns="urn:ladder:devices:1" name="test">
  <rule name="baseline-only" user-agent="BaselineOnly" format="mp4" max-height="1080"
        profile="baseline"/>
  <rule name="main-ok" user-agent="MainOK" format="mp4" max-height="1080" profile="main"/>
  <rule name="tiny" user-agent="TinyScreen" format="mp4" max-height="120"/>
  <rule name="default" format="hls"/>
</devices>
"""

c = Checks("origin-play")
d = workdir()
lib = os.path.join(d, "lib")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def ingest(show_id, size, profile=None):
    clip = make_clip("good", os.path.join(d, f"{size}.mp4"), "--size", size, "--duration", "4")
    args = ["ingest", clip, "--id", show_id, "--library", lib, "--quiet"]
    if profile:
        args += ["--profile", write(os.path.join(d, f"{show_id}.xml"), profile)]
    r = ladder(*args)
    if r.returncode != 0:
        raise RuntimeError(f"ingest {show_id}: {r.stderr.strip()}")


ingest("show", "1280x720")
ingest("mixed", "640x360", MIXED)
ingest("hlsonly", "640x360", HLS_ONLY)
mp4s = sorted(os.listdir(os.path.join(lib, "show", "v1", "mp4")))
c.equal(mp4s, ["mp4-180p-250.mp4", "mp4-360p-500.mp4", "mp4-480p-900.mp4", "mp4-720p-1800.mp4"],
        "a 1280x720 source gets the default ladder's MP4s up to 720p")
origin, port = start_origin(lib)
atexit.register(stop, origin)  # also when a check raises


def play(path, ua=None, headers=None, method="GET", p=None):
    h = dict(headers or {})
    if ua:
        h["User-Agent"] = ua
    resp, body = get(p or port, path, h, method=method)
    return resp, body


MASTER = "/shows/show/master.m3u8"
V1_MP4 = "/shows/show/v1/mp4/"

# ---- device routing with the built-in rules ---------------------------------------------------
for what, ua, extra, want, rule in [
    ("iPhone", IPHONE, {}, MASTER, "ios"),
    ("iPadOS (a Mac user agent)", IPADOS, {}, MASTER, "default"),
    ("Android 2.3", ANDROID_2, {}, V1_MP4 + "mp4-360p-500.mp4", "android-2-3"),
    ("Android 4.3 stock browser", ANDROID_43_STOCK, {}, V1_MP4 + "mp4-480p-900.mp4",
     "android-stock"),
    ("Android 4.4 WebView", ANDROID_44_WEBVIEW, {}, MASTER, "android-4-4-and-later"),
    ("desktop Chrome", DESKTOP_CHROME, {}, MASTER, "default"),
    ("a reduced user agent with Sec-CH-UA-Platform: Android", REDUCED_CHROME,
     {"Sec-CH-UA-Platform": '"Android"', "Sec-CH-UA-Mobile": "?1"}, MASTER,
     "client-hints-android"),
    ("Internet Explorer 8 (MP4 up to 1080p Main: the 720p here)", OLD_IE, {},
     V1_MP4 + "mp4-720p-1800.mp4", "old-desktop-browsers"),
    ("no user agent at all", None, {}, MASTER, "default"),
]:
    resp, body = play("/play/show", ua, extra)
    c.equal((resp.status, resp.getheader("Location"), resp.getheader("X-Ladder-Rule")),
            (302, want, rule), f"/play for {what}")

# the MP4 a device is sent to is a real, immutable, device-independent file
resp, _ = play("/play/show", ANDROID_2)
target = resp.getheader("Location")
f, body = get(port, target)
with open(os.path.join(lib, "show", "v1", "mp4", "mp4-360p-500.mp4"), "rb") as fh:
    c.check(f.status == 200 and body == fh.read() and f.getheader("Content-Type") == "video/mp4"
            and f.getheader("Cache-Control") == "public, max-age=31536000, immutable"
            and f.getheader("Vary") is None,
            f"the MP4 {target} is served as it is, immutable, with no Vary")
f, body = get(port, MASTER, {"User-Agent": IPHONE})
c.check(f.status == 200 and body.startswith(b"#EXTM3U"), "the HLS master is served")

# ---- headers: private, no-store; never Vary ---------------------------------------------------
for ua in (IPHONE, ANDROID_2, OLD_IE):
    for method in ("GET", "HEAD"):
        resp, body = play("/play/show", ua, method=method)
        vary = (resp.getheader("Vary") or "").lower()
        c.check(resp.status == 302 and resp.getheader("Cache-Control") == "private, no-store"
                and "user-agent" not in vary and not vary and body == b""
                and resp.getheader("Access-Control-Allow-Origin") == "*",
                f"{method} /play: 302, private, no-store, no Vary, CORS ({resp.getheaders()})")

# ---- Accept: application/json: the same decision as data (what the player page asks) ----------
for ua in (IPHONE, ANDROID_2, ANDROID_43_STOCK, OLD_IE, DESKTOP_CHROME):
    for query in ("", "?format=mp4", "?format=hls"):
        redirect, _ = play("/play/show" + query, ua)
        resp, body = play("/play/show" + query, ua, {"Accept": "application/json"})
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {}
        want = {"format": "mp4" if "/mp4/" in (redirect.getheader("Location") or "") else "hls",
                "url": redirect.getheader("Location"), "rule": redirect.getheader("X-Ladder-Rule")}
        c.check(resp.status == 200 and answer == want and
                resp.getheader("Content-Type") == "application/json" and
                resp.getheader("Cache-Control") == "private, no-store" and
                resp.getheader("Location") is None,
                f"/play{query} as JSON for {ua[:40]}: {resp.status} {answer} == {want}")
for accept in ("*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json;q=0",
               "application/jsonx", ""):
    resp, _ = play("/play/show", IPHONE, {"Accept": accept})
    c.equal(resp.status, 302, f"Accept: {accept!r} gets the redirect")
resp, body = play("/play/nope", IPHONE, {"Accept": "application/json"})
c.equal(resp.status, 404, "JSON for an unknown id: 404")

# ---- ?format overrides the device ---------------------------------------------------------------
for what, ua, query, want in [
    ("Android 2.3 asking for HLS", ANDROID_2, "?format=hls", MASTER),
    ("an iPhone asking for MP4 gets the desktop default (<= 1080p Main)", IPHONE, "?format=mp4",
     V1_MP4 + "mp4-720p-1800.mp4"),
    ("Android 2.3 asking for MP4 keeps its own limits", ANDROID_2, "?format=mp4",
     V1_MP4 + "mp4-360p-500.mp4"),
    ("Android 4.3 asking for MP4 keeps its own limits", ANDROID_43_STOCK, "?format=mp4&x=1",
     V1_MP4 + "mp4-480p-900.mp4"),
]:
    resp, _ = play("/play/show" + query, ua)
    c.equal((resp.status, resp.getheader("Location")), (302, want), what)
resp, body = play("/play/show?format=dash", IPHONE)
c.equal((resp.status, resp.getheader("Cache-Control")), (400, "no-store"),
        "an unknown ?format is a 400")

# ---- unknown ids and odd targets ------------------------------------------------------------------
os.makedirs(os.path.join(lib, "unpublished", "v1"))  # a folder without `current`
for path in ("/play/nope", "/play/", "/play", "/play/show/", "/play/show/x", "/play/Show",
             "/play/.locks", "/play/%2e%2e", "/play/unpublished", "/play/show%2fv1"):
    resp, body = play(path, IPHONE)
    c.check(resp.status == 404 and resp.getheader("Location") is None and
            resp.getheader("Cache-Control") == "no-store", f"{path}: 404 (got {resp.status})")

# ---- shows without MP4s, or with MP4s in two profiles -----------------------------------------------
for ua, query in ((ANDROID_2, ""), (IPHONE, "?format=mp4"), (OLD_IE, "")):
    resp, _ = play("/play/hlsonly" + query, ua)
    c.equal((resp.status, resp.getheader("Location")), (302, "/shows/hlsonly/master.m3u8"),
            f"a show with no MP4 gets HLS even when MP4 is wanted ({query or ua[:30]})")
devices = write(os.path.join(d, "devices.xml"), DEVICES)
custom, cport = start_origin(lib, "--devices", devices)
atexit.register(stop, custom)
for what, show, ua, want in [
    ("Baseline only: the 360p MP4 is Main, so the 234p Baseline one", "mixed", "BaselineOnly",
     "/shows/mixed/v1/mp4/mp4-234p-300.mp4"),
    ("Main allowed: the 360p Main MP4", "mixed", "MainOK", "/shows/mixed/v1/mp4/mp4-360p-500.mp4"),
    ("nothing fits 120 lines: the smallest", "mixed", "TinyScreen",
     "/shows/mixed/v1/mp4/mp4-180p-250.mp4"),
    ("Baseline only on the default ladder: 720p (all its MP4s up to 720p are Baseline)", "show",
     "BaselineOnly", V1_MP4 + "mp4-720p-1800.mp4"),
    ("--devices replaces the built-in rules (Android 2.3 falls to this file's default)", "show",
     ANDROID_2, MASTER),
]:
    resp, _ = play(f"/play/{show}", ua, p=cport)
    c.equal((resp.status, resp.getheader("Location")), (302, want), what)
stop(custom)

# ---- a re-ingest moves MP4 redirects to the new version ---------------------------------------------
resp, _ = play("/play/hlsonly", ANDROID_2)
ingest("hlsonly", "640x360")  # now with the default ladder: MP4s appear, in v2
resp, _ = play("/play/hlsonly", ANDROID_2)
c.equal(resp.getheader("Location"), "/shows/hlsonly/v2/mp4/mp4-360p-500.mp4",
        "after a re-ingest /play sends to the new version's MP4 at once")
f, _ = get(port, resp.getheader("Location"))
c.equal(f.status, 200, "which is served")

# ---- many requests at once while the show is re-published --------------------------------------
# The show cache is shared by every worker: answers stay whole while `current` moves. (Android
# 2.3 decodes Baseline only: on this ladder the 360p MP4 is Main, so it gets the 234p one.)
def hammer(i, publishing):
    """Requests until the re-ingest is done, and a few more; returns what came back."""
    path, seen, extra = ("/play/mixed" if i % 2 else "/shows"), [], 20
    while publishing.is_alive() or extra > 0:
        extra -= not publishing.is_alive()
        resp, _ = get(port, path, {"User-Agent": ANDROID_2})
        seen.append((path, resp.status, resp.getheader("Location")))
    return seen


publishing = threading.Thread(target=ingest, args=("mixed", "640x360", MIXED))  # v2
publishing.start()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    results = sum(pool.map(lambda i: hammer(i, publishing), range(8)), [])
publishing.join()
play_ok = all(st == 302 and re.fullmatch(r"/shows/mixed/v[12]/mp4/mp4-234p-300\.mp4", loc or "")
              for p, st, loc in results if p == "/play/mixed")
c.check(play_ok and all(st == 200 for p, st, _ in results if p == "/shows"),
        f"{len(results)} requests from 8 threads during a re-ingest: all whole "
        f"({sorted(set((p, st, loc) for p, st, loc in results))[:6]})")
resp, _ = play("/play/mixed", ANDROID_2)
c.equal(resp.getheader("Location"), "/shows/mixed/v2/mp4/mp4-234p-300.mp4",
        "and then the new version")

# ---- /metrics counts /play ---------------------------------------------------------------------------


KEY = 'ladder_http_requests_total{status="302",kind="other"}'
before = metric(port, KEY)
for _ in range(3):
    play("/play/show", IPHONE)
c.check(wait_until(lambda: metric(port, KEY) >= before + 3), "/metrics counts /play redirects")
stop(origin)

# ---- a bad --devices file: exit 1, one line that names the file and line ---------------------------
bad = write(os.path.join(d, "bad.xml"), DEVICES.replace('format="hls"', 'format="dash"'))
for path, pattern in [(bad, re.escape(bad) + r":\d+: "), (os.path.join(d, "none.xml"),
                                                          re.escape(os.path.join(d, "none.xml")))]:
    r = run([LADDER, "serve", "--library", lib, "--listen", "127.0.0.1:0", "--devices", path],
            timeout=20)
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]) and
            r.stdout == "", f"--devices {os.path.basename(path)}: exit 1 with one error line "
            f"({r.returncode}, {r.stderr!r})")

cleanup(d)
c.done()
