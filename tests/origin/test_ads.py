"""test_ads.py: ads in the origin over real HTTP (docs/origin.md, "Ads"): `ladder serve --ads`
refusing a bad pool at start; the X-ASSET-LIST at /ads/<id>/<break>.json (versioned masters,
whole ads filling the planned duration, the rotation keyed on (show, break) recomputed here
independently, 404s, caching); POST /ads/beacon (accepted and rejected bodies); /metrics; the
stitched master and media playlists (structure, durations, discontinuities, subtitles, caching);
the stitched master played end to end by ffmpeg and by GStreamer (duration = show + ads, every
frame decoded, no decode error); /play sending ffmpeg, GStreamer, VLC, old iOS and Android's
native players to it, ?ads, and the JSON breaks with each ad's MP4; an ad of another ladder
skipped per request with a log line; a re-ingested ad seen within a second.

Shows are made at test time from short clips. Breaks come from `ladder ingest --ad-breaks` when
this build has it; otherwise they are written into show.json by hand, at segment boundaries (the
splice only needs segment times and break times)."""
import atexit
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, cleanup, ladder, make_clip, run, workdir, LADDER  # noqa: E402
from origin_test import get, metric, start_origin, stderr_of, stop, wait_until  # noqa: E402

c = Checks("origin-ads")
d = workdir()
lib = os.path.join(d, "lib")

HLS_ONLY = ('<?xml version="1.0" encoding="UTF-8"?>\n<ladder xmlns="urn:ladder:profile:1" '
            'name="one" preset="veryfast" gop-seconds="2" segment-seconds="6" container="ts" '
            'audio-channels="2">\n  <rung name="hls-180p-250" use="hls" width="320" height="180" '
            'video-kbps="250" maxrate-kbps="375" bufsize-kbps="500" profile="baseline" '
            'level="3.0" audio-kbps="64"/>\n</ladder>\n')
HAS_AD_BREAKS = "--ad-breaks" in ladder("ingest", "-h").stdout + ladder("ingest", "-h").stderr
# (time, planned duration): a pre-roll and a mid-roll. With --ad-breaks the mid-roll is off the
# 6 s segment grid (the packager cuts there); by hand it sits on a segment boundary.
BREAKS = [(0.0, 4.0), (7.37 if HAS_AD_BREAKS else 6.0, 5.0)]
MAIN_SECONDS = 14


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def ingest(show_id, seconds, *extra, breaks=None, profile=None):
    clip = make_clip("good", os.path.join(d, f"{show_id}.mp4"), "--duration", str(seconds))
    args = ["ingest", clip, "--id", show_id, "--library", lib, "--quiet", *extra]
    if profile:
        args += ["--profile", write(os.path.join(d, f"{show_id}.xml"), profile)]
    if breaks and HAS_AD_BREAKS:
        args += ["--ad-breaks", ",".join(f"{t:g}/{du:g}" for t, du in breaks)]
    r = ladder(*args)
    if r.returncode != 0:
        raise RuntimeError(f"ingest {show_id}: {r.stderr.strip()}")
    if breaks and not HAS_AD_BREAKS:  # the show.json fields of docs/show-json.md, by hand
        path = os.path.join(lib, show_id, "current", "show.json")
        with open(path) as f:
            doc = json.load(f)
        doc["breaks"] = [{"id": f"break-{i + 1}", "time": t, "frame": round(t * 30),
                          "start_date": "2000-01-01T00:00:%06.3fZ" % t, "duration": du,
                          "source": "option"} for i, (t, du) in enumerate(breaks)]
        write(path, json.dumps(doc))


def show_json(show_id):
    with open(os.path.join(lib, show_id, "current", "show.json")) as f:
        return json.load(f)


cues = write(os.path.join(d, "cues.vtt"), "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello\n\n"
             "00:00:09.000 --> 00:00:11.000\nLater\n")
