"""Graph datetimes: every accepted input form, and the one output form.

Inputs (seed 000 `end_time`/`start_time`): UNIX seconds, ISO 8601
(`2026-03-12T23:59:59-0700`, `...+07:00`, `...Z`), `2015-03-12 23:59:59-07:00`,
`2015-03-12 23:59:59 PDT`, and naive `YYYY-MM-DD[ HH:MM:SS]` read in the ad
account's timezone. Output: `2026-11-23T10:00:00+0000`, in the ad account's zone
(`2026-08-28T00:00:00-0700`) where the caller passes it (domain/account_time.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = Exception  # type: ignore[assignment,misc]

# US and common abbreviations Graph's strtotime()-style parser accepts.
ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5,
    "EST": -5, "EDT": -4, "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "IST": 5, "JST": 9, "AEST": 10, "AEDT": 11,
}
MAX_UNIX = 253402300799  # 9999-12-31T23:59:59Z

_PATTERN = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
    r"\s*(?:(Z|[+-][0-9]{2}:?[0-9]{2}|[+-][0-9]{2})|([A-Za-z]{1,5}))?$"
)


def parse(value: object, default_tz: tzinfo = timezone.utc) -> int | None:
    """Return UNIX seconds for any accepted form, or None when `value` is not a datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_UNIX else None
    if isinstance(value, float):
        return int(value) if 0 <= value <= MAX_UNIX else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        number = int(text) if len(text) <= 12 else MAX_UNIX + 1
        return number if number <= MAX_UNIX else None
    match = _PATTERN.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset, abbrev = match.groups()
    tz: tzinfo = default_tz
    if offset:
        tz = _offset_tz(offset)
    elif abbrev:
        hours = ABBREVIATIONS.get(abbrev.upper())
        if hours is None:
            return None
        tz = timezone(timedelta(hours=hours))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz)
        seconds = int(moment.timestamp())
    except (ValueError, OverflowError):
        return None
    return seconds if 0 <= seconds <= MAX_UNIX else None


def _offset_tz(offset: str) -> tzinfo:
    if offset == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_graph(seconds: float, tz: tzinfo = timezone.utc) -> str:
    """UNIX seconds -> `2026-11-23T10:00:00+0000`, or in `tz` with that instant's offset (`...-0700`)."""
    return datetime.fromtimestamp(int(seconds), tz=tz).strftime("%Y-%m-%dT%H:%M:%S%z")


def zone(name: str | None) -> tzinfo:
    """The account's timezone, UTC when unknown."""
    if not name or ZoneInfo is None:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc
