"""test_links.py LINKS_TXT: the components that have nothing to do with media link nothing from
FFmpeg or x264 (docs/architecture.md), shown three ways from the build tree:

1. CMake's link interface: LINKS_TXT (tests/CMakeLists.txt, file(GENERATE)) holds each
   component's LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES. The closure of a clean component's
   LINK_LIBRARIES, what CMake puts on the link line of anything linking it, names neither
   PkgConfig::FFMPEG, PkgConfig::X264, nor a component that links them.
2. The objects: `nm -u` on each clean component's archive shows no undefined av*_, sws_, swr_ or
   x264_ symbol.
3. The program: links_origin, which links ladder_origin alone, has no FFmpeg or x264 library on
   its link line, among its NEEDED entries, or among what ldd resolves.

Each check is first run where it must find FFmpeg or x264 (the transcoder's closure, the media
and profiles archives), so a check that stopped seeing anything fails instead of passing."""
import os
import re
import shutil
import subprocess
import sys

CLEAN = ["ladder_core", "ladder_xml", "ladder_devices", "ladder_library", "ladder_queue",
         "ladder_origin"]
MEDIA_LINKS = {"PkgConfig::FFMPEG", "PkgConfig::X264", "ladder_media", "ladder_profiles",
               "ladder_transcoder", "ladder_packager", "ladder_validator"}
MEDIA_SYMBOL = re.compile(r"^(av|avio|avcodec|avformat|avfilter|avutil|sws|swr|swscale|"
                          r"swresample|x264)_\w*$")
MEDIA_LIBRARY = re.compile(r"(^|[/ ]|-l)(lib)?(avformat|avcodec|avutil|avfilter|avdevice|swscale|"
                           r"swresample|postproc|x264)\b")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def read_links(path):
    props = {}
    with open(path) as f:
        for line in f:
            target, prop, value = line.rstrip("\n").split("\t")
            props.setdefault(target, {})[prop] = value
    return props


def items(value):
    out = []
    for item in value.split(";"):
        m = re.fullmatch(r"\$<LINK_ONLY:(.*)>", item)
        out.append(m.group(1) if m else item)
    return [i for i in out if i]


def closure(props, target):
    seen, todo = [], [target]
    while todo:
        t = todo.pop(0)
        for dep in items(props.get(t, {}).get("LINK_LIBRARIES", "")):
            if dep not in seen:
                seen.append(dep)
                todo.append(dep)
    return seen


def undefined_media_symbols(archive):
    r = subprocess.run(["nm", "-u", "--no-sort", archive], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"nm -u {archive}: {r.stderr.strip()}")
        return None
    syms = {line.split()[-1] for line in r.stdout.splitlines() if line.strip().startswith("U ")}
    return sorted(s for s in syms if MEDIA_SYMBOL.match(s))


props = read_links(sys.argv[1])

# 1. The link interface.
for target, must in (("ladder_transcoder", {"PkgConfig::FFMPEG", "PkgConfig::X264"}),
                     ("ladder_packager", {"PkgConfig::FFMPEG", "PkgConfig::X264"})):
    if not must <= set(closure(props, target)):
        fail(f"self-check: {target}'s link closure {closure(props, target)} lacks {sorted(must)}")
for target in CLEAN + ["links_origin"]:
    deps = closure(props, target)
    bad = sorted(MEDIA_LINKS & set(deps))
    print(f"{target} links (closure): {' '.join(deps)}")
    if bad:
        fail(f"{target} links {bad}")
print(f"ladder_origin INTERFACE_LINK_LIBRARIES: {props['ladder_origin']['INTERFACE_LINK_LIBRARIES']}")

# 2. The objects.
for target, want in (("ladder_media", "av"), ("ladder_profiles", "x264")):
    syms = undefined_media_symbols(props[target]["FILE"])
    if syms is not None and not any(s.startswith(want + "_") for s in syms):
        fail(f"self-check: nm -u finds no {want}_ symbol in {props[target]['FILE']}")
for target in CLEAN:
    syms = undefined_media_symbols(props[target]["FILE"])
    if syms:
        fail(f"{os.path.basename(props[target]['FILE'])} needs {' '.join(syms[:10])}")
    elif syms is not None:
        print(f"nm -u {os.path.basename(props[target]['FILE'])}: no av*/sws_/swr_/x264_ symbol")

# 3. The program.
exe = props["links_origin"]["FILE"]
link_txt = props["links_origin"]["LINK_TXT"]
if os.path.exists(link_txt):  # the Makefile generators; Ninja keeps it in build.ninja
    with open(link_txt) as f:
        line = f.read().strip()
    print(f"links_origin link line: {line}")
    if not re.search(r"libladder_origin\.a", line):
        fail("self-check: the link line does not name libladder_origin.a")
    for word in line.split():
        if MEDIA_LIBRARY.search(word):
            fail(f"links_origin's link line has {word}")
r = subprocess.run(["readelf", "-d", exe], capture_output=True, text=True)
needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)
print(f"links_origin NEEDED: {' '.join(needed)}")
if r.returncode != 0 or not needed:
    fail(f"readelf -d {exe}: no NEEDED entries ({r.stderr.strip()})")
for lib in needed:
    if MEDIA_LIBRARY.search(lib):
        fail(f"links_origin needs {lib}")
if shutil.which("ldd"):
    r = subprocess.run(["ldd", exe], capture_output=True, text=True)
    resolved = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
    if r.returncode != 0 or not any("libmicrohttpd" in lib for lib in resolved):
        fail(f"self-check: ldd {exe} does not list libmicrohttpd: {r.stdout}{r.stderr}")
    for lib in resolved:
        if MEDIA_LIBRARY.search(lib):
            fail(f"links_origin loads {lib} (ldd)")
    print(f"links_origin ldd: {len(resolved)} libraries, none from FFmpeg or x264")

print(f"links: {len(failures)} problems")
sys.exit(1 if failures else 0)
