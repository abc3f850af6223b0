"""Two checkouts of graphmock side by side: the same bench_http scenarios against a server of each, interleaved,
median of N rounds: req/s and server CPU per request. For before/after figures of a change:

    git worktree add /tmp/before <commit>
    python benchmarks/bench_ab.py /tmp/before . [scenario substring ...] [--rounds 10] [--duration 2] [--each]

Each server runs from its own directory (`python -m mock_server serve` with that directory first on the path).
Two servers of the same code differ by up to ~6-13 % for their whole life (hash seeds, memory layout, where the
scheduler puts them next to the load generator), so each round starts new ones; 10 rounds separate a ~5 %
change. Smaller ones: `bench_instructions.py` (valgrind's instruction count, ~0.1 % between runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_http as bh  # noqa: E402
import loadgen  # noqa: E402


def _start(tag: str, checkout: str, work: str, round_: int) -> tuple[Any, int]:
    """A server of `checkout` on a new store file and a free port (`-m mock_server` run from that directory)."""
    here = os.getcwd()
    os.environ["PYTHONPATH"] = checkout
    os.chdir(checkout)  # `-m mock_server` imports from the current directory first
    try:
        port = bh.free_port()
        command = [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--db", f"{work}/{tag}{round_}.sqlite3", "--fixtures", bh.FIXTURES]
        return bh.start(command, "/__graphmock/ui/", port)[0], port
    finally:
        os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="checkout A (before)")
    parser.add_argument("b", help="checkout B (after)")
    parser.add_argument("only", nargs="*", help="scenarios whose name contains one of these (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument("--each", action="store_true", help="also print every round's req/s")
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp()
    checkouts = {"A": str(Path(args.a).resolve()), "B": str(Path(args.b).resolve())}
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    world = bh.world()
    for round_ in range(args.rounds):
        # New servers every round: two processes of the SAME code differ by up to ~6 % for their whole life (an A/A
        # run of one pair of servers read B/A 1.06; hash seeds, memory layout, the core each lands on), so a
        # difference is only seen over many pairs. A runs first in even rounds, B in odd ones.
        order = "AB" if round_ % 2 == 0 else "BA"
        servers = {tag: _start(tag, checkouts[tag], work, round_) for tag in order}
        try:
            scenarios = {tag: bh.scenarios(port, world, args.duration) for tag, (_, port) in servers.items()}
            for index, row in enumerate(scenarios["A"]):
                if args.only and not any(o in row[0] for o in args.only):
                    continue
                for tag in order:
                    proc, port = servers[tag]
                    name, _, method, target, body = scenarios[tag][index]
                    result = loadgen.run(f"http://127.0.0.1:{port}{target}", method=method, body=body,
                                         duration=args.duration, server_pid=proc.pid)
                    results.setdefault(name, {}).setdefault(tag, []).append((result.rps, result.cpu_us or 0.0))
        finally:
            for proc, _ in servers.values():
                proc.kill()
                proc.wait()
    tool = "wrk" if shutil.which("wrk") else "the asyncio client"
    print(f"A = {args.a}, B = {args.b}; median of {args.rounds} rounds, new servers each, load generator: {tool}")
    for name, by_tag in results.items():
        a_rps, b_rps = (statistics.median(r for r, _ in by_tag[t]) for t in "AB")
        a_cpu, b_cpu = (statistics.median(c for _, c in by_tag[t]) for t in "AB")
        if args.each:
            for tag in "AB":
                print(f"  {tag} each round, req/s: {' '.join(str(round(r)) for r, _ in by_tag[tag])}")
        print(f"{name:42} A {a_rps:7.0f} req/s {a_cpu:6.0f} us | B {b_rps:7.0f} req/s {b_cpu:6.0f} us | "
              f"B/A {b_rps / a_rps:4.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
