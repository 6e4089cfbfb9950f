"""test_play.py: /play/<id> over real HTTP: the device rules (devices/devices.xml, built in, or
--devices) pick HLS, DASH or the best-fitting MP4 of the show's current version; ?format
overrides; the redirect is private, no-store and never varies; a re-ingest moves MP4 redirects
to the new version; a bad --devices file stops `ladder serve` with one error line; /metrics
counts /play. DASH: the MPD is served as a playlist is (type, gzip, Cache-Control, CORS); TVs
(HbbTV 1.5+, Tizen, webOS 3+) get the versioned MPD of an fMP4 show, HLS with a note for a TS
show or a show with breaks; ?format=dash on a TS show is a 404 with one line.
Shows: a 1280x720 clip with the default ladder (MP4s 180p-720p, all Baseline), a 640x360 clip
with a ladder of MP4s in two profiles, one with HLS only, and two in fMP4 (one with ad breaks),
whose manifest.mpd the packager writes."""
import atexit
import concurrent.futures
import gzip
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
# DASH TVs, real strings from the sources devices/devices.xml cites for each rule.
HBBTV_15 = "HbbTV/1.2.1 (;Panasonic;VIERA 2013;3.672;4101-0003 0002-0000;)"  # uap-core
HBBTV_15_PRESTO = ("Opera/9.80 (Linux sh4; HbbTV/1.2.1 (+PVR; Loewe; SL220; LOH/2.1.36.0;;) "
                   "CE-HTML/1.0 Config(L:deu,CC:DEU) NETRANGEMMH) Presto/2.12.362 Version/12.10")
HBBTV_10 = ("Opera/9.80 (Linux mips; U; HbbTV/1.1.1 (; Philips; ; ; ; ) CE-HTML/1.0 NETTV/3.2.1; "
            "en) Presto/2.6.33 Version/10.70")
TIZEN_2021 = ("Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
              "76.0.3809.146/6.0 TV Safari/537.36")
TIZEN_BROWSER = ("Mozilla/5.0 (SMART-TV; Linux; Tizen 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "SamsungBrowser/2.2 Chrome/63.0.3239.84 TV Safari/537.36")
WEBOS_6 = ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/79.0.3945.79 Safari/537.36 WebAppManager")
WEBOS_2 = ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/538.2 (KHTML, like Gecko) Large Screen "
           "WebAppManager Safari/538.2")
EXOPLAYER = "MyApp/1.0 (Linux;Android 11) ExoPlayerLib/2.18.1"

RUNG = ('<rung name="{name}" use="{use}" width="{w}" height="{h}" video-kbps="{kbps}" '
        'maxrate-kbps="{max}" bufsize-kbps="{buf}" profile="{profile}" level="3.0" '
        'audio-kbps="64"/>')


def ladder_xml(name, rungs, container="ts"):
    body = "\n  ".join(RUNG.format(name=n, use=u, w=w, h=h, kbps=k, max=k * 3 // 2, buf=k * 2,
                                   profile=p) for n, u, w, h, k, p in rungs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ladder xmlns="urn:ladder:profile:1" '
            f'name="{name}" preset="veryfast" gop-seconds="2" segment-seconds="6" '
            f'container="{container}" audio-channels="2">\n  {body}\n</ladder>\n')


# Two MP4 profiles: the 360p MP4 is Main, so a Baseline-only device must get the 234p one.
MIXED = ladder_xml("mixed", [("hls-360p-600", "hls", 640, 360, 600, "main"),
                             ("mp4-180p-250", "mp4", 320, 180, 250, "baseline"),
                             ("mp4-234p-300", "mp4", 416, 234, 300, "baseline"),
                             ("mp4-360p-500", "mp4", 640, 360, 500, "main")])
HLS_ONLY = ladder_xml("hlsonly", [("hls-180p-250", "hls", 320, 180, 250, "baseline")])
# fMP4 (CMAF): the packager writes vN/manifest.mpd and show.json "dash" for it.
CMAF = ladder_xml("cmaf", [("hls-180p-250", "hls", 320, 180, 250, "baseline"),
                           ("hls-360p-600", "hls", 640, 360, 600, "main"),
                           ("mp4-360p-500", "mp4", 640, 360, 500, "baseline")], container="fmp4")

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


def ingest(show_id, size, profile=None, *more):
    clip = make_clip("good", os.path.join(d, f"{size}.mp4"), "--size", size, "--duration", "4")
    args = ["ingest", clip, "--id", show_id, "--library", lib, "--quiet", *more]
    if profile:
        args += ["--profile", write(os.path.join(d, f"{show_id}.xml"), profile)]
    r = ladder(*args)
    if r.returncode != 0:
        raise RuntimeError(f"ingest {show_id}: {r.stderr.strip()}")


