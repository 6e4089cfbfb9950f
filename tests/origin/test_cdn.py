"""test_cdn.py: a real caching proxy (Debian's nginx with proxy_cache) in front of `ladder
serve`, as a CDN would be. Through it:
- repeated segment requests are cache hits and reach the origin once (origin access log);
- an expired cached object is revalidated with a conditional request that the origin answers
  304 (nginx reports REVALIDATED);
- Range requests through the cache return the right bytes, on a miss and on a hit;
- two devices' /play redirects differ and are never cached, while the segment both then fetch
  is stored once and reaches the origin once."""
import http.client
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import Checks, cleanup, ingest_clip, show_version, workdir  # noqa: E402
from origin_test import free_port, get, start_origin, stop, wait_until  # noqa: E402

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
ANDROID_2 = ("Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; Nexus S Build/GRK39F) "
             "AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1")

NGINX_CONF = """
{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log {d}/cdn-access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    proxy_cache_path {d}/cache keys_zone=edge:10m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{origin};
            proxy_http_version 1.1;
            proxy_cache edge;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
        # Playlists here are kept for 1 s whatever the origin says, so the test can watch a
        # revalidation without waiting out the origin's lifetime.
        location ~ \\.m3u8$ {{
            proxy_pass http://127.0.0.1:{origin};
            proxy_http_version 1.1;
            proxy_cache edge;
            proxy_cache_revalidate on;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 1s;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def origin_lines(log, path, at_least=0):
    """The origin's access-log lines for GET path. A request is logged just after its last
    byte leaves, which can be after the CDN has answered: wait for at_least of them, then a
    little longer for any extra one (a request that should not have reached the origin)."""
    def lines():
        with open(log) as f:
            return [line for line in f if f'"GET {path} ' in line]
    wait_until(lambda: len(lines()) >= at_least, timeout=5)
    time.sleep(0.2)
    return lines()


def origin_hits(log, path, at_least=0):
    return len(origin_lines(log, path, at_least))


def start_nginx(d, port, origin_port):
    """nginx in the foreground with everything under d. As root, its workers would run as
    nobody, who cannot enter d (mkdtemp makes it 0700): they run as root here instead."""
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(d=d, port=port, origin=origin_port,
                                  user="user root;" if os.geteuid() == 0 else ""))
    os.makedirs(os.path.join(d, "tmp"))
    proc = subprocess.Popen(["nginx", "-p", d, "-e", os.path.join(d, "nginx-error.log"),
                             "-c", os.path.join(d, "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up():
        try:
            return get(port, "/healthz")[0].status == 200
        except OSError:
            return False
    if not wait_until(up, timeout=10):
        proc.terminate()
        proc.wait()
        with open(os.path.join(d, "nginx-error.log")) as f:
            raise RuntimeError(f"nginx did not start: {f.read()[-2000:]}")
    return proc


c = Checks("cdn")
if not c.check(shutil.which("nginx"), "nginx is installed (scripts/install-deps.sh does it)"):
    c.done()
d = workdir()
inp, lib, r = ingest_clip(d, "show", size="640x360", duration="8")
if not c.equal(r.returncode, 0, f"ingest ({r.stderr.strip()})"):
    c.done()
version = os.path.basename(show_version(lib, "show"))
access_log = os.path.join(d, "origin-access.log")
origin, port = start_origin(lib, "--access-log", access_log)
cdn_port = free_port()
nginx = None
try:
    nginx = start_nginx(d, cdn_port, port)

    # 1. a segment: MISS, then HITs; the origin sees one request
    seg = f"/shows/show/{version}/hls/hls-360p-600/seg00000.ts"
    with open(os.path.join(lib, "show", version, "hls", "hls-360p-600", "seg00000.ts"),
              "rb") as f:
        seg_bytes = f.read()
    statuses = []
    for _ in range(3):
        resp, body = get(cdn_port, seg)
        statuses.append((resp.status, resp.getheader("X-Cache-Status"), body == seg_bytes))
    c.equal(statuses, [(200, "MISS", True), (200, "HIT", True), (200, "HIT", True)],
            "a segment is a miss once, then cache hits, with the right bytes")
    c.equal(origin_hits(access_log, seg, 1), 1, "the origin served that segment once")

    # 2. revalidation: the cached playlist expires after 1 s; nginx asks the origin with a
    # conditional request and the origin answers 304. nginx counts in whole seconds (stored at
    # second S, valid through S + 1), so only 2 s later is it surely stale.
    pl = f"/shows/show/{version}/hls/hls-360p-600/index.m3u8"
    first, _ = get(cdn_port, pl)
    time.sleep(2.2)
    again, body = get(cdn_port, pl)
    c.equal((first.getheader("X-Cache-Status"), again.getheader("X-Cache-Status")),
            ("MISS", "REVALIDATED"), "an expired playlist is revalidated")
    lines = origin_lines(access_log, pl, 2)
    c.check(len(lines) == 2 and '" 304 ' in lines[1],
            f"the origin answered the revalidation with 304: {lines}")
    c.check(body.startswith(b"#EXTM3U"), "the revalidated playlist is served from the cache")

    # 3. Range through the cache, on a miss and on a hit
    mp4 = f"/shows/show/{version}/mp4/mp4-360p-500.mp4"
    with open(os.path.join(lib, "show", version, "mp4", "mp4-360p-500.mp4"), "rb") as f:
        mp4_bytes = f.read()
    for attempt in ("miss", "hit"):
        resp, body = get(cdn_port, mp4, {"Range": "bytes=1000-1999"})
        c.check(resp.status == 206 and body == mp4_bytes[1000:2000] and
                resp.getheader("Content-Range") == f"bytes 1000-1999/{len(mp4_bytes)}",
                f"Range through the cache on a {attempt}: {resp.status} "
                f"{resp.getheader('Content-Range')} {resp.getheader('X-Cache-Status')}")
    resp, body = get(cdn_port, mp4, {"Range": "bytes=-500"})
    c.check(resp.status == 206 and body == mp4_bytes[-500:], "a suffix range through the cache")

    # 4. two devices: different /play redirects, never cached; one cached segment for both
    locations = []
    for ua in (IPHONE, ANDROID_2, IPHONE):
        resp, _ = get(cdn_port, "/play/show", {"User-Agent": ua})
        locations.append((resp.status, resp.getheader("Location") or "",
                          resp.getheader("X-Cache-Status")))
    c.check(all(x[0] == 302 for x in locations) and locations[0][1] != locations[1][1],
            f"an iPhone and an Android 2.3 phone are sent to different places: {locations}")
    c.check(all(x[2] != "HIT" for x in locations),
            f"the redirects are not served from the cache: {locations}")
    c.check(locations[0][1].endswith("/shows/show/master.m3u8") and
            locations[1][1].endswith(".mp4"),
            f"HLS for the iPhone, MP4 for Android 2.3: {locations}")
    seg2 = f"/shows/show/{version}/hls/hls-234p-145/seg00001.ts"
    for ua in (IPHONE, ANDROID_2):
        get(cdn_port, seg2, {"User-Agent": ua})
    c.equal(origin_hits(access_log, seg2, 1), 1, "a segment two devices fetch reaches the origin once")
    c.equal(origin_hits(access_log, "/play/show", 3), 3, "every /play request reaches the origin")

finally:
    if nginx:
        nginx.terminate()
        nginx.wait()
    stop(origin)
    cleanup(d)
c.done()
