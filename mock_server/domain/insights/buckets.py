"""Breakdown buckets: the value tuples a breakdown set yields, their per-ad weights, and the exact split.

Each ad gets seeded weights over the documented value set (INSIGHTS.md 4.2), limited by its ad set's
targeting where the targeting names the dimension (publisher_platforms, countries, age range; 9.9). An
ad-day's components are split with cumulative flooring, so the buckets sum exactly to the unbroken figure
(9.1). Breakdowns graphmock does not model answer one "unknown" bucket.
"""

from __future__ import annotations

from operator import add, sub
from typing import Any

from mock_server.domain.delivery import seeded
from mock_server.store.repository import Record

Bucket = tuple[str, ...]


class Buckets:
    def __init__(self, breakdowns: list[str], rules: dict[str, Any], seed: int) -> None:
        self.breakdowns = breakdowns
        self.values = rules["breakdown_values"]
        self.seed = seed
        self._cache: dict[int, tuple[tuple[Bucket, ...], list[float]]] = {}
        self._layouts: dict[tuple[Bucket, ...], tuple[Bucket, ...]] = {}  # equal bucket lists share one tuple
        self.joint = "platform_position" in breakdowns  # platform_position values carry their platform

    def for_ad(self, ad: Record, adset: Record | None) -> tuple[tuple[Bucket, ...], list[float]]:
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
            # a dimension no option named (targeting ruled every platform_position out) reads "unknown"
            buckets.append(tuple(values.get(name, "unknown") for name in self.breakdowns))
            cumulative.append(running)
        if cumulative:
            cumulative[-1] = 1.0
        # n x 1.0 == n exactly, so clamping an overshoot keeps `split` equal to the documented floor(n x C_k)
        cumulative = [1.0 if c >= 1.0 else c for c in cumulative]
        names = self._layouts.setdefault(tuple(buckets), tuple(buckets))
        self._cache[ad.id] = (names, cumulative)
        return names, cumulative

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


def split(vector: Any, cumulative: list[float]) -> list[list[int]]:
    """Every component of `vector` across the buckets: floor(n x C_k) - floor(n x C_k-1), exact in total."""
    flat, k = flat_split(vector, cumulative), len(cumulative)
    return [flat[b::k] for b in range(k)]


def flat_split(vector: Any, cumulative: list[float]) -> list[int]:
    """`split` as one flat list, component-major (component p, bucket b at p x K + b): two comprehensions
    and a map for the whole vector, as this runs for every ad set-day of a broken-down report."""
    ups = [int(n * c) for n in vector for c in cumulative]
    before = [0, *ups]
    del before[-1]
    before[::len(cumulative)] = [0] * len(vector)  # each component's first bucket starts from 0
    return list(map(sub, ups, before))


class ColumnSums:
    """Broken-down rows summed as flat splits per (slice, row id, bucket layout), for reports that need only
    additive figures (no reach-like maxima or cell counts) over one time range: one list addition per ad
    set-day instead of a row lookup per bucket. A bucket's part counts only when it has impressions or
    spend, as in the row-wise sum, so rows and figures come out identical."""

    def __init__(self, impr_at: int, spend_at: int) -> None:
        self.impr_at, self.spend_at = impr_at, spend_at
        self.sums: dict[tuple[int, int, int], tuple[tuple[Bucket, ...], list[int]]] = {}

    def add(self, slice_key: int, lid: int, names: tuple[Bucket, ...], flat: list[int]) -> None:
        """Add one ad set-day's `flat_split`; `names` is interned by `Buckets.for_ad`, so its id is its layout."""
        k = len(names)
        impr = flat[self.impr_at * k:(self.impr_at + 1) * k]
        if 0 in impr:
            spend = flat[self.spend_at * k:(self.spend_at + 1) * k]
            live = [bool(a or b) for a, b in zip(impr, spend)]
            if not all(live):
                flat = [x if keep else 0 for x, keep in zip(flat, live * (len(flat) // k))]
        key = (slice_key, lid, id(names))
        held = self.sums.get(key)
        if held is None:
            self.sums[key] = (names, flat)
        else:
            total = held[1]
            total[:] = map(add, total, flat)

    def groups(self, width: int) -> dict[tuple[int, int, Bucket], list[int]]:
        """(slice, row id, bucket) -> component sums padded to `width`, for buckets that delivered."""
        out: dict[tuple[int, int, Bucket], list[int]] = {}
        impr, spend = self.impr_at, self.spend_at
        for (slice_key, lid, _), (names, flat) in self.sums.items():
            k = len(names)
            padding = [0] * (width - len(flat) // k)
            for b, bucket in enumerate(names):
                row = flat[b::k]
                if row[impr] or row[spend]:
                    group = out.get((slice_key, lid, bucket))
                    if group is None:
                        out[(slice_key, lid, bucket)] = row + padding
                    else:
                        group[:len(row)] = map(add, group, row)
        return out


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
