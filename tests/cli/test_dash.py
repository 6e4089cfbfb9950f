"""test_dash.py: an fMP4 show is also MPEG-DASH (docs/dash.md): vN/manifest.mpd over the very
segment files its HLS playlists name, read by three players' parsers other than ours.
- The MPD: a static isoff-live presentation with one video AdaptationSet (every HLS rung, its
  @bandwidth the measured peak of its segments, @codecs/@width/@height/@frameRate/@sar), one
  audio AdaptationSet (each AAC bitrate, with a Role and a lang), a text/vtt AdaptationSet over
  the sidecar WebVTT, an image AdaptationSet per thumbnail size over its sprite sheets, and the
  CEA-608 Accessibility descriptor for the 608 in the video.
- The HLS beside it: video segments carry only video, each AAC is an EXT-X-MEDIA audio
  rendition that the variants name, and no media file exists twice.
- Timing: every video Representation starts at the period's start and every audio one within
  its AAC priming frame before, so sound and picture stay in sync.
- Readers: mpd-parser (tests/js/check_mpd.mjs, against the HLS playlists), ffmpeg's dash
  demuxer and GStreamer's dashdemux (playbin), each over HTTP from `ladder serve`.
- A TS show of the same clip has no MPD and says so in show.json."""
import math
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "origin"))
from ladder_test import (ROOT, Checks, cleanup, ffprobe, ladder, load_show_json, run,
                         show_version, workdir)  # noqa: E402
from origin_test import start_origin, stop  # noqa: E402

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}
c = Checks("dash")
d = workdir()
EMBED_CC = os.environ.get("EMBED_CC", os.path.join(os.path.dirname(os.environ.get(
    "LADDER", os.path.join(ROOT, "build", "ladder"))), "tests", "embed_cc"))
clip = os.path.join(d, "cc.mp4")
r = run([os.path.join(ROOT, "tests", "media", "make-captioned.sh"), "--size", "640x360",
         "--duration", "14", "embedded", clip], env=dict(os.environ, EMBED_CC=EMBED_CC))
if not c.equal(r.returncode, 0, f"a 14 s clip with CEA-608 ({r.stderr.strip()[-200:]})"):
    c.done()
with open(os.path.join(ROOT, "tests", "browser", "player-ladder.xml")) as f:
    ladder_xml = f.read()
lib = os.path.join(d, "lib")
for container in ("fmp4", "ts"):
    profile = os.path.join(d, f"{container}.xml")
    with open(profile, "w") as f:
        f.write(ladder_xml.replace('container="ts"', f'container="{container}"'))
    r = ladder("ingest", clip, "--id", container, "--library", lib, "--profile", profile, "--quiet")
    c.equal(r.returncode, 0, f"ingest as {container} ({r.stderr.strip()[-300:]})")

show = show_version(lib, "fmp4")
mpd_path = os.path.join(show, "manifest.mpd")
meta = load_show_json(os.path.join(show, "show.json"))
c.check(meta.get("container") == "fmp4" and meta.get("dash") == {"path": "manifest.mpd"},
        f"show.json: container fmp4 and the MPD ({meta.get('container')}, {meta.get('dash')})")
if not c.check(os.path.exists(mpd_path), "the fMP4 show has vN/manifest.mpd"):
    c.done()
root = ET.parse(mpd_path).getroot()
c.check(root.get("type") == "static" and "urn:mpeg:dash:profile:isoff-live:2011" in
        root.get("profiles", "") and root.get("mediaPresentationDuration", "").startswith("PT")
        and root.get("minBufferTime"), f"MPD: static, isoff-live, durations ({root.attrib})")
all_sets = list(root.iterfind("d:Period/d:AdaptationSet", NS))
sets = {a.get("contentType"): a for a in all_sets}
c.equal(sorted(a.get("contentType") for a in all_sets), ["audio", "image", "image", "text", "video"],
        "one video, one audio, one text and two image (thumbnail) AdaptationSets")
for a in (a for a in all_sets if a.get("contentType") == "image"):
    tile = a.find("d:Representation/d:EssentialProperty", NS)
    media = a.find("d:SegmentTemplate", NS).get("media").replace("$Number%05d$", "00000")
    c.check(tile is not None and tile.get("schemeIdUri") == "http://dashif.org/thumbnail_tile" and
            tile.get("value") == "5x5" and os.path.exists(os.path.join(show, media)),
            f"image AdaptationSet: thumbnail_tile 5x5 over existing sheets ({media})")


def segment_bits(folder):
    """[(bits, EXTINF)] of an HLS playlist's segments."""
    text = open(os.path.join(show, "hls", folder, "index.m3u8")).read()
    pairs = re.findall(r"#EXTINF:([\d.]+),\n(\S+)", text)
    return [(os.path.getsize(os.path.join(show, "hls", folder, u)) * 8, float(t)) for t, u in pairs]


def timeline(rep):
    """(timescale, presentationTimeOffset, first S@t) of a Representation's template."""
    tpl = rep.find("d:SegmentTemplate", NS)
    first = tpl.find("d:SegmentTimeline/d:S", NS)
    return int(tpl.get("timescale")), int(tpl.get("presentationTimeOffset")), int(first.get("t"))


