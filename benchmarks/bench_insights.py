"""Insights report latency and memory (issue 13): a 30-day daily campaign-level report with one breakdown
over an account of 50 campaigns x 4 ad sets x 3 ads, served synchronously in process.

    python benchmarks/bench_insights.py                      # ~1 min: builds the account, then measures
    python benchmarks/bench_insights.py --campaigns 10 --repeat 3

Prints p50/max latency and CPU per report shape, the traced peak memory of one report and the process RSS after
reports over 30, 90, 180 and 365 days (rows are computed per request, never stored: RSS stays flat; the
traced peak of a daily report over the window grows only with the per-request day vectors, a few MB).
"""

from __future__ import annotations

import argparse
import os
import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mock_server import GraphMock  # noqa: E402
from mock_server.config import ServerConfig  # noqa: E402

import insights_world as W  # noqa: E402

DAY = 86400


def build(mock: GraphMock, campaigns: int, adsets: int, ads: int, days: int) -> str:
    mock.clock.freeze(W.T0)
    c = mock.client()
    act, world = mock.world["ad_account_id"], mock.world
    creative = W.creative(c, act, world)
    for _ in range(campaigns):
        campaign = W.campaign(c, act)
        for _ in range(adsets):
            adset = W.adset(c, act, world, campaign)
            for _ in range(ads):
                W.ad(c, act, adset, creative)
    mock.clock.advance(days * DAY)
    return act


def measure(c, path: str, params: dict[str, str], repeat: int) -> tuple[float, float, int, float]:
    """(p50 wall ms, max wall ms, rows, p50 CPU ms): CPU time is steadier on a shared machine."""
    times, cpu = [], []
    rows = 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = c.get(path, params=params)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.text[:300]
        rows = len(response.json()["data"])
    return statistics.median(times), max(times), rows, statistics.median(cpu)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--adsets", type=int, default=4)
    parser.add_argument("--ads", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with GraphMock(ServerConfig(rate_limits="off", read_cache=False), seed=1) as mock:
        t = time.perf_counter()
        act = build(mock, args.campaigns, args.adsets, args.ads, days=400)
        print(f"built {args.campaigns}x{args.adsets}x{args.ads} in {time.perf_counter() - t:.1f}s")
        c = mock.client()
        since = "2026-12-07"
        until = "2027-01-05"
        base = {"level": "campaign", "time_increment": "1", "limit": "5000",
                "time_range": json.dumps({"since": since, "until": until}), "fields": "campaign_id,impressions,spend,clicks"}
        shapes = {
            "30d daily, campaign level, no breakdown": {},
            "30d daily, campaign level, breakdowns=gender": {"breakdowns": "gender"},
            "30d daily, campaign level, breakdowns=age": {"breakdowns": "age"},
            "30d daily, campaign level, breakdowns=publisher_platform": {"breakdowns": "publisher_platform"},
        }
        for label, extra in shapes.items():
            p50, worst, rows, cpu = measure(c, f"{act}/insights", {**base, **extra}, args.repeat)
            print(f"{label:58s} p50 {p50:7.1f} ms  max {worst:7.1f} ms  cpu {cpu:7.1f} ms  rows {rows}")
        tracemalloc.start()
        c.get(f"{act}/insights", params={**base, "breakdowns": "age"})
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"traced peak of one 30-day age report: {peak:.1f} MB")
        for days in (30, 90, 180, 365):
            window = {"since": f"{W_date(400 - days)}", "until": W_date(399)}
            params = {"level": "campaign", "fields": "impressions,spend", "time_range": json.dumps(window)}
            p50, worst, rows, cpu = measure(c, f"{act}/insights", params, 2)
            tracemalloc.start()
            c.get(f"{act}/insights", params={**params, "time_increment": "1", "limit": "25"})
            daily_peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(f"{days:4d}-day all_days campaign report: p50 {p50:7.1f} ms  cpu {cpu:7.1f} ms  rows {rows}  "
                  f"max RSS {rss_mb():.0f} MB  traced peak of the daily report {daily_peak:.1f} MB")


def W_date(offset_days: int) -> str:
    import datetime
    return (datetime.date(2026, 1, 1) + datetime.timedelta(days=offset_days)).isoformat()


if __name__ == "__main__":
    main()
