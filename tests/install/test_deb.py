"""test_deb.py: `cpack -G DEB` on the build gives a .deb that lintian passes (no error, no
warning but those packaging/debian/lintian-overrides explains), whose Depends name the Debian
12 packages of the libraries `ladder` links, with the files and conffiles an operator expects
and a stripped binary; unpacked anywhere (dpkg-deb -x), its ladder serves its own page."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from install_test import BUILD, CPACK, page_assets, publish, serve  # noqa: E402
from ladder_test import Checks, cleanup, run, workdir  # noqa: E402
from origin_test import get, stop  # noqa: E402

DEPENDS = ["libavformat59", "libavcodec59", "libavutil57", "libswscale6", "libswresample4",
           "libavfilter8", "libx264-164", "libxml2", "libjansson4", "libssl3", "zlib1g",
           "libmicrohttpd12", "libhiredis0.14", "libc6"]
FILES = ["usr/bin/ladder", "usr/share/ladder/profiles/pbs16.xml",
         "usr/share/ladder/profiles/ladder-profile.xsd", "usr/share/ladder/devices/devices.xml",
         "usr/share/ladder/devices/devices.xsd", "usr/share/ladder/player-demo/index.html",
         "usr/share/ladder/player-demo/vendor/hls.min.js", "usr/share/doc/ladder/copyright",
         "usr/share/doc/ladder/changelog.Debian.gz", "usr/share/man/man1/ladder.1.gz",
         "usr/share/lintian/overrides/ladder", "lib/systemd/system/ladder-serve.service",
         "lib/systemd/system/ladder-worker.service", "etc/default/ladder",
         "etc/logrotate.d/ladder"]
CONFFILES = ["/etc/default/ladder", "/etc/logrotate.d/ladder"]

c = Checks("install.deb")
work = workdir()
try:
    out = os.path.join(work, "cpack")
    r = run([CPACK, "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-G", "DEB",
             "-B", out], cwd=work)
    debs = glob.glob(os.path.join(out, "ladder_*.deb"))
    if not c.check(r.returncode == 0 and len(debs) == 1,
                   f"cpack -G DEB: rc {r.returncode} {debs} {r.stdout[-400:]} {r.stderr[-400:]}"):
        c.done()
    deb = debs[0]

    # Overridden tags still count for --fail-on when shown, so: one run to judge, one to show.
    r = run(["lintian", "--allow-root", "--fail-on", "error,warning", "--display-info", deb],
            cwd=work)
    bad = [ln for ln in r.stdout.splitlines() if ln.startswith(("E:", "W:"))]
    c.check(r.returncode == 0 and not bad,
            f"lintian: no error or warning: exit {r.returncode} {bad} {r.stderr.strip()}")
    r = run(["lintian", "--allow-root", "--display-info", "--show-overrides", deb], cwd=work)
    print(f"install.deb: lintian --display-info --show-overrides {os.path.basename(deb)}:\n"
          f"{r.stdout}", end="", flush=True)
    c.check("O: ladder: initial-upload-closes-no-bugs" in r.stdout,
            "lintian reads the package's overrides")

    fields = {}
    for f in ("Package", "Version", "Architecture", "Depends", "Section", "Maintainer"):
        fields[f] = run(["dpkg-deb", "-f", deb, f]).stdout.strip()
    c.equal(fields["Package"], "ladder", "Package")
    c.check(fields["Version"].endswith("-1"), f"Version has a Debian revision: {fields['Version']}")
    c.equal(fields["Section"], "video", "Section")
    depends = {d.strip().split(" ")[0] for d in fields["Depends"].split(",") if d.strip()}
    for d in DEPENDS:
        c.check(d in depends, f"Depends names {d}: {fields['Depends']}")

    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {ln.split()[-1].lstrip("./") for ln in listing.splitlines() if ln.strip()}
    for f in FILES:
        c.check(f in paths, f"the .deb has {f}")
    c.check(not any("usr/local" in p or "node_modules" in p for p in paths),
            "nothing under usr/local, no node_modules")
    control = os.path.join(work, "control")
    r = run(["dpkg-deb", "-e", deb, control])
    with open(os.path.join(control, "conffiles")) as f:
        c.equal(sorted(f.read().split()), CONFFILES, "conffiles")
    for script in ("postinst", "postrm"):
        r = run(["sh", "-n", os.path.join(control, script)])
        c.check(r.returncode == 0, f"{script} parses: {r.stderr}")

    root = os.path.join(work, "root")
    r = run(["dpkg-deb", "-x", deb, root])
    ladder = os.path.join(root, "usr", "bin", "ladder")
    r = run(["file", ladder])
    c.check(", stripped" in r.stdout, f"the binary is stripped: {r.stdout.strip()}")
    r = run([ladder, "-h"])
    c.check(r.returncode == 0 and "serve" in r.stdout + r.stderr, "unpacked ladder -h")

    # Unpacked outside /usr, the package's ladder serves its page from beside its bin/.
    outside = os.path.join(work, "elsewhere")
    os.makedirs(outside)
    lib = publish(ladder, work, "pkg", "Packaged show")
    with open(os.path.join(root, "usr", "share", "ladder", "player-demo", "index.html")) as f:
        index = f.read()
    proc, port = serve(ladder, lib, cwd=outside)
    try:
        resp, body = get(port, "/demo/")
        c.check(resp.status == 200 and body == index.encode(), f"/demo/: {resp.status}")
        for a in page_assets(index):
            c.equal(get(port, "/demo/" + a)[0].status, 200, f"/demo/{a}")
        resp, body = get(port, "/watch/pkg")
        c.check(resp.status == 200 and b"Packaged show" in body, f"/watch/pkg: {resp.status}")
    finally:
        c.equal(stop(proc), 0, "serve exits 0 on SIGTERM")
finally:
    cleanup(work)
c.done()
