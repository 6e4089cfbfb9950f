#!/usr/bin/env bash
# bench/serve.sh: is `ladder serve` as fast as nginx at serving a show library?
#
# The origin's target (issue #4): segment and playlist requests per second at least 0.9x
# nginx's, at 64 and at 1,000 connections, with zero errors, p99 latency reported; and 10,000
# idle keep-alive connections held while new requests are still answered promptly.
# In one run, on one library (a sample show ingested once and cached in the work folder), it
# serves the same files with `ladder serve` and with Debian's nginx (sendfile on, open file
# cache, access log off, one worker per core), one after the other, alternating which goes
# first, and loads each on loopback with wrk (one thread per core) cycling through the real
# segment URLs or the real playlist URLs of the show (bench/wrk-rotate.lua). Requests carry no
# Accept-Encoding, so both send playlists as stored. Reports medians over the rounds.
# Then bench/idle_conns.py opens 10,000 keep-alive connections to ladder and times 200 new
# requests while they are held.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=serve.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

usage() {
    cat <<'EOF'
usage: bench/serve.sh [--ladder PATH] [--runs N] [--seconds S] [--conns "64 1000"]
                      [--idle N] [--work DIR] [--json-out FILE] [--quick]
  --ladder PATH   ladder binary (default: build/ladder)
  --runs N        rounds per configuration; medians are reported (default 3)
  --seconds S     length of each wrk run (default 10)
  --conns LIST    connection counts (default "64 1000")
  --idle N        idle keep-alive connections for the hold test (default 10000; 0 skips it)
  --work DIR      work folder; keeps the sample library between runs (default
                  /tmp/ladder-bench-serve)
  --json-out FILE also write the results as JSON to FILE
  --quick         smoke test: 1 round of 3 s, 64 connections, 1000 idle
Needs wrk, nginx and python3 (installed with apt-get when missing and running as root).
EOF
}

LADDER=$ROOT/build/ladder RUNS=3 SECONDS_PER_RUN=10 CONNS="64 1000" IDLE=10000
WORK=/tmp/ladder-bench-serve JSON_OUT='' QUICK=0
while (($#)); do
    case $1 in
        --ladder) LADDER=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --seconds) SECONDS_PER_RUN=${2:?}; shift ;;
        --conns) CONNS=${2:?}; shift ;;
        --idle) IDLE=${2:?}; shift ;;
        --work) WORK=${2:?}; shift ;;
        --json-out) JSON_OUT=${2:?}; shift ;;
        --quick) QUICK=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if ((QUICK)); then RUNS=1 SECONDS_PER_RUN=3 CONNS=64 IDLE=1000; fi
[[ -x $LADDER ]] || die "no ladder binary at $LADDER (run scripts/build.sh)"
need wrk wrk
need nginx nginx
need python3 python3
NPROC=$(nproc)
ulimit -n "$(ulimit -Hn)"
mkdir -p "$WORK"
LIB=$WORK/lib
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- the library: one sample show, made once -------------------------------------------------

make_library() {
    [[ -e $LIB/sample/master.m3u8 ]] && return 0
    log "making the sample show (once; cached in $WORK)"
    "$ROOT/samples/make-mezzanine.sh" --duration 12 --out "$WORK/mezzanine.mp4" >/dev/null
    "$LADDER" ingest "$WORK/mezzanine.mp4" --id sample --library "$LIB" --quiet
}

# URL lists: every segment, and every playlist (the entry master, the version's master,
# media and I-frame playlists), as the origin's /shows/ paths.
make_url_lists() {
    local version
    version=$(readlink "$LIB/sample/current")
    (cd "$LIB" && find "sample/$version/hls" -name '*.ts' | sort | sed 's|^|/shows/|') \
        >"$WORK/urls-segment.txt"
    (cd "$LIB" && find "sample/$version" -name '*.m3u8' | sort | sed 's|^|/shows/|'
     echo /shows/sample/master.m3u8) >"$WORK/urls-playlist.txt"
}

# --- the two servers ----------------------------------------------------------------------------

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() {
    local port=$1 path=$2
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port$path" && return 0
        sleep 0.1
    done
    die "nothing answers on port $port"
}

start_nginx() {
    local port=$1 conf=$WORK/nginx.conf
    mkdir -p "$WORK/nginx-tmp"
    cat >"$conf" <<EOF
worker_processes $NPROC;
worker_rlimit_nofile 65536;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 20000; use epoll; multi_accept on; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    open_file_cache max=10000 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/mp4 mp4; }
    server {
        listen 127.0.0.1:$port backlog=65535;
        location /shows/ { alias $LIB/; }
        location = /healthz { return 200 "ok\n"; }
    }
}
EOF
    nginx -c "$conf" -g 'daemon off;' 2>>"$WORK/nginx-error.log" &
    PIDS+=($!)
    wait_http "$port" /shows/sample/master.m3u8
}

