"""The ad account's time zone: how Graph reads naive times and renders every datetime of an account's objects.

Graph answers datetimes in the owning ad account's zone with the offset in force
at that instant (`2026-08-28T00:00:00-0700` for America/Los_Angeles in summer,
`-0800` in winter), and reads a naive input time in the same zone (seed 000,
GRAPH-BEHAVIOUR 4; issue 17). The zone is the account's `timezone_name` in the
fixtures (IANA, via zoneinfo); an unknown name falls back to UTC. Reuse this
module wherever an account's time shows: node fields, insights days, errors.
"""

from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from functools import lru_cache
from typing import Any

from mock_server.domain import timefmt

UTC = timezone.utc


@lru_cache(maxsize=256)
def zone(timezone_name: str | None) -> tzinfo:
    """The zoneinfo zone for a `timezone_name` (cached: accounts repeat a handful of zones)."""
    return timefmt.zone(timezone_name)


def of_account(world: Any, account_id: str | int | None) -> tzinfo:
    """The zone of an ad account of the world, by `act_<id>` or bare id; UTC when the account is unknown."""
    if account_id is None or world is None:
        return UTC
    act = str(account_id)
    act = act if act.startswith("act_") else f"act_{act}"
    account = world.ad_accounts.get(act)
    return zone(account.timezone_name) if account is not None else UTC


def render(seconds: float, tz: tzinfo = UTC) -> str:
    """UNIX seconds -> Graph's `YYYY-MM-DDTHH:MM:SS±HHMM` in `tz` (offset of that instant, DST-correct)."""
    return timefmt.format_graph(seconds, tz)


def local_day(seconds: float, tz: tzinfo = UTC) -> date:
    """The calendar day an instant falls on in the account's zone (insights days, date presets)."""
    return datetime.fromtimestamp(int(seconds), tz=tz).date()


def start_of_day(day: date, tz: tzinfo = UTC) -> int:
    """UNIX seconds of local midnight starting `day` in the account's zone."""
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