master = open(os.path.join(show, "master.m3u8")).read()
rungs = re.findall(r"^hls/(hls-[^/]+)/index\.m3u8$", master, re.M)
video = sets.get("video")
reps = {r.get("id"): r for r in video.iterfind("d:Representation", NS)} if video is not None else {}
c.equal(sorted(reps), sorted(rungs), "every HLS rung is a video Representation")
for name, rep in reps.items():
    peak = max(b / t for b, t in segment_bits(name))
    c.equal(int(rep.get("bandwidth")), math.ceil(peak), f"{name}: @bandwidth is its measured peak")
    c.check(all(rep.get(a) for a in ("codecs", "width", "height", "frameRate", "sar")),
            f"{name}: codecs, width, height, frameRate and sar ({rep.attrib})")
    scale, offset, first = timeline(rep)
    c.equal(first, offset, f"{name}: its first picture is at the period's start")
    probe = ffprobe(os.path.join(show, "hls", name, "init.mp4"), "-show_entries",
                    "stream=codec_type")
    c.equal([s["codec_type"] for s in probe["streams"]], ["video"], f"{name}: video alone")
c.check(video is not None and video.find(
    "d:Accessibility[@schemeIdUri='urn:scte:dash:cc:cea-608:2015']", NS) is not None,
    "the video's CEA-608 is signalled (Accessibility, urn:scte:dash:cc:cea-608:2015)")

audio = sets.get("audio")
folders = sorted(f for f in os.listdir(os.path.join(show, "hls")) if f.startswith("audio"))
areps = {r.get("id"): r for r in audio.iterfind("d:Representation", NS)} if audio is not None else {}
c.check(len(folders) == 2 and sorted(areps) == folders,
        f"each AAC bitrate is an audio Representation ({sorted(areps)} vs {folders})")
c.check(audio is not None and audio.get("lang") and audio.find("d:Role", NS) is not None,
        "the audio AdaptationSet has a lang and a Role")
for name, rep in areps.items():
    scale, offset, first = timeline(rep)
    c.check(0 <= offset - first <= 1024, f"{name}: starts within its priming frame of the video "
            f"({offset - first} samples early)")
    c.equal(int(rep.get("bandwidth")), math.ceil(max(b / t for b, t in segment_bits(name))),
            f"{name}: @bandwidth is its measured peak")
    groups = re.findall(rf'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="([^"]+)".*URI="hls/{name}/index.m3u8"',
                        master)
    c.check(len(groups) == 1 and f'AUDIO="{groups[0]}"' in master,
            f"{name} is an HLS audio rendition the variants name ({groups})")
text = sets.get("text")
base = text.find("d:Representation/d:BaseURL", NS) if text is not None else None
c.check(base is not None and text.get("mimeType") == "text/vtt" and
        open(os.path.join(show, base.text)).read().startswith("WEBVTT"),
        "the captions are a text/vtt AdaptationSet over the sidecar WebVTT")

uris = set(re.findall(r'(?:initialization|media)="([^"]+)"', open(mpd_path).read()))
c.equal(uris, {"hls/$RepresentationID$/init.mp4", "hls/$RepresentationID$/seg$Number%05d$.m4s",
              "thumbnails/160/sheet$Number%05d$.jpg", "thumbnails/320/sheet$Number%05d$.jpg"},
        "the MPD names the HLS folders' files and the thumbnail sheets, nothing of its own")
r = run(["node", os.path.join(ROOT, "tests", "js", "check_mpd.mjs"), show])
c.equal(r.returncode, 0, f"mpd-parser reads the MPD as the HLS playlists say: {r.stdout.strip()}")

proc, port = start_origin(lib)
url = f"http://127.0.0.1:{port}/shows/fmp4/{os.path.basename(show)}/manifest.mpd"
# the text AdaptationSet is a stream ffmpeg has no decoder for: the video and audio only
r = run(["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", url, "-map", "0:v", "-map", "0:a",
         "-progress", "pipe:1", "-nostats", "-f", "null", "-"], timeout=180)
reached = [int(v) / 1e6 for v in re.findall(r"^out_time_us=(\d+)$", r.stdout, re.M)]
c.check(r.returncode == 0 and not r.stderr.strip() and reached and
        reached[-1] >= meta["duration"] - 0.1,
        f"ffmpeg's dash demuxer plays every Representation to the end ({meta['duration']} s): exit "
        f"{r.returncode}, reached {reached[-1] if reached else None} s {r.stderr[:300]}")
r = run(["gst-launch-1.0", "-q", "playbin", f"uri={url}", "video-sink=fakesink sync=false",
         "audio-sink=fakesink sync=false"], timeout=120)
out = r.stdout + r.stderr
c.check(r.returncode == 0 and "ERROR" not in out and "WARNING" not in out,
        f"GStreamer's dashdemux (playbin) plays the MPD: exit {r.returncode} {out.strip()[:300]}")
c.equal(stop(proc), 0, "ladder serve exits 0")

ts = show_version(lib, "ts")
ts_meta = load_show_json(os.path.join(ts, "show.json"))
c.check(not os.path.exists(os.path.join(ts, "manifest.mpd")) and "dash" not in ts_meta and
        ts_meta.get("container") == "ts", "a TS show has no MPD, and show.json says it is TS")
cleanup(d)
c.done()
