"""test_http.py: `ladder serve` over real HTTP on 127.0.0.1, one section per behaviour of
docs/origin.md: files and symlinks, publishing while running, content types, caching headers,
validators and 304, HEAD, Range, gzip, CORS, errors, path traversal in every spelling, limits
(header size, connections, idle timeout, slowloris), malformed requests, zero-copy and the file
cache, the access log, --threads, /metrics, and graceful shutdown on SIGTERM."""
import concurrent.futures
import email.utils
import gzip
import os
import random
import re
import shutil
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, cleanup, ladder, make_clip, workdir  # noqa: E402
from origin_test import (get, raw, raw_status, start_origin, stderr_of, stop,  # noqa: E402
                         wait_until)

RUNG = "hls-234p-145"  # the one HLS video rung of a 320x180 source
c = Checks("origin-http")
d = workdir()
lib = os.path.join(d, "lib")


def ingest(show_id, seconds="8"):
    clip = make_clip("good", os.path.join(d, f"{show_id}-{seconds}.mp4"), "--size", "320x180",
                     "--duration", seconds)
    r = ladder("ingest", clip, "--id", show_id, "--library", lib, "--quiet")
    if r.returncode != 0:
        raise RuntimeError(f"ingest {show_id}: {r.stderr.strip()}")


def read(*parts):
    with open(os.path.join(lib, *parts), "rb") as f:
        return f.read()