ingest("main", MAIN_SECONDS, "--captions", cues + ":en:English", breaks=BREAKS)
ingest("plain", 4)                                       # no breaks
ingest("ad1", 3)
ingest("ad2", 2)
ingest("ad3", 4)
ingest("other", 4, profile=HLS_ONLY)                     # another ladder: one rung
ingest("othermain", 8, profile=HLS_ONLY, breaks=[(0.0, 30.0)])
main = show_json("main")
BREAKS = [(b["time"], b["duration"]) for b in main["breaks"]]
POOL = ["ad1", "ad2", "ad3"]
DUR = {a: show_json(a)["duration"] for a in POOL}

# ---- the pool is checked at start: one line, exit 1 --------------------------------------------
for pool, pattern in [("nope", r"'nope' is not a published show"),
                      ("ad1,other", r"'other' has the HLS rungs hls-180p-250, 'ad1' has"),
                      ("ad1,ad1", r"'ad1' is named twice"),
                      ("ad1,", r"ends with a comma"),
                      ("ad1,../x", r"is not a show id")]:
    r = run([LADDER, "serve", "--library", lib, "--listen", "127.0.0.1:0", "--ads", pool],
            timeout=20)
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]) and
            r.stdout == "", f"--ads {pool}: exit 1 with one line ({r.returncode}, {r.stderr!r})")
os.makedirs(os.path.join(lib, "unpublished", "v1"))
r = run([LADDER, "serve", "--library", lib, "--listen", "127.0.0.1:0", "--ads", "unpublished"],
        timeout=20)
c.check(r.returncode == 1 and "'unpublished' is not a published show" in r.stderr,
        f"an unpublished show in the pool is refused ({r.stderr!r})")

origin, port = start_origin(lib, "--ads", ",".join(POOL))
atexit.register(stop, origin)
empty, eport = start_origin(lib)
atexit.register(stop, empty)


# ---- decisioning, recomputed independently: FNV-1a 64 of "<show>/<K>" mod n, then whole ads
# that fit, walking the rotation once; if none fits, the first usable one ------------------------
def fnv1a(text):
    h = 1469598103934665603
    for ch in text.encode():
        h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def expected_ads(show, k, planned, pool=POOL, durations=DUR):
    start = fnv1a(f"{show}/{k}") % len(pool)
    order = [pool[(start + i) % len(pool)] for i in range(len(pool))]
    chosen, total = [], 0.0
    for ad in order:
        if total + durations[ad] <= planned + 1e-6:
            chosen.append(ad)
            total += durations[ad]
    return chosen or order[:1]


def asset_list(show, brk, p=None, headers=None):
    resp, body = get(p or port, f"/ads/{show}/{brk}.json", headers)
    try:
        return resp, json.loads(body)
    except ValueError:
        return resp, None


plan = {}
for k, (t, planned) in enumerate(BREAKS, 1):
    resp, doc = asset_list("main", f"break-{k}")
    want = expected_ads("main", k, planned)
    plan[k] = want
    c.check(resp.status == 200 and resp.getheader("Content-Type") == "application/json" and
            doc == {"ASSETS": [{"URI": f"/shows/{a}/v1/master.m3u8", "DURATION": DUR[a]}
                               for a in want]},
            f"break-{k} ({planned:g} s): the rotation's whole ads {want} ({resp.status} {doc})")
    c.check(sum(DUR[a] for a in want) <= planned or len(want) == 1,
            f"break-{k}: the ads fit the planned {planned:g} s")
    c.check(resp.getheader("Cache-Control") == "public, max-age=60" and
            re.fullmatch(r'"al-[0-9a-f]{16}"', resp.getheader("ETag") or ""),
            f"break-{k}: cacheable, with an ETag ({resp.getheaders()})")
    again, _ = get(port, f"/ads/main/break-{k}.json", {"If-None-Match": resp.getheader("ETag")})
    c.equal(again.status, 304, f"break-{k}: If-None-Match gets a 304")
    for a in doc["ASSETS"] if doc else []:
        f, body = get(port, a["URI"])
        c.check(f.status == 200 and body.startswith(b"#EXTM3U"), f"{a['URI']} is served")
