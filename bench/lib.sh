# bench/lib.sh: helpers the benchmark scripts share. Source it after setting BENCH (the
# script's name, for messages) and WORK (a scratch folder, for `timed`).

log() { printf '[%s] %s\n' "$BENCH" "$*" >&2; }
die() { printf '%s: %s\n' "$BENCH" "$*" >&2; exit 1; }

# need CMD PACKAGE: make sure CMD exists, installing the Debian PACKAGE if we can.
need() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    [[ $(id -u) == 0 ]] || die "$cmd is missing: apt-get install $pkg"
    log "installing $pkg"
    apt-get -y install "$pkg" >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get -y install "$pkg" >/dev/null 2>&1; } ||
        die "could not install $pkg"
}

# median: of the numbers on stdin, one per line; "null" if there are none.
median() {
    sort -g | awk '{ a[NR] = $1 }
        END { if (NR == 0) print "null"
              else if (NR % 2) print a[(NR + 1) / 2]
              else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic; prints "null" if any operand is null.
calc() {
    [[ $1 == *null* ]] && { echo null; return; }
    awk "BEGIN { printf \"%.3f\n\", $1 }"
}

# verdict VALUE LIMIT: PASS if VALUE <= LIMIT, n/a when VALUE is unknown.
verdict() {
    [[ $1 == null ]] && { echo n/a; return; }
    awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "PASS" : "FAIL" }'
}

# timed LOG TIMEFILE CMD...: runs CMD under GNU time, its output to LOG, and appends
# "wall cpu rss_kb" (cpu = user + sys) to TIMEFILE. A failure aborts the benchmark.
timed() {
    local logf=$1 tf=$2 raw
    shift 2
    raw=$(mktemp "$WORK/time.XXXXXX")
    if ! /usr/bin/time -q -f '%e %U %S %M' -o "$raw" "$@" >"$logf" 2>&1; then
        tail -n 20 "$logf" >&2
        die "failed: $* (log: $logf)"
    fi
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$raw" >>"$tf"
    rm -f "$raw"
}

# cpu_busy_percent: how busy the CPUs were over the next second (this script idle meanwhile).
cpu_busy_percent() {
    local a b
    a=$(head -n 1 /proc/stat)
    sleep 1
    b=$(head -n 1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y)
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = y[5] - x[5] + y[6] - x[6]
        printf "%.0f\n", total ? 100 * (total - idle) / total : 0 }'
}
