"""Drive one HTTP endpoint for a fixed time over one keep-alive connection: req/s, p50, p99.

`wrk` (C, `apt-get install wrk`) is used when it is on PATH, so the load
generator is never the bottleneck; otherwise a tight asyncio raw-socket
HTTP/1.1 client (about 2-3x slower than wrk per request, so ratios to the bare
app stay meaningful but absolute figures are lower).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx answers
    tool: str
    cpu_us: float | None = None  # server process CPU (user+system) per request: robust to other load


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, *, method: str = "GET", body: str | list[str] = "", duration: float = 5.0, connections: int = 1,
        server_pid: int | None = None) -> Result:
    before = cpu_seconds(server_pid) if server_pid else 0.0
    if shutil.which("wrk"):
        result = _wrk(url, method, body, duration, connections)
    else:
        result = asyncio.run(_asyncio(url, method, body, duration))
    if server_pid and result.requests:
        result.cpu_us = (cpu_seconds(server_pid) - before) / result.requests * 1e6
    return result


# -- wrk --------------------------------------------------------------------------------------------------
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _lua(method: str, body: str | list[str]) -> str:
    """A wrk script: one body, or several sent in turn (e.g. ad sets spread over many campaigns)."""
    bodies = body if isinstance(body, list) else [body]
    quoted = ['"' + b.replace("\\", "\\\\").replace('"', '\\"') + '"' for b in bodies]
    lines = [f'wrk.method = "{method}"']
    if any(bodies):
        lines += [f"wrk.body = {quoted[0]}", 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"']
    if len(bodies) > 1:
        lines += ["bodies = {" + ", ".join(quoted) + "}", "i = 0",
                  "request = function()", "  i = i % #bodies + 1", "  return wrk.format(nil, nil, nil, bodies[i])", "end"]
    return "\n".join(lines) + "\n"


def _wrk(url: str, method: str, body: str | list[str], duration: float, connections: int) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text(_lua(method, body))
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
                              "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = {int(p): float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(rps, percentiles[50], percentiles[99], total, int(bad.group(1)) if bad else 0, "wrk")


# -- asyncio fallback -------------------------------------------------------------------------------------
async def _asyncio(url: str, method: str, body: str | list[str], duration: float) -> Result:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    requests = []
    for text in body if isinstance(body, list) else [body]:
        payload = text.encode()
        head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        if payload:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(payload)}\r\n"
        requests.append(head.encode() + b"\r\n" + payload)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    samples: list[float] = []
    bad = 0
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    while (now := time.perf_counter()) < deadline:
        writer.write(requests[len(samples) % len(requests)])
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        samples.append(time.perf_counter() - now)
        if not status_line[9:10] == b"2":
            bad += 1
    elapsed = time.perf_counter() - started
    writer.close()
    samples.sort()
    return Result(len(samples) / elapsed, statistics.median(samples) * 1e3,
                  samples[max(0, int(len(samples) * 0.99) - 1)] * 1e3, len(samples), bad, "asyncio")
