#!/usr/bin/env python3
"""bench/model.py: the expected wall time of a distributed ingest of a long show on N one-core
workers, from the per-job times bench/queue.sh measures (docs/distributed.md, "Model").

  --chunk S     one chunk job's time on one core (s), for --chunk-seconds of show
  --audio S     the audio job's time on one core (s), for --sample-seconds of show
  --join S      the coordinator's last-job-to-publish time (s) that grows with the show, for
                --sample-seconds of show: playlists, show.json's hashes, the validator
  --join-last S the part that does not: replaying the last chunk (default 0)
  --show S      the show's length (default 3600)

The jobs are queued audio first, then the chunks in order, and each worker takes the next job
when it is free (what `ladder worker` does); the audio job and the join's tail scale with the
show's length, a chunk's time does not. The coordinator replays each chunk as it arrives, beside
the encoding, so only the last chunk's replay and the tail come after the last job. Storage and Redis are taken as free: the doc says where that
stops being true."""
import argparse
import heapq
import math


def wall(n_workers, jobs):
    """Greedy list schedule: the time the last job ends."""
    free = [0.0] * n_workers
    heapq.heapify(free)
    end = 0.0
    for t in jobs:
        start = heapq.heappop(free)
        end = max(end, start + t)
        heapq.heappush(free, start + t)
    return end


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chunk", type=float, required=True)
    p.add_argument("--chunk-seconds", type=float, default=30)
    p.add_argument("--audio", type=float, required=True)
    p.add_argument("--join", type=float, required=True)
    p.add_argument("--join-last", type=float, default=0)
    p.add_argument("--sample-seconds", type=float, default=60)
    p.add_argument("--show", type=float, default=3600)
    a = p.parse_args()
    scale = a.show / a.sample_seconds
    chunks = math.ceil(a.show / a.chunk_seconds)
    audio, join = a.audio * scale, a.join * scale + a.join_last
    jobs = [audio] + [a.chunk] * chunks
    one = wall(1, jobs) + join
    print(f"{a.show:.0f} s show: {chunks} chunks of {a.chunk:.1f} s, audio job {audio:.0f} s, "
          f"join {join:.0f} s (one core each)")
    print("| workers | wall (min) | speed-up | efficiency | bound by |")
    print("|---|---|---|---|---|")
    for n in (1, 2, 4, 8, 16, 24, 32, 48, 64):
        jobs_wall = wall(n, jobs)
        total = jobs_wall + join
        if jobs_wall <= audio + 1e-9:
            bound = "the audio job"
        elif n >= chunks:
            bound = "one chunk each"
        else:
            bound = "chunks"
        print(f"| {n} | {total / 60:.1f} | {one / total:.1f}x | {one / total / n:.0%} | {bound} |")


if __name__ == "__main__":
    main()
