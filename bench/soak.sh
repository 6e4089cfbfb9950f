#!/usr/bin/env bash
# bench/soak.sh: does `ladder serve` stay correct, and its memory and descriptors flat, under
# hours-like mixed traffic, abuse and re-ingests? (docs/soak.md)
#
# One origin serves one show ("soak": a 20 s 640x360 clip ingested with the browser tests'
# ladder, made once and cached in the work folder) for --duration seconds while, all at once:
#   * wrk (16 connections, 2 threads; a generated Lua script) sends well-formed requests:
#     segments of every rung, media and master playlists (some gzip), Range requests
#     (bytes=0-1023, suffix, open-ended) and If-None-Match with the ETag of a first GET;
#   * an abuse client (python3, raw sockets) sends malformed request lines, bad percent-escapes,
#     path traversal, huge and countless headers, bad Range headers, bad HTTP versions, bodies,
#     random mutations, and holds slowloris connections (a header byte every 3 s, never done);
#   * a player (python3, http.client) loads master.m3u8, then a media playlist and its segments
#     in order, round and round, checking every byte against the library, and reloads the
#     master every 10 s;
#   * the show is re-ingested every 60 s (a new version) while it plays.
# The origin's RSS and open descriptors are sampled every 10 s. A summary follows; the exit
# status is 1 if a criterion fails (a 5xx, an error on a well-formed request, RSS growth of
# 10% or more, descriptors that grow beyond the connections and cached files that explain them,
# a failed re-ingest or a player that did not survive one, a crash).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=soak.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

usage() {
    cat <<'EOF'
usage: bench/soak.sh [--duration SECONDS] [--work DIR] [--ladder PATH] [--json-out FILE]
                     [--reingest-every SECONDS] [--slowloris N]
  --duration S        how long the load runs (default 600; at least 60)
  --work DIR          work folder; keeps the sample library between runs (default
                      /tmp/ladder-soak); this run's files go to DIR/run/
  --ladder PATH       ladder binary (default: build/ladder)
  --json-out FILE     also write the figures as JSON to FILE
  --reingest-every S  seconds between re-ingests (default 60, or duration/4 under 240 s)
  --slowloris N       slowloris connections held open (default 60)
Needs wrk, python3 and curl (installed with apt-get when missing and running as root).
EOF
}

LADDER=$ROOT/build/ladder DURATION=600 WORK=/tmp/ladder-soak JSON_OUT='' REINGEST_EVERY=''
SLOWLORIS=60
while (($#)); do
    case $1 in
        --duration) DURATION=${2:?}; shift ;;
        --work) WORK=${2:?}; shift ;;
        --ladder) LADDER=${2:?}; shift ;;
        --json-out) JSON_OUT=${2:?}; shift ;;
        --reingest-every) REINGEST_EVERY=${2:?}; shift ;;
        --slowloris) SLOWLORIS=${2:?}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if ! [[ $DURATION =~ ^[0-9]+$ ]] || ((DURATION < 60)); then die "--duration must be a whole number >= 60"; fi
[[ $SLOWLORIS =~ ^[0-9]+$ ]] || die "--slowloris must be a whole number"
if [[ -z $REINGEST_EVERY ]]; then
    REINGEST_EVERY=60
    ((DURATION >= 240)) || REINGEST_EVERY=$((DURATION / 4))
fi
if ! [[ $REINGEST_EVERY =~ ^[0-9]+$ ]] || ((REINGEST_EVERY < 10)); then
    die "--reingest-every must be a whole number >= 10"
fi
[[ -x $LADDER ]] || die "no ladder binary at $LADDER (run scripts/build.sh)"
need wrk wrk
need python3 python3
need curl curl
ulimit -n "$(ulimit -Hn)"

SHOW=soak
WARMUP=30          # seconds before the first sample that counts
SAMPLE_EVERY=10    # seconds between RSS/fd samples
ABUSE_STOP=20      # the abuse client (slowloris included) stops this long before the end
REINGEST_MARGIN=40 # no re-ingest starts later than this before the end
WRK_THREADS=2 WRK_CONNS=16
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
LIB=$WORK/lib CLIP=$WORK/clip.mp4 RUN=$WORK/run
rm -rf "$RUN"
mkdir -p "$RUN"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# --- the library: one show, made once --------------------------------------------------------

ingest() { "$LADDER" ingest "$CLIP" --id "$SHOW" --profile "$ROOT/tests/browser/player-ladder.xml" --library "$LIB" --quiet; }

make_library() {
    [[ -e $LIB/$SHOW/master.m3u8 ]] && return 0
    log "making the sample show (once; cached in $WORK)"
    "$ROOT/tests/media/make-clip.sh" good "$CLIP" --size 640x360 --duration 20
    ingest
}

# --- the clients, written into the run folder ------------------------------------------------

write_clients() {
    # prep.py HOST PORT LIB SHOW OUT: the wrk script's data (Lua): every segment, playlist and
    # MP4 of the current version with its size and the ETag of a first GET (and of a first
    # gzip GET for playlists).
    cat >"$RUN/prep.py" <<'EOF'
import http.client, json, os, sys

host, port, lib, show, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
version = os.readlink(os.path.join(lib, show, "current"))
base = os.path.join(lib, show, version)
conn = http.client.HTTPConnection(host, port, timeout=10)


def first_get(path, gzip=False):
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip else {})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"prep: GET {path}: {r.status}")
    return r.getheader("ETag"), len(body)


def files(sub, ext):
    found = []
    for d, _, names in os.walk(os.path.join(base, sub)):
        found += [os.path.join(d, n) for n in names if n.endswith(ext)]
    return sorted(found)


def entry(f, gzip=False):
    path = f"/shows/{show}/{version}/" + os.path.relpath(f, base)
    etag, size = first_get(path)
    if size != os.path.getsize(f):
        sys.exit(f"prep: {path}: {size} bytes, {os.path.getsize(f)} on disk")
    e = {"path": path, "size": size, "etag": etag}
    if gzip:
        e["etag_gz"] = first_get(path, True)[0]
    return e


segments = [entry(f) for f in files("hls", ".ts")]
media = [entry(f, True) for f in files("hls", ".m3u8")]
mp4s = [entry(f) for f in files("mp4", ".mp4")]
vmaster = entry(os.path.join(base, "master.m3u8"), True)
first_get(f"/shows/{show}/master.m3u8")
data = {
    "version": version,
    "segments": segments,                 # plain GETs: every rung's segments
    "media": media,                       # media and I-frame playlists
    "masters": [{"path": f"/shows/{show}/master.m3u8"}, vmaster],
    "ranged": segments + mp4s,            # Range requests
    "immutable": segments + media + [vmaster],  # If-None-Match, identity
    "immutable_pl": media + [vmaster],    # If-None-Match, gzip
}


