"""Instructions per request of a bench_cpu scenario, counted by valgrind (callgrind): a cost that does not move with
the host's load, for changes too small for the socket (bench_ab.py) or thread CPU time (bench_cpu_ab.py) to see.

    python benchmarks/bench_instructions.py . "create ad set"                     # this checkout
    python benchmarks/bench_instructions.py /tmp/before . "create ad set" --repeat 3   # before/after

Each count runs bench_cpu's scenario through `serve`'s HTTP protocol object (`--protocol`, group commit on, as a
lone `graphmock serve`) twice under callgrind, BASE and BASE + N requests after the same set-up, and divides the
difference by N: start-up, imports and set-up cancel out. Python under valgrind runs ~50x slower, so the time-based
batching (the group's COMMIT, the journal's settling, the console log's flush, the checkpoint) is stretched as much
(`--slow`), or each batch would hold ~50x fewer requests than on a real server. The timers still follow the clock:
runs of the same code differ by ~1-2 %; `--repeat` shows the spread. Needs `valgrind` (apt-get install valgrind).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = 100  # requests in the shorter run
WARM_UP = 200  # requests before either run counts anything that differs
_COLLECTED = re.compile(r"Collected : (\d+)")


def child(scenario: str, count: int, slow: float, planned: int, read_cache: bool) -> None:
    """Inside valgrind: the scenario's requests, `count` of them, timers stretched by `slow`; the set-up is the
    same for every count (`planned`: the most requests any run sends, warm-up included)."""
    sys.path.insert(0, str(HERE))
    import mock_server.journal as journal
    import mock_server.request_log as request_log
    import mock_server.store.checkpoint as checkpoint
    import mock_server.store.sqlite_group as sqlite_group

    sqlite_group.GROUP_SECONDS *= slow
    journal.SETTLE_DELAY *= slow
    request_log.FLUSH_DELAY *= slow
    checkpoint.INTERVAL_SECONDS *= slow
    import bench_cpu

    app, world = bench_cpu.build(read_cache, True)
    driver = bench_cpu.ProtocolDriver(app)
    chosen = [s for s in bench_cpu.scenarios(driver, world, planned) if scenario in s[0]]
    if not chosen:
        raise SystemExit(f"no bench_cpu scenario matches {scenario!r}")
    _, method, target, bodies = chosen[0]
    driver.run(method, target, bodies, WARM_UP)  # memos, caches, the first group
    driver.run(method, target, bodies, count)


def count_instructions(checkout: str, scenario: str, count: int, slow: float, planned: int, cold: bool) -> int:
    """Instructions valgrind counts for one run of `count` requests from `checkout`."""
    path = str(Path(checkout).resolve())
    env = {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "0", "GRAPHMOCK_GROUP_COMMIT": "1"}
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--child",
               scenario, str(count), "--slow", str(slow), "--planned", str(planned)] + (["--no-read-cache"] if cold else [])
    done = subprocess.run(command, cwd=path, env=env, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed in {path}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(checkout: str, scenario: str, requests: int, slow: float, cold: bool) -> float:
    planned = WARM_UP + BASE + requests
    return (count_instructions(checkout, scenario, BASE + requests, slow, planned, cold)
            - count_instructions(checkout, scenario, BASE, slow, planned, cold)) / requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", help="one or more checkouts, then the scenario (a bench_cpu name part)")
    parser.add_argument("--requests", type=int, default=1000, help="N: requests counted (the longer run's extra ones)")
    parser.add_argument("--repeat", type=int, default=1, help="counts per checkout, alternating between checkouts")
    parser.add_argument("--slow", type=float, default=50.0, help="how much the batching timers are stretched")
    parser.add_argument("--no-read-cache", action="store_true", help="reads rendered afresh (the cold reads)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--planned", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        scenario, count = args.checkouts
        child(scenario, int(count), args.slow, args.planned, not args.no_read_cache)
        return 0
    *checkouts, scenario = args.checkouts
    if not checkouts:
        parser.error("give at least one checkout, then the scenario")
    seen: dict[str, list[float]] = {c: [] for c in checkouts}
    for _ in range(args.repeat):
        for checkout in checkouts:
            seen[checkout].append(per_request(checkout, scenario, args.requests, args.slow, args.no_read_cache))
    cold = " [--no-read-cache]" if args.no_read_cache else ""
    print(f"{scenario}{cold}: instructions per request (callgrind, {args.requests} requests, timers x{args.slow:g})")
    first = statistics.median(seen[checkouts[0]])
    for checkout, counts in seen.items():
        median = statistics.median(counts)
        runs = " ".join(f"{c / 1000:.0f}k" for c in counts)
        print(f"{checkout:30s} median {median / 1000:7.1f}k  ({runs})  {median / first:5.3f} of the first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
