"""Insights as inline SVG bar charts, laid out on the server (no charting script to ship or load).

One small chart per metric (each has its own scale: spend in currency, impressions
in thousands, clicks in units would flatten each other on a shared axis).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT, GAP = 600, 110, 2


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    day: str = ""
    value: str = ""  # as the insights row sent it ("40", "4000"), so a reader sees the exact figure


@dataclass
class Series:
    name: str
    total: float
    peak: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    days: list[str]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT


def number(value: Any) -> float:
    """Insights send numbers as strings ("12.34"); anything else counts as 0."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if result == result and abs(result) != float("inf") else 0.0


def build(rows: list[dict[str, Any]], metrics: tuple[str, ...], days: list[str] | None = None) -> Chart:
    """Bars per day; with `days` (the whole window) a day without a row is drawn as 0, not skipped."""
    rows = sorted(rows, key=lambda row: str(row.get("date_start", "")))
    if days is not None:
        by_day = {str(row.get("date_start", "")): row for row in rows}
        rows = [by_day.get(day, {"date_start": day}) for day in days]
    days = [str(row.get("date_start", "")) for row in rows]
    slot = WIDTH / max(len(rows), 1)
    series = []
    for metric in metrics:
        values = [number(row.get(metric)) for row in rows]
        peak = max(values, default=0.0)
        line = Series(metric, sum(values), peak)
        for index, value in enumerate(values):
            height = 0.0 if peak <= 0 else max(value, 0.0) / peak * (HEIGHT - 10)
            raw = rows[index].get(metric)
            text = str(raw) if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else f"{value:g}"
            line.bars.append(Bar(round(index * slot + GAP / 2, 2), round(HEIGHT - height, 2), round(max(slot - GAP, 1.0), 2),
                                 round(height, 2),
                                 f"{days[index]}: {metric} {text}", days[index], text))
        series.append(line)
    return Chart(days, series)
