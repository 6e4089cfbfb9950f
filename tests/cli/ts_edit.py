"""ts_edit.py: small in-place edits of MPEG-TS segments and MP4 files for the validator tests,
each changing one property and keeping every byte count (so nothing else moves): PES
timestamps, continuity counters, H.264 NAL bytes, ADTS headers, the PMT's stream list, and an
MP4's sample entry, avcC and AudioSpecificConfig."""
import struct

PACKET = 188


def _read(path):
    with open(path, "rb") as f:
        return bytearray(f.read())


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def packets(data):
    """(offset, pid, payload_unit_start, payload_offset) per packet; payload_offset is None
    when the packet carries no payload."""
    for o in range(0, len(data) - PACKET + 1, PACKET):
        pid = (data[o + 1] & 0x1F) << 8 | data[o + 2]
        afc = data[o + 3] >> 4 & 3
        off = 4 + (1 + data[o + 4] if afc & 2 else 0)
        yield o, pid, bool(data[o + 1] & 0x40), (o + off if afc & 1 and off < PACKET else None)


def pmt_sections(data):
    """(packet offset, section offset) of every PMT section, found through the PAT."""
    pmt = None
    for o, pid, start, pay in packets(data):
        if pid == 0 and start and pay is not None:
            p = pay + 1 + data[pay]
            pmt = (data[p + 10] & 0x1F) << 8 | data[p + 11]
        elif pid == pmt and start and pay is not None:
            yield o, pay + 1 + data[pay]


def stream_pids(data):
    """{stream_type: pid} from the first PMT."""
    for _, p in pmt_sections(data):
        end = p + 3 + ((data[p + 1] & 0x0F) << 8 | data[p + 2]) - 4
        q = p + 12 + ((data[p + 10] & 0x0F) << 8 | data[p + 11])
        out = {}
        while q < end:
            out.setdefault(data[q], (data[q + 1] & 0x1F) << 8 | data[q + 2])
            q += 5 + ((data[q + 3] & 0x0F) << 8 | data[q + 4])
        return out
    raise ValueError("no PMT")


VIDEO, AUDIO = 0x1B, 0x0F  # H.264, AAC in ADTS


def pes_units(data, pid):
    """Per PES of pid: the list of file offsets of its payload bytes, in order."""
    units = []
    for o, p, start, pay in packets(data):
        if p != pid or pay is None:
            continue
        if start:
            units.append([])
        if units:
            units[-1].extend(range(pay, o + PACKET))
    return units


