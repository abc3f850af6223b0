"""Two checkouts in-process, alternately: `bench_cpu.py` of each, N times, the minimum and median per scenario.

On a shared or noisy host two servers side by side (`bench_ab.py`) may not separate a change of 10-25 %; the
minimum of several in-process runs (thread CPU, no sockets) does. Each run imports the checkout it is given
(`PYTHONPATH` and the working directory), so the two need not share a virtualenv's editable install.

    python benchmarks/bench_cpu_ab.py <checkout A> <checkout B> --runs 5 [--no-read-cache] [--env-b NAME=VALUE]

`--env-b GRAPHMOCK_GROUP_COMMIT=1` runs B as `graphmock serve` does (group commit: docs/group-commit.md).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

_ROW = re.compile(r"^(.*?)\s{2,}(\d+) us")


def run(checkout: str, extra: list[str], env: dict[str, str]) -> dict[str, int]:
    """Server CPU per request of each scenario, one `bench_cpu.py` run from `checkout`."""
    path = str(Path(checkout).resolve())
    out = subprocess.run([sys.executable, "benchmarks/bench_cpu.py", *extra], cwd=path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": path, **env}, check=True).stdout
    return {m.group(1).strip(): int(m.group(2)) for line in out.splitlines() if (m := _ROW.match(line))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="checkout A (before)")
    parser.add_argument("b", help="checkout B (after)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-read-cache", action="store_true")
    parser.add_argument("--env-b", action="append", default=[], help="NAME=VALUE set for B's runs only")
    args = parser.parse_args(argv)
    extra = ["--no-read-cache"] if args.no_read_cache else []
    env_b = dict(item.split("=", 1) for item in args.env_b)
    seen: dict[str, dict[str, list[int]]] = {}
    for _ in range(args.runs):
        for tag, checkout, env in (("B", args.b, env_b), ("A", args.a, {})):
            for name, us in run(checkout, extra, env).items():
                seen.setdefault(name, {}).setdefault(tag, []).append(us)
    print(f"A = {args.a}, B = {args.b}{' ' + str(env_b) if env_b else ''}; {args.runs} alternating runs each, "
          f"server CPU per request (batches: per request of 50 operations){' [--no-read-cache]' if extra else ''}")
    for name, by in seen.items():
        a, b = by.get("A", [0]), by.get("B", [0])
        print(f"{name:40s} A min {min(a):6d} median {statistics.median(a):8.0f} | "
              f"B min {min(b):6d} median {statistics.median(b):8.0f} | A/B of minimums {min(a) / max(min(b), 1):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
