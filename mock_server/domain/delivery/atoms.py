"""One ad's day as a vector of non-negative integer components, and the metrics built from them.

Every additive metric is a sum of components, and ordered metrics nest (lpv <= outbound <= link clicks <=
clicks; 1d_click <= 7d_click <= 28d_click; p100 <= ... <= p25 <= plays), so splitting each component across
breakdown buckets and summing over days, ads and levels keeps every total and every ordering exact
(INSIGHTS.md 9.1, 9.4). Reach, unique clicks and recallers are per-day figures combined non-additively.
"""

from __future__ import annotations

import math
from typing import Any

from mock_server.domain.delivery import seeded

(SPEND, IMPR, REACH, LPV, OUT_REST, LINK_REST, OTHER_CLICKS, COMMENT, REACTION, LIKE,
 P100, P95, P75, P50, P25, TWO_SEC, PLAY, WATCH, UCLICKS, RECALL) = range(20)
CONV_TYPES = ("purchase", "lead", "mobile_app_install")  # one block of 12 per conversion action type
CONV_BASE = 20
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view")
SIZE = CONV_BASE + 12 * len(CONV_TYPES)
NON_ADDITIVE = (REACH, UCLICKS, RECALL)
CLICKS = (LPV, OUT_REST, LINK_REST, OTHER_CLICKS)
VIDEO = (P100, P95, P75, P50, P25, TWO_SEC, PLAY, WATCH)
CONVERSIONS = tuple(range(CONV_BASE, SIZE))


def conv_block(action_type: str) -> int:
    """Offset of an action type's block: 6 window parts (counts), then 6 value parts."""
    return CONV_BASE + 12 * CONV_TYPES.index(action_type)


def rates(table: dict[str, Any], objective: str | None, goal: str | None, profile: dict[str, Any]) -> dict[str, Any]:
    """The objective's rates (over the defaults) times the optimization goal's multipliers, then the profile."""
    objectives = table["objectives"]
    merged = dict(objectives["default"])
    merged.update(objectives.get(objective or "", {}))
    merged["conversion"] = {**objectives["default"]["conversion"], **merged.get("conversion", {})}
    merged["conversion_rate"] = merged["conversion"]["rate"]
    for key, factor in table["optimization_goals"].get(goal or "", {}).items():
        merged[key] = merged.get(key, 0) * factor
    if "conversion_rate" in profile:
        merged["conversion_rate"] = float(profile["conversion_rate"])
    return merged


def build(spend: int, rate: dict[str, Any], table: dict[str, Any], currency: tuple[float, int],
          profile: dict[str, Any], seed: int, ad_id: int, day: int) -> list[int] | None:
    """The components of one ad-day that spent `spend` minor units; None when nothing was delivered."""
    if spend <= 0:
        return None
    per_usd, offset = currency
    variation = table["variation"]
    major = spend / offset
    cpm = float(profile["cpm"]) if "cpm" in profile else \
        rate["cpm_usd"] * per_usd * seeded.spread(variation["cpm"], seeded.CPM, seed, ad_id, day)
    impressions = int(round(major / cpm * 1000 * float(profile.get("impressions_multiplier", 1)))) if cpm > 0 else 0
    if impressions <= 0:
        return None
    ctr = float(profile["ctr"]) if "ctr" in profile else \
        rate["ctr"] * seeded.spread(variation["ctr"], seeded.CTR, seed, ad_id, day)
    clicks = min(impressions, int(round(impressions * ctr * float(profile.get("clicks_multiplier", 1)))))
    link = int(round(clicks * min(rate["link_share"], 1.0)))
    outbound = int(round(link * min(rate["outbound_share"], 1.0)))
    lpv = int(round(outbound * min(rate["lpv_share"], 1.0)))
    v = [0] * SIZE
    v[SPEND], v[IMPR] = spend, impressions
    v[REACH] = max(1, min(impressions, int(round(impressions / max(rate["frequency"], 1.0)))))
    v[LPV], v[OUT_REST], v[LINK_REST], v[OTHER_CLICKS] = lpv, outbound - lpv, link - outbound, clicks - link
    v[COMMENT] = int(impressions * rate["comment_rate"])
    v[REACTION] = int(impressions * rate["reaction_rate"])
    v[LIKE] = int(impressions * rate["like_rate"])
    conversion = rate["conversion"]
    if conversion.get("action_type") and rate["conversion_rate"] > 0:
        base = link * rate["conversion_rate"] * seeded.spread(variation["conversion"], seeded.CONV, seed, ad_id, day)
        windows = table["attribution"]
        levels = [int(base * windows[w]) for w in ("1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view")]
        for i in (1, 2, 4, 5):
            levels[i] = max(levels[i], levels[i - 1])
        parts = [levels[0], levels[1] - levels[0], levels[2] - levels[1], levels[3], levels[4] - levels[3], levels[5] - levels[4]]
        aov = int(round(conversion.get("value_usd", 0) * per_usd * offset * seeded.spread(0.3, seeded.AOV, seed, ad_id)))
        block = conv_block(conversion["action_type"])
        for i, part in enumerate(parts):
            v[block + i] = part
            v[block + 6 + i] = part * aov
    video = table["video"]
    plays = int(impressions * rate["video_play_rate"])
    levels = [plays]
    for key in ("two_sec", "p25", "p50", "p75", "p95", "p100"):
        levels.append(min(levels[-1], int(plays * video[key])))
    # levels: play, two_sec, p25, p50, p75, p95, p100 -> nested components
    v[PLAY], v[TWO_SEC], v[P25], v[P50], v[P75], v[P95] = (levels[i] - levels[i + 1] for i in range(6))
    v[P100] = levels[6]
    v[WATCH] = plays * video["avg_seconds"]
    v[UCLICKS] = min(clicks, v[REACH], int(round(clicks * 0.85)))
    v[RECALL] = int(v[REACH] * 0.08)
    return v


def combine_unique(total: int, largest: int, cells: int, dedup: float, ceiling: int) -> int:
    """A non-additive figure (reach) over several cells: at least the largest cell, at most the sum."""
    if cells <= 1:
        return min(total, ceiling)
    value = int(total / (1.0 + dedup * math.log(cells)))
    return min(max(value, largest), total, ceiling)
