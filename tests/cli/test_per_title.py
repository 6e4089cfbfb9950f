"""test_per_title.py CASE: `ladder ingest --per-title` (docs/per-title.md).

  ladders  an easy clip (still bars, a small moving window) and a hard one (scrolling, heavy
           noise) get different ladders; both publish and pass `ladder validate`; the easy one
           costs fewer bits than the hard one and than pbs16 on the same clip; each rung's
           targets in show.json are the ones the transcoder encoded; the same input twice gives
           the same ladder and the same media; a clip too short to sample falls back to the
           profile's bitrates with one line saying so
  profile  per-title bounds that contradict each other or the step rule are refused at check
           time, at their FILE:LINE, in one line
  queue    `ladder ingest --queue --per-title`: the coordinator chooses the ladder once and its
           worker loads it; with one chunk for the whole show the media are byte-identical to
           a local `--per-title` ingest's, and with several chunks the rungs' targets are
"""
import json
import os
import socket
import subprocess
import sys
import time

from ladder_test import (LADDER, ROOT, Checks, cleanup, ladder, make_clip, show_version, tree_hashes,
                         workdir)

CASE = sys.argv[1]
c = Checks(f"per_title.{CASE}")
d = workdir()
lib = os.path.join(d, "lib")
procs = []


def clip(kind, seconds=12):
    return make_clip(kind, os.path.join(d, f"{kind}-{seconds}.mp4"), "--size", "640x360",
                     "--duration", str(seconds))


def ingest(mezz, show_id, *extra):
    r = ladder("ingest", mezz, "--id", show_id, "--library", lib, *extra)
    c.equal(r.returncode, 0, f"{show_id} is published ({r.stderr.strip()[-300:]})")
    return r


def show(show_id):
    with open(os.path.join(show_version(lib, show_id), "show.json")) as f:
        return json.load(f)


def media(show_id):
    """Every published file but show.json (which records when it was written)."""
    return {k: v for k, v in tree_hashes(show_version(lib, show_id)).items() if k != "show.json"}


def frame_hashes(folder, rel):
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", os.path.join(folder, rel), "-map", "0",
                        "-c", "copy", "-f", "framemd5", "-"], capture_output=True, text=True)
    return [l for l in r.stdout.splitlines() if not l.startswith("#")] or r.stderr


def hls_video_kbps(doc):
    """The per-title ladder's HLS video kbit/s, for the rungs the source feeds."""
    return sum(r["kbps"] for r in doc["per_title"]["rungs"] if r["use"] == "hls" and "psnr_y" in r)


def bits(doc):
    """Every rendition's measured bits per second, summed: what the ladder costs."""
    return sum(r["avg_bps"] for r in doc["renditions"])


def check_targets(doc, what):
    """Each made rendition was encoded at the bitrate and box per-title chose for it."""
    chosen = {r["name"]: r for r in doc["per_title"]["rungs"]}
    for r in doc["renditions"]:
        p = chosen.get(r["name"], {})
        c.equal(r["target_kbps"], p.get("kbps"), f"{what} {r['name']}: the chosen bitrate")
        box = p.get("box", [0, 0])
        c.check(r["width"] <= box[0] and r["height"] <= box[1],
                f"{what} {r['name']}: {r['width']}x{r['height']} fits its chosen box {box}")


def case_ladders():
    easy, hard = clip("static"), clip("motion")
    ingest(easy, "easy", "--per-title", "--quiet")
    ingest(hard, "hard", "--per-title", "--quiet")
    ingest(easy, "easy-pbs16", "--quiet")
    e, h, p = show("easy"), show("hard"), show("easy-pbs16")
    c.equal((e["per_title"]["status"], h["per_title"]["status"]), ("chosen", "chosen"),
            "both ladders are chosen")
    c.check("per_title" not in p, "a show made without --per-title has no per_title")
    ladder_of = lambda doc: [(r["kbps"], r["box"]) for r in doc["per_title"]["rungs"]]
    c.check(ladder_of(e) != ladder_of(h), f"the two ladders differ: {ladder_of(e)} {ladder_of(h)}")
    for show_id in ("easy", "hard"):
        r = ladder("validate", show_version(lib, show_id))
        c.equal(r.returncode, 0, f"`ladder validate` passes {show_id} ({r.stdout.strip()[-300:]})")
    c.check(hls_video_kbps(e) < 0.75 * hls_video_kbps(h),
            f"the easy ladder asks for fewer bits: {hls_video_kbps(e)} against "
            f"{hls_video_kbps(h)} kbit/s")
    c.check(bits(e) < 0.75 * bits(p), f"the easy show costs under 3/4 of pbs16's on the same "
            f"clip: {bits(e)} against {bits(p)} bit/s")
    c.check(bits(e) < bits(h), f"the easy show costs less than the hard one: {bits(e)} against "
            f"{bits(h)} bit/s")
    check_targets(e, "easy")
    check_targets(h, "hard")
    # The same source and profile: the same ladder, the same bytes.
    r = ingest(easy, "easy-again", "--per-title")
    c.equal(show("easy-again")["per_title"], e["per_title"], "the same input twice: same ladder")
    c.equal(media("easy-again"), media("easy"), "the same input twice: the same media")
    lines = [l for l in r.stderr.splitlines() if "per-title" in l]
    c.check(len(lines) == 1 and "ladder chosen in" in lines[0],
            f"one line says what the analysis did: {lines}")
    # Too short to sample: the profile's bitrates, said in one line.
    short = clip("static", 4)
    r = ingest(short, "short", "--per-title")
    lines = [l for l in r.stderr.splitlines() if "per-title" in l]
    c.check(len(lines) == 1 and "the profile's own bitrates are used" in lines[0] and
            "4.0 s" in lines[0], f"a 4 s clip falls back, in one line: {lines}")
    s = show("short")
    c.equal(s["per_title"].get("status"), "fallback", "show.json says it fell back")
    c.check("4.0 s" in s["per_title"].get("reason", ""), f"and why: {s['per_title']}")
    targets = {r["name"]: r["target_kbps"] for r in s["renditions"]}
    c.equal(targets.get("hls-360p-600"), 600, "the fallback keeps pbs16's bitrates")


