"""test_leaks.py: `ladder serve` under valgrind. Every kind of answer (files whole, gzipped,
ranged, unsatisfiable, not modified, HEAD; /play (and as JSON), /watch, /shows, /metrics,
/healthz, /demo/; ads: asset lists, stitched playlists, beacons accepted and refused; 404, 405,
400, a malformed request), a show re-published while it runs, a SIGHUP (access log
reopened), a file cache smaller than the show, a client that hangs up mid-body, then SIGTERM:
the server exits cleanly with no memory error and nothing leaked."""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, valgrind, workdir  # noqa: E402
from origin_test import get, raw, raw_status, start_origin, stderr_of, stop  # noqa: E402

c = Checks("origin-leaks")
if not shutil.which("valgrind"):
    c.check(False, "valgrind is installed")
    c.done()
d = workdir()
lib = os.path.join(d, "lib")
os.makedirs(lib)
clip = make_clip("good", os.path.join(d, "clip.mp4"), "--size", "320x180", "--duration", "2")


def ingest(show_id="show", *extra):
    r = ladder("ingest", clip, "--id", show_id, "--library", lib, "--quiet", *extra)
    if r.returncode != 0:
        raise RuntimeError(f"ingest: {r.stderr.strip()}")


ingest("show", "--ad-breaks", "0/1,1/1")
ingest("ad")
VALGRIND = tuple(valgrind("--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                          "--error-exitcode=99", "-q"))
proc, port = start_origin(lib, "--file-cache", "16", "--threads", "2", "--access-log", os.path.join(d, "access.log"),
                          "--demo", os.path.join(ROOT, "player-demo"), "--shutdown-grace", "5",
                          "--ads", "ad", wrapper=VALGRIND)
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
ANDROID_23 = ("Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; GT-S5830 Build/GINGERBREAD) "
              "AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1")


def requests_round():
    """Each kind of answer once; returns the statuses seen, for the check below."""
    seen = []
    resp, master = get(port, "/shows/show/master.m3u8")
    seen.append(resp.status)
    media = next(line for line in master.decode().splitlines()
                 if line and not line.startswith("#"))
    playlist = "/shows/show/" + media
    resp, body = get(port, playlist)
    seg = playlist.rsplit("/", 1)[0] + "/" + next(
        line for line in body.decode().splitlines() if line and not line.startswith("#"))
    etag = resp.getheader("ETag")
    for path, headers, method in [
            (playlist, {"Accept-Encoding": "gzip"}, "GET"),
            (playlist, {"If-None-Match": etag}, "GET"),
            (playlist, {"Range": "bytes=0-6"}, "GET"),
            (seg, {}, "GET"), (seg, {}, "HEAD"), (seg, {"Range": "bytes=-100"}, "GET"),
            (seg, {"Range": "bytes=999999999-"}, "GET"),
            ("/shows/show/show.json", {}, "GET"), ("/shows/show/poster.jpg", {}, "GET"),
            ("/play/show", {"User-Agent": IPHONE}, "GET"),
            ("/play/show", {"User-Agent": ANDROID_23}, "GET"),
            ("/play/show?format=mp4", {}, "GET"), ("/play/nope", {}, "GET"),
            ("/play/show", {"Accept": "application/json"}, "GET"),
            ("/watch/show", {"Host": "tv.example"}, "GET"), ("/watch/show", {}, "HEAD"),
            ("/watch/nope", {}, "GET"),
            ("/shows", {}, "GET"), ("/shows", {"Accept-Encoding": "gzip"}, "GET"),
            ("/metrics", {}, "GET"), ("/healthz", {}, "GET"), ("/demo/", {}, "GET"),
            ("/shows/show/nope.ts", {}, "GET"), ("/shows/show/master.m3u8", {}, "OPTIONS"),
            ("/shows/show/master.m3u8", {}, "DELETE"),
            ("/ads/show/break-1.json", {}, "GET"), ("/ads/show/break-9.json", {}, "GET"),
            ("/stitched/show/master.m3u8", {}, "GET"),
            ("/stitched/show/" + media, {"Accept-Encoding": "gzip"}, "GET"),
            ("/stitched/show/" + media, {}, "HEAD"), ("/stitched/empty.vtt", {}, "GET"),
            ("/stitched/show/v9/hls/x/index.m3u8", {}, "GET"),
            ("/play/show", {"User-Agent": "Lavf/59.27.100", "Accept": "application/json"},
             "GET"), ("/ads/beacon", {}, "GET")]:
        seen.append(get(port, path, headers, method=method, timeout=60)[0].status)
    for body, ctype in [('{"show":"show","break":"break-2","ad":"ad","event":"end"}',
                         "application/json"), ('{"show":"show"}', "application/json"),
                        ("x" * 2000, "application/json"), ("{}", "text/plain")]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/ads/beacon", body=body, headers={"Content-Type": ctype})
        seen.append(conn.getresponse().status)
        conn.close()
    seen.append(raw_status(port, "/shows/%2e%2e/%2e%2e/etc/passwd")[0])
    version = os.path.join(lib, "show", os.readlink(os.path.join(lib, "show", "current")))
    for top, _, names in os.walk(version):  # more files than the cache holds: evictions
        for name in names:
            rel = os.path.relpath(os.path.join(top, name), os.path.join(lib, "show"))
            if get(port, "/shows/show/" + rel, timeout=60)[0].status != 200:
                seen.append("failed: " + rel)
    raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nBad header line\r\n\r\n", timeout=30)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:  # hangs up mid-body
        s.sendall(f"GET {seg} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.recv(100)
    return seen


first = requests_round()
c.check(200 in first and 206 in first and 304 in first and 302 in first and 404 in first and
        405 in first and 416 in first and 204 in first and 400 in first and 415 in first,
        f"the first round got every kind of answer: {first}")
os.rename(os.path.join(d, "access.log"), os.path.join(d, "access.log.1"))
proc.send_signal(signal.SIGHUP)  # log rotation: the access log is opened again
ingest("show", "--ad-breaks", "0/1,1/1")  # a new version while serving: the cache drops the old files, new ones are opened
second = requests_round()
c.equal(second, first, "the same answers after re-publishing")
proc.send_signal(signal.SIGTERM)
try:
    status = proc.wait(timeout=300)
except subprocess.TimeoutExpired:
    status = None
report = [line for line in stderr_of(proc).splitlines() if line.startswith("==")]
stop(proc)
c.equal(status, 0, "ladder serve under valgrind exits 0 after SIGTERM (99: valgrind found errors)")
c.check(not report, "valgrind reports nothing: " + "\n".join(report[:40]))
cleanup(d)
c.done()
