"""AdsInsights field values of one row, computed from the row's own summed components (INSIGHTS.md 3.2-3.5).

Counts are integer strings, spend is account-currency major units with trailing zeros dropped, ratios are
rounded to 6 decimals (trailing zeros dropped) and always recomputed from the row's own counts. A ratio
with a zero denominator is omitted (INSIGHTS.md 10.2 leaves it open). Zero actions are not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain.delivery import atoms as A

RMAX, UMAX, CMAX, CELLS = A.SIZE, A.SIZE + 1, A.SIZE + 2, A.SIZE + 3
WIDTH = A.SIZE + 4


def ratio(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def modelled_windows(windows: list[str]) -> list[str]:
    """The attribution windows a row reports (filtered once per query, not per row)."""
    return [w for w in windows if w in A.WINDOWS]


class Row:
    """One row's figures: summed components plus the combined non-additive ones."""

    def __init__(self, g: list[int], offset: int, dedup: float, hourly: bool, windows: list[str],
                 action_filter: set[str] | None, action_keys: dict[str, str] | None = None) -> None:
        self.g = g
        self.action_keys = action_keys or {}
        self.offset = offset
        self.dedup = dedup
        self.hourly = hourly
        self.impressions = g[A.IMPR]
        self.spend_minor = g[A.SPEND]
        self.spend = g[A.SPEND] / offset
        self.windows = windows  # only modelled ones: see `modelled_windows`
        self.action_filter = action_filter
        self._reach: int | None = None

    @property
    def reach(self) -> int:
        """Combined reach (hourly breakdowns report 0, INSIGHTS.md 4.4)."""
        if self._reach is None:
            g = self.g
            self._reach = 0 if self.hourly else \
                A.combine_unique(g[A.REACH], g[RMAX], g[CELLS], self.dedup, self.impressions)
        return self._reach

    @property
    def unique_clicks(self) -> int:
        if self.hourly:
            return 0
        g = self.g
        return min(A.combine_unique(g[A.UCLICKS], g[UMAX], g[CELLS], self.dedup, self.clicks), self.reach)

    @property
    def recallers(self) -> int:
        g = self.g
        return min(A.combine_unique(g[A.RECALL], g[CMAX], g[CELLS], self.dedup, self.reach), self.reach)

    # -- counts ------------------------------------------------------------------------------------
    @property
    def link(self) -> int:
        g = self.g
        return g[A.LPV] + g[A.OUT_REST] + g[A.LINK_REST]

    @property
    def outbound(self) -> int:
        return self.g[A.LPV] + self.g[A.OUT_REST]

    @property
    def clicks(self) -> int:
        return self.link + self.g[A.OTHER_CLICKS]

    def video(self, level: int) -> int:
        """Plays reaching a level: index into VIDEO order p100..play (nested sums)."""
        return sum(self.g[A.P100 + i] for i in range(level + 1))

    def money(self, minor: float) -> str:
        """Major units, trailing zeros dropped ("5339.5", "0", "4376" in a zero-decimal currency)."""
        offset = self.offset
        if offset == 1:
            return str(int(minor))
        if offset == 100 and isinstance(minor, int) and minor >= 0:
            whole, cents = divmod(minor, 100)
            return str(whole) if not cents else f"{whole}.{cents:02d}".rstrip("0")
        return ratio(minor / offset)

    def per(self, numerator: float, denominator: float, scale: float = 1.0) -> str | None:
        return ratio(numerator * scale / denominator) if denominator else None

    def cost(self, count: int) -> str | None:
        return ratio(self.spend / count) if count else None

    # -- action lists ------------------------------------------------------------------------------
    def conversions(self) -> list[tuple[str, int, list[int], list[int]]]:
        """(action_type, default value, 6 window counts, 6 window values) for each converting type."""
        out = []
        for action_type in A.CONV_TYPES:
            base = A.conv_block(action_type)
            parts = self.g[base:base + 6]
            values = self.g[base + 6:base + 12]
            counts = _nest(parts)
            money = _nest(values)
            default = counts[1] + counts[3]
            if default or counts[2] or counts[5]:
                out.append((action_type, default, counts, money))
        return out

    def actions(self, conversion_aliases: dict[str, list[str]], unique: bool = False) -> list[dict[str, Any]]:
        g = self.g
        link = self.link
        video_view = self.video(5)
        post = link + g[A.COMMENT] + g[A.REACTION]
        items: list[tuple[str, int, dict[str, int] | None]] = []
        for name, value in (("comment", g[A.COMMENT]), ("landing_page_view", g[A.LPV]), ("like", g[A.LIKE]),
                            ("link_click", link), ("post_reaction", g[A.REACTION]), ("video_view", video_view),
                            ("post_engagement", post), ("page_engagement", post + g[A.LIKE])):
            items.append((name, value, None))
        for action_type, default, counts, _ in self.conversions():
            windows = dict(zip(A.WINDOWS, counts))
            for alias in [action_type] + conversion_aliases.get(action_type, []):
                items.append((alias, default, windows))
        out = []
        for name, value, windows in items:
            if unique:
                value = min(value, self.reach)
            if value <= 0 or (self.action_filter is not None and name not in self.action_filter):
                continue
            element: dict[str, Any] = {"action_type": name, "value": str(value), **self.action_keys}
            for window in self.windows:
                figure = windows.get(window, 0) if windows else (value if window.endswith("_click") else 0)
                if figure:
                    element[window] = str(figure)
            out.append(element)
        return out

    def action_values(self, conversion_aliases: dict[str, list[str]]) -> list[dict[str, Any]]:
        out = []
        for action_type, _, _, money in self.conversions():
            value = money[1] + money[3]
            if value <= 0:
                continue
            for alias in [action_type] + conversion_aliases.get(action_type, []):
                element: dict[str, Any] = {"action_type": alias, "value": self.money(value)}
                for window, figure in zip(A.WINDOWS, money):
                    if window in self.windows and figure:
                        element[window] = self.money(figure)
                out.append(element)
        return out