def lua(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {lua(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "{" + ", ".join(lua(x) for x in v) + "}"
    if isinstance(v, str):
        return json.dumps(v)  # ASCII: a JSON string is a Lua string
    return str(v)


with open(out, "w") as f:
    f.write("return " + lua(data) + "\n")
print(version, len(segments), len(media), len(mp4s), segments[0]["path"])
EOF

    # The wrk script: the request mix, responses counted by status and by what they are.
    cat >"$RUN/soak.lua" <<'EOF'
-- soak.lua (written by bench/soak.sh): well-formed load for wrk. Args: the data file prep.py
-- wrote. Counts requests sent by kind and responses by status and by what came back (a
-- response does not say which request it answers, so its kind is read from its headers), and
-- checks bodies: a 206 as long as its Content-Range says, a segment starting with the TS sync
-- byte, a playlist with #EXTM3U, gzip with its magic. Prints "SOAK ..." lines at the end.
local threads, nthreads = {}, 0

function setup(thread)
    nthreads = nthreads + 1
    thread:set("id", nthreads)
    threads[nthreads] = thread
end

local data
local schedule = {"segment", "segment", "segment", "segment", "segment", "segment",
    "playlist", "playlist_gzip", "master", "master_gzip",
    "range_head", "range_suffix", "range_open", "range_head", "range_suffix", "range_open",
    "conditional", "conditional", "conditional_gzip"}
local k = 0
sent, statuses, answers, bad = {}, {}, {}, 0

function init(args)
    data = dofile(args[1])
    math.randomseed(os.time() * 7919 + (id or 0) * 104729)
    k = math.random(#schedule)
end

local function pick(t) return t[math.random(#t)] end
local GZ = {["Accept-Encoding"] = "gzip"}

function request()
    k = k % #schedule + 1
    local kind = schedule[k]
    sent[kind] = (sent[kind] or 0) + 1
    if kind == "segment" then
        return wrk.format("GET", pick(data.segments).path)
    elseif kind == "playlist" then
        return wrk.format("GET", pick(data.media).path)
    elseif kind == "playlist_gzip" then
        return wrk.format("GET", pick(data.media).path, GZ)
    elseif kind == "master" then
        return wrk.format("GET", pick(data.masters).path)
    elseif kind == "master_gzip" then
        return wrk.format("GET", pick(data.masters).path, GZ)
    elseif kind == "range_head" then
        return wrk.format("GET", pick(data.ranged).path, {Range = "bytes=0-1023"})
    elseif kind == "range_suffix" then
        return wrk.format("GET", pick(data.ranged).path,
            {Range = "bytes=-" .. math.random(1, 4096)})
    elseif kind == "range_open" then
        local f = pick(data.ranged)
        return wrk.format("GET", f.path, {Range = "bytes=" .. math.random(0, f.size - 1) .. "-"})
    elseif kind == "conditional" then
        local f = pick(data.immutable)
        return wrk.format("GET", f.path, {["If-None-Match"] = f.etag})
    else -- conditional_gzip
        local f = pick(data.immutable_pl)
        return wrk.format("GET", f.path,
            {["If-None-Match"] = f.etag_gz, ["Accept-Encoding"] = "gzip"})
    end
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    local what
    if status == 304 then
        what = "not_modified"
    elseif status == 206 then
        what = "partial"
        local a, b = string.match(headers["Content-Range"] or "", "^bytes (%d+)%-(%d+)/%d+$")
        if not a or #body ~= tonumber(b) - tonumber(a) + 1 then bad = bad + 1 end
    elseif status == 200 then
        local ct = headers["Content-Type"] or ""
        if headers["Content-Encoding"] == "gzip" then
            what = "playlist_gzip"
            if body:sub(1, 2) ~= "\31\139" then bad = bad + 1 end
        elseif ct == "video/mp2t" then
            what = "segment"
            if body:byte(1) ~= 0x47 or #body % 188 ~= 0 then bad = bad + 1 end
        elseif ct:find("mpegurl", 1, true) then
            what = "playlist"
            if body:sub(1, 7) ~= "#EXTM3U" then bad = bad + 1 end
        else
            what = "other"
        end
    else
        what = "error"
    end
    answers[what] = (answers[what] or 0) + 1
end

local function add(into, from)
    for key, n in pairs(from or {}) do into[key] = (into[key] or 0) + n end
end

function done(summary, latency, requests)
    local s, st, an, b = {}, {}, {}, 0
    for _, t in ipairs(threads) do
        add(s, t:get("sent"))
        add(st, t:get("statuses"))
        add(an, t:get("answers"))
        b = b + (t:get("bad") or 0)
    end
    local e = summary.errors
    io.write(string.format("SOAK total %d\nSOAK seconds %.3f\n", summary.requests,
        summary.duration / 1e6))
    io.write(string.format("SOAK socket_errors connect=%d read=%d write=%d timeout=%d\n",
        e.connect, e.read, e.write, e.timeout))
    io.write(string.format("SOAK latency_ms p50=%.2f p99=%.2f max=%.2f\n",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    io.write(string.format("SOAK bad_bodies %d\n", b))
    for key, n in pairs(s) do io.write(string.format("SOAK sent %s %d\n", key, n)) end
    for key, n in pairs(st) do io.write(string.format("SOAK status %s %d\n", key, n)) end
    for key, n in pairs(an) do io.write(string.format("SOAK answer %s %d\n", key, n)) end
end
EOF

    # abuse.py HOST PORT SHOW SEGMENT SECONDS SLOWLORIS RUN: malformed and hostile requests on
    # raw sockets, and slowloris connections, for SECONDS; results to RUN/abuse.json.
    cat >"$RUN/abuse.py" <<'EOF'
import errno, json, os, random, re, select, socket, sys, threading, time

host, port, show, seg = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seconds, n_slow, run = float(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
deadline = time.monotonic() + seconds
H = b"Host: 127.0.0.1\r\n"
M = f"/shows/{show}/master.m3u8".encode()
S = seg.encode()


def req(line, headers=b"", body=b""):
    return line + b"\r\n" + H + headers + b"\r\n" + body


# (group, name, request, kind, ok): a well-formed request must get a status in ok (anything
# else, a close or a reset included, is a failure); a malformed one may get a status in ok, any
# 4xx or a close; a bad Range header is ignored (200) or refused (416), never a close.
WELL, BAD, RANGE = "well-formed", "malformed", "bad-range"
CASES = [
    ("control", "get-segment", req(b"GET " + S + b" HTTP/1.1"), WELL, {200}),
    ("control", "get-http10", b"GET " + M + b" HTTP/1.0\r\n\r\n", WELL, {200}),
    ("control", "head-master", req(b"HEAD " + M + b" HTTP/1.1"), WELL, {200}),
    ("control", "options", req(b"OPTIONS " + M + b" HTTP/1.1"), WELL, {204}),
    ("control", "pipelined-20", req(b"GET " + M + b" HTTP/1.1") * 20, WELL, {200}),
    ("body", "get-with-body", req(b"GET " + M + b" HTTP/1.1", b"Content-Length: 5\r\n", b"hello"), WELL, {200}),
    ("body", "get-chunked-body", req(b"GET " + M + b" HTTP/1.1", b"Transfer-Encoding: chunked\r\n",
                                     b"5\r\nhello\r\n0\r\n\r\n"), WELL, {200}),
    ("body", "post-with-body", req(b"POST " + M + b" HTTP/1.1", b"Content-Length: 5\r\n", b"hello"), BAD, {405}),
    ("body", "put-70k-body", req(b"PUT " + M + b" HTTP/1.1", b"Content-Length: 70000\r\n", b"x" * 70000), BAD, {405}),
    ("body", "cl-and-te", req(b"GET " + M + b" HTTP/1.1", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                              b"0\r\n\r\n"), BAD, {200}),
    ("body", "negative-cl", req(b"GET " + M + b" HTTP/1.1", b"Content-Length: -5\r\n"), BAD, set()),
    ("body", "huge-cl", req(b"GET " + M + b" HTTP/1.1", b"Content-Length: 99999999999999999999999\r\n"), BAD, set()),
    ("body", "short-body", req(b"GET " + M + b" HTTP/1.1", b"Content-Length: 100\r\n", b"0123456789"), BAD, set()),
    ("body", "bad-chunk", req(b"GET " + M + b" HTTP/1.1", b"Transfer-Encoding: chunked\r\n",
                              b"zz\r\nhello\r\n0\r\n\r\n"), BAD, set()),
    ("request-line", "garbage", b"GARBAGE\r\n\r\n", BAD, set()),
    ("request-line", "binary", bytes(range(256)) + b"\r\n\r\n", BAD, set()),
    ("request-line", "no-version", b"GET " + M + b"\r\n\r\n", BAD, set()),
    ("request-line", "no-target", b"GET\r\n\r\n", BAD, set()),
    ("request-line", "extra-token", req(b"GET " + M + b" HTTP/1.1 extra"), BAD, set()),
    ("request-line", "absolute-form", req(b"GET http://127.0.0.1" + M + b" HTTP/1.1"), BAD, set()),
    ("request-line", "asterisk", req(b"GET * HTTP/1.1"), BAD, set()),
    ("request-line", "relative", req(b"GET shows/x HTTP/1.1"), BAD, set()),
    ("request-line", "raw-space", req(b"GET /shows/a b HTTP/1.1"), BAD, set()),
    ("request-line", "control-byte", req(b"GET /shows/\x01 HTTP/1.1"), BAD, set()),
    ("request-line", "long-target", req(b"GET /shows/" + b"a" * 20000 + b" HTTP/1.1"), BAD, set()),
    ("request-line", "bad-method", req(b"G@T " + M + b" HTTP/1.1"), BAD, set()),
    ("request-line", "delete", req(b"DELETE " + M + b" HTTP/1.1"), BAD, {405}),
    ("request-line", "trace", req(b"TRACE / HTTP/1.1"), BAD, {405}),
    ("request-line", "connect", req(b"CONNECT 127.0.0.1:443 HTTP/1.1"), BAD, {405}),
    ("request-line", "only-crlf", b"\r\n\r\n\r\n", BAD, set()),
    ("request-line", "lf-only", b"GET " + M + b" HTTP/1.1\nHost: x\n\n", BAD, {200}),
    # libmicrohttpd answers a major version other than 1 with 505, as RFC 9110 15.6.6 says:
    # counted apart, not as a server error
    ("version", "http-2.0", req(b"GET " + M + b" HTTP/2.0"), BAD, set()),
    ("version", "http-9.9", req(b"GET " + M + b" HTTP/9.9"), BAD, set()),
    ("version", "http-0.9", req(b"GET " + M + b" HTTP/0.9"), BAD, set()),
    ("version", "http-1.x", req(b"GET " + M + b" HTTP/1.x"), BAD, set()),
    ("version", "http-lower", req(b"GET " + M + b" http/1.1"), BAD, set()),
    ("version", "http-11.1", req(b"GET " + M + b" HTTP/11.1"), BAD, set()),
    ("version", "https-1.1", req(b"GET " + M + b" HTTPS/1.1"), BAD, set()),
    ("version", "h2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", BAD, set()),
    ("percent", "pct-zz", req(b"GET /shows/" + show.encode() + b"/%zz HTTP/1.1"), BAD, set()),
    ("percent", "pct-trailing", req(b"GET /shows/" + show.encode() + b"/% HTTP/1.1"), BAD, set()),
    ("percent", "pct-short", req(b"GET /shows/" + show.encode() + b"/%2 HTTP/1.1"), BAD, set()),
    ("percent", "pct-nul", req(b"GET /shows/" + show.encode() + b"/master.m3u8%00.ts HTTP/1.1"), BAD, set()),
    ("percent", "pct-overlong", req(b"GET /shows/%c0%ae%c0%ae/etc/passwd HTTP/1.1"), BAD, set()),
    ("header", "header-64k", req(b"GET " + M + b" HTTP/1.1", b"X-Big: " + b"a" * 65536 + b"\r\n"), BAD, set()),
    ("header", "headers-3000", req(b"GET " + M + b" HTTP/1.1",
                                   b"".join(b"X-H%d: v\r\n" % i for i in range(3000))), BAD, set()),
    ("header", "header-no-colon", req(b"GET " + M + b" HTTP/1.1", b"NoColonHere\r\n"), BAD, set()),
    ("header", "header-nul", req(b"GET " + M + b" HTTP/1.1", b"X-A: a\x00b\r\n"), BAD, {200}),
    ("header", "header-folded", req(b"GET " + M + b" HTTP/1.1", b"X-A: a\r\n b\r\n"), BAD, {200}),
    ("header", "no-host", b"GET " + M + b" HTTP/1.1\r\n\r\n", BAD, {200}),
    ("header", "inm-garbage", req(b"GET " + S + b" HTTP/1.1", b'If-None-Match: ""","\x7f,,,*x\r\n'), BAD, {200}),
    ("header", "ims-garbage", req(b"GET " + S + b" HTTP/1.1", b"If-Modified-Since: yesterday-ish\r\n"), BAD, {200}),
    ("header", "ae-garbage", req(b"GET " + M + b" HTTP/1.1", b"Accept-Encoding: gzip;q=abc, *;q=-1\r\n"), BAD, {200}),
]
for r in [b"bytes=abc", b"bytes=5-1", b"bytes=--1", b"bytes=-", b"bytes=", b"items=0-1", b"bytes 0-1",
          b"bytes=0-1,2-3", b"bytes=99999999999-", b"bytes=-0", b"bytes=18446744073709551616-",
          b"bytes=0-99999999999999999999999", b"bytes=" + b"0-1," * 500 + b"0-1", b"bytes=\x00-1"]:
    CASES.append(("range", "Range: " + r[:24].decode("latin-1").encode("unicode_escape").decode(),
                  req(b"GET " + S + b" HTTP/1.1", b"Range: " + r + b"\r\n"), RANGE, {200, 206, 416}))
# Path traversal: 4xx, never a file from outside the library.
for t in [b"/shows/../../etc/passwd", b"/shows/%2e%2e/%2e%2e/etc/passwd", b"/shows/%2E%2E/%2E%2E/etc/passwd",
          b"/shows/" + show.encode() + b"/..%2f..%2f..%2fetc%2fpasswd", b"/shows/%252e%252e/%252e%252e/etc/passwd",
          b"/shows/" + show.encode() + b"/current/../../../etc/passwd", b"/shows/..\\..\\etc\\passwd",
          b"/shows/" + show.encode() + b"/%5c..%5c..%5cetc%5cpasswd", b"/shows//etc/passwd",
          b"/shows/" + show.encode() + b"/.superseded", b"/shows/.locks/" + show.encode() + b".lock",
          b"/shows/.staging", b"/demo/../../etc/passwd", b"/watch/../../etc/passwd", b"/play/..%2f..%2fetc",
          b"/shows/" + show.encode() + b"/v1/../../../../../../etc/passwd", b"/../../../../etc/passwd",
          b"/shows/" + show.encode() + b"/./././master.m3u8", b"/shows/%2e/etc/passwd"]:
    CASES.append(("traversal", t.decode("latin-1"), req(b"GET " + t + b" HTTP/1.1"), BAD, set()))

BAD_VERSION = re.compile(rb"HTTP/([0-9])\.[0-9]")


def unsupported_version(raw):
    """Whether the request line ends in HTTP/d.d with a major version other than 1, which
    libmicrohttpd refuses with 505 (it reads the version after the line's last space)."""
    words = raw.lstrip(b"\r\n").split(b"\n", 1)[0].rstrip(b"\r").split(b" ")
    m = BAD_VERSION.fullmatch(words[-1]) if len(words) >= 3 else None
    return bool(m) and m.group(1) != b"1"


def exchange(raw, expect_responses=1, timeout=3.0):
    """Sends raw on a new connection and reads up to expect_responses responses. Returns
    (statuses, end, body_ok, text): end is "open", "close", "reset", "timeout" or "refused"."""
    try:
        s = socket.create_connection((host, port), timeout=5)
    except ConnectionRefusedError:
        return [], "refused", False, b""
    except OSError:
        return [], "connect-timeout", False, b""
    s.settimeout(timeout)
    end, data = "open", b""
    try:
        try:
            s.sendall(raw)
        except OSError:
            end = "reset"  # the server stopped reading (a 431 or 414 sent and closed): read what came
        statuses, body_ok, pos = [], True, 0
        while len(statuses) < expect_responses:
            head_end = data.find(b"\r\n\r\n", pos)
            if head_end < 0:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    end = "timeout"
                    break
                except OSError:
                    end = "reset"
                    break
                if not chunk:
                    end = "close"
                    break
                data += chunk
                continue
            head = data[pos:head_end].split(b"\r\n")
            m = re.match(rb"HTTP/1\.[01] (\d{3})", head[0])
            if not m:
                end = "garbled"
                break
            status = int(m.group(1))
            length = 0
            for h in head[1:]:
                if h.lower().startswith(b"content-length:"):
                    length = int(h.split(b":", 1)[1])
            if raw.startswith(b"HEAD") or status in (204, 304):
                length = 0
            while len(data) < head_end + 4 + length:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    body_ok = False
                    break
                data += chunk
            statuses.append(status)
            pos = head_end + 4 + length
            if not body_ok:
                end = "close"
                break
        return statuses, end, body_ok, data
    finally:
        s.close()


results = {}      # case group -> outcome -> count
failures = []     # (case, outcome) worth a look
counts = {"requests": 0, "failures": 0, "server_errors": 0, "version_505": 0, "refused": 0}


def record(group, outcome):
    results.setdefault(group, {})
    results[group][outcome] = results[group].get(outcome, 0) + 1


def fail(name, what, raw=None):
    counts["failures"] += 1
    if len(failures) < 100:
        failures.append(f"{name}: {what}" + (f" <- {raw[:200]!r}" if raw is not None and name.startswith("fuzz") else ""))


lock = threading.Lock()


def judge(group, name, raw, kind, ok):
    n = raw.count(b"HTTP/1.1\r\n") if name == "pipelined-20" else 1
    statuses, end, body_ok, data = exchange(raw, n)
    with lock:
        book(group, name, raw, kind, ok, n, statuses, end, body_ok, data)


def book(group, name, raw, kind, ok, n, statuses, end, body_ok, data):
    counts["requests"] += 1
    if end == "refused":
        counts["refused"] += 1
        record(group, "refused")
        fail(name, "connection refused: is the origin down?")
        return
    if not statuses:
        outcome = end
    else:
        outcome = str(statuses[-1])
    record(group, outcome)
    for st in statuses:
        if st >= 500:
            if st == 505 and unsupported_version(raw):
                counts["version_505"] += 1
            else:
                counts["server_errors"] += 1
                fail(name, f"{st}", raw)
    if b"root:" in data:
        fail(name, "a file from outside the library was served")
    if kind in (WELL, RANGE):
        if len(statuses) != n or any(st not in ok for st in statuses) or not body_ok:
            fail(name, f"statuses {statuses}, connection {end}")
    elif kind == "fuzz":
        pass  # anything but a 5xx (above) is fine
    else:  # malformed: what the case allows, any 4xx, or a close
        for st in statuses:
            if st not in ok and not 400 <= st < 500 and not (st == 505 and unsupported_version(raw)):
                fail(name, f"status {st}")
        if not statuses and end not in ("close", "reset", "timeout"):
            fail(name, f"connection {end}")


def mutate(rng, raw):
    b = bytearray(raw)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        i = rng.randrange(len(b))
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:
            del b[i:i + rng.randint(1, 8)]
        elif op == 3:
            b[i:i] = b[rng.randrange(len(b)):][:rng.randint(1, 64)]
        else:
            b[i] = rng.choice(b" :/%.\r\n\t\x00")
        if not b:
            b = bytearray(b"\r\n")
    return bytes(b)


# --- slowloris ----------------------------------------------------------------------------------
slow = {"opened": 0, "cut_by_server": 0, "lifetimes": [], "open_now": 0, "failed_to_open": 0}
stop_slow = threading.Event()


def slowloris():
    conns = []  # [socket, opened_at, next_byte_at]
    last_state = 0.0
    while not stop_slow.is_set():
        now = time.monotonic()
        while len(conns) < n_slow and not stop_slow.is_set():
            try:
                s = socket.create_connection((host, port), timeout=5)
                s.sendall(b"GET " + M + b" HTTP/1.1\r\n" + H + b"X-Slow: ")
                s.setblocking(False)
                conns.append([s, now, now + random.uniform(1, 3)])
                slow["opened"] += 1
            except OSError:
                slow["failed_to_open"] += 1
                break
        gone = set()
        if conns:
            readable, _, _ = select.select([c[0] for c in conns], [], [], 0)
            gone.update(readable)  # an end of file (the origin's deadline) or an answer: done
        for c in conns:
            if c[0] not in gone and now >= c[2]:
                try:
                    c[0].send(b"a")
                    c[2] = now + 3
                except OSError:
                    gone.add(c[0])
        for c in [c for c in conns if c[0] in gone]:
            slow["cut_by_server"] += 1
            slow["lifetimes"].append(round(now - c[1], 1))
            c[0].close()
            conns.remove(c)
        slow["open_now"] = len(conns)
        if now - last_state >= 1:
            with open(os.path.join(run, "slowloris-open.tmp"), "w") as f:
                f.write(f"{len(conns)}\n")
            os.replace(os.path.join(run, "slowloris-open.tmp"), os.path.join(run, "slowloris-open"))
            last_state = now
        stop_slow.wait(0.25)
    for c in conns:
        c[0].close()
    slow["open_now"] = 0
    with open(os.path.join(run, "slowloris-open"), "w") as f:
        f.write("0\n")


t = threading.Thread(target=slowloris, daemon=True)
t.start()
seed = int(time.time())
base_requests = [req(b"GET " + M + b" HTTP/1.1"), req(b"GET " + S + b" HTTP/1.1", b"Range: bytes=0-99\r\n"),
                 req(b"GET " + S + b" HTTP/1.1", b"If-None-Match: \"x\"\r\nAccept-Encoding: gzip\r\n")]
WORKERS = 4  # each goes through every case, then 20 mutations, round after round
rounds = [0] * WORKERS


def worker(w):
    rng = random.Random(seed + w)
    while time.monotonic() < deadline:
        for group, name, raw, kind, ok in rng.sample(CASES, len(CASES)):
            if time.monotonic() >= deadline:
                return
            judge(group, name, raw, kind, ok)
            time.sleep(0.01)
        for i in range(20):
            if time.monotonic() >= deadline:
                return
            judge("fuzz", f"fuzz {w}.{rounds[w]}.{i}", mutate(rng, rng.choice(base_requests)), "fuzz", set())
            time.sleep(0.01)
        rounds[w] += 1


workers = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
for x in workers:
    x.start()
for x in workers:
    x.join()
rounds = sum(rounds)
stop_slow.set()
t.join()
lt = sorted(slow["lifetimes"])
out = dict(counts, rounds=rounds, seed=seed, cases=len(CASES), results=results, failure_list=failures,
           slowloris={"target": n_slow, "opened": slow["opened"], "cut_by_server": slow["cut_by_server"],
                      "failed_to_open": slow["failed_to_open"],
                      "lifetime_min": lt[0] if lt else None, "lifetime_median": lt[len(lt) // 2] if lt else None,
                      "lifetime_max": lt[-1] if lt else None})
with open(os.path.join(run, "abuse.json"), "w") as f:
    json.dump(out, f, indent=1)
EOF

    # player.py HOST PORT LIB SHOW T0 RUN: plays the show round and round until RUN/stop-player
    # exists; checks every response against the library's files; results to RUN/player.json.
    cat >"$RUN/player.py" <<'EOF'
import gzip, http.client, json, os, random, sys, time

host, port, lib, show, t0, run = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6]
RELOAD = 10.0  # seconds between master.m3u8 reloads
conn = None
st = {"requests": 0, "by_status": {}, "bytes": 0, "errors": 0, "error_list": [], "loops": 0,
      "masters": 0, "switches": [], "played": {}, "range_checks": 0, "gzip_checks": 0}


def now():
    return round(time.time() - t0, 1)


def error(msg):
    st["errors"] += 1
    if len(st["error_list"]) < 100:
        st["error_list"].append(f"{now()} {msg}")


def get(path, headers=None):
    """One GET on the keep-alive connection; (status, headers, body) or None on a failure.
    A connection the server closed or reset is an error (it should not on these requests);
    the request is then tried once more on a new connection, so playback goes on."""
    global conn
    for attempt in range(2):
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=15)
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            body = r.read()
            st["requests"] += 1
            st["by_status"][str(r.status)] = st["by_status"].get(str(r.status), 0) + 1
            st["bytes"] += len(body)
            cl = r.getheader("Content-Length")
            if cl is None or int(cl) != len(body):
                error(f"{path}: Content-Length {cl}, {len(body)} bytes")
            return r.status, r, body
        except (OSError, http.client.HTTPException) as e:
            error(f"{path}: {type(e).__name__}: {e}")
            conn.close()
            conn = None
    return None


def disk(rel):
    with open(os.path.join(lib, show, rel), "rb") as f:
        return f.read()


def check_file(path, rel, expect=200):
    """GET path and compare with the library's file rel (under a version: never changes)."""
    res = get(path)
    if res is None:
        return False
    status, r, body = res
    if status != expect:
        error(f"{path}: status {status}")
        return False
    if body != disk(rel):
        error(f"{path}: {len(body)} bytes differ from the file ({len(disk(rel))} bytes)")
        return False
    return True


def check_range(path, rel):
    data = disk(rel)
    a = random.randrange(len(data))
    b = min(len(data) - 1, a + random.randint(0, 65535))
    res = get(path, {"Range": f"bytes={a}-{b}"})
    if res is None:
        return False
    status, r, body = res
    st["range_checks"] += 1
    if status != 206 or r.getheader("Content-Range") != f"bytes {a}-{b}/{len(data)}" or body != data[a:b + 1]:
        error(f"{path}: Range bytes={a}-{b}: {status} {r.getheader('Content-Range')} {len(body)} bytes")
        return False
    return True


def load_master():
    res = get(f"/shows/{show}/master.m3u8")
    if res is None:
        return None
    status, r, body = res
    st["masters"] += 1
    if status != 200 or not body.startswith(b"#EXTM3U"):
        error(f"master.m3u8: status {status}")
        return None
    uris = [l for l in body.decode().splitlines() if l and not l.startswith("#")]
    versions = {u.split("/", 1)[0] for u in uris}
    if len(versions) != 1 or not uris:
        error(f"master.m3u8 names versions {sorted(versions)}")
        return None
    return versions.pop(), uris


played_path = os.path.join(run, "player-played")
version, variants, loaded_at, k = None, [], 0.0, 0
while not os.path.exists(os.path.join(run, "stop-player")):
    if version is None or time.monotonic() - loaded_at >= RELOAD:
        m = load_master()
        loaded_at = time.monotonic()
        if m is None:
            time.sleep(0.5)
            continue
        if m[0] != version:
            if version is not None:
                st["switches"].append({"t": now(), "from": version, "to": m[0]})
            version, variants = m
    uri = variants[k % len(variants)]
    k += 1
    ok = True
    media_path = f"/shows/{show}/{uri}"
    if k % 3 == 0:  # sometimes as gzip, as browsers ask
        res = get(media_path, {"Accept-Encoding": "gzip"})
        ok = res is not None and res[0] == 200
        if ok:
            st["gzip_checks"] += 1
            body = gzip.decompress(res[2]) if res[1].getheader("Content-Encoding") == "gzip" else res[2]
            if body != disk(uri):
                error(f"{media_path}: gzip body differs")
                ok = False
        elif res is not None:
            error(f"{media_path}: status {res[0]}")
    else:
        ok = check_file(media_path, uri)
    if not ok:
        continue
    folder = uri.rsplit("/", 1)[0]
    segs = [l for l in disk(uri).decode().splitlines() if l and not l.startswith("#")]
    for s in segs:
        ok = check_file(f"/shows/{show}/{folder}/{s}", f"{folder}/{s}") and ok
        time.sleep(0.02)
    ok = check_range(f"/shows/{show}/{folder}/{segs[0]}", f"{folder}/{segs[0]}") and ok
    st["loops"] += 1
    if ok and version not in st["played"]:
        st["played"][version] = now()
        with open(played_path + ".tmp", "w") as f:
            f.write(version[1:] + "\n")
        os.replace(played_path + ".tmp", played_path)
with open(os.path.join(run, "player.json"), "w") as f:
    json.dump(st, f, indent=1)
EOF

    # report.py: the summary from everything the run left in RUN; exit 1 if a criterion fails.
    cat >"$RUN/report.py" <<'EOF'
import json, os, re, sys

run, duration, warmup, json_out, wrk_conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
serve_rc, serve_alive = sys.argv[6], sys.argv[7] == "1"
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
    return "PASS" if ok else "FAIL"


def read_json(name):
    p = os.path.join(run, name)
    return json.load(open(p)) if os.path.exists(p) else None


# wrk
w = {"sent": {}, "status": {}, "answer": {}}
for line in open(os.path.join(run, "wrk.out")):
    p = line.split()
    if not p or p[0] != "SOAK":
        continue
    if p[1] in ("sent", "status", "answer"):
        w[p[1]][p[2]] = int(p[3])
    elif p[1] in ("socket_errors", "latency_ms"):
        w[p[1]] = {k: float(v) for k, v in (x.split("=") for x in p[2:])}
    else:
        w[p[1]] = float(p[2])
classes = {}
for s, n in w["status"].items():
    c = s[0] + "xx"
    classes[c] = classes.get(c, 0) + n
wrk_5xx = classes.get("5xx", 0)
wrk_client_errors = sum(n for s, n in w["status"].items() if not (s.startswith("2") or s == "304"))
sock = w.get("socket_errors", {})
sock_total = int(sum(sock.values()))
# Each request kind against what came back (up to one request per connection may be in flight
# at the end, unanswered).
sent, ans = w["sent"], w["answer"]
pairs = [("segment", ["segment"], ["segment"]),
         ("playlist", ["playlist", "master"], ["playlist"]),
         ("gzip", ["playlist_gzip", "master_gzip"], ["playlist_gzip"]),
         ("range", ["range_head", "range_suffix", "range_open"], ["partial"]),
         ("conditional", ["conditional", "conditional_gzip"], ["not_modified"])]
mismatch = []
for name, ks, ak in pairs:
    s, a = sum(sent.get(k, 0) for k in ks), sum(ans.get(k, 0) for k in ak)
    if not 0 <= s - a <= wrk_conns:
        mismatch.append(f"{name}: {s} sent, {a} answered as such")

ab = read_json("abuse.json") or {}
pl = read_json("player.json") or {}

# samples: t rss_kb fd conns files slowloris
samples = []
for line in open(os.path.join(run, "samples.tsv")):
    p = line.split()
    if len(p) == 6 and p[1] != "dead":
        samples.append(dict(zip(["t", "rss", "fd", "conns", "files", "slow"], map(int, p))))
dead = any("dead" in l for l in open(os.path.join(run, "samples.tsv")))
quiet = {}
for name in ("quiet-before", "quiet-after"):
    p = open(os.path.join(run, name)).read().split()
    quiet[name] = dict(zip(["rss", "fd", "conns", "files"], map(int, p))) if len(p) == 4 else None
after = [s for s in samples if s["t"] >= warmup]
first, last = (after[0], after[-1]) if after else (None, None)


def others(s):  # descriptors held by neither a connection (but our /metrics one) nor the file cache
    return s["fd"] - (s["conns"] - 1) - s["files"]


rss_growth = 100.0 * (last["rss"] - first["rss"]) / first["rss"] if first else None
fd_min = min(s["fd"] for s in after) if after else None
fd_max = max(s["fd"] for s in after) if after else None
# Ingests
reingests = []
for line in open(os.path.join(run, "reingest.tsv")):
    i, start, end, rc, version = line.split()
    reingests.append({"n": int(i), "start": float(start), "end": float(end), "rc": int(rc), "version": version})
errs = [float(e.split()[0]) for e in pl.get("error_list", [])]
played = pl.get("played", {})
for i, r in enumerate(reingests):
    until = reingests[i + 1]["start"] if i + 1 < len(reingests) else 1e9
    r["player_errors"] = sum(1 for t in errs if r["start"] <= t < until)
    r["played_new_at"] = played.get(r["version"])
    r["survived"] = r["rc"] == 0 and r["player_errors"] == 0 and r["played_new_at"] is not None
# The origin's own counts (/metrics at the end)
metrics_5xx = 0
server_status = {}
for line in open(os.path.join(run, "metrics-end.txt")):
    m = re.match(r'ladder_http_requests_total\{status="(\d+)",kind="(\w+)"\} (\d+)', line)
    if m:
        server_status[m.group(1)] = server_status.get(m.group(1), 0) + int(m.group(3))
        if m.group(1).startswith("5"):
            metrics_5xx += int(m.group(3))
incomplete = next((int(l.split()[1]) for l in open(os.path.join(run, "metrics-end.txt"))
                   if l.startswith("ladder_http_incomplete_requests_total")), None)

out = []
say = out.append
say(f"soak: {duration} s of load (wrk {w.get('seconds', 0):.0f} s), origin "
    + ("alive throughout" if serve_alive and not dead else "DIED") + f"; exit on SIGTERM {serve_rc}")
say(f"wrk (well-formed, {wrk_conns} connections): {int(w.get('total', 0))} requests, "
    f"{w.get('total', 0) / max(w.get('seconds', 1), 1):.0f}/s, latency p50 {w['latency_ms']['p50']:.2f} ms, "
    f"p99 {w['latency_ms']['p99']:.2f} ms, max {w['latency_ms']['max']:.0f} ms")
say("  sent by kind:     " + ", ".join(f"{k} {v}" for k, v in sorted(sent.items())))
say("  answers:          " + ", ".join(f"{k} {v}" for k, v in sorted(ans.items())))
say("  by status:        " + ", ".join(f"{k} {v}" for k, v in sorted(w["status"].items()))
    + "  (" + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())) + ")")
say(f"  socket errors:    {sock_total} " + str({k: int(v) for k, v in sock.items()})
    + f"; bad bodies {int(w.get('bad_bodies', 0))}; kind/answer mismatches {len(mismatch)} {mismatch if mismatch else ''}")
say(f"abuse (raw sockets): {ab.get('requests', 0)} requests in {ab.get('rounds', 0)} rounds of {ab.get('cases', 0)} cases "
    f"+ 20 mutations, 4 clients (seed {ab.get('seed')}); 5xx {ab.get('server_errors', 0)}; "
    f"505 to HTTP versions other than 1.x {ab.get('version_505', 0)}; refused {ab.get('refused', 0)}; "
    f"failures {ab.get('failures', 0)}")
res = ab.get("results", {})
for g in sorted(res):
    say(f"  {g:14} " + ", ".join(f"{k} {v}" for k, v in sorted(res[g].items())))
for f in ab.get("failure_list", [])[:20]:
    say(f"  ! {f}")
sl = ab.get("slowloris", {})
say(f"slowloris: {sl.get('target')} held open; {sl.get('opened')} opened, {sl.get('cut_by_server')} cut by the origin "
    f"after {sl.get('lifetime_min')}-{sl.get('lifetime_max')} s (median {sl.get('lifetime_median')}), "
    f"{sl.get('failed_to_open')} failed to open")
say(f"player: {pl.get('requests', 0)} requests ({', '.join(f'{k} {v}' for k, v in sorted(pl.get('by_status', {}).items()))}), "
    f"{pl.get('loops', 0)} playlist loops, {pl.get('masters', 0)} master loads, {pl.get('range_checks', 0)} Range "
    f"and {pl.get('gzip_checks', 0)} gzip checks, {pl.get('bytes', 0) / 1e6:.0f} MB compared with the library; errors {pl.get('errors', 0)}")
for e in pl.get("error_list", [])[:20]:
    say(f"  ! {e}")
say(f"re-ingests: {len(reingests)}")
for r in reingests:
    say(f"  #{r['n']} at {r['start']:.0f}-{r['end']:.0f} s -> {r['version']} (exit {r['rc']}): player errors {r['player_errors']}, "
        f"played {r['version']} from {r['played_new_at']} s: " + ("survived" if r["survived"] else "FAILED"))
say(f"origin /metrics: requests by status {dict(sorted(server_status.items()))}; incomplete requests {incomplete}")
if first:
    say(f"RSS: first {first['rss']} kB (t={first['t']} s), last {last['rss']} kB (t={last['t']} s), growth {rss_growth:+.1f}%, "
        f"min {min(s['rss'] for s in after)}, max {max(s['rss'] for s in after)} kB")
    if last["files"] > first["files"]:
        say(f"  the file cache grew by {last['files'] - first['files']} files (new versions played; bounded by "
            f"--file-cache, 1024): {(last['rss'] - first['rss']) / (last['files'] - first['files']):.1f} kB of RSS per file added")
    say(f"fds: first {first['fd']} (t={first['t']} s: {first['conns'] - 1} connections, {first['slow']} of them slowloris, "
        f"{first['files']} cached files), last {last['fd']} (t={last['t']} s: {last['conns'] - 1} connections, "
        f"{last['slow']} slowloris, {last['files']} cached files), min {fd_min}, max {fd_max}")
    say(f"  neither a connection nor a cached file: first {others(first)}, last {others(last)}, "
        f"min {min(others(s) for s in after)}, max {max(others(s) for s in after)}")
qb, qa = quiet["quiet-before"], quiet["quiet-after"]
if qb and qa:
    say(f"  at rest before the load: {qb['fd']} fds ({qb['files']} cached files, {qb['conns'] - 1} connections), "
        f"RSS {qb['rss']} kB; after it: {qa['fd']} fds ({qa['files']} cached files, {qa['conns'] - 1} connections), "
        f"RSS {qa['rss']} kB")
say("")
say("criteria:")
say(f"  origin up all along, clean exit on SIGTERM   {check(serve_alive and not dead and serve_rc == '0', 'origin crashed or exited badly')}")
n5 = wrk_5xx + ab.get("server_errors", 0) + metrics_5xx
say(f"  5xx: {n5} (wrk {wrk_5xx}, abuse {ab.get('server_errors', 0)}, origin's count {metrics_5xx})            {check(n5 == 0, '5xx answers')}")
nwf = wrk_client_errors + sock_total + int(w.get("bad_bodies", 0)) + len(mismatch) + pl.get("errors", 0) + ab.get("failures", 0)
say(f"  well-formed errors: {nwf} (wrk non-2xx/304 {wrk_client_errors}, wrk socket {sock_total}, bad bodies "
    f"{int(w.get('bad_bodies', 0))}, mismatches {len(mismatch)}, player {pl.get('errors', 0)}, abuse failures "
    f"{ab.get('failures', 0)})   {check(nwf == 0, 'errors on well-formed requests')}")
if first:
    say(f"  RSS growth {rss_growth:+.1f}% < 10%                          {check(rss_growth < 10, 'RSS grew 10% or more')}")
    fd_ok = others(last) <= others(first) + 2 and (not (qb and qa) or qa["fd"] - qa["files"] - (qa["conns"] - 1)
                                                   <= qb["fd"] - qb["files"] - (qb["conns"] - 1))
    say(f"  fds stable beyond connections and cached files  {check(fd_ok, 'descriptors leak')}")
    say(f"  file cache within its bound (max {max(s['files'] for s in after)} <= 1024)   "
        f"{check(max(s['files'] for s in after) <= 1024, 'file cache over its bound')}")
else:
    check(False, "no samples after the warm-up")
ok_ingests = sum(1 for r in reingests if r["survived"])
say(f"  re-ingests survived: {ok_ingests} of {len(reingests)}                  "
    f"{check(ok_ingests == len(reingests) and len(reingests) > 0, 're-ingest or playback across it failed')}")
say("RESULT: " + ("PASS" if not fails else "FAIL: " + "; ".join(fails)))
print("\n".join(out))
if json_out:
    doc = {"duration": duration, "pass": not fails, "failed": fails, "origin_alive": serve_alive and not dead,
           "origin_exit": serve_rc,
           "wrk": {"requests": int(w.get("total", 0)), "seconds": w.get("seconds"), "sent": sent, "answers": ans,
                   "status": w["status"], "classes": classes, "socket_errors": sock, "bad_bodies": int(w.get("bad_bodies", 0)),
                   "mismatches": mismatch, "latency_ms": w.get("latency_ms")},
           "abuse": ab, "player": pl, "reingests": reingests,
           "five_xx": {"wrk": wrk_5xx, "abuse": ab.get("server_errors", 0), "origin_metrics": metrics_5xx},
           "well_formed_errors": nwf, "origin_status_counts": server_status, "incomplete_requests": incomplete,
           "rss_kb": {"first": first and first["rss"], "last": last and last["rss"], "growth_percent": rss_growth},
           "fd": {"first": first and first["fd"], "last": last and last["fd"], "min": fd_min, "max": fd_max,
                  "others_first": first and others(first), "others_last": last and others(last)},
           "at_rest": quiet, "samples": samples}
    with open(json_out, "w") as f:
        json.dump(doc, f, indent=1)
sys.exit(1 if fails else 0)
EOF
}

# --- the origin ---------------------------------------------------------------------------------

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() {
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$PORT$1" && return 0
        sleep 0.1
    done
    die "nothing answers on port $PORT"
}

# elapsed: seconds since T0, to a tenth.
elapsed() { awk -v t0="$T0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", now - t0 }'; }
sleep_until() { sleep "$(awk -v t0="$T0" -v t="$1" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + t - now; print (d > 0) ? d : 0 }')"; }

# metric NAME: a value from the origin's /metrics (fetched into $RUN/metrics.now).
metric() { awk -v n="$1" '$1 == n { print $2 }' "$RUN/metrics.now"; }

# sample: "rss_kb fds connections cached_files" of the origin, or nothing if it is gone. The
# descriptors are listed before /metrics is asked, whose own connection it counts.
sample() {
    local fds rss
    [[ -r /proc/$SERVE_PID/status ]] || return 1
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status")
    fds=(/proc/"$SERVE_PID"/fd/*)
    curl -s --max-time 5 -o "$RUN/metrics.now" "http://127.0.0.1:$PORT/metrics" || return 1
    echo "$rss ${#fds[@]} $(metric ladder_http_open_connections) $(metric ladder_origin_open_files)"
}

sampler() {
    local t line slow
    for ((t = SAMPLE_EVERY; t < DURATION; t += SAMPLE_EVERY)); do
        sleep_until "$t"
        slow=$(cat "$RUN/slowloris-open" 2>/dev/null || echo 0)
        if line=$(sample); then
            echo "$t $line $slow" >>"$RUN/samples.tsv"
        else
            echo "$t dead" >>"$RUN/samples.tsv"
            return 0
        fi
    done
}

reingester() {
    local n=0 t start end rc
    for ((t = REINGEST_EVERY; DURATION - t >= REINGEST_MARGIN; t += REINGEST_EVERY)); do
        sleep_until "$t"
        n=$((n + 1)) start=$(elapsed) rc=0
        ingest >>"$RUN/ingest.log" 2>&1 || rc=$?
        end=$(elapsed)
        echo "$n $start $end $rc $(readlink "$LIB/$SHOW/current")" >>"$RUN/reingest.tsv"
    done
}

# quiet NAME: waits (up to 20 s) until only our /metrics connection is open, then samples.
quiet() {
    local line=''
    for _ in $(seq 40); do
        line=$(sample) || break
        [[ $(awk '{ print $3 }' <<<"$line") == 1 ]] && break
        sleep 0.5
    done
    echo "$line" >"$RUN/$1"
}

# --- main ---------------------------------------------------------------------------------------

write_clients
make_library
PORT=$(free_port)
"$LADDER" serve --library "$LIB" --listen "127.0.0.1:$PORT" >"$RUN/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_http /healthz
PREP=$(python3 "$RUN/prep.py" 127.0.0.1 "$PORT" "$LIB" "$SHOW" "$RUN/soak-data.lua") ||
    die "could not read the show through the origin"
read -r VERSION NSEG NPL NMP4 SEGMENT <<<"$PREP"
log "ladder serve (pid $SERVE_PID) on :$PORT; show $SHOW at $VERSION: $NSEG segments, $NPL playlists, $NMP4 MP4s"
log "CPUs $(nproc); busy before the run: $(cpu_busy_percent)%"
quiet quiet-before
: >"$RUN/samples.tsv"
: >"$RUN/reingest.tsv"
echo 0 >"$RUN/slowloris-open"

T0=$(date +%s.%N)
log "soak: ${DURATION} s; re-ingest every ${REINGEST_EVERY} s; $SLOWLORIS slowloris connections"
wrk -t "$WRK_THREADS" -c "$WRK_CONNS" -d "${DURATION}s" --timeout 10s -s "$RUN/soak.lua" \
    "http://127.0.0.1:$PORT" -- "$RUN/soak-data.lua" >"$RUN/wrk.out" 2>&1 &
WRK_PID=$!
PIDS+=("$WRK_PID")
python3 "$RUN/abuse.py" 127.0.0.1 "$PORT" "$SHOW" "$SEGMENT" $((DURATION - ABUSE_STOP)) "$SLOWLORIS" "$RUN" \
    >"$RUN/abuse.log" 2>&1 &
ABUSE_PID=$!
PIDS+=("$ABUSE_PID")
python3 "$RUN/player.py" 127.0.0.1 "$PORT" "$LIB" "$SHOW" "$T0" "$RUN" >"$RUN/player.log" 2>&1 &
PLAYER_PID=$!
PIDS+=("$PLAYER_PID")
sampler &
SAMPLER_PID=$!
PIDS+=("$SAMPLER_PID")
reingester &
REINGEST_PID=$!
PIDS+=("$REINGEST_PID")

wait "$WRK_PID" || die "wrk failed: $(tail -n 5 "$RUN/wrk.out")"
log "load done at $(elapsed) s"
wait "$SAMPLER_PID" || true
wait "$ABUSE_PID" || log "the abuse client failed: $(tail -n 5 "$RUN/abuse.log")"
wait "$REINGEST_PID" || true
# The player goes on until it has played the last version published (at most 60 s more).
LATEST=$(readlink "$LIB/$SHOW/current")
for _ in $(seq 120); do
    [[ $(cat "$RUN/player-played" 2>/dev/null || echo 0) -ge ${LATEST#v} ]] && break
    kill -0 "$PLAYER_PID" 2>/dev/null || break
    sleep 0.5
done
touch "$RUN/stop-player"
wait "$PLAYER_PID" || log "the player failed: $(tail -n 5 "$RUN/player.log")"

ALIVE=0
if kill -0 "$SERVE_PID" 2>/dev/null; then
    ALIVE=1
    quiet quiet-after
    curl -s --max-time 5 -o "$RUN/metrics-end.txt" "http://127.0.0.1:$PORT/metrics" || true
    kill -TERM "$SERVE_PID"
else
    : >"$RUN/quiet-after"
    : >"$RUN/metrics-end.txt"
fi
SERVE_RC=0
wait "$SERVE_PID" || SERVE_RC=$?
PIDS=()
log "run folder: $RUN"
python3 "$RUN/report.py" "$RUN" "$DURATION" "$WARMUP" "$JSON_OUT" "$WRK_CONNS" "$SERVE_RC" "$ALIVE"