bodies = {get(port, "/ads/main/break-2.json")[1] for _ in range(5)}
other_node, oport = start_origin(lib, "--ads", ",".join(POOL))
bodies.add(get(oport, "/ads/main/break-2.json")[1])
c.check(len(bodies) == 1, f"the same request gets the same answer, on two origins ({bodies})")
etags = {get(p, "/ads/main/break-2.json")[0].getheader("ETag") for p in (port, oport)}
c.check(len(etags) == 1, f"and the same ETag on both ({etags})")
stop(other_node)
# a tighter pool gives another rotation: with two ads and a 4 s break, one of them
two, tport = start_origin(lib, "--ads", "ad3,ad2")
resp, doc = asset_list("main", "break-1", p=tport)
want = expected_ads("main", 1, BREAKS[0][1], pool=["ad3", "ad2"])
c.equal([a["URI"].split("/")[2] for a in doc["ASSETS"]], want, "a pool of ad3,ad2: its rotation")
stop(two)

for path in ("/ads/main/break-3.json", "/ads/main/break-0.json", "/ads/main/break-1",
             "/ads/main/break-1.json/x", "/ads/nope/break-1.json", "/ads/plain/break-1.json",
             "/ads/main/", "/ads/main", "/ads/", "/ads/MAIN/break-1.json"):
    resp, _ = get(port, path)
    c.check(resp.status == 404 and resp.getheader("Cache-Control") == "no-store",
            f"{path}: 404 ({resp.status})")
resp, doc = asset_list("main", "break-1", p=eport)
c.check(resp.status == 200 and doc == {"ASSETS": []}, f"no pool: an empty asset list ({doc})")

# ---- POST /ads/beacon -----------------------------------------------------------------------------
GOOD = {"show": "main", "break": "break-2", "ad": plan[2][0], "event": "start"}
JSON = {"Content-Type": "application/json"}
starts0 = metric(port, 'ladder_ad_impressions_total{event="start"}')
ends0 = metric(port, 'ladder_ad_impressions_total{event="end"}')


