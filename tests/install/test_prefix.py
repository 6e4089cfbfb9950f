"""test_prefix.py: `cmake --install` into a temporary prefix gives a `ladder` whose `serve`
finds the installed player page without --demo, from a folder outside the checkout: /demo/,
its files (hls.js included) and /watch/<id> answer 200 from the prefix's copy; --demo DIR
still wins; the prefix moved elsewhere still finds its own page; a `ladder` with no page
beside it serves as it always did without --demo (404)."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from install_test import install, page_assets, publish, serve  # noqa: E402
from ladder_test import Checks, cleanup, run, workdir  # noqa: E402
from origin_test import get, stop  # noqa: E402

MARK = "<!-- installed copy: test_prefix.py -->"
c = Checks("install.prefix")
work = workdir()
prefix = os.path.join(work, "prefix")
try:
    r = install(prefix)
    if not c.check(r.returncode == 0, f"cmake --install: {r.stdout[-500:]} {r.stderr[-500:]}"):
        c.done()
    data = os.path.join(prefix, "share", "ladder")
    for rel in ["bin/ladder", "share/ladder/profiles/pbs16.xml",
                "share/ladder/profiles/ladder-profile.xsd", "share/ladder/devices/devices.xml",
                "share/ladder/devices/devices.xsd", "share/ladder/player-demo/index.html",
                "share/ladder/player-demo/vendor/hls.min.js",
                "lib/systemd/system/ladder-serve.service",
                "lib/systemd/system/ladder-worker.service", "etc/default/ladder",
                "share/doc/ladder/copyright", "share/man/man1/ladder.1.gz"]:
        c.check(os.path.isfile(os.path.join(prefix, rel)), f"installed {rel}")
    c.check(not os.path.exists(os.path.join(data, "player-demo", "node_modules")),
            "node_modules is not installed")
    # Mark the installed index.html, so an answer from the checkout's copy shows.
    index_path = os.path.join(data, "player-demo", "index.html")
    with open(index_path) as f:
        index = f.read()
    with open(index_path, "w") as f:
        f.write(index.replace("</head>", MARK + "\n</head>", 1))
    assets = page_assets(index)
    c.check("vendor/hls.min.js" in assets and "app.js" in assets,
            f"index.html loads hls.js and app.js: {assets}")

    outside = os.path.join(work, "elsewhere")
    os.makedirs(outside)
    lib = publish(os.path.join(prefix, "bin", "ladder"), work, "show", "Installed show")

    def page_served(ladder_bin, what, *args):
        proc, port = serve(ladder_bin, lib, *args, cwd=outside)
        try:
            resp, body = get(port, "/demo/")
            c.check(resp.status == 200 and MARK.encode() in body,
                    f"{what}: /demo/ is the installed page: {resp.status} {body[:80]!r}")
            for a in assets:
                resp, _ = get(port, "/demo/" + a)
                c.equal(resp.status, 200, f"{what}: /demo/{a}")
            resp, body = get(port, "/watch/show")
            c.check(resp.status == 200 and b"Installed show" in body and MARK.encode() in body,
                    f"{what}: /watch/show is the page on the show: {resp.status}")
        finally:
            c.equal(stop(proc), 0, f"{what}: serve exits 0 on SIGTERM")

    page_served(os.path.join(prefix, "bin", "ladder"), "installed")

    # --demo DIR overrides the installed page.
    other = os.path.join(work, "other-page")
    os.makedirs(other)
    with open(os.path.join(other, "index.html"), "w") as f:
        f.write("<!doctype html><title>other</title><!--ladder:share--><!--/ladder:share-->"
                "other page\n")
    proc, port = serve(os.path.join(prefix, "bin", "ladder"), lib, "--demo", other, cwd=outside)
    try:
        resp, body = get(port, "/demo/")
        c.check(resp.status == 200 and b"other page" in body and MARK.encode() not in body,
                f"--demo DIR wins: {resp.status} {body[:80]!r}")
        c.equal(get(port, "/demo/vendor/hls.min.js")[0].status, 404,
                "--demo DIR: the installed files are not served")
    finally:
        stop(proc)

    # A prefix moved elsewhere finds its own page (looked up beside bin/, not compiled in).
    moved = os.path.join(work, "moved")
    os.rename(prefix, moved)
    page_served(os.path.join(moved, "bin", "ladder"), "moved prefix")

    # A ladder with no page beside it (and none at the built-in prefix): /demo/ is 404.
    r = run([os.path.join(moved, "bin", "ladder"), "serve", "-h"])
    c.check("player-demo" in r.stdout + r.stderr and "404" in r.stdout + r.stderr,
            "serve -h tells where the page is looked for")
    solo = os.path.join(work, "solo", "bin")
    os.makedirs(solo)
    shutil.copy(os.path.join(moved, "bin", "ladder"), solo)
    built_in = [ln for ln in (r.stdout + r.stderr).split() if ln.endswith("/player-demo);")]
    if built_in and os.path.isdir(built_in[0][:-2]):
        print(f"install.prefix: {built_in[0][:-2]} exists here; not checking the no-page case")
    else:
        proc, port = serve(os.path.join(solo, "ladder"), lib, cwd=outside)
        try:
            c.equal(get(port, "/demo/")[0].status, 404, "no page installed: /demo/ is 404")
            c.equal(get(port, "/watch/show")[0].status, 404, "no page installed: /watch/ is 404")
            c.equal(get(port, "/shows/show/master.m3u8")[0].status, 200,
                    "no page installed: the library is served")
        finally:
            stop(proc)
finally:
    cleanup(work)
c.done()