def case_profile():
    """Bounds that contradict each other are refused at check time, at their line."""
    with open(os.path.join(ROOT, "profiles", "pbs16.xml")) as f:
        lines = f.read().split("\n")
    at = next(i for i, l in enumerate(lines) if 'name="hls-270p-300"' in l)
    # 360 + 64 kbit/s is over twice hls-234p-145's 145 + 64 at most: no step can bridge them
    lines[at] = lines[at].replace("/>", ' per-title-min-kbps="360" per-title-max-kbps="400"/>')
    bad = os.path.join(d, "bad.xml")
    with open(bad, "w") as f:
        f.write("\n".join(lines))
    r = ladder("profiles", "check", bad)
    err = r.stderr.strip().splitlines()
    c.check(r.returncode != 0 and len(err) == 1 and any(f"bad.xml:{n}:" in err[0] for n in (at, at + 1)),
            f"contradictory bounds refused in one line, at one of the two rungs' lines "
            f"({at}, {at + 1}): {err}")
    r = ladder("ingest", clip("static"), "--id", "bad", "--library", lib, "--profile", bad,
               "--per-title")
    c.check(r.returncode != 0 and not os.path.exists(os.path.join(lib, "bad")),
            f"and ingest refuses it before encoding ({r.stderr.strip()[-200:]})")


# ---- the queue ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis():
    port = free_port()
    procs.append(subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                   "--dir", d, "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return f"redis://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def start_worker(url):
    log = open(os.path.join(d, "worker.log"), "w")
    procs.append(subprocess.Popen([LADDER, "worker", "--queue", url, "--name", "w0", "--threads",
                                   "1", "--lease", "3"], stdout=log, stderr=log))
    return os.path.join(d, "worker.log")


def case_queue():
    mezz = clip("static")
    url = start_redis()
    log = start_worker(url)
    ingest(mezz, "local", "--per-title", "--quiet")
    r = ingest(mezz, "queued", "--per-title", "--queue", url, "--chunk", "100")
    lines = [l for l in r.stderr.splitlines() if "per-title:" in l]
    c.check(len(lines) == 1, f"the coordinator chose the ladder once: {lines}")
    with open(log) as f:
        text = f.read()
    c.check("per-title" not in text, "the worker did no analysis of its own")
    # The MP4 fallbacks' packets; their moov differs by a few bytes between a local and a
    # queued ingest whether per-title or not (docs/per-title.md), so they are compared by frame.
    a, b = media("local"), media("queued")
    mp4s = sorted(k for k in a if k.startswith("mp4/"))
    for k in mp4s:
        c.equal(frame_hashes(show_version(lib, "queued"), k),
                frame_hashes(show_version(lib, "local"), k), f"{k}: the same packets")
    a = {k: v for k, v in a.items() if k not in mp4s}
    b = {k: v for k, v in b.items() if k not in mp4s}
    c.check(a == b and len(a) > 10 and mp4s, f"one chunk: the queued show's HLS is the local one, "
            f"byte for byte ({len(a)} files; differ: {sorted(k for k in a if a.get(k) != b.get(k))[:5]})")
    c.equal(show("queued")["per_title"], show("local")["per_title"], "the same per_title")
    ingest(mezz, "chunked", "--per-title", "--queue", url, "--chunk", "1", "--quiet")
    c.equal(show("chunked")["per_title"], show("local")["per_title"],
            "several chunks: the same ladder")
    check_targets(show("chunked"), "chunked")
    r = ladder("validate", show_version(lib, "chunked"))
    c.equal(r.returncode, 0, f"`ladder validate` passes the chunked show ({r.stdout[-300:]})")


try:
    {"ladders": case_ladders, "queue": case_queue, "profile": case_profile}[CASE]()
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    cleanup(d)
c.done()
