-- wrk-rotate.lua: wrk script that cycles through the URL paths listed in a file (one per
-- line), each thread starting at a different point, and prints one machine-readable line
-- at the end: "RESULT requests socket_errors status_errors seconds p50_us p99_us".
-- Usage: wrk ... -s bench/wrk-rotate.lua http://HOST:PORT -- urls.txt
local paths = {}
local i = 0

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then
            paths[#paths + 1] = line
        end
    end
    i = math.random(#paths)
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %d %d %d %.3f %d %d\n", summary.requests,
        e.connect + e.read + e.write + e.timeout, e.status, summary.duration / 1e6,
        latency:percentile(50), latency:percentile(99)))
end