def write(data, *parts):
    path = os.path.join(lib, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


ingest("show")
V1 = "/shows/show/v1"
SEG = f"{V1}/hls/{RUNG}/seg00000.ts"
PLAYLIST = f"{V1}/hls/{RUNG}/index.m3u8"
MP4 = f"{V1}/mp4/mp4-180p-250.mp4"
seg_bytes = read("show", "v1", "hls", RUNG, "seg00000.ts")
mp4_bytes = read("show", "v1", "mp4", "mp4-180p-250.mp4")
playlist_bytes = read("show", "v1", "hls", RUNG, "index.m3u8")
# Extra files for the types the packager does not make yet, and a large file for slow reads.
write(b"m4s" * 100, "show", "v1", "hls", RUNG, "seg00000.m4s")
write(b"init" * 100, "show", "v1", "hls", RUNG, "init.mp4")
write(b"m4a" * 100, "show", "v1", "extra", "audio.m4a")
vtt_bytes = b"WEBVTT\n" + b"".join(b"\n00:00:%02d.000 --> 00:00:%02d.500\nA line of caption text\n"
                                   % (i, i) for i in range(40))
write(vtt_bytes, "show", "v1", "subtitles", "en.vtt")
write(b"\0" * 100, "show", "v1", "extra", "blob.bin")
big = os.urandom(1 << 20) * 24  # 24 MiB, for the slow download during shutdown
write(big, "show", "v1", "mp4", "big.mp4")
# Things that must never be served: hidden names, and symlinks out of the library.
write(b"hidden", "show", ".hidden")
secret_dir = os.path.join(d, "outside")
os.makedirs(secret_dir)
with open(os.path.join(secret_dir, "secret.txt"), "w") as f:
    f.write("SECRET-OUTSIDE-THE-LIBRARY\n")
os.symlink("/etc/passwd", os.path.join(lib, "show", "v1", "passwd.ts"))
os.symlink(os.path.join(secret_dir, "secret.txt"), os.path.join(lib, "show", "v1", "secret.m3u8"))
os.symlink(secret_dir, os.path.join(lib, "show", "v1", "outside"))
os.symlink("../../../outside/secret.txt", os.path.join(lib, "show", "v1", "relative.ts"))

access_log = os.path.join(d, "access.log")
origin, port = start_origin(lib, "--access-log", access_log, "--threads", "2")


def check_file_response(resp, body, want, what):
    c.check(resp.status == 200 and body == want, f"{what}: 200 with the file's bytes "
            f"(got {resp.status}, {len(body)} bytes, want {len(want)})")


# ---- files as published, through the library's symlinks -------------------------------------
resp, body = get(port, "/healthz")
c.check(resp.status == 200 and body.strip() == b"ok", f"/healthz: {resp.status} {body!r}")
resp, body = get(port, "/shows/show/master.m3u8")
check_file_response(resp, body, read("show", "v1", "entry.m3u8"),
                    "master.m3u8 -> current/entry.m3u8")
c.check(b"v1/hls/" in body, "the top master points into v1/")
for name in ("show.json", "poster.jpg"):
    resp, body = get(port, f"/shows/show/{name}")
    check_file_response(resp, body, read("show", "v1", name), f"{name} through current/")
resp, body = get(port, SEG)
check_file_response(resp, body, seg_bytes, "a segment")
resp, body = get(port, MP4)
check_file_response(resp, body, mp4_bytes, "an MP4")

# keep-alive: several requests on one connection, none closes it
import http.client  # noqa: E402
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
statuses = []
for path in (SEG, PLAYLIST, "/nope", SEG, "/healthz"):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    statuses.append((r.status, r.getheader("Connection")))
conn.close()
c.equal(statuses, [(200, None), (200, None), (404, None), (200, None), (200, None)],
        "five requests on one keep-alive connection")

# ---- content types ---------------------------------------------------------------------------
types = {
    PLAYLIST: "application/vnd.apple.mpegurl",
    SEG: "video/mp2t",
    f"{V1}/hls/{RUNG}/seg00000.m4s": "video/iso.segment",
    f"{V1}/hls/{RUNG}/init.mp4": "video/mp4",
    MP4: "video/mp4",
    f"{V1}/extra/audio.m4a": "audio/mp4",
    f"{V1}/subtitles/en.vtt": "text/vtt",
    f"{V1}/show.json": "application/json",
    f"{V1}/poster.jpg": "image/jpeg",
    f"{V1}/extra/blob.bin": "application/octet-stream",
}
for path, want in types.items():
    resp, _ = get(port, path)
    c.equal((resp.status, resp.getheader("Content-Type")), (200, want), f"Content-Type of {path}")

# ---- caching ---------------------------------------------------------------------------------
IMMUTABLE = "public, max-age=31536000, immutable"
policy = {
    SEG: IMMUTABLE,
    f"{V1}/hls/{RUNG}/init.mp4": IMMUTABLE,
    MP4: IMMUTABLE,
    f"{V1}/poster.jpg": IMMUTABLE,
    f"{V1}/show.json": IMMUTABLE,
    PLAYLIST: "public, max-age=86400",
    f"{V1}/hls/{RUNG}/iframes.m3u8": "public, max-age=86400",
    f"{V1}/master.m3u8": "public, max-age=86400",
    "/shows/show/master.m3u8": "public, max-age=60",
    "/shows/show/show.json": "public, max-age=60",
    "/shows/show/poster.jpg": "public, max-age=60",
}
for path, want in policy.items():
    resp, _ = get(port, path)
    c.equal(resp.getheader("Cache-Control"), want, f"Cache-Control of {path}")

# ---- validators, 304 and HEAD ----------------------------------------------------------------
resp, _ = get(port, SEG)
etag, last_modified = resp.getheader("ETag"), resp.getheader("Last-Modified")
c.check(etag and re.fullmatch(r'"[^"]+"', etag), f"a strong ETag on a segment: {etag!r}")
c.check(last_modified and email.utils.parsedate_to_datetime(last_modified),
        f"Last-Modified on a segment: {last_modified!r}")
for path in types:
    resp, _ = get(port, path)
    c.check(resp.getheader("ETag") and resp.getheader("Last-Modified") and
            resp.getheader("Accept-Ranges") == "bytes",
            f"ETag, Last-Modified and Accept-Ranges on {path}")
other = '"0-0-0"'
for headers, want, what in [
    ({"If-None-Match": etag}, 304, "If-None-Match with the ETag"),
    ({"If-None-Match": f'{other}, {etag}'}, 304, "If-None-Match with a list"),
    ({"If-None-Match": "*"}, 304, "If-None-Match: *"),
    ({"If-None-Match": "W/" + etag}, 304, "If-None-Match compares weakly"),
    ({"If-None-Match": other}, 200, "If-None-Match with another tag"),
    ({"If-Modified-Since": last_modified}, 304, "If-Modified-Since = Last-Modified"),
    ({"If-Modified-Since": "Sunday, 06-Nov-94 08:49:37 GMT"}, 200, "If-Modified-Since in 1994"),
    ({"If-Modified-Since": "Fri Dec 31 23:59:59 2100"}, 304, "If-Modified-Since (asctime)"),
    ({"If-Modified-Since": "Friday, 31-Dec-99 23:59:59 GMT"}, 200, "RFC 850 date, year 1999"),
    ({"If-Modified-Since": "not a date"}, 200, "a malformed If-Modified-Since is ignored"),
    ({"If-None-Match": other, "If-Modified-Since": last_modified}, 200,
     "If-None-Match takes precedence over If-Modified-Since"),
]:
    resp, body = get(port, SEG, headers)
    c.equal(resp.status, want, what)
    if want == 304:
        c.check(body == b"" and resp.getheader("ETag") == etag and
                resp.getheader("Cache-Control") == IMMUTABLE,
                f"{what}: a 304 has no body, and repeats ETag and Cache-Control")


def comparable(resp):
    return sorted((k.lower(), v) for k, v in resp.getheaders() if k.lower() != "date")


for path, headers in [(SEG, {}), (MP4, {}), ("/shows/show/master.m3u8", {}),
                      (PLAYLIST, {"Accept-Encoding": "gzip"}), ("/healthz", {}),
                      ("/nope", {})]:
    g, gbody = get(port, path, headers)
    h, hbody = get(port, path, headers, method="HEAD")
    c.check(comparable(g) == comparable(h) and hbody == b"" and
            int(h.getheader("Content-Length")) == len(gbody),
            f"HEAD {path} {headers}: GET's headers, Content-Length of GET's body, no body: "
            f"{comparable(g)} vs {comparable(h)}")

# ---- Range -----------------------------------------------------------------------------------
n = len(mp4_bytes)
for rng, want_status, want_body, want_cr in [
    ("bytes=0-99", 206, mp4_bytes[:100], f"bytes 0-99/{n}"),
    ("bytes=1000-1999", 206, mp4_bytes[1000:2000], f"bytes 1000-1999/{n}"),
    ("bytes=-500", 206, mp4_bytes[-500:], f"bytes {n - 500}-{n - 1}/{n}"),
    (f"bytes={n - 10}-", 206, mp4_bytes[-10:], f"bytes {n - 10}-{n - 1}/{n}"),
    (f"bytes=100-{n + 5000}", 206, mp4_bytes[100:], f"bytes 100-{n - 1}/{n}"),
    (f"bytes=-{n + 5000}", 206, mp4_bytes, f"bytes 0-{n - 1}/{n}"),
    (f"bytes={n}-", 416, None, f"bytes */{n}"),
    (f"bytes={n + 100}-{n + 200}", 416, None, f"bytes */{n}"),
    ("bytes=-0", 416, None, f"bytes */{n}"),
    ("bytes=0-9,20-29", 200, mp4_bytes, None),
    ("bytes=abc", 200, mp4_bytes, None),
    ("bytes=9-3", 200, mp4_bytes, None),
    ("items=0-9", 200, mp4_bytes, None),
]:
    resp, body = get(port, MP4, {"Range": rng})
    ok = resp.status == want_status and resp.getheader("Content-Range") == want_cr
    if want_body is not None:
        ok = ok and body == want_body and int(resp.getheader("Content-Length")) == len(body)
    c.check(ok and resp.getheader("Accept-Ranges") == "bytes",
            f"Range {rng}: got {resp.status} {resp.getheader('Content-Range')} {len(body)} bytes")
resp, body = get(port, MP4, {"Range": "bytes=0-9", "If-Range": get(port, MP4)[0].getheader("ETag")})
c.check(resp.status == 206 and body == mp4_bytes[:10], "If-Range with the current ETag: 206")
resp, body = get(port, MP4, {"Range": "bytes=0-9", "If-Range": '"old"'})
c.check(resp.status == 200 and body == mp4_bytes, "If-Range with another ETag: the whole file")
resp, body = get(port, MP4, {"Range": "bytes=0-9", "If-Range": last_modified})
c.check(resp.status == 200, "If-Range with a date: the whole file (strong ETags only)")
resp, body = get(port, PLAYLIST, {"Range": "bytes=0-6", "Accept-Encoding": "gzip"})
c.check(resp.status == 206 and body == playlist_bytes[:7] and
        resp.getheader("Content-Encoding") is None,
        f"Range on a playlist: identity bytes even to a gzip client ({resp.status} {body!r})")
resp, body = get(port, MP4, {"Range": "bytes=0-9"}, method="HEAD")
c.check(resp.status == 200 and int(resp.getheader("Content-Length")) == n,
        "HEAD ignores Range (RFC 9110 14.2: range handling is defined for GET only)")

# ---- compression -----------------------------------------------------------------------------
resp, body = get(port, PLAYLIST, {"Accept-Encoding": "gzip"})
gz_etag = resp.getheader("ETag")
c.check(resp.getheader("Content-Encoding") == "gzip" and gzip.decompress(body) == playlist_bytes
        and len(body) < len(playlist_bytes),
        "a playlist is gzip-compressed for a client that accepts gzip")
c.equal(resp.getheader("Vary"), "Accept-Encoding", "Vary on the gzip playlist")
resp2, body2 = get(port, PLAYLIST, {"Accept-Encoding": "gzip"})
c.check(body2 == body and resp2.getheader("ETag") == gz_etag,
        "the compressed playlist is the same bytes and ETag the second time")
resp, body = get(port, PLAYLIST)
c.check(resp.getheader("Content-Encoding") is None and body == playlist_bytes and
        resp.getheader("Vary") == "Accept-Encoding" and resp.getheader("ETag") != gz_etag,
        "identity playlist: no Content-Encoding, Vary too, a different ETag")
resp, _ = get(port, PLAYLIST, {"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
c.equal(resp.status, 304, "the gzip ETag revalidates the gzip representation")
for ae, want in [("gzip;q=0", None), ("gzip; q=0.000, deflate", None), ("*", "gzip"),
                 ("br, gzip;q=0.5", "gzip"), ("*;q=0", None), ("identity", None),
                 ("GZIP", "gzip"), ("x-gzip", "gzip"), ("gzipped", None),
                 ("*, gzip;q=0", None)]:
    resp, body = get(port, PLAYLIST, {"Accept-Encoding": ae})
    c.equal(resp.getheader("Content-Encoding"), want, f"Accept-Encoding: {ae}")
resp, body = get(port, f"{V1}/subtitles/en.vtt", {"Accept-Encoding": "gzip"})
c.check(resp.getheader("Content-Encoding") == "gzip" and gzip.decompress(body) == vtt_bytes
        and resp.getheader("Vary") == "Accept-Encoding",
        f"caption text is gzip-compressed too ({resp.getheader('Content-Encoding')})")
for path in (SEG, MP4):
    resp, body = get(port, path, {"Accept-Encoding": "gzip"})
    c.check(resp.getheader("Content-Encoding") is None and resp.getheader("Vary") is None,
            f"{path} is never compressed and does not vary")

# ---- CORS ------------------------------------------------------------------------------------
EXPOSE = {"content-length", "content-range", "etag", "accept-ranges"}
for path, headers, want in [(SEG, {}, 200), (SEG, {"Range": "bytes=0-1"}, 206),
                            (SEG, {"If-None-Match": etag}, 304), ("/nope", {}, 404),
                            (SEG, {"Range": "bytes=999999999-"}, 416), ("/healthz", {}, 200),
                            ("/metrics", {}, 200)]:
    resp, _ = get(port, path, headers)
    expose = {h.strip().lower() for h in (resp.getheader("Access-Control-Expose-Headers") or "")
              .split(",")}
    c.check(resp.status == want and resp.getheader("Access-Control-Allow-Origin") == "*" and
            EXPOSE <= expose, f"CORS headers on a {want} for {path}")
resp, _ = get(port, SEG, method="POST")
c.equal((resp.status, resp.getheader("Access-Control-Allow-Origin")), (405, "*"), "CORS on a 405")
resp, body = get(port, SEG, {"Origin": "https://player.example",
                             "Access-Control-Request-Method": "GET",
                             "Access-Control-Request-Headers": "range"}, method="OPTIONS")
methods = {m.strip() for m in (resp.getheader("Access-Control-Allow-Methods") or "").split(",")}
allow_headers = {h.strip().lower() for h in
                 (resp.getheader("Access-Control-Allow-Headers") or "").split(",")}
c.check(resp.status == 204 and body == b"" and {"GET", "HEAD", "OPTIONS"} <= methods and
        "range" in allow_headers and resp.getheader("Access-Control-Max-Age") and
        resp.getheader("Access-Control-Allow-Origin") == "*",
        f"OPTIONS preflight: {resp.status} {resp.getheaders()}")

# ---- errors ----------------------------------------------------------------------------------
for path in ("/", "/nope", "/shows/", "/shows/nope/master.m3u8", "/shows/show",
             "/shows/show/", "/shows/show/v1", "/shows/show/v1/", "/shows/show/v1/hls",
             "/shows/show/current", "/shows/show/.hidden", "/shows/.locks/show.lock",
             "/shows/.staging", "/shows/show/v1/mp4/", "/healthz/x", "/metricsx"):
    resp, body = get(port, path)
    c.check(resp.status == 404 and b"<" not in body,
            f"{path}: 404 and never a listing (got {resp.status})")
for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "get"):
    status, body = raw_status(port, SEG, method=method)
    reply = raw(port, f"{method} {SEG} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    c.check(status == 405 and b"\r\nAllow: GET, HEAD, OPTIONS\r\n" in reply,
            f"{method}: 405 with Allow (got {status})")
for target in ("nopath", "%zz", "/shows/show/%zz", "/shows/show/%4", "/a%20b%0d%0aX:%20y"):
    status, _ = raw_status(port, target)
    c.equal(status, 400, f"malformed target {target!r}")

# ---- path traversal, every spelling: never the file, always 404 (or 400) -----------------------
traversals = [
    "/shows/show/../../../../etc/passwd", "/shows/../../etc/passwd",
    "/shows/%2e%2e/%2e%2e/etc/passwd", "/shows/show/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/shows/show/..%2f..%2f..%2f..%2fetc/passwd", "/shows/show%2f..%2f..%2fetc%2fpasswd",
    "/shows/show/..%5c..%5c..%5cetc%5cpasswd", "/shows/show/..\\..\\..\\etc\\passwd",
    "/shows/%252e%252e/%252e%252e/etc/passwd", "/shows/show/%252e%252e%252f/etc/passwd",
    "/shows/show/master.m3u8%00.ts", "/shows/show/%00", "/shows/show/v1%00/passwd.ts",
    "//etc/passwd", "///etc/passwd", "/shows//etc/passwd", "/shows/show//etc/passwd",
    "/shows/%2fetc/passwd", "/shows/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/shows/./show/master.m3u8", "/shows/show/v1/.", "/shows/show/v1/..",
    "/shows/show/v1/passwd.ts", "/shows/show/v1/secret.m3u8", "/shows/show/v1/outside/secret.txt",
    "/shows/show/v1/relative.ts", "http://127.0.0.1/etc/passwd", "*", "/shows/show/v1/hls/../../v1/passwd.ts",
]
for target in traversals:
    status, body = raw_status(port, target)
    c.check(status in (400, 404) and b"root:" not in body and b"SECRET" not in body,
            f"traversal {target!r}: 404/400, never the file (got {status}, {body[:40]!r})")
resp, body = get(port, "/shows/show/v1/hls/%2e%2e/%2e%2e/master.m3u8")
c.equal(resp.status, 404, "encoded dot segments are not resolved, even inside the library")

# ---- publishing while the server runs ---------------------------------------------------------
resp, _ = get(port, "/shows/late/master.m3u8")
c.equal(resp.status, 404, "a show not yet published is 404")
ingest("late")
resp, body = get(port, "/shows/late/master.m3u8")
check_file_response(resp, body, read("late", "v1", "entry.m3u8"),
                    "a show published while the server runs appears without a restart")
old_master, old_etag = get(port, "/shows/show/master.m3u8")[1], \
    get(port, "/shows/show/master.m3u8")[0].getheader("ETag")
ingest("show", seconds="10")  # re-ingest: v2 becomes current
resp, body = get(port, "/shows/show/master.m3u8")
check_file_response(resp, body, read("show", "v2", "entry.m3u8"),
                    "after a re-ingest the top master.m3u8 is the new version's at once")
c.check(b"v2/hls/" in body and resp.getheader("ETag") != old_etag,
        "the new master points into v2/ and has a new ETag")
resp, _ = get(port, "/shows/show/master.m3u8", {"If-None-Match": old_etag})
c.equal(resp.status, 200, "the old master's ETag no longer revalidates")
resp, body = get(port, SEG)
check_file_response(resp, body, seg_bytes, "a client on v1 keeps getting v1's segments")
resp, body = get(port, "/shows/show/show.json")
check_file_response(resp, body, read("show", "v2", "show.json"), "show.json follows current")

# ---- zero-copy and the file cache --------------------------------------------------------------
def library_fds(pid):
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(os.path.realpath(lib)):
            out.append(target)
    return out


for _ in range(20):
    get(port, SEG)
seg_real = os.path.realpath(os.path.join(lib, "show", "v1", "hls", RUNG, "seg00000.ts"))
c.equal(library_fds(origin.pid).count(seg_real), 1,
        "20 requests for a segment share one open file (the cache reuses it)")
# Version folders never change once published, so the origin re-checks their files at most
# once a second; a pruned version's files go 404 within that second. Top-level names are
# checked on every request (the re-ingest tests above).
gone = write(b"short-lived", "show", "v1", "extra", "gone.json")
get(port, f"{V1}/extra/gone.json")
os.unlink(gone)
t0 = time.monotonic()
c.check(wait_until(lambda: get(port, f"{V1}/extra/gone.json")[0].status == 404, timeout=3),
        "a file deleted from a version folder is 404 within a second or so")
c.check(time.monotonic() - t0 < 2.0, f"... within {time.monotonic() - t0:.2f} s")
c.check(not any(t.endswith("gone.json (deleted)") for t in library_fds(origin.pid)),
        "and its cached descriptor is closed")

# ---- /metrics ------------------------------------------------------------------------------------


def metrics_of(p):
    _, body = get(p, "/metrics")
    values = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def metrics():
    return metrics_of(port)


before = metrics()
get(port, SEG)
get(port, SEG)
get(port, PLAYLIST)
get(port, MP4, {"Range": "bytes=0-99"})
get(port, "/shows/show/v1/hls/nope.ts")
# Requests are counted when they complete, just after their last byte leaves, each by the thread
# that served it and so in any order: wait until every one of them is counted.
after = {}


def moved(name):
    return after.get(name, 0) - before.get(name, 0)


expected = {'ladder_http_requests_total{status="200",kind="segment"}': 2,
            'ladder_http_requests_total{status="200",kind="playlist"}': 1,
            'ladder_http_requests_total{status="206",kind="mp4"}': 1,
            'ladder_http_requests_total{status="404",kind="segment"}': 1}
wait_until(lambda: after.update(metrics()) or all(moved(k) >= n for k, n in expected.items()))
c.equal(moved('ladder_http_requests_total{status="200",kind="segment"}'), 2, "segment 200s")
c.equal(moved('ladder_http_requests_total{status="200",kind="playlist"}'), 1, "playlist 200s")
c.equal(moved('ladder_http_requests_total{status="206",kind="mp4"}'), 1, "mp4 206s")
c.equal(moved('ladder_http_requests_total{status="404",kind="segment"}'), 1, "segment 404s")
c.check(moved('ladder_http_requests_total{status="200",kind="other"}') >= 1,
        "/metrics itself is counted as other")
c.check(moved('ladder_http_response_bytes_total{kind="segment"}') >= 2 * len(seg_bytes),
        "segment bytes are counted")
c.equal(moved('ladder_http_response_bytes_total{kind="mp4"}'), 100, "mp4 bytes are counted")
c.check(moved("ladder_http_request_duration_seconds_count") >= 6,
        "the latency histogram counts requests")
c.equal(after["ladder_http_request_duration_seconds_count"],
        after['ladder_http_request_duration_seconds_bucket{le="+Inf"}'], "+Inf bucket = count")
c.check(after["ladder_http_request_duration_seconds_sum"] > before.get(
    "ladder_http_request_duration_seconds_sum", 0), "the latency sum grows")
c.check(after["ladder_origin_open_files"] >= 1, "the open-files gauge")
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
c.check(wait_until(lambda: metrics()["ladder_http_open_connections"] >= 6),
        "the open-connections gauge counts held connections")
for s in held:
    s.close()
c.check(wait_until(lambda: metrics()["ladder_http_open_connections"] <= 2),
        "and drops when they close")

# ---- access log ----------------------------------------------------------------------------------
# A request is logged when it completes, just after its last byte is sent, by whichever thread
# served it: lines from different connections can land in any order. So each request here
# carries a tag of its own, and the test looks for its line rather than counting lines.
SEG_TAGGED, NOPE_TAGGED, BAD_TAGGED = SEG + "?log=1", "/nope?log=2", "/shows/show/%zz?log=3"
get(port, SEG_TAGGED, {"Referer": "https://player.example/p", "User-Agent": 'Test "quoted" agent'})
get(port, NOPE_TAGGED, method="HEAD")
raw_status(port, BAD_TAGGED)
COMBINED = re.compile(r'^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
                      r'"(\S+) (\S+) (HTTP/1\.[01])" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')


def logged(target):
    """The access-log lines whose request target is exactly `target`."""
    with open(access_log) as f:
        return [line for line in f.read().splitlines() if f" {target} HTTP/1." in line]


wait_until(lambda: all(logged(t) for t in (SEG_TAGGED, NOPE_TAGGED, BAD_TAGGED)))
time.sleep(0.2)  # a second line for any of them would be here by now
with open(access_log) as f:
    lines = f.read().splitlines()
new = [logged(t) for t in (SEG_TAGGED, NOPE_TAGGED, BAD_TAGGED)]
c.equal([len(found) for found in new], [1, 1, 1], "one access-log line per request")
c.equal([line for line in lines if not COMBINED.match(line)], [], "every line is in combined format")
parsed = [COMBINED.match(found[0]) if found else None for found in new]
if all(parsed):
    c.equal(parsed[0].groups()[2:], ("GET", SEG_TAGGED, "HTTP/1.1", "200", str(len(seg_bytes)),
                                     "https://player.example/p", "Test \\x22quoted\\x22 agent"),
            "method, target, version, status, bytes, referer, agent (quotes escaped)")
    c.equal(parsed[0].group(1), "127.0.0.1", "the client address")
    c.equal(parsed[1].groups()[2:7], ("HEAD", NOPE_TAGGED, "HTTP/1.1", "404", "0"), "a HEAD 404")
    c.equal(parsed[2].group(6), "400", "a malformed target is logged as 400")
c.check(all(line.count('"') == 6 for line in lines), "no line has stray quotes")

# Log rotation: the file is moved away, SIGHUP, and new lines go to a new file at the path while
# none is lost or split. A SIGHUP when the path cannot be opened keeps the old file.
rotated = access_log + ".1"
os.rename(access_log, rotated)
get(port, "/healthz?before-hup")
wait_until(lambda: "/healthz?before-hup " in open(rotated).read())
origin.send_signal(signal.SIGHUP)
c.check(wait_until(lambda: os.path.exists(access_log)), "SIGHUP makes a new access log at the path")
get(port, "/healthz?after-hup")
c.check(wait_until(lambda: "/healthz?after-hup " in open(access_log).read()),
        "after SIGHUP, requests are logged in the new file")
c.check("/healthz?after-hup " not in open(rotated).read(), "and no longer in the moved one")
os.rename(access_log, rotated)
os.mkdir(access_log)  # a folder where the log should be: reopening must fail
origin.send_signal(signal.SIGHUP)
c.check(wait_until(lambda: "cannot open access log" in stderr_of(origin)),
        "a SIGHUP that cannot reopen the log says so")
get(port, "/healthz?failed-hup")
c.check(wait_until(lambda: "/healthz?failed-hup " in open(rotated).read()),
        "and logging carries on into the old file")
c.check(origin.poll() is None, "the server still runs after SIGHUP")

# ---- never crash on malformed requests -----------------------------------------------------------
rng = random.Random(4)
garbage = [
    b"\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
    b"GET /healthz\r\n\r\n", b" / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n", b"\x00\x01\x02\x03" * 100,
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /healthz HTTP/1.1\nHost: x\n\n", b"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
    b"G" * 20000 + b" / HTTP/1.1\r\n\r\n", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nRange: bytes=" + b"9" * 400 + b"-\r\n\r\n",
    b"GET " + SEG.encode() + b" HTTP/1.1\r\nHost: x\r\nRange: bytes=-" + b"9" * 400 + b"\r\n\r\n",
    b"GET " + SEG.encode() + b" HTTP/1.1\r\nIf-None-Match: W/\r\nIf-Modified-Since: ,,\r\n\r\n",
    b"GET " + PLAYLIST.encode() + b" HTTP/1.1\r\nAccept-Encoding: ;q=,;;,q=1\r\n\r\n",
    b"GET /shows/show/master.m3u8 HTTP/1.1\r\nIf-Range: \"\r\nRange: bytes=0-0\r\n\r\n",
    b"GET /%%%%%%%% HTTP/1.1\r\n\r\n", b"GET /\xff\xfe\xfd HTTP/1.1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: \x00x\r\n\r\n",
]
garbage += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(150)]
garbage += [b"GET /shows/" + bytes(rng.choice(b"%./\\\x00aZ09?#") for _ in range(40)) +
            b" HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(150)]
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    replies = list(pool.map(lambda g: raw(port, g + b"\r\n\r\n", timeout=1, half_close=True),
                            garbage))
c.check(all(r == b"" or r.startswith(b"HTTP/1.1 ") for r in replies),
        "every malformed request gets an HTTP answer or a closed connection")
resp, body = get(port, "/healthz")
c.check(origin.poll() is None and resp.status == 200,
        f"after {len(garbage)} malformed requests the server is up and /healthz answers 200")
resp, body = get(port, SEG)
check_file_response(resp, body, seg_bytes, "and serves files")

# ---- limits: header size ---------------------------------------------------------------------------
reply = raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
c.check(reply == b"" or re.match(rb"HTTP/1\.1 4\d\d", reply),
        f"an oversized header gets a 4xx or a closed connection: {reply[:40]!r}")
reply = raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
            b"".join(b"X-H%d: v\r\n" % i for i in range(3000)) + b"\r\n")
c.check(reply == b"" or re.match(rb"HTTP/1\.1 4\d\d", reply),
        f"3000 headers get a 4xx or a closed connection: {reply[:40]!r}")
resp, _ = get(port, "/healthz", {"X-Fits": "a" * 2000})
c.equal(resp.status, 200, "a request with a 2 KB header is served, and the server is up")

# ---- zero-copy: the server sends files with sendfile(2) --------------------------------------------
if shutil.which("strace"):
    trace = os.path.join(d, "strace.txt")
    # LeakSanitizer checks at exit by ptracing the process's threads, which strace already
    # traces: under strace it can only abort, so this one server is not leak-checked.
    no_leak_check = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"}
    traced, tport = start_origin(lib, wrapper=("strace", "-f", "-e", "trace=sendfile,sendfile64",
                                               "-o", trace), env=no_leak_check)
    resp, body = get(tport, MP4)
    # strace does not pass SIGTERM on: stop the server under it, then strace ends.
    with open(f"/proc/{traced.pid}/task/{traced.pid}/children") as f:
        for child in f.read().split():
            os.kill(int(child), signal.SIGTERM)
    stop(traced)
    with open(trace) as f:
        calls = [line for line in f if "sendfile" in line and "= " in line]
    sent = sum(int(line.rsplit("=", 1)[1].split()[0]) for line in calls
               if line.rsplit("=", 1)[1].split()[0].isdigit())
    c.check(body == mp4_bytes and sent == len(mp4_bytes),
            f"an MP4 goes out through sendfile: {sent} of {len(mp4_bytes)} bytes")
else:
    c.check(False, "strace is installed (scripts/install-deps.sh), to see sendfile at work")

# ---- --threads ------------------------------------------------------------------------------------


def threads_of(proc):
    return len(os.listdir(f"/proc/{proc.pid}/task"))


one, _ = start_origin(lib, "--threads", "1")
four, _ = start_origin(lib, "--threads", "4")
default, _ = start_origin(lib)
t1, t4, tdef = threads_of(one), threads_of(four), threads_of(default)
for p in (one, four, default):
    stop(p)
c.equal(t4 - t1, 3, f"--threads 4 runs three more workers than --threads 1 ({t1}, {t4})")
c.equal(tdef - t1, os.cpu_count() - 1, f"the default is one worker per core ({tdef})")

# ---- configurable CORS origin ----------------------------------------------------------------------
cors, cport = start_origin(lib, "--cors-origin", "https://player.example", "--access-log", "-")
resp, _ = get(cport, "/nope")
c.equal(resp.getheader("Access-Control-Allow-Origin"), "https://player.example",
        "--cors-origin sets Access-Control-Allow-Origin (on a 404 too)")
c.check(wait_until(lambda: '"GET /nope HTTP/1.1" 404 ' in stderr_of(cors)),
        "--access-log - writes the access log to stderr")
stop(cors)

# ---- two origin nodes on copies of one library give the same validators -------------------------
# A CDN in front of several origins revalidates against whichever it reaches: a copy made with
# times kept (as rsync -a does) must give the same ETags, or every revalidation is a 200.
copy = os.path.join(d, "lib-copy")
shutil.copytree(lib, copy, symlinks=True)  # copy2: times to the nanosecond
node2, port2 = start_origin(copy)
for path, headers in [(SEG, {}), (PLAYLIST, {}), (PLAYLIST, {"Accept-Encoding": "gzip"}),
                      ("/shows/show/master.m3u8", {})]:
    r1, r2 = get(port, path, headers)[0], get(port2, path, headers)[0]
    c.check(r1.getheader("ETag") and r1.getheader("ETag") == r2.getheader("ETag") and
            r1.getheader("Last-Modified") == r2.getheader("Last-Modified"),
            f"{path} {headers}: the same ETag from both nodes ({r1.getheader('ETag')}, "
            f"{r2.getheader('ETag')})")
    r3 = get(port2, path, {**headers, "If-None-Match": r1.getheader("ETag")})[0]
    c.equal(r3.status, 304, f"{path} {headers}: node 2 answers 304 to node 1's ETag")
stop(node2)

# ---- the file cache is bounded -------------------------------------------------------------------
small, sport = start_origin(lib, "--file-cache", "16")
for i in range(40):
    write(b"%d" % i, "show", "v1", "extra", f"f{i}.json")
    get(sport, f"{V1}/extra/f{i}.json")
open_now = len(library_fds(small.pid))
c.check(0 < open_now <= 16, f"--file-cache 16: at most 16 library files open ({open_now})")
resp, body = get(sport, f"{V1}/extra/f0.json")
c.check(resp.status == 200 and body == b"0", "an evicted file is reopened when asked again")
stop(small)

# ---- limits: connections, idle timeout, slowloris -----------------------------------------------------
lim, lport = start_origin(lib, "--idle-timeout", "2", "--threads", "2")
# slowloris: 30 connections trickle a request head, one header line every 0.4 s
slow = [socket.create_connection(("127.0.0.1", lport)) for _ in range(30)]
for s in slow:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
stop_trickle = threading.Event()
cut = []


def trickle():
    i = 0
    while not stop_trickle.is_set() and len(cut) < len(slow):
        for s in slow:
            if s in cut:
                continue
            try:
                s.sendall(b"X-%d: y\r\n" % i)
            except OSError:
                cut.append(s)
        i += 1
        time.sleep(0.4)


trickler = threading.Thread(target=trickle)
trickler.start()
time.sleep(0.5)
t0 = time.monotonic()
resp, _ = get(lport, "/healthz", timeout=5)
elapsed = time.monotonic() - t0
c.check(resp.status == 200 and elapsed < 1,
        f"with 30 slowloris connections open, a normal request is answered in {elapsed:.3f} s")


def slow_closed(s):
    s.settimeout(0.05)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


t0 = time.monotonic()
c.check(wait_until(lambda: all(slow_closed(s) for s in slow), timeout=6),
        "the slowloris connections are cut once the 2 s deadline for a request head passes")
stop_trickle.set()
trickler.join()
for s in slow:
    s.close()
idle = socket.create_connection(("127.0.0.1", lport))
t0 = time.monotonic()
c.check(wait_until(lambda: slow_closed(idle), timeout=6) and time.monotonic() - t0 > 1.5,
        "an idle connection is closed after the idle timeout, not before")
idle.close()
c.equal(stop(lim), 0, "exit status 0 after SIGTERM")

# connection limit: 20 held connections; the next request is told 503, not left hanging
lim, lport = start_origin(lib, "--max-connections", "20")
held = [socket.create_connection(("127.0.0.1", lport)) for _ in range(20)]
time.sleep(0.3)  # all accepted (a /metrics request to check would itself be one too many)
try:
    resp, body = get(lport, "/healthz", timeout=5)
    over = (resp.status, resp.getheader("Retry-After"))
except OSError as e:
    over = ("closed", str(e))
c.equal(over, (503, "1"), "past --max-connections a request gets 503 with Retry-After")
for s in held:
    s.close()
c.check(wait_until(lambda: get(lport, "/healthz")[0].status == 200),
        "and 200 again once connections close")
stop(lim)

# ---- graceful shutdown: SIGTERM lets a slow download finish, refuses new connections -------------
c.equal(stop(origin), 0, "the main server exits 0 on SIGTERM")
grace, gport = start_origin(lib)
dl = socket.socket()
dl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
dl.connect(("127.0.0.1", gport))
dl.sendall(f"GET {V1}/mp4/big.mp4 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
received = bytearray(dl.recv(65536))
keep = socket.create_connection(("127.0.0.1", gport))
keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
keep.recv(4096)
grace.send_signal(signal.SIGTERM)
time.sleep(0.3)
try:
    socket.create_connection(("127.0.0.1", gport), timeout=2).close()
    refused = False
except OSError:
    refused = True
c.check(refused, "after SIGTERM new connections are refused")
keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
reply = keep.recv(4096)
c.check(reply.startswith(b"HTTP/1.1 503") and b"Connection: close" in reply,
        f"a kept-alive connection asking /healthz while draining gets 503, Connection: close")
keep.close()
dl.settimeout(10)
while True:  # read slowly, about 8 MB/s: the download outlives the signal by seconds
    chunk = dl.recv(65536)
    if not chunk:
        break
    received += chunk
    time.sleep(0.008)
dl.close()
head, _, body = bytes(received).partition(b"\r\n\r\n")
c.check(head.startswith(b"HTTP/1.1 200") and body == big,
        f"a 24 MiB download in flight at SIGTERM completes ({len(body)} of {len(big)} bytes)")
c.equal(grace.wait(timeout=30), 0, "then the server exits 0")
c.check("SIGTERM" in stderr_of(grace), "and says it is finishing responses in flight")
stop(grace)

cleanup(d)
c.done()
