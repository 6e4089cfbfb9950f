#!/usr/bin/env python3
"""scte35_ts.py OUT.ts [--duration S] [--size WxH] [--cue T[/D][:KIND]]... [--bad-cue T]...
                    [--pts-adjustment N] [--lead S] [--no-program-cuei] [--json]

Makes an MPEG-TS mezzanine (H.264 + AAC from ffmpeg's testsrc2 and sine, 25 fps) that carries
SCTE-35 cues at the given times (seconds from the first picture), for the tests of Ladder's
SCTE-35 reader (docs/ads.md). This is the one place Ladder writes SCTE-35.

FFmpeg 5.1's mpegts muxer has no SCTE-35 stream type (a data stream is muxed as private PES
data), so ffmpeg makes the A/V file and this script adds the cues itself:
- every PMT is rewritten with a registration descriptor "CUEI" in the program loop (FFmpeg's
  demuxer reads stream_type 0x86 as SCTE-35 sections only then) and one more elementary
  stream, stream_type 0x86 on PID 0x1F0 with its own "CUEI" registration descriptor; the
  section_length and CRC-32 are made again (--no-program-cuei leaves the program's descriptor
  out, as some muxers do: FFmpeg then sees a stream of unknown codec tagged "CUEI");
- each cue is one splice_info_section in one TS packet on that PID (payload_unit_start,
  pointer_field 0, stuffing 0xFF), placed after the first packet whose PCR reaches the cue's
  time less --lead seconds (an immediate cue: its time exactly, since FFmpeg stamps a section
  with the PCR it arrives after).

pts_time = first video PTS (ffprobe's start_pts of the video stream) + T * 90000, less
pts_adjustment, mod 2^33. KIND: insert (default; splice_insert out-point, break_duration D if
given, auto_return), immediate (splice_insert, splice_immediate_flag), time_signal or
time_signal=0xTT (segmentation_descriptor of type 0xTT, default 0x34, segmentation_duration D),
in (splice_insert in-point), cancel (splice_event_cancel), null (splice_null), badcrc (an
insert whose CRC is wrong: FFmpeg's demuxer drops it), broken (a right CRC on a command cut
short: the reader must refuse it). --bad-cue T is --cue T:badcrc.

Prints one line per cue, `cue TIME KIND DURATION PTS90 0xHEX` (DURATION 0 when none), after
`first_video_pts N`; with --json, one JSON document with the same facts instead.
Needs Python 3 and ffmpeg/ffprobe."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

TS = 188
SCTE35_PID = 0x1F0
PTS_MASK = (1 << 33) - 1


def crc32_mpeg2(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def with_crc(body):
    return body + crc32_mpeg2(body).to_bytes(4, "big")


def splice_time(pts):
    return bytes([0xFE | (pts >> 32) & 1]) + (pts & 0xFFFFFFFF).to_bytes(4, "big")


def break_duration(seconds, auto_return=True):
    ticks = round(seconds * 90000)
    return bytes([(0x80 if auto_return else 0) | 0x7E | (ticks >> 32) & 1]) + \
        (ticks & 0xFFFFFFFF).to_bytes(4, "big")


def section(command_type, command, descriptors=b"", adjustment=0):
    """A splice_info_section: header, command, descriptor loop, CRC-32."""
    rest = bytes([0x00,  # protocol_version
                  (adjustment >> 32) & 1]) + (adjustment & 0xFFFFFFFF).to_bytes(4, "big") + \
        bytes([0xFF,  # cw_index
               0xFF, 0xF0 | len(command) >> 8, len(command) & 0xFF, command_type]) + \
        command + len(descriptors).to_bytes(2, "big") + descriptors
    length = len(rest) + 4
    return with_crc(bytes([0xFC, 0x30 | length >> 8, length & 0xFF]) + rest)


def make_cue(kind, pts, duration, event_id, adjustment):
    pts_time = (pts - adjustment) & PTS_MASK
    if kind in ("insert", "in", "badcrc", "broken", "immediate"):
        immediate = kind == "immediate"
        flags = (0x00 if kind == "in" else 0x80) | 0x40 | (0x20 if duration else 0) | \
            (0x10 if immediate else 0) | 0x0F
        cmd = event_id.to_bytes(4, "big") + bytes([0x7F, flags])
        if not immediate:
            cmd += splice_time(pts_time)
        if duration:
            cmd += break_duration(duration)
        cmd += bytes([0x00, 0x01, 0x00, 0x00])  # unique_program_id, avail_num, avails_expected
        if kind == "broken":
            cmd = cmd[:7]  # the splice_time cut short, the length saying so: a right CRC
        sec = section(0x05, cmd, adjustment=adjustment)
        if kind == "badcrc":
            sec = sec[:-1] + bytes([sec[-1] ^ 0xFF])
        return sec
    if kind == "cancel":
        return section(0x05, event_id.to_bytes(4, "big") + bytes([0xFF]), adjustment=adjustment)
    if kind == "null":
        return section(0x00, b"", adjustment=adjustment)
    if kind.startswith("time_signal"):
        seg_type = int(kind.split("=", 1)[1], 16) if "=" in kind else 0x34
        body = b"CUEI" + event_id.to_bytes(4, "big") + bytes([0x7F])
        body += bytes([0xC0 | 0x20 | 0x1F if duration else 0x80 | 0x20 | 0x1F])
        if duration:
            ticks = round(duration * 90000)
            body += ticks.to_bytes(5, "big")
        body += bytes([0x00, 0x00, seg_type, 0x01, 0x01])  # no upid; segment 1 of 1
        if seg_type in (0x34, 0x36):
            body += bytes([0x00, 0x00])  # sub_segment_num, sub_segments_expected
        descriptor = bytes([0x02, len(body)]) + body
        return section(0x06, splice_time(pts_time), descriptor, adjustment=adjustment)
    raise SystemExit(f"scte35_ts.py: unknown cue kind {kind!r}")


def parse_cue(text):
    when, _, kind = text.partition(":")
    t, _, d = when.partition("/")
    return float(t), float(d) if d else 0.0, kind or "insert"


def psi_sections(packets, pid):
    """(index, section bytes) of the sections starting in pid's packets (one packet each)."""
    for i, p in enumerate(packets):
        if (int.from_bytes(p[1:3], "big") & 0x1FFF) != pid or not p[1] & 0x40:
            continue
        off = 4 + (p[4] + 1 if p[3] & 0x20 else 0)
        off += 1 + p[off]  # pointer_field
        length = 3 + ((p[off + 1] & 0x0F) << 8 | p[off + 2])
        yield i, p[off:off + length]


