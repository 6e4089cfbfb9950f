"""test_chunks.py: a transcode split into jobs (docs/distributed.md) and joined by `ladder package`.

A 14 s clip is transcoded as an audio job (`--audio-only`) and three one-segment video chunks
(`--segments K:1`), made out of order; `ladder package` joins them into a show that passes
every publishing rule (its IDRs, segment cuts and timestamps run on across the joins). The same
jobs made again in another order, with another thread count, give the same files byte for byte.
The chunked show is compared with a local ingest: per rung PSNR-Y and bitrate are reported, and
the bitrate held within 6%. Jobs that do not make a show are refused in one line: a missing or
doubled chunk, chunks that stop before the end, no audio job, a chunk past the end, jobs of
different ladders, a chunk alone. A source with CEA-608 keeps it in every chunk, and its text
comes from the audio job. The audio job decodes no picture of progressive H.264 (it reads the
packets' times and SEI), yet its audio and text are those of a local ingest, byte for byte."""
import json
import os
import re

from ladder_test import ROOT, Checks, cleanup, ladder, make_clip, run, show_version, tree_hashes, workdir

c = Checks("chunks")
d = workdir()
clip = make_clip("good", os.path.join(d, "in.mp4"), "--size", "640x360", "--duration", "14")
lib = os.path.join(d, "lib")


def job(name, *args, src=clip):
    out = os.path.join(d, name)
    r = ladder("transcode", src, "--out", out, "--quiet", *args)
    c.equal(r.returncode, 0, f"transcode {name} {' '.join(args)} ({r.stderr.strip()})")
    return out


def package(show_id, *dirs):
    return ladder("package", *dirs, "--id", show_id, "--library", lib, "--quiet")


def media_hashes(show):
    return {k: v for k, v in tree_hashes(show).items() if k != "show.json"}


audio = job("audio", "--audio-only")
chunks = {k: job(f"c{k}", "--segments", f"{k}:1") for k in (2, 0, 1)}
with open(os.path.join(chunks[1], "summary.json")) as f:
    summary = json.load(f)
c.equal(summary.get("job"), {"first_segment": 1, "segments": 1, "audio_only": False,
                             "reached_end": False}, "summary.json says what the job was")
c.check(not [n for n in os.listdir(chunks[1]) if n.startswith("audio")], "a chunk has no audio")
c.check(sorted(os.listdir(audio)) == ["audio-64k.mp4", "summary.json"], "the audio job has only audio")

r = package("chunked", audio, chunks[0], chunks[1], chunks[2])
c.equal(r.returncode, 0, f"the jobs join into a show that passes validation ({r.stderr.strip()})")
chunked = show_version(lib, "chunked")

# The same jobs again, made in another order with one encoder thread, handed over in another.
audio2 = job("audio2", "--audio-only", "--threads", "1")
again = [job(f"d{k}", "--segments", f"{k}:1", "--threads", "1") for k in (0, 1, 2)]
r = package("chunked-again", again[2], audio2, again[0], again[1])
c.equal(r.returncode, 0, f"package again ({r.stderr.strip()})")
a, b = media_hashes(chunked), media_hashes(show_version(lib, "chunked-again"))
c.check(a == b and len(a) > 20, f"byte-identical whatever the order and threads ({len(a)} files; "
        f"differ: {sorted(k for k in a if a.get(k) != b.get(k))[:5]})")

# Joins: one IDR at every segment start on every rung, and no picture lost or doubled.
master = open(os.path.join(chunked, "master.m3u8")).read()
rung = re.search(r"^hls/([^/]+)/index\.m3u8$", master, re.M).group(1)
frames = 0
for i in range(3):
    seg = os.path.join(chunked, "hls", rung, f"seg{i:05d}.ts")
    p = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "packet=pts_time,flags", "-of", "csv=p=0", seg]).stdout.split()
    frames += len(p)
    c.check(p and p[0].split(",")[1].startswith("K"), f"segment {i} starts with a keyframe: {p[:1]}")
c.equal(frames, 14 * 30, "every picture once across the joins")

# Against a local ingest of the same clip.
r = ladder("ingest", clip, "--id", "local", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"local ingest ({r.stderr.strip()})")
local = {x["name"]: x for x in json.load(open(os.path.join(show_version(lib, "local"), "show.json")))["renditions"]}
for x in json.load(open(os.path.join(chunked, "show.json")))["renditions"]:
    y = local[x["name"]]
    print(f"{x['name']}: PSNR-Y {x['psnr_y']:.2f} dB (local {y['psnr_y']:.2f}), "
          f"{x['avg_bps']} bit/s (local {y['avg_bps']})")
    c.check(abs(x["avg_bps"] / y["avg_bps"] - 1) <= 0.06,
            f"{x['name']}: bitrate {x['avg_bps']} within 6% of local {y['avg_bps']}")

# The audio job read the video's packets and decoded none of them; its audio is the local
# ingest's, which decoded every picture for its clock.
r = ladder("transcode", clip, "--out", os.path.join(d, "audio-log"), "--audio-only")
c.check(r.returncode == 0 and "audio job: 420 pictures on the clock, 0 of them decoded" in r.stderr,
        f"the audio job decodes no picture: {r.stderr.strip()[-300:]!r}")
