"""The store under HTTP load: SQLite file vs PostgreSQL (local socket), and two servers vs one on one database
(issue 19), and `serve --workers 2` against one worker on a SQLite file (issue 18). Not a timed test.

Each configuration starts real `graphmock serve` processes with `--no-read-cache` (every read rendered and
read from the store afresh) and the demo world with rate limits off, then drives each scenario with
`--clients` client processes (loadgen.py: wrk if installed, else an asyncio keep-alive client), spread
over the servers. Reported: total req/s, median p50 latency and server CPU per request (all servers'
user+system CPU over the requests: robust to a loaded machine, unlike req/s) and, apart, the PostgreSQL
processes' CPU per request (SQLite's work is inside the server's figure). PostgreSQL is a throwaway
cluster in a temp dir (tests/helpers/postgres.py; default settings but fsync=off, full_page_writes=off,
like the tests) unless `--pg URL` names one.

    python benchmarks/bench_store.py                    # ~1 min: 3 configurations x 3 scenarios x 4 s
    python benchmarks/bench_store.py --duration 10 --clients 4
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import loadgen  # noqa: E402
from helpers.postgres import PostgresCluster, binaries  # noqa: E402
from helpers.server import ServerProcess  # noqa: E402

CAMPAIGN = {"name": "bench", "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED", "special_ad_categories": "[]"}


def _drive(args: tuple[str, str, str, float]) -> loadgen.Result:
    url, method, body, duration = args
    return loadgen.run(url, method=method, body=body, duration=duration)


def scenarios(server: ServerProcess) -> list[tuple[str, str, str, str]]:
    """(name, method, path?query, body); one campaign to read, 30 for the list page."""
    from test_concurrency import Connection

    conn = Connection(server)
    status, body = conn.call("POST", f"{server.act}/campaigns", CAMPAIGN)
    assert status == 200, body
    for i in range(30):
        conn.call("POST", f"{server.act}/campaigns", {**CAMPAIGN, "name": f"list {i}"})
    conn.close()
    auth = urlencode({"access_token": server.token})
    return [
        ("create campaign", "POST", f"/v25.0/{server.act}/campaigns?{auth}", urlencode(CAMPAIGN)),
        ("get campaign, uncached", "GET", f"/v25.0/{body['id']}?{auth}&fields=name,objective,status,effective_status", ""),
        ("list page limit=25, uncached", "GET", f"/v25.0/{server.act}/campaigns?{auth}&limit=25&fields=name,status", ""),
    ]


def cluster_cpu(cluster: PostgresCluster | None) -> float:
    """User+system CPU seconds of the PostgreSQL postmaster and its live children (the backends serving us)."""
    if cluster is None:
        return 0.0
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
                if int(entry.name) == postmaster or ppid == postmaster:
                    total += loadgen.cpu_seconds(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return total


def process_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its live children (`serve --workers N` forks its workers)."""
    total = loadgen.cpu_seconds(pid)
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in children.read_text().split():
            total += loadgen.cpu_seconds(int(child))
    return total


def measure(label: str, db: str, servers: int, clients: int, duration: float, workdir: Path,
            cluster: PostgresCluster | None = None, workers: int = 1) -> list[dict]:
    fixtures = {"rate_limits": "off"}
    extra = ["--no-read-cache", "--quiet", *(["--workers", str(workers)] if workers > 1 else [])]
    started = [ServerProcess(db, fixtures=fixtures, workdir=workdir, extra_args=extra).start()]
    for _ in range(servers - 1):
        started.append(ServerProcess(db, fixtures=fixtures, workdir=workdir, extra_args=extra).start())
    rows = []
    try:
        for name, method, target, body in scenarios(started[0]):
            jobs = [(f"{started[i % servers].base_url}{target}", method, body, duration) for i in range(clients)]
            _drive((jobs[0][0], method, body, 0.5))  # warm-up: prepared statements, pools
            cpu = [process_cpu(s.proc.pid) for s in started]
            db_cpu = cluster_cpu(cluster)
            with ProcessPoolExecutor(clients) as pool:
                results = list(pool.map(_drive, jobs))
            used = sum(process_cpu(s.proc.pid) - before for s, before in zip(started, cpu))
            requests = sum(r.requests for r in results)
            db_used = cluster_cpu(cluster) - db_cpu
            rows.append({"config": label, "scenario": name, "rps": sum(r.rps for r in results),
                         "p50_ms": statistics.median(r.p50_ms for r in results),
                         "cpu_us": used / max(requests, 1) * 1e6, "db_cpu_us": db_used / max(requests, 1) * 1e6,
                         "bad": sum(r.bad for r in results)})
    finally:
        for server in started:
            server.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per measurement (default 4)")
    parser.add_argument("--clients", type=int, default=2, help="client connections, spread over the servers")
    parser.add_argument("--pg", help="an existing PostgreSQL URL (default: a throwaway cluster, local socket)")
    parser.add_argument("--sqlite-only", action="store_true", help="only the SQLite rows (1 server, --workers 2)")
    args = parser.parse_args(argv)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"graphmock-bench-store-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    cluster = None
    if args.sqlite_only:
        pg = None
    elif args.pg:
        pg = args.pg
    else:
        bin_dir = binaries()
        if bin_dir is None:
            print("no PostgreSQL binaries (/usr/lib/postgresql/*/bin): apt-get install postgresql, or pass --pg URL")
            return 2
        cluster = PostgresCluster(bin_dir).start()
        pg = cluster.url(cluster.create_database(), socket=True)
    load_before = os.getloadavg()
    rows: list[dict] = []
    try:
        rows += measure("sqlite file, 1 server", str(workdir / "bench.sqlite3"), 1, args.clients, args.duration, workdir)
        rows += measure("sqlite file, --workers 2", str(workdir / "bench-workers.sqlite3"), 1, args.clients,
                        args.duration, workdir, workers=2)
        if pg is not None:
            rows += measure("postgresql socket, 1 server", pg, 1, args.clients, args.duration, workdir, cluster)
            rows += measure("postgresql socket, 2 servers", pg, 2, args.clients, args.duration, workdir, cluster)
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"{args.clients} clients x {args.duration:.0f} s; loadgen: {'wrk' if loadgen.shutil.which('wrk') else 'asyncio'}")
    print(f"{'configuration':30} {'scenario':30} {'req/s':>8} {'p50 ms':>7} {'cpu us/req':>10} {'pg cpu us':>9} {'non-2xx':>7}")
    for row in rows:
        print(f"{row['config']:30} {row['scenario']:30} {row['rps']:8.0f} {row['p50_ms']:7.2f} {row['cpu_us']:10.0f} "
              f"{row['db_cpu_us']:9.0f} {row['bad']:7d}")
    print(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
