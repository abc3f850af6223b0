"""bench_cpu.py's scenarios against a PostgreSQL store: server CPU (thread_time) and wall time per request,
read-cache hits and misses. Starts a throwaway cluster (tests/helpers/postgres.py: Debian's binaries) and
talks to it over the local socket. For the shared sandbox's freshness check (docs/postgres-freshness.md):
with a working token, repeated GETs are cache hits although every request writes the journal.

    python benchmarks/bench_cpu_postgres.py                       # rate limits off, as bench_cpu.py
    python benchmarks/bench_cpu_postgres.py --rate-limits --only get --requests 300   # scores written per call
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from bench_cpu import Driver, scenarios  # noqa: E402
from bench_http import FIXTURES  # noqa: E402
from helpers.postgres import PostgresCluster, binaries  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario (batches: a tenth)")
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument("--rate-limits", action="store_true", help="rate limits on (reads only: writes would throttle)")
    parser.add_argument("--no-read-cache", action="store_true", help="reads rendered afresh")
    args = parser.parse_args(argv)
    bin_dir = binaries()
    if bin_dir is None:
        print("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin): apt-get install postgresql")
        return 2
    from mock_server.app import create_app
    from mock_server.config import ServerConfig

    cluster = PostgresCluster(bin_dir).start()
    try:
        url = cluster.url(cluster.create_database(), socket=True)
        app = create_app(ServerConfig(db=url, fixtures=Path(FIXTURES), read_cache=not args.no_read_cache,
                                      rate_limits="on" if args.rate_limits else None))
        state = app.state.graph
        driver = Driver(app)
        chosen = [s for s in scenarios(driver, state.world.summary(), args.requests)
                  if (not args.only or args.only in s[0]) and not (args.rate_limits and s[1] == "POST")]
        gc.freeze()
        gc.set_threshold(100_000, 50, 100)
        print(f"PostgreSQL (local socket), read cache {'off' if args.no_read_cache else 'on'}, rate limits "
              f"{'on' if args.rate_limits else 'off'}; per request: server CPU (thread_time), wall, cache hits/misses")
        for name, method, target, bodies in chosen:
            count = args.requests // 10 if name.startswith("batch") else args.requests
            driver.run(method, target, bodies, max(count // 10, 5))  # warm up
            hits, misses = state.read_cache.hits, state.read_cache.misses
            started = time.perf_counter()
            us = driver.run(method, target, bodies, count)
            wall = (time.perf_counter() - started) / count * 1e6
            print(f"{name:40}{us:>8.0f} us CPU {wall:>8.0f} us wall   hits {state.read_cache.hits - hits:>5} "
                  f"misses {state.read_cache.misses - misses:>5}")
        state.store.close()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