def _get_ts(data, o):
    b = data[o:o + 5]
    return (b[0] >> 1 & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


def _put_ts(data, o, v):
    v &= (1 << 33) - 1
    data[o:o + 5] = bytes([(data[o] & 0xF0) | (v >> 30 & 7) << 1 | 1, v >> 22 & 0xFF,
                           (v >> 15 & 0x7F) << 1 | 1, v >> 7 & 0xFF, (v & 0x7F) << 1 | 1])


def retime(path, stream_type, fn):
    """Rewrites every PES timestamp of the stream: fn(pts, dts, index) -> (pts, dts), in 90 kHz
    ticks (dts is None for a PES that carries PTS only)."""
    data = _read(path)
    pid = stream_pids(data)[stream_type]
    for i, unit in enumerate(pes_units(data, pid)):
        h = unit[0]  # PES header: the whole optional header sits in the first packet
        flags = data[h + 7] >> 6
        pts = _get_ts(data, h + 9)
        dts = _get_ts(data, h + 14) if flags == 3 else None
        pts, dts = fn(pts, dts, i)
        _put_ts(data, h + 9, pts)
        if flags == 3:
            _put_ts(data, h + 14, dts)
    _write(path, data)


def continue_cc(previous, path):
    """Renumbers the continuity counters of path so they run on from the segment before it."""
    prev, data = _read(previous), _read(path)
    last = {}
    for o, pid, _, pay in packets(prev):
        last[pid] = prev[o + 3] & 0x0F
    for o, pid, _, pay in packets(data):
        if pid == 0x1FFF or pid not in last:
            continue
        if pay is not None:
            last[pid] = (last[pid] + 1) & 0x0F
        data[o + 3] = (data[o + 3] & 0xF0) | last[pid]
    _write(path, data)


def bump_cc(path, stream_type, nth=0):
    """Adds one to the continuity counter of the stream's nth packet."""
    data = _read(path)
    pid = stream_pids(data)[stream_type]
    o = [o for o, p, _, _ in packets(data) if p == pid][nth]
    data[o + 3] = (data[o + 3] & 0xF0) | ((data[o + 3] + 1) & 0x0F)
    _write(path, data)


def nal_units(data, unit):
    """(nal_type, [offsets of the NAL's bytes]) of the Annex B payload at the offsets in unit,
    the PES header skipped."""
    es = unit[9 + data[unit[8]]:]
    out, i = [], 0
    while i + 3 < len(es):
        if data[es[i]] == 0 and data[es[i + 1]] == 0 and data[es[i + 2]] == 1:
            j = i + 3
            while j + 2 < len(es) and not (data[es[j]] == 0 and data[es[j + 1]] == 0 and
                                           data[es[j + 2]] <= 1):
                j += 1
            end = j if j + 2 < len(es) else len(es)
            out.append((data[es[i + 3]] & 0x1F, es[i + 3:end]))
            i = end
        else:
            i += 1
    return out


def edit_nals(path, fn):
    """fn(data, pes_index, nal_type, offsets) may change the bytes at offsets in place."""
    data = _read(path)
    pid = stream_pids(data)[VIDEO]
    for k, unit in enumerate(pes_units(data, pid)):
        for kind, offs in nal_units(data, unit):
            fn(data, k, kind, offs)
    _write(path, data)


def set_sps_level(path, level):
    """level_idc of every SPS in a TS segment."""
    def fn(data, k, kind, offs):
        if kind == 7:
            data[offs[3]] = level
    edit_nals(path, fn)


def idr_to_non_idr(path, nth_idr):
    """Turns the IDR slices of the segment's nth IDR picture into non-IDR slices (type 5 -> 1)."""
    seen = []

    def fn(data, k, kind, offs):
        if kind == 5:
            if k not in seen:
                seen.append(k)
            if seen.index(k) == nth_idr:
                data[offs[0]] = (data[offs[0]] & 0xE0) | 1
    edit_nals(path, fn)


def set_adts_channels(path, channels):
    """channel_configuration of every ADTS header (one AAC frame per PES)."""
    data = _read(path)
    pid = stream_pids(data)[AUDIO]
    for unit in pes_units(data, pid):
        es = unit[9 + data[unit[8]]:]
        i = 0
        while i + 7 <= len(es) and data[es[i]] == 0xFF and data[es[i + 1]] & 0xF6 == 0xF0:
            data[es[i + 2]] = (data[es[i + 2]] & 0xFE) | (channels >> 2 & 1)
            data[es[i + 3]] = (data[es[i + 3]] & 0x3F) | (channels & 3) << 6
            length = (data[es[i + 3]] & 3) << 11 | data[es[i + 4]] << 3 | data[es[i + 5]] >> 5
            if length < 7:
                break
            i += length
    _write(path, data)


def _crc32_mpeg(b):
    crc = 0xFFFFFFFF
    for x in b:
        crc ^= x << 24
        for _ in range(8):
            crc = (crc << 1 ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def add_pmt_stream(path, stream_type, new_pid):
    """Declares one more elementary stream in every PMT of the segment (no packets carry it)."""
    data = _read(path)
    for o, p in list(pmt_sections(data)):
        length = (data[p + 1] & 0x0F) << 8 | data[p + 2]
        end = p + 3 + length - 4  # the CRC's place
        entry = bytes([stream_type, 0xE0 | new_pid >> 8, new_pid & 0xFF, 0xF0, 0])
        section = data[p:end] + entry
        length += len(entry)
        section[1:3] = bytes([(section[1] & 0xF0) | length >> 8, length & 0xFF])
        section += struct.pack(">I", _crc32_mpeg(section))
        assert p + len(section) <= o + PACKET, "PMT does not fit its packet"
        data[p:p + len(section)] = section
    _write(path, data)


# ---- MP4 -----------------------------------------------------------------------------------

def _descriptor_len(data, i):
    n = 0
    while True:
        b = data[i]
        i += 1
        n = n << 7 | (b & 0x7F)
        if not b & 0x80:
            return n, i


def mp4_patch(path, fn):
    data = _read(path)
    fn(data)
    _write(path, data)


def sample_entry_to_avc3(data):
    i = data.index(b"avc1", data.index(b"stsd"))
    data[i:i + 4] = b"avc3"


def avcc_level(level):
    def fn(data):
        i = data.index(b"avcC") + 4  # configurationVersion
        data[i + 3] = level          # AVCLevelIndication
        data[i + 8 + 3] = level      # the SPS's level_idc (NAL header at i + 8)
    return fn


def asc_object_type(aot):
    """Sets the audio object type in the esds AudioSpecificConfig."""
    def fn(data):
        i = data.index(b"esds") + 8
        assert data[i] == 3  # ES_Descriptor
        _, i = _descriptor_len(data, i + 1)
        i += 3  # ES_ID, flags (none set by FFmpeg)
        assert data[i] == 4  # DecoderConfigDescriptor
        _, i = _descriptor_len(data, i + 1)
        i += 13
        assert data[i] == 5  # DecoderSpecificInfo: the AudioSpecificConfig
        _, i = _descriptor_len(data, i + 1)
        data[i] = (aot << 3) | (data[i] & 7)
    return fn
