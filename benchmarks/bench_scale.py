"""Does a list page cost the same at 1 000 and at 1 000 000 campaigns? (issue 8 point 4)

For each size: a fresh SQLite file, the campaigns bulk-inserted into one ad
account through fixtures/generator.py (`insert_many`, not HTTP), then the
in-process app (with its read cache off: every request queries the store)
serves list pages (first, deep via cursor, last, filtered), a single read, and a count; median and p99 latency per request, and the
process RSS. Target: every page within 1.5x between the smallest and largest
size. `summary=total_count` is a COUNT and is shown for information.

    python benchmarks/bench_scale.py                     # 1 000 and 1 000 000
    python benchmarks/bench_scale.py --sizes 1000,100000 --requests 200
"""

from __future__ import annotations

import argparse
import base64
import gc
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

from generator import bulk_campaigns  # noqa: E402

from mock_server.app import create_app  # noqa: E402
from mock_server.config import ServerConfig  # noqa: E402
from mock_server.testing import InProcessClient  # noqa: E402


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB, from /proc."""
    fields = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cursor(object_id: int) -> str:
    return base64.b64encode(str(object_id).encode()).decode()


def scenarios(client: InProcessClient, ids: tuple[int, int]) -> dict[str, tuple[str, dict[str, str]]]:
    act = client.world["ad_account_id"]
    low, high = ids
    middle = (low + high) // 2
    page = {"limit": "25", "fields": "name,status,daily_budget"}
    return {
        "first page (limit=25)": (f"{act}/campaigns", page),
        "deep page (after=middle)": (f"{act}/campaigns", {**page, "after": cursor(middle)}),
        "last page (after=oldest+30)": (f"{act}/campaigns", {**page, "after": cursor(low + 30)}),
        "effective_status=[PAUSED]": (f"{act}/campaigns", {**page, "effective_status": '["PAUSED"]'}),
        "effective_status=[ARCHIVED] (none)": (f"{act}/campaigns", {**page, "effective_status": '["ARCHIVED"]'}),
        "GET one campaign": (str(middle), {"fields": "name,status,daily_budget"}),
        "summary=total_count (COUNT)": (f"{act}/campaigns", {"limit": "1", "summary": "total_count"}),
    }


def measure(client: InProcessClient, path: str, params: dict[str, str], requests: int) -> tuple[float, float]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path, params=params)
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


def run_size(size: int, requests: int, workdir: Path) -> dict[str, Any]:
    db = workdir / f"scale-{size}.sqlite3"
    app = create_app(ServerConfig(db=str(db), read_cache=False))  # measure the query, not a reused answer
    client = InProcessClient(app=app)
    started = time.perf_counter()
    first = client.state.store.next_id()
    bulk_campaigns(client.state, size)
    insert_s = time.perf_counter() - started
    gc.collect()
    results = {name: measure(client, path, params, requests)
               for name, (path, params) in scenarios(client, (first, first + size - 1)).items()}
    current, peak = rss_mb()
    world = client.world
    client.close()
    return {"size": size, "insert_s": insert_s, "rss_mb": current, "peak_rss_mb": peak,
            "db_mb": db.stat().st_size / 2**20, "results": results,
            "server_rss_mb": served_rss_mb(db, world, (first, first + size - 1))}


def served_rss_mb(db: Path, world: dict[str, Any], ids: tuple[int, int], pages: int = 400) -> float:
    """RSS of a real `graphmock serve --db <file>` after it served `pages` list pages spread over the account."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", f"/v25.0/{world['ad_account_id']}?access_token={world['access_token']}")
                probe = conn.getresponse()
                probe.read()
                if probe.status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        step = max(1, (ids[1] - ids[0]) // pages)
        for n in range(pages):
            query = f"access_token={world['access_token']}&limit=25&fields=name,status&after={cursor(ids[1] - n * step)}"
            conn.request("GET", f"/v25.0/{world['ad_account_id']}/campaigns?{query}")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024
    finally:
        proc.terminate()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workdir", help="where the SQLite files go (default: a temp dir, removed afterwards)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        runs = [run_size(size, args.requests, Path(tmp)) for size in sizes]
    names = list(runs[0]["results"])
    labels = [f"{r['size']:,} p50/p99 ms" for r in runs]
    header = f"{'scenario':36}" + "".join(f"{label:>24}" for label in labels) + f"{'ratio p50':>11}"
    print(header)
    print("-" * len(header))
    for name in names:
        cells = "".join(f"{r['results'][name][0]:>14.3f} /{r['results'][name][1]:>7.3f}" for r in runs)
        ratio = runs[-1]["results"][name][0] / runs[0]["results"][name][0]
        print(f"{name:36}{cells}{ratio:>10.2f}x")
    print()
    for r in runs:
        print(f"{r['size']:>10,} campaigns: bulk insert {r['insert_s']:.1f}s, db {r['db_mb']:.0f} MB, "
              f"benchmark process RSS {r['rss_mb']:.0f} MB (peak {r['peak_rss_mb']:.0f} MB), "
              f"graphmock serve RSS after 400 pages {r['server_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