start_ladder() {
    local port=$1
    "$LADDER" serve --library "$LIB" --listen "127.0.0.1:$port" --threads "$NPROC" \
        --max-connections 30000 >"$WORK/ladder-serve.log" 2>&1 &
    PIDS+=($!)
    wait_http "$port" /shows/sample/master.m3u8
}

# --- load ---------------------------------------------------------------------------------------

# load PORT KIND CONNS: one wrk run; prints "rps p50_ms p99_ms errors".
load() {
    local port=$1 kind=$2 conns=$3 out
    out=$(wrk -t "$NPROC" -c "$conns" -d "${SECONDS_PER_RUN}s" --timeout 10s \
        -s "$ROOT/bench/wrk-rotate.lua" "http://127.0.0.1:$port" -- "$WORK/urls-$kind.txt" 2>&1)
    awk '/^RESULT/ { printf "%.1f %.2f %.2f %d\n", $2 / $5, $6 / 1000, $7 / 1000, $3 + $4 }' \
        <<<"$out"
}

# --- main ---------------------------------------------------------------------------------------

make_library
make_url_lists
NGINX_PORT=$(free_port)
LADDER_PORT=$(free_port)
start_nginx "$NGINX_PORT"
start_ladder "$LADDER_PORT"
log "ladder serve on :$LADDER_PORT, nginx on :$NGINX_PORT; $(wc -l <"$WORK/urls-segment.txt") segment and $(wc -l <"$WORK/urls-playlist.txt") playlist URLs"
log "CPUs ${NPROC}; busy before the runs: $(cpu_busy_percent)%"

RESULTS=$WORK/results.txt
: >"$RESULTS"
for kind in segment playlist; do
    for conns in $CONNS; do
        for ((r = 1; r <= RUNS; r++)); do
            order="ladder nginx"
            ((r % 2)) || order="nginx ladder"
            for who in $order; do
                port=$LADDER_PORT
                [[ $who == nginx ]] && port=$NGINX_PORT
                read -r rps p50 p99 errors < <(load "$port" "$kind" "$conns")
                echo "$kind $conns $who $r $rps $p50 $p99 $errors" >>"$RESULTS"
                log "$kind c=$conns $who round $r: $rps req/s, p99 $p99 ms, $errors errors"
            done
        done
    done
done

IDLE_LINE=''
if ((IDLE > 0)); then
    seg=$(head -n 1 "$WORK/urls-segment.txt")
    log "holding $IDLE idle keep-alive connections to ladder while timing new requests"
    IDLE_LINE=$(python3 "$ROOT/bench/idle_conns.py" 127.0.0.1 "$LADDER_PORT" "$IDLE" "$seg" | grep '^IDLE')
fi

# --- report -------------------------------------------------------------------------------------

med() { awk -v k="$1" -v c="$2" -v w="$3" -v f="$4" '$1 == k && $2 == c && $3 == w { print $f }' "$RESULTS" | median; }
total_errors=$(awk '{ s += $8 } END { print s + 0 }' "$RESULTS")
printf '\n%-9s %6s  %12s %12s %7s  %9s %9s  %s\n' kind conns "ladder r/s" "nginx r/s" ratio \
    "ladder p99" "nginx p99" "target >= 0.9"
json_rows=()
for kind in segment playlist; do
    for conns in $CONNS; do
        lr=$(med "$kind" "$conns" ladder 5) nr=$(med "$kind" "$conns" nginx 5)
        lp=$(med "$kind" "$conns" ladder 7) np=$(med "$kind" "$conns" nginx 7)
        ratio=$(calc "$lr / $nr")
        ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9) ? "PASS" : "FAIL" }')
        printf '%-9s %6s  %12s %12s %7s  %7s ms %6s ms  %s\n' "$kind" "$conns" "$lr" "$nr" \
            "$ratio" "$lp" "$np" "$ok"
        json_rows+=("{\"kind\":\"$kind\",\"conns\":$conns,\"ladder_rps\":$lr,\"nginx_rps\":$nr,\"ratio\":$ratio,\"ladder_p99_ms\":$lp,\"nginx_p99_ms\":$np}")
    done
done
echo "errors (socket + non-2xx) over all runs: $total_errors (target 0)"
if [[ -n $IDLE_LINE ]]; then
    read -r _ opened held p50 p99 max failed <<<"$IDLE_LINE"
    echo "idle hold: $opened of $IDLE opened, $held still open after the timing; 200 new requests meanwhile: p50 $p50 ms, p99 $p99 ms, max $max ms, $failed failed"
fi
if [[ -n $JSON_OUT ]]; then
    rows=$(IFS=,; echo "${json_rows[*]}")
    printf '{"runs":%d,"seconds":%d,"cpus":%d,"errors":%d,"rows":[%s],"idle":"%s"}\n' "$RUNS" \
        "$SECONDS_PER_RUN" "$NPROC" "$total_errors" "$rows" "$IDLE_LINE" >"$JSON_OUT"
fi