def _nest(parts: list[int]) -> list[int]:
    """Window parts (1d, 7d rest, 28d rest) x (click, view) -> cumulative window figures."""
    c1, c7, c28 = parts[0], parts[0] + parts[1], parts[0] + parts[1] + parts[2]
    v1, v7, v28 = parts[3], parts[3] + parts[4], parts[3] + parts[4] + parts[5]
    return [c1, c7, c28, v1, v7, v28]


def _stat(action_type: str, value: str | None) -> list[dict[str, str]] | None:
    return [{"action_type": action_type, "value": value}] if value not in (None, "0") else None


def _cost_list(row: Row, items: list[dict[str, Any]]) -> list[dict[str, str]] | None:
    out = [{"action_type": i["action_type"], "value": row.cost(int(i["value"]))} for i in items]
    return [o for o in out if o["value"] is not None] or None


def _roas(row: Row, aliases: dict[str, list[str]], wanted: str) -> list[dict[str, str]] | None:
    if not row.spend:
        return None
    for item in row.action_values(aliases):
        if item["action_type"] == wanted:
            return [{"action_type": wanted, "value": ratio(float(item["value"]) / row.spend)}]
    return None


Compute = Callable[[Row, dict[str, list[str]]], Any]
METRICS: dict[str, Compute] = {
    "impressions": lambda r, a: str(r.impressions),
    "spend": lambda r, a: r.money(r.spend_minor),
    "social_spend": lambda r, a: "0",
    "reach": lambda r, a: str(r.reach),
    "frequency": lambda r, a: r.per(r.impressions, r.reach),
    "clicks": lambda r, a: str(r.clicks),
    "ctr": lambda r, a: r.per(r.clicks, r.impressions, 100),
    "cpc": lambda r, a: r.cost(r.clicks),
    "cpm": lambda r, a: r.per(r.spend, r.impressions, 1000),
    "cpp": lambda r, a: r.per(r.spend, r.reach, 1000),
    "unique_clicks": lambda r, a: str(r.unique_clicks),
    "unique_ctr": lambda r, a: r.per(r.unique_clicks, r.reach, 100),
    "cost_per_unique_click": lambda r, a: r.cost(r.unique_clicks),
    "inline_link_clicks": lambda r, a: str(r.link),
    "inline_link_click_ctr": lambda r, a: r.per(r.link, r.impressions, 100),
    "cost_per_inline_link_click": lambda r, a: r.cost(r.link),
    "unique_inline_link_clicks": lambda r, a: str(min(r.link, r.unique_clicks)),
    "unique_inline_link_click_ctr": lambda r, a: r.per(min(r.link, r.unique_clicks), r.reach, 100),
    "unique_link_clicks_ctr": lambda r, a: r.per(min(r.link, r.unique_clicks), r.reach, 100),
    "cost_per_unique_inline_link_click": lambda r, a: r.cost(min(r.link, r.unique_clicks)),
    "inline_post_engagement": lambda r, a: str(r.link + r.g[A.COMMENT] + r.g[A.REACTION]),
    "cost_per_inline_post_engagement": lambda r, a: r.cost(r.link + r.g[A.COMMENT] + r.g[A.REACTION]),
    "outbound_clicks": lambda r, a: _stat("outbound_click", str(r.outbound)),
    "unique_outbound_clicks": lambda r, a: _stat("outbound_click", str(min(r.outbound, r.unique_clicks))),
    "outbound_clicks_ctr": lambda r, a: _stat("outbound_click", r.per(r.outbound, r.impressions, 100)),
    "cost_per_outbound_click": lambda r, a: _stat("outbound_click", r.cost(r.outbound)),
    "actions": lambda r, a: r.actions(a) or None,
    "unique_actions": lambda r, a: r.actions(a, unique=True) or None,
    "action_values": lambda r, a: r.action_values(a) or None,
    "conversions": lambda r, a: r.actions(a) and [i for i in r.actions(a) if i["action_type"] in A.CONV_TYPES] or None,
    "conversion_values": lambda r, a: [i for i in r.action_values(a) if i["action_type"] in A.CONV_TYPES] or None,
    "cost_per_action_type": lambda r, a: _cost_list(r, r.actions(a)),
    "cost_per_unique_action_type": lambda r, a: _cost_list(r, r.actions(a, unique=True)),
    "cost_per_conversion": lambda r, a: _cost_list(r, [i for i in r.actions(a) if i["action_type"] in A.CONV_TYPES]),
    "purchase_roas": lambda r, a: _roas(r, a, "omni_purchase"),
    "website_purchase_roas": lambda r, a: _roas(r, a, "offsite_conversion.fb_pixel_purchase"),
    "video_play_actions": lambda r, a: _stat("video_view", str(r.video(6))),
    "video_continuous_2_sec_watched_actions": lambda r, a: _stat("video_view", str(r.video(5))),
    "video_p25_watched_actions": lambda r, a: _stat("video_view", str(r.video(4))),
    "video_p50_watched_actions": lambda r, a: _stat("video_view", str(r.video(3))),
    "video_p75_watched_actions": lambda r, a: _stat("video_view", str(r.video(2))),
    "video_p95_watched_actions": lambda r, a: _stat("video_view", str(r.video(1))),
    "video_p100_watched_actions": lambda r, a: _stat("video_view", str(r.video(0))),
    "video_30_sec_watched_actions": lambda r, a: _stat("video_view", str(r.video(2))),
    "video_15_sec_watched_actions": lambda r, a: _stat("video_view", str(r.video(3))),
    "video_thruplay_watched_actions": lambda r, a: _stat("video_view", str(r.video(1))),
    "cost_per_thruplay": lambda r, a: _stat("video_view", r.cost(r.video(1))),
    "video_avg_time_watched_actions": lambda r, a: _stat("video_view", str(r.g[A.WATCH] // r.video(6)) if r.video(6) else None),
    "video_time_watched_actions": lambda r, a: _stat("video_view", str(r.g[A.WATCH])),
    "estimated_ad_recallers": lambda r, a: str(r.recallers),
    "estimated_ad_recall_rate": lambda r, a: r.per(r.recallers, r.reach, 100),
    "cost_per_estimated_ad_recallers": lambda r, a: r.cost(r.recallers),
    "landing_page_view_per_link_click": lambda r, a: r.per(r.g[A.LPV], r.link),
    "full_view_impressions": lambda r, a: str(r.video(1)),
    "full_view_reach": lambda r, a: str(min(r.video(1), r.reach)),
}
COMPONENTS: dict[str, tuple[int, ...]] = {"impressions": (A.IMPR,), "spend": (A.SPEND,)}
CLICK_FIELDS = {"clicks", "ctr", "cpc", "unique_clicks", "unique_ctr", "cost_per_unique_click", "inline_link_clicks",
                "inline_link_click_ctr", "cost_per_inline_link_click", "outbound_clicks", "unique_outbound_clicks",
                "outbound_clicks_ctr", "cost_per_outbound_click", "unique_inline_link_clicks",
                "unique_inline_link_click_ctr", "unique_link_clicks_ctr", "cost_per_unique_inline_link_click",
                "landing_page_view_per_link_click"}


def needed(fields: list[str], filtering_metrics: bool) -> tuple[int, ...]:
    """The components a request needs split across buckets (all of them when unsure)."""
    if filtering_metrics:
        return tuple(range(A.SIZE))
    wanted = {A.SPEND, A.IMPR}
    for name in fields:
        if name in ("impressions", "spend", "cpm", "social_spend") or name not in METRICS:
            continue
        if name in CLICK_FIELDS:
            wanted.update(A.CLICKS)
            if "unique" in name:
                wanted.update((A.REACH, A.UCLICKS))
        elif name in ("reach", "frequency", "cpp"):
            wanted.add(A.REACH)
        else:
            return tuple(range(A.SIZE))
    return tuple(sorted(wanted))