def beacon(body, headers=JSON, p=None):
    """POSTs body to /ads/beacon; returns the status."""
    conn = http.client.HTTPConnection("127.0.0.1", p or port, timeout=10)
    try:
        conn.request("POST", "/ads/beacon", body=body.encode(), headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


c.equal(beacon(json.dumps(GOOD)), 204, "a start beacon: 204")
c.equal(beacon(json.dumps(dict(GOOD, event="end"))), 204, "an end beacon: 204")
c.equal(beacon(json.dumps(GOOD), {"Content-Type": "application/json; charset=utf-8"}), 204,
        "application/json with a charset: 204")
for what, body, headers, want in [
    ("text/plain", json.dumps(GOOD), {"Content-Type": "text/plain"}, 415),
    ("no Content-Type", json.dumps(GOOD), {}, 415),
    ("form data", "show=main", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ("not JSON", "{show: main}", JSON, 400),
    ("empty", "", JSON, 400),
    ("a list", json.dumps([GOOD]), JSON, 400),
    ("an extra key", json.dumps(dict(GOOD, x=1)), JSON, 400),
    ("a missing key", json.dumps({k: v for k, v in GOOD.items() if k != "ad"}), JSON, 400),
    ("a key twice", json.dumps(GOOD)[:-1] + ', "show": "main"}', JSON, 400),
    ("an unknown event", json.dumps(dict(GOOD, event="click")), JSON, 400),
    ("an unknown break", json.dumps(dict(GOOD, **{"break": "break-9"})), JSON, 400),
    ("an unknown show", json.dumps(dict(GOOD, show="nope")), JSON, 400),
    ("an ad not in the pool", json.dumps(dict(GOOD, ad="plain")), JSON, 400),
    ("a number for a string", json.dumps(dict(GOOD, ad=1)), JSON, 400),
    ("over 1 KiB", json.dumps(dict(GOOD, pad="x" * 1100)), JSON, 400),
]:
    c.equal(beacon(body, headers), want, f"a beacon with {what}")
chunked = json.dumps(dict(GOOD, pad="x" * 2000))
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.putrequest("POST", "/ads/beacon")
conn.putheader("Content-Type", "application/json")
conn.putheader("Transfer-Encoding", "chunked")
conn.endheaders()
for i in range(0, len(chunked), 500):
    part = chunked[i:i + 500].encode()
    conn.send(b"%x\r\n%s\r\n" % (len(part), part))
conn.send(b"0\r\n\r\n")
r = conn.getresponse()
c.equal(r.status, 400, "a chunked beacon over 1 KiB: 400")
conn.close()
c.equal(beacon(json.dumps(GOOD), p=eport), 400, "no pool: every ad is unknown, 400")
resp, _ = get(port, "/ads/beacon")
c.check(resp.status == 405 and resp.getheader("Allow") == "POST, OPTIONS",
        f"GET /ads/beacon: 405 with Allow: POST, OPTIONS ({resp.status})")
resp, _ = get(port, "/ads/beacon", {"Origin": "https://x.example",
                                   "Access-Control-Request-Method": "POST",
                                   "Access-Control-Request-Headers": "content-type"},
              method="OPTIONS")
c.check(resp.status == 204 and "POST" in resp.getheader("Access-Control-Allow-Methods", "") and
        "content-type" in resp.getheader("Access-Control-Allow-Headers", "").lower(),
        "the beacon's CORS preflight allows POST and Content-Type")
for path in ("/ads/main/break-1.json", "/shows/main/master.m3u8"):
    c.equal(get(port, path, method="POST")[0].status, 405, f"POST {path}: 405")
c.check(wait_until(lambda: metric(port, 'ladder_ad_impressions_total{event="start"}') ==
                   starts0 + 2 and
                   metric(port, 'ladder_ad_impressions_total{event="end"}') == ends0 + 1),
        "/metrics counts the accepted beacons by event, and only those")

# ---- stitched playlists -------------------------------------------------------------------------


def parse_media(text):
    """[(kind, value)]: ("seg", (duration, uri)), ("disc", None); and the target duration."""
    items, target, dur = [], None, None
    for line in text.splitlines():
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":")[1])
        elif line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line == "#EXT-X-DISCONTINUITY":
            items.append(("disc", None))
        elif line and not line.startswith("#"):
            items.append(("seg", (dur, line)))
    return items, target


def playlist_total(path):
    with open(path) as f:
        return sum(d for k, (d, u) in [(k, v) for k, v in parse_media(f.read())[0] if k == "seg"])


lists0 = metric(port, "ladder_ad_asset_lists_total")
stitched0 = metric(port, "ladder_ad_stitched_playlists_total")
resp, body = get(port, "/stitched/main/master.m3u8")
master = body.decode()
c.check(resp.status == 200 and resp.getheader("Content-Type") == "application/vnd.apple.mpegurl"
        and master.startswith("#EXTM3U") and "I-FRAME" not in master and
        "IMAGE-STREAM-INF" not in master and resp.getheader("Cache-Control") == "public, max-age=60",
        f"the stitched master: no I-frame or thumbnail playlists, cacheable ({resp.status})")
with open(os.path.join(lib, "main", "v1", "master.m3u8")) as f:
    c.check("#EXT-X-IMAGE-STREAM-INF:" in f.read(),
            "the show's own master lists thumbnail playlists (which the stitched one leaves out)")
variants = [line for line in master.splitlines() if line and not line.startswith("#")]
variants += re.findall(r'URI="([^"]+)"', master)
c.check(len(variants) >= 4 and all(v.startswith("v1/") for v in variants) and
        any("subtitles/" in v for v in variants) and any("hls/audio/" in v for v in variants),
        f"its URIs name the stitched media playlists, audio and subtitles too ({variants})")
ads_total = {k: sum(DUR[a] for a in plan[k]) for k in plan}


