"""Two checkouts of graphmock side by side: the same bench_http scenarios against a server of each, interleaved,
median of N rounds: req/s and server CPU per request. For before/after figures of a change:

    git worktree add /tmp/before <commit>
    python benchmarks/bench_ab.py /tmp/before . [scenario substring ...] [--rounds 3] [--duration 2]

Each server runs from its own directory (`python -m mock_server serve` with that directory first on the path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_http as bh  # noqa: E402
import loadgen  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="checkout A (before)")
    parser.add_argument("b", help="checkout B (after)")
    parser.add_argument("only", nargs="*", help="scenarios whose name contains one of these (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per measurement")
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp()
    servers = {}
    here = os.getcwd()
    try:
        for tag, path in (("A", args.a), ("B", args.b)):
            path = str(Path(path).resolve())
            os.environ["PYTHONPATH"] = path
            os.chdir(path)  # `-m mock_server` imports from the current directory first
            port = bh.free_port()
            command = [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(port),
                       "--db", f"{work}/{tag}.sqlite3", "--fixtures", bh.FIXTURES]
            servers[tag] = (bh.start(command, "/__graphmock/ui/", port)[0], port)
        os.chdir(here)
        world = bh.world()
        scenarios = {tag: bh.scenarios(port, world, args.duration) for tag, (_, port) in servers.items()}
        results: dict[str, dict[str, list[tuple[float, float]]]] = {}
        for _ in range(args.rounds):
            for index, row in enumerate(scenarios["A"]):
                if args.only and not any(o in row[0] for o in args.only):
                    continue
                for tag, (proc, port) in servers.items():
                    name, _, method, target, body = scenarios[tag][index]
                    result = loadgen.run(f"http://127.0.0.1:{port}{target}", method=method, body=body,
                                         duration=args.duration, server_pid=proc.pid)
                    results.setdefault(name, {}).setdefault(tag, []).append((result.rps, result.cpu_us or 0.0))
        tool = "wrk" if shutil.which("wrk") else "the asyncio client"
        print(f"A = {args.a}, B = {args.b}; median of {args.rounds} interleaved rounds, load generator: {tool}")
        for name, by_tag in results.items():
            a_rps, b_rps = (statistics.median(r for r, _ in by_tag[t]) for t in "AB")
            a_cpu, b_cpu = (statistics.median(c for _, c in by_tag[t]) for t in "AB")
            print(f"{name:42} A {a_rps:7.0f} req/s {a_cpu:6.0f} us | B {b_rps:7.0f} req/s {b_cpu:6.0f} us | "
                  f"B/A {b_rps / a_rps:4.2f}")
    finally:
        for proc, _ in servers.values():
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
