"""One ad's day as a vector of non-negative integer components, and the metrics built from them.

Every additive metric is a sum of components, and ordered metrics nest (lpv <= outbound <= link clicks <=
clicks; 1d_click <= 7d_click <= 28d_click; p100 <= ... <= p25 <= plays), so splitting each component across
breakdown buckets and summing over days, ads and levels keeps every total and every ordering exact
(INSIGHTS.md 9.1, 9.4). Reach, unique clicks and recallers are per-day figures combined non-additively.
"""

from __future__ import annotations

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


_CONVERSIONS = [0] * (SIZE - CONV_BASE)  # copied by list concatenation, never mutated
_CPM, _pair = seeded.CPM, seeded.pair_of


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


class Plan:
    """One ad's rates, resolved once per request (objective, goal, profile, currency) for `build`."""

    __slots__ = ("cpm", "cpm_amp", "ctr", "ctr_amp", "impr_mult", "clicks_mult", "link", "outbound", "lpv",
                 "frequency", "comment", "reaction", "like", "conv_block", "conv_rate", "conv_amp", "windows",
                 "aov", "play", "video", "watch", "seed", "ad_id", "offset", "impr_scale", "core")

    def __init__(self, rate: dict[str, Any], table: dict[str, Any], currency: tuple[float, int],
                 profile: dict[str, Any], seed: int, ad_id: int) -> None:
        per_usd, offset = currency
        variation = table["variation"]
        fixed_cpm = "cpm" in profile
        self.cpm = float(profile["cpm"]) if fixed_cpm else rate["cpm_usd"] * per_usd
        self.cpm_amp = 0.0 if fixed_cpm else variation["cpm"]
        self.ctr = float(profile["ctr"]) if "ctr" in profile else rate["ctr"]
        self.ctr_amp = 0.0 if "ctr" in profile else variation["ctr"]
        self.impr_mult = float(profile.get("impressions_multiplier", 1))
        self.impr_scale = 1000.0 * self.impr_mult / offset
        self.clicks_mult = float(profile.get("clicks_multiplier", 1))
        self.link, self.outbound, self.lpv = (min(rate[k], 1.0) for k in ("link_share", "outbound_share", "lpv_share"))
        self.frequency = max(rate["frequency"], 1.0)
        self.comment, self.reaction, self.like = rate["comment_rate"], rate["reaction_rate"], rate["like_rate"]
        conversion = rate["conversion"]
        self.conv_block = conv_block(conversion["action_type"]) if conversion.get("action_type") in CONV_TYPES else -1
        self.conv_rate, self.conv_amp = rate["conversion_rate"], variation["conversion"]
        self.windows = [table["attribution"][w] for w in WINDOWS]
        self.aov = int(round(conversion.get("value_usd", 0) * per_usd * offset * seeded.spread(0.3, seeded.AOV, seed, ad_id)))
        video = table["video"]
        self.play = rate["video_play_rate"]
        self.video = [video[k] for k in ("two_sec", "p25", "p50", "p75", "p95", "p100")]
        self.watch = video["avg_seconds"]
        self.seed, self.ad_id, self.offset = seed, ad_id, offset
        # what every ad-day reads, unpacked in one step by `build` (it runs for every ad and day of a report)
        self.core = (seed, ad_id, self.cpm, self.cpm_amp, self.impr_scale, self.ctr, self.ctr_amp, self.clicks_mult,
                     self.link, self.outbound, self.lpv, self.frequency)


def build(spend: int, plan: Plan, day: int, full: bool = True) -> list[int] | None:
    """The components of one ad-day that spent `spend` minor units; None when nothing was delivered.
    Without `full`, only spend, impressions, clicks and reach are filled (enough for most reports), and the
    vector stops before the conversion blocks."""
    if spend <= 0:
        return None
    seed, ad_id, base_cpm, cpm_amp, impr_scale, ctr, ctr_amp, clicks_mult, link_share, out_share, lpv_share, \
        frequency = plan.core
    u_cpm, u_ctr = _pair((_CPM, seed, ad_id, day))
    cpm = base_cpm * (1.0 + cpm_amp * (2.0 * u_cpm - 1.0))
    impressions = int(spend * impr_scale / cpm + 0.5) if cpm > 0 else 0
    if impressions <= 0:
        return None
    clicks = int(impressions * ctr * (1.0 + ctr_amp * (2.0 * u_ctr - 1.0)) * clicks_mult + 0.5)
    if clicks > impressions:
        clicks = impressions
    link = int(clicks * link_share + 0.5)
    outbound = int(link * out_share + 0.5)
    lpv = int(outbound * lpv_share + 0.5)
    reach = int(impressions / frequency + 0.5) or 1
    unique = int(clicks * 0.85 + 0.5)
    if unique > reach:
        unique = reach
    # SPEND..OTHER_CLICKS, COMMENT..WATCH (filled below when full), UCLICKS, RECALL
    v = [spend, impressions, reach, lpv, outbound - lpv, link - outbound, clicks - link, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         0, 0, unique, int(reach * 0.08)]
    if not full:
        return v
    v += _CONVERSIONS
    v[COMMENT] = int(impressions * plan.comment)
    v[REACTION] = int(impressions * plan.reaction)
    v[LIKE] = int(impressions * plan.like)
    if plan.conv_block >= 0 and plan.conv_rate > 0:
        base = link * plan.conv_rate * seeded.spread(plan.conv_amp, seeded.CONV, seed, ad_id, day)
        levels = [int(base * w) for w in plan.windows]
        for i in (1, 2, 4, 5):
            levels[i] = max(levels[i], levels[i - 1])
        parts = [levels[0], levels[1] - levels[0], levels[2] - levels[1], levels[3], levels[4] - levels[3], levels[5] - levels[4]]
        block, aov = plan.conv_block, plan.aov
        for i, part in enumerate(parts):
            v[block + i] = part
            v[block + 6 + i] = part * aov
    plays = int(impressions * plan.play)
    levels = [plays]
    for share in plan.video:
        levels.append(min(levels[-1], int(plays * share)))
    # levels: play, two_sec, p25, p50, p75, p95, p100 -> nested components
    v[PLAY], v[TWO_SEC], v[P25], v[P50], v[P75], v[P95] = (levels[i] - levels[i + 1] for i in range(6))
    v[P100] = levels[6]
    v[WATCH] = plays * plan.watch
    return v


def combine_unique(total: int, largest: int, cells: int, overlap: float, ceiling: int) -> int:
    """A non-additive figure (reach) over several cells: the largest cell plus a share of the others.

    `largest + share x (total - largest)` never falls when a cell is added (a period's reach is at least any
    of its days', a parent's at least any child's) and never exceeds the sum (INSIGHTS.md 9.2)."""
    if cells <= 1:
        return min(total, ceiling)
    return min(largest + int(overlap * (total - largest)), total, ceiling)


def split(vector: list[int], cumulative: list[float], indices: Any) -> list[list[int]]:
    """The chosen components of `vector` across parts: floor(n*C_k) - floor(n*C_k-1), exact in total."""
    out = [[0] * len(vector) for _ in cumulative]
    for i in indices:
        n = vector[i]
        if not n:
            continue
        previous = 0
        for k, c in enumerate(cumulative):
            upto = n if c >= 1.0 else int(n * c)
            out[k][i] = upto - previous
            previous = upto
    return out
