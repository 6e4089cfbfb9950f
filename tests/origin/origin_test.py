"""origin_test.py: helpers for the tests of `ladder serve`: start it on an ephemeral port of
127.0.0.1, make requests (http.client, or raw bytes over a socket for what http.client refuses
to send), stop it."""
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from ladder_test import LADDER  # noqa: E402


def free_port():
    """A TCP port nobody listens on right now (for servers that cannot pick their own)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_origin(library, *args, wrapper=(), env=None):
    """Starts `ladder serve` on 127.0.0.1:0 with extra args (and environment variables `env`
    on top of ours); returns (process, port) once it printed its address. Its stderr goes to a
    file, proc.stderr_path (a pipe nobody reads could fill up and stall the server)."""
    fd, err_path = tempfile.mkstemp(prefix="ladder-serve-", suffix=".err")
    proc = subprocess.Popen([*wrapper, LADDER, "serve", "--library", library,
                             "--listen", "127.0.0.1:0", *args],
                            stdout=subprocess.PIPE, stderr=fd, text=True,
                            env={**os.environ, **(env or {})})
    os.close(fd)
    proc.stderr_path = err_path
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline() if ready else ""
    if "listening on http://127.0.0.1:" not in line:
        proc.kill()
        proc.wait()
        with open(err_path) as f:
            raise RuntimeError(f"ladder serve did not start: {line!r} {f.read()!r}")
    return proc, int(line.rsplit(":", 1)[1].strip().rstrip("/"))


def stderr_of(proc):
    with open(proc.stderr_path, errors="replace") as f:
        return f.read()


def stop(proc, sig=signal.SIGTERM, timeout=60):
    """Signals the server and waits for it; returns its exit status (None if it had to be
    killed). A server that did not exit 0 has the end of its stderr printed (a sanitizer's
    report, a libmicrohttpd panic) before the file goes."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        status = None
    if os.path.exists(proc.stderr_path):
        if status != 0:
            print(f"--- ladder serve exited {status}; the end of its stderr:\n"
                  f"{stderr_of(proc)[-3000:]}")
        os.unlink(proc.stderr_path)
    return status


def get(port, path, headers=None, method="GET", timeout=10):
    """One request on a fresh connection; returns (response, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp, resp.read()
    finally:
        conn.close()


def raw(port, data, timeout=5, half_close=False):
    """Sends raw bytes and returns everything the server sends back until it closes the
    connection or `timeout` seconds pass without data. With half_close, our side of the
    connection is shut after sending, so the server sees the end of the request at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except OSError:
            pass
        return b"".join(chunks)


def raw_status(port, target, method="GET"):
    """Status code (int, or None if the server closed without answering) and body of one
    request sent byte for byte as given."""
    req = f"{method} ".encode() + (target if isinstance(target, bytes) else target.encode())
    reply = raw(port, req + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if not reply.startswith(b"HTTP/1."):
        return None, reply
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def wait_until(cond, timeout=5, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def metric(port, name):
    """The value of one sample line of /metrics (0 when absent)."""
    _, body = get(port, "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