def new_pmt(pmt, program_cuei=True):
    """The PMT with "CUEI" registered for the program and an SCTE-35 stream added."""
    reg = bytes([0x05, 0x04]) + b"CUEI"
    prog_len = (pmt[10] & 0x0F) << 8 | pmt[11]
    head, prog, streams = pmt[3:10], pmt[12:12 + prog_len], pmt[12 + prog_len:-4]
    if program_cuei:
        prog += reg
    streams += bytes([0x86, 0xE0 | SCTE35_PID >> 8, SCTE35_PID & 0xFF, 0xF0, len(reg)]) + reg
    body = head + bytes([0xF0 | len(prog) >> 8, len(prog) & 0xFF]) + prog + streams
    length = len(body) + 4
    return with_crc(bytes([0x02, 0xB0 | length >> 8, length & 0xFF]) + body)


def section_packet(pid, sec, cc):
    payload = bytes([0]) + sec  # pointer_field
    if len(payload) > TS - 4:
        raise SystemExit("scte35_ts.py: a section longer than one TS packet")
    return bytes([0x47, 0x40 | pid >> 8, pid & 0xFF, 0x10 | cc & 0x0F]) + \
        payload + b"\xff" * (TS - 4 - len(payload))


def pcr_of(p):
    if not p[3] & 0x20 or p[4] < 7 or not p[5] & 0x10:
        return None
    return int.from_bytes(p[6:10], "big") << 1 | p[10] >> 7


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--cue", action="append", default=[])
    ap.add_argument("--bad-cue", action="append", default=[], type=float)
    ap.add_argument("--pts-adjustment", type=int, default=0)
    ap.add_argument("--lead", type=float, default=2.0,
                    help="seconds a timed cue arrives before its time (default 2)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-program-cuei", action="store_true",
                    help="leave the program loop's registration out (FFmpeg then reads no cue)")
    a = ap.parse_args()
    cues = [parse_cue(c) for c in a.cue] + [(t, 0.0, "badcrc") for t in a.bad_cue]

    with tempfile.TemporaryDirectory() as tmp:
        av = os.path.join(tmp, "av.ts")
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size={a.size}:rate=25",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
             "-t", str(a.duration), "-map", "0:v", "-map", "1:a",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "96k", "-f", "mpegts", av], check=True)
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=start_pts", "-of", "csv=p=0", av],
            check=True, capture_output=True, text=True)
        first_pts = int(probe.stdout.split()[0])
        with open(av, "rb") as f:
            data = f.read()
    packets = [data[i:i + TS] for i in range(0, len(data) - TS + 1, TS)]

    pmt_pid = next(int.from_bytes(s[10:12], "big") & 0x1FFF for _, s in psi_sections(packets, 0))
    pmts = list(psi_sections(packets, pmt_pid))
    pmt = new_pmt(pmts[0][1], not a.no_program_cuei)
    for i, _ in pmts:
        p = packets[i]
        if p[3] & 0x30 != 0x10:
            raise SystemExit("scte35_ts.py: a PMT packet with an adaptation field")
        packets[i] = p[:4] + bytes([0]) + pmt + b"\xff" * (TS - 5 - len(pmt))

    made = []
    for n, (t, d, kind) in enumerate(cues):
        pts = (first_pts + round(t * 90000)) & PTS_MASK
        made.append((t, kind, d, pts, make_cue(kind, pts, d, 0x1000 + n, a.pts_adjustment)))
    # Where each goes: after the first PCR at (or past) its arrival time, and after the PMT.
    inserts = {}
    pcrs = [(i, pcr_of(p)) for i, p in enumerate(packets)]
    pcrs = [(i, v) for i, v in pcrs if v is not None]
    for t, kind, d, pts, sec in made:
        arrive = t if kind == "immediate" else max(0.0, t - a.lead)
        target = first_pts + round(arrive * 90000)
        if kind == "immediate":  # the nearest PCR: FFmpeg stamps the section with it
            at = min(pcrs, key=lambda iv: abs(iv[1] - target))[0]
        else:
            at = next((i for i, v in pcrs if v >= target), pcrs[-1][0])
        inserts.setdefault(max(at, pmts[0][0]), []).append(sec)
    out, cc = [], 0
    for i, p in enumerate(packets):
        out.append(p)
        for sec in inserts.get(i, []):
            out.append(section_packet(SCTE35_PID, sec, cc))
            cc += 1
    with open(a.out, "wb") as f:
        f.write(b"".join(out))

    if a.json:
        json.dump({"first_video_pts": first_pts, "scte35_pid": SCTE35_PID,
                   "cues": [{"time": t, "kind": kind, "duration": d, "pts90": pts,
                             "hex": "0x" + sec.hex().upper()}
                            for t, kind, d, pts, sec in made]}, sys.stdout)
        print()
    else:
        print(f"first_video_pts {first_pts}")
        for t, kind, d, pts, sec in made:
            print(f"cue {t:g} {kind} {d:g} {pts} 0x{sec.hex().upper()}")


if __name__ == "__main__":
    main()
