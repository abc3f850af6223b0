"""Account-local calendar days (INSIGHTS.md 7): every day, preset and slice is a local date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = 86400.0


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "America/Los_Angeles")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def midnight(tz: ZoneInfo, day: date) -> float:
    """Unix seconds of 00:00 local on `day` (DST days are 23 or 25 hours long)."""
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


def local_date(tz: ZoneInfo, instant: float) -> date:
    return datetime.fromtimestamp(instant, tz).date()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def bounds(tz: ZoneInfo, first: date, last: date) -> list[float]:
    """Midnights of first..last+1: day i runs [b[i], b[i+1])."""
    return [midnight(tz, first + timedelta(days=i)) for i in range((last - first).days + 2)]
