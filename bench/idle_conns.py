"""idle_conns.py HOST PORT N PATH: opens N HTTP/1.1 keep-alive connections, makes one request
on each (so each is a live keep-alive connection), then holds them all idle while it times 200
new requests for PATH on fresh connections. Prints one line:
"IDLE opened held p50_ms p99_ms max_ms failed" (held = connections still open at the end)."""
import asyncio
import resource
import sys
import time


async def open_idle(host, port, n):
    conns = []
    for start in range(0, n, 500):  # in batches, so the listen backlog is not the limit
        batch = await asyncio.gather(*(one_idle(host, port) for _ in range(min(500, n - start))),
                                     return_exceptions=True)
        conns += [c for c in batch if not isinstance(c, BaseException)]
    return conns


async def one_idle(host, port):
    r, w = await asyncio.open_connection(host, port)
    w.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    length = int(next((l.split(b":")[1] for l in head.split(b"\r\n")
                       if l.lower().startswith(b"content-length:")), b"0"))
    await r.readexactly(length)
    return r, w


async def timed_request(host, port, path):
    t0 = time.monotonic()
    r, w = await asyncio.open_connection(host, port)
    w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await w.drain()
    data = await r.read()
    w.close()
    return time.monotonic() - t0, data.startswith(b"HTTP/1.1 200")


async def main(host, port, n, path):
    conns = await open_idle(host, port, n)
    times, failed = [], 0
    for _ in range(200):
        try:
            dt, ok = await asyncio.wait_for(timed_request(host, port, path), 10)
        except (OSError, asyncio.TimeoutError):
            dt, ok = 10.0, False
        times.append(dt * 1000)
        failed += not ok
    held = 0
    for r, w in conns:  # an idle connection the server closed reads EOF at once
        try:
            await asyncio.wait_for(r.read(1), 0.001)
        except asyncio.TimeoutError:
            held += 1
        except OSError:
            pass
        w.close()
    times.sort()
    print(f"IDLE {len(conns)} {held} {times[len(times) // 2]:.2f} "
          f"{times[int(len(times) * 0.99) - 1]:.2f} {times[-1]:.2f} {failed}")


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
