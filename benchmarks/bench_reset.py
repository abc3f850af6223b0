"""Reset time of a SQLite file store at 1 k / 100 k / 1 M objects (issue 18 point 2: < 20 ms at 1 M).

Each size: a fresh file filled with `fixtures/generator.py`'s bulk insert, then `State.reset()` (the whole world)
and a per-account reset of an account holding none of the objects, each timed `--repeat` times (refilled between
whole-world resets). Not a timed test: run it by hand, on a quiet machine for figures to quote.

    python benchmarks/bench_reset.py --sizes 1000,100000,1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.generator import bulk_campaigns  # noqa: E402
from mock_server.config import ServerConfig  # noqa: E402
from mock_server.state import State  # noqa: E402


def run_size(size: int, repeat: int, workdir: Path) -> tuple[float, float, float]:
    """(fill seconds, median whole-reset ms, median per-account reset ms of an empty account)."""
    state = State(ServerConfig(db=str(workdir / f"reset-{size}.sqlite3"), seed=1))
    accounts = sorted(state.world.ad_accounts)
    whole, per_account, fill = [], [], 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        bulk_campaigns(state, size, act=accounts[0], chunk=50_000)
        fill += time.perf_counter() - started
        if len(accounts) > 1:
            started = time.perf_counter()
            state.reset(accounts[-1])
            per_account.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        state.reset()
        whole.append((time.perf_counter() - started) * 1000)
        time.sleep(0.5)  # let the retired table's background drop finish before the next fill
    state.store.close()
    return fill / repeat, statistics.median(whole), statistics.median(per_account) if per_account else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", help="where the SQLite files go (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'objects':>10}  {'fill s':>8}  {'reset ms':>9}  {'account reset ms':>17}")
        for size in (int(s) for s in args.sizes.split(",")):
            fill, whole, account = run_size(size, args.repeat, Path(tmp))
            print(f"{size:>10}  {fill:>8.2f}  {whole:>9.2f}  {account:>17.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
