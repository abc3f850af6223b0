"""When an ad could deliver, and at what budget rate, from the history of the ad, its ad set and campaign.

An ad delivers while it, its ad set and its campaign are configured ACTIVE, inside the ad set's start/end and
the campaign's start/stop, its review approved, and the account active (INSIGHTS.md 9.6). The result is a list
of segments `(start, end, rate)`: the budget owner's rate (minor units per second) while the ad could spend.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from mock_server.domain import review
from mock_server.domain.delivery import history
from mock_server.store.repository import Record

Segment = tuple[float, float, float]


class Timeline:
    """A record's states over time, looked up by instant."""

    __slots__ = ("starts", "states", "born", "_points")

    def __init__(self, record: Record) -> None:
        entries = history.timeline(record)
        self.starts = [ts for ts, _ in entries]
        self.states = [state for _, state in entries]
        self.born = history.created(record)
        self._points: list[float] | None = None

    def at(self, instant: float) -> dict[str, Any] | None:
        if instant < self.born:
            return None
        index = bisect_right(self.starts, instant) - 1
        return self.states[max(index, 0)]

    def breakpoints(self) -> list[float]:
        """Instants where the state may change (computed once; callers must not mutate the list)."""
        if self._points is None:
            self._points = self._breakpoints()
        return self._points

    def _breakpoints(self) -> list[float]:
        points = list(self.starts) + [self.born]
        for state in self.states:
            for key in ("start_time", "end_time", "stop_time"):
                value = state.get(key)
                if isinstance(value, (int, float)):
                    points.append(float(value))
        return points


def _inside(state: dict[str, Any], instant: float, end_key: str) -> bool:
    start, end = state.get("start_time"), state.get(end_key)
    if isinstance(start, (int, float)) and instant < start:
        return False
    return not (isinstance(end, (int, float)) and instant >= end)


def _review_points(ad: Record) -> tuple[list[float], Callable[[float], bool]]:
    data = ad.data.get("review")
    if not data:
        return [], lambda t: True
    submitted = float(data.get("submitted_at") or 0)
    decide_at = data.get("decide_at")

    def approved(instant: float) -> bool:
        if instant < submitted:
            return True  # the approval before this submission (graphmock keeps no older review)
        return review.resolved(data, instant) == review.APPROVED
    points = [submitted] + ([float(decide_at)] if isinstance(decide_at, (int, float)) else [])
    decided = data.get("decided_at")
    if isinstance(decided, (int, float)):
        points.append(float(decided))
    return points, approved


def segments(ad: Record, adset: Timeline, campaign: Timeline, owner_rate: Callable[[float], float],
             owner_points: list[float], start: float, end: float) -> list[Segment]:
    """The ad's delivering segments within [start, end) with the owner's budget rate in each."""
    if end <= start:
        return []
    own = Timeline(ad)
    review_points, approved = _review_points(ad)
    points = {start, end}
    for point in own.breakpoints() + adset.breakpoints() + campaign.breakpoints() + review_points + owner_points:
        if start < point < end:
            points.add(point)
    ordered = sorted(points)
    out: list[Segment] = []
    for a, b in zip(ordered, ordered[1:]):
        s_ad, s_set, s_camp = own.at(a), adset.at(a), campaign.at(a)
        if s_ad is None or s_set is None or s_camp is None:
            continue
        if s_ad["status"] != "ACTIVE" or s_set["status"] != "ACTIVE" or s_camp["status"] != "ACTIVE":
            continue
        if not (_inside(s_set, a, "end_time") and _inside(s_camp, a, "stop_time") and approved(a)):
            continue
        rate = owner_rate(a)
        if rate <= 0:
            continue
        if out and out[-1][1] == a and out[-1][2] == rate:
            out[-1] = (out[-1][0], b, rate)
        else:
            out.append((a, b, rate))
    return out


def per_day(segs: list[Segment], bounds: list[float]) -> tuple[array[float], array[float]]:
    """(active seconds, budget units = integral of rate) for each day [bounds[i], bounds[i+1]).

    Packed doubles (the same values as Python floats): a year over a few hundred ads stays a few MB."""
    n = len(bounds) - 1
    seconds, units = array("d", bytes(8 * n)), array("d", bytes(8 * n))
    day = 0
    for a, b, rate in segs:
        while day < n and bounds[day + 1] <= a:
            day += 1
        d = day
        while d < n and bounds[d] < b:
            low, high = bounds[d], bounds[d + 1]
            lo = a if a >= low else low  # max(a, low), min(b, high) without the calls: runs per ad and day
            hi = b if b <= high else high
            if hi > lo:
                seconds[d] += hi - lo
                units[d] += (hi - lo) * rate
            if high >= b:
                break
            d += 1
    return seconds, units