def rates(show_id):
    """{variant path: (BANDWIDTH, AVERAGE-BANDWIDTH)} of a show's own master."""
    with open(os.path.join(lib, show_id, "current", "master.m3u8")) as f:
        lines = f.read().splitlines()
    return {lines[i + 1]: (int(re.search(r"[:,]BANDWIDTH=(\d+)", line).group(1)),
                           int(re.search(r"AVERAGE-BANDWIDTH=(\d+)", line).group(1)))
            for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF:")}


own_rates, spliced = rates("main"), plan[1] + plan[2]
lines = master.splitlines()
for i, line in enumerate(lines):
    if not line.startswith("#EXT-X-STREAM-INF:"):
        continue
    rel = lines[i + 1][len("v1/"):]
    peak = max([own_rates[rel][0]] + [rates(a)[rel][0] for a in spliced])
    avg = ((own_rates[rel][1] * MAIN_SECONDS + sum(rates(a)[rel][1] * DUR[a] for a in spliced))
           / (MAIN_SECONDS + sum(DUR[a] for a in spliced)))
    got = (int(re.search(r"[:,]BANDWIDTH=(\d+)", line).group(1)),
           int(re.search(r"AVERAGE-BANDWIDTH=(\d+)", line).group(1)))
    c.check(got[0] == peak and abs(got[1] - avg) <= 1,
            f"{rel}: BANDWIDTH the max of show and ads ({peak}), AVERAGE-BANDWIDTH their "
            f"time-weighted mean ({avg:.0f}); got {got}")
for v in variants:
    resp, body = get(port, "/stitched/main/" + v)
    text = body.decode()
    items, target = parse_media(text)
    segs = [val for k, val in items if k == "seg"]
    rel = v[len("v1/"):]
    own = playlist_total(os.path.join(lib, "main", "v1", rel))
    total = sum(du for du, _ in segs)
    subs = rel.startswith("subtitles/")
    c.check(resp.status == 200 and "#EXT-X-ENDLIST" in text and "PROGRAM-DATE-TIME" not in text
            and "DATERANGE" not in text and text.count("#EXT-X-DISCONTINUITY\n") ==
            sum(len(plan[k]) for k in plan) + (1 if BREAKS[1][0] < own else 0),
            f"{v}: ENDLIST, no PDT/DATERANGE, a discontinuity before each ad and after the "
            f"mid-roll, none before the pre-roll")
    c.check(abs(total - (own + sum(ads_total.values()))) < 0.01,
            f"{v}: its durations add up to the show's {own:.3f} s plus the ads' "
            f"{sum(ads_total.values()):.3f} s (got {total:.3f})")
    c.check(target is not None and all(round(du) <= target for du, _ in segs),
            f"{v}: no segment longer than its TARGETDURATION {target}")
    # the runs between discontinuities: the pre-roll's ads, the show up to the break, the
    # mid-roll's ads, the rest of the show
    runs, cur = [], []
    for k, val in items:
        if k == "disc":
            runs.append(cur)
            cur = []
        else:
            cur.append(val)
    runs.append(cur)
    ad_runs = [runs[0]] + runs[2:2 + len(plan[2])]
    wanted = plan[1] + plan[2]
    c.check(len(runs) == len(wanted) + 2 and all(
        all(u == "/stitched/empty.vtt" if subs else u.startswith(f"/shows/{ad}/v1/{rel.rsplit('/', 1)[0]}/")
            for _, u in run_) for run_, ad in zip(ad_runs, wanted)) and
        all(u.startswith(f"/shows/main/v1/{rel.rsplit('/', 1)[0]}/") for _, u in runs[1] + runs[-1]),
        f"{v}: the ads {wanted} in their place, rung for rung, and the show around them")
    c.check(abs(sum(du for du, _ in runs[1]) - BREAKS[1][0]) < 0.05 or subs,
            f"{v}: the mid-roll is spliced at its break time {BREAKS[1][0]}")
    for _, u in segs[:3] + segs[-2:]:
        f, _ = get(port, u)
        c.equal(f.status, 200, f"{u} is served")
    gz, gzbody = get(port, "/stitched/main/" + v, {"Accept-Encoding": "gzip"})
    c.check(gz.getheader("Vary") == "Accept-Encoding" and (
        gz.getheader("Content-Encoding") == "gzip" or len(body) < 200),
        f"{v}: gzip for who asks, Vary: Accept-Encoding")
    nm, _ = get(port, "/stitched/main/" + v, {"If-None-Match": resp.getheader("ETag")})
    c.equal(nm.status, 304, f"{v}: If-None-Match gets a 304")
f, body = get(port, "/stitched/empty.vtt")
c.check(f.status == 200 and body.startswith(b"WEBVTT\nX-TIMESTAMP-MAP=") and
        f.getheader("Content-Type", "").startswith("text/vtt"), "the empty WebVTT segment")
for path in ("/stitched/main/v1/hls/hls-360p-600/iframes.m3u8", "/stitched/main/v9/hls/audio/"
             "index.m3u8", "/stitched/main/v1/hls/nope/index.m3u8", "/stitched/nope/master.m3u8",
             "/stitched/main/v1/show.json", "/stitched/main/v1/master.m3u8", "/stitched/main",
             "/stitched/main/v1/hls/audio/seg00000.ts"):
    resp, _ = get(port, path)
    c.equal(resp.status, 404, f"{path}: 404")
resp, body = get(eport, "/stitched/main/v1/hls/audio/index.m3u8")
c.check(resp.status == 200 and b"DISCONTINUITY" not in body,
        "no pool: the stitched playlist is the show's own segments")

# ---- ffmpeg and GStreamer play the stitched master end to end -------------------------------------
FPS = 30
expected = MAIN_SECONDS + sum(ads_total.values())
url = f"http://127.0.0.1:{port}/stitched/main/master.m3u8"
r = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url])
c.check(r.returncode == 0 and abs(float(r.stdout.strip() or 0) - expected) < 0.1,
        f"ffprobe: the stitched master lasts the show plus the ads, {expected:g} s "
        f"({r.stdout.strip()} {r.stderr.strip()[:200]})")
