"""Measure a real server's RSS before/after the hostile bodies of issue 16 (PHP-key bomb, full journal).

Run: `.venv/bin/python benchmarks/rss_probe.py` (starts `graphmock serve --db :memory:` on a free port).
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.server import ServerProcess  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def post(server: ServerProcess, path: str, body: bytes) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers={"content-type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def main() -> None:
    with ServerProcess(":memory:") as server:
        pid = server.proc.pid
        path = f"/v25.0/{server.act}/campaigns?access_token={server.token}"
        print(f"idle RSS {rss_mb(pid):.1f} MB")
        bomb = "&".join(f"k{i}" + "[9999]" * 14 + "=v" for i in range(900)).encode()
        status, took = post(server, path, bomb)
        print(f"PHP-key bomb ({len(bomb)} bytes): HTTP {status} in {took:.2f}s, RSS {rss_mb(pid):.1f} MB")
        big = b"name=" + b"x" * (7 * 1024 * 1024)
        for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 40):
            status, _ = post(server, path, big)
        print(f"40 x 7 MB name: HTTP {status}, RSS {rss_mb(pid):.1f} MB")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("DELETE", "/__graphmock/journal", headers={"content-type": "application/json"})
        print("journal clear", conn.getresponse().status)
        time.sleep(0.5)
        print(f"after journal clear RSS {rss_mb(pid):.1f} MB")
        wide = "&".join(f"p{i}=" + "y" * 4000 for i in range(900)).encode()  # 3.6 MB, no value truncated
        for _ in range(30):
            post(server, path, wide)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/__graphmock/journal?limit=0")
        kept = json.loads(conn.getresponse().read())
        print(f"journal full by bytes ({kept['bytes'] / 2**20:.1f} of {kept['max_bytes'] / 2**20:.0f} MiB): "
              f"RSS {rss_mb(pid):.1f} MB")


if __name__ == "__main__":
    main()
