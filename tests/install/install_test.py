"""install_test.py: helpers for the tests of what `cmake --install` and `cpack` make of a
build (cmake/install.cmake): install the build ctest names (LADDER_BUILD) into a folder, serve
a library with an installed `ladder` from a folder outside the checkout, read unit files.
The rest comes from tests/cli/ladder_test.py and tests/origin/origin_test.py."""
import configparser
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "origin"))
import origin_test  # noqa: E402
from ladder_test import ROOT, make_clip, run  # noqa: E402

BUILD = os.environ.get("LADDER_BUILD", os.path.join(ROOT, "build"))
CMAKE = os.environ.get("CMAKE", "cmake")
CPACK = os.environ.get("CPACK", "cpack")
PROFILE = os.path.join(ROOT, "tests", "browser", "player-ladder.xml")
UNITS = os.path.join(ROOT, "packaging", "systemd")


def install(prefix):
    """cmake --install BUILD --prefix PREFIX; the CompletedProcess."""
    return run([CMAKE, "--install", BUILD, "--prefix", prefix])


def publish(ladder_bin, work, show_id="show", title="Installed"):
    """A 2 s clip ingested with ladder_bin into WORK/lib with the small player ladder; the
    library's path."""
    clip = make_clip("good", os.path.join(work, "clip.mp4"))
    lib = os.path.join(work, "lib")
    r = run([ladder_bin, "ingest", clip, "--id", show_id, "--title", title, "--library", lib,
             "--profile", PROFILE, "--quiet"], cwd=work)
    if r.returncode != 0:
        raise RuntimeError(f"ingest with {ladder_bin} failed: {r.stderr.strip()}")
    return lib


def serve(ladder_bin, library, *args, cwd):
    """origin_test.start_origin with ladder_bin, started in cwd: (process, port)."""
    old_bin, old_cwd = origin_test.LADDER, os.getcwd()
    origin_test.LADDER = ladder_bin
    os.chdir(cwd)
    try:
        return origin_test.start_origin(library, *args)
    finally:
        origin_test.LADDER = old_bin
        os.chdir(old_cwd)


def page_assets(index_html):
    """The files index.html loads from its own folder (src= and href= that are relative)."""
    out = []
    for url in re.findall(r'(?:src|href)="([^"]+)"', index_html):
        if url.startswith(("http:", "https:", "/", "#", "data:")) or url in ("./", "."):
            continue
        out.append(url[2:] if url.startswith("./") else url)
    return sorted(set(out))


def read_unit(path):
    """A systemd unit file as {section: {key: value}} (keys keep their case)."""
    p = configparser.ConfigParser(interpolation=None, strict=False)
    p.optionxform = str
    with open(path) as f:
        p.read_file(f)
    return {s: dict(p[s]) for s in p.sections()}


def seconds(value):
    """A systemd time span such as 60, 60s, 1min 30s, in seconds."""
    total = 0.0
    for num, unit in re.findall(r"([0-9.]+)\s*([a-z]*)", value):
        total += float(num) * {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}[unit]
    return total