r = run(["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0:v:0", "-map", "0:a:0",
         "-f", "null", "-"], timeout=120)
# The null muxer notes the few samples by which an AAC track overlaps its video at each join;
# that is about timestamps, not decoding.
errors = [line for line in r.stderr.splitlines()
          if "non monotonically increasing dts to muxer" not in line]
c.check(r.returncode == 0 and not errors, f"ffmpeg decodes it all without error ({errors[:5]})")
r = run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "csv=p=0",
         f"http://127.0.0.1:{port}/stitched/main/v1/hls/hls-360p-600/index.m3u8"], timeout=120)
c.check(r.returncode == 0 and set(r.stdout.split()) == {str(round(expected * FPS))},
        f"ffprobe decodes every frame of show and ads: {round(expected * FPS)} "
        f"({r.stdout.strip()} {r.stderr.strip()[:200]})")
if shutil.which("gst-launch-1.0"):
    media = f"http://127.0.0.1:{port}/stitched/main/v1/hls/hls-360p-600/index.m3u8"
    r = run(["gst-launch-1.0", "-v", "souphttpsrc", f"location={media}", "!", "hlsdemux", "!",
             "tsdemux", "name=d", "d.", "!", "queue", "!", "h264parse", "!", "avdec_h264", "!",
             "fakesink", "sync=false", "silent=false"], timeout=120)
    frames = [float(m.group(1)) * 3600 + float(m.group(2)) * 60 + float(m.group(3))
              for m in re.finditer(r"chain .*? pts: (\d+):(\d+):([\d.]+)", r.stdout)]
    c.check(r.returncode == 0 and len(frames) == round(expected * FPS) and
            "ERROR" not in r.stdout + r.stderr,
            f"GStreamer (hlsdemux, avdec_h264) decodes every frame: {len(frames)} of "
            f"{round(expected * FPS)} ({r.stderr.strip()[:200]})")
    c.check(frames and abs(max(frames) - min(frames) - (expected - 1 / FPS)) < 0.1,
            f"GStreamer's timeline spans show and ads ({frames and max(frames) - min(frames)})")
    r = run(["gst-launch-1.0", "playbin", f"uri={url}", "video-sink=fakesink sync=false",
             "audio-sink=fakesink sync=false", "text-sink=fakesink sync=false"], timeout=120)
    c.check(r.returncode == 0 and "Got EOS" in r.stdout and "ERROR" not in r.stdout + r.stderr,
            f"GStreamer's playbin plays the stitched master to the end ({r.stderr[-300:]})")
