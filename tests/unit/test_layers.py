"""test_layers.py: dependencies between Ladder's components run one way, as docs/architecture.md
draws them: core; media and xml; profiles and devices; transcoder, packager and validator; library
and queue; publish; origin and cli.

Every #include "x.h" of a component's files must name its own headers or a public header of a
component allowed below it, and no file includes another component's internal header. Every
#include <x.h> must name a standard C or POSIX header (SYSTEM) or a header of a third-party
library the component may use (THIRD_PARTY, LIBRARIES): FFmpeg only in the media-facing
components, x264 only in the transcoder and the profiles, and so on. A header that is neither is
a failure, so a new library is added to these tables on purpose, not let through.

Before checking the tree the checker runs on a small synthetic tree with one known fault of each
kind (--selftest runs only that): a checker that stopped finding faults fails here too."""
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLIC = {"ladder.h": "core", "media.h": "media", "media_av.h": "media", "ladder_xml.h": "xml",
          "profiles.h": "profiles", "devices.h": "devices",
          "transcoder.h": "transcoder", "packager.h": "packager", "validator.h": "validator",
          "library.h": "library", "origin.h": "origin",
          "queue.h": "queue", "publish.h": "publish"}
ALLOWED = {
    "core": set(),
    "media": {"core"},
    "xml": {"core"},
    "profiles": {"core", "xml"},
    "devices": {"core", "xml"},
    "transcoder": {"core", "media", "profiles"},
    "packager": {"core", "media", "profiles"},
    "validator": {"core", "media", "profiles"},
    "library": {"core"},
    "queue": {"core"},
    "publish": {"core", "media", "profiles", "transcoder", "packager", "validator", "library",
                "queue"},
    "origin": {"core", "library", "devices"},
    "cli": {"core", "media", "profiles", "devices", "transcoder", "packager", "validator",
            "library", "origin", "queue", "publish"},
}
# Folders with C files that are not components: they may include anything.
NOT_COMPONENTS = {"tests", "fuzz", "bench"}

# Third-party libraries by the headers they install: a name ending in "/" is a folder prefix.
THIRD_PARTY = {
    "ffmpeg": ["libavformat/", "libavcodec/", "libavutil/", "libswscale/", "libswresample/",
               "libavfilter/", "libavdevice/", "libpostproc/"],
    "x264": ["x264.h", "x264_config.h"],
    "libxml2": ["libxml/"],
    "libmicrohttpd": ["microhttpd.h"],
    "zlib": ["zlib.h", "zconf.h"],
    "jansson": ["jansson.h", "jansson_config.h"],
    "hiredis": ["hiredis/", "hiredis.h"],
    "openssl": ["openssl/"],
    "cmocka": ["cmocka.h", "cmocka_pbc.h"],
}
# Which components may include each library's headers. cmocka: none (tests only).
LIBRARIES = {
    "ffmpeg": {"media", "transcoder", "packager", "validator"},
    "x264": {"transcoder", "profiles"},
    "libxml2": {"xml", "profiles", "devices", "validator"},
    "libmicrohttpd": {"origin"},
    "zlib": {"origin"},
    "jansson": {"transcoder", "packager", "library", "queue", "origin", "cli"},
    "hiredis": {"queue"},
    "openssl": {"packager"},
    "cmocka": set(),
}
# Standard C (C11) and POSIX/Linux system headers: allowed everywhere. Anything else that is not
# in THIRD_PARTY fails.
SYSTEM = set("""
assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h math.h
setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h
stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h
aio.h arpa/inet.h cpio.h dirent.h dlfcn.h fcntl.h fmtmsg.h fnmatch.h ftw.h glob.h grp.h iconv.h
langinfo.h libgen.h monetary.h mqueue.h ndbm.h net/if.h netdb.h netinet/in.h netinet/tcp.h
nl_types.h poll.h pthread.h pwd.h regex.h sched.h search.h semaphore.h spawn.h strings.h
syslog.h tar.h termios.h ulimit.h unistd.h utime.h utmpx.h wordexp.h
sys/epoll.h sys/eventfd.h sys/file.h sys/inotify.h sys/ioctl.h sys/ipc.h sys/mman.h sys/msg.h
sys/prctl.h sys/random.h sys/resource.h sys/select.h sys/sem.h sys/sendfile.h sys/shm.h
sys/signalfd.h sys/socket.h sys/stat.h sys/statvfs.h sys/sysinfo.h sys/time.h sys/timerfd.h
sys/times.h sys/types.h sys/uio.h sys/un.h sys/utsname.h sys/wait.h
""".split())

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def library_of(header):
    for lib, names in THIRD_PARTY.items():
        for name in names:
            if header == name or (name.endswith("/") and header.startswith(name)):
                return lib
    return None