ingest("show", "1280x720")
ingest("mixed", "640x360", MIXED)
ingest("hlsonly", "640x360", HLS_ONLY)
ingest("cmaf", "640x360", CMAF)
ingest("cmafads", "640x360", CMAF, "--ad-breaks", "0/2,2/3")
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
resp, body = play("/play/show?format=webm", IPHONE)
c.equal((resp.status, resp.getheader("Cache-Control")), (400, "no-store"),
        "an unknown ?format is a 400")

# ---- DASH ---------------------------------------------------------------------------------------
def as_json(path, ua, extra=None):
    """(response, decoded JSON or {}) of /play asked for JSON."""
    resp, body = play(path, ua, {"Accept": "application/json", **(extra or {})})
    try:
        return resp, json.loads(body)
    except ValueError:
        return resp, {}


# A TS show has no MPD, whatever asks: a DASH rule gets HLS with a note, ?format=dash a 404.
NO_MPD = "the show is packaged as MPEG-TS and has no DASH MPD: HLS instead"
for ua in (TIZEN_2021, WEBOS_6, HBBTV_15):
    resp, _ = play("/play/show", ua)
    c.equal((resp.status, resp.getheader("Location")), (302, MASTER),
            f"a DASH TV on a TS show gets HLS ({ua[:40]})")
resp, answer = as_json("/play/show", TIZEN_2021)
c.equal((resp.status, answer), (200, {"format": "hls", "url": MASTER, "rule": "tizen-tv-dash",
                                      "note": NO_MPD}),
        "its JSON answer says why, in one line")
for what, headers in (("redirect", {}), ("JSON", {"Accept": "application/json"})):
    resp, body = play("/play/show?format=dash", DESKTOP_CHROME, headers)
    text = body.decode(errors="replace")
    c.check(resp.status == 404 and text.endswith("\n") and text.count("\n") == 1 and
            "MPEG-TS" in text and 'container="fmp4"' in text and "docs/origin.md" in text and
            resp.getheader("Content-Type", "").startswith("text/plain") and
            resp.getheader("Cache-Control") == "no-store" and
            resp.getheader("Access-Control-Allow-Origin") == "*" and
            resp.getheader("Location") is None,
            f"?format=dash on a TS show ({what}): 404 with one line saying why ({resp.status} "
            f"{text!r})")

# The fMP4 shows: their MPD comes from the packager (docs/packager.md). Without it, the rest of
# this part cannot run: the packager did not write what the origin serves.
MPD = "/shows/cmaf/v1/manifest.mpd"
mpd_files = [os.path.join(lib, sid, "v1", "manifest.mpd") for sid in ("cmaf", "cmafads")]
dash_keys = []
for sid in ("cmaf", "cmafads"):
    with open(os.path.join(lib, sid, "v1", "show.json")) as f:
        dash_keys.append(json.load(f).get("dash"))
have_mpd = c.check(all(os.path.isfile(p) for p in mpd_files) and
                   dash_keys == [{"path": "manifest.mpd"}] * 2,
                   "the packager wrote v1/manifest.mpd and show.json \"dash\": {\"path\": "
                   "\"manifest.mpd\"} for the fMP4 shows (container=\"fmp4\"); missing: "
                   f"{[p for p in mpd_files if not os.path.isfile(p)]}, show.json dash: "
                   f"{dash_keys} (DASH cannot be served before the packager writes an MPD)")