else:
    c.check(False, "gst-launch-1.0 is missing (gstreamer1.0-tools, scripts/install-deps.sh)")

c.check(wait_until(lambda: metric(port, "ladder_ad_stitched_playlists_total") >=
                   stitched0 + 1 + 2 * len(variants)),
        "/metrics counts stitched playlists")
c.check(wait_until(lambda: metric(port, "ladder_ad_asset_lists_total") == lists0),
        "and asset lists only when asked for them")
asset_lists0 = metric(port, "ladder_ad_asset_lists_total")
for _ in range(3):
    get(port, "/ads/main/break-1.json")
c.check(wait_until(lambda: metric(port, "ladder_ad_asset_lists_total") == asset_lists0 + 3),
        "/metrics counts asset lists")

# ---- /play: who gets the stitched master ---------------------------------------------------------
STITCHED, OWN = "/stitched/main/master.m3u8", "/shows/main/master.m3u8"
for what, ua, query, want, rule in [
    ("ffmpeg", "Lavf/59.27.100", "", STITCHED, "media-tools"),
    ("GStreamer", "GStreamer souphttpsrc 1.22.0 libsoup/3.2.2", "", STITCHED, "media-tools"),
    ("VLC", "VLC/3.0.18 LibVLC/3.0.18", "", STITCHED, "media-tools"),
    ("iOS 14 Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_8 like Mac OS X) AppleWebKit/605.1.15"
     " (KHTML, like Gecko) Version/14.1.2 Mobile/15E148 Safari/604.1", "", STITCHED,
     "ios-before-15"),
    ("AVPlayer on iOS 13", "AppleCoreMedia/1.0.0.17E262 (iPad; U; CPU OS 13_4 like Mac OS X; "
     "en_us)", "", STITCHED, "ios-before-15"),
    ("iOS 17 Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
     " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "", OWN, "ios"),
    ("Android's MediaPlayer", "stagefright/1.2 (Linux;Android 5.0)", "", STITCHED,
     "android-native"),
    ("an Android app on HttpURLConnection", "Dalvik/2.1.0 (Linux; U; Android 11; Pixel 5 "
     "Build/RQ3A.210805.001.A1)", "", STITCHED, "android-native"),
    ("ExoPlayer 2", "MyApp/1.0 (Linux;Android 9) ExoPlayerLib/2.18.1", "", STITCHED,
     "android-native"),
    ("Media3", "MyApp/2.0 (Linux; Android 14) AndroidXMedia3/1.4.1", "", STITCHED,
     "android-native"),
    # a DASH rule: a TS show (and one with breaks) gets HLS under it, stitched
    ("a Tizen TV", "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like "
     "Gecko) 76.0.3809.146/6.0 TV Safari/537.36", "", STITCHED, "tizen-tv-dash"),
    ("an HbbTV 1.0 TV", "Opera/9.80 (Linux mips; U; HbbTV/1.1.1 (; Philips; ; ; ; ) CE-HTML/1.0 "
     "NETTV/3.2.1; en) Presto/2.6.33 Version/10.70", "", STITCHED, "smart-tvs"),
    ("desktop Chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/120.0.0.0 Safari/537.36", "", OWN, "default"),
    ("desktop Chrome asking for stitched", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0",
     "?ads=stitched", STITCHED, "default"),
    ("ffmpeg asking for interstitials", "Lavf/59.27.100", "?ads=interstitials", OWN,
     "media-tools"),
]:
    resp, _ = get(port, "/play/main" + query, {"User-Agent": ua})
    c.equal((resp.status, resp.getheader("Location"), resp.getheader("X-Ladder-Rule")),
            (302, want, rule), f"/play{query} for {what}")
resp, _ = get(port, "/play/plain", {"User-Agent": "Lavf/59.27.100"})
c.equal(resp.getheader("Location"), "/shows/plain/master.m3u8",
        "a show without breaks: its own master, even for a stitched device")
resp, _ = get(port, "/play/main?ads=ssai", {"User-Agent": "Lavf/59.27.100"})
c.equal(resp.status, 400, "an unknown ?ads is a 400")
ANDROID_2 = ("Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; Nexus S Build/GRK39F) "
             "AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1")
resp, body = get(port, "/play/main", {"User-Agent": ANDROID_2, "Accept": "application/json"})
doc = json.loads(body)
want_breaks = [{"id": f"break-{k}", "time": BREAKS[k - 1][0], "duration": BREAKS[k - 1][1],
                "ads": [{"show": a, "duration": DUR[a],
                         "mp4": f"/shows/{a}/v1/mp4/mp4-360p-500.mp4"} for a in plan[k]]}
               for k in plan]
c.check(doc.get("format") == "mp4" and doc.get("ads") == "mp4" and
        doc.get("breaks") == want_breaks,
        f"/play JSON on the MP4 path lists the breaks and each ad's MP4 for the device "
        f"({doc.get('breaks')} != {want_breaks})")
for b in doc.get("breaks", []):
    for a in b["ads"]:
        f, _ = get(port, a["mp4"], {"Range": "bytes=0-99"})
        c.equal(f.status, 206, f"{a['mp4']} is served")
resp, body = get(port, "/play/main", {"User-Agent": "Lavf/59.27.100",
                                      "Accept": "application/json"})
doc = json.loads(body)
c.check(doc.get("url") == STITCHED and doc.get("ads") == "stitched" and
        len(doc.get("breaks", [])) == 2, f"/play JSON for ffmpeg: stitched ({doc})")
resp, body = get(port, "/play/plain", {"Accept": "application/json"})
c.check(set(json.loads(body)) == {"format", "url", "rule"},
        "a show without breaks: the JSON of old, no ads or breaks")

# ---- an ad of another ladder is skipped for that show, with a log line ---------------------------
mixed, mport = start_origin(lib, "--ads", "ad1,ad2")
resp, doc = asset_list("othermain", "break-1", p=mport)
c.check(resp.status == 200 and doc == {"ASSETS": []},
        f"a show of another ladder gets no ad of the pool's ladder ({doc})")
resp, body = get(mport, "/stitched/othermain/v1/hls/hls-180p-250/index.m3u8")
c.check(resp.status == 200 and b"DISCONTINUITY" not in body, "nor in its stitched playlist")
for _ in range(3):
    get(mport, "/ads/othermain/break-1.json")
log = stderr_of(mixed)
c.check(re.search(r"ad 'ad[12]' \(v1\) is skipped for show 'othermain': its HLS rungs", log) and
        log.count("is skipped") <= 2, f"the origin says why, once per ad ({log!r})")
c.equal(stop(mixed), 0, "the mixed-ladder server exits 0")

# ---- a re-ingested ad: seen within a second, by the asset list and the stitched playlists -------
first = plan[1][0]
resp, _ = get(port, "/stitched/main/v1/hls/audio/index.m3u8")
etag_before = resp.getheader("ETag")
ingest(first, int(DUR[first]))  # v2 of the same ad
c.check(wait_until(lambda: f"/shows/{first}/v2/master.m3u8" in
                   get(port, "/ads/main/break-1.json")[1].decode(), timeout=5),
        f"the asset list names {first}'s new version")
resp, body = get(port, "/stitched/main/v1/hls/audio/index.m3u8")
c.check(resp.getheader("ETag") != etag_before and f"/shows/{first}/v2/".encode() in body,
        "the stitched playlist too, with a new ETag")
f, _ = get(port, f"/shows/{first}/v1/hls/audio/seg00000.ts")
c.equal(f.status, 200, "while the old version's segments stay for viewers inside the ad")

c.equal(stop(origin), 0, "the server exits 0 on SIGTERM (under ASan: nothing leaked)")
c.equal(stop(empty), 0, "and the one without a pool")
cleanup(d)
c.done()
