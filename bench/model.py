#!/usr/bin/env python3
"""bench/model.py: the expected wall time of a distributed ingest of a long show on N one-core
workers, from the per-job times bench/queue.sh measures (docs/distributed.md, "Model").

  --chunk S     one chunk job's time on one core (s), for --chunk-seconds of show
  --audio S     the audio job's time on one core (s), for --sample-seconds of show
  --join S      the coordinator's last-job-to-publish time (s) that grows with the show, for
                --sample-seconds of show: playlists, show.json's hashes, the validator
  --join-last S the part that does not: replaying the last chunk (default 0)
  --show S      the show's length (default 3600)
  --probe S     one rate probe job's time on one core (s): one GOP, encoded for one pass; the
                show has --probe-gops of them per pass (default: one GOP in 20 of --gop
                seconds, 3 to 30, as transcoder/rate_probe.c samples); 0: no probe (ABR)

The jobs are queued the way the coordinator queues them: the audio job and the probe's first
pass, its second pass once the first is in, then the chunks in order once the second is in
(docs/distributed.md, "The rate probe as jobs"); each worker takes the next job when it is free
(what `ladder worker` does). The audio job and the join's tail scale with the show's length, a
chunk's time does not. The coordinator replays each chunk as it arrives, beside
the encoding, so only the last chunk's replay and the tail come after the last job. Storage and Redis are taken as free: the doc says where that
stops being true."""
import argparse
import heapq
import math


def wall(n_workers, phases):
    """Greedy list schedule of the phases' jobs, each phase's jobs starting no earlier than the
    end of the phase before it (its first job, the audio job, gates nothing): when the last
    job ends."""
    free = [0.0] * n_workers
    heapq.heapify(free)
    end = gate = 0.0
    for phase in phases:
        phase_end = gate
        for i, t in enumerate(phase["jobs"]):
            start = max(heapq.heappop(free), gate)
            end = max(end, start + t)
            if i >= phase.get("free", 0):
                phase_end = max(phase_end, start + t)
            heapq.heappush(free, start + t)
        gate = phase_end
    return end


def probe_gops(show, gop):
    total = int(show / gop)
    return 0 if round(show / gop) < 30 else min(30, max(3, math.ceil(total / 20)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chunk", type=float, required=True)
    p.add_argument("--chunk-seconds", type=float, default=30)
    p.add_argument("--audio", type=float, required=True)
    p.add_argument("--join", type=float, required=True)
    p.add_argument("--join-last", type=float, default=0)
    p.add_argument("--sample-seconds", type=float, default=60)
    p.add_argument("--show", type=float, default=3600)
    p.add_argument("--probe", type=float, default=0)
    p.add_argument("--probe-gops", type=int)
    p.add_argument("--gop", type=float, default=2)
    a = p.parse_args()
    scale = a.show / a.sample_seconds
    chunks = math.ceil(a.show / a.chunk_seconds)
    audio, join = a.audio * scale, a.join * scale + a.join_last
    n_probe = (a.probe_gops if a.probe_gops is not None else probe_gops(a.show, a.gop)) \
        if a.probe > 0 else 0
    jobs = [{"jobs": [audio] + [a.probe] * n_probe, "free": 1}, {"jobs": [a.probe] * n_probe},
            {"jobs": [a.chunk] * chunks}]
    one = wall(1, jobs) + join
    print(f"{a.show:.0f} s show: {chunks} chunks of {a.chunk:.1f} s, audio job {audio:.0f} s, "
          f"{n_probe} probe GOPs of {a.probe:.1f} s twice, join {join:.0f} s (one core each)")
    print("| workers | wall (min) | speed-up | efficiency | bound by |")
    print("|---|---|---|---|---|")
    for n in (1, 2, 4, 8, 16, 24, 32, 48, 64):
        jobs_wall = wall(n, jobs)
        total = jobs_wall + join
        probe_wall = wall(n, [{"jobs": [a.probe] * n_probe}] * 2) if n_probe else 0
        if jobs_wall <= audio + 1e-9:
            bound = "the audio job"
        elif n >= chunks:
            bound = "one chunk each"
        elif probe_wall > 0.1 * jobs_wall:
            bound = "chunks; the probe a tenth"
        else:
            bound = "chunks"
        print(f"| {n} | {total / 60:.1f} | {one / total:.1f}x | {one / total / n:.0%} | {bound} |")


if __name__ == "__main__":
    main()