if have_mpd:
    with open(mpd_files[0], "rb") as f:
        mpd_bytes = f.read()
    # served as a playlist is: type, compression, Cache-Control, Vary, CORS
    for enc in ("", "gzip"):
        extra = {"Accept-Encoding": enc} if enc else {}
        r_mpd, b_mpd = get(port, MPD, extra)
        r_m3u8, _ = get(port, "/shows/cmaf/v1/master.m3u8", extra)
        same = {h: (r_mpd.getheader(h), r_m3u8.getheader(h))
                for h in ("Cache-Control", "Vary", "Content-Encoding",
                          "Access-Control-Allow-Origin", "Access-Control-Expose-Headers")}
        data = gzip.decompress(b_mpd) if r_mpd.getheader("Content-Encoding") == "gzip" else b_mpd
        c.check(r_mpd.status == 200 and
                r_mpd.getheader("Content-Type") == "application/dash+xml" and
                data == mpd_bytes and all(a == b for a, b in same.values()) and
                r_mpd.getheader("Cache-Control") == "public, max-age=86400" and
                r_mpd.getheader("Access-Control-Allow-Origin") == "*" and
                (r_mpd.getheader("Content-Encoding") == "gzip") == (enc == "gzip") and
                "accept-encoding" in (r_mpd.getheader("Vary") or "").lower(),
                f"{MPD} {'with' if enc else 'without'} Accept-Encoding: gzip: "
                f"application/dash+xml, the file's bytes, headers as the playlist's {same}")
    r_mpd, _ = get(port, "/shows/cmaf/manifest.mpd")
    c.equal(r_mpd.status, 404, "no unversioned MPD: /play names the versioned one")

    # the TVs' rules send them to the versioned MPD; the others keep what they had
    for what, ua, want, rule in [
        ("HbbTV 1.5 (HbbTV/1.2.1)", HBBTV_15, MPD, "hbbtv-dash"),
        ("HbbTV 1.5 on Presto", HBBTV_15_PRESTO, MPD, "hbbtv-dash"),
        ("a Samsung Tizen TV (2021)", TIZEN_2021, MPD, "tizen-tv-dash"),
        ("Samsung's TV browser on Tizen 5", TIZEN_BROWSER, MPD, "tizen-tv-dash"),
        ("an LG webOS 6 TV", WEBOS_6, MPD, "webos-tv-dash"),
        ("HbbTV 1.0: HLS", HBBTV_10, "/shows/cmaf/master.m3u8", "smart-tvs"),
        ("webOS 2 (WebKit): HLS", WEBOS_2, "/shows/cmaf/master.m3u8", "smart-tvs"),
        ("an ExoPlayer app: HLS", EXOPLAYER, "/shows/cmaf/master.m3u8", "android-native"),
        ("an iPhone: HLS", IPHONE, "/shows/cmaf/master.m3u8", "ios"),
        ("desktop Chrome: HLS", DESKTOP_CHROME, "/shows/cmaf/master.m3u8", "default"),
        ("desktop Chrome asking for DASH", DESKTOP_CHROME + "\0?format=dash", MPD, "default"),
    ]:
        ua, _, query = ua.partition("\0")
        resp, body = play("/play/cmaf" + query, ua)
        c.check((resp.status, resp.getheader("Location"), resp.getheader("X-Ladder-Rule")) ==
                (302, want, rule) and resp.getheader("Cache-Control") == "private, no-store" and
                resp.getheader("Vary") is None and body == b"",
                f"/play{query} for {what}: 302 to {want} by {rule} ({resp.status} "
                f"{resp.getheader('Location')} {resp.getheader('X-Ladder-Rule')})")
    f, _ = get(port, MPD)
    c.equal((f.status, f.getheader("Content-Type")), (200, "application/dash+xml"),
            "the MPD /play names is served")
    resp, answer = as_json("/play/cmaf", WEBOS_6)
    c.check(resp.status == 200 and answer == {"format": "dash", "url": MPD,
                                              "rule": "webos-tv-dash"} and
            resp.getheader("Cache-Control") == "private, no-store",
            f"the JSON answer of a DASH decision: {answer}")
    resp, answer = as_json("/play/cmaf?format=dash", IPHONE)
    c.equal(answer, {"format": "dash", "url": MPD, "rule": "ios"}, "?format=dash as JSON")
    for query, want in (("?format=hls", "/shows/cmaf/master.m3u8"),
                        ("?format=mp4", "/shows/cmaf/v1/mp4/mp4-360p-500.mp4")):
        resp, _ = play("/play/cmaf" + query, TIZEN_2021)
        c.equal((resp.status, resp.getheader("Location")), (302, want),
                f"a DASH TV asking {query} gets {want}")

    # A show with breaks: the ads are stitched into HLS only, so a DASH rule gets the stitched
    # HLS (as these TVs did before DASH) with a note; ?format=dash the MPD, without ads.
    resp, _ = play("/play/cmafads", TIZEN_2021)
    c.equal((resp.status, resp.getheader("Location"), resp.getheader("X-Ladder-Rule")),
            (302, "/stitched/cmafads/master.m3u8", "tizen-tv-dash"),
            "a DASH TV on a show with breaks gets the stitched HLS")
    resp, answer = as_json("/play/cmafads", TIZEN_2021)
    c.check(answer.get("format") == "hls" and answer.get("ads") == "stitched" and
            answer.get("note") == "the show has ad breaks, which the origin delivers in HLS "
            "only: HLS instead" and len(answer.get("breaks", [])) == 2,
            f"its JSON says why and lists the breaks: {answer}")
    resp, _ = play("/play/cmafads?format=dash", TIZEN_2021)
    c.equal((resp.status, resp.getheader("Location")), (302, "/shows/cmafads/v1/manifest.mpd"),
            "?format=dash on a show with breaks: its MPD")
    resp, answer = as_json("/play/cmafads?format=dash", TIZEN_2021)
    c.equal(answer, {"format": "dash", "url": "/shows/cmafads/v1/manifest.mpd",
                     "rule": "tizen-tv-dash", "ads": "none"},
            "whose JSON says the MPD carries no ads")

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
bad = write(os.path.join(d, "bad.xml"), DEVICES.replace('format="hls"', 'format="webm"'))
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