def check(root, allowed_table):
    """Returns (failures, number of includes checked) for the components under root."""
    failures, checked = [], 0
    for entry in sorted(os.listdir(root)):
        folder = os.path.join(root, entry)
        if (entry in allowed_table or entry in NOT_COMPONENTS or not os.path.isdir(folder)
                or not os.path.exists(os.path.join(folder, "CMakeLists.txt"))):
            continue
        if any(f.endswith((".c", ".h")) for f in os.listdir(folder)):
            failures.append(f"{entry}/: a component the layer table does not know; add it to "
                            f"ALLOWED (and docs/architecture.md)")
    for comp, allowed in allowed_table.items():
        folder = os.path.join(root, comp)
        if not os.path.isdir(folder):
            continue  # a component of the table not in this tree (yet)
        own = {f for f in os.listdir(folder) if f.endswith(".h")}
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(folder, name)) as f:
                text = f.read()
            for kind, header in INCLUDE.findall(text):
                checked += 1
                where = f"{comp}/{name}: includes {kind}{header}{'>' if kind == '<' else kind}"
                if kind == "<":
                    lib = library_of(header)
                    if lib is None and header not in SYSTEM:
                        failures.append(f"{where}, neither a known system header nor a known "
                                        f"third-party library's (SYSTEM, THIRD_PARTY)")
                    elif lib is not None and comp not in LIBRARIES[lib]:
                        failures.append(f"{where} ({lib}); only "
                                        f"{sorted(LIBRARIES[lib]) or 'no component'} may")
                    continue
                if header in own:
                    continue
                owner = PUBLIC.get(header)
                if owner is None:
                    failures.append(f"{where}, which is not a public header")
                elif owner not in allowed:
                    failures.append(f"{where} ({owner}); {comp} may use "
                                    f"{sorted(allowed) or 'nothing'}")
    return failures, checked


def selftest():
    """Runs check on a synthetic tree: one good component and one file per kind of fault. Returns
    a list of what the checker got wrong."""
    files = {
        "core/ok.c": '#include <stdio.h>\n#include <sys/stat.h>\n#include "ladder.h"\n',
        "core/ladder.h": "",
        "core/av.c": "#include <libavutil/error.h>\n",             # FFmpeg in core
        "origin/x264.c": "#include <x264.h>\n",                    # x264 in the origin
        "origin/prof.c": '#include "profiles.h"\n',                # a component not below it
        "media/int.c": '#include "tc_internal.h"\n',               # another's internal header
        "queue/foo.c": "#include <foo/bar.h>\n",                   # an unknown system header
        "devices/test.c": "  #  include <cmocka.h>\n",             # cmocka in a component
        "newcomp/CMakeLists.txt": "", "newcomp/a.c": "",           # a component not in the table
    }
    expect = ["core/av.c", "origin/x264.c", "origin/prof.c", "media/int.c", "queue/foo.c",
              "devices/test.c", "newcomp/"]
    table = {"core": set(), "media": {"core"}, "origin": {"core"}, "queue": {"core"},
             "devices": {"core"}}
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in files.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(tmp, path), "w") as f:
                f.write(text)
        failures, checked = check(tmp, table)
    wrong = []
    for e in expect:
        if sum(f.startswith(e) for f in failures) != 1:
            wrong.append(f"expected one failure for {e}, got "
                         f"{[f for f in failures if f.startswith(e)]}")
    wrong += [f"unexpected failure: {f}" for f in failures if not f.startswith(tuple(expect))]
    if checked != 9:
        wrong.append(f"expected 9 includes checked, got {checked}")
    return wrong


wrong = selftest()
for w in wrong:
    print("SELFTEST FAIL", w)
print("layers selftest: " + ("BROKEN" if wrong else "ok, every planted fault found"))
if wrong or "--selftest" in sys.argv[1:]:
    sys.exit(1 if wrong else 0)
failures, checked = check(ROOT, ALLOWED)
for f in failures:
    print("FAIL", f)
print(f"layers: {checked} includes checked, {len(failures)} out of order")
sys.exit(1 if failures or checked == 0 else 0)
