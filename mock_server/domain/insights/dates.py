"""Reporting windows: date presets, time_range(s) and time_increment slices, in the account's time zone on
the virtual clock (INSIGHTS.md 2.1, 2.2, 7)."""

from __future__ import annotations

from datetime import date, timedelta

from mock_server.wire.limits import ascii_digits

Window = tuple[date, date]


def preset(name: str, today: date, lookback_months: int) -> Window:
    """The inclusive local-date window of a date_preset (last_Nd: N full days ending yesterday)."""
    yesterday = today - timedelta(days=1)
    if name == "today":
        return today, today
    if name == "yesterday":
        return yesterday, yesterday
    if name.startswith("last_") and name.endswith("d") and ascii_digits(name[5:-1]):
        n = int(name[5:-1])
        return today - timedelta(days=n), yesterday
    if name == "this_week_mon_today":
        return today - timedelta(days=today.weekday()), today
    if name == "this_week_sun_today":
        return today - timedelta(days=(today.weekday() + 1) % 7), today
    if name == "last_week_mon_sun":
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if name == "last_week_sun_sat":
        start = today - timedelta(days=(today.weekday() + 1) % 7 + 7)
        return start, start + timedelta(days=6)
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if name in ("this_quarter", "last_quarter"):
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if name == "this_quarter":
            return start, today
        end = start - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if name == "this_year":
        return date(today.year, 1, 1), today
    if name == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    # maximum / data_maximum: everything, capped at the lookback (INSIGHTS.md 2.1)
    return months_before(today, lookback_months), today


def months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    return date(year, month, 28)


def slices(window: Window, increment: str | int) -> list[Window]:
    """all_days: one slice; monthly: calendar months clipped to the window; N: N-day slices from since."""
    first, last = window
    if increment == "all_days":
        return [window]
    out: list[Window] = []
    if increment == "monthly":
        start = first
        while start <= last:
            nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            out.append((start, min(last, nxt - timedelta(days=1))))
            start = nxt
        return out
    step = int(increment)
    start = first
    while start <= last:
        out.append((start, min(last, start + timedelta(days=step - 1))))
        start += timedelta(days=step)
    return out
