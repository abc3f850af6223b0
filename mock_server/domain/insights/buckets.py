"""Breakdown buckets: the value tuples a breakdown set yields, their per-ad weights, and the exact split.

Each ad gets seeded weights over the documented value set (INSIGHTS.md 4.2), limited by its ad set's
targeting where the targeting names the dimension (publisher_platforms, countries, age range; 9.9). An
ad-day's components are split with cumulative flooring, so the buckets sum exactly to the unbroken figure
(9.1). Breakdowns graphmock does not model answer one "unknown" bucket.
"""

from __future__ import annotations

from operator import sub
from typing import Any

from mock_server.domain.delivery import seeded
from mock_server.store.repository import Record

Bucket = tuple[str, ...]


class Buckets:
    def __init__(self, breakdowns: list[str], rules: dict[str, Any], seed: int) -> None:
        self.breakdowns = breakdowns
        self.values = rules["breakdown_values"]
        self.seed = seed
        self._cache: dict[int, tuple[list[Bucket], list[float]]] = {}
        self.joint = "platform_position" in breakdowns  # platform_position values carry their platform

    def for_ad(self, ad: Record, adset: Record | None) -> tuple[list[Bucket], list[float]]:
        """(bucket tuples in breakdown order, cumulative weights ending at 1.0) for one ad."""
        cached = self._cache.get(ad.id)
        if cached is not None:
            return cached
        targeting = (adset.data.get("targeting") if adset else None) or {}
        combos: list[tuple[dict[str, str], float]] = [({}, 1.0)]
        for index, name in enumerate(self.breakdowns):
            if name == "publisher_platform" and self.joint:
                continue
            options = self._options(name, targeting, ad.id, index)
            combos = [({**values, **extra}, weight * w) for values, weight in combos for extra, w in options]
        combos = [c for c in combos if c[1] > 0]
        total = sum(w for _, w in combos) or 1.0
        buckets: list[Bucket] = []
        cumulative: list[float] = []
        running = 0.0
        for values, weight in combos:
            running += weight / total
            buckets.append(tuple(values[name] for name in self.breakdowns))
            cumulative.append(running)
        if cumulative:
            cumulative[-1] = 1.0
        # n x 1.0 == n exactly, so clamping an overshoot keeps `split` equal to the documented floor(n x C_k)
        cumulative = [1.0 if c >= 1.0 else c for c in cumulative]
        self._cache[ad.id] = (buckets, cumulative)
        return buckets, cumulative

    def _options(self, name: str, targeting: dict[str, Any], ad_id: int, index: int) -> list[tuple[dict[str, str], float]]:
        table = self.values.get(name)
        if table is None:
            return [({name: "unknown"}, 1.0)]
        allowed = _allowed(name, targeting)
        out = []
        for position, (value, base) in enumerate(table.items()):
            if name == "platform_position":
                platform, _, place = value.partition("|")
                if allowed is not None and platform not in allowed:
                    continue
                values = {"platform_position": place}
                if "publisher_platform" in self.breakdowns:
                    values["publisher_platform"] = platform
            else:
                if allowed is not None and not allowed(value) if callable(allowed) else (allowed is not None and value not in allowed):
                    continue
                values = {name: value}
            out.append((values, base * seeded.spread(0.3, seeded.BREAKDOWN, self.seed, ad_id, index, position)))
        return out or [({name: "unknown"}, 1.0)]


def split(vector: list[int], cumulative: list[float]) -> list[tuple[int, ...]]:
    """Every component of `vector` across the buckets: floor(n x C_k) - floor(n x C_k-1), exact in total.

    Column by column (one comprehension per non-zero component), then transposed: this runs for every
    ad set-day of a broken-down report, so it avoids per-cell Python loops."""
    zeros = (0,) * len(cumulative)
    columns: list[Any] = []
    for n in vector:
        if n:
            ups = [int(n * c) for c in cumulative]
            columns.append(map(sub, ups, [0, *ups]))
        else:
            columns.append(zeros)
    return list(zip(*columns))


def _allowed(name: str, targeting: dict[str, Any]) -> Any:
    """The values targeting permits, or None when it says nothing about this dimension."""
    if name in ("publisher_platform", "platform_position"):
        platforms = targeting.get("publisher_platforms")
        return set(platforms) if isinstance(platforms, list) and platforms else None
    if name == "country":
        countries = (targeting.get("geo_locations") or {}).get("countries")
        return set(countries) if isinstance(countries, list) and countries else None
    if name == "age":
        low, high = targeting.get("age_min"), targeting.get("age_max")
        if not isinstance(low, int) and not isinstance(high, int):
            return None
        low = low if isinstance(low, int) else 13
        high = high if isinstance(high, int) else 65

        def within(bucket: str) -> bool:
            start = int(bucket.split("-")[0].rstrip("+"))
            end = 200 if bucket.endswith("+") else int(bucket.split("-")[1])
            return end >= low and start <= high
        return within
    return None
