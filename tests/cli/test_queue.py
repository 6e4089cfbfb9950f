"""test_queue.py CASE: distributed ingest through Redis Streams (docs/distributed.md).

Each case starts its own redis-server (AOF on) on a free port in a temporary folder, and real
`ladder worker` processes. The show is a 14 s clip cut into 1-segment chunks: an audio job and
three chunk jobs. The published media must be byte-identical to a 1-worker distributed run.

  workers      3 workers; two shows at once sharing them; `ladder queue status`, with each
               worker's throughput and a show's estimated time left
  kill         kill -9 a worker in mid-chunk: the job is taken back; SIGTERM: exit 0
  coordinator  kill the coordinator, run it again: it resumes, done jobs are not redone
  redis        Redis restarted during an ingest; a bad URL, Redis down, a password
  poison       a job that always fails goes to the dead-letter stream, naming the chunk
  urgent       an urgent show's jobs are taken before a normal show's
  limits       a job over its soft time limit is logged; over its hard one it is stopped
  breaks       --ad-breaks: every job conditions the same frames; the media playlists and the
               breaks equal a local ingest's
  mismatch     a worker of another build, then one whose profile file differs, refuses the job
               in one line before starting it; a worker that fits then does every job
  long-audio   a mezzanine whose audio runs 8 s past its video: the jobs cover the video's
               length, not the container's, and the show equals a local ingest's
  crf          a 60 s show, encoded at a CRF per rung: the coordinator has the workers
               encode the rate probe's GOPs as jobs, chooses the factors once and every job
               uses them; the show equals the same jobs run by hand, each choosing them alone
  arriving     the join runs as the jobs arrive: with the audio job and the first chunk in
               place and the last not begun, the first chunk's segments are already staged; the
               show then equals a 1-worker run's
  vbv          high motion under a VBV as tight as the rates: a chunk whose encoder took the
               buffer as fuller than the chunks before leave it would underflow. `ladder
               package` of the jobs by hand refuses it in one line with the --vbv-init to use;
               encoded again with that, the show publishes. The coordinator does the same by
               itself (a job "chunk-NNNNN-vbv1"), and both shows conform and are the same bytes
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

from ladder_test import (LADDER, ROOT, Checks, cleanup, ladder, make_clip, show_version, summary,
                         tree_hashes, workdir)

CASE = sys.argv[1]
c = Checks(f"queue.{CASE}")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "14")
JOBS = ["audio", "chunk-00000", "chunk-00001", "chunk-00002"]
procs = []  # every redis-server and worker started, killed at the end whatever happened


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A redis-server of the test's own, with its append-only file in the test's folder."""

    def __init__(self, *extra):
        self.port = free_port()
        self.dir = os.path.join(d, f"redis-{self.port}")
        os.makedirs(self.dir)
        self.extra = extra
        self.url = f"redis://127.0.0.1:{self.port}"
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--appendonly", "yes", "--save", "", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(self.proc)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.terminate()  # SIGTERM: Redis fsyncs its AOF and exits
        self.proc.wait(timeout=30)


def status(url):
    r = ladder("queue", "status", "--queue", url, "--json", timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else None


class Worker:
    def __init__(self, url, name, *extra, env=None):
        self.name = name
        self.log = os.path.join(d, f"{name}.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([LADDER, "worker", "--queue", url, "--name", name,
                                          "--threads", "1", "--lease", "3", *extra],
                                         stdout=log, stderr=log,
                                         env={**os.environ, **(env or {})})
        procs.append(self.proc)

    def started(self):
        """The jobs this worker started, as "SHOW/JOB" in order."""
        with open(self.log) as f:
            return re.findall(r"(\S+): started", f.read())

    def not_finished(self):
        """The jobs this worker started but did not finish: failed, lost, handed back."""
        with open(self.log) as f:
            return re.findall(r"(\S+): (?:failed|taken by another worker|handed back)", f.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=120)


def ingest(url, show_id, lib, *extra, wait=True, mezz=clip):
    args = [LADDER, "ingest", mezz, "--id", show_id, "--library", lib, "--queue", url,
            "--chunk", "1", *extra]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return p
    out, err = p.communicate(timeout=240)
    return subprocess.CompletedProcess(args, p.returncode, out, err)


def media(lib, show_id):
    """Every published file but show.json (which records times), by content."""
    top = os.path.join(lib, show_id)
    if not os.path.isdir(top):
        return {}
    return {k: v for k, v in tree_hashes(show_version(lib, show_id)).items() if k != "show.json"}