here, there = media_hashes(chunked), media_hashes(show_version(lib, "local"))
audio_files = sorted(k for k in there if k.startswith("hls/audio/"))
c.check(len(audio_files) >= 4 and all(here.get(k) == there[k] for k in audio_files),
        f"the audio-only variant is the local ingest's, byte for byte ({len(audio_files)} files; "
        f"differ: {[k for k in audio_files if here.get(k) != there[k]][:3]})")

# Jobs that do not make a show.
other = os.path.join(d, "other.xml")
with open(os.path.join(ROOT, "profiles", "pbs16.xml")) as f:
    text = f.read()
with open(other, "w") as f:
    f.write(text.replace('video-kbps="145"', 'video-kbps="150"'))
odd = job("odd", "--segments", "1:1", "--profile", other)
before = tree_hashes(lib)
for name, dirs, words in [
    ("a chunk missing", [audio, chunks[0], chunks[2]], "segment 1 is missing"),
    ("a chunk twice", [audio, chunks[0], chunks[1], chunks[1], chunks[2]], "segment 1 is in two chunks"),
    ("the end missing", [audio, chunks[0], chunks[1]], "before the show does"),
    ("no audio job", [chunks[0], chunks[1], chunks[2]], "audio job"),
    ("a chunk alone", [chunks[1]], "segment 0 is missing"),
    ("another ladder", [audio, chunks[0], odd, chunks[2]], "their plans differ"),
]:
    r = package("bad", *dirs)
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and words in lines[0], f"{name}: {r.stderr.strip()!r}")
c.check(tree_hashes(lib) == before, "nothing published by the refusals")
r = ladder("transcode", clip, "--out", os.path.join(d, "c9"), "--segments", "9:1", "--quiet")
c.check(r.returncode == 1 and "segment 9 is past the end" in r.stderr, f"a chunk past the end: {r.stderr.strip()}")
r = ladder("transcode", clip, "--out", os.path.join(d, "cx"), "--segments", "1", "--quiet")
c.check(r.returncode == 1 and "FIRST:COUNT" in r.stderr, f"a bad --segments: {r.stderr.strip()}")
for bad in ("23,24", ",".join(["23"] * 15 + ["52"]), ",".join(["23"] * 16) + ",", "x"):
    r = ladder("transcode", clip, "--out", os.path.join(d, "cr"), "--crf", bad, "--quiet")
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and "16 rate factors" in lines[0] and
            not os.path.exists(os.path.join(d, "cr")), f"a bad --crf {bad[:20]}: {r.stderr.strip()}")

# CEA-608: every chunk carries it; the audio job's full decode gives the text.
make = os.path.join(ROOT, "tests", "media", "make-captioned.sh")
mov = os.path.join(d, "c608.mov")
r = run([make, "--size", "320x180", "c608", mov])
c.equal(r.returncode, 0, f"make a c608 source ({r.stderr.strip()})")
cc_audio = job("cc-audio", "--audio-only", src=mov)
cc_chunks = [job(f"cc{k}", "--segments", f"{k}:1", src=mov) for k in (0, 1)]
c.check(os.path.exists(os.path.join(cc_audio, "cc608.vtt")) and
        not any(os.path.exists(os.path.join(x, "cc608.vtt")) for x in cc_chunks),
        "the audio job writes the 608's text, the chunks do not")
r = package("cc-chunked", cc_audio, *cc_chunks)
c.equal(r.returncode, 0, f"package the 608 chunks ({r.stderr.strip()})")
cc_show = show_version(lib, "cc-chunked")
cc_master = open(os.path.join(cc_show, "master.m3u8")).read()
c.check('CLOSED-CAPTIONS="cc"' in cc_master and "TYPE=SUBTITLES" in cc_master,
        "the joined show signals its 608 and has the text track")
# The 608 inside the H.264 (a broadcast master's form), read from the SEI without decoding: the
# text is a local ingest's, which took it from the decoded pictures.
emb = os.path.join(d, "embedded.mp4")
r = run([os.environ.get("EMBED_CC", os.path.join(ROOT, "build", "tests", "embed_cc")), mov, emb])
c.equal(r.returncode, 0, f"embed the 608 in the H.264 ({r.stderr.strip()})")
r = ladder("transcode", emb, "--out", os.path.join(d, "emb-audio"), "--audio-only")
c.check(r.returncode == 0 and re.search(r"audio job: \d+ pictures on the clock, 0 of them decoded", r.stderr),
        f"the audio job of an embedded-608 source decodes no picture: {r.stderr.strip()[-200:]!r}")
emb_chunks = [job(f"emb{k}", "--segments", f"{k}:1", src=emb) for k in (0, 1)]
r = package("emb-chunked", os.path.join(d, "emb-audio"), *emb_chunks)
c.equal(r.returncode, 0, f"package the embedded-608 jobs ({r.stderr.strip()})")
r = ladder("ingest", emb, "--id", "emb-local", "--library", lib, "--quiet")
c.equal(r.returncode, 0, f"local ingest of the embedded-608 source ({r.stderr.strip()})")
here, there = media_hashes(show_version(lib, "emb-chunked")), media_hashes(show_version(lib, "emb-local"))
text_files = sorted(k for k in there if k.startswith("subtitles/"))
c.check(len(text_files) >= 2 and all(here.get(k) == there[k] for k in text_files),
        f"the 608's text is the local ingest's, byte for byte ({text_files}; "
        f"differ: {[k for k in text_files if here.get(k) != there[k]]})")

cleanup(d)
c.done()