def wait_for(what, cond, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    c.check(False, f"timed out waiting for {what}")
    return None


def running_on(url, name):
    s = status(url)
    return s and any(w["name"] == name and w["doing"] != "idle" for w in s["workers"])


def reference(url, *extra):
    """The show made by one worker alone: what every other run must equal byte for byte."""
    lib = os.path.join(d, "ref")
    w = Worker(url, "ref-worker")
    r = ingest(url, "ref", lib, "--quiet", *extra)
    c.equal(r.returncode, 0, f"1-worker distributed ingest ({r.stderr.strip()})")
    c.equal(w.stop(), 0, "a worker stopped with SIGTERM exits 0")
    files = media(lib, "ref")
    c.check(len(files) > 20, f"the reference show has its files ({len(files)})")
    return files


def check_throughput(url, ws, show, since):
    """Each worker's jobs done and seconds of show in `queue status` are those of the jobs of
    show it started and finished, and its rates are over at most the time since `since`."""
    # the clip is 14 s, cut in 6 s segments: the audio job is the show, the last chunk 2 s
    seconds = {"audio": 14.0, "chunk-00000": 6.0, "chunk-00001": 6.0, "chunk-00002": 2.0}
    s = status(url)
    elapsed = time.time() - since
    c.check(s is not None and s.get("throughput_window_seconds") == 600,
            f"queue status says its throughput window: {s and s.get('throughput_window_seconds')}")
    by_name = {x["name"]: x for x in (s["workers"] if s else [])}
    for w in ws:
        lost = w.not_finished()
        did = [j.split("/")[1] for j in w.started() if j.startswith(show + "/") and j not in lost]
        x = by_name.get(w.name, {})
        want = sum(seconds[j] for j in did)
        c.equal(x.get("jobs_done"), len(did), f"{w.name}'s jobs done in the window ({did})")
        c.check(abs(x.get("show_seconds_done", -1) - want) <= 0.1 * len(did) + 1e-6,
                f"{w.name}'s seconds of show done: {x.get('show_seconds_done')}, want {want}")
        jpm, spm = x.get("jobs_per_minute", -1), x.get("show_seconds_per_minute", -1)
        if not did:
            c.check(jpm == 0 and spm == 0, f"{w.name} did no job: no throughput ({x})")
            continue
        c.check(jpm > 0 and spm > 0, f"{w.name} did jobs: a throughput ({jpm} jobs/min, "
                f"{spm} s/min)")
        # the rates span at most the time since the worker started: never lower than that
        c.check(jpm >= 60 * len(did) / elapsed - 0.01,
                f"{w.name}: {jpm} jobs/min for {len(did)} jobs in {elapsed:.1f} s or less")
        c.check(jpm > 0 and abs(spm / jpm - x["show_seconds_done"] / len(did)) <=
                0.01 * spm / jpm + 0.05,
                f"{w.name}: seconds of show per job the same in the rates and the totals ({x})")


def watch_time_left(url, shows):
    """Polls `queue status` while the shows are in flight until one has an estimated time left;
    every show seen with no job done had none. Returns the show seen with one."""
    early = []

    def seen():
        st = status(url)
        for x in (st["shows"] if st else []):
            if x["id"] in shows and x["done"] == 0 and x.get("eta_seconds", 0) is not None:
                early.append(x)
        got = [x for x in (st["shows"] if st else [])
               if x["id"] in shows and x.get("eta_seconds") is not None]
        return got[0] if got else None

    x = wait_for("an estimated time left", seen, timeout=120)
    c.check(not early, f"no time left is estimated before a job of the show is done: {early}")
    c.check(x is not None and x["done"] >= 1 and isinstance(x["eta_seconds"], int) and
            x["eta_seconds"] >= 0 and x["jobs_per_minute"] > 0,
            f"a show with a job done has an estimated time left: {x}")
    return x


def case_workers():
    redis = Redis()
    ref = reference(redis.url)
    since = time.time()
    ws = [Worker(redis.url, f"w{i}") for i in range(3)]
    lib = os.path.join(d, "lib")
    r = ingest(redis.url, "three", lib)
    c.equal(r.returncode, 0, f"3 workers ingest the clip ({r.stderr.strip()})")
    c.check("published" in r.stdout and "4 of 4 jobs done" in r.stderr,
            f"the coordinator reports progress and the publish: {r.stdout.strip()!r}")
    check_throughput(redis.url, ws, "three", since)
    c.equal(media(lib, "three"), ref, "3 workers give the bytes of 1 worker")
    r = ladder("validate", os.path.join(lib, "three"))
    c.equal(r.returncode, 0, f"the show validates ({r.stdout.strip()[-200:]})")
    c.check(not os.path.exists(os.path.join(d, "lib.work", "three")),
            "the jobs' folders are removed once the show is published")
    # On a terminal (script(1) gives it one), a progress bar over the jobs done.
    screen = os.path.join(d, "tty.log")
    r = subprocess.run(["script", "-qec", f"{LADDER} ingest {clip} --id tty --library {lib} "
                        f"--queue {redis.url} --chunk 1", screen], capture_output=True, timeout=240)
    with open(screen, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    c.check(r.returncode == 0 and "jobs [" in text and "100%" in text,
            f"a progress bar over the jobs on a terminal: {text[-300:]!r}")
    s = status(redis.url)
    c.check(s is not None and {w["name"] for w in s["workers"]} >= {"w0", "w1", "w2"},
            f"queue status lists the workers seen: {s and s['workers']}")
    c.check(s is not None and not [x for x in s["shows"] if x["id"] == "three"],
            "a published show is no longer in flight")

    # Two shows at once share the workers, and both publish.
    a = ingest(redis.url, "one", lib, wait=False)
    b = ingest(redis.url, "two", lib, wait=False)
    s = wait_for("both shows in flight", lambda: (lambda st: st if st and len(st["shows"]) == 2
                                                  else None)(status(redis.url)), timeout=60)
    if s:
        c.check(all(x["jobs"] == 4 and x["state"] == "running" for x in s["shows"]),
                f"queue status shows both shows and their jobs: {s['shows']}")
        c.check(all(x["eta_seconds"] is None for x in s["shows"] if x["done"] == 0),
                f"no time left while a show has no job done: {s['shows']}")
    watch_time_left(redis.url, {"one", "two"})
    for p, name in ((a, "one"), (b, "two")):
        out, err = p.communicate(timeout=240)
        c.equal(p.returncode, 0, f"show {name} published alongside the other ({err.strip()})")
        c.equal(media(lib, name), ref, f"show {name} has the reference bytes")
    shows = {j.split("/")[0] for w in ws for j in w.started()}
    c.check({"one", "two"} <= shows, f"the workers took jobs of both shows: {sorted(shows)}")
    for w in ws:
        c.equal(w.stop(), 0, f"{w.name} exits 0 on SIGTERM")
    r = ladder("queue", "status", "--queue", redis.url)
    c.check(r.returncode == 0 and "workers seen" in r.stdout, f"queue status as text: {r.stdout}")
    c.check(re.search(r"w0 .* [0-9.]+ jobs/min +[0-9.]+ s/min", r.stdout) is not None and
            " left" in r.stdout, f"queue status as text has the throughput: {r.stdout}")
    redis.stop()


def case_kill():
    redis = Redis()
    ref = reference(redis.url)
    lib = os.path.join(d, "lib")
    victim = Worker(redis.url, "victim")
    p = ingest(redis.url, "killed", lib, wait=False)
    wait_for("the victim to start a job", lambda: running_on(redis.url, "victim"))
    doing = [w["doing"] for w in status(redis.url)["workers"] if w["name"] == "victim"]
    victim.proc.kill()  # kill -9, in mid-chunk
    victim.proc.wait()
    time.sleep(0.5)
    children = subprocess.run(["pgrep", "-f", f"transcode {clip}"], capture_output=True, text=True)
    c.equal(children.stdout.strip(), "", "the worker's transcode died with it")
    rescuer = Worker(redis.url, "rescuer")
    out, err = p.communicate(timeout=240)
    c.equal(p.returncode, 0, f"the show completes after a worker was killed ({err.strip()})")
    c.equal(media(lib, "killed"), ref, "and its bytes are the reference's")
    taken = [j for j in rescuer.started() if doing and j == doing[0]]
    c.check(taken, f"the rescuer took back the killed job {doing} (started {rescuer.started()})")

    # SIGTERM in mid-job with no grace: the job is handed back at once, and the worker exits 0.
    quitter = Worker(redis.url, "quitter", "--grace", "0")
    rescuer.stop()
    p = ingest(redis.url, "handed-back", lib, wait=False)
    wait_for("the quitter to start a job", lambda: running_on(redis.url, "quitter"))
    c.equal(quitter.stop(), 0, "SIGTERM in mid-job: the worker hands it back and exits 0")
    second = Worker(redis.url, "second")
    out, err = p.communicate(timeout=240)
    c.equal(p.returncode, 0, f"the handed-back job is done by another worker ({err.strip()})")
    c.equal(media(lib, "handed-back"), ref, "with the reference's bytes")
    second.stop()
    redis.stop()


def case_coordinator():
    redis = Redis()
    ref = reference(redis.url)
    lib = os.path.join(d, "lib")
    work = os.path.join(d, "lib.work", "resumed")
    p = ingest(redis.url, "resumed", lib, wait=False)
    wait_for("the jobs to be queued", lambda: (lambda s: s and s["shows"] and
                                               s["shows"][0]["pending"] == 4)(status(redis.url)))
    w = Worker(redis.url, "w")
    wait_for("two jobs done", lambda: sum(os.path.isfile(os.path.join(work, j, "summary.json"))
                                          for j in JOBS) >= 2)
    p.kill()  # the coordinator dies
    p.wait()
    c.equal(w.stop(), 0, "the worker stops (SIGTERM) while the coordinator is gone")
    done_before = [j for j in JOBS if os.path.isfile(os.path.join(work, j, "summary.json"))]
    c.check(not os.path.exists(os.path.join(lib, "resumed")), "nothing is published meanwhile")
    w2 = Worker(redis.url, "w2")
    r = ingest(redis.url, "resumed", lib)
    c.equal(r.returncode, 0, f"the same command again resumes and publishes ({r.stderr.strip()})")
    c.check("resuming" in r.stderr, f"it says it resumes: {r.stderr.strip()[:300]}")
    started = w.started() + w2.started()
    redone = [j for j in done_before if started.count(f"resumed/{j}") != 1]
    c.check(len(done_before) >= 2 and not redone,
            f"jobs done before ({done_before}) were not redone (started: {started})")
    c.equal(media(lib, "resumed"), ref, "the resumed show has the reference's bytes")
    w2.stop()
    redis.stop()


def case_redis():
    # A bad URL, and Redis down: one clear line and exit 1, before anything is touched.
    lib = os.path.join(d, "lib")
    for url, want in (("http://localhost", "does not start with redis://"),
                      ("redis://host:99999", "port"),
                      ("redis://:pw", "no host"),
                      (f"redis://127.0.0.1:{free_port()}", "cannot reach Redis")):
        r = ladder("ingest", clip, "--id", "x", "--library", lib, "--queue", url)
        c.check(r.returncode == 1 and want in r.stderr and len(r.stderr.strip().splitlines()) == 1,
                f"--queue {url}: exit 1 and one line with '{want}' (got {r.returncode}: "
                f"{r.stderr.strip()})")
        r = ladder("worker", "--queue", url)
        c.equal(r.returncode, 1, f"a worker with --queue {url} exits 1 ({r.stderr.strip()})")
    c.check(not os.path.exists(lib), "no library was made")

    # A password in the URL.
    locked = Redis("--requirepass", "s3cret")
    r = ladder("queue", "status", "--queue", f"redis://:s3cret@127.0.0.1:{locked.port}")
    c.equal(r.returncode, 0, f"the password in the URL is used ({r.stderr.strip()})")
    r = ladder("queue", "status", "--queue", f"redis://:wrong@127.0.0.1:{locked.port}")
    c.check(r.returncode == 1 and "s3cret" not in r.stderr and "wrong" not in r.stderr,
            f"a wrong password: exit 1, and no password in the message ({r.stderr.strip()})")
    locked.stop()

    # Redis restarts (AOF on) in the middle of an ingest.
    redis = Redis()
    ref = reference(redis.url)
    w = Worker(redis.url, "w")
    p = ingest(redis.url, "restart", lib, wait=False)
    work = os.path.join(d, "lib.work", "restart")
    wait_for("a job done", lambda: any(os.path.isfile(os.path.join(work, j, "summary.json"))
                                       for j in JOBS))
    redis.stop()
    time.sleep(2)
    redis.start()
    out, err = p.communicate(timeout=240)
    print(f"Redis restarted in mid-ingest: the ingest exited {p.returncode}")
    if p.returncode == 0:
        c.equal(media(lib, "restart"), ref, "after a Redis restart the show completes, intact")
    else:
        c.check("Redis" in err and len(err.strip().splitlines()) <= 6,
                f"or fails with a clear message: {err.strip()}")
        c.check(not os.path.exists(os.path.join(lib, "restart")), "and publishes nothing")
    c.equal(w.stop(), 0, "the worker rode out the restart")
    redis.stop()

    # Redis restarted without its data (no AOF): the coordinator notices the show is gone,
    # submits its jobs again, and the show completes with the same bytes.
    bare = Redis("--appendonly", "no")
    w = Worker(bare.url, "w-bare")
    p = ingest(bare.url, "forgotten", lib, wait=False)
    work = os.path.join(d, "lib.work", "forgotten")
    wait_for("a job done", lambda: any(os.path.isfile(os.path.join(work, j, "summary.json"))
                                       for j in JOBS))
    bare.stop()
    bare.start()
    out, err = p.communicate(timeout=240)
    c.equal(p.returncode, 0, f"after Redis lost everything the show still publishes ({err.strip()[-300:]})")
    c.check("submitting its jobs again" in err, "the coordinator says it submitted the jobs again")
    c.equal(media(lib, "forgotten"), ref, "with the reference's bytes")
    c.equal(w.stop(), 0, "the worker exits 0")
    bare.stop()


def case_poison():
    redis = Redis()
    lib = os.path.join(d, "lib")
    poison = "poisoned/chunk-00001"
    ws = [Worker(redis.url, f"w{i}", env={"LADDER_WORKER_FAIL": poison}) for i in range(2)]
    r = ingest(redis.url, "poisoned", lib, "--max-tries", "2")
    c.equal(r.returncode, 1, "an ingest with a poison chunk fails")
    c.check("chunk-00001" in r.stderr and len(r.stderr.strip().splitlines()) <= 6,
            f"with a message that names the chunk: {r.stderr.strip()}")
    c.check(not os.path.exists(os.path.join(lib, "poisoned")), "and publishes nothing")
    s = status(redis.url)
    c.check(s and s["dead_letters"] == 1, f"the job is in the dead-letter stream: {s}")
    tries = sum(w.started().count(poison) for w in ws)
    c.equal(tries, 2, "the poison chunk was tried --max-tries times")
    for w in ws:
        w.stop()
    # The same command with healthy workers starts afresh and publishes.
    w = Worker(redis.url, "healthy")
    r = ingest(redis.url, "poisoned", lib, "--quiet")
    c.equal(r.returncode, 0, f"run again with healthy workers, the show publishes ({r.stderr.strip()})")
    w.stop()
    redis.stop()


def case_limits():
    # A 720p chunk takes seconds with one thread: over a 1 s soft limit a warning, over a 1 s
    # hard limit the job is stopped (and, at --max-tries 1, dead).
    redis = Redis()
    lib = os.path.join(d, "lib")
    global clip
    clip = make_clip("good", os.path.join(d, "hd.mp4"), "--size", "1280x720", "--duration", "6")
    w = Worker(redis.url, "w")
    r = ingest(redis.url, "slow", lib, "--hard-limit", "1", "--max-tries", "1")
    # (the audio job, quicker, may be the one named when the machine is busy)
    c.check(r.returncode == 1 and
            re.search(r"(chunk-00000|audio): over its hard time limit of 1 s", r.stderr),
            f"a job over its hard limit is stopped and, out of tries, named: {r.stderr.strip()}")
    c.check(not os.path.exists(os.path.join(lib, "slow")), "nothing is published")
    r = ingest(redis.url, "slow", lib, "--soft-limit", "1", "--hard-limit", "0")
    c.equal(r.returncode, 0, f"no hard limit: the show publishes ({r.stderr.strip()})")
    with open(w.log) as f:
        log = f.read()
    c.check("slow/chunk-00000: over its soft time limit of 1 s" in log,
            "a job over its soft limit is logged")
    c.equal(w.stop(), 0, "the worker exits 0")
    redis.stop()


def case_urgent():
    redis = Redis()
    lib = os.path.join(d, "lib")
    normal = ingest(redis.url, "normal", lib, "--quiet", wait=False)
    wait_for("the normal show queued", lambda: (lambda s: s and len(s["shows"]) == 1 and
                                                s["shows"][0]["pending"] == 4)(status(redis.url)))
    urgent = ingest(redis.url, "urgent", lib, "--quiet", "--urgent", wait=False)
    wait_for("the urgent show queued", lambda: (lambda s: s and len(s["shows"]) == 2 and
                                                min(x["pending"] for x in s["shows"]) == 4)(status(redis.url)))
    w = Worker(redis.url, "only")
    for p in (normal, urgent):
        p.communicate(timeout=240)
        c.equal(p.returncode, 0, "both shows publish")
    order = [j.split("/")[0] for j in w.started()]
    c.equal(order, ["urgent"] * 4 + ["normal"] * 4, "the urgent show's jobs are taken first")
    w.stop()
    redis.stop()


def case_breaks():
    redis = Redis()
    asked = ["--ad-breaks", "0,3.3/10,7.1/15"]
    ws = [Worker(redis.url, f"w{i}") for i in range(2)]
    lib = os.path.join(d, "lib")
    r = ingest(redis.url, "queued", lib, "--quiet", *asked)
    c.equal(r.returncode, 0, f"a distributed ingest with breaks ({r.stderr.strip()})")
    r = ladder("ingest", clip, "--id", "local", "--library", lib, "--quiet", *asked)
    c.equal(r.returncode, 0, f"the local ingest with breaks ({r.stderr.strip()})")
    q, here = show_version(lib, "queued"), show_version(lib, "local")
    playlists = sorted(os.path.relpath(os.path.join(t, f), here)
                       for t, _, fs in os.walk(os.path.join(here, "hls")) for f in fs
                       if f == "index.m3u8")  # I-frame byte ranges follow the encodes
    c.check(len(playlists) >= 4, f"the local show has its media playlists ({len(playlists)})")
    for rel in playlists:
        with open(os.path.join(here, rel)) as a, open(os.path.join(q, rel)) as b:
            c.equal(b.read(), a.read().replace("/ads/local/", "/ads/queued/"),
                    f"{rel}: the queued show's segments and breaks are the local one's")
    with open(os.path.join(here, "show.json")) as a, open(os.path.join(q, "show.json")) as b:
        c.equal(json.load(b).get("breaks"), json.load(a).get("breaks"), "show.json breaks")
    for w in ws:
        c.equal(w.stop(), 0, f"{w.name} exits 0 on SIGTERM")
    redis.stop()


def case_long_audio():
    # 4 s of video, 12 s of audio: one 6 s segment, so the audio job and one chunk. Planned
    # from the container's 12 s, a second chunk would start past the video and fail for good.
    mezz = make_clip("long-audio", os.path.join(d, "long-audio.mp4"), "--size", "320x180",
                     "--duration", "4")
    redis = Redis()
    w = Worker(redis.url, "w0")
    lib = os.path.join(d, "lib")
    r = ingest(redis.url, "queued", lib, "--quiet", mezz=mezz)
    c.equal(r.returncode, 0, f"a distributed ingest of a show whose audio outlasts its video "
            f"({r.stderr.strip()})")
    c.equal(sorted(j.split("/")[1] for j in w.started()), ["audio", "chunk-00000"],
            "one chunk for the video's one segment, besides the audio job")
    r = ladder("ingest", mezz, "--id", "local", "--library", lib, "--quiet")
    c.equal(r.returncode, 0, f"the local ingest ({r.stderr.strip()})")
    if r.returncode == 0 and os.path.isdir(os.path.join(lib, "queued")):
        q, here = show_version(lib, "queued"), show_version(lib, "local")
        for rel in ("hls/audio/index.m3u8", "hls/hls-234p-145/index.m3u8"):
            with open(os.path.join(here, rel)) as a, open(os.path.join(q, rel)) as b:
                c.equal(b.read(), a.read(), f"{rel}: cut where the video ends, as locally")
    c.equal(w.stop(), 0, "the worker exits 0 on SIGTERM")
    redis.stop()


def case_crf():
    # A show of a minute is encoded at a CRF per rung (docs/transcoder.md): the factors travel
    # in the jobs, so the queued show is the one its jobs make by hand, where each job
    # chooses the factors itself, as a local transcode does.
    mezz = make_clip("good", os.path.join(d, "long.mp4"), "--size", "320x180", "--duration", "60")
    redis = Redis()
    ws = [Worker(redis.url, f"w{i}") for i in range(2)]
    lib = os.path.join(d, "lib")
    r = ingest(redis.url, "queued", lib, mezz=mezz)
    c.equal(r.returncode, 0, f"a distributed ingest of a 60 s show ({r.stderr.strip()[-300:]})")
    # The probe's GOPs (3 of the 30) were jobs of the workers, pass 1 before pass 2.
    ran = []
    for w in ws:
        with open(w.log) as f:
            ran += re.findall(r"queued/(probe\d-\d+): done in", f.read())
    c.equal(sorted(ran), [f"probe{p}-{g:05d}" for p in (1, 2) for g in (5, 15, 25)],
            f"the workers encoded the rate probe's GOPs: {ran}")
    c.check("rates chosen from 3 of the show's GOPs, twice, on the workers" in r.stderr,
            f"the coordinator says so: {r.stderr.strip()[-300:]}")
    jobs = [os.path.join(d, "by-hand", "audio")]
    ladder("transcode", mezz, "--out", jobs[0], "--audio-only", "--quiet")
    for k in range(10):
        jobs.append(os.path.join(d, "by-hand", f"c{k}"))
        ladder("transcode", mezz, "--out", jobs[-1], "--segments", f"{k}:1", "--quiet")
    rates = {s["name"]: s.get("crf") for s in summary(jobs[1])["streams"] if s["kind"] == "video"}
    c.check(rates and all(v and v > 0 for v in rates.values()), f"a CRF per rung: {rates}")
    r = ladder("package", *jobs, "--id", "by-hand", "--library", lib, "--quiet")
    c.equal(r.returncode, 0, f"the jobs by hand join ({r.stderr.strip()})")
    a, b = media(lib, "queued"), media(lib, "by-hand")
    c.check(a == b and len(a) > 20, f"the queued show is the jobs' by hand ({len(a)} files; differ: "
            f"{sorted(k for k in a if a.get(k) != b.get(k))[:5]})")
    for w in ws:
        c.equal(w.stop(), 0, f"{w.name} exits 0 on SIGTERM")
    redis.stop()


def refused(binary, url, name):
    """Runs a worker to its end; its exit code and stderr's lines."""
    r = subprocess.run([binary, "worker", "--queue", url, "--name", name, "--threads", "1",
                        "--lease", "3"], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stderr.strip().splitlines()


def case_mismatch():
    redis = Redis()
    lib = os.path.join(d, "lib")
    pbs16 = os.path.join(ROOT, "profiles", "pbs16.xml")
    profile = os.path.join(d, "profile.xml")
    shutil.copy(pbs16, profile)
    other = os.path.join(d, "ladder-other")  # the same program, another build's bytes
    shutil.copy(LADDER, other)
    with open(other, "ab") as f:
        f.write(b"\0")
    # --max-tries 1: a refusal that counted as a try would kill the job
    p = ingest(redis.url, "fits", lib, "--profile", profile, "--max-tries", "1", "--quiet",
               wait=False)
    wait_for("the show's jobs queued", lambda: (lambda s: s and any(
        x["id"] == "fits" and x["jobs"] == 4 for x in s["shows"]))(status(redis.url)), timeout=60)
    code, lines = refused(other, redis.url, "other-build")
    want = (r"^ladder worker: error: refused fits/(audio|chunk-\d+): this worker's ladder binary "
            r"is not the coordinator's \(sha256 [0-9a-f]{12} here, [0-9a-f]{12} there\)$")
    c.check(code == 3 and lines and re.match(want, lines[-1]),
            f"a worker of another build refuses in one line, exit 3: {code} {lines[-2:]}")
    c.check(not [x for x in lines if ": started" in x], f"and starts no job: {lines}")
    with open(profile, "a") as f:  # still valid XML, other bytes
        f.write("<!-- edited on this worker -->\n")
    code, lines = refused(LADDER, redis.url, "other-profile")
    want = (r"^ladder worker: error: refused fits/\S+: the profile '" + re.escape(profile) +
            r"' here is not the coordinator's \(sha256 [0-9a-f]{12} here, [0-9a-f]{12} there\)$")
    c.check(code == 3 and lines and re.match(want, lines[-1]),
            f"a worker with another profile refuses in one line, exit 3: {code} {lines[-2:]}")
    c.check(not [x for x in lines if ": started" in x], f"and starts no job: {lines}")
    shutil.copy(pbs16, profile)
    w = Worker(redis.url, "fits")
    out, err = p.communicate(timeout=240)
    c.equal(p.returncode, 0, f"a worker that fits does every job, none counted as tried ({err.strip()})")
    c.check(sorted(j.split("/")[1] for j in w.started()) == JOBS, f"it ran all four: {w.started()}")
    c.equal(w.stop(), 0, "the worker that fits exits 0 on SIGTERM")
    redis.stop()


def staged_segments(lib, show_id):
    """The HLS video segments in the library's staging folders of show_id, by rung."""
    found = {}
    staging = os.path.join(lib, ".staging")
    for stage in os.listdir(staging) if os.path.isdir(staging) else []:
        if not stage.startswith(show_id + "."):
            continue
        for root, _, files in os.walk(os.path.join(staging, stage)):
            rung = os.path.basename(root)
            if rung.startswith("hls-"):
                found[rung] = sorted(f for f in files if f.endswith((".ts", ".m4s")))
    return found


def case_arriving():
    redis = Redis()
    ref = reference(redis.url, "--chunk", "2")
    lib = os.path.join(d, "lib")
    work = os.path.join(d, "lib.work", "arriving")
    # 2-segment chunks: audio, chunk-00000 (segments 0-1), chunk-00002 (segment 2 to the end).
    p = ingest(redis.url, "arriving", lib, "--chunk", "2", wait=False)
    wait_for("the jobs to be queued", lambda: (lambda s: s and s["shows"] and
                                               s["shows"][0]["pending"] == 3)(status(redis.url)))
    # No worker yet: this test does the first two jobs itself, as a worker would.
    for job, how in (("audio", ["--audio-only"]), ("chunk-00000", ["--segments", "0:2"])):
        r = ladder("transcode", clip, "--out", os.path.join(work, job), "--threads", "1",
                   "--quiet", *how, timeout=240)
        c.equal(r.returncode, 0, f"{job} made by hand ({r.stderr.strip()})")
    rungs = {part for name in ref for part in name.split("/") if part.startswith("hls-")}
    staged = wait_for("segment 0 of every rung staged", lambda: (
        lambda s: s if rungs and all(s.get(r) for r in rungs) else None)(
            staged_segments(lib, "arriving")), timeout=180)
    c.check(staged is not None and len(rungs) >= 3,
            f"with the last chunk not begun, the join has staged the first chunk's segments in "
            f"every rung of {sorted(rungs)}: {staged}")
    c.check(not os.path.exists(os.path.join(work, "chunk-00002")), "the last chunk is not begun")
    # A second coordinator of the same show meanwhile: refused in one line, leaving the show
    # to the first (not marked failed).
    r = ingest(redis.url, "arriving", lib, "--chunk", "2")
    c.check(r.returncode != 0 and "being published by another process" in r.stderr,
            f"a second coordinator of the show is refused: {r.returncode} {r.stderr.strip()[-300:]}")
    show = [x for x in (status(redis.url) or {"shows": []})["shows"] if x["id"] == "arriving"]
    c.check(show and show[0]["state"] == "running", f"the show is still running: {show}")
    w = Worker(redis.url, "w")
    out, err = p.communicate(timeout=240)
    c.equal(p.returncode, 0, f"a worker does the last chunk and the show is published ({err.strip()})")
    with open(w.log) as f:
        ran = re.findall(r"arriving/(\S+): done in", f.read())
    c.equal(ran, ["chunk-00002"], "the worker ran only the chunk not in place")
    # Every HLS variant was validated from its segments as they were written, not read again.
    variants = {k.split("/")[1] for k in ref if k.startswith("hls/") and k.endswith(".ts")}
    m = re.search(r"validated \((\d+) HLS variants read as they arrived\)", err)
    c.check(m and int(m.group(1)) == len(variants) >= 4,
            f"the {len(variants)} variants were read as they arrived: {err.strip()[-300:]}")
    c.equal(media(lib, "arriving"), ref, "the show has a 1-worker run's bytes")
    c.equal(w.stop(), 0, "the worker exits 0 on SIGTERM")
    redis.stop()


TIGHT_VBV = """<?xml version="1.0" encoding="UTF-8"?>
<ladder xmlns="urn:ladder:profile:1" name="tight-vbv" preset="veryfast" gop-seconds="1"
        segment-seconds="2" container="ts" audio-channels="2">
  <rung name="hls-180p-150" use="hls" width="320" height="180" video-kbps="150"
        maxrate-kbps="165" bufsize-kbps="165" profile="baseline" level="3.0" audio-kbps="64"/>
  <rung name="hls-360p-400" use="hls" width="640" height="360" video-kbps="400"
        maxrate-kbps="440" bufsize-kbps="440" profile="main" level="3.0" audio-kbps="64"/>
</ladder>
"""


def vbv_suggestion(stderr):
    """The chunk `ladder package` refuses for its VBV, and the --vbv-init it says to use."""
    m = re.search(r"(\S+): (\S+) would underflow its VBV.* --vbv-init (\S+)$", stderr.strip())
    return (m.group(1), m.group(2), m.group(3)) if m else None


def case_vbv():
    # 30 s of 1 s GOPs: a CRF per rung, which the VBV caps nearly everywhere on this content.
    mezz = make_clip("motion", os.path.join(d, "motion.mp4"), "--size", "640x360",
                     "--duration", "30")
    profile = os.path.join(d, "tight.xml")
    with open(profile, "w") as f:
        f.write(TIGHT_VBV)
    lib = os.path.join(d, "lib")
    hand = os.path.join(d, "by-hand")
    r = ladder("transcode", mezz, "--out", os.path.join(hand, "whole"), "--profile", profile,
               "--quiet")
    rates = [s["crf"] for s in summary(os.path.join(hand, "whole"))["streams"]
             if s["kind"] == "video"]
    crf = ",".join("%.2f" % x for x in rates)
    jobs = [os.path.join(hand, "audio")]
    ladder("transcode", mezz, "--out", jobs[0], "--audio-only", "--profile", profile, "--quiet")
    for k in range(15):
        jobs.append(os.path.join(hand, f"chunk-{k:05d}"))
        ladder("transcode", mezz, "--out", jobs[-1], "--segments", f"{k}:1", "--profile",
               profile, "--crf", crf, "--quiet")
    # By hand: each refusal names the chunk and the starts to encode it from.
    redone = []
    for _ in range(len(jobs)):
        r = ladder("package", *jobs, "--id", "by-hand", "--library", lib, "--profile", profile,
                   "--quiet")
        found = vbv_suggestion(r.stderr)
        if r.returncode == 0 or not found:
            break
        lines = r.stderr.strip().splitlines()
        c.equal(len(lines), 1, f"the refusal is one line: {lines}")
        folder, rung, starts = found
        redone.append(os.path.basename(folder))
        shutil.rmtree(folder)
        k = jobs.index(folder) - 1
        r2 = ladder("transcode", mezz, "--out", folder, "--segments", f"{k}:1", "--profile",
                    profile, "--crf", crf, "--vbv-init", starts, "--quiet")
        c.equal(r2.returncode, 0, f"{folder} encoded again with --vbv-init {starts} "
                f"({r2.stderr.strip()})")
        c.equal([s.get("vbv_init", 0) > 0 for s in summary(folder)["streams"]
                 if s["kind"] == "video"], [float(x) > 0 for x in starts.split(",")],
                f"{folder}'s summary has the starts it was given")
    c.check(redone, "chunks of the jobs by hand would underflow a rung's VBV at a join")
    c.equal(r.returncode, 0, f"the jobs by hand publish once encoded again ({r.stderr.strip()})")
    # The coordinator: the same chunks encoded again by the workers, unasked.
    redis = Redis()
    w = Worker(redis.url, "w")
    q = ingest(redis.url, "queued", lib, "--profile", profile, mezz=mezz)
    c.equal(q.returncode, 0, f"the distributed ingest publishes ({q.stderr.strip()[-400:]})")
    with open(w.log) as f:
        ran = re.findall(r"queued/(\S+): done in", f.read())
    c.equal(sorted(j for j in ran if "-vbv" in j), sorted(f"{name}-vbv1" for name in redone),
            f"the workers encoded again the chunks done again by hand: {ran}")
    for show in ("by-hand", "queued"):
        r = ladder("validate", show_version(lib, show), "--profile", profile, "--json")
        fails = {x.get("rule") for x in json.loads(r.stdout or "{}").get("failures", [])}
        c.check(r.returncode == 0 and not fails, f"{show} passes every rule ({fails or 'none'})")
    a, b = media(lib, "queued"), media(lib, "by-hand")
    c.check(a == b and len(a) > 10, f"the queued show is the jobs' by hand ({len(a)} files; "
            f"differ: {sorted(k for k in a if a.get(k) != b.get(k))[:5]})")
    c.equal(w.stop(), 0, "the worker exits 0 on SIGTERM")
    redis.stop()


try:
    {"vbv": case_vbv, "arriving": case_arriving, "workers": case_workers, "breaks": case_breaks, "kill": case_kill, "coordinator": case_coordinator,
     "redis": case_redis, "poison": case_poison, "urgent": case_urgent,
     "limits": case_limits, "mismatch": case_mismatch, "long-audio": case_long_audio,
     "crf": case_crf}[CASE]()
finally:
    for name in os.listdir(d):
        if name.endswith(".log"):
            with open(os.path.join(d, name)) as f:
                tail = f.read()[-600:]
            if c.failures:
                print(f"--- {name}:\n{tail}")
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    cleanup(d)
c.done()
